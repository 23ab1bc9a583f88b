/* test-ui-window.c: the application window, its pages, actions, labels and renders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-ui-window"

#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "umt-application.h"
#include "umt-autostart.h"
#include "umt-heartbeat-text.h"
#include "umt-window.h"
#include "umt-settings-page.h"
#include "umt-overview-page.h"
#include "umt-logs-page.h"
#include "umt-profile-dialog.h"
#include "umt-secret-store.h"
#include "umt-paths.h"
#include "umt-test-sim.h"
#include "umt-test-ui.h"
#include "umt-test-util.h"

static const char *page_names[] = { "overview", "settings", "diagnostics", "logs" };

static UmtApplication *app;
static UmtTestSim *sim;

static UmtWindow *
open_window (void)
{
  UmtWindow *window;

  /* Activation of the running application must give a window, not a second process. */
  g_application_activate (G_APPLICATION (app));
  window = UMT_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_true (UMT_IS_WINDOW (window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  umt_test_wait_for_frames (GTK_WIDGET (window));

  return window;
}

static void
close_window (UmtWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static GtkWidget *
settings_child (UmtWindow  *window,
                const char *name)
{
  GtkWidget *page = umt_window_get_page (window, "settings");
  GObject *child = gtk_widget_get_template_child (page, UMT_TYPE_SETTINGS_PAGE, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

static void
test_pages_navigate (void)
{
  UmtWindow *window = open_window ();

  for (guint i = 0; i < G_N_ELEMENTS (page_names); i++)
    {
      g_assert_nonnull (umt_window_get_page (window, page_names[i]));
      g_action_group_activate_action (G_ACTION_GROUP (window), "show-page",
                                      g_variant_new_string (page_names[i]));
      g_assert_cmpstr (umt_window_get_visible_page (window), ==, page_names[i]);
    }

  /* Ctrl+, lands on Settings from anywhere. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-page",
                                  g_variant_new_string ("overview"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-settings", NULL);
  g_assert_cmpstr (umt_window_get_visible_page (window), ==, "settings");

  close_window (window);
}

/* Where the system service has the device, the window says so instead of
 * asking the user to register this computer. */
static void
test_system_service_owner (void)
{
  g_autofree char *dir = g_dir_make_tmp ("umt-test-system-XXXXXX", NULL);
  g_autofree char *info = g_build_filename (dir, "device_info.json", NULL);
  g_autoptr(GError) error = NULL;
  UmtWindow *window;
  GtkWidget *page;
  GObject *title;
  GObject *description;
  GObject *button;

  g_assert_true (g_file_set_contents (info, "{\"device_key\":\"SYSTEM-DEVICE-1\","
                                            "\"registered_at\":\"2026-01-01 00:00:00\"}",
                                      -1, &error));
  g_assert_no_error (error);
  g_setenv ("CONFIGURATION_DIRECTORY", dir, TRUE);

  window = open_window ();
  page = umt_window_get_page (window, "overview");
  title = gtk_widget_get_template_child (page, UMT_TYPE_OVERVIEW_PAGE, "status_title");
  description = gtk_widget_get_template_child (page, UMT_TYPE_OVERVIEW_PAGE, "status_description");
  button = gtk_widget_get_template_child (page, UMT_TYPE_OVERVIEW_PAGE, "main_action_button");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (title)), ==, "Managed by the System Service");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (description)), "SYSTEM-DEVICE-1"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (button)));
  close_window (window);

  g_unsetenv ("CONFIGURATION_DIRECTORY");
  umt_test_remove_tree (dir);
}

static void
test_window_size_kept (void)
{
  UmtWindow *window = open_window ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  int width, height;

  /* Closing keeps the size; the next window opens with it. */
  gtk_window_set_default_size (GTK_WINDOW (window), 700, 500);
  gtk_window_close (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 700);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 500);

  window = open_window ();
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 700);
  g_assert_cmpint (height, ==, 500);
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 720);
  close_window (window);
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

static void
assert_accel (const char *action,
              const char *accel)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action);

  g_assert_true (g_strv_contains ((const char * const *) accels, accel));
}

static void
test_actions_and_shortcuts (void)
{
  UmtWindow *window = open_window ();
  GtkWindow *about = NULL;
  GList *toplevels;

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "quit"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-settings"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay"));

  assert_accel ("app.quit", "<Control>q");
  assert_accel ("app.about", "F1");
  assert_accel ("win.show-settings", "<Control>comma");
  assert_accel ("win.show-help-overlay", "<Control>question");
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l; l = l->next)
    if (ADW_IS_ABOUT_WINDOW (l->data))
      about = l->data;
  g_list_free (toplevels);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (about)), ==, GTK_LICENSE_GPL_3_0);
  g_assert_nonnull (adw_about_window_get_issue_url (ADW_ABOUT_WINDOW (about)));
  gtk_window_destroy (about);

  close_window (window);
}

