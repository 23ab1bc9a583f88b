/* test-meeting-sim.c: meeting-sim answers the device routes as meeting-api.md says
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-meeting-sim"

#include "config.h"

#include <string.h>

#include "test-sim-reply.h"

static void
test_api_root (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autoptr(JsonObject) root = sim_expect_json (sim, "GET", "/api", NULL, 200);

  g_assert_cmpstr (json_object_get_string_member (root, "status"), ==, "Meeting API ready");
  g_assert_cmpstr (json_object_get_string_member (root, "version"), ==, "3.3.1");
  sim_expect_no_route (sim, "GET", "/api/nothing-here", NULL);
  sim_expect_no_route (sim, "POST", "/api", "{}");
  sim_expect_no_route (sim, "GET", "/api/devices/K/register", NULL);
}

static void
test_generate_and_create (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autoptr(JsonObject) generated = sim_expect_json (sim, "GET", "/api/devices/generate-key", NULL, 200);
  g_autoptr(JsonObject) created = NULL;
  g_autofree char *request = NULL;

  sim_assert_matches ("^[0-9A-F]{32}$", json_object_get_string_member (generated, "devicekey"));
  sim_assert_matches ("^[0-9A-F]{6}$", json_object_get_string_member (generated, "token_code"));

  request = g_strdup_printf ("{\"devicekey\":\"%s\",\"token_code\":\"ab12cd\","
                             "\"device_type\":\"linux\",\"distribution\":\"debian\","
                             "\"product_serial\":\"SN-1\"}",
                             json_object_get_string_member (generated, "devicekey"));
  created = sim_expect_json (sim, "POST", "/api/devices/manual-create", request, 200);
  g_assert_cmpstr (json_object_get_string_member (created, "devicekey"), ==,
                   json_object_get_string_member (generated, "devicekey"));
  g_assert_cmpstr (json_object_get_string_member (created, "token_code"), ==, "AB12CD");
  g_assert_cmpstr (json_object_get_string_member (created, "device_type"), ==, "linux");
  g_assert_cmpstr (json_object_get_string_member (created, "distribution"), ==, "debian");
  g_assert_cmpstr (json_object_get_string_member (created, "product_serial"), ==, "SN-1");
  for (guint i = 0; i < 5; i++)
    {
      static const char * const members[] = {
        "ap_ssid", "ap_password", "http_pw_low", "http_pw_medium", "http_pw_high",
      };
      g_assert_true (json_object_has_member (created, members[i]));
    }

  sim_expect_error (sim, "POST", "/api/devices/manual-create", request, 409, "Device already exists");
  sim_expect_error (sim, "POST", "/api/devices/manual-create",
                "{\"devicekey\":\"K1\",\"token_code\":\"ABC123\",\"device_type\":\"linux\"}",
                400, "Missing devicekey, token_code, device_type or distribution");
  sim_expect_error (sim, "POST", "/api/devices/manual-create",
                "{\"devicekey\":\"bad key\",\"token_code\":\"ABC123\","
                "\"device_type\":\"linux\",\"distribution\":\"debian\"}",
                400, "Invalid devicekey");
  sim_expect_error (sim, "POST", "/api/devices/manual-create",
                "{\"devicekey\":\"K1\",\"token_code\":\"XYZ\","
                "\"device_type\":\"linux\",\"distribution\":\"debian\"}",
                400, "Invalid token_code");
  sim_expect_error (sim, "POST", "/api/devices/manual-create", "not json", 400, "Invalid JSON body");
}

static void
test_device_get_delete_authorize (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autofree char *token = NULL;
  g_autofree char *key = umt_test_sim_create_device (sim, "a.b_c-1", &token);
  g_autofree char *path = sim_device_path (key, "");
  g_autofree char *authorize = sim_device_path (key, "/authorize");
  g_autoptr(JsonObject) device = sim_expect_json (sim, "GET", path, NULL, 200);
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) after = NULL;

  g_assert_cmpstr (json_object_get_string_member (device, "device_key"), ==, "a.b_c-1");
  g_assert_cmpint (json_object_get_int_member (device, "authorized"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (device, "device_type"), ==, "linux");
  g_assert_cmpstr (json_object_get_string_member (device, "distribution"), ==, "debian");
  g_assert_true (json_object_has_member (device, "token_count"));
  g_assert_true (json_object_get_null_member (device, "last_seen"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (device, "services")), ==, 0);

  answer = sim_expect_json (sim, "PUT", authorize, "{\"authorized\":1}", 200);
  g_assert_true (json_object_get_boolean_member (answer, "success"));
  g_assert_cmpint (json_object_get_int_member (answer, "authorized"), ==, 1);
  after = sim_expect_json (sim, "GET", path, NULL, 200);
  g_assert_cmpint (json_object_get_int_member (after, "authorized"), ==, 1);
  sim_expect_error (sim, "PUT", authorize, "{\"authorized\":2}", 400, "authorized must be 0 or 1");
  sim_expect_error (sim, "PUT", authorize, "{}", 400, "Missing authorized");
  sim_expect_error (sim, "PUT", "/api/devices/nope/authorize", "{\"authorized\":1}", 404, "Device not found");

  g_clear_pointer (&answer, json_object_unref);
  answer = sim_expect_json (sim, "DELETE", path, NULL, 200);
  g_assert_true (json_object_get_boolean_member (answer, "success"));
  sim_expect_error (sim, "GET", path, NULL, 404, "Device not found");
  sim_expect_error (sim, "DELETE", path, NULL, 404, "Device not found");
  g_assert_null (umt_test_sim_get_device (sim, key));
}

static void
test_register (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autofree char *token = NULL;
  g_autofree char *key = umt_test_sim_create_device (sim, "a.b_c-1", &token);
  g_autofree char *path = sim_device_path (key, "/register");
  g_autofree char *good = g_strdup_printf ("{\"token_code\":\"%s\",\"hostname\":\"box\","
                                           "\"mac\":\"00:11:22:aa:bb:cc\",\"note\":\"first\"}",
                                           token);
  g_autofree char *bad_mac = g_strdup_printf ("{\"token_code\":\"%s\",\"mac\":\"00:11\"}", token);
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) answer = NULL;

  sim_expect_error (sim, "POST", "/api/devices/unknown/register", good, 404, "Device not found");
  sim_expect_error (sim, "POST", path, "{\"token_code\":\"000000\"}", 401, "Invalid or expired token");
  sim_expect_error (sim, "POST", path, "{}", 401, "Invalid or expired token");
  sim_expect_error (sim, "POST", path, bad_mac, 400, "Invalid MAC address");

  record = umt_test_sim_get_device (sim, key);
  g_assert_false (json_object_get_boolean_member (record, "registered"));
  g_assert_false (json_object_get_boolean_member (record, "token_burned"));
  g_clear_pointer (&record, json_object_unref);

  /* An escaped "." names the same device. */
  answer = sim_expect_json (sim, "POST", "/api/devices/a%2Eb_c-1/register", good, 200);
  g_assert_true (json_object_get_boolean_member (answer, "ok"));
  g_assert_true (json_object_has_member (answer, "message"));

  record = umt_test_sim_get_device (sim, key);
  g_assert_true (json_object_get_boolean_member (record, "registered"));
  g_assert_true (json_object_get_boolean_member (record, "token_burned"));
  sim_assert_matches (SIM_TIME_PATTERN, json_object_get_string_member (record, "registered_at"));
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (record, "registration_body"), "hostname"),
                   ==, "box");
  g_assert_cmpstr (json_object_get_string_member (record, "mac"), ==, "00:11:22:aa:bb:cc");

  /* The token is burned: even the right one is refused now. */
  sim_expect_error (sim, "POST", path, good, 409, "Device already registered");
}

