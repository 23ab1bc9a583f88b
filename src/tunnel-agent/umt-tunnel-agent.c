#define G_LOG_DOMAIN "umt-tunnel-agent"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#ifdef G_OS_UNIX
#include <sys/resource.h>
#endif

#include "umt-tunnel-config.h"
#include "umt-tunnel-stdin.h"
#include "umt-tunnel-session.h"

/* umt-tunnel-agent: keeps one control connection to the tunnel proxy and relays the
 * streams it opens to local services.
 *
 * stdin, first line: {"device_key":…, "token":…, "proxy_host":…, "proxy_port":9001,
 *   "tls":false, "verify_tls":true, "allowed_ports":[8080], "port_map":{"22":2222},
 *   "max_streams":256}. allowed_ports are reachable as themselves; port_map sends the port
 *   the server asks for a service (ssh 22, http 80, vnc 5900) to where it listens here; no
 *   other port is reachable. tls, verify_tls, port_map and max_streams may be left out:
 *   false, true, {} and 256. Anything wrong: one line on stderr, exit status 2.
 * stdin, later lines: {"cmd":"reconnect"} (drop the connection or the wait, connect
 *   now, backoff reset) and {"cmd":"stop"}. End of stdin or stop: exit status 0.
 * stdout, one JSON object per line, with "event":
 *   connecting      proxy_host, proxy_port, attempt
 *   connected
 *   auth-failed     reason (the proxy's); a disconnected event follows
 *   disconnected    reason, retry_in (seconds, fractional; 0 after a reconnect command)
 *   stream-opened   id, port
 *   stream-refused  id, port, reason (port not allowed, too many streams, or the local
 *                   connection failed)
 *   stream-closed   id, bytes_in (proxy → local service), bytes_out (local service → proxy)
 *   traffic         bytes_in, bytes_out: everything since the agent started, open streams
 *                   included; every second while streams are open and data moves, and
 *                   before each stream-closed and disconnected
 * stderr: logs. The token appears in neither. */

#define BACKOFF_MAX_SECONDS 60.0
/* A connection that lived this long was healthy: the next failure starts over at 1 s. */
#define HEALTHY_AFTER_US (30 * G_USEC_PER_SEC)

typedef struct {
  UmtTunnelConfig *config;
  GMainLoop *loop;
  GDataInputStream *commands;
  GCancellable *cancellable;

  UmtTunnelSession *session;
  guint retry_id;
  guint failures;          /* consecutive, for the backoff */
  gint64 connected_since;  /* monotonic µs, 0 when not connected */
  gboolean reconnect_now;

  guint open_streams;
  guint traffic_id;        /* ticks while streams are open */
  guint64 earlier_in;      /* moved by the sessions before this one */
  guint64 earlier_out;
  guint64 reported_in;     /* as the last traffic event said */
  guint64 reported_out;
} Agent;

static void start_session (Agent *agent);

/* Events */

static JsonBuilder *
event_begin (const char *name)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, name);
  return builder;
}

static void
event_end (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);

  /* One line per event, flushed at once: the supervisor reacts line by line. */
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
  g_object_unref (builder);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* Session → events */

static void
on_connected (UmtTunnelSession *session,
              Agent            *agent)
{
  agent->connected_since = g_get_monotonic_time ();
  event_end (event_begin ("connected"));
}

static void
on_auth_failed (UmtTunnelSession *session,
                const char       *reason,
                Agent            *agent)
{
  JsonBuilder *builder = event_begin ("auth-failed");

  add_string (builder, "reason", reason);
  event_end (builder);
}

/* Traffic */

static void
report_traffic (Agent *agent)
{
  guint64 in = agent->earlier_in, out = agent->earlier_out;
  JsonBuilder *builder;

  if (agent->session != NULL)
    {
      guint64 session_in, session_out;

      umt_tunnel_session_get_traffic (agent->session, &session_in, &session_out);
      in += session_in;
      out += session_out;
    }
  if (in == agent->reported_in && out == agent->reported_out)
    return;

  agent->reported_in = in;
  agent->reported_out = out;
  builder = event_begin ("traffic");
  add_int (builder, "bytes_in", (gint64) in);
  add_int (builder, "bytes_out", (gint64) out);
  event_end (builder);
}

static gboolean
on_traffic_tick (gpointer data)
{
  report_traffic (data);
  return G_SOURCE_CONTINUE;
}

/* The counters move while streams are open: they are told every second then, and an
 * idle agent does not wake up for them. */
