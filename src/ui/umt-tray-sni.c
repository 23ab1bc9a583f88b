/* umt-tray-sni.c: the tray as a StatusNotifierItem with a D-Bus menu
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-tray-sni"

#include "config.h"

#include <gtk/gtk.h>
#include <unistd.h>

#include "umt-tray-sni.h"

#define ITEM_PATH      "/StatusNotifierItem"
#define MENU_PATH      "/MenuBar"
#define ITEM_IFACE     "org.kde.StatusNotifierItem"
#define MENU_IFACE     "com.canonical.dbusmenu"
#define WATCHER_NAME   "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH   "/StatusNotifierWatcher"
#define SEPARATOR_ID   (UMT_TRAY_N_ITEMS + 1)

static const char introspection_xml[] =
  "<node>"
  " <interface name='org.kde.StatusNotifierItem'>"
  "  <property name='Category' type='s' access='read'/>"
  "  <property name='Id' type='s' access='read'/>"
  "  <property name='Title' type='s' access='read'/>"
  "  <property name='Status' type='s' access='read'/>"
  "  <property name='WindowId' type='i' access='read'/>"
  "  <property name='IconName' type='s' access='read'/>"
  "  <property name='IconPixmap' type='a(iiay)' access='read'/>"
  "  <property name='IconThemePath' type='s' access='read'/>"
  "  <property name='OverlayIconName' type='s' access='read'/>"
  "  <property name='OverlayIconPixmap' type='a(iiay)' access='read'/>"
  "  <property name='AttentionIconName' type='s' access='read'/>"
  "  <property name='AttentionIconPixmap' type='a(iiay)' access='read'/>"
  "  <property name='AttentionMovieName' type='s' access='read'/>"
  "  <property name='ToolTip' type='(sa(iiay)ss)' access='read'/>"
  "  <property name='ItemIsMenu' type='b' access='read'/>"
  "  <property name='Menu' type='o' access='read'/>"
  "  <method name='ContextMenu'><arg name='x' type='i' direction='in'/><arg name='y' type='i' direction='in'/></method>"
  "  <method name='Activate'><arg name='x' type='i' direction='in'/><arg name='y' type='i' direction='in'/></method>"
  "  <method name='SecondaryActivate'><arg name='x' type='i' direction='in'/><arg name='y' type='i' direction='in'/></method>"
  "  <method name='Scroll'><arg name='delta' type='i' direction='in'/><arg name='orientation' type='s' direction='in'/></method>"
  "  <signal name='NewTitle'/>"
  "  <signal name='NewIcon'/>"
  "  <signal name='NewAttentionIcon'/>"
  "  <signal name='NewOverlayIcon'/>"
  "  <signal name='NewToolTip'/>"
  "  <signal name='NewStatus'><arg name='status' type='s'/></signal>"
  " </interface>"
  " <interface name='com.canonical.dbusmenu'>"
  "  <property name='Version' type='u' access='read'/>"
  "  <property name='TextDirection' type='s' access='read'/>"
  "  <property name='Status' type='s' access='read'/>"
  "  <property name='IconThemePath' type='as' access='read'/>"
  "  <method name='GetLayout'>"
  "   <arg type='i' name='parentId' direction='in'/>"
  "   <arg type='i' name='recursionDepth' direction='in'/>"
  "   <arg type='as' name='propertyNames' direction='in'/>"
  "   <arg type='u' name='revision' direction='out'/>"
  "   <arg type='(ia{sv}av)' name='layout' direction='out'/>"
  "  </method>"
  "  <method name='GetGroupProperties'>"
  "   <arg type='ai' name='ids' direction='in'/>"
  "   <arg type='as' name='propertyNames' direction='in'/>"
  "   <arg type='a(ia{sv})' name='properties' direction='out'/>"
  "  </method>"
  "  <method name='GetProperty'>"
  "   <arg type='i' name='id' direction='in'/>"
  "   <arg type='s' name='name' direction='in'/>"
  "   <arg type='v' name='value' direction='out'/>"
  "  </method>"
  "  <method name='Event'>"
  "   <arg type='i' name='id' direction='in'/>"
  "   <arg type='s' name='eventId' direction='in'/>"
  "   <arg type='v' name='data' direction='in'/>"
  "   <arg type='u' name='timestamp' direction='in'/>"
  "  </method>"
  "  <method name='EventGroup'>"
  "   <arg type='a(isvu)' name='events' direction='in'/>"
  "   <arg type='ai' name='idErrors' direction='out'/>"
  "  </method>"
  "  <method name='AboutToShow'>"
  "   <arg type='i' name='id' direction='in'/>"
  "   <arg type='b' name='needUpdate' direction='out'/>"
  "  </method>"
  "  <method name='AboutToShowGroup'>"
  "   <arg type='ai' name='ids' direction='in'/>"
  "   <arg type='ai' name='updatesNeeded' direction='out'/>"
  "   <arg type='ai' name='idErrors' direction='out'/>"
  "  </method>"
  "  <signal name='ItemsPropertiesUpdated'>"
  "   <arg type='a(ia{sv})' name='updatedProps'/>"
  "   <arg type='a(ias)' name='removedProps'/>"
  "  </signal>"
  "  <signal name='LayoutUpdated'>"
  "   <arg type='u' name='revision'/>"
  "   <arg type='i' name='parent'/>"
  "  </signal>"
  "  <signal name='ItemActivationRequested'>"
  "   <arg type='i' name='id'/>"
  "   <arg type='u' name='timestamp'/>"
  "  </signal>"
  " </interface>"
  "</node>";

/* The menu's order: Open, Send, Copy, Pause/Resume, a separator, Quit. */
static const int menu_order[] = {
  UMT_TRAY_ITEM_OPEN, UMT_TRAY_ITEM_SEND_HEARTBEAT, UMT_TRAY_ITEM_COPY_DEVICE_KEY,
  UMT_TRAY_ITEM_PAUSE_RESUME, SEPARATOR_ID, UMT_TRAY_ITEM_QUIT,
};

