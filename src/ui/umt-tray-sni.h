/* umt-tray-sni.h: the tray as a StatusNotifierItem with a D-Bus menu
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "umt-tray.h"

G_BEGIN_DECLS

#define UMT_TYPE_TRAY_SNI (umt_tray_sni_get_type ())

G_DECLARE_FINAL_TYPE (UmtTraySni, umt_tray_sni, UMT, TRAY_SNI, GObject)

/* Exports /StatusNotifierItem (org.kde.StatusNotifierItem) and /MenuBar
 * (com.canonical.dbusmenu) on the session bus, showing @tray, and registers
 * them with org.kde.StatusNotifierWatcher whenever one is there. Tells
 * @tray whether a host shows it (umt_tray_set_host_available()). @tray
 * must outlive the backend. */
UmtTraySni *umt_tray_sni_new          (UmtTray    *tray);

/* The bus name registered with the watcher: the well-known
 * org.kde.StatusNotifierItem-<pid>-<n>, or the unique name where owning one
 * is forbidden; NULL before the bus is reached. */
const char *umt_tray_sni_get_bus_name (UmtTraySni *self);

G_END_DECLS
