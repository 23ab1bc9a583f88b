/* sim-proxy-agent.c: one agent connection of the sim's tunnel proxy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything runs on the main context. Each direction has one bounded queue:
 * agent-bound frames in the agent's queue, public-bound data in each stream's
 * queue. Past SIM_PROXY_BOUND queued bytes the side that feeds the queue stops
 * being read until it drains, so a slow reader on either side cannot make the
 * sim's memory grow. Public reads pause while the agent queue is full; agent
 * reads pause while any stream's public queue is full (one connection carries
 * every stream, so that is the only way to push back on the agent).
 *
 * Reads and writes are non-blocking calls on socket sources rather than
 * async operations: a write goes out at once when the socket takes it, so a
 * small message crosses the proxy with one read and one write.
 */
#define G_LOG_DOMAIN "sim-proxy"

#include "config.h"

#include "umt-tunnel-frame.h"
#include "umt-tunnel-out-queue.h"

#include "sim-proxy-agent.h"

#define SIM_PROXY_CHUNK (64 * 1024)
#define SIM_PROXY_BOUND (256 * 1024)
/* Reads in one wakeup before other sources get their turn. */
#define SIM_PROXY_MAX_READS 16

typedef struct _SimProxyStream SimProxyStream;

struct _SimProxyAgent
{
  gint                     ref_count;
  char                    *device_key;
  GIOStream               *connection;
  GSocket                 *socket;       /* under @connection, TLS or not */
  GCancellable            *cancellable;
  UmtTunnelFrameDecoder   *decoder;
  SimProxyAgentClosedFunc  closed_func;
  gpointer                 closed_data;

  GHashTable              *streams;      /* id → SimProxyStream, open and draining */
  guint32                  next_id;

  gboolean                 tls;
  guint8                  *read_buf;     /* one read of the agent */
  guint8                  *public_buf;   /* frame header room + one public read */
  UmtTunnelOutQueue       *out;          /* encoded frames toward the agent */
  GSource                 *write_source; /* while the agent does not take them */
  GSource                 *read_source;  /* while the agent may be read */
  GSource                 *tls_kick;     /* one read when reading resumes over TLS */
  guint                    n_congested;  /* streams whose public queue is over the bound */
  gboolean                 public_paused; /* public reads stopped on a full agent queue */
  gboolean                 closed;
};

struct _SimProxyStream
{
  gint               ref_count;
  SimProxyAgent     *agent;       /* strong */
  guint32            id;
  guint16            local_port;
  GSocketConnection *connection;
  GCancellable      *cancellable;

  UmtTunnelOutQueue *out;          /* toward the public client */
  GSource           *write_source;
  GSource           *read_source;
  gboolean           congested;
  /* The agent closed the stream: finish writing what it sent, then close. */
  gboolean           draining;
  gboolean           closed;

  guint64            bytes_in;    /* public client → agent */
  guint64            bytes_out;   /* agent → public client */
};

static void agent_read    (SimProxyAgent  *self);
static void agent_flush   (SimProxyAgent  *self);
static void stream_read   (SimProxyStream *stream);
static void stream_flush  (SimProxyStream *stream);

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static gboolean
is_would_block (gssize        n,
                const GError *error)
{
  return n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
}

/* Streams */

static SimProxyStream *
stream_ref (SimProxyStream *stream)
{
  g_atomic_int_inc (&stream->ref_count);
  return stream;
}

static void
stream_unref (SimProxyStream *stream)
{
  if (!g_atomic_int_dec_and_test (&stream->ref_count))
    return;

  clear_source (&stream->read_source);
  clear_source (&stream->write_source);
  umt_tunnel_out_queue_free (stream->out);
  g_clear_object (&stream->connection);
  g_clear_object (&stream->cancellable);
  sim_proxy_agent_unref (stream->agent);
  g_free (stream);
}

static void
set_congested (SimProxyStream *stream,
               gboolean        congested)
{
  SimProxyAgent *agent = stream->agent;

  if (stream->congested == congested)
    return;
  stream->congested = congested;
  if (congested)
    {
      agent->n_congested++;
      return;
    }
  agent->n_congested--;
  if (agent->n_congested == 0)
    agent_read (agent);
}

/* Ends the public side at once, without a C: the caller sends one when the
 * agent still knows the stream. */
