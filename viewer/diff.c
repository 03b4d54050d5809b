/*
 * wasitrace diff: two record streams aligned on their calls (see
 * wt/viewer_diff.h for the streaming design and its limits).
 *
 * Each stream has a queue of record copies: at its front the last alike
 * records (`hist`, at most `context` of them, kept to show before the first
 * difference), then the records read but not yet compared (the look-ahead).
 * A stream's viewer sees every record exactly once, as it leaves the queue,
 * so its -y fd labels are those of that moment of its own run.
 */
#include <stdlib.h>

#include "diff_internal.h"
#include "wt/viewer_diff.h"

typedef struct slot_s {
  wt_trace_call_t c; /* pointers into buf and the arrays below */
  uint64_t key;
  uint8_t *buf;
  size_t cap, bytes;
  const uint8_t *canon;
  uint32_t canon_len, nsegs;
  wt__dseg_t *segs;
  wt_trace_payload_t *pl;
  wt_transition_t *tr;
  wt_trace_denial_t *dn;
  uint32_t segcap, plcap, trcap, dncap;
} slot_t;

typedef struct side_s {
  const wt_diff_side_t *in;
  wt_viewer_t *v;
  slot_t *ring;
  uint32_t cap, head, n, hist;
  bool eof;
  uint64_t read, bytes;
  wt__canon_t k;
  uint32_t shown, hidden; /* lines of the first region printed, not */
} side_t;

typedef struct dd_s {
  const wt_diff_options_t *o;
  side_t a, b;
  FILE *f;
  wt_diff_result_t *r;
  int state; /* 0 alike so far, 1 in the first region, 2 after it */
  bool in_region;
  uint32_t after; /* alike lines still to show after the first region */
  uint64_t progress_at;
  wt__sb_t line;
} dd_t;

void wt_diff_options_init(wt_diff_options_t *o) {
  memset(o, 0, sizeof *o);
  o->context = 3;
  o->window = WT_DIFF_WINDOW;
  o->strsize = 32;
  o->max_regions = 20;
}

/* ---- the queues ----------------------------------------------------------
 */

static int grow(void **p, uint32_t *cap, uint32_t n, size_t size) {
  void *q;
  if (n <= *cap)
    return 0;
  if ((q = realloc(*p, n * size)) == NULL)
    return -1;
  *p = q;
  *cap = n;
  return 0;
}

static size_t rule_len(const wt_trace_denial_t *d) {
  return d->rule != NULL ? strlen(d->rule) + 1 : 0;
}

/* Room for a copy of c whose canonical form is k. */
static int slot_room(slot_t *s, const wt_trace_call_t *c, const wt__canon_t *k,
                     uint32_t keep, size_t *need) {
  size_t n = (size_t)c->args_len + c->results_len + k->b.len + 1;
  for (uint32_t i = 0; i < c->npayloads; i++)
    n += c->payloads[i].len < keep ? c->payloads[i].len : keep;
  for (uint32_t i = 0; i < c->ndenials; i++)
    n += rule_len(&c->denials[i]);
  /* A huge record once does not pin its memory in the slot for good. */
  if (s->cap > (1u << 20) && n < s->cap / 4) {
    free(s->buf);
    s->buf = NULL;
    s->cap = 0;
  }
  if (n > s->cap) {
    uint8_t *b = realloc(s->buf, n);
    if (b == NULL)
      return -1;
    s->buf = b;
    s->cap = n;
  }
  *need = n;
  if (grow((void **)&s->pl, &s->plcap, c->npayloads, sizeof *s->pl) < 0 ||
      grow((void **)&s->tr, &s->trcap, c->ntransitions, sizeof *s->tr) < 0 ||
      grow((void **)&s->dn, &s->dncap, c->ndenials, sizeof *s->dn) < 0 ||
      grow((void **)&s->segs, &s->segcap, k->nsegs, sizeof *s->segs) < 0)
    return -1;
  return 0;
}

static const uint8_t *stash(slot_t *s, size_t *at, const void *p, size_t n) {
  uint8_t *d = s->buf + *at;
  if (n > 0 && p != NULL)
    memcpy(d, p, n);
  *at += n;
  return d;
}

/* A copy of c (payloads cut to `keep` bytes: enough to render them as the
 * original; the comparison uses the canonical form, taken whole). */
