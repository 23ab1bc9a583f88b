/* umt-tunnel-status.h: the tunnel's state as its owner publishes it for the others
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "umt-tunnel-supervisor.h"

G_BEGIN_DECLS

/* What the process that runs the tunnel (the window or `umt run`) last
 * wrote to <state dir>/tunnel.json, so that `umt tunnel status` and the
 * other front end show the true state. */
typedef struct
{
  UmtTunnelState  state;
  gboolean        enabled;
  char           *device_key;    /* nullable */
  guint           open_streams;
  guint64         bytes_in;
  guint64         bytes_out;
  char           *last_error;    /* nullable */
  GDateTime      *retry_at;      /* nullable */
  GDateTime      *updated;
  GPid            pid;
  char           *program;       /* the publisher's, "umt" for `umt run`; nullable */
  gboolean        owner_alive;   /* the publishing process still runs */
} UmtTunnelStatus;

void             umt_tunnel_status_free      (UmtTunnelStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (UmtTunnelStatus, umt_tunnel_status_free)

/* Reads tunnel.json; G_IO_ERROR_NOT_FOUND when no owner ever wrote one,
 * UMT_CONFIG_ERROR_CORRUPT when it does not parse. */
UmtTunnelStatus *umt_tunnel_status_load      (GError             **error);

/* Writes @supervisor's state to tunnel.json now and at every change of its
 * properties, until umt_tunnel_status_unpublish() (which writes it once
 * more without a pid, so the file ends with the last state and no owner).
 * Meanwhile, reconnects it when another front end asks. */
void             umt_tunnel_status_publish   (UmtTunnelSupervisor *supervisor);
void             umt_tunnel_status_unpublish (UmtTunnelSupervisor *supervisor);

/* From a process that does not run the tunnel: asks the one that publishes it to
 * reconnect now (it watches for this while it publishes). */
gboolean         umt_tunnel_status_request_reconnect (GError **error);

G_END_DECLS
