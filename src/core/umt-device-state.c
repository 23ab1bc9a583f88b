/* umt-device-state.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-device-state"

#include "config.h"

#include <errno.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-device-state.h"
#include "umt-file-lock.h"
#include "umt-paths.h"
#include "umt-validate.h"

#define STATE_FILE_NAME "device_info.json"
#define STATE_MAX_SIZE  (1024 * 1024)
/* More than a state file takes, so that a disk too full for one fails the probe. */
#define STATE_PROBE_SIZE 4096

struct _UmtDeviceState
{
  GObject parent_instance;

  char          *device_key;
  char          *registered_at;
  char          *server_url;
  char          *profile;
  UmtDeviceInfo *device_info;
};

G_DEFINE_FINAL_TYPE (UmtDeviceState, umt_device_state, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DEVICE_KEY,
  PROP_REGISTERED_AT,
  PROP_SERVER_URL,
  PROP_PROFILE,
  PROP_DEVICE_INFO,
  PROP_REGISTERED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
umt_device_state_finalize (GObject *object)
{
  UmtDeviceState *self = UMT_DEVICE_STATE (object);

  g_free (self->device_key);
  g_free (self->registered_at);
  g_free (self->server_url);
  g_free (self->profile);
  g_clear_object (&self->device_info);

  G_OBJECT_CLASS (umt_device_state_parent_class)->finalize (object);
}

static void
umt_device_state_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  UmtDeviceState *self = UMT_DEVICE_STATE (object);

  switch (prop_id)
    {
    case PROP_DEVICE_KEY:
      g_value_set_string (value, self->device_key);
      break;
    case PROP_REGISTERED_AT:
      g_value_set_string (value, self->registered_at);
      break;
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    case PROP_PROFILE:
      g_value_set_string (value, self->profile);
      break;
    case PROP_DEVICE_INFO:
      g_value_set_object (value, self->device_info);
      break;
    case PROP_REGISTERED:
      g_value_set_boolean (value, umt_device_state_get_registered (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
umt_device_state_class_init (UmtDeviceStateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = umt_device_state_finalize;
  object_class->get_property = umt_device_state_get_property;

  properties[PROP_DEVICE_KEY] = g_param_spec_string ("device-key", NULL, NULL, NULL, flags);
  properties[PROP_REGISTERED_AT] = g_param_spec_string ("registered-at", NULL, NULL, NULL, flags);
  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url", NULL, NULL, NULL, flags);
  properties[PROP_PROFILE] = g_param_spec_string ("profile", NULL, NULL, NULL, flags);
  properties[PROP_DEVICE_INFO] = g_param_spec_object ("device-info", NULL, NULL,
                                                      UMT_TYPE_DEVICE_INFO, flags);
  properties[PROP_REGISTERED] = g_param_spec_boolean ("registered", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
umt_device_state_init (UmtDeviceState *self)
{
}

UmtDeviceState *
umt_device_state_new (void)
{
  return g_object_new (UMT_TYPE_DEVICE_STATE, NULL);
}

char *
umt_device_state_get_path (void)
{
  g_autofree char *dir = umt_paths_get_config_dir ();

  return g_build_filename (dir, STATE_FILE_NAME, NULL);
}

static gboolean
set_string (UmtDeviceState *self,
            char          **field,
            const char     *value,
            guint           prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
  return TRUE;
}

gboolean
umt_device_state_set_device_key (UmtDeviceState  *self,
                                 const char      *device_key,
                                 GError         **error)
{
  gboolean was_registered;

  g_return_val_if_fail (UMT_IS_DEVICE_STATE (self), FALSE);

  if (device_key != NULL && !umt_validate_device_key (device_key, error))
    return FALSE;

  was_registered = umt_device_state_get_registered (self);
  if (set_string (self, &self->device_key, device_key, PROP_DEVICE_KEY) &&
      was_registered != umt_device_state_get_registered (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTERED]);
  return TRUE;
}

gboolean
umt_device_state_set_server_url (UmtDeviceState  *self,
                                 const char      *server_url,
                                 GError         **error)
{
  g_return_val_if_fail (UMT_IS_DEVICE_STATE (self), FALSE);

  /* The profile already decided whether plain http was acceptable; here we
   * only refuse what is not a server URL at all. */
  if (server_url != NULL && !umt_validate_server_url (server_url, TRUE, error))
    return FALSE;
  set_string (self, &self->server_url, server_url, PROP_SERVER_URL);
  return TRUE;
}

void
umt_device_state_set_profile (UmtDeviceState *self,
                              const char     *profile)
{
  g_return_if_fail (UMT_IS_DEVICE_STATE (self));
  set_string (self, &self->profile, profile, PROP_PROFILE);
}

void
umt_device_state_set_registered_at (UmtDeviceState *self,
                                    const char     *registered_at)
{
  g_return_if_fail (UMT_IS_DEVICE_STATE (self));
  set_string (self, &self->registered_at, registered_at, PROP_REGISTERED_AT);
}

void
umt_device_state_set_device_info (UmtDeviceState *self,
                                  UmtDeviceInfo  *device_info)
{
  g_return_if_fail (UMT_IS_DEVICE_STATE (self));
  g_return_if_fail (device_info == NULL || UMT_IS_DEVICE_INFO (device_info));

  if (g_set_object (&self->device_info, device_info))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE_INFO]);
}

gboolean
umt_device_state_get_registered (UmtDeviceState *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_STATE (self), FALSE);
  return self->device_key != NULL;
}

const char *
umt_device_state_get_device_key (UmtDeviceState *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_STATE (self), NULL);
  return self->device_key;
}

const char *
umt_device_state_get_registered_at (UmtDeviceState *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_STATE (self), NULL);
  return self->registered_at;
}

const char *
umt_device_state_get_server_url (UmtDeviceState *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_STATE (self), NULL);
  return self->server_url;
}

