/* umt-meeting-call.h: what a UmtMeetingRequest holds, and how it is sent and read
 *
 * Private to the Meeting client: the front ends build requests with the
 * constructors of umt-meeting-requests.h and send them with the client.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "umt-meeting-error.h"
#include "umt-meeting-requests.h"

G_BEGIN_DECLS

/* Where and how requests go; owned by the client, read-only once built so
 * that any thread may send with it. */
typedef struct
{
  SoupSession *session;
  char        *base_url; /* without trailing slash */
  char        *host;     /* host[:port], for messages */
  guint        timeout;
  guint        retries;
  gboolean     verify_tls;
  char        *token;    /* nullable; secret */
} UmtMeetingServer;

typedef gpointer (*UmtCallFromJson) (JsonNode    *node,
                                     GError     **error);
typedef gpointer (*UmtCallFromText) (const char  *data,
                                     gsize        length,
                                     GError     **error);

/* What one request sends and how its answer is read. Exactly one of
 * from_json/from_text is set, or neither for requests that only say "ok"
 * (their result is a non-NULL pointer that owns nothing, and free_result
 * is NULL). */
struct _UmtMeetingRequest
{
  const char            *method;
  char                  *path;       /* escaped, may carry a query */
  char                  *body;       /* JSON text, or NULL */
  UmtMeetingRequestKind  kind;
  gboolean               retry_safe;
  UmtCallFromJson        from_json;
  UmtCallFromText        from_text;
  GDestroyNotify         free_result;

  /* register only: what the older heartbeat registration needs */
  gboolean               is_register;
  char                  *device_key;
  char                  *token_code;
  char                  *note;
};

/* @path is taken. GETs are marked safe to repeat; others are not. */
UmtMeetingRequest *umt_call_new      (const char             *method,
                                      char                   *path,
                                      UmtMeetingRequestKind   kind);
void               umt_call_set_body (UmtMeetingRequest      *call,
                                      JsonObject             *object);

/* "/api/devices/" + escaped key + "/online" */
char     *umt_call_device_path (const char *prefix,
                                const char *device_key,
                                const char *suffix);

/* Blocking; any thread. Returns the parsed result or NULL with an error. */
gpointer  umt_call_run      (const UmtMeetingServer *server,
                             UmtMeetingRequest      *call,
                             GCancellable           *cancellable,
                             GError                **error);

G_END_DECLS
