/* test-tunnel-supervisor.c: the tunnel supervisor with the real agent,
 * through meeting-sim's proxy to a local echo server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-test-tunnel-supervisor"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "tunnel-test-util.h"
#include "umt-config-error.h"
#include "umt-device-manager.h"
#include "umt-log.h"
#include "umt-paths.h"
#include "umt-profile.h"
#include "umt-secret-store.h"
#include "umt-tunnel-status.h"
#include "umt-tunnel-supervisor.h"

#define WAIT_SECONDS 20

/* Tokens handed to an agent in this run: none may reach the log. */
static GPtrArray *tokens_used;

/* A local service: echoes what it reads. Blocking, in threads of its own,
 * so that it serves while the test blocks its main thread on a client. */
typedef struct
{
  GSocketListener *listener;
  GCancellable    *cancellable;
  GThread         *thread;
  guint16          port;
} EchoServer;

static gpointer
echo_connection (gpointer data)
{
  g_autoptr(GSocketConnection) connection = data;
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  char buffer[16384];
  gssize got;

  while ((got = g_input_stream_read (input, buffer, sizeof buffer, NULL, NULL)) > 0)
    if (!g_output_stream_write_all (output, buffer, (gsize) got, NULL, NULL, NULL))
      break;
  return NULL;
}

static gpointer
echo_accept_loop (gpointer data)
{
  EchoServer *echo = data;
  GSocketConnection *connection;

  while ((connection = g_socket_listener_accept (echo->listener, NULL, echo->cancellable, NULL)) != NULL)
    g_thread_unref (g_thread_new ("echo", echo_connection, connection));
  return NULL;
}

