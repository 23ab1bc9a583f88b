/* sshd-test-util.h: a throwaway sshd, and ssh into it, for the tunnel's end-to-end tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* sshd on a free loopback port (not 22), with a host key and one authorized user
 * key of its own and no PAM, its files in a directory of its own. */
typedef struct {
  GSubprocess *process;
  guint16      port;
  char        *dir;
  char        *user_key;
} TestSshd;

/* NULL when sshd or ssh is not installed (tools/test installs openssh-server). */
TestSshd *test_sshd_start (void);
void      test_sshd_stop  (TestSshd *sshd);

/* Through @port (the public port of the server's ssh service), ssh into @sshd: runs a
 * command and pipes 4 MiB through `cat`, and asserts that both come back intact. */
void      test_sshd_check_through (TestSshd *sshd,
                                   guint16   port);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestSshd, test_sshd_stop)

G_END_DECLS
