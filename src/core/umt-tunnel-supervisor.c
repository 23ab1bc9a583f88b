/* umt-tunnel-supervisor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-tunnel-supervisor"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#ifdef G_OS_UNIX
# include <signal.h>
#endif

#include <glib/gi18n-lib.h>

#include "umt-connectivity.h"
#include "umt-enums.h"
#include "umt-log.h"
#include "umt-secret-store.h"
#include "umt-tunnel-agent-process.h"
#include "umt-tunnel-supervisor-private.h"

/* What the agent is given, copied from the profile so that a later edit of
 * the profile is noticed as a change. */
typedef struct
{
  gboolean  enabled;
  char     *proxy_host;
  guint     proxy_port;
  gboolean  tls;
  gboolean  verify_tls;
  GArray   *port_map; /* UmtTunnelPortMapping */
} Settings;

struct _UmtTunnelSupervisor
{
  GObject          parent_instance;

  char            *device_key;
  Settings         settings;
  gboolean         wanted;       /* start() was called, stop() was not */
  guint            generation;   /* bumped on every stop: late callbacks see it */
  UmtTunnelAgentProcess *agent;
  gint64           agent_started_at;
  guint            restart_id;
  guint            restarts;     /* consecutive, for the backoff */
  UmtConnectivity *connectivity;
  gulong           back_id;

  UmtTunnelState   state;
  guint            open_streams;
  guint64          bytes_in;
  guint64          bytes_out;
  guint64          agent_base_in;  /* the counters when the running agent started */
  guint64          agent_base_out;
  char            *last_error;
  GDateTime       *retry_at;
  GPid             owner_pid;    /* another process that runs the tunnel, 0 when none */
  char            *owner_program;
};

G_DEFINE_FINAL_TYPE (UmtTunnelSupervisor, umt_tunnel_supervisor, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_ENABLED,
  PROP_DEVICE_KEY,
  PROP_OPEN_STREAMS,
  PROP_BYTES_IN,
  PROP_BYTES_OUT,
  PROP_LAST_ERROR,
  PROP_RETRY_AT,
  PROP_AGENT_PID,
  PROP_OWNER_PID,
  PROP_OWNER_PROGRAM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const state_names[] = {
  "disabled", "stopped", "starting", "connecting", "connected", "auth-failed", "retrying",
  "restarting",
};

G_STATIC_ASSERT (G_N_ELEMENTS (state_names) == UMT_TUNNEL_STATE_RESTARTING + 1);

static void start_agent (UmtTunnelSupervisor *self);

const char *
umt_tunnel_state_to_string (UmtTunnelState state)
{
  g_return_val_if_fail (state <= UMT_TUNNEL_STATE_RESTARTING, "disabled");
  return state_names[state];
}

UmtTunnelState
umt_tunnel_state_from_string (const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (text, state_names[i]) == 0)
      return i;
  return UMT_TUNNEL_STATE_DISABLED;
}

/* Properties */

