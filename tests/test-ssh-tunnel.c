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
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "umt-tunnel-status.h"
#include "tunnel-test-util.h"
#include "umt-test-util.h"

#define PAYLOAD_SIZE (4 * 1024 * 1024)

static UmtTestSim *sim;
static char *scratch;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
spawn (GSubprocessFlags    flags,
       const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

/* `umt ARGS…`, which must succeed. */
static void
umt (const char *first,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("UMT_CLI"));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = spawn (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, (const char * const *) argv->pdata);
  g_assert_true (g_subprocess_wait_check (process, NULL, &error));
  g_assert_no_error (error);
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
port_open (gpointer data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection =
    g_socket_client_connect_to_host (client, "127.0.0.1", GPOINTER_TO_UINT (data), NULL, NULL);

  return connection != NULL;
}

static gboolean
tunnel_connected (gpointer data)
{
  g_autoptr(UmtTunnelStatus) status = umt_tunnel_status_load (NULL);

  return status != NULL && status->owner_alive && status->state == UMT_TUNNEL_STATE_CONNECTED;
}

static void
keygen (const char *path)
{
  const char * const argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path, NULL };
  g_autoptr(GSubprocess) process = spawn (G_SUBPROCESS_FLAGS_NONE, argv);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait_check (process, NULL, &error));
  g_assert_no_error (error);
}

static const char *
find_sshd (void)
{
  static const char *candidates[] = { "/usr/sbin/sshd", "/usr/local/sbin/sshd" };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (g_file_test (candidates[i], G_FILE_TEST_IS_EXECUTABLE))
      return candidates[i];
  return NULL;
}

/* A throwaway sshd on @port: its own host key, @user_key's public half authorized. */
static GSubprocess *
start_sshd (const char *sshd,
            guint16     port,
            const char *user_key)
{
  g_autofree char *host_key = g_build_filename (scratch, "host_key", NULL);
  g_autofree char *user_pub = g_strconcat (user_key, ".pub", NULL);
  g_autofree char *authorized = g_build_filename (scratch, "authorized_keys", NULL);
  g_autofree char *config = g_build_filename (scratch, "sshd_config", NULL);
  g_autofree char *pub_text = NULL;
  g_autofree char *config_text = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  keygen (host_key);
  g_file_get_contents (user_pub, &pub_text, NULL, &error);
  g_assert_no_error (error);
  g_file_set_contents (authorized, pub_text, -1, &error);
  g_assert_no_error (error);
  config_text = g_strdup_printf ("Port %u\nListenAddress 127.0.0.1\nHostKey %s\n"
                                 "PidFile %s/sshd.pid\nAuthorizedKeysFile %s\n"
                                 "StrictModes no\nUsePAM no\nPasswordAuthentication no\n"
                                 "KbdInteractiveAuthentication no\n"
                                 "PermitRootLogin prohibit-password\nLogLevel ERROR\n",
                                 port, host_key, scratch, authorized);
  g_file_set_contents (config, config_text, -1, &error);
  g_assert_no_error (error);
  /* The privilege separation folder sshd insists on when run as root. */
  if (getuid () == 0)
    g_assert_cmpint (g_mkdir_with_parents ("/run/sshd", 0755), ==, 0);

  {
    const char * const argv[] = { sshd, "-D", "-e", "-f", config, NULL };

    /* Quiet: probing its port makes it complain of a closed connection. */
    process = spawn (G_SUBPROCESS_FLAGS_STDERR_SILENCE, argv);
  }
  umt_test_iterate_until (port_open, GUINT_TO_POINTER (port));
  return process;
}

/* `ssh -p @port 127.0.0.1 @command` with @input (taken) on its stdin; returns its stdout. */
static GBytes *
ssh (guint16     port,
     const char *user_key,
     const char *command,
     GBytes     *input_taken)
{
  g_autoptr(GBytes) input = input_taken;
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  const char * const argv[] = {
    "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
    "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes",
    "-i", user_key, "-p", port_text, "127.0.0.1", command, NULL
  };
  g_autoptr(GSubprocess) process = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                          G_SUBPROCESS_FLAGS_STDOUT_PIPE, argv);
  g_autoptr(GError) error = NULL;
  GBytes *output = NULL;

  g_subprocess_communicate (process, input, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  return output;
}

static void
test_ssh_through_tunnel (void)
{
  const char *sshd = find_sshd ();
  guint16 sshd_port = free_port ();
  g_autofree char *sshd_port_text = g_strdup_printf ("%u", sshd_port);
  g_autofree char *proxy_port_text = g_strdup_printf ("%u", sim->proxy_port);
  g_autofree char *user_key = g_build_filename (scratch, "user_key", NULL);
  g_autofree char *token = NULL;
  g_autofree char *device_key = NULL;
  g_autofree guint8 *payload = g_malloc (PAYLOAD_SIZE);
  g_autoptr(GSubprocess) sshd_process = NULL;
  g_autoptr(GSubprocess) runner = NULL;
  g_autoptr(GBytes) hello = NULL;
  g_autoptr(GBytes) sent = NULL;
  g_autoptr(GBytes) echoed = NULL;
  g_autoptr(GError) error = NULL;
  guint16 public_port;

  if (sshd == NULL || g_find_program_in_path ("ssh") == NULL)
    {
      g_test_skip ("sshd and ssh are not installed (tools/test installs openssh-server)");
      return;
    }

  keygen (user_key);
  sshd_process = start_sshd (sshd, sshd_port, user_key);

  /* What a user does: register, enable SSH where sshd listens, keep the device online. */
  device_key = tunnel_test_make_device (sim, FALSE, &token);
  umt ("register", "--device-key", device_key, "--token", token, NULL);
  umt ("profile", "set", "production", "tunnel_enabled", "true", NULL);
  umt ("profile", "set", "production", "tunnel_proxy_port", proxy_port_text, NULL);
  umt ("profile", "set", "production", "tunnel_ssh_port", sshd_port_text, NULL);
  {
    const char * const argv[] = { g_getenv ("UMT_CLI"), "run", NULL };

    runner = spawn (G_SUBPROCESS_FLAGS_STDERR_SILENCE, argv);
  }
  umt_test_iterate_until (tunnel_connected, NULL);

  /* What the administrator does: the ssh service, then ssh to its public port. */
  public_port = tunnel_test_reserve (sim, device_key, "{\"service\":\"ssh\"}");
  hello = ssh (public_port, user_key, "echo hello from sshd", g_bytes_new_static ("", 0));
  g_assert_cmpmem (g_bytes_get_data (hello, NULL), g_bytes_get_size (hello),
                   "hello from sshd\n", strlen ("hello from sshd\n"));

  for (gsize i = 0; i < PAYLOAD_SIZE; i++)
    payload[i] = (guint8) g_test_rand_int ();
  sent = g_bytes_new_take (g_steal_pointer (&payload), PAYLOAD_SIZE);
  echoed = ssh (public_port, user_key, "cat", g_bytes_ref (sent));
  g_assert_true (g_bytes_equal (sent, echoed));

  g_subprocess_send_signal (runner, SIGTERM);
  g_assert_true (g_subprocess_wait_check (runner, NULL, &error));
  g_assert_no_error (error);
  g_subprocess_send_signal (sshd_process, SIGTERM);
  g_subprocess_wait (sshd_process, NULL, NULL);
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
