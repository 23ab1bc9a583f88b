/* sim-proxy.c: the tunnel proxy of meeting-sim: control port, handshake,
 * public listeners of the reservations, GET /__sim/proxy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The public listeners belong to the proxy, not to an agent: a reservation's
 * port listens from the moment it is made, and a client that arrives while
 * the device has no agent connected is closed at once, as with the real proxy.
 */
#define G_LOG_DOMAIN "sim-proxy"

#include "config.h"

#include <string.h>

#include "sim-proxy.h"
#include "sim-proxy-agent.h"
#include "sim-util.h"

#ifdef G_OS_UNIX
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif

/* A handshake line longer than this is not one. */
#define HANDSHAKE_MAX_LINE 8192
#define HANDSHAKE_TIMEOUT_SECONDS 10
/* Connections a public port holds before the proxy accepts them. With GLib's default
 * of 10 the kernel drops the SYNs of a burst beyond that, and each waits a second or
 * more for its retry: a thousand clients at once took 15 s or more instead of half a
 * second. The kernel caps it at net.core.somaxconn. */
#define PUBLIC_LISTEN_BACKLOG 4096

struct _SimProxy
{
  SimState        *state;
  GTlsCertificate *certificate;
  GSocketService  *control;
  GHashTable      *agents;       /* device key → SimProxyAgent */
  GHashTable      *listeners;    /* public port → GSocketService */
  GPtrArray       *handshakes;   /* pending Handshake, not owned */
  gulong           added_id;
  gulong           removed_id;
  gulong           device_removed_id;
};

typedef struct
{
  SimProxy     *proxy;        /* NULL once the proxy is gone */
  GIOStream    *connection;
  GCancellable *cancellable;
  GByteArray *line;
  guint       timeout_id;
  gboolean    done;
} Handshake;

static void
handshake_free (Handshake *handshake)
{
  if (handshake->proxy != NULL)
    g_ptr_array_remove_fast (handshake->proxy->handshakes, handshake);
  g_clear_handle_id (&handshake->timeout_id, g_source_remove);
  g_clear_object (&handshake->cancellable);
  g_clear_object (&handshake->connection);
  g_byte_array_unref (handshake->line);
  g_free (handshake);
}

static void
on_refusal_written (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GIOStream) connection = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);
  g_io_stream_close_async (connection, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

static GBytes *
reply_line (const char *first_member,
            const char *first_value,
            const char *second_member,
            const char *second_value)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  char *line;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, first_member);
  json_builder_add_string_value (builder, first_value);
  json_builder_set_member_name (builder, second_member);
  json_builder_add_string_value (builder, second_value);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  line = g_strconcat (text, "\n", NULL);
  return g_bytes_new_take (line, strlen (line));
}

/* Answers auth_failed and closes once the answer is out. */
static void
handshake_refuse (Handshake  *handshake,
                  const char *reason)
{
  GBytes *line = reply_line ("error", "auth_failed", "reason", reason);
  GOutputStream *output = g_io_stream_get_output_stream (handshake->connection);

  g_debug ("agent refused: %s", reason);
  /* The line lives as long as the write, tied to the output stream. */
  g_object_set_data_full (G_OBJECT (output), "sim-proxy-refusal", line,
                          (GDestroyNotify) g_bytes_unref);
  g_output_stream_write_all_async (output,
                                   g_bytes_get_data (line, NULL), g_bytes_get_size (line),
                                   G_PRIORITY_DEFAULT, NULL, on_refusal_written,
                                   g_object_ref (handshake->connection));
}

static void
on_agent_closed (SimProxyAgent *agent,
                 gpointer       user_data)
{
  SimProxy *self = user_data;
  const char *key = sim_proxy_agent_get_device_key (agent);

  if (g_hash_table_lookup (self->agents, key) == agent)
    g_hash_table_remove (self->agents, key);
}

