/* test-ssh-key.c: the device's SSH key, its publication and known_hosts, against meeting-sim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-test-ssh-key"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "umt-device-manager.h"
#include "umt-meeting-error.h"
#include "umt-ssh-key.h"
#include "umt-test-sim.h"

#define SIM_ED25519 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII0oD/hTAFVajUtf3FyhtQWWeoKWYqmXVCSPQA/1D09c"

typedef struct
{
  UmtTestSim       *sim;
  char             *device_key;
  char             *token_code;
  UmtDeviceManager *manager;
  UmtSshKey        *key;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->sim = umt_test_sim_start (NULL, NULL);
  fixture->device_key = umt_test_sim_create_device (fixture->sim, NULL, &fixture->token_code);
  g_setenv ("MEETING_SERVER_URL", fixture->sim->url, TRUE);

  fixture->manager = umt_device_manager_new (&error);
  g_assert_no_error (error);
  /* No public IP lookup: there is no internet here. */
  umt_profile_set_public_ip_lookup (umt_device_manager_get_profile (fixture->manager), FALSE);
  fixture->key = umt_ssh_key_new (NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->key);
  g_clear_object (&fixture->manager);
  g_clear_pointer (&fixture->device_key, g_free);
  g_clear_pointer (&fixture->token_code, g_free);
  g_clear_pointer (&fixture->sim, umt_test_sim_free);
  g_unsetenv ("MEETING_SERVER_URL");
}

