/* umt-tunnel-agent-process-unix.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-tunnel-agent-process"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "umt-tunnel-agent-process-private.h"

char *
_umt_tunnel_agent_process_default_path (void)
{
  return g_strdup (LIBEXECDIR G_DIR_SEPARATOR_S "umt-tunnel-agent");
}

void
_umt_tunnel_agent_process_tie (GSubprocess *process)
{
  /* Nothing to add: the agent stops at the end of its stdin, which the
   * kernel closes when this process ends, even killed. */
}

char *
_umt_tunnel_agent_process_describe_exit (GSubprocess *process)
{
  if (g_subprocess_get_if_signaled (process))
    return g_strdup_printf (_("killed by signal %d"), g_subprocess_get_term_sig (process));
  return g_strdup_printf (_("exit status %d"), g_subprocess_get_exit_status (process));
}
