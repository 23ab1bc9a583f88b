/* umt-application.c: the GtkApplication of Updates Manager
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-application"

#include "config.h"

#include <stdlib.h>
#include <glib/gi18n.h>

#include "umt-application.h"
#include "umt-autostart.h"
#include "umt-heartbeat-status.h"
#include "umt-notifier.h"
#include "umt-owner-watch.h"
#include "umt-tray.h"
#include "umt-tunnel-status.h"
#include "umt-window.h"

struct _UmtApplication
{
  AdwApplication  parent_instance;

  GSettings        *settings;
  UmtDeviceManager *manager;
  GError           *load_error;
  UmtOwnerWatch    *owner;
  GCancellable     *cancellable;
  UmtNotifier      *notifier;
  /* --background (the autostart entry) holds the application with no
   * window until the first window takes over. */
  gboolean          background_hold;
  gboolean          quitting;
};

G_DEFINE_FINAL_TYPE (UmtApplication, umt_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "background", 'b', 0, G_OPTION_ARG_NONE, NULL,
    N_("Start without opening a window"), NULL },
  { NULL }
};

UmtApplication *
umt_application_new (void)
{
  return g_object_new (UMT_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/fr/ygsoft/UpdatesManagerTool",
                       NULL);
}

GSettings *
umt_application_get_settings (UmtApplication *self)
{
  g_return_val_if_fail (UMT_IS_APPLICATION (self), NULL);

  return self->settings;
}

UmtDeviceManager *
umt_application_get_device_manager (UmtApplication *self)
{
  g_return_val_if_fail (UMT_IS_APPLICATION (self), NULL);

  return self->manager;
}

const GError *
umt_application_get_load_error (UmtApplication *self)
{
  g_return_val_if_fail (UMT_IS_APPLICATION (self), NULL);

  return self->load_error;
}

