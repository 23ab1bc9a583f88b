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
#include "umt-posix.h"

void
umt_cli_context_free (UmtCliContext *ctx)
{
  if (ctx == NULL)
    return;
  g_free (ctx->profile_option);
  g_free (ctx->server_option);
  g_clear_object (&ctx->manager);
  g_clear_object (&ctx->client);
  g_free (ctx);
}

/* Profiles, state, and the profile and server of this run, as the window
 * would see them: all through the device manager. */
gboolean
umt_cli_context_load_profiles (UmtCliContext  *ctx,
                               GError        **error)
{
  const char *problem;

  if (ctx->manager != NULL)
    return TRUE;

  ctx->manager = umt_device_manager_new_full (ctx->profile_option, ctx->server_option, error);
  if (ctx->manager == NULL)
    return FALSE;

  /* A state file set aside is no reason to fail, but the user must hear of it. */
  problem = umt_device_manager_get_state_problem (ctx->manager);
  if (problem != NULL)
    fprintf (stderr, "%s\n", problem);

  ctx->profiles = umt_device_manager_get_profiles (ctx->manager);
  ctx->profile = umt_device_manager_get_profile (ctx->manager);
  ctx->state = umt_device_manager_get_state (ctx->manager);
  ctx->server_url = umt_device_manager_get_server_url (ctx->manager);
  ctx->server_overridden_by_option = ctx->server_option != NULL;
  ctx->server_overridden_by_env = !ctx->server_overridden_by_option &&
                                  umt_device_manager_get_server_url_overridden (ctx->manager);
  return TRUE;
}

gboolean
umt_cli_context_load_client (UmtCliContext  *ctx,
                             GError        **error)
{
  if (ctx->client != NULL)
    return TRUE;
  if (!umt_cli_context_load_profiles (ctx, error))
    return FALSE;

  ctx->client = umt_device_manager_create_client_sync (ctx->manager, NULL, error);
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

static gboolean
secret_has_control (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

/* One line from stdin, without its line end. Tokens never travel in argv,
 * where every user of the machine could read them. */
char *
umt_cli_read_secret_from_stdin (const char  *prompt,
                                GError     **error)
{
  GString *line = g_string_new (NULL);
  gboolean has_nul = FALSE;
  int c;

  if (isatty (STDIN_FILENO))
    {
      fputs (prompt, stderr);
      fflush (stderr);
    }
  while ((c = getchar ()) != EOF && c != '\n')
    {
      has_nul |= c == '\0';
      g_string_append_c (line, (char) c);
    }
  g_strstrip (line->str);
  if (line->str[0] == '\0' && !has_nul)
    {
      g_string_free (line, TRUE);
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "No token was read from standard input; pipe it in, e.g. from a file with “< token-file”.");
      return NULL;
    }
  /* A control character would be dropped from, or break, the Authorization
   * header; whatever is refused here never reaches the keyring. */
  if (has_nul || !g_utf8_validate (line->str, -1, NULL) || secret_has_control (line->str))
    {
      explicit_bzero (line->str, line->allocated_len);
      g_string_free (line, TRUE);
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "The token read from standard input holds control characters or is not UTF-8 text; "
                           "copy it again from the server, as one line.");
      return NULL;
    }
  return g_string_free (line, FALSE);
}
