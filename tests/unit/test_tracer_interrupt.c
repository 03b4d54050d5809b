/*
 * wt_tracer_interrupt: another thread ends the recording while the guest
 * keeps making calls. The trace has every call completed before the
 * interrupt (seq 1..n without gaps), says incomplete and why, and calls
 * made afterwards go through unrecorded without ever blocking, even once
 * they would have filled the ring. Both sinks.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "test_tracer_util.h"

typedef struct shared_s {
  wt_tracer_t *tr;
  _Atomic uint64_t made;
  _Atomic int done;
  int rc;
} shared_t;

static void *interrupter(void *arg) {
  shared_t *sh = arg;
  while (atomic_load(&sh->made) < 20000)
    sched_yield();
  sh->rc = wt_tracer_interrupt(sh->tr, "SIGINT");
  atomic_store(&sh->done, 1);
  return NULL;
}

static void interrupted(bool jsonl) {
  wt_ciovec_t iov = {(const uint8_t *)"0123456789abcdef", 16};
  wt_trace_t *trace;
  const wt_trace_call_t *c;
  shared_t sh;
  pthread_t th;
  uint64_t seq = 0, after = 0;
  uint32_t n;
  tt_t t;
  int rc;
  tt_open(&t, jsonl ? "int.jsonl" : "int.db", jsonl, WT_CAPTURE_REPLAY);
  memset(&sh, 0, sizeof sh);
  sh.tr = t.tr;
  assert_int_equal(pthread_create(&th, NULL, interrupter, &sh), 0);
  while (!atomic_load(&sh.done)) {
    assert_ok(t.api->fd_write(t.tr, 1, &iov, 1, &n));
    atomic_fetch_add(&sh.made, 1);
  }
  /* Far more than the 1 MiB ring holds: none of them may block. */
  for (int i = 0; i < 100000; i++, after++)
    assert_ok(t.api->fd_write(t.tr, 1, &iov, 1, &n));
  pthread_join(th, NULL);
  assert_int_equal(sh.rc, 0);
  tt_finish(&t, NULL);
  if (wt_trace_open(t.trace, &trace) < 0)
    fail_msg("open: %s", wt_trace_error());
  assert_string_equal(wt_trace_meta_get(trace, "end")->text, "incomplete");
  assert_string_equal(wt_trace_meta_get(trace, "interrupted")->text, "SIGINT");
  while ((rc = wt_trace_next(trace, &c)) == 1)
    assert_int_equal(c->seq, ++seq);
  assert_int_equal(rc, 0);
  assert_true(seq >= 20000);
  assert_int_equal(wt_trace_meta_get(trace, "calls")->i, (int64_t)seq);
  assert_true(seq < atomic_load(&sh.made) + after);
  wt_trace_close(trace);
  tt_close(&t);
}

static void test_sqlite(void **state) {
  (void)state;
  interrupted(false);
}

static void test_jsonl(void **state) {
  (void)state;
  interrupted(true);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sqlite),
      cmocka_unit_test(test_jsonl),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
