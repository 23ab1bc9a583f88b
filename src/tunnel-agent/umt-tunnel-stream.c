#define G_LOG_DOMAIN "umt-tunnel-stream"

#include "config.h"

#include "umt-tunnel-frame.h"
#include "umt-tunnel-out-queue.h"
#include "umt-tunnel-stream.h"

#ifdef G_OS_UNIX
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif

/* Reads in one wakeup before other sources get their turn. */
#define MAX_READS_PER_WAKEUP 16

struct _UmtTunnelStream {
  GObject parent_instance;

  UmtTunnelSession *session; /* unowned: the session owns us; NULL once detached */
  guint32 id;
  guint16 port;       /* as the proxy asked */
  guint16 local_port; /* where the service listens */

  GCancellable *cancellable; /* connecting */
  GSocketClient *client;
  GSocketConnection *connection;
  gboolean tried_ipv6;
  gboolean opened;

  GSource *read_source; /* while the local side may be read */
  gboolean read_done;
  gsize to_proxy_pending; /* our bytes still in the session's queue */

  UmtTunnelOutQueue *out; /* toward the local service */
  GSource *write_source;  /* while the local side does not take what is queued */
  gboolean blocking; /* we asked the session to stop reading the proxy */
  gboolean flush_due; /* delivered since the session last called flush_delivered */

  gboolean forgotten; /* a C went either way: the id no longer names us */
  gboolean finishing; /* close once the output is flushed */
  gboolean finished;

  guint64 bytes_in;  /* written to the local service */
  guint64 bytes_out; /* read from the local service */
};

G_DEFINE_FINAL_TYPE (UmtTunnelStream, umt_tunnel_stream, G_TYPE_OBJECT)

static void maybe_read (UmtTunnelStream *self);
static void flush_output (UmtTunnelStream *self);

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
umt_tunnel_stream_dispose (GObject *object)
{
  UmtTunnelStream *self = UMT_TUNNEL_STREAM (object);

  g_cancellable_cancel (self->cancellable);
  clear_source (&self->read_source);
  clear_source (&self->write_source);
  g_clear_object (&self->connection);
  g_clear_object (&self->client);
  umt_tunnel_out_queue_clear (self->out);

  G_OBJECT_CLASS (umt_tunnel_stream_parent_class)->dispose (object);
}

static void
umt_tunnel_stream_finalize (GObject *object)
{
  UmtTunnelStream *self = UMT_TUNNEL_STREAM (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->out, umt_tunnel_out_queue_free);

  G_OBJECT_CLASS (umt_tunnel_stream_parent_class)->finalize (object);
}

static void
umt_tunnel_stream_class_init (UmtTunnelStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = umt_tunnel_stream_dispose;
  object_class->finalize = umt_tunnel_stream_finalize;
}

static void
umt_tunnel_stream_init (UmtTunnelStream *self)
{
  self->cancellable = g_cancellable_new ();
  self->out = umt_tunnel_out_queue_new (NULL);
}

UmtTunnelStream *
umt_tunnel_stream_new (UmtTunnelSession *session,
                       guint32           id,
                       guint16           port,
                       guint16           local_port)
{
  UmtTunnelStream *self = g_object_new (UMT_TYPE_TUNNEL_STREAM, NULL);

  self->session = session;
  self->id = id;
  self->port = port;
  self->local_port = local_port;
  return self;
}

guint32
umt_tunnel_stream_get_id (UmtTunnelStream *self)
{
  return self->id;
}

static void
close_connection (UmtTunnelStream *self)
{
  g_cancellable_cancel (self->cancellable);
  clear_source (&self->read_source);
  clear_source (&self->write_source);
  if (self->connection != NULL)
    g_socket_close (g_socket_connection_get_socket (self->connection), NULL);
}

static void
drop_output (UmtTunnelStream *self)
{
  umt_tunnel_out_queue_clear (self->out);
}

/* Ends the stream; the session drops its reference, so keep one until we return. */
static void
finish (UmtTunnelStream *self)
{
  g_autoptr(UmtTunnelStream) hold = g_object_ref (self);
  UmtTunnelSession *session = self->session;

  if (self->finished)
    return;

  self->finished = TRUE;
  self->session = NULL;
  close_connection (self);
  drop_output (self);

  if (session == NULL)
    return;

  if (self->blocking)
    {
      self->blocking = FALSE;
      umt_tunnel_session_unblock_reading (session);
    }
  if (self->opened)
    umt_tunnel_session_emit_stream_event (session, "stream-closed", self->id, self->port,
                                          self->bytes_in, self->bytes_out, NULL);
  umt_tunnel_session_stream_finished (session, self);
}

/* Tells the proxy the stream is over (once), after any data already queued. */
static void
send_close (UmtTunnelStream *self)
{
  if (self->forgotten || self->session == NULL)
    return;

  self->forgotten = TRUE;
  umt_tunnel_session_send_frame (self->session,
                                 umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_CLOSE, self->id, NULL, 0),
                                 NULL);
  umt_tunnel_session_forget_stream (self->session, self);
}