const char *
umt_device_state_get_profile (UmtDeviceState *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_STATE (self), NULL);
  return self->profile;
}

UmtDeviceInfo *
umt_device_state_get_device_info (UmtDeviceState *self)
{
  g_return_val_if_fail (UMT_IS_DEVICE_STATE (self), NULL);
  return self->device_info;
}

static gboolean
report_corrupt (const char  *path,
                const char  *reason,
                GError     **error)
{
  g_autofree char *aside = umt_paths_set_aside_corrupt (path, error);

  if (aside == NULL)
    return FALSE;
  g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT,
               _("The device state file could not be read (%s); it was moved to %s and "
                  "the device shows as not registered until you register it again."),
               reason, aside);
  return FALSE;
}

/* json-glib 1.6 warns when a member has another type than asked; a
 * hand-edited file must not make the tool complain to the terminal. */
static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* A member this tool writes must have the type it writes: a file where it
 * has another one (say a number for the device key) was not written by this
 * tool and is as unusable as one that does not parse. A missing member or a
 * null is fine. */
static gboolean
check_member_type (JsonObject  *object,
                   const char  *name,
                   JsonNodeType type,
                   char       **reason)
{
  JsonNode *node = json_object_get_member (object, name);
  gboolean ok;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (type == JSON_NODE_VALUE)
    ok = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
  else
    ok = json_node_get_node_type (node) == type;
  if (!ok)
    *reason = g_strdup_printf (type == JSON_NODE_VALUE ? _("“%s” is not a string")
                                                       : _("“%s” is not a JSON object"),
                               name);
  return ok;
}

/* Fills @self from the parsed file; FALSE with @reason when it is not a
 * state file this tool could have written. */
