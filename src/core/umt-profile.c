/* umt-profile.c: UmtProfile, its properties, the server and heartbeat settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-profile"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-profile-private.h"
#include "umt-validate.h"

#define TIMEOUT_MAX 300
#define RETRIES_MAX 10

static const guint default_service_ports[UMT_TUNNEL_N_SERVICES] = { 22, 80, 5900 };

G_DEFINE_FINAL_TYPE (UmtProfile, umt_profile, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

/* In property order, starting at PROP_BASE_URL. */
static const char * const settable_keys[] = {
  "base_url", "timeout", "retries", "verify_tls", "heartbeat_interval", "recovery_interval", "note",
  "allow_insecure_http", "cluster_ip", "public_ip_lookup", "public_ip_url",
  "tunnel_enabled", "tunnel_proxy_host", "tunnel_proxy_port", "tunnel_tls", "tunnel_verify_tls",
  "tunnel_ssh", "tunnel_ssh_port", "tunnel_http", "tunnel_http_port", "tunnel_vnc",
  "tunnel_vnc_port", "tunnel_relay_ports", NULL
};

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
    case PROP_RECOVERY_INTERVAL: g_value_set_uint (value, self->recovery_interval); break;
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
    case PROP_RECOVERY_INTERVAL: umt_profile_set_recovery_interval (self, g_value_get_uint (value), NULL); break;
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
  properties[PROP_RECOVERY_INTERVAL] =
    g_param_spec_uint ("recovery-interval", NULL, NULL, 0, UMT_PROFILE_MAX_RECOVERY_INTERVAL,
                       UMT_PROFILE_DEFAULT_RECOVERY_INTERVAL, rw);
  properties[PROP_NOTE] = g_param_spec_string ("note", NULL, NULL, NULL, rw);
  properties[PROP_ALLOW_INSECURE_HTTP] = g_param_spec_boolean ("allow-insecure-http", NULL, NULL, FALSE, rw);
  properties[PROP_CLUSTER_IP] = g_param_spec_string ("cluster-ip", NULL, NULL, NULL, rw);
  properties[PROP_PUBLIC_IP_LOOKUP] = g_param_spec_boolean ("public-ip-lookup", NULL, NULL, TRUE, rw);
  properties[PROP_PUBLIC_IP_URL] = g_param_spec_string ("public-ip-url", NULL, NULL, NULL, rw);
  properties[PROP_TUNNEL_ENABLED] = g_param_spec_boolean ("tunnel-enabled", NULL, NULL, FALSE, rw);
  properties[PROP_TUNNEL_PROXY_HOST] = g_param_spec_string ("tunnel-proxy-host", NULL, NULL, NULL, rw);
  properties[PROP_TUNNEL_PROXY_PORT] =
    g_param_spec_uint ("tunnel-proxy-port", NULL, NULL, 1, UMT_PROFILE_PORT_MAX,
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
        g_param_spec_uint (names[service][1], NULL, NULL, 1, UMT_PROFILE_PORT_MAX,
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
  self->recovery_interval = UMT_PROFILE_DEFAULT_RECOVERY_INTERVAL;
  self->public_ip_lookup = TRUE;
  self->tunnel_proxy_port = UMT_PROFILE_DEFAULT_TUNNEL_PORT;
  self->tunnel_verify_tls = TRUE;
  for (guint service = 0; service < UMT_TUNNEL_N_SERVICES; service++)
    self->service_port[service] = default_service_ports[service];
  self->service_enabled[UMT_TUNNEL_SERVICE_SSH] = TRUE;
  self->tunnel_relay_ports = g_strdup ("");
}

void
umt_profile_replace_string (UmtProfile  *self,
                            char       **field,
                            const char  *value,
                            guint        prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

void
umt_profile_replace_uint (UmtProfile *self,
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
  umt_profile_replace_string (self, &self->base_url, trimmed, PROP_BASE_URL);
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
                   _("The timeout must be between 1 and %d seconds."), TIMEOUT_MAX);
      return FALSE;
    }
  umt_profile_replace_uint (self, &self->timeout, timeout, PROP_TIMEOUT);
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
                   _("The number of retries must be between 0 and %d."), RETRIES_MAX);
      return FALSE;
    }
  umt_profile_replace_uint (self, &self->retries, retries, PROP_RETRIES);
  return TRUE;
}

