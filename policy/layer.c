/*
 * The enforcing layer: a wt_api_t over any inner table, one thunk per call
 * expanded from core/calls.def. Every thunk asks the same questions of
 * the call's arguments, by kind: is the call (or its family) denied; do
 * its IN_IOVS pass the write limits; do its OUT_IOVS start past the read
 * limit; does it hand out fds (OUT arguments printed as fd) past the open
 * fds limit. Paths are judged by the core's guard (on_path), after the
 * core's resolution. A few calls keep books (close, renumber, the
 * environment); nothing dispatches by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct file_s {
  char *path;
  uint64_t written;
} file_t;

typedef struct slot_s {
  bool mine;    /* an fd the guest opened (counted against open_fds) */
  int32_t file; /* index in files, -1: none */
} slot_t;

struct wt_policy_layer_s {
  const wt_policy_t *p;
  const wt_api_t *inner;
  void *ictx;
  wt_t *core;
  wt_denial_fn log;
  void *log_ud;
  uint64_t ndenials;
  /* The call in progress: whether it was denied (reported) already, and
   * whether the guard saw it create, and the path it opened. */
  uint16_t call;
  bool reported, creating;
  char *opened_path;
  /* Limits. */
  uint64_t written, read, created;
  uint32_t open_fds;
  slot_t *slots;
  uint32_t nslots;
  file_t *files;
  uint32_t nfiles;
  /* The environment the guest sees, when env rules exist. */
  bool env_filtered;
  uint32_t envc;
  uint32_t *env_off;
  char *env_buf;
  uint32_t env_size;
  char *hidden; /* "A, B": the names hidden, for the denial */
  /* Calls with nothing to ask beforehand nor books to keep after: not
   * denied by any rule (complain ones included), and the policy has no
   * limits. They go straight to inner (the syscall storm's fd_write). */
  bool fast[WT_CALL_COUNT];
};

static void report(wt_policy_layer_t *l, const wt_denial_t *d) {
  l->ndenials++;
  l->reported = true;
  if (l->log != NULL)
    l->log(l->log_ud, d);
}

static void deny_simple(wt_policy_layer_t *l, uint8_t source,
                        const wt_policy_verdict_t *v, const char *reason,
                        wt_fd_t fd) {
  wt_denial_t d;
  memset(&d, 0, sizeof d);
  d.call = l->call;
  d.source = source;
  d.would = v->would;
  d.err = v->err;
  d.rule = v->rule;
  d.text = v->text;
  d.reason = reason;
  d.fd = fd;
  report(l, &d);
}

/* A limit exceeded: enforce -> the errno, complain -> logged only. */
static wt_errno_t limit_hit(wt_policy_layer_t *l, unsigned which, wt_fd_t fd) {
  wt_policy_verdict_t v;
  char text[96];
  memset(&v, 0, sizeof v);
  snprintf(text, sizeof text, "limits.%s: %llu", wt_policy_limit_name(which),
           (unsigned long long)wt_policy_limit(l->p, which));
  v.denied = true;
  v.would = wt_policy_mode(l->p) == WT_POLICY_COMPLAIN;
  v.rule = (int32_t)which;
  v.text = text;
  v.err = wt__limit_err(which);
  deny_simple(l, WT_DENY_POLICY, &v, wt_policy_limit_name(which), fd);
  return v.would ? WT_ESUCCESS : v.err;
}

/* ---- the guard ---------------------------------------------------------- */

