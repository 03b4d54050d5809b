/*
 * Rendering a record as a line, expanded from calls.def:
 *
 *   [seq] +time name(arg=value, ...) = ERRNO (out=value, ...) <duration>
 *
 * Inputs are shown before the "=", outputs after it (on success). Values
 * are named by the tracer's printers (the fmt tokens of calls.def), strings
 * and payloads are quoted and escaped as strace does.
 */
#include <stdio.h>
#include <stdlib.h>

#include "viewer_internal.h"

#define C_NAME "\033[1m"
#define C_ERR "\033[31m"
#define C_DENY "\033[33m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

/* Struct arrays show this many elements, then "...". */
#define ARRAY_SHOWN 8

typedef struct rc_s {
  wt_viewer_t *v;
  const wt_trace_call_t *c;
  wt__sb_t *b;
  wt__cur_t a, r;
  bool first;
} rc_t;

/* ---- pieces --------------------------------------------------------------
 */

void wt__view_quote(wt__sb_t *b, const uint8_t *p, size_t n, size_t max,
                    bool more) {
  static const char hex[] = "0123456789abcdef";
  size_t shown = n < max ? n : max;
  wt__sb_putc(b, '"');
  for (size_t i = 0; i < shown; i++) {
    uint8_t ch = p[i];
    char e[5] = {'\\', 0, 0, 0, 0};
    switch (ch) {
    case '"':
      e[1] = '"';
      break;
    case '\\':
      e[1] = '\\';
      break;
    case '\n':
      e[1] = 'n';
      break;
    case '\t':
      e[1] = 't';
      break;
    case '\r':
      e[1] = 'r';
      break;
    default:
      if (ch >= 0x20 && ch < 0x7f) {
        wt__sb_putc(b, (char)ch);
        continue;
      }
      e[1] = 'x';
      e[2] = hex[ch >> 4];
      e[3] = hex[ch & 15];
    }
    wt__sb_puts(b, e);
  }
  wt__sb_putc(b, '"');
  if (shown < n || more)
    wt__sb_puts(b, "...");
}

static bool name_like(const char *s, size_t n) {
  if (n == 0)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
          (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '|'))
      return false;
  return true;
}

/* The end of the JSON string starting at s[i] (the opening quote). */
static size_t string_end(const char *s, size_t i, size_t n) {
  for (i++; i < n; i++) {
    if (s[i] == '\\')
      i++;
    else if (s[i] == '"')
      return i;
  }
  return n - 1;
}

void wt__view_json_text(wt__sb_t *b, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"') {
      size_t e = string_end(s, i, n);
      bool key = e + 1 < n && s[e + 1] == ':';
      if (key || name_like(s + i + 1, e - i - 1)) {
        wt__sb_putn(b, s + i + 1, e - i - 1);
      } else {
        wt__sb_putn(b, s + i, e - i + 1);
      }
      if (key) {
        wt__sb_putc(b, '=');
        e++;
      }
      i = e;
    } else if (s[i] == ',') {
      wt__sb_puts(b, ", ");
    } else {
      wt__sb_putc(b, s[i]);
    }
  }
}

/* ", name=" (the comma unless first). */
static void key(rc_t *x, const char *name) {
  if (!x->first)
    wt__sb_puts(x->b, ", ");
  x->first = false;
  wt__sb_puts(x->b, name);
  wt__sb_putc(x->b, '=');
}

/* A value of format fmt through the tracer's printer. */
static void value(rc_t *x, void (*pr)(wt__sb_t *, const void *, size_t),
                  const void *p, size_t size) {
  wt__sb_reset(&x->v->tmp);
  pr(&x->v->tmp, p, size);
  wt__view_json_text(x->b, x->v->tmp.s, x->v->tmp.len);
}

static void fd_value(rc_t *x, uint64_t fd) {
  const char *l;
  wt__sb_u64(x->b, fd);
  if (x->v->o.annotate_fds && fd <= UINT32_MAX &&
      (l = wt_viewer_fd_label(x->v, (uint32_t)fd)) != NULL) {
    wt__sb_putc(x->b, '<');
    wt__sb_puts(x->b, l);
    wt__sb_putc(x->b, '>');
  }
}

static const wt_trace_payload_t *payload_of(const wt_trace_call_t *c,
                                            int arg) {
  for (uint32_t i = 0; i < c->npayloads; i++)
    if (c->payloads[i].arg == arg)
      return &c->payloads[i];
  return NULL;
}

