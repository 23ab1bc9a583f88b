/* umt-ssh-key.c: the device's SSH key pair and the server's known host keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-ssh-key"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "umt-meeting-error.h"
#include "umt-paths.h"
#include "umt-ssh-key.h"
#include "umt-ssh-keygen.h"

#define KEY_FILE_NAME "id_ed25519"
/* Far more than any public key or host key list; a bigger file is not ours. */
#define MAX_KEY_FILE_SIZE (64 * 1024)

struct _UmtSshKey
{
  GObject  parent_instance;

  char    *directory;
  char    *private_key_path;
  char    *public_key_path;
  char    *known_hosts_path;
  char    *public_key;
  char    *fingerprint;
};

G_DEFINE_FINAL_TYPE (UmtSshKey, umt_ssh_key, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DIRECTORY,
  PROP_PUBLIC_KEY,
  PROP_FINGERPRINT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What a worker thread found, applied to the object in the caller's thread. */
typedef struct
{
  char *public_key;
  char *fingerprint;
} LoadedKey;

static void
loaded_key_free (LoadedKey *loaded)
{
  g_free (loaded->public_key);
  g_free (loaded->fingerprint);
  g_free (loaded);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadedKey, loaded_key_free)

static gboolean
read_small_file (const char  *path,
                 char       **contents,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize length;

  if (!g_file_get_contents (path, contents, &length, &local_error))
    {
      g_set_error (error, UMT_SSH_KEY_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                     ? UMT_SSH_KEY_ERROR_NOT_FOUND : UMT_SSH_KEY_ERROR_IO,
                   _("Could not read %s: %s."), path, local_error->message);
      return FALSE;
    }
  if (length > MAX_KEY_FILE_SIZE || memchr (*contents, '\0', length) != NULL)
    {
      g_clear_pointer (contents, g_free);
      g_set_error (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_INVALID_KEY,
                   _("%s is not an OpenSSH public key file."), path);
      return FALSE;
    }
  return TRUE;
}

/* Reads the pair in @self's folder; a pair whose private key is missing is
 * no pair at all. */
static LoadedKey *
load_key (UmtSshKey  *self,
          GError    **error)
{
  g_autoptr(LoadedKey) loaded = g_new0 (LoadedKey, 1);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_test (self->private_key_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_NOT_FOUND,
                   _("There is no SSH key in %s yet."), self->directory);
      return NULL;
    }
  /* ssh refuses a private key others can read; a copied-in file may be. */
  if (g_chmod (self->private_key_path, 0600) != 0)
    {
      int saved = errno;
      g_set_error (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_IO,
                   _("Could not restrict access to %s: %s."), self->private_key_path, g_strerror (saved));
      return NULL;
    }
  if (!read_small_file (self->public_key_path, &contents, error))
    return NULL;

  loaded->public_key = g_strstrip (g_steal_pointer (&contents));
  loaded->fingerprint = umt_ssh_key_compute_fingerprint (loaded->public_key, &local_error);
  if (loaded->fingerprint == NULL)
    {
      g_set_error (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_INVALID_KEY,
                   _("%s is not a valid OpenSSH public key."), self->public_key_path);
      return NULL;
    }
  return g_steal_pointer (&loaded);
}

static LoadedKey *
ensure_key (UmtSshKey     *self,
            const char    *name,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  LoadedKey *loaded;

  if (!umt_paths_ensure_private_dir (self->directory, error))
    return NULL;

  if (!g_file_test (self->private_key_path, G_FILE_TEST_EXISTS) &&
      !umt_ssh_keygen_generate (self->directory, self->private_key_path, self->public_key_path,
                                name, cancellable, error))
    return NULL;
  if (!g_file_test (self->public_key_path, G_FILE_TEST_EXISTS) &&
      !umt_ssh_keygen_derive_public_key (self->private_key_path, self->public_key_path,
                                         cancellable, error))
    return NULL;

  loaded = load_key (self, &local_error);
  if (loaded == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return loaded;
}

static void
apply_loaded_key (UmtSshKey *self,
                  LoadedKey *loaded)
{
  if (g_strcmp0 (self->public_key, loaded->public_key) != 0)
    {
      g_free (self->public_key);
      self->public_key = g_strdup (loaded->public_key);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PUBLIC_KEY]);
    }
  if (g_strcmp0 (self->fingerprint, loaded->fingerprint) != 0)
    {
      g_free (self->fingerprint);
      self->fingerprint = g_strdup (loaded->fingerprint);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINGERPRINT]);
    }
}

