/* umt-secret-store-credentials-win32.c: no system service on Windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The systemd credential of the system service has no Windows counterpart:
 * `umt --system register` is refused before anything irreversible, and the
 * other functions of the header are never called (their only caller,
 * umt-secret-store-libsecret.c, is not built here).
 */
#define G_LOG_DOMAIN "umt-secret-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-secret-store-credentials.h"

gboolean
umt_secret_store_credentials_check_writable (GError **error)
{
  g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_NO_KEYRING,
                       _("The system service exists only on Linux with systemd; on Windows, "
                         "register without --system."));
  return FALSE;
}
