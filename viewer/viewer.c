/*
 * The viewer's state: options, and the fd table behind -y, rebuilt from
 * the fd transitions of the records (FD_OPENED, FD_CLOSED, FD_RENUMBERED,
 * FD_DUPLICATED) and seeded with stdio and the preopens of the metadata.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "viewer_internal.h"

void wt_view_options_init(wt_view_options_t *o) {
  memset(o, 0, sizeof *o);
  o->strsize = 32;
  o->show_seq = true;
  o->show_times = true;
}

int wt_viewer_new(const wt_view_options_t *o, wt_viewer_t **out) {
  wt_viewer_t *v = calloc(1, sizeof *v);
  static const char *const stdio[3] = {"stdin", "stdout", "stderr"};
  if (v == NULL) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  if (o != NULL)
    v->o = *o;
  else
    wt_view_options_init(&v->o);
  for (uint32_t fd = 0; fd < 3; fd++)
    if (wt__view_set_label(v, fd, stdio[fd], strlen(stdio[fd])) < 0) {
      wt_viewer_free(v);
      wt_trace_set_error("out of memory");
      return -1;
    }
  *out = v;
  return 0;
}

void wt_viewer_free(wt_viewer_t *v) {
  if (v == NULL)
    return;
  for (uint32_t i = 0; i < v->nlabels; i++)
    free(v->labels[i]);
  free(v->labels);
  wt__sb_free(&v->out);
  wt__sb_free(&v->tmp);
  wt__view_filter_free(&v->f);
  wt_trace_summary_free(&v->sum);
  free(v);
}

/* ---- the fd table ------------------------------------------------------- */

const char *wt_viewer_fd_label(const wt_viewer_t *v, uint32_t fd) {
  return fd < v->nlabels ? v->labels[fd] : NULL;
}

int wt__view_set_label(wt_viewer_t *v, uint32_t fd, const char *s, size_t n) {
  char *copy = NULL;
  if (fd >= WT__VIEW_MAX_FD)
    return 0;
  if (fd >= v->nlabels) {
    uint32_t cap = v->nlabels ? v->nlabels : 16;
    char **grown;
    while (cap <= fd)
      cap *= 2;
    if ((grown = realloc(v->labels, cap * sizeof *grown)) == NULL)
      return -1;
    memset(grown + v->nlabels, 0, (cap - v->nlabels) * sizeof *grown);
    v->labels = grown;
    v->nlabels = cap;
  }
  if (s != NULL) {
    if ((copy = malloc(n + 1)) == NULL)
      return -1;
    memcpy(copy, s, n);
    copy[n] = 0;
  }
  free(v->labels[fd]);
  v->labels[fd] = copy;
  return 0;
}

/* Fds 3, 4, ... are the preopened directories, then the sockets. */
static int meta_preopens(wt_viewer_t *v, const char *text, bool sockets) {
  json_error_t err;
  json_t *a = json_loads(text, 0, &err);
  uint32_t fd = 3;
  size_t i;
  json_t *e;
  if (!json_is_array(a)) {
    json_decref(a);
    wt_trace_set_error("metadata %s: not a JSON array",
                       sockets ? "socket_preopens" : "preopens");
    return -1;
  }
  /* Sockets come after the directories. */
  while (sockets && fd < v->nlabels && v->labels[fd] != NULL &&
         strncmp(v->labels[fd], "socket", 6) != 0)
    fd++;
  json_array_foreach(a, i, e) {
    const char *s = json_string_value(
        json_object_get(e, sockets ? "address" : "guest"));
    char label[512];
    if (sockets)
      snprintf(label, sizeof label, "socket:%s", s != NULL ? s : "?");
    else
      snprintf(label, sizeof label, "%s", s != NULL ? s : "?");
    if (wt__view_set_label(v, fd++, label, strlen(label)) < 0)
      break;
  }
  json_decref(a);
  return 0;
}

int wt_viewer_meta(wt_viewer_t *v, const wt_trace_meta_t *m) {
  if (m->type != WT_META_JSON || m->text == NULL)
    return 0;
  if (strcmp(m->key, "preopens") == 0)
    return meta_preopens(v, m->text, false);
  if (strcmp(m->key, "socket_preopens") == 0)
    return meta_preopens(v, m->text, true);
  return 0;
}

