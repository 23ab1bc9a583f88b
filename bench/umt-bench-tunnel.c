/* umt-bench-tunnel.c: throughput and latency through umt-tunnel-agent + the sim proxy,
 * against a direct loopback connection and an OpenSSH reverse tunnel
 *
 * Run by tools/bench-tunnel; not a test. Everything stays on 127.0.0.1.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-bench-tunnel"

#include "config.h"

/* sched_setaffinity() and the CPU_* macros, for --one-cpu. */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "umt-meeting-client.h"

#define CHUNK (256 * 1024)
#define MESSAGE_SIZE 32
#define WARM_UP_ROUND_TRIPS 50
/* Connections opened at once through the tunnel. */
#define BURST_STREAMS 1000

typedef struct
{
  const char *name;
  guint16     port;
  double      mib_per_s;
  double      rtt_mean_us;
  double      rtt_p50_us;
  double      rtt_p99_us;
  gboolean    measured;
} Figures;

static void
die (const char *format,
     ...) G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN;

static void
die (const char *format,
     ...)
{
  va_list args;

  va_start (args, format);
  fputs ("bench-tunnel: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  exit (1);
}

/* The local service: 'S' + uint64 length = swallow that many bytes and
 * answer one byte; 'E' = echo until the peer closes. */

static gboolean
read_exact (int     fd,
            void   *buffer,
            gsize   length)
{
  guint8 *at = buffer;

  while (length > 0)
    {
      ssize_t n = read (fd, at, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      at += n;
      length -= (gsize) n;
    }
  return TRUE;
}

static gboolean
write_all (int         fd,
           const void *buffer,
           gsize       length)
{
  const guint8 *at = buffer;

  while (length > 0)
    {
      ssize_t n = write (fd, at, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      at += n;
      length -= (gsize) n;
    }
  return TRUE;
}

static void
tune_socket (int fd)
{
  int one = 1;
  struct timeval timeout = { .tv_sec = 30 };

  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  /* A stuck path fails the run instead of hanging it. */
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
}

static gpointer
serve_connection (gpointer data)
{
  int fd = GPOINTER_TO_INT (data);
  g_autofree guint8 *buffer = g_malloc (CHUNK);
  guint8 mode;

  tune_socket (fd);
  if (read_exact (fd, &mode, 1) && mode == 'S')
    {
      guint64 length_be, remaining;

      if (read_exact (fd, &length_be, sizeof length_be))
        {
          remaining = GUINT64_FROM_BE (length_be);
          while (remaining > 0)
            {
              ssize_t n = read (fd, buffer, MIN (remaining, (guint64) CHUNK));

              if (n <= 0)
                break;
              remaining -= (guint64) n;
            }
          if (remaining == 0)
            write_all (fd, "K", 1);
        }
    }
  else if (mode == 'E')
    {
      ssize_t n;

      while ((n = read (fd, buffer, CHUNK)) > 0)
        if (!write_all (fd, buffer, (gsize) n))
          break;
    }
  close (fd);
  return NULL;
}

static gpointer
accept_loop (gpointer data)
{
  int listen_fd = GPOINTER_TO_INT (data);

  for (;;)
    {
      int fd = accept (listen_fd, NULL, NULL);

      if (fd < 0)
        continue;
      g_thread_unref (g_thread_new ("serve", serve_connection, GINT_TO_POINTER (fd)));
    }
  return NULL;
}

static int
listen_loopback (guint16 *port)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t length = sizeof address;
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  if (fd < 0 || bind (fd, (struct sockaddr *) &address, sizeof address) != 0 ||
      listen (fd, SOMAXCONN) != 0 || getsockname (fd, (struct sockaddr *) &address, &length) != 0)
    die ("cannot listen on 127.0.0.1: %s", g_strerror (errno));
  *port = ntohs (address.sin_port);
  return fd;
}

static guint16
free_port (void)
{
  guint16 port;
  int fd = listen_loopback (&port);

  close (fd);
  return port;
}

static int
connect_loopback (guint16 port)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (port),
                                 .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  if (fd < 0)
    return -1;
  if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      close (fd);
      return -1;
    }
  tune_socket (fd);
  return fd;
}

