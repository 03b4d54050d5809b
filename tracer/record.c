/*
 * The recording layer: one wrapper per call of calls.def, expanded from the
 * table. Each forwards to the inner table and then writes one binary record
 * (layout in internal.h) into the ring: a sizing walk over the arguments
 * gives the record's length, then a header, the arguments, the results,
 * the transitions and denials, and the payloads are written in place when
 * the ring has that many contiguous bytes free (nearly always), else
 * streamed in piece by piece. Nothing here allocates or locks on the common
 * path.
 *
 * Calls may nest: a guest signal handler run by the core during a host call
 * makes host calls of its own through this table. Each call takes its seq
 * when it starts, owns the transitions reported from then until it ends
 * (minus those of the calls nested in it, which are theirs), and has a
 * denial slot per nesting level; an inner call's record is complete before
 * the outer one's, and the writer puts records back in seq order.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "wt/argenc.h"

/* ---- small writers --------------------------------------------------------
 */

/* Into the record's place in the ring (t->wp), or through the ring. */
static inline void put_bytes(wt_tracer_t *t, const void *p, size_t n) {
  if (t->wp != NULL) {
    memcpy(t->wp, p, n);
    t->wp += n;
  } else if (n > 0) {
    wt__ring_put(&t->ring, p, n);
  }
}
static inline void put32(wt_tracer_t *t, uint32_t v) {
  put_bytes(t, &v, 4);
}
static inline void put64(wt_tracer_t *t, uint64_t v) {
  put_bytes(t, &v, 8);
}

static void put_payload_hdr(wt_tracer_t *t, int arg, uint8_t dir,
                            uint8_t capture, uint32_t len, uint64_t size,
                            uint64_t digest) {
  uint8_t h[WT__PL_HDR];
  wt__st16(h, (uint16_t)arg);
  h[2] = dir;
  h[3] = capture;
  wt__st32(h + 4, len);
  wt__st64(h + 8, size);
  wt__st64(h + 16, digest);
  put_bytes(t, h, sizeof h);
}

/* ---- payload decisions ------------------------------------------------------
 */

static uint64_t ciovs_total(const wt_ciovec_t *v, uint32_t n) {
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++)
    total += v[i].buf_len;
  return total;
}

static uint64_t iovs_total(const wt_iovec_t *v, uint32_t n) {
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++)
    total += v[i].buf_len;
  return total;
}

/*
 * How bytes the guest writes are kept. REPLAY keeps stdout and stderr
 * whole, and for other fds a digest and a prefix: small writes are kept
 * whole (the prefix would be all of it), ones up to WT__DEFER_MAX are
 * copied and reduced by the writer thread (for a few hundred bytes a copy
 * costs the guest less than starting a digest), larger ones are digested
 * here: at about 12 GB/s the digest of 4 KiB (300 ns) costs the guest less
 * than copying it into a ring line that is cold by then (~550 ns), and
 * spares the writer the ring traffic and the digest.
 */
static uint8_t in_capture(const wt_tracer_t *t, uint32_t fd, uint64_t size) {
  if (t->capture == WT_CAPTURE_META)
    return WT_PAYLOAD_NONE;
  if (t->capture == WT_CAPTURE_FULL || fd == 1 || fd == 2 ||
      size <= WT_TRACE_PREFIX)
    return WT_PAYLOAD_FULL;
  return size <= WT__DEFER_MAX ? WT__PAYLOAD_DEFER : WT_PAYLOAD_DIGEST;
}

static uint64_t capture_len(uint8_t capture, uint64_t size) {
  switch (capture) {
  case WT_PAYLOAD_NONE:
    return 0;
  case WT_PAYLOAD_DIGEST:
    return size < WT_TRACE_PREFIX ? size : WT_TRACE_PREFIX;
  default:
    return size;
  }
}

static uint8_t out_capture(const wt_tracer_t *t) {
  return t->capture == WT_CAPTURE_META ? WT_PAYLOAD_NONE : WT_PAYLOAD_FULL;
}

