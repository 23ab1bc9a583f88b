#define G_LOG_DOMAIN "umt-tunnel-session"

#include "config.h"

#include <string.h>

#include "umt-tunnel-frame.h"
#include "umt-tunnel-handshake.h"
#include "umt-tunnel-out-queue.h"
#include "umt-tunnel-session.h"
#include "umt-tunnel-stream.h"

#ifdef G_OS_UNIX
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif

/* Connecting, TLS and the proxy's reply together must not take longer than this. */
#define HANDSHAKE_TIMEOUT_SECONDS 30
/* The proxy's reply is one short JSON line. */
#define MAX_REPLY_LINE 16384
/* Reads in one wakeup before other sources get their turn. */
#define MAX_READS_PER_WAKEUP 16

/* Keepalive probes after 30 s of silence, every 10 s, 6 unanswered: a dead path is
 * noticed after about 90 s, and unacknowledged data gives up after the same time. */
#define KEEPALIVE_IDLE_SECONDS 30
#define KEEPALIVE_INTERVAL_SECONDS 10
#define KEEPALIVE_COUNT 6
#define USER_TIMEOUT_MS 90000

struct _UmtTunnelSession {
  GObject parent_instance;

  const UmtTunnelConfig *config;
  GCancellable *cancellable;
  GSocketClient *client;
  GSocketConnection *connection;
  guint handshake_timeout_id;
  GByteArray *reply_line;
  gboolean authenticated;
  gboolean closed;

  UmtTunnelFrameDecoder *decoder;
  guint8 *read_buf;
  GPtrArray *delivered; /* UmtTunnelStream given payloads from read_buf, owned */
  GSource *read_source;  /* while the proxy may be read */
  GSource *tls_kick;     /* one read when reading resumes over TLS */
  guint n_blocking; /* streams whose local side cannot take more for now */

  /* Toward the proxy; tags are the UmtTunnelStream whose budget a frame counts
   * against (owned), or NULL. */
  UmtTunnelOutQueue *out;
  guint8 *frame_buf;     /* the streams' reads */
  GSource *write_source; /* while the proxy does not take what is queued */
  gboolean congested;

  guint64 bytes_in;  /* over all its streams, to local services */
  guint64 bytes_out; /* from local services */

  GHashTable *streams;      /* id → UmtTunnelStream, for ids in use */
  GHashTable *live_streams; /* every UmtTunnelStream not finished, owned */
};

G_DEFINE_FINAL_TYPE (UmtTunnelSession, umt_tunnel_session, G_TYPE_OBJECT)

enum {
  SIGNAL_CONNECTED,
  SIGNAL_AUTH_FAILED,
  SIGNAL_CLOSED,
  SIGNAL_STREAM_OPENED,
  SIGNAL_STREAM_REFUSED,
  SIGNAL_STREAM_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void maybe_read (UmtTunnelSession *self);
static void flush_output (UmtTunnelSession *self);

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
drop_output (UmtTunnelSession *self)
{
  clear_source (&self->write_source);
  clear_source (&self->read_source);
  clear_source (&self->tls_kick);
  if (self->out != NULL)
    umt_tunnel_out_queue_clear (self->out);
}

static void
umt_tunnel_session_dispose (GObject *object)
{
  UmtTunnelSession *self = UMT_TUNNEL_SESSION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->handshake_timeout_id, g_source_remove);
  if (self->live_streams != NULL)
    {
      GHashTableIter iter;
      gpointer stream;

      g_hash_table_iter_init (&iter, self->live_streams);
      while (g_hash_table_iter_next (&iter, &stream, NULL))
        umt_tunnel_stream_abort (stream);
    }
  g_clear_pointer (&self->streams, g_hash_table_unref);
  g_clear_pointer (&self->live_streams, g_hash_table_unref);
  g_clear_object (&self->connection);
  g_clear_object (&self->client);
  drop_output (self);

  G_OBJECT_CLASS (umt_tunnel_session_parent_class)->dispose (object);
}

