/* umt-ssh-key.h: the device's SSH key pair and the server's known host keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "umt-device-manager.h"
#include "umt-meeting-client.h"

G_BEGIN_DECLS

#define UMT_SSH_KEY_ERROR (umt_ssh_key_error_quark ())

typedef enum
{
  UMT_SSH_KEY_ERROR_NO_KEYGEN,      /* ssh-keygen is not installed */
  UMT_SSH_KEY_ERROR_KEYGEN_FAILED,  /* ssh-keygen ran and failed */
  UMT_SSH_KEY_ERROR_INVALID_KEY,    /* a key file or line is not a valid OpenSSH public key */
  UMT_SSH_KEY_ERROR_NOT_FOUND,      /* no key pair yet (umt_ssh_key_load_sync) */
  UMT_SSH_KEY_ERROR_NOT_REGISTERED, /* publishing needs a registered device */
  UMT_SSH_KEY_ERROR_IO,             /* a file or folder could not be read or written */
} UmtSshKeyError;

GQuark umt_ssh_key_error_quark (void);

#define UMT_TYPE_SSH_KEY (umt_ssh_key_get_type ())

G_DECLARE_FINAL_TYPE (UmtSshKey, umt_ssh_key, UMT, SSH_KEY, GObject)

/* The ed25519 key pair of the device, kept in <data dir>/ssh/ (folder 0700,
 * private key 0600) next to a known_hosts file holding the Meeting server's
 * host keys. The pair is made once with ssh-keygen and then reused.
 *
 * Properties (read-only; set by the _sync calls in their thread and by
 * the _finish calls, so in the caller's main context for the async ones):
 *   directory    string
 *   public-key   string, "ssh-ed25519 AAAA… comment", NULL until loaded
 *   fingerprint  string, "SHA256:…" as `ssh-keygen -lf` prints it, NULL until loaded
 *
 * The _async calls do their work in a worker thread; the _sync ones block
 * (the CLI). Failures are UMT_SSH_KEY_ERROR, UMT_MEETING_ERROR (the server
 * refused or could not be reached) or G_IO_ERROR_CANCELLED. */

/* In <data dir>/ssh, or in @directory when not NULL. */
UmtSshKey  *umt_ssh_key_new                   (const char *directory);

const char *umt_ssh_key_get_directory         (UmtSshKey  *self);
const char *umt_ssh_key_get_private_key_path  (UmtSshKey  *self);
const char *umt_ssh_key_get_public_key_path   (UmtSshKey  *self);
const char *umt_ssh_key_get_known_hosts_path  (UmtSshKey  *self);
const char *umt_ssh_key_get_public_key        (UmtSshKey  *self);
const char *umt_ssh_key_get_fingerprint       (UmtSshKey  *self);

/* Reads an existing pair without making one: UMT_SSH_KEY_ERROR_NOT_FOUND
 * when there is none yet. Quick file reads only. */
gboolean    umt_ssh_key_load_sync             (UmtSshKey     *self,
                                               GError       **error);

/* Makes the pair when it is missing (comment
 * "updates-manager-tool@<@name, else the host name>") and loads it. Two
 * processes doing this at once end up with the same pair. Blocking. */
gboolean    umt_ssh_key_ensure_sync           (UmtSshKey            *self,
                                               const char           *name,
                                               GCancellable         *cancellable,
                                               GError              **error);

/* Ensures the pair, publishes the public key with PUT
 * /api/devices/{@device_key}/ssh-key, then replaces known_hosts with the
 * host keys of GET /api/ssh-hostkey, each under the host name of the
 * client's server URL. Malformed host keys leave known_hosts as it was. */
gboolean    umt_ssh_key_publish_sync          (UmtSshKey            *self,
                                               UmtMeetingClient     *client,
                                               const char           *device_key,
                                               GCancellable         *cancellable,
                                               GError              **error);

/* The same for the device @manager has registered, with a client of its
 * profile: UMT_SSH_KEY_ERROR_NOT_REGISTERED when it has none. */
void        umt_ssh_key_publish_for_device_async  (UmtSshKey           *self,
                                                   UmtDeviceManager    *manager,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean    umt_ssh_key_publish_for_device_finish (UmtSshKey           *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
gboolean    umt_ssh_key_publish_for_device_sync   (UmtSshKey           *self,
                                                   UmtDeviceManager    *manager,
                                                   GCancellable        *cancellable,
                                                   GError             **error);

/* "SHA256:<base64 without padding>" of the key blob of an OpenSSH public
 * key line ("type base64 [comment]"); UMT_SSH_KEY_ERROR_INVALID_KEY when
 * the line is not one. */
char       *umt_ssh_key_compute_fingerprint   (const char  *public_key,
                                               GError     **error);

/* known_hosts text from the body of GET /api/ssh-hostkey: one "@host type
 * base64" line per key (the server may give "type base64" or a keyscan
 * line with its own host first; comments and blank lines are dropped).
 * UMT_MEETING_ERROR_PROTOCOL when a line is malformed or there is no key. */
char       *umt_ssh_key_build_known_hosts     (const char  *host,
                                               const char  *host_keys,
                                               GError     **error);

G_END_DECLS
