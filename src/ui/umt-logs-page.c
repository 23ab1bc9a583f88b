/* umt-logs-page.c: the tail of app.log with a level filter and a search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-logs-page"

#include "config.h"

#include <glib/gi18n.h>

#include "umt-logs-page.h"
#include "umt-paths.h"
#include "umt-window.h"

/* Enough to see what just happened without loading a whole rotated file. */
#define TAIL_BYTES (64 * 1024)

struct _UmtLogsPage
{
  GtkBox         parent_instance;

  GtkDropDown   *level_dropdown;
  GtkSearchBar  *search_bar;
  GtkEditable   *search_entry;
  GtkStack      *view_stack;
  AdwStatusPage *empty_page;
  GtkTextView   *text_view;

  GCancellable  *cancellable;
  GFileMonitor  *monitor;
  guint          reload_source;
  guint          bottom_tick;
  char          *contents;
};

G_DEFINE_FINAL_TYPE (UmtLogsPage, umt_logs_page, GTK_TYPE_BOX)

static char *
get_log_path (void)
{
  g_autofree char *dir = umt_paths_get_logs_dir ();

  return g_build_filename (dir, "app.log", NULL);
}

/* Lines read "<date> <time> LEVEL [domain] message"; the dropdown position is
 * the lowest level kept (0 all, 1 info, 2 warning, 3 error). */
static gboolean
line_passes (const char *line,
             guint       min_level)
{
  static const char *levels[] = { "DEBUG", "INFO", "WARNING", "ERROR" };
  g_auto(GStrv) fields = g_strsplit (line, " ", 4);

  if (min_level == 0)
    return TRUE;
  if (g_strv_length (fields) < 3)
    return TRUE;  /* continuation lines stay with their record */

  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    if (g_str_equal (fields[2], levels[i]))
      return i >= min_level;

  return TRUE;
}

/* The text view lays a long text out a screenful at a time, and the
 * first layout of a page just shown resets its scroll: a scroll to the end
 * asked once leaves the view near the oldest line. So it is asked again at
 * each frame, until the newest line is in view. */
static gboolean
keep_at_bottom (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  UmtLogsPage *self = user_data;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GdkRectangle visible, line;
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_view_get_visible_rect (self->text_view, &visible);
  gtk_text_view_get_iter_location (self->text_view, &end, &line);
  if (line.y >= visible.y && line.y + line.height <= visible.y + visible.height)
    {
      self->bottom_tick = 0;
      return G_SOURCE_REMOVE;
    }

  gtk_text_view_scroll_to_iter (self->text_view, &end, 0.0, TRUE, 0.0, 1.0);
  return G_SOURCE_CONTINUE;
}

static void
scroll_to_newest (UmtLogsPage *self)
{
  if (self->bottom_tick == 0)
    self->bottom_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->text_view), keep_at_bottom,
                                                      self, NULL);
}

static void
umt_logs_page_show_contents (UmtLogsPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  guint min_level = gtk_drop_down_get_selected (self->level_dropdown);
  const char *search = gtk_editable_get_text (self->search_entry);
  g_autofree char *needle = NULL;
  g_autoptr(GString) shown = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;

  if (self->contents == NULL || self->contents[0] == '\0')
    {
      g_autofree char *path = get_log_path ();
      g_autofree char *description =
        g_strdup_printf (_("Messages will appear here and in %s."), path);

      adw_status_page_set_description (self->empty_page, description);
      gtk_stack_set_visible_child_name (self->view_stack, "empty");
      return;
    }

  /* The search keeps the lines that contain it, whatever the case. */
  if (gtk_search_bar_get_search_mode (self->search_bar) && search[0] != '\0')
    needle = g_utf8_casefold (search, -1);

  lines = g_strsplit (self->contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *folded = NULL;

      if (lines[i][0] == '\0' || !line_passes (lines[i], min_level))
        continue;
      if (needle != NULL)
        {
          folded = g_utf8_casefold (lines[i], -1);
          if (strstr (folded, needle) == NULL)
            continue;
        }
      g_string_append_printf (shown, "%s\n", lines[i]);
    }

  gtk_text_buffer_set_text (buffer, shown->str, shown->len);
  gtk_stack_set_visible_child_name (self->view_stack, "log");

  /* The newest line is what one opens the log for. */
  scroll_to_newest (self);
}

