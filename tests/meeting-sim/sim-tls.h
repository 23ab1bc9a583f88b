/* sim-tls.h: the certificate meeting-sim serves HTTPS (and the proxy TLS) with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A fresh self-signed certificate for 127.0.0.1, ::1 and localhost, made
 * with GnuTLS. @certificate_pem receives the certificate alone (what a client
 * would trust), never the key. */
GTlsCertificate *sim_tls_generate_self_signed (char   **certificate_pem,
                                               GError **error);

/* Loads PEM files given on the command line. */
GTlsCertificate *sim_tls_load_files           (const char  *cert_file,
                                               const char  *key_file,
                                               char       **certificate_pem,
                                               GError     **error);

G_END_DECLS
