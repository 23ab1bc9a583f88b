/* sshd-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sshd-test-util"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sshd-test-util.h"
#include "umt-test-util.h"

#define PAYLOAD_SIZE (4 * 1024 * 1024)

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
  g_autofree char *ssh = g_find_program_in_path ("ssh");

  if (ssh == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (g_file_test (candidates[i], G_FILE_TEST_IS_EXECUTABLE))
      return candidates[i];
  return NULL;
}

TestSshd *
test_sshd_start (void)
{
  const char *sshd_path = find_sshd ();
  g_autoptr(TestSshd) sshd = NULL;
  g_autofree char *host_key = NULL;
  g_autofree char *user_pub = NULL;
  g_autofree char *authorized = NULL;
  g_autofree char *config = NULL;
  g_autofree char *pub_text = NULL;
  g_autofree char *config_text = NULL;
  g_autoptr(GError) error = NULL;

  if (sshd_path == NULL)
    return NULL;

  sshd = g_new0 (TestSshd, 1);
  sshd->dir = g_dir_make_tmp ("umt-test-sshd-XXXXXX", &error);
  g_assert_no_error (error);
  sshd->port = free_port ();
  sshd->user_key = g_build_filename (sshd->dir, "user_key", NULL);
  host_key = g_build_filename (sshd->dir, "host_key", NULL);
  user_pub = g_strconcat (sshd->user_key, ".pub", NULL);
  authorized = g_build_filename (sshd->dir, "authorized_keys", NULL);
  config = g_build_filename (sshd->dir, "sshd_config", NULL);

  keygen (host_key);
  keygen (sshd->user_key);
  g_file_get_contents (user_pub, &pub_text, NULL, &error);
  g_assert_no_error (error);
  g_file_set_contents (authorized, pub_text, -1, &error);
  g_assert_no_error (error);
  config_text = g_strdup_printf ("Port %u\nListenAddress 127.0.0.1\nHostKey %s\n"
                                 "PidFile %s/sshd.pid\nAuthorizedKeysFile %s\n"
                                 "StrictModes no\nUsePAM no\nPasswordAuthentication no\n"
                                 "KbdInteractiveAuthentication no\n"
                                 "PermitRootLogin prohibit-password\nLogLevel ERROR\n",
                                 sshd->port, host_key, sshd->dir, authorized);
  g_file_set_contents (config, config_text, -1, &error);
  g_assert_no_error (error);
  /* The privilege separation folder sshd insists on when run as root. */
  if (getuid () == 0)
    g_assert_cmpint (g_mkdir_with_parents ("/run/sshd", 0755), ==, 0);

  {
    const char * const argv[] = { sshd_path, "-D", "-e", "-f", config, NULL };

    /* Quiet: probing its port makes it complain of a closed connection. */
    sshd->process = spawn (G_SUBPROCESS_FLAGS_STDERR_SILENCE, argv);
  }
  umt_test_iterate_until (port_open, GUINT_TO_POINTER (sshd->port));
  return g_steal_pointer (&sshd);
}

void
test_sshd_stop (TestSshd *sshd)
{
  if (sshd == NULL)
    return;

  if (sshd->process != NULL)
    {
      g_subprocess_send_signal (sshd->process, SIGTERM);
      g_subprocess_wait (sshd->process, NULL, NULL);
      g_object_unref (sshd->process);
    }
  if (sshd->dir != NULL)
    umt_test_remove_tree (sshd->dir);
  g_free (sshd->dir);
  g_free (sshd->user_key);
  g_free (sshd);
}

/* `ssh -p @port 127.0.0.1 @command` with @input (taken) on its stdin; returns its stdout. */
static GBytes *
ssh (TestSshd   *sshd,
     guint16     port,
     const char *command,
     GBytes     *input_taken)
{
  g_autoptr(GBytes) input = input_taken;
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  const char * const argv[] = {
    "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
    "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes",
    "-i", sshd->user_key, "-p", port_text, "127.0.0.1", command, NULL
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

void
test_sshd_check_through (TestSshd *sshd,
                         guint16   port)
{
  g_autofree guint8 *payload = g_malloc (PAYLOAD_SIZE);
  g_autoptr(GBytes) hello = NULL;
  g_autoptr(GBytes) sent = NULL;
  g_autoptr(GBytes) echoed = NULL;

  hello = ssh (sshd, port, "echo hello from sshd", g_bytes_new_static ("", 0));
  g_assert_cmpmem (g_bytes_get_data (hello, NULL), g_bytes_get_size (hello),
                   "hello from sshd\n", strlen ("hello from sshd\n"));

  for (gsize i = 0; i < PAYLOAD_SIZE; i++)
    payload[i] = (guint8) g_test_rand_int ();
  sent = g_bytes_new_take (g_steal_pointer (&payload), PAYLOAD_SIZE);
  echoed = ssh (sshd, port, "cat", g_bytes_ref (sent));
  g_assert_true (g_bytes_equal (sent, echoed));
}
