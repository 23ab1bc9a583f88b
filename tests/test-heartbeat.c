/* test-heartbeat.c: the heartbeat engine against meeting-sim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-test-heartbeat"

#include "config.h"

#include "umt-heartbeat.h"
#include "umt-test-sim.h"

typedef struct
{
  UmtTestSim       *sim;
  char             *device_key;
  UmtMeetingClient *client;
  UmtProfile       *profile;
  UmtHeartbeat     *heartbeat;
  GArray           *states;   /* every state the engine went through */
} Fixture;

static void
on_state (UmtHeartbeat *heartbeat,
          GParamSpec   *pspec,
          Fixture      *fixture)
{
  UmtHeartbeatState state = umt_heartbeat_get_state (heartbeat);

  g_array_append_val (fixture->states, state);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->sim = umt_test_sim_start (NULL, NULL);
  fixture->device_key = umt_test_sim_create_device (fixture->sim, NULL, NULL);

  /* No retries inside the client: each failed beat is one request. */
  fixture->client = umt_meeting_client_new_full (fixture->sim->url, 5, 0, TRUE, NULL, &error);
  g_assert_no_error (error);

  fixture->profile = umt_profile_new ("test", fixture->sim->url, &error);
  g_assert_no_error (error);
  umt_profile_set_public_ip_lookup (fixture->profile, FALSE);
  umt_profile_set_value (fixture->profile, "note", "heartbeat test", &error);
  g_assert_no_error (error);

  fixture->heartbeat = g_object_new (UMT_TYPE_HEARTBEAT, "retry-base-ms", 40, NULL);
  fixture->states = g_array_new (FALSE, FALSE, sizeof (UmtHeartbeatState));
  g_signal_connect (fixture->heartbeat, "notify::state", G_CALLBACK (on_state), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->heartbeat);
  g_clear_object (&fixture->profile);
  g_clear_object (&fixture->client);
  g_clear_pointer (&fixture->states, g_array_unref);
  g_clear_pointer (&fixture->device_key, g_free);
  g_clear_pointer (&fixture->sim, umt_test_sim_free);
}

static void
configure (Fixture    *fixture,
           const char *device_key,
           guint       interval)
{
  umt_heartbeat_configure (fixture->heartbeat, fixture->client, device_key, fixture->profile);
  umt_heartbeat_set_interval (fixture->heartbeat, interval);
}

static gint64
sim_heartbeat_count (Fixture *fixture)
{
  g_autoptr(JsonObject) device = umt_test_sim_get_device (fixture->sim, fixture->device_key);

  return json_object_get_int_member (device, "heartbeat_count");
}

static guint
sim_online_requests (Fixture *fixture)
{
  g_autoptr(JsonNode) node = umt_test_sim_request (fixture->sim, "GET", "/__sim/requests", NULL, NULL);
  JsonArray *requests = json_object_get_array_member (json_node_get_object (node), "requests");
  guint count = 0;

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_str_has_suffix (json_object_get_string_member (request, "path"), "/online"))
        count++;
    }

  return count;
}

/* Runs the main context until @done says so; fails the test after @timeout_ms. */
#define WAIT_FOR(condition, timeout_ms)                                             \
  G_STMT_START {                                                                    \
    gint64 deadline_ = g_get_monotonic_time () + (timeout_ms) * 1000;              \
    while (!(condition))                                                            \
      {                                                                             \
        g_assert_cmpint (g_get_monotonic_time (), <, deadline_);                    \
        g_main_context_iteration (NULL, FALSE);                                     \
        g_usleep (5000);                                                            \
      }                                                                             \
  } G_STMT_END

static gboolean
saw_state (Fixture           *fixture,
           UmtHeartbeatState  state)
{
  for (guint i = 0; i < fixture->states->len; i++)
    if (g_array_index (fixture->states, UmtHeartbeatState, i) == state)
      return TRUE;
  return FALSE;
}

static gboolean
server_last_seen_matches (Fixture *fixture)
{
  g_autoptr(JsonObject) device = umt_test_sim_get_device (fixture->sim, fixture->device_key);

  return g_strcmp0 (umt_heartbeat_get_server_last_seen (fixture->heartbeat),
                    json_object_get_string_member (device, "last_seen")) == 0;
}

