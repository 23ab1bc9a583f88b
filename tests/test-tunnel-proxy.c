/* test-tunnel-proxy.c: the tunnel proxy of meeting-sim, driven by a small
 * blocking agent written here with the frame codec, and by the real agent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-tunnel-proxy"

#include "config.h"

#include <string.h>

#include "tunnel-test-util.h"
#include "umt-tunnel-frame.h"

#define PROXY_BOUND (256 * 1024)

static gboolean
accept_sim_certificate (GTlsConnection       *connection,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  return TRUE;
}

/* The test agent */

typedef struct
{
  GIOStream             *stream;
  UmtTunnelFrameDecoder *decoder;
  guint8                 buffer[65536];
  gsize                  offset;
  gsize                  length;
} TestAgent;

static void
test_agent_free (TestAgent *agent)
{
  g_io_stream_close (agent->stream, NULL, NULL);
  g_object_unref (agent->stream);
  umt_tunnel_frame_decoder_free (agent->decoder);
  g_free (agent);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestAgent, test_agent_free)

static TestAgent *
test_agent_connect (UmtTestSim *sim,
                    gboolean    tls)
{
  TestAgent *agent = g_new0 (TestAgent, 1);

  g_assert_cmpuint (sim->proxy_port, >, 0);
  agent->stream = tunnel_test_connect (sim->proxy_port);
  agent->decoder = umt_tunnel_frame_decoder_new ();
  if (tls)
    {
      g_autoptr(GError) error = NULL;
      GIOStream *plain = agent->stream;

      agent->stream = g_tls_client_connection_new (plain, NULL, &error);
      g_assert_no_error (error);
      g_object_unref (plain);
      g_signal_connect (agent->stream, "accept-certificate",
                        G_CALLBACK (accept_sim_certificate), NULL);
      g_tls_connection_handshake (G_TLS_CONNECTION (agent->stream), NULL, &error);
      g_assert_no_error (error);
    }
  return agent;
}

/* Reads one line, byte by byte, so no frame byte is taken with it. */
static char *
test_agent_read_line (TestAgent *agent)
{
  g_autoptr(GString) line = g_string_new (NULL);

  for (;;)
    {
      char c;

      tunnel_test_read_exactly (agent->stream, &c, 1);
      if (c == '\n')
        return g_string_free (g_steal_pointer (&line), FALSE);
      g_string_append_c (line, c);
      g_assert_cmpuint (line->len, <, 4096);
    }
}

static JsonObject *
test_agent_handshake (TestAgent  *agent,
                      const char *token,
                      const char *name)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  g_autofree char *reply = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  line = g_strconcat (text, "\n", NULL);
  tunnel_test_write_all (agent->stream, line, strlen (line));

  reply = test_agent_read_line (agent);
  json_parser_load_from_data (parser, reply, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
assert_authenticated (JsonObject *reply,
                      const char *device_key)
{
  g_assert_cmpstr (json_object_get_string_member_with_default (reply, "status", ""), ==,
                   "authenticated");
  g_assert_cmpstr (json_object_get_string_member_with_default (reply, "device_key", ""), ==,
                   device_key);
}

/* A connected agent for a fresh registered device. */
static TestAgent *
connected_agent (UmtTestSim  *sim,
                 char       **device_key)
{
  g_autofree char *token = NULL;
  g_autofree char *key = tunnel_test_make_device (sim, TRUE, &token);
  g_autoptr(TestAgent) agent = test_agent_connect (sim, FALSE);
  g_autoptr(JsonObject) reply = test_agent_handshake (agent, token, key);

  assert_authenticated (reply, key);
  *device_key = g_steal_pointer (&key);
  return g_steal_pointer (&agent);
}

static void
test_agent_read_frame (TestAgent      *agent,
                       UmtTunnelFrame *frame)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;

      if (agent->length > 0)
        {
          const guint8 *data = agent->buffer + agent->offset;
          gsize len = agent->length;
          UmtTunnelDecodeResult result;

          result = umt_tunnel_frame_decoder_feed (agent->decoder, &data, &len, frame, &error);
          g_assert_no_error (error);
          agent->offset += agent->length - len;
          agent->length = len;
          if (result == UMT_TUNNEL_DECODE_FRAME)
            return;
        }

      {
        gssize got = g_input_stream_read (g_io_stream_get_input_stream (agent->stream),
                                          agent->buffer, sizeof agent->buffer, NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpint (got, >, 0);
        agent->offset = 0;
        agent->length = (gsize) got;
      }
    }
}

