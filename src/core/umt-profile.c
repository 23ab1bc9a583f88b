/* umt-profile.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-profile"

#include "config.h"

#include <string.h>

#include "umt-config-error.h"
#include "umt-profile.h"
#include "umt-validate.h"

#define TIMEOUT_MAX 300
#define RETRIES_MAX 10
#define PORT_MAX    65535

static const guint default_service_ports[UMT_TUNNEL_N_SERVICES] = { 22, 80, 5900 };

struct _UmtProfile
{
  GObject parent_instance;

  char     *name;
  char     *base_url;
  guint     timeout;
  guint     retries;
  gboolean  verify_tls;
  guint     heartbeat_interval;
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

G_DEFINE_FINAL_TYPE (UmtProfile, umt_profile, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_BASE_URL,
  PROP_TIMEOUT,
  PROP_RETRIES,
  PROP_VERIFY_TLS,
  PROP_HEARTBEAT_INTERVAL,
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

static GParamSpec *properties[N_PROPS];

/* In the order of the enum above, starting at PROP_BASE_URL. */
static const char * const settable_keys[] = {
  "base_url", "timeout", "retries", "verify_tls", "heartbeat_interval", "note",
  "allow_insecure_http", "cluster_ip", "public_ip_lookup", "public_ip_url",
  "tunnel_enabled", "tunnel_proxy_host", "tunnel_proxy_port", "tunnel_tls", "tunnel_verify_tls",
  "tunnel_ssh", "tunnel_ssh_port", "tunnel_http", "tunnel_http_port", "tunnel_vnc",
  "tunnel_vnc_port", "tunnel_relay_ports", NULL
};

#define SERVICE_PROP(service)      (PROP_TUNNEL_SSH + 2 * (service))
#define SERVICE_PORT_PROP(service) (PROP_TUNNEL_SSH_PORT + 2 * (service))

static void
umt_profile_finalize (GObject *object)
{
  UmtProfile *self = UMT_PROFILE (object);

  g_free (self->name);
  g_free (self->base_url);
  g_free (self->note);
  g_free (self->cluster_ip);
  g_free (self->public_ip_url);
  g_free (self->tunnel_proxy_host);
  g_free (self->tunnel_relay_ports);

  G_OBJECT_CLASS (umt_profile_parent_class)->finalize (object);
}