static void
test_beats_at_interval (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) device = NULL;
  JsonObject *body;
  gint64 started;
  gint64 elapsed;

  configure (fixture, fixture->device_key, 1);
  started = g_get_monotonic_time ();
  umt_heartbeat_start (fixture->heartbeat);
  g_assert_cmpint (umt_heartbeat_get_state (fixture->heartbeat), ==, UMT_HEARTBEAT_STATE_ACTIVE);

  WAIT_FOR (sim_heartbeat_count (fixture) >= 3, 10000);
  elapsed = g_get_monotonic_time () - started;

  /* The first beat at once, then two intervals of 1 s ± 10 %. */
  g_assert_cmpint (elapsed, >=, 1800 * 1000);
  g_assert_cmpint (elapsed, <, 4000 * 1000);

  WAIT_FOR (umt_heartbeat_get_last_success (fixture->heartbeat) != NULL, 2000);
  g_assert_cmpint (umt_heartbeat_get_state (fixture->heartbeat), ==, UMT_HEARTBEAT_STATE_ACTIVE);
  g_assert_nonnull (umt_heartbeat_get_next_beat (fixture->heartbeat));

  /* Paused, the beat on its way lands and nothing follows: then the engine
   * shows what the server saw last. */
  umt_heartbeat_pause (fixture->heartbeat);
  WAIT_FOR (server_last_seen_matches (fixture), 3000);
  g_assert_cmpuint (umt_heartbeat_get_consecutive_failures (fixture->heartbeat), ==, 0);
  g_assert_null (umt_heartbeat_get_last_error (fixture->heartbeat));

  device = umt_test_sim_get_device (fixture->sim, fixture->device_key);
  /* The sim validated the payload (a bad IP or MAC is a 400); it carries
   * the profile's note and nothing undocumented. */
  body = json_object_get_object_member (device, "last_heartbeat");
  g_assert_cmpstr (json_object_get_string_member (body, "note"), ==, "heartbeat test");
  g_assert_false (json_object_has_member (body, "hostname"));
  g_assert_false (json_object_has_member (body, "ip_public"));
}