static void
count_streams (Agent *agent,
               guint  open_streams)
{
  agent->open_streams = open_streams;
  if (open_streams == 0)
    g_clear_handle_id (&agent->traffic_id, g_source_remove);
  else if (agent->traffic_id == 0)
    agent->traffic_id = g_timeout_add_seconds (1, on_traffic_tick, agent);
}

static void
on_stream_opened (UmtTunnelSession *session,
                  guint             id,
                  guint             port,
                  Agent            *agent)
{
  JsonBuilder *builder = event_begin ("stream-opened");

  add_int (builder, "id", id);
  add_int (builder, "port", port);
  event_end (builder);
  count_streams (agent, agent->open_streams + 1);
}

static void
on_stream_refused (UmtTunnelSession *session,
                   guint             id,
                   guint             port,
                   const char       *reason,
                   Agent            *agent)
{
  JsonBuilder *builder = event_begin ("stream-refused");

  add_int (builder, "id", id);
  add_int (builder, "port", port);
  add_string (builder, "reason", reason);
  event_end (builder);
}

static void
on_stream_closed (UmtTunnelSession *session,
                  guint             id,
                  guint64           bytes_in,
                  guint64           bytes_out,
                  Agent            *agent)
{
  JsonBuilder *builder;

  report_traffic (agent);
  count_streams (agent, agent->open_streams > 0 ? agent->open_streams - 1 : 0);
  builder = event_begin ("stream-closed");
  add_int (builder, "id", id);
  add_int (builder, "bytes_in", (gint64) bytes_in);
  add_int (builder, "bytes_out", (gint64) bytes_out);
  event_end (builder);
}

/* Reconnecting */

/* Full jitter with a 1 s floor: a uniform pick in [1, min(60, 2^failures)] seconds, so
 * that many devices cut off together do not come back together, and none ever spins. */
static double
next_delay (Agent *agent)
{
  double cap = MIN (BACKOFF_MAX_SECONDS, (double) (1u << MIN (agent->failures, 6u)));

  agent->failures++;
  return 1.0 + g_random_double () * (cap - 1.0);
}

static gboolean
on_retry (gpointer user_data)
{
  Agent *agent = user_data;

  agent->retry_id = 0;
  start_session (agent);
  return G_SOURCE_REMOVE;
}

static void
drop_session (Agent *agent)
{
  guint64 session_in, session_out;

  if (agent->session == NULL)
    return;

  g_signal_handlers_disconnect_by_data (agent->session, agent);
  umt_tunnel_session_close (agent->session, "stopping");
  umt_tunnel_session_get_traffic (agent->session, &session_in, &session_out);
  agent->earlier_in += session_in;
  agent->earlier_out += session_out;
  g_clear_object (&agent->session);
  count_streams (agent, 0);
}

static void
on_closed (UmtTunnelSession *session,
           const char       *reason,
           Agent            *agent)
{
  JsonBuilder *builder;
  double delay;

  if (agent->connected_since != 0 &&
      g_get_monotonic_time () - agent->connected_since >= HEALTHY_AFTER_US)
    agent->failures = 0;
  agent->connected_since = 0;

  if (agent->reconnect_now)
    {
      agent->reconnect_now = FALSE;
      delay = 0;
    }
  else
    delay = next_delay (agent);
  delay = (gint64) (delay * 1000) / 1000.0;

  g_message ("Disconnected (%s); next attempt in %.1f s", reason, delay);
  report_traffic (agent);
  builder = event_begin ("disconnected");
  add_string (builder, "reason", reason);
  json_builder_set_member_name (builder, "retry_in");
  json_builder_add_double_value (builder, delay);
  event_end (builder);

  drop_session (agent);
  g_clear_handle_id (&agent->retry_id, g_source_remove);
  agent->retry_id = g_timeout_add ((guint) (delay * 1000), on_retry, agent);
}

static void
start_session (Agent *agent)
{
  JsonBuilder *builder = event_begin ("connecting");

  add_string (builder, "proxy_host", agent->config->proxy_host);
  add_int (builder, "proxy_port", agent->config->proxy_port);
  add_int (builder, "attempt", agent->failures + 1);
  event_end (builder);

  agent->session = umt_tunnel_session_new (agent->config);
  g_signal_connect (agent->session, "connected", G_CALLBACK (on_connected), agent);
  g_signal_connect (agent->session, "auth-failed", G_CALLBACK (on_auth_failed), agent);
  g_signal_connect (agent->session, "closed", G_CALLBACK (on_closed), agent);
  g_signal_connect (agent->session, "stream-opened", G_CALLBACK (on_stream_opened), agent);
  g_signal_connect (agent->session, "stream-refused", G_CALLBACK (on_stream_refused), agent);
  g_signal_connect (agent->session, "stream-closed", G_CALLBACK (on_stream_closed), agent);
  umt_tunnel_session_start (agent->session);
}

