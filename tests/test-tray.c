/* test-tray.c: the tray icon as a tray host sees it over the session bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-tray"

#include "config.h"

#include <locale.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "umt-application.h"
#include "umt-tray.h"
#include "umt-tray-sni-dbus.h"
#include "umt-test-sim.h"
#include "umt-test-util.h"

#define ITEM_IFACE "org.kde.StatusNotifierItem"
#define MENU_IFACE "com.canonical.dbusmenu"

static UmtApplication *app;
static UmtTestSim *sim;
static char *device_key;

/* The test's side of the bus: its own connection, like a real tray host. */
static GDBusConnection *host_bus;
static char *app_bus_name;

/* A StatusNotifierWatcher written for the test, from the interface the app calls. */
static UmtStatusNotifierWatcher *watcher;
static guint watcher_owner_id;
static char *registered_service;
static char *registered_sender;
static guint registrations;

/* A notification server, to see the "no tray host" notice. */
static GDBusNodeInfo *notifications_info;
static guint notifications_owner_id;
static guint notifications_object_id;
static guint notifications;

/* Change signals of the item, by name, and the last NewStatus. */
static GHashTable *signal_counts;
static char *last_new_status;

static const char notifications_xml[] =
  "<node>"
  " <interface name='org.freedesktop.Notifications'>"
  "  <method name='Notify'>"
  "   <arg type='s' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
  "   <arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "   <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/><arg type='u' direction='out'/>"
  "  </method>"
  "  <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  " </interface>"
  "</node>";

static gboolean
timeout_done (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
iterate_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
on_register_item (UmtStatusNotifierWatcher *object,
                  GDBusMethodInvocation    *invocation,
                  const char               *service)
{
  const char *sender = g_dbus_method_invocation_get_sender (invocation);

  /* Other test programs on this bus have trays too: only ours counts. */
  if (g_strcmp0 (sender, app_bus_name) == 0)
    {
      g_free (registered_service);
      registered_service = g_strdup (service);
      g_free (registered_sender);
      registered_sender = g_strdup (sender);
      registrations++;
    }
  umt_status_notifier_watcher_complete_register_status_notifier_item (object, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
notifications_method_call (GDBusConnection       *connection,
                           const char            *sender,
                           const char            *object_path,
                           const char            *interface_name,
                           const char            *method_name,
                           GVariant              *parameters,
                           GDBusMethodInvocation *invocation,
                           gpointer               user_data)
{
  /* Other test programs on this bus notify too: only ours counts. */
  if (g_strcmp0 (sender, app_bus_name) != 0)
    {
      if (g_str_equal (method_name, "Notify"))
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", 1000));
      else
        g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "Notify"))
    {
      notifications++;
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notifications));
    }
  else
    {
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
}

static const GDBusInterfaceVTable notifications_vtable = { notifications_method_call, NULL, NULL };

static gboolean
name_owned (gpointer data)
{
  return *(int *) data != 0;
}

static void
on_test_name_acquired (GDBusConnection *connection,
                       const char      *name,
                       gpointer         user_data)
{
  *(int *) user_data = 1;
}

static void
start_watcher (void)
{
  g_autoptr(GError) error = NULL;
  int acquired = 0;

  watcher = umt_status_notifier_watcher_skeleton_new ();
  umt_status_notifier_watcher_set_is_status_notifier_host_registered (watcher, TRUE);
  g_signal_connect (watcher, "handle-register-status-notifier-item",
                    G_CALLBACK (on_register_item), NULL);
  g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (watcher), host_bus,
                                    "/StatusNotifierWatcher", &error);
  g_assert_no_error (error);
  watcher_owner_id = g_bus_own_name_on_connection (host_bus, "org.kde.StatusNotifierWatcher",
                                                   G_BUS_NAME_OWNER_FLAGS_NONE,
                                                   on_test_name_acquired, NULL, &acquired, NULL);
  umt_test_iterate_until (name_owned, &acquired);
}

static void
stop_watcher (void)
{
  g_clear_handle_id (&watcher_owner_id, g_bus_unown_name);
  g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (watcher));
  g_clear_object (&watcher);
}

