/*
 * Divergences: a replayed guest that asks for something else than the
 * recording. STOP mode ends at the first one with a report (position,
 * both calls, the argument diff with a byte excerpt, the calls before);
 * REPORT mode resynchronizes and counts. Also the ends of runs (calls left
 * over, a different end, an incomplete trace) and signal handlers run at
 * the recorded calls.
 */
#include <setjmp.h>
#include <time.h>

#include "test_replay_util.h"

static wt_errno_t write_str(const wt_api_t *api, void *ctx, wt_fd_t fd,
                            const char *s) {
  wt_ciovec_t cv = {(const uint8_t *)s, (uint32_t)strlen(s)};
  uint32_t n = 0;
  return api->fd_write(ctx, fd, &cv, 1, &n);
}

/* Records: hello alice; a clock read; bye. */
static void record_greeting(rec_t *t, bool jsonl) {
  uint64_t now = 0;
  rec_open(t, jsonl ? "t.jsonl" : "t.db", jsonl);
  assert_ok(write_str(wt_tracer_api(), t->tr, 1, "hello alice\n"));
  assert_ok(
      wt_tracer_api()->clock_time_get(t->tr, WT_CLOCK_MONOTONIC, 1, &now));
  assert_ok(write_str(wt_tracer_api(), t->tr, 1, "bye\n"));
  rec_finish(t, 0);
}

/* ---- STOP ---------------------------------------------------------------- */

static void test_other_argument_stops(void **state) {
  rec_t t;
  rp_t p;
  (void)state;
  record_greeting(&t, false);
  rp_open(&p, t.trace, NULL);
  assert_errno(write_str(wt_replay_api(), p.r, 1, "hello bob\n"), WT_ECANCELED);
  assert_int_equal(p.stops, 1);
  assert_int_equal(wt_replay_status(p.r), WT_REPLAY_DIVERGED);
  assert_int_equal(wt_replay_divergences(p.r), 1);
  /* Every later call fails without looking at the trace. */
  assert_errno(write_str(wt_replay_api(), p.r, 1, "bye\n"), WT_ECANCELED);
  assert_int_equal(p.stops, 1);
  assert_report_has(&p, "divergence at the guest's call 1 (recording seq 1): "
                        "the guest called fd_write with other inputs");
  assert_report_has(&p, "recorded: seq 1  fd_write(");
  assert_report_has(&p, "hello alice");
  assert_report_has(&p, "actual:   fd_write(");
  assert_report_has(&p, "iovs: 12 bytes recorded, 10 actual");
  assert_report_has(&p, "first difference at byte 6");
  assert_report_has(&p, "recorded @2: 6c 6c 6f 20 61 6c 69 63 65 0a");
  assert_report_has(&p, "\"llo alice.\"");
  assert_report_has(&p, "actual   @2: 6c 6c 6f 20 62 6f 62 0a");
  assert_report_has(&p, "(no calls before it)");
  rp_finish(&p, 1, WT_REPLAY_DIVERGED);
  rp_close(&p);
  rec_close(&t);
}

/* The recording read no clock there: the guest does. */
static void test_clock_where_none_stops(void **state) {
  rec_t t;
  rp_t p;
  uint64_t now = 0;
  (void)state;
  record_greeting(&t, true);
  rp_open(&p, t.trace, NULL);
  assert_ok(write_str(wt_replay_api(), p.r, 1, "hello alice\n"));
  assert_ok(wt_replay_api()->clock_time_get(p.r, WT_CLOCK_MONOTONIC, 1, &now));
  assert_errno(wt_replay_api()->clock_time_get(p.r, WT_CLOCK_REALTIME, 1, &now),
               WT_ECANCELED);
  assert_report_has(&p, "divergence at the guest's call 3 (recording seq 3): "
                        "the guest called clock_time_get where the recording "
                        "has fd_write");
  assert_report_has(&p, "the call: recorded fd_write, actual clock_time_get");
  assert_report_has(&p, "calls before it:\n    seq 1  fd_write(");
  assert_report_has(&p, "    seq 2  clock_time_get({\"id\":\"MONOTONIC\"");
  rp_finish(&p, 0, WT_REPLAY_DIVERGED);
  rp_close(&p);
  rec_close(&t);
}

