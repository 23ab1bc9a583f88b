/* umt-device-manager.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-device-manager"

#include "config.h"

#include "umt-config-error.h"
#include "umt-device-info.h"
#include "umt-device-manager.h"
#include "umt-log.h"
#include "umt-secret-store.h"
#include "umt-validate.h"

struct _UmtDeviceManager
{
  GObject         parent_instance;

  UmtProfiles    *profiles;
  UmtProfile     *profile;
  char           *profile_option;
  char           *server_option;
  UmtDeviceState *state;
  UmtHeartbeat   *heartbeat;
  UmtTunnelSupervisor *tunnel;
  char           *state_problem;
  char           *registration_warning;
};

G_DEFINE_FINAL_TYPE (UmtDeviceManager, umt_device_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_REGISTERED,
  PROP_DEVICE_KEY,
  PROP_REGISTERED_AT,
  PROP_SERVER_URL,
  PROP_SERVER_URL_OVERRIDDEN,
  PROP_PROFILE,
  PROP_HEARTBEAT,
  PROP_TUNNEL,
  PROP_STATE_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
notify_registration (UmtDeviceManager *self)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
  g_object_notify_by_pspec (object, properties[PROP_REGISTERED]);
  g_object_notify_by_pspec (object, properties[PROP_DEVICE_KEY]);
  g_object_notify_by_pspec (object, properties[PROP_REGISTERED_AT]);
  g_object_thaw_notify (object);
}

gboolean
umt_device_manager_get_registered (UmtDeviceManager *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), FALSE);
  return umt_device_state_get_registered (self->state);
}

const char *
umt_device_manager_get_device_key (UmtDeviceManager *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), NULL);

  if (!umt_device_state_get_registered (self->state))
    return NULL;
  return umt_device_state_get_device_key (self->state);
}

const char *
umt_device_manager_get_registered_at (UmtDeviceManager *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), NULL);

  if (!umt_device_state_get_registered (self->state))
    return NULL;
  return umt_device_state_get_registered_at (self->state);
}

const char *
umt_device_manager_get_server_url (UmtDeviceManager *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), NULL);

  if (self->server_option != NULL)
    return self->server_option;
  return umt_profiles_get_server_url_for (self->profiles, self->profile, NULL);
}

gboolean
umt_device_manager_get_server_url_overridden (UmtDeviceManager *self)
{
  gboolean overridden = FALSE;

  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), FALSE);

  if (self->server_option != NULL)
    return TRUE;
  umt_profiles_get_server_url_for (self->profiles, self->profile, &overridden);
  return overridden;
}

const char *
umt_device_manager_get_registration_warning (UmtDeviceManager *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), NULL);
  return self->registration_warning;
}

const char *
umt_device_manager_get_state_problem (UmtDeviceManager *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), NULL);
  return self->state_problem;
}

UmtProfiles *
umt_device_manager_get_profiles (UmtDeviceManager *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), NULL);
  return self->profiles;
}

UmtProfile *
umt_device_manager_get_profile (UmtDeviceManager *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), NULL);
  return self->profile;
}

/* A registered device keeps talking to the profile it registered with, even
 * when another one became active since. */
static gboolean
select_profile (UmtDeviceManager  *self,
                GError           **error)
{
  const char *registered_with = umt_device_state_get_profile (self->state);
  UmtProfile *profile;

  if (self->profile_option != NULL)
    {
      profile = umt_profiles_lookup (self->profiles, self->profile_option);
      if (profile == NULL)
        {
          g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_NOT_FOUND,
                       "There is no profile named “%s”; see “umt profile list”.",
                       self->profile_option);
          return FALSE;
        }
    }
  else if (umt_device_state_get_registered (self->state) && registered_with != NULL &&
           umt_profiles_lookup (self->profiles, registered_with) != NULL)
    profile = umt_profiles_lookup (self->profiles, registered_with);
  else
    profile = umt_profiles_get_active (self->profiles);

  g_set_object (&self->profile, profile);
  return TRUE;
}

UmtDeviceState *
umt_device_manager_get_state (UmtDeviceManager *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), NULL);
  return self->state;
}

