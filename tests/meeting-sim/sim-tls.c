/* sim-tls.c: the certificate meeting-sim serves HTTPS (and the proxy TLS) with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sim-tls"

#include "config.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "sim-tls.h"

#define VALIDITY_SECONDS (30 * 24 * 3600)

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)

static gboolean
check (int         result,
       const char *what,
       GError    **error)
{
  if (result >= 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what, gnutls_strerror (result));
  return FALSE;
}

static char *
datum_to_string (gnutls_datum_t *datum)
{
  char *text = g_strndup ((const char *) datum->data, datum->size);

  gnutls_free (datum->data);
  datum->data = NULL;
  return text;
}

GTlsCertificate *
sim_tls_generate_self_signed (char   **certificate_pem,
                              GError **error)
{
  static const guint8 ipv4_loopback[4] = { 127, 0, 0, 1 };
  static const guint8 ipv6_loopback[16] = { [15] = 1 };
  static const char localhost[] = "localhost";
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_autofree char *cert_text = NULL;
  g_autofree char *key_text = NULL;
  g_autofree char *both = NULL;
  gnutls_datum_t datum = { NULL, 0 };
  guint8 serial[16];
  time_t now = time (NULL);

  if (!check (gnutls_x509_privkey_init (&key), "private key", error) ||
      !check (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                            GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0),
              "generating the private key", error) ||
      !check (gnutls_x509_crt_init (&crt), "certificate", error))
    return NULL;

  for (guint i = 0; i < sizeof serial; i++)
    serial[i] = (guint8) g_random_int_range (0, 256);
  serial[0] &= 0x7f;  /* a positive serial number */

  if (!check (gnutls_x509_crt_set_version (crt, 3), "version", error) ||
      !check (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), "serial", error) ||
      !check (gnutls_x509_crt_set_activation_time (crt, now - 3600), "activation", error) ||
      !check (gnutls_x509_crt_set_expiration_time (crt, now + VALIDITY_SECONDS), "expiration", error) ||
      !check (gnutls_x509_crt_set_dn (crt, "CN=meeting-sim,O=Updates Manager Tool tests", NULL),
              "subject", error) ||
      !check (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME, localhost,
                                                    sizeof localhost - 1, GNUTLS_FSAN_APPEND),
              "DNS name", error) ||
      !check (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS, ipv4_loopback,
                                                    sizeof ipv4_loopback, GNUTLS_FSAN_APPEND),
              "IPv4 address", error) ||
      !check (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS, ipv6_loopback,
                                                    sizeof ipv6_loopback, GNUTLS_FSAN_APPEND),
              "IPv6 address", error) ||
      !check (gnutls_x509_crt_set_key (crt, key), "public key", error) ||
      /* A CA flag lets a test use the certificate itself as its trust anchor. */
      !check (gnutls_x509_crt_set_basic_constraints (crt, 1, -1), "constraints", error) ||
      !check (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE |
                                                  GNUTLS_KEY_KEY_CERT_SIGN), "key usage", error) ||
      !check (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0),
              "key purpose", error) ||
      !check (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), "signing", error))
    return NULL;

  if (!check (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &datum), "export", error))
    return NULL;
  cert_text = datum_to_string (&datum);
  if (!check (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                 GNUTLS_PKCS_PLAIN, &datum), "key export", error))
    return NULL;
  key_text = datum_to_string (&datum);

  both = g_strconcat (cert_text, key_text, NULL);
  *certificate_pem = g_steal_pointer (&cert_text);
  return g_tls_certificate_new_from_pem (both, -1, error);
}

GTlsCertificate *
sim_tls_load_files (const char  *cert_file,
                    const char  *key_file,
                    char       **certificate_pem,
                    GError     **error)
{
  GTlsCertificate *certificate;
  g_autofree char *text = NULL;

  certificate = g_tls_certificate_new_from_files (cert_file, key_file, error);
  if (certificate == NULL)
    return NULL;
  if (!g_file_get_contents (cert_file, &text, NULL, error))
    {
      g_object_unref (certificate);
      return NULL;
    }
  *certificate_pem = g_steal_pointer (&text);
  return certificate;
}