static void
umt_profile_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  UmtProfile *self = UMT_PROFILE (object);

  switch (prop_id)
    {
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_BASE_URL: g_value_set_string (value, self->base_url); break;
    case PROP_TIMEOUT: g_value_set_uint (value, self->timeout); break;
    case PROP_RETRIES: g_value_set_uint (value, self->retries); break;
    case PROP_VERIFY_TLS: g_value_set_boolean (value, self->verify_tls); break;
    case PROP_HEARTBEAT_INTERVAL: g_value_set_uint (value, self->heartbeat_interval); break;
    case PROP_NOTE: g_value_set_string (value, self->note); break;
    case PROP_ALLOW_INSECURE_HTTP: g_value_set_boolean (value, self->allow_insecure_http); break;
    case PROP_CLUSTER_IP: g_value_set_string (value, self->cluster_ip); break;
    case PROP_PUBLIC_IP_LOOKUP: g_value_set_boolean (value, self->public_ip_lookup); break;
    case PROP_PUBLIC_IP_URL: g_value_set_string (value, self->public_ip_url); break;
    case PROP_TUNNEL_ENABLED: g_value_set_boolean (value, self->tunnel_enabled); break;
    case PROP_TUNNEL_PROXY_HOST: g_value_set_string (value, self->tunnel_proxy_host); break;
    case PROP_TUNNEL_PROXY_PORT: g_value_set_uint (value, self->tunnel_proxy_port); break;
    case PROP_TUNNEL_TLS: g_value_set_boolean (value, self->tunnel_tls); break;
    case PROP_TUNNEL_VERIFY_TLS: g_value_set_boolean (value, self->tunnel_verify_tls); break;
    case PROP_TUNNEL_SSH: case PROP_TUNNEL_HTTP: case PROP_TUNNEL_VNC:
      g_value_set_boolean (value, self->service_enabled[(prop_id - PROP_TUNNEL_SSH) / 2]);
      break;
    case PROP_TUNNEL_SSH_PORT: case PROP_TUNNEL_HTTP_PORT: case PROP_TUNNEL_VNC_PORT:
      g_value_set_uint (value, self->service_port[(prop_id - PROP_TUNNEL_SSH) / 2]);
      break;
    case PROP_TUNNEL_RELAY_PORTS: g_value_set_string (value, self->tunnel_relay_ports); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
umt_profile_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  UmtProfile *self = UMT_PROFILE (object);

  /* Bindings from the interface go through the checked setters; a value
   * they refuse is simply not taken (the interface validates first). */
  switch (prop_id)
    {
    case PROP_NAME: self->name = g_value_dup_string (value); break;
    case PROP_BASE_URL: umt_profile_set_base_url (self, g_value_get_string (value), NULL); break;
    case PROP_TIMEOUT: umt_profile_set_timeout (self, g_value_get_uint (value), NULL); break;
    case PROP_RETRIES: umt_profile_set_retries (self, g_value_get_uint (value), NULL); break;
    case PROP_VERIFY_TLS: umt_profile_set_verify_tls (self, g_value_get_boolean (value)); break;
    case PROP_HEARTBEAT_INTERVAL: umt_profile_set_heartbeat_interval (self, g_value_get_uint (value), NULL); break;
    case PROP_NOTE: umt_profile_set_note (self, g_value_get_string (value), NULL); break;
    case PROP_ALLOW_INSECURE_HTTP: umt_profile_set_allow_insecure_http (self, g_value_get_boolean (value), NULL); break;
    case PROP_CLUSTER_IP: umt_profile_set_cluster_ip (self, g_value_get_string (value), NULL); break;
    case PROP_PUBLIC_IP_LOOKUP: umt_profile_set_public_ip_lookup (self, g_value_get_boolean (value)); break;
    case PROP_PUBLIC_IP_URL: umt_profile_set_public_ip_url (self, g_value_get_string (value), NULL); break;
    case PROP_TUNNEL_ENABLED: umt_profile_set_tunnel_enabled (self, g_value_get_boolean (value)); break;
    case PROP_TUNNEL_PROXY_HOST: umt_profile_set_tunnel_proxy_host (self, g_value_get_string (value), NULL); break;
    case PROP_TUNNEL_PROXY_PORT: umt_profile_set_tunnel_proxy_port (self, g_value_get_uint (value), NULL); break;
    case PROP_TUNNEL_TLS: umt_profile_set_tunnel_tls (self, g_value_get_boolean (value)); break;
    case PROP_TUNNEL_VERIFY_TLS: umt_profile_set_tunnel_verify_tls (self, g_value_get_boolean (value)); break;
    case PROP_TUNNEL_SSH: case PROP_TUNNEL_HTTP: case PROP_TUNNEL_VNC:
      umt_profile_set_tunnel_service_enabled (self, (prop_id - PROP_TUNNEL_SSH) / 2,
                                              g_value_get_boolean (value));
      break;
    case PROP_TUNNEL_SSH_PORT: case PROP_TUNNEL_HTTP_PORT: case PROP_TUNNEL_VNC_PORT:
      umt_profile_set_tunnel_service_port (self, (prop_id - PROP_TUNNEL_SSH) / 2,
                                           g_value_get_uint (value), NULL);
      break;
    case PROP_TUNNEL_RELAY_PORTS: umt_profile_set_tunnel_relay_ports (self, g_value_get_string (value), NULL); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
umt_profile_class_init (UmtProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = umt_profile_finalize;
  object_class->get_property = umt_profile_get_property;
  object_class->set_property = umt_profile_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BASE_URL] = g_param_spec_string ("base-url", NULL, NULL, NULL, rw);
  properties[PROP_TIMEOUT] = g_param_spec_uint ("timeout", NULL, NULL, 1, TIMEOUT_MAX,
                                                UMT_PROFILE_DEFAULT_TIMEOUT, rw);
  properties[PROP_RETRIES] = g_param_spec_uint ("retries", NULL, NULL, 0, RETRIES_MAX,
                                                UMT_PROFILE_DEFAULT_RETRIES, rw);
  properties[PROP_VERIFY_TLS] = g_param_spec_boolean ("verify-tls", NULL, NULL, TRUE, rw);
  properties[PROP_HEARTBEAT_INTERVAL] = g_param_spec_uint ("heartbeat-interval", NULL, NULL, 15, 3600,
                                                           UMT_PROFILE_DEFAULT_INTERVAL, rw);
  properties[PROP_NOTE] = g_param_spec_string ("note", NULL, NULL, NULL, rw);
  properties[PROP_ALLOW_INSECURE_HTTP] = g_param_spec_boolean ("allow-insecure-http", NULL, NULL, FALSE, rw);
  properties[PROP_CLUSTER_IP] = g_param_spec_string ("cluster-ip", NULL, NULL, NULL, rw);
  properties[PROP_PUBLIC_IP_LOOKUP] = g_param_spec_boolean ("public-ip-lookup", NULL, NULL, TRUE, rw);
  properties[PROP_PUBLIC_IP_URL] = g_param_spec_string ("public-ip-url", NULL, NULL, NULL, rw);
  properties[PROP_TUNNEL_ENABLED] = g_param_spec_boolean ("tunnel-enabled", NULL, NULL, FALSE, rw);
  properties[PROP_TUNNEL_PROXY_HOST] = g_param_spec_string ("tunnel-proxy-host", NULL, NULL, NULL, rw);
  properties[PROP_TUNNEL_PROXY_PORT] = g_param_spec_uint ("tunnel-proxy-port", NULL, NULL, 1, PORT_MAX,
                                                          UMT_PROFILE_DEFAULT_TUNNEL_PORT, rw);
  properties[PROP_TUNNEL_TLS] = g_param_spec_boolean ("tunnel-tls", NULL, NULL, FALSE, rw);
  properties[PROP_TUNNEL_VERIFY_TLS] = g_param_spec_boolean ("tunnel-verify-tls", NULL, NULL, TRUE, rw);
  for (guint service = 0; service < UMT_TUNNEL_N_SERVICES; service++)
    {
      /* Static strings: the names are spelled out, not built. */
      static const char * const names[UMT_TUNNEL_N_SERVICES][2] = {
        { "tunnel-ssh", "tunnel-ssh-port" },
        { "tunnel-http", "tunnel-http-port" },
        { "tunnel-vnc", "tunnel-vnc-port" },
      };

      properties[SERVICE_PROP (service)] =
        g_param_spec_boolean (names[service][0], NULL, NULL, service == UMT_TUNNEL_SERVICE_SSH, rw);
      properties[SERVICE_PORT_PROP (service)] =
        g_param_spec_uint (names[service][1], NULL, NULL, 1, PORT_MAX,
                           default_service_ports[service], rw);
    }
  properties[PROP_TUNNEL_RELAY_PORTS] = g_param_spec_string ("tunnel-relay-ports", NULL, NULL, "", rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
umt_profile_init (UmtProfile *self)
{
  self->base_url = g_strdup (UMT_PROFILE_DEFAULT_URL);
  self->timeout = UMT_PROFILE_DEFAULT_TIMEOUT;
  self->retries = UMT_PROFILE_DEFAULT_RETRIES;
  self->verify_tls = TRUE;
  self->heartbeat_interval = UMT_PROFILE_DEFAULT_INTERVAL;
  self->public_ip_lookup = TRUE;
  self->tunnel_proxy_port = UMT_PROFILE_DEFAULT_TUNNEL_PORT;
  self->tunnel_verify_tls = TRUE;
  for (guint service = 0; service < UMT_TUNNEL_N_SERVICES; service++)
    self->service_port[service] = default_service_ports[service];
  self->service_enabled[UMT_TUNNEL_SERVICE_SSH] = TRUE;
  self->tunnel_relay_ports = g_strdup ("");
}

static void
replace_string (UmtProfile *self,
                char      **field,
                const char *value,
                guint       prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
replace_uint (UmtProfile *self,
              guint      *field,
              guint       value,
              guint       prop_id)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

UmtProfile *
umt_profile_new (const char  *name,
                 const char  *base_url,
                 GError     **error)
{
  g_autoptr(UmtProfile) self = NULL;

  if (!umt_validate_profile_name (name, error))
    return NULL;
  self = g_object_new (UMT_TYPE_PROFILE, "name", name, NULL);
  if (base_url != NULL && !umt_profile_set_base_url (self, base_url, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
umt_profile_set_base_url (UmtProfile  *self,
                          const char  *base_url,
                          GError     **error)
{
  g_autofree char *trimmed = NULL;
  gsize len;

  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);

  if (!umt_validate_server_url (base_url, self->allow_insecure_http, error))
    return FALSE;
  /* "https://host/" and "https://host" are the same server; keep one form
   * so paths are joined the same way everywhere. */
  trimmed = g_strdup (base_url);
  len = strlen (trimmed);
  while (len > 0 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';
  replace_string (self, &self->base_url, trimmed, PROP_BASE_URL);
  return TRUE;
}

gboolean
umt_profile_set_timeout (UmtProfile  *self,
                         guint        timeout,
                         GError     **error)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);

  if (timeout < 1 || timeout > TIMEOUT_MAX)
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   "The timeout must be between 1 and %d seconds.", TIMEOUT_MAX);
      return FALSE;
    }
  replace_uint (self, &self->timeout, timeout, PROP_TIMEOUT);
  return TRUE;
}

gboolean
umt_profile_set_retries (UmtProfile  *self,
                         guint        retries,
                         GError     **error)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);

  if (retries > RETRIES_MAX)
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   "The number of retries must be between 0 and %d.", RETRIES_MAX);
      return FALSE;
    }
  replace_uint (self, &self->retries, retries, PROP_RETRIES);
  return TRUE;
}