UmtHeartbeat *
umt_device_manager_get_heartbeat (UmtDeviceManager *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), NULL);
  return self->heartbeat;
}

UmtTunnelSupervisor *
umt_device_manager_get_tunnel (UmtDeviceManager *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), NULL);
  return self->tunnel;
}

/* The tunnel follows the registration and the profile's settings. */
static void
point_tunnel (UmtDeviceManager *self)
{
  umt_tunnel_supervisor_configure (self->tunnel, umt_device_manager_get_device_key (self),
                                   self->profile);
}

void
umt_device_manager_profiles_changed (UmtDeviceManager *self)
{
  GObject *object = G_OBJECT (self);

  g_return_if_fail (UMT_IS_DEVICE_MANAGER (self));

  if (!select_profile (self, NULL))
    g_set_object (&self->profile, umt_profiles_get_active (self->profiles));

  point_tunnel (self);
  g_object_freeze_notify (object);
  g_object_notify_by_pspec (object, properties[PROP_PROFILE]);
  g_object_notify_by_pspec (object, properties[PROP_SERVER_URL]);
  g_object_notify_by_pspec (object, properties[PROP_SERVER_URL_OVERRIDDEN]);
  g_object_thaw_notify (object);
}

/* What a client needs, copied so that a worker thread can build one while
 * the interface edits the profile. */
typedef struct
{
  char     *profile_name;
  char     *profile_url;
  char     *server_url;
  gboolean  server_overridden;
  guint     timeout;
  guint     retries;
  gboolean  verify_tls;
} ClientSettings;

static void
client_settings_free (ClientSettings *settings)
{
  g_free (settings->profile_name);
  g_free (settings->profile_url);
  g_free (settings->server_url);
  g_free (settings);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClientSettings, client_settings_free)

static ClientSettings *
client_settings_new (UmtDeviceManager *self)
{
  UmtProfile *profile = self->profile;
  ClientSettings *settings = g_new0 (ClientSettings, 1);

  settings->profile_name = g_strdup (umt_profile_get_name (profile));
  settings->profile_url = g_strdup (umt_profile_get_base_url (profile));
  settings->server_url = g_strdup (umt_device_manager_get_server_url (self));
  settings->server_overridden = umt_device_manager_get_server_url_overridden (self);
  settings->timeout = umt_profile_get_timeout (profile);
  settings->retries = umt_profile_get_retries (profile);
  settings->verify_tls = umt_profile_get_verify_tls (profile);

  return settings;
}

static UmtMeetingClient *
client_from_settings (const ClientSettings  *settings,
                      const char            *token,
                      GError               **error)
{
  return umt_meeting_client_new_full (settings->server_url, settings->timeout,
                                      settings->retries, settings->verify_tls,
                                      token, error);
}

static void
note_missing_token (const ClientSettings *settings,
                    const GError         *error)
{
  if (error != NULL)
    g_debug ("No token for profile %s (%s); going on without one",
             settings->profile_name, error->message);
}

/* The profile's token belongs to the profile's server: never sent to a URL
 * that overrides it. Blocking: call it from a worker thread or the CLI. */
static char *
lookup_profile_token (const ClientSettings *settings,
                      GCancellable         *cancellable)
{
  g_autoptr(GError) error = NULL;
  char *token;

  if (settings->server_overridden)
    return NULL;

  token = umt_secret_store_lookup_sync (UMT_SECRET_PROFILE_TOKEN, settings->profile_name,
                                        settings->profile_url, cancellable, &error);
  note_missing_token (settings, error);
  umt_log_add_secret (token);
  return token;
}

UmtMeetingClient *
umt_device_manager_create_client_sync (UmtDeviceManager  *self,
                                       GCancellable      *cancellable,
                                       GError           **error)
{
  g_autoptr(ClientSettings) settings = client_settings_new (self);
  g_autofree char *token = lookup_profile_token (settings, cancellable);

  return client_from_settings (settings, token, error);
}

static void
on_token_looked_up (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) lookup_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = result ? umt_secret_store_lookup_finish (result, &lookup_error) : NULL;
  ClientSettings *settings = g_task_get_task_data (task);
  UmtMeetingClient *client;

  note_missing_token (settings, lookup_error);
  umt_log_add_secret (token);

  client = client_from_settings (settings, token, &error);
  if (client == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, client, g_object_unref);
}

