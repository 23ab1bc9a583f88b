/* umt-heartbeat.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-heartbeat"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "umt-enums.h"
#include "umt-heartbeat-private.h"

G_DEFINE_FINAL_TYPE (UmtHeartbeat, umt_heartbeat, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_LAST_SUCCESS,
  PROP_SERVER_LAST_SEEN,
  PROP_LAST_ERROR,
  PROP_CONSECUTIVE_FAILURES,
  PROP_NEXT_BEAT,
  PROP_INTERVAL,
  PROP_RETRY_BASE_MS,
  PROP_OWNER_PID,
  PROP_OWNER_PROGRAM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const state_names[] = {
  [UMT_HEARTBEAT_STATE_UNREGISTERED] = "unregistered",
  [UMT_HEARTBEAT_STATE_ACTIVE] = "active",
  [UMT_HEARTBEAT_STATE_RETRYING] = "retrying",
  [UMT_HEARTBEAT_STATE_STOPPED] = "stopped",
  [UMT_HEARTBEAT_STATE_PAUSED] = "paused",
};

const char *
umt_heartbeat_state_to_string (UmtHeartbeatState state)
{
  g_return_val_if_fail (state < G_N_ELEMENTS (state_names), NULL);

  return state_names[state];
}

UmtHeartbeatState
umt_heartbeat_state_from_string (const char *text)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (state_names); i++)
    if (g_str_equal (text, state_names[i]))
      return i;

  return UMT_HEARTBEAT_STATE_STOPPED;
}

guint
umt_heartbeat_retry_delay_ms (guint retry_base_ms,
                              guint failures)
{
  static const guint factors[] = { 1, 2, 4, 6 };

  if (failures == 0)
    return 0;

  return retry_base_ms * factors[MIN (failures, G_N_ELEMENTS (factors)) - 1];
}


static GDateTime *
wall_time_from_monotonic (gint64 due_time)
{
  g_autoptr(GDateTime) now = NULL;

  if (due_time == 0)
    return NULL;

  now = g_date_time_new_now_local ();
  return g_date_time_add (now, MAX (0, due_time - g_get_monotonic_time ()));
}

static void
set_state (UmtHeartbeat      *self,
           UmtHeartbeatState  state)
{
  gboolean running;

  if (self->state == state)
    return;

  g_mutex_lock (&self->mutex);
  running = self->worker_running;
  g_mutex_unlock (&self->mutex);

  /* Only the transitions of a running engine are news for the log. */
  if (running)
    g_message ("Heartbeat state: %s → %s", umt_heartbeat_state_to_string (self->state),
               umt_heartbeat_state_to_string (state));
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_next_beat (UmtHeartbeat *self,
               gint64        due_time)
{
  g_clear_pointer (&self->next_beat, g_date_time_unref);
  self->next_beat = wall_time_from_monotonic (due_time);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_BEAT]);
}

static void
finish_waiting_tasks (UmtHeartbeat              *self,
                      const UmtMeetingHeartbeat *result,
                      const GError              *error)
{
  GTask *task;

  while ((task = g_queue_pop_head (&self->waiting_tasks)) != NULL)
    {
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task,
                               umt_meeting_heartbeat_ref ((UmtMeetingHeartbeat *) result),
                               (GDestroyNotify) umt_meeting_heartbeat_unref);
      g_object_unref (task);
    }
}

