/* umt-diagnostics.c: runs of the checks, blocking or in a thread, and their report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-diagnostics"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "umt-diagnostics.h"
#include "umt-diagnostics-checks.h"
#include "umt-main-context.h"

struct _UmtDiagnostics
{
  GObject           parent_instance;

  UmtDeviceManager       *manager;
  GError                 *load_error;
  UmtDiagnosticsSnapshot *last_snapshot;
  GPtrArray              *results;
  GDateTime              *run_time;
  gboolean                running;
};

G_DEFINE_FINAL_TYPE (UmtDiagnostics, umt_diagnostics, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (UmtDiagnosticResult, umt_diagnostic_result,
                     umt_diagnostic_result_copy, umt_diagnostic_result_free)

enum { PROP_0, PROP_RUNNING, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { CHECK_DONE, N_SIGNALS };
static guint signals[N_SIGNALS];

UmtDiagnosticResult *
umt_diagnostic_result_copy (const UmtDiagnosticResult *result)
{
  UmtDiagnosticResult *copy = g_new0 (UmtDiagnosticResult, 1);

  copy->id = g_strdup (result->id);
  copy->title = g_strdup (result->title);
  copy->status = result->status;
  copy->detail = g_strdup (result->detail);
  copy->hint = g_strdup (result->hint);
  return copy;
}

void
umt_diagnostic_result_free (UmtDiagnosticResult *result)
{
  if (result == NULL)
    return;
  g_free (result->id);
  g_free (result->title);
  g_free (result->detail);
  g_free (result->hint);
  g_free (result);
}

const char *
umt_diagnostic_status_to_string (UmtDiagnosticStatus status)
{
  switch (status)
    {
    case UMT_DIAGNOSTIC_OK:
      return "ok";
    case UMT_DIAGNOSTIC_FAIL:
      return "fail";
    case UMT_DIAGNOSTIC_SKIP:
    default:
      return "skip";
    }
}

static UmtDiagnosticsSnapshot *
take_snapshot (UmtDiagnostics *self)
{
  UmtDiagnosticsSnapshot *snapshot = g_new0 (UmtDiagnosticsSnapshot, 1);
  UmtProfile *profile;

  if (self->manager == NULL)
    {
      snapshot->load_error = g_error_copy (self->load_error);
      return snapshot;
    }

  profile = umt_device_manager_get_profile (self->manager);
  snapshot->state_problem = g_strdup (umt_device_manager_get_state_problem (self->manager));
  snapshot->server_url = g_strdup (umt_device_manager_get_server_url (self->manager));
  /* A URL given for one run (`umt --server`) is not the environment's. */
  snapshot->server_from_env = umt_device_manager_get_server_url_overridden (self->manager) &&
                              g_strcmp0 (snapshot->server_url, g_getenv ("MEETING_SERVER_URL")) == 0;
  snapshot->profile_name = g_strdup (umt_profile_get_name (profile));
  snapshot->verify_tls = umt_profile_get_verify_tls (profile);
  snapshot->allow_insecure_http = umt_profile_get_allow_insecure_http (profile);
  snapshot->registered = umt_device_manager_get_registered (self->manager);
  snapshot->device_key = g_strdup (umt_device_manager_get_device_key (self->manager));
  return snapshot;
}

