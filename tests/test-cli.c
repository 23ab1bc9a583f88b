/* test-cli.c: the `umt` command end to end, as a script would run it, against meeting-sim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-test-cli"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "umt-device-key.h"
#include "umt-secret-store.h"
#include "umt-test-sim.h"
#include "umt-test-util.h"

typedef struct
{
  UmtTestSim *sim;
  char       *dir;       /* everything the command may write goes below */
  char       *config;
  char       *state;
  char       *home;
  char      **env;
  char       *out;       /* of the last run */
  char       *err;
  gboolean    disk_full; /* umt may write no file larger than 1 KiB */
} Fixture;

static void
fixture_set_env (Fixture    *fixture,
                 const char *name,
                 const char *value)
{
  fixture->env = value != NULL ? g_environ_setenv (fixture->env, name, value, TRUE)
                               : g_environ_unsetenv (fixture->env, name);
}

/* In the child before exec: writes past 1 KiB fail (EFBIG) as on a nearly
 * full disk, without a signal. */
static void
limit_file_size (gpointer data)
{
  struct rlimit limit = { 1024, 1024 };

  signal (SIGXFSZ, SIG_IGN);
  setrlimit (RLIMIT_FSIZE, &limit);
}

static GSubprocess *
spawn_umt (Fixture            *fixture,
           GSubprocessFlags    flags,
           const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, (char *) g_getenv ("UMT_CLI"));
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_environ (launcher, fixture->env);
  if (fixture->disk_full)
    g_subprocess_launcher_set_child_setup (launcher, limit_file_size, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

/* Runs umt with @stdin_text (may be NULL) and the arguments; keeps stdout
 * and stderr in the fixture and returns the exit status. */
static int
run_stdin (Fixture    *fixture,
           const char *stdin_text,
           const char *first_arg,
           ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  va_list ap;

  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  process = spawn_umt (fixture, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                G_SUBPROCESS_FLAGS_STDERR_PIPE,
                       (const char * const *) args->pdata);
  g_clear_pointer (&fixture->out, g_free);
  g_clear_pointer (&fixture->err, g_free);
  g_subprocess_communicate_utf8 (process, stdin_text != NULL ? stdin_text : "", NULL,
                                 &fixture->out, &fixture->err, &error);
  g_assert_no_error (error);
  g_test_message ("umt %s → %d\nstdout: %s\nstderr: %s", first_arg,
                  g_subprocess_get_exit_status (process), fixture->out, fixture->err);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

#define run(fixture, ...) run_stdin (fixture, NULL, __VA_ARGS__, NULL)

/* "one plain sentence on stderr": one line, ending like a sentence. */
static void
assert_one_sentence (Fixture    *fixture,
                     const char *expected)
{
  g_autofree char *text = g_strstrip (g_strdup (fixture->err));

  g_assert_nonnull (strstr (text, expected));
  g_assert_null (strchr (text, '\n'));
  g_assert_true (g_str_has_suffix (text, "."));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->sim = umt_test_sim_start (NULL, NULL);
  fixture->dir = g_dir_make_tmp ("umt-test-cli-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->config = g_build_filename (fixture->dir, "config", NULL);
  fixture->state = g_build_filename (fixture->dir, "state", NULL);
  fixture->home = g_build_filename (fixture->dir, "home", NULL);
  g_assert_cmpint (g_mkdir (fixture->home, 0700), ==, 0);

  fixture->env = g_get_environ ();
  fixture_set_env (fixture, "XDG_CONFIG_HOME", fixture->config);
  fixture_set_env (fixture, "XDG_STATE_HOME", fixture->state);
  fixture_set_env (fixture, "XDG_DATA_HOME", fixture->home);
  fixture_set_env (fixture, "HOME", fixture->home);
  fixture_set_env (fixture, "MEETING_SERVER_URL", fixture->sim->url);
  /* The sentences looked for are English, whatever the session's language. */
  fixture_set_env (fixture, "LANGUAGE", "en");

  /* No lookups of the public address on the internet from a test. */
  g_assert_cmpint (run (fixture, "profile", "set", "production", "public_ip_lookup", "false"), ==, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  umt_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->sim, umt_test_sim_free);
  g_free (fixture->dir);
  g_free (fixture->config);
  g_free (fixture->state);
  g_free (fixture->home);
  g_strfreev (fixture->env);
  g_free (fixture->out);
  g_free (fixture->err);
}

static guint
count_requests (Fixture *fixture)
{
  guint status = 0;
  g_autoptr(JsonNode) node = umt_test_sim_request (fixture->sim, "GET", "/__sim/requests", NULL, &status);

  g_assert_cmpuint (status, ==, 200);
  return json_array_get_length (json_object_get_array_member (json_node_get_object (node), "requests"));
}

static void
clear_requests (Fixture *fixture)
{
  guint status = 0;
  g_autoptr(JsonNode) node = umt_test_sim_request (fixture->sim, "DELETE", "/__sim/requests", NULL, &status);

  g_assert_cmpuint (status / 100, ==, 2);
}

static gint64
heartbeat_count (Fixture    *fixture,
                 const char *device_key)
{
  g_autoptr(JsonObject) device = umt_test_sim_get_device (fixture->sim, device_key);

  return json_object_get_int_member (device, "heartbeat_count");
}

/* Creates a device on the sim and registers it with `umt register`. */
static char *
register_device (Fixture  *fixture,
                 char    **token_out)
{
  g_autofree char *token = NULL;
  g_autofree char *lower = NULL;
  char *key = umt_test_sim_create_device (fixture->sim, NULL, &token);

  lower = g_ascii_strdown (token, -1);
  g_assert_cmpint (run (fixture, "register", "--device-key", key, "--token", lower), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "Registered device"));
  if (token_out != NULL)
    *token_out = g_steal_pointer (&token);
  return key;
}

static JsonObject *
status_json (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_assert_cmpint (run (fixture, "status", "--json"), ==, 0);
  node = json_from_string (fixture->out, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static void
test_usage (Fixture       *fixture,
            gconstpointer  data)
{
  g_assert_cmpint (run (fixture, "--help"), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "register"));
  g_assert_cmpint (run (fixture, "register", "--help"), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "--device-key"));

  g_assert_cmpint (run_stdin (fixture, NULL, NULL), ==, 2);
  assert_one_sentence (fixture, "No command");
  g_assert_cmpint (run (fixture, "frobnicate"), ==, 2);
  assert_one_sentence (fixture, "Unknown command");
  g_assert_cmpint (run (fixture, "status", "--bogus"), ==, 2);
  assert_one_sentence (fixture, "--bogus");
  g_assert_cmpint (run (fixture, "--server", "ftp://example.org", "status"), ==, 2);
  g_assert_cmpint (run (fixture, "--profile", "nosuch", "status"), ==, 2);
  assert_one_sentence (fixture, "nosuch");
}

static void
test_register_bad_input (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *bad_tokens[] = { "12345", "1234567", "GHIJKL", "12 456", "" };
  g_autofree char *key = umt_test_sim_create_device (fixture->sim, NULL, NULL);

  clear_requests (fixture);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_tokens); i++)
    {
      g_assert_cmpint (run (fixture, "register", "--device-key", key, "--token", bad_tokens[i]), ==, 2);
      g_assert_cmpuint (strlen (fixture->err), >, 0);
      assert_one_sentence (fixture, "");
    }
  g_assert_cmpint (run (fixture, "register", "--device-key", key), ==, 2);
  assert_one_sentence (fixture, "token");
  g_assert_cmpint (run_stdin (fixture, "XYZ\n", "register", "--device-key", key, NULL), ==, 2);
  assert_one_sentence (fixture, "6 hexadecimal");
  g_assert_cmpint (run (fixture, "register", "--device-key", "bad key!", "--token", "ABC123"), ==, 2);
  assert_one_sentence (fixture, "");

  /* Refused before anything reached the server. */
  g_assert_cmpuint (count_requests (fixture), ==, 0);
}

