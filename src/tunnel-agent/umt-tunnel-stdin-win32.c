/* umt-tunnel-stdin-win32.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <windows.h>
#include <gio/gwin32inputstream.h>

#include "umt-tunnel-stdin.h"

GInputStream *
umt_tunnel_open_stdin (void)
{
  return g_win32_input_stream_new (GetStdHandle (STD_INPUT_HANDLE), FALSE);
}
