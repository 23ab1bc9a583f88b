/* test-validate.c: every value a user types or the tool sends is checked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-validate"

#include "config.h"

#include <string.h>

#include "umt-config-error.h"
#include "umt-validate.h"

typedef struct
{
  const char *value;
  gboolean    valid;
} Case;

typedef gboolean (*CheckFunc) (const char *, GError **);

static void
run_table (CheckFunc   check,
           const Case *cases,
           gsize       n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = check (cases[i].value, &error);

      if (ok != cases[i].valid)
        g_error ("“%s”: expected %s", cases[i].value, cases[i].valid ? "valid" : "invalid");
      if (ok)
        g_assert_no_error (error);
      else
        {
          /* One sentence a user can act on: ends with a full stop. */
          g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT);
          g_assert_true (g_str_has_suffix (error->message, "."));
        }
    }
}

static void
test_device_key (void)
{
  g_autofree char *longest = g_strnfill (128, 'A');
  g_autofree char *too_long = g_strnfill (129, 'A');
  const Case cases[] = {
    { "0123456789ABCDEF0123456789ABCDEF", TRUE },
    { "device-abc12345", TRUE },
    { "a", TRUE },
    { "a.b_c-D9", TRUE },
    { longest, TRUE },
    { too_long, FALSE },
    { "", FALSE },
    { NULL, FALSE },
    { "has space", FALSE },
    { "slash/../x", FALSE },
    { "key%2F", FALSE },
    { "clé", FALSE },
    { "key\n", FALSE },
  };

  run_table (umt_validate_device_key, cases, G_N_ELEMENTS (cases));
}

static void
test_token_code (void)
{
  const struct { const char *value; const char *expected; } cases[] = {
    { "ABC123", "ABC123" },
    { "abc123", "ABC123" },
    { "0fFf0a", "0FFF0A" },
    { "ABC12", NULL },
    { "ABC1234", NULL },
    { "ABCXYZ", NULL },
    { " ABC12", NULL },
    { "ABC123 ", NULL },
    { "", NULL },
    { NULL, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *code = umt_validate_token_code (cases[i].value, &error);

      g_assert_cmpstr (code, ==, cases[i].expected);
      if (cases[i].expected == NULL)
        {
          g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT);
          g_assert_nonnull (strstr (error->message, "6 hexadecimal"));
        }
    }
}

static void
test_server_url (void)
{
  const struct { const char *url; gboolean insecure_ok; gboolean valid; } cases[] = {
    { "https://meeting.ygsoft.fr", FALSE, TRUE },
    { "https://meeting.ygsoft.fr/", FALSE, TRUE },
    { "https://meeting.example.org:8443/prefix", FALSE, TRUE },
    { "HTTPS://Meeting.Example.org", FALSE, TRUE },
    { "http://127.0.0.1:41234", FALSE, TRUE },
    { "http://127.1.2.3", FALSE, TRUE },
    { "http://localhost:8080", FALSE, TRUE },
    { "http://[::1]:8080", FALSE, TRUE },
    { "http://meeting.example.org", FALSE, FALSE },
    { "http://meeting.example.org", TRUE, TRUE },
    { "http://192.168.1.10", FALSE, FALSE },
    { "ftp://meeting.example.org", FALSE, FALSE },
    { "meeting.example.org", FALSE, FALSE },
    { "https://", FALSE, FALSE },
    { "https:///path", FALSE, FALSE },
    { "https://user:secret@meeting.example.org", FALSE, FALSE },
    { "https://user@meeting.example.org", FALSE, FALSE },
    { "https://meeting.example.org/?x=1", FALSE, FALSE },
    { "https://meeting.example.org/#frag", FALSE, FALSE },
    { "https://meet ing.example.org", FALSE, FALSE },
    { "", FALSE, FALSE },
    { NULL, FALSE, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = umt_validate_server_url (cases[i].url, cases[i].insecure_ok, &error);

      if (ok != cases[i].valid)
        g_error ("“%s”: expected %s", cases[i].url, cases[i].valid ? "valid" : "invalid");
      if (!ok)
        g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT);
    }
}