static void
test_agent_send (TestAgent          *agent,
                 UmtTunnelFrameType  type,
                 guint32             stream_id,
                 const char         *data)
{
  g_autoptr(GBytes) frame = umt_tunnel_frame_encode (type, stream_id, data,
                                                     data != NULL ? strlen (data) : 0);

  tunnel_test_write_all (agent->stream, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
}

/* Waits for N and returns the stream id; checks the local port it names. */
static guint32
expect_new_stream (TestAgent *agent,
                   guint16    local_port)
{
  g_auto(UmtTunnelFrame) frame = { 0, };
  g_autoptr(GError) error = NULL;
  guint16 port = 0;

  test_agent_read_frame (agent, &frame);
  g_assert_cmpint (frame.type, ==, UMT_TUNNEL_FRAME_NEW);
  umt_tunnel_frame_parse_port (&frame, &port, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (port, ==, local_port);
  return frame.stream_id;
}

/* Collects D frames of @stream_id until @expected arrived in full. */
static void
expect_data (TestAgent  *agent,
             guint32     stream_id,
             const char *expected)
{
  g_autoptr(GString) got = g_string_new (NULL);

  while (got->len < strlen (expected))
    {
      g_auto(UmtTunnelFrame) frame = { 0, };
      gsize size;
      const char *data;

      test_agent_read_frame (agent, &frame);
      g_assert_cmpint (frame.type, ==, UMT_TUNNEL_FRAME_DATA);
      g_assert_cmpuint (frame.stream_id, ==, stream_id);
      data = g_bytes_get_data (frame.payload, &size);
      g_string_append_len (got, data, (gssize) size);
    }
  g_assert_cmpstr (got->str, ==, expected);
}

static void
expect_close (TestAgent *agent,
              guint32    stream_id)
{
  g_auto(UmtTunnelFrame) frame = { 0, };

  test_agent_read_frame (agent, &frame);
  g_assert_cmpint (frame.type, ==, UMT_TUNNEL_FRAME_CLOSE);
  g_assert_cmpuint (frame.stream_id, ==, stream_id);
}

static void
expect_public_data (GIOStream  *public,
                    const char *expected)
{
  g_autofree char *got = g_malloc0 (strlen (expected) + 1);

  tunnel_test_read_exactly (public, got, strlen (expected));
  g_assert_cmpstr (got, ==, expected);
}

/* Handshake */

static void
assert_refused (UmtTestSim *sim,
                const char *token,
                const char *name,
                const char *reason)
{
  g_autoptr(TestAgent) agent = test_agent_connect (sim, FALSE);
  g_autoptr(JsonObject) reply = test_agent_handshake (agent, token, name);

  g_assert_cmpstr (json_object_get_string_member_with_default (reply, "error", ""), ==,
                   "auth_failed");
  g_assert_cmpstr (json_object_get_string_member_with_default (reply, "reason", ""), ==, reason);
  g_assert_false (json_object_has_member (reply, "status"));
  tunnel_test_assert_eof (agent->stream);
}

static void
test_handshake_accepted (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  g_autofree char *key = NULL;
  g_autoptr(TestAgent) agent = connected_agent (sim, &key);
  g_autoptr(JsonObject) state = tunnel_test_proxy_state (sim);
  JsonArray *agents = json_object_get_array_member (state, "agents");

  g_assert_cmpuint (json_array_get_length (agents), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (agents, 0),
                                                  "device_key"), ==, key);
}

static void
test_handshake_unknown_device (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  g_autofree char *token = NULL;
  g_autofree char *key = tunnel_test_make_device (sim, TRUE, &token);

  assert_refused (sim, token, "no-such-device", "Device not found");
}

static void
test_handshake_unregistered (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  g_autofree char *token = NULL;
  g_autofree char *key = tunnel_test_make_device (sim, FALSE, &token);

  assert_refused (sim, token, key, "Device not registered");
}

static void
test_handshake_wrong_token (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  g_autofree char *token = NULL;
  g_autofree char *key = tunnel_test_make_device (sim, TRUE, &token);
  g_autoptr(JsonObject) state = NULL;

  assert_refused (sim, "0123456789ABCDEF", key, "Invalid token");
  assert_refused (sim, "", key, "Invalid token");
  state = tunnel_test_proxy_state (sim);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (state, "agents")), ==, 0);
}

