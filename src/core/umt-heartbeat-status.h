/* umt-heartbeat-status.h: one heartbeat owner per user, and its state for the others
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "umt-heartbeat.h"

G_BEGIN_DECLS

/* What the process that owns the heartbeat last published in
 * <state dir>/heartbeat.json, so that `umt status` and the other front end
 * show the true state. */
typedef struct
{
  UmtHeartbeatState  state;
  char              *device_key;           /* nullable */
  GDateTime         *last_success;         /* nullable */
  char              *server_last_seen;     /* nullable */
  char              *last_error;           /* nullable */
  guint              consecutive_failures;
  GDateTime         *next_beat;            /* nullable */
  GDateTime         *updated;
  GPid               pid;
  char              *program;              /* the publisher's, "umt" for `umt run`; nullable */
  gboolean           owner_alive;          /* the publishing process still runs */
} UmtHeartbeatStatus;

void                umt_heartbeat_status_free    (UmtHeartbeatStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (UmtHeartbeatStatus, umt_heartbeat_status_free)

/* Reads heartbeat.json; G_IO_ERROR_NOT_FOUND when no owner ever wrote one,
 * UMT_CONFIG_ERROR_CORRUPT when it does not parse. */
UmtHeartbeatStatus *umt_heartbeat_status_load    (GError      **error);

/* Writes @heartbeat's state to heartbeat.json now and at every change of
 * its properties, until umt_heartbeat_status_unpublish() (which writes it
 * once more without a pid: the last state, and no owner). */
void                umt_heartbeat_status_publish   (UmtHeartbeat *heartbeat,
                                                    const char   *device_key);
void                umt_heartbeat_status_unpublish (UmtHeartbeat *heartbeat);

/* The right to send the heartbeat: at most one process per user holds it.
 * Fails with G_IO_ERROR_BUSY and a message naming the holder's pid when
 * another process has it. Released by umt_owner_lock_release() or when the
 * process ends, however it ends. */
typedef struct _UmtOwnerLock UmtOwnerLock;

UmtOwnerLock       *umt_owner_lock_acquire       (GError      **error);
/* Waits, in a worker thread, until the holder lets the lock go (it quits or dies),
 * then holds it. Cancelling gives up the wait at once. */
void                umt_owner_lock_wait_async    (GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
UmtOwnerLock       *umt_owner_lock_wait_finish   (GAsyncResult        *result,
                                                  GError             **error);
void                umt_owner_lock_release       (UmtOwnerLock *lock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (UmtOwnerLock, umt_owner_lock_release)

G_END_DECLS