static void
start_notification_server (void)
{
  int acquired = 0;

  notifications_object_id = g_dbus_connection_register_object (host_bus,
                                                               "/org/freedesktop/Notifications",
                                                               notifications_info->interfaces[0],
                                                               &notifications_vtable,
                                                               NULL, NULL, NULL);
  notifications_owner_id = g_bus_own_name_on_connection (host_bus, "org.freedesktop.Notifications",
                                                         G_BUS_NAME_OWNER_FLAGS_NONE,
                                                         on_test_name_acquired, NULL, &acquired, NULL);
  umt_test_iterate_until (name_owned, &acquired);
}

static void
on_item_signal (GDBusConnection *connection,
                const char      *sender,
                const char      *object_path,
                const char      *interface_name,
                const char      *signal_name,
                GVariant        *parameters,
                gpointer         user_data)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (signal_counts, signal_name));

  g_hash_table_insert (signal_counts, g_strdup (signal_name), GUINT_TO_POINTER (count + 1));
  if (g_str_equal (signal_name, "NewStatus"))
    {
      g_free (last_new_status);
      g_variant_get (parameters, "(s)", &last_new_status);
    }
}

static guint
signal_count (const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (signal_counts, name));
}

/* An asynchronous call, so the application in this process can answer. */

static void
on_call_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GVariant **reply = user_data;
  g_autoptr(GError) error = NULL;

  *reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
reply_arrived (gpointer data)
{
  return *(GVariant **) data != NULL;
}

static GVariant *
call (const char *path,
      const char *iface,
      const char *method,
      GVariant   *parameters)
{
  GVariant *reply = NULL;

  g_dbus_connection_call (host_bus, app_bus_name, path, iface, method, parameters, NULL,
                          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, on_call_done, &reply);
  umt_test_iterate_until (reply_arrived, &reply);
  return reply;
}

static GVariant *
item_property (const char *name)
{
  g_autoptr(GVariant) reply = call ("/StatusNotifierItem", "org.freedesktop.DBus.Properties", "Get",
                                    g_variant_new ("(ss)", ITEM_IFACE, name));
  GVariant *value = NULL;

  g_variant_get (reply, "(v)", &value);
  return value;
}

static char *
item_string (const char *name)
{
  g_autoptr(GVariant) value = item_property (name);

  return g_variant_dup_string (value, NULL);
}

/* The tooltip's title and text. */
static void
item_tooltip (char **title,
              char **text)
{
  g_autoptr(GVariant) value = item_property ("ToolTip");

  g_variant_get (value, "(s@a(iiay)ss)", NULL, NULL, title, text);
}

static void
menu_event (int id)
{
  g_autoptr(GVariant) reply = call ("/MenuBar", MENU_IFACE, "Event",
                                    g_variant_new ("(isvu)", id, "clicked",
                                                   g_variant_new_string (""), 0));
}

/* The menu as GetLayout gives it: labels and enabled flags of its items. */
typedef struct
{
  char    *labels[8];
  gboolean enabled[8];
  int      ids[8];
  guint    n_items;
  guint    n_separators;
} Menu;

static void
menu_clear (Menu *menu)
{
  for (guint i = 0; i < menu->n_items; i++)
    g_free (menu->labels[i]);
}