static void
umt_tunnel_session_finalize (GObject *object)
{
  UmtTunnelSession *self = UMT_TUNNEL_SESSION (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reply_line, g_byte_array_unref);
  g_clear_pointer (&self->decoder, umt_tunnel_frame_decoder_free);
  g_clear_pointer (&self->out, umt_tunnel_out_queue_free);
  g_clear_pointer (&self->delivered, g_ptr_array_unref);
  g_free (self->read_buf);
  g_free (self->frame_buf);

  G_OBJECT_CLASS (umt_tunnel_session_parent_class)->finalize (object);
}

static void
umt_tunnel_session_class_init (UmtTunnelSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = umt_tunnel_session_dispose;
  object_class->finalize = umt_tunnel_session_finalize;

  signals[SIGNAL_CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_AUTH_FAILED] =
    g_signal_new ("auth-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_STREAM_OPENED] =
    g_signal_new ("stream-opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
  signals[SIGNAL_STREAM_REFUSED] =
    g_signal_new ("stream-refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_STRING);
  signals[SIGNAL_STREAM_CLOSED] =
    g_signal_new ("stream-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT64, G_TYPE_UINT64);
}

static void
umt_tunnel_session_init (UmtTunnelSession *self)
{
  self->cancellable = g_cancellable_new ();
  self->reply_line = g_byte_array_new ();
  self->decoder = umt_tunnel_frame_decoder_new ();
  self->streams = g_hash_table_new (NULL, NULL);
  self->live_streams = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->out = umt_tunnel_out_queue_new (g_object_unref);
  self->delivered = g_ptr_array_new_with_free_func (g_object_unref);
}

UmtTunnelSession *
umt_tunnel_session_new (const UmtTunnelConfig *config)
{
  UmtTunnelSession *self = g_object_new (UMT_TYPE_TUNNEL_SESSION, NULL);

  self->config = config;
  return self;
}

gboolean
umt_tunnel_session_is_closed (UmtTunnelSession *self)
{
  return self->closed;
}

void
umt_tunnel_session_close (UmtTunnelSession *self,
                          const char       *reason)
{
  g_autoptr(UmtTunnelSession) hold = NULL;
  GHashTableIter iter;
  gpointer stream;

  g_return_if_fail (UMT_IS_TUNNEL_SESSION (self));

  if (self->closed)
    return;

  hold = g_object_ref (self);
  self->closed = TRUE;
  g_debug ("Session closed: %s", reason);

  g_clear_handle_id (&self->handshake_timeout_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);

  g_hash_table_iter_init (&iter, self->live_streams);
  while (g_hash_table_iter_next (&iter, &stream, NULL))
    umt_tunnel_stream_abort (stream);
  g_hash_table_remove_all (self->streams);
  g_hash_table_remove_all (self->live_streams);

  /* A hard close: no TLS close_notify that could wait on a dead peer. */
  if (self->connection != NULL)
    g_socket_close (g_socket_connection_get_socket (self->connection), NULL);
  drop_output (self);

  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, reason);
}

static void
close_with_error (UmtTunnelSession *self,
                  const char       *what,
                  const GError     *error)
{
  g_autofree char *reason = g_strdup_printf ("%s: %s", what, error->message);

  umt_tunnel_session_close (self, reason);
}

/* Output toward the proxy */

void
umt_tunnel_session_send_frame (UmtTunnelSession *self,
                               GBytes           *frame,
                               UmtTunnelStream  *origin)
{
  if (self->closed)
    {
      g_bytes_unref (frame);
      return;
    }

  umt_tunnel_out_queue_push (self->out, frame, origin != NULL ? g_object_ref (origin) : NULL);
  if (umt_tunnel_out_queue_get_pending (self->out) >= UMT_TUNNEL_CONTROL_BOUND)
    self->congested = TRUE;

  /* Written at once when nothing waits before it: no main-loop round per frame. */
  if (self->write_source == NULL)
    flush_output (self);
}

guint8 *
umt_tunnel_session_get_frame_buffer (UmtTunnelSession *self)
{
  if (self->frame_buf == NULL)
    self->frame_buf = g_malloc (UMT_TUNNEL_FRAME_HEADER_SIZE + UMT_TUNNEL_READ_SIZE);
  return self->frame_buf;
}

void
umt_tunnel_session_send_frame_buffer (UmtTunnelSession *self,
                                      gsize             len,
                                      UmtTunnelStream  *origin)
{
  if (self->closed)
    return;

  umt_tunnel_out_queue_push_borrowed (self->out, self->frame_buf, len, g_object_ref (origin));
  if (umt_tunnel_out_queue_get_pending (self->out) >= UMT_TUNNEL_CONTROL_BOUND)
    self->congested = TRUE;
  if (self->write_source == NULL)
    flush_output (self);
  umt_tunnel_out_queue_keep (self->out);
}

gboolean
umt_tunnel_session_can_send (UmtTunnelSession *self)
{
  return !self->closed && !self->congested;
}

static void
on_frame_sent (gpointer tag,
               gsize    size,
               gpointer user_data)
{
  if (tag != NULL)
    umt_tunnel_stream_sent (tag, size);
}

static gboolean
on_proxy_writable (GSocket      *socket,
                   GIOCondition  condition,
                   gpointer      user_data)
{
  flush_output (user_data);
  return G_SOURCE_CONTINUE;
}

static void
flush_output (UmtTunnelSession *self)
{
  g_autoptr(UmtTunnelSession) hold = g_object_ref (self);
  g_autoptr(GError) error = NULL;
  GOutputStream *output;
  gsize written;

  if (self->closed || self->connection == NULL)
    return;

  output = g_io_stream_get_output_stream (G_IO_STREAM (self->connection));
  if (!umt_tunnel_out_queue_flush (self->out, G_POLLABLE_OUTPUT_STREAM (output),
                                   on_frame_sent, self, &written, &error))
    {
      close_with_error (self, "write to proxy failed", error);
      return;
    }
  if (self->closed)
    return;

  if (umt_tunnel_out_queue_is_empty (self->out))
    clear_source (&self->write_source);
  else if (self->write_source == NULL)
    {
      self->write_source = umt_tunnel_watch_socket (g_socket_connection_get_socket (self->connection),
                                                    G_IO_OUT, on_proxy_writable, self);
    }

  if (self->congested &&
      umt_tunnel_out_queue_get_pending (self->out) < UMT_TUNNEL_CONTROL_BOUND / 2)
    {
      GHashTableIter iter;
      gpointer stream;

      self->congested = FALSE;
      g_hash_table_iter_init (&iter, self->live_streams);
      while (g_hash_table_iter_next (&iter, &stream, NULL))
        umt_tunnel_stream_resume (stream);
    }
}

/* Streams */

void
umt_tunnel_session_block_reading (UmtTunnelSession *self)
{
  self->n_blocking++;
}

void
umt_tunnel_session_unblock_reading (UmtTunnelSession *self)
{
  g_return_if_fail (self->n_blocking > 0);

  self->n_blocking--;
  maybe_read (self);
}

void
umt_tunnel_session_forget_stream (UmtTunnelSession *self,
                                  UmtTunnelStream  *stream)
{
  gpointer key = GUINT_TO_POINTER (umt_tunnel_stream_get_id (stream));

  if (g_hash_table_lookup (self->streams, key) == stream)
    g_hash_table_remove (self->streams, key);
}

void
umt_tunnel_session_stream_finished (UmtTunnelSession *self,
                                    UmtTunnelStream  *stream)
{
  umt_tunnel_session_forget_stream (self, stream);
  g_hash_table_remove (self->live_streams, stream);
}

void
umt_tunnel_session_count_traffic (UmtTunnelSession *self,
                                  guint64           in,
                                  guint64           out)
{
  self->bytes_in += in;
  self->bytes_out += out;
}

void
umt_tunnel_session_get_traffic (UmtTunnelSession *self,
                                guint64          *bytes_in,
                                guint64          *bytes_out)
{
  g_return_if_fail (UMT_IS_TUNNEL_SESSION (self));

  *bytes_in = self->bytes_in;
  *bytes_out = self->bytes_out;
}

void
umt_tunnel_session_emit_stream_event (UmtTunnelSession *self,
                                      const char       *signal_name,
                                      guint32           id,
                                      guint16           port,
                                      guint64           bytes_in,
                                      guint64           bytes_out,
                                      const char       *reason)
{
  if (g_str_equal (signal_name, "stream-opened"))
    g_signal_emit (self, signals[SIGNAL_STREAM_OPENED], 0, (guint) id, (guint) port);
  else if (g_str_equal (signal_name, "stream-refused"))
    g_signal_emit (self, signals[SIGNAL_STREAM_REFUSED], 0, (guint) id, (guint) port, reason);
  else if (g_str_equal (signal_name, "stream-closed"))
    g_signal_emit (self, signals[SIGNAL_STREAM_CLOSED], 0, (guint) id, bytes_in, bytes_out);
  else
    g_return_if_reached ();
}

void
umt_tunnel_session_flush_later (UmtTunnelSession *self,
                                UmtTunnelStream  *stream)
{
  g_ptr_array_add (self->delivered, g_object_ref (stream));
}

/* The payloads point into read_buf: written now, or copied before the next read. */
static void
flush_delivered (UmtTunnelSession *self)
{
  g_autoptr(GPtrArray) delivered = NULL;

  if (self->delivered->len == 0)
    return;

  delivered = g_steal_pointer (&self->delivered);
  self->delivered = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < delivered->len; i++)
    umt_tunnel_stream_flush_delivered (delivered->pdata[i]);
}

static void
refuse_stream (UmtTunnelSession *self,
               guint32           id,
               guint16           port,
               const char       *reason)
{
  umt_tunnel_session_send_frame (self, umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_CLOSE, id, NULL, 0),
                                 NULL);
  g_signal_emit (self, signals[SIGNAL_STREAM_REFUSED], 0, (guint) id, (guint) port, reason);
}

/* Input from the proxy */

static void
dispatch_frame (UmtTunnelSession *self,
                UmtTunnelFrame   *frame)
{
  gpointer key = GUINT_TO_POINTER (frame->stream_id);
  UmtTunnelStream *stream = g_hash_table_lookup (self->streams, key);
  g_autoptr(GError) error = NULL;
  guint16 port, local_port;

  switch (frame->type)
    {
    case UMT_TUNNEL_FRAME_NEW:
      if (!umt_tunnel_frame_parse_port (frame, &port, &error))
        {
          close_with_error (self, "protocol error", error);
          return;
        }
      if (stream != NULL)
        {
          umt_tunnel_session_close (self, "protocol error: new stream with an id in use");
          return;
        }
      if (!umt_tunnel_config_lookup_port (self->config, port, &local_port))
        {
          g_message ("Refused stream %u to port %u: not an allowed port", frame->stream_id, port);
          refuse_stream (self, frame->stream_id, port, "port not allowed");
          return;
        }
      /* Each stream holds a socket: a proxy that opens without end must not run the
       * device out of file descriptors. */
      if (g_hash_table_size (self->live_streams) >= self->config->max_streams)
        {
          g_message ("Refused stream %u to port %u: %u streams are open already",
                     frame->stream_id, port, self->config->max_streams);
          refuse_stream (self, frame->stream_id, port, "too many streams");
          return;
        }

      stream = umt_tunnel_stream_new (self, frame->stream_id, port, local_port);
      g_hash_table_insert (self->streams, key, stream);
      g_hash_table_add (self->live_streams, stream);
      umt_tunnel_stream_open (stream);
      break;

    case UMT_TUNNEL_FRAME_DATA:
      /* Data for a stream we already closed crossed our C on the way: drop it. */
      if (stream != NULL)
        umt_tunnel_stream_deliver (stream, frame->payload, frame->borrowed);
      break;

    case UMT_TUNNEL_FRAME_CLOSE:
      if (stream != NULL)
        {
          g_hash_table_remove (self->streams, key);
          umt_tunnel_stream_remote_close (stream);
        }
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
feed_frames (UmtTunnelSession *self,
             const guint8     *data,
             gsize             len)
{
  while (!self->closed)
    {
      g_auto(UmtTunnelFrame) frame = { 0, };
      g_autoptr(GError) error = NULL;

      switch (umt_tunnel_frame_decoder_feed_borrowing (self->decoder, &data, &len, &frame, &error))
        {
        case UMT_TUNNEL_DECODE_FRAME:
          dispatch_frame (self, &frame);
          break;
        case UMT_TUNNEL_DECODE_NEED_MORE:
          return;
        case UMT_TUNNEL_DECODE_ERROR:
        default:
          close_with_error (self, "protocol error", error);
          return;
        }
    }
}

/* The reply comes from the network: a member of the wrong type is not a string. */
static void
handle_reply (UmtTunnelSession *self,
              const char       *line,
              gsize             len)
{
  g_autofree char *reason = NULL;

  switch (umt_tunnel_handshake_parse_reply (line, len, &reason))
    {
    case UMT_TUNNEL_REPLY_AUTHENTICATED:
      self->authenticated = TRUE;
      g_clear_handle_id (&self->handshake_timeout_id, g_source_remove);
      g_message ("Authenticated by the proxy %s:%u",
                 self->config->proxy_host, self->config->proxy_port);
      g_signal_emit (self, signals[SIGNAL_CONNECTED], 0);
      break;
    case UMT_TUNNEL_REPLY_REFUSED:
      g_message ("The proxy refused the device: %s", reason);
      g_signal_emit (self, signals[SIGNAL_AUTH_FAILED], 0, reason);
      umt_tunnel_session_close (self, "auth-failed");
      break;
    case UMT_TUNNEL_REPLY_INVALID:
      {
        g_autofree char *why = g_strconcat ("protocol error: ", reason, NULL);

        umt_tunnel_session_close (self, why);
      }
      break;
    }
}

static void
process_input (UmtTunnelSession *self,
               const guint8     *data,
               gsize             len)
{
  const guint8 *newline;
  gsize line_part;

  if (self->authenticated)
    {
      feed_frames (self, data, len);
      return;
    }

  newline = memchr (data, '\n', len);
  line_part = newline != NULL ? (gsize) (newline - data) : len;
  if (self->reply_line->len + line_part > MAX_REPLY_LINE)
    {
      umt_tunnel_session_close (self, "protocol error: the proxy's reply is too long");
      return;
    }
  g_byte_array_append (self->reply_line, data, line_part);
  if (newline == NULL)
    return;

  handle_reply (self, (const char *) self->reply_line->data, self->reply_line->len);
  if (!self->closed)
    feed_frames (self, newline + 1, len - line_part - 1);
}

static gboolean on_proxy_readable (GSocket      *socket,
                                   GIOCondition  condition,
                                   gpointer      user_data);

static gboolean
on_tls_kick (gpointer user_data)
{
  UmtTunnelSession *self = user_data;

  clear_source (&self->tls_kick);
  if (self->read_source != NULL)
    on_proxy_readable (NULL, G_IO_IN, self);
  return G_SOURCE_REMOVE;
}

/* TLS may hold records it has decrypted already: they do not wake the socket's source,
 * so whenever reading stops short of "would block", one more round is due. */
static void
kick_tls_read (UmtTunnelSession *self)
{
  if (!self->config->tls || self->tls_kick != NULL)
    return;

  self->tls_kick = g_idle_source_new ();
  g_source_set_priority (self->tls_kick, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->tls_kick, on_tls_kick, self, NULL);
  g_source_attach (self->tls_kick, g_main_context_get_thread_default ());
}

static gboolean
on_proxy_readable (GSocket      *socket,
                   GIOCondition  condition,
                   gpointer      user_data)
{
  UmtTunnelSession *self = user_data;
  g_autoptr(UmtTunnelSession) hold = g_object_ref (self);
  GPollableInputStream *input =
    G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (self->connection)));

  for (guint i = 0; ; i++)
    {
      g_autoptr(GError) error = NULL;
      gssize n;

      if (i == MAX_READS_PER_WAKEUP)
        {
          /* Other sources get their turn; plain TCP wakes us again, TLS may not. */
          kick_tls_read (self);
          break;
        }
      if (self->closed || self->n_blocking > 0)
        {
          clear_source (&self->read_source);
          break;
        }

      n = g_pollable_input_stream_read_nonblocking (input,
                                                    self->read_buf, UMT_TUNNEL_READ_SIZE,
                                                    NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      if (n < 0)
        {
          close_with_error (self, "read from proxy failed", error);
          break;
        }
      if (n == 0)
        {
          umt_tunnel_session_close (self, "the proxy closed the connection");
          break;
        }

      process_input (self, self->read_buf, n);
      flush_delivered (self);
      /* A short read emptied the socket: another would only say so. */
      if (n < UMT_TUNNEL_READ_SIZE && !self->config->tls)
        break;
    }
  return G_SOURCE_CONTINUE;
}

/* While a local service is slow, the proxy is not read: the kernel's buffers fill and
 * TCP tells the proxy to slow down, instead of our memory growing. */
static void
maybe_read (UmtTunnelSession *self)
{
  if (self->closed || self->connection == NULL || self->read_source != NULL ||
      self->n_blocking > 0)
    return;

  self->read_source = umt_tunnel_watch_socket (g_socket_connection_get_socket (self->connection),
                                               G_IO_IN, on_proxy_readable, self);
  kick_tls_read (self);
}

/* Connecting */

static void
set_liveness_options (GSocketConnection *connection)
{
  GSocket *socket = g_socket_connection_get_socket (connection);

  g_socket_set_keepalive (socket, TRUE);
#ifdef G_OS_UNIX
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
#endif
#ifdef __linux__
  g_socket_set_option (socket, IPPROTO_TCP, TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS, NULL);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_KEEPINTVL, KEEPALIVE_INTERVAL_SECONDS, NULL);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_KEEPCNT, KEEPALIVE_COUNT, NULL);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_USER_TIMEOUT, USER_TIMEOUT_MS, NULL);