void
umt_profile_set_verify_tls (UmtProfile *self,
                            gboolean    verify_tls)
{
  g_return_if_fail (UMT_IS_PROFILE (self));
  umt_profile_replace_uint (self, (guint *) &self->verify_tls, !!verify_tls, PROP_VERIFY_TLS);
}

gboolean
umt_profile_set_heartbeat_interval (UmtProfile  *self,
                                    guint        seconds,
                                    GError     **error)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);

  if (!umt_validate_heartbeat_interval (seconds, error))
    return FALSE;
  umt_profile_replace_uint (self, &self->heartbeat_interval, seconds, PROP_HEARTBEAT_INTERVAL);
  return TRUE;
}

gboolean
umt_profile_set_recovery_interval (UmtProfile  *self,
                                   guint        seconds,
                                   GError     **error)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);

  if (seconds != 0 && (seconds < 60 || seconds > UMT_PROFILE_MAX_RECOVERY_INTERVAL))
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   _("The recovery interval must be between 60 and %u seconds, or 0 for none."),
                   UMT_PROFILE_MAX_RECOVERY_INTERVAL);
      return FALSE;
    }
  umt_profile_replace_uint (self, &self->recovery_interval, seconds, PROP_RECOVERY_INTERVAL);
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
  umt_profile_replace_string (self, &self->note, note, PROP_NOTE);
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
  umt_profile_replace_uint (self, (guint *) &self->allow_insecure_http, !!allow,
                            PROP_ALLOW_INSECURE_HTTP);
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
  umt_profile_replace_string (self, &self->cluster_ip, cluster_ip, PROP_CLUSTER_IP);
  return TRUE;
}

void
umt_profile_set_public_ip_lookup (UmtProfile *self,
                                  gboolean    enabled)
{
  g_return_if_fail (UMT_IS_PROFILE (self));
  umt_profile_replace_uint (self, (guint *) &self->public_ip_lookup, !!enabled,
                            PROP_PUBLIC_IP_LOOKUP);
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
  umt_profile_replace_string (self, &self->public_ip_url, url, PROP_PUBLIC_IP_URL);
  return TRUE;
}

gboolean
umt_profile_parse_boolean (const char  *key,
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
                   _("The value of %s must be true or false."), key);
      return FALSE;
    }
  return TRUE;
}

gboolean
umt_profile_parse_number (const char  *key,
                          const char  *value,
                          guint       *result,
                          GError     **error)
{
  guint64 number;

  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &number, NULL))
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   _("The value of %s must be a whole number."), key);
      return FALSE;
    }
  *result = number;
  return TRUE;
}

