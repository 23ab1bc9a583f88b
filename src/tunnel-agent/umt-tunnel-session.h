/* umt-tunnel-session.h: one control connection to the proxy and the streams it carries
 *
 * A session connects, authenticates, then relays N/D/C frames until it ends; it ends only
 * once and says why with ::closed. The agent makes a new session for each attempt.
 */
#pragma once

#include <gio/gio.h>

#include "umt-tunnel-config.h"

G_BEGIN_DECLS

/* Bytes buffered for one stream in either direction before the side feeding it pauses. */
#define UMT_TUNNEL_STREAM_BOUND (256 * 1024)
/* Bytes queued toward the proxy before every local reader pauses. */
#define UMT_TUNNEL_CONTROL_BOUND (1024 * 1024)
/* Size of one read, from the proxy or from a local service: a few frames of the proxy
 * at a time, and frames toward it as large as a local service's burst. */
#define UMT_TUNNEL_READ_SIZE (256 * 1024)

#define UMT_TYPE_TUNNEL_SESSION (umt_tunnel_session_get_type ())
G_DECLARE_FINAL_TYPE (UmtTunnelSession, umt_tunnel_session, UMT, TUNNEL_SESSION, GObject)

typedef struct _UmtTunnelStream UmtTunnelStream;

/* Signals:
 *   ::connected ()                                  authenticated by the proxy
 *   ::auth-failed (const char *reason)              the proxy refused the handshake
 *   ::closed (const char *reason)                   the session is over, emitted once
 *   ::stream-opened (guint id, guint port)
 *   ::stream-refused (guint id, guint port, const char *reason)
 *   ::stream-closed (guint id, guint64 bytes_in, guint64 bytes_out)
 */

/* @config must outlive the session. */
UmtTunnelSession *umt_tunnel_session_new   (const UmtTunnelConfig *config);
void              umt_tunnel_session_start (UmtTunnelSession      *self);
/* Ends the session now (emits ::closed with @reason unless already closed). */
void              umt_tunnel_session_close (UmtTunnelSession      *self,
                                            const char            *reason);
gboolean          umt_tunnel_session_is_closed (UmtTunnelSession  *self);
/* Everything its streams moved so far, open ones included. */
void              umt_tunnel_session_get_traffic (UmtTunnelSession *self,
                                                  guint64          *bytes_in,
                                                  guint64          *bytes_out);

/* For UmtTunnelStream. */
void     umt_tunnel_session_send_frame       (UmtTunnelSession *self,
                                              GBytes           *frame,
                                              UmtTunnelStream  *origin);
/* Streams read their frames here, UMT_TUNNEL_FRAME_HEADER_SIZE + UMT_TUNNEL_READ_SIZE
 * bytes shared by all: each frame leaves it before the next read. */
guint8  *umt_tunnel_session_get_frame_buffer (UmtTunnelSession *self);
/* Sends the frame at @frame, written at once if the proxy takes it and copied otherwise. */
void     umt_tunnel_session_send_frame_buffer (UmtTunnelSession *self,
                                               gsize             len,
                                               UmtTunnelStream  *origin);
/* @stream was given borrowed payloads: umt_tunnel_stream_flush_delivered() is due once
 * the frames of the current read are dispatched. */
void     umt_tunnel_session_flush_later      (UmtTunnelSession *self,
                                              UmtTunnelStream  *stream);
gboolean umt_tunnel_session_can_send         (UmtTunnelSession *self);
void     umt_tunnel_session_block_reading    (UmtTunnelSession *self);
void     umt_tunnel_session_unblock_reading  (UmtTunnelSession *self);
void     umt_tunnel_session_forget_stream    (UmtTunnelSession *self,
                                              UmtTunnelStream  *stream);
void     umt_tunnel_session_stream_finished  (UmtTunnelSession *self,
                                              UmtTunnelStream  *stream);
/* Bytes written to local services (@in) and read from them (@out). */
void     umt_tunnel_session_count_traffic    (UmtTunnelSession *self,
                                              guint64           in,
                                              guint64           out);
void     umt_tunnel_session_emit_stream_event (UmtTunnelSession *self,
                                               const char       *signal_name,
                                               guint32           id,
                                               guint16           port,
                                               guint64           bytes_in,
                                               guint64           bytes_out,
                                               const char       *reason);

G_END_DECLS
