/* umt-secret-store.h: tokens in the OS keyring, never anywhere else
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Which secret. Linux: libsecret items of the schema
 * "fr.ygsoft.UpdatesManagerTool.Token" in the default collection, or for the
 * system service (umt_paths_is_system()) one encrypted systemd credential
 * (umt-secret-store-credentials.h); Windows: Credential Manager generic
 * credentials. */
typedef enum
{
  UMT_SECRET_PROFILE_TOKEN,      /* @id = profile name, @server = the profile's base URL */
  UMT_SECRET_TUNNEL_TOKEN,       /* @id = device key, @server ignored (may be NULL): a
                                  * token set for the tunnel by the user */
  UMT_SECRET_REGISTRATION_TOKEN, /* @id = device key, @server ignored: the one-time code
                                  * the device registered with, kept for the tunnel */
} UmtSecretKind;

/* Failures are UMT_CONFIG_ERROR_NO_KEYRING (no Secret Service on the bus:
 * the message names gnome-keyring/KeePassXC), UMT_CONFIG_ERROR_KEYRING_LOCKED
 * (collection locked, prompt dismissed or impossible: says to unlock the
 * login keyring) or UMT_CONFIG_ERROR_KEYRING; cancellation is
 * G_IO_ERROR_CANCELLED. There is never a fallback to a file.
 * The async functions are for the interface; the _sync ones block (CLI,
 * worker threads) and must not run on the interface's main thread. */

void      umt_secret_store_store_async  (UmtSecretKind        kind,
                                         const char          *id,
                                         const char          *server,
                                         const char          *secret,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean  umt_secret_store_store_finish (GAsyncResult        *result,
                                         GError             **error);

/* Returns the secret, or NULL with no error when none is stored. */
void      umt_secret_store_lookup_async (UmtSecretKind        kind,
                                         const char          *id,
                                         const char          *server,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
char     *umt_secret_store_lookup_finish (GAsyncResult       *result,
                                         GError             **error);

/* Succeeds also when nothing was stored. */
void      umt_secret_store_clear_async  (UmtSecretKind        kind,
                                         const char          *id,
                                         const char          *server,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean  umt_secret_store_clear_finish (GAsyncResult        *result,
                                         GError             **error);

gboolean  umt_secret_store_store_sync   (UmtSecretKind        kind,
                                         const char          *id,
                                         const char          *server,
                                         const char          *secret,
                                         GCancellable        *cancellable,
                                         GError             **error);
char     *umt_secret_store_lookup_sync  (UmtSecretKind        kind,
                                         const char          *id,
                                         const char          *server,
                                         GCancellable        *cancellable,
                                         GError             **error);
gboolean  umt_secret_store_clear_sync   (UmtSecretKind        kind,
                                         const char          *id,
                                         const char          *server,
                                         GCancellable        *cancellable,
                                         GError             **error);

/* The token the tunnel of @device_key uses: one set for the tunnel when
 * there is one, else the registration token, else NULL. @from_registration
 * (may be NULL) tells which. The async form runs in a worker thread. */
char     *umt_secret_store_lookup_tunnel_token_sync   (const char          *device_key,
                                                       gboolean            *from_registration,
                                                       GCancellable        *cancellable,
                                                       GError             **error);
void      umt_secret_store_lookup_tunnel_token_async  (const char          *device_key,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
char     *umt_secret_store_lookup_tunnel_token_finish (GAsyncResult        *result,
                                                       gboolean            *from_registration,
                                                       GError             **error);

/* Forgets both tokens of @device_key, the tunnel's and the registration's. */
gboolean  umt_secret_store_clear_device_tokens_sync   (const char          *device_key,
                                                       GCancellable        *cancellable,
                                                       GError             **error);
void      umt_secret_store_clear_device_tokens_async  (const char          *device_key,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean  umt_secret_store_clear_device_tokens_finish (GAsyncResult        *result,
                                                       GError             **error);

G_END_DECLS
