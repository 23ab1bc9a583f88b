/* umt-heartbeat-worker.c: the thread that sends the beats
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-heartbeat-worker"

#include "config.h"

#include "umt-device-info.h"
#include "umt-heartbeat-private.h"
#include "umt-log.h"
#include "umt-main-context.h"

/* ±10 % so that a fleet started together does not beat in step. */
gint64
umt_heartbeat_jittered_interval_us (guint interval)
{
  double factor = g_random_double_range (0.9, 1.1);

  return (gint64) (interval * factor * G_USEC_PER_SEC);
}

void
umt_heartbeat_update_free (gpointer data)
{
  Update *update = data;

  g_weak_ref_clear (&update->self);
  g_clear_pointer (&update->result, umt_meeting_heartbeat_unref);
  g_clear_error (&update->error);
  g_free (update);
}

/* Under the mutex, after a beat: the new schedule and state. */
static void
decide_locked (UmtHeartbeat *self,
               Update       *update)
{
  gint64 now = g_get_monotonic_time ();

  if (update->error == NULL)
    {
      self->worker_failures = 0;
      self->given_up = FALSE;
      self->due_time = now + umt_heartbeat_jittered_interval_us (self->interval);
    }
  else
    {
      gboolean unknown = g_error_matches (update->error, UMT_MEETING_ERROR,
                                          UMT_MEETING_ERROR_NOT_FOUND);

      self->worker_failures++;

      /* The guide's stop after the fast retries; then a slow probe, so that
       * an unattended device comes back by itself after an outage. A device
       * the server does not know stays stopped. */
      if (unknown || self->worker_failures >= UMT_HEARTBEAT_MAX_FAILURES)
        {
          self->given_up = TRUE;
          self->due_time = !unknown && self->recovery_interval > 0
                           ? now + umt_heartbeat_jittered_interval_us (self->recovery_interval)
                           : 0;
        }
      else
        {
          self->due_time = now + (gint64) umt_heartbeat_retry_delay_ms (self->retry_base_ms,
                                                                        self->worker_failures) * 1000;
        }
    }

  update->failures = self->worker_failures;
  update->due_time = self->paused ? 0 : self->due_time;

  if (self->paused)
    update->state = UMT_HEARTBEAT_STATE_PAUSED;
  else if (self->given_up)
    update->state = UMT_HEARTBEAT_STATE_STOPPED;
  else if (self->worker_failures > 0)
    update->state = UMT_HEARTBEAT_STATE_RETRYING;
  else
    update->state = UMT_HEARTBEAT_STATE_ACTIVE;
}

static void
log_outcome (const char *device_key,
             Update     *update)
{
  if (update->error == NULL)
    g_message ("Heartbeat sent for %s; server last_seen %s", device_key,
               update->result->last_seen ? update->result->last_seen : "(not given)");
  else if (update->state == UMT_HEARTBEAT_STATE_STOPPED)
    UMT_LOG_ERROR ("Heartbeat stopped after %u failure(s): %s",
                   update->failures, update->error->message);
  else
    UMT_LOG_WARNING ("Heartbeat failed (%u/%u): %s", update->failures,
                     UMT_HEARTBEAT_MAX_FAILURES, update->error->message);
}

UmtMeetingHeartbeat *
umt_heartbeat_beat_sync (UmtMeetingClient   *client,
                         const char         *device_key,
                         const char         *note,
                         const char         *cluster_ip,
                         const char         *public_ip_url,
                         UmtDeviceInfoFlags  flags,
                         GCancellable       *cancellable,
                         GError            **error)
{
  g_autoptr(UmtDeviceInfo) info = NULL;
  g_autoptr(JsonObject) fields = NULL;

  info = umt_device_info_collect (note, cluster_ip, public_ip_url, flags, cancellable);
  fields = umt_device_info_to_json (info);
  g_debug ("Heartbeat payload: ip_address=%s ip_lan=%s ip_public=%s mac=%s",
           umt_device_info_get_ip_address (info), umt_device_info_get_ip_lan (info),
           umt_device_info_get_ip_public (info), umt_device_info_get_mac (info));
  return umt_meeting_client_online_sync (client, device_key, fields, cancellable, error);
}

static gboolean
beat_due_locked (UmtHeartbeat *self)
{
  return self->device_key != NULL && !self->paused && self->due_time != 0 &&
         g_get_monotonic_time () >= self->due_time;
}

void
umt_heartbeat_worker (GTask        *task,
        gpointer      source_object,
        gpointer      task_data,
        GCancellable *unused)
{
  UmtHeartbeat *self = task_data;

  g_mutex_lock (&self->mutex);

  while (!self->quit)
    {
      g_autoptr(UmtMeetingClient) client = NULL;
      g_autoptr(GCancellable) cancellable = NULL;
      g_autofree char *device_key = NULL;
      g_autofree char *note = NULL;
      g_autofree char *cluster_ip = NULL;
      g_autofree char *public_ip_url = NULL;
      UmtDeviceInfoFlags flags;
      Update *update;

      if (!self->beat_requested && !beat_due_locked (self))
        {
          if (self->device_key != NULL && !self->paused && self->due_time != 0)
            g_cond_wait_until (&self->cond, &self->mutex, self->due_time);
          else
            g_cond_wait (&self->cond, &self->mutex);
          continue;
        }

      self->beat_requested = FALSE;
      if (self->device_key == NULL || self->client == NULL)
        continue;

      self->in_flight = TRUE;
      self->beat_cancellable = g_cancellable_new ();
      cancellable = g_object_ref (self->beat_cancellable);
      client = g_object_ref (self->client);
      device_key = g_strdup (self->device_key);
      note = g_strdup (self->note);
      cluster_ip = g_strdup (self->cluster_ip);
      public_ip_url = g_strdup (self->public_ip_url);
      flags = self->public_ip_lookup ? UMT_DEVICE_INFO_FLAGS_NONE
                                     : UMT_DEVICE_INFO_FLAGS_NO_PUBLIC_IP;
      g_mutex_unlock (&self->mutex);

      update = g_new0 (Update, 1);
      g_weak_ref_init (&update->self, self);

      update->result = umt_heartbeat_beat_sync (client, device_key, note, cluster_ip,
                                                public_ip_url, flags, cancellable,
                                                &update->error);

      g_mutex_lock (&self->mutex);
      self->in_flight = FALSE;
      g_clear_object (&self->beat_cancellable);

      if (self->quit)
        {
          umt_heartbeat_update_free (update);
          break;
        }

      if (g_error_matches (update->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Cancelled by a reconfiguration: the next beat is due at once. */
          self->beat_requested = TRUE;
          umt_heartbeat_update_free (update);
          continue;
        }

      decide_locked (self, update);
      log_outcome (device_key, update);
      umt_main_context_hand_over (self->context, umt_heartbeat_apply_update, update,
                                  umt_heartbeat_update_free);
    }

  self->worker_running = FALSE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}
