/*
 * Crash safety: a child process records a loop of calls on a real core
 * instance and is killed with SIGKILL after various delays. The trace must
 * open, say the run is incomplete, hold calls numbered 1..n without gaps,
 * and (when the writer keeps up with the guest) miss at most the calls of
 * the last commit window. Both sinks.
 */
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_tracer_util.h"

#define MAX_MS 4096
/* The format promises ~60 ms; CI machines are shared and slow, so the
 * test allows more before calling a loss too large. */
#define LOSS_WINDOW_MS 400

typedef struct shared_s {
  _Atomic uint64_t made;  /* calls completed by the child */
  uint64_t t0;            /* CLOCK_MONOTONIC ns when the loop started */
  uint64_t at_ms[MAX_MS]; /* calls completed by each ms since t0 */
} shared_t;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The child: records forever into `path` over the (inherited) instance;
 * `paced` sleeps between batches so the writer keeps up, as with most real
 * guests: at most ~50,000 calls/s, a third of what the writer stores even
 * in the sanitizer build beside another test (at 200 us a batch the guest
 * outran a sanitized writer, and the loss bound then measured the backlog
 * instead of the commit window). */
static void child(wt_t *w, const char *path, bool jsonl, bool paced,
                  shared_t *sh, int ready) {
  wt_ciovec_t iov = {(const uint8_t *)"0123456789abcdef", 16};
  const wt_api_t *api = wt_tracer_api();
  wt_tracer_options_t o;
  wt_tracer_t *tr;
  wt_sink_t *sink;
  uint32_t n;
  uint64_t now;
  if ((jsonl ? wt_sink_jsonl_open(path, &sink)
             : wt_sink_sqlite_open(path, &sink)) < 0)
    _exit(2);
  wt_tracer_options_init(&o);
  o.core = w;
  if (wt_tracer_open(wt_core_api(), w, sink, &o, &tr) < 0)
    _exit(3);
  sh->t0 = now_ns();
  if (write(ready, "r", 1) != 1)
    _exit(4);
  for (;;) {
    uint64_t ms;
    for (int i = 0; i < 50; i++) {
      api->fd_write(tr, 1, &iov, 1, &n);
      api->clock_time_get(tr, WT_CLOCK_MONOTONIC, 1, &now);
    }
    atomic_fetch_add(&sh->made, 100);
    ms = (now_ns() - sh->t0) / 1000000u;
    if (ms < MAX_MS)
      sh->at_ms[ms] = atomic_load(&sh->made);
    if (paced)
      usleep(2000);
  }
}

/* Opens the killed child's trace and checks it. Returns calls found. */
static uint64_t check_trace(const char *path) {
  wt_trace_t *tr;
  const wt_trace_call_t *c;
  uint64_t seq = 0;
  int rc;
  if (wt_trace_open(path, &tr) < 0)
    fail_msg("killed trace does not open: %s", wt_trace_error());
  assert_non_null(wt_trace_meta_get(tr, "end"));
  assert_string_equal(wt_trace_meta_get(tr, "end")->text, "incomplete");
  assert_non_null(wt_trace_meta_get(tr, "argv"));
  while ((rc = wt_trace_next(tr, &c)) == 1) {
    wt_trace_summary_t s = {0};
    if (c->seq != ++seq)
      fail_msg("seq %llu after %llu", (unsigned long long)c->seq,
               (unsigned long long)seq - 1);
    assert_int_equal(c->call,
                     seq % 2 ? WT_CALL_fd_write : WT_CALL_clock_time_get);
    assert_int_equal(wt_trace_summarize(c, &s), 0);
    wt_trace_summary_free(&s);
  }
  if (rc != 0)
    fail_msg("reading the killed trace: %s", wt_trace_error());
  wt_trace_close(tr);
  return seq;
}

/* Calls the child had completed `ms` after it started (0 if before). */
static uint64_t made_by(const shared_t *sh, int64_t ms) {
  uint64_t v = 0;
  for (int64_t k = 0; k <= ms && k < MAX_MS; k++)
    if (sh->at_ms[k] > v)
      v = sh->at_ms[k];
  return v;
}

static void kill_after(bool jsonl, bool paced, int delay_ms) {
  wt_test_env_t env;
  char path[400];
  shared_t *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  int p[2], status;
  char c;
  pid_t pid;
  uint64_t found, made, floor;
  int64_t kill_ms;
  assert_true(sh != MAP_FAILED);
  memset(sh, 0, sizeof *sh);
  wt_test_open(&env);
  snprintf(path, sizeof path, "%s/crash.%s", env.outside,
           jsonl ? "jsonl" : "db");
  assert_int_equal(pipe(p), 0);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(p[0]);
    child(env.w, path, jsonl, paced, sh, p[1]);
    _exit(0);
  }
  close(p[1]);
  assert_int_equal(read(p[0], &c, 1), 1);
  close(p[0]);
  usleep((useconds_t)delay_ms * 1000);
  kill(pid, SIGKILL);
  kill_ms = (int64_t)((now_ns() - sh->t0) / 1000000u);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFSIGNALED(status));
  made = atomic_load(&sh->made);
  found = check_trace(path);
  /* Every call in the trace was made (a batch may be partly counted). */
  assert_true(found <= made + 100);
  floor = paced ? made_by(sh, kill_ms - LOSS_WINDOW_MS) : 0;
  print_message("%s %s kill after %d ms: %llu calls made, %llu in the "
                "trace (at least %llu expected)\n",
                jsonl ? "jsonl" : "sqlite", paced ? "paced" : "tight", delay_ms,
                (unsigned long long)made, (unsigned long long)found,
                (unsigned long long)floor);
  if (found < floor)
    fail_msg("lost more than %d ms of calls", LOSS_WINDOW_MS);
  munmap(sh, sizeof *sh);
  wt_test_close(&env);
}

static const int delays[] = {0, 3, 30, 120, 700};

static void test_sqlite(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof delays / sizeof delays[0]; i++)
    kill_after(false, true, delays[i]);
  kill_after(false, false, 300);
}

static void test_jsonl(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof delays / sizeof delays[0]; i++)
    kill_after(true, true, delays[i]);
  kill_after(true, false, 300);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sqlite),
      cmocka_unit_test(test_jsonl),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
