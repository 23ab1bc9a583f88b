/* test-ui-background.c: the application's life with its window closed
 *
 * Each test runs the application as main() does, through
 * g_application_run(), on a private session bus with no tray host and a
 * notification server written for the test; a "script" drives it from an
 * idle callback, and whatever g_application_run() returns early shows the
 * application quit when it should not have.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-ui-background"

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "umt-application.h"
#include "umt-heartbeat-status.h"
#include "umt-test-sim.h"
#include "umt-test-util.h"

static UmtApplication *app;
static UmtTestSim *sim;
static char *device_key;
static GDBusConnection *host_bus;
static GDBusNodeInfo *server_info;
static GSettings *settings;

/* What the notification server received since the last reset. */
static GPtrArray *summaries;
static GPtrArray *bodies;
static GArray *replaces_ids;
static GArray *ids;
static guint notify_count;

static const char server_xml[] =
  "<node>"
  " <interface name='org.freedesktop.Notifications'>"
  "  <method name='Notify'>"
  "   <arg type='s' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
  "   <arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "   <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/><arg type='u' direction='out'/>"
  "  </method>"
  "  <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "  <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "  <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  " </interface>"
  "</node>";

static void
server_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  if (g_str_equal (method_name, "Notify"))
    {
      const char *summary, *body;
      guint32 replaces;

      g_variant_get_child (parameters, 1, "u", &replaces);
      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      g_ptr_array_add (summaries, g_strdup (summary));
      g_ptr_array_add (bodies, g_strdup (body));
      g_array_append_val (replaces_ids, replaces);
      /* Ids start at 1: 0 means "replaces nothing". */
      notify_count++;
      g_array_append_val (ids, notify_count);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notify_count));
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *caps[] = { "body", "actions", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else
    {
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
}

static const GDBusInterfaceVTable server_vtable = { server_method_call, NULL, NULL };

static void
on_flushed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);

  *(gboolean *) user_data = TRUE;
}

/* A notification the last application sent just before it quit may still be
 * on its way through the bus. One more call from the same connection is
 * answered after it: once it is, nothing of that application is left. */
static void
flush_notifications (void)
{
  g_autoptr(GDBusConnection) session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  gboolean flushed = FALSE;

  g_dbus_connection_call (session, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                          "org.freedesktop.Notifications", "GetCapabilities", NULL, NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_flushed, &flushed);
  while (!flushed)
    g_main_context_iteration (NULL, TRUE);
}

static void
reset_notifications (void)
{
  g_ptr_array_set_size (summaries, 0);
  g_ptr_array_set_size (bodies, 0);
  g_array_set_size (replaces_ids, 0);
  g_array_set_size (ids, 0);
}

static guint
count_summary (const char *summary)
{
  guint n = 0;

  for (guint i = 0; i < summaries->len; i++)
    if (g_str_equal (g_ptr_array_index (summaries, i), summary))
      n++;
  return n;
}

/* The index of the last notification titled @summary, or -1. */
static int
last_index_of (const char *summary)
{
  for (int i = (int) summaries->len - 1; i >= 0; i--)
    if (g_str_equal (g_ptr_array_index (summaries, i), summary))
      return i;
  return -1;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
iterate_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag, &done);
  umt_test_iterate_until (flag_set, &done);
}

static gboolean
notified (gpointer data)
{
  return count_summary (data) > 0;
}

static gint64
sim_beats (void)
{
  g_autoptr(JsonObject) device = umt_test_sim_get_device (sim, device_key);

  g_assert_nonnull (device);
  return json_object_get_int_member (device, "heartbeat_count");
}

/* Beats reach the sim: at least @more after this call. Polls, since the
 * heartbeat's worker thread does the sending. */
static void
wait_for_beats (guint more)
{
  gint64 target = sim_beats () + more;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (sim_beats () < target)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      iterate_for (200);
    }
}

static UmtHeartbeat *
app_heartbeat (void)
{
  return umt_device_manager_get_heartbeat (umt_application_get_device_manager (app));
}

static gboolean
first_beat_done (gpointer data)
{
  return umt_heartbeat_get_last_success (app_heartbeat ()) != NULL;
}

static gboolean
heartbeat_stopped (gpointer data)
{
  return umt_heartbeat_get_state (app_heartbeat ()) == UMT_HEARTBEAT_STATE_STOPPED;
}

/* The profile's interval is 15 s at least; a beat a second keeps the test short. */
static void
wait_beating_fast (void)
{
  umt_test_iterate_until (first_beat_done, NULL);
  umt_heartbeat_set_interval (app_heartbeat (), 1);
}

