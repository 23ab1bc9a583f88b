/* umt-device-key.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-device-key"

#include "config.h"

#include <string.h>

#ifdef G_OS_WIN32
#include <windows.h>
#endif

#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-device-key.h"

/* Hashing with our own salt keeps the machine id private (systemd asks that
 * it never be exposed as is) and gives a key no other app would derive. */
#define DEVICE_KEY_SALT "fr.ygsoft.UpdatesManagerTool/device-key/v1:"
#define DEVICE_KEY_LEN  32

#ifdef G_OS_WIN32
static char *
read_machine_guid (GError **error)
{
  wchar_t value[128];
  DWORD size = sizeof value;
  LSTATUS status;

  status = RegGetValueW (HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Cryptography",
                         L"MachineGuid", RRF_RT_REG_SZ | RRF_SUBKEY_WOW6464KEY,
                         NULL, value, &size);
  if (status != ERROR_SUCCESS)
    {
      g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO,
                           _("Could not read this computer’s MachineGuid; enter the device key "
                              "your administrator gave you instead."));
      return NULL;
    }
  return g_utf16_to_utf8 ((const gunichar2 *) value, -1, NULL, NULL, NULL);
}
#endif

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
#ifdef G_OS_WIN32
      return read_machine_guid (error);
#else
      static const char * const system_paths[] = { "/etc/machine-id", "/var/lib/dbus/machine-id" };

      for (gsize i = 0; i < G_N_ELEMENTS (system_paths) && contents == NULL; i++)
        g_file_get_contents (system_paths[i], &contents, NULL, NULL);
#endif
    }

  if (contents != NULL)
    g_strstrip (contents);
  if (contents == NULL || *contents == '\0')
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
