/* umt-application.c: the GtkApplication of Updates Manager
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-application"

#include "config.h"

#include <glib/gi18n.h>

#include "umt-application.h"
#include "umt-window.h"

struct _UmtApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  /* Set by --background (the autostart entry): the first activation
   * keeps the process alive without opening a window. */
  gboolean        start_in_background;
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

static void
umt_application_quit_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  UmtApplication *self = user_data;

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

  if (g_variant_dict_contains (options, "background"))
    self->start_in_background = TRUE;

  return G_APPLICATION_CLASS (umt_application_parent_class)->handle_local_options (app, options);
}

static void
umt_application_startup (GApplication *app)
{
  UmtApplication *self = UMT_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *about_accels[] = { "F1", NULL };
  static const char *settings_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (umt_application_parent_class)->startup (app);

  g_set_application_name (_("Updates Manager"));
  gtk_window_set_default_icon_name (APP_ID);

  self->settings = g_settings_new (APP_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_entries,
                                   G_N_ELEMENTS (app_entries), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.about", about_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-settings", settings_accels);
}

static void
umt_application_activate (GApplication *app)
{
  UmtApplication *self = UMT_APPLICATION (app);
  GtkWindow *window;

  if (self->start_in_background)
    {
      /* Only the first activation of an autostarted instance stays hidden;
       * launching the app again from the desktop opens the window. */
      self->start_in_background = FALSE;
      g_application_hold (app);
      return;
    }

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    window = GTK_WINDOW (umt_window_new (self));

  gtk_window_present (window);
}

static void
umt_application_dispose (GObject *object)
{
  UmtApplication *self = UMT_APPLICATION (object);

  g_clear_object (&self->settings);

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
}

static void
umt_application_init (UmtApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}
