/*
 * wt_tracer_options_t.own_fd_table: the writer thread works on a copy of
 * the fd table with the guest's host fds closed in it. What the guest
 * closes is then closed at once (a pipe's reader sees the end of file
 * while the recording goes on), the trace is whole, and the option is
 * refused without the core whose fds it must close.
 */
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "test_tracer_util.h"

/* The guest's stdout is the write end of a pipe, and only the core holds
 * it (the core duplicates its stdio; the test's own end is closed). */
static void open_piped(wt_t **w, int *rd, const char *trace, bool jsonl,
                       wt_tracer_t **tr) {
  wt_options_t o;
  wt_tracer_options_t to;
  wt_sink_t *sink;
  int p[2];
  assert_int_equal(pipe(p), 0);
  wt_options_init(&o);
  o.out = p[1];
  assert_int_equal(wt_init(&o, w), WT_ESUCCESS);
  close(p[1]);
  *rd = p[0];
  if ((jsonl ? wt_sink_jsonl_open(trace, &sink)
             : wt_sink_sqlite_open(trace, &sink)) < 0)
    fail_msg("sink: %s", wt_trace_error());
  wt_tracer_options_init(&to);
  to.core = *w;
  to.ring_size = 1 << 20;
  to.own_fd_table = true;
  if (wt_tracer_open(wt_core_api(), *w, sink, &to, tr) < 0)
    fail_msg("wt_tracer_open: %s", wt_trace_error());
}

/* Reads what is in the pipe, then expects its end of file; a reader that
 * would wait is a failure (the bound only ever delays a failing run). */
static void expect_eof(int rd, const char *want) {
  char buf[64];
  size_t got = 0;
  for (;;) {
    struct pollfd pf = {rd, POLLIN, 0};
    ssize_t n;
    if (poll(&pf, 1, 10000) != 1)
      fail_msg("the pipe's reader saw no end of file after the guest "
               "closed its stdout (read so far: %zu bytes)", got);
    n = read(rd, buf + got, sizeof buf - 1 - got);
    assert_true(n >= 0);
    if (n == 0)
      break;
    got += (size_t)n;
  }
  buf[got] = '\0';
  assert_string_equal(buf, want);
}

static void closes_at_once(bool jsonl) {
  wt_ciovec_t v = {(const uint8_t *)"hello\n", 6};
  wt_test_env_t env;
  char trace[400];
  wt_tracer_t *tr;
  wt_t *w;
  uint32_t n;
  int rd;
  wt_test_open(&env); /* for its directory beside the sandbox */
  snprintf(trace, sizeof trace, "%s/fdtable.%s", env.outside,
           jsonl ? "jsonl" : "db");
  open_piped(&w, &rd, trace, jsonl, &tr);
  assert_ok(wt_tracer_api()->fd_write(tr, 1, &v, 1, &n));
  assert_ok(wt_tracer_api()->fd_close(tr, 1));
  /* The recording is still open: the writer's table must not hold it. */
  expect_eof(rd, "hello\n");
  if (wt_tracer_finish(tr, NULL) < 0)
    fail_msg("finish: %s", wt_trace_error());
  wt_destroy(w);
  close(rd);
  assert_int_equal(tt_read_all(trace), 2);
  wt_test_close(&env);
}

static void test_closes_at_once_sqlite(void **state) {
  (void)state;
  closes_at_once(false);
}

static void test_closes_at_once_jsonl(void **state) {
  (void)state;
  closes_at_once(true);
}

static void test_needs_core(void **state) {
  wt_test_env_t env;
  wt_tracer_options_t to;
  wt_sink_t *sink;
  wt_tracer_t *tr = NULL;
  char trace[400];
  (void)state;
  wt_test_open(&env);
  snprintf(trace, sizeof trace, "%s/nocore.db", env.outside);
  if (wt_sink_sqlite_open(trace, &sink) < 0)
    fail_msg("sink: %s", wt_trace_error());
  wt_tracer_options_init(&to);
  to.own_fd_table = true;
  assert_int_equal(wt_tracer_open(wt_core_api(), env.w, sink, &to, &tr), -1);
  tt_assert_has(wt_trace_error(), "own_fd_table needs the core");
  assert_null(tr);
  wt_sink_close(sink);
  wt_test_close(&env);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_closes_at_once_sqlite),
      cmocka_unit_test(test_closes_at_once_jsonl),
      cmocka_unit_test(test_needs_core),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
