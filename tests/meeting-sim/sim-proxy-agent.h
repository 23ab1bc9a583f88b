/* sim-proxy-agent.h: one authenticated agent connection of the sim's tunnel
 * proxy and the public connections it carries as streams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _SimProxyAgent SimProxyAgent;

/* Called once when the agent's connection ends (EOF, error, protocol error or
 * sim_proxy_agent_close()), so that the proxy forgets it. */
typedef void (*SimProxyAgentClosedFunc) (SimProxyAgent *agent,
                                         gpointer       user_data);

/* @connection: the control connection after the handshake line; @greeting: the
 * reply line, sent before any frame; @leftover: bytes that followed the
 * handshake line (may be NULL). Starts reading at once. */
SimProxyAgent *sim_proxy_agent_new          (GIOStream               *connection,
                                             const char              *device_key,
                                             GBytes                  *greeting,
                                             GBytes                  *leftover,
                                             SimProxyAgentClosedFunc  closed_func,
                                             gpointer                 user_data);
SimProxyAgent *sim_proxy_agent_ref          (SimProxyAgent           *self);
void           sim_proxy_agent_unref        (SimProxyAgent           *self);

const char    *sim_proxy_agent_get_device_key (SimProxyAgent         *self);
gboolean       sim_proxy_agent_is_closed    (SimProxyAgent           *self);

/* Ends the connection and every public connection it carries. Idempotent;
 * the closed callback is not called for an explicit close. */
void           sim_proxy_agent_close        (SimProxyAgent           *self,
                                             const char              *reason);

/* Carries @connection (a public client) as a new stream to @local_port. */
void           sim_proxy_agent_open_stream  (SimProxyAgent           *self,
                                             GSocketConnection       *connection,
                                             guint16                  local_port);

/* Adds the agent's description to @builder (one object). */
void           sim_proxy_agent_describe     (SimProxyAgent           *self,
                                             JsonBuilder             *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimProxyAgent, sim_proxy_agent_unref)

G_END_DECLS
