/* test-device-info.c: what this machine would tell the server, and its suggested key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-device-info"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "umt-config-error.h"
#include "umt-device-info.h"
#include "umt-device-key.h"
#include "umt-validate.h"

/* The documented fields of register/online bodies. */
static const char * const sent_fields[] = {
  "ip_address", "ip_lan", "ip_public", "mac", "cluster_ip", "note", NULL
};

static gboolean
machine_has_default_route (void)
{
  g_autofree char *routes = NULL;

  if (!g_file_get_contents ("/proc/net/route", &routes, NULL, NULL))
    return FALSE;
  return strstr (routes, "\t00000000\t") != NULL;
}

static void
assert_sendable (UmtDeviceInfo *info)
{
  g_autoptr(JsonObject) object = umt_device_info_to_json (info);
  g_autoptr(GList) members = json_object_get_members (object);

  /* Whatever exists must pass the server's own rules; nothing else is sent,
   * in particular not the host name. */
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      const char *value = json_object_get_string_member (object, name);
      g_autoptr(GError) error = NULL;

      g_assert_true (g_strv_contains (sent_fields, name));
      if (g_str_equal (name, "mac"))
        umt_validate_mac (value, &error);
      else if (g_str_equal (name, "note"))
        umt_validate_note (value, &error);
      else
        umt_validate_ip_address (value, &error);
      g_assert_no_error (error);
    }
  g_assert_false (json_object_has_member (object, "hostname"));
}

static void
test_this_machine (void)
{
  g_autoptr(UmtDeviceInfo) info = umt_device_info_collect (NULL, NULL, NULL,
                                                           UMT_DEVICE_INFO_FLAGS_NO_PUBLIC_IP, NULL);

  assert_sendable (info);
  g_assert_cmpstr (umt_device_info_get_note (info), ==, UMT_DEVICE_INFO_DEFAULT_NOTE);
  g_assert_cmpstr (umt_device_info_get_hostname (info), ==, g_get_host_name ());
  g_assert_null (umt_device_info_get_ip_public (info));
  g_assert_null (umt_device_info_get_cluster_ip (info));

  if (machine_has_default_route ())
    {
      /* The interface holding the default route has an address here. */
      g_assert_nonnull (umt_device_info_get_interface (info));
      g_assert_nonnull (umt_device_info_get_ip_address (info));
      g_test_message ("primary interface %s: ip_address %s, ip_lan %s, mac %s",
                      umt_device_info_get_interface (info),
                      umt_device_info_get_ip_address (info),
                      umt_device_info_get_ip_lan (info),
                      umt_device_info_get_mac (info));
      if (umt_device_info_get_mac (info) != NULL)
        {
          g_autofree char *upper = g_ascii_strup (umt_device_info_get_mac (info), -1);
          g_assert_cmpstr (umt_device_info_get_mac (info), ==, upper);
        }
    }
}

static void
test_user_values_checked (void)
{
  g_autofree char *long_note = g_strnfill (2001, 'x');
  g_autoptr(UmtDeviceInfo) good = NULL;
  g_autoptr(UmtDeviceInfo) bad = NULL;

  good = umt_device_info_collect ("Salle 3", "10.20.0.5", NULL, UMT_DEVICE_INFO_FLAGS_NO_PUBLIC_IP, NULL);
  g_assert_cmpstr (umt_device_info_get_note (good), ==, "Salle 3");
  g_assert_cmpstr (umt_device_info_get_cluster_ip (good), ==, "10.20.0.5");
  assert_sendable (good);

  /* Malformed values are left out, never sent. */
  bad = umt_device_info_collect (long_note, "10.20.0", NULL, UMT_DEVICE_INFO_FLAGS_NO_PUBLIC_IP, NULL);
  g_assert_null (umt_device_info_get_note (bad));
  g_assert_null (umt_device_info_get_cluster_ip (bad));
  assert_sendable (bad);
}

static void
test_from_json_drops_bad_fields (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(UmtDeviceInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser,
                              "{\"ip_address\":\"192.168.1.20\",\"ip_lan\":\"nonsense\","
                              "\"ip_public\":42,\"mac\":\"aa-bb-cc-dd-ee-ff\",\"note\":\"ok\","
                              "\"hostname\":\"box\",\"token_code\":\"ABC123\"}", -1, &error);
  g_assert_no_error (error);
  info = umt_device_info_new_from_json (json_node_get_object (json_parser_get_root (parser)));

  g_assert_cmpstr (umt_device_info_get_ip_address (info), ==, "192.168.1.20");
  g_assert_null (umt_device_info_get_ip_lan (info));
  g_assert_null (umt_device_info_get_ip_public (info));
  g_assert_null (umt_device_info_get_mac (info));
  g_assert_cmpstr (umt_device_info_get_note (info), ==, "ok");
  assert_sendable (info);
}