/* A scalar argument: both values by name. */
static void test_scalar_diff(void **state) {
  rec_t t;
  rp_t p;
  uint64_t now = 0;
  (void)state;
  rec_open(&t, "t.db", false);
  assert_ok(wt_tracer_api()->clock_time_get(t.tr, WT_CLOCK_MONOTONIC, 1, &now));
  rec_finish(&t, 0);
  rp_open(&p, t.trace, NULL);
  assert_errno(wt_replay_api()->clock_time_get(p.r, WT_CLOCK_REALTIME, 1, &now),
               WT_ECANCELED);
  assert_report_has(&p, "id: recorded \"MONOTONIC\", actual \"REALTIME\"");
  rp_finish(&p, 0, WT_REPLAY_DIVERGED);
  rp_close(&p);
  rec_close(&t);
}

/*
 * Calls the guest ABI refused: the same refusal replays (the guest gets the
 * recorded errno, nothing is written); another pointer, or a call that is
 * refused where the recording ran it, is a divergence with a report.
 */
static void record_refusal(rec_t *t, bool jsonl) {
  const uint64_t raw[] = {1, 0xfffffff0u, 2, 64};
  const wt_refusal_t g = {WT_CALL_fd_write, WT_EFAULT, "iovs", 4, raw};
  rec_open(t, jsonl ? "r.jsonl" : "r.db", jsonl);
  assert_errno(wt_tracer_api()->refused(t->tr, &g), WT_EFAULT);
  assert_ok(write_str(wt_tracer_api(), t->tr, 1, "after\n"));
  rec_finish(t, 0);
}

static void test_refusal_replays(void **state) {
  uint64_t raw[] = {1, 0xfffffff0u, 2, 64};
  wt_refusal_t g = {WT_CALL_fd_write, WT_EFAULT, "iovs", 4, raw};
  (void)state;
  for (int jsonl = 0; jsonl < 2; jsonl++) {
    rec_t t;
    rp_t p;
    record_refusal(&t, jsonl);
    rp_open(&p, t.trace, NULL);
    assert_errno(wt_replay_api()->refused(p.r, &g), WT_EFAULT);
    assert_ok(write_str(wt_replay_api(), p.r, 1, "after\n"));
    rp_finish(&p, 0, WT_REPLAY_OK);
    rp_close(&p);
    /* Another bad pointer. */
    rp_open(&p, t.trace, NULL);
    raw[1] = 0xfffffff8u;
    assert_errno(wt_replay_api()->refused(p.r, &g), WT_ECANCELED);
    assert_report_has(&p, "the guest called fd_write with other inputs");
    assert_report_has(&p, "iovs: recorded 4294967280, actual 4294967288");
    rp_finish(&p, 0, WT_REPLAY_DIVERGED);
    rp_close(&p);
    raw[1] = 0xfffffff0u;
    /* The guest's call went through where the recording's was refused. */
    rp_open(&p, t.trace, NULL);
    assert_errno(write_str(wt_replay_api(), p.r, 1, "after\n"), WT_ECANCELED);
    assert_report_has(&p, "the guest ABI accepted the guest's fd_write, which "
                          "the recording has refused");
    assert_report_has(&p, "refused by the guest ABI: recorded yes, actual no");
    rp_finish(&p, 0, WT_REPLAY_DIVERGED);
    rp_close(&p);
    rec_close(&t);
  }
}

/* A large write to a file keeps a digest and 64 bytes: a change past them
 * is still found. */
