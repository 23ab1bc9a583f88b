/* test-platform-win32.c: the Windows parts of the core, run under Wine by tools/check-windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-platform-win32"

#include "config.h"

#include <string.h>

#include <windows.h>
#include <wincred.h>

#include <glib/gstdio.h>

#include "umt-device-info.h"
#include "umt-device-key.h"
#include "umt-file-lock.h"
#include "umt-paths.h"
#include "umt-secret-store.h"
#include "umt-tunnel-agent-process.h"

#define SERVER "https://meeting.example.org"

static char *
read_credential (const char *target)
{
  g_autofree gunichar2 *wide = g_utf8_to_utf16 (target, -1, NULL, NULL, NULL);
  PCREDENTIALW credential = NULL;
  char *blob;

  if (!CredReadW ((LPCWSTR) wide, CRED_TYPE_GENERIC, 0, &credential))
    {
      g_assert_cmpuint (GetLastError (), ==, ERROR_NOT_FOUND);
      return NULL;
    }
  blob = g_strndup ((const char *) credential->CredentialBlob, credential->CredentialBlobSize);
  CredFree (credential);
  return blob;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

/* Each token is a generic credential of its own, found by the name the
 * control panel shows, and gone once cleared. */
static void
test_credential_manager (void)
{
  const char *target = "fr.ygsoft.UpdatesManagerTool/profile-token/umt-test@" SERVER;
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *after_clear = NULL;
  g_autofree char *from_async = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  g_assert_true (umt_secret_store_store_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test", SERVER,
                                              "s3cret-token", NULL, &error));
  g_assert_no_error (error);

  stored = read_credential (target);
  g_assert_cmpstr (stored, ==, "s3cret-token");
  found = umt_secret_store_lookup_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test", SERVER, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "s3cret-token");

  umt_secret_store_lookup_async (UMT_SECRET_PROFILE_TOKEN, "umt-test", SERVER, NULL,
                                 on_done, &result);
  from_async = umt_secret_store_lookup_finish (wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (from_async, ==, "s3cret-token");

  g_assert_true (umt_secret_store_clear_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test", SERVER,
                                              NULL, &error));
  g_assert_no_error (error);
  after_clear = read_credential (target);
  g_assert_null (after_clear);
  g_assert_null (umt_secret_store_lookup_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test", SERVER,
                                               NULL, &error));
  g_assert_no_error (error);

  /* Clearing what is not there is no failure. */
  g_assert_true (umt_secret_store_clear_sync (UMT_SECRET_PROFILE_TOKEN, "umt-test", SERVER,
                                              NULL, &error));
  g_assert_no_error (error);
}

