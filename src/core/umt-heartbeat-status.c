/* umt-heartbeat-status.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-heartbeat-status"

#include "config.h"

#include <errno.h>
#include <fcntl.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#ifdef G_OS_UNIX
# include <signal.h>
# include <sys/file.h>
# include <unistd.h>
#else
# include <io.h>
# include <windows.h>
#endif

#include "umt-config-error.h"
#include "umt-heartbeat-status.h"
#include "umt-paths.h"

#define STATUS_FILE "heartbeat.json"
#define LOCK_FILE   "owner.lock"
#define PUBLISHER_KEY "umt-heartbeat-status-publisher"

void
umt_heartbeat_status_free (UmtHeartbeatStatus *status)
{
  if (status == NULL)
    return;

  g_free (status->device_key);
  g_clear_pointer (&status->last_success, g_date_time_unref);
  g_free (status->server_last_seen);
  g_free (status->last_error);
  g_clear_pointer (&status->next_beat, g_date_time_unref);
  g_clear_pointer (&status->updated, g_date_time_unref);
  g_free (status);
}

static char *
status_path (void)
{
  g_autofree char *state_dir = umt_paths_get_state_dir ();

  return g_build_filename (state_dir, STATUS_FILE, NULL);
}

static gboolean
process_is_alive (GPid pid)
{
#ifdef G_OS_UNIX
  return pid > 0 && (kill (pid, 0) == 0 || errno == EPERM);
#else
  HANDLE process = OpenProcess (PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD) pid);
  DWORD code = 0;
  gboolean alive;

  if (process == NULL)
    return FALSE;
  alive = GetExitCodeProcess (process, &code) && code == STILL_ACTIVE;
  CloseHandle (process);
  return alive;
#endif
}

static GDateTime *
member_date_time (JsonObject *object,
                  const char *name)
{
  const char *text = json_object_get_string_member_with_default (object, name, NULL);

  return text != NULL ? g_date_time_new_from_iso8601 (text, NULL) : NULL;
}

static char *
member_string (JsonObject *object,
               const char *name)
{
  return g_strdup (json_object_get_string_member_with_default (object, name, NULL));
}

UmtHeartbeatStatus *
umt_heartbeat_status_load (GError **error)
{
  g_autofree char *path = status_path ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(UmtHeartbeatStatus) status = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "No heartbeat has run for this user yet.");
      return NULL;
    }

  if (!json_parser_load_from_file (parser, path, &local_error) ||
      !JSON_NODE_HOLDS_OBJECT ((root = json_parser_get_root (parser))))
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT,
                   "The heartbeat status file %s cannot be read; it will be rewritten "
                   "by the next heartbeat.", path);
      return NULL;
    }

  object = json_node_get_object (root);
  status = g_new0 (UmtHeartbeatStatus, 1);
  status->state = umt_heartbeat_state_from_string (
      json_object_get_string_member_with_default (object, "state", NULL));
  status->device_key = member_string (object, "device_key");
  status->last_success = member_date_time (object, "last_success");
  status->server_last_seen = member_string (object, "server_last_seen");
  status->last_error = member_string (object, "last_error");
  status->consecutive_failures =
    (guint) CLAMP (json_object_get_int_member_with_default (object, "consecutive_failures", 0),
                   0, G_MAXUINT);
  status->next_beat = member_date_time (object, "next_beat");
  status->updated = member_date_time (object, "updated");
  status->pid = (GPid) json_object_get_int_member_with_default (object, "pid", 0);
  status->owner_alive = process_is_alive (status->pid);

  return g_steal_pointer (&status);
}

static void
add_date_time (JsonBuilder *builder,
               const char  *name,
               GDateTime   *value)
{
  g_autofree char *text = NULL;

  if (value == NULL)
    return;

  text = g_date_time_format_iso8601 (value);
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, text);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  if (value == NULL)
    return;

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

typedef struct
{
  UmtHeartbeat *heartbeat; /* not owned: the publisher lives in its data */
  char         *device_key;
  gulong        notify_id;
  guint         idle_id;
} Publisher;

static void
write_status (Publisher *publisher)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = umt_paths_get_state_dir ();
  g_autofree char *path = status_path ();
  g_autofree char *text = NULL;
  UmtHeartbeat *heartbeat = publisher->heartbeat;

  json_builder_begin_object (builder);
  add_string (builder, "state",
              umt_heartbeat_state_to_string (umt_heartbeat_get_state (heartbeat)));
  add_string (builder, "device_key", publisher->device_key);
  add_date_time (builder, "last_success", umt_heartbeat_get_last_success (heartbeat));
  add_string (builder, "server_last_seen", umt_heartbeat_get_server_last_seen (heartbeat));
  add_string (builder, "last_error", umt_heartbeat_get_last_error (heartbeat));
  json_builder_set_member_name (builder, "consecutive_failures");
  json_builder_add_int_value (builder, umt_heartbeat_get_consecutive_failures (heartbeat));
  add_date_time (builder, "next_beat", umt_heartbeat_get_next_beat (heartbeat));
  add_date_time (builder, "updated", now);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, getpid ());
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  if (!umt_paths_ensure_private_dir (state_dir, &error) ||
      !umt_paths_write_atomic (path, text, -1, &error))
    g_message ("Cannot publish the heartbeat state: %s", error->message);
}