static EchoServer *
echo_server_start (void)
{
  EchoServer *echo = g_new0 (EchoServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  echo->listener = g_socket_listener_new ();
  echo->cancellable = g_cancellable_new ();
  g_socket_listener_add_address (echo->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  echo->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  echo->thread = g_thread_new ("echo-accept", echo_accept_loop, echo);
  return echo;
}

static void
echo_server_stop (EchoServer *echo)
{
  g_cancellable_cancel (echo->cancellable);
  g_thread_join (echo->thread);
  g_socket_listener_close (echo->listener);
  g_object_unref (echo->listener);
  g_object_unref (echo->cancellable);
  g_free (echo);
}

static gboolean
on_tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main context until @condition holds; fails after WAIT_SECONDS. */
#define WAIT_FOR(condition) G_STMT_START {                                   \
    gint64 deadline_ = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC; \
    guint tick_ = g_timeout_add (20, on_tick, NULL);                          \
    while (!(condition))                                                      \
      {                                                                       \
        if (g_get_monotonic_time () > deadline_)                              \
          g_error ("Timed out waiting for %s", #condition);                   \
        g_main_context_iteration (NULL, TRUE);                                \
      }                                                                       \
    g_source_remove (tick_);                                                  \
  } G_STMT_END

static gboolean
process_gone (GPid pid)
{
  return kill (pid, 0) != 0;
}

typedef struct
{
  UmtTestSim          *sim;
  EchoServer          *echo;
  char                *device_key;
  char                *token;
  UmtProfile          *profile;
  UmtTunnelSupervisor *supervisor;
} Fixture;

static void
keep_token (const char *device_key,
            const char *token)
{
  g_autoptr(GError) error = NULL;

  umt_secret_store_store_sync (UMT_SECRET_TUNNEL_TOKEN, device_key, NULL, token, NULL, &error);
  g_assert_no_error (error);
  g_ptr_array_add (tokens_used, g_strdup (token));
}

/* A tunnel-enabled profile pointing at the sim's proxy, exposing the echo
 * server as a relay port and nothing else. */
static UmtProfile *
make_profile (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtProfile) profile = umt_profile_new ("tunnel", fixture->sim->url, &error);
  g_autofree char *port = g_strdup_printf ("%u", fixture->sim->proxy_port);
  g_autofree char *relay = g_strdup_printf ("%u", fixture->echo->port);

  g_assert_no_error (error);
  umt_profile_set_public_ip_lookup (profile, FALSE);
  g_assert_true (umt_profile_set_value (profile, "tunnel_enabled", "true", &error));
  g_assert_true (umt_profile_set_value (profile, "tunnel_proxy_host", "127.0.0.1", &error));
  g_assert_true (umt_profile_set_value (profile, "tunnel_proxy_port", port, &error));
  g_assert_true (umt_profile_set_value (profile, "tunnel_ssh", "false", &error));
  g_assert_true (umt_profile_set_value (profile, "tunnel_relay_ports", relay, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&profile);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  fixture->echo = echo_server_start ();
  fixture->device_key = tunnel_test_make_device (fixture->sim, TRUE, &fixture->token);
  fixture->profile = make_profile (fixture);
  fixture->supervisor = umt_tunnel_supervisor_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  GPid pid = umt_tunnel_supervisor_get_agent_pid (fixture->supervisor);

  g_clear_object (&fixture->supervisor);
  /* Disposing closed the agent's stdin: it ends by itself. */
  if (pid != 0)
    WAIT_FOR (process_gone (pid));
  g_clear_object (&fixture->profile);
  g_clear_pointer (&fixture->echo, echo_server_stop);
  g_clear_pointer (&fixture->device_key, g_free);
  g_clear_pointer (&fixture->token, g_free);
  g_clear_pointer (&fixture->sim, umt_test_sim_free);
}

static UmtTunnelState
state_of (Fixture *fixture)
{
  return umt_tunnel_supervisor_get_state (fixture->supervisor);
}

static void
start_connected (Fixture *fixture)
{
  keep_token (fixture->device_key, fixture->token);
  umt_tunnel_supervisor_configure (fixture->supervisor, fixture->device_key, NULL, fixture->profile);
  g_assert_true (umt_tunnel_supervisor_get_enabled (fixture->supervisor));
  umt_tunnel_supervisor_start (fixture->supervisor);
  WAIT_FOR (state_of (fixture) == UMT_TUNNEL_STATE_CONNECTED);
  g_assert_null (umt_tunnel_supervisor_get_last_error (fixture->supervisor));
  g_assert_cmpint (umt_tunnel_supervisor_get_agent_pid (fixture->supervisor), >, 0);
}

static void
test_relays_to_allowed_port (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *service = g_strdup_printf ("{\"service\":\"relay\",\"port\":%u}", fixture->echo->port);
  g_autoptr(GIOStream) client = NULL;
  g_autofree char *cmdline_path = NULL;
  g_autofree char *cmdline = NULL;
  gsize cmdline_len = 0;
  guint16 public_port;
  char reply[5];

  start_connected (fixture);

  /* The token travels on stdin only: not in the agent's command line. */
  cmdline_path = g_strdup_printf ("/proc/%d/cmdline",
                                  (int) umt_tunnel_supervisor_get_agent_pid (fixture->supervisor));
  if (g_file_get_contents (cmdline_path, &cmdline, &cmdline_len, NULL))
    for (gsize i = 0; i < cmdline_len; i += strlen (cmdline + i) + 1)
      g_assert_null (strstr (cmdline + i, fixture->token));

  public_port = tunnel_test_reserve (fixture->sim, fixture->device_key, service);
  client = tunnel_test_connect (public_port);
  tunnel_test_write_all (client, "hello", 5);
  tunnel_test_read_exactly (client, reply, 5);
  g_assert_cmpmem (reply, 5, "hello", 5);
  WAIT_FOR (umt_tunnel_supervisor_get_open_streams (fixture->supervisor) == 1);
  /* The counters move while the stream is open. */
  WAIT_FOR (umt_tunnel_supervisor_get_bytes_in (fixture->supervisor) == 5 &&
            umt_tunnel_supervisor_get_bytes_out (fixture->supervisor) == 5);

  g_io_stream_close (client, NULL, NULL);
  WAIT_FOR (umt_tunnel_supervisor_get_open_streams (fixture->supervisor) == 0);
  g_assert_cmpuint (umt_tunnel_supervisor_get_bytes_in (fixture->supervisor), >=, 5);
  g_assert_cmpuint (umt_tunnel_supervisor_get_bytes_out (fixture->supervisor), >=, 5);
  g_assert_cmpint (state_of (fixture), ==, UMT_TUNNEL_STATE_CONNECTED);
}

/* The server asks for port 22 for its ssh service, whatever port sshd listens on here:
 * the stream reaches the SSH port the user set, and that port is reachable no other way. */
static void
test_ssh_service_reaches_its_port (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autofree char *port = g_strdup_printf ("%u", fixture->echo->port);
  g_autofree char *relay = g_strdup_printf ("{\"service\":\"relay\",\"port\":%u}",
                                            fixture->echo->port);
  g_autoptr(GIOStream) client = NULL;
  g_autoptr(GIOStream) direct = NULL;
  g_autoptr(GError) error = NULL;
  char reply[7];

  g_assert_true (umt_profile_set_value (fixture->profile, "tunnel_ssh", "true", &error));
  g_assert_true (umt_profile_set_value (fixture->profile, "tunnel_ssh_port", port, &error));
  g_assert_true (umt_profile_set_value (fixture->profile, "tunnel_relay_ports", "", &error));
  g_assert_no_error (error);
  start_connected (fixture);

  client = tunnel_test_connect (tunnel_test_reserve (fixture->sim, fixture->device_key,
                                                     "{\"service\":\"ssh\"}"));
  tunnel_test_write_all (client, "SSH-2.0", 7);
  tunnel_test_read_exactly (client, reply, 7);
  g_assert_cmpmem (reply, 7, "SSH-2.0", 7);

  direct = tunnel_test_connect (tunnel_test_reserve (fixture->sim, fixture->device_key, relay));
  tunnel_test_assert_eof (direct);
}

/* With no proxy host of its own, the tunnel goes to the server in use: the one
 * MEETING_SERVER_URL or --server sets, not the profile's. */
static void
test_proxy_host_follows_server (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (umt_profile_set_base_url (fixture->profile, "https://meeting.invalid", &error));
  g_assert_true (umt_profile_set_value (fixture->profile, "tunnel_proxy_host", "", &error));
  g_assert_no_error (error);
  keep_token (fixture->device_key, fixture->token);
  umt_tunnel_supervisor_configure (fixture->supervisor, fixture->device_key, fixture->sim->url,
                                   fixture->profile);
  umt_tunnel_supervisor_start (fixture->supervisor);
  WAIT_FOR (state_of (fixture) == UMT_TUNNEL_STATE_CONNECTED);
}

static void
count_reconnections (UmtTunnelSupervisor *supervisor,
                     GParamSpec          *pspec,
                     guint               *left_connected)
{
  if (umt_tunnel_supervisor_get_state (supervisor) != UMT_TUNNEL_STATE_CONNECTED)
    (*left_connected)++;
}

/* A front end that does not run the tunnel asks the one that does to reconnect. */
static void
test_reconnect_asked_by_another (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint left_connected = 0;

  start_connected (fixture);
  umt_tunnel_status_publish (fixture->supervisor);
  g_signal_connect (fixture->supervisor, "notify::state", G_CALLBACK (count_reconnections),
                    &left_connected);

  g_assert_true (umt_tunnel_status_request_reconnect (&error));
  g_assert_no_error (error);
  WAIT_FOR (left_connected > 0 && state_of (fixture) == UMT_TUNNEL_STATE_CONNECTED);

  g_signal_handlers_disconnect_by_data (fixture->supervisor, &left_connected);
  umt_tunnel_status_unpublish (fixture->supervisor);
}

static void
test_restarts_killed_agent (Fixture       *fixture,
                            gconstpointer  data)
{
  GPid first;

  start_connected (fixture);
  first = umt_tunnel_supervisor_get_agent_pid (fixture->supervisor);
  g_assert_cmpint (kill (first, SIGKILL), ==, 0);

  WAIT_FOR (state_of (fixture) == UMT_TUNNEL_STATE_RESTARTING);
  g_assert_nonnull (strstr (umt_tunnel_supervisor_get_last_error (fixture->supervisor), "signal 9"));
  g_assert_nonnull (umt_tunnel_supervisor_get_retry_at (fixture->supervisor));
  g_assert_cmpint (umt_tunnel_supervisor_get_agent_pid (fixture->supervisor), ==, 0);

  WAIT_FOR (state_of (fixture) == UMT_TUNNEL_STATE_CONNECTED);
  g_assert_cmpint (umt_tunnel_supervisor_get_agent_pid (fixture->supervisor), !=, first);
  g_assert_true (process_gone (first));
}

static void
on_state_left_connected (UmtTunnelSupervisor *supervisor,
                         GParamSpec          *pspec,
                         gboolean            *left)
{
  if (umt_tunnel_supervisor_get_state (supervisor) != UMT_TUNNEL_STATE_CONNECTED)
    *left = TRUE;
}

static void
test_network_back_reconnects (Fixture       *fixture,
                              gconstpointer  data)
{
  GNetworkMonitor *monitor = g_network_monitor_get_default ();
  gboolean left = FALSE;
  GPid agent;
  gulong id;

  start_connected (fixture);
  agent = umt_tunnel_supervisor_get_agent_pid (fixture->supervisor);
  id = g_signal_connect (fixture->supervisor, "notify::state",
                         G_CALLBACK (on_state_left_connected), &left);

  /* The same agent drops its connection and makes a new one at once. */
  g_signal_emit_by_name (monitor, "network-changed", FALSE);
  g_signal_emit_by_name (monitor, "network-changed", TRUE);
  WAIT_FOR (left);
  WAIT_FOR (state_of (fixture) == UMT_TUNNEL_STATE_CONNECTED);
  g_assert_cmpint (umt_tunnel_supervisor_get_agent_pid (fixture->supervisor), ==, agent);

  g_signal_handler_disconnect (fixture->supervisor, id);
}

static void
test_wrong_token (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *error;

  keep_token (fixture->device_key, "0BADBAD0");
  umt_tunnel_supervisor_configure (fixture->supervisor, fixture->device_key, NULL, fixture->profile);
  umt_tunnel_supervisor_start (fixture->supervisor);

  WAIT_FOR (state_of (fixture) == UMT_TUNNEL_STATE_AUTH_FAILED);
  error = umt_tunnel_supervisor_get_last_error (fixture->supervisor);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, "refused this device's token"));
  /* The agent backs off and says when it tries again; the state stays. */
  WAIT_FOR (umt_tunnel_supervisor_get_retry_at (fixture->supervisor) != NULL);
  g_assert_cmpint (state_of (fixture), ==, UMT_TUNNEL_STATE_AUTH_FAILED);
}

