/* test-heartbeat-status.c: one owner per user, and what it tells the others
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-test-heartbeat-status"

#include "config.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "umt-config-error.h"
#include "umt-heartbeat-status.h"
#include "umt-paths.h"

static void
test_second_owner_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtOwnerLock) first = NULL;
  g_autoptr(UmtOwnerLock) second = NULL;
  g_autoptr(UmtOwnerLock) third = NULL;
  g_autofree char *pid = g_strdup_printf ("process %d", (int) getpid ());

  first = umt_owner_lock_acquire (&error);
  g_assert_no_error (error);
  g_assert_nonnull (first);

  second = umt_owner_lock_acquire (&error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_null (second);
  g_assert_nonnull (strstr (error->message, pid));
  g_assert_nonnull (strstr (error->message, "umt status"));
  g_clear_error (&error);

  g_clear_pointer (&first, umt_owner_lock_release);
  third = umt_owner_lock_acquire (&error);
  g_assert_no_error (error);
  g_assert_nonnull (third);
}

static void
test_lock_dies_with_owner (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtOwnerLock) lock = NULL;

  /* A process that takes the lock and dies without releasing it. */
  if (g_test_subprocess ())
    {
      lock = umt_owner_lock_acquire (&error);
      g_assert_no_error (error);
      _exit (0);
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();

  /* The child did hold this very lock file: its pid is recorded there. */
  {
    g_autofree char *state_dir = umt_paths_get_state_dir ();
    g_autofree char *path = g_build_filename (state_dir, "owner.lock", NULL);
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    g_assert_cmpint (atoi (contents), >, 0);
    g_assert_cmpint (atoi (contents), !=, getpid ());
  }

  lock = umt_owner_lock_acquire (&error);
  g_assert_no_error (error);
  g_assert_nonnull (lock);
}

static void
test_publish_and_load (void)
{
  g_autoptr(UmtHeartbeat) heartbeat = umt_heartbeat_new ();
  g_autoptr(UmtHeartbeatStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = umt_paths_get_state_dir ();
  g_autofree char *path = g_build_filename (state_dir, "heartbeat.json", NULL);
  struct stat st;

  status = umt_heartbeat_status_load (&error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (status);
  g_clear_error (&error);

  umt_heartbeat_status_publish (heartbeat, "DEVICE-1");
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  status = umt_heartbeat_status_load (&error);
  g_assert_no_error (error);
  g_assert_cmpint (status->state, ==, UMT_HEARTBEAT_STATE_UNREGISTERED);
  g_assert_cmpstr (status->device_key, ==, "DEVICE-1");
  g_assert_cmpint (status->pid, ==, getpid ());
  g_assert_true (status->owner_alive);
  g_assert_nonnull (status->updated);
  g_clear_pointer (&status, umt_heartbeat_status_free);

  /* A later change is written too. */
  umt_heartbeat_pause (heartbeat);
  umt_heartbeat_configure (heartbeat, NULL, NULL, NULL);
  umt_heartbeat_status_unpublish (heartbeat);
  status = umt_heartbeat_status_load (&error);
  g_assert_no_error (error);
  g_assert_cmpint (status->state, ==, UMT_HEARTBEAT_STATE_UNREGISTERED);
}

static void
test_dead_owner_noticed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(UmtHeartbeatStatus) status = NULL;
  g_autofree char *state_dir = umt_paths_get_state_dir ();
  g_autofree char *path = g_build_filename (state_dir, "heartbeat.json", NULL);
  g_autofree char *contents = NULL;
  const char *pid;

  /* An owner that wrote the file, then died. */
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sleep", "60", NULL);
  g_assert_no_error (error);
  pid = g_subprocess_get_identifier (process);
  g_assert_nonnull (pid);
  contents = g_strdup_printf ("{\"state\":\"active\",\"pid\":%s,"
                              "\"last_success\":\"2026-11-25T12:00:00Z\"}", pid);
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (umt_paths_ensure_private_dir (state_dir, NULL));
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));

  status = umt_heartbeat_status_load (&error);
  g_assert_no_error (error);
  g_assert_cmpint (status->state, ==, UMT_HEARTBEAT_STATE_ACTIVE);
  g_assert_false (status->owner_alive);
  g_assert_nonnull (status->last_success);
  g_clear_pointer (&status, umt_heartbeat_status_free);

  g_assert_true (g_file_set_contents (path, "{not json", -1, NULL));
  status = umt_heartbeat_status_load (&error);
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT);
  g_assert_null (status);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/owner-lock/second-owner", test_second_owner_refused);
  g_test_add_func ("/owner-lock/dies-with-owner", test_lock_dies_with_owner);
  g_test_add_func ("/heartbeat-status/publish-load", test_publish_and_load);
  g_test_add_func ("/heartbeat-status/dead-owner", test_dead_owner_noticed);

  return g_test_run ();
}
