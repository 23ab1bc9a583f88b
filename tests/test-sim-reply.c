/* test-sim-reply.c: raw requests to meeting-sim and checks of its answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-sim-reply"

#include "config.h"

#include <string.h>

#include "test-sim-reply.h"

void
sim_reply_free (SimReply *reply)
{
  g_free (reply->content_type);
  g_free (reply->body);
  g_clear_error (&reply->error);
  g_free (reply);
}

gboolean
sim_accept_any_certificate (SoupMessage          *message,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  return TRUE;
}

/* A raw request: text bodies, headers and transport errors, which the
 * JSON helper of umt-test-sim.h does not show. */
SimReply *
sim_send_full (UmtTestSim  *sim,
           SoupSession *session,
           const char  *method,
           const char  *path,
           const char  *body,
           const char  *header_name,
           const char  *header_value)
{
  g_autoptr(SoupSession) own_session = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *uri = g_strconcat (sim->url, path, NULL);
  SimReply *reply = g_new0 (SimReply, 1);

  if (session == NULL)
    session = own_session = soup_session_new ();
  message = soup_message_new (method, uri);
  g_assert_nonnull (message);
  if (body != NULL)
    {
      g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (message, "application/json", request);
    }
  if (header_name != NULL)
    soup_message_headers_append (soup_message_get_request_headers (message),
                                 header_name, header_value);

  bytes = soup_session_send_and_read (session, message, NULL, &reply->error);
  reply->status = soup_message_get_status (message);
  if (bytes != NULL)
    {
      reply->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      reply->length = g_bytes_get_size (bytes);
      reply->content_type = g_strdup (soup_message_headers_get_content_type (
        soup_message_get_response_headers (message), NULL));
    }
  return reply;
}

SimReply *
sim_send (UmtTestSim *sim,
      const char *method,
      const char *path,
      const char *body)
{
  return sim_send_full (sim, NULL, method, path, body, NULL, NULL);
}

JsonObject *
sim_parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Status and body of a JSON answer, checked in one go. */
JsonObject *
sim_expect_json (UmtTestSim *sim,
             const char *method,
             const char *path,
             const char *body,
             guint       status)
{
  g_autoptr(SimReply) reply = sim_send (sim, method, path, body);

  g_assert_no_error (reply->error);
  g_assert_cmpuint (reply->status, ==, status);
  g_assert_cmpstr (reply->content_type, ==, "application/json");
  return sim_parse_object (reply->body);
}

void
sim_expect_error (UmtTestSim *sim,
              const char *method,
              const char *path,
              const char *body,
              guint       status,
              const char *message)
{
  g_autoptr(JsonObject) object = sim_expect_json (sim, method, path, body, status);

  g_assert_cmpstr (json_object_get_string_member (object, "error"), ==, message);
}

void
sim_expect_no_route (UmtTestSim *sim,
                 const char *method,
                 const char *path,
                 const char *body)
{
  g_autoptr(SimReply) reply = sim_send (sim, method, path, body);

  g_assert_no_error (reply->error);
  g_assert_cmpuint (reply->status, ==, 404);
  g_assert_cmpstr (reply->content_type, ==, "text/plain");
  g_assert_cmpstr (reply->body, ==, "Not Found");
}

void
sim_assert_matches (const char *pattern,
                const char *text)
{
  g_assert_nonnull (text);
  if (!g_regex_match_simple (pattern, text, 0, 0))
    g_error ("\"%s\" does not match %s", text, pattern);
}

char *
sim_device_path (const char *key,
             const char *suffix)
{
  g_autofree char *escaped = g_uri_escape_string (key, NULL, FALSE);

  return g_strconcat ("/api/devices/", escaped, suffix, NULL);
}
