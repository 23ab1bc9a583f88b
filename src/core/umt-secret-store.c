/* umt-secret-store.c: what the platforms' back ends share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-secret-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-secret-store-private.h"

const char *
_umt_secret_store_kind_name (UmtSecretKind kind)
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

gboolean
_umt_secret_store_check_arguments (UmtSecretKind   kind,
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

char *
_umt_secret_store_make_label (UmtSecretKind  kind,
                              const char    *id,
                              const char    *server)
{
  if (kind == UMT_SECRET_PROFILE_TOKEN)
    return g_strdup_printf ("Updates Manager Tool token for profile “%s” (%s)", id, server);
  if (kind == UMT_SECRET_REGISTRATION_TOKEN)
    return g_strdup_printf ("Updates Manager Tool registration token of device %s", id);
  return g_strdup_printf ("Updates Manager Tool tunnel token for device %s", id);
}


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

/* All back ends: a token set for the tunnel wins over the registration's. */

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
