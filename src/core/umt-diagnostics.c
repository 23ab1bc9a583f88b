/* umt-diagnostics.c: each link from this computer to its server, checked in turn
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-diagnostics"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "umt-diagnostics.h"
#include "umt-meeting-client.h"
#include "umt-meeting-error.h"
#include "umt-secret-store.h"
#include "umt-validate.h"

/* Long enough for a slow server, short enough that a resolver or a server
 * that never answers does not leave the user waiting. */
#define DIAGNOSE_TIMEOUT 5

/* What a run needs from the device manager, copied on the caller's thread:
 * the worker never touches the manager, which belongs to the main thread. */
typedef struct
{
  GError   *load_error;
  char     *server_url;
  gboolean  server_from_env;
  char     *profile_name;
  gboolean  verify_tls;
  gboolean  allow_insecure_http;
  gboolean  registered;
  char     *device_key;
} Snapshot;

struct _UmtDiagnostics
{
  GObject           parent_instance;

  UmtDeviceManager *manager;
  GError           *load_error;
  Snapshot         *last_snapshot;
  GPtrArray        *results;
  GDateTime        *run_time;
  gboolean          running;
};

G_DEFINE_FINAL_TYPE (UmtDiagnostics, umt_diagnostics, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (UmtDiagnosticResult, umt_diagnostic_result,
                     umt_diagnostic_result_copy, umt_diagnostic_result_free)

enum { PROP_0, PROP_RUNNING, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { CHECK_DONE, N_SIGNALS };
static guint signals[N_SIGNALS];

static const struct
{
  const char *id;
  const char *title;
} check_titles[UMT_DIAGNOSTICS_N_CHECKS] = {
  { "config",  N_("Configuration files") },
  { "profile", N_("Server profile") },
  { "dns",     N_("Server name (DNS)") },
  { "tcp",     N_("Connection to the server") },
  { "tls",     N_("Secure connection (TLS)") },
  { "api",     N_("Meeting server") },
  { "device",  N_("This device on the server") },
  { "keyring", N_("Keyring") },
};

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

static void
snapshot_free (Snapshot *snapshot)
{
  g_clear_error (&snapshot->load_error);
  g_free (snapshot->server_url);
  g_free (snapshot->profile_name);
  g_free (snapshot->device_key);
  g_free (snapshot);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Snapshot, snapshot_free)

static Snapshot *
take_snapshot (UmtDiagnostics *self)
{
  Snapshot *snapshot = g_new0 (Snapshot, 1);
  UmtProfile *profile;

  if (self->manager == NULL)
    {
      snapshot->load_error = g_error_copy (self->load_error);
      return snapshot;
    }

  profile = umt_device_manager_get_profile (self->manager);
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

/* Where the results of the worker go: straight to the object (blocking
 * run) or through the caller's main context (async run). Takes @result. */
typedef void (*EmitFunc) (UmtDiagnosticResult *result,
                          gpointer             user_data);

typedef struct
{
  EmitFunc  emit;
  gpointer  emit_data;
  guint     next;
} Checker;

static void
report (Checker             *checker,
        UmtDiagnosticStatus  status,
        const char          *detail,
        const char          *hint)
{
  UmtDiagnosticResult *result = g_new0 (UmtDiagnosticResult, 1);

  g_assert (checker->next < UMT_DIAGNOSTICS_N_CHECKS);
  result->id = g_strdup (check_titles[checker->next].id);
  result->title = g_strdup (_(check_titles[checker->next].title));
  result->status = status;
  result->detail = g_strdup (detail != NULL ? detail : "");
  result->hint = status == UMT_DIAGNOSTIC_FAIL ? g_strdup (hint) : NULL;
  checker->next++;
  checker->emit (result, checker->emit_data);
}

static void
skip_until (Checker    *checker,
            const char *id,
            const char *detail)
{
  while (checker->next < UMT_DIAGNOSTICS_N_CHECKS &&
         strcmp (check_titles[checker->next].id, id) != 0)
    report (checker, UMT_DIAGNOSTIC_SKIP, detail, NULL);
}

typedef struct
{
  GAsyncResult *result;
  gboolean      timed_out;
  GCancellable *cancellable;
} Wait;

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

static gboolean
on_resolve_timeout (gpointer user_data)
{
  Wait *wait = user_data;

  wait->timed_out = TRUE;
  g_cancellable_cancel (wait->cancellable);
  return G_SOURCE_REMOVE;
}

static void
cancel_other (GCancellable *cancellable,
              gpointer      other)
{
  g_cancellable_cancel (other);
}

/* GLib 2.74's resolver has no timeout of its own: the lookup runs on a main
 * context private to this thread, abandoned after DIAGNOSE_TIMEOUT. */
static GList *
resolve (const char    *host,
         GCancellable  *cancellable,
         GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autoptr(GCancellable) lookup_cancellable = g_cancellable_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (DIAGNOSE_TIMEOUT);
  g_autoptr(GError) local_error = NULL;
  Wait wait = { NULL, FALSE, lookup_cancellable };
  gulong handler = 0;
  GList *addresses;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_other),
                                     g_object_ref (lookup_cancellable), g_object_unref);
  g_main_context_push_thread_default (context);
  g_source_set_callback (timeout, on_resolve_timeout, &wait, NULL);
  g_source_attach (timeout, context);
  g_resolver_lookup_by_name_async (resolver, host, lookup_cancellable, on_resolved, &wait);
  while (wait.result == NULL)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  addresses = g_resolver_lookup_by_name_finish (resolver, wait.result, &local_error);
  g_object_unref (wait.result);
  g_main_context_pop_thread_default (context);
  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, handler);

  if (addresses == NULL && wait.timed_out &&
      !g_cancellable_is_cancelled (cancellable))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                 _("The name server did not answer within %d seconds."), DIAGNOSE_TIMEOUT);
  else if (addresses == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return addresses;
}