/*
 * What a new fd stands for: the path the call named, relative to its
 * directory fd as the guest passed it ("/data" + "in.txt"), or the kind of
 * object its family of calls makes. Fds handed out by calls of other
 * families keep their filetype's name.
 */
static void new_label(wt_viewer_t *v, const wt_trace_call_t *c,
                      const wt__scan_t *s, const wt_transition_t *tr,
                      char *out, size_t size) {
  static const struct {
    const char *family, *label;
  } kinds[] = {{"event", "eventfd"}, {"epoll", "epoll"}, {"sock", "socket"}};
  const char *fam = wt__call_family(c->call);
  if (s->nstrs > 0) {
    const char *dir = s->nfds > 0 ? wt_viewer_fd_label(v, s->fds[0]) : NULL;
    int n = (int)(s->str_lens[0] < 400 ? s->str_lens[0] : 400);
    if (dir == NULL || s->strs[0][0] == '/')
      snprintf(out, size, "%.*s", n, (const char *)s->strs[0]);
    else
      snprintf(out, size, "%.*s%s%.*s", 100, dir,
               dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", n,
               (const char *)s->strs[0]);
    return;
  }
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp(fam, kinds[i].family) == 0) {
      snprintf(out, size, "%s", kinds[i].label);
      return;
    }
  /* A host object without a path or a family of its own: fd_pipe's ends. */
  if (tr->a == WT_FILETYPE_UNKNOWN) {
    snprintf(out, size, "pipe");
    return;
  }
  wt_trace_format_value("filetype", &(uint8_t){(uint8_t)tr->a}, 1, out, size);
}

void wt__view_apply(wt_viewer_t *v, const wt_trace_call_t *c,
                    const wt__scan_t *s) {
  for (uint32_t i = 0; i < c->ntransitions; i++) {
    const wt_transition_t *tr = &c->transitions[i];
    const char *from;
    char label[512];
    switch (tr->kind) {
    case WT_TR_FD_OPENED:
      new_label(v, c, s, tr, label, sizeof label);
      wt__view_set_label(v, tr->fd, label, strlen(label));
      break;
    case WT_TR_FD_CLOSED:
      wt__view_set_label(v, tr->fd, NULL, 0);
      break;
    case WT_TR_FD_RENUMBERED:
    case WT_TR_FD_DUPLICATED:
      from = wt_viewer_fd_label(v, tr->fd);
      snprintf(label, sizeof label, "%s", from != NULL ? from : "");
      wt__view_set_label(v, tr->fd2, from != NULL ? label : NULL,
                         strlen(label));
      if (tr->kind == WT_TR_FD_RENUMBERED)
        wt__view_set_label(v, tr->fd, NULL, 0);
      break;
    default:
      break;
    }
  }
}

void wt_viewer_skip(wt_viewer_t *v, const wt_trace_call_t *c) {
  wt__scan_t s;
  wt__view_scan(c, &s);
  wt__view_apply(v, c, &s);
}

/* ---- the scan ----------------------------------------------------------- */

static void scan_fd(wt__scan_t *s, uint32_t fd) {
  if (s->nfds < WT__SCAN_MAX)
    s->fds[s->nfds++] = fd;
}

static void scan_str(wt__scan_t *s, wt__cur_t *a) {
  uint32_t n = wt__cur_u32(a);
  const uint8_t *p = wt__cur_take(a, n);
  if (p != NULL && s->nstrs < WT__SCAN_MAX) {
    s->strs[s->nstrs] = p;
    s->str_lens[s->nstrs++] = n;
  }
}

/* Skips a length-prefixed run of n-byte units. */
static void scan_skip(wt__cur_t *a, size_t unit) {
  uint32_t n = wt__cur_u32(a);
  wt__cur_take(a, (size_t)n * unit);
}

