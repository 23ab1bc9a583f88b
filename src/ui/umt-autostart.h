/* umt-autostart.h: the XDG autostart entry behind “Start at login”
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* $XDG_CONFIG_HOME/autostart/<app id>.desktop */
char     *umt_autostart_get_path    (void);

/* Copies the installed template (Exec=updates-manager-tool --background)
 * into the user's autostart directory, or removes it. The template is
 * $UMT_AUTOSTART_TEMPLATE when set (uninstalled runs and tests), else the
 * one in the package data directory. Removing an absent entry succeeds.
 * Inside Flatpak it asks the Background portal instead (asynchronously;
 * the portal asks the user). */
gboolean  umt_autostart_set_enabled (gboolean   enabled,
                                     GError   **error);

G_END_DECLS
