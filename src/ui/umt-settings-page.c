/* umt-settings-page.c: registration, server profiles, application and remote access
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-settings-page"

#include "config.h"

#include <glib/gi18n.h>

#include "umt-settings-page.h"
#include "umt-application.h"
#include "umt-device-key.h"
#include "umt-heartbeat-text.h"
#include "umt-profile-dialog.h"
#include "umt-remote-access-group.h"
#include "umt-validate.h"
#include "umt-window.h"

#define TOKEN_LENGTH 6

struct _UmtSettingsPage
{
  AdwPreferencesPage  parent_instance;

  GSettings          *settings;
  UmtDeviceManager   *manager;
  UmtHeartbeat       *heartbeat;
  GCancellable       *cancellable;
  GPtrArray          *profile_rows;
  gboolean            registered;
  /* Registering or unregistering. */
  gboolean            busy;
  /* A test heartbeat is on its way. */
  gboolean            testing;
  /* The error row shows a refused registration: editing makes it stale. */
  gboolean            showing_registration_error;
  /* Why the last characters typed into the token were dropped. */
  char               *token_rejection;
  /* Set while the widgets are filled from the profile, so that filling
   * them is not taken for the user editing the profile. */
  gboolean            syncing_profile;

  AdwActionRow       *error_row;
  GtkLabel           *status_label;
  AdwEntryRow        *device_key_row;
  AdwEntryRow        *token_row;
  GtkWidget          *token_hint_box;
  GtkLabel           *token_hint_label;
  GtkLabel           *token_counter_label;
  GtkBox             *action_box;
  AdwExpanderRow     *instructions_row;
  AdwActionRow       *warning_row;
  AdwActionRow       *heartbeat_row;
  GtkImage           *heartbeat_icon;
  GtkButton          *resume_button;
  GtkSpinner         *register_spinner;
  GtkButton          *copy_key_button;
  GtkButton          *paste_key_button;
  GtkButton          *register_button;
  GtkButton          *test_heartbeat_button;
  GtkButton          *unregister_button;
  AdwActionRow       *override_row;
  AdwPreferencesGroup *profiles_group;
  GtkSwitch          *public_ip_switch;
  AdwEntryRow        *cluster_ip_row;
  AdwEntryRow        *note_row;
  GtkSwitch          *background_switch;
  GtkSwitch          *autostart_switch;
  GtkSwitch          *tray_switch;
  GtkSwitch          *notifications_switch;
  AdwPreferencesGroup *remote_group;
};

G_DEFINE_FINAL_TYPE (UmtSettingsPage, umt_settings_page, ADW_TYPE_PREFERENCES_PAGE)

static gboolean
inputs_are_valid (UmtSettingsPage *self)
{
  const char *key = gtk_editable_get_text (GTK_EDITABLE (self->device_key_row));
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));
  g_autofree char *normalized = NULL;

  if (!umt_validate_device_key (key, NULL))
    return FALSE;

  normalized = umt_validate_token_code (token, NULL);
  return normalized != NULL;
}

/* Register Device is off until key and token are right: the line under the
 * token says what is missing, and counts the characters. */
static void
update_token_hint (UmtSettingsPage *self)
{
  const char *key = gtk_editable_get_text (GTK_EDITABLE (self->device_key_row));
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));
  GtkWidget *label = GTK_WIDGET (self->token_hint_label);
  g_autofree char *count = NULL;
  const char *hint;

  gtk_widget_set_visible (self->token_hint_box, !self->registered);
  if (self->registered)
    return;

  if (self->token_rejection != NULL)
    hint = self->token_rejection;
  else if (!umt_validate_device_key (key, NULL))
    hint = _("Enter the device key from your administrator: letters, digits, dots, dashes and underscores.");
  else
    hint = _("Six characters: digits 0 to 9 and letters A to F");
  gtk_label_set_label (self->token_hint_label, hint);
  if (self->token_rejection != NULL)
    gtk_widget_add_css_class (label, "warning");
  else
    gtk_widget_remove_css_class (label, "warning");

  /* Translators: characters typed so far, out of the token's length. */
  count = g_strdup_printf (_("%d/%d"), (int) g_utf8_strlen (token, -1), TOKEN_LENGTH);
  gtk_label_set_label (self->token_counter_label, count);
}

