/* umt-tunnel-handshake.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-tunnel-handshake"

#include "config.h"

#include <json-glib/json-glib.h>

#include "umt-tunnel-handshake.h"

GBytes *
umt_tunnel_handshake_build (const char *token,
                            const char *device_key)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  GString *line;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, device_key);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  line = g_string_new (NULL);
  json_generator_to_gstring (generator, line);
  g_string_append_c (line, '\n');

  return g_string_free_to_bytes (line);
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

UmtTunnelReply
umt_tunnel_handshake_parse_reply (const char  *line,
                                  gsize        length,
                                  char       **reason)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonNode *root;
  const char *refusal;

  g_return_val_if_fail (reason != NULL && *reason == NULL, UMT_TUNNEL_REPLY_INVALID);

  /* json-glib wants valid UTF-8, and has no root for an empty line. */
  if (!g_utf8_validate_len (line, length, NULL) ||
      !json_parser_load_from_data (parser, line, length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      *reason = g_strdup ("the proxy's reply is not JSON");
      return UMT_TUNNEL_REPLY_INVALID;
    }
  object = json_node_get_object (root);

  if (g_strcmp0 (string_member (object, "status"), "authenticated") == 0)
    return UMT_TUNNEL_REPLY_AUTHENTICATED;

  if (!json_object_has_member (object, "error"))
    {
      *reason = g_strdup ("unexpected reply from the proxy");
      return UMT_TUNNEL_REPLY_INVALID;
    }

  refusal = string_member (object, "reason");
  if (refusal == NULL)
    refusal = string_member (object, "error");
  *reason = g_strdup (refusal != NULL ? refusal : "auth_failed");
  return UMT_TUNNEL_REPLY_REFUSED;
}
