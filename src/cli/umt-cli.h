/* umt-cli.h: what every command of the `umt` front end shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "umt-device-manager.h"
#include "umt-meeting-client.h"
#include "umt-profiles.h"

G_BEGIN_DECLS

typedef enum
{
  UMT_CLI_EXIT_OK     = 0, /* success */
  UMT_CLI_EXIT_FAILED = 1, /* the operation failed: network, server refusal, keyring */
  UMT_CLI_EXIT_USAGE  = 2, /* bad input or usage */
} UmtCliExit;

/* State of one run of `umt`, filled lazily: each command asks for what it
 * needs, so `umt profile list` never touches the network or the keyring. */
typedef struct
{
  char             *profile_option; /* --profile, NULL when not given */
  char             *server_option;  /* --server, NULL when not given */

  UmtDeviceManager *manager;
  /* Borrowed from the manager once loaded: */
  UmtProfiles      *profiles;
  UmtProfile       *profile;        /* the profile this run uses */
  UmtDeviceState   *state;
  const char       *server_url;     /* the URL this run talks to */
  gboolean          server_overridden_by_env;
  gboolean          server_overridden_by_option;

  UmtMeetingClient *client;
} UmtCliContext;

void       umt_cli_context_free        (UmtCliContext  *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (UmtCliContext, umt_cli_context_free)

/* Loads profiles.json and picks the profile and server URL of this run:
 * --profile, else the profile the device registered with (when it still
 * exists), else the active one; --server, else MEETING_SERVER_URL, else the
 * profile's base_url. */
gboolean   umt_cli_context_load_profiles (UmtCliContext *ctx,
                                          GError       **error);
/* Loads device_info.json. A corrupt file was set aside by the loader: that
 * is said on stderr and the device counts as not registered. */
/* Both of the above, then a client for the server URL with the profile's
 * settings. The profile's token is sent only to the profile's own URL. */
gboolean   umt_cli_context_load_client (UmtCliContext  *ctx,
                                        GError        **error);
/* A client for quick probes (status, diagnose): @timeout seconds, no retry. */
UmtMeetingClient *umt_cli_context_new_probe_client (UmtCliContext *ctx,
                                                    guint          timeout,
                                                    GError       **error);

/* The exit code an error deserves: 2 for bad input, 1 for everything else. */
int        umt_cli_exit_code_for_error (const GError   *error);
/* Prints the error's message on stderr (one sentence, as the core wrote it)
 * and returns umt_cli_exit_code_for_error(). */
int        umt_cli_report_error        (const GError   *error);
/* Prints one sentence on stderr and returns @code. */
int        umt_cli_fail                (int             code,
                                        const char     *format,
                                        ...) G_GNUC_PRINTF (2, 3);

/* Parses the options of one command. On a parse error prints it and returns
 * FALSE with *exit_code = 2; --help prints and exits 0 (GOptionContext). */
gboolean   umt_cli_parse_options       (GOptionContext *context,
                                        int            *argc,
                                        char         ***argv,
                                        int            *exit_code);

/* One line from stdin, trimmed, for secrets that must not travel in argv
 * (where every user of the machine can read them). @prompt is shown on a
 * terminal only. An empty line is a G_OPTION_ERROR (exit 2). */
char      *umt_cli_read_secret_from_stdin (const char *prompt,
                                           GError    **error);

/* Who wrote a status file, from the program it names: "“umt run”" or "the window". */
const char *umt_cli_owner_description  (const char *program);

/* Enables the system service (updates-manager-tool.service) and starts it,
 * or restarts it when @restart, so that it runs the registration just made. */
gboolean   umt_cli_system_enable_service (gboolean   restart,
                                          GError   **error);

/* The commands; @argv[0] is the command name. */
int        umt_cli_register            (UmtCliContext *ctx, int argc, char **argv);
int        umt_cli_unregister          (UmtCliContext *ctx, int argc, char **argv);
int        umt_cli_heartbeat           (UmtCliContext *ctx, int argc, char **argv);
int        umt_cli_status              (UmtCliContext *ctx, int argc, char **argv);
int        umt_cli_profile             (UmtCliContext *ctx, int argc, char **argv);
int        umt_cli_token               (UmtCliContext *ctx, int argc, char **argv);
int        umt_cli_diagnose            (UmtCliContext *ctx, int argc, char **argv);
int        umt_cli_run                 (UmtCliContext *ctx, int argc, char **argv);
int        umt_cli_tunnel              (UmtCliContext *ctx, int argc, char **argv);
int        umt_cli_ssh_key             (UmtCliContext *ctx, int argc, char **argv);

G_END_DECLS
