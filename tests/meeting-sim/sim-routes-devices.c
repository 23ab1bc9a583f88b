/* sim-routes-devices.c: device routes of meeting-sim (create, register, heartbeat, status)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sim-routes-devices"

#include "config.h"

#include "sim-server.h"
#include "sim-util.h"

static void
add_int (JsonBuilder *builder,
         const char  *member,
         gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

static void
handle_api_root (SimRequest *request)
{
  sim_respond_text (request->msg, SOUP_STATUS_OK, "application/json",
                    "{\"status\":\"Meeting API ready\",\"version\":\"3.3.1\"}");
}

static void
handle_generate_key (SimRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *key = NULL;
  g_autofree char *token = sim_random_hex (6);

  do
    {
      g_free (key);
      key = sim_random_hex (32);
    }
  while (sim_state_lookup_device (request->server->state, key) != NULL);

  json_builder_begin_object (builder);
  sim_add_string (builder, "devicekey", key);
  sim_add_string (builder, "token_code", token);
  sim_respond_builder (request->msg, SOUP_STATUS_OK, builder);
}

static void
handle_manual_create (SimRequest *request)
{
  g_autoptr(JsonObject) body = sim_read_body_object (request->msg, FALSE);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *token = NULL;
  g_autofree char *ap_ssid = NULL;
  const char *key, *token_code, *device_type, *distribution, *serial;
  SimDevice *device;

  if (body == NULL)
    return;

  if (!sim_get_optional_string (body, "devicekey", &key) ||
      !sim_get_optional_string (body, "token_code", &token_code) ||
      !sim_get_optional_string (body, "device_type", &device_type) ||
      !sim_get_optional_string (body, "distribution", &distribution) ||
      !sim_get_optional_string (body, "product_serial", &serial) ||
      key == NULL || token_code == NULL || device_type == NULL || distribution == NULL ||
      *device_type == '\0' || *distribution == '\0')
    {
      sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST,
                         "Missing devicekey, token_code, device_type or distribution");
      return;
    }
  if (!sim_is_valid_device_key (key))
    {
      sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, "Invalid devicekey");
      return;
    }
  if (!sim_is_valid_token_code (token_code))
    {
      sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, "Invalid token_code");
      return;
    }

  token = g_ascii_strup (token_code, -1);
  device = sim_state_add_device (request->server->state, key, token);
  if (device == NULL)
    {
      sim_respond_error (request->msg, SOUP_STATUS_CONFLICT, "Device already exists");
      return;
    }
  device->device_type = g_strdup (device_type);
  device->distribution = g_strdup (distribution);
  device->product_serial = g_strdup (serial);

  ap_ssid = g_strdup_printf ("Meeting-%.6s", key);
  json_builder_begin_object (builder);
  sim_add_string (builder, "devicekey", device->device_key);
  sim_add_string (builder, "token_code", device->token_code);
  sim_add_string (builder, "ap_ssid", ap_ssid);
  for (guint i = 0; i < 4; i++)
    {
      static const char * const members[] = {
        "ap_password", "http_pw_low", "http_pw_medium", "http_pw_high",
      };
      g_autofree char *password = sim_random_hex (12);

      sim_add_string (builder, members[i], password);
    }
  sim_add_string (builder, "device_type", device->device_type);
  sim_add_string (builder, "distribution", device->distribution);
  sim_add_string (builder, "product_serial", device->product_serial);
  sim_respond_builder (request->msg, SOUP_STATUS_OK, builder);
}

static void
handle_authorize (SimRequest *request,
                  const char *key)
{
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  SimDevice *device;
  JsonNode *value;
  gint64 authorized;

  if ((device = sim_request_lookup_device (request, key)) == NULL)
    return;
  if ((body = sim_read_body_object (request->msg, FALSE)) == NULL)
    return;

  value = json_object_get_member (body, "authorized");
  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value) ||
      (json_node_get_value_type (value) != G_TYPE_INT64 &&
       json_node_get_value_type (value) != G_TYPE_BOOLEAN))
    {
      sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, "Missing authorized");
      return;
    }
  authorized = json_node_get_value_type (value) == G_TYPE_BOOLEAN
               ? json_node_get_boolean (value) : json_node_get_int (value);
  if (authorized != 0 && authorized != 1)
    {
      sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, "authorized must be 0 or 1");
      return;
    }
  device->authorized = authorized == 1;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "success");
  json_builder_add_boolean_value (builder, TRUE);
  add_int (builder, "authorized", authorized);
  sim_respond_builder (request->msg, SOUP_STATUS_OK, builder);
}

static void
handle_get_device (SimRequest *request,
                   const char *key)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  SimDevice *device;
  GPtrArray *reservations;

  if ((device = sim_request_lookup_device (request, key)) == NULL)
    return;

  /* The server answers its database row: the token travels with it, and the
   * tunnel proxy relies on that to check a handshake. */
  json_builder_begin_object (builder);
  sim_add_string (builder, "device_key", device->device_key);
  sim_add_string (builder, "token_code", device->token_code);
  add_int (builder, "authorized", device->authorized ? 1 : 0);
  add_int (builder, "token_count", device->token_count);
  sim_add_string (builder, "device_type", device->device_type);
  sim_add_string (builder, "distribution", device->distribution);
  sim_add_string (builder, "product_serial", device->product_serial);
  sim_add_time (builder, "registered_at", device->registered_at);
  sim_add_time (builder, "last_seen", device->last_seen);
  sim_add_string (builder, "ip_address", device->ip_address);
  sim_add_string (builder, "note", device->note);
  json_builder_set_member_name (builder, "services");
  json_builder_begin_array (builder);
  reservations = sim_state_get_reservations (request->server->state);
  for (guint i = 0; i < reservations->len; i++)
    {
      SimReservation *reservation = g_ptr_array_index (reservations, i);

      if (g_str_equal (reservation->device_key, device->device_key))
        json_builder_add_string_value (builder, reservation->service);
    }
  json_builder_end_array (builder);
  sim_respond_builder (request->msg, SOUP_STATUS_OK, builder);
}

