/* test-fault-matrix.c: every call of the Meeting client against every way a server fails
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-test-fault-matrix"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "umt-meeting-client.h"
#include "umt-meeting-error.h"
#include "umt-meeting-requests.h"
#include "umt-test-sim.h"

#define ADMIN_TOKEN "fault-matrix-admin-token"

/* AddressSanitizer keeps freed blocks in quarantine: resident memory then
 * says nothing about leaks. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* Each request the device makes, and how to free its answer. */
static UmtMeetingRequest *
request_api_info (const char *device_key)
{
  return umt_meeting_request_get_api_info ();
}

static UmtMeetingRequest *
request_register (const char *device_key)
{
  return umt_meeting_request_register (device_key, "ABC123", NULL);
}

static UmtMeetingRequest *
request_online (const char *device_key)
{
  return umt_meeting_request_online (device_key, NULL);
}

static UmtMeetingRequest *
request_put_ssh_key (const char *device_key)
{
  return umt_meeting_request_put_ssh_key (device_key,
                                          "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHkG7tdNJ0Rr6NWp3RgkjPWQbQJWYQEbLFzRbW0l3F7n test",
                                          NULL);
}

static UmtMeetingRequest *
request_hostkeys (const char *device_key)
{
  return umt_meeting_request_get_ssh_hostkeys ();
}

static UmtMeetingRequest *
request_tunnels (const char *device_key)
{
  return umt_meeting_request_list_tunnels ();
}

static UmtMeetingRequest *
request_tunnel_status (const char *device_key)
{
  return umt_meeting_request_post_tunnel_status (device_key, "ssh", 9050, NULL, FALSE, NULL);
}

