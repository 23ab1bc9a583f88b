/* umt-meeting-client.h: the HTTP client of a Meeting server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "umt-meeting-error.h"
#include "umt-meeting-requests.h"
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
 * Any request goes through umt_meeting_client_send_async(); the ones the
 * worker threads and the CLI send also have a typed, blocking _sync call.
 * Both take the same path. Failures are UMT_MEETING_ERROR errors whose
 * message a user can act on, or G_IO_ERROR_CANCELLED. */

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

/* Sends @request (taken) from a worker thread; @callback runs in the
 * thread-default main context of the caller. */
void     umt_meeting_client_send_async  (UmtMeetingClient    *self,
                                         UmtMeetingRequest   *request,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
/* On success, @answer (may be NULL) receives the answer the request's
 * constructor names, owned by the caller, or NULL for a request without one. */
gboolean umt_meeting_client_send_finish (UmtMeetingClient    *self,
                                         GAsyncResult        *result,
                                         gpointer            *answer,
                                         GError             **error);

/* Blocking, from any thread: the requests the heartbeat worker, the CLI,
 * the diagnostics and the benchmarks send, typed. Each is the request of the
 * same name in umt-meeting-requests.h. */
UmtMeetingApiInfo      *umt_meeting_client_get_api_info_sync     (UmtMeetingClient  *self,
                                                                  GCancellable      *cancellable,
                                                                  GError           **error);
UmtMeetingRegistration *umt_meeting_client_register_sync         (UmtMeetingClient  *self,
                                                                  const char        *device_key,
                                                                  const char        *token_code,
                                                                  JsonObject        *fields,
                                                                  GCancellable      *cancellable,
                                                                  GError           **error);
UmtMeetingHeartbeat    *umt_meeting_client_online_sync           (UmtMeetingClient  *self,
                                                                  const char        *device_key,
                                                                  JsonObject        *fields,
                                                                  GCancellable      *cancellable,
                                                                  GError           **error);
UmtMeetingDevice       *umt_meeting_client_get_device_sync       (UmtMeetingClient  *self,
                                                                  const char        *device_key,
                                                                  GCancellable      *cancellable,
                                                                  GError           **error);
UmtMeetingAvailability *umt_meeting_client_get_availability_sync (UmtMeetingClient  *self,
                                                                  const char        *device_key,
                                                                  GCancellable      *cancellable,
                                                                  GError           **error);
gboolean                umt_meeting_client_put_ssh_key_sync      (UmtMeetingClient  *self,
                                                                  const char        *device_key,
                                                                  const char        *pubkey,
                                                                  const char        *ssh_user,
                                                                  GCancellable      *cancellable,
                                                                  GError           **error);
char                   *umt_meeting_client_get_ssh_hostkeys_sync (UmtMeetingClient  *self,
                                                                  GCancellable      *cancellable,
                                                                  GError           **error);

/* Administrator calls */
gboolean                umt_meeting_client_manual_create_sync    (UmtMeetingClient  *self,
                                                                  const char        *device_key,
                                                                  const char        *token_code,
                                                                  const char        *device_type,
                                                                  const char        *distribution,
                                                                  GCancellable      *cancellable,
                                                                  GError           **error);
gboolean                umt_meeting_client_authorize_sync        (UmtMeetingClient  *self,
                                                                  const char        *device_key,
                                                                  gboolean           authorized,
                                                                  GCancellable      *cancellable,
                                                                  GError           **error);
UmtMeetingServiceGrant *umt_meeting_client_request_service_sync  (UmtMeetingClient  *self,
                                                                  const char        *device_key,
                                                                  const char        *service,
                                                                  guint16            port,
                                                                  GCancellable      *cancellable,
                                                                  GError           **error);

G_END_DECLS
