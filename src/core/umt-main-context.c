/* umt-main-context.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-main-context"

#include "config.h"

#include "umt-main-context.h"

void
umt_main_context_hand_over (GMainContext   *context,
                            GSourceFunc     func,
                            gpointer        data,
                            GDestroyNotify  notify)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[umt] from a worker thread");
  g_source_attach (source, context);
}