gboolean
umt_heartbeat_apply_update (gpointer data)
{
  Update *update = data;
  g_autoptr(UmtHeartbeat) self = g_weak_ref_get (&update->self);
  GObject *object;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  /* The user may have paused or unregistered while this beat was on its
   * way: their latest word wins over the beat's outcome. */
  g_mutex_lock (&self->mutex);
  if (self->device_key == NULL)
    update->state = UMT_HEARTBEAT_STATE_UNREGISTERED;
  else if (self->paused)
    update->state = UMT_HEARTBEAT_STATE_PAUSED;
  if (update->state == UMT_HEARTBEAT_STATE_UNREGISTERED ||
      update->state == UMT_HEARTBEAT_STATE_PAUSED)
    update->due_time = 0;
  g_mutex_unlock (&self->mutex);

  object = G_OBJECT (self);
  g_object_freeze_notify (object);

  if (update->error == NULL)
    {
      g_clear_pointer (&self->last_success, g_date_time_unref);
      self->last_success = g_date_time_new_now_local ();
      g_object_notify_by_pspec (object, properties[PROP_LAST_SUCCESS]);

      if (g_strcmp0 (self->server_last_seen, update->result->last_seen) != 0)
        {
          g_free (self->server_last_seen);
          self->server_last_seen = g_strdup (update->result->last_seen);
          g_object_notify_by_pspec (object, properties[PROP_SERVER_LAST_SEEN]);
        }
    }

  if (g_strcmp0 (self->last_error, update->error ? update->error->message : NULL) != 0)
    {
      g_free (self->last_error);
      self->last_error = update->error ? g_strdup (update->error->message) : NULL;
      g_object_notify_by_pspec (object, properties[PROP_LAST_ERROR]);
    }

  if (self->failures != update->failures)
    {
      self->failures = update->failures;
      g_object_notify_by_pspec (object, properties[PROP_CONSECUTIVE_FAILURES]);
    }

  set_next_beat (self, update->due_time);
  set_state (self, update->state);

  g_object_thaw_notify (object);

  finish_waiting_tasks (self, update->result, update->error);

  return G_SOURCE_REMOVE;
}

static void
wake_worker_locked (UmtHeartbeat *self)
{
  g_cond_broadcast (&self->cond);
}

/* A user action or a sign that the network is back: forget the failures and
 * beat now. */
static void
restart_beating (UmtHeartbeat *self,
                 const char   *why)
{
  gboolean changed;

  g_mutex_lock (&self->mutex);
  changed = self->given_up || self->paused || self->worker_failures > 0;
  if (self->device_key != NULL && (changed || (self->due_time == 0 && !self->in_flight)))
    {
      self->given_up = FALSE;
      self->paused = FALSE;
      self->worker_failures = 0;
      self->beat_requested = TRUE;
      wake_worker_locked (self);
    }
  g_mutex_unlock (&self->mutex);

  if (changed && self->state != UMT_HEARTBEAT_STATE_UNREGISTERED)
    {
      g_message ("Heartbeat resumes: %s", why);
      if (self->failures != 0)
        {
          self->failures = 0;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONSECUTIVE_FAILURES]);
        }
      set_state (self, UMT_HEARTBEAT_STATE_ACTIVE);
    }
}

/* The network is back or the computer woke up: the server has probably not
 * heard from us, so beat now rather than after the backoff. */
static void
on_connectivity_back (UmtConnectivity *connectivity,
                      const char      *why,
                      UmtHeartbeat    *self)
{
  if (self->state == UMT_HEARTBEAT_STATE_STOPPED || self->state == UMT_HEARTBEAT_STATE_RETRYING)
    restart_beating (self, why);
  else if (self->state == UMT_HEARTBEAT_STATE_ACTIVE)
    {
      g_mutex_lock (&self->mutex);
      self->beat_requested = TRUE;
      wake_worker_locked (self);
      g_mutex_unlock (&self->mutex);
    }
}

void
umt_heartbeat_set_recovery_interval (UmtHeartbeat *self,
                                     guint         seconds)
{
  g_return_if_fail (UMT_IS_HEARTBEAT (self));
  g_return_if_fail (seconds <= UMT_PROFILE_MAX_RECOVERY_INTERVAL);

  g_mutex_lock (&self->mutex);
  self->recovery_interval = seconds;
  g_mutex_unlock (&self->mutex);
}

static void
watch_environment (UmtHeartbeat *self)
{
  if (self->connectivity != NULL)
    return;

  self->connectivity = umt_connectivity_new ();
  self->back_id = g_signal_connect (self->connectivity, "back",
                                    G_CALLBACK (on_connectivity_back), self);
}

static void
unwatch_environment (UmtHeartbeat *self)
{
  g_clear_signal_handler (&self->back_id, self->connectivity);
  g_clear_object (&self->connectivity);
}

