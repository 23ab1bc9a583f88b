/* umt-test-sim.h: start meeting-sim from a test and talk to its routes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *process;
  char        *url;        /* e.g. "http://127.0.0.1:41234" */
  guint16      port;
  guint16      proxy_port; /* 0 when the sim runs no proxy */
} UmtTestSim;

/* Starts $UMT_MEETING_SIM with --port 0 and the given extra arguments,
 * waits for its ready line. Aborts the test on failure. The sim dies with
 * the test process. */
UmtTestSim *umt_test_sim_start       (const char *first_arg,
                                      ...) G_GNUC_NULL_TERMINATED;
void        umt_test_sim_free        (UmtTestSim *sim);

/* A blocking request to the sim (admin and /__sim/ routes); returns the
 * parsed body (NULL when it is not JSON) and the status in @status. */
JsonNode   *umt_test_sim_request     (UmtTestSim *sim,
                                      const char *method,
                                      const char *path,
                                      const char *json_body,
                                      guint      *status);

/* Creates a device through POST /api/devices/manual-create and returns its
 * key; @token_code receives its registration token. @device_key may be NULL
 * to let the sim generate one (GET /api/devices/generate-key). */
char       *umt_test_sim_create_device (UmtTestSim  *sim,
                                        const char  *device_key,
                                        char       **token_code);

/* PUT /api/devices/{key}/authorize, as the administrator does: a device
 * is created unauthorized. */
void        umt_test_sim_authorize_device (UmtTestSim *sim,
                                           const char *device_key);

/* GET /__sim/devices/{key}: the device's full record, or NULL when unknown. */
JsonObject *umt_test_sim_get_device  (UmtTestSim *sim,
                                      const char *device_key);

/* POST /__sim/faults with the given JSON object text. */
void        umt_test_sim_add_fault   (UmtTestSim *sim,
                                      const char *fault_json);
void        umt_test_sim_clear_faults (UmtTestSim *sim);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UmtTestSim, umt_test_sim_free)

G_END_DECLS
