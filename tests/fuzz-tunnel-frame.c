#define G_LOG_DOMAIN "fuzz-tunnel-frame"

#include "config.h"

#include "umt-tunnel-frame.h"

/* libFuzzer entry point for the frame decoder (built with clang only, see meson.build):
 * the first input byte picks the chunk size, so that splits land anywhere. Whatever the
 * input, the decoder yields frames within the limits or an error, and stays in error. */

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(UmtTunnelFrameDecoder) decoder = umt_tunnel_frame_decoder_new ();
  gsize chunk;
  gboolean failed = FALSE;

  if (size == 0)
    return 0;
  chunk = 1 + data[0] % 32;
  data++;
  size--;

  while (size > 0)
    {
      gsize piece = MIN (chunk, size);
      const guint8 *p = data;
      gsize left = piece;

      for (;;)
        {
          UmtTunnelFrame frame = { 0, };
          g_autoptr(GError) error = NULL;
          UmtTunnelDecodeResult r = umt_tunnel_frame_decoder_feed (decoder, &p, &left, &frame, &error);

          if (r == UMT_TUNNEL_DECODE_ERROR)
            {
              g_assert (error != NULL);
              failed = TRUE;
              break;
            }
          g_assert (!failed);
          if (r == UMT_TUNNEL_DECODE_NEED_MORE)
            {
              g_assert (left == 0);
              break;
            }
          g_assert (umt_tunnel_frame_type_is_valid (frame.type));
          g_assert (g_bytes_get_size (frame.payload) <= UMT_TUNNEL_FRAME_MAX_PAYLOAD);
          umt_tunnel_frame_clear (&frame);
        }
      data += piece;
      size -= piece;
    }

  return 0;
}
