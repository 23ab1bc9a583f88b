/* umt-tray-sni.c: the tray as a StatusNotifierItem with a D-Bus menu
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-tray-sni"

#include "config.h"

#include <gtk/gtk.h>
#include <unistd.h>

#include "umt-tray-backend.h"
#include "umt-tray-sni.h"
#include "umt-tray-menu-dbus.h"
#include "umt-tray-sni-dbus.h"

#define ITEM_PATH      "/StatusNotifierItem"
#define MENU_PATH      "/MenuBar"
#define WATCHER_NAME   "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH   "/StatusNotifierWatcher"
#define SEPARATOR_ID   (UMT_TRAY_N_ITEMS + 1)

/* The menu's order: Open, Send, Copy, Pause/Resume, a separator, Quit. */
static const int menu_order[] = {
  UMT_TRAY_ITEM_OPEN, UMT_TRAY_ITEM_SEND_HEARTBEAT, UMT_TRAY_ITEM_COPY_DEVICE_KEY,
  UMT_TRAY_ITEM_PAUSE_RESUME, SEPARATOR_ID, UMT_TRAY_ITEM_QUIT,
};

struct _UmtTraySni
{
  GObject                parent_instance;

  UmtTray               *tray;
  GDBusConnection       *bus;
  UmtStatusNotifierItem *item;
  UmtDbusmenu           *menu;
  GCancellable          *cancellable;
  guint                  own_name_id;
  guint                  watch_id;
  char                  *bus_name;
  gboolean               watcher_present;
  guint                  menu_revision;
};

G_DEFINE_FINAL_TYPE (UmtTraySni, umt_tray_sni, G_TYPE_OBJECT)

static gboolean
is_menu_id (int id)
{
  return id == 0 || (id >= 1 && id <= SEPARATOR_ID);
}

static gboolean
wants (const char * const *names,
       const char         *name)
{
  return names == NULL || names[0] == NULL || g_strv_contains (names, name);
}

static GVariant *
menu_item_properties (UmtTraySni         *self,
                      int                 id,
                      const char * const *names)
{
  GVariantBuilder props;

  g_variant_builder_init (&props, G_VARIANT_TYPE_VARDICT);
  if (id == 0)
    {
      if (wants (names, "children-display"))
        g_variant_builder_add (&props, "{sv}", "children-display", g_variant_new_string ("submenu"));
    }
  else if (id == SEPARATOR_ID)
    {
      if (wants (names, "type"))
        g_variant_builder_add (&props, "{sv}", "type", g_variant_new_string ("separator"));
    }
  else
    {
      if (wants (names, "label"))
        g_variant_builder_add (&props, "{sv}", "label",
                               g_variant_new_string (umt_tray_get_item_label (self->tray, id)));
      if (wants (names, "enabled"))
        g_variant_builder_add (&props, "{sv}", "enabled",
                               g_variant_new_boolean (umt_tray_get_item_sensitive (self->tray, id)));
      if (wants (names, "visible"))
        g_variant_builder_add (&props, "{sv}", "visible", g_variant_new_boolean (TRUE));
    }
  return g_variant_builder_end (&props);
}

static GVariant *
menu_layout (UmtTraySni         *self,
             int                 id,
             int                 depth,
             const char * const *names)
{
  GVariantBuilder children;

  g_variant_builder_init (&children, G_VARIANT_TYPE ("av"));
  if (id == 0 && depth != 0)
    for (guint i = 0; i < G_N_ELEMENTS (menu_order); i++)
      g_variant_builder_add (&children, "v", menu_layout (self, menu_order[i], depth - 1, names));

  return g_variant_new ("(i@a{sv}av)", id, menu_item_properties (self, id, names), &children);
}

static void
menu_event (UmtTraySni *self,
            int         id,
            const char *event_id)
{
  if (g_strcmp0 (event_id, "clicked") == 0 && id >= 1 && id <= UMT_TRAY_N_ITEMS)
    umt_tray_activate_item (self->tray, id);
}

