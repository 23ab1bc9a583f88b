#define G_LOG_DOMAIN "test-tunnel-frame"

#include "config.h"

#include <string.h>

#include "umt-tunnel-frame.h"

typedef struct {
  UmtTunnelFrameType type;
  guint32 id;
  GBytes *payload;
} Expected;

/* Feeds @data to a fresh decoder in chunks of @chunk bytes (0: all at once) and
 * collects the frames. Returns FALSE with @error on a protocol error. */
static gboolean
decode_all (const guint8  *data,
            gsize          len,
            gsize          chunk,
            GPtrArray     *frames,
            GError       **error)
{
  g_autoptr(UmtTunnelFrameDecoder) decoder = umt_tunnel_frame_decoder_new ();
  gsize offset = 0;

  while (offset < len)
    {
      gsize piece = chunk == 0 ? len - offset : MIN (chunk, len - offset);
      const guint8 *p = data + offset;
      gsize left = piece;

      for (;;)
        {
          UmtTunnelFrame frame = { 0, };
          UmtTunnelDecodeResult r = umt_tunnel_frame_decoder_feed (decoder, &p, &left, &frame, error);

          if (r == UMT_TUNNEL_DECODE_ERROR)
            return FALSE;
          if (r == UMT_TUNNEL_DECODE_NEED_MORE)
            {
              g_assert_cmpuint (left, ==, 0);
              break;
            }
          g_ptr_array_add (frames, g_memdup2 (&frame, sizeof frame));
        }
      offset += piece;
    }

  g_assert_true (umt_tunnel_frame_decoder_is_idle (decoder));
  return TRUE;
}

static void
frame_free (gpointer data)
{
  UmtTunnelFrame *frame = data;

  umt_tunnel_frame_clear (frame);
  g_free (frame);
}

static GByteArray *
concat (GBytes **parts,
        guint    n)
{
  GByteArray *all = g_byte_array_new ();

  for (guint i = 0; i < n; i++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (parts[i], &len);

      g_byte_array_append (all, data, len);
    }
  return all;
}

static void
test_encode_header (void)
{
  g_autoptr(GBytes) d = umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_DATA, 0x01020304, "hello", 5);
  g_autoptr(GBytes) c = umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_CLOSE, 7, NULL, 0);
  g_autoptr(GBytes) n = umt_tunnel_frame_encode_new (0xfffffffe, 5900);
  const guint8 d_expected[] = { 'D', 1, 2, 3, 4, 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o' };
  const guint8 c_expected[] = { 'C', 0, 0, 0, 7, 0, 0, 0, 0 };
  const guint8 n_expected[] = { 'N', 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 2, 5900 >> 8, 5900 & 0xff };
  gsize len;
  const guint8 *data;

  data = g_bytes_get_data (d, &len);
  g_assert_cmpmem (data, len, d_expected, sizeof d_expected);
  data = g_bytes_get_data (c, &len);
  g_assert_cmpmem (data, len, c_expected, sizeof c_expected);
  data = g_bytes_get_data (n, &len);
  g_assert_cmpmem (data, len, n_expected, sizeof n_expected);
}

/* Every frame type survives encode → decode, whether the bytes arrive all at once,
 * one by one, or in odd-sized pieces. */