/* Measurements */

static double
measure_throughput (guint16 port,
                    guint64 bytes)
{
  g_autofree guint8 *buffer = g_malloc (CHUNK);
  guint64 length_be = GUINT64_TO_BE (bytes);
  guint64 remaining = bytes;
  gint64 start;
  guint8 ack = 0;
  int fd = connect_loopback (port);

  if (fd < 0)
    die ("cannot connect to port %u: %s", port, g_strerror (errno));
  for (gsize i = 0; i < CHUNK; i++)
    buffer[i] = (guint8) g_random_int ();

  start = g_get_monotonic_time ();
  if (!write_all (fd, "S", 1) || !write_all (fd, &length_be, sizeof length_be))
    die ("the throughput connection to port %u failed", port);
  while (remaining > 0)
    {
      gsize n = MIN (remaining, (guint64) CHUNK);

      if (!write_all (fd, buffer, n))
        die ("the throughput connection to port %u broke: %s", port, g_strerror (errno));
      remaining -= n;
    }
  if (!read_exact (fd, &ack, 1) || ack != 'K')
    die ("no acknowledgement of the bytes sent through port %u", port);
  close (fd);
  return (double) bytes / (1024.0 * 1024.0) /
         ((double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* Round trips in blocks taken in turn on every path, so that whatever else
 * the machine is doing weighs on all of them alike. */
static void
measure_latencies (Figures **paths,
                   guint     n_paths,
                   guint     round_trips)
{
  const guint blocks = 10;
  guint8 message[MESSAGE_SIZE], reply[MESSAGE_SIZE];
  g_autofree int *fds = g_new (int, n_paths);
  g_autofree double *samples = g_new (double, (gsize) n_paths * round_trips);

  memset (message, 'x', sizeof message);
  for (guint p = 0; p < n_paths; p++)
    {
      fds[p] = connect_loopback (paths[p]->port);
      if (fds[p] < 0 || !write_all (fds[p], "E", 1))
        die ("cannot open an echo connection through %s", paths[p]->name);
      for (guint i = 0; i < WARM_UP_ROUND_TRIPS; i++)
        if (!write_all (fds[p], message, sizeof message) || !read_exact (fds[p], reply, sizeof reply))
          die ("the echo through %s broke while warming up", paths[p]->name);
    }

  fprintf (stderr, "Measuring round trips…\n");
  for (guint b = 0; b < blocks; b++)
    for (guint p = 0; p < n_paths; p++)
      {
        guint first = round_trips * b / blocks, last = round_trips * (b + 1) / blocks;

        for (guint i = first; i < last; i++)
          {
            gint64 start = g_get_monotonic_time ();

            if (!write_all (fds[p], message, sizeof message) || !read_exact (fds[p], reply, sizeof reply))
              die ("the echo through %s broke after %u round trips", paths[p]->name, i);
            samples[(gsize) p * round_trips + i] = (double) (g_get_monotonic_time () - start);
          }
      }

  for (guint p = 0; p < n_paths; p++)
    {
      double *mine = samples + (gsize) p * round_trips;
      double total = 0;

      close (fds[p]);
      for (guint i = 0; i < round_trips; i++)
        total += mine[i];
      qsort (mine, round_trips, sizeof (double), compare_doubles);
      paths[p]->rtt_mean_us = total / round_trips;
      paths[p]->rtt_p50_us = mine[round_trips / 2];
      paths[p]->rtt_p99_us = mine[MIN (round_trips - 1, round_trips * 99 / 100)];
      paths[p]->measured = TRUE;
    }
}

/* CPU time, to tell which process of a path the time goes to */

typedef struct
{
  const char *name;
  Figures    *path;    /* the one path the processes serve */
  GArray     *pids;    /* pid_t */
  double      start_s;
  double      us_per_round_trip;
  double      s_per_gib; /* during the path's throughput run */
} CpuShare;

static double
process_cpu_seconds (pid_t pid)
{
  clockid_t clock;
  struct timespec now;

  if (clock_getcpuclockid (pid, &clock) != 0 || clock_gettime (clock, &now) != 0)
    return 0;
  return (double) now.tv_sec + (double) now.tv_nsec / 1e9;
}

static double
cpu_share_seconds (const CpuShare *share)
{
  double total = 0;

  for (guint i = 0; i < share->pids->len; i++)
    total += process_cpu_seconds (g_array_index (share->pids, pid_t, i));
  return total;
}

static pid_t
parent_of (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *after_name;
  int ppid = 0;

  /* The name in parentheses may hold spaces: the fields follow its last ')'. */
  if (!g_file_get_contents (path, &stat, NULL, NULL) ||
      (after_name = strrchr (stat, ')')) == NULL ||
      sscanf (after_name + 1, " %*c %d", &ppid) != 1)
    return 0;
  return (pid_t) ppid;
}

/* @root and every process under it: sshd forks one process per connection. */
static void
add_process_tree (GArray *pids,
                  pid_t   root)
{
  gboolean grew = TRUE;

  g_array_append_val (pids, root);
  while (grew)
    {
      DIR *proc = opendir ("/proc");
      struct dirent *entry;

      grew = FALSE;
      if (proc == NULL)
        return;
      while ((entry = readdir (proc)) != NULL)
        {
          pid_t pid = (pid_t) atoi (entry->d_name), parent;
          gboolean known = FALSE, parent_known = FALSE;

          if (pid <= 0 || (parent = parent_of (pid)) <= 0)
            continue;
          for (guint i = 0; i < pids->len; i++)
            {
              known |= g_array_index (pids, pid_t, i) == pid;
              parent_known |= g_array_index (pids, pid_t, i) == parent;
            }
          if (parent_known && !known)
            {
              g_array_append_val (pids, pid);
              grew = TRUE;
            }
        }
      closedir (proc);
    }
}

static void
cpu_share_init (CpuShare    *share,
                const char  *name,
                Figures     *path,
                GSubprocess *process,
                gboolean     with_children)
{
  pid_t pid = (pid_t) atoi (g_subprocess_get_identifier (process));

  share->name = name;
  share->path = path;
  share->pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  if (with_children)
    add_process_tree (share->pids, pid);
  else
    g_array_append_val (share->pids, pid);
  share->start_s = cpu_share_seconds (share);
}

static void
cpu_share_finish (CpuShare *share,
                  guint     round_trips)
{
  share->us_per_round_trip = (cpu_share_seconds (share) - share->start_s) * 1e6 / round_trips;
}

/* Processes */

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
spawn (GSubprocessFlags    flags,
       GError            **error,
       const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  return g_subprocess_launcher_spawnv (launcher, argv, error);
}

static JsonObject *
read_json_line (GDataInputStream *stream,
                const char       *what)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_utf8 (stream, NULL, NULL, &error);
  g_autoptr(JsonNode) node = NULL;

  if (line == NULL)
    die ("%s ended: %s", what, error != NULL ? error->message : "end of output");
  node = json_from_string (line, &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    die ("%s printed something that is not a JSON object: %s", what, line);
  return json_object_ref (json_node_get_object (node));
}

/* A field of /proc/PID/status in kB, or -1. */
static gint64
read_status_kb (GSubprocess *process,
                const char  *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (process));
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL) || (line = strstr (status, field)) == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen (field), NULL, 10);
}

