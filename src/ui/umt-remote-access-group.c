/* umt-remote-access-group.c: Settings → Remote access (the tunnel and the SSH key)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-remote-access-group"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "umt-remote-access-group.h"
#include "umt-secret-store.h"
#include "umt-ssh-key.h"
#include "umt-heartbeat-text.h"
#include "umt-tunnel-text.h"
#include "umt-window.h"

/* Longer than any token a server hands out, short enough to be a mistake. */
#define MAX_TOKEN_LENGTH 512

/* What the keyring holds as the device's tunnel token. */
typedef enum
{
  TOKEN_UNKNOWN,      /* not looked up yet, or the keyring did not answer */
  TOKEN_NONE,
  TOKEN_REGISTRATION, /* the one-time code kept at registration */
  TOKEN_SEPARATE,     /* one the user entered here (or with another tool) */
} TokenSource;

struct _UmtRemoteAccessGroup
{
  AdwPreferencesGroup  parent_instance;

  UmtDeviceManager    *manager;
  UmtTunnelSupervisor *tunnel;
  GBindingGroup       *profile_bindings;
  GSignalGroup        *profile_signals;
  UmtSshKey           *ssh_key;
  GCancellable        *cancellable;
  GCancellable        *token_cancellable;
  TokenSource          token_source;
  guint                countdown_id;
  gboolean             token_busy;
  gboolean             publishing;

  AdwActionRow        *not_registered_row;
  AdwActionRow        *error_row;
  AdwActionRow        *state_row;
  GtkLabel            *state_label;
  GtkButton           *reconnect_button;
  AdwActionRow        *enable_row;
  GtkSwitch           *enable_switch;
  AdwEntryRow         *proxy_host_row;
  AdwActionRow        *proxy_port_row;
  GtkSpinButton       *proxy_port_spin;
  AdwActionRow        *tls_row;
  GtkSwitch           *tls_switch;
  AdwActionRow        *verify_tls_row;
  GtkSwitch           *verify_tls_switch;
  AdwActionRow        *tls_warning_row;
  AdwExpanderRow      *services_row;
  GtkSwitch           *ssh_switch;
  GtkSpinButton       *ssh_port_spin;
  GtkSwitch           *http_switch;
  GtkSpinButton       *http_port_spin;
  GtkSwitch           *vnc_switch;
  GtkSpinButton       *vnc_port_spin;
  AdwEntryRow         *relay_ports_row;
  AdwPasswordEntryRow *token_row;
  AdwActionRow        *token_status_row;
  GtkButton           *clear_token_button;
  AdwActionRow        *ssh_key_row;
  GtkSpinner          *publish_spinner;
  GtkButton           *publish_button;
};

G_DEFINE_FINAL_TYPE (UmtRemoteAccessGroup, umt_remote_access_group, ADW_TYPE_PREFERENCES_GROUP)

static void
show_error (UmtRemoteAccessGroup *self,
            const char           *title,
            const char           *message)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->error_row), title);
  adw_action_row_set_subtitle (self->error_row, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_row), TRUE);
}

static void
hide_error (UmtRemoteAccessGroup *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_row), FALSE);
}

static gboolean
is_registered (UmtRemoteAccessGroup *self)
{
  return self->manager != NULL && umt_device_manager_get_registered (self->manager);
}

static void
update_actions (UmtRemoteAccessGroup *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean registered = is_registered (self);

  gtk_widget_action_set_enabled (widget, "remote.reconnect",
                                 registered && self->tunnel != NULL &&
                                 umt_tunnel_supervisor_get_enabled (self->tunnel));
  gtk_widget_action_set_enabled (widget, "remote.clear-token",
                                 registered && !self->token_busy &&
                                 self->token_source == TOKEN_SEPARATE);
  gtk_widget_action_set_enabled (widget, "remote.publish-ssh-key", registered && !self->publishing);
}

