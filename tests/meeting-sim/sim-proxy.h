/* sim-proxy.h: the tunnel proxy of meeting-sim (agents on one control port,
 * one public listener per reservation, N/D/C streams between them)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "sim-state.h"

G_BEGIN_DECLS

typedef struct _SimProxy SimProxy;

/* @certificate: TLS on the control port when not NULL. Public ports stay plain
 * TCP, like the real proxy's. */
SimProxy   *sim_proxy_new     (SimState         *state,
                               GTlsCertificate  *certificate);
void        sim_proxy_free    (SimProxy         *self);

/* Listens on 127.0.0.1:@port (0 = any free port) for agents and opens the
 * public ports of the reservations, now and as they come. */
gboolean    sim_proxy_listen  (SimProxy         *self,
                               guint16           port,
                               guint16          *bound_port,
                               GError          **error);

/* Serves GET /__sim/proxy on @soup_server: connected agents and their streams. */
void        sim_proxy_attach  (SimProxy         *self,
                               SoupServer       *soup_server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimProxy, sim_proxy_free)

G_END_DECLS
