/* umt-tray.h: what the tray icon shows and offers, whatever draws it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "umt-device-manager.h"

G_BEGIN_DECLS

/* The menu, in order. Separators are the backends' business. */
typedef enum
{
  UMT_TRAY_ITEM_OPEN = 1,
  UMT_TRAY_ITEM_SEND_HEARTBEAT,
  UMT_TRAY_ITEM_COPY_DEVICE_KEY,
  UMT_TRAY_ITEM_PAUSE_RESUME,
  UMT_TRAY_ITEM_QUIT,
} UmtTrayItem;

#define UMT_TRAY_N_ITEMS 5

/* What changed, for the backends to tell their host only that. */
typedef enum
{
  UMT_TRAY_CHANGED_ICON    = 1 << 0,
  UMT_TRAY_CHANGED_STATUS  = 1 << 1,
  UMT_TRAY_CHANGED_TOOLTIP = 1 << 2,
  UMT_TRAY_CHANGED_MENU    = 1 << 3,
} UmtTrayChanges;

#define UMT_TYPE_TRAY (umt_tray_get_type ())

G_DECLARE_FINAL_TYPE (UmtTray, umt_tray, UMT, TRAY, GObject)

/* Signals:
 *   changed (UmtTrayChanges what)   emitted on the main context
 * Properties:
 *   host-available  gboolean: a tray host shows the icon (set by the backend)
 *
 * The menu's actions are the application's: app.activate-window,
 * app.send-heartbeat, app.copy-device-key, app.pause-heartbeat,
 * app.resume-heartbeat and app.quit (umt_tray_actions_install() adds the
 * ones the application lacks). */

/* A tray for @app fed by @manager's heartbeat; @manager may be NULL (the
 * profiles could not be read): the tray then offers Open and Quit. Starts
 * the platform's backend. */
UmtTray      *umt_tray_new                   (GApplication     *app,
                                              UmtDeviceManager *manager);

/* Creates the tray on @app when the show-tray-icon key of @settings is on,
 * follows that key, and drops the tray when the application shuts down.
 * Also installs the tray's application actions. */
void          umt_tray_install               (GApplication     *app,
                                              GSettings        *settings,
                                              UmtDeviceManager *manager);
/* The tray umt_tray_install() made, or NULL. */
UmtTray      *umt_tray_get_for_application   (GApplication     *app);

GApplication *umt_tray_get_application       (UmtTray          *self);
/* "umt-heartbeat-active-symbolic"… */
const char   *umt_tray_get_icon_name         (UmtTray          *self);
/* A directory holding hicolor/scalable/status/<icon name>.svg, for hosts
 * that do not have the application's icons installed in their theme. */
const char   *umt_tray_get_icon_theme_path   (UmtTray          *self);
/* StatusNotifierItem terms: "Active", "Passive" or "NeedsAttention" */
const char   *umt_tray_get_status            (UmtTray          *self);
const char   *umt_tray_get_title             (UmtTray          *self);
const char   *umt_tray_get_tooltip_title     (UmtTray          *self);
/* "Last heartbeat 12:03:45 — device <key>", or why it stopped */
const char   *umt_tray_get_tooltip_body      (UmtTray          *self);
/* At most 96 characters, for the Background portal: "Heartbeat active — last 12:03" */
const char   *umt_tray_get_background_status (UmtTray          *self);

const char   *umt_tray_get_item_label        (UmtTray          *self,
                                              UmtTrayItem       item);
gboolean      umt_tray_get_item_sensitive    (UmtTray          *self,
                                              UmtTrayItem       item);
/* Runs the item's application action (a click on it). */
void          umt_tray_activate_item         (UmtTray          *self,
                                              UmtTrayItem       item);
/* The primary click: opens the window. The secondary one sends a beat. */
void          umt_tray_activate              (UmtTray          *self);
void          umt_tray_secondary_activate    (UmtTray          *self);

gboolean      umt_tray_get_host_available    (UmtTray          *self);
void          umt_tray_set_host_available    (UmtTray          *self,
                                              gboolean          available);

/* umt-tray-actions.c */
void          umt_tray_actions_install       (GApplication     *app,
                                              UmtDeviceManager *manager);

G_END_DECLS
