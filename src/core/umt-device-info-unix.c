/* umt-device-info-unix.c: the primary interface from the routing table and getifaddrs()
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-device-info"

#include "config.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#ifdef __linux__
#include <linux/if_packet.h>
#endif

#include "umt-device-info-private.h"

/* /proc/net/route: "Iface Destination Gateway Flags RefCnt Use Metric Mask …",
 * hexadecimal fields. The default route has destination and mask 0; with
 * several, the lowest metric wins, as in the kernel. */
static char *
default_route_interface (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  char *best = NULL;
  guint64 best_metric = G_MAXUINT64;

  if (!g_file_get_contents ("/proc/net/route", &contents, NULL, NULL))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
      g_autoptr(GPtrArray) columns = g_ptr_array_new ();
      guint64 flags, metric;

      for (guint j = 0; fields[j] != NULL; j++)
        if (*fields[j] != '\0')
          g_ptr_array_add (columns, fields[j]);
      if (columns->len < 8)
        continue;

      flags = g_ascii_strtoull (columns->pdata[3], NULL, 16);
      metric = g_ascii_strtoull (columns->pdata[6], NULL, 10);
      if (g_strcmp0 (columns->pdata[1], "00000000") != 0 ||
          g_strcmp0 (columns->pdata[7], "00000000") != 0 ||
          (flags & 0x1) == 0 /* RTF_UP */)
        continue;
      if (best == NULL || metric < best_metric)
        {
          g_free (best);
          best = g_strdup (columns->pdata[0]);
          best_metric = metric;
        }
    }
  return best;
}

void
_umt_find_primary_interface (UmtInterfaceInfo *info)
{
  struct ifaddrs *list = NULL;
  g_autofree char *primary = default_route_interface ();

  if (getifaddrs (&list) != 0)
    return;

  /* Without a default route (offline, IPv6 only), fall back to the first
   * interface that is up and not loopback, so the LAN address is known. */
  if (primary == NULL)
    {
      for (struct ifaddrs *ifa = list; ifa != NULL && primary == NULL; ifa = ifa->ifa_next)
        if (ifa->ifa_addr != NULL && (ifa->ifa_flags & IFF_UP) &&
            !(ifa->ifa_flags & IFF_LOOPBACK) &&
            (ifa->ifa_addr->sa_family == AF_INET || ifa->ifa_addr->sa_family == AF_INET6))
          primary = g_strdup (ifa->ifa_name);
    }

  if (primary != NULL)
    {
      info->name = g_strdup (primary);
      for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
        {
          if (ifa->ifa_addr == NULL || g_strcmp0 (ifa->ifa_name, primary) != 0)
            continue;

          if (ifa->ifa_addr->sa_family == AF_INET || ifa->ifa_addr->sa_family == AF_INET6)
            {
              gsize len = ifa->ifa_addr->sa_family == AF_INET ? sizeof (struct sockaddr_in)
                                                               : sizeof (struct sockaddr_in6);
              g_autoptr(GSocketAddress) sockaddr =
                g_socket_address_new_from_native (ifa->ifa_addr, len);

              if (G_IS_INET_SOCKET_ADDRESS (sockaddr))
                {
                  GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (sockaddr);

                  _umt_interface_info_add_address (info, g_inet_socket_address_get_address (inet));
                }
            }
#ifdef __linux__
          else if (ifa->ifa_addr->sa_family == AF_PACKET && info->mac == NULL)
            {
              const struct sockaddr_ll *ll = (const struct sockaddr_ll *) ifa->ifa_addr;
              info->mac = _umt_format_mac (ll->sll_addr, ll->sll_halen);
            }
#endif
        }
    }

  freeifaddrs (list);
}