static void
update_actions (UmtSettingsPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  const char *key = gtk_editable_get_text (GTK_EDITABLE (self->device_key_row));

  gboolean have_manager = self->manager != NULL;

  update_token_hint (self);

  gtk_widget_action_set_enabled (widget, "settings.register",
                                 have_manager && !self->registered && !self->busy &&
                                 inputs_are_valid (self));
  gtk_widget_action_set_enabled (widget, "settings.test-heartbeat",
                                 have_manager && self->registered && !self->busy && !self->testing);
  gtk_widget_action_set_enabled (widget, "settings.unregister",
                                 have_manager && self->registered && !self->busy);
  gtk_widget_action_set_enabled (widget, "settings.copy-device-key", key[0] != '\0');
  gtk_widget_action_set_enabled (widget, "settings.paste-device-key", !self->registered && !self->busy);
  gtk_widget_action_set_enabled (widget, "settings.add-profile", have_manager);
}

static void
show_error (UmtSettingsPage *self,
            const char      *title,
            const char      *message)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->error_row), title);
  adw_action_row_set_subtitle (self->error_row, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_row), TRUE);
}

static void
hide_error (UmtSettingsPage *self)
{
  self->showing_registration_error = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->error_row), FALSE);
}

static void
on_registration_input_changed (UmtSettingsPage *self)
{
  /* The refusal was about what was typed before. */
  if (self->showing_registration_error)
    hide_error (self);
  update_actions (self);
}

static void
on_token_changed (UmtSettingsPage *self)
{
  g_clear_pointer (&self->token_rejection, g_free);
  on_registration_input_changed (self);
}

/* The spinner goes right before the button whose work it shows. */
static void
show_progress (UmtSettingsPage *self,
               GtkWidget       *button,
               const char      *what)
{
  GtkWidget *spinner = GTK_WIDGET (self->register_spinner);

  if (gtk_widget_get_next_sibling (spinner) != button)
    gtk_box_reorder_child_after (self->action_box, spinner, gtk_widget_get_prev_sibling (button));
  gtk_accessible_update_property (GTK_ACCESSIBLE (spinner), GTK_ACCESSIBLE_PROPERTY_LABEL, what, -1);
  gtk_widget_set_visible (spinner, TRUE);
  gtk_spinner_set_spinning (self->register_spinner, TRUE);
}

static void
hide_progress (UmtSettingsPage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->register_spinner), FALSE);
  gtk_spinner_set_spinning (self->register_spinner, FALSE);
}

static void
update_registration_display (UmtSettingsPage *self)
{
  GtkWidget *status = GTK_WIDGET (self->status_label);

  self->registered = self->manager != NULL && umt_device_manager_get_registered (self->manager);
  if (self->registered)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->device_key_row),
                             umt_device_manager_get_device_key (self->manager));
      gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
    }
  else if (self->manager != NULL &&
           gtk_editable_get_text (GTK_EDITABLE (self->device_key_row))[0] == '\0')
    {
      /* Pre-filled with this computer's suggested key; the administrator's
       * key can be typed or pasted over it. */
      g_autofree char *suggested = umt_device_key_suggest (NULL, NULL);

      if (suggested != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->device_key_row), suggested);
    }

  gtk_label_set_label (self->status_label,
                       self->registered ? _("Registered") : _("Not registered"));
  gtk_widget_remove_css_class (status, self->registered ? "error" : "success");
  gtk_widget_add_css_class (status, self->registered ? "success" : "error");

  /* The key is the device's identity once registered; the token is burned.
   * While the server is asked, neither takes input, yet both keep the
   * focus (Enter in them started it). The focus leaves the token before
   * it goes insensitive: a focused text made insensitive would lose its
   * focus without being told. */
  gtk_editable_set_editable (GTK_EDITABLE (self->device_key_row), !self->registered && !self->busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->token_row), !self->registered && !self->busy);
  if (self->registered && gtk_widget_has_focus (GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (self->token_row)))))
    gtk_widget_grab_focus (GTK_WIDGET (self->device_key_row));
  gtk_widget_set_sensitive (GTK_WIDGET (self->token_row), !self->registered);
  gtk_widget_set_visible (GTK_WIDGET (self->paste_key_button), !self->registered);
  /* Only what can be done now: no Unregister before there is something to undo. */
  gtk_widget_set_visible (GTK_WIDGET (self->register_button), !self->registered);
  gtk_widget_set_visible (GTK_WIDGET (self->unregister_button), self->registered);
  gtk_widget_set_visible (GTK_WIDGET (self->test_heartbeat_button), self->registered);
  adw_expander_row_set_expanded (self->instructions_row, !self->registered);

  update_actions (self);
}

