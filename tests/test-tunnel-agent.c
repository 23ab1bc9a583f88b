#define G_LOG_DOMAIN "test-tunnel-agent"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "sim-tls.h"
#include "umt-tunnel-frame.h"

/* The real umt-tunnel-agent binary against a proxy written here (blocking sockets in
 * threads, the frame codec for the wire) and local servers on free loopback ports. */

#define TOKEN "tok-9f8e7d6c-very-secret"
#define DEVICE_KEY "test-device-01"
#define MiB (1024 * 1024)

/* Agent process */

typedef struct {
  GSubprocess *process;
  GAsyncQueue *events; /* JsonObject */
  GThread *stdout_thread;
  GThread *stderr_thread;
  GMutex lock;
  GString *out_text;
  GString *err_text;
} Agent;

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

static char *
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

static char *
make_config (guint16        proxy_port,
             const guint16 *ports,
             guint          n_ports)
{
  return make_config_tls (proxy_port, ports, n_ports, FALSE, TRUE);
}

static Agent *
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

static void
agent_send (Agent      *agent,
            const char *line)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_subprocess_get_stdin_pipe (agent->process), line, strlen (line),
                             NULL, NULL, &error);
  g_assert_no_error (error);
}

/* The next event called @name within @timeout_ms, skipping others; NULL if none. */
static JsonObject *
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
static gboolean
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

static gsize
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
static void
agent_join_output (Agent *agent)
{
  if (agent->stdout_thread != NULL)
    g_thread_join (g_steal_pointer (&agent->stdout_thread));
  if (agent->stderr_thread != NULL)
    g_thread_join (g_steal_pointer (&agent->stderr_thread));
}

/* Ends the agent and checks what every test must hold: the token never shows. */
static void
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Agent, agent_free)

/* Sockets */

static GSocket *
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
static guint16
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

/* Local servers: echo, hold (accept and never read), flood (write without end). */

typedef enum { SERVER_ECHO, SERVER_HOLD, SERVER_FLOOD } ServerMode;

typedef struct {
  GSocket *listener;
  guint16 port;
  ServerMode mode;
  gint stop;
  GThread *thread;
  GPtrArray *held; /* sockets kept open, unread */
  GMutex lock;
  gint64 flooded; /* bytes the flood server managed to write */
} Server;

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

static Server *
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

static void
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

/* The proxy side: a listener and, per agent connection, a Peer speaking frames. */

typedef struct {
  GSocket *socket;   /* for its timeout */
  GIOStream *stream; /* the TCP connection, or TLS over it */
  UmtTunnelFrameDecoder *decoder;
  guint8 *buf;
  gsize buf_len;
  gsize buf_off;
  GMutex send_lock;
} Peer;

static void peer_free (Peer *peer);

/* With @certificate, speaks TLS; returns NULL when the TLS handshake fails. */
static Peer *
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

static Peer *
proxy_accept (GSocket *listener)
{
  return proxy_accept_tls (listener, NULL);
}

static void
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Peer, peer_free)

