/* test-device-state.c: device_info.json, atomic writes and the legacy import
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-device-state"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "umt-config-error.h"
#include "umt-device-state.h"
#include "umt-paths.h"
#include "umt-profiles.h"

static guint
file_mode (const char *path)
{
  GStatBuf buf;

  g_assert_cmpint (g_stat (path, &buf), ==, 0);
  return buf.st_mode & 0777;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Every name in @dir, sorted, joined with spaces: shows leftovers. */
static char *
list_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static UmtDeviceInfo *
make_info (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser,
                                             "{\"ip_address\":\"192.168.1.20\",\"ip_lan\":\"192.168.1.20\","
                                             "\"mac\":\"AA:BB:CC:DD:EE:FF\",\"note\":\"Salle 3\"}",
                                             -1, NULL));
  return umt_device_info_new_from_json (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_missing_is_not_registered (void)
{
  g_autoptr(UmtDeviceState) state = NULL;
  g_autoptr(GError) error = NULL;

  state = umt_device_state_load (&error);
  g_assert_no_error (error);
  g_assert_false (umt_device_state_get_registered (state));
  g_assert_null (umt_device_state_get_device_key (state));
}

static void
test_save_and_reload (void)
{
  g_autoptr(UmtDeviceState) state = umt_device_state_new ();
  g_autoptr(UmtDeviceState) again = NULL;
  g_autoptr(UmtDeviceInfo) info = make_info ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = umt_device_state_get_path ();
  g_autofree char *dir = umt_paths_get_config_dir ();
  g_autofree char *listing = NULL;
  g_autofree char *lock_path = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *root;

  g_assert_true (umt_device_state_mark_registered (state, "0123456789ABCDEF0123456789ABCDEF",
                                                   "http://127.0.0.1:41234", "production", info, &error));
  g_assert_no_error (error);
  g_assert_true (umt_device_state_get_registered (state));

  /* Private: the directory 0700, the file 0600, and no temporary file left;
   * the lock that serialises writers stays, empty and private too. */
  g_assert_cmpuint (file_mode (dir), ==, 0700);
  g_assert_cmpuint (file_mode (path), ==, 0600);
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, ".device_info.json.lock device_info.json");
  lock_path = g_build_filename (dir, ".device_info.json.lock", NULL);
  g_assert_cmpuint (file_mode (lock_path), ==, 0600);

  /* The documented shape plus server_url and profile, and nothing else. */
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (root);
  g_assert_cmpuint (g_list_length (members), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (root, "device_key"), ==, "0123456789ABCDEF0123456789ABCDEF");
  g_assert_cmpstr (json_object_get_string_member (root, "server_url"), ==, "http://127.0.0.1:41234");
  g_assert_cmpstr (json_object_get_string_member (root, "profile"), ==, "production");
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$",
                                       json_object_get_string_member (root, "registered_at"), 0, 0));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "device_info"), "mac"),
                   ==, "AA:BB:CC:DD:EE:FF");

  again = umt_device_state_load (&error);
  g_assert_no_error (error);
  g_assert_true (umt_device_state_get_registered (again));
  g_assert_cmpstr (umt_device_state_get_device_key (again), ==, "0123456789ABCDEF0123456789ABCDEF");
  g_assert_cmpstr (umt_device_state_get_server_url (again), ==, "http://127.0.0.1:41234");
  g_assert_cmpstr (umt_device_state_get_profile (again), ==, "production");
  g_assert_cmpstr (umt_device_state_get_registered_at (again), ==, umt_device_state_get_registered_at (state));
  g_assert_cmpstr (umt_device_info_get_note (umt_device_state_get_device_info (again)), ==, "Salle 3");

  /* Unregister: gone from memory and from disk. */
  g_assert_true (umt_device_state_clear (again, &error));
  g_assert_no_error (error);
  g_assert_false (umt_device_state_get_registered (again));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (umt_device_state_clear (again, &error));
}

