/* umt-device-info.h: what the device tells the server about itself
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define UMT_DEVICE_INFO_DEFAULT_NOTE          "Updates Manager Tool"
#define UMT_DEVICE_INFO_DEFAULT_PUBLIC_IP_URL "https://api.ipify.org?format=json"

typedef enum
{
  UMT_DEVICE_INFO_FLAGS_NONE           = 0,
  UMT_DEVICE_INFO_FLAGS_NO_PUBLIC_IP   = 1 << 0, /* the user switched the lookup off */
  UMT_DEVICE_INFO_FLAGS_REFRESH_PUBLIC_IP = 1 << 1, /* ignore the 10-minute cache */
} UmtDeviceInfoFlags;

#define UMT_TYPE_DEVICE_INFO (umt_device_info_get_type ())
G_DECLARE_FINAL_TYPE (UmtDeviceInfo, umt_device_info, UMT, DEVICE_INFO, GObject)

/* Immutable once built: safe to hand from a worker thread to the main one.
 * Every getter returns NULL for a value that is unknown or did not pass the
 * server's rules (such values are never kept). */

/* Blocking and thread-safe: the heartbeat worker calls it. Reads the primary
 * interface (the one holding the default route), its MAC, the host name,
 * and asks @public_ip_url (NULL: the default) for the public address with a
 * 5 s timeout, cached 10 minutes per URL (a failure 2 minutes, so an
 * unreachable service does not slow every beat). @note NULL means the default note;
 * @cluster_ip may be NULL. Never fails: what cannot be found is left out. */
UmtDeviceInfo *umt_device_info_collect        (const char          *note,
                                               const char          *cluster_ip,
                                               const char          *public_ip_url,
                                               UmtDeviceInfoFlags   flags,
                                               GCancellable        *cancellable);

/* The same in a worker thread, for the interface. */
void           umt_device_info_collect_async  (const char          *note,
                                               const char          *cluster_ip,
                                               const char          *public_ip_url,
                                               UmtDeviceInfoFlags   flags,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
UmtDeviceInfo *umt_device_info_collect_finish (GAsyncResult        *result,
                                               GError             **error);

/* Rebuilds from a saved object (device_info.json's "device_info"); fields
 * that don't pass validation and unknown fields are dropped. */
UmtDeviceInfo *umt_device_info_new_from_json  (JsonObject          *object);

/* The fields the server documents for register and online bodies, only
 * those known: ip_address, ip_lan, ip_public, mac, cluster_ip, note.
 * The host name is not among them. Returns a new object. */
JsonObject    *umt_device_info_to_json        (UmtDeviceInfo       *self);

const char    *umt_device_info_get_ip_address (UmtDeviceInfo       *self);
const char    *umt_device_info_get_ip_lan     (UmtDeviceInfo       *self);
const char    *umt_device_info_get_ip_public  (UmtDeviceInfo       *self);
const char    *umt_device_info_get_mac        (UmtDeviceInfo       *self);
const char    *umt_device_info_get_cluster_ip (UmtDeviceInfo       *self);
const char    *umt_device_info_get_note       (UmtDeviceInfo       *self);
const char    *umt_device_info_get_hostname   (UmtDeviceInfo       *self);
/* The name of the primary interface ("eth0"), for diagnostics. */
const char    *umt_device_info_get_interface  (UmtDeviceInfo       *self);

/* Forgets cached public addresses (tests, "refresh" in the interface). */
void           umt_device_info_clear_public_ip_cache (void);

G_END_DECLS
