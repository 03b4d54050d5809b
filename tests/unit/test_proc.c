/*
 * proc_exit, proc_raise, sched_yield, and instance set-up errors.
 */
#include <setjmp.h>
#include <string.h>

#include "testutil.h"

static jmp_buf exit_jump;
static uint32_t exit_seen;
static uint8_t raise_seen;

static void on_exit_hook(void *ud, uint32_t code) {
  (void)ud;
  exit_seen = code;
  longjmp(exit_jump, 1);
}

static void on_raise_hook(void *ud, uint8_t sig) {
  (void)ud;
  raise_seen = sig;
}

static wt_t *make(bool hooks) {
  wt_options_t o;
  wt_t *w;
  wt_options_init(&o);
  o.in = o.out = o.err = -1;
  if (hooks) {
    o.proc_exit = on_exit_hook;
    o.proc_raise = on_raise_hook;
  }
  assert_ok(wt_init(&o, &w));
  return w;
}

static void test_exit_unwinds_through_hook(void **state) {
  wt_t *volatile w = make(true);
  (void)state;
  exit_seen = 0;
  if (setjmp(exit_jump) == 0) {
    wt_proc_exit(w, 42);
    fail_msg("proc_exit returned despite the hook");
  }
  assert_int_equal(exit_seen, 42);
  assert_int_equal(wt_exit_code(w), 42);
  wt_destroy(w);
}

static void test_exit_without_hook(void **state) {
  wt_t *w = make(false);
  (void)state;
  assert_int_equal(wt_exit_code(w), -1);
  assert_ok(wt_proc_exit(w, 7));
  assert_int_equal(wt_exit_code(w), 7);
  wt_destroy(w);
}

static void test_raise(void **state) {
  wt_t *w = make(true);
  (void)state;
  raise_seen = 0;
  /* Default action ignore: nothing happens. */
  assert_ok(wt_proc_raise(w, WT_SIGCHLD));
  assert_ok(wt_proc_raise(w, WT_SIGNONE));
  assert_int_equal(raise_seen, 0);
  assert_int_equal(wt_raised_signal(w), 0);
  /* Default action terminate: reported to the hook. */
  assert_ok(wt_proc_raise(w, WT_SIGTERM));
  assert_int_equal(raise_seen, WT_SIGTERM);
  assert_int_equal(wt_raised_signal(w), WT_SIGTERM);
  assert_errno(wt_proc_raise(w, 31), WT_EINVAL);
  assert_errno(wt_proc_raise(w, 255), WT_EINVAL);
  wt_destroy(w);
}

static void test_sched_yield(void **state) {
  wt_t *w = make(false);
  (void)state;
  assert_ok(wt_sched_yield(w));
  wt_destroy(w);
}

static void test_init_missing_preopen(void **state) {
  wt_options_t o;
  wt_preopen_t p = {"/x", "/nonexistent/wasitrace/dir"};
  wt_t *w = (wt_t *)1;
  (void)state;
  wt_options_init(&o);
  o.preopenc = 1;
  o.preopens = &p;
  assert_errno(wt_init(&o, &w), WT_ENOENT);
  assert_null(w);
  assert_non_null(strstr(wt_init_error(), "/nonexistent/wasitrace/dir"));
}

static void test_init_small_table(void **state) {
  wt_options_t o;
  wt_preopen_t p = {"/tmp", "/tmp"};
  wt_t *w;
  (void)state;
  wt_options_init(&o);
  o.fd_table_size = 3;
  o.preopenc = 1;
  o.preopens = &p;
  assert_errno(wt_init(&o, &w), WT_EMFILE);
  o.fd_table_size = 4;
  assert_ok(wt_init(&o, &w));
  wt_destroy(w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_exit_unwinds_through_hook),
      cmocka_unit_test(test_exit_without_hook),
      cmocka_unit_test(test_raise),
      cmocka_unit_test(test_sched_yield),
      cmocka_unit_test(test_init_missing_preopen),
      cmocka_unit_test(test_init_small_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
