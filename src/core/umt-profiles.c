/* umt-profiles.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-profiles"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <glib/gi18n-lib.h>

#include "umt-config-error.h"
#include "umt-file-lock.h"
#include "umt-paths.h"
#include "umt-profiles.h"
#include "umt-validate.h"

#define PROFILES_FILE_NAME "profiles.json"
#define PROFILES_MAX_SIZE  (1024 * 1024)
#define SERVER_URL_ENV     "MEETING_SERVER_URL"

struct _UmtProfiles
{
  GObject parent_instance;

  GPtrArray *profiles;   /* of UmtProfile, in file order */
  char      *active;
  char      *env_url;    /* MEETING_SERVER_URL as read at load, already checked */

  /* What the file held when the profiles in memory last agreed with it: what
   * differs from it in memory is an edit of ours, in the file one of
   * another process. */
  JsonNode  *base;
  GFileMonitor *monitor;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (UmtProfiles, umt_profiles, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_ACTIVE,
  PROP_ACTIVE_NAME,
  PROP_SERVER_URL,
  PROP_SERVER_URL_OVERRIDDEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  RELOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GType
list_model_get_item_type (GListModel *model)
{
  return UMT_TYPE_PROFILE;
}

static guint
list_model_get_n_items (GListModel *model)
{
  return UMT_PROFILES (model)->profiles->len;
}

static gpointer
list_model_get_item (GListModel *model,
                     guint       position)
{
  UmtProfiles *self = UMT_PROFILES (model);

  if (position >= self->profiles->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->profiles, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_model_get_item_type;
  iface->get_n_items = list_model_get_n_items;
  iface->get_item = list_model_get_item;
}

static void
umt_profiles_finalize (GObject *object)
{
  UmtProfiles *self = UMT_PROFILES (object);

  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);
  g_ptr_array_unref (self->profiles);
  g_free (self->active);
  g_free (self->env_url);
  g_clear_pointer (&self->base, json_node_unref);

  G_OBJECT_CLASS (umt_profiles_parent_class)->finalize (object);
}

static void
umt_profiles_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  UmtProfiles *self = UMT_PROFILES (object);
  gboolean overridden;

  switch (prop_id)
    {
    case PROP_ACTIVE:
      g_value_set_object (value, umt_profiles_get_active (self));
      break;
    case PROP_ACTIVE_NAME:
      g_value_set_string (value, self->active);
      break;
    case PROP_SERVER_URL:
      g_value_set_string (value, umt_profiles_get_server_url (self, NULL));
      break;
    case PROP_SERVER_URL_OVERRIDDEN:
      umt_profiles_get_server_url (self, &overridden);
      g_value_set_boolean (value, overridden);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
umt_profiles_class_init (UmtProfilesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = umt_profiles_finalize;
  object_class->get_property = umt_profiles_get_property;

  properties[PROP_ACTIVE] = g_param_spec_object ("active", NULL, NULL, UMT_TYPE_PROFILE, flags);
  properties[PROP_ACTIVE_NAME] = g_param_spec_string ("active-name", NULL, NULL, NULL, flags);
  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url", NULL, NULL, NULL, flags);
  properties[PROP_SERVER_URL_OVERRIDDEN] = g_param_spec_boolean ("server-url-overridden", NULL, NULL,
                                                                 FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[RELOADED] = g_signal_new ("reloaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
umt_profiles_init (UmtProfiles *self)
{
  self->profiles = g_ptr_array_new_with_free_func (g_object_unref);
}

char *
umt_profiles_get_path (void)
{
  g_autofree char *dir = umt_paths_get_config_dir ();

  return g_build_filename (dir, PROFILES_FILE_NAME, NULL);
}

static gint
find_index (UmtProfiles *self,
            const char  *name)
{
  for (guint i = 0; i < self->profiles->len; i++)
    if (g_strcmp0 (umt_profile_get_name (g_ptr_array_index (self->profiles, i)), name) == 0)
      return i;
  return -1;
}

UmtProfile *
umt_profiles_lookup (UmtProfiles *self,
                     const char  *name)
{
  gint index;

  g_return_val_if_fail (UMT_IS_PROFILES (self), NULL);

  index = find_index (self, name);
  return index < 0 ? NULL : g_ptr_array_index (self->profiles, index);
}

UmtProfile *
umt_profiles_get_active (UmtProfiles *self)
{
  g_return_val_if_fail (UMT_IS_PROFILES (self), NULL);
  return umt_profiles_lookup (self, self->active);
}

const char *
umt_profiles_get_active_name (UmtProfiles *self)
{
  g_return_val_if_fail (UMT_IS_PROFILES (self), NULL);
  return self->active;
}

const char *
umt_profiles_get_server_url_for (UmtProfiles *self,
                                 UmtProfile  *profile,
                                 gboolean    *overridden)
{
  g_return_val_if_fail (UMT_IS_PROFILES (self), NULL);
  g_return_val_if_fail (UMT_IS_PROFILE (profile), NULL);

  if (overridden != NULL)
    *overridden = self->env_url != NULL;
  return self->env_url != NULL ? self->env_url : umt_profile_get_base_url (profile);
}

const char *
umt_profiles_get_server_url (UmtProfiles *self,
                             gboolean    *overridden)
{
  g_return_val_if_fail (UMT_IS_PROFILES (self), NULL);
  return umt_profiles_get_server_url_for (self, umt_profiles_get_active (self), overridden);
}

static JsonNode *
to_json (UmtProfiles *self)
{
  JsonNode *root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *array = json_array_new ();

  json_object_set_string_member (object, "active", self->active);
  for (guint i = 0; i < self->profiles->len; i++)
    json_array_add_object_element (array, umt_profile_to_json (g_ptr_array_index (self->profiles, i)));
  json_object_set_array_member (object, "profiles", array);
  json_node_take_object (root, object);
  return root;
}

static gboolean
write_file (UmtProfiles  *self,
            const char   *path,
            GError      **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = to_json (self);
  g_autofree char *data = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  data = json_generator_to_data (generator, NULL);

  return umt_paths_write_config (path, data, -1, error);
}

/* Every writer holds the lock of profiles.json while it writes, so a writer
 * that re-reads the file under the lock sees every edit made before it. */
static UmtFileLock *
lock_file (const char  *path,
           GError     **error)
{
  UmtFileLock *lock;

  if (!umt_paths_ensure_config_dir (error))
    return NULL;
  lock = umt_file_lock_acquire (path, error);
  if (lock != NULL)
    umt_file_lock_remove_stale_temporaries (path);
  return lock;
}

static void
notify_active (UmtProfiles *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE_NAME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_URL]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
on_profile_notify (UmtProfile  *profile,
                   GParamSpec  *pspec,
                   UmtProfiles *self)
{
  if (profile == umt_profiles_get_active (self) && self->env_url == NULL &&
      g_strcmp0 (g_param_spec_get_name (pspec), "base-url") == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_URL]);
}

static void
append_profile (UmtProfiles *self,
                UmtProfile  *profile)
{
  g_ptr_array_add (self->profiles, g_object_ref (profile));
  g_signal_connect_object (profile, "notify", G_CALLBACK (on_profile_notify), self, 0);
}

/* The edits, each applied first to the file's current content under its
 * lock, then to the profiles in memory. */

static gboolean
apply_add (UmtProfiles   *self,
           gconstpointer  data,
           GError       **error)
{
  UmtProfile *profile = (UmtProfile *) data;

  if (find_index (self, umt_profile_get_name (profile)) >= 0)
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_EXISTS,
                   _("A profile named “%s” exists already; choose another name or change it with "
                      "“umt profile set”."), umt_profile_get_name (profile));
      return FALSE;
    }
  append_profile (self, profile);
  g_list_model_items_changed (G_LIST_MODEL (self), self->profiles->len - 1, 0, 1);
  return TRUE;
}

static gboolean
set_unknown_error (const char  *name,
                   GError     **error)
{
  g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_NOT_FOUND,
               _("There is no profile named “%s”; “umt profile list” shows the profiles."),
               name != NULL ? name : "");
  return FALSE;
}

static gboolean
apply_remove (UmtProfiles   *self,
              gconstpointer  data,
              GError       **error)
{
  const char *name = data;
  gint index;

  index = find_index (self, name);
  if (index < 0)
    return set_unknown_error (name, error);
  if (g_strcmp0 (name, self->active) == 0)
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   _("“%s” is the active profile; switch to another one with “umt profile use” "
                      "before removing it."), name);
      return FALSE;
    }
  g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->profiles, index), self);
  g_ptr_array_remove_index (self->profiles, index);
  g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 0);
  return TRUE;
}

