/*
 * Filters: which records a view shows. Call classes come from calls.def
 * (each call's family, and whether it takes or hands out an fd), so a new
 * call joins its classes without an edit here.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>

#include "viewer_internal.h"

static const char *const families[WT_CALL_COUNT] = {
#define WT_CALL(name, set, fam, ret, ...) #fam,
#include "wt/calls.def"
#undef WT_CALL
};

const char *wt__call_family(unsigned call) {
  return call < WT_CALL_COUNT ? families[call] : "?";
}

/* Whether a call takes an fd argument or hands one out. */
#define HF_VOID()
#define HF_FD(name, right) || 1
#define HF_IN(type, name, fmt)
#define HF_IN_STR(name)
#define HF_IN_IOVS(name)
#define HF_OUT_IOVS(name, used)
#define HF_OUT_BUF(name, used)
#define HF_OUT_BYTES(name)
#define HF_OUT(type, name, fmt) || (strcmp(#fmt, "fd") == 0)
#define HF_IN_ARRAY(type, name, count, fmt)
#define HF_OUT_ARRAY(type, name, count, used, fmt)
#define HF_IN_OPT(type, name, fmt)
#define HF_OUT_STRTAB(name)

static bool has_fd(unsigned call) {
  switch (call) {
#define WT_CALL(name, set, fam, ret, ...)                                      \
  case WT_CALL_##name:                                                         \
    return 0 WT_ARGS(HF, __VA_ARGS__);
#include "wt/calls.def"
#undef WT_CALL
  }
  return false;
}

/*
 * strace's classes (-e trace=CLASS) as families of calls.def: "file" are
 * the path calls, "desc" every call on or making an fd (computed).
 */
static const struct {
  const char *cls;
  const char *families[4];
} classes[] = {
    {"file", {"path"}},
    {"clock", {"clock"}},
    {"poll", {"poll", "epoll"}},
    {"proc", {"proc", "args", "signal"}},
    {"sock", {"sock"}},
    {"event", {"event", "epoll"}},
};

static bool in_class(unsigned call, const char *cls) {
  const char *fam = families[call];
  if (strcmp(cls, "desc") == 0)
    return has_fd(call);
  if (strcmp(cls, fam) == 0)
    return true;
  for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
    if (strcmp(classes[i].cls, cls) == 0)
      for (size_t k = 0; k < 4 && classes[i].families[k]; k++)
        if (strcmp(classes[i].families[k], fam) == 0)
          return true;
  return false;
}

static bool is_class(const char *cls) {
  if (strcmp(cls, "desc") == 0)
    return true;
  for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
    if (strcmp(classes[i].cls, cls) == 0)
      return true;
  for (unsigned c = 0; c < WT_CALL_COUNT; c++)
    if (strcmp(families[c], cls) == 0)
      return true;
  return false;
}

/* NAME,... (names or classes): intersected with the calls already kept. */
static int calls_filter(wt__vfilter_t *f, const char *value, bool by_class) {
  bool set[WT_CALL_COUNT] = {false};
  const char *p = value;
  while (*p) {
    size_t n = strcspn(p, ",");
    char item[64];
    int id;
    snprintf(item, sizeof item, "%.*s", (int)(n < 63 ? n : 63), p);
    if (!by_class && (id = wt_call_lookup(p, n)) >= 0) {
      set[id] = true;
    } else if (is_class(item)) {
      for (unsigned c = 0; c < WT_CALL_COUNT; c++)
        set[c] = set[c] || in_class(c, item);
    } else if (n > 0) {
      wt_trace_set_error("unknown %s '%s'", by_class ? "class" : "call",
                         item);
      return -1;
    }
    p += n;
    if (*p == ',')
      p++;
  }
  for (unsigned c = 0; c < WT_CALL_COUNT; c++)
    f->calls[c] = (f->calls_set ? f->calls[c] : true) && set[c];
  f->calls_set = true;
  return 0;
}

static int errno_of(const char *s, size_t n) {
  char name[32];
  if (n > 1 && s[0] == 'E' && s[1] != 0) {
    snprintf(name, sizeof name, "%.*s", (int)(n < 31 ? n : 31), s);
    for (int e = 0; e < 256; e++)
      if (strcmp(wt_errno_name((wt_errno_t)e), name) == 0)
        return e;
    s++, n--;
  }
  snprintf(name, sizeof name, "%.*s", (int)(n < 31 ? n : 31), s);
  for (int e = 0; e < 256; e++)
    if (strcmp(wt_errno_name((wt_errno_t)e), name) == 0)
      return e;
  return -1;
}

