#define G_LOG_DOMAIN "tunnel-agent-harness"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tunnel-agent-harness.h"

/* Agent process */

typedef struct {
  Agent *agent;
  GInputStream *stream;
  gboolean is_stdout;
} ReaderArgs;

static gpointer
reader_thread (gpointer data)
{
  ReaderArgs *args = data;
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (args->stream);

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, NULL);

      if (line == NULL)
        break;

      g_mutex_lock (&args->agent->lock);
      g_string_append_printf (args->is_stdout ? args->agent->out_text : args->agent->err_text,
                              "%s\n", line);
      g_mutex_unlock (&args->agent->lock);

      if (args->is_stdout)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();

          g_assert_true (json_parser_load_from_data (parser, line, -1, NULL));
          g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
          g_async_queue_push (args->agent->events,
                              json_object_ref (json_node_get_object (json_parser_get_root (parser))));
        }
      else
        g_test_message ("agent: %s", line);
    }

  g_free (args);
  return NULL;
}

char *
make_config_tls (guint16        proxy_port,
                 const guint16 *ports,
                 guint          n_ports,
                 gboolean       tls,
                 gboolean       verify_tls)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "{\"device_key\":\"%s\", \"token\":\"%s\", \"proxy_host\":\"127.0.0.1\", "
                          "\"proxy_port\":%u, \"tls\":%s, \"verify_tls\":%s, \"allowed_ports\":[",
                          DEVICE_KEY, TOKEN, proxy_port, tls ? "true" : "false",
                          verify_tls ? "true" : "false");
  for (guint i = 0; i < n_ports; i++)
    g_string_append_printf (s, "%s%u", i > 0 ? "," : "", ports[i]);
  g_string_append (s, "]}\n");
  return g_string_free (s, FALSE);
}

char *
make_config (guint16        proxy_port,
             const guint16 *ports,
             guint          n_ports)
{
  return make_config_tls (proxy_port, ports, n_ports, FALSE, TRUE);
}

Agent *
agent_spawn (const char *config_line)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  const char *path = g_getenv ("UMT_TUNNEL_AGENT");
  Agent *agent = g_new0 (Agent, 1);
  ReaderArgs *args;

  g_assert_nonnull (path);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* Every log line the agent can write, so that a leaked token would show. */
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  agent->process = g_subprocess_launcher_spawn (launcher, &error, path, NULL);
  g_assert_no_error (error);

  g_mutex_init (&agent->lock);
  agent->events = g_async_queue_new_full ((GDestroyNotify) json_object_unref);
  agent->out_text = g_string_new (NULL);
  agent->err_text = g_string_new (NULL);

  args = g_new0 (ReaderArgs, 1);
  *args = (ReaderArgs) { agent, g_subprocess_get_stdout_pipe (agent->process), TRUE };
  agent->stdout_thread = g_thread_new ("agent-stdout", reader_thread, args);
  args = g_new0 (ReaderArgs, 1);
  *args = (ReaderArgs) { agent, g_subprocess_get_stderr_pipe (agent->process), FALSE };
  agent->stderr_thread = g_thread_new ("agent-stderr", reader_thread, args);

  if (config_line != NULL)
    {
      g_output_stream_write_all (g_subprocess_get_stdin_pipe (agent->process), config_line,
                                 strlen (config_line), NULL, NULL, &error);
      g_assert_no_error (error);
    }
  return agent;
}

void
agent_send (Agent      *agent,
            const char *line)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_subprocess_get_stdin_pipe (agent->process), line, strlen (line),
                             NULL, NULL, &error);
  g_assert_no_error (error);
}

/* The next event called @name within @timeout_ms, skipping others; NULL if none. */
JsonObject *
agent_wait_event (Agent      *agent,
                  const char *name,
                  guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  for (;;)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      JsonObject *event;

      if (left <= 0)
        return NULL;
      event = g_async_queue_timeout_pop (agent->events, left);
      if (event == NULL)
        return NULL;
      if (g_strcmp0 (json_object_get_string_member (event, "event"), name) == 0)
        return event;
      json_object_unref (event);
    }
}

static void
on_waited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

/* Waits for the agent to exit; FALSE if it is still running after @timeout_ms. */
gboolean
agent_wait_exit (Agent *agent,
                 guint  timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;
  gboolean done = FALSE;

  g_subprocess_wait_async (agent->process, NULL, on_waited, &done);
  while (!done && g_get_monotonic_time () < deadline)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10000);
    }
  if (!done)
    {
      g_subprocess_force_exit (agent->process);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
      return FALSE;
    }
  return TRUE;
}

gsize
agent_rss_kib (Agent *agent)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status",
                                           g_subprocess_get_identifier (agent->process));
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

/* Once the agent has exited: all its output has been read. */
void
agent_join_output (Agent *agent)
{
  if (agent->stdout_thread != NULL)
    g_thread_join (g_steal_pointer (&agent->stdout_thread));
  if (agent->stderr_thread != NULL)
    g_thread_join (g_steal_pointer (&agent->stderr_thread));
}

