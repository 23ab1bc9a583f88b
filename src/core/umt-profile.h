/* umt-profile.h: one server profile (an entry of profiles.json)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define UMT_PROFILE_DEFAULT_NAME     "production"
#define UMT_PROFILE_DEFAULT_URL      "https://meeting.ygsoft.fr"
#define UMT_PROFILE_DEFAULT_TIMEOUT  20
#define UMT_PROFILE_DEFAULT_RETRIES  3
#define UMT_PROFILE_DEFAULT_INTERVAL 60
#define UMT_PROFILE_DEFAULT_RECOVERY_INTERVAL 600
#define UMT_PROFILE_MAX_RECOVERY_INTERVAL     86400
#define UMT_PROFILE_DEFAULT_TUNNEL_PORT 9001
#define UMT_PROFILE_MAX_RELAY_PORTS  32

/* The services the tunnel can expose, each on a local port. */
typedef enum
{
  UMT_TUNNEL_SERVICE_SSH,  /* port 22, on by default */
  UMT_TUNNEL_SERVICE_HTTP, /* port 80 */
  UMT_TUNNEL_SERVICE_VNC,  /* port 5900 */
  UMT_TUNNEL_N_SERVICES
} UmtTunnelService;

/* A stream the proxy opens to @requested connects to the local @local. */
typedef struct
{
  guint16 requested;
  guint16 local;
} UmtTunnelPortMapping;

/* The port the Meeting server asks the agent for when an administrator opens @service:
 * 22, 80 or 5900, whatever port the service listens on here. */
guint umt_tunnel_service_get_server_port (UmtTunnelService service);

#define UMT_TYPE_PROFILE (umt_profile_get_type ())
G_DECLARE_FINAL_TYPE (UmtProfile, umt_profile, UMT, PROFILE, GObject)

/* Properties (all notify, matching the JSON keys with '-' for '_'):
 *   name                 construct-only, see umt_validate_profile_name()
 *   base-url             string, checked with allow-insecure-http
 *   timeout              seconds, 1–300 (20)
 *   retries              0–10 (3)
 *   verify-tls           TRUE
 *   heartbeat-interval   seconds, 15–3600 (60)
 *   recovery-interval    seconds between tries once the heartbeat stopped after
 *                        failures, 60–86400 or 0 for none (600)
 *   note                 at most 2000 characters; NULL = the default note
 *   allow-insecure-http  FALSE: plain http only to loopback
 *   cluster-ip           NULL or an IP address sent as cluster_ip
 *   public-ip-lookup     TRUE: ask public-ip-url for ip_public
 *   public-ip-url        NULL = https://api.ipify.org?format=json
 *   tunnel-enabled       FALSE
 *   tunnel-proxy-host    NULL = the host of base-url
 *   tunnel-proxy-port    1–65535 (9001)
 *   tunnel-tls           FALSE
 *   tunnel-verify-tls    TRUE
 *   tunnel-ssh, tunnel-http, tunnel-vnc
 *                        whether the service is exposed (ssh only by default)
 *   tunnel-ssh-port, tunnel-http-port, tunnel-vnc-port
 *                        the local port the service listens on, 1–65535 (22, 80,
 *                        5900); the server always asks for 22, 80 or 5900
 *   tunnel-relay-ports   extra local ports, "8080,9000" (JSON: an array);
 *                        at most UMT_PROFILE_MAX_RELAY_PORTS, "" for none
 */

/* A profile with the defaults; fails on an invalid name or URL. */
UmtProfile *umt_profile_new                 (const char  *name,
                                             const char  *base_url,
                                             GError     **error);

/* From one element of "profiles": missing keys take the defaults, unknown
 * keys are ignored; a bad value is an UMT_CONFIG_ERROR_INVALID_INPUT. */
UmtProfile *umt_profile_new_from_json       (JsonObject  *object,
                                             GError     **error);
JsonObject *umt_profile_to_json             (UmtProfile  *self);

/* Gives @self each setting of @source that differs from @base (the JSON of
 * the same profile as it was, NULL: from @self), notifying what changes:
 * how one side's edits are laid over the other's. Stops at the first value
 * @self refuses (only a URL that needs allow_insecure_http can be). */
gboolean    umt_profile_apply_changes       (UmtProfile  *self,
                                             JsonObject  *base,
                                             UmtProfile  *source,
                                             GError     **error);

/* What `umt profile set NAME KEY VALUE` does: @key is a JSON key
 * ("base_url", "timeout", "retries", "verify_tls", "heartbeat_interval", "recovery_interval",
 * "note", "allow_insecure_http", "cluster_ip", "public_ip_lookup",
 * "public_ip_url", "tunnel_enabled", "tunnel_proxy_host", "tunnel_proxy_port",
 * "tunnel_tls", "tunnel_verify_tls", "tunnel_ssh", "tunnel_ssh_port",
 * "tunnel_http", "tunnel_http_port", "tunnel_vnc", "tunnel_vnc_port",
 * "tunnel_relay_ports"), @value its text ("true"/"false" for booleans, "" to
 * reset note/cluster_ip/public_ip_url/tunnel_proxy_host/tunnel_relay_ports,
 * ports separated by commas). Checked; nothing changes on error. */
