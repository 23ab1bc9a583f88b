/* test-meeting-sim-faults.c: the /__sim/ request log, fault injection and TLS serving of meeting-sim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-meeting-sim-faults"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "sim-tls.h"
#include "test-sim-reply.h"

static void
test_request_log (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autoptr(SimReply) beat = NULL;
  g_autoptr(JsonNode) log = NULL;
  g_autoptr(JsonNode) cleared = NULL;
  g_autoptr(JsonNode) ignored = NULL;
  JsonArray *requests;
  JsonObject *last;
  guint status = 0;

  ignored = umt_test_sim_request (sim, "DELETE", "/__sim/requests", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  beat = sim_send_full (sim, NULL, "POST", "/api/devices/a%20b/online", "{\"note\":\"x\"}",
                    "User-Agent", "probe/1");
  log = umt_test_sim_request (sim, "GET", "/__sim/requests", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  requests = json_object_get_array_member (json_node_get_object (log), "requests");
  /* The /__sim/ calls themselves are not logged. */
  g_assert_cmpuint (json_array_get_length (requests), ==, 1);
  last = json_array_get_object_element (requests, 0);
  g_assert_cmpstr (json_object_get_string_member (last, "method"), ==, "POST");
  g_assert_cmpstr (json_object_get_string_member (last, "path"), ==, "/api/devices/a b/online");
  g_assert_cmpstr (json_object_get_string_member (last, "body"), ==, "{\"note\":\"x\"}");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (last, "headers"),
                                                  "User-Agent"), ==, "probe/1");

  g_clear_pointer (&ignored, json_node_unref);
  ignored = umt_test_sim_request (sim, "DELETE", "/__sim/requests", NULL, &status);
  cleared = umt_test_sim_request (sim, "GET", "/__sim/requests", NULL, &status);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (cleared), "requests")), ==, 0);
}

static void
test_fault_status_count_and_match (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autofree char *key = umt_test_sim_create_device (sim, "a.b_c-1", NULL);
  g_autoptr(SimReply) first = NULL;
  g_autoptr(SimReply) second = NULL;
  g_autoptr(SimReply) third = NULL;
  g_autoptr(SimReply) other_method = NULL;
  g_autoptr(SimReply) text = NULL;
  g_autoptr(SimReply) prefixed = NULL;
  g_autoptr(SimReply) cleared = NULL;
  g_autoptr(JsonNode) bad = NULL;
  guint status = 0;

  umt_test_sim_add_fault (sim, "{\"path\":\"/api/devices/a.b_c-1/online\",\"method\":\"POST\","
                               "\"status\":503,\"body\":\"{\\\"error\\\":\\\"busy\\\"}\",\"count\":2}");
  first = sim_send (sim, "POST", "/api/devices/a%2Eb_c-1/online", "{}");
  second = sim_send (sim, "POST", "/api/devices/a.b_c-1/online", "{}");
  third = sim_send (sim, "POST", "/api/devices/a.b_c-1/online", "{}");
  g_assert_cmpuint (first->status, ==, 503);
  g_assert_cmpstr (first->body, ==, "{\"error\":\"busy\"}");
  g_assert_cmpstr (first->content_type, ==, "application/json");
  g_assert_cmpuint (second->status, ==, 503);
  g_assert_cmpuint (third->status, ==, 200);

  umt_test_sim_add_fault (sim, "{\"path\":\"/api/ssh-hostkey\",\"method\":\"POST\",\"status\":500}");
  other_method = sim_send (sim, "GET", "/api/ssh-hostkey", NULL);
  g_assert_cmpuint (other_method->status, ==, 200);

  umt_test_sim_add_fault (sim, "{\"path\":\"/api/status/*\",\"status\":502,"
                               "\"body\":\"<html>bad gateway</html>\",\"content_type\":\"text/html\"}");
  text = sim_send (sim, "GET", "/api/status/a.b_c-1/last-seen", NULL);
  prefixed = sim_send (sim, "POST", "/api/status/a.b_c-1/online", "{}");
  g_assert_cmpuint (text->status, ==, 502);
  g_assert_cmpstr (text->content_type, ==, "text/html");
  g_assert_cmpstr (text->body, ==, "<html>bad gateway</html>");
  g_assert_cmpuint (prefixed->status, ==, 502);

  /* Faults never touch /__sim/, and clearing ends them. */
  g_assert_nonnull (umt_test_sim_get_device (sim, key));
  umt_test_sim_clear_faults (sim);
  cleared = sim_send (sim, "GET", "/api/status/a.b_c-1/last-seen", NULL);
  g_assert_cmpuint (cleared->status, ==, 200);

  bad = umt_test_sim_request (sim, "POST", "/__sim/faults", "{\"path\":\"/api\"}", &status);
  g_assert_cmpuint (status, ==, 400);
}

