/* test-sim-reply.h: raw requests to meeting-sim and checks of its answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Unlike umt_test_sim_request(), these show text bodies, content types and
 * transport errors: what the sim's own tests must check.
 */
#pragma once

#include <libsoup/soup.h>

#include "umt-test-sim.h"

G_BEGIN_DECLS

#define SIM_TIME_PATTERN "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"

typedef struct
{
  guint    status;
  char    *content_type;
  char    *body;
  gsize    length;
  GError  *error;
} SimReply;

void        sim_reply_free      (SimReply    *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimReply, sim_reply_free)

/* @session may be NULL for a fresh one; @header_name may be NULL. */
SimReply   *sim_send_full       (UmtTestSim  *sim,
                                 SoupSession *session,
                                 const char  *method,
                                 const char  *path,
                                 const char  *body,
                                 const char  *header_name,
                                 const char  *header_value);
SimReply   *sim_send            (UmtTestSim  *sim,
                                 const char  *method,
                                 const char  *path,
                                 const char  *body);
JsonObject *sim_parse_object    (const char  *text);
/* Asserts the status and a JSON content type; returns the object. */
JsonObject *sim_expect_json     (UmtTestSim  *sim,
                                 const char  *method,
                                 const char  *path,
                                 const char  *body,
                                 guint        status);
/* Asserts {"error": message} with @status. */
void        sim_expect_error    (UmtTestSim  *sim,
                                 const char  *method,
                                 const char  *path,
                                 const char  *body,
                                 guint        status,
                                 const char  *message);
/* Asserts the plain-text 404 of a path the server has no route for. */
void        sim_expect_no_route (UmtTestSim  *sim,
                                 const char  *method,
                                 const char  *path,
                                 const char  *body);
void        sim_assert_matches  (const char  *pattern,
                                 const char  *text);
/* "/api/devices/<escaped key><suffix>" */
char       *sim_device_path     (const char  *key,
                                 const char  *suffix);
gboolean    sim_accept_any_certificate (SoupMessage          *message,
                                        GTlsCertificate      *certificate,
                                        GTlsCertificateFlags  errors,
                                        gpointer              user_data);

G_END_DECLS
