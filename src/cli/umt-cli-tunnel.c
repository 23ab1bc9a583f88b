/* umt-cli-tunnel.c: `umt tunnel status [--json]`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-cli-tunnel"

#include "config.h"

#include <stdio.h>

#include <json-glib/json-glib.h>

#include "umt-cli.h"
#include "umt-tunnel-status.h"

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

static void
add_int (JsonBuilder *builder,
         const char  *member,
         gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

static void
print_json (UmtTunnelStatus *status,
            gboolean         running,
            gboolean         enabled,
            const char      *proxy_host,
            guint            proxy_port)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *retry_at = NULL;
  g_autofree char *updated = NULL;
  UmtTunnelState state;

  /* A state left behind by an owner that is gone is history, not the state. */
  if (running)
    state = status->state;
  else
    state = enabled ? UMT_TUNNEL_STATE_STOPPED : UMT_TUNNEL_STATE_DISABLED;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "running");
  json_builder_add_boolean_value (builder, running);
  json_builder_set_member_name (builder, "enabled");
  json_builder_add_boolean_value (builder, enabled);
  add_nullable_string (builder, "state", umt_tunnel_state_to_string (state));
  add_nullable_string (builder, "proxy_host", proxy_host);
  add_int (builder, "proxy_port", proxy_port);
  if (running)
    {
      retry_at = status->retry_at ? g_date_time_format_iso8601 (status->retry_at) : NULL;
      updated = status->updated ? g_date_time_format_iso8601 (status->updated) : NULL;
      add_int (builder, "pid", status->pid);
      add_nullable_string (builder, "owner", umt_cli_owner_description (status->program));
      add_nullable_string (builder, "device_key", status->device_key);
      add_int (builder, "open_streams", status->open_streams);
      add_int (builder, "bytes_in", (gint64) status->bytes_in);
      add_int (builder, "bytes_out", (gint64) status->bytes_out);
      add_nullable_string (builder, "last_error", status->last_error);
      add_nullable_string (builder, "retry_at", retry_at);
      add_nullable_string (builder, "updated", updated);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

static void
print_text (UmtTunnelStatus *status,
            gboolean         running,
            gboolean         enabled,
            const char      *profile_name,
            const char      *proxy_host,
            guint            proxy_port)
{
  g_autofree char *retry_at = NULL;

  if (!running)
    {
      printf ("The tunnel is not running; it is %s in profile %s (proxy %s:%u).\n",
              enabled ? "enabled" : "disabled", profile_name,
              proxy_host != NULL ? proxy_host : "?", proxy_port);
      if (enabled)
        printf ("Start it with “umt run” or the window.\n");
      return;
    }

  retry_at = format_time (status->retry_at);
  printf ("Tunnel:       %s (run by %s, process %d)\n", umt_tunnel_state_to_string (status->state),
          umt_cli_owner_description (status->program), (int) status->pid);
  if (status->device_key != NULL)
    printf ("Device key:   %s\n", status->device_key);
  printf ("Proxy:        %s:%u\n", proxy_host != NULL ? proxy_host : "?", proxy_port);
  printf ("Open streams: %u\n", status->open_streams);
  printf ("Traffic:      %" G_GUINT64_FORMAT " bytes in, %" G_GUINT64_FORMAT " bytes out\n",
          status->bytes_in, status->bytes_out);
  if (status->last_error != NULL)
    printf ("Last error:   %s\n", status->last_error);
  if (retry_at != NULL)
    printf ("Next attempt: %s\n", retry_at);
}

static int
tunnel_status (UmtCliContext  *ctx,
               int             argc,
               char          **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("status — show the tunnel's state");
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtTunnelStatus) status = NULL;
  g_autofree char *proxy_host = NULL;
  gboolean json = FALSE;
  gboolean running;
  gboolean enabled;
  int exit_code = UMT_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };

  g_option_context_set_description (context,
    "Shows the state published by the process that runs the tunnel (“umt run” or the "
    "window); with none running, says so and whether the profile has the tunnel enabled.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!umt_cli_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return umt_cli_fail (UMT_CLI_EXIT_USAGE, "“tunnel status” takes no argument “%s”.", argv[1]);

  if (!umt_cli_context_load_profiles (ctx, &error))
    return umt_cli_report_error (error);

  status = umt_tunnel_status_load (&error);
  if (status == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_message ("%s", error->message);
  running = status != NULL && status->owner_alive;
  enabled = running ? status->enabled
                    : umt_profile_get_tunnel_enabled (ctx->profile) &&
                      umt_device_manager_get_registered (ctx->manager);
  proxy_host = umt_profile_dup_tunnel_proxy_host_in_use (ctx->profile, ctx->server_url);

  if (json)
    print_json (status, running, enabled, proxy_host, umt_profile_get_tunnel_proxy_port (ctx->profile));
  else
    print_text (status, running, enabled, umt_profile_get_name (ctx->profile), proxy_host,
                umt_profile_get_tunnel_proxy_port (ctx->profile));
  return UMT_CLI_EXIT_OK;
}

int
umt_cli_tunnel (UmtCliContext  *ctx,
                int             argc,
                char          **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "status"))
    return tunnel_status (ctx, argc - 1, argv + 1);
  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      printf ("Usage: umt tunnel status [--json]\n\n"
              "Shows the reverse tunnel's state; “umt run” runs the tunnel when the profile "
              "has tunnel_enabled set (“umt profile set NAME tunnel_enabled true”).\n");
      return UMT_CLI_EXIT_OK;
    }
  return umt_cli_fail (UMT_CLI_EXIT_USAGE, "Use “umt tunnel status [--json]”.");
}
