/* umt-meeting-call.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-meeting-call"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "umt-meeting-call.h"
#include "umt-meeting-types.h"
#include "umt-posix.h"

/* Answers larger than this are refused: the real ones are a few hundred
 * bytes, and a misconfigured URL must not make us swallow a web page. */
#define MAX_BODY_SIZE (1024 * 1024)
#define FIRST_RETRY_DELAY_MS 500

/* Every request is sent here with the blocking libsoup API (allowed from any
 * thread since libsoup 3.2): the client's _sync calls run it in the caller's
 * thread, umt_meeting_client_send_async() in a GTask worker thread, so
 * retries, the body cap and the error mapping exist once. */

static void
wipe_string (char *text)
{
  if (text != NULL)
    explicit_bzero (text, strlen (text));
  g_free (text);
}

void
umt_meeting_request_free (UmtMeetingRequest *request)
{
  g_return_if_fail (request != NULL);

  g_free (request->path);
  /* The body and token_code may hold the one-time token. */
  wipe_string (request->body);
  wipe_string (request->token_code);
  g_free (request->device_key);
  g_free (request->note);
  g_free (request);
}

UmtMeetingRequest *
umt_call_new (const char            *method,
              char                  *path,
              UmtMeetingRequestKind  kind)
{
  UmtMeetingRequest *call = g_new0 (UmtMeetingRequest, 1);

  call->method = method;
  call->path = path;
  call->kind = kind;
  /* Only reads are repeated on their own; heartbeats opt in. */
  call->retry_safe = g_str_equal (method, "GET");

  return call;
}

char *
umt_call_device_path (const char *prefix,
                      const char *device_key,
                      const char *suffix)
{
  g_autofree char *escaped = g_uri_escape_string (device_key, NULL, FALSE);

  return g_strconcat (prefix, escaped, suffix, NULL);
}

void
umt_call_set_body (UmtMeetingRequest *call,
                   JsonObject        *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  wipe_string (call->body);
  call->body = json_to_string (node, FALSE);
}

typedef struct
{
  gboolean             accept_any;
  GTlsCertificateFlags seen;
} TlsCheck;

static gboolean
on_accept_certificate (SoupMessage          *message,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  TlsCheck *check = user_data;

  check->seen |= errors;
  return check->accept_any;
}

static GBytes *
read_capped (GInputStream  *stream,
             goffset        announced,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  guint8 chunk[16 * 1024];

  if (announced > MAX_BODY_SIZE)
    goto too_large;

  for (;;)
    {
      gssize n = g_input_stream_read (stream, chunk, sizeof chunk, cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (buffer->len + (gsize) n > MAX_BODY_SIZE)
        goto too_large;
      g_byte_array_append (buffer, chunk, (guint) n);
    }

  g_input_stream_close (stream, cancellable, NULL);
  return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));

too_large:
  g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL,
               _("The Meeting server sent an answer larger than %d KiB. Check the server URL."),
               MAX_BODY_SIZE / 1024);
  return NULL;
}