/* Reads the agent's handshake line and answers it; returns the handshake object. */
static JsonObject *
peer_handshake (Peer       *peer,
                const char *reply)
{
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

  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (peer->stream), reply,
                                            strlen (reply), NULL, NULL, NULL));
  g_assert_true (json_parser_load_from_data (parser, line->str, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static const char *const AUTH_OK = "{\"status\":\"authenticated\",\"device_key\":\"" DEVICE_KEY "\"}\n";

static gboolean
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

static gboolean
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

static void
peer_send_new (Peer    *peer,
               guint32  id,
               guint16  port)
{
  guint8 payload[2] = { port >> 8, port & 0xff };

  g_assert_true (peer_send (peer, UMT_TUNNEL_FRAME_NEW, id, payload, 2));
}

/* Starts an agent allowed to reach @ports, accepts its connection and authenticates it. */
static Agent *
start_connected (GSocket        *listener,
                 guint16         proxy_port,
                 const guint16  *ports,
                 guint           n_ports,
                 Peer          **peer_out)
{
  g_autofree char *config = make_config (proxy_port, ports, n_ports);
  Agent *agent = agent_spawn (config);
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

static GSocket *
proxy_listen (guint16 *port)
{
  GSocket *listener = listen_loopback (port);

  /* A test that waits for an agent that never comes fails instead of hanging. */
  g_socket_set_timeout (listener, 20);
  return listener;
}

/* Tests */

static void
test_handshake (void)
{
  guint16 proxy_port, port = 22;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Peer) peer = NULL;
  g_autoptr(Agent) agent = NULL;
  g_autofree char *config = make_config (proxy_port, &port, 1);
  g_autoptr(JsonObject) connecting = NULL;
  g_autoptr(JsonObject) hello = NULL;
  g_autoptr(JsonObject) connected = NULL;

  agent = agent_spawn (config);
  connecting = agent_wait_event (agent, "connecting", 10000);
  g_assert_nonnull (connecting);

  peer = proxy_accept (listener);
  hello = peer_handshake (peer, AUTH_OK);
  g_assert_cmpstr (json_object_get_string_member (hello, "token"), ==, TOKEN);
  g_assert_cmpstr (json_object_get_string_member (hello, "name"), ==, DEVICE_KEY);

  connected = agent_wait_event (agent, "connected", 10000);
  g_assert_nonnull (connected);
}

/* A refused token is reported and retried after a pause, never in a tight loop. */
static void
test_auth_failed_backs_off (void)
{
  guint16 proxy_port, port = 22;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Agent) agent = NULL;
  g_autofree char *config = make_config (proxy_port, &port, 1);
  const char *refusal = "{\"error\":\"auth_failed\",\"reason\":\"invalid token\"}\n";
  g_autoptr(Peer) peer = NULL;
  g_autoptr(JsonObject) hello = NULL;

  agent = agent_spawn (config);
  peer = proxy_accept (listener);
  hello = peer_handshake (peer, refusal);

  for (guint attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr(JsonObject) failed = agent_wait_event (agent, "auth-failed", 10000);
      g_autoptr(JsonObject) disconnected = agent_wait_event (agent, "disconnected", 10000);
      g_autoptr(JsonObject) again = NULL;
      double retry_in;
      gint64 start;

      g_assert_nonnull (failed);
      g_assert_cmpstr (json_object_get_string_member (failed, "reason"), ==, "invalid token");
      g_assert_nonnull (disconnected);
      retry_in = json_object_get_double_member (disconnected, "retry_in");
      g_test_message ("retry_in %.3f", retry_in);
      g_assert_cmpfloat (retry_in, >=, 1.0);
      g_assert_cmpfloat (retry_in, <=, 60.0);

      /* No new attempt before the announced delay (measured from when we saw it). */
      start = g_get_monotonic_time ();
      g_clear_pointer (&peer, peer_free);
      peer = proxy_accept (listener);
      g_assert_cmpint (g_get_monotonic_time () - start, >=,
                       (gint64) ((retry_in - 0.2) * G_USEC_PER_SEC));
      again = peer_handshake (peer, refusal);
      g_assert_nonnull (again);
    }
}

typedef struct {
  Peer *peer;
  const guint8 *data;
  gsize len;
  guint32 first_id;
  guint n_streams;
  gsize chunk;
  gboolean ok;
} Writer;

/* Sends @len bytes as D frames on each of @n_streams streams, interleaved. */
static gpointer
writer_thread (gpointer user_data)
{
  Writer *w = user_data;

  w->ok = TRUE;
  for (gsize off = 0; off < w->len && w->ok; off += w->chunk)
    for (guint s = 0; s < w->n_streams && w->ok; s++)
      w->ok = peer_send (w->peer, UMT_TUNNEL_FRAME_DATA, w->first_id + s, w->data + off,
                         MIN (w->chunk, w->len - off));
  return NULL;
}

static guint8 *
random_bytes (gsize len)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i += 4)
    {
      guint32 r = g_test_rand_int ();

      memcpy (data + i, &r, MIN (4, len - i));
    }
  return data;
}

