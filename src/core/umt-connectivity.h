/* umt-connectivity.h: tells when it is worth trying the network again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define UMT_TYPE_CONNECTIVITY (umt_connectivity_get_type ())

G_DECLARE_FINAL_TYPE (UmtConnectivity, umt_connectivity, UMT, CONNECTIVITY, GObject)

/* Emits "back" (const char *why) on the thread-default main context of its
 * creator when GNetworkMonitor reports the network available after it was
 * not, and when logind reports that the computer woke from suspend (when a
 * system bus is there). The heartbeat and the tunnel retry at once then
 * instead of waiting out their backoff. */
UmtConnectivity *umt_connectivity_new (void);

G_END_DECLS