static void test_digest_write(void **state) {
  rec_t t;
  rp_t p;
  char big[200];
  wt_fd_t fd = 0;
  (void)state;
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = 0;
  rec_open(&t, "t.db", false);
  assert_ok(wt_tracer_api()->path_open(t.tr, WT_TEST_DIRFD, 0, "f", 1,
                                       WT_O_CREAT, WT_RIGHTS_REGULAR_FILE, 0, 0,
                                       &fd));
  assert_ok(write_str(wt_tracer_api(), t.tr, fd, big));
  assert_ok(write_str(wt_tracer_api(), t.tr, fd, big));
  rec_finish(&t, 0);
  rp_open(&p, t.trace, NULL);
  assert_ok(wt_replay_api()->path_open(p.r, WT_TEST_DIRFD, 0, "f", 1,
                                       WT_O_CREAT, WT_RIGHTS_REGULAR_FILE, 0, 0,
                                       &fd));
  assert_ok(write_str(wt_replay_api(), p.r, fd, big)); /* same: matches */
  big[150] = 'y';
  assert_errno(write_str(wt_replay_api(), p.r, fd, big), WT_ECANCELED);
  assert_report_has(&p, "iovs: 199 bytes recorded, 199 actual");
  assert_report_has(&p, "the first 64 bytes (all the trace keeps) are the "
                        "same; the rest differs");
  rp_finish(&p, 0, WT_REPLAY_DIVERGED);
  rp_close(&p);
  rec_close(&t);
}

/* ---- REPORT -------------------------------------------------------------- */

static void report_options(wt_replay_options_t *o) {
  wt_replay_options_init(o);
  o->on_divergence = WT_REPLAY_REPORT;
  o->out_fd = o->err_fd = -1;
}

static void test_report_modified_call(void **state) {
  rec_t t;
  rp_t p;
  wt_replay_options_t o;
  wt_ciovec_t cv = {(const uint8_t *)"hello bob\n", 10};
  uint32_t n = 0;
  uint64_t now = 0;
  (void)state;
  record_greeting(&t, false);
  report_options(&o);
  rp_open(&p, t.trace, &o);
  /* Other bytes: the recorded result, counted as all of the guest's. */
  assert_ok(wt_replay_api()->fd_write(p.r, 1, &cv, 1, &n));
  assert_int_equal(n, 10);
  assert_ok(wt_replay_api()->clock_time_get(p.r, WT_CLOCK_MONOTONIC, 1, &now));
  assert_ok(write_str(wt_replay_api(), p.r, 1, "bye\n"));
  assert_int_equal(p.stops, 0);
  rp_finish(&p, 0, WT_REPLAY_DIVERGED);
  assert_int_equal(wt_replay_divergences(p.r), 1);
  assert_report_has(&p, "continuing: the guest gets the recorded outputs");
  /* The modified write is not counted as matched. */
  assert_report_has(&p, "1 divergence (1 reported); 2 of the guest's 3 "
                        "calls matched the recording");
  rp_close(&p);
  rec_close(&t);
}

/* An extra call fails with NOTSUP and the recording waits for the guest. */
static void test_report_extra_call(void **state) {
  rec_t t;
  rp_t p;
  wt_replay_options_t o;
  uint64_t now = 0;
  (void)state;
  record_greeting(&t, true);
  report_options(&o);
  rp_open(&p, t.trace, &o);
  assert_errno(wt_replay_api()->random_get(p.r, (uint8_t *)&now, 8),
               WT_ENOTSUP);
  assert_ok(write_str(wt_replay_api(), p.r, 1, "hello alice\n"));
  assert_ok(wt_replay_api()->clock_time_get(p.r, WT_CLOCK_MONOTONIC, 1, &now));
  assert_ok(write_str(wt_replay_api(), p.r, 1, "bye\n"));
  rp_finish(&p, 0, WT_REPLAY_DIVERGED);
  assert_int_equal(wt_replay_divergences(p.r), 1);
  assert_report_has(&p, "the guest called random_get where the recording has "
                        "fd_write");
  assert_report_has(&p, "continuing: the call fails with NOTSUP; the "
                        "recording stays at seq 1");
  assert_report_has(&p, "3 of the guest's 4 calls matched the recording");
  rp_close(&p);
  rec_close(&t);
}

