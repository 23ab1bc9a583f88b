/* umt-cli-register.c: `umt register`, `umt unregister` and `umt heartbeat`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-cli-register"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "umt-cli.h"
#include "umt-device-info.h"
#include "umt-device-key.h"
#include "umt-log.h"
#include "umt-paths.h"
#include "umt-posix.h"
#include "umt-secret-store-credentials.h"
#include "umt-validate.h"

/* What the profile says to collect, blocking (the CLI has no interface to keep alive). */
static UmtDeviceInfo *
collect_device_info (UmtProfile *profile)
{
  UmtDeviceInfoFlags flags = UMT_DEVICE_INFO_FLAGS_NONE;

  if (!umt_profile_get_public_ip_lookup (profile))
    flags |= UMT_DEVICE_INFO_FLAGS_NO_PUBLIC_IP;
  return umt_device_info_collect (umt_profile_get_note (profile),
                                  umt_profile_get_cluster_ip (profile),
                                  umt_profile_get_public_ip_url (profile),
                                  flags, NULL);
}

static void
wipe_string (char *text)
{
  if (text != NULL)
    explicit_bzero (text, strlen (text));
}

/* Provisioning scripts register the system service's device on every run:
 * the same device again is no error, and the server, which burned the token
 * the first time, is not asked. The credential gets the token back if it
 * lost it, and the service is enabled as after a first registration. */
static int
confirm_system_registration (UmtCliContext *ctx,
                             const char    *device_key,
                             const char    *token_code,
                             gboolean       enable)
{
  g_autoptr(GError) error = NULL;

  if (!umt_secret_store_store_sync (UMT_SECRET_REGISTRATION_TOKEN, device_key, NULL, token_code,
                                    NULL, &error))
    return umt_cli_report_error (error);
  printf (_("Device %s is already registered with %s; nothing to do.\n"), device_key,
          umt_device_state_get_server_url (ctx->state) != NULL
          ? umt_device_state_get_server_url (ctx->state) : ctx->server_url);
  if (enable && !umt_cli_system_enable_service (FALSE, &error))
    return umt_cli_report_error (error);
  return UMT_CLI_EXIT_OK;
}

int
umt_cli_register (UmtCliContext  *ctx,
                  int             argc,
                  char          **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("register — register this device");
  g_autoptr(GError) error = NULL;
  g_autofree char *device_key = NULL;
  g_autofree char *token_option = NULL;
  g_autofree char *token_code = NULL;
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  const char *warning;
  gboolean no_enable = FALSE;
  gboolean system = umt_paths_is_system ();
  int exit_code = UMT_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "device-key", 'k', 0, G_OPTION_ARG_STRING, &device_key,
      "The device key your administrator created (default: the key suggested for this computer)", "KEY" },
    { "token", 't', 0, G_OPTION_ARG_STRING, &token_option,
      "The one-time registration token: 6 hexadecimal characters (“-” or none: read from standard input)", "CODE" },
    { "no-enable", 0, 0, G_OPTION_ARG_NONE, &no_enable,
      "With --system: do not enable and start the system service", NULL },
    { NULL }
  };

  g_option_context_set_description (context,
    "Sends this computer's network details with the one-time token to the server, "
    "remembers the registration in device_info.json and keeps the token in the keyring "
    "for the tunnel. A token that is not 6 hexadecimal characters is refused before "
    "anything is sent (exit 2); a refusal by the server exits 1 with its advice.\n"
    "With --system, as root: the token is kept in the encrypted systemd credential "
    "/etc/credstore.encrypted/updates-manager-tool.token instead, and the system service is "
    "enabled and (re)started unless --no-enable is given. Registering the device it already "
    "has again changes nothing and exits 0, so provisioning scripts can run it every time.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!umt_cli_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;

  /* The one-time token must not outlive its use anywhere we can reach,
   * and must never reach the log, even quoted in an error. */
  if (argc > 1)
    return umt_cli_fail (UMT_CLI_EXIT_USAGE,
                         _("“register” takes no argument “%s”; see “umt register --help”."),
                         argv[1]);
  if (no_enable && !system)
    return umt_cli_fail (UMT_CLI_EXIT_USAGE,
                         _("--no-enable is for the system service; use it with “umt --system register”."));
  /* Nowhere to keep the token is known before the server burns it. */
  if (system && !umt_secret_store_credentials_check_writable (&error))
    return umt_cli_report_error (error);
  /* The code may also come on stdin, out of sight of other users' `ps`. */
  if (token_option == NULL || g_str_equal (token_option, "-"))
    {
      g_free (token_option);
      token_option = umt_cli_read_secret_from_stdin (_("Registration token: "), &error);
      if (token_option == NULL)
        return umt_cli_report_error (error);
    }
  g_strstrip (token_option);
  umt_log_add_secret (token_option);
  if (*token_option == '\0')
    return umt_cli_fail (UMT_CLI_EXIT_USAGE,
                         _("The registration token is missing; give it with --token CODE or on "
                           "standard input."));

  token_code = umt_validate_token_code (token_option, &error);
  wipe_string (token_option);
  if (token_code == NULL)
    return umt_cli_report_error (error);
  umt_log_add_secret (token_code);

  if (device_key != NULL)
    {
      g_strstrip (device_key);
      if (!umt_validate_device_key (device_key, &error))
        return umt_cli_report_error (error);
    }
  else
    {
      device_key = umt_device_key_suggest (NULL, &error);
      if (device_key == NULL)
        return umt_cli_fail (UMT_CLI_EXIT_USAGE,
                             _("No device key was given and none can be suggested for this "
                               "computer (%s); give one with --device-key KEY."),
                             error->message);
      printf (_("Using the device key suggested for this computer: %s\n"), device_key);
    }

  if (!umt_cli_context_load_profiles (ctx, &error))
    return umt_cli_report_error (error);

  if (system && umt_device_state_get_registered (ctx->state) &&
      g_strcmp0 (umt_device_state_get_device_key (ctx->state), device_key) == 0)
    {
      exit_code = confirm_system_registration (ctx, device_key, token_code, !no_enable);
      wipe_string (token_code);
      return exit_code;
    }

  registration = umt_device_manager_register_sync (ctx->manager, device_key, token_code,
                                                   NULL, &error);
  wipe_string (token_code);
  if (registration == NULL)
    return umt_cli_report_error (error);

  /* The server has burned the token: a keyring problem is reported, but the
   * registration stands and the command succeeds. One that is not saved here
   * is no use after this command. */
  warning = umt_device_manager_get_registration_warning (ctx->manager);
  if (umt_device_manager_get_registration_unsaved (ctx->manager))
    return umt_cli_fail (UMT_CLI_EXIT_FAILED, _("%s The token is spent: once this is fixed, ask "
                                                "your administrator for a new one."), warning);
  if (warning != NULL)
    fprintf (stderr, "%s\n", warning);

  printf (_("Registered device %s with %s (profile %s).\n"), device_key, ctx->server_url,
          umt_profile_get_name (ctx->profile));
  if (registration->used_fallback)
    printf (_("The server has no registration endpoint; the device registered with its first "
              "heartbeat.\n"));

  /* Without its token the service cannot run the tunnel: running the same
   * command again stores it (see confirm_system_registration()). */
  if (system && warning != NULL)
    return UMT_CLI_EXIT_FAILED;
  if (system && !no_enable && !umt_cli_system_enable_service (TRUE, &error))
    return umt_cli_report_error (error);
  return UMT_CLI_EXIT_OK;
}