void
umt_heartbeat_start (UmtHeartbeat *self)
{
  g_autoptr(GTask) task = NULL;
  gboolean registered;

  g_return_if_fail (UMT_IS_HEARTBEAT (self));

  watch_environment (self);

  g_mutex_lock (&self->mutex);
  registered = self->device_key != NULL;
  self->given_up = FALSE;
  self->paused = FALSE;
  self->worker_failures = 0;
  self->beat_requested = registered;
  if (!self->worker_running)
    {
      self->worker_running = TRUE;
      self->quit = FALSE;
      /* The task holds no reference: dispose joins the worker instead. */
      task = g_task_new (NULL, NULL, NULL, NULL);
      g_task_set_source_tag (task, umt_heartbeat_start);
      g_task_set_task_data (task, self, NULL);
      g_task_run_in_thread (task, umt_heartbeat_worker);
    }
  wake_worker_locked (self);
  g_mutex_unlock (&self->mutex);

  /* This process beats now: no other owner to show. */
  umt_heartbeat_mirror (self, NULL);
  set_state (self, registered ? UMT_HEARTBEAT_STATE_ACTIVE : UMT_HEARTBEAT_STATE_UNREGISTERED);
}

void
umt_heartbeat_stop (UmtHeartbeat *self)
{
  g_autoptr(GError) error = NULL;
  gboolean was_running;

  g_return_if_fail (UMT_IS_HEARTBEAT (self));

  unwatch_environment (self);

  g_mutex_lock (&self->mutex);
  was_running = self->worker_running;
  self->quit = TRUE;
  g_cancellable_cancel (self->beat_cancellable);
  wake_worker_locked (self);
  while (self->worker_running)
    g_cond_wait (&self->cond, &self->mutex);
  self->due_time = 0;
  g_mutex_unlock (&self->mutex);

  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The heartbeat was stopped");
  finish_waiting_tasks (self, NULL, error);

  if (was_running)
    {
      g_message ("Heartbeat stopped");
      set_next_beat (self, 0);
      if (self->state != UMT_HEARTBEAT_STATE_UNREGISTERED)
        set_state (self, UMT_HEARTBEAT_STATE_STOPPED);
    }
}

void
umt_heartbeat_pause (UmtHeartbeat *self)
{
  g_return_if_fail (UMT_IS_HEARTBEAT (self));

  if (self->state == UMT_HEARTBEAT_STATE_UNREGISTERED)
    return;

  g_mutex_lock (&self->mutex);
  self->paused = TRUE;
  wake_worker_locked (self);
  g_mutex_unlock (&self->mutex);

  set_next_beat (self, 0);
  set_state (self, UMT_HEARTBEAT_STATE_PAUSED);
}

void
umt_heartbeat_resume (UmtHeartbeat *self)
{
  g_return_if_fail (UMT_IS_HEARTBEAT (self));

  restart_beating (self, "asked by the user");
}

typedef struct
{
  UmtMeetingClient   *client;
  char               *device_key;
  char               *note;
  char               *cluster_ip;
  char               *public_ip_url;
  UmtDeviceInfoFlags  flags;
} OneBeat;

static void
one_beat_free (OneBeat *beat)
{
  g_clear_object (&beat->client);
  g_free (beat->device_key);
  g_free (beat->note);
  g_free (beat->cluster_ip);
  g_free (beat->public_ip_url);
  g_free (beat);
}

static void
one_beat_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  OneBeat *beat = task_data;
  GError *error = NULL;
  UmtMeetingHeartbeat *result;

  result = umt_heartbeat_beat_sync (beat->client, beat->device_key, beat->note, beat->cluster_ip,
                                    beat->public_ip_url, beat->flags, cancellable, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) umt_meeting_heartbeat_unref);
}

/* Another process owns the heartbeat and its schedule: this beat is one more, on the
 * side. The owner's state stays what it publishes; the server just hears from the
 * device once more, which is all a user asking for a beat wants. */
static void
send_one_beat_locked (UmtHeartbeat *self,
                      GTask        *task)
{
  OneBeat *beat = g_new0 (OneBeat, 1);

  beat->client = g_object_ref (self->client);
  beat->device_key = g_strdup (self->device_key);
  beat->note = g_strdup (self->note);
  beat->cluster_ip = g_strdup (self->cluster_ip);
  beat->public_ip_url = g_strdup (self->public_ip_url);
  beat->flags = self->public_ip_lookup ? UMT_DEVICE_INFO_FLAGS_NONE
                                       : UMT_DEVICE_INFO_FLAGS_NO_PUBLIC_IP;
  g_task_set_task_data (task, beat, (GDestroyNotify) one_beat_free);
  g_task_run_in_thread (task, one_beat_thread);
}