static gboolean
fill_from_json (UmtDeviceState  *self,
                JsonNode        *root,
                char           **reason)
{
  static const char * const string_members[] = {
    "device_key", "server_url", "registered_at", "profile",
  };
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  JsonObject *info = NULL;
  const char *device_key;
  const char *server_url;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      *reason = g_strdup ("it is not a JSON object");
      return FALSE;
    }
  object = json_node_get_object (root);

  for (gsize i = 0; i < G_N_ELEMENTS (string_members); i++)
    if (!check_member_type (object, string_members[i], JSON_NODE_VALUE, reason))
      return FALSE;
  if (!check_member_type (object, "device_info", JSON_NODE_OBJECT, reason))
    return FALSE;

  device_key = get_string_member (object, "device_key");
  if (device_key != NULL && !umt_validate_device_key (device_key, &local_error))
    {
      *reason = g_strdup (local_error->message);
      return FALSE;
    }
  server_url = get_string_member (object, "server_url");
  if (server_url != NULL && !umt_validate_server_url (server_url, TRUE, &local_error))
    {
      *reason = g_strdup (local_error->message);
      return FALSE;
    }

  if (json_object_has_member (object, "device_info"))
    {
      JsonNode *node = json_object_get_member (object, "device_info");

      if (JSON_NODE_HOLDS_OBJECT (node))
        info = json_node_get_object (node);
    }

  /* Legacy files may carry "token"/"token_code": they are read past and,
   * since only known fields are written back, gone at the next save. */
  self->device_key = g_strdup (device_key);
  self->server_url = g_strdup (server_url);
  self->registered_at = g_strdup (get_string_member (object, "registered_at"));
  self->profile = g_strdup (get_string_member (object, "profile"));
  self->device_info = umt_device_info_new_from_json (info);
  return TRUE;
}

/* Fills the new @self from the file at @path (a missing file leaves it
 * empty); when the file is not one this tool could have written, TRUE with
 * @reason set. */
static gboolean
read_file (UmtDeviceState  *self,
           const char      *path,
           char           **reason,
           GError         **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO,
                   _("Could not read the device state file: %s."), local_error->message);
      return FALSE;
    }

  if (length > STATE_MAX_SIZE)
    *reason = g_strdup (_("it is far too large"));
  else if (!json_parser_load_from_data (parser, contents, length, &local_error))
    *reason = g_strdup (local_error->message);
  else
    fill_from_json (self, json_parser_get_root (parser), reason);
  return TRUE;
}

UmtDeviceState *
umt_device_state_load (GError **error)
{
  g_autoptr(UmtDeviceState) self = umt_device_state_new ();
  g_autofree char *path = umt_device_state_get_path ();
  g_autofree char *reason = NULL;

  if (!umt_paths_import_legacy (error))
    return NULL;
  umt_file_lock_remove_stale_temporaries (path);

  if (!read_file (self, path, &reason, error))
    return NULL;
  if (reason != NULL)
    {
      report_corrupt (path, reason, error);
      return NULL;
    }
  return g_steal_pointer (&self);
}

static gboolean
same_device_info (UmtDeviceInfo *a,
                  UmtDeviceInfo *b)
{
  g_autoptr(JsonNode) node_a = NULL;
  g_autoptr(JsonNode) node_b = NULL;

  if (a == NULL || b == NULL)
    return a == b;
  node_a = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node_a, umt_device_info_to_json (a));
  node_b = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node_b, umt_device_info_to_json (b));
  return json_node_equal (node_a, node_b);
}

gboolean
umt_device_state_reload (UmtDeviceState  *self,
                         GError         **error)
{
  g_autoptr(UmtDeviceState) current = umt_device_state_new ();
  g_autofree char *path = umt_device_state_get_path ();
  g_autofree char *reason = NULL;

  g_return_val_if_fail (UMT_IS_DEVICE_STATE (self), FALSE);

  /* Writers replace the file by rename: what is read is whole. */
  if (!read_file (current, path, &reason, error))
    return FALSE;
  if (reason != NULL)
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT,
                   _("The device state file was changed and cannot be read (%s)."), reason);
      return FALSE;
    }

  g_object_freeze_notify (G_OBJECT (self));
  umt_device_state_set_device_key (self, current->device_key, NULL);
  umt_device_state_set_server_url (self, current->server_url, NULL);
  umt_device_state_set_profile (self, current->profile);
  umt_device_state_set_registered_at (self, current->registered_at);
  if (!same_device_info (self->device_info, current->device_info))
    umt_device_state_set_device_info (self, current->device_info);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