struct _UmtTraySni
{
  GObject          parent_instance;

  UmtTray         *tray;
  GDBusConnection *bus;
  GDBusNodeInfo   *node_info;
  GCancellable    *cancellable;
  guint            item_registration_id;
  guint            menu_registration_id;
  guint            own_name_id;
  guint            watch_id;
  char            *bus_name;
  gboolean         watcher_present;
  guint            menu_revision;
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
emit (UmtTraySni *self,
      const char *path,
      const char *iface,
      const char *signal,
      GVariant   *parameters)
{
  g_autoptr(GError) error = NULL;

  if (self->bus == NULL)
    {
      if (parameters != NULL)
        g_variant_unref (g_variant_ref_sink (parameters));
      return;
    }
  if (!g_dbus_connection_emit_signal (self->bus, NULL, path, iface, signal, parameters, &error))
    g_debug ("Cannot emit %s: %s", signal, error->message);
}

static void
menu_event (UmtTraySni *self,
            int         id,
            const char *event_id)
{
  if (g_strcmp0 (event_id, "clicked") == 0 && id >= 1 && id <= UMT_TRAY_N_ITEMS)
    umt_tray_activate_item (self->tray, id);
}

static void
handle_menu_call (UmtTraySni            *self,
                  const char            *method,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation)
{
  if (g_str_equal (method, "GetLayout"))
    {
      int parent, depth;
      g_autofree const char **names = NULL;

      g_variant_get (parameters, "(ii^a&s)", &parent, &depth, &names);
      if (!is_menu_id (parent))
        {
          g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                                 "No menu item %d", parent);
          return;
        }
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(u@(ia{sv}av))", self->menu_revision,
                                                            menu_layout (self, parent, depth, names)));
    }
  else if (g_str_equal (method, "GetGroupProperties"))
    {
      g_autoptr(GVariantIter) ids = NULL;
      g_autofree const char **names = NULL;
      GVariantBuilder result;
      int id;

      g_variant_get (parameters, "(ai^a&s)", &ids, &names);
      g_variant_builder_init (&result, G_VARIANT_TYPE ("a(ia{sv})"));
      while (g_variant_iter_next (ids, "i", &id))
        if (is_menu_id (id))
          g_variant_builder_add (&result, "(i@a{sv})", id, menu_item_properties (self, id, names));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(a(ia{sv}))", &result));
    }
  else if (g_str_equal (method, "GetProperty"))
    {
      g_autoptr(GVariant) props = NULL;
      g_autoptr(GVariant) value = NULL;
      const char *name;
      int id;

      g_variant_get (parameters, "(i&s)", &id, &name);
      if (is_menu_id (id))
        {
          props = g_variant_ref_sink (menu_item_properties (self, id, NULL));
          value = g_variant_lookup_value (props, name, NULL);
        }
      if (value == NULL)
        g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                               "No property %s on menu item %d", name, id);
      else
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(v)", value));
    }
  else if (g_str_equal (method, "Event"))
    {
      const char *event_id;
      int id;

      g_variant_get (parameters, "(i&svu)", &id, &event_id, NULL, NULL);
      /* Answer first: the item may quit the application. */
      g_dbus_method_invocation_return_value (invocation, NULL);
      menu_event (self, id, event_id);
    }
  else if (g_str_equal (method, "EventGroup"))
    {
      g_autoptr(GVariantIter) events = NULL;
      GVariantBuilder errors;
      g_autoptr(GArray) clicked = g_array_new (FALSE, FALSE, sizeof (int));
      const char *event_id;
      int id;

      g_variant_get (parameters, "(a(isvu))", &events);
      g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
      while (g_variant_iter_next (events, "(i&svu)", &id, &event_id, NULL, NULL))
        {
          if (!is_menu_id (id))
            g_variant_builder_add (&errors, "i", id);
          else if (g_str_equal (event_id, "clicked"))
            g_array_append_val (clicked, id);
        }
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ai)", &errors));
      for (guint i = 0; i < clicked->len; i++)
        menu_event (self, g_array_index (clicked, int, i), "clicked");
    }
  else if (g_str_equal (method, "AboutToShow"))
    {
      /* The model pushes every change, so the menu is always up to date. */
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(b)", FALSE));
    }
  else if (g_str_equal (method, "AboutToShowGroup"))
    {
      g_autoptr(GVariantIter) ids = NULL;
      GVariantBuilder updates, errors;
      int id;

      g_variant_get (parameters, "(ai)", &ids);
      g_variant_builder_init (&updates, G_VARIANT_TYPE ("ai"));
      g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
      while (g_variant_iter_next (ids, "i", &id))
        if (!is_menu_id (id))
          g_variant_builder_add (&errors, "i", id);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(aiai)", &updates, &errors));
    }
  else
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "Unknown method %s", method);
    }
}