static void
get_menu (Menu *menu)
{
  g_autoptr(GVariant) reply = call ("/MenuBar", MENU_IFACE, "GetLayout",
                                    g_variant_new ("(ii@as)", 0, -1, g_variant_new_strv (NULL, 0)));
  g_autoptr(GVariant) root_props = NULL;
  g_autoptr(GVariantIter) children = NULL;
  GVariant *child;
  guint revision;
  int root_id;

  memset (menu, 0, sizeof *menu);
  g_variant_get (reply, "(u(i@a{sv}av))", &revision, &root_id, &root_props, &children);
  g_assert_cmpint (root_id, ==, 0);
  while (g_variant_iter_next (children, "v", &child))
    {
      g_autoptr(GVariant) props = NULL;
      g_autoptr(GVariant) grandchildren = NULL;
      const char *type = NULL;
      int id;

      g_variant_get (child, "(i@a{sv}@av)", &id, &props, &grandchildren);
      g_variant_unref (child);
      if (g_variant_lookup (props, "type", "&s", &type) && g_str_equal (type, "separator"))
        {
          menu->n_separators++;
          continue;
        }
      g_assert_cmpuint (menu->n_items, <, G_N_ELEMENTS (menu->labels));
      menu->ids[menu->n_items] = id;
      g_assert_true (g_variant_lookup (props, "label", "s", &menu->labels[menu->n_items]));
      if (!g_variant_lookup (props, "enabled", "b", &menu->enabled[menu->n_items]))
        menu->enabled[menu->n_items] = TRUE;
      menu->n_items++;
    }
}

static int
menu_id (const char *label)
{
  Menu menu;
  int id = -1;

  get_menu (&menu);
  for (guint i = 0; i < menu.n_items; i++)
    if (g_str_equal (menu.labels[i], label))
      id = menu.ids[i];
  menu_clear (&menu);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
assert_menu (const char * const *labels,
             const gboolean     *enabled)
{
  Menu menu;

  get_menu (&menu);
  g_assert_cmpuint (menu.n_items, ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      g_assert_cmpstr (menu.labels[i], ==, labels[i]);
      g_assert_cmpint (menu.enabled[i], ==, enabled[i]);
    }
  menu_clear (&menu);
}

static gboolean
registered_with_watcher (gpointer data)
{
  return registrations > *(guint *) data;
}

static gboolean
host_available (gpointer data)
{
  return umt_tray_get_host_available (data);
}

static void
test_registers_with_late_watcher (void)
{
  UmtTray *tray = umt_tray_get_for_application (G_APPLICATION (app));
  g_autofree char *prefix = g_strdup_printf ("org.kde.StatusNotifierItem-%d-", (int) getpid ());
  guint before = registrations;

  g_assert_nonnull (tray);
  /* No watcher yet: no host. Nothing is said at launch: the window tells
   * where the application went when it is first closed. */
  g_assert_false (umt_tray_get_host_available (tray));
  iterate_for (2500);
  g_assert_cmpuint (notifications, ==, 0);

  /* A watcher that comes later still gets the item, under its SNI name. */
  start_watcher ();
  umt_test_iterate_until (registered_with_watcher, &before);
  g_assert_true (g_str_has_prefix (registered_service, prefix));
  g_assert_cmpstr (registered_sender, ==, app_bus_name);
  umt_test_iterate_until (host_available, tray);

  /* A watcher that restarts (the panel crashed) gets it again. */
  before = registrations;
  stop_watcher ();
  start_watcher ();
  umt_test_iterate_until (registered_with_watcher, &before);
  g_assert_true (g_str_has_prefix (registered_service, prefix));
  g_assert_cmpuint (notifications, ==, 0);
}

static void
test_unregistered (void)
{
  const char *labels[] = { "Open Updates Manager", "Send Heartbeat Now", "Copy Device Key",
                           "Pause Heartbeat", "Quit" };
  const gboolean enabled[] = { TRUE, FALSE, FALSE, FALSE, TRUE };
  g_autofree char *status = item_string ("Status");
  g_autofree char *icon = item_string ("IconName");
  g_autofree char *category = item_string ("Category");
  g_autofree char *theme_path = item_string ("IconThemePath");
  g_autofree char *icon_file = NULL;
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GVariant) is_menu = item_property ("ItemIsMenu");
  g_autoptr(GVariant) menu_path = item_property ("Menu");

  g_assert_cmpstr (status, ==, "Passive");
  g_assert_cmpstr (icon, ==, "umt-heartbeat-unregistered-symbolic");
  g_assert_cmpstr (category, ==, "ApplicationStatus");
  g_assert_false (g_variant_get_boolean (is_menu));
  g_assert_cmpstr (g_variant_get_string (menu_path, NULL), ==, "/MenuBar");
  /* A host that lacks the app's icons finds them there. */
  icon_file = g_build_filename (theme_path, "hicolor", "scalable", "status", "umt-heartbeat-unregistered-symbolic.svg", NULL);
  g_assert_true (g_file_test (icon_file, G_FILE_TEST_IS_REGULAR));

  item_tooltip (&title, &text);
  g_assert_cmpstr (title, ==, "Updates Manager: not registered");
  g_assert_nonnull (strstr (text, "not registered"));

  /* Only Open and Quit apply before registration. */
  assert_menu (labels, enabled);
}

