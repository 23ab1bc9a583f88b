/* umt-main-context.h: handing work from a worker thread to a main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs @func(@data) in the thread that iterates @context, later, always.
 * Not g_main_context_invoke(): that runs @func at once in the calling
 * thread whenever nobody owns @context at that instant, and properties and
 * signals must only change in the thread the interface lives in. */
void umt_main_context_hand_over (GMainContext   *context,
                                 GSourceFunc     func,
                                 gpointer        data,
                                 GDestroyNotify  notify);

G_END_DECLS