static void
test_handshake_tunnel_token (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  g_autofree char *key = tunnel_test_make_device (sim, TRUE, NULL);
  g_autofree char *path = g_strdup_printf ("/__sim/devices/%s/tunnel-token", key);
  g_autoptr(JsonNode) set = NULL;
  g_autoptr(TestAgent) agent = NULL;
  g_autoptr(JsonObject) reply = NULL;

  assert_refused (sim, "tunnel-secret-42", key, "Invalid token");
  set = tunnel_test_call (sim, "PUT", path, "{\"token\":\"tunnel-secret-42\"}", 200);

  agent = test_agent_connect (sim, FALSE);
  reply = test_agent_handshake (agent, "tunnel-secret-42", key);
  assert_authenticated (reply, key);
}

static void
test_handshake_malformed (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  g_autoptr(TestAgent) agent = test_agent_connect (sim, FALSE);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *reply = NULL;
  JsonObject *object;

  tunnel_test_write_all (agent->stream, "hello proxy\n", 12);
  reply = test_agent_read_line (agent);
  g_assert_true (json_parser_load_from_data (parser, reply, -1, NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "error"), ==, "auth_failed");
  tunnel_test_assert_eof (agent->stream);
}

/* Streams */

static void
test_stream_relay (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  g_autofree char *token = NULL;
  g_autofree char *key = tunnel_test_make_device (sim, TRUE, &token);
  g_autoptr(TestAgent) agent = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GIOStream) first = NULL;
  g_autoptr(GIOStream) second = NULL;
  guint16 http_port, ssh_port;
  guint32 first_id, second_id;

  /* A reservation made before the agent connects and one made after. */
  http_port = tunnel_test_reserve (sim, key, "{\"service\":\"http\"}");
  agent = test_agent_connect (sim, FALSE);
  reply = test_agent_handshake (agent, token, key);
  assert_authenticated (reply, key);
  ssh_port = tunnel_test_reserve (sim, key, "{\"service\":\"ssh\"}");
  g_assert_cmpuint (ssh_port, !=, http_port);

  first = tunnel_test_connect (ssh_port);
  first_id = expect_new_stream (agent, 22);

  tunnel_test_write_all (first, "SSH-2.0-client\r\n", 16);
  expect_data (agent, first_id, "SSH-2.0-client\r\n");
  test_agent_send (agent, UMT_TUNNEL_FRAME_DATA, first_id, "SSH-2.0-device\r\n");
  expect_public_data (first, "SSH-2.0-device\r\n");

  second = tunnel_test_connect (http_port);
  second_id = expect_new_stream (agent, 80);
  g_assert_cmpuint (second_id, !=, first_id);

  /* The agent closes the first stream: its client sees the data, then EOF. */
  test_agent_send (agent, UMT_TUNNEL_FRAME_DATA, first_id, "bye");
  test_agent_send (agent, UMT_TUNNEL_FRAME_CLOSE, first_id, NULL);
  expect_public_data (first, "bye");
  tunnel_test_assert_eof (first);

  /* The second client leaves: the agent gets C for its stream. */
  tunnel_test_write_all (second, "GET / HTTP/1.0\r\n\r\n", 18);
  expect_data (agent, second_id, "GET / HTTP/1.0\r\n\r\n");
  g_io_stream_close (second, NULL, NULL);
  expect_close (agent, second_id);
}

