/* umt-diagnostics.h: the checks of `umt diagnose` and the Diagnostics page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "umt-device-manager.h"

G_BEGIN_DECLS

typedef enum
{
  UMT_DIAGNOSTIC_OK,
  UMT_DIAGNOSTIC_FAIL,
  UMT_DIAGNOSTIC_SKIP,
} UmtDiagnosticStatus;

/* One check's outcome. @id is stable and never translated ("config",
 * "profile", "dns", "tcp", "tls", "api", "device", "keyring"); @title,
 * @detail and @hint are sentences in the user's language. @hint is set on
 * failures only. */
typedef struct
{
  char                *id;
  char                *title;
  UmtDiagnosticStatus  status;
  char                *detail;
  char                *hint;
} UmtDiagnosticResult;

#define UMT_TYPE_DIAGNOSTIC_RESULT (umt_diagnostic_result_get_type ())
GType                umt_diagnostic_result_get_type (void) G_GNUC_CONST;
UmtDiagnosticResult *umt_diagnostic_result_copy     (const UmtDiagnosticResult *result);
void                 umt_diagnostic_result_free     (UmtDiagnosticResult       *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (UmtDiagnosticResult, umt_diagnostic_result_free)

/* "ok", "fail" or "skip": the words of `umt diagnose --json`, untranslated. */
const char          *umt_diagnostic_status_to_string (UmtDiagnosticStatus status);

/* How many checks a run reports, in this order: config, profile, dns, tcp,
 * tls, api, device, keyring. */
#define UMT_DIAGNOSTICS_N_CHECKS 8

#define UMT_TYPE_DIAGNOSTICS (umt_diagnostics_get_type ())
G_DECLARE_FINAL_TYPE (UmtDiagnostics, umt_diagnostics, UMT, DIAGNOSTICS, GObject)

/* Checks each link from this computer to the server of @manager's profile.
 * What the checks need is read from the manager when a run starts, so a
 * profile edited during a run does not mix two servers in one report.
 *
 * Signal "check-done" (UmtDiagnosticResult *): each result as it is known,
 * in order, on the main context of the caller of the run.
 * Property "running" (gboolean, notified). */
UmtDiagnostics *umt_diagnostics_new                  (UmtDeviceManager *manager);

/* For a front end whose device manager could not be loaded (`umt` with an
 * unreadable profiles.json): the config check fails with @load_error, the
 * server checks are skipped, the keyring is still checked. */
UmtDiagnostics *umt_diagnostics_new_for_load_error   (const GError     *load_error);

/* Runs every check in the calling thread (it blocks, up to a few seconds per
 * network check). Returns the results (UmtDiagnosticResult), or NULL with
 * G_IO_ERROR_CANCELLED. "check-done" is emitted in the calling thread. */
GPtrArray      *umt_diagnostics_run_sync             (UmtDiagnostics   *self,
                                                      GCancellable     *cancellable,
                                                      GError          **error);

/* The same in a worker thread; "check-done" is emitted on the caller's
 * thread-default main context as each check finishes, then @callback is
 * called. A second run while one is going fails with G_IO_ERROR_PENDING. */
void            umt_diagnostics_run_async            (UmtDiagnostics      *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray      *umt_diagnostics_run_finish           (UmtDiagnostics      *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

gboolean        umt_diagnostics_get_running          (UmtDiagnostics   *self);

/* The results of the last run (or of the run going on, so far); never NULL. */
GPtrArray      *umt_diagnostics_get_results          (UmtDiagnostics   *self);

/* TRUE when a result of the last run is a failure. */
gboolean        umt_diagnostics_get_failed           (UmtDiagnostics   *self);

/* A plain-text report of the last run for a bug report or an
 * administrator: server, profile, time, then one paragraph per check. */
char           *umt_diagnostics_format_report        (UmtDiagnostics   *self);

G_END_DECLS
