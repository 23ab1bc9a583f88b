/* umt-overview-page.c: the device at a glance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-overview-page"

#include "config.h"

#include <glib/gi18n.h>

#include "umt-overview-page.h"
#include "umt-system-service.h"
#include "umt-heartbeat-text.h"
#include "umt-tunnel-text.h"
#include "umt-window.h"

struct _UmtOverviewPage
{
  AdwPreferencesPage  parent_instance;

  GtkLabel           *status_title;
  GtkLabel           *status_description;
  GtkButton          *main_action_button;
  GtkLabel           *registration_label;
  AdwActionRow       *heartbeat_row;
  GtkImage           *heartbeat_icon;
  GtkLabel           *heartbeat_label;
  AdwActionRow       *server_row;
  GtkLabel           *server_label;
  AdwActionRow       *tunnel_row;
  GtkLabel           *tunnel_label;

  UmtDeviceManager   *manager;
  UmtHeartbeat       *heartbeat;
  char               *system_device_key;
  GCancellable       *cancellable;
  GCancellable       *availability_cancellable;
  /* The server knows the device, its administrator has not let it in. */
  gboolean            awaits_authorization;
};

G_DEFINE_FINAL_TYPE (UmtOverviewPage, umt_overview_page, ADW_TYPE_PREFERENCES_PAGE)

static void
update_tunnel (UmtOverviewPage *self)
{
  UmtTunnelSupervisor *tunnel = umt_device_manager_get_tunnel (self->manager);
  g_autofree char *text = umt_tunnel_text_state_short (tunnel);
  const char *reason = umt_tunnel_text_reason (tunnel);
  const char *style = umt_tunnel_text_style_class (tunnel);
  GtkWidget *label = GTK_WIDGET (self->tunnel_label);

  gtk_label_set_label (self->tunnel_label, text);
  adw_action_row_set_subtitle (self->tunnel_row, reason ? reason : "");
  gtk_widget_remove_css_class (label, "success");
  gtk_widget_remove_css_class (label, "warning");
  gtk_widget_remove_css_class (label, "error");
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
}

static void
update_display (UmtOverviewPage *self)
{
  GtkWidget *registration = GTK_WIDGET (self->registration_label);
  GtkWidget *icon = GTK_WIDGET (self->heartbeat_icon);
  gboolean registered = umt_device_manager_get_registered (self->manager);
  g_autofree char *state = umt_heartbeat_text_short (self->heartbeat);
  g_autofree char *details = umt_heartbeat_text_details (self->heartbeat);
  const char *style = umt_heartbeat_text_style_class (self->heartbeat);

  gtk_label_set_label (self->registration_label, registered ? _("Registered") : _("Not registered"));
  gtk_widget_remove_css_class (registration, registered ? "error" : "success");
  gtk_widget_add_css_class (registration, registered ? "success" : "error");

  gtk_label_set_label (self->heartbeat_label, state);
  /* The reason goes under the title, where it can wrap at any width. */
  adw_action_row_set_subtitle (self->heartbeat_row,
                               umt_heartbeat_get_state (self->heartbeat) == UMT_HEARTBEAT_STATE_STOPPED &&
                               umt_heartbeat_get_last_error (self->heartbeat) != NULL ?
                               umt_heartbeat_get_last_error (self->heartbeat) : "");
  gtk_image_set_from_icon_name (self->heartbeat_icon,
                                umt_heartbeat_text_icon_name (umt_heartbeat_get_state (self->heartbeat)));
  gtk_widget_remove_css_class (icon, "success");
  gtk_widget_remove_css_class (icon, "warning");
  gtk_widget_remove_css_class (icon, "error");
  if (style != NULL)
    gtk_widget_add_css_class (icon, style);

  update_tunnel (self);

  if (umt_device_manager_get_server_url_overridden (self->manager))
    {
      g_autofree char *subtitle = g_strdup_printf (_("%s (set by MEETING_SERVER_URL)"),
                                                   umt_device_manager_get_server_url (self->manager));
      adw_action_row_set_subtitle (self->server_row, subtitle);
    }
  else
    adw_action_row_set_subtitle (self->server_row, umt_device_manager_get_server_url (self->manager));

  /* The headline and the one thing to do next, for the current state. */
  if (registered)
    {
      UmtHeartbeatState hb_state = umt_heartbeat_get_state (self->heartbeat);
      gboolean halted = hb_state == UMT_HEARTBEAT_STATE_STOPPED || hb_state == UMT_HEARTBEAT_STATE_PAUSED;
      g_autofree char *owner =
        umt_heartbeat_text_owner (umt_heartbeat_get_owner_pid (self->heartbeat),
                                  umt_heartbeat_get_owner_program (self->heartbeat));
      g_autofree char *description = NULL;

      switch (hb_state)
        {
        case UMT_HEARTBEAT_STATE_ACTIVE:
          /* Beats accepted are not a device let in. */
          gtk_label_set_label (self->status_title,
                               self->awaits_authorization ? _("Awaiting Authorization") : _("Online"));
          break;
        case UMT_HEARTBEAT_STATE_RETRYING:
          gtk_label_set_label (self->status_title, _("Connection Problems"));
          break;
        case UMT_HEARTBEAT_STATE_PAUSED:
          gtk_label_set_label (self->status_title, _("Heartbeat Paused"));
          break;
        case UMT_HEARTBEAT_STATE_STOPPED:
        case UMT_HEARTBEAT_STATE_UNREGISTERED:
        default:
          gtk_label_set_label (self->status_title, _("Heartbeat Stopped"));
          break;
        }
      gtk_button_set_label (self->main_action_button, halted ? _("Resume Heartbeat") : _("Send Heartbeat Now"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->main_action_button),
                                      halted ? "overview.resume-heartbeat" : "overview.send-heartbeat");
      /* Another process beats: this one shows its state and says who it is. It pauses
       * and resumes its own heartbeat; a beat on the side is all this one can add. */
      description = owner != NULL ? g_strjoin ("\n", details != NULL ? details : state, owner, NULL)
                                  : g_strdup (details != NULL ? details : state);
      gtk_label_set_label (self->status_description, description);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "overview.resume-heartbeat", owner == NULL);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->main_action_button),
                                   owner != NULL && halted
                                   ? _("Only the process that runs the heartbeat can resume it")
                                   : NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->main_action_button), TRUE);
    }
  else if (self->system_device_key != NULL)
    {
      /* The system service beats for this computer; its state is root's. */
      g_autofree char *description =
        g_strdup_printf (_("The system service keeps device %s online for this computer, whoever is "
                           "logged in. An administrator manages it with “umt --system”."),
                         self->system_device_key);

      gtk_label_set_label (self->registration_label, _("By the system service"));
      gtk_widget_remove_css_class (registration, "error");
      gtk_widget_add_css_class (registration, "success");
      gtk_label_set_label (self->status_title, _("Managed by the System Service"));
      gtk_label_set_label (self->status_description, description);
      gtk_widget_set_visible (GTK_WIDGET (self->main_action_button), FALSE);
    }
  else
    {
      gtk_label_set_label (self->status_title, _("Not Registered Yet"));
      gtk_button_set_label (self->main_action_button, _("Open Registration"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->main_action_button), "win.show-settings");
      gtk_label_set_label (self->status_description,
                                       _("This device is not registered yet. You need the device key and the one-time token from your server administrator."));
      gtk_widget_set_visible (GTK_WIDGET (self->main_action_button), TRUE);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->main_action_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  gtk_button_get_label (self->main_action_button), -1);
}

