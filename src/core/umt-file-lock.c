/* umt-file-lock.c: what the lock does alike on every platform
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-file-lock"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "umt-file-lock.h"
#include "umt-file-lock-private.h"

#define TEMPORARY_SUFFIX_LENGTH 6  /* the XXXXXX of g_file_set_contents_full */
#define STALE_AGE_SECONDS       60

char *
_umt_file_lock_path_for (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strdup_printf (".%s.lock", base);

  return g_build_filename (dir, name, NULL);
}

static gboolean
is_temporary_of (const char *entry,
                 const char *base)
{
  gsize base_length = strlen (base);

  if (strncmp (entry, base, base_length) != 0 || entry[base_length] != '.' ||
      strlen (entry + base_length + 1) != TEMPORARY_SUFFIX_LENGTH)
    return FALSE;
  for (const char *c = entry + base_length + 1; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c))
      return FALSE;
  return TRUE;
}

guint
umt_file_lock_remove_stale_temporaries (const char *path)
{
  g_autofree char *dir_path = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *entry;
  guint removed = 0;

  if (dir == NULL)
    return 0;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *full = NULL;
      GStatBuf info;

      if (!is_temporary_of (entry, base))
        continue;
      full = g_build_filename (dir_path, entry, NULL);
      if (g_lstat (full, &info) != 0 || !S_ISREG (info.st_mode) ||
          now - (gint64) info.st_mtime < STALE_AGE_SECONDS)
        continue;
      if (g_remove (full) == 0)
        {
          g_debug ("Removed %s, left by a writer that was stopped", full);
          removed++;
        }
    }
  return removed;
}