static gboolean
on_get_layout (UmtDbusmenu           *menu,
               GDBusMethodInvocation *invocation,
               int                    parent,
               int                    depth,
               const char * const    *names,
               UmtTraySni            *self)
{
  if (!is_menu_id (parent))
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                           "No menu item %d", parent);
  else
    umt_dbusmenu_complete_get_layout (menu, invocation, self->menu_revision,
                                      menu_layout (self, parent, depth, names));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_get_group_properties (UmtDbusmenu           *menu,
                         GDBusMethodInvocation *invocation,
                         GVariant              *ids,
                         const char * const    *names,
                         UmtTraySni            *self)
{
  GVariantBuilder result;
  GVariantIter iter;
  int id;

  g_variant_builder_init (&result, G_VARIANT_TYPE ("a(ia{sv})"));
  g_variant_iter_init (&iter, ids);
  while (g_variant_iter_next (&iter, "i", &id))
    if (is_menu_id (id))
      g_variant_builder_add (&result, "(i@a{sv})", id, menu_item_properties (self, id, names));
  umt_dbusmenu_complete_get_group_properties (menu, invocation, g_variant_builder_end (&result));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_get_property (UmtDbusmenu           *menu,
                 GDBusMethodInvocation *invocation,
                 int                    id,
                 const char            *name,
                 UmtTraySni            *self)
{
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) value = NULL;

  if (is_menu_id (id))
    {
      props = g_variant_ref_sink (menu_item_properties (self, id, NULL));
      value = g_variant_lookup_value (props, name, NULL);
    }
  if (value == NULL)
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                           "No property %s on menu item %d", name, id);
  else
    umt_dbusmenu_complete_get_property (menu, invocation, g_variant_new_variant (value));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_event (UmtDbusmenu           *menu,
          GDBusMethodInvocation *invocation,
          int                    id,
          const char            *event_id,
          GVariant              *data,
          guint                  timestamp,
          UmtTraySni            *self)
{
  /* Answer first: the item may quit the application. */
  umt_dbusmenu_complete_event (menu, invocation);
  menu_event (self, id, event_id);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_event_group (UmtDbusmenu           *menu,
                GDBusMethodInvocation *invocation,
                GVariant              *events,
                UmtTraySni            *self)
{
  g_autoptr(GArray) clicked = g_array_new (FALSE, FALSE, sizeof (int));
  GVariantBuilder errors;
  GVariantIter iter;
  const char *event_id;
  int id;

  g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
  g_variant_iter_init (&iter, events);
  while (g_variant_iter_next (&iter, "(i&svu)", &id, &event_id, NULL, NULL))
    {
      if (!is_menu_id (id))
        g_variant_builder_add (&errors, "i", id);
      else if (g_str_equal (event_id, "clicked"))
        g_array_append_val (clicked, id);
    }
  umt_dbusmenu_complete_event_group (menu, invocation, g_variant_builder_end (&errors));
  for (guint i = 0; i < clicked->len; i++)
    menu_event (self, g_array_index (clicked, int, i), "clicked");
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_about_to_show (UmtDbusmenu           *menu,
                  GDBusMethodInvocation *invocation,
                  int                    id)
{
  /* The model pushes every change, so the menu is always up to date. */
  umt_dbusmenu_complete_about_to_show (menu, invocation, FALSE);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_about_to_show_group (UmtDbusmenu           *menu,
                        GDBusMethodInvocation *invocation,
                        GVariant              *ids)
{
  GVariantBuilder errors;
  GVariantIter iter;
  int id;

  g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
  g_variant_iter_init (&iter, ids);
  while (g_variant_iter_next (&iter, "i", &id))
    if (!is_menu_id (id))
      g_variant_builder_add (&errors, "i", id);
  umt_dbusmenu_complete_about_to_show_group (menu, invocation,
                                             g_variant_new_array (G_VARIANT_TYPE_INT32, NULL, 0),
                                             g_variant_builder_end (&errors));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* Answer first: what the click does may take a while or end the process. */

static gboolean
on_activate (UmtStatusNotifierItem *item,
             GDBusMethodInvocation *invocation,
             int                    x,
             int                    y,
             UmtTraySni            *self)
{
  g_autoptr(UmtTray) tray = g_object_ref (self->tray);

  umt_status_notifier_item_complete_activate (item, invocation);
  umt_tray_activate (tray);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_secondary_activate (UmtStatusNotifierItem *item,
                       GDBusMethodInvocation *invocation,
                       int                    x,
                       int                    y,
                       UmtTraySni            *self)
{
  g_autoptr(UmtTray) tray = g_object_ref (self->tray);

  umt_status_notifier_item_complete_secondary_activate (item, invocation);
  umt_tray_secondary_activate (tray);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ItemIsMenu is false and Menu is given: hosts draw the menu themselves. */
static gboolean
on_context_menu (UmtStatusNotifierItem *item,
                 GDBusMethodInvocation *invocation,
                 int                    x,
                 int                    y)
{
  umt_status_notifier_item_complete_context_menu (item, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* Nothing to scroll through. */
static gboolean
on_scroll (UmtStatusNotifierItem *item,
           GDBusMethodInvocation *invocation,
           int                    delta,
           const char            *orientation)
{
  umt_status_notifier_item_complete_scroll (item, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* The app's icons are named, never drawn. */
static GVariant *
no_pixmap (void)
{
  return g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0);
}

/* What a host reads changes with the tray; it rereads on the New* signals. */
static void
update_item_properties (UmtTraySni *self)
{
  UmtStatusNotifierItem *item = self->item;
  UmtTray *tray = self->tray;
  GVariant *tool_tip;

  umt_status_notifier_item_set_title (item, umt_tray_get_title (tray));
  umt_status_notifier_item_set_status (item, umt_tray_get_status (tray));
  umt_status_notifier_item_set_icon_name (item, umt_tray_get_icon_name (tray));
  umt_status_notifier_item_set_attention_icon_name (item, umt_tray_get_icon_name (tray));
  tool_tip = g_variant_new ("(s@a(iiay)ss)", umt_tray_get_icon_name (tray), no_pixmap (),
                            umt_tray_get_tooltip_title (tray), umt_tray_get_tooltip_body (tray));
  umt_status_notifier_item_set_tool_tip (item, tool_tip);
}

static void
on_tray_changed (UmtTray        *tray,
                 UmtTrayChanges  changes,
                 gpointer        user_data)
{
  UmtTraySni *self = user_data;

  update_item_properties (self);
  if (changes & UMT_TRAY_CHANGED_ICON)
    {
      umt_status_notifier_item_emit_new_icon (self->item);
      umt_status_notifier_item_emit_new_attention_icon (self->item);
    }
  if (changes & UMT_TRAY_CHANGED_STATUS)
    umt_status_notifier_item_emit_new_status (self->item, umt_tray_get_status (tray));
  if (changes & UMT_TRAY_CHANGED_TOOLTIP)
    umt_status_notifier_item_emit_new_tool_tip (self->item);
  if (changes & UMT_TRAY_CHANGED_MENU)
    {
      GVariantBuilder updated;
      GVariant *removed;

      g_variant_builder_init (&updated, G_VARIANT_TYPE ("a(ia{sv})"));
      for (int id = 1; id <= UMT_TRAY_N_ITEMS; id++)
        g_variant_builder_add (&updated, "(i@a{sv})", id, menu_item_properties (self, id, NULL));
      removed = g_variant_new_array (G_VARIANT_TYPE ("(ias)"), NULL, 0);
      umt_dbusmenu_emit_items_properties_updated (self->menu, g_variant_builder_end (&updated),
                                                  removed);
      /* Some hosts only reread the menu on a new revision. */
      self->menu_revision++;
      umt_dbusmenu_emit_layout_updated (self->menu, self->menu_revision, 0);
    }
}

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(UmtTraySni) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_message ("The tray host refused the icon: %s", error->message);
          umt_tray_set_host_available (self->tray, FALSE);
        }
      return;
    }
  g_debug ("Registered %s with the tray host", self->bus_name);
  umt_tray_set_host_available (self->tray, TRUE);
}

static void
register_with_watcher (UmtTraySni *self)
{
  if (!self->watcher_present || self->bus_name == NULL)
    return;

  g_dbus_connection_call (self->bus, WATCHER_NAME, WATCHER_PATH, WATCHER_NAME,
                          "RegisterStatusNotifierItem", g_variant_new ("(s)", self->bus_name),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
                          on_registered, g_object_ref (self));
}

static void
on_watcher_appeared (GDBusConnection *connection,
                     const char      *name,
                     const char      *name_owner,
                     gpointer         user_data)
{
  UmtTraySni *self = user_data;

  /* Also a watcher that restarted: it forgot every item. */
  self->watcher_present = TRUE;
  register_with_watcher (self);
}

static void
on_watcher_vanished (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  UmtTraySni *self = user_data;

  self->watcher_present = FALSE;
  umt_tray_set_host_available (self->tray, FALSE);
}

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  UmtTraySni *self = user_data;

  g_free (self->bus_name);
  self->bus_name = g_strdup (name);
  register_with_watcher (self);
}

static void
on_name_lost (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  UmtTraySni *self = user_data;

  if (connection == NULL || self->bus_name != NULL)
    return;

  /* A sandbox may forbid owning the name: the watcher takes the unique one. */
  g_debug ("Cannot own %s; registering %s instead", name, g_dbus_connection_get_unique_name (connection));
  self->bus_name = g_strdup (g_dbus_connection_get_unique_name (connection));
  register_with_watcher (self);
}

static void
on_bus (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(UmtTraySni) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  static guint instance;

  self->bus = g_bus_get_finish (result, &error);
  if (self->bus == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("No session bus for the tray icon: %s", error->message);
      return;
    }

  /* Another tray in this process would fail here: nothing to show twice. */
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->item), self->bus,
                                         ITEM_PATH, &error) ||
      !g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->menu), self->bus,
                                         MENU_PATH, &error))
    {
      g_message ("Cannot export the tray icon: %s", error->message);
      return;
    }

  name = g_strdup_printf ("org.kde.StatusNotifierItem-%d-%u", (int) getpid (), ++instance);
  self->own_name_id = g_bus_own_name_on_connection (self->bus, name,
                                                    G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                    on_name_acquired, on_name_lost, self, NULL);
  self->watch_id = g_bus_watch_name_on_connection (self->bus, WATCHER_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   on_watcher_appeared, on_watcher_vanished,
                                                   self, NULL);
}