static void
stream_destroy (SimProxyStream *stream)
{
  SimProxyAgent *agent = stream->agent;

  if (stream->closed)
    return;

  stream->closed = TRUE;
  g_cancellable_cancel (stream->cancellable);
  clear_source (&stream->read_source);
  clear_source (&stream->write_source);
  g_io_stream_close (G_IO_STREAM (stream->connection), NULL, NULL);
  umt_tunnel_out_queue_clear (stream->out);
  g_debug ("stream %u of %s closed (%" G_GUINT64_FORMAT " bytes in, %"
           G_GUINT64_FORMAT " bytes out)", stream->id, agent->device_key,
           stream->bytes_in, stream->bytes_out);

  /* Last: the table may hold the last reference. */
  if (stream->congested)
    set_congested (stream, FALSE);
  g_hash_table_remove (agent->streams, GUINT_TO_POINTER (stream->id));
}

static void
agent_send (SimProxyAgent *self,
            GBytes        *frame)
{
  if (self->closed)
    {
      g_bytes_unref (frame);
      return;
    }
  umt_tunnel_out_queue_push (self->out, frame, NULL);
  /* At once when nothing waits before it. */
  if (self->write_source == NULL)
    agent_flush (self);
}

static void
stream_send_close (SimProxyStream *stream)
{
  agent_send (stream->agent,
              umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_CLOSE, stream->id, NULL, 0));
}

static gboolean
on_public_readable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  SimProxyStream *stream = stream_ref (user_data);
  SimProxyAgent *agent = stream->agent;
  GPollableInputStream *input =
    G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (stream->connection)));

  for (guint i = 0; i < SIM_PROXY_MAX_READS; i++)
    {
      g_autoptr(GError) error = NULL;
      gssize n;

      if (umt_tunnel_out_queue_get_pending (agent->out) >= SIM_PROXY_BOUND)
        agent->public_paused = TRUE;
      if (stream->closed || stream->draining || agent->closed || agent->public_paused)
        {
          clear_source (&stream->read_source);
          break;
        }

      n = g_pollable_input_stream_read_nonblocking (input, agent->public_buf + UMT_TUNNEL_FRAME_HEADER_SIZE,
                                                    SIM_PROXY_CHUNK, NULL, &error);
      if (is_would_block (n, error))
        break;
      if (n <= 0)
        {
          /* The protocol has no half-close: EOF from the client ends the stream. */
          stream_send_close (stream);
          stream_destroy (stream);
          break;
        }

      stream->bytes_in += (guint64) n;
      umt_tunnel_frame_write_header (agent->public_buf, UMT_TUNNEL_FRAME_DATA, stream->id,
                                     (guint32) n);
      agent_send (agent, g_bytes_new (agent->public_buf, UMT_TUNNEL_FRAME_HEADER_SIZE + (gsize) n));
      /* A short read emptied the socket: another would only say so. */
      if (n < SIM_PROXY_CHUNK)
        break;
    }
  stream_unref (stream);
  return G_SOURCE_CONTINUE;
}

static void
stream_read (SimProxyStream *stream)
{
  if (umt_tunnel_out_queue_get_pending (stream->agent->out) >= SIM_PROXY_BOUND)
    stream->agent->public_paused = TRUE;
  if (stream->read_source != NULL || stream->closed || stream->draining ||
      stream->agent->closed || stream->agent->public_paused)
    return;

  stream->read_source = umt_tunnel_watch_socket (g_socket_connection_get_socket (stream->connection),
                                                 G_IO_IN, on_public_readable, stream);
}

static gboolean
on_public_writable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  SimProxyStream *stream = stream_ref (user_data);

  stream_flush (stream);
  stream_unref (stream);
  return G_SOURCE_CONTINUE;
}

static void
stream_flush (SimProxyStream *stream)
{
  g_autoptr(GError) error = NULL;
  GOutputStream *output;
  gsize written = 0;

  if (stream->closed)
    return;

  output = g_io_stream_get_output_stream (G_IO_STREAM (stream->connection));
  if (!umt_tunnel_out_queue_flush (stream->out, G_POLLABLE_OUTPUT_STREAM (output),
                                   NULL, NULL, &written, &error))
    {
      g_debug ("stream %u: public write failed: %s", stream->id, error->message);
      if (!stream->draining)
        stream_send_close (stream);
      stream_destroy (stream);
      return;
    }

  stream->bytes_out += written;
  if (umt_tunnel_out_queue_get_pending (stream->out) <= SIM_PROXY_BOUND)
    set_congested (stream, FALSE);

  if (umt_tunnel_out_queue_is_empty (stream->out))
    {
      clear_source (&stream->write_source);
      if (stream->draining)
        stream_destroy (stream);
    }
  else if (stream->write_source == NULL)
    stream->write_source = umt_tunnel_watch_socket (g_socket_connection_get_socket (stream->connection),
                                                    G_IO_OUT, on_public_writable, stream);
}

