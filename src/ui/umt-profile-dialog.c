/* umt-profile-dialog.c: add, edit or remove a server profile and its token
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-profile-dialog"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "umt-profile-dialog.h"
#include "umt-secret-store.h"

struct _UmtProfileDialog
{
  AdwWindow         parent_instance;

  UmtDeviceManager *manager;
  UmtProfile       *profile;   /* NULL while creating one */
  GCancellable     *cancellable;
  gboolean          clear_token; /* on Save, not before: Cancel keeps it */
  char             *token_url;   /* the URL the stored token goes with */

  AdwWindowTitle   *window_title;
  AdwActionRow     *error_row;
  AdwEntryRow      *name_row;
  AdwEntryRow      *url_row;
  GtkSwitch        *tls_switch;
  AdwActionRow     *tls_warning_row;
  GtkSpinButton    *timeout_spin;
  GtkSpinButton    *retries_spin;
  GtkSpinButton    *interval_spin;
  AdwEntryRow      *note_row;
  AdwPasswordEntryRow *token_row;
  AdwActionRow     *token_status_row;
  AdwPreferencesGroup *remove_group;
};

G_DEFINE_FINAL_TYPE (UmtProfileDialog, umt_profile_dialog, ADW_TYPE_WINDOW)

static gboolean
invert_boolean (gpointer  instance,
                gboolean  value)
{
  return !value;
}

static void
show_error (UmtProfileDialog *self,
            const char       *message)
{
  adw_action_row_set_subtitle (self->error_row, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_row), TRUE);
}

static const char *
entry_text_or_null (AdwEntryRow *row)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

  return text[0] != '\0' ? text : NULL;
}

/* Every field through the profile's own checks; the first refusal wins. */
static gboolean
apply_fields (UmtProfileDialog  *self,
              UmtProfile        *profile,
              GError           **error)
{
  umt_profile_set_verify_tls (profile, gtk_switch_get_active (self->tls_switch));
  return umt_profile_set_base_url (profile, gtk_editable_get_text (GTK_EDITABLE (self->url_row)), error) &&
         umt_profile_set_timeout (profile, gtk_spin_button_get_value_as_int (self->timeout_spin), error) &&
         umt_profile_set_retries (profile, gtk_spin_button_get_value_as_int (self->retries_spin), error) &&
         umt_profile_set_heartbeat_interval (profile, gtk_spin_button_get_value_as_int (self->interval_spin), error) &&
         umt_profile_set_note (profile, entry_text_or_null (self->note_row), error);
}

/* The last step of Save: the profile is saved, the keyring is told. */
static void
on_token_saved (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(UmtProfileDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean saved;

  if (self->clear_token)
    saved = umt_secret_store_clear_finish (result, &error);
  else
    saved = umt_secret_store_store_finish (result, &error);
  if (!saved)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          gtk_widget_set_sensitive (GTK_WIDGET (self), TRUE);
          show_error (self, error->message);
        }
      return;
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  UmtProfileDialog *self = UMT_PROFILE_DIALOG (widget);
  UmtProfiles *profiles = umt_device_manager_get_profiles (self->manager);
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtProfile) profile = NULL;
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));

  if (self->profile == NULL)
    {
      const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));

      if (umt_profiles_lookup (profiles, name) != NULL)
        {
          g_autofree char *message =
            g_strdup_printf (_("A profile named “%s” exists already; choose another name."), name);

          show_error (self, message);
          return;
        }
      profile = umt_profile_new (name, gtk_editable_get_text (GTK_EDITABLE (self->url_row)),
                                 &error);
      if (profile == NULL || !apply_fields (self, profile, &error) ||
          !umt_profiles_add (profiles, profile, &error))
        {
          show_error (self, error->message);
          return;
        }
    }
  else
    {
      /* Checked on a copy first, so a refused field leaves the profile as it
       * was; and put back as it was when it cannot be saved. */
      g_autoptr(JsonObject) json = umt_profile_to_json (self->profile);
      g_autoptr(UmtProfile) before = umt_profile_new_from_json (json, NULL);
      g_autoptr(UmtProfile) copy = umt_profile_new_from_json (json, &error);

      if (copy == NULL || !apply_fields (self, copy, &error))
        {
          show_error (self, error->message);
          return;
        }
      apply_fields (self, self->profile, NULL);
      if (!umt_profiles_save (profiles, &error))
        {
          umt_profile_apply_changes (self->profile, NULL, before, NULL);
          show_error (self, error->message);
          return;
        }
      profile = g_object_ref (self->profile);
    }
  umt_device_manager_profiles_changed (self->manager);

  if (token[0] != '\0')
    self->clear_token = FALSE;
  else if (!self->clear_token)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
  if (self->clear_token)
    umt_secret_store_clear_async (UMT_SECRET_PROFILE_TOKEN, umt_profile_get_name (profile),
                                  self->token_url, self->cancellable,
                                  on_token_saved, g_object_ref (self));
  else
    umt_secret_store_store_async (UMT_SECRET_PROFILE_TOKEN, umt_profile_get_name (profile),
                                  umt_profile_get_base_url (profile), token, self->cancellable,
                                  on_token_saved, g_object_ref (self));
}

