/* umt-process-unix.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>

#include "umt-process.h"

gboolean
umt_process_is_alive (GPid pid)
{
  /* EPERM: it runs, as another user. */
  return pid > 0 && (kill (pid, 0) == 0 || errno == EPERM);
}
