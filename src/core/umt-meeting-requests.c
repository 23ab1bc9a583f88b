/* umt-meeting-requests.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-meeting-requests"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "umt-meeting-call.h"
#include "umt-meeting-types.h"

/* Device information goes out as given (the caller validated it); a copy,
 * because the call may run in another thread. */
static JsonObject *
copy_fields (JsonObject *fields)
{
  JsonObject *copy = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (fields == NULL)
    return copy;

  json_object_iter_init (&iter, fields);
  while (json_object_iter_next (&iter, &name, &value))
    json_object_set_member (copy, name, json_node_copy (value));

  return copy;
}

static gpointer
accept_object (JsonNode  *node,
               GError   **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_PROTOCOL,
                           _("The Meeting server sent an unexpected answer: it is not a JSON "
                              "object. Check the server URL."));
      return NULL;
    }
  return GINT_TO_POINTER (TRUE);
}

UmtMeetingRequest *
umt_meeting_request_get_api_info (void)
{
  UmtMeetingRequest *call = umt_call_new ("GET", g_strdup ("/api"), UMT_MEETING_REQUEST_PLAIN);

  call->from_json = (UmtCallFromJson) umt_meeting_api_info_from_json;
  call->free_result = (GDestroyNotify) umt_meeting_api_info_unref;
  return call;
}

UmtMeetingRequest *
umt_meeting_request_register (const char *device_key,
                              const char *token_code,
                              JsonObject *fields)
{
  g_autoptr(JsonObject) body = copy_fields (fields);
  UmtMeetingRequest *call;

  g_return_val_if_fail (device_key != NULL, NULL);
  g_return_val_if_fail (token_code != NULL, NULL);

  call = umt_call_new ("POST",
                       umt_call_device_path ("/api/devices/", device_key, "/register"),
                       UMT_MEETING_REQUEST_DEVICE | UMT_MEETING_REQUEST_REGISTER);
  /* Never repeated: a register that reached the server burned the token. */
  call->retry_safe = FALSE;
  call->is_register = TRUE;
  call->device_key = g_strdup (device_key);
  call->token_code = g_ascii_strup (token_code, -1);
  if (fields != NULL && json_object_has_member (fields, "note")
      && JSON_NODE_HOLDS_VALUE (json_object_get_member (fields, "note"))
      && json_node_get_value_type (json_object_get_member (fields, "note")) == G_TYPE_STRING)
    call->note = g_strdup (json_object_get_string_member (fields, "note"));
  json_object_set_string_member (body, "token_code", call->token_code);
  umt_call_set_body (call, body);
  call->from_json = (UmtCallFromJson) umt_meeting_registration_from_json;
  call->free_result = (GDestroyNotify) umt_meeting_registration_unref;
  return call;
}

UmtMeetingRequest *
umt_meeting_request_online (const char *device_key,
                            JsonObject *fields)
{
  g_autoptr(JsonObject) body = copy_fields (fields);
  UmtMeetingRequest *call;

  g_return_val_if_fail (device_key != NULL, NULL);

  call = umt_call_new ("POST",
                       umt_call_device_path ("/api/devices/", device_key, "/online"),
                       UMT_MEETING_REQUEST_DEVICE);
  /* A heartbeat only says "still here": sending it twice is harmless. */
  call->retry_safe = TRUE;
  umt_call_set_body (call, body);
  call->from_json = (UmtCallFromJson) umt_meeting_heartbeat_from_json;
  call->free_result = (GDestroyNotify) umt_meeting_heartbeat_unref;
  return call;
}

UmtMeetingRequest *
umt_meeting_request_get_device (const char *device_key)
{
  UmtMeetingRequest *call;

  g_return_val_if_fail (device_key != NULL, NULL);

  call = umt_call_new ("GET", umt_call_device_path ("/api/devices/", device_key, ""),
                       UMT_MEETING_REQUEST_DEVICE);
  call->from_json = (UmtCallFromJson) umt_meeting_device_from_json;
  call->free_result = (GDestroyNotify) umt_meeting_device_unref;
  return call;
}

UmtMeetingRequest *
umt_meeting_request_get_availability (const char *device_key)
{
  UmtMeetingRequest *call;

  g_return_val_if_fail (device_key != NULL, NULL);

  call = umt_call_new ("GET",
                       umt_call_device_path ("/api/devices/", device_key, "/availability"),
                       UMT_MEETING_REQUEST_DEVICE);
  call->from_json = (UmtCallFromJson) umt_meeting_availability_from_json;
  call->free_result = (GDestroyNotify) umt_meeting_availability_unref;
  return call;
}

UmtMeetingRequest *
umt_meeting_request_get_last_seen (const char *device_key)
{
  UmtMeetingRequest *call;

  g_return_val_if_fail (device_key != NULL, NULL);

  call = umt_call_new ("GET",
                       umt_call_device_path ("/api/status/", device_key, "/last-seen"),
                       UMT_MEETING_REQUEST_DEVICE);
  call->from_json = (UmtCallFromJson) umt_meeting_last_seen_from_json;
  call->free_result = (GDestroyNotify) umt_meeting_last_seen_unref;
  return call;
}

UmtMeetingRequest *
umt_meeting_request_put_ssh_key (const char *device_key,
                                 const char *pubkey,
                                 const char *ssh_user)
{
  g_autoptr(JsonObject) body = json_object_new ();
  UmtMeetingRequest *call;

  g_return_val_if_fail (device_key != NULL, NULL);
  g_return_val_if_fail (pubkey != NULL, NULL);

  call = umt_call_new ("PUT",
                       umt_call_device_path ("/api/devices/", device_key, "/ssh-key"),
                       UMT_MEETING_REQUEST_DEVICE);
  json_object_set_string_member (body, "pubkey", pubkey);
  if (ssh_user != NULL)
    json_object_set_string_member (body, "ssh_user", ssh_user);
  umt_call_set_body (call, body);
  return call;
}

