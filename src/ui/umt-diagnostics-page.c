/* umt-diagnostics-page.c: the checks of “umt diagnose”, one row each
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-diagnostics-page"

#include "config.h"

#include <glib/gi18n.h>

#include "umt-diagnostics-page.h"
#include "umt-window.h"

struct _UmtDiagnosticsPage
{
  AdwPreferencesPage    parent_instance;

  AdwPreferencesGroup  *checks_group;
  AdwActionRow         *placeholder_row;
  GtkSpinner           *spinner;
  GtkButton            *run_button;
  GtkButton            *copy_report_button;

  UmtDiagnostics       *diagnostics;
  GCancellable         *cancellable;
  /* id → AdwActionRow, in the group in the order the checks come. */
  GHashTable           *rows;
  /* The results shown are those of the device as it is now. */
  gboolean              up_to_date;
  /* The device changed during a run: its results are already old. */
  gboolean              run_again;
};

G_DEFINE_FINAL_TYPE (UmtDiagnosticsPage, umt_diagnostics_page, ADW_TYPE_PREFERENCES_PAGE)

static void
update_actions (UmtDiagnosticsPage *self)
{
  gboolean running = self->diagnostics != NULL && umt_diagnostics_get_running (self->diagnostics);
  gboolean have_results = self->diagnostics != NULL &&
                          umt_diagnostics_get_results (self->diagnostics)->len > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "diagnostics.run",
                                 self->diagnostics != NULL && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "diagnostics.copy-report",
                                 have_results && !running);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), running);
  gtk_spinner_set_spinning (self->spinner, running);
}

static void
set_status_icon (GtkImage            *icon,
                 UmtDiagnosticStatus  status,
                 gboolean             pending)
{
  GtkWidget *widget = GTK_WIDGET (icon);
  const char *icon_name;
  const char *label;

  gtk_widget_remove_css_class (widget, "success");
  gtk_widget_remove_css_class (widget, "error");
  gtk_widget_remove_css_class (widget, "dim-label");
  if (pending)
    {
      icon_name = "content-loading-symbolic";
      label = _("Checking");
      gtk_widget_add_css_class (widget, "dim-label");
    }
  else if (status == UMT_DIAGNOSTIC_OK)
    {
      icon_name = "emblem-ok-symbolic";
      label = _("Passed");
      gtk_widget_add_css_class (widget, "success");
    }
  else if (status == UMT_DIAGNOSTIC_FAIL)
    {
      icon_name = "dialog-error-symbolic";
      label = _("Failed");
      gtk_widget_add_css_class (widget, "error");
    }
  else
    {
      icon_name = "action-unavailable-symbolic";
      label = _("Skipped");
      gtk_widget_add_css_class (widget, "dim-label");
    }
  gtk_image_set_from_icon_name (icon, icon_name);
  gtk_widget_set_tooltip_text (widget, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static AdwActionRow *
row_for (UmtDiagnosticsPage *self,
         const char         *id)
{
  AdwActionRow *row = g_hash_table_lookup (self->rows, id);
  GtkWidget *icon;

  if (row != NULL)
    return row;

  row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_action_row_set_subtitle_lines (row, 0);
  gtk_widget_set_name (GTK_WIDGET (row), id);
  icon = gtk_image_new ();
  gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);
  adw_action_row_add_prefix (row, icon);
  g_object_set_data (G_OBJECT (row), "status-icon", icon);
  adw_preferences_group_add (self->checks_group, GTK_WIDGET (row));
  g_hash_table_insert (self->rows, g_strdup (id), row);
  return row;
}

static void
on_check_done (UmtDiagnosticsPage  *self,
               UmtDiagnosticResult *result)
{
  AdwActionRow *row = row_for (self, result->id);
  g_autofree char *detail = g_markup_escape_text (result->detail, -1);
  g_autofree char *subtitle = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->placeholder_row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), result->title);
  if (result->hint != NULL)
    {
      g_autofree char *hint = g_markup_escape_text (result->hint, -1);

      /* The hint is what to do: set apart from what was found. */
      subtitle = g_strdup_printf ("%s\n<b>%s</b>", detail, hint);
    }
  else
    subtitle = g_steal_pointer (&detail);
  adw_action_row_set_subtitle (row, subtitle);
  set_status_icon (g_object_get_data (G_OBJECT (row), "status-icon"), result->status, FALSE);
  update_actions (self);
}

static void
show_summary (UmtDiagnosticsPage *self)
{
  GPtrArray *results = umt_diagnostics_get_results (self->diagnostics);
  guint failed = 0;
  g_autofree char *summary = NULL;
  g_autofree char *described = NULL;
  g_autofree char *time = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  for (guint i = 0; i < results->len; i++)
    if (((UmtDiagnosticResult *) g_ptr_array_index (results, i))->status == UMT_DIAGNOSTIC_FAIL)
      failed++;
  if (failed == 0)
    summary = g_strdup (_("All checks passed."));
  else
    summary = g_strdup_printf (ngettext ("%u check failed: its hint says what to do.",
                                         "%u checks failed: their hints say what to do.",
                                         failed),
                               failed);
  /* Results are of a moment: say which. */
  time = g_date_time_format (now, "%X");
  /* Translators: a summary of the checks, then the local time they ran. */
  described = g_strdup_printf (_("%s Checked at %s."), summary, time);
  adw_preferences_group_set_description (self->checks_group, described);
}

