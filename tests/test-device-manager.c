/* test-device-manager.c: registering and unregistering a device, end to end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-test-device-manager"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "umt-config-error.h"
#include "umt-device-manager.h"
#include "umt-paths.h"
#include "umt-secret-store.h"
#include "umt-test-sim.h"
#include "umt-test-util.h"

typedef struct
{
  UmtTestSim       *sim;
  char             *device_key;
  char             *token_code;
  UmtDeviceManager *manager;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) requests = NULL;

  fixture->sim = umt_test_sim_start (NULL, NULL);
  fixture->device_key = umt_test_sim_create_device (fixture->sim, NULL, &fixture->token_code);
  g_setenv ("MEETING_SERVER_URL", fixture->sim->url, TRUE);

  fixture->manager = umt_device_manager_new (&error);
  g_assert_no_error (error);
  /* No public IP lookup: there is no internet here. */
  umt_profile_set_public_ip_lookup (umt_device_manager_get_profile (fixture->manager), FALSE);

  /* Count from here: creating the device was the administrator's doing. */
  requests = umt_test_sim_request (fixture->sim, "DELETE", "/__sim/requests", NULL, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->manager);
  g_clear_pointer (&fixture->device_key, g_free);
  g_clear_pointer (&fixture->token_code, g_free);
  g_clear_pointer (&fixture->sim, umt_test_sim_free);
  g_unsetenv ("MEETING_SERVER_URL");
}

static guint
sim_request_count (Fixture *fixture)
{
  g_autoptr(JsonNode) node = umt_test_sim_request (fixture->sim, "GET", "/__sim/requests", NULL, NULL);

  return json_array_get_length (json_object_get_array_member (json_node_get_object (node),
                                                              "requests"));
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
test_register_and_unregister (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) unregistered = NULL;
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  g_autoptr(JsonObject) device = NULL;
  g_autoptr(UmtDeviceState) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lowercase = g_ascii_strdown (fixture->token_code, -1);
  g_autofree char *tunnel_token = NULL;
  gboolean from_registration = FALSE;

  g_assert_false (umt_device_manager_get_registered (fixture->manager));
  g_assert_true (umt_device_manager_get_server_url_overridden (fixture->manager));
  g_assert_cmpstr (umt_device_manager_get_server_url (fixture->manager), ==, fixture->sim->url);

  /* The token as a person may type it: lower case. */
  umt_device_manager_register_async (fixture->manager, fixture->device_key, lowercase,
                                     NULL, on_done, &result);
  registration = umt_device_manager_register_finish (fixture->manager, wait_for_result (&result),
                                                     &error);
  g_assert_no_error (error);
  g_assert_false (registration->used_fallback);

  g_assert_true (umt_device_manager_get_registered (fixture->manager));
  g_assert_cmpstr (umt_device_manager_get_device_key (fixture->manager), ==, fixture->device_key);
  g_assert_nonnull (umt_device_manager_get_registered_at (fixture->manager));

  device = umt_test_sim_get_device (fixture->sim, fixture->device_key);
  g_assert_true (json_object_get_boolean_member (device, "registered"));
  g_assert_true (json_object_get_boolean_member (device, "token_burned"));

  /* What survives a restart: the state file and the tunnel token. */
  reloaded = umt_device_state_load (&error);
  g_assert_no_error (error);
  g_assert_true (umt_device_state_get_registered (reloaded));
  g_assert_cmpstr (umt_device_state_get_device_key (reloaded), ==, fixture->device_key);
  g_assert_cmpstr (umt_device_state_get_server_url (reloaded), ==, fixture->sim->url);

  /* The keyring store is asynchronous after an async registration. */
  for (guint i = 0; i < 200 && tunnel_token == NULL; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
      tunnel_token = umt_secret_store_lookup_tunnel_token_sync (fixture->device_key,
                                                                &from_registration, NULL, NULL);
    }
  g_assert_cmpstr (tunnel_token, ==, fixture->token_code);
  g_assert_true (from_registration);
  g_clear_pointer (&tunnel_token, g_free);

  umt_device_manager_unregister_async (fixture->manager, NULL, on_done, &unregistered);
  umt_device_manager_unregister_finish (fixture->manager, wait_for_result (&unregistered), &error);
  g_assert_no_error (error);
  g_assert_false (umt_device_manager_get_registered (fixture->manager));
  g_assert_null (umt_device_manager_get_device_key (fixture->manager));
  g_assert_cmpint (umt_heartbeat_get_state (umt_device_manager_get_heartbeat (fixture->manager)),
                   ==, UMT_HEARTBEAT_STATE_UNREGISTERED);

  tunnel_token = umt_secret_store_lookup_tunnel_token_sync (fixture->device_key, NULL, NULL,
                                                            &error);
  g_assert_no_error (error);
  g_assert_null (tunnel_token);

  g_clear_object (&reloaded);
  reloaded = umt_device_state_load (&error);
  g_assert_no_error (error);
  g_assert_false (umt_device_state_get_registered (reloaded));
}

static void
test_bad_input_sends_nothing (Fixture       *fixture,
                              gconstpointer  data)
{
  static const char * const tokens[] = { "ABC12", "ABC1234", "GHIJKL", "", "AB 123" };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autoptr(UmtMeetingRegistration) registration = NULL;

      registration = umt_device_manager_register_sync (fixture->manager, fixture->device_key,
                                                       tokens[i], NULL, &error);
      g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT);
      g_assert_null (registration);
      g_clear_error (&error);
    }

  g_assert_null (umt_device_manager_register_sync (fixture->manager, "bad key/with slash",
                                                   fixture->token_code, NULL, &error));
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT);

  g_assert_cmpuint (sim_request_count (fixture), ==, 0);
  g_assert_false (umt_device_manager_get_registered (fixture->manager));
}

