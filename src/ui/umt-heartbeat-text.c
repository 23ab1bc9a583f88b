/* umt-heartbeat-text.c: how the window words and draws a heartbeat state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-heartbeat-text"

#include "config.h"

#include <glib/gi18n.h>

#include "umt-heartbeat-text.h"

char *
umt_heartbeat_text_next_try (UmtHeartbeat *heartbeat)
{
  GDateTime *next = umt_heartbeat_get_next_beat (heartbeat);
  g_autoptr(GDateTime) local = NULL;

  if (next == NULL || umt_heartbeat_get_state (heartbeat) != UMT_HEARTBEAT_STATE_STOPPED)
    return NULL;
  local = g_date_time_to_local (next);
  return g_date_time_format (local, "%H:%M");
}

char *
umt_heartbeat_text_short (UmtHeartbeat *heartbeat)
{
  const char *reason = umt_heartbeat_get_last_error (heartbeat);
  g_autofree char *next_try = umt_heartbeat_text_next_try (heartbeat);

  switch (umt_heartbeat_get_state (heartbeat))
    {
    case UMT_HEARTBEAT_STATE_ACTIVE:
      return g_strdup (_("Active ✓"));
    case UMT_HEARTBEAT_STATE_RETRYING:
      /* Translators: failed beats so far, out of the maximum before stopping. */
      return g_strdup_printf (_("Retrying (%u/%u)"),
                              umt_heartbeat_get_consecutive_failures (heartbeat),
                              UMT_HEARTBEAT_MAX_FAILURES);
    case UMT_HEARTBEAT_STATE_STOPPED:
      if (reason != NULL && next_try != NULL)
        /* Translators: a time such as 14:32 */
        return g_strdup_printf (_("Stopped — next try at %s"), next_try);
      return g_strdup (reason != NULL ? _("Stopped") : _("Inactive"));
    case UMT_HEARTBEAT_STATE_PAUSED:
      return g_strdup (_("Paused"));
    case UMT_HEARTBEAT_STATE_UNREGISTERED:
    default:
      return g_strdup (_("Inactive"));
    }
}

char *
umt_heartbeat_text_title (UmtHeartbeat *heartbeat)
{
  const char *reason = umt_heartbeat_get_last_error (heartbeat);
  g_autofree char *next_try = umt_heartbeat_text_next_try (heartbeat);
  g_autofree char *state = NULL;

  if (umt_heartbeat_get_state (heartbeat) == UMT_HEARTBEAT_STATE_STOPPED && reason != NULL &&
      next_try != NULL)
    /* Translators: a time such as 14:32, then the reason the beats failed. */
    state = g_strdup_printf (_("Stopped — next try at %s — %s"), next_try, reason);
  else if (umt_heartbeat_get_state (heartbeat) == UMT_HEARTBEAT_STATE_STOPPED && reason != NULL)
    /* Translators: %s is the reason, e.g. the server's error message. */
    state = g_strdup_printf (_("Stopped — %s"), reason);
  else
    state = umt_heartbeat_text_short (heartbeat);

  /* Translators: %s is a state such as “Active ✓” or “Retrying (2/5)”. */
  return g_strdup_printf (_("Heartbeat: %s"), state);
}

char *
umt_heartbeat_text_details (UmtHeartbeat *heartbeat)
{
  GDateTime *last = umt_heartbeat_get_last_success (heartbeat);
  const char *seen = umt_heartbeat_get_server_last_seen (heartbeat);
  g_autofree char *time = NULL;

  /* After unregistering, the last beat belongs to a device that is gone. */
  if (last == NULL || umt_heartbeat_get_state (heartbeat) == UMT_HEARTBEAT_STATE_UNREGISTERED)
    return NULL;

  {
    g_autoptr(GDateTime) local = g_date_time_to_local (last);
    time = g_date_time_format (local, "%X");
  }
  if (seen != NULL)
    /* Translators: the first %s is a local time, the second the server's UTC date and time. */
    return g_strdup_printf (_("Last beat at %s · server last saw the device at %s UTC"), time, seen);
  return g_strdup_printf (_("Last beat at %s"), time);
}

const char *
umt_heartbeat_text_icon_name (UmtHeartbeatState state)
{
  switch (state)
    {
    case UMT_HEARTBEAT_STATE_ACTIVE:
      return "umt-heartbeat-active-symbolic";
    case UMT_HEARTBEAT_STATE_RETRYING:
      return "umt-heartbeat-retrying-symbolic";
    case UMT_HEARTBEAT_STATE_STOPPED:
      return "umt-heartbeat-stopped-symbolic";
    case UMT_HEARTBEAT_STATE_PAUSED:
      return "umt-heartbeat-paused-symbolic";
    case UMT_HEARTBEAT_STATE_UNREGISTERED:
    default:
      return "umt-heartbeat-unregistered-symbolic";
    }
}

const char *
umt_heartbeat_text_style_class (UmtHeartbeat *heartbeat)
{
  switch (umt_heartbeat_get_state (heartbeat))
    {
    case UMT_HEARTBEAT_STATE_ACTIVE:
      return "success";
    case UMT_HEARTBEAT_STATE_RETRYING:
    case UMT_HEARTBEAT_STATE_PAUSED:
      return "warning";
    case UMT_HEARTBEAT_STATE_STOPPED:
      /* Stopped with a reason is a failure; stopped without one was never started. */
      return umt_heartbeat_get_last_error (heartbeat) != NULL ? "error" : NULL;
    case UMT_HEARTBEAT_STATE_UNREGISTERED:
    default:
      return NULL;
    }
}

char *
umt_heartbeat_text_owner (GPid        owner_pid,
                          const char *owner_program)
{
  if (owner_pid == 0)
    return NULL;
  if (g_strcmp0 (owner_program, "umt") == 0)
    /* Translators: %d is a process id */
    return g_strdup_printf (_("Run by “umt run” (process %d)"), (int) owner_pid);
  /* Translators: %d is a process id */
  return g_strdup_printf (_("Run by Updates Manager in another session (process %d)"),
                          (int) owner_pid);
}
