/* test-ui-usability.c: what new users found wrong in the window, in English and French
 *
 * Each test renders what it checks to a PNG in the build directory, once
 * in each language, to be looked at.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-ui-usability"

#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "umt-application.h"
#include "umt-window.h"
#include "umt-settings-page.h"
#include "umt-overview-page.h"
#include "umt-logs-page.h"
#include "umt-diagnostics-page.h"
#include "umt-profile-dialog.h"
#include "umt-paths.h"
#include "umt-test-sim.h"
#include "umt-test-ui.h"
#include "umt-test-util.h"

static UmtApplication *app;
static UmtTestSim *sim;

static const char *
current_language (void)
{
  return g_getenv ("LANGUAGE");
}

static UmtWindow *
open_window (void)
{
  UmtWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = UMT_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_true (UMT_IS_WINDOW (window));
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 680);
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
page_child (UmtWindow  *window,
            const char *page_name,
            GType       page_type,
            const char *name)
{
  GtkWidget *page = umt_window_get_page (window, page_name);
  GObject *child = gtk_widget_get_template_child (page, page_type, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

static GtkWidget *
settings_child (UmtWindow  *window,
                const char *name)
{
  return page_child (window, "settings", UMT_TYPE_SETTINGS_PAGE, name);
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

static UmtDeviceManager *
manager (void)
{
  return umt_application_get_device_manager (app);
}

static gboolean
is_registered (gpointer data)
{
  return umt_device_manager_get_registered (manager ());
}

static gboolean
is_not_registered (gpointer data)
{
  return !umt_device_manager_get_registered (manager ());
}

static gboolean
heartbeat_active (gpointer data)
{
  return umt_heartbeat_get_state (umt_device_manager_get_heartbeat (manager ())) == UMT_HEARTBEAT_STATE_ACTIVE;
}

static gboolean
heartbeat_retrying (gpointer data)
{
  return umt_heartbeat_get_state (umt_device_manager_get_heartbeat (manager ())) == UMT_HEARTBEAT_STATE_RETRYING;
}

static void
on_unregistered (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (umt_device_manager_unregister_finish (UMT_DEVICE_MANAGER (source), result, &error));
  g_assert_no_error (error);
}

/* Back to a device that is not registered, for the next test. */
static void
unregister (void)
{
  if (!umt_device_manager_get_registered (manager ()))
    return;
  umt_device_manager_unregister_async (manager (), NULL, on_unregistered, NULL);
  umt_test_iterate_until (is_not_registered, NULL);
}

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  g_autoptr(GError) error = NULL;

  registration = umt_device_manager_register_finish (UMT_DEVICE_MANAGER (source), result, &error);
  g_assert_no_error (error);
  umt_application_start_heartbeat (app);
}

/* A new device of the sim, registered as the Settings page does it;
 * returns its key. */
static char *
register_device (void)
{
  g_autofree char *token = NULL;
  char *key = umt_test_sim_create_device (sim, NULL, &token);

  unregister ();
  umt_device_manager_register_async (manager (), key, token, NULL, on_registered, NULL);
  umt_test_iterate_until (is_registered, NULL);
  umt_test_iterate_until (heartbeat_active, NULL);
  return key;
}

static GdkTexture *
render_window (gpointer window)
{
  GtkWidget *widget = GTK_WIDGET (window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;

  g_assert_cmpint (width, >, 0);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  return gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                      &GRAPHENE_RECT_INIT (0, 0, width, height));
}

/* Saves @window (the main one or a dialog) as ui-usability-@what-<language>.png
 * next to the test. */
static void
save_render (gpointer    window,
             const char *what)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *name = g_strdup_printf ("ui-usability-%s-%s.png", what, current_language ());
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);

  umt_test_wait_for_frames (GTK_WIDGET (window));
  texture = render_window (window);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Rendered %s", path);
}

