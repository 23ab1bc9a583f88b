/* umt-posix-win32.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <windows.h>

#include "umt-posix.h"

void
explicit_bzero (void   *buffer,
                size_t  length)
{
  SecureZeroMemory (buffer, length);
}
