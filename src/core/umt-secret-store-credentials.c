/* umt-secret-store-credentials.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-secret-store"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "umt-config-error.h"
#include "umt-file-lock.h"
#include "umt-paths.h"
#include "umt-secret-store-credentials.h"

/* Where LoadCredentialEncrypted= looks first for a credential it is given
 * by name only. */
#define CREDSTORE_DIR     "/etc/credstore.encrypted"
#define CREDSTORE_ENV     "UMT_CREDSTORE_DIRECTORY"
/* A few tokens take a few hundred bytes: anything larger is not ours. */
#define CREDENTIAL_MAX_SIZE (64 * 1024)

static const char *
kind_name (UmtSecretKind kind)
{
  switch (kind)
    {
    case UMT_SECRET_PROFILE_TOKEN:
      return "profile-token";
    case UMT_SECRET_REGISTRATION_TOKEN:
      return "registration-token";
    case UMT_SECRET_TUNNEL_TOKEN:
    default:
      return "tunnel-token";
    }
}

static void
wipe_and_free (char *text)
{
  if (text != NULL)
    memset (text, 0, strlen (text));
  g_free (text);
}

char *
umt_secret_store_credentials_get_path (void)
{
  const char *dir = g_getenv (CREDSTORE_ENV);

  return g_build_filename (dir != NULL && *dir == '/' ? dir : CREDSTORE_DIR,
                           UMT_SECRET_STORE_CREDENTIAL_NAME, NULL);
}

/* Set by systemd for the service: the credential is there, decrypted. */
static const char *
get_service_credentials_dir (void)
{
  const char *dir = g_getenv ("CREDENTIALS_DIRECTORY");

  return dir != NULL && *dir == '/' ? dir : NULL;
}

static char *
find_systemd_creds (GError **error)
{
  char *program = g_find_program_in_path ("systemd-creds");

  if (program == NULL)
    g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_NO_KEYRING,
                         _("systemd-creds is not installed, and the system service keeps its "
                           "tokens only in encrypted systemd credentials; install systemd 250 or "
                           "later (the “systemd” package) and try again."));
  return program;
}

gboolean
umt_secret_store_credentials_check_writable (GError **error)
{
  g_autofree char *program = NULL;

  if (get_service_credentials_dir () != NULL)
    {
      g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_NO_KEYRING,
                           _("The system service cannot change its own credential; provision the "
                             "device as root with “umt --system register”."));
      return FALSE;
    }
  if (geteuid () != 0)
    {
      g_set_error_literal (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_NO_KEYRING,
                           _("Only root can change the system service's tokens; run the command "
                             "again with sudo."));
      return FALSE;
    }
  program = find_systemd_creds (error);
  return program != NULL;
}

/* The last line systemd-creds wrote on stderr says why it failed; the ones
 * before are warnings. Without its full stop, to be quoted in a sentence. */
static char *
last_line (GBytes *bytes)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_auto(GStrv) lines = g_strsplit (g_strstrip (text), "\n", -1);
  guint n_lines = g_strv_length (lines);
  char *line = g_strdup (n_lines > 0 ? lines[n_lines - 1] : "");
  gsize length = strlen (g_strstrip (line));

  if (length > 0 && line[length - 1] == '.')
    line[length - 1] = '\0';
  return line;
}

/* Runs systemd-creds with @input on its stdin and returns its stdout, which
 * may hold secrets: the caller wipes it. */
static char *
run_systemd_creds (const char    *verb,
                   const char    *path,
                   const char    *input,
                   gsize         *length,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autofree char *program = find_systemd_creds (error);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) stdin_bytes = NULL;
  g_autoptr(GBytes) stdout_bytes = NULL;
  g_autoptr(GBytes) stderr_bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reason = NULL;
  const char *name_option = "--name=" UMT_SECRET_STORE_CREDENTIAL_NAME;
  char *output;

  if (program == NULL)
    return NULL;

  /* Secrets travel through the pipes only, never in argv. */
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_PIPE, &local_error,
                              program, verb, name_option, path != NULL ? path : "-", "-", NULL);
  if (process != NULL)
    {
      stdin_bytes = g_bytes_new_static (input != NULL ? input : "",
                                        input != NULL ? strlen (input) : 0);
      g_subprocess_communicate (process, stdin_bytes, cancellable, &stdout_bytes, &stderr_bytes,
                                &local_error);
    }
  if (local_error != NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_KEYRING,
                     _("systemd-creds could not be run (%s)."), local_error->message);
      return NULL;
    }

  output = g_bytes_unref_to_data (g_steal_pointer (&stdout_bytes), length);
  if (g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0)
    return output;

  /* An empty output is NULL, which memset() must not be given. */
  if (output != NULL)
    memset (output, 0, *length);
  g_free (output);
  reason = last_line (stderr_bytes);
  if (g_str_equal (verb, "decrypt"))
    g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_KEYRING,
                 _("The credential %s cannot be decrypted on this computer (%s); remove it and "
                   "provision the device again with “umt --system register”."),
                 path, *reason != '\0' ? reason : _("no reason given"));
  else
    g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_KEYRING,
                 _("systemd-creds could not encrypt the system service's tokens (%s)."),
                 *reason != '\0' ? reason : _("no reason given"));
  return NULL;
}