static void
test_register_refusals (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autofree char *key = umt_test_sim_create_device (fixture->sim, NULL, &token);
  g_autoptr(JsonObject) status = NULL;
  const char *wrong = g_str_equal (token, "ABCDEF") ? "FEDCBA" : "ABCDEF";

  g_assert_cmpint (run (fixture, "register", "--device-key", "UNKNOWN-DEVICE", "--token", token), ==, 1);
  assert_one_sentence (fixture, "not known");

  g_assert_cmpint (run (fixture, "register", "--device-key", key, "--token", wrong), ==, 1);
  assert_one_sentence (fixture, "invalid or has expired");

  status = status_json (fixture);
  g_assert_false (json_object_get_boolean_member (status, "registered"));

  /* The code may come on stdin, out of other users' sight. */
  g_assert_cmpint (run_stdin (fixture, "\n", "register", "--device-key", key, NULL), ==, 2);
  assert_one_sentence (fixture, "standard input");
  g_assert_cmpint (run_stdin (fixture, token, "register", "--device-key", key, "--token", "-", NULL), ==, 0);
  g_assert_cmpint (run (fixture, "register", "--device-key", key, "--token", token), ==, 1);
  assert_one_sentence (fixture, "already registered");
}

/* What the server and the core say reaches a French user in French. */
static void
test_register_french (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autofree char *key = umt_test_sim_create_device (fixture->sim, NULL, &token);
  const char *wrong = g_str_equal (token, "ABCDEF") ? "FEDCBA" : "ABCDEF";

  /* LANGUAGE is ignored in the "C" locale; C.UTF-8 exists everywhere. */
  fixture_set_env (fixture, "LC_ALL", "C.UTF-8");
  fixture_set_env (fixture, "LANGUAGE", "fr");

  g_assert_cmpint (run (fixture, "register", "--device-key", key, "--token", wrong), ==, 1);
  assert_one_sentence (fixture, "Le jeton d’enregistrement est invalide ou a expiré.");
  g_assert_cmpint (run (fixture, "register", "--device-key", "UNKNOWN-DEVICE", "--token", token), ==, 1);
  assert_one_sentence (fixture, "Le serveur Meeting ne connaît pas cet appareil.");
  g_assert_cmpint (run (fixture, "register", "--device-key", key, "--token", "XYZ"), ==, 2);
  assert_one_sentence (fixture, "exactement 6 caractères hexadécimaux");
  g_assert_cmpint (run (fixture, "register", "--device-key", "bad key!", "--token", token), ==, 2);
  assert_one_sentence (fixture, "Le champ « clé d’appareil » ne peut contenir que");

  /* Nothing the server cannot reach stays in English either. */
  g_assert_cmpint (run (fixture, "--server", "http://127.0.0.1:1", "register",
                        "--device-key", key, "--token", token), ==, 1);
  assert_one_sentence (fixture, "Impossible de se connecter à 127.0.0.1");
  g_assert_null (strstr (fixture->err, "Could not"));

  /* And what the command itself says once it succeeds. */
  g_assert_cmpint (run (fixture, "register", "--device-key", key, "--token", token), ==, 0);
  g_assert_true (g_str_has_prefix (fixture->out, "Appareil "));
  g_assert_nonnull (strstr (fixture->out, " enregistré auprès de "));
  g_assert_cmpint (run (fixture, "heartbeat"), ==, 0);
  g_assert_true (g_str_has_prefix (fixture->out, "Pulsation envoyée ; "));
  g_assert_cmpint (run (fixture, "unregister"), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "n’est plus enregistré sur cet ordinateur."));
}

/* The server burns the token when it accepts it: with no room to save the
 * registration, nothing is sent and the token still works afterwards. */
static void
test_register_disk_full (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autofree char *key = umt_test_sim_create_device (fixture->sim, NULL, &token);
  g_autoptr(JsonObject) device = NULL;

  clear_requests (fixture);
  fixture->disk_full = TRUE;
  g_assert_cmpint (run (fixture, "register", "--device-key", key, "--token", token), ==, 1);
  assert_one_sentence (fixture, "nothing was sent to the server and the token is still valid");
  g_assert_cmpuint (count_requests (fixture), ==, 0);

  fixture->disk_full = FALSE;
  g_assert_cmpint (run (fixture, "register", "--device-key", key, "--token", token), ==, 0);
  device = umt_test_sim_get_device (fixture->sim, key);
  g_assert_true (json_object_get_boolean_member (device, "registered"));
}

/* With no room for the new file, an edit changes nothing and says so. */
static void
test_profile_disk_full (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->config, "updates-manager-tool",
                                            "profiles.json", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *note = g_strnfill (1500, 'n');

  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));
  fixture->disk_full = TRUE;
  g_assert_cmpint (run (fixture, "profile", "set", "production", "note", note), ==, 1);
  assert_one_sentence (fixture, "Could not save");
  fixture->disk_full = FALSE;

  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
}