static void
handle_delete_device (SimRequest *request,
                      const char *key)
{
  if (!sim_state_remove_device (request->server->state, key))
    {
      sim_respond_error (request->msg, SOUP_STATUS_NOT_FOUND, "Device not found");
      return;
    }
  sim_respond_text (request->msg, SOUP_STATUS_OK, "application/json", "{\"success\":true}");
}

/* The device information fields, flat in the body or nested under device_info. */
static JsonObject *
device_fields (JsonObject *body)
{
  JsonNode *nested = json_object_get_member (body, "device_info");

  if (nested != NULL && JSON_NODE_HOLDS_OBJECT (nested))
    return json_node_get_object (nested);
  return body;
}

static void
store_device_fields (SimDevice  *device,
                     JsonObject *fields)
{
  struct { const char *member; char **field; } map[] = {
    { "ip_lan", &device->ip_lan },
    { "ip_public", &device->ip_public },
    { "mac", &device->mac },
    { "cluster_ip", &device->cluster_ip },
    { "note", &device->note },
  };
  const char *value;

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    {
      if (sim_get_optional_string (fields, map[i].member, &value) && value != NULL)
        {
          g_free (*map[i].field);
          *map[i].field = g_strdup (value);
        }
    }
}

static void
register_device (SimDevice  *device,
                 JsonObject *body)
{
  JsonNode *copy = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (copy, body);
  device->registered = TRUE;
  device->token_burned = TRUE;
  device->registered_at = sim_now ();
  g_clear_pointer (&device->registration_body, json_node_unref);
  device->registration_body = copy;
}

static void
handle_register (SimRequest *request,
                 const char *key)
{
  g_autoptr(JsonObject) body = NULL;
  JsonObject *fields;
  const char *token, *ip;
  const char *problem;
  SimDevice *device;

  if ((device = sim_request_lookup_device (request, key)) == NULL)
    return;
  if ((body = sim_read_body_object (request->msg, FALSE)) == NULL)
    return;

  fields = device_fields (body);
  if ((problem = sim_check_device_fields (fields)) != NULL)
    {
      sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, problem);
      return;
    }
  if (device->token_burned)
    {
      sim_respond_error (request->msg, SOUP_STATUS_CONFLICT, "Device already registered");
      return;
    }
  if (!sim_get_optional_string (body, "token_code", &token) || token == NULL ||
      !g_str_equal (token, device->token_code))
    {
      sim_respond_error (request->msg, SOUP_STATUS_UNAUTHORIZED, "Invalid or expired token");
      return;
    }

  register_device (device, body);
  store_device_fields (device, fields);
  if (sim_get_optional_string (fields, "ip_address", &ip) && ip != NULL && *ip != '\0')
    {
      g_free (device->ip_address);
      device->ip_address = g_strdup (ip);
    }
  sim_respond_text (request->msg, SOUP_STATUS_OK, "application/json",
                    "{\"ok\":true,\"message\":\"Device registered\"}");
}