static GVariant *
int_array (const int *values,
           gsize      n_values)
{
  return g_variant_new_fixed_array (G_VARIANT_TYPE_INT32, values, n_values, sizeof (int));
}

/* What other hosts ask: one property, a group of items, whether to refresh. */
static void
test_menu_queries (void)
{
  int open_id = menu_id ("Open Updates Manager");
  int send_id = menu_id ("Send Heartbeat Now");
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) label = NULL;
  g_autoptr(GVariant) group = NULL;
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) updates = NULL;
  g_autoptr(GVariant) errors = NULL;
  const char *enabled_only[] = { "enabled", NULL };
  const int ids[] = { open_id, send_id, 99 };
  gboolean enabled, need_update;
  int id;

  reply = call ("/MenuBar", MENU_IFACE, "GetProperty", g_variant_new ("(is)", open_id, "label"));
  g_variant_get (reply, "(v)", &label);
  g_assert_cmpstr (g_variant_get_string (label, NULL), ==, "Open Updates Manager");
  g_clear_pointer (&reply, g_variant_unref);

  /* Unknown items are left out, and only the asked properties given. */
  reply = call ("/MenuBar", MENU_IFACE, "GetGroupProperties",
                g_variant_new ("(@ai^as)", int_array (ids, G_N_ELEMENTS (ids)), enabled_only));
  g_variant_get (reply, "(@a(ia{sv}))", &group);
  g_assert_cmpuint (g_variant_n_children (group), ==, 2);
  g_variant_get_child (group, 1, "(i@a{sv})", &id, &props);
  g_assert_cmpint (id, ==, send_id);
  g_assert_cmpuint (g_variant_n_children (props), ==, 1);
  g_assert_true (g_variant_lookup (props, "enabled", "b", &enabled));
  g_assert_false (enabled);
  g_clear_pointer (&reply, g_variant_unref);

  /* The menu is always current: nothing to refresh, unknown items named. */
  reply = call ("/MenuBar", MENU_IFACE, "AboutToShow", g_variant_new ("(i)", 0));
  g_variant_get (reply, "(b)", &need_update);
  g_assert_false (need_update);
  g_clear_pointer (&reply, g_variant_unref);
  reply = call ("/MenuBar", MENU_IFACE, "AboutToShowGroup",
                g_variant_new ("(@ai)", int_array (ids, G_N_ELEMENTS (ids))));
  g_variant_get (reply, "(@ai@ai)", &updates, &errors);
  g_assert_cmpuint (g_variant_n_children (updates), ==, 0);
  g_assert_cmpuint (g_variant_n_children (errors), ==, 1);
  g_variant_get_child (errors, 0, "i", &id);
  g_assert_cmpint (id, ==, 99);
  g_clear_pointer (&reply, g_variant_unref);

  /* The host draws the menu and there is nothing to scroll: answered all the same. */
  reply = call ("/StatusNotifierItem", ITEM_IFACE, "ContextMenu", g_variant_new ("(ii)", 0, 0));
  g_clear_pointer (&reply, g_variant_unref);
  reply = call ("/StatusNotifierItem", ITEM_IFACE, "Scroll", g_variant_new ("(is)", 1, "vertical"));
}

static gboolean
has_last_success (gpointer data)
{
  return umt_heartbeat_get_last_success (data) != NULL;
}

static gboolean
state_is (UmtHeartbeat      *heartbeat,
          UmtHeartbeatState  state)
{
  return umt_heartbeat_get_state (heartbeat) == state;
}