static void put_in_payload(wt_tracer_t *t, int arg, uint8_t capture,
                           uint64_t size, const wt_ciovec_t *v, uint32_t n) {
  uint64_t len = capture_len(capture, size), digest = 0;
  if (capture == WT_PAYLOAD_DIGEST) {
    wt__digest_t d;
    wt__digest_init(&d);
    for (uint32_t i = 0; i < n; i++)
      wt__digest_add(&d, v[i].buf, v[i].buf_len);
    digest = wt__digest_end(&d);
  }
  put_payload_hdr(t, arg, WT_PAYLOAD_IN, capture, (uint32_t)len, size, digest);
  for (uint32_t i = 0; i < n && len > 0; i++) {
    size_t k = v[i].buf_len < len ? v[i].buf_len : (size_t)len;
    put_bytes(t, v[i].buf, k);
    len -= k;
  }
}

static void put_out_iovs(wt_tracer_t *t, int arg, uint64_t size,
                         const wt_iovec_t *v, uint32_t n) {
  uint8_t capture = out_capture(t);
  uint64_t len = capture_len(capture, size);
  put_payload_hdr(t, arg, WT_PAYLOAD_OUT, capture, (uint32_t)len, size, 0);
  for (uint32_t i = 0; i < n && len > 0; i++) {
    size_t k = v[i].buf_len < len ? v[i].buf_len : (size_t)len;
    put_bytes(t, v[i].buf, k);
    len -= k;
  }
}

static void put_out_buf(wt_tracer_t *t, int arg, const uint8_t *p,
                        uint64_t size) {
  uint8_t capture = out_capture(t);
  uint64_t len = capture_len(capture, size);
  put_payload_hdr(t, arg, WT_PAYLOAD_OUT, capture, (uint32_t)len, size, 0);
  put_bytes(t, p, (size_t)len);
}

static uint32_t clamp32(uint32_t v, uint32_t max) {
  return v < max ? v : max;
}

/* ---- per-kind expansion ----------------------------------------------------
 */

/*
 * Sizing walk (RS_): args bytes (alen), results bytes on success (rlen),
 * payloads (np, plen), and the first fd argument (fd0, for the capture
 * decision). Locals named after the argument carry decisions to the
 * payload walk.
 */
#define RS_VOID()
#define RS_FD(name, right)                                                     \
  alen += 4;                                                                   \
  if (fd0 == UINT32_MAX)                                                       \
    fd0 = name;
