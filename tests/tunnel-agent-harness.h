/* tunnel-agent-harness.h: runs the real umt-tunnel-agent against a proxy written in the
 * test (blocking sockets in threads, the frame codec for the wire) and local servers on
 * free loopback ports. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "umt-tunnel-frame.h"

G_BEGIN_DECLS

#define TOKEN "tok-9f8e7d6c-very-secret"
#define DEVICE_KEY "test-device-01"
#define MiB (1024 * 1024)
#define AUTH_OK "{\"status\":\"authenticated\",\"device_key\":\"" DEVICE_KEY "\"}\n"

/* The agent process: its events (JsonObject) as they come, all its output as text. */
typedef struct {
  GSubprocess *process;
  GAsyncQueue *events; /* JsonObject */
  GThread *stdout_thread;
  GThread *stderr_thread;
  GMutex lock;
  GString *out_text;
  GString *err_text;
} Agent;

char       *make_config_tls   (guint16        proxy_port,
                               const guint16 *ports,
                               guint          n_ports,
                               gboolean       tls,
                               gboolean       verify_tls);
char       *make_config       (guint16        proxy_port,
                               const guint16 *ports,
                               guint          n_ports);
Agent      *agent_spawn       (const char    *config_line);
void        agent_send        (Agent         *agent,
                               const char    *line);
JsonObject *agent_wait_event  (Agent         *agent,
                               const char    *name,
                               guint          timeout_ms);
gboolean    agent_wait_exit   (Agent         *agent,
                               guint          timeout_ms);
gsize       agent_rss_kib     (Agent         *agent);
void        agent_join_output (Agent         *agent);
void        agent_free        (Agent         *agent);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Agent, agent_free)

GSocket *listen_loopback (guint16 *port);
guint16  closed_port     (void);

/* Local servers: echo, hold (accept and never read), flood (write without end). */
typedef enum { SERVER_ECHO, SERVER_HOLD, SERVER_FLOOD } ServerMode;

typedef struct {
  GSocket *listener;
  guint16 port;
  ServerMode mode;
  gint stop;
  GThread *thread;
  GPtrArray *held; /* sockets kept open, unread */
  GMutex lock;
  gint64 flooded; /* bytes the flood server managed to write */
} Server;

Server *server_new  (ServerMode  mode);
void    server_free (Server     *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

/* The proxy's end of one agent connection. */
typedef struct {
  GSocket *socket;   /* for its timeout */
  GIOStream *stream; /* the TCP connection, or TLS over it */
  UmtTunnelFrameDecoder *decoder;
  guint8 *buf;
  gsize buf_len;
  gsize buf_off;
  GMutex send_lock;
} Peer;

GSocket    *proxy_listen     (guint16            *port);
Peer       *proxy_accept_tls (GSocket            *listener,
                              GTlsCertificate    *certificate);
Peer       *proxy_accept     (GSocket            *listener);
void        peer_free        (Peer               *peer);
JsonObject *peer_handshake   (Peer               *peer,
                              const char         *reply);
JsonObject *peer_handshake_with (Peer            *peer,
                                 const char      *reply,
                                 GBytes          *then);
gboolean    peer_recv_frame  (Peer               *peer,
                              UmtTunnelFrame     *frame);
gboolean    peer_send        (Peer               *peer,
                              UmtTunnelFrameType  type,
                              guint32             id,
                              const void         *payload,
                              gsize               len);
void        peer_send_new    (Peer               *peer,
                              guint32             id,
                              guint16             port);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Peer, peer_free)

Agent *start_connected (GSocket        *listener,
                        guint16         proxy_port,
                        const guint16  *ports,
                        guint           n_ports,
                        Peer          **peer_out);
Agent *start_connected_with (GSocket    *listener,
                             const char *config_line,
                             Peer      **peer_out);

G_END_DECLS
