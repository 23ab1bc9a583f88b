/* umt-status-file.h: a state a running owner publishes as JSON for the others
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to src/core: heartbeat.json and tunnel.json in the state
 * directory are both written this way. The owner rewrites its file
 * atomically at every change of its object's properties, with its pid; the
 * last write, when it stops publishing, has no pid, so readers never take a
 * process that no longer publishes for the owner.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Adds @object's own members to the JSON object being built. */
typedef void (*UmtStatusFileFillFunc) (GObject     *object,
                                       JsonBuilder *builder,
                                       gpointer     user_data);

void        umt_status_file_publish     (GObject               *object,
                                         const char            *file_name,
                                         UmtStatusFileFillFunc  fill,
                                         gpointer               user_data,
                                         GDestroyNotify         destroy);
void        umt_status_file_unpublish   (GObject               *object,
                                         const char            *file_name);

/* The file's object; G_IO_ERROR_NOT_FOUND with @never_written as message
 * when there is none, UMT_CONFIG_ERROR_CORRUPT when it does not parse.
 * @pid and @owner_alive receive the publisher and whether it still runs. */
JsonObject *umt_status_file_load        (const char            *file_name,
                                         const char            *never_written,
                                         GPid                  *pid,
                                         gboolean              *owner_alive,
                                         GError               **error);

/* Members that are left out when NULL, and their reading back. */
void        umt_status_file_add_string  (JsonBuilder           *builder,
                                         const char            *name,
                                         const char            *value);
void        umt_status_file_add_date_time (JsonBuilder         *builder,
                                           const char          *name,
                                           GDateTime           *value);
void        umt_status_file_add_int     (JsonBuilder           *builder,
                                         const char            *name,
                                         gint64                 value);
GDateTime  *umt_status_file_get_date_time (JsonObject          *object,
                                           const char          *name);

G_END_DECLS