static void
test_server_url_messages (void)
{
  g_autoptr(GError) error = NULL;

  /* The message tells what to do, not only what is wrong. */
  g_assert_false (umt_validate_server_url ("http://meeting.example.org", FALSE, &error));
  g_assert_nonnull (strstr (error->message, "https://meeting.example.org"));
  g_clear_error (&error);

  /* A password in the URL must not be echoed back into logs. */
  g_assert_false (umt_validate_server_url ("https://user:hunter2@meeting.example.org", FALSE, &error));
  g_assert_null (strstr (error->message, "hunter2"));
}

static void
test_ip_address (void)
{
  const Case cases[] = {
    { "192.168.1.10", TRUE },
    { "10.0.0.1", TRUE },
    { "203.0.113.7", TRUE },
    { "::1", TRUE },
    { "2001:db8::1", TRUE },
    { "fe80::1", TRUE },
    { "::ffff:192.0.2.1", TRUE },
    { "fe80::1%eth0", FALSE },
    { "256.1.1.1", FALSE },
    { "1.2.3", FALSE },
    { "1.2.3.4.5", FALSE },
    { "010.0.0.1", FALSE },
    { "example.org", FALSE },
    { "1.2.3.4 ", FALSE },
    { "", FALSE },
    { NULL, FALSE },
  };

  run_table (umt_validate_ip_address, cases, G_N_ELEMENTS (cases));
}

static void
test_mac (void)
{
  const Case cases[] = {
    { "AA:BB:CC:DD:EE:FF", TRUE },
    { "aa:bb:cc:dd:ee:0f", TRUE },
    { "00:11:22:33:44:55", TRUE },
    { "AA-BB-CC-DD-EE-FF", FALSE },
    { "AABBCCDDEEFF", FALSE },
    { "AA:BB:CC:DD:EE", FALSE },
    { "AA:BB:CC:DD:EE:FF:00", FALSE },
    { "GG:BB:CC:DD:EE:FF", FALSE },
    { "A:BB:CC:DD:EE:FFF", FALSE },
    { "", FALSE },
    { NULL, FALSE },
  };

  run_table (umt_validate_mac, cases, G_N_ELEMENTS (cases));
}

static void
test_note (void)
{
  g_autofree char *longest = g_strnfill (2000, 'n');
  g_autofree char *too_long = g_strnfill (2001, 'n');
  g_autoptr(GString) accents = g_string_new (NULL);
  const Case *cases;

  /* 2000 characters, not bytes: "é" is two bytes. */
  for (int i = 0; i < 2000; i++)
    g_string_append (accents, "é");

  cases = (const Case[]) {
    { "Updates Manager Tool", TRUE },
    { "", TRUE },
    { longest, TRUE },
    { accents->str, TRUE },
    { too_long, FALSE },
    { "\xff\xfe", FALSE },
    { NULL, FALSE },
  };
  run_table (umt_validate_note, cases, 7);
}

static void
test_profile_name_and_interval (void)
{
  const Case names[] = {
    { "production", TRUE },
    { "staging-2", TRUE },
    { "", FALSE },
    { "my profile", FALSE },
    { "../etc", FALSE },
  };
  g_autoptr(GError) error = NULL;

  run_table (umt_validate_profile_name, names, G_N_ELEMENTS (names));

  g_assert_true (umt_validate_heartbeat_interval (15, NULL));
  g_assert_true (umt_validate_heartbeat_interval (60, NULL));
  g_assert_true (umt_validate_heartbeat_interval (3600, NULL));
  g_assert_false (umt_validate_heartbeat_interval (14, &error));
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "between 15 and 3600"));
  g_assert_false (umt_validate_heartbeat_interval (3601, NULL));
  g_assert_false (umt_validate_heartbeat_interval (-60, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/validate/device-key", test_device_key);
  g_test_add_func ("/validate/token-code", test_token_code);
  g_test_add_func ("/validate/server-url", test_server_url);
  g_test_add_func ("/validate/server-url-messages", test_server_url_messages);
  g_test_add_func ("/validate/ip-address", test_ip_address);
  g_test_add_func ("/validate/mac", test_mac);
  g_test_add_func ("/validate/note", test_note);
  g_test_add_func ("/validate/profile-name-and-interval", test_profile_name_and_interval);

  return g_test_run ();
}
