/* sim-server.c: dispatch of every request of meeting-sim, with the faults applied
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sim-server"

#include "config.h"

#include <string.h>

#include "sim-server.h"
#include "sim-util.h"

#define OVERSIZED_BYTES (4 * 1024 * 1024)

SimServer *
sim_server_new (SimState   *state,
                gboolean    no_register_endpoint,
                const char *certificate_pem)
{
  SimServer *server = g_new0 (SimServer, 1);

  server->state = g_object_ref (state);
  server->no_register_endpoint = no_register_endpoint;
  server->certificate_pem = g_strdup (certificate_pem);
  server->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  server->faults = g_ptr_array_new_with_free_func ((GDestroyNotify) sim_fault_free);
  server->next_fault_id = 1;
  return server;
}

void
sim_server_free (SimServer *server)
{
  if (server == NULL)
    return;
  g_ptr_array_unref (server->faults);
  g_ptr_array_unref (server->requests);
  g_free (server->certificate_pem);
  g_object_unref (server->state);
  g_free (server);
}

gboolean
sim_request_is (SimRequest  *request,
                const char  *method,
                const char  *pattern,
                const char **capture)
{
  g_auto(GStrv) parts = NULL;
  const char *captured = NULL;

  if (g_strcmp0 (request->method, method) != 0)
    return FALSE;

  parts = g_strsplit (pattern, "/", -1);
  if (g_strv_length (parts) != request->n_segments)
    return FALSE;

  for (guint i = 0; i < request->n_segments; i++)
    {
      if (g_str_equal (parts[i], "*"))
        {
          if (request->segments[i][0] == '\0')
            return FALSE;
          if (captured == NULL)
            captured = request->segments[i];
        }
      else if (!g_str_equal (parts[i], request->segments[i]))
        return FALSE;
    }

  if (capture != NULL)
    *capture = captured;
  return TRUE;
}

SimDevice *
sim_request_lookup_device (SimRequest *request,
                           const char *device_key)
{
  SimDevice *device = sim_state_lookup_device (request->server->state, device_key);

  if (device == NULL)
    sim_respond_error (request->msg, SOUP_STATUS_NOT_FOUND, "Device not found");
  return device;
}

/* A delayed answer holds the message paused; the client may go away first. */
typedef struct
{
  SoupServerMessage *msg;
  guint              source_id;
  gulong             finished_id;
} DelayedReply;

static void
delayed_reply_free (DelayedReply *reply)
{
  g_clear_handle_id (&reply->source_id, g_source_remove);
  g_clear_signal_handler (&reply->finished_id, reply->msg);
  g_object_unref (reply->msg);
  g_free (reply);
}

static gboolean
on_delay_elapsed (gpointer user_data)
{
  DelayedReply *reply = user_data;

  reply->source_id = 0;
  soup_server_message_unpause (reply->msg);
  delayed_reply_free (reply);
  return G_SOURCE_REMOVE;
}

static void
on_delayed_message_finished (SoupServerMessage *msg,
                             gpointer           user_data)
{
  delayed_reply_free (user_data);
}

static void
delay_reply (SoupServerMessage *msg,
             guint              delay_ms)
{
  DelayedReply *reply = g_new0 (DelayedReply, 1);

  reply->msg = g_object_ref (msg);
  reply->finished_id = g_signal_connect (msg, "finished",
                                         G_CALLBACK (on_delayed_message_finished), reply);
  reply->source_id = g_timeout_add (delay_ms, on_delay_elapsed, reply);
  soup_server_message_pause (msg);
}

static void
drop_connection (SoupServerMessage *msg)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}

static void
respond_oversized (SoupServerMessage *msg)
{
  static const char head[] = "{\"padding\":\"";
  static const char tail[] = "\"}";
  gsize length = OVERSIZED_BYTES;
  char *body = g_malloc (length);

  memcpy (body, head, strlen (head));
  memset (body + strlen (head), 'x', length - strlen (head) - strlen (tail));
  memcpy (body + length - strlen (tail), tail, strlen (tail));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, length);
}

static void
route (SimRequest *request)
{
  if (request->n_segments > 0 && g_str_equal (request->segments[0], "__sim"))
    {
      if (!sim_routes_debug (request))
        sim_respond_no_route (request->msg);
      return;
    }

  if (!sim_routes_devices (request) && !sim_routes_tunnels (request))
    sim_respond_no_route (request->msg);
}

/* Answers @request as @fault says instead of (or, for a delay, besides) the route. */
static void
apply_fault (SimRequest *request,
             SimFault   *fault)
{
  SoupServerMessage *msg = request->msg;

  if (fault->drop)
    {
      drop_connection (msg);
      return;
    }

  if (fault->status != 0)
    sim_respond_text (msg, fault->status,
                      fault->content_type != NULL ? fault->content_type : "application/json",
                      fault->body != NULL ? fault->body : "");
  else if (fault->malformed)
    sim_respond_text (msg, SOUP_STATUS_OK, "application/json",
                      "{\"ok\":true,\"ip_address\":\"127.0.0.1\",\"last_seen\":");
  else if (fault->oversized)
    respond_oversized (msg);
  else
    route (request);

  if (fault->delay_ms > 0)
    delay_reply (msg, fault->delay_ms);
}

static void
handle_request (SoupServer        *soup_server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  SimServer *server = user_data;
  g_auto(GStrv) segments = NULL;
  g_autoptr(SimFault) fault = NULL;
  SimRequest request = {
    .server = server,
    .msg = msg,
    .method = soup_server_message_get_method (msg),
    .path = path,
    .query = query,
  };

  /* libsoup hands the path over already percent-decoded: the segments are
   * the device keys as the client meant them. */
  segments = g_strsplit (path[0] == '/' ? path + 1 : path, "/", -1);
  request.segments = segments;
  request.n_segments = g_strv_length (segments);

  g_debug ("%s %s", request.method, path);

  if (!g_str_has_prefix (path, "/__sim/"))
    {
      sim_debug_record_request (server, &request);
      fault = sim_debug_take_fault (server, &request);
      if (fault != NULL)
        {
          apply_fault (&request, fault);
          return;
        }
    }

  route (&request);
}

void
sim_server_attach (SimServer  *server,
                   SoupServer *soup_server)
{
  soup_server_add_handler (soup_server, NULL, handle_request, server, NULL);
}