static int slot_copy(slot_t *s, const wt_trace_call_t *c, const wt__canon_t *k,
                     uint64_t key, uint32_t keep) {
  size_t need, at = 0;
  if (slot_room(s, c, k, keep, &need) < 0)
    return -1;
  s->c = *c;
  s->key = key;
  s->c.args = stash(s, &at, c->args, c->args_len);
  s->c.results = stash(s, &at, c->results, c->results_len);
  s->canon = stash(s, &at, k->b.s, k->b.len);
  s->canon_len = (uint32_t)k->b.len;
  s->nsegs = k->nsegs;
  memcpy(s->segs, k->segs, k->nsegs * sizeof *s->segs);
  for (uint32_t i = 0; i < c->npayloads; i++) {
    const wt_trace_payload_t *p = &c->payloads[i];
    uint32_t n = p->len < keep ? p->len : keep;
    s->pl[i] = *p;
    s->pl[i].len = p->data != NULL ? n : 0;
    s->pl[i].data = p->data != NULL ? stash(s, &at, p->data, n) : NULL;
  }
  if (c->ntransitions > 0)
    memcpy(s->tr, c->transitions, c->ntransitions * sizeof *s->tr);
  for (uint32_t i = 0; i < c->ndenials; i++) {
    s->dn[i] = c->denials[i];
    if (c->denials[i].rule != NULL)
      s->dn[i].rule = (const char *)stash(s, &at, c->denials[i].rule,
                                          rule_len(&c->denials[i]));
  }
  s->c.payloads = s->pl;
  s->c.transitions = s->tr;
  s->c.denials = s->dn;
  s->bytes = need + sizeof *s;
  return 0;
}

static slot_t *at(side_t *s, uint32_t i) {
  return &s->ring[(s->head + i) % s->cap];
}

static uint32_t look(const side_t *s) { return s->n - s->hist; }

/* Reads one record into the queue: 1, 0 at the end (or full), -1. */
static int fill1(dd_t *d, side_t *s) {
  const wt_trace_call_t *c;
  uint64_t key;
  int rc;
  if (s->eof || s->n == s->cap)
    return 0;
  if ((rc = s->in->next(s->in->ud, &c)) <= 0) {
    if (rc == 0)
      s->eof = true;
    return rc;
  }
  key = wt__diff_canon(&s->k, c, d->o->timing);
  if (s->k.b.oom ||
      slot_copy(at(s, s->n), c, &s->k, key, d->o->strsize + 1) < 0) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  if (s->k.bad)
    d->r->corrupt++;
  s->bytes += at(s, s->n)->bytes;
  s->n++;
  s->read++;
  if (d->o->progress != NULL && d->a.read + d->b.read >= d->progress_at) {
    d->progress_at += 65536;
    d->o->progress(d->o->progress_ud, d->a.read, d->b.read);
  }
  return 1;
}

static bool slot_eq(const slot_t *x, const slot_t *y) {
  return x->key == y->key && x->canon_len == y->canon_len &&
         memcmp(x->canon, y->canon, x->canon_len) == 0;
}

/* The look-aheads' i-th and j-th records alike (the alignment's eq). */
static bool look_eq(void *ud, uint32_t i, uint32_t j) {
  dd_t *d = ud;
  return slot_eq(at(&d->a, d->a.hist + i), at(&d->b, d->b.hist + j));
}

/* ---- output ----------------------------------------------------------------
 */

static int emit(dd_t *d, const char *prefix, const char *text, size_t len) {
  if (fputs(prefix, d->f) == EOF || fwrite(text, 1, len, d->f) != len) {
    wt_trace_set_error("cannot write the report");
    return -1;
  }
  return 0;
}

/* The front record of s leaves the queue: printed after prefix, or (prefix
 * NULL) only applied to s's fd state. */
static int pop(dd_t *d, side_t *s, const char *prefix) {
  slot_t *x = at(s, 0);
  int rc = 0;
  if (prefix != NULL) {
    const char *text;
    size_t len;
    wt_viewer_format(s->v, &x->c, &text, &len); /* corrupt: still a line */
    if (text == NULL) {
      wt_trace_set_error("out of memory");
      return -1;
    }
    rc = emit(d, prefix, text, len);
  } else {
    wt_viewer_skip(s->v, &x->c);
  }
  s->bytes -= x->bytes;
  s->head = (s->head + 1) % s->cap;
  s->n--;
  if (s->hist > 0)
    s->hist--;
  return rc;
}

