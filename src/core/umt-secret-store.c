/* umt-secret-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-secret-store"

#include "config.h"

#include <string.h>

#ifdef G_OS_WIN32
#include <windows.h>
#include <wincred.h>
#else
#include <libsecret/secret.h>
#endif

#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-paths.h"
#include "umt-secret-store-credentials.h"
#include "umt-secret-store.h"

static const char *
kind_name (UmtSecretKind kind)
{
  switch (kind)
    {
    case UMT_SECRET_PROFILE_TOKEN:
      return "profile-token";
    case UMT_SECRET_REGISTRATION_TOKEN:
      return "registration-token";
    case UMT_SECRET_TUNNEL_TOKEN:
    default:
      return "tunnel-token";
    }
}

static gboolean
check_arguments (UmtSecretKind   kind,
                 const char     *id,
                 const char     *server,
                 GError        **error)
{
  if (id == NULL || *id == '\0' ||
      (kind == UMT_SECRET_PROFILE_TOKEN && (server == NULL || *server == '\0')))
    {
      g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                           _("No profile or device was given to find the token by."));
      return FALSE;
    }
  return TRUE;
}

static char *
make_label (UmtSecretKind  kind,
            const char    *id,
            const char    *server)
{
  if (kind == UMT_SECRET_PROFILE_TOKEN)
    return g_strdup_printf ("Updates Manager Tool token for profile “%s” (%s)", id, server);
  if (kind == UMT_SECRET_REGISTRATION_TOKEN)
    return g_strdup_printf ("Updates Manager Tool registration token of device %s", id);
  return g_strdup_printf ("Updates Manager Tool tunnel token for device %s", id);
}

#ifndef G_OS_WIN32

/* Our own schema rather than a generic one, so other apps' items never
 * match and the items are recognisable in Seahorse. */
static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    "fr.ygsoft.UpdatesManagerTool.Token", SECRET_SCHEMA_NONE,
    {
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };
  return &schema;
}

static GHashTable *
make_attributes (UmtSecretKind  kind,
                 const char    *id,
                 const char    *server)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, (gpointer) "kind", g_strdup (kind_name (kind)));
  if (kind == UMT_SECRET_PROFILE_TOKEN)
    g_hash_table_insert (attributes, (gpointer) "server", g_strdup (server));
  g_hash_table_insert (attributes, (gpointer) "id", g_strdup (id));
  return attributes;
}

/* libsecret reports a missing service as D-Bus or I/O errors; turn them
 * into one sentence that says what to do. */
