/* umt-cli-diagnose.c: `umt diagnose [--json]`, each link of the chain checked in turn
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-cli-diagnose"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "umt-cli.h"
#include "umt-config-error.h"
#include "umt-secret-store.h"
#include "umt-validate.h"

#define DIAGNOSE_TIMEOUT 5

typedef enum { CHECK_OK, CHECK_FAIL, CHECK_SKIP } CheckResult;

typedef struct
{
  JsonBuilder *checks;
  gboolean     json;
  gboolean     failed;
} Diagnosis;

static const char *
check_result_to_string (CheckResult result)
{
  return result == CHECK_OK ? "ok" : result == CHECK_FAIL ? "fail" : "skip";
}

static void
report (Diagnosis  *diagnosis,
        const char *name,
        CheckResult result,
        const char *detail,
        const char *hint)
{
  if (result == CHECK_FAIL)
    diagnosis->failed = TRUE;

  json_builder_begin_object (diagnosis->checks);
  json_builder_set_member_name (diagnosis->checks, "name");
  json_builder_add_string_value (diagnosis->checks, name);
  json_builder_set_member_name (diagnosis->checks, "result");
  json_builder_add_string_value (diagnosis->checks, check_result_to_string (result));
  json_builder_set_member_name (diagnosis->checks, "detail");
  json_builder_add_string_value (diagnosis->checks, detail != NULL ? detail : "");
  json_builder_set_member_name (diagnosis->checks, "hint");
  if (hint != NULL)
    json_builder_add_string_value (diagnosis->checks, hint);
  else
    json_builder_add_null_value (diagnosis->checks);
  json_builder_end_object (diagnosis->checks);

  if (!diagnosis->json)
    {
      printf ("%-4s  %-10s %s\n", check_result_to_string (result), name, detail != NULL ? detail : "");
      if (hint != NULL && result != CHECK_OK)
        printf ("            → %s\n", hint);
    }
}

/* Waits for one async call, giving up after DIAGNOSE_TIMEOUT seconds: a
 * resolver or server that never answers must not hang the diagnosis. */
typedef struct
{
  GAsyncResult *result;
  GCancellable *cancellable;
} Wait;

static void
on_wait_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static GList *
resolve (const char  *host,
         GError     **error)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  Wait wait = { NULL, cancellable };
  guint timeout_id;
  GList *addresses;

  timeout_id = g_timeout_add_seconds (DIAGNOSE_TIMEOUT, on_wait_timeout, cancellable);
  g_resolver_lookup_by_name_async (resolver, host, cancellable, on_wait_done, &wait);
  while (wait.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!g_cancellable_is_cancelled (cancellable))
    g_source_remove (timeout_id);

  addresses = g_resolver_lookup_by_name_finish (resolver, wait.result, error);
  g_object_unref (wait.result);
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

