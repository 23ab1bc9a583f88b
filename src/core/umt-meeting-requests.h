/* umt-meeting-requests.h: the requests a Meeting server answers (see meeting-api.md)
 *
 * A request is built by one of these constructors and sent once, with
 * umt_meeting_client_send_async() (which takes it) or through one of the
 * client's typed _sync calls. Each constructor names the answer that
 * umt_meeting_client_send_finish() gives; "no answer" means the server only
 * says whether it did it. Adding an endpoint is one constructor here and,
 * when it answers, one parser in umt-meeting-types.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "umt-meeting-types.h"

G_BEGIN_DECLS

typedef struct _UmtMeetingRequest UmtMeetingRequest;

/* Wipes what the request carries of a one-time token. */
void umt_meeting_request_free (UmtMeetingRequest *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UmtMeetingRequest, umt_meeting_request_free)

/* GET /api. Answer: UmtMeetingApiInfo. */
UmtMeetingRequest *umt_meeting_request_get_api_info (void);

/* POST /api/devices/{key}/register with {"token_code": upper-cased @token_code}
 * plus @fields (validated device information: ip_address, ip_lan, ip_public,
 * mac, cluster_ip, note; may be NULL). Never retried: the token is one-time.
 * When the server has no /register route, registers with the older heartbeat
 * form (POST …/online with token_code and note) and sets used_fallback.
 * Answer: UmtMeetingRegistration. */
UmtMeetingRequest *umt_meeting_request_register (const char *device_key,
                                                 const char *token_code,
                                                 JsonObject *fields);

/* POST /api/devices/{key}/online with @fields (may be NULL).
 * Answer: UmtMeetingHeartbeat. */
UmtMeetingRequest *umt_meeting_request_online (const char *device_key,
                                               JsonObject *fields);

/* GET /api/devices/{key}. Answer: UmtMeetingDevice. */
UmtMeetingRequest *umt_meeting_request_get_device (const char *device_key);

/* GET /api/devices/{key}/availability (an unknown device is status UNKNOWN).
 * Answer: UmtMeetingAvailability. */
UmtMeetingRequest *umt_meeting_request_get_availability (const char *device_key);

/* GET /api/status/{key}/last-seen. Answer: UmtMeetingLastSeen. */
UmtMeetingRequest *umt_meeting_request_get_last_seen (const char *device_key);

/* PUT /api/devices/{key}/ssh-key with {"pubkey", "ssh_user" (when not NULL)}.
 * No answer. */
UmtMeetingRequest *umt_meeting_request_put_ssh_key (const char *device_key,
                                                    const char *pubkey,
                                                    const char *ssh_user);

/* GET /api/forcecommand/get_device_key?device_key={key}. Answer: the public
 * key the server holds for the device, one line (a string for g_free()). */
UmtMeetingRequest *umt_meeting_request_get_device_pubkey (const char *device_key);

/* GET /api/ssh-hostkey. Answer: ssh-keyscan lines, ready for a known_hosts
 * file (a string for g_free()). */
UmtMeetingRequest *umt_meeting_request_get_ssh_hostkeys (void);

/* GET /api/tunnels. Answer: a GPtrArray of UmtMeetingTunnel. */
UmtMeetingRequest *umt_meeting_request_list_tunnels (void);

/* POST /api/devices/{key}/tunnel-status with {service, port, url, upnp, error};
 * @url and @error_text may be NULL. No answer. */
UmtMeetingRequest *umt_meeting_request_post_tunnel_status (const char *device_key,
                                                           const char *service,
                                                           guint16     port,
                                                           const char *url,
                                                           gboolean    upnp,
                                                           const char *error_text);

/* Administrator requests (tests, tools/run, benchmarks) */

/* GET /api/devices/generate-key. Answer: UmtMeetingGeneratedKey. */
UmtMeetingRequest *umt_meeting_request_generate_key (void);

/* POST /api/devices/manual-create; @device_type, @distribution may be NULL.
 * No answer. */
UmtMeetingRequest *umt_meeting_request_manual_create (const char *device_key,
                                                      const char *token_code,
                                                      const char *device_type,
                                                      const char *distribution);

/* PUT /api/devices/{key}/authorize with {"authorized": 0|1}. No answer. */
UmtMeetingRequest *umt_meeting_request_authorize (const char *device_key,
                                                  gboolean    authorized);

/* POST /api/devices/{key}/service with {"service", "port" (when not 0)}.
 * Answer: UmtMeetingServiceGrant. */
UmtMeetingRequest *umt_meeting_request_request_service (const char *device_key,
                                                        const char *service,
                                                        guint16     port);

G_END_DECLS