static void
test_token_filtering (void)
{
  UmtWindow *window = open_window ();
  GtkEditable *token = GTK_EDITABLE (settings_child (window, "token_row"));
  GtkEditable *key = GTK_EDITABLE (settings_child (window, "device_key_row"));
  GtkWidget *register_button = settings_child (window, "register_button");
  int position = 0;

  /* Typed lower-case, with junk and too long: only the first six hex digits stay. */
  gtk_editable_set_text (token, "a1-b2 c3zz9");
  g_assert_cmpstr (gtk_editable_get_text (token), ==, "A1B2C3");
  gtk_editable_insert_text (token, "f", -1, &position);
  g_assert_cmpstr (gtk_editable_get_text (token), ==, "A1B2C3");

  gtk_editable_set_text (token, "");
  position = 0;
  gtk_editable_insert_text (token, "0f9e", -1, &position);
  g_assert_cmpstr (gtk_editable_get_text (token), ==, "0F9E");

  /* Register Device stays insensitive while key or token is not valid. */
  gtk_editable_set_text (key, "");
  g_assert_false (gtk_widget_is_sensitive (register_button));
  gtk_editable_set_text (key, "bad key/with spaces");
  gtk_editable_set_text (token, "ABCDEF");
  g_assert_false (gtk_widget_is_sensitive (register_button));
  gtk_editable_set_text (key, "demo-device-1");
  gtk_editable_set_text (token, "ABC");
  g_assert_false (gtk_widget_is_sensitive (register_button));

  close_window (window);
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
pointer_is_set (gpointer data)
{
  return *(char **) data != NULL;
}

static gboolean
key_is_pasted (gpointer data)
{
  return g_str_equal (gtk_editable_get_text (data), "FEDCBA9876543210FEDCBA9876543210");
}

static void
test_copy_device_key (void)
{
  UmtWindow *window = open_window ();
  GtkWidget *page = umt_window_get_page (window, "settings");
  GtkEditable *key = GTK_EDITABLE (settings_child (window, "device_key_row"));
  g_autofree char *copied = NULL;

  gtk_editable_set_text (key, "0123456789ABCDEF0123456789ABCDEF");
  g_assert_true (gtk_widget_activate_action (page, "settings.copy-device-key", NULL));

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (page), NULL, on_clipboard_text, &copied);
  umt_test_iterate_until (pointer_is_set, &copied);
  g_assert_cmpstr (copied, ==, "0123456789ABCDEF0123456789ABCDEF");

  /* Paste takes the administrator's key from the clipboard, trimmed. */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (page), "  FEDCBA9876543210FEDCBA9876543210\n");
  gtk_editable_set_text (key, "");
  g_assert_true (gtk_widget_activate_action (page, "settings.paste-device-key", NULL));
  umt_test_iterate_until (key_is_pasted, key);

  close_window (window);
}


static void save_window_png (GtkWidget  *window,
                             const char *path);

static gboolean
is_registered (gpointer data)
{
  return umt_device_manager_get_registered (data);
}

static gboolean
is_not_registered (gpointer data)
{
  return !umt_device_manager_get_registered (data);
}

static gboolean
error_row_shown (gpointer data)
{
  return gtk_widget_get_visible (data);
}

/* The fields take no input while the server is asked. */
static gboolean
token_takes_input (gpointer data)
{
  return gtk_widget_is_sensitive (data) && gtk_editable_get_editable (data);
}

static gboolean
label_is_online (gpointer data)
{
  return g_str_equal (gtk_label_get_label (data), "Sees the device online");
}

static gboolean
heartbeat_retrying (gpointer data)
{
  return umt_heartbeat_get_state (data) == UMT_HEARTBEAT_STATE_RETRYING;
}

static gboolean
heartbeat_stopped (gpointer data)
{
  return umt_heartbeat_get_state (data) == UMT_HEARTBEAT_STATE_STOPPED;
}

static gboolean
heartbeat_active (gpointer data)
{
  return umt_heartbeat_get_state (data) == UMT_HEARTBEAT_STATE_ACTIVE;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  AdwMessageDialog *dialog = NULL;
  GList *toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      dialog = l->data;
  g_list_free (toplevels);
  return dialog;
}

static gboolean
message_dialog_shown (gpointer data)
{
  return find_message_dialog () != NULL;
}