static void
on_log_loaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(UmtLogsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;
  const char *start;

  if (!g_file_load_contents_finish (G_FILE (source), result, &data, &length, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("Cannot read the log: %s", error->message);
    }

  g_clear_pointer (&self->contents, g_free);
  if (data != NULL)
    {
      start = data;
      if (length > TAIL_BYTES)
        {
          /* Cut at a line boundary so the first line shown is whole. */
          start = data + length - TAIL_BYTES;
          start = strchr (start, '\n') ? strchr (start, '\n') + 1 : start;
        }
      self->contents = g_utf8_make_valid (start, -1);
    }

  umt_logs_page_show_contents (self);
}

static void
umt_logs_page_reload (UmtLogsPage *self)
{
  g_autofree char *path = get_log_path ();
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  g_file_load_contents_async (file, self->cancellable, on_log_loaded, g_object_ref (self));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  UmtLogsPage *self = UMT_LOGS_PAGE (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  umt_logs_page_reload (UMT_LOGS_PAGE (widget));
}

static void
on_folder_shown (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(UmtLogsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Cannot open the log folder: %s"), error->message);
      GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), UMT_TYPE_WINDOW);

      if (window != NULL)
        umt_window_add_toast (UMT_WINDOW (window), adw_toast_new (message));
    }
}

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autofree char *dir = umt_paths_get_logs_dir ();
  g_autoptr(GFile) file = g_file_new_for_path (dir);
  g_autofree char *uri = g_file_get_uri (file);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (!GTK_IS_WINDOW (root))
    return;

  /* The folder may not exist before the first message; create it so the
   * file manager opens where the log will be. */
  umt_paths_ensure_private_dir (dir, NULL);
  gtk_show_uri_full (GTK_WINDOW (root), uri, GDK_CURRENT_TIME, NULL,
                     on_folder_shown, g_object_ref (widget));
}

static gboolean
reload_after_change (gpointer user_data)
{
  UmtLogsPage *self = user_data;

  self->reload_source = 0;
  umt_logs_page_reload (self);
  return G_SOURCE_REMOVE;
}

static void
on_log_changed (GFileMonitor      *monitor,
                GFile             *file,
                GFile             *other,
                GFileMonitorEvent  event,
                UmtLogsPage       *self)
{
  /* A burst of writes (or a rotation) reloads once, a moment later. */
  if (self->reload_source == 0)
    self->reload_source = g_timeout_add (300, reload_after_change, self);
}

static void
umt_logs_page_map (GtkWidget *widget)
{
  UmtLogsPage *self = UMT_LOGS_PAGE (widget);
  g_autofree char *path = get_log_path ();
  g_autoptr(GFile) file = g_file_new_for_path (path);

  GTK_WIDGET_CLASS (umt_logs_page_parent_class)->map (widget);

  /* Read when looked at, and follow the file while the page is shown. */
  umt_logs_page_reload (self);
  if (self->monitor == NULL)
    {
      self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
      if (self->monitor != NULL)
        g_signal_connect (self->monitor, "changed", G_CALLBACK (on_log_changed), self);
    }
}

static void
umt_logs_page_unmap (GtkWidget *widget)
{
  UmtLogsPage *self = UMT_LOGS_PAGE (widget);

  if (self->monitor != NULL)
    {
      g_file_monitor_cancel (self->monitor);
      g_signal_handlers_disconnect_by_func (self->monitor, on_log_changed, self);
      g_clear_object (&self->monitor);
    }
  g_clear_handle_id (&self->reload_source, g_source_remove);

  GTK_WIDGET_CLASS (umt_logs_page_parent_class)->unmap (widget);
}

static void
umt_logs_page_dispose (GObject *object)
{
  UmtLogsPage *self = UMT_LOGS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->contents, g_free);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_func (self->monitor, on_log_changed, self);
  g_clear_object (&self->monitor);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->bottom_tick != 0 && self->text_view != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->text_view), self->bottom_tick);
  self->bottom_tick = 0;

  gtk_widget_dispose_template (GTK_WIDGET (self), UMT_TYPE_LOGS_PAGE);

  G_OBJECT_CLASS (umt_logs_page_parent_class)->dispose (object);
}

static void
umt_logs_page_class_init (UmtLogsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = umt_logs_page_dispose;
  widget_class->map = umt_logs_page_map;
  widget_class->unmap = umt_logs_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/ygsoft/UpdatesManagerTool/ui/umt-logs-page.ui");
  gtk_widget_class_bind_template_child (widget_class, UmtLogsPage, level_dropdown);
  gtk_widget_class_bind_template_child (widget_class, UmtLogsPage, search_bar);
  gtk_widget_class_bind_template_child (widget_class, UmtLogsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, UmtLogsPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, UmtLogsPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, UmtLogsPage, text_view);

  gtk_widget_class_install_action (widget_class, "logs.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "logs.search", NULL, search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "logs.search", NULL);
  gtk_widget_class_install_action (widget_class, "logs.open-folder", NULL, open_folder_action);
}

static void
umt_logs_page_init (UmtLogsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The focus lands on the list's button: name it too, or a screen reader
   * says "GtkToggleButton". */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->level_dropdown)); child;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TOGGLE_BUTTON (child))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Show"), -1);

  g_signal_connect_swapped (self->level_dropdown, "notify::selected",
                            G_CALLBACK (umt_logs_page_show_contents), self);
  g_signal_connect_swapped (self->search_entry, "search-changed",
                            G_CALLBACK (umt_logs_page_show_contents), self);
  g_signal_connect_swapped (self->search_bar, "notify::search-mode-enabled",
                            G_CALLBACK (umt_logs_page_show_contents), self);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
}