static gboolean is_retrying (gpointer data) { return state_is (data, UMT_HEARTBEAT_STATE_RETRYING); }
static gboolean is_stopped (gpointer data) { return state_is (data, UMT_HEARTBEAT_STATE_STOPPED); }
static gboolean is_paused (gpointer data) { return state_is (data, UMT_HEARTBEAT_STATE_PAUSED); }
static gboolean is_active (gpointer data) { return state_is (data, UMT_HEARTBEAT_STATE_ACTIVE); }

static gboolean
signal_seen (gpointer data)
{
  const char *name = ((const char **) data)[0];
  guint before = GPOINTER_TO_UINT (((gpointer *) data)[1]);

  return signal_count (name) > before;
}

/* Signals come back over the bus a little after the property changed. */
static void
wait_for_signal (const char *name,
                 guint       before)
{
  gpointer data[2] = { (gpointer) name, GUINT_TO_POINTER (before) };

  umt_test_iterate_until (signal_seen, data);
}

static void
assert_item (const char *status,
             const char *icon,
             const char *tooltip_title)
{
  g_autofree char *got_status = item_string ("Status");
  g_autofree char *got_icon = item_string ("IconName");
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;

  item_tooltip (&title, &text);
  g_test_message ("%s / %s / %s — %s", got_status, got_icon, title, text);
  g_assert_cmpstr (got_status, ==, status);
  g_assert_cmpstr (got_icon, ==, icon);
  g_assert_cmpstr (title, ==, tooltip_title);
}

static void
test_follows_heartbeat (void)
{
  UmtDeviceManager *manager = umt_application_get_device_manager (app);
  UmtHeartbeat *heartbeat = umt_device_manager_get_heartbeat (manager);
  g_autofree char *token_code = NULL;
  g_autofree char *online = NULL;
  g_autofree char *fault500 = NULL;
  g_autofree char *fault404 = NULL;
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected_text = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *time = NULL;
  guint icons, statuses, tooltips, menus;
  const char *active_labels[] = { "Open Updates Manager", "Send Heartbeat Now", "Copy Device Key",
                                  "Pause Heartbeat", "Quit" };
  const char *stopped_labels[] = { "Open Updates Manager", "Send Heartbeat Now", "Copy Device Key",
                                   "Resume Heartbeat", "Quit" };
  const gboolean all_enabled[] = { TRUE, TRUE, TRUE, TRUE, TRUE };

  device_key = umt_test_sim_create_device (sim, NULL, &token_code);
  online = g_strdup_printf ("/api/devices/%s/online", device_key);
  fault500 = g_strdup_printf ("{\"path\":\"%s\",\"status\":500}", online);
  fault404 = g_strdup_printf ("{\"path\":\"%s\",\"status\":404,\"body\":\"{\\\"error\\\":\\\"Device not found\\\"}\"}", online);

  icons = signal_count ("NewIcon");
  statuses = signal_count ("NewStatus");
  tooltips = signal_count ("NewToolTip");
  menus = signal_count ("ItemsPropertiesUpdated");

  /* Registered and beating: active, and every item applies. */
  registration = umt_device_manager_register_sync (manager, device_key, token_code, NULL, &error);
  g_assert_no_error (error);
  umt_application_start_heartbeat (app);
  umt_test_iterate_until (has_last_success, heartbeat);
  g_assert_true (umt_heartbeat_get_state (heartbeat) == UMT_HEARTBEAT_STATE_ACTIVE);
  wait_for_signal ("NewIcon", icons);
  wait_for_signal ("NewStatus", statuses);
  wait_for_signal ("NewToolTip", tooltips);
  wait_for_signal ("ItemsPropertiesUpdated", menus);
  g_assert_cmpstr (last_new_status, ==, "Active");
  assert_item ("Active", "umt-heartbeat-active-symbolic", "Updates Manager: heartbeat active");
  local = g_date_time_to_local (umt_heartbeat_get_last_success (heartbeat));
  time = g_date_time_format (local, "%H:%M:%S");
  expected_text = g_strdup_printf ("Last heartbeat %s — device %s", time, device_key);
  item_tooltip (&title, &text);
  g_assert_cmpstr (text, ==, expected_text);
  assert_menu (active_labels, all_enabled);

  /* A failed beat: retrying, still Active for the host. */
  icons = signal_count ("NewIcon");
  umt_test_sim_add_fault (sim, fault500);
  menu_event (menu_id ("Send Heartbeat Now"));
  umt_test_iterate_until (is_retrying, heartbeat);
  wait_for_signal ("NewIcon", icons);
  assert_item ("Active", "umt-heartbeat-retrying-symbolic", "Updates Manager: heartbeat retrying (1/5)");

  /* The server forgot the device: stopped, the host is asked for attention. */
  statuses = signal_count ("NewStatus");
  umt_test_sim_clear_faults (sim);
  umt_test_sim_add_fault (sim, fault404);
  menu_event (menu_id ("Send Heartbeat Now"));
  umt_test_iterate_until (is_stopped, heartbeat);
  wait_for_signal ("NewStatus", statuses);
  g_assert_cmpstr (last_new_status, ==, "NeedsAttention");
  assert_item ("NeedsAttention", "umt-heartbeat-stopped-symbolic", "Updates Manager: heartbeat stopped");
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&text, g_free);
  item_tooltip (&title, &text);
  g_assert_true (g_str_has_prefix (text, "Stopped: "));
  g_assert_true (g_str_has_suffix (text, device_key));
  assert_menu (stopped_labels, all_enabled);

  /* Resume from the menu: active again, once the host has been told. */
  statuses = signal_count ("NewStatus");
  umt_test_sim_clear_faults (sim);
  menu_event (menu_id ("Resume Heartbeat"));
  umt_test_iterate_until (is_active, heartbeat);
  wait_for_signal ("NewStatus", statuses);
  g_assert_cmpstr (last_new_status, ==, "Active");
  assert_item ("Active", "umt-heartbeat-active-symbolic", "Updates Manager: heartbeat active");

  /* Pause from the menu, and resume. */
  icons = signal_count ("NewIcon");
  menu_event (menu_id ("Pause Heartbeat"));
  umt_test_iterate_until (is_paused, heartbeat);
  wait_for_signal ("NewIcon", icons);
  assert_item ("Active", "umt-heartbeat-paused-symbolic", "Updates Manager: heartbeat paused");
  menu_event (menu_id ("Resume Heartbeat"));
  umt_test_iterate_until (is_active, heartbeat);
}

