/*
 * A recording that fails closed: when a call cannot be stored (a full
 * disk, injected with the sinks' test hook; a row larger than SQLite
 * allows), the tracer refuses the guest's later calls without reaching
 * the core, halts the guest, says why at once, and leaves a trace that
 * opens and says it is incomplete and why. Also: --on-record-error's
 * continue, and a poll_oneoff too large for one row of JSON text.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "test_tracer_util.h"
#include "wt/bytes.h"

/* Test hooks of the sinks (tracer/internal.h). */
extern uint64_t wt__sink_fail_after;
extern int wt__sqlite_max_length;

/* What the tracer's hooks saw. */
typedef struct seen_s {
  int halts;
  int reports;
  char report[1024];
} seen_t;

static void on_halt(void *ud) {
  ((seen_t *)ud)->halts++;
}

static void on_report(void *ud, const char *message) {
  seen_t *s = ud;
  if (s->reports++ == 0)
    snprintf(s->report, sizeof s->report, "%s", message);
}

/* A core under a tracer writing `file`, with the failure hooks. */
static void fc_open(tt_t *t, const char *file, bool jsonl,
                    wt_on_record_error_t mode, seen_t *seen) {
  wt_tracer_options_t o;
  wt_sink_t *sink = tt_sink(t, file, jsonl);
  memset(seen, 0, sizeof *seen);
  wt_tracer_options_init(&o);
  o.capture = WT_CAPTURE_FULL;
  o.core = t->env.w;
  o.ring_size = 1 << 20;
  o.commit_calls = 64;
  o.on_record_error = mode;
  o.halt = on_halt;
  o.halt_ud = seen;
  o.report = on_report;
  o.report_ud = seen;
  if (wt_tracer_open(wt_core_api(), t->env.w, sink, &o, &t->tr) < 0)
    fail_msg("wt_tracer_open: %s", wt_trace_error());
  t->api = wt_tracer_api();
}