static const struct
{
  const char         *name;
  UmtMeetingRequest *(*request) (const char *device_key);
  GDestroyNotify      free_answer;
  gboolean            text;   /* a text/plain answer: any body is a key line or not */
} calls[] = {
  { "api-info", request_api_info, (GDestroyNotify) umt_meeting_api_info_unref, FALSE },
  { "register", request_register, (GDestroyNotify) umt_meeting_registration_unref, FALSE },
  { "online", request_online, (GDestroyNotify) umt_meeting_heartbeat_unref, FALSE },
  { "device", umt_meeting_request_get_device, (GDestroyNotify) umt_meeting_device_unref, FALSE },
  { "availability", umt_meeting_request_get_availability,
    (GDestroyNotify) umt_meeting_availability_unref, FALSE },
  { "last-seen", umt_meeting_request_get_last_seen, (GDestroyNotify) umt_meeting_last_seen_unref,
    FALSE },
  { "put-ssh-key", request_put_ssh_key, NULL, FALSE },
  { "device-pubkey", umt_meeting_request_get_device_pubkey, g_free, TRUE },
  { "hostkeys", request_hostkeys, g_free, TRUE },
  { "tunnels", request_tunnels, (GDestroyNotify) g_ptr_array_unref, FALSE },
  { "tunnel-status", request_tunnel_status, NULL, FALSE },
};

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Sends call @c and waits: did it work. */
static gboolean
send_call (UmtMeetingClient  *client,
           gsize              c,
           const char        *device_key,
           GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  gpointer answer = NULL;
  gboolean sent;

  umt_meeting_client_send_async (client, calls[c].request (device_key), NULL, on_sent, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  sent = umt_meeting_client_send_finish (client, result, &answer, error);
  if (answer != NULL)
    calls[c].free_answer (answer);
  return sent;
}

/* What the user reads: one sentence, on one line. */
static void
assert_one_sentence (const GError *error,
                     const char   *fault,
                     const char   *call)
{
  g_test_message ("%s, %s: %s", fault, call, error->message);
  g_assert_true (error->domain == UMT_MEETING_ERROR);
  g_assert_null (strchr (error->message, '\n'));
  g_assert_true (g_str_has_suffix (error->message, "."));
}

/* The sim's faults, for every route at once. */
static const struct
{
  const char         *name;
  const char         *fault;
  gboolean            text_too;  /* text answers fail too */
  UmtMeetingError     code;
} sim_faults[] = {
  { "500 JSON", "{\"path\":\"/api*\",\"status\":500,\"body\":\"{\\\"error\\\":\\\"DB error\\\"}\"}",
    TRUE, UMT_MEETING_ERROR_SERVER },
  { "502 HTML", "{\"path\":\"/api*\",\"status\":502,\"content_type\":\"text/html\","
                "\"body\":\"<html><body><h1>502 Bad Gateway</h1></body></html>\"}",
    TRUE, UMT_MEETING_ERROR_SERVER },
  { "malformed JSON", "{\"path\":\"/api*\",\"malformed\":true}", FALSE, UMT_MEETING_ERROR_PROTOCOL },
  { "4 MiB body", "{\"path\":\"/api*\",\"oversized\":true}", TRUE, UMT_MEETING_ERROR_PROTOCOL },
  { "connection dropped", "{\"path\":\"/api*\",\"drop\":true}", TRUE, UMT_MEETING_ERROR_CONNECTION },
  { "stall past the timeout", "{\"path\":\"/api*\",\"delay_ms\":3000}", TRUE, UMT_MEETING_ERROR_TIMEOUT },
};

static void
test_sim_faults (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autofree char *device_key = umt_test_sim_create_device (sim, NULL, NULL);
  g_autoptr(UmtMeetingClient) client = NULL;
  g_autoptr(GError) error = NULL;

  /* Retries on, as in a profile: the stall still costs one timeout. */
  client = umt_meeting_client_new_full (sim->url, 1, 3, TRUE, ADMIN_TOKEN, &error);
  g_assert_no_error (error);

  for (gsize f = 0; f < G_N_ELEMENTS (sim_faults); f++)
    {
      umt_test_sim_clear_faults (sim);
      umt_test_sim_add_fault (sim, sim_faults[f].fault);

      for (gsize c = 0; c < G_N_ELEMENTS (calls); c++)
        {
          g_autoptr(GError) call_error = NULL;

          if (calls[c].text && !sim_faults[f].text_too)
            continue;
          g_assert_false (send_call (client, c, device_key, &call_error));
          assert_one_sentence (call_error, sim_faults[f].name, calls[c].name);
          /* 5xx on register may also read as "no such route" first: a
           * server error either way, or the fallback's own. */
          if (!g_error_matches (call_error, UMT_MEETING_ERROR, sim_faults[f].code))
            g_error ("%s, %s: %s is not error %d", sim_faults[f].name, calls[c].name,
                     call_error->message, sim_faults[f].code);
        }
    }
}

/* A server this test writes by hand: each connection gets @response once
 * its request is read, then is closed. It runs in a thread of its own with
 * its own main context, since the calls block the test's. */
typedef struct
{
  GThread        *thread;
  GMainContext   *context;
  GMainLoop      *loop;
  GSocketService *service;
  GMutex          mutex;
  GCond           cond;
  char           *url;
  const char     *response;
} RawServer;

static gboolean
read_request (GInputStream *input)
{
  g_autoptr(GString) head = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  gint64 body_left = 0;
  char byte;

  while (!g_str_has_suffix (head->str, "\r\n\r\n"))
    {
      if (g_input_stream_read (input, &byte, 1, NULL, NULL) != 1)
        return FALSE;
      g_string_append_c (head, byte);
    }
  lines = g_strsplit (head->str, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], "Content-Length:", 15) == 0)
      body_left = g_ascii_strtoll (lines[i] + 15, NULL, 10);
  for (; body_left > 0; body_left--)
    if (g_input_stream_read (input, &byte, 1, NULL, NULL) != 1)
      return FALSE;
  return TRUE;
}