static gboolean
apply_use (UmtProfiles   *self,
           gconstpointer  data,
           GError       **error)
{
  const char *name = data;

  if (find_index (self, name) < 0)
    return set_unknown_error (name, error);
  if (g_strcmp0 (name, self->active) != 0)
    {
      g_free (self->active);
      self->active = g_strdup (name);
      notify_active (self);
    }
  return TRUE;
}

typedef struct
{
  const char *name;
  const char *key;
  const char *value;
} SetValue;

static gboolean
apply_set (UmtProfiles   *self,
           gconstpointer  data,
           GError       **error)
{
  const SetValue *set = data;
  UmtProfile *profile;

  profile = umt_profiles_lookup (self, set->name);
  if (profile == NULL)
    return set_unknown_error (set->name, error);
  return umt_profile_set_value (profile, set->key, set->value, error);
}

static gboolean
fill_from_json (UmtProfiles  *self,
                JsonNode     *root,
                GError      **error)
{
  JsonObject *object;
  JsonNode *list;
  JsonNode *active;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT, _("it is not a "
                                                                                "JSON object"));
      return FALSE;
    }
  object = json_node_get_object (root);
  list = json_object_get_member (object, "profiles");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT,
                           _("it has no list of profiles"));
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (list), i);
      g_autoptr(UmtProfile) profile = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT,
                               _("a profile is not a JSON object"));
          return FALSE;
        }
      profile = umt_profile_new_from_json (json_node_get_object (element), error);
      if (profile == NULL)
        return FALSE;
      if (find_index (self, umt_profile_get_name (profile)) >= 0)
        {
          g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT,
                       _("the profile “%s” appears twice"), umt_profile_get_name (profile));
          return FALSE;
        }
      append_profile (self, profile);
    }

  active = json_object_get_member (object, "active");
  if (active != NULL && JSON_NODE_HOLDS_VALUE (active) &&
      json_node_get_value_type (active) == G_TYPE_STRING)
    self->active = g_strdup (json_node_get_string (active));

  /* A legacy file may name no active profile, or one that is gone: fall
   * back to the first one (an empty list gets the default below). */
  if (umt_profiles_get_active (self) == NULL && self->profiles->len > 0)
    {
      g_free (self->active);
      self->active = g_strdup (umt_profile_get_name (g_ptr_array_index (self->profiles, 0)));
    }
  return TRUE;
}

