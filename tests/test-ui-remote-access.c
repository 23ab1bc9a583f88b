/* test-ui-remote-access.c: Settings → Remote access against meeting-sim's proxy and the real agent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-ui-remote-access"

#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "umt-application.h"
#include "umt-overview-page.h"
#include "umt-profiles.h"
#include "umt-remote-access-group.h"
#include "umt-secret-store.h"
#include "umt-settings-page.h"
#include "umt-ssh-key.h"
#include "umt-test-sim.h"
#include "umt-test-ui.h"
#include "umt-window.h"

#define WAIT_SECONDS 20

static UmtApplication *app;
static UmtTestSim *sim;
static UmtWindow *window;
static char *device_key;

static gboolean
on_tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main context until @condition holds; fails after WAIT_SECONDS. */
#define WAIT_FOR(condition) G_STMT_START {                                   \
    gint64 deadline_ = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC; \
    guint tick_ = g_timeout_add (20, on_tick, NULL);                          \
    while (!(condition))                                                      \
      {                                                                       \
        if (g_get_monotonic_time () > deadline_)                              \
          g_error ("Timed out waiting for %s", #condition);                   \
        g_main_context_iteration (NULL, TRUE);                                \
      }                                                                       \
    g_source_remove (tick_);                                                  \
  } G_STMT_END

static void
settle (void)
{
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 5;
  guint tick = g_timeout_add (20, on_tick, NULL);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
}

static UmtDeviceManager *
manager (void)
{
  return umt_application_get_device_manager (app);
}

static GtkWidget *
group (void)
{
  GtkWidget *page = umt_window_get_page (window, "settings");

  return GTK_WIDGET (gtk_widget_get_template_child (page, UMT_TYPE_SETTINGS_PAGE, "remote_group"));
}

static gpointer
child (const char *name)
{
  GObject *object = gtk_widget_get_template_child (group (), UMT_TYPE_REMOTE_ACCESS_GROUP, name);

  g_assert_nonnull (object);
  return object;
}

static const char *
subtitle (const char *row)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (child (row)));
}

static const char *
state_text (void)
{
  return gtk_label_get_label (GTK_LABEL (child ("state_label")));
}

static gboolean
error_shown (void)
{
  return gtk_widget_get_visible (GTK_WIDGET (child ("error_row")));
}

static void
apply (const char *row,
       const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (row)), text);
  g_signal_emit_by_name (child (row), "apply");
}

static JsonObject *
saved_profile (void)
{
  g_autofree char *path = umt_profiles_get_path ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *profiles;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  profiles = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "profiles");
  g_assert_cmpuint (json_array_get_length (profiles), >=, 1);
  return json_object_ref (json_array_get_object_element (profiles, 0));
}

static gboolean
agent_at_proxy (void)
{
  g_autoptr(JsonNode) node = umt_test_sim_request (sim, "GET", "/__sim/proxy", NULL, NULL);
  JsonArray *agents = json_object_get_array_member (json_node_get_object (node), "agents");

  for (guint i = 0; i < json_array_get_length (agents); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (agents, i),
                                                  "device_key"), device_key) == 0)
      return TRUE;
  return FALSE;
}

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(UmtMeetingRegistration) registration =
    umt_device_manager_register_finish (UMT_DEVICE_MANAGER (source), result, &error);

  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
