/* umt-file-lock.h: a cross-process advisory lock around the edits of a state file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _UmtFileLock UmtFileLock;

/* Waits until no other process (nor another lock in this one) holds the lock
 * of @path, then holds it until umt_file_lock_release(). The lock lives in
 * "<dir>/.<name>.lock", a 0600 file that stays, so @path itself can be
 * replaced by rename while the lock is held. The directory must exist. */
UmtFileLock *umt_file_lock_acquire (const char   *path,
                                    GError      **error);
void         umt_file_lock_release (UmtFileLock  *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UmtFileLock, umt_file_lock_release)

/* Removes what a writer killed between its temporary file and the rename
 * left next to @path ("<name>.XXXXXX" from g_file_set_contents_full) when it
 * is older than a minute, so a writer at work is never robbed. Call it with
 * the lock of @path held. Returns how many were removed. */
guint        umt_file_lock_remove_stale_temporaries (const char *path);

G_END_DECLS