static void
test_stream_relay_port (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  g_autofree char *key = NULL;
  g_autoptr(TestAgent) agent = connected_agent (sim, &key);
  guint16 port = tunnel_test_reserve (sim, key, "{\"service\":\"relay\",\"port\":8443}");
  g_autoptr(GIOStream) client = tunnel_test_connect (port);

  expect_new_stream (agent, 8443);
}

static void
test_stream_without_agent (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  g_autofree char *key = tunnel_test_make_device (sim, TRUE, NULL);
  guint16 port = tunnel_test_reserve (sim, key, "{\"service\":\"ssh\"}");
  g_autoptr(GIOStream) client = tunnel_test_connect (port);

  tunnel_test_assert_eof (client);
}

static void
test_agent_disconnect (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  g_autofree char *key = NULL;
  TestAgent *agent = connected_agent (sim, &key);
  guint16 port = tunnel_test_reserve (sim, key, "{\"service\":\"ssh\"}");
  g_autoptr(GIOStream) first = tunnel_test_connect (port);
  g_autoptr(GIOStream) second = NULL;
  g_autoptr(JsonObject) state = NULL;

  expect_new_stream (agent, 22);
  second = tunnel_test_connect (port);
  expect_new_stream (agent, 22);

  test_agent_free (agent);
  tunnel_test_assert_eof (first);
  tunnel_test_assert_eof (second);
  state = tunnel_test_proxy_state (sim);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (state, "agents")), ==, 0);
}

static void
test_agent_replaced (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  g_autofree char *token = NULL;
  g_autofree char *key = tunnel_test_make_device (sim, TRUE, &token);
  g_autoptr(TestAgent) old_agent = test_agent_connect (sim, FALSE);
  g_autoptr(TestAgent) new_agent = test_agent_connect (sim, FALSE);
  g_autoptr(JsonObject) old_reply = test_agent_handshake (old_agent, token, key);
  g_autoptr(JsonObject) new_reply = NULL;
  g_autoptr(GIOStream) old_client = NULL;
  g_autoptr(GIOStream) new_client = NULL;
  guint16 port = tunnel_test_reserve (sim, key, "{\"service\":\"vnc\"}");

  assert_authenticated (old_reply, key);
  old_client = tunnel_test_connect (port);
  expect_new_stream (old_agent, 5900);

  new_reply = test_agent_handshake (new_agent, token, key);
  assert_authenticated (new_reply, key);
  tunnel_test_assert_eof (old_agent->stream);
  tunnel_test_assert_eof (old_client);

  new_client = tunnel_test_connect (port);
  expect_new_stream (new_agent, 5900);
}

static void
test_malformed_frame (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  g_autofree char *key = NULL;
  g_autoptr(TestAgent) agent = connected_agent (sim, &key);
  guint16 port = tunnel_test_reserve (sim, key, "{\"service\":\"ssh\"}");
  g_autoptr(GIOStream) client = tunnel_test_connect (port);
  guint8 bad[UMT_TUNNEL_FRAME_HEADER_SIZE] = { 'X', 0, 0, 0, 1, 0, 0, 0, 0 };

  expect_new_stream (agent, 22);
  tunnel_test_write_all (agent->stream, bad, sizeof bad);
  tunnel_test_assert_eof (agent->stream);
  tunnel_test_assert_eof (client);
}

/* A public client that writes while the agent reads nothing: the proxy stops
 * reading it once its queue holds about the bound, instead of buffering all. */
