/*
 * Matching and explaining: whether the guest's call equals a record, and
 * when it does not, which argument differs and how. The argument tables
 * are expanded from calls.def, so the diff walks every call's arguments
 * without per-call code; values are printed by the tracer's printers
 * (wt_trace_format_value), records by wt_trace_summarize.
 */
#include <stdlib.h>

#include "internal.h"

/* ---- argument tables ----------------------------------------------------- */

#define RT_VOID() {WT__RK_VOID, 0, "", ""},
#define RT_FD(name, right) {WT__RK_FD, 4, #name, "fd"},
#define RT_IN(type, name, fmt) {WT__RK_IN, sizeof(type), #name, #fmt},
#define RT_IN_STR(name) {WT__RK_IN_STR, 0, #name, ""},
#define RT_IN_IOVS(name) {WT__RK_IN_IOVS, 0, #name, ""},
#define RT_OUT_IOVS(name, used) {WT__RK_OUT_IOVS, 0, #name, ""},
#define RT_OUT_BUF(name, used) {WT__RK_OUT_BUF, 0, #name, ""},
#define RT_OUT_BYTES(name) {WT__RK_OUT_BYTES, 0, #name, ""},
#define RT_OUT(type, name, fmt) {WT__RK_OUT, sizeof(type), #name, #fmt},
#define RT_IN_ARRAY(type, name, count, fmt)                                    \
  {WT__RK_IN_ARRAY, sizeof(type), #name, #fmt},
#define RT_OUT_ARRAY(type, name, count, used, fmt)                             \
  {WT__RK_OUT_ARRAY, sizeof(type), #name, #fmt},
#define RT_IN_OPT(type, name, fmt) {WT__RK_IN_OPT, sizeof(type), #name, #fmt},
#define RT_OUT_STRTAB(name) {WT__RK_OUT_STRTAB, 0, #name, ""},

#define WT_CALL(name, set, fam, ret, ...)                                      \
  static const wt__rp_arg_t args_##name[] = {WT_ARGS(RT, __VA_ARGS__)};
#include "wt/calls.def"
#undef WT_CALL

const wt__rp_sig_t wt__rp_sigs[WT_CALL_COUNT] = {
#define WT_CALL(name, set, fam, ret, ...)                                      \
  {args_##name, sizeof args_##name / sizeof args_##name[0]},
#include "wt/calls.def"
#undef WT_CALL
};

/* ---- equality ------------------------------------------------------------ */

/* Compares iovecs' bytes from offset 0 with n bytes at p. */
static bool iovs_start_with(const wt_ciovec_t *v, uint32_t nv, const uint8_t *p,
                            size_t n) {
  for (uint32_t i = 0; i < nv && n > 0; i++) {
    size_t k = v[i].buf_len < n ? v[i].buf_len : n;
    if (k > 0 && memcmp(v[i].buf, p, k) != 0)
      return false;
    p += k;
    n -= k;
  }
  return n == 0;
}

/* The guest's bytes as one string: the iovec itself when there is one. */
static const uint8_t *gather(wt__rp_buf_t *scratch, const wt_ciovec_t *v,
                             uint32_t n, size_t size) {
  if (n == 1)
    return v[0].buf;
  scratch->len = 0;
  for (uint32_t i = 0; i < n; i++)
    wt__rp_put(scratch, v[i].buf, v[i].buf_len);
  return scratch->oom || scratch->len != size ? NULL : scratch->p;
}

static bool in_equal(const wt_trace_payload_t *pl, const wt_ciovec_t *v,
                     uint32_t n, uint64_t size, wt__rp_buf_t *scratch) {
  const uint8_t *all;
  if (pl == NULL || pl->size != size || pl->len > size ||
      !iovs_start_with(v, n, pl->data, pl->len))
    return false;
  switch (pl->capture) {
  case WT_PAYLOAD_FULL:
    return pl->len == size;
  case WT_PAYLOAD_DIGEST:
    all = gather(scratch, v, n, (size_t)size);
    return all != NULL && wt_trace_digest(all, (size_t)size) == pl->digest;
  default: /* meta traces are refused at open; only sizes to compare */
    return true;
  }
}

bool wt__rp_equal(const wt_trace_call_t *rec, const wt__rp_act_t *a,
                  wt__rp_buf_t *scratch) {
  if (rec->call != a->call || wt_trace_call_refused(rec) != a->refused ||
      rec->args_len != a->args.len ||
      (a->args.len > 0 && memcmp(rec->args, a->args.p, a->args.len) != 0))
    return false;
  for (uint32_t i = 0; i < a->nin; i++)
    if (!in_equal(wt__rp_payload(rec, a->in[i].arg, WT_PAYLOAD_IN), a->in[i].v,
                  a->in[i].n, a->in[i].size, scratch))
      return false;
  return true;
}

/* ---- rendering calls ----------------------------------------------------- */

/*
 * An empty buffer's bytes are NULL; decoders do pointer arithmetic on them,
 * and NULL + 0 is undefined behaviour (UBSan under clang reports it), so
 * they get a real, empty array instead.
 */
static const uint8_t no_bytes[1];
static const uint8_t *bytes_of(const wt__rp_buf_t *b) {
  return b->p != NULL ? b->p : no_bytes;
}

static void render_summary(wt__rp_buf_t *out, const wt_trace_call_t *c,
                           bool results) {
  wt_trace_summary_t s;
  memset(&s, 0, sizeof s);
  if (wt_trace_summarize(c, &s) < 0) {
    wt__rp_printf(out, "%s(<arguments that do not decode>)",
                  wt_call_name(c->call));
  } else {
    wt__rp_printf(out, "%s(%s)", wt_call_name(c->call), s.args_json);
    if (results)
      wt__rp_printf(
          out, " = %s%s%s", wt_errno_name(c->err),
          c->err == WT_ESUCCESS && strcmp(s.results_json, "{}") != 0 ? " " : "",
          c->err == WT_ESUCCESS && strcmp(s.results_json, "{}") != 0
              ? s.results_json
              : "");
  }
  wt_trace_summary_free(&s);
}

void wt__rp_render(wt__rp_buf_t *out, const wt_trace_call_t *rec) {
  wt__rp_printf(out, "seq %llu  ", (unsigned long long)rec->seq);
  render_summary(out, rec, true);
}

void wt__rp_render_act(wt__rp_buf_t *out, wt__rp_buf_t *scratch,
                       const wt__rp_act_t *a) {
  wt_trace_payload_t pl[WT__RP_MAX_IN];
  uint8_t prefix[WT__RP_MAX_IN][WT_TRACE_PREFIX];
  wt_trace_call_t c;
  memset(&c, 0, sizeof c);
  c.call = a->call;
  c.err = WT_ECANCELED; /* no outputs to describe */
  c.args = bytes_of(&a->args);
  c.results = no_bytes;
  c.args_len = (uint32_t)a->args.len;
  if (a->refused) {
    c.ndenials = 1;
    c.denials = &wt__rp_abi_denial;
  }
  /* The guest's bytes as the replay capture would keep a write. */
  for (uint32_t i = 0; i < a->nin; i++) {
    const uint8_t *all =
        gather(scratch, a->in[i].v, a->in[i].n, (size_t)a->in[i].size);
    uint64_t size = a->in[i].size;
    uint32_t len = size < WT_TRACE_PREFIX ? (uint32_t)size : WT_TRACE_PREFIX;
    if (all == NULL) {
      render_summary(out, &c, false);
      return;
    }
    memcpy(prefix[i], all, len);
    pl[i] = (wt_trace_payload_t){
        (uint16_t)a->in[i].arg,
        WT_PAYLOAD_IN,
        len == size ? WT_PAYLOAD_FULL : WT_PAYLOAD_DIGEST,
        size,
        len == size ? 0 : wt_trace_digest(all, (size_t)size),
        len,
        prefix[i]};
  }
  c.npayloads = a->nin;
  c.payloads = pl;
  render_summary(out, &c, false);
}

/* ---- byte excerpts ------------------------------------------------------- */

#define EXCERPT 16

static void excerpt(wt__rp_buf_t *out, const char *indent, const char *label,
                    const uint8_t *p, size_t n, size_t from) {
  size_t to = from + EXCERPT < n ? from + EXCERPT : n;
  wt__rp_printf(out, "%s%s @%zu:", indent, label, from);
  for (size_t i = from; i < to; i++)
    wt__rp_printf(out, " %02x", p[i]);
  for (size_t i = to; i < from + EXCERPT; i++)
    wt__rp_printf(out, "   ");
  wt__rp_printf(out, "  \"");
  for (size_t i = from; i < to; i++)
    wt__rp_printf(out, "%c", p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.');
  wt__rp_printf(out, "\"%s\n", to < n ? "..." : "");
}

/* The first offset where x and y differ (the shorter length if one is a
 * prefix of the other). */
static size_t first_diff(const uint8_t *x, size_t xn, const uint8_t *y,
                         size_t yn) {
  size_t n = xn < yn ? xn : yn, i = 0;
  while (i < n && x[i] == y[i])
    i++;
  return i;
}

void wt__rp_bytes_diff(wt__rp_buf_t *out, const char *indent, const uint8_t *x,
                       size_t xn, const uint8_t *y, size_t yn) {
  size_t d = first_diff(x, xn, y, yn);
  size_t from = d > 4 ? d - 4 : 0;
  wt__rp_printf(out, "%sfirst difference at byte %zu\n", indent, d);
  excerpt(out, indent, "recorded", x, xn, from);
  excerpt(out, indent, "actual  ", y, yn, from);
}

/* ---- the argument diff ----------------------------------------------------
 */

typedef struct diff_s {
  wt__rp_buf_t *out;
  const wt_trace_call_t *rec;
  const wt__rp_act_t *a;
  wt__cur_t x, y; /* recorded, actual */
  uint32_t arg;
  bool found;
} diff_t;

static void value(wt__rp_buf_t *out, const char *fmt, const void *p,
                  size_t size) {
  char buf[256];
  wt_trace_format_value(fmt, p, size, buf, sizeof buf);
  wt__rp_printf(out, "%s", buf);
}

static void line_start(diff_t *d, const wt__rp_arg_t *g) {
  d->found = true;
  wt__rp_printf(d->out, "    %s: ", g->name);
}

static void diff_scalar(diff_t *d, const wt__rp_arg_t *g) {
  uint64_t x = g->kind == WT__RK_FD ? wt__cur_u32(&d->x) : wt__cur_u64(&d->x);
  uint64_t y = g->kind == WT__RK_FD ? wt__cur_u32(&d->y) : wt__cur_u64(&d->y);
  size_t size = g->kind == WT__RK_FD ? 4 : g->size;
  if (x == y || d->x.bad || d->y.bad)
    return;
  line_start(d, g);
  wt__rp_printf(d->out, "recorded ");
  value(d->out, g->fmt, &x, size);
  wt__rp_printf(d->out, ", actual ");
  value(d->out, g->fmt, &y, size);
  wt__rp_printf(d->out, "\n");
}

/* Length-prefixed bytes: IN_STR, IN_ARRAY. */
static void diff_bytes(diff_t *d, const wt__rp_arg_t *g) {
  uint32_t xn = wt__cur_u32(&d->x), yn = wt__cur_u32(&d->y);
  const uint8_t *x = wt__cur_take(&d->x, xn), *y = wt__cur_take(&d->y, yn);
  size_t at;
  if (x == NULL || y == NULL || (xn == yn && memcmp(x, y, xn) == 0))
    return;
  line_start(d, g);
  wt__rp_printf(d->out, "%u bytes recorded, %u actual\n", xn, yn);
  if (g->kind == WT__RK_IN_ARRAY && g->size > 0) {
    at = first_diff(x, xn, y, yn) / g->size;
    wt__rp_printf(d->out, "      item %zu: recorded ", at);
    if ((at + 1) * g->size <= xn)
      value(d->out, g->fmt, x + at * g->size, g->size);
    else
      wt__rp_printf(d->out, "(none)");
    wt__rp_printf(d->out, "\n      item %zu: actual   ", at);
    if ((at + 1) * g->size <= yn)
      value(d->out, g->fmt, y + at * g->size, g->size);
    else
      wt__rp_printf(d->out, "(none)");
    wt__rp_printf(d->out, "\n");
  } else {
    wt__rp_bytes_diff(d->out, "      ", x, xn, y, yn);
  }
}

/* iovec counts and lengths: the shape of a buffer argument. */
static void diff_iov_shape(diff_t *d, const wt__rp_arg_t *g) {
  uint32_t xn = wt__cur_u32(&d->x), yn = wt__cur_u32(&d->y);
  const uint8_t *x = wt__cur_take(&d->x, 4 * (size_t)xn);
  const uint8_t *y = wt__cur_take(&d->y, 4 * (size_t)yn);
  uint64_t xt = 0, yt = 0;
  if (x == NULL || y == NULL || (xn == yn && memcmp(x, y, 4 * xn) == 0))
    return;
  for (uint32_t i = 0; i < xn; i++)
    xt += wt__ld32(x + 4 * (size_t)i);
  for (uint32_t i = 0; i < yn; i++)
    yt += wt__ld32(y + 4 * (size_t)i);
  line_start(d, g);
  wt__rp_printf(d->out,
                "recorded %u buffers of %llu bytes in all, actual %u of "
                "%llu\n",
                xn, (unsigned long long)xt, yn, (unsigned long long)yt);
}

/* The bytes an IN_IOVS argument wrote. */
static void diff_in_payload(diff_t *d, const wt__rp_arg_t *g,
                            wt__rp_buf_t *scratch) {
  const wt_trace_payload_t *pl = wt__rp_payload(d->rec, d->arg, WT_PAYLOAD_IN);
  const uint8_t *y = NULL;
  uint64_t size = 0;
  for (uint32_t i = 0; i < d->a->nin; i++)
    if (d->a->in[i].arg == d->arg) {
      size = d->a->in[i].size;
      y = gather(scratch, d->a->in[i].v, d->a->in[i].n, (size_t)size);
      if (y != NULL && pl != NULL &&
          in_equal(pl, d->a->in[i].v, d->a->in[i].n, size, scratch))
        return;
      /* in_equal may have reused the scratch: gather again. */
      y = gather(scratch, d->a->in[i].v, d->a->in[i].n, (size_t)size);
    }
  line_start(d, g);
  if (pl == NULL || y == NULL) {
    wt__rp_printf(d->out, "%s\n",
                  pl == NULL ? "the record holds no bytes for it"
                             : "out of memory");
    return;
  }
  wt__rp_printf(d->out, "%llu bytes recorded, %llu actual\n",
                (unsigned long long)pl->size, (unsigned long long)size);
  if (pl->capture == WT_PAYLOAD_DIGEST &&
      first_diff(pl->data, pl->len, y, (size_t)size) == pl->len &&
      size > pl->len)
    wt__rp_printf(d->out,
                  "      the first %u bytes (all the trace keeps) are the "
                  "same; the rest differs (digest %016llx recorded, "
                  "%016llx actual)\n",
                  pl->len, (unsigned long long)pl->digest,
                  (unsigned long long)wt_trace_digest(y, (size_t)size));
  else if (pl->capture != WT_PAYLOAD_NONE)
    wt__rp_bytes_diff(d->out, "      ", pl->data, pl->len, y, (size_t)size);
}

static void diff_opt(diff_t *d, const wt__rp_arg_t *g) {
  const uint8_t *xp = wt__cur_take(&d->x, 1), *yp = wt__cur_take(&d->y, 1);
  const uint8_t *x = NULL, *y = NULL;
  if (xp == NULL || yp == NULL)
    return;
  if (*xp)
    x = wt__cur_take(&d->x, g->size);
  if (*yp)
    y = wt__cur_take(&d->y, g->size);
  if ((x == NULL && y == NULL) ||
      (x != NULL && y != NULL && memcmp(x, y, g->size) == 0))
    return;
  line_start(d, g);
  wt__rp_printf(d->out, "recorded ");
  if (x != NULL)
    value(d->out, g->fmt, x, g->size);
  else
    wt__rp_printf(d->out, "null");
  wt__rp_printf(d->out, ", actual ");
  if (y != NULL)
    value(d->out, g->fmt, y, g->size);
  else
    wt__rp_printf(d->out, "null");
  wt__rp_printf(d->out, "\n");
}

/* One u32 (buffer capacity) or two (string table capacities). */
static void diff_caps(diff_t *d, const wt__rp_arg_t *g, int n) {
  uint32_t x[2] = {0, 0}, y[2] = {0, 0};
  for (int i = 0; i < n; i++) {
    x[i] = wt__cur_u32(&d->x);
    y[i] = wt__cur_u32(&d->y);
  }
  if (x[0] == y[0] && x[1] == y[1])
    return;
  line_start(d, g);
  if (n == 1)
    wt__rp_printf(d->out, "room for %u bytes recorded, %u actual\n", x[0],
                  y[0]);
  else
    wt__rp_printf(d->out,
                  "room for %u pointers and %u bytes recorded, %u and %u "
                  "actual\n",
                  x[0], x[1], y[0], y[1]);
}

static void diff_arg(diff_t *d, const wt__rp_arg_t *g, wt__rp_buf_t *scratch) {
  switch (g->kind) {
  case WT__RK_FD:
  case WT__RK_IN:
    diff_scalar(d, g);
    break;
  case WT__RK_IN_STR:
  case WT__RK_IN_ARRAY:
    diff_bytes(d, g);
    break;
  case WT__RK_IN_IOVS:
    diff_iov_shape(d, g);
    diff_in_payload(d, g, scratch);
    break;
  case WT__RK_OUT_IOVS:
    diff_iov_shape(d, g);
    break;
  case WT__RK_OUT_BUF:
  case WT__RK_OUT_BYTES:
    diff_caps(d, g, 1);
    break;
  case WT__RK_OUT_STRTAB:
    diff_caps(d, g, 2);
    break;
  case WT__RK_IN_OPT:
    diff_opt(d, g);
    break;
  default: /* outputs: nothing in the inputs */
    break;
  }
}

const wt_trace_denial_t wt__rp_abi_denial = {
    WT_DENIAL_ABI, UINT32_MAX, 0, NULL, -1, false, NULL, NULL, NULL, NULL};

/* Calls the guest ABI refused carry raw guest parameters, u64 each. */
static void diff_refused(wt__rp_buf_t *out, const wt_trace_call_t *rec,
                         const wt__rp_act_t *a) {
  uint32_t n = 0;
  const wt_guest_param_t *gp = wt_call_guest_params(a->call, &n);
  bool found = false;
  if (wt_trace_call_refused(rec) != a->refused) {
    wt__rp_printf(out, "    refused by the guest ABI: recorded %s, actual %s\n",
                  wt_trace_call_refused(rec) ? "yes" : "no",
                  a->refused ? "yes" : "no");
    return;
  }
  if (rec->args_len != 8 * (size_t)n || a->args.len != 8 * (size_t)n) {
    wt__rp_printf(out, "    (the record's arguments do not decode: a corrupt "
                       "trace)\n");
    return;
  }
  for (uint32_t i = 0; i < n; i++) {
    uint64_t x, y;
    memcpy(&x, rec->args + 8 * i, 8);
    memcpy(&y, a->args.p + 8 * i, 8);
    if (x == y)
      continue;
    wt__rp_printf(out, "    %s: recorded %llu, actual %llu\n", gp[i].name,
                  (unsigned long long)x, (unsigned long long)y);
    found = true;
  }
  if (!found)
    wt__rp_printf(out, "    (no argument differs)\n");
}

void wt__rp_diff(wt__rp_buf_t *out, wt__rp_buf_t *scratch,
                 const wt_trace_call_t *rec, const wt__rp_act_t *a) {
  const wt__rp_sig_t *sig;
  diff_t d = {out, rec, a, {0}, {0}, 0, false};
  if (rec->call != a->call) {
    wt__rp_printf(out, "    the call: recorded %s, actual %s\n",
                  wt_call_name(rec->call), wt_call_name(a->call));
    return;
  }
  if (wt_trace_call_refused(rec) || a->refused) {
    diff_refused(out, rec, a);
    return;
  }
  sig = &wt__rp_sigs[a->call];
  d.x = (wt__cur_t){rec->args, rec->args + rec->args_len, false};
  d.y = (wt__cur_t){bytes_of(&a->args), bytes_of(&a->args) + a->args.len,
                    false};
  for (d.arg = 0; d.arg < sig->nargs; d.arg++)
    diff_arg(&d, &sig->args[d.arg], scratch);
  if (d.x.bad || d.x.p != d.x.end)
    wt__rp_printf(out, "    (the record's arguments do not decode: a corrupt "
                       "trace)\n");
  else if (!d.found)
    wt__rp_printf(out, "    (no argument differs)\n");
}
