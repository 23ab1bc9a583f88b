/* main.c: entry point of updates-manager-tool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-main"

#include "config.h"

#include <glib/gi18n.h>

#include "umt-application.h"
#include "umt-log.h"
#include "umt-paths.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(UmtApplication) app = NULL;
  /* tools/run points this at the build directory's catalogs. */
  const char *localedir = g_getenv ("UMT_LOCALEDIR");
  g_autofree char *logs_dir = umt_paths_get_logs_dir ();

  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* The same app.log as `umt`, shown on the Logs page. */
  umt_log_init (logs_dir, UMT_LOG_FLAGS_NONE);

  app = umt_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
