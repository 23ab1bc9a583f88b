/* umt-registration.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-registration"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "umt-log.h"
#include "umt-registration.h"
#include "umt-secret-store.h"
#include "umt-validate.h"

void
umt_client_settings_free (UmtClientSettings *settings)
{
  g_free (settings->profile_name);
  g_free (settings->profile_url);
  g_free (settings->server_url);
  g_free (settings);
}

UmtClientSettings *
umt_client_settings_new (UmtProfile *profile,
                         const char *server_url,
                         gboolean    server_overridden)
{
  UmtClientSettings *settings = g_new0 (UmtClientSettings, 1);

  settings->profile_name = g_strdup (umt_profile_get_name (profile));
  settings->profile_url = g_strdup (umt_profile_get_base_url (profile));
  settings->server_url = g_strdup (server_url);
  settings->server_overridden = server_overridden;
  settings->timeout = umt_profile_get_timeout (profile);
  settings->retries = umt_profile_get_retries (profile);
  settings->verify_tls = umt_profile_get_verify_tls (profile);

  return settings;
}

UmtMeetingClient *
umt_client_settings_create_client (const UmtClientSettings  *settings,
                                   const char               *token,
                                   GError                  **error)
{
  return umt_meeting_client_new_full (settings->server_url, settings->timeout,
                                      settings->retries, settings->verify_tls,
                                      token, error);
}

char *
umt_client_settings_lookup_token (const UmtClientSettings *settings,
                                  GCancellable            *cancellable)
{
  g_autoptr(GError) error = NULL;
  char *token;

  if (settings->server_overridden)
    return NULL;

  token = umt_secret_store_lookup_sync (UMT_SECRET_PROFILE_TOKEN, settings->profile_name,
                                        settings->profile_url, cancellable, &error);
  if (error != NULL)
    g_debug ("No token for profile %s (%s); going on without one",
             settings->profile_name, error->message);
  umt_log_add_secret (token);
  return token;
}

void
umt_registration_free (UmtRegistration *registration)
{
  g_clear_pointer (&registration->settings, umt_client_settings_free);
  g_free (registration->device_key);
  g_free (registration->token_code);
  g_free (registration->previous_key);
  g_free (registration->note);
  g_free (registration->cluster_ip);
  g_free (registration->public_ip_url);
  g_clear_object (&registration->info);
  g_clear_pointer (&registration->registration, umt_meeting_registration_unref);
  g_free (registration->keyring_warning);
  g_free (registration);
}

UmtRegistration *
umt_registration_new (UmtProfile  *profile,
                      const char  *server_url,
                      gboolean     server_overridden,
                      const char  *device_key,
                      const char  *token_code,
                      const char  *previous_key,
                      GError     **error)
{
  g_autoptr(UmtRegistration) registration = g_new0 (UmtRegistration, 1);

  if (!umt_validate_device_key (device_key, error))
    return NULL;
  registration->token_code = umt_validate_token_code (token_code, error);
  if (registration->token_code == NULL)
    return NULL;

  umt_log_add_secret (registration->token_code);
  registration->settings = umt_client_settings_new (profile, server_url, server_overridden);
  registration->device_key = g_strdup (device_key);
  registration->previous_key = g_strdup (previous_key);
  registration->note = g_strdup (umt_profile_get_note (profile));
  registration->cluster_ip = g_strdup (umt_profile_get_cluster_ip (profile));
  registration->public_ip_url = g_strdup (umt_profile_get_public_ip_url (profile));
  registration->info_flags = umt_profile_get_public_ip_lookup (profile)
                             ? UMT_DEVICE_INFO_FLAGS_NONE
                             : UMT_DEVICE_INFO_FLAGS_NO_PUBLIC_IP;

  return g_steal_pointer (&registration);
}

/* The server has burned the token once it accepted it: from then on a local
 * failure must not look like a failed registration, or a script would retry
 * with a dead token. So the keyring is told here, and a failure is a warning. */
static void
keep_tunnel_token (UmtRegistration *registration,
                   GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  if (registration->previous_key != NULL &&
      !g_str_equal (registration->previous_key, registration->device_key) &&
      !umt_secret_store_clear_device_tokens_sync (registration->previous_key, cancellable, &error))
    {
      g_debug ("Could not forget the tokens of %s: %s",
               registration->previous_key, error->message);
      g_clear_error (&error);
    }

  if (!umt_secret_store_store_sync (UMT_SECRET_REGISTRATION_TOKEN, registration->device_key, NULL,
                                    registration->token_code, cancellable, &error))
    {
      registration->keyring_warning =
        g_strdup_printf (_("The device is registered, but its token could not be kept in the "
                           "keyring for the tunnel: %s"), error->message);
      UMT_LOG_WARNING ("%s", registration->keyring_warning);
    }
}

gboolean
umt_registration_run (UmtRegistration  *registration,
                      GCancellable     *cancellable,
                      GError          **error)
{
  g_autoptr(UmtMeetingClient) client = NULL;
  g_autoptr(JsonObject) fields = NULL;
  g_autofree char *token = NULL;
  UmtClientSettings *settings = registration->settings;

  token = umt_client_settings_lookup_token (settings, cancellable);
  client = umt_client_settings_create_client (settings, token, error);
  if (client == NULL)
    return FALSE;

  registration->info = umt_device_info_collect (registration->note, registration->cluster_ip,
                                                registration->public_ip_url,
                                                registration->info_flags, cancellable);
  fields = umt_device_info_to_json (registration->info);

  g_message ("Registering device %s with %s", registration->device_key, settings->server_url);
  registration->registration = umt_meeting_client_register_sync (client, registration->device_key,
                                                                 registration->token_code, fields,
                                                                 cancellable, error);
  if (registration->registration == NULL)
    {
      UMT_LOG_WARNING ("Registration of %s with %s failed: %s", registration->device_key,
                       settings->server_url,
                       error != NULL && *error != NULL ? (*error)->message : "unknown error");
      return FALSE;
    }

  g_message ("Device %s registered with %s%s", registration->device_key, settings->server_url,
             registration->registration->used_fallback
             ? " by heartbeat: the server has no registration endpoint" : "");

  keep_tunnel_token (registration, NULL);
  return TRUE;
}
