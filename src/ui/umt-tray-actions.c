/* umt-tray-actions.c: the application actions the tray menu runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-tray-actions"

#include "config.h"

#include <gtk/gtk.h>

#include "umt-tray.h"

/* The actions live on the application, not on the tray, so that a
 * notification button or another front end can run them as well. */

static UmtDeviceManager *
manager_of (GApplication *app)
{
  return g_object_get_data (G_OBJECT (app), "umt-tray-actions-manager");
}

static void
activate_window_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  /* The application's activate opens the window or presents the one there is. */
  g_application_activate (G_APPLICATION (user_data));
}

static void
on_heartbeat_sent (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(UmtMeetingHeartbeat) beat = NULL;
  g_autoptr(GError) error = NULL;

  /* The engine's state and last-error already tell the outcome to the tray
   * and the window; only the log needs a line here. */
  beat = umt_heartbeat_send_now_finish (UMT_HEARTBEAT (source), result, &error);
  if (beat == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Heartbeat asked from the tray failed: %s", error->message);
}

static void
send_heartbeat_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  UmtDeviceManager *manager = manager_of (G_APPLICATION (user_data));

  if (manager == NULL || !umt_device_manager_get_registered (manager))
    return;
  umt_heartbeat_send_now_async (umt_device_manager_get_heartbeat (manager), NULL,
                                on_heartbeat_sent, NULL);
}

static void
copy_device_key_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  UmtDeviceManager *manager = manager_of (G_APPLICATION (user_data));
  GdkDisplay *display = gdk_display_get_default ();
  const char *key;

  if (manager == NULL || display == NULL)
    return;
  key = umt_device_manager_get_device_key (manager);
  if (key == NULL)
    return;
  gdk_clipboard_set_text (gdk_display_get_clipboard (display), key);
}

static void
pause_heartbeat_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  UmtDeviceManager *manager = manager_of (G_APPLICATION (user_data));

  if (manager != NULL)
    umt_heartbeat_pause (umt_device_manager_get_heartbeat (manager));
}

static void
resume_heartbeat_action (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  UmtDeviceManager *manager = manager_of (G_APPLICATION (user_data));

  if (manager != NULL && umt_device_manager_get_registered (manager))
    umt_heartbeat_resume (umt_device_manager_get_heartbeat (manager));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry tray_entries[] = {
  { "activate-window", activate_window_action },
  { "send-heartbeat", send_heartbeat_action },
  { "copy-device-key", copy_device_key_action },
  { "pause-heartbeat", pause_heartbeat_action },
  { "resume-heartbeat", resume_heartbeat_action },
  /* Only when the application has no quit of its own (it saves the window first). */
  { "quit", quit_action },
};

/* What needs a registered device is disabled without one. */
static void
sync_enabled (GApplication *app)
{
  UmtDeviceManager *manager = manager_of (app);
  gboolean registered = manager != NULL && umt_device_manager_get_registered (manager);
  /* Another process that beats pauses and resumes its own heartbeat. */
  gboolean owned_here =
    manager != NULL && umt_heartbeat_get_owner_pid (umt_device_manager_get_heartbeat (manager)) == 0;
  static const struct {
    const char *name;
    gboolean    needs_owner;
  } needs_device[] = {
    { "send-heartbeat", FALSE }, { "copy-device-key", FALSE },
    { "pause-heartbeat", TRUE }, { "resume-heartbeat", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (needs_device); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (app), needs_device[i].name);

      if (G_IS_SIMPLE_ACTION (action) && g_object_get_data (G_OBJECT (action), "umt-tray-action"))
        g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                                     registered && (owned_here || !needs_device[i].needs_owner));
    }
}

static void
on_owner_or_registration_changed (GObject    *object,
                       GParamSpec *pspec,
                       gpointer    user_data)
{
  sync_enabled (G_APPLICATION (user_data));
}

void
umt_tray_actions_install (GApplication     *app,
                          UmtDeviceManager *manager)
{
  g_return_if_fail (G_IS_APPLICATION (app));
  g_return_if_fail (manager == NULL || UMT_IS_DEVICE_MANAGER (manager));

  if (g_object_get_data (G_OBJECT (app), "umt-tray-actions-installed"))
    return;
  g_object_set_data (G_OBJECT (app), "umt-tray-actions-installed", GINT_TO_POINTER (TRUE));

  if (manager != NULL)
    {
      g_object_set_data_full (G_OBJECT (app), "umt-tray-actions-manager",
                              g_object_ref (manager), g_object_unref);
      g_signal_connect_object (manager, "notify::registered",
                               G_CALLBACK (on_owner_or_registration_changed), app, 0);
      g_signal_connect_object (umt_device_manager_get_heartbeat (manager), "notify::owner-pid",
                               G_CALLBACK (on_owner_or_registration_changed), app, 0);
    }

  /* The application's own actions, where it has them, win. */
  for (guint i = 0; i < G_N_ELEMENTS (tray_entries); i++)
    {
      g_autoptr(GSimpleAction) action = NULL;

      if (g_action_map_lookup_action (G_ACTION_MAP (app), tray_entries[i].name) != NULL)
        continue;
      action = g_simple_action_new (tray_entries[i].name, NULL);
      g_object_set_data (G_OBJECT (action), "umt-tray-action", GINT_TO_POINTER (TRUE));
      g_signal_connect (action, "activate", G_CALLBACK (tray_entries[i].activate), app);
      g_action_map_add_action (G_ACTION_MAP (app), G_ACTION (action));
    }

  sync_enabled (app);
}
