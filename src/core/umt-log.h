/* umt-log.h: the application log, rotated and free of secrets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define UMT_LOG_MAX_SIZE  (1024 * 1024)
#define UMT_LOG_MAX_FILES 5

typedef enum
{
  UMT_LOG_FLAGS_NONE   = 0,
  UMT_LOG_FLAGS_DEBUG  = 1 << 0, /* also write DEBUG records to the file */
  UMT_LOG_FLAGS_STDERR = 1 << 1, /* also write every record to stderr */
  UMT_LOG_FLAGS_FILE_ONLY = 1 << 2, /* only warnings and worse (programmer
                                     * errors) also reach stderr: for commands
                                     * whose stderr is one sentence */
} UmtLogFlags;

/* Records a user would call warnings or errors (a failed heartbeat, a
 * heartbeat that gave up) but that are no programmer error: logged at
 * G_LOG_LEVEL_MESSAGE, so never fatal, and written to the file as WARNING or
 * ERROR. */
#define UMT_LOG_WARNING(...) \
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "UMT_SEVERITY", "WARNING", \
                    "MESSAGE", __VA_ARGS__)
#define UMT_LOG_ERROR(...) \
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "UMT_SEVERITY", "ERROR", \
                    "MESSAGE", __VA_ARGS__)

/* Installs the structured log writer of this process: records go to
 * @log_dir/app.log (created 0700, file 0600), rotated past
 * UMT_LOG_MAX_SIZE so that at most UMT_LOG_MAX_FILES files exist, and to the
 * default GLib writer (stderr, G_MESSAGES_DEBUG). Can be called once per
 * process, as g_log_set_writer_func(). */
void   umt_log_init        (const char  *log_dir,
                            UmtLogFlags  flags);

/* A value that must never reach the log (a token): from now on it is
 * replaced wherever it appears in a message. */
void   umt_log_add_secret  (const char  *secret);

/* @text with every known secret, Authorization header, bearer token and
 * token/token_code field value replaced by "[redacted]". */
char  *umt_log_redact      (const char  *text);

/* The path of the current log file, or NULL before umt_log_init(). */
const char *umt_log_get_path (void);

G_END_DECLS