static gboolean
is_string_member (JsonObject *object,
                  const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
is_token_array (JsonNode *node)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *entry;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return FALSE;
      entry = json_node_get_object (element);
      if (!is_string_member (entry, "kind") || !is_string_member (entry, "id") ||
          !is_string_member (entry, "secret") ||
          (json_object_has_member (entry, "server") && !is_string_member (entry, "server")))
        return FALSE;
    }
  return TRUE;
}

/* The credential holds {"tokens": [{"kind", "id", "server"?, "secret"}, …]}:
 * one entry per secret, as the keyring would keep them. */
static JsonArray *
parse_tokens (const char  *data,
              gsize        length,
              const char  *where,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *tokens = NULL;

  if (length <= CREDENTIAL_MAX_SIZE && json_parser_load_from_data (parser, data, length, NULL))
    {
      JsonNode *root = json_parser_get_root (parser);
      JsonNode *member = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
                         ? json_object_get_member (json_node_get_object (root), "tokens") : NULL;

      if (member != NULL && is_token_array (member))
        tokens = json_array_ref (json_node_get_array (member));
    }
  if (tokens == NULL)
    g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_KEYRING,
                 _("The credential %s does not hold the system service's tokens; remove it and "
                   "provision the device again with “umt --system register”."), where);
  return tokens;
}

static JsonArray *
load_tokens (GCancellable  *cancellable,
             GError       **error)
{
  const char *service_dir = get_service_credentials_dir ();
  g_autofree char *store_path = umt_secret_store_credentials_get_path ();
  g_autoptr(GError) local_error = NULL;
  char *data = NULL;
  gsize length = 0;
  JsonArray *tokens;

  if (service_dir != NULL)
    {
      g_autofree char *path = g_build_filename (service_dir, UMT_SECRET_STORE_CREDENTIAL_NAME,
                                                NULL);

      if (!g_file_get_contents (path, &data, &length, &local_error))
        {
          /* The service was given no tokens: nothing is stored. */
          if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return json_array_new ();
          g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_KEYRING,
                       _("The credential %s cannot be read (%s)."), path, local_error->message);
          return NULL;
        }
    }
  else
    {
      if (!g_file_test (store_path, G_FILE_TEST_EXISTS))
        return json_array_new ();
      data = run_systemd_creds ("decrypt", store_path, NULL, &length, cancellable, error);
      if (data == NULL)
        return NULL;
    }

  /* Named by root's encrypted copy, the one to replace, even when the
   * service found its decrypted copy wanting. */
  tokens = parse_tokens (data, length, store_path, error);
  memset (data, 0, length);
  g_free (data);
  return tokens;
}

/* Entries were checked when the credential was parsed. */
static gboolean
entry_matches (JsonObject    *entry,
               UmtSecretKind  kind,
               const char    *id,
               const char    *server)
{
  return g_str_equal (json_object_get_string_member (entry, "kind"), kind_name (kind)) &&
         g_str_equal (json_object_get_string_member (entry, "id"), id) &&
         (kind != UMT_SECRET_PROFILE_TOKEN ||
          g_strcmp0 (json_object_get_string_member_with_default (entry, "server", NULL),
                     server) == 0);
}

/* The entry's index, or -1. */
static int
find_entry (JsonArray     *tokens,
            UmtSecretKind  kind,
            const char    *id,
            const char    *server)
{
  for (guint i = 0; i < json_array_get_length (tokens); i++)
    {
      if (entry_matches (json_array_get_object_element (tokens, i), kind, id, server))
        return (int) i;
    }
  return -1;
}

static gboolean
save_tokens (JsonArray     *tokens,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *path = umt_secret_store_credentials_get_path ();
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *encrypted = NULL;
  char *text;
  gsize length = 0;

  /* The last token gone, so is the credential. */
  if (json_array_get_length (tokens) == 0)
    {
      if (unlink (path) != 0 && errno != ENOENT)
        {
          int saved = errno;
          g_set_error (error, UMT_CONFIG_ERROR, UMT_CONFIG_ERROR_IO,
                       _("Could not remove %s: %s."), path, g_strerror (saved));
          return FALSE;
        }
      return TRUE;
    }

  object = json_object_new ();
  json_object_set_array_member (object, "tokens", json_array_ref (tokens));
  root = json_node_init_object (json_node_alloc (), object);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  encrypted = run_systemd_creds ("encrypt", NULL, text, &length, cancellable, error);
  wipe_and_free (text);

  return encrypted != NULL && umt_paths_write_atomic (path, encrypted, length, error);
}