/* @n connections opened at once, each echoing a message of its own. Returns the
 * seconds until the last echo came back; @rss_kb_per_stream gets how much the
 * agent's RSS grew per stream while they are all open and idle. */
static double
measure_burst (guint16      port,
               GSubprocess *agent,
               guint        n,
               double      *rss_kb_per_stream)
{
  g_autofree int *fds = g_new (int, n);
  gint64 rss_before = read_status_kb (agent, "VmRSS:");
  gint64 start = g_get_monotonic_time ();
  double seconds;

  for (guint i = 0; i < n; i++)
    if ((fds[i] = connect_loopback (port)) < 0)
      die ("connection %u of the burst failed: %s", i, g_strerror (errno));
  for (guint i = 0; i < n; i++)
    {
      guint32 message = GUINT32_TO_BE (i);

      if (!write_all (fds[i], "E", 1) || !write_all (fds[i], &message, sizeof message))
        die ("stream %u of the burst broke", i);
    }
  for (guint i = 0; i < n; i++)
    {
      guint32 echoed;

      if (!read_exact (fds[i], &echoed, sizeof echoed) || GUINT32_FROM_BE (echoed) != i)
        die ("stream %u of the burst did not echo its message", i);
    }
  seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  *rss_kb_per_stream = (double) (read_status_kb (agent, "VmRSS:") - rss_before) / n;
  for (guint i = 0; i < n; i++)
    close (fds[i]);
  return seconds;
}

