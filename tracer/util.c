/*
 * Small utilities of the tracer: error messages, text buffers, base64, the
 * payload digest, SHA-256, decoded-record buffers.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "internal.h"

static _Thread_local char last_error[512];

const char *wt_trace_error(void) {
  return last_error;
}

void wt_trace_set_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
}

uint64_t wt__now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- text buffer ------------------------------------------------------------
 */

void wt__sb_grow(wt__sb_t *b, size_t more) {
  size_t cap = b->cap ? b->cap : 256;
  char *s;
  if (b->oom)
    return;
  while (cap - b->len <= more)
    cap *= 2;
  s = realloc(b->s, cap);
  if (s == NULL) {
    b->oom = true;
    return;
  }
  b->s = s;
  b->cap = cap;
}

void wt__sb_reset(wt__sb_t *b) {
  b->len = 0;
  b->oom = false;
  if (b->s != NULL)
    b->s[0] = 0;
}

void wt__sb_free(wt__sb_t *b) {
  free(b->s);
  memset(b, 0, sizeof *b);
}

/* "00".."99": two digits per division (timestamps have 19 of them, and
 * every call the writer stores has two). */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536"
    "37383940414243444546474849505152535455565758596061626364656667686970717273"
    "7475767778798081828384858687888990919293949596979899";

void wt__sb_u64(wt__sb_t *b, uint64_t v) {
  char tmp[24];
  int i = sizeof tmp;
  /* Most values are small: one digit needs no loop. */
  if (v < 10) {
    wt__sb_putc(b, (char)('0' + v));
    return;
  }
  while (v >= 100) {
    unsigned d = (unsigned)(v % 100) * 2;
    v /= 100;
    tmp[--i] = digit_pairs[d + 1];
    tmp[--i] = digit_pairs[d];
  }
  if (v >= 10) {
    tmp[--i] = digit_pairs[v * 2 + 1];
    tmp[--i] = digit_pairs[v * 2];
  } else {
    tmp[--i] = (char)('0' + v);
  }
  wt__sb_putn(b, tmp + i, sizeof tmp - (size_t)i);
}

void wt__sb_i64(wt__sb_t *b, int64_t v) {
  if (v < 0) {
    wt__sb_putc(b, '-');
    wt__sb_u64(b, (uint64_t)0 - (uint64_t)v);
  } else {
    wt__sb_u64(b, (uint64_t)v);
  }
}

void wt__sb_json_u64(wt__sb_t *b, uint64_t v) {
  /* Larger values would lose precision in readers that parse JSON numbers
   * as doubles, and overflow jansson's signed integers. */
  if (v <= (1ull << 53)) {
    wt__sb_u64(b, v);
  } else {
    wt__sb_putc(b, '"');
    wt__sb_u64(b, v);
    wt__sb_putc(b, '"');
  }
}

void wt__sb_hex64(wt__sb_t *b, uint64_t v) {
  static const char hex[] = "0123456789abcdef";
  char tmp[16];
  for (int i = 15; i >= 0; i--, v >>= 4)
    tmp[i] = hex[v & 15];
  wt__sb_putn(b, tmp, 16);
}

int wt__hex64_parse(const char *s, uint64_t *out) {
  uint64_t v = 0;
  for (int i = 0; i < 16; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                   : -1;
    if (d < 0)
      return -1;
    v = v << 4 | (uint64_t)d;
  }
  if (s[16] != 0)
    return -1;
  *out = v;
  return 0;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0. */
static size_t utf8_len(const uint8_t *p, size_t n) {
  size_t len;
  uint32_t cp;
  if (p[0] < 0xc2 || p[0] > 0xf4)
    return 0;
  len = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
  if (len > n)
    return 0;
  cp = p[0] & (0x7f >> len);
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xc0) != 0x80)
      return 0;
    cp = cp << 6 | (p[i] & 0x3f);
  }
  /* Overlong forms, surrogates and values past U+10FFFF are invalid. */
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
    return 0;
  return len;
}

/*
 * Whether none of the 8 bytes of w needs escaping: each is in 0x20..0x7e
 * and is neither '"' nor '\\' (bit tricks on the whole word: a byte's
 * high bit is set in the result where the test holds for it).
 */
