/*
 * Reading records back: the ring record decoder (writer thread) and the
 * describers, expanded from calls.def, that walk a call's binary arguments
 * and results to produce the plain columns and the JSON text for humans.
 * Every read is bounds-checked: a corrupt trace gives -1, never a crash.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* ---- ring records
 * ------------------------------------------------------------ */

static int decode_extras(wt__cur_t *c, uint32_t ntr, uint32_t nden,
                         wt__callbuf_t *b, int64_t *str_off) {
  for (uint32_t i = 0; i < ntr; i++) {
    const uint8_t *p = wt__cur_take(c, WT__TR_SIZE);
    if (p == NULL)
      return -1;
    b->transitions[i] =
        (wt_transition_t){wt__ld16(p),      wt__ld32(p + 2),  wt__ld32(p + 6),
                          wt__ld64(p + 10), wt__ld64(p + 18), wt__ld64(p + 26)};
  }
  for (uint32_t i = 0; i < nden; i++) {
    const uint8_t *p = wt__cur_take(c, WT__DENY_SIZE);
    if (p == NULL)
      return -1;
    b->denials[i] = (wt_trace_denial_t){p[0], wt__ld32(p + 1), wt__ld64(p + 5),
                                        NULL, (int32_t)wt__ld32(p + 13),
                                        p[17] != 0, NULL, NULL, NULL, NULL};
    for (int k = 0; k < WT__DENY_NSTR; k++) {
      uint16_t n = wt__ld16(p + 18 + 2 * k);
      const uint8_t *s = wt__cur_take(c, n);
      if (s == NULL)
        return -1;
      str_off[k] = n > 0 ? wt__callbuf_copy(b, s, n) : -1;
    }
  }
  return 0;
}

/* A deferred payload becomes a digest and a prefix, as REPLAY keeps it. */
static void reduce(wt_trace_payload_t *pl) {
  pl->digest = wt_trace_digest(pl->data, pl->len);
  pl->capture = WT_PAYLOAD_DIGEST;
  if (pl->len > WT_TRACE_PREFIX)
    pl->len = WT_TRACE_PREFIX;
}

static int decode_payloads(wt__cur_t *c, uint32_t n, wt__callbuf_t *b) {
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t *h = wt__cur_take(c, WT__PL_HDR);
    wt_trace_payload_t *pl = &b->payloads[i];
    if (h == NULL)
      return -1;
    pl->arg = wt__ld16(h);
    pl->dir = h[2];
    pl->capture = h[3];
    pl->len = wt__ld32(h + 4);
    pl->size = wt__ld64(h + 8);
    pl->digest = wt__ld64(h + 16);
    pl->data = wt__cur_take(c, pl->len);
    if (pl->data == NULL)
      return -1;
    if (pl->capture == WT__PAYLOAD_DEFER)
      reduce(pl);
  }
  return 0;
}

int wt__record_decode(uint8_t *p, size_t total, wt__callbuf_t *b) {
  wt__cur_t c = {p + WT__REC_HDR, p + total, false};
  wt_trace_call_t *call = &b->call;
  uint32_t np, ntr, nden;
  int64_t str_off[WT__DENY_NSTR] = {-1, -1, -1, -1, -1};
  if (total < WT__REC_HDR)
    return -1;
  np = wt__ld16(p + 32);
  ntr = wt__ld16(p + 34);
  nden = wt__ld16(p + 36);
  b->arena_len = 0;
  if (nden > 1 || wt__callbuf_reserve(b, np, ntr, nden) < 0)
    return -1;
  call->seq = wt__record_seq(p);
  call->call = wt__ld16(p + 4);
  call->err = wt__ld16(p + 6);
  call->start_ns = wt__ld64(p + 8);
  call->dur_ns = wt__ld64(p + 16);
  call->args_len = wt__ld32(p + 24);
  call->results_len = wt__ld32(p + 28);
  call->args = wt__cur_take(&c, call->args_len);
  call->results = wt__cur_take(&c, call->results_len);
  call->npayloads = np;
  call->ntransitions = ntr;
  call->ndenials = nden;
  if (c.bad || decode_extras(&c, ntr, nden, b, str_off) < 0 ||
      decode_payloads(&c, np, b) < 0 || c.p != c.end)
    return -1;
  /* At most one denial (nden <= 1): its strings, now the arena is fixed. */
  if (nden == 1) {
    const char **strs[WT__DENY_NSTR] = {
        &b->denials[0].rule, &b->denials[0].reason, &b->denials[0].preopen,
        &b->denials[0].path, &b->denials[0].resolved};
    for (int k = 0; k < WT__DENY_NSTR; k++)
      *strs[k] = str_off[k] >= 0 ? (const char *)b->arena + str_off[k] : NULL;
  }
  return 0;
}