static gint64
sim_heartbeat_count (void)
{
  g_autoptr(JsonObject) record = umt_test_sim_get_device (sim, device_key);

  g_assert_nonnull (record);
  return json_object_get_int_member (record, "heartbeat_count");
}

static void
wait_for_beat (gint64 before)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (sim_heartbeat_count () <= before)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      iterate_for (50);
    }
}

static void
test_send_heartbeat_now (void)
{
  gint64 before;
  g_autoptr(GVariant) reply = NULL;

  g_assert_nonnull (device_key);
  before = sim_heartbeat_count ();
  menu_event (menu_id ("Send Heartbeat Now"));
  wait_for_beat (before);

  /* The secondary (middle) click does the same. */
  before = sim_heartbeat_count ();
  reply = call ("/StatusNotifierItem", ITEM_IFACE, "SecondaryActivate", g_variant_new ("(ii)", 0, 0));
  wait_for_beat (before);
}

static void
on_clipboard_text (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char **text = user_data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static gboolean
text_read (gpointer data)
{
  return *(char **) data != NULL;
}

static void
test_copy_device_key (void)
{
  GdkClipboard *clipboard = gdk_display_get_clipboard (gdk_display_get_default ());
  g_autofree char *text = NULL;

  g_assert_nonnull (device_key);
  gdk_clipboard_set_text (clipboard, "something else");
  menu_event (menu_id ("Copy Device Key"));
  gdk_clipboard_read_text_async (clipboard, NULL, on_clipboard_text, &text);
  umt_test_iterate_until (text_read, &text);
  g_assert_cmpstr (text, ==, device_key);
}

static gboolean
window_shown (gpointer data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  return window != NULL && gtk_widget_get_visible (GTK_WIDGET (window));
}

static void
test_activate_presents_window (void)
{
  g_autoptr(GVariant) reply = NULL;

  g_assert_null (gtk_application_get_active_window (GTK_APPLICATION (app)));
  reply = call ("/StatusNotifierItem", ITEM_IFACE, "Activate", g_variant_new ("(ii)", 0, 0));
  umt_test_iterate_until (window_shown, NULL);
  gtk_window_destroy (gtk_application_get_active_window (GTK_APPLICATION (app)));
}

static gboolean
tray_gone (gpointer data)
{
  return umt_tray_get_for_application (G_APPLICATION (app)) == NULL;
}

static void
test_setting_hides_tray (void)
{
  GSettings *settings = umt_application_get_settings (app);
  guint before = registrations;

  g_settings_set_boolean (settings, "show-tray-icon", FALSE);
  umt_test_iterate_until (tray_gone, NULL);

  g_settings_set_boolean (settings, "show-tray-icon", TRUE);
  g_assert_nonnull (umt_tray_get_for_application (G_APPLICATION (app)));
  umt_test_iterate_until (registered_with_watcher, &before);
  /* A new item: the host sees it under a new name. */
  umt_test_iterate_until (host_available, umt_tray_get_for_application (G_APPLICATION (app)));
}

/* The scratch directory holds only this run's state. */
int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("UMT_LOCALEDIR");
  g_autoptr(GError) error = NULL;
  g_autofree char *scratch = NULL;
  int status;

  /* This program registers its own device: its own configuration and
   * runtime directory, apart from the other UI tests running meanwhile. */
  scratch = g_dir_make_tmp ("umt-test-tray-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    {
      static const char *vars[] = { "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR" };
      g_autofree char *dir = g_build_filename (scratch, vars[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_setenv (vars[i], dir, TRUE);
    }
  g_unsetenv ("UMT_ICON_THEME_PATH");

  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  gtk_disable_setlocale ();
  if (!gtk_init_check () || g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_print ("1..0 # SKIP no display or no session bus\n");
      return 0;
    }
  adw_init ();

  host_bus = g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                     NULL, NULL, &error);
  g_assert_no_error (error);
  notifications_info = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  g_assert_no_error (error);
  signal_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  start_notification_server ();

  sim = umt_test_sim_start (NULL, NULL);
  g_setenv ("MEETING_SERVER_URL", sim->url, TRUE);

  app = umt_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  app_bus_name = g_strdup (g_dbus_connection_get_unique_name (g_application_get_dbus_connection (G_APPLICATION (app))));
  g_dbus_connection_signal_subscribe (host_bus, app_bus_name, NULL, NULL, NULL, NULL,
                                      G_DBUS_SIGNAL_FLAGS_NONE, on_item_signal, NULL, NULL);

  g_test_add_func ("/tray/registers-with-late-watcher", test_registers_with_late_watcher);
  g_test_add_func ("/tray/unregistered", test_unregistered);
  g_test_add_func ("/tray/menu-queries", test_menu_queries);
  g_test_add_func ("/tray/follows-heartbeat", test_follows_heartbeat);
  g_test_add_func ("/tray/send-heartbeat-now", test_send_heartbeat_now);
  g_test_add_func ("/tray/copy-device-key", test_copy_device_key);
  g_test_add_func ("/tray/activate-presents-window", test_activate_presents_window);
  g_test_add_func ("/tray/setting-hides-tray", test_setting_hides_tray);

  status = g_test_run ();
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  g_clear_pointer (&sim, umt_test_sim_free);
  if (watcher != NULL)
    stop_watcher ();
  g_clear_object (&host_bus);
  g_clear_pointer (&notifications_info, g_dbus_node_info_unref);
  g_clear_pointer (&signal_counts, g_hash_table_unref);
  g_free (registered_service);
  g_free (registered_sender);
  g_free (last_new_status);
  g_free (app_bus_name);
  g_free (device_key);
  umt_test_remove_tree (scratch);
  return status;
}
