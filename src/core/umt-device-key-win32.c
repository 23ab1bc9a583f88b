/* umt-device-key-win32.c: the machine id of Windows, its MachineGuid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-device-key"

#include "config.h"

#include <windows.h>

#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-device-key-private.h"

char *
_umt_device_key_read_system_id (GError **error)
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
