/* umt-meeting-types.h: what the Meeting server answers, parsed strictly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Each response is a small reference-counted boxed struct; the _from_json
 * parsers fail with UMT_MEETING_ERROR_PROTOCOL naming the member that was
 * missing or of the wrong type. Strings are UTF-8, never NULL unless the
 * comment says "nullable" (the server may send null or leave them out). */

/* GET /api */
typedef struct
{
  char *status;
  char *version;
} UmtMeetingApiInfo;

/* POST /api/devices/{key}/register (or the fallback heartbeat) */
typedef struct
{
  char     *message;       /* nullable: the server's own words */
  gboolean  used_fallback; /* the server had no /register route; registered by heartbeat */
} UmtMeetingRegistration;

/* POST /api/devices/{key}/online */
typedef struct
{
  char *ip_address; /* nullable: the address the server saw */
  char *last_seen;  /* nullable: "YYYY-MM-DD HH:MM:SS" UTC */
} UmtMeetingHeartbeat;

/* GET /api/devices/{key} */
typedef struct
{
  char      *device_key;
  gboolean   authorized;
  gint64     token_count;  /* -1 when the server did not say */
  char      *device_type;  /* nullable */
  char      *distribution; /* nullable */
  char      *last_seen;    /* nullable */
  char     **services;     /* never NULL, may be empty: the enabled service names */
} UmtMeetingDevice;

typedef enum
{
  UMT_MEETING_AVAILABILITY_UNKNOWN,
  UMT_MEETING_AVAILABILITY_AVAILABLE,
  UMT_MEETING_AVAILABILITY_DISCONNECTED,
} UmtMeetingAvailabilityStatus;

/* GET /api/devices/{key}/availability */
typedef struct
{
  UmtMeetingAvailabilityStatus status;
  char *last_heartbeat; /* nullable */
  char *since;          /* nullable */
  char *uptime;         /* nullable; numbers are given as their decimal text */
} UmtMeetingAvailability;

/* GET /api/status/{key}/last-seen */
typedef struct
{
  char *device_key;
  char *last_seen; /* nullable: never seen */
} UmtMeetingLastSeen;

/* one element of GET /api/tunnels */
typedef struct
{
  char    *device_key;
  char    *service;
  guint16  port;       /* public port on the proxy */
  guint16  local_port; /* 0 when the server did not say */
  char    *expires_at; /* nullable */
} UmtMeetingTunnel;

/* GET /api/devices/generate-key (administrator) */
typedef struct
{
  char *device_key;
  char *token_code;
} UmtMeetingGeneratedKey;

/* POST /api/devices/{key}/service (administrator) */
typedef struct
{
  guint16  port;       /* public port */
  char    *url;        /* nullable */
  char    *expires_at; /* nullable */
} UmtMeetingServiceGrant;

#define UMT_MEETING_DECLARE_BOXED(TypeName, type_name)                                  \
  GType     type_name##_get_type  (void) G_GNUC_CONST;                                 \
  TypeName *type_name##_ref       (TypeName *self);                                     \
  void      type_name##_unref     (TypeName *self);                                     \
  TypeName *type_name##_from_json (JsonNode *node, GError **error);                     \
  G_DEFINE_AUTOPTR_CLEANUP_FUNC (TypeName, type_name##_unref)

UMT_MEETING_DECLARE_BOXED (UmtMeetingApiInfo, umt_meeting_api_info)
UMT_MEETING_DECLARE_BOXED (UmtMeetingRegistration, umt_meeting_registration)
UMT_MEETING_DECLARE_BOXED (UmtMeetingHeartbeat, umt_meeting_heartbeat)
UMT_MEETING_DECLARE_BOXED (UmtMeetingDevice, umt_meeting_device)
UMT_MEETING_DECLARE_BOXED (UmtMeetingAvailability, umt_meeting_availability)
UMT_MEETING_DECLARE_BOXED (UmtMeetingLastSeen, umt_meeting_last_seen)
UMT_MEETING_DECLARE_BOXED (UmtMeetingTunnel, umt_meeting_tunnel)
UMT_MEETING_DECLARE_BOXED (UmtMeetingGeneratedKey, umt_meeting_generated_key)
UMT_MEETING_DECLARE_BOXED (UmtMeetingServiceGrant, umt_meeting_service_grant)

#define UMT_TYPE_MEETING_API_INFO       (umt_meeting_api_info_get_type ())
#define UMT_TYPE_MEETING_REGISTRATION   (umt_meeting_registration_get_type ())
#define UMT_TYPE_MEETING_HEARTBEAT      (umt_meeting_heartbeat_get_type ())
#define UMT_TYPE_MEETING_DEVICE         (umt_meeting_device_get_type ())
#define UMT_TYPE_MEETING_AVAILABILITY   (umt_meeting_availability_get_type ())
#define UMT_TYPE_MEETING_LAST_SEEN      (umt_meeting_last_seen_get_type ())
#define UMT_TYPE_MEETING_TUNNEL         (umt_meeting_tunnel_get_type ())
#define UMT_TYPE_MEETING_GENERATED_KEY  (umt_meeting_generated_key_get_type ())
#define UMT_TYPE_MEETING_SERVICE_GRANT  (umt_meeting_service_grant_get_type ())

/* Parses @data as JSON; malformed text is a PROTOCOL error. */
JsonNode   *umt_meeting_parse_json          (const char  *data,
                                             gsize        length,
                                             GError     **error);

/* {"tunnels":[…]} → array of UmtMeetingTunnel (element free func set). */
GPtrArray  *umt_meeting_tunnels_from_json   (JsonNode    *node,
                                             GError     **error);

/* text/plain answers: one public key line ("ssh-ed25519 AAAA… comment"),
 * and ssh-keyscan lines ("host type key"); both returned without trailing
 * blank lines. A JSON {"status":"not_found"} instead of a key is NOT_FOUND. */
char       *umt_meeting_pubkey_from_text    (const char  *data,
                                             gsize        length,
                                             GError     **error);
char       *umt_meeting_hostkeys_from_text  (const char  *data,
                                             gsize        length,
                                             GError     **error);

/* Checks an answer that only says it worked ({"ok":true} or {"success":true});
 * an explicit false is a PROTOCOL error carrying the server's message. */
gboolean    umt_meeting_check_ok            (JsonNode    *node,
                                             GError     **error);

const char *umt_meeting_availability_status_to_string (UmtMeetingAvailabilityStatus status);

G_END_DECLS
