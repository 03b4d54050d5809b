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

static int add_root(wt_audit_t *a, const char *g) {
  char **r = realloc(a->roots, (a->nroots + 1) * sizeof *r);
  if (r == NULL)
    return oom();
  a->roots = r;
  if ((r[a->nroots] = strdup(g)) == NULL)
    return oom();
  a->nroots++;
  return 0;
}

/* The preopen `dir` is in: the longest root it is below ("/" if none). */
static const char *root_of(const wt_audit_t *a, const char *dir) {
  const char *best = "/";
  size_t bl = 0;
  for (uint32_t i = 0; i < a->nroots; i++) {
    size_t n = strlen(a->roots[i]);
    if (n > bl && strncmp(dir, a->roots[i], n) == 0 &&
        (dir[n] == 0 || dir[n] == '/')) {
      best = a->roots[i];
      bl = n;
    }
  }
  return best;
}

int wt_audit_meta(wt_audit_t *a, const wt_trace_meta_t *m) {
  json_t *v, *e;
  size_t i;
  if (strcmp(m->key, "format_version") == 0 && m->type == WT_META_INT)
    a->exact_create = m->i >= 5;
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
    if ((g != NULL && add_root(a, g) < 0) ||
        fdt_set(a, (uint32_t)(3 + i), s) < 0) {
      json_decref(v);
      return -1;
    }
  }
  json_decref(v);
  return 0;
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
  memset(&a->events[a->nevents], 0, sizeof a->events[a->nevents]);
  a->events[a->nevents].seq = c->seq;
  a->events[a->nevents].call = c->call;
  a->events[a->nevents].ops = ops;
  a->events[a->nevents].path = p->path;
  a->nevents++;
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

/* Whether the open made its file: FD_OPENED's b (core.h). */
static bool created_by(const wt_trace_call_t *c) {
  for (uint32_t i = 0; i < c->ntransitions; i++)
    if (c->transitions[i].kind == WT_TR_FD_OPENED)
      return c->transitions[i].b != 0;
  return false;
}

/*
 * What path_open is judged for (core/path.c judge_open): CREAT creates
 * when it meets no file. The trace says so for a successful open (format
 * 5); otherwise the model decides, a name it cannot vouch for counting as
 * a creation (the guard's side: the suggestion must allow the run).
 */
