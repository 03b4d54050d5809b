/*
 * The audit scan (audit_scan.h). Arguments are read from the record's
 * JSON rendering (wt_trace_summarize), which names every argument as
 * calls.def does; paths are joined to their directory's guest path and
 * normalised lexically ('.', '..', repeated and trailing slashes). A
 * symlink inside the sandbox is not expanded (the trace does not say
 * where it led), which docs/policy.md states as audit's one blind spot.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "audit_scan.h"
#include "cli.h"

#define READ_RIGHTS (WT_RIGHT_FD_READ | WT_RIGHT_FD_READDIR)
#define WRITE_RIGHTS                                                           \
  (WT_RIGHT_FD_WRITE | WT_RIGHT_FD_ALLOCATE | WT_RIGHT_FD_FILESTAT_SET_SIZE)

static int oom(void) {
  wt_trace_set_error("out of memory");
  return -1;
}

void wt_audit_ops_text(unsigned ops, char *buf, size_t size) {
  size_t n = 0;
  buf[0] = 0;
  for (unsigned b = 0; b < WT_PATH_OP_COUNT && n < size; b++)
    if (ops & (1u << b)) {
      int k = snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
                       wt_path_op_name(b));
      if (k < 0)
        return;
      n += (size_t)k;
    }
}

/* ---- the fd table -------------------------------------------------------- */

static int fdt_set(wt_audit_t *a, uint32_t fd, char *path) {
  if (fd >= (1u << 20)) {
    free(path);
    return 0; /* beyond any real table; not tracked */
  }
  if (fd >= a->nfds) {
    uint32_t n = fd + 16;
    char **f = realloc(a->fds, n * sizeof *f);
    if (f == NULL) {
      free(path);
      return oom();
    }
    memset(f + a->nfds, 0, (n - a->nfds) * sizeof *f);
    a->fds = f;
    a->nfds = n;
  }
  free(a->fds[fd]);
  a->fds[fd] = path;
  return 0;
}

static const char *fdt_get(const wt_audit_t *a, uint32_t fd) {
  return fd < a->nfds ? a->fds[fd] : NULL;
}

int wt_audit_meta(wt_audit_t *a, const wt_trace_meta_t *m) {
  json_t *v, *e;
  size_t i;
  if (strcmp(m->key, "preopens") != 0 || m->type != WT_META_JSON)
    return 0;
  if ((v = json_loads(m->text, 0, NULL)) == NULL || !json_is_array(v)) {
    json_decref(v);
    wt_trace_set_error("the preopens entry is not a JSON array");
    return -1;
  }
  json_array_foreach(v, i, e) {
    const char *g = json_string_value(json_object_get(e, "guest"));
    char *s = g != NULL ? strdup(g) : NULL;
    if (g != NULL && s == NULL) {
      json_decref(v);
      return oom();
    }
    if (fdt_set(a, (uint32_t)(3 + i), s) < 0) {
      json_decref(v);
      return -1;
    }
  }
  json_decref(v);
  return 0;
}

/*
 * dir joined with rel, '.', '..' and empty components dropped; '..' never
 * climbs above the preopen (the sandbox refused those). Caller frees.
 */
static char *join(const char *dir, const char *rel) {
  size_t n = strlen(dir) + strlen(rel) + 2;
  char *out = malloc(n + 1), *w;
  const char *p;
  size_t root;
  if (out == NULL)
    return NULL;
  snprintf(out, n + 1, "%s", dir);
  root = strlen(out);
  while (root > 1 && out[root - 1] == '/')
    out[--root] = 0;
  w = out + root;
  for (p = rel; *p;) {
    const char *q = strchr(p, '/');
    size_t len = q ? (size_t)(q - p) : strlen(p);
    if (len == 0 || (len == 1 && p[0] == '.')) {
      /* nothing */
    } else if (len == 2 && p[0] == '.' && p[1] == '.') {
      while (w > out + root && *--w != '/')
        ;
      *w = 0;
    } else {
      if (w == out || w[-1] != '/')
        *w++ = '/';
      memcpy(w, p, len);
      w += len;
      *w = 0;
    }
    p += len + (q != NULL);
  }
  if (w == out) {
    out[0] = '/';
    out[1] = 0;
  }
  return out;
}

/* ---- paths and events ---------------------------------------------------- */