/* A stand-in for the public address service on loopback. */
typedef struct
{
  SoupServer *server;
  char       *url;
  char       *body;
  guint       status;
  gboolean    hang;
  guint       requests;
  GMainLoop  *loop;
  UmtDeviceInfo *result;
} Lookup;

static void
lookup_handler (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  Lookup *lookup = user_data;

  lookup->requests++;
  if (lookup->hang)
    {
      /* Never answers: the client's 5 s timeout must end it. */
      soup_server_message_pause (msg);
      return;
    }
  soup_server_message_set_status (msg, lookup->status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    lookup->body, strlen (lookup->body));
}

static void
lookup_start (Lookup *lookup)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  lookup->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (lookup->server, "/", lookup_handler, lookup, NULL);
  soup_server_listen_local (lookup->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (lookup->server);
  lookup->url = g_strdup_printf ("http://127.0.0.1:%d/?format=json", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  lookup->loop = g_main_loop_new (NULL, FALSE);
  lookup->status = SOUP_STATUS_OK;
  umt_device_info_clear_public_ip_cache ();
}

static void
lookup_stop (Lookup *lookup)
{
  soup_server_disconnect (lookup->server);
  g_clear_object (&lookup->server);
  g_clear_pointer (&lookup->url, g_free);
  g_clear_pointer (&lookup->loop, g_main_loop_unref);
  g_clear_object (&lookup->result);
}

static void
on_collected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_object (&lookup->result);
  lookup->result = umt_device_info_collect_finish (result, &error);
  g_assert_no_error (error);
  g_main_loop_quit (lookup->loop);
}

/* The lookup runs in a worker thread while this thread serves it. */
static const char *
collect_public (Lookup             *lookup,
                const char         *body,
                UmtDeviceInfoFlags  flags)
{
  lookup->body = (char *) body;
  umt_device_info_collect_async (NULL, NULL, lookup->url, flags, NULL, on_collected, lookup);
  g_main_loop_run (lookup->loop);
  assert_sendable (lookup->result);
  return umt_device_info_get_ip_public (lookup->result);
}

static void
test_public_ip (void)
{
  Lookup lookup = { 0 };

  lookup_start (&lookup);

  g_assert_cmpstr (collect_public (&lookup, "{\"ip\":\"203.0.113.7\"}", 0), ==, "203.0.113.7");
  g_assert_cmpuint (lookup.requests, ==, 1);

  /* Cached for ten minutes: no second request, the same answer. */
  g_assert_cmpstr (collect_public (&lookup, "{\"ip\":\"203.0.113.8\"}", 0), ==, "203.0.113.7");
  g_assert_cmpuint (lookup.requests, ==, 1);

  /* A refresh asks again; plain-text services are understood too. */
  g_assert_cmpstr (collect_public (&lookup, "2001:db8::8\n", UMT_DEVICE_INFO_FLAGS_REFRESH_PUBLIC_IP),
                   ==, "2001:db8::8");
  g_assert_cmpuint (lookup.requests, ==, 2);

  /* Switched off: not asked at all. */
  g_assert_null (collect_public (&lookup, "{\"ip\":\"203.0.113.9\"}", UMT_DEVICE_INFO_FLAGS_NO_PUBLIC_IP));
  g_assert_cmpuint (lookup.requests, ==, 2);

  lookup_stop (&lookup);
}