static void
finish_when_flushed (UmtTunnelStream *self)
{
  if (umt_tunnel_out_queue_is_empty (self->out))
    finish (self);
  else
    self->finishing = TRUE;
}

static void
local_failed (UmtTunnelStream *self,
              const GError    *error)
{
  g_debug ("Stream %u to port %u failed: %s", self->id, self->port, error->message);
  send_close (self);
  finish (self);
}

static gboolean
may_read (UmtTunnelStream *self)
{
  return self->session != NULL && self->connection != NULL && !self->read_done &&
         !self->forgotten && !self->finished &&
         self->to_proxy_pending < UMT_TUNNEL_STREAM_BOUND &&
         umt_tunnel_session_can_send (self->session);
}

static gboolean
on_local_readable (GSocket      *socket,
                   GIOCondition  condition,
                   gpointer      user_data)
{
  UmtTunnelStream *self = user_data;
  g_autoptr(UmtTunnelStream) hold = g_object_ref (self);
  GPollableInputStream *input =
    G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (self->connection)));

  for (guint i = 0; i < MAX_READS_PER_WAKEUP; i++)
    {
      g_autoptr(GError) error = NULL;
      guint8 *frame;
      gssize n;

      if (!may_read (self))
        {
          clear_source (&self->read_source);
          break;
        }

      /* Read behind room for the header: the frame leaves in one write, uncopied. */
      frame = umt_tunnel_session_get_frame_buffer (self->session);
      n = g_pollable_input_stream_read_nonblocking (input,
                                                    frame + UMT_TUNNEL_FRAME_HEADER_SIZE,
                                                    UMT_TUNNEL_READ_SIZE, NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      if (n < 0)
        {
          local_failed (self, error);
          break;
        }
      if (n == 0)
        {
          /* The local service is done sending; what it still receives is flushed first. */
          g_debug ("Stream %u: local end closed", self->id);
          self->read_done = TRUE;
          clear_source (&self->read_source);
          send_close (self);
          finish_when_flushed (self);
          break;
        }

      umt_tunnel_frame_write_header (frame, UMT_TUNNEL_FRAME_DATA, self->id, (guint32) n);
      self->bytes_out += n;
      umt_tunnel_session_count_traffic (self->session, 0, n);
      self->to_proxy_pending += UMT_TUNNEL_FRAME_HEADER_SIZE + n;
      umt_tunnel_session_send_frame_buffer (self->session, UMT_TUNNEL_FRAME_HEADER_SIZE + n, self);
      /* A short read emptied the socket: another would only say so. */
      if (n < UMT_TUNNEL_READ_SIZE)
        break;
    }
  return G_SOURCE_CONTINUE;
}

/* Reads the local side only while the data has somewhere to go: the stream's own share
 * of the queue toward the proxy, and the queue as a whole, are bounded. */
static void
maybe_read (UmtTunnelStream *self)
{
  if (self->read_source != NULL || !may_read (self))
    return;

  self->read_source = umt_tunnel_watch_socket (g_socket_connection_get_socket (self->connection),
                                               G_IO_IN, on_local_readable, self);
}

static gboolean
on_local_writable (GSocket      *socket,
                   GIOCondition  condition,
                   gpointer      user_data)
{
  flush_output (user_data);
  return G_SOURCE_CONTINUE;
}

/* Writes at once what the local side takes; a socket source waits for room for the rest. */
static void
flush_output (UmtTunnelStream *self)
{
  g_autoptr(UmtTunnelStream) hold = g_object_ref (self);
  g_autoptr(GError) error = NULL;
  GOutputStream *output;
  gsize written;

  if (self->connection == NULL || self->finished)
    return;

  output = g_io_stream_get_output_stream (G_IO_STREAM (self->connection));
  if (!umt_tunnel_out_queue_flush (self->out, G_POLLABLE_OUTPUT_STREAM (output),
                                   NULL, NULL, &written, &error))
    {
      local_failed (self, error);
      return;
    }
  self->bytes_in += written;
  if (self->session != NULL)
    umt_tunnel_session_count_traffic (self->session, written, 0);

  /* Resume the proxy side only once a good part has drained, not byte by byte. */
  if (self->blocking && umt_tunnel_out_queue_get_pending (self->out) <= UMT_TUNNEL_STREAM_BOUND / 2)
    {
      self->blocking = FALSE;
      if (self->session != NULL)
        umt_tunnel_session_unblock_reading (self->session);
    }

  if (umt_tunnel_out_queue_is_empty (self->out))
    {
      clear_source (&self->write_source);
      if (self->finishing)
        finish (self);
    }
  else if (self->write_source == NULL)
    {
      self->write_source = umt_tunnel_watch_socket (g_socket_connection_get_socket (self->connection),
                                                    G_IO_OUT, on_local_writable, self);
    }
}

