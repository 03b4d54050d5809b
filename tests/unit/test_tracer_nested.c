/*
 * Re-entrant recording: a call that starts while another is in flight (a
 * guest signal handler's host call, made while the core is inside a host
 * call) is a complete record of its own. Seqs follow call-start order,
 * transitions and denials go to the innermost call in flight, and a call
 * that never returns (the run unwound from inside a nested call) leaves a
 * gap while the calls made inside it are still stored. Both sinks.
 */
#include <setjmp.h>

#include "test_tracer_util.h"

static tt_t *g_t;
static wt_api_t g_inner;
static jmp_buf g_unwind;

static void report(wt_fd_t fd, uint64_t a) {
  wt_transition_t tr = {WT_TR_FD_OPENED, fd, 0, a, 0, 0};
  wt_tracer_observe(g_t->tr, &tr);
}

/*
 * fd_write to fd 7 stands for a host call during which the guest's signal
 * handler runs: a transition before, two nested calls through the
 * tracer's table (the second one refused by a policy), a transition after,
 * and a denial of its own.
 */
static wt_errno_t fake_write(void *ctx, wt_fd_t fd, const wt_ciovec_t *iovs,
                             uint32_t n, uint32_t *written) {
  wt_ciovec_t v = {(const uint8_t *)"inner", 5};
  wt_timestamp_t now;
  uint32_t k;
  if (fd == 8) {
    /* The nested write: its own transition and denial. */
    report(8, 2);
    wt_tracer_deny(g_t->tr, 8, WT_RIGHT_FD_WRITE, "inner rule");
    return WT_ENOTCAPABLE;
  }
  if (fd != 7)
    return wt_core_api()->fd_write(ctx, fd, iovs, n, written);
  report(7, 1);
  assert_ok(g_t->api->clock_time_get(g_t->tr, WT_CLOCK_MONOTONIC, 1, &now));
  assert_errno(g_t->api->fd_write(g_t->tr, 8, &v, 1, &k), WT_ENOTCAPABLE);
  report(7, 3);
  wt_tracer_deny(g_t->tr, 7, WT_RIGHT_FD_WRITE, "outer rule");
  return WT_ENOTCAPABLE;
}

/* sched_yield stands for a host call whose nested call ends the run: the
 * runtime unwinds past it, so it never returns. */
static wt_errno_t fake_yield(void *ctx) {
  wt_timestamp_t now;
  (void)ctx;
  assert_ok(g_t->api->clock_time_get(g_t->tr, WT_CLOCK_REALTIME, 1, &now));
  longjmp(g_unwind, 1);
}

static void open_nested(tt_t *t, bool jsonl) {
  wt_tracer_options_t o;
  wt_sink_t *sink = tt_sink(t, jsonl ? "nested.jsonl" : "nested.db", jsonl);
  g_inner = *wt_core_api();
  g_inner.fd_write = fake_write;
  g_inner.sched_yield = fake_yield;
  wt_tracer_options_init(&o);
  o.core = t->env.w;
  o.ring_size = 1 << 16;
  assert_int_equal(wt_tracer_open(&g_inner, t->env.w, sink, &o, &t->tr), 0);
  t->api = wt_tracer_api();
  g_t = t;
}

/* The calls of the trace, in the order the reader gives them. */
typedef struct seen_s {
  uint64_t seq[16];
  uint16_t call[16];
  wt_errno_t err[16];
  uint32_t ntr[16];
  uint64_t tr_a[16][4];
  char rule[16][32];
  int n;
} seen_t;