static gboolean
accept_any_certificate (GTlsConnection       *connection,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  return TRUE;
}

/* dns, tcp and tls; TRUE when the server can be talked to. */
static gboolean
check_network (Checker      *checker,
               Snapshot     *snapshot,
               GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = g_uri_parse (snapshot->server_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *first = NULL;
  GList *addresses;
  const char *host;
  gboolean https;
  int port;

  if (uri == NULL)
    {
      skip_until (checker, "api", _("There is no valid server URL."));
      return FALSE;
    }
  host = g_uri_get_host (uri);
  https = g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0;
  port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : (https ? 443 : 80);

  addresses = resolve (host, cancellable, &error);
  if (addresses == NULL)
    {
      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      report (checker, UMT_DIAGNOSTIC_FAIL, error->message,
              _("Check the host name in the server URL and this computer’s DNS settings."));
      skip_until (checker, "api", _("The host name did not resolve."));
      return FALSE;
    }
  first = g_inet_address_to_string (addresses->data);
  g_resolver_free_addresses (addresses);
  detail = g_strdup_printf (_("%s resolves to %s."), host, first);
  report (checker, UMT_DIAGNOSTIC_OK, detail, NULL);
  g_clear_pointer (&detail, g_free);

  g_socket_client_set_timeout (client, DIAGNOSE_TIMEOUT);
  connectable = g_network_address_new (host, (guint16) port);
  connection = g_socket_client_connect (client, connectable, cancellable, &error);
  if (connection == NULL)
    {
      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      report (checker, UMT_DIAGNOSTIC_FAIL, error->message,
              _("Check that the server runs and that no firewall or proxy blocks the port."));
      skip_until (checker, "api", _("There is no connection."));
      return FALSE;
    }
  detail = g_strdup_printf (_("Connected to %s port %d."), host, port);
  report (checker, UMT_DIAGNOSTIC_OK, detail, NULL);

  if (!https)
    {
      report (checker, UMT_DIAGNOSTIC_SKIP, _("Plain HTTP: no TLS."), NULL);
      return TRUE;
    }

  tls = g_tls_client_connection_new (G_IO_STREAM (connection), connectable, &error);
  if (tls != NULL && !snapshot->verify_tls)
    g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  if (tls == NULL || !g_tls_connection_handshake (G_TLS_CONNECTION (tls), cancellable, &error))
    {
      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      report (checker, UMT_DIAGNOSTIC_FAIL, error->message,
              _("The server’s certificate is not trusted or the handshake failed: check the URL, "
                "the system’s CA certificates and the clock of this computer."));
      return FALSE;
    }
  report (checker, UMT_DIAGNOSTIC_OK,
          snapshot->verify_tls ? _("Handshake done, certificate trusted.")
                               : _("Handshake done (certificate not verified: the profile does not verify TLS)."),
          NULL);
  g_io_stream_close (tls, NULL, NULL);
  return TRUE;
}

/* A server that fails is not the same trouble as an address that is not a
 * Meeting server at all: the user calls someone else. */
static const char *
api_hint (const GError *error)
{
  if (g_error_matches (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_SERVER) ||
      g_error_matches (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_UNAVAILABLE))
    return _("The Meeting server has a problem of its own: try again later, and tell your administrator if it lasts.");
  if (g_error_matches (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_TIMEOUT))
    return _("The server is slow to answer: try again later, and tell your administrator if it lasts.");
  return _("The address answers but not as a Meeting server: check the URL (scheme, host, port).");
}

static void
check_server (Checker      *checker,
              Snapshot     *snapshot,
              gboolean      reachable,
              GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtMeetingClient) probe = NULL;
  g_autoptr(UmtMeetingApiInfo) api_info = NULL;
  g_autoptr(UmtMeetingDevice) device = NULL;
  g_autofree char *detail = NULL;

  if (reachable)
    probe = umt_meeting_client_new_full (snapshot->server_url, DIAGNOSE_TIMEOUT, 0,
                                         snapshot->verify_tls, NULL, &error);
  if (probe != NULL)
    api_info = umt_meeting_client_get_api_info_sync (probe, cancellable, &error);
  if (g_cancellable_is_cancelled (cancellable))
    return;
  if (api_info != NULL)
    {
      detail = g_strdup_printf (_("%s, version %s."), api_info->status, api_info->version);
      report (checker, UMT_DIAGNOSTIC_OK, detail, NULL);
      g_clear_pointer (&detail, g_free);
    }
  else if (error != NULL)
    {
      report (checker, UMT_DIAGNOSTIC_FAIL, error->message, api_hint (error));
      g_clear_error (&error);
    }
  else
    report (checker, UMT_DIAGNOSTIC_SKIP, _("The server is not reachable."), NULL);

  if (!snapshot->registered)
    {
      report (checker, UMT_DIAGNOSTIC_SKIP, _("This device is not registered."), NULL);
      return;
    }
  if (api_info == NULL)
    {
      report (checker, UMT_DIAGNOSTIC_SKIP, _("The server did not answer."), NULL);
      return;
    }
  device = umt_meeting_client_get_device_sync (probe, snapshot->device_key, cancellable, &error);
  if (g_cancellable_is_cancelled (cancellable))
    return;
  if (device == NULL)
    {
      report (checker, UMT_DIAGNOSTIC_FAIL, error->message,
              _("Check the device key and the server, or ask your administrator whether the device still exists."));
      return;
    }
  detail = g_strdup_printf (device->authorized ? _("The server knows %s (authorized).")
                                               : _("The server knows %s (not authorized)."),
                            snapshot->device_key);
  report (checker, UMT_DIAGNOSTIC_OK, detail, NULL);
}

