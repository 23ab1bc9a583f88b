/* test-profiles.c: profiles.json defaults, checks, persistence and the env override
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-profiles"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <utime.h>

#include <glib/gstdio.h>

#include "umt-config-error.h"
#include "umt-paths.h"
#include "umt-profiles.h"
#include "umt-test-util.h"

static UmtProfiles *
load_ok (void)
{
  g_autoptr(GError) error = NULL;
  UmtProfiles *profiles = umt_profiles_load (&error);

  g_assert_no_error (error);
  g_assert_nonnull (profiles);
  return profiles;
}

static void
test_first_start (void)
{
  g_autoptr(UmtProfiles) profiles = load_ok ();
  g_autofree char *path = umt_profiles_get_path ();
  UmtProfile *active = umt_profiles_get_active (profiles);
  gboolean overridden = TRUE;
  GStatBuf buf;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (profiles)), ==, 1);
  g_assert_cmpstr (umt_profiles_get_active_name (profiles), ==, "production");
  g_assert_cmpstr (umt_profile_get_name (active), ==, "production");
  g_assert_cmpstr (umt_profile_get_base_url (active), ==, "https://meeting.ygsoft.fr");
  g_assert_cmpuint (umt_profile_get_timeout (active), ==, 20);
  g_assert_cmpuint (umt_profile_get_retries (active), ==, 3);
  g_assert_true (umt_profile_get_verify_tls (active));
  g_assert_cmpuint (umt_profile_get_heartbeat_interval (active), ==, 60);
  g_assert_false (umt_profile_get_allow_insecure_http (active));
  g_assert_true (umt_profile_get_public_ip_lookup (active));
  g_assert_cmpstr (umt_profiles_get_server_url (profiles, &overridden), ==, "https://meeting.ygsoft.fr");
  g_assert_false (overridden);

  /* Written at once, private. */
  g_assert_cmpint (g_stat (path, &buf), ==, 0);
  g_assert_cmpuint (buf.st_mode & 0777, ==, 0600);
}

