/* umt-ssh-keygen.c: making the device's key pair with OpenSSH's ssh-keygen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-ssh-keygen"

#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "umt-paths.h"
#include "umt-ssh-key.h"
#include "umt-ssh-keygen.h"

#define KEY_FILE_NAME "id_ed25519"
#define COMMENT_PREFIX "updates-manager-tool@"

static char *
sanitized_comment (const char *name)
{
  g_autofree char *copy = g_strdup (name != NULL && *name != '\0' ? name : g_get_host_name ());

  /* One word: ssh-keygen writes the comment into the key line as is. */
  g_strcanon (copy, G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS "._-", '-');
  return g_strconcat (COMMENT_PREFIX, copy, NULL);
}

static gboolean
run_keygen (const char * const  *argv,
            GCancellable        *cancellable,
            char               **standard_output,
            GError             **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *err_text = NULL;

  /* stdin is a pipe closed at once, so ssh-keygen can never wait for an answer. */
  process = g_subprocess_newv (argv,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE |
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &local_error);
  if (process == NULL)
    {
      g_set_error (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_KEYGEN_FAILED,
                   _("Could not run ssh-keygen: %s."), local_error->message);
      return FALSE;
    }
  if (!g_subprocess_communicate_utf8 (process, NULL, cancellable, standard_output, &err_text,
                                      &local_error))
    {
      g_subprocess_force_exit (process);
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_KEYGEN_FAILED,
                     _("ssh-keygen failed: %s."), local_error->message);
      return FALSE;
    }
  if (!g_subprocess_get_successful (process))
    {
      g_set_error (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_KEYGEN_FAILED,
                   _("ssh-keygen failed: %s."),
                   err_text != NULL && *g_strstrip (err_text) != '\0' ? err_text : _("no reason given"));
      return FALSE;
    }
  return TRUE;
}

static char *
find_keygen (GError **error)
{
  char *path = g_find_program_in_path ("ssh-keygen");

  if (path == NULL)
    g_set_error_literal (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_NO_KEYGEN,
                         _("Install OpenSSH's ssh-keygen (package openssh-client) to make the "
                           "device's SSH key."));
  return path;
}

static void
remove_keygen_dir (const char *path)
{
  g_autofree char *private_key = g_build_filename (path, KEY_FILE_NAME, NULL);
  g_autofree char *public_key = g_build_filename (path, KEY_FILE_NAME ".pub", NULL);

  g_unlink (private_key);
  g_unlink (public_key);
  g_rmdir (path);
}

/* Like rename(), but fails with EEXIST rather than replace @to. */
static gboolean
place_without_replacing (const char *from,
                         const char *to)
{
#ifdef G_OS_UNIX
  return link (from, to) == 0;
#else
  if (g_file_test (to, G_FILE_TEST_EXISTS))
    {
      errno = EEXIST;
      return FALSE;
    }
  return g_rename (from, to) == 0;
#endif
}

/* ssh-keygen writes into a fresh folder of its own, then the private key is
 * linked into place: link() fails when another process got there first,
 * and then its pair is the one kept. The public key follows; a reader that
 * comes in between derives it from the private key. */
gboolean
umt_ssh_keygen_generate (const char    *directory,
                         const char    *private_key_path,
                         const char    *public_key_path,
                         const char    *name,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autofree char *keygen = NULL;
  g_autofree char *template = NULL;
  g_autofree char *work_dir = NULL;
  g_autofree char *private_key = NULL;
  g_autofree char *public_key = NULL;
  g_autofree char *comment = sanitized_comment (name);
  gboolean ok = FALSE;

  if ((keygen = find_keygen (error)) == NULL)
    return FALSE;

  template = g_build_filename (directory, ".keygen-XXXXXX", NULL);
  work_dir = g_mkdtemp_full (template, 0700);
  if (work_dir == NULL)
    {
      int saved = errno;
      g_set_error (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_IO,
                   _("Could not create a folder in %s: %s."), directory, g_strerror (saved));
      return FALSE;
    }
  g_steal_pointer (&template);
  private_key = g_build_filename (work_dir, KEY_FILE_NAME, NULL);
  public_key = g_build_filename (work_dir, KEY_FILE_NAME ".pub", NULL);

  {
    const char * const argv[] = {
      keygen, "-t", "ed25519", "-N", "", "-C", comment, "-f", private_key, "-q", NULL
    };

    if (!run_keygen (argv, cancellable, NULL, error))
      goto out;
  }

  if (g_chmod (private_key, 0600) != 0 || g_chmod (public_key, 0600) != 0)
    {
      int saved = errno;
      g_set_error (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_IO,
                   _("Could not restrict access to the new SSH key: %s."), g_strerror (saved));
      goto out;
    }

  if (!place_without_replacing (private_key, private_key_path))
    {
      int saved = errno;

      if (saved == EEXIST)
        {
          g_debug ("The SSH key was made by someone else meanwhile; keeping that pair");
          ok = TRUE;
        }
      else
        g_set_error (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_IO,
                     _("Could not save the SSH key as %s: %s."), private_key_path, g_strerror (saved));
      goto out;
    }
  if (g_rename (public_key, public_key_path) != 0)
    {
      int saved = errno;
      g_set_error (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_IO,
                   _("Could not save the SSH public key as %s: %s."), public_key_path, g_strerror (saved));
      goto out;
    }
  g_message ("Made the device's SSH key %s", private_key_path);
  ok = TRUE;

out:
  remove_keygen_dir (work_dir);
  return ok;
}

/* A private key without its public half (lost, or the other process is
 * between its two steps): ssh-keygen -y gives it back. */
gboolean
umt_ssh_keygen_derive_public_key (const char    *private_key_path,
                                  const char    *public_key_path,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_autofree char *keygen = NULL;
  g_autofree char *line = NULL;
  g_autofree char *contents = NULL;
  const char * argv[] = { NULL, "-y", "-f", private_key_path, NULL };

  if ((keygen = find_keygen (error)) == NULL)
    return FALSE;
  argv[0] = keygen;
  if (!run_keygen (argv, cancellable, &line, error))
    return FALSE;
  contents = g_strconcat (g_strstrip (line), "\n", NULL);
  return umt_paths_write_atomic (public_key_path, contents, -1, error);
}