test_not_registered (void)
{
  const char *rows[] = { "state_row", "enable_row", "proxy_host_row", "proxy_port_row",
                         "services_row", "token_row", "ssh_key_row" };

  g_assert_false (umt_device_manager_get_registered (manager ()));
  /* Everything is there but inert, with the reason in view. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (child ("not_registered_row"))));
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (child (rows[i]))));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (child ("publish_button"))));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (child ("enable_switch"))));
  g_assert_cmpstr (state_text (), ==, "Disabled");
}

static void
test_enable_tunnel (void)
{
  g_autofree char *token = NULL;
  g_autoptr(JsonObject) profile = NULL;
  gboolean registered = FALSE;
  GtkWidget *overview;

  /* The demo device, registered through the window's own device manager. */
  device_key = umt_test_sim_create_device (sim, NULL, &token);
  umt_device_manager_register_async (manager (), device_key, token, NULL, on_registered, &registered);
  WAIT_FOR (registered);
  WAIT_FOR (gtk_widget_is_sensitive (GTK_WIDGET (child ("enable_switch"))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (child ("not_registered_row"))));

  /* The registration kept its token for the tunnel, and the row says so. */
  WAIT_FOR (g_str_has_prefix (subtitle ("token_status_row"), "Uses the registration token"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (child ("clear_token_button"))));

  /* The proxy defaults to the host of the server in use (MEETING_SERVER_URL
   * here, not the profile's own URL): the placeholder names it, and the agent
   * goes there. */
  g_assert_cmpstr (gtk_text_get_placeholder_text (GTK_TEXT (gtk_editable_get_delegate (child ("proxy_host_row")))),
                   ==, "Default: 127.0.0.1");

  gtk_spin_button_set_value (child ("proxy_port_spin"), sim->proxy_port);
  gtk_switch_set_active (child ("enable_switch"), TRUE);

  WAIT_FOR (g_strcmp0 (state_text (), "Connected") == 0);
  g_assert_true (agent_at_proxy ());
  g_assert_true (g_str_has_prefix (subtitle ("state_row"), "0 open streams"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (child ("state_label")), "success"));

  profile = saved_profile ();
  g_assert_true (json_object_get_boolean_member (profile, "tunnel_enabled"));
  g_assert_false (json_object_has_member (profile, "tunnel_proxy_host"));
  g_assert_cmpint (json_object_get_int_member (profile, "tunnel_proxy_port"), ==, sim->proxy_port);

  /* The Overview says it too. */
  overview = umt_window_get_page (window, "overview");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (gtk_widget_get_template_child (overview, UMT_TYPE_OVERVIEW_PAGE,
                                                                                    "tunnel_label"))),
                   ==, "Connected");
}

static void
test_ports_saved (void)
{
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autoptr(JsonObject) relayed = NULL;
  JsonArray *relay;

  gtk_spin_button_set_value (child ("ssh_port_spin"), 2222);
  gtk_switch_set_active (child ("http_switch"), TRUE);
  before = saved_profile ();
  g_assert_cmpint (json_object_get_int_member (before, "tunnel_ssh_port"), ==, 2222);
  g_assert_true (json_object_get_boolean_member (before, "tunnel_http"));
  g_assert_cmpuint (umt_profile_get_tunnel_service_port (umt_device_manager_get_profile (manager ()),
                                                          UMT_TUNNEL_SERVICE_SSH), ==, 2222);

  /* A bad list: the error is shown, the profile and the file keep the old value. */
  apply ("relay_ports_row", "8080,99999");
  g_assert_true (error_shown ());
  g_assert_cmpstr (adw_preferences_row_get_title (child ("error_row")), ==, "The relay ports were not changed");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (child ("relay_ports_row")), "error"));
  g_assert_cmpstr (umt_profile_get_tunnel_relay_ports (umt_device_manager_get_profile (manager ())), ==, "");
  after = saved_profile ();
  g_assert_false (json_object_has_member (after, "tunnel_relay_ports") &&
                  json_array_get_length (json_object_get_array_member (after, "tunnel_relay_ports")) > 0);

  /* Corrected, it is taken. */
  apply ("relay_ports_row", "8080, 9000");
  g_assert_false (error_shown ());
  relayed = saved_profile ();
  relay = json_object_get_array_member (relayed, "tunnel_relay_ports");
  g_assert_cmpuint (json_array_get_length (relay), ==, 2);
  g_assert_cmpint (json_array_get_int_element (relay, 1), ==, 9000);

  /* The agent was restarted with the new ports and is back. */
  WAIT_FOR (g_strcmp0 (state_text (), "Connected") == 0);
}

