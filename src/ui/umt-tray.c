/* umt-tray.c: what the tray icon shows and offers, whatever draws it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-tray"

#include "config.h"

#include <glib/gi18n.h>

#include "umt-heartbeat-text.h"
#include "umt-tray.h"
#include "umt-tray-backend.h"
#include "umt-tunnel-text.h"


#define ICON_RESOURCE_DIR "/fr/ygsoft/UpdatesManagerTool/icons/scalable/status"
/* Tray hosts start a little after the applications of a session; only a
 * host still missing after this long means there is none. */
#define NO_HOST_GRACE_MS  1500
#define BACKGROUND_STATUS_MAX_CHARS 96

struct _UmtTray
{
  GObject           parent_instance;

  GApplication     *app;     /* not owned: the application owns the tray */
  UmtDeviceManager *manager;
  UmtHeartbeat     *heartbeat;
  GObject          *backend;
  GCancellable     *cancellable;

  char             *icon_name;
  char             *icon_theme_path;
  const char       *status;
  char             *tooltip_title;
  char             *tooltip_body;
  char             *background_status;
  char             *labels[UMT_TRAY_N_ITEMS];
  gboolean          sensitive[UMT_TRAY_N_ITEMS];

  gboolean          host_available;
  guint             no_host_timeout_id;
  gboolean          background_requested;
};

G_DEFINE_FINAL_TYPE (UmtTray, umt_tray, G_TYPE_OBJECT)

