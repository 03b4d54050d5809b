/*
 * The fast path of the JSON Lines reader: a scanner for call lines as the
 * JSON Lines sink writes them. Building a jansson tree of every line (the
 * human-readable "args" and "results" included) and freeing it again cost
 * ~7 us per call, most of a JSON Lines replay; this reads the fields a
 * record is made of straight from the line, skips the others without
 * building anything, and decodes base64 into the record's arena.
 *
 * It is an optimisation, never a second definition of the format: a line
 * it does not fully understand (an escape in a string it needs, non-ASCII
 * text, a real number, a repeated field, anything out of place) is left to
 * the general reader (jansson), which stays the reference and reports the
 * errors. So the fast path accepts a subset of what the general reader
 * accepts and, for those lines, yields the same record. One exception: a
 * key repeated inside the human-readable args or results (which no reader
 * uses) is not looked for here; the general reader refuses it. Finding
 * repeats in skipped objects would cost time quadratic in their size.
 */
#include "internal.h"

#define MAX_DEPTH 32

typedef struct scan_s {
  const char *p, *end;
} scan_t;

typedef struct slice_s {
  const char *s;
  size_t n;
} slice_t;

static void ws(scan_t *c) {
  while (c->p < c->end &&
         (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    c->p++;
}

static bool eat(scan_t *c, char ch) {
  ws(c);
  if (c->p < c->end && *c->p == ch) {
    c->p++;
    return true;
  }
  return false;
}

/* A string of printable ASCII without escapes: what the sink writes for
   names, numbers as strings, hex and base64. */
static bool plain_str(scan_t *c, slice_t *out) {
  const char *q;
  if (!eat(c, '"'))
    return false;
  for (q = c->p; q < c->end && *q != '"'; q++)
    if (*q == '\\' || (unsigned char)*q < 0x20 || (unsigned char)*q >= 0x80)
      return false;
  if (q == c->end)
    return false;
  out->s = c->p;
  out->n = (size_t)(q - c->p);
  c->p = q + 1;
  return true;
}

/* Into a NUL-terminated buffer, for the name lookups. */
static bool name_of(slice_t v, char *buf, size_t cap) {
  if (v.n >= cap)
    return false;
  memcpy(buf, v.s, v.n);
  buf[v.n] = 0;
  return true;
}

/* Digits as jansson reads an integer: no sign, no leading zero, and few
   enough that it cannot overflow a json_int_t. */
static bool digits(const char *s, size_t n, size_t max, uint64_t *v) {
  if (n == 0 || n > max || (n > 1 && s[0] == '0'))
    return false;
  *v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    *v = *v * 10 + (uint64_t)(s[i] - '0');
  }
  return true;
}

/* A u64 written as a number, or as a decimal string (above 2^53). */
static bool u64(scan_t *c, uint64_t *v) {
  slice_t s;
  const char *q;
  ws(c);
  if (c->p < c->end && *c->p == '"')
    return plain_str(c, &s) && digits(s.s, s.n, 19, v);
  for (q = c->p; q < c->end && *q >= '0' && *q <= '9'; q++)
    ;
  if (q < c->end && (*q == '.' || *q == 'e' || *q == 'E'))
    return false;
  if (!digits(c->p, (size_t)(q - c->p), 18, v))
    return false;
  c->p = q;
  return true;
}

static bool word(scan_t *c, const char *w) {
  size_t n = strlen(w);
  ws(c);
  if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
    return false;
  c->p += n;
  return true;
}

static bool is_null(scan_t *c) {
  scan_t t = *c;
  if (!word(&t, "null"))
    return false;
  *c = t;
  return true;
}

/* The length of the UTF-8 sequence at p, or 0 where jansson would refuse
   it: a stray continuation byte, an overlong form, a surrogate, a code
   point above U+10FFFF, a sequence cut short. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end) {
  size_t n;
  uint32_t v;
  if (p[0] < 0x80)
    return 1;
  if (p[0] < 0xc2 || p[0] > 0xf4)
    return 0;
  n = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
  v = p[0] & (0x7f >> n);
  if ((size_t)(end - p) < n)
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xc0) != 0x80)
      return 0;
    v = v << 6 | (p[i] & 0x3f);
  }
  if ((n == 3 && v < 0x800) || (n == 4 && v < 0x10000) || v > 0x10ffff ||
      (v >= 0xd800 && v <= 0xdfff))
    return 0;
  return n;
}

/* Skips a string, checking its escapes and UTF-8 as jansson would. */
static bool skip_str(scan_t *c) {
  if (!eat(c, '"'))
    return false;
  while (c->p < c->end && *c->p != '"') {
    unsigned char ch = (unsigned char)*c->p;
    if (ch >= 0x80) {
      size_t n =
          utf8_len((const unsigned char *)c->p, (const unsigned char *)c->end);
      if (n == 0)
        return false;
      c->p += n;
      continue;
    }
    if (ch < 0x20)
      return false;
    if (ch == '\\') {
      if (c->end - c->p < 2 || c->p[1] == 0 || !strchr("\"\\/bfnrtu", c->p[1]))
        return false;
      if (c->p[1] == 'u') {
        if (c->end - c->p < 6)
          return false;
        for (int i = 2; i < 6; i++)
          if (!strchr("0123456789abcdefABCDEF", c->p[i]) || c->p[i] == 0)
            return false;
        /* Surrogates must pair up: left to jansson. */
        if (c->p[2] == 'd' || c->p[2] == 'D')
          return false;
        c->p += 6;
        continue;
      }
      c->p += 2;
      continue;
    }
    c->p++;
  }
  if (c->p == c->end)
    return false;
  c->p++;
  return true;
}

static bool skip_value(scan_t *c, int depth);

static bool skip_members(scan_t *c, char close, bool keys, int depth) {
  if (eat(c, close))
    return true;
  do {
    if (keys && (!skip_str(c) || !eat(c, ':')))
      return false;
    if (!skip_value(c, depth + 1))
      return false;
  } while (eat(c, ','));
  return eat(c, close);
}

static bool skip_value(scan_t *c, int depth) {
  uint64_t v;
  if (depth > MAX_DEPTH)
    return false;
  ws(c);
  if (c->p == c->end)
    return false;
  switch (*c->p) {
  case '"':
    return skip_str(c);
  case '{':
    c->p++;
    return skip_members(c, '}', true, depth);
  case '[':
    c->p++;
    return skip_members(c, ']', false, depth);
  case 't':
    return word(c, "true");
  case 'f':
    return word(c, "false");
  case 'n':
    return word(c, "null");
  default:
    if (*c->p == '-')
      c->p++;
    return c->p < c->end && *c->p >= '0' && *c->p <= '9' && u64(c, &v);
  }
}

/* ---- the record's fields ------------------------------------------------- */

/* Base64 into the arena; the offset, or -1. */
static int64_t b64(scan_t *c, wt__callbuf_t *cb, uint32_t *len) {
  slice_t s;
  int64_t off;
  size_t n;
  if (!plain_str(c, &s) || s.n % 4 != 0 ||
      (off = wt__callbuf_copy(cb, NULL, s.n / 4 * 3)) < 0 ||
      wt__base64_decode_into(s.s, s.n, cb->arena + off, &n) < 0)
    return -1;
  *len = (uint32_t)n;
  return off;
}

/* Walks an object's members: fn reads the value of a key it knows (its
   bit in *seen must be clear) and returns false to give up; the values of
   other keys are skipped. */
typedef int (*member_fn)(scan_t *c, slice_t key, void *ud);
#define UNKNOWN_KEY 0

static bool members(scan_t *c, member_fn fn, void *ud, uint32_t *seen) {
  if (!eat(c, '{'))
    return false;
  if (eat(c, '}'))
    return true;
  do {
    slice_t k;
    int bit;
    if (!plain_str(c, &k) || !eat(c, ':'))
      return false;
    bit = fn(c, k, ud);
    if (bit < 0)
      return false;
    if (bit == UNKNOWN_KEY) {
      if (!skip_value(c, 1))
        return false;
    } else if (*seen & (1u << bit)) {
      return false; /* jansson keeps the last of repeated keys */
    } else {
      *seen |= 1u << bit;
    }
  } while (eat(c, ','));
  return eat(c, '}');
}

static bool key_is(slice_t k, const char *s) {
  return strlen(s) == k.n && memcmp(k.s, s, k.n) == 0;
}

/* Each key's bit in `seen`, and its reader: -1 gives up, 0 is a key to
   skip, a bit number otherwise. */
typedef struct payload_s {
  wt__callbuf_t *cb;
  wt_trace_payload_t *pl;
  uint64_t arg;
  slice_t dir, capture, digest, data;
} payload_t;

static int payload_member(scan_t *c, slice_t k, void *ud) {
  payload_t *p = ud;
  if (key_is(k, "arg"))
    return u64(c, &p->arg) ? 1 : -1;
  if (key_is(k, "size"))
    return u64(c, &p->pl->size) ? 2 : -1;
  if (key_is(k, "dir"))
    return plain_str(c, &p->dir) ? 3 : -1;
  if (key_is(k, "capture"))
    return plain_str(c, &p->capture) ? 4 : -1;
  if (key_is(k, "digest"))
    return plain_str(c, &p->digest) ? 5 : -1;
  if (key_is(k, "data")) {
    ws(c);
    p->data.s = c->p; /* decoded once the capture is known */
    return skip_str(c) ? 6 : -1;
  }
  return UNKNOWN_KEY;
}

static bool payload(scan_t *c, wt__callbuf_t *cb, wt_trace_payload_t *pl) {
  payload_t p = {cb, pl, 0, {NULL, 0}, {NULL, 0}, {NULL, 0}, {NULL, 0}};
  uint32_t seen = 0;
  char dir[8], cap[8], hex[17];
  int d, k;
  int64_t off;
  if (!members(c, payload_member, &p, &seen) || (seen & 0x1e) != 0x1e ||
      !name_of(p.dir, dir, sizeof dir) || !name_of(p.capture, cap, sizeof cap))
    return false;
  d = wt__name_index(wt__dir_names, 2, dir);
  k = wt__name_index(wt__capture_names, 3, cap);
  if (d < 0 || k < 0)
    return false;
  pl->arg = (uint16_t)p.arg;
  pl->dir = (uint8_t)d;
  pl->capture = (uint8_t)k;
  pl->digest = 0;
  pl->len = 0;
  if ((off = wt__callbuf_copy(cb, "", 0)) < 0)
    return false;
  pl->data = (const uint8_t *)(uintptr_t)off;
  if (k == WT_PAYLOAD_DIGEST &&
      (!(seen & 1u << 5) || !name_of(p.digest, hex, sizeof hex) ||
       wt__hex64_parse(hex, &pl->digest) < 0))
    return false;
  if (k != WT_PAYLOAD_NONE) {
    scan_t dc = {p.data.s, c->end};
    if (!(seen & 1u << 6) || (off = b64(&dc, cb, &pl->len)) < 0)
      return false;
    pl->data = (const uint8_t *)(uintptr_t)off;
  }
  return true;
}

typedef struct transition_s {
  wt_transition_t *tr;
  uint64_t fd, fd2;
  slice_t kind;
} transition_t;

static int transition_member(scan_t *c, slice_t k, void *ud) {
  transition_t *t = ud;
  if (key_is(k, "kind"))
    return plain_str(c, &t->kind) ? 1 : -1;
  if (key_is(k, "fd"))
    return u64(c, &t->fd) ? 2 : -1;
  if (key_is(k, "fd2"))
    return u64(c, &t->fd2) ? 3 : -1;
  if (key_is(k, "a"))
    return u64(c, &t->tr->a) ? 4 : -1;
  if (key_is(k, "b"))
    return u64(c, &t->tr->b) ? 5 : -1;
  if (key_is(k, "data"))
    return u64(c, &t->tr->data) ? 6 : -1;
  return UNKNOWN_KEY;
}

static bool transition(scan_t *c, wt__callbuf_t *cb, wt_transition_t *tr) {
  transition_t t = {tr, 0, 0, {NULL, 0}};
  uint32_t seen = 0;
  char kind[48];
  int k;
  (void)cb;
  if (!members(c, transition_member, &t, &seen) || seen != 0x7e ||
      !name_of(t.kind, kind, sizeof kind) ||
      (k = wt__transition_lookup(kind)) < 0)
    return false;
  tr->kind = (uint16_t)k;
  tr->fd = (uint32_t)t.fd;
  tr->fd2 = (uint32_t)t.fd2;
  return true;
}

typedef struct denial_s {
  uint64_t fd;
  slice_t source, right, rule;
} denial_t;

static int denial_member(scan_t *c, slice_t k, void *ud) {
  denial_t *d = ud;
  if (key_is(k, "source"))
    return plain_str(c, &d->source) ? 1 : -1;
  if (key_is(k, "fd"))
    return is_null(c) || u64(c, &d->fd) ? 2 : -1;
  if (key_is(k, "right"))
    return is_null(c) || plain_str(c, &d->right) ? 3 : -1;
  if (key_is(k, "rule"))
    return is_null(c) || plain_str(c, &d->rule) ? 4 : -1;
  /* Format 4's members are left to the general reader. */
  if (key_is(k, "rule_index") || key_is(k, "would") || key_is(k, "reason") ||
      key_is(k, "preopen") || key_is(k, "path") || key_is(k, "resolved"))
    return -1;
  return UNKNOWN_KEY;
}

static bool denial(scan_t *c, wt__callbuf_t *cb, wt_trace_denial_t *d) {
  denial_t x = {UINT32_MAX, {NULL, 0}, {NULL, 0}, {NULL, 0}};
  uint32_t seen = 0;
  char src[16], right[64];
  int s;
  int64_t off;
  if (!members(c, denial_member, &x, &seen) || (seen & 0x6) != 0x6 ||
      !name_of(x.source, src, sizeof src) ||
      (s = wt__name_index(wt__denial_names, WT_DENIAL_COUNT, src)) < 0)
    return false;
  d->source = (uint8_t)s;
  d->fd = (uint32_t)x.fd;
  d->right = 0;
  if (x.right.s != NULL) {
    if (!name_of(x.right, right, sizeof right))
      return false;
    d->right = wt__right_lookup(right);
  }
  d->rule = NULL;
  d->rule_index = -1;
  d->would = false;
  d->reason = d->preopen = d->path = d->resolved = NULL;
  if (x.rule.s != NULL) {
    if ((off = wt__callbuf_copy(cb, x.rule.s, x.rule.n)) < 0)
      return false;
    d->rule = wt__callbuf_rule_ref(off);
  }
  return true;
}

/* An array of objects, each read by item into the callbuf's arrays. */
static bool array(scan_t *c, wt__callbuf_t *cb, uint32_t *n, int which) {
  *n = 0;
  if (!eat(c, '['))
    return false;
  if (eat(c, ']'))
    return true;
  do {
    uint32_t want[3] = {0, 0, 0};
    bool ok;
    if (*n == UINT16_MAX)
      return false;
    want[which] = *n + 1;
    if (wt__callbuf_reserve(cb, want[0], want[1], want[2]) < 0)
      return false;
    ok = which == 0   ? payload(c, cb, &cb->payloads[*n])
         : which == 1 ? transition(c, cb, &cb->transitions[*n])
                      : denial(c, cb, &cb->denials[*n]);
    if (!ok)
      return false;
    (*n)++;
  } while (eat(c, ','));
  return eat(c, ']');
}

typedef struct call_s {
  wt__callbuf_t *cb;
  slice_t type, call, err;
  int64_t aoff, roff;
} call_t;

static int call_member(scan_t *c, slice_t k, void *ud) {
  call_t *x = ud;
  wt_trace_call_t *rc = &x->cb->call;
  if (key_is(k, "type"))
    return plain_str(c, &x->type) ? 1 : -1;
  if (key_is(k, "seq"))
    return u64(c, &rc->seq) ? 2 : -1;
  if (key_is(k, "call"))
    return plain_str(c, &x->call) ? 3 : -1;
  if (key_is(k, "errno"))
    return plain_str(c, &x->err) ? 4 : -1;
  if (key_is(k, "start_ns"))
    return u64(c, &rc->start_ns) ? 5 : -1;
  if (key_is(k, "dur_ns"))
    return u64(c, &rc->dur_ns) ? 6 : -1;
  if (key_is(k, "args_bin"))
    return (x->aoff = b64(c, x->cb, &rc->args_len)) >= 0 ? 7 : -1;
  if (key_is(k, "results_bin"))
    return (x->roff = b64(c, x->cb, &rc->results_len)) >= 0 ? 8 : -1;
  if (key_is(k, "payloads"))
    return array(c, x->cb, &rc->npayloads, 0) ? 9 : -1;
  if (key_is(k, "transitions"))
    return array(c, x->cb, &rc->ntransitions, 1) ? 10 : -1;
  if (key_is(k, "denials"))
    return array(c, x->cb, &rc->ndenials, 2) ? 11 : -1;
  /* Skipped, but a repeat is still seen (the general reader refuses it). */
  if (key_is(k, "args"))
    return skip_value(c, 1) ? 12 : -1;
  if (key_is(k, "results"))
    return skip_value(c, 1) ? 13 : -1;
  return UNKNOWN_KEY;
}

int wt__jsonl_fast_call(const char *line, size_t n, wt__callbuf_t *cb,
                        int64_t *aoff, int64_t *roff) {
  scan_t c = {line, line + n};
  call_t x = {cb, {NULL, 0}, {NULL, 0}, {NULL, 0}, -1, -1};
  wt_trace_call_t *rc = &cb->call;
  uint32_t seen = 0;
  char name[64];
  int id, e;
  cb->arena_len = 0;
  rc->npayloads = rc->ntransitions = rc->ndenials = 0;
  if (!members(&c, call_member, &x, &seen) || (seen & 0x1fe) != 0x1fe)
    return 0;
  ws(&c);
  if (c.p != c.end || x.type.n != 4 || memcmp(x.type.s, "call", 4) != 0 ||
      !name_of(x.call, name, sizeof name) ||
      (id = wt_call_lookup(name, strlen(name))) < 0 ||
      !name_of(x.err, name, sizeof name) || (e = wt__errno_lookup(name)) < 0)
    return 0;
  rc->call = (uint16_t)id;
  rc->err = (wt_errno_t)e;
  *aoff = x.aoff;
  *roff = x.roff;
  return 1;
}
