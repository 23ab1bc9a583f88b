/* umt-file-lock-private.h: shared by the platform parts of umt-file-lock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "<dir>/.<name>.lock" for "<dir>/<name>". */
char     *_umt_file_lock_path_for (const char *path);

/* Takes an exclusive lock on the open file @fd at once, or says it cannot:
 * another holds it. Closing @fd drops it. */
gboolean  _umt_file_lock_try_fd   (int         fd);
/* The same, waiting until nobody else holds it. */
gboolean  _umt_file_lock_wait_fd  (int         fd);

G_END_DECLS
