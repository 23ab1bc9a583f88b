/* umt-device-info-private.h: between umt-device-info.c and its platform's file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "umt-device-info.h"

G_BEGIN_DECLS

typedef struct
{
  char *name;          /* the interface's, "eth0" */
  char *ipv4;          /* first IPv4 of the interface */
  char *ipv4_private;  /* first private IPv4 */
  char *ipv6;          /* first global or unique local IPv6, used when no IPv4 */
  char *ipv6_private;
  char *mac;
} UmtInterfaceInfo;

/* Fills @info from the interface that holds the default route
 * (umt-device-info-unix.c, umt-device-info-win32.c); leaves it empty when
 * there is none. */
void   _umt_find_primary_interface      (UmtInterfaceInfo *info);

/* Keeps @address in @info's fields it fits, unless loopback, link-local,
 * unspecified or multicast. */
void   _umt_interface_info_add_address (UmtInterfaceInfo *info,
                                         GInetAddress     *address);
/* "AA:BB:…" for a 6-byte hardware address that is not all zeros, else NULL. */
char  *_umt_format_mac                  (const guint8     *bytes,
                                         gsize             length);

G_END_DECLS