/* 16 MiB of random bytes go to the local echo server and come back identical. */
static void
test_echo_16mib (void)
{
  guint16 proxy_port;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Server) echo = server_new (SERVER_ECHO);
  g_autoptr(Peer) peer = NULL;
  g_autoptr(Agent) agent = start_connected (listener, proxy_port, &echo->port, 1, &peer);
  gsize total = 16 * MiB;
  g_autofree guint8 *sent = random_bytes (total);
  g_autofree guint8 *received = g_malloc (total);
  g_autoptr(JsonObject) opened = NULL;
  g_autoptr(JsonObject) closed = NULL;
  Writer w = { peer, sent, total, 5, 1, 32 * 1024, FALSE };
  GThread *thread;
  gsize got = 0;

  peer_send_new (peer, 5, echo->port);
  opened = agent_wait_event (agent, "stream-opened", 10000);
  g_assert_nonnull (opened);
  g_assert_cmpint (json_object_get_int_member (opened, "id"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (opened, "port"), ==, echo->port);

  thread = g_thread_new ("writer", writer_thread, &w);
  while (got < total)
    {
      g_auto(UmtTunnelFrame) frame = { 0, };
      gsize len;
      const guint8 *data;

      g_assert_true (peer_recv_frame (peer, &frame));
      g_assert_cmpint (frame.type, ==, UMT_TUNNEL_FRAME_DATA);
      g_assert_cmpuint (frame.stream_id, ==, 5);
      data = g_bytes_get_data (frame.payload, &len);
      g_assert_cmpuint (got + len, <=, total);
      memcpy (received + got, data, len);
      got += len;
    }
  g_thread_join (thread);
  g_assert_true (w.ok);
  g_assert_true (memcmp (sent, received, total) == 0);

  g_assert_true (peer_send (peer, UMT_TUNNEL_FRAME_CLOSE, 5, NULL, 0));
  closed = agent_wait_event (agent, "stream-closed", 10000);
  g_assert_nonnull (closed);
  g_assert_cmpint (json_object_get_int_member (closed, "id"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (closed, "bytes_in"), ==, total);
  g_assert_cmpint (json_object_get_int_member (closed, "bytes_out"), ==, total);
}

/* 100 streams at once, each with its own data, none mixed up with another. */
static void
test_concurrent_streams (void)
{
  guint16 proxy_port;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Server) echo = server_new (SERVER_ECHO);
  g_autoptr(Peer) peer = NULL;
  g_autoptr(Agent) agent = start_connected (listener, proxy_port, &echo->port, 1, &peer);
  const guint n = 100;
  const gsize per_stream = 64 * 1024;
  g_autofree guint8 *sent = random_bytes (per_stream);
  g_autofree gsize *got = g_new0 (gsize, n);
  Writer w = { peer, sent, per_stream, 1000, n, 4096, FALSE };
  GThread *thread;
  guint complete = 0;
  guint closed = 0;

  for (guint s = 0; s < n; s++)
    peer_send_new (peer, 1000 + s, echo->port);
  thread = g_thread_new ("writer", writer_thread, &w);

  while (complete < n)
    {
      g_auto(UmtTunnelFrame) frame = { 0, };
      guint s;
      gsize len;
      const guint8 *data;

      g_assert_true (peer_recv_frame (peer, &frame));
      g_assert_cmpint (frame.type, ==, UMT_TUNNEL_FRAME_DATA);
      g_assert_cmpuint (frame.stream_id, >=, 1000);
      g_assert_cmpuint (frame.stream_id, <, 1000 + n);
      s = frame.stream_id - 1000;
      data = g_bytes_get_data (frame.payload, &len);
      g_assert_cmpuint (got[s] + len, <=, per_stream);
      g_assert_true (memcmp (sent + got[s], data, len) == 0);
      got[s] += len;
      if (got[s] == per_stream)
        complete++;
    }
  g_thread_join (thread);
  g_assert_true (w.ok);

  for (guint s = 0; s < n; s++)
    g_assert_true (peer_send (peer, UMT_TUNNEL_FRAME_CLOSE, 1000 + s, NULL, 0));
  for (; closed < n; closed++)
    {
      g_autoptr(JsonObject) event = agent_wait_event (agent, "stream-closed", 10000);

      g_assert_nonnull (event);
      g_assert_cmpint (json_object_get_int_member (event, "bytes_in"), ==, per_stream);
    }
}

