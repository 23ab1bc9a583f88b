/* umt-window.h: the main window, a sidebar and four pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "umt-application.h"
#include "umt-heartbeat.h"

G_BEGIN_DECLS

#define UMT_TYPE_WINDOW (umt_window_get_type ())
G_DECLARE_FINAL_TYPE (UmtWindow, umt_window, UMT, WINDOW, AdwApplicationWindow)

UmtWindow  *umt_window_new                  (UmtApplication *application);
void        umt_window_show_page            (UmtWindow      *self,
                                             const char     *name);
const char *umt_window_get_visible_page     (UmtWindow      *self);
GtkWidget  *umt_window_get_page             (UmtWindow      *self,
                                             const char     *name);
void        umt_window_add_toast            (UmtWindow      *self,
                                             AdwToast       *toast);

/* For the pages: a toast in the window that holds @widget, if any. */
void        umt_window_toast_for            (GtkWidget      *widget,
                                             const char     *title);
/* Tells the outcome of a heartbeat the user asked for ("Test Heartbeat"),
 * @beat or @error, in the window that holds @widget: a toast when it went
 * through, a dialog with the whole reason when it failed. */
void        umt_window_report_heartbeat     (GtkWidget                 *widget,
                                             const UmtMeetingHeartbeat *beat,
                                             const GError              *error);
void        umt_window_save_state           (UmtWindow      *self);

G_END_DECLS