static unsigned open_ops(wt_audit_t *a, const wt_trace_call_t *c,
                         json_t *args, const char *gpath) {
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
    bool create;
    if (has_flag(of, "EXCL") ||
        wt_audit_fs_state(a, gpath) == WT_AUDIT_ABSENT)
      create = true;
    else if (c->err == WT_ESUCCESS && a->exact_create)
      create = created_by(c);
    else
      create = wt_audit_fs_state(a, gpath) != WT_AUDIT_EXISTS;
    if (create)
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

/* Whether the call got as far as resolving its paths: not refused by
 * the ABI or the rights, not failed on its directory fd or, for the calls
 * with flags the core checks first, on its flags (readlink's or rename's
 * EINVAL come after the guard). */
static bool resolved(const wt_trace_call_t *c) {
  bool flags_first = c->call == WT_CALL_path_open ||
                     c->call == WT_CALL_path_filestat_get ||
                     c->call == WT_CALL_path_filestat_set_times ||
                     c->call == WT_CALL_path_link;
  for (uint32_t i = 0; i < c->ndenials; i++)
    if (c->denials[i].source == WT_DENIAL_ABI ||
        c->denials[i].source == WT_DENIAL_RIGHTS)
      return false;
  return c->err != WT_EBADF && c->err != WT_EFAULT &&
         !(c->err == WT_EINVAL && flags_first);
}

/* The path given that the sandbox or a policy refused (the core stops at
 * the first refusal: paths after it are not judged), or NULL. */
static const char *refused_path(const wt_trace_call_t *c, bool *sandbox) {
  for (uint32_t i = 0; i < c->ndenials; i++)
    if ((c->denials[i].source == WT_DENIAL_SANDBOX ||
         c->denials[i].source == WT_DENIAL_POLICY) &&
        !c->denials[i].would) {
      *sandbox = c->denials[i].source == WT_DENIAL_SANDBOX;
      return c->denials[i].path != NULL ? c->denials[i].path : "";
    }
  return NULL;
}

/* Whether the i-th path argument follows a final symlink. */
static bool follows(uint16_t call, json_t *args, int i) {
  const char *key = call == WT_CALL_path_open ? "dirflags"
                    : call == WT_CALL_path_link && i == 0 ? "old_flags"
                    : call == WT_CALL_path_filestat_get ||
                            call == WT_CALL_path_filestat_set_times
                        ? "flags"
                        : NULL;
  const char *f = key ? json_string_value(json_object_get(args, key)) : NULL;
  return f != NULL && has_flag(f, "SYMLINK_FOLLOW");
}

/* A failure the resolver's walk gives when a directory on the way is
 * missing: then the guard never heard the path. */
static bool walk_failed(const wt_audit_t *a, const wt_trace_call_t *c,
                        const char *path) {
  char *up;
  char *slash;
  int st;
  /* Under a policy the model is the enforced run's: a directory it
   * refused to make fails the walk even where the trace's call worked. */
  if (a->policy == NULL && c->err != WT_ENOENT && c->err != WT_ENOTDIR)
    return false;
  if ((up = strdup(path)) == NULL || (slash = strrchr(up, '/')) == NULL) {
    free(up);
    return false;
  }
  *(slash == up ? slash + 1 : slash) = 0;
  st = wt_audit_fs_state(a, up);
  free(up);
  return st == WT_AUDIT_ABSENT;
}

/* Whether the enforced run would have failed this call the trace shows
 * succeeding: its source (link, rename) was never made there. */
static bool source_gone(const wt_audit_t *a, const wt_trace_call_t *c,
                        char *const paths[2]) {
  return a->policy != NULL &&
         (c->call == WT_CALL_path_link || c->call == WT_CALL_path_rename) &&
         wt_audit_fs_state(a, paths[0]) == WT_AUDIT_ABSENT;
}

/* A call the enforced run refused (or failed): what the trace made is not
 * there. */
static int unmade(wt_audit_t *a, const wt_trace_call_t *c,
                  char *const paths[2], int n) {
  switch (c->call) {
  case WT_CALL_path_create_directory:
  case WT_CALL_path_symlink:
    return paths[0] != NULL && c->err == WT_ESUCCESS
               ? wt_audit_fs_set(a, paths[0], WT_AUDIT_ABSENT, NULL)
               : 0;
  case WT_CALL_path_open:
    return paths[0] != NULL && c->err == WT_ESUCCESS &&
                   wt_audit_fs_state(a, paths[0]) != WT_AUDIT_EXISTS
               ? wt_audit_fs_set(a, paths[0], WT_AUDIT_ABSENT, NULL)
               : 0;
  case WT_CALL_path_link:
    return n == 2 && paths[1] != NULL && c->err == WT_ESUCCESS
               ? wt_audit_fs_set(a, paths[1], WT_AUDIT_ABSENT, NULL)
               : 0;
  default:
    return 0;
  }
}

/* What the call, judged, tells the model about its paths. */
static int learn(wt_audit_t *a, const wt_trace_call_t *c, json_t *args,
                 char *const paths[2], int n) {
  bool ok = c->err == WT_ESUCCESS;
  if (source_gone(a, c, paths))
    return unmade(a, c, paths, n);
  switch (c->call) {
  case WT_CALL_path_open:
  case WT_CALL_path_filestat_get:
  case WT_CALL_path_filestat_set_times:
  case WT_CALL_path_readlink:
    if (ok && a->policy != NULL && c->call != WT_CALL_path_open &&
        wt_audit_fs_state(a, paths[0]) == WT_AUDIT_ABSENT)
      return 0; /* seen by the trace, never made in the enforced run */
    if (ok)
      return wt_audit_fs_set(a, paths[0], WT_AUDIT_EXISTS, NULL);
    return c->err == WT_ENOENT
               ? wt_audit_fs_set(a, paths[0], WT_AUDIT_ABSENT, NULL)
               : 0;
  case WT_CALL_path_create_directory:
    return ok ? wt_audit_fs_set(a, paths[0], WT_AUDIT_NEW_DIR, NULL)
           : c->err == WT_EEXIST
               ? wt_audit_fs_set(a, paths[0], WT_AUDIT_EXISTS, NULL)
               : 0;
  case WT_CALL_path_symlink:
    return ok ? wt_audit_fs_set(
                    a, paths[0], WT_AUDIT_EXISTS,
                    json_string_value(json_object_get(args, "old_path")))
           : c->err == WT_EEXIST
               ? wt_audit_fs_set(a, paths[0], WT_AUDIT_EXISTS, NULL)
               : 0;
  case WT_CALL_path_unlink_file:
  case WT_CALL_path_remove_directory:
    return ok ? wt_audit_fs_set(a, paths[0], WT_AUDIT_ABSENT, NULL) : 0;
  case WT_CALL_path_link:
    return ok && n == 2
               ? wt_audit_fs_set(a, paths[1], WT_AUDIT_EXISTS, NULL)
               : 0;
  case WT_CALL_path_rename:
    return ok && n == 2 ? wt_audit_fs_rename(a, paths[0], paths[1]) : 0;
  default:
    return 0;
  }
}

static int path_call(wt_audit_t *a, const wt_trace_call_t *c, json_t *args,
                     json_t *res) {
  patharg_t pa[2];
  int n = path_args(c->call, pa), nj;
  char *paths[2] = {NULL, NULL};
  bool sandbox = false;
  const char *refused = refused_path(c, &sandbox);
  int rc = 0;
  if (n == 0 || !resolved(c))
    return 0;
  if (refused != NULL && refused[0] == 0)
    return 0; /* a format 3 trace: which path is not said */
  for (nj = 0; nj < n; nj++) {
    json_t *fd = json_object_get(args, pa[nj].fd);
    const char *rel = json_string_value(json_object_get(args, pa[nj].path));
    const char *dir = json_is_integer(fd)
                          ? fdt_get(a, (uint32_t)json_integer_value(fd))
                          : NULL;
    if (dir == NULL || rel == NULL)
      break; /* a directory the trace does not name: not judged here */
    if (sandbox && strcmp(refused, rel) == 0)
      break; /* the sandbox stopped it: the guard never heard it */
    paths[nj] = wt_audit_fs_resolve(a, root_of(a, dir), dir, rel,
                                    follows(c->call, args, nj));
    if (paths[nj] == NULL) {
      rc = oom();
      goto out;
    }
    if (walk_failed(a, c, paths[nj]))
      break;
    if (!sandbox && refused != NULL && strcmp(refused, rel) == 0) {
      nj++; /* the policy refused this one: judged, the next not */
      break;
    }
  }
  for (int i = 0; i < nj && rc == 0; i++) {
    unsigned ops = c->call == WT_CALL_path_open
                       ? open_ops(a, c, args, paths[i])
                       : pa[i].ops;
    rc = event(a, c, paths[i], ops, c->err == WT_ESUCCESS);
    if (rc == 0 && a->policy != NULL) {
      wt_policy_verdict_t *v = &a->events[a->nevents - 1].v;
      wt_policy_check_path(a->policy, paths[i], ops, v);
      if (v->denied && !v->would) {
        rc = unmade(a, c, paths, n);
        goto out; /* the guard refused: later paths and effects never were */
      }
    }
  }
  if (rc == 0 && nj == n && c->call == WT_CALL_path_rename &&
      c->err == WT_ESUCCESS) {
    wt_audit_path_t *p = path_of(a, paths[0]);
    if (p != NULL && p->renamed_to == NULL)
      p->renamed_to = strdup(paths[1]);
  }
  if (rc == 0 && nj == n)
    rc = learn(a, c, args, paths, n);
  if (rc == 0 && nj == n && c->call == WT_CALL_path_open &&
      c->err == WT_ESUCCESS) {
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

/* environ_get's results: the strings "NAME=VALUE", names kept. */
static int env_names(wt_audit_t *a, json_t *res) {
  json_t *arr = json_object_get(res, "environ"), *e;
  size_t i;
  a->env_read = true;
  json_array_foreach(arr, i, e) {
    const char *s = json_string_value(e), *eq = s ? strchr(s, '=') : NULL;
    char *name;
    char **g;
    bool seen = false;
    if (eq == NULL || eq == s)
      continue;
    for (uint32_t k = 0; k < a->nenv && !seen; k++)
      seen = strlen(a->env[k]) == (size_t)(eq - s) &&
             strncmp(a->env[k], s, (size_t)(eq - s)) == 0;
    if (seen)
      continue;
    if ((name = strndup(s, (size_t)(eq - s))) == NULL)
      return oom();
    if ((g = realloc(a->env, (a->nenv + 1) * sizeof *g)) == NULL) {
      free(name);
      return oom();
    }
    a->env = g;
    a->env[a->nenv++] = name;
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
      env_names(a, res) < 0)
    goto out;
  if (strncmp(wt_call_name(c->call), "sock_", 5) == 0)
    a->sock_calls++;
  if (c->call == WT_CALL_proc_raise || strstr(wt_call_name(c->call), "signal"))
    a->signal_calls++;
  if (a->policy != NULL) {
    wt_policy_verdict_t v;
    wt_policy_check_call(a->policy, c->call, &v);
    if (v.denied && !v.would) {
      rc = 0; /* refused before the host acted: no path, no fd */
      goto out;
    }
  }
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
  for (uint32_t i = 0; i < a->nroots; i++)
    free(a->roots[i]);
  free(a->roots);
  wt_audit_fs_free(a);
  free(a->paths);
  free(a->fds);
  free(a->env);
  free(a->events);
  memset(a, 0, sizeof *a);
}
