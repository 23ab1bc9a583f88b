/* fuzz-tunnel-handshake.c: the proxy's reply to the agent's handshake under libFuzzer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fuzz-tunnel-handshake"

#include "config.h"

#include "fuzz-util.h"
#include "umt-tunnel-handshake.h"

/* Any line from the network: authenticated, or a refusal or protocol error
 * with its reason in valid UTF-8, as the agent logs and reports it. */

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

/* A critical or a warning is a bug found. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_abort_on_criticals ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *reason = NULL;
  UmtTunnelReply reply;

  reply = umt_tunnel_handshake_parse_reply ((const char *) data, size, &reason);
  if (reply == UMT_TUNNEL_REPLY_AUTHENTICATED)
    g_assert (reason == NULL);
  else
    g_assert (reason != NULL && g_utf8_validate (reason, -1, NULL));
  return 0;
}
