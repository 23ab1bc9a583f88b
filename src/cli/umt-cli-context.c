/* umt-cli-context.c: profile, server, state and client of one run of `umt`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "umt-cli.h"
#include "umt-config-error.h"
#include "umt-meeting-error.h"
#include "umt-secret-store.h"
#include "umt-validate.h"

void
umt_cli_context_free (UmtCliContext *ctx)
{
  if (ctx == NULL)
    return;
  g_free (ctx->profile_option);
  g_free (ctx->server_option);
  g_clear_object (&ctx->profiles);
  g_free (ctx->server_url);
  g_clear_object (&ctx->state);
  g_clear_object (&ctx->client);
  g_free (ctx);
}

gboolean
umt_cli_context_load_state (UmtCliContext  *ctx,
                            GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  if (ctx->state != NULL)
    return TRUE;

  ctx->state = umt_device_state_load (&local_error);
  if (ctx->state != NULL)
    return TRUE;

  /* The loader has set the broken file aside; the user must hear about it,
   * but it is no reason to fail: the device simply is not registered. */
  if (g_error_matches (local_error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT))
    {
      fprintf (stderr, "%s\n", local_error->message);
      ctx->state = umt_device_state_new ();
      return TRUE;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
umt_cli_context_load_profiles (UmtCliContext  *ctx,
                               GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean overridden = FALSE;
  const char *registered_profile;

  if (ctx->profiles != NULL)
    return TRUE;

  if (!umt_cli_context_load_state (ctx, error))
    return FALSE;

  ctx->profiles = umt_profiles_load (&local_error);
  if (ctx->profiles == NULL &&
      g_error_matches (local_error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT))
    {
      fprintf (stderr, "%s\n", local_error->message);
      g_clear_error (&local_error);
      ctx->profiles = umt_profiles_load (&local_error);
    }
  if (ctx->profiles == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* A registered device keeps talking to the profile it registered with,
   * even when another one became active for the window's sake. */
  registered_profile = umt_device_state_get_profile (ctx->state);
  if (ctx->profile_option != NULL)
    {
      ctx->profile = umt_profiles_lookup (ctx->profiles, ctx->profile_option);
      if (ctx->profile == NULL)
        {
          g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_NOT_FOUND,
                       "There is no profile named “%s”; see “umt profile list”.",
                       ctx->profile_option);
          return FALSE;
        }
    }
  else if (umt_device_state_get_registered (ctx->state) && registered_profile != NULL &&
           umt_profiles_lookup (ctx->profiles, registered_profile) != NULL)
    ctx->profile = umt_profiles_lookup (ctx->profiles, registered_profile);
  else
    ctx->profile = umt_profiles_get_active (ctx->profiles);

  if (ctx->server_option != NULL)
    {
      if (!umt_validate_server_url (ctx->server_option,
                                    umt_profile_get_allow_insecure_http (ctx->profile),
                                    error))
        return FALSE;
      ctx->server_url = g_strdup (ctx->server_option);
      ctx->server_overridden_by_option = TRUE;
    }
  else
    {
      ctx->server_url = g_strdup (umt_profiles_get_server_url_for (ctx->profiles, ctx->profile,
                                                                   &overridden));
      ctx->server_overridden_by_env = overridden;
    }

  return TRUE;
}

/* The profile's token belongs to the profile's server: it is never sent to
 * a URL given on the command line or in the environment. A keyring that
 * does not answer only means no token is sent; the device routes need none. */
static char *
lookup_profile_token (UmtCliContext *ctx)
{
  g_autoptr(GError) error = NULL;
  char *token;

  if (ctx->server_overridden_by_env || ctx->server_overridden_by_option)
    return NULL;

  token = umt_secret_store_lookup_sync (UMT_SECRET_PROFILE_TOKEN,
                                        umt_profile_get_name (ctx->profile),
                                        umt_profile_get_base_url (ctx->profile),
                                        NULL, &error);
  if (error != NULL)
    g_debug ("No profile token: %s", error->message);
  return token;
}

gboolean
umt_cli_context_load_client (UmtCliContext  *ctx,
                             GError        **error)
{
  g_autofree char *token = NULL;

  if (ctx->client != NULL)
    return TRUE;
  if (!umt_cli_context_load_profiles (ctx, error))
    return FALSE;

  token = lookup_profile_token (ctx);
  ctx->client = umt_meeting_client_new_full (ctx->server_url,
                                             umt_profile_get_timeout (ctx->profile),
                                             umt_profile_get_retries (ctx->profile),
                                             umt_profile_get_verify_tls (ctx->profile),
                                             token, error);
  if (token != NULL)
    memset (token, 0, strlen (token));
  return ctx->client != NULL;
}

UmtMeetingClient *
umt_cli_context_new_probe_client (UmtCliContext  *ctx,
                                  guint           timeout,
                                  GError        **error)
{
  if (!umt_cli_context_load_profiles (ctx, error))
    return NULL;
  return umt_meeting_client_new_full (ctx->server_url, timeout, 0,
                                      umt_profile_get_verify_tls (ctx->profile),
                                      NULL, error);
}

int
umt_cli_exit_code_for_error (const GError *error)
{
  if (error == NULL)
    return UMT_CLI_EXIT_OK;
  if (error->domain == G_OPTION_ERROR)
    return UMT_CLI_EXIT_USAGE;
  if (error->domain == UMT_CONFIG_ERROR &&
      (error->code == UMT_CONFIG_ERROR_INVALID_INPUT ||
       error->code == UMT_CONFIG_ERROR_NOT_FOUND ||
       error->code == UMT_CONFIG_ERROR_EXISTS))
    return UMT_CLI_EXIT_USAGE;
  if (g_error_matches (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_INVALID_URL))
    return UMT_CLI_EXIT_USAGE;
  return UMT_CLI_EXIT_FAILED;
}

int
umt_cli_report_error (const GError *error)
{
  fflush (stdout);
  fprintf (stderr, "%s\n", error->message);
  return umt_cli_exit_code_for_error (error);
}

int
umt_cli_fail (int         code,
              const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* What was printed before belongs before the sentence. */
  fflush (stdout);
  fprintf (stderr, "%s\n", message);
  return code;
}

gboolean
umt_cli_parse_options (GOptionContext   *context,
                       int              *argc,
                       char           ***argv,
                       int              *exit_code)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *exit_code = umt_cli_fail (UMT_CLI_EXIT_USAGE, "%s; see “umt %s --help”.",
                                 error->message, (*argv)[0]);
      return FALSE;
    }
  return TRUE;
}

/* One line from stdin, without its line end. Tokens never travel in argv,
 * where every user of the machine could read them. */
char *
umt_cli_read_secret_from_stdin (const char  *prompt,
                                GError     **error)
{
  GString *line = g_string_new (NULL);
  int c;

  if (isatty (STDIN_FILENO))
    {
      fputs (prompt, stderr);
      fflush (stderr);
    }
  while ((c = getchar ()) != EOF && c != '\n')
    g_string_append_c (line, (char) c);
  g_strstrip (line->str);
  if (line->str[0] == '\0')
    {
      g_string_free (line, TRUE);
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "No token was read from standard input; pipe it in, e.g. from a file with “< token-file”.");
      return NULL;
    }
  return g_string_free (line, FALSE);
}
