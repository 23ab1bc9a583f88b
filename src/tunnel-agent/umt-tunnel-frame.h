/* umt-tunnel-frame.h: the agent ↔ proxy frame codec (pure, no I/O)
 *
 * A frame is 1 byte type, uint32 big-endian stream id, uint32 big-endian payload
 * length, then the payload. Both the agent and the simulator's proxy use this module.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define UMT_TUNNEL_FRAME_HEADER_SIZE 9
#define UMT_TUNNEL_FRAME_MAX_PAYLOAD (1024 * 1024)

typedef enum {
  UMT_TUNNEL_FRAME_NEW   = 'N', /* proxy → agent; payload: uint16 big-endian local port */
  UMT_TUNNEL_FRAME_DATA  = 'D', /* either way */
  UMT_TUNNEL_FRAME_CLOSE = 'C', /* either way; empty payload */
} UmtTunnelFrameType;

#define UMT_TUNNEL_FRAME_ERROR (umt_tunnel_frame_error_quark ())

typedef enum {
  UMT_TUNNEL_FRAME_ERROR_UNKNOWN_TYPE,
  UMT_TUNNEL_FRAME_ERROR_TOO_LARGE,
  UMT_TUNNEL_FRAME_ERROR_BAD_PAYLOAD,
} UmtTunnelFrameError;

GQuark umt_tunnel_frame_error_quark (void);

typedef struct {
  UmtTunnelFrameType type;
  guint32 stream_id;
  GBytes *payload; /* owned; never NULL for a decoded frame (may be empty) */
  gboolean borrowed; /* payload points into the input (umt_tunnel_frame_decoder_feed_borrowing) */
} UmtTunnelFrame;

void umt_tunnel_frame_clear (UmtTunnelFrame *frame);

gboolean umt_tunnel_frame_type_is_valid (guint8 type);

/* Writes the 9 header bytes to @out. */
void umt_tunnel_frame_write_header (guint8             *out,
                                    UmtTunnelFrameType  type,
                                    guint32             stream_id,
                                    guint32             payload_len);

/* Header and payload in one buffer, so that a frame goes out in one write. */
GBytes *umt_tunnel_frame_encode (UmtTunnelFrameType  type,
                                 guint32             stream_id,
                                 const void         *payload,
                                 gsize               payload_len);

GBytes *umt_tunnel_frame_encode_new (guint32 stream_id,
                                     guint16 port);

/* The port carried by an N frame's payload. */
gboolean umt_tunnel_frame_parse_port (const UmtTunnelFrame  *frame,
                                      guint16               *port,
                                      GError               **error);

typedef enum {
  UMT_TUNNEL_DECODE_NEED_MORE, /* all input consumed, no complete frame yet */
  UMT_TUNNEL_DECODE_FRAME,     /* *frame filled; call again with the rest of the input */
  UMT_TUNNEL_DECODE_ERROR,     /* protocol error; the decoder stays in error */
} UmtTunnelDecodeResult;

typedef struct _UmtTunnelFrameDecoder UmtTunnelFrameDecoder;

UmtTunnelFrameDecoder *umt_tunnel_frame_decoder_new  (void);
void                   umt_tunnel_frame_decoder_free (UmtTunnelFrameDecoder *self);

/* Consumes bytes from *@data (advancing *@data and decreasing *@len) until one frame is
 * complete or the input runs out. Input may be split anywhere. Its memory is bounded by
 * one header and one payload of at most UMT_TUNNEL_FRAME_MAX_PAYLOAD. */
UmtTunnelDecodeResult umt_tunnel_frame_decoder_feed (UmtTunnelFrameDecoder  *self,
                                                     const guint8          **data,
                                                     gsize                  *len,
                                                     UmtTunnelFrame         *frame,
                                                     GError                **error);

/* The same, except that a payload found whole in the input is not copied: it points
 * into *@data, and lives only as long as that memory. */
UmtTunnelDecodeResult umt_tunnel_frame_decoder_feed_borrowing (UmtTunnelFrameDecoder  *self,
                                                               const guint8          **data,
                                                               gsize                  *len,
                                                               UmtTunnelFrame         *frame,
                                                               GError                **error);

/* TRUE when no partial frame is buffered. */
gboolean umt_tunnel_frame_decoder_is_idle (UmtTunnelFrameDecoder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UmtTunnelFrameDecoder, umt_tunnel_frame_decoder_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (UmtTunnelFrame, umt_tunnel_frame_clear)

G_END_DECLS