static wt_audit_path_t *path_of(wt_audit_t *a, const char *path) {
  wt_audit_path_t *p;
  for (uint32_t i = 0; i < a->npaths; i++)
    if (strcmp(a->paths[i].path, path) == 0)
      return &a->paths[i];
  if (a->npaths == a->pcap) {
    uint32_t cap = a->pcap ? a->pcap * 2 : 32;
    wt_audit_path_t *q = realloc(a->paths, cap * sizeof *q);
    if (q == NULL)
      return NULL;
    a->paths = q;
    a->pcap = cap;
  }
  p = &a->paths[a->npaths];
  memset(p, 0, sizeof *p);
  if ((p->path = strdup(path)) == NULL)
    return NULL;
  a->npaths++;
  return p;
}

static int event(wt_audit_t *a, const wt_trace_call_t *c, const char *path,
                 unsigned ops, bool ok) {
  wt_audit_path_t *p = path_of(a, path);
  if (p == NULL)
    return oom();
  p->ops |= ops;
  if (ok)
    p->done |= ops;
  if (a->nevents == a->ecap) {
    uint32_t cap = a->ecap ? a->ecap * 2 : 64;
    wt_audit_event_t *e = realloc(a->events, cap * sizeof *e);
    if (e == NULL)
      return oom();
    a->events = e;
    a->ecap = cap;
  }
  a->events[a->nevents++] = (wt_audit_event_t){c->seq, c->call, ops, p->path};
  return 0;
}

/* Whether the flag word `s` ("CREAT|EXCL") names flag f. */
static bool has_flag(const char *s, const char *f) {
  size_t n = strlen(f);
  for (const char *p = s; p != NULL && *p; p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL)
    if (strncmp(p, f, n) == 0 && (p[n] == '|' || p[n] == 0))
      return true;
  return false;
}

/* Rights named in a rights word ("FD_READ|FD_WRITE"), as bits. */
static wt_rights_t rights_of(const char *s) {
  static const struct {
    const char *name;
    wt_rights_t bit;
  } r[] = {{"FD_READ", WT_RIGHT_FD_READ},
           {"FD_READDIR", WT_RIGHT_FD_READDIR},
           {"FD_WRITE", WT_RIGHT_FD_WRITE},
           {"FD_ALLOCATE", WT_RIGHT_FD_ALLOCATE},
           {"FD_FILESTAT_SET_SIZE", WT_RIGHT_FD_FILESTAT_SET_SIZE}};
  wt_rights_t out = 0;
  for (size_t i = 0; i < sizeof r / sizeof *r; i++)
    if (has_flag(s, r[i].name))
      out |= r[i].bit;
  return out;
}

/* What path_open is judged for (core/path.c judge_open). A CREAT open of a
 * path the trace has not shown to exist counts as a creation. */
static unsigned open_ops(wt_audit_t *a, json_t *args, const char *gpath) {
  const char *of = json_string_value(json_object_get(args, "oflags"));
  const char *rb = json_string_value(json_object_get(args, "rights_base"));
  wt_rights_t base = rights_of(rb != NULL ? rb : "");
  unsigned ops = 0;
  if (of == NULL)
    of = "";
  if (has_flag(of, "DIRECTORY"))
    return WT_PATH_OP_LIST;
  if (base & READ_RIGHTS)
    ops |= WT_PATH_OP_READ;
  if ((base & WRITE_RIGHTS) || has_flag(of, "TRUNC"))
    ops |= WT_PATH_OP_WRITE;
  if (has_flag(of, "CREAT")) {
    bool known = false;
    for (uint32_t i = 0; i < a->npaths && !known; i++)
      known = strcmp(a->paths[i].path, gpath) == 0 &&
              (a->paths[i].done & ~WT_PATH_OP_DELETE) != 0;
    if (has_flag(of, "EXCL") || !known)
      ops |= WT_PATH_OP_CREATE;
  }
  return ops != 0 ? ops : WT_PATH_OP_STAT;
}

/* The path arguments of a path call: (fd key, path key, ops) pairs. */
typedef struct patharg_s {
  const char *fd, *path;
  unsigned ops;
} patharg_t;

