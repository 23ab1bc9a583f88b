/* umt-file-lock-win32.c: LockFileEx on a lock file next to the state file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-file-lock"

#include "config.h"

#include <io.h>
#include <windows.h>

#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-file-lock.h"
#include "umt-file-lock-private.h"

struct _UmtFileLock
{
  HANDLE handle;
};

UmtFileLock *
umt_file_lock_acquire (const char  *path,
                       GError     **error)
{
  g_autofree char *lock_path = _umt_file_lock_path_for (path);
  g_autofree gunichar2 *wide = g_utf8_to_utf16 (lock_path, -1, NULL, NULL, NULL);
  OVERLAPPED overlapped = { 0 };
  UmtFileLock *lock;
  HANDLE handle;

  handle = wide == NULL ? INVALID_HANDLE_VALUE
                        : CreateFileW (wide, GENERIC_READ | GENERIC_WRITE,
                                       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                       NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  if (handle == INVALID_HANDLE_VALUE ||
      !LockFileEx (handle, LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &overlapped))
    {
      g_autofree char *reason = g_win32_error_message (GetLastError ());

      if (handle != INVALID_HANDLE_VALUE)
        CloseHandle (handle);
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO,
                   _("Could not lock %s: %s."), path, reason);
      return NULL;
    }
  lock = g_new0 (UmtFileLock, 1);
  lock->handle = handle;
  return lock;
}

void
umt_file_lock_release (UmtFileLock *lock)
{
  if (lock == NULL)
    return;
  /* Closing the handle drops the lock. */
  CloseHandle (lock->handle);
  g_free (lock);
}

gboolean
_umt_file_lock_try_fd (int fd)
{
  OVERLAPPED overlapped = { 0 };

  return LockFileEx ((HANDLE) _get_osfhandle (fd),
                     LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY,
                     0, 1, 0, &overlapped);
}

gboolean
_umt_file_lock_wait_fd (int fd)
{
  OVERLAPPED overlapped = { 0 };

  return LockFileEx ((HANDLE) _get_osfhandle (fd), LOCKFILE_EXCLUSIVE_LOCK,
                     0, 1, 0, &overlapped);
}
