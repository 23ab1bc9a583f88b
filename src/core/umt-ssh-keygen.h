/* umt-ssh-keygen.h: making the device's key pair with OpenSSH's ssh-keygen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Internal to UmtSshKey. Both block; errors are UMT_SSH_KEY_ERROR
 * (NO_KEYGEN, KEYGEN_FAILED, IO) or G_IO_ERROR_CANCELLED. */

/* Makes an ed25519 pair without passphrase, comment
 * "updates-manager-tool@<@name, else the host name>", at the two paths in
 * @directory (which must exist). When another process placed a private key
 * there first, keeps it and succeeds. */
gboolean umt_ssh_keygen_generate          (const char    *directory,
                                           const char    *private_key_path,
                                           const char    *public_key_path,
                                           const char    *name,
                                           GCancellable  *cancellable,
                                           GError       **error);

/* Writes the public half of @private_key_path to @public_key_path. */
gboolean umt_ssh_keygen_derive_public_key (const char    *private_key_path,
                                           const char    *public_key_path,
                                           GCancellable  *cancellable,
                                           GError       **error);

G_END_DECLS
