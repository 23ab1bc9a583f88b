/* umt-owner-watch.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-owner-watch"

#include "config.h"

#include "umt-heartbeat-private.h"
#include "umt-owner-watch.h"
#include "umt-paths.h"
#include "umt-tunnel-supervisor-private.h"

struct _UmtOwnerWatch
{
  GObject              parent_instance;

  UmtHeartbeat        *heartbeat;
  UmtTunnelSupervisor *tunnel;
  UmtOwnerLock        *lock;
  GCancellable        *cancellable;
  GFileMonitor        *heartbeat_monitor;
  GFileMonitor        *tunnel_monitor;
  guint                reload_id;
};

G_DEFINE_FINAL_TYPE (UmtOwnerWatch, umt_owner_watch, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LOCAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* @owner_gone: this process holds the lock, so whatever the files say, their writer is
 * not running (it may not have had the time to say so, or been killed). */
static void
reload (UmtOwnerWatch *self,
        gboolean       owner_gone)
{
  g_autoptr(UmtHeartbeatStatus) heartbeat = NULL;
  g_autoptr(UmtTunnelStatus) tunnel = NULL;
  g_autoptr(GError) error = NULL;

  /* A file being rewritten is replaced whole (rename): a reader sees the old one or the
   * new one. Missing or unreadable, there is nothing to show yet. */
  heartbeat = umt_heartbeat_status_load (&error);
  if (heartbeat != NULL)
    {
      heartbeat->owner_alive &= !owner_gone;
      umt_heartbeat_mirror (self->heartbeat, heartbeat);
    }
  else
    g_debug ("No heartbeat state to show: %s", error->message);
  g_clear_error (&error);

  tunnel = umt_tunnel_status_load (&error);
  if (tunnel != NULL)
    {
      tunnel->owner_alive &= !owner_gone;
      umt_tunnel_supervisor_mirror (self->tunnel, tunnel);
    }
  else
    g_debug ("No tunnel state to show: %s", error->message);
}

static gboolean
reload_idle (gpointer data)
{
  UmtOwnerWatch *self = data;

  self->reload_id = 0;
  reload (self, FALSE);
  return G_SOURCE_REMOVE;
}

/* A rewrite comes as several events (created, changed, done): read once after them. */
static void
on_status_file_changed (GFileMonitor      *monitor,
                        GFile             *file,
                        GFile             *other_file,
                        GFileMonitorEvent  event,
                        UmtOwnerWatch     *self)
{
  if (event == G_FILE_MONITOR_EVENT_DELETED || self->reload_id != 0)
    return;
  self->reload_id = g_idle_add (reload_idle, self);
}

static GFileMonitor *
monitor_status_file (UmtOwnerWatch *self,
                     const char    *name)
{
  g_autofree char *state_dir = umt_paths_get_state_dir ();
  g_autofree char *path = g_build_filename (state_dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GFileMonitor *monitor;

  monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, &error);
  if (monitor == NULL)
    {
      g_message ("Cannot follow %s: %s", path, error->message);
      return NULL;
    }
  g_signal_connect (monitor, "changed", G_CALLBACK (on_status_file_changed), self);
  return monitor;
}

static void
stop_watching (UmtOwnerWatch *self)
{
  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->heartbeat_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->heartbeat_monitor, self);
      g_file_monitor_cancel (self->heartbeat_monitor);
      g_clear_object (&self->heartbeat_monitor);
    }
  if (self->tunnel_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->tunnel_monitor, self);
      g_file_monitor_cancel (self->tunnel_monitor);
      g_clear_object (&self->tunnel_monitor);
    }
}

static void
on_lock_free (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(UmtOwnerWatch) self = g_weak_ref_get (weak);
  g_autoptr(GError) error = NULL;
  UmtOwnerLock *lock;

  g_weak_ref_clear (weak);
  g_free (weak);

  lock = umt_owner_lock_wait_finish (result, &error);
  if (lock == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Not taking over the heartbeat: %s", error->message);
      return;
    }
  /* Gone while the lock came: the next process may have it. */
  if (self == NULL)
    {
      umt_owner_lock_release (lock);
      return;
    }

  g_message ("The heartbeat's owner is gone: this process takes over");
  self->lock = lock;
  stop_watching (self);
  /* The owner's last word, or its last state if it had none, and no owner: this
   * process starts from there. */
  reload (self, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCAL]);
}

static void
umt_owner_watch_dispose (GObject *object)
{
  UmtOwnerWatch *self = UMT_OWNER_WATCH (object);

  g_cancellable_cancel (self->cancellable);
  stop_watching (self);
  g_clear_pointer (&self->lock, umt_owner_lock_release);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->heartbeat);
  g_clear_object (&self->tunnel);

  G_OBJECT_CLASS (umt_owner_watch_parent_class)->dispose (object);
}

static void
umt_owner_watch_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  UmtOwnerWatch *self = UMT_OWNER_WATCH (object);

  switch (prop_id)
    {
    case PROP_LOCAL:
      g_value_set_boolean (value, umt_owner_watch_get_local (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
umt_owner_watch_class_init (UmtOwnerWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = umt_owner_watch_dispose;
  object_class->get_property = umt_owner_watch_get_property;

  properties[PROP_LOCAL] =
    g_param_spec_boolean ("local", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
umt_owner_watch_init (UmtOwnerWatch *self)
{
  self->cancellable = g_cancellable_new ();
}

UmtOwnerWatch *
umt_owner_watch_new (UmtHeartbeat        *heartbeat,
                     UmtTunnelSupervisor *tunnel)
{
  g_autoptr(UmtOwnerWatch) self = NULL;
  g_autoptr(GError) error = NULL;
  GWeakRef *weak;

  g_return_val_if_fail (UMT_IS_HEARTBEAT (heartbeat), NULL);
  g_return_val_if_fail (UMT_IS_TUNNEL_SUPERVISOR (tunnel), NULL);

  self = g_object_new (UMT_TYPE_OWNER_WATCH, NULL);
  self->heartbeat = g_object_ref (heartbeat);
  self->tunnel = g_object_ref (tunnel);

  self->lock = umt_owner_lock_acquire (&error);
  if (self->lock != NULL)
    return g_steal_pointer (&self);

  g_message ("Showing the heartbeat of its owner: %s", error->message);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
    return g_steal_pointer (&self);

  /* Monitors first, then the first read: no rewrite can fall in between. */
  self->heartbeat_monitor = monitor_status_file (self, "heartbeat.json");
  self->tunnel_monitor = monitor_status_file (self, "tunnel.json");
  reload (self, FALSE);
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  umt_owner_lock_wait_async (self->cancellable, on_lock_free, weak);
  return g_steal_pointer (&self);
}

gboolean
umt_owner_watch_get_local (UmtOwnerWatch *self)
{
  g_return_val_if_fail (UMT_IS_OWNER_WATCH (self), FALSE);
  return self->lock != NULL;
}
