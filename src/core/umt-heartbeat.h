/* umt-heartbeat.h: keeps the device online on its Meeting server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "umt-meeting-client.h"
#include "umt-profile.h"

G_BEGIN_DECLS

#define UMT_HEARTBEAT_MAX_FAILURES     5
#define UMT_HEARTBEAT_DEFAULT_INTERVAL 60
#define UMT_HEARTBEAT_RETRY_BASE_MS    5000

typedef enum
{
  UMT_HEARTBEAT_STATE_UNREGISTERED, /* no device key: nothing to send */
  UMT_HEARTBEAT_STATE_ACTIVE,       /* beating at the interval */
  UMT_HEARTBEAT_STATE_RETRYING,     /* the last beats failed; retrying sooner */
  UMT_HEARTBEAT_STATE_STOPPED,      /* not started, or given up: see last-error */
  UMT_HEARTBEAT_STATE_PAUSED,       /* the user paused it */
} UmtHeartbeatState;

#define UMT_TYPE_HEARTBEAT (umt_heartbeat_get_type ())

G_DECLARE_FINAL_TYPE (UmtHeartbeat, umt_heartbeat, UMT, HEARTBEAT, GObject)

/* Properties, all read-only but "interval", changed and notified in the
 * thread-default main context of the thread that created the engine:
 *   state                  UmtHeartbeatState
 *   last-success           GDateTime, the last beat the server accepted
 *   server-last-seen       string, the server's last_seen for that beat
 *   last-error             string, why the last beat failed (NULL after a success)
 *   consecutive-failures   guint
 *   next-beat              GDateTime, NULL when none is scheduled; while
 *                          stopped after failures, the next recovery try
 *   interval               guint seconds between beats (1–3600)
 *   retry-base-ms          guint, construct-only: first retry delay; later
 *                          ones double, capped at six times it (5, 10, 20, 30 s)
 *   owner-pid              int, the other process that owns the heartbeat (one
 *                          owner per user); 0 when this one does, or nobody
 *   owner-program          string, that process's program ("umt" for `umt run`)
 *
 * While another process owns the heartbeat, the engine does not beat: its
 * properties show what that owner publishes (see UmtOwnerWatch), and
 * send_now sends one beat on the side.
 *
 * The beats themselves are sent from one worker thread with blocking
 * requests; the interface thread never waits on the network. */

UmtHeartbeat     *umt_heartbeat_new                  (void);

/* What to send and where: @client and @device_key (NULL: not registered),
 * the note, cluster IP, public IP lookup and interval of @profile (may be
 * NULL for the defaults). Takes effect from the next beat. */
void              umt_heartbeat_configure            (UmtHeartbeat        *self,
                                                      UmtMeetingClient    *client,
                                                      const char          *device_key,
                                                      UmtProfile          *profile);

/* Starts beating (the first beat at once) and watches the network and
 * suspend/resume to recover by itself. */
void              umt_heartbeat_start                (UmtHeartbeat        *self);
/* Cancels the beat in flight and joins the worker; returns promptly even
 * against a server that never answers. */
void              umt_heartbeat_stop                 (UmtHeartbeat        *self);
void              umt_heartbeat_pause                (UmtHeartbeat        *self);
/* Leaves the paused or stopped state, forgets the failures, beats now. */
void              umt_heartbeat_resume               (UmtHeartbeat        *self);

/* One beat now: a user action, so it also resumes a stopped heartbeat.
 * Coalesces with a beat already in flight (the caller gets that beat's
 * result); never two beats at once. */
void              umt_heartbeat_send_now_async       (UmtHeartbeat        *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
UmtMeetingHeartbeat *umt_heartbeat_send_now_finish   (UmtHeartbeat        *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

UmtHeartbeatState umt_heartbeat_get_state            (UmtHeartbeat        *self);
GDateTime        *umt_heartbeat_get_last_success     (UmtHeartbeat        *self);
const char       *umt_heartbeat_get_server_last_seen (UmtHeartbeat        *self);
const char       *umt_heartbeat_get_last_error       (UmtHeartbeat        *self);
guint             umt_heartbeat_get_consecutive_failures (UmtHeartbeat    *self);
GDateTime        *umt_heartbeat_get_next_beat        (UmtHeartbeat        *self);
guint             umt_heartbeat_get_interval         (UmtHeartbeat        *self);
GPid              umt_heartbeat_get_owner_pid        (UmtHeartbeat        *self);
const char       *umt_heartbeat_get_owner_program    (UmtHeartbeat        *self);
void              umt_heartbeat_set_interval         (UmtHeartbeat        *self,
                                                      guint                seconds);

/* Once stopped after UMT_HEARTBEAT_MAX_FAILURES failures (not after a 404),
 * one beat every @seconds (±10 %) until one passes; 0: stay stopped until
 * a user action, a network change or a wake-up. The profile's
 * recovery_interval at each umt_heartbeat_configure(). Takes effect from
 * the next failure. */
void              umt_heartbeat_set_recovery_interval (UmtHeartbeat     *self,
                                                       guint             seconds);

/* "active", "retrying"… as written in heartbeat.json and `umt status --json` */
const char       *umt_heartbeat_state_to_string      (UmtHeartbeatState    state);
UmtHeartbeatState umt_heartbeat_state_from_string    (const char          *text);

/* The delay before retry number @failures (1-based), in milliseconds. */
guint             umt_heartbeat_retry_delay_ms       (guint                retry_base_ms,
                                                      guint                failures);

G_END_DECLS