static int path_args(uint16_t call, patharg_t out[2]) {
  switch (call) {
  case WT_CALL_path_open:
    out[0] = (patharg_t){"fd", "path", 0};
    return 1;
  case WT_CALL_path_create_directory:
    out[0] = (patharg_t){"fd", "path", WT_PATH_OP_CREATE};
    return 1;
  case WT_CALL_path_filestat_get:
    out[0] = (patharg_t){"fd", "path", WT_PATH_OP_STAT};
    return 1;
  case WT_CALL_path_filestat_set_times:
    out[0] = (patharg_t){"fd", "path", WT_PATH_OP_WRITE};
    return 1;
  case WT_CALL_path_readlink:
    out[0] = (patharg_t){"fd", "path", WT_PATH_OP_READLINK};
    return 1;
  case WT_CALL_path_remove_directory:
  case WT_CALL_path_unlink_file:
    out[0] = (patharg_t){"fd", "path", WT_PATH_OP_DELETE};
    return 1;
  case WT_CALL_path_symlink:
    out[0] = (patharg_t){"fd", "new_path", WT_PATH_OP_SYMLINK};
    return 1;
  case WT_CALL_path_link:
    out[0] = (patharg_t){"old_fd", "old_path", WT_PATH_OP_LINK};
    out[1] = (patharg_t){"new_fd", "new_path", WT_PATH_OP_LINK};
    return 2;
  case WT_CALL_path_rename:
    out[0] = (patharg_t){"fd", "old_path", WT_PATH_OP_RENAME};
    out[1] = (patharg_t){"new_fd", "new_path", WT_PATH_OP_RENAME};
    return 2;
  default:
    return 0;
  }
}

/* Whether the call got as far as the guard: not refused by the sandbox or
 * the ABI, not failed on its directory fd or its flags. */
static bool judged(const wt_trace_call_t *c) {
  for (uint32_t i = 0; i < c->ndenials; i++)
    if (c->denials[i].source == WT_DENIAL_SANDBOX ||
        c->denials[i].source == WT_DENIAL_ABI ||
        c->denials[i].source == WT_DENIAL_RIGHTS)
      return false;
  return c->err != WT_EBADF && c->err != WT_EINVAL && c->err != WT_EFAULT;
}

static int path_call(wt_audit_t *a, const wt_trace_call_t *c, json_t *args,
                     json_t *res) {
  patharg_t pa[2];
  int n = path_args(c->call, pa);
  char *paths[2] = {NULL, NULL};
  int rc = 0;
  if (n == 0 || !judged(c))
    return 0;
  for (int i = 0; i < n; i++) {
    json_t *fd = json_object_get(args, pa[i].fd);
    const char *rel = json_string_value(json_object_get(args, pa[i].path));
    const char *dir = json_is_integer(fd)
                          ? fdt_get(a, (uint32_t)json_integer_value(fd))
                          : NULL;
    if (dir == NULL || rel == NULL)
      goto out; /* a directory the trace does not name: not judged here */
    if ((paths[i] = join(dir, rel)) == NULL) {
      rc = oom();
      goto out;
    }
  }
  for (int i = 0; i < n && rc == 0; i++) {
    unsigned ops = c->call == WT_CALL_path_open
                       ? open_ops(a, args, paths[i])
                       : pa[i].ops;
    rc = event(a, c, paths[i], ops, c->err == WT_ESUCCESS);
  }
  if (rc == 0 && c->call == WT_CALL_path_rename && c->err == WT_ESUCCESS) {
    wt_audit_path_t *p = path_of(a, paths[0]);
    if (p != NULL && p->renamed_to == NULL)
      p->renamed_to = strdup(paths[1]);
  }
  if (rc == 0 && c->call == WT_CALL_path_open && c->err == WT_ESUCCESS) {
    json_t *o = json_object_get(res, "opened");
    if (json_is_integer(o)) {
      rc = fdt_set(a, (uint32_t)json_integer_value(o), paths[0]);
      paths[0] = NULL;
    }
  }
out:
  free(paths[0]);
  free(paths[1]);
  return rc;
}

/* environ_get's bytes: "NAME=VALUE\0..." names kept. */
static int env_names(wt_audit_t *a, const wt_trace_call_t *c) {
  a->env_read = true;
  for (uint32_t i = 0; i < c->npayloads; i++) {
    const wt_trace_payload_t *pl = &c->payloads[i];
    const char *p = (const char *)pl->data, *end = p + pl->len;
    if (pl->dir != WT_PAYLOAD_OUT)
      continue;
    while (p < end) {
      const char *z = memchr(p, 0, (size_t)(end - p));
      const char *eq = memchr(p, '=', (size_t)((z ? z : end) - p));
      if (eq != NULL && eq > p) {
        char *name = strndup(p, (size_t)(eq - p));
        char **e = realloc(a->env, (a->nenv + 1) * sizeof *e);
        if (name == NULL || e == NULL) {
          free(name);
          if (e != NULL)
            a->env = e;
          return oom();
        }
        a->env = e;
        a->env[a->nenv++] = name;
      }
      p = z != NULL ? z + 1 : end;
    }
  }
  return 0;
}

