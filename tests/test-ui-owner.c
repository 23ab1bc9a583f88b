/* test-ui-owner.c: the window next to `umt run`, which owns the heartbeat
 *
 * The device is registered with `umt`, `umt run` beats and keeps the tunnel, and
 * the window opens: it shows the heartbeat and the tunnel `umt run` keeps (not
 * idle engines of its own) and says who runs them; once `umt run` stops, the
 * window takes both over, and the administrator's ssh reaches sshd through it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-ui-owner"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "umt-application.h"
#include "umt-heartbeat-status.h"
#include "umt-overview-page.h"
#include "umt-window.h"
#include "sshd-test-util.h"
#include "tunnel-test-util.h"
#include "umt-test-util.h"

static UmtTestSim *sim;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* `umt` with its output silenced; a failed test takes it down with it. */
static GSubprocess *
spawn_umt (const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, (char *) g_getenv ("UMT_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

static GPid
pid_of (GSubprocess *process)
{
  return (GPid) g_ascii_strtoll (g_subprocess_get_identifier (process), NULL, 10);
}

typedef struct {
  GPid              pid;
  UmtHeartbeatState state;
} Published;

/* heartbeat.json says @pid beats with this state. */
static gboolean
published (gpointer data)
{
  Published *expected = data;
  g_autoptr(UmtHeartbeatStatus) status = umt_heartbeat_status_load (NULL);

  return status != NULL && status->pid == expected->pid && status->owner_alive &&
         status->state == expected->state;
}

static gboolean
shows_owner (gpointer data)
{
  Published *expected = data;
  UmtApplication *app = UMT_APPLICATION (g_application_get_default ());
  UmtHeartbeat *heartbeat = umt_device_manager_get_heartbeat (umt_application_get_device_manager (app));

  return umt_heartbeat_get_owner_pid (heartbeat) == expected->pid &&
         umt_heartbeat_get_state (heartbeat) == expected->state;
}

typedef struct {
  GPid           owner_pid;
  UmtTunnelState state;
} Tunnel;

static gboolean
shows_tunnel (gpointer data)
{
  Tunnel *expected = data;
  UmtApplication *app = UMT_APPLICATION (g_application_get_default ());
  UmtTunnelSupervisor *tunnel = umt_device_manager_get_tunnel (umt_application_get_device_manager (app));

  return umt_tunnel_supervisor_get_owner_pid (tunnel) == expected->owner_pid &&
         umt_tunnel_supervisor_get_state (tunnel) == expected->state;
}

static gboolean
has_beaten (gpointer data)
{
  return umt_heartbeat_get_last_success (data) != NULL;
}

static gboolean
changed_since (gpointer data)
{
  GDateTime *before = data;
  UmtApplication *app = UMT_APPLICATION (g_application_get_default ());
  GDateTime *last = umt_heartbeat_get_last_success (
      umt_device_manager_get_heartbeat (umt_application_get_device_manager (app)));

  return last != NULL && !g_date_time_equal (last, before);
}

static void
on_beat_sent (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  UmtMeetingHeartbeat **beat = user_data;
  g_autoptr(GError) error = NULL;

  *beat = umt_heartbeat_send_now_finish (UMT_HEARTBEAT (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static const char *
overview_text (UmtWindow  *window,
               const char *name)
{
  GtkWidget *page = umt_window_get_page (window, "overview");
  GObject *label = gtk_widget_get_template_child (page, UMT_TYPE_OVERVIEW_PAGE, name);

  g_assert_true (GTK_IS_LABEL (label));
  return gtk_label_get_label (GTK_LABEL (label));
}

static void
test_mirror_and_take_over (void)
{
  const char * const run_args[] = { "run", "--interval", "1", NULL };
  g_autoptr(UmtApplication) app = umt_application_new ();
  g_autoptr(GSubprocess) runner = NULL;
  g_autoptr(UmtMeetingHeartbeat) beat = NULL;
  g_autoptr(GDateTime) seen = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *device_key = umt_test_sim_create_device (sim, NULL, &token);
  g_autofree char *owner_line = NULL;
  UmtHeartbeat *heartbeat;
  UmtWindow *window;
  g_autofree char *proxy_port = g_strdup_printf ("%u", sim->proxy_port);
  g_autoptr(TestSshd) sshd = test_sshd_start ();
  g_autofree char *ssh_port = g_strdup_printf ("%u", sshd != NULL ? sshd->port : 22);
  Published by_runner, by_window;
  Tunnel runner_tunnel, own_tunnel;

  {
    const char * const args[] = { "register", "--device-key", device_key, "--token", token, NULL };
    const char * const enable[] = { "profile", "set", "production", "tunnel_enabled", "true", NULL };
    const char * const port[] = { "profile", "set", "production", "tunnel_proxy_port", proxy_port, NULL };
    const char * const ssh[] = { "profile", "set", "production", "tunnel_ssh_port", ssh_port, NULL };
    const char * const * const commands[] = { args, enable, port, ssh };

    for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
      {
        g_autoptr(GSubprocess) command = spawn_umt (commands[i]);

        g_assert_true (g_subprocess_wait_check (command, NULL, &error));
        g_assert_no_error (error);
      }
  }

  runner = spawn_umt (run_args);
  by_runner = (Published) { pid_of (runner), UMT_HEARTBEAT_STATE_ACTIVE };
  umt_test_iterate_until (published, &by_runner);

  /* The window opens while `umt run` beats: it shows that heartbeat, live. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  window = UMT_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_true (UMT_IS_WINDOW (window));
  heartbeat = umt_device_manager_get_heartbeat (umt_application_get_device_manager (app));

  umt_test_iterate_until (shows_owner, &by_runner);
  g_assert_cmpstr (overview_text (window, "heartbeat_label"), ==, "Active ✓");
  g_assert_cmpstr (overview_text (window, "status_title"), ==, "Online");
  owner_line = g_strdup_printf ("Run by “umt run” (process %d)", (int) by_runner.pid);
  g_assert_nonnull (strstr (overview_text (window, "status_description"), owner_line));
  runner_tunnel = (Tunnel) { by_runner.pid, UMT_TUNNEL_STATE_CONNECTED };
  umt_test_iterate_until (shows_tunnel, &runner_tunnel);
  g_assert_cmpstr (overview_text (window, "tunnel_label"), ==, "Connected");
  /* Pausing is the owner's business. */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "pause-heartbeat"));

  /* Each beat of `umt run` reaches the window as it happens. */
  umt_test_iterate_until (has_beaten, heartbeat);
  seen = g_date_time_ref (umt_heartbeat_get_last_success (heartbeat));
  umt_test_iterate_until (changed_since, seen);

  /* A beat asked for here is sent, on the side. */
  umt_heartbeat_send_now_async (heartbeat, NULL, on_beat_sent, &beat);
  umt_test_iterate_until (is_set, &beat);
  g_assert_nonnull (beat->last_seen);

  /* `umt run` stops: the window beats from now on, as the owner. */
  g_subprocess_send_signal (runner, SIGTERM);
  g_assert_true (g_subprocess_wait_check (runner, NULL, &error));
  by_window = (Published) { getpid (), UMT_HEARTBEAT_STATE_ACTIVE };
  umt_test_iterate_until (published, &by_window);
  g_assert_cmpint (umt_heartbeat_get_owner_pid (heartbeat), ==, 0);
  g_assert_cmpint (umt_heartbeat_get_state (heartbeat), ==, UMT_HEARTBEAT_STATE_ACTIVE);
  g_assert_null (strstr (overview_text (window, "status_description"), "Run by"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "pause-heartbeat"));
  /* And the tunnel, with an agent of its own. */
  own_tunnel = (Tunnel) { 0, UMT_TUNNEL_STATE_CONNECTED };
  umt_test_iterate_until (shows_tunnel, &own_tunnel);
  g_assert_cmpint (umt_tunnel_supervisor_get_agent_pid (
      umt_device_manager_get_tunnel (umt_application_get_device_manager (app))), >, 0);
  if (sshd != NULL)
    test_sshd_check_through (sshd, tunnel_test_reserve (sim, device_key, "{\"service\":\"ssh\"}"));
  else
    g_test_message ("sshd and ssh are not installed: not reaching sshd through the window");

  g_application_quit (G_APPLICATION (app));
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("UMT_LOCALEDIR");
  g_autoptr(GError) error = NULL;
  g_autofree char *scratch = NULL;
  int status;

  /* A home of its own: the owner lock and the status files are per user. */
  scratch = g_dir_make_tmp ("umt-test-ui-owner-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    {
      static const char *vars[] = { "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR" };
      g_autofree char *dir = g_build_filename (scratch, vars[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_setenv (vars[i], dir, TRUE);
    }

  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  gtk_disable_setlocale ();
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  adw_init ();

  sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  g_setenv ("MEETING_SERVER_URL", sim->url, TRUE);

  g_test_add_func ("/ui/owner/mirror-and-take-over", test_mirror_and_take_over);

  status = g_test_run ();
  g_clear_pointer (&sim, umt_test_sim_free);
  umt_test_remove_tree (scratch);
  return status;
}
