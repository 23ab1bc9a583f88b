/* umt-device-info-win32.c: the primary interface from GetAdaptersAddresses()
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-device-info"

#include "config.h"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <iphlpapi.h>

#include "umt-device-info-private.h"

/* The adapter that is up, has a gateway, and the lowest metric holds the
 * default route, as far as a device key is concerned. */
void
_umt_find_primary_interface (UmtInterfaceInfo *info)
{
  g_autofree IP_ADAPTER_ADDRESSES *adapters = NULL;
  IP_ADAPTER_ADDRESSES *best = NULL;
  ULONG flags = GAA_FLAG_INCLUDE_GATEWAYS | GAA_FLAG_SKIP_ANYCAST |
                GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER;
  ULONG size = 16 * 1024;
  ULONG status = ERROR_BUFFER_OVERFLOW;

  for (int attempt = 0; attempt < 3 && status == ERROR_BUFFER_OVERFLOW; attempt++)
    {
      g_free (adapters);
      adapters = g_malloc (size);
      status = GetAdaptersAddresses (AF_UNSPEC, flags, NULL, adapters, &size);
    }
  if (status != NO_ERROR)
    return;

  for (IP_ADAPTER_ADDRESSES *a = adapters; a != NULL; a = a->Next)
    {
      if (a->OperStatus != IfOperStatusUp || a->IfType == IF_TYPE_SOFTWARE_LOOPBACK ||
          a->FirstGatewayAddress == NULL)
        continue;
      if (best == NULL || a->Ipv4Metric < best->Ipv4Metric)
        best = a;
    }
  if (best == NULL)
    return;

  info->name = g_utf16_to_utf8 ((const gunichar2 *) best->FriendlyName, -1, NULL, NULL, NULL);
  info->mac = _umt_format_mac (best->PhysicalAddress, best->PhysicalAddressLength);
  for (IP_ADAPTER_UNICAST_ADDRESS *u = best->FirstUnicastAddress; u != NULL; u = u->Next)
    {
      g_autoptr(GSocketAddress) sockaddr =
        g_socket_address_new_from_native (u->Address.lpSockaddr, u->Address.iSockaddrLength);

      if (G_IS_INET_SOCKET_ADDRESS (sockaddr))
        {
          GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (sockaddr);

          _umt_interface_info_add_address (info, g_inet_socket_address_get_address (inet));
        }
    }
}
