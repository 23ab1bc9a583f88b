/* umt-cli-ssh-key.c: `umt ssh-key publish|show`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-cli-ssh-key"

#include "config.h"

#include <stdio.h>

#include "umt-cli.h"
#include "umt-ssh-key.h"

static int
ssh_key_publish (UmtCliContext  *ctx,
                 int             argc,
                 char          **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("publish — publish this device's SSH key");
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtSshKey) key = umt_ssh_key_new (NULL);
  const char *device_key;
  int exit_code = UMT_CLI_EXIT_OK;

  g_option_context_set_description (context,
    "Makes the device's ed25519 key pair when there is none yet (with ssh-keygen), sends its "
    "public key to the server, saves the server's SSH host keys in known_hosts next to it and "
    "prints the key's fingerprint. Exits 1 when ssh-keygen is missing or the server cannot be "
    "reached or refuses, 2 when the device is not registered.");
  if (!umt_cli_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return umt_cli_fail (UMT_CLI_EXIT_USAGE, "“ssh-key publish” takes no argument “%s”; see “umt ssh-key publish --help”.", argv[1]);

  if (!umt_cli_context_load_client (ctx, &error))
    return umt_cli_report_error (error);
  if (!umt_device_state_get_registered (ctx->state))
    return umt_cli_fail (UMT_CLI_EXIT_USAGE,
                         "This device is not registered; register it first with “umt register”.");
  device_key = umt_device_state_get_device_key (ctx->state);

  if (!umt_ssh_key_publish_sync (key, ctx->client, device_key, NULL, &error))
    return umt_cli_report_error (error);

  printf ("Published the SSH key of %s to %s.\n", device_key, ctx->server_url);
  printf ("Fingerprint: %s\n", umt_ssh_key_get_fingerprint (key));
  printf ("Public key: %s\n", umt_ssh_key_get_public_key_path (key));
  printf ("Server host keys: %s\n", umt_ssh_key_get_known_hosts_path (key));
  return UMT_CLI_EXIT_OK;
}

static int
ssh_key_show (UmtCliContext  *ctx,
              int             argc,
              char          **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("show — show this device's SSH key");
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtSshKey) key = umt_ssh_key_new (NULL);
  int exit_code = UMT_CLI_EXIT_OK;

  g_option_context_set_description (context,
    "Prints where the device's SSH key is and its fingerprint, without making one or asking "
    "the server. Exits 1 when there is no key yet (“umt ssh-key publish” makes it).");
  if (!umt_cli_parse_options (context, &argc, &argv, &exit_code))
    return exit_code;
  if (argc > 1)
    return umt_cli_fail (UMT_CLI_EXIT_USAGE, "“ssh-key show” takes no argument “%s”; see “umt ssh-key show --help”.", argv[1]);

  if (!umt_ssh_key_load_sync (key, &error))
    {
      if (g_error_matches (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_NOT_FOUND))
        return umt_cli_fail (UMT_CLI_EXIT_FAILED,
                             "This device has no SSH key yet; “umt ssh-key publish” makes and publishes one.");
      return umt_cli_report_error (error);
    }

  printf ("Private key: %s\n", umt_ssh_key_get_private_key_path (key));
  printf ("Public key: %s\n", umt_ssh_key_get_public_key_path (key));
  printf ("Fingerprint: %s\n", umt_ssh_key_get_fingerprint (key));
  printf ("Server host keys: %s%s\n", umt_ssh_key_get_known_hosts_path (key),
          g_file_test (umt_ssh_key_get_known_hosts_path (key), G_FILE_TEST_EXISTS)
            ? "" : " (not fetched yet)");
  return UMT_CLI_EXIT_OK;
}

int
umt_cli_ssh_key (UmtCliContext  *ctx,
                 int             argc,
                 char          **argv)
{
  if (argc < 2)
    return umt_cli_fail (UMT_CLI_EXIT_USAGE, "“ssh-key” needs a command: “publish” or “show”.");
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      printf ("Usage:\n"
              "  umt ssh-key publish   Make (if needed) and publish this device's SSH key\n"
              "  umt ssh-key show      Show where the key is and its fingerprint\n");
      return UMT_CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "publish"))
    return ssh_key_publish (ctx, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "show"))
    return ssh_key_show (ctx, argc - 1, argv + 1);
  return umt_cli_fail (UMT_CLI_EXIT_USAGE, "Unknown “ssh-key” command “%s”; use “publish” or “show”.", argv[1]);
}