/* Calls the guest skips: found a little later, the rest skipped. */
static void test_report_skipped_calls(void **state) {
  rec_t t;
  rp_t p;
  wt_replay_options_t o;
  (void)state;
  record_greeting(&t, false);
  report_options(&o);
  rp_open(&p, t.trace, &o);
  assert_ok(write_str(wt_replay_api(), p.r, 1, "bye\n"));
  rp_finish(&p, 0, WT_REPLAY_DIVERGED);
  assert_report_has(&p, "continuing: skipped 2 recorded calls the guest did "
                        "not make (seq 1 to 2)");
  assert_int_equal(wt_replay_calls(p.r), 3);
  /* Three records consumed, one call matched. */
  assert_report_has(&p, "1 of the guest's 1 calls matched the recording");
  rp_close(&p);
  rec_close(&t);
}

/* ---- the end of the run -------------------------------------------------- */

static void test_guest_ends_early(void **state) {
  rec_t t;
  rp_t p;
  (void)state;
  record_greeting(&t, false);
  rp_open(&p, t.trace, NULL);
  assert_ok(write_str(wt_replay_api(), p.r, 1, "hello alice\n"));
  rp_finish(&p, 0, WT_REPLAY_DIVERGED);
  assert_report_has(&p, "the guest ended (exit 0) but the recording goes on");
  assert_report_has(&p, "    seq 2  clock_time_get(");
  assert_report_has(&p, "2 recorded calls were not made");
  rp_close(&p);
  rec_close(&t);
}

static void test_other_end(void **state) {
  rec_t t;
  rp_t p;
  (void)state;
  rec_open(&t, "t.db", false);
  assert_ok(wt_tracer_api()->sched_yield(t.tr));
  rec_finish(&t, 3);
  rp_open(&p, t.trace, NULL);
  assert_ok(wt_replay_api()->sched_yield(p.r));
  rp_finish(&p, 4, WT_REPLAY_DIVERGED);
  assert_report_has(&p, "the run ended differently: recorded exit 3, replay "
                        "exit 4");
  rp_close(&p);
  rec_close(&t);
}

static void test_call_after_the_end(void **state) {
  rec_t t;
  rp_t p;
  (void)state;
  rec_open(&t, "t.db", false);
  assert_ok(wt_tracer_api()->sched_yield(t.tr));
  rec_finish(&t, 0);
  rp_open(&p, t.trace, NULL);
  assert_ok(wt_replay_api()->sched_yield(p.r));
  assert_errno(wt_replay_api()->sched_yield(p.r), WT_ECANCELED);
  assert_report_has(&p, "the guest called sched_yield after the last "
                        "recorded call");
  rp_finish(&p, 0, WT_REPLAY_DIVERGED);
  rp_close(&p);
  rec_close(&t);
}

/* The recorder was closed before the guest ended. */
static void incomplete(bool jsonl) {
  rec_t t;
  rp_t p;
  (void)jsonl;
  rec_open(&t, jsonl ? "t.jsonl" : "t.db", jsonl);
  assert_ok(write_str(wt_tracer_api(), t.tr, 1, "hello\n"));
  rec_finish(&t, -1);
  rp_open(&p, t.trace, NULL);
  assert_ok(write_str(wt_replay_api(), p.r, 1, "hello\n"));
  assert_errno(write_str(wt_replay_api(), p.r, 1, "more\n"), WT_ECANCELED);
  assert_int_equal(p.stops, 1);
  assert_int_equal(wt_replay_status(p.r), WT_REPLAY_INCOMPLETE);
  assert_report_has(&p, "the trace ends after 1 calls: its recorder stopped "
                        "before the guest ended");
  assert_report_has(&p, "more");
  rp_finish(&p, 0, WT_REPLAY_INCOMPLETE);
  rp_close(&p);
  rec_close(&t);
}

static void test_incomplete_sqlite(void **state) {
  (void)state;
  incomplete(false);
}
static void test_incomplete_jsonl(void **state) {
  (void)state;
  incomplete(true);
}

/* An incomplete trace whose guest ended where it ends: said, not hidden. */
static void test_incomplete_at_end(void **state) {
  rec_t t;
  rp_t p;
  (void)state;
  rec_open(&t, "t.db", false);
  assert_ok(wt_tracer_api()->sched_yield(t.tr));
  rec_finish(&t, -1);
  rp_open(&p, t.trace, NULL);
  assert_ok(wt_replay_api()->sched_yield(p.r));
  rp_finish(&p, 0, WT_REPLAY_INCOMPLETE);
  assert_report_has(&p, "the recording does not say how the original run "
                        "ended");
  rp_close(&p);
  rec_close(&t);
}

