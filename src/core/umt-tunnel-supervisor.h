/* umt-tunnel-supervisor.h: runs and watches the umt-tunnel-agent helper
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "umt-profile.h"

G_BEGIN_DECLS

#define UMT_TUNNEL_RESTART_MAX_SECONDS 60
/* An agent that stayed up this long was healthy: the next restart is quick. */
#define UMT_TUNNEL_HEALTHY_SECONDS     30
/* After closing its stdin, the agent gets this long before it is killed. */
#define UMT_TUNNEL_STOP_GRACE_MS       2000

typedef enum
{
  UMT_TUNNEL_STATE_DISABLED,    /* not enabled in the profile, or not registered */
  UMT_TUNNEL_STATE_STOPPED,     /* enabled but not running: not started, stopped, or no token */
  UMT_TUNNEL_STATE_STARTING,    /* reading the token, starting the agent */
  UMT_TUNNEL_STATE_CONNECTING,  /* the agent is connecting to the proxy */
  UMT_TUNNEL_STATE_CONNECTED,   /* the proxy accepted the device */
  UMT_TUNNEL_STATE_AUTH_FAILED, /* the proxy refused the token; the agent retries at retry-at */
  UMT_TUNNEL_STATE_RETRYING,    /* disconnected; the agent retries at retry-at */
  UMT_TUNNEL_STATE_RESTARTING,  /* the agent died; a new one starts at retry-at */
} UmtTunnelState;

#define UMT_TYPE_TUNNEL_SUPERVISOR (umt_tunnel_supervisor_get_type ())

G_DECLARE_FINAL_TYPE (UmtTunnelSupervisor, umt_tunnel_supervisor, UMT, TUNNEL_SUPERVISOR, GObject)

/* Properties, read-only, changed and notified in the thread-default main
 * context of the thread that created the supervisor:
 *   state          UmtTunnelState
 *   enabled        gboolean, the profile has the tunnel on and a device is set
 *   device-key     string, NULL when not registered
 *   open-streams   guint, connections relayed right now
 *   bytes-in       guint64, received from the proxy, updated every second while
 *                  streams are open
 *   bytes-out      guint64, sent to the proxy, likewise
 *   last-error     string, why the tunnel is not connected (NULL once connected)
 *   retry-at       GDateTime, the next attempt (NULL when none is planned)
 *   agent-pid      gint, the running agent's process id, 0 when none
 *   owner-pid      gint, the other process that runs the tunnel (`umt run` or
 *                  the window in another session), 0 when this one does, or nobody
 *   owner-program  string, that process's program ("umt" for `umt run`)
 *
 * While another process runs the tunnel, this one runs no agent: the state,
 * counters and error are what that owner publishes (see UmtOwnerWatch).
 *
 * The agent is $UMT_TUNNEL_AGENT when set (tests, the build tree), else
 * LIBEXECDIR/umt-tunnel-agent. Its configuration, with the device's tunnel
 * token from the keyring, goes to its stdin: never to argv or the log. */

UmtTunnelSupervisor *umt_tunnel_supervisor_new       (void);

/* Which device and which settings (@profile's tunnel settings, copied; may
 * be NULL; the proxy is on the host of @server_url, the server in use, unless
 * the profile names one). Takes effect at once: a running agent is restarted
 * with the new settings, and stopped when the tunnel is no longer enabled or
 * @device_key is NULL. */
void        umt_tunnel_supervisor_configure          (UmtTunnelSupervisor *self,
                                                      const char          *device_key,
                                                      const char          *server_url,
                                                      UmtProfile          *profile);

/* Runs the agent while enabled, restarting it with backoff (1 s → 60 s) when
 * it dies, and asks it to reconnect at once when the network comes back. */
void        umt_tunnel_supervisor_start              (UmtTunnelSupervisor *self);
/* Closes the agent's stdin (it exits by itself), kills it after
 * UMT_TUNNEL_STOP_GRACE_MS if it did not. */
void        umt_tunnel_supervisor_stop               (UmtTunnelSupervisor *self);
/* A retry now: the agent reconnects, a pending restart happens, a token
 * missing before is looked up again. While another process runs the tunnel
 * (owner-pid), that process is asked to. */
void        umt_tunnel_supervisor_reconnect          (UmtTunnelSupervisor *self);

UmtTunnelState umt_tunnel_supervisor_get_state       (UmtTunnelSupervisor *self);
gboolean    umt_tunnel_supervisor_get_enabled        (UmtTunnelSupervisor *self);
const char *umt_tunnel_supervisor_get_device_key     (UmtTunnelSupervisor *self);
guint       umt_tunnel_supervisor_get_open_streams   (UmtTunnelSupervisor *self);
guint64     umt_tunnel_supervisor_get_bytes_in       (UmtTunnelSupervisor *self);
guint64     umt_tunnel_supervisor_get_bytes_out      (UmtTunnelSupervisor *self);
const char *umt_tunnel_supervisor_get_last_error     (UmtTunnelSupervisor *self);
GDateTime  *umt_tunnel_supervisor_get_retry_at       (UmtTunnelSupervisor *self);
GPid        umt_tunnel_supervisor_get_agent_pid      (UmtTunnelSupervisor *self);
GPid        umt_tunnel_supervisor_get_owner_pid      (UmtTunnelSupervisor *self);
const char *umt_tunnel_supervisor_get_owner_program  (UmtTunnelSupervisor *self);

/* "connected", "auth-failed"… as written in tunnel.json and `umt tunnel status --json` */
const char *umt_tunnel_state_to_string               (UmtTunnelState       state);
UmtTunnelState umt_tunnel_state_from_string          (const char          *text);

G_END_DECLS