static void
test_flow_control (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  g_autofree char *key = NULL;
  g_autoptr(TestAgent) agent = connected_agent (sim, &key);
  guint16 port = tunnel_test_reserve (sim, key, "{\"service\":\"ssh\"}");
  g_autoptr(GIOStream) client = tunnel_test_connect (port);
  GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (client));
  g_autoptr(JsonObject) state = NULL;
  JsonObject *agent_state;
  guint8 chunk[65536];
  guint64 written = 0, received = 0;
  guint32 id;

  id = expect_new_stream (agent, 22);
  g_socket_set_blocking (socket, FALSE);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize sent;

      for (gsize i = 0; i < sizeof chunk; i++)
        chunk[i] = (guint8) ((written + i) % 251);
      sent = g_socket_send (socket, (const char *) chunk, sizeof chunk, NULL, &error);
      if (sent > 0)
        {
          written += (guint64) sent;
          /* Far more than every buffer on the way: nothing pushed back. */
          g_assert_cmpuint (written, <, 256 * 1024 * 1024);
          continue;
        }
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
      if (!g_socket_condition_timed_wait (socket, G_IO_OUT, 500 * 1000, NULL, NULL))
        break;
    }

  state = tunnel_test_proxy_state (sim);
  agent_state = json_array_get_object_element (json_object_get_array_member (state, "agents"), 0);
  g_assert_cmpint (json_object_get_int_member (agent_state, "queued_bytes"), <=,
                   PROXY_BOUND + 65536 + UMT_TUNNEL_FRAME_HEADER_SIZE);

  /* Everything written arrives, in order, once the agent reads. */
  g_socket_set_blocking (socket, TRUE);
  g_io_stream_close (client, NULL, NULL);
  for (;;)
    {
      g_auto(UmtTunnelFrame) frame = { 0, };
      const guint8 *data;
      gsize size;

      test_agent_read_frame (agent, &frame);
      g_assert_cmpuint (frame.stream_id, ==, id);
      if (frame.type == UMT_TUNNEL_FRAME_CLOSE)
        break;
      g_assert_cmpint (frame.type, ==, UMT_TUNNEL_FRAME_DATA);
      data = g_bytes_get_data (frame.payload, &size);
      for (gsize i = 0; i < size; i++)
        if (data[i] != (guint8) ((received + i) % 251))
          g_assert_cmpuint (data[i], ==, (received + i) % 251);
      received += size;
    }
  g_assert_cmpuint (received, ==, written);
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

/* An agent that sends while the public client reads nothing: the proxy
 * stops reading the agent once the stream's queue holds about the bound. */
static void
test_flow_control_to_client (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  g_autofree char *key = NULL;
  g_autoptr(TestAgent) agent = connected_agent (sim, &key);
  guint16 port = tunnel_test_reserve (sim, key, "{\"service\":\"ssh\"}");
  g_autoptr(GIOStream) client = tunnel_test_connect (port);
  GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (agent->stream));
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(GBytes) frame = NULL;
  JsonObject *stream_state;
  g_autofree guint8 *buffer = g_malloc (65536);
  guint8 payload[16384];
  g_autoptr(GByteArray) rest = NULL;
  guint64 sent = 0, received = 0;
  gsize offset = 0;
  Writer writer;
  GThread *thread;
  guint32 id;

  id = expect_new_stream (agent, 22);
  for (gsize i = 0; i < sizeof payload; i++)
    payload[i] = (guint8) (i % 251);
  frame = umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_DATA, id, payload, sizeof payload);

  /* Whole frames, written without blocking until the proxy stops taking them. */
  g_socket_set_blocking (socket, FALSE);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gsize size = g_bytes_get_size (frame);
      const char *data = g_bytes_get_data (frame, NULL);
      gssize n = g_socket_send (socket, data + offset, size - offset, NULL, &error);

      if (n > 0)
        {
          offset += (gsize) n;
          if (offset == size)
            {
              offset = 0;
              sent += sizeof payload;
              g_assert_cmpuint (sent, <, 256 * 1024 * 1024);
            }
          continue;
        }
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
      if (!g_socket_condition_timed_wait (socket, G_IO_OUT, 500 * 1000, NULL, NULL))
        break;
    }

  state = tunnel_test_proxy_state (sim);
  stream_state = json_array_get_object_element (
      json_object_get_array_member (json_array_get_object_element (
          json_object_get_array_member (state, "agents"), 0), "streams"), 0);
  g_assert_cmpint (json_object_get_int_member (stream_state, "queued_bytes"), <=,
                   PROXY_BOUND + 65536);

  /* The rest of a half-sent frame and C, from a thread as they wait for the
   * client to read; then everything arrives. */
  g_socket_set_blocking (socket, TRUE);
  if (offset > 0)
    sent += sizeof payload;
  rest = g_byte_array_new ();
  g_byte_array_append (rest, (const guint8 *) g_bytes_get_data (frame, NULL) + offset,
                       offset > 0 ? g_bytes_get_size (frame) - offset : 0);
  {
    g_autoptr(GBytes) close_frame = umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_CLOSE, id, NULL, 0);

    g_byte_array_append (rest, g_bytes_get_data (close_frame, NULL),
                         g_bytes_get_size (close_frame));
  }
  writer = (Writer) { agent->stream, rest->data, rest->len };
  thread = g_thread_new ("writer", write_in_thread, &writer);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (client), buffer, 65536,
                                      NULL, &error);

      g_assert_no_error (error);
      if (n == 0)
        break;
      for (gssize i = 0; i < n; i++)
        if (buffer[i] != (guint8) ((received + (guint64) i) % sizeof payload % 251))
          g_assert_cmpuint (buffer[i], ==, (received + (guint64) i) % sizeof payload % 251);
      received += (guint64) n;
    }
  g_thread_join (thread);
  g_assert_cmpuint (received, ==, sent);
}

