/* test-secret-store.c: tokens in the real keyring, and a clear refusal without one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-secret-store"

#include "config.h"

#include <string.h>

#include "umt-config-error.h"
#include "umt-secret-store.h"

#define SERVER "https://meeting.example.org"
#define TOKEN  "s3cr3t-token-value-1234"

/* tools/test runs these in a private session with a throwaway unlocked
 * gnome-keyring. Without any session bus there is nothing to test against;
 * with one, a missing keyring is a failure. The items are removed again. */
static gboolean
have_test_keyring (void)
{
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("needs a session bus with a keyring (run through tools/test)");
      return FALSE;
    }
  return TRUE;
}

static void
test_sync_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  g_autofree char *other_server = NULL;
  g_autofree char *other_kind = NULL;
  g_autofree char *replaced = NULL;

  if (!have_test_keyring ())
    return;

  g_assert_true (umt_secret_store_store_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test-staging", SERVER, TOKEN, NULL, &error));
  g_assert_no_error (error);

  found = umt_secret_store_lookup_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test-staging", SERVER, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, TOKEN);

  /* Keyed by profile and server: another server or kind does not see it. */
  other_server = umt_secret_store_lookup_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test-staging",
                                               "https://other.example.org", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (other_server);
  other_kind = umt_secret_store_lookup_sync (UMT_SECRET_TUNNEL_TOKEN, "umt-test-staging", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (other_kind);

  /* Storing again replaces, not duplicates. */
  g_assert_true (umt_secret_store_store_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test-staging", SERVER, "new-token", NULL, &error));
  replaced = umt_secret_store_lookup_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test-staging", SERVER, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (replaced, ==, "new-token");

  g_assert_true (umt_secret_store_clear_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test-staging", SERVER, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&found, g_free);
  found = umt_secret_store_lookup_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test-staging", SERVER, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (found);

  /* Clearing what is not there is fine (unregister twice). */
  g_assert_true (umt_secret_store_clear_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test-staging", SERVER, NULL, &error));
  g_assert_no_error (error);
}

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static GAsyncResult *
wait_for (Wait *wait)
{
  g_main_loop_run (wait->loop);
  return wait->result;
}

static void
test_async_tunnel_token (void)
{
  Wait wait = { g_main_loop_new (NULL, FALSE), NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  const char *key = "0123456789ABCDEF0123456789ABCDEF";

  if (!have_test_keyring ())
    {
      g_main_loop_unref (wait.loop);
      return;
    }

  umt_secret_store_store_async (UMT_SECRET_TUNNEL_TOKEN, key, NULL, "ABC123", NULL, on_done, &wait);
  g_assert_true (umt_secret_store_store_finish (wait_for (&wait), &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  umt_secret_store_lookup_async (UMT_SECRET_TUNNEL_TOKEN, key, NULL, NULL, on_done, &wait);
  found = umt_secret_store_lookup_finish (wait_for (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "ABC123");
  g_clear_object (&wait.result);

  /* The sync and async faces see the same item. */
  g_clear_pointer (&found, g_free);
  found = umt_secret_store_lookup_sync (UMT_SECRET_TUNNEL_TOKEN, key, NULL, NULL, &error);
  g_assert_cmpstr (found, ==, "ABC123");

  umt_secret_store_clear_async (UMT_SECRET_TUNNEL_TOKEN, key, NULL, NULL, on_done, &wait);
  g_assert_true (umt_secret_store_clear_finish (wait_for (&wait), &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  umt_secret_store_lookup_async (UMT_SECRET_TUNNEL_TOKEN, key, NULL, NULL, on_done, &wait);
  g_clear_pointer (&found, g_free);
  found = umt_secret_store_lookup_finish (wait_for (&wait), &error);
  g_assert_no_error (error);
  g_assert_null (found);
  g_clear_object (&wait.result);

  g_main_loop_unref (wait.loop);
}

static void
test_tunnel_token_falls_back (void)
{
  Wait wait = { g_main_loop_new (NULL, FALSE), NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  const char *key = "FEDCBA9876543210FEDCBA9876543210";
  gboolean from_registration = FALSE;

  if (!have_test_keyring ())
    {
      g_main_loop_unref (wait.loop);
      return;
    }

  /* Registered: the tunnel uses the registration token. */
  g_assert_true (umt_secret_store_store_sync (UMT_SECRET_REGISTRATION_TOKEN, key, NULL, "C0FFEE",
                                              NULL, &error));
  found = umt_secret_store_lookup_tunnel_token_sync (key, &from_registration, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "C0FFEE");
  g_assert_true (from_registration);
  g_clear_pointer (&found, g_free);

  /* A token set for the tunnel wins, in the async face too. */
  g_assert_true (umt_secret_store_store_sync (UMT_SECRET_TUNNEL_TOKEN, key, NULL, "tunnel-secret",
                                              NULL, &error));
  umt_secret_store_lookup_tunnel_token_async (key, NULL, on_done, &wait);
  found = umt_secret_store_lookup_tunnel_token_finish (wait_for (&wait), &from_registration, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "tunnel-secret");
  g_assert_false (from_registration);
  g_clear_pointer (&found, g_free);
  g_clear_object (&wait.result);

  /* Cleared, the registration token is back. */
  g_assert_true (umt_secret_store_clear_sync (UMT_SECRET_TUNNEL_TOKEN, key, NULL, NULL, &error));
  found = umt_secret_store_lookup_tunnel_token_sync (key, &from_registration, NULL, &error);
  g_assert_cmpstr (found, ==, "C0FFEE");
  g_assert_true (from_registration);
  g_clear_pointer (&found, g_free);

  /* Unregistering forgets both. */
  g_assert_true (umt_secret_store_store_sync (UMT_SECRET_TUNNEL_TOKEN, key, NULL, "tunnel-secret",
                                              NULL, &error));
  umt_secret_store_clear_device_tokens_async (key, NULL, on_done, &wait);
  g_assert_true (umt_secret_store_clear_device_tokens_finish (wait_for (&wait), &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  found = umt_secret_store_lookup_tunnel_token_sync (key, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (found);

  g_main_loop_unref (wait.loop);
}

static void
test_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  if (!have_test_keyring ())
    return;

  g_cancellable_cancel (cancellable);
  g_assert_false (umt_secret_store_store_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test-staging", SERVER, TOKEN,
                                               cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_missing_arguments (void)
{
  g_autoptr(GError) error = NULL;

  /* A profile token without its server would match any server's token. */
  g_assert_false (umt_secret_store_store_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test-staging", NULL, TOKEN, NULL, &error));
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT);
}

/* The child half of the "no Secret Service" tests: one store attempt, and
 * the message must say what to install, without the token in it. */
static void
assert_no_keyring_refusal (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;

  g_assert_false (umt_secret_store_store_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test-staging", SERVER, TOKEN, NULL, &error));
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_NO_KEYRING);
  g_assert_nonnull (strstr (error->message, "gnome-keyring"));
  g_assert_null (strstr (error->message, TOKEN));
  g_printerr ("%s\n", error->message);
  g_clear_error (&error);

  found = umt_secret_store_lookup_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test-staging", SERVER, NULL, &error);
  g_assert_null (found);
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_NO_KEYRING);
}

static void
test_no_bus (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *nowhere = g_build_filename (g_get_user_runtime_dir (), "no-bus-here", NULL);
      g_autofree char *address = g_strdup_printf ("unix:path=%s", nowhere);

      g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
      assert_no_keyring_refusal ();
      return;
    }

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*install and start gnome-keyring*");
}

static void
test_bus_without_secret_service (void)
{
  g_autofree char *daemon = NULL;

  if (g_test_subprocess ())
    {
      /* A private bus with no service files: nothing owns or can activate
       * org.freedesktop.secrets. */
      g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);

      g_test_dbus_up (bus);
      assert_no_keyring_refusal ();
      g_test_dbus_down (bus);
      return;
    }

  daemon = g_find_program_in_path ("dbus-daemon");
  if (daemon == NULL)
    {
      g_test_skip ("dbus-daemon is not installed");
      return;
    }
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*install and start gnome-keyring*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/secret-store/sync-round-trip", test_sync_round_trip);
  g_test_add_func ("/secret-store/async-tunnel-token", test_async_tunnel_token);
  g_test_add_func ("/secret-store/tunnel-token-falls-back", test_tunnel_token_falls_back);
  g_test_add_func ("/secret-store/cancelled", test_cancelled);
  g_test_add_func ("/secret-store/missing-arguments", test_missing_arguments);
  g_test_add_func ("/secret-store/no-bus", test_no_bus);
  g_test_add_func ("/secret-store/bus-without-secret-service", test_bus_without_secret_service);

  return g_test_run ();
}