/* Upper-cases what is typed or pasted and drops anything that is not a hex
 * digit, so the field can only ever hold a well-formed token. */
static void
on_token_insert_text (GtkEditable     *editable,
                      const char      *text,
                      int              length,
                      int             *position,
                      UmtSettingsPage *self)
{
  g_autoptr(GString) filtered = g_string_new (NULL);
  int room = TOKEN_LENGTH - g_utf8_strlen (gtk_editable_get_text (editable), -1);
  g_autofree char *dropped = NULL;
  gboolean overflow = FALSE;

  if (length < 0)
    length = strlen (text);

  for (int i = 0; i < length; i++)
    {
      if (g_ascii_isxdigit (text[i]) && (int) filtered->len < room)
        g_string_append_c (filtered, g_ascii_toupper (text[i]));
      else if (g_ascii_isxdigit (text[i]))
        overflow = TRUE;
      else if (dropped == NULL && !g_ascii_isspace (text[i]) && text[i] != '-')
        dropped = g_utf8_make_valid (text + i, g_utf8_next_char (text + i) - (text + i));
    }

  if (!g_str_equal (filtered->str, text) || (int) strlen (text) != length)
    {
      g_signal_handlers_block_by_func (editable, on_token_insert_text, self);
      gtk_editable_insert_text (editable, filtered->str, filtered->len, position);
      g_signal_handlers_unblock_by_func (editable, on_token_insert_text, self);
      g_signal_stop_emission_by_name (editable, "insert-text");
      if (dropped != NULL || overflow)
        {
          /* Nothing vanishes silently: say what was dropped, and why.
           * Spaces and dashes of a token copied from a message go quietly. */
          g_free (self->token_rejection);
          if (dropped != NULL)
            self->token_rejection =
              g_strdup_printf (_("“%s” cannot be part of a token: only digits 0 to 9 and letters A to F."),
                               dropped);
          else
            self->token_rejection = g_strdup (_("A token has six characters, no more."));
          update_token_hint (self);
          gtk_widget_error_bell (GTK_WIDGET (self->token_row));
        }
    }
}

static void
copy_device_key_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  UmtSettingsPage *self = UMT_SETTINGS_PAGE (widget);
  const char *key = gtk_editable_get_text (GTK_EDITABLE (self->device_key_row));

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), key);
  umt_window_toast_for (GTK_WIDGET (self), _("Device key copied"));
}

static void
on_clipboard_key (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(UmtSettingsPage) self = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);

  if (text == NULL || self->registered)
    return;

  /* Keys copied from a mail or a web page often carry spaces or a newline. */
  gtk_editable_set_text (GTK_EDITABLE (self->device_key_row), g_strstrip (text));
  if (!umt_validate_device_key (gtk_editable_get_text (GTK_EDITABLE (self->device_key_row)), NULL))
    umt_window_toast_for (GTK_WIDGET (self), _("The clipboard does not hold a valid device key"));
}

static void
paste_device_key_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, on_clipboard_key,
                                 g_object_ref (widget));
}

