/* umt-diagnostics-checks.h: the checks themselves, for umt-diagnostics.c only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "umt-diagnostics.h"

G_BEGIN_DECLS

/* What a run needs from the device manager, copied on the caller's thread:
 * the worker never touches the manager, which belongs to the main thread. */
typedef struct
{
  GError   *load_error;
  char     *state_problem;  /* a state file set aside at load, said in a sentence */
  char     *server_url;
  gboolean  server_from_env;
  char     *profile_name;
  gboolean  verify_tls;
  gboolean  allow_insecure_http;
  gboolean  registered;
  char     *device_key;
} UmtDiagnosticsSnapshot;

void umt_diagnostics_snapshot_free (UmtDiagnosticsSnapshot *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (UmtDiagnosticsSnapshot, umt_diagnostics_snapshot_free)

/* Where the results of the worker go: straight to the object (blocking
 * run) or through the caller's main context (async run). Takes @result. */
typedef void (*UmtDiagnosticsEmitFunc) (UmtDiagnosticResult *result,
                                        gpointer             user_data);

/* Every check in order, blocking, each result handed to @emit as it is
 * known; FALSE when @cancellable stopped the run on the way. Runs in any
 * thread: it uses nothing but @snapshot. */
gboolean umt_diagnostics_run_checks (UmtDiagnosticsSnapshot  *snapshot,
                                     GCancellable            *cancellable,
                                     UmtDiagnosticsEmitFunc   emit,
                                     gpointer                 emit_data);

G_END_DECLS
