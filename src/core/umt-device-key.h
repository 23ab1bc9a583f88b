/* umt-device-key.h: a device key suggested from the machine's identity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 32 upper-case hex characters: SHA-256 of the machine id with a salt of
 * this application, so it survives restarts and reinstalls of the app but
 * says nothing about the machine id itself. The machine id comes from
 * @machine_id_path, or when NULL from /etc/machine-id (then
 * /var/lib/dbus/machine-id; on Windows the registry's MachineGuid).
 * Fails with UMT_CONFIG_ERROR_IO when no machine id can be read. The user
 * may type the key an administrator gave instead. */
char *umt_device_key_suggest (const char  *machine_id_path,
                              GError     **error);

G_END_DECLS