static gboolean
on_raw_incoming (GSocketService    *service,
                 GSocketConnection *connection,
                 GObject           *source_object,
                 RawServer         *server)
{
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  if (read_request (g_io_stream_get_input_stream (G_IO_STREAM (connection))))
    g_output_stream_write_all (output, server->response, strlen (server->response), NULL, NULL,
                               NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static gpointer
raw_server_thread (gpointer data)
{
  RawServer *server = data;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (server->context);
  server->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                 &error);
  g_assert_no_error (error);
  g_signal_connect (server->service, "incoming", G_CALLBACK (on_raw_incoming), server);
  g_socket_service_start (server->service);

  g_mutex_lock (&server->mutex);
  server->url = g_strdup_printf ("http://127.0.0.1:%u",
                                 g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_cond_signal (&server->cond);
  g_mutex_unlock (&server->mutex);

  g_main_loop_run (server->loop);

  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_clear_object (&server->service);
  g_main_context_pop_thread_default (server->context);
  return NULL;
}

static RawServer *
raw_server_start (const char *response)
{
  RawServer *server = g_new0 (RawServer, 1);

  server->response = response;
  server->context = g_main_context_new ();
  server->loop = g_main_loop_new (server->context, FALSE);
  g_mutex_init (&server->mutex);
  g_cond_init (&server->cond);
  server->thread = g_thread_new ("raw-server", raw_server_thread, server);

  g_mutex_lock (&server->mutex);
  while (server->url == NULL)
    g_cond_wait (&server->cond, &server->mutex);
  g_mutex_unlock (&server->mutex);
  return server;
}

static void
raw_server_free (RawServer *server)
{
  g_main_loop_quit (server->loop);
  g_thread_join (server->thread);
  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  g_mutex_clear (&server->mutex);
  g_cond_clear (&server->cond);
  g_free (server->url);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawServer, raw_server_free)

/* The body stops before the length the headers announced. */
static void
test_truncated_body (void)
{
  g_autoptr(RawServer) server = raw_server_start ("HTTP/1.1 200 OK\r\n"
                                                  "Content-Type: application/json\r\n"
                                                  "Content-Length: 200\r\n"
                                                  "\r\n"
                                                  "{\"ok\":tr");
  g_autoptr(UmtMeetingClient) client = umt_meeting_client_new_full (server->url, 2, 0, TRUE,
                                                                    NULL, NULL);

  for (gsize c = 0; c < G_N_ELEMENTS (calls); c++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (send_call (client, c, "device-abc12345", &error));
      assert_one_sentence (error, "truncated body", calls[c].name);
    }
}

/* A redirect to another host is not followed: the bearer token stays with
 * the server it was given for. */
static void
test_redirect_keeps_token (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autofree char *response = NULL;
  g_autoptr(RawServer) server = NULL;
  g_autoptr(UmtMeetingClient) client = NULL;
  g_autoptr(JsonNode) requests = NULL;

  /* The sim listens on 127.0.0.1; "localhost" is another host to the client. */
  response = g_strdup_printf ("HTTP/1.1 307 Temporary Redirect\r\n"
                              "Location: http://localhost:%u/api\r\n"
                              "Content-Length: 0\r\n"
                              "\r\n", sim->port);
  server = raw_server_start (response);
  client = umt_meeting_client_new_full (server->url, 2, 0, TRUE, ADMIN_TOKEN, NULL);

  for (gsize c = 0; c < G_N_ELEMENTS (calls); c++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (send_call (client, c, "device-abc12345", &error));
      assert_one_sentence (error, "redirect", calls[c].name);
      g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL);
    }

  requests = umt_test_sim_request (sim, "GET", "/__sim/requests", NULL, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (requests),
                                                                         "requests")), ==, 0);
}

#ifndef UNDER_ASAN
/* Resident memory in KiB, from /proc. */
static gsize
resident_kib (void)
{
  g_autofree char *statm = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL));
  fields = g_strsplit (statm, " ", -1);
  return (gsize) g_ascii_strtoull (fields[1], NULL, 10) * (sysconf (_SC_PAGESIZE) / 1024);
}

/* An outage of a thousand beats leaves memory where it was after the first
 * hundred. */
static void
test_failures_flat_memory (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autofree char *device_key = umt_test_sim_create_device (sim, NULL, NULL);
  g_autoptr(UmtMeetingClient) client = umt_meeting_client_new_full (sim->url, 5, 0, TRUE, NULL,
                                                                    NULL);
  gsize after_warm_up = 0;

  umt_test_sim_add_fault (sim, "{\"path\":\"/api/devices/*\",\"status\":500,"
                               "\"body\":\"{\\\"error\\\":\\\"DB error\\\"}\"}");
  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(UmtMeetingHeartbeat) beat = umt_meeting_client_online_sync (client, device_key,
                                                                            NULL, NULL, &error);

      g_assert_null (beat);
      g_assert_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_SERVER);
      if (i == 99)
        after_warm_up = resident_kib ();
    }
  g_test_message ("resident after 100 failures: %" G_GSIZE_FORMAT " KiB, after 1000: %"
                  G_GSIZE_FORMAT " KiB", after_warm_up, resident_kib ());
  g_assert_cmpuint (resident_kib (), <, after_warm_up + 1024);
}
#endif

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/fault-matrix/sim-faults", test_sim_faults);
  g_test_add_func ("/fault-matrix/truncated-body", test_truncated_body);
  g_test_add_func ("/fault-matrix/redirect-keeps-token", test_redirect_keeps_token);
#ifndef UNDER_ASAN
  g_test_add_func ("/fault-matrix/failures-flat-memory", test_failures_flat_memory);
#endif

  return g_test_run ();
}
