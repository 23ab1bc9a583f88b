/* umt-application.h: the GtkApplication of Updates Manager
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "umt-device-manager.h"

G_BEGIN_DECLS

#define UMT_TYPE_APPLICATION (umt_application_get_type ())
G_DECLARE_FINAL_TYPE (UmtApplication, umt_application, UMT, APPLICATION, AdwApplication)

UmtApplication *umt_application_new          (void);
GSettings      *umt_application_get_settings (UmtApplication *self);

/* NULL when profiles.json could not be read; then
 * umt_application_get_load_error() says why. */
UmtDeviceManager *umt_application_get_device_manager (UmtApplication *self);
const GError     *umt_application_get_load_error     (UmtApplication *self);

/* Points the heartbeat at the registered device, and starts it when this
 * process owns the heartbeat (one owner per user: `umt run` may have it; the
 * window then shows that owner's heartbeat and takes over when it goes). */
void            umt_application_start_heartbeat (UmtApplication *self);

G_END_DECLS