static gpointer
delayed_request_thread (gpointer user_data)
{
  UmtTestSim *sim = user_data;
  gint64 start = g_get_monotonic_time ();
  g_autoptr(SimReply) reply = sim_send (sim, "GET", "/api", NULL);

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (reply->body, ==, "{\"status\":\"Meeting API ready\",\"version\":\"3.3.1\"}");
  return GINT_TO_POINTER ((int) ((g_get_monotonic_time () - start) / 1000));
}

static void
test_fault_delay (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autoptr(SimReply) quick = NULL;
  GThread *thread;
  gint64 start;
  int delayed_ms;

  umt_test_sim_add_fault (sim, "{\"path\":\"/api\",\"delay_ms\":1500,\"count\":1}");
  thread = g_thread_new ("delayed", delayed_request_thread, sim);
  g_usleep (200 * G_TIME_SPAN_MILLISECOND);

  /* Another request is answered while the delayed one waits. */
  start = g_get_monotonic_time ();
  quick = sim_send (sim, "GET", "/api/tunnels", NULL);
  g_assert_cmpuint (quick->status, ==, 200);
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, <, 1000);

  delayed_ms = GPOINTER_TO_INT (g_thread_join (thread));
  g_assert_cmpint (delayed_ms, >=, 1400);
}

static void
test_fault_bodies_and_drop (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start (NULL, NULL);
  g_autoptr(SimReply) malformed = NULL;
  g_autoptr(SimReply) oversized = NULL;
  g_autoptr(SimReply) dropped = NULL;
  g_autoptr(SimReply) after = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  umt_test_sim_add_fault (sim, "{\"path\":\"/api\",\"malformed\":true,\"count\":1}");
  malformed = sim_send (sim, "GET", "/api", NULL);
  g_assert_cmpuint (malformed->status, ==, 200);
  g_assert_cmpstr (malformed->content_type, ==, "application/json");
  g_assert_false (json_parser_load_from_data (parser, malformed->body, -1, NULL));

  umt_test_sim_add_fault (sim, "{\"path\":\"/api\",\"oversized\":true,\"count\":1}");
  oversized = sim_send (sim, "GET", "/api", NULL);
  g_assert_cmpuint (oversized->status, ==, 200);
  g_assert_cmpuint (oversized->length, >=, 4 * 1024 * 1024);

  umt_test_sim_add_fault (sim, "{\"path\":\"/api\",\"drop\":true,\"count\":1}");
  dropped = sim_send (sim, "GET", "/api", NULL);
  g_assert_nonnull (dropped->error);
  g_assert_cmpuint (dropped->status, ==, 0);

  after = sim_send (sim, "GET", "/api", NULL);
  g_assert_no_error (after->error);
  g_assert_cmpuint (after->status, ==, 200);
}