static gboolean
refresh_known_hosts (UmtSshKey         *self,
                     UmtMeetingClient  *client,
                     GCancellable      *cancellable,
                     GError           **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *host_keys = NULL;
  g_autofree char *text = NULL;

  uri = g_uri_parse (umt_meeting_client_get_base_url (client), G_URI_FLAGS_NONE, error);
  if (uri == NULL)
    return FALSE;
  host_keys = umt_meeting_client_get_ssh_hostkeys_sync (client, cancellable, error);
  if (host_keys == NULL)
    return FALSE;
  text = umt_ssh_key_build_known_hosts (g_uri_get_host (uri), host_keys, error);
  if (text == NULL)
    return FALSE;
  return umt_paths_write_atomic (self->known_hosts_path, text, -1, error);
}

static LoadedKey *
publish_key (UmtSshKey         *self,
             UmtMeetingClient  *client,
             const char        *device_key,
             GCancellable      *cancellable,
             GError           **error)
{
  g_autoptr(LoadedKey) loaded = ensure_key (self, device_key, cancellable, error);

  if (loaded == NULL)
    return NULL;
  if (!umt_meeting_client_put_ssh_key_sync (client, device_key, loaded->public_key, NULL,
                                            cancellable, error))
    return NULL;
  g_message ("Published the SSH key %s for %s", loaded->fingerprint, device_key);
  if (!refresh_known_hosts (self, client, cancellable, error))
    return NULL;
  return g_steal_pointer (&loaded);
}

/* GObject */

static void
umt_ssh_key_finalize (GObject *object)
{
  UmtSshKey *self = UMT_SSH_KEY (object);

  g_free (self->directory);
  g_free (self->private_key_path);
  g_free (self->public_key_path);
  g_free (self->known_hosts_path);
  g_free (self->public_key);
  g_free (self->fingerprint);

  G_OBJECT_CLASS (umt_ssh_key_parent_class)->finalize (object);
}