/* Everything but the explanation follows the registration. */
static void
update_sensitivity (UmtRemoteAccessGroup *self)
{
  GtkWidget *rows[] = {
    GTK_WIDGET (self->state_row), GTK_WIDGET (self->enable_row),
    GTK_WIDGET (self->proxy_host_row), GTK_WIDGET (self->proxy_port_row),
    GTK_WIDGET (self->tls_row), GTK_WIDGET (self->verify_tls_row),
    GTK_WIDGET (self->services_row), GTK_WIDGET (self->token_row),
    GTK_WIDGET (self->token_status_row), GTK_WIDGET (self->ssh_key_row),
  };
  gboolean registered = is_registered (self);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    gtk_widget_set_sensitive (rows[i], registered);
  gtk_widget_set_visible (GTK_WIDGET (self->not_registered_row), !registered);
  gtk_widget_set_sensitive (GTK_WIDGET (self->token_row), registered && !self->token_busy);
  update_actions (self);
}

/* The tunnel ----------------------------------------------------------- */

static void update_state (UmtRemoteAccessGroup *self);

static gboolean
on_countdown (gpointer user_data)
{
  update_state (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update_state (UmtRemoteAccessGroup *self)
{
  static const char *classes[] = { "success", "warning", "error" };
  g_autofree char *text = NULL;
  g_autofree char *details = NULL;
  const char *reason;
  const char *style;

  if (self->tunnel == NULL)
    return;

  text = umt_tunnel_text_state_short (self->tunnel);
  gtk_label_set_label (self->state_label, text);
  style = umt_tunnel_text_style_class (self->tunnel);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), classes[i]);
  if (style != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), style);

  /* The reason under the state, then the traffic. */
  reason = umt_tunnel_text_reason (self->tunnel);
  if (umt_tunnel_supervisor_get_state (self->tunnel) == UMT_TUNNEL_STATE_DISABLED)
    details = g_strdup (is_registered (self)
                        ? _("Turn on “Enable remote access” to let the administrator in")
                        : "");
  else
    {
      g_autofree char *traffic = umt_tunnel_text_traffic (self->tunnel);
      g_autofree char *owner =
        umt_heartbeat_text_owner (umt_tunnel_supervisor_get_owner_pid (self->tunnel),
                                  umt_tunnel_supervisor_get_owner_program (self->tunnel));
      GString *lines = g_string_new (reason);

      /* Why, then the traffic, then who runs the tunnel when another process does. */
      if (reason != NULL)
        g_string_append_c (lines, '\n');
      g_string_append (lines, traffic);
      if (owner != NULL)
        g_string_append_printf (lines, "\n%s", owner);
      details = g_string_free (lines, FALSE);
    }
  adw_action_row_set_subtitle (self->state_row, details);

  /* "Retrying in N s" counts down while a retry is planned. */
  if (umt_tunnel_text_retry_seconds (self->tunnel) > 0)
    {
      if (self->countdown_id == 0)
        self->countdown_id = g_timeout_add_seconds (1, on_countdown, self);
    }
  else
    g_clear_handle_id (&self->countdown_id, g_source_remove);

  update_actions (self);
}

/* The host of the server in use, MEETING_SERVER_URL included: the agent's default. */
static void
update_proxy_host_placeholder (UmtRemoteAccessGroup *self)
{
  g_autoptr(GUri) uri = g_uri_parse (umt_device_manager_get_server_url (self->manager),
                                     G_URI_FLAGS_NONE, NULL);
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;
  GtkEditable *host_text = gtk_editable_get_delegate (GTK_EDITABLE (self->proxy_host_row));
  g_autofree char *placeholder = NULL;

  /* Translators: %s is the server's host name, used when this is empty */
  placeholder = g_strdup_printf (_("Default: %s"), host != NULL ? host : "");
  if (GTK_IS_TEXT (host_text))
    gtk_text_set_placeholder_text (GTK_TEXT (host_text), placeholder);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->proxy_host_row), placeholder);
}

/* Verification matters only with TLS; off there, say what it means. */
static void
update_tls_warning (UmtRemoteAccessGroup *self)
{
  g_autoptr(UmtProfile) profile = g_signal_group_dup_target (self->profile_signals);

  gtk_widget_set_visible (GTK_WIDGET (self->tls_warning_row),
                          profile != NULL &&
                          umt_profile_get_tunnel_tls (profile) &&
                          !umt_profile_get_tunnel_verify_tls (profile));
}

