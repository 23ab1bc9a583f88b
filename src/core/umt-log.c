/* umt-log.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-log"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "umt-log.h"
#include "umt-posix.h"

#define REDACTED "[redacted]"

/* Secrets shorter than this are too likely to match ordinary text. */
#define MIN_SECRET_LENGTH 4

typedef struct
{
  GMutex      mutex;
  char       *dir;
  char       *path;
  int         fd;
  goffset     size;
  UmtLogFlags flags;
  GPtrArray  *secrets;
  GRegex     *patterns[4];
} UmtLog;

static UmtLog log_state = { .fd = -1 };

/* What a secret looks like where we cannot know its value in advance:
 * HTTP headers, bearer tokens and the JSON or query fields that carry one. */
static const struct {
  const char *pattern;
  const char *replacement;
} redaction_rules[] = {
  { "(Authorization:\\s*)[^\\r\\n]*", "\\1" REDACTED },
  { "(Bearer\\s+)[A-Za-z0-9._~+/=-]+", "\\1" REDACTED },
  { "(\"(?:token|token_code|tunnel_token|password)\"\\s*:\\s*\")(?:[^\"\\\\]|\\\\.)*(\")", "\\1" REDACTED "\\2" },
  { "\\b((?:token|token_code|tunnel_token)=)[^&\\s]+", "\\1" REDACTED },
};

G_STATIC_ASSERT (G_N_ELEMENTS (redaction_rules) == G_N_ELEMENTS (log_state.patterns));

static void
ensure_patterns (void)
{
  if (log_state.patterns[0] != NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (redaction_rules); i++)
    log_state.patterns[i] = g_regex_new (redaction_rules[i].pattern,
                                         G_REGEX_CASELESS | G_REGEX_OPTIMIZE,
                                         0, NULL);
}

static char *
redact_locked (const char *text)
{
  g_autofree char *result = g_strdup (text);

  ensure_patterns ();

  if (log_state.secrets != NULL)
    {
      for (guint i = 0; i < log_state.secrets->len; i++)
        {
          const char *secret = g_ptr_array_index (log_state.secrets, i);
          g_auto(GStrv) parts = NULL;

          if (strstr (result, secret) == NULL)
            continue;
          parts = g_strsplit (result, secret, -1);
          g_free (result);
          result = g_strjoinv (REDACTED, parts);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (redaction_rules); i++)
    {
      char *replaced = g_regex_replace (log_state.patterns[i], result, -1, 0,
                                        redaction_rules[i].replacement, 0, NULL);
      if (replaced != NULL)
        {
          g_free (result);
          result = replaced;
        }
    }

  return g_steal_pointer (&result);
}

char *
umt_log_redact (const char *text)
{
  char *result;

  g_return_val_if_fail (text != NULL, NULL);

  g_mutex_lock (&log_state.mutex);
  result = redact_locked (text);
  g_mutex_unlock (&log_state.mutex);

  return result;
}

void
umt_log_add_secret (const char *secret)
{
  if (secret == NULL || strlen (secret) < MIN_SECRET_LENGTH)
    return;

  g_mutex_lock (&log_state.mutex);
  if (log_state.secrets == NULL)
    log_state.secrets = g_ptr_array_new_with_free_func (g_free);
  if (!g_ptr_array_find_with_equal_func (log_state.secrets, secret, g_str_equal, NULL))
    g_ptr_array_add (log_state.secrets, g_strdup (secret));
  g_mutex_unlock (&log_state.mutex);
}

const char *
umt_log_get_path (void)
{
  return log_state.path;
}

static void
open_log_locked (void)
{
  struct stat st;

  log_state.fd = g_open (log_state.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_state.fd < 0)
    return;

  log_state.size = fstat (log_state.fd, &st) == 0 ? st.st_size : 0;
}

/* app.log → app.log.1 → … → app.log.(MAX_FILES - 1), the oldest dropped. */
static void
rotate_locked (void)
{
  g_autofree char *oldest = g_strdup_printf ("%s.%d", log_state.path, UMT_LOG_MAX_FILES - 1);

  close (log_state.fd);
  log_state.fd = -1;
  g_unlink (oldest);

  for (int i = UMT_LOG_MAX_FILES - 2; i >= 0; i--)
    {
      g_autofree char *from = i == 0 ? g_strdup (log_state.path)
                                     : g_strdup_printf ("%s.%d", log_state.path, i);
      g_autofree char *to = g_strdup_printf ("%s.%d", log_state.path, i + 1);

      g_rename (from, to);
    }

  open_log_locked ();
}

static void
write_line_locked (const char *line,
                   gsize       length)
{
  if (log_state.fd < 0)
    return;

  if (log_state.size > 0 && log_state.size + (goffset) length > UMT_LOG_MAX_SIZE)
    rotate_locked ();

  while (log_state.fd >= 0 && length > 0)
    {
      gssize written = write (log_state.fd, line, length);

      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        break;
      line += written;
      length -= (gsize) written;
      log_state.size += written;
    }
}

static const char *
level_name (GLogLevelFlags level)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return "ERROR";
  if (level & G_LOG_LEVEL_WARNING)
    return "WARNING";
  if (level & G_LOG_LEVEL_DEBUG)
    return "DEBUG";
  return "INFO";
}