static void
test_tunnel_token (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) reply = NULL;
  guint status = 0;

  /* A separate token the proxy does not know yet: stored, used, refused. */
  apply ("token_row", "tunnel-7f3a9c2e51");
  WAIT_FOR (g_str_has_prefix (subtitle ("token_status_row"), "A separate tunnel token"));
  g_assert_cmpstr (gtk_editable_get_text (child ("token_row")), ==, "");
  stored = umt_secret_store_lookup_sync (UMT_SECRET_TUNNEL_TOKEN, device_key, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, "tunnel-7f3a9c2e51");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (child ("clear_token_button"))));
  WAIT_FOR (g_strcmp0 (state_text (), "Authentication failed") == 0);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (child ("state_label")), "error"));
  /* The proxy's reason is under it, then the traffic. */
  g_assert_nonnull (strstr (subtitle ("state_row"), "\n0 open streams"));
  g_assert_false (g_str_has_prefix (subtitle ("state_row"), "0 open streams"));

  /* Once the server knows it, Reconnect connects at once. */
  body = g_strdup_printf ("/__sim/devices/%s/tunnel-token", device_key);
  reply = umt_test_sim_request (sim, "PUT", body, "{\"token\":\"tunnel-7f3a9c2e51\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  gtk_widget_activate_action (group (), "remote.reconnect", NULL);
  WAIT_FOR (g_strcmp0 (state_text (), "Connected") == 0);

  /* A token with spaces is refused before the keyring. */
  apply ("token_row", "two words");
  g_assert_true (error_shown ());
  g_clear_pointer (&stored, g_free);
  stored = umt_secret_store_lookup_sync (UMT_SECRET_TUNNEL_TOKEN, device_key, NULL, NULL, &error);
  g_assert_cmpstr (stored, ==, "tunnel-7f3a9c2e51");
  gtk_editable_set_text (child ("token_row"), "");

  /* Clear: the separate token goes, and the tunnel is back on the
   * registration token, which the proxy accepts. */
  gtk_widget_activate_action (group (), "remote.clear-token", NULL);
  WAIT_FOR (g_str_has_prefix (subtitle ("token_status_row"), "Uses the registration token"));
  g_clear_pointer (&stored, g_free);
  stored = umt_secret_store_lookup_sync (UMT_SECRET_TUNNEL_TOKEN, device_key, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (stored);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (child ("clear_token_button"))));
  WAIT_FOR (g_strcmp0 (state_text (), "Connected") == 0);
}

static void
test_publish_ssh_key (void)
{
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *fingerprint = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (child ("publish_button"))));
  gtk_widget_activate_action (group (), "remote.publish-ssh-key", NULL);
  /* Working: a spinner, and no second Publish. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (child ("publish_spinner"))));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (child ("publish_button"))));
  WAIT_FOR (gtk_widget_is_sensitive (GTK_WIDGET (child ("publish_button"))));
  g_assert_false (error_shown ());
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (child ("publish_spinner"))));

  record = umt_test_sim_get_device (sim, device_key);
  g_assert_nonnull (record);
  g_assert_false (json_object_get_null_member (record, "ssh_pubkey"));
  fingerprint = umt_ssh_key_compute_fingerprint (json_object_get_string_member (record, "ssh_pubkey"), &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (fingerprint, "SHA256:"));
  g_assert_cmpstr (subtitle ("ssh_key_row"), ==, fingerprint);
}

static void
save_png (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  int width = gtk_widget_get_width (GTK_WIDGET (window));
  int height = gtk_widget_get_height (GTK_WIDGET (window));
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Rendered %s", path);
}

/* Settings scrolled to the Remote access group, and the Overview. */
static void
render (const char *lang)
{
  GtkWidget *page = umt_window_get_page (window, "settings");
  GtkWidget *scroller = umt_test_find_descendant (page, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  g_autofree char *settings_top = g_strdup_printf ("ui-remote-access-%s.png", lang);
  g_autofree char *settings_bottom = g_strdup_printf ("ui-remote-access-bottom-%s.png", lang);
  g_autofree char *overview = g_strdup_printf ("ui-overview-tunnel-%s.png", lang);
  graphene_point_t point;

  umt_window_show_page (window, "settings");
  settle ();
  g_assert_true (gtk_widget_compute_point (group (), gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)),
                                           &GRAPHENE_POINT_INIT (0, 0), &point));
  gtk_adjustment_set_value (adjustment, point.y - 12);
  settle ();
  save_png (settings_top);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  settle ();
  save_png (settings_bottom);
  umt_window_show_page (window, "overview");
  settle ();
  save_png (overview);
}

