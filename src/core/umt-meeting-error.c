/* umt-meeting-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-meeting-error"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <glib/gi18n-lib.h>

#include "umt-meeting-error.h"

G_DEFINE_QUARK (umt-meeting-error-quark, umt_meeting_error)

/* The server's own explanation, when it gave one as {"error": "…"}. It is
 * shown to the user, so it is kept short and stripped of control characters. */
static char *
server_error_text (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) text = NULL;
  JsonObject *object;
  JsonNode *member;
  const char *data;
  gsize length = 0;

  if (body == NULL)
    return NULL;

  data = g_bytes_get_data (body, &length);
  if (length == 0 || !json_parser_load_from_data (parser, data, (gssize) length, NULL))
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;

  object = json_node_get_object (json_parser_get_root (parser));
  member = json_object_get_member (object, "error");
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member)
      || json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;

  text = g_string_new (NULL);
  for (const char *p = json_node_get_string (member); *p != '\0' && text->len < 200;
       p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      g_string_append_unichar (text, g_unichar_iscntrl (c) ? ' ' : c);
    }
  g_strstrip (text->str);
  if (text->str[0] == '\0')
    return NULL;

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
is_json_object (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *data;
  gsize length = 0;

  if (body == NULL)
    return FALSE;
  data = g_bytes_get_data (body, &length);
  return length > 0 && json_parser_load_from_data (parser, data, (gssize) length, NULL)
         && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser));
}

/* "Invalid token" → "Invalid token." so that it reads as a sentence. */
static char *
as_sentence (const char *text)
{
  gsize len = strlen (text);

  if (len > 0 && strchr (".!?", text[len - 1]) != NULL)
    return g_strdup (text);
  return g_strconcat (text, ".", NULL);
}

void
umt_meeting_error_set_from_status (GError               **error,
                                   guint                  status,
                                   GBytes                *body,
                                   const char            *host,
                                   const char            *path,
                                   UmtMeetingRequestKind  kind)
{
  g_autofree char *server_text = server_error_text (body);
  g_autofree char *said = server_text != NULL ? as_sentence (server_text) : NULL;
  g_autofree char *lowered = server_text != NULL ? g_ascii_strdown (server_text, -1) : NULL;

  switch (status)
    {
    case 400:
      g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_BAD_REQUEST,
                   _("The server refused the request: %s Check the values you entered."),
                   said != NULL ? said : _("it did not say why."));
      return;

    case 401:
      if (kind & UMT_MEETING_REQUEST_REGISTER)
        g_set_error_literal (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_INVALID_TOKEN,
                             _("The registration token is invalid or has expired. "
                                "Request a new token from your administrator."));
      else
        g_set_error_literal (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_INVALID_TOKEN,
                             _("The server refused the profile's token. "
                                "Check the token in the profile or request a new one."));
      return;

    case 403:
      g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_FORBIDDEN,
                   _("The server does not allow this: %s Ask your administrator to "
                      "authorize the device."),
                   said != NULL ? said : _("access denied."));
      return;

    case 404:
      /* Only a JSON answer comes from the application; a bare 404 page
       * means the route itself does not exist on this server. */
      if (!is_json_object (body))
        g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NO_ROUTE,
                     _("The server at %s does not offer %s. Check the server URL; "
                        "the server may run an older version of Meeting."),
                     host, path);
      else if ((kind & UMT_MEETING_REQUEST_DEVICE) && server_text == NULL)
        g_set_error_literal (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND,
                             _("The Meeting server has nothing for this device here. "
                                "Check the device key; a key may not have been published yet."));
      else if ((kind & UMT_MEETING_REQUEST_DEVICE) && server_text != NULL
               && strstr (lowered, "device") != NULL)
        g_set_error_literal (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND,
                             _("This device is not known to the Meeting server. "
                                "Ask your administrator to create it, then try again."));
      else
        g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND,
                     _("The Meeting server did not find what was asked: %s"),
                     said != NULL ? said : _("not found."));
      return;

    case 405:
    case 501:
      g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NO_ROUTE,
                   _("The server at %s does not offer %s. Check the server URL; "
                      "the server may run an older version of Meeting."),
                   host, path);
      return;

    case 409:
      if (kind & UMT_MEETING_REQUEST_REGISTER)
        g_set_error_literal (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_ALREADY_REGISTERED,
                             _("This device is already registered, or the token was already "
                                "used. Unregister first or ask your administrator for a new "
                                "token."));
      else
        g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_ALREADY_REGISTERED,
                     _("The server reports a conflict: %s"),
                     said != NULL ? said : _("it already exists."));
      return;

    case 503:
      g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_UNAVAILABLE,
                   _("The Meeting server at %s is unavailable: %s Try again in a few minutes."),
                   host, said != NULL ? said : _("it is busy or under maintenance."));
      return;

    default:
      break;
    }

  if (status >= 500)
    g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_SERVER,
                 _("The Meeting server at %s had an internal error (HTTP %u). "
                    "Try again later; if it persists, tell your administrator."),
                 host, status);
  else
    g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL,
                 _("The Meeting server at %s gave an unexpected answer (HTTP %u). "
                    "Check the server URL."),
                 host, status);
}

