/*
 * The record stream of a replay: the trace reader, a look-ahead queue of
 * copied records, and the history of the last calls consumed. Also the
 * small byte and text buffers the replay uses.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* ---- buffers ------------------------------------------------------------- */

bool wt__rp_buf_grow(wt__rp_buf_t *b, size_t more) {
  size_t cap = b->cap ? b->cap : 256;
  uint8_t *p;
  if (b->oom)
    return false;
  while (cap - b->len < more + 1) /* +1: room for a text's NUL */
    cap *= 2;
  if ((p = realloc(b->p, cap)) == NULL) {
    b->oom = true;
    return false;
  }
  b->p = p;
  b->cap = cap;
  return true;
}

void wt__rp_buf_free(wt__rp_buf_t *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

void wt__rp_vprintf(wt__rp_buf_t *b, const char *fmt, va_list ap) {
  va_list again;
  int n;
  va_copy(again, ap);
  n = vsnprintf(NULL, 0, fmt, again);
  va_end(again);
  if (n < 0 ||
      (b->cap - b->len < (size_t)n + 1 && !wt__rp_buf_grow(b, (size_t)n + 1)))
    return;
  vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
}

void wt__rp_printf(wt__rp_buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  wt__rp_vprintf(b, fmt, ap);
  va_end(ap);
}

/* ---- copied records ------------------------------------------------------ */

static bool reserve(void **p, uint32_t *cap, uint32_t n, size_t size) {
  void *q;
  if (n <= *cap)
    return true;
  if ((q = realloc(*p, (size_t)n * size)) == NULL)
    return false;
  *p = q;
  *cap = n;
  return true;
}

/* A payload longer than max keeps only its size (as a meta capture does):
 * a prefix marked "full" would not be a valid record. */
static size_t kept(const wt_trace_payload_t *pl, uint32_t max) {
  return pl->len <= max ? pl->len : 0;
}

int wt__rp_rec_copy(wt__rp_rec_t *dst, const wt_trace_call_t *src,
                    uint32_t payload_max) {
  size_t need = (size_t)src->args_len + src->results_len, off;
  uint8_t *mem;
  for (uint32_t i = 0; i < src->npayloads; i++)
    need += kept(&src->payloads[i], payload_max);
  if (need > dst->mem_cap) {
    if ((mem = realloc(dst->mem, need)) == NULL)
      return -1;
    dst->mem = mem;
    dst->mem_cap = need;
  }
  if (!reserve((void **)&dst->pl, &dst->pl_cap, src->npayloads,
               sizeof *dst->pl) ||
      !reserve((void **)&dst->tr, &dst->tr_cap, src->ntransitions,
               sizeof *dst->tr))
    return -1;
  dst->c = *src;
  if (src->args_len > 0)
    memcpy(dst->mem, src->args, src->args_len);
  if (src->results_len > 0)
    memcpy(dst->mem + src->args_len, src->results, src->results_len);
  dst->c.args = dst->mem;
  dst->c.results = dst->mem + src->args_len;
  off = (size_t)src->args_len + src->results_len;
  for (uint32_t i = 0; i < src->npayloads; i++) {
    dst->pl[i] = src->payloads[i];
    dst->pl[i].len = (uint32_t)kept(&src->payloads[i], payload_max);
    if (dst->pl[i].len < src->payloads[i].len)
      dst->pl[i].capture = WT_PAYLOAD_NONE;
    if (dst->pl[i].len > 0)
      memcpy(dst->mem + off, src->payloads[i].data, dst->pl[i].len);
    dst->pl[i].data = dst->mem + off;
    off += dst->pl[i].len;
  }
  if (src->ntransitions > 0)
    memcpy(dst->tr, src->transitions,
           (size_t)src->ntransitions * sizeof *dst->tr);
  dst->c.payloads = dst->pl;
  dst->c.transitions = dst->tr;
  /* Of the denials, only whether the ABI refused the call is needed. */
  dst->c.ndenials = wt_trace_call_refused(src) ? 1 : 0;
  dst->c.denials = dst->c.ndenials > 0 ? &wt__rp_abi_denial : NULL;
  return 0;
}

void wt__rp_rec_free(wt__rp_rec_t *r) {
  free(r->mem);
  free(r->pl);
  free(r->tr);
  memset(r, 0, sizeof *r);
}

const wt_trace_payload_t *wt__rp_payload(const wt_trace_call_t *c, uint32_t arg,
                                         uint8_t dir) {
  for (uint32_t i = 0; i < c->npayloads; i++)
    if (c->payloads[i].arg == arg && c->payloads[i].dir == dir)
      return &c->payloads[i];
  return NULL;
}

/* ---- the stream ---------------------------------------------------------- */

int wt__rp_stream_init(wt__rp_stream_t *s, wt_trace_t *t, uint32_t history) {
  memset(s, 0, sizeof *s);
  s->trace = t;
  s->hcap = history > 0 ? history : 1;
  s->hist = calloc(s->hcap, sizeof *s->hist);
  if (s->hist == NULL) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  return 0;
}

void wt__rp_stream_free(wt__rp_stream_t *s) {
  for (uint32_t i = 0; i < s->qcap; i++)
    if (s->slots[i] != NULL) {
      wt__rp_rec_free(s->slots[i]);
      free(s->slots[i]);
    }
  free(s->slots);
  for (uint32_t i = 0; i < s->hcap; i++)
    wt__rp_rec_free(&s->hist[i]);
  free(s->hist);
  memset(s, 0, sizeof *s);
}

static void stream_error(wt__rp_stream_t *s, const char *msg) {
  s->failed = true;
  snprintf(s->error, sizeof s->error, "%s", msg);
}

/*
 * Reads the next record into cur. Records come in seq order; a gap is a
 * call that never completed (a signal handler ended the run inside it) or
 * damage, which the matcher tells apart. Going back, or a call that is not
 * in the table, is a corrupt trace.
 */
static bool fetch(wt__rp_stream_t *s) {
  const wt_trace_call_t *c;
  int rc;
  if (s->at_end || s->failed)
    return false;
  rc = wt_trace_next(s->trace, &c);
  if (rc == 0) {
    s->at_end = true;
    return false;
  }
  if (rc < 0) {
    stream_error(s, wt_trace_error());
    return false;
  }
  if (c->seq <= s->fetched || c->call >= WT_CALL_COUNT) {
    char msg[160];
    snprintf(msg, sizeof msg,
             c->call >= WT_CALL_COUNT
                 ? "record %llu names no known call"
                 : "record %llu follows record %llu: records are out of "
                   "order",
             (unsigned long long)c->seq, (unsigned long long)s->fetched);
    stream_error(s, msg);
    return false;
  }
  s->fetched = c->seq;
  s->cur = c;
  s->have_cur = true;
  return true;
}

static wt__rp_rec_t *slot(wt__rp_stream_t *s, uint32_t i) {
  return s->slots[(s->qhead + i) % s->qcap];
}

/* Appends a copy of cur to the queue (cur is then no longer the head). */
static bool enqueue_cur(wt__rp_stream_t *s) {
  wt__rp_rec_t *r;
  if (s->qlen == s->qcap) {
    uint32_t cap = s->qcap ? 2 * s->qcap : 8;
    wt__rp_rec_t **n = calloc(cap, sizeof *n);
    if (n == NULL)
      goto oom;
    for (uint32_t i = 0; i < s->qlen; i++)
      n[i] = slot(s, i);
    for (uint32_t i = 0; i < s->qcap; i++) /* free slots keep their memory */
      if (i >= s->qlen)
        n[i] = s->slots[(s->qhead + i) % s->qcap];
    free(s->slots);
    s->slots = n;
    s->qhead = 0;
    s->qcap = cap;
  }
  r = s->slots[(s->qhead + s->qlen) % s->qcap];
  if (r == NULL && (r = s->slots[(s->qhead + s->qlen) % s->qcap] =
                        calloc(1, sizeof *r)) == NULL)
    goto oom;
  if (wt__rp_rec_copy(r, s->cur, UINT32_MAX) < 0)
    goto oom;
  s->qlen++;
  s->have_cur = false;
  return true;
oom:
  stream_error(s, "out of memory");
  return false;
}

const wt_trace_call_t *wt__rp_peek(wt__rp_stream_t *s, uint32_t k) {
  if (k == 0 && s->qlen > 0)
    return &slot(s, 0)->c;
  if (k == 0) {
    if (!s->have_cur && !fetch(s))
      return NULL;
    return s->cur;
  }
  /* Looking past the head: everything up to k goes into the queue. */
  if (s->qlen == 0 && !s->have_cur && !fetch(s))
    return NULL;
  if (s->have_cur && !enqueue_cur(s))
    return NULL;
  while (s->qlen <= k)
    if (!fetch(s) || !enqueue_cur(s))
      return NULL;
  return &slot(s, k)->c;
}

const wt_trace_call_t *wt__rp_pin(wt__rp_stream_t *s) {
  if (wt__rp_peek(s, 0) == NULL)
    return NULL;
  if (s->qlen == 0 && !enqueue_cur(s))
    return NULL;
  return &slot(s, 0)->c;
}

void wt__rp_history_add(wt__rp_stream_t *s, const wt_trace_call_t *c) {
  /* Reports show arguments and results whole, payloads' first bytes. */
  if (wt__rp_rec_copy(&s->hist[s->hpos], c, WT_TRACE_PREFIX) == 0) {
    s->hpos = (s->hpos + 1) % s->hcap;
    if (s->hlen < s->hcap)
      s->hlen++;
  }
}

void wt__rp_pop(wt__rp_stream_t *s) {
  s->last_seq = s->qlen > 0 ? slot(s, 0)->c.seq : s->cur->seq;
  if (s->qlen > 0) {
    s->qhead = (s->qhead + 1) % s->qcap;
    s->qlen--;
  } else {
    s->have_cur = false;
  }
  s->consumed++;
}

void wt__rp_consume(wt__rp_stream_t *s) {
  wt__rp_history_add(s, s->qlen > 0 ? &slot(s, 0)->c : s->cur);
  wt__rp_pop(s);
}

const wt_trace_call_t *wt__rp_history(const wt__rp_stream_t *s, uint32_t i) {
  if (i >= s->hlen)
    return NULL;
  return &s->hist[(s->hpos + s->hcap - 1 - i) % s->hcap].c;
}