static void read_back(const char *path, seen_t *s) {
  wt_trace_t *tr;
  const wt_trace_call_t *c;
  int rc;
  memset(s, 0, sizeof *s);
  if (wt_trace_open(path, &tr) < 0)
    fail_msg("open %s: %s", path, wt_trace_error());
  while ((rc = wt_trace_next(tr, &c)) == 1 && s->n < 16) {
    int i = s->n++;
    s->seq[i] = c->seq;
    s->call[i] = c->call;
    s->err[i] = c->err;
    s->ntr[i] = c->ntransitions;
    for (uint32_t k = 0; k < c->ntransitions && k < 4; k++)
      s->tr_a[i][k] = c->transitions[k].a;
    if (c->ndenials == 1 && c->denials[0].rule != NULL)
      snprintf(s->rule[i], sizeof s->rule[i], "%s", c->denials[0].rule);
  }
  assert_int_equal(rc, 0);
  wt_trace_close(tr);
}

static void nested(bool jsonl) {
  wt_ciovec_t v = {(const uint8_t *)"outer", 5};
  wt_timestamp_t now;
  uint32_t k;
  seen_t s;
  tt_t t;
  open_nested(&t, jsonl);
  assert_ok(t.api->clock_time_get(t.tr, WT_CLOCK_MONOTONIC, 1, &now));
  assert_errno(t.api->fd_write(t.tr, 7, &v, 1, &k), WT_ENOTCAPABLE);
  assert_ok(t.api->clock_time_get(t.tr, WT_CLOCK_MONOTONIC, 1, &now));
  assert_int_equal(wt_tracer_calls(t.tr), 5);
  tt_finish(&t, NULL);
  read_back(t.trace, &s);
  assert_int_equal(s.n, 5);
  /* Call-start order: the outer write before the calls made inside it. */
  for (int i = 0; i < 5; i++)
    assert_int_equal(s.seq[i], i + 1);
  assert_int_equal(s.call[1], WT_CALL_fd_write);
  assert_int_equal(s.call[2], WT_CALL_clock_time_get);
  assert_int_equal(s.call[3], WT_CALL_fd_write);
  assert_int_equal(s.call[4], WT_CALL_clock_time_get);
  /* The outer call has the transitions before and after the nested ones,
   * the nested write its own; each has its own denial. */
  assert_int_equal(s.ntr[1], 2);
  assert_int_equal(s.tr_a[1][0], 1);
  assert_int_equal(s.tr_a[1][1], 3);
  assert_int_equal(s.ntr[2], 0);
  assert_int_equal(s.ntr[3], 1);
  assert_int_equal(s.tr_a[3][0], 2);
  assert_string_equal(s.rule[1], "outer rule");
  assert_string_equal(s.rule[3], "inner rule");
  assert_string_equal(s.rule[2], "");
  assert_int_equal(s.err[1], WT_ENOTCAPABLE);
  assert_int_equal(s.err[3], WT_ENOTCAPABLE);
  tt_close(&t);
}

static void unwound(bool jsonl) {
  wt_timestamp_t now;
  seen_t s;
  tt_t t;
  open_nested(&t, jsonl);
  assert_ok(t.api->clock_time_get(t.tr, WT_CLOCK_MONOTONIC, 1, &now));
  if (setjmp(g_unwind) == 0) {
    t.api->sched_yield(t.tr);
    fail_msg("sched_yield returned");
  }
  tt_finish(&t, NULL);
  read_back(t.trace, &s);
  /* seq 2 (sched_yield) never ended: a gap; the call made inside it is
   * there, after it. */
  assert_int_equal(s.n, 2);
  assert_int_equal(s.seq[0], 1);
  assert_int_equal(s.seq[1], 3);
  assert_int_equal(s.call[1], WT_CALL_clock_time_get);
  tt_close(&t);
}

static void test_nested_sqlite(void **state) {
  (void)state;
  nested(false);
}

static void test_nested_jsonl(void **state) {
  (void)state;
  nested(true);
}

static void test_unwound_sqlite(void **state) {
  (void)state;
  unwound(false);
}

static void test_unwound_jsonl(void **state) {
  (void)state;
  unwound(true);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_nested_sqlite),
      cmocka_unit_test(test_nested_jsonl),
      cmocka_unit_test(test_unwound_sqlite),
      cmocka_unit_test(test_unwound_jsonl),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
