/* umt-heartbeat-private.h: what the engine and its worker thread share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to src/core: umt-heartbeat.c is the GObject the interfaces see,
 * umt-heartbeat-worker.c the thread that sends the beats.
 */
#pragma once

#include "umt-connectivity.h"
#include "umt-device-info.h"
#include "umt-heartbeat.h"
#include "umt-heartbeat-status.h"

G_BEGIN_DECLS

/* The worker thread owns the schedule; the main context owns the
 * properties. Everything between the two lives under the mutex, and each
 * beat's outcome crosses over as one Update. */
struct _UmtHeartbeat
{
  GObject           parent_instance;

  /* Main context side */
  GMainContext     *context;
  UmtHeartbeatState state;
  GDateTime        *last_success;
  char             *server_last_seen;
  char             *last_error;
  guint             failures;
  GDateTime        *next_beat;
  GQueue            waiting_tasks;   /* send_now_async callers */
  GPid              owner_pid;       /* another process that beats, 0 when none */
  char             *owner_program;
  UmtConnectivity  *connectivity;
  gulong            back_id;

  /* Shared with the worker, under mutex */
  GMutex            mutex;
  GCond             cond;
  UmtMeetingClient *client;
  char             *device_key;
  char             *note;
  char             *cluster_ip;
  char             *public_ip_url;
  gboolean          public_ip_lookup;
  guint             interval;
  guint             recovery_interval;  /* seconds, 0 = stay stopped */
  guint             retry_base_ms;
  gboolean          worker_running;
  gboolean          quit;
  gboolean          paused;
  gboolean          given_up;
  gboolean          beat_requested;
  gboolean          in_flight;
  guint             worker_failures;
  gint64            due_time;        /* monotonic µs of the next beat, 0 = none */
  GCancellable     *beat_cancellable;
};

/* One beat's outcome, decided by the worker, shown by the main context. */
typedef struct
{
  GWeakRef             self;
  UmtHeartbeatState    state;
  guint                failures;
  gint64               due_time;
  UmtMeetingHeartbeat *result;
  GError              *error;
} Update;

void     umt_heartbeat_update_free          (gpointer      update);
/* Runs on the engine's main context: properties change here only. */
gboolean umt_heartbeat_apply_update         (gpointer      update);
gint64   umt_heartbeat_jittered_interval_us (guint         interval);

/* While another process owns the heartbeat: shows the state it published, and that
 * process as owner-pid and owner-program. NULL: no other owner any more. */
void     umt_heartbeat_mirror               (UmtHeartbeat             *self,
                                             const UmtHeartbeatStatus *status);

/* One beat with these settings, blocking: the worker's and a non-owner's. */
UmtMeetingHeartbeat *umt_heartbeat_beat_sync (UmtMeetingClient   *client,
                                              const char         *device_key,
                                              const char         *note,
                                              const char         *cluster_ip,
                                              const char         *public_ip_url,
                                              UmtDeviceInfoFlags  flags,
                                              GCancellable       *cancellable,
                                              GError            **error);

/* The thread function, run with g_task_run_in_thread() and the engine as
 * task data; it returns when quit is set. */
void     umt_heartbeat_worker               (GTask        *task,
                                             gpointer      source_object,
                                             gpointer      task_data,
                                             GCancellable *unused);

G_END_DECLS
