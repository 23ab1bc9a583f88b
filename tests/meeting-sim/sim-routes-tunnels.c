/* sim-routes-tunnels.c: SSH key and tunnel routes of meeting-sim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sim-routes-tunnels"

#include "config.h"

#include "sim-server.h"
#include "sim-util.h"

/* Fixed host keys, so a client's known_hosts stays valid across runs. */
static const char * const host_keys[] = {
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII0oD/hTAFVajUtf3FyhtQWWeoKWYqmXVCSPQA/1D09c",
  "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBGCrYQBOKU8xo3N48jDxY8VXk+apa/3+5pvq0crqQTqBjuXS1bBJtmLfBTdPbhKe+yS2N+30LeI/xI27Cy/4o8I=",
};

static void
handle_put_ssh_key (SimRequest *request,
                    const char *key)
{
  g_autoptr(JsonObject) body = NULL;
  const char *pubkey, *user, *status;
  SimDevice *device;
  gint64 now = sim_now ();

  if ((device = sim_request_lookup_device (request, key)) == NULL)
    return;
  if ((body = sim_read_body_object (request->msg, FALSE)) == NULL)
    return;

  if (!sim_get_optional_string (body, "pubkey", &pubkey) || pubkey == NULL ||
      !sim_is_valid_public_key (pubkey))
    {
      sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, "Invalid public key");
      return;
    }
  if (!sim_get_optional_string (body, "ssh_user", &user) ||
      !sim_get_optional_string (body, "status", &status) ||
      (status != NULL && !g_str_equal (status, "authorized") && !g_str_equal (status, "revoked")))
    {
      sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, "Invalid ssh_user or status");
      return;
    }

  if (device->ssh_pubkey == NULL)
    device->ssh_added = now;
  device->ssh_modified = now;
  g_free (device->ssh_pubkey);
  device->ssh_pubkey = g_strstrip (g_strdup (pubkey));
  if (user != NULL)
    {
      g_free (device->ssh_user);
      device->ssh_user = g_strdup (user);
    }
  g_free (device->ssh_status);
  device->ssh_status = g_strdup (status != NULL ? status : "authorized");
  sim_respond_text (request->msg, SOUP_STATUS_OK, "application/json", "{\"success\":true}");
}

static void
handle_get_ssh_key (SimRequest *request,
                    const char *key)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *fingerprint = NULL;
  SimDevice *device;

  if ((device = sim_request_lookup_device (request, key)) == NULL)
    return;
  if (device->ssh_pubkey == NULL)
    {
      sim_respond_error (request->msg, SOUP_STATUS_NOT_FOUND, "SSH key not found");
      return;
    }

  fingerprint = sim_public_key_fingerprint (device->ssh_pubkey);
  json_builder_begin_object (builder);
  sim_add_string (builder, "device_key", device->device_key);
  sim_add_string (builder, "ssh_user", device->ssh_user);
  sim_add_string (builder, "pubkey", device->ssh_pubkey);
  sim_add_string (builder, "status", device->ssh_status);
  sim_add_time (builder, "added", device->ssh_added);
  sim_add_time (builder, "modified", device->ssh_modified);
  sim_add_string (builder, "fingerprint", fingerprint);
  sim_add_string (builder, "last_ssh", NULL);
  sim_respond_builder (request->msg, SOUP_STATUS_OK, builder);
}

/* The server revokes rather than forgets: the record stays, marked revoked. */
static void
handle_delete_ssh_key (SimRequest *request,
                       const char *key)
{
  SimDevice *device;

  if ((device = sim_request_lookup_device (request, key)) == NULL)
    return;
  if (device->ssh_pubkey != NULL)
    {
      g_free (device->ssh_status);
      device->ssh_status = g_strdup ("revoked");
      device->ssh_modified = sim_now ();
    }
  sim_respond_text (request->msg, SOUP_STATUS_OK, "application/json", "{\"success\":true}");
}

static void
handle_get_device_key (SimRequest *request)
{
  const char *key = request->query != NULL ? g_hash_table_lookup (request->query, "device_key") : NULL;
  SimDevice *device;
  g_autofree char *line = NULL;

  if (key == NULL || *key == '\0')
    {
      sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, "Missing device_key");
      return;
    }

  device = sim_state_lookup_device (request->server->state, key);
  if (device == NULL || device->ssh_pubkey == NULL ||
      g_strcmp0 (device->ssh_status, "authorized") != 0)
    {
      sim_respond_text (request->msg, SOUP_STATUS_NOT_FOUND, "application/json",
                        "{\"status\":\"not_found\"}");
      return;
    }

  line = g_strconcat (device->ssh_pubkey, "\n", NULL);
  sim_respond_text (request->msg, SOUP_STATUS_OK, "text/plain", line);
}

static void
handle_ssh_hostkey (SimRequest *request)
{
  g_autoptr(GString) text = g_string_new (NULL);
  GUri *uri = soup_server_message_get_uri (request->msg);
  const char *host = g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : "127.0.0.1";

  for (guint i = 0; i < G_N_ELEMENTS (host_keys); i++)
    g_string_append_printf (text, "%s %s\n", host, host_keys[i]);
  sim_respond_text (request->msg, SOUP_STATUS_OK, "text/plain", text->str);
}

