/* umt-device-key.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-device-key"

#include "config.h"

#include <string.h>


#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-device-key-private.h"

/* Hashing with our own salt keeps the machine id private (systemd asks that
 * it never be exposed as is) and gives a key no other app would derive. */
#define DEVICE_KEY_SALT "fr.ygsoft.UpdatesManagerTool/device-key/v1:"
#define DEVICE_KEY_LEN  32

static char *
read_machine_id (const char  *path,
                 GError     **error)
{
  g_autofree char *contents = NULL;

  if (path != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      if (!g_file_get_contents (path, &contents, NULL, &local_error))
        {
          g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO,
                       _("Could not read the machine id: %s."), local_error->message);
          return NULL;
        }
    }
  else
    {
      contents = _umt_device_key_read_system_id (error);
      if (contents == NULL)
        return NULL;
    }

  g_strstrip (contents);
  if (*contents == '\0')
    {
      g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO,
                           _("This computer has no machine id (/etc/machine-id) to suggest a "
                              "device key from; enter the device key your administrator gave "
                              "you."));
      return NULL;
    }
  return g_steal_pointer (&contents);
}

char *
umt_device_key_suggest (const char  *machine_id_path,
                        GError     **error)
{
  g_autofree char *machine_id = read_machine_id (machine_id_path, error);
  g_autoptr(GChecksum) checksum = NULL;
  char *key;

  if (machine_id == NULL)
    return NULL;

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, (const guchar *) DEVICE_KEY_SALT, strlen (DEVICE_KEY_SALT));
  g_checksum_update (checksum, (const guchar *) machine_id, strlen (machine_id));

  /* Real server keys are 32 upper-case hex characters: take that shape. */
  key = g_ascii_strup (g_checksum_get_string (checksum), DEVICE_KEY_LEN);
  return key;
}