static gboolean
window_mapped (gpointer data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

static gboolean
window_hidden (gpointer data)
{
  return !gtk_widget_get_visible (GTK_WIDGET (data));
}

static void
on_startup (GApplication *application,
            gpointer      script)
{
  g_idle_add_once (script, NULL);
}

/* Runs the application as main() does, @script in its first idle. */
static int
run_app (gboolean        background,
         GSourceOnceFunc script)
{
  const char *plain_argv[] = { "updates-manager-tool", NULL };
  const char *background_argv[] = { "updates-manager-tool", "--background", NULL };
  const char **argv = background ? background_argv : plain_argv;
  int status;

  reset_notifications ();
  app = umt_application_new ();
  g_signal_connect (app, "startup", G_CALLBACK (on_startup), script);
  status = g_application_run (G_APPLICATION (app), g_strv_length ((char **) argv), (char **) argv);
  g_clear_object (&app);
  flush_notifications ();
  return status;
}

static void
assert_final_status_stopped (void)
{
  g_autoptr(UmtHeartbeatStatus) status = NULL;
  g_autoptr(UmtOwnerLock) lock = NULL;
  g_autoptr(GError) error = NULL;

  status = umt_heartbeat_status_load (&error);
  g_assert_no_error (error);
  g_assert_cmpint (status->state, ==, UMT_HEARTBEAT_STATE_STOPPED);
  /* The lock went with the application: `umt run` could take over. */
  lock = umt_owner_lock_acquire (&error);
  g_assert_no_error (error);
}

/* /background/registration-notified */

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  g_autoptr(GError) error = NULL;

  registration = umt_device_manager_register_finish (UMT_DEVICE_MANAGER (source), result, &error);
  g_assert_no_error (error);
  /* As the Settings page does after Register Device. */
  umt_application_start_heartbeat (app);
}

static void
registration_script (gpointer data)
{
  g_autofree char *token = NULL;

  g_application_activate (G_APPLICATION (app));
  umt_test_iterate_until (window_mapped, NULL);

  device_key = umt_test_sim_create_device (sim, NULL, &token);
  umt_device_manager_register_async (umt_application_get_device_manager (app), device_key, token,
                                     NULL, on_registered, NULL);
  umt_test_iterate_until (notified, (gpointer) "Device registered");
  g_assert_nonnull (strstr (g_ptr_array_index (bodies, last_index_of ("Device registered")), device_key));
  umt_test_iterate_until (first_beat_done, NULL);

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
}

static void
test_registration_notified (void)
{
  g_assert_cmpint (run_app (FALSE, registration_script), ==, 0);
  g_assert_cmpuint (count_summary ("Device registered"), ==, 1);
}

/* /background/close-keeps-beating */

static gboolean still_running_checked;

static gboolean
still_running_check (gpointer data)
{
  gint64 beats = sim_beats ();

  still_running_checked = TRUE;
  /* Closed, still beating. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_application_get_windows (GTK_APPLICATION (app))->data)));
  wait_for_beats (2);
  g_assert_cmpint (sim_beats (), >=, beats + 2);

  /* No tray host on this bus: told once how to come back, though both the
   * tray and the window had a reason to tell. */
  g_assert_cmpuint (count_summary ("Updates Manager keeps running"), ==, 1);

  /* Quit from the menu, as the tray's Quit does. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
close_script (gpointer data)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (app));
  umt_test_iterate_until (window_mapped, NULL);
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  wait_beating_fast ();

  gtk_window_close (window);
  umt_test_iterate_until (window_hidden, window);
  /* Back to the application's own loop: it ends now if closing quit. */
  g_timeout_add (2000, still_running_check, NULL);
}

static void
test_close_keeps_beating (void)
{
  gint64 beats;

  /* On by default: a device agent keeps beating. */
  g_settings_reset (settings, "run-in-background");
  g_assert_true (g_settings_get_boolean (settings, "run-in-background"));
  g_settings_reset (settings, "told-keeps-running");

  still_running_checked = FALSE;
  g_assert_cmpint (run_app (FALSE, close_script), ==, 0);
  g_assert_true (still_running_checked);

  /* Quit stopped the heartbeat: no beat reaches the sim any more. */
  beats = sim_beats ();
  iterate_for (2500);
  g_assert_cmpint (sim_beats (), ==, beats);
  assert_final_status_stopped ();
}

/* /background/start-in-background */

static void
background_script (gpointer data)
{
  GtkWindow *window;

  /* No window, yet the device beats. */
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
  wait_beating_fast ();
  wait_for_beats (2);
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));

  /* The tray's Open (and a notification click) run this action. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "activate-window", NULL);
  umt_test_iterate_until (window_mapped, NULL);
  window = gtk_application_get_active_window (GTK_APPLICATION (app));

  /* The window holds the application now, not --background: with
   * run-in-background off, closing it quits. */
  g_settings_set_boolean (settings, "run-in-background", FALSE);
  gtk_window_close (window);
}