static GtkWidget *
find_label_with_class (GtkWidget  *widget,
                       const char *css_class)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, css_class))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_with_class (child, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static double
relative_luminance (const guchar *bgra)
{
  double rgb[3];

  for (int i = 0; i < 3; i++)
    {
      double c = bgra[2 - i] / 255.0;

      rgb[i] = c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
    }
  return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
}

/* The WCAG contrast ratio of @widget's text as painted: the most common
 * colour of its area is the background, the one furthest from it is the
 * text (the core of a stroke, where antialiasing does not reach). */
static double
measure_contrast (UmtWindow *window,
                  GtkWidget *widget)
{
  g_autoptr(GdkTexture) texture = render_window (window);
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = width * 4;
  g_autofree guchar *pixels = g_malloc (stride * height);
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);
  graphene_rect_t bounds;
  guint32 background = 0;
  guint best = 0;
  double bg_luminance, ratio = 1.0;
  int x0, y0, x1, y1;

  gdk_texture_download (texture, pixels, stride);
  g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (window), &bounds));
  x0 = MAX (0, (int) bounds.origin.x);
  y0 = MAX (0, (int) bounds.origin.y);
  x1 = MIN (width, (int) (bounds.origin.x + bounds.size.width));
  y1 = MIN (height, (int) (bounds.origin.y + bounds.size.height));
  g_assert_cmpint (x1 - x0, >, 0);
  g_assert_cmpint (y1 - y0, >, 0);

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        guint32 pixel = *(guint32 *) (pixels + y * stride + x * 4);
        guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, GUINT_TO_POINTER (pixel))) + 1;

        g_hash_table_insert (counts, GUINT_TO_POINTER (pixel), GUINT_TO_POINTER (n));
        if (n > best)
          {
            best = n;
            background = pixel;
          }
      }

  bg_luminance = relative_luminance ((guchar *) &background);
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        double l = relative_luminance (pixels + y * stride + x * 4);
        double r = (MAX (l, bg_luminance) + 0.05) / (MIN (l, bg_luminance) + 0.05);

        ratio = MAX (ratio, r);
      }
  return ratio;
}

/* Scrolls the page holding @widget so that it is in view. */
static void
scroll_into_view (UmtWindow *window,
                  GtkWidget *widget)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  GtkWidget *viewport;
  graphene_rect_t bounds;

  g_assert_nonnull (scroller);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  viewport = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller));
  /* In the coordinates of what scrolls, not of the visible part. */
  g_assert_true (gtk_widget_compute_bounds (widget, gtk_viewport_get_child (GTK_VIEWPORT (viewport)), &bounds));
  gtk_adjustment_clamp_page (adjustment, bounds.origin.y, bounds.origin.y + bounds.size.height);
  umt_test_wait_for_frames (GTK_WIDGET (window));
}

static void
assert_readable (UmtWindow  *window,
                 GtkWidget  *label,
                 const char *what)
{
  double ratio;

  g_assert_true (gtk_widget_get_mapped (label));
  ratio = measure_contrast (window, label);
  g_test_message ("%s: “%s” at %.2f:1", what, gtk_label_get_text (GTK_LABEL (label)), ratio);
  /* WCAG 2 AA for normal text. */
  g_assert_cmpfloat (ratio, >=, 4.5);
}

/* Item 5: warnings and errors are read, not guessed. */
static void
test_contrast (void)
{
  UmtWindow *window = open_window ();
  GtkWidget *error_row = settings_child (window, "error_row");
  static const char *rows[] = { "warning_row", "override_row", "error_row" };

  umt_window_show_page (window, "settings");
  /* An error as a failed registration shows it. */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (error_row), "Registration failed");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (error_row), "The registration token is not valid.");
  gtk_widget_set_visible (error_row, TRUE);
  umt_test_wait_for_frames (GTK_WIDGET (window));

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      GtkWidget *row = settings_child (window, rows[i]);

      g_assert_true (gtk_widget_get_visible (row));
      scroll_into_view (window, row);
      assert_readable (window, find_label_with_class (row, "title"), rows[i]);
      assert_readable (window, find_label_with_class (row, "subtitle"), rows[i]);
    }
  save_render (window, "contrast");

  gtk_widget_set_visible (error_row, FALSE);
  close_window (window);
}

static GtkWidget *
focus_widget (UmtWindow *window)
{
  return gtk_root_get_focus (GTK_ROOT (window));
}

static void
press_tab (UmtWindow        *window,
           GtkDirectionType  direction)
{
  /* What Tab and Shift+Tab do: the window's key bindings emit this. */
  g_signal_emit_by_name (window, "move-focus", direction);
}

/* A row that does nothing has nothing to offer the keyboard. */
static gboolean
is_idle_row (GtkWidget *widget)
{
  return ADW_IS_ACTION_ROW (widget) &&
         !gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (widget)) &&
         adw_action_row_get_activatable_widget (ADW_ACTION_ROW (widget)) == NULL;
}

/* Tabs through @page_name from the sidebar until the focus leaves the
 * page; fails on a stop at a row that does nothing (but in @skip, a part
 * of the page this test does not judge), and returns the stops. */
