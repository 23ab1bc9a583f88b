/* umt-cli-profile.c: `umt profile …` and `umt token set|clear`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-cli-profile"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "umt-cli.h"
#include "umt-log.h"
#include "umt-posix.h"
#include "umt-secret-store.h"

#define PROFILE_USAGE "list | add NAME URL | remove NAME | use NAME | set NAME KEY VALUE"

static int
profile_list (UmtCliContext *ctx)
{
  const char *active = umt_profiles_get_active_name (ctx->profiles);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (ctx->profiles));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(UmtProfile) profile = g_list_model_get_item (G_LIST_MODEL (ctx->profiles), i);
      const char *name = umt_profile_get_name (profile);

      printf ("%s %s\t%s\n", g_str_equal (name, active) ? "*" : " ", name,
              umt_profile_get_base_url (profile));
    }
  return UMT_CLI_EXIT_OK;
}

static int
profile_show_keys (void)
{
  g_autofree char *keys = g_strjoinv (", ", (char **) umt_profile_list_keys ());

  return umt_cli_fail (UMT_CLI_EXIT_USAGE, "“profile set” needs NAME KEY VALUE; KEY is one of %s.", keys);
}

int
umt_cli_profile (UmtCliContext  *ctx,
                 int             argc,
                 char          **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (PROFILE_USAGE);
  g_autoptr(GError) error = NULL;
  g_autofree char *keys = g_strjoinv (", ", (char **) umt_profile_list_keys ());
  g_autofree char *description = NULL;
  const char *verb;
  int exit_code = UMT_CLI_EXIT_OK;

  description = g_strdup_printf (
    "Server profiles live in profiles.json; the active one (marked *) is used unless "
    "--profile names another.\n"
    "  list                    show the profiles\n"
    "  add NAME URL            add a profile (https, or http to this computer)\n"
    "  remove NAME             remove a profile (not the active one)\n"
    "  use NAME                make NAME the active profile\n"
    "  set NAME KEY VALUE      change one setting; KEY is one of\n"
    "                          %s\n"
    "tunnel_ssh_port, tunnel_http_port and tunnel_vnc_port are the ports your SSH, web and "
    "VNC servers listen on; the Meeting server's ssh, http and vnc services reach them there "
    "(the server asks for 22, 80 and 5900; only enabled services are reachable). "
    "tunnel_relay_ports are further ports reachable as themselves.\n"
    "Invalid names, URLs or values exit 2.", keys);
  g_option_context_set_summary (context, "Manage server profiles.");
  g_option_context_set_description (context, description);
  if (!umt_cli_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc < 2)
    return umt_cli_fail (UMT_CLI_EXIT_USAGE, "“profile” needs one of: " PROFILE_USAGE ".");

  if (!umt_cli_context_load_profiles (ctx, &error))
    return umt_cli_report_error (error);

  verb = argv[1];
  if (g_str_equal (verb, "list") && argc == 2)
    return profile_list (ctx);

  if (g_str_equal (verb, "add") && argc == 4)
    {
      g_autoptr(UmtProfile) profile = umt_profile_new (argv[2], argv[3], &error);

      if (profile == NULL || !umt_profiles_add (ctx->profiles, profile, &error))
        return umt_cli_report_error (error);
      printf ("Added profile %s (%s).\n", argv[2], argv[3]);
      return UMT_CLI_EXIT_OK;
    }
  if (g_str_equal (verb, "remove") && argc == 3)
    {
      if (!umt_profiles_remove (ctx->profiles, argv[2], &error))
        return umt_cli_report_error (error);
      printf ("Removed profile %s.\n", argv[2]);
      return UMT_CLI_EXIT_OK;
    }
  if (g_str_equal (verb, "use") && argc == 3)
    {
      if (!umt_profiles_use (ctx->profiles, argv[2], &error))
        return umt_cli_report_error (error);
      printf ("Profile %s is now active.\n", argv[2]);
      return UMT_CLI_EXIT_OK;
    }
  if (g_str_equal (verb, "set"))
    {
      if (argc != 5)
        return profile_show_keys ();
      if (!umt_profiles_set (ctx->profiles, argv[2], argv[3], argv[4], &error))
        return umt_cli_report_error (error);
      printf ("Profile %s: %s set.\n", argv[2], argv[3]);
      return UMT_CLI_EXIT_OK;
    }

  if (g_strv_contains ((const char * const[]) { "list", "add", "remove", "use", NULL }, verb))
    return umt_cli_fail (UMT_CLI_EXIT_USAGE, "Wrong number of arguments for “profile %s”; see “umt profile --help”.", verb);
  return umt_cli_fail (UMT_CLI_EXIT_USAGE, "Unknown profile command “%s”; use one of: " PROFILE_USAGE ".", verb);
}

int
umt_cli_token (UmtCliContext  *ctx,
               int             argc,
               char          **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("set|clear");
  g_autoptr(GError) error = NULL;
  g_autofree char *profile_name = NULL;
  int exit_code = UMT_CLI_EXIT_OK;
  const char *name;
  const char *server;
  const GOptionEntry entries[] = {
    { "profile", 'p', 0, G_OPTION_ARG_STRING, &profile_name,
      "The profile whose token it is (default: the active one)", "NAME" },
    { NULL }
  };

  g_option_context_set_summary (context, "Keep a server profile's token in the keyring.");
  g_option_context_set_description (context,
    "  set     read the token from standard input (one line) and store it\n"
    "  clear   remove the stored token\n"
    "The token is only kept in the keyring (Secret Service), never in a file; when no "
    "keyring answers or it stays locked, the command exits 1 and says what to do.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!umt_cli_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2 || !(g_str_equal (argv[1], "set") || g_str_equal (argv[1], "clear")))
    return umt_cli_fail (UMT_CLI_EXIT_USAGE, "“token” needs “set” or “clear”; the token itself is read from standard input.");

  if (profile_name != NULL)
    {
      g_free (ctx->profile_option);
      ctx->profile_option = g_steal_pointer (&profile_name);
    }
  if (!umt_cli_context_load_profiles (ctx, &error))
    return umt_cli_report_error (error);
  name = umt_profile_get_name (ctx->profile);
  server = umt_profile_get_base_url (ctx->profile);

  if (g_str_equal (argv[1], "set"))
    {
      g_autofree char *token = umt_cli_read_secret_from_stdin ("Token: ", &error);
      gboolean stored;

      if (token == NULL)
        return umt_cli_report_error (error);
      umt_log_add_secret (token);
      stored = umt_secret_store_store_sync (UMT_SECRET_PROFILE_TOKEN, name, server, token, NULL, &error);
      explicit_bzero (token, strlen (token));
      if (!stored)
        return umt_cli_report_error (error);
      g_message ("Stored the token of profile %s", name);
      printf ("The token of profile %s is stored in the keyring.\n", name);
    }
  else
    {
      if (!umt_secret_store_clear_sync (UMT_SECRET_PROFILE_TOKEN, name, server, NULL, &error))
        return umt_cli_report_error (error);
      g_message ("Cleared the token of profile %s", name);
      printf ("The token of profile %s is no longer stored.\n", name);
    }
  return UMT_CLI_EXIT_OK;
}
