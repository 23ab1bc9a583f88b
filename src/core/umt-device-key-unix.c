/* umt-device-key-unix.c: the machine id of systemd and D-Bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-device-key"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-device-key-private.h"

char *
_umt_device_key_read_system_id (GError **error)
{
  static const char * const system_paths[] = { "/etc/machine-id", "/var/lib/dbus/machine-id" };
  char *contents = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (system_paths) && contents == NULL; i++)
    g_file_get_contents (system_paths[i], &contents, NULL, NULL);
  if (contents == NULL)
    g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO,
                         _("This computer has no machine id (/etc/machine-id) to suggest a "
                           "device key from; enter the device key your administrator gave "
                           "you."));
  return contents;
}