/* A failed Test Heartbeat says why in a dialog, whole; closing it. */
static void
close_heartbeat_failure (UmtHeartbeat *heartbeat)
{
  AdwMessageDialog *dialog;

  umt_test_iterate_until (message_dialog_shown, NULL);
  dialog = find_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Heartbeat Failed");
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==, umt_heartbeat_get_last_error (heartbeat));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_registration_flow (void)
{
  UmtWindow *window = open_window ();
  UmtDeviceManager *manager = umt_application_get_device_manager (app);
  GtkWidget *page = umt_window_get_page (window, "settings");
  GtkEditable *token = GTK_EDITABLE (settings_child (window, "token_row"));
  GtkEditable *key = GTK_EDITABLE (settings_child (window, "device_key_row"));
  GtkWidget *register_button = settings_child (window, "register_button");
  GtkWidget *status = settings_child (window, "status_label");
  GtkWidget *error_row = settings_child (window, "error_row");
  g_autofree char *token_code = NULL;
  g_autofree char *device_key = umt_test_sim_create_device (sim, NULL, &token_code);
  g_autofree char *lower = g_ascii_strdown (token_code, -1);
  g_autoptr(JsonObject) record = NULL;
  AdwMessageDialog *dialog;

  g_assert_nonnull (manager);
  g_assert_false (umt_device_manager_get_registered (manager));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (status)), ==, "Not registered");
  g_assert_true (gtk_widget_has_css_class (status, "error"));
  /* A suggested key is there before the user types anything. */
  g_assert_cmpstr (gtk_editable_get_text (key), !=, "");
  g_assert_false (gtk_widget_is_sensitive (settings_child (window, "unregister_button")));
  g_assert_false (gtk_widget_is_sensitive (settings_child (window, "test_heartbeat_button")));

  /* The administrator lets the device in, as they would. */
  umt_test_sim_authorize_device (sim, device_key);

  /* A wrong token: the server's refusal is shown, nothing is registered. */
  gtk_editable_set_text (key, device_key);
  gtk_editable_set_text (token, g_str_equal (token_code, "000000") ? "000001" : "000000");
  g_assert_true (gtk_widget_is_sensitive (register_button));
  gtk_widget_activate_action (page, "settings.register", NULL);
  umt_test_iterate_until (error_row_shown, error_row);
  g_assert_false (umt_device_manager_get_registered (manager));
  g_test_message ("Refusal shown: %s", adw_action_row_get_subtitle (ADW_ACTION_ROW (error_row)));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (error_row)), "token"));

  /* The real token, typed in lower case. */
  gtk_editable_set_text (token, lower);
  g_assert_cmpstr (gtk_editable_get_text (token), ==, token_code);
  gtk_widget_activate_action (page, "settings.register", NULL);
  umt_test_iterate_until (is_registered, manager);
  g_assert_false (gtk_widget_get_visible (error_row));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (status)), ==, "Registered");
  g_assert_true (gtk_widget_has_css_class (status, "success"));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (token)));
  g_assert_false (gtk_editable_get_editable (key));
  g_assert_cmpstr (gtk_editable_get_text (key), ==, device_key);
  record = umt_test_sim_get_device (sim, device_key);
  g_assert_true (json_object_get_boolean_member (record, "registered"));

  /* The heartbeat starts by itself and the row says so. */
  umt_test_iterate_until (heartbeat_active, umt_device_manager_get_heartbeat (manager));
  umt_test_wait_for_frames (GTK_WIDGET (window));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (settings_child (window, "heartbeat_row"))),
                   ==, "Heartbeat: Active ✓");
  g_assert_true (gtk_widget_is_sensitive (settings_child (window, "test_heartbeat_button")));

  /* The Overview says what the server thinks after that beat. */
  {
    GtkWidget *overview = umt_window_get_page (window, "overview");
    GtkLabel *server = GTK_LABEL (gtk_widget_get_template_child (overview, UMT_TYPE_OVERVIEW_PAGE, "server_label"));
    GtkLabel *registration = GTK_LABEL (gtk_widget_get_template_child (overview, UMT_TYPE_OVERVIEW_PAGE, "registration_label"));

    umt_test_iterate_until (label_is_online, server);
    g_assert_cmpstr (gtk_label_get_label (registration), ==, "Registered");
  }

  /* How a registered device looks, to be looked at. */
  {
    g_autofree char *settings_png = g_test_build_filename (G_TEST_BUILT, "ui-settings-registered-en.png", NULL);
    g_autofree char *overview_png = g_test_build_filename (G_TEST_BUILT, "ui-overview-registered-en.png", NULL);

    umt_window_show_page (window, "overview");
    umt_test_wait_for_frames (GTK_WIDGET (window));
    save_window_png (GTK_WIDGET (window), overview_png);
    umt_window_show_page (window, "settings");
    umt_test_wait_for_frames (GTK_WIDGET (window));
    save_window_png (GTK_WIDGET (window), settings_png);
  }

  /* The row follows the engine: retrying, stopped with the reason, resumed. */
  {
    g_autofree char *online = g_strdup_printf ("/api/devices/%s/online", device_key);
    g_autofree char *fault500 = g_strdup_printf ("{\"path\":\"%s\",\"status\":500}", online);
    g_autofree char *fault404 = g_strdup_printf ("{\"path\":\"%s\",\"status\":404,\"body\":\"{\\\"error\\\":\\\"Device not found\\\"}\"}", online);
    UmtHeartbeat *heartbeat = umt_device_manager_get_heartbeat (manager);
    GtkWidget *row = settings_child (window, "heartbeat_row");
    GtkWidget *resume = settings_child (window, "resume_button");
    const char *title;

    umt_test_sim_add_fault (sim, fault500);
    gtk_widget_activate_action (page, "settings.test-heartbeat", NULL);
    umt_test_iterate_until (heartbeat_retrying, heartbeat);
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Heartbeat: Retrying (1/5)");
    close_heartbeat_failure (heartbeat);

    umt_test_sim_clear_faults (sim);
    umt_test_sim_add_fault (sim, fault404);
    gtk_widget_activate_action (page, "settings.test-heartbeat", NULL);
    umt_test_iterate_until (heartbeat_stopped, heartbeat);
    title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
    g_test_message ("Stopped: %s", title);
    g_assert_true (g_str_has_prefix (title, "Heartbeat: Stopped — "));
    g_assert_true (gtk_widget_get_visible (resume));
    close_heartbeat_failure (heartbeat);

    umt_test_sim_clear_faults (sim);
    gtk_widget_activate_action (page, "settings.resume-heartbeat", NULL);
    umt_test_iterate_until (heartbeat_active, heartbeat);
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Heartbeat: Active ✓");
    g_assert_false (gtk_widget_get_visible (resume));
  }

  /* Unregister asks first; cancelling keeps the registration. */
  gtk_widget_activate_action (page, "settings.unregister", NULL);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (umt_device_manager_get_registered (manager));

  gtk_widget_activate_action (page, "settings.unregister", NULL);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "unregister");
  gtk_window_destroy (GTK_WINDOW (dialog));
  umt_test_iterate_until (is_not_registered, manager);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (status)), ==, "Not registered");
  /* Once the work is over the token can be typed again. */
  umt_test_iterate_until (token_takes_input, token);

  /* The burned token again: the server's "already registered" is shown. */
  gtk_editable_set_text (key, device_key);
  gtk_editable_set_text (token, token_code);
  gtk_widget_activate_action (page, "settings.register", NULL);
  umt_test_iterate_until (error_row_shown, error_row);
  g_test_message ("Second registration: %s", adw_action_row_get_subtitle (ADW_ACTION_ROW (error_row)));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (error_row)), "already"));
  g_assert_false (umt_device_manager_get_registered (manager));
  umt_test_iterate_until (token_takes_input, token);

  /* The connection dropped by the server: a connection error, in words. */
  umt_test_sim_add_fault (sim, "{\"path\":\"/api/devices/*\",\"drop\":true}");
  gtk_widget_set_visible (error_row, FALSE);
  gtk_widget_activate_action (page, "settings.register", NULL);
  umt_test_iterate_until (error_row_shown, error_row);
  g_test_message ("Dropped: %s", adw_action_row_get_subtitle (ADW_ACTION_ROW (error_row)));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (error_row)), "connection"));
  g_assert_false (umt_device_manager_get_registered (manager));
  umt_test_iterate_until (token_takes_input, token);
  umt_test_sim_clear_faults (sim);

  close_window (window);
}