static void
handshake_complete (Handshake    *handshake,
                    const guint8 *line,
                    gsize         line_len,
                    GBytes       *leftover)
{
  SimProxy *self = handshake->proxy;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) greeting = NULL;
  g_autoptr(SimProxyAgent) agent = NULL;
  SimProxyAgent *previous;
  JsonObject *object;
  JsonNode *root, *token, *name;
  SimDevice *device;

  if (!json_parser_load_from_data (parser, (const char *) line, (gssize) line_len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      handshake_refuse (handshake, "malformed handshake");
      return;
    }
  object = json_node_get_object (root);
  token = json_object_get_member (object, "token");
  name = json_object_get_member (object, "name");
  if (token == NULL || name == NULL ||
      json_node_get_value_type (token) != G_TYPE_STRING ||
      json_node_get_value_type (name) != G_TYPE_STRING)
    {
      handshake_refuse (handshake, "malformed handshake");
      return;
    }

  device = sim_state_lookup_device (self->state, json_node_get_string (name));
  if (device == NULL)
    {
      handshake_refuse (handshake, "Device not found");
      return;
    }
  if (!device->registered)
    {
      handshake_refuse (handshake, "Device not registered");
      return;
    }
  if (!sim_device_accepts_tunnel_token (device, json_node_get_string (token)))
    {
      handshake_refuse (handshake, "Invalid token");
      return;
    }

  /* One agent per device: the newcomer wins, as after a reconnect. */
  previous = g_hash_table_lookup (self->agents, device->device_key);
  if (previous != NULL)
    {
      sim_proxy_agent_close (previous, "replaced by a new connection");
      g_hash_table_remove (self->agents, device->device_key);
    }

  greeting = reply_line ("status", "authenticated", "device_key", device->device_key);
  agent = sim_proxy_agent_new (handshake->connection, device->device_key, greeting, leftover,
                               on_agent_closed, self);
  if (!sim_proxy_agent_is_closed (agent))
    {
      g_debug ("agent %s connected", device->device_key);
      g_hash_table_insert (self->agents, g_strdup (device->device_key),
                           g_steal_pointer (&agent));
    }
}

static void handshake_read (Handshake *handshake);

