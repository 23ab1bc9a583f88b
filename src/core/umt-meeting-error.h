/* umt-meeting-error.h: what can go wrong when talking to a Meeting server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define UMT_MEETING_ERROR (umt_meeting_error_quark ())

/* Every failure of a Meeting request is one of these; the message of the
 * GError is a sentence that tells the user what to do next. Cancellation is
 * reported as G_IO_ERROR_CANCELLED, never with this domain. */
typedef enum
{
  UMT_MEETING_ERROR_NOT_FOUND,          /* 404: device (or resource) unknown to the server */
  UMT_MEETING_ERROR_INVALID_TOKEN,      /* 401: token invalid or expired */
  UMT_MEETING_ERROR_ALREADY_REGISTERED, /* 409: already registered, token burned */
  UMT_MEETING_ERROR_BAD_REQUEST,        /* 400: the server refused what we sent */
  UMT_MEETING_ERROR_FORBIDDEN,          /* 403: device not authorized */
  UMT_MEETING_ERROR_UNAVAILABLE,        /* 503: no port, service unavailable */
  UMT_MEETING_ERROR_NO_ROUTE,           /* 405/501 or a non-JSON 404: the server lacks the endpoint */
  UMT_MEETING_ERROR_CONNECTION,         /* refused, unreachable, DNS failure, dropped */
  UMT_MEETING_ERROR_TLS,                /* certificate not trusted, handshake failed */
  UMT_MEETING_ERROR_TIMEOUT,            /* no answer within the profile's timeout */
  UMT_MEETING_ERROR_SERVER,             /* 5xx */
  UMT_MEETING_ERROR_PROTOCOL,           /* malformed, oversized or unexpected body */
  UMT_MEETING_ERROR_INVALID_URL,        /* the server URL is not an absolute http(s) URL */
} UmtMeetingError;

GQuark umt_meeting_error_quark (void);

/* What a request was about, so that the same status reads right: a 404 on a
 * device route means "device unknown", a 401 on register means "token". */
typedef enum
{
  UMT_MEETING_REQUEST_PLAIN    = 0,
  UMT_MEETING_REQUEST_DEVICE   = 1 << 0, /* the path names a device */
  UMT_MEETING_REQUEST_REGISTER = 1 << 1, /* the body carries a one-time token */
} UmtMeetingRequestKind;

/* Sets @error from a non-2xx answer. @body may be NULL; when it is JSON with
 * an "error" member, that text is quoted (400, 403). */
void umt_meeting_error_set_from_status    (GError               **error,
                                           guint                  status,
                                           GBytes                *body,
                                           const char            *host,
                                           const char            *path,
                                           UmtMeetingRequestKind  kind);

/* Sets @error from a transport failure of libsoup/GIO. @tls_errors are the
 * certificate problems seen during the handshake (0 when none were seen).
 * G_IO_ERROR_CANCELLED is copied as is. */
void umt_meeting_error_set_from_transport (GError               **error,
                                           const GError          *transport_error,
                                           GTlsCertificateFlags   tls_errors,
                                           const char            *host,
                                           guint                  timeout_seconds);

/* TRUE for an error set by umt_meeting_error_set_from_transport() that is
 * worth trying again (CONNECTION, TIMEOUT); FALSE for TLS, cancellation… */
gboolean umt_meeting_error_is_transient    (const GError         *error);

G_END_DECLS