static GLogWriterOutput
umt_log_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_autofree GLogField *redacted_fields = g_memdup2 (fields, n_fields * sizeof *fields);
  g_autofree char *message = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *timestamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  g_autofree char *line = NULL;
  const char *domain = NULL;
  const char *severity = NULL;
  gboolean is_debug = (level & G_LOG_LEVEL_DEBUG) != 0;

  g_mutex_lock (&log_state.mutex);

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "UMT_SEVERITY"))
        severity = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        {
          g_autofree char *text = fields[i].length < 0
                                  ? g_strdup (fields[i].value)
                                  : g_strndup (fields[i].value, fields[i].length);
          g_free (message);
          message = redact_locked (text);
          redacted_fields[i].value = message;
          redacted_fields[i].length = -1;
        }
    }

  line = g_strdup_printf ("%s %s [%s] %s\n", timestamp,
                          severity != NULL ? severity : level_name (level),
                          domain != NULL ? domain : "default",
                          message != NULL ? message : "");

  if (!is_debug || (log_state.flags & UMT_LOG_FLAGS_DEBUG))
    write_line_locked (line, strlen (line));

  g_mutex_unlock (&log_state.mutex);

  if ((log_state.flags & UMT_LOG_FLAGS_STDERR) &&
      (!is_debug || (log_state.flags & UMT_LOG_FLAGS_DEBUG)))
    {
      fputs (line, stderr);
      fflush (stderr);
      return G_LOG_WRITER_HANDLED;
    }

  if ((log_state.flags & UMT_LOG_FLAGS_FILE_ONLY) &&
      !(level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)))
    return G_LOG_WRITER_HANDLED;

  return g_log_writer_default (level, redacted_fields, n_fields, user_data);
}

void
umt_log_init (const char  *log_dir,
              UmtLogFlags  flags)
{
  g_return_if_fail (log_dir != NULL);
  g_return_if_fail (log_state.dir == NULL);

  int saved_errno = 0;

  g_mutex_lock (&log_state.mutex);
  log_state.dir = g_strdup (log_dir);
  log_state.path = g_build_filename (log_dir, "app.log", NULL);
  log_state.flags = flags;
  if (g_mkdir_with_parents (log_dir, 0700) == 0)
    open_log_locked ();
  if (log_state.fd < 0)
    saved_errno = errno;
  g_mutex_unlock (&log_state.mutex);

  g_log_set_writer_func (umt_log_writer, NULL, NULL);

  if (saved_errno != 0)
    g_message ("Cannot write the log file %s: %s", log_state.path, g_strerror (saved_errno));
}