static void
test_tls (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--proxy-port", "0", "--tls", NULL);
  g_autofree char *token = NULL;
  g_autofree char *key = NULL;
  g_autoptr(TestAgent) plain = NULL;
  g_autoptr(TestAgent) agent = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GIOStream) client = NULL;
  guint16 port;
  guint32 id;

  g_assert_true (g_str_has_prefix (sim->url, "https://"));
  key = tunnel_test_make_device (sim, TRUE, &token);

  agent = test_agent_connect (sim, TRUE);
  reply = test_agent_handshake (agent, token, key);
  assert_authenticated (reply, key);

  port = tunnel_test_reserve (sim, key, "{\"service\":\"ssh\"}");
  client = tunnel_test_connect (port);
  id = expect_new_stream (agent, 22);
  tunnel_test_write_all (client, "ping", 4);
  expect_data (agent, id, "ping");
  test_agent_send (agent, UMT_TUNNEL_FRAME_DATA, id, "pong");
  expect_public_data (client, "pong");

  /* Plain text on the TLS control port is not a handshake. */
  plain = test_agent_connect (sim, FALSE);
  tunnel_test_write_all (plain->stream, "{\"token\":\"x\",\"name\":\"y\"}\n", 25);
  {
    g_autoptr(GError) error = NULL;
    char buffer[256];
    gssize got = g_input_stream_read (g_io_stream_get_input_stream (plain->stream),
                                      buffer, sizeof buffer, NULL, &error);

    g_assert_false (got > 0 && buffer[0] == '{');
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tunnel-proxy/handshake/accepted", test_handshake_accepted);
  g_test_add_func ("/tunnel-proxy/handshake/unknown-device", test_handshake_unknown_device);
  g_test_add_func ("/tunnel-proxy/handshake/unregistered", test_handshake_unregistered);
  g_test_add_func ("/tunnel-proxy/handshake/wrong-token", test_handshake_wrong_token);
  g_test_add_func ("/tunnel-proxy/handshake/tunnel-token", test_handshake_tunnel_token);
  g_test_add_func ("/tunnel-proxy/handshake/malformed", test_handshake_malformed);
  g_test_add_func ("/tunnel-proxy/stream/relay", test_stream_relay);
  g_test_add_func ("/tunnel-proxy/stream/relay-port", test_stream_relay_port);
  g_test_add_func ("/tunnel-proxy/stream/without-agent", test_stream_without_agent);
  g_test_add_func ("/tunnel-proxy/stream/flow-control", test_flow_control);
  g_test_add_func ("/tunnel-proxy/stream/flow-control-to-client", test_flow_control_to_client);
  g_test_add_func ("/tunnel-proxy/agent/disconnect", test_agent_disconnect);
  g_test_add_func ("/tunnel-proxy/agent/replaced", test_agent_replaced);
  g_test_add_func ("/tunnel-proxy/agent/malformed-frame", test_malformed_frame);
  g_test_add_func ("/tunnel-proxy/tls", test_tls);

  return g_test_run ();
}