static void
test_edit_and_persist (void)
{
  g_autoptr(UmtProfiles) profiles = load_ok ();
  g_autoptr(UmtProfiles) again = NULL;
  g_autoptr(UmtProfile) local = NULL;
  g_autoptr(GError) error = NULL;
  UmtProfile *reloaded;
  guint changes = 0;

  g_signal_connect_swapped (profiles, "items-changed", G_CALLBACK (g_atomic_int_inc), &changes);

  local = umt_profile_new ("local", "http://127.0.0.1:41234/", &error);
  g_assert_no_error (error);
  /* One form of the URL, so paths join alike. */
  g_assert_cmpstr (umt_profile_get_base_url (local), ==, "http://127.0.0.1:41234");
  g_assert_true (umt_profiles_add (profiles, local, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes, ==, 1);

  g_assert_true (umt_profiles_use (profiles, "local", &error));
  g_assert_true (umt_profiles_set (profiles, "local", "heartbeat_interval", "15", &error));
  g_assert_true (umt_profiles_set (profiles, "local", "timeout", "5", &error));
  g_assert_true (umt_profiles_set (profiles, "local", "verify_tls", "false", &error));
  g_assert_true (umt_profiles_set (profiles, "local", "note", "Salle 3", &error));
  g_assert_true (umt_profiles_set (profiles, "local", "cluster_ip", "10.20.0.5", &error));
  g_assert_true (umt_profiles_set (profiles, "local", "public_ip_lookup", "false", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (umt_profiles_get_server_url (profiles, NULL), ==, "http://127.0.0.1:41234");

  again = load_ok ();
  g_assert_cmpstr (umt_profiles_get_active_name (again), ==, "local");
  reloaded = umt_profiles_get_active (again);
  g_assert_cmpstr (umt_profile_get_base_url (reloaded), ==, "http://127.0.0.1:41234");
  g_assert_cmpuint (umt_profile_get_heartbeat_interval (reloaded), ==, 15);
  g_assert_cmpuint (umt_profile_get_timeout (reloaded), ==, 5);
  g_assert_false (umt_profile_get_verify_tls (reloaded));
  g_assert_cmpstr (umt_profile_get_note (reloaded), ==, "Salle 3");
  g_assert_cmpstr (umt_profile_get_cluster_ip (reloaded), ==, "10.20.0.5");
  g_assert_false (umt_profile_get_public_ip_lookup (reloaded));
  g_assert_nonnull (umt_profiles_lookup (again, "production"));

  /* Remove: not the active one; then it is gone for good. */
  g_assert_false (umt_profiles_remove (profiles, "local", &error));
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "umt profile use"));
  g_clear_error (&error);
  g_assert_true (umt_profiles_use (profiles, "production", &error));
  g_assert_true (umt_profiles_remove (profiles, "local", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes, ==, 2);

  g_clear_object (&again);
  again = load_ok ();
  g_assert_null (umt_profiles_lookup (again, "local"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 1);
}

static void
test_validation (void)
{
  g_autoptr(UmtProfiles) profiles = load_ok ();
  g_autoptr(UmtProfile) duplicate = NULL;
  g_autoptr(UmtProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *long_note = g_strnfill (2001, 'x');
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *path = umt_profiles_get_path ();
  const struct { const char *key; const char *value; } refused[] = {
    { "base_url", "http://meeting.example.org" },
    { "base_url", "https://user:pw@meeting.example.org" },
    { "base_url", "meeting.example.org" },
    { "heartbeat_interval", "14" },
    { "heartbeat_interval", "3601" },
    { "heartbeat_interval", "sixty" },
    { "timeout", "0" },
    { "retries", "-1" },
    { "verify_tls", "maybe" },
    { "note", long_note },
    { "cluster_ip", "10.0.0" },
    { "public_ip_url", "http://example.org/ip" },
    { "colour", "blue" },
  };

  g_assert_null (umt_profile_new ("bad name", "https://x.example.org", &error));
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  duplicate = umt_profile_new ("production", NULL, &error);
  g_assert_false (umt_profiles_add (profiles, duplicate, &error));
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_false (umt_profiles_use (profiles, "nope", &error));
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "umt profile list"));
  g_clear_error (&error);
  g_assert_false (umt_profiles_set (profiles, "nope", "timeout", "5", &error));
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Every refusal is one sentence, and changes neither memory nor file. */
  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      if (umt_profiles_set (profiles, "production", refused[i].key, refused[i].value, &error))
        g_error ("%s=%s was accepted", refused[i].key, refused[i].value);
      g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT);
      g_assert_true (g_str_has_suffix (error->message, "."));
      g_clear_error (&error);
    }
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpstr (umt_profile_get_base_url (umt_profiles_get_active (profiles)), ==, "https://meeting.ygsoft.fr");

  /* Plain http to another host only when the profile says so, and then the
   * switch cannot be turned off under it. */
  g_assert_true (umt_profiles_set (profiles, "production", "allow_insecure_http", "true", &error));
  g_assert_true (umt_profiles_set (profiles, "production", "base_url", "http://meeting.example.org", &error));
  g_assert_no_error (error);
  g_assert_false (umt_profiles_set (profiles, "production", "allow_insecure_http", "false", &error));
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* A hand-edited file with a wrong value is reported, not half-loaded. */
  profile = umt_profile_new ("lab", "https://lab.example.org", &error);
  g_assert_no_error (error);
  g_assert_true (umt_profile_set_value (profile, "public_ip_url", "https://api.ipify.org?format=json", &error));
  g_assert_no_error (error);
}

static void
test_env_override (void)
{
  g_autoptr(UmtProfiles) profiles = NULL;
  g_autoptr(UmtProfiles) unset = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *path = umt_profiles_get_path ();
  gboolean overridden = FALSE;

  g_setenv ("MEETING_SERVER_URL", "http://127.0.0.1:5555/", TRUE);
  profiles = load_ok ();
  g_assert_cmpstr (umt_profiles_get_server_url (profiles, &overridden), ==, "http://127.0.0.1:5555");
  g_assert_true (overridden);
  g_object_get (profiles, "server-url-overridden", &overridden, NULL);
  g_assert_true (overridden);
  g_assert_cmpstr (umt_profiles_get_server_url_for (profiles, umt_profiles_lookup (profiles, "production"),
                                                    NULL), ==, "http://127.0.0.1:5555");

  /* For this run only: the profile and the file keep their URL. */
  g_assert_cmpstr (umt_profile_get_base_url (umt_profiles_get_active (profiles)), ==, "https://meeting.ygsoft.fr");
  g_assert_true (umt_profiles_save (profiles, &error));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "5555"));

  /* An unusable override is refused with the variable's name. */
  g_setenv ("MEETING_SERVER_URL", "http://meeting.example.org", TRUE);
  g_assert_null (umt_profiles_load (&error));
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "MEETING_SERVER_URL"));
  g_clear_error (&error);

  g_unsetenv ("MEETING_SERVER_URL");
  unset = load_ok ();
  g_assert_cmpstr (umt_profiles_get_server_url (unset, &overridden), ==, "https://meeting.ygsoft.fr");
  g_assert_false (overridden);
}