static void
test_bad_values_refused (void)
{
  g_autoptr(UmtDeviceState) state = umt_device_state_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = umt_device_state_get_path ();

  g_assert_false (umt_device_state_mark_registered (state, "bad key", "https://meeting.ygsoft.fr",
                                                    "production", NULL, &error));
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT);
  g_assert_false (umt_device_state_get_registered (state));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_notify (void)
{
  g_autoptr(UmtDeviceState) state = umt_device_state_new ();
  guint registered_changes = 0;

  g_signal_connect_swapped (state, "notify::registered", G_CALLBACK (g_atomic_int_inc), &registered_changes);

  umt_device_state_set_device_key (state, "KEY1", NULL);
  umt_device_state_set_device_key (state, "KEY2", NULL);
  umt_device_state_set_device_key (state, NULL, NULL);
  g_assert_cmpuint (registered_changes, ==, 2);
}

static void
write_file (const char *path,
            const char *contents)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
test_corrupt_set_aside (void)
{
  g_autoptr(UmtDeviceState) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = umt_device_state_get_path ();
  g_autofree char *dir = umt_paths_get_config_dir ();
  g_autofree char *listing = NULL;
  g_autofree char *name = NULL;
  g_autofree char *aside = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("device_info\\.json\\.corrupt-\\d{8}-\\d{6}", 0, 0, NULL);

  write_file (path, "{\"device_key\": \"ABC\", \"device_info\": {");

  state = umt_device_state_load (&error);
  g_assert_null (state);
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "not registered"));

  /* The message names where the file went, and it is there, untouched. */
  g_assert_true (g_regex_match (regex, error->message, 0, &match));
  name = g_match_info_fetch (match, 0);
  aside = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_get_contents (aside, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "{\"device_key\": \"ABC\", \"device_info\": {");
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* Next start: not registered, and the corrupt copy is not overwritten. */
  state = umt_device_state_load (&error);
  g_assert_no_error (error);
  g_assert_false (umt_device_state_get_registered (state));

  /* A second corrupt file gets its own name, even within the same second. */
  write_file (path, "[]");
  g_clear_object (&state);
  state = umt_device_state_load (&error);
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT);
  listing = list_dir (dir);
  {
    g_auto(GStrv) names = g_strsplit (listing, " ", -1);
    guint corrupt = 0;

    for (guint i = 0; names[i] != NULL; i++)
      corrupt += strstr (names[i], ".corrupt-") != NULL;
    g_assert_cmpuint (corrupt, ==, 2);
  }
}

static void
test_wrong_types_are_corrupt (void)
{
  g_autoptr(UmtDeviceState) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = umt_device_state_get_path ();

  /* A device key the server could never have given is not trusted either. */
  write_file (path, "{\"device_key\": \"../../etc\"}");
  state = umt_device_state_load (&error);
  g_assert_null (state);
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT);
  g_clear_error (&error);

  /* Valid JSON of another shape is not "not registered": it is set aside
   * with a sentence naming what is wrong. */
  for (const char * const *bad = (const char * const[]) {
         "{\"device_key\": 12345}",
         "{\"device_key\": \"0123456789ABCDEF0123456789ABCDEF\", \"server_url\": [1]}",
         "{\"device_key\": \"0123456789ABCDEF0123456789ABCDEF\", \"device_info\": \"lab\"}",
         "{\"registered_at\": true}",
         NULL };
       *bad != NULL; bad++)
    {
      write_file (path, *bad);
      state = umt_device_state_load (&error);
      g_assert_null (state);
      g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, "is not a"));
      g_assert_nonnull (strstr (error->message, "device_info.json.corrupt-"));
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      g_clear_error (&error);
    }
}

