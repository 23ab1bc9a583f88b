/* umt-meeting-error.h: what can go wrong when talking to a Meeting server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

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
} UmtMeetingError;

GQuark umt_meeting_error_quark (void);

G_END_DECLS
