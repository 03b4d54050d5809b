/*
 * export --format perfetto|html. The output is written under a temporary
 * name beside OUT and renamed when complete, as export.c does for traces:
 * a damaged trace (found out only when its bad record is read) leaves OUT
 * as it was and nothing behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "export_view.h"
#include "progress.h"
#include "wt/viewer.h"

bool wt_cli_export_view_format(const char *name, int *format) {
  if (strcmp(name, "perfetto") == 0)
    *format = WT_CLI_FORMAT_PERFETTO;
  else if (strcmp(name, "html") == 0)
    *format = WT_CLI_FORMAT_HTML;
  else
    return false;
  return true;
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

bool wt_cli_export_view_wants(int *format, const char *out) {
  if (*format == WT_CLI_FORMAT_PERFETTO || *format == WT_CLI_FORMAT_HTML)
    return true;
  if (*format >= 0 || out == NULL)
    return false;
  if (ends_with(out, ".html") || ends_with(out, ".htm"))
    *format = WT_CLI_FORMAT_HTML;
  else if (ends_with(out, ".json"))
    *format = WT_CLI_FORMAT_PERFETTO;
  return *format >= 0;
}

/* Whether path starts like an export of ours (replaced without --force). */
static bool is_ours(const char *path) {
  char head[64] = {0};
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return false;
  (void)!fread(head, 1, sizeof head - 1, f);
  fclose(f);
  return strncmp(head, "{\"displayTimeUnit\"", 18) == 0 ||
         strncmp(head, "<!DOCTYPE html>\n<html lang=\"en\">", 32) == 0;
}

static bool may_replace(const char *out, const char *in, bool force) {
  struct stat st, si;
  if (stat(out, &st) != 0)
    return true;
  if (stat(in, &si) == 0 && st.st_dev == si.st_dev && st.st_ino == si.st_ino) {
    wt_cli_error("%s is also the input; write elsewhere", out);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    wt_cli_error("%s is a directory", out);
    return false;
  }
  if (force || !S_ISREG(st.st_mode) || st.st_size == 0 || is_ours(out))
    return true;
  wt_cli_error("%s exists and is not an export of wasitrace; use --force "
               "to replace it",
               out);
  return false;
}

static void default_output(const char *in, int format, char *out,
                           size_t size) {
  static const char *const exts[] = {".db", ".sqlite3", ".sqlite", ".jsonl",
                                     ".ndjson"};
  size_t n = strlen(in);
  for (size_t i = 0; i < sizeof exts / sizeof *exts; i++)
    if (ends_with(in, exts[i]) && n > strlen(exts[i])) {
      n -= strlen(exts[i]);
      break;
    }
  snprintf(out, size, "%.*s%s", (int)n, in,
           format == WT_CLI_FORMAT_HTML ? ".html" : ".perfetto.json");
}

static int write_to(wt_trace_t *t, FILE *f, int format, uint64_t max_calls) {
  wt_export_options_t o;
  wt_cli_progress_t p;
  int rc;
  wt_export_options_init(&o);
  wt_cli_progress_init(&p, "export");
  o.progress = wt_cli_progress;
  o.progress_ud = &p;
  o.html_max_calls = max_calls;
  rc = format == WT_CLI_FORMAT_HTML ? wt_export_html(t, f, &o)
                                    : wt_export_perfetto(t, f, &o);
  wt_cli_progress_end(&p);
  return rc;
}

/* Into a new file beside out, renamed over it when complete. */
static int to_file(wt_trace_t *t, const char *out, int format,
                   uint64_t max_calls) {
  char tmp[4200];
  mode_t mask;
  FILE *f;
  int fd, rc;
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", out) >= sizeof tmp) {
    wt_cli_error("%s: name too long", out);
    return -1;
  }
  if ((fd = mkstemp(tmp)) < 0 || (f = fdopen(fd, "wb")) == NULL) {
    wt_cli_error("cannot create a file beside %s: %s", out, strerror(errno));
    if (fd >= 0) {
      close(fd);
      unlink(tmp);
    }
    return -1;
  }
  mask = umask(0);
  umask(mask);
  (void)fchmod(fd, 0666 & ~mask);
  rc = write_to(t, f, format, max_calls);
  if (fclose(f) != 0 && rc == 0) {
    wt_trace_set_error("cannot write %s: %s", out, strerror(errno));
    rc = -1;
  }
  if (rc == 0 && rename(tmp, out) != 0) {
    wt_trace_set_error("cannot rename %s to %s: %s", tmp, out,
                       strerror(errno));
    rc = -1;
  }
  if (rc < 0)
    unlink(tmp);
  return rc;
}

int wt_cli_export_view(const char *in, const char *out, int format,
                       bool force, uint64_t max_calls) {
  char path[4096];
  wt_trace_t *t;
  int rc;
  if (out == NULL)
    default_output(in, format, path, sizeof path);
  else
    snprintf(path, sizeof path, "%s", out);
  /* A name the user did not give never replaces a file, not even an
   * earlier export (it may be one they kept): -o names it, --force. */
  if (out == NULL && !force && access(path, F_OK) == 0) {
    wt_cli_error("%s exists; export replaces only a file named with -o "
                 "(-o %s), or any with --force",
                 path, path);
    return WT_EXIT_TOOL;
  }
  if (strcmp(path, "-") != 0 && !may_replace(path, in, force))
    return WT_EXIT_TOOL;
  if (wt_trace_open(in, &t) < 0) {
    wt_cli_error("%s", wt_trace_error());
    return WT_EXIT_TOOL;
  }
  if (wt_cli_still_recorded(in, "exporting the calls so far"))
    ;
  else if (wt_trace_truncated(t))
    wt_cli_error("%s: its last line was cut short (a killed recorder): "
                 "exporting the calls before it",
                 in);
  if (strcmp(path, "-") == 0) {
    rc = write_to(t, stdout, format, max_calls);
    if (rc < 0)
      wt_cli_error("%s: %s (what was written to stdout is incomplete)", in,
                   wt_trace_error());
  } else {
    rc = to_file(t, path, format, max_calls);
    /* The reader's messages may name the trace already. */
    if (rc < 0 && strncmp(wt_trace_error(), in, strlen(in)) == 0)
      wt_cli_error("%s; nothing written", wt_trace_error());
    else if (rc < 0)
      wt_cli_error("%s: %s; nothing written", in, wt_trace_error());
  }
  wt_trace_close(t);
  if (rc == 0 && out == NULL)
    wt_cli_error("wrote %s", path);
  return rc < 0 ? WT_EXIT_TOOL : 0;
}
