/* sim-debug.c: the /__sim/ routes of meeting-sim: records, request log, faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sim-debug"

#include "config.h"

#include <string.h>

#include "sim-server.h"
#include "sim-util.h"

void
sim_fault_free (SimFault *fault)
{
  g_free (fault->path);
  g_free (fault->method);
  g_free (fault->body);
  g_free (fault->content_type);
  g_free (fault);
}

static SimFault *
sim_fault_copy (const SimFault *fault)
{
  SimFault *copy = g_memdup2 (fault, sizeof *fault);

  copy->path = g_strdup (fault->path);
  copy->method = g_strdup (fault->method);
  copy->body = g_strdup (fault->body);
  copy->content_type = g_strdup (fault->content_type);
  return copy;
}

void
sim_debug_record_request (SimServer  *server,
                          SimRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *body = NULL;
  SoupMessageBody *request_body = soup_server_message_get_request_body (request->msg);

  bytes = soup_message_body_flatten (request_body);
  body = g_utf8_make_valid (g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes));

  json_builder_begin_object (builder);
  sim_add_string (builder, "method", request->method);
  sim_add_string (builder, "path", request->path);
  json_builder_set_member_name (builder, "headers");
  json_builder_add_value (builder, sim_request_headers (request->msg));
  sim_add_string (builder, "body", body);
  json_builder_end_object (builder);
  g_ptr_array_add (server->requests, json_builder_get_root (builder));
}

static gboolean
path_matches (const char *pattern,
              const char *path)
{
  gsize length = strlen (pattern);

  if (length > 0 && pattern[length - 1] == '*')
    return strncmp (pattern, path, length - 1) == 0;
  return g_str_equal (pattern, path);
}

SimFault *
sim_debug_take_fault (SimServer  *server,
                      SimRequest *request)
{
  for (guint i = 0; i < server->faults->len; i++)
    {
      SimFault *fault = g_ptr_array_index (server->faults, i);
      g_autofree char *unescaped = g_uri_unescape_string (fault->path, NULL);

      if (fault->method != NULL && g_ascii_strcasecmp (fault->method, request->method) != 0)
        continue;
      /* A test may write an odd key escaped or not: both name the same path. */
      if (!path_matches (fault->path, request->path) &&
          (unescaped == NULL || !path_matches (unescaped, request->path)))
        continue;

      if (fault->remaining == 0)
        return sim_fault_copy (fault);
      if (--fault->remaining == 0)
        return g_ptr_array_steal_index (server->faults, i);
      return sim_fault_copy (fault);
    }
  return NULL;
}

static gboolean
get_optional_bool (JsonObject *object,
                   const char *member,
                   gboolean   *value)
{
  JsonNode *node = json_object_get_member (object, member);

  *value = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;
  *value = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
get_optional_int (JsonObject *object,
                  const char *member,
                  gint64      min,
                  gint64      max,
                  gint64     *value)
{
  JsonNode *node = json_object_get_member (object, member);

  *value = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  return *value >= min && *value <= max;
}

static void
handle_add_fault (SimRequest *request)
{
  g_autoptr(JsonObject) body = sim_read_body_object (request->msg, FALSE);
  g_autoptr(SimFault) fault = g_new0 (SimFault, 1);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *path, *method, *text, *content_type;
  gint64 status, delay_ms;
  guint effects;

  if (body == NULL)
    return;

  if (!sim_get_optional_string (body, "path", &path) || path == NULL || *path != '/' ||
      !sim_get_optional_string (body, "method", &method) ||
      !sim_get_optional_string (body, "body", &text) ||
      !sim_get_optional_string (body, "content_type", &content_type) ||
      !get_optional_int (body, "count", 0, G_MAXINT32, &fault->remaining) ||
      !get_optional_int (body, "status", 0, 599, &status) ||
      (status != 0 && status < 100) ||
      !get_optional_int (body, "delay_ms", 0, 600000, &delay_ms) ||
      !get_optional_bool (body, "malformed", &fault->malformed) ||
      !get_optional_bool (body, "oversized", &fault->oversized) ||
      !get_optional_bool (body, "drop", &fault->drop))
    {
      sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, "Invalid fault");
      return;
    }

  effects = (status != 0) + (fault->malformed ? 1 : 0) + (fault->oversized ? 1 : 0) +
            (fault->drop ? 1 : 0);
  if (effects > 1 || (effects == 0 && delay_ms == 0))
    {
      sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST,
                         "A fault needs one of status, delay_ms, malformed, oversized, drop");
      return;
    }

  fault->id = request->server->next_fault_id++;
  fault->path = g_strdup (path);
  fault->method = g_strdup (method);
  fault->status = (guint) status;
  fault->body = g_strdup (text);
  fault->content_type = g_strdup (content_type);
  fault->delay_ms = (guint) delay_ms;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, fault->id);
  g_ptr_array_add (request->server->faults, g_steal_pointer (&fault));
  sim_respond_builder (request->msg, SOUP_STATUS_OK, builder);
}

