#define G_LOG_DOMAIN "umt-tunnel-frame"

#include "config.h"

#include <string.h>

#include "umt-tunnel-frame.h"

G_DEFINE_QUARK (umt-tunnel-frame-error-quark, umt_tunnel_frame_error)

struct _UmtTunnelFrameDecoder {
  guint8 header[UMT_TUNNEL_FRAME_HEADER_SIZE];
  gsize header_have;

  /* Allocated once the header is complete, to exactly the announced length. */
  guint8 *payload;
  gsize payload_len;
  gsize payload_have;

  gboolean failed;
};

void
umt_tunnel_frame_clear (UmtTunnelFrame *frame)
{
  g_clear_pointer (&frame->payload, g_bytes_unref);
  frame->stream_id = 0;
  frame->type = 0;
  frame->borrowed = FALSE;
}

gboolean
umt_tunnel_frame_type_is_valid (guint8 type)
{
  return type == UMT_TUNNEL_FRAME_NEW ||
         type == UMT_TUNNEL_FRAME_DATA ||
         type == UMT_TUNNEL_FRAME_CLOSE;
}

static void
put_be32 (guint8  *out,
          guint32  value)
{
  out[0] = (value >> 24) & 0xff;
  out[1] = (value >> 16) & 0xff;
  out[2] = (value >> 8) & 0xff;
  out[3] = value & 0xff;
}

static guint32
get_be32 (const guint8 *in)
{
  return ((guint32) in[0] << 24) | ((guint32) in[1] << 16) | ((guint32) in[2] << 8) | in[3];
}

void
umt_tunnel_frame_write_header (guint8             *out,
                               UmtTunnelFrameType  type,
                               guint32             stream_id,
                               guint32             payload_len)
{
  out[0] = (guint8) type;
  put_be32 (out + 1, stream_id);
  put_be32 (out + 5, payload_len);
}

GBytes *
umt_tunnel_frame_encode (UmtTunnelFrameType  type,
                         guint32             stream_id,
                         const void         *payload,
                         gsize               payload_len)
{
  guint8 *buf;

  g_return_val_if_fail (umt_tunnel_frame_type_is_valid (type), NULL);
  g_return_val_if_fail (payload_len <= UMT_TUNNEL_FRAME_MAX_PAYLOAD, NULL);
  g_return_val_if_fail (payload != NULL || payload_len == 0, NULL);

  buf = g_malloc (UMT_TUNNEL_FRAME_HEADER_SIZE + payload_len);
  umt_tunnel_frame_write_header (buf, type, stream_id, (guint32) payload_len);
  if (payload_len > 0)
    memcpy (buf + UMT_TUNNEL_FRAME_HEADER_SIZE, payload, payload_len);

  return g_bytes_new_take (buf, UMT_TUNNEL_FRAME_HEADER_SIZE + payload_len);
}

GBytes *
umt_tunnel_frame_encode_new (guint32 stream_id,
                             guint16 port)
{
  guint8 payload[2] = { port >> 8, port & 0xff };

  return umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_NEW, stream_id, payload, sizeof payload);
}

gboolean
umt_tunnel_frame_parse_port (const UmtTunnelFrame  *frame,
                             guint16               *port,
                             GError               **error)
{
  const guint8 *data;
  gsize len = 0;

  data = frame->payload != NULL ? g_bytes_get_data (frame->payload, &len) : NULL;
  if (frame->type != UMT_TUNNEL_FRAME_NEW || len != 2)
    {
      g_set_error (error, UMT_TUNNEL_FRAME_ERROR, UMT_TUNNEL_FRAME_ERROR_BAD_PAYLOAD,
                   "A new-stream frame must carry a 2-byte port");
      return FALSE;
    }

  *port = (guint16) ((data[0] << 8) | data[1]);
  return TRUE;
}

UmtTunnelFrameDecoder *
umt_tunnel_frame_decoder_new (void)
{
  return g_new0 (UmtTunnelFrameDecoder, 1);
}

void
umt_tunnel_frame_decoder_free (UmtTunnelFrameDecoder *self)
{
  if (self == NULL)
    return;

  g_free (self->payload);
  g_free (self);
}

gboolean
umt_tunnel_frame_decoder_is_idle (UmtTunnelFrameDecoder *self)
{
  return self->header_have == 0;
}

/* Checks a complete header (its type is already known valid) before any payload is
 * buffered, so that a bogus length never makes us allocate. */
static gboolean
check_header (UmtTunnelFrameDecoder  *self,
              GError                **error)
{
  guint8 type = self->header[0];
  guint32 len = get_be32 (self->header + 5);

  if (len > UMT_TUNNEL_FRAME_MAX_PAYLOAD)
    {
      g_set_error (error, UMT_TUNNEL_FRAME_ERROR, UMT_TUNNEL_FRAME_ERROR_TOO_LARGE,
                   "Frame payload of %u bytes exceeds the %u-byte limit",
                   len, (guint) UMT_TUNNEL_FRAME_MAX_PAYLOAD);
      return FALSE;
    }

  if (type == UMT_TUNNEL_FRAME_NEW && len != 2)
    {
      g_set_error (error, UMT_TUNNEL_FRAME_ERROR, UMT_TUNNEL_FRAME_ERROR_BAD_PAYLOAD,
                   "A new-stream frame must carry a 2-byte port, not %u bytes", len);
      return FALSE;
    }

  return TRUE;
}

