/* umt-diagnostics-page.c: the checks of “umt diagnose”, one row each
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-diagnostics-page"

#include "config.h"

#include <glib/gi18n.h>

#include "umt-diagnostics-page.h"

struct _UmtDiagnosticsPage
{
  AdwPreferencesPage    parent_instance;

  AdwPreferencesGroup  *checks_group;
  AdwActionRow         *placeholder_row;
};

G_DEFINE_FINAL_TYPE (UmtDiagnosticsPage, umt_diagnostics_page, ADW_TYPE_PREFERENCES_PAGE)

static void
umt_diagnostics_page_class_init (UmtDiagnosticsPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/ygsoft/UpdatesManagerTool/ui/umt-diagnostics-page.ui");
  gtk_widget_class_bind_template_child (widget_class, UmtDiagnosticsPage, checks_group);
  gtk_widget_class_bind_template_child (widget_class, UmtDiagnosticsPage, placeholder_row);
  /* The buttons name "diagnostics.run" and "diagnostics.copy-report": until
   * the core's diagnosis exists those actions are not installed, so GTK
   * shows the buttons insensitive rather than doing nothing. */
}

static void
umt_diagnostics_page_init (UmtDiagnosticsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