static gboolean
write_status_idle (gpointer data)
{
  Publisher *publisher = data;

  publisher->idle_id = 0;
  write_status (publisher);
  return G_SOURCE_REMOVE;
}

/* Several properties change together after each beat: write once. */
static void
on_heartbeat_notify (UmtHeartbeat *heartbeat,
                     GParamSpec   *pspec,
                     Publisher    *publisher)
{
  if (publisher->idle_id == 0)
    publisher->idle_id = g_idle_add (write_status_idle, publisher);
}

static void
publisher_free (gpointer data)
{
  Publisher *publisher = data;

  g_clear_handle_id (&publisher->idle_id, g_source_remove);
  g_free (publisher->device_key);
  g_free (publisher);
}

void
umt_heartbeat_status_publish (UmtHeartbeat *heartbeat,
                              const char   *device_key)
{
  Publisher *publisher;

  g_return_if_fail (UMT_IS_HEARTBEAT (heartbeat));

  umt_heartbeat_status_unpublish (heartbeat);

  publisher = g_new0 (Publisher, 1);
  publisher->heartbeat = heartbeat;
  publisher->device_key = g_strdup (device_key);
  publisher->notify_id = g_signal_connect (heartbeat, "notify",
                                           G_CALLBACK (on_heartbeat_notify), publisher);
  g_object_set_data_full (G_OBJECT (heartbeat), PUBLISHER_KEY, publisher, publisher_free);

  write_status (publisher);
}

void
umt_heartbeat_status_unpublish (UmtHeartbeat *heartbeat)
{
  Publisher *publisher;

  g_return_if_fail (UMT_IS_HEARTBEAT (heartbeat));

  publisher = g_object_get_data (G_OBJECT (heartbeat), PUBLISHER_KEY);
  if (publisher == NULL)
    return;

  g_clear_signal_handler (&publisher->notify_id, heartbeat);
  write_status (publisher);
  g_object_set_data (G_OBJECT (heartbeat), PUBLISHER_KEY, NULL);
}

struct _UmtOwnerLock
{
  int fd;
};

static GPid
read_holder_pid (int fd)
{
  char buffer[32] = { 0 };
  gssize length;

  if (lseek (fd, 0, SEEK_SET) < 0)
    return 0;
  length = read (fd, buffer, sizeof buffer - 1);
  if (length <= 0)
    return 0;

  return (GPid) g_ascii_strtoll (buffer, NULL, 10);
}

static gboolean
try_lock (int fd)
{
#ifdef G_OS_UNIX
  return flock (fd, LOCK_EX | LOCK_NB) == 0;
#else
  OVERLAPPED overlapped = { 0 };
  return LockFileEx ((HANDLE) _get_osfhandle (fd),
                     LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY,
                     0, 1, 0, &overlapped);
#endif
}

UmtOwnerLock *
umt_owner_lock_acquire (GError **error)
{
  g_autofree char *state_dir = umt_paths_get_state_dir ();
  g_autofree char *path = g_build_filename (state_dir, LOCK_FILE, NULL);
  g_autofree char *pid_text = NULL;
  UmtOwnerLock *lock;
  int fd;

  if (!umt_paths_ensure_private_dir (state_dir, error))
    return NULL;

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot open %s: %s.", path, g_strerror (saved_errno));
      return NULL;
    }

  if (!try_lock (fd))
    {
      GPid holder = read_holder_pid (fd);

      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   "Another Updates Manager Tool (process %d) is already sending this "
                   "device's heartbeat. Quit it first, or see its state with “umt status”.",
                   (int) holder);
      return NULL;
    }

  pid_text = g_strdup_printf ("%d\n", (int) getpid ());
  if (ftruncate (fd, 0) != 0 || lseek (fd, 0, SEEK_SET) < 0 ||
      write (fd, pid_text, strlen (pid_text)) < 0)
    g_debug ("Could not record our pid in %s: %s", path, g_strerror (errno));

  lock = g_new0 (UmtOwnerLock, 1);
  lock->fd = fd;
  return lock;
}

void
umt_owner_lock_release (UmtOwnerLock *lock)
{
  if (lock == NULL)
    return;

  /* Closing the descriptor drops the lock; the file stays for the next owner. */
  close (lock->fd);
  g_free (lock);
}
