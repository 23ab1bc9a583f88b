/* umt-paths.h: where the tool keeps its files, and how it writes them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The directories are computed on each call from the XDG variables (so tests
 * with isolated directories see their own), and not created. */
char     *umt_paths_get_config_dir      (void);  /* $XDG_CONFIG_HOME/updates-manager-tool */
char     *umt_paths_get_state_dir       (void);  /* $XDG_STATE_HOME/updates-manager-tool */
char     *umt_paths_get_data_dir        (void);  /* $XDG_DATA_HOME/updates-manager-tool */
char     *umt_paths_get_logs_dir        (void);  /* <state dir>/logs */
char     *umt_paths_get_legacy_dir      (void);  /* ~/.updates-manager-tool */

/* The system service's directories from now on: $CONFIGURATION_DIRECTORY,
 * $STATE_DIRECTORY (state and data) and $LOGS_DIRECTORY as systemd sets them,
 * else /etc, /var/lib and /var/log/updates-manager-tool. No legacy import. */
void      umt_paths_use_system_dirs     (void);
gboolean  umt_paths_is_system           (void);

/* The system service's config directory, in either mode: users look there
 * to tell that the service owns this computer's device. */
char     *umt_paths_get_system_config_dir (void);

/* Creates @path and its parents when missing and makes @path itself 0700. */
gboolean  umt_paths_ensure_private_dir  (const char  *path,
                                         GError     **error);

/* The config directory and its files as their writers make them: private
 * (0700/0600) for a user; for the system service world-readable (0755/0644)
 * and owned by root who provisions the device, because the service's
 * dynamic user must read them and never writes there. No secret is ever
 * kept in them. */
gboolean  umt_paths_ensure_config_dir   (GError     **error);
gboolean  umt_paths_write_config        (const char  *path,
                                         const char  *contents,
                                         gssize       length,
                                         GError     **error);

/* Writes @contents to @path so that readers see the old file or the new one,
 * never a mix: a 0600 temporary file in the same directory, fsync, rename.
 * The directory must exist. No temporary file is left behind on failure.
 * @length may be -1 for a NUL-terminated string. */
gboolean  umt_paths_write_atomic        (const char  *path,
                                         const char  *contents,
                                         gssize       length,
                                         GError     **error);

/* Moves an unreadable state file aside as "<path>.corrupt-<YYYYMMDD-HHMMSS>"
 * and returns the new path, so the user can look at it. */
char     *umt_paths_set_aside_corrupt   (const char  *path,
                                         GError     **error);

/* Copies device_info.json and profiles.json from ~/.updates-manager-tool/
 * into the config directory once (files already there win), leaves the
 * legacy directory untouched, and leaves a marker so it never runs again.
 * Logged with g_message. Creates the config directory (0700). Called by the
 * profile and device state loaders; safe to call any number of times. */
gboolean  umt_paths_import_legacy       (GError     **error);

G_END_DECLS