static void
update_override_row (UmtSettingsPage *self)
{
  const char *url = NULL;

  if (self->manager != NULL && umt_device_manager_get_server_url_overridden (self->manager))
    url = umt_device_manager_get_server_url (self->manager);

  /* The environment wins over every profile: say so where profiles are edited. */
  gtk_widget_set_visible (GTK_WIDGET (self->override_row), url != NULL);
  if (url != NULL)
    {
      g_autofree char *subtitle =
        g_strdup_printf (_("MEETING_SERVER_URL is set: this session uses %s instead of the active profile."), url);
      adw_action_row_set_subtitle (self->override_row, subtitle);
    }
}

static void
update_heartbeat_display (UmtSettingsPage *self)
{
  g_autofree char *title = NULL;
  g_autofree char *details = NULL;
  UmtHeartbeatState state;
  const char *style;
  GtkWidget *icon = GTK_WIDGET (self->heartbeat_icon);

  if (self->heartbeat == NULL)
    return;

  state = umt_heartbeat_get_state (self->heartbeat);
  title = umt_heartbeat_text_title (self->heartbeat);
  details = umt_heartbeat_text_details (self->heartbeat);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->heartbeat_row), title);
  adw_action_row_set_subtitle (self->heartbeat_row, details != NULL ? details : "");
  gtk_image_set_from_icon_name (self->heartbeat_icon, umt_heartbeat_text_icon_name (state));

  gtk_widget_remove_css_class (icon, "success");
  gtk_widget_remove_css_class (icon, "warning");
  gtk_widget_remove_css_class (icon, "error");
  style = umt_heartbeat_text_style_class (self->heartbeat);
  if (style != NULL)
    gtk_widget_add_css_class (icon, style);

  gtk_widget_set_visible (GTK_WIDGET (self->resume_button),
                          self->registered &&
                          (state == UMT_HEARTBEAT_STATE_STOPPED || state == UMT_HEARTBEAT_STATE_PAUSED));
}

static void
set_busy (UmtSettingsPage *self,
          GtkButton       *button,
          const char      *what)
{
  self->busy = button != NULL;
  if (button != NULL)
    show_progress (self, GTK_WIDGET (button), what);
  else
    hide_progress (self);
  update_registration_display (self);
}

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(UmtSettingsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtMeetingRegistration) registration = NULL;
  GtkRoot *root;

  registration = umt_device_manager_register_finish (UMT_DEVICE_MANAGER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, NULL, NULL);
  if (registration == NULL)
    {
      if (g_error_matches (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_ALREADY_REGISTERED))
        /* This computer holds no registration, so there is nothing to
         * unregister here: the server holds the device, and only a new
         * token gets it back. */
        show_error (self, _("Registration failed"),
                    _("The server already holds this device as registered, or the token was already used. "
                      "Ask your administrator for a new registration token for this device key."));
      else
        show_error (self, _("Registration failed"), error->message);
      self->showing_registration_error = TRUE;
      /* The token field was off while registering: back to it, to fix it. */
      gtk_widget_grab_focus (GTK_WIDGET (self->token_row));
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
  if (umt_device_manager_get_registration_unsaved (self->manager))
    {
      g_autofree char *message =
        g_strdup_printf ("%s %s", umt_device_manager_get_registration_warning (self->manager),
                         _("The device stays registered while the application runs, and saving "
                           "is tried again every minute."));

      show_error (self, _("Registered on the server only"), message);
    }
  else
    umt_window_toast_for (GTK_WIDGET (self), _("Device registered"));
  /* The token field just went off: keep the focus on what comes next. */
  gtk_widget_grab_focus (GTK_WIDGET (self->test_heartbeat_button));

  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (GTK_IS_WINDOW (root) && UMT_IS_APPLICATION (gtk_window_get_application (GTK_WINDOW (root))))
    umt_application_start_heartbeat (UMT_APPLICATION (gtk_window_get_application (GTK_WINDOW (root))));
}