static void
handle_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  UmtTraySni *self = user_data;
  g_autoptr(UmtTray) tray = g_object_ref (self->tray);

  if (g_str_equal (interface_name, MENU_IFACE))
    {
      handle_menu_call (self, method_name, parameters, invocation);
      return;
    }

  /* Answer first: what the click does may take a while or end the process. */
  g_dbus_method_invocation_return_value (invocation, NULL);
  if (g_str_equal (method_name, "Activate"))
    umt_tray_activate (tray);
  else if (g_str_equal (method_name, "SecondaryActivate"))
    umt_tray_secondary_activate (tray);
  /* ContextMenu: ItemIsMenu is false and Menu is given, hosts draw the menu.
   * Scroll: nothing to scroll through. */
}

static GVariant *
handle_get_property (GDBusConnection  *connection,
                     const char       *sender,
                     const char       *object_path,
                     const char       *interface_name,
                     const char       *property_name,
                     GError          **error,
                     gpointer          user_data)
{
  UmtTraySni *self = user_data;
  UmtTray *tray = self->tray;

  if (g_str_equal (interface_name, MENU_IFACE))
    {
      const char *path = umt_tray_get_icon_theme_path (tray);

      if (g_str_equal (property_name, "Version"))
        return g_variant_new_uint32 (3);
      if (g_str_equal (property_name, "TextDirection"))
        return g_variant_new_string (gtk_widget_get_default_direction () == GTK_TEXT_DIR_RTL ? "rtl" : "ltr");
      if (g_str_equal (property_name, "Status"))
        return g_variant_new_string ("normal");
      if (g_str_equal (property_name, "IconThemePath"))
        return g_variant_new_strv (&path, path != NULL ? 1 : 0);
    }
  else if (g_str_equal (property_name, "Category"))
    return g_variant_new_string ("ApplicationStatus");
  else if (g_str_equal (property_name, "Id"))
    return g_variant_new_string (APP_ID);
  else if (g_str_equal (property_name, "Title"))
    return g_variant_new_string (umt_tray_get_title (tray));
  else if (g_str_equal (property_name, "Status"))
    return g_variant_new_string (umt_tray_get_status (tray));
  else if (g_str_equal (property_name, "WindowId"))
    return g_variant_new_int32 (0);
  else if (g_str_equal (property_name, "IconName") || g_str_equal (property_name, "AttentionIconName"))
    return g_variant_new_string (umt_tray_get_icon_name (tray));
  else if (g_str_equal (property_name, "IconThemePath"))
    return g_variant_new_string (umt_tray_get_icon_theme_path (tray));
  else if (g_str_equal (property_name, "OverlayIconName") ||
           g_str_equal (property_name, "AttentionMovieName"))
    return g_variant_new_string ("");
  else if (g_str_has_suffix (property_name, "Pixmap"))
    return g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0);
  else if (g_str_equal (property_name, "ToolTip"))
    return g_variant_new ("(s@a(iiay)ss)", umt_tray_get_icon_name (tray),
                          g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0),
                          umt_tray_get_tooltip_title (tray), umt_tray_get_tooltip_body (tray));
  else if (g_str_equal (property_name, "ItemIsMenu"))
    return g_variant_new_boolean (FALSE);
  else if (g_str_equal (property_name, "Menu"))
    return g_variant_new_object_path (MENU_PATH);

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s", property_name);
  return NULL;
}

