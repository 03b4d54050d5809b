/*
 * The replay's wt_api_t: one wrapper per call of calls.def, expanded from
 * the table. Each
 *   1. encodes the guest's inputs exactly as the tracer encodes a record's
 *      (docs/trace-format.md),
 *   2. matches them with the next record (wt__rp_match, which first runs
 *      the signal handlers the recording ran during the call, and then
 *      has the inputs encoded again),
 *   3. on a recorded success, writes the recorded outputs back: OUT values,
 *      OUT_ARRAY items and string tables from the results, then bytes into
 *      buffers from the payloads. Every length is clamped to the guest's
 *      buffers, so a corrupt or mismatched record cannot overflow them,
 *   4. finishes (wt__rp_done: stdout and stderr, hooks, transitions) and
 *      returns the recorded errno.
 */
#include "internal.h"
#include "wt/argenc.h"

/* ---- outputs ------------------------------------------------------------- */

static const wt_trace_payload_t *out_payload(const wt_trace_call_t *rec,
                                             uint32_t arg, bool *bad) {
  const wt_trace_payload_t *pl = wt__rp_payload(rec, arg, WT_PAYLOAD_OUT);
  /* Outputs are always kept whole in the replay and full captures. */
  if (pl == NULL || pl->capture != WT_PAYLOAD_FULL || pl->len != pl->size)
    *bad = true;
  return *bad ? NULL : pl;
}

size_t wt__rp_scatter(const wt_trace_call_t *rec, uint32_t arg,
                      const wt_iovec_t *v, uint32_t n, bool *bad) {
  const wt_trace_payload_t *pl = out_payload(rec, arg, bad);
  size_t done = 0;
  for (uint32_t i = 0; pl != NULL && i < n && done < pl->len; i++) {
    size_t k = pl->len - done < v[i].buf_len ? pl->len - done : v[i].buf_len;
    memcpy(v[i].buf, pl->data + done, k);
    done += k;
  }
  return done;
}

size_t wt__rp_fill(const wt_trace_call_t *rec, uint32_t arg, uint8_t *p,
                   uint32_t n, bool *bad) {
  const wt_trace_payload_t *pl = out_payload(rec, arg, bad);
  size_t k = pl == NULL ? 0 : pl->len < n ? pl->len : n;
  if (k > 0)
    memcpy(p, pl->data, k);
  return k;
}

/* u32 count, u32 bytes used, count u32 offsets, the bytes. */
wt_errno_t wt__rp_strtab(wt__cur_t *c, wt_strtab_t *t) {
  uint32_t count = wt__cur_u32(c), used = wt__cur_u32(c);
  const uint8_t *offs = wt__cur_take(c, 4 * (size_t)count);
  const uint8_t *buf = wt__cur_take(c, used);
  if (c->bad)
    return WT_ESUCCESS; /* the caller reports the corrupt record */
  /* The guest sized its buffers with *_sizes_get: too small faults. */
  if (count > t->offsets_cap || used > t->buf_cap)
    return WT_EFAULT;
  if (count > 0)
    memcpy(t->offsets, offs, 4 * (size_t)count);
  if (used > 0)
    memcpy(t->buf, buf, used);
  t->count = count;
  t->buf_used = used;
  return WT_ESUCCESS;
}

/* ---- per-kind expansion -------------------------------------------------- */

/* Encoding walk: the guest's inputs, as the tracer encodes them
   (wt/argenc.h). */
#define WT_ENC_U32(v) wt__rp_put32(&a->args, v)
#define WT_ENC_U64(v) wt__rp_put64(&a->args, v)
#define WT_ENC_BYTES(p, n) wt__rp_put(&a->args, p, n)

/* In-iovecs walk (RI_): the bytes the guest writes, by argument number. */
#define RI_VOID() argi++;
#define RI_FD(name, right) argi++;
#define RI_IN(type, name, fmt) argi++;
#define RI_IN_STR(name) argi++;
#define RI_IN_IOVS(name) wt__rp_act_in(a, argi++, name, name##_len);
#define RI_OUT_IOVS(name, used) argi++;
#define RI_OUT_BUF(name, used) argi++;
#define RI_OUT_BYTES(name) argi++;
#define RI_OUT(type, name, fmt) argi++;
#define RI_IN_ARRAY(type, name, count, fmt) argi++;
#define RI_OUT_ARRAY(type, name, count, used, fmt) argi++;
#define RI_IN_OPT(type, name, fmt) argi++;
#define RI_OUT_STRTAB(name) argi++;

/* Results walk (RR_), in argument order: what the call stored. */
#define RR_VOID()
#define RR_FD(name, right)
#define RR_IN(type, name, fmt)
#define RR_IN_STR(name)
#define RR_IN_IOVS(name)
#define RR_OUT_IOVS(name, used)
#define RR_OUT_BUF(name, used)
#define RR_OUT_BYTES(name)
#define RR_OUT(type, name, fmt)                                                \
  {                                                                            \
    const uint8_t *p_ = wt__cur_take(&c, sizeof(type));                        \
    if (p_ != NULL)                                                            \
      memcpy(name, p_, sizeof(type));                                          \
  }