void
umt_profile_set_verify_tls (UmtProfile *self,
                            gboolean    verify_tls)
{
  g_return_if_fail (UMT_IS_PROFILE (self));
  replace_uint (self, (guint *) &self->verify_tls, !!verify_tls, PROP_VERIFY_TLS);
}

gboolean
umt_profile_set_heartbeat_interval (UmtProfile  *self,
                                    guint        seconds,
                                    GError     **error)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);

  if (!umt_validate_heartbeat_interval (seconds, error))
    return FALSE;
  replace_uint (self, &self->heartbeat_interval, seconds, PROP_HEARTBEAT_INTERVAL);
  return TRUE;
}

gboolean
umt_profile_set_note (UmtProfile  *self,
                      const char  *note,
                      GError     **error)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);

  if (note != NULL && *note == '\0')
    note = NULL;
  if (note != NULL && !umt_validate_note (note, error))
    return FALSE;
  replace_string (self, &self->note, note, PROP_NOTE);
  return TRUE;
}

gboolean
umt_profile_set_allow_insecure_http (UmtProfile  *self,
                                     gboolean     allow,
                                     GError     **error)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);

  /* Switching it off must not leave a URL the profile no longer accepts. */
  if (!allow && self->base_url != NULL && !umt_validate_server_url (self->base_url, FALSE, error))
    return FALSE;
  replace_uint (self, (guint *) &self->allow_insecure_http, !!allow, PROP_ALLOW_INSECURE_HTTP);
  return TRUE;
}

