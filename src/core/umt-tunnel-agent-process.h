/* umt-tunnel-agent-process.h: one running umt-tunnel-agent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to src/core: UmtTunnelSupervisor decides when an agent runs and
 * what its events mean; this is the process itself, its pipes and its end.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define UMT_TYPE_TUNNEL_AGENT_PROCESS (umt_tunnel_agent_process_get_type ())

G_DECLARE_FINAL_TYPE (UmtTunnelAgentProcess, umt_tunnel_agent_process, UMT, TUNNEL_AGENT_PROCESS, GObject)

/* Signals, emitted in the thread-default main context of the spawning
 * thread until umt_tunnel_agent_process_let_go():
 *   event   (JsonObject *event)  one JSON object the agent printed on stdout
 *   exited  (const char *how)    "exit status 1", "killed by signal 9"
 * What the agent prints on stderr goes to the log.
 *
 * Pending reads and the wait for the exit hold references: the process
 * outlives its last owner until it has ended. */

/* Starts $UMT_TUNNEL_AGENT (else LIBEXECDIR/umt-tunnel-agent) and writes
 * @config, its configuration line, to its stdin. The caller wipes @config:
 * it holds the token. */
UmtTunnelAgentProcess *umt_tunnel_agent_process_spawn  (const char            *config,
                                                        GError               **error);
/* One command line, such as {"cmd":"reconnect"}. */
void                   umt_tunnel_agent_process_send   (UmtTunnelAgentProcess *self,
                                                        const char            *line);
/* No more signals: closes stdin, the agent's sign to stop, and kills it
 * after @grace_ms if it is still there. */
void                   umt_tunnel_agent_process_let_go (UmtTunnelAgentProcess *self,
                                                        guint                  grace_ms);
GPid                   umt_tunnel_agent_process_get_pid (UmtTunnelAgentProcess *self);

G_END_DECLS
