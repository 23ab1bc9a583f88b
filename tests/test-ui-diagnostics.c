/* test-ui-diagnostics.c: the Diagnostics page runs the checks, shows them and copies a report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-ui-diagnostics"

#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "umt-application.h"
#include "umt-diagnostics-page.h"
#include "umt-window.h"
#include "umt-test-sim.h"
#include "umt-test-ui.h"
#include "umt-test-util.h"

static UmtApplication *app;
static UmtTestSim *sim;

static void
save_window_png (GtkWidget  *window,
                 const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Rendered %s", path);
}

static UmtWindow *
open_window (void)
{
  UmtWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = UMT_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_true (UMT_IS_WINDOW (window));
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 800);
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

static gboolean
run_finished (gpointer data)
{
  UmtDiagnostics *diagnostics = data;

  return !umt_diagnostics_get_running (diagnostics) &&
         umt_diagnostics_get_results (diagnostics)->len == UMT_DIAGNOSTICS_N_CHECKS;
}

/* The check rows the user sees, in order, each named by its check's id. */
static GPtrArray *
check_rows (GtkWidget *page)
{
  GPtrArray *rows = g_ptr_array_new ();
  GObject *group = gtk_widget_get_template_child (page, UMT_TYPE_DIAGNOSTICS_PAGE, "checks_group");
  GObject *placeholder = gtk_widget_get_template_child (page, UMT_TYPE_DIAGNOSTICS_PAGE, "placeholder_row");
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();

  /* Depth first, in the order they are shown. */
  g_ptr_array_add (stack, group);
  while (stack->len > 0)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, 0);

      if (ADW_IS_ACTION_ROW (widget) && G_OBJECT (widget) != placeholder &&
          gtk_widget_get_visible (widget))
        g_ptr_array_add (rows, widget);
      else
        for (GtkWidget *child = gtk_widget_get_last_child (widget); child != NULL;
             child = gtk_widget_get_prev_sibling (child))
          g_ptr_array_insert (stack, 0, child);
    }
  return rows;
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

static const char *
row_icon (GtkWidget *row)
{
  GtkImage *icon = g_object_get_data (G_OBJECT (row), "status-icon");

  g_assert_nonnull (icon);
  return gtk_image_get_icon_name (icon);
}

static void
on_text_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
text_read (gpointer data)
{
  return *(char **) data != NULL;
}

static void
test_run_and_copy (void)
{
  UmtWindow *window = open_window ();
  GtkWidget *page = umt_window_get_page (window, "diagnostics");
  UmtDiagnostics *diagnostics = umt_diagnostics_page_get_diagnostics (UMT_DIAGNOSTICS_PAGE (page));
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) rerun = NULL;
  g_autofree char *report = NULL;
  GObject *run_button = gtk_widget_get_template_child (page, UMT_TYPE_DIAGNOSTICS_PAGE, "run_button");
  static const char *const ids[] = { "config", "profile", "dns", "tcp", "tls", "api", "device", "keyring" };

  g_assert_nonnull (diagnostics);
  /* Nothing runs until the page is looked at; then it runs by itself. */
  g_assert_cmpuint (umt_diagnostics_get_results (diagnostics)->len, ==, 0);
  umt_window_show_page (window, "diagnostics");
  g_assert_true (umt_diagnostics_get_running (diagnostics));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (run_button)));
  umt_test_iterate_until (run_finished, diagnostics);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (run_button)));
  assert_label (GTK_WIDGET (run_button), "Run Checks");
  assert_label (GTK_WIDGET (gtk_widget_get_template_child (page, UMT_TYPE_DIAGNOSTICS_PAGE, "copy_report_button")),
                "Copy Report");

  rows = check_rows (page);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);
      const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

      g_assert_cmpstr (gtk_widget_get_name (row), ==, ids[i]);
      g_assert_true (subtitle != NULL && subtitle[0] != '\0');
      /* Reached with Tab and the arrows; the icon's meaning is said, not only drawn. */
      g_assert_true (gtk_widget_get_focusable (row));
      assert_label (g_object_get_data (G_OBJECT (row), "status-icon"),
                    g_str_equal (ids[i], "tls") || g_str_equal (ids[i], "device") ? "Skipped" : "Passed");
      /* Not registered here: TLS (plain http) and the device are skipped. */
      if (g_str_equal (ids[i], "tls") || g_str_equal (ids[i], "device"))
        g_assert_cmpstr (row_icon (row), ==, "action-unavailable-symbolic");
      else
        g_assert_cmpstr (row_icon (row), ==, "emblem-ok-symbolic");
    }
  umt_test_wait_for_frames (GTK_WIDGET (window));
  save_window_png (GTK_WIDGET (window), "ui-diagnostics-run-en.png");

  /* Copy Report: the whole report, as text, on the clipboard. */
  g_assert_true (gtk_widget_activate_action (page, "diagnostics.copy-report", NULL));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (page), NULL, on_text_read, &report);
  umt_test_iterate_until (text_read, &report);
  g_test_message ("Report:\n%s", report);
  g_assert_nonnull (strstr (report, sim->url));
  g_assert_nonnull (strstr (report, "Server name (DNS)"));
  g_assert_nonnull (strstr (report, "Keyring"));

  /* Run Checks again: the same rows are updated, none added. */
  g_assert_true (gtk_widget_activate_action (page, "diagnostics.run", NULL));
  g_assert_true (umt_diagnostics_get_running (diagnostics));
  umt_test_iterate_until (run_finished, diagnostics);
  rerun = check_rows (page);
  g_assert_cmpuint (rerun->len, ==, G_N_ELEMENTS (ids));

  close_window (window);
}