static void
test_five_failures_stop (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *fault = g_strdup_printf ("{\"path\":\"/api/devices/%s/online\",\"status\":500,"
                                            "\"body\":\"{\\\"error\\\":\\\"DB error\\\"}\"}",
                                            fixture->device_key);

  umt_test_sim_add_fault (fixture->sim, fault);
  /* No recovery tries: stopped until someone acts. */
  g_assert_true (umt_profile_set_recovery_interval (fixture->profile, 0, NULL));
  configure (fixture, fixture->device_key, 1);
  umt_heartbeat_start (fixture->heartbeat);

  WAIT_FOR (umt_heartbeat_get_state (fixture->heartbeat) == UMT_HEARTBEAT_STATE_STOPPED, 10000);

  g_assert_true (saw_state (fixture, UMT_HEARTBEAT_STATE_RETRYING));
  g_assert_cmpuint (umt_heartbeat_get_consecutive_failures (fixture->heartbeat), ==, 5);
  g_assert_nonnull (umt_heartbeat_get_last_error (fixture->heartbeat));
  g_assert_null (umt_heartbeat_get_next_beat (fixture->heartbeat));
  g_assert_cmpuint (sim_online_requests (fixture), ==, 5);

  /* Stopped means stopped: nothing more reaches the server. */
  for (guint i = 0; i < 60; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_assert_cmpuint (sim_online_requests (fixture), ==, 5);
}

/* An outage longer than the fast retries: the heartbeat stops as the guide
 * says, says when it tries again, and comes back by itself once the server
 * answers, with nobody at the device. */
static void
test_outage_recovers (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *fault = g_strdup_printf ("{\"path\":\"/api/devices/%s/online\",\"status\":502}",
                                            fixture->device_key);

  umt_test_sim_add_fault (fixture->sim, fault);
  configure (fixture, fixture->device_key, 1);
  umt_heartbeat_set_recovery_interval (fixture->heartbeat, 1);
  umt_heartbeat_start (fixture->heartbeat);

  WAIT_FOR (umt_heartbeat_get_state (fixture->heartbeat) == UMT_HEARTBEAT_STATE_STOPPED, 10000);
  g_assert_nonnull (umt_heartbeat_get_next_beat (fixture->heartbeat));
  g_assert_cmpint (sim_heartbeat_count (fixture), ==, 0);

  umt_test_sim_clear_faults (fixture->sim);
  WAIT_FOR (umt_heartbeat_get_last_success (fixture->heartbeat) != NULL, 10000);
  g_assert_cmpint (umt_heartbeat_get_state (fixture->heartbeat), ==, UMT_HEARTBEAT_STATE_ACTIVE);
  g_assert_cmpuint (umt_heartbeat_get_consecutive_failures (fixture->heartbeat), ==, 0);
  g_assert_cmpint (sim_heartbeat_count (fixture), >=, 1);
}

static void
test_not_found_stops_at_once (Fixture       *fixture,
                              gconstpointer  data)
{
  configure (fixture, "NOT-A-DEVICE-OF-THIS-SERVER", 1);
  umt_heartbeat_start (fixture->heartbeat);

  WAIT_FOR (umt_heartbeat_get_state (fixture->heartbeat) == UMT_HEARTBEAT_STATE_STOPPED, 5000);

  g_assert_false (saw_state (fixture, UMT_HEARTBEAT_STATE_RETRYING));
  g_assert_cmpuint (umt_heartbeat_get_consecutive_failures (fixture->heartbeat), ==, 1);
  g_assert_cmpuint (sim_online_requests (fixture), ==, 1);
  g_assert_nonnull (umt_heartbeat_get_last_error (fixture->heartbeat));
}

static void
test_network_back_resumes (Fixture       *fixture,
                           gconstpointer  data)
{
  GNetworkMonitor *monitor = g_network_monitor_get_default ();
  g_autofree char *fault = g_strdup_printf ("{\"path\":\"/api/devices/%s/online\",\"drop\":true}",
                                            fixture->device_key);

  umt_test_sim_add_fault (fixture->sim, fault);
  configure (fixture, fixture->device_key, 1);
  umt_heartbeat_start (fixture->heartbeat);
  WAIT_FOR (umt_heartbeat_get_state (fixture->heartbeat) == UMT_HEARTBEAT_STATE_STOPPED, 10000);
  g_assert_cmpint (sim_heartbeat_count (fixture), ==, 0);

  /* The server is back, then the network monitor says the network is. */
  umt_test_sim_clear_faults (fixture->sim);
  g_signal_emit_by_name (monitor, "network-changed", FALSE);
  g_signal_emit_by_name (monitor, "network-changed", TRUE);

  WAIT_FOR (sim_heartbeat_count (fixture) >= 1, 5000);
  WAIT_FOR (umt_heartbeat_get_last_success (fixture->heartbeat) != NULL, 2000);
  g_assert_cmpint (umt_heartbeat_get_state (fixture->heartbeat), ==, UMT_HEARTBEAT_STATE_ACTIVE);
  g_assert_cmpuint (umt_heartbeat_get_consecutive_failures (fixture->heartbeat), ==, 0);
  g_assert_null (umt_heartbeat_get_last_error (fixture->heartbeat));
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  guint *done = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtMeetingHeartbeat) beat = NULL;

  beat = umt_heartbeat_send_now_finish (UMT_HEARTBEAT (source), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (beat->last_seen);
  (*done)++;
}

static void
test_send_now_coalesces (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *fault = g_strdup_printf ("{\"path\":\"/api/devices/%s/online\",\"delay_ms\":400,"
                                            "\"count\":1}", fixture->device_key);
  guint done = 0;

  umt_test_sim_add_fault (fixture->sim, fault);
  configure (fixture, fixture->device_key, 3600);
  umt_heartbeat_start (fixture->heartbeat);

  /* The start beat is in flight (held 400 ms by the sim): both asks join it. */
  WAIT_FOR (sim_online_requests (fixture) == 1, 5000);
  umt_heartbeat_send_now_async (fixture->heartbeat, NULL, on_sent, &done);
  umt_heartbeat_send_now_async (fixture->heartbeat, NULL, on_sent, &done);
  WAIT_FOR (done == 2, 5000);

  g_assert_cmpuint (sim_online_requests (fixture), ==, 1);
  g_assert_cmpint (sim_heartbeat_count (fixture), ==, 1);

  /* Asked when idle, a beat goes out at once. */
  umt_heartbeat_send_now_async (fixture->heartbeat, NULL, on_sent, &done);
  WAIT_FOR (done == 3, 5000);
  g_assert_cmpint (sim_heartbeat_count (fixture), ==, 2);
}

static void
test_stop_against_hanging_server (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *fault = g_strdup_printf ("{\"path\":\"/api/devices/%s/online\",\"delay_ms\":60000}",
                                            fixture->device_key);
  gint64 before;

  umt_test_sim_add_fault (fixture->sim, fault);
  configure (fixture, fixture->device_key, 1);
  umt_heartbeat_start (fixture->heartbeat);
  WAIT_FOR (sim_online_requests (fixture) == 1, 5000);

  before = g_get_monotonic_time ();
  umt_heartbeat_stop (fixture->heartbeat);
  g_assert_cmpint (g_get_monotonic_time () - before, <, G_USEC_PER_SEC);
  g_assert_cmpint (umt_heartbeat_get_state (fixture->heartbeat), ==, UMT_HEARTBEAT_STATE_STOPPED);
}

static void
test_pause_and_resume (Fixture       *fixture,
                       gconstpointer  data)
{
  gint64 count;

  configure (fixture, fixture->device_key, 1);
  umt_heartbeat_start (fixture->heartbeat);
  WAIT_FOR (sim_heartbeat_count (fixture) >= 1, 5000);

  umt_heartbeat_pause (fixture->heartbeat);
  g_assert_cmpint (umt_heartbeat_get_state (fixture->heartbeat), ==, UMT_HEARTBEAT_STATE_PAUSED);
  g_assert_null (umt_heartbeat_get_next_beat (fixture->heartbeat));
  /* Let a beat already on its way land, then nothing more for 2 intervals. */
  g_usleep (200 * 1000);
  count = sim_heartbeat_count (fixture);
  for (guint i = 0; i < 200; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_assert_cmpint (sim_heartbeat_count (fixture), ==, count);
  g_assert_cmpint (umt_heartbeat_get_state (fixture->heartbeat), ==, UMT_HEARTBEAT_STATE_PAUSED);

  umt_heartbeat_resume (fixture->heartbeat);
  g_assert_cmpint (umt_heartbeat_get_state (fixture->heartbeat), ==, UMT_HEARTBEAT_STATE_ACTIVE);
  WAIT_FOR (sim_heartbeat_count (fixture) > count, 5000);
}

static void
test_unregistered (Fixture       *fixture,
                   gconstpointer  data)
{
  configure (fixture, NULL, 1);
  umt_heartbeat_start (fixture->heartbeat);
  g_assert_cmpint (umt_heartbeat_get_state (fixture->heartbeat), ==, UMT_HEARTBEAT_STATE_UNREGISTERED);

  for (guint i = 0; i < 50; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_assert_cmpuint (sim_online_requests (fixture), ==, 0);

  /* Registering starts the beats without another start. */
  configure (fixture, fixture->device_key, 1);
  WAIT_FOR (sim_heartbeat_count (fixture) >= 1, 5000);
}

static void
test_retry_schedule (void)
{
  /* 5, 10, 20, 30, 30 s with the default base. */
  g_assert_cmpuint (umt_heartbeat_retry_delay_ms (5000, 1), ==, 5000);
  g_assert_cmpuint (umt_heartbeat_retry_delay_ms (5000, 2), ==, 10000);
  g_assert_cmpuint (umt_heartbeat_retry_delay_ms (5000, 3), ==, 20000);
  g_assert_cmpuint (umt_heartbeat_retry_delay_ms (5000, 4), ==, 30000);
  g_assert_cmpuint (umt_heartbeat_retry_delay_ms (5000, 5), ==, 30000);
  g_assert_cmpuint (umt_heartbeat_retry_delay_ms (5000, 9), ==, 30000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/heartbeat/retry-schedule", test_retry_schedule);
  ADD ("/heartbeat/interval", test_beats_at_interval);
  ADD ("/heartbeat/five-failures-stop", test_five_failures_stop);
  ADD ("/heartbeat/not-found-stops", test_not_found_stops_at_once);
  ADD ("/heartbeat/outage-recovers", test_outage_recovers);
  ADD ("/heartbeat/network-back", test_network_back_resumes);
  ADD ("/heartbeat/send-now-coalesces", test_send_now_coalesces);
  ADD ("/heartbeat/stop-hanging", test_stop_against_hanging_server);
  ADD ("/heartbeat/pause-resume", test_pause_and_resume);
  ADD ("/heartbeat/unregistered", test_unregistered);

#undef ADD

  return g_test_run ();
}
