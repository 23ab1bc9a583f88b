#define G_LOG_DOMAIN "test-tunnel-agent"

#include "config.h"

#include <string.h>

#include "sim-tls.h"
#include "tunnel-agent-harness.h"

/* The real umt-tunnel-agent binary against a proxy written in the test: what a user of
 * the tunnel would notice, from the handshake to bounded memory. */

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

/* The server asks for 22 whatever port sshd listens on: port_map takes the stream there,
 * and the local port itself is not reachable unless allowed. */
static void
test_port_map (void)
{
  guint16 proxy_port;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Server) sshd = server_new (SERVER_ECHO);
  g_autofree char *config = g_strdup_printf ("{\"device_key\":\"%s\",\"token\":\"%s\","
                                             "\"proxy_host\":\"127.0.0.1\",\"proxy_port\":%u,"
                                             "\"allowed_ports\":[],\"port_map\":{\"22\":%u}}\n",
                                             DEVICE_KEY, TOKEN, proxy_port, sshd->port);
  g_autoptr(Peer) peer = NULL;
  g_autoptr(Agent) agent = start_connected_with (listener, config, &peer);
  g_autoptr(JsonObject) opened = NULL;
  g_autoptr(JsonObject) refused = NULL;
  g_auto(UmtTunnelFrame) echoed = { 0, };
  g_auto(UmtTunnelFrame) closed = { 0, };

  peer_send_new (peer, 5, 22);
  opened = agent_wait_event (agent, "stream-opened", 10000);
  g_assert_nonnull (opened);
  g_assert_cmpint (json_object_get_int_member (opened, "port"), ==, 22);
  g_assert_true (peer_send (peer, UMT_TUNNEL_FRAME_DATA, 5, "SSH-2.0", 7));
  g_assert_true (peer_recv_frame (peer, &echoed));
  g_assert_cmpint (echoed.type, ==, UMT_TUNNEL_FRAME_DATA);
  g_assert_cmpuint (echoed.stream_id, ==, 5);
  g_assert_cmpmem (g_bytes_get_data (echoed.payload, NULL), g_bytes_get_size (echoed.payload),
                   "SSH-2.0", 7);

  peer_send_new (peer, 6, sshd->port);
  g_assert_true (peer_recv_frame (peer, &closed));
  g_assert_cmpint (closed.type, ==, UMT_TUNNEL_FRAME_CLOSE);
  g_assert_cmpuint (closed.stream_id, ==, 6);
  refused = agent_wait_event (agent, "stream-refused", 10000);
  g_assert_nonnull (refused);
  g_assert_cmpstr (json_object_get_string_member (refused, "reason"), ==, "port not allowed");
}

/* Past max_streams open at once, a new stream is refused with C until one closes. */
static void
test_stream_cap (void)
{
  guint16 proxy_port;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Server) echo = server_new (SERVER_ECHO);
  g_autofree char *config = g_strdup_printf ("{\"device_key\":\"%s\",\"token\":\"%s\","
                                             "\"proxy_host\":\"127.0.0.1\",\"proxy_port\":%u,"
                                             "\"allowed_ports\":[%u],\"max_streams\":2}\n",
                                             DEVICE_KEY, TOKEN, proxy_port, echo->port);
  g_autoptr(Peer) peer = NULL;
  g_autoptr(Agent) agent = start_connected_with (listener, config, &peer);
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) closed_event = NULL;
  g_autoptr(JsonObject) reopened = NULL;
  g_auto(UmtTunnelFrame) closed = { 0, };

  for (guint32 id = 1; id <= 2; id++)
    {
      g_autoptr(JsonObject) opened = NULL;

      peer_send_new (peer, id, echo->port);
      opened = agent_wait_event (agent, "stream-opened", 10000);
      g_assert_nonnull (opened);
    }

  peer_send_new (peer, 3, echo->port);
  g_assert_true (peer_recv_frame (peer, &closed));
  g_assert_cmpint (closed.type, ==, UMT_TUNNEL_FRAME_CLOSE);
  g_assert_cmpuint (closed.stream_id, ==, 3);
  refused = agent_wait_event (agent, "stream-refused", 10000);
  g_assert_nonnull (refused);
  g_assert_cmpint (json_object_get_int_member (refused, "id"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (refused, "reason"), ==, "too many streams");

  g_assert_true (peer_send (peer, UMT_TUNNEL_FRAME_CLOSE, 1, NULL, 0));
  closed_event = agent_wait_event (agent, "stream-closed", 10000);
  g_assert_nonnull (closed_event);
  peer_send_new (peer, 4, echo->port);
  reopened = agent_wait_event (agent, "stream-opened", 10000);
  g_assert_nonnull (reopened);
  g_assert_cmpint (json_object_get_int_member (reopened, "id"), ==, 4);
}

