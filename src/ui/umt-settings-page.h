/* umt-settings-page.h: the Settings page of the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define UMT_TYPE_SETTINGS_PAGE (umt_settings_page_get_type ())
G_DECLARE_FINAL_TYPE (UmtSettingsPage, umt_settings_page, UMT, SETTINGS_PAGE, AdwPreferencesPage)

G_END_DECLS
