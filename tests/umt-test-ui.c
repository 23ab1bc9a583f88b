/* umt-test-ui.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include "umt-test-ui.h"
#include "umt-test-util.h"

static gboolean
frames_elapsed (gpointer data)
{
  return *(int *) data <= 0;
}

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  int *remaining = data;

  (*remaining)--;
  return *remaining > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

void
umt_test_wait_for_frames (GtkWidget *widget)
{
  int remaining = 4;

  gtk_widget_add_tick_callback (widget, count_frame, &remaining, NULL);
  gtk_widget_queue_draw (widget);
  umt_test_iterate_until (frames_elapsed, &remaining);
}

GtkWidget *
umt_test_find_descendant (GtkWidget *widget,
                          GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = umt_test_find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

void
umt_test_use_language (const char *language)
{
  g_setenv ("LANGUAGE", language, TRUE);
  /* setlocale() makes gettext drop the catalogs it already chose. */
  setlocale (LC_ALL, "");
}