/* A port outside allowed_ports is refused with C; so is an allowed one with no service. */
static void
test_port_refused (void)
{
  guint16 proxy_port;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Server) echo = server_new (SERVER_ECHO);
  guint16 allowed[2] = { echo->port, closed_port () };
  g_autoptr(Peer) peer = NULL;
  g_autoptr(Agent) agent = start_connected (listener, proxy_port, allowed, 2, &peer);
  g_auto(UmtTunnelFrame) frame = { 0, };
  g_auto(UmtTunnelFrame) frame2 = { 0, };
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) failed = NULL;
  guint16 forbidden = echo->port + 1;

  /* Not in the list, though a service may well listen there. */
  if (forbidden == allowed[1])
    forbidden++;
  peer_send_new (peer, 77, forbidden);
  g_assert_true (peer_recv_frame (peer, &frame));
  g_assert_cmpint (frame.type, ==, UMT_TUNNEL_FRAME_CLOSE);
  g_assert_cmpuint (frame.stream_id, ==, 77);
  refused = agent_wait_event (agent, "stream-refused", 10000);
  g_assert_nonnull (refused);
  g_assert_cmpint (json_object_get_int_member (refused, "id"), ==, 77);
  g_assert_cmpint (json_object_get_int_member (refused, "port"), ==, forbidden);

  peer_send_new (peer, 78, allowed[1]);
  g_assert_true (peer_recv_frame (peer, &frame2));
  g_assert_cmpint (frame2.type, ==, UMT_TUNNEL_FRAME_CLOSE);
  g_assert_cmpuint (frame2.stream_id, ==, 78);
  failed = agent_wait_event (agent, "stream-refused", 10000);
  g_assert_nonnull (failed);
  g_assert_cmpint (json_object_get_int_member (failed, "id"), ==, 78);
}

/* The proxy going away is reported, and the agent comes back by itself. */
static void
test_proxy_restart (void)
{
  guint16 proxy_port, port = 22;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Peer) peer = NULL;
  g_autoptr(Agent) agent = start_connected (listener, proxy_port, &port, 1, &peer);
  g_autoptr(JsonObject) disconnected = NULL;
  g_autoptr(JsonObject) hello = NULL;
  g_autoptr(JsonObject) connected = NULL;

  g_clear_pointer (&peer, peer_free);
  disconnected = agent_wait_event (agent, "disconnected", 10000);
  g_assert_nonnull (disconnected);
  g_assert_nonnull (json_object_get_string_member (disconnected, "reason"));
  g_assert_cmpfloat (json_object_get_double_member (disconnected, "retry_in"), >=, 1.0);

  peer = proxy_accept (listener);
  hello = peer_handshake (peer, AUTH_OK);
  connected = agent_wait_event (agent, "connected", 10000);
  g_assert_nonnull (connected);
}

