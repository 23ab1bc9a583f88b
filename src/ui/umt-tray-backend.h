/* umt-tray-backend.h: what draws the tray on this platform
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "umt-tray.h"

G_BEGIN_DECLS

/* The platform's backend for @tray, chosen by meson: a StatusNotifierItem
 * (umt-tray-sni.c) or a notification-area icon (umt-tray-win32.c). It
 * follows @tray's state and reports its host through
 * umt_tray_set_host_available(). */
GObject *umt_tray_backend_new (UmtTray *tray);

G_END_DECLS