UmtTraySni *
umt_tray_sni_new (UmtTray *tray)
{
  const char *icon_theme_path[] = { umt_tray_get_icon_theme_path (tray), NULL };
  UmtTraySni *self;

  g_return_val_if_fail (UMT_IS_TRAY (tray), NULL);

  self = g_object_new (UMT_TYPE_TRAY_SNI, NULL);
  self->tray = tray;
  umt_status_notifier_item_set_icon_theme_path (self->item, icon_theme_path[0]);
  umt_dbusmenu_set_icon_theme_path (self->menu, icon_theme_path);
  update_item_properties (self);
  g_signal_connect_object (tray, "changed", G_CALLBACK (on_tray_changed), self, 0);
  g_bus_get (G_BUS_TYPE_SESSION, self->cancellable, on_bus, g_object_ref (self));

  return self;
}

const char *
umt_tray_sni_get_bus_name (UmtTraySni *self)
{
  g_return_val_if_fail (UMT_IS_TRAY_SNI (self), NULL);

  return self->bus_name;
}

static void
unexport (gpointer skeleton)
{
  if (skeleton != NULL && g_dbus_interface_skeleton_get_connection (skeleton) != NULL)
    g_dbus_interface_skeleton_unexport (skeleton);
}

static void
umt_tray_sni_dispose (GObject *object)
{
  UmtTraySni *self = UMT_TRAY_SNI (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  g_clear_handle_id (&self->own_name_id, g_bus_unown_name);
  /* Unexporting is what tells the host to drop the icon. */
  unexport (self->item);
  unexport (self->menu);
  g_clear_object (&self->bus);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->item);
  g_clear_object (&self->menu);

  G_OBJECT_CLASS (umt_tray_sni_parent_class)->dispose (object);
}