gboolean
umt_profile_set_cluster_ip (UmtProfile  *self,
                            const char  *cluster_ip,
                            GError     **error)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);

  if (cluster_ip != NULL && *cluster_ip == '\0')
    cluster_ip = NULL;
  if (cluster_ip != NULL && !umt_validate_ip_address (cluster_ip, error))
    return FALSE;
  replace_string (self, &self->cluster_ip, cluster_ip, PROP_CLUSTER_IP);
  return TRUE;
}

void
umt_profile_set_public_ip_lookup (UmtProfile *self,
                                  gboolean    enabled)
{
  g_return_if_fail (UMT_IS_PROFILE (self));
  replace_uint (self, (guint *) &self->public_ip_lookup, !!enabled, PROP_PUBLIC_IP_LOOKUP);
}

gboolean
umt_profile_set_public_ip_url (UmtProfile  *self,
                               const char  *url,
                               GError     **error)
{
  g_autofree char *base = NULL;

  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);

  if (url != NULL && *url == '\0')
    url = NULL;
  if (url != NULL)
    {
      /* A lookup service may need a query (?format=json); the rest follows
       * the rule for servers: https, or http only to this computer. */
      base = g_strndup (url, strcspn (url, "?"));
      if (!umt_validate_server_url (base, FALSE, error))
        return FALSE;
    }
  replace_string (self, &self->public_ip_url, url, PROP_PUBLIC_IP_URL);
  return TRUE;
}

