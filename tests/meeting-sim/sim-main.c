/* sim-main.c: command line, listening sockets and the ready line of meeting-sim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sim-main"

#include "config.h"

#include <stdio.h>

#include <glib-unix.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

static int opt_port = 0;
static int opt_proxy_port = -1;
static gboolean opt_tls = FALSE;
static char *opt_tls_cert = NULL;
static char *opt_tls_key = NULL;
static gboolean opt_no_register = FALSE;
static int opt_availability_timeout = 120;

static const GOptionEntry entries[] = {
  { "port", 0, 0, G_OPTION_ARG_INT, &opt_port, "Port to listen on (0 picks a free one)", "N" },
  { "proxy-port", 0, 0, G_OPTION_ARG_INT, &opt_proxy_port, "Run the tunnel proxy on this port (0 picks a free one)", "N" },
  { "tls", 0, 0, G_OPTION_ARG_NONE, &opt_tls, "Serve HTTPS with a self-signed certificate", NULL },
  { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &opt_tls_cert, "PEM certificate to serve HTTPS with", "FILE" },
  { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &opt_tls_key, "PEM private key of --tls-cert", "FILE" },
  { "no-register-endpoint", 0, 0, G_OPTION_ARG_NONE, &opt_no_register, "Behave like API 3.3.1: no register route", NULL },
  { "availability-timeout", 0, 0, G_OPTION_ARG_INT, &opt_availability_timeout, "Seconds a heartbeat keeps a device Available", "SECONDS" },
  { NULL }
};

static void
handle_api_root (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  static const char body[] = "{\"status\":\"Meeting API ready\",\"version\":\"3.3.1\"}";

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    body, strlen (body));
}

static gboolean
on_quit_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- stand-in Meeting server");
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *url = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("meeting-sim: %s\n", error->message);
      return 2;
    }
  if (opt_port < 0 || opt_port > 65535)
    {
      g_printerr ("meeting-sim: --port must be between 0 and 65535\n");
      return 2;
    }

  server = soup_server_new ("server-header", "meeting-sim ", NULL);
  soup_server_add_handler (server, "/api", handle_api_root, NULL, NULL);

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, (guint16) opt_port);
  if (!soup_server_listen (server, address, 0, &error))
    {
      g_printerr ("meeting-sim: cannot listen: %s\n", error->message);
      return 1;
    }

  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_print ("{\"url\":\"%s\"}\n", url);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_quit_signal, loop);
  g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_main_loop_run (loop);

  soup_server_disconnect (server);
  return 0;
}
