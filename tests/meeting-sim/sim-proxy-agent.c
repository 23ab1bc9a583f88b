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
 */
#define G_LOG_DOMAIN "sim-proxy"

#include "config.h"

#include "umt-tunnel-frame.h"

#include "sim-proxy-agent.h"

#define SIM_PROXY_CHUNK (64 * 1024)
#define SIM_PROXY_BOUND (256 * 1024)
/* The agent's queue is flushed in writes of up to this size, so that many
 * small frames do not each cost a write. */
#define SIM_PROXY_WRITE_MAX (256 * 1024)

typedef struct _SimProxyStream SimProxyStream;

struct _SimProxyAgent
{
  gint                     ref_count;
  char                    *device_key;
  GIOStream               *connection;
  GCancellable            *cancellable;
  UmtTunnelFrameDecoder   *decoder;
  SimProxyAgentClosedFunc  closed_func;
  gpointer                 closed_data;

  GHashTable              *streams;      /* id → SimProxyStream, open and draining */
  guint32                  next_id;

  GQueue                   out_queue;    /* GBytes of encoded frames */
  gsize                    out_pending;  /* bytes queued or being written */
  gboolean                 writing;
  gboolean                 reading;
  guint                    n_congested;  /* streams whose public queue is over the bound */
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

  GQueue             out_queue;   /* GBytes to write to the public client */
  gsize              out_pending;
  gboolean           writing;
  gboolean           reading;
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

  g_queue_clear_full (&stream->out_queue, (GDestroyNotify) g_bytes_unref);
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
  g_io_stream_close (G_IO_STREAM (stream->connection), NULL, NULL);
  g_queue_clear_full (&stream->out_queue, (GDestroyNotify) g_bytes_unref);
  g_queue_init (&stream->out_queue);
  stream->out_pending = 0;
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
  self->out_pending += g_bytes_get_size (frame);
  g_queue_push_tail (&self->out_queue, frame);
  agent_flush (self);
}

static void
stream_send_close (SimProxyStream *stream)
{
  agent_send (stream->agent,
              umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_CLOSE, stream->id, NULL, 0));
}

static void
on_public_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SimProxyStream *stream = user_data;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;

  data = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  stream->reading = FALSE;

  if (!stream->closed && !stream->draining)
    {
      if (data == NULL || g_bytes_get_size (data) == 0)
        {
          /* The protocol has no half-close: EOF from the client ends the stream. */
          stream_send_close (stream);
          stream_destroy (stream);
        }
      else
        {
          gsize size = g_bytes_get_size (data);

          stream->bytes_in += size;
          agent_send (stream->agent,
                      umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_DATA, stream->id,
                                               g_bytes_get_data (data, NULL), size));
          stream_read (stream);
        }
    }
  stream_unref (stream);
}

static void
stream_read (SimProxyStream *stream)
{
  GInputStream *input;

  if (stream->reading || stream->closed || stream->draining || stream->agent->closed ||
      stream->agent->out_pending >= SIM_PROXY_BOUND)
    return;

  stream->reading = TRUE;
  input = g_io_stream_get_input_stream (G_IO_STREAM (stream->connection));
  g_input_stream_read_bytes_async (input, SIM_PROXY_CHUNK, G_PRIORITY_DEFAULT,
                                   stream->cancellable, on_public_read, stream_ref (stream));
}

static void
on_public_written (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SimProxyStream *stream = user_data;
  g_autoptr(GError) error = NULL;
  gsize written = 0;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, &error);
  stream->writing = FALSE;

  if (!stream->closed)
    {
      g_autoptr(GBytes) done = g_queue_pop_head (&stream->out_queue);

      if (error != NULL)
        {
          g_debug ("stream %u: public write failed: %s", stream->id, error->message);
          if (!stream->draining)
            stream_send_close (stream);
          stream_destroy (stream);
        }
      else
        {
          stream->out_pending -= g_bytes_get_size (done);
          stream->bytes_out += g_bytes_get_size (done);
          if (stream->out_pending <= SIM_PROXY_BOUND)
            set_congested (stream, FALSE);
          stream_flush (stream);
        }
    }
  stream_unref (stream);
}

static void
stream_flush (SimProxyStream *stream)
{
  GOutputStream *output;
  GBytes *head;

  if (stream->writing || stream->closed)
    return;

  head = g_queue_peek_head (&stream->out_queue);
  if (head == NULL)
    {
      if (stream->draining)
        stream_destroy (stream);
      return;
    }

  stream->writing = TRUE;
  output = g_io_stream_get_output_stream (G_IO_STREAM (stream->connection));
  /* The queue keeps @head alive until the write completes. */
  g_output_stream_write_all_async (output,
                                   g_bytes_get_data (head, NULL), g_bytes_get_size (head),
                                   G_PRIORITY_DEFAULT, stream->cancellable,
                                   on_public_written, stream_ref (stream));
}

