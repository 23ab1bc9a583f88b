/* umt-cli-stop-unix.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-cli-run"

#include "config.h"

#include <signal.h>

#include <glib-unix.h>

#include "umt-cli-stop.h"

struct _UmtCliStopWatch
{
  guint sigint_id;
  guint sigterm_id;
};

static gboolean
on_stop_signal (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_message ("Stopping on a signal");
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

UmtCliStopWatch *
umt_cli_stop_watch_new (GMainLoop *loop)
{
  UmtCliStopWatch *watch = g_new0 (UmtCliStopWatch, 1);

  watch->sigint_id = g_unix_signal_add (SIGINT, on_stop_signal, loop);
  watch->sigterm_id = g_unix_signal_add (SIGTERM, on_stop_signal, loop);
  return watch;
}

void
umt_cli_stop_watch_free (UmtCliStopWatch *watch)
{
  g_source_remove (watch->sigint_id);
  g_source_remove (watch->sigterm_id);
  g_free (watch);
}