/* Ends the agent and checks what every test must hold: the token never shows. */
void
agent_free (Agent *agent)
{
  if (g_subprocess_get_identifier (agent->process) != NULL)
    {
      g_output_stream_close (g_subprocess_get_stdin_pipe (agent->process), NULL, NULL);
      agent_wait_exit (agent, 10000);
    }
  agent_join_output (agent);

  g_assert_null (strstr (agent->out_text->str, TOKEN));
  g_assert_null (strstr (agent->err_text->str, TOKEN));

  g_object_unref (agent->process);
  g_async_queue_unref (agent->events);
  g_string_free (agent->out_text, TRUE);
  g_string_free (agent->err_text, TRUE);
  g_mutex_clear (&agent->lock);
  g_free (agent);
}

/* Sockets */

GSocket *
listen_loopback (guint16 *port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  GSocket *socket;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  /* 100 streams connect at once: the default backlog of 10 would reset some. */
  g_socket_set_listen_backlog (socket, 256);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return socket;
}

/* A port on which nothing listens (as far as anything can be sure). */
guint16
closed_port (void)
{
  guint16 port;
  GSocket *socket = listen_loopback (&port);

  g_socket_close (socket, NULL);
  g_object_unref (socket);
  return port;
}

static gboolean
send_all (GSocket      *socket,
          const guint8 *data,
          gsize         len)
{
  while (len > 0)
    {
      gssize n = g_socket_send (socket, (const char *) data, len, NULL, NULL);

      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

/* Local servers */

static gpointer
echo_connection (gpointer data)
{
  g_autoptr(GSocket) socket = data;
  g_autofree guint8 *buf = g_malloc (65536);

  for (;;)
    {
      gssize n = g_socket_receive (socket, (char *) buf, 65536, NULL, NULL);

      if (n <= 0 || !send_all (socket, buf, n))
        break;
    }
  g_socket_close (socket, NULL);
  return NULL;
}

typedef struct {
  Server *server;
  GSocket *socket;
} FloodArgs;

static gpointer
flood_connection (gpointer data)
{
  FloodArgs *args = data;
  g_autoptr(GSocket) socket = args->socket;
  g_autofree guint8 *buf = g_malloc0 (65536);

  /* Blocks once nobody drains the other end; the timeout ends the thread then. */
  g_socket_set_timeout (socket, 5);
  while (!g_atomic_int_get (&args->server->stop))
    {
      gssize n = g_socket_send (socket, (const char *) buf, 65536, NULL, NULL);

      if (n <= 0)
        break;
      g_atomic_pointer_add (&args->server->flooded, n);
    }
  g_free (args);
  return NULL;
}

static gpointer
server_thread (gpointer data)
{
  Server *server = data;

  while (!g_atomic_int_get (&server->stop))
    {
      g_autoptr(GError) error = NULL;
      GSocket *socket = g_socket_accept (server->listener, NULL, &error);

      if (socket == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            continue;
          break;
        }
      g_socket_set_timeout (socket, 0);

      switch (server->mode)
        {
        case SERVER_ECHO:
          g_thread_unref (g_thread_new ("echo", echo_connection, socket));
          break;
        case SERVER_HOLD:
          g_mutex_lock (&server->lock);
          g_ptr_array_add (server->held, socket);
          g_mutex_unlock (&server->lock);
          break;
        case SERVER_FLOOD:
          {
            FloodArgs *args = g_new0 (FloodArgs, 1);

            *args = (FloodArgs) { server, socket };
            g_thread_unref (g_thread_new ("flood", flood_connection, args));
          }
          break;
        }
    }
  return NULL;
}

Server *
server_new (ServerMode mode)
{
  Server *server = g_new0 (Server, 1);

  server->mode = mode;
  server->listener = listen_loopback (&server->port);
  /* Accept wakes up now and then to see whether the test is over. */
  g_socket_set_timeout (server->listener, 1);
  server->held = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_init (&server->lock);
  server->thread = g_thread_new ("server", server_thread, server);
  return server;
}

void
server_free (Server *server)
{
  g_atomic_int_set (&server->stop, 1);
  g_thread_join (server->thread);
  g_socket_close (server->listener, NULL);
  g_object_unref (server->listener);
  g_ptr_array_unref (server->held);
  g_mutex_clear (&server->lock);
  g_free (server);
}

/* The proxy side: a listener and, per agent connection, a Peer speaking frames. */

/* With @certificate, speaks TLS; returns NULL when the TLS handshake fails. */
Peer *
proxy_accept_tls (GSocket         *listener,
                  GTlsCertificate *certificate)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  Peer *peer;
  GSocket *socket = g_socket_accept (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_set_timeout (socket, 30);
  connection = g_socket_connection_factory_create_connection (socket);
  peer = g_new0 (Peer, 1);
  peer->socket = socket;
  peer->stream = G_IO_STREAM (g_object_ref (connection));
  peer->decoder = umt_tunnel_frame_decoder_new ();
  peer->buf = g_malloc (65536);
  g_mutex_init (&peer->send_lock);

  if (certificate != NULL)
    {
      g_autoptr(GIOStream) tls = g_tls_server_connection_new (peer->stream, certificate, &error);

      g_assert_no_error (error);
      g_object_unref (peer->stream);
      peer->stream = g_object_ref (tls);
      if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error))
        {
          g_test_message ("TLS handshake failed: %s", error->message);
          peer_free (peer);
          return NULL;
        }
    }
  return peer;
}