/* ---- describers
 * -------------------------------------------------------------- */

typedef struct desc_s {
  const wt_trace_call_t *c;
  wt__cur_t a, r;
  wt__sb_t *ja, *jr;
  bool afirst, rfirst;
  wt_trace_summary_t *s;
} desc_t;

/* ,"k": (the comma unless first), written at once: this runs for every
 * argument of every call the writer stores. */
static void jkey(wt__sb_t *b, bool *first, const char *k) {
  size_t n = strlen(k);
  char *o;
  if (b->cap - b->len <= n + 4)
    wt__sb_grow(b, n + 4);
  if (b->oom)
    return;
  o = b->s + b->len;
  if (!*first)
    *o++ = ',';
  *first = false;
  *o++ = '"';
  memcpy(o, k, n);
  o += n;
  *o++ = '"';
  *o++ = ':';
  *o = 0;
  b->len = (size_t)(o - b->s);
}

static const wt_trace_payload_t *payload_of(const wt_trace_call_t *c, int arg) {
  for (uint32_t i = 0; i < c->npayloads; i++)
    if (c->payloads[i].arg == arg)
      return &c->payloads[i];
  return NULL;
}

/* ,"size":N,"data":"first bytes"[,"digest":"hex"] of a payload. */
static void payload_json(wt__sb_t *b, const wt_trace_payload_t *pl) {
  if (pl == NULL)
    return;
  wt__sb_puts(b, ",\"size\":");
  wt__sb_json_u64(b, pl->size);
  if (pl->capture != WT_PAYLOAD_NONE) {
    wt__sb_puts(b, ",\"data\":");
    wt__sb_json_str(b, pl->data,
                    pl->len < WT_TRACE_PREFIX ? pl->len : WT_TRACE_PREFIX);
  }
  if (pl->capture == WT_PAYLOAD_DIGEST) {
    wt__sb_puts(b, ",\"digest\":\"");
    wt__sb_hex64(b, pl->digest);
    wt__sb_putc(b, '"');
  }
}

/* The summary's fd and fd2 columns: the first two fd arguments. */
static void note_fd(desc_t *d, uint32_t fd) {
  if (!d->s->has_fd) {
    d->s->has_fd = true;
    d->s->fd = fd;
  } else if (!d->s->has_fd2) {
    d->s->has_fd2 = true;
    d->s->fd2 = fd;
  }
}

static void d_fd(desc_t *d, const char *name) {
  uint32_t fd = wt__cur_u32(&d->a);
  jkey(d->ja, &d->afirst, name);
  wt__sb_u64(d->ja, fd);
  note_fd(d, fd);
}

/* An fd as a refused call's raw parameter (u64). */
static void d_fd_u64(desc_t *d, const char *name) {
  uint64_t v = wt__cur_u64(&d->a);
  jkey(d->ja, &d->afirst, name);
  wt__sb_json_u64(d->ja, v);
  if (v <= UINT32_MAX)
    note_fd(d, (uint32_t)v);
}

static void d_str(desc_t *d, const char *name) {
  uint32_t n = wt__cur_u32(&d->a);
  const uint8_t *p = wt__cur_take(&d->a, n);
  if (p == NULL)
    return;
  jkey(d->ja, &d->afirst, name);
  wt__sb_json_str(d->ja, p, n);
  if (!d->s->has_path) {
    d->s->has_path = true;
    d->s->path = (const char *)p;
    d->s->path_len = n;
  }
}

/* iovec lengths: {"iovcnt":n,"cap":total} (cap only for out iovecs). */
static void d_iovs(desc_t *d, const char *name, int arg, bool out) {
  uint32_t n = wt__cur_u32(&d->a);
  uint64_t total = 0;
  const uint8_t *lens = wt__cur_take(&d->a, 4 * (size_t)n);
  if (lens == NULL)
    return;
  for (uint32_t i = 0; i < n; i++)
    total += wt__ld32(lens + 4 * i);
  jkey(d->ja, &d->afirst, name);
  wt__sb_puts(d->ja, "{\"iovcnt\":");
  wt__sb_u64(d->ja, n);
  if (out) {
    wt__sb_puts(d->ja, ",\"cap\":");
    wt__sb_u64(d->ja, total);
  } else {
    payload_json(d->ja, payload_of(d->c, arg));
  }
  wt__sb_putc(d->ja, '}');
}

