/* test-tunnel-proxy-agent.c: the real umt-tunnel-agent through the sim's
 * proxy to a local echo server, end to end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-tunnel-proxy-agent"

#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include "tunnel-test-util.h"

#define ROUND_TRIP_BYTES (4 * 1024 * 1024)
/* Streams opened at once; every one holds a descriptor in this process (client
 * and echo side), in the sim and in the agent. */
#define MANY_STREAMS 1000

/* The device's service: a blocking echo server, one thread per connection. */

typedef struct
{
  GSocket  *listener;
  guint16   port;
  GThread  *thread;
  gboolean  stop;  /* atomic */
} EchoServer;

static gpointer
echo_connection (gpointer data)
{
  g_autoptr(GSocket) socket = data;
  char buffer[65536];

  for (;;)
    {
      gssize got = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL);
      gssize sent = 0;

      if (got <= 0)
        break;
      while (sent < got)
        {
          gssize n = g_socket_send (socket, buffer + sent, (gsize) (got - sent), NULL, NULL);

          if (n <= 0)
            return NULL;
          sent += n;
        }
    }
  g_socket_close (socket, NULL);
  return NULL;
}

static gpointer
echo_accept_loop (gpointer data)
{
  EchoServer *echo = data;

  while (!g_atomic_int_get (&echo->stop))
    {
      GSocket *socket = g_socket_accept (echo->listener, NULL, NULL);

      /* The listener times out every second so that stop is noticed. */
      if (socket != NULL)
        g_thread_unref (g_thread_new ("echo", echo_connection, socket));
    }
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

  echo->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (echo->listener, address, TRUE, &error);
  g_assert_no_error (error);
  /* Room for every stream of a burst, as a busy service would have. */
  g_socket_set_listen_backlog (echo->listener, MANY_STREAMS);
  g_socket_listen (echo->listener, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (echo->listener, 1);
  bound = g_socket_get_local_address (echo->listener, &error);
  g_assert_no_error (error);
  echo->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  echo->thread = g_thread_new ("echo-accept", echo_accept_loop, echo);
  return echo;
}

static void
echo_server_stop (EchoServer *echo)
{
  g_atomic_int_set (&echo->stop, TRUE);
  g_thread_join (echo->thread);
  g_socket_close (echo->listener, NULL);
  g_object_unref (echo->listener);
  g_free (echo);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EchoServer, echo_server_stop)

/* The agent process and its events */

typedef struct
{
  char     *line;
  gboolean  done;
  gboolean  timed_out;
} LineRead;

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                          result, NULL, NULL);
  read->done = TRUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  LineRead *read = user_data;

  read->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Skips events until one named @wanted; fails on auth-failed, on end of
 * output and after IO_TIMEOUT_SECONDS. */
static JsonObject *
wait_for_event (GDataInputStream *events,
                const char       *wanted)
{
  for (;;)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *line = NULL;
      LineRead read = { NULL, FALSE, FALSE };
      guint timeout = g_timeout_add_seconds (IO_TIMEOUT_SECONDS, on_timeout, &read);
      JsonObject *event;
      const char *name;

      g_data_input_stream_read_line_async (events, G_PRIORITY_DEFAULT, NULL, on_line, &read);
      while (!read.done && !read.timed_out)
        g_main_context_iteration (NULL, TRUE);
      g_assert_false (read.timed_out);
      g_source_remove (timeout);
      line = read.line;
      g_assert_nonnull (line);

      json_parser_load_from_data (parser, line, -1, &error);
      g_assert_no_error (error);
      event = json_node_get_object (json_parser_get_root (parser));
      name = json_object_get_string_member (event, "event");
      g_assert_cmpstr (name, !=, "auth-failed");
      if (g_str_equal (name, wanted))
        return json_object_ref (event);
    }
}