static void
test_start_at_login (void)
{
  UmtWindow *window = open_window ();
  GtkSwitch *autostart = GTK_SWITCH (settings_child (window, "autostart_switch"));
  g_autofree char *path = umt_autostart_get_path ();
  g_autofree char *contents = NULL;

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* The switch writes an XDG autostart entry that starts the app hidden. */
  gtk_switch_set_active (autostart, TRUE);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "Exec=updates-manager-tool --background"));

  gtk_switch_set_active (autostart, FALSE);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  close_window (window);
}

static gboolean
log_shown (gpointer data)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (data);

  return gtk_text_buffer_get_char_count (buffer) > 0;
}

static char *text_view_contents (GtkTextView *view);

static gboolean
view_has_fresh_line (gpointer data)
{
  g_autofree char *text = text_view_contents (data);

  return strstr (text, "Fresh failure") != NULL;
}

static char *
text_view_contents (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
test_logs_page (void)
{
  g_autofree char *dir = umt_paths_get_logs_dir ();
  g_autofree char *path = g_build_filename (dir, "app.log", NULL);
  UmtWindow *window;
  GtkWidget *page;
  GtkTextView *view;
  g_autofree char *all = NULL;
  g_autofree char *errors = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path,
    "2026-11-25 12:00:00 DEBUG [umt-heartbeat] scheduling\n"
    "2026-11-25 12:00:01 INFO [umt-heartbeat] Heartbeat sent\n"
    "2026-11-25 12:00:02 WARNING [umt-heartbeat] Heartbeat failed: timeout\n"
    "2026-11-25 12:00:03 ERROR [umt-device-manager] Registration refused\n", -1, NULL));

  window = open_window ();
  umt_window_show_page (window, "logs");
  page = umt_window_get_page (window, "logs");
  view = GTK_TEXT_VIEW (gtk_widget_get_template_child (page, UMT_TYPE_LOGS_PAGE, "text_view"));
  umt_test_iterate_until (log_shown, view);
  all = text_view_contents (view);
  g_assert_nonnull (strstr (all, "Heartbeat sent"));
  g_assert_nonnull (strstr (all, "Registration refused"));

  /* "Errors only" keeps the error and drops the rest. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (gtk_widget_get_template_child (page, UMT_TYPE_LOGS_PAGE,
                                                                             "level_dropdown")), 3);
  errors = text_view_contents (view);
  g_assert_nonnull (strstr (errors, "Registration refused"));
  g_assert_null (strstr (errors, "Heartbeat sent"));
  g_assert_null (strstr (errors, "timeout"));

  /* A new error written while the page is shown appears by itself. */
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GFileOutputStream) out = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, NULL);
    const char *line = "2026-11-25 12:00:04 ERROR [umt-heartbeat] Fresh failure\n";

    g_assert_nonnull (out);
    g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), line, strlen (line), NULL, NULL, NULL));
    g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL));
    umt_test_iterate_until (view_has_fresh_line, view);
  }

  close_window (window);
  g_assert_cmpint (g_remove (path), ==, 0);
}