enum { PROP_0, PROP_HOST_AVAILABLE, N_PROPS };
enum { CHANGED, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *item_actions[UMT_TRAY_N_ITEMS] = {
  [UMT_TRAY_ITEM_OPEN - 1] = "activate-window",
  [UMT_TRAY_ITEM_SEND_HEARTBEAT - 1] = "send-heartbeat",
  [UMT_TRAY_ITEM_COPY_DEVICE_KEY - 1] = "copy-device-key",
  [UMT_TRAY_ITEM_PAUSE_RESUME - 1] = NULL, /* pause-heartbeat or resume-heartbeat */
  [UMT_TRAY_ITEM_QUIT - 1] = "quit",
};

static gboolean
is_flatpak (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

static UmtHeartbeatState
current_state (UmtTray *self)
{
  if (self->heartbeat == NULL)
    return UMT_HEARTBEAT_STATE_UNREGISTERED;
  return umt_heartbeat_get_state (self->heartbeat);
}

static gboolean
is_registered (UmtTray *self)
{
  return self->manager != NULL && umt_device_manager_get_registered (self->manager);
}

/* Pause while it beats (or tries to), Resume once paused or stopped. */
static gboolean
offers_resume (UmtTray *self)
{
  UmtHeartbeatState state = current_state (self);

  return state == UMT_HEARTBEAT_STATE_PAUSED || state == UMT_HEARTBEAT_STATE_STOPPED;
}

/* Replaces *@field when @value differs; says whether it did. */
static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static char *
format_last_success (UmtTray    *self,
                     const char *format)
{
  GDateTime *last = umt_heartbeat_get_last_success (self->heartbeat);
  g_autoptr(GDateTime) local = NULL;

  if (last == NULL)
    return NULL;
  local = g_date_time_to_local (last);
  return g_date_time_format (local, format);
}

/* The heartbeat's line, then the tunnel's when it is in use. */
static char *build_heartbeat_tooltip (UmtTray *self);

static char *
build_tooltip_body (UmtTray *self)
{
  g_autofree char *body = build_heartbeat_tooltip (self);
  UmtTunnelSupervisor *tunnel = self->manager ? umt_device_manager_get_tunnel (self->manager) : NULL;
  g_autofree char *owner = NULL;
  g_autofree char *state = NULL;

  if (self->heartbeat != NULL && is_registered (self))
    owner = umt_heartbeat_text_owner (umt_heartbeat_get_owner_pid (self->heartbeat),
                                      umt_heartbeat_get_owner_program (self->heartbeat));
  if (owner != NULL)
    {
      g_autofree char *with_owner = g_strjoin ("\n", body, owner, NULL);

      g_free (body);
      body = g_steal_pointer (&with_owner);
    }

  if (tunnel == NULL || !is_registered (self) ||
      umt_tunnel_supervisor_get_state (tunnel) == UMT_TUNNEL_STATE_DISABLED)
    return g_steal_pointer (&body);

  state = umt_tunnel_text_state (tunnel);
  /* Translators: the heartbeat line, then the tunnel's state */
  return g_strdup_printf (_("%s\nRemote access: %s"), body, state);
}

static char *
build_heartbeat_tooltip (UmtTray *self)
{
  UmtHeartbeatState state = current_state (self);
  const char *key;
  const char *error;
  g_autofree char *time = NULL;
  g_autofree char *next_try = NULL;

  if (self->manager == NULL)
    return g_strdup (_("The settings could not be read. Open Updates Manager for details."));
  if (!is_registered (self))
    return g_strdup (_("This device is not registered yet. Open Updates Manager to register it."));

  key = umt_device_manager_get_device_key (self->manager);
  error = umt_heartbeat_get_last_error (self->heartbeat);
  next_try = umt_heartbeat_text_next_try (self->heartbeat);
  if (state == UMT_HEARTBEAT_STATE_STOPPED && error != NULL && next_try != NULL)
    /* Translators: a time such as 14:32, the reason the heartbeat stopped, the device key */
    return g_strdup_printf (_("Stopped, next try at %s: %s — device %s"), next_try, error, key);
  if (state == UMT_HEARTBEAT_STATE_STOPPED && error != NULL)
    /* Translators: the reason the heartbeat stopped, then the device key */
    return g_strdup_printf (_("Stopped: %s — device %s"), error, key);

  time = format_last_success (self, "%H:%M:%S");
  if (time == NULL)
    /* Translators: %s is the device key */
    return g_strdup_printf (_("No heartbeat yet — device %s"), key);
  /* Translators: a time such as 12:03:45, then the device key */
  return g_strdup_printf (_("Last heartbeat %s — device %s"), time, key);
}

static char *
build_tooltip_title (UmtTray *self)
{
  switch (current_state (self))
    {
    case UMT_HEARTBEAT_STATE_ACTIVE:
      return g_strdup (_("Updates Manager: heartbeat active"));
    case UMT_HEARTBEAT_STATE_RETRYING:
      return g_strdup_printf (_("Updates Manager: heartbeat retrying (%u/%u)"),
                              umt_heartbeat_get_consecutive_failures (self->heartbeat),
                              UMT_HEARTBEAT_MAX_FAILURES);
    case UMT_HEARTBEAT_STATE_STOPPED:
      return g_strdup (_("Updates Manager: heartbeat stopped"));
    case UMT_HEARTBEAT_STATE_PAUSED:
      return g_strdup (_("Updates Manager: heartbeat paused"));
    case UMT_HEARTBEAT_STATE_UNREGISTERED:
    default:
      return g_strdup (_("Updates Manager: not registered"));
    }
}

static char *
build_background_status (UmtTray *self)
{
  g_autofree char *time = NULL;
  g_autofree char *text = NULL;

  switch (current_state (self))
    {
    case UMT_HEARTBEAT_STATE_ACTIVE:
      time = format_last_success (self, "%H:%M");
      if (time != NULL)
        /* Translators: %s is a time such as 12:03 */
        text = g_strdup_printf (_("Heartbeat active — last %s"), time);
      else
        text = g_strdup (_("Heartbeat active"));
      break;
    case UMT_HEARTBEAT_STATE_RETRYING:
      text = g_strdup_printf (_("Heartbeat retrying (%u/%u)"),
                              umt_heartbeat_get_consecutive_failures (self->heartbeat),
                              UMT_HEARTBEAT_MAX_FAILURES);
      break;
    case UMT_HEARTBEAT_STATE_STOPPED:
      if (umt_heartbeat_get_last_error (self->heartbeat) != NULL)
        text = g_strdup_printf (_("Heartbeat stopped: %s"),
                                umt_heartbeat_get_last_error (self->heartbeat));
      else
        text = g_strdup (_("Heartbeat stopped"));
      break;
    case UMT_HEARTBEAT_STATE_PAUSED:
      text = g_strdup (_("Heartbeat paused"));
      break;
    case UMT_HEARTBEAT_STATE_UNREGISTERED:
    default:
      text = g_strdup (_("Not registered"));
      break;
    }

  /* The portal refuses longer texts; cut on a character, not a byte. */
  if (g_utf8_strlen (text, -1) > BACKGROUND_STATUS_MAX_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (text, 0, BACKGROUND_STATUS_MAX_CHARS - 1);

      return g_strconcat (cut, "…", NULL);
    }
  return g_steal_pointer (&text);
}

static void update_background_portal (UmtTray *self);

static void
umt_tray_update (UmtTray *self)
{
  UmtTrayChanges changes = 0;
  UmtHeartbeatState state = current_state (self);
  g_autofree char *icon_name = NULL;
  g_autofree char *tooltip_title = NULL;
  g_autofree char *tooltip_body = NULL;
  g_autofree char *background_status = NULL;
  const char *status;
  const char *labels[UMT_TRAY_N_ITEMS];
  gboolean sensitive[UMT_TRAY_N_ITEMS];
  gboolean registered = is_registered (self);

  icon_name = g_strdup_printf ("umt-heartbeat-%s-symbolic", umt_heartbeat_state_to_string (state));
  if (set_string (&self->icon_name, icon_name))
    changes |= UMT_TRAY_CHANGED_ICON;

  if (state == UMT_HEARTBEAT_STATE_UNREGISTERED)
    status = "Passive";
  else if (state == UMT_HEARTBEAT_STATE_STOPPED)
    status = "NeedsAttention";
  else
    status = "Active";
  if (g_strcmp0 (self->status, status) != 0)
    {
      self->status = status;
      changes |= UMT_TRAY_CHANGED_STATUS;
    }

  tooltip_title = build_tooltip_title (self);
  tooltip_body = build_tooltip_body (self);
  if (set_string (&self->tooltip_title, tooltip_title) |
      set_string (&self->tooltip_body, tooltip_body))
    changes |= UMT_TRAY_CHANGED_TOOLTIP;

  labels[UMT_TRAY_ITEM_OPEN - 1] = _("Open Updates Manager");
  labels[UMT_TRAY_ITEM_SEND_HEARTBEAT - 1] = _("Send Heartbeat Now");
  labels[UMT_TRAY_ITEM_COPY_DEVICE_KEY - 1] = _("Copy Device Key");
  labels[UMT_TRAY_ITEM_PAUSE_RESUME - 1] = offers_resume (self) ? _("Resume Heartbeat")
                                                                 : _("Pause Heartbeat");
  labels[UMT_TRAY_ITEM_QUIT - 1] = _("Quit");
  sensitive[UMT_TRAY_ITEM_OPEN - 1] = TRUE;
  sensitive[UMT_TRAY_ITEM_SEND_HEARTBEAT - 1] = registered;
  sensitive[UMT_TRAY_ITEM_COPY_DEVICE_KEY - 1] = registered;
  sensitive[UMT_TRAY_ITEM_PAUSE_RESUME - 1] = registered;
  sensitive[UMT_TRAY_ITEM_QUIT - 1] = TRUE;
  for (guint i = 0; i < UMT_TRAY_N_ITEMS; i++)
    {
      if (set_string (&self->labels[i], labels[i]) || self->sensitive[i] != sensitive[i])
        changes |= UMT_TRAY_CHANGED_MENU;
      self->sensitive[i] = sensitive[i];
    }

  background_status = build_background_status (self);
  if (set_string (&self->background_status, background_status))
    update_background_portal (self);

  if (changes != 0)
    g_signal_emit (self, signals[CHANGED], 0, changes);
}

static void
on_source_changed (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  umt_tray_update (UMT_TRAY (user_data));
}

/* Icons: the installed hicolor theme, or a copy of the built-in ones in the
 * user's runtime directory for a run from the build tree. */
static char *
find_icon_theme_path (void)
{
  static const char *states[] = { "unregistered", "active", "retrying", "stopped", "paused" };
  g_autofree char *datadir = g_path_get_dirname (PKGDATADIR);
  g_autofree char *installed = g_build_filename (datadir, "icons", NULL);
  g_autofree char *probe = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *status_dir = NULL;
  const char *override = g_getenv ("UMT_ICON_THEME_PATH");

  if (override != NULL && *override != '\0')
    return g_strdup (override);

  probe = g_build_filename (installed, "hicolor", "scalable", "status",
                            "umt-heartbeat-active-symbolic.svg", NULL);
  if (g_file_test (probe, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&installed);

  runtime = g_build_filename (g_get_user_runtime_dir (), PACKAGE_NAME, "icons", NULL);
  status_dir = g_build_filename (runtime, "hicolor", "scalable", "status", NULL);
  if (g_mkdir_with_parents (status_dir, 0700) != 0)
    return g_steal_pointer (&installed);

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autofree char *name = g_strdup_printf ("umt-heartbeat-%s-symbolic.svg", states[i]);
      g_autofree char *resource = g_build_path ("/", ICON_RESOURCE_DIR, name, NULL);
      g_autofree char *path = g_build_filename (status_dir, name, NULL);
      g_autoptr(GBytes) bytes = g_resources_lookup_data (resource, 0, NULL);
      g_autoptr(GError) error = NULL;

      if (bytes == NULL)
        continue;
      if (!g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error))
        g_debug ("Cannot write the tray icon %s: %s", path, error->message);
    }

  return g_steal_pointer (&runtime);
}

/* No tray host: the heartbeat keeps going in the background anyway. */

static void
on_portal_reply (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  /* Older portals lack SetStatus; the app runs in the background regardless. */
  if (reply == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Background portal: %s", error->message);
}

static void
call_background_portal (UmtTray    *self,
                        const char *method,
                        GVariant   *parameters)
{
  GDBusConnection *bus = g_application_get_dbus_connection (self->app);

  if (bus == NULL)
    {
      g_variant_unref (g_variant_ref_sink (parameters));
      return;
    }
  g_dbus_connection_call (bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                          "org.freedesktop.portal.Background", method, parameters, NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, on_portal_reply, NULL);
}

static void
update_background_portal (UmtTray *self)
{
  GVariantBuilder options;

  if (!self->background_requested)
    return;

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "message", g_variant_new_string (self->background_status));
  call_background_portal (self, "SetStatus", g_variant_new ("(a{sv})", &options));
}

static void
request_background (UmtTray *self)
{
  GVariantBuilder options;

  if (self->background_requested || !is_flatpak ())
    return;
  self->background_requested = TRUE;

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_("Keep this device online on its Meeting server")));
  call_background_portal (self, "RequestBackground", g_variant_new ("(sa{sv})", "", &options));
  update_background_portal (self);
}

