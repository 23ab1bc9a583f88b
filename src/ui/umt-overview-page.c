/* umt-overview-page.c: the device at a glance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-overview-page"

#include "config.h"

#include <glib/gi18n.h>

#include "umt-overview-page.h"

struct _UmtOverviewPage
{
  AdwPreferencesPage  parent_instance;

  AdwStatusPage      *status_page;
  GtkButton          *main_action_button;
  GtkLabel           *registration_label;
  GtkImage           *heartbeat_icon;
  GtkLabel           *heartbeat_label;
  AdwActionRow       *server_row;
  GtkLabel           *server_label;
};

G_DEFINE_FINAL_TYPE (UmtOverviewPage, umt_overview_page, ADW_TYPE_PREFERENCES_PAGE)

static void
umt_overview_page_class_init (UmtOverviewPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/ygsoft/UpdatesManagerTool/ui/umt-overview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, main_action_button);
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, registration_label);
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, heartbeat_icon);
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, heartbeat_label);
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, server_label);
}

static void
umt_overview_page_init (UmtOverviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