static void
on_token_looked_up (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(UmtProfileDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  char *token = umt_secret_store_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* After Clear Token the row says the token goes on Save. */
  if (!self->clear_token)
    adw_action_row_set_subtitle (self->token_status_row,
                                 error != NULL ? error->message
                                 : token != NULL ? _("A token is stored in the keyring")
                                 : _("No token stored"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "profile.clear-token",
                                 token != NULL && !self->clear_token);

  /* Only its presence matters here; do not keep it in memory. */
  if (token != NULL)
    {
      memset (token, 0, strlen (token));
      g_free (token);
    }
}

static void
refresh_token_status (UmtProfileDialog *self)
{
  if (self->profile == NULL)
    {
      adw_action_row_set_subtitle (self->token_status_row, _("No token stored"));
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "profile.clear-token", FALSE);
      return;
    }

  umt_secret_store_lookup_async (UMT_SECRET_PROFILE_TOKEN, umt_profile_get_name (self->profile),
                                 umt_profile_get_base_url (self->profile), self->cancellable,
                                 on_token_looked_up, g_object_ref (self));
}

static void
clear_token_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  UmtProfileDialog *self = UMT_PROFILE_DIALOG (widget);

  if (self->profile == NULL)
    return;

  self->clear_token = TRUE;
  adw_action_row_set_subtitle (self->token_status_row,
                               _("The stored token will be removed when you save"));
  gtk_widget_action_set_enabled (widget, "profile.clear-token", FALSE);
}

/* Next to the Remove button, where the user is looking. */
static void
show_remove_problem (UmtProfileDialog *self,
                     const char       *message)
{
  adw_preferences_group_set_description (self->remove_group, message);
}

static gboolean
is_active (UmtProfileDialog *self)
{
  return self->profile != NULL &&
         umt_profiles_get_active (umt_device_manager_get_profiles (self->manager)) == self->profile;
}

static void
remove_profile (UmtProfileDialog *self)
{
  UmtProfiles *profiles = umt_device_manager_get_profiles (self->manager);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup (umt_profile_get_name (self->profile));
  g_autofree char *url = g_strdup (umt_profile_get_base_url (self->profile));

  /* Made active meanwhile, by `umt profile use` for instance. */
  if (is_active (self))
    {
      show_remove_problem (self, _("This is the active profile: make another profile active "
                                   "before removing it."));
      return;
    }
  if (!umt_profiles_remove (profiles, name, &error))
    {
      show_remove_problem (self, error->message);
      return;
    }
  umt_device_manager_profiles_changed (self->manager);

  /* The profile's token must not outlive it; nobody waits for the answer. */
  umt_secret_store_clear_async (UMT_SECRET_PROFILE_TOKEN, name, url, NULL, NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_remove_response (AdwMessageDialog *dialog,
                    const char       *response,
                    UmtProfileDialog *self)
{
  if (g_str_equal (response, "remove"))
    remove_profile (self);
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  UmtProfileDialog *self = UMT_PROFILE_DIALOG (widget);
  AdwMessageDialog *dialog;

  if (self->profile == NULL)
    return;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), NULL, NULL));
  adw_message_dialog_format_heading (dialog, _("Remove Profile “%s”?"),
                                     umt_profile_get_name (self->profile));
  adw_message_dialog_set_body (dialog, _("Its settings and its stored token will be removed "
                                         "from this computer."));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