/* A pair alike, shown from a (b's record only moves b's fd state on). */
static int pop_alike(dd_t *d, bool show) {
  char p[64];
  uint64_t sa = at(&d->a, 0)->c.seq, sb = at(&d->b, 0)->c.seq;
  if (sa == sb)
    snprintf(p, sizeof p, "  [%llu] ", (unsigned long long)sa);
  else
    snprintf(p, sizeof p, "  [%llu|%llu] ", (unsigned long long)sa,
             (unsigned long long)sb);
  if (pop(d, &d->a, show ? p : NULL) < 0)
    return -1;
  return pop(d, &d->b, NULL);
}

/* A record of one stream only: "- [seq] line" (a) or "+ [seq] line" (b). */
static int pop_only(dd_t *d, side_t *s, char sign) {
  char p[40];
  if (d->state != 1 || s->shown >= WT_DIFF_SHOWN) {
    if (d->state == 1)
      s->hidden++;
    return pop(d, s, NULL);
  }
  s->shown++;
  snprintf(p, sizeof p, "%c [%llu] ", sign,
           (unsigned long long)at(s, 0)->c.seq);
  return pop(d, s, p);
}

static int hidden_note(dd_t *d, side_t *s, char sign) {
  if (s->hidden == 0)
    return 0;
  if (fprintf(d->f, "%c ... %u more call%s of %s\n", sign, s->hidden,
              s->hidden == 1 ? "" : "s", s->in->label) < 0)
    return -1;
  s->hidden = 0;
  return 0;
}

static void position(wt__sb_t *b, side_t *s) {
  char t[64];
  if (look(s) > 0)
    snprintf(t, sizeof t, "call %llu of %s",
             (unsigned long long)at(s, s->hist)->c.seq, s->in->label);
  else
    snprintf(t, sizeof t, "the end of %s", s->in->label);
  wt__sb_puts(b, t);
}

/* "B has 2 calls A has not (first: sched_yield)". */
static void one_sided(wt__sb_t *b, side_t *has, side_t *not, uint32_t n) {
  char t[200];
  snprintf(t, sizeof t, "%s has %u call%s %s has not (%s%s)", has->in->label,
           n, n == 1 ? "" : "s", not->in->label, n == 1 ? "" : "first: ",
           wt_call_name(at(has, has->hist)->c.call));
  wt__sb_puts(b, t);
}

static void canon_of(const slot_t *s, wt__canon_t *k) {
  memset(k, 0, sizeof *k);
  k->b.s = (char *)(uintptr_t)s->canon;
  k->b.len = s->canon_len;
  k->nsegs = s->nsegs < WT__DSEG_MAX ? s->nsegs : WT__DSEG_MAX;
  memcpy(k->segs, s->segs, k->nsegs * sizeof *k->segs);
}

/* "@@ call 7 of A, call 7 of B: path_open: errno SUCCESS in A, ... @@". */
static int region_header(dd_t *d, const wt__hunk_t *h) {
  wt__sb_t *b = &d->line;
  wt__sb_reset(b);
  wt__sb_puts(b, "@@ ");
  position(b, &d->a);
  wt__sb_puts(b, ", ");
  position(b, &d->b);
  wt__sb_puts(b, ": ");
  if (h->a_only > 0 && h->b_only > 0) {
    wt__canon_t ka, kb;
    slot_t *x = at(&d->a, d->a.hist), *y = at(&d->b, d->b.hist);
    canon_of(x, &ka);
    canon_of(y, &kb);
    wt__diff_explain(b, &x->c, &ka, &y->c, &kb);
  } else if (h->a_only > 0) {
    one_sided(b, &d->a, &d->b, h->a_only);
  } else {
    one_sided(b, &d->b, &d->a, h->b_only);
  }
  wt__sb_puts(b, " @@\n");
  if (b->oom) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  return emit(d, "", b->s, b->len);
}

/* ---- comparing -----------------------------------------------------------
 */