/* The token goes through stdin, as the supervisor passes it; room for the burst. */
static GSubprocess *
start_agent (const char *agent_path,
             UmtTestSim *sim,
             const char *key,
             const char *token,
             gboolean    tls,
             guint16     allowed_port)
{
  g_auto(GStrv) agent_argv = NULL;
  g_autoptr(GSubprocess) agent = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;

  /* A command line: "wine …/umt-tunnel-agent.exe" for the Windows build. */
  g_shell_parse_argv (agent_path, NULL, &agent_argv, &error);
  g_assert_no_error (error);
  agent = g_subprocess_newv ((const char * const *) agent_argv,
                             G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                             &error);
  g_assert_no_error (error);
  config = g_strdup_printf ("{\"device_key\":\"%s\",\"token\":\"%s\","
                            "\"proxy_host\":\"127.0.0.1\",\"proxy_port\":%u,"
                            "\"tls\":%s,\"verify_tls\":false,\"allowed_ports\":[%u],"
                            "\"max_streams\":%u}\n",
                            key, token, sim->proxy_port, tls ? "true" : "false", allowed_port,
                            MANY_STREAMS);
  g_output_stream_write_all (g_subprocess_get_stdin_pipe (agent), config, strlen (config),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&agent);
}

typedef struct
{
  GIOStream    *stream;
  const guint8 *data;
  gsize         len;
} Writer;

static gpointer
write_in_thread (gpointer data)
{
  Writer *writer = data;

  tunnel_test_write_all (writer->stream, writer->data, writer->len);
  return NULL;
}

static void
test_round_trip (gconstpointer data)
{
  gboolean tls = GPOINTER_TO_INT (data);
  const char *agent_path = g_getenv ("UMT_TUNNEL_AGENT");
  g_autoptr(UmtTestSim) sim = NULL;
  g_autoptr(EchoServer) echo = NULL;
  g_autoptr(GSubprocess) agent = NULL;
  g_autoptr(GDataInputStream) events = NULL;
  g_autoptr(JsonObject) opened = NULL;
  g_autoptr(GIOStream) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *key = NULL;
  g_autofree char *relay = NULL;
  g_autofree guint8 *sent = NULL;
  g_autofree guint8 *received = NULL;
  Writer writer;
  GThread *thread;
  guint16 port;

  if (agent_path == NULL)
    {
      g_test_skip ("UMT_TUNNEL_AGENT is not set");
      return;
    }

  sim = tls ? umt_test_sim_start ("--proxy-port", "0", "--tls", NULL)
            : umt_test_sim_start ("--proxy-port", "0", NULL);
  echo = echo_server_start ();
  key = tunnel_test_make_device (sim, TRUE, &token);

  agent = start_agent (agent_path, sim, key, token, tls, echo->port);
  events = g_data_input_stream_new (g_subprocess_get_stdout_pipe (agent));
  json_object_unref (wait_for_event (events, "connected"));

  relay = g_strdup_printf ("{\"service\":\"relay\",\"port\":%u}", echo->port);
  port = tunnel_test_reserve (sim, key, relay);
  client = tunnel_test_connect (port);

  /* Written from a thread while this one reads, so that neither side of the
   * echo waits on the other. */
  sent = g_malloc (ROUND_TRIP_BYTES);
  for (gsize i = 0; i < ROUND_TRIP_BYTES; i += 4)
    *(guint32 *) (sent + i) = g_random_int ();
  writer = (Writer) { client, sent, ROUND_TRIP_BYTES };
  thread = g_thread_new ("writer", write_in_thread, &writer);
  received = g_malloc (ROUND_TRIP_BYTES);
  tunnel_test_read_exactly (client, received, ROUND_TRIP_BYTES);
  g_thread_join (thread);
  g_assert_true (memcmp (sent, received, ROUND_TRIP_BYTES) == 0);

  opened = wait_for_event (events, "stream-opened");
  g_assert_cmpint (json_object_get_int_member (opened, "port"), ==, echo->port);

  /* The client leaves: the agent closes its side of the stream too. */
  g_io_stream_close (client, NULL, NULL);
  json_object_unref (wait_for_event (events, "stream-closed"));

  /* Closing stdin stops the agent cleanly. */
  g_output_stream_close (g_subprocess_get_stdin_pipe (agent), NULL, NULL);
  g_subprocess_wait_check (agent, NULL, &error);
  g_assert_no_error (error);
}

