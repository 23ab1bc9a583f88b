/* umt-meeting-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-meeting-types"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "umt-meeting-error.h"
#include "umt-meeting-types.h"

/* The structs are g_rc_box allocations: ref is acquire, unref releases
 * with a function that frees the members. */
#define UMT_MEETING_DEFINE_BOXED(TypeName, type_name)                                   \
  static void type_name##_clear (TypeName *self);                                       \
  TypeName *                                                                            \
  type_name##_ref (TypeName *self)                                                      \
  {                                                                                     \
    return g_rc_box_acquire (self);                                                     \
  }                                                                                     \
  void                                                                                  \
  type_name##_unref (TypeName *self)                                                    \
  {                                                                                     \
    g_rc_box_release_full (self, (GDestroyNotify) type_name##_clear);                   \
  }                                                                                     \
  G_DEFINE_BOXED_TYPE (TypeName, type_name, type_name##_ref, type_name##_unref)

UMT_MEETING_DEFINE_BOXED (UmtMeetingApiInfo, umt_meeting_api_info)
UMT_MEETING_DEFINE_BOXED (UmtMeetingRegistration, umt_meeting_registration)
UMT_MEETING_DEFINE_BOXED (UmtMeetingHeartbeat, umt_meeting_heartbeat)
UMT_MEETING_DEFINE_BOXED (UmtMeetingDevice, umt_meeting_device)
UMT_MEETING_DEFINE_BOXED (UmtMeetingAvailability, umt_meeting_availability)
UMT_MEETING_DEFINE_BOXED (UmtMeetingLastSeen, umt_meeting_last_seen)
UMT_MEETING_DEFINE_BOXED (UmtMeetingTunnel, umt_meeting_tunnel)
UMT_MEETING_DEFINE_BOXED (UmtMeetingGeneratedKey, umt_meeting_generated_key)
UMT_MEETING_DEFINE_BOXED (UmtMeetingServiceGrant, umt_meeting_service_grant)

static void
umt_meeting_api_info_clear (UmtMeetingApiInfo *self)
{
  g_free (self->status);
  g_free (self->version);
}

static void
umt_meeting_registration_clear (UmtMeetingRegistration *self)
{
  g_free (self->message);
}

static void
umt_meeting_heartbeat_clear (UmtMeetingHeartbeat *self)
{
  g_free (self->ip_address);
  g_free (self->last_seen);
}

static void
umt_meeting_device_clear (UmtMeetingDevice *self)
{
  g_free (self->device_key);
  g_free (self->device_type);
  g_free (self->distribution);
  g_free (self->last_seen);
  g_strfreev (self->services);
}

static void
umt_meeting_availability_clear (UmtMeetingAvailability *self)
{
  g_free (self->last_heartbeat);
  g_free (self->since);
  g_free (self->uptime);
}

static void
umt_meeting_last_seen_clear (UmtMeetingLastSeen *self)
{
  g_free (self->device_key);
  g_free (self->last_seen);
}

static void
umt_meeting_tunnel_clear (UmtMeetingTunnel *self)
{
  g_free (self->device_key);
  g_free (self->service);
  g_free (self->expires_at);
}

static void
umt_meeting_generated_key_clear (UmtMeetingGeneratedKey *self)
{
  g_free (self->device_key);
  g_free (self->token_code);
}

static void
umt_meeting_service_grant_clear (UmtMeetingServiceGrant *self)
{
  g_free (self->url);
  g_free (self->expires_at);
}

static gboolean
protocol_error (GError     **error,
                const char  *what,
                const char  *member,
                const char  *problem)
{
  /* Translators: the first %s names a kind of answer, such as “registration answer”;
   * the second is the name of a JSON member, left as it is; the third says what is
   * wrong with it, such as “is missing”. */
  g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL,
               _("The Meeting server sent an unexpected %s: “%s” %s. "
                  "Check the server URL; the server may run an incompatible version."),
               _(what), member, _(problem));
  return FALSE;
}

static JsonObject *
expect_object (JsonNode    *node,
               const char  *what,
               GError     **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      /* Translators: %s names a kind of answer, such as “registration answer”. */
      g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL,
                   _("The Meeting server sent an unexpected %s: it is not a JSON object. "
                      "Check the server URL; the server may run an incompatible version."),
                   _(what));
      return NULL;
    }
  return json_node_get_object (node);
}

