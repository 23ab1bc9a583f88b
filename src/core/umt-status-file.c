/* umt-status-file.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-status-file"

#include "config.h"

#include <errno.h>

#include <glib.h>

#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-paths.h"
#include "umt-process.h"
#include "umt-status-file.h"

static char *
status_path (const char *file_name)
{
  g_autofree char *state_dir = umt_paths_get_state_dir ();

  return g_build_filename (state_dir, file_name, NULL);
}

void
umt_status_file_add_string (JsonBuilder *builder,
                            const char  *name,
                            const char  *value)
{
  if (value == NULL)
    return;

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

void
umt_status_file_add_date_time (JsonBuilder *builder,
                               const char  *name,
                               GDateTime   *value)
{
  g_autofree char *text = value != NULL ? g_date_time_format_iso8601 (value) : NULL;

  umt_status_file_add_string (builder, name, text);
}

void
umt_status_file_add_int (JsonBuilder *builder,
                         const char  *name,
                         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

GDateTime *
umt_status_file_get_date_time (JsonObject *object,
                               const char *name)
{
  const char *text = json_object_get_string_member_with_default (object, name, NULL);

  return text != NULL ? g_date_time_new_from_iso8601 (text, NULL) : NULL;
}

JsonObject *
umt_status_file_load (const char  *file_name,
                      const char  *never_written,
                      GPid        *pid,
                      gboolean    *owner_alive,
                      GError     **error)
{
  g_autofree char *path = status_path (file_name);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonNode *root;
  GPid publisher;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, never_written);
      return NULL;
    }

  /* An empty file parses, with no root. */
  if (!json_parser_load_from_file (parser, path, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT,
                   _("The status file %s cannot be read; it is written again at the next "
                      "change."), path);
      return NULL;
    }

  object = json_object_ref (json_node_get_object (root));
  publisher = (GPid) json_object_get_int_member_with_default (object, "pid", 0);
  if (pid != NULL)
    *pid = publisher;
  if (owner_alive != NULL)
    *owner_alive = umt_process_is_alive (publisher);

  return object;
}

typedef struct
{
  GObject               *object; /* not owned: the publisher lives in its data */
  char                  *file_name;
  UmtStatusFileFillFunc  fill;
  gpointer               user_data;
  GDestroyNotify         destroy;
  gulong                 notify_id;
  guint                  idle_id;
} Publisher;

static void
write_status (Publisher *publisher,
              gboolean   owned)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = umt_paths_get_state_dir ();
  g_autofree char *path = status_path (publisher->file_name);
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  publisher->fill (publisher->object, builder, publisher->user_data);
  umt_status_file_add_date_time (builder, "updated", now);
  if (owned)
    {
      umt_status_file_add_int (builder, "pid", getpid ());
      /* Who that is, for the others to say: "umt" is `umt run`. */
      umt_status_file_add_string (builder, "program", g_get_prgname ());
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  if (!umt_paths_ensure_private_dir (state_dir, &error) ||
      !umt_paths_write_atomic (path, text, -1, &error))
    g_message ("Cannot publish %s: %s", publisher->file_name, error->message);
}

static gboolean
write_status_idle (gpointer data)
{
  Publisher *publisher = data;

  publisher->idle_id = 0;
  write_status (publisher, TRUE);
  return G_SOURCE_REMOVE;
}

/* Several properties change together on one event: write once. */
static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           Publisher  *publisher)
{
  if (publisher->idle_id == 0)
    publisher->idle_id = g_idle_add (write_status_idle, publisher);
}

static void
publisher_free (gpointer data)
{
  Publisher *publisher = data;

  g_clear_handle_id (&publisher->idle_id, g_source_remove);
  if (publisher->destroy != NULL)
    publisher->destroy (publisher->user_data);
  g_free (publisher->file_name);
  g_free (publisher);
}

static GQuark
publisher_quark (const char *file_name)
{
  g_autofree char *key = g_strconcat ("umt-status-file-", file_name, NULL);

  return g_quark_from_string (key);
}

void
umt_status_file_publish (GObject               *object,
                         const char            *file_name,
                         UmtStatusFileFillFunc  fill,
                         gpointer               user_data,
                         GDestroyNotify         destroy)
{
  Publisher *publisher;

  g_return_if_fail (G_IS_OBJECT (object));

  umt_status_file_unpublish (object, file_name);

  publisher = g_new0 (Publisher, 1);
  publisher->object = object;
  publisher->file_name = g_strdup (file_name);
  publisher->fill = fill;
  publisher->user_data = user_data;
  publisher->destroy = destroy;
  publisher->notify_id = g_signal_connect (object, "notify", G_CALLBACK (on_notify), publisher);
  g_object_set_qdata_full (object, publisher_quark (file_name), publisher, publisher_free);

  write_status (publisher, TRUE);
}

void
umt_status_file_unpublish (GObject    *object,
                           const char *file_name)
{
  GQuark quark = publisher_quark (file_name);
  Publisher *publisher;

  g_return_if_fail (G_IS_OBJECT (object));

  publisher = g_object_get_qdata (object, quark);
  if (publisher == NULL)
    return;

  g_clear_signal_handler (&publisher->notify_id, object);
  write_status (publisher, FALSE);
  g_object_set_qdata (object, quark, NULL);
}