static int fd_books(wt_audit_t *a, const wt_trace_call_t *c, json_t *args) {
  json_t *fd = json_object_get(args, "fd");
  if (c->err != WT_ESUCCESS || !json_is_integer(fd))
    return 0;
  if (c->call == WT_CALL_fd_close)
    return fdt_set(a, (uint32_t)json_integer_value(fd), NULL);
  if (c->call == WT_CALL_fd_renumber) {
    json_t *to = json_object_get(args, "to");
    uint32_t from = (uint32_t)json_integer_value(fd);
    const char *p = fdt_get(a, from);
    char *s = p != NULL ? strdup(p) : NULL;
    if (!json_is_integer(to))
      return 0;
    if (p != NULL && s == NULL)
      return oom();
    if (fdt_set(a, (uint32_t)json_integer_value(to), s) < 0)
      return -1;
    return fdt_set(a, from, NULL);
  }
  return 0;
}

int wt_audit_add(wt_audit_t *a, const wt_trace_call_t *c) {
  wt_trace_summary_t s;
  json_t *args = NULL, *res = NULL;
  int rc = -1;
  memset(&s, 0, sizeof s);
  if (c->call >= WT_CALL_COUNT) {
    wt_trace_set_error("record %llu: unknown call", (unsigned long long)c->seq);
    return -1;
  }
  a->calls_used[c->call]++;
  if (wt_trace_summarize(c, &s) < 0) {
    wt_trace_set_error("record %llu: damaged arguments",
                       (unsigned long long)c->seq);
    goto out;
  }
  args = json_loads(s.args_json, 0, NULL);
  res = json_loads(s.results_json, JSON_DECODE_ANY, NULL);
  if (!json_is_object(args)) {
    wt_trace_set_error("record %llu: arguments are not an object",
                       (unsigned long long)c->seq);
    goto out;
  }
  if (c->call == WT_CALL_random_get && c->err == WT_ESUCCESS && s.has_nbytes)
    a->random_bytes += s.nbytes;
  if (c->call == WT_CALL_clock_time_get || c->call == WT_CALL_clock_res_get) {
    json_t *id = json_object_get(args, "id");
    const char *name = json_string_value(id);
    static const char *const clocks[] = {"REALTIME", "MONOTONIC",
                                         "PROCESS_CPUTIME_ID",
                                         "THREAD_CPUTIME_ID"};
    for (unsigned i = 0; name != NULL && i < 4; i++)
      if (strcmp(name, clocks[i]) == 0)
        a->clocks |= 1u << i;
    if (json_is_integer(id) && json_integer_value(id) >= 0 &&
        json_integer_value(id) < 4)
      a->clocks |= 1u << json_integer_value(id);
  }
  if (c->call == WT_CALL_environ_get && c->err == WT_ESUCCESS &&
      env_names(a, c) < 0)
    goto out;
  if (strncmp(wt_call_name(c->call), "sock_", 5) == 0)
    a->sock_calls++;
  if (c->call == WT_CALL_proc_raise || strstr(wt_call_name(c->call), "signal"))
    a->signal_calls++;
  if (path_call(a, c, args, res) < 0 || fd_books(a, c, args) < 0)
    goto out;
  rc = 0;
out:
  json_decref(args);
  json_decref(res);
  wt_trace_summary_free(&s);
  return rc;
}

void wt_audit_free(wt_audit_t *a) {
  for (uint32_t i = 0; i < a->npaths; i++) {
    free(a->paths[i].path);
    free(a->paths[i].renamed_to);
  }
  for (uint32_t i = 0; i < a->nfds; i++)
    free(a->fds[i]);
  for (uint32_t i = 0; i < a->nenv; i++)
    free(a->env[i]);
  free(a->paths);
  free(a->fds);
  free(a->env);
  free(a->events);
  memset(a, 0, sizeof *a);
}
