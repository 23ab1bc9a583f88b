/* umt-device-info.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-device-info"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "umt-device-info-private.h"
#include "umt-validate.h"

#define PUBLIC_IP_TIMEOUT_SECONDS 5
#define PUBLIC_IP_CACHE_SECONDS   (10 * 60)
/* A failed lookup is not retried at every heartbeat: when the service is
 * unreachable each attempt can cost the whole timeout. */
#define PUBLIC_IP_RETRY_SECONDS   (2 * 60)
#define PUBLIC_IP_MAX_BODY        4096

struct _UmtDeviceInfo
{
  GObject parent_instance;

  char *ip_address;
  char *ip_lan;
  char *ip_public;
  char *mac;
  char *cluster_ip;
  char *note;
  char *hostname;
  char *interface;
};

G_DEFINE_FINAL_TYPE (UmtDeviceInfo, umt_device_info, G_TYPE_OBJECT)

static void
umt_device_info_finalize (GObject *object)
{
  UmtDeviceInfo *self = UMT_DEVICE_INFO (object);

  g_free (self->ip_address);
  g_free (self->ip_lan);
  g_free (self->ip_public);
  g_free (self->mac);
  g_free (self->cluster_ip);
  g_free (self->note);
  g_free (self->hostname);
  g_free (self->interface);

  G_OBJECT_CLASS (umt_device_info_parent_class)->finalize (object);
}

static void
umt_device_info_class_init (UmtDeviceInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = umt_device_info_finalize;
}

static void
umt_device_info_init (UmtDeviceInfo *self)
{
}

/* Takes @value and keeps it only if @check accepts it: a value the server
 * would refuse is better not sent at all. */
static void
take_checked (char       **field,
              char        *value,
              gboolean   (*check) (const char *, GError **),
              const char  *what)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (field, g_free);
  if (value == NULL)
    return;
  if (!check (value, &error))
    {
      g_debug ("Leaving out %s: %s", what, error->message);
      g_free (value);
      return;
    }
  *field = value;
}

/* Site-local (RFC 1918) plus carrier-grade NAT and IPv6 unique local
 * addresses: what "LAN address" means to an administrator. */
static gboolean
address_is_private (GInetAddress *address)
{
  const guint8 *bytes = g_inet_address_to_bytes (address);

  if (g_inet_address_get_is_site_local (address))
    return TRUE;
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4)
    return bytes[0] == 100 && (bytes[1] & 0xc0) == 64;
  return (bytes[0] & 0xfe) == 0xfc;
}

static void
interface_info_clear (UmtInterfaceInfo *info)
{
  g_clear_pointer (&info->name, g_free);
  g_clear_pointer (&info->ipv4, g_free);
  g_clear_pointer (&info->ipv4_private, g_free);
  g_clear_pointer (&info->ipv6, g_free);
  g_clear_pointer (&info->ipv6_private, g_free);
  g_clear_pointer (&info->mac, g_free);
}

void
_umt_interface_info_add_address (UmtInterfaceInfo *info,
                                 GInetAddress     *address)
{
  gboolean is_private;

  if (g_inet_address_get_is_loopback (address) ||
      g_inet_address_get_is_link_local (address) ||
      g_inet_address_get_is_any (address) ||
      g_inet_address_get_is_multicast (address))
    return;

  is_private = address_is_private (address);
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4)
    {
      if (info->ipv4 == NULL)
        info->ipv4 = g_inet_address_to_string (address);
      if (is_private && info->ipv4_private == NULL)
        info->ipv4_private = g_inet_address_to_string (address);
    }
  else
    {
      if (info->ipv6 == NULL)
        info->ipv6 = g_inet_address_to_string (address);
      if (is_private && info->ipv6_private == NULL)
        info->ipv6_private = g_inet_address_to_string (address);
    }
}

char *
_umt_format_mac (const guint8 *bytes,
                 gsize         length)
{
  gboolean all_zero = TRUE;

  if (length != 6)
    return NULL;
  for (gsize i = 0; i < 6; i++)
    all_zero = all_zero && bytes[i] == 0;
  if (all_zero)
    return NULL;
  return g_strdup_printf ("%02X:%02X:%02X:%02X:%02X:%02X",
                          bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5]);
}

/* Public address cache, per lookup URL, shared by every thread. */
typedef struct
{
  char   *address; /* NULL: the last lookup failed */
  gint64  expires; /* monotonic µs */
} CachedAddress;

static GMutex      public_ip_lock;
static GHashTable *public_ip_cache;

static void
cached_address_free (gpointer data)
{
  CachedAddress *cached = data;

  g_free (cached->address);
  g_free (cached);
}

void
umt_device_info_clear_public_ip_cache (void)
{
  g_mutex_lock (&public_ip_lock);
  g_clear_pointer (&public_ip_cache, g_hash_table_unref);
  g_mutex_unlock (&public_ip_lock);
}