static void
test_atomic_write (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "atomic", NULL);
  g_autofree char *path = g_build_filename (dir, "state.json", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "state.json", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (umt_paths_ensure_private_dir (dir, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (dir), ==, 0700);

  /* A directory made with a looser mode is tightened. */
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_assert_true (umt_paths_ensure_private_dir (dir, &error));
  g_assert_cmpuint (file_mode (dir), ==, 0700);

  g_assert_true (umt_paths_write_atomic (path, "first", -1, &error));
  g_assert_true (umt_paths_write_atomic (path, "second", -1, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "second");
  g_assert_cmpuint (file_mode (path), ==, 0600);

  /* A failed write reports a sentence and leaves nothing behind. */
  g_assert_false (umt_paths_write_atomic (missing, "x", -1, &error));
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "Could not save"));

  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "state.json");
}

static void
test_legacy_import (void)
{
  g_autofree char *legacy = umt_paths_get_legacy_dir ();
  g_autofree char *legacy_state = g_build_filename (legacy, "device_info.json", NULL);
  g_autofree char *legacy_profiles = g_build_filename (legacy, "profiles.json", NULL);
  g_autofree char *path = umt_device_state_get_path ();
  g_autofree char *saved = NULL;
  g_autoptr(UmtDeviceState) state = NULL;
  g_autoptr(UmtProfiles) profiles = NULL;
  g_autoptr(GError) error = NULL;

  /* What the older tool wrote, including a token it should never have kept. */
  write_file (legacy_state,
              "{\"device_key\":\"device-abc12345\",\"token_code\":\"ABC123\","
              "\"device_info\":{\"ip_address\":\"10.0.0.5\",\"note\":\"old\"},"
              "\"registered_at\":\"2024-05-01 10:00:00\"}");
  write_file (legacy_profiles,
              "{\"active\":\"lab\",\"profiles\":[{\"name\":\"lab\",\"base_url\":\"https://lab.example.org\","
              "\"timeout\":10,\"retries\":1}]}");

  g_test_expect_message ("umt-paths", G_LOG_LEVEL_MESSAGE, "Imported*device_info.json*");
  g_test_expect_message ("umt-paths", G_LOG_LEVEL_MESSAGE, "Imported*profiles.json*");
  state = umt_device_state_load (&error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpstr (umt_device_state_get_device_key (state), ==, "device-abc12345");
  g_assert_cmpstr (umt_device_state_get_registered_at (state), ==, "2024-05-01 10:00:00");
  g_assert_cmpuint (file_mode (path), ==, 0600);

  profiles = umt_profiles_load (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (umt_profiles_get_active_name (profiles), ==, "lab");
  g_assert_cmpuint (umt_profile_get_timeout (umt_profiles_get_active (profiles)), ==, 10);
  g_assert_cmpuint (umt_profile_get_heartbeat_interval (umt_profiles_get_active (profiles)), ==, 60);

  /* Kept, not deleted. */
  g_assert_true (g_file_test (legacy_state, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (legacy_profiles, G_FILE_TEST_IS_REGULAR));

  /* The token does not survive the next save. */
  g_assert_true (umt_device_state_save (state, &error));
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  g_assert_null (strstr (saved, "ABC123"));
  g_assert_null (strstr (saved, "token"));

  /* Once only: after an unregister the legacy file does not come back. */
  g_assert_true (umt_device_state_clear (state, &error));
  g_clear_object (&state);
  state = umt_device_state_load (&error);
  g_assert_no_error (error);
  g_assert_false (umt_device_state_get_registered (state));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/device-state/missing-is-not-registered", test_missing_is_not_registered);
  g_test_add_func ("/device-state/save-and-reload", test_save_and_reload);
  g_test_add_func ("/device-state/bad-values-refused", test_bad_values_refused);
  g_test_add_func ("/device-state/notify", test_notify);
  g_test_add_func ("/device-state/corrupt-set-aside", test_corrupt_set_aside);
  g_test_add_func ("/device-state/wrong-types-are-corrupt", test_wrong_types_are_corrupt);
  g_test_add_func ("/device-state/atomic-write", test_atomic_write);
  g_test_add_func ("/device-state/legacy-import", test_legacy_import);

  return g_test_run ();
}