static void
on_handshake_read (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Handshake *handshake = user_data;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *newline;
  gsize scanned;

  data = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (handshake->done || data == NULL || g_bytes_get_size (data) == 0)
    {
      /* Timed out, cancelled with the proxy, or the agent went away. */
      if (!handshake->done)
        g_io_stream_close_async (handshake->connection, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      handshake_free (handshake);
      return;
    }

  scanned = handshake->line->len;
  g_byte_array_append (handshake->line, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  newline = memchr (handshake->line->data + scanned, '\n', handshake->line->len - scanned);
  if (newline == NULL)
    {
      if (handshake->line->len <= HANDSHAKE_MAX_LINE)
        {
          handshake_read (handshake);
          return;
        }
      handshake_refuse (handshake, "malformed handshake");
      handshake_free (handshake);
      return;
    }

  {
    gsize line_len = (gsize) (newline - handshake->line->data);
    g_autoptr(GBytes) leftover = g_bytes_new (newline + 1,
                                              handshake->line->len - line_len - 1);

    handshake_complete (handshake, handshake->line->data, line_len, leftover);
  }
  handshake_free (handshake);
}

static void
handshake_read (Handshake *handshake)
{
  GInputStream *input = g_io_stream_get_input_stream (handshake->connection);

  g_input_stream_read_bytes_async (input, 4096, G_PRIORITY_DEFAULT,
                                   handshake->cancellable,
                                   on_handshake_read, handshake);
}

static void
on_tls_handshake (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Handshake *handshake = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error) ||
      handshake->done)
    {
      g_debug ("TLS handshake with an agent failed: %s",
               error != NULL ? error->message : "timed out");
      g_io_stream_close_async (handshake->connection, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      handshake_free (handshake);
      return;
    }
  handshake_read (handshake);
}

/* A silent client must not hold a connection forever. */
static gboolean
on_handshake_timeout (gpointer user_data)
{
  Handshake *handshake = user_data;

  handshake->timeout_id = 0;
  handshake->done = TRUE;
  g_cancellable_cancel (handshake->cancellable);
  g_io_stream_close_async (handshake->connection, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  return G_SOURCE_REMOVE;
}

/* A relay forwards small interactive writes as they come, like the real proxy. */
static void
set_nodelay (GSocketConnection *connection)
{
#ifdef G_OS_UNIX
  g_socket_set_option (g_socket_connection_get_socket (connection),
                       IPPROTO_TCP, TCP_NODELAY, 1, NULL);
#endif
}

static gboolean
on_control_incoming (GSocketService    *service,
                     GSocketConnection *connection,
                     GObject           *source_object,
                     gpointer           user_data)
{
  SimProxy *self = user_data;
  Handshake *handshake = g_new0 (Handshake, 1);
  g_autoptr(GError) error = NULL;

  set_nodelay (connection);
  handshake->proxy = self;
  handshake->cancellable = g_cancellable_new ();
  handshake->line = g_byte_array_new ();
  g_ptr_array_add (self->handshakes, handshake);
  handshake->timeout_id = g_timeout_add_seconds (HANDSHAKE_TIMEOUT_SECONDS,
                                                 on_handshake_timeout, handshake);

  if (self->certificate == NULL)
    {
      handshake->connection = g_object_ref (G_IO_STREAM (connection));
      handshake_read (handshake);
      return TRUE;
    }

  handshake->connection = g_tls_server_connection_new (G_IO_STREAM (connection),
                                                       self->certificate, &error);
  if (handshake->connection == NULL)
    {
      g_debug ("cannot start TLS with an agent: %s", error->message);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      handshake_free (handshake);
      return TRUE;
    }
  g_tls_connection_handshake_async (G_TLS_CONNECTION (handshake->connection),
                                    G_PRIORITY_DEFAULT, handshake->cancellable,
                                    on_tls_handshake, handshake);
  return TRUE;
}

/* Public side */

static gboolean
on_public_incoming (GSocketService    *service,
                    GSocketConnection *connection,
                    GObject           *source_object,
                    gpointer           user_data)
{
  SimProxy *self = user_data;
  g_autoptr(GSocketAddress) local = NULL;
  SimReservation *reservation = NULL;
  SimProxyAgent *agent = NULL;

  local = g_socket_connection_get_local_address (connection, NULL);
  if (local != NULL)
    reservation = sim_state_lookup_reservation (
        self->state, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
  if (reservation != NULL)
    agent = g_hash_table_lookup (self->agents, reservation->device_key);

  if (agent == NULL)
    {
      g_debug ("public connection without a connected agent: closed");
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  set_nodelay (connection);
  sim_proxy_agent_open_stream (agent, connection, reservation->local_port);
  return TRUE;
}

static void
listener_free (GSocketService *service)
{
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  g_object_unref (service);
}

static void
on_reservation_added (SimState       *state,
                      SimReservation *reservation,
                      gpointer        user_data)
{
  SimProxy *self = user_data;
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GError) error = NULL;

  if (reservation->socket == NULL ||
      g_hash_table_contains (self->listeners, GUINT_TO_POINTER (reservation->public_port)))
    return;

  g_socket_set_listen_backlog (reservation->socket, PUBLIC_LISTEN_BACKLOG);
  if (!g_socket_listen (reservation->socket, &error))
    {
      g_printerr ("meeting-sim: cannot listen on public port %u: %s\n",
                  reservation->public_port, error->message);
      return;
    }
  service = g_socket_service_new ();
  if (!g_socket_listener_add_socket (G_SOCKET_LISTENER (service), reservation->socket,
                                     NULL, &error))
    {
      g_printerr ("meeting-sim: cannot accept on public port %u: %s\n",
                  reservation->public_port, error->message);
      return;
    }
  g_signal_connect (service, "incoming", G_CALLBACK (on_public_incoming), self);
  g_socket_service_start (service);
  g_hash_table_insert (self->listeners, GUINT_TO_POINTER (reservation->public_port),
                       g_steal_pointer (&service));
  g_debug ("public port %u open for %s (%s → %u)", reservation->public_port,
           reservation->device_key, reservation->service, reservation->local_port);
}

/* Streams already carried stay up: only new connections are refused. */
static void
on_reservation_removed (SimState       *state,
                        SimReservation *reservation,
                        gpointer        user_data)
{
  SimProxy *self = user_data;

  g_hash_table_remove (self->listeners, GUINT_TO_POINTER (reservation->public_port));
}

static void
on_device_removed (SimState   *state,
                   const char *device_key,
                   gpointer    user_data)
{
  SimProxy *self = user_data;
  SimProxyAgent *agent = g_hash_table_lookup (self->agents, device_key);

  if (agent == NULL)
    return;
  sim_proxy_agent_close (agent, "device removed");
  g_hash_table_remove (self->agents, device_key);
}

SimProxy *
sim_proxy_new (SimState        *state,
               GTlsCertificate *certificate)
{
  SimProxy *self = g_new0 (SimProxy, 1);

  self->state = g_object_ref (state);
  self->certificate = certificate != NULL ? g_object_ref (certificate) : NULL;
  self->handshakes = g_ptr_array_new ();
  self->agents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) sim_proxy_agent_unref);
  self->listeners = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) listener_free);
  return self;
}