static GPtrArray *
tab_through_page (UmtWindow  *window,
                  const char *page_name,
                  GtkWidget  *skip)
{
  GtkWidget *page = umt_window_get_page (window, page_name);
  GtkWidget *sidebar = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), UMT_TYPE_WINDOW, "sidebar"));
  GtkListBox *list = GTK_LIST_BOX (umt_test_find_descendant (sidebar, GTK_TYPE_LIST_BOX));
  GPtrArray *stops = g_ptr_array_new ();

  umt_window_show_page (window, page_name);
  umt_test_wait_for_frames (GTK_WIDGET (window));
  gtk_widget_grab_focus (GTK_WIDGET (gtk_list_box_get_selected_row (list)));

  /* Tab leaves the sidebar for the page shown, which stays shown. */
  press_tab (window, GTK_DIR_TAB_FORWARD);
  g_assert_cmpstr (umt_window_get_visible_page (window), ==, page_name);
  g_assert_true (gtk_widget_is_ancestor (focus_widget (window), page));

  while (focus_widget (window) != NULL && gtk_widget_is_ancestor (focus_widget (window), page))
    {
      GtkWidget *focus = focus_widget (window);

      g_test_message ("%s: Tab stop %u at %s", page_name, stops->len, G_OBJECT_TYPE_NAME (focus));
      if (skip == NULL || !gtk_widget_is_ancestor (focus, skip))
        g_assert_false (is_idle_row (focus));
      g_ptr_array_add (stops, focus);
      g_assert_cmpuint (stops->len, <, 100);
      press_tab (window, GTK_DIR_TAB_FORWARD);
    }
  g_assert_cmpstr (umt_window_get_visible_page (window), ==, page_name);

  /* Shift+Tab from the sidebar goes to the menu, not to another page. */
  gtk_widget_grab_focus (GTK_WIDGET (gtk_list_box_get_selected_row (list)));
  press_tab (window, GTK_DIR_TAB_BACKWARD);
  g_assert_cmpstr (umt_window_get_visible_page (window), ==, page_name);
  g_assert_nonnull (gtk_widget_get_ancestor (focus_widget (window), GTK_TYPE_MENU_BUTTON));

  return stops;
}