void
umt_profile_set_unknown_key_error (const char  *key,
                                   GError     **error)
{
  g_autofree char *keys = g_strjoinv (", ", (char **) settable_keys);

  g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
               _("Unknown profile setting “%s”; use one of %s."), key != NULL ? key : "", keys);
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
    return umt_profile_parse_number (key, value, &number, error) &&
           umt_profile_set_timeout (self, number, error);
  if (g_strcmp0 (key, "retries") == 0)
    return umt_profile_parse_number (key, value, &number, error) &&
           umt_profile_set_retries (self, number, error);
  if (g_strcmp0 (key, "heartbeat_interval") == 0)
    return umt_profile_parse_number (key, value, &number, error) &&
           umt_profile_set_heartbeat_interval (self, number, error);
  if (g_strcmp0 (key, "recovery_interval") == 0)
    return umt_profile_parse_number (key, value, &number, error) &&
           umt_profile_set_recovery_interval (self, number, error);
  if (g_strcmp0 (key, "verify_tls") == 0)
    {
      if (!umt_profile_parse_boolean (key, value, &flag, error))
        return FALSE;
      umt_profile_set_verify_tls (self, flag);
      return TRUE;
    }
  if (g_strcmp0 (key, "public_ip_lookup") == 0)
    {
      if (!umt_profile_parse_boolean (key, value, &flag, error))
        return FALSE;
      umt_profile_set_public_ip_lookup (self, flag);
      return TRUE;
    }
  if (g_strcmp0 (key, "allow_insecure_http") == 0)
    return umt_profile_parse_boolean (key, value, &flag, error) &&
           umt_profile_set_allow_insecure_http (self, flag, error);
  if (g_strcmp0 (key, "note") == 0)
    return umt_profile_set_note (self, value, error);
  if (g_strcmp0 (key, "cluster_ip") == 0)
    return umt_profile_set_cluster_ip (self, value, error);
  if (g_strcmp0 (key, "public_ip_url") == 0)
    return umt_profile_set_public_ip_url (self, value, error);
  if (key != NULL && g_str_has_prefix (key, "tunnel_"))
    return umt_profile_set_tunnel_value (self, key, value, error);

  umt_profile_set_unknown_key_error (key, error);
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
                         _("Profile “%s”: %s"), name,
                         local_error != NULL ? local_error->message
                                             : _("a setting has the wrong type."));
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
  json_object_set_int_member (object, "recovery_interval", self->recovery_interval);
  if (self->note != NULL)
    json_object_set_string_member (object, "note", self->note);
  json_object_set_boolean_member (object, "allow_insecure_http", self->allow_insecure_http);
  if (self->cluster_ip != NULL)
    json_object_set_string_member (object, "cluster_ip", self->cluster_ip);
  json_object_set_boolean_member (object, "public_ip_lookup", self->public_ip_lookup);
  if (self->public_ip_url != NULL)
    json_object_set_string_member (object, "public_ip_url", self->public_ip_url);
  umt_profile_add_tunnel_json (self, object);
  return object;
}

/* One setting as umt_profile_set_value() takes it back: "" when absent. */
static char *
setting_as_text (JsonObject *object,
                 const char *key)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, key) : NULL;

  return node != NULL ? member_as_text (node) : g_strdup ("");
}

static gboolean
apply_setting (UmtProfile  *self,
               JsonObject  *mine,
               JsonObject  *base,
               JsonObject  *theirs,
               const char  *key,
               GError     **error)
{
  g_autofree char *value = setting_as_text (theirs, key);
  g_autofree char *was = setting_as_text (base, key);
  g_autofree char *current = setting_as_text (mine, key);

  if (g_strcmp0 (value, was) == 0 || g_strcmp0 (value, current) == 0)
    return TRUE;
  return umt_profile_set_value (self, key, value, error);
}

gboolean
umt_profile_apply_changes (UmtProfile  *self,
                           JsonObject  *base,
                           UmtProfile  *source,
                           GError     **error)
{
  g_autoptr(JsonObject) mine = NULL;
  g_autoptr(JsonObject) theirs = NULL;
  gboolean allow_first;

  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (UMT_IS_PROFILE (source), FALSE);

  mine = umt_profile_to_json (self);
  theirs = umt_profile_to_json (source);
  if (base == NULL)
    base = mine;

  /* Plain http becomes allowed before an http base_url is taken, and stops
   * being allowed only once an https one is in place. */
  allow_first = source->allow_insecure_http;
  if (allow_first && !apply_setting (self, mine, base, theirs, "allow_insecure_http", error))
    return FALSE;
  for (guint i = 0; settable_keys[i] != NULL; i++)
    if (g_strcmp0 (settable_keys[i], "allow_insecure_http") != 0 &&
        !apply_setting (self, mine, base, theirs, settable_keys[i], error))
      return FALSE;
  return allow_first || apply_setting (self, mine, base, theirs, "allow_insecure_http", error);
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
umt_profile_get_recovery_interval (UmtProfile *self)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), 0);
  return self->recovery_interval;
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