static gboolean
is_scalar_of (JsonNode *node,
              GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* The string value of @member, or NULL when it is absent or not a string. */
static const char *
peek_string (JsonObject *object,
             const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && is_scalar_of (node, G_TYPE_STRING) ? json_node_get_string (node) : NULL;
}

/* A copy of a server's string fit to be shown: its control characters
 * (terminal escape sequences among them) become spaces. */
static char *
printable_copy (const char *text)
{
  GString *copy = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_string_append_unichar (copy, g_unichar_iscntrl (c) ? ' ' : c);
    }
  return g_string_free (copy, FALSE);
}

/* A string member. Missing or null is fine unless @required. */
static gboolean
get_string (JsonObject   *object,
            const char   *member,
            gboolean      required,
            const char   *what,
            char        **out,
            GError      **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        return protocol_error (error, what, member, N_("is missing"));
      *out = NULL;
      return TRUE;
    }

  if (!is_scalar_of (node, G_TYPE_STRING))
    return protocol_error (error, what, member, N_("is not a string"));

  *out = printable_copy (json_node_get_string (node));
  return TRUE;
}

/* An integer member; a PHP server may send database columns as decimal
 * strings, which are accepted too. Missing or null gives @fallback. */
static gboolean
get_int (JsonObject  *object,
         const char  *member,
         gboolean     required,
         gint64       fallback,
         const char  *what,
         gint64      *out,
         GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        return protocol_error (error, what, member, N_("is missing"));
      *out = fallback;
      return TRUE;
    }

  if (is_scalar_of (node, G_TYPE_INT64))
    {
      *out = json_node_get_int (node);
      return TRUE;
    }

  if (is_scalar_of (node, G_TYPE_STRING)
      && g_ascii_string_to_signed (json_node_get_string (node), 10,
                                   G_MININT64, G_MAXINT64, out, NULL))
    return TRUE;

  return protocol_error (error, what, member, N_("is not an integer"));
}

static gboolean
get_port (JsonObject  *object,
          const char  *member,
          gboolean     required,
          const char  *what,
          guint16     *out,
          GError     **error)
{
  gint64 value = 0;

  if (!get_int (object, member, required, 0, what, &value, error))
    return FALSE;
  if (value < 0 || value > G_MAXUINT16 || (required && value == 0))
    return protocol_error (error, what, member, N_("is not a port number"));

  *out = (guint16) value;
  return TRUE;
}

/* true/false, or 0/1 as PHP stores it (number or string). */
static gboolean
get_bool (JsonObject  *object,
          const char  *member,
          const char  *what,
          gboolean    *out,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  gint64 value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out = FALSE;
      return TRUE;
    }
  if (is_scalar_of (node, G_TYPE_BOOLEAN))
    {
      *out = json_node_get_boolean (node);
      return TRUE;
    }
  if (get_int (object, member, TRUE, 0, what, &value, NULL) && (value == 0 || value == 1))
    {
      *out = value == 1;
      return TRUE;
    }
  return protocol_error (error, what, member, N_("is not a boolean"));
}

JsonNode *
umt_meeting_parse_json (const char  *data,
                        gsize        length,
                        GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;

  if (length > G_MAXSSIZE
      || !json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL,
                   _("The Meeting server sent an answer that is not valid JSON (%s). "
                      "Check the server URL; a proxy or captive portal may be in the way."),
                   local_error != NULL ? local_error->message : _("too long"));
      return NULL;
    }

  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL,
                           _("The Meeting server sent an empty answer. Check the server URL."));
      return NULL;
    }

  return json_parser_steal_root (parser);
}

gboolean
umt_meeting_check_ok (JsonNode  *node,
                      GError   **error)
{
  const char *what = N_("answer");
  JsonObject *object = expect_object (node, what, error);
  const char *flags[] = { "ok", "success" };

  if (object == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    {
      JsonNode *member = json_object_get_member (object, flags[i]);
      gboolean value;

      if (member == NULL)
        continue;
      if (!get_bool (object, flags[i], what, &value, error))
        return FALSE;
      if (!value)
        {
          const char *said = peek_string (object, "message");
          if (said == NULL)
            said = peek_string (object, "error");
          g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL,
                       _("The Meeting server did not accept the request: %s"),
                       said != NULL ? said : _("it gave no reason."));
          return FALSE;
        }
      return TRUE;
    }

  return protocol_error (error, what, "ok", N_("is missing"));
}

