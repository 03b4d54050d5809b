/*
 * The canonical form of a record for `wasitrace diff`, expanded from
 * calls.def, and the words for what differs between two records.
 *
 * Without timing, these are zeroed because they differ in every run even
 * of a deterministic guest (docs/viewer.md lists them): the start and
 * duration of every call; OUT values of fmt `timestamp` (clock_time_get's
 * time, clock_res_get's resolution); the bytes of random_get; in a
 * filestat, dev, ino, atim, mtim and ctim (nlink, size and filetype are
 * kept); d_ino of the entries fd_readdir lists; the timeout of a
 * poll_oneoff clock subscription with an absolute time (the guest computed
 * it from a clock).
 *
 * Payloads are compared by size and wt64 digest of all their bytes, so a
 * payload kept whole and one kept as a digest (capture modes) compare
 * alike when the bytes were.
 */
#include <stdio.h>
#include <stdlib.h>

#include "diff_internal.h"

/* Arguments past this index are not named (none in calls.def today). */
#define ARG_NAMES 16

/* How a buffer's bytes are masked without timing. */
enum { PM_KEEP = 0, PM_ALL, PM_DIRENTS };

typedef struct kc_s {
  wt__canon_t *k;
  const wt_trace_call_t *c;
  wt__cur_t a, r;
  bool timing;
  const char *pname[ARG_NAMES];
  uint8_t pmask[ARG_NAMES];
} kc_t;

/* ---- pieces --------------------------------------------------------------
 */

static void seg_begin(kc_t *x, uint8_t kind, const char *name) {
  wt__canon_t *k = x->k;
  if (k->nsegs == WT__DSEG_MAX) { /* merged into the last one */
    return;
  }
  k->segs[k->nsegs].kind = kind;
  k->segs[k->nsegs].name = name;
  k->segs[k->nsegs].off = (uint32_t)k->b.len;
  k->segs[k->nsegs].len = 0;
  k->nsegs++;
}

static void seg_end(kc_t *x) {
  wt__canon_t *k = x->k;
  if (k->nsegs > 0)
    k->segs[k->nsegs - 1].len =
        (uint32_t)(k->b.len - k->segs[k->nsegs - 1].off);
}

static void put(kc_t *x, const void *p, size_t n) {
  if (p != NULL)
    wt__sb_putn(&x->k->b, p, n);
}

static void put64(kc_t *x, uint64_t v) {
  uint8_t b[8];
  for (int i = 0; i < 8; i++)
    b[i] = (uint8_t)(v >> (8 * i));
  put(x, b, 8);
}

/* n bytes of cursor c into a segment. */
static const uint8_t *take(kc_t *x, wt__cur_t *c, size_t n) {
  const uint8_t *p = wt__cur_take(c, n);
  put(x, p, n);
  return p;
}

/* A u32 length, then that many bytes times unit. */
static void take_counted(kc_t *x, wt__cur_t *c, size_t unit) {
  const uint8_t *p = take(x, c, 4);
  if (p != NULL)
    take(x, c, (size_t)wt__ld32(p) * unit);
}

static void zero(kc_t *x, size_t at, size_t n) {
  if (!x->timing && !x->k->b.oom && at + n <= x->k->b.len)
    memset(x->k->b.s + at, 0, n);
}

/* An OUT value, its run-dependent fields zeroed. */
static void out_value(kc_t *x, size_t size, const char *fmt) {
  size_t at = x->k->b.len;
  if (take(x, &x->r, size) == NULL)
    return;
  if (strcmp(fmt, "timestamp") == 0) {
    zero(x, at, size);
  } else if (strcmp(fmt, "filestat") == 0 && size == 64) {
    zero(x, at, 16);      /* dev, ino */
    zero(x, at + 40, 24); /* atim, mtim, ctim */
  }
}

/* poll_oneoff's subscriptions: an absolute clock timeout zeroed. */
static void subscriptions(kc_t *x, size_t size, const char *fmt) {
  const uint8_t *p = take(x, &x->a, 4);
  size_t at = x->k->b.len, n;
  if (p == NULL)
    return;
  n = wt__ld32(p);
  if (take(x, &x->a, n) == NULL || strcmp(fmt, "subscription") != 0 ||
      size != 48 || x->timing || x->k->b.oom)
    return;
  for (size_t i = 0; i + 48 <= n; i += 48) {
    const uint8_t *s = (const uint8_t *)x->k->b.s + at + i;
    if (s[8] == 0 && (wt__ld16(s + 40) & WT_SUBSCRIPTION_CLOCK_ABSTIME))
      zero(x, at + i + 24, 8);
  }
}