static void
test_refusals_leave_nothing (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  g_autofree char *state_path = umt_device_state_get_path ();

  registration = umt_device_manager_register_sync (fixture->manager, fixture->device_key,
                                                   "FFFFFF", NULL, &error);
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_INVALID_TOKEN);
  g_assert_null (registration);
  g_clear_error (&error);

  registration = umt_device_manager_register_sync (fixture->manager, "UNKNOWN-DEVICE",
                                                   fixture->token_code, NULL, &error);
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (umt_device_manager_get_registered (fixture->manager));
  g_assert_false (g_file_test (state_path, G_FILE_TEST_EXISTS));

  /* Once used, the token is burned: a second registration is refused. */
  registration = umt_device_manager_register_sync (fixture->manager, fixture->device_key,
                                                   fixture->token_code, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&registration, umt_meeting_registration_unref);
  registration = umt_device_manager_register_sync (fixture->manager, fixture->device_key,
                                                   fixture->token_code, NULL, &error);
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_ALREADY_REGISTERED);
}

static void
test_corrupt_state_reported (void)
{
  g_autoptr(UmtDeviceManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config_dir = umt_paths_get_config_dir ();
  g_autofree char *state_path = umt_device_state_get_path ();
  g_autoptr(GDir) dir = NULL;
  const char *name;
  gboolean set_aside = FALSE;

  g_assert_true (umt_paths_ensure_private_dir (config_dir, NULL));
  g_assert_true (g_file_set_contents (state_path, "{\"device_key\": ", -1, NULL));

  manager = umt_device_manager_new (&error);
  g_assert_no_error (error);
  g_assert_false (umt_device_manager_get_registered (manager));
  g_assert_nonnull (umt_device_manager_get_state_problem (manager));

  dir = g_dir_open (config_dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    set_aside |= g_str_has_prefix (name, "device_info.json.corrupt-");
  g_assert_true (set_aside);
}

/* The server accepted and burned the token, then the save failed: the
 * device is registered for this run, and the warning says what happened
 * and which key it is. */
static void
test_unsaved_registration (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = umt_device_state_get_path ();
  const char *warning;

  /* What stands in for the file cannot be replaced by one. */
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);

  registration = umt_device_manager_register_sync (fixture->manager, fixture->device_key,
                                                   fixture->token_code, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (registration);
  g_assert_true (umt_device_manager_get_registered (fixture->manager));
  g_assert_true (umt_device_manager_get_registration_unsaved (fixture->manager));
  warning = umt_device_manager_get_registration_warning (fixture->manager);
  g_assert_nonnull (strstr (warning, "on the server, but not on this computer"));
  g_assert_nonnull (strstr (warning, fixture->device_key));
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static gboolean
is_registered (gpointer data)
{
  return umt_device_manager_get_registered (data);
}

static gboolean
is_not_registered (gpointer data)
{
  return !umt_device_manager_get_registered (data);
}

/* The window stays open while `umt register` and `umt unregister` run: it
 * shows what they did, without a restart. */
static void
test_watch_state (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(UmtDeviceManager) cli = NULL;
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  g_autoptr(GError) error = NULL;
  guint reloads = 0;

  umt_device_manager_watch_files (fixture->manager);
  g_signal_connect_swapped (fixture->manager, "state-reloaded", G_CALLBACK (g_atomic_int_inc),
                            &reloads);

  cli = umt_device_manager_new (&error);
  g_assert_no_error (error);
  umt_profile_set_public_ip_lookup (umt_device_manager_get_profile (cli), FALSE);
  registration = umt_device_manager_register_sync (cli, fixture->device_key,
                                                   fixture->token_code, NULL, &error);
  g_assert_no_error (error);

  umt_test_iterate_until (is_registered, fixture->manager);
  g_assert_cmpstr (umt_device_manager_get_device_key (fixture->manager), ==, fixture->device_key);
  g_assert_cmpuint (reloads, ==, 1);

  g_assert_true (umt_device_manager_unregister_sync (cli, NULL, &error));
  g_assert_no_error (error);
  umt_test_iterate_until (is_not_registered, fixture->manager);
  g_assert_null (umt_device_manager_get_device_key (fixture->manager));
  g_assert_cmpuint (reloads, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/device-manager/register-unregister", Fixture, NULL,
              fixture_set_up, test_register_and_unregister, fixture_tear_down);
  g_test_add ("/device-manager/bad-input", Fixture, NULL,
              fixture_set_up, test_bad_input_sends_nothing, fixture_tear_down);
  g_test_add ("/device-manager/refusals", Fixture, NULL,
              fixture_set_up, test_refusals_leave_nothing, fixture_tear_down);
  g_test_add_func ("/device-manager/corrupt-state", test_corrupt_state_reported);
  g_test_add ("/device-manager/unsaved-registration", Fixture, NULL,
              fixture_set_up, test_unsaved_registration, fixture_tear_down);
  g_test_add ("/device-manager/watch-state", Fixture, NULL,
              fixture_set_up, test_watch_state, fixture_tear_down);

  return g_test_run ();
}