static SoupMessage *
build_message (const UmtMeetingServer *server,
               UmtMeetingRequest      *call)
{
  g_autofree char *uri = g_strconcat (server->base_url, call->path, NULL);
  SoupMessage *message = soup_message_new (call->method, uri);
  SoupMessageHeaders *headers;

  if (message == NULL)
    return NULL;

  headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (headers, "Accept", "application/json, text/plain");
  if (server->token != NULL && server->token[0] != '\0')
    {
      g_autofree char *value = g_strconcat ("Bearer ", server->token, NULL);
      soup_message_headers_replace (headers, "Authorization", value);
      explicit_bzero (value, strlen (value));
    }

  if (call->body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (call->body, strlen (call->body));
      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  /* A redirect would carry the bearer token to wherever it points; the
   * user is told to fix the URL instead. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);

  return message;
}

/* One attempt. Returns the body (any status) or NULL with a mapped error. */
static GBytes *
send_once (const UmtMeetingServer  *server,
           UmtMeetingRequest       *call,
           GCancellable            *cancellable,
           guint                   *status,
           char                   **location,
           GError                 **error)
{
  g_autoptr(SoupMessage) message = build_message (server, call);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) body = NULL;
  TlsCheck check = { !server->verify_tls, 0 };
  gint64 start = g_get_monotonic_time ();
  SoupMessageHeaders *response_headers;

  if (message == NULL)
    {
      g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_INVALID_URL,
                   _("The server URL “%s” cannot be used. Check the profile."), server->base_url);
      return NULL;
    }

  g_signal_connect (message, "accept-certificate", G_CALLBACK (on_accept_certificate), &check);

  stream = soup_session_send (server->session, message, cancellable, &local_error);
  if (stream != NULL)
    {
      response_headers = soup_message_get_response_headers (message);
      body = read_capped (stream,
                          soup_message_headers_get_content_length (response_headers),
                          cancellable, &local_error);
    }

  g_signal_handlers_disconnect_by_data (message, &check);

  if (body == NULL)
    {
      g_debug ("%s %s failed after %" G_GINT64_FORMAT " ms: %s", call->method, call->path,
               (g_get_monotonic_time () - start) / 1000, local_error->message);
      umt_meeting_error_set_from_transport (error, local_error, check.seen, server->host,
                                            server->timeout);
      return NULL;
    }

  *status = soup_message_get_status (message);
  *location = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                      "Location"));
  g_debug ("%s %s → %u in %" G_GINT64_FORMAT " ms", call->method, call->path, *status,
           (g_get_monotonic_time () - start) / 1000);

  return g_steal_pointer (&body);
}

static gboolean
sleep_cancellable (guint          ms,
                   GCancellable  *cancellable,
                   GError       **error)
{
  GPollFD pollfd;

  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &pollfd))
    {
      g_poll (&pollfd, 1, (gint) ms);
      g_cancellable_release_fd (cancellable);
    }
  else
    g_usleep ((gulong) ms * 1000);

  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static gboolean
is_retryable_status (guint status)
{
  return status == 502 || status == 503 || status == 504;
}

/* Whether one more attempt, after @delay ms, still starts within the
 * timeout of the whole call: a user action ends within twice the timeout at
 * worst. A server that let an attempt time out is not asked again: it
 * would most likely stall the same way. */
static gboolean
may_retry (const UmtMeetingServer *server,
           UmtMeetingRequest      *call,
           guint                   attempt,
           gint64                  start,
           guint                   delay,
           const GError           *error)
{
  gint64 next = g_get_monotonic_time () + (gint64) delay * 1000;

  return call->retry_safe && attempt < server->retries &&
         next - start < (gint64) server->timeout * G_USEC_PER_SEC &&
         !g_error_matches (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_TIMEOUT);
}

