/* umt-diagnostics-page.h: the Diagnostics page of the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define UMT_TYPE_DIAGNOSTICS_PAGE (umt_diagnostics_page_get_type ())
G_DECLARE_FINAL_TYPE (UmtDiagnosticsPage, umt_diagnostics_page, UMT, DIAGNOSTICS_PAGE, AdwPreferencesPage)

G_END_DECLS
