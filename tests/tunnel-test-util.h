/* tunnel-test-util.h: helpers of the tunnel proxy tests: the sim's HTTP
 * routes and blocking loopback sockets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "umt-test-sim.h"

G_BEGIN_DECLS

/* Every blocking socket call of the tests gives up after this, so a proxy that
 * forgets to answer fails the test instead of hanging it. */
#define IO_TIMEOUT_SECONDS 10

/* A request to the sim over HTTP or HTTPS (its self-signed certificate is
 * trusted); asserts the status; returns the JSON body or NULL. */
JsonNode   *tunnel_test_call          (UmtTestSim  *sim,
                                       const char  *method,
                                       const char  *path,
                                       const char  *json_body,
                                       guint        expected_status);
char       *tunnel_test_make_device   (UmtTestSim  *sim,
                                       gboolean     registered,
                                       char       **token_code);
guint16     tunnel_test_reserve       (UmtTestSim  *sim,
                                       const char  *device_key,
                                       const char  *service_json);
/* GET /__sim/proxy */
JsonObject *tunnel_test_proxy_state   (UmtTestSim  *sim);

/* Blocking connection to 127.0.0.1:@port with IO_TIMEOUT_SECONDS. */
GIOStream  *tunnel_test_connect       (guint16      port);
void        tunnel_test_write_all     (GIOStream   *stream,
                                       const void  *data,
                                       gsize        len);
void        tunnel_test_read_exactly  (GIOStream   *stream,
                                       void        *data,
                                       gsize        len);
/* The peer closed: a read returns end of stream (not a timeout). */
void        tunnel_test_assert_eof    (GIOStream   *stream);

G_END_DECLS