static void
test_corrupt (void)
{
  g_autoptr(UmtProfiles) profiles = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = umt_profiles_get_path ();
  g_autofree char *dir = umt_paths_get_config_dir ();
  const char *bad[] = {
    "{\"active\":",
    "{\"active\":\"p\",\"profiles\":[{\"name\":\"p\",\"base_url\":\"ftp://x\"}]}",
    "{\"active\":\"p\",\"profiles\":[{\"name\":\"p\"},{\"name\":\"p\"}]}",
    "{\"profiles\":[{\"name\":\"p\",\"heartbeat_interval\":\"fast\"}]}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_assert_true (g_file_set_contents (path, bad[i], -1, NULL));

      g_assert_null (umt_profiles_load (&error));
      g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, "profiles.json.corrupt-"));
      g_clear_error (&error);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

      /* Run again: the defaults. */
      profiles = load_ok ();
      g_assert_cmpstr (umt_profiles_get_active_name (profiles), ==, "production");
      g_clear_object (&profiles);
      g_assert_cmpint (g_unlink (path), ==, 0);
    }
}

/* A writer killed between its temporary file and the rename leaves
 * "profiles.json.XXXXXX" behind: the next start removes those that are
 * stale, and nothing else. */
static void
test_stale_temporaries (void)
{
  g_autoptr(UmtProfiles) profiles = NULL;
  g_autofree char *path = umt_profiles_get_path ();
  g_autofree char *dir = umt_paths_get_config_dir ();
  g_autofree char *stale = g_strconcat (path, ".Ab12Cd", NULL);
  g_autofree char *fresh = g_strconcat (path, ".Xy34Zw", NULL);
  g_autofree char *other = g_strconcat (path, ".notes", NULL);
  g_autofree char *aside = g_strconcat (path, ".corrupt-20260101-000000", NULL);
  gint64 an_hour_ago = g_get_real_time () / G_USEC_PER_SEC - 3600;
  struct utimbuf old = { an_hour_ago, an_hour_ago };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (const char *const *file = (const char *const[]) { stale, fresh, other, aside, NULL };
       *file != NULL; file++)
    {
      g_assert_true (g_file_set_contents (*file, "{\"active\":", -1, NULL));
      if (*file != fresh)
        g_assert_cmpint (g_utime (*file, &old), ==, 0);
    }

  profiles = load_ok ();
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  /* Maybe a writer at work right now. */
  g_assert_true (g_file_test (fresh, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (aside, G_FILE_TEST_EXISTS));
}

static void
test_missing_active_falls_back (void)
{
  g_autoptr(UmtProfiles) profiles = NULL;
  g_autofree char *path = umt_profiles_get_path ();
  g_autofree char *dir = umt_paths_get_config_dir ();

  /* The old tool's format: no active key, fewer fields. */
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path,
                                      "{\"profiles\":[{\"name\":\"lab\",\"base_url\":\"https://lab.example.org\","
                                      "\"timeout\":20,\"retries\":3}]}", -1, NULL));
  profiles = load_ok ();
  g_assert_cmpstr (umt_profiles_get_active_name (profiles), ==, "lab");
  g_assert_cmpstr (umt_profiles_get_server_url (profiles, NULL), ==, "https://lab.example.org");
}

/* The window keeps the profiles in memory for hours; what `umt profile`
 * saved meanwhile survives the window's next save, and the window takes it. */
