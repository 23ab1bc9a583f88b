/* umt-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-test-util"

#include "config.h"

#include <glib/gstdio.h>

#include "umt-test-util.h"

#define ITERATE_TIMEOUT_SECONDS 20

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
umt_test_iterate_until (gboolean (*done) (gpointer data),
                        gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + ITERATE_TIMEOUT_SECONDS * G_USEC_PER_SEC;
  /* Wakes the context now and then, so the deadline is checked. */
  guint tick_id = g_timeout_add (50, tick, NULL);

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick_id);
}

void
umt_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        umt_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}