static bool plain8(uint64_t w) {
  const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  uint64_t ctl = (w - ones * 0x20) & ~w;           /* < 0x20 */
  uint64_t del = (w + ones * 0x01) & high;         /* >= 0x7f (and >= 0x80) */
  uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
  uint64_t quote = (q - ones) & ~q, bslash = (bs - ones) & ~bs;
  return ((ctl | del | quote | bslash | w) & high) == 0;
}

static bool plain(uint8_t c) {
  return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* \" \\ \n, or \u00XX for the other bytes that cannot stay. */
static char *escape(char *o, uint8_t c) {
  static const char hex[] = "0123456789abcdef";
  *o++ = '\\';
  if (c == '"' || c == '\\') {
    *o++ = (char)c;
  } else if (c == '\n') {
    *o++ = 'n';
  } else {
    memcpy(o, "u00", 3);
    o[3] = hex[c >> 4];
    o[4] = hex[c & 15];
    o += 5;
  }
  return o;
}

/*
 * Written straight into the buffer after reserving the worst case (6
 * bytes per input byte): payload previews are often binary, and going
 * through wt__sb_putn byte by byte made them the writer's main cost. A
 * plain byte tries the next eight at once (text); other bytes go one by
 * one, and only a byte that can lead a UTF-8 sequence (0xc2..0xf4) is
 * checked for one (random binary data: half its bytes from 0x80 cannot).
 */
void wt__sb_json_str(wt__sb_t *b, const void *s, size_t n) {
  const uint8_t *p = s, *end = p + n;
  char *o;
  if (b->cap - b->len <= 6 * n + 2)
    wt__sb_grow(b, 6 * n + 2);
  if (b->oom)
    return;
  o = b->s + b->len;
  *o++ = '"';
  while (p < end) {
    uint8_t c = *p;
    size_t u;
    if (plain(c)) {
      uint64_t w;
      if (end - p >= 8 && (memcpy(&w, p, 8), plain8(w))) {
        memcpy(o, p, 8);
        o += 8;
        p += 8;
      } else {
        *o++ = (char)c;
        p++;
      }
      continue;
    }
    if (c >= 0xc2 && c <= 0xf4 && (u = utf8_len(p, (size_t)(end - p))) > 0) {
      memcpy(o, p, u);
      o += u;
      p += u;
      continue;
    }
    o = escape(o, c);
    p++;
  }
  *o++ = '"';
  b->len = (size_t)(o - b->s);
  b->s[b->len] = 0;
}

/* ---- base64 (RFC 4648, with padding) ------------------------------------ */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void wt__sb_base64(wt__sb_t *b, const uint8_t *p, size_t n) {
  size_t need = (n + 2) / 3 * 4;
  char *o;
  if (b->cap - b->len <= need)
    wt__sb_grow(b, need);
  if (b->oom)
    return;
  o = b->s + b->len;
  /* Whole groups of three bytes without the tail's tests. */
  for (; n >= 3; p += 3, n -= 3) {
    uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    o[0] = b64[v >> 18];
    o[1] = b64[(v >> 12) & 63];
    o[2] = b64[(v >> 6) & 63];
    o[3] = b64[v & 63];
    o += 4;
  }
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16;
    if (i + 1 < n)
      v |= (uint32_t)p[i + 1] << 8;
    if (i + 2 < n)
      v |= p[i + 2];
    *o++ = b64[v >> 18];
    *o++ = b64[(v >> 12) & 63];
    *o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
    *o++ = i + 2 < n ? b64[v & 63] : '=';
  }
  b->len += need;
  b->s[b->len] = 0;
}