static void
stream_write (SimProxyStream *stream,
              GBytes         *data)
{
  if (g_bytes_get_size (data) == 0)
    return;

  stream->out_pending += g_bytes_get_size (data);
  g_queue_push_tail (&stream->out_queue, g_bytes_ref (data));
  if (stream->out_pending > SIM_PROXY_BOUND)
    set_congested (stream, TRUE);
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
  g_queue_clear_full (&self->out_queue, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&self->decoder, umt_tunnel_frame_decoder_free);
  g_clear_object (&self->connection);
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

  g_queue_clear_full (&self->out_queue, (GDestroyNotify) g_bytes_unref);
  g_queue_init (&self->out_queue);
  self->out_pending = 0;
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

typedef struct
{
  SimProxyAgent *agent;
  GBytes        *buffer;  /* keeps the written memory alive */
} AgentWrite;

static void
on_agent_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  AgentWrite *op = user_data;
  g_autoptr(SimProxyAgent) self = op->agent;
  g_autoptr(GBytes) buffer = op->buffer;
  g_autoptr(GError) error = NULL;
  gsize written = 0;

  g_free (op);
  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, &error);
  self->writing = FALSE;
  if (self->closed)
    return;
  if (error != NULL)
    {
      agent_fail (self, error->message);
      return;
    }

  self->out_pending -= g_bytes_get_size (buffer);
  if (self->out_pending < SIM_PROXY_BOUND)
    {
      g_autoptr(GPtrArray) streams = list_streams (self);

      for (guint i = 0; i < streams->len; i++)
        stream_read (g_ptr_array_index (streams, i));
    }
  agent_flush (self);
}

static void
agent_flush (SimProxyAgent *self)
{
  g_autoptr(GByteArray) joined = NULL;
  GOutputStream *output;
  AgentWrite *op;
  GBytes *buffer;

  if (self->writing || self->closed || g_queue_is_empty (&self->out_queue))
    return;

  buffer = g_queue_pop_head (&self->out_queue);
  if (!g_queue_is_empty (&self->out_queue) &&
      g_bytes_get_size (buffer) < SIM_PROXY_WRITE_MAX)
    {
      joined = g_byte_array_sized_new (SIM_PROXY_WRITE_MAX);
      g_byte_array_append (joined, g_bytes_get_data (buffer, NULL), g_bytes_get_size (buffer));
      g_bytes_unref (buffer);
      while (!g_queue_is_empty (&self->out_queue) &&
             joined->len + g_bytes_get_size (g_queue_peek_head (&self->out_queue))
               <= SIM_PROXY_WRITE_MAX)
        {
          g_autoptr(GBytes) next = g_queue_pop_head (&self->out_queue);

          g_byte_array_append (joined, g_bytes_get_data (next, NULL), g_bytes_get_size (next));
        }
      buffer = g_byte_array_free_to_bytes (g_steal_pointer (&joined));
    }

  self->writing = TRUE;
  op = g_new0 (AgentWrite, 1);
  op->agent = sim_proxy_agent_ref (self);
  op->buffer = buffer;
  output = g_io_stream_get_output_stream (self->connection);
  g_output_stream_write_all_async (output,
                                   g_bytes_get_data (buffer, NULL), g_bytes_get_size (buffer),
                                   G_PRIORITY_DEFAULT, self->cancellable,
                                   on_agent_written, op);
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

static void
on_agent_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SimProxyAgent) self = user_data;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;

  data = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  self->reading = FALSE;
  if (self->closed)
    return;

  if (data == NULL)
    agent_fail (self, error->message);
  else if (g_bytes_get_size (data) == 0)
    agent_fail (self, "end of stream");
  else
    {
      gsize len = g_bytes_get_size (data);
      const guint8 *bytes = g_bytes_get_data (data, &len);

      if (agent_feed (self, bytes, len))
        agent_read (self);
    }
}

static void
agent_read (SimProxyAgent *self)
{
  GInputStream *input;

  if (self->reading || self->closed || self->n_congested > 0)
    return;

  self->reading = TRUE;
  input = g_io_stream_get_input_stream (self->connection);
  g_input_stream_read_bytes_async (input, SIM_PROXY_CHUNK, G_PRIORITY_DEFAULT,
                                   self->cancellable, on_agent_read,
                                   sim_proxy_agent_ref (self));
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
  g_queue_init (&self->out_queue);

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
  g_queue_init (&stream->out_queue);
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
  json_builder_add_int_value (builder, (gint64) self->out_pending);
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
      json_builder_add_int_value (builder, (gint64) stream->out_pending);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}
