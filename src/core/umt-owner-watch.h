/* umt-owner-watch.h: which process runs this user's heartbeat and tunnel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "umt-heartbeat.h"
#include "umt-tunnel-supervisor.h"

G_BEGIN_DECLS

#define UMT_TYPE_OWNER_WATCH (umt_owner_watch_get_type ())

G_DECLARE_FINAL_TYPE (UmtOwnerWatch, umt_owner_watch, UMT, OWNER_WATCH, GObject)

/* One process per user beats and runs the tunnel: the one that holds the owner
 * lock. A front end asks for it with a watch. When another process (`umt run`,
 * or the window of another session) has it, the watch shows that owner's state
 * in @heartbeat and @tunnel (their owner-pid, state, counters…), read from
 * heartbeat.json and tunnel.json whenever the owner rewrites them (file
 * monitors, no polling), and waits for the lock in a worker thread. When the
 * owner goes, however it ends, the watch takes the lock and turns local: the
 * front end then starts its own heartbeat and tunnel.
 *
 * Properties:
 *   local   gboolean, this process holds the lock (notified once, on takeover) */
UmtOwnerWatch *umt_owner_watch_new       (UmtHeartbeat        *heartbeat,
                                          UmtTunnelSupervisor *tunnel);
gboolean       umt_owner_watch_get_local (UmtOwnerWatch       *self);

G_END_DECLS