/* Another profile: its own values, none of the last one's mistakes. */
static void
on_profile_bound (UmtRemoteAccessGroup *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->proxy_host_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->relay_ports_row), "error");
  update_tls_warning (self);
}

static gboolean
save_profiles (UmtRemoteAccessGroup *self)
{
  g_autoptr(GError) error = NULL;

  if (!umt_profiles_save (umt_device_manager_get_profiles (self->manager), &error))
    {
      show_error (self, _("The profile could not be saved"), error->message);
      return FALSE;
    }
  hide_error (self);
  /* The supervisor takes the new settings from here (and restarts its agent). */
  umt_device_manager_profiles_changed (self->manager);
  return TRUE;
}

/* A switch or a port changed the profile through its binding. */
static void
on_bound_setting_changed (UmtRemoteAccessGroup *self)
{
  save_profiles (self);
}

static void
apply_text (UmtRemoteAccessGroup *self,
            AdwEntryRow          *row,
            gboolean            (*setter) (UmtProfile *, const char *, GError **),
            const char           *failure)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  g_autoptr(UmtProfile) profile = g_binding_group_dup_source (self->profile_bindings);
  g_autoptr(GError) error = NULL;

  if (profile == NULL)
    return;

  /* Checked by the profile: on error it keeps its value, the field keeps
   * the text to correct. Empty goes back to the default. */
  if (!setter (profile, text[0] ? text : NULL, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      show_error (self, failure, error->message);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  if (save_profiles (self))
    umt_window_toast_for (GTK_WIDGET (self), _("Remote access settings saved"));
}

static void
on_proxy_host_applied (UmtRemoteAccessGroup *self)
{
  apply_text (self, self->proxy_host_row, umt_profile_set_tunnel_proxy_host,
              _("The proxy host was not changed"));
}

static void
on_relay_ports_applied (UmtRemoteAccessGroup *self)
{
  apply_text (self, self->relay_ports_row, umt_profile_set_tunnel_relay_ports,
              _("The relay ports were not changed"));
}

static void
reconnect_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  UmtRemoteAccessGroup *self = UMT_REMOTE_ACCESS_GROUP (widget);

  umt_tunnel_supervisor_reconnect (self->tunnel);
}

/* The tunnel token ----------------------------------------------------- */

static void
show_token_source (UmtRemoteAccessGroup *self,
                   const char           *problem)
{
  const char *text;

  switch (self->token_source)
    {
    case TOKEN_REGISTRATION:
      text = _("Uses the registration token, kept in the keyring when the device registered");
      break;
    case TOKEN_SEPARATE:
      text = _("A separate tunnel token, kept in the keyring; Clear goes back to the registration token");
      break;
    case TOKEN_NONE:
      text = _("None: the tunnel cannot connect. Enter the tunnel token the administrator gave you, "
               "or register the device again.");
      break;
    case TOKEN_UNKNOWN:
    default:
      text = problem != NULL ? problem : "";
      break;
    }
  adw_action_row_set_subtitle (self->token_status_row, text);
  gtk_widget_set_visible (GTK_WIDGET (self->clear_token_button), self->token_source == TOKEN_SEPARATE);
  update_sensitivity (self);
}