static void
test_start_in_background (void)
{
  gint64 beats;

  g_assert_cmpint (run_app (TRUE, background_script), ==, 0);
  /* Started with no tray host and no window: nothing to say at launch. */
  g_assert_cmpuint (count_summary ("Updates Manager keeps running"), ==, 0);

  beats = sim_beats ();
  iterate_for (2500);
  g_assert_cmpint (sim_beats (), ==, beats);
  assert_final_status_stopped ();
}

/* /background/closing-quits-when-off */

static guint quit_deadline_id;

static gboolean
quit_deadline (gpointer data)
{
  quit_deadline_id = 0;
  g_application_quit (G_APPLICATION (app));
  g_assert_not_reached ();
  return G_SOURCE_REMOVE;
}

static void
off_script (gpointer data)
{
  g_settings_set_boolean (settings, "run-in-background", FALSE);
  g_application_activate (G_APPLICATION (app));
  umt_test_iterate_until (window_mapped, NULL);
  wait_beating_fast ();

  gtk_window_close (gtk_application_get_active_window (GTK_APPLICATION (app)));
  quit_deadline_id = g_timeout_add (5000, quit_deadline, NULL);
}

static void
test_closing_quits_when_off (void)
{
  gint64 beats;

  g_assert_cmpint (run_app (FALSE, off_script), ==, 0);
  g_clear_handle_id (&quit_deadline_id, g_source_remove);
  /* Nothing left to say how to come back: the application is gone. */
  g_assert_cmpuint (count_summary ("Updates Manager keeps running"), <=, 1);

  beats = sim_beats ();
  iterate_for (2500);
  g_assert_cmpint (sim_beats (), ==, beats);
  assert_final_status_stopped ();
}

/* /background/told-once */

static void
close_twice_script (gpointer data)
{
  GtkWindow *window;

  for (guint i = 0; i < 2; i++)
    {
      g_application_activate (G_APPLICATION (app));
      umt_test_iterate_until (window_mapped, NULL);
      window = gtk_application_get_active_window (GTK_APPLICATION (app));
      gtk_window_close (window);
      umt_test_iterate_until (window_hidden, window);
    }
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
}

static void
test_told_once (void)
{
  g_settings_set_boolean (settings, "run-in-background", TRUE);
  g_settings_reset (settings, "told-keeps-running");

  /* The first close says where the application went, the second does not. */
  g_assert_cmpint (run_app (FALSE, close_twice_script), ==, 0);
  g_assert_cmpuint (count_summary ("Updates Manager keeps running"), ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (bodies, last_index_of ("Updates Manager keeps running")),
                            "from your applications"));

  /* Nor does the next launch. */
  g_assert_cmpint (run_app (FALSE, close_twice_script), ==, 0);
  g_assert_cmpuint (count_summary ("Updates Manager keeps running"), ==, 0);
}

/* /background/notifications */

static void
click_notification (guint id)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (host_bus, NULL, "/org/freedesktop/Notifications",
                                 "org.freedesktop.Notifications", "ActionInvoked",
                                 g_variant_new ("(us)", id, "default"), &error);
  g_assert_no_error (error);
}

static void
notifications_script (gpointer data)
{
  g_autofree char *online = g_strdup_printf ("/api/devices/%s/online", device_key);
  g_autofree char *fault404 = g_strdup_printf ("{\"path\":\"%s\",\"status\":404,"
                                               "\"body\":\"{\\\"error\\\":\\\"Device not found\\\"}\"}",
                                               online);
  int stopped, recovered;
  guint before;

  g_settings_set_boolean (settings, "run-in-background", TRUE);
  g_settings_set_boolean (settings, "notifications", TRUE);
  wait_beating_fast ();
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));

  /* The server forgot the device: the heartbeat stops, and says why. */
  umt_test_sim_add_fault (sim, fault404);
  umt_test_iterate_until (notified, (gpointer) "Heartbeat stopped");
  stopped = last_index_of ("Heartbeat stopped");
  g_assert_cmpstr (g_ptr_array_index (bodies, stopped), ==, umt_heartbeat_get_last_error (app_heartbeat ()));
  g_assert_cmpuint (count_summary ("Heartbeat recovered"), ==, 0);

  /* Back: one notification replacing the "stopped" one. */
  umt_test_sim_clear_faults (sim);
  g_action_group_activate_action (G_ACTION_GROUP (app), "resume-heartbeat", NULL);
  umt_test_iterate_until (notified, (gpointer) "Heartbeat recovered");
  recovered = last_index_of ("Heartbeat recovered");
  g_assert_cmpuint (g_array_index (replaces_ids, guint32, recovered), ==, g_array_index (ids, guint32, stopped));
  g_assert_nonnull (strstr (g_ptr_array_index (bodies, recovered), device_key));
  wait_for_beats (2);
  g_assert_cmpuint (count_summary ("Heartbeat recovered"), ==, 1);

  /* Clicking it opens the window. */
  click_notification (g_array_index (ids, guint32, recovered));
  umt_test_iterate_until (window_mapped, NULL);

  /* Switched off in Settings: the same stop and recovery go untold. */
  g_settings_set_boolean (settings, "notifications", FALSE);
  before = summaries->len;
  umt_test_sim_add_fault (sim, fault404);
  umt_test_iterate_until (heartbeat_stopped, NULL);
  umt_test_sim_clear_faults (sim);
  g_action_group_activate_action (G_ACTION_GROUP (app), "resume-heartbeat", NULL);
  wait_for_beats (2);
  g_assert_cmpuint (summaries->len, ==, before);

  g_settings_set_boolean (settings, "notifications", TRUE);
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
}