static void
test_every_type_any_split (void)
{
  g_autoptr(GBytes) big_payload = NULL;
  GBytes *parts[5];
  g_autoptr(GByteArray) all = NULL;
  guint8 *big = g_malloc (100000);
  const gsize chunks[] = { 0, 1, 2, 7, 9, 10, 4096 };

  for (gsize i = 0; i < 100000; i++)
    big[i] = (guint8) (i * 31 + 7);
  big_payload = g_bytes_new_take (big, 100000);

  parts[0] = umt_tunnel_frame_encode_new (1, 22);
  parts[1] = umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_DATA, 1, "ping\n", 5);
  parts[2] = umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_DATA, 1, NULL, 0);
  parts[3] = umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_DATA, 42,
                                      g_bytes_get_data (big_payload, NULL), 100000);
  parts[4] = umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_CLOSE, 1, NULL, 0);
  all = concat (parts, G_N_ELEMENTS (parts));

  for (gsize c = 0; c < G_N_ELEMENTS (chunks); c++)
    {
      g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func (frame_free);
      g_autoptr(GError) error = NULL;
      UmtTunnelFrame *f;
      guint16 port = 0;

      g_test_message ("chunk size %" G_GSIZE_FORMAT, chunks[c]);
      g_assert_true (decode_all (all->data, all->len, chunks[c], frames, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (frames->len, ==, 5);

      f = frames->pdata[0];
      g_assert_cmpint (f->type, ==, UMT_TUNNEL_FRAME_NEW);
      g_assert_cmpuint (f->stream_id, ==, 1);
      g_assert_true (umt_tunnel_frame_parse_port (f, &port, &error));
      g_assert_cmpuint (port, ==, 22);

      f = frames->pdata[1];
      g_assert_cmpint (f->type, ==, UMT_TUNNEL_FRAME_DATA);
      g_assert_cmpmem (g_bytes_get_data (f->payload, NULL), g_bytes_get_size (f->payload),
                       "ping\n", 5);

      f = frames->pdata[2];
      g_assert_cmpint (f->type, ==, UMT_TUNNEL_FRAME_DATA);
      g_assert_cmpuint (g_bytes_get_size (f->payload), ==, 0);

      f = frames->pdata[3];
      g_assert_cmpuint (f->stream_id, ==, 42);
      g_assert_true (g_bytes_equal (f->payload, big_payload));

      f = frames->pdata[4];
      g_assert_cmpint (f->type, ==, UMT_TUNNEL_FRAME_CLOSE);
      g_assert_cmpuint (f->stream_id, ==, 1);
      g_assert_cmpuint (g_bytes_get_size (f->payload), ==, 0);
    }

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    g_bytes_unref (parts[i]);
}

static void
test_max_payload_accepted (void)
{
  g_autofree guint8 *payload = g_malloc0 (UMT_TUNNEL_FRAME_MAX_PAYLOAD);
  g_autoptr(GBytes) frame = umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_DATA, 3, payload,
                                                     UMT_TUNNEL_FRAME_MAX_PAYLOAD);
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func (frame_free);
  g_autoptr(GError) error = NULL;

  g_assert_true (decode_all (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), 65536,
                             frames, &error));
  g_assert_cmpuint (frames->len, ==, 1);
  g_assert_cmpuint (g_bytes_get_size (((UmtTunnelFrame *) frames->pdata[0])->payload), ==,
                    UMT_TUNNEL_FRAME_MAX_PAYLOAD);
}

/* An oversized length fails as soon as the header is complete: nothing is allocated
 * for it and no payload needs to arrive. */
static void
test_oversized (void)
{
  g_autoptr(UmtTunnelFrameDecoder) decoder = umt_tunnel_frame_decoder_new ();
  guint8 header[UMT_TUNNEL_FRAME_HEADER_SIZE];
  const guint8 *p = header;
  gsize len = sizeof header;
  UmtTunnelFrame frame = { 0, };
  g_autoptr(GError) error = NULL;

  umt_tunnel_frame_write_header (header, UMT_TUNNEL_FRAME_DATA, 1, UMT_TUNNEL_FRAME_MAX_PAYLOAD + 1);
  g_assert_cmpint (umt_tunnel_frame_decoder_feed (decoder, &p, &len, &frame, &error), ==,
                   UMT_TUNNEL_DECODE_ERROR);
  g_assert_error (error, UMT_TUNNEL_FRAME_ERROR, UMT_TUNNEL_FRAME_ERROR_TOO_LARGE);
  g_assert_null (frame.payload);

  /* The stream is broken for good: further input is refused too. */
  g_clear_error (&error);
  p = header;
  len = sizeof header;
  g_assert_cmpint (umt_tunnel_frame_decoder_feed (decoder, &p, &len, &frame, &error), ==,
                   UMT_TUNNEL_DECODE_ERROR);
  g_assert_nonnull (error);
}

