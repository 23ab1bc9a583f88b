/* umt-tunnel-handshake.h: the JSON lines that open a session with the proxy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  UMT_TUNNEL_REPLY_AUTHENTICATED, /* {"status":"authenticated",…} */
  UMT_TUNNEL_REPLY_REFUSED,       /* {"error":…,"reason":…} */
  UMT_TUNNEL_REPLY_INVALID,       /* anything else: a protocol error */
} UmtTunnelReply;

/* {"token":…,"name":…} and its newline, the agent's first line. */
GBytes         *umt_tunnel_handshake_build       (const char  *token,
                                                  const char  *device_key);

/* The proxy's answer, one line without its newline, from the network: any
 * bytes. REFUSED sets @reason to the proxy's reason ("auth_failed" when it
 * gives none); INVALID sets @reason to what is wrong with the line. */
UmtTunnelReply  umt_tunnel_handshake_parse_reply (const char  *line,
                                                  gsize        length,
                                                  char       **reason);

G_END_DECLS