void
umt_profile_set_tunnel_enabled (UmtProfile *self,
                                gboolean    enabled)
{
  g_return_if_fail (UMT_IS_PROFILE (self));
  replace_uint (self, (guint *) &self->tunnel_enabled, !!enabled, PROP_TUNNEL_ENABLED);
}

gboolean
umt_profile_set_tunnel_proxy_host (UmtProfile  *self,
                                   const char  *host,
                                   GError     **error)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);

  if (host != NULL && *host == '\0')
    host = NULL;
  if (host != NULL && !umt_validate_host_name (host, error))
    return FALSE;
  replace_string (self, &self->tunnel_proxy_host, host, PROP_TUNNEL_PROXY_HOST);
  return TRUE;
}

static gboolean
check_port (guint        port,
            const char  *what,
            GError     **error)
{
  if (port < 1 || port > PORT_MAX)
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   "The %s must be between 1 and %d.", what, PORT_MAX);
      return FALSE;
    }
  return TRUE;
}

gboolean
umt_profile_set_tunnel_proxy_port (UmtProfile  *self,
                                   guint        port,
                                   GError     **error)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);

  if (!check_port (port, "tunnel proxy port", error))
    return FALSE;
  replace_uint (self, &self->tunnel_proxy_port, port, PROP_TUNNEL_PROXY_PORT);
  return TRUE;
}

void
umt_profile_set_tunnel_tls (UmtProfile *self,
                            gboolean    tls)
{
  g_return_if_fail (UMT_IS_PROFILE (self));
  replace_uint (self, (guint *) &self->tunnel_tls, !!tls, PROP_TUNNEL_TLS);
}

void
umt_profile_set_tunnel_verify_tls (UmtProfile *self,
                                   gboolean    verify_tls)
{
  g_return_if_fail (UMT_IS_PROFILE (self));
  replace_uint (self, (guint *) &self->tunnel_verify_tls, !!verify_tls, PROP_TUNNEL_VERIFY_TLS);
}

void
umt_profile_set_tunnel_service_enabled (UmtProfile       *self,
                                        UmtTunnelService  service,
                                        gboolean          enabled)
{
  g_return_if_fail (UMT_IS_PROFILE (self));
  g_return_if_fail (service < UMT_TUNNEL_N_SERVICES);
  replace_uint (self, (guint *) &self->service_enabled[service], !!enabled, SERVICE_PROP (service));
}

gboolean
umt_profile_set_tunnel_service_port (UmtProfile        *self,
                                     UmtTunnelService   service,
                                     guint              port,
                                     GError           **error)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (service < UMT_TUNNEL_N_SERVICES, FALSE);

  if (!check_port (port, "local port of a service", error))
    return FALSE;
  replace_uint (self, &self->service_port[service], port, SERVICE_PORT_PROP (service));
  return TRUE;
}

static int
compare_ports (gconstpointer a,
               gconstpointer b)
{
  return (int) *(const guint16 *) a - (int) *(const guint16 *) b;
}

/* Appends the ports of @text ("8080, 9000" or "") to @ports, checked. */
static gboolean
parse_ports (const char  *text,
             GArray      *ports,
             GError     **error)
{
  g_auto(GStrv) parts = g_strsplit_set (text, ", ", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint64 port;

      if (*parts[i] == '\0')
        continue;
      if (!g_ascii_string_to_unsigned (parts[i], 10, 1, PORT_MAX, &port, NULL))
        {
          g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                       "The relay ports must be port numbers between 1 and %d, separated "
                       "by commas; “%s” is not one.", PORT_MAX, parts[i]);
          return FALSE;
        }
      g_array_append_val (ports, (guint16) { port });
    }
  return TRUE;
}

/* Sorted, each port once. */
static void
sort_unique_ports (GArray *ports)
{
  guint kept = 0;

  g_array_sort (ports, compare_ports);
  for (guint i = 0; i < ports->len; i++)
    if (kept == 0 || g_array_index (ports, guint16, kept - 1) != g_array_index (ports, guint16, i))
      g_array_index (ports, guint16, kept++) = g_array_index (ports, guint16, i);
  g_array_set_size (ports, kept);
}

