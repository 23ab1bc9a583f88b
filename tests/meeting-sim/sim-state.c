/* sim-state.c: the in-memory device table and tunnel reservations of meeting-sim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sim-state"

#include "config.h"

#include "sim-state.h"

/* Reservations last one hour, like a short-lived tunnel request. */
#define RESERVATION_SECONDS 3600

struct _SimState
{
  GObject     parent_instance;

  GHashTable *devices;       /* device_key → SimDevice */
  GPtrArray  *reservations;  /* SimReservation, oldest first */
  guint       availability_timeout;
  guint16     first_port;
  guint16     last_port;
};

G_DEFINE_FINAL_TYPE (SimState, sim_state, G_TYPE_OBJECT)

enum {
  RESERVATION_ADDED,
  RESERVATION_REMOVED,
  DEVICE_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
sim_device_free (SimDevice *device)
{
  g_free (device->device_key);
  g_free (device->token_code);
  g_free (device->tunnel_token);
  g_free (device->device_type);
  g_free (device->distribution);
  g_free (device->product_serial);
  g_clear_pointer (&device->registration_body, json_node_unref);
  g_clear_pointer (&device->last_heartbeat, json_node_unref);
  g_clear_pointer (&device->last_heartbeat_headers, json_node_unref);
  g_free (device->ip_address);
  g_free (device->ip_lan);
  g_free (device->ip_public);
  g_free (device->mac);
  g_free (device->cluster_ip);
  g_free (device->note);
  g_free (device->ssh_pubkey);
  g_free (device->ssh_user);
  g_free (device->ssh_status);
  g_clear_pointer (&device->tunnel_status, json_node_unref);
  g_free (device);
}

static void
sim_reservation_free (SimReservation *reservation)
{
  g_free (reservation->device_key);
  g_free (reservation->service);
  if (reservation->socket != NULL)
    g_socket_close (reservation->socket, NULL);
  g_clear_object (&reservation->socket);
  g_free (reservation);
}

static void
remove_reservation_at (SimState *self,
                       guint     index)
{
  SimReservation *reservation = g_ptr_array_steal_index (self->reservations, index);

  g_signal_emit (self, signals[RESERVATION_REMOVED], 0, reservation);
  sim_reservation_free (reservation);
}

static void
drop_expired_reservations (SimState *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = self->reservations->len; i > 0; i--)
    {
      SimReservation *reservation = g_ptr_array_index (self->reservations, i - 1);

      if (reservation->expires_at <= now)
        remove_reservation_at (self, i - 1);
    }
}

static void
sim_state_finalize (GObject *object)
{
  SimState *self = SIM_STATE (object);

  g_ptr_array_unref (self->reservations);
  g_hash_table_unref (self->devices);

  G_OBJECT_CLASS (sim_state_parent_class)->finalize (object);
}

