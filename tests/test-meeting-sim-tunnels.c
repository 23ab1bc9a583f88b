/* test-meeting-sim-tunnels.c: meeting-sim answers the SSH key and tunnel routes as meeting-api.md says
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-meeting-sim-tunnels"

#include "config.h"

#include <string.h>

#include "test-sim-reply.h"

#define ED25519_KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII0oD/hTAFVajUtf3FyhtQWWeoKWYqmXVCSPQA/1D09c"

static void
test_ssh_key (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autofree char *key = umt_test_sim_create_device (sim, "a.b_c-1", NULL);
  g_autofree char *path = sim_device_path (key, "/ssh-key");
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) stored = NULL;
  g_autoptr(JsonObject) revoked = NULL;
  g_autoptr(SimReply) text = NULL;
  g_autoptr(SimReply) gone = NULL;
  g_autoptr(SimReply) missing = NULL;

  sim_expect_error (sim, "GET", path, NULL, 404, "SSH key not found");
  sim_expect_error (sim, "PUT", "/api/devices/unknown/ssh-key",
                "{\"pubkey\":\"" ED25519_KEY "\"}", 404, "Device not found");
  sim_expect_error (sim, "PUT", path, "{}", 400, "Invalid public key");
  sim_expect_error (sim, "PUT", path, "{\"pubkey\":\"not a key\"}", 400, "Invalid public key");
  sim_expect_error (sim, "PUT", path, "{\"pubkey\":\"ssh-ed25519 !!!!\"}", 400, "Invalid public key");
  /* The blob names ssh-ed25519: another type prefix is a lie. */
  sim_expect_error (sim, "PUT", path,
                "{\"pubkey\":\"ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAII0oD/hTAFVajUtf3FyhtQWWeoKWYqmXVCSPQA/1D09c\"}",
                400, "Invalid public key");
  sim_expect_error (sim, "PUT", path, "{\"pubkey\":\"" ED25519_KEY "\",\"status\":\"maybe\"}",
                400, "Invalid ssh_user or status");

  answer = sim_expect_json (sim, "PUT", path, "{\"pubkey\":\"" ED25519_KEY " device@box\",\"ssh_user\":\"umt\"}", 200);
  g_assert_true (json_object_get_boolean_member (answer, "success"));
  stored = sim_expect_json (sim, "GET", path, NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (stored, "pubkey"), ==, ED25519_KEY " device@box");
  g_assert_cmpstr (json_object_get_string_member (stored, "ssh_user"), ==, "umt");
  g_assert_cmpstr (json_object_get_string_member (stored, "status"), ==, "authorized");
  g_assert_cmpstr (json_object_get_string_member (stored, "fingerprint"), ==,
                   "SHA256:7oBD6OWozAP90dkBmb4FVe9GKR5XEoUJJ9+nPnnre9M");

  text = sim_send (sim, "GET", "/api/forcecommand/get_device_key?device_key=a.b_c-1", NULL);
  g_assert_cmpuint (text->status, ==, 200);
  g_assert_cmpstr (text->content_type, ==, "text/plain");
  g_assert_cmpstr (text->body, ==, ED25519_KEY " device@box\n");
  sim_expect_error (sim, "GET", "/api/forcecommand/get_device_key", NULL, 400, "Missing device_key");

  g_clear_pointer (&answer, json_object_unref);
  answer = sim_expect_json (sim, "DELETE", path, NULL, 200);
  g_assert_true (json_object_get_boolean_member (answer, "success"));
  revoked = sim_expect_json (sim, "GET", path, NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (revoked, "status"), ==, "revoked");
  gone = sim_send (sim, "GET", "/api/forcecommand/get_device_key?device_key=a.b_c-1", NULL);
  g_assert_cmpuint (gone->status, ==, 404);
  g_assert_cmpstr (gone->body, ==, "{\"status\":\"not_found\"}");
  missing = sim_send (sim, "GET", "/api/forcecommand/get_device_key?device_key=unknown", NULL);
  g_assert_cmpuint (missing->status, ==, 404);
  sim_expect_error (sim, "DELETE", "/api/devices/unknown/ssh-key", NULL, 404, "Device not found");
}

static void
test_ssh_hostkey (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autoptr(SimReply) reply = sim_send (sim, "GET", "/api/ssh-hostkey", NULL);
  g_auto(GStrv) lines = NULL;
  guint count = 0;

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (reply->content_type, ==, "text/plain");
  lines = g_strsplit (reply->body, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      g_autofree guchar *blob = NULL;
      gsize length;

      if (lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], " ", -1);
      g_assert_cmpuint (g_strv_length (fields), ==, 3);
      g_assert_cmpstr (fields[0], ==, "127.0.0.1");
      blob = g_base64_decode (fields[2], &length);
      g_assert_cmpuint (length, >, 4 + strlen (fields[1]));
      g_assert_cmpint (memcmp (blob + 4, fields[1], strlen (fields[1])), ==, 0);
      count++;
    }
  g_assert_cmpuint (count, >=, 1);
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
port_is_taken (guint16 port)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  return !g_socket_bind (socket, address, FALSE, NULL);
}