static int alike(dd_t *d) {
  d->r->alike++;
  d->in_region = false;
  if (d->state == 1) {
    d->state = 2;
    d->after = d->o->context;
    d->r->realign_a = at(&d->a, d->a.hist)->c.seq;
    d->r->realign_b = at(&d->b, d->b.hist)->c.seq;
    if (hidden_note(d, &d->a, '-') < 0 || hidden_note(d, &d->b, '+') < 0)
      return -1;
  }
  if (d->after > 0) { /* nothing is kept before it */
    d->after--;
    return pop_alike(d, true);
  }
  d->a.hist++;
  d->b.hist++;
  while (d->a.hist > d->o->context)
    if (pop_alike(d, false) < 0)
      return -1;
  return 0;
}

/* Reads ahead on s up to the window (or its byte budget). */
static int fill(dd_t *d, side_t *s) {
  while (look(s) < d->o->window && s->bytes < WT_DIFF_WINDOW_BYTES) {
    int rc = fill1(d, s);
    if (rc <= 0)
      return rc;
  }
  return 0;
}

/* Counts what is left of s without comparing it. */
static int drain(dd_t *d, side_t *s, uint64_t *rest) {
  const wt_trace_call_t *c;
  int rc;
  *rest = look(s);
  while (look(s) > 0)
    if (pop(d, s, NULL) < 0)
      return -1;
  if (s->eof)
    return 0;
  while ((rc = s->in->next(s->in->ud, &c)) > 0)
    (*rest)++;
  return rc;
}

/* The first region of the records from here on, found by aligning the
 * look-aheads; it leaves the queues. */
static int region(dd_t *d) {
  wt__hunk_t h;
  int rc;
  uint32_t la, lb;
  bool whole;
  if (fill(d, &d->a) < 0 || fill(d, &d->b) < 0)
    return -1;
  la = look(&d->a);
  lb = look(&d->b);
  rc = wt__diff_align(la, lb, look_eq, d, WT_DIFF_MAX_EDITS, &h);
  if (rc < 0) {
    wt_trace_set_error("out of memory");
    return -1;
  }
  whole = rc == 1 || (h.a_only == la && h.b_only == lb);
  if (whole && !d->a.eof && !d->b.eof) /* no re-alignment in the window */
    d->r->gave_up = true;
  if (rc == 1)
    h = (wt__hunk_t){0, la, lb};
  if (!d->in_region) {
    d->in_region = true;
    d->r->regions++;
    if (d->state == 0) {
      d->state = 1;
      d->r->first_a = la > 0 ? at(&d->a, d->a.hist)->c.seq : 0;
      d->r->first_b = lb > 0 ? at(&d->b, d->b.hist)->c.seq : 0;
      if (fprintf(d->f, "--- %s: %s\n+++ %s: %s\n", d->a.in->label,
                  d->a.in->name, d->b.in->label, d->b.in->name) < 0 ||
          region_header(d, &h) < 0)
        return -1;
      while (d->a.hist > 0 || d->b.hist > 0)
        if (pop_alike(d, true) < 0)
          return -1;
    } else if (d->r->regions <= (uint64_t)d->o->max_regions + 1) {
      if (region_header(d, &h) < 0)
        return -1;
    }
  }
  /* History of a later region is not shown. */
  while (d->a.hist > 0 && d->b.hist > 0)
    if (pop_alike(d, false) < 0)
      return -1;
  d->r->a_only += h.a_only;
  d->r->b_only += h.b_only;
  for (uint32_t i = 0; i < h.a_only; i++)
    if (pop_only(d, &d->a, '-') < 0)
      return -1;
  for (uint32_t i = 0; i < h.b_only; i++)
    if (pop_only(d, &d->b, '+') < 0)
      return -1;
  if (d->r->gave_up) {
    if (hidden_note(d, &d->a, '-') < 0 || hidden_note(d, &d->b, '+') < 0 ||
        drain(d, &d->a, &d->r->rest_a) < 0 ||
        drain(d, &d->b, &d->r->rest_b) < 0)
      return -1;
  }
  return 0;
}

