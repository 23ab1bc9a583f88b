/* umt-connectivity.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-connectivity"

#include "config.h"

#include "umt-connectivity.h"

struct _UmtConnectivity
{
  GObject          parent_instance;

  GNetworkMonitor *monitor;
  gulong           network_changed_id;
  gboolean         network_available;
  GCancellable    *cancellable;
  GDBusConnection *system_bus;
  guint            sleep_subscription;
};

G_DEFINE_FINAL_TYPE (UmtConnectivity, umt_connectivity, G_TYPE_OBJECT)

enum {
  BACK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    UmtConnectivity *self)
{
  gboolean was_available = self->network_available;

  self->network_available = available;
  if (available && !was_available)
    g_signal_emit (self, signals[BACK], 0, "the network is available again");
}

static void
on_prepare_for_sleep (GDBusConnection *connection,
                      const char      *sender_name,
                      const char      *object_path,
                      const char      *interface_name,
                      const char      *signal_name,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  UmtConnectivity *self = user_data;
  gboolean going_to_sleep = FALSE;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;

  g_variant_get (parameters, "(b)", &going_to_sleep);
  if (!going_to_sleep)
    g_signal_emit (self, signals[BACK], 0, "the computer woke up");
}

static void
on_system_bus (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);
  UmtConnectivity *self;

  if (bus == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No system bus, so no notice of resume from suspend: %s", error->message);
      return;
    }

  self = UMT_CONNECTIVITY (user_data);
  self->system_bus = bus;
  self->sleep_subscription =
    g_dbus_connection_signal_subscribe (bus, "org.freedesktop.login1",
                                        "org.freedesktop.login1.Manager", "PrepareForSleep",
                                        "/org/freedesktop/login1", NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_prepare_for_sleep, self, NULL);
}

static void
umt_connectivity_dispose (GObject *object)
{
  UmtConnectivity *self = UMT_CONNECTIVITY (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
  self->sleep_subscription = 0;
  g_clear_object (&self->system_bus);
  g_clear_signal_handler (&self->network_changed_id, self->monitor);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (umt_connectivity_parent_class)->dispose (object);
}

static void
umt_connectivity_class_init (UmtConnectivityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = umt_connectivity_dispose;

  signals[BACK] = g_signal_new ("back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
umt_connectivity_init (UmtConnectivity *self)
{
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_available = g_network_monitor_get_network_available (self->monitor);
  self->network_changed_id = g_signal_connect (self->monitor, "network-changed",
                                               G_CALLBACK (on_network_changed), self);

  self->cancellable = g_cancellable_new ();
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, on_system_bus, self);
}

UmtConnectivity *
umt_connectivity_new (void)
{
  return g_object_new (UMT_TYPE_CONNECTIVITY, NULL);
}