static wt_errno_t on_path(void *ud, const wt_path_event_t *ev) {
  wt_policy_layer_t *l = ud;
  wt_policy_verdict_t v;
  char preopen[512];
  wt_policy_check_path(l->p, ev->resolved, ev->ops, &v);
  /* A tentative question reports nothing: the core asks again for real
   * (complain mode's would-be denials included). */
  if (v.denied && ev->tentative)
    return v.err != WT_ESUCCESS ? v.err : WT_ENOTCAPABLE;
  if (v.denied) {
    wt_denial_t d;
    char why[160];
    memset(&d, 0, sizeof d);
    snprintf(preopen, sizeof preopen, "%.*s", (int)ev->preopen_len,
             ev->resolved);
    snprintf(why, sizeof why, "%s", wt_path_op_name(__builtin_ctz(v.op)));
    d.call = ev->call;
    d.source = WT_DENY_POLICY;
    d.would = v.would;
    d.err = v.err;
    d.rule = v.rule;
    d.text = v.text;
    d.reason = why;
    d.fd = ev->fd;
    d.preopen = preopen;
    d.given = ev->given;
    d.given_len = ev->given_len;
    d.resolved = ev->resolved;
    report(l, &d);
    if (!v.would)
      return v.err;
  }
  /* A path_open asked again (after a tentative answer the core could not
   * act on) creates only if the followed path's answer says so. */
  if (ev->call == WT_CALL_path_open)
    l->creating = false;
  if (ev->ops & WT_PATH_OP_CREATE) {
    if (l->created >= wt_policy_limit(l->p, WT_POLICY_LIMIT_FILES_CREATED)) {
      wt_errno_t e;
      if (ev->tentative)
        return wt__limit_err(WT_POLICY_LIMIT_FILES_CREATED);
      e = limit_hit(l, WT_POLICY_LIMIT_FILES_CREATED, ev->fd);
      if (e != WT_ESUCCESS)
        return e;
    }
    l->creating = true;
  }
  /* The path an fd was opened on matters only to the per-file limit. */
  if (ev->call == WT_CALL_path_open &&
      wt_policy_limit(l->p, WT_POLICY_LIMIT_BYTES_WRITTEN_PER_FILE) !=
          UINT64_MAX) {
    free(l->opened_path);
    l->opened_path = strdup(ev->resolved);
  }
  return WT_ESUCCESS;
}

static void on_sandbox(void *ud, const wt_sandbox_event_t *ev) {
  wt_policy_layer_t *l = ud;
  wt_denial_t d;
  memset(&d, 0, sizeof d);
  d.call = ev->call;
  d.source = WT_DENY_SANDBOX;
  d.err = ev->err;
  d.rule = -1;
  d.text = wt_sandbox_reason_description(ev->reason);
  d.reason = wt_sandbox_reason_name(ev->reason);
  d.fd = ev->fd;
  d.preopen = ev->preopen;
  d.given = ev->given;
  d.given_len = ev->given_len;
  d.link = ev->link;
  d.target = ev->target;
  report(l, &d);
}

/* ---- books -------------------------------------------------------------- */

static slot_t *slot(wt_policy_layer_t *l, wt_fd_t fd) {
  if (fd >= l->nslots) {
    uint32_t n = fd + 64;
    slot_t *g;
    if (fd > (1u << 24) || (g = realloc(l->slots, n * sizeof *g)) == NULL)
      return NULL;
    for (uint32_t i = l->nslots; i < n; i++)
      g[i] = (slot_t){false, -1};
    l->slots = g;
    l->nslots = n;
  }
  return &l->slots[fd];
}

static int32_t file_index(wt_policy_layer_t *l, char *path) {
  file_t *g;
  for (uint32_t i = 0; i < l->nfiles; i++)
    if (strcmp(l->files[i].path, path) == 0) {
      free(path);
      return (int32_t)i;
    }
  if ((g = realloc(l->files, (l->nfiles + 1) * sizeof *g)) == NULL) {
    free(path);
    return -1;
  }
  l->files = g;
  g[l->nfiles] = (file_t){path, 0};
  return (int32_t)l->nfiles++;
}

/* A new fd from a call: counted, tied to the file path_open judged. */
static void fd_opened(wt_policy_layer_t *l, wt_fd_t fd) {
  slot_t *s = slot(l, fd);
  if (s == NULL)
    return;
  if (!s->mine)
    l->open_fds++;
  s->mine = true;
  s->file = -1;
  if (l->call == WT_CALL_path_open && l->opened_path != NULL) {
    s->file = file_index(l, l->opened_path);
    l->opened_path = NULL;
  }
}

