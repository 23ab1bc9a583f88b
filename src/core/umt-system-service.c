/* umt-system-service.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-system-service"

#include "config.h"

#include <json-glib/json-glib.h>

#include "umt-paths.h"
#include "umt-system-service.h"
#include "umt-validate.h"

char *
umt_system_service_get_device_key (void)
{
  g_autofree char *dir = umt_paths_get_system_config_dir ();
  g_autofree char *path = g_build_filename (dir, "device_info.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonNode *member;
  const char *device_key;

  /* Absent, unreadable or not ours: the service owns nothing we can tell. */
  if (!json_parser_load_from_mapped_file (parser, path, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  member = json_object_get_member (json_node_get_object (root), "device_key");
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;
  device_key = json_node_get_string (member);
  return umt_validate_device_key (device_key, NULL) ? g_strdup (device_key) : NULL;
}