/* Item 3: the window is usable with Tab and Enter alone. */
static void
test_keyboard (void)
{
  UmtWindow *window = open_window ();
  GtkWidget *token = settings_child (window, "token_row");
  GtkWidget *token_text = GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (token)));
  GtkWidget *key_text = GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (settings_child (window, "device_key_row"))));
  g_autofree char *token_code = NULL;
  g_autofree char *device_key = NULL;
  g_autoptr(GPtrArray) stops = NULL;
  guint key_stop, token_stop;

  unregister ();
  g_ptr_array_unref (tab_through_page (window, "overview", NULL));
  /* Remote access is another matter. */
  stops = tab_through_page (window, "settings", settings_child (window, "remote_group"));
  /* The form is reached, key first. */
  g_assert_true (g_ptr_array_find (stops, key_text, &key_stop));
  g_assert_true (g_ptr_array_find (stops, token_text, &token_stop));
  g_assert_cmpuint (key_stop, <, token_stop);

  /* Key, token, Enter: registered, and the focus on what comes next. */
  device_key = umt_test_sim_create_device (sim, NULL, &token_code);
  umt_window_show_page (window, "settings");
  gtk_widget_grab_focus (key_text);
  gtk_editable_set_text (GTK_EDITABLE (key_text), device_key);
  g_signal_emit_by_name (key_text, "activate");
  /* No token yet: Enter does nothing. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (umt_device_manager_get_registered (manager ()));

  g_assert_true (gtk_widget_grab_focus (token_text));
  gtk_editable_set_text (GTK_EDITABLE (token), token_code);
  save_render (window, "keyboard");
  g_signal_emit_by_name (token_text, "activate");
  umt_test_iterate_until (is_registered, NULL);
  umt_test_wait_for_frames (GTK_WIDGET (window));
  g_assert_true (focus_widget (window) == settings_child (window, "test_heartbeat_button"));

  close_window (window);
  unregister ();
}

static gboolean
error_row_shown (gpointer data)
{
  return gtk_widget_get_visible (data);
}

static double
top_in_window (UmtWindow *window,
               GtkWidget *widget)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (window), &bounds));
  return bounds.origin.y;
}

/* Item 4: the form says what it wants, and what went wrong, in place. */
static void
test_registration_feedback (void)
{
  UmtWindow *window = open_window ();
  GtkWidget *page = umt_window_get_page (window, "settings");
  GtkEditable *token = GTK_EDITABLE (settings_child (window, "token_row"));
  GtkEditable *key = GTK_EDITABLE (settings_child (window, "device_key_row"));
  GtkLabel *hint = GTK_LABEL (settings_child (window, "token_hint_label"));
  GtkLabel *counter = GTK_LABEL (settings_child (window, "token_counter_label"));
  GtkWidget *register_button = settings_child (window, "register_button");
  GtkWidget *spinner = settings_child (window, "register_spinner");
  GtkWidget *error_row = settings_child (window, "error_row");
  g_autofree char *rule = g_strdup (gtk_label_get_label (hint));
  g_autofree char *device_key = NULL;
  g_autofree char *token_code = NULL;
  int position = 0;
  double button_top;

  unregister ();
  umt_window_show_page (window, "settings");
  gtk_editable_set_text (token, "");
  umt_test_wait_for_frames (GTK_WIDGET (window));

  /* The rule is shown before anything is typed, with a counter; Unregister
   * and Test Heartbeat, which cannot work yet, are not. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (hint)));
  g_assert_cmpstr (gtk_label_get_label (counter), ==, "0/6");
  g_assert_false (gtk_widget_get_visible (settings_child (window, "unregister_button")));
  g_assert_false (gtk_widget_get_visible (settings_child (window, "test_heartbeat_button")));

  /* A character that cannot be in a token is named, not silently dropped. */
  gtk_editable_insert_text (token, "12g", -1, &position);
  g_assert_cmpstr (gtk_editable_get_text (token), ==, "12");
  g_assert_cmpstr (gtk_label_get_label (counter), ==, "2/6");
  g_test_message ("Rejected: %s", gtk_label_get_label (hint));
  {
    g_autofree char *named = g_strdup_printf (_("“%s” cannot be part of a token: only digits 0 to 9 and letters A to F."), "g");

    g_assert_cmpstr (gtk_label_get_label (hint), ==, named);
  }
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (hint), "warning"));
  g_assert_false (gtk_widget_is_sensitive (register_button));
  save_render (window, "token-rejected");
  gtk_editable_insert_text (token, "3", -1, &position);
  g_assert_cmpstr (gtk_label_get_label (hint), ==, rule);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (hint), "warning"));
  g_assert_cmpstr (gtk_label_get_label (counter), ==, "3/6");

  /* A key that cannot be one says so too. */
  gtk_editable_set_text (key, "not a key");
  g_assert_cmpstr (gtk_label_get_label (hint), !=, rule);
  g_test_message ("Bad key: %s", gtk_label_get_label (hint));

  /* A refused token: the error comes below the buttons, which stay put
   * and in view, and the spinner sat next to the button that worked. */
  device_key = umt_test_sim_create_device (sim, NULL, &token_code);
  gtk_editable_set_text (key, device_key);
  gtk_editable_set_text (token, g_str_equal (token_code, "000000") ? "000001" : "000000");
  umt_test_wait_for_frames (GTK_WIDGET (window));
  button_top = top_in_window (window, register_button);
  g_assert_true (gtk_widget_activate_action (page, "settings.register", NULL));
  g_assert_true (gtk_widget_get_visible (spinner));
  g_assert_true (gtk_widget_get_next_sibling (spinner) == register_button);
  umt_test_iterate_until (error_row_shown, error_row);
  g_assert_false (gtk_widget_get_visible (spinner));
  umt_test_wait_for_frames (GTK_WIDGET (window));
  g_assert_cmpfloat (top_in_window (window, register_button), ==, button_top);
  g_assert_cmpfloat (top_in_window (window, register_button) + gtk_widget_get_height (register_button), <=,
                     gtk_widget_get_height (GTK_WIDGET (window)));
  g_assert_cmpfloat (top_in_window (window, error_row), >, button_top);
  save_render (window, "registration-refused");

  /* Editing makes the refusal stale: it goes. */
  gtk_editable_delete_text (token, 5, 6);
  g_assert_false (gtk_widget_get_visible (error_row));

  /* A token already used: the way out is a new token, not Unregister,
   * which this computer has nothing to do with. */
  gtk_editable_set_text (token, token_code);
  g_assert_true (gtk_widget_activate_action (page, "settings.register", NULL));
  umt_test_iterate_until (is_registered, NULL);
  unregister ();
  umt_test_iterate_until (is_not_registered, NULL);
  gtk_editable_set_text (key, device_key);
  gtk_editable_set_text (token, token_code);
  g_assert_true (gtk_widget_activate_action (page, "settings.register", NULL));
  umt_test_iterate_until (error_row_shown, error_row);
  g_test_message ("Token used: %s", adw_action_row_get_subtitle (ADW_ACTION_ROW (error_row)));
  g_assert_null (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (error_row)), "Unregister"));
  g_assert_false (gtk_widget_get_visible (settings_child (window, "unregister_button")));
  save_render (window, "token-used");

  gtk_widget_set_visible (error_row, FALSE);
  close_window (window);
}