/* `reconnect` drops the current connection and comes back at once. */
static void
test_reconnect_command (void)
{
  guint16 proxy_port, port = 22;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Peer) peer = NULL;
  g_autoptr(Agent) agent = start_connected (listener, proxy_port, &port, 1, &peer);
  g_autoptr(JsonObject) disconnected = NULL;
  g_autoptr(JsonObject) hello = NULL;
  g_autoptr(Peer) again = NULL;
  gint64 start = g_get_monotonic_time ();

  agent_send (agent, "{\"cmd\":\"reconnect\"}\n");
  disconnected = agent_wait_event (agent, "disconnected", 10000);
  g_assert_nonnull (disconnected);
  g_assert_cmpfloat (json_object_get_double_member (disconnected, "retry_in"), ==, 0.0);
  again = proxy_accept (listener);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 900 * 1000);
  hello = peer_handshake (again, AUTH_OK);
  g_assert_nonnull (hello);
}

static void
test_stdin_close_exits (void)
{
  guint16 proxy_port, port = 22;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Peer) peer = NULL;
  g_autoptr(Agent) agent = start_connected (listener, proxy_port, &port, 1, &peer);

  g_output_stream_close (g_subprocess_get_stdin_pipe (agent->process), NULL, NULL);
  g_assert_true (agent_wait_exit (agent, 5000));
  g_assert_true (g_subprocess_get_if_exited (agent->process));
  g_assert_cmpint (g_subprocess_get_exit_status (agent->process), ==, 0);
}

static void
test_stop_exits (void)
{
  guint16 proxy_port, port = 22;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Peer) peer = NULL;
  g_autoptr(Agent) agent = start_connected (listener, proxy_port, &port, 1, &peer);

  agent_send (agent, "{\"cmd\":\"stop\"}\n");
  g_assert_true (agent_wait_exit (agent, 5000));
  g_assert_true (g_subprocess_get_if_exited (agent->process));
  g_assert_cmpint (g_subprocess_get_exit_status (agent->process), ==, 0);
}

static void
test_bad_config (void)
{
  const char *configs[] = {
    "",
    "not json\n",
    "[1,2]\n",
    "{\"device_key\":\"d\",\"proxy_host\":\"h\",\"proxy_port\":9001,\"allowed_ports\":[22]}\n",
    "{\"device_key\":\"d\",\"token\":\"" TOKEN "\",\"proxy_host\":\"h\",\"proxy_port\":0,\"allowed_ports\":[22]}\n",
    "{\"device_key\":\"d\",\"token\":\"" TOKEN "\",\"proxy_host\":\"h\",\"proxy_port\":9001,\"allowed_ports\":22}\n",
    "{\"device_key\":\"d\",\"token\":\"" TOKEN "\",\"proxy_host\":\"h\",\"proxy_port\":9001,\"allowed_ports\":[70000]}\n",
    "{\"device_key\":\"d\",\"token\":\"" TOKEN "\",\"proxy_host\":\"h\",\"proxy_port\":9001,\"tls\":\"yes\",\"allowed_ports\":[22]}\n",
    "{\"device_key\":\"d\",\"token\":\"" TOKEN "\",\"proxy_host\":\"h\",\"proxy_port\":\"9001\",\"allowed_ports\":[22]}\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (configs); i++)
    {
      g_autoptr(Agent) agent = agent_spawn (configs[i]);

      g_test_message ("configuration %u", i);
      g_output_stream_close (g_subprocess_get_stdin_pipe (agent->process), NULL, NULL);
      g_assert_true (agent_wait_exit (agent, 5000));
      agent_join_output (agent);

      g_assert_true (g_subprocess_get_if_exited (agent->process));
      g_assert_cmpint (g_subprocess_get_exit_status (agent->process), ==, 2);
      g_assert_cmpstr (agent->out_text->str, ==, "");
      /* Exactly one line that says what is wrong. */
      g_assert_cmpuint (strlen (agent->err_text->str), >, 1);
      g_assert_nonnull (strstr (agent->err_text->str, "configuration"));
      g_assert_true (strchr (agent->err_text->str, '\n') == agent->err_text->str + agent->err_text->len - 1);
    }
}

typedef struct {
  Peer *peer;
  guint32 id;
  gsize total;
  gint64 sent; /* atomic */
} Pusher;

/* Pushes D frames until @total bytes are sent or the agent stops taking them. */
static gpointer
pusher_thread (gpointer user_data)
{
  Pusher *p = user_data;
  g_autofree guint8 *chunk = g_malloc0 (64 * 1024);

  while ((gsize) g_atomic_pointer_get (&p->sent) < p->total)
    {
      if (!peer_send (p->peer, UMT_TUNNEL_FRAME_DATA, p->id, chunk, 64 * 1024))
        break;
      g_atomic_pointer_add (&p->sent, 64 * 1024);
    }
  return NULL;
}

/* A local service that does not read must not make the agent buffer what the proxy
 * sends: it stops reading the proxy, and TCP pushes back. */
static void
test_slow_local_reader_bounded (void)
{
  guint16 proxy_port;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Server) hold = server_new (SERVER_HOLD);
  g_autoptr(Peer) peer = NULL;
  g_autoptr(Agent) agent = start_connected (listener, proxy_port, &hold->port, 1, &peer);
  g_autoptr(JsonObject) opened = NULL;
  Pusher pusher = { peer, 9, 64 * MiB, 0 };
  GThread *thread;
  gsize before, after;

  peer_send_new (peer, 9, hold->port);
  opened = agent_wait_event (agent, "stream-opened", 10000);
  g_assert_nonnull (opened);
  before = agent_rss_kib (agent);

  /* The proxy's sends time out once nothing moves any more. */
  g_socket_set_timeout (peer->socket, 3);
  thread = g_thread_new ("pusher", pusher_thread, &pusher);
  g_thread_join (thread);

  after = agent_rss_kib (agent);
  g_test_message ("sent %" G_GSIZE_FORMAT " KiB; agent RSS %" G_GSIZE_FORMAT " -> %"
                  G_GSIZE_FORMAT " KiB", (gsize) pusher.sent / 1024, before, after);
  g_assert_cmpuint ((gsize) pusher.sent, <, pusher.total);
  g_assert_cmpuint (after, <, before + 32 * 1024);
}