/* ---- signals ------------------------------------------------------------- */

/*
 * The "guest": a signal handler that writes a line through whichever table
 * the test installs (the tracer while recording, the replay after), and
 * optionally exits, unwinding as the runtime does after proc_exit.
 */
typedef struct sig_guest_s {
  const wt_api_t *api;
  void *ctx;
  int runs;
  int calls;       /* fd_writes the handler makes */
  wt_errno_t last; /* the errno of the last of them */
  bool exits;
  jmp_buf unwind;
} sig_guest_t;

static sig_guest_t guest;

static void on_signal(void *ud, uint8_t sig) {
  (void)ud;
  guest.runs++;
  for (int i = 0; i < guest.calls; i++)
    guest.last = write_str(guest.api, guest.ctx, 1,
                           sig == WT_SIGUSR1 ? "usr1\n" : "other\n");
  if (guest.exits) {
    guest.api->proc_exit(guest.ctx, 9);
    longjmp(guest.unwind, 1);
  }
}

static void signal_recording(rec_t *t, int calls) {
  wt_options_t o;
  int devnull = open("/dev/null", O_RDWR);
  assert_true(devnull >= 0);
  wt_options_init(&o);
  o.in = o.out = o.err = devnull;
  o.signal_handler = on_signal;
  memset(&guest, 0, sizeof guest);
  guest.calls = calls;
  rec_open_opts(t, "t.jsonl", true, WT_CAPTURE_REPLAY, &o);
  close(devnull);
  guest.api = wt_tracer_api();
  guest.ctx = t->tr;
}

static void replay_signals(rp_t *p, const char *trace) {
  wt_replay_options_t o;
  wt_replay_options_init(&o);
  o.out_fd = o.err_fd = -1;
  o.signal_handler = on_signal;
  rp_open(p, trace, &o);
  guest.api = wt_replay_api();
  guest.ctx = p->r;
  guest.runs = 0;
}

/* Whether record `seq` of a trace delivered a signal to the handler. */
static bool delivered_in(const char *path, uint64_t seq) {
  wt_trace_t *t;
  const wt_trace_call_t *c;
  bool found = false;
  assert_int_equal(wt_trace_open(path, &t), 0);
  while (wt_trace_next(t, &c) == 1)
    for (uint32_t i = 0; c->seq == seq && i < c->ntransitions; i++)
      found |= c->transitions[i].kind == WT_TR_SIGNAL_DELIVERED;
  wt_trace_close(t);
  return found;
}

/* Records: callback_signal, "before", proc_raise(USR1), "after". */
static void record_raise(rec_t *t, int calls) {
  signal_recording(t, calls);
  wt_tracer_api()->callback_signal(t->tr, "handler", 7);
  assert_ok(write_str(wt_tracer_api(), t->tr, 1, "before\n"));
  assert_ok(wt_tracer_api()->proc_raise(t->tr, WT_SIGUSR1));
  assert_ok(write_str(wt_tracer_api(), t->tr, 1, "after\n"));
  assert_int_equal(guest.runs, 1);
  assert_ok(guest.last);
  rec_finish(t, 0);
}

static void signal_in_proc_raise(int calls) {
  rec_t t;
  rp_t p;
  record_raise(&t, calls);
  /* The call the handler ran in comes first, its calls after it. */
  assert_true(delivered_in(t.trace, 3));
  replay_signals(&p, t.trace);
  wt_replay_api()->callback_signal(p.r, "handler", 7);
  assert_ok(write_str(wt_replay_api(), p.r, 1, "before\n"));
  assert_ok(wt_replay_api()->proc_raise(p.r, WT_SIGUSR1));
  assert_int_equal(guest.runs, 1);
  assert_ok(guest.last);
  assert_ok(write_str(wt_replay_api(), p.r, 1, "after\n"));
  rp_finish(&p, 0, WT_REPLAY_OK);
  assert_int_equal(wt_replay_calls(p.r), 4 + (uint64_t)calls);
  rp_close(&p);
  rec_close(&t);
}

