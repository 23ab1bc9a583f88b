/* umt-tunnel-text.c: how the window words the tunnel's state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-tunnel-text"

#include "config.h"

#include <glib/gi18n.h>

#include "umt-tunnel-text.h"

guint
umt_tunnel_text_retry_seconds (UmtTunnelSupervisor *tunnel)
{
  GDateTime *retry_at = umt_tunnel_supervisor_get_retry_at (tunnel);
  g_autoptr(GDateTime) now = NULL;
  GTimeSpan left;

  if (retry_at == NULL)
    return 0;

  now = g_date_time_new_now_utc ();
  left = g_date_time_difference (retry_at, now);
  /* Rounded up: "in 0 s" would read as "never". */
  return (guint) MAX (1, (left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

const char *
umt_tunnel_text_reason (UmtTunnelSupervisor *tunnel)
{
  const char *reason = umt_tunnel_supervisor_get_last_error (tunnel);

  switch (umt_tunnel_supervisor_get_state (tunnel))
    {
    case UMT_TUNNEL_STATE_AUTH_FAILED:
    case UMT_TUNNEL_STATE_RETRYING:
    case UMT_TUNNEL_STATE_RESTARTING:
    case UMT_TUNNEL_STATE_STOPPED:
      return reason != NULL && *reason != '\0' ? reason : NULL;
    case UMT_TUNNEL_STATE_DISABLED:
    case UMT_TUNNEL_STATE_STARTING:
    case UMT_TUNNEL_STATE_CONNECTING:
    case UMT_TUNNEL_STATE_CONNECTED:
    default:
      return NULL;
    }
}

char *
umt_tunnel_text_state_short (UmtTunnelSupervisor *tunnel)
{
  guint seconds = umt_tunnel_text_retry_seconds (tunnel);

  switch (umt_tunnel_supervisor_get_state (tunnel))
    {
    case UMT_TUNNEL_STATE_CONNECTED:
      return g_strdup (_("Connected"));
    case UMT_TUNNEL_STATE_STARTING:
    case UMT_TUNNEL_STATE_CONNECTING:
      return g_strdup (_("Connecting…"));
    case UMT_TUNNEL_STATE_AUTH_FAILED:
      return g_strdup (_("Authentication failed"));
    case UMT_TUNNEL_STATE_RETRYING:
    case UMT_TUNNEL_STATE_RESTARTING:
      if (seconds == 0)
        return g_strdup (_("Retrying"));
      /* Translators: seconds until the next attempt */
      return g_strdup_printf (ngettext ("Retrying in %u s", "Retrying in %u s", seconds), seconds);
    case UMT_TUNNEL_STATE_STOPPED:
      return g_strdup (_("Not running"));
    case UMT_TUNNEL_STATE_DISABLED:
    default:
      return g_strdup (_("Disabled"));
    }
}

char *
umt_tunnel_text_state (UmtTunnelSupervisor *tunnel)
{
  g_autofree char *state = umt_tunnel_text_state_short (tunnel);
  const char *reason = umt_tunnel_text_reason (tunnel);

  if (reason == NULL)
    return g_steal_pointer (&state);
  /* Translators: a tunnel state, then why (e.g. the proxy's message) */
  return g_strdup_printf (_("%s — %s"), state, reason);
}

/* The number the words around a size agree with: g_format_size() spells out
 * bytes below 1000 and uses a unit in the plural above. */
static gulong
plural_count (guint64 bytes)
{
  return bytes < 1000 ? (gulong) bytes : 1000;
}

char *
umt_tunnel_text_traffic (UmtTunnelSupervisor *tunnel)
{
  guint streams = umt_tunnel_supervisor_get_open_streams (tunnel);
  guint64 bytes_in = umt_tunnel_supervisor_get_bytes_in (tunnel);
  guint64 bytes_out = umt_tunnel_supervisor_get_bytes_out (tunnel);
  g_autofree char *in = g_format_size (bytes_in);
  g_autofree char *out = g_format_size (bytes_out);
  g_autofree char *open = NULL;
  g_autofree char *received = NULL;
  g_autofree char *sent = NULL;

  /* Translators: connections relayed right now */
  open = g_strdup_printf (ngettext ("%u open stream", "%u open streams", streams), streams);
  /* Translators: a size (e.g. "0 bytes", "1.2 MB"); agree with it as with a number of bytes */
  received = g_strdup_printf (ngettext ("%s received", "%s received", plural_count (bytes_in)), in);
  /* Translators: a size (e.g. "0 bytes", "1.2 MB"); agree with it as with a number of bytes */
  sent = g_strdup_printf (ngettext ("%s sent", "%s sent", plural_count (bytes_out)), out);
  return g_strdup_printf ("%s · %s · %s", open, received, sent);
}

const char *
umt_tunnel_text_style_class (UmtTunnelSupervisor *tunnel)
{
  switch (umt_tunnel_supervisor_get_state (tunnel))
    {
    case UMT_TUNNEL_STATE_CONNECTED:
      return "success";
    case UMT_TUNNEL_STATE_AUTH_FAILED:
      return "error";
    case UMT_TUNNEL_STATE_RETRYING:
    case UMT_TUNNEL_STATE_RESTARTING:
    case UMT_TUNNEL_STATE_STOPPED:
      return "warning";
    case UMT_TUNNEL_STATE_DISABLED:
    case UMT_TUNNEL_STATE_STARTING:
    case UMT_TUNNEL_STATE_CONNECTING:
    default:
      return NULL;
    }
}