static void
run_keygen (const char *path)
{
  const char * const argv[] = { "ssh-keygen", "-t", "ed25519", "-N", "", "-q", "-f", path, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE, &error, argv);

  if (process == NULL || !g_subprocess_wait_check (process, NULL, &error))
    die ("ssh-keygen failed: %s", error->message);
}

static gboolean
wait_for_port (guint16 port,
               guint   seconds)
{
  for (guint i = 0; i < seconds * 20; i++)
    {
      int fd = connect_loopback (port);

      if (fd >= 0)
        {
          close (fd);
          return TRUE;
        }
      g_usleep (50000);
    }
  return FALSE;
}

typedef struct
{
  char        *dir;
  GSubprocess *sshd;
  GSubprocess *ssh;
} SshTunnel;

static void
ssh_tunnel_stop (SshTunnel *tunnel)
{
  const char *names[] = { "host_key", "host_key.pub", "user_key", "user_key.pub",
                          "authorized_keys", "sshd_config", "sshd.pid" };

  if (tunnel->ssh != NULL)
    g_subprocess_force_exit (tunnel->ssh);
  if (tunnel->sshd != NULL)
    g_subprocess_force_exit (tunnel->sshd);
  g_clear_object (&tunnel->ssh);
  g_clear_object (&tunnel->sshd);
  if (tunnel->dir == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (tunnel->dir, names[i], NULL);
      g_unlink (path);
    }
  g_rmdir (tunnel->dir);
  g_clear_pointer (&tunnel->dir, g_free);
}

/* A throwaway sshd on a free loopback port, and `ssh -R` into it forwarding
 * a remote port to the local service, as people do without this tool.
 * Returns the remote port, or 0 when it could not be set up. */
static guint16
ssh_tunnel_start (SshTunnel  *tunnel,
                  const char *sshd_path,
                  guint16     service_port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *host_key = NULL, *user_key = NULL, *user_pub = NULL, *authorized = NULL;
  g_autofree char *config = NULL, *config_text = NULL, *pub_text = NULL, *forward = NULL;
  g_autofree char *sshd_port_text = NULL;
  guint16 sshd_port = free_port ();
  guint16 remote_port = free_port ();

  tunnel->dir = g_dir_make_tmp ("umt-bench-ssh-XXXXXX", &error);
  if (tunnel->dir == NULL)
    die ("cannot make a temporary folder: %s", error->message);
  host_key = g_build_filename (tunnel->dir, "host_key", NULL);
  user_key = g_build_filename (tunnel->dir, "user_key", NULL);
  user_pub = g_build_filename (tunnel->dir, "user_key.pub", NULL);
  authorized = g_build_filename (tunnel->dir, "authorized_keys", NULL);
  config = g_build_filename (tunnel->dir, "sshd_config", NULL);
  run_keygen (host_key);
  run_keygen (user_key);
  if (!g_file_get_contents (user_pub, &pub_text, NULL, &error) ||
      !g_file_set_contents (authorized, pub_text, -1, &error))
    die ("cannot write authorized_keys: %s", error->message);

  config_text = g_strdup_printf ("Port %u\nListenAddress 127.0.0.1\nHostKey %s\n"
                                 "PidFile %s/sshd.pid\nAuthorizedKeysFile %s\n"
                                 "StrictModes no\nUsePAM no\nPasswordAuthentication no\n"
                                 "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
                                 "AllowTcpForwarding yes\nLogLevel ERROR\n",
                                 sshd_port, host_key, tunnel->dir, authorized);
  if (!g_file_set_contents (config, config_text, -1, &error))
    die ("cannot write sshd_config: %s", error->message);
  /* The privilege separation folder sshd insists on when run as root. */
  if (getuid () == 0)
    g_mkdir_with_parents ("/run/sshd", 0755);

  {
    const char * const argv[] = { sshd_path, "-D", "-e", "-f", config, NULL };
    /* Quiet: probing its port makes it complain of a closed connection. */
    tunnel->sshd = spawn (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, argv);
    if (tunnel->sshd == NULL)
      die ("cannot run sshd: %s", error->message);
  }
  if (!wait_for_port (sshd_port, 10))
    {
      fprintf (stderr, "sshd did not start; skipping ssh -R\n");
      return 0;
    }

  forward = g_strdup_printf ("127.0.0.1:%u:127.0.0.1:%u", remote_port, service_port);
  sshd_port_text = g_strdup_printf ("%u", sshd_port);
  {
    const char * const argv[] = {
      "ssh", "-N", "-T", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
      "-o", "UserKnownHostsFile=/dev/null", "-o", "ExitOnForwardFailure=yes",
      "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes", "-i", user_key,
      "-p", sshd_port_text, "-R", forward, "127.0.0.1", NULL
    };
    tunnel->ssh = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE, &error, argv);
    if (tunnel->ssh == NULL)
      die ("cannot run ssh: %s", error->message);
  }
  if (!wait_for_port (remote_port, 15))
    {
      fprintf (stderr, "ssh -R did not open its port; skipping it\n");
      return 0;
    }
  return remote_port;
}

