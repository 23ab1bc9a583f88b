/* fuzz-meeting-types.c: every parser of the Meeting server's answers under libFuzzer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fuzz-meeting-types"

#include "config.h"

#include "fuzz-util.h"
#include "umt-meeting-types.h"

/* Whatever the server sends, each parser gives a value or an error, never
 * both and never neither. The same bytes go to the plain-text parsers and,
 * when they are JSON, to every JSON one. */

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

/* A critical or a warning is a bug found. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_abort_on_criticals ();
  return 0;
}

#define CHECK_PARSER(parse, free_value, input)                \
  G_STMT_START {                                              \
    GError *error_ = NULL;                                    \
    gpointer value_ = parse (input, &error_);                 \
                                                              \
    g_assert ((value_ == NULL) != (error_ == NULL));          \
    g_clear_pointer (&value_, free_value);                    \
    g_clear_error (&error_);                                  \
  } G_STMT_END

static char *
pubkey_from_bytes (GBytes  *bytes,
                   GError **error)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  return umt_meeting_pubkey_from_text (data, length, error);
}

static char *
hostkeys_from_bytes (GBytes  *bytes,
                     GError **error)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  return umt_meeting_hostkeys_from_text (data, length, error);
}

static gpointer
check_ok (JsonNode  *node,
          GError   **error)
{
  return umt_meeting_check_ok (node, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
forget (gpointer value)
{
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(JsonNode) node = NULL;

  CHECK_PARSER (pubkey_from_bytes, g_free, bytes);
  CHECK_PARSER (hostkeys_from_bytes, g_free, bytes);

  node = umt_meeting_parse_json ((const char *) data, size, NULL);
  if (node == NULL)
    return 0;

  CHECK_PARSER (umt_meeting_api_info_from_json, umt_meeting_api_info_unref, node);
  CHECK_PARSER (umt_meeting_registration_from_json, umt_meeting_registration_unref, node);
  CHECK_PARSER (umt_meeting_heartbeat_from_json, umt_meeting_heartbeat_unref, node);
  CHECK_PARSER (umt_meeting_device_from_json, umt_meeting_device_unref, node);
  CHECK_PARSER (umt_meeting_availability_from_json, umt_meeting_availability_unref, node);
  CHECK_PARSER (umt_meeting_last_seen_from_json, umt_meeting_last_seen_unref, node);
  CHECK_PARSER (umt_meeting_tunnel_from_json, umt_meeting_tunnel_unref, node);
  CHECK_PARSER (umt_meeting_generated_key_from_json, umt_meeting_generated_key_unref, node);
  CHECK_PARSER (umt_meeting_service_grant_from_json, umt_meeting_service_grant_unref, node);
  CHECK_PARSER (umt_meeting_tunnels_from_json, g_ptr_array_unref, node);
  CHECK_PARSER (check_ok, forget, node);
  return 0;
}