static void
stream_write (SimProxyStream *stream,
              GBytes         *data)
{
  if (g_bytes_get_size (data) == 0)
    return;

  umt_tunnel_out_queue_push (stream->out, g_bytes_ref (data), NULL);
  if (umt_tunnel_out_queue_get_pending (stream->out) > SIM_PROXY_BOUND)
    set_congested (stream, TRUE);
  if (stream->write_source == NULL)
    stream_flush (stream);
}

/* Agent connection */

static gint
compare_ids (gconstpointer a,
             gconstpointer b)
{
  guint ia = GPOINTER_TO_UINT (a), ib = GPOINTER_TO_UINT (b);

  return ia < ib ? -1 : ia > ib;
}

/* A snapshot with references, as callbacks may change the table. */
static GPtrArray *
list_streams (SimProxyAgent *self)
{
  GPtrArray *streams = g_ptr_array_new_with_free_func ((GDestroyNotify) stream_unref);
  GHashTableIter iter;
  gpointer stream;

  g_hash_table_iter_init (&iter, self->streams);
  while (g_hash_table_iter_next (&iter, NULL, &stream))
    g_ptr_array_add (streams, stream_ref (stream));
  return streams;
}

SimProxyAgent *
sim_proxy_agent_ref (SimProxyAgent *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
sim_proxy_agent_unref (SimProxyAgent *self)
{
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;

  g_hash_table_unref (self->streams);
  clear_source (&self->read_source);
  clear_source (&self->write_source);
  clear_source (&self->tls_kick);
  umt_tunnel_out_queue_free (self->out);
  g_free (self->read_buf);
  g_free (self->public_buf);
  g_clear_pointer (&self->decoder, umt_tunnel_frame_decoder_free);
  g_clear_object (&self->connection);
  g_clear_object (&self->socket);
  g_clear_object (&self->cancellable);
  g_free (self->device_key);
  g_free (self);
}

gboolean
sim_proxy_agent_is_closed (SimProxyAgent *self)
{
  return self->closed;
}

const char *
sim_proxy_agent_get_device_key (SimProxyAgent *self)
{
  return self->device_key;
}

void
sim_proxy_agent_close (SimProxyAgent *self,
                       const char    *reason)
{
  g_autoptr(GPtrArray) streams = NULL;

  if (self->closed)
    return;

  g_debug ("agent %s disconnected: %s", self->device_key, reason);
  self->closed = TRUE;
  self->closed_func = NULL;
  g_cancellable_cancel (self->cancellable);

  /* Public clients of a gone agent get EOF, like with the real proxy. */
  streams = list_streams (self);
  for (guint i = 0; i < streams->len; i++)
    stream_destroy (g_ptr_array_index (streams, i));

  clear_source (&self->read_source);
  clear_source (&self->write_source);
  clear_source (&self->tls_kick);
  umt_tunnel_out_queue_clear (self->out);
  /* Async: a TLS close may have a close_notify to send. */
  g_io_stream_close_async (self->connection, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

/* The connection ended by itself: close and tell the proxy. */
static void
agent_fail (SimProxyAgent *self,
            const char    *reason)
{
  SimProxyAgentClosedFunc closed_func = self->closed_func;
  gpointer closed_data = self->closed_data;

  if (self->closed)
    return;

  sim_proxy_agent_close (self, reason);
  if (closed_func != NULL)
    closed_func (self, closed_data);
}

static gboolean
on_agent_writable (GSocket      *socket,
                   GIOCondition  condition,
                   gpointer      user_data)
{
  g_autoptr(SimProxyAgent) self = sim_proxy_agent_ref (user_data);

  agent_flush (self);
  return G_SOURCE_CONTINUE;
}

static void
agent_flush (SimProxyAgent *self)
{
  g_autoptr(GError) error = NULL;
  GOutputStream *output;
  gsize written = 0;

  if (self->closed)
    return;

  output = g_io_stream_get_output_stream (self->connection);
  if (!umt_tunnel_out_queue_flush (self->out, G_POLLABLE_OUTPUT_STREAM (output),
                                   NULL, NULL, &written, &error))
    {
      agent_fail (self, error->message);
      return;
    }

  if (umt_tunnel_out_queue_is_empty (self->out))
    clear_source (&self->write_source);
  else if (self->write_source == NULL)
    self->write_source = umt_tunnel_watch_socket (self->socket, G_IO_OUT, on_agent_writable, self);

  if (self->public_paused && umt_tunnel_out_queue_get_pending (self->out) < SIM_PROXY_BOUND)
    {
      g_autoptr(GPtrArray) streams = list_streams (self);

      self->public_paused = FALSE;

      for (guint i = 0; i < streams->len; i++)
        stream_read (g_ptr_array_index (streams, i));
    }
}

static gboolean
handle_frame (SimProxyAgent   *self,
              UmtTunnelFrame  *frame)
{
  SimProxyStream *stream = g_hash_table_lookup (self->streams,
                                                GUINT_TO_POINTER (frame->stream_id));

  switch (frame->type)
    {
    case UMT_TUNNEL_FRAME_DATA:
      /* Data for a stream closed on our side is normal: the C crossed it. */
      if (stream != NULL && !stream->draining)
        stream_write (stream, frame->payload);
      return TRUE;

    case UMT_TUNNEL_FRAME_CLOSE:
      if (stream != NULL && !stream->draining)
        {
          /* The public reads stop; what the agent sent still goes out. */
          stream->draining = TRUE;
          stream_flush (stream);
        }
      return TRUE;

    case UMT_TUNNEL_FRAME_NEW:
    default:
      /* Only the proxy opens streams. */
      return FALSE;
    }
}

/* Malformed input from the agent ends its connection: FALSE then. */
static gboolean
agent_feed (SimProxyAgent *self,
            const guint8  *data,
            gsize          len)
{
  while (len > 0 && !self->closed)
    {
      g_auto(UmtTunnelFrame) frame = { 0, };
      g_autoptr(GError) error = NULL;

      switch (umt_tunnel_frame_decoder_feed (self->decoder, &data, &len, &frame, &error))
        {
        case UMT_TUNNEL_DECODE_NEED_MORE:
          return TRUE;
        case UMT_TUNNEL_DECODE_ERROR:
          agent_fail (self, error->message);
          return FALSE;
        case UMT_TUNNEL_DECODE_FRAME:
          if (!handle_frame (self, &frame))
            {
              agent_fail (self, "protocol error: unexpected frame from the agent");
              return FALSE;
            }
          break;
        }
    }
  return !self->closed;
}

static gboolean on_agent_readable (GSocket      *socket,
                                   GIOCondition  condition,
                                   gpointer      user_data);

static gboolean
on_tls_kick (gpointer user_data)
{
  SimProxyAgent *self = user_data;

  clear_source (&self->tls_kick);
  if (self->read_source != NULL)
    on_agent_readable (self->socket, G_IO_IN, self);
  return G_SOURCE_REMOVE;
}

/* TLS may hold records it has decrypted already: they do not wake the socket's
 * source, so whenever reading stops short of "would block", one more round is due. */
static void
kick_tls_read (SimProxyAgent *self)
{
  if (!self->tls || self->tls_kick != NULL)
    return;

  self->tls_kick = g_idle_source_new ();
  g_source_set_priority (self->tls_kick, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->tls_kick, on_tls_kick, self, NULL);
  g_source_attach (self->tls_kick, g_main_context_get_thread_default ());
}

static gboolean
on_agent_readable (GSocket      *socket,
                   GIOCondition  condition,
                   gpointer      user_data)
{
  g_autoptr(SimProxyAgent) self = sim_proxy_agent_ref (user_data);
  GPollableInputStream *input =
    G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (self->connection));

  for (guint i = 0; ; i++)
    {
      g_autoptr(GError) error = NULL;
      gssize n;

      if (i == SIM_PROXY_MAX_READS)
        {
          /* Other sources get their turn; plain TCP wakes us again, TLS may not. */
          kick_tls_read (self);
          break;
        }
      if (self->closed || self->n_congested > 0)
        {
          clear_source (&self->read_source);
          break;
        }

      n = g_pollable_input_stream_read_nonblocking (input, self->read_buf, SIM_PROXY_CHUNK,
                                                    NULL, &error);
      if (is_would_block (n, error))
        break;
      if (n < 0)
        {
          agent_fail (self, error->message);
          break;
        }
      if (n == 0)
        {
          agent_fail (self, "end of stream");
          break;
        }
      if (!agent_feed (self, self->read_buf, (gsize) n))
        break;
      /* A short read emptied the socket: another would only say so. */
      if (n < SIM_PROXY_CHUNK && !self->tls)
        break;
    }
  return G_SOURCE_CONTINUE;
}

static void
agent_read (SimProxyAgent *self)
{
  if (self->read_source != NULL || self->closed || self->n_congested > 0)
    return;

  self->read_source = umt_tunnel_watch_socket (self->socket, G_IO_IN, on_agent_readable, self);
  kick_tls_read (self);
}

SimProxyAgent *
sim_proxy_agent_new (GIOStream               *connection,
                     const char              *device_key,
                     GBytes                  *greeting,
                     GBytes                  *leftover,
                     SimProxyAgentClosedFunc  closed_func,
                     gpointer                 user_data)
{
  SimProxyAgent *self = g_new0 (SimProxyAgent, 1);

  self->ref_count = 1;
  self->device_key = g_strdup (device_key);
  self->connection = g_object_ref (connection);
  self->cancellable = g_cancellable_new ();
  self->decoder = umt_tunnel_frame_decoder_new ();
  self->streams = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) stream_unref);
  self->next_id = 1;
  self->tls = G_IS_TLS_CONNECTION (connection);
  if (self->tls)
    {
      g_autoptr(GIOStream) base = NULL;

      g_object_get (connection, "base-io-stream", &base, NULL);
      self->socket = g_object_ref (g_socket_connection_get_socket (G_SOCKET_CONNECTION (base)));
    }
  else
    self->socket = g_object_ref (g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection)));
  self->read_buf = g_malloc (SIM_PROXY_CHUNK);
  self->public_buf = g_malloc (UMT_TUNNEL_FRAME_HEADER_SIZE + SIM_PROXY_CHUNK);
  self->out = umt_tunnel_out_queue_new (NULL);

  agent_send (self, g_bytes_ref (greeting));
  if (leftover != NULL && g_bytes_get_size (leftover) > 0)
    {
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (leftover, &len);

      /* Before the callback is set: the caller sees a failure here as
       * an agent that is already closed. */
      if (!agent_feed (self, data, len))
        return self;
    }
  self->closed_func = closed_func;
  self->closed_data = user_data;
  agent_read (self);
  return self;
}

