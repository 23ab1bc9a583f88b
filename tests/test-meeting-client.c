/* test-meeting-client.c: UmtMeetingClient against meeting-sim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-meeting-client"

#include "config.h"

#include <string.h>

#include "umt-meeting-client.h"
#include "umt-test-sim.h"

typedef struct
{
  UmtTestSim       *sim;
  UmtMeetingClient *client;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->sim = umt_test_sim_start (NULL, NULL);
  fixture->client = umt_meeting_client_new (fixture->sim->url, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->client);
  g_clear_pointer (&fixture->sim, umt_test_sim_free);
}

/* ---- helpers ---- */

static void
on_result (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

/* Sends @request (taken) through the client's one generic call and waits;
 * @answer_out, a pointer to the answer's type, receives the answer. */
static gboolean
send_request (Fixture            *fixture,
              UmtMeetingRequest  *request,
              gpointer            answer_out,
              GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  umt_meeting_client_send_async (fixture->client, request, NULL, on_result, &result);
  return umt_meeting_client_send_finish (fixture->client, wait_for (&result), answer_out, error);
}

static JsonObject *
new_fields (const char *note)
{
  JsonObject *fields = json_object_new ();

  json_object_set_string_member (fields, "ip_lan", "192.168.1.20");
  json_object_set_string_member (fields, "mac", "00:1A:2B:3C:4D:5E");
  json_object_set_string_member (fields, "note", note);
  return fields;
}

/* The requests the sim received for @path (exact), in order. */
static guint
count_requests (UmtTestSim *sim,
                const char *method,
                const char *path)
{
  g_autoptr(JsonNode) node = umt_test_sim_request (sim, "GET", "/__sim/requests", NULL, NULL);
  JsonArray *requests = json_object_get_array_member (json_node_get_object (node), "requests");
  guint count = 0;

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_str_equal (json_object_get_string_member (request, "method"), method)
          && g_str_equal (json_object_get_string_member (request, "path"), path))
        count++;
    }
  return count;
}

static const char *
find_header (JsonObject *headers,
             const char *name)
{
  g_autoptr(GList) names = json_object_get_members (headers);

  for (const GList *l = names; l != NULL; l = l->next)
    if (g_ascii_strcasecmp (l->data, name) == 0)
      return json_object_get_string_member (headers, l->data);
  return NULL;
}

