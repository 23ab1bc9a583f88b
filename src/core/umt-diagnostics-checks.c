/* umt-diagnostics-checks.c: each link from this computer to its server, checked in turn
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-diagnostics"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "umt-diagnostics-checks.h"
#include "umt-meeting-client.h"
#include "umt-meeting-error.h"
#include "umt-paths.h"
#include "umt-secret-store.h"
#include "umt-validate.h"

/* Long enough for a slow server, short enough that a resolver or a server
 * that never answers does not leave the user waiting. */
#define DIAGNOSE_TIMEOUT 5

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

void
umt_diagnostics_snapshot_free (UmtDiagnosticsSnapshot *snapshot)
{
  g_clear_error (&snapshot->load_error);
  g_free (snapshot->state_problem);
  g_free (snapshot->server_url);
  g_free (snapshot->profile_name);
  g_free (snapshot->device_key);
  g_free (snapshot);
}

typedef struct
{
  UmtDiagnosticsEmitFunc  emit;
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
check_network (Checker                *checker,
               UmtDiagnosticsSnapshot *snapshot,
               GCancellable           *cancellable)
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
check_server (Checker                *checker,
              UmtDiagnosticsSnapshot *snapshot,
              gboolean                reachable,
              GCancellable           *cancellable)
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
  /* Known but not authorized is not a device that works: the server
   * keeps it out until its administrator lets it in. */
  if (!device->authorized)
    {
      detail = g_strdup_printf (_("The server knows %s, but it is not authorized yet."),
                                snapshot->device_key);
      report (checker, UMT_DIAGNOSTIC_FAIL, detail,
              _("Ask your administrator to authorize this device in Meeting."));
      return;
    }
  detail = g_strdup_printf (_("The server knows %s (authorized)."), snapshot->device_key);
  report (checker, UMT_DIAGNOSTIC_OK, detail, NULL);
}

static void
check_keyring (Checker                *checker,
               UmtDiagnosticsSnapshot *snapshot,
               GCancellable           *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  /* A lookup of something that may not exist reaches the Secret Service
   * without storing anything. */
  secret = umt_secret_store_lookup_tunnel_token_sync (snapshot->registered ? snapshot->device_key
                                                                        : "umt-diagnose",
                                                      NULL, cancellable, &error);
  if (g_cancellable_is_cancelled (cancellable))
    return;
  /* The system service's keyring is its encrypted credential. */
  if (error != NULL && umt_paths_is_system ())
    report (checker, UMT_DIAGNOSTIC_FAIL, error->message,
            _("Provision the device again as root with “umt --system register”."));
  else if (error != NULL)
    report (checker, UMT_DIAGNOSTIC_FAIL, error->message,
            _("Install and start a Secret Service (gnome-keyring, KeePassXC) and unlock its login collection."));
  else if (umt_paths_is_system ())
    report (checker, UMT_DIAGNOSTIC_OK,
            snapshot->registered && secret == NULL ? _("The system service's credential holds no tunnel token for this device.")
                                                   : _("The system service's credential can be read."), NULL);
  else
    report (checker, UMT_DIAGNOSTIC_OK,
            snapshot->registered && secret == NULL ? _("The keyring answers, but holds no tunnel token for this device.")
                                                   : _("The keyring answers."), NULL);
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
}

gboolean
umt_diagnostics_run_checks (UmtDiagnosticsSnapshot  *snapshot,
                            GCancellable            *cancellable,
                            UmtDiagnosticsEmitFunc   emit,
                            gpointer                 emit_data)
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
      /* The file was set aside so the rest can run: the other checks go on. */
      if (snapshot->state_problem != NULL)
        report (&checker, UMT_DIAGNOSTIC_FAIL, snapshot->state_problem,
                _("Look at the file set aside if you need what it held, then register the device again."));
      else
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

