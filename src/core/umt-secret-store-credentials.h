/* umt-secret-store-credentials.h: the system service's tokens as one encrypted systemd credential
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "umt-secret-store.h"

G_BEGIN_DECLS

/* The secret store's third back end, chosen at run time for the system
 * service (umt_paths_is_system()), which has no desktop keyring: every token
 * lives in the one credential named UMT_SECRET_STORE_CREDENTIAL_NAME, a JSON
 * object that only `systemd-creds` can decrypt (host key, TPM2 when present).
 * Root reads and writes it in $UMT_CREDSTORE_DIRECTORY, else
 * /etc/credstore.encrypted, always through systemd-creds; the service reads
 * it from $CREDENTIALS_DIRECTORY, where LoadCredentialEncrypted= handed it
 * over decrypted, and cannot change it. Nothing of it is ever written in
 * clear. Errors are UMT_CONFIG_ERROR_NO_KEYRING (systemd-creds missing, not
 * root: the message says what to do) or UMT_CONFIG_ERROR_KEYRING (the
 * credential cannot be decrypted or is not ours). */

#define UMT_SECRET_STORE_CREDENTIAL_NAME "updates-manager-tool.token"

/* Where root keeps the encrypted credential. */
char     *umt_secret_store_credentials_get_path     (void);

/* Whether this process can write the credential: root, outside the service,
 * with systemd-creds installed. Callers check before anything irreversible. */
gboolean  umt_secret_store_credentials_check_writable (GError **error);

gboolean  umt_secret_store_credentials_store_sync   (UmtSecretKind        kind,
                                                     const char          *id,
                                                     const char          *server,
                                                     const char          *secret,
                                                     GCancellable        *cancellable,
                                                     GError             **error);
char     *umt_secret_store_credentials_lookup_sync  (UmtSecretKind        kind,
                                                     const char          *id,
                                                     const char          *server,
                                                     GCancellable        *cancellable,
                                                     GError             **error);
gboolean  umt_secret_store_credentials_clear_sync   (UmtSecretKind        kind,
                                                     const char          *id,
                                                     const char          *server,
                                                     GCancellable        *cancellable,
                                                     GError             **error);

/* The same in a worker thread: completes @task, made by the
 * umt_secret_store_*_async() function its source tag names, for the matching
 * _finish(). @secret is for a store, NULL otherwise. */
void      umt_secret_store_credentials_run_task     (GTask               *task,
                                                     UmtSecretKind        kind,
                                                     const char          *id,
                                                     const char          *server,
                                                     const char          *secret);

G_END_DECLS
