/* umt-tunnel-agent-process.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-tunnel-agent-process"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "umt-tunnel-agent-process-private.h"

struct _UmtTunnelAgentProcess
{
  GObject           parent_instance;

  GSubprocess      *process;
  GOutputStream    *commands;
  GDataInputStream *events;
  GDataInputStream *errors;
  GPid              pid;
  guint             kill_id;
  gboolean          let_go;
};

G_DEFINE_FINAL_TYPE (UmtTunnelAgentProcess, umt_tunnel_agent_process, G_TYPE_OBJECT)

enum {
  EVENT,
  EXITED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
agent_path (void)
{
  const char *path = g_getenv ("UMT_TUNNEL_AGENT");

  if (path != NULL && *path != '\0')
    return g_strdup (path);
  return _umt_tunnel_agent_process_default_path ();
}

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(UmtTunnelAgentProcess) self = data;
  g_autofree char *how = _umt_tunnel_agent_process_describe_exit (self->process);

  g_subprocess_wait_finish (self->process, result, NULL);
  g_clear_handle_id (&self->kill_id, g_source_remove);
  g_debug ("Tunnel agent %d ended (%s)", (int) self->pid, how);
  if (!self->let_go)
    g_signal_emit (self, signals[EXITED], 0, how);
}

static void read_event (UmtTunnelAgentProcess *self);
static void read_error (UmtTunnelAgentProcess *self);

static void
on_event_line (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(UmtTunnelAgentProcess) self = data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  if (line == NULL)
    return;
  if (!self->let_go &&
      json_parser_load_from_data (parser, line, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    g_signal_emit (self, signals[EVENT], 0, json_node_get_object (json_parser_get_root (parser)));
  read_event (self);
}

static void
read_event (UmtTunnelAgentProcess *self)
{
  g_data_input_stream_read_line_async (self->events, G_PRIORITY_DEFAULT, NULL,
                                       on_event_line, g_object_ref (self));
}

static void
on_error_line (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(UmtTunnelAgentProcess) self = data;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  if (line == NULL)
    return;
  if (*line != '\0')
    g_message ("umt-tunnel-agent[%d]: %s", (int) self->pid, line);
  read_error (self);
}

static void
read_error (UmtTunnelAgentProcess *self)
{
  g_data_input_stream_read_line_async (self->errors, G_PRIORITY_DEFAULT, NULL,
                                       on_error_line, g_object_ref (self));
}

UmtTunnelAgentProcess *
umt_tunnel_agent_process_spawn (const char  *config,
                                GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(UmtTunnelAgentProcess) self = NULL;
  g_autofree char *path = agent_path ();

  g_return_val_if_fail (config != NULL, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawn (launcher, error, path, NULL);
  if (process == NULL)
    {
      g_prefix_error (error, _("Cannot start the tunnel agent %s: "), path);
      return NULL;
    }

  _umt_tunnel_agent_process_tie (process);

  self = g_object_new (UMT_TYPE_TUNNEL_AGENT_PROCESS, NULL);
  self->process = g_steal_pointer (&process);
  self->commands = g_object_ref (g_subprocess_get_stdin_pipe (self->process));
  self->events = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  self->errors = g_data_input_stream_new (g_subprocess_get_stderr_pipe (self->process));
  self->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (self->process), NULL, 10);

  g_subprocess_wait_async (self->process, NULL, on_exited, g_object_ref (self));
  read_event (self);
  read_error (self);
  umt_tunnel_agent_process_send (self, config);
  return g_steal_pointer (&self);
}

void
umt_tunnel_agent_process_send (UmtTunnelAgentProcess *self,
                               const char            *line)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (UMT_IS_TUNNEL_AGENT_PROCESS (self));

  /* A few bytes into a pipe the agent reads all the time: this does not block. */
  if (!g_output_stream_write_all (self->commands, line, strlen (line), NULL, NULL, &error) ||
      !g_output_stream_write_all (self->commands, "\n", 1, NULL, NULL, &error))
    g_debug ("Cannot write to the tunnel agent: %s", error->message);
}

static gboolean
on_kill_timeout (gpointer data)
{
  UmtTunnelAgentProcess *self = data;

  self->kill_id = 0;
  g_message ("The tunnel agent (process %d) did not stop in time; killing it", (int) self->pid);
  g_subprocess_force_exit (self->process);
  return G_SOURCE_REMOVE;
}

void
umt_tunnel_agent_process_let_go (UmtTunnelAgentProcess *self,
                                 guint                  grace_ms)
{
  g_return_if_fail (UMT_IS_TUNNEL_AGENT_PROCESS (self));

  if (self->let_go)
    return;
  self->let_go = TRUE;
  g_output_stream_close (self->commands, NULL, NULL);
  self->kill_id = g_timeout_add_full (G_PRIORITY_DEFAULT, grace_ms, on_kill_timeout,
                                      g_object_ref (self), g_object_unref);
}

GPid
umt_tunnel_agent_process_get_pid (UmtTunnelAgentProcess *self)
{
  g_return_val_if_fail (UMT_IS_TUNNEL_AGENT_PROCESS (self), 0);
  return self->pid;
}

static void
umt_tunnel_agent_process_finalize (GObject *object)
{
  UmtTunnelAgentProcess *self = UMT_TUNNEL_AGENT_PROCESS (object);

  g_clear_object (&self->commands);
  g_clear_object (&self->events);
  g_clear_object (&self->errors);
  g_clear_object (&self->process);

  G_OBJECT_CLASS (umt_tunnel_agent_process_parent_class)->finalize (object);
}

static void
umt_tunnel_agent_process_class_init (UmtTunnelAgentProcessClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = umt_tunnel_agent_process_finalize;

  signals[EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                 JSON_TYPE_OBJECT | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[EXITED] = g_signal_new ("exited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
umt_tunnel_agent_process_init (UmtTunnelAgentProcess *self)
{
}
