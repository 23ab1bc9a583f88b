/* umt-device-manager.h: the device as both front ends see it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "umt-device-state.h"
#include "umt-heartbeat.h"
#include "umt-meeting-client.h"
#include "umt-profiles.h"
#include "umt-tunnel-supervisor.h"

G_BEGIN_DECLS

#define UMT_TYPE_DEVICE_MANAGER (umt_device_manager_get_type ())

G_DECLARE_FINAL_TYPE (UmtDeviceManager, umt_device_manager, UMT, DEVICE_MANAGER, GObject)

/* Owns the profiles, the device state and the heartbeat engine, and does
 * what takes several of them: registering (validate, collect the device
 * information, ask the server, save device_info.json, keep the token in the
 * keyring for the tunnel, start beating) and unregistering. The window, the
 * tray and `umt` all go through it, so they agree.
 *
 * Properties (read-only, notified on the main context):
 *   registered       gboolean
 *   device-key       string, NULL when not registered
 *   registered-at    string "YYYY-MM-DD HH:MM:SS", NULL when not registered
 *   server-url       string, the URL in use: the one given at construction,
 *                    else MEETING_SERVER_URL, else the profile's
 *   server-url-overridden  gboolean, the URL in use is not the profile's
 *   profile          UmtProfile in use: the one named at construction, else
 *                    the one the device registered with (while it exists),
 *                    else the active one
 *   heartbeat        UmtHeartbeat
 *   tunnel           UmtTunnelSupervisor, configured with the device and the
 *                    profile (not started); stopped on unregister
 *   state-problem    string, NULL or why a state file was set aside
 *
 * Signal "state-reloaded": another process registered or unregistered the
 * device (see umt_device_manager_watch_files()); the heartbeat was pointed
 * away from a device forgotten, and is to be configured for a new one. */

/* Loads profiles.json and device_info.json (importing the legacy directory
 * once). A corrupt file is not an error: it is set aside, the defaults (not
 * registered) take its place and state-problem says so. Fails when a file
 * cannot be read at all, or MEETING_SERVER_URL is not a valid URL. */
UmtDeviceManager *umt_device_manager_new                 (GError           **error);

/* The same for one run with a given profile and server (`umt --profile NAME
 * --server URL`); either may be NULL. An unknown profile is an
 * UMT_CONFIG_ERROR_NOT_FOUND, an invalid URL UMT_CONFIG_ERROR_INVALID_INPUT.
 * The profile's token is sent only to the profile's own server, never to a
 * URL that overrides it. */
UmtDeviceManager *umt_device_manager_new_full            (const char        *profile_name,
                                                          const char        *server_url,
                                                          GError           **error);

gboolean          umt_device_manager_get_registered      (UmtDeviceManager  *self);
const char       *umt_device_manager_get_device_key      (UmtDeviceManager  *self);
const char       *umt_device_manager_get_registered_at   (UmtDeviceManager  *self);
const char       *umt_device_manager_get_server_url      (UmtDeviceManager  *self);
gboolean          umt_device_manager_get_server_url_overridden (UmtDeviceManager *self);
const char       *umt_device_manager_get_state_problem   (UmtDeviceManager  *self);
UmtProfiles      *umt_device_manager_get_profiles        (UmtDeviceManager  *self);
UmtProfile       *umt_device_manager_get_profile         (UmtDeviceManager  *self);
UmtDeviceState   *umt_device_manager_get_state           (UmtDeviceManager  *self);
UmtHeartbeat     *umt_device_manager_get_heartbeat       (UmtDeviceManager  *self);
UmtTunnelSupervisor *umt_device_manager_get_tunnel      (UmtDeviceManager  *self);

/* Set by the last registration when the device is registered but the
 * token could not be kept in the keyring for the tunnel, or the registration
 * could not be saved here; NULL otherwise. */
const char       *umt_device_manager_get_registration_warning (UmtDeviceManager *self);
/* The server accepted the last registration but device_info.json could not
 * be written: the device is registered in memory for this run, and the save
 * is retried every minute until it works. */
gboolean          umt_device_manager_get_registration_unsaved (UmtDeviceManager *self);

/* From now on, takes what other processes (`umt profile`, `umt register`,
 * `umt unregister`) change in profiles.json and device_info.json. */
void              umt_device_manager_watch_files         (UmtDeviceManager  *self);

/* Call after the active profile changed or was edited (and saved). */
void              umt_device_manager_profiles_changed    (UmtDeviceManager  *self);

/* A client for the profile in use, with the profile's token from the
 * keyring when there is one (a keyring that does not answer just means no
 * token: the device endpoints need none). */
void              umt_device_manager_create_client_async  (UmtDeviceManager    *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
UmtMeetingClient *umt_device_manager_create_client_finish (UmtDeviceManager    *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
UmtMeetingClient *umt_device_manager_create_client_sync   (UmtDeviceManager    *self,
                                                           GCancellable        *cancellable,
                                                           GError             **error);

/* Points the heartbeat engine at the registered device (or at nothing) with
 * a fresh client. Does not start it. */
void              umt_device_manager_configure_heartbeat_async  (UmtDeviceManager    *self,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
gboolean          umt_device_manager_configure_heartbeat_finish (UmtDeviceManager    *self,
                                                                 GAsyncResult        *result,
                                                                 GError             **error);
gboolean          umt_device_manager_configure_heartbeat_sync   (UmtDeviceManager    *self,
                                                                 GCancellable        *cancellable,
                                                                 GError             **error);

/* Registers @device_key with the one-time @token_code (case-insensitive).
 * Bad input fails with UMT_CONFIG_ERROR_INVALID_INPUT before any request,
 * so does a state that cannot be saved (UMT_CONFIG_ERROR_IO), so that the
 * token is not spent for nothing; server refusals with UMT_MEETING_ERROR. On success the token is kept in
 * the keyring as the device's tunnel token (a keyring failure there is not
 * fatal, the server has burned the token: see registration-warning), the
 * state saved and the heartbeat pointed at the device. */
void              umt_device_manager_register_async      (UmtDeviceManager    *self,
                                                          const char          *device_key,
                                                          const char          *token_code,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
UmtMeetingRegistration *umt_device_manager_register_finish (UmtDeviceManager  *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
UmtMeetingRegistration *umt_device_manager_register_sync (UmtDeviceManager    *self,
                                                          const char          *device_key,
                                                          const char          *token_code,
                                                          GCancellable        *cancellable,
                                                          GError             **error);

/* Forgets the registration here: device_info.json and the tunnel token. The
 * server keeps the device; registering again needs a new token. Not being
 * registered is no error; neither is a missing Secret Service (no token can
 * have been kept then). */
void              umt_device_manager_unregister_async    (UmtDeviceManager    *self,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean          umt_device_manager_unregister_finish   (UmtDeviceManager    *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
gboolean          umt_device_manager_unregister_sync     (UmtDeviceManager    *self,
                                                          GCancellable        *cancellable,
                                                          GError             **error);

G_END_DECLS
