/* umt-meeting-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-meeting-client"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "umt-meeting-call.h"
#include "umt-meeting-client.h"
#include "umt-posix.h"

struct _UmtMeetingClient
{
  GObject          parent_instance;

  /* Fixed after construction, so worker threads read it without locks.
   * base_url is NULL when the URL given was not usable. */
  UmtMeetingServer server;
};

G_DEFINE_FINAL_TYPE (UmtMeetingClient, umt_meeting_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_TIMEOUT,
  PROP_RETRIES,
  PROP_VERIFY_TLS,
  PROP_TOKEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- calls ---- */

/* Sends @request (taken) in the caller's thread. */
static gpointer
send_sync (UmtMeetingClient   *self,
           UmtMeetingRequest  *request,
           GCancellable       *cancellable,
           GError            **error)
{
  g_autoptr(UmtMeetingRequest) owned = request;

  g_return_val_if_fail (request != NULL, NULL);

  return umt_call_run (&self->server, owned, cancellable, error);
}

static void
send_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  UmtMeetingClient *self = source_object;
  UmtMeetingRequest *request = task_data;
  GError *error = NULL;
  gpointer answer;

  answer = umt_call_run (&self->server, request, cancellable, &error);
  if (answer == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, answer, request->free_result);
}

void
umt_meeting_client_send_async (UmtMeetingClient    *self,
                               UmtMeetingRequest   *request,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (UMT_IS_MEETING_CLIENT (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* The task holds a reference on the client, whose server settings the
   * worker thread reads. */
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, umt_meeting_client_send_async);
  g_task_set_task_data (task, request, (GDestroyNotify) umt_meeting_request_free);
  g_task_run_in_thread (task, send_thread);
}

gboolean
umt_meeting_client_send_finish (UmtMeetingClient  *self,
                                GAsyncResult      *result,
                                gpointer          *answer,
                                GError           **error)
{
  UmtMeetingRequest *request;
  gpointer value;

  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == umt_meeting_client_send_async,
                        FALSE);

  if (answer != NULL)
    *answer = NULL;
  request = g_task_get_task_data (G_TASK (result));
  value = g_task_propagate_pointer (G_TASK (result), error);
  if (value == NULL)
    return FALSE;

  /* A request without an answer returns a placeholder that owns nothing. */
  if (request->free_result == NULL)
    return TRUE;
  if (answer != NULL)
    *answer = value;
  else
    request->free_result (value);
  return TRUE;
}

UmtMeetingApiInfo *
umt_meeting_client_get_api_info_sync (UmtMeetingClient  *self,
                                      GCancellable      *cancellable,
                                      GError           **error)
{
  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (self), NULL);

  return send_sync (self, umt_meeting_request_get_api_info (), cancellable, error);
}

UmtMeetingRegistration *
umt_meeting_client_register_sync (UmtMeetingClient  *self,
                                  const char        *device_key,
                                  const char        *token_code,
                                  JsonObject        *fields,
                                  GCancellable      *cancellable,
                                  GError           **error)
{
  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (self), NULL);

  return send_sync (self, umt_meeting_request_register (device_key, token_code, fields),
                    cancellable, error);
}

UmtMeetingHeartbeat *
umt_meeting_client_online_sync (UmtMeetingClient  *self,
                                const char        *device_key,
                                JsonObject        *fields,
                                GCancellable      *cancellable,
                                GError           **error)
{
  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (self), NULL);

  return send_sync (self, umt_meeting_request_online (device_key, fields), cancellable, error);
}

UmtMeetingDevice *
umt_meeting_client_get_device_sync (UmtMeetingClient  *self,
                                    const char        *device_key,
                                    GCancellable      *cancellable,
                                    GError           **error)
{
  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (self), NULL);

  return send_sync (self, umt_meeting_request_get_device (device_key), cancellable, error);
}