static UmtProfileDialog *
find_profile_dialog (void)
{
  UmtProfileDialog *dialog = NULL;
  GList *toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l; l = l->next)
    if (UMT_IS_PROFILE_DIALOG (l->data))
      dialog = l->data;
  g_list_free (toplevels);
  return dialog;
}

static gboolean
pointer_is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static GtkWidget *
dialog_child (UmtProfileDialog *dialog,
              const char       *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (dialog), UMT_TYPE_PROFILE_DIALOG, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

static void
save_and_wait (UmtProfileDialog *dialog)
{
  gpointer weak = dialog;

  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "profile.save", NULL));
  umt_test_iterate_until (pointer_is_null, &weak);
}

static gboolean
widget_is_sensitive (gpointer data)
{
  return gtk_widget_is_sensitive (data);
}

/* The button in @widget that activates @action_name. */
static GtkWidget *
find_action_button (GtkWidget  *widget,
                    const char *action_name)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action_name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_profiles (void)
{
  UmtWindow *window = open_window ();
  GtkWidget *page = umt_window_get_page (window, "settings");
  UmtProfileDialog *dialog;
  g_autoptr(UmtProfiles) saved = NULL;
  g_autofree char *path = umt_profiles_get_path ();
  g_autofree char *json = NULL;
  g_autofree char *token = NULL;
  UmtProfile *staging;
  AdwMessageDialog *message;
  gpointer weak;

  /* Add: every field lands in profiles.json, the token in the keyring only. */
  g_assert_true (gtk_widget_activate_action (page, "settings.add-profile", NULL));
  dialog = find_profile_dialog ();
  g_assert_nonnull (dialog);
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "name_row")), "staging");
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "url_row")), "https://staging.example.org");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (dialog_child (dialog, "timeout_spin")), 30);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (dialog_child (dialog, "interval_spin")), 120);
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "token_row")), "staging-admin-token");
  save_and_wait (dialog);

  saved = umt_profiles_load (NULL);
  staging = umt_profiles_lookup (saved, "staging");
  g_assert_nonnull (staging);
  g_assert_cmpstr (umt_profile_get_base_url (staging), ==, "https://staging.example.org");
  g_assert_cmpuint (umt_profile_get_timeout (staging), ==, 30);
  g_assert_cmpuint (umt_profile_get_heartbeat_interval (staging), ==, 120);
  g_assert_true (g_file_get_contents (path, &json, NULL, NULL));
  g_assert_null (strstr (json, "staging-admin-token"));
  token = umt_secret_store_lookup_sync (UMT_SECRET_PROFILE_TOKEN, "staging",
                                        "https://staging.example.org", NULL, NULL);
  g_assert_cmpstr (token, ==, "staging-admin-token");
  g_clear_object (&saved);

  /* Edit: a refused value is explained and nothing changes; TLS off warns. */
  dialog = umt_profile_dialog_new (GTK_WINDOW (window), umt_application_get_device_manager (app),
                                   umt_profiles_lookup (umt_device_manager_get_profiles (umt_application_get_device_manager (app)), "staging"));
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_switch_set_active (GTK_SWITCH (dialog_child (dialog, "tls_switch")), FALSE);
  g_assert_true (gtk_widget_get_visible (dialog_child (dialog, "tls_warning_row")));
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "url_row")), "not a url");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "profile.save", NULL));
  g_assert_true (gtk_widget_get_visible (dialog_child (dialog, "error_row")));
  saved = umt_profiles_load (NULL);
  g_assert_true (umt_profile_get_verify_tls (umt_profiles_lookup (saved, "staging")));
  g_clear_object (&saved);
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "url_row")), "https://staging.example.org");
  save_and_wait (dialog);
  saved = umt_profiles_load (NULL);
  g_assert_false (umt_profile_get_verify_tls (umt_profiles_lookup (saved, "staging")));
  g_clear_object (&saved);

  /* Clear Token takes effect on Save: Cancel keeps the token. */
  for (guint save = 0; save < 2; save++)
    {
      g_autofree char *kept = NULL;

      dialog = umt_profile_dialog_new (GTK_WINDOW (window), umt_application_get_device_manager (app),
                                       umt_profiles_lookup (umt_device_manager_get_profiles (umt_application_get_device_manager (app)), "staging"));
      gtk_window_present (GTK_WINDOW (dialog));
      umt_test_iterate_until (widget_is_sensitive,
                              find_action_button (GTK_WIDGET (dialog), "profile.clear-token"));
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "profile.clear-token", NULL));
      if (save)
        save_and_wait (dialog);
      else
        gtk_window_close (GTK_WINDOW (dialog));
      kept = umt_secret_store_lookup_sync (UMT_SECRET_PROFILE_TOKEN, "staging",
                                           "https://staging.example.org", NULL, NULL);
      if (save)
        g_assert_null (kept);
      else
        g_assert_cmpstr (kept, ==, "staging-admin-token");
    }

  /* The active profile cannot be removed, and the dialog says why in words
   * for the window, next to the button. */
  dialog = umt_profile_dialog_new (GTK_WINDOW (window), umt_application_get_device_manager (app),
                                   umt_profiles_get_active (umt_device_manager_get_profiles (umt_application_get_device_manager (app))));
  g_assert_false (gtk_widget_is_sensitive (find_action_button (GTK_WIDGET (dialog), "profile.remove")));
  g_assert_nonnull (strstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (dialog_child (dialog, "remove_group"))),
                            "make another profile active"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* Remove asks first; then it is gone from the file, and its token from the
   * keyring. */
  dialog = umt_profile_dialog_new (GTK_WINDOW (window), umt_application_get_device_manager (app),
                                   umt_profiles_lookup (umt_device_manager_get_profiles (umt_application_get_device_manager (app)), "staging"));
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (umt_secret_store_store_sync (UMT_SECRET_PROFILE_TOKEN, "staging",
                                              "https://staging.example.org", "staging-admin-token",
                                              NULL, NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "profile.remove", NULL));
  message = find_message_dialog ();
  g_assert_nonnull (message);
  adw_message_dialog_response (message, "cancel");
  gtk_window_destroy (GTK_WINDOW (message));
  saved = umt_profiles_load (NULL);
  g_assert_nonnull (umt_profiles_lookup (saved, "staging"));
  g_clear_object (&saved);

  weak = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "profile.remove", NULL));
  message = find_message_dialog ();
  g_assert_nonnull (message);
  adw_message_dialog_response (message, "remove");
  gtk_window_destroy (GTK_WINDOW (message));
  umt_test_iterate_until (pointer_is_null, &weak);
  saved = umt_profiles_load (NULL);
  g_assert_null (umt_profiles_lookup (saved, "staging"));
  for (int i = 0; i < 100; i++)
    {
      g_autofree char *left = umt_secret_store_lookup_sync (UMT_SECRET_PROFILE_TOKEN, "staging",
                                                            "https://staging.example.org", NULL, NULL);
      if (left == NULL)
        break;
      g_assert_cmpint (i, <, 99);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }

  close_window (window);
}

