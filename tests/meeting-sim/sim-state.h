/* sim-state.h: the in-memory device table and tunnel reservations of meeting-sim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything runs on the main context: the HTTP routes and the tunnel proxy
 * read and change the same SimState from callbacks of one GMainLoop, so no
 * locking is needed. Pointers returned here are borrowed from the state.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  char     *device_key;
  char     *token_code;      /* registration token, upper-case hex */
  char     *tunnel_token;    /* extra token the proxy accepts; NULL unless set via /__sim/ */
  gboolean  authorized;
  gboolean  registered;
  gboolean  token_burned;    /* TRUE once a registration used token_code */
  gint64    token_count;

  char     *device_type;
  char     *distribution;
  char     *product_serial;  /* NULL when not given */

  gint64    registered_at;   /* Unix seconds, 0 = never */
  JsonNode *registration_body;

  guint     heartbeat_count;
  JsonNode *last_heartbeat;          /* body object of the last heartbeat */
  JsonNode *last_heartbeat_headers;  /* object header → value */
  gint64    last_seen;               /* Unix seconds, 0 = never */
  gint64    online_since;            /* start of the current run of heartbeats */

  char     *ip_address;
  char     *ip_lan;
  char     *ip_public;
  char     *mac;
  char     *cluster_ip;
  char     *note;

  char     *ssh_pubkey;      /* NULL when none was ever uploaded */
  char     *ssh_user;
  char     *ssh_status;      /* "authorized" or "revoked" */
  gint64    ssh_added;
  gint64    ssh_modified;

  JsonNode *tunnel_status;   /* last POST …/tunnel-status, with updated_at */
} SimDevice;

typedef struct
{
  char    *device_key;
  char    *service;          /* ssh, http, vnc, scp or relay */
  guint16  public_port;      /* port a tunnel user connects to on 127.0.0.1 */
  guint16  local_port;       /* port the agent connects to on the device (sent in N) */
  gint64   expires_at;       /* Unix seconds */
  /* Bound to 127.0.0.1:public_port but not listening, so the port stays ours
   * until the proxy takes it: g_socket_listen() then
   * g_socket_listener_add_socket(). Owned by the reservation. */
  GSocket *socket;
} SimReservation;

#define SIM_TYPE_STATE (sim_state_get_type ())
G_DECLARE_FINAL_TYPE (SimState, sim_state, SIM, STATE, GObject)

/* Signals (all run on the main context):
 *   "reservation-added"   (SimState *, SimReservation *, gpointer user_data)
 *   "reservation-removed" (SimState *, SimReservation *, gpointer user_data)
 *       the reservation is freed right after the handlers return.
 *   "device-removed"      (SimState *, const char *device_key, gpointer user_data)
 */

/* @first_port/@last_port: the public port range of tunnels; 0/0 lets the
 * system pick any free loopback port for each reservation. */
SimState       *sim_state_new                 (guint          availability_timeout,
                                               guint16        first_port,
                                               guint16        last_port);
guint           sim_state_get_availability_timeout (SimState *self);

SimDevice      *sim_state_lookup_device       (SimState      *self,
                                               const char    *device_key);
/* Returns NULL when a device with that key exists already. */
SimDevice      *sim_state_add_device          (SimState      *self,
                                               const char    *device_key,
                                               const char    *token_code);
gboolean        sim_state_remove_device       (SimState      *self,
                                               const char    *device_key);

/* Reservations, oldest first; expired ones are dropped (and announced) first. */
GPtrArray      *sim_state_get_reservations    (SimState      *self);
SimReservation *sim_state_lookup_reservation  (SimState      *self,
                                               guint16        public_port);
/* Reserves (or renews) the public port of @service for @device_key.
 * Fails with G_IO_ERROR_NO_SPACE when no port of the range is free. */
SimReservation *sim_state_reserve             (SimState      *self,
                                               const char    *device_key,
                                               const char    *service,
                                               guint16        local_port,
                                               GError       **error);

/* TRUE when @token is the device's token_code or its tunnel_token: what the
 * proxy handshake accepts. */
gboolean        sim_device_accepts_tunnel_token (const SimDevice *device,
                                                 const char      *token);

G_END_DECLS
