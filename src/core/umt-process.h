/* umt-process.h: other processes, as far as the state files need them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether process @pid (a number, on Windows too) still runs
 * (umt-process-unix.c, umt-process-win32.c). */
gboolean umt_process_is_alive (GPid pid);

G_END_DECLS
