/* umt-profile-tunnel.c: the tunnel settings of UmtProfile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-profile-tunnel"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-profile-private.h"
#include "umt-validate.h"

void
umt_profile_set_tunnel_enabled (UmtProfile *self,
                                gboolean    enabled)
{
  g_return_if_fail (UMT_IS_PROFILE (self));
  umt_profile_replace_uint (self, (guint *) &self->tunnel_enabled, !!enabled, PROP_TUNNEL_ENABLED);
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
  umt_profile_replace_string (self, &self->tunnel_proxy_host, host, PROP_TUNNEL_PROXY_HOST);
  return TRUE;
}

static gboolean
check_port (guint        port,
            const char  *what,
            GError     **error)
{
  if (port < 1 || port > UMT_PROFILE_PORT_MAX)
    {
      /* Translators: %s is “tunnel proxy port” or “local port of a service”. */
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   _("The %s must be between 1 and %d."), _(what), UMT_PROFILE_PORT_MAX);
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

  if (!check_port (port, N_("tunnel proxy port"), error))
    return FALSE;
  umt_profile_replace_uint (self, &self->tunnel_proxy_port, port, PROP_TUNNEL_PROXY_PORT);
  return TRUE;
}

void
umt_profile_set_tunnel_tls (UmtProfile *self,
                            gboolean    tls)
{
  g_return_if_fail (UMT_IS_PROFILE (self));
  umt_profile_replace_uint (self, (guint *) &self->tunnel_tls, !!tls, PROP_TUNNEL_TLS);
}

void
umt_profile_set_tunnel_verify_tls (UmtProfile *self,
                                   gboolean    verify_tls)
{
  g_return_if_fail (UMT_IS_PROFILE (self));
  umt_profile_replace_uint (self, (guint *) &self->tunnel_verify_tls, !!verify_tls,
                            PROP_TUNNEL_VERIFY_TLS);
}

void
umt_profile_set_tunnel_service_enabled (UmtProfile       *self,
                                        UmtTunnelService  service,
                                        gboolean          enabled)
{
  g_return_if_fail (UMT_IS_PROFILE (self));
  g_return_if_fail (service < UMT_TUNNEL_N_SERVICES);
  umt_profile_replace_uint (self, (guint *) &self->service_enabled[service], !!enabled,
                            SERVICE_PROP (service));
}

gboolean
umt_profile_set_tunnel_service_port (UmtProfile        *self,
                                     UmtTunnelService   service,
                                     guint              port,
                                     GError           **error)
{
  g_return_val_if_fail (UMT_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (service < UMT_TUNNEL_N_SERVICES, FALSE);

  if (!check_port (port, N_("local port of a service"), error))
    return FALSE;
  umt_profile_replace_uint (self, &self->service_port[service], port, SERVICE_PORT_PROP (service));
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
      if (!g_ascii_string_to_unsigned (parts[i], 10, 1, UMT_PROFILE_PORT_MAX, &port, NULL))
        {
          g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                       _("The relay ports must be port numbers between 1 and %d, separated "
                          "by commas; “%s” is not one."), UMT_PROFILE_PORT_MAX, parts[i]);
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
                   _("At most %d relay ports can be exposed."), UMT_PROFILE_MAX_RELAY_PORTS);
      return FALSE;
    }
  for (guint i = 0; i < parsed->len; i++)
    g_string_append_printf (text, "%s%u", i > 0 ? "," : "", g_array_index (parsed, guint16, i));
  umt_profile_replace_string (self, &self->tunnel_relay_ports, text->str, PROP_TUNNEL_RELAY_PORTS);
  return TRUE;
}

gboolean
umt_profile_set_tunnel_value (UmtProfile  *self,
                              const char  *key,
                              const char  *value,
                              GError     **error)
{
  gboolean flag;
  guint number;

  if (g_strcmp0 (key, "tunnel_proxy_host") == 0)
    return umt_profile_set_tunnel_proxy_host (self, value, error);
  if (g_strcmp0 (key, "tunnel_proxy_port") == 0)
    return umt_profile_parse_number (key, value, &number, error) &&
           umt_profile_set_tunnel_proxy_port (self, number, error);
  if (g_strcmp0 (key, "tunnel_relay_ports") == 0)
    return umt_profile_set_tunnel_relay_ports (self, value, error);
  for (guint service = 0; service < UMT_TUNNEL_N_SERVICES; service++)
    {
      if (g_strcmp0 (key, PROFILE_KEY (SERVICE_PROP (service))) == 0)
        {
          if (!umt_profile_parse_boolean (key, value, &flag, error))
            return FALSE;
          umt_profile_set_tunnel_service_enabled (self, service, flag);
          return TRUE;
        }
      if (g_strcmp0 (key, PROFILE_KEY (SERVICE_PORT_PROP (service))) == 0)
        return umt_profile_parse_number (key, value, &number, error) &&
               umt_profile_set_tunnel_service_port (self, service, number, error);
    }
  if (g_strcmp0 (key, "tunnel_enabled") == 0 || g_strcmp0 (key, "tunnel_tls") == 0 ||
      g_strcmp0 (key, "tunnel_verify_tls") == 0)
    {
      if (!umt_profile_parse_boolean (key, value, &flag, error))
        return FALSE;
      if (g_str_equal (key, "tunnel_enabled"))
        umt_profile_set_tunnel_enabled (self, flag);
      else if (g_str_equal (key, "tunnel_tls"))
        umt_profile_set_tunnel_tls (self, flag);
      else
        umt_profile_set_tunnel_verify_tls (self, flag);
      return TRUE;
    }

  umt_profile_set_unknown_key_error (key, error);
  return FALSE;
}

