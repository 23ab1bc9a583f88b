/* umt-settings-page.c: registration, server profiles, application and remote access
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-settings-page"

#include "config.h"

#include <glib/gi18n.h>

#include "umt-settings-page.h"
#include "umt-validate.h"
#include "umt-window.h"

#define TOKEN_LENGTH 6

struct _UmtSettingsPage
{
  AdwPreferencesPage  parent_instance;

  GSettings          *settings;
  gboolean            registered;
  gboolean            busy;

  AdwActionRow       *error_row;
  GtkLabel           *status_label;
  AdwEntryRow        *device_key_row;
  AdwEntryRow        *token_row;
  AdwExpanderRow     *instructions_row;
  AdwActionRow       *heartbeat_row;
  GtkImage           *heartbeat_icon;
  GtkButton          *resume_button;
  GtkSpinner         *register_spinner;
  GtkButton          *copy_key_button;
  GtkButton          *register_button;
  GtkButton          *test_heartbeat_button;
  GtkButton          *unregister_button;
  AdwActionRow       *override_row;
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

static void
show_toast (UmtSettingsPage *self,
            const char      *title)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), UMT_TYPE_WINDOW);

  if (window != NULL)
    umt_window_add_toast (UMT_WINDOW (window), adw_toast_new (title));
}

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

static void
update_actions (UmtSettingsPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  const char *key = gtk_editable_get_text (GTK_EDITABLE (self->device_key_row));

  gtk_widget_action_set_enabled (widget, "settings.register",
                                 !self->registered && !self->busy && inputs_are_valid (self));
  gtk_widget_action_set_enabled (widget, "settings.copy-device-key", key[0] != '\0');
}

static void
update_registration_display (UmtSettingsPage *self)
{
  GtkWidget *status = GTK_WIDGET (self->status_label);

  gtk_label_set_label (self->status_label,
                       self->registered ? _("Registered") : _("Not registered"));
  gtk_widget_remove_css_class (status, self->registered ? "error" : "success");
  gtk_widget_add_css_class (status, self->registered ? "success" : "error");

  /* The key is the device's identity once registered; the token is burned. */
  gtk_editable_set_editable (GTK_EDITABLE (self->device_key_row), !self->registered);
  gtk_widget_set_sensitive (GTK_WIDGET (self->token_row), !self->registered);
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

  if (length < 0)
    length = strlen (text);

  for (int i = 0; i < length && (int) filtered->len < room; i++)
    if (g_ascii_isxdigit (text[i]))
      g_string_append_c (filtered, g_ascii_toupper (text[i]));

  if (!g_str_equal (filtered->str, text) || (int) strlen (text) != length)
    {
      g_signal_handlers_block_by_func (editable, on_token_insert_text, self);
      gtk_editable_insert_text (editable, filtered->str, filtered->len, position);
      g_signal_handlers_unblock_by_func (editable, on_token_insert_text, self);
      g_signal_stop_emission_by_name (editable, "insert-text");
      if (filtered->len < (gsize) length)
        gtk_widget_error_bell (GTK_WIDGET (self->token_row));
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
  show_toast (self, _("Device key copied"));
}

static void
update_override_row (UmtSettingsPage *self)
{
  const char *url = g_getenv ("MEETING_SERVER_URL");

  /* The environment wins over every profile: say so where profiles are edited. */
  gtk_widget_set_visible (GTK_WIDGET (self->override_row), url != NULL && url[0] != '\0');
  if (url != NULL && url[0] != '\0')
    {
      g_autofree char *subtitle =
        g_strdup_printf (_("MEETING_SERVER_URL is set: this session uses %s instead of the active profile."), url);
      adw_action_row_set_subtitle (self->override_row, subtitle);
    }
}

static void
umt_settings_page_dispose (GObject *object)
{
  UmtSettingsPage *self = UMT_SETTINGS_PAGE (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (umt_settings_page_parent_class)->dispose (object);
}

static void
umt_settings_page_class_init (UmtSettingsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = umt_settings_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/ygsoft/UpdatesManagerTool/ui/umt-settings-page.ui");
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, error_row);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, device_key_row);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, token_row);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, instructions_row);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, heartbeat_row);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, heartbeat_icon);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, resume_button);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, register_spinner);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, copy_key_button);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, register_button);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, test_heartbeat_button);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, unregister_button);
  gtk_widget_class_bind_template_child (widget_class, UmtSettingsPage, override_row);
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
  /* "settings.register", "settings.test-heartbeat", "settings.unregister",
   * "settings.resume-heartbeat" and "settings.add-profile" are installed as the
   * core behind them lands; until then GTK shows their buttons insensitive. */
}

static void
umt_settings_page_init (UmtSettingsPage *self)
{
  GtkEditable *token_text;

  gtk_widget_init_template (GTK_WIDGET (self));

  token_text = gtk_editable_get_delegate (GTK_EDITABLE (self->token_row));
  if (GTK_IS_TEXT (token_text))
    gtk_text_set_max_length (GTK_TEXT (token_text), TOKEN_LENGTH);
  g_signal_connect (token_text, "insert-text", G_CALLBACK (on_token_insert_text), self);

  /* Screen readers land on the text inside the row: give it the row's name. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (token_text),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Registration token"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_editable_get_delegate (GTK_EDITABLE (self->device_key_row))),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Device key"), -1);

  g_signal_connect_swapped (self->device_key_row, "changed", G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->token_row, "changed", G_CALLBACK (update_actions), self);

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "run-in-background", self->background_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "start-at-login", self->autostart_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "show-tray-icon", self->tray_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notifications", self->notifications_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  /* Not wired to the core yet: shown, but not pretending to work. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->public_ip_switch), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cluster_ip_row), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->note_row), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->remote_group), FALSE);

  update_override_row (self);
  update_registration_display (self);
}