void
umt_heartbeat_send_now_async (UmtHeartbeat        *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gboolean can_send;

  g_return_if_fail (UMT_IS_HEARTBEAT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, umt_heartbeat_send_now_async);

  g_mutex_lock (&self->mutex);
  if (!self->worker_running && self->owner_pid != 0 &&
      self->device_key != NULL && self->client != NULL)
    {
      send_one_beat_locked (self, task);
      g_mutex_unlock (&self->mutex);
      return;
    }
  can_send = self->device_key != NULL && self->client != NULL && self->worker_running;
  g_mutex_unlock (&self->mutex);

  if (!can_send)
    {
      g_task_return_new_error (task, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND,
                               _("This device is not registered yet, so there is no heartbeat "
                                  "to send. Register it first."));
      return;
    }

  g_queue_push_tail (&self->waiting_tasks, g_steal_pointer (&task));

  g_mutex_lock (&self->mutex);
  if (!self->in_flight)
    {
      self->beat_requested = TRUE;
      wake_worker_locked (self);
    }
  g_mutex_unlock (&self->mutex);

  restart_beating (self, "a beat was asked for");
}

UmtMeetingHeartbeat *
umt_heartbeat_send_now_finish (UmtHeartbeat  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
umt_heartbeat_configure (UmtHeartbeat     *self,
                         UmtMeetingClient *client,
                         const char       *device_key,
                         UmtProfile       *profile)
{
  gboolean registered;
  gboolean running;

  g_return_if_fail (UMT_IS_HEARTBEAT (self));
  g_return_if_fail (client == NULL || UMT_IS_MEETING_CLIENT (client));
  g_return_if_fail (profile == NULL || UMT_IS_PROFILE (profile));

  g_mutex_lock (&self->mutex);
  g_set_object (&self->client, client);
  g_free (self->device_key);
  self->device_key = g_strdup (device_key);
  g_free (self->note);
  self->note = profile ? g_strdup (umt_profile_get_note (profile)) : NULL;
  g_free (self->cluster_ip);
  self->cluster_ip = profile ? g_strdup (umt_profile_get_cluster_ip (profile)) : NULL;
  g_free (self->public_ip_url);
  self->public_ip_url = profile ? g_strdup (umt_profile_get_public_ip_url (profile)) : NULL;
  self->public_ip_lookup = profile ? umt_profile_get_public_ip_lookup (profile) : TRUE;
  if (profile != NULL)
    {
      self->interval = umt_profile_get_heartbeat_interval (profile);
      self->recovery_interval = umt_profile_get_recovery_interval (profile);
    }

  registered = self->device_key != NULL;
  running = self->worker_running;
  /* A beat in flight for the old settings is cancelled and sent again. */
  g_cancellable_cancel (self->beat_cancellable);
  if (!registered)
    self->due_time = 0;
  wake_worker_locked (self);
  g_mutex_unlock (&self->mutex);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);

  if (!registered)
    {
      finish_waiting_tasks (self, NULL,
                            &(GError) { UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND,
                                        (char *) _("The device was unregistered.") });
      set_next_beat (self, 0);
      set_state (self, UMT_HEARTBEAT_STATE_UNREGISTERED);
    }
  else if (self->state == UMT_HEARTBEAT_STATE_UNREGISTERED)
    {
      set_state (self, running ? UMT_HEARTBEAT_STATE_ACTIVE : UMT_HEARTBEAT_STATE_STOPPED);
      if (running)
        restart_beating (self, "the device is registered");
    }
}