static gboolean
on_no_host_timeout (gpointer user_data)
{
  UmtTray *self = user_data;

  self->no_host_timeout_id = 0;
  if (!self->host_available)
    request_background (self);
  return G_SOURCE_REMOVE;
}

gboolean
umt_tray_get_host_available (UmtTray *self)
{
  g_return_val_if_fail (UMT_IS_TRAY (self), FALSE);

  return self->host_available;
}

void
umt_tray_set_host_available (UmtTray  *self,
                             gboolean  available)
{
  g_return_if_fail (UMT_IS_TRAY (self));

  available = !!available;
  g_clear_handle_id (&self->no_host_timeout_id, g_source_remove);
  if (!available)
    self->no_host_timeout_id = g_timeout_add (NO_HOST_GRACE_MS, on_no_host_timeout, self);

  if (self->host_available == available)
    return;
  self->host_available = available;
  g_debug ("Tray host %s", available ? "available" : "missing");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST_AVAILABLE]);
}

UmtTray *
umt_tray_new (GApplication     *app,
              UmtDeviceManager *manager)
{
  UmtTray *self;

  g_return_val_if_fail (G_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (manager == NULL || UMT_IS_DEVICE_MANAGER (manager), NULL);

  self = g_object_new (UMT_TYPE_TRAY, NULL);
  self->app = app;
  g_object_add_weak_pointer (G_OBJECT (app), (gpointer *) &self->app);

  if (manager != NULL)
    {
      self->manager = g_object_ref (manager);
      self->heartbeat = g_object_ref (umt_device_manager_get_heartbeat (manager));
      g_signal_connect_object (manager, "notify::registered", G_CALLBACK (on_source_changed), self, 0);
      g_signal_connect_object (manager, "notify::device-key", G_CALLBACK (on_source_changed), self, 0);
      g_signal_connect_object (self->heartbeat, "notify::state", G_CALLBACK (on_source_changed), self, 0);
      g_signal_connect_object (self->heartbeat, "notify::last-success", G_CALLBACK (on_source_changed), self, 0);
      g_signal_connect_object (self->heartbeat, "notify::last-error", G_CALLBACK (on_source_changed), self, 0);
      g_signal_connect_object (self->heartbeat, "notify::owner-pid", G_CALLBACK (on_source_changed),
                               self, 0);
      g_signal_connect_object (self->heartbeat, "notify::consecutive-failures",
                               G_CALLBACK (on_source_changed), self, 0);
      g_signal_connect_object (self->heartbeat, "notify::next-beat", G_CALLBACK (on_source_changed), self, 0);
      g_signal_connect_object (umt_device_manager_get_tunnel (manager), "notify::state",
                               G_CALLBACK (on_source_changed), self, 0);
    }

  self->icon_theme_path = find_icon_theme_path ();
  umt_tray_update (self);

  /* Until the backend finds a host, assume there is none. */
  umt_tray_set_host_available (self, FALSE);
  self->backend = umt_tray_backend_new (self);

  return self;
}

GApplication *
umt_tray_get_application (UmtTray *self)
{
  g_return_val_if_fail (UMT_IS_TRAY (self), NULL);

  return self->app;
}

const char *
umt_tray_get_icon_name (UmtTray *self)
{
  g_return_val_if_fail (UMT_IS_TRAY (self), NULL);

  return self->icon_name;
}

const char *
umt_tray_get_icon_theme_path (UmtTray *self)
{
  g_return_val_if_fail (UMT_IS_TRAY (self), NULL);

  return self->icon_theme_path;
}

const char *
umt_tray_get_status (UmtTray *self)
{
  g_return_val_if_fail (UMT_IS_TRAY (self), NULL);

  return self->status;
}

const char *
umt_tray_get_title (UmtTray *self)
{
  g_return_val_if_fail (UMT_IS_TRAY (self), NULL);

  return _("Updates Manager");
}

const char *
umt_tray_get_tooltip_title (UmtTray *self)
{
  g_return_val_if_fail (UMT_IS_TRAY (self), NULL);

  return self->tooltip_title;
}

const char *
umt_tray_get_tooltip_body (UmtTray *self)
{
  g_return_val_if_fail (UMT_IS_TRAY (self), NULL);

  return self->tooltip_body;
}

const char *
umt_tray_get_background_status (UmtTray *self)
{
  g_return_val_if_fail (UMT_IS_TRAY (self), NULL);

  return self->background_status;
}

const char *
umt_tray_get_item_label (UmtTray     *self,
                         UmtTrayItem  item)
{
  g_return_val_if_fail (UMT_IS_TRAY (self), NULL);
  g_return_val_if_fail (item >= 1 && item <= UMT_TRAY_N_ITEMS, NULL);

  return self->labels[item - 1];
}

gboolean
umt_tray_get_item_sensitive (UmtTray     *self,
                             UmtTrayItem  item)
{
  g_return_val_if_fail (UMT_IS_TRAY (self), FALSE);
  g_return_val_if_fail (item >= 1 && item <= UMT_TRAY_N_ITEMS, FALSE);

  return self->sensitive[item - 1];
}

void
umt_tray_activate_item (UmtTray     *self,
                        UmtTrayItem  item)
{
  const char *action;

  g_return_if_fail (UMT_IS_TRAY (self));
  g_return_if_fail (item >= 1 && item <= UMT_TRAY_N_ITEMS);

  /* A host may show a stale menu: ignore what does not apply now. */
  if (self->app == NULL || !self->sensitive[item - 1])
    return;

  action = item_actions[item - 1];
  if (item == UMT_TRAY_ITEM_PAUSE_RESUME)
    action = offers_resume (self) ? "resume-heartbeat" : "pause-heartbeat";

  if (g_action_group_get_action_enabled (G_ACTION_GROUP (self->app), action))
    g_action_group_activate_action (G_ACTION_GROUP (self->app), action, NULL);
  else
    g_debug ("Tray item %d: app.%s is not available", item, action);
}

void
umt_tray_activate (UmtTray *self)
{
  umt_tray_activate_item (self, UMT_TRAY_ITEM_OPEN);
}

void
umt_tray_secondary_activate (UmtTray *self)
{
  umt_tray_activate_item (self, UMT_TRAY_ITEM_SEND_HEARTBEAT);
}

/* Installation on the application, following show-tray-icon. */

#define TRAY_DATA_KEY "umt-tray"

UmtTray *
umt_tray_get_for_application (GApplication *app)
{
  g_return_val_if_fail (G_IS_APPLICATION (app), NULL);

  return g_object_get_data (G_OBJECT (app), TRAY_DATA_KEY);
}

static void
sync_with_setting (GApplication *app,
                   GSettings    *settings)
{
  UmtDeviceManager *manager = g_object_get_data (G_OBJECT (settings), "umt-tray-manager");
  gboolean wanted = g_settings_get_boolean (settings, "show-tray-icon");

  if (wanted && umt_tray_get_for_application (app) == NULL)
    g_object_set_data_full (G_OBJECT (app), TRAY_DATA_KEY, umt_tray_new (app, manager), g_object_unref);
  else if (!wanted)
    g_object_set_data (G_OBJECT (app), TRAY_DATA_KEY, NULL);
}

static void
on_show_tray_icon_changed (GSettings  *settings,
                           const char *key,
                           gpointer    user_data)
{
  sync_with_setting (G_APPLICATION (user_data), settings);
}

static void
on_app_shutdown (GApplication *app,
                 gpointer      user_data)
{
  GSettings *settings = user_data;

  g_signal_handlers_disconnect_by_func (settings, on_show_tray_icon_changed, app);
  g_object_set_data (G_OBJECT (app), TRAY_DATA_KEY, NULL);
}

void
umt_tray_install (GApplication     *app,
                  GSettings        *settings,
                  UmtDeviceManager *manager)
{
  g_return_if_fail (G_IS_APPLICATION (app));
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (manager == NULL || UMT_IS_DEVICE_MANAGER (manager));

  umt_tray_actions_install (app, manager);

  if (manager != NULL)
    g_object_set_data_full (G_OBJECT (settings), "umt-tray-manager",
                            g_object_ref (manager), g_object_unref);
  g_signal_connect_object (settings, "changed::show-tray-icon",
                           G_CALLBACK (on_show_tray_icon_changed), app, 0);
  g_signal_connect_data (app, "shutdown", G_CALLBACK (on_app_shutdown),
                         g_object_ref (settings), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  sync_with_setting (app, settings);
}

static void
umt_tray_dispose (GObject *object)
{
  UmtTray *self = UMT_TRAY (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->no_host_timeout_id, g_source_remove);
  /* The backend first, disposed outright: its pending bus calls hold
   * references to it and must not come back to a finished tray. */
  if (self->backend != NULL)
    g_object_run_dispose (self->backend);
  g_clear_object (&self->backend);
  if (self->app != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->app), (gpointer *) &self->app);
      self->app = NULL;
    }
  g_clear_object (&self->heartbeat);
  g_clear_object (&self->manager);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (umt_tray_parent_class)->dispose (object);
}

static void
umt_tray_finalize (GObject *object)
{
  UmtTray *self = UMT_TRAY (object);

  g_free (self->icon_name);
  g_free (self->icon_theme_path);
  g_free (self->tooltip_title);
  g_free (self->tooltip_body);
  g_free (self->background_status);
  for (guint i = 0; i < UMT_TRAY_N_ITEMS; i++)
    g_free (self->labels[i]);

  G_OBJECT_CLASS (umt_tray_parent_class)->finalize (object);
}

static void
umt_tray_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  UmtTray *self = UMT_TRAY (object);

  switch (prop_id)
    {
    case PROP_HOST_AVAILABLE:
      g_value_set_boolean (value, self->host_available);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
umt_tray_class_init (UmtTrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = umt_tray_dispose;
  object_class->finalize = umt_tray_finalize;
  object_class->get_property = umt_tray_get_property;

  properties[PROP_HOST_AVAILABLE] =
    g_param_spec_boolean ("host-available", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
umt_tray_init (UmtTray *self)
{
  self->cancellable = g_cancellable_new ();
}
