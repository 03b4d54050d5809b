/*
 * --verify: the front table that marks the guest's calls, so that calls a
 * tracer over the replay makes for itself do not consume records, and the
 * call-for-call comparison of two traces.
 */
#include <stdlib.h>

#include "internal.h"

#define WT_CALL(name, set, fam, ret, ...)                                      \
  static wt_errno_t front_##name(void *ctx WT_ARGS(WT_HP, __VA_ARGS__)) {      \
    wt_replay_t *r = ctx;                                                      \
    r->front_pending++;                                                        \
    return r->front_next->name(r->front_ctx WT_ARGS(WT_HN, __VA_ARGS__));      \
  }
#include "wt/calls.def"
#undef WT_CALL

static wt_errno_t front_refused(void *ctx, const wt_refusal_t *g) {
  wt_replay_t *r = ctx;
  if (r->front_next->refused == NULL)
    return g->err;
  r->front_pending++;
  return r->front_next->refused(r->front_ctx, g);
}

static const wt_api_t front_api = {
#define WT_CALL(name, set, fam, ret, ...) .name = front_##name,
#include "wt/calls.def"
#undef WT_CALL
    .refused = front_refused,
};

const wt_api_t *wt_replay_front_api(void) {
  return &front_api;
}

void wt_replay_set_front(wt_replay_t *r, const wt_api_t *next, void *next_ctx) {
  r->front_next = next;
  r->front_ctx = next_ctx;
  r->front_pending = 0;
}

/* ---- comparing traces ---------------------------------------------------- */

static bool same_bytes(const uint8_t *a, uint32_t an, const uint8_t *b,
                       uint32_t bn) {
  return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

static bool same_payload(const wt_trace_payload_t *a,
                         const wt_trace_payload_t *b) {
  return a->arg == b->arg && a->dir == b->dir && a->capture == b->capture &&
         a->size == b->size && a->digest == b->digest &&
         same_bytes(a->data, a->len, b->data, b->len);
}

/* What differs between two records, or NULL. */
static const char *record_diff(const wt_trace_call_t *a,
                               const wt_trace_call_t *b) {
  if (a->call != b->call)
    return "the call";
  if (wt_trace_call_refused(a) != wt_trace_call_refused(b))
    return "whether the guest ABI refused it";
  if (!same_bytes(a->args, a->args_len, b->args, b->args_len))
    return "the inputs";
  if (a->err != b->err)
    return "the errno";
  if (!same_bytes(a->results, a->results_len, b->results, b->results_len))
    return "the outputs";
  if (a->npayloads != b->npayloads)
    return "the buffers";
  for (uint32_t i = 0; i < a->npayloads; i++)
    if (!same_payload(&a->payloads[i], &b->payloads[i]))
      return a->payloads[i].dir == WT_PAYLOAD_IN ? "the bytes written"
                                                 : "the bytes read";
  return NULL;
}

static int differs(wt__rp_buf_t *out, uint64_t seq, const char *what,
                   const wt_trace_call_t *a, const wt_trace_call_t *b) {
  wt__rp_printf(out, "the traces differ at seq %llu: %s\n",
                (unsigned long long)seq, what);
  wt__rp_printf(out, "  first:  ");
  if (a != NULL)
    wt__rp_render(out, a);
  else
    wt__rp_printf(out, "(ends here)");
  wt__rp_printf(out, "\n  second: ");
  if (b != NULL)
    wt__rp_render(out, b);
  else
    wt__rp_printf(out, "(ends here)");
  wt__rp_printf(out, "\n");
  return 1;
}

/* Walks both traces side by side (each reader keeps its own record). */
static int walk(wt_trace_t *ta, wt_trace_t *tb, wt__rp_buf_t *out) {
  const wt_trace_call_t *a = NULL, *b = NULL;
  for (uint64_t seq = 1;; seq++) {
    int na = wt_trace_next(ta, &a), nb = na < 0 ? -1 : wt_trace_next(tb, &b);
    const char *what;
    if (na < 0 || nb < 0)
      return -1;
    if (na == 0 && nb == 0)
      return 0;
    what = na == 0 || nb == 0 ? "one trace has more calls" : record_diff(a, b);
    if (what != NULL)
      return differs(out, seq, what, na ? a : NULL, nb ? b : NULL);
  }
}

int wt_replay_compare(const char *a_path, const char *b_path, char **report) {
  wt_trace_t *ta = NULL, *tb = NULL;
  wt__rp_buf_t out = {0};
  int rc = -1;
  *report = NULL;
  if (wt_trace_open(a_path, &ta) < 0 || wt_trace_open(b_path, &tb) < 0)
    goto out;
  rc = walk(ta, tb, &out);
  if (rc == 1 && !out.oom) {
    *report = (char *)out.p;
    out.p = NULL;
  } else if (rc == 1) {
    wt_trace_set_error("out of memory");
    rc = -1;
  }
out:
  wt_trace_close(ta);
  wt_trace_close(tb);
  wt__rp_buf_free(&out);
  return rc;
}
