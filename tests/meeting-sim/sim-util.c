/* sim-util.c: answering, body parsing and validation helpers of meeting-sim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sim-util"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "sim-util.h"

#define NOTE_MAX_CHARS 2000

void
sim_respond_json (SoupServerMessage *msg,
                  guint              status,
                  JsonNode          *body)
{
  g_autofree char *text = json_to_string (body, FALSE);
  gsize length = strlen (text);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&text), length);
}

void
sim_respond_builder (SoupServerMessage *msg,
                     guint              status,
                     JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  sim_respond_json (msg, status, root);
}

void
sim_respond_error (SoupServerMessage *msg,
                   guint              status,
                   const char        *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, message);
  sim_respond_builder (msg, status, builder);
}

void
sim_respond_text (SoupServerMessage *msg,
                  guint              status,
                  const char        *content_type,
                  const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY,
                                    text, strlen (text));
}

void
sim_respond_no_route (SoupServerMessage *msg)
{
  sim_respond_text (msg, SOUP_STATUS_NOT_FOUND, "text/plain", "Not Found");
}

void
sim_add_string (JsonBuilder *builder,
                const char  *member,
                const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
sim_add_time (JsonBuilder *builder,
              const char  *member,
              gint64       unix_seconds)
{
  g_autofree char *text = sim_format_time (unix_seconds);

  sim_add_string (builder, member, text);
}

JsonNode *
sim_request_headers (SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  SoupMessageHeadersIter iter;
  const char *name, *value;

  json_builder_begin_object (builder);
  soup_message_headers_iter_init (&iter, soup_server_message_get_request_headers (msg));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    sim_add_string (builder, name, value);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonObject *
sim_read_body_object (SoupServerMessage *msg,
                      gboolean           allow_empty)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) bytes = NULL;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  JsonNode *root;

  bytes = soup_message_body_flatten (body);
  if (g_bytes_get_size (bytes) == 0 && allow_empty)
    return json_object_new ();

  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                   (gssize) g_bytes_get_size (bytes), NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    {
      sim_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "Invalid JSON body");
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

gint64
sim_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

char *
sim_format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) time = NULL;

  if (unix_seconds == 0)
    return NULL;
  time = g_date_time_new_from_unix_utc (unix_seconds);
  return g_date_time_format (time, "%Y-%m-%d %H:%M:%S");
}

char *
sim_random_hex (guint length)
{
  static const char digits[] = "0123456789ABCDEF";
  GString *text = g_string_sized_new (length);

  for (guint i = 0; i < length; i++)
    g_string_append_c (text, digits[g_random_int_range (0, 16)]);
  return g_string_free (text, FALSE);
}

gboolean
sim_get_optional_string (JsonObject  *object,
                         const char  *member,
                         const char **value)
{
  JsonNode *node = json_object_get_member (object, member);

  *value = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  *value = json_node_get_string (node);
  return TRUE;
}

static gboolean
is_valid_ip (const char *text)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (text);

  return address != NULL;
}

static gboolean
is_valid_mac (const char *text)
{
  if (strlen (text) != 17)
    return FALSE;
  for (guint i = 0; i < 17; i++)
    {
      if (i % 3 == 2 ? text[i] != ':' : !g_ascii_isxdigit (text[i]))
        return FALSE;
    }
  return TRUE;
}

const char *
sim_check_device_fields (JsonObject *fields)
{
  static const char * const ip_members[] = { "ip_address", "ip_lan", "ip_public", "cluster_ip" };
  const char *value;

  for (guint i = 0; i < G_N_ELEMENTS (ip_members); i++)
    {
      if (!sim_get_optional_string (fields, ip_members[i], &value))
        return "Invalid IP address";
      /* The server treats an empty string like an absent field. */
      if (value != NULL && *value != '\0' && !is_valid_ip (value))
        return "Invalid IP address";
    }

  if (!sim_get_optional_string (fields, "mac", &value))
    return "Invalid MAC address";
  if (value != NULL && *value != '\0' && !is_valid_mac (value))
    return "Invalid MAC address";

  if (!sim_get_optional_string (fields, "note", &value))
    return "Invalid note";
  if (value != NULL &&
      (!g_utf8_validate (value, -1, NULL) || g_utf8_strlen (value, -1) > NOTE_MAX_CHARS))
    return "Note too long (max 2000 characters)";

  return NULL;
}

static GBytes *
decode_public_key_blob (const char  *line,
                        char       **type)
{
  g_auto(GStrv) fields = NULL;
  g_autofree char *stripped = NULL;
  g_autofree guchar *blob = NULL;
  gsize length = 0;
  guint32 type_length;
  const char *encoded;

  if (line == NULL || strchr (line, '\n') != NULL || strchr (line, '\r') != NULL)
    return NULL;

  stripped = g_strstrip (g_strdup (line));
  fields = g_strsplit_set (stripped, " \t", 3);
  if (g_strv_length (fields) < 2)
    return NULL;

  encoded = fields[1];
  if (*encoded == '\0' || strlen (encoded) % 4 != 0)
    return NULL;
  for (const char *c = encoded; *c != '\0'; c++)
    {
      if (!g_ascii_isalnum (*c) && *c != '+' && *c != '/' && *c != '=')
        return NULL;
    }

  blob = g_base64_decode (encoded, &length);
  if (length < 4)
    return NULL;
  type_length = ((guint32) blob[0] << 24) | ((guint32) blob[1] << 16) |
                ((guint32) blob[2] << 8) | blob[3];
  if (type_length != strlen (fields[0]) || length < 4 + (gsize) type_length + 4 ||
      memcmp (blob + 4, fields[0], type_length) != 0)
    return NULL;

  *type = g_strdup (fields[0]);
  return g_bytes_new_take (g_steal_pointer (&blob), length);
}

gboolean
sim_is_valid_public_key (const char *line)
{
  static const char * const types[] = {
    "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
  };
  g_autoptr(GBytes) blob = NULL;
  g_autofree char *type = NULL;

  blob = decode_public_key_blob (line, &type);
  if (blob == NULL)
    return FALSE;
  return g_strv_contains (types, type);
}

char *
sim_public_key_fingerprint (const char *line)
{
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *type = NULL;
  g_autofree char *encoded = NULL;
  guint8 digest[32];
  gsize digest_length = sizeof digest;
  gsize length;

  blob = decode_public_key_blob (line, &type);
  if (blob == NULL)
    return NULL;

  g_checksum_update (checksum, g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  g_checksum_get_digest (checksum, digest, &digest_length);
  encoded = g_base64_encode (digest, digest_length);
  /* OpenSSH prints the fingerprint without the base64 padding. */
  length = strlen (encoded);
  while (length > 0 && encoded[length - 1] == '=')
    encoded[--length] = '\0';
  return g_strconcat ("SHA256:", encoded, NULL);
}

gboolean
sim_is_valid_device_key (const char *key)
{
  gsize length;

  if (key == NULL)
    return FALSE;
  length = strlen (key);
  if (length == 0 || length > 128)
    return FALSE;
  for (const char *c = key; *c != '\0'; c++)
    {
      if (!g_ascii_isalnum (*c) && *c != '.' && *c != '_' && *c != '-')
        return FALSE;
    }
  return TRUE;
}

gboolean
sim_is_valid_token_code (const char *token)
{
  if (token == NULL || strlen (token) != 6)
    return FALSE;
  for (const char *c = token; *c != '\0'; c++)
    {
      if (!g_ascii_isxdigit (*c))
        return FALSE;
    }
  return TRUE;
}