/* A buffer's bytes: quoted, or its size when only that was kept. */
static void payload(rc_t *x, const char *name, int arg) {
  const wt_trace_payload_t *pl = payload_of(x->c, arg);
  char n[32];
  key(x, name);
  if (pl == NULL) {
    wt__sb_puts(x->b, "?");
  } else if (pl->capture == WT_PAYLOAD_NONE) {
    snprintf(n, sizeof n, "<%llu bytes>", (unsigned long long)pl->size);
    wt__sb_puts(x->b, n);
  } else {
    wt__view_quote(x->b, pl->data, pl->len, x->v->o.strsize,
                   pl->len < pl->size);
  }
}

static void cap(rc_t *x, const char *name, uint64_t n) {
  char t[40];
  key(x, name);
  snprintf(t, sizeof t, "<cap %llu>", (unsigned long long)n);
  wt__sb_puts(x->b, t);
}

static void iovs_cap(rc_t *x, const char *name) {
  uint32_t n = wt__cur_u32(&x->a);
  const uint8_t *lens = wt__cur_take(&x->a, 4 * (size_t)n);
  uint64_t total = 0;
  for (uint32_t i = 0; lens != NULL && i < n; i++)
    total += wt__ld32(lens + 4 * i);
  cap(x, name, total);
}

static void array(rc_t *x, wt__cur_t *c, const char *name, uint32_t n,
                  size_t size, void (*pr)(wt__sb_t *, const void *, size_t)) {
  const uint8_t *p = wt__cur_take(c, (size_t)n * size);
  key(x, name);
  if (p == NULL) {
    wt__sb_puts(x->b, "?");
    return;
  }
  wt__sb_putc(x->b, '[');
  for (uint32_t i = 0; i < n; i++) {
    if (i > 0)
      wt__sb_puts(x->b, ", ");
    if (i == ARRAY_SHOWN) {
      char more[32];
      snprintf(more, sizeof more, "... %u more", n - i);
      wt__sb_puts(x->b, more);
      break;
    }
    value(x, pr, p + i * size, size);
  }
  wt__sb_putc(x->b, ']');
}

static void str_arg(rc_t *x, const char *name) {
  uint32_t n = wt__cur_u32(&x->a);
  const uint8_t *p = wt__cur_take(&x->a, n);
  key(x, name);
  if (p == NULL)
    wt__sb_puts(x->b, "?");
  else
    wt__view_quote(x->b, p, n, x->v->o.strsize, false);
}

static void strtab(rc_t *x, const char *name) {
  uint32_t count = wt__cur_u32(&x->r), used = wt__cur_u32(&x->r);
  const uint8_t *offs = wt__cur_take(&x->r, 4 * (size_t)count);
  const uint8_t *buf = wt__cur_take(&x->r, used);
  key(x, name);
  if (buf == NULL) {
    wt__sb_puts(x->b, "?");
    return;
  }
  wt__sb_putc(x->b, '[');
  for (uint32_t i = 0; i < count; i++) {
    uint32_t off = wt__ld32(offs + 4 * i);
    size_t len = 0;
    if (i > 0)
      wt__sb_puts(x->b, ", ");
    if (i == ARRAY_SHOWN) {
      wt__sb_puts(x->b, "...");
      break;
    }
    while (off < used && off + len < used && buf[off + len] != 0)
      len++;
    wt__view_quote(x->b, off < used ? buf + off : buf, len, x->v->o.strsize,
                   false);
  }
  wt__sb_putc(x->b, ']');
}

/* ---- the walks, from calls.def ------------------------------------------
 */

