/* umt-cli-stop-win32.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-cli-run"

#include "config.h"

#include <windows.h>

#include "umt-cli-stop.h"

struct _UmtCliStopWatch
{
  GMainLoop *loop;
};

/* The console's control handler runs in a thread of its own. */
static GMainLoop *stopping_loop;
G_LOCK_DEFINE_STATIC (stopping_loop);

static BOOL WINAPI
on_console_control (DWORD type)
{
  G_LOCK (stopping_loop);
  if (stopping_loop != NULL)
    {
      g_message ("Stopping on a console event");
      g_main_loop_quit (stopping_loop);
    }
  G_UNLOCK (stopping_loop);
  return TRUE;
}

UmtCliStopWatch *
umt_cli_stop_watch_new (GMainLoop *loop)
{
  UmtCliStopWatch *watch = g_new0 (UmtCliStopWatch, 1);

  watch->loop = g_main_loop_ref (loop);
  G_LOCK (stopping_loop);
  stopping_loop = watch->loop;
  G_UNLOCK (stopping_loop);
  SetConsoleCtrlHandler (on_console_control, TRUE);
  return watch;
}

void
umt_cli_stop_watch_free (UmtCliStopWatch *watch)
{
  SetConsoleCtrlHandler (on_console_control, FALSE);
  G_LOCK (stopping_loop);
  stopping_loop = NULL;
  G_UNLOCK (stopping_loop);
  g_main_loop_unref (watch->loop);
  g_free (watch);
}