static void
sim_state_class_init (SimStateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sim_state_finalize;

  signals[RESERVATION_ADDED] =
    g_signal_new ("reservation-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[RESERVATION_REMOVED] =
    g_signal_new ("reservation-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[DEVICE_REMOVED] =
    g_signal_new ("device-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
sim_state_init (SimState *self)
{
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) sim_device_free);
  self->reservations = g_ptr_array_new_with_free_func ((GDestroyNotify) sim_reservation_free);
}

SimState *
sim_state_new (guint   availability_timeout,
               guint16 first_port,
               guint16 last_port)
{
  SimState *self = g_object_new (SIM_TYPE_STATE, NULL);

  self->availability_timeout = availability_timeout;
  self->first_port = first_port;
  self->last_port = last_port;
  return self;
}

guint
sim_state_get_availability_timeout (SimState *self)
{
  g_return_val_if_fail (SIM_IS_STATE (self), 0);

  return self->availability_timeout;
}

SimDevice *
sim_state_lookup_device (SimState   *self,
                         const char *device_key)
{
  g_return_val_if_fail (SIM_IS_STATE (self), NULL);

  if (device_key == NULL)
    return NULL;
  return g_hash_table_lookup (self->devices, device_key);
}

SimDevice *
sim_state_add_device (SimState   *self,
                      const char *device_key,
                      const char *token_code)
{
  SimDevice *device;

  g_return_val_if_fail (SIM_IS_STATE (self), NULL);
  g_return_val_if_fail (device_key != NULL && token_code != NULL, NULL);

  if (g_hash_table_contains (self->devices, device_key))
    return NULL;

  device = g_new0 (SimDevice, 1);
  device->device_key = g_strdup (device_key);
  device->token_code = g_strdup (token_code);
  device->token_count = 1;
  g_hash_table_insert (self->devices, device->device_key, device);
  return device;
}

gboolean
sim_state_remove_device (SimState   *self,
                         const char *device_key)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (SIM_IS_STATE (self), FALSE);

  if (!g_hash_table_contains (self->devices, device_key))
    return FALSE;

  /* The key may point into the device itself: keep a copy for the signal. */
  key = g_strdup (device_key);
  for (guint i = self->reservations->len; i > 0; i--)
    {
      SimReservation *reservation = g_ptr_array_index (self->reservations, i - 1);

      if (g_str_equal (reservation->device_key, key))
        remove_reservation_at (self, i - 1);
    }
  g_hash_table_remove (self->devices, key);
  g_signal_emit (self, signals[DEVICE_REMOVED], 0, key);
  return TRUE;
}

GPtrArray *
sim_state_get_reservations (SimState *self)
{
  g_return_val_if_fail (SIM_IS_STATE (self), NULL);

  drop_expired_reservations (self);
  return self->reservations;
}

SimReservation *
sim_state_lookup_reservation (SimState *self,
                              guint16   public_port)
{
  g_return_val_if_fail (SIM_IS_STATE (self), NULL);

  drop_expired_reservations (self);
  for (guint i = 0; i < self->reservations->len; i++)
    {
      SimReservation *reservation = g_ptr_array_index (self->reservations, i);

      if (reservation->public_port == public_port)
        return reservation;
    }
  return NULL;
}

/* Binding (without listening) keeps the port ours, so a reservation never
 * names a port that something else grabs before the proxy opens it. */
static GSocket *
bind_loopback_port (guint16   port,
                    GError  **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  if (!g_socket_bind (socket, address, TRUE, error))
    return NULL;
  return g_steal_pointer (&socket);
}

static GSocket *
bind_free_port (SimState  *self,
                GError   **error)
{
  if (self->first_port == 0)
    return bind_loopback_port (0, error);

  for (guint port = self->first_port; port <= self->last_port; port++)
    {
      GSocket *socket;

      if (sim_state_lookup_reservation (self, (guint16) port) != NULL)
        continue;
      socket = bind_loopback_port ((guint16) port, NULL);
      if (socket != NULL)
        return socket;
    }

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "No available port in range");
  return NULL;
}

SimReservation *
sim_state_reserve (SimState    *self,
                   const char  *device_key,
                   const char  *service,
                   guint16      local_port,
                   GError     **error)
{
  g_autoptr(GSocketAddress) bound = NULL;
  SimReservation *reservation;
  gint64 expires_at = g_get_real_time () / G_USEC_PER_SEC + RESERVATION_SECONDS;
  GSocket *socket;

  g_return_val_if_fail (SIM_IS_STATE (self), NULL);

  drop_expired_reservations (self);

  /* Asking again for the same tunnel renews it rather than taking a second port. */
  for (guint i = 0; i < self->reservations->len; i++)
    {
      reservation = g_ptr_array_index (self->reservations, i);
      if (g_str_equal (reservation->device_key, device_key) &&
          g_str_equal (reservation->service, service) &&
          reservation->local_port == local_port)
        {
          reservation->expires_at = expires_at;
          return reservation;
        }
    }

  socket = bind_free_port (self, error);
  if (socket == NULL)
    return NULL;
  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL)
    {
      g_object_unref (socket);
      return NULL;
    }

  reservation = g_new0 (SimReservation, 1);
  reservation->device_key = g_strdup (device_key);
  reservation->service = g_strdup (service);
  reservation->public_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  reservation->local_port = local_port;
  reservation->expires_at = expires_at;
  reservation->socket = socket;
  g_ptr_array_add (self->reservations, reservation);

  g_signal_emit (self, signals[RESERVATION_ADDED], 0, reservation);
  return reservation;
}

gboolean
sim_device_accepts_tunnel_token (const SimDevice *device,
                                 const char      *token)
{
  if (device == NULL || token == NULL || *token == '\0')
    return FALSE;
  if (device->tunnel_token != NULL && g_str_equal (device->tunnel_token, token))
    return TRUE;
  return g_ascii_strcasecmp (device->token_code, token) == 0;
}