static void
register_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  UmtSettingsPage *self = UMT_SETTINGS_PAGE (widget);
  g_autofree char *key = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->device_key_row))));

  if (self->manager == NULL || self->busy)
    return;

  hide_error (self);
  set_busy (self, self->register_button, _("Registering"));
  umt_device_manager_register_async (self->manager, key,
                                     gtk_editable_get_text (GTK_EDITABLE (self->token_row)),
                                     self->cancellable, on_registered, g_object_ref (self));
}

static void
on_test_heartbeat_sent (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(UmtSettingsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtMeetingHeartbeat) beat = NULL;

  beat = umt_heartbeat_send_now_finish (UMT_HEARTBEAT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->testing = FALSE;
  if (!self->busy)
    hide_progress (self);
  update_actions (self);
  umt_window_report_heartbeat (GTK_WIDGET (self), beat, error);
}

static void
test_heartbeat_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  UmtSettingsPage *self = UMT_SETTINGS_PAGE (widget);

  if (self->heartbeat == NULL || self->testing)
    return;

  /* A failing server may take the whole timeout to answer: show it works. */
  self->testing = TRUE;
  show_progress (self, GTK_WIDGET (self->test_heartbeat_button), _("Sending a test heartbeat"));
  update_actions (self);
  umt_heartbeat_send_now_async (self->heartbeat, self->cancellable, on_test_heartbeat_sent,
                                g_object_ref (self));
}

static void
resume_heartbeat_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  UmtSettingsPage *self = UMT_SETTINGS_PAGE (widget);

  if (self->heartbeat != NULL)
    umt_heartbeat_resume (self->heartbeat);
}

static void
on_unregistered (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(UmtSettingsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!umt_device_manager_unregister_finish (UMT_DEVICE_MANAGER (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, NULL, NULL);
      show_error (self, _("Unregistering failed"), error->message);
      return;
    }

  set_busy (self, NULL, NULL);
  hide_error (self);
  umt_window_toast_for (GTK_WIDGET (self), _("Device unregistered"));
  /* Unregister is gone: on to the token a new registration needs. */
  gtk_widget_grab_focus (GTK_WIDGET (self->token_row));
}

static void
on_unregister_response (AdwMessageDialog *dialog,
                        const char       *response,
                        UmtSettingsPage  *self)
{
  if (!g_str_equal (response, "unregister") || self->manager == NULL)
    return;

  set_busy (self, self->unregister_button, _("Unregistering"));
  umt_device_manager_unregister_async (self->manager, self->cancellable, on_unregistered,
                                       g_object_ref (self));
}

static void
unregister_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  UmtSettingsPage *self = UMT_SETTINGS_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Unregister This Device?"),
                                                       _("This computer forgets its registration and stops sending heartbeats. "
                                                         "The server keeps the device: to register again you will need a new "
                                                         "token from your administrator.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "unregister", _("_Unregister"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "unregister", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_unregister_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_use_profile_clicked (GtkButton       *button,
                        UmtSettingsPage *self)
{
  const char *name = g_object_get_data (G_OBJECT (button), "umt-profile-name");
  UmtProfiles *profiles = umt_device_manager_get_profiles (self->manager);
  g_autoptr(GError) error = NULL;

  UmtDeviceState *state = umt_device_manager_get_state (self->manager);

  if (!umt_profiles_use (profiles, name, &error) || !umt_profiles_save (profiles, &error))
    {
      show_error (self, _("Cannot change the active profile"), error->message);
      return;
    }
  umt_device_manager_profiles_changed (self->manager);

  /* A registered device keeps the server it was registered with: say so,
   * rather than let the switch look like it moved the device. */
  if (self->registered && g_strcmp0 (umt_device_state_get_profile (state), name) != 0)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      g_autofree char *body = NULL;
      AdwMessageDialog *dialog;

      body = g_strdup_printf (_("New registrations will use “%s”. This device stays registered with %s, "
                                "and its heartbeats keep going there. To move it, unregister it, then "
                                "register it again with a token from the administrator of “%s”."),
                              name, umt_device_state_get_server_url (state), name);
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                           _("The Device Stays Where It Is"), body));
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
open_profile_dialog (UmtSettingsPage *self,
                     UmtProfile      *profile)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  UmtProfileDialog *dialog;

  if (self->manager == NULL)
    return;

  dialog = umt_profile_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   self->manager, profile);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_edit_profile_clicked (GtkButton       *button,
                         UmtSettingsPage *self)
{
  const char *name = g_object_get_data (G_OBJECT (button), "umt-profile-name");
  UmtProfile *profile = umt_profiles_lookup (umt_device_manager_get_profiles (self->manager), name);

  if (profile != NULL)
    open_profile_dialog (self, profile);
}

