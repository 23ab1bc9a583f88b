/* umt-tunnel-out-queue.h: bytes waiting for a non-blocking socket stream
 *
 * The agent and the simulator's proxy write at once when a socket takes the bytes,
 * and queue only what it does not take: a write then costs one system call, not a
 * main-loop round through an async operation. The owner keeps a pollable source on
 * the stream while the queue is not empty, and bounds the queue itself.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _UmtTunnelOutQueue UmtTunnelOutQueue;

/* An entry of @size bytes pushed with @tag has been written entirely. */
typedef void (*UmtTunnelOutQueueSentFunc) (gpointer tag,
                                           gsize    size,
                                           gpointer user_data);

/* @tag_free frees the tags of entries dropped or written (may be NULL). */
UmtTunnelOutQueue *umt_tunnel_out_queue_new     (GDestroyNotify     tag_free);
void               umt_tunnel_out_queue_free    (UmtTunnelOutQueue *self);

/* Takes @bytes and @tag (may be NULL). Empty @bytes are dropped. */
void     umt_tunnel_out_queue_push        (UmtTunnelOutQueue *self,
                                           GBytes            *bytes,
                                           gpointer           tag);
/* Queues @len bytes at @data without copying them: umt_tunnel_out_queue_keep() must
 * run before that memory changes. Whatever a flush in between writes is never copied. */
void     umt_tunnel_out_queue_push_borrowed (UmtTunnelOutQueue *self,
                                             const void        *data,
                                             gsize              len,
                                             gpointer           tag);
/* Copies the borrowed entries still queued, so that their memory may be reused. */
void     umt_tunnel_out_queue_keep        (UmtTunnelOutQueue *self);
/* Bytes queued and not yet written. */
gsize    umt_tunnel_out_queue_get_pending (UmtTunnelOutQueue *self);
gboolean umt_tunnel_out_queue_is_empty    (UmtTunnelOutQueue *self);
void     umt_tunnel_out_queue_clear       (UmtTunnelOutQueue *self);

/* Writes what @stream takes without blocking, several entries per writev; calls
 * @sent_func for each entry written out. FALSE on a write error; TRUE otherwise,
 * the queue then being empty or @stream full. @written gets the bytes written. */
gboolean umt_tunnel_out_queue_flush       (UmtTunnelOutQueue          *self,
                                           GPollableOutputStream      *stream,
                                           UmtTunnelOutQueueSentFunc   sent_func,
                                           gpointer                    user_data,
                                           gsize                      *written,
                                           GError                    **error);

/* A source on the thread-default context calling @callback while @socket meets
 * @condition (G_IO_IN or G_IO_OUT). For a TLS stream over @socket, read until
 * it would block: decrypted bytes it holds do not show on the socket. */
GSource *umt_tunnel_watch_socket (GSocket           *socket,
                                  GIOCondition       condition,
                                  GSocketSourceFunc  callback,
                                  gpointer           user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UmtTunnelOutQueue, umt_tunnel_out_queue_free)

G_END_DECLS