void
umt_device_manager_create_client_async (UmtDeviceManager    *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ClientSettings *settings;

  g_return_if_fail (UMT_IS_DEVICE_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, umt_device_manager_create_client_async);
  settings = client_settings_new (self);
  g_task_set_task_data (task, settings, (GDestroyNotify) client_settings_free);

  if (settings->server_overridden)
    {
      on_token_looked_up (NULL, NULL, g_steal_pointer (&task));
      return;
    }

  umt_secret_store_lookup_async (UMT_SECRET_PROFILE_TOKEN, settings->profile_name,
                                 settings->profile_url, cancellable,
                                 on_token_looked_up, g_steal_pointer (&task));
}

UmtMeetingClient *
umt_device_manager_create_client_finish (UmtDeviceManager  *self,
                                         GAsyncResult      *result,
                                         GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
point_heartbeat (UmtDeviceManager *self,
                 UmtMeetingClient *client)
{
  umt_heartbeat_configure (self->heartbeat, client,
                           umt_device_manager_get_device_key (self), self->profile);
}

gboolean
umt_device_manager_configure_heartbeat_sync (UmtDeviceManager  *self,
                                             GCancellable      *cancellable,
                                             GError           **error)
{
  g_autoptr(UmtMeetingClient) client = NULL;

  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), FALSE);

  client = umt_device_manager_create_client_sync (self, cancellable, error);
  if (client == NULL)
    return FALSE;

  point_heartbeat (self, client);
  return TRUE;
}

static void
on_heartbeat_client (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  UmtDeviceManager *self = UMT_DEVICE_MANAGER (source);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtMeetingClient) client = NULL;

  client = umt_device_manager_create_client_finish (self, result, &error);
  if (client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  point_heartbeat (self, client);
  g_task_return_boolean (task, TRUE);
}

void
umt_device_manager_configure_heartbeat_async (UmtDeviceManager    *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (UMT_IS_DEVICE_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, umt_device_manager_configure_heartbeat_async);
  umt_device_manager_create_client_async (self, cancellable, on_heartbeat_client,
                                          g_steal_pointer (&task));
}