static char *
to_data (UmtDeviceState *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  if (self->device_key != NULL)
    {
      json_builder_set_member_name (builder, "device_key");
      json_builder_add_string_value (builder, self->device_key);
    }
  if (self->device_info != NULL)
    {
      JsonNode *info = json_node_new (JSON_NODE_OBJECT);

      json_node_take_object (info, umt_device_info_to_json (self->device_info));
      json_builder_set_member_name (builder, "device_info");
      json_builder_add_value (builder, info);
    }
  if (self->registered_at != NULL)
    {
      json_builder_set_member_name (builder, "registered_at");
      json_builder_add_string_value (builder, self->registered_at);
    }
  if (self->server_url != NULL)
    {
      json_builder_set_member_name (builder, "server_url");
      json_builder_add_string_value (builder, self->server_url);
    }
  if (self->profile != NULL)
    {
      json_builder_set_member_name (builder, "profile");
      json_builder_add_string_value (builder, self->profile);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

gboolean
umt_device_state_save (UmtDeviceState  *self,
                       GError         **error)
{
  g_autofree char *path = umt_device_state_get_path ();
  g_autofree char *data = NULL;
  g_autoptr(UmtFileLock) lock = NULL;

  g_return_val_if_fail (UMT_IS_DEVICE_STATE (self), FALSE);

  if (!umt_paths_ensure_config_dir (error))
    return FALSE;
  lock = umt_file_lock_acquire (path, error);
  if (lock == NULL)
    return FALSE;
  umt_file_lock_remove_stale_temporaries (path);
  data = to_data (self);
  return umt_paths_write_config (path, data, -1, error);
}

gboolean
umt_device_state_check_writable (GError **error)
{
  g_autofree char *dir = umt_paths_get_config_dir ();
  g_autofree char *path = umt_device_state_get_path ();
  g_autofree char *probe = g_strconcat (path, ".probe", NULL);
  g_autofree char *data = g_malloc0 (STATE_PROBE_SIZE);
  g_autoptr(UmtFileLock) lock = NULL;

  if (!umt_paths_ensure_private_dir (dir, error))
    return FALSE;
  lock = umt_file_lock_acquire (path, error);
  if (lock == NULL || !umt_paths_write_atomic (probe, data, STATE_PROBE_SIZE, error))
    return FALSE;
  g_unlink (probe);
  return TRUE;
}

gboolean
umt_device_state_clear (UmtDeviceState  *self,
                        GError         **error)
{
  g_autofree char *dir = umt_paths_get_config_dir ();
  g_autofree char *path = umt_device_state_get_path ();
  g_autoptr(UmtFileLock) lock = NULL;

  g_return_val_if_fail (UMT_IS_DEVICE_STATE (self), FALSE);

  /* Not while another process writes it. */
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      lock = umt_file_lock_acquire (path, error);
      if (lock == NULL)
        return FALSE;
    }

  g_object_freeze_notify (G_OBJECT (self));
  umt_device_state_set_device_key (self, NULL, NULL);
  umt_device_state_set_server_url (self, NULL, NULL);
  umt_device_state_set_profile (self, NULL);
  umt_device_state_set_registered_at (self, NULL);
  umt_device_state_set_device_info (self, NULL);
  g_object_thaw_notify (G_OBJECT (self));

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO,
                   _("Could not remove the device state file %s: %s."), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
umt_device_state_mark_registered (UmtDeviceState  *self,
                                  const char      *device_key,
                                  const char      *server_url,
                                  const char      *profile,
                                  UmtDeviceInfo   *device_info,
                                  GError         **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  g_return_val_if_fail (UMT_IS_DEVICE_STATE (self), FALSE);
  g_return_val_if_fail (device_key != NULL, FALSE);

  /* Check first so that a bad value changes nothing. */
  if (!umt_validate_device_key (device_key, error) ||
      (server_url != NULL && !umt_validate_server_url (server_url, TRUE, error)))
    return FALSE;

  g_object_freeze_notify (G_OBJECT (self));
  umt_device_state_set_device_key (self, device_key, NULL);
  umt_device_state_set_server_url (self, server_url, NULL);
  umt_device_state_set_profile (self, profile);
  umt_device_state_set_registered_at (self, stamp);
  umt_device_state_set_device_info (self, device_info);
  g_object_thaw_notify (G_OBJECT (self));

  return umt_device_state_save (self, error);
}