void
sim_proxy_agent_open_stream (SimProxyAgent     *self,
                             GSocketConnection *connection,
                             guint16            local_port)
{
  SimProxyStream *stream;

  if (self->closed)
    {
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return;
    }

  stream = g_new0 (SimProxyStream, 1);
  stream->ref_count = 1;
  stream->agent = sim_proxy_agent_ref (self);
  stream->id = self->next_id++;
  stream->local_port = local_port;
  stream->connection = g_object_ref (connection);
  stream->cancellable = g_cancellable_new ();
  stream->out = umt_tunnel_out_queue_new (NULL);
  g_hash_table_insert (self->streams, GUINT_TO_POINTER (stream->id), stream);

  g_debug ("stream %u of %s opened to port %u", stream->id, self->device_key, local_port);
  agent_send (self, umt_tunnel_frame_encode_new (stream->id, local_port));
  stream_read (stream);
}

void
sim_proxy_agent_describe (SimProxyAgent *self,
                          JsonBuilder   *builder)
{
  g_autoptr(GList) ids = g_hash_table_get_keys (self->streams);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device_key");
  json_builder_add_string_value (builder, self->device_key);
  json_builder_set_member_name (builder, "queued_bytes");
  json_builder_add_int_value (builder, (gint64) umt_tunnel_out_queue_get_pending (self->out));
  json_builder_set_member_name (builder, "streams");
  json_builder_begin_array (builder);
  ids = g_list_sort (ids, compare_ids);
  for (GList *l = ids; l != NULL; l = l->next)
    {
      SimProxyStream *stream = g_hash_table_lookup (self->streams, l->data);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, stream->id);
      json_builder_set_member_name (builder, "local_port");
      json_builder_add_int_value (builder, stream->local_port);
      json_builder_set_member_name (builder, "bytes_in");
      json_builder_add_int_value (builder, (gint64) stream->bytes_in);
      json_builder_set_member_name (builder, "bytes_out");
      json_builder_add_int_value (builder, (gint64) stream->bytes_out);
      json_builder_set_member_name (builder, "queued_bytes");
      json_builder_add_int_value (builder, (gint64) umt_tunnel_out_queue_get_pending (stream->out));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}
