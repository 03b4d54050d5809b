/*
 * Signals: callback_signal, proc_raise with and without a handler, the
 * proc_raise_interval timers delivering at call boundaries and
 * interrupting blocking calls, and the WASIX numbering conversions.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

#define MS 1000000ull
#define FOREVER UINT64_MAX

/* What the guest's handler saw, and what it does. */
typedef struct guest_s {
  wt_t *w;
  int count;
  uint8_t last;
  char name[32];
  uint32_t name_len;
  wt_errno_t register_result;
  int write_fd; /* >= 0: the handler writes 1 to this eventfd */
  int raised;   /* default action hook */
  /* Run by the handler when set: guest code making blocking calls. */
  void (*body)(struct guest_s *g);
  uint32_t fds[3];
  wt_errno_t seen[3];
} guest_t;

typedef struct fixture_s {
  guest_t g;
  wt_test_rec_t rec;
  wt_t *w;
} fixture_t;

static wt_errno_t on_register(void *ud, const char *name, uint32_t len) {
  guest_t *g = ud;
  if (len < sizeof g->name) {
    memcpy(g->name, name, len);
    g->name_len = len;
  }
  return g->register_result;
}

static void on_signal(void *ud, uint8_t sig) {
  guest_t *g = ud;
  g->count++;
  g->last = sig;
  /* A handler is guest code: it may call back into the core. */
  if (g->write_fd >= 0) {
    uint64_t one = 1;
    wt_ciovec_t iov = {(const uint8_t *)&one, 8};
    uint32_t n;
    assert_ok(wt_fd_write(g->w, (wt_fd_t)g->write_fd, &iov, 1, &n));
  }
  if (g->body != NULL)
    g->body(g);
}

static void on_raise(void *ud, uint8_t sig) {
  guest_t *g = ud;
  g->raised = sig;
}

static wt_t *make(fixture_t *f, bool hooks) {
  wt_options_t o;
  wt_options_init(&o);
  o.in = o.out = o.err = -1;
  o.proc_raise = on_raise;
  o.proc_raise_ud = &f->g;
  if (hooks) {
    o.signal_register = on_register;
    o.signal_handler = on_signal;
    o.signal_ud = &f->g;
  }
  assert_ok(wt_init(&o, &f->w));
  f->g.w = f->w;
  wt_set_observer(f->w, wt_test_record, &f->rec);
  return f->w;
}

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  f->g.write_fd = -1;
  make(f, true);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  wt_destroy(f->w);
  free(f);
  return 0;
}

