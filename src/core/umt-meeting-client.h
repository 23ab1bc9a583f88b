/* umt-meeting-client.h: the HTTP client of a Meeting server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "umt-meeting-error.h"
#include "umt-meeting-types.h"

G_BEGIN_DECLS

#define UMT_MEETING_CLIENT_DEFAULT_TIMEOUT 20
#define UMT_MEETING_CLIENT_DEFAULT_RETRIES 3

#define UMT_TYPE_MEETING_CLIENT (umt_meeting_client_get_type ())

G_DECLARE_FINAL_TYPE (UmtMeetingClient, umt_meeting_client, UMT, MEETING_CLIENT, GObject)

/* One client per server profile; its settings are fixed at construction
 * (make a new client when the profile changes). Properties, all
 * construct-only: "base-url", "timeout" (seconds), "retries", "verify-tls",
 * "token" (write-only; sent as a bearer token, never logged).
 *
 * Every call exists as _async/_finish and as _sync. The _sync variants block
 * and may be called from any thread (the heartbeat worker, the CLI); the
 * _async ones call back in the thread-default main context of the caller.
 * Failures are UMT_MEETING_ERROR errors whose message a user can act on,
 * or G_IO_ERROR_CANCELLED. */

/* Fails with UMT_MEETING_ERROR_INVALID_URL unless @base_url is an absolute
 * http(s) URL with a host. */
UmtMeetingClient *umt_meeting_client_new      (const char *base_url,
                                               GError    **error);
UmtMeetingClient *umt_meeting_client_new_full (const char *base_url,
                                               guint       timeout_seconds,
                                               guint       retries,
                                               gboolean    verify_tls,
                                               const char *token,
                                               GError    **error);

const char *umt_meeting_client_get_base_url   (UmtMeetingClient *self);
guint       umt_meeting_client_get_timeout    (UmtMeetingClient *self);
guint       umt_meeting_client_get_retries    (UmtMeetingClient *self);
gboolean    umt_meeting_client_get_verify_tls (UmtMeetingClient *self);
gboolean    umt_meeting_client_has_token      (UmtMeetingClient *self);

#define UMT_MEETING_DECLARE_CALL(ResultType, name, ...)                                      \
  void        umt_meeting_client_##name##_async  (UmtMeetingClient    *self,                 \
                                                  __VA_ARGS__                                \
                                                  GCancellable        *cancellable,          \
                                                  GAsyncReadyCallback  callback,             \
                                                  gpointer             user_data);           \
  ResultType  umt_meeting_client_##name##_finish (UmtMeetingClient    *self,                 \
                                                  GAsyncResult        *result,               \
                                                  GError             **error);               \
  ResultType  umt_meeting_client_##name##_sync   (UmtMeetingClient    *self,                 \
                                                  __VA_ARGS__                                \
                                                  GCancellable        *cancellable,          \
                                                  GError             **error);

/* GET /api */
UMT_MEETING_DECLARE_CALL (UmtMeetingApiInfo *, get_api_info, )

/* POST /api/devices/{key}/register with {"token_code": upper-cased @token_code}
 * plus @fields (validated device information: ip_address, ip_lan, ip_public,
 * mac, cluster_ip, note; may be NULL). Never retried: the token is one-time.
 * When the server has no /register route, registers with the older heartbeat
 * form (POST …/online with token_code and note) and sets used_fallback. */
UMT_MEETING_DECLARE_CALL (UmtMeetingRegistration *, register,
                          const char *device_key,
                          const char *token_code,
                          JsonObject *fields,)

/* POST /api/devices/{key}/online with @fields (may be NULL). */
UMT_MEETING_DECLARE_CALL (UmtMeetingHeartbeat *, online,
                          const char *device_key,
                          JsonObject *fields,)

/* GET /api/devices/{key} */
UMT_MEETING_DECLARE_CALL (UmtMeetingDevice *, get_device,
                          const char *device_key,)

/* GET /api/devices/{key}/availability (an unknown device is status UNKNOWN) */
UMT_MEETING_DECLARE_CALL (UmtMeetingAvailability *, get_availability,
                          const char *device_key,)

/* GET /api/status/{key}/last-seen */
UMT_MEETING_DECLARE_CALL (UmtMeetingLastSeen *, get_last_seen,
                          const char *device_key,)

/* PUT /api/devices/{key}/ssh-key with {"pubkey", "ssh_user" (when not NULL)} */
UMT_MEETING_DECLARE_CALL (gboolean, put_ssh_key,
                          const char *device_key,
                          const char *pubkey,
                          const char *ssh_user,)

/* GET /api/forcecommand/get_device_key?device_key={key}: the public key the
 * server holds for the device, one line. */
UMT_MEETING_DECLARE_CALL (char *, get_device_pubkey,
                          const char *device_key,)

/* GET /api/ssh-hostkey: ssh-keyscan lines, ready for a known_hosts file */
UMT_MEETING_DECLARE_CALL (char *, get_ssh_hostkeys, )

/* GET /api/tunnels: array of UmtMeetingTunnel */
UMT_MEETING_DECLARE_CALL (GPtrArray *, list_tunnels, )

/* POST /api/devices/{key}/tunnel-status with {service, port, url, upnp, error};
 * @url and @error_text may be NULL. */
UMT_MEETING_DECLARE_CALL (gboolean, post_tunnel_status,
                          const char *device_key,
                          const char *service,
                          guint16     port,
                          const char *url,
                          gboolean    upnp,
                          const char *error_text,)

/* Administrator calls (tests, tools/run) */

/* GET /api/devices/generate-key */
UMT_MEETING_DECLARE_CALL (UmtMeetingGeneratedKey *, generate_key, )

/* POST /api/devices/manual-create; @device_type, @distribution may be NULL */
UMT_MEETING_DECLARE_CALL (gboolean, manual_create,
                          const char *device_key,
                          const char *token_code,
                          const char *device_type,
                          const char *distribution,)

/* PUT /api/devices/{key}/authorize with {"authorized": 0|1} */
UMT_MEETING_DECLARE_CALL (gboolean, authorize,
                          const char *device_key,
                          gboolean    authorized,)

/* POST /api/devices/{key}/service with {"service", "port" (when not 0)} */
UMT_MEETING_DECLARE_CALL (UmtMeetingServiceGrant *, request_service,
                          const char *device_key,
                          const char *service,
                          guint16     port,)

#undef UMT_MEETING_DECLARE_CALL

G_END_DECLS