UmtMeetingAvailability *
umt_meeting_client_get_availability_sync (UmtMeetingClient  *self,
                                          const char        *device_key,
                                          GCancellable      *cancellable,
                                          GError           **error)
{
  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (self), NULL);

  return send_sync (self, umt_meeting_request_get_availability (device_key), cancellable, error);
}

gboolean
umt_meeting_client_put_ssh_key_sync (UmtMeetingClient  *self,
                                     const char        *device_key,
                                     const char        *pubkey,
                                     const char        *ssh_user,
                                     GCancellable      *cancellable,
                                     GError           **error)
{
  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (self), FALSE);

  return send_sync (self, umt_meeting_request_put_ssh_key (device_key, pubkey, ssh_user),
                    cancellable, error) != NULL;
}

char *
umt_meeting_client_get_ssh_hostkeys_sync (UmtMeetingClient  *self,
                                          GCancellable      *cancellable,
                                          GError           **error)
{
  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (self), NULL);

  return send_sync (self, umt_meeting_request_get_ssh_hostkeys (), cancellable, error);
}

gboolean
umt_meeting_client_manual_create_sync (UmtMeetingClient  *self,
                                       const char        *device_key,
                                       const char        *token_code,
                                       const char        *device_type,
                                       const char        *distribution,
                                       GCancellable      *cancellable,
                                       GError           **error)
{
  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (self), FALSE);

  return send_sync (self,
                    umt_meeting_request_manual_create (device_key, token_code, device_type,
                                                       distribution),
                    cancellable, error) != NULL;
}

gboolean
umt_meeting_client_authorize_sync (UmtMeetingClient  *self,
                                   const char        *device_key,
                                   gboolean           authorized,
                                   GCancellable      *cancellable,
                                   GError           **error)
{
  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (self), FALSE);

  return send_sync (self, umt_meeting_request_authorize (device_key, authorized),
                    cancellable, error) != NULL;
}

UmtMeetingServiceGrant *
umt_meeting_client_request_service_sync (UmtMeetingClient  *self,
                                         const char        *device_key,
                                         const char        *service,
                                         guint16            port,
                                         GCancellable      *cancellable,
                                         GError           **error)
{
  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (self), NULL);

  return send_sync (self, umt_meeting_request_request_service (device_key, service, port),
                    cancellable, error);
}


/* ---- object ---- */

static void
umt_meeting_client_constructed (GObject *object)
{
  UmtMeetingClient *self = UMT_MEETING_CLIENT (object);
  g_autoptr(GUri) uri = NULL;

  G_OBJECT_CLASS (umt_meeting_client_parent_class)->constructed (object);

  self->server.session = soup_session_new_with_options ("timeout", self->server.timeout,
                                                 "user-agent", "updates-manager-tool/" PACKAGE_VERSION,
                                                 NULL);

  if (self->server.base_url != NULL)
    uri = g_uri_parse (self->server.base_url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL
      || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0
          && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0)
      || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0'
      || g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_clear_pointer (&self->server.base_url, g_free);
      self->server.host = g_strdup ("the server");
      return;
    }

  /* Paths are appended as "/api/…". */
  while (g_str_has_suffix (self->server.base_url, "/"))
    self->server.base_url[strlen (self->server.base_url) - 1] = '\0';

  if (g_uri_get_port (uri) > 0)
    self->server.host = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  else
    self->server.host = g_strdup (g_uri_get_host (uri));
}

static void
umt_meeting_client_finalize (GObject *object)
{
  UmtMeetingClient *self = UMT_MEETING_CLIENT (object);

  if (self->server.token != NULL)
    explicit_bzero (self->server.token, strlen (self->server.token));
  g_clear_pointer (&self->server.token, g_free);
  g_clear_pointer (&self->server.base_url, g_free);
  g_clear_pointer (&self->server.host, g_free);
  g_clear_object (&self->server.session);

  G_OBJECT_CLASS (umt_meeting_client_parent_class)->finalize (object);
}