static void
test_register_status (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *key = NULL;
  g_autofree char *kept = NULL;
  g_autoptr(JsonObject) status = status_json (fixture);
  g_autoptr(JsonObject) device = NULL;

  g_assert_false (json_object_get_boolean_member (status, "registered"));
  g_clear_pointer (&status, json_object_unref);

  key = register_device (fixture, &token);
  device = umt_test_sim_get_device (fixture->sim, key);
  g_assert_true (json_object_get_boolean_member (device, "registered"));

  status = status_json (fixture);
  g_assert_true (json_object_get_boolean_member (status, "registered"));
  g_assert_cmpstr (json_object_get_string_member (status, "device_key"), ==, key);
  g_assert_cmpstr (json_object_get_string_member (status, "server_url"), ==, fixture->sim->url);
  g_assert_cmpstr (json_object_get_string_member (status, "profile"), ==, "production");
  g_assert_true (json_object_get_boolean_member (status, "server_url_overridden"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (status, "server"),
                                                 "reachable"));

  g_assert_cmpint (run (fixture, "status"), ==, 0);
  g_assert_nonnull (strstr (fixture->out, key));
  g_assert_nonnull (strstr (fixture->out, "MEETING_SERVER_URL"));

  /* The token is kept for the tunnel, upper-cased. */
  kept = umt_secret_store_lookup_tunnel_token_sync (key, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kept, ==, token);

  /* An unreachable server is no failure of status. */
  g_assert_cmpint (run (fixture, "--server", "http://127.0.0.1:1", "status"), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "not reachable"));
}

static void
test_register_suggested_key (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *suggested = umt_device_key_suggest (NULL, &error);
  g_autofree char *token = NULL;
  g_autofree char *key = NULL;
  g_autoptr(JsonObject) status = NULL;

  if (suggested == NULL)
    {
      g_test_skip ("This machine has no machine id to suggest a key from");
      return;
    }

  key = umt_test_sim_create_device (fixture->sim, suggested, &token);
  g_assert_cmpint (run (fixture, "register", "--token", token), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "suggested"));
  g_assert_nonnull (strstr (fixture->out, suggested));

  status = status_json (fixture);
  g_assert_cmpstr (json_object_get_string_member (status, "device_key"), ==, suggested);
}

static void
test_heartbeat (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *key = NULL;
  gint64 before;

  g_assert_cmpint (run (fixture, "heartbeat"), ==, 2);
  assert_one_sentence (fixture, "not registered");

  key = register_device (fixture, NULL);
  before = heartbeat_count (fixture, key);
  g_assert_cmpint (run (fixture, "heartbeat"), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "last saw"));
  g_assert_cmpint (heartbeat_count (fixture, key), ==, before + 1);

  {
    g_autofree char *fault = g_strdup_printf ("{\"path\":\"/api/devices/%s/online\",\"status\":404,"
                                              "\"body\":\"{\\\"error\\\":\\\"Device not found\\\"}\"}", key);

    umt_test_sim_add_fault (fixture->sim, fault);
    g_assert_cmpint (run (fixture, "heartbeat"), ==, 1);
    assert_one_sentence (fixture, "not known");
    umt_test_sim_clear_faults (fixture->sim);
  }

  g_assert_cmpint (run (fixture, "--server", "http://127.0.0.1:1", "heartbeat"), ==, 1);
  assert_one_sentence (fixture, "");
}

static void
test_unregister (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = register_device (fixture, NULL);
  g_autofree char *state_file = g_build_filename (fixture->config, "updates-manager-tool",
                                                  "device_info.json", NULL);
  g_autofree char *kept = NULL;
  g_autoptr(JsonObject) status = NULL;

  g_assert_true (g_file_test (state_file, G_FILE_TEST_EXISTS));
  g_assert_cmpint (run (fixture, "unregister"), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "new token"));
  g_assert_false (g_file_test (state_file, G_FILE_TEST_EXISTS));

  kept = umt_secret_store_lookup_tunnel_token_sync (key, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (kept);

  status = status_json (fixture);
  g_assert_false (json_object_get_boolean_member (status, "registered"));

  g_assert_cmpint (run (fixture, "unregister"), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "not registered"));
}

static JsonObject *
read_profiles (Fixture *fixture)
{
  g_autofree char *path = g_build_filename (fixture->config, "updates-manager-tool", "profiles.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JsonObject *
find_profile (JsonObject *profiles,
              const char *name)
{
  JsonArray *list = json_object_get_array_member (profiles, "profiles");

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *profile = json_array_get_object_element (list, i);

      if (g_str_equal (json_object_get_string_member (profile, "name"), name))
        return profile;
    }
  return NULL;
}

static void
test_profiles (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(JsonObject) profiles = NULL;

  g_assert_cmpint (run (fixture, "profile", "list"), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "* production"));

  g_assert_cmpint (run (fixture, "profile", "add", "staging", "https://staging.example.org"), ==, 0);
  g_assert_cmpint (run (fixture, "profile", "add", "staging", "https://staging.example.org"), ==, 2);
  assert_one_sentence (fixture, "staging");
  g_assert_cmpint (run (fixture, "profile", "add", "bad name!", "https://example.org"), ==, 2);
  assert_one_sentence (fixture, "");
  g_assert_cmpint (run (fixture, "profile", "add", "plain", "http://example.org"), ==, 2);
  assert_one_sentence (fixture, "");
  g_assert_cmpint (run (fixture, "profile", "add", "onlyname"), ==, 2);
  assert_one_sentence (fixture, "");

  g_assert_cmpint (run (fixture, "profile", "use", "staging"), ==, 0);
  g_assert_cmpint (run (fixture, "profile", "use", "nosuch"), ==, 2);
  assert_one_sentence (fixture, "");
  g_assert_cmpint (run (fixture, "profile", "set", "staging", "timeout", "7"), ==, 0);
  g_assert_cmpint (run (fixture, "profile", "set", "staging", "heartbeat_interval", "5"), ==, 2);
  assert_one_sentence (fixture, "");
  g_assert_cmpint (run (fixture, "profile", "set", "staging", "colour", "blue"), ==, 2);
  assert_one_sentence (fixture, "");

  profiles = read_profiles (fixture);
  g_assert_cmpstr (json_object_get_string_member (profiles, "active"), ==, "staging");
  g_assert_nonnull (find_profile (profiles, "staging"));
  g_assert_cmpint (json_object_get_int_member (find_profile (profiles, "staging"), "timeout"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (find_profile (profiles, "staging"), "heartbeat_interval"), ==, 60);
  g_clear_pointer (&profiles, json_object_unref);

  g_assert_cmpint (run (fixture, "profile", "list"), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "* staging"));

  /* The active profile stays until another one is used. */
  g_assert_cmpint (run (fixture, "profile", "remove", "staging"), !=, 0);
  assert_one_sentence (fixture, "");
  g_assert_cmpint (run (fixture, "profile", "use", "production"), ==, 0);
  g_assert_cmpint (run (fixture, "profile", "remove", "staging"), ==, 0);

  profiles = read_profiles (fixture);
  g_assert_null (find_profile (profiles, "staging"));
  g_assert_cmpstr (json_object_get_string_member (profiles, "active"), ==, "production");
}