UmtMeetingApiInfo *
umt_meeting_api_info_from_json (JsonNode  *node,
                                GError   **error)
{
  g_autoptr(UmtMeetingApiInfo) self = g_rc_box_new0 (UmtMeetingApiInfo);
  const char *what = N_("API status");
  JsonObject *object = expect_object (node, what, error);

  if (object == NULL
      || !get_string (object, "status", TRUE, what, &self->status, error)
      || !get_string (object, "version", TRUE, what, &self->version, error))
    return NULL;

  return g_steal_pointer (&self);
}

UmtMeetingRegistration *
umt_meeting_registration_from_json (JsonNode  *node,
                                    GError   **error)
{
  g_autoptr(UmtMeetingRegistration) self = g_rc_box_new0 (UmtMeetingRegistration);
  const char *what = N_("registration answer");
  JsonObject *object = expect_object (node, what, error);

  if (object == NULL
      || !umt_meeting_check_ok (node, error)
      || !get_string (object, "message", FALSE, what, &self->message, error))
    return NULL;

  return g_steal_pointer (&self);
}

UmtMeetingHeartbeat *
umt_meeting_heartbeat_from_json (JsonNode  *node,
                                 GError   **error)
{
  g_autoptr(UmtMeetingHeartbeat) self = g_rc_box_new0 (UmtMeetingHeartbeat);
  const char *what = N_("heartbeat answer");
  JsonObject *object = expect_object (node, what, error);

  if (object == NULL
      || !umt_meeting_check_ok (node, error)
      || !get_string (object, "ip_address", FALSE, what, &self->ip_address, error)
      || !get_string (object, "last_seen", FALSE, what, &self->last_seen, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* "services" is a list of names, or an object of name → enabled flag. */
static gboolean
get_services (JsonObject   *object,
              char       ***out,
              GError      **error)
{
  JsonNode *node = json_object_get_member (object, "services");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!is_scalar_of (element, G_TYPE_STRING))
            return protocol_error (error, N_("device record"), "services", N_("holds a non-string"));
          g_strv_builder_add (builder, json_node_get_string (element));
        }
    }
  else if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *services = json_node_get_object (node);
      g_autoptr(GList) names = json_object_get_members (services);

      for (const GList *l = names; l != NULL; l = l->next)
        {
          gboolean enabled;

          if (!get_bool (services, l->data, N_("device record"), &enabled, error))
            return FALSE;
          if (enabled)
            g_strv_builder_add (builder, l->data);
        }
    }
  else if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    return protocol_error (error, N_("device record"), "services",
                           N_("is neither a list nor an object"));

  *out = g_strv_builder_end (builder);
  return TRUE;
}

UmtMeetingDevice *
umt_meeting_device_from_json (JsonNode  *node,
                              GError   **error)
{
  g_autoptr(UmtMeetingDevice) self = g_rc_box_new0 (UmtMeetingDevice);
  const char *what = N_("device record");
  JsonObject *object = expect_object (node, what, error);

  if (object == NULL
      || !get_string (object, "device_key", TRUE, what, &self->device_key, error)
      || !get_bool (object, "authorized", what, &self->authorized, error)
      || !get_int (object, "token_count", FALSE, -1, what, &self->token_count, error)
      || !get_string (object, "device_type", FALSE, what, &self->device_type, error)
      || !get_string (object, "distribution", FALSE, what, &self->distribution, error)
      || !get_string (object, "last_seen", FALSE, what, &self->last_seen, error)
      || !get_services (object, &self->services, error))
    return NULL;

  return g_steal_pointer (&self);
}