static int b64_value(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Each byte's 6-bit value, or 0xff for a byte outside the alphabet. */
static uint8_t b64_table[256];
static pthread_once_t b64_once = PTHREAD_ONCE_INIT;

static void b64_table_init(void) {
  memset(b64_table, 0xff, sizeof b64_table);
  for (int c = 0; c < 256; c++)
    if (b64_value((char)c) >= 0)
      b64_table[c] = (uint8_t)b64_value((char)c);
}

/* The last quad may end in one or two '='. */
static int b64_last(const unsigned char *s, uint8_t *o, size_t *len) {
  int pad = s[3] == '=' ? (s[2] == '=' ? 2 : 1) : 0;
  uint32_t v[4];
  for (int k = 0; k < 4; k++) {
    v[k] = k >= 4 - pad ? 0 : b64_table[s[k]];
    if (v[k] == 0xff)
      return -1;
  }
  uint32_t w = v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3];
  o[(*len)++] = (uint8_t)(w >> 16);
  if (pad < 2)
    o[(*len)++] = (uint8_t)(w >> 8);
  if (pad < 1)
    o[(*len)++] = (uint8_t)w;
  return 0;
}

int wt__base64_decode_into(const char *s, size_t n, uint8_t *o,
                           size_t *outlen) {
  const unsigned char *u = (const unsigned char *)s;
  size_t len = 0, i = 0;
  pthread_once(&b64_once, b64_table_init);
  if (n % 4 != 0)
    return -1;
  for (; i + 4 < n; i += 4) {
    uint32_t a = b64_table[u[i]], b = b64_table[u[i + 1]],
             c = b64_table[u[i + 2]], d = b64_table[u[i + 3]];
    if ((a | b | c | d) & 0x80) /* 0xff: not in the alphabet */
      return -1;
    uint32_t w = a << 18 | b << 12 | c << 6 | d;
    o[len++] = (uint8_t)(w >> 16);
    o[len++] = (uint8_t)(w >> 8);
    o[len++] = (uint8_t)w;
  }
  if (n > 0 && b64_last(u + i, o, &len) < 0)
    return -1;
  *outlen = len;
  return 0;
}

int wt__base64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen) {
  uint8_t *o;
  if (n % 4 != 0 || (o = malloc(n / 4 * 3 + 1)) == NULL)
    return -1;
  if (wt__base64_decode_into(s, n, o, outlen) < 0) {
    free(o);
    return -1;
  }
  *out = o;
  return 0;
}

/* ---- payload digest ---------------------------------------------------------
 */

/*
 * wt64, the digest of written bytes kept in REPLAY mode (specified in
 * docs/trace-format.md so other tools can compute it): four lanes over
 * 32-byte stripes, each 8-byte little-endian word w mixed as
 * lane = rotl(lane ^ (w * K1), 31) * K2; the lanes are folded, the tail
 * words and the length mixed in, and a final avalanche applied. Four lanes
 * let the multiplies overlap: about four times faster than FNV-1a.
 */
#define K1 0x9e3779b97f4a7c15ull
#define K2 0xc2b2ae3d27d4eb4full
#define SEED 0x243f6a8885a308d3ull

static inline uint64_t rotl(uint64_t v, int r) {
  return (v << r) | (v >> (64 - r));
}

static inline uint64_t mix(uint64_t lane, uint64_t w) {
  return rotl(lane ^ (w * K1), 31) * K2;
}

static void stripes(uint64_t v[4], const uint8_t *p, size_t n) {
  for (size_t i = 0; i + 32 <= n; i += 32) {
    v[0] = mix(v[0], wt__ld64(p + i));
    v[1] = mix(v[1], wt__ld64(p + i + 8));
    v[2] = mix(v[2], wt__ld64(p + i + 16));
    v[3] = mix(v[3], wt__ld64(p + i + 24));
  }
}

void wt__digest_init(wt__digest_t *d) {
  memset(d, 0, sizeof *d);
  d->v[0] = SEED;
  d->v[1] = SEED ^ K1;
  d->v[2] = SEED ^ K2;
  d->v[3] = SEED + K1 + K2;
}

void wt__digest_add(wt__digest_t *d, const void *data, size_t n) {
  const uint8_t *p = data;
  d->total += n;
  if (d->nstripe > 0) {
    size_t take = 32 - d->nstripe < n ? 32 - d->nstripe : n;
    memcpy(d->stripe + d->nstripe, p, take);
    d->nstripe += (uint32_t)take;
    p += take;
    n -= take;
    if (d->nstripe < 32)
      return;
    stripes(d->v, d->stripe, 32);
    d->nstripe = 0;
  }
  stripes(d->v, p, n & ~(size_t)31);
  memcpy(d->stripe, p + (n & ~(size_t)31), n & 31);
  d->nstripe = (uint32_t)(n & 31);
}

