/* umt-validate.h: the checks every value goes through before it is stored or sent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each function returns FALSE (or NULL) and sets a UMT_CONFIG_ERROR_INVALID_INPUT
 * error whose message is one sentence telling the user what is expected.
 * None of them trims whitespace: callers that read user input trim first.
 * All are pure and thread-safe. */

/* 1–128 characters of [A-Za-z0-9._-]. */
gboolean  umt_validate_device_key      (const char  *device_key,
                                        GError     **error);

/* Exactly 6 hexadecimal characters; returns the code upper-cased. */
char     *umt_validate_token_code      (const char  *token_code,
                                        GError     **error);

/* http or https, a host, no user info, no query or fragment. Plain http is
 * refused unless the host is loopback (127.0.0.0/8, ::1, localhost) or
 * @allow_insecure_http is TRUE. */
gboolean  umt_validate_server_url      (const char  *url,
                                        gboolean     allow_insecure_http,
                                        GError     **error);

/* A host to connect to: a DNS name (other scripts allowed, as their ASCII
 * form) or an IP address, at most 253 characters. */
gboolean  umt_validate_host_name       (const char  *host,
                                        GError     **error);

/* A literal IPv4 or IPv6 address (what the server accepts for ip_* fields). */
gboolean  umt_validate_ip_address      (const char  *address,
                                        GError     **error);

/* AA:BB:CC:DD:EE:FF (either case, as the server's regular expression). */
gboolean  umt_validate_mac             (const char  *mac,
                                        GError     **error);

/* Valid UTF-8, at most 2000 characters. */
gboolean  umt_validate_note            (const char  *note,
                                        GError     **error);

/* 1–64 characters of [A-Za-z0-9._-]. */
gboolean  umt_validate_profile_name    (const char  *name,
                                        GError     **error);

/* 15–3600 seconds. */
gboolean  umt_validate_heartbeat_interval (gint64    seconds,
                                           GError  **error);

G_END_DECLS