static void
notify (UmtTunnelSupervisor *self,
        guint                prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_state (UmtTunnelSupervisor *self,
           UmtTunnelState       state)
{
  if (self->state == state)
    return;
  g_debug ("Tunnel %s → %s", state_names[self->state], state_names[state]);
  self->state = state;
  notify (self, PROP_STATE);
}

static void
set_last_error (UmtTunnelSupervisor *self,
                const char          *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  notify (self, PROP_LAST_ERROR);
}

static void
set_retry_in (UmtTunnelSupervisor *self,
              double               seconds)
{
  g_autoptr(GDateTime) now = NULL;

  if (seconds < 0)
    {
      if (self->retry_at == NULL)
        return;
      g_clear_pointer (&self->retry_at, g_date_time_unref);
    }
  else
    {
      now = g_date_time_new_now_local ();
      g_clear_pointer (&self->retry_at, g_date_time_unref);
      self->retry_at = g_date_time_add (now, (GTimeSpan) (seconds * G_USEC_PER_SEC));
    }
  notify (self, PROP_RETRY_AT);
}

static void
set_open_streams (UmtTunnelSupervisor *self,
                  guint                count)
{
  if (self->open_streams == count)
    return;
  self->open_streams = count;
  notify (self, PROP_OPEN_STREAMS);
}

/* Settings */

static void
settings_clear (Settings *settings)
{
  g_clear_pointer (&settings->proxy_host, g_free);
  g_clear_pointer (&settings->port_map, g_array_unref);
  settings->enabled = FALSE;
}

static gboolean
settings_equal (const Settings *a,
                const Settings *b)
{
  if (a->enabled != b->enabled || g_strcmp0 (a->proxy_host, b->proxy_host) != 0 ||
      a->proxy_port != b->proxy_port || a->tls != b->tls || a->verify_tls != b->verify_tls)
    return FALSE;
  if ((a->port_map == NULL) != (b->port_map == NULL))
    return FALSE;
  if (a->port_map == NULL)
    return TRUE;
  return a->port_map->len == b->port_map->len &&
         memcmp (a->port_map->data, b->port_map->data,
                 a->port_map->len * sizeof (UmtTunnelPortMapping)) == 0;
}

/* The configuration line. Holds the token: the caller wipes it. */
static char *
settings_to_config_line (const Settings *settings,
                         const char     *device_key,
                         const char     *token)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device_key");
  json_builder_add_string_value (builder, device_key);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  json_builder_set_member_name (builder, "proxy_host");
  json_builder_add_string_value (builder, settings->proxy_host);
  json_builder_set_member_name (builder, "proxy_port");
  json_builder_add_int_value (builder, settings->proxy_port);
  json_builder_set_member_name (builder, "tls");
  json_builder_add_boolean_value (builder, settings->tls);
  json_builder_set_member_name (builder, "verify_tls");
  json_builder_add_boolean_value (builder, settings->verify_tls);
  /* Only the ports the user enabled: the agent refuses any other. A service that listens
   * elsewhere than the port the server asks for goes into port_map. */
  json_builder_set_member_name (builder, "allowed_ports");
  json_builder_begin_array (builder);
  for (guint i = 0; i < settings->port_map->len; i++)
    {
      const UmtTunnelPortMapping *mapping = &g_array_index (settings->port_map,
                                                            UmtTunnelPortMapping, i);

      if (mapping->requested == mapping->local)
        json_builder_add_int_value (builder, mapping->local);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "port_map");
  json_builder_begin_object (builder);
  for (guint i = 0; i < settings->port_map->len; i++)
    {
      const UmtTunnelPortMapping *mapping = &g_array_index (settings->port_map,
                                                            UmtTunnelPortMapping, i);
      char requested[8];

      if (mapping->requested == mapping->local)
        continue;
      g_snprintf (requested, sizeof requested, "%u", mapping->requested);
      json_builder_set_member_name (builder, requested);
      json_builder_add_int_value (builder, mapping->local);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static gboolean
on_restart (gpointer data)
{
  UmtTunnelSupervisor *self = data;

  self->restart_id = 0;
  start_agent (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_restart (UmtTunnelSupervisor *self,
                  const char          *reason)
{
  guint delay = MIN (UMT_TUNNEL_RESTART_MAX_SECONDS, 1u << MIN (self->restarts, 6u));

  self->restarts++;
  UMT_LOG_WARNING ("%s; starting it again in %u s", reason, delay);
  g_object_freeze_notify (G_OBJECT (self));
  set_state (self, UMT_TUNNEL_STATE_RESTARTING);
  set_last_error (self, reason);
  set_retry_in (self, delay);
  g_object_thaw_notify (G_OBJECT (self));
  g_clear_handle_id (&self->restart_id, g_source_remove);
  self->restart_id = g_timeout_add_seconds (delay, on_restart, self);
}

/* The agent */

static void
drop_agent (UmtTunnelSupervisor *self)
{
  g_autoptr(UmtTunnelAgentProcess) agent = g_steal_pointer (&self->agent);

  if (agent == NULL)
    return;
  umt_tunnel_agent_process_let_go (agent, UMT_TUNNEL_STOP_GRACE_MS);
  set_open_streams (self, 0);
  notify (self, PROP_AGENT_PID);
}

static void
on_agent_exited (UmtTunnelAgentProcess *agent,
                 const char            *how,
                 UmtTunnelSupervisor   *self)
{
  g_autofree char *reason = NULL;

  if (self->agent != agent)
    return;
  if (g_get_monotonic_time () - self->agent_started_at >= UMT_TUNNEL_HEALTHY_SECONDS * G_USEC_PER_SEC)
    self->restarts = 0;
  g_clear_object (&self->agent);
  set_open_streams (self, 0);
  notify (self, PROP_AGENT_PID);
  reason = g_strdup_printf (_("The tunnel agent stopped unexpectedly (%s)"), how);
  schedule_restart (self, reason);
}

/* Events */

static gint64
event_int (JsonObject *event,
           const char *name)
{
  JsonNode *node = json_object_get_member (event, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return MAX (json_node_get_int (node), 0);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64) MAX (json_node_get_double (node), 0);
  return 0;
}

static double
event_seconds (JsonObject *event,
               const char *name)
{
  JsonNode *node = json_object_get_member (event, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return json_node_get_double (node);
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return (double) json_node_get_int (node);
  return -1;
}

static void
on_agent_event (UmtTunnelAgentProcess *agent,
                JsonObject            *event,
                UmtTunnelSupervisor   *self)
{
  const char *name = json_object_get_string_member_with_default (event, "event", "");
  const char *reason = json_object_get_string_member_with_default (event, "reason", NULL);

  g_object_freeze_notify (G_OBJECT (self));
  if (g_str_equal (name, "connecting"))
    {
      /* A refused token stays the story while the agent keeps trying it. */
      if (self->state != UMT_TUNNEL_STATE_AUTH_FAILED)
        set_state (self, UMT_TUNNEL_STATE_CONNECTING);
      set_retry_in (self, -1);
    }
  else if (g_str_equal (name, "connected"))
    {
      g_message ("Tunnel connected to %s:%u", self->settings.proxy_host, self->settings.proxy_port);
      set_state (self, UMT_TUNNEL_STATE_CONNECTED);
      set_last_error (self, NULL);
      set_retry_in (self, -1);
    }
  else if (g_str_equal (name, "auth-failed"))
    {
      g_autofree char *message =
        g_strdup_printf (_("The tunnel proxy refused this device's token: %s"),
                         reason != NULL ? reason : _("no reason given"));

      UMT_LOG_WARNING ("%s", message);
      set_state (self, UMT_TUNNEL_STATE_AUTH_FAILED);
      set_last_error (self, message);
    }
  else if (g_str_equal (name, "disconnected"))
    {
      if (self->state != UMT_TUNNEL_STATE_AUTH_FAILED)
        {
          g_autofree char *message =
            g_strdup_printf (_("The tunnel is disconnected: %s"),
                             reason != NULL ? reason : _("unknown reason"));

          set_state (self, UMT_TUNNEL_STATE_RETRYING);
          set_last_error (self, message);
        }
      set_open_streams (self, 0);
      set_retry_in (self, event_seconds (event, "retry_in"));
    }
  else if (g_str_equal (name, "stream-opened"))
    set_open_streams (self, self->open_streams + 1);
  else if (g_str_equal (name, "stream-closed"))
    {
      if (self->open_streams > 0)
        set_open_streams (self, self->open_streams - 1);
    }
  else if (g_str_equal (name, "traffic"))
    {
      /* The agent's totals since it started, open streams included. */
      self->bytes_in = self->agent_base_in + (guint64) event_int (event, "bytes_in");
      self->bytes_out = self->agent_base_out + (guint64) event_int (event, "bytes_out");
      notify (self, PROP_BYTES_IN);
      notify (self, PROP_BYTES_OUT);
    }
  else if (g_str_equal (name, "stream-refused"))
    g_message ("The tunnel refused a connection to local port %" G_GINT64_FORMAT
               ": it is not among the exposed services", event_int (event, "port"));
  g_object_thaw_notify (G_OBJECT (self));
}

static void
spawn_agent (UmtTunnelSupervisor *self,
             const char          *token)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = settings_to_config_line (&self->settings, self->device_key, token);

  self->agent = umt_tunnel_agent_process_spawn (config, &error);
  memset (config, 0, strlen (config));
  if (self->agent == NULL)
    {
      schedule_restart (self, error->message);
      return;
    }
  self->agent_started_at = g_get_monotonic_time ();
  self->agent_base_in = self->bytes_in;
  self->agent_base_out = self->bytes_out;
  /* Lines read after its exit still count; none once the supervisor is gone. */
  g_signal_connect_object (self->agent, "event", G_CALLBACK (on_agent_event), self, 0);
  g_signal_connect_object (self->agent, "exited", G_CALLBACK (on_agent_exited), self, 0);

  g_message ("Tunnel agent started (process %d) for %s:%u, ports reachable: %u",
             (int) umt_tunnel_agent_process_get_pid (self->agent), self->settings.proxy_host,
             self->settings.proxy_port, self->settings.port_map->len);
  g_object_freeze_notify (G_OBJECT (self));
  set_state (self, UMT_TUNNEL_STATE_CONNECTING);
  notify (self, PROP_AGENT_PID);
  g_object_thaw_notify (G_OBJECT (self));
}

typedef struct
{
  UmtTunnelSupervisor *self;
  guint                generation;
} Lookup;

static void
on_token (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  Lookup *lookup = data;
  g_autoptr(UmtTunnelSupervisor) self = lookup->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = umt_secret_store_lookup_tunnel_token_finish (result, NULL, &error);
  g_autofree char *message = NULL;
  guint generation = lookup->generation;

  g_free (lookup);
  umt_log_add_secret (token);
  if (generation != self->generation || self->state != UMT_TUNNEL_STATE_STARTING)
    goto out;

  if (token == NULL)
    {
      message = error != NULL
        ? g_strdup_printf (_("The tunnel token cannot be read from the keyring: %s"), error->message)
        : g_strdup (_("No tunnel token is kept in the keyring for this device; register it "
                      "again."));
      UMT_LOG_WARNING ("%s", message);
      g_object_freeze_notify (G_OBJECT (self));
      set_state (self, UMT_TUNNEL_STATE_STOPPED);
      set_last_error (self, message);
      g_object_thaw_notify (G_OBJECT (self));
      goto out;
    }
  spawn_agent (self, token);

out:
  if (token != NULL)
    memset (token, 0, strlen (token));
}

static void
start_agent (UmtTunnelSupervisor *self)
{
  Lookup *lookup;

  g_clear_handle_id (&self->restart_id, g_source_remove);
  drop_agent (self);

  g_object_freeze_notify (G_OBJECT (self));
  set_state (self, UMT_TUNNEL_STATE_STARTING);
  set_retry_in (self, -1);
  g_object_thaw_notify (G_OBJECT (self));

  lookup = g_new0 (Lookup, 1);
  lookup->self = g_object_ref (self);
  lookup->generation = ++self->generation;
  umt_secret_store_lookup_tunnel_token_async (self->device_key, NULL, on_token, lookup);
}

/* Stops whatever runs; the state says why nothing does. */
static void
halt (UmtTunnelSupervisor *self)
{
  self->generation++;
  g_clear_handle_id (&self->restart_id, g_source_remove);
  drop_agent (self);
  self->restarts = 0;

  g_object_freeze_notify (G_OBJECT (self));
  set_state (self, umt_tunnel_supervisor_get_enabled (self) ? UMT_TUNNEL_STATE_STOPPED
                                                            : UMT_TUNNEL_STATE_DISABLED);
  set_open_streams (self, 0);
  set_retry_in (self, -1);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
on_connectivity_back (UmtConnectivity     *connectivity,
                      const char          *why,
                      UmtTunnelSupervisor *self)
{
  g_message ("Reconnecting the tunnel: %s", why);
  umt_tunnel_supervisor_reconnect (self);
}

/* Public API */

void
umt_tunnel_supervisor_configure (UmtTunnelSupervisor *self,
                                 const char          *device_key,
                                 const char          *server_url,
                                 UmtProfile          *profile)
{
  Settings settings = { 0, };
  gboolean changed;

  g_return_if_fail (UMT_IS_TUNNEL_SUPERVISOR (self));
  g_return_if_fail (profile == NULL || UMT_IS_PROFILE (profile));

  if (profile != NULL)
    {
      settings.enabled = umt_profile_get_tunnel_enabled (profile);
      settings.proxy_host = umt_profile_dup_tunnel_proxy_host_in_use (profile, server_url);
      settings.proxy_port = umt_profile_get_tunnel_proxy_port (profile);
      settings.tls = umt_profile_get_tunnel_tls (profile);
      settings.verify_tls = umt_profile_get_tunnel_verify_tls (profile);
      settings.port_map = umt_profile_dup_tunnel_port_map (profile);
    }
  /* No host, nothing to connect to. */
  if (settings.proxy_host == NULL)
    settings.enabled = FALSE;

  changed = g_strcmp0 (device_key, self->device_key) != 0 ||
            !settings_equal (&settings, &self->settings);
  settings_clear (&self->settings);
  self->settings = settings;

  if (g_strcmp0 (device_key, self->device_key) != 0)
    {
      g_free (self->device_key);
      self->device_key = g_strdup (device_key);
      notify (self, PROP_DEVICE_KEY);
    }
  notify (self, PROP_ENABLED);

  if (!umt_tunnel_supervisor_get_enabled (self) || !self->wanted)
    halt (self);
  else if (changed || (self->agent == NULL && self->state != UMT_TUNNEL_STATE_STARTING &&
                       self->restart_id == 0))
    start_agent (self);
}

void
umt_tunnel_supervisor_start (UmtTunnelSupervisor *self)
{
  g_return_if_fail (UMT_IS_TUNNEL_SUPERVISOR (self));

  if (self->connectivity == NULL)
    {
      self->connectivity = umt_connectivity_new ();
      self->back_id = g_signal_connect (self->connectivity, "back",
                                        G_CALLBACK (on_connectivity_back), self);
    }

  self->wanted = TRUE;
  /* This process runs the tunnel now: no other owner to show. */
  umt_tunnel_supervisor_mirror (self, NULL);
  if (!umt_tunnel_supervisor_get_enabled (self))
    {
      halt (self);
      return;
    }
  if (self->agent == NULL && self->state != UMT_TUNNEL_STATE_STARTING)
    start_agent (self);
}

void
umt_tunnel_supervisor_stop (UmtTunnelSupervisor *self)
{
  g_return_if_fail (UMT_IS_TUNNEL_SUPERVISOR (self));

  self->wanted = FALSE;
  g_clear_signal_handler (&self->back_id, self->connectivity);
  g_clear_object (&self->connectivity);
  if (self->agent != NULL)
    g_message ("Stopping the tunnel agent (process %d)",
               (int) umt_tunnel_agent_process_get_pid (self->agent));
  halt (self);
}

void
umt_tunnel_supervisor_reconnect (UmtTunnelSupervisor *self)
{
  g_return_if_fail (UMT_IS_TUNNEL_SUPERVISOR (self));

  /* The agent is the owner's: ask it. */
  if (self->owner_pid != 0)
    {
      g_autoptr(GError) error = NULL;

      if (!umt_tunnel_status_request_reconnect (&error))
        g_message ("Cannot ask process %d to reconnect the tunnel: %s", (int) self->owner_pid,
                   error->message);
      return;
    }
  if (!self->wanted || !umt_tunnel_supervisor_get_enabled (self))
    return;
  self->restarts = 0;
  if (self->agent != NULL)
    umt_tunnel_agent_process_send (self->agent, "{\"cmd\":\"reconnect\"}");
  else if (self->state != UMT_TUNNEL_STATE_STARTING)
    start_agent (self);
}

UmtTunnelState
umt_tunnel_supervisor_get_state (UmtTunnelSupervisor *self)
{
  g_return_val_if_fail (UMT_IS_TUNNEL_SUPERVISOR (self), UMT_TUNNEL_STATE_DISABLED);
  return self->state;
}

gboolean
umt_tunnel_supervisor_get_enabled (UmtTunnelSupervisor *self)
{
  g_return_val_if_fail (UMT_IS_TUNNEL_SUPERVISOR (self), FALSE);
  return self->settings.enabled && self->device_key != NULL;
}

const char *
umt_tunnel_supervisor_get_device_key (UmtTunnelSupervisor *self)
{
  g_return_val_if_fail (UMT_IS_TUNNEL_SUPERVISOR (self), NULL);
  return self->device_key;
}

guint
umt_tunnel_supervisor_get_open_streams (UmtTunnelSupervisor *self)
{
  g_return_val_if_fail (UMT_IS_TUNNEL_SUPERVISOR (self), 0);
  return self->open_streams;
}

guint64
umt_tunnel_supervisor_get_bytes_in (UmtTunnelSupervisor *self)
{
  g_return_val_if_fail (UMT_IS_TUNNEL_SUPERVISOR (self), 0);
  return self->bytes_in;
}

guint64
umt_tunnel_supervisor_get_bytes_out (UmtTunnelSupervisor *self)
{
  g_return_val_if_fail (UMT_IS_TUNNEL_SUPERVISOR (self), 0);
  return self->bytes_out;
}

const char *
umt_tunnel_supervisor_get_last_error (UmtTunnelSupervisor *self)
{
  g_return_val_if_fail (UMT_IS_TUNNEL_SUPERVISOR (self), NULL);
  return self->last_error;
}

GDateTime *
umt_tunnel_supervisor_get_retry_at (UmtTunnelSupervisor *self)
{
  g_return_val_if_fail (UMT_IS_TUNNEL_SUPERVISOR (self), NULL);
  return self->retry_at;
}

void
umt_tunnel_supervisor_mirror (UmtTunnelSupervisor   *self,
                              const UmtTunnelStatus *status)
{
  GPid owner_pid = status != NULL && status->owner_alive ? status->pid : 0;
  const char *owner_program = owner_pid != 0 ? status->program : NULL;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->owner_pid != owner_pid)
    {
      self->owner_pid = owner_pid;
      notify (self, PROP_OWNER_PID);
    }
  if (g_strcmp0 (self->owner_program, owner_program) != 0)
    {
      g_free (self->owner_program);
      self->owner_program = g_strdup (owner_program);
      notify (self, PROP_OWNER_PROGRAM);
    }
  if (status != NULL)
    {
      /* An owner gone without a last word left its agent's state behind. */
      if (owner_pid != 0)
        set_state (self, status->state);
      else
        set_state (self, umt_tunnel_supervisor_get_enabled (self) ? UMT_TUNNEL_STATE_STOPPED
                                                                  : UMT_TUNNEL_STATE_DISABLED);
      set_open_streams (self, owner_pid != 0 ? status->open_streams : 0);
      if (self->bytes_in != status->bytes_in)
        {
          self->bytes_in = status->bytes_in;
          notify (self, PROP_BYTES_IN);
        }
      if (self->bytes_out != status->bytes_out)
        {
          self->bytes_out = status->bytes_out;
          notify (self, PROP_BYTES_OUT);
        }
      set_last_error (self, status->last_error);
      if (status->retry_at == NULL || owner_pid == 0)
        set_retry_in (self, -1);
      else
        {
          g_clear_pointer (&self->retry_at, g_date_time_unref);
          self->retry_at = g_date_time_ref (status->retry_at);
          notify (self, PROP_RETRY_AT);
        }
    }
  g_object_thaw_notify (G_OBJECT (self));
}

GPid
umt_tunnel_supervisor_get_owner_pid (UmtTunnelSupervisor *self)
{
  g_return_val_if_fail (UMT_IS_TUNNEL_SUPERVISOR (self), 0);
  return self->owner_pid;
}

const char *
umt_tunnel_supervisor_get_owner_program (UmtTunnelSupervisor *self)
{
  g_return_val_if_fail (UMT_IS_TUNNEL_SUPERVISOR (self), NULL);
  return self->owner_program;
}

GPid
umt_tunnel_supervisor_get_agent_pid (UmtTunnelSupervisor *self)
{
  g_return_val_if_fail (UMT_IS_TUNNEL_SUPERVISOR (self), 0);
  return self->agent != NULL ? umt_tunnel_agent_process_get_pid (self->agent) : 0;
}

/* GObject */

static void
umt_tunnel_supervisor_dispose (GObject *object)
{
  UmtTunnelSupervisor *self = UMT_TUNNEL_SUPERVISOR (object);

  /* Quitting: the agent sees its stdin close and ends by itself. */
  self->wanted = FALSE;
  self->generation++;
  g_clear_handle_id (&self->restart_id, g_source_remove);
  if (self->agent != NULL)
    {
      umt_tunnel_agent_process_let_go (self->agent, UMT_TUNNEL_STOP_GRACE_MS);
      g_clear_object (&self->agent);
    }
  g_clear_signal_handler (&self->back_id, self->connectivity);
  g_clear_object (&self->connectivity);

  G_OBJECT_CLASS (umt_tunnel_supervisor_parent_class)->dispose (object);
}

static void
umt_tunnel_supervisor_finalize (GObject *object)
{
  UmtTunnelSupervisor *self = UMT_TUNNEL_SUPERVISOR (object);

  settings_clear (&self->settings);
  g_free (self->device_key);
  g_free (self->last_error);
  g_free (self->owner_program);
  g_clear_pointer (&self->retry_at, g_date_time_unref);

  G_OBJECT_CLASS (umt_tunnel_supervisor_parent_class)->finalize (object);
}

static void
umt_tunnel_supervisor_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  UmtTunnelSupervisor *self = UMT_TUNNEL_SUPERVISOR (object);

  switch (prop_id)
    {
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_ENABLED: g_value_set_boolean (value, umt_tunnel_supervisor_get_enabled (self)); break;
    case PROP_DEVICE_KEY: g_value_set_string (value, self->device_key); break;
    case PROP_OPEN_STREAMS: g_value_set_uint (value, self->open_streams); break;
    case PROP_BYTES_IN: g_value_set_uint64 (value, self->bytes_in); break;
    case PROP_BYTES_OUT: g_value_set_uint64 (value, self->bytes_out); break;
    case PROP_LAST_ERROR: g_value_set_string (value, self->last_error); break;
    case PROP_RETRY_AT: g_value_set_boxed (value, self->retry_at); break;
    case PROP_AGENT_PID: g_value_set_int (value, umt_tunnel_supervisor_get_agent_pid (self)); break;
    case PROP_OWNER_PID: g_value_set_int (value, (int) self->owner_pid); break;
    case PROP_OWNER_PROGRAM: g_value_set_string (value, self->owner_program); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
umt_tunnel_supervisor_class_init (UmtTunnelSupervisorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = umt_tunnel_supervisor_dispose;
  object_class->finalize = umt_tunnel_supervisor_finalize;
  object_class->get_property = umt_tunnel_supervisor_get_property;

  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, UMT_TYPE_TUNNEL_STATE,
                                              UMT_TUNNEL_STATE_DISABLED, flags);
  properties[PROP_ENABLED] = g_param_spec_boolean ("enabled", NULL, NULL, FALSE, flags);
  properties[PROP_DEVICE_KEY] = g_param_spec_string ("device-key", NULL, NULL, NULL, flags);
  properties[PROP_OPEN_STREAMS] = g_param_spec_uint ("open-streams", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_BYTES_IN] = g_param_spec_uint64 ("bytes-in", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_BYTES_OUT] = g_param_spec_uint64 ("bytes-out", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, flags);
  properties[PROP_RETRY_AT] = g_param_spec_boxed ("retry-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_AGENT_PID] = g_param_spec_int ("agent-pid", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_OWNER_PID] = g_param_spec_int ("owner-pid", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_OWNER_PROGRAM] = g_param_spec_string ("owner-program", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

#ifdef G_OS_UNIX
  /* Writing to an agent that just died must be an error to handle, not a
   * SIGPIPE that ends the whole application. */
  signal (SIGPIPE, SIG_IGN);
#endif
}

static void
umt_tunnel_supervisor_init (UmtTunnelSupervisor *self)
{
  self->state = UMT_TUNNEL_STATE_DISABLED;
}

UmtTunnelSupervisor *
umt_tunnel_supervisor_new (void)
{
  return g_object_new (UMT_TYPE_TUNNEL_SUPERVISOR, NULL);
}
