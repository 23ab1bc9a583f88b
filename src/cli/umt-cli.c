/* umt-cli.c: the `umt` command, its global options and the commands it dispatches to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-cli"

#include "config.h"

#include <locale.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "umt-cli.h"
#include "umt-log.h"
#include "umt-paths.h"

typedef struct
{
  const char *name;
  int (*run) (UmtCliContext *ctx, int argc, char **argv);
  const char *summary;
} UmtCliCommand;

static const UmtCliCommand commands[] = {
  { "register",   umt_cli_register,   "Register this device with a one-time token" },
  { "status",     umt_cli_status,     "Show registration, server and heartbeat state" },
  { "heartbeat",  umt_cli_heartbeat,  "Send one heartbeat now" },
  { "unregister", umt_cli_unregister, "Forget the registration on this computer" },
  { "run",        umt_cli_run,        "Keep the device online until interrupted" },
  { "diagnose",   umt_cli_diagnose,   "Check configuration, network, server and keyring" },
  { "profile",    umt_cli_profile,    "List, add, remove, select or change server profiles" },
  { "token",      umt_cli_token,      "Keep a profile's token in the keyring (read from stdin)" },
  { "tunnel",     umt_cli_tunnel,     "Show the reverse tunnel's state (tunnel status)" },
  { "ssh-key",    umt_cli_ssh_key,    "Publish this device's SSH key and fetch the server's host keys" },
};

static char *
commands_summary (void)
{
  GString *text = g_string_new ("Commands:\n");

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "  %-11s %s\n", commands[i].name, commands[i].summary);
  g_string_append (text, "\n“umt COMMAND --help” describes each command.\n"
                         "Exit status: 0 success, 1 the operation failed, 2 bad input or usage.");
  return g_string_free (text, FALSE);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(UmtCliContext) ctx = g_new0 (UmtCliContext, 1);
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *summary = commands_summary ();
  g_autofree char *logs_dir = NULL;
  gboolean version = FALSE;
  gboolean system = FALSE;
  int exit_code = UMT_CLI_EXIT_OK;
  /* tools/run and the tests point this at the build directory's catalogs. */
  const char *localedir = g_getenv ("UMT_LOCALEDIR");
  const GOptionEntry entries[] = {
    { "profile", 0, 0, G_OPTION_ARG_STRING, &ctx->profile_option,
      "Use this server profile instead of the active one", "NAME" },
    { "server", 0, 0, G_OPTION_ARG_STRING, &ctx->server_option,
      "Talk to this server URL for this run (wins over MEETING_SERVER_URL)", "URL" },
    { "system", 0, 0, G_OPTION_ARG_NONE, &system,
      "Act on the system service's device (/etc, /var/lib and /var/log/updates-manager-tool, "
      "tokens in its encrypted systemd credential)",
      NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  /* The core's messages, which the commands print, are translated. */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("umt");

  context = g_option_context_new ("COMMAND [ARGUMENT…]");
  /* Options after the command belong to the command. */
  g_option_context_set_strict_posix (context, TRUE);
  g_option_context_set_summary (context, "Makes this computer a device of a Meeting server.");
  g_option_context_set_description (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!umt_cli_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;

  if (version)
    {
      printf ("umt %s\n", PACKAGE_VERSION);
      return UMT_CLI_EXIT_OK;
    }
  if (argc < 2)
    return umt_cli_fail (UMT_CLI_EXIT_USAGE, "No command given; see “umt --help”.");

  if (system)
    umt_paths_use_system_dirs ();

  /* `run` is watched on a terminal or by a service manager, so its log goes
   * to stderr too; the other commands keep stderr for their one sentence. */
  logs_dir = umt_paths_get_logs_dir ();
  umt_log_init (logs_dir, g_str_equal (argv[1], "run") ? UMT_LOG_FLAGS_STDERR
                                                      : UMT_LOG_FLAGS_FILE_ONLY);

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (ctx, argc - 1, argv + 1);

  return umt_cli_fail (UMT_CLI_EXIT_USAGE, "Unknown command “%s”; see “umt --help”.", argv[1]);
}