static void
reopen_window (void)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_application_activate (G_APPLICATION (app));
  window = UMT_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 900);
  settle ();
}

static void
test_tls_warning_and_retry (void)
{
  /* TLS to a plain proxy fails: the warning shows while verification is
   * off, and the state says when the next try comes, and why. */
  gtk_switch_set_active (child ("tls_switch"), TRUE);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (child ("tls_warning_row"))));
  gtk_switch_set_active (child ("verify_tls_switch"), FALSE);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (child ("tls_warning_row"))));
  WAIT_FOR (g_str_has_prefix (state_text (), "Retrying in "));
  g_assert_true (g_str_has_suffix (state_text (), " s"));
  g_assert_false (g_str_has_prefix (subtitle ("state_row"), "0 open streams"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (child ("state_label")), "warning"));

  gtk_switch_set_active (child ("verify_tls_switch"), TRUE);
  gtk_switch_set_active (child ("tls_switch"), FALSE);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (child ("tls_warning_row"))));
  WAIT_FOR (g_strcmp0 (state_text (), "Connected") == 0);
}

static void
on_unregistered (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  umt_device_manager_unregister_finish (UMT_DEVICE_MANAGER (source), result, &error);
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* The rows show the active profile, whichever it is and whoever changes it. */
static void
test_follows_active_profile (void)
{
  UmtProfiles *profiles = umt_device_manager_get_profiles (manager ());
  g_autofree char *first = g_strdup (umt_profiles_get_active_name (profiles));
  g_autoptr(UmtProfile) other = umt_profile_new ("other", "https://other.example", NULL);
  g_autoptr(GError) error = NULL;
  gboolean unregistered = FALSE;

  /* A change made elsewhere shows at once. */
  umt_profile_set_tunnel_tls (umt_device_manager_get_profile (manager ()), TRUE);
  g_assert_true (gtk_switch_get_active (child ("tls_switch")));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (child ("verify_tls_switch"))));
  umt_profile_set_tunnel_tls (umt_device_manager_get_profile (manager ()), FALSE);
  g_assert_false (gtk_switch_get_active (child ("tls_switch")));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (child ("verify_tls_switch"))));

  /* A registered device keeps its profile: only without one does the
   * active profile apply. */
  umt_device_manager_unregister_async (manager (), NULL, on_unregistered, &unregistered);
  WAIT_FOR (unregistered);
  g_assert_true (gtk_switch_get_active (child ("enable_switch")));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (child ("ssh_port_spin")), ==, 2222);
  g_assert_cmpstr (gtk_editable_get_text (child ("relay_ports_row")), ==, "8080,9000");

  umt_profiles_add (profiles, other, &error);
  g_assert_no_error (error);
  umt_profiles_use (profiles, "other", &error);
  g_assert_no_error (error);
  umt_device_manager_profiles_changed (manager ());
  g_assert_false (gtk_switch_get_active (child ("enable_switch")));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (child ("ssh_port_spin")), ==, 22);
  g_assert_cmpstr (gtk_editable_get_text (child ("relay_ports_row")), ==, "");

  /* A mistake typed for one profile does not follow to the next. */
  apply ("relay_ports_row", "nope");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (child ("relay_ports_row")), "error"));
  umt_profiles_use (profiles, first, &error);
  g_assert_no_error (error);
  umt_device_manager_profiles_changed (manager ());
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (child ("relay_ports_row")), "error"));
  g_assert_true (gtk_switch_get_active (child ("enable_switch")));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (child ("ssh_port_spin")), ==, 2222);
  g_assert_cmpstr (gtk_editable_get_text (child ("relay_ports_row")), ==, "8080,9000");
}