/* Files may hold NUL bytes: search the raw bytes. */
static gboolean
bytes_contain (const char *data,
               gsize       length,
               const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= length; i++)
    if (memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
tree_contains (const char *path,
               const char *needle)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          if (tree_contains (child, needle))
            return TRUE;
          continue;
        }
      g_assert_true (g_file_get_contents (child, &contents, &length, NULL));
      if (bytes_contain (contents, length, needle))
        {
          g_test_message ("%s contains a secret", child);
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_token_secrecy (Fixture       *fixture,
                    gconstpointer  data)
{
  const char *profile_token = "profile-secret-8f3a2c91";
  g_autoptr(GError) error = NULL;
  g_autofree char *registration_token = NULL;
  g_autofree char *key = register_device (fixture, &registration_token);
  g_autofree char *kept = NULL;
  g_autofree char *log = g_build_filename (fixture->state, "updates-manager-tool", "logs", "app.log", NULL);

  g_assert_cmpint (run_stdin (fixture, "\n", "token", "set", NULL), ==, 2);
  assert_one_sentence (fixture, "standard input");

  /* A token the Authorization header could not carry as typed is refused, not kept. */
  g_assert_cmpint (run_stdin (fixture, "profile\rsecret\n", "token", "set", "--profile", "production", NULL), ==, 2);
  assert_one_sentence (fixture, "control characters");
  g_assert_cmpint (run_stdin (fixture, "profile\x1b[2Jsecret", "token", "set", "--profile", "production", NULL), ==, 2);
  g_assert_cmpint (run_stdin (fixture, "profile\xff\xfesecret", "token", "set", "--profile", "production", NULL), ==, 2);
  assert_one_sentence (fixture, "not UTF-8");
  kept = umt_secret_store_lookup_sync (UMT_SECRET_PROFILE_TOKEN, "production",
                                       "https://meeting.ygsoft.fr", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (kept);

  g_assert_cmpint (run_stdin (fixture, profile_token, "token", "set", "--profile", "production", NULL), ==, 0);
  g_assert_cmpint (run (fixture, "heartbeat"), ==, 0);

  kept = umt_secret_store_lookup_sync (UMT_SECRET_PROFILE_TOKEN, "production",
                                       "https://meeting.ygsoft.fr", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kept, ==, profile_token);

  /* The log exists and says what happened, but no file anywhere holds a token. */
  g_assert_true (g_file_test (log, G_FILE_TEST_EXISTS));
  g_assert_false (tree_contains (fixture->config, registration_token));
  g_assert_false (tree_contains (fixture->state, registration_token));
  g_assert_false (tree_contains (fixture->home, registration_token));
  g_assert_false (tree_contains (fixture->config, profile_token));
  g_assert_false (tree_contains (fixture->state, profile_token));
  g_assert_false (tree_contains (fixture->home, profile_token));

  g_assert_cmpint (run (fixture, "token", "clear"), ==, 0);
  g_clear_pointer (&kept, g_free);
  kept = umt_secret_store_lookup_sync (UMT_SECRET_PROFILE_TOKEN, "production",
                                       "https://meeting.ygsoft.fr", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (kept);

  g_assert_cmpint (run (fixture, "token", "rotate"), ==, 2);
  assert_one_sentence (fixture, "");
}

/* Starts every command of @commands at once and waits for them all. */
static void
run_all_at_once (Fixture  *fixture,
                 GPtrArray *commands)
{
  g_autoptr(GPtrArray) processes = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < commands->len; i++)
    g_ptr_array_add (processes, spawn_umt (fixture, G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                                           g_ptr_array_index (commands, i)));
  for (guint i = 0; i < processes->len; i++)
    {
      g_autoptr(GError) error = NULL;
      GSubprocess *process = g_ptr_array_index (processes, i);

      g_subprocess_wait_check (process, NULL, &error);
      g_assert_no_error (error);
    }
}

/* Processes that edit profiles.json at the same time each keep their edit:
 * none of them writes back a copy it read before another one saved. */
static void
test_profiles_concurrent (Fixture       *fixture,
                          gconstpointer  data)
{
  const char *keys[][2] = {
    { "timeout", "7" }, { "retries", "4" }, { "note", "lab" }, { "verify_tls", "false" },
    { "heartbeat_interval", "120" }, { "cluster_ip", "10.0.0.9" },
    { "public_ip_url", "https://ip.example.org" }, { "allow_insecure_http", "true" },
  };
  const guint n_processes = 10, n_rounds = 3;
  g_autoptr(JsonObject) profiles = NULL;
  g_autoptr(GPtrArray) commands = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  JsonObject *production;

  for (guint round = 0; round < n_rounds; round++)
    for (guint i = 0; i < n_processes; i++)
      {
        char *name = g_strdup_printf ("site-%u-%u", round, i);
        char *url = g_strdup_printf ("https://%s.example.org", name);
        char **argv = g_new0 (char *, 5);

        argv[0] = g_strdup ("profile");
        argv[1] = g_strdup ("add");
        argv[2] = name;
        argv[3] = url;
        g_ptr_array_add (commands, argv);
      }
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_ptr_array_add (commands, g_strdupv ((char *[]) { "profile", "set", "production",
                                                       (char *) keys[i][0], (char *) keys[i][1],
                                                       NULL }));
  run_all_at_once (fixture, commands);

  profiles = read_profiles (fixture);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (profiles, "profiles")),
                    ==, 1 + n_processes * n_rounds);
  for (guint round = 0; round < n_rounds; round++)
    for (guint i = 0; i < n_processes; i++)
      {
        g_autofree char *name = g_strdup_printf ("site-%u-%u", round, i);

        g_assert_nonnull (find_profile (profiles, name));
      }
  production = find_profile (profiles, "production");
  g_assert_cmpint (json_object_get_int_member (production, "timeout"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (production, "retries"), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (production, "note"), ==, "lab");
  g_assert_false (json_object_get_boolean_member (production, "verify_tls"));
  g_assert_cmpint (json_object_get_int_member (production, "heartbeat_interval"), ==, 120);
  g_assert_cmpstr (json_object_get_string_member (production, "cluster_ip"), ==, "10.0.0.9");
  g_assert_cmpstr (json_object_get_string_member (production, "public_ip_url"), ==,
                   "https://ip.example.org");
  g_assert_true (json_object_get_boolean_member (production, "allow_insecure_http"));
}

static void
test_token_no_keyring (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *dead = g_build_filename (fixture->dir, "no-bus", NULL);
  g_autofree char *address = g_strconcat ("unix:path=", dead, NULL);

  fixture_set_env (fixture, "DBUS_SESSION_BUS_ADDRESS", address);
  g_assert_cmpint (run_stdin (fixture, "some-token", "token", "set", NULL), ==, 1);
  assert_one_sentence (fixture, "gnome-keyring");
}

static void
test_run (Fixture       *fixture,
          gconstpointer  data)
{
  const char * const args[] = { "run", "--interval", "1", NULL };
  g_autofree char *key = register_device (fixture, NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) status = NULL;
  g_autofree char *owner_line = NULL;
  gint64 before = heartbeat_count (fixture, key);
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  process = spawn_umt (fixture, G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, args);
  while (heartbeat_count (fixture, key) < before + 3 && g_get_monotonic_time () < deadline)
    g_usleep (200 * 1000);
  g_assert_cmpint (heartbeat_count (fixture, key), >=, before + 3);

  /* One owner: a second `run` is refused while the first one beats, and told which. */
  g_assert_cmpint (run (fixture, "run", "--interval", "1"), ==, 1);
  assert_one_sentence (fixture, "“umt run” (process ");

  status = status_json (fixture);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (status, "heartbeat"), "state"),
                   ==, "active");
  /* Who runs it, as the JSON and the text say. */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (status, "heartbeat"), "owner"),
                   ==, "“umt run”");
  owner_line = g_strdup_printf ("Heartbeat:   active, run by “umt run” (process %s)",
                                g_subprocess_get_identifier (process));
  g_assert_cmpint (run (fixture, "status"), ==, 0);
  g_assert_nonnull (strstr (fixture->out, owner_line));

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  /* Its log went to stderr too. */
  g_assert_nonnull (strstr (err, "Heartbeat sent"));
}