static void
test_service_and_tunnels (void)
{
  static const struct { const char *body; const char *service; gint64 local_port; } cases[] = {
    { "{\"service\":\"ssh\"}", "ssh", 22 },
    { "{\"service\":\"scp\"}", "scp", 22 },
    { "{\"service\":\"http\"}", "http", 80 },
    { "{\"service\":\"vnc\"}", "vnc", 5900 },
    { "{\"service\":\"relay\",\"port\":8443}", "relay", 8443 },
  };
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autofree char *key = umt_test_sim_create_device (sim, "a.b_c-1", NULL);
  g_autofree char *path = sim_device_path (key, "/service");
  g_autoptr(JsonObject) authorized = NULL;
  g_autoptr(JsonObject) tunnels = NULL;
  g_autoptr(JsonObject) device = NULL;
  gint64 ports[G_N_ELEMENTS (cases)];
  JsonArray *list;

  sim_expect_error (sim, "POST", path, "{}", 400, "Missing service param");
  sim_expect_error (sim, "POST", path, "{\"service\":\"relay\"}", 400, "Missing relay port");
  sim_expect_error (sim, "POST", "/api/devices/unknown/service", "{\"service\":\"ssh\"}", 404, "Device not found");
  sim_expect_error (sim, "POST", path, "{\"service\":\"ssh\"}", 403, "Device not authorized");
  authorized = sim_expect_json (sim, "PUT", "/api/devices/a.b_c-1/authorize", "{\"authorized\":1}", 200);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) answer = sim_expect_json (sim, "POST", path, cases[i].body, 200);

      ports[i] = json_object_get_int_member (answer, "port");
      g_assert_cmpint (ports[i], >, 0);
      /* The port is held for the proxy, so nobody else can take it. */
      g_assert_true (port_is_taken ((guint16) ports[i]));
      sim_assert_matches (":[0-9]+$", json_object_get_string_member (answer, "url"));
      sim_assert_matches (SIM_TIME_PATTERN, json_object_get_string_member (answer, "expires_at"));
    }

  tunnels = sim_expect_json (sim, "GET", "/api/tunnels", NULL, 200);
  list = json_object_get_array_member (tunnels, "tunnels");
  g_assert_cmpuint (json_array_get_length (list), ==, G_N_ELEMENTS (cases));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      JsonObject *tunnel = json_array_get_object_element (list, i);

      g_assert_cmpstr (json_object_get_string_member (tunnel, "device_key"), ==, "a.b_c-1");
      g_assert_cmpstr (json_object_get_string_member (tunnel, "service"), ==, cases[i].service);
      g_assert_cmpint (json_object_get_int_member (tunnel, "port"), ==, ports[i]);
      g_assert_cmpint (json_object_get_int_member (tunnel, "local_port"), ==, cases[i].local_port);
      sim_assert_matches (SIM_TIME_PATTERN, json_object_get_string_member (tunnel, "expires_at"));
    }
  device = sim_expect_json (sim, "GET", "/api/devices/a.b_c-1", NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (device, "services")),
                    ==, G_N_ELEMENTS (cases));

  /* Deleting the device ends its tunnels and frees the ports. */
  g_clear_pointer (&device, json_object_unref);
  device = sim_expect_json (sim, "DELETE", "/api/devices/a.b_c-1", NULL, 200);
  g_clear_pointer (&tunnels, json_object_unref);
  tunnels = sim_expect_json (sim, "GET", "/api/tunnels", NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (tunnels, "tunnels")), ==, 0);
  g_assert_false (port_is_taken ((guint16) ports[0]));
}

static void
test_service_range_exhausted (void)
{
  guint16 port = free_port ();
  g_autofree char *range = g_strdup_printf ("%u-%u", port, port);
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--tunnel-ports", range, NULL);
  g_autofree char *key = umt_test_sim_create_device (sim, NULL, NULL);
  g_autofree char *authorize = sim_device_path (key, "/authorize");
  g_autofree char *path = sim_device_path (key, "/service");
  g_autoptr(JsonObject) authorized = sim_expect_json (sim, "PUT", authorize, "{\"authorized\":1}", 200);
  g_autoptr(JsonObject) first = sim_expect_json (sim, "POST", path, "{\"service\":\"ssh\"}", 200);

  g_assert_cmpint (json_object_get_int_member (first, "port"), ==, port);
  sim_expect_error (sim, "POST", path, "{\"service\":\"http\"}", 503, "No available port in range");
}

static void
test_tunnel_status (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autofree char *key = umt_test_sim_create_device (sim, NULL, NULL);
  g_autofree char *path = sim_device_path (key, "/tunnel-status");
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) record = NULL;
  JsonObject *status;

  sim_expect_error (sim, "POST", path, "{\"port\":22}", 400, "Missing service param");
  answer = sim_expect_json (sim, "POST", path,
                        "{\"service\":\"ssh\",\"port\":22,\"url\":\"ssh://x\",\"upnp\":false,\"error\":null}",
                        200);
  g_assert_true (json_object_get_boolean_member (answer, "ok"));
  status = json_object_get_object_member (answer, "status");
  g_assert_cmpstr (json_object_get_string_member (status, "service"), ==, "ssh");
  g_assert_cmpint (json_object_get_int_member (status, "port"), ==, 22);
  g_assert_false (json_object_get_boolean_member (status, "upnp"));
  record = umt_test_sim_get_device (sim, key);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (record, "tunnel_status"), "url"), ==, "ssh://x");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/meeting-sim/ssh-key", test_ssh_key);
  g_test_add_func ("/meeting-sim/ssh-hostkey", test_ssh_hostkey);
  g_test_add_func ("/meeting-sim/service-and-tunnels", test_service_and_tunnels);
  g_test_add_func ("/meeting-sim/service-range-exhausted", test_service_range_exhausted);
  g_test_add_func ("/meeting-sim/tunnel-status", test_tunnel_status);

  return g_test_run ();
}