static void
print_row (const Figures *figures)
{
  if (!figures->measured)
    return;
  printf ("  %-28s %11.2f %10.1f %10.1f %10.1f\n", figures->name,
          figures->mib_per_s * 8 * 1024 * 1024 / 1e9,
          figures->rtt_mean_us, figures->rtt_p50_us, figures->rtt_p99_us);
}

static void
print_added_rtt (const Figures *path,
                 const Figures *direct)
{
  if (!path->measured)
    return;
  printf ("    %-28s %+8.1f µs %+8.1f µs\n", path->name,
          path->rtt_p50_us - direct->rtt_p50_us, path->rtt_p99_us - direct->rtt_p99_us);
}

static void
print_ratios (const Figures *a,
              const Figures *b)
{
  if (!a->measured || !b->measured)
    return;
  printf ("  %s vs %s: throughput ×%.2f, mean round trip ×%.2f\n", a->name, b->name,
          a->mib_per_s / b->mib_per_s, a->rtt_mean_us / b->rtt_mean_us);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— tunnel throughput and latency");
  g_autoptr(GError) error = NULL;
  g_autofree char *sim_path = NULL, *agent_path = NULL, *sshd_path = NULL;
  g_autofree char *key = NULL, *config_line = NULL;
  g_autoptr(GSubprocess) sim = NULL;
  g_autoptr(GSubprocess) agent = NULL;
  g_autoptr(GDataInputStream) sim_out = NULL;
  g_autoptr(GDataInputStream) agent_out = NULL;
  g_autoptr(JsonObject) ready = NULL;
  g_autoptr(UmtMeetingClient) client = NULL;
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  g_autoptr(UmtMeetingServiceGrant) grant = NULL;
  Figures direct = { .name = "direct loopback" };
  Figures tunnel = { .name = "umt-tunnel-agent + sim proxy" };
  Figures ssh = { .name = "ssh -R" };
  Figures *paths[3];
  guint n_paths = 0;
  CpuShare shares[4];
  guint n_shares = 0;
  SshTunnel ssh_tunnel = { NULL };
  const char *token = "BE0C42";
  int mib = 256, round_trips = 2000;
  gboolean one_cpu = FALSE;
  struct rlimit limit;
  double burst_s, rss_kb_per_stream;
  gint64 hwm_kb;
  guint16 service_port;
  int listen_fd;
  const GOptionEntry entries[] = {
    { "sim", 0, 0, G_OPTION_ARG_FILENAME, &sim_path, "meeting-sim to run", "PATH" },
    { "agent", 0, 0, G_OPTION_ARG_FILENAME, &agent_path, "umt-tunnel-agent to run", "PATH" },
    { "sshd", 0, 0, G_OPTION_ARG_FILENAME, &sshd_path, "Also measure ssh -R through this sshd", "PATH" },
    { "mib", 0, 0, G_OPTION_ARG_INT, &mib, "MiB sent one way per path (256)", "N" },
    { "round-trips", 0, 0, G_OPTION_ARG_INT, &round_trips, "Echo round trips per path (2000)", "N" },
    { "one-cpu", 0, 0, G_OPTION_ARG_NONE, &one_cpu,
      "Run every process on one CPU: no cross-CPU wakeups in the round trips", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    die ("%s", error->message);
  if (sim_path == NULL || agent_path == NULL || mib <= 0 || round_trips <= 0)
    die ("--sim and --agent are needed, --mib and --round-trips must be positive");
  signal (SIGPIPE, SIG_IGN);
  /* The burst's descriptors, here and in the sim and the agent, which inherit it. */
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_max >= 4 * BURST_STREAMS)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
  if (one_cpu)
    {
      cpu_set_t cpus;

      /* Inherited by the threads and processes started from here on. */
      CPU_ZERO (&cpus);
      CPU_SET (sched_getcpu () >= 0 ? sched_getcpu () : 0, &cpus);
      if (sched_setaffinity (0, sizeof cpus, &cpus) != 0)
        die ("cannot keep to one CPU: %s", g_strerror (errno));
    }

  listen_fd = listen_loopback (&service_port);
  g_thread_unref (g_thread_new ("accept", accept_loop, GINT_TO_POINTER (listen_fd)));

  {
    const char * const sim_argv[] = { sim_path, "--port", "0", "--proxy-port", "0", NULL };
    sim = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, sim_argv);
    if (sim == NULL)
      die ("cannot run meeting-sim: %s", error->message);
  }
  sim_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim));
  ready = read_json_line (sim_out, "meeting-sim");

  /* The administrator's part, then the device's registration. */
  client = umt_meeting_client_new (json_object_get_string_member (ready, "url"), &error);
  key = g_strdup_printf ("bench-%d", (int) getpid ());
  if (client == NULL ||
      !umt_meeting_client_manual_create_sync (client, key, token, "linux", "debian", NULL, &error) ||
      (registration = umt_meeting_client_register_sync (client, key, token, NULL, NULL, &error)) == NULL ||
      !umt_meeting_client_authorize_sync (client, key, TRUE, NULL, &error) ||
      (grant = umt_meeting_client_request_service_sync (client, key, "relay", service_port, NULL, &error)) == NULL)
    die ("setting the device up in meeting-sim failed: %s", error->message);

  {
    const char * const agent_argv[] = { agent_path, NULL };
    agent = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                   G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, agent_argv);
    if (agent == NULL)
      die ("cannot run umt-tunnel-agent: %s", error->message);
  }
  config_line = g_strdup_printf ("{\"device_key\":\"%s\",\"token\":\"%s\",\"proxy_host\":\"127.0.0.1\","
                                 "\"proxy_port\":%" G_GINT64_FORMAT ",\"tls\":false,\"verify_tls\":true,"
                                 "\"allowed_ports\":[%u],\"max_streams\":%u}\n",
                                 key, token, json_object_get_int_member (ready, "proxy_port"),
                                 service_port, BURST_STREAMS);
  if (!g_output_stream_write_all (g_subprocess_get_stdin_pipe (agent), config_line,
                                  strlen (config_line), NULL, NULL, &error))
    die ("cannot configure umt-tunnel-agent: %s", error->message);
  agent_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (agent));
  for (;;)
    {
      g_autoptr(JsonObject) event = read_json_line (agent_out, "umt-tunnel-agent");
      const char *name = json_object_get_string_member_with_default (event, "event", "");

      if (g_str_equal (name, "connected"))
        break;
      if (g_str_equal (name, "auth-failed"))
        die ("the proxy refused the agent");
    }

  direct.port = service_port;
  tunnel.port = grant->port;
  paths[n_paths++] = &direct;
  paths[n_paths++] = &tunnel;
  if (sshd_path != NULL && (ssh.port = ssh_tunnel_start (&ssh_tunnel, sshd_path, service_port)) != 0)
    paths[n_paths++] = &ssh;

  /* Each of these processes serves one path only, warm-up included. */
  cpu_share_init (&shares[n_shares++], "umt-tunnel-agent (ours)", &tunnel, agent, FALSE);
  cpu_share_init (&shares[n_shares++], "meeting-sim proxy (stand-in for the Meeting proxy)",
                  &tunnel, sim, FALSE);
  if (ssh.port != 0)
    {
      cpu_share_init (&shares[n_shares++], "ssh", &ssh, ssh_tunnel.ssh, FALSE);
      cpu_share_init (&shares[n_shares++], "sshd", &ssh, ssh_tunnel.sshd, TRUE);
    }
  measure_latencies (paths, n_paths, round_trips);
  for (guint i = 0; i < n_shares; i++)
    cpu_share_finish (&shares[i], round_trips + WARM_UP_ROUND_TRIPS);
  for (guint p = 0; p < n_paths; p++)
    {
      fprintf (stderr, "Measuring the throughput of %s…\n", paths[p]->name);
      for (guint i = 0; i < n_shares; i++)
        shares[i].start_s = cpu_share_seconds (&shares[i]);
      paths[p]->mib_per_s = measure_throughput (paths[p]->port, (guint64) mib << 20);
      for (guint i = 0; i < n_shares; i++)
        if (shares[i].path == paths[p])
          shares[i].s_per_gib = (cpu_share_seconds (&shares[i]) - shares[i].start_s) * 1024 / mib;
    }
  hwm_kb = read_status_kb (agent, "VmHWM:");
  fprintf (stderr, "Opening %u streams at once…\n", BURST_STREAMS);
  burst_s = measure_burst (tunnel.port, agent, BURST_STREAMS, &rss_kb_per_stream);
  ssh_tunnel_stop (&ssh_tunnel);

  printf ("\nTunnel benchmark: %d MiB one way, %d round trips of %d bytes (after %d to warm up), loopback%s\n\n",
          mib, round_trips, MESSAGE_SIZE, WARM_UP_ROUND_TRIPS, one_cpu ? ", one CPU" : "");
  printf ("  %-28s %11s %10s %10s %10s\n", "path", "Gbit/s", "rtt mean", "p50", "p99 (µs)");
  print_row (&direct);
  print_row (&tunnel);
  print_row (&ssh);
  printf ("\n  Added round trip over direct loopback (median, p99):\n");
  print_added_rtt (&tunnel, &direct);
  print_added_rtt (&ssh, &direct);
  printf ("\n");
  print_ratios (&tunnel, &direct);
  print_ratios (&tunnel, &ssh);
  print_ratios (&ssh, &direct);
  if (!ssh.measured)
    printf ("  (ssh -R not measured)\n");
  printf ("\n  The tunnel path is umt-tunnel-agent (ours) and meeting-sim's proxy (test\n"
          "  infrastructure; the Meeting server's proxy takes its place in production).\n"
          "  CPU time per process:\n"
          "    %-52s %9s %12s\n", "", "per GiB", "round trip");
  for (guint i = 0; i < n_shares; i++)
    {
      printf ("    %-52s %7.3f s %9.1f µs\n", shares[i].name, shares[i].s_per_gib,
              shares[i].us_per_round_trip);
      g_array_unref (shares[i].pids);
    }
  printf ("\n  umt-tunnel-agent peak RSS (VmHWM) after the runs above: %.1f MB\n", hwm_kb / 1024.0);
  printf ("  %u streams opened at once and echoed through the tunnel: %.3f s\n",
          BURST_STREAMS, burst_s);
  printf ("  umt-tunnel-agent RSS per open idle stream: %.1f kB\n", rss_kb_per_stream);

  g_subprocess_force_exit (agent);
  g_subprocess_send_signal (sim, SIGTERM);
  g_subprocess_wait (sim, NULL, NULL);
  return 0;
}
