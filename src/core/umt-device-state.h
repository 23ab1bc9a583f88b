/* umt-device-state.h: device_info.json, what the device remembers of its registration
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "umt-device-info.h"

G_BEGIN_DECLS

#define UMT_TYPE_DEVICE_STATE (umt_device_state_get_type ())
G_DECLARE_FINAL_TYPE (UmtDeviceState, umt_device_state, UMT, DEVICE_STATE, GObject)

/* The file (config dir/device_info.json, 0600 in a 0700 dir):
 *   {"device_key", "device_info":{ip_address, ip_lan, ip_public, mac, note, cluster_ip},
 *    "registered_at":"YYYY-MM-DD HH:MM:SS", "server_url", "profile"}
 * No token is ever written to it (token fields of legacy files are dropped).
 * Properties (all notify): "device-key", "registered-at", "server-url",
 * "profile", "device-info" (UmtDeviceInfo), "registered" (read-only:
 * a device key is set). */

/* Not registered, nothing set. */
UmtDeviceState *umt_device_state_new              (void);

/* Reads device_info.json (running the one-time legacy import first).
 * A missing file gives a not-registered state, no error.
 * A file that doesn't parse is renamed device_info.json.corrupt-<timestamp>
 * and NULL is returned with UMT_CONFIG_ERROR_CORRUPT naming that file: the
 * caller reports it and carries on with umt_device_state_new() (not
 * registered). Other read failures: UMT_CONFIG_ERROR_IO. */
UmtDeviceState *umt_device_state_load             (GError         **error);

/* Takes what another process wrote to the file since (a registration, an
 * unregistration), notifying what changed. A file that does not parse is an
 * UMT_CONFIG_ERROR_CORRUPT and changes nothing (the next start sets it aside). */
gboolean        umt_device_state_reload           (UmtDeviceState  *self,
                                                   GError         **error);

/* Writes the file atomically; creates the directory (0700) if needed. */
gboolean        umt_device_state_save             (UmtDeviceState  *self,
                                                   GError         **error);

/* Whether a state file can be written now: the directory made, a file of
 * more than its size written and removed next to it. A registration spends
 * its one-time token: this is asked before. UMT_CONFIG_ERROR_IO if not. */
gboolean        umt_device_state_check_writable   (GError         **error);

/* Unregister: forgets everything in memory and removes the file
 * (a missing file is fine). */
gboolean        umt_device_state_clear            (UmtDeviceState  *self,
                                                   GError         **error);

/* After a successful registration: sets the fields, registered_at to now
 * (local time), and saves. */
gboolean        umt_device_state_mark_registered  (UmtDeviceState  *self,
                                                   const char      *device_key,
                                                   const char      *server_url,
                                                   const char      *profile,
                                                   UmtDeviceInfo   *device_info,
                                                   GError         **error);

gboolean        umt_device_state_get_registered   (UmtDeviceState  *self);
const char     *umt_device_state_get_device_key   (UmtDeviceState  *self);
const char     *umt_device_state_get_registered_at (UmtDeviceState *self);
const char     *umt_device_state_get_server_url   (UmtDeviceState  *self);
const char     *umt_device_state_get_profile      (UmtDeviceState  *self);
UmtDeviceInfo  *umt_device_state_get_device_info  (UmtDeviceState  *self);

/* Setters validate (device key, URL with http allowed: the profile decided
 * that when it was used) and do not save. */
gboolean        umt_device_state_set_device_key   (UmtDeviceState  *self,
                                                   const char      *device_key,
                                                   GError         **error);
gboolean        umt_device_state_set_server_url   (UmtDeviceState  *self,
                                                   const char      *server_url,
                                                   GError         **error);
void            umt_device_state_set_profile      (UmtDeviceState  *self,
                                                   const char      *profile);
void            umt_device_state_set_registered_at (UmtDeviceState *self,
                                                   const char      *registered_at);
void            umt_device_state_set_device_info  (UmtDeviceState  *self,
                                                   UmtDeviceInfo   *device_info);

/* Where the file lives (config dir/device_info.json). */
char           *umt_device_state_get_path         (void);

G_END_DECLS
