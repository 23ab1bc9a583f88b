/* umt-profile-private.h: what the two halves of UmtProfile share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to umt-profile.c (the object, its properties, the server and
 * heartbeat settings, profiles.json) and umt-profile-tunnel.c (the tunnel
 * settings: their checks, their keys, their JSON, the allowed ports).
 */
#pragma once

#include "umt-profile.h"

G_BEGIN_DECLS

#define UMT_PROFILE_PORT_MAX 65535

struct _UmtProfile
{
  GObject parent_instance;

  char     *name;
  char     *base_url;
  guint     timeout;
  guint     retries;
  gboolean  verify_tls;
  guint     heartbeat_interval;
  guint     recovery_interval;
  char     *note;
  gboolean  allow_insecure_http;
  char     *cluster_ip;
  gboolean  public_ip_lookup;
  char     *public_ip_url;

  gboolean  tunnel_enabled;
  char     *tunnel_proxy_host;
  guint     tunnel_proxy_port;
  gboolean  tunnel_tls;
  gboolean  tunnel_verify_tls;
  gboolean  service_enabled[UMT_TUNNEL_N_SERVICES];
  guint     service_port[UMT_TUNNEL_N_SERVICES];
  char     *tunnel_relay_ports;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_BASE_URL,
  PROP_TIMEOUT,
  PROP_RETRIES,
  PROP_VERIFY_TLS,
  PROP_HEARTBEAT_INTERVAL,
  PROP_RECOVERY_INTERVAL,
  PROP_NOTE,
  PROP_ALLOW_INSECURE_HTTP,
  PROP_CLUSTER_IP,
  PROP_PUBLIC_IP_LOOKUP,
  PROP_PUBLIC_IP_URL,
  PROP_TUNNEL_ENABLED,
  PROP_TUNNEL_PROXY_HOST,
  PROP_TUNNEL_PROXY_PORT,
  PROP_TUNNEL_TLS,
  PROP_TUNNEL_VERIFY_TLS,
  /* Per service, in UmtTunnelService order: enabled, then port. */
  PROP_TUNNEL_SSH,
  PROP_TUNNEL_SSH_PORT,
  PROP_TUNNEL_HTTP,
  PROP_TUNNEL_HTTP_PORT,
  PROP_TUNNEL_VNC,
  PROP_TUNNEL_VNC_PORT,
  PROP_TUNNEL_RELAY_PORTS,
  N_PROPS
};

#define SERVICE_PROP(service)      (PROP_TUNNEL_SSH + 2 * (service))
#define SERVICE_PORT_PROP(service) (PROP_TUNNEL_SSH_PORT + 2 * (service))

/* The JSON key of a property: umt_profile_list_keys() is in property order,
 * starting at PROP_BASE_URL. */
#define PROFILE_KEY(prop_id)       (umt_profile_list_keys ()[(prop_id) - PROP_BASE_URL])

/* Set the field and notify @prop_id, when the value changes. */
void     umt_profile_replace_string     (UmtProfile  *self,
                                         char       **field,
                                         const char  *value,
                                         guint        prop_id);
void     umt_profile_replace_uint       (UmtProfile  *self,
                                         guint       *field,
                                         guint        value,
                                         guint        prop_id);

/* The text of `umt profile set` values, with its messages. */
gboolean umt_profile_parse_boolean      (const char  *key,
                                         const char  *value,
                                         gboolean    *result,
                                         GError     **error);
gboolean umt_profile_parse_number       (const char  *key,
                                         const char  *value,
                                         guint       *result,
                                         GError     **error);
void     umt_profile_set_unknown_key_error (const char  *key,
                                         GError     **error);

/* umt-profile-tunnel.c */

/* umt_profile_set_value() for the keys starting with "tunnel_". */
gboolean umt_profile_set_tunnel_value   (UmtProfile  *self,
                                         const char  *key,
                                         const char  *value,
                                         GError     **error);
/* Adds the tunnel members to @object, as umt_profile_to_json() writes them. */
void     umt_profile_add_tunnel_json    (UmtProfile  *self,
                                         JsonObject  *object);

G_END_DECLS
