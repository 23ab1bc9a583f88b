/* umt-tunnel-supervisor-private.h: what UmtOwnerWatch tells the supervisor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "umt-tunnel-status.h"
#include "umt-tunnel-supervisor.h"

G_BEGIN_DECLS

/* While another process runs the tunnel: shows the state it published, and that
 * process as owner-pid and owner-program. NULL: no other owner any more. */
void umt_tunnel_supervisor_mirror (UmtTunnelSupervisor   *self,
                                   const UmtTunnelStatus *status);

G_END_DECLS