static void sleep_ms(unsigned ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
  while (nanosleep(&ts, &ts) != 0)
    ;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void register_handler(fixture_t *f) {
  assert_ok(wt_callback_signal(f->w, "__wasm_signal", 13));
  f->rec.n = 0;
}

static void test_numbering(void **state) {
  uint8_t p = 0, x = 0;
  (void)state;
  assert_ok(wt_signal_from_wasix(15, &p));
  assert_int_equal(p, WT_SIGTERM);
  assert_errno(wt_signal_from_wasix(16, &p), WT_EINVAL); /* STKFLT */
  assert_ok(wt_signal_from_wasix(17, &p));
  assert_int_equal(p, WT_SIGCHLD);
  assert_ok(wt_signal_from_wasix(31, &p));
  assert_int_equal(p, WT_SIGSYS);
  assert_errno(wt_signal_from_wasix(32, &p), WT_EINVAL);
  assert_ok(wt_signal_to_wasix(WT_SIGCHLD, &x));
  assert_int_equal(x, 17);
  assert_ok(wt_signal_to_wasix(WT_SIGUSR1, &x));
  assert_int_equal(x, 10);
  assert_errno(wt_signal_to_wasix(WT_SIGNAL_COUNT, &x), WT_EINVAL);
  for (uint8_t s = 0; s < WT_SIGNAL_COUNT; s++) {
    assert_ok(wt_signal_to_wasix(s, &x));
    assert_ok(wt_signal_from_wasix(x, &p));
    assert_int_equal(p, s);
  }
}

/* No handler: ignore or terminate, per signal. */
static void test_raise_default(void **state) {
  fixture_t *f = *state;
  assert_ok(wt_proc_raise(f->w, WT_SIGCHLD));
  WT_EXPECT(&f->rec, WT_TRN(SIGNAL_RAISED, 0, 0, WT_SIGCHLD, 0, 0),
            WT_TRN(SIGNAL_DEFAULT, 0, 0, WT_SIGCHLD, 0, 0));
  assert_int_equal(f->g.raised, 0);
  assert_int_equal(wt_raised_signal(f->w), 0);
  assert_ok(wt_proc_raise(f->w, WT_SIGTERM));
  WT_EXPECT(&f->rec, WT_TRN(SIGNAL_RAISED, 0, 0, WT_SIGTERM, 0, 0),
            WT_TRN(SIGNAL_DEFAULT, 0, 0, WT_SIGTERM, 1, 0));
  assert_int_equal(f->g.raised, WT_SIGTERM);
  assert_int_equal(wt_raised_signal(f->w), WT_SIGTERM);
  assert_errno(wt_proc_raise(f->w, WT_SIGNAL_COUNT), WT_EINVAL);
  WT_EXPECT_NONE(&f->rec);
  assert_int_equal(f->g.count, 0);
}

/* A registered handler receives every signal but KILL and 0. */
static void test_raise_handler(void **state) {
  fixture_t *f = *state;
  assert_ok(wt_callback_signal(f->w, "__wasm_signal", 13));
  assert_int_equal(f->g.name_len, 13);
  assert_memory_equal(f->g.name, "__wasm_signal", 13);
  WT_EXPECT_NONE(&f->rec);
  assert_ok(wt_proc_raise(f->w, WT_SIGUSR1));
  WT_EXPECT(&f->rec, WT_TRN(SIGNAL_RAISED, 0, 0, WT_SIGUSR1, 0, 0),
            WT_TRN(SIGNAL_DELIVERED, 0, 0, WT_SIGUSR1, 0, 0));
  assert_int_equal(f->g.count, 1);
  assert_int_equal(f->g.last, WT_SIGUSR1);
  /* Caught, so not terminating. */
  assert_ok(wt_proc_raise(f->w, WT_SIGTERM));
  assert_int_equal(f->g.count, 2);
  assert_int_equal(f->g.raised, 0);
  f->rec.n = 0;
  assert_ok(wt_proc_raise(f->w, WT_SIGKILL));
  WT_EXPECT(&f->rec, WT_TRN(SIGNAL_RAISED, 0, 0, WT_SIGKILL, 0, 0),
            WT_TRN(SIGNAL_DEFAULT, 0, 0, WT_SIGKILL, 1, 0));
  assert_int_equal(f->g.raised, WT_SIGKILL);
  assert_ok(wt_proc_raise(f->w, WT_SIGNONE));
  WT_EXPECT(&f->rec, WT_TRN(SIGNAL_RAISED, 0, 0, 0, 0, 0),
            WT_TRN(SIGNAL_DEFAULT, 0, 0, 0, 0, 0));
  assert_int_equal(f->g.count, 2);
}

/* A failed registration is returned (for the tracer) and changes nothing. */
static void test_register_failure(void **state) {
  fixture_t *f = *state;
  f->g.register_result = WT_ENOENT;
  assert_errno(wt_callback_signal(f->w, "nope", 4), WT_ENOENT);
  assert_ok(wt_proc_raise(f->w, WT_SIGUSR2));
  assert_int_equal(f->g.count, 0);
  assert_int_equal(f->g.raised, WT_SIGUSR2);
  f->g.register_result = WT_ESUCCESS;
  assert_ok(wt_callback_signal(f->w, "__wasm_signal", 13));
  f->g.register_result = WT_ENOENT;
  assert_errno(wt_callback_signal(f->w, "nope", 4), WT_ENOENT);
  assert_ok(wt_proc_raise(f->w, WT_SIGUSR2));
  assert_int_equal(f->g.count, 1);
}

/* An embedder without signal hooks: no handler can be registered. */
static void test_no_hooks(void **state) {
  fixture_t *f = *state;
  wt_destroy(f->w);
  make(f, false);
  assert_errno(wt_callback_signal(f->w, "__wasm_signal", 13), WT_ENOTSUP);
  assert_ok(wt_proc_raise(f->w, WT_SIGUSR1));
  assert_int_equal(f->g.raised, WT_SIGUSR1);
  assert_int_equal(f->g.count, 0);
}

/* A one-shot timer delivers at the first call boundary after it expires. */
static void test_timer_at_boundary(void **state) {
  fixture_t *f = *state;
  const wt_api_t *api = wt_core_api();
  register_handler(f);
  assert_ok(wt_proc_raise_interval(f->w, WT_SIGALRM, 50 * MS, 0));
  assert_true(f->w->timer_armed);
  assert_ok(api->sched_yield(f->w));
  assert_int_equal(f->g.count, 0);
  WT_EXPECT_NONE(&f->rec);
  sleep_ms(60);
  /* Not a boundary: a direct core call does not check the timer. */
  assert_ok(wt_sched_yield(f->w));
  assert_int_equal(f->g.count, 0);
  assert_ok(api->sched_yield(f->w));
  assert_int_equal(f->g.count, 1);
  assert_int_equal(f->g.last, WT_SIGALRM);
  WT_EXPECT(&f->rec, WT_TRN(SIGNAL_RAISED, 0, 0, WT_SIGALRM, 1, 0),
            WT_TRN(SIGNAL_DELIVERED, 0, 0, WT_SIGALRM, 0, 0));
  assert_false(f->w->timer_armed);
  sleep_ms(20);
  assert_ok(api->sched_yield(f->w));
  assert_int_equal(f->g.count, 1);
  WT_EXPECT_NONE(&f->rec);
}

/* Repeat re-arms (late firings coalesce); interval 0 cancels. */
static void test_timer_repeat_and_cancel(void **state) {
  fixture_t *f = *state;
  const wt_api_t *api = wt_core_api();
  register_handler(f);
  assert_ok(wt_proc_raise_interval(f->w, WT_SIGUSR1, 5 * MS, 1));
  sleep_ms(17);
  assert_ok(api->sched_yield(f->w));
  assert_int_equal(f->g.count, 1);
  WT_EXPECT(&f->rec, WT_TRN(SIGNAL_RAISED, 0, 0, WT_SIGUSR1, 1, 0),
            WT_TRN(SIGNAL_DELIVERED, 0, 0, WT_SIGUSR1, 0, 0));
  assert_true(f->w->timer_armed);
  sleep_ms(7);
  assert_ok(api->sched_yield(f->w));
  assert_int_equal(f->g.count, 2);
  f->rec.n = 0;
  /* Cancel: nothing more, and the boundary test is off again. */
  assert_ok(wt_proc_raise_interval(f->w, WT_SIGUSR1, 0, 1));
  assert_false(f->w->timer_armed);
  sleep_ms(10);
  assert_ok(api->sched_yield(f->w));
  assert_int_equal(f->g.count, 2);
  WT_EXPECT_NONE(&f->rec);
  assert_errno(wt_proc_raise_interval(f->w, WT_SIGNAL_COUNT, MS, 0),
               WT_EINVAL);
}

/* A timer's signal without a handler takes the default action. */
static void test_timer_default_action(void **state) {
  fixture_t *f = *state;
  const wt_api_t *api = wt_core_api();
  assert_ok(wt_proc_raise_interval(f->w, WT_SIGWINCH, 1 * MS, 0));
  assert_ok(wt_proc_raise_interval(f->w, WT_SIGALRM, 2 * MS, 0));
  sleep_ms(5);
  assert_ok(api->sched_yield(f->w));
  /* Both due: delivered in deadline order, each once. */
  WT_EXPECT(&f->rec, WT_TRN(SIGNAL_RAISED, 0, 0, WT_SIGWINCH, 1, 0),
            WT_TRN(SIGNAL_DEFAULT, 0, 0, WT_SIGWINCH, 0, 0),
            WT_TRN(SIGNAL_RAISED, 0, 0, WT_SIGALRM, 1, 0),
            WT_TRN(SIGNAL_DEFAULT, 0, 0, WT_SIGALRM, 1, 0));
  assert_int_equal(f->g.raised, WT_SIGALRM);
}

/* A blocking epoll_wait returns EINTR after the handler ran. */
static void test_interrupt_epoll_wait(void **state) {
  fixture_t *f = *state;
  wt_epoll_event_t ev = {0}, out[1];
  uint32_t ep, efd, n = 99;
  uint64_t t0;
  register_handler(f);
  assert_ok(wt_epoll_create(f->w, &ep));
  assert_ok(wt_fd_event(f->w, 0, 0, &efd));
  ev.events = WT_EPOLLIN;
  assert_ok(wt_epoll_ctl(f->w, ep, WT_EPOLL_CTL_ADD, efd, &ev));
  assert_ok(wt_proc_raise_interval(f->w, WT_SIGALRM, 20 * MS, 0));
  f->rec.n = 0;
  t0 = now_ns();
  assert_errno(wt_epoll_wait(f->w, ep, out, 1, FOREVER, &n), WT_EINTR);
  assert_true(now_ns() - t0 >= 20 * MS);
  assert_int_equal(n, 99);
  assert_int_equal(f->g.count, 1);
  WT_EXPECT(&f->rec, WT_TRN(SIGNAL_RAISED, 0, 0, WT_SIGALRM, 1, 0),
            WT_TRN(SIGNAL_DELIVERED, 0, 0, WT_SIGALRM, 0, 0));
  /* A repeating timer interrupts every wait; a timeout shorter than the
   * interval ends first. */
  assert_ok(wt_proc_raise_interval(f->w, WT_SIGALRM, 30 * MS, 1));
  assert_errno(wt_epoll_wait(f->w, ep, out, 1, FOREVER, &n), WT_EINTR);
  assert_errno(wt_epoll_wait(f->w, ep, out, 1, FOREVER, &n), WT_EINTR);
  assert_int_equal(f->g.count, 3);
  assert_ok(wt_epoll_wait(f->w, ep, out, 1, 2 * MS, &n));
  assert_int_equal(n, 0);
}

/* A blocking eventfd read: EINTR even though the handler wrote to it
 * (no SA_RESTART); the next read gets the value. */
static void test_interrupt_eventfd_read(void **state) {
  fixture_t *f = *state;
  uint64_t v = 0;
  wt_iovec_t iov = {(uint8_t *)&v, 8};
  uint32_t efd, n = 0;
  register_handler(f);
  assert_ok(wt_fd_event(f->w, 0, 0, &efd));
  f->g.write_fd = (int)efd;
  assert_ok(wt_proc_raise_interval(f->w, WT_SIGUSR2, 10 * MS, 0));
  f->rec.n = 0;
  assert_errno(wt_fd_read(f->w, efd, &iov, 1, &n), WT_EINTR);
  assert_int_equal(f->g.count, 1);
  WT_EXPECT(&f->rec, WT_TRN(SIGNAL_RAISED, 0, 0, WT_SIGUSR2, 1, 0),
            WT_TRN(SIGNAL_DELIVERED, 0, 0, WT_SIGUSR2, 0, 0),
            WT_TRN(EVENTFD_COUNTER, efd, 0, 0, 1, WT_EVENTFD_CAUSE_WRITE),
            WT_TRN(EVENTFD_READINESS, efd, 0, WT_EPOLLOUT,
                   WT_EPOLLIN | WT_EPOLLOUT, 0));
  assert_ok(wt_fd_read(f->w, efd, &iov, 1, &n));
  assert_int_equal(v, 1);
}

/* Blocking pipe reads and poll_oneoff sleeps are interrupted too. */
static void test_interrupt_pipe_and_poll(void **state) {
  fixture_t *f = *state;
  char buf[4];
  wt_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  wt_subscription_t sub;
  wt_event_t ev;
  uint32_t r, w, n = 0;
  uint64_t t0;
  register_handler(f);
  assert_ok(wt_fd_pipe(f->w, &r, &w));
  assert_ok(wt_proc_raise_interval(f->w, WT_SIGALRM, 10 * MS, 0));
  f->rec.n = 0;
  assert_errno(wt_fd_read(f->w, r, &iov, 1, &n), WT_EINTR);
  assert_int_equal(f->g.count, 1);
  WT_EXPECT(&f->rec, WT_TRN(SIGNAL_RAISED, 0, 0, WT_SIGALRM, 1, 0),
            WT_TRN(SIGNAL_DELIVERED, 0, 0, WT_SIGALRM, 0, 0));
  /* Data ready: the armed timer does not get in the way. */
  assert_ok(wt_proc_raise_interval(f->w, WT_SIGALRM, 1000 * MS, 0));
  assert_ok(wt_test_write_str(f->w, w, "ok"));
  assert_ok(wt_fd_read(f->w, r, &iov, 1, &n));
  assert_int_equal(n, 2);
  /* A one-second sleep cut short. */
  memset(&sub, 0, sizeof sub);
  sub.u.tag = WT_EVENTTYPE_CLOCK;
  sub.u.u.clock.id = WT_CLOCK_MONOTONIC;
  sub.u.u.clock.timeout = 1000 * MS;
  assert_ok(wt_proc_raise_interval(f->w, WT_SIGALRM, 10 * MS, 0));
  t0 = now_ns();
  assert_errno(wt_poll_oneoff(f->w, &sub, &ev, 1, &n), WT_EINTR);
  assert_true(now_ns() - t0 < 500 * MS);
  assert_int_equal(f->g.count, 2);
}

/* A blocking one-byte read; the errno. */
static wt_errno_t read1(wt_t *w, uint32_t fd) {
  char c;
  wt_iovec_t iov = {(uint8_t *)&c, 1};
  uint32_t n = 0;
  return wt_fd_read(w, fd, &iov, 1, &n);
}

/* In the handler: its own empty pipe, an empty eventfd, an empty epoll. */
static void block_on_own_objects(guest_t *g) {
  uint64_t v;
  wt_iovec_t iov = {(uint8_t *)&v, 8};
  wt_epoll_event_t ev;
  uint32_t n = 0;
  g->seen[0] = read1(g->w, g->fds[0]);
  g->seen[1] = wt_fd_read(g->w, g->fds[1], &iov, 1, &n);
  g->seen[2] = wt_epoll_wait(g->w, g->fds[2], &ev, 1, FOREVER, &n);
}

/*
 * A handler's signals are held while it runs, so a repeating timer cannot
 * end a wait the handler makes on objects only the guest could make
 * ready: EDEADLK at once for each, where the timer used to wake the wait
 * again and again (EINTR). The alarm turns a hang into a failure.
 */
static void test_handler_blocking_on_own_objects(void **state) {
  fixture_t *f = *state;
  uint32_t r, w, efd, ep;
  alarm(20);
  register_handler(f);
  assert_ok(wt_fd_pipe(f->w, &r, &w));
  assert_ok(wt_fd_event(f->w, 0, 0, &efd));
  assert_ok(wt_epoll_create(f->w, &ep));
  f->g.fds[0] = r;
  f->g.fds[1] = efd;
  f->g.fds[2] = ep;
  f->g.body = block_on_own_objects;
  assert_ok(wt_proc_raise_interval(f->w, WT_SIGALRM, 2 * MS, 1));
  assert_ok(wt_proc_raise(f->w, WT_SIGUSR1));
  assert_int_equal(f->g.count, 1);
  assert_errno(f->g.seen[0], WT_EDEADLK);
  assert_errno(f->g.seen[1], WT_EDEADLK);
  assert_errno(f->g.seen[2], WT_EDEADLK);
  /* Out of the handler the timer ends the same read. */
  f->g.body = NULL;
  assert_errno(read1(f->w, r), WT_EINTR);
  assert_ok(wt_proc_raise_interval(f->w, WT_SIGALRM, 0, 0));
  alarm(0);
}

/*
 * With no timer, a transfer on the guest's own pipe that would wait is
 * EDEADLK (Linux would hang); one that can proceed, or meets the other
 * end closed, does not wait.
 */
static void test_own_pipe_deadlock(void **state) {
  fixture_t *f = *state;
  static uint8_t block[4096];
  wt_ciovec_t out = {block, sizeof block};
  uint32_t r, w, n = 0;
  wt_errno_t err = WT_ESUCCESS;
  int writes = 0;
  alarm(20);
  assert_ok(wt_fd_pipe(f->w, &r, &w));
  assert_errno(read1(f->w, r), WT_EDEADLK);
  /* Fill it: the write that finds it full is EDEADLK. */
  while (writes < 1024 &&
         (err = wt_fd_write(f->w, w, &out, 1, &n)) == WT_ESUCCESS)
    writes++;
  assert_errno(err, WT_EDEADLK);
  assert_true(writes >= 1);
  assert_ok(read1(f->w, r));
  assert_ok(wt_fd_close(f->w, w));
  for (int i = 0; i < writes * 4096 - 1; i += (int)n) {
    static uint8_t sink[4096];
    wt_iovec_t in = {sink, sizeof sink};
    assert_ok(wt_fd_read(f->w, r, &in, 1, &n));
    assert_true(n > 0);
  }
  /* Drained with no writer left: end of file, not a wait. */
  assert_ok(read1(f->w, r));
  alarm(0);
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_numbering),
      T(test_raise_default),
      T(test_raise_handler),
      T(test_register_failure),
      T(test_no_hooks),
      T(test_timer_at_boundary),
      T(test_timer_repeat_and_cancel),
      T(test_timer_default_action),
      T(test_interrupt_epoll_wait),
      T(test_interrupt_eventfd_read),
      T(test_interrupt_pipe_and_poll),
      T(test_handler_blocking_on_own_objects),
      T(test_own_pipe_deadlock),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