Peer *
proxy_accept (GSocket *listener)
{
  return proxy_accept_tls (listener, NULL);
}

void
peer_free (Peer *peer)
{
  g_socket_close (peer->socket, NULL);
  g_object_unref (peer->stream);
  g_object_unref (peer->socket);
  umt_tunnel_frame_decoder_free (peer->decoder);
  g_free (peer->buf);
  g_mutex_clear (&peer->send_lock);
  g_free (peer);
}

/* Reads the agent's handshake line and answers it; returns the handshake object. */
JsonObject *
peer_handshake (Peer       *peer,
                const char *reply)
{
  return peer_handshake_with (peer, reply, NULL);
}

/* The reply and @then (frames, say) in one write, as a proxy may well send them. */
JsonObject *
peer_handshake_with (Peer       *peer,
                     const char *reply,
                     GBytes     *then)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  const guint8 *newline = NULL;

  while (newline == NULL)
    {
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (peer->stream), peer->buf,
                                      65536, NULL, NULL);

      g_assert_cmpint (n, >, 0);
      newline = memchr (peer->buf, '\n', n);
      g_string_append_len (line, (const char *) peer->buf, newline ? newline - peer->buf : n);
      if (newline != NULL)
        {
          peer->buf_len = n;
          peer->buf_off = newline + 1 - peer->buf;
        }
    }

  g_byte_array_append (out, (const guint8 *) reply, strlen (reply));
  if (then != NULL)
    g_byte_array_append (out, g_bytes_get_data (then, NULL), g_bytes_get_size (then));
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (peer->stream),
                                            out->data, out->len, NULL, NULL, NULL));
  g_assert_true (json_parser_load_from_data (parser, line->str, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

gboolean
peer_recv_frame (Peer           *peer,
                 UmtTunnelFrame *frame)
{
  for (;;)
    {
      if (peer->buf_off < peer->buf_len)
        {
          g_autoptr(GError) error = NULL;
          const guint8 *p = peer->buf + peer->buf_off;
          gsize left = peer->buf_len - peer->buf_off;
          UmtTunnelDecodeResult r = umt_tunnel_frame_decoder_feed (peer->decoder, &p, &left, frame, &error);

          g_assert_no_error (error);
          peer->buf_off = p - peer->buf;
          if (r == UMT_TUNNEL_DECODE_FRAME)
            return TRUE;
        }

      {
        gssize n = g_input_stream_read (g_io_stream_get_input_stream (peer->stream), peer->buf,
                                        65536, NULL, NULL);

        if (n <= 0)
          return FALSE;
        peer->buf_len = n;
        peer->buf_off = 0;
      }
    }
}

gboolean
peer_send (Peer               *peer,
           UmtTunnelFrameType  type,
           guint32             id,
           const void         *payload,
           gsize               len)
{
  g_autoptr(GBytes) frame = umt_tunnel_frame_encode (type, id, payload, len);
  gboolean ok;

  g_mutex_lock (&peer->send_lock);
  ok = g_output_stream_write_all (g_io_stream_get_output_stream (peer->stream),
                                  g_bytes_get_data (frame, NULL), g_bytes_get_size (frame),
                                  NULL, NULL, NULL);
  g_mutex_unlock (&peer->send_lock);
  return ok;
}

void
peer_send_new (Peer    *peer,
               guint32  id,
               guint16  port)
{
  guint8 payload[2] = { port >> 8, port & 0xff };

  g_assert_true (peer_send (peer, UMT_TUNNEL_FRAME_NEW, id, payload, 2));
}

/* Starts an agent allowed to reach @ports, accepts its connection and authenticates it. */
Agent *
start_connected (GSocket        *listener,
                 guint16         proxy_port,
                 const guint16  *ports,
                 guint           n_ports,
                 Peer          **peer_out)
{
  g_autofree char *config = make_config (proxy_port, ports, n_ports);

  return start_connected_with (listener, config, peer_out);
}

Agent *
start_connected_with (GSocket     *listener,
                      const char  *config_line,
                      Peer       **peer_out)
{
  Agent *agent = agent_spawn (config_line);
  g_autoptr(JsonObject) hello = NULL;
  g_autoptr(JsonObject) connected = NULL;

  *peer_out = proxy_accept (listener);
  hello = peer_handshake (*peer_out, AUTH_OK);
  g_assert_cmpstr (json_object_get_string_member (hello, "token"), ==, TOKEN);
  g_assert_cmpstr (json_object_get_string_member (hello, "name"), ==, DEVICE_KEY);
  connected = agent_wait_event (agent, "connected", 10000);
  g_assert_nonnull (connected);
  return agent;
}

GSocket *
proxy_listen (guint16 *port)
{
  GSocket *listener = listen_loopback (port);

  /* A test that waits for an agent that never comes fails instead of hanging. */
  g_socket_set_timeout (listener, 20);
  return listener;
}