/* What a stream moves is told while it is open, not only once it closes. */
static void
test_traffic_while_open (void)
{
  guint16 proxy_port;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Server) echo = server_new (SERVER_ECHO);
  g_autoptr(Peer) peer = NULL;
  g_autoptr(Agent) agent = start_connected (listener, proxy_port, &echo->port, 1, &peer);
  g_autoptr(JsonObject) opened = NULL;
  g_autofree guint8 *data = g_malloc0 (1000);
  gsize echoed = 0;

  peer_send_new (peer, 9, echo->port);
  opened = agent_wait_event (agent, "stream-opened", 10000);
  g_assert_nonnull (opened);
  g_assert_true (peer_send (peer, UMT_TUNNEL_FRAME_DATA, 9, data, 1000));
  while (echoed < 1000)
    {
      g_auto(UmtTunnelFrame) frame = { 0, };

      g_assert_true (peer_recv_frame (peer, &frame));
      g_assert_cmpint (frame.type, ==, UMT_TUNNEL_FRAME_DATA);
      echoed += g_bytes_get_size (frame.payload);
    }

  for (;;)
    {
      g_autoptr(JsonObject) traffic = agent_wait_event (agent, "traffic", 10000);

      g_assert_nonnull (traffic);
      if (json_object_get_int_member (traffic, "bytes_in") == 1000 &&
          json_object_get_int_member (traffic, "bytes_out") == 1000)
        break;
    }
}

/* Frames right behind the proxy's reply, in the same segment, are not lost. */
static void
test_frames_with_reply (void)
{
  guint16 proxy_port;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Server) echo = server_new (SERVER_ECHO);
  g_autofree char *config = make_config (proxy_port, &echo->port, 1);
  g_autoptr(Agent) agent = agent_spawn (config);
  g_autoptr(Peer) peer = proxy_accept (listener);
  g_autoptr(GBytes) new_stream = umt_tunnel_frame_encode_new (21, echo->port);
  g_autoptr(JsonObject) hello = peer_handshake_with (peer, AUTH_OK, new_stream);
  g_autoptr(JsonObject) connected = agent_wait_event (agent, "connected", 10000);
  g_autoptr(JsonObject) opened = agent_wait_event (agent, "stream-opened", 10000);
  g_auto(UmtTunnelFrame) frame = { 0, };

  g_assert_nonnull (connected);
  g_assert_nonnull (opened);
  g_assert_cmpint (json_object_get_int_member (opened, "id"), ==, 21);
  g_assert_true (peer_send (peer, UMT_TUNNEL_FRAME_DATA, 21, "abc", 3));
  g_assert_true (peer_recv_frame (peer, &frame));
  g_assert_cmpmem (g_bytes_get_data (frame.payload, NULL), g_bytes_get_size (frame.payload), "abc", 3);
}

