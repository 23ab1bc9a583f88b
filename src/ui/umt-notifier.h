/* umt-notifier.h: desktop notifications about the device while nobody looks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "umt-device-manager.h"

G_BEGIN_DECLS

/* Stable notification ids: a newer notification of the same id replaces
 * the older one on the desktop. */
#define UMT_NOTIFICATION_HEARTBEAT     "heartbeat"
#define UMT_NOTIFICATION_REGISTRATION  "registration"
#define UMT_NOTIFICATION_KEEPS_RUNNING "no-tray-host"

#define UMT_TYPE_NOTIFIER (umt_notifier_get_type ())

G_DECLARE_FINAL_TYPE (UmtNotifier, umt_notifier, UMT, NOTIFIER, GObject)

/* Watches @manager's heartbeat and registration and tells @app's user,
 * while the "notifications" key of @settings is on:
 *   "Heartbeat stopped" (with the reason) when the engine gives up,
 *   "Heartbeat recovered" at the first accepted beat after such a stop,
 *   "Device registered" when a registration completes.
 * Clicking one runs app.activate-window. Dispose the notifier before
 * stopping the heartbeat on purpose (quitting is no news). */
UmtNotifier *umt_notifier_new (GApplication     *app,
                               GSettings        *settings,
                               UmtDeviceManager *manager);

/* TRUE when a notification server (or, in Flatpak, the portal) is there
 * to show what g_application_send_notification() sends; without one GIO
 * complains, so every sender asks first. */
gboolean     umt_notifier_server_available (GApplication *app);

/* Tells the user that the application goes on in the background and how to
 * open it again (@body), once: the told-keeps-running key of @settings
 * remembers it across launches. */
void         umt_notifier_tell_keeps_running (GApplication *app,
                                              GSettings    *settings,
                                              const char   *body);

G_END_DECLS