/* The size of file i on the host, or -1 when it does not exist. */
static long host_size(const tt_t *t, int i) {
  char p[512];
  struct stat st;
  snprintf(p, sizeof p, "%s/f%06d", t->env.root, i);
  return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

static bool host_exists(const tt_t *t, int i) {
  return host_size(t, i) >= 0;
}

/*
 * Creates file i and writes 4 KiB to it: the first errno, or success;
 * *step says which call gave it (0 path_open, 1 fd_write, 2 fd_close).
 */
static wt_errno_t make_file_at(tt_t *t, int i, int *step) {
  static uint8_t block[4096];
  char name[16];
  wt_ciovec_t iov = {block, sizeof block};
  wt_fd_t fd;
  uint32_t n;
  wt_errno_t e;
  snprintf(name, sizeof name, "f%06d", i);
  e = t->api->path_open(t->tr, WT_TEST_DIRFD, 0, name, strlen(name),
                        WT_O_CREAT | WT_O_TRUNC, WT_RIGHTS_REGULAR_FILE, 0, 0,
                        &fd);
  *step = 0;
  if (e == WT_ESUCCESS && (*step = 1) != 0)
    e = t->api->fd_write(t->tr, fd, &iov, 1, &n);
  if (e == WT_ESUCCESS && (*step = 2) != 0)
    e = t->api->fd_close(t->tr, fd);
  return e;
}

static wt_errno_t make_file(tt_t *t, int i) {
  int step;
  return make_file_at(t, i, &step);
}

static void assert_contains(const char *s, const char *part) {
  if (s == NULL || strstr(s, part) == NULL)
    fail_msg("'%s' does not contain '%s'", s ? s : "(null)", part);
}

static const char *meta_text(wt_trace_t *tr, const char *key) {
  const wt_trace_meta_t *m = wt_trace_meta_get(tr, key);
  return m != NULL && m->type == WT_META_TEXT ? m->text : NULL;
}

/*
 * The trace opens, says incomplete with a disk-full record_error, and
 * holds calls 1..n in order, n its "calls" entry. Returns n.
 */
static int64_t check_failed_trace(const tt_t *t, const char *why) {
  wt_trace_t *tr;
  const wt_trace_call_t *c;
  const wt_trace_meta_t *calls;
  int64_t n = 0;
  int rc;
  if (wt_trace_open(t->trace, &tr) < 0)
    fail_msg("wt_trace_open: %s", wt_trace_error());
  assert_string_equal(meta_text(tr, "end"), "incomplete");
  assert_contains(meta_text(tr, "record_error"), why);
  calls = wt_trace_meta_get(tr, "calls");
  assert_non_null(calls);
  while ((rc = wt_trace_next(tr, &c)) == 1)
    assert_int_equal(c->seq, ++n);
  if (rc < 0)
    fail_msg("wt_trace_next: %s", wt_trace_error());
  assert_int_equal(calls->i, n);
  wt_trace_close(tr);
  return n;
}

/*
 * STOP: files are made until a call is refused (the writer notices the
 * full disk a little after the guest's call that hit it); that call and
 * every later one return WT_EIO without reaching the core.
 */
static void stop_case(bool jsonl) {
  tt_t t;
  seen_t seen;
  int i, refused_at = -1, step = 0;
  int64_t kept;
  wt_errno_t e = WT_ESUCCESS;
  wt__sink_fail_after = 256 << 10;
  fc_open(&t, jsonl ? "stop.jsonl" : "stop.db", jsonl,
          WT_ON_RECORD_ERROR_STOP, &seen);
  wt__sink_fail_after = 0;
  for (i = 0; i < 1000000 && e == WT_ESUCCESS; i++)
    e = make_file_at(&t, i, &step);
  assert_int_equal(e, WT_EIO);
  refused_at = i - 1;
  assert_int_equal(seen.halts, 1);
  /* The guest goes on regardless (an embedder without a real halt). */
  assert_int_equal(make_file(&t, refused_at + 1), WT_EIO);
  assert_int_equal(seen.halts, 1);
  if (wt_tracer_finish(t.tr, NULL) == 0)
    fail_msg("wt_tracer_finish succeeded after a failed recording");
  t.tr = NULL;
  /* The writer reports after it refuses further calls, so the guest can
   * be halted before the report is made: read it once the writer is done. */
  assert_int_equal(seen.reports, 1);
  assert_contains(seen.report, "disk full (ENOSPC) writing");
  assert_contains(seen.report, "the guest is halted before its next call");
  assert_contains(wt_trace_error(), "recording failed at call");
  assert_contains(wt_trace_error(), "took effect but are not in it");
  assert_contains(wt_trace_error(), "the guest was halted before its next call");
  /* Nothing after the failure point reached the core. */
  for (int k = 0; k < refused_at; k++)
    if (!host_exists(&t, k))
      fail_msg("file %d, made before the refusal, is missing", k);
  /* The refused call did not happen: no file, or no bytes written. */
  if (step == 0)
    assert_false(host_exists(&t, refused_at));
  else if (step == 1)
    assert_int_equal(host_size(&t, refused_at), 0);
  else
    assert_int_equal(host_size(&t, refused_at), 4096);
  assert_false(host_exists(&t, refused_at + 1));
  kept = check_failed_trace(&t, "disk full (ENOSPC)");
  assert_true(kept < 3 * (int64_t)refused_at + 1);
  tt_close(&t);
}

static void test_stop_sqlite(void **state) {
  (void)state;
  stop_case(false);
}

static void test_stop_jsonl(void **state) {
  (void)state;
  stop_case(true);
}

/* CONTINUE: every call takes effect; finish counts what is unrecorded. */
static void continue_case(bool jsonl) {
  tt_t t;
  seen_t seen;
  enum { FILES = 500 };
  wt__sink_fail_after = 64 << 10;
  fc_open(&t, jsonl ? "cont.jsonl" : "cont.db", jsonl,
          WT_ON_RECORD_ERROR_CONTINUE, &seen);
  wt__sink_fail_after = 0;
  for (int i = 0; i < FILES; i++)
    assert_int_equal(make_file(&t, i), WT_ESUCCESS);
  if (wt_tracer_finish(t.tr, NULL) == 0)
    fail_msg("wt_tracer_finish succeeded after a failed recording");
  t.tr = NULL;
  assert_contains(wt_trace_error(), "took effect but are not in it");
  assert_contains(wt_trace_error(), "the guest went on unrecorded");
  assert_int_equal(seen.halts, 0);
  assert_int_equal(seen.reports, 1);
  assert_contains(seen.report, "the guest goes on unrecorded");
  for (int i = 0; i < FILES; i++)
    assert_true(host_exists(&t, i));
  assert_true(check_failed_trace(&t, "disk full (ENOSPC)") < 3 * FILES);
  tt_close(&t);
}

static void test_continue_sqlite(void **state) {
  (void)state;
  continue_case(false);
}

static void test_continue_jsonl(void **state) {
  (void)state;
  continue_case(true);
}

/* n relative clock subscriptions of 0 ns: all fire at once. */
static wt_subscription_t *clock_subs(uint32_t n) {
  wt_subscription_t *s = calloc(n, sizeof *s);
  assert_non_null(s);
  for (uint32_t i = 0; i < n; i++) {
    s[i].userdata = 0x1000000000ull + i;
    s[i].u.tag = WT_EVENTTYPE_CLOCK;
    s[i].u.u.clock.id = WT_CLOCK_MONOTONIC;
  }
  return s;
}

/*
 * A call larger than a SQLite row may be is refused before anything is
 * buffered: the calls before it are kept, and the guest is halted.
 */
static void test_row_too_large(void **state) {
  tt_t t;
  seen_t seen;
  enum { N = 50000 }; /* 2.4 MB of subscriptions, over a 1 MiB limit */
  wt_subscription_t *in = clock_subs(N);
  wt_event_t *out = calloc(N, sizeof *out);
  uint32_t nev = 0;
  uint64_t now;
  (void)state;
  wt__sqlite_max_length = 1 << 20;
  fc_open(&t, "big.db", false, WT_ON_RECORD_ERROR_STOP, &seen);
  wt__sqlite_max_length = 0;
  assert_ok(t.api->clock_time_get(t.tr, WT_CLOCK_MONOTONIC, 1, &now));
  assert_ok(t.api->poll_oneoff(t.tr, in, out, N, &nev));
  assert_int_equal(nev, N);
  /* Refused once the writer has seen the poll: no file is made. */
  for (int i = 0; i < 1000000; i++)
    if (make_file(&t, 0) == WT_EIO)
      break;
  assert_int_equal(seen.halts, 1);
  if (wt_tracer_finish(t.tr, NULL) == 0)
    fail_msg("wt_tracer_finish succeeded after a failed recording");
  t.tr = NULL;
  /* Read once the writer is done (see stop_case). */
  assert_contains(seen.report, "row too large: call 2 (poll_oneoff)");
  assert_contains(seen.report, "the trace keeps calls 1..1;");
  assert_contains(wt_trace_error(), "recording failed at call 2 (poll_oneoff)");
  assert_int_equal(check_failed_trace(&t, "row too large"), 1);
  free(in);
  free(out);
  tt_close(&t);
}

/*
 * A poll_oneoff of 300,000 subscriptions is recorded and read back whole
 * (args_bin, results_bin), its JSON text bounded: under a SQLite limit of
 * 32 MiB that the binary columns fit but the full JSON text would not.
 */
static void huge_poll_case(bool jsonl) {
  tt_t t;
  seen_t seen;
  enum { N = 300000 };
  wt_subscription_t *in = clock_subs(N);
  wt_event_t *out = calloc(N, sizeof *out);
  uint32_t nev = 0;
  wt_trace_t *tr;
  const wt_trace_call_t *c;
  wt_trace_summary_t sum;
  assert_non_null(out);
  wt__sqlite_max_length = 32 << 20;
  fc_open(&t, jsonl ? "poll.jsonl" : "poll.db", jsonl,
          WT_ON_RECORD_ERROR_STOP, &seen);
  wt__sqlite_max_length = 0;
  assert_ok(t.api->poll_oneoff(t.tr, in, out, N, &nev));
  assert_int_equal(nev, N);
  tt_finish(&t, NULL);
  assert_int_equal(seen.reports, 0);
  if (wt_trace_open(t.trace, &tr) < 0)
    fail_msg("wt_trace_open: %s", wt_trace_error());
  assert_int_equal(wt_trace_next(tr, &c), 1);
  assert_int_equal(c->call, WT_CALL_poll_oneoff);
  /* args: the subscriptions' size in bytes, then their bytes, then
   * nsubscriptions (wt/argenc.h). */
  assert_true(c->args_len >= 4 + (size_t)N * sizeof *in);
  assert_int_equal(wt__ld32(c->args), (size_t)N * sizeof *in);
  assert_memory_equal(c->args + 4, in, (size_t)N * sizeof *in);
  assert_true(c->results_len >= (size_t)N * sizeof *out);
  memset(&sum, 0, sizeof sum);
  assert_int_equal(wt_trace_summarize(c, &sum), 0);
  assert_true(strlen(sum.args_json) < 2 * (1u << 20) + 4096);
  assert_contains(sum.args_json, " more\"]");
  wt_trace_summary_free(&sum);
  assert_int_equal(wt_trace_next(tr, &c), 0);
  wt_trace_close(tr);
  free(in);
  free(out);
  tt_close(&t);
}

static void test_huge_poll_sqlite(void **state) {
  (void)state;
  huge_poll_case(false);
}

static void test_huge_poll_jsonl(void **state) {
  (void)state;
  huge_poll_case(true);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stop_sqlite),
      cmocka_unit_test(test_stop_jsonl),
      cmocka_unit_test(test_continue_sqlite),
      cmocka_unit_test(test_continue_jsonl),
      cmocka_unit_test(test_row_too_large),
      cmocka_unit_test(test_huge_poll_sqlite),
      cmocka_unit_test(test_huge_poll_jsonl),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
