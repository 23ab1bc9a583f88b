/* umt-tunnel-agent-process-private.h: what differs between platforms in running the agent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "umt-tunnel-agent-process.h"

G_BEGIN_DECLS

/* Where the agent is installed: LIBEXECDIR, or next to the program on
 * Windows, where an installation can be moved. */
char *_umt_tunnel_agent_process_default_path (void);

/* Makes sure the agent does not outlive this process, however it ends
 * (umt-tunnel-agent-process-unix.c, umt-tunnel-agent-process-win32.c). */
void  _umt_tunnel_agent_process_tie           (GSubprocess *process);

/* "exit status 1", "killed by signal 9": how the ended @process ended. */
char *_umt_tunnel_agent_process_describe_exit (GSubprocess *process);

G_END_DECLS
