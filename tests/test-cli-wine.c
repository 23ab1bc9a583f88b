/* test-cli-wine.c: umt.exe under Wine against meeting-sim on Linux loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built for Linux in the Windows cross build: it starts the Linux sim
 * ($UMT_MEETING_SIM) and runs $UMT_CLI, a command line such as
 * "wine …/umt.exe", in the Wine prefix of the run, where the token goes to
 * Wine's Credential Manager.
 */
#define G_LOG_DOMAIN "test-cli-wine"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "umt-test-sim.h"
#include "umt-test-util.h"

typedef struct
{
  UmtTestSim *sim;
  char       *dir;
  char      **env;
  char       *out;
  char       *err;
} Fixture;

static int
run_argv (Fixture            *fixture,
          const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) command = NULL;

  g_shell_parse_argv (g_getenv ("UMT_CLI"), NULL, &command, &error);
  g_assert_no_error (error);
  for (gsize i = 0; command[i] != NULL; i++)
    g_ptr_array_add (argv, command[i]);
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, fixture->env);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_clear_pointer (&fixture->out, g_free);
  g_clear_pointer (&fixture->err, g_free);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &fixture->out, &fixture->err, &error);
  g_assert_no_error (error);
  g_test_message ("umt.exe %s → %d\nstdout: %s\nstderr: %s", args[0],
                  g_subprocess_get_exit_status (process), fixture->out, fixture->err);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

#define run(fixture, ...) run_argv (fixture, (const char * const []) { __VA_ARGS__, NULL })

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *state = NULL;

  if (g_getenv ("UMT_MEETING_SIM") == NULL)
    return;

  fixture->sim = umt_test_sim_start (NULL, NULL);
  fixture->dir = g_dir_make_tmp ("umt-test-cli-wine-XXXXXX", &error);
  g_assert_no_error (error);
  config = g_build_filename (fixture->dir, "config", NULL);
  state = g_build_filename (fixture->dir, "state", NULL);

  /* Unix paths: GLib for Windows takes them as they are, on Wine's Z: drive. */
  fixture->env = g_get_environ ();
  fixture->env = g_environ_setenv (fixture->env, "XDG_CONFIG_HOME", config, TRUE);
  fixture->env = g_environ_setenv (fixture->env, "XDG_STATE_HOME", state, TRUE);
  fixture->env = g_environ_setenv (fixture->env, "MEETING_SERVER_URL", fixture->sim->url, TRUE);

  g_assert_cmpint (run (fixture, "profile", "set", "production", "public_ip_lookup", "false"),
                   ==, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->dir != NULL)
    umt_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->sim, umt_test_sim_free);
  g_free (fixture->dir);
  g_strfreev (fixture->env);
  g_free (fixture->out);
  g_free (fixture->err);
}

static gboolean
skip_without_sim (void)
{
  if (g_getenv ("UMT_MEETING_SIM") != NULL)
    return FALSE;
  g_test_skip ("UMT_MEETING_SIM is not set (tools/check-windows sets it)");
  return TRUE;
}

/* Whether @needle is in any file below @path. */
static gboolean
tree_contains (const char *path,
               const char *needle)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (path, &contents, &length, NULL))
        return FALSE;
      return g_strstr_len (contents, (gssize) length, needle) != NULL;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (!g_file_test (child, G_FILE_TEST_IS_SYMLINK) && tree_contains (child, needle))
        return TRUE;
    }
  return FALSE;
}

static JsonObject *
status_json (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_assert_cmpint (run (fixture, "status", "--json"), ==, 0);
  node = json_from_string (fixture->out, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

/* register, status, heartbeat, unregister: what a Windows user types. */
static void
test_register_heartbeat_unregister (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autofree char *key = NULL;
  g_autoptr(JsonObject) status = NULL;
  g_autoptr(JsonObject) device = NULL;
  g_autoptr(JsonObject) beaten = NULL;

  if (skip_without_sim ())
    return;

  key = umt_test_sim_create_device (fixture->sim, NULL, &token);
  g_assert_cmpint (run (fixture, "register", "--device-key", key, "--token", token), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "Registered device"));
  device = umt_test_sim_get_device (fixture->sim, key);
  g_assert_true (json_object_get_boolean_member (device, "registered"));

  status = status_json (fixture);
  g_assert_true (json_object_get_boolean_member (status, "registered"));
  g_assert_cmpstr (json_object_get_string_member (status, "device_key"), ==, key);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (status, "server"),
                                                 "reachable"));

  /* The token went to the Credential Manager: not into the app's files,
   * nor in clear into the Wine prefix (registry files included). */
  g_assert_false (tree_contains (fixture->dir, token));
  g_assert_false (tree_contains (g_getenv ("WINEPREFIX"), token));

  g_assert_cmpint (run (fixture, "heartbeat"), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "last saw"));
  beaten = umt_test_sim_get_device (fixture->sim, key);
  g_assert_cmpint (json_object_get_int_member (beaten, "heartbeat_count"), ==,
                   json_object_get_int_member (device, "heartbeat_count") + 1);

  g_assert_cmpint (run (fixture, "unregister"), ==, 0);
  g_clear_pointer (&status, json_object_unref);
  status = status_json (fixture);
  g_assert_false (json_object_get_boolean_member (status, "registered"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli-wine/register-heartbeat-unregister", Fixture, NULL, fixture_set_up,
              test_register_heartbeat_unregister, fixture_tear_down);

  return g_test_run ();
}
