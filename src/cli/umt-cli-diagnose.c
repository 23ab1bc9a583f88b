/* umt-cli-diagnose.c: `umt diagnose [--json]`, the core's checks printed as they finish
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-cli-diagnose"

#include "config.h"

#include <stdio.h>

#include <json-glib/json-glib.h>

#include "umt-cli.h"
#include "umt-diagnostics.h"

/* Text mode prints each line as soon as its check is done: a slow DNS or
 * server is seen while waiting, not after. Ids, not titles, name the
 * checks, so that scripts reading the text keep working in any language. */
static void
on_check_done (UmtDiagnostics      *diagnostics,
               UmtDiagnosticResult *result,
               gpointer             user_data)
{
  const char *status = umt_diagnostic_status_to_string (result->status);

  printf ("%-4s  %-10s %s\n", status, result->id, result->detail);
  if (result->hint != NULL)
    printf ("            → %s\n", result->hint);
  fflush (stdout);
}

static void
print_json (GPtrArray *results,
            gboolean   failed)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, !failed);
  json_builder_set_member_name (builder, "checks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < results->len; i++)
    {
      UmtDiagnosticResult *result = g_ptr_array_index (results, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, result->id);
      json_builder_set_member_name (builder, "result");
      json_builder_add_string_value (builder, umt_diagnostic_status_to_string (result->status));
      json_builder_set_member_name (builder, "detail");
      json_builder_add_string_value (builder, result->detail);
      json_builder_set_member_name (builder, "hint");
      if (result->hint != NULL)
        json_builder_add_string_value (builder, result->hint);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

int
umt_cli_diagnose (UmtCliContext  *ctx,
                  int             argc,
                  char          **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("diagnose — check every link to the server");
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtDiagnostics) diagnostics = NULL;
  g_autoptr(GPtrArray) results = NULL;
  gboolean json = FALSE;
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

  if (umt_cli_context_load_profiles (ctx, &error))
    diagnostics = umt_diagnostics_new (ctx->manager);
  else
    diagnostics = umt_diagnostics_new_for_load_error (error);

  if (!json)
    g_signal_connect (diagnostics, "check-done", G_CALLBACK (on_check_done), NULL);
  results = umt_diagnostics_run_sync (diagnostics, NULL, NULL);
  if (json)
    print_json (results, umt_diagnostics_get_failed (diagnostics));

  if (umt_diagnostics_get_failed (diagnostics))
    return umt_cli_fail (UMT_CLI_EXIT_FAILED, "At least one check failed; see the hints above.");
  return UMT_CLI_EXIT_OK;
}