static void
check_keyring (Checker      *checker,
               Snapshot     *snapshot,
               GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  /* A lookup of something that may not exist reaches the Secret Service
   * without storing anything. */
  secret = umt_secret_store_lookup_sync (UMT_SECRET_TUNNEL_TOKEN,
                                         snapshot->registered ? snapshot->device_key : "umt-diagnose",
                                         NULL, cancellable, &error);
  if (g_cancellable_is_cancelled (cancellable))
    return;
  if (error != NULL)
    report (checker, UMT_DIAGNOSTIC_FAIL, error->message,
            _("Install and start a Secret Service (gnome-keyring, KeePassXC) and unlock its login collection."));
  else
    report (checker, UMT_DIAGNOSTIC_OK,
            snapshot->registered && secret == NULL ? _("The keyring answers, but holds no tunnel token for this device.")
                                                   : _("The keyring answers."), NULL);
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
}

/* Every check in order; FALSE when cancelled on the way. */
static gboolean
run_checks (Snapshot     *snapshot,
            GCancellable *cancellable,
            EmitFunc      emit,
            gpointer      emit_data)
{
  g_autoptr(GError) error = NULL;
  Checker checker = { emit, emit_data, 0 };
  gboolean reachable = FALSE;

  if (snapshot->load_error != NULL)
    {
      report (&checker, UMT_DIAGNOSTIC_FAIL, snapshot->load_error->message,
              _("Fix or remove the file named; a fresh profiles.json is created on the next start."));
      report (&checker, UMT_DIAGNOSTIC_SKIP, _("There are no profiles."), NULL);
      skip_until (&checker, "keyring", _("There is no server URL."));
    }
  else
    {
      report (&checker, UMT_DIAGNOSTIC_OK, _("profiles.json and device_info.json are readable."), NULL);

      if (!umt_validate_server_url (snapshot->server_url, snapshot->allow_insecure_http, &error))
        {
          report (&checker, UMT_DIAGNOSTIC_FAIL, error->message,
                  _("Fix the profile’s server URL in Settings, with “umt profile set NAME base_url URL” or MEETING_SERVER_URL."));
          skip_until (&checker, "api", _("There is no valid server URL."));
        }
      else
        {
          g_autofree char *detail = NULL;

          detail = g_strdup_printf (snapshot->server_from_env ? _("Profile %s, server %s (from MEETING_SERVER_URL).")
                                                              : _("Profile %s, server %s."),
                                    snapshot->profile_name, snapshot->server_url);
          report (&checker, UMT_DIAGNOSTIC_OK, detail, NULL);
          reachable = check_network (&checker, snapshot, cancellable);
        }
      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      skip_until (&checker, "api", NULL);
      check_server (&checker, snapshot, reachable, cancellable);
    }
  if (g_cancellable_is_cancelled (cancellable))
    return FALSE;
  check_keyring (&checker, snapshot, cancellable);
  return !g_cancellable_is_cancelled (cancellable);
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
begin_run (UmtDiagnostics *self,
           Snapshot       *snapshot)
{
  g_ptr_array_set_size (self->results, 0);
  g_clear_pointer (&self->last_snapshot, snapshot_free);
  self->last_snapshot = g_new0 (Snapshot, 1);
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
  g_autoptr(Snapshot) snapshot = NULL;
  gboolean done;

  g_return_val_if_fail (UMT_IS_DIAGNOSTICS (self), NULL);
  g_return_val_if_fail (!self->running, NULL);

  snapshot = take_snapshot (self);
  begin_run (self, snapshot);
  done = run_checks (snapshot, cancellable, emit_now, self);
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
  Snapshot     *snapshot;
  GMainContext *context;
} Run;

static void
run_free (Run *run)
{
  snapshot_free (run->snapshot);
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
  g_main_context_invoke_full (run->context, G_PRIORITY_DEFAULT, deliver, delivery,
                              (GDestroyNotify) delivery_free);
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

  run_checks (run->snapshot, cancellable, emit_in_context, task);
  /* Queued after the last result, so the caller hears them all first. */
  g_main_context_invoke_full (run->context, G_PRIORITY_DEFAULT, finish_in_context,
                              g_object_ref (task), g_object_unref);
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
  g_clear_pointer (&self->last_snapshot, snapshot_free);
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
