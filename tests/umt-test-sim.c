/* umt-test-sim.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-test-sim"

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include <libsoup/soup.h>

#include "umt-test-sim.h"

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

UmtTestSim *
umt_test_sim_start (const char *first_arg,
                    ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *line = NULL;
  const char *sim_path = g_getenv ("UMT_MEETING_SIM");
  UmtTestSim *sim;
  JsonObject *ready;
  va_list args;

  g_assert_nonnull (sim_path);

  g_ptr_array_add (argv, (gpointer) sim_path);
  g_ptr_array_add (argv, (gpointer) "--port");
  g_ptr_array_add (argv, (gpointer) "0");
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);

  sim = g_new0 (UmtTestSim, 1);
  sim->process = g_subprocess_launcher_spawnv (launcher,
                                               (const char * const *) argv->pdata,
                                               &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);

  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  ready = json_node_get_object (json_parser_get_root (parser));
  sim->url = g_strdup (json_object_get_string_member (ready, "url"));
  uri = g_uri_parse (sim->url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  sim->port = (guint16) g_uri_get_port (uri);
  if (json_object_has_member (ready, "proxy_port"))
    sim->proxy_port = (guint16) json_object_get_int_member (ready, "proxy_port");

  return sim;
}

void
umt_test_sim_free (UmtTestSim *sim)
{
  if (sim == NULL)
    return;

  g_subprocess_send_signal (sim->process, SIGTERM);
  g_subprocess_wait (sim->process, NULL, NULL);
  g_clear_object (&sim->process);
  g_free (sim->url);
  g_free (sim);
}

/* The sim a test started is the one it means to talk to, even with --tls and
 * its self-signed certificate. */
static gboolean
accept_sim_certificate (SoupMessage          *message,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  return TRUE;
}

JsonNode *
umt_test_sim_request (UmtTestSim *sim,
                      const char *method,
                      const char *path,
                      const char *json_body,
                      guint      *status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strconcat (sim->url, path, NULL);

  message = soup_message_new (method, uri);
  g_assert_nonnull (message);
  g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_sim_certificate), NULL);
  if (json_body != NULL)
    {
      g_autoptr(GBytes) request = g_bytes_new (json_body, strlen (json_body));
      soup_message_set_request_body_from_bytes (message, "application/json", request);
    }

  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);

  if (status != NULL)
    *status = soup_message_get_status (message);

  if (!json_parser_load_from_data (parser,
                                   g_bytes_get_data (body, NULL),
                                   (gssize) g_bytes_get_size (body),
                                   NULL))
    return NULL;

  return json_parser_steal_root (parser);
}

char *
umt_test_sim_create_device (UmtTestSim  *sim,
                            const char  *device_key,
                            char       **token_code)
{
  g_autoptr(JsonNode) generated = NULL;
  g_autoptr(JsonNode) created = NULL;
  g_autofree char *request = NULL;
  g_autofree char *key = NULL;
  g_autofree char *token = NULL;
  JsonObject *object;
  guint status = 0;

  generated = umt_test_sim_request (sim, "GET", "/api/devices/generate-key", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (generated);
  object = json_node_get_object (generated);
  key = g_strdup (device_key != NULL ? device_key
                                     : json_object_get_string_member (object, "devicekey"));
  token = g_strdup (json_object_get_string_member (object, "token_code"));

  request = g_strdup_printf ("{\"devicekey\":\"%s\",\"token_code\":\"%s\","
                             "\"device_type\":\"linux\",\"distribution\":\"debian\"}",
                             key, token);
  created = umt_test_sim_request (sim, "POST", "/api/devices/manual-create", request, &status);
  g_assert_cmpuint (status, ==, 200);

  if (token_code != NULL)
    *token_code = g_steal_pointer (&token);

  return g_steal_pointer (&key);
}

void
umt_test_sim_authorize_device (UmtTestSim *sim,
                               const char *device_key)
{
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *escaped = g_uri_escape_string (device_key, NULL, FALSE);
  g_autofree char *path = g_strconcat ("/api/devices/", escaped, "/authorize", NULL);
  guint status = 0;

  answer = umt_test_sim_request (sim, "PUT", path, "{\"authorized\":1}", &status);
  g_assert_cmpuint (status, ==, 200);
}

JsonObject *
umt_test_sim_get_device (UmtTestSim *sim,
                         const char *device_key)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *escaped = g_uri_escape_string (device_key, NULL, FALSE);
  g_autofree char *path = g_strconcat ("/__sim/devices/", escaped, NULL);
  guint status = 0;

  node = umt_test_sim_request (sim, "GET", path, NULL, &status);
  if (status == 404 || node == NULL)
    return NULL;

  g_assert_cmpuint (status, ==, 200);
  return json_object_ref (json_node_get_object (node));
}

void
umt_test_sim_add_fault (UmtTestSim *sim,
                        const char *fault_json)
{
  g_autoptr(JsonNode) node = NULL;
  guint status = 0;

  node = umt_test_sim_request (sim, "POST", "/__sim/faults", fault_json, &status);
  g_assert_cmpuint (status, ==, 200);
}

void
umt_test_sim_clear_faults (UmtTestSim *sim)
{
  g_autoptr(JsonNode) node = NULL;
  guint status = 0;

  node = umt_test_sim_request (sim, "DELETE", "/__sim/faults", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
}
