/* umt-overview-page.h: the Overview page of the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "umt-device-manager.h"

G_BEGIN_DECLS

#define UMT_TYPE_OVERVIEW_PAGE (umt_overview_page_get_type ())
G_DECLARE_FINAL_TYPE (UmtOverviewPage, umt_overview_page, UMT, OVERVIEW_PAGE, AdwPreferencesPage)

void umt_overview_page_set_manager (UmtOverviewPage  *self,
                                    UmtDeviceManager *manager);

G_END_DECLS