/* The tunnel uses its own token when there is one, else the registration's. */
static void
test_tunnel_token (void)
{
  const char *key = "0123456789ABCDEF0123456789ABCDEF";
  g_autoptr(GError) error = NULL;
  g_autofree char *registration = NULL;
  g_autofree char *tunnel = NULL;
  gboolean from_registration = FALSE;

  g_assert_true (umt_secret_store_store_sync (UMT_SECRET_REGISTRATION_TOKEN, key, NULL,
                                              "C0FFEE", NULL, &error));
  registration = umt_secret_store_lookup_tunnel_token_sync (key, &from_registration, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (registration, ==, "C0FFEE");
  g_assert_true (from_registration);

  g_assert_true (umt_secret_store_store_sync (UMT_SECRET_TUNNEL_TOKEN, key, NULL,
                                              "tunnel-secret", NULL, &error));
  tunnel = umt_secret_store_lookup_tunnel_token_sync (key, &from_registration, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tunnel, ==, "tunnel-secret");
  g_assert_false (from_registration);

  g_assert_true (umt_secret_store_clear_device_tokens_sync (key, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (umt_secret_store_lookup_tunnel_token_sync (key, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* Under Wine the adapters are the Linux host's: Wine's Z: drive shows its
 * routing table. */
static gboolean
host_has_default_route (void)
{
  g_autofree char *routes = NULL;

  if (!g_file_get_contents ("Z:\\proc\\net\\route", &routes, NULL, NULL))
    return FALSE;
  return strstr (routes, "\t00000000\t") != NULL;
}

/* GetAdaptersAddresses: the adapter holding the default route, with an
 * address and its MAC, and the host name. */
static void
test_device_info (void)
{
  g_autoptr(UmtDeviceInfo) info =
    umt_device_info_collect (NULL, NULL, NULL, UMT_DEVICE_INFO_FLAGS_NO_PUBLIC_IP, NULL);
  const char *mac = umt_device_info_get_mac (info);

  g_assert_cmpstr (umt_device_info_get_hostname (info), ==, g_get_host_name ());
  if (!host_has_default_route ())
    {
      g_test_skip ("This machine has no default route");
      return;
    }
  g_assert_nonnull (umt_device_info_get_interface (info));
  g_assert_nonnull (umt_device_info_get_ip_address (info));
  if (mac != NULL)
    g_assert_cmpuint (strlen (mac), ==, strlen ("00:00:00:00:00:00"));
  g_test_message ("primary adapter %s: ip_address %s, mac %s",
                  umt_device_info_get_interface (info),
                  umt_device_info_get_ip_address (info), mac);
}

/* The suggested key comes from MachineGuid: the same every time, and the
 * 32 upper-case hexadecimal digits of a server's key. */
static void
test_machine_guid (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = umt_device_key_suggest (NULL, &error);
  g_autofree char *again = umt_device_key_suggest (NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (strlen (key), ==, 32);
  for (const char *c = key; *c != '\0'; c++)
    g_assert_true (g_ascii_isdigit (*c) || (*c >= 'A' && *c <= 'F'));
  g_assert_cmpstr (key, ==, again);
}

/* Without XDG variables, settings and state go where Windows programs keep
 * theirs: under %LOCALAPPDATA%. */
static void
test_app_data_dirs (void)
{
  const char *local = g_getenv ("LOCALAPPDATA");
  g_autofree char *config = NULL;
  g_autofree char *state = NULL;
  g_autofree char *expected = NULL;

  if (g_getenv ("XDG_CONFIG_HOME") != NULL || g_getenv ("XDG_STATE_HOME") != NULL)
    {
      g_test_skip ("XDG variables are set (tools/check-windows unsets them)");
      return;
    }

  config = umt_paths_get_config_dir ();
  state = umt_paths_get_state_dir ();
  g_assert_nonnull (local);
  expected = g_build_filename (local, "updates-manager-tool", NULL);
  g_assert_cmpstr (config, ==, expected);
  g_assert_true (g_str_has_prefix (state, local));
}

/* LockFileEx: while one holder has the lock, nobody else gets it. */
static void
test_file_lock (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("umt-lock-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "locked.json", NULL);
  g_autofree char *lock_path = g_build_filename (dir, ".locked.json.lock", NULL);
  g_autofree gunichar2 *wide = g_utf8_to_utf16 (lock_path, -1, NULL, NULL, NULL);
  UmtFileLock *lock;
  OVERLAPPED overlapped = { 0 };
  HANDLE other;

  g_assert_no_error (error);
  lock = umt_file_lock_acquire (path, &error);
  g_assert_no_error (error);

  other = CreateFileW ((LPCWSTR) wide, GENERIC_READ | GENERIC_WRITE,
                       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                       NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
  g_assert_true (other != INVALID_HANDLE_VALUE);
  g_assert_false (LockFileEx (other, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY,
                              0, 1, 0, &overlapped));

  umt_file_lock_release (lock);
  g_assert_true (LockFileEx (other, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY,
                             0, 1, 0, &overlapped));
  CloseHandle (other);
  g_assert_cmpint (g_remove (lock_path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
on_agent_event (UmtTunnelAgentProcess *agent,
                JsonObject            *event,
                gpointer               user_data)
{
}

/* The helper runs in a job that ends it with this process, even when this
 * process is killed and cannot close its pipes in order. */
static void
test_agent_ends_with_parent (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pid_file = NULL;
  g_autofree char *pid_text = NULL;
  HANDLE agent;

  if (g_test_subprocess ())
    {
      g_autoptr(UmtTunnelAgentProcess) running = NULL;
      BOOL in_job = FALSE;
      HANDLE handle;
      DWORD pid;

      /* Nothing listens there: the agent keeps trying, it does not end by itself. */
      running = umt_tunnel_agent_process_spawn (
        "{\"device_key\":\"0123456789ABCDEF0123456789ABCDEF\",\"token\":\"t\","
        "\"proxy_host\":\"127.0.0.1\",\"proxy_port\":9,\"allowed_ports\":[22]}", &error);
      g_assert_no_error (error);
      g_signal_connect (running, "event", G_CALLBACK (on_agent_event), NULL);
      pid = (DWORD) (gintptr) umt_tunnel_agent_process_get_pid (running);
      handle = OpenProcess (PROCESS_QUERY_INFORMATION, FALSE, pid);
      g_assert_nonnull (handle);
      g_assert_true (IsProcessInJob (handle, NULL, &in_job));
      g_assert_true (in_job);
      CloseHandle (handle);

      pid_text = g_strdup_printf ("%lu", pid);
      g_file_set_contents (g_getenv ("UMT_TEST_AGENT_PID_FILE"), pid_text, -1, &error);
      g_assert_no_error (error);
      /* No cleanup, no closing of pipes: as if killed. */
      TerminateProcess (GetCurrentProcess (), 3);
    }

  pid_file = g_build_filename (g_get_tmp_dir (), "umt-test-agent-pid", NULL);
  g_setenv ("UMT_TEST_AGENT_PID_FILE", pid_file, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_failed ();

  g_file_get_contents (pid_file, &pid_text, NULL, &error);
  g_assert_no_error (error);
  g_remove (pid_file);
  agent = OpenProcess (SYNCHRONIZE, FALSE, (DWORD) g_ascii_strtoull (pid_text, NULL, 10));
  /* Either already gone, or going: waiting for it must end. */
  if (agent != NULL)
    {
      g_assert_cmpuint (WaitForSingleObject (agent, INFINITE), ==, WAIT_OBJECT_0);
      CloseHandle (agent);
    }
}

int
main (int   argc,
      char *argv[])
{
  /* Not G_TEST_OPTION_ISOLATE_DIRS: its XDG variables would hide %LOCALAPPDATA%.
   * The Wine prefix of the run is a throwaway one. */
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/win32/secret-store/credential-manager", test_credential_manager);
  g_test_add_func ("/win32/secret-store/tunnel-token", test_tunnel_token);
  g_test_add_func ("/win32/device-info/adapters", test_device_info);
  g_test_add_func ("/win32/device-key/machine-guid", test_machine_guid);
  g_test_add_func ("/win32/paths/app-data", test_app_data_dirs);
  g_test_add_func ("/win32/file-lock/lock-file-ex", test_file_lock);
  g_test_add_func ("/win32/tunnel-agent/ends-with-parent", test_agent_ends_with_parent);

  return g_test_run ();
}