static void
test_public_ip_failures (void)
{
  Lookup lookup = { 0 };
  gint64 start;

  lookup_start (&lookup);

  /* A malformed answer or a refusal leaves the field out. */
  g_assert_null (collect_public (&lookup, "{\"ip\":\"not-an-ip\"}", 0));
  g_assert_cmpuint (lookup.requests, ==, 1);

  /* ...and is not asked again at every heartbeat, only after a while or
   * on an explicit refresh. */
  g_assert_null (collect_public (&lookup, "{\"ip\":\"203.0.113.7\"}", 0));
  g_assert_cmpuint (lookup.requests, ==, 1);

  g_assert_null (collect_public (&lookup, "<html>hello</html>", UMT_DEVICE_INFO_FLAGS_REFRESH_PUBLIC_IP));
  lookup.status = SOUP_STATUS_SERVICE_UNAVAILABLE;
  g_assert_null (collect_public (&lookup, "{\"ip\":\"203.0.113.7\"}", UMT_DEVICE_INFO_FLAGS_REFRESH_PUBLIC_IP));
  g_assert_cmpuint (lookup.requests, ==, 3);

  /* A service that never answers costs at most the 5 s timeout. */
  lookup.hang = TRUE;
  start = g_get_monotonic_time ();
  g_assert_null (collect_public (&lookup, "", UMT_DEVICE_INFO_FLAGS_REFRESH_PUBLIC_IP));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 9 * G_USEC_PER_SEC);
  g_assert_cmpuint (lookup.requests, ==, 4);

  lookup_stop (&lookup);
}

static void
test_public_ip_plain_http_refused (void)
{
  g_autoptr(UmtDeviceInfo) info = NULL;

  /* Plain http to another host would let anyone on the path choose our
   * "public address"; it is not even tried. */
  umt_device_info_clear_public_ip_cache ();
  info = umt_device_info_collect (NULL, NULL, "http://192.0.2.1/?format=json", 0, NULL);
  g_assert_null (umt_device_info_get_ip_public (info));
}

static char *
write_machine_id (const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_user_data_dir (), "machine-id", NULL);

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_suggested_key (void)
{
  g_autofree char *path = write_machine_id ("4c4c4544003957108052b4c04f384833\n");
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *other = NULL;
  g_autofree char *other_path = NULL;
  g_autoptr(GError) error = NULL;

  first = umt_device_key_suggest (path, &error);
  g_assert_no_error (error);
  second = umt_device_key_suggest (path, &error);
  g_assert_no_error (error);

  /* Stable, 32 upper-case hex, and a key the server accepts. */
  g_assert_cmpstr (first, ==, second);
  g_assert_cmpuint (strlen (first), ==, 32);
  for (const char *p = first; *p != '\0'; p++)
    g_assert_true (g_ascii_isdigit (*p) || (*p >= 'A' && *p <= 'F'));
  g_assert_true (umt_validate_device_key (first, NULL));

  /* It does not give the machine id away. */
  g_assert_null (strstr ("4C4C4544003957108052B4C04F384833", first));
  g_assert_false (g_str_has_prefix (first, "4C4C4544"));

  other_path = write_machine_id ("0123456789abcdef0123456789abcdef");
  other = umt_device_key_suggest (other_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (other, !=, first);
}

static void
test_suggested_key_system (void)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_test ("/etc/machine-id", G_FILE_TEST_EXISTS) &&
      !g_file_test ("/var/lib/dbus/machine-id", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("this machine has no machine id");
      return;
    }
  first = umt_device_key_suggest (NULL, &error);
  g_assert_no_error (error);
  second = umt_device_key_suggest (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, second);
  g_assert_cmpuint (strlen (first), ==, 32);
}

static void
test_suggested_key_no_machine_id (void)
{
  g_autofree char *empty = write_machine_id ("\n");
  g_autofree char *missing = g_build_filename (g_get_user_data_dir (), "nope", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (umt_device_key_suggest (missing, &error));
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO);
  g_clear_error (&error);

  g_assert_null (umt_device_key_suggest (empty, &error));
  g_assert_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "administrator"));
}

int
main (int   argc,
      char *argv[])
{
  /* Isolated dirs hide the system's GSettings schemas, which the GNOME
   * proxy resolver reads; the lookups here go to loopback anyway. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/device-info/this-machine", test_this_machine);
  g_test_add_func ("/device-info/user-values-checked", test_user_values_checked);
  g_test_add_func ("/device-info/from-json-drops-bad-fields", test_from_json_drops_bad_fields);
  g_test_add_func ("/device-info/public-ip", test_public_ip);
  g_test_add_func ("/device-info/public-ip-failures", test_public_ip_failures);
  g_test_add_func ("/device-info/public-ip-plain-http-refused", test_public_ip_plain_http_refused);
  g_test_add_func ("/device-key/suggested-stable", test_suggested_key);
  g_test_add_func ("/device-key/suggested-system", test_suggested_key_system);
  g_test_add_func ("/device-key/no-machine-id", test_suggested_key_no_machine_id);

  return g_test_run ();
}