static void name_buffer(kc_t *x, int argi, const char *name, uint8_t mask) {
  if (argi >= 0 && argi < ARG_NAMES) {
    x->pname[argi] = name;
    x->pmask[argi] = mask;
  }
}

/* ---- the walks, from calls.def ------------------------------------------
 */

#define SEG(kind, name, body)                                                  \
  seg_begin(x, kind, name);                                                    \
  body;                                                                        \
  seg_end(x);

/* Inputs. */
#define KA_VOID() argi++;
#define KA_FD(name, right)                                                     \
  SEG(WT__DSEG_ARG, #name, take(x, &x->a, 4)) argi++;
#define KA_IN(type, name, fmt)                                                 \
  SEG(WT__DSEG_ARG, #name, take(x, &x->a, 8)) argi++;
#define KA_IN_STR(name)                                                        \
  SEG(WT__DSEG_ARG, #name, take_counted(x, &x->a, 1)) argi++;
#define KA_IN_IOVS(name)                                                       \
  SEG(WT__DSEG_ARG, #name, take_counted(x, &x->a, 4))                          \
  name_buffer(x, argi, #name, PM_KEEP);                                        \
  argi++;
#define KA_OUT_IOVS(name, used) KA_IN_IOVS(name)
#define KA_OUT_BUF(name, used)                                                 \
  SEG(WT__DSEG_ARG, #name, take(x, &x->a, 4))                                  \
  name_buffer(x, argi, #name,                                                  \
              x->c->call == WT_CALL_fd_readdir ? PM_DIRENTS : PM_KEEP);        \
  argi++;
#define KA_OUT_BYTES(name)                                                     \
  SEG(WT__DSEG_ARG, #name, take(x, &x->a, 4))                                  \
  name_buffer(x, argi, #name,                                                  \
              x->c->call == WT_CALL_random_get ? PM_ALL : PM_KEEP);            \
  argi++;
#define KA_OUT(type, name, fmt) argi++;
#define KA_IN_ARRAY(type, name, count, fmt)                                    \
  SEG(WT__DSEG_ARG, #name, subscriptions(x, sizeof(type), #fmt)) argi++;
#define KA_OUT_ARRAY(type, name, count, used, fmt) argi++;
#define KA_IN_OPT(type, name, fmt)                                             \
  SEG(WT__DSEG_ARG, #name, {                                                   \
    const uint8_t *p_ = take(x, &x->a, 1);                                     \
    if (p_ != NULL && *p_)                                                     \
      take(x, &x->a, sizeof(type));                                            \
  }) argi++;
#define KA_OUT_STRTAB(name)                                                    \
  SEG(WT__DSEG_ARG, #name, take(x, &x->a, 8)) argi++;

/* Outputs, on success. */
#define KR_VOID()
#define KR_FD(name, right)
#define KR_IN(type, name, fmt)
#define KR_IN_STR(name)
#define KR_IN_IOVS(name)
#define KR_OUT_IOVS(name, used)
#define KR_OUT_BUF(name, used)
#define KR_OUT_BYTES(name)
#define KR_OUT(type, name, fmt)                                                \
  SEG(WT__DSEG_RESULT, #name, out_value(x, sizeof(type), #fmt))
#define KR_IN_ARRAY(type, name, count, fmt)
#define KR_OUT_ARRAY(type, name, count, used, fmt)                             \
  SEG(WT__DSEG_RESULT, #name, take_counted(x, &x->r, sizeof(type)))
#define KR_IN_OPT(type, name, fmt)
#define KR_OUT_STRTAB(name)                                                    \
  SEG(WT__DSEG_RESULT, #name, {                                                \
    const uint8_t *h_ = take(x, &x->r, 8);                                     \
    if (h_ != NULL) {                                                          \
      take(x, &x->r, 4 * (size_t)wt__ld32(h_));                                \
      take(x, &x->r, wt__ld32(h_ + 4));                                        \
    }                                                                          \
  })

#define WT_CALL(name, set, fam, ret, ...)                                      \
  static void canon_##name(kc_t *x) {                                          \
    int argi = 0;                                                              \
    WT_ARGS(KA, __VA_ARGS__)                                                   \
    if (x->c->err == WT_ESUCCESS) {                                            \
      WT_ARGS(KR, __VA_ARGS__)                                                 \
    }                                                                          \
    (void)argi;                                                                \
  }
#include "wt/calls.def"
#undef WT_CALL

static void (*const walkers[WT_CALL_COUNT])(kc_t *) = {
#define WT_CALL(name, set, fam, ret, ...) canon_##name,
#include "wt/calls.def"
#undef WT_CALL
};

/* ---- the parts every record has -----------------------------------------
 */

/* fd_readdir's listing with each entry's d_ino zeroed (24-byte headers,
 * d_namlen at 16, the name after; the last entry may be cut short). */
static const uint8_t *mask_dirents(wt__canon_t *k, const uint8_t *p,
                                   size_t n) {
  wt__sb_reset(&k->tmp);
  wt__sb_putn(&k->tmp, (const char *)p, n);
  if (k->tmp.oom)
    return p;
  for (size_t off = 0; off + 16 <= n;) {
    memset(k->tmp.s + off + 8, 0, 8);
    if (off + 20 > n)
      break;
    off += 24 + (size_t)wt__ld32(p + off + 16);
  }
  return (const uint8_t *)k->tmp.s;
}

static void payloads(kc_t *x) {
  for (uint32_t i = 0; i < x->c->npayloads; i++) {
    const wt_trace_payload_t *pl = &x->c->payloads[i];
    uint8_t mask = pl->arg < ARG_NAMES ? x->pmask[pl->arg] : PM_KEEP;
    uint8_t form = pl->capture == WT_PAYLOAD_NONE ? 2 : 0;
    uint64_t digest = pl->digest;
    uint8_t head[4] = {(uint8_t)pl->arg, (uint8_t)(pl->arg >> 8), pl->dir, 0};
    if (x->timing)
      mask = PM_KEEP;
    if (mask == PM_ALL) {
      form = 3;
      digest = 0;
    } else if (pl->capture == WT_PAYLOAD_NONE) {
      digest = 0;
    } else if (pl->capture == WT_PAYLOAD_FULL || pl->len == pl->size) {
      const uint8_t *d = pl->data;
      if (mask == PM_DIRENTS && d != NULL)
        d = mask_dirents(x->k, d, pl->len);
      digest = wt_trace_digest(d, pl->len);
      if (pl->len != pl->size)
        x->k->bad = true;
    }
    head[3] = form;
    seg_begin(x, WT__DSEG_PAYLOAD,
              pl->arg < ARG_NAMES ? x->pname[pl->arg] : NULL);
    put(x, head, 4);
    put64(x, pl->size);
    put64(x, digest);
    seg_end(x);
  }
}

static void transitions(kc_t *x) {
  const wt_trace_call_t *c = x->c;
  if (c->ntransitions == 0)
    return;
  seg_begin(x, WT__DSEG_TRANSITIONS, NULL);
  for (uint32_t i = 0; i < c->ntransitions; i++) {
    const wt_transition_t *t = &c->transitions[i];
    put64(x, (uint64_t)t->kind << 32 | t->fd);
    put64(x, t->fd2);
    put64(x, t->a);
    put64(x, t->b);
    put64(x, t->data);
  }
  seg_end(x);
}

static void denials(kc_t *x) {
  const wt_trace_call_t *c = x->c;
  if (c->ndenials == 0)
    return;
  seg_begin(x, WT__DSEG_DENIALS, NULL);
  for (uint32_t i = 0; i < c->ndenials; i++) {
    const wt_trace_denial_t *d = &c->denials[i];
    size_t n = d->rule != NULL ? strlen(d->rule) : 0;
    put64(x, (uint64_t)d->source << 32 | d->fd);
    put64(x, d->right);
    put64(x, d->rule != NULL ? n + 1 : 0);
    put(x, d->rule, n);
  }
  seg_end(x);
}

/* The call and errno segments. */
static void head(kc_t *x) {
  const wt_trace_call_t *c = x->c;
  uint8_t h[3] = {(uint8_t)c->call, (uint8_t)(c->call >> 8),
                  wt_trace_call_refused(c)};
  uint8_t e[2] = {(uint8_t)c->err, (uint8_t)(c->err >> 8)};
  SEG(WT__DSEG_CALL, NULL, put(x, h, 3))
  SEG(WT__DSEG_ERRNO, NULL, put(x, e, 2))
}

static void raw(kc_t *x) {
  SEG(WT__DSEG_RAW, NULL, {
    put64(x, x->c->args_len);
    put(x, x->c->args, x->c->args_len);
    put(x, x->c->results, x->c->results_len);
  })
}

uint64_t wt__diff_canon(wt__canon_t *k, const wt_trace_call_t *c,
                        bool timing) {
  kc_t xs, *x = &xs;
  memset(x, 0, sizeof *x);
  x->k = k;
  x->c = c;
  x->timing = timing;
  x->a = (wt__cur_t){c->args, c->args + c->args_len, false};
  x->r = (wt__cur_t){c->results, c->results + c->results_len, false};
  wt__sb_reset(&k->b);
  k->nsegs = 0;
  k->bad = false;
  head(x);
  if (c->call >= WT_CALL_COUNT || wt_trace_call_refused(c)) {
    raw(x);
  } else {
    walkers[c->call](x);
    if (x->a.bad || x->r.bad || x->a.p != x->a.end || x->r.p != x->r.end) {
      /* Does not decode: compare the raw bytes instead. */
      k->b.len = k->segs[1].off + k->segs[1].len;
      k->nsegs = 2;
      k->bad = true;
      raw(x);
    }
  }
  payloads(x);
  transitions(x);
  denials(x);
  if (timing) {
    SEG(WT__DSEG_TIME, NULL, {
      put64(x, c->start_ns);
      put64(x, c->dur_ns);
    })
  }
  if (k->b.oom)
    return 0;
  return wt_trace_digest(k->b.s, k->b.len);
}

void wt__diff_canon_free(wt__canon_t *k) {
  wt__sb_free(&k->b);
  wt__sb_free(&k->tmp);
}

/* ---- what differs, in words ----------------------------------------------
 */

static const wt__dseg_t *find(const wt__canon_t *k, const wt__dseg_t *s,
                              uint32_t from) {
  for (uint32_t i = from; i < k->nsegs; i++)
    if (k->segs[i].kind == s->kind &&
        (k->segs[i].name == s->name ||
         (k->segs[i].name != NULL && s->name != NULL &&
          strcmp(k->segs[i].name, s->name) == 0)))
      return &k->segs[i];
  return NULL;
}

static bool seg_eq(const wt__canon_t *ka, const wt__dseg_t *a,
                   const wt__canon_t *kb, const wt__dseg_t *b) {
  return a->len == b->len &&
         memcmp(ka->b.s + a->off, kb->b.s + b->off, a->len) == 0;
}

static void clause(wt__sb_t *out, bool *first, const char *what,
                   const char *name) {
  wt__sb_puts(out, *first ? " " : ", ");
  *first = false;
  wt__sb_puts(out, what);
  if (name != NULL) {
    wt__sb_putc(out, ' ');
    wt__sb_puts(out, name);
  }
}

static const char *seg_word(uint8_t kind) {
  switch (kind) {
  case WT__DSEG_ARG:
    return "argument";
  case WT__DSEG_RESULT:
    return "result";
  case WT__DSEG_PAYLOAD:
    return "bytes of";
  case WT__DSEG_TRANSITIONS:
    return "transitions";
  case WT__DSEG_DENIALS:
    return "denials";
  case WT__DSEG_TIME:
    return "times";
  default:
    return "encoding";
  }
}

void wt__diff_explain(wt__sb_t *out, const wt_trace_call_t *a,
                      const wt__canon_t *ka, const wt_trace_call_t *b,
                      const wt__canon_t *kb) {
  bool first = true, err_differs = a->err != b->err;
  char t[160];
  if (a->call != b->call || ka->nsegs < 2 || kb->nsegs < 2 ||
      !seg_eq(ka, &ka->segs[0], kb, &kb->segs[0])) {
    snprintf(t, sizeof t, "A calls %s%s, B calls %s%s", wt_call_name(a->call),
             wt_trace_call_refused(a) ? " (refused)" : "",
             wt_call_name(b->call),
             wt_trace_call_refused(b) ? " (refused)" : "");
    wt__sb_puts(out, t);
    return;
  }
  wt__sb_puts(out, wt_call_name(a->call));
  wt__sb_putc(out, ':');
  if (err_differs) {
    snprintf(t, sizeof t, "errno %s in A, %s in B", wt_errno_name(a->err),
             wt_errno_name(b->err));
    clause(out, &first, t, NULL);
  }
  for (uint32_t i = 2; i < ka->nsegs; i++) {
    const wt__dseg_t *s = &ka->segs[i], *o = find(kb, s, 2);
    /* A failed call has no outputs: the errno says it. */
    if (o == NULL && err_differs)
      continue;
    if (o == NULL || !seg_eq(ka, s, kb, o))
      clause(out, &first, seg_word(s->kind), s->name);
  }
  for (uint32_t i = 2; i < kb->nsegs; i++)
    if (find(ka, &kb->segs[i], 2) == NULL && !err_differs)
      clause(out, &first, seg_word(kb->segs[i].kind), kb->segs[i].name);
  if (first)
    wt__sb_puts(out, " the records differ");
}