/* A frame of unknown type or over 1 MiB ends the connection; the agent comes back. */
static void
test_protocol_error_reconnects (void)
{
  guint16 proxy_port, port = 22;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Peer) peer = NULL;
  g_autoptr(Agent) agent = start_connected (listener, proxy_port, &port, 1, &peer);
  guint8 header[UMT_TUNNEL_FRAME_HEADER_SIZE];

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(JsonObject) disconnected = NULL;
      g_autoptr(JsonObject) hello = NULL;
      g_autoptr(JsonObject) connected = NULL;
      g_auto(UmtTunnelFrame) frame = { 0, };

      if (round == 0)
        umt_tunnel_frame_write_header (header, UMT_TUNNEL_FRAME_DATA, 1, UMT_TUNNEL_FRAME_MAX_PAYLOAD + 1);
      else
        memcpy (header, "X\0\0\0\1\0\0\0\0", sizeof header);
      g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (peer->stream),
                                                header, sizeof header, NULL, NULL, NULL));

      disconnected = agent_wait_event (agent, "disconnected", 10000);
      g_assert_nonnull (disconnected);
      g_test_message ("reason: %s", json_object_get_string_member (disconnected, "reason"));
      g_assert_true (g_str_has_prefix (json_object_get_string_member (disconnected, "reason"),
                                       "protocol error"));
      /* The agent hung up on us. */
      g_assert_false (peer_recv_frame (peer, &frame));

      g_clear_pointer (&peer, peer_free);
      peer = proxy_accept (listener);
      hello = peer_handshake (peer, AUTH_OK);
      connected = agent_wait_event (agent, "connected", 10000);
      g_assert_nonnull (connected);
    }
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
    "{\"device_key\":\"d\",\"token\":\"" TOKEN "\",\"proxy_host\":\"h\",\"proxy_port\":9001,\"allowed_ports\":[],\"port_map\":[22]}\n",
    "{\"device_key\":\"d\",\"token\":\"" TOKEN "\",\"proxy_host\":\"h\",\"proxy_port\":9001,\"allowed_ports\":[],\"port_map\":{\"ssh\":2222}}\n",
    "{\"device_key\":\"d\",\"token\":\"" TOKEN "\",\"proxy_host\":\"h\",\"proxy_port\":9001,\"allowed_ports\":[],\"port_map\":{\"22\":0}}\n",
    "{\"device_key\":\"d\",\"token\":\"" TOKEN "\",\"proxy_host\":\"h\",\"proxy_port\":9001,\"allowed_ports\":[],\"max_streams\":0}\n",
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

/* A proxy that goes silent without closing (it neither reads nor writes any more, as
 * behind a dead path): the agent gives the connection up within the documented 90 s
 * (TCP_USER_TIMEOUT, keepalive) and connects again. */
static void
test_silent_proxy_reconnects (void)
{
  guint16 proxy_port;
  g_autoptr(GSocket) listener = proxy_listen (&proxy_port);
  g_autoptr(Server) flood = server_new (SERVER_FLOOD);
  g_autoptr(Peer) silent = NULL;
  g_autoptr(Agent) agent = start_connected (listener, proxy_port, &flood->port, 1, &silent);
  g_autoptr(JsonObject) opened = NULL;
  g_autoptr(JsonObject) disconnected = NULL;
  g_autoptr(JsonObject) hello = NULL;
  g_autoptr(JsonObject) connected = NULL;
  g_autoptr(Peer) again = NULL;

  /* Data the agent must send and the proxy never takes. */
  peer_send_new (silent, 12, flood->port);
  opened = agent_wait_event (agent, "stream-opened", 10000);
  g_assert_nonnull (opened);

  disconnected = agent_wait_event (agent, "disconnected", 120 * 1000);
  g_assert_nonnull (disconnected);
  g_test_message ("gave up on the silent proxy: %s",
                  json_object_get_string_member (disconnected, "reason"));

  again = proxy_accept (listener);
  hello = peer_handshake (again, AUTH_OK);
  g_assert_nonnull (hello);
  connected = agent_wait_event (agent, "connected", 10000);
  g_assert_nonnull (connected);
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
  g_test_add_func ("/tunnel-agent/port-map", test_port_map);
  g_test_add_func ("/tunnel-agent/stream-cap", test_stream_cap);
  g_test_add_func ("/tunnel-agent/traffic-while-open", test_traffic_while_open);
  g_test_add_func ("/tunnel-agent/silent-proxy-reconnects", test_silent_proxy_reconnects);
  g_test_add_func ("/tunnel-agent/frames-with-reply", test_frames_with_reply);
  g_test_add_func ("/tunnel-agent/protocol-error-reconnects", test_protocol_error_reconnects);
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