static void
test_run_unregistered (Fixture       *fixture,
                       gconstpointer  data)
{
  g_assert_cmpint (run (fixture, "run", "--interval", "1"), ==, 2);
  assert_one_sentence (fixture, "not registered");
  g_assert_cmpint (run (fixture, "run", "--interval", "0"), ==, 2);
}

static void
test_diagnose (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *key = register_device (fixture, NULL);
  JsonArray *checks;
  guint n_ok = 0;

  umt_test_sim_authorize_device (fixture->sim, key);
  g_assert_cmpint (run (fixture, "diagnose", "--json"), ==, 0);
  node = json_from_string (fixture->out, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (node), "ok"));
  checks = json_object_get_array_member (json_node_get_object (node), "checks");
  for (guint i = 0; i < json_array_get_length (checks); i++)
    {
      JsonObject *check = json_array_get_object_element (checks, i);
      const char *name = json_object_get_string_member (check, "name");
      const char *result = json_object_get_string_member (check, "result");

      if (g_str_equal (name, "tls"))
        g_assert_cmpstr (result, ==, "skip");
      else
        {
          g_assert_cmpstr (result, ==, "ok");
          n_ok++;
        }
    }
  g_assert_cmpuint (n_ok, ==, 7);

  g_assert_cmpint (run (fixture, "--server", "http://127.0.0.1:1", "diagnose"), ==, 1);
  g_assert_nonnull (strstr (fixture->out, "fail  tcp"));
  assert_one_sentence (fixture, "");
}

/* The uid the tests run the system service as, one of those systemd gives
 * to a DynamicUser= service. */
#define SERVICE_UID 61184

/* Points `umt --system` at directories below the fixture's, as systemd sets
 * them for the unit, and systemd-creds at a host key of the test's own, so
 * that nothing of the machine's /etc, /var or credentials is touched.
 * Provisioning is root's: the tests skip without it. */
static gboolean
use_system_dirs (Fixture *fixture)
{
  const char * const dirs[][2] = {
    { "CONFIGURATION_DIRECTORY", "etc" },
    { "STATE_DIRECTORY", "lib" },
    { "LOGS_DIRECTORY", "log" },
    { "UMT_CREDSTORE_DIRECTORY", "credstore.encrypted" },
    { "SYSTEMD_CREDENTIAL_SECRET", "credential.secret" },
  };

  if (geteuid () != 0)
    {
      g_test_skip ("The system service is provisioned by root");
      return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (fixture->dir, dirs[i][1], NULL);
      fixture_set_env (fixture, dirs[i][0], path);
    }
  return TRUE;
}

static char *
system_path (Fixture    *fixture,
             const char *first_element,
             ...)
{
  g_autoptr(GPtrArray) elements = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (elements, fixture->dir);
  va_start (ap, first_element);
  for (const char *element = first_element; element != NULL; element = va_arg (ap, const char *))
    g_ptr_array_add (elements, (char *) element);
  va_end (ap);
  g_ptr_array_add (elements, NULL);
  return g_build_filenamev ((char **) elements->pdata);
}

/* `--system` keeps everything in the directories systemd gives the service,
 * and nothing in the invoking user's own. */