UmtMeetingAvailability *
umt_meeting_availability_from_json (JsonNode  *node,
                                    GError   **error)
{
  g_autoptr(UmtMeetingAvailability) self = g_rc_box_new0 (UmtMeetingAvailability);
  const char *what = N_("availability");
  JsonObject *object = expect_object (node, what, error);
  g_autofree char *status = NULL;
  JsonNode *uptime;

  if (object == NULL
      || !get_string (object, "status", TRUE, what, &status, error)
      || !get_string (object, "last_heartbeat", FALSE, what, &self->last_heartbeat, error)
      || !get_string (object, "since", FALSE, what, &self->since, error))
    return NULL;

  if (g_str_equal (status, "Available"))
    self->status = UMT_MEETING_AVAILABILITY_AVAILABLE;
  else if (g_str_equal (status, "Disconnected"))
    self->status = UMT_MEETING_AVAILABILITY_DISCONNECTED;
  else if (g_str_equal (status, "Unknown"))
    self->status = UMT_MEETING_AVAILABILITY_UNKNOWN;
  else
    {
      protocol_error (error, what, "status", N_("is not Available, Disconnected or Unknown"));
      return NULL;
    }

  uptime = json_object_get_member (object, "uptime");
  if (uptime == NULL || JSON_NODE_HOLDS_NULL (uptime))
    self->uptime = NULL;
  else if (is_scalar_of (uptime, G_TYPE_STRING))
    self->uptime = printable_copy (json_node_get_string (uptime));
  else if (is_scalar_of (uptime, G_TYPE_INT64))
    self->uptime = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (uptime));
  else
    {
      protocol_error (error, what, "uptime", N_("is neither text nor a number"));
      return NULL;
    }

  return g_steal_pointer (&self);
}

UmtMeetingLastSeen *
umt_meeting_last_seen_from_json (JsonNode  *node,
                                 GError   **error)
{
  g_autoptr(UmtMeetingLastSeen) self = g_rc_box_new0 (UmtMeetingLastSeen);
  const char *what = N_("last-seen answer");
  JsonObject *object = expect_object (node, what, error);

  if (object == NULL
      || !get_string (object, "device_key", TRUE, what, &self->device_key, error)
      || !get_string (object, "last_seen", FALSE, what, &self->last_seen, error))
    return NULL;

  return g_steal_pointer (&self);
}

UmtMeetingTunnel *
umt_meeting_tunnel_from_json (JsonNode  *node,
                              GError   **error)
{
  g_autoptr(UmtMeetingTunnel) self = g_rc_box_new0 (UmtMeetingTunnel);
  const char *what = N_("tunnel");
  JsonObject *object = expect_object (node, what, error);

  if (object == NULL
      || !get_string (object, "device_key", TRUE, what, &self->device_key, error)
      || !get_string (object, "service", TRUE, what, &self->service, error)
      || !get_port (object, "port", TRUE, what, &self->port, error)
      || !get_port (object, "local_port", FALSE, what, &self->local_port, error)
      || !get_string (object, "expires_at", FALSE, what, &self->expires_at, error))
    return NULL;

  return g_steal_pointer (&self);
}

GPtrArray *
umt_meeting_tunnels_from_json (JsonNode  *node,
                               GError   **error)
{
  g_autoptr(GPtrArray) tunnels = g_ptr_array_new_with_free_func ((GDestroyNotify) umt_meeting_tunnel_unref);
  const char *what = N_("tunnel list");
  JsonObject *object = expect_object (node, what, error);
  JsonNode *list;
  JsonArray *array;

  if (object == NULL)
    return NULL;

  list = json_object_get_member (object, "tunnels");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      protocol_error (error, what, "tunnels", N_("is not a list"));
      return NULL;
    }

  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      UmtMeetingTunnel *tunnel = umt_meeting_tunnel_from_json (json_array_get_element (array, i), error);

      if (tunnel == NULL)
        return NULL;
      g_ptr_array_add (tunnels, tunnel);
    }

  return g_steal_pointer (&tunnels);
}

UmtMeetingGeneratedKey *
umt_meeting_generated_key_from_json (JsonNode  *node,
                                     GError   **error)
{
  g_autoptr(UmtMeetingGeneratedKey) self = g_rc_box_new0 (UmtMeetingGeneratedKey);
  const char *what = N_("generated key");
  JsonObject *object = expect_object (node, what, error);

  /* The server spells it "devicekey" here, unlike everywhere else. */
  if (object == NULL
      || !get_string (object, "devicekey", TRUE, what, &self->device_key, error)
      || !get_string (object, "token_code", TRUE, what, &self->token_code, error))
    return NULL;

  return g_steal_pointer (&self);
}

