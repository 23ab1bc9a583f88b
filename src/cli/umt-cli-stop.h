/* umt-cli-stop.h: `umt run` ends when it is asked to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _UmtCliStopWatch UmtCliStopWatch;

/* Quits @loop when this process is asked to stop: SIGINT or SIGTERM
 * (umt-cli-stop-unix.c); Ctrl+C, Ctrl+Break, closing the console, logging
 * off or shutting down on Windows (umt-cli-stop-win32.c). */
UmtCliStopWatch *umt_cli_stop_watch_new  (GMainLoop       *loop);
void             umt_cli_stop_watch_free (UmtCliStopWatch *watch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UmtCliStopWatch, umt_cli_stop_watch_free)

G_END_DECLS
