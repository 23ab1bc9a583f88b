/* umt-process-win32.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <windows.h>

#include "umt-process.h"

gboolean
umt_process_is_alive (GPid pid)
{
  DWORD id = (DWORD) (gintptr) pid;
  HANDLE process;
  DWORD code = 0;
  gboolean alive;

  if (id == 0)
    return FALSE;
  process = OpenProcess (PROCESS_QUERY_LIMITED_INFORMATION, FALSE, id);
  if (process == NULL)
    return FALSE;
  alive = GetExitCodeProcess (process, &code) && code == STILL_ACTIVE;
  CloseHandle (process);
  return alive;
}