UmtMeetingServiceGrant *
umt_meeting_service_grant_from_json (JsonNode  *node,
                                     GError   **error)
{
  g_autoptr(UmtMeetingServiceGrant) self = g_rc_box_new0 (UmtMeetingServiceGrant);
  const char *what = N_("tunnel reservation");
  JsonObject *object = expect_object (node, what, error);

  if (object == NULL
      || !get_port (object, "port", TRUE, what, &self->port, error)
      || !get_string (object, "url", FALSE, what, &self->url, error)
      || !get_string (object, "expires_at", FALSE, what, &self->expires_at, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* Text answers must be UTF-8 without NULs: they end up in files that ssh reads. */
static char *
checked_text (const char  *data,
              gsize        length,
              const char  *what,
              GError     **error)
{
  g_autofree char *text = NULL;

  if (memchr (data, '\0', length) != NULL || !g_utf8_validate_len (data, length, NULL))
    {
      /* Translators: %s is “a public key” or “host keys”. */
      g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL,
                   _("The Meeting server sent %s that is not text. Check the server URL."),
                   _(what));
      return NULL;
    }

  text = g_strndup (data, length);
  return g_strchomp (g_steal_pointer (&text));
}

static gboolean
looks_like_key_type (const char *word)
{
  return g_str_has_prefix (word, "ssh-") || g_str_has_prefix (word, "ecdsa-")
         || g_str_has_prefix (word, "sk-");
}

char *
umt_meeting_pubkey_from_text (const char  *data,
                              gsize        length,
                              GError     **error)
{
  g_autofree char *text = checked_text (data, length, N_("a public key"), error);
  g_auto(GStrv) words = NULL;

  if (text == NULL)
    return NULL;

  /* The forcecommand route answers {"status":"not_found"} instead of a key. */
  if (text[0] == '{')
    {
      g_autoptr(JsonNode) node = umt_meeting_parse_json (text, strlen (text), NULL);
      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node)
          && g_strcmp0 (peek_string (json_node_get_object (node), "status"), "not_found") == 0)
        {
          g_set_error_literal (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_NOT_FOUND,
                               _("The Meeting server holds no SSH key for this device. "
                                  "Publish the device's key first."));
          return NULL;
        }
    }

  g_strstrip (text);
  words = g_strsplit_set (text, " \t", -1);
  if (strchr (text, '\n') != NULL || g_strv_length (words) < 2 || !looks_like_key_type (words[0]))
    {
      g_set_error_literal (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL,
                           _("The Meeting server sent something that is not an SSH public key. "
                              "Check the server URL."));
      return NULL;
    }

  return g_steal_pointer (&text);
}

char *
umt_meeting_hostkeys_from_text (const char  *data,
                                gsize        length,
                                GError     **error)
{
  g_autofree char *text = checked_text (data, length, N_("host keys"), error);
  g_auto(GStrv) lines = NULL;
  guint keys = 0;

  if (text == NULL)
    return NULL;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = NULL;
      guint n_words = 0;

      g_strstrip (lines[i]);
      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;

      words = g_strsplit_set (lines[i], " \t", -1);
      for (guint j = 0; words[j] != NULL; j++)
        n_words += words[j][0] != '\0';
      if (n_words < 3)
        {
          g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL,
                       _("The Meeting server sent a host key line that ssh-keyscan would not "
                          "write (line %u). Check the server URL."), i + 1);
          return NULL;
        }
      keys++;
    }

  if (keys == 0)
    {
      g_set_error_literal (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL,
                           _("The Meeting server sent no host keys. Ask your administrator "
                              "to check the server's SSH configuration."));
      return NULL;
    }

  return g_steal_pointer (&text);
}

const char *
umt_meeting_availability_status_to_string (UmtMeetingAvailabilityStatus status)
{
  switch (status)
    {
    case UMT_MEETING_AVAILABILITY_AVAILABLE:
      return "Available";
    case UMT_MEETING_AVAILABILITY_DISCONNECTED:
      return "Disconnected";
    case UMT_MEETING_AVAILABILITY_UNKNOWN:
    default:
      return "Unknown";
    }
}