static void
test_unknown_type (void)
{
  g_autoptr(UmtTunnelFrameDecoder) decoder = umt_tunnel_frame_decoder_new ();
  g_autoptr(GBytes) good = umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_DATA, 1, "x", 1);
  g_autoptr(GByteArray) input = g_byte_array_new ();
  const guint8 x = 'X';
  const guint8 *p;
  gsize len;
  UmtTunnelFrame frame = { 0, };
  g_autoptr(GError) error = NULL;

  g_byte_array_append (input, g_bytes_get_data (good, NULL), g_bytes_get_size (good));
  g_byte_array_append (input, &x, 1);
  p = input->data;
  len = input->len;

  g_assert_cmpint (umt_tunnel_frame_decoder_feed (decoder, &p, &len, &frame, &error), ==,
                   UMT_TUNNEL_DECODE_FRAME);
  umt_tunnel_frame_clear (&frame);
  /* The one byte of type is enough to know. */
  g_assert_cmpint (umt_tunnel_frame_decoder_feed (decoder, &p, &len, &frame, &error), ==,
                   UMT_TUNNEL_DECODE_ERROR);
  g_assert_error (error, UMT_TUNNEL_FRAME_ERROR, UMT_TUNNEL_FRAME_ERROR_UNKNOWN_TYPE);

  for (guint t = 0; t < 256; t++)
    g_assert_cmpint (umt_tunnel_frame_type_is_valid (t), ==, t == 'N' || t == 'D' || t == 'C');
}

static void
test_bad_new_payload (void)
{
  g_autoptr(GBytes) three = umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_NEW, 1, "abc", 3);
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func (frame_free);
  g_autoptr(GError) error = NULL;

  g_assert_false (decode_all (g_bytes_get_data (three, NULL), g_bytes_get_size (three), 0,
                              frames, &error));
  g_assert_error (error, UMT_TUNNEL_FRAME_ERROR, UMT_TUNNEL_FRAME_ERROR_BAD_PAYLOAD);
}

/* Random frame sequences, randomly split, decode to exactly what was encoded. */
static void
test_random_roundtrip (void)
{
  for (guint round = 0; round < 200; round++)
    {
      g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_autoptr(GPtrArray) ids = g_ptr_array_new ();
      g_autoptr(GByteArray) all = g_byte_array_new ();
      g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func (frame_free);
      g_autoptr(GError) error = NULL;
      guint n = g_test_rand_int_range (1, 20);

      for (guint i = 0; i < n; i++)
        {
          gsize len = g_test_rand_int_range (0, 3000);
          g_autofree guint8 *payload = g_malloc (len + 1);
          g_autoptr(GBytes) frame = NULL;
          guint32 id = g_test_rand_int ();

          for (gsize j = 0; j < len; j++)
            payload[j] = g_test_rand_int_range (0, 256);
          frame = umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_DATA, id, payload, len);
          g_byte_array_append (all, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
          g_ptr_array_add (sent, g_bytes_new (payload, len));
          g_ptr_array_add (ids, GUINT_TO_POINTER (id));
        }

      g_assert_true (decode_all (all->data, all->len, g_test_rand_int_range (1, 5000), frames,
                                 &error));
      g_assert_cmpuint (frames->len, ==, n);
      for (guint i = 0; i < n; i++)
        {
          UmtTunnelFrame *f = frames->pdata[i];

          g_assert_cmpuint (f->stream_id, ==, GPOINTER_TO_UINT (ids->pdata[i]));
          g_assert_true (g_bytes_equal (f->payload, sent->pdata[i]));
        }
    }
}

/* Whatever arrives, the decoder returns frames that respect the limits or an error, and
 * never crashes or reads out of bounds (run under valgrind/ASan to see the latter). */
static void
fuzz_one_input (const guint8 *data,
                gsize         size,
                gsize         chunk)
{
  g_autoptr(UmtTunnelFrameDecoder) decoder = umt_tunnel_frame_decoder_new ();
  gsize offset = 0;

  while (offset < size)
    {
      gsize piece = MIN (chunk, size - offset);
      const guint8 *p = data + offset;
      gsize left = piece;

      for (;;)
        {
          UmtTunnelFrame frame = { 0, };
          g_autoptr(GError) error = NULL;
          UmtTunnelDecodeResult r = umt_tunnel_frame_decoder_feed (decoder, &p, &left, &frame, &error);

          if (r == UMT_TUNNEL_DECODE_ERROR)
            {
              g_assert_nonnull (error);
              return;
            }
          if (r == UMT_TUNNEL_DECODE_NEED_MORE)
            break;

          g_assert_true (umt_tunnel_frame_type_is_valid (frame.type));
          g_assert_cmpuint (g_bytes_get_size (frame.payload), <=, UMT_TUNNEL_FRAME_MAX_PAYLOAD);
          umt_tunnel_frame_clear (&frame);
        }
      offset += piece;
    }
}

