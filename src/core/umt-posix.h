/* umt-posix.h: the few POSIX calls of the core that MinGW-w64 lacks, for Windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Include it instead of <fcntl.h> and <string.h> where O_CLOEXEC or
 * explicit_bzero() are used; umt-posix-win32.c provides them on Windows.
 */
#pragma once

#include <fcntl.h>
#include <string.h>

#include <glib.h>

#ifdef G_OS_WIN32
/* Windows: a descriptor no child process inherits. */
# define O_CLOEXEC _O_NOINHERIT

void explicit_bzero (void *buffer,
                     size_t length);
#endif