static char *
describe_tls_errors (GTlsCertificateFlags flags)
{
  g_autoptr(GPtrArray) reasons = g_ptr_array_new ();

  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    g_ptr_array_add (reasons, (gpointer) _("it is not signed by a known certificate authority"));
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    g_ptr_array_add (reasons, (gpointer) _("it was issued for another host name"));
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    g_ptr_array_add (reasons, (gpointer) _("it is not valid yet"));
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    g_ptr_array_add (reasons, (gpointer) _("it has expired"));
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    g_ptr_array_add (reasons, (gpointer) _("it has been revoked"));
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    g_ptr_array_add (reasons, (gpointer) _("it uses an insecure algorithm"));
  if (reasons->len == 0)
    g_ptr_array_add (reasons, (gpointer) _("it could not be verified"));
  g_ptr_array_add (reasons, NULL);

  return g_strjoinv ("; ", (char **) reasons->pdata);
}

/* GIO says "Could not connect to HOST: REASON", in English or, translated by
 * GLib itself, in the user's language. */
static gboolean
starts_with_connect_failure (const char *message)
{
  const char *templates[] = {
    "Could not connect to %s: ",
    g_dgettext ("glib20", "Could not connect to %s: "),
  };

  for (guint i = 0; i < G_N_ELEMENTS (templates); i++)
    {
      const char *host = strstr (templates[i], "%s");

      if (host != NULL && host > templates[i]
          && strncmp (message, templates[i], host - templates[i]) == 0)
        return TRUE;
    }
  return FALSE;
}

void
umt_meeting_error_set_from_transport (GError               **error,
                                      const GError          *transport_error,
                                      GTlsCertificateFlags   tls_errors,
                                      const char            *host,
                                      guint                  timeout_seconds)
{
  g_autofree char *trimmed = NULL;
  const char *reason;

  g_return_if_fail (transport_error != NULL);

  if (g_error_matches (transport_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || transport_error->domain == UMT_MEETING_ERROR)
    {
      g_propagate_error (error, g_error_copy (transport_error));
      return;
    }

  if (tls_errors != 0 || transport_error->domain == G_TLS_ERROR)
    {
      if (tls_errors != 0)
        {
          g_autofree char *reasons = describe_tls_errors (tls_errors);
          g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_TLS,
                       _("The certificate of %s is not trusted (%s). Check the server URL, "
                          "or turn off certificate verification in the profile only if you "
                          "trust this server."),
                       host, reasons);
        }
      else
        g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_TLS,
                     _("A secure connection to %s could not be set up (%s). Check the "
                        "server URL and that the server supports HTTPS."),
                     host, transport_error->message);
      return;
    }

  if (g_error_matches (transport_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_TIMEOUT,
                   _("The Meeting server at %s did not answer within %u seconds. "
                      "Check your network connection or try again later."),
                   host, timeout_seconds);
      return;
    }

  if (g_error_matches (transport_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT)
      || g_error_matches (transport_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)
      || g_error_matches (transport_error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
    {
      g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_CONNECTION,
                   _("The connection to %s was closed before the server answered. "
                      "Check your network connection and try again."),
                   host);
      return;
    }

  /* Refused, unreachable, host not found and the rest of the network
   * failures: GIO's text says which, the advice is the same; of its
   * "Could not connect to X: REASON", keep only the reason. */
  reason = transport_error->message;
  if (starts_with_connect_failure (reason) && strrchr (reason, ':') != NULL)
    reason = strrchr (reason, ':') + 1;
  while (*reason == ' ')
    reason++;
  trimmed = g_strdup (reason);
  if (*trimmed != '\0' && trimmed[strlen (trimmed) - 1] == '.')
    trimmed[strlen (trimmed) - 1] = '\0';

  g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_CONNECTION,
               _("Could not connect to %s: %s. Check the server URL and your network connection."),
               host, trimmed);
}

gboolean
umt_meeting_error_is_transient (const GError *error)
{
  return g_error_matches (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_CONNECTION)
         || g_error_matches (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_TIMEOUT);
}