UmtMeetingRequest *
umt_meeting_request_get_device_pubkey (const char *device_key)
{
  UmtMeetingRequest *call;

  g_return_val_if_fail (device_key != NULL, NULL);

  call = umt_call_new ("GET",
                       umt_call_device_path ("/api/forcecommand/get_device_key?device_key=",
                                             device_key, ""),
                       UMT_MEETING_REQUEST_DEVICE);
  call->from_text = (UmtCallFromText) umt_meeting_pubkey_from_text;
  call->free_result = g_free;
  return call;
}

UmtMeetingRequest *
umt_meeting_request_get_ssh_hostkeys (void)
{
  UmtMeetingRequest *call = umt_call_new ("GET", g_strdup ("/api/ssh-hostkey"), UMT_MEETING_REQUEST_PLAIN);

  call->from_text = (UmtCallFromText) umt_meeting_hostkeys_from_text;
  call->free_result = g_free;
  return call;
}

UmtMeetingRequest *
umt_meeting_request_list_tunnels (void)
{
  UmtMeetingRequest *call = umt_call_new ("GET", g_strdup ("/api/tunnels"), UMT_MEETING_REQUEST_PLAIN);

  call->from_json = (UmtCallFromJson) umt_meeting_tunnels_from_json;
  call->free_result = (GDestroyNotify) g_ptr_array_unref;
  return call;
}

UmtMeetingRequest *
umt_meeting_request_post_tunnel_status (const char *device_key,
                                        const char *service,
                                        guint16     port,
                                        const char *url,
                                        gboolean    upnp,
                                        const char *error_text)
{
  g_autoptr(JsonObject) body = json_object_new ();
  UmtMeetingRequest *call;

  g_return_val_if_fail (device_key != NULL, NULL);
  g_return_val_if_fail (service != NULL, NULL);

  call = umt_call_new ("POST",
                       umt_call_device_path ("/api/devices/", device_key, "/tunnel-status"),
                       UMT_MEETING_REQUEST_DEVICE);
  json_object_set_string_member (body, "service", service);
  json_object_set_int_member (body, "port", port);
  if (url != NULL)
    json_object_set_string_member (body, "url", url);
  else
    json_object_set_null_member (body, "url");
  json_object_set_boolean_member (body, "upnp", upnp);
  if (error_text != NULL)
    json_object_set_string_member (body, "error", error_text);
  else
    json_object_set_null_member (body, "error");
  umt_call_set_body (call, body);
  return call;
}

UmtMeetingRequest *
umt_meeting_request_generate_key (void)
{
  UmtMeetingRequest *call = umt_call_new ("GET", g_strdup ("/api/devices/generate-key"),
                                UMT_MEETING_REQUEST_PLAIN);

  call->from_json = (UmtCallFromJson) umt_meeting_generated_key_from_json;
  call->free_result = (GDestroyNotify) umt_meeting_generated_key_unref;
  return call;
}

UmtMeetingRequest *
umt_meeting_request_manual_create (const char *device_key,
                                   const char *token_code,
                                   const char *device_type,
                                   const char *distribution)
{
  g_autoptr(JsonObject) body = json_object_new ();
  UmtMeetingRequest *call;

  g_return_val_if_fail (device_key != NULL, NULL);
  g_return_val_if_fail (token_code != NULL, NULL);

  call = umt_call_new ("POST", g_strdup ("/api/devices/manual-create"),
                       UMT_MEETING_REQUEST_PLAIN);
  json_object_set_string_member (body, "devicekey", device_key);
  json_object_set_string_member (body, "token_code", token_code);
  if (device_type != NULL)
    json_object_set_string_member (body, "device_type", device_type);
  if (distribution != NULL)
    json_object_set_string_member (body, "distribution", distribution);
  umt_call_set_body (call, body);
  /* The answer echoes the record, without an "ok" member. */
  call->from_json = accept_object;
  return call;
}

UmtMeetingRequest *
umt_meeting_request_authorize (const char *device_key,
                               gboolean    authorized)
{
  g_autoptr(JsonObject) body = json_object_new ();
  UmtMeetingRequest *call;

  g_return_val_if_fail (device_key != NULL, NULL);

  call = umt_call_new ("PUT",
                       umt_call_device_path ("/api/devices/", device_key, "/authorize"),
                       UMT_MEETING_REQUEST_DEVICE);
  json_object_set_int_member (body, "authorized", authorized ? 1 : 0);
  umt_call_set_body (call, body);
  return call;
}

UmtMeetingRequest *
umt_meeting_request_request_service (const char *device_key,
                                     const char *service,
                                     guint16     port)
{
  g_autoptr(JsonObject) body = json_object_new ();
  UmtMeetingRequest *call;

  g_return_val_if_fail (device_key != NULL, NULL);
  g_return_val_if_fail (service != NULL, NULL);

  call = umt_call_new ("POST",
                       umt_call_device_path ("/api/devices/", device_key, "/service"),
                       UMT_MEETING_REQUEST_DEVICE);
  json_object_set_string_member (body, "service", service);
  if (port != 0)
    json_object_set_int_member (body, "port", port);
  umt_call_set_body (call, body);
  call->from_json = (UmtCallFromJson) umt_meeting_service_grant_from_json;
  call->free_result = (GDestroyNotify) umt_meeting_service_grant_unref;
  return call;
}
