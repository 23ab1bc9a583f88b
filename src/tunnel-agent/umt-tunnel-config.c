#define G_LOG_DOMAIN "umt-tunnel-config"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "umt-tunnel-config.h"

void
umt_tunnel_config_free (UmtTunnelConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->device_key);
  if (config->token != NULL)
    {
      /* Do not leave the secret lying around in freed memory. */
      memset (config->token, 0, strlen (config->token));
      g_free (config->token);
    }
  g_free (config->proxy_host);
  g_clear_pointer (&config->allowed_ports, g_array_unref);
  g_clear_pointer (&config->port_map, g_hash_table_unref);
  g_free (config);
}

static gboolean
invalid (GError     **error,
         const char  *member,
         const char  *expected)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "invalid configuration: \"%s\" must be %s", member, expected);
  return FALSE;
}

static gboolean
get_string (JsonObject  *object,
            const char  *member,
            char       **out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (error, member, "a non-empty string");

  value = json_node_get_string (node);
  if (value == NULL || *value == '\0' || strchr (value, '\n') != NULL)
    return invalid (error, member, "a non-empty string");

  *out = g_strdup (value);
  return TRUE;
}

static gboolean
get_port (JsonNode *node,
          guint16  *out)
{
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  value = json_node_get_int (node);
  if (value < 1 || value > 65535)
    return FALSE;

  *out = (guint16) value;
  return TRUE;
}

static gboolean
get_boolean (JsonObject  *object,
             const char  *member,
             gboolean     fallback,
             gboolean    *out,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    {
      *out = fallback;
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return invalid (error, member, "true or false");

  *out = json_node_get_boolean (node);
  return TRUE;
}

/* {"22": 2222, "80": 8080}: the port the server asks for a service, and where that
 * service listens here. */
static gboolean
get_port_map (JsonObject  *object,
              GHashTable  *map,
              GError     **error)
{
  JsonNode *node = json_object_get_member (object, "port_map");
  g_autoptr(GList) members = NULL;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "port_map", "an object from port numbers to port numbers");

  members = json_object_get_members (json_node_get_object (node));
  for (GList *l = members; l != NULL; l = l->next)
    {
      guint64 requested;
      guint16 local;

      if (!g_ascii_string_to_unsigned (l->data, 10, 1, 65535, &requested, NULL) ||
          !get_port (json_object_get_member (json_node_get_object (node), l->data), &local))
        return invalid (error, "port_map", "an object from port numbers to port numbers (1-65535)");
      g_hash_table_insert (map, GUINT_TO_POINTER ((guint) requested),
                           GUINT_TO_POINTER ((guint) local));
    }
  return TRUE;
}

UmtTunnelConfig *
umt_tunnel_config_parse (const char  *json,
                         GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(UmtTunnelConfig) config = g_new0 (UmtTunnelConfig, 1);
  JsonObject *object;
  JsonNode *ports;
  JsonNode *max_streams;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    {
      /* The parser's own message may quote the input, which holds the token. */
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "invalid configuration: not a JSON object");
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "invalid configuration: not a JSON object");
      return NULL;
    }
  object = json_node_get_object (json_parser_get_root (parser));

  if (!get_string (object, "device_key", &config->device_key, error) ||
      !get_string (object, "token", &config->token, error) ||
      !get_string (object, "proxy_host", &config->proxy_host, error))
    return NULL;

  if (!get_port (json_object_get_member (object, "proxy_port"), &config->proxy_port))
    {
      invalid (error, "proxy_port", "a port number (1-65535)");
      return NULL;
    }

  if (!get_boolean (object, "tls", FALSE, &config->tls, error) ||
      !get_boolean (object, "verify_tls", TRUE, &config->verify_tls, error))
    return NULL;

  ports = json_object_get_member (object, "allowed_ports");
  if (ports == NULL || !JSON_NODE_HOLDS_ARRAY (ports))
    {
      invalid (error, "allowed_ports", "an array of port numbers");
      return NULL;
    }

  config->allowed_ports = g_array_new (FALSE, FALSE, sizeof (guint16));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (ports)); i++)
    {
      guint16 port;

      if (!get_port (json_array_get_element (json_node_get_array (ports), i), &port))
        {
          invalid (error, "allowed_ports", "an array of port numbers (1-65535)");
          return NULL;
        }
      g_array_append_val (config->allowed_ports, port);
    }

  config->port_map = g_hash_table_new (NULL, NULL);
  if (!get_port_map (object, config->port_map, error))
    return NULL;

  max_streams = json_object_get_member (object, "max_streams");
  if (max_streams == NULL)
    config->max_streams = UMT_TUNNEL_DEFAULT_MAX_STREAMS;
  else if (JSON_NODE_HOLDS_VALUE (max_streams) &&
           json_node_get_value_type (max_streams) == G_TYPE_INT64 &&
           json_node_get_int (max_streams) >= 1 && json_node_get_int (max_streams) <= 65536)
    config->max_streams = (guint) json_node_get_int (max_streams);
  else
    {
      invalid (error, "max_streams", "a number of streams (1-65536)");
      return NULL;
    }

  return g_steal_pointer (&config);
}

gboolean
umt_tunnel_config_lookup_port (const UmtTunnelConfig *config,
                               guint                  port,
                               guint16               *local_port)
{
  gpointer mapped;

  /* A service's own port wins over the same number as a relay port: the server asks
   * for 22 whenever an administrator opens SSH. */
  if (g_hash_table_lookup_extended (config->port_map, GUINT_TO_POINTER (port), NULL, &mapped))
    {
      *local_port = (guint16) GPOINTER_TO_UINT (mapped);
      return TRUE;
    }

  for (guint i = 0; i < config->allowed_ports->len; i++)
    if (g_array_index (config->allowed_ports, guint16, i) == port)
      {
        *local_port = (guint16) port;
        return TRUE;
      }

  return FALSE;
}
