/* test-diagnostics.c: the checks of `umt diagnose` and the Diagnostics page against meeting-sim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-test-diagnostics"

#include "config.h"

#include "umt-device-manager.h"
#include "umt-diagnostics.h"
#include "umt-test-sim.h"

static const char *const check_ids[UMT_DIAGNOSTICS_N_CHECKS] = {
  "config", "profile", "dns", "tcp", "tls", "api", "device", "keyring",
};

static UmtDeviceManager *
manager_for (const char *url)
{
  g_autoptr(GError) error = NULL;
  UmtDeviceManager *manager;

  g_setenv ("MEETING_SERVER_URL", url, TRUE);
  manager = umt_device_manager_new (&error);
  g_assert_no_error (error);
  /* No public IP lookup: there is no internet here. */
  umt_profile_set_public_ip_lookup (umt_device_manager_get_profile (manager), FALSE);
  return manager;
}

static void
register_device (UmtDeviceManager *manager,
                 UmtTestSim       *sim)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *key = umt_test_sim_create_device (sim, NULL, &token);
  g_autoptr(UmtMeetingRegistration) registration = NULL;

  registration = umt_device_manager_register_sync (manager, key, token, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (umt_device_manager_get_registered (manager));
  umt_test_sim_authorize_device (sim, key);
}

static UmtDiagnosticResult *
find (GPtrArray  *results,
      const char *id)
{
  for (guint i = 0; i < results->len; i++)
    {
      UmtDiagnosticResult *result = g_ptr_array_index (results, i);

      if (g_str_equal (result->id, id))
        return result;
    }
  g_assert_not_reached ();
}

static void
assert_in_order (GPtrArray *results)
{
  g_assert_cmpuint (results->len, ==, UMT_DIAGNOSTICS_N_CHECKS);
  for (guint i = 0; i < results->len; i++)
    {
      UmtDiagnosticResult *result = g_ptr_array_index (results, i);

      g_assert_cmpstr (result->id, ==, check_ids[i]);
      g_assert_true (result->title != NULL && result->title[0] != '\0');
      g_assert_nonnull (result->detail);
      /* A failure always says what to do; nothing else has a hint. */
      g_assert_true ((result->hint != NULL) == (result->status == UMT_DIAGNOSTIC_FAIL));
    }
}

