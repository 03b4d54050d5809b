/*
 * Trace files on the command line: the format a name asks for, whether a
 * file may be replaced by a trace, and reading a whole file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "wt/tracer.h"

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

int wt_cli_format_of(const char *path) {
  return ends_with(path, ".jsonl") || ends_with(path, ".ndjson")
             ? WT_TRACE_JSONL
             : WT_TRACE_SQLITE;
}

static bool is_trace(const char *path) {
  wt_trace_t *t;
  if (wt_trace_open(path, &t) < 0)
    return false;
  wt_trace_close(t);
  return true;
}

/*
 * Whether the folder a new file at `path` would go in exists and takes
 * files: the tool's own words, before SQLite or open(2) give theirs.
 */
static bool folder_takes_files(const char *path) {
  char dir[PATH_MAX];
  const char *slash = strrchr(path, '/');
  struct stat st;
  if (slash == NULL)
    snprintf(dir, sizeof dir, ".");
  else
    snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path),
             path);
  if (stat(dir, &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
    wt_cli_error("cannot create %s: the folder %s does not exist", path, dir);
    return false;
  }
  if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
    wt_cli_error("cannot create %s: %s is not a folder", path, dir);
    return false;
  }
  if (access(dir, W_OK | X_OK) != 0) {
    wt_cli_error("cannot create %s: no permission to write in the folder %s",
                 path, dir);
    return false;
  }
  return true;
}

bool wt_cli_may_replace(const char *path, const char *input, bool force) {
  struct stat st, in;
  if (stat(path, &st) != 0)
    return (errno != ENOENT && errno != ENOTDIR) || folder_takes_files(path);
  if (input != NULL && stat(input, &in) == 0 && st.st_dev == in.st_dev &&
      st.st_ino == in.st_ino) {
    wt_cli_error("%s is also the input; write the trace elsewhere", path);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    wt_cli_error("%s is a directory", path);
    return false;
  }
  if (force || !S_ISREG(st.st_mode) || st.st_size == 0 || is_trace(path))
    return true;
  wt_cli_error("%s exists and is not a wasitrace trace; use --force to "
               "replace it",
               path);
  return false;
}

/*
 * Where `path` is or would be: its own real path when it exists, else its
 * directory's real path and its name. False when the directory does not
 * exist (the open that follows will say so).
 */
static bool real_target(const char *path, char *out, size_t size) {
  char dir[PATH_MAX], real[PATH_MAX];
  const char *slash = strrchr(path, '/'), *name;
  if (realpath(path, real) != NULL)
    return snprintf(out, size, "%s", real) < (int)size;
  if (slash == NULL) {
    snprintf(dir, sizeof dir, ".");
    name = path;
  } else {
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (dir[0] == '\0')
      snprintf(dir, sizeof dir, "/");
    name = slash + 1;
  }
  if (realpath(dir, real) == NULL)
    return false;
  return snprintf(out, size, "%s/%s", strcmp(real, "/") ? real : "", name) <
         (int)size;
}

int wt_cli_refuse_inside(const char *path, const char *what,
                         const wt_cli_guest_t *g) {
  char target[PATH_MAX + 256], root[PATH_MAX];
  if (!real_target(path, target, sizeof target))
    return 0;
  for (uint32_t i = 0; i < g->preopenc; i++) {
    size_t n;
    if (realpath(g->preopens[i].host_path, root) == NULL)
      continue;
    n = strlen(root);
    if (strncmp(target, root, n) != 0 ||
        (target[n] != '/' && target[n] != '\0' && strcmp(root, "/") != 0))
      continue;
    wt_cli_error("%s %s is inside the directory %s that the guest has as "
                 "%s: the guest could change or destroy it; write it "
                 "outside every --dir",
                 what, path, g->preopens[i].host_path,
                 g->preopens[i].guest_path);
    return WT_EXIT_TOOL;
  }
  return 0;
}

bool wt_cli_read_file(const char *path, uint8_t **data, size_t *len, char *err,
                      size_t err_size) {
  struct stat st;
  uint8_t *buf = NULL;
  size_t got = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fstat(fd, &st) != 0)
    goto fail;
  if ((buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1)) == NULL)
    goto fail;
  while (got < (size_t)st.st_size) {
    ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      goto fail;
    got += (size_t)n;
  }
  close(fd);
  *data = buf;
  *len = got;
  return true;
fail:
  snprintf(err, err_size, "cannot read %s: %s", path,
           errno != 0 ? strerror(errno) : "short read");
  if (fd >= 0)
    close(fd);
  free(buf);
  return false;
}

bool wt_cli_still_recorded(const char *path, const char *what) {
  long pid = wt_trace_recorder_pid(path);
  if (pid <= 0)
    return false;
  wt_cli_error("%s is still being recorded by process %ld: %s", path, pid,
               what);
  return true;
}

/* res's backtrace as JSON into buf (names are printable ASCII: runtime/
 * names.c), or NULL when there is none. */
static const char *backtrace_json(const wt_rt_result_t *res, char *buf,
                                  size_t size) {
  size_t n = 0;
  if (res->frames_unavailable)
    return NULL;
  n += (size_t)snprintf(buf, size, "{\"frames\":[");
  for (uint32_t i = 0; i < res->nframes && n < size; i++) {
    n += (size_t)snprintf(buf + n, size - n, "%s{\"func\":%u,\"name\":\"",
                          i > 0 ? "," : "", res->frames[i].func);
    for (const char *c = res->frames[i].name; *c != '\0' && n + 2 < size;
         c++) {
      if (*c == '"' || *c == '\\')
        buf[n++] = '\\';
      buf[n++] = *c;
    }
    if (n < size)
      n += (size_t)snprintf(buf + n, size - n, "\"}");
  }
  if (n < size)
    n += (size_t)snprintf(buf + n, size - n, "],\"more\":%s}",
                          res->frames_more ? "true" : "false");
  return n < size ? buf : NULL;
}

wt_trace_end_t wt_cli_trace_end(const wt_rt_result_t *res) {
  /* Frames of at most 95 characters, each escaped: room for all. */
  static _Thread_local char bt[WT_RT_MAX_FRAMES * 240 + 64];
  wt_trace_end_t e = {WT_END_INCOMPLETE, 0, NULL, 0, NULL};
  if (res == NULL)
    return e;
  switch (res->end) {
  case WT_RT_END_EXIT:
    e.kind = WT_END_EXIT;
    e.exit_code = res->exit_code;
    break;
  case WT_RT_END_TRAP:
    e.kind = WT_END_TRAP;
    e.trap = wt_trap_string(res->trap);
    e.trap_backtrace = backtrace_json(res, bt, sizeof bt);
    break;
  case WT_RT_END_SIGNAL:
    e.kind = WT_END_SIGNAL;
    e.signal = res->signal;
    break;
  case WT_RT_END_HALTED: /* the layer that halted it says why */
    break;
  }
  return e;
}

void wt_cli_tracer_options(const wt_cli_guest_t *g, wt_tracer_options_t *o) {
  const char *base = strrchr(g->module_path, '/');
  wt_tracer_options_init(o);
  o->core = g->core;
  /* The guest runs on this thread, the only other one sharing the fd
   * table (record's signal thread takes a table of its own too). */
  o->own_fd_table = true;
  o->module_name = base != NULL ? base + 1 : g->module_path;
  o->argc = g->argc;
  o->argv = g->argv;
  o->envp = g->envp;
  o->preopenc = g->preopenc;
  o->preopens = g->preopens;
  o->preopen_socketc = g->preopen_socketc;
  o->preopen_sockets = g->preopen_sockets;
}