gboolean
umt_profile_set_tunnel_relay_ports (UmtProfile  *self,
                                    const char  *ports,
                                    GError     **error)
{
  g_autoptr(GArray) parsed = g_array_new (FALSE, FALSE, sizeof (guint16));
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);

  if (!parse_ports (ports != NULL ? ports : "", parsed, error))
    return FALSE;
  sort_unique_ports (parsed);
  if (parsed->len > UMT_PROFILE_MAX_RELAY_PORTS)
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   "At most %d relay ports can be exposed.", UMT_PROFILE_MAX_RELAY_PORTS);
      return FALSE;
    }
  for (guint i = 0; i < parsed->len; i++)
    g_string_append_printf (text, "%s%u", i > 0 ? "," : "", g_array_index (parsed, guint16, i));
  replace_string (self, &self->tunnel_relay_ports, text->str, PROP_TUNNEL_RELAY_PORTS);
  return TRUE;
}

static gboolean
parse_boolean (const char  *key,
               const char  *value,
               gboolean    *result,
               GError     **error)
{
  if (g_strcmp0 (value, "true") == 0 || g_strcmp0 (value, "yes") == 0 || g_strcmp0 (value, "1") == 0)
    *result = TRUE;
  else if (g_strcmp0 (value, "false") == 0 || g_strcmp0 (value, "no") == 0 || g_strcmp0 (value, "0") == 0)
    *result = FALSE;
  else
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   "The value of %s must be true or false.", key);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_number (const char  *key,
              const char  *value,
              guint       *result,
              GError     **error)
{
  guint64 number;

  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &number, NULL))
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   "The value of %s must be a whole number.", key);
      return FALSE;
    }
  *result = number;
  return TRUE;
}

gboolean
umt_profile_set_value (UmtProfile  *self,
                       const char  *key,
                       const char  *value,
                       GError     **error)
{
  gboolean flag;
  guint number;

  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (g_strcmp0 (key, "base_url") == 0)
    return umt_profile_set_base_url (self, value, error);
  if (g_strcmp0 (key, "timeout") == 0)
    return parse_number (key, value, &number, error) && umt_profile_set_timeout (self, number, error);
  if (g_strcmp0 (key, "retries") == 0)
    return parse_number (key, value, &number, error) && umt_profile_set_retries (self, number, error);
  if (g_strcmp0 (key, "heartbeat_interval") == 0)
    return parse_number (key, value, &number, error) &&
           umt_profile_set_heartbeat_interval (self, number, error);
  if (g_strcmp0 (key, "verify_tls") == 0)
    {
      if (!parse_boolean (key, value, &flag, error))
        return FALSE;
      umt_profile_set_verify_tls (self, flag);
      return TRUE;
    }
  if (g_strcmp0 (key, "public_ip_lookup") == 0)
    {
      if (!parse_boolean (key, value, &flag, error))
        return FALSE;
      umt_profile_set_public_ip_lookup (self, flag);
      return TRUE;
    }
  if (g_strcmp0 (key, "allow_insecure_http") == 0)
    return parse_boolean (key, value, &flag, error) &&
           umt_profile_set_allow_insecure_http (self, flag, error);
  if (g_strcmp0 (key, "note") == 0)
    return umt_profile_set_note (self, value, error);
  if (g_strcmp0 (key, "cluster_ip") == 0)
    return umt_profile_set_cluster_ip (self, value, error);
  if (g_strcmp0 (key, "public_ip_url") == 0)
    return umt_profile_set_public_ip_url (self, value, error);
  if (g_strcmp0 (key, "tunnel_proxy_host") == 0)
    return umt_profile_set_tunnel_proxy_host (self, value, error);
  if (g_strcmp0 (key, "tunnel_proxy_port") == 0)
    return parse_number (key, value, &number, error) &&
           umt_profile_set_tunnel_proxy_port (self, number, error);
  if (g_strcmp0 (key, "tunnel_relay_ports") == 0)
    return umt_profile_set_tunnel_relay_ports (self, value, error);
  for (guint service = 0; service < UMT_TUNNEL_N_SERVICES; service++)
    {
      if (g_strcmp0 (key, settable_keys[SERVICE_PROP (service) - PROP_BASE_URL]) == 0)
        {
          if (!parse_boolean (key, value, &flag, error))
            return FALSE;
          umt_profile_set_tunnel_service_enabled (self, service, flag);
          return TRUE;
        }
      if (g_strcmp0 (key, settable_keys[SERVICE_PORT_PROP (service) - PROP_BASE_URL]) == 0)
        return parse_number (key, value, &number, error) &&
               umt_profile_set_tunnel_service_port (self, service, number, error);
    }
  if (g_strcmp0 (key, "tunnel_enabled") == 0 || g_strcmp0 (key, "tunnel_tls") == 0 ||
      g_strcmp0 (key, "tunnel_verify_tls") == 0)
    {
      if (!parse_boolean (key, value, &flag, error))
        return FALSE;
      if (g_str_equal (key, "tunnel_enabled"))
        umt_profile_set_tunnel_enabled (self, flag);
      else if (g_str_equal (key, "tunnel_tls"))
        umt_profile_set_tunnel_tls (self, flag);
      else
        umt_profile_set_tunnel_verify_tls (self, flag);
      return TRUE;
    }

  {
    g_autofree char *keys = g_strjoinv (", ", (char **) settable_keys);
    g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                 "Unknown profile setting “%s”; use one of %s.", key != NULL ? key : "", keys);
  }
  return FALSE;
}

