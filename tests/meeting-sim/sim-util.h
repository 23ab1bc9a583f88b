/* sim-util.h: answering, body parsing and validation helpers of meeting-sim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

void        sim_respond_json        (SoupServerMessage *msg,
                                     guint              status,
                                     JsonNode          *body);
/* Finishes @builder (one open object) and answers it. */
void        sim_respond_builder     (SoupServerMessage *msg,
                                     guint              status,
                                     JsonBuilder       *builder);
/* {"error": message}, the shape of every refusal of the server. */
void        sim_respond_error       (SoupServerMessage *msg,
                                     guint              status,
                                     const char        *message);
void        sim_respond_text        (SoupServerMessage *msg,
                                     guint              status,
                                     const char        *content_type,
                                     const char        *text);
/* What the PHP front controller answers for a path it has no route for. */
void        sim_respond_no_route    (SoupServerMessage *msg);

/* Adds @member with @value, or null when @value is NULL. */
void        sim_add_string          (JsonBuilder       *builder,
                                     const char        *member,
                                     const char        *value);
/* Adds @member as "YYYY-MM-DD HH:MM:SS" UTC, or null for 0. */
void        sim_add_time            (JsonBuilder       *builder,
                                     const char        *member,
                                     gint64             unix_seconds);
/* The request headers as an object header → value. */
JsonNode   *sim_request_headers     (SoupServerMessage *msg);

/* Parses the request body as a JSON object. An empty body is an empty object
 * when @allow_empty. Answers 400 itself and returns NULL otherwise. */
JsonObject *sim_read_body_object    (SoupServerMessage *msg,
                                     gboolean           allow_empty);

/* "YYYY-MM-DD HH:MM:SS" in UTC; NULL for 0. */
char       *sim_format_time         (gint64             unix_seconds);
gint64      sim_now                 (void);
char       *sim_random_hex          (guint              length);

/* Optional string member: TRUE and @value NULL when absent or null; FALSE
 * when present with another type. */
gboolean    sim_get_optional_string (JsonObject        *object,
                                     const char        *member,
                                     const char       **value);

/* Checks the device information fields of a heartbeat or a registration:
 * IP fields, mac and note. Returns NULL when valid, else the message of the 400. */
const char *sim_check_device_fields (JsonObject        *fields);

/* An OpenSSH public key line "type base64 [comment]" whose blob names its type. */
gboolean    sim_is_valid_public_key (const char        *line);
char       *sim_public_key_fingerprint (const char     *line);

gboolean    sim_is_valid_device_key (const char        *key);
gboolean    sim_is_valid_token_code (const char        *token);

G_END_DECLS