void
umt_profile_add_tunnel_json (UmtProfile *self,
                             JsonObject *object)
{
  g_autoptr(GArray) relay = g_array_new (FALSE, FALSE, sizeof (guint16));
  JsonArray *array = json_array_new ();

  json_object_set_boolean_member (object, "tunnel_enabled", self->tunnel_enabled);
  if (self->tunnel_proxy_host != NULL)
    json_object_set_string_member (object, "tunnel_proxy_host", self->tunnel_proxy_host);
  json_object_set_int_member (object, "tunnel_proxy_port", self->tunnel_proxy_port);
  json_object_set_boolean_member (object, "tunnel_tls", self->tunnel_tls);
  json_object_set_boolean_member (object, "tunnel_verify_tls", self->tunnel_verify_tls);
  for (guint service = 0; service < UMT_TUNNEL_N_SERVICES; service++)
    {
      json_object_set_boolean_member (object, PROFILE_KEY (SERVICE_PROP (service)),
                                      self->service_enabled[service]);
      json_object_set_int_member (object, PROFILE_KEY (SERVICE_PORT_PROP (service)),
                                  self->service_port[service]);
    }
  parse_ports (self->tunnel_relay_ports, relay, NULL);
  for (guint i = 0; i < relay->len; i++)
    json_array_add_int_element (array, g_array_index (relay, guint16, i));
  json_object_set_array_member (object, "tunnel_relay_ports", array);
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
umt_profile_dup_tunnel_proxy_host_in_use (UmtProfile *self,
                                          const char *server_url)
{
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (UMT_IS_PROFILE (self), NULL);

  if (self->tunnel_proxy_host != NULL)
    return g_strdup (self->tunnel_proxy_host);
  uri = g_uri_parse (server_url != NULL ? server_url : self->base_url, G_URI_FLAGS_NONE, NULL);
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

guint
umt_tunnel_service_get_server_port (UmtTunnelService service)
{
  static const guint server_ports[UMT_TUNNEL_N_SERVICES] = { 22, 80, 5900 };

  g_return_val_if_fail (service < UMT_TUNNEL_N_SERVICES, 0);
  return server_ports[service];
}

static int
compare_mappings (gconstpointer a,
                  gconstpointer b)
{
  return compare_ports (&((const UmtTunnelPortMapping *) a)->requested,
                        &((const UmtTunnelPortMapping *) b)->requested);
}

static gboolean
port_map_has (GArray  *map,
              guint16  requested)
{
  for (guint i = 0; i < map->len; i++)
    if (g_array_index (map, UmtTunnelPortMapping, i).requested == requested)
      return TRUE;
  return FALSE;
}

GArray *
umt_profile_dup_tunnel_port_map (UmtProfile *self)
{
  GArray *map = g_array_new (FALSE, FALSE, sizeof (UmtTunnelPortMapping));
  g_autoptr(GArray) relay = g_array_new (FALSE, FALSE, sizeof (guint16));

  g_return_val_if_fail (UMT_IS_PROFILE (self), map);

  for (guint service = 0; service < UMT_TUNNEL_N_SERVICES; service++)
    if (self->service_enabled[service])
      g_array_append_val (map, ((UmtTunnelPortMapping) {
                                  umt_tunnel_service_get_server_port (service),
                                  self->service_port[service] }));
  parse_ports (self->tunnel_relay_ports, relay, NULL);
  for (guint i = 0; i < relay->len; i++)
    {
      guint16 port = g_array_index (relay, guint16, i);

      if (!port_map_has (map, port))
        g_array_append_val (map, ((UmtTunnelPortMapping) { port, port }));
    }
  g_array_sort (map, compare_mappings);
  return map;
}