const char * const *
umt_profile_list_keys (void)
{
  return settable_keys;
}

/* The file is edited by hand sometimes: read each member by its JSON type
 * and turn it into the text umt_profile_set_value() checks, so the same
 * rules and messages apply to the file and to the command line. */
static char *
member_as_text (JsonNode *node)
{
  /* Lists of ports: "8080,9000", as typed on the command line. */
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_INT64)
            return NULL;
          g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                                  json_node_get_int (element));
        }
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  if (!JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING: return g_strdup (json_node_get_string (node));
    case G_TYPE_BOOLEAN: return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    case G_TYPE_INT64: return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    default: return NULL;
    }
}

UmtProfile *
umt_profile_new_from_json (JsonObject  *object,
                           GError     **error)
{
  g_autoptr(UmtProfile) self = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *name_node = json_object_get_member (object, "name");
  g_autofree char *name = name_node != NULL ? member_as_text (name_node) : NULL;

  if (!umt_validate_profile_name (name, error))
    return NULL;
  self = g_object_new (UMT_TYPE_PROFILE, "name", name, NULL);

  /* allow_insecure_http first: it decides whether base_url is acceptable. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; settable_keys[i] != NULL; i++)
      {
        const char *key = settable_keys[i];
        JsonNode *node = json_object_get_member (object, key);
        g_autofree char *text = NULL;

        if (node == NULL || JSON_NODE_HOLDS_NULL (node) ||
            (pass == 0) != (g_strcmp0 (key, "allow_insecure_http") == 0))
          continue;
        text = member_as_text (node);
        if (text == NULL || !umt_profile_set_value (self, key, text, &local_error))
          {
            g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                         "Profile “%s”: %s", name,
                         local_error != NULL ? local_error->message : "a setting has the wrong type.");
            return NULL;
          }
      }
  return g_steal_pointer (&self);
}

JsonObject *
umt_profile_to_json (UmtProfile *self)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "name", self->name);
  json_object_set_string_member (object, "base_url", self->base_url);
  json_object_set_int_member (object, "timeout", self->timeout);
  json_object_set_int_member (object, "retries", self->retries);
  json_object_set_boolean_member (object, "verify_tls", self->verify_tls);
  json_object_set_int_member (object, "heartbeat_interval", self->heartbeat_interval);
  if (self->note != NULL)
    json_object_set_string_member (object, "note", self->note);
  json_object_set_boolean_member (object, "allow_insecure_http", self->allow_insecure_http);
  if (self->cluster_ip != NULL)
    json_object_set_string_member (object, "cluster_ip", self->cluster_ip);
  json_object_set_boolean_member (object, "public_ip_lookup", self->public_ip_lookup);
  if (self->public_ip_url != NULL)
    json_object_set_string_member (object, "public_ip_url", self->public_ip_url);

  json_object_set_boolean_member (object, "tunnel_enabled", self->tunnel_enabled);
  if (self->tunnel_proxy_host != NULL)
    json_object_set_string_member (object, "tunnel_proxy_host", self->tunnel_proxy_host);
  json_object_set_int_member (object, "tunnel_proxy_port", self->tunnel_proxy_port);
  json_object_set_boolean_member (object, "tunnel_tls", self->tunnel_tls);
  json_object_set_boolean_member (object, "tunnel_verify_tls", self->tunnel_verify_tls);
  for (guint service = 0; service < UMT_TUNNEL_N_SERVICES; service++)
    {
      json_object_set_boolean_member (object, settable_keys[SERVICE_PROP (service) - PROP_BASE_URL],
                                      self->service_enabled[service]);
      json_object_set_int_member (object, settable_keys[SERVICE_PORT_PROP (service) - PROP_BASE_URL],
                                  self->service_port[service]);
    }
  {
    g_autoptr(GArray) relay = g_array_new (FALSE, FALSE, sizeof (guint16));
    JsonArray *array = json_array_new ();

    parse_ports (self->tunnel_relay_ports, relay, NULL);
    for (guint i = 0; i < relay->len; i++)
      json_array_add_int_element (array, g_array_index (relay, guint16, i));
    json_object_set_array_member (object, "tunnel_relay_ports", array);
  }
  return object;
}

const char *
umt_profile_get_name (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), NULL);
  return self->name;
}

const char *
umt_profile_get_base_url (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), NULL);
  return self->base_url;
}

guint
umt_profile_get_timeout (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), 0);
  return self->timeout;
}

guint
umt_profile_get_retries (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), 0);
  return self->retries;
}

gboolean
umt_profile_get_verify_tls (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), TRUE);
  return self->verify_tls;
}

guint
umt_profile_get_heartbeat_interval (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), 0);
  return self->heartbeat_interval;
}

const char *
umt_profile_get_note (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), NULL);
  return self->note;
}

gboolean
umt_profile_get_allow_insecure_http (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);
  return self->allow_insecure_http;
}

const char *
umt_profile_get_cluster_ip (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), NULL);
  return self->cluster_ip;
}

gboolean
umt_profile_get_public_ip_lookup (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);
  return self->public_ip_lookup;
}

const char *
umt_profile_get_public_ip_url (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), NULL);
  return self->public_ip_url;
}

gboolean
umt_profile_get_tunnel_enabled (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);
  return self->tunnel_enabled;
}

const char *
umt_profile_get_tunnel_proxy_host (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), NULL);
  return self->tunnel_proxy_host;
}

char *
umt_profile_dup_tunnel_proxy_host_in_use (UmtProfile *self)
{
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (UMT_IS_PROFILE (self), NULL);

  if (self->tunnel_proxy_host != NULL)
    return g_strdup (self->tunnel_proxy_host);
  uri = g_uri_parse (self->base_url, G_URI_FLAGS_NONE, NULL);
  return g_strdup (uri != NULL ? g_uri_get_host (uri) : NULL);
}

guint
umt_profile_get_tunnel_proxy_port (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), UMT_PROFILE_DEFAULT_TUNNEL_PORT);
  return self->tunnel_proxy_port;
}

gboolean
umt_profile_get_tunnel_tls (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);
  return self->tunnel_tls;
}

gboolean
umt_profile_get_tunnel_verify_tls (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), TRUE);
  return self->tunnel_verify_tls;
}

gboolean
umt_profile_get_tunnel_service_enabled (UmtProfile       *self,
                                        UmtTunnelService  service)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (service < UMT_TUNNEL_N_SERVICES, FALSE);
  return self->service_enabled[service];
}

guint
umt_profile_get_tunnel_service_port (UmtProfile       *self,
                                     UmtTunnelService  service)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), 0);
  g_return_val_if_fail (service < UMT_TUNNEL_N_SERVICES, 0);
  return self->service_port[service];
}

const char *
umt_profile_get_tunnel_relay_ports (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), NULL);
  return self->tunnel_relay_ports;
}

GArray *
umt_profile_dup_tunnel_allowed_ports (UmtProfile *self)
{
  GArray *ports = g_array_new (FALSE, FALSE, sizeof (guint16));

  g_return_val_if_fail (UMT_IS_PROFILE (self), ports);

  for (guint service = 0; service < UMT_TUNNEL_N_SERVICES; service++)
    if (self->service_enabled[service])
      g_array_append_val (ports, (guint16) { self->service_port[service] });
  parse_ports (self->tunnel_relay_ports, ports, NULL);
  sort_unique_ports (ports);
  return ports;
}