#endif
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(UmtTunnelSession) self = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (self->closed)
    {
      g_clear_object (&connection);
      return;
    }

  if (connection == NULL)
    {
      close_with_error (self, "cannot connect to the proxy", error);
      return;
    }

  self->connection = connection;
  set_liveness_options (connection);
  g_debug ("Connected to %s:%u, authenticating", self->config->proxy_host,
           self->config->proxy_port);

  self->read_buf = g_malloc (UMT_TUNNEL_READ_SIZE);
  umt_tunnel_session_send_frame (self, umt_tunnel_handshake_build (self->config->token,
                                                                   self->config->device_key),
                                 NULL);
  maybe_read (self);
}

static gboolean
accept_any_certificate (GTlsConnection       *connection,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  g_debug ("Accepting the proxy's certificate unchecked (verify_tls is false)");
  return TRUE;
}

static void
on_client_event (GSocketClient      *client,
                 GSocketClientEvent  event,
                 GSocketConnectable *connectable,
                 GIOStream          *connection,
                 gpointer            user_data)
{
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING && G_IS_TLS_CLIENT_CONNECTION (connection))
    g_signal_connect (connection, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
}

static gboolean
on_handshake_timeout (gpointer user_data)
{
  UmtTunnelSession *self = user_data;

  self->handshake_timeout_id = 0;
  umt_tunnel_session_close (self, "timed out connecting to the proxy");
  return G_SOURCE_REMOVE;
}

void
umt_tunnel_session_start (UmtTunnelSession *self)
{
  g_return_if_fail (UMT_IS_TUNNEL_SESSION (self));
  g_return_if_fail (self->client == NULL);

  self->client = g_socket_client_new ();
  /* A raw TCP tunnel cannot go through a desktop HTTP proxy setting. */
  g_socket_client_set_enable_proxy (self->client, FALSE);
  g_socket_client_set_tls (self->client, self->config->tls);
  if (self->config->tls && !self->config->verify_tls)
    g_signal_connect (self->client, "event", G_CALLBACK (on_client_event), NULL);

  self->handshake_timeout_id = g_timeout_add_seconds (HANDSHAKE_TIMEOUT_SECONDS,
                                                      on_handshake_timeout, self);
  g_socket_client_connect_to_host_async (self->client, self->config->proxy_host,
                                         self->config->proxy_port, self->cancellable,
                                         on_connected, g_object_ref (self));
}