static void
add_profile_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  open_profile_dialog (UMT_SETTINGS_PAGE (widget), NULL);
}

static void
rebuild_profile_rows (UmtSettingsPage *self)
{
  UmtProfiles *profiles;
  const char *active;
  guint n;

  for (guint i = 0; i < self->profile_rows->len; i++)
    adw_preferences_group_remove (self->profiles_group, g_ptr_array_index (self->profile_rows, i));
  g_ptr_array_set_size (self->profile_rows, 0);

  if (self->manager == NULL)
    return;

  profiles = umt_device_manager_get_profiles (self->manager);
  active = umt_profiles_get_active_name (profiles);
  n = g_list_model_get_n_items (G_LIST_MODEL (profiles));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(UmtProfile) profile = g_list_model_get_item (G_LIST_MODEL (profiles), i);
      const char *name = umt_profile_get_name (profile);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), umt_profile_get_base_url (profile));
      if (g_strcmp0 (name, active) == 0)
        {
          GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

          gtk_widget_set_tooltip_text (check, _("Active profile"));
          gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, _("Active profile"), -1);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), check);
        }
      else
        {
          GtkWidget *use = gtk_button_new_with_label (_("Make Active"));

          gtk_widget_set_valign (use, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (use, "flat");
          g_object_set_data_full (G_OBJECT (use), "umt-profile-name", g_strdup (name), g_free);
          g_signal_connect (use, "clicked", G_CALLBACK (on_use_profile_clicked), self);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), use);
        }
      {
        GtkWidget *edit = gtk_button_new_from_icon_name ("document-edit-symbolic");
        g_autofree char *label = g_strdup_printf (_("Edit profile %s"), name);

        gtk_widget_set_valign (edit, GTK_ALIGN_CENTER);
        gtk_widget_add_css_class (edit, "flat");
        gtk_widget_set_tooltip_text (edit, label);
        gtk_accessible_update_property (GTK_ACCESSIBLE (edit),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
        g_object_set_data_full (G_OBJECT (edit), "umt-profile-name", g_strdup (name), g_free);
        g_signal_connect (edit, "clicked", G_CALLBACK (on_edit_profile_clicked), self);
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);
        /* The row is worth its Tab stop: activating it edits the profile. */
        adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), edit);
      }
      adw_preferences_group_add (self->profiles_group, row);
      g_ptr_array_add (self->profile_rows, row);
    }
}

/* The profile in use decides what each heartbeat carries; edits are saved
 * to profiles.json at once and reach the engine from its next beat. */
static void
sync_profile_fields (UmtSettingsPage *self)
{
  UmtProfile *profile;

  if (self->manager == NULL)
    return;

  profile = umt_device_manager_get_profile (self->manager);
  self->syncing_profile = TRUE;
  gtk_switch_set_active (self->public_ip_switch, umt_profile_get_public_ip_lookup (profile));
  gtk_editable_set_text (GTK_EDITABLE (self->cluster_ip_row),
                         umt_profile_get_cluster_ip (profile) ? umt_profile_get_cluster_ip (profile) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->note_row),
                         umt_profile_get_note (profile) ? umt_profile_get_note (profile) : "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->cluster_ip_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->note_row), "error");
  self->syncing_profile = FALSE;
}

static gboolean
save_profiles (UmtSettingsPage *self)
{
  g_autoptr(GError) error = NULL;

  if (!umt_profiles_save (umt_device_manager_get_profiles (self->manager), &error))
    {
      show_error (self, _("The profile could not be saved"), error->message);
      return FALSE;
    }
  umt_device_manager_profiles_changed (self->manager);
  return TRUE;
}

