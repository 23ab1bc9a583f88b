/* test-ssh-tunnel.c: the administrator's SSH reaching a real sshd through the tunnel
 *
 * sshd listens on a free port, not 22, with a host key and an authorized key of the
 * test's own (no PAM). The user registers with `umt`, enables SSH on that port and
 * starts `umt run`; the administrator reserves the server's ssh service, for which
 * the proxy asks the device for port 22, and runs `ssh -p <public port>`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-ssh-tunnel"

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>

#include "umt-tunnel-status.h"
#include "sshd-test-util.h"
#include "tunnel-test-util.h"
#include "umt-test-util.h"

static UmtTestSim *sim;
static char *scratch;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
spawn_umt (const char *first,
           ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("UMT_CLI"));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

static void
assert_succeeds (GSubprocess *process)
{
  g_autoptr(GSubprocess) owned = process;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait_check (owned, NULL, &error));
  g_assert_no_error (error);
}

static gboolean
tunnel_connected (gpointer data)
{
  g_autoptr(UmtTunnelStatus) status = umt_tunnel_status_load (NULL);

  return status != NULL && status->owner_alive && status->state == UMT_TUNNEL_STATE_CONNECTED;
}

static void
test_ssh_through_tunnel (void)
{
  g_autoptr(TestSshd) sshd = test_sshd_start ();
  g_autofree char *sshd_port = NULL;
  g_autofree char *proxy_port = g_strdup_printf ("%u", sim->proxy_port);
  g_autofree char *token = NULL;
  g_autofree char *device_key = NULL;
  g_autoptr(GSubprocess) runner = NULL;

  if (sshd == NULL)
    {
      g_test_skip ("sshd and ssh are not installed (tools/test installs openssh-server)");
      return;
    }
  sshd_port = g_strdup_printf ("%u", sshd->port);

  /* What a user does: register, enable SSH where sshd listens, keep the device online. */
  device_key = tunnel_test_make_device (sim, FALSE, &token);
  assert_succeeds (spawn_umt ("register", "--device-key", device_key, "--token", token, NULL));
  assert_succeeds (spawn_umt ("profile", "set", "production", "tunnel_enabled", "true", NULL));
  assert_succeeds (spawn_umt ("profile", "set", "production", "tunnel_proxy_port", proxy_port, NULL));
  assert_succeeds (spawn_umt ("profile", "set", "production", "tunnel_ssh_port", sshd_port, NULL));
  runner = spawn_umt ("run", NULL);
  umt_test_iterate_until (tunnel_connected, NULL);

  /* What the administrator does: the ssh service, then ssh to its public port. */
  test_sshd_check_through (sshd, tunnel_test_reserve (sim, device_key, "{\"service\":\"ssh\"}"));

  g_subprocess_send_signal (runner, SIGTERM);
  assert_succeeds (g_steal_pointer (&runner));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  /* The user's files, and the owner lock and status files, of this test alone. */
  scratch = g_dir_make_tmp ("umt-test-ssh-tunnel-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      static const char *vars[] = { "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME" };
      g_autofree char *dir = g_build_filename (scratch, vars[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_setenv (vars[i], dir, TRUE);
    }

  sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  /* The proxy is on the host of the server in use: 127.0.0.1. */
  g_setenv ("MEETING_SERVER_URL", sim->url, TRUE);

  g_test_add_func ("/ssh-tunnel/sshd-on-another-port", test_ssh_through_tunnel);

  status = g_test_run ();
  g_clear_pointer (&sim, umt_test_sim_free);
  umt_test_remove_tree (scratch);
  g_free (scratch);
  return status;
}