/* The message of a timeout names the time the user waited, tries included. */
static void
set_timeout_total (GError                 *error,
                   const UmtMeetingServer *server,
                   guint                   attempts,
                   gint64                  start)
{
  guint seconds = (guint) ((g_get_monotonic_time () - start + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);

  if (attempts < 2 || !g_error_matches (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_TIMEOUT))
    return;
  g_free (error->message);
  error->message = g_strdup_printf (_("The Meeting server at %s did not answer: %u tries in %u "
                                      "seconds. Check your network connection or try again "
                                      "later."),
                                    server->host, attempts, seconds);
}

/* Sends @call, repeating it when that is safe; returns the answer body of a
 * 2xx status, or NULL with a UMT_MEETING_ERROR. */
static GBytes *
send_call (const UmtMeetingServer  *server,
           UmtMeetingRequest       *call,
           GCancellable            *cancellable,
           GError                 **error)
{
  guint delay = FIRST_RETRY_DELAY_MS;
  gint64 start = g_get_monotonic_time ();

  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autofree char *location = NULL;
      guint status = 0;

      body = send_once (server, call, cancellable, &status, &location, &local_error);

      if (body == NULL &&
          (!umt_meeting_error_is_transient (local_error) ||
           !may_retry (server, call, attempt, start, delay, local_error)))
        {
          set_timeout_total (local_error, server, attempt + 1, start);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      if (body != NULL &&
          !(is_retryable_status (status) && may_retry (server, call, attempt, start, delay, NULL)))
        {
          g_autofree char *path = g_strndup (call->path, strcspn (call->path, "?"));

          if (status >= 200 && status < 300)
            return g_steal_pointer (&body);

          if (status >= 300 && status < 400 && location != NULL)
            g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL,
                         _("The server at %s redirects to %s. Change the server URL to "
                            "the address it redirects to."), server->host, location);
          else
            umt_meeting_error_set_from_status (error, status, body, server->host, path, call->kind);
          return NULL;
        }

      g_debug ("%s %s: trying again in %u ms (attempt %u of %u)", call->method, call->path,
               delay, attempt + 2, server->retries + 1);
      if (!sleep_cancellable (delay, cancellable, error))
        return NULL;
      delay *= 2;
    }
}

static gpointer
parse_answer (UmtMeetingRequest  *call,
              GBytes             *body,
              GError            **error)
{
  g_autoptr(JsonNode) node = NULL;
  gsize length = 0;
  const char *data = g_bytes_get_data (body, &length);

  if (data == NULL)
    data = "";

  if (call->from_text != NULL)
    return call->from_text (data, length, error);

  node = umt_meeting_parse_json (data, length, error);
  if (node == NULL)
    return NULL;

  if (call->from_json != NULL)
    return call->from_json (node, error);

  return umt_meeting_check_ok (node, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

/* Servers of API 3.3.1 have no /register: the older tool registered by
 * sending the token in a heartbeat, so that is what we do there. */
static gpointer
run_register (const UmtMeetingServer  *server,
              UmtMeetingRequest       *call,
              GCancellable            *cancellable,
              GError                 **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(UmtMeetingRequest) fallback = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GBytes) answer = NULL;
  UmtMeetingRegistration *registration;

  answer = send_call (server, call, cancellable, &local_error);
  if (answer != NULL)
    return parse_answer (call, answer, error);

  if (!g_error_matches (local_error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NO_ROUTE))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  g_message ("The server at %s has no registration route; registering device %s "
             "with a heartbeat instead, as older Meeting servers expect",
             server->host, call->device_key);

  fallback = umt_call_new ("POST", umt_call_device_path ("/api/devices/", call->device_key, "/online"),
                           UMT_MEETING_REQUEST_DEVICE | UMT_MEETING_REQUEST_REGISTER);
  body = json_object_new ();
  json_object_set_string_member (body, "token_code", call->token_code);
  if (call->note != NULL)
    json_object_set_string_member (body, "note", call->note);
  umt_call_set_body (fallback, body);

  g_clear_pointer (&answer, g_bytes_unref);
  answer = send_call (server, fallback, cancellable, error);
  if (answer == NULL || parse_answer (fallback, answer, error) == NULL)
    return NULL;

  registration = g_rc_box_new0 (UmtMeetingRegistration);
  registration->used_fallback = TRUE;
  return registration;
}

gpointer
umt_call_run (const UmtMeetingServer  *server,
              UmtMeetingRequest       *call,
              GCancellable            *cancellable,
              GError                 **error)
{
  g_autoptr(GBytes) answer = NULL;

  if (server->base_url == NULL)
    {
      g_set_error_literal (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_INVALID_URL,
                           _("The server URL is not valid. Enter an address such as "
                              "https://meeting.example.org in the profile."));
      return NULL;
    }

  if (call->is_register)
    return run_register (server, call, cancellable, error);

  answer = send_call (server, call, cancellable, error);
  if (answer == NULL)
    return NULL;

  return parse_answer (call, answer, error);
}