static void
on_public_ip_changed (UmtSettingsPage *self)
{
  if (self->syncing_profile || self->manager == NULL)
    return;

  umt_profile_set_public_ip_lookup (umt_device_manager_get_profile (self->manager),
                                    gtk_switch_get_active (self->public_ip_switch));
  save_profiles (self);
}

static void
apply_profile_text (UmtSettingsPage *self,
                    AdwEntryRow     *row,
                    gboolean       (*setter) (UmtProfile *, const char *, GError **))
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
  g_autoptr(GError) error = NULL;

  if (self->syncing_profile || self->manager == NULL)
    return;

  /* An empty field goes back to the default (no cluster IP, default note). */
  if (!setter (umt_device_manager_get_profile (self->manager), text[0] ? text : NULL, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      umt_window_toast_for (GTK_WIDGET (self), error->message);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  if (save_profiles (self))
    umt_window_toast_for (GTK_WIDGET (self), _("Saved; used from the next heartbeat"));
}

static void
on_cluster_ip_applied (UmtSettingsPage *self)
{
  apply_profile_text (self, self->cluster_ip_row, umt_profile_set_cluster_ip);
}

static void
on_note_applied (UmtSettingsPage *self)
{
  apply_profile_text (self, self->note_row, umt_profile_set_note);
}

static void
on_manager_changed (UmtSettingsPage *self)
{
  const char *problem = umt_device_manager_get_state_problem (self->manager);

  update_registration_display (self);
  update_override_row (self);
  update_heartbeat_display (self);
  if (problem != NULL && !gtk_widget_get_visible (GTK_WIDGET (self->error_row)))
    show_error (self, _("The saved registration could not be read"), problem);
}

void
umt_settings_page_set_manager (UmtSettingsPage  *self,
                               UmtDeviceManager *manager)
{
  g_return_if_fail (UMT_IS_SETTINGS_PAGE (self));
  g_return_if_fail (self->manager == NULL);

  if (manager == NULL)
    return;

  self->manager = g_object_ref (manager);
  self->heartbeat = g_object_ref (umt_device_manager_get_heartbeat (manager));

  g_signal_connect_object (manager, "notify", G_CALLBACK (on_manager_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "notify::profile", G_CALLBACK (rebuild_profile_rows), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "notify::profile", G_CALLBACK (sync_profile_fields), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (umt_device_manager_get_profiles (manager), "items-changed",
                           G_CALLBACK (rebuild_profile_rows), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->heartbeat, "notify", G_CALLBACK (update_heartbeat_display), self,
                           G_CONNECT_SWAPPED);

  rebuild_profile_rows (self);
  sync_profile_fields (self);
  umt_remote_access_group_set_manager (UMT_REMOTE_ACCESS_GROUP (self->remote_group), manager);
  gtk_widget_set_sensitive (GTK_WIDGET (self->public_ip_switch), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cluster_ip_row), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->note_row), TRUE);
  on_manager_changed (self);
}

void
umt_settings_page_show_load_error (UmtSettingsPage *self,
                                   const GError    *error)
{
  g_return_if_fail (UMT_IS_SETTINGS_PAGE (self));

  show_error (self, _("The settings could not be read"), error->message);
}

static void
umt_settings_page_map (GtkWidget *widget)
{
  UmtSettingsPage *self = UMT_SETTINGS_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  GTK_WIDGET_CLASS (umt_settings_page_parent_class)->map (widget);

  /* Enter in the key or the token field presses Register Device. */
  if (GTK_IS_WINDOW (root))
    gtk_window_set_default_widget (GTK_WINDOW (root), GTK_WIDGET (self->register_button));
}

static void
umt_settings_page_unmap (GtkWidget *widget)
{
  UmtSettingsPage *self = UMT_SETTINGS_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (GTK_IS_WINDOW (root) &&
      gtk_window_get_default_widget (GTK_WINDOW (root)) == GTK_WIDGET (self->register_button))
    gtk_window_set_default_widget (GTK_WINDOW (root), NULL);

  GTK_WIDGET_CLASS (umt_settings_page_parent_class)->unmap (widget);
}

static void
umt_settings_page_dispose (GObject *object)
{
  UmtSettingsPage *self = UMT_SETTINGS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->heartbeat);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->profile_rows, g_ptr_array_unref);
  g_clear_pointer (&self->token_rejection, g_free);

  G_OBJECT_CLASS (umt_settings_page_parent_class)->dispose (object);
}

