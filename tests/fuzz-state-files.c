/* fuzz-state-files.c: the loaders of the files on disk under libFuzzer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fuzz-state-files"

#include "config.h"

#include <glib/gstdio.h>

#include "fuzz-util.h"
#include "umt-device-state.h"
#include "umt-heartbeat-status.h"
#include "umt-paths.h"
#include "umt-profiles.h"
#include "umt-tunnel-status.h"

/* The first byte picks the file (device_info.json, profiles.json,
 * heartbeat.json, tunnel.json), the rest is what a hand edit, a full disk or
 * another program left in it. Each loader gives its object or an error,
 * never both and never neither. */

int LLVMFuzzerInitialize    (int            *argc,
                             char         ***argv);
int LLVMFuzzerTestOneInput  (const guint8   *data,
                             size_t          size);

/* Files of their own, in a directory under TMPDIR (tools/test removes it);
 * a critical or a warning is a bug found. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("fuzz-state-files-XXXXXX", &error);
  g_autofree char *config = NULL;
  g_autofree char *state = NULL;

  g_assert_no_error (error);
  config = g_build_filename (dir, "config", NULL);
  state = g_build_filename (dir, "state", NULL);
  g_setenv ("HOME", dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_unsetenv ("MEETING_SERVER_URL");
  fuzz_abort_on_criticals ();
  return 0;
}

static void
write_file (const char   *dir,
            const char   *name,
            const guint8 *data,
            size_t        size)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert (umt_paths_ensure_private_dir (dir, NULL));
  g_assert (g_file_set_contents (path, (const char *) data, size, NULL));
}

#define CHECK_LOADER(load, free_value)                  \
  G_STMT_START {                                        \
    GError *error_ = NULL;                              \
    gpointer value_ = load (&error_);                   \
                                                        \
    g_assert ((value_ == NULL) != (error_ == NULL));    \
    g_clear_pointer (&value_, free_value);              \
    g_clear_error (&error_);                            \
  } G_STMT_END

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *config = umt_paths_get_config_dir ();
  g_autofree char *state = umt_paths_get_state_dir ();

  if (size == 0)
    return 0;

  switch (data[0] % 4)
    {
    case 0:
      write_file (config, "device_info.json", data + 1, size - 1);
      CHECK_LOADER (umt_device_state_load, g_object_unref);
      break;
    case 1:
      write_file (config, "profiles.json", data + 1, size - 1);
      CHECK_LOADER (umt_profiles_load, g_object_unref);
      break;
    case 2:
      write_file (state, "heartbeat.json", data + 1, size - 1);
      CHECK_LOADER (umt_heartbeat_status_load, umt_heartbeat_status_free);
      break;
    case 3:
      write_file (state, "tunnel.json", data + 1, size - 1);
      CHECK_LOADER (umt_tunnel_status_load, umt_tunnel_status_free);
      break;
    }
  return 0;
}
