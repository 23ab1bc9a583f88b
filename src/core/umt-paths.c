/* umt-paths.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-paths"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-paths.h"

#define APP_DIR_NAME       "updates-manager-tool"
#define LEGACY_DIR_NAME    ".updates-manager-tool"
#define LEGACY_MARKER_NAME ".legacy-imported"

static const char * const legacy_files[] = { "device_info.json", "profiles.json" };

static gboolean system_mode;

void
umt_paths_use_system_dirs (void)
{
  system_mode = TRUE;
}

gboolean
umt_paths_is_system (void)
{
  return system_mode;
}

/* The directory systemd made for the unit (StateDirectory= and friends set
 * $STATE_DIRECTORY…), else where it would have made it. */
static char *
system_dir (const char *variable,
            const char *fallback_root)
{
  const char *dir = g_getenv (variable);

  /* Several directories of one kind are separated by ':'; ours is the first. */
  if (dir != NULL && *dir == '/')
    {
      const char *colon = strchr (dir, ':');
      return colon != NULL ? g_strndup (dir, colon - dir) : g_strdup (dir);
    }
  return g_build_filename (fallback_root, APP_DIR_NAME, NULL);
}

char *
umt_paths_get_system_config_dir (void)
{
  return system_dir ("CONFIGURATION_DIRECTORY", "/etc");
}

char *
umt_paths_get_config_dir (void)
{
  if (system_mode)
    return umt_paths_get_system_config_dir ();
  return g_build_filename (g_get_user_config_dir (), APP_DIR_NAME, NULL);
}

char *
umt_paths_get_state_dir (void)
{
  if (system_mode)
    return system_dir ("STATE_DIRECTORY", "/var/lib");
  return g_build_filename (g_get_user_state_dir (), APP_DIR_NAME, NULL);
}

char *
umt_paths_get_data_dir (void)
{
  /* The system service's SSH key is state of the device like the rest. */
  if (system_mode)
    return system_dir ("STATE_DIRECTORY", "/var/lib");
  return g_build_filename (g_get_user_data_dir (), APP_DIR_NAME, NULL);
}

char *
umt_paths_get_logs_dir (void)
{
  if (system_mode)
    return system_dir ("LOGS_DIRECTORY", "/var/log");
  return g_build_filename (g_get_user_state_dir (), APP_DIR_NAME, "logs", NULL);
}

char *
umt_paths_get_legacy_dir (void)
{
  return g_build_filename (g_get_home_dir (), LEGACY_DIR_NAME, NULL);
}

gboolean
umt_paths_ensure_private_dir (const char  *path,
                              GError     **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO,
                   _("Could not create the folder %s: %s."), path, g_strerror (saved));
      return FALSE;
    }
  /* An existing directory may have been created with a looser umask. */
  if (g_chmod (path, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO,
                   _("Could not restrict access to the folder %s: %s."), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_atomic_with_mode (const char  *path,
                        const char  *contents,
                        gssize       length,
                        int          mode,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  /* CONSISTENT writes a temporary file next to @path and renames it over;
   * DURABLE adds the fsync even when @path did not exist before, so a crash
   * right after "registered" cannot leave an empty file behind. The mode
   * applies to the temporary file, so the secret-free but private state is
   * never readable by others, not even for a moment. */
  if (!g_file_set_contents_full (path, contents, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 mode, &local_error))
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO,
                   _("Could not save %s: %s."), path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
umt_paths_write_atomic (const char  *path,
                        const char  *contents,
                        gssize       length,
                        GError     **error)
{
  return write_atomic_with_mode (path, contents, length, 0600, error);
}

gboolean
umt_paths_ensure_config_dir (GError **error)
{
  g_autofree char *dir = umt_paths_get_config_dir ();

  if (!system_mode)
    return umt_paths_ensure_private_dir (dir, error);

  if (g_mkdir_with_parents (dir, 0755) != 0 || g_chmod (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO,
                   "Could not create the folder %s: %s.", dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
umt_paths_write_config (const char  *path,
                        const char  *contents,
                        gssize       length,
                        GError     **error)
{
  return write_atomic_with_mode (path, contents, length, system_mode ? 0644 : 0600, error);
}

char *
umt_paths_set_aside_corrupt (const char  *path,
                             GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *target = g_strdup_printf ("%s.corrupt-%s", path, stamp);

  /* Two corrupt files within a second must not overwrite each other. */
  for (guint n = 2; g_file_test (target, G_FILE_TEST_EXISTS); n++)
    {
      g_free (target);
      target = g_strdup_printf ("%s.corrupt-%s-%u", path, stamp, n);
    }

  if (g_rename (path, target) != 0)
    {
      int saved = errno;
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO,
                   _("Could not set aside the unreadable file %s: %s."), path, g_strerror (saved));
      return NULL;
    }
  return g_steal_pointer (&target);
}

static gboolean
import_one (const char  *legacy_dir,
            const char  *config_dir,
            const char  *name,
            GError     **error)
{
  g_autofree char *source = g_build_filename (legacy_dir, name, NULL);
  g_autofree char *target = g_build_filename (config_dir, name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  if (!g_file_test (source, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  if (g_file_test (target, G_FILE_TEST_EXISTS))
    {
      g_message ("Not importing %s: %s exists already", source, target);
      return TRUE;
    }
  if (!g_file_get_contents (source, &contents, &length, &local_error))
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO,
                   _("Could not read the old settings file %s: %s."), source, local_error->message);
      return FALSE;
    }
  /* Copied as it is: the loaders check every field, drop any token a legacy
   * file held, and set aside a file that doesn't parse. */
  if (!umt_paths_write_atomic (target, contents, length, error))
    return FALSE;

  g_message ("Imported %s into %s (the old file is kept)", source, target);
  return TRUE;
}

gboolean
umt_paths_import_legacy (GError **error)
{
  g_autofree char *config_dir = umt_paths_get_config_dir ();
  g_autofree char *legacy_dir = umt_paths_get_legacy_dir ();
  g_autofree char *marker = g_build_filename (config_dir, LEGACY_MARKER_NAME, NULL);

  /* The service has no home of its own: nothing to import. Nor may it
   * touch its configuration: root writes it when provisioning the device. */
  if (system_mode)
    return TRUE;
  if (g_file_test (marker, G_FILE_TEST_EXISTS))
    return TRUE;

  if (!umt_paths_ensure_private_dir (config_dir, error))
    return FALSE;

  if (g_file_test (legacy_dir, G_FILE_TEST_IS_DIR))
    {
      for (gsize i = 0; i < G_N_ELEMENTS (legacy_files); i++)
        if (!import_one (legacy_dir, config_dir, legacy_files[i], error))
          return FALSE;
    }

  /* Written even when there was nothing to import: a legacy directory that
   * appears later is not this installation's past. */
  return umt_paths_write_atomic (marker, "", 0, error);
}