static void
check_network (Diagnosis     *diagnosis,
               UmtCliContext *ctx,
               gboolean      *reachable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = g_uri_parse (ctx->server_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autofree char *detail = NULL;
  GList *addresses;
  const char *host;
  gboolean https;
  int port;

  *reachable = FALSE;
  if (uri == NULL)
    {
      report (diagnosis, "dns", CHECK_SKIP, "no valid server URL", NULL);
      report (diagnosis, "tcp", CHECK_SKIP, "no valid server URL", NULL);
      report (diagnosis, "tls", CHECK_SKIP, "no valid server URL", NULL);
      return;
    }
  host = g_uri_get_host (uri);
  https = g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0;
  port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : (https ? 443 : 80);

  addresses = resolve (host, &error);
  if (addresses == NULL)
    {
      report (diagnosis, "dns", CHECK_FAIL, error->message,
              "Check the host name in the server URL and this computer's DNS settings.");
      report (diagnosis, "tcp", CHECK_SKIP, "the host name did not resolve", NULL);
      report (diagnosis, "tls", CHECK_SKIP, "the host name did not resolve", NULL);
      return;
    }
  {
    g_autofree char *first = g_inet_address_to_string (addresses->data);

    detail = g_strdup_printf ("%s resolves to %s", host, first);
    g_resolver_free_addresses (addresses);
  }
  report (diagnosis, "dns", CHECK_OK, detail, NULL);
  g_clear_pointer (&detail, g_free);

  g_socket_client_set_timeout (client, DIAGNOSE_TIMEOUT);
  connectable = g_network_address_new (host, (guint16) port);
  connection = g_socket_client_connect (client, connectable, NULL, &error);
  if (connection == NULL)
    {
      report (diagnosis, "tcp", CHECK_FAIL, error->message,
              "Check that the server runs and that no firewall or proxy blocks the port.");
      report (diagnosis, "tls", CHECK_SKIP, "no connection", NULL);
      return;
    }
  detail = g_strdup_printf ("connected to %s port %d", host, port);
  report (diagnosis, "tcp", CHECK_OK, detail, NULL);
  g_clear_pointer (&detail, g_free);

  if (!https)
    {
      report (diagnosis, "tls", CHECK_SKIP, "plain http: no TLS", NULL);
      *reachable = TRUE;
      return;
    }

  tls = g_tls_client_connection_new (G_IO_STREAM (connection), connectable, &error);
  if (tls != NULL && !umt_profile_get_verify_tls (ctx->profile))
    g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  if (tls == NULL || !g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error))
    {
      report (diagnosis, "tls", CHECK_FAIL, error->message,
              "The server's certificate is not trusted or the handshake failed: check the "
              "URL, the system's CA certificates and the clock of this computer.");
      return;
    }
  report (diagnosis, "tls", CHECK_OK,
          umt_profile_get_verify_tls (ctx->profile) ? "handshake done, certificate trusted"
                                                    : "handshake done (certificate not verified: verify_tls is false)",
          NULL);
  g_io_stream_close (tls, NULL, NULL);
  *reachable = TRUE;
}