static void
umt_settings_page_class_init (UmtSettingsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = umt_settings_page_dispose;
  widget_class->map = umt_settings_page_map;
  widget_class->unmap = umt_settings_page_unmap;

  g_type_ensure (UMT_TYPE_REMOTE_ACCESS_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/ygsoft/UpdatesManagerTool/ui/umt-settings-page.ui");
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, error_row);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, device_key_row);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, token_row);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, token_hint_box);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, token_hint_label);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, token_counter_label);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, action_box);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, instructions_row);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, warning_row);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, heartbeat_row);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, heartbeat_icon);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, resume_button);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, register_spinner);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, copy_key_button);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, paste_key_button);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, register_button);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, test_heartbeat_button);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, unregister_button);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, override_row);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, profiles_group);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, public_ip_switch);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, cluster_ip_row);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, note_row);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, background_switch);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, tray_switch);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, remote_group);

  gtk_widget_class_install_action (widget_class, "settings.copy-device-key", NULL,
                                   copy_device_key_action);
  gtk_widget_class_install_action (widget_class, "settings.paste-device-key", NULL,
                                   paste_device_key_action);
  gtk_widget_class_install_action (widget_class, "settings.register", NULL, register_action);
  gtk_widget_class_install_action (widget_class, "settings.test-heartbeat", NULL,
                                   test_heartbeat_action);
  gtk_widget_class_install_action (widget_class, "settings.unregister", NULL, unregister_action);
  gtk_widget_class_install_action (widget_class, "settings.resume-heartbeat", NULL,
                                   resume_heartbeat_action);
  gtk_widget_class_install_action (widget_class, "settings.add-profile", NULL, add_profile_action);
}

static void
umt_settings_page_init (UmtSettingsPage *self)
{
  GtkEditable *token_text;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->profile_rows = g_ptr_array_new ();

  token_text = gtk_editable_get_delegate (GTK_EDITABLE (self->token_row));
  if (GTK_IS_TEXT (token_text))
    gtk_text_set_max_length (GTK_TEXT (token_text), TOKEN_LENGTH);
  g_signal_connect (token_text, "insert-text", G_CALLBACK (on_token_insert_text), self);

  /* Screen readers land on the text inside the row: give it the row's name. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (token_text),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Registration token"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_editable_get_delegate (GTK_EDITABLE (self->device_key_row))),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Device key"), -1);

  g_signal_connect_swapped (self->device_key_row, "changed", G_CALLBACK (on_registration_input_changed), self);
  g_signal_connect_swapped (self->token_row, "changed", G_CALLBACK (on_token_changed), self);

  /* Enter in either field registers, through the window's default widget. */
  gtk_text_set_activates_default (GTK_TEXT (token_text), TRUE);
  gtk_text_set_activates_default (GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (self->device_key_row))), TRUE);

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "run-in-background", self->background_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "start-at-login", self->autostart_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "show-tray-icon", self->tray_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notifications", self->notifications_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  /* Shown, but not pretending to work until there is a device manager. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->public_ip_switch), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cluster_ip_row), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->note_row), FALSE);
  g_signal_connect_swapped (self->public_ip_switch, "notify::active",
                            G_CALLBACK (on_public_ip_changed), self);
  g_signal_connect_swapped (self->cluster_ip_row, "apply", G_CALLBACK (on_cluster_ip_applied), self);
  g_signal_connect_swapped (self->note_row, "apply", G_CALLBACK (on_note_applied), self);

  update_override_row (self);
  update_registration_display (self);
}