static void
umt_ssh_key_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  UmtSshKey *self = UMT_SSH_KEY (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;
    case PROP_PUBLIC_KEY:
      g_value_set_string (value, self->public_key);
      break;
    case PROP_FINGERPRINT:
      g_value_set_string (value, self->fingerprint);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
umt_ssh_key_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  UmtSshKey *self = UMT_SSH_KEY (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      self->directory = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
umt_ssh_key_constructed (GObject *object)
{
  UmtSshKey *self = UMT_SSH_KEY (object);

  G_OBJECT_CLASS (umt_ssh_key_parent_class)->constructed (object);

  if (self->directory == NULL)
    {
      g_autofree char *data_dir = umt_paths_get_data_dir ();
      self->directory = g_build_filename (data_dir, "ssh", NULL);
    }
  self->private_key_path = g_build_filename (self->directory, KEY_FILE_NAME, NULL);
  self->public_key_path = g_strconcat (self->private_key_path, ".pub", NULL);
  self->known_hosts_path = g_build_filename (self->directory, "known_hosts", NULL);
}

static void
umt_ssh_key_class_init (UmtSshKeyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = umt_ssh_key_finalize;
  object_class->get_property = umt_ssh_key_get_property;
  object_class->set_property = umt_ssh_key_set_property;
  object_class->constructed = umt_ssh_key_constructed;

  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PUBLIC_KEY] =
    g_param_spec_string ("public-key", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_FINGERPRINT] =
    g_param_spec_string ("fingerprint", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
umt_ssh_key_init (UmtSshKey *self)
{
}

UmtSshKey *
umt_ssh_key_new (const char *directory)
{
  return g_object_new (UMT_TYPE_SSH_KEY, "directory", directory, NULL);
}

const char *
umt_ssh_key_get_directory (UmtSshKey *self)
{
  g_return_val_if_fail (UMT_IS_SSH_KEY (self), NULL);
  return self->directory;
}

const char *
umt_ssh_key_get_private_key_path (UmtSshKey *self)
{
  g_return_val_if_fail (UMT_IS_SSH_KEY (self), NULL);
  return self->private_key_path;
}

const char *
umt_ssh_key_get_public_key_path (UmtSshKey *self)
{
  g_return_val_if_fail (UMT_IS_SSH_KEY (self), NULL);
  return self->public_key_path;
}

const char *
umt_ssh_key_get_known_hosts_path (UmtSshKey *self)
{
  g_return_val_if_fail (UMT_IS_SSH_KEY (self), NULL);
  return self->known_hosts_path;
}

const char *
umt_ssh_key_get_public_key (UmtSshKey *self)
{
  g_return_val_if_fail (UMT_IS_SSH_KEY (self), NULL);
  return self->public_key;
}

const char *
umt_ssh_key_get_fingerprint (UmtSshKey *self)
{
  g_return_val_if_fail (UMT_IS_SSH_KEY (self), NULL);
  return self->fingerprint;
}

gboolean
umt_ssh_key_load_sync (UmtSshKey  *self,
                       GError    **error)
{
  g_autoptr(LoadedKey) loaded = NULL;

  g_return_val_if_fail (UMT_IS_SSH_KEY (self), FALSE);

  loaded = load_key (self, error);
  if (loaded == NULL)
    return FALSE;
  apply_loaded_key (self, loaded);
  return TRUE;
}

gboolean
umt_ssh_key_ensure_sync (UmtSshKey     *self,
                         const char    *name,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(LoadedKey) loaded = NULL;

  g_return_val_if_fail (UMT_IS_SSH_KEY (self), FALSE);

  loaded = ensure_key (self, name, cancellable, error);
  if (loaded == NULL)
    return FALSE;
  apply_loaded_key (self, loaded);
  return TRUE;
}

/* Async plumbing: publishing runs in a thread on immutable paths and a
 * thread-safe client; the result is applied to the object in _finish, in
 * the caller's thread. */

typedef struct
{
  char             *device_key;
  UmtMeetingClient *client;
} Work;

static void
work_free (Work *work)
{
  g_free (work->device_key);
  g_clear_object (&work->client);
  g_free (work);
}

static void
publish_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Work *work = task_data;
  GError *error = NULL;
  LoadedKey *loaded = publish_key (source_object, work->client, work->device_key,
                                   cancellable, &error);

  if (loaded == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_key_free);
}

static void
publish_async (UmtSshKey           *self,
               UmtMeetingClient    *client,
               const char          *device_key,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Work *work;

  g_task_set_source_tag (task, publish_async);
  work = g_new0 (Work, 1);
  work->device_key = g_strdup (device_key);
  work->client = g_object_ref (client);
  g_task_set_task_data (task, work, (GDestroyNotify) work_free);
  g_task_run_in_thread (task, publish_thread);
}

static gboolean
publish_finish (UmtSshKey     *self,
                GAsyncResult  *result,
                GError       **error)
{
  g_autoptr(LoadedKey) loaded = g_task_propagate_pointer (G_TASK (result), error);

  if (loaded == NULL)
    return FALSE;
  apply_loaded_key (self, loaded);
  return TRUE;
}

gboolean
umt_ssh_key_publish_sync (UmtSshKey         *self,
                          UmtMeetingClient  *client,
                          const char        *device_key,
                          GCancellable      *cancellable,
                          GError           **error)
{
  g_autoptr(LoadedKey) loaded = NULL;

  g_return_val_if_fail (UMT_IS_SSH_KEY (self), FALSE);
  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (client), FALSE);
  g_return_val_if_fail (device_key != NULL, FALSE);

  loaded = publish_key (self, client, device_key, cancellable, error);
  if (loaded == NULL)
    return FALSE;
  apply_loaded_key (self, loaded);
  return TRUE;
}

static gboolean
check_registered (UmtDeviceManager  *manager,
                  GError           **error)
{
  if (umt_device_manager_get_registered (manager))
    return TRUE;
  g_set_error_literal (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_NOT_REGISTERED,
                       _("This device is not registered; register it before publishing its SSH "
                         "key."));
  return FALSE;
}

static void
on_published_for_device (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!publish_finish (UMT_SSH_KEY (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_client_for_device (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(UmtMeetingClient) client = NULL;
  GError *error = NULL;

  client = umt_device_manager_create_client_finish (UMT_DEVICE_MANAGER (source), result, &error);
  if (client == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  publish_async (g_task_get_source_object (task), client, g_task_get_task_data (task),
                 g_task_get_cancellable (task), on_published_for_device, g_object_ref (task));
}

void
umt_ssh_key_publish_for_device_async (UmtSshKey           *self,
                                      UmtDeviceManager    *manager,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (UMT_IS_SSH_KEY (self));
  g_return_if_fail (UMT_IS_DEVICE_MANAGER (manager));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, umt_ssh_key_publish_for_device_async);
  if (!check_registered (manager, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, g_strdup (umt_device_manager_get_device_key (manager)), g_free);
  umt_device_manager_create_client_async (manager, cancellable, on_client_for_device,
                                          g_steal_pointer (&task));
}

gboolean
umt_ssh_key_publish_for_device_finish (UmtSshKey     *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == umt_ssh_key_publish_for_device_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
umt_ssh_key_publish_for_device_sync (UmtSshKey         *self,
                                     UmtDeviceManager  *manager,
                                     GCancellable      *cancellable,
                                     GError           **error)
{
  g_autoptr(UmtMeetingClient) client = NULL;

  g_return_val_if_fail (UMT_IS_SSH_KEY (self), FALSE);
  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (manager), FALSE);

  if (!check_registered (manager, error))
    return FALSE;
  client = umt_device_manager_create_client_sync (manager, cancellable, error);
  if (client == NULL)
    return FALSE;
  return umt_ssh_key_publish_sync (self, client, umt_device_manager_get_device_key (manager),
                                   cancellable, error);
}