uint64_t wt__digest_end(wt__digest_t *d) {
  uint64_t h = rotl(d->v[0], 1) + rotl(d->v[1], 7) + rotl(d->v[2], 12) +
               rotl(d->v[3], 18);
  uint8_t word[8];
  for (uint32_t i = 0; i < d->nstripe; i += 8) {
    uint32_t k = d->nstripe - i < 8 ? d->nstripe - i : 8;
    memset(word, 0, sizeof word);
    memcpy(word, d->stripe + i, k);
    h = mix(h, wt__ld64(word));
  }
  h ^= d->total;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

uint64_t wt_trace_digest(const void *data, size_t len) {
  wt__digest_t d;
  wt__digest_init(&d);
  wt__digest_add(&d, data, len);
  return wt__digest_end(&d);
}

/* ---- decoded-record buffers ------------------------------------------------
 */

static int grow(void **p, uint32_t *cap, uint32_t n, size_t elem) {
  uint32_t c = *cap ? *cap : 8;
  void *q;
  if (n <= *cap)
    return 0;
  while (c < n)
    c *= 2;
  q = realloc(*p, (size_t)c * elem);
  if (q == NULL) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  *p = q;
  *cap = c;
  return 0;
}

int wt__callbuf_reserve(wt__callbuf_t *b, uint32_t npayloads,
                        uint32_t ntransitions, uint32_t ndenials) {
  if (grow((void **)&b->payloads, &b->payloads_cap, npayloads,
           sizeof *b->payloads) < 0 ||
      grow((void **)&b->transitions, &b->transitions_cap, ntransitions,
           sizeof *b->transitions) < 0 ||
      grow((void **)&b->denials, &b->denials_cap, ndenials,
           sizeof *b->denials) < 0)
    return -1;
  b->call.payloads = b->payloads;
  b->call.transitions = b->transitions;
  b->call.denials = b->denials;
  return 0;
}

int64_t wt__callbuf_copy(wt__callbuf_t *b, const void *p, size_t n) {
  size_t off = b->arena_len;
  if (b->arena_cap - b->arena_len < n + 1) {
    size_t cap = b->arena_cap ? b->arena_cap : 4096;
    uint8_t *a;
    while (cap - b->arena_len < n + 1)
      cap *= 2;
    a = realloc(b->arena, cap);
    if (a == NULL) {
      wt_trace_set_error("out of memory");
      return -1;
    }
    b->arena = a;
    b->arena_cap = cap;
  }
  if (n > 0 && p != NULL)
    memcpy(b->arena + off, p, n);
  /* A NUL after every copy lets strings be used as C strings. */
  b->arena[off + n] = 0;
  b->arena_len += n + 1;
  return (int64_t)off;
}

void wt__callbuf_fix_up(wt__callbuf_t *b, int64_t args_off,
                        int64_t results_off) {
  wt_trace_call_t *c = &b->call;
  c->args = b->arena + args_off;
  c->results = b->arena + results_off;
  c->payloads = b->payloads;
  c->transitions = b->transitions;
  c->denials = b->denials;
  for (uint32_t i = 0; i < c->npayloads; i++)
    b->payloads[i].data = b->arena + (uintptr_t)b->payloads[i].data;
  for (uint32_t i = 0; i < c->ndenials; i++) {
#define XX(m)                                                                  \
  if (b->denials[i].m != NULL)                                                 \
    b->denials[i].m = (const char *)b->arena + (uintptr_t)b->denials[i].m - 1;
    WT_TRACE_DENIAL_STRINGS(XX)
#undef XX
  }
}

void wt__callbuf_free(wt__callbuf_t *b) {
  free(b->payloads);
  free(b->transitions);
  free(b->denials);
  free(b->arena);
  memset(b, 0, sizeof *b);
}
