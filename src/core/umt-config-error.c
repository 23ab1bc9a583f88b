/* umt-config-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-config-error"

#include "config.h"

#include "umt-config-error.h"

G_DEFINE_QUARK (umt-config-error-quark, umt_config_error)
