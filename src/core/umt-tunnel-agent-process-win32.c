/* umt-tunnel-agent-process-win32.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-tunnel-agent-process"

#include "config.h"

#include <windows.h>

#include <glib/gi18n-lib.h>

#include "umt-tunnel-agent-process-private.h"

char *
_umt_tunnel_agent_process_default_path (void)
{
  g_autofree char *installation = g_win32_get_package_installation_directory_of_module (NULL);

  return g_build_filename (installation, "bin", "umt-tunnel-agent.exe", NULL);
}

/* One job for every agent of this process, never closed: Windows closes it
 * when the process ends, however it ends, and then kills what is in it. The
 * agent would stop at the end of its stdin too, but a hung or busy agent
 * would not read it. */
static HANDLE
get_job (void)
{
  static gsize initialized;
  static HANDLE job;

  if (g_once_init_enter (&initialized))
    {
      JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = { 0 };
      HANDLE created = CreateJobObjectW (NULL, NULL);

      limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
      if (created != NULL &&
          !SetInformationJobObject (created, JobObjectExtendedLimitInformation,
                                    &limits, sizeof limits))
        {
          g_autofree char *reason = g_win32_error_message (GetLastError ());

          g_debug ("Cannot make the tunnel agents' job kill them: %s", reason);
          CloseHandle (created);
          created = NULL;
        }
      job = created != NULL ? created : INVALID_HANDLE_VALUE;
      g_once_init_leave (&initialized, 1);
    }
  return job;
}

void
_umt_tunnel_agent_process_tie (GSubprocess *process)
{
  DWORD pid = (DWORD) g_ascii_strtoull (g_subprocess_get_identifier (process), NULL, 10);
  HANDLE job = get_job ();
  HANDLE handle;

  if (job == INVALID_HANDLE_VALUE)
    return;
  handle = OpenProcess (PROCESS_SET_QUOTA | PROCESS_TERMINATE, FALSE, pid);
  if (handle == NULL || !AssignProcessToJobObject (job, handle))
    {
      g_autofree char *reason = g_win32_error_message (GetLastError ());

      g_debug ("Cannot put the tunnel agent (process %lu) in a job: %s", pid, reason);
    }
  if (handle != NULL)
    CloseHandle (handle);
}

char *
_umt_tunnel_agent_process_describe_exit (GSubprocess *process)
{
  return g_strdup_printf (_("exit status %d"), g_subprocess_get_exit_status (process));
}
