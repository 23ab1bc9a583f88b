/* tunnel-test-util.c: helpers of the tunnel proxy tests: the sim's HTTP
 * routes and blocking loopback sockets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tunnel-test-util"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "tunnel-test-util.h"

/* The sim's certificate is self-signed and made at start: the test trusts it. */
static gboolean
accept_any_certificate (SoupMessage          *message,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  return TRUE;
}

JsonNode *
tunnel_test_call (UmtTestSim *sim,
                  const char *method,
                  const char *path,
                  const char *json_body,
                  guint       expected_status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strconcat (sim->url, path, NULL);

  message = soup_message_new (method, uri);
  g_assert_nonnull (message);
  g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  if (json_body != NULL)
    {
      g_autoptr(GBytes) request = g_bytes_new (json_body, strlen (json_body));
      soup_message_set_request_body_from_bytes (message, "application/json", request);
    }

  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, expected_status);
  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   (gssize) g_bytes_get_size (body), NULL))
    return NULL;
  return json_parser_steal_root (parser);
}

/* A device made through the admin route; registered through the device's own
 * route with its token when @registered. */
char *
tunnel_test_make_device (UmtTestSim  *sim,
                         gboolean     registered,
                         char       **token_code)
{
  g_autoptr(JsonNode) generated =
    tunnel_test_call (sim, "GET", "/api/devices/generate-key", NULL, 200);
  g_autoptr(JsonNode) created = NULL;
  g_autofree char *key = NULL;
  g_autofree char *token = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;

  key = g_strdup (json_object_get_string_member (json_node_get_object (generated), "devicekey"));
  token = g_strdup (json_object_get_string_member (json_node_get_object (generated), "token_code"));
  body = g_strdup_printf ("{\"devicekey\":\"%s\",\"token_code\":\"%s\","
                          "\"device_type\":\"linux\",\"distribution\":\"debian\"}", key, token);
  created = tunnel_test_call (sim, "POST", "/api/devices/manual-create", body, 200);

  if (registered)
    {
      g_autoptr(JsonNode) answer = NULL;

      g_free (body);
      body = g_strdup_printf ("{\"token_code\":\"%s\"}", token);
      path = g_strdup_printf ("/api/devices/%s/register", key);
      answer = tunnel_test_call (sim, "POST", path, body, 200);
    }

  if (token_code != NULL)
    *token_code = g_steal_pointer (&token);
  return g_steal_pointer (&key);
}

/* Authorizes the device (once) and reserves @service; returns the public port. */
guint16
tunnel_test_reserve (UmtTestSim *sim,
                     const char *device_key,
                     const char *service_json)
{
  g_autofree char *authorize = g_strdup_printf ("/api/devices/%s/authorize", device_key);
  g_autofree char *service = g_strdup_printf ("/api/devices/%s/service", device_key);
  g_autoptr(JsonNode) authorized =
    tunnel_test_call (sim, "PUT", authorize, "{\"authorized\":1}", 200);
  g_autoptr(JsonNode) reserved = tunnel_test_call (sim, "POST", service, service_json, 200);
  gint64 port = json_object_get_int_member (json_node_get_object (reserved), "port");

  g_assert_cmpint (port, >, 0);
  g_assert_cmpint (port, <, 65536);
  return (guint16) port;
}

JsonObject *
tunnel_test_proxy_state (UmtTestSim *sim)
{
  g_autoptr(JsonNode) node = tunnel_test_call (sim, "GET", "/__sim/proxy", NULL, 200);

  return json_object_ref (json_node_get_object (node));
}

/* Sockets */

GIOStream *
tunnel_test_connect (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (connection), IO_TIMEOUT_SECONDS);
  return G_IO_STREAM (g_steal_pointer (&connection));
}

void
tunnel_test_write_all (GIOStream  *stream,
                       const void *data,
                       gsize       len)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (stream), data, len, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Reads exactly @len bytes. */
void
tunnel_test_read_exactly (GIOStream *stream,
                          void      *data,
                          gsize      len)
{
  g_autoptr(GError) error = NULL;
  gsize got = 0;

  g_input_stream_read_all (g_io_stream_get_input_stream (stream), data, len, &got, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got, ==, len);
}

/* The peer closed: a read returns end of stream (not a timeout). */
void
tunnel_test_assert_eof (GIOStream *stream)
{
  g_autoptr(GError) error = NULL;
  char byte;
  gssize got;

  got = g_input_stream_read (g_io_stream_get_input_stream (stream), &byte, 1, NULL, &error);
  if (got < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
    return;
  g_assert_no_error (error);
  g_assert_cmpint (got, ==, 0);
}
