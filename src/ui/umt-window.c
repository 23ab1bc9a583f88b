/* umt-window.c: the main window, a sidebar and four pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-window"

#include "config.h"

#include <glib/gi18n.h>

#include "umt-window.h"
#include "umt-overview-page.h"
#include "umt-settings-page.h"
#include "umt-diagnostics-page.h"
#include "umt-logs-page.h"

struct _UmtWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkStackSidebar      *sidebar;
  GtkMenuButton        *primary_menu_button;
  GtkWidget            *content_box;
  GtkButton            *back_button;
  GtkStack             *stack;
  AdwWindowTitle       *content_title;
};

G_DEFINE_FINAL_TYPE (UmtWindow, umt_window, ADW_TYPE_APPLICATION_WINDOW)

/* The pages show the application's one device manager, so the window,
 * the tray and a second window always agree. */
static void
umt_window_connect_device (UmtWindow      *self,
                           UmtApplication *app)
{
  UmtDeviceManager *manager = umt_application_get_device_manager (app);
  GtkWidget *settings = umt_window_get_page (self, "settings");
  GtkWidget *diagnostics = umt_window_get_page (self, "diagnostics");

  if (manager != NULL)
    {
      umt_overview_page_set_manager (UMT_OVERVIEW_PAGE (umt_window_get_page (self, "overview")), manager);
      umt_settings_page_set_manager (UMT_SETTINGS_PAGE (settings), manager);
      umt_diagnostics_page_set_manager (UMT_DIAGNOSTICS_PAGE (diagnostics), manager);
    }
  else if (umt_application_get_load_error (app) != NULL)
    {
      umt_settings_page_show_load_error (UMT_SETTINGS_PAGE (settings),
                                         umt_application_get_load_error (app));
      umt_diagnostics_page_set_load_error (UMT_DIAGNOSTICS_PAGE (diagnostics),
                                           umt_application_get_load_error (app));
    }
}

UmtWindow *
umt_window_new (UmtApplication *application)
{
  UmtWindow *self;

  g_return_val_if_fail (UMT_IS_APPLICATION (application), NULL);

  self = g_object_new (UMT_TYPE_WINDOW, "application", application, NULL);
  umt_window_connect_device (self, application);

  return self;
}

void
umt_window_show_page (UmtWindow  *self,
                      const char *name)
{
  g_return_if_fail (UMT_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  if (gtk_stack_get_child_by_name (self->stack, name) == NULL)
    {
      g_warning ("No page named “%s”", name);
      return;
    }

  gtk_stack_set_visible_child_name (self->stack, name);
  /* On a narrow window the content is hidden behind the sidebar. */
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

const char *
umt_window_get_visible_page (UmtWindow *self)
{
  g_return_val_if_fail (UMT_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

GtkWidget *
umt_window_get_page (UmtWindow  *self,
                     const char *name)
{
  g_return_val_if_fail (UMT_IS_WINDOW (self), NULL);

  return gtk_stack_get_child_by_name (self->stack, name);
}

void
umt_window_add_toast (UmtWindow *self,
                      AdwToast  *toast)
{
  g_return_if_fail (UMT_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
umt_window_toast_for (GtkWidget  *widget,
                      const char *title)
{
  GtkWidget *window;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  window = gtk_widget_get_ancestor (widget, UMT_TYPE_WINDOW);
  if (window != NULL)
    umt_window_add_toast (UMT_WINDOW (window), adw_toast_new (title));
}

void
umt_window_report_heartbeat (GtkWidget                 *widget,
                             const UmtMeetingHeartbeat *beat,
                             const GError              *error)
{
  GtkWidget *window;
  g_autofree char *message = NULL;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail ((beat == NULL) != (error == NULL));

  window = gtk_widget_get_ancestor (widget, UMT_TYPE_WINDOW);
  if (window == NULL)
    return;

  if (error != NULL)
    {
      /* The reason ends with what to do about it: a toast would cut it. */
      AdwMessageDialog *dialog;

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (window), _("Heartbeat Failed"),
                                                           error->message));
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  if (beat->last_seen != NULL)
    message = g_strdup_printf (_("Heartbeat sent; the server saw the device at %s UTC"),
                               beat->last_seen);
  else
    message = g_strdup (_("Heartbeat sent"));
  umt_window_add_toast (UMT_WINDOW (window), adw_toast_new (message));
}

void
umt_window_save_state (UmtWindow *self)
{
  int width, height;

  g_return_if_fail (UMT_IS_WINDOW (self));

  /* The default size tracks the unmaximized size, which is what to restore. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static gboolean
umt_window_close_request (GtkWindow *window)
{
  UmtWindow *self = UMT_WINDOW (window);
  GApplication *app = G_APPLICATION (gtk_window_get_application (window));

  umt_window_save_state (self);

  if (app != NULL && g_settings_get_boolean (self->settings, "run-in-background"))
    {
      /* Keep the process (and so the heartbeat) alive with no window;
       * activating the application again shows this same window. */
      if (gtk_widget_get_visible (GTK_WIDGET (window)))
        {
          g_application_hold (app);
          g_object_set_data (G_OBJECT (self), "umt-held", GINT_TO_POINTER (TRUE));
        }
      gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
      return TRUE;
    }

  return GTK_WINDOW_CLASS (umt_window_parent_class)->close_request (window);
}

static void
umt_window_show (GtkWidget *widget)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (widget)));

  /* Shown again after hiding in the background: give the hold back. */
  if (app != NULL && g_object_get_data (G_OBJECT (widget), "umt-held"))
    {
      g_object_set_data (G_OBJECT (widget), "umt-held", NULL);
      g_application_release (app);
    }

  GTK_WIDGET_CLASS (umt_window_parent_class)->show (widget);
}

/* The sidebar is a list: Tab and Shift+Tab would walk its rows, each
 * switching the page, and never reach the page. Tab leaves it for the
 * page shown, Shift+Tab for the menu; the arrow keys still pick pages. */
static gboolean
umt_window_focus (GtkWidget        *widget,
                  GtkDirectionType  direction)
{
  UmtWindow *self = UMT_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (widget));

  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->sidebar)))
    {
      if (direction == GTK_DIR_TAB_FORWARD)
        {
          if (adw_leaflet_get_folded (self->leaflet))
            adw_leaflet_set_visible_child_name (self->leaflet, "content");
          if (gtk_widget_child_focus (self->content_box, direction))
            return TRUE;
        }
      else if (direction == GTK_DIR_TAB_BACKWARD)
        {
          if (gtk_widget_grab_focus (GTK_WIDGET (self->primary_menu_button)))
            return TRUE;
        }
    }

  return GTK_WIDGET_CLASS (umt_window_parent_class)->focus (widget, direction);
}