/* Item 6: Test Heartbeat shows it works, and a failure is read whole. */
static void
test_heartbeat_feedback (void)
{
  UmtWindow *window = open_window ();
  GtkWidget *page = umt_window_get_page (window, "settings");
  GtkWidget *spinner = settings_child (window, "register_spinner");
  GtkWidget *test_button = settings_child (window, "test_heartbeat_button");
  g_autofree char *device_key = register_device ();
  g_autofree char *online = g_strdup_printf ("/api/devices/%s/online", device_key);
  g_autofree char *fault = g_strdup_printf ("{\"path\":\"%s\",\"status\":503,\"body\":"
                                            "\"{\\\"error\\\":\\\"Down for maintenance until tonight\\\"}\"}",
                                            online);
  AdwMessageDialog *dialog;
  const char *body;

  umt_window_show_page (window, "settings");
  /* The server goes down; once a beat has seen it, no beat of before is on
   * its way to answer for the test. */
  umt_test_sim_add_fault (sim, fault);
  umt_heartbeat_send_now_async (umt_device_manager_get_heartbeat (manager ()), NULL, NULL, NULL);
  umt_test_iterate_until (heartbeat_retrying, NULL);
  g_assert_true (gtk_widget_activate_action (page, "settings.test-heartbeat", NULL));
  /* At once, before any answer: a spinner by the button, which waits. */
  g_assert_true (gtk_widget_get_visible (spinner));
  g_assert_true (gtk_widget_get_next_sibling (spinner) == test_button);
  g_assert_false (gtk_widget_is_sensitive (test_button));

  umt_test_iterate_until (message_dialog_shown, NULL);
  dialog = find_message_dialog ();
  body = adw_message_dialog_get_body (dialog);
  g_test_message ("Heartbeat failed: %s", body);
  /* The whole reason, down to the advice that ends it. */
  g_assert_cmpstr (body, ==, umt_heartbeat_get_last_error (umt_device_manager_get_heartbeat (manager ())));
  g_assert_true (g_str_has_suffix (body, "Try again in a few minutes."));
  g_assert_false (gtk_widget_get_visible (spinner));
  g_assert_true (gtk_widget_is_sensitive (test_button));
  umt_test_wait_for_frames (GTK_WIDGET (dialog));
  save_render (dialog, "heartbeat-failed");
  gtk_window_destroy (GTK_WINDOW (dialog));

  umt_test_sim_clear_faults (sim);
  close_window (window);
  unregister ();
}

static gboolean
heartbeat_stopped (gpointer data)
{
  return umt_heartbeat_get_state (umt_device_manager_get_heartbeat (manager ())) == UMT_HEARTBEAT_STATE_STOPPED;
}

static gboolean
leaflet_folded (gpointer data)
{
  return adw_leaflet_get_folded (data);
}

/* The widest of @widget's descendants that asks for more than @limit,
 * to say which one to blame. */
static void
report_wide (GtkWidget *widget,
             int        limit)
{
  int min;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  if (min <= limit)
    return;
  g_test_message ("%s%s%s asks for %d px", G_OBJECT_TYPE_NAME (widget),
                  gtk_widget_get_name (widget)[0] ? " " : "", gtk_widget_get_name (widget), min);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_get_visible (child))
      {
        int child_min;

        gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &child_min, NULL, NULL, NULL);
        g_test_message ("  %s: %d px", G_OBJECT_TYPE_NAME (child), child_min);
        report_wide (child, limit);
      }
}

/* Fails when the pages need more than a phone's 360 px. */
static void
assert_fits_narrow (UmtWindow *window)
{
  GtkWidget *content = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), UMT_TYPE_WINDOW, "content_box"));
  int min;

  /* The stack is as wide as its widest page, shown or not. */
  gtk_widget_measure (content, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  g_test_message ("The pages need %d px", min);
  if (min > 360)
    report_wide (content, 360);
  g_assert_cmpint (min, <=, 360);
}

/* Item 1: long text wraps; the window keeps its size and its layout. */
static void
test_layout (void)
{
  UmtWindow *window = open_window ();
  AdwLeaflet *leaflet = ADW_LEAFLET (gtk_widget_get_template_child (GTK_WIDGET (window), UMT_TYPE_WINDOW, "leaflet"));
  GtkWidget *page = umt_window_get_page (window, "overview");
  g_autofree char *device_key = NULL;
  g_autofree char *fault = NULL;
  int width, height, default_width, default_height;

  unregister ();
  assert_fits_narrow (window);
  device_key = register_device ();
  umt_window_show_page (window, "overview");
  umt_test_wait_for_frames (GTK_WIDGET (window));
  width = gtk_widget_get_width (GTK_WIDGET (window));
  gtk_window_get_default_size (GTK_WINDOW (window), &default_width, &default_height);

  /* The server forgets the device, and says so at length. */
  fault = g_strdup_printf ("{\"path\":\"/api/devices/%s/online\",\"status\":404,\"body\":"
                           "\"{\\\"error\\\":\\\"Nothing by that name here: records without "
                           "contact for ninety days are removed by the nightly clean-up job, "
                           "see https://meeting.example.org/documentation/administration/retention-policies-and-clean-up\\\"}\"}",
                           device_key);
  umt_test_sim_add_fault (sim, fault);
  g_assert_true (gtk_widget_activate_action (page, "overview.send-heartbeat", NULL));
  umt_test_iterate_until (heartbeat_stopped, NULL);
  umt_test_iterate_until (message_dialog_shown, NULL);
  gtk_window_destroy (GTK_WINDOW (find_message_dialog ()));
  g_test_message ("Stopped: %s", umt_heartbeat_get_last_error (umt_device_manager_get_heartbeat (manager ())));

  for (guint i = 0; i < 2; i++)
    {
      umt_window_show_page (window, i == 0 ? "overview" : "settings");
      umt_test_wait_for_frames (GTK_WIDGET (window));
      g_assert_false (adw_leaflet_get_folded (leaflet));
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), ==, width);
      save_render (window, i == 0 ? "stopped-overview" : "stopped-settings");
    }
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, default_width);
  g_assert_cmpint (height, ==, default_height);
  assert_fits_narrow (window);

  /* At a phone's width: one pane, nothing cut. */
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  umt_test_iterate_until (leaflet_folded, leaflet);
  umt_window_show_page (window, "overview");
  save_render (window, "narrow-overview");
  umt_window_show_page (window, "settings");
  save_render (window, "narrow-settings");
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 360 + 2 * 40);

  umt_test_sim_clear_faults (sim);
  close_window (window);
  unregister ();
}