gboolean
umt_device_manager_configure_heartbeat_finish (UmtDeviceManager  *self,
                                               GAsyncResult      *result,
                                               GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Registration: the request and the device information collection block,
 * so the async form runs them in a worker thread; the state changes happen
 * back on the main context, in finish_registration(). */
typedef struct
{
  ClientSettings         *settings;
  char                   *device_key;
  char                   *token_code;
  char                   *previous_key;
  char                   *note;
  char                   *cluster_ip;
  char                   *public_ip_url;
  UmtDeviceInfoFlags      info_flags;
  UmtDeviceInfo          *info;
  UmtMeetingRegistration *registration;
  char                   *keyring_warning;
} Registration;

static void
registration_free (Registration *registration)
{
  g_clear_pointer (&registration->settings, client_settings_free);
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Registration, registration_free)

static Registration *
registration_new (UmtDeviceManager  *self,
                  const char        *device_key,
                  const char        *token_code,
                  GError           **error)
{
  g_autoptr(Registration) registration = g_new0 (Registration, 1);
  UmtProfile *profile = self->profile;

  if (!umt_validate_device_key (device_key, error))
    return NULL;
  registration->token_code = umt_validate_token_code (token_code, error);
  if (registration->token_code == NULL)
    return NULL;

  umt_log_add_secret (registration->token_code);
  registration->settings = client_settings_new (self);
  registration->device_key = g_strdup (device_key);
  registration->previous_key = g_strdup (umt_device_manager_get_device_key (self));
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
keep_tunnel_token (Registration *registration,
                   GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  if (registration->previous_key != NULL &&
      !g_str_equal (registration->previous_key, registration->device_key) &&
      !umt_secret_store_clear_sync (UMT_SECRET_TUNNEL_TOKEN, registration->previous_key, NULL,
                                    cancellable, &error))
    {
      g_debug ("Could not forget the tunnel token of %s: %s",
               registration->previous_key, error->message);
      g_clear_error (&error);
    }

  if (!umt_secret_store_store_sync (UMT_SECRET_TUNNEL_TOKEN, registration->device_key, NULL,
                                    registration->token_code, cancellable, &error))
    {
      registration->keyring_warning =
        g_strdup_printf ("The device is registered, but its token could not be kept in the "
                         "keyring for the tunnel: %s", error->message);
      UMT_LOG_WARNING ("%s", registration->keyring_warning);
    }
}

/* The blocking part: safe in any thread. */
static gboolean
registration_run (Registration  *registration,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(UmtMeetingClient) client = NULL;
  g_autoptr(JsonObject) fields = NULL;
  g_autofree char *token = NULL;
  ClientSettings *settings = registration->settings;

  token = lookup_profile_token (settings, cancellable);
  client = client_from_settings (settings, token, error);
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

static gboolean
finish_registration (UmtDeviceManager  *self,
                     Registration      *registration,
                     GError           **error)
{
  ClientSettings *settings = registration->settings;

  g_free (self->registration_warning);
  self->registration_warning = g_strdup (registration->keyring_warning);

  if (!umt_device_state_mark_registered (self->state, registration->device_key,
                                         settings->server_url, settings->profile_name,
                                         registration->info, error))
    {
      g_prefix_error (error, "The server registered the device, but this computer could not "
                             "remember it: ");
      UMT_LOG_ERROR ("%s", (*error)->message);
      return FALSE;
    }

  if (self->state_problem != NULL)
    {
      g_clear_pointer (&self->state_problem, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_PROBLEM]);
    }

  point_tunnel (self);
  notify_registration (self);
  return TRUE;
}

UmtMeetingRegistration *
umt_device_manager_register_sync (UmtDeviceManager  *self,
                                  const char        *device_key,
                                  const char        *token_code,
                                  GCancellable      *cancellable,
                                  GError           **error)
{
  g_autoptr(Registration) registration = NULL;
  g_autoptr(UmtMeetingClient) client = NULL;

  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), NULL);

  registration = registration_new (self, device_key, token_code, error);
  if (registration == NULL ||
      !registration_run (registration, cancellable, error) ||
      !finish_registration (self, registration, error))
    return NULL;

  client = umt_device_manager_create_client_sync (self, cancellable, NULL);
  if (client != NULL)
    point_heartbeat (self, client);

  return umt_meeting_registration_ref (registration->registration);
}

static void
register_in_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;

  if (registration_run (task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_registered_heartbeat_configured (GObject      *source,
                                    GAsyncResult *result,
                                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!umt_device_manager_configure_heartbeat_finish (UMT_DEVICE_MANAGER (source), result, &error))
    g_message ("The heartbeat could not be pointed at the new device: %s", error->message);
}

static void
on_register_run (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  UmtDeviceManager *self = UMT_DEVICE_MANAGER (source);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Registration *registration = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), &error) ||
      !finish_registration (self, registration, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  umt_device_manager_configure_heartbeat_async (self, NULL, on_registered_heartbeat_configured, NULL);
  g_task_return_pointer (task, umt_meeting_registration_ref (registration->registration),
                         (GDestroyNotify) umt_meeting_registration_unref);
}