static void
handle_requests (SimRequest *request)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonArray *array = json_array_sized_new (request->server->requests->len);

  for (guint i = 0; i < request->server->requests->len; i++)
    json_array_add_element (array, json_node_copy (g_ptr_array_index (request->server->requests, i)));
  json_node_take_object (root, json_object_new ());
  json_object_set_array_member (json_node_get_object (root), "requests", array);
  sim_respond_json (request->msg, SOUP_STATUS_OK, root);
}

static void
add_node (JsonBuilder *builder,
          const char  *member,
          JsonNode    *node)
{
  json_builder_set_member_name (builder, member);
  if (node != NULL)
    json_builder_add_value (builder, json_node_copy (node));
  else
    json_builder_add_null_value (builder);
}

static void
add_boolean (JsonBuilder *builder,
             const char  *member,
             gboolean     value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_boolean_value (builder, value);
}

static void
handle_device_record (SimRequest *request,
                      const char *key)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  SimDevice *device = sim_state_lookup_device (request->server->state, key);

  if (device == NULL)
    {
      sim_respond_error (request->msg, SOUP_STATUS_NOT_FOUND, "Device not found");
      return;
    }

  json_builder_begin_object (builder);
  sim_add_string (builder, "device_key", device->device_key);
  sim_add_string (builder, "token_code", device->token_code);
  add_boolean (builder, "authorized", device->authorized);
  add_boolean (builder, "registered", device->registered);
  add_boolean (builder, "token_burned", device->token_burned);
  sim_add_time (builder, "registered_at", device->registered_at);
  add_node (builder, "registration_body", device->registration_body);
  json_builder_set_member_name (builder, "heartbeat_count");
  json_builder_add_int_value (builder, device->heartbeat_count);
  add_node (builder, "last_heartbeat", device->last_heartbeat);
  add_node (builder, "last_heartbeat_headers", device->last_heartbeat_headers);
  sim_add_time (builder, "last_seen", device->last_seen);
  sim_add_string (builder, "ip_address", device->ip_address);
  sim_add_string (builder, "ip_lan", device->ip_lan);
  sim_add_string (builder, "ip_public", device->ip_public);
  sim_add_string (builder, "mac", device->mac);
  sim_add_string (builder, "note", device->note);
  sim_add_string (builder, "ssh_pubkey", device->ssh_pubkey);
  sim_add_string (builder, "ssh_status", device->ssh_status);
  sim_add_string (builder, "tunnel_token", device->tunnel_token);
  add_node (builder, "tunnel_status", device->tunnel_status);
  sim_respond_builder (request->msg, SOUP_STATUS_OK, builder);
}

static void
handle_tunnel_token (SimRequest *request,
                     const char *key)
{
  g_autoptr(JsonObject) body = NULL;
  SimDevice *device = sim_state_lookup_device (request->server->state, key);
  const char *token;

  if (device == NULL)
    {
      sim_respond_error (request->msg, SOUP_STATUS_NOT_FOUND, "Device not found");
      return;
    }
  if ((body = sim_read_body_object (request->msg, FALSE)) == NULL)
    return;
  if (!sim_get_optional_string (body, "token", &token) || token == NULL || *token == '\0')
    {
      sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, "Missing token");
      return;
    }

  g_free (device->tunnel_token);
  device->tunnel_token = g_strdup (token);
  sim_respond_text (request->msg, SOUP_STATUS_OK, "application/json", "{\"success\":true}");
}

static void
handle_certificate (SimRequest *request)
{
  if (request->server->certificate_pem == NULL)
    {
      sim_respond_error (request->msg, SOUP_STATUS_NOT_FOUND, "Not serving TLS");
      return;
    }
  sim_respond_text (request->msg, SOUP_STATUS_OK, "application/x-pem-file",
                    request->server->certificate_pem);
}

gboolean
sim_routes_debug (SimRequest *request)
{
  const char *key = NULL;

  if (sim_request_is (request, "GET", "__sim/devices/*", &key))
    handle_device_record (request, key);
  else if (sim_request_is (request, "PUT", "__sim/devices/*/tunnel-token", &key))
    handle_tunnel_token (request, key);
  else if (sim_request_is (request, "GET", "__sim/requests", NULL))
    handle_requests (request);
  else if (sim_request_is (request, "DELETE", "__sim/requests", NULL))
    {
      g_ptr_array_set_size (request->server->requests, 0);
      sim_respond_text (request->msg, SOUP_STATUS_OK, "application/json", "{\"success\":true}");
    }
  else if (sim_request_is (request, "POST", "__sim/faults", NULL))
    handle_add_fault (request);
  else if (sim_request_is (request, "DELETE", "__sim/faults", NULL))
    {
      g_ptr_array_set_size (request->server->faults, 0);
      sim_respond_text (request->msg, SOUP_STATUS_OK, "application/json", "{\"success\":true}");
    }
  else if (sim_request_is (request, "GET", "__sim/certificate", NULL))
    handle_certificate (request);
  else
    return FALSE;

  return TRUE;
}