static const GDBusInterfaceVTable vtable = { handle_method_call, handle_get_property, NULL };

static void
on_tray_changed (UmtTray        *tray,
                 UmtTrayChanges  changes,
                 gpointer        user_data)
{
  UmtTraySni *self = user_data;

  if (changes & UMT_TRAY_CHANGED_ICON)
    {
      emit (self, ITEM_PATH, ITEM_IFACE, "NewIcon", NULL);
      emit (self, ITEM_PATH, ITEM_IFACE, "NewAttentionIcon", NULL);
    }
  if (changes & UMT_TRAY_CHANGED_STATUS)
    emit (self, ITEM_PATH, ITEM_IFACE, "NewStatus",
          g_variant_new ("(s)", umt_tray_get_status (tray)));
  if (changes & UMT_TRAY_CHANGED_TOOLTIP)
    emit (self, ITEM_PATH, ITEM_IFACE, "NewToolTip", NULL);
  if (changes & UMT_TRAY_CHANGED_MENU)
    {
      GVariantBuilder updated;

      g_variant_builder_init (&updated, G_VARIANT_TYPE ("a(ia{sv})"));
      for (int id = 1; id <= UMT_TRAY_N_ITEMS; id++)
        g_variant_builder_add (&updated, "(i@a{sv})", id, menu_item_properties (self, id, NULL));
      emit (self, MENU_PATH, MENU_IFACE, "ItemsPropertiesUpdated",
            g_variant_new ("(a(ia{sv})a(ias))", &updated, NULL));
      /* Some hosts only reread the menu on a new revision. */
      self->menu_revision++;
      emit (self, MENU_PATH, MENU_IFACE, "LayoutUpdated", g_variant_new ("(ui)", self->menu_revision, 0));
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

  self->item_registration_id =
    g_dbus_connection_register_object (self->bus, ITEM_PATH,
                                       g_dbus_node_info_lookup_interface (self->node_info, ITEM_IFACE),
                                       &vtable, self, NULL, &error);
  if (self->item_registration_id != 0)
    self->menu_registration_id =
      g_dbus_connection_register_object (self->bus, MENU_PATH,
                                         g_dbus_node_info_lookup_interface (self->node_info, MENU_IFACE),
                                         &vtable, self, NULL, &error);
  if (self->menu_registration_id == 0)
    {
      /* Another tray in this process: nothing to show twice. */
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
  UmtTraySni *self;

  g_return_val_if_fail (UMT_IS_TRAY (tray), NULL);

  self = g_object_new (UMT_TYPE_TRAY_SNI, NULL);
  self->tray = tray;
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
umt_tray_sni_dispose (GObject *object)
{
  UmtTraySni *self = UMT_TRAY_SNI (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  g_clear_handle_id (&self->own_name_id, g_bus_unown_name);
  if (self->bus != NULL)
    {
      /* Unexporting is what tells the host to drop the icon. */
      if (self->item_registration_id != 0)
        g_dbus_connection_unregister_object (self->bus, self->item_registration_id);
      if (self->menu_registration_id != 0)
        g_dbus_connection_unregister_object (self->bus, self->menu_registration_id);
      self->item_registration_id = self->menu_registration_id = 0;
    }
  g_clear_object (&self->bus);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->node_info, g_dbus_node_info_unref);

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
  self->cancellable = g_cancellable_new ();
  /* The XML is part of this file: a parse failure is a programming error. */
  self->node_info = g_dbus_node_info_new_for_xml (introspection_xml, NULL);
  g_assert (self->node_info != NULL);
  self->menu_revision = 1;
}