void
umt_heartbeat_mirror (UmtHeartbeat             *self,
                      const UmtHeartbeatStatus *status)
{
  GObject *object = G_OBJECT (self);
  GPid owner_pid = status != NULL && status->owner_alive ? status->pid : 0;
  const char *owner_program = owner_pid != 0 ? status->program : NULL;

  g_object_freeze_notify (object);

  if (self->owner_pid != owner_pid)
    {
      self->owner_pid = owner_pid;
      g_object_notify_by_pspec (object, properties[PROP_OWNER_PID]);
    }
  if (g_strcmp0 (self->owner_program, owner_program) != 0)
    {
      g_free (self->owner_program);
      self->owner_program = g_strdup (owner_program);
      g_object_notify_by_pspec (object, properties[PROP_OWNER_PROGRAM]);
    }

  if (status != NULL)
    {
      if (status->last_success != NULL &&
          (self->last_success == NULL ||
           !g_date_time_equal (self->last_success, status->last_success)))
        {
          g_clear_pointer (&self->last_success, g_date_time_unref);
          self->last_success = g_date_time_ref (status->last_success);
          g_object_notify_by_pspec (object, properties[PROP_LAST_SUCCESS]);
        }
      if (g_strcmp0 (self->server_last_seen, status->server_last_seen) != 0)
        {
          g_free (self->server_last_seen);
          self->server_last_seen = g_strdup (status->server_last_seen);
          g_object_notify_by_pspec (object, properties[PROP_SERVER_LAST_SEEN]);
        }
      if (g_strcmp0 (self->last_error, status->last_error) != 0)
        {
          g_free (self->last_error);
          self->last_error = g_strdup (status->last_error);
          g_object_notify_by_pspec (object, properties[PROP_LAST_ERROR]);
        }
      if (self->failures != status->consecutive_failures)
        {
          self->failures = status->consecutive_failures;
          g_object_notify_by_pspec (object, properties[PROP_CONSECUTIVE_FAILURES]);
        }
      g_clear_pointer (&self->next_beat, g_date_time_unref);
      self->next_beat = status->next_beat != NULL ? g_date_time_ref (status->next_beat) : NULL;
      g_object_notify_by_pspec (object, properties[PROP_NEXT_BEAT]);
      /* A registered device with no owner left is not beating, whatever was last said. */
      set_state (self, owner_pid != 0 || status->state == UMT_HEARTBEAT_STATE_UNREGISTERED
                       ? status->state : UMT_HEARTBEAT_STATE_STOPPED);
    }

  g_object_thaw_notify (object);
}

GPid
umt_heartbeat_get_owner_pid (UmtHeartbeat *self)
{
  g_return_val_if_fail (UMT_IS_HEARTBEAT (self), 0);
  return self->owner_pid;
}

const char *
umt_heartbeat_get_owner_program (UmtHeartbeat *self)
{
  g_return_val_if_fail (UMT_IS_HEARTBEAT (self), NULL);
  return self->owner_program;
}

UmtHeartbeatState
umt_heartbeat_get_state (UmtHeartbeat *self)
{
  g_return_val_if_fail (UMT_IS_HEARTBEAT (self), UMT_HEARTBEAT_STATE_STOPPED);
  return self->state;
}

GDateTime *
umt_heartbeat_get_last_success (UmtHeartbeat *self)
{
  g_return_val_if_fail (UMT_IS_HEARTBEAT (self), NULL);
  return self->last_success;
}

const char *
umt_heartbeat_get_server_last_seen (UmtHeartbeat *self)
{
  g_return_val_if_fail (UMT_IS_HEARTBEAT (self), NULL);
  return self->server_last_seen;
}

const char *
umt_heartbeat_get_last_error (UmtHeartbeat *self)
{
  g_return_val_if_fail (UMT_IS_HEARTBEAT (self), NULL);
  return self->last_error;
}

guint
umt_heartbeat_get_consecutive_failures (UmtHeartbeat *self)
{
  g_return_val_if_fail (UMT_IS_HEARTBEAT (self), 0);
  return self->failures;
}

GDateTime *
umt_heartbeat_get_next_beat (UmtHeartbeat *self)
{
  g_return_val_if_fail (UMT_IS_HEARTBEAT (self), NULL);
  return self->next_beat;
}

guint
umt_heartbeat_get_interval (UmtHeartbeat *self)
{
  guint interval;

  g_return_val_if_fail (UMT_IS_HEARTBEAT (self), 0);

  g_mutex_lock (&self->mutex);
  interval = self->interval;
  g_mutex_unlock (&self->mutex);

  return interval;
}