void
umt_device_manager_register_async (UmtDeviceManager    *self,
                                   const char          *device_key,
                                   const char          *token_code,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;
  g_autoptr(GError) error = NULL;
  Registration *registration;

  g_return_if_fail (UMT_IS_DEVICE_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, umt_device_manager_register_async);

  registration = registration_new (self, device_key, token_code, &error);
  if (registration == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  worker = g_task_new (self, cancellable, on_register_run, g_steal_pointer (&task));
  g_task_set_source_tag (worker, register_in_thread);
  g_task_set_task_data (worker, registration, (GDestroyNotify) registration_free);
  g_task_run_in_thread (worker, register_in_thread);
}

UmtMeetingRegistration *
umt_device_manager_register_finish (UmtDeviceManager  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Forgets the local registration; returns the key it had ("" for none),
 * whose tunnel token is still to be cleared. */
static char *
forget_registration (UmtDeviceManager  *self,
                     GError           **error)
{
  g_autofree char *device_key = g_strdup (umt_device_manager_get_device_key (self));

  if (device_key == NULL)
    return g_strdup ("");

  if (!umt_device_state_clear (self->state, error))
    return NULL;

  g_message ("Device %s unregistered on this computer; the server keeps it", device_key);
  umt_heartbeat_configure (self->heartbeat, NULL, NULL, self->profile);
  point_tunnel (self);
  notify_registration (self);

  return g_steal_pointer (&device_key);
}

/* No Secret Service at all: no token can have been kept, nothing is left. */
static gboolean
tunnel_token_cleared (gboolean   cleared,
                      GError    *local_error,
                      GError   **error)
{
  if (cleared || g_error_matches (local_error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_NO_KEYRING))
    return TRUE;

  g_propagate_prefixed_error (error, local_error,
                              "The registration was forgotten, but the tunnel token stays in "
                              "the keyring: ");
  return FALSE;
}

gboolean
umt_device_manager_unregister_sync (UmtDeviceManager  *self,
                                    GCancellable      *cancellable,
                                    GError           **error)
{
  g_autofree char *device_key = NULL;
  GError *local_error = NULL;
  gboolean cleared;

  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), FALSE);

  device_key = forget_registration (self, error);
  if (device_key == NULL)
    return FALSE;
  if (*device_key == '\0')
    return TRUE;

  cleared = umt_secret_store_clear_sync (UMT_SECRET_TUNNEL_TOKEN, device_key, NULL,
                                         cancellable, &local_error);
  if (!tunnel_token_cleared (cleared, local_error, error))
    return FALSE;
  g_clear_error (&local_error);
  return TRUE;
}