gboolean    umt_profile_set_value           (UmtProfile  *self,
                                             const char  *key,
                                             const char  *value,
                                             GError     **error);
/* The keys umt_profile_set_value() accepts, NULL-terminated. */
const char * const *umt_profile_list_keys   (void);

const char *umt_profile_get_name            (UmtProfile  *self);
const char *umt_profile_get_base_url        (UmtProfile  *self);
guint       umt_profile_get_timeout         (UmtProfile  *self);
guint       umt_profile_get_retries         (UmtProfile  *self);
gboolean    umt_profile_get_verify_tls      (UmtProfile  *self);
guint       umt_profile_get_heartbeat_interval (UmtProfile *self);
guint       umt_profile_get_recovery_interval (UmtProfile *self);
const char *umt_profile_get_note            (UmtProfile  *self);
gboolean    umt_profile_get_allow_insecure_http (UmtProfile *self);
const char *umt_profile_get_cluster_ip      (UmtProfile  *self);
gboolean    umt_profile_get_public_ip_lookup (UmtProfile *self);
const char *umt_profile_get_public_ip_url   (UmtProfile  *self);
gboolean    umt_profile_get_tunnel_enabled  (UmtProfile  *self);
/* The setting itself: NULL when the proxy is the server's host. */
const char *umt_profile_get_tunnel_proxy_host (UmtProfile *self);
/* The host the agent connects to: the setting, else the host of @server_url, the
 * server in use (MEETING_SERVER_URL or `--server` may override base-url), else the
 * host of base-url when @server_url is NULL. */
char       *umt_profile_dup_tunnel_proxy_host_in_use (UmtProfile *self,
                                                      const char *server_url);
guint       umt_profile_get_tunnel_proxy_port (UmtProfile *self);
gboolean    umt_profile_get_tunnel_tls      (UmtProfile  *self);
gboolean    umt_profile_get_tunnel_verify_tls (UmtProfile *self);
gboolean    umt_profile_get_tunnel_service_enabled (UmtProfile      *self,
                                             UmtTunnelService service);
guint       umt_profile_get_tunnel_service_port (UmtProfile         *self,
                                             UmtTunnelService service);
/* "8080,9000", or "" */
const char *umt_profile_get_tunnel_relay_ports (UmtProfile *self);
/* What the agent may connect to (UmtTunnelPortMapping elements, sorted by requested
 * port, each once): the server port of each enabled service to its local port, and each
 * relay port to itself. A service wins over a relay port of the same number. */
GArray     *umt_profile_dup_tunnel_port_map (UmtProfile *self);

/* Typed setters, checked like umt_profile_set_value(). */
gboolean    umt_profile_set_base_url        (UmtProfile  *self,
                                             const char  *base_url,
                                             GError     **error);
gboolean    umt_profile_set_timeout         (UmtProfile  *self,
                                             guint        timeout,
                                             GError     **error);
gboolean    umt_profile_set_retries         (UmtProfile  *self,
                                             guint        retries,
                                             GError     **error);
void        umt_profile_set_verify_tls      (UmtProfile  *self,
                                             gboolean     verify_tls);
gboolean    umt_profile_set_heartbeat_interval (UmtProfile *self,
                                             guint        seconds,
                                             GError     **error);
gboolean    umt_profile_set_recovery_interval (UmtProfile *self,
                                             guint        seconds,
                                             GError     **error);
gboolean    umt_profile_set_note            (UmtProfile  *self,
                                             const char  *note,
                                             GError     **error);
gboolean    umt_profile_set_allow_insecure_http (UmtProfile *self,
                                             gboolean     allow,
                                             GError     **error);
gboolean    umt_profile_set_cluster_ip      (UmtProfile  *self,
                                             const char  *cluster_ip,
                                             GError     **error);
void        umt_profile_set_public_ip_lookup (UmtProfile *self,
                                             gboolean     enabled);
gboolean    umt_profile_set_public_ip_url   (UmtProfile  *self,
                                             const char  *url,
                                             GError     **error);
void        umt_profile_set_tunnel_enabled  (UmtProfile  *self,
                                             gboolean     enabled);
gboolean    umt_profile_set_tunnel_proxy_host (UmtProfile *self,
                                             const char  *host,
                                             GError     **error);
gboolean    umt_profile_set_tunnel_proxy_port (UmtProfile *self,
                                             guint        port,
                                             GError     **error);
void        umt_profile_set_tunnel_tls      (UmtProfile  *self,
                                             gboolean     tls);
void        umt_profile_set_tunnel_verify_tls (UmtProfile *self,
                                             gboolean     verify_tls);
void        umt_profile_set_tunnel_service_enabled (UmtProfile      *self,
                                             UmtTunnelService service,
                                             gboolean         enabled);
gboolean    umt_profile_set_tunnel_service_port (UmtProfile         *self,
                                             UmtTunnelService service,
                                             guint            port,
                                             GError         **error);
gboolean    umt_profile_set_tunnel_relay_ports (UmtProfile *self,
                                             const char  *ports,
                                             GError     **error);

G_END_DECLS
