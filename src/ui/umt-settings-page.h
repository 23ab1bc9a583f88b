/* umt-settings-page.h: the Settings page of the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "umt-device-manager.h"

G_BEGIN_DECLS

#define UMT_TYPE_SETTINGS_PAGE (umt_settings_page_get_type ())
G_DECLARE_FINAL_TYPE (UmtSettingsPage, umt_settings_page, UMT, SETTINGS_PAGE, AdwPreferencesPage)

/* The page shows and drives @manager: registration, heartbeat, profiles. */
void umt_settings_page_set_manager     (UmtSettingsPage  *self,
                                        UmtDeviceManager *manager);
/* Without a manager (profiles.json unreadable), say why at the top. */
void umt_settings_page_show_load_error (UmtSettingsPage  *self,
                                        const GError     *error);

G_END_DECLS
