/* umt-tunnel-out-queue.c: bytes waiting for a non-blocking socket stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-tunnel-out-queue"

#include "config.h"

#include "umt-tunnel-out-queue.h"

/* Entries gathered into one writev. */
#define MAX_VECTORS 16

typedef struct {
  GBytes  *bytes;
  gpointer tag;
  gboolean borrowed; /* bytes points into the caller's buffer, until umt_tunnel_out_queue_keep() */
} Entry;

struct _UmtTunnelOutQueue {
  GQueue         entries; /* Entry */
  gsize          offset;  /* bytes of the head entry already written */
  gsize          pending;
  guint          n_borrowed; /* entries still borrowed */
  GDestroyNotify tag_free;
};

UmtTunnelOutQueue *
umt_tunnel_out_queue_new (GDestroyNotify tag_free)
{
  UmtTunnelOutQueue *self = g_new0 (UmtTunnelOutQueue, 1);

  g_queue_init (&self->entries);
  self->tag_free = tag_free;
  return self;
}

static void
entry_free (UmtTunnelOutQueue *self,
            Entry             *entry)
{
  if (entry->borrowed)
    self->n_borrowed--;
  g_bytes_unref (entry->bytes);
  if (entry->tag != NULL && self->tag_free != NULL)
    self->tag_free (entry->tag);
  g_free (entry);
}

void
umt_tunnel_out_queue_clear (UmtTunnelOutQueue *self)
{
  Entry *entry;

  while ((entry = g_queue_pop_head (&self->entries)) != NULL)
    entry_free (self, entry);
  self->offset = 0;
  self->pending = 0;
}

void
umt_tunnel_out_queue_free (UmtTunnelOutQueue *self)
{
  if (self == NULL)
    return;

  umt_tunnel_out_queue_clear (self);
  g_free (self);
}

void
umt_tunnel_out_queue_push (UmtTunnelOutQueue *self,
                           GBytes            *bytes,
                           gpointer           tag)
{
  Entry *entry;

  if (g_bytes_get_size (bytes) == 0)
    {
      g_bytes_unref (bytes);
      if (tag != NULL && self->tag_free != NULL)
        self->tag_free (tag);
      return;
    }

  entry = g_new (Entry, 1);
  entry->bytes = bytes;
  entry->tag = tag;
  entry->borrowed = FALSE;
  g_queue_push_tail (&self->entries, entry);
  self->pending += g_bytes_get_size (bytes);
}

void
umt_tunnel_out_queue_push_borrowed (UmtTunnelOutQueue *self,
                                    const void        *data,
                                    gsize              len,
                                    gpointer           tag)
{
  umt_tunnel_out_queue_push (self, g_bytes_new_static (data, len), tag);
  if (len > 0)
    {
      ((Entry *) g_queue_peek_tail (&self->entries))->borrowed = TRUE;
      self->n_borrowed++;
    }
}

void
umt_tunnel_out_queue_keep (UmtTunnelOutQueue *self)
{
  /* Borrowed entries are the newest, mostly: walk back from the tail until all are
   * owned. The head's written part is copied too, so that its size stays the one pushed. */
  for (GList *l = self->entries.tail; l != NULL && self->n_borrowed > 0; l = l->prev)
    {
      Entry *entry = l->data;
      gsize len;
      const guint8 *data;

      if (!entry->borrowed)
        continue;

      data = g_bytes_get_data (entry->bytes, &len);
      g_bytes_unref (entry->bytes);
      entry->bytes = g_bytes_new (data, len);
      entry->borrowed = FALSE;
      self->n_borrowed--;
    }
}

gsize
umt_tunnel_out_queue_get_pending (UmtTunnelOutQueue *self)
{
  return self->pending;
}

gboolean
umt_tunnel_out_queue_is_empty (UmtTunnelOutQueue *self)
{
  return g_queue_is_empty (&self->entries);
}

gboolean
umt_tunnel_out_queue_flush (UmtTunnelOutQueue          *self,
                            GPollableOutputStream      *stream,
                            UmtTunnelOutQueueSentFunc   sent_func,
                            gpointer                    user_data,
                            gsize                      *written,
                            GError                    **error)
{
  *written = 0;

  while (!g_queue_is_empty (&self->entries))
    {
      GOutputVector vectors[MAX_VECTORS];
      guint n_vectors = 0;
      gsize wanted = 0, done = 0;
      gboolean short_write;
      GList *l;

      for (l = self->entries.head; l != NULL && n_vectors < MAX_VECTORS; l = l->next)
        {
          Entry *entry = l->data;
          gsize len, skip = l == self->entries.head ? self->offset : 0;
          const guint8 *data = g_bytes_get_data (entry->bytes, &len);

          vectors[n_vectors].buffer = data + skip;
          vectors[n_vectors].size = len - skip;
          wanted += len - skip;
          n_vectors++;
        }

      switch (g_pollable_output_stream_writev_nonblocking (stream, vectors, n_vectors,
                                                           &done, NULL, error))
        {
        case G_POLLABLE_RETURN_OK:
          break;
        case G_POLLABLE_RETURN_WOULD_BLOCK:
          return TRUE;
        case G_POLLABLE_RETURN_FAILED:
        default:
          return FALSE;
        }

      *written += done;
      self->pending -= done;
      short_write = done < wanted;
      /* Entries leave the queue before their callback runs: it may push more. */
      while (done > 0)
        {
          Entry *head = g_queue_peek_head (&self->entries);
          gsize left = g_bytes_get_size (head->bytes) - self->offset;

          if (done < left)
            {
              self->offset += done;
              break;
            }
          done -= left;
          self->offset = 0;
          g_queue_pop_head (&self->entries);
          if (sent_func != NULL)
            sent_func (head->tag, g_bytes_get_size (head->bytes), user_data);
          entry_free (self, head);
        }

      /* A short write means the socket is full: the next one would only block. */
      if (short_write)
        return TRUE;
    }
  return TRUE;
}

GSource *
umt_tunnel_watch_socket (GSocket           *socket,
                         GIOCondition       condition,
                         GSocketSourceFunc  callback,
                         gpointer           user_data)
{
  /* The socket's own source, not a pollable stream's: that one has a child source,
   * and GLib 2.74 takes every dispatched source's descriptors out of the poll set and
   * puts them back, each time signalling the context's wakeup descriptor (four writes
   * and one more poll per message). A source that may recurse is left alone, and
   * these callbacks never iterate the main loop. */
  GSource *source = g_socket_create_source (socket, condition, NULL);

  g_source_set_can_recurse (source, TRUE);
  g_source_set_callback (source, G_SOURCE_FUNC (callback), user_data, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}
