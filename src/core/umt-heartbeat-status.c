/* umt-heartbeat-status.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-heartbeat-status"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <glib/gstdio.h>

#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "umt-file-lock-private.h"
#include "umt-heartbeat-status.h"
#include "umt-paths.h"
#include "umt-posix.h"
#include "umt-status-file.h"

#define STATUS_FILE "heartbeat.json"
#define LOCK_FILE   "owner.lock"

void
umt_heartbeat_status_free (UmtHeartbeatStatus *status)
{
  if (status == NULL)
    return;

  g_free (status->device_key);
  g_clear_pointer (&status->last_success, g_date_time_unref);
  g_free (status->server_last_seen);
  g_free (status->last_error);
  g_free (status->program);
  g_clear_pointer (&status->next_beat, g_date_time_unref);
  g_clear_pointer (&status->updated, g_date_time_unref);
  g_free (status);
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
  g_autoptr(UmtHeartbeatStatus) status = g_new0 (UmtHeartbeatStatus, 1);
  g_autoptr(JsonObject) object = NULL;

  object = umt_status_file_load (STATUS_FILE, _("No heartbeat has run for this user yet."),
                                 &status->pid, &status->owner_alive, error);
  if (object == NULL)
    return NULL;

  status->state = umt_heartbeat_state_from_string (
      json_object_get_string_member_with_default (object, "state", NULL));
  status->device_key = member_string (object, "device_key");
  status->last_success = umt_status_file_get_date_time (object, "last_success");
  status->server_last_seen = member_string (object, "server_last_seen");
  status->last_error = member_string (object, "last_error");
  status->consecutive_failures =
    (guint) CLAMP (json_object_get_int_member_with_default (object, "consecutive_failures", 0),
                   0, G_MAXUINT);
  status->next_beat = umt_status_file_get_date_time (object, "next_beat");
  status->updated = umt_status_file_get_date_time (object, "updated");
  status->program = member_string (object, "program");

  return g_steal_pointer (&status);
}

static void
fill_status (GObject     *object,
             JsonBuilder *builder,
             gpointer     user_data)
{
  UmtHeartbeat *heartbeat = UMT_HEARTBEAT (object);
  const char *device_key = user_data;

  umt_status_file_add_string (builder, "state",
                              umt_heartbeat_state_to_string (umt_heartbeat_get_state (heartbeat)));
  umt_status_file_add_string (builder, "device_key", device_key);
  umt_status_file_add_date_time (builder, "last_success", umt_heartbeat_get_last_success (heartbeat));
  umt_status_file_add_string (builder, "server_last_seen",
                              umt_heartbeat_get_server_last_seen (heartbeat));
  umt_status_file_add_string (builder, "last_error", umt_heartbeat_get_last_error (heartbeat));
  umt_status_file_add_int (builder, "consecutive_failures",
                           umt_heartbeat_get_consecutive_failures (heartbeat));
  umt_status_file_add_date_time (builder, "next_beat", umt_heartbeat_get_next_beat (heartbeat));
}

void
umt_heartbeat_status_publish (UmtHeartbeat *heartbeat,
                              const char   *device_key)
{
  g_return_if_fail (UMT_IS_HEARTBEAT (heartbeat));

  umt_status_file_publish (G_OBJECT (heartbeat), STATUS_FILE, fill_status,
                           g_strdup (device_key), g_free);
}

void
umt_heartbeat_status_unpublish (UmtHeartbeat *heartbeat)
{
  g_return_if_fail (UMT_IS_HEARTBEAT (heartbeat));

  umt_status_file_unpublish (G_OBJECT (heartbeat), STATUS_FILE);
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

static int
open_lock_file (GError **error)
{
  g_autofree char *state_dir = umt_paths_get_state_dir ();
  g_autofree char *path = g_build_filename (state_dir, LOCK_FILE, NULL);
  int fd;

  if (!umt_paths_ensure_private_dir (state_dir, error))
    return -1;

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot open %s: %s."), path, g_strerror (saved_errno));
    }
  return fd;
}

/* The lock is ours: say so in the file, for the message of the next one that tries. */
static UmtOwnerLock *
take_lock (int fd)
{
  g_autofree char *pid_text = g_strdup_printf ("%d\n", (int) getpid ());
  UmtOwnerLock *lock;

  if (ftruncate (fd, 0) != 0 || lseek (fd, 0, SEEK_SET) < 0 ||
      write (fd, pid_text, strlen (pid_text)) < 0)
    g_debug ("Could not record our pid in " LOCK_FILE ": %s", g_strerror (errno));

  lock = g_new0 (UmtOwnerLock, 1);
  lock->fd = fd;
  return lock;
}

UmtOwnerLock *
umt_owner_lock_acquire (GError **error)
{
  int fd = open_lock_file (error);

  if (fd < 0)
    return NULL;

  if (!_umt_file_lock_try_fd (fd))
    {
      GPid holder = read_holder_pid (fd);
      g_autoptr(UmtHeartbeatStatus) status = umt_heartbeat_status_load (NULL);
      const char *program = status != NULL && status->pid == holder ? status->program : NULL;

      close (fd);
      /* Its status file names its program: say which front end it is. */
      if (g_strcmp0 (program, "umt") == 0)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                     _("“umt run” (process %d) is already sending this device's heartbeat. "
                       "Stop it first, or see its state with “umt status”."), (int) holder);
      else if (program != NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                     _("The Updates Manager window (process %d) is already sending this "
                       "device's heartbeat. Quit it first, or see its state with “umt status”."),
                     (int) holder);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                     _("Another Updates Manager Tool (process %d) is already sending this "
                       "device's heartbeat. Quit it first, or see its state with “umt status”."),
                     (int) holder);
      return NULL;
    }

  return take_lock (fd);
}

static void
wait_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  int fd = open_lock_file (&error);

  if (fd < 0)
    {
      g_task_return_error (task, error);
      return;
    }

  if (!_umt_file_lock_wait_fd (fd))
    {
      int saved_errno = errno;

      close (fd);
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               "Cannot wait for the heartbeat's owner: %s.",
                               g_strerror (saved_errno));
      return;
    }

  /* Given up while we waited: let the next one have it. */
  if (g_cancellable_is_cancelled (cancellable))
    {
      close (fd);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
      return;
    }

  g_task_return_pointer (task, take_lock (fd), (GDestroyNotify) umt_owner_lock_release);
}

void
umt_owner_lock_wait_async (GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, umt_owner_lock_wait_async);
  /* The wait in the thread cannot be interrupted: a cancelled caller hears of it at
   * once, and the thread lets the lock go when it gets it. */
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, wait_thread);
}

UmtOwnerLock *
umt_owner_lock_wait_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
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