static void run_checks (UmtDiagnosticsPage *self);

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(UmtDiagnosticsPage) self = user_data;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  results = umt_diagnostics_run_finish (UMT_DIAGNOSTICS (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  update_actions (self);
  if (results == NULL)
    {
      umt_window_toast_for (GTK_WIDGET (self), error->message);
      return;
    }
  show_summary (self);

  if (self->run_again)
    {
      self->run_again = FALSE;
      run_checks (self);
    }
}

static void
run_checks (UmtDiagnosticsPage *self)
{
  GHashTableIter iter;
  gpointer row;

  if (self->diagnostics == NULL || umt_diagnostics_get_running (self->diagnostics))
    return;
  self->up_to_date = TRUE;

  /* Rows of the last run stay, marked as being checked again, so that the
   * list does not jump while the new results come in. */
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    set_status_icon (g_object_get_data (row, "status-icon"), UMT_DIAGNOSTIC_SKIP, TRUE);
  adw_preferences_group_set_description (self->checks_group, _("Checking…"));

  umt_diagnostics_run_async (self->diagnostics, self->cancellable, on_run_done, g_object_ref (self));
  update_actions (self);
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  run_checks (UMT_DIAGNOSTICS_PAGE (widget));
}

static void
copy_report_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  UmtDiagnosticsPage *self = UMT_DIAGNOSTICS_PAGE (widget);
  g_autofree char *report = NULL;

  if (self->diagnostics == NULL)
    return;
  report = umt_diagnostics_format_report (self->diagnostics);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), report);
  umt_window_toast_for (GTK_WIDGET (self), _("Report copied"));
}

/* Registering, unregistering, a heartbeat that starts or stops failing,
 * another server: what the checks found may no longer hold. Checked
 * again now if the page is shown, else when it is next opened. */
static void
on_device_changed (UmtDiagnosticsPage *self)
{
  if (self->diagnostics == NULL)
    return;

  if (umt_diagnostics_get_running (self->diagnostics))
    self->run_again = TRUE;
  else if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    run_checks (self);
  else
    self->up_to_date = FALSE;
}

static void
use_diagnostics (UmtDiagnosticsPage *self,
                 UmtDiagnostics     *diagnostics)
{
  g_return_if_fail (self->diagnostics == NULL);

  self->diagnostics = diagnostics;
  g_signal_connect_object (diagnostics, "check-done", G_CALLBACK (on_check_done), self,
                           G_CONNECT_SWAPPED);
  update_actions (self);
  /* Shown before it had a device: the first run waited for one. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && !self->up_to_date)
    run_checks (self);
}

void
umt_diagnostics_page_set_manager (UmtDiagnosticsPage *self,
                                  UmtDeviceManager   *manager)
{
  g_return_if_fail (UMT_IS_DIAGNOSTICS_PAGE (self));

  if (manager == NULL)
    return;

  g_signal_connect_object (manager, "notify::registered", G_CALLBACK (on_device_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "notify::server-url", G_CALLBACK (on_device_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (umt_device_manager_get_heartbeat (manager), "notify::state",
                           G_CALLBACK (on_device_changed), self, G_CONNECT_SWAPPED);
  use_diagnostics (self, umt_diagnostics_new (manager));
}

void
umt_diagnostics_page_set_load_error (UmtDiagnosticsPage *self,
                                     const GError       *error)
{
  g_return_if_fail (UMT_IS_DIAGNOSTICS_PAGE (self));

  if (error != NULL)
    use_diagnostics (self, umt_diagnostics_new_for_load_error (error));
}

UmtDiagnostics *
umt_diagnostics_page_get_diagnostics (UmtDiagnosticsPage *self)
{
  g_return_val_if_fail (UMT_IS_DIAGNOSTICS_PAGE (self), NULL);
  return self->diagnostics;
}

static void
umt_diagnostics_page_map (GtkWidget *widget)
{
  UmtDiagnosticsPage *self = UMT_DIAGNOSTICS_PAGE (widget);

  GTK_WIDGET_CLASS (umt_diagnostics_page_parent_class)->map (widget);

  /* Someone opening this page wants to know what is wrong: no need to ask. */
  if (!self->up_to_date)
    run_checks (self);
}

static void
umt_diagnostics_page_dispose (GObject *object)
{
  UmtDiagnosticsPage *self = UMT_DIAGNOSTICS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->diagnostics);
  g_clear_pointer (&self->rows, g_hash_table_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), UMT_TYPE_DIAGNOSTICS_PAGE);

  G_OBJECT_CLASS (umt_diagnostics_page_parent_class)->dispose (object);
}

static void
umt_diagnostics_page_class_init (UmtDiagnosticsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = umt_diagnostics_page_dispose;
  widget_class->map = umt_diagnostics_page_map;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/ygsoft/UpdatesManagerTool/ui/umt-diagnostics-page.ui");
  gtk_widget_class_bind_template_child (widget_class, UmtDiagnosticsPage, checks_group);
  gtk_widget_class_bind_template_child (widget_class, UmtDiagnosticsPage, placeholder_row);
  gtk_widget_class_bind_template_child (widget_class, UmtDiagnosticsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, UmtDiagnosticsPage, run_button);
  gtk_widget_class_bind_template_child (widget_class, UmtDiagnosticsPage, copy_report_button);

  gtk_widget_class_install_action (widget_class, "diagnostics.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "diagnostics.copy-report", NULL, copy_report_action);
}

static void
umt_diagnostics_page_init (UmtDiagnosticsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  update_actions (self);
}