static void
add_fault (UmtTestSim *sim,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
add_fault (UmtTestSim *sim,
           const char *format,
           ...)
{
  g_autofree char *json = NULL;
  va_list args;

  va_start (args, format);
  json = g_strdup_vprintf (format, args);
  va_end (args);
  umt_test_sim_add_fault (sim, json);
}

/* ---- device endpoints ---- */

static void
test_api_info (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(UmtMeetingApiInfo) info = NULL;
  g_autoptr(UmtMeetingApiInfo) again = NULL;
  g_autoptr(GError) error = NULL;

  info = umt_meeting_client_get_api_info_sync (fixture->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->version, ==, "3.3.1");
  g_assert_cmpstr (info->status, ==, "Meeting API ready");

  g_assert_true (send_request (fixture, umt_meeting_request_get_api_info (), &again, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (again->version, ==, "3.3.1");
}

static void
test_register (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autofree char *key = umt_test_sim_create_device (fixture->sim, NULL, &token);
  g_autofree char *lower = g_ascii_strdown (token, -1);
  g_autoptr(JsonObject) fields = new_fields ("Lab PC");
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *sent;

  /* The user may type the token in lower case; the server wants it upper. */
  g_assert_true (send_request (fixture, umt_meeting_request_register (key, lower, fields),
                               &registration, &error));
  g_assert_no_error (error);
  g_assert_false (registration->used_fallback);
  g_assert_cmpstr (registration->message, ==, "Device registered");

  record = umt_test_sim_get_device (fixture->sim, key);
  g_assert_true (json_object_get_boolean_member (record, "registered"));
  g_assert_true (json_object_get_boolean_member (record, "token_burned"));
  sent = json_object_get_object_member (record, "registration_body");
  g_assert_cmpstr (json_object_get_string_member (sent, "token_code"), ==, token);
  g_assert_cmpstr (json_object_get_string_member (sent, "note"), ==, "Lab PC");
  g_assert_cmpstr (json_object_get_string_member (sent, "mac"), ==, "00:1A:2B:3C:4D:5E");
}

static void
test_register_errors (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autofree char *key = umt_test_sim_create_device (fixture->sim, NULL, &token);
  g_autoptr(JsonObject) bad_mac = json_object_new ();
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (umt_meeting_client_register_sync (fixture->client, "0000NOSUCHDEVICE", token,
                                                   NULL, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "administrator"));
  g_clear_error (&error);

  g_assert_null (umt_meeting_client_register_sync (fixture->client, key, "FFFFFF", NULL, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_INVALID_TOKEN);
  g_assert_nonnull (strstr (error->message, "new token"));
  g_clear_error (&error);

  json_object_set_string_member (bad_mac, "mac", "not-a-mac");
  g_assert_null (umt_meeting_client_register_sync (fixture->client, key, token, bad_mac, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_BAD_REQUEST);
  g_clear_error (&error);

  registration = umt_meeting_client_register_sync (fixture->client, key, token, NULL, NULL, &error);
  g_assert_no_error (error);

  /* The token is burned now. */
  g_assert_null (umt_meeting_client_register_sync (fixture->client, key, token, NULL, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_ALREADY_REGISTERED);
  g_assert_nonnull (strstr (error->message, "new token"));
}

static void
test_register_fallback (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--no-register-endpoint", NULL);
  g_autoptr(UmtMeetingClient) client = umt_meeting_client_new (sim->url, NULL);
  g_autofree char *token = NULL;
  g_autofree char *key = umt_test_sim_create_device (sim, NULL, &token);
  g_autofree char *register_path = g_strdup_printf ("/api/devices/%s/register", key);
  g_autofree char *online_path = g_strdup_printf ("/api/devices/%s/online", key);
  g_autoptr(JsonObject) fields = new_fields ("Fallback PC");
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *sent;

  g_test_expect_message ("umt-meeting-call", G_LOG_LEVEL_MESSAGE, "*no registration route*");
  registration = umt_meeting_client_register_sync (client, key, token, fields, NULL, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_true (registration->used_fallback);

  g_assert_cmpuint (count_requests (sim, "POST", register_path), ==, 1);
  g_assert_cmpuint (count_requests (sim, "POST", online_path), ==, 1);
  record = umt_test_sim_get_device (sim, key);
  g_assert_true (json_object_get_boolean_member (record, "registered"));
  sent = json_object_get_object_member (record, "last_heartbeat");
  g_assert_cmpstr (json_object_get_string_member (sent, "token_code"), ==, token);
  g_assert_cmpstr (json_object_get_string_member (sent, "note"), ==, "Fallback PC");

  /* An unknown device still reads as such through the fallback. */
  g_test_expect_message ("umt-meeting-call", G_LOG_LEVEL_MESSAGE, "*no registration route*");
  g_assert_null (umt_meeting_client_register_sync (client, "0000NOSUCHDEVICE", token, NULL, NULL, &error));
  g_test_assert_expected_messages ();
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND);
}

static void
test_register_not_retried (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autofree char *key = umt_test_sim_create_device (fixture->sim, NULL, &token);
  g_autofree char *path = g_strdup_printf ("/api/devices/%s/register", key);
  g_autoptr(GError) error = NULL;

  add_fault (fixture->sim, "{\"path\":\"%s\",\"status\":503,\"count\":1,"
                           "\"body\":\"{\\\"error\\\":\\\"Maintenance\\\"}\"}", path);
  g_assert_null (umt_meeting_client_register_sync (fixture->client, key, token, NULL, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "Maintenance"));
  g_assert_cmpuint (count_requests (fixture->sim, "POST", path), ==, 1);
}

static void
test_online (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *key = umt_test_sim_create_device (fixture->sim, NULL, NULL);
  g_autoptr(JsonObject) fields = new_fields ("Heartbeat PC");
  g_autoptr(UmtMeetingHeartbeat) beat = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *iso = NULL;
  JsonObject *sent;

  g_assert_true (send_request (fixture, umt_meeting_request_online (key, fields), &beat, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (beat->ip_address, ==, "127.0.0.1");
  g_assert_nonnull (beat->last_seen);
  iso = g_strdelimit (g_strconcat (beat->last_seen, "Z", NULL), " ", 'T');
  when = g_date_time_new_from_iso8601 (iso, NULL);
  g_assert_nonnull (when);

  record = umt_test_sim_get_device (fixture->sim, key);
  g_assert_cmpint (json_object_get_int_member (record, "heartbeat_count"), ==, 1);
  sent = json_object_get_object_member (record, "last_heartbeat");
  g_assert_cmpstr (json_object_get_string_member (sent, "ip_lan"), ==, "192.168.1.20");
  g_assert_false (json_object_has_member (sent, "token_code"));

  g_assert_null (umt_meeting_client_online_sync (fixture->client, "0000NOSUCHDEVICE", NULL, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "not known to the Meeting server"));
}

static void
test_online_retried (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *key = umt_test_sim_create_device (fixture->sim, NULL, NULL);
  g_autofree char *path = g_strdup_printf ("/api/devices/%s/online", key);
  g_autoptr(UmtMeetingHeartbeat) beat = NULL;
  g_autoptr(UmtMeetingHeartbeat) after_drop = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;

  add_fault (fixture->sim, "{\"path\":\"%s\",\"status\":503,\"count\":1}", path);
  beat = umt_meeting_client_online_sync (fixture->client, key, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_requests (fixture->sim, "POST", path), ==, 2);

  add_fault (fixture->sim, "{\"path\":\"%s\",\"drop\":true,\"count\":1}", path);
  after_drop = umt_meeting_client_online_sync (fixture->client, key, NULL, NULL, &error);
  g_assert_no_error (error);

  record = umt_test_sim_get_device (fixture->sim, key);
  g_assert_cmpint (json_object_get_int_member (record, "heartbeat_count"), ==, 2);

  /* Retries are bounded: 1 + retries attempts, then the error. */
  add_fault (fixture->sim, "{\"path\":\"%s\",\"status\":502}", path);
  g_assert_null (umt_meeting_client_online_sync (fixture->client, key, NULL, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_SERVER);
  g_assert_cmpuint (count_requests (fixture->sim, "POST", path),
                    ==, 2 + 2 + 1 + UMT_MEETING_CLIENT_DEFAULT_RETRIES);
}

static void
test_device_status (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *key = umt_test_sim_create_device (fixture->sim, NULL, NULL);
  g_autoptr(UmtMeetingAvailability) unknown = NULL;
  g_autoptr(UmtMeetingAvailability) available = NULL;
  g_autoptr(UmtMeetingHeartbeat) beat = NULL;
  g_autoptr(UmtMeetingDevice) device = NULL;
  g_autoptr(UmtMeetingLastSeen) never = NULL;
  g_autoptr(UmtMeetingLastSeen) seen = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (send_request (fixture, umt_meeting_request_get_last_seen (key), &never, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (never->device_key, ==, key);
  g_assert_null (never->last_seen);

  unknown = umt_meeting_client_get_availability_sync (fixture->client, "0000NOSUCHDEVICE", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (unknown->status, ==, UMT_MEETING_AVAILABILITY_UNKNOWN);

  beat = umt_meeting_client_online_sync (fixture->client, key, NULL, NULL, &error);
  g_assert_no_error (error);

  available = umt_meeting_client_get_availability_sync (fixture->client, key, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (available->status, ==, UMT_MEETING_AVAILABILITY_AVAILABLE);
  g_assert_cmpstr (available->last_heartbeat, ==, beat->last_seen);

  g_assert_true (send_request (fixture, umt_meeting_request_get_last_seen (key), &seen, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (seen->last_seen, ==, beat->last_seen);

  device = umt_meeting_client_get_device_sync (fixture->client, key, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (device->device_key, ==, key);
  g_assert_false (device->authorized);
  g_assert_cmpstr (device->device_type, ==, "linux");
  g_assert_cmpstr (device->last_seen, ==, beat->last_seen);

  g_assert_null (umt_meeting_client_get_device_sync (fixture->client, "0000NOSUCHDEVICE", NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (send_request (fixture, umt_meeting_request_get_last_seen ("0000NOSUCHDEVICE"),
                                NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND);
}

static void
test_ssh_keys (Fixture       *fixture,
               gconstpointer  data)
{
  const char *pubkey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHHqEEhC4sfgeB/1cs0WzKnG4VYpAJq3Rz0H7Ok/I0fu umt@test";
  g_autofree char *key = umt_test_sim_create_device (fixture->sim, NULL, NULL);
  g_autofree char *fetched = NULL;
  g_autofree char *hostkeys = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (send_request (fixture, umt_meeting_request_get_device_pubkey (key), &fetched,
                                &error));
  g_assert_null (fetched);
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (umt_meeting_client_put_ssh_key_sync (fixture->client, key, "ssh-ed25519 !!!", NULL,
                                                       NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_BAD_REQUEST);
  g_assert_nonnull (strstr (error->message, "Invalid public key"));
  g_clear_error (&error);

  g_assert_true (send_request (fixture, umt_meeting_request_put_ssh_key (key, pubkey, NULL), NULL,
                               &error));
  g_assert_no_error (error);

  g_assert_true (send_request (fixture, umt_meeting_request_get_device_pubkey (key), &fetched,
                               &error));
  g_assert_no_error (error);
  g_assert_cmpstr (fetched, ==, pubkey);

  hostkeys = umt_meeting_client_get_ssh_hostkeys_sync (fixture->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (hostkeys, "127.0.0.1 "));
  g_assert_nonnull (strstr (hostkeys, "ssh-ed25519 "));
}

static void
test_tunnels (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *key = umt_test_sim_create_device (fixture->sim, NULL, NULL);
  g_autoptr(UmtMeetingServiceGrant) grant = NULL;
  gpointer nothing = (gpointer) "unset";
  g_autoptr(UmtMeetingGeneratedKey) generated = NULL;
  g_autoptr(GPtrArray) tunnels = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *service_path = g_strdup_printf ("/api/devices/%s/service", key);
  UmtMeetingTunnel *tunnel;

  g_assert_true (send_request (fixture, umt_meeting_request_generate_key (), &generated, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (generated->device_key), ==, 32);
  g_assert_cmpuint (strlen (generated->token_code), ==, 6);
  g_assert_true (umt_meeting_client_manual_create_sync (fixture->client, generated->device_key,
                                                        generated->token_code, "linux", "debian",
                                                        NULL, &error));
  g_assert_no_error (error);
  g_assert_false (umt_meeting_client_manual_create_sync (fixture->client, generated->device_key,
                                                         generated->token_code, "linux", "debian",
                                                         NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_ALREADY_REGISTERED);
  g_clear_error (&error);

  g_assert_null (umt_meeting_client_request_service_sync (fixture->client, key, "ssh", 0, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, "not authorized"));
  g_clear_error (&error);

  g_assert_true (umt_meeting_client_authorize_sync (fixture->client, key, TRUE, NULL, &error));
  g_assert_no_error (error);

  grant = umt_meeting_client_request_service_sync (fixture->client, key, "ssh", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (grant->port, >, 0);

  g_assert_true (send_request (fixture, umt_meeting_request_list_tunnels (), &tunnels, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tunnels->len, ==, 1);
  tunnel = g_ptr_array_index (tunnels, 0);
  g_assert_cmpstr (tunnel->device_key, ==, key);
  g_assert_cmpstr (tunnel->service, ==, "ssh");
  g_assert_cmpuint (tunnel->port, ==, grant->port);
  g_assert_cmpuint (tunnel->local_port, ==, 22);

  /* A request without an answer gives none, even when one is asked for. */
  g_assert_true (send_request (fixture,
                               umt_meeting_request_post_tunnel_status (key, "ssh", grant->port,
                                                                       NULL, FALSE, NULL),
                               &nothing, &error));
  g_assert_null (nothing);
  g_assert_no_error (error);

  /* 503 "no port" is not retried for a POST, and reads as "unavailable". */
  add_fault (fixture->sim, "{\"path\":\"%s\",\"status\":503,"
                           "\"body\":\"{\\\"error\\\":\\\"No available port in range\\\"}\"}",
             service_path);
  g_assert_null (umt_meeting_client_request_service_sync (fixture->client, key, "vnc", 0, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "No available port"));
  g_assert_cmpuint (count_requests (fixture->sim, "POST", service_path), ==, 3);
}

/* ---- what goes over the wire ---- */

static void
test_headers (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autoptr(UmtMeetingClient) client = NULL;
  g_autofree char *key = umt_test_sim_create_device (sim, NULL, NULL);
  g_autofree char *path = g_strdup_printf ("/api/devices/%s", key);
  g_autoptr(UmtMeetingHeartbeat) beat = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *headers;

  client = umt_meeting_client_new_full (sim->url, 5, 0, TRUE, "s3cret-profile-token", &error);
  g_assert_no_error (error);
  g_assert_true (umt_meeting_client_has_token (client));

  beat = umt_meeting_client_online_sync (client, key, NULL, NULL, &error);
  g_assert_no_error (error);
  record = umt_test_sim_get_device (sim, key);
  headers = json_object_get_object_member (record, "last_heartbeat_headers");
  g_assert_cmpstr (find_header (headers, "User-Agent"), ==, "updates-manager-tool/" PACKAGE_VERSION);
  g_assert_cmpstr (find_header (headers, "Authorization"), ==, "Bearer s3cret-profile-token");
  g_assert_cmpstr (find_header (headers, "Content-Type"), ==, "application/json");

  /* A refused token is explained without being repeated. */
  add_fault (sim, "{\"path\":\"%s\",\"status\":401,\"body\":\"{\\\"error\\\":\\\"Bad token\\\"}\"}", path);
  g_assert_null (umt_meeting_client_get_device_sync (client, key, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_INVALID_TOKEN);
  g_assert_null (strstr (error->message, "s3cret"));
}

static void
test_path_escaping (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *odd = umt_test_sim_create_device (fixture->sim, "a.b_c-1", NULL);
  g_autoptr(UmtMeetingHeartbeat) beat = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;

  beat = umt_meeting_client_online_sync (fixture->client, odd, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_requests (fixture->sim, "POST", "/api/devices/a.b_c-1/online"), ==, 1);
  record = umt_test_sim_get_device (fixture->sim, "a.b_c-1");
  g_assert_cmpint (json_object_get_int_member (record, "heartbeat_count"), ==, 1);

  /* A space stays inside the key's path segment: the server looks up that
   * (unknown) device rather than failing to route the request. */
  g_assert_null (umt_meeting_client_online_sync (fixture->client, "a b", NULL, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (send_request (fixture, umt_meeting_request_get_device_pubkey ("x&device_key=y"),
                                NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND);
}

/* meeting-sim sees paths already percent-decoded, so the request line
 * itself is checked here, with a one-shot server on a plain socket. */
static gpointer
answer_once (gpointer data)
{
  GSocketListener *listener = data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *request_line = NULL;
  const char *reply = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                      "Content-Length: 28\r\nConnection: close\r\n\r\n"
                      "{\"error\":\"Device not found\"}";

  connection = g_socket_listener_accept (listener, NULL, NULL, NULL);
  g_assert_nonnull (connection);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  request_line = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  for (;;)
    {
      g_autofree char *header = g_data_input_stream_read_line (in, NULL, NULL, NULL);
      if (header == NULL || header[0] == '\0')
        break;
    }
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             reply, strlen (reply), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  return g_steal_pointer (&request_line);
}

static void
test_path_escaping_slash (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(UmtMeetingClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *request_line = NULL;
  GThread *thread;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);
  client = umt_meeting_client_new_full (url, 5, 0, TRUE, NULL, &error);
  g_assert_no_error (error);

  thread = g_thread_new ("answer-once", answer_once, listener);
  g_assert_null (umt_meeting_client_online_sync (client, "a/b c", NULL, NULL, &error));
  request_line = g_thread_join (thread);

  g_assert_cmpstr (request_line, ==, "POST /api/devices/a%2Fb%20c/online HTTP/1.1");
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND);
}

/* ---- failures ---- */

static void
test_http_errors (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *key = umt_test_sim_create_device (fixture->sim, NULL, NULL);
  g_autofree char *path = g_strdup_printf ("/api/devices/%s", key);
  g_autoptr(GError) error = NULL;

  add_fault (fixture->sim, "{\"path\":\"%s\",\"status\":500,\"count\":1,\"body\":\"oops\","
                           "\"content_type\":\"text/plain\"}", path);
  g_assert_null (umt_meeting_client_get_device_sync (fixture->client, key, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, "500"));
  g_clear_error (&error);

  add_fault (fixture->sim, "{\"path\":\"%s\",\"status\":403,\"count\":1,"
                           "\"body\":\"{\\\"error\\\":\\\"Device not authorized\\\"}\"}", path);
  g_assert_null (umt_meeting_client_get_device_sync (fixture->client, key, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* A plain-text 404 or a 405 is a missing route, not a missing device. */
  add_fault (fixture->sim, "{\"path\":\"/api\",\"status\":404,\"count\":1,\"body\":\"Not Found\","
                           "\"content_type\":\"text/plain\"}");
  g_assert_null (umt_meeting_client_get_api_info_sync (fixture->client, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NO_ROUTE);
  g_assert_nonnull (strstr (error->message, "/api"));
  g_clear_error (&error);
  add_fault (fixture->sim, "{\"path\":\"/api\",\"status\":405,\"count\":1,\"body\":\"\"}");
  g_assert_null (umt_meeting_client_get_api_info_sync (fixture->client, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NO_ROUTE);
  g_clear_error (&error);

  add_fault (fixture->sim, "{\"path\":\"%s\",\"malformed\":true,\"count\":1}", path);
  g_assert_null (umt_meeting_client_get_device_sync (fixture->client, key, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "not valid JSON"));
  g_clear_error (&error);

  add_fault (fixture->sim, "{\"path\":\"%s\",\"oversized\":true,\"count\":1}", path);
  g_assert_null (umt_meeting_client_get_device_sync (fixture->client, key, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "larger than"));
  g_clear_error (&error);

  /* Faults are used up: the next call works again. */
  {
    g_autoptr(UmtMeetingDevice) device = umt_meeting_client_get_device_sync (fixture->client, key,
                                                                             NULL, &error);
    g_assert_no_error (error);
  }
}

static void
test_timeout (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(UmtMeetingClient) impatient = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  impatient = umt_meeting_client_new_full (fixture->sim->url, 1, 0, TRUE, NULL, &error);
  g_assert_no_error (error);

  add_fault (fixture->sim, "{\"path\":\"/api\",\"delay_ms\":4000}");
  start = g_get_monotonic_time ();
  g_assert_null (umt_meeting_client_get_api_info_sync (impatient, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
}

/* A server that accepts and never answers costs one timeout, not one per
 * retry, and the sentence names the time it took. */
static void
test_stall_not_retried (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(UmtMeetingClient) client = NULL;
  g_autoptr(GError) error = NULL;

  client = umt_meeting_client_new_full (fixture->sim->url, 1, 3, TRUE, NULL, &error);
  g_assert_no_error (error);

  add_fault (fixture->sim, "{\"path\":\"/api\",\"delay_ms\":3000}");
  g_assert_null (umt_meeting_client_get_api_info_sync (client, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "within 1 seconds"));
  g_assert_cmpuint (count_requests (fixture->sim, "GET", "/api"), ==, 1);
}

static void
test_connection_refused (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(UmtMeetingClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *where = NULL;
  guint16 port;

  /* A port that was free a moment ago and has nobody listening now. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  url = g_strdup_printf ("http://127.0.0.1:%u", port);
  client = umt_meeting_client_new_full (url, 5, 1, TRUE, NULL, &error);
  g_assert_no_error (error);

  g_assert_null (umt_meeting_client_get_api_info_sync (client, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_CONNECTION);
  where = g_strdup_printf ("Could not connect to 127.0.0.1:%u", port);
  g_assert_true (g_str_has_prefix (error->message, where));
  g_assert_nonnull (strstr (error->message, "network connection"));
}

static void
test_dropped (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(UmtMeetingClient) once = umt_meeting_client_new_full (fixture->sim->url, 5, 0, TRUE,
                                                                  NULL, NULL);
  g_autoptr(GError) error = NULL;

  add_fault (fixture->sim, "{\"path\":\"/api\",\"drop\":true}");
  g_assert_null (umt_meeting_client_get_api_info_sync (once, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_CONNECTION);
}

static void
test_tls (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--tls", NULL);
  g_autoptr(UmtMeetingClient) strict = NULL;
  g_autoptr(UmtMeetingClient) lenient = NULL;
  g_autoptr(UmtMeetingApiInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (sim->url, "https://"));

  strict = umt_meeting_client_new (sim->url, &error);
  g_assert_no_error (error);
  g_assert_true (umt_meeting_client_get_verify_tls (strict));
  g_assert_null (umt_meeting_client_get_api_info_sync (strict, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "not trusted"));
  g_assert_nonnull (strstr (error->message, "certificate authority"));
  g_clear_error (&error);

  lenient = umt_meeting_client_new_full (sim->url, 5, 0, FALSE, NULL, &error);
  g_assert_no_error (error);
  info = umt_meeting_client_get_api_info_sync (lenient, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->version, ==, "3.3.1");
}

static void
test_cancelled (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(UmtMeetingApiInfo) info = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  add_fault (fixture->sim, "{\"path\":\"/api\",\"delay_ms\":3000}");
  umt_meeting_client_send_async (fixture->client, umt_meeting_request_get_api_info (), cancellable,
                                 on_result, &result);
  g_cancellable_cancel (cancellable);
  g_assert_false (umt_meeting_client_send_finish (fixture->client, wait_for (&result),
                                                  (gpointer *) &info, &error));
  g_assert_null (info);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_invalid_url (void)
{
  const char *bad[] = { "ftp://meeting.example.org", "meeting.example.org", "https://", "" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(UmtMeetingClient) client = umt_meeting_client_new (bad[i], &error);

      g_assert_null (client);
      g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_INVALID_URL);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(UmtMeetingClient) client = umt_meeting_client_new ("https://meeting.example.org/", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (umt_meeting_client_get_base_url (client), ==, "https://meeting.example.org");
    g_assert_cmpuint (umt_meeting_client_get_timeout (client), ==, 20);
    g_assert_cmpuint (umt_meeting_client_get_retries (client), ==, 3);
    g_assert_false (umt_meeting_client_has_token (client));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/meeting-client/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("api-info", test_api_info);
  ADD ("register", test_register);
  ADD ("register-errors", test_register_errors);
  g_test_add_func ("/meeting-client/register-fallback", test_register_fallback);
  ADD ("register-not-retried", test_register_not_retried);
  ADD ("online", test_online);
  ADD ("online-retried", test_online_retried);
  ADD ("device-status", test_device_status);
  ADD ("ssh-keys", test_ssh_keys);
  ADD ("tunnels", test_tunnels);
  g_test_add_func ("/meeting-client/headers", test_headers);
  ADD ("path-escaping", test_path_escaping);
  g_test_add_func ("/meeting-client/path-escaping-slash", test_path_escaping_slash);
  ADD ("http-errors", test_http_errors);
  ADD ("timeout", test_timeout);
  ADD ("stall-not-retried", test_stall_not_retried);
  g_test_add_func ("/meeting-client/connection-refused", test_connection_refused);
  ADD ("dropped", test_dropped);
  g_test_add_func ("/meeting-client/tls", test_tls);
  ADD ("cancelled", test_cancelled);
  g_test_add_func ("/meeting-client/invalid-url", test_invalid_url);

#undef ADD

  return g_test_run ();
}