static void
add_default_profile (UmtProfiles *self)
{
  g_autoptr(UmtProfile) profile = umt_profile_new (UMT_PROFILE_DEFAULT_NAME,
                                                   UMT_PROFILE_DEFAULT_URL, NULL);

  append_profile (self, profile);
  g_free (self->active);
  self->active = g_strdup (UMT_PROFILE_DEFAULT_NAME);
}

/* Fills @self from the file at @path; a missing file leaves it empty, one
 * that does not parse is a UMT_CONFIG_ERROR_CORRUPT whose message says why. */
static gboolean
read_file (UmtProfiles  *self,
           const char   *path,
           GError      **error)
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
                   _("Could not read the profiles file: %s."), local_error->message);
      return FALSE;
    }
  if (length > PROFILES_MAX_SIZE)
    {
      g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT,
                           _("it is far too large"));
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, contents, length, &local_error))
    {
      g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT, local_error->message);
      return FALSE;
    }
  /* A profile the checks refuse makes the file as unusable as bad JSON. */
  if (!fill_from_json (self, json_parser_get_root (parser), &local_error))
    {
      g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static JsonObject *
lookup_base (JsonNode   *base,
             const char *name)
{
  JsonArray *array;

  if (base == NULL)
    return NULL;
  array = json_object_get_array_member (json_node_get_object (base), "profiles");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *profile = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (profile, "name"), name) == 0)
        return profile;
    }
  return NULL;
}

/* Lays the edits made in @self since its base over @current, the file as
 * another process may have left it: a setting changed on one side only
 * keeps that change, one changed on both sides takes ours. A profile removed
 * on either side is gone. */
static gboolean
merge_edits (UmtProfiles  *current,
             UmtProfiles  *self,
             GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *base_active = NULL;

  if (self->base != NULL)
    {
      JsonArray *array = json_object_get_array_member (json_node_get_object (self->base),
                                                       "profiles");

      base_active = json_object_get_string_member (json_node_get_object (self->base), "active");
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *name = json_object_get_string_member (json_array_get_object_element (array, i),
                                                            "name");
          gint index = find_index (current, name);

          if (find_index (self, name) < 0 && index >= 0 && g_strcmp0 (name, current->active) != 0)
            g_ptr_array_remove_index (current->profiles, index);
        }
    }

  for (guint i = 0; i < self->profiles->len; i++)
    {
      UmtProfile *mine = g_ptr_array_index (self->profiles, i);
      JsonObject *was = lookup_base (self->base, umt_profile_get_name (mine));
      UmtProfile *theirs = umt_profiles_lookup (current, umt_profile_get_name (mine));

      if (theirs == NULL && was == NULL)
        append_profile (current, mine);
      else if (theirs != NULL && !umt_profile_apply_changes (theirs, was, mine, &local_error))
        {
          g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                       _("The profile “%s” was changed meanwhile in a way that does not agree "
                         "with this change (%s); nothing was changed."),
                       umt_profile_get_name (mine), local_error->message);
          return FALSE;
        }
    }

  if (g_strcmp0 (self->active, base_active) != 0 && find_index (current, self->active) >= 0)
    {
      g_free (current->active);
      current->active = g_strdup (self->active);
    }
  return TRUE;
}