/* Likewise the other way: a proxy that does not read must not make the agent buffer
 * what a fast local service sends. */
static void
test_slow_proxy_bounded (void)
{
  guint16 proxy_port;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Server) flood = server_new (SERVER_FLOOD);
  g_autoptr(Peer) peer = NULL;
  g_autoptr(Agent) agent = start_connected (listener, proxy_port, &flood->port, 1, &peer);
  g_autoptr(JsonObject) opened = NULL;
  gsize before, after;
  gint64 last = -1;
  guint stable = 0;

  before = agent_rss_kib (agent);
  peer_send_new (peer, 11, flood->port);
  opened = agent_wait_event (agent, "stream-opened", 10000);
  g_assert_nonnull (opened);

  /* Until the flood server cannot write any more (or 30 s). */
  for (guint i = 0; i < 120 && stable < 6; i++)
    {
      gint64 now = (gint64) g_atomic_pointer_get (&flood->flooded);

      g_usleep (250 * 1000);
      stable = now == last ? stable + 1 : 0;
      last = now;
    }

  after = agent_rss_kib (agent);
  g_test_message ("local service wrote %" G_GINT64_FORMAT " KiB; agent RSS %" G_GSIZE_FORMAT
                  " -> %" G_GSIZE_FORMAT " KiB", last / 1024, before, after);
  g_assert_cmpuint (stable, >=, 6);
  g_assert_cmpuint (after, <, before + 32 * 1024);
}

static GTlsCertificate *
test_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;
  GTlsCertificate *certificate;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    return NULL;
  certificate = sim_tls_generate_self_signed (&pem, &error);
  g_assert_no_error (error);
  return certificate;
}