static gboolean
log_shown (gpointer data)
{
  return gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (data)) > 0;
}

static char *
text_view_contents (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* The last line of @view is on screen. */
static gboolean
newest_line_visible (gpointer data)
{
  GtkTextView *view = data;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GdkRectangle visible, line;
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_iter_backward_line (&end);
  gtk_text_view_get_visible_rect (view, &visible);
  gtk_text_view_get_iter_location (view, &end, &line);
  return line.y >= visible.y && line.y + line.height <= visible.y + visible.height;
}

/* Item 6: Logs opens at the newest line, and Ctrl+F finds a message. */
static void
test_logs (void)
{
  g_autofree char *dir = umt_paths_get_logs_dir ();
  g_autofree char *path = g_build_filename (dir, "app.log", NULL);
  g_autoptr(GString) log = g_string_new (NULL);
  UmtWindow *window;
  GtkWidget *page;
  GtkTextView *view;
  GtkSearchBar *search_bar;
  GtkEditable *search_entry;
  g_autofree char *found = NULL;

  for (guint i = 0; i < 300; i++)
    g_string_append_printf (log, "2026-11-25 12:%02u:%02u INFO [umt-heartbeat] Heartbeat sent (%u)\n",
                            i / 60, i % 60, i);
  g_string_append (log, "2026-11-25 13:00:00 WARNING [umt-heartbeat] Heartbeat failed: Proxy refused\n");
  g_string_append (log, "2026-11-25 13:00:01 INFO [umt-heartbeat] Newest line\n");
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, log->str, log->len, NULL));

  window = open_window ();
  page = umt_window_get_page (window, "logs");
  view = GTK_TEXT_VIEW (gtk_widget_get_template_child (page, UMT_TYPE_LOGS_PAGE, "text_view"));
  search_bar = GTK_SEARCH_BAR (gtk_widget_get_template_child (page, UMT_TYPE_LOGS_PAGE, "search_bar"));
  search_entry = GTK_EDITABLE (gtk_widget_get_template_child (page, UMT_TYPE_LOGS_PAGE, "search_entry"));
  umt_window_show_page (window, "logs");
  umt_test_iterate_until (log_shown, view);
  umt_test_iterate_until (newest_line_visible, view);
  save_render (window, "logs");

  /* Ctrl+F opens the search; the lines shown are those that match. */
  g_assert_false (gtk_search_bar_get_search_mode (search_bar));
  g_assert_true (gtk_widget_activate_action (page, "logs.search", NULL));
  g_assert_true (gtk_search_bar_get_search_mode (search_bar));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (gtk_editable_get_delegate (search_entry))));
  gtk_editable_set_text (search_entry, "proxy");
  g_signal_emit_by_name (search_entry, "search-changed");
  found = text_view_contents (view);
  g_assert_cmpstr (found, ==, "2026-11-25 13:00:00 WARNING [umt-heartbeat] Heartbeat failed: Proxy refused\n");
  save_render (window, "logs-search");

  /* Closing it shows every line again, at the newest. */
  gtk_search_bar_set_search_mode (search_bar, FALSE);
  g_clear_pointer (&found, g_free);
  found = text_view_contents (view);
  g_assert_nonnull (strstr (found, "Newest line"));
  umt_test_iterate_until (newest_line_visible, view);

  close_window (window);
}

/* GTK 4.8 names a button for a screen reader by what it is told only,
 * not by the icon or the text inside: without a name, a screen reader
 * says its class ("GtkImage", "GtkToggleButton"). */
static void
collect_unnamed (GtkWidget *widget,
                 GPtrArray *unnamed)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_visible (widget) && gtk_widget_get_focusable (widget) &&
      !gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL) &&
      !gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    g_ptr_array_add (unnamed, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    collect_unnamed (child, unnamed);
}

