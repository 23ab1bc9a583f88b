/* umt-test-util.h: small things every kind of test needs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Iterates the default main context until @done (@data) holds; fails the
 * test after 20 seconds, even when nothing else wakes the context. */
void umt_test_iterate_until (gboolean (*done) (gpointer data),
                             gpointer   data);

/* Removes @path and everything below it, without following links. */
void umt_test_remove_tree   (const char *path);

G_END_DECLS