static int errno_filter(wt__vfilter_t *f, const char *value) {
  bool set[256] = {false};
  const char *p = value;
  while (*p) {
    size_t n = strcspn(p, ",");
    int e = errno_of(p, n);
    if (e < 0) {
      wt_trace_set_error("unknown errno '%.*s'", (int)n, p);
      return -1;
    }
    set[e] = true;
    p += n;
    if (*p == ',')
      p++;
  }
  for (int e = 0; e < 256; e++)
    f->errnos[e] = (f->errnos_set ? f->errnos[e] : true) && set[e];
  f->errnos_set = true;
  return 0;
}

static bool parse_u32(const char *s, size_t n, uint32_t *out) {
  char buf[16], *end;
  unsigned long v;
  if (n == 0 || n >= sizeof buf || s[0] == '-' || s[0] == '+')
    return false;
  memcpy(buf, s, n);
  buf[n] = 0;
  errno = 0;
  v = strtoul(buf, &end, 10);
  if (*end != 0 || errno != 0 || v > UINT32_MAX)
    return false;
  *out = (uint32_t)v;
  return true;
}

static int fd_filter(wt__vfilter_t *f, const char *value) {
  const char *p = value;
  if (f->nfd_sets == sizeof f->fd_sets / sizeof f->fd_sets[0]) {
    wt_trace_set_error("too many --fd filters");
    return -1;
  }
  f->fd_sets[f->nfd_sets].n = 0;
  while (*p) {
    size_t n = strcspn(p, ",");
    uint32_t fd;
    if (!parse_u32(p, n, &fd) || f->fd_sets[f->nfd_sets].n == 16) {
      wt_trace_set_error("--fd wants fd numbers (at most 16), not '%s'",
                         value);
      return -1;
    }
    f->fd_sets[f->nfd_sets].fds[f->fd_sets[f->nfd_sets].n++] = fd;
    p += n;
    if (*p == ',')
      p++;
  }
  if (f->fd_sets[f->nfd_sets].n == 0) {
    wt_trace_set_error("--fd wants an fd number");
    return -1;
  }
  f->nfd_sets++;
  return 0;
}

/* A number of seconds with up to 9 decimals, as ns. */
static bool parse_seconds(const char *s, size_t n, uint64_t *ns) {
  uint64_t whole = 0, frac = 0, scale = 1000000000ull;
  size_t i = 0;
  if (n == 0)
    return false;
  for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
    if (whole > 18000000000ull)
      return false;
    whole = whole * 10 + (uint64_t)(s[i] - '0');
  }
  if (i < n && s[i] == '.')
    for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
      if (scale > 1) {
        scale /= 10;
        frac += (uint64_t)(s[i] - '0') * scale;
      }
  if (i != n)
    return false;
  *ns = whole * 1000000000ull + frac;
  return true;
}

static bool parse_u64(const char *s, size_t n, uint64_t *out) {
  char buf[24], *end;
  if (n == 0 || n >= sizeof buf || s[0] < '0' || s[0] > '9')
    return false;
  memcpy(buf, s, n);
  buf[n] = 0;
  errno = 0;
  *out = strtoull(buf, &end, 10);
  return *end == 0 && errno == 0;
}

/* A..B, A.., ..B or A (for seq: one value). */
static int range_filter(const char *value, bool seconds, uint64_t *lo,
                        uint64_t *hi) {
  const char *dots = strstr(value, "..");
  size_t n1 = dots ? (size_t)(dots - value) : strlen(value);
  const char *b = dots ? dots + 2 : NULL;
  bool ok = true;
  *lo = 0;
  *hi = UINT64_MAX;
  if (n1 > 0)
    ok = seconds ? parse_seconds(value, n1, lo) : parse_u64(value, n1, lo);
  if (ok && b != NULL && *b)
    ok = seconds ? parse_seconds(b, strlen(b), hi)
                 : parse_u64(b, strlen(b), hi);
  else if (ok && b == NULL)
    *hi = *lo;
  if (!ok || (dots == NULL && n1 == 0) || *lo > *hi) {
    wt_trace_set_error("--%s wants A..B (%s), not '%s'",
                       seconds ? "time" : "seq",
                       seconds ? "seconds" : "sequence numbers", value);
    return -1;
  }
  return 0;
}