/* Item 6: every control has a name to be announced by. */
static void
test_accessible_names (void)
{
  UmtWindow *window = open_window ();
  g_autofree char *device_key = register_device ();

  for (guint i = 0; i < 4; i++)
    {
      static const char *pages[] = { "overview", "settings", "diagnostics", "logs" };
      g_autoptr(GPtrArray) unnamed = g_ptr_array_new ();

      umt_window_show_page (window, pages[i]);
      umt_test_wait_for_frames (GTK_WIDGET (window));
      collect_unnamed (GTK_WIDGET (window), unnamed);
      for (guint j = 0; j < unnamed->len; j++)
        {
          GtkWidget *parent = gtk_widget_get_parent (g_ptr_array_index (unnamed, j));

          g_test_message ("%s: a %s in a %s has no name", pages[i],
                          G_OBJECT_TYPE_NAME (g_ptr_array_index (unnamed, j)),
                          parent ? G_OBJECT_TYPE_NAME (parent) : "nothing");
        }
      g_assert_cmpuint (unnamed->len, ==, 0);
    }

  close_window (window);
  unregister ();
}

static GtkWidget *
find_button_labelled (GtkWidget  *widget,
                      const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_labelled (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Item 6: switching profiles does not silently leave the device behind. */
static void
test_profile_switch (void)
{
  UmtWindow *window = open_window ();
  UmtProfiles *profiles = umt_device_manager_get_profiles (manager ());
  g_autofree char *device_key = register_device ();
  g_autofree char *registered_with = g_strdup (umt_device_state_get_profile (umt_device_manager_get_state (manager ())));
  g_autoptr(UmtProfile) other = umt_profile_new ("other-server", "https://other.example.org", NULL);
  g_autoptr(GError) error = NULL;
  UmtProfileDialog *dialog;
  AdwMessageDialog *message;
  GtkWidget *use;

  g_assert_nonnull (registered_with);
  g_assert_true (umt_profiles_add (profiles, other, &error));
  g_assert_no_error (error);
  umt_device_manager_profiles_changed (manager ());
  umt_window_show_page (window, "settings");
  umt_test_wait_for_frames (GTK_WIDGET (window));

  /* Make Active on the other one: told that the device stays. */
  use = find_button_labelled (umt_window_get_page (window, "settings"), _("Make Active"));
  g_assert_nonnull (use);
  g_signal_emit_by_name (use, "clicked");
  g_assert_cmpstr (umt_profiles_get_active_name (profiles), ==, "other-server");
  message = find_message_dialog ();
  g_assert_nonnull (message);
  g_test_message ("%s", adw_message_dialog_get_body (message));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (message), sim->url));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (message), "other-server"));
  umt_test_wait_for_frames (GTK_WIDGET (message));
  save_render (message, "profile-switched");
  gtk_window_destroy (GTK_WINDOW (message));

  /* The device's own profile says what removing it would do. */
  dialog = umt_profile_dialog_new (GTK_WINDOW (window), manager (),
                                   umt_profiles_lookup (profiles, registered_with));
  g_assert_nonnull (adw_preferences_group_get_description (
    ADW_PREFERENCES_GROUP (gtk_widget_get_template_child (GTK_WIDGET (dialog), UMT_TYPE_PROFILE_DIALOG, "remove_group"))));
  gtk_window_destroy (GTK_WINDOW (dialog));

  g_assert_true (umt_profiles_use (profiles, registered_with, &error));
  g_assert_true (umt_profiles_remove (profiles, "other-server", &error));
  g_assert_no_error (error);
  umt_device_manager_profiles_changed (manager ());
  close_window (window);
  unregister ();
}

static gboolean
label_is (gpointer data)
{
  GtkLabel *label = ((gpointer *) data)[0];
  const char *text = ((gpointer *) data)[1];

  return g_strcmp0 (gtk_label_get_label (label), text) == 0;
}

static void
wait_for_label (GtkWidget  *label,
                const char *text)
{
  gpointer data[] = { label, (gpointer) text };

  umt_test_iterate_until (label_is, data);
}

static gboolean
diagnostics_done (gpointer data)
{
  UmtDiagnostics *diagnostics = data;

  return !umt_diagnostics_get_running (diagnostics) && umt_diagnostics_get_results (diagnostics)->len > 0;
}

static UmtDiagnosticResult *
find_result (UmtDiagnostics *diagnostics,
             const char     *id)
{
  GPtrArray *results = umt_diagnostics_get_results (diagnostics);

  for (guint i = 0; i < results->len; i++)
    if (g_str_equal (((UmtDiagnosticResult *) g_ptr_array_index (results, i))->id, id))
      return g_ptr_array_index (results, i);
  g_assert_not_reached ();
}

static gboolean
device_check_says_unregistered (gpointer data)
{
  return diagnostics_done (data) &&
         find_result (data, "device")->status == UMT_DIAGNOSTIC_SKIP;
}