/* Makes the profiles in memory those of @current, changing the objects in
 * place so that what is bound to them follows. */
static void
adopt (UmtProfiles *self,
       UmtProfiles *current,
       JsonNode    *base)
{
  for (guint i = self->profiles->len; i > 0; i--)
    {
      UmtProfile *mine = g_ptr_array_index (self->profiles, i - 1);

      if (find_index (current, umt_profile_get_name (mine)) < 0)
        {
          g_signal_handlers_disconnect_by_data (mine, self);
          g_ptr_array_remove_index (self->profiles, i - 1);
          g_list_model_items_changed (G_LIST_MODEL (self), i - 1, 1, 0);
        }
    }

  for (guint i = 0; i < current->profiles->len; i++)
    {
      UmtProfile *theirs = g_ptr_array_index (current->profiles, i);
      UmtProfile *mine = umt_profiles_lookup (self, umt_profile_get_name (theirs));
      g_autoptr(GError) error = NULL;

      if (mine == NULL)
        {
          append_profile (self, theirs);
          g_list_model_items_changed (G_LIST_MODEL (self), self->profiles->len - 1, 0, 1);
        }
      else if (!umt_profile_apply_changes (mine, NULL, theirs, &error))
        g_warning ("A valid profile %s could not be copied: %s", umt_profile_get_name (mine),
                   error->message);
    }

  if (g_strcmp0 (self->active, current->active) != 0)
    {
      g_free (self->active);
      self->active = g_strdup (current->active);
      notify_active (self);
    }

  g_clear_pointer (&self->base, json_node_unref);
  self->base = json_node_ref (base);
}

/* Reads profiles.json into the empty @current for an edit. */
static gboolean
read_current (UmtProfiles  *current,
              const char   *path,
              GError      **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!read_file (current, path, &local_error))
    {
      if (g_error_matches (local_error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT))
        g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT,
                     _("The profiles file was changed meanwhile and cannot be read (%s); "
                        "nothing was changed."), local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (current->profiles->len == 0)
    add_default_profile (current);
  return TRUE;
}

typedef gboolean (*EditFunc) (UmtProfiles   *profiles,
                              gconstpointer  data,
                              GError       **error);

/* Re-reads profiles.json under its lock, lays over it the edits made in
 * memory since and then @edit (may be NULL), writes it back before
 * releasing the lock, and makes that the profiles in memory: edits made at
 * the same time by other processes are all kept. When it fails, nothing
 * changes in the file nor in memory. */
static gboolean
edit_file (UmtProfiles    *self,
           EditFunc        edit,
           gconstpointer   data,
           GError        **error)
{
  g_autofree char *path = umt_profiles_get_path ();
  g_autoptr(UmtProfiles) current = g_object_new (UMT_TYPE_PROFILES, NULL);
  g_autoptr(UmtFileLock) lock = NULL;
  g_autoptr(JsonNode) written = NULL;

  lock = lock_file (path, error);
  if (lock == NULL || !read_current (current, path, error) ||
      !merge_edits (current, self, error) ||
      (edit != NULL && !edit (current, data, error)) ||
      !write_file (current, path, error))
    return FALSE;
  g_clear_pointer (&lock, umt_file_lock_release);

  written = to_json (current);
  adopt (self, current, written);
  return TRUE;
}

gboolean
umt_profiles_save (UmtProfiles  *self,
                   GError      **error)
{
  g_return_val_if_fail (UMT_IS_PROFILES (self), FALSE);

  return edit_file (self, NULL, NULL, error);
}

gboolean
umt_profiles_reload (UmtProfiles  *self,
                     GError      **error)
{
  g_autofree char *path = umt_profiles_get_path ();
  g_autoptr(UmtProfiles) current = g_object_new (UMT_TYPE_PROFILES, NULL);
  g_autoptr(JsonNode) file = NULL;

  g_return_val_if_fail (UMT_IS_PROFILES (self), FALSE);

  /* Writers replace the file by rename: what is read is whole. A file
   * removed is no list of profiles to take. */
  if (!read_file (current, path, error))
    return FALSE;
  if (current->profiles->len == 0)
    return TRUE;

  file = to_json (current);
  if (self->base != NULL && json_node_equal (file, self->base))
    return TRUE;
  if (!merge_edits (current, self, error))
    return FALSE;
  adopt (self, current, file);
  g_debug ("%s changed; profiles reloaded", path);
  g_signal_emit (self, signals[RELOADED], 0);
  return TRUE;
}