static gboolean
cache_lookup (const char  *url,
              char       **address)
{
  gboolean found = FALSE;

  g_mutex_lock (&public_ip_lock);
  if (public_ip_cache != NULL)
    {
      CachedAddress *cached = g_hash_table_lookup (public_ip_cache, url);

      if (cached != NULL && cached->expires > g_get_monotonic_time ())
        {
          *address = g_strdup (cached->address);
          found = TRUE;
        }
    }
  g_mutex_unlock (&public_ip_lock);
  return found;
}

static void
cache_store (const char *url,
             const char *address)
{
  CachedAddress *cached = g_new0 (CachedAddress, 1);

  cached->address = g_strdup (address);
  cached->expires = g_get_monotonic_time () +
                    (address != NULL ? PUBLIC_IP_CACHE_SECONDS : PUBLIC_IP_RETRY_SECONDS) * G_USEC_PER_SEC;

  g_mutex_lock (&public_ip_lock);
  if (public_ip_cache == NULL)
    public_ip_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cached_address_free);
  g_hash_table_replace (public_ip_cache, g_strdup (url), cached);
  g_mutex_unlock (&public_ip_lock);
}

/* json-glib 1.6 warns when a member has another type than asked; a
 * hand-edited file must not make the tool complain to the terminal. */
static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Services answer either {"ip":"…"} (ipify with format=json) or the bare
 * address as text (icanhazip, ifconfig.co); accept both. */
static char *
parse_public_ip (const char *body,
                 gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = g_strndup (body, length);

  if (json_parser_load_from_data (parser, text, -1, NULL))
    {
      JsonNode *root = json_parser_get_root (parser);

      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        {
          return g_strdup (get_string_member (json_node_get_object (root), "ip"));
        }
      return NULL;
    }
  return g_strdup (g_strstrip (text));
}

/* One session for every lookup, in any thread: blocking sends from several
 * threads on one session are allowed since libsoup 3.2, and the connection
 * it keeps serves the next lookup. */
static SoupSession *
public_ip_session (void)
{
  static SoupSession *session;

  if (g_once_init_enter (&session))
    g_once_init_leave (&session,
                       soup_session_new_with_options ("timeout", PUBLIC_IP_TIMEOUT_SECONDS,
                                                      "idle-timeout", PUBLIC_IP_TIMEOUT_SECONDS,
                                                      "user-agent",
                                                      PACKAGE_NAME "/" PACKAGE_VERSION,
                                                      NULL));
  return session;
}

static char *
fetch_public_ip (const char   *url,
                 GCancellable *cancellable)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *base_url = NULL;
  char body[PUBLIC_IP_MAX_BODY];
  gsize length = 0;

  /* Same rule as for servers (https, or http to this computer), except that
   * a lookup service may want a query such as ?format=json. */
  base_url = g_strndup (url, strcspn (url, "?"));
  if (!umt_validate_server_url (base_url, FALSE, &error))
    {
      g_debug ("Public address lookup skipped: %s", error->message);
      return NULL;
    }

  message = soup_message_new (SOUP_METHOD_GET, url);
  if (message == NULL)
    return NULL;

  stream = soup_session_send (public_ip_session (), message, cancellable, &error);
  if (stream == NULL)
    {
      g_debug ("Public address lookup at %s failed: %s", url, error->message);
      return NULL;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (message)))
    {
      g_debug ("Public address lookup at %s answered %u", url, soup_message_get_status (message));
      return NULL;
    }
  /* An address fits in a few bytes; never read more than a small page. */
  if (!g_input_stream_read_all (stream, body, sizeof body, &length, cancellable, &error))
    {
      g_debug ("Public address lookup at %s failed: %s", url, error->message);
      return NULL;
    }

  address = parse_public_ip (body, length);
  if (address == NULL || !umt_validate_ip_address (address, NULL))
    {
      g_debug ("Public address lookup at %s gave no valid address", url);
      return NULL;
    }
  return g_steal_pointer (&address);
}

static char *
lookup_public_ip (const char   *url,
                  gboolean      refresh,
                  GCancellable *cancellable)
{
  char *address = NULL;

  if (!refresh && cache_lookup (url, &address))
    return address;

  address = fetch_public_ip (url, cancellable);
  /* A cancelled lookup says nothing about the service. */
  if (!g_cancellable_is_cancelled (cancellable))
    cache_store (url, address);
  return address;
}