int
umt_cli_unregister (UmtCliContext  *ctx,
                    int             argc,
                    char          **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("unregister — forget the registration");
  g_autoptr(GError) error = NULL;
  g_autofree char *device_key = NULL;
  int exit_code = UMT_CLI_EXIT_OK;

  g_option_context_set_description (context,
    "Removes device_info.json and the device's tunnel token from the keyring. The server "
    "keeps the device: registering again needs a new token from the administrator.\n"
    "A device that is not registered is not an error: the command says so and exits 0.");
  if (!umt_cli_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return umt_cli_fail (UMT_CLI_EXIT_USAGE,
                         _("“unregister” takes no argument “%s”; see “umt unregister --help”."),
                         argv[1]);

  if (!umt_cli_context_load_profiles (ctx, &error))
    return umt_cli_report_error (error);
  if (!umt_device_manager_get_registered (ctx->manager))
    {
      printf (_("This device is not registered.\n"));
      return UMT_CLI_EXIT_OK;
    }

  device_key = g_strdup (umt_device_manager_get_device_key (ctx->manager));
  if (!umt_device_manager_unregister_sync (ctx->manager, NULL, &error))
    return umt_cli_report_error (error);

  printf (_("Device %s is no longer registered on this computer. The server keeps the device; "
            "registering again needs a new token from your administrator.\n"), device_key);
  return UMT_CLI_EXIT_OK;
}

int
umt_cli_heartbeat (UmtCliContext  *ctx,
                   int             argc,
                   char          **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("heartbeat — send one heartbeat now");
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtDeviceInfo) info = NULL;
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(UmtMeetingHeartbeat) beat = NULL;
  const char *device_key;
  int exit_code = UMT_CLI_EXIT_OK;

  g_option_context_set_description (context,
    "Tells the server the device is online, with its current network details, and prints "
    "when the server saw it. Exits 1 with the reason when the server cannot be reached or "
    "refuses, 2 when the device is not registered.");
  if (!umt_cli_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return umt_cli_fail (UMT_CLI_EXIT_USAGE,
                         _("“heartbeat” takes no argument “%s”; see “umt heartbeat --help”."),
                         argv[1]);

  if (!umt_cli_context_load_client (ctx, &error))
    return umt_cli_report_error (error);
  if (!umt_device_state_get_registered (ctx->state))
    return umt_cli_fail (UMT_CLI_EXIT_USAGE,
                         _("This device is not registered; register it first with "
                           "“umt register”."));
  device_key = umt_device_state_get_device_key (ctx->state);

  info = collect_device_info (ctx->profile);
  fields = umt_device_info_to_json (info);
  beat = umt_meeting_client_online_sync (ctx->client, device_key, fields, NULL, &error);
  if (beat == NULL)
    {
      UMT_LOG_WARNING ("Heartbeat for %s failed: %s", device_key, error->message);
      return umt_cli_report_error (error);
    }

  g_message ("Heartbeat sent for %s; server last_seen %s", device_key,
             beat->last_seen != NULL ? beat->last_seen : "(not given)");
  if (beat->last_seen != NULL)
    printf (_("Heartbeat sent; the server last saw this device at %s (UTC).\n"), beat->last_seen);
  else
    printf (_("Heartbeat sent; the server did not say when it last saw this device.\n"));
  return UMT_CLI_EXIT_OK;
}