static void
test_system_dirs (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *etc = g_build_filename (fixture->dir, "etc", NULL);
  g_autofree char *log = g_build_filename (fixture->dir, "log", NULL);
  g_autofree char *system_info = g_build_filename (etc, "device_info.json", NULL);
  g_autofree char *user_info = g_build_filename (fixture->config, "updates-manager-tool",
                                                 "device_info.json", NULL);
  g_autofree char *system_log = g_build_filename (log, "app.log", NULL);
  g_autofree char *token = NULL;
  g_autofree char *key = umt_test_sim_create_device (fixture->sim, NULL, &token);
  g_autoptr(JsonObject) status = NULL;
  gint64 before;

  if (!use_system_dirs (fixture))
    return;

  g_assert_cmpint (run (fixture, "--system", "profile", "set", "production",
                        "public_ip_lookup", "false"), ==, 0);
  g_assert_cmpint (run_stdin (fixture, token, "--system", "register", "--device-key", key,
                              "--token", "-", "--no-enable", NULL), ==, 0);
  g_assert_true (g_file_test (system_info, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (user_info, G_FILE_TEST_EXISTS));

  /* The user's own instance is not the system's. */
  status = status_json (fixture);
  g_assert_false (json_object_get_boolean_member (status, "registered"));
  g_assert_cmpint (run (fixture, "--system", "status"), ==, 0);
  g_assert_nonnull (strstr (fixture->out, key));

  before = heartbeat_count (fixture, key);
  g_assert_cmpint (run (fixture, "--system", "heartbeat"), ==, 0);
  g_assert_cmpint (heartbeat_count (fixture, key), ==, before + 1);
  g_assert_true (g_file_test (system_log, G_FILE_TEST_IS_REGULAR));
}

/* What systemd does for the unit before starting it: the state and logs
 * directories belong to its dynamic user, the configuration stays root's,
 * and the credential is decrypted into $CREDENTIALS_DIRECTORY, readable by
 * the service only. @credential replaces what systemd-creds decrypts; ""
 * hands over no credential at all. */
static void
prepare_service (Fixture    *fixture,
                 const char *credential)
{
  const char * const owned[] = { "lib", "log", "credentials" };
  g_autofree char *credentials = system_path (fixture, "credentials", NULL);
  g_autofree char *decrypted = system_path (fixture, "credentials",
                                            "updates-manager-tool.token", NULL);
  g_autofree char *encrypted = system_path (fixture, "credstore.encrypted",
                                            "updates-manager-tool.token", NULL);
  g_autoptr(GError) error = NULL;

  /* The service's user must get through the test's own directory. */
  g_assert_cmpint (g_chmod (fixture->dir, 0711), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (credentials, 0700), ==, 0);
  g_unlink (decrypted);
  if (credential == NULL)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      g_autoptr(GSubprocess) decrypt = NULL;

      g_subprocess_launcher_set_environ (launcher, fixture->env);
      decrypt = g_subprocess_launcher_spawn (launcher, &error, "systemd-creds", "decrypt",
                                             "--name=updates-manager-tool.token",
                                             encrypted, decrypted, NULL);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_wait_check (decrypt, NULL, &error));
      g_assert_no_error (error);
    }
  else if (*credential != '\0')
    {
      g_assert_true (g_file_set_contents (decrypted, credential, -1, &error));
      g_assert_no_error (error);
    }
  if (g_file_test (decrypted, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (g_chmod (decrypted, 0400), ==, 0);
      g_assert_cmpint (chown (decrypted, SERVICE_UID, SERVICE_UID), ==, 0);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (owned); i++)
    {
      g_autofree char *dir = system_path (fixture, owned[i], NULL);
      g_autoptr(GDir) entries = NULL;
      const char *name;

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_assert_cmpint (chown (dir, SERVICE_UID, SERVICE_UID), ==, 0);
      entries = g_dir_open (dir, 0, &error);
      g_assert_no_error (error);
      while ((name = g_dir_read_name (entries)) != NULL)
        {
          g_autofree char *child = g_build_filename (dir, name, NULL);
          /* One level is all root leaves there; lchown never follows a link. */
          g_assert_cmpint (lchown (child, SERVICE_UID, SERVICE_UID), ==, 0);
        }
    }
}

/* `umt --system run`, the unit's command, as systemd runs it: as the
 * dynamic user, with the unit's directories and credentials, and nothing of
 * the test's environment but what finds the build's programs and keeps
 * warnings fatal and settings in memory. */
static GSubprocess *
spawn_service (Fixture          *fixture,
               GSubprocessFlags  flags)
{
  const char * const kept[] = {
    "PATH", "CONFIGURATION_DIRECTORY", "STATE_DIRECTORY", "LOGS_DIRECTORY", "UMT_TUNNEL_AGENT",
    "G_DEBUG", "GSETTINGS_BACKEND",
    /* The sanitizer run's settings (meson test --setup sanitize). */
    "ASAN_OPTIONS", "UBSAN_OPTIONS", "GIO_USE_PROXY_RESOLVER",
  };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autofree char *credentials = system_path (fixture, "credentials", NULL);
  g_autofree char *uid = g_strdup_printf ("--reuid=%d", SERVICE_UID);
  g_autofree char *gid = g_strdup_printf ("--regid=%d", SERVICE_UID);
  g_auto(GStrv) env = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  env = g_environ_setenv (NULL, "HOME", "/", TRUE);
  env = g_environ_setenv (env, "CREDENTIALS_DIRECTORY", credentials, TRUE);
  for (gsize i = 0; i < G_N_ELEMENTS (kept); i++)
    if (g_environ_getenv (fixture->env, kept[i]) != NULL)
      env = g_environ_setenv (env, kept[i], g_environ_getenv (fixture->env, kept[i]), TRUE);
  g_subprocess_launcher_set_environ (launcher, env);
  process = g_subprocess_launcher_spawn (launcher, &error, "setpriv", uid, gid, "--clear-groups",
                                         "--", g_getenv ("UMT_CLI"), "--system", "run", NULL);
  g_assert_no_error (error);
  return process;
}

/* Runs the service to its end and keeps its stderr; returns its exit status. */
static int
run_service (Fixture *fixture)
{
  g_autoptr(GSubprocess) process = spawn_service (fixture, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                           G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&fixture->err, g_free);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &fixture->err, &error);
  g_assert_no_error (error);
  g_test_message ("umt --system run → %d\nstderr: %s", g_subprocess_get_exit_status (process),
                  fixture->err);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* Provisions the system service's device as a script would: the server in
 * the system profile, the token on stdin, the unit left alone. */
static char *
provision_system_device (Fixture  *fixture,
                         char    **token_out)
{
  g_autofree char *token = NULL;
  char *key = umt_test_sim_create_device (fixture->sim, NULL, &token);

  fixture_set_env (fixture, "MEETING_SERVER_URL", NULL);
  g_assert_cmpint (run (fixture, "--system", "profile", "set", "production", "base_url",
                        fixture->sim->url), ==, 0);
  g_assert_cmpint (run (fixture, "--system", "profile", "set", "production",
                        "public_ip_lookup", "false"), ==, 0);
  g_assert_cmpint (run_stdin (fixture, token, "--system", "register", "--device-key", key,
                              "--token", "-", "--no-enable", NULL), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "Registered device"));
  if (token_out != NULL)
    *token_out = g_steal_pointer (&token);
  return key;
}

static void
assert_mode (const char *path,
             guint       mode)
{
  GStatBuf info;

  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpuint (info.st_mode & 07777, ==, mode);
}

/* No file below @path holds @secret, whatever its kind. */
static void
assert_secret_nowhere (const char *path,
                       const char *secret)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        assert_secret_nowhere (child, secret);
      else if (g_file_get_contents (child, &contents, &length, NULL))
        {
          g_test_message ("Looking for the token in %s", child);
          gsize secret_length = strlen (secret);

          for (gsize i = 0; i + secret_length <= length; i++)
            g_assert_true (memcmp (contents + i, secret, secret_length) != 0);
        }
    }
}

