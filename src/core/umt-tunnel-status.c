/* umt-tunnel-status.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-tunnel-status"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "umt-paths.h"
#include "umt-status-file.h"
#include "umt-tunnel-status.h"

#define STATUS_FILE "tunnel.json"
/* Written by a front end that does not run the tunnel; the owner watches it. */
#define RECONNECT_FILE "tunnel-reconnect"
#define RECONNECT_MONITOR_KEY "umt-tunnel-status-reconnect-monitor"

void
umt_tunnel_status_free (UmtTunnelStatus *status)
{
  if (status == NULL)
    return;

  g_free (status->device_key);
  g_free (status->last_error);
  g_free (status->program);
  g_clear_pointer (&status->retry_at, g_date_time_unref);
  g_clear_pointer (&status->updated, g_date_time_unref);
  g_free (status);
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
  g_autoptr(UmtTunnelStatus) status = g_new0 (UmtTunnelStatus, 1);
  g_autoptr(JsonObject) object = NULL;

  object = umt_status_file_load (STATUS_FILE, _("No tunnel has run for this user yet."),
                                 &status->pid, &status->owner_alive, error);
  if (object == NULL)
    return NULL;

  status->state = umt_tunnel_state_from_string (
      json_object_get_string_member_with_default (object, "state", NULL));
  status->enabled = json_object_get_boolean_member_with_default (object, "enabled", FALSE);
  status->device_key = g_strdup (json_object_get_string_member_with_default (object, "device_key", NULL));
  status->open_streams = (guint) MIN (member_count (object, "open_streams"), G_MAXUINT);
  status->bytes_in = member_count (object, "bytes_in");
  status->bytes_out = member_count (object, "bytes_out");
  status->last_error = g_strdup (json_object_get_string_member_with_default (object, "last_error", NULL));
  status->retry_at = umt_status_file_get_date_time (object, "retry_at");
  status->updated = umt_status_file_get_date_time (object, "updated");
  status->program = g_strdup (json_object_get_string_member_with_default (object, "program", NULL));

  return g_steal_pointer (&status);
}

static void
fill_status (GObject     *object,
             JsonBuilder *builder,
             gpointer     user_data)
{
  UmtTunnelSupervisor *supervisor = UMT_TUNNEL_SUPERVISOR (object);

  umt_status_file_add_string (builder, "state",
                              umt_tunnel_state_to_string (umt_tunnel_supervisor_get_state (supervisor)));
  json_builder_set_member_name (builder, "enabled");
  json_builder_add_boolean_value (builder, umt_tunnel_supervisor_get_enabled (supervisor));
  umt_status_file_add_string (builder, "device_key", umt_tunnel_supervisor_get_device_key (supervisor));
  umt_status_file_add_int (builder, "open_streams", umt_tunnel_supervisor_get_open_streams (supervisor));
  umt_status_file_add_int (builder, "bytes_in", (gint64) umt_tunnel_supervisor_get_bytes_in (supervisor));
  umt_status_file_add_int (builder, "bytes_out", (gint64) umt_tunnel_supervisor_get_bytes_out (supervisor));
  umt_status_file_add_string (builder, "last_error", umt_tunnel_supervisor_get_last_error (supervisor));
  umt_status_file_add_date_time (builder, "retry_at", umt_tunnel_supervisor_get_retry_at (supervisor));
}

static char *
reconnect_path (void)
{
  g_autofree char *state_dir = umt_paths_get_state_dir ();

  return g_build_filename (state_dir, RECONNECT_FILE, NULL);
}

static void
on_reconnect_requested (GFileMonitor        *monitor,
                        GFile               *file,
                        GFile               *other_file,
                        GFileMonitorEvent    event,
                        UmtTunnelSupervisor *supervisor)
{
  /* The request is replaced whole (rename): it shows as created, or moved in. */
  if (event != G_FILE_MONITOR_EVENT_CREATED && event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT &&
      event != G_FILE_MONITOR_EVENT_MOVED_IN && event != G_FILE_MONITOR_EVENT_RENAMED)
    return;

  g_message ("Reconnecting the tunnel, as another front end asked");
  umt_tunnel_supervisor_reconnect (supervisor);
}

static void
drop_monitor (gpointer data)
{
  GFileMonitor *monitor = data;

  g_file_monitor_cancel (monitor);
  g_object_unref (monitor);
}

void
umt_tunnel_status_publish (UmtTunnelSupervisor *supervisor)
{
  g_autofree char *path = reconnect_path ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GFileMonitor *monitor;

  g_return_if_fail (UMT_IS_TUNNEL_SUPERVISOR (supervisor));

  umt_status_file_publish (G_OBJECT (supervisor), STATUS_FILE, fill_status, NULL, NULL);

  monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, &error);
  if (monitor == NULL)
    {
      g_message ("Other front ends cannot ask for a reconnection: %s", error->message);
      return;
    }
  g_signal_connect_object (monitor, "changed", G_CALLBACK (on_reconnect_requested), supervisor, 0);
  g_object_set_data_full (G_OBJECT (supervisor), RECONNECT_MONITOR_KEY, monitor, drop_monitor);
}

void
umt_tunnel_status_unpublish (UmtTunnelSupervisor *supervisor)
{
  g_return_if_fail (UMT_IS_TUNNEL_SUPERVISOR (supervisor));

  g_object_set_data (G_OBJECT (supervisor), RECONNECT_MONITOR_KEY, NULL);
  umt_status_file_unpublish (G_OBJECT (supervisor), STATUS_FILE);
}

gboolean
umt_tunnel_status_request_reconnect (GError **error)
{
  g_autofree char *state_dir = umt_paths_get_state_dir ();
  g_autofree char *path = reconnect_path ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *text = g_date_time_format_iso8601 (now);

  return umt_paths_ensure_private_dir (state_dir, error) &&
         umt_paths_write_atomic (path, text, -1, error);
}
