/* umt-remote-access-group.h: Settings → Remote access (the tunnel and the SSH key)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "umt-device-manager.h"

G_BEGIN_DECLS

#define UMT_TYPE_REMOTE_ACCESS_GROUP (umt_remote_access_group_get_type ())
G_DECLARE_FINAL_TYPE (UmtRemoteAccessGroup, umt_remote_access_group, UMT, REMOTE_ACCESS_GROUP,
                      AdwPreferencesGroup)

/* The tunnel settings of @manager's profile (saved to profiles.json as they
 * are applied), the tunnel token in the keyring, the live state of the
 * manager's tunnel supervisor and the device's SSH key. Insensitive, with
 * the reason shown, while the device is not registered or without a
 * manager. */
void umt_remote_access_group_set_manager (UmtRemoteAccessGroup *self,
                                          UmtDeviceManager     *manager);

G_END_DECLS
