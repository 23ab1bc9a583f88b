/* umt-profile-dialog.h: add, edit or remove a server profile and its token
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "umt-device-manager.h"

G_BEGIN_DECLS

#define UMT_TYPE_PROFILE_DIALOG (umt_profile_dialog_get_type ())
G_DECLARE_FINAL_TYPE (UmtProfileDialog, umt_profile_dialog, UMT, PROFILE_DIALOG, AdwWindow)

/* @profile NULL: a new profile. Saving writes profiles.json and tells
 * @manager; a token typed in goes to the keyring, never to a file. */
UmtProfileDialog *umt_profile_dialog_new (GtkWindow        *parent,
                                          UmtDeviceManager *manager,
                                          UmtProfile       *profile);

G_END_DECLS
