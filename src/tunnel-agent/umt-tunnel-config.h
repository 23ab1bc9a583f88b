/* umt-tunnel-config.h: the agent's configuration, read as one JSON line on stdin */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *device_key;
  char *token;       /* a secret: never logged, never printed */
  char *proxy_host;
  guint16 proxy_port;
  gboolean tls;
  gboolean verify_tls;
  GArray *allowed_ports; /* of guint16 */
} UmtTunnelConfig;

/* Parses and validates the configuration object. Error messages never quote the input,
 * since it holds the token. */
UmtTunnelConfig *umt_tunnel_config_parse (const char  *json,
                                          GError     **error);

void umt_tunnel_config_free (UmtTunnelConfig *config);

gboolean umt_tunnel_config_port_allowed (const UmtTunnelConfig *config,
                                         guint                  port);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UmtTunnelConfig, umt_tunnel_config_free)

G_END_DECLS
