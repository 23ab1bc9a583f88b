/* umt-notifier.c: desktop notifications about the device while nobody looks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-notifier"

#include "config.h"

#include <glib/gi18n.h>

#include "umt-notifier.h"

struct _UmtNotifier
{
  GObject           parent_instance;

  GApplication     *app;       /* not owned: the application owns the notifier */
  GSettings        *settings;
  UmtDeviceManager *manager;
  UmtHeartbeat     *heartbeat;

  UmtHeartbeatState state;
  gboolean          registered;
  /* A stop was told: the next accepted beat is news too. */
  gboolean          told_stop;
};

G_DEFINE_FINAL_TYPE (UmtNotifier, umt_notifier, G_TYPE_OBJECT)

static gboolean
is_flatpak (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

/* Who can show notifications is watched, not asked each time: a question
 * to the bus is a blocking round trip on the interface thread. */
static const char * const notification_services[] = {
  "org.freedesktop.Notifications",
  "org.gtk.Notifications",
};

#define SERVER_WATCH_KEY "umt-notifier-server-watch"

typedef struct
{
  guint    watch_ids[G_N_ELEMENTS (notification_services)];
  gboolean present[G_N_ELEMENTS (notification_services)];
} ServerWatch;

typedef struct
{
  ServerWatch *watch; /* a reference */
  guint        index;
} ServerWatchSlot;

static void
server_watch_slot_free (gpointer data)
{
  ServerWatchSlot *slot = data;

  g_rc_box_release (slot->watch);
  g_free (slot);
}

static void
on_server_appeared (GDBusConnection *connection,
                    const char      *name,
                    const char      *owner,
                    gpointer         user_data)
{
  ServerWatchSlot *slot = user_data;

  slot->watch->present[slot->index] = TRUE;
}

static void
on_server_vanished (GDBusConnection *connection,
                    const char      *name,
                    gpointer         user_data)
{
  ServerWatchSlot *slot = user_data;

  slot->watch->present[slot->index] = FALSE;
}

static void
server_watch_stop (gpointer data)
{
  ServerWatch *watch = data;

  for (guint i = 0; i < G_N_ELEMENTS (watch->watch_ids); i++)
    g_clear_handle_id (&watch->watch_ids[i], g_bus_unwatch_name);
  g_rc_box_release (watch);
}

static ServerWatch *
ensure_server_watch (GApplication *app)
{
  ServerWatch *watch = g_object_get_data (G_OBJECT (app), SERVER_WATCH_KEY);
  GDBusConnection *bus;

  if (watch != NULL)
    return watch;

  bus = g_application_get_dbus_connection (app);
  if (bus == NULL)
    return NULL;

  watch = g_rc_box_new0 (ServerWatch);
  for (guint i = 0; i < G_N_ELEMENTS (notification_services); i++)
    {
      ServerWatchSlot *slot = g_new0 (ServerWatchSlot, 1);

      slot->watch = g_rc_box_acquire (watch);
      slot->index = i;
      watch->watch_ids[i] = g_bus_watch_name_on_connection (bus, notification_services[i],
                                                            G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                            on_server_appeared, on_server_vanished,
                                                            slot, server_watch_slot_free);
    }
  g_object_set_data_full (G_OBJECT (app), SERVER_WATCH_KEY, watch, server_watch_stop);
  return watch;
}

gboolean
umt_notifier_server_available (GApplication *app)
{
  ServerWatch *watch;

  g_return_val_if_fail (G_IS_APPLICATION (app), FALSE);

  /* In a sandbox the portal carries notifications. */
  if (is_flatpak ())
    return TRUE;

  watch = ensure_server_watch (app);
  for (guint i = 0; watch != NULL && i < G_N_ELEMENTS (watch->present); i++)
    if (watch->present[i])
      return TRUE;
  return FALSE;
}

void
umt_notifier_tell_keeps_running (GApplication *app,
                                 GSettings    *settings,
                                 const char   *body)
{
  g_autoptr(GNotification) notification = NULL;

  g_return_if_fail (G_IS_APPLICATION (app));
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (body != NULL);

  if (g_settings_get_boolean (settings, "told-keeps-running") ||
      !umt_notifier_server_available (app))
    return;
  g_settings_set_boolean (settings, "told-keeps-running", TRUE);

  notification = g_notification_new (_("Updates Manager keeps running"));
  g_notification_set_body (notification, body);
  g_notification_set_default_action (notification, "app.activate-window");
  g_application_send_notification (app, UMT_NOTIFICATION_KEEPS_RUNNING, notification);
}

static void
send (UmtNotifier *self,
      const char  *id,
      const char  *title,
      const char  *body)
{
  g_autoptr(GNotification) notification = NULL;

  if (self->app == NULL || !g_settings_get_boolean (self->settings, "notifications") ||
      !umt_notifier_server_available (self->app))
    return;

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_default_action (notification, "app.activate-window");
  g_application_send_notification (self->app, id, notification);
}

static void
on_state_changed (UmtNotifier *self)
{
  UmtHeartbeatState previous = self->state;
  const char *reason;

  self->state = umt_heartbeat_get_state (self->heartbeat);
  reason = umt_heartbeat_get_last_error (self->heartbeat);

  /* Only the engine giving up is news: a stop without a reason is the
   * user's or the application's own doing. */
  if (self->state != UMT_HEARTBEAT_STATE_STOPPED || reason == NULL ||
      (previous != UMT_HEARTBEAT_STATE_ACTIVE && previous != UMT_HEARTBEAT_STATE_RETRYING))
    return;

  self->told_stop = TRUE;
  send (self, UMT_NOTIFICATION_HEARTBEAT, _("Heartbeat stopped"), reason);
}

static void
on_last_success_changed (UmtNotifier *self)
{
  g_autofree char *body = NULL;

  /* Resuming turns the state active at once, before any beat is accepted:
   * the accepted beat is what says the device is back. */
  if (!self->told_stop || umt_heartbeat_get_last_success (self->heartbeat) == NULL ||
      umt_heartbeat_get_state (self->heartbeat) != UMT_HEARTBEAT_STATE_ACTIVE)
    return;

  self->told_stop = FALSE;
  body = g_strdup_printf (_("Device %s is online again."),
                          umt_device_manager_get_device_key (self->manager));
  send (self, UMT_NOTIFICATION_HEARTBEAT, _("Heartbeat recovered"), body);
}

static void
on_registered_changed (UmtNotifier *self)
{
  gboolean was_registered = self->registered;
  g_autofree char *body = NULL;

  self->registered = umt_device_manager_get_registered (self->manager);
  if (!self->registered || was_registered)
    {
      /* A device registered again must not recover from the old one's stop. */
      self->told_stop = FALSE;
      if (self->app != NULL && !self->registered)
        g_application_withdraw_notification (self->app, UMT_NOTIFICATION_HEARTBEAT);
      return;
    }

  body = g_strdup_printf (_("This computer is now device %s of its Meeting server."),
                          umt_device_manager_get_device_key (self->manager));
  send (self, UMT_NOTIFICATION_REGISTRATION, _("Device registered"), body);
}

UmtNotifier *
umt_notifier_new (GApplication     *app,
                  GSettings        *settings,
                  UmtDeviceManager *manager)
{
  UmtNotifier *self;

  g_return_val_if_fail (G_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (manager), NULL);

  self = g_object_new (UMT_TYPE_NOTIFIER, NULL);
  self->app = app;
  g_object_add_weak_pointer (G_OBJECT (app), (gpointer *) &self->app);
  self->settings = g_object_ref (settings);
  self->manager = g_object_ref (manager);
  self->heartbeat = g_object_ref (umt_device_manager_get_heartbeat (manager));
  self->state = umt_heartbeat_get_state (self->heartbeat);
  self->registered = umt_device_manager_get_registered (manager);
  /* Start watching now, so the answer is known when there is news. */
  umt_notifier_server_available (app);

  g_signal_connect_object (self->heartbeat, "notify::state",
                           G_CALLBACK (on_state_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->heartbeat, "notify::last-success",
                           G_CALLBACK (on_last_success_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "notify::registered",
                           G_CALLBACK (on_registered_changed), self, G_CONNECT_SWAPPED);

  return self;
}

static void
umt_notifier_dispose (GObject *object)
{
  UmtNotifier *self = UMT_NOTIFIER (object);

  /* Now, not at finalization: the application disposes the notifier
   * before stopping the heartbeat, and that stop must not be told. */
  if (self->heartbeat != NULL)
    g_signal_handlers_disconnect_by_data (self->heartbeat, self);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  if (self->app != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->app), (gpointer *) &self->app);
      self->app = NULL;
    }
  g_clear_object (&self->heartbeat);
  g_clear_object (&self->manager);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (umt_notifier_parent_class)->dispose (object);
}

static void
umt_notifier_class_init (UmtNotifierClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = umt_notifier_dispose;
}

static void
umt_notifier_init (UmtNotifier *self)
{
}