static void
umt_meeting_client_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  UmtMeetingClient *self = UMT_MEETING_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->server.base_url);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->server.timeout);
      break;
    case PROP_RETRIES:
      g_value_set_uint (value, self->server.retries);
      break;
    case PROP_VERIFY_TLS:
      g_value_set_boolean (value, self->server.verify_tls);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
umt_meeting_client_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  UmtMeetingClient *self = UMT_MEETING_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      self->server.base_url = g_value_dup_string (value);
      break;
    case PROP_TIMEOUT:
      self->server.timeout = g_value_get_uint (value);
      break;
    case PROP_RETRIES:
      self->server.retries = g_value_get_uint (value);
      break;
    case PROP_VERIFY_TLS:
      self->server.verify_tls = g_value_get_boolean (value);
      break;
    case PROP_TOKEN:
      self->server.token = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
umt_meeting_client_class_init (UmtMeetingClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = umt_meeting_client_constructed;
  object_class->finalize = umt_meeting_client_finalize;
  object_class->get_property = umt_meeting_client_get_property;
  object_class->set_property = umt_meeting_client_set_property;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL, G_PARAM_READWRITE | flags);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 1, 600, UMT_MEETING_CLIENT_DEFAULT_TIMEOUT,
                       G_PARAM_READWRITE | flags);
  properties[PROP_RETRIES] =
    g_param_spec_uint ("retries", NULL, NULL, 0, 10, UMT_MEETING_CLIENT_DEFAULT_RETRIES,
                       G_PARAM_READWRITE | flags);
  properties[PROP_VERIFY_TLS] =
    g_param_spec_boolean ("verify-tls", NULL, NULL, TRUE, G_PARAM_READWRITE | flags);
  /* Write-only: a secret has no business being read back. */
  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL, NULL, G_PARAM_WRITABLE | flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
umt_meeting_client_init (UmtMeetingClient *self)
{
}

UmtMeetingClient *
umt_meeting_client_new_full (const char *base_url,
                             guint       timeout_seconds,
                             guint       retries,
                             gboolean    verify_tls,
                             const char *token,
                             GError    **error)
{
  g_autoptr(UmtMeetingClient) self = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (UMT_TYPE_MEETING_CLIENT,
                       "base-url", base_url,
                       "timeout", CLAMP (timeout_seconds, 1, 600),
                       "retries", MIN (retries, 10),
                       "verify-tls", verify_tls,
                       "token", token,
                       NULL);

  if (self->server.base_url == NULL)
    {
      g_set_error (error, UMT_MEETING_ERROR, UMT_MEETING_ERROR_INVALID_URL,
                   _("“%s” is not a server URL. Enter an address such as "
                      "https://meeting.example.org."), base_url != NULL ? base_url : "");
      return NULL;
    }

  return g_steal_pointer (&self);
}

UmtMeetingClient *
umt_meeting_client_new (const char  *base_url,
                        GError     **error)
{
  return umt_meeting_client_new_full (base_url, UMT_MEETING_CLIENT_DEFAULT_TIMEOUT,
                                      UMT_MEETING_CLIENT_DEFAULT_RETRIES, TRUE, NULL, error);
}

const char *
umt_meeting_client_get_base_url (UmtMeetingClient *self)
{
  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (self), NULL);
  return self->server.base_url;
}

guint
umt_meeting_client_get_timeout (UmtMeetingClient *self)
{
  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (self), 0);
  return self->server.timeout;
}

guint
umt_meeting_client_get_retries (UmtMeetingClient *self)
{
  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (self), 0);
  return self->server.retries;
}

gboolean
umt_meeting_client_get_verify_tls (UmtMeetingClient *self)
{
  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (self), TRUE);
  return self->server.verify_tls;
}

gboolean
umt_meeting_client_has_token (UmtMeetingClient *self)
{
  g_return_val_if_fail (UMT_IS_MEETING_CLIENT (self), FALSE);
  return self->server.token != NULL && self->server.token[0] != '\0';
}