static void
test_disable_stops_agent (Fixture       *fixture,
                          gconstpointer  data)
{
  GPid pid;

  start_connected (fixture);
  pid = umt_tunnel_supervisor_get_agent_pid (fixture->supervisor);

  umt_profile_set_tunnel_enabled (fixture->profile, FALSE);
  umt_tunnel_supervisor_configure (fixture->supervisor, fixture->device_key, NULL, fixture->profile);
  g_assert_cmpint (state_of (fixture), ==, UMT_TUNNEL_STATE_DISABLED);
  g_assert_cmpint (umt_tunnel_supervisor_get_agent_pid (fixture->supervisor), ==, 0);
  WAIT_FOR (process_gone (pid));

  /* Enabled again, it comes back by itself: the user never said stop. */
  umt_profile_set_tunnel_enabled (fixture->profile, TRUE);
  umt_tunnel_supervisor_configure (fixture->supervisor, fixture->device_key, NULL, fixture->profile);
  WAIT_FOR (state_of (fixture) == UMT_TUNNEL_STATE_CONNECTED);

  pid = umt_tunnel_supervisor_get_agent_pid (fixture->supervisor);
  umt_tunnel_supervisor_stop (fixture->supervisor);
  g_assert_cmpint (state_of (fixture), ==, UMT_TUNNEL_STATE_STOPPED);
  WAIT_FOR (process_gone (pid));
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_unregister_stops_agent (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(UmtDeviceManager) manager = NULL;
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *key = tunnel_test_make_device (fixture->sim, FALSE, &token);
  UmtTunnelSupervisor *tunnel;
  UmtProfile *profile;
  GPid pid;

  g_setenv ("MEETING_SERVER_URL", fixture->sim->url, TRUE);
  manager = umt_device_manager_new (&error);
  g_assert_no_error (error);
  profile = umt_device_manager_get_profile (manager);
  umt_profile_set_public_ip_lookup (profile, FALSE);
  registration = umt_device_manager_register_sync (manager, key, token, NULL, &error);
  g_assert_no_error (error);
  g_ptr_array_add (tokens_used, g_strdup (token));

  /* Registration kept the token for the tunnel: nothing else to set up. */
  tunnel = umt_device_manager_get_tunnel (manager);
  g_assert_false (umt_tunnel_supervisor_get_enabled (tunnel));
  umt_profile_set_tunnel_enabled (profile, TRUE);
  g_assert_true (umt_profile_set_tunnel_proxy_host (profile, "127.0.0.1", NULL));
  g_assert_true (umt_profile_set_tunnel_proxy_port (profile, fixture->sim->proxy_port, NULL));
  umt_device_manager_profiles_changed (manager);
  g_assert_true (umt_tunnel_supervisor_get_enabled (tunnel));
  g_assert_cmpstr (umt_tunnel_supervisor_get_device_key (tunnel), ==, key);

  umt_tunnel_supervisor_start (tunnel);
  WAIT_FOR (umt_tunnel_supervisor_get_state (tunnel) == UMT_TUNNEL_STATE_CONNECTED);
  pid = umt_tunnel_supervisor_get_agent_pid (tunnel);

  umt_device_manager_unregister_async (manager, NULL, on_done, &result);
  WAIT_FOR (result != NULL);
  g_assert_true (umt_device_manager_unregister_finish (manager, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (umt_tunnel_supervisor_get_state (tunnel), ==, UMT_TUNNEL_STATE_DISABLED);
  g_assert_null (umt_tunnel_supervisor_get_device_key (tunnel));
  WAIT_FOR (process_gone (pid));
  g_unsetenv ("MEETING_SERVER_URL");
}

static char *
run_tunnel_status (int *exit_status)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, g_getenv ("UMT_CLI"), "tunnel", "status", "--json", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  *exit_status = g_subprocess_get_exit_status (process);
  return g_steal_pointer (&out);
}

/* Reads tunnel.json again into @status. */
static gboolean
published_state_is (UmtTunnelStatus **status,
                    UmtTunnelState    state)
{
  g_clear_pointer (status, umt_tunnel_status_free);
  *status = umt_tunnel_status_load (NULL);
  return *status != NULL && (*status)->state == state;
}

static void
test_status_for_other_processes (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(UmtTunnelStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  JsonObject *object;
  int exit_status;

  umt_tunnel_status_publish (fixture->supervisor);
  start_connected (fixture);
  WAIT_FOR (published_state_is (&status, UMT_TUNNEL_STATE_CONNECTED));
  g_assert_true (status->owner_alive);
  g_assert_true (status->enabled);
  g_assert_cmpstr (status->device_key, ==, fixture->device_key);

  out = run_tunnel_status (&exit_status);
  g_assert_cmpint (exit_status, ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "connected");
  g_assert_true (json_object_get_boolean_member (object, "running"));
  g_assert_cmpstr (json_object_get_string_member (object, "device_key"), ==, fixture->device_key);
  /* A front end other than `umt run` runs it: this test stands for the window. */
  g_assert_cmpstr (json_object_get_string_member (object, "owner"), ==, "the window");

  umt_tunnel_supervisor_stop (fixture->supervisor);
  umt_tunnel_status_unpublish (fixture->supervisor);
  g_clear_pointer (&status, umt_tunnel_status_free);
  status = umt_tunnel_status_load (&error);
  g_assert_no_error (error);
  g_assert_cmpint (status->state, ==, UMT_TUNNEL_STATE_STOPPED);
  g_assert_false (status->owner_alive);

  /* Nobody runs it now: said so, with the profile's setting (the default
   * profile of this test run has the tunnel off). */
  g_clear_pointer (&out, g_free);
  g_clear_object (&parser);
  parser = json_parser_new ();
  out = run_tunnel_status (&exit_status);
  g_assert_cmpint (exit_status, ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_false (json_object_get_boolean_member (object, "running"));
  g_assert_false (json_object_get_boolean_member (object, "enabled"));
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "disabled");
}

/* Runs last: what every test above gave the agents never reached the log. */
static void
test_log_has_no_token (void)
{
  g_autofree char *log = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (umt_log_get_path (), &log, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (log, "Tunnel agent started"));
  g_assert_cmpuint (tokens_used->len, >, 0);
  for (guint i = 0; i < tokens_used->len; i++)
    g_assert_null (strstr (log, g_ptr_array_index (tokens_used, i)));
  g_assert_null (strstr (log, "\"token\""));
}

static void
test_profile_allowed_ports (void)
{
  g_autoptr(UmtProfile) profile = umt_profile_new ("ports", NULL, NULL);
  g_autoptr(UmtProfile) reread = NULL;
  g_autoptr(GArray) ports = NULL;
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(JsonObject) old = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;

  /* Defaults, also for a profile written before the tunnel existed. */
  json_object_set_string_member (old, "name", "old");
  reread = umt_profile_new_from_json (old, &error);
  g_assert_no_error (error);
  g_assert_false (umt_profile_get_tunnel_enabled (reread));
  g_assert_cmpuint (umt_profile_get_tunnel_proxy_port (reread), ==, 9001);
  g_assert_true (umt_profile_get_tunnel_verify_tls (reread));
  g_assert_false (umt_profile_get_tunnel_tls (reread));
  host = umt_profile_dup_tunnel_proxy_host_in_use (reread, NULL);
  g_assert_cmpstr (host, ==, "meeting.ygsoft.fr");
  ports = umt_profile_dup_tunnel_port_map (reread);
  g_assert_cmpuint (ports->len, ==, 1);
  g_assert_cmpuint (g_array_index (ports, UmtTunnelPortMapping, 0).requested, ==, 22);
  g_assert_cmpuint (g_array_index (ports, UmtTunnelPortMapping, 0).local, ==, 22);
  g_clear_pointer (&ports, g_array_unref);
  g_clear_object (&reread);

  /* Only the enabled services, from the port the server asks for to where they listen,
   * and the relay ports as themselves; SSH wins over a relay port 22. */
  g_assert_true (umt_profile_set_value (profile, "tunnel_ssh_port", "2222", &error));
  g_assert_true (umt_profile_set_value (profile, "tunnel_vnc", "true", &error));
  g_assert_true (umt_profile_set_value (profile, "tunnel_vnc_port", "5901", &error));
  g_assert_true (umt_profile_set_value (profile, "tunnel_http_port", "8000", &error));
  g_assert_true (umt_profile_set_value (profile, "tunnel_relay_ports", "9000, 22,9000", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (umt_profile_get_tunnel_relay_ports (profile), ==, "22,9000");
  ports = umt_profile_dup_tunnel_port_map (profile);
  g_assert_cmpuint (ports->len, ==, 3);
  g_assert_cmpuint (g_array_index (ports, UmtTunnelPortMapping, 0).requested, ==, 22);
  g_assert_cmpuint (g_array_index (ports, UmtTunnelPortMapping, 0).local, ==, 2222);
  g_assert_cmpuint (g_array_index (ports, UmtTunnelPortMapping, 1).requested, ==, 5900);
  g_assert_cmpuint (g_array_index (ports, UmtTunnelPortMapping, 1).local, ==, 5901);
  g_assert_cmpuint (g_array_index (ports, UmtTunnelPortMapping, 2).requested, ==, 9000);
  g_assert_cmpuint (g_array_index (ports, UmtTunnelPortMapping, 2).local, ==, 9000);
  g_clear_pointer (&ports, g_array_unref);

  /* A disabled service is not reachable: 22 is only the relay port now. */
  g_assert_true (umt_profile_set_value (profile, "tunnel_ssh", "false", &error));
  g_clear_pointer (&ports, g_array_unref);
  ports = umt_profile_dup_tunnel_port_map (profile);
  g_assert_cmpuint (ports->len, ==, 3);
  g_assert_cmpuint (g_array_index (ports, UmtTunnelPortMapping, 0).requested, ==, 22);
  g_assert_cmpuint (g_array_index (ports, UmtTunnelPortMapping, 0).local, ==, 22);

  /* Refused, and nothing changes. */
  g_assert_false (umt_profile_set_value (profile, "tunnel_proxy_port", "0", &error));
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (umt_profile_set_value (profile, "tunnel_ssh_port", "65536", &error));
  g_clear_error (&error);
  g_assert_false (umt_profile_set_value (profile, "tunnel_relay_ports", "80,http", &error));
  g_clear_error (&error);
  g_assert_false (umt_profile_set_value (profile, "tunnel_proxy_host", "bad host", &error));
  g_clear_error (&error);
  g_assert_cmpstr (umt_profile_get_tunnel_relay_ports (profile), ==, "22,9000");
  g_assert_null (umt_profile_get_tunnel_proxy_host (profile));

  /* The file keeps everything. */
  g_assert_true (umt_profile_set_value (profile, "tunnel_proxy_host", "proxy.example.org", &error));
  json = umt_profile_to_json (profile);
  g_assert_true (json_object_get_array_member (json, "tunnel_relay_ports") != NULL);
  reread = umt_profile_new_from_json (json, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (umt_profile_get_tunnel_relay_ports (reread), ==, "22,9000");
  g_assert_cmpstr (umt_profile_get_tunnel_proxy_host (reread), ==, "proxy.example.org");
  g_assert_true (umt_profile_get_tunnel_service_enabled (reread, UMT_TUNNEL_SERVICE_VNC));
  g_assert_cmpuint (umt_profile_get_tunnel_service_port (reread, UMT_TUNNEL_SERVICE_VNC), ==, 5901);
  g_assert_cmpuint (umt_profile_get_tunnel_service_port (reread, UMT_TUNNEL_SERVICE_HTTP), ==, 8000);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *scratch = g_dir_make_tmp ("umt-tunnel-supervisor-XXXXXX", NULL);
  g_autofree char *logs_dir = NULL;
  const char *dirs[] = { "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME" };
  int status;

  g_test_init (&argc, &argv, NULL);

  /* Our own configuration, state and log, whatever else runs in parallel. */
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (scratch, dirs[i], NULL);
      g_setenv (dirs[i], dir, TRUE);
    }
  g_unsetenv ("MEETING_SERVER_URL");
  logs_dir = umt_paths_get_logs_dir ();
  umt_log_init (logs_dir, UMT_LOG_FLAGS_DEBUG);
  tokens_used = g_ptr_array_new_with_free_func (g_free);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  g_test_add_func ("/tunnel-supervisor/profile-allowed-ports", test_profile_allowed_ports);
  ADD ("/tunnel-supervisor/relays-to-allowed-port", test_relays_to_allowed_port);
  ADD ("/tunnel-supervisor/ssh-service-reaches-its-port", test_ssh_service_reaches_its_port);
  ADD ("/tunnel-supervisor/proxy-host-follows-server", test_proxy_host_follows_server);
  ADD ("/tunnel-supervisor/reconnect-asked-by-another", test_reconnect_asked_by_another);
  ADD ("/tunnel-supervisor/network-back-reconnects", test_network_back_reconnects);
  ADD ("/tunnel-supervisor/restarts-killed-agent", test_restarts_killed_agent);
  ADD ("/tunnel-supervisor/wrong-token", test_wrong_token);
  ADD ("/tunnel-supervisor/disable-stops-agent", test_disable_stops_agent);
  ADD ("/tunnel-supervisor/unregister-stops-agent", test_unregister_stops_agent);
  ADD ("/tunnel-supervisor/status-for-other-processes", test_status_for_other_processes);
  g_test_add_func ("/tunnel-supervisor/log-has-no-token", test_log_has_no_token);

  status = g_test_run ();
  g_ptr_array_unref (tokens_used);
  return status;
}
