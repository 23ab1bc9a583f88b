/* umt-tunnel-text.h: how the window words the tunnel's state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "umt-tunnel-supervisor.h"

G_BEGIN_DECLS

/* "Connected", "Connecting…", "Retrying in 12 s — <reason>",
 * "Authentication failed — <reason>", "Disabled"… */
char       *umt_tunnel_text_state        (UmtTunnelSupervisor *tunnel);
/* The same without the reason: "Retrying in 12 s", "Authentication failed"… */
char       *umt_tunnel_text_state_short  (UmtTunnelSupervisor *tunnel);
/* Why it is not connected (the agent's or the proxy's words), or NULL */
const char *umt_tunnel_text_reason       (UmtTunnelSupervisor *tunnel);
/* "2 open streams · 1.2 MB received · 3.4 kB sent" */
char       *umt_tunnel_text_traffic      (UmtTunnelSupervisor *tunnel);
/* libadwaita colour class: "success", "warning", "error" or NULL */
const char *umt_tunnel_text_style_class  (UmtTunnelSupervisor *tunnel);
/* Seconds until retry-at (at least 1), 0 when no retry is planned */
guint       umt_tunnel_text_retry_seconds (UmtTunnelSupervisor *tunnel);

G_END_DECLS
