/* umt-autostart.c: the XDG autostart entry behind “Start at login”
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-autostart"

#include "config.h"

#include <errno.h>

#include <glib/gi18n.h>

#include "umt-autostart.h"

char *
umt_autostart_get_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", APP_ID ".desktop", NULL);
}

static char *
get_template_path (void)
{
  const char *override = g_getenv ("UMT_AUTOSTART_TEMPLATE");

  if (override != NULL && override[0] != '\0')
    return g_strdup (override);
  return g_build_filename (PKGDATADIR, APP_ID "-autostart.desktop", NULL);
}

static void
on_background_requested (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  /* The portal answers later, after asking the user; a refusal to even ask
   * means no portal, which only a log line can tell. */
  if (reply == NULL)
    g_message ("The Background portal could not be asked to start at login: %s", error->message);
}

/* In a sandbox ~/.config/autostart is not the host's: the Background portal
 * writes the entry for us, with the user's consent. */
static gboolean
request_background (gboolean   enabled,
                    GError   **error)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
  const char *commandline[] = { "updates-manager-tool", "--background", NULL };
  GVariantBuilder options;

  if (bus == NULL)
    return FALSE;

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_("Keep this device online with its Meeting server")));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (enabled));
  g_variant_builder_add (&options, "{sv}", "commandline", g_variant_new_strv (commandline, -1));
  g_dbus_connection_call (bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                          "org.freedesktop.portal.Background", "RequestBackground",
                          g_variant_new ("(sa{sv})", "", &options), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_background_requested, NULL);
  return TRUE;
}

gboolean
umt_autostart_set_enabled (gboolean   enabled,
                           GError   **error)
{
  g_autofree char *path = umt_autostart_get_path ();
  g_autofree char *template_path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return request_background (enabled, error);

  if (!enabled)
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);

      if (!g_file_delete (file, NULL, &local_error) &&
          !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      return TRUE;
    }

  template_path = get_template_path ();
  if (!g_file_get_contents (template_path, &contents, &length, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The autostart entry cannot be created: %s"), local_error->message);
      return FALSE;
    }

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("The autostart folder %s cannot be created: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  return g_file_set_contents_full (path, contents, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}