void
sim_proxy_free (SimProxy *self)
{
  GHashTableIter iter;
  gpointer agent;

  if (self == NULL)
    return;

  /* Their callbacks run later, if ever: they must not touch the proxy. */
  for (guint i = 0; i < self->handshakes->len; i++)
    {
      Handshake *handshake = g_ptr_array_index (self->handshakes, i);

      handshake->proxy = NULL;
      handshake->done = TRUE;
      g_cancellable_cancel (handshake->cancellable);
    }
  g_ptr_array_unref (self->handshakes);
  g_clear_signal_handler (&self->added_id, self->state);
  g_clear_signal_handler (&self->removed_id, self->state);
  g_clear_signal_handler (&self->device_removed_id, self->state);
  if (self->control != NULL)
    {
      g_socket_service_stop (self->control);
      g_socket_listener_close (G_SOCKET_LISTENER (self->control));
      g_clear_object (&self->control);
    }

  g_hash_table_iter_init (&iter, self->agents);
  while (g_hash_table_iter_next (&iter, NULL, &agent))
    sim_proxy_agent_close (agent, "proxy stopped");
  g_hash_table_unref (self->agents);
  g_hash_table_unref (self->listeners);
  g_clear_object (&self->certificate);
  g_clear_object (&self->state);
  g_free (self);
}

gboolean
sim_proxy_listen (SimProxy  *self,
                  guint16    port,
                  guint16   *bound_port,
                  GError   **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GSocketAddress) effective = NULL;
  GPtrArray *reservations;

  g_return_val_if_fail (self->control == NULL, FALSE);

  self->control = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->control), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, error))
    {
      g_clear_object (&self->control);
      return FALSE;
    }
  g_signal_connect (self->control, "incoming", G_CALLBACK (on_control_incoming), self);
  g_socket_service_start (self->control);
  if (bound_port != NULL)
    *bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));

  self->added_id = g_signal_connect (self->state, "reservation-added",
                                     G_CALLBACK (on_reservation_added), self);
  self->removed_id = g_signal_connect (self->state, "reservation-removed",
                                       G_CALLBACK (on_reservation_removed), self);
  self->device_removed_id = g_signal_connect (self->state, "device-removed",
                                              G_CALLBACK (on_device_removed), self);
  reservations = sim_state_get_reservations (self->state);
  for (guint i = 0; i < reservations->len; i++)
    on_reservation_added (self->state, g_ptr_array_index (reservations, i), self);
  return TRUE;
}

static void
handle_describe (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  SimProxy *self = user_data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GList) keys = NULL;
  g_autoptr(GList) ports = NULL;

  if (!g_str_equal (path, "/__sim/proxy"))
    {
      sim_respond_no_route (msg);
      return;
    }
  if (!g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_GET))
    {
      sim_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method not allowed");
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "agents");
  json_builder_begin_array (builder);
  keys = g_list_sort (g_hash_table_get_keys (self->agents), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    sim_proxy_agent_describe (g_hash_table_lookup (self->agents, l->data), builder);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "public_ports");
  json_builder_begin_array (builder);
  ports = g_hash_table_get_keys (self->listeners);
  for (GList *l = ports; l != NULL; l = l->next)
    json_builder_add_int_value (builder, GPOINTER_TO_UINT (l->data));
  json_builder_end_array (builder);
  sim_respond_builder (msg, SOUP_STATUS_OK, builder);
}

void
sim_proxy_attach (SimProxy   *self,
                  SoupServer *soup_server)
{
  soup_server_add_handler (soup_server, "/__sim/proxy", handle_describe, self, NULL);
}