static void
test_failure_shown (void)
{
  UmtWindow *window;
  GtkWidget *page;
  UmtDiagnostics *diagnostics;
  g_autoptr(GPtrArray) rows = NULL;
  GtkWidget *api = NULL;

  /* A server that answers /api with an error: the row says so, with its hint. */
  umt_test_sim_add_fault (sim, "{\"path\": \"/api\", \"status\": 500}");
  window = open_window ();
  page = umt_window_get_page (window, "diagnostics");
  diagnostics = umt_diagnostics_page_get_diagnostics (UMT_DIAGNOSTICS_PAGE (page));
  umt_window_show_page (window, "diagnostics");
  umt_test_iterate_until (run_finished, diagnostics);

  rows = check_rows (page);
  for (guint i = 0; i < rows->len; i++)
    if (g_str_equal (gtk_widget_get_name (g_ptr_array_index (rows, i)), "api"))
      api = g_ptr_array_index (rows, i);
  g_assert_nonnull (api);
  g_assert_cmpstr (row_icon (api), ==, "dialog-error-symbolic");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (api)), "administrator"));
  umt_test_wait_for_frames (GTK_WIDGET (window));
  save_window_png (GTK_WIDGET (window), "ui-diagnostics-failed-en.png");
  umt_test_sim_clear_faults (sim);
  close_window (window);
}

static gboolean
waiting_for_api (gpointer data)
{
  /* config, profile, dns, tcp and tls are in; the server has not answered. */
  return umt_diagnostics_get_results (data)->len == 5;
}

static void
test_progress (void)
{
  UmtWindow *window;
  GtkWidget *page;
  UmtDiagnostics *diagnostics;
  g_autoptr(GPtrArray) rows = NULL;
  GObject *spinner;

  /* A slow server: the rows come one by one, with a spinner meanwhile. */
  umt_test_sim_add_fault (sim, "{\"path\": \"/api\", \"status\": 200, \"delay_ms\": 2000, \"count\": 1,"
                               " \"body\": \"{\\\"status\\\": \\\"Meeting API ready\\\", \\\"version\\\": \\\"3.3.1\\\"}\"}");
  window = open_window ();
  page = umt_window_get_page (window, "diagnostics");
  diagnostics = umt_diagnostics_page_get_diagnostics (UMT_DIAGNOSTICS_PAGE (page));
  spinner = gtk_widget_get_template_child (page, UMT_TYPE_DIAGNOSTICS_PAGE, "spinner");
  umt_window_show_page (window, "diagnostics");
  umt_test_iterate_until (waiting_for_api, diagnostics);

  rows = check_rows (page);
  g_assert_cmpuint (rows->len, ==, 5);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (spinner)));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (gtk_widget_get_template_child (page, UMT_TYPE_DIAGNOSTICS_PAGE,
                                                                                     "run_button"))));
  umt_test_wait_for_frames (GTK_WIDGET (window));
  save_window_png (GTK_WIDGET (window), "ui-diagnostics-running-en.png");

  umt_test_iterate_until (run_finished, diagnostics);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (spinner)));
  umt_test_sim_clear_faults (sim);
  close_window (window);
}

static void
test_french (void)
{
  UmtWindow *window;
  GtkWidget *page;
  UmtDiagnostics *diagnostics;
  g_autoptr(GPtrArray) rows = NULL;

  g_setenv ("LANGUAGE", "fr", TRUE);
  setlocale (LC_ALL, "");
  window = open_window ();
  page = umt_window_get_page (window, "diagnostics");
  diagnostics = umt_diagnostics_page_get_diagnostics (UMT_DIAGNOSTICS_PAGE (page));
  umt_window_show_page (window, "diagnostics");
  umt_test_iterate_until (run_finished, diagnostics);

  /* The core's sentences are translated too, not only the template. */
  rows = check_rows (page);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (g_ptr_array_index (rows, 0))),
                   ==, "Fichiers de configuration");
  umt_test_wait_for_frames (GTK_WIDGET (window));
  save_window_png (GTK_WIDGET (window), "ui-diagnostics-run-fr.png");
  close_window (window);
  g_setenv ("LANGUAGE", "en", TRUE);
  setlocale (LC_ALL, "");
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("UMT_LOCALEDIR");
  g_autofree char *home = NULL;
  int status;

  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("GTK_A11Y", "test", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* g_dgettext() (the core's _()) decides once per process whether to
   * translate at all, and says no in C.UTF-8 when the language at that
   * moment has no catalog: decide it in French, as a French session would,
   * before this test switches languages. */
  g_setenv ("LANGUAGE", "fr", TRUE);
  setlocale (LC_ALL, "");
  (void) g_dgettext (GETTEXT_PACKAGE, "Keyring");
  g_setenv ("LANGUAGE", "en", TRUE);
  setlocale (LC_ALL, "");

  g_test_init (&argc, &argv, NULL);
  /* A device of its own: other UI tests register theirs at the same time.
   * (Not G_TEST_OPTION_ISOLATE_DIRS: it would hide the icon theme.) */
  home = g_dir_make_tmp ("umt-ui-diagnostics-XXXXXX", NULL);
  g_assert_nonnull (home);
  for (guint i = 0; i < 3; i++)
    {
      const char *vars[] = { "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME" };
      g_autofree char *dir = g_build_filename (home, vars[i], NULL);

      g_setenv (vars[i], dir, TRUE);
    }
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

  g_test_add_func ("/ui/diagnostics/run-and-copy", test_run_and_copy);
  g_test_add_func ("/ui/diagnostics/failure", test_failure_shown);
  g_test_add_func ("/ui/diagnostics/progress", test_progress);
  g_test_add_func ("/ui/diagnostics/french", test_french);

  status = g_test_run ();
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  g_clear_pointer (&sim, umt_test_sim_free);
  return status;
}