static gboolean
local_port_of_service (const char *service,
                       guint16    *port)
{
  static const struct { const char *name; guint16 port; } services[] = {
    { "ssh", 22 }, { "scp", 22 }, { "http", 80 }, { "vnc", 5900 }, { "relay", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    {
      if (g_str_equal (service, services[i].name))
        {
          *port = services[i].port;
          return TRUE;
        }
    }
  return FALSE;
}

static void
handle_service (SimRequest *request,
                const char *key)
{
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  SimReservation *reservation;
  SimDevice *device;
  const char *service;
  JsonNode *port_node;
  guint16 local_port = 0;

  if ((body = sim_read_body_object (request->msg, FALSE)) == NULL)
    return;
  if (!sim_get_optional_string (body, "service", &service) || service == NULL || *service == '\0')
    {
      sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, "Missing service param");
      return;
    }
  if (!local_port_of_service (service, &local_port))
    {
      sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, "Unknown service");
      return;
    }
  if (g_str_equal (service, "relay"))
    {
      port_node = json_object_get_member (body, "port");
      if (port_node == NULL || !JSON_NODE_HOLDS_VALUE (port_node) ||
          json_node_get_value_type (port_node) != G_TYPE_INT64 ||
          json_node_get_int (port_node) < 1 || json_node_get_int (port_node) > 65535)
        {
          sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, "Missing relay port");
          return;
        }
      local_port = (guint16) json_node_get_int (port_node);
    }

  if ((device = sim_request_lookup_device (request, key)) == NULL)
    return;
  if (!device->authorized)
    {
      sim_respond_error (request->msg, SOUP_STATUS_FORBIDDEN, "Device not authorized");
      return;
    }

  reservation = sim_state_reserve (request->server->state, device->device_key, service,
                                   local_port, &error);
  if (reservation == NULL)
    {
      sim_respond_error (request->msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                         "No available port in range");
      return;
    }

  url = g_strdup_printf ("%s://127.0.0.1:%u",
                         g_str_equal (service, "http") ? "http" :
                         g_str_equal (service, "vnc") ? "vnc" :
                         g_str_equal (service, "relay") ? "tcp" : "ssh",
                         reservation->public_port);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, reservation->public_port);
  sim_add_string (builder, "url", url);
  sim_add_time (builder, "expires_at", reservation->expires_at);
  sim_respond_builder (request->msg, SOUP_STATUS_OK, builder);
}

static void
handle_tunnels (SimRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GPtrArray *reservations = sim_state_get_reservations (request->server->state);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tunnels");
  json_builder_begin_array (builder);
  for (guint i = 0; i < reservations->len; i++)
    {
      SimReservation *reservation = g_ptr_array_index (reservations, i);

      json_builder_begin_object (builder);
      sim_add_string (builder, "device_key", reservation->device_key);
      sim_add_string (builder, "service", reservation->service);
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, reservation->public_port);
      json_builder_set_member_name (builder, "local_port");
      json_builder_add_int_value (builder, reservation->local_port);
      sim_add_time (builder, "expires_at", reservation->expires_at);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  sim_respond_builder (request->msg, SOUP_STATUS_OK, builder);
}

static void
copy_member (JsonBuilder *builder,
             JsonObject  *body,
             const char  *member)
{
  JsonNode *node = json_object_get_member (body, member);

  json_builder_set_member_name (builder, member);
  if (node != NULL)
    json_builder_add_value (builder, json_node_copy (node));
  else
    json_builder_add_null_value (builder);
}

/* Like the server, which writes a status file per device, it needs no
 * device row: only the service. */
static void
handle_tunnel_status (SimRequest *request,
                      const char *key)
{
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *service;
  SimDevice *device;

  if ((body = sim_read_body_object (request->msg, FALSE)) == NULL)
    return;
  if (!sim_get_optional_string (body, "service", &service) || service == NULL || *service == '\0')
    {
      sim_respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, "Missing service param");
      return;
    }

  json_builder_begin_object (builder);
  sim_add_string (builder, "device_key", key);
  copy_member (builder, body, "service");
  copy_member (builder, body, "port");
  copy_member (builder, body, "url");
  copy_member (builder, body, "upnp");
  copy_member (builder, body, "error");
  sim_add_time (builder, "updated_at", sim_now ());
  json_builder_end_object (builder);
  status = json_builder_get_root (builder);

  device = sim_state_lookup_device (request->server->state, key);
  if (device != NULL)
    {
      g_clear_pointer (&device->tunnel_status, json_node_unref);
      device->tunnel_status = json_node_copy (status);
    }

  root = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (root, json_object_new ());
  json_object_set_boolean_member (json_node_get_object (root), "ok", TRUE);
  json_object_set_member (json_node_get_object (root), "status", g_steal_pointer (&status));
  sim_respond_json (request->msg, SOUP_STATUS_OK, root);
}

gboolean
sim_routes_tunnels (SimRequest *request)
{
  const char *key = NULL;

  if (sim_request_is (request, "PUT", "api/devices/*/ssh-key", &key))
    handle_put_ssh_key (request, key);
  else if (sim_request_is (request, "GET", "api/devices/*/ssh-key", &key))
    handle_get_ssh_key (request, key);
  else if (sim_request_is (request, "DELETE", "api/devices/*/ssh-key", &key))
    handle_delete_ssh_key (request, key);
  else if (sim_request_is (request, "GET", "api/forcecommand/get_device_key", NULL))
    handle_get_device_key (request);
  else if (sim_request_is (request, "GET", "api/ssh-hostkey", NULL))
    handle_ssh_hostkey (request);
  else if (sim_request_is (request, "POST", "api/devices/*/service", &key))
    handle_service (request, key);
  else if (sim_request_is (request, "GET", "api/tunnels", NULL))
    handle_tunnels (request);
  else if (sim_request_is (request, "POST", "api/devices/*/tunnel-status", &key))
    handle_tunnel_status (request, key);
  else
    return FALSE;

  return TRUE;
}