static void
go_back_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  UmtWindow *self = user_data;

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
show_settings_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  umt_window_show_page (UMT_WINDOW (user_data), "settings");
}

static void
show_page_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  umt_window_show_page (UMT_WINDOW (user_data), g_variant_get_string (parameter, NULL));
}

static const GActionEntry win_entries[] = {
  { "go-back", go_back_action },
  { "show-settings", show_settings_action },
  { "show-page", show_page_action, "s" },
};

static void
on_visible_page_changed (UmtWindow *self)
{
  GtkWidget *child = gtk_stack_get_visible_child (self->stack);
  GtkStackPage *page;

  if (child == NULL)
    return;

  page = gtk_stack_get_page (self->stack, child);
  adw_window_title_set_title (self->content_title, gtk_stack_page_get_title (page));
}

static void
on_sidebar_released (GtkGestureClick *gesture,
                     int              n_press,
                     double           x,
                     double           y,
                     UmtWindow       *self)
{
  /* When folded, picking a page (even the current one) must reveal it. */
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

static void
umt_window_dispose (GObject *object)
{
  UmtWindow *self = UMT_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (umt_window_parent_class)->dispose (object);
}

static void
umt_window_class_init (UmtWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = umt_window_dispose;
  widget_class->show = umt_window_show;
  widget_class->focus = umt_window_focus;
  window_class->close_request = umt_window_close_request;

  g_type_ensure (UMT_TYPE_OVERVIEW_PAGE);
  g_type_ensure (UMT_TYPE_SETTINGS_PAGE);
  g_type_ensure (UMT_TYPE_DIAGNOSTICS_PAGE);
  g_type_ensure (UMT_TYPE_LOGS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/ygsoft/UpdatesManagerTool/ui/umt-window.ui");
  gtk_widget_class_bind_template_child (widget_class, UmtWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, UmtWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, UmtWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, UmtWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, UmtWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, UmtWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, UmtWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, UmtWindow, content_title);
}

static void
umt_window_init (UmtWindow *self)
{
  GtkGesture *click;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_entries,
                                   G_N_ELEMENTS (win_entries), self);

  g_signal_connect_swapped (self->stack, "notify::visible-child",
                            G_CALLBACK (on_visible_page_changed), self);
  on_visible_page_changed (self);

  click = gtk_gesture_click_new ();
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "released", G_CALLBACK (on_sidebar_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self->sidebar), GTK_EVENT_CONTROLLER (click));
}