#define SA_VOID()
#define SA_FD(name, right) scan_fd(s, wt__cur_u32(&a));
#define SA_IN(type, name, fmt) wt__cur_u64(&a);
#define SA_IN_STR(name) scan_str(s, &a);
#define SA_IN_IOVS(name) scan_skip(&a, 4);
#define SA_OUT_IOVS(name, used) scan_skip(&a, 4);
#define SA_OUT_BUF(name, used) wt__cur_u32(&a);
#define SA_OUT_BYTES(name) wt__cur_u32(&a);
#define SA_OUT(type, name, fmt)
#define SA_IN_ARRAY(type, name, count, fmt) scan_skip(&a, 1);
#define SA_OUT_ARRAY(type, name, count, used, fmt)
#define SA_IN_OPT(type, name, fmt)                                             \
  {                                                                            \
    const uint8_t *p_ = wt__cur_take(&a, 1);                                   \
    if (p_ != NULL && *p_)                                                     \
      wt__cur_take(&a, sizeof(type));                                          \
  }
#define SA_OUT_STRTAB(name)                                                    \
  wt__cur_u32(&a);                                                             \
  wt__cur_u32(&a);

/* Results: fd values handed out. Only OUTs before the last need skipping
 * exactly, and every OUT is fixed-size but arrays and string tables. */
#define SR_VOID()
#define SR_FD(name, right)
#define SR_IN(type, name, fmt)
#define SR_IN_STR(name)
#define SR_IN_IOVS(name)
#define SR_OUT_IOVS(name, used)
#define SR_OUT_BUF(name, used)
#define SR_OUT_BYTES(name)
#define SR_OUT(type, name, fmt)                                                \
  {                                                                            \
    const uint8_t *p_ = wt__cur_take(&r, sizeof(type));                        \
    if (p_ != NULL && sizeof(type) == 4 && strcmp(#fmt, "fd") == 0 &&         \
        s->nnew < WT__SCAN_MAX)                                                \
      s->newfds[s->nnew++] = wt__ld32(p_);                                     \
  }
#define SR_IN_ARRAY(type, name, count, fmt)
#define SR_OUT_ARRAY(type, name, count, used, fmt) scan_skip(&r, sizeof(type));
#define SR_IN_OPT(type, name, fmt)
#define SR_OUT_STRTAB(name)                                                    \
  {                                                                            \
    uint32_t n_ = wt__cur_u32(&r), used_ = wt__cur_u32(&r);                    \
    wt__cur_take(&r, 4 * (size_t)n_);                                          \
    wt__cur_take(&r, used_);                                                   \
  }

#define WT_CALL(name, set, fam, ret, ...)                                      \
  static void scan_##name(const wt_trace_call_t *c, wt__scan_t *s) {           \
    wt__cur_t a = {c->args, c->args + c->args_len, false};                     \
    wt__cur_t r = {c->results, c->results + c->results_len, false};            \
    WT_ARGS(SA, __VA_ARGS__)                                                   \
    if (c->err == WT_ESUCCESS) {                                               \
      WT_ARGS(SR, __VA_ARGS__)                                                 \
    }                                                                          \
    s->bad = a.bad || r.bad || a.p != a.end;                                   \
    (void)r;                                                                   \
  }
#include "wt/calls.def"
#undef WT_CALL

static void (*const scanners[WT_CALL_COUNT])(const wt_trace_call_t *,
                                             wt__scan_t *) = {
#define WT_CALL(name, set, fam, ret, ...) scan_##name,
#include "wt/calls.def"
#undef WT_CALL
};

/* A refused call: its raw parameters, u64 each; fd parameters by name. */
static void scan_refused(const wt_trace_call_t *c, wt__scan_t *s) {
  uint32_t n = 0;
  const wt_guest_param_t *gp = wt_call_guest_params(c->call, &n);
  wt__cur_t a = {c->args, c->args + c->args_len, false};
  for (uint32_t i = 0; i < n; i++) {
    uint64_t v = wt__cur_u64(&a);
    if (gp[i].fd && v <= UINT32_MAX)
      scan_fd(s, (uint32_t)v);
  }
  s->bad = a.bad;
}

void wt__view_scan(const wt_trace_call_t *c, wt__scan_t *s) {
  memset(s, 0, sizeof *s);
  if (c->call >= WT_CALL_COUNT) {
    s->bad = true;
    return;
  }
  if (wt_trace_call_refused(c))
    scan_refused(c, s);
  else
    scanners[c->call](c, s);
}