static void fd_gone(wt_policy_layer_t *l, wt_fd_t fd) {
  slot_t *s = fd < l->nslots ? &l->slots[fd] : NULL;
  if (s == NULL)
    return;
  if (s->mine)
    l->open_fds--;
  *s = (slot_t){false, -1};
}

/* ---- the questions every call is asked ------------------------------------ */

typedef struct pre_s {
  uint64_t wbytes;  /* IN_IOVS total */
  bool writes, reads;
  wt_fd_t fd, fd2;  /* the first two fd arguments */
  void *out[2];     /* the first two OUT arguments */
  wt_strtab_t *strtab;
  uint32_t *nread;  /* OUT_IOVS: the bytes-read out argument */
  uint32_t *newfd[2];
  uint32_t nnew, nout;
} pre_t;

static uint64_t ciov_total(const wt_ciovec_t *v, uint32_t n) {
  uint64_t t = 0;
  for (uint32_t i = 0; i < n; i++)
    t += v[i].buf_len;
  return t;
}

static wt_errno_t before(wt_policy_layer_t *l, pre_t *pre) {
  wt_policy_verdict_t v;
  wt_policy_check_call(l->p, l->call, &v);
  if (v.denied) {
    deny_simple(l, WT_DENY_POLICY, &v, "call", pre->fd);
    if (!v.would)
      return v.err;
  }
  if (pre->writes) {
    uint64_t lim = wt_policy_limit(l->p, WT_POLICY_LIMIT_BYTES_WRITTEN);
    uint64_t per = wt_policy_limit(l->p, WT_POLICY_LIMIT_BYTES_WRITTEN_PER_FILE);
    slot_t *s = pre->fd < l->nslots ? &l->slots[pre->fd] : NULL;
    wt_errno_t e = WT_ESUCCESS;
    if (lim != UINT64_MAX && pre->wbytes > lim - (l->written < lim ? l->written : lim))
      e = limit_hit(l, WT_POLICY_LIMIT_BYTES_WRITTEN, pre->fd);
    else if (per != UINT64_MAX && s != NULL && s->file >= 0 &&
             pre->wbytes + l->files[s->file].written > per)
      e = limit_hit(l, WT_POLICY_LIMIT_BYTES_WRITTEN_PER_FILE, pre->fd);
    if (e != WT_ESUCCESS)
      return e;
  }
  if (pre->reads &&
      l->read >= wt_policy_limit(l->p, WT_POLICY_LIMIT_BYTES_READ)) {
    wt_errno_t e = limit_hit(l, WT_POLICY_LIMIT_BYTES_READ, pre->fd);
    if (e != WT_ESUCCESS)
      return e;
  }
  if (pre->nnew > 0 && l->open_fds + pre->nnew >
                           wt_policy_limit(l->p, WT_POLICY_LIMIT_OPEN_FDS)) {
    wt_errno_t e = limit_hit(l, WT_POLICY_LIMIT_OPEN_FDS, pre->fd);
    if (e != WT_ESUCCESS)
      return e;
  }
  return WT_ESUCCESS;
}

static void fd_renumbered(wt_policy_layer_t *l, wt_fd_t fd, wt_fd_t to) {
  slot_t keep = fd < l->nslots ? l->slots[fd] : (slot_t){false, -1};
  slot_t *t;
  if (fd == to)
    return;
  if (l->slots != NULL && fd < l->nslots)
    l->slots[fd] = (slot_t){false, -1};
  fd_gone(l, to);
  if ((t = slot(l, to)) != NULL)
    *t = keep;
}

static void done(wt_policy_layer_t *l, const pre_t *pre);

static void after(wt_policy_layer_t *l, wt_errno_t e, const pre_t *pre) {
  if (e == WT_ENOTCAPABLE && !l->reported) {
    wt_policy_verdict_t v = {true, false, -1, "the fd lacks a right", 0, e};
    deny_simple(l, WT_DENY_RIGHTS, &v, NULL, pre->fd);
  }
  if (e == WT_ESUCCESS)
    done(l, pre);
  if (l->opened_path != NULL) {
    free(l->opened_path);
    l->opened_path = NULL;
  }
}

