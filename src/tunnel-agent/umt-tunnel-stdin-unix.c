/* umt-tunnel-stdin-unix.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gunixinputstream.h>

#include "umt-tunnel-stdin.h"

GInputStream *
umt_tunnel_open_stdin (void)
{
  return g_unix_input_stream_new (0, FALSE);
}