static void
on_token_looked_up (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(UmtRemoteAccessGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean from_registration = FALSE;
  g_autofree char *secret = umt_secret_store_lookup_tunnel_token_finish (result, &from_registration,
                                                                          &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->token_busy = FALSE;
  if (error != NULL)
    {
      self->token_source = TOKEN_UNKNOWN;
      show_token_source (self, error->message);
      return;
    }
  if (secret == NULL)
    self->token_source = TOKEN_NONE;
  else if (from_registration)
    self->token_source = TOKEN_REGISTRATION;
  else
    self->token_source = TOKEN_SEPARATE;
  show_token_source (self, NULL);
}

/* One keyring call at a time: a newer one cancels the one before. */
static void
begin_token_work (UmtRemoteAccessGroup *self)
{
  g_cancellable_cancel (self->token_cancellable);
  g_clear_object (&self->token_cancellable);
  self->token_cancellable = g_cancellable_new ();
  self->token_busy = TRUE;
}

static void
look_up_token (UmtRemoteAccessGroup *self)
{
  const char *key = self->manager ? umt_device_manager_get_device_key (self->manager) : NULL;

  begin_token_work (self);
  self->token_source = TOKEN_UNKNOWN;
  if (key == NULL || !is_registered (self))
    {
      self->token_busy = FALSE;
      show_token_source (self, NULL);
      return;
    }

  show_token_source (self, _("Reading the keyring…"));
  umt_secret_store_lookup_tunnel_token_async (key, self->token_cancellable,
                                              on_token_looked_up, g_object_ref (self));
}

/* The agent reads the token when it starts: a running one must start again. */
static void
restart_tunnel (UmtRemoteAccessGroup *self)
{
  UmtTunnelState state = umt_tunnel_supervisor_get_state (self->tunnel);

  if (state == UMT_TUNNEL_STATE_DISABLED || state == UMT_TUNNEL_STATE_STOPPED)
    umt_tunnel_supervisor_reconnect (self->tunnel);
  else
    {
      umt_tunnel_supervisor_stop (self->tunnel);
      umt_tunnel_supervisor_start (self->tunnel);
    }
}

static void
on_token_stored (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(UmtRemoteAccessGroup) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!umt_secret_store_store_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->token_busy = FALSE;
      show_error (self, _("The tunnel token could not be saved"), error->message);
      look_up_token (self);
      return;
    }

  hide_error (self);
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
  umt_window_toast_for (GTK_WIDGET (self), _("Tunnel token saved in the keyring"));
  restart_tunnel (self);
  look_up_token (self);
}

static void
on_token_applied (UmtRemoteAccessGroup *self)
{
  g_autofree char *token = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->token_row)));
  const char *key;

  if (!is_registered (self) || self->token_busy)
    return;

  g_strstrip (token);
  if (token[0] == '\0' || strlen (token) > MAX_TOKEN_LENGTH || strpbrk (token, " \t\r\n") != NULL)
    {
      show_error (self, _("The tunnel token was not changed"),
                  _("A tunnel token is one word of at most 512 characters, without spaces."));
      return;
    }

  key = umt_device_manager_get_device_key (self->manager);
  begin_token_work (self);
  update_sensitivity (self);
  umt_secret_store_store_async (UMT_SECRET_TUNNEL_TOKEN, key, NULL, token, self->token_cancellable,
                                on_token_stored, g_object_ref (self));
}

static void
on_token_cleared (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(UmtRemoteAccessGroup) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!umt_secret_store_clear_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->token_busy = FALSE;
      show_error (self, _("The tunnel token could not be cleared"), error->message);
      look_up_token (self);
      return;
    }

  hide_error (self);
  umt_window_toast_for (GTK_WIDGET (self), _("Tunnel token cleared"));
  restart_tunnel (self);
  look_up_token (self);
}

static void
clear_token_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  UmtRemoteAccessGroup *self = UMT_REMOTE_ACCESS_GROUP (widget);

  if (!is_registered (self) || self->token_busy)
    return;

  begin_token_work (self);
  update_sensitivity (self);
  umt_secret_store_clear_async (UMT_SECRET_TUNNEL_TOKEN, umt_device_manager_get_device_key (self->manager),
                                NULL, self->token_cancellable, on_token_cleared, g_object_ref (self));
}

/* The SSH key ------------------------------------------------------------ */

static void
update_ssh_key (UmtRemoteAccessGroup *self)
{
  const char *fingerprint = umt_ssh_key_get_fingerprint (self->ssh_key);

  adw_action_row_set_subtitle (self->ssh_key_row, fingerprint != NULL
                               ? fingerprint
                               : _("No key yet: Publish makes one and sends it to the server"));
  gtk_widget_set_visible (GTK_WIDGET (self->publish_spinner), self->publishing);
  gtk_spinner_set_spinning (self->publish_spinner, self->publishing);
  update_actions (self);
}