int
umt_cli_diagnose (UmtCliContext  *ctx,
                  int             argc,
                  char          **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("diagnose — check every link to the server");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) checks = json_builder_new ();
  g_autoptr(UmtMeetingClient) probe = NULL;
  g_autoptr(UmtMeetingApiInfo) api_info = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *secret = NULL;
  Diagnosis diagnosis = { checks, FALSE, FALSE };
  gboolean json = FALSE;
  gboolean reachable = FALSE;
  gboolean registered = FALSE;
  int exit_code = UMT_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object: {ok, checks:[{name, result, detail, hint}]}", NULL },
    { NULL }
  };

  g_option_context_set_description (context,
    "Checks, in order: config (profiles.json and device_info.json readable), profile (its "
    "URL valid), dns, tcp, tls (https only), api (GET /api answers, with its version), "
    "device (the server knows the registered device), keyring (the Secret Service "
    "answers). Each is ok, fail (with a hint) or skip. Exits 1 when any check fails.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!umt_cli_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return umt_cli_fail (UMT_CLI_EXIT_USAGE, "“diagnose” takes no argument “%s”; see “umt diagnose --help”.", argv[1]);
  diagnosis.json = json;
  json_builder_begin_array (checks);

  if (!umt_cli_context_load_profiles (ctx, &error))
    {
      report (&diagnosis, "config", CHECK_FAIL, error->message,
              "Fix or remove the file named; a fresh profiles.json is created on the next start.");
      report (&diagnosis, "profile", CHECK_SKIP, "no profiles", NULL);
      report (&diagnosis, "dns", CHECK_SKIP, "no server URL", NULL);
      report (&diagnosis, "tcp", CHECK_SKIP, "no server URL", NULL);
      report (&diagnosis, "tls", CHECK_SKIP, "no server URL", NULL);
      report (&diagnosis, "api", CHECK_SKIP, "no server URL", NULL);
      report (&diagnosis, "device", CHECK_SKIP, "no server URL", NULL);
      g_clear_error (&error);
    }
  else
    {
      registered = umt_device_state_get_registered (ctx->state);
      report (&diagnosis, "config", CHECK_OK, "profiles.json and device_info.json are readable", NULL);

      if (!umt_validate_server_url (ctx->server_url,
                                    umt_profile_get_allow_insecure_http (ctx->profile), &error))
        {
          report (&diagnosis, "profile", CHECK_FAIL, error->message,
                  "Fix it with “umt profile set NAME base_url URL” or MEETING_SERVER_URL.");
          g_clear_error (&error);
        }
      else
        {
          detail = g_strdup_printf ("profile %s, server %s%s", umt_profile_get_name (ctx->profile),
                                    ctx->server_url,
                                    ctx->server_overridden_by_env ? " (from MEETING_SERVER_URL)" : "");
          report (&diagnosis, "profile", CHECK_OK, detail, NULL);
          g_clear_pointer (&detail, g_free);
          check_network (&diagnosis, ctx, &reachable);
        }

      if (reachable)
        probe = umt_cli_context_new_probe_client (ctx, DIAGNOSE_TIMEOUT, &error);
      if (probe != NULL)
        api_info = umt_meeting_client_get_api_info_sync (probe, NULL, &error);
      if (api_info != NULL)
        {
          detail = g_strdup_printf ("%s, version %s", api_info->status, api_info->version);
          report (&diagnosis, "api", CHECK_OK, detail, NULL);
          g_clear_pointer (&detail, g_free);
        }
      else if (error != NULL)
        {
          report (&diagnosis, "api", CHECK_FAIL, error->message,
                  "The address answers but not as a Meeting server: check the URL (scheme, host, port).");
          g_clear_error (&error);
        }
      else
        report (&diagnosis, "api", CHECK_SKIP, "the server is not reachable", NULL);

      if (!registered)
        report (&diagnosis, "device", CHECK_SKIP, "this device is not registered", NULL);
      else if (api_info == NULL)
        report (&diagnosis, "device", CHECK_SKIP, "the server did not answer", NULL);
      else
        {
          const char *key = umt_device_state_get_device_key (ctx->state);
          g_autoptr(UmtMeetingDevice) device = umt_meeting_client_get_device_sync (probe, key, NULL, &error);

          if (device == NULL)
            {
              report (&diagnosis, "device", CHECK_FAIL, error->message,
                      "Check the device key and the server, or ask your administrator whether the device still exists.");
              g_clear_error (&error);
            }
          else
            {
              detail = g_strdup_printf ("the server knows %s (%s)", key,
                                        device->authorized ? "authorized" : "not authorized");
              report (&diagnosis, "device", CHECK_OK, detail, NULL);
              g_clear_pointer (&detail, g_free);
            }
        }
    }

  /* A lookup of something that may not exist reaches the Secret Service
   * without storing anything. */
  secret = umt_secret_store_lookup_sync (UMT_SECRET_TUNNEL_TOKEN,
                                         registered ? umt_device_state_get_device_key (ctx->state) : "umt-diagnose",
                                         NULL, NULL, &error);
  if (error != NULL)
    {
      report (&diagnosis, "keyring", CHECK_FAIL, error->message,
              "Install and start a Secret Service (gnome-keyring, KeePassXC) and unlock its login collection.");
      g_clear_error (&error);
    }
  else
    report (&diagnosis, "keyring", CHECK_OK,
            registered && secret == NULL ? "the keyring answers, but holds no tunnel token for this device"
                                         : "the keyring answers", NULL);
  if (secret != NULL)
    memset (secret, 0, strlen (secret));

  json_builder_end_array (checks);
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ok");
      json_builder_add_boolean_value (builder, !diagnosis.failed);
      json_builder_set_member_name (builder, "checks");
      json_builder_add_value (builder, json_builder_get_root (checks));
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      text = json_generator_to_data (generator, NULL);
      printf ("%s\n", text);
    }

  if (diagnosis.failed)
    return umt_cli_fail (UMT_CLI_EXIT_FAILED, "At least one check failed; see the hints above.");
  return UMT_CLI_EXIT_OK;
}
