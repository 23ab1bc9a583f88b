/* umt-ssh-key-text.c: OpenSSH public key lines and known_hosts text, no I/O
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-ssh-key-text"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "umt-meeting-error.h"
#include "umt-ssh-key.h"

G_DEFINE_QUARK (umt-ssh-key-error-quark, umt_ssh_key_error)

static const char * const known_key_types[] = {
  "ssh-ed25519",
  "ssh-rsa",
  "ssh-dss",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
};

static gboolean
is_known_key_type (const char *type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (known_key_types); i++)
    if (g_str_equal (type, known_key_types[i]))
      return TRUE;
  return FALSE;
}

static gboolean
is_base64 (const char *text)
{
  gsize length = strlen (text);
  gsize padding = 0;

  if (length == 0 || length % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (c == '=')
        {
          padding++;
          continue;
        }
      /* Padding only at the end. */
      if (padding > 0 || !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return FALSE;
    }
  return padding <= 2;
}

/* The decoded blob of a "type base64" pair, checked to name that same type
 * first (an SSH string: uint32 big-endian length, then the bytes), as ssh
 * does before trusting it. */
static GBytes *
decode_key_blob (const char *type,
                 const char *base64)
{
  g_autofree guchar *blob = NULL;
  gsize length = 0;
  gsize type_length = strlen (type);
  guint32 name_length;

  if (!is_known_key_type (type) || !is_base64 (base64))
    return NULL;
  blob = g_base64_decode (base64, &length);
  if (length < 4 + type_length)
    return NULL;
  name_length = ((guint32) blob[0] << 24) | ((guint32) blob[1] << 16) |
                ((guint32) blob[2] << 8) | (guint32) blob[3];
  if (name_length != type_length || memcmp (blob + 4, type, type_length) != 0)
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&blob), length);
}

static char *
fingerprint_of_blob (GBytes *blob)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_length = sizeof digest;
  g_autofree char *encoded = NULL;
  gsize length;

  g_checksum_update (checksum, g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  g_checksum_get_digest (checksum, digest, &digest_length);
  encoded = g_base64_encode (digest, digest_length);
  /* OpenSSH prints it without the base64 padding. */
  length = strlen (encoded);
  while (length > 0 && encoded[length - 1] == '=')
    encoded[--length] = '\0';
  return g_strconcat ("SHA256:", encoded, NULL);
}

/* Whitespace-separated fields of one line, without empty ones. */
static GStrv
split_fields (const char *line)
{
  g_auto(GStrv) raw = g_strsplit_set (line, " \t", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; raw[i] != NULL; i++)
    if (raw[i][0] != '\0')
      g_strv_builder_add (builder, raw[i]);
  return g_strv_builder_end (builder);
}

char *
umt_ssh_key_compute_fingerprint (const char  *public_key,
                                 GError     **error)
{
  g_autofree char *line = g_strstrip (g_strdup (public_key != NULL ? public_key : ""));
  g_auto(GStrv) fields = split_fields (line);
  g_autoptr(GBytes) blob = NULL;

  if (strchr (line, '\n') == NULL && g_strv_length (fields) >= 2)
    blob = decode_key_blob (fields[0], fields[1]);
  if (blob == NULL)
    {
      g_set_error_literal (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_INVALID_KEY,
                           _("This is not a valid OpenSSH public key."));
      return NULL;
    }
  return fingerprint_of_blob (blob);
}

char *
umt_ssh_key_build_known_hosts (const char  *host,
                               const char  *host_keys,
                               GError     **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  guint keys = 0;

  g_return_val_if_fail (host != NULL && *host != '\0', NULL);

  lines = g_strsplit (host_keys != NULL ? host_keys : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strstrip (g_strdup (lines[i]));
      g_auto(GStrv) fields = NULL;
      g_autoptr(GBytes) blob = NULL;
      guint first;

      if (line[0] == '\0' || line[0] == '#')
        continue;
      fields = split_fields (line);
      /* ssh-keyscan puts the host it scanned first; the server may also
       * send bare keys. Either way the key is filed under the host this
       * device knows the server by. */
      first = g_strv_length (fields) >= 2 && is_known_key_type (fields[0]) ? 0 : 1;
      if (g_strv_length (fields) >= first + 2)
        blob = decode_key_blob (fields[first], fields[first + 1]);
      if (blob == NULL)
        {
          g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL,
                       _("The server's SSH host keys are malformed (line %u); known_hosts was "
                         "left as it was."),
                       i + 1);
          return NULL;
        }
      g_string_append_printf (text, "%s %s %s\n", host, fields[first], fields[first + 1]);
      keys++;
    }

  if (keys == 0)
    {
      g_set_error_literal (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL,
                           _("The server sent no SSH host keys; known_hosts was left as it was."));
      return NULL;
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}
