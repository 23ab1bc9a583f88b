/* umt-cli-status.c: `umt status [--json]`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-cli-status"

#include "config.h"

#include <stdio.h>

#include <json-glib/json-glib.h>

#include "umt-cli.h"
#include "umt-heartbeat-status.h"
#include "umt-paths.h"
#include "umt-system-service.h"

/* Long enough for a server on the other side of the world, short enough
 * that `status` stays a quick look when the server is away. */
#define STATUS_PROBE_TIMEOUT 3

/* `umt run` writes "umt", the window its own program. */
const char *
umt_cli_owner_description (const char *program)
{
  return g_strcmp0 (program, "umt") == 0 ? "“umt run”" : "the window";
}

static char *
format_time (GDateTime *time)
{
  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : NULL;
}

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *member,
                     const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

int
umt_cli_status (UmtCliContext  *ctx,
                int             argc,
                char          **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("status — show what this device is");
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) heartbeat_error = NULL;
  g_autoptr(GError) server_error = NULL;
  g_autoptr(UmtHeartbeatStatus) heartbeat = NULL;
  g_autoptr(UmtMeetingAvailability) availability = NULL;
  g_autoptr(UmtMeetingApiInfo) api_info = NULL;
  g_autoptr(UmtMeetingClient) probe = NULL;
  g_autofree char *last_success = NULL;
  g_autofree char *system_key = NULL;
  gboolean json = FALSE;
  gboolean registered;
  const char *device_key;
  const char *heartbeat_state = NULL;
  int exit_code = UMT_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };

  g_option_context_set_description (context,
    "Shows whether this computer is registered, its device key, the server and profile in "
    "use (and whether MEETING_SERVER_URL overrides the profile), the heartbeat as its owner "
    "(“umt run” or the window) last reported it, and the server's view of the device when "
    "the server answers within a few seconds. An unreachable server is reported, not a "
    "failure. JSON members: registered, device_key, server_url, server_url_overridden, "
    "profile, registered_at, heartbeat{state, owner_running, pid, owner (“umt run” or "
    "“the window”), last_success, "
    "server_last_seen, last_error, consecutive_failures}, server{reachable, version, "
    "availability, last_heartbeat, error}, system_service{device_key} (null unless the system "
    "service has a device).");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!umt_cli_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return umt_cli_fail (UMT_CLI_EXIT_USAGE, "“status” takes no argument “%s”; see “umt status --help”.", argv[1]);

  if (!umt_cli_context_load_profiles (ctx, &error))
    return umt_cli_report_error (error);
  registered = umt_device_state_get_registered (ctx->state);
  device_key = umt_device_state_get_device_key (ctx->state);
  /* Its heartbeat and tunnel are root's to see; that it exists is not. */
  if (!umt_paths_is_system ())
    system_key = umt_system_service_get_device_key ();

  /* Only the owner's record of this device counts; one left by a dead
   * owner still tells the last beat it saw. */
  heartbeat = umt_heartbeat_status_load (&heartbeat_error);
  if (heartbeat != NULL && registered &&
      g_strcmp0 (heartbeat->device_key, device_key) != 0 && heartbeat->device_key != NULL)
    g_clear_pointer (&heartbeat, umt_heartbeat_status_free);
  if (heartbeat != NULL)
    {
      heartbeat_state = umt_heartbeat_state_to_string (heartbeat->state);
      last_success = format_time (heartbeat->last_success);
    }

  probe = umt_cli_context_new_probe_client (ctx, STATUS_PROBE_TIMEOUT, &server_error);
  if (probe != NULL)
    api_info = umt_meeting_client_get_api_info_sync (probe, NULL, &server_error);
  if (api_info != NULL && registered)
    availability = umt_meeting_client_get_availability_sync (probe, device_key, NULL, &server_error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autofree char *text = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "registered");
      json_builder_add_boolean_value (builder, registered);
      add_nullable_string (builder, "device_key", device_key);
      add_nullable_string (builder, "server_url", ctx->server_url);
      json_builder_set_member_name (builder, "server_url_overridden");
      json_builder_add_boolean_value (builder, ctx->server_overridden_by_env);
      add_nullable_string (builder, "profile", umt_profile_get_name (ctx->profile));
      add_nullable_string (builder, "registered_at", umt_device_state_get_registered_at (ctx->state));
      add_nullable_string (builder, "registered_server_url", umt_device_state_get_server_url (ctx->state));

      json_builder_set_member_name (builder, "heartbeat");
      json_builder_begin_object (builder);
      add_nullable_string (builder, "state", heartbeat_state);
      json_builder_set_member_name (builder, "owner_running");
      json_builder_add_boolean_value (builder, heartbeat != NULL && heartbeat->owner_alive);
      json_builder_set_member_name (builder, "pid");
      if (heartbeat != NULL && heartbeat->pid > 0)
        json_builder_add_int_value (builder, heartbeat->pid);
      else
        json_builder_add_null_value (builder);
      add_nullable_string (builder, "owner",
                           heartbeat != NULL && heartbeat->owner_alive
                           ? umt_cli_owner_description (heartbeat->program) : NULL);
      add_nullable_string (builder, "last_success", last_success);
      add_nullable_string (builder, "server_last_seen", heartbeat ? heartbeat->server_last_seen : NULL);
      add_nullable_string (builder, "last_error", heartbeat ? heartbeat->last_error : NULL);
      json_builder_set_member_name (builder, "consecutive_failures");
      json_builder_add_int_value (builder, heartbeat ? heartbeat->consecutive_failures : 0);
      json_builder_end_object (builder);

      json_builder_set_member_name (builder, "server");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "reachable");
      json_builder_add_boolean_value (builder, api_info != NULL);
      add_nullable_string (builder, "version", api_info ? api_info->version : NULL);
      add_nullable_string (builder, "availability",
                           availability ? umt_meeting_availability_status_to_string (availability->status) : NULL);
      add_nullable_string (builder, "last_heartbeat", availability ? availability->last_heartbeat : NULL);
      add_nullable_string (builder, "error", server_error ? server_error->message : NULL);
      json_builder_end_object (builder);

      json_builder_set_member_name (builder, "system_service");
      if (system_key != NULL)
        {
          json_builder_begin_object (builder);
          add_nullable_string (builder, "device_key", system_key);
          json_builder_end_object (builder);
        }
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      text = json_generator_to_data (generator, NULL);
      printf ("%s\n", text);
      return UMT_CLI_EXIT_OK;
    }

  if (registered)
    printf ("Registered:  yes, since %s\n", umt_device_state_get_registered_at (ctx->state)
                                          ? umt_device_state_get_registered_at (ctx->state) : "an unknown date");
  else
    printf ("Registered:  no\n");
  if (device_key != NULL)
    printf ("Device key:  %s\n", device_key);
  printf ("Server:      %s%s\n", ctx->server_url,
          ctx->server_overridden_by_env ? " (MEETING_SERVER_URL overrides the profile)"
          : ctx->server_overridden_by_option ? " (given with --server)" : "");
  if (registered && umt_device_state_get_server_url (ctx->state) != NULL &&
      g_strcmp0 (umt_device_state_get_server_url (ctx->state), ctx->server_url) != 0)
    printf ("             (registered with %s)\n", umt_device_state_get_server_url (ctx->state));
  printf ("Profile:     %s\n", umt_profile_get_name (ctx->profile));
  if (system_key != NULL)
    printf ("System service: keeps device %s online for this computer, whoever is logged in "
            "(“sudo umt --system status” shows its heartbeat)\n", system_key);

  if (heartbeat == NULL)
    printf ("Heartbeat:   %s\n", registered ? "not running (start it with “umt run” or the window)" : "none");
  else
    {
      if (!heartbeat->owner_alive)
        printf ("Heartbeat:   %s (its owner is no longer running)\n", heartbeat_state);
      else
        printf ("Heartbeat:   %s, run by %s (process %d)\n", heartbeat_state,
                umt_cli_owner_description (heartbeat->program), (int) heartbeat->pid);
      if (last_success != NULL)
        printf ("Last beat:   %s%s%s%s\n", last_success,
                heartbeat->server_last_seen ? " (server last_seen " : "",
                heartbeat->server_last_seen ? heartbeat->server_last_seen : "",
                heartbeat->server_last_seen ? " UTC)" : "");
      if (heartbeat->last_error != NULL)
        printf ("Last error:  %s\n", heartbeat->last_error);
    }

  if (api_info == NULL)
    printf ("Server state: not reachable: %s\n", server_error ? server_error->message : "unknown reason");
  else if (availability != NULL)
    printf ("Server state: reachable (Meeting %s); it sees the device as %s%s%s\n", api_info->version,
            umt_meeting_availability_status_to_string (availability->status),
            availability->last_heartbeat ? ", last heartbeat " : "",
            availability->last_heartbeat ? availability->last_heartbeat : "");
  else
    printf ("Server state: reachable (Meeting %s)\n", api_info->version);
  return UMT_CLI_EXIT_OK;
}
