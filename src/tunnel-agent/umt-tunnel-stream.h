/* umt-tunnel-stream.h: one relayed connection to a local service (127.0.0.1 or ::1) */
#pragma once

#include <gio/gio.h>

#include "umt-tunnel-session.h"

G_BEGIN_DECLS

#define UMT_TYPE_TUNNEL_STREAM (umt_tunnel_stream_get_type ())
G_DECLARE_FINAL_TYPE (UmtTunnelStream, umt_tunnel_stream, UMT, TUNNEL_STREAM, GObject)

/* Connects to the local @local_port for the proxy's stream to @port (which events
 * report); the session keeps the stream until it finishes. */
UmtTunnelStream *umt_tunnel_stream_new     (UmtTunnelSession *session,
                                            guint32           id,
                                            guint16           port,
                                            guint16           local_port);
void             umt_tunnel_stream_open    (UmtTunnelStream  *self);
guint32          umt_tunnel_stream_get_id  (UmtTunnelStream  *self);

/* A D frame's payload from the proxy. */
/* Queues @payload toward the local service; a @borrowed one is copied unless
 * umt_tunnel_stream_flush_delivered() writes it, which the session calls before the
 * memory changes. */
void umt_tunnel_stream_deliver      (UmtTunnelStream *self,
                                     GBytes          *payload,
                                     gboolean         borrowed);
void umt_tunnel_stream_flush_delivered (UmtTunnelStream *self);
/* A C frame from the proxy: flush what is pending to the local side, then close. */
void umt_tunnel_stream_remote_close (UmtTunnelStream *self);
/* @len bytes this stream queued toward the proxy have been written. */
void umt_tunnel_stream_sent         (UmtTunnelStream *self,
                                     gsize            len);
/* The control queue has room again: resume reading the local side if paused. */
void umt_tunnel_stream_resume       (UmtTunnelStream *self);
/* The session is over: drop everything without sending anything. */
void umt_tunnel_stream_abort        (UmtTunnelStream *self);

G_END_DECLS
