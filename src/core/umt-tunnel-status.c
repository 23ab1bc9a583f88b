/* umt-tunnel-status.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-tunnel-status"

#include "config.h"

#include <errno.h>

#include <json-glib/json-glib.h>

#ifdef G_OS_UNIX
# include <signal.h>
# include <unistd.h>
#else
# include <windows.h>
#endif

#include "umt-config-error.h"
#include "umt-paths.h"
#include "umt-tunnel-status.h"

#define STATUS_FILE   "tunnel.json"
#define PUBLISHER_KEY "umt-tunnel-status-publisher"

void
umt_tunnel_status_free (UmtTunnelStatus *status)
{
  if (status == NULL)
    return;

  g_free (status->device_key);
  g_free (status->last_error);
  g_clear_pointer (&status->retry_at, g_date_time_unref);
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

static guint64
member_count (JsonObject *object,
              const char *name)
{
  return (guint64) MAX (json_object_get_int_member_with_default (object, name, 0), 0);
}

UmtTunnelStatus *
umt_tunnel_status_load (GError **error)
{
  g_autofree char *path = status_path ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(UmtTunnelStatus) status = NULL;
  JsonNode *root;
  JsonObject *object;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "No tunnel has run for this user yet.");
      return NULL;
    }

  if (!json_parser_load_from_file (parser, path, NULL) ||
      !JSON_NODE_HOLDS_OBJECT ((root = json_parser_get_root (parser))))
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT,
                   "The tunnel status file %s cannot be read; it will be rewritten "
                   "when the tunnel runs again.", path);
      return NULL;
    }

  object = json_node_get_object (root);
  status = g_new0 (UmtTunnelStatus, 1);
  status->state = umt_tunnel_state_from_string (
      json_object_get_string_member_with_default (object, "state", NULL));
  status->enabled = json_object_get_boolean_member_with_default (object, "enabled", FALSE);
  status->device_key = g_strdup (json_object_get_string_member_with_default (object, "device_key", NULL));
  status->open_streams = (guint) MIN (member_count (object, "open_streams"), G_MAXUINT);
  status->bytes_in = member_count (object, "bytes_in");
  status->bytes_out = member_count (object, "bytes_out");
  status->last_error = g_strdup (json_object_get_string_member_with_default (object, "last_error", NULL));
  status->retry_at = member_date_time (object, "retry_at");
  status->updated = member_date_time (object, "updated");
  status->pid = (GPid) json_object_get_int_member_with_default (object, "pid", 0);
  status->owner_alive = process_is_alive (status->pid);

  return g_steal_pointer (&status);
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

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

typedef struct
{
  UmtTunnelSupervisor *supervisor; /* not owned: the publisher lives in its data */
  gulong               notify_id;
  guint                idle_id;
} Publisher;

/* @owned: FALSE for the last write, so that readers do not take a process
 * that stopped publishing (but still runs) for the tunnel's owner. */
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
  g_autofree char *path = status_path ();
  g_autofree char *text = NULL;
  g_autofree char *updated = g_date_time_format_iso8601 (now);
  g_autofree char *retry_at = NULL;
  UmtTunnelSupervisor *supervisor = publisher->supervisor;

  if (umt_tunnel_supervisor_get_retry_at (supervisor) != NULL)
    retry_at = g_date_time_format_iso8601 (umt_tunnel_supervisor_get_retry_at (supervisor));

  json_builder_begin_object (builder);
  add_string (builder, "state",
              umt_tunnel_state_to_string (umt_tunnel_supervisor_get_state (supervisor)));
  json_builder_set_member_name (builder, "enabled");
  json_builder_add_boolean_value (builder, umt_tunnel_supervisor_get_enabled (supervisor));
  add_string (builder, "device_key", umt_tunnel_supervisor_get_device_key (supervisor));
  add_int (builder, "open_streams", umt_tunnel_supervisor_get_open_streams (supervisor));
  add_int (builder, "bytes_in", (gint64) umt_tunnel_supervisor_get_bytes_in (supervisor));
  add_int (builder, "bytes_out", (gint64) umt_tunnel_supervisor_get_bytes_out (supervisor));
  add_string (builder, "last_error", umt_tunnel_supervisor_get_last_error (supervisor));
  add_string (builder, "retry_at", retry_at);
  add_string (builder, "updated", updated);
  if (owned)
    add_int (builder, "pid", getpid ());
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  if (!umt_paths_ensure_private_dir (state_dir, &error) ||
      !umt_paths_write_atomic (path, text, -1, &error))
    g_message ("Cannot publish the tunnel state: %s", error->message);
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
on_supervisor_notify (UmtTunnelSupervisor *supervisor,
                      GParamSpec          *pspec,
                      Publisher           *publisher)
{
  if (publisher->idle_id == 0)
    publisher->idle_id = g_idle_add (write_status_idle, publisher);
}

static void
publisher_free (gpointer data)
{
  Publisher *publisher = data;

  g_clear_handle_id (&publisher->idle_id, g_source_remove);
  g_free (publisher);
}

void
umt_tunnel_status_publish (UmtTunnelSupervisor *supervisor)
{
  Publisher *publisher;

  g_return_if_fail (UMT_IS_TUNNEL_SUPERVISOR (supervisor));

  umt_tunnel_status_unpublish (supervisor);

  publisher = g_new0 (Publisher, 1);
  publisher->supervisor = supervisor;
  publisher->notify_id = g_signal_connect (supervisor, "notify",
                                           G_CALLBACK (on_supervisor_notify), publisher);
  g_object_set_data_full (G_OBJECT (supervisor), PUBLISHER_KEY, publisher, publisher_free);

  write_status (publisher, TRUE);
}

void
umt_tunnel_status_unpublish (UmtTunnelSupervisor *supervisor)
{
  Publisher *publisher;

  g_return_if_fail (UMT_IS_TUNNEL_SUPERVISOR (supervisor));

  publisher = g_object_get_data (G_OBJECT (supervisor), PUBLISHER_KEY);
  if (publisher == NULL)
    return;

  g_clear_signal_handler (&publisher->notify_id, supervisor);
  write_status (publisher, FALSE);
  g_object_set_data (G_OBJECT (supervisor), PUBLISHER_KEY, NULL);
}