/* Reads the agent's events to their end, so that its output never fills up. */
static gpointer
count_opened_streams (gpointer data)
{
  GDataInputStream *events = data;
  guint opened = 0;
  char *line;

  while ((line = g_data_input_stream_read_line_utf8 (events, NULL, NULL, NULL)) != NULL)
    {
      if (strstr (line, "\"event\":\"stream-opened\"") != NULL)
        opened++;
      g_free (line);
    }
  return GUINT_TO_POINTER (opened);
}

/* A burst of connections, all open before any says a word: every one reaches
 * the service and echoes its own bytes. The time it takes is printed, not checked. */
static void
test_many_streams (void)
{
  const char *agent_path = g_getenv ("UMT_TUNNEL_AGENT");
  g_autoptr(UmtTestSim) sim = NULL;
  g_autoptr(EchoServer) echo = NULL;
  g_autoptr(GSubprocess) agent = NULL;
  g_autoptr(GDataInputStream) events = NULL;
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *key = NULL;
  g_autofree char *relay = NULL;
  struct rlimit limit;
  GThread *reader;
  gint64 start;
  guint16 port;

  if (agent_path == NULL)
    {
      g_test_skip ("UMT_TUNNEL_AGENT is not set");
      return;
    }
  /* The sim and the agent inherit the limit. */
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  if (limit.rlim_max < 3 * MANY_STREAMS)
    {
      g_test_skip ("the hard limit on open files is too low for the burst");
      return;
    }
  limit.rlim_cur = limit.rlim_max;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);

  sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  echo = echo_server_start ();
  key = tunnel_test_make_device (sim, TRUE, &token);
  agent = start_agent (agent_path, sim, key, token, FALSE, echo->port);
  events = g_data_input_stream_new (g_subprocess_get_stdout_pipe (agent));
  json_object_unref (wait_for_event (events, "connected"));
  reader = g_thread_new ("events", count_opened_streams, events);

  relay = g_strdup_printf ("{\"service\":\"relay\",\"port\":%u}", echo->port);
  port = tunnel_test_reserve (sim, key, relay);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < MANY_STREAMS; i++)
    g_ptr_array_add (clients, tunnel_test_connect (port));
  for (guint i = 0; i < MANY_STREAMS; i++)
    {
      g_autofree char *message = g_strdup_printf ("stream %04u\n", i);

      tunnel_test_write_all (clients->pdata[i], message, strlen (message));
    }
  for (guint i = 0; i < MANY_STREAMS; i++)
    {
      g_autofree char *expected = g_strdup_printf ("stream %04u\n", i);
      char echoed[sizeof "stream 0000\n"] = "";

      tunnel_test_read_exactly (clients->pdata[i], echoed, strlen (expected));
      g_assert_cmpstr (echoed, ==, expected);
    }
  g_test_message ("%u streams opened and echoed in %.3f s", MANY_STREAMS,
                  (g_get_monotonic_time () - start) / 1e6);

  g_ptr_array_set_size (clients, 0);
  g_output_stream_close (g_subprocess_get_stdin_pipe (agent), NULL, NULL);
  g_subprocess_wait_check (agent, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (reader)), ==, MANY_STREAMS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/tunnel-proxy-agent/round-trip", GINT_TO_POINTER (FALSE),
                        test_round_trip);
  g_test_add_data_func ("/tunnel-proxy-agent/round-trip-tls", GINT_TO_POINTER (TRUE),
                        test_round_trip);
  g_test_add_func ("/tunnel-proxy-agent/many-streams", test_many_streams);

  return g_test_run ();
}