static void test_signal_handler_no_calls(void **state) {
  (void)state;
  signal_in_proc_raise(0);
}

static void test_signal_handler_with_calls(void **state) {
  (void)state;
  signal_in_proc_raise(2);
}

/* A timer's signal, delivered at the boundary of the next call. */
static void test_signal_timer_at_boundary(void **state) {
  rec_t t;
  rp_t p;
  struct timespec ms = {0, 5000000};
  uint64_t now = 0;
  (void)state;
  signal_recording(&t, 1);
  wt_tracer_api()->callback_signal(t.tr, "handler", 7);
  assert_ok(wt_tracer_api()->proc_raise_interval(t.tr, WT_SIGALRM, 1000000, 0));
  nanosleep(&ms, NULL);
  assert_ok(wt_tracer_api()->clock_time_get(t.tr, WT_CLOCK_MONOTONIC, 1, &now));
  assert_int_equal(guest.runs, 1);
  rec_finish(&t, 0);
  assert_true(delivered_in(t.trace, 3));
  replay_signals(&p, t.trace);
  wt_replay_api()->callback_signal(p.r, "handler", 7);
  assert_ok(wt_replay_api()->proc_raise_interval(p.r, WT_SIGALRM, 1000000, 0));
  assert_ok(wt_replay_api()->clock_time_get(p.r, WT_CLOCK_MONOTONIC, 1, &now));
  assert_int_equal(guest.runs, 1);
  rp_finish(&p, 0, WT_REPLAY_OK);
  rp_close(&p);
  rec_close(&t);
}

/* The handler makes fewer calls than recorded: a divergence. */
static void test_signal_handler_fewer_calls(void **state) {
  rec_t t;
  rp_t p;
  (void)state;
  record_raise(&t, 2);
  replay_signals(&p, t.trace);
  wt_replay_api()->callback_signal(p.r, "handler", 7);
  assert_ok(write_str(wt_replay_api(), p.r, 1, "before\n"));
  guest.calls = 1;
  assert_errno(wt_replay_api()->proc_raise(p.r, WT_SIGUSR1), WT_ECANCELED);
  assert_report_has(&p, "the guest's signal handler made fewer calls than the "
                        "recording has (the call it ran in is seq 3)");
  assert_report_has(&p, "the handler's next recorded call: seq 5  fd_write(");
  rp_finish(&p, 0, WT_REPLAY_DIVERGED);
  rp_close(&p);
  rec_close(&t);
}

/* ... or more: the extra call finds none of the handler's records. */
static void test_signal_handler_more_calls(void **state) {
  rec_t t;
  rp_t p;
  (void)state;
  record_raise(&t, 1);
  replay_signals(&p, t.trace);
  wt_replay_api()->callback_signal(p.r, "handler", 7);
  assert_ok(write_str(wt_replay_api(), p.r, 1, "before\n"));
  guest.calls = 2;
  assert_errno(wt_replay_api()->proc_raise(p.r, WT_SIGUSR1), WT_ECANCELED);
  assert_errno(guest.last, WT_ECANCELED);
  assert_report_has(&p, "the guest called fd_write, and the recording has "
                        "none: the guest's signal handler makes more calls "
                        "than recorded");
  assert_report_has(&p, "(inside the guest's signal handler, run during seq "
                        "3)");
  assert_int_equal(wt_replay_status(p.r), WT_REPLAY_DIVERGED);
  rp_close(&p);
  rec_close(&t);
}

/*
 * A handler that ends the run: the call it ran in is never completed, so
 * the trace has a gap where its record would be, and the handler's calls
 * after it. The replay runs the handler there (proc_raise's own signal).
 */