static void
register_device (Fixture *fixture)
{
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  g_autoptr(GError) error = NULL;

  registration = umt_device_manager_register_sync (fixture->manager, fixture->device_key,
                                                   fixture->token_code, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (umt_device_manager_get_registered (fixture->manager));
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

static guint
file_mode (const char *path)
{
  GStatBuf buf;

  g_assert_cmpint (g_stat (path, &buf), ==, 0);
  return buf.st_mode & 07777;
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

/* The fingerprint as OpenSSH itself computes it. */
static char *
keygen_fingerprint (const char *public_key_path)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) fields = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              "ssh-keygen", "-lf", public_key_path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  /* "256 SHA256:… comment (ED25519)" */
  fields = g_strsplit (out, " ", -1);
  g_assert_cmpuint (g_strv_length (fields), >=, 2);
  return g_strdup (fields[1]);
}

static void
test_generate (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = g_build_filename (g_get_user_data_dir (), "updates-manager-tool", "ssh", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *contents = NULL;
  UmtSshKey *key = fixture->key;

  g_assert_cmpstr (umt_ssh_key_get_directory (key), ==, data_dir);
  g_assert_null (umt_ssh_key_get_fingerprint (key));
  g_assert_false (umt_ssh_key_load_sync (key, &error));
  g_assert_error (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (umt_ssh_key_ensure_sync (key, "device-1", NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (file_mode (data_dir), ==, 0700);
  g_assert_cmpuint (file_mode (umt_ssh_key_get_private_key_path (key)), ==, 0600);
  contents = read_file (umt_ssh_key_get_private_key_path (key));
  g_assert_true (g_str_has_prefix (contents, "-----BEGIN OPENSSH PRIVATE KEY-----"));
  g_clear_pointer (&contents, g_free);

  contents = g_strstrip (read_file (umt_ssh_key_get_public_key_path (key)));
  g_assert_cmpstr (umt_ssh_key_get_public_key (key), ==, contents);
  g_assert_true (g_str_has_prefix (contents, "ssh-ed25519 AAAA"));
  g_assert_true (g_str_has_suffix (contents, " updates-manager-tool@device-1"));

  expected = keygen_fingerprint (umt_ssh_key_get_public_key_path (key));
  g_assert_cmpstr (umt_ssh_key_get_fingerprint (key), ==, expected);

  /* Nothing else left in the folder (no temporary keygen folder). */
  {
    g_autoptr(GDir) dir = g_dir_open (data_dir, 0, &error);
    const char *name;
    guint count = 0;

    g_assert_no_error (error);
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_assert_true (g_str_equal (name, "id_ed25519") || g_str_equal (name, "id_ed25519.pub"));
        count++;
      }
    g_assert_cmpuint (count, ==, 2);
  }
}

static void
test_reuse (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtSshKey) again = umt_ssh_key_new (NULL);
  g_autoptr(UmtSshKey) loaded = umt_ssh_key_new (NULL);
  g_autofree char *private_before = NULL;
  g_autofree char *private_after = NULL;
  g_autofree char *fingerprint = NULL;

  g_assert_true (umt_ssh_key_ensure_sync (fixture->key, NULL, NULL, &error));
  g_assert_no_error (error);
  /* Without a device key, the comment names the computer. */
  g_assert_true (strstr (umt_ssh_key_get_public_key (fixture->key), "updates-manager-tool@") != NULL);
  fingerprint = g_strdup (umt_ssh_key_get_fingerprint (fixture->key));
  private_before = read_file (umt_ssh_key_get_private_key_path (fixture->key));

  /* A second object: the same pair, not a new one. */
  g_assert_null (umt_ssh_key_get_fingerprint (again));
  g_assert_true (umt_ssh_key_ensure_sync (again, "other-name", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (umt_ssh_key_get_fingerprint (again), ==, fingerprint);
  g_assert_cmpstr (umt_ssh_key_get_public_key (again), ==, umt_ssh_key_get_public_key (fixture->key));
  private_after = read_file (umt_ssh_key_get_private_key_path (fixture->key));
  g_assert_cmpstr (private_before, ==, private_after);

  g_assert_true (umt_ssh_key_load_sync (loaded, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (umt_ssh_key_get_fingerprint (loaded), ==, fingerprint);

  /* A lost public half comes back from the private key. */
  g_assert_cmpint (g_unlink (umt_ssh_key_get_public_key_path (fixture->key)), ==, 0);
  g_assert_true (umt_ssh_key_ensure_sync (fixture->key, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (umt_ssh_key_get_fingerprint (fixture->key), ==, fingerprint);
}

static gpointer
ensure_in_thread (gpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (umt_ssh_key_ensure_sync (data, NULL, NULL, &error));
  g_assert_no_error (error);
  return NULL;
}

/* Two owners (the window and `umt`) making the key at the same moment end
 * up with one pair. */
static void
test_concurrent (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtSshKey) other = umt_ssh_key_new (NULL);
  g_autoptr(UmtSshKey) reloaded = umt_ssh_key_new (NULL);
  g_autofree char *expected = NULL;
  GThread *first = g_thread_new ("ensure-one", ensure_in_thread, fixture->key);
  GThread *second = g_thread_new ("ensure-two", ensure_in_thread, other);

  g_thread_join (first);
  g_thread_join (second);

  g_assert_true (umt_ssh_key_load_sync (reloaded, &error));
  g_assert_no_error (error);
  expected = keygen_fingerprint (umt_ssh_key_get_public_key_path (reloaded));
  g_assert_cmpstr (umt_ssh_key_get_fingerprint (fixture->key), ==, expected);
  g_assert_cmpstr (umt_ssh_key_get_fingerprint (other), ==, expected);
  g_assert_cmpstr (umt_ssh_key_get_fingerprint (reloaded), ==, expected);
}

static void
test_no_keygen (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup (g_getenv ("PATH"));
  g_autofree char *empty = g_build_filename (g_get_tmp_dir (), "no-programs", NULL);

  g_assert_cmpint (g_mkdir_with_parents (empty, 0700), ==, 0);
  g_setenv ("PATH", empty, TRUE);
  g_assert_false (umt_ssh_key_ensure_sync (fixture->key, NULL, NULL, &error));
  g_setenv ("PATH", path, TRUE);

  g_assert_error (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_NO_KEYGEN);
  g_assert_nonnull (strstr (error->message, "openssh-client"));
  g_assert_false (g_file_test (umt_ssh_key_get_private_key_path (fixture->key), G_FILE_TEST_EXISTS));
  g_assert_null (umt_ssh_key_get_fingerprint (fixture->key));
}

static void
assert_known_hosts (const char *path,
                    const char *host)
{
  g_autofree char *contents = read_file (path);
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  g_autofree char *ed25519 = g_strconcat (host, " ", SIM_ED25519, NULL);

  g_assert_true (g_str_has_suffix (contents, "\n"));
  /* Two keys, then the empty string after the last line end. */
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[0], ==, ed25519);
  g_assert_true (g_str_has_prefix (lines[1], host));
  g_assert_true (g_str_has_prefix (lines[1] + strlen (host), " ecdsa-sha2-nistp256 AAAA"));
  g_assert_cmpuint (file_mode (path), ==, 0600);
}

static void
test_publish (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) device = NULL;
  g_autoptr(UmtMeetingClient) client = NULL;
  g_autoptr(GAsyncResult) fetched = NULL;
  g_autofree char *server_key = NULL;
  g_autofree char *stale = NULL;
  const char *known_hosts = umt_ssh_key_get_known_hosts_path (fixture->key);
  GStatBuf before, after;

  register_device (fixture);

  /* A stale file from an earlier server, to be replaced whole. */
  g_assert_cmpint (g_mkdir_with_parents (umt_ssh_key_get_directory (fixture->key), 0700), ==, 0);
  g_assert_true (g_file_set_contents (known_hosts, "old.example ssh-ed25519 AAAA\n", -1, NULL));
  g_assert_cmpint (g_stat (known_hosts, &before), ==, 0);

  umt_ssh_key_publish_for_device_async (fixture->key, fixture->manager, NULL, on_done, &result);
  g_assert_true (umt_ssh_key_publish_for_device_finish (fixture->key, wait_for_result (&result), &error));
  g_assert_no_error (error);
  g_assert_nonnull (umt_ssh_key_get_fingerprint (fixture->key));

  device = umt_test_sim_get_device (fixture->sim, fixture->device_key);
  g_assert_cmpstr (json_object_get_string_member (device, "ssh_pubkey"), ==,
                   umt_ssh_key_get_public_key (fixture->key));
  g_assert_cmpstr (json_object_get_string_member (device, "ssh_status"), ==, "authorized");

  client = umt_meeting_client_new (fixture->sim->url, &error);
  g_assert_no_error (error);
  umt_meeting_client_send_async (client, umt_meeting_request_get_device_pubkey (fixture->device_key),
                                 NULL, on_done, &fetched);
  g_assert_true (umt_meeting_client_send_finish (client, wait_for_result (&fetched),
                                                 (gpointer *) &server_key, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_strstrip (server_key), ==, umt_ssh_key_get_public_key (fixture->key));

  /* Replaced by a rename, not rewritten in place. */
  assert_known_hosts (known_hosts, "127.0.0.1");
  g_assert_cmpint (g_stat (known_hosts, &after), ==, 0);
  g_assert_cmpuint (before.st_ino, !=, after.st_ino);

  /* Malformed host keys: an error, and the file stays as it was. */
  stale = read_file (known_hosts);
  umt_test_sim_add_fault (fixture->sim,
                          "{\"path\":\"/api/ssh-hostkey\",\"status\":200,"
                          "\"content_type\":\"text/plain\","
                          "\"body\":\"127.0.0.1 " SIM_ED25519 "\\nnot a key\\n\"}");
  g_assert_false (umt_ssh_key_publish_sync (fixture->key, client, fixture->device_key, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL);
  g_clear_error (&error);
  {
    g_autofree char *now = read_file (known_hosts);
    g_assert_cmpstr (now, ==, stale);
  }
}

static void
test_unregistered (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) requests = NULL;

  umt_test_sim_request (fixture->sim, "DELETE", "/__sim/requests", NULL, NULL);

  g_assert_false (umt_ssh_key_publish_for_device_sync (fixture->key, fixture->manager, NULL, &error));
  g_assert_error (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_NOT_REGISTERED);
  g_assert_nonnull (strstr (error->message, "not registered"));
  g_clear_error (&error);

  umt_ssh_key_publish_for_device_async (fixture->key, fixture->manager, NULL, on_done, &result);
  g_assert_false (umt_ssh_key_publish_for_device_finish (fixture->key, wait_for_result (&result), &error));
  g_assert_error (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_NOT_REGISTERED);

  /* Nothing asked of the server. */
  requests = umt_test_sim_request (fixture->sim, "GET", "/__sim/requests", NULL, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (requests),
                                                                         "requests")), ==, 0);
}

static void
test_device_gone (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) deleted = NULL;
  guint status = 0;

  register_device (fixture);
  {
    g_autofree char *path = g_strconcat ("/api/devices/", fixture->device_key, NULL);
    deleted = umt_test_sim_request (fixture->sim, "DELETE", path, NULL, &status);
  }
  g_assert_cmpuint (status, ==, 200);

  g_assert_false (umt_ssh_key_publish_for_device_sync (fixture->key, fixture->manager, NULL, &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND);
  /* The key was made all the same, and no known_hosts was written. */
  g_assert_true (g_file_test (umt_ssh_key_get_private_key_path (fixture->key), G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (umt_ssh_key_get_known_hosts_path (fixture->key), G_FILE_TEST_EXISTS));
}

static void
test_known_hosts_text (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  /* Keyscan lines, bare keys, comments and blank lines. */
  text = umt_ssh_key_build_known_hosts ("meeting.example",
                                        "# meeting.example:22 SSH-2.0-OpenSSH_9.2\n"
                                        "localhost " SIM_ED25519 "\n"
                                        "\n"
                                        "  " SIM_ED25519 " a comment\r\n",
                                        &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "meeting.example " SIM_ED25519 "\n"
                             "meeting.example " SIM_ED25519 "\n");

  /* The blob must name the type it claims. */
  g_assert_null (umt_ssh_key_build_known_hosts ("h", "host ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAII0oD/hTAFVajUtf3FyhtQWWeoKWYqmXVCSPQA/1D09c\n", &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_null (umt_ssh_key_build_known_hosts ("h", "host ssh-ed25519 not*base64\n", &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_null (umt_ssh_key_build_known_hosts ("h", "<html>oops</html>", &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_null (umt_ssh_key_build_known_hosts ("h", "# nothing\n\n", &error));
  g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL);
  g_clear_error (&error);

  g_assert_null (umt_ssh_key_compute_fingerprint ("ssh-ed25519", &error));
  g_assert_error (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_INVALID_KEY);
}

/* `umt ssh-key` as a script runs it; the subprocess inherits this test's
 * isolated directories and MEETING_SERVER_URL. */
static int
run_umt (char       **out,
         char       **err,
         const char  *first_arg,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  va_list ap;

  g_ptr_array_add (argv, (char *) g_getenv ("UMT_CLI"));
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* The isolated directories live in GLib's own variables, not in the
   * environment a child inherits. */
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_test_message ("umt %s → %d\nstdout: %s\nstderr: %s", first_arg,
                  g_subprocess_get_exit_status (process), *out, *err);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static void
assert_one_sentence (const char *err,
                     const char *expected)
{
  g_autofree char *text = g_strstrip (g_strdup (err));

  g_assert_nonnull (strstr (text, expected));
  g_assert_null (strchr (text, '\n'));
  g_assert_true (g_str_has_suffix (text, "."));
}

static void
test_cli (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(JsonObject) device = NULL;
  g_autoptr(JsonNode) deleted = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *path = g_strconcat ("/api/devices/", fixture->device_key, NULL);
  g_autofree char *expected = NULL;

  if (g_getenv ("UMT_CLI") == NULL)
    {
      g_test_skip ("UMT_CLI is not set");
      return;
    }

  /* Not registered: bad usage, nothing made. */
  g_assert_cmpint (run_umt (&out, &err, "ssh-key", "publish", NULL), ==, 2);
  assert_one_sentence (err, "not registered");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_umt (&out, &err, "ssh-key", "show", NULL), ==, 1);
  assert_one_sentence (err, "no SSH key yet");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  register_device (fixture);
  g_assert_cmpint (run_umt (&out, &err, "ssh-key", "publish", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_true (umt_ssh_key_load_sync (fixture->key, NULL));
  expected = g_strdup_printf ("Fingerprint: %s\n", umt_ssh_key_get_fingerprint (fixture->key));
  g_assert_nonnull (strstr (out, expected));
  device = umt_test_sim_get_device (fixture->sim, fixture->device_key);
  g_assert_cmpstr (json_object_get_string_member (device, "ssh_pubkey"), ==,
                   umt_ssh_key_get_public_key (fixture->key));
  assert_known_hosts (umt_ssh_key_get_known_hosts_path (fixture->key), "127.0.0.1");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_umt (&out, &err, "ssh-key", "show", NULL), ==, 0);
  g_assert_nonnull (strstr (out, expected));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The server no longer knows the device: the operation failed. */
  deleted = umt_test_sim_request (fixture->sim, "DELETE", path, NULL, NULL);
  g_assert_cmpint (run_umt (&out, &err, "ssh-key", "publish", NULL), ==, 1);
  assert_one_sentence (err, "");
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_umt (&out, &err, "ssh-key", "frobnicate", NULL), ==, 2);
  assert_one_sentence (err, "frobnicate");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ssh-key/known-hosts-text", test_known_hosts_text);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ssh-key/generate", test_generate);
  ADD ("/ssh-key/reuse", test_reuse);
  ADD ("/ssh-key/concurrent", test_concurrent);
  ADD ("/ssh-key/no-keygen", test_no_keygen);
  ADD ("/ssh-key/publish", test_publish);
  ADD ("/ssh-key/unregistered", test_unregistered);
  ADD ("/ssh-key/device-gone", test_device_gone);
  ADD ("/ssh-key/cli", test_cli);
#undef ADD

  return g_test_run ();
}