static void
test_register_nested_device_info (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autofree char *token = NULL;
  g_autofree char *key = umt_test_sim_create_device (sim, NULL, &token);
  g_autofree char *path = sim_device_path (key, "/register");
  g_autofree char *bad = g_strdup_printf ("{\"token_code\":\"%s\",\"device_info\":"
                                          "{\"ip_address\":\"1.2.3.999\"}}", token);
  g_autofree char *good = g_strdup_printf ("{\"token_code\":\"%s\",\"device_info\":"
                                           "{\"ip_address\":\"10.0.0.7\",\"ip_lan\":\"fe80::1\"}}",
                                           token);
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) record = NULL;

  sim_expect_error (sim, "POST", path, bad, 400, "Invalid IP address");
  answer = sim_expect_json (sim, "POST", path, good, 200);
  record = umt_test_sim_get_device (sim, key);
  g_assert_true (json_object_get_boolean_member (record, "registered"));
  g_assert_cmpstr (json_object_get_string_member (record, "ip_address"), ==, "10.0.0.7");
  g_assert_cmpstr (json_object_get_string_member (record, "ip_lan"), ==, "fe80::1");
}

static void
test_online (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autofree char *key = umt_test_sim_create_device (sim, "a.b_c-1", NULL);
  g_autofree char *path = sim_device_path (key, "/online");
  g_autofree char *long_note = NULL;
  g_autofree char *max_note = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(SimReply) reply = NULL;
  char note[2002];

  sim_expect_error (sim, "POST", "/api/devices/unknown/online", "{}", 404, "Device not found");
  sim_expect_error (sim, "POST", "/api/status/unknown/online", "{}", 404, "Device not found");
  sim_expect_error (sim, "POST", path, "{\"ip_address\":\"256.1.1.1\"}", 400, "Invalid IP address");
  sim_expect_error (sim, "POST", path, "{\"ip_public\":\"example.org\"}", 400, "Invalid IP address");
  sim_expect_error (sim, "POST", path, "{\"cluster_ip\":\"1::2::3\"}", 400, "Invalid IP address");
  sim_expect_error (sim, "POST", path, "{\"mac\":\"00-11-22-33-44-55\"}", 400, "Invalid MAC address");
  memset (note, 'n', 2001);
  note[2001] = '\0';
  long_note = g_strdup_printf ("{\"note\":\"%s\"}", note);
  note[2000] = '\0';
  max_note = g_strdup_printf ("{\"note\":\"%s\"}", note);
  sim_expect_error (sim, "POST", path, long_note, 400, "Note too long (max 2000 characters)");
  sim_expect_error (sim, "POST", path, "{\"ip_address\":", 400, "Invalid JSON body");

  record = umt_test_sim_get_device (sim, key);
  g_assert_cmpint (json_object_get_int_member (record, "heartbeat_count"), ==, 0);
  g_clear_pointer (&record, json_object_unref);

  /* No ip_address: the server takes the connection's address. */
  answer = sim_expect_json (sim, "POST", path, NULL, 200);
  g_assert_true (json_object_get_boolean_member (answer, "ok"));
  g_assert_cmpstr (json_object_get_string_member (answer, "ip_address"), ==, "127.0.0.1");
  sim_assert_matches (SIM_TIME_PATTERN, json_object_get_string_member (answer, "last_seen"));
  g_clear_pointer (&answer, json_object_unref);

  answer = sim_expect_json (sim, "POST", path, max_note, 200);
  g_clear_pointer (&answer, json_object_unref);

  /* The alias, with every field and a header to find in the record. */
  reply = sim_send_full (sim, NULL, "POST", "/api/status/a.b_c-1/online",
                     "{\"ip_address\":\"2001:db8::5\",\"ip_lan\":\"192.168.1.5\","
                     "\"ip_public\":\"203.0.113.9\",\"mac\":\"AA:bb:CC:dd:EE:ff\","
                     "\"cluster_ip\":\"\",\"note\":\"hello\",\"services\":{\"ssh\":1}}",
                     "X-Test-Header", "here");
  g_assert_no_error (reply->error);
  g_assert_cmpuint (reply->status, ==, 200);
  answer = sim_parse_object (reply->body);
  g_assert_cmpstr (json_object_get_string_member (answer, "ip_address"), ==, "2001:db8::5");

  record = umt_test_sim_get_device (sim, key);
  g_assert_cmpint (json_object_get_int_member (record, "heartbeat_count"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (record, "last_heartbeat"), "note"), ==, "hello");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (record, "last_heartbeat_headers"),
                     "X-Test-Header"), ==, "here");
  g_assert_cmpstr (json_object_get_string_member (record, "ip_address"), ==, "2001:db8::5");
  g_assert_cmpstr (json_object_get_string_member (record, "mac"), ==, "AA:bb:CC:dd:EE:ff");
  g_assert_cmpstr (json_object_get_string_member (record, "last_seen"), ==,
                   json_object_get_string_member (answer, "last_seen"));
  /* A heartbeat does not register. */
  g_assert_false (json_object_get_boolean_member (record, "registered"));
}