static void
set_running (UmtDiagnostics *self,
             gboolean        running)
{
  if (self->running == running)
    return;
  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
begin_run (UmtDiagnostics         *self,
           UmtDiagnosticsSnapshot *snapshot)
{
  g_ptr_array_set_size (self->results, 0);
  g_clear_pointer (&self->last_snapshot, umt_diagnostics_snapshot_free);
  self->last_snapshot = g_new0 (UmtDiagnosticsSnapshot, 1);
  self->last_snapshot->server_url = g_strdup (snapshot->server_url);
  self->last_snapshot->profile_name = g_strdup (snapshot->profile_name);
  g_clear_pointer (&self->run_time, g_date_time_unref);
  self->run_time = g_date_time_new_now_local ();
  set_running (self, TRUE);
}

static void
add_result (UmtDiagnostics      *self,
            UmtDiagnosticResult *result)
{
  g_ptr_array_add (self->results, result);
  g_signal_emit (self, signals[CHECK_DONE], 0, result);
}

static gpointer
copy_result (gconstpointer result,
             gpointer      user_data)
{
  return umt_diagnostic_result_copy (result);
}

static GPtrArray *
copy_results (UmtDiagnostics *self)
{
  return g_ptr_array_copy (self->results, copy_result, NULL);
}

static void
emit_now (UmtDiagnosticResult *result,
          gpointer             user_data)
{
  add_result (user_data, result);
}

GPtrArray *
umt_diagnostics_run_sync (UmtDiagnostics  *self,
                          GCancellable    *cancellable,
                          GError         **error)
{
  g_autoptr(UmtDiagnosticsSnapshot) snapshot = NULL;
  gboolean done;

  g_return_val_if_fail (UMT_IS_DIAGNOSTICS (self), NULL);
  g_return_val_if_fail (!self->running, NULL);

  snapshot = take_snapshot (self);
  begin_run (self, snapshot);
  done = umt_diagnostics_run_checks (snapshot, cancellable, emit_now, self);
  set_running (self, FALSE);
  if (!done)
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return NULL;
    }
  return copy_results (self);
}

/* The async run: the worker hands each result to the caller's context. */
typedef struct
{
  UmtDiagnosticsSnapshot *snapshot;
  GMainContext           *context;
} Run;

static void
run_free (Run *run)
{
  umt_diagnostics_snapshot_free (run->snapshot);
  g_main_context_unref (run->context);
  g_free (run);
}

typedef struct
{
  GTask               *task;
  UmtDiagnosticResult *result;
} Delivery;

static void
delivery_free (Delivery *delivery)
{
  g_object_unref (delivery->task);
  umt_diagnostic_result_free (delivery->result);
  g_free (delivery);
}

static gboolean
deliver (gpointer user_data)
{
  Delivery *delivery = user_data;

  /* Whoever cancelled no longer wants to hear of this run. */
  if (!g_cancellable_is_cancelled (g_task_get_cancellable (delivery->task)))
    add_result (g_task_get_source_object (delivery->task), g_steal_pointer (&delivery->result));
  return G_SOURCE_REMOVE;
}

static void
emit_in_context (UmtDiagnosticResult *result,
                 gpointer             user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  Delivery *delivery = g_new0 (Delivery, 1);

  delivery->task = g_object_ref (task);
  delivery->result = result;
  umt_main_context_hand_over (run->context, deliver, delivery, (GDestroyNotify) delivery_free);
}

static gboolean
finish_in_context (gpointer user_data)
{
  GTask *task = user_data;
  UmtDiagnostics *self = g_task_get_source_object (task);

  set_running (self, FALSE);
  if (!g_task_return_error_if_cancelled (task))
    g_task_return_pointer (task, copy_results (self), (GDestroyNotify) g_ptr_array_unref);
  return G_SOURCE_REMOVE;
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Run *run = task_data;

  umt_diagnostics_run_checks (run->snapshot, cancellable, emit_in_context, task);
  /* Queued after the last result, so the caller hears them all first. */
  umt_main_context_hand_over (run->context, finish_in_context, g_object_ref (task), g_object_unref);
}

void
umt_diagnostics_run_async (UmtDiagnostics      *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Run *run;

  g_return_if_fail (UMT_IS_DIAGNOSTICS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, umt_diagnostics_run_async);
  if (self->running)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The checks are already running."));
      return;
    }

  run = g_new0 (Run, 1);
  run->snapshot = take_snapshot (self);
  run->context = g_main_context_ref_thread_default ();
  begin_run (self, run->snapshot);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  g_task_run_in_thread (task, run_in_thread);
}