static gboolean
service_is_online (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *tunnel;

  g_assert_cmpint (run (fixture, "--system", "tunnel", "status", "--json"), ==, 0);
  node = json_from_string (fixture->out, NULL);
  g_assert_nonnull (node);
  tunnel = json_node_get_object (node);
  return g_strcmp0 (json_object_get_string_member (tunnel, "state"), "connected") == 0;
}

/* From provisioning to a device online with no one logged in: the encrypted
 * credential is all the service gets of the token, and the token is in no
 * file that either of them writes. */
static void
test_system_service (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autofree char *key = NULL;
  g_autofree char *credential = system_path (fixture, "credstore.encrypted",
                                             "updates-manager-tool.token", NULL);
  g_autofree char *etc = system_path (fixture, "etc", NULL);
  g_autofree char *info = system_path (fixture, "etc", "device_info.json", NULL);
  g_autofree char *proxy_port = NULL;
  g_autoptr(GSubprocess) service = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) status = NULL;
  const char * const written[] = { "etc", "lib", "log", "credstore.encrypted" };
  const char *profile_token = "profile-token-of-the-system-service";
  g_autofree char *heartbeat = system_path (fixture, "lib", "heartbeat.json", NULL);
  GStatBuf heartbeat_info;
  guint requests;
  gint64 beats;

  if (!use_system_dirs (fixture))
    return;
  /* This one needs the sim's tunnel proxy. */
  umt_test_sim_free (fixture->sim);
  fixture->sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  proxy_port = g_strdup_printf ("%u", fixture->sim->proxy_port);

  key = provision_system_device (fixture, &token);
  g_assert_true (g_file_test (credential, G_FILE_TEST_IS_REGULAR));
  assert_mode (credential, 0600);
  /* Read by the service's user, written by root only; no secret in it. */
  assert_mode (etc, 0755);
  assert_mode (info, 0644);

  /* A provisioning script runs it every time: no second registration. */
  requests = count_requests (fixture);
  g_assert_cmpint (run_stdin (fixture, token, "--system", "register", "--device-key", key,
                              "--token", "-", "--no-enable", NULL), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "already registered"));
  g_assert_cmpuint (count_requests (fixture), ==, requests);

  /* A profile's token joins the device's in the same credential. */
  g_assert_cmpint (run_stdin (fixture, profile_token, "--system", "token", "set", NULL), ==, 0);

  /* Root's diagnosis reads the credential as the service will (of a device
   * its administrator let in: one that is not authorized fails a check). */
  umt_test_sim_authorize_device (fixture->sim, key);
  g_assert_cmpint (run (fixture, "--system", "diagnose"), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "The system service's credential can be read."));

  /* A user of the computer sees who keeps the device online. */
  status = status_json (fixture);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (status, "system_service"),
                                                  "device_key"), ==, key);
  g_assert_cmpint (run (fixture, "status"), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "System service: keeps device"));

  g_assert_cmpint (run (fixture, "--system", "profile", "set", "production",
                        "tunnel_enabled", "true"), ==, 0);
  g_assert_cmpint (run (fixture, "--system", "profile", "set", "production",
                        "tunnel_proxy_host", "127.0.0.1"), ==, 0);
  g_assert_cmpint (run (fixture, "--system", "profile", "set", "production",
                        "tunnel_proxy_port", proxy_port), ==, 0);

  beats = heartbeat_count (fixture, key);
  prepare_service (fixture, NULL);
  service = spawn_service (fixture, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                    G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  umt_test_iterate_until (service_is_online, fixture);
  g_assert_cmpint (heartbeat_count (fixture, key), >, beats);
  g_assert_cmpint (run (fixture, "--system", "status", "--json"), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "\"active\""));

  g_subprocess_send_signal (service, SIGTERM);
  g_assert_true (g_subprocess_wait (service, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (service));
  g_assert_cmpint (g_subprocess_get_exit_status (service), ==, 0);
  /* It ran as its own user, not as root. */
  g_assert_cmpint (g_stat (heartbeat, &heartbeat_info), ==, 0);
  g_assert_cmpint (heartbeat_info.st_uid, ==, SERVICE_UID);

  /* Only systemd's own copy in $CREDENTIALS_DIRECTORY holds it in clear. */
  for (gsize i = 0; i < G_N_ELEMENTS (written); i++)
    {
      g_autofree char *path = system_path (fixture, written[i], NULL);
      assert_secret_nowhere (path, token);
      assert_secret_nowhere (path, profile_token);
    }

  /* The credential goes with the last token it held. */
  g_assert_cmpint (run (fixture, "--system", "unregister"), ==, 0);
  g_assert_true (g_file_test (credential, G_FILE_TEST_EXISTS));
  g_assert_cmpint (run (fixture, "--system", "token", "clear"), ==, 0);
  g_assert_false (g_file_test (credential, G_FILE_TEST_EXISTS));
}

/* Provisioning enables the unit, and restarts it for a new registration;
 * systemd is not running here, so a systemctl of the test's own answers. */
