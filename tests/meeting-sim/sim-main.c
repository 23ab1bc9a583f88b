/* sim-main.c: command line, listening socket and ready line of meeting-sim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sim-main"

#include "config.h"

#include <stdio.h>

#include <glib-unix.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "sim-proxy.h"
#include "sim-server.h"
#include "sim-state.h"
#include "sim-tls.h"

static int opt_port = 0;
static int opt_proxy_port = -1;
static gboolean opt_tls = FALSE;
static char *opt_tls_cert = NULL;
static char *opt_tls_key = NULL;
static gboolean opt_no_register = FALSE;
static int opt_availability_timeout = 120;
static char *opt_tunnel_ports = NULL;

static const GOptionEntry entries[] = {
  { "port", 0, 0, G_OPTION_ARG_INT, &opt_port, "Port to listen on (0 picks a free one)", "N" },
  { "proxy-port", 0, 0, G_OPTION_ARG_INT, &opt_proxy_port, "Run the tunnel proxy on this port (0 picks a free one)", "N" },
  { "tls", 0, 0, G_OPTION_ARG_NONE, &opt_tls, "Serve HTTPS with a self-signed certificate", NULL },
  { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &opt_tls_cert, "PEM certificate to serve HTTPS with", "FILE" },
  { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &opt_tls_key, "PEM private key of --tls-cert", "FILE" },
  { "no-register-endpoint", 0, 0, G_OPTION_ARG_NONE, &opt_no_register, "Behave like API 3.3.1: no register route", NULL },
  { "availability-timeout", 0, 0, G_OPTION_ARG_INT, &opt_availability_timeout, "Seconds a heartbeat keeps a device Available (default 120)", "SECONDS" },
  { "tunnel-ports", 0, 0, G_OPTION_ARG_STRING, &opt_tunnel_ports, "Public tunnel ports to reserve from (default: any free port)", "FIRST-LAST" },
  { NULL }
};

static gboolean
parse_port_range (const char *text,
                  guint16    *first,
                  guint16    *last)
{
  g_auto(GStrv) parts = NULL;
  guint64 low, high;

  *first = *last = 0;
  if (text == NULL)
    return TRUE;

  parts = g_strsplit (text, "-", 2);
  if (g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 1, 65535, &low, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, low, 65535, &high, NULL))
    return FALSE;
  *first = (guint16) low;
  *last = (guint16) high;
  return TRUE;
}

/* The tunnel proxy (sim-proxy.c) gets the shared state and the certificate
 * (NULL for plain TCP), listens on @port (0 = any free loopback port) and
 * returns the port it listens on. */
static SimProxy *proxy = NULL;

static gboolean
start_proxy (SimState         *state,
             GTlsCertificate  *certificate,
             guint16           port,
             guint16          *bound_port,
             GError          **error)
{
  proxy = sim_proxy_new (state, certificate);
  return sim_proxy_listen (proxy, port, bound_port, error);
}

static gboolean
on_quit_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static void
print_ready_line (const char *url,
                  int         proxy_port)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, url);
  if (proxy_port >= 0)
    {
      json_builder_set_member_name (builder, "proxy_port");
      json_builder_add_int_value (builder, proxy_port);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  line = json_to_string (root, FALSE);

  g_print ("%s\n", line);
  fflush (stdout);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- stand-in Meeting server");
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) soup_server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SimState) state = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *certificate_pem = NULL;
  g_autofree char *url = NULL;
  SimServer *server;
  guint16 first_port, last_port, proxy_port = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("meeting-sim: %s\n", error->message);
      return 2;
    }
  if (opt_port < 0 || opt_port > 65535 || opt_proxy_port < -1 || opt_proxy_port > 65535)
    {
      g_printerr ("meeting-sim: ports must be between 0 and 65535\n");
      return 2;
    }
  if ((opt_tls_cert == NULL) != (opt_tls_key == NULL))
    {
      g_printerr ("meeting-sim: --tls-cert and --tls-key go together\n");
      return 2;
    }
  if (opt_availability_timeout < 0)
    {
      g_printerr ("meeting-sim: --availability-timeout must not be negative\n");
      return 2;
    }
  if (!parse_port_range (opt_tunnel_ports, &first_port, &last_port))
    {
      g_printerr ("meeting-sim: --tunnel-ports takes FIRST-LAST, e.g. 9050-9130\n");
      return 2;
    }

  if (opt_tls_cert != NULL)
    certificate = sim_tls_load_files (opt_tls_cert, opt_tls_key, &certificate_pem, &error);
  else if (opt_tls)
    certificate = sim_tls_generate_self_signed (&certificate_pem, &error);
  if (error != NULL)
    {
      g_printerr ("meeting-sim: cannot set up TLS: %s\n", error->message);
      return 1;
    }

  state = sim_state_new ((guint) opt_availability_timeout, first_port, last_port);
  server = sim_server_new (state, opt_no_register, certificate_pem);

  soup_server = soup_server_new ("server-header", "meeting-sim ",
                                 "tls-certificate", certificate,
                                 NULL);
  sim_server_attach (server, soup_server);

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, (guint16) opt_port);
  if (!soup_server_listen (soup_server, address,
                           certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0, &error))
    {
      g_printerr ("meeting-sim: cannot listen: %s\n", error->message);
      return 1;
    }

  if (opt_proxy_port >= 0 &&
      !start_proxy (state, certificate, (guint16) opt_proxy_port, &proxy_port, &error))
    {
      g_printerr ("meeting-sim: cannot start the tunnel proxy: %s\n", error->message);
      return 1;
    }
  if (proxy != NULL)
    sim_proxy_attach (proxy, soup_server);

  uris = soup_server_get_uris (soup_server);
  url = g_strdup_printf ("%s://127.0.0.1:%d", certificate != NULL ? "https" : "http",
                         g_uri_get_port (uris->data));
  print_ready_line (url, opt_proxy_port >= 0 ? proxy_port : -1);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_quit_signal, loop);
  g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_main_loop_run (loop);

  soup_server_disconnect (soup_server);
  g_clear_pointer (&proxy, sim_proxy_free);
  sim_server_free (server);
  return 0;
}