static void d_cap(desc_t *d, const char *name) {
  uint32_t n = wt__cur_u32(&d->a);
  jkey(d->ja, &d->afirst, name);
  wt__sb_puts(d->ja, "{\"cap\":");
  wt__sb_u64(d->ja, n);
  wt__sb_putc(d->ja, '}');
}

/* An out payload in the results, and the byte count it stands for. */
static void r_payload(desc_t *d, const char *name, int arg) {
  const wt_trace_payload_t *pl = payload_of(d->c, arg);
  if (pl == NULL) {
    d->r.bad = true;
    return;
  }
  jkey(d->jr, &d->rfirst, name);
  wt__sb_puts(d->jr, "{\"dir\":\"out\"");
  payload_json(d->jr, pl);
  wt__sb_putc(d->jr, '}');
  if (!d->s->has_nbytes) {
    d->s->has_nbytes = true;
    d->s->nbytes = pl->size;
  }
}

static void d_array(desc_t *d, wt__cur_t *c, wt__sb_t *b, bool *first,
                    const char *name, uint32_t n, size_t size,
                    void (*pr)(wt__sb_t *, const void *, size_t)) {
  const uint8_t *p = wt__cur_take(c, (size_t)n * size);
  size_t start;
  (void)d;
  if (p == NULL)
    return;
  jkey(b, first, name);
  wt__sb_putc(b, '[');
  start = b->len;
  for (uint32_t i = 0; i < n; i++) {
    if (i > 0)
      wt__sb_putc(b, ',');
    if (b->len - start > WT__JSON_ARRAY_MAX) {
      /* The rest is in args_bin / results_bin; the text stays readable. */
      char more[64];
      snprintf(more, sizeof more, "\"... %u more\"", n - i);
      wt__sb_puts(b, more);
      break;
    }
    pr(b, p + i * size, size);
  }
  wt__sb_putc(b, ']');
}

static void r_strtab(desc_t *d, const char *name) {
  uint32_t count = wt__cur_u32(&d->r), used = wt__cur_u32(&d->r);
  const uint8_t *offs = wt__cur_take(&d->r, 4 * (size_t)count);
  const uint8_t *buf = wt__cur_take(&d->r, used);
  if (buf == NULL)
    return;
  jkey(d->jr, &d->rfirst, name);
  wt__sb_putc(d->jr, '[');
  for (uint32_t i = 0; i < count; i++) {
    uint32_t off = wt__ld32(offs + 4 * i);
    size_t len = 0;
    if (i > 0)
      wt__sb_putc(d->jr, ',');
    while (off < used && off + len < used && buf[off + len] != 0)
      len++;
    wt__sb_json_str(d->jr, off < used ? buf + off : buf, len);
  }
  wt__sb_putc(d->jr, ']');
}

/* Counts IN_IOVS arguments: their call's OUT size is the byte count. */
#define HI_VOID()
#define HI_FD(name, right)
#define HI_IN(type, name, fmt)
#define HI_IN_STR(name)
#define HI_IN_IOVS(name) +1
#define HI_OUT_IOVS(name, used)
#define HI_OUT_BUF(name, used)
#define HI_OUT_BYTES(name)
#define HI_OUT(type, name, fmt)
#define HI_IN_ARRAY(type, name, count, fmt)
#define HI_OUT_ARRAY(type, name, count, used, fmt)
#define HI_IN_OPT(type, name, fmt)
#define HI_OUT_STRTAB(name)

