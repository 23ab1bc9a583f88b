/* umt-system-service.h: the system service as the other front ends see it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The device the system service (updates-manager-tool.service) keeps
 * online for this computer, from its device_info.json, which every user may
 * read (umt_paths_write_config()); NULL when it has none or the file is not
 * one we wrote. Its heartbeat and tunnel state stay the service's. */
char *umt_system_service_get_device_key (void);

G_END_DECLS