UmtProfileDialog *
umt_profile_dialog_new (GtkWindow        *parent,
                        UmtDeviceManager *manager,
                        UmtProfile       *profile)
{
  UmtProfileDialog *self;

  g_return_val_if_fail (UMT_IS_DEVICE_MANAGER (manager), NULL);

  self = g_object_new (UMT_TYPE_PROFILE_DIALOG, "transient-for", parent, NULL);
  self->manager = g_object_ref (manager);

  if (profile != NULL)
    {
      self->profile = g_object_ref (profile);
      self->token_url = g_strdup (umt_profile_get_base_url (profile));
      adw_window_title_set_title (self->window_title, _("Edit Profile"));
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), umt_profile_get_name (profile));
      /* The name identifies the profile (and its keyring entry). */
      gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), FALSE);
      gtk_editable_set_text (GTK_EDITABLE (self->url_row), umt_profile_get_base_url (profile));
      gtk_switch_set_active (self->tls_switch, umt_profile_get_verify_tls (profile));
      gtk_spin_button_set_value (self->timeout_spin, umt_profile_get_timeout (profile));
      gtk_spin_button_set_value (self->retries_spin, umt_profile_get_retries (profile));
      gtk_spin_button_set_value (self->interval_spin, umt_profile_get_heartbeat_interval (profile));
      if (umt_profile_get_note (profile) != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->note_row), umt_profile_get_note (profile));

      if (is_active (self))
        {
          show_remove_problem (self, _("This is the active profile: make another profile "
                                       "active before removing it."));
          gtk_widget_action_set_enabled (GTK_WIDGET (self), "profile.remove", FALSE);
        }
      /* Removing the profile the device was registered through moves its
       * heartbeats to the active profile's server, which does not know it. */
      else if (umt_device_manager_get_registered (manager) &&
               g_strcmp0 (umt_device_state_get_profile (umt_device_manager_get_state (manager)),
                          umt_profile_get_name (profile)) == 0)
        adw_preferences_group_set_description (self->remove_group,
                                               _("This device is registered through this profile. Without it, its "
                                                 "heartbeats go to the server of the active profile, which does not "
                                                 "know the device: unregister it first, then register it with the "
                                                 "server you want."));
    }
  else
    {
      adw_window_title_set_title (self->window_title, _("New Profile"));
      gtk_widget_set_visible (GTK_WIDGET (self->remove_group), FALSE);
      gtk_editable_set_text (GTK_EDITABLE (self->url_row), "https://");
    }

  refresh_token_status (self);
  return self;
}

static void
umt_profile_dialog_dispose (GObject *object)
{
  UmtProfileDialog *self = UMT_PROFILE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->profile);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->token_url, g_free);

  G_OBJECT_CLASS (umt_profile_dialog_parent_class)->dispose (object);
}

static void
umt_profile_dialog_class_init (UmtProfileDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = umt_profile_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/ygsoft/UpdatesManagerTool/ui/umt-profile-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, UmtProfileDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, UmtProfileDialog, error_row);
  gtk_widget_class_bind_template_child (widget_class, UmtProfileDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, UmtProfileDialog, url_row);
  gtk_widget_class_bind_template_child (widget_class, UmtProfileDialog, tls_switch);
  gtk_widget_class_bind_template_child (widget_class, UmtProfileDialog, tls_warning_row);
  gtk_widget_class_bind_template_child (widget_class, UmtProfileDialog, timeout_spin);
  gtk_widget_class_bind_template_child (widget_class, UmtProfileDialog, retries_spin);
  gtk_widget_class_bind_template_child (widget_class, UmtProfileDialog, interval_spin);
  gtk_widget_class_bind_template_child (widget_class, UmtProfileDialog, note_row);
  gtk_widget_class_bind_template_child (widget_class, UmtProfileDialog, token_row);
  gtk_widget_class_bind_template_child (widget_class, UmtProfileDialog, token_status_row);
  gtk_widget_class_bind_template_child (widget_class, UmtProfileDialog, remove_group);
  gtk_widget_class_bind_template_callback (widget_class, invert_boolean);

  gtk_widget_class_install_action (widget_class, "profile.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "profile.clear-token", NULL, clear_token_action);
  gtk_widget_class_install_action (widget_class, "profile.remove", NULL, remove_action);
}

static void
umt_profile_dialog_init (UmtProfileDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
}