/* Argument walk: inputs to JSON and the plain columns. */
#define DA_VOID() argi++;
#define DA_FD(name, right)                                                     \
  d_fd(d, #name);                                                              \
  argi++;
#define DA_IN(type, name, fmt)                                                 \
  {                                                                            \
    type v_ = (type)wt__cur_u64(&d->a);                                        \
    jkey(d->ja, &d->afirst, #name);                                            \
    wt__pr_##fmt(d->ja, &v_, sizeof v_);                                       \
    name##_val = (uint64_t)v_;                                                 \
    (void)name##_val;                                                          \
  }                                                                            \
  argi++;
#define DA_IN_STR(name)                                                        \
  d_str(d, #name);                                                             \
  argi++;
#define DA_IN_IOVS(name)                                                       \
  d_iovs(d, #name, argi, false);                                               \
  argi++;
#define DA_OUT_IOVS(name, used)                                                \
  d_iovs(d, #name, argi, true);                                                \
  argi++;
#define DA_OUT_BUF(name, used)                                                 \
  d_cap(d, #name);                                                             \
  argi++;
#define DA_OUT_BYTES(name)                                                     \
  d_cap(d, #name);                                                             \
  argi++;
#define DA_OUT(type, name, fmt) argi++;
#define DA_IN_ARRAY(type, name, count, fmt)                                    \
  {                                                                            \
    uint32_t n_ = wt__cur_u32(&d->a);                                          \
    if (n_ % sizeof(type) != 0)                                                \
      d->a.bad = true;                                                         \
    d_array(d, &d->a, d->ja, &d->afirst, #name, (uint32_t)(n_ / sizeof(type)), \
            sizeof(type), wt__pr_##fmt);                                       \
  }                                                                            \
  argi++;
#define DA_OUT_ARRAY(type, name, count, used, fmt) argi++;
#define DA_IN_OPT(type, name, fmt)                                             \
  {                                                                            \
    const uint8_t *p_ = wt__cur_take(&d->a, 1);                                \
    jkey(d->ja, &d->afirst, #name);                                            \
    if (p_ != NULL && *p_ && (p_ = wt__cur_take(&d->a, sizeof(type))))         \
      wt__pr_##fmt(d->ja, p_, sizeof(type));                                   \
    else                                                                       \
      wt__sb_puts(d->ja, "null");                                              \
  }                                                                            \
  argi++;
#define DA_OUT_STRTAB(name)                                                    \
  {                                                                            \
    uint32_t oc_ = wt__cur_u32(&d->a), bc_ = wt__cur_u32(&d->a);               \
    jkey(d->ja, &d->afirst, #name);                                            \
    wt__sb_puts(d->ja, "{\"offsets_cap\":");                                   \
    wt__sb_u64(d->ja, oc_);                                                    \
    wt__sb_puts(d->ja, ",\"buf_cap\":");                                       \
    wt__sb_u64(d->ja, bc_);                                                    \
    wt__sb_putc(d->ja, '}');                                                   \
  }                                                                            \
  argi++;

/* Locals for IN values (an OUT_ARRAY's count refers to one). */
#define DV_VOID()
#define DV_FD(name, right)
#define DV_IN(type, name, fmt) uint64_t name##_val = 0;
#define DV_IN_STR(name)
#define DV_IN_IOVS(name)
#define DV_OUT_IOVS(name, used)
#define DV_OUT_BUF(name, used)
#define DV_OUT_BYTES(name)
#define DV_OUT(type, name, fmt)
#define DV_IN_ARRAY(type, name, count, fmt)
#define DV_OUT_ARRAY(type, name, count, used, fmt)
#define DV_IN_OPT(type, name, fmt)
#define DV_OUT_STRTAB(name)

/* Result walk, on success: outputs to JSON, newfd and nbytes. */
#define DR_VOID() argi++;
#define DR_FD(name, right) argi++;
#define DR_IN(type, name, fmt) argi++;
#define DR_IN_STR(name) argi++;
#define DR_IN_IOVS(name) argi++;
#define DR_OUT_IOVS(name, used)                                                \
  r_payload(d, #name, argi);                                                   \
  argi++;
#define DR_OUT_BUF(name, used) DR_OUT_IOVS(name, used)
#define DR_OUT_BYTES(name) DR_OUT_IOVS(name, 0)
#define DR_OUT(type, name, fmt)                                                \
  {                                                                            \
    const uint8_t *p_ = wt__cur_take(&d->r, sizeof(type));                     \
    if (p_ != NULL) {                                                          \
      jkey(d->jr, &d->rfirst, #name);                                          \
      wt__pr_##fmt(d->jr, p_, sizeof(type));                                   \
      if (sizeof(type) == 4 && strcmp(#fmt, "fd") == 0 && !d->s->has_newfd) {  \
        d->s->has_newfd = true;                                                \
        d->s->newfd = wt__ld32(p_);                                            \
      }                                                                        \
      if (sizeof(type) == 4 && has_in_iovs && strcmp(#fmt, "size") == 0 &&     \
          !d->s->has_nbytes) {                                                 \
        d->s->has_nbytes = true;                                               \
        d->s->nbytes = wt__ld32(p_);                                           \
      }                                                                        \
    }                                                                          \
  }                                                                            \
  argi++;
#define DR_IN_ARRAY(type, name, count, fmt) argi++;
#define DR_OUT_ARRAY(type, name, count, used, fmt)                             \
  {                                                                            \
    uint32_t n_ = wt__cur_u32(&d->r);                                          \
    if (n_ > count##_val)                                                      \
      d->r.bad = true;                                                         \
    d_array(d, &d->r, d->jr, &d->rfirst, #name, n_, sizeof(type),              \
            wt__pr_##fmt);                                                     \
  }                                                                            \
  argi++;
#define DR_IN_OPT(type, name, fmt) argi++;
#define DR_OUT_STRTAB(name)                                                    \
  r_strtab(d, #name);                                                          \
  argi++;

#define WT_CALL(name, set, fam, ret, ...)                                      \
  static void describe_##name(desc_t *d) {                                     \
    enum { has_in_iovs = 0 WT_ARGS(HI, __VA_ARGS__) };                         \
    int argi = 0;                                                              \
    WT_ARGS(DV, __VA_ARGS__)                                                   \
    WT_ARGS(DA, __VA_ARGS__)                                                   \
    if (d->c->err == WT_ESUCCESS) {                                            \
      argi = 0;                                                                \
      WT_ARGS(DR, __VA_ARGS__)                                                 \
    }                                                                          \
    (void)argi;                                                                \
    (void)has_in_iovs;                                                         \
  }
#include "wt/calls.def"
#undef WT_CALL

static void (*const describers[WT_CALL_COUNT])(desc_t *) = {
#define WT_CALL(name, set, fam, ret, ...) describe_##name,
#include "wt/calls.def"
#undef WT_CALL
};

typedef struct summary_priv_s {
  wt__sb_t ja, jr;
} summary_priv_t;

static bool payloads_ok(const wt_trace_call_t *c) {
  for (uint32_t i = 0; i < c->npayloads; i++) {
    const wt_trace_payload_t *pl = &c->payloads[i];
    if (pl->dir > WT_PAYLOAD_OUT || pl->capture > WT_PAYLOAD_NONE ||
        pl->len > pl->size ||
        (pl->capture == WT_PAYLOAD_FULL && pl->len != pl->size))
      return false;
  }
  return true;
}

/* A call the guest ABI refused: its raw guest parameters, by name; fd
   parameters fill the fd columns as decoded ones do. */
static void describe_refused(desc_t *d) {
  uint32_t n = 0;
  const wt_guest_param_t *gp = wt_call_guest_params(d->c->call, &n);
  for (uint32_t i = 0; i < n; i++) {
    if (gp[i].fd) {
      d_fd_u64(d, gp[i].name);
      continue;
    }
    uint64_t v = wt__cur_u64(&d->a);
    jkey(d->ja, &d->afirst, gp[i].name);
    wt__sb_json_u64(d->ja, v);
  }
}

int wt_trace_summarize(const wt_trace_call_t *c, wt_trace_summary_t *s) {
  summary_priv_t *priv = s->priv_ ? s->priv_ : calloc(1, sizeof *priv);
  desc_t d = {c,
              {c->args, c->args + c->args_len, false},
              {c->results, c->results + c->results_len, false},
              NULL,
              NULL,
              true,
              true,
              s};
  memset(s, 0, sizeof *s);
  if (priv == NULL) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  wt__sb_reset(&priv->ja);
  wt__sb_reset(&priv->jr);
  s->priv_ = priv;
  d.ja = &priv->ja;
  d.jr = &priv->jr;
  if (c->call >= WT_CALL_COUNT) {
    wt_trace_set_error("record %llu: unknown call id %u",
                       (unsigned long long)c->seq, c->call);
    return -1;
  }
  wt__sb_putc(d.ja, '{');
  wt__sb_putc(d.jr, '{');
  if (wt_trace_call_refused(c))
    describe_refused(&d);
  else
    describers[c->call](&d);
  wt__sb_putc(d.ja, '}');
  wt__sb_putc(d.jr, '}');
  if (c->err != WT_ESUCCESS) {
    wt__sb_reset(d.jr);
    wt__sb_puts(d.jr, "null");
  }
  s->args_json = priv->ja.s;
  s->results_json = priv->jr.s;
  if (d.a.bad || d.r.bad || d.a.p != d.a.end || d.r.p != d.r.end ||
      !payloads_ok(c)) {
    wt_trace_set_error("record %llu (%s): arguments do not match the call",
                       (unsigned long long)c->seq, wt_call_name(c->call));
    return -1;
  }
  if (priv->ja.oom || priv->jr.oom) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  return 0;
}

void wt_trace_summary_free(wt_trace_summary_t *s) {
  summary_priv_t *priv = s->priv_;
  if (priv != NULL) {
    wt__sb_free(&priv->ja);
    wt__sb_free(&priv->jr);
    free(priv);
  }
  memset(s, 0, sizeof *s);
}