static void
on_heartbeat_configured (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  UmtDeviceManager *manager = UMT_DEVICE_MANAGER (source);
  g_autoptr(UmtOwnerWatch) owner = user_data;
  g_autoptr(GError) error = NULL;

  if (!umt_device_manager_configure_heartbeat_finish (manager, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("The heartbeat cannot start: %s", error->message);
      return;
    }

  /* Configured either way: a window that shows another owner's heartbeat still sends a
   * beat when asked. */
  if (umt_device_manager_get_registered (manager) && umt_owner_watch_get_local (owner))
    umt_heartbeat_start (umt_device_manager_get_heartbeat (manager));
}

void
umt_application_start_heartbeat (UmtApplication *self)
{
  g_return_if_fail (UMT_IS_APPLICATION (self));

  if (self->manager == NULL || self->owner == NULL)
    return;

  umt_device_manager_configure_heartbeat_async (self->manager, self->cancellable,
                                                on_heartbeat_configured,
                                                g_object_ref (self->owner));
}

static void
on_start_at_login_changed (GSettings      *settings,
                           const char     *key,
                           UmtApplication *self)
{
  gboolean enabled = g_settings_get_boolean (settings, key);
  g_autoptr(GError) error = NULL;
  GtkWindow *window;

  if (umt_autostart_set_enabled (enabled, &error))
    return;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (UMT_IS_WINDOW (window))
    umt_window_add_toast (UMT_WINDOW (window), adw_toast_new (error->message));
  else
    g_message ("%s", error->message);

  /* The switch must not claim an entry that does not exist. */
  if (enabled)
    g_settings_set_boolean (settings, key, FALSE);
}

/* The tunnel goes with the heartbeat: the process that beats runs it.
 * Wanted from now on; the supervisor runs the agent whenever the profile
 * enables it and the device is registered (shutdown stops it). */
static void
umt_application_start_tunnel (UmtApplication *self)
{
  UmtTunnelSupervisor *tunnel = umt_device_manager_get_tunnel (self->manager);

  /* Published even when disabled, so `umt tunnel status` tells a disabled
   * tunnel from one nobody runs. */
  umt_tunnel_status_publish (tunnel);
  umt_tunnel_supervisor_start (tunnel);
}

/* This process holds the owner lock, from the start or once the owner went. */
static void
umt_application_take_ownership (UmtApplication *self)
{
  umt_heartbeat_status_publish (umt_device_manager_get_heartbeat (self->manager),
                                umt_device_manager_get_device_key (self->manager));
  g_signal_connect_object (self->manager, "state-reloaded",
                           G_CALLBACK (umt_application_start_heartbeat), self, G_CONNECT_SWAPPED);
  umt_application_start_heartbeat (self);
  umt_application_start_tunnel (self);
}

static void
umt_application_load_device (UmtApplication *self)
{
  self->manager = umt_device_manager_new (&self->load_error);
  if (self->manager == NULL)
    return;
  umt_device_manager_watch_files (self->manager);

  /* Only one process per user beats; while `umt run` (or another session's window)
   * does, the window shows its state and takes over when it goes. */
  self->owner = umt_owner_watch_new (umt_device_manager_get_heartbeat (self->manager),
                                     umt_device_manager_get_tunnel (self->manager));
  if (umt_owner_watch_get_local (self->owner))
    {
      umt_application_take_ownership (self);
      return;
    }

  g_signal_connect_object (self->owner, "notify::local",
                           G_CALLBACK (umt_application_take_ownership), self, G_CONNECT_SWAPPED);
  umt_application_start_heartbeat (self);
}

static void
umt_application_quit_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  UmtApplication *self = user_data;

  self->quitting = TRUE;
  /* Quitting skips close-request, so keep the window geometry first. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (UMT_IS_WINDOW (l->data))
      umt_window_save_state (l->data);

  g_application_quit (G_APPLICATION (self));
}

static void
umt_application_about_action (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  UmtApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "YG Soft", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-icon", APP_ID,
                        "application-name", _("Updates Manager"),
                        "developer-name", "YG Soft",
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "website", "https://meeting.ygsoft.fr",
                        "issue-url", "https://meeting.ygsoft.fr/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "comments", _("Makes this computer a device of a Meeting server: registration, heartbeat and remote access."),
                        /* Translators: put your names here, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_entries[] = {
  { "quit", umt_application_quit_action },
  { "about", umt_application_about_action },
};

static gint
umt_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  UmtApplication *self = UMT_APPLICATION (app);
  g_autoptr(GError) error = NULL;

  if (!g_variant_dict_contains (options, "background"))
    return G_APPLICATION_CLASS (umt_application_parent_class)->handle_local_options (app, options);

  /* Started in the background: register (startup starts the heartbeat)
   * and hold, but do not activate: activating means "show the window",
   * so every later activation (another launch, the tray's Open, a
   * notification) does just that. */
  if (!g_application_register (app, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  /* Already running: that instance beats; autostart must not pop its window up. */
  if (g_application_get_is_remote (app))
    return EXIT_SUCCESS;

  g_debug ("Started in the background");
  self->background_hold = TRUE;
  g_application_hold (app);
  return EXIT_SUCCESS;
}

static void
umt_application_startup (GApplication *app)
{
  UmtApplication *self = UMT_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *about_accels[] = { "F1", NULL };
  static const char *settings_accels[] = { "<Control>comma", NULL };
  static gsize named = 0;

  G_APPLICATION_CLASS (umt_application_parent_class)->startup (app);

  /* Once per process: GLib refuses a second name (tests run several
   * application objects in turn). */
  if (g_once_init_enter (&named))
    {
      g_set_application_name (_("Updates Manager"));
      g_once_init_leave (&named, 1);
    }
  gtk_window_set_default_icon_name (APP_ID);

  self->settings = g_settings_new (APP_ID);
  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (self->settings, "changed::start-at-login",
                           G_CALLBACK (on_start_at_login_changed), self, 0);
  umt_application_load_device (self);
  if (self->manager != NULL)
    self->notifier = umt_notifier_new (app, self->settings, self->manager);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_entries,
                                   G_N_ELEMENTS (app_entries), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.about", about_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-settings", settings_accels);

  /* The tray follows show-tray-icon and goes away at shutdown by itself. */
  umt_tray_install (app, self->settings, self->manager);
}

static void
on_window_hidden (GtkWidget      *window,
                  UmtApplication *self)
{
  UmtTray *tray = umt_tray_get_for_application (G_APPLICATION (self));

  /* Only a window closed into the background, not one going away with the
   * application. */
  if (self->quitting || !g_settings_get_boolean (self->settings, "run-in-background"))
    return;

  /* Said once, the first time the window goes: a notice at every launch or
   * every close would be noise. */
  if (tray != NULL && umt_tray_get_host_available (tray))
    umt_notifier_tell_keeps_running (G_APPLICATION (self), self->settings,
                                     _("The heartbeat goes on in the background. Open Updates Manager "
                                       "again from its tray icon; Quit from its menu stops it."));
  else
    umt_notifier_tell_keeps_running (G_APPLICATION (self), self->settings,
                                     _("The heartbeat goes on in the background. Open Updates Manager "
                                       "again from your applications; Quit from its menu stops it."));
}

static void
umt_application_activate (GApplication *app)
{
  UmtApplication *self = UMT_APPLICATION (app);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    {
      window = GTK_WINDOW (umt_window_new (self));
      g_signal_connect_object (window, "hide", G_CALLBACK (on_window_hidden), self, 0);
    }

  gtk_window_present (window);

  /* The window holds the application now (and hides into the background
   * itself when run-in-background is on). */
  if (self->background_hold)
    {
      self->background_hold = FALSE;
      g_application_release (app);
    }
}

static void
umt_application_shutdown (GApplication *app)
{
  UmtApplication *self = UMT_APPLICATION (app);

  self->quitting = TRUE;
  g_cancellable_cancel (self->cancellable);
  /* It no longer keeps running. */
  g_application_withdraw_notification (app, UMT_NOTIFICATION_KEEPS_RUNNING);
  /* Stopping on purpose is no news: no "Heartbeat stopped" notification. */
  if (self->notifier != NULL)
    g_object_run_dispose (G_OBJECT (self->notifier));
  g_clear_object (&self->notifier);
  if (self->background_hold)
    {
      self->background_hold = FALSE;
      g_application_release (app);
    }
  if (self->manager != NULL && self->owner != NULL && umt_owner_watch_get_local (self->owner))
    {
      UmtHeartbeat *heartbeat = umt_device_manager_get_heartbeat (self->manager);
      UmtTunnelSupervisor *tunnel = umt_device_manager_get_tunnel (self->manager);

      /* The tunnel first: it rides on the device the heartbeat keeps online. */
      if (tunnel != NULL)
        {
          umt_tunnel_supervisor_stop (tunnel);
          umt_tunnel_status_unpublish (tunnel);
        }
      /* The last heartbeat.json says stopped, for `umt status`; then the
       * lock goes, so that `umt run` may take over. */
      umt_heartbeat_stop (heartbeat);
      umt_heartbeat_status_unpublish (heartbeat);
    }
  /* Lets the lock go, or stops waiting for it. */
  g_clear_object (&self->owner);

  G_APPLICATION_CLASS (umt_application_parent_class)->shutdown (app);
}

static void
umt_application_dispose (GObject *object)
{
  UmtApplication *self = UMT_APPLICATION (object);

  g_clear_object (&self->notifier);
  g_clear_object (&self->settings);
  g_clear_object (&self->manager);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->load_error);

  G_OBJECT_CLASS (umt_application_parent_class)->dispose (object);
}

static void
umt_application_class_init (UmtApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = umt_application_dispose;
  app_class->handle_local_options = umt_application_handle_local_options;
  app_class->startup = umt_application_startup;
  app_class->activate = umt_application_activate;
  app_class->shutdown = umt_application_shutdown;
}

static void
umt_application_init (UmtApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}
