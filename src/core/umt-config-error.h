/* umt-config-error.h: what can go wrong with local configuration, state and secrets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define UMT_CONFIG_ERROR (umt_config_error_quark ())

/* The message of every GError in this domain is one plain sentence that a
 * user can act on; front ends show it as is. */
typedef enum
{
  UMT_CONFIG_ERROR_INVALID_INPUT,  /* a value (key, token, URL, address, note…) is malformed */
  UMT_CONFIG_ERROR_CORRUPT,        /* a state file did not parse; it was set aside */
  UMT_CONFIG_ERROR_IO,             /* a file or directory could not be read or written */
  UMT_CONFIG_ERROR_NOT_FOUND,      /* no profile of that name */
  UMT_CONFIG_ERROR_EXISTS,         /* a profile of that name exists already */
  UMT_CONFIG_ERROR_NO_KEYRING,     /* no Secret Service (or Credential Manager) answered */
  UMT_CONFIG_ERROR_KEYRING_LOCKED, /* the keyring collection is locked or the prompt was dismissed */
  UMT_CONFIG_ERROR_KEYRING,        /* any other keyring failure */
} UmtConfigError;

GQuark umt_config_error_quark (void);

G_END_DECLS
