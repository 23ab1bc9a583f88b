/* umt-cli-run.c: `umt run`, the headless heartbeat and tunnel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-cli-run"

#include "config.h"

#include <string.h>

#include "umt-cli.h"
#include "umt-cli-stop.h"
#include "umt-heartbeat-status.h"
#include "umt-heartbeat.h"
#include "umt-paths.h"
#include "umt-secret-store-credentials.h"
#include "umt-secret-store.h"
#include "umt-tunnel-status.h"

/* The system service is provisioned with its token in a credential: one
 * missing or unreadable means a provisioning gone wrong, better said at once
 * than found when the administrator needs the tunnel. */
static int
check_system_credential (const char *device_key)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = umt_secret_store_lookup_tunnel_token_sync (device_key, NULL, NULL,
                                                                      &error);

  if (error != NULL)
    return umt_cli_report_error (error);
  if (token == NULL)
    return umt_cli_fail (UMT_CLI_EXIT_FAILED,
                         "The system service was given no token for device %s in its credential "
                         UMT_SECRET_STORE_CREDENTIAL_NAME "; provision the device again as root "
                         "with “umt --system register”.", device_key);
  memset (token, 0, strlen (token));
  return UMT_CLI_EXIT_OK;
}

int
umt_cli_run (UmtCliContext  *ctx,
             int             argc,
             char          **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("run — keep the device online");
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtOwnerLock) lock = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(UmtCliStopWatch) stop_watch = NULL;
  UmtHeartbeat *heartbeat;
  UmtTunnelSupervisor *tunnel;
  const char *device_key;
  gint interval = 0;
  int exit_code = UMT_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "interval", 'i', 0, G_OPTION_ARG_INT, &interval,
      "Seconds between heartbeats, 1–3600 (default: the profile's heartbeat_interval)", "SECONDS" },
    { NULL }
  };

  g_option_context_set_description (context,
    "Sends the heartbeat in the foreground until SIGINT or SIGTERM, logging to stderr and "
    "to app.log, and publishes its state for “umt status” and the window. Runs the reverse "
    "tunnel too when the profile has tunnel_enabled set (see “umt tunnel status”). Exits 0 on a "
    "clean stop, 2 when the device is not registered, 1 when another process (the window "
    "or another “umt run”) already sends this user's heartbeat. With --system, the system "
    "service's command, the device's token comes from the service's credential, and a "
    "credential that is missing or unreadable exits 1 at once.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!umt_cli_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return umt_cli_fail (UMT_CLI_EXIT_USAGE, "“run” takes no argument “%s”; see “umt run --help”.", argv[1]);
  if (interval != 0 && (interval < 1 || interval > 3600))
    return umt_cli_fail (UMT_CLI_EXIT_USAGE, "The interval must be between 1 and 3600 seconds.");

  /* Without a desktop, proxies come from the environment (libproxy) as for any service,
   * not from GNOME's settings: reading those starts dconf, a thread of its own and a
   * D-Bus connection that the process would keep for nothing. Set before any thread. */
  if (g_getenv ("XDG_CURRENT_DESKTOP") == NULL)
    g_setenv ("GIO_USE_PROXY_RESOLVER", "libproxy", FALSE);

  if (!umt_cli_context_load_profiles (ctx, &error))
    return umt_cli_report_error (error);
  if (!umt_device_manager_get_registered (ctx->manager))
    return umt_cli_fail (UMT_CLI_EXIT_USAGE,
                         "This device is not registered; register it first with “umt register”.");
  device_key = umt_device_manager_get_device_key (ctx->manager);
  if (umt_paths_is_system () && (exit_code = check_system_credential (device_key)) != UMT_CLI_EXIT_OK)
    return exit_code;

  lock = umt_owner_lock_acquire (&error);
  if (lock == NULL)
    return umt_cli_report_error (error);

  if (!umt_device_manager_configure_heartbeat_sync (ctx->manager, NULL, &error))
    return umt_cli_report_error (error);

  loop = g_main_loop_new (NULL, FALSE);
  stop_watch = umt_cli_stop_watch_new (loop);

  heartbeat = umt_device_manager_get_heartbeat (ctx->manager);
  if (interval != 0)
    umt_heartbeat_set_interval (heartbeat, (guint) interval);
  umt_heartbeat_status_publish (heartbeat, device_key);

  g_message ("Keeping device %s online with %s every %u s (profile %s)", device_key,
             ctx->server_url, umt_heartbeat_get_interval (heartbeat),
             umt_profile_get_name (ctx->profile));
  umt_heartbeat_start (heartbeat);

  /* The tunnel is published even when disabled, so that `umt tunnel status`
   * tells a disabled tunnel from one nobody runs. */
  tunnel = umt_device_manager_get_tunnel (ctx->manager);
  umt_tunnel_status_publish (tunnel);
  if (umt_tunnel_supervisor_get_enabled (tunnel))
    umt_tunnel_supervisor_start (tunnel);
  else
    g_message ("The tunnel is disabled in profile %s", umt_profile_get_name (ctx->profile));

  g_main_loop_run (loop);

  umt_tunnel_supervisor_stop (tunnel);
  umt_tunnel_status_unpublish (tunnel);
  umt_heartbeat_stop (heartbeat);
  umt_heartbeat_status_unpublish (heartbeat);
  g_message ("Stopped");
  return UMT_CLI_EXIT_OK;
}
