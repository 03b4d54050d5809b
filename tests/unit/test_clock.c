/*
 * clock_res_get, clock_time_get, random_get.
 */
#include <string.h>
#include <time.h>

#include "testutil.h"

static void test_res(void **state) {
  uint64_t res = 0;
  for (wt_clockid_t id = 0; id < 4; id++) {
    res = 0;
    assert_ok(wt_clock_res_get(*state, id, &res));
    assert_true(res > 0 && res <= 1000000000ull);
  }
  assert_errno(wt_clock_res_get(*state, 4, &res), WT_EINVAL);
}

static void test_monotonic(void **state) {
  uint64_t a, b;
  assert_ok(wt_clock_time_get(*state, WT_CLOCK_MONOTONIC, 1, &a));
  assert_ok(wt_clock_time_get(*state, WT_CLOCK_MONOTONIC, 1, &b));
  assert_true(b >= a);
}

static void test_realtime_matches_host(void **state) {
  struct timespec ts;
  uint64_t t, host;
  assert_ok(wt_clock_time_get(*state, WT_CLOCK_REALTIME, 0, &t));
  clock_gettime(CLOCK_REALTIME, &ts);
  host = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
  assert_true(host >= t);
  assert_true(host - t < 5000000000ull);
}

static void test_cputime(void **state) {
  uint64_t t;
  assert_ok(wt_clock_time_get(*state, WT_CLOCK_PROCESS_CPUTIME_ID, 0, &t));
  assert_ok(wt_clock_time_get(*state, WT_CLOCK_THREAD_CPUTIME_ID, 0, &t));
  assert_errno(wt_clock_time_get(*state, 77, 0, &t), WT_EINVAL);
}

static void test_random(void **state) {
  uint8_t a[64], b[64], zero[64] = {0};
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  assert_ok(wt_random_get(*state, a, sizeof a));
  assert_ok(wt_random_get(*state, b, sizeof b));
  assert_memory_not_equal(a, b, sizeof a);
  assert_memory_not_equal(a, zero, sizeof a);
  assert_ok(wt_random_get(*state, NULL, 0));
}

static void test_random_large(void **state) {
  static uint8_t big[1 << 20];
  size_t zeros = 0;
  assert_ok(wt_random_get(*state, big, sizeof big));
  for (size_t i = 0; i < sizeof big; i++)
    zeros += big[i] == 0;
  /* About 4096 expected; a short fill would leave far more. */
  assert_true(zeros < 8192);
}

static int setup(void **state) {
  wt_options_t o;
  wt_t *w;
  wt_options_init(&o);
  o.in = o.out = o.err = -1;
  assert_ok(wt_init(&o, &w));
  *state = w;
  return 0;
}

static int teardown(void **state) {
  wt_destroy(*state);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_res),
      cmocka_unit_test(test_monotonic),
      cmocka_unit_test(test_realtime_matches_host),
      cmocka_unit_test(test_cputime),
      cmocka_unit_test(test_random),
      cmocka_unit_test(test_random_large),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
