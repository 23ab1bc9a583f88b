/* fuzz-util.h: what every libFuzzer target does first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A critical or a warning is a bug found: it aborts, so that libFuzzer keeps
 * the input (GLib's own fatal messages trap, which libFuzzer does not). */
void fuzz_abort_on_criticals (void);

G_END_DECLS