void
umt_heartbeat_set_interval (UmtHeartbeat *self,
                            guint         seconds)
{
  g_return_if_fail (UMT_IS_HEARTBEAT (self));
  g_return_if_fail (seconds >= 1 && seconds <= 3600);

  g_mutex_lock (&self->mutex);
  if (self->interval == seconds)
    {
      g_mutex_unlock (&self->mutex);
      return;
    }
  self->interval = seconds;
  /* A shorter interval takes effect now, not after the old one. */
  if (self->due_time != 0 && self->worker_failures == 0)
    self->due_time = MIN (self->due_time, g_get_monotonic_time () + umt_heartbeat_jittered_interval_us (seconds));
  wake_worker_locked (self);
  g_mutex_unlock (&self->mutex);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

static void
umt_heartbeat_dispose (GObject *object)
{
  UmtHeartbeat *self = UMT_HEARTBEAT (object);

  umt_heartbeat_stop (self);

  G_OBJECT_CLASS (umt_heartbeat_parent_class)->dispose (object);
}

static void
umt_heartbeat_finalize (GObject *object)
{
  UmtHeartbeat *self = UMT_HEARTBEAT (object);

  g_clear_pointer (&self->last_success, g_date_time_unref);
  g_clear_pointer (&self->next_beat, g_date_time_unref);
  g_free (self->server_last_seen);
  g_free (self->last_error);
  g_free (self->owner_program);
  g_clear_object (&self->client);
  g_free (self->device_key);
  g_free (self->note);
  g_free (self->cluster_ip);
  g_free (self->public_ip_url);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (umt_heartbeat_parent_class)->finalize (object);
}

static void
umt_heartbeat_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  UmtHeartbeat *self = UMT_HEARTBEAT (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_LAST_SUCCESS:
      g_value_set_boxed (value, self->last_success);
      break;
    case PROP_SERVER_LAST_SEEN:
      g_value_set_string (value, self->server_last_seen);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_CONSECUTIVE_FAILURES:
      g_value_set_uint (value, self->failures);
      break;
    case PROP_NEXT_BEAT:
      g_value_set_boxed (value, self->next_beat);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, umt_heartbeat_get_interval (self));
      break;
    case PROP_RETRY_BASE_MS:
      g_value_set_uint (value, self->retry_base_ms);
      break;
    case PROP_OWNER_PID:
      g_value_set_int (value, (int) self->owner_pid);
      break;
    case PROP_OWNER_PROGRAM:
      g_value_set_string (value, self->owner_program);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
umt_heartbeat_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  UmtHeartbeat *self = UMT_HEARTBEAT (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      umt_heartbeat_set_interval (self, g_value_get_uint (value));
      break;
    case PROP_RETRY_BASE_MS:
      self->retry_base_ms = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
umt_heartbeat_class_init (UmtHeartbeatClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = umt_heartbeat_dispose;
  object_class->finalize = umt_heartbeat_finalize;
  object_class->get_property = umt_heartbeat_get_property;
  object_class->set_property = umt_heartbeat_set_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       UMT_TYPE_HEARTBEAT_STATE, UMT_HEARTBEAT_STATE_UNREGISTERED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SUCCESS] =
    g_param_spec_boxed ("last-success", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_LAST_SEEN] =
    g_param_spec_string ("server-last-seen", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONSECUTIVE_FAILURES] =
    g_param_spec_uint ("consecutive-failures", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEXT_BEAT] =
    g_param_spec_boxed ("next-beat", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 1, 3600, UMT_HEARTBEAT_DEFAULT_INTERVAL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RETRY_BASE_MS] =
    g_param_spec_uint ("retry-base-ms", NULL, NULL, 1, 60000, UMT_HEARTBEAT_RETRY_BASE_MS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OWNER_PID] =
    g_param_spec_int ("owner-pid", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OWNER_PROGRAM] =
    g_param_spec_string ("owner-program", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
umt_heartbeat_init (UmtHeartbeat *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_queue_init (&self->waiting_tasks);
  self->context = g_main_context_ref_thread_default ();
  self->interval = UMT_HEARTBEAT_DEFAULT_INTERVAL;
  self->recovery_interval = UMT_PROFILE_DEFAULT_RECOVERY_INTERVAL;
  self->retry_base_ms = UMT_HEARTBEAT_RETRY_BASE_MS;
  self->public_ip_lookup = TRUE;
  self->state = UMT_HEARTBEAT_STATE_UNREGISTERED;
}

UmtHeartbeat *
umt_heartbeat_new (void)
{
  return g_object_new (UMT_TYPE_HEARTBEAT, NULL);
}