static void
test_tls (void)
{
  g_autoptr(UmtTestSim) sim = umt_test_sim_start ("--tls", NULL);
  g_autoptr(SoupSession) verifying = soup_session_new ();
  g_autoptr(SoupSession) trusting = soup_session_new ();
  g_autoptr(SoupSession) anchored = soup_session_new ();
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SimReply) refused = NULL;
  g_autoptr(SimReply) pem = NULL;
  g_autoptr(SimReply) anchored_reply = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *device_key = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *pem_path = NULL;
  int fd;

  g_assert_true (g_str_has_prefix (sim->url, "https://127.0.0.1:"));

  /* Verification on: a self-signed certificate is refused. */
  refused = sim_send_full (sim, verifying, "GET", "/api", NULL, NULL, NULL);
  g_assert_error (refused->error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);

  /* Verification off: it answers like the plain server. */
  uri = g_strconcat (sim->url, "/api", NULL);
  message = soup_message_new ("GET", uri);
  g_signal_connect (message, "accept-certificate", G_CALLBACK (sim_accept_any_certificate), NULL);
  bytes = soup_session_send_and_read (trusting, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);

  /* Trusting the certificate the sim hands out works with verification on. */
  {
    g_autoptr(SoupMessage) pem_message = NULL;
    g_autoptr(GBytes) pem_bytes = NULL;
    g_autofree char *pem_uri = g_strconcat (sim->url, "/__sim/certificate", NULL);

    pem_message = soup_message_new ("GET", pem_uri);
    g_signal_connect (pem_message, "accept-certificate", G_CALLBACK (sim_accept_any_certificate), NULL);
    pem_bytes = soup_session_send_and_read (trusting, pem_message, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (pem_message), ==, 200);
    fd = g_file_open_tmp ("sim-cert-XXXXXX.pem", &pem_path, &error);
    g_assert_no_error (error);
    g_close (fd, NULL);
    g_file_set_contents (pem_path, g_bytes_get_data (pem_bytes, NULL),
                         (gssize) g_bytes_get_size (pem_bytes), &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (g_bytes_get_data (pem_bytes, NULL), "BEGIN CERTIFICATE"));
    g_assert_null (strstr (g_bytes_get_data (pem_bytes, NULL), "PRIVATE KEY"));
  }
  database = g_tls_file_database_new (pem_path, &error);
  g_assert_no_error (error);
  soup_session_set_tls_database (anchored, database);
  anchored_reply = sim_send_full (sim, anchored, "GET", "/api", NULL, NULL, NULL);
  g_assert_no_error (anchored_reply->error);
  g_assert_cmpuint (anchored_reply->status, ==, 200);
  g_unlink (pem_path);

  /* The helper of umt-test-sim.h talks to a TLS sim too. */
  device_key = umt_test_sim_create_device (sim, "tls-device", NULL);
  g_assert_nonnull (device_key);
  pem = sim_send_full (sim, anchored, "GET", "/__sim/devices/tls-device", NULL, NULL, NULL);
  g_assert_cmpuint (pem->status, ==, 200);
}

static char *
write_temp_file (const char *template,
                 const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp (template, &path, &error);

  g_assert_no_error (error);
  g_close (fd, NULL);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static int
run_sim_expecting_failure (const char *first_arg,
                           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("UMT_MEETING_SIM"));
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static void
test_tls_files (void)
{
  g_autoptr(GTlsCertificate) generated = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(SoupSession) anchored = soup_session_new ();
  g_autoptr(UmtTestSim) sim = NULL;
  g_autoptr(SimReply) reply = NULL;
  g_autoptr(SimReply) served = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_pem = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *key_path = NULL;

  generated = sim_tls_generate_self_signed (&cert_pem, &error);
  g_assert_no_error (error);
  g_object_get (generated, "private-key-pem", &key_pem, NULL);
  g_assert_nonnull (key_pem);
  cert_path = write_temp_file ("sim-cert-XXXXXX.pem", cert_pem);
  key_path = write_temp_file ("sim-key-XXXXXX.pem", key_pem);

  sim = umt_test_sim_start ("--tls-cert", cert_path, "--tls-key", key_path, NULL);
  g_assert_true (g_str_has_prefix (sim->url, "https://127.0.0.1:"));
  database = g_tls_file_database_new (cert_path, &error);
  g_assert_no_error (error);
  soup_session_set_tls_database (anchored, database);

  /* It serves exactly the certificate it was given. */
  reply = sim_send_full (sim, anchored, "GET", "/api", NULL, NULL, NULL);
  g_assert_no_error (reply->error);
  g_assert_cmpuint (reply->status, ==, 200);
  served = sim_send_full (sim, anchored, "GET", "/__sim/certificate", NULL, NULL, NULL);
  g_assert_cmpstr (served->body, ==, cert_pem);

  /* Bad or half-given files stop it before the ready line. */
  g_assert_cmpint (run_sim_expecting_failure ("--tls-cert", cert_path, NULL), ==, 2);
  g_assert_cmpint (run_sim_expecting_failure ("--tls-cert", key_path, "--tls-key", key_path, NULL), ==, 1);

  g_unlink (cert_path);
  g_unlink (key_path);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/meeting-sim/request-log", test_request_log);
  g_test_add_func ("/meeting-sim/fault/status-count-match", test_fault_status_count_and_match);
  g_test_add_func ("/meeting-sim/fault/delay", test_fault_delay);
  g_test_add_func ("/meeting-sim/fault/bodies-and-drop", test_fault_bodies_and_drop);
  g_test_add_func ("/meeting-sim/tls", test_tls);
  g_test_add_func ("/meeting-sim/tls-files", test_tls_files);

  return g_test_run ();
}