#define RR_IN_ARRAY(type, name, count, fmt)
#define RR_OUT_ARRAY(type, name, count, used, fmt)                             \
  uint32_t name##_k = 0;                                                       \
  {                                                                            \
    uint32_t n_ = wt__cur_u32(&c);                                             \
    const uint8_t *p_ = wt__cur_take(&c, (size_t)n_ * sizeof(type));           \
    name##_k = n_ < (uint32_t)count ? n_ : (uint32_t)count;                    \
    if (p_ != NULL && name##_k > 0)                                            \
      memcpy(name, p_, (size_t)name##_k * sizeof(type));                       \
  }
#define RR_IN_OPT(type, name, fmt)
#define RR_OUT_STRTAB(name)                                                    \
  if (err == WT_ESUCCESS)                                                      \
    err = wt__rp_strtab(&c, name);

/*
 * Payload walk (RP_): bytes into the guest's buffers; then every count of
 * bytes or items is clamped to what was actually stored.
 */
#define RP_VOID() argi++;
#define RP_FD(name, right) argi++;
#define RP_IN(type, name, fmt) argi++;
#define RP_IN_STR(name) argi++;
#define RP_IN_IOVS(name) argi++;
#define RP_OUT_IOVS(name, used)                                                \
  {                                                                            \
    size_t n_ = wt__rp_scatter(rec, argi, name, name##_len, &bad);             \
    if (*used > n_)                                                            \
      *used = (uint32_t)n_;                                                    \
  }                                                                            \
  argi++;
#define RP_OUT_BUF(name, used)                                                 \
  {                                                                            \
    size_t n_ = wt__rp_fill(rec, argi, name, name##_len, &bad);                \
    if (*used > n_)                                                            \
      *used = (uint32_t)n_;                                                    \
  }                                                                            \
  argi++;
#define RP_OUT_BYTES(name)                                                     \
  (void)wt__rp_fill(rec, argi, name, name##_len, &bad);                        \
  argi++;
#define RP_OUT(type, name, fmt) argi++;
#define RP_IN_ARRAY(type, name, count, fmt) argi++;
#define RP_OUT_ARRAY(type, name, count, used, fmt)                             \
  if (*used > name##_k)                                                        \
    *used = name##_k;                                                          \
  argi++;
#define RP_IN_OPT(type, name, fmt) argi++;
#define RP_OUT_STRTAB(name) argi++;

#define WT_CALL(name, set, fam, ret, ...)                                      \
  static wt_errno_t rp_##name(void *ctx WT_ARGS(WT_HP, __VA_ARGS__)) {         \
    wt_replay_t *r = ctx;                                                      \
    const wt_trace_call_t *rec;                                                \
    wt__rp_act_t *a;                                                           \
    wt_errno_t err = WT_ESUCCESS;                                              \
    wt__rp_try_t try_ = {0, false, false, false, 0};                           \
    uint32_t argi;                                                             \
    bool bad = false;                                                          \
    if (!wt__rp_enter(r))                                                      \
      return WT_ENOTSUP;                                                       \
    /* Encoded again after signal handlers ran (they may change memory). */    \
    do {                                                                       \
      a = wt__rp_act_start(r, WT_CALL_##name);                                 \
      argi = 0;                                                                \
      WT_ARGS(WT_ENC, __VA_ARGS__)                                             \
      WT_ARGS(RI, __VA_ARGS__)                                                 \
    } while ((rec = wt__rp_match(r, a, &try_)) == &wt__rp_retry);              \
    if (rec == NULL)                                                           \
      return wt__rp_unmatched(r);                                              \
    if (rec->err == WT_ESUCCESS) {                                             \
      wt__cur_t c = {rec->results, rec->results + rec->results_len, false};    \
      WT_ARGS(RR, __VA_ARGS__)                                                 \
      argi = 0;                                                                \
      WT_ARGS(RP, __VA_ARGS__)                                                 \
      if (bad || c.bad || c.p != c.end)                                        \
        return wt__rp_corrupt(r, rec, "outputs");                              \
    }                                                                          \
    return wt__rp_done(r, rec, a, &try_, err != WT_ESUCCESS ? err : rec->err); \
  }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#include "wt/calls.def"
#pragma GCC diagnostic pop
#undef WT_CALL

/*
 * A call the guest ABI refused matches a record of the same refusal: the
 * same call with the same raw guest parameters. The guest gets the
 * recorded errno.
 */
static wt_errno_t rp_refused(void *ctx, const wt_refusal_t *g) {
  wt_replay_t *r = ctx;
  const wt_trace_call_t *rec;
  wt__rp_act_t *a;
  wt__rp_try_t try_ = {0, false, false, false, 0};
  if (!wt__rp_enter(r))
    return WT_ENOTSUP;
  do {
    a = wt__rp_act_start(r, g->call);
    a->refused = true;
    for (uint32_t i = 0; i < g->nraw; i++)
      wt__rp_put64(&a->args, g->raw[i]);
  } while ((rec = wt__rp_match(r, a, &try_)) == &wt__rp_retry);
  if (rec == NULL)
    return wt__rp_unmatched(r);
  return wt__rp_done(r, rec, a, &try_, rec->err);
}

static const wt_api_t replay_api = {
#define WT_CALL(name, set, fam, ret, ...) .name = rp_##name,
#include "wt/calls.def"
#undef WT_CALL
    .refused = rp_refused,
};

const wt_api_t *wt_replay_api(void) {
  return &replay_api;
}
