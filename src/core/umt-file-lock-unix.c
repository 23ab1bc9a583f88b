/* umt-file-lock-unix.c: flock(2) on a lock file next to the state file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-file-lock"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-file-lock.h"
#include "umt-file-lock-private.h"

struct _UmtFileLock
{
  int fd;
};

UmtFileLock *
umt_file_lock_acquire (const char  *path,
                       GError     **error)
{
  g_autofree char *lock_path = _umt_file_lock_path_for (path);
  UmtFileLock *lock;
  int fd;

  fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO,
                   _("Could not lock %s: %s."), path, g_strerror (saved_errno));
      return NULL;
    }
  while (flock (fd, LOCK_EX) < 0)
    {
      int saved_errno = errno;

      if (saved_errno == EINTR)
        continue;
      close (fd);
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO,
                   _("Could not lock %s: %s."), path, g_strerror (saved_errno));
      return NULL;
    }
  lock = g_new0 (UmtFileLock, 1);
  lock->fd = fd;
  return lock;
}

void
umt_file_lock_release (UmtFileLock *lock)
{
  if (lock == NULL)
    return;
  /* Closing the descriptor drops the flock. */
  close (lock->fd);
  g_free (lock);
}

gboolean
_umt_file_lock_try_fd (int fd)
{
  return flock (fd, LOCK_EX | LOCK_NB) == 0;
}

gboolean
_umt_file_lock_wait_fd (int fd)
{
  int result;

  do
    result = flock (fd, LOCK_EX);
  while (result != 0 && errno == EINTR);
  return result == 0;
}