UmtDeviceInfo *
umt_device_info_collect (const char         *note,
                         const char         *cluster_ip,
                         const char         *public_ip_url,
                         UmtDeviceInfoFlags  flags,
                         GCancellable       *cancellable)
{
  UmtDeviceInfo *self = g_object_new (UMT_TYPE_DEVICE_INFO, NULL);
  UmtInterfaceInfo info = { 0 };

  _umt_find_primary_interface (&info);
  self->interface = g_steal_pointer (&info.name);
  take_checked (&self->ip_address,
                g_strdup (info.ipv4 != NULL ? info.ipv4 : info.ipv6),
                umt_validate_ip_address, "ip_address");
  take_checked (&self->ip_lan,
                g_strdup (info.ipv4_private != NULL ? info.ipv4_private : info.ipv6_private),
                umt_validate_ip_address, "ip_lan");
  take_checked (&self->mac, g_steal_pointer (&info.mac), umt_validate_mac, "mac");
  interface_info_clear (&info);

  self->hostname = g_strdup (g_get_host_name ());
  take_checked (&self->note, g_strdup (note != NULL ? note : UMT_DEVICE_INFO_DEFAULT_NOTE),
                umt_validate_note, "note");
  take_checked (&self->cluster_ip, g_strdup (cluster_ip), umt_validate_ip_address, "cluster_ip");

  if (!(flags & UMT_DEVICE_INFO_FLAGS_NO_PUBLIC_IP))
    self->ip_public = lookup_public_ip (public_ip_url != NULL ? public_ip_url
                                                              : UMT_DEVICE_INFO_DEFAULT_PUBLIC_IP_URL,
                                        (flags & UMT_DEVICE_INFO_FLAGS_REFRESH_PUBLIC_IP) != 0,
                                        cancellable);
  return self;
}

typedef struct
{
  char               *note;
  char               *cluster_ip;
  char               *public_ip_url;
  UmtDeviceInfoFlags  flags;
} CollectData;

static void
collect_data_free (gpointer data)
{
  CollectData *collect = data;

  g_free (collect->note);
  g_free (collect->cluster_ip);
  g_free (collect->public_ip_url);
  g_free (collect);
}

static void
collect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CollectData *collect = task_data;

  g_task_return_pointer (task,
                         umt_device_info_collect (collect->note, collect->cluster_ip,
                                                  collect->public_ip_url, collect->flags,
                                                  cancellable),
                         g_object_unref);
}

void
umt_device_info_collect_async (const char          *note,
                               const char          *cluster_ip,
                               const char          *public_ip_url,
                               UmtDeviceInfoFlags   flags,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  CollectData *collect = g_new0 (CollectData, 1);

  g_task_set_source_tag (task, umt_device_info_collect_async);
  collect->note = g_strdup (note);
  collect->cluster_ip = g_strdup (cluster_ip);
  collect->public_ip_url = g_strdup (public_ip_url);
  collect->flags = flags;
  g_task_set_task_data (task, collect, collect_data_free);
  g_task_run_in_thread (task, collect_thread);
}

UmtDeviceInfo *
umt_device_info_collect_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == umt_device_info_collect_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
dup_member (JsonObject *object,
            const char *name)
{
  return g_strdup (get_string_member (object, name));
}

UmtDeviceInfo *
umt_device_info_new_from_json (JsonObject *object)
{
  UmtDeviceInfo *self = g_object_new (UMT_TYPE_DEVICE_INFO, NULL);

  if (object == NULL)
    return self;

  take_checked (&self->ip_address, dup_member (object, "ip_address"), umt_validate_ip_address, "ip_address");
  take_checked (&self->ip_lan, dup_member (object, "ip_lan"), umt_validate_ip_address, "ip_lan");
  take_checked (&self->ip_public, dup_member (object, "ip_public"), umt_validate_ip_address, "ip_public");
  take_checked (&self->mac, dup_member (object, "mac"), umt_validate_mac, "mac");
  take_checked (&self->cluster_ip, dup_member (object, "cluster_ip"), umt_validate_ip_address, "cluster_ip");
  take_checked (&self->note, dup_member (object, "note"), umt_validate_note, "note");
  return self;
}

JsonObject *
umt_device_info_to_json (UmtDeviceInfo *self)
{
  JsonObject *object = json_object_new ();
  const struct { const char *name; const char *value; } fields[] = {
    { "ip_address", self->ip_address },
    { "ip_lan", self->ip_lan },
    { "ip_public", self->ip_public },
    { "mac", self->mac },
    { "cluster_ip", self->cluster_ip },
    { "note", self->note },
  };

  g_return_val_if_fail (UMT_IS_DEVICE_INFO (self), object);

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i].value != NULL)
      json_object_set_string_member (object, fields[i].name, fields[i].value);
  return object;
}

const char *
umt_device_info_get_ip_address (UmtDeviceInfo *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_INFO (self), NULL);
  return self->ip_address;
}

const char *
umt_device_info_get_ip_lan (UmtDeviceInfo *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_INFO (self), NULL);
  return self->ip_lan;
}

const char *
umt_device_info_get_ip_public (UmtDeviceInfo *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_INFO (self), NULL);
  return self->ip_public;
}

const char *
umt_device_info_get_mac (UmtDeviceInfo *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_INFO (self), NULL);
  return self->mac;
}

const char *
umt_device_info_get_cluster_ip (UmtDeviceInfo *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_INFO (self), NULL);
  return self->cluster_ip;
}

const char *
umt_device_info_get_note (UmtDeviceInfo *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_INFO (self), NULL);
  return self->note;
}

const char *
umt_device_info_get_hostname (UmtDeviceInfo *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_INFO (self), NULL);
  return self->hostname;
}

const char *
umt_device_info_get_interface (UmtDeviceInfo *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_INFO (self), NULL);
  return self->interface;
}
