/* umt-logs-page.h: the Logs page of the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define UMT_TYPE_LOGS_PAGE (umt_logs_page_get_type ())
G_DECLARE_FINAL_TYPE (UmtLogsPage, umt_logs_page, UMT, LOGS_PAGE, GtkBox)

G_END_DECLS
