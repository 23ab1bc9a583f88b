/* umt-validate.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-validate"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-validate.h"

#define NOTE_MAX_CHARS 2000

static gboolean
is_key_char (char c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '_' || c == '-';
}

static gboolean
check_key_like (const char  *value,
                guint        max_len,
                const char  *what,
                GError     **error)
{
  gsize len = value != NULL ? strlen (value) : 0;

  if (len == 0)
    {
      /* Translators: %s is “device key” or “profile name”. */
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   _("The %s is empty; enter 1 to %u letters, digits, dots, dashes or "
                      "underscores."), _(what), max_len);
      return FALSE;
    }
  if (len > max_len)
    {
      /* Translators: %s is “device key” or “profile name”. */
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   _("The %s is too long; it may have at most %u characters."),
                   _(what), max_len);
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    {
      if (!is_key_char (value[i]))
        {
          /* Translators: %s is “device key” or “profile name”. */
          g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                       _("The %s may only contain letters, digits, dots, dashes and underscores."),
                       _(what));
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
umt_validate_device_key (const char  *device_key,
                         GError     **error)
{
  return check_key_like (device_key, 128, N_("device key"), error);
}

gboolean
umt_validate_profile_name (const char  *name,
                           GError     **error)
{
  return check_key_like (name, 64, N_("profile name"), error);
}

char *
umt_validate_token_code (const char  *token_code,
                         GError     **error)
{
  gboolean ok = token_code != NULL && strlen (token_code) == 6;

  for (gsize i = 0; ok && i < 6; i++)
    ok = g_ascii_isxdigit (token_code[i]);

  if (!ok)
    {
      g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                           _("The token must be exactly 6 hexadecimal characters (0-9, A-F), "
                              "as given by your administrator."));
      return NULL;
    }
  return g_ascii_strup (token_code, -1);
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* GUri lets through hosts such as "meet ing"; a resolver won't. Names in
 * other scripts are fine once converted to their ASCII form. */
static gboolean
host_is_well_formed (const char *host)
{
  g_autofree char *ascii = NULL;

  if (g_hostname_is_ip_address (host))
    return TRUE;
  ascii = g_hostname_to_ascii (host);
  if (ascii == NULL || *ascii == '\0' || *ascii == '.' || *ascii == '-')
    return FALSE;
  for (const char *p = ascii; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

gboolean
umt_validate_host_name (const char  *host,
                        GError     **error)
{
  if (host == NULL || strlen (host) > 253 || !host_is_well_formed (host))
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   _("“%s” is not a host name or an IP address."), host != NULL ? host : "");
      return FALSE;
    }
  return TRUE;
}

gboolean
umt_validate_server_url (const char  *url,
                         gboolean     allow_insecure_http,
                         GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  if (url == NULL || *url == '\0')
    {
      g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                           _("The server URL is empty; enter one such as "
                             "https://meeting.example.org."));
      return FALSE;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   _("“%s” is not a valid URL; enter one such as https://meeting.example.org."), url);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   _("The server URL must start with https:// (not %s://)."), scheme);
      return FALSE;
    }

  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0')
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   _("The server URL “%s” has no host name; enter one such as "
                     "https://meeting.example.org."),
                   url);
      return FALSE;
    }

  if (!host_is_well_formed (host))
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   _("“%s” is not a valid host name in the server URL."), host);
      return FALSE;
    }

  /* Credentials in a URL end up in logs and process lists. */
  if (g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                           _("The server URL must not contain a user name or password; "
                              "store the token with “umt token set” instead."));
      return FALSE;
    }

  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                           _("The server URL must not contain “?” or “#”; give only the server’s "
                             "address."));
      return FALSE;
    }

  if (g_ascii_strcasecmp (scheme, "http") == 0 && !allow_insecure_http && !host_is_loopback (host))
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   _("Plain http:// is only allowed to this computer; use https://%s, "
                      "or allow insecure HTTP in the profile if you really must."), host);
      return FALSE;
    }

  return TRUE;
}

gboolean
umt_validate_ip_address (const char  *address,
                         GError     **error)
{
  g_autoptr(GInetAddress) parsed = NULL;

  /* inet_pton is as strict as the server (no leading zeros, no short forms);
   * a scope id ("fe80::1%eth0") means nothing to the server. */
  if (address != NULL && strchr (address, '%') == NULL)
    parsed = g_inet_address_new_from_string (address);
  if (parsed == NULL)
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   _("“%s” is not an IPv4 or IPv6 address."), address != NULL ? address : "");
      return FALSE;
    }
  return TRUE;
}

gboolean
umt_validate_mac (const char  *mac,
                  GError     **error)
{
  gboolean ok = mac != NULL && strlen (mac) == 17;

  for (gsize i = 0; ok && i < 17; i++)
    ok = (i % 3 == 2) ? mac[i] == ':' : g_ascii_isxdigit (mac[i]);

  if (!ok)
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   _("“%s” is not a MAC address of the form AA:BB:CC:DD:EE:FF."),
                   mac != NULL ? mac : "");
      return FALSE;
    }
  return TRUE;
}

gboolean
umt_validate_note (const char  *note,
                   GError     **error)
{
  if (note == NULL || !g_utf8_validate (note, -1, NULL))
    {
      g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                           _("The note is not valid text."));
      return FALSE;
    }
  if (g_utf8_strlen (note, -1) > NOTE_MAX_CHARS)
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   _("The note is too long; it may have at most %d characters."), NOTE_MAX_CHARS);
      return FALSE;
    }
  return TRUE;
}

gboolean
umt_validate_heartbeat_interval (gint64   seconds,
                                 GError **error)
{
  if (seconds < 15 || seconds > 3600)
    {
      g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                           _("The heartbeat interval must be between 15 and 3600 seconds."));
      return FALSE;
    }
  return TRUE;
}