static void
assert_label (GtkWidget  *widget,
              const char *label)
{
  g_autofree char *problem =
    gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label);

  if (problem != NULL)
    g_error ("%s: %s", G_OBJECT_TYPE_NAME (widget), problem);
}

static void
test_accessible_labels (void)
{
  UmtWindow *window = open_window ();
  static const struct { const char *child; const char *label; } controls[] = {
    { "device_key_row", "Device key" },
    { "token_row", "Registration token" },
    { "copy_key_button", "Copy" },
    { "register_button", "Register Device" },
    { "test_heartbeat_button", "Test Heartbeat" },
    { "unregister_button", "Unregister" },
    { "resume_button", "Resume" },
    { "background_switch", "Run in background" },
    { "autostart_switch", "Start at login" },
    { "tray_switch", "Show tray icon" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (controls); i++)
    {
      GtkWidget *widget = settings_child (window, controls[i].child);

      assert_label (widget, controls[i].label);
      /* What a button shows is what a screen reader says. */
      if (GTK_IS_BUTTON (widget))
        g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (widget)), ==, controls[i].label);
    }

  /* The focusable text inside the entry rows carries the name too. */
  assert_label (GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (settings_child (window, "token_row")))),
                "Registration token");
  assert_label (GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (settings_child (window, "device_key_row")))),
                "Device key");

  close_window (window);
}