static void
umt_tray_sni_finalize (GObject *object)
{
  UmtTraySni *self = UMT_TRAY_SNI (object);

  g_free (self->bus_name);

  G_OBJECT_CLASS (umt_tray_sni_parent_class)->finalize (object);
}

static void
umt_tray_sni_class_init (UmtTraySniClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = umt_tray_sni_dispose;
  object_class->finalize = umt_tray_sni_finalize;
}

static void
umt_tray_sni_init (UmtTraySni *self)
{
  gboolean rtl;

  self->cancellable = g_cancellable_new ();
  self->menu_revision = 1;

  self->item = umt_status_notifier_item_skeleton_new ();
  umt_status_notifier_item_set_category (self->item, "ApplicationStatus");
  umt_status_notifier_item_set_id (self->item, APP_ID);
  umt_status_notifier_item_set_window_id (self->item, 0);
  umt_status_notifier_item_set_icon_pixmap (self->item, no_pixmap ());
  umt_status_notifier_item_set_overlay_icon_name (self->item, "");
  umt_status_notifier_item_set_overlay_icon_pixmap (self->item, no_pixmap ());
  umt_status_notifier_item_set_attention_icon_pixmap (self->item, no_pixmap ());
  umt_status_notifier_item_set_attention_movie_name (self->item, "");
  umt_status_notifier_item_set_item_is_menu (self->item, FALSE);
  umt_status_notifier_item_set_menu (self->item, MENU_PATH);
  g_signal_connect_object (self->item, "handle-activate", G_CALLBACK (on_activate), self, 0);
  g_signal_connect_object (self->item, "handle-secondary-activate",
                           G_CALLBACK (on_secondary_activate), self, 0);
  g_signal_connect (self->item, "handle-context-menu", G_CALLBACK (on_context_menu), NULL);
  g_signal_connect (self->item, "handle-scroll", G_CALLBACK (on_scroll), NULL);

  self->menu = umt_dbusmenu_skeleton_new ();
  umt_dbusmenu_set_version (self->menu, 3);
  rtl = gtk_widget_get_default_direction () == GTK_TEXT_DIR_RTL;
  umt_dbusmenu_set_text_direction (self->menu, rtl ? "rtl" : "ltr");
  umt_dbusmenu_set_status (self->menu, "normal");
  g_signal_connect_object (self->menu, "handle-get-layout", G_CALLBACK (on_get_layout), self, 0);
  g_signal_connect_object (self->menu, "handle-get-group-properties",
                           G_CALLBACK (on_get_group_properties), self, 0);
  g_signal_connect_object (self->menu, "handle-get-property",
                           G_CALLBACK (on_get_property), self, 0);
  g_signal_connect_object (self->menu, "handle-event", G_CALLBACK (on_event), self, 0);
  g_signal_connect_object (self->menu, "handle-event-group", G_CALLBACK (on_event_group), self, 0);
  g_signal_connect (self->menu, "handle-about-to-show", G_CALLBACK (on_about_to_show), NULL);
  g_signal_connect (self->menu, "handle-about-to-show-group",
                    G_CALLBACK (on_about_to_show_group), NULL);
}

GObject *
umt_tray_backend_new (UmtTray *tray)
{
  return G_OBJECT (umt_tray_sni_new (tray));
}
