/* umt-secret-store-libsecret.c: tokens in the Secret Service, through libsecret, or in the
 * system service's credential
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-secret-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "umt-config-error.h"
#include "umt-paths.h"
#include "umt-secret-store-credentials.h"
#include "umt-secret-store-private.h"

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

  g_hash_table_insert (attributes, (gpointer) "kind",
                       g_strdup (_umt_secret_store_kind_name (kind)));
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

  if (!_umt_secret_store_check_arguments (kind, id, server, &error))
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
  label = _umt_secret_store_make_label (kind, id, server);
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

  if (!_umt_secret_store_check_arguments (kind, id, server, &error))
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

  if (!_umt_secret_store_check_arguments (kind, id, server, &error))
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

  if (!_umt_secret_store_check_arguments (kind, id, server, error))
    return FALSE;
  if (umt_paths_is_system ())
    return umt_secret_store_credentials_store_sync (kind, id, server, secret, cancellable, error);
  attributes = make_attributes (kind, id, server);
  label = _umt_secret_store_make_label (kind, id, server);
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

  if (!_umt_secret_store_check_arguments (kind, id, server, error))
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

  if (!_umt_secret_store_check_arguments (kind, id, server, error))
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