static void
test_system_enable (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *bin = system_path (fixture, "bin", NULL);
  g_autofree char *systemctl = system_path (fixture, "bin", "systemctl", NULL);
  g_autofree char *calls = system_path (fixture, "systemctl-calls", NULL);
  g_autofree char *refusal = system_path (fixture, "systemctl-refuses", NULL);
  g_autofree char *script = NULL;
  g_autofree char *path = NULL;
  g_autofree char *called = NULL;
  g_autofree char *token = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GError) error = NULL;

  if (!use_system_dirs (fixture))
    return;
  script = g_strdup_printf ("#!/bin/sh\n"
                            "echo \"$*\" >> '%s'\n"
                            "if [ -e '%s' ]; then\n"
                            "  echo \"Failed to enable unit: Unit file $2 does not exist.\" >&2\n"
                            "  exit 1\n"
                            "fi\n", calls, refusal);
  g_assert_cmpint (g_mkdir (bin, 0755), ==, 0);
  g_assert_true (g_file_set_contents (systemctl, script, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (systemctl, 0755), ==, 0);
  path = g_strdup_printf ("%s:%s", bin, g_environ_getenv (fixture->env, "PATH"));
  fixture_set_env (fixture, "PATH", path);

  key = umt_test_sim_create_device (fixture->sim, NULL, &token);
  g_assert_cmpint (run (fixture, "--system", "profile", "set", "production",
                        "public_ip_lookup", "false"), ==, 0);
  g_assert_cmpint (run_stdin (fixture, token, "--system", "register", "--device-key", key,
                              "--token", "-", NULL), ==, 0);
  g_assert_true (g_file_get_contents (calls, &called, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (called, ==, "enable updates-manager-tool.service\n"
                               "restart updates-manager-tool.service\n");

  /* Again: enabled and started if it is not, not restarted. */
  g_assert_cmpint (run_stdin (fixture, token, "--system", "register", "--device-key", key,
                              "--token", "-", NULL), ==, 0);
  g_clear_pointer (&called, g_free);
  g_assert_true (g_file_get_contents (calls, &called, NULL, &error));
  g_assert_true (g_str_has_suffix (called, "\nenable updates-manager-tool.service --now\n"));

  g_assert_true (g_file_set_contents (refusal, "", -1, &error));
  g_assert_cmpint (run_stdin (fixture, token, "--system", "register", "--device-key", key,
                              "--token", "-", NULL), ==, 1);
  assert_one_sentence (fixture, "could not be enabled (Failed to enable unit");

  /* Not for a user's own registration. */
  g_assert_cmpint (run_stdin (fixture, token, "register", "--device-key", key, "--token", "-",
                              "--no-enable", NULL), ==, 2);
  assert_one_sentence (fixture, "--system");
}

/* Every way the token can be missing says so in one sentence, before the
 * server is asked for anything. */
static void
test_system_credential_errors (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *key = NULL;
  g_autofree char *other = NULL;
  g_autofree char *other_token = NULL;
  g_autofree char *token = NULL;
  g_autofree char *credential = system_path (fixture, "credstore.encrypted",
                                             "updates-manager-tool.token", NULL);
  g_autofree char *empty = system_path (fixture, "empty", NULL);
  g_autofree char *path = g_strdup (g_environ_getenv (fixture->env, "PATH"));
  g_autoptr(GError) error = NULL;
  guint requests;

  if (!use_system_dirs (fixture))
    return;
  key = provision_system_device (fixture, &token);

  prepare_service (fixture, "");
  g_assert_cmpint (run_service (fixture), ==, 1);
  assert_one_sentence (fixture, "was given no token");

  prepare_service (fixture, "not what umt wrote");
  g_assert_cmpint (run_service (fixture), ==, 1);
  assert_one_sentence (fixture, "does not hold the system service's tokens");

  /* The credential is handed over, but for another device. */
  prepare_service (fixture, "{\"tokens\":[{\"kind\":\"registration-token\",\"id\":\"OTHER\","
                            "\"secret\":\"ABC123\"}]}");
  g_assert_cmpint (run_service (fixture), ==, 1);
  assert_one_sentence (fixture, "was given no token");

  /* Root's copy damaged: provisioning again says so instead of guessing. */
  g_assert_true (g_file_set_contents (credential, "damaged", -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (run_stdin (fixture, token, "--system", "register", "--device-key", key,
                              "--token", "-", "--no-enable", NULL), ==, 1);
  assert_one_sentence (fixture, "cannot be decrypted");
  g_assert_cmpint (run (fixture, "--system", "diagnose"), ==, 1);
  g_assert_nonnull (strstr (fixture->out, "umt --system register"));
  /* As the sentence says: removed, then provisioned again, without the server. */
  requests = count_requests (fixture);
  g_assert_cmpint (g_unlink (credential), ==, 0);
  g_assert_cmpint (run_stdin (fixture, token, "--system", "register", "--device-key", key,
                              "--token", "-", "--no-enable", NULL), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "already registered"));
  g_assert_true (g_file_test (credential, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_requests (fixture), ==, requests);

  /* No systemd-creds: nowhere to keep a token, so nothing is registered. */
  other = umt_test_sim_create_device (fixture->sim, NULL, &other_token);
  requests = count_requests (fixture);
  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
  fixture_set_env (fixture, "PATH", empty);
  g_assert_cmpint (run_stdin (fixture, other_token, "--system", "register", "--device-key", other,
                              "--token", "-", "--no-enable", NULL), ==, 1);
  assert_one_sentence (fixture, "install systemd");
  g_assert_cmpuint (count_requests (fixture), ==, requests);
  fixture_set_env (fixture, "PATH", path);
}

/* A device_info.json of the wrong shape is set aside like one that does not
 * parse, and diagnose says so instead of calling the configuration readable. */
static void
test_diagnose_wrong_shape (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->config, "updates-manager-tool",
                                            "device_info.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *config;

  g_assert_true (g_file_set_contents (path, "{\"device_key\": 12345}", -1, &error));
  g_assert_no_error (error);

  g_assert_cmpint (run (fixture, "diagnose", "--json"), ==, 1);
  node = json_from_string (fixture->out, &error);
  g_assert_no_error (error);
  config = json_array_get_object_element (json_object_get_array_member (json_node_get_object (node),
                                                                        "checks"), 0);
  g_assert_cmpstr (json_object_get_string_member (config, "name"), ==, "config");
  g_assert_cmpstr (json_object_get_string_member (config, "result"), ==, "fail");
  g_assert_nonnull (strstr (json_object_get_string_member (config, "detail"),
                            "“device_key” is not a string"));
  g_assert_nonnull (strstr (fixture->err, "device_info.json.corrupt-"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/cli/usage", test_usage);
  ADD ("/cli/register/bad-input", test_register_bad_input);
  ADD ("/cli/register/refusals", test_register_refusals);
  ADD ("/cli/register/french", test_register_french);
  ADD ("/cli/register/disk-full", test_register_disk_full);
  ADD ("/cli/profiles/disk-full", test_profile_disk_full);
  ADD ("/cli/register/status", test_register_status);
  ADD ("/cli/register/suggested-key", test_register_suggested_key);
  ADD ("/cli/heartbeat", test_heartbeat);
  ADD ("/cli/unregister", test_unregister);
  ADD ("/cli/profiles", test_profiles);
  ADD ("/cli/profiles/concurrent", test_profiles_concurrent);
  ADD ("/cli/token/secrecy", test_token_secrecy);
  ADD ("/cli/token/no-keyring", test_token_no_keyring);
  ADD ("/cli/run", test_run);
  ADD ("/cli/run/unregistered", test_run_unregistered);
  ADD ("/cli/diagnose", test_diagnose);
  ADD ("/cli/system/dirs", test_system_dirs);
  ADD ("/cli/system/service", test_system_service);
  ADD ("/cli/system/enable", test_system_enable);
  ADD ("/cli/system/credential-errors", test_system_credential_errors);
  ADD ("/cli/diagnose/wrong-shape", test_diagnose_wrong_shape);
#undef ADD

  return g_test_run ();
}