static void
save_window_png (GtkWidget  *window,
                 const char *path)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  g_assert_cmpint (width, >, 0);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Rendered %s", path);
}

static void
render_pages (const char *lang)
{
  UmtWindow *window = open_window ();

  gtk_window_set_default_size (GTK_WINDOW (window), 960, 720);
  for (guint i = 0; i < G_N_ELEMENTS (page_names); i++)
    {
      g_autofree char *name = g_strdup_printf ("ui-%s-%s.png", page_names[i], lang);
      g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);

      umt_window_show_page (window, page_names[i]);
      umt_test_wait_for_frames (GTK_WIDGET (window));
      save_window_png (GTK_WIDGET (window), path);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }

  /* The lower groups of Settings, scrolled to the bottom. */
  {
    g_autofree char *name = g_strdup_printf ("ui-settings-bottom-%s.png", lang);
    g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);
    GtkWidget *scroller;
    GtkAdjustment *adjustment;

    umt_window_show_page (window, "settings");
    scroller = umt_test_find_descendant (umt_window_get_page (window, "settings"),
                                         GTK_TYPE_SCROLLED_WINDOW);
    g_assert_nonnull (scroller);
    adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
    umt_test_wait_for_frames (GTK_WIDGET (window));
    save_window_png (GTK_WIDGET (window), path);
  }

  close_window (window);
}

static gboolean
leaflet_folded (gpointer data)
{
  return adw_leaflet_get_folded (data);
}

static void
test_narrow_window (void)
{
  UmtWindow *window = open_window ();
  AdwLeaflet *leaflet = ADW_LEAFLET (gtk_widget_get_template_child (GTK_WIDGET (window), UMT_TYPE_WINDOW, "leaflet"));
  GtkWidget *back = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), UMT_TYPE_WINDOW, "back_button"));
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "ui-narrow-en.png", NULL);

  /* A phone-sized window shows one pane at a time, with a way back. */
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  umt_test_iterate_until (leaflet_folded, leaflet);
  umt_window_show_page (window, "settings");
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "content");
  g_assert_true (gtk_widget_get_visible (back));
  umt_test_wait_for_frames (GTK_WIDGET (window));
  save_window_png (GTK_WIDGET (window), path);

  g_action_group_activate_action (G_ACTION_GROUP (window), "go-back", NULL);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "sidebar");

  gtk_window_set_default_size (GTK_WINDOW (window), 960, 720);
  close_window (window);
}

/* The server's refusal reads in French in the French window, not just its title. */
static void
test_registration_french (void)
{
  UmtWindow *window;
  GtkWidget *page;
  GtkWidget *error_row;
  g_autofree char *token_code = NULL;
  g_autofree char *device_key = umt_test_sim_create_device (sim, NULL, &token_code);

  umt_test_use_language ("fr");
  window = open_window ();
  page = umt_window_get_page (window, "settings");
  error_row = settings_child (window, "error_row");
  gtk_editable_set_text (GTK_EDITABLE (settings_child (window, "device_key_row")), device_key);
  gtk_editable_set_text (GTK_EDITABLE (settings_child (window, "token_row")),
                         g_str_equal (token_code, "000000") ? "000001" : "000000");
  gtk_widget_activate_action (page, "settings.register", NULL);
  umt_test_iterate_until (error_row_shown, error_row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (error_row)), ==,
                   "Échec de l’enregistrement");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (error_row)), ==,
                   "Le jeton d’enregistrement est invalide ou a expiré. "
                   "Demandez un nouveau jeton à votre administrateur.");
  umt_test_iterate_until (token_takes_input, settings_child (window, "token_row"));

  /* A server failing on its side, with the status it answered. */
  umt_test_sim_add_fault (sim, "{\"path\":\"/api/devices/*\",\"status\":500}");
  gtk_widget_set_visible (error_row, FALSE);
  gtk_widget_activate_action (page, "settings.register", NULL);
  umt_test_iterate_until (error_row_shown, error_row);
  g_test_message ("Server error: %s", adw_action_row_get_subtitle (ADW_ACTION_ROW (error_row)));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (error_row)),
                            "a rencontré une erreur interne (HTTP 500). Réessayez plus tard"));
  umt_test_iterate_until (token_takes_input, settings_child (window, "token_row"));
  umt_test_sim_clear_faults (sim);

  close_window (window);
  umt_test_use_language ("en");
}

static void
test_render_english (void)
{
  umt_test_use_language ("en");
  render_pages ("en");
}

