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
#include "umt-test-sim.h"
#include "umt-test-util.h"

static UmtApplication *app;
static UmtTestSim *sim;

static gboolean
frames_elapsed (gpointer data)
{
  return *(int *) data <= 0;
}

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  int *remaining = data;

  (*remaining)--;
  return *remaining > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* A few painted frames: the allocation, the page switch and the icons settle. */
static void
wait_for_frames (GtkWidget *widget)
{
  int remaining = 4;

  gtk_widget_add_tick_callback (widget, count_frame, &remaining, NULL);
  gtk_widget_queue_draw (widget);
  umt_test_iterate_until (frames_elapsed, &remaining);
}

static void
use_language (const char *language)
{
  g_setenv ("LANGUAGE", language, TRUE);
  /* setlocale() makes gettext drop the catalogs it already chose. */
  setlocale (LC_ALL, "");
}

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
  wait_for_frames (GTK_WIDGET (window));

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

static GdkTexture *
render_window (UmtWindow *window)
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

/* Saves the window as ui-usability-@what-<language>.png next to the test. */
static void
save_render (UmtWindow  *window,
             const char *what)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *name = g_strdup_printf ("ui-usability-%s-%s.png", what, current_language ());
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);

  wait_for_frames (GTK_WIDGET (window));
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
  graphene_rect_t bounds;

  g_assert_nonnull (scroller);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  g_assert_true (gtk_widget_compute_bounds (widget, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)),
                                            &bounds));
  gtk_adjustment_clamp_page (adjustment, bounds.origin.y, bounds.origin.y + bounds.size.height);
  wait_for_frames (GTK_WIDGET (window));
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
  wait_for_frames (GTK_WIDGET (window));

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

typedef struct
{
  GTestFunc   func;
  const char *language;
} LanguageTest;

static void
run_in_language (gconstpointer data)
{
  const LanguageTest *test = data;

  use_language (test->language);
  test->func ();
  use_language ("en");
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

  add_test ("contrast", test_contrast);

  status = g_test_run ();
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  g_clear_pointer (&sim, umt_test_sim_free);
  return status;
}
