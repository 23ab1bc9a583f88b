/* umt-test-ui.h: what the tests of the window share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Waits for a few painted frames of @widget: the allocation, a page switch
 * and the icons settle before a measure or a render. */
void       umt_test_wait_for_frames (GtkWidget  *widget);

/* The first widget of @type in @widget's tree, @widget included, or NULL. */
GtkWidget *umt_test_find_descendant (GtkWidget  *widget,
                                     GType       type);

/* Translates what is shown from now on into @language ("en", "fr"). */
void       umt_test_use_language    (const char *language);

G_END_DECLS
