/* umt-secret-store-private.h: shared by the secret store's back ends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "umt-secret-store.h"

G_BEGIN_DECLS

/* umt-secret-store.c holds what every platform shares; the platform's own file
 * (umt-secret-store-libsecret.c, umt-secret-store-wincred.c), chosen by meson,
 * implements the store, lookup and clear functions of umt-secret-store.h. */

const char *_umt_secret_store_kind_name       (UmtSecretKind   kind);
gboolean    _umt_secret_store_check_arguments (UmtSecretKind   kind,
                                               const char     *id,
                                               const char     *server,
                                               GError        **error);
/* The name a person sees in the keyring's own interface. */
char       *_umt_secret_store_make_label      (UmtSecretKind   kind,
                                               const char     *id,
                                               const char     *server);

G_END_DECLS