static void
on_tunnel_token_cleared (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *local_error = NULL;
  GError *error = NULL;
  gboolean cleared;

  cleared = umt_secret_store_clear_finish (result, &local_error);
  if (tunnel_token_cleared (cleared, local_error, &error))
    {
      g_clear_error (&local_error);
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_error (task, error);
}

void
umt_device_manager_unregister_async (UmtDeviceManager    *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *device_key = NULL;

  g_return_if_fail (UMT_IS_DEVICE_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, umt_device_manager_unregister_async);

  device_key = forget_registration (self, &error);
  if (device_key == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (*device_key == '\0')
    g_task_return_boolean (task, TRUE);
  else
    umt_secret_store_clear_async (UMT_SECRET_TUNNEL_TOKEN, device_key, NULL, cancellable,
                                  on_tunnel_token_cleared, g_steal_pointer (&task));
}

gboolean
umt_device_manager_unregister_finish (UmtDeviceManager  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
umt_device_manager_dispose (GObject *object)
{
  UmtDeviceManager *self = UMT_DEVICE_MANAGER (object);

  if (self->heartbeat != NULL)
    umt_heartbeat_stop (self->heartbeat);
  g_clear_object (&self->heartbeat);
  if (self->tunnel != NULL)
    umt_tunnel_supervisor_stop (self->tunnel);
  g_clear_object (&self->tunnel);
  g_clear_object (&self->state);
  g_clear_object (&self->profile);
  g_clear_object (&self->profiles);

  G_OBJECT_CLASS (umt_device_manager_parent_class)->dispose (object);
}

static void
umt_device_manager_finalize (GObject *object)
{
  UmtDeviceManager *self = UMT_DEVICE_MANAGER (object);

  g_free (self->state_problem);
  g_free (self->registration_warning);
  g_free (self->profile_option);
  g_free (self->server_option);

  G_OBJECT_CLASS (umt_device_manager_parent_class)->finalize (object);
}

static void
umt_device_manager_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  UmtDeviceManager *self = UMT_DEVICE_MANAGER (object);

  switch (prop_id)
    {
    case PROP_REGISTERED:
      g_value_set_boolean (value, umt_device_manager_get_registered (self));
      break;
    case PROP_DEVICE_KEY:
      g_value_set_string (value, umt_device_manager_get_device_key (self));
      break;
    case PROP_REGISTERED_AT:
      g_value_set_string (value, umt_device_manager_get_registered_at (self));
      break;
    case PROP_SERVER_URL:
      g_value_set_string (value, umt_device_manager_get_server_url (self));
      break;
    case PROP_SERVER_URL_OVERRIDDEN:
      g_value_set_boolean (value, umt_device_manager_get_server_url_overridden (self));
      break;
    case PROP_PROFILE:
      g_value_set_object (value, umt_device_manager_get_profile (self));
      break;
    case PROP_HEARTBEAT:
      g_value_set_object (value, self->heartbeat);
      break;
    case PROP_TUNNEL:
      g_value_set_object (value, self->tunnel);
      break;
    case PROP_STATE_PROBLEM:
      g_value_set_string (value, self->state_problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
umt_device_manager_class_init (UmtDeviceManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = umt_device_manager_dispose;
  object_class->finalize = umt_device_manager_finalize;
  object_class->get_property = umt_device_manager_get_property;

  properties[PROP_REGISTERED] = g_param_spec_boolean ("registered", NULL, NULL, FALSE, flags);
  properties[PROP_DEVICE_KEY] = g_param_spec_string ("device-key", NULL, NULL, NULL, flags);
  properties[PROP_REGISTERED_AT] = g_param_spec_string ("registered-at", NULL, NULL, NULL, flags);
  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url", NULL, NULL, NULL, flags);
  properties[PROP_SERVER_URL_OVERRIDDEN] =
    g_param_spec_boolean ("server-url-overridden", NULL, NULL, FALSE, flags);
  properties[PROP_PROFILE] = g_param_spec_object ("profile", NULL, NULL, UMT_TYPE_PROFILE, flags);
  properties[PROP_HEARTBEAT] =
    g_param_spec_object ("heartbeat", NULL, NULL, UMT_TYPE_HEARTBEAT, flags);
  properties[PROP_TUNNEL] =
    g_param_spec_object ("tunnel", NULL, NULL, UMT_TYPE_TUNNEL_SUPERVISOR, flags);
  properties[PROP_STATE_PROBLEM] = g_param_spec_string ("state-problem", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
umt_device_manager_init (UmtDeviceManager *self)
{
  self->heartbeat = umt_heartbeat_new ();
  self->tunnel = umt_tunnel_supervisor_new ();
}

/* A file set aside is no reason to stop: the user must hear of it, and the
 * application carries on from the defaults. */
static void
note_state_problem (UmtDeviceManager *self,
                    const GError     *error)
{
  g_autofree char *previous = g_steal_pointer (&self->state_problem);

  g_message ("%s", error->message);
  self->state_problem = previous != NULL ? g_strconcat (previous, " ", error->message, NULL)
                                         : g_strdup (error->message);
}

UmtDeviceManager *
umt_device_manager_new_full (const char  *profile_name,
                             const char  *server_url,
                             GError     **error)
{
  g_autoptr(UmtDeviceManager) self = g_object_new (UMT_TYPE_DEVICE_MANAGER, NULL);
  g_autoptr(GError) local_error = NULL;

  self->state = umt_device_state_load (&local_error);
  if (g_error_matches (local_error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT))
    {
      note_state_problem (self, local_error);
      g_clear_error (&local_error);
      self->state = umt_device_state_new ();
    }
  if (self->state == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  self->profiles = umt_profiles_load (&local_error);
  if (g_error_matches (local_error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT))
    {
      note_state_problem (self, local_error);
      g_clear_error (&local_error);
      self->profiles = umt_profiles_load (&local_error);
    }
  if (self->profiles == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  self->profile_option = g_strdup (profile_name);
  if (!select_profile (self, error))
    return NULL;

  if (server_url != NULL)
    {
      if (!umt_validate_server_url (server_url, umt_profile_get_allow_insecure_http (self->profile),
                                    error))
        return NULL;
      self->server_option = g_strdup (server_url);
    }

  umt_heartbeat_configure (self->heartbeat, NULL, umt_device_manager_get_device_key (self),
                           self->profile);
  point_tunnel (self);

  return g_steal_pointer (&self);
}

UmtDeviceManager *
umt_device_manager_new (GError **error)
{
  return umt_device_manager_new_full (NULL, NULL, error);
}