/* With verify_tls false, a self-signed proxy is accepted and streams flow over TLS. */
static void
test_tls_without_verification (void)
{
  guint16 proxy_port;
  g_autoptr(GTlsCertificate) certificate = test_certificate ();
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Server) echo = server_new (SERVER_ECHO);
  g_autofree char *config = make_config_tls (proxy_port, &echo->port, 1, TRUE, FALSE);
  g_autoptr(Agent) agent = NULL;
  g_autoptr(Peer) peer = NULL;
  g_autoptr(JsonObject) hello = NULL;
  g_autoptr(JsonObject) connected = NULL;
  g_auto(UmtTunnelFrame) frame = { 0, };
  const char *message = "hello through TLS";

  if (certificate == NULL)
    {
      g_test_skip ("no TLS backend");
      return;
    }

  agent = agent_spawn (config);
  peer = proxy_accept_tls (listener, certificate);
  g_assert_nonnull (peer);
  hello = peer_handshake (peer, AUTH_OK);
  g_assert_cmpstr (json_object_get_string_member (hello, "token"), ==, TOKEN);
  connected = agent_wait_event (agent, "connected", 10000);
  g_assert_nonnull (connected);

  peer_send_new (peer, 3, echo->port);
  g_assert_true (peer_send (peer, UMT_TUNNEL_FRAME_DATA, 3, message, strlen (message)));
  g_assert_true (peer_recv_frame (peer, &frame));
  g_assert_cmpint (frame.type, ==, UMT_TUNNEL_FRAME_DATA);
  g_assert_cmpmem (g_bytes_get_data (frame.payload, NULL), g_bytes_get_size (frame.payload),
                   message, strlen (message));
}

/* By default the certificate is verified: a self-signed proxy gets no token. */
static void
test_tls_verification_default (void)
{
  guint16 proxy_port, port = 22;
  g_autoptr(GTlsCertificate) certificate = test_certificate ();
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autofree char *config = make_config_tls (proxy_port, &port, 1, TRUE, TRUE);
  g_autoptr(Agent) agent = NULL;
  g_autoptr(JsonObject) disconnected = NULL;
  Peer *peer;

  if (certificate == NULL)
    {
      g_test_skip ("no TLS backend");
      return;
    }

  agent = agent_spawn (config);
  peer = proxy_accept_tls (listener, certificate);
  g_assert_null (peer);
  disconnected = agent_wait_event (agent, "disconnected", 10000);
  g_assert_nonnull (disconnected);
  g_test_message ("reason: %s", json_object_get_string_member (disconnected, "reason"));
  g_assert_cmpfloat (json_object_get_double_member (disconnected, "retry_in"), >=, 1.0);
  g_mutex_lock (&agent->lock);
  g_assert_null (strstr (agent->out_text->str, "\"connected\""));
  g_mutex_unlock (&agent->lock);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tunnel-agent/handshake", test_handshake);
  g_test_add_func ("/tunnel-agent/auth-failed-backs-off", test_auth_failed_backs_off);
  g_test_add_func ("/tunnel-agent/echo-16mib", test_echo_16mib);
  g_test_add_func ("/tunnel-agent/concurrent-streams", test_concurrent_streams);
  g_test_add_func ("/tunnel-agent/port-refused", test_port_refused);
  g_test_add_func ("/tunnel-agent/proxy-restart", test_proxy_restart);
  g_test_add_func ("/tunnel-agent/reconnect-command", test_reconnect_command);
  g_test_add_func ("/tunnel-agent/stdin-close-exits", test_stdin_close_exits);
  g_test_add_func ("/tunnel-agent/stop-exits", test_stop_exits);
  g_test_add_func ("/tunnel-agent/bad-config", test_bad_config);
  g_test_add_func ("/tunnel-agent/slow-local-reader-bounded", test_slow_local_reader_bounded);
  g_test_add_func ("/tunnel-agent/slow-proxy-bounded", test_slow_proxy_bounded);
  g_test_add_func ("/tunnel-agent/tls-without-verification", test_tls_without_verification);
  g_test_add_func ("/tunnel-agent/tls-verification-default", test_tls_verification_default);

  return g_test_run ();
}