/* Item 2: what the window says is true now, not at start. */
static void
test_status_truth (void)
{
  UmtWindow *window = open_window ();
  GtkWidget *overview = umt_window_get_page (window, "overview");
  GtkWidget *server = page_child (window, "overview", UMT_TYPE_OVERVIEW_PAGE, "server_label");
  UmtDiagnosticsPage *diagnostics_page = UMT_DIAGNOSTICS_PAGE (umt_window_get_page (window, "diagnostics"));
  UmtDiagnostics *diagnostics = umt_diagnostics_page_get_diagnostics (diagnostics_page);
  AdwPreferencesGroup *checks = ADW_PREFERENCES_GROUP (gtk_widget_get_template_child (GTK_WIDGET (diagnostics_page),
                                                                                      UMT_TYPE_DIAGNOSTICS_PAGE,
                                                                                      "checks_group"));
  g_autofree char *device_key = register_device ();
  g_autofree char *down = NULL;
  g_auto(GStrv) checked_at = NULL;

  /* Known, not authorized: neither online nor "all checks passed". */
  umt_window_show_page (window, "overview");
  wait_for_label (server, _("Awaits authorization"));
  g_assert_true (gtk_widget_has_css_class (server, "warning"));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (page_child (window, "overview", UMT_TYPE_OVERVIEW_PAGE, "status_title"))),
                   ==, _("Awaiting Authorization"));
  save_render (window, "not-authorized");
  umt_window_show_page (window, "diagnostics");
  umt_test_iterate_until (diagnostics_done, diagnostics);
  g_assert_cmpint (find_result (diagnostics, "device")->status, ==, UMT_DIAGNOSTIC_FAIL);
  g_test_message ("Diagnostics: %s", adw_preferences_group_get_description (checks));
  /* And it says when it checked. */
  checked_at = g_strsplit (_("%s Checked at %s."), "%s", -1);
  g_assert_cmpuint (g_strv_length (checked_at), ==, 3);
  g_assert_nonnull (strstr (adw_preferences_group_get_description (checks), checked_at[1]));
  save_render (window, "diagnostics-not-authorized");

  /* Authorized: online after the next beat. */
  umt_test_sim_authorize_device (sim, device_key);
  umt_window_show_page (window, "overview");
  g_assert_true (gtk_widget_activate_action (overview, "overview.send-heartbeat", NULL));
  wait_for_label (server, _("Sees the device online"));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (page_child (window, "overview", UMT_TYPE_OVERVIEW_PAGE, "status_title"))),
                   ==, _("Online"));

  /* The server goes down: the next beat fails, and the row stops saying online. */
  down = g_strdup_printf ("{\"path\":\"/api/devices/%s*\",\"status\":503}", device_key);
  umt_test_sim_add_fault (sim, down);
  g_assert_true (gtk_widget_activate_action (overview, "overview.send-heartbeat", NULL));
  umt_test_iterate_until (message_dialog_shown, NULL);
  gtk_window_destroy (GTK_WINDOW (find_message_dialog ()));
  wait_for_label (server, _("Unreachable"));
  g_assert_true (gtk_widget_has_css_class (server, "error"));
  save_render (window, "server-down");
  umt_test_sim_clear_faults (sim);

  /* Unregistered while Diagnostics is shown: checked again, at once. */
  umt_window_show_page (window, "diagnostics");
  umt_test_iterate_until (diagnostics_done, diagnostics);
  unregister ();
  umt_test_iterate_until (device_check_says_unregistered, diagnostics);

  close_window (window);
}

typedef struct
{
  GTestFunc   func;
  const char *language;
} LanguageTest;

static void
run_in_language (gconstpointer data)
{
  const LanguageTest *test = data;

  umt_test_use_language (test->language);
  test->func ();
  umt_test_use_language ("en");
}

static void
add_test (const char *path,
          GTestFunc   func)
{
  /* Every test in both languages: French strings are longer and wrap elsewhere. */
  static const char *languages[] = { "en", "fr" };

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_autofree char *full = g_strdup_printf ("/ui/usability/%s/%s", path, languages[i]);
      LanguageTest *test = g_new0 (LanguageTest, 1);

      test->func = func;
      test->language = languages[i];
      g_test_add_data_func_full (full, test, run_in_language, g_free);
    }
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

  g_test_init (&argc, &argv, NULL);
  gtk_disable_setlocale ();
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  sim = umt_test_sim_start (NULL, NULL);
  g_setenv ("MEETING_SERVER_URL", sim->url, TRUE);

  app = umt_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));

  add_test ("status-truth", test_status_truth);
  add_test ("accessible-names", test_accessible_names);
  add_test ("profile-switch", test_profile_switch);
  add_test ("logs", test_logs);
  add_test ("layout", test_layout);
  add_test ("contrast", test_contrast);
  add_test ("keyboard", test_keyboard);
  add_test ("registration-feedback", test_registration_feedback);
  add_test ("heartbeat-feedback", test_heartbeat_feedback);

  status = g_test_run ();
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  g_clear_pointer (&sim, umt_test_sim_free);
  return status;
}
