/* sim-server.h: what the route modules of meeting-sim share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "sim-state.h"

G_BEGIN_DECLS

typedef struct
{
  SimState  *state;
  gboolean   no_register_endpoint;
  char      *certificate_pem;  /* NULL when serving plain HTTP */
  GPtrArray *requests;         /* JsonNode objects, see GET /__sim/requests */
  GPtrArray *faults;           /* SimFault, first match wins */
  gint64     next_fault_id;
} SimServer;

typedef struct
{
  SimServer         *server;
  SoupServerMessage *msg;
  const char        *method;
  const char        *path;      /* percent-decoded by libsoup */
  char             **segments;  /* its segments, after the leading '/' */
  guint              n_segments;
  GHashTable        *query;     /* may be NULL */
} SimRequest;

typedef struct
{
  gint64  id;
  char   *path;          /* exact, or a prefix when it ends with '*' */
  char   *method;        /* NULL = any */
  gint64  remaining;     /* 0 = until cleared */
  guint   status;        /* 0 = not a status fault */
  char   *body;
  char   *content_type;
  guint   delay_ms;
  gboolean malformed;
  gboolean oversized;
  gboolean drop;
} SimFault;

SimServer  *sim_server_new               (SimState    *state,
                                          gboolean     no_register_endpoint,
                                          const char  *certificate_pem);
void        sim_server_free              (SimServer   *server);
void        sim_server_attach            (SimServer   *server,
                                          SoupServer  *soup_server);

/* Does @request have @method and a path of the shape @pattern
 * ("api/devices/ * /online" without the spaces; '*' matches one segment,
 * whose decoded text goes to @capture when not NULL)? */
gboolean    sim_request_is               (SimRequest  *request,
                                          const char  *method,
                                          const char  *pattern,
                                          const char **capture);

/* The device named in the path, or NULL after answering 404 Device not found. */
SimDevice  *sim_request_lookup_device    (SimRequest  *request,
                                          const char  *device_key);

/* Route modules: each answers and returns TRUE when the request is theirs. */
gboolean    sim_routes_devices           (SimRequest  *request);
gboolean    sim_routes_tunnels           (SimRequest  *request);
gboolean    sim_routes_debug             (SimRequest  *request);

/* sim-debug.c: the request log and the fault table. */
void        sim_debug_record_request     (SimServer   *server,
                                          SimRequest  *request);
SimFault   *sim_debug_take_fault         (SimServer   *server,
                                          SimRequest  *request);
void        sim_fault_free               (SimFault    *fault);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimFault, sim_fault_free)

G_END_DECLS