static void
test_render (void)
{
  /* Fresh windows: no toast over the rows. */
  reopen_window ();
  render ("en");

  umt_test_use_language ("fr");
  reopen_window ();
  g_assert_cmpstr (gtk_button_get_label (child ("publish_button")), ==, "Publier");
  g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (group ())), ==, "Accès à distance");
  g_assert_cmpstr (state_text (), ==, "Connecté");
  g_assert_true (g_str_has_prefix (subtitle ("state_row"), "0 flux ouvert · "));
  /* Nothing went through yet, and French agrees with 0 in the singular. GLib
   * words the size itself, in English here: its translations are decided once
   * per process, and this one started in English. */
  g_assert_nonnull (strstr (subtitle ("state_row"), " reçu · "));
  g_assert_true (g_str_has_suffix (subtitle ("state_row"), " envoyé"));
  render ("fr");
  umt_test_use_language ("en");
}

static void
test_accessible_labels (void)
{
  const char *widgets[][2] = {
    { "enable_switch", "Enable remote access" },
    { "proxy_port_spin", "Proxy port" },
    { "ssh_switch", "SSH" },
    { "ssh_port_spin", "SSH local port" },
    { "reconnect_button", "Reconnect" },
    { "publish_button", "Publish" },
    { "clear_token_button", "Clear" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (widgets); i++)
    {
      GtkAccessible *accessible = child (widgets[i][0]);

      gtk_test_accessible_assert_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL, widgets[i][1]);
    }
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (gtk_editable_get_delegate (child ("token_row"))),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Tunnel token");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (gtk_editable_get_delegate (child ("relay_ports_row"))),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Extra relay ports");
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("UMT_LOCALEDIR");
  static const char *vars[] = { "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME" };
  g_autoptr(GError) error = NULL;
  g_autofree char *scratch = NULL;
  int status;

  /* Own directories: the other UI tests run at the same time with theirs. */
  scratch = g_dir_make_tmp ("umt-test-ui-remote-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      g_autofree char *dir = g_build_filename (scratch, vars[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_setenv (vars[i], dir, TRUE);
    }

  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);
  g_setenv ("GTK_A11Y", "test", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  gtk_disable_setlocale ();
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  sim = umt_test_sim_start ("--proxy-port", "0", NULL);
  g_setenv ("MEETING_SERVER_URL", sim->url, TRUE);

  app = umt_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  window = UMT_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 900);

  /* In order: one device goes from not registered to published key. */
  g_test_add_func ("/ui/remote-access/not-registered", test_not_registered);
  g_test_add_func ("/ui/remote-access/enable-tunnel", test_enable_tunnel);
  g_test_add_func ("/ui/remote-access/ports-saved", test_ports_saved);
  g_test_add_func ("/ui/remote-access/tunnel-token", test_tunnel_token);
  g_test_add_func ("/ui/remote-access/publish-ssh-key", test_publish_ssh_key);
  g_test_add_func ("/ui/remote-access/tls-warning-and-retry", test_tls_warning_and_retry);
  g_test_add_func ("/ui/remote-access/a11y", test_accessible_labels);
  g_test_add_func ("/ui/remote-access/render", test_render);
  g_test_add_func ("/ui/remote-access/follows-active-profile", test_follows_active_profile);

  status = g_test_run ();
  g_application_quit (G_APPLICATION (app));
  /* The agent is stopped when the application shuts down. */
  g_clear_object (&app);
  g_clear_pointer (&sim, umt_test_sim_free);
  g_clear_pointer (&device_key, g_free);
  return status;
}