int wt_viewer_filter(wt_viewer_t *v, const char *what, const char *value) {
  wt__vfilter_t *f = &v->f;
  int rc = -1;
  bool needs = strcmp(what, "failed") != 0 && strcmp(what, "denied") != 0;
  if (needs && value == NULL) {
    wt_trace_set_error("filter %s needs a value", what);
    return -1;
  }
  if (strcmp(what, "call") == 0 || strcmp(what, "trace") == 0) {
    rc = calls_filter(f, value, what[0] == 't');
  } else if (strcmp(what, "fd") == 0) {
    rc = fd_filter(f, value);
  } else if (strcmp(what, "path") == 0) {
    if (f->nglobs == sizeof f->globs / sizeof f->globs[0]) {
      wt_trace_set_error("too many --path filters");
      return -1;
    }
    if ((f->globs[f->nglobs] = strdup(value)) == NULL) {
      wt_trace_set_error("out of memory");
      return -1;
    }
    f->nglobs++;
    rc = 0;
  } else if (strcmp(what, "failed") == 0) {
    f->failed = true;
    rc = 0;
  } else if (strcmp(what, "denied") == 0) {
    f->denied = true;
    rc = 0;
  } else if (strcmp(what, "errno") == 0) {
    rc = errno_filter(f, value);
  } else if (strcmp(what, "seq") == 0) {
    rc = range_filter(value, false, &f->seq_lo, &f->seq_hi);
    f->seq_set = rc == 0;
  } else if (strcmp(what, "time") == 0) {
    rc = range_filter(value, true, &f->time_lo, &f->time_hi);
    f->time_set = rc == 0;
  } else {
    wt_trace_set_error("unknown filter '%s'", what);
  }
  if (rc == 0)
    f->any = true;
  return rc;
}

void wt__view_filter_free(wt__vfilter_t *f) {
  for (uint32_t i = 0; i < f->nglobs; i++)
    free(f->globs[i]);
  f->nglobs = 0;
}

static bool fd_match(const wt__scan_t *s, const wt__vfilter_t *f, uint32_t k) {
  for (uint32_t i = 0; i < f->fd_sets[k].n; i++) {
    uint32_t want = f->fd_sets[k].fds[i];
    for (uint32_t j = 0; j < s->nfds; j++)
      if (s->fds[j] == want)
        return true;
    for (uint32_t j = 0; j < s->nnew; j++)
      if (s->newfds[j] == want)
        return true;
  }
  return false;
}

static bool path_match(const wt_viewer_t *v, const wt__scan_t *s,
                       const char *glob) {
  char buf[4096];
  for (uint32_t j = 0; j < s->nstrs; j++) {
    size_t n = s->str_lens[j] < sizeof buf - 1 ? s->str_lens[j]
                                               : sizeof buf - 1;
    memcpy(buf, s->strs[j], n);
    buf[n] = 0;
    if (fnmatch(glob, buf, 0) == 0)
      return true;
  }
  for (uint32_t j = 0; j < s->nfds; j++) {
    const char *l = wt_viewer_fd_label(v, s->fds[j]);
    if (l != NULL && fnmatch(glob, l, 0) == 0)
      return true;
  }
  return false;
}

bool wt_viewer_match(wt_viewer_t *v, const wt_trace_call_t *c) {
  const wt__vfilter_t *f = &v->f;
  wt__scan_t s;
  if (!f->any)
    return true;
  if ((f->calls_set && (c->call >= WT_CALL_COUNT || !f->calls[c->call])) ||
      (f->failed && c->err == WT_ESUCCESS) ||
      (f->errnos_set && (c->err > 255 || !f->errnos[c->err])) ||
      (f->denied && c->ndenials == 0) ||
      (f->seq_set && (c->seq < f->seq_lo || c->seq > f->seq_hi)) ||
      (f->time_set && (c->start_ns < f->time_lo || c->start_ns > f->time_hi)))
    return false;
  if (f->nfd_sets == 0 && f->nglobs == 0)
    return true;
  wt__view_scan(c, &s);
  for (uint32_t k = 0; k < f->nfd_sets; k++)
    if (!fd_match(&s, f, k))
      return false;
  for (uint32_t k = 0; k < f->nglobs; k++)
    if (!path_match(v, &s, f->globs[k]))
      return false;
  return true;
}
