/* test-meeting-parse.c: the strict parsers of the Meeting server's answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-meeting-parse"

#include "config.h"

#include <string.h>

#include "umt-meeting-client.h"

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = umt_meeting_parse_json (text, strlen (text), &error);

  g_assert_no_error (error);
  return node;
}

/* Asserts a PROTOCOL error whose message names @member. */
static void
assert_protocol_error (GError     *error,
                       const char *member)
{
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL);
  if (member != NULL)
    g_assert_nonnull (strstr (error->message, member));
}

static void
test_parse_json_malformed (void)
{
  const char *bad[] = { "{\"ok\":tru", "<html>Not Found</html>", "" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = umt_meeting_parse_json (bad[i], strlen (bad[i]), &error);

      g_assert_null (node);
      assert_protocol_error (error, NULL);
    }
}

static void
test_parse_api_info (void)
{
  g_autoptr(JsonNode) good = parse ("{\"status\":\"Meeting API ready\",\"version\":\"3.3.1\"}");
  g_autoptr(JsonNode) no_version = parse ("{\"status\":\"Meeting API ready\"}");
  g_autoptr(JsonNode) hostile = parse ("{\"status\":\"ready\","
                                       "\"version\":\"\\u001b[2J\\u009b[31m3.3.1\\r\\u0007\"}");
  g_autoptr(JsonNode) array = parse ("[1,2]");
  g_autoptr(UmtMeetingApiInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = umt_meeting_api_info_from_json (good, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->status, ==, "Meeting API ready");
  g_assert_cmpstr (info->version, ==, "3.3.1");
  g_clear_pointer (&info, umt_meeting_api_info_unref);

  /* What `umt status` prints must not drive the terminal. */
  info = umt_meeting_api_info_from_json (hostile, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->version, ==, " [2J [31m3.3.1  ");

  g_assert_null (umt_meeting_api_info_from_json (no_version, &error));
  assert_protocol_error (error, "version");
  g_clear_error (&error);

  g_assert_null (umt_meeting_api_info_from_json (array, &error));
  assert_protocol_error (error, "not a JSON object");
}

static void
test_parse_registration (void)
{
  g_autoptr(JsonNode) good = parse ("{\"ok\":true,\"message\":\"Device registered\"}");
  g_autoptr(JsonNode) refused = parse ("{\"ok\":false,\"message\":\"Token burned\"}");
  g_autoptr(JsonNode) no_ok = parse ("{\"message\":\"hello\"}");
  g_autoptr(JsonNode) bad_message = parse ("{\"ok\":true,\"message\":42}");
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  g_autoptr(GError) error = NULL;

  registration = umt_meeting_registration_from_json (good, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (registration->message, ==, "Device registered");
  g_assert_false (registration->used_fallback);

  g_assert_null (umt_meeting_registration_from_json (refused, &error));
  assert_protocol_error (error, "Token burned");
  g_clear_error (&error);

  g_assert_null (umt_meeting_registration_from_json (no_ok, &error));
  assert_protocol_error (error, "ok");
  g_clear_error (&error);

  g_assert_null (umt_meeting_registration_from_json (bad_message, &error));
  assert_protocol_error (error, "message");
}

static void
test_parse_heartbeat (void)
{
  g_autoptr(JsonNode) good = parse ("{\"ok\":true,\"ip_address\":\"10.0.0.5\","
                                    "\"last_seen\":\"2024-01-15 14:30:45\"}");
  g_autoptr(JsonNode) minimal = parse ("{\"ok\":true}");
  g_autoptr(JsonNode) bad_ip = parse ("{\"ok\":true,\"ip_address\":[\"10.0.0.5\"]}");
  g_autoptr(UmtMeetingHeartbeat) beat = NULL;
  g_autoptr(UmtMeetingHeartbeat) bare = NULL;
  g_autoptr(GError) error = NULL;

  beat = umt_meeting_heartbeat_from_json (good, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (beat->ip_address, ==, "10.0.0.5");
  g_assert_cmpstr (beat->last_seen, ==, "2024-01-15 14:30:45");

  bare = umt_meeting_heartbeat_from_json (minimal, &error);
  g_assert_no_error (error);
  g_assert_null (bare->ip_address);
  g_assert_null (bare->last_seen);

  g_assert_null (umt_meeting_heartbeat_from_json (bad_ip, &error));
  assert_protocol_error (error, "ip_address");
}

static void
test_parse_device (void)
{
  /* A PHP server may send database columns as strings. */
  g_autoptr(JsonNode) good = parse ("{\"device_key\":\"ABC\",\"authorized\":\"1\",\"token_count\":\"3\","
                                    "\"device_type\":\"linux\",\"distribution\":null,"
                                    "\"last_seen\":\"2024-01-15 14:30:45\","
                                    "\"services\":[\"ssh\",\"vnc\"]}");
  g_autoptr(JsonNode) services_object = parse ("{\"device_key\":\"ABC\",\"authorized\":false,"
                                               "\"services\":{\"ssh\":1,\"http\":0,\"vnc\":true}}");
  g_autoptr(JsonNode) no_key = parse ("{\"authorized\":1}");
  g_autoptr(JsonNode) bad_authorized = parse ("{\"device_key\":\"ABC\",\"authorized\":\"yes\"}");
  g_autoptr(JsonNode) bad_services = parse ("{\"device_key\":\"ABC\",\"services\":[1]}");
  g_autoptr(JsonNode) bad_count = parse ("{\"device_key\":\"ABC\",\"token_count\":1.5}");
  g_autoptr(UmtMeetingDevice) device = NULL;
  g_autoptr(UmtMeetingDevice) other = NULL;
  g_autoptr(GError) error = NULL;
  const char *expected[] = { "ssh", "vnc", NULL };

  device = umt_meeting_device_from_json (good, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (device->device_key, ==, "ABC");
  g_assert_true (device->authorized);
  g_assert_cmpint (device->token_count, ==, 3);
  g_assert_cmpstr (device->device_type, ==, "linux");
  g_assert_null (device->distribution);
  g_assert_cmpstrv (device->services, expected);

  other = umt_meeting_device_from_json (services_object, &error);
  g_assert_no_error (error);
  g_assert_false (other->authorized);
  g_assert_cmpint (other->token_count, ==, -1);
  g_assert_true (g_strv_contains ((const char * const *) other->services, "ssh"));
  g_assert_true (g_strv_contains ((const char * const *) other->services, "vnc"));
  g_assert_false (g_strv_contains ((const char * const *) other->services, "http"));

  g_assert_null (umt_meeting_device_from_json (no_key, &error));
  assert_protocol_error (error, "device_key");
  g_clear_error (&error);
  g_assert_null (umt_meeting_device_from_json (bad_authorized, &error));
  assert_protocol_error (error, "authorized");
  g_clear_error (&error);
  g_assert_null (umt_meeting_device_from_json (bad_services, &error));
  assert_protocol_error (error, "services");
  g_clear_error (&error);
  g_assert_null (umt_meeting_device_from_json (bad_count, &error));
  assert_protocol_error (error, "token_count");
}

static void
test_parse_availability (void)
{
  g_autoptr(JsonNode) available = parse ("{\"status\":\"Available\",\"last_heartbeat\":\"2024-01-15 14:30:45\","
                                         "\"since\":\"2024-01-15 14:00:00\",\"uptime\":1845}");
  g_autoptr(JsonNode) unknown = parse ("{\"status\":\"Unknown\",\"last_heartbeat\":null,"
                                       "\"since\":null,\"uptime\":null}");
  g_autoptr(JsonNode) bad_status = parse ("{\"status\":\"Online\"}");
  g_autoptr(JsonNode) bad_uptime = parse ("{\"status\":\"Available\",\"uptime\":{}}");
  g_autoptr(UmtMeetingAvailability) up = NULL;
  g_autoptr(UmtMeetingAvailability) nothing = NULL;
  g_autoptr(GError) error = NULL;

  up = umt_meeting_availability_from_json (available, &error);
  g_assert_no_error (error);
  g_assert_cmpint (up->status, ==, UMT_MEETING_AVAILABILITY_AVAILABLE);
  g_assert_cmpstr (up->uptime, ==, "1845");
  g_assert_cmpstr (up->since, ==, "2024-01-15 14:00:00");

  nothing = umt_meeting_availability_from_json (unknown, &error);
  g_assert_no_error (error);
  g_assert_cmpint (nothing->status, ==, UMT_MEETING_AVAILABILITY_UNKNOWN);
  g_assert_null (nothing->last_heartbeat);
  g_assert_null (nothing->uptime);

  g_assert_null (umt_meeting_availability_from_json (bad_status, &error));
  assert_protocol_error (error, "status");
  g_clear_error (&error);
  g_assert_null (umt_meeting_availability_from_json (bad_uptime, &error));
  assert_protocol_error (error, "uptime");
}

static void
test_parse_last_seen (void)
{
  g_autoptr(JsonNode) good = parse ("{\"device_key\":\"K\",\"last_seen\":null}");
  g_autoptr(JsonNode) bad = parse ("{\"last_seen\":\"2024-01-15 14:30:45\"}");
  g_autoptr(UmtMeetingLastSeen) seen = NULL;
  g_autoptr(GError) error = NULL;

  seen = umt_meeting_last_seen_from_json (good, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (seen->device_key, ==, "K");
  g_assert_null (seen->last_seen);

  g_assert_null (umt_meeting_last_seen_from_json (bad, &error));
  assert_protocol_error (error, "device_key");
}

static void
test_parse_tunnels (void)
{
  g_autoptr(JsonNode) good = parse ("{\"tunnels\":[{\"device_key\":\"K\",\"service\":\"ssh\",\"port\":9050,"
                                    "\"local_port\":22,\"expires_at\":null},"
                                    "{\"device_key\":\"K\",\"service\":\"http\",\"port\":\"9051\"}]}");
  g_autoptr(JsonNode) empty = parse ("{\"tunnels\":[]}");
  g_autoptr(JsonNode) missing = parse ("{}");
  g_autoptr(JsonNode) bad_port = parse ("{\"tunnels\":[{\"device_key\":\"K\",\"service\":\"ssh\",\"port\":70000}]}");
  g_autoptr(JsonNode) no_service = parse ("{\"tunnels\":[{\"device_key\":\"K\",\"port\":9050}]}");
  g_autoptr(GPtrArray) tunnels = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;
  UmtMeetingTunnel *tunnel;

  tunnels = umt_meeting_tunnels_from_json (good, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tunnels->len, ==, 2);
  tunnel = g_ptr_array_index (tunnels, 0);
  g_assert_cmpstr (tunnel->service, ==, "ssh");
  g_assert_cmpuint (tunnel->port, ==, 9050);
  g_assert_cmpuint (tunnel->local_port, ==, 22);
  tunnel = g_ptr_array_index (tunnels, 1);
  g_assert_cmpuint (tunnel->port, ==, 9051);
  g_assert_cmpuint (tunnel->local_port, ==, 0);

  none = umt_meeting_tunnels_from_json (empty, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);

  g_assert_null (umt_meeting_tunnels_from_json (missing, &error));
  assert_protocol_error (error, "tunnels");
  g_clear_error (&error);
  g_assert_null (umt_meeting_tunnels_from_json (bad_port, &error));
  assert_protocol_error (error, "port");
  g_clear_error (&error);
  g_assert_null (umt_meeting_tunnels_from_json (no_service, &error));
  assert_protocol_error (error, "service");
}

static void
test_parse_generated_key (void)
{
  g_autoptr(JsonNode) good = parse ("{\"devicekey\":\"0123456789ABCDEF0123456789ABCDEF\",\"token_code\":\"ABC123\"}");
  g_autoptr(JsonNode) bad = parse ("{\"device_key\":\"K\",\"token_code\":\"ABC123\"}");
  g_autoptr(UmtMeetingGeneratedKey) key = NULL;
  g_autoptr(GError) error = NULL;

  key = umt_meeting_generated_key_from_json (good, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key->device_key, ==, "0123456789ABCDEF0123456789ABCDEF");
  g_assert_cmpstr (key->token_code, ==, "ABC123");

  g_assert_null (umt_meeting_generated_key_from_json (bad, &error));
  assert_protocol_error (error, "devicekey");
}

static void
test_parse_service_grant (void)
{
  g_autoptr(JsonNode) good = parse ("{\"port\":9052,\"url\":\"ssh://meeting:9052\",\"expires_at\":\"2024-01-15 15:00:00\"}");
  g_autoptr(JsonNode) no_port = parse ("{\"url\":\"x\"}");
  g_autoptr(UmtMeetingServiceGrant) grant = NULL;
  g_autoptr(GError) error = NULL;

  grant = umt_meeting_service_grant_from_json (good, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (grant->port, ==, 9052);
  g_assert_cmpstr (grant->url, ==, "ssh://meeting:9052");

  g_assert_null (umt_meeting_service_grant_from_json (no_port, &error));
  assert_protocol_error (error, "port");
}

static void
test_parse_check_ok (void)
{
  g_autoptr(JsonNode) ok = parse ("{\"ok\":true,\"status\":{}}");
  g_autoptr(JsonNode) success = parse ("{\"success\":true}");
  g_autoptr(JsonNode) refused = parse ("{\"success\":false,\"error\":\"nope\"}");
  g_autoptr(JsonNode) bad = parse ("{\"ok\":\"maybe\"}");
  g_autoptr(GError) error = NULL;

  g_assert_true (umt_meeting_check_ok (ok, &error));
  g_assert_true (umt_meeting_check_ok (success, &error));
  g_assert_no_error (error);
  g_assert_false (umt_meeting_check_ok (refused, &error));
  assert_protocol_error (error, "nope");
  g_clear_error (&error);
  g_assert_false (umt_meeting_check_ok (bad, &error));
  assert_protocol_error (error, "ok");
}

static void
test_parse_pubkey (void)
{
  const char *good = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG device@host\n";
  const char *not_found = "{\"status\":\"not_found\"}";
  const char *html = "<html>hello</html>";
  const char *two = "ssh-ed25519 AAAA a\nssh-rsa BBBB b\n";
  const char binary[] = "ssh-ed25519 AA\0AA";
  g_autofree char *key = NULL;
  g_autoptr(GError) error = NULL;

  key = umt_meeting_pubkey_from_text (good, strlen (good), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG device@host");

  g_assert_null (umt_meeting_pubkey_from_text (not_found, strlen (not_found), &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (umt_meeting_pubkey_from_text (html, strlen (html), &error));
  assert_protocol_error (error, NULL);
  g_clear_error (&error);
  g_assert_null (umt_meeting_pubkey_from_text (two, strlen (two), &error));
  assert_protocol_error (error, NULL);
  g_clear_error (&error);
  g_assert_null (umt_meeting_pubkey_from_text (binary, sizeof binary - 1, &error));
  assert_protocol_error (error, NULL);
}

static void
test_parse_hostkeys (void)
{
  const char *good = "# meeting.example.org:22 SSH-2.0\n"
                     "meeting.example.org ssh-ed25519 AAAAC3Nz\n"
                     "meeting.example.org ecdsa-sha2-nistp256 AAAAE2Vj\n\n";
  const char *short_line = "meeting.example.org ssh-ed25519\n";
  const char *empty = "\n\n";
  g_autofree char *keys = NULL;
  g_autoptr(GError) error = NULL;

  keys = umt_meeting_hostkeys_from_text (good, strlen (good), &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (keys, "ecdsa-sha2-nistp256 AAAAE2Vj"));
  g_assert_nonnull (strstr (keys, "meeting.example.org ssh-ed25519 AAAAC3Nz\n"));

  g_assert_null (umt_meeting_hostkeys_from_text (short_line, strlen (short_line), &error));
  assert_protocol_error (error, "line 1");
  g_clear_error (&error);
  g_assert_null (umt_meeting_hostkeys_from_text (empty, strlen (empty), &error));
  assert_protocol_error (error, "no host keys");
}

static void
test_parse_boxed_types (void)
{
  g_autoptr(JsonNode) node = parse ("{\"status\":\"a\",\"version\":\"b\"}");
  g_autoptr(UmtMeetingApiInfo) info = umt_meeting_api_info_from_json (node, NULL);
  UmtMeetingApiInfo *copy;

  /* Boxed, so that they can travel in GValues and signals. */
  g_assert_true (G_TYPE_IS_BOXED (UMT_TYPE_MEETING_API_INFO));
  g_assert_true (G_TYPE_IS_BOXED (UMT_TYPE_MEETING_DEVICE));
  copy = g_boxed_copy (UMT_TYPE_MEETING_API_INFO, info);
  g_assert_true (copy == info);
  g_boxed_free (UMT_TYPE_MEETING_API_INFO, copy);
  g_assert_cmpstr (info->version, ==, "b");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/meeting-parse/json-malformed", test_parse_json_malformed);
  g_test_add_func ("/meeting-parse/api-info", test_parse_api_info);
  g_test_add_func ("/meeting-parse/registration", test_parse_registration);
  g_test_add_func ("/meeting-parse/heartbeat", test_parse_heartbeat);
  g_test_add_func ("/meeting-parse/device", test_parse_device);
  g_test_add_func ("/meeting-parse/availability", test_parse_availability);
  g_test_add_func ("/meeting-parse/last-seen", test_parse_last_seen);
  g_test_add_func ("/meeting-parse/tunnels", test_parse_tunnels);
  g_test_add_func ("/meeting-parse/generated-key", test_parse_generated_key);
  g_test_add_func ("/meeting-parse/service-grant", test_parse_service_grant);
  g_test_add_func ("/meeting-parse/check-ok", test_parse_check_ok);
  g_test_add_func ("/meeting-parse/pubkey", test_parse_pubkey);
  g_test_add_func ("/meeting-parse/hostkeys", test_parse_hostkeys);
  g_test_add_func ("/meeting-parse/boxed-types", test_parse_boxed_types);

  return g_test_run ();
}
