/* umt-file-lock-private.h: shared by the platform parts of umt-file-lock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "<dir>/.<name>.lock" for "<dir>/<name>". */
char *_umt_file_lock_path_for (const char *path);

G_END_DECLS
