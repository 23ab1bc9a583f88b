/* umt-diagnostics-page.h: the Diagnostics page of the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "umt-device-manager.h"
#include "umt-diagnostics.h"

G_BEGIN_DECLS

#define UMT_TYPE_DIAGNOSTICS_PAGE (umt_diagnostics_page_get_type ())
G_DECLARE_FINAL_TYPE (UmtDiagnosticsPage, umt_diagnostics_page, UMT, DIAGNOSTICS_PAGE, AdwPreferencesPage)

/* The checks run on @manager's profile and device; they run by themselves
 * the first time the page is shown, again with Run Checks. */
void            umt_diagnostics_page_set_manager     (UmtDiagnosticsPage *self,
                                                      UmtDeviceManager   *manager);
/* When the application could not load its files: the checks say why. */
void            umt_diagnostics_page_set_load_error  (UmtDiagnosticsPage *self,
                                                      const GError       *error);
/* For tests: the diagnostics the page shows, NULL before either of the above. */
UmtDiagnostics *umt_diagnostics_page_get_diagnostics (UmtDiagnosticsPage *self);

G_END_DECLS