static void
test_notifications (void)
{
  g_assert_cmpint (run_app (TRUE, notifications_script), ==, 0);
  /* Quitting stopped the heartbeat on purpose: no news. */
  g_assert_cmpuint (count_summary ("Heartbeat stopped"), ==, 1);
  assert_final_status_stopped ();
}

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("UMT_LOCALEDIR");
  g_autoptr(GError) error = NULL;
  /* Not freed: finalizing it would wait for every user of the session
   * connection (GTK, GIO's caches) to let go, which they never do. */
  GTestDBus *bus = NULL;
  g_autoptr(GDBusConnection) session = NULL;
  g_autofree char *scratch = NULL;
  g_autofree char *display = NULL;
  gboolean acquired = FALSE;
  guint owner_id;
  int status;

  scratch = g_dir_make_tmp ("umt-test-ui-background-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    {
      static const char *vars[] = { "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR" };
      g_autofree char *dir = g_build_filename (scratch, vars[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_setenv (vars[i], dir, TRUE);
    }

  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }

  /* A bus of this test's own: no StatusNotifierWatcher (the tray test runs
   * one on the shared bus meanwhile) and no keyring, only the test's
   * notification server. The accessibility bus is not on it either. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  display = g_strdup (g_getenv ("DISPLAY"));
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  /* GTestDBus unsets DISPLAY (against X11 autolaunch); GTK needs it back. */
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);
  session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  /* The bus goes first at the end; that must not end this process. */
  g_dbus_connection_set_exit_on_close (session, FALSE);

  gtk_disable_setlocale ();
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      g_test_dbus_stop (bus);
      return 0;
    }
  adw_init ();

  host_bus = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                     NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (host_bus, FALSE);
  server_info = g_dbus_node_info_new_for_xml (server_xml, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (host_bus, "/org/freedesktop/Notifications", server_info->interfaces[0],
                                     &server_vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  owner_id = g_bus_own_name_on_connection (host_bus, "org.freedesktop.Notifications",
                                           G_BUS_NAME_OWNER_FLAGS_NONE, on_name_acquired, NULL,
                                           &acquired, NULL);
  umt_test_iterate_until (flag_set, &acquired);
  summaries = g_ptr_array_new_with_free_func (g_free);
  bodies = g_ptr_array_new_with_free_func (g_free);
  replaces_ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  settings = g_settings_new (APP_ID);

  sim = umt_test_sim_start (NULL, NULL);
  g_setenv ("MEETING_SERVER_URL", sim->url, TRUE);

  g_test_add_func ("/background/registration-notified", test_registration_notified);
  g_test_add_func ("/background/close-keeps-beating", test_close_keeps_beating);
  g_test_add_func ("/background/start-in-background", test_start_in_background);
  g_test_add_func ("/background/closing-quits-when-off", test_closing_quits_when_off);
  g_test_add_func ("/background/told-once", test_told_once);
  g_test_add_func ("/background/notifications", test_notifications);

  status = g_test_run ();

  g_bus_unown_name (owner_id);
  g_clear_pointer (&sim, umt_test_sim_free);
  g_clear_object (&host_bus);
  g_test_dbus_stop (bus);
  g_clear_pointer (&server_info, g_dbus_node_info_unref);
  g_clear_pointer (&summaries, g_ptr_array_unref);
  g_clear_pointer (&bodies, g_ptr_array_unref);
  g_clear_pointer (&replaces_ids, g_array_unref);
  g_clear_pointer (&ids, g_array_unref);
  g_clear_object (&settings);
  g_free (device_key);
  umt_test_remove_tree (scratch);
  return status;
}
