/* umt-meeting-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-meeting-error"

#include "config.h"

#include "umt-meeting-error.h"

G_DEFINE_QUARK (umt-meeting-error-quark, umt_meeting_error)