static void test_signal_handler_ends_run(void **state) {
  rec_t t;
  rp_t p;
  wt_trace_end_t end = {WT_END_EXIT, 9, NULL, 0, NULL};
  (void)state;
  signal_recording(&t, 1);
  guest.exits = true;
  wt_tracer_api()->callback_signal(t.tr, "handler", 7);
  if (setjmp(guest.unwind) == 0) {
    wt_tracer_api()->proc_raise(t.tr, WT_SIGUSR1);
    fail_msg("the handler did not unwind");
  }
  assert_int_equal(wt_tracer_finish(t.tr, &end), 0);
  t.tr = NULL;
  assert_false(delivered_in(t.trace, 2));
  replay_signals(&p, t.trace);
  guest.exits = true;
  wt_replay_api()->callback_signal(p.r, "handler", 7);
  if (setjmp(guest.unwind) == 0) {
    wt_replay_api()->proc_raise(p.r, WT_SIGUSR1);
    fail_msg("the replayed handler did not unwind");
  }
  assert_int_equal(guest.runs, 1);
  assert_int_equal(wt_replay_finish(p.r, &end), WT_REPLAY_OK);
  assert_string_equal(wt_replay_report(p.r), "");
  rp_close(&p);
  rec_close(&t);
}

/* A gap no handler explains: damage, said so. */
static void test_missing_records(void **state) {
  rec_t t;
  rp_t p;
  char cmd[700];
  (void)state;
  rec_open(&t, "t.jsonl", true);
  for (int i = 0; i < 3; i++)
    assert_ok(wt_tracer_api()->sched_yield(t.tr));
  rec_finish(&t, 0);
  snprintf(cmd, sizeof cmd, "sed -i '/\"seq\":2,/d' %s", t.trace);
  assert_int_equal(system(cmd), 0);
  rp_open(&p, t.trace, NULL);
  assert_ok(wt_replay_api()->sched_yield(p.r));
  assert_errno(wt_replay_api()->sched_yield(p.r), WT_ECANCELED);
  assert_int_equal(wt_replay_status(p.r), WT_REPLAY_FAILED);
  assert_report_has(&p, "the trace is damaged: records 2 to 2 are missing");
  rp_close(&p);
  rec_close(&t);
}

/* Without a signal hook the replay cannot run the handler: it says so. */
static void test_signal_without_hook(void **state) {
  rec_t t;
  rp_t p;
  (void)state;
  signal_recording(&t, 0);
  wt_tracer_api()->callback_signal(t.tr, "handler", 7);
  assert_ok(wt_tracer_api()->proc_raise(t.tr, WT_SIGUSR1));
  rec_finish(&t, 0);
  rp_open(&p, t.trace, NULL);
  wt_replay_api()->callback_signal(p.r, "handler", 7);
  assert_errno(wt_replay_api()->proc_raise(p.r, WT_SIGUSR1), WT_ECANCELED);
  assert_int_equal(wt_replay_status(p.r), WT_REPLAY_FAILED);
  assert_report_has(&p, "the recording ran the guest's handler for signal "
                        "USR1 during a call to proc_raise, but this replay "
                        "has no signal handler hook");
  rp_close(&p);
  rec_close(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_other_argument_stops),
      cmocka_unit_test(test_clock_where_none_stops),
      cmocka_unit_test(test_scalar_diff),
      cmocka_unit_test(test_refusal_replays),
      cmocka_unit_test(test_digest_write),
      cmocka_unit_test(test_report_modified_call),
      cmocka_unit_test(test_report_extra_call),
      cmocka_unit_test(test_report_skipped_calls),
      cmocka_unit_test(test_guest_ends_early),
      cmocka_unit_test(test_other_end),
      cmocka_unit_test(test_call_after_the_end),
      cmocka_unit_test(test_incomplete_sqlite),
      cmocka_unit_test(test_incomplete_jsonl),
      cmocka_unit_test(test_incomplete_at_end),
      cmocka_unit_test(test_signal_handler_no_calls),
      cmocka_unit_test(test_signal_handler_with_calls),
      cmocka_unit_test(test_signal_timer_at_boundary),
      cmocka_unit_test(test_signal_handler_fewer_calls),
      cmocka_unit_test(test_signal_handler_more_calls),
      cmocka_unit_test(test_signal_handler_ends_run),
      cmocka_unit_test(test_missing_records),
      cmocka_unit_test(test_signal_without_hook),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
