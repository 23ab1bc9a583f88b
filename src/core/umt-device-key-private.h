/* umt-device-key-private.h: between umt-device-key.c and its platform's file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "umt-device-key.h"

G_BEGIN_DECLS

/* The operating system's own id of this computer, unhashed
 * (umt-device-key-unix.c, umt-device-key-win32.c). */
char *_umt_device_key_read_system_id (GError **error);

G_END_DECLS