static void
handle_online (SimRequest *request,
               const char *key)
{
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *last_seen = NULL;
  const char *problem, *ip, *token;
  SimDevice *device;
  JsonNode *copy;
  gint64 now = sim_now ();

  if ((device = sim_request_lookup_device (request, key)) == NULL)
    return;
  if ((body = sim_read_body_object (request->msg, TRUE)) == NULL)
    return;
  if ((problem = sim_check_device_fields (body)) != NULL)
    {
      sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, problem);
      return;
    }

  /* The older registration: the first heartbeat carries the token. A token
   * that does not match is ignored like any unknown field. */
  if (sim_get_optional_string (body, "token_code", &token) && token != NULL &&
      !device->token_burned && g_str_equal (token, device->token_code))
    register_device (device, body);

  sim_get_optional_string (body, "ip_address", &ip);
  if (ip == NULL || *ip == '\0')
    ip = soup_server_message_get_remote_host (request->msg);
  g_free (device->ip_address);
  device->ip_address = g_strdup (ip);
  store_device_fields (device, body);

  if (device->last_seen == 0 ||
      now - device->last_seen > sim_state_get_availability_timeout (request->server->state))
    device->online_since = now;
  device->last_seen = now;
  device->heartbeat_count++;
  copy = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (copy, body);
  g_clear_pointer (&device->last_heartbeat, json_node_unref);
  device->last_heartbeat = copy;
  g_clear_pointer (&device->last_heartbeat_headers, json_node_unref);
  device->last_heartbeat_headers = sim_request_headers (request->msg);

  last_seen = sim_format_time (now);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, TRUE);
  sim_add_string (builder, "ip_address", device->ip_address);
  sim_add_string (builder, "last_seen", last_seen);
  sim_respond_builder (request->msg, SOUP_STATUS_OK, builder);
}

static void
handle_availability (SimRequest *request,
                     const char *key)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  SimDevice *device = sim_state_lookup_device (request->server->state, key);
  guint timeout = sim_state_get_availability_timeout (request->server->state);
  gint64 now = sim_now ();
  gint64 since = 0;
  const char *status = "Unknown";

  if (device != NULL && device->last_seen != 0)
    {
      if (now - device->last_seen <= timeout)
        {
          status = "Available";
          since = device->online_since;
        }
      else
        {
          status = "Disconnected";
          since = device->last_seen + timeout;
        }
    }

  json_builder_begin_object (builder);
  sim_add_string (builder, "status", status);
  sim_add_time (builder, "last_heartbeat", device != NULL ? device->last_seen : 0);
  sim_add_time (builder, "since", since);
  json_builder_set_member_name (builder, "uptime");
  if (since != 0 && g_str_equal (status, "Available"))
    json_builder_add_int_value (builder, now - since);
  else
    json_builder_add_null_value (builder);
  sim_respond_builder (request->msg, SOUP_STATUS_OK, builder);
}

static void
handle_last_seen (SimRequest *request,
                  const char *key)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  SimDevice *device;

  if ((device = sim_request_lookup_device (request, key)) == NULL)
    return;

  json_builder_begin_object (builder);
  sim_add_string (builder, "device_key", device->device_key);
  sim_add_time (builder, "last_seen", device->last_seen);
  sim_respond_builder (request->msg, SOUP_STATUS_OK, builder);
}

gboolean
sim_routes_devices (SimRequest *request)
{
  const char *key = NULL;

  if (sim_request_is (request, "GET", "api", NULL))
    handle_api_root (request);
  else if (sim_request_is (request, "GET", "api/devices/generate-key", NULL))
    handle_generate_key (request);
  else if (sim_request_is (request, "POST", "api/devices/manual-create", NULL))
    handle_manual_create (request);
  else if (sim_request_is (request, "PUT", "api/devices/*/authorize", &key))
    handle_authorize (request, key);
  else if (sim_request_is (request, "GET", "api/devices/*", &key))
    handle_get_device (request, key);
  else if (sim_request_is (request, "DELETE", "api/devices/*", &key))
    handle_delete_device (request, key);
  else if (!request->server->no_register_endpoint &&
           sim_request_is (request, "POST", "api/devices/*/register", &key))
    handle_register (request, key);
  else if (sim_request_is (request, "POST", "api/devices/*/online", &key) ||
           sim_request_is (request, "POST", "api/status/*/online", &key))
    handle_online (request, key);
  else if (sim_request_is (request, "GET", "api/devices/*/availability", &key))
    handle_availability (request, key);
  else if (sim_request_is (request, "GET", "api/status/*/last-seen", &key))
    handle_last_seen (request, key);
  else
    return FALSE;

  return TRUE;
}