static void
propagate_secret_error (GError  *source,
                        GError **error)
{
  if (g_error_matches (source, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, source);
      return;
    }

  if (g_error_matches (source, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
      g_error_matches (source, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED))
    g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_KEYRING_LOCKED,
                         _("The keyring is locked; unlock your login keyring (for example by "
                            "opening “Passwords and Keys”) and try again."));
  else if (source->domain == G_IO_ERROR ||
           g_error_matches (source, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
           g_error_matches (source, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
           g_error_matches (source, G_DBUS_ERROR, G_DBUS_ERROR_NO_SERVER) ||
           g_error_matches (source, G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED) ||
           g_error_matches (source, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_EXEC_FAILED) ||
           g_error_matches (source, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_CHILD_EXITED) ||
           g_error_matches (source, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND))
    g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_NO_KEYRING,
                         _("No keyring (Secret Service) is available to keep the token; install "
                           "and "
                            "start gnome-keyring (or KeePassXC with its Secret Service "
                            "integration) "
                            "and try again."));
  else
    g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_KEYRING,
                 _("The keyring refused the request (%s); make sure your login keyring exists "
                    "and is unlocked, then try again."), source->message);
  g_error_free (source);
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    {
      GError *mapped = NULL;

      propagate_secret_error (error, &mapped);
      g_task_return_error (task, mapped);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
umt_secret_store_store_async (UmtSecretKind        kind,
                              const char          *id,
                              const char          *server,
                              const char          *secret,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;
  GError *error = NULL;

  g_return_if_fail (secret != NULL);
  g_task_set_source_tag (task, umt_secret_store_store_async);

  if (!check_arguments (kind, id, server, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (umt_paths_is_system ())
    {
      umt_secret_store_credentials_run_task (task, kind, id, server, secret);
      return;
    }
  attributes = make_attributes (kind, id, server);
  label = make_label (kind, id, server);
  secret_password_storev (get_schema (), attributes, SECRET_COLLECTION_DEFAULT, label, secret,
                          cancellable, on_stored, g_steal_pointer (&task));
}

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    {
      GError *mapped = NULL;

      propagate_secret_error (error, &mapped);
      g_task_return_error (task, mapped);
      return;
    }
  /* Out of libsecret's non-pageable memory into ordinary memory: callers
   * free with g_free and cannot be expected to know the difference. */
  g_task_return_pointer (task, g_strdup (secret), g_free);
  secret_password_free (secret);
}

void
umt_secret_store_lookup_async (UmtSecretKind        kind,
                               const char          *id,
                               const char          *server,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GHashTable) attributes = NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, umt_secret_store_lookup_async);

  if (!check_arguments (kind, id, server, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (umt_paths_is_system ())
    {
      umt_secret_store_credentials_run_task (task, kind, id, server, NULL);
      return;
    }
  attributes = make_attributes (kind, id, server);
  secret_password_lookupv (get_schema (), attributes, cancellable, on_looked_up,
                           g_steal_pointer (&task));
}

static void
on_cleared (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error only means there was nothing to remove. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    {
      GError *mapped = NULL;

      propagate_secret_error (error, &mapped);
      g_task_return_error (task, mapped);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
umt_secret_store_clear_async (UmtSecretKind        kind,
                              const char          *id,
                              const char          *server,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GHashTable) attributes = NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, umt_secret_store_clear_async);

  if (!check_arguments (kind, id, server, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (umt_paths_is_system ())
    {
      umt_secret_store_credentials_run_task (task, kind, id, server, NULL);
      return;
    }
  attributes = make_attributes (kind, id, server);
  secret_password_clearv (get_schema (), attributes, cancellable, on_cleared,
                          g_steal_pointer (&task));
}

gboolean
umt_secret_store_store_sync (UmtSecretKind   kind,
                             const char     *id,
                             const char     *server,
                             const char     *secret,
                             GCancellable   *cancellable,
                             GError        **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (secret != NULL, FALSE);

  if (!check_arguments (kind, id, server, error))
    return FALSE;
  if (umt_paths_is_system ())
    return umt_secret_store_credentials_store_sync (kind, id, server, secret, cancellable, error);
  attributes = make_attributes (kind, id, server);
  label = make_label (kind, id, server);
  if (!secret_password_storev_sync (get_schema (), attributes, SECRET_COLLECTION_DEFAULT,
                                    label, secret, cancellable, &local_error))
    {
      propagate_secret_error (local_error, error);
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
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;
  char *secret;
  char *copy;

  if (!check_arguments (kind, id, server, error))
    return NULL;
  if (umt_paths_is_system ())
    return umt_secret_store_credentials_lookup_sync (kind, id, server, cancellable, error);
  attributes = make_attributes (kind, id, server);
  secret = secret_password_lookupv_sync (get_schema (), attributes, cancellable, &local_error);
  if (local_error != NULL)
    {
      propagate_secret_error (local_error, error);
      return NULL;
    }
  copy = g_strdup (secret);
  secret_password_free (secret);
  return copy;
}

gboolean
umt_secret_store_clear_sync (UmtSecretKind   kind,
                             const char     *id,
                             const char     *server,
                             GCancellable   *cancellable,
                             GError        **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;

  if (!check_arguments (kind, id, server, error))
    return FALSE;
  if (umt_paths_is_system ())
    return umt_secret_store_credentials_clear_sync (kind, id, server, cancellable, error);
  attributes = make_attributes (kind, id, server);
  secret_password_clearv_sync (get_schema (), attributes, cancellable, &local_error);
  if (local_error != NULL)
    {
      propagate_secret_error (local_error, error);
      return FALSE;
    }
  return TRUE;
}

#else /* G_OS_WIN32 */

/* Credential Manager: one generic credential per secret, named so that the
 * entries are recognisable in the control panel. */
static gunichar2 *
make_target (UmtSecretKind  kind,
             const char    *id,
             const char    *server)
{
  g_autofree char *target = NULL;

  if (kind == UMT_SECRET_PROFILE_TOKEN)
    target = g_strdup_printf ("fr.ygsoft.UpdatesManagerTool/%s/%s@%s", kind_name (kind), id, server);
  else
    target = g_strdup_printf ("fr.ygsoft.UpdatesManagerTool/%s/%s", kind_name (kind), id);
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
      !check_arguments (kind, id, server, error))
    return FALSE;

  target = make_target (kind, id, server);
  label_utf8 = make_label (kind, id, server);
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
      !check_arguments (kind, id, server, error))
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
      !check_arguments (kind, id, server, error))
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

#endif /* G_OS_WIN32 */

gboolean
umt_secret_store_store_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == umt_secret_store_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
umt_secret_store_lookup_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == umt_secret_store_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
umt_secret_store_clear_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == umt_secret_store_clear_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Both back ends: a token set for the tunnel wins over the registration's. */

char *
umt_secret_store_lookup_tunnel_token_sync (const char    *device_key,
                                           gboolean      *from_registration,
                                           GCancellable  *cancellable,
                                           GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  char *token;

  token = umt_secret_store_lookup_sync (UMT_SECRET_TUNNEL_TOKEN, device_key, NULL,
                                        cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (from_registration != NULL)
    *from_registration = token == NULL;
  if (token != NULL)
    return token;

  return umt_secret_store_lookup_sync (UMT_SECRET_REGISTRATION_TOKEN, device_key, NULL,
                                       cancellable, error);
}

typedef struct
{
  char     *token;
  gboolean  from_registration;
} TunnelToken;

static void
tunnel_token_free (TunnelToken *found)
{
  if (found->token != NULL)
    memset (found->token, 0, strlen (found->token));
  g_free (found->token);
  g_free (found);
}

static void
look_up_tunnel_token_in_thread (GTask        *task,
                                gpointer      source_object,
                                gpointer      task_data,
                                GCancellable *cancellable)
{
  TunnelToken *found = g_new0 (TunnelToken, 1);
  GError *error = NULL;

  found->token = umt_secret_store_lookup_tunnel_token_sync (task_data, &found->from_registration,
                                                            cancellable, &error);
  if (error != NULL)
    {
      tunnel_token_free (found);
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, found, (GDestroyNotify) tunnel_token_free);
}

void
umt_secret_store_lookup_tunnel_token_async (const char          *device_key,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, umt_secret_store_lookup_tunnel_token_async);
  g_task_set_task_data (task, g_strdup (device_key), g_free);
  g_task_run_in_thread (task, look_up_tunnel_token_in_thread);
}

char *
umt_secret_store_lookup_tunnel_token_finish (GAsyncResult  *result,
                                             gboolean      *from_registration,
                                             GError       **error)
{
  TunnelToken *found;
  char *token;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  found = g_task_propagate_pointer (G_TASK (result), error);
  if (found == NULL)
    return NULL;

  if (from_registration != NULL)
    *from_registration = found->from_registration;
  token = g_steal_pointer (&found->token);
  tunnel_token_free (found);
  return token;
}

gboolean
umt_secret_store_clear_device_tokens_sync (const char    *device_key,
                                           GCancellable  *cancellable,
                                           GError       **error)
{
  return umt_secret_store_clear_sync (UMT_SECRET_TUNNEL_TOKEN, device_key, NULL,
                                      cancellable, error) &&
         umt_secret_store_clear_sync (UMT_SECRET_REGISTRATION_TOKEN, device_key, NULL,
                                      cancellable, error);
}

static void
clear_device_tokens_in_thread (GTask        *task,
                               gpointer      source_object,
                               gpointer      task_data,
                               GCancellable *cancellable)
{
  GError *error = NULL;

  if (umt_secret_store_clear_device_tokens_sync (task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
umt_secret_store_clear_device_tokens_async (const char          *device_key,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, umt_secret_store_clear_device_tokens_async);
  g_task_set_task_data (task, g_strdup (device_key), g_free);
  g_task_run_in_thread (task, clear_device_tokens_in_thread);
}

gboolean
umt_secret_store_clear_device_tokens_finish (GAsyncResult  *result,
                                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