static void
on_check_done (UmtDiagnostics      *diagnostics,
               UmtDiagnosticResult *result,
               gpointer             user_data)
{
  GPtrArray *seen = user_data;

  /* Each result arrives on the main thread while the run still goes on. */
  g_assert_true (umt_diagnostics_get_running (diagnostics));
  g_ptr_array_add (seen, umt_diagnostic_result_copy (result));
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_all_ok (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autoptr(UmtDeviceManager) manager = manager_for (sim->url);
  g_autoptr(UmtDiagnostics) diagnostics = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func ((GDestroyNotify) umt_diagnostic_result_free);
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *report = NULL;

  register_device (manager, sim);
  diagnostics = umt_diagnostics_new (manager);
  g_signal_connect (diagnostics, "check-done", G_CALLBACK (on_check_done), seen);

  umt_diagnostics_run_async (diagnostics, NULL, on_done, &done);
  g_assert_true (umt_diagnostics_get_running (diagnostics));
  while (done == NULL)
    g_main_context_iteration (NULL, TRUE);
  results = umt_diagnostics_run_finish (diagnostics, done, &error);
  g_assert_no_error (error);
  g_assert_false (umt_diagnostics_get_running (diagnostics));

  assert_in_order (results);
  assert_in_order (seen);
  for (guint i = 0; i < results->len; i++)
    {
      UmtDiagnosticResult *result = g_ptr_array_index (results, i);

      g_assert_cmpint (result->status, ==,
                       g_str_equal (result->id, "tls") ? UMT_DIAGNOSTIC_SKIP : UMT_DIAGNOSTIC_OK);
    }
  g_assert_false (umt_diagnostics_get_failed (diagnostics));
  g_assert_nonnull (strstr (find (results, "api")->detail, "version"));
  g_assert_nonnull (strstr (find (results, "device")->detail,
                            umt_device_manager_get_device_key (manager)));

  report = umt_diagnostics_format_report (diagnostics);
  g_assert_nonnull (strstr (report, sim->url));
  for (guint i = 0; i < results->len; i++)
    g_assert_nonnull (strstr (report, ((UmtDiagnosticResult *) g_ptr_array_index (results, i))->title));
  g_unsetenv ("MEETING_SERVER_URL");
}

static void
test_closed_port (void)
{
  g_autoptr(UmtDeviceManager) manager = manager_for ("http://127.0.0.1:1");
  g_autoptr(UmtDiagnostics) diagnostics = umt_diagnostics_new (manager);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  UmtDiagnosticResult *tcp;

  results = umt_diagnostics_run_sync (diagnostics, NULL, &error);
  g_assert_no_error (error);
  assert_in_order (results);
  tcp = find (results, "tcp");
  g_assert_cmpint (tcp->status, ==, UMT_DIAGNOSTIC_FAIL);
  g_assert_nonnull (strstr (tcp->hint, "firewall"));
  g_assert_cmpint (find (results, "dns")->status, ==, UMT_DIAGNOSTIC_OK);
  g_assert_cmpint (find (results, "tls")->status, ==, UMT_DIAGNOSTIC_SKIP);
  g_assert_cmpint (find (results, "api")->status, ==, UMT_DIAGNOSTIC_SKIP);
  g_assert_true (umt_diagnostics_get_failed (diagnostics));
  g_unsetenv ("MEETING_SERVER_URL");
}

static void
test_untrusted_certificate (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--tls", NULL);
  g_autoptr(UmtDeviceManager) manager = manager_for (sim->url);
  g_autoptr(UmtDiagnostics) diagnostics = umt_diagnostics_new (manager);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) unverified = NULL;
  g_autoptr(GError) error = NULL;
  UmtDiagnosticResult *tls;

  g_assert_true (g_str_has_prefix (sim->url, "https://"));
  results = umt_diagnostics_run_sync (diagnostics, NULL, &error);
  g_assert_no_error (error);
  assert_in_order (results);
  g_assert_cmpint (find (results, "tcp")->status, ==, UMT_DIAGNOSTIC_OK);
  tls = find (results, "tls");
  g_assert_cmpint (tls->status, ==, UMT_DIAGNOSTIC_FAIL);
  g_assert_nonnull (strstr (tls->hint, "certificate"));
  g_assert_cmpint (find (results, "api")->status, ==, UMT_DIAGNOSTIC_SKIP);

  /* The profile's choice not to verify is what the next run uses. */
  umt_profile_set_verify_tls (umt_device_manager_get_profile (manager), FALSE);
  unverified = umt_diagnostics_run_sync (diagnostics, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (find (unverified, "tls")->status, ==, UMT_DIAGNOSTIC_OK);
  g_assert_nonnull (strstr (find (unverified, "tls")->detail, "not verified"));
  g_assert_cmpint (find (unverified, "api")->status, ==, UMT_DIAGNOSTIC_OK);
  g_unsetenv ("MEETING_SERVER_URL");
}

static void
test_unknown_device (void)
{
  g_autoptr(UmtTestSim) first = umt_test_sim_start (NULL, NULL);
  g_autoptr(UmtTestSim) second = umt_test_sim_start (NULL, NULL);
  g_autoptr(UmtDeviceManager) manager = manager_for (first->url);
  g_autoptr(UmtDeviceManager) elsewhere = NULL;
  g_autoptr(UmtDiagnostics) diagnostics = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  UmtDiagnosticResult *device;

  /* Registered with one server, pointed at another that never heard of it. */
  register_device (manager, first);
  elsewhere = manager_for (second->url);
  g_assert_true (umt_device_manager_get_registered (elsewhere));
  diagnostics = umt_diagnostics_new (elsewhere);
  results = umt_diagnostics_run_sync (diagnostics, NULL, &error);
  g_assert_no_error (error);
  assert_in_order (results);
  g_assert_cmpint (find (results, "api")->status, ==, UMT_DIAGNOSTIC_OK);
  device = find (results, "device");
  g_assert_cmpint (device->status, ==, UMT_DIAGNOSTIC_FAIL);
  g_assert_nonnull (strstr (device->hint, "administrator"));
  g_unsetenv ("MEETING_SERVER_URL");
}

/* Known to the server, never authorized by its administrator: not "all
 * checks passed", and the hint says who can fix it. */
static void
test_not_authorized (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autoptr(UmtDeviceManager) manager = manager_for (sim->url);
  g_autoptr(UmtDiagnostics) diagnostics = NULL;
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *key = umt_test_sim_create_device (sim, NULL, &token);
  UmtDiagnosticResult *device;

  registration = umt_device_manager_register_sync (manager, key, token, NULL, &error);
  g_assert_no_error (error);
  diagnostics = umt_diagnostics_new (manager);
  results = umt_diagnostics_run_sync (diagnostics, NULL, &error);
  g_assert_no_error (error);
  device = find (results, "device");
  g_assert_cmpint (device->status, ==, UMT_DIAGNOSTIC_FAIL);
  g_assert_nonnull (strstr (device->detail, "not authorized"));
  g_assert_nonnull (strstr (device->hint, "authorize"));
  g_assert_true (umt_diagnostics_get_failed (diagnostics));
  g_unsetenv ("MEETING_SERVER_URL");
}

static void
test_cancel (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autoptr(UmtDeviceManager) manager = manager_for (sim->url);
  g_autoptr(UmtDiagnostics) diagnostics = umt_diagnostics_new (manager);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func ((GDestroyNotify) umt_diagnostic_result_free);
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  g_signal_connect (diagnostics, "check-done", G_CALLBACK (on_check_done), seen);
  umt_diagnostics_run_async (diagnostics, cancellable, on_done, &done);
  g_cancellable_cancel (cancellable);
  while (done == NULL)
    g_main_context_iteration (NULL, TRUE);
  results = umt_diagnostics_run_finish (diagnostics, done, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (results);
  g_assert_cmpuint (seen->len, ==, 0);
  g_assert_false (umt_diagnostics_get_running (diagnostics));
  g_unsetenv ("MEETING_SERVER_URL");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/diagnostics/all-ok", test_all_ok);
  g_test_add_func ("/diagnostics/closed-port", test_closed_port);
  g_test_add_func ("/diagnostics/untrusted-certificate", test_untrusted_certificate);
  g_test_add_func ("/diagnostics/unknown-device", test_unknown_device);
  g_test_add_func ("/diagnostics/not-authorized", test_not_authorized);
  g_test_add_func ("/diagnostics/cancel", test_cancel);

  return g_test_run ();
}
