/* umt-tray-win32.h: the tray as a Windows notification-area icon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "umt-tray.h"

G_BEGIN_DECLS

#define UMT_TYPE_TRAY_WIN32 (umt_tray_win32_get_type ())

G_DECLARE_FINAL_TYPE (UmtTrayWin32, umt_tray_win32, UMT, TRAY_WIN32, GObject)

/* Adds @tray's icon to the notification area (Shell_NotifyIconW) with a
 * hidden window for its messages, keeps icon and tooltip in step with the
 * model, shows the menu on a right click and adds the icon again when
 * Explorer restarts (TaskbarCreated). @tray must outlive the backend. */
UmtTrayWin32 *umt_tray_win32_new (UmtTray *tray);

G_END_DECLS
