/* umt-secret-store-wincred.c: tokens in the Windows Credential Manager
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-secret-store"

#include "config.h"

#include <string.h>

#include <windows.h>
#include <wincred.h>

#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-secret-store-private.h"

/* Credential Manager: one generic credential per secret, named so that the
 * entries are recognisable in the control panel. */
static gunichar2 *
make_target (UmtSecretKind  kind,
             const char    *id,
             const char    *server)
{
  const char *name = _umt_secret_store_kind_name (kind);
  g_autofree char *target = NULL;

  if (kind == UMT_SECRET_PROFILE_TOKEN)
    target = g_strdup_printf ("fr.ygsoft.UpdatesManagerTool/%s/%s@%s", name, id, server);
  else
    target = g_strdup_printf ("fr.ygsoft.UpdatesManagerTool/%s/%s", name, id);
  return g_utf8_to_utf16 (target, -1, NULL, NULL, NULL);
}

static void
set_win32_error (DWORD    code,
                 GError **error)
{
  g_autofree char *message = g_win32_error_message (code);

  if (code == ERROR_NO_SUCH_LOGON_SESSION)
    g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_NO_KEYRING,
                         _("Windows Credential Manager is not available in this session; "
                            "sign in interactively and try again."));
  else
    g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_KEYRING,
                 _("Windows Credential Manager refused the request (%s)."), message);
}

gboolean
umt_secret_store_store_sync (UmtSecretKind   kind,
                             const char     *id,
                             const char     *server,
                             const char     *secret,
                             GCancellable   *cancellable,
                             GError        **error)
{
  g_autofree gunichar2 *target = NULL;
  g_autofree gunichar2 *label = NULL;
  g_autofree char *label_utf8 = NULL;
  CREDENTIALW credential = { 0 };

  g_return_val_if_fail (secret != NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !_umt_secret_store_check_arguments (kind, id, server, error))
    return FALSE;

  target = make_target (kind, id, server);
  label_utf8 = _umt_secret_store_make_label (kind, id, server);
  label = g_utf8_to_utf16 (label_utf8, -1, NULL, NULL, NULL);
  credential.Type = CRED_TYPE_GENERIC;
  credential.TargetName = (LPWSTR) target;
  credential.Comment = (LPWSTR) label;
  credential.CredentialBlobSize = strlen (secret);
  credential.CredentialBlob = (LPBYTE) secret;
  credential.Persist = CRED_PERSIST_LOCAL_MACHINE;
  if (!CredWriteW (&credential, 0))
    {
      set_win32_error (GetLastError (), error);
      return FALSE;
    }
  return TRUE;
}

char *
umt_secret_store_lookup_sync (UmtSecretKind   kind,
                              const char     *id,
                              const char     *server,
                              GCancellable   *cancellable,
                              GError        **error)
{
  g_autofree gunichar2 *target = NULL;
  PCREDENTIALW credential = NULL;
  char *secret;

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !_umt_secret_store_check_arguments (kind, id, server, error))
    return NULL;

  target = make_target (kind, id, server);
  if (!CredReadW ((LPCWSTR) target, CRED_TYPE_GENERIC, 0, &credential))
    {
      DWORD code = GetLastError ();

      if (code != ERROR_NOT_FOUND)
        set_win32_error (code, error);
      return NULL;
    }
  secret = g_strndup ((const char *) credential->CredentialBlob, credential->CredentialBlobSize);
  SecureZeroMemory (credential->CredentialBlob, credential->CredentialBlobSize);
  CredFree (credential);
  return secret;
}

gboolean
umt_secret_store_clear_sync (UmtSecretKind   kind,
                             const char     *id,
                             const char     *server,
                             GCancellable   *cancellable,
                             GError        **error)
{
  g_autofree gunichar2 *target = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !_umt_secret_store_check_arguments (kind, id, server, error))
    return FALSE;

  target = make_target (kind, id, server);
  if (!CredDeleteW ((LPCWSTR) target, CRED_TYPE_GENERIC, 0) && GetLastError () != ERROR_NOT_FOUND)
    {
      set_win32_error (GetLastError (), error);
      return FALSE;
    }
  return TRUE;
}

/* Credential Manager calls are quick local RPCs, but still blocking: the
 * async functions run the sync ones in a worker thread. */
typedef enum { OP_STORE, OP_LOOKUP, OP_CLEAR } Operation;

typedef struct
{
  Operation      op;
  UmtSecretKind  kind;
  char          *id;
  char          *server;
  char          *secret;
} Request;

static void
request_free (gpointer data)
{
  Request *request = data;

  g_free (request->id);
  g_free (request->server);
  if (request->secret != NULL)
    SecureZeroMemory (request->secret, strlen (request->secret));
  g_free (request->secret);
  g_free (request);
}

static void
run_request (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Request *request = task_data;
  GError *error = NULL;

  switch (request->op)
    {
    case OP_STORE:
      if (umt_secret_store_store_sync (request->kind, request->id, request->server,
                                       request->secret, cancellable, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      break;
    case OP_LOOKUP:
      {
        char *secret = umt_secret_store_lookup_sync (request->kind, request->id, request->server,
                                                     cancellable, &error);
        if (error != NULL)
          g_task_return_error (task, error);
        else
          g_task_return_pointer (task, secret, g_free);
      }
      break;
    case OP_CLEAR:
      if (umt_secret_store_clear_sync (request->kind, request->id, request->server,
                                       cancellable, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      break;
    }
}

static void
start_request (Operation            op,
               gpointer             source_tag,
               UmtSecretKind        kind,
               const char          *id,
               const char          *server,
               const char          *secret,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  g_task_set_source_tag (task, source_tag);
  request->op = op;
  request->kind = kind;
  request->id = g_strdup (id);
  request->server = g_strdup (server);
  request->secret = g_strdup (secret);
  g_task_set_task_data (task, request, request_free);
  g_task_run_in_thread (task, run_request);
}

void
umt_secret_store_store_async (UmtSecretKind kind, const char *id, const char *server,
                              const char *secret, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  start_request (OP_STORE, umt_secret_store_store_async, kind, id, server, secret,
                 cancellable, callback, user_data);
}

void
umt_secret_store_lookup_async (UmtSecretKind kind, const char *id, const char *server,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  start_request (OP_LOOKUP, umt_secret_store_lookup_async, kind, id, server, NULL,
                 cancellable, callback, user_data);
}

void
umt_secret_store_clear_async (UmtSecretKind kind, const char *id, const char *server,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  start_request (OP_CLEAR, umt_secret_store_clear_async, kind, id, server, NULL,
                 cancellable, callback, user_data);
}
