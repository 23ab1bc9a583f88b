/* umt-profiles.h: profiles.json, the list of server profiles and the active one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "umt-profile.h"

G_BEGIN_DECLS

#define UMT_TYPE_PROFILES (umt_profiles_get_type ())
G_DECLARE_FINAL_TYPE (UmtProfiles, umt_profiles, UMT, PROFILES, GObject)

/* A GListModel of UmtProfile (items-changed on add/remove) with the
 * properties "active" (UmtProfile), "active-name", "server-url" (the URL
 * used this run) and "server-url-overridden" (MEETING_SERVER_URL is set).
 * Main thread only; the heartbeat worker gets copies of the values it needs.
 *
 * add/remove/use/set and save hold the file's lock, re-read it, lay the
 * edits made in memory since it was last read or written over what it holds
 * now (another process may have edited it), write it back atomically (0600)
 * and take the result in memory: nothing another process saved meanwhile is
 * lost. When that fails they return FALSE (UMT_CONFIG_ERROR_IO when the file
 * cannot be written) and nothing changes, in the file or in memory.
 *
 * Signal "reloaded": umt_profiles_reload() took changes another process
 * made to the file. */

/* Reads profiles.json (after the one-time legacy import). A first start
 * creates and saves "production" → https://meeting.ygsoft.fr. A file that
 * doesn't parse is set aside (profiles.json.corrupt-<timestamp>) and NULL is
 * returned with UMT_CONFIG_ERROR_CORRUPT; the caller may report it and call
 * again to start from the defaults. An invalid MEETING_SERVER_URL is an
 * UMT_CONFIG_ERROR_INVALID_INPUT. */
UmtProfiles *umt_profiles_load                 (GError      **error);

UmtProfile  *umt_profiles_lookup               (UmtProfiles  *self,
                                                const char   *name);  /* transfer none, NULL if unknown */
UmtProfile  *umt_profiles_get_active           (UmtProfiles  *self);  /* transfer none, never NULL */
const char  *umt_profiles_get_active_name      (UmtProfiles  *self);

/* Adds @profile (its name must be new). */
gboolean     umt_profiles_add                  (UmtProfiles  *self,
                                                UmtProfile   *profile,
                                                GError      **error);
/* The active profile cannot be removed (use another one first). */
gboolean     umt_profiles_remove               (UmtProfiles  *self,
                                                const char   *name,
                                                GError      **error);
gboolean     umt_profiles_use                  (UmtProfiles  *self,
                                                const char   *name,
                                                GError      **error);
/* umt_profile_set_value() on the named profile, then save. */
gboolean     umt_profiles_set                  (UmtProfiles  *self,
                                                const char   *name,
                                                const char   *key,
                                                const char   *value,
                                                GError      **error);
/* Saves the edits made to the profiles in memory (their setters). */
gboolean     umt_profiles_save                 (UmtProfiles  *self,
                                                GError      **error);

/* Takes what another process changed in profiles.json, keeping the edits
 * in memory not saved yet; emits "reloaded" when something changed. A
 * removed file changes nothing; one that does not parse is an
 * UMT_CONFIG_ERROR_CORRUPT and leaves the profiles as they are. */
gboolean     umt_profiles_reload               (UmtProfiles  *self,
                                                GError      **error);
/* Reloads whenever the file changes, for as long as @self lives. */
void         umt_profiles_watch                (UmtProfiles  *self);

/* The server URL this run uses: MEETING_SERVER_URL when set (checked at load
 * with the active profile's allow_insecure_http), else the active profile's
 * base_url. @overridden (may be NULL) tells which, so status can say so. */
const char  *umt_profiles_get_server_url       (UmtProfiles  *self,
                                                gboolean     *overridden);
/* The same for a profile chosen with --profile: the environment still wins. */
const char  *umt_profiles_get_server_url_for   (UmtProfiles  *self,
                                                UmtProfile   *profile,
                                                gboolean     *overridden);

/* Where the file lives (config dir/profiles.json). */
char        *umt_profiles_get_path             (void);

G_END_DECLS