static int summary(dd_t *d) {
  wt_diff_result_t *r = d->r;
  const char *la = d->a.in->label, *lb = d->b.in->label;
  int w = 0;
  if (r->regions == 0)
    return 0;
  if (d->state == 1 && !r->gave_up &&
      (hidden_note(d, &d->a, '-') < 0 || hidden_note(d, &d->b, '+') < 0))
    return -1;
  if (r->regions > (uint64_t)d->o->max_regions + 1)
    w |= fprintf(d->f, "@@ ... %llu more regions @@\n",
                 (unsigned long long)(r->regions - d->o->max_regions - 1));
  w |= fprintf(d->f, "first difference: call %llu of %s, call %llu of %s\n",
               (unsigned long long)r->first_a, la,
               (unsigned long long)r->first_b, lb);
  if (r->gave_up)
    w |= fprintf(d->f,
                 "re-aligned: no, not within %u calls (%llu calls of %s "
                 "and %llu of %s left uncompared)\n",
                 d->o->window, (unsigned long long)r->rest_a, la,
                 (unsigned long long)r->rest_b, lb);
  else if (r->realign_a == 0)
    w |= fprintf(d->f, "re-aligned: no, the difference runs to the end\n");
  else
    w |= fprintf(d->f, "re-aligned: at call %llu of %s, call %llu of %s\n",
                 (unsigned long long)r->realign_a, la,
                 (unsigned long long)r->realign_b, lb);
  w |= fprintf(d->f,
               "differing: %llu region%s, %llu call%s only in %s, %llu only "
               "in %s\nalike: %llu call%s\n",
               (unsigned long long)r->regions, r->regions == 1 ? "" : "s",
               (unsigned long long)r->a_only, r->a_only == 1 ? "" : "s", la,
               (unsigned long long)r->b_only, lb,
               (unsigned long long)r->alike, r->alike == 1 ? "" : "s");
  if (w < 0) {
    wt_trace_set_error("cannot write the report");
    return -1;
  }
  return 0;
}

static int compare(dd_t *d) {
  for (;;) {
    uint32_t la, lb;
    if ((look(&d->a) == 0 && fill1(d, &d->a) < 0) ||
        (look(&d->b) == 0 && fill1(d, &d->b) < 0))
      return -1;
    la = look(&d->a);
    lb = look(&d->b);
    if (la == 0 && lb == 0)
      break;
    if (la > 0 && lb > 0 &&
        slot_eq(at(&d->a, d->a.hist), at(&d->b, d->b.hist))) {
      if (alike(d) < 0)
        return -1;
      continue;
    }
    if (region(d) < 0)
      return -1;
    if (d->r->gave_up)
      break;
  }
  /* The fd state sees every record (a caller may go on with it). */
  while (d->a.n > 0 && d->b.n > 0)
    if (pop_alike(d, false) < 0)
      return -1;
  return summary(d);
}

/* ---- setup -------------------------------------------------------------- */

static int side_init(side_t *s, const wt_diff_side_t *in, wt_viewer_t *v,
                     uint32_t cap) {
  memset(s, 0, sizeof *s);
  s->in = in;
  s->v = v;
  s->cap = cap;
  s->ring = calloc(cap, sizeof *s->ring);
  return s->ring != NULL ? 0 : -1;
}

static void side_free(side_t *s) {
  for (uint32_t i = 0; s->ring != NULL && i < s->cap; i++) {
    free(s->ring[i].buf);
    free(s->ring[i].segs);
    free(s->ring[i].pl);
    free(s->ring[i].tr);
    free(s->ring[i].dn);
  }
  free(s->ring);
  wt__diff_canon_free(&s->k);
}

int wt_diff_run(const wt_diff_options_t *o, const wt_diff_side_t *a,
                wt_viewer_t *va, const wt_diff_side_t *b, wt_viewer_t *vb,
                FILE *f, wt_diff_result_t *res) {
  dd_t d;
  wt_diff_options_t oo = *o;
  uint32_t cap;
  int rc = -1;
  memset(res, 0, sizeof *res);
  if (oo.window == 0 || oo.window > WT_DIFF_WINDOW_MAX)
    oo.window = WT_DIFF_WINDOW;
  if (oo.context > 1000)
    oo.context = 1000;
  memset(&d, 0, sizeof d);
  d.o = &oo;
  d.f = f;
  d.r = res;
  d.progress_at = 65536;
  cap = oo.window + oo.context + 1;
  if (side_init(&d.a, a, va, cap) < 0 || side_init(&d.b, b, vb, cap) < 0) {
    wt_trace_set_error("out of memory");
    goto done;
  }
  rc = compare(&d);
done:
  res->differ = res->regions > 0;
  side_free(&d.a);
  side_free(&d.b);
  wt__sb_free(&d.line);
  return rc;
}