static void
on_ssh_key_published (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(UmtRemoteAccessGroup) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!umt_ssh_key_publish_for_device_finish (UMT_SSH_KEY (source), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->publishing = FALSE;
  update_ssh_key (self);
  if (error != NULL)
    {
      show_error (self, _("The SSH key could not be published"), error->message);
      umt_window_toast_for (GTK_WIDGET (self), _("The SSH key could not be published"));
      return;
    }
  hide_error (self);
  umt_window_toast_for (GTK_WIDGET (self), _("SSH key published"));
}

static void
publish_ssh_key_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  UmtRemoteAccessGroup *self = UMT_REMOTE_ACCESS_GROUP (widget);

  if (!is_registered (self) || self->publishing)
    return;

  self->publishing = TRUE;
  update_ssh_key (self);
  umt_ssh_key_publish_for_device_async (self->ssh_key, self->manager, self->cancellable,
                                        on_ssh_key_published, g_object_ref (self));
}

/* The manager ------------------------------------------------------------ */

static void
on_profile_changed (UmtRemoteAccessGroup *self)
{
  UmtProfile *profile = umt_device_manager_get_profile (self->manager);

  g_binding_group_set_source (self->profile_bindings, profile);
  g_signal_group_set_target (self->profile_signals, profile);
}

static void
on_registration_changed (UmtRemoteAccessGroup *self)
{
  update_sensitivity (self);
  update_state (self);
  look_up_token (self);
}

void
umt_remote_access_group_set_manager (UmtRemoteAccessGroup *self,
                                     UmtDeviceManager     *manager)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (UMT_IS_REMOTE_ACCESS_GROUP (self));
  g_return_if_fail (self->manager == NULL);

  if (manager == NULL)
    return;

  self->manager = g_object_ref (manager);
  self->tunnel = g_object_ref (umt_device_manager_get_tunnel (manager));

  g_signal_connect_object (manager, "notify::profile", G_CALLBACK (on_profile_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "notify::server-url",
                           G_CALLBACK (update_proxy_host_placeholder), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "notify::registered", G_CALLBACK (on_registration_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "notify::device-key", G_CALLBACK (on_registration_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tunnel, "notify", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);

  /* An existing pair is a quick read; making one waits for Publish. */
  if (!umt_ssh_key_load_sync (self->ssh_key, &error) &&
      !g_error_matches (error, UMT_SSH_KEY_ERROR, UMT_SSH_KEY_ERROR_NOT_FOUND))
    show_error (self, _("The SSH key could not be read"), error->message);
  g_signal_connect_object (self->ssh_key, "notify::fingerprint", G_CALLBACK (update_ssh_key), self,
                           G_CONNECT_SWAPPED);

  on_profile_changed (self);
  update_proxy_host_placeholder (self);
  on_registration_changed (self);
  update_ssh_key (self);
}

static void
umt_remote_access_group_dispose (GObject *object)
{
  UmtRemoteAccessGroup *self = UMT_REMOTE_ACCESS_GROUP (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->token_cancellable);
  g_clear_handle_id (&self->countdown_id, g_source_remove);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->token_cancellable);
  g_clear_object (&self->ssh_key);
  g_clear_object (&self->profile_bindings);
  g_clear_object (&self->profile_signals);
  g_clear_object (&self->tunnel);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (umt_remote_access_group_parent_class)->dispose (object);
}

static void
umt_remote_access_group_class_init (UmtRemoteAccessGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = umt_remote_access_group_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/ygsoft/UpdatesManagerTool/ui/umt-remote-access-group.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, UmtRemoteAccessGroup, name)
  BIND (not_registered_row); BIND (error_row); BIND (state_row);
  BIND (state_label); BIND (reconnect_button); BIND (enable_row);
  BIND (enable_switch); BIND (proxy_host_row); BIND (proxy_port_row);
  BIND (proxy_port_spin); BIND (tls_row); BIND (tls_switch);
  BIND (verify_tls_row); BIND (verify_tls_switch); BIND (tls_warning_row);
  BIND (services_row); BIND (ssh_switch); BIND (ssh_port_spin);
  BIND (http_switch); BIND (http_port_spin); BIND (vnc_switch);
  BIND (vnc_port_spin); BIND (relay_ports_row); BIND (token_row);
  BIND (token_status_row); BIND (clear_token_button); BIND (ssh_key_row);
  BIND (publish_spinner); BIND (publish_button);
#undef BIND

  gtk_widget_class_install_action (widget_class, "remote.reconnect", NULL, reconnect_action);
  gtk_widget_class_install_action (widget_class, "remote.clear-token", NULL, clear_token_action);
  gtk_widget_class_install_action (widget_class, "remote.publish-ssh-key", NULL,
                                   publish_ssh_key_action);
}

