/* umt-device-manager.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-device-manager"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-device-manager.h"
#include "umt-log.h"
#include "umt-registration.h"
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
  GFileMonitor   *state_monitor;
  guint           save_retry_id;   /* a registration the server holds, not saved yet */
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

#define SAVE_RETRY_SECONDS 60

enum {
  STATE_RELOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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
                       _("There is no profile named “%s”; see “umt profile list”."),
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
                                   umt_device_manager_get_server_url (self), self->profile);
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

static UmtClientSettings *
client_settings_new (UmtDeviceManager *self)
{
  return umt_client_settings_new (self->profile, umt_device_manager_get_server_url (self),
                                  umt_device_manager_get_server_url_overridden (self));
}

UmtMeetingClient *
umt_device_manager_create_client_sync (UmtDeviceManager  *self,
                                       GCancellable      *cancellable,
                                       GError           **error)
{
  g_autoptr(UmtClientSettings) settings = client_settings_new (self);
  g_autofree char *token = umt_client_settings_lookup_token (settings, cancellable);

  return umt_client_settings_create_client (settings, token, error);
}

/* The keyring lookup blocks: the interface asks for a client in a worker. */
static void
create_client_in_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  UmtClientSettings *settings = task_data;
  g_autofree char *token = umt_client_settings_lookup_token (settings, cancellable);
  GError *error = NULL;
  UmtMeetingClient *client;

  client = umt_client_settings_create_client (settings, token, &error);
  if (client == NULL)
    g_task_return_error (task, error);
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

  g_return_if_fail (UMT_IS_DEVICE_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, umt_device_manager_create_client_async);
  g_task_set_task_data (task, client_settings_new (self),
                        (GDestroyNotify) umt_client_settings_free);
  g_task_run_in_thread (task, create_client_in_thread);
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

/* The server burns the one-time token when it accepts it: a registration
 * that could not be saved afterwards would leave the user with a dead token
 * and a device registered there but not here. So first make sure it can be
 * saved, and send nothing if not. */
static gboolean
check_state_writable (GError **error)
{
  if (umt_device_state_check_writable (error))
    return TRUE;
  g_prefix_error (error, _("This computer cannot save a registration now, so nothing was sent "
                           "to the server and the token is still valid: "));
  return FALSE;
}

static gboolean
retry_save (gpointer user_data)
{
  UmtDeviceManager *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!umt_device_state_save (self->state, &error))
    {
      g_debug ("The registration still cannot be saved: %s", error->message);
      return G_SOURCE_CONTINUE;
    }
  g_message ("The registration of %s is saved on this computer now",
             umt_device_manager_get_device_key (self));
  g_clear_pointer (&self->registration_warning, g_free);
  self->save_retry_id = 0;
  return G_SOURCE_REMOVE;
}

gboolean
umt_device_manager_get_registration_unsaved (UmtDeviceManager *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), FALSE);
  return self->save_retry_id != 0;
}

/* Registration: the request and the device information collection block,
 * so the async form runs them in a worker thread; the state changes happen
 * back on the main context, in finish_registration(). */
static UmtRegistration *
registration_new (UmtDeviceManager  *self,
                  const char        *device_key,
                  const char        *token_code,
                  GError           **error)
{
  return umt_registration_new (self->profile, umt_device_manager_get_server_url (self),
                               umt_device_manager_get_server_url_overridden (self),
                               device_key, token_code, umt_device_manager_get_device_key (self),
                               error);
}

/* The server accepted: from here on the device is registered, saved or not. */
static void
finish_registration (UmtDeviceManager *self,
                     UmtRegistration  *registration)
{
  UmtClientSettings *settings = registration->settings;
  g_autoptr(GError) error = NULL;

  g_free (self->registration_warning);
  self->registration_warning = g_strdup (registration->keyring_warning);
  g_clear_handle_id (&self->save_retry_id, g_source_remove);

  /* The state is set in memory even when it is not saved; one more try at
   * once in case the failure was passing. */
  if (!umt_device_state_mark_registered (self->state, registration->device_key,
                                         settings->server_url, settings->profile_name,
                                         registration->info, &error) &&
      !umt_device_state_save (self->state, NULL))
    {
      g_free (self->registration_warning);
      self->registration_warning =
        g_strdup_printf (_("Registered device %s on the server, but not on this computer: %s"),
                         registration->device_key, error->message);
      UMT_LOG_ERROR ("%s", self->registration_warning);
      self->save_retry_id = g_timeout_add_seconds (SAVE_RETRY_SECONDS, retry_save, self);
    }

  if (self->state_problem != NULL)
    {
      g_clear_pointer (&self->state_problem, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_PROBLEM]);
    }

  point_tunnel (self);
  notify_registration (self);
}