static void
set_nodelay (GSocketConnection *connection)
{
#ifdef G_OS_UNIX
  /* Interactive sessions (ssh, VNC) want each small write to leave at once. */
  g_socket_set_option (g_socket_connection_get_socket (connection),
                       IPPROTO_TCP, TCP_NODELAY, 1, NULL);
#endif
}

static void connect_local (UmtTunnelStream *self);

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(UmtTunnelStream) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (self->finished)
    return;

  if (connection == NULL)
    {
      g_autofree char *reason = NULL;

      if (!self->tried_ipv6 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* A service may listen on ::1 only. */
          self->tried_ipv6 = TRUE;
          connect_local (self);
          return;
        }

      reason = g_strdup_printf ("local connection failed: %s", error->message);
      g_debug ("Stream %u to port %u: %s", self->id, self->port, reason);
      send_close (self);
      if (self->session != NULL)
        umt_tunnel_session_emit_stream_event (self->session, "stream-refused", self->id,
                                              self->port, 0, 0, reason);
      finish (self);
      return;
    }

  self->connection = g_steal_pointer (&connection);
  self->opened = TRUE;
  set_nodelay (self->connection);
  umt_tunnel_session_emit_stream_event (self->session, "stream-opened", self->id, self->port,
                                        0, 0, NULL);
  if (self->finished)
    return;

  flush_output (self);
  if (self->finished)
    return;
  if (self->forgotten)
    finish_when_flushed (self);
  else
    maybe_read (self);
}

static void
connect_local (UmtTunnelStream *self)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;

  if (self->client == NULL)
    {
      self->client = g_socket_client_new ();
      g_socket_client_set_enable_proxy (self->client, FALSE);
    }

  address = g_inet_address_new_loopback (self->tried_ipv6 ? G_SOCKET_FAMILY_IPV6
                                                          : G_SOCKET_FAMILY_IPV4);
  socket_address = g_inet_socket_address_new (address, self->local_port);
  g_socket_client_connect_async (self->client, G_SOCKET_CONNECTABLE (socket_address),
                                 self->cancellable, on_connected, g_object_ref (self));
}

void
umt_tunnel_stream_open (UmtTunnelStream *self)
{
  g_return_if_fail (UMT_IS_TUNNEL_STREAM (self));

  connect_local (self);
}

void
umt_tunnel_stream_deliver (UmtTunnelStream *self,
                           GBytes          *payload,
                           gboolean         borrowed)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);

  g_return_if_fail (UMT_IS_TUNNEL_STREAM (self));

  if (self->finished || self->forgotten || len == 0)
    return;

  if (borrowed)
    umt_tunnel_out_queue_push_borrowed (self->out, data, len, NULL);
  else
    umt_tunnel_out_queue_push (self->out, g_bytes_ref (payload), NULL);
  /* The frames of one read from the proxy go out in one write. */
  if (!self->flush_due)
    {
      self->flush_due = TRUE;
      umt_tunnel_session_flush_later (self->session, self);
    }
}

void
umt_tunnel_stream_flush_delivered (UmtTunnelStream *self)
{
  g_return_if_fail (UMT_IS_TUNNEL_STREAM (self));

  self->flush_due = FALSE;
  /* Written at once when nothing waits before it. */
  if (self->write_source == NULL)
    flush_output (self);
  umt_tunnel_out_queue_keep (self->out);

  if (!self->finished && !self->blocking && self->session != NULL &&
      umt_tunnel_out_queue_get_pending (self->out) > UMT_TUNNEL_STREAM_BOUND)
    {
      self->blocking = TRUE;
      umt_tunnel_session_block_reading (self->session);
    }
}

void
umt_tunnel_stream_remote_close (UmtTunnelStream *self)
{
  g_return_if_fail (UMT_IS_TUNNEL_STREAM (self));

  if (self->finished)
    return;

  self->forgotten = TRUE;
  clear_source (&self->read_source);
  /* Still connecting: on_connected flushes and finishes. */
  if (self->connection != NULL)
    finish_when_flushed (self);
}

void
umt_tunnel_stream_sent (UmtTunnelStream *self,
                        gsize            len)
{
  g_return_if_fail (UMT_IS_TUNNEL_STREAM (self));

  self->to_proxy_pending -= MIN (len, self->to_proxy_pending);
  maybe_read (self);
}

void
umt_tunnel_stream_resume (UmtTunnelStream *self)
{
  g_return_if_fail (UMT_IS_TUNNEL_STREAM (self));

  maybe_read (self);
}

void
umt_tunnel_stream_abort (UmtTunnelStream *self)
{
  g_return_if_fail (UMT_IS_TUNNEL_STREAM (self));

  if (self->finished)
    return;

  /* The session is going away: no events, no frames, no unblocking. */
  self->session = NULL;
  self->finished = TRUE;
  close_connection (self);
  drop_output (self);
}
