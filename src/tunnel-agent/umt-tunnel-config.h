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
  GArray *allowed_ports; /* of guint16: reachable as themselves */
  GHashTable *port_map;  /* port the proxy asks for → local port, both as GUINT_TO_POINTER */
  guint max_streams;     /* streams open at once; more are refused */
} UmtTunnelConfig;

#define UMT_TUNNEL_DEFAULT_MAX_STREAMS 256

/* Parses and validates the configuration object. Error messages never quote the input,
 * since it holds the token. */
UmtTunnelConfig *umt_tunnel_config_parse (const char  *json,
                                          GError     **error);

void umt_tunnel_config_free (UmtTunnelConfig *config);

/* The local port that a stream to @port connects to: its port_map entry, else @port
 * itself when it is in allowed_ports. FALSE: the port is not reachable. */
gboolean umt_tunnel_config_lookup_port (const UmtTunnelConfig *config,
                                        guint                  port,
                                        guint16               *local_port);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UmtTunnelConfig, umt_tunnel_config_free)

G_END_DECLS