static void
check_registration_by_heartbeat (UmtTestSim *sim)
{
  g_autofree char *token = NULL;
  g_autofree char *key = umt_test_sim_create_device (sim, NULL, &token);
  g_autofree char *path = sim_device_path (key, "/online");
  g_autofree char *good = g_strdup_printf ("{\"token_code\":\"%s\",\"note\":\"hi\"}", token);
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) record = NULL;

  /* A wrong token is ignored like any unknown field: the beat counts, no registration. */
  answer = sim_expect_json (sim, "POST", path, "{\"token_code\":\"000000\"}", 200);
  record = umt_test_sim_get_device (sim, key);
  g_assert_false (json_object_get_boolean_member (record, "registered"));
  g_assert_cmpint (json_object_get_int_member (record, "heartbeat_count"), ==, 1);
  g_clear_pointer (&record, json_object_unref);
  g_clear_pointer (&answer, json_object_unref);

  answer = sim_expect_json (sim, "POST", path, good, 200);
  g_assert_true (json_object_get_boolean_member (answer, "ok"));
  record = umt_test_sim_get_device (sim, key);
  g_assert_true (json_object_get_boolean_member (record, "registered"));
  g_assert_true (json_object_get_boolean_member (record, "token_burned"));
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (record, "registration_body"), "note"), ==, "hi");
}