/* Read, change, write back, with the credential's lock held so that two
 * provisioning runs cannot lose each other's token. @secret NULL removes. */
static gboolean
update_tokens (UmtSecretKind   kind,
               const char     *id,
               const char     *server,
               const char     *secret,
               GCancellable   *cancellable,
               GError        **error)
{
  g_autofree char *path = umt_secret_store_credentials_get_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(UmtFileLock) lock = NULL;
  g_autoptr(JsonArray) tokens = NULL;
  JsonObject *entry;
  int index;

  if (!umt_secret_store_credentials_check_writable (error) ||
      !umt_paths_ensure_private_dir (dir, error) ||
      (lock = umt_file_lock_acquire (path, error)) == NULL ||
      (tokens = load_tokens (cancellable, error)) == NULL)
    return FALSE;

  index = find_entry (tokens, kind, id, server);
  if (index >= 0)
    {
      entry = json_array_get_object_element (tokens, index);
      /* Provisioning scripts store the same token every run: nothing to write. */
      if (secret != NULL && g_str_equal (json_object_get_string_member (entry, "secret"), secret))
        return TRUE;
      json_array_remove_element (tokens, index);
    }
  else if (secret == NULL)
    return TRUE;

  if (secret != NULL)
    {
      entry = json_object_new ();
      json_object_set_string_member (entry, "kind", kind_name (kind));
      json_object_set_string_member (entry, "id", id);
      if (kind == UMT_SECRET_PROFILE_TOKEN)
        json_object_set_string_member (entry, "server", server);
      json_object_set_string_member (entry, "secret", secret);
      json_array_add_object_element (tokens, entry);
    }
  return save_tokens (tokens, cancellable, error);
}

gboolean
umt_secret_store_credentials_store_sync (UmtSecretKind   kind,
                                         const char     *id,
                                         const char     *server,
                                         const char     *secret,
                                         GCancellable   *cancellable,
                                         GError        **error)
{
  g_return_val_if_fail (secret != NULL, FALSE);

  return update_tokens (kind, id, server, secret, cancellable, error);
}

char *
umt_secret_store_credentials_lookup_sync (UmtSecretKind   kind,
                                          const char     *id,
                                          const char     *server,
                                          GCancellable   *cancellable,
                                          GError        **error)
{
  g_autoptr(JsonArray) tokens = load_tokens (cancellable, error);
  JsonObject *entry;
  int index;

  if (tokens == NULL)
    return NULL;
  index = find_entry (tokens, kind, id, server);
  if (index < 0)
    return NULL;
  entry = json_array_get_object_element (tokens, index);
  return g_strdup (json_object_get_string_member (entry, "secret"));
}

gboolean
umt_secret_store_credentials_clear_sync (UmtSecretKind   kind,
                                         const char     *id,
                                         const char     *server,
                                         GCancellable   *cancellable,
                                         GError        **error)
{
  g_autofree char *path = umt_secret_store_credentials_get_path ();

  /* Nothing stored is nothing to clear, whoever asks. */
  if (get_service_credentials_dir () == NULL && !g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  return update_tokens (kind, id, server, NULL, cancellable, error);
}

typedef struct
{
  UmtSecretKind  kind;
  char          *id;
  char          *server;
  char          *secret;
} Request;

static void
request_free (gpointer data)
{
  Request *request = data;

  g_free (request->id);
  g_free (request->server);
  wipe_and_free (request->secret);
  g_free (request);
}

static void
run_request (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Request *request = task_data;
  gpointer source_tag = g_task_get_source_tag (task);
  GError *error = NULL;

  if (source_tag == umt_secret_store_lookup_async)
    {
      char *secret = umt_secret_store_credentials_lookup_sync (request->kind, request->id,
                                                               request->server, cancellable,
                                                               &error);
      if (error != NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, secret, (GDestroyNotify) wipe_and_free);
      return;
    }

  if (source_tag == umt_secret_store_store_async
      ? umt_secret_store_credentials_store_sync (request->kind, request->id, request->server,
                                                 request->secret, cancellable, &error)
      : umt_secret_store_credentials_clear_sync (request->kind, request->id, request->server,
                                                 cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
umt_secret_store_credentials_run_task (GTask         *task,
                                       UmtSecretKind  kind,
                                       const char    *id,
                                       const char    *server,
                                       const char    *secret)
{
  Request *request = g_new0 (Request, 1);

  request->kind = kind;
  request->id = g_strdup (id);
  request->server = g_strdup (server);
  request->secret = g_strdup (secret);
  g_task_set_task_data (task, request, request_free);
  g_task_run_in_thread (task, run_request);
}