/* Commands */

static void
reconnect (Agent *agent)
{
  agent->failures = 0;
  if (agent->retry_id != 0)
    {
      g_clear_handle_id (&agent->retry_id, g_source_remove);
      start_session (agent);
    }
  else if (agent->session != NULL)
    {
      /* The network changed under us: the old path may be dead without knowing it. */
      agent->reconnect_now = TRUE;
      umt_tunnel_session_close (agent->session, "reconnect requested");
    }
}

static void read_command (Agent *agent);

static void
handle_command (Agent      *agent,
                const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *cmd = NULL;
  const char *name = NULL;

  if (*line == '\0')
    return;

  if (json_parser_load_from_data (parser, line, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    cmd = json_object_get_member (json_node_get_object (json_parser_get_root (parser)), "cmd");
  if (cmd != NULL && JSON_NODE_HOLDS_VALUE (cmd) && json_node_get_value_type (cmd) == G_TYPE_STRING)
    name = json_node_get_string (cmd);

  if (g_strcmp0 (name, "stop") == 0)
    {
      g_message ("Stopping on request");
      g_main_loop_quit (agent->loop);
    }
  else if (g_strcmp0 (name, "reconnect") == 0)
    {
      g_message ("Reconnecting on request");
      reconnect (agent);
    }
  else
    g_message ("Ignoring an unknown command on stdin");
}

static void
on_command (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Agent *agent = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                    NULL, &error);
  if (line == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The supervisor is gone (or broke the pipe): nobody is left to serve. */
      if (error != NULL)
        g_message ("Stopping: cannot read commands: %s", error->message);
      else
        g_message ("Stopping: stdin closed");
      g_main_loop_quit (agent->loop);
      return;
    }

  handle_command (agent, line);
  if (g_main_loop_is_running (agent->loop))
    read_command (agent);
}

static void
read_command (Agent *agent)
{
  g_data_input_stream_read_line_async (agent->commands, G_PRIORITY_DEFAULT,
                                       agent->cancellable, on_command, agent);
}

/* Each stream holds a descriptor: the usual soft limit of 1024 would refuse a burst of
 * a thousand. GLib polls with poll(), never select(), so any number is fine. */
static void
raise_descriptor_limit (void)
{
#ifdef G_OS_UNIX
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
#endif
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  Agent agent = { 0, };

  g_set_prgname ("umt-tunnel-agent");
  /* stdout carries the events and nothing else. */
  g_log_writer_default_set_use_stderr (TRUE);

  if (argc > 1)
    {
      g_printerr ("Usage: umt-tunnel-agent < configuration and commands (JSON lines)\n");
      return 2;
    }

  input = umt_tunnel_open_stdin ();
  agent.commands = g_data_input_stream_new (input);
  g_data_input_stream_set_newline_type (agent.commands, G_DATA_STREAM_NEWLINE_TYPE_ANY);

  line = g_data_input_stream_read_line_utf8 (agent.commands, NULL, NULL, &error);
  if (line != NULL)
    agent.config = umt_tunnel_config_parse (line, &error);
  if (line != NULL)
    memset (line, 0, strlen (line)); /* it holds the token */
  if (agent.config == NULL)
    {
      g_printerr ("umt-tunnel-agent: %s\n",
                  error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT)
                    ? error->message : "invalid configuration: no configuration line on stdin");
      g_object_unref (agent.commands);
      return 2;
    }

  raise_descriptor_limit ();
  agent.loop = g_main_loop_new (NULL, FALSE);
  agent.cancellable = g_cancellable_new ();

  read_command (&agent);
  start_session (&agent);
  g_main_loop_run (agent.loop);

  g_cancellable_cancel (agent.cancellable);
  g_clear_handle_id (&agent.retry_id, g_source_remove);
  drop_session (&agent);
  g_clear_object (&agent.cancellable);
  g_clear_object (&agent.commands);
  g_clear_pointer (&agent.loop, g_main_loop_unref);
  g_clear_pointer (&agent.config, umt_tunnel_config_free);
  return 0;
}