static void
test_register_by_heartbeat (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);

  check_registration_by_heartbeat (sim);
}

static void
test_no_register_endpoint (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--no-register-endpoint", NULL);
  g_autofree char *token = NULL;
  g_autofree char *key = umt_test_sim_create_device (sim, NULL, &token);
  g_autofree char *path = sim_device_path (key, "/register");
  g_autofree char *body = g_strdup_printf ("{\"token_code\":\"%s\"}", token);
  g_autoptr(JsonObject) record = NULL;

  /* Like a server without the route: plain "Not Found", not the JSON device error. */
  sim_expect_no_route (sim, "POST", path, body);
  sim_expect_no_route (sim, "POST", "/api/devices/unknown/register", body);
  record = umt_test_sim_get_device (sim, key);
  g_assert_false (json_object_get_boolean_member (record, "token_burned"));

  check_registration_by_heartbeat (sim);
}

static void
test_availability (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--availability-timeout", "1", NULL);
  g_autofree char *key = umt_test_sim_create_device (sim, NULL, NULL);
  g_autofree char *path = sim_device_path (key, "/availability");
  g_autofree char *online = sim_device_path (key, "/online");
  g_autoptr(JsonObject) unknown = sim_expect_json (sim, "GET", "/api/devices/unknown/availability", NULL, 200);
  g_autoptr(JsonObject) never = sim_expect_json (sim, "GET", path, NULL, 200);
  g_autoptr(JsonObject) beat = sim_expect_json (sim, "POST", online, "{}", 200);
  g_autoptr(JsonObject) available = sim_expect_json (sim, "GET", path, NULL, 200);
  g_autoptr(JsonObject) disconnected = NULL;

  g_assert_cmpstr (json_object_get_string_member (unknown, "status"), ==, "Unknown");
  g_assert_true (json_object_get_null_member (unknown, "last_heartbeat"));
  g_assert_cmpstr (json_object_get_string_member (never, "status"), ==, "Unknown");

  g_assert_cmpstr (json_object_get_string_member (available, "status"), ==, "Available");
  g_assert_cmpstr (json_object_get_string_member (available, "last_heartbeat"), ==,
                   json_object_get_string_member (beat, "last_seen"));
  sim_assert_matches (SIM_TIME_PATTERN, json_object_get_string_member (available, "since"));
  g_assert_cmpint (json_object_get_int_member (available, "uptime"), >=, 0);

  g_usleep (2200 * G_TIME_SPAN_MILLISECOND);
  disconnected = sim_expect_json (sim, "GET", path, NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (disconnected, "status"), ==, "Disconnected");
  g_assert_cmpstr (json_object_get_string_member (disconnected, "last_heartbeat"), ==,
                   json_object_get_string_member (beat, "last_seen"));
  g_assert_true (json_object_get_null_member (disconnected, "uptime"));
}

static void
test_last_seen (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autofree char *key = umt_test_sim_create_device (sim, "odd.key_1-x", NULL);
  g_autoptr(JsonObject) before = sim_expect_json (sim, "GET", "/api/status/odd.key_1-x/last-seen", NULL, 200);
  g_autoptr(JsonObject) beat = sim_expect_json (sim, "POST", "/api/devices/odd.key_1-x/online", "{}", 200);
  g_autoptr(JsonObject) after = sim_expect_json (sim, "GET", "/api/status/odd%2Ekey_1-x/last-seen", NULL, 200);

  g_assert_cmpstr (json_object_get_string_member (before, "device_key"), ==, key);
  g_assert_true (json_object_get_null_member (before, "last_seen"));
  g_assert_cmpstr (json_object_get_string_member (after, "last_seen"), ==,
                   json_object_get_string_member (beat, "last_seen"));
  sim_expect_error (sim, "GET", "/api/status/unknown/last-seen", NULL, 404, "Device not found");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/meeting-sim/api-root", test_api_root);
  g_test_add_func ("/meeting-sim/generate-and-create", test_generate_and_create);
  g_test_add_func ("/meeting-sim/device-get-delete-authorize", test_device_get_delete_authorize);
  g_test_add_func ("/meeting-sim/register", test_register);
  g_test_add_func ("/meeting-sim/register-nested-device-info", test_register_nested_device_info);
  g_test_add_func ("/meeting-sim/online", test_online);
  g_test_add_func ("/meeting-sim/register-by-heartbeat", test_register_by_heartbeat);
  g_test_add_func ("/meeting-sim/no-register-endpoint", test_no_register_endpoint);
  g_test_add_func ("/meeting-sim/availability", test_availability);
  g_test_add_func ("/meeting-sim/last-seen", test_last_seen);

  return g_test_run ();
}