#define RS_IN(type, name, fmt) alen += 8;
#define RS_IN_STR(name) alen += 4 + (size_t)name##_len;
#define RS_IN_IOVS(name)                                                       \
  alen += 4 + 4 * (size_t)name##_len;                                          \
  uint64_t name##_size = ciovs_total(name, name##_len);                        \
  uint8_t name##_cap = in_capture(t, fd0, name##_size);                        \
  np++;                                                                        \
  plen += WT__PL_HDR + capture_len(name##_cap, name##_size);
#define RS_OUT_IOVS(name, used)                                                \
  alen += 4 + 4 * (size_t)name##_len;                                          \
  uint64_t name##_size = 0;                                                    \
  if (ok) {                                                                    \
    uint64_t cap_ = iovs_total(name, name##_len);                              \
    name##_size = *used < cap_ ? *used : cap_;                                 \
    np++;                                                                      \
    plen += WT__PL_HDR + capture_len(out_capture(t), name##_size);             \
  }
#define RS_OUT_BUF(name, used)                                                 \
  alen += 4;                                                                   \
  uint64_t name##_size = 0;                                                    \
  if (ok) {                                                                    \
    name##_size = clamp32(*used, name##_len);                                  \
    np++;                                                                      \
    plen += WT__PL_HDR + capture_len(out_capture(t), name##_size);             \
  }
#define RS_OUT_BYTES(name)                                                     \
  alen += 4;                                                                   \
  if (ok) {                                                                    \
    np++;                                                                      \
    plen += WT__PL_HDR + capture_len(out_capture(t), name##_len);              \
  }
#define RS_OUT(type, name, fmt)                                                \
  if (ok)                                                                      \
    rlen += sizeof(type);
#define RS_IN_ARRAY(type, name, count, fmt)                                    \
  size_t name##_n = name != NULL ? (size_t)count * sizeof(type) : 0;           \
  alen += 4 + name##_n;
#define RS_OUT_ARRAY(type, name, count, used, fmt)                             \
  uint32_t name##_used = ok ? clamp32(*used, count) : 0;                       \
  if (ok)                                                                      \
    rlen += 4 + (size_t)name##_used * sizeof(type);
#define RS_IN_OPT(type, name, fmt) alen += 1 + (name ? sizeof(type) : 0);
#define RS_OUT_STRTAB(name)                                                    \
  alen += 8;                                                                   \
  uint32_t name##_count = 0, name##_used = 0;                                  \
  if (ok) {                                                                    \
    name##_count = clamp32(name->count, name->offsets_cap);                    \
    name##_used = clamp32(name->buf_used, name->buf_cap);                      \
    rlen += 8 + 4 * (size_t)name##_count + name##_used;                        \
  }

/* Argument walk: the exact inputs (wt/argenc.h). */
#define WT_ENC_U32(v) put32(t, v)
#define WT_ENC_U64(v) put64(t, v)
#define WT_ENC_BYTES(p, n) put_bytes(t, p, n)

/* Result walk (ER_), on success only: what the call stored. */
#define ER_VOID()
#define ER_FD(name, right)
#define ER_IN(type, name, fmt)
#define ER_IN_STR(name)
#define ER_IN_IOVS(name)
#define ER_OUT_IOVS(name, used)
#define ER_OUT_BUF(name, used)
#define ER_OUT_BYTES(name)
#define ER_OUT(type, name, fmt) put_bytes(t, name, sizeof(type));
#define ER_IN_ARRAY(type, name, count, fmt)
#define ER_OUT_ARRAY(type, name, count, used, fmt)                             \
  put32(t, name##_used);                                                       \
  put_bytes(t, name, (size_t)name##_used * sizeof(type));
#define ER_IN_OPT(type, name, fmt)
#define ER_OUT_STRTAB(name)                                                    \
  put32(t, name##_count);                                                      \
  put32(t, name##_used);                                                       \
  put_bytes(t, name->offsets, 4 * (size_t)name##_count);                       \
  put_bytes(t, name->buf, name##_used);

/* Payload walk (EP_): argi counts arguments in calls.def order. */
#define EP_VOID() argi++;
#define EP_FD(name, right) argi++;
#define EP_IN(type, name, fmt) argi++;
#define EP_IN_STR(name) argi++;
#define EP_IN_IOVS(name)                                                       \
  put_in_payload(t, argi++, name##_cap, name##_size, name, name##_len);
#define EP_OUT_IOVS(name, used)                                                \
  if (ok)                                                                      \
    put_out_iovs(t, argi, name##_size, name, name##_len);                      \
  argi++;
#define EP_OUT_BUF(name, used)                                                 \
  if (ok)                                                                      \
    put_out_buf(t, argi, name, name##_size);                                   \
  argi++;
#define EP_OUT_BYTES(name)                                                     \
  if (ok)                                                                      \
    put_out_buf(t, argi, name, name##_len);                                    \
  argi++;
#define EP_OUT(type, name, fmt) argi++;
#define EP_IN_ARRAY(type, name, count, fmt) argi++;
#define EP_OUT_ARRAY(type, name, count, used, fmt) argi++;
#define EP_IN_OPT(type, name, fmt) argi++;
#define EP_OUT_STRTAB(name) argi++;

/* FD arguments and the rights they need, for automatic denials. */
#define DF_VOID()
#define DF_FD(name, right) fds[nfd] = name, rights[nfd++] = WT_FD_RIGHT(right);
#define DF_IN(type, name, fmt)
#define DF_IN_STR(name)
#define DF_IN_IOVS(name)
#define DF_OUT_IOVS(name, used)
#define DF_OUT_BUF(name, used)
#define DF_OUT_BYTES(name)
#define DF_OUT(type, name, fmt)
#define DF_IN_ARRAY(type, name, count, fmt)
#define DF_OUT_ARRAY(type, name, count, used, fmt)
#define DF_IN_OPT(type, name, fmt)
#define DF_OUT_STRTAB(name)

/* The exit code of a NORETURN call: its argument of fmt exitcode. */
#define XC_VOID()
#define XC_FD(name, right)
#define XC_IN(type, name, fmt)                                                 \
  if (strcmp(#fmt, "exitcode") == 0)                                           \
    t->exit_code = (uint32_t)name;
#define XC_IN_STR(name)
#define XC_IN_IOVS(name)
#define XC_OUT_IOVS(name, used)
#define XC_OUT_BUF(name, used)
#define XC_OUT_BYTES(name)
#define XC_OUT(type, name, fmt)
#define XC_IN_ARRAY(type, name, count, fmt)
#define XC_OUT_ARRAY(type, name, count, used, fmt)
#define XC_IN_OPT(type, name, fmt)
#define XC_OUT_STRTAB(name)

/* ---- record framing
 * ---------------------------------------------------------- */

/* A call in progress: its seq, start, and first transition. */
typedef struct call_s {
  uint64_t seq;
  uint64_t t0, t1;
  uint32_t trs_base;
} call_t;

/* The denial slot of the innermost call in progress. */
static inline wt__frame_t *frame(wt_tracer_t *t) {
  return &t->frames[(t->depth < WT__MAX_DEPTH ? t->depth : WT__MAX_DEPTH) - 1];
}

static inline void call_begin(wt_tracer_t *t, call_t *c) {
  t->depth++;
  frame(t)->has_denial = false;
  c->seq = ++t->next_seq;
  c->trs_base = t->ntrs;
  c->t0 = wt__clock_ticks(&t->clock);
}

static size_t extras_len(wt_tracer_t *t, const call_t *c) {
  size_t n = (size_t)(t->ntrs - c->trs_base) * WT__TR_SIZE;
  if (frame(t)->has_denial)
    for (int i = 0; i < WT__DENY_NSTR; i++)
      n += (i == 0 ? WT__DENY_SIZE : 0) + strlen(frame(t)->str[i]);
  return n;
}

/*
 * Starts the record (written in place when the ring has room for it) with
 * its header.
 */
static void record_begin(wt_tracer_t *t, const call_t *c, wt_call_id_t id,
                         wt_errno_t err, size_t alen, size_t rlen, uint32_t np,
                         size_t plen) {
  uint8_t h[WT__REC_HDR] = {0};
  size_t total = WT__REC_HDR + alen + rlen + extras_len(t, c) + plen;
  t->wp = wt__ring_reserve(&t->ring, total);
  wt__st32(h, (uint32_t)total);
  wt__st16(h + 4, (uint16_t)id);
  wt__st16(h + 6, err);
  wt__st64(h + 8, c->t0);
  wt__st64(h + 16, c->t1 - c->t0);
  wt__st32(h + 24, (uint32_t)alen);
  wt__st32(h + 28, (uint32_t)rlen);
  wt__st16(h + 32, (uint16_t)np);
  wt__st16(h + 34, (uint16_t)(t->ntrs - c->trs_base));
  wt__st16(h + 36, (uint16_t)frame(t)->has_denial);
  wt__st64(h + 40, c->seq);
  put_bytes(t, h, sizeof h);
}

/* Transitions and the denial, which sit between results and payloads. */
static void put_extras(wt_tracer_t *t, const call_t *c) {
  wt__frame_t *f = frame(t);
  for (uint32_t i = c->trs_base; i < t->ntrs; i++) {
    const wt_transition_t *tr = &t->trs[i];
    uint8_t b[WT__TR_SIZE];
    wt__st16(b, tr->kind);
    wt__st32(b + 2, tr->fd);
    wt__st32(b + 6, tr->fd2);
    wt__st64(b + 10, tr->a);
    wt__st64(b + 18, tr->b);
    wt__st64(b + 26, tr->data);
    put_bytes(t, b, sizeof b);
  }
  if (f->has_denial) {
    uint8_t b[WT__DENY_SIZE];
    size_t n[WT__DENY_NSTR];
    b[0] = f->denial.source;
    wt__st32(b + 1, f->denial.fd);
    wt__st64(b + 5, f->denial.right);
    wt__st32(b + 13, (uint32_t)f->denial.rule_index);
    b[17] = f->denial.would;
    for (int i = 0; i < WT__DENY_NSTR; i++) {
      n[i] = strlen(f->str[i]);
      wt__st16(b + 18 + 2 * i, (uint16_t)n[i]);
    }
    put_bytes(t, b, sizeof b);
    for (int i = 0; i < WT__DENY_NSTR; i++)
      put_bytes(t, f->str[i], n[i]);
  }
}

/* Ends the record and the call: the transitions it owned are dropped. */
static void call_end(wt_tracer_t *t, const call_t *c, size_t total) {
  if (t->wp != NULL) {
    wt__ring_commit(&t->ring, total);
    t->wp = NULL;
  }

  wt__ring_publish(&t->ring);
  t->ntrs = c->trs_base;
  t->depth--;
  t->calls++;
}

/*
 * ENOTCAPABLE without a denial from a policy: name the fd argument whose
 * base rights lack what the table requires, asking the inner table; when
 * every fd has its right, the first fd argument that needs one.
 */
static void auto_deny(wt_tracer_t *t, const wt_fd_t *fds,
                      const wt_rights_t *rights, int nfd) {
  wt__frame_t *f = frame(t);
  int pick = -1;
  for (int i = 0; i < nfd; i++) {
    wt_fdstat_t st;
    if (rights[i] == 0)
      continue;
    if (pick < 0)
      pick = i;
    if (t->inner->fd_fdstat_get(t->inner_ctx, fds[i], &st) == WT_ESUCCESS &&
        (st.fs_rights_base & rights[i]) == 0) {
      pick = i;
      break;
    }
  }
  f->has_denial = true;
  f->denial.source = WT_DENIAL_RIGHTS;
  f->denial.fd = pick >= 0 ? fds[pick] : (nfd > 0 ? fds[0] : UINT32_MAX);
  f->denial.right = pick >= 0 ? rights[pick] : 0;
  f->denial.rule_index = -1;
  f->denial.would = false;
  for (int i = 0; i < WT__DENY_NSTR; i++)
    f->str[i][0] = 0;
}

/* ---- the wrappers ---------------------------------------------------------
 */

/*
 * A call made after the recording failed (STOP mode) does not reach the
 * inner table: the first one halts the guest, which then never sees the
 * errno; an embedder without a halt hook gets WT_EIO for every call.
 */
wt_errno_t wt__tracer_refuse(wt_tracer_t *t) {
  if (t->refused++ == 0) {
    t->last_effect = t->next_seq;
    if (t->halt != NULL)
      t->halt(t->halt_ud);
  }
  return WT_EIO;
}

#define EMIT_ARGS(...)                                                         \
  bool ok = err == WT_ESUCCESS;                                                \
  uint32_t fd0 = UINT32_MAX;                                                   \
  size_t alen = 0, rlen = 0, plen = 0;                                         \
  uint32_t np = 0;                                                             \
  int argi = 0;                                                                \
  (void)ok;                                                                    \
  (void)fd0;                                                                   \
  (void)argi;                                                                  \
  WT_ARGS(RS, __VA_ARGS__)

/* deny_<name> takes every argument of its call but looks at the fds only. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#define WT_CALL(name, set, fam, ret, ...)                                      \
  static void emit_##name(wt_tracer_t *t, const call_t *c,                     \
                          wt_errno_t err WT_ARGS(WT_HP, __VA_ARGS__)) {        \
    EMIT_ARGS(__VA_ARGS__)                                                     \
    size_t total = WT__REC_HDR + alen + rlen + extras_len(t, c) + plen;        \
    record_begin(t, c, WT_CALL_##name, err, alen, rlen, np, plen);             \
    WT_ARGS(WT_ENC, __VA_ARGS__)                                               \
    if (ok) {                                                                  \
      WT_ARGS(ER, __VA_ARGS__)                                                 \
    }                                                                          \
    put_extras(t, c);                                                          \
    WT_ARGS(EP, __VA_ARGS__)                                                   \
    call_end(t, c, total);                                                     \
  }                                                                            \
  static void deny_##name(wt_tracer_t *t WT_ARGS(WT_HP, __VA_ARGS__)) {        \
    wt_fd_t fds[8] = {0};                                                      \
    wt_rights_t rights[8] = {0};                                               \
    int nfd = 0;                                                               \
    WT_ARGS(DF, __VA_ARGS__)                                                   \
    auto_deny(t, fds, rights, nfd);                                            \
  }
#include "wt/calls.def"
#undef WT_CALL
#pragma GCC diagnostic pop

/*
 * Calls that return: record after. NORETURN calls (proc_exit) are recorded,
 * and their call ended, before the inner call, which may unwind instead of
 * returning.
 */
#define PRE_ERRNO(name, ...)
#define PRE_VOID(name, ...)
#define PRE_NORETURN(name, ...)                                                \
  t->exited = true;                                                            \
  WT_ARGS(XC, __VA_ARGS__)                                                     \
  c.t1 = c.t0;                                                                 \
  emit_##name(t, &c, WT_ESUCCESS WT_ARGS(WT_HN, __VA_ARGS__))
#define POST_ERRNO(name, ...)                                                  \
  c.t1 = wt__clock_ticks(&t->clock);                                           \
  if (err == WT_ENOTCAPABLE && !frame(t)->has_denial)                          \
    deny_##name(t WT_ARGS(WT_HN, __VA_ARGS__));                                \
  emit_##name(t, &c, err WT_ARGS(WT_HN, __VA_ARGS__))
#define POST_VOID(name, ...) POST_ERRNO(name, __VA_ARGS__)
#define POST_NORETURN(name, ...) (void)deny_##name

#define WT_CALL(name, set, fam, ret, ...)                                      \
  static wt_errno_t tr_##name(void *ctx WT_ARGS(WT_HP, __VA_ARGS__)) {         \
    wt_tracer_t *t = ctx;                                                      \
    wt_errno_t err;                                                            \
    call_t c;                                                                  \
    if (__builtin_expect(                                                      \
            atomic_load_explicit(&t->refuse, memory_order_relaxed), 0))        \
      return wt__tracer_refuse(t);                                             \
    call_begin(t, &c);                                                         \
    PRE_##ret(name, __VA_ARGS__);                                              \
    err = t->inner->name(t->inner_ctx WT_ARGS(WT_HN, __VA_ARGS__));            \
    POST_##ret(name, __VA_ARGS__);                                             \
    return err;                                                                \
  }
#include "wt/calls.def"
#undef WT_CALL

/*
 * A call the guest ABI refused: recorded like any other, with the guest's
 * raw parameters as its arguments and an ABI denial naming the check that
 * failed, so an audit sees every call the guest made.
 */
/* The refused call's first fd parameter, or UINT32_MAX. */
static uint32_t refused_fd(const wt_refusal_t *r) {
  uint32_t n = 0;
  const wt_guest_param_t *gp = wt_call_guest_params(r->call, &n);
  for (uint32_t i = 0; gp != NULL && i < n && i < r->nraw; i++)
    if (gp[i].fd)
      return r->raw[i] <= UINT32_MAX ? (uint32_t)r->raw[i] : UINT32_MAX;
  return UINT32_MAX;
}

static wt_errno_t tr_refused(void *ctx, const wt_refusal_t *r) {
  wt_tracer_t *t = ctx;
  wt__frame_t *f;
  wt_errno_t err;
  size_t alen = 8 * (size_t)r->nraw, total;
  call_t c;
  if (atomic_load_explicit(&t->refuse, memory_order_relaxed))
    return wt__tracer_refuse(t);
  call_begin(t, &c);
  err = t->inner->refused != NULL ? t->inner->refused(t->inner_ctx, r) : r->err;
  c.t1 = wt__clock_ticks(&t->clock);
  f = frame(t);
  f->has_denial = true;
  f->denial.source = WT_DENIAL_ABI;
  f->denial.fd = refused_fd(r);
  f->denial.right = 0;
  f->denial.rule_index = -1;
  f->denial.would = false;
  for (int i = 1; i < WT__DENY_NSTR; i++)
    f->str[i][0] = 0;
  snprintf(f->str[0], sizeof f->str[0], "%s: %s",
           r->arg != NULL ? r->arg : "?",
           r->err == WT_EFAULT ? "outside guest memory" : "out of range");
  total = WT__REC_HDR + alen + extras_len(t, &c);
  record_begin(t, &c, r->call, err, alen, 0, 0, 0);
  for (uint32_t i = 0; i < r->nraw; i++)
    put64(t, r->raw[i]);
  put_extras(t, &c);
  call_end(t, &c, total);
  return err;
}

static const wt_api_t tracer_api = {
#define WT_CALL(name, set, fam, ret, ...) .name = tr_##name,
#include "wt/calls.def"
#undef WT_CALL
    .refused = tr_refused,
};

const wt_api_t *wt_tracer_api(void) {
  return &tracer_api;
}

/* ---- what layers report during a call
 * ---------------------------------------- */

void wt_tracer_observe(void *tracer, const wt_transition_t *tr) {
  wt_tracer_t *t = tracer;
  if (t->depth == 0)
    return;
  if (t->ntrs == t->trs_cap) {
    /* Rare: more transitions in one call than fit inline. */
    uint32_t cap = t->trs_cap * 2;
    wt_transition_t *n = wt__tmalloc(t, (size_t)cap * sizeof *n);
    if (n == NULL)
      return;
    memcpy(n, t->trs, (size_t)t->ntrs * sizeof *n);
    if (t->trs != t->trs_inline)
      wt__tfree(t, t->trs);
    t->trs = n;
    t->trs_cap = cap;
  }
  if (t->ntrs < UINT16_MAX)
    t->trs[t->ntrs++] = *tr;
}

/* Copies s (NULL: "") into a frame string, cut on a UTF-8 boundary. */
static void put_str(char *dst, const char *s) {
  size_t n = s != NULL ? strlen(s) : 0;
  if (n >= WT__DENY_STR) {
    n = WT__DENY_STR - 1;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
      n--;
  }
  if (n > 0)
    memcpy(dst, s, n);
  dst[n] = 0;
}

void wt_tracer_deny_full(wt_tracer_t *t, const wt_trace_denial_t *d) {
  wt__frame_t *f;
  if (t == NULL || d == NULL || t->depth == 0 || d->source >= WT_DENIAL_COUNT)
    return;
  f = frame(t);
  f->has_denial = true;
  f->denial = *d;
  put_str(f->str[0], d->rule);
  put_str(f->str[1], d->reason);
  put_str(f->str[2], d->preopen);
  put_str(f->str[3], d->path);
  put_str(f->str[4], d->resolved);
}

void wt_tracer_deny(wt_tracer_t *t, wt_fd_t fd, wt_rights_t right,
                    const char *rule) {
  wt_trace_denial_t d;
  memset(&d, 0, sizeof d);
  d.source = WT_DENIAL_POLICY;
  d.fd = fd;
  d.right = right;
  d.rule = rule;
  d.rule_index = -1;
  wt_tracer_deny_full(t, &d);
}

uint64_t wt_tracer_calls(const wt_tracer_t *t) {
  return t->calls;
}

void wt_tracer_ring_stats(const wt_tracer_t *t, wt_tracer_ring_stats_t *out) {
  out->size = t->ring.size;
  out->waits = atomic_load_explicit(&t->ring.waits, memory_order_relaxed);
  out->wait_ns = atomic_load_explicit(&t->ring.wait_ns, memory_order_relaxed);
}