static void
show_server_view (UmtOverviewPage *self,
                  const char      *text,
                  const char      *style,
                  const char      *tooltip)
{
  GtkWidget *label = GTK_WIDGET (self->server_label);

  gtk_widget_set_tooltip_text (label, tooltip);
  gtk_widget_remove_css_class (label, "success");
  gtk_widget_remove_css_class (label, "warning");
  gtk_widget_remove_css_class (label, "error");
  gtk_widget_remove_css_class (label, "dim-label");
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  gtk_label_set_label (self->server_label, text);
}

static void
on_availability (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(UmtOverviewPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtMeetingAvailability) availability = NULL;
  const char *text;
  const char *style = NULL;

  umt_meeting_client_send_finish (UMT_MEETING_CLIENT (source), result,
                                  (gpointer *) &availability, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (availability == NULL)
    {
      show_server_view (self, _("Unreachable"), "error", error->message);
      return;
    }

  switch (availability->status)
    {
    case UMT_MEETING_AVAILABILITY_AVAILABLE:
      /* Translators: the server sees this device online. */
      text = _("Sees the device online");
      style = "success";
      break;
    case UMT_MEETING_AVAILABILITY_DISCONNECTED:
      text = _("Sees the device offline");
      style = "warning";
      break;
    case UMT_MEETING_AVAILABILITY_UNKNOWN:
    default:
      text = _("Does not know the device");
      break;
    }

  show_server_view (self, text, style, NULL);
}

/* A device the administrator has not let in is not online, whatever its
 * beats: that comes first. Then whether the server sees it. */
static void
on_device (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(UmtOverviewPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtMeetingDevice) device = NULL;
  UmtMeetingClient *client = UMT_MEETING_CLIENT (source);

  umt_meeting_client_send_finish (client, result, (gpointer *) &device, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (g_error_matches (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND))
    {
      show_server_view (self, _("Does not know the device"), "error", error->message);
      return;
    }
  if (self->awaits_authorization != (device != NULL && !device->authorized))
    {
      self->awaits_authorization = !self->awaits_authorization;
      update_display (self);
    }
  if (self->awaits_authorization)
    {
      show_server_view (self, _("Awaits authorization"), "warning",
                        _("The administrator of the Meeting server has not authorized this device yet."));
      return;
    }

  umt_meeting_client_send_async (client,
                                 umt_meeting_request_get_availability (umt_device_manager_get_device_key (self->manager)),
                                 self->availability_cancellable, on_availability, g_object_ref (self));
}

static void
on_client_created (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(UmtOverviewPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtMeetingClient) client = NULL;
  const char *device_key = umt_device_manager_get_device_key (self->manager);

  client = umt_device_manager_create_client_finish (UMT_DEVICE_MANAGER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (client == NULL)
    {
      gtk_label_set_label (self->server_label, error->message);
      return;
    }

  umt_meeting_client_send_async (client, umt_meeting_request_get_device (device_key),
                                 self->availability_cancellable, on_device, g_object_ref (self));
}

/* What the server thinks of this device, asked again after each beat,
 * failed ones included: a server gone down must not stay "online". */
static void
refresh_availability (UmtOverviewPage *self)
{
  g_cancellable_cancel (self->availability_cancellable);
  g_clear_object (&self->availability_cancellable);

  if (self->manager == NULL || !umt_device_manager_get_registered (self->manager))
    {
      self->awaits_authorization = FALSE;
      gtk_label_set_label (self->server_label, "");
      return;
    }

  self->availability_cancellable = g_cancellable_new ();
  umt_device_manager_create_client_async (self->manager, self->availability_cancellable,
                                          on_client_created, g_object_ref (self));
}

static void
on_heartbeat_sent (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(UmtOverviewPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtMeetingHeartbeat) beat = NULL;

  beat = umt_heartbeat_send_now_finish (UMT_HEARTBEAT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "overview.send-heartbeat", TRUE);
  umt_window_report_heartbeat (GTK_WIDGET (self), beat, error);
}

static void
send_heartbeat_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  UmtOverviewPage *self = UMT_OVERVIEW_PAGE (widget);

  if (self->heartbeat == NULL)
    return;

  /* One at a time: the button waits for the answer. */
  gtk_widget_action_set_enabled (widget, "overview.send-heartbeat", FALSE);
  umt_heartbeat_send_now_async (self->heartbeat, self->cancellable, on_heartbeat_sent,
                                g_object_ref (self));
}

static void
resume_heartbeat_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  UmtOverviewPage *self = UMT_OVERVIEW_PAGE (widget);

  if (self->heartbeat != NULL)
    umt_heartbeat_resume (self->heartbeat);
}

void
umt_overview_page_set_manager (UmtOverviewPage  *self,
                               UmtDeviceManager *manager)
{
  g_return_if_fail (UMT_IS_OVERVIEW_PAGE (self));
  g_return_if_fail (self->manager == NULL);

  if (manager == NULL)
    return;

  self->manager = g_object_ref (manager);
  self->heartbeat = g_object_ref (umt_device_manager_get_heartbeat (manager));
  /* Read once: the service is provisioned by root, seldom, not under our eyes. */
  self->system_device_key = umt_system_service_get_device_key ();
  g_signal_connect_object (manager, "notify", G_CALLBACK (update_display), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (umt_device_manager_get_tunnel (manager), "notify",
                           G_CALLBACK (update_tunnel), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->heartbeat, "notify", G_CALLBACK (update_display), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->heartbeat, "notify::last-success", G_CALLBACK (refresh_availability),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->heartbeat, "notify::last-error", G_CALLBACK (refresh_availability),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "notify::registered", G_CALLBACK (refresh_availability), self,
                           G_CONNECT_SWAPPED);
  update_display (self);
  refresh_availability (self);
}

static void
umt_overview_page_dispose (GObject *object)
{
  UmtOverviewPage *self = UMT_OVERVIEW_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->availability_cancellable);
  g_clear_object (&self->availability_cancellable);
  g_clear_object (&self->heartbeat);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->system_device_key, g_free);

  G_OBJECT_CLASS (umt_overview_page_parent_class)->dispose (object);
}

static void
umt_overview_page_class_init (UmtOverviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = umt_overview_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/ygsoft/UpdatesManagerTool/ui/umt-overview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, status_title);
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, status_description);
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, main_action_button);
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, registration_label);
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, heartbeat_row);
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, heartbeat_icon);
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, heartbeat_label);
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, tunnel_row);
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, tunnel_label);
  gtk_widget_class_bind_template_child (widget_class, UmtOverviewPage, server_label);

  gtk_widget_class_install_action (widget_class, "overview.send-heartbeat", NULL,
                                   send_heartbeat_action);
  gtk_widget_class_install_action (widget_class, "overview.resume-heartbeat", NULL,
                                   resume_heartbeat_action);
}

static void
umt_overview_page_init (UmtOverviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
}