static void
emit_frame (UmtTunnelFrameDecoder *self,
            UmtTunnelFrame        *frame)
{
  frame->type = self->header[0];
  frame->stream_id = get_be32 (self->header + 1);
  if (self->payload_len > 0)
    frame->payload = g_bytes_new_take (g_steal_pointer (&self->payload), self->payload_len);
  else
    frame->payload = g_bytes_new_static ("", 0);

  self->header_have = 0;
  self->payload_len = 0;
  self->payload_have = 0;
}

static UmtTunnelDecodeResult
decoder_feed (UmtTunnelFrameDecoder  *self,
              const guint8          **data,
              gsize                  *len,
              gboolean                borrow,
              UmtTunnelFrame         *frame,
              GError                **error)
{
  g_return_val_if_fail (self != NULL, UMT_TUNNEL_DECODE_ERROR);
  g_return_val_if_fail (data != NULL && len != NULL, UMT_TUNNEL_DECODE_ERROR);
  g_return_val_if_fail (*data != NULL || *len == 0, UMT_TUNNEL_DECODE_ERROR);
  g_return_val_if_fail (frame != NULL && frame->payload == NULL, UMT_TUNNEL_DECODE_ERROR);

  if (self->failed)
    {
      g_set_error (error, UMT_TUNNEL_FRAME_ERROR, UMT_TUNNEL_FRAME_ERROR_BAD_PAYLOAD,
                   "The frame stream is already broken");
      return UMT_TUNNEL_DECODE_ERROR;
    }

  if (self->header_have < UMT_TUNNEL_FRAME_HEADER_SIZE)
    {
      gsize take = MIN (*len, UMT_TUNNEL_FRAME_HEADER_SIZE - self->header_have);

      if (take > 0)
        memcpy (self->header + self->header_have, *data, take);
      self->header_have += take;
      *data += take;
      *len -= take;

      /* An unknown type is known from the first byte: fail without waiting for more. */
      if (self->header_have >= 1 && !umt_tunnel_frame_type_is_valid (self->header[0]))
        {
          self->failed = TRUE;
          g_set_error (error, UMT_TUNNEL_FRAME_ERROR, UMT_TUNNEL_FRAME_ERROR_UNKNOWN_TYPE,
                       "Unknown frame type 0x%02x", self->header[0]);
          return UMT_TUNNEL_DECODE_ERROR;
        }

      if (self->header_have < UMT_TUNNEL_FRAME_HEADER_SIZE)
        return UMT_TUNNEL_DECODE_NEED_MORE;

      if (!check_header (self, error))
        {
          self->failed = TRUE;
          return UMT_TUNNEL_DECODE_ERROR;
        }

      self->payload_len = get_be32 (self->header + 5);
      self->payload_have = 0;
      if (borrow && self->payload_len > 0 && *len >= self->payload_len)
        {
          frame->type = self->header[0];
          frame->stream_id = get_be32 (self->header + 1);
          frame->payload = g_bytes_new_static (*data, self->payload_len);
          frame->borrowed = TRUE;
          *data += self->payload_len;
          *len -= self->payload_len;
          self->header_have = 0;
          self->payload_len = 0;
          return UMT_TUNNEL_DECODE_FRAME;
        }
      if (self->payload_len > 0)
        self->payload = g_malloc (self->payload_len);
    }

  if (self->payload_have < self->payload_len)
    {
      gsize take = MIN (*len, self->payload_len - self->payload_have);

      if (take > 0)
        memcpy (self->payload + self->payload_have, *data, take);
      self->payload_have += take;
      *data += take;
      *len -= take;

      if (self->payload_have < self->payload_len)
        return UMT_TUNNEL_DECODE_NEED_MORE;
    }

  emit_frame (self, frame);
  return UMT_TUNNEL_DECODE_FRAME;
}

UmtTunnelDecodeResult
umt_tunnel_frame_decoder_feed (UmtTunnelFrameDecoder  *self,
                               const guint8          **data,
                               gsize                  *len,
                               UmtTunnelFrame         *frame,
                               GError                **error)
{
  return decoder_feed (self, data, len, FALSE, frame, error);
}

UmtTunnelDecodeResult
umt_tunnel_frame_decoder_feed_borrowing (UmtTunnelFrameDecoder  *self,
                                         const guint8          **data,
                                         gsize                  *len,
                                         UmtTunnelFrame         *frame,
                                         GError                **error)
{
  return decoder_feed (self, data, len, TRUE, frame, error);
}
