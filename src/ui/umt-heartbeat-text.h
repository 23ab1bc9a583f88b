/* umt-heartbeat-text.h: how the window words and draws a heartbeat state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "umt-heartbeat.h"

G_BEGIN_DECLS

/* "Heartbeat: Active ✓", "Heartbeat: Retrying (2/5)", "Heartbeat: Stopped — <reason>",
 * "Heartbeat: Stopped — next try at 14:32 — <reason>"… */
char       *umt_heartbeat_text_title       (UmtHeartbeat *heartbeat);
/* "Active", "Retrying (2/5)", "Stopped", "Stopped — next try at 14:32"…, for a
 * row whose title already says "Heartbeat"; short enough for a row's suffix,
 * so without the reason */
char       *umt_heartbeat_text_short       (UmtHeartbeat *heartbeat);
/* While stopped after failures: the local time ("14:32") of the next
 * recovery try, else NULL. */
char       *umt_heartbeat_text_next_try    (UmtHeartbeat *heartbeat);
/* Last beat and the server's last_seen, or NULL when there was no beat yet */
char       *umt_heartbeat_text_details     (UmtHeartbeat *heartbeat);
const char *umt_heartbeat_text_icon_name   (UmtHeartbeatState state);
/* libadwaita colour class: "success", "warning", "error" or NULL */
const char *umt_heartbeat_text_style_class (UmtHeartbeat     *heartbeat);
/* "Run by “umt run” (process 1234)"… for the other process that owns the heartbeat
 * or the tunnel, NULL when @owner_pid is 0 (this process runs them, or nobody) */
char       *umt_heartbeat_text_owner       (GPid              owner_pid,
                                            const char       *owner_program);

G_END_DECLS
