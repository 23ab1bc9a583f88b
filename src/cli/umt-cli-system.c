/* umt-cli-system.c: the system service enabled and started after provisioning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-cli-system"

#include "config.h"

#include <string.h>

#include "umt-cli.h"

#define SYSTEM_UNIT "updates-manager-tool.service"

static gboolean
run_systemctl (const char  *verb,
               const char  *option,
               GError     **error)
{
  g_autofree char *program = g_find_program_in_path ("systemctl");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *reason = NULL;

  if (program == NULL)
    reason = g_strdup ("systemctl is not installed");
  else
    {
      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                  &local_error, program, verb, SYSTEM_UNIT, option, NULL);
      if (process == NULL ||
          !g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &local_error))
        reason = g_strdup (local_error->message);
      else if (!g_subprocess_get_successful (process))
        {
          g_auto(GStrv) lines = g_strsplit (g_strstrip (err), "\n", -1);

          /* Its last line says why. */
          reason = g_strdup (lines[0] != NULL ? lines[g_strv_length (lines) - 1]
                                              : "systemctl failed");
        }
    }

  if (reason != NULL)
    {
      g_strdelimit (reason, "\n", ' ');
      if (g_str_has_suffix (reason, "."))
        reason[strlen (reason) - 1] = '\0';
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "The system service could not be enabled (%s); enable it with "
                   "“systemctl enable --now " SYSTEM_UNIT "”.", reason);
      return FALSE;
    }
  g_message ("systemctl %s %s%s%s", verb, SYSTEM_UNIT, option != NULL ? " " : "",
             option != NULL ? option : "");
  return TRUE;
}

gboolean
umt_cli_system_enable_service (gboolean   restart,
                               GError   **error)
{
  if (restart)
    return run_systemctl ("enable", NULL, error) && run_systemctl ("restart", NULL, error);
  return run_systemctl ("enable", "--now", error);
}