static void
test_save_keeps_other_edits (void)
{
  g_autoptr(UmtProfiles) window = load_ok ();
  g_autoptr(UmtProfiles) cli = load_ok ();
  g_autoptr(UmtProfiles) after = NULL;
  g_autoptr(UmtProfile) lab = NULL;
  g_autoptr(GError) error = NULL;
  UmtProfile *production;

  lab = umt_profile_new ("lab", "https://lab.example.org", &error);
  g_assert_true (umt_profiles_add (cli, lab, &error));
  g_assert_true (umt_profiles_set (cli, "production", "timeout", "7", &error));
  g_assert_no_error (error);

  /* The window changes another setting of the same profile, and the timeout too
   * when the other process left it alone: its edits are the newer. */
  production = umt_profiles_get_active (window);
  g_assert_true (umt_profile_set_heartbeat_interval (production, 120, &error));
  g_assert_true (umt_profiles_save (window, &error));
  g_assert_no_error (error);

  after = load_ok ();
  g_assert_nonnull (umt_profiles_lookup (after, "lab"));
  production = umt_profiles_lookup (after, "production");
  g_assert_cmpuint (umt_profile_get_timeout (production), ==, 7);
  g_assert_cmpuint (umt_profile_get_heartbeat_interval (production), ==, 120);

  /* The window now holds the file's content. */
  g_assert_nonnull (umt_profiles_lookup (window, "lab"));
  g_assert_cmpuint (umt_profile_get_timeout (umt_profiles_get_active (window)), ==, 7);

  /* A profile the other process removed stays removed. */
  g_assert_true (umt_profiles_remove (cli, "lab", &error));
  g_assert_true (umt_profiles_set (window, "production", "retries", "5", &error));
  g_assert_no_error (error);
  g_clear_object (&after);
  after = load_ok ();
  g_assert_null (umt_profiles_lookup (after, "lab"));
  g_assert_null (umt_profiles_lookup (window, "lab"));
  g_assert_cmpuint (umt_profile_get_retries (umt_profiles_get_active (after)), ==, 5);
}

typedef struct
{
  UmtProfiles *profiles;
  guint        reloads;
} Watched;

static gboolean
reloaded_with_lab (gpointer data)
{
  Watched *watched = data;

  return watched->reloads > 0 && umt_profiles_lookup (watched->profiles, "lab") != NULL;
}

/* A window that watches the file sees `umt profile` edits at once, and keeps
 * its own edits not saved yet. */
static void
test_watch_reloads (void)
{
  g_autoptr(UmtProfiles) window = load_ok ();
  g_autoptr(UmtProfiles) cli = load_ok ();
  g_autoptr(UmtProfiles) after = NULL;
  g_autoptr(UmtProfile) lab = NULL;
  g_autoptr(GError) error = NULL;
  UmtProfile *production = umt_profiles_get_active (window);
  Watched watched = { window, 0 };
  guint timeout_notified = 0;

  umt_profiles_watch (window);
  g_signal_connect_swapped (window, "reloaded", G_CALLBACK (g_atomic_int_inc), &watched.reloads);
  g_signal_connect_swapped (production, "notify::timeout", G_CALLBACK (g_atomic_int_inc),
                            &timeout_notified);
  g_assert_true (umt_profile_set_note (production, "rack 4", &error));

  lab = umt_profile_new ("lab", "https://lab.example.org", &error);
  g_assert_true (umt_profiles_set (cli, "production", "timeout", "9", &error));
  g_assert_true (umt_profiles_add (cli, lab, &error));
  g_assert_no_error (error);

  umt_test_iterate_until (reloaded_with_lab, &watched);
  /* The same object, changed in place: what is bound to it follows. */
  g_assert_true (umt_profiles_get_active (window) == production);
  g_assert_cmpuint (umt_profile_get_timeout (production), ==, 9);
  g_assert_cmpuint (timeout_notified, >=, 1);
  g_assert_cmpstr (umt_profile_get_note (production), ==, "rack 4");

  g_assert_true (umt_profiles_save (window, &error));
  g_assert_no_error (error);
  after = load_ok ();
  g_assert_cmpstr (umt_profile_get_note (umt_profiles_get_active (after)), ==, "rack 4");
  g_assert_cmpuint (umt_profile_get_timeout (umt_profiles_get_active (after)), ==, 9);
  g_assert_nonnull (umt_profiles_lookup (after, "lab"));
}

int
main (int   argc,
      char *argv[])
{
  g_unsetenv ("MEETING_SERVER_URL");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/profiles/first-start", test_first_start);
  g_test_add_func ("/profiles/edit-and-persist", test_edit_and_persist);
  g_test_add_func ("/profiles/validation", test_validation);
  g_test_add_func ("/profiles/env-override", test_env_override);
  g_test_add_func ("/profiles/corrupt", test_corrupt);
  g_test_add_func ("/profiles/missing-active-falls-back", test_missing_active_falls_back);
  g_test_add_func ("/profiles/stale-temporaries", test_stale_temporaries);
  g_test_add_func ("/profiles/save-keeps-other-edits", test_save_keeps_other_edits);
  g_test_add_func ("/profiles/watch-reloads", test_watch_reloads);

  return g_test_run ();
}