GPtrArray *
umt_diagnostics_run_finish (UmtDiagnostics  *self,
                            GAsyncResult    *result,
                            GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == umt_diagnostics_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
umt_diagnostics_get_running (UmtDiagnostics *self)
{
  g_return_val_if_fail (UMT_IS_DIAGNOSTICS (self), FALSE);
  return self->running;
}

GPtrArray *
umt_diagnostics_get_results (UmtDiagnostics *self)
{
  g_return_val_if_fail (UMT_IS_DIAGNOSTICS (self), NULL);
  return self->results;
}

gboolean
umt_diagnostics_get_failed (UmtDiagnostics *self)
{
  g_return_val_if_fail (UMT_IS_DIAGNOSTICS (self), FALSE);

  for (guint i = 0; i < self->results->len; i++)
    if (((UmtDiagnosticResult *) g_ptr_array_index (self->results, i))->status == UMT_DIAGNOSTIC_FAIL)
      return TRUE;
  return FALSE;
}

static const char *
status_label (UmtDiagnosticStatus status)
{
  switch (status)
    {
    case UMT_DIAGNOSTIC_OK:
      return _("OK");
    case UMT_DIAGNOSTIC_FAIL:
      return _("FAILED");
    case UMT_DIAGNOSTIC_SKIP:
    default:
      return _("skipped");
    }
}

char *
umt_diagnostics_format_report (UmtDiagnostics *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (UMT_IS_DIAGNOSTICS (self), NULL);

  g_string_append_printf (text, "%s\n", _("Updates Manager Tool — diagnostics"));
  if (self->run_time != NULL)
    {
      g_autofree char *when = g_date_time_format (self->run_time, "%Y-%m-%d %H:%M:%S %z");

      g_string_append_printf (text, _("Date: %s\n"), when);
    }
  if (self->last_snapshot != NULL && self->last_snapshot->server_url != NULL)
    {
      g_string_append_printf (text, _("Server: %s\n"), self->last_snapshot->server_url);
      g_string_append_printf (text, _("Profile: %s\n"), self->last_snapshot->profile_name);
    }
  g_string_append_printf (text, _("Version: %s\n"), PACKAGE_VERSION);

  for (guint i = 0; i < self->results->len; i++)
    {
      UmtDiagnosticResult *result = g_ptr_array_index (self->results, i);

      g_string_append_printf (text, "\n[%s] %s (%s)\n", status_label (result->status),
                              result->title, result->id);
      if (result->detail != NULL && result->detail[0] != '\0')
        g_string_append_printf (text, "    %s\n", result->detail);
      if (result->hint != NULL)
        g_string_append_printf (text, _("    Hint: %s\n"), result->hint);
    }
  if (self->results->len == 0)
    g_string_append_printf (text, "\n%s\n", _("No checks have run."));
  return g_string_free (text, FALSE);
}

static void
umt_diagnostics_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  UmtDiagnostics *self = UMT_DIAGNOSTICS (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
umt_diagnostics_finalize (GObject *object)
{
  UmtDiagnostics *self = UMT_DIAGNOSTICS (object);

  g_clear_object (&self->manager);
  g_clear_error (&self->load_error);
  g_clear_pointer (&self->last_snapshot, umt_diagnostics_snapshot_free);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_clear_pointer (&self->run_time, g_date_time_unref);

  G_OBJECT_CLASS (umt_diagnostics_parent_class)->finalize (object);
}

static void
umt_diagnostics_class_init (UmtDiagnosticsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = umt_diagnostics_get_property;
  object_class->finalize = umt_diagnostics_finalize;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHECK_DONE] =
    g_signal_new ("check-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  UMT_TYPE_DIAGNOSTIC_RESULT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
umt_diagnostics_init (UmtDiagnostics *self)
{
  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) umt_diagnostic_result_free);
}

UmtDiagnostics *
umt_diagnostics_new (UmtDeviceManager *manager)
{
  UmtDiagnostics *self;

  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (manager), NULL);

  self = g_object_new (UMT_TYPE_DIAGNOSTICS, NULL);
  self->manager = g_object_ref (manager);
  return self;
}

UmtDiagnostics *
umt_diagnostics_new_for_load_error (const GError *load_error)
{
  UmtDiagnostics *self;

  g_return_val_if_fail (load_error != NULL, NULL);

  self = g_object_new (UMT_TYPE_DIAGNOSTICS, NULL);
  self->load_error = g_error_copy (load_error);
  return self;
}