/* Inputs. */
#define RA_VOID() argi++;
#define RA_FD(name, right)                                                     \
  key(x, #name);                                                               \
  fd_value(x, wt__cur_u32(&x->a));                                             \
  argi++;
#define RA_IN(type, name, fmt)                                                 \
  {                                                                            \
    type v_ = (type)wt__cur_u64(&x->a);                                        \
    key(x, #name);                                                             \
    value(x, wt__pr_##fmt, &v_, sizeof v_);                                    \
    name##_val = (uint64_t)v_;                                                 \
    (void)name##_val;                                                          \
  }                                                                            \
  argi++;
#define RA_IN_STR(name)                                                        \
  str_arg(x, #name);                                                           \
  argi++;
#define RA_IN_IOVS(name)                                                       \
  {                                                                            \
    uint32_t n_ = wt__cur_u32(&x->a);                                          \
    wt__cur_take(&x->a, 4 * (size_t)n_);                                       \
    payload(x, #name, argi);                                                   \
  }                                                                            \
  argi++;
#define RA_OUT_IOVS(name, used)                                                \
  iovs_cap(x, #name);                                                          \
  argi++;
#define RA_OUT_BUF(name, used)                                                 \
  cap(x, #name, wt__cur_u32(&x->a));                                           \
  argi++;
#define RA_OUT_BYTES(name) RA_OUT_BUF(name, 0)
#define RA_OUT(type, name, fmt) argi++;
#define RA_IN_ARRAY(type, name, count, fmt)                                    \
  {                                                                            \
    uint32_t n_ = wt__cur_u32(&x->a);                                          \
    if (n_ % sizeof(type) != 0)                                                \
      x->a.bad = true;                                                         \
    array(x, &x->a, #name, (uint32_t)(n_ / sizeof(type)), sizeof(type),       \
          wt__pr_##fmt);                                                       \
  }                                                                            \
  argi++;
#define RA_OUT_ARRAY(type, name, count, used, fmt) argi++;
#define RA_IN_OPT(type, name, fmt)                                             \
  {                                                                            \
    const uint8_t *p_ = wt__cur_take(&x->a, 1);                                \
    key(x, #name);                                                             \
    if (p_ != NULL && *p_ && (p_ = wt__cur_take(&x->a, sizeof(type))))        \
      value(x, wt__pr_##fmt, p_, sizeof(type));                                \
    else                                                                       \
      wt__sb_puts(x->b, "NULL");                                               \
  }                                                                            \
  argi++;
#define RA_OUT_STRTAB(name)                                                    \
  {                                                                            \
    uint32_t oc_ = wt__cur_u32(&x->a);                                         \
    cap(x, #name, wt__cur_u32(&x->a));                                         \
    (void)oc_;                                                                 \
  }                                                                            \
  argi++;

/* Locals for IN values (an OUT_ARRAY's count refers to one). */
#define RV_VOID()
#define RV_FD(name, right)
#define RV_IN(type, name, fmt) uint64_t name##_val = 0;
#define RV_IN_STR(name)
#define RV_IN_IOVS(name)
#define RV_OUT_IOVS(name, used)
#define RV_OUT_BUF(name, used)
#define RV_OUT_BYTES(name)
#define RV_OUT(type, name, fmt)
#define RV_IN_ARRAY(type, name, count, fmt)
#define RV_OUT_ARRAY(type, name, count, used, fmt)
#define RV_IN_OPT(type, name, fmt)
#define RV_OUT_STRTAB(name)

/* Outputs, on success. */
#define RR_VOID() argi++;
#define RR_FD(name, right) argi++;
#define RR_IN(type, name, fmt) argi++;
#define RR_IN_STR(name) argi++;
#define RR_IN_IOVS(name) argi++;
#define RR_OUT_IOVS(name, used)                                                \
  payload(x, #name, argi);                                                     \
  argi++;
#define RR_OUT_BUF(name, used) RR_OUT_IOVS(name, used)
#define RR_OUT_BYTES(name) RR_OUT_IOVS(name, 0)
#define RR_OUT(type, name, fmt)                                                \
  {                                                                            \
    const uint8_t *p_ = wt__cur_take(&x->r, sizeof(type));                     \
    if (p_ != NULL) {                                                          \
      key(x, #name);                                                           \
      if (sizeof(type) == 4 && strcmp(#fmt, "fd") == 0)                        \
        fd_value(x, wt__ld32(p_));                                             \
      else                                                                     \
        value(x, wt__pr_##fmt, p_, sizeof(type));                              \
    }                                                                          \
  }                                                                            \
  argi++;
#define RR_IN_ARRAY(type, name, count, fmt) argi++;
#define RR_OUT_ARRAY(type, name, count, used, fmt)                             \
  {                                                                            \
    uint32_t n_ = wt__cur_u32(&x->r);                                          \
    if (n_ > count##_val)                                                      \
      x->r.bad = true;                                                         \
    array(x, &x->r, #name, n_, sizeof(type), wt__pr_##fmt);                    \
  }                                                                            \
  argi++;
#define RR_IN_OPT(type, name, fmt) argi++;
#define RR_OUT_STRTAB(name)                                                    \
  strtab(x, #name);                                                            \
  argi++;

/* Each call: its inputs (into x->b), and after `between` its outputs. */
#define WT_CALL(name, set, fam, ret, ...)                                      \
  static void render_##name(rc_t *x, void (*between)(rc_t *)) {              \
    int argi = 0;                                                              \
    WT_ARGS(RV, __VA_ARGS__)                                                   \
    WT_ARGS(RA, __VA_ARGS__)                                                   \
    between(x);                                                                \
    if (x->c->err == WT_ESUCCESS) {                                            \
      argi = 0;                                                                \
      WT_ARGS(RR, __VA_ARGS__)                                                 \
    }                                                                          \
    (void)argi;                                                                \
  }
#include "wt/calls.def"
#undef WT_CALL

static void (*const renderers[WT_CALL_COUNT])(rc_t *, void (*)(rc_t *)) = {
#define WT_CALL(name, set, fam, ret, ...) render_##name,
#include "wt/calls.def"
#undef WT_CALL
};

/* A refused call: the guest's raw parameters, by name. */
static void render_refused(rc_t *x, void (*between)(rc_t *)) {
  uint32_t n = 0;
  const wt_guest_param_t *gp = wt_call_guest_params(x->c->call, &n);
  for (uint32_t i = 0; i < n; i++) {
    uint64_t v = wt__cur_u64(&x->a);
    key(x, gp[i].name);
    if (gp[i].fd)
      fd_value(x, v);
    else
      wt__sb_u64(x->b, v);
  }
  between(x);
}

/* ---- the line ------------------------------------------------------------
 */

/* Where the outputs start, to drop " (" when there are none. */
typedef struct line_s {
  rc_t x;
  const wt__scan_t *scan;
  size_t outs_at;
} line_t;

static void colour(rc_t *x, const char *c) {
  if (x->v->o.color)
    wt__sb_puts(x->b, c);
}

/* After the inputs: the result, then the fd state moves on (so an fd the
 * call hands out is shown with what it now stands for). */
static void between(rc_t *x) {
  line_t *l = (line_t *)x;
  const wt_trace_call_t *c = x->c;
  wt__sb_puts(x->b, ") = ");
  if (c->err == WT_ESUCCESS) {
    wt__sb_putc(x->b, '0');
  } else {
    colour(x, C_ERR);
    wt__sb_puts(x->b, wt_errno_name(c->err));
    wt__sb_puts(x->b, " (");
    wt__sb_puts(x->b, wt_errno_string(c->err));
    wt__sb_putc(x->b, ')');
    colour(x, C_OFF);
  }
  wt__view_apply(x->v, c, l->scan);
  wt__sb_puts(x->b, " (");
  l->outs_at = x->b->len;
  x->first = true;
}

static void denials(rc_t *x) {
  static const char *const src[WT_DENIAL_COUNT] = {"rights", "policy", "abi",
                                                   "sandbox"};
  for (uint32_t i = 0; i < x->c->ndenials; i++) {
    const wt_trace_denial_t *d = &x->c->denials[i];
    colour(x, C_DENY);
    wt__sb_puts(x->b, d->would ? " [would deny: " : " [");
    wt__sb_puts(x->b, d->source < WT_DENIAL_COUNT ? src[d->source] : "?");
    if (d->fd != UINT32_MAX) {
      wt__sb_puts(x->b, ": fd ");
      wt__sb_u64(x->b, d->fd);
    }
    if (d->right != 0) {
      wt__sb_puts(x->b, d->source == WT_DENIAL_RIGHTS ? " lacks " : " ");
      wt__sb_puts(x->b, wt_right_name(d->right));
    }
    if (d->rule != NULL) {
      wt__sb_puts(x->b, ": ");
      wt__view_quote(x->b, (const uint8_t *)d->rule, strlen(d->rule), 200,
                     false);
    }
    if (d->resolved != NULL) {
      wt__sb_puts(x->b, " on ");
      wt__view_quote(x->b, (const uint8_t *)d->resolved, strlen(d->resolved),
                     200, false);
    }
    wt__sb_putc(x->b, ']');
    colour(x, C_OFF);
  }
}

static void seconds(wt__sb_t *b, uint64_t ns) {
  char t[40];
  snprintf(t, sizeof t, "%llu.%06llu", (unsigned long long)(ns / 1000000000),
           (unsigned long long)(ns % 1000000000 / 1000));
  wt__sb_puts(b, t);
}

/* The field meanings of each transition kind, and how some are named. */
static const char *const tr_fields[][5] = {
#define XX(name, desc, f1, f2, a, b, d) {f1, f2, a, b, d},
    WT_TRANSITION_MAP(XX)
#undef XX
};

static void tr_field(wt_viewer_t *v, wt__sb_t *b, const char *name,
                     uint64_t val) {
  static const struct {
    const char *field;
    void (*pr)(wt__sb_t *, const void *, size_t);
  } named[] = {{"filetype", wt__pr_filetype},
               {"events", wt__pr_epoll_events},
               {"signal", wt__pr_signal}};
  if (name[0] == 0)
    return;
  wt__sb_putc(b, ' ');
  for (const char *p = name; *p; p++)
    wt__sb_putc(b, *p == ' ' ? '_' : *p);
  wt__sb_putc(b, '=');
  for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
    if (strcmp(named[i].field, name) == 0) {
      wt__sb_reset(&v->tmp);
      named[i].pr(&v->tmp, &val, sizeof val);
      wt__view_json_text(b, v->tmp.s, v->tmp.len);
      return;
    }
  wt__sb_u64(b, val);
}

static void transitions(wt_viewer_t *v, wt__sb_t *b, const wt_trace_call_t *c) {
  for (uint32_t i = 0; i < c->ntransitions; i++) {
    const wt_transition_t *t = &c->transitions[i];
    const uint64_t vals[5] = {t->fd, t->fd2, t->a, t->b, t->data};
    wt__sb_puts(b, "    ~ ");
    wt__sb_puts(b, wt_transition_name(t->kind));
    if (t->kind < WT_TR_COUNT)
      for (int k = 0; k < 5; k++)
        tr_field(v, b, tr_fields[t->kind][k], vals[k]);
    wt__sb_putc(b, '\n');
  }
}

int wt_viewer_format(wt_viewer_t *v, const wt_trace_call_t *c,
                     const char **text, size_t *len) {
  wt__scan_t s;
  line_t l;
  rc_t *x = &l.x;
  bool bad;
  memset(&l, 0, sizeof l);
  wt__view_scan(c, &s);
  l.scan = &s;
  x->v = v;
  x->c = c;
  x->b = &v->out;
  x->a = (wt__cur_t){c->args, c->args + c->args_len, false};
  x->r = (wt__cur_t){c->results, c->results + c->results_len, false};
  x->first = true;
  wt__sb_reset(&v->out);
  if (v->o.show_seq) {
    wt__sb_putc(x->b, '[');
    wt__sb_u64(x->b, c->seq);
    wt__sb_puts(x->b, "] ");
  }
  if (v->o.show_times) {
    wt__sb_putc(x->b, '+');
    seconds(x->b, c->start_ns);
    wt__sb_putc(x->b, ' ');
  }
  colour(x, C_NAME);
  wt__sb_puts(x->b, wt_call_name(c->call));
  colour(x, C_OFF);
  wt__sb_putc(x->b, '(');
  if (c->call >= WT_CALL_COUNT)
    between(x);
  else if (wt_trace_call_refused(c))
    render_refused(x, between);
  else
    renderers[c->call](x, between);
  if (x->first)
    x->b->len = l.outs_at - 2; /* no outputs: drop " (" */
  else
    wt__sb_putc(x->b, ')');
  x->b->s[x->b->len] = 0;
  denials(x);
  bad = s.bad || x->a.bad || x->r.bad || x->a.p != x->a.end ||
        x->r.p != x->r.end;
  if (bad)
    wt__sb_puts(x->b, " <corrupt record>");
  if (v->o.show_times) {
    wt__sb_puts(x->b, " <");
    seconds(x->b, c->dur_ns);
    wt__sb_putc(x->b, '>');
  }
  wt__sb_putc(x->b, '\n');
  if (v->o.transitions)
    transitions(v, x->b, c);
  if (v->out.oom) {
    *text = NULL;
    *len = 0;
    wt_trace_set_error("out of memory");
    return -1;
  }
  *text = v->out.s;
  *len = v->out.len;
  if (bad) {
    wt_trace_set_error("record %llu (%s): arguments do not match the call",
                       (unsigned long long)c->seq, wt_call_name(c->call));
    return -1;
  }
  return 0;
}

int wt_viewer_print(wt_viewer_t *v, const wt_trace_call_t *c, FILE *f) {
  const char *text;
  size_t len;
  int rc = wt_viewer_format(v, c, &text, &len);
  if (text != NULL && fwrite(text, 1, len, f) != len) {
    wt_trace_set_error("cannot write the view");
    return -1;
  }
  return rc;
}