UmtMeetingRegistration *
umt_device_manager_register_sync (UmtDeviceManager  *self,
                                  const char        *device_key,
                                  const char        *token_code,
                                  GCancellable      *cancellable,
                                  GError           **error)
{
  g_autoptr(UmtRegistration) registration = NULL;
  g_autoptr(UmtMeetingClient) client = NULL;

  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (self), NULL);

  registration = registration_new (self, device_key, token_code, error);
  if (registration == NULL || !check_state_writable (error) ||
      !umt_registration_run (registration, cancellable, error))
    return NULL;
  finish_registration (self, registration);

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

  if (check_state_writable (&error) && umt_registration_run (task_data, cancellable, &error))
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
  UmtRegistration *registration = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  finish_registration (self, registration);

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
  UmtRegistration *registration;

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
  g_task_set_task_data (worker, registration, (GDestroyNotify) umt_registration_free);
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
                              _("The registration was forgotten, but the tunnel token stays in "
                                 "the keyring: "));
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

  cleared = umt_secret_store_clear_device_tokens_sync (device_key, cancellable, &local_error);
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

  cleared = umt_secret_store_clear_device_tokens_finish (result, &local_error);
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
    umt_secret_store_clear_device_tokens_async (device_key, cancellable,
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

  g_clear_handle_id (&self->save_retry_id, g_source_remove);
  if (self->state_monitor != NULL)
    g_file_monitor_cancel (self->state_monitor);
  g_clear_object (&self->state_monitor);
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

  signals[STATE_RELOADED] = g_signal_new ("state-reloaded", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
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

static void
on_profiles_reloaded (UmtDeviceManager *self)
{
  umt_device_manager_profiles_changed (self);
}

static void
on_state_file_changed (GFileMonitor      *monitor,
                       GFile             *file,
                       GFile             *other_file,
                       GFileMonitorEvent  event,
                       UmtDeviceManager  *self)
{
  g_autofree char *device_key = g_strdup (umt_device_manager_get_device_key (self));
  g_autoptr(GError) error = NULL;

  if (event == G_FILE_MONITOR_EVENT_CHANGED || event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED)
    return;
  if (!umt_device_state_reload (self->state, &error))
    {
      g_message ("%s", error->message);
      return;
    }
  if (g_strcmp0 (device_key, umt_device_manager_get_device_key (self)) == 0)
    return;

  g_message ("Another program %s the device here",
             umt_device_manager_get_registered (self) ? "registered" : "unregistered");
  if (!umt_device_manager_get_registered (self))
    umt_heartbeat_configure (self->heartbeat, NULL, NULL, self->profile);
  umt_device_manager_profiles_changed (self);
  notify_registration (self);
  g_signal_emit (self, signals[STATE_RELOADED], 0);
}

void
umt_device_manager_watch_files (UmtDeviceManager *self)
{
  g_autofree char *path = umt_device_state_get_path ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_return_if_fail (UMT_IS_DEVICE_MANAGER (self));

  if (self->state_monitor != NULL)
    return;

  umt_profiles_watch (self->profiles);
  g_signal_connect_object (self->profiles, "reloaded", G_CALLBACK (on_profiles_reloaded), self,
                           G_CONNECT_SWAPPED);

  self->state_monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->state_monitor == NULL)
    {
      g_message ("Registrations made by other programs will not be seen: %s", error->message);
      return;
    }
  g_signal_connect_object (self->state_monitor, "changed", G_CALLBACK (on_state_file_changed),
                           self, 0);
}