static void
test_render_french (void)
{
  UmtWindow *window;

  umt_test_use_language ("fr");
  render_pages ("fr");

  /* The window really speaks French, from the templates and from C. */
  window = open_window ();
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (settings_child (window, "register_button"))),
                   ==, "Enregistrer l’appareil");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (settings_child (window, "status_label"))),
                   ==, "Non enregistré");
  close_window (window);
  umt_test_use_language ("en");
}

static gboolean
heartbeat_stopped_with_next_try (gpointer data)
{
  return umt_heartbeat_get_state (data) == UMT_HEARTBEAT_STATE_STOPPED &&
         umt_heartbeat_get_next_beat (data) != NULL;
}

/* Stopped after an outage, the heartbeat says when it tries again, in the
 * user's local time, with the reason. */
static void
test_heartbeat_next_try (void)
{
  g_autofree char *device_key = umt_test_sim_create_device (sim, NULL, NULL);
  g_autofree char *fault = g_strdup_printf ("{\"path\":\"/api/devices/%s/online\",\"status\":503,"
                                            "\"count\":5}", device_key);
  g_autoptr(UmtHeartbeat) heartbeat = g_object_new (UMT_TYPE_HEARTBEAT, "retry-base-ms", 20, NULL);
  g_autoptr(UmtMeetingClient) client = umt_meeting_client_new_full (sim->url, 5, 0, TRUE, NULL,
                                                                    NULL);
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *text = NULL;

  umt_test_sim_add_fault (sim, fault);
  umt_heartbeat_configure (heartbeat, client, device_key, NULL);
  umt_heartbeat_set_recovery_interval (heartbeat, 3600);
  umt_heartbeat_start (heartbeat);
  umt_test_iterate_until (heartbeat_stopped_with_next_try, heartbeat);

  local = g_date_time_to_local (umt_heartbeat_get_next_beat (heartbeat));
  expected = g_date_time_format (local, "Heartbeat: Stopped — next try at %H:%M — ");
  text = umt_heartbeat_text_title (heartbeat);
  g_test_message ("%s", text);
  g_assert_true (g_str_has_prefix (text, expected));
  g_assert_nonnull (strstr (text, "is unavailable"));
  umt_heartbeat_stop (heartbeat);
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("UMT_LOCALEDIR");
  int status;

  /* LANGUAGE is ignored in the "C" locale; C.UTF-8 exists everywhere. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);
  g_setenv ("GTK_A11Y", "test", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* g_dgettext() (the core's _()) decides once per process whether to
   * translate at all, and says no in C.UTF-8 when the language at that
   * moment has no catalog: decide it in French, as a French session would. */
  umt_test_use_language ("fr");
  (void) g_dgettext (GETTEXT_PACKAGE, "Registration failed");
  umt_test_use_language ("en");

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("UMT_AUTOSTART_TEMPLATE") == NULL)
    {
      g_autofree char *template = g_test_build_filename (G_TEST_BUILT, "..", "data",
                                                         APP_ID "-autostart.desktop", NULL);
      g_setenv ("UMT_AUTOSTART_TEMPLATE", template, TRUE);
    }
  gtk_disable_setlocale ();
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  /* The window talks to a local simulator, chosen the way tools/run does. */
  sim = umt_test_sim_start (NULL, NULL);
  g_setenv ("MEETING_SERVER_URL", sim->url, TRUE);

  app = umt_application_new ();
  /* Several test programs may run at once on the same session bus. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));

  g_test_add_func ("/ui/window/pages", test_pages_navigate);
  g_test_add_func ("/ui/window/system-service", test_system_service_owner);
  g_test_add_func ("/ui/window/actions", test_actions_and_shortcuts);
  g_test_add_func ("/ui/window/size-kept", test_window_size_kept);
  g_test_add_func ("/ui/settings/token-filtering", test_token_filtering);
  g_test_add_func ("/ui/settings/copy-device-key", test_copy_device_key);
  g_test_add_func ("/ui/settings/registration", test_registration_flow);
  g_test_add_func ("/ui/settings/registration/french", test_registration_french);
  g_test_add_func ("/ui/settings/start-at-login", test_start_at_login);
  g_test_add_func ("/ui/logs/tail-and-filter", test_logs_page);
  g_test_add_func ("/ui/settings/profiles", test_profiles);
  g_test_add_func ("/ui/heartbeat/next-try", test_heartbeat_next_try);
  g_test_add_func ("/ui/a11y/labels", test_accessible_labels);
  g_test_add_func ("/ui/render/english", test_render_english);
  g_test_add_func ("/ui/render/narrow", test_narrow_window);
  g_test_add_func ("/ui/render/french", test_render_french);

  status = g_test_run ();
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  g_clear_pointer (&sim, umt_test_sim_free);
  return status;
}