static void
on_file_changed (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other_file,
                 GFileMonitorEvent  event,
                 UmtProfiles       *self)
{
  g_autoptr(GError) error = NULL;

  /* Writers rename a whole file into place; a hand edit in place is
   * read when done. */
  if (event == G_FILE_MONITOR_EVENT_CHANGED || event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED)
    return;
  if (!umt_profiles_reload (self, &error))
    g_message ("The profiles file changed but was not reloaded: %s", error->message);
}

void
umt_profiles_watch (UmtProfiles *self)
{
  g_autofree char *path = umt_profiles_get_path ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_return_if_fail (UMT_IS_PROFILES (self));

  if (self->monitor != NULL)
    return;
  self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->monitor == NULL)
    {
      g_message ("Changes made to %s by other programs will not be seen: %s", path, error->message);
      return;
    }
  g_signal_connect_object (self->monitor, "changed", G_CALLBACK (on_file_changed), self, 0);
}

gboolean
umt_profiles_add (UmtProfiles  *self,
                  UmtProfile   *profile,
                  GError      **error)
{
  g_return_val_if_fail (UMT_IS_PROFILES (self), FALSE);
  g_return_val_if_fail (UMT_IS_PROFILE (profile), FALSE);

  return edit_file (self, apply_add, profile, error);
}

gboolean
umt_profiles_remove (UmtProfiles  *self,
                     const char   *name,
                     GError      **error)
{
  g_return_val_if_fail (UMT_IS_PROFILES (self), FALSE);

  return edit_file (self, apply_remove, name, error);
}

gboolean
umt_profiles_use (UmtProfiles  *self,
                  const char   *name,
                  GError      **error)
{
  g_return_val_if_fail (UMT_IS_PROFILES (self), FALSE);

  return edit_file (self, apply_use, name, error);
}

gboolean
umt_profiles_set (UmtProfiles  *self,
                  const char   *name,
                  const char   *key,
                  const char   *value,
                  GError      **error)
{
  SetValue set = { name, key, value };

  g_return_val_if_fail (UMT_IS_PROFILES (self), FALSE);

  return edit_file (self, apply_set, &set, error);
}

static gboolean
read_environment (UmtProfiles  *self,
                  GError      **error)
{
  const char *url = g_getenv (SERVER_URL_ENV);
  g_autoptr(GError) local_error = NULL;
  UmtProfile *active = umt_profiles_get_active (self);

  if (url == NULL || *url == '\0')
    return TRUE;
  if (!umt_validate_server_url (url, umt_profile_get_allow_insecure_http (active), &local_error))
    {
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_INVALID_INPUT,
                   _("%s is set to a URL that cannot be used: %s"), SERVER_URL_ENV, local_error->message);
      return FALSE;
    }
  self->env_url = g_strdup (url);
  /* Trailing slashes are dropped as in profiles, so paths join alike. */
  for (gsize len = strlen (self->env_url); len > 0 && self->env_url[len - 1] == '/'; len--)
    self->env_url[len - 1] = '\0';
  g_debug ("%s overrides the server URL for this run: %s", SERVER_URL_ENV, self->env_url);
  return TRUE;
}

UmtProfiles *
umt_profiles_load (GError **error)
{
  g_autoptr(UmtProfiles) self = g_object_new (UMT_TYPE_PROFILES, NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = umt_profiles_get_path ();
  gboolean save = FALSE;

  if (!umt_paths_import_legacy (error))
    return NULL;

  umt_file_lock_remove_stale_temporaries (path);

  if (!read_file (self, path, &local_error))
    {
      g_autofree char *aside = NULL;

      if (!g_error_matches (local_error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      aside = umt_paths_set_aside_corrupt (path, error);

      if (aside == NULL)
        return NULL;
      g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_CORRUPT,
                   _("The profiles file could not be read (%s); it was moved to %s. "
                      "Run again to start from the default profile."), local_error->message, aside);
      return NULL;
    }

  if (self->profiles->len == 0)
    {
      add_default_profile (self);
      save = TRUE;
    }
  else
    self->base = to_json (self);

  if (!read_environment (self, error))
    return NULL;

  if (save && !umt_profiles_save (self, error))
    return NULL;

  return g_steal_pointer (&self);
}
