/* test-log.c: the application log keeps no secret and stays bounded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-test-log"

#include "config.h"

#include <sys/stat.h>

#include <glib/gstdio.h>

#include "umt-log.h"

static char *log_dir;

/* The writer can be installed once per process: each test that writes the
 * log runs in a subprocess of its own, with a fresh log directory. */
static gboolean
in_log_subprocess (void)
{
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return FALSE;
    }

  log_dir = g_build_filename (g_get_user_state_dir (), "logs", NULL);
  umt_log_init (log_dir, UMT_LOG_FLAGS_NONE);
  return TRUE;
}

static char *
read_log (void)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (umt_log_get_path (), &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
test_redact_patterns (void)
{
  static const struct {
    const char *text;
    const char *secret;
  } cases[] = {
    { "GET /api/builder/x\r\nAuthorization: Bearer s3cr3t-value\r\n", "s3cr3t-value" },
    { "sending header authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz" },
    { "token Bearer abc.DEF-123_x", "abc.DEF-123_x" },
    { "body {\"token_code\":\"C0FFEE\",\"note\":\"hi\"}", "C0FFEE" },
    { "body {\"token_code\" : \"BEEF42\"}", "BEEF42" },
    { "handshake {\"token\":\"tun-secret\",\"name\":\"dev\"}", "tun-secret" },
    { "GET /x?device_key=A&token_code=FACE12&y=1", "FACE12" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *redacted = umt_log_redact (cases[i].text);

      g_test_message ("%s → %s", cases[i].text, redacted);
      g_assert_null (strstr (redacted, cases[i].secret));
      g_assert_nonnull (strstr (redacted, "[redacted]"));
    }
}

static void
test_redact_keeps_ordinary_text (void)
{
  const char *text = "Heartbeat sent for device 0123456789ABCDEF0123456789ABCDEF: 200 OK";
  g_autofree char *redacted = umt_log_redact (text);

  g_assert_cmpstr (redacted, ==, text);
}

static void
test_known_secret_never_written (void)
{
  g_autofree char *contents = NULL;
  struct stat st;

  if (!in_log_subprocess ())
    return;

  umt_log_add_secret ("A1B2C3");
  umt_log_add_secret ("profile-token-xyz");

  g_message ("Registering with token A1B2C3 for device dev-1");
  g_info ("Profile token is profile-token-xyz, do not print it");

  contents = read_log ();
  g_assert_nonnull (strstr (contents, "Registering with token [redacted] for device dev-1"));
  g_assert_null (strstr (contents, "A1B2C3"));
  g_assert_null (strstr (contents, "profile-token-xyz"));
  g_assert_nonnull (strstr (contents, " INFO [umt-test-log] "));

  g_assert_cmpint (g_stat (umt_log_get_path (), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (log_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
}

static void
test_debug_left_out_unless_asked (void)
{
  g_autofree char *contents = NULL;

  if (!in_log_subprocess ())
    return;

  g_debug ("a debug record that must not reach the file");
  contents = read_log ();
  g_assert_null (strstr (contents, "a debug record that must not reach the file"));
}

static void
test_rotation_keeps_five_files (void)
{
  g_autofree char *line = g_strnfill (1000, 'x');
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint files = 0;

  if (!in_log_subprocess ())
    return;

  /* Six mebibytes: enough to rotate past the oldest file twice. */
  for (guint i = 0; i < 6 * 1024; i++)
    g_info ("%u %s", i, line);

  dir = g_dir_open (log_dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (log_dir, name, NULL);
      struct stat st;

      g_assert_true (g_str_has_prefix (name, "app.log"));
      g_assert_cmpint (g_stat (path, &st), ==, 0);
      g_assert_cmpint (st.st_size, <=, UMT_LOG_MAX_SIZE);
      if (!g_str_equal (name, "app.log"))
        g_assert_cmpint (st.st_size, >, UMT_LOG_MAX_SIZE - 2048);
      files++;
    }
  g_assert_cmpuint (files, ==, UMT_LOG_MAX_FILES);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/log/redact/patterns", test_redact_patterns);
  g_test_add_func ("/log/redact/ordinary-text", test_redact_keeps_ordinary_text);
  g_test_add_func ("/log/file/known-secret", test_known_secret_never_written);
  g_test_add_func ("/log/file/debug", test_debug_left_out_unless_asked);
  g_test_add_func ("/log/file/rotation", test_rotation_keeps_five_files);

  return g_test_run ();
}