static void
label_text_of (AdwPreferencesRow *row)
{
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (row));

  /* Screen readers land on the text inside the row: give it the row's name. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  adw_preferences_row_get_title (row), -1);
}

static gboolean
null_to_empty (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  const char *text = g_value_get_string (from);

  g_value_set_string (to, text != NULL ? text : "");
  return TRUE;
}

/* The rows show the manager's active profile, whichever it is. Switches and
 * ports write back and are saved at once; the text rows keep what is typed
 * until it is applied, and checked (apply_text()). */
static void
bind_profile (UmtRemoteAccessGroup *self)
{
  const struct { const char *property; gpointer widget; const char *widget_property; } edits[] = {
    { "tunnel-enabled", self->enable_switch, "active" },
    { "tunnel-proxy-port", self->proxy_port_spin, "value" },
    { "tunnel-tls", self->tls_switch, "active" },
    { "tunnel-verify-tls", self->verify_tls_switch, "active" },
    { "tunnel-ssh", self->ssh_switch, "active" },
    { "tunnel-ssh-port", self->ssh_port_spin, "value" },
    { "tunnel-http", self->http_switch, "active" },
    { "tunnel-http-port", self->http_port_spin, "value" },
    { "tunnel-vnc", self->vnc_switch, "active" },
    { "tunnel-vnc-port", self->vnc_port_spin, "value" },
  };

  self->profile_bindings = g_binding_group_new ();
  self->profile_signals = g_signal_group_new (UMT_TYPE_PROFILE);
  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autofree char *signal = g_strconcat ("notify::", edits[i].property, NULL);

      g_binding_group_bind (self->profile_bindings, edits[i].property,
                            edits[i].widget, edits[i].widget_property,
                            G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
      g_signal_group_connect_swapped (self->profile_signals, signal,
                                      G_CALLBACK (on_bound_setting_changed), self);
    }
  g_binding_group_bind_full (self->profile_bindings, "tunnel-proxy-host",
                             self->proxy_host_row, "text", G_BINDING_SYNC_CREATE,
                             null_to_empty, NULL, NULL, NULL);
  g_binding_group_bind (self->profile_bindings, "tunnel-relay-ports",
                        self->relay_ports_row, "text", G_BINDING_SYNC_CREATE);
  g_binding_group_bind (self->profile_bindings, "tunnel-tls",
                        self->verify_tls_switch, "sensitive", G_BINDING_SYNC_CREATE);

  g_signal_group_connect_swapped (self->profile_signals, "notify::tunnel-tls",
                                  G_CALLBACK (update_tls_warning), self);
  g_signal_group_connect_swapped (self->profile_signals, "notify::tunnel-verify-tls",
                                  G_CALLBACK (update_tls_warning), self);
  g_signal_connect_swapped (self->profile_signals, "bind", G_CALLBACK (on_profile_bound), self);
}

static void
umt_remote_access_group_init (UmtRemoteAccessGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->ssh_key = umt_ssh_key_new (NULL);

  bind_profile (self);
  g_signal_connect_swapped (self->proxy_host_row, "apply", G_CALLBACK (on_proxy_host_applied), self);
  g_signal_connect_swapped (self->relay_ports_row, "apply", G_CALLBACK (on_relay_ports_applied), self);
  g_signal_connect_swapped (self->token_row, "apply", G_CALLBACK (on_token_applied), self);

  label_text_of (ADW_PREFERENCES_ROW (self->proxy_host_row));
  label_text_of (ADW_PREFERENCES_ROW (self->relay_ports_row));
  label_text_of (ADW_PREFERENCES_ROW (self->token_row));

  gtk_label_set_label (self->state_label, _("Disabled"));
  update_sensitivity (self);
  show_token_source (self, NULL);
}