static void
test_random_input (void)
{
  for (guint round = 0; round < 3000; round++)
    {
      gsize size = g_test_rand_int_range (0, 512);
      g_autofree guint8 *data = g_malloc (size + 1);

      /* Mostly valid type bytes and small lengths, so that the fuzzing goes deep. */
      for (gsize i = 0; i < size; i++)
        {
          guint32 r = g_test_rand_int ();

          data[i] = (r & 0x300) == 0 ? "NDC"[r % 3] : (r & 0x3000) == 0 ? 0 : (guint8) r;
        }
      fuzz_one_input (data, size, g_test_rand_int_range (1, 64));
    }
}

/* A payload whole in the input is handed out in place; one split across inputs is
 * assembled into memory of its own. Either way the bytes are those sent. */
static void
test_borrowing (void)
{
  g_autoptr(UmtTunnelFrameDecoder) decoder = umt_tunnel_frame_decoder_new ();
  g_autoptr(GBytes) first = umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_DATA, 7, "whole", 5);
  g_autoptr(GBytes) second = umt_tunnel_frame_encode (UMT_TUNNEL_FRAME_DATA, 8, "split", 5);
  g_autoptr(GByteArray) input = concat ((GBytes *[]) { first, second }, 2);
  g_auto(UmtTunnelFrame) whole = { 0, };
  g_auto(UmtTunnelFrame) split = { 0, };
  g_autoptr(GError) error = NULL;
  const guint8 *p = input->data;
  gsize left = input->len - 2;
  const guint8 *payload;
  gsize len;

  g_assert_cmpint (umt_tunnel_frame_decoder_feed_borrowing (decoder, &p, &left, &whole, &error),
                   ==, UMT_TUNNEL_DECODE_FRAME);
  g_assert_no_error (error);
  g_assert_true (whole.borrowed);
  g_assert_cmpuint (whole.stream_id, ==, 7);
  payload = g_bytes_get_data (whole.payload, &len);
  g_assert_true (payload == input->data + UMT_TUNNEL_FRAME_HEADER_SIZE);
  g_assert_cmpmem (payload, len, "whole", 5);

  g_assert_cmpint (umt_tunnel_frame_decoder_feed_borrowing (decoder, &p, &left, &split, &error),
                   ==, UMT_TUNNEL_DECODE_NEED_MORE);
  left = 2;
  g_assert_cmpint (umt_tunnel_frame_decoder_feed_borrowing (decoder, &p, &left, &split, &error),
                   ==, UMT_TUNNEL_DECODE_FRAME);
  g_assert_no_error (error);
  g_assert_false (split.borrowed);
  g_assert_cmpuint (split.stream_id, ==, 8);
  payload = g_bytes_get_data (split.payload, &len);
  g_assert_cmpmem (payload, len, "split", 5);
  g_assert_true (umt_tunnel_frame_decoder_is_idle (decoder));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tunnel-frame/encode-header", test_encode_header);
  g_test_add_func ("/tunnel-frame/every-type-any-split", test_every_type_any_split);
  g_test_add_func ("/tunnel-frame/max-payload-accepted", test_max_payload_accepted);
  g_test_add_func ("/tunnel-frame/oversized", test_oversized);
  g_test_add_func ("/tunnel-frame/unknown-type", test_unknown_type);
  g_test_add_func ("/tunnel-frame/bad-new-payload", test_bad_new_payload);
  g_test_add_func ("/tunnel-frame/random-roundtrip", test_random_roundtrip);
  g_test_add_func ("/tunnel-frame/random-input", test_random_input);
  g_test_add_func ("/tunnel-frame/borrowing", test_borrowing);

  return g_test_run ();
}
