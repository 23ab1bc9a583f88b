/* umt-meeting-requests.h: what each Meeting endpoint sends, and how its
 * answer is read (see meeting-api.md). Private to umt-meeting-client.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "umt-meeting-call.h"

G_BEGIN_DECLS

UmtCall *umt_meeting_request_get_api_info (void);
UmtCall *umt_meeting_request_register (const char *device_key,
                                       const char *token_code,
                                       JsonObject *fields);
UmtCall *umt_meeting_request_online (const char *device_key,
                                     JsonObject *fields);
UmtCall *umt_meeting_request_get_device (const char *device_key);
UmtCall *umt_meeting_request_get_availability (const char *device_key);
UmtCall *umt_meeting_request_get_last_seen (const char *device_key);
UmtCall *umt_meeting_request_put_ssh_key (const char *device_key,
                                          const char *pubkey,
                                          const char *ssh_user);
UmtCall *umt_meeting_request_get_device_pubkey (const char *device_key);
UmtCall *umt_meeting_request_get_ssh_hostkeys (void);
UmtCall *umt_meeting_request_list_tunnels (void);
UmtCall *umt_meeting_request_post_tunnel_status (const char *device_key,
                                                 const char *service,
                                                 guint16     port,
                                                 const char *url,
                                                 gboolean    upnp,
                                                 const char *error_text);
UmtCall *umt_meeting_request_generate_key (void);
UmtCall *umt_meeting_request_manual_create (const char *device_key,
                                            const char *token_code,
                                            const char *device_type,
                                            const char *distribution);
UmtCall *umt_meeting_request_authorize (const char *device_key,
                                        gboolean    authorized);
UmtCall *umt_meeting_request_request_service (const char *device_key,
                                              const char *service,
                                              guint16     port);

G_END_DECLS