/* A call of the fast path that the core refused for a missing right. */
static __attribute__((noinline)) void rights_denied(wt_policy_layer_t *l,
                                                    wt_errno_t e, wt_fd_t fd) {
  wt_policy_verdict_t v = {true, false, -1, "the fd lacks a right", 0, e};
  deny_simple(l, WT_DENY_RIGHTS, &v, NULL, fd);
}

/* The books of a call that succeeded. */
static void done(wt_policy_layer_t *l, const pre_t *pre) {
  if (l->creating)
    l->created++;
  if (pre->writes) {
    slot_t *s = pre->fd < l->nslots ? &l->slots[pre->fd] : NULL;
    l->written += pre->wbytes;
    if (s != NULL && s->file >= 0)
      l->files[s->file].written += pre->wbytes;
  }
  if (pre->reads && pre->nread != NULL)
    l->read += *pre->nread;
  for (uint32_t i = 0; i < pre->nnew; i++)
    fd_opened(l, *pre->newfd[i]);
  if (l->call == WT_CALL_fd_close)
    fd_gone(l, pre->fd);
  else if (l->call == WT_CALL_fd_renumber)
    fd_renumbered(l, pre->fd, pre->fd2);
}

/* Per-kind argument walks (see callgen.h). PQ_IS_FD(fmt) is 1 for the
 * fmt token `fd` (an fd handed out), else 0. */
#define PQ_CHECK_N(x, n, ...) n
#define PQ_CHECK(...) PQ_CHECK_N(__VA_ARGS__, 0, )
#define PQ_PROBE ~, 1,
#define PQ_IS_FD_fd PQ_PROBE
#define PQ_IS_FD(fmt) PQ_CHECK(WT_CAT(PQ_IS_FD_, fmt))

#define PQ_VOID()
#define PQ_FD(name, right)                                                     \
  if (pre.fd == UINT32_MAX)                                                    \
    pre.fd = name;                                                             \
  else                                                                         \
    pre.fd2 = name;
