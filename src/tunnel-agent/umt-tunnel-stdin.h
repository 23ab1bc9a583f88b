/* umt-tunnel-stdin.h: the agent's commands come on its standard input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A stream on this process's standard input that reading does not close
 * (umt-tunnel-stdin-unix.c, umt-tunnel-stdin-win32.c). */
GInputStream *umt_tunnel_open_stdin (void);

G_END_DECLS