#define PQ_IN(type, name, fmt)
#define PQ_IN_STR(name)
#define PQ_IN_IOVS(name)                                                       \
  pre.writes = true;                                                           \
  pre.wbytes += ciov_total(name, name##_len);
#define PQ_OUT_IOVS(name, used)                                                \
  pre.reads = true;                                                            \
  pre.nread = used;
#define PQ_OUT_BUF(name, used)
#define PQ_OUT_BYTES(name)
#define PQ_OUT(type, name, fmt)                                                \
  if (pre.nout < 2)                                                            \
    pre.out[pre.nout++] = name;                                                \
  if (PQ_IS_FD(fmt) && pre.nnew < 2)                                           \
    pre.newfd[pre.nnew++] = (uint32_t *)(void *)name;
#define PQ_IN_ARRAY(type, name, count, fmt)
#define PQ_OUT_ARRAY(type, name, count, used, fmt)
#define PQ_IN_OPT(type, name, fmt)
#define PQ_OUT_STRTAB(name) pre.strtab = name;

static wt_errno_t env_get(wt_policy_layer_t *l, wt_strtab_t *t);
static wt_errno_t env_sizes(wt_policy_layer_t *l, void *c, void *s);

/* The fast path's walk: only the first fd argument, for a rights denial. */
#define PF_VOID()
#define PF_FD(name, right)                                                     \
  if (pf_fd_ == UINT32_MAX)                                                    \
    pf_fd_ = name;
#define PF_IN(type, name, fmt)
#define PF_IN_STR(name)
#define PF_IN_IOVS(name)
#define PF_OUT_IOVS(name, used)
#define PF_OUT_BUF(name, used)
#define PF_OUT_BYTES(name)
#define PF_OUT(type, name, fmt)
#define PF_IN_ARRAY(type, name, count, fmt)
#define PF_OUT_ARRAY(type, name, count, used, fmt)
#define PF_IN_OPT(type, name, fmt)
#define PF_OUT_STRTAB(name)

/*
 * One thunk per call. A fast call goes straight to inner and only hears
 * whether the core refused it (the guard may still judge its paths). The
 * environment calls are answered here when env rules filter it (the
 * constant comparisons fold away elsewhere).
 */
#define WT_CALL(name, set, fam, ret, ...)                                      \
  static wt_errno_t pl_##name(void *ctx WT_ARGS(WT_HP, __VA_ARGS__)) {         \
    wt_policy_layer_t *l = ctx;                                                \
    pre_t pre;                                                                 \
    wt_errno_t e;                                                              \
    if (l->fast[WT_CALL_##name]) {                                             \
      wt_fd_t pf_fd_ = UINT32_MAX;                                             \
      l->call = WT_CALL_##name;                                                \
      l->reported = false;                                                     \
      e = l->inner->name(l->ictx WT_ARGS(WT_HN, __VA_ARGS__));                 \
      if (e == WT_ENOTCAPABLE && !l->reported) {                               \
        WT_ARGS(PF, __VA_ARGS__)                                               \
        rights_denied(l, e, pf_fd_);                                           \
      }                                                                        \
      return e;                                                                \
    }                                                                          \
    memset(&pre, 0, sizeof pre);                                               \
    pre.fd = pre.fd2 = UINT32_MAX;                                             \
    l->call = WT_CALL_##name;                                                  \
    l->reported = l->creating = false;                                         \
    WT_ARGS(PQ, __VA_ARGS__)                                                   \
    if ((e = before(l, &pre)) != WT_ESUCCESS)                                  \
      return e;                                                                \
    if (WT_CALL_##name == WT_CALL_environ_get && l->env_filtered)              \
      e = env_get(l, pre.strtab);                                              \
    else if (WT_CALL_##name == WT_CALL_environ_sizes_get && l->env_filtered)   \
      e = env_sizes(l, pre.out[0], pre.out[1]);                                \
    else                                                                       \
      e = l->inner->name(l->ictx WT_ARGS(WT_HN, __VA_ARGS__));                 \
    after(l, e, &pre);                                                         \
    return e;                                                                  \
  }
#include "wt/calls.def"
#undef WT_CALL

static wt_errno_t pl_refused(void *ctx, const wt_refusal_t *r) {
  wt_policy_layer_t *l = ctx;
  wt_policy_verdict_t v = {true, false, -1, r->arg, 0, r->err};
  l->call = r->call;
  l->reported = false;
  deny_simple(l, WT_DENY_ABI, &v, r->arg, UINT32_MAX);
  return l->inner->refused != NULL ? l->inner->refused(l->ictx, r) : r->err;
}

static const wt_api_t policy_api = {
#define WT_CALL(name, set, fam, ret, ...) .name = pl_##name,
#include "wt/calls.def"
#undef WT_CALL
    .refused = pl_refused,
};

const wt_api_t *wt_policy_api(void) {
  return &policy_api;
}

/* ---- the environment ------------------------------------------------------ */

static wt_errno_t env_sizes(wt_policy_layer_t *l, void *c, void *s) {
  *(uint32_t *)c = l->envc;
  *(uint32_t *)s = l->env_size;
  return WT_ESUCCESS;
}

static wt_errno_t env_get(wt_policy_layer_t *l, wt_strtab_t *t) {
  if (t->offsets_cap < l->envc || t->buf_cap < l->env_size)
    return WT_EFAULT;
  memcpy(t->offsets, l->env_off, (size_t)l->envc * sizeof *l->env_off);
  memcpy(t->buf, l->env_buf, l->env_size);
  t->count = l->envc;
  t->buf_used = l->env_size;
  if (l->hidden != NULL) {
    wt_policy_verdict_t v = {true, wt_policy_mode(l->p) == WT_POLICY_COMPLAIN,
                             -1, l->hidden, 0, WT_ENOTCAPABLE};
    deny_simple(l, WT_DENY_POLICY, &v, "env", UINT32_MAX);
  }
  return WT_ESUCCESS;
}

/* The variables the guest sees (all of them in complain mode) and the
 * names hidden, for the denial environ_get reports. */
static int env_filter(wt_policy_layer_t *l, const char *const *envp) {
  size_t size = 0, hid = 0, n = 0;
  bool complain = wt_policy_mode(l->p) == WT_POLICY_COMPLAIN;
  for (const char *const *e = envp; e != NULL && *e != NULL; e++, n++)
    size += strlen(*e) + 1;
  l->env_off = calloc(n + 1, sizeof *l->env_off);
  l->env_buf = malloc(size + 1);
  l->hidden = malloc(size + 64);
  if (l->env_off == NULL || l->env_buf == NULL || l->hidden == NULL)
    return -1;
  hid = (size_t)snprintf(l->hidden, 64, "env: hides ");
  for (const char *const *e = envp; e != NULL && *e != NULL; e++) {
    size_t len = strlen(*e), name = strcspn(*e, "=");
    wt_policy_verdict_t v;
    wt_policy_check_env(l->p, *e, name, &v);
    if (v.denied) {
      memcpy(l->hidden + hid, *e, name);
      hid += name;
      memcpy(l->hidden + hid, ", ", 3);
      hid += 2;
      if (!complain)
        continue;
    }
    l->env_off[l->envc++] = l->env_size;
    memcpy(l->env_buf + l->env_size, *e, len + 1);
    l->env_size += (uint32_t)len + 1;
  }
  if (hid > strlen("env: hides ")) {
    l->hidden[hid - 2] = '\0';
  } else {
    free(l->hidden);
    l->hidden = NULL;
  }
  l->env_filtered = true;
  return 0;
}

/* ---- lifetime ------------------------------------------------------------- */

/* Which calls take the fast path: with no limit there are no books to
 * keep, and a call no rule names has nothing to be asked. */
static void set_fast(wt_policy_layer_t *l) {
  bool limits = false;
  for (unsigned i = 0; i < WT_POLICY_LIMIT_COUNT; i++)
    limits = limits || wt_policy_limit(l->p, i) != UINT64_MAX;
  for (unsigned c = 0; c < WT_CALL_COUNT; c++) {
    wt_policy_verdict_t v;
    wt_policy_check_call(l->p, c, &v);
    l->fast[c] = !limits && !v.denied &&
                 !(l->env_filtered && (c == WT_CALL_environ_get ||
                                       c == WT_CALL_environ_sizes_get));
  }
}

int wt_policy_layer_open(const wt_policy_t *p, const wt_api_t *inner,
                         void *inner_ctx, wt_t *core,
                         const char *const *envp, wt_denial_fn log,
                         void *log_ud, wt_policy_layer_t **out) {
  wt_policy_layer_t *l = calloc(1, sizeof *l);
  /* on_path answers tentative questions (it reports nothing for them). */
  wt_guard_t g = {on_path, on_sandbox, NULL, true};
  if (l == NULL)
    return -1;
  l->p = p;
  l->inner = inner;
  l->ictx = inner_ctx;
  l->core = core;
  l->log = log;
  l->log_ud = log_ud;
  if (p->env_kind != 0 && env_filter(l, envp) < 0) {
    wt_policy_layer_close(l);
    return -1;
  }
  set_fast(l);
  g.ud = l;
  if (core != NULL)
    wt_set_guard(core, &g);
  *out = l;
  return 0;
}

uint64_t wt_policy_layer_denials(const wt_policy_layer_t *l) {
  return l->ndenials;
}

void wt_policy_layer_close(wt_policy_layer_t *l) {
  if (l == NULL)
    return;
  if (l->core != NULL)
    wt_set_guard(l->core, NULL);
  for (uint32_t i = 0; i < l->nfiles; i++)
    free(l->files[i].path);
  free(l->files);
  free(l->slots);
  free(l->opened_path);
  free(l->env_off);
  free(l->env_buf);
  free(l->hidden);
  free(l);
}
