/*
 * poll_oneoff: clocks, pipes, regular files, errors reported in events.
 *
 * Timing assertions check correctness, not speed: a wait lasts at least its
 * timeout, and the upper bounds are generous because the machine is shared.
 */
#include "testutil.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define MS 1000000ull
/* Far enough that reaching it means the call did not return when due. */
#define LONG_TIMEOUT (20000 * MS)
#define UPPER_BOUND (5000 * MS)

static uint64_t now(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static wt_subscription_t clock_sub(uint64_t ud, wt_clockid_t id,
                                   uint64_t timeout, uint16_t flags) {
  wt_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = WT_EVENTTYPE_CLOCK;
  s.u.u.clock.id = id;
  s.u.u.clock.timeout = timeout;
  s.u.u.clock.flags = flags;
  return s;
}

static wt_subscription_t fd_sub(uint64_t ud, wt_eventtype_t tag, wt_fd_t fd) {
  wt_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = tag;
  s.u.u.fd_readwrite.fd = fd;
  return s;
}

/* Puts host fd `host` into the guest table (the table takes it over). */
static wt_fd_t inject(wt_t *w, int host, wt_filetype_t type,
                      wt_rights_t rights) {
  wt__desc_t *d = wt__desc_new(w, WT_DESC_HOST, type, host);
  wt_fd_t fd;
  assert_non_null(d);
  assert_ok(wt__fd_insert(w, d, rights, 0, 0, &fd));
  return fd;
}

/* A host pipe injected as guest fds: rd[0] read end, rd[1] write end. */
static void inject_pipe(wt_t *w, wt_fd_t fds[2]) {
  int p[2];
  assert_int_equal(pipe2(p, O_CLOEXEC), 0);
  fds[0] = inject(w, p[0], WT_FILETYPE_UNKNOWN, WT_RIGHTS_TTY);
  fds[1] = inject(w, p[1], WT_FILETYPE_UNKNOWN, WT_RIGHTS_TTY);
}

static int host_fd(wt_t *w, wt_fd_t fd) {
  return w->fds[fd].desc->host_fd;
}

static void host_write(wt_t *w, wt_fd_t fd, const char *s) {
  assert_int_equal(write(host_fd(w, fd), s, strlen(s)), (ssize_t)strlen(s));
}

static void assert_event(const wt_event_t *ev, uint64_t ud, wt_eventtype_t type,
                         wt_errno_t error) {
  assert_int_equal(ev->userdata, ud);
  assert_int_equal(ev->type, type);
  assert_errno(ev->error, error);
}

static void test_zero_subscriptions(void **state) {
  wt_test_env_t *env = *state;
  wt_event_t ev;
  uint32_t n = 77;
  assert_errno(wt_poll_oneoff(env->w, NULL, &ev, 0, &n), WT_EINVAL);
  assert_int_equal(n, 77);
}

static void test_relative_clock(void **state) {
  wt_test_env_t *env = *state;
  wt_clockid_t ids[2] = {WT_CLOCK_MONOTONIC, WT_CLOCK_REALTIME};
  for (int i = 0; i < 2; i++) {
    wt_subscription_t s = clock_sub(42 + i, ids[i], 50 * MS, 0);
    wt_event_t ev;
    uint32_t n = 0;
    uint64_t t0 = now(CLOCK_MONOTONIC), dt;
    assert_ok(wt_poll_oneoff(env->w, &s, &ev, 1, &n));
    dt = now(CLOCK_MONOTONIC) - t0;
    assert_true(dt >= 50 * MS);
    assert_true(dt < UPPER_BOUND);
    assert_int_equal(n, 1);
    assert_event(&ev, 42 + i, WT_EVENTTYPE_CLOCK, WT_ESUCCESS);
    assert_int_equal(ev.fd_readwrite.nbytes, 0);
    assert_int_equal(ev.fd_readwrite.flags, 0);
  }
}

static void test_absolute_clock(void **state) {
  wt_test_env_t *env = *state;
  wt_clockid_t ids[2] = {WT_CLOCK_MONOTONIC, WT_CLOCK_REALTIME};
  clockid_t host[2] = {CLOCK_MONOTONIC, CLOCK_REALTIME};
  for (int i = 0; i < 2; i++) {
    uint64_t deadline = now(host[i]) + 60 * MS, t0 = now(CLOCK_MONOTONIC);
    wt_subscription_t s =
        clock_sub(7, ids[i], deadline, WT_SUBSCRIPTION_CLOCK_ABSTIME);
    wt_event_t ev;
    uint32_t n = 0;
    assert_ok(wt_poll_oneoff(env->w, &s, &ev, 1, &n));
    assert_true(now(host[i]) >= deadline);
    assert_true(now(CLOCK_MONOTONIC) - t0 < UPPER_BOUND);
    assert_int_equal(n, 1);
    assert_event(&ev, 7, WT_EVENTTYPE_CLOCK, WT_ESUCCESS);
  }
}

static void test_absolute_clock_in_past(void **state) {
  wt_test_env_t *env = *state;
  wt_subscription_t s =
      clock_sub(1, WT_CLOCK_MONOTONIC, 1, WT_SUBSCRIPTION_CLOCK_ABSTIME);
  wt_event_t ev;
  uint32_t n = 0;
  uint64_t t0 = now(CLOCK_MONOTONIC);
  assert_ok(wt_poll_oneoff(env->w, &s, &ev, 1, &n));
  assert_true(now(CLOCK_MONOTONIC) - t0 < UPPER_BOUND);
  assert_int_equal(n, 1);
  assert_event(&ev, 1, WT_EVENTTYPE_CLOCK, WT_ESUCCESS);
}

static void test_earliest_clock_wins(void **state) {
  wt_test_env_t *env = *state;
  wt_subscription_t s[3] = {
      clock_sub(1, WT_CLOCK_MONOTONIC, LONG_TIMEOUT, 0),
      clock_sub(2, WT_CLOCK_REALTIME, 30 * MS, 0),
      clock_sub(3, WT_CLOCK_MONOTONIC, 2 * LONG_TIMEOUT, 0)};
  wt_event_t ev[3];
  uint32_t n = 0;
  uint64_t t0 = now(CLOCK_MONOTONIC), dt;
  assert_ok(wt_poll_oneoff(env->w, s, ev, 3, &n));
  dt = now(CLOCK_MONOTONIC) - t0;
  assert_true(dt >= 30 * MS);
  assert_true(dt < UPPER_BOUND);
  assert_int_equal(n, 1);
  assert_event(&ev[0], 2, WT_EVENTTYPE_CLOCK, WT_ESUCCESS);
}

static void test_all_expired_clocks_reported(void **state) {
  wt_test_env_t *env = *state;
  wt_subscription_t s[3] = {clock_sub(1, WT_CLOCK_MONOTONIC, 0, 0),
                            clock_sub(2, WT_CLOCK_MONOTONIC, LONG_TIMEOUT, 0),
                            clock_sub(3, WT_CLOCK_REALTIME, 0, 0)};
  wt_event_t ev[3];
  uint32_t n = 0;
  assert_ok(wt_poll_oneoff(env->w, s, ev, 3, &n));
  assert_int_equal(n, 2);
  assert_event(&ev[0], 1, WT_EVENTTYPE_CLOCK, WT_ESUCCESS);
  assert_event(&ev[1], 3, WT_EVENTTYPE_CLOCK, WT_ESUCCESS);
}

static void test_invalid_clock(void **state) {
  wt_test_env_t *env = *state;
  wt_fd_t p[2];
  wt_clockid_t bad[3] = {WT_CLOCK_PROCESS_CPUTIME_ID,
                         WT_CLOCK_THREAD_CPUTIME_ID, 99};
  wt_event_t ev[2];
  uint32_t n = 55;
  inject_pipe(env->w, p);
  host_write(env->w, p[1], "x");
  for (int i = 0; i < 3; i++) {
    /* Even beside a ready fd: the whole call fails, no events. */
    wt_subscription_t s[2] = {fd_sub(1, WT_EVENTTYPE_FD_READ, p[0]),
                              clock_sub(2, bad[i], 0, 0)};
    assert_errno(wt_poll_oneoff(env->w, s, ev, 2, &n), WT_EINVAL);
  }
  {
    wt_subscription_t s = clock_sub(1, WT_CLOCK_MONOTONIC, 0, 2);
    assert_errno(wt_poll_oneoff(env->w, &s, ev, 1, &n), WT_EINVAL);
  }
  {
    wt_subscription_t s = fd_sub(1, 3, p[0]);
    assert_errno(wt_poll_oneoff(env->w, &s, ev, 1, &n), WT_EINVAL);
  }
  assert_int_equal(n, 55);
}

static void test_pipe_readable(void **state) {
  wt_test_env_t *env = *state;
  wt_fd_t p[2];
  wt_event_t ev[2];
  uint32_t n = 0;
  uint64_t t0;
  inject_pipe(env->w, p);
  host_write(env->w, p[1], "abcde");
  {
    wt_subscription_t s[2] = {clock_sub(1, WT_CLOCK_MONOTONIC, LONG_TIMEOUT, 0),
                              fd_sub(2, WT_EVENTTYPE_FD_READ, p[0])};
    t0 = now(CLOCK_MONOTONIC);
    assert_ok(wt_poll_oneoff(env->w, s, ev, 2, &n));
  }
  assert_true(now(CLOCK_MONOTONIC) - t0 < UPPER_BOUND);
  assert_int_equal(n, 1);
  assert_event(&ev[0], 2, WT_EVENTTYPE_FD_READ, WT_ESUCCESS);
  /* nbytes comes from FIONREAD. */
  assert_int_equal(ev[0].fd_readwrite.nbytes, 5);
  assert_int_equal(ev[0].fd_readwrite.flags, 0);
}

static void test_pipe_not_ready_times_out(void **state) {
  wt_test_env_t *env = *state;
  wt_fd_t p[2];
  wt_event_t ev[2];
  uint32_t n = 0;
  uint64_t t0 = now(CLOCK_MONOTONIC);
  inject_pipe(env->w, p);
  {
    wt_subscription_t s[2] = {fd_sub(1, WT_EVENTTYPE_FD_READ, p[0]),
                              clock_sub(2, WT_CLOCK_MONOTONIC, 40 * MS, 0)};
    assert_ok(wt_poll_oneoff(env->w, s, ev, 2, &n));
  }
  assert_true(now(CLOCK_MONOTONIC) - t0 >= 40 * MS);
  assert_int_equal(n, 1);
  assert_event(&ev[0], 2, WT_EVENTTYPE_CLOCK, WT_ESUCCESS);
}

static void test_pipe_hangup(void **state) {
  wt_test_env_t *env = *state;
  wt_fd_t p[2];
  wt_event_t ev;
  uint32_t n = 0;
  wt_subscription_t s;
  inject_pipe(env->w, p);
  host_write(env->w, p[1], "xyz");
  wt__fd_release(env->w, p[1]);
  s = fd_sub(9, WT_EVENTTYPE_FD_READ, p[0]);
  assert_ok(wt_poll_oneoff(env->w, &s, &ev, 1, &n));
  assert_int_equal(n, 1);
  assert_event(&ev, 9, WT_EVENTTYPE_FD_READ, WT_ESUCCESS);
  assert_int_equal(ev.fd_readwrite.flags, WT_EVENT_FD_READWRITE_HANGUP);
  /* Data still buffered is counted even after the writer left. */
  assert_int_equal(ev.fd_readwrite.nbytes, 3);
}

static void test_pipe_writable(void **state) {
  wt_test_env_t *env = *state;
  wt_fd_t p[2];
  wt_event_t ev;
  uint32_t n = 0;
  wt_subscription_t s;
  inject_pipe(env->w, p);
  s = fd_sub(4, WT_EVENTTYPE_FD_WRITE, p[1]);
  assert_ok(wt_poll_oneoff(env->w, &s, &ev, 1, &n));
  assert_int_equal(n, 1);
  assert_event(&ev, 4, WT_EVENTTYPE_FD_WRITE, WT_ESUCCESS);
  assert_int_equal(ev.fd_readwrite.flags, 0);
  /* With the reader gone the writer sees a hangup. */
  wt__fd_release(env->w, p[0]);
  assert_ok(wt_poll_oneoff(env->w, &s, &ev, 1, &n));
  assert_int_equal(n, 1);
  assert_event(&ev, 4, WT_EVENTTYPE_FD_WRITE, WT_ESUCCESS);
  assert_int_equal(ev.fd_readwrite.flags, WT_EVENT_FD_READWRITE_HANGUP);
}

static void test_regular_file_ready(void **state) {
  wt_test_env_t *env = *state;
  char path[512];
  wt_fd_t fd;
  wt_event_t ev[3];
  uint32_t n = 0;
  int h;
  wt_test_write_file(env, "f.txt", "0123456789");
  snprintf(path, sizeof path, "%s/f.txt", env->root);
  h = open(path, O_RDWR | O_CLOEXEC);
  assert_true(h >= 0);
  fd = inject(env->w, h, WT_FILETYPE_REGULAR_FILE, WT_RIGHTS_REGULAR_FILE);
  assert_int_equal(lseek(h, 4, SEEK_SET), 4);
  {
    wt_subscription_t s[3] = {fd_sub(1, WT_EVENTTYPE_FD_READ, fd),
                              clock_sub(2, WT_CLOCK_MONOTONIC, LONG_TIMEOUT, 0),
                              fd_sub(3, WT_EVENTTYPE_FD_WRITE, fd)};
    uint64_t t0 = now(CLOCK_MONOTONIC);
    assert_ok(wt_poll_oneoff(env->w, s, ev, 3, &n));
    assert_true(now(CLOCK_MONOTONIC) - t0 < UPPER_BOUND);
    assert_int_equal(n, 2);
    assert_event(&ev[0], 1, WT_EVENTTYPE_FD_READ, WT_ESUCCESS);
    assert_int_equal(ev[0].fd_readwrite.nbytes, 6);
    assert_event(&ev[1], 3, WT_EVENTTYPE_FD_WRITE, WT_ESUCCESS);
    assert_int_equal(ev[1].fd_readwrite.nbytes, 0);
    /* Past the end: still ready, nothing to read. */
    assert_int_equal(lseek(h, 20, SEEK_SET), 20);
    assert_ok(wt_poll_oneoff(env->w, s, ev, 1, &n));
    assert_int_equal(n, 1);
    assert_int_equal(ev[0].fd_readwrite.nbytes, 0);
  }
}

static void test_directory_ready(void **state) {
  wt_test_env_t *env = *state;
  wt_subscription_t s = fd_sub(5, WT_EVENTTYPE_FD_READ, WT_TEST_DIRFD);
  wt_event_t ev;
  uint32_t n = 0;
  assert_ok(wt_poll_oneoff(env->w, &s, &ev, 1, &n));
  assert_int_equal(n, 1);
  assert_event(&ev, 5, WT_EVENTTYPE_FD_READ, WT_ESUCCESS);
  assert_int_equal(ev.fd_readwrite.nbytes, 0);
}

static void test_errors_in_events(void **state) {
  wt_test_env_t *env = *state;
  wt_fd_t p[2], closed[2], noright;
  int h[2];
  wt_event_t ev[5];
  uint32_t n = 0;
  inject_pipe(env->w, p);
  inject_pipe(env->w, closed);
  assert_int_equal(pipe2(h, O_CLOEXEC), 0);
  noright = inject(env->w, h[0], WT_FILETYPE_UNKNOWN, WT_RIGHT_FD_READ);
  close(h[1]);
  /* Released last, so no later insert reuses the slot. */
  wt__fd_release(env->w, closed[0]);
  {
    wt_subscription_t s[5] = {
        fd_sub(1, WT_EVENTTYPE_FD_READ, 999),
        clock_sub(2, WT_CLOCK_MONOTONIC, LONG_TIMEOUT, 0),
        fd_sub(3, WT_EVENTTYPE_FD_WRITE, closed[0]),
        fd_sub(4, WT_EVENTTYPE_FD_READ, p[0]), /* empty: not ready */
        fd_sub(5, WT_EVENTTYPE_FD_READ, noright)};
    uint64_t t0 = now(CLOCK_MONOTONIC);
    assert_ok(wt_poll_oneoff(env->w, s, ev, 5, &n));
    assert_true(now(CLOCK_MONOTONIC) - t0 < UPPER_BOUND);
  }
  assert_int_equal(n, 3);
  assert_event(&ev[0], 1, WT_EVENTTYPE_FD_READ, WT_EBADF);
  assert_event(&ev[1], 3, WT_EVENTTYPE_FD_WRITE, WT_EBADF);
  assert_event(&ev[2], 5, WT_EVENTTYPE_FD_READ, WT_ENOTCAPABLE);
}

static void test_multiple_ready(void **state) {
  wt_test_env_t *env = *state;
  wt_fd_t a[2], b[2], c[2];
  wt_event_t ev[6];
  uint32_t n = 0;
  inject_pipe(env->w, a);
  inject_pipe(env->w, b);
  inject_pipe(env->w, c);
  host_write(env->w, a[1], "1");
  host_write(env->w, c[1], "333");
  {
    wt_subscription_t s[6] = {clock_sub(1, WT_CLOCK_MONOTONIC, LONG_TIMEOUT, 0),
                              fd_sub(2, WT_EVENTTYPE_FD_READ, a[0]),
                              fd_sub(3, WT_EVENTTYPE_FD_READ, b[0]),
                              fd_sub(4, WT_EVENTTYPE_FD_READ, c[0]),
                              fd_sub(5, WT_EVENTTYPE_FD_WRITE, b[1]),
                              clock_sub(6, WT_CLOCK_MONOTONIC, 0, 0)};
    assert_ok(wt_poll_oneoff(env->w, s, ev, 6, &n));
  }
  /* In subscription order; the expired clock too, the pending one not. */
  assert_int_equal(n, 4);
  assert_event(&ev[0], 2, WT_EVENTTYPE_FD_READ, WT_ESUCCESS);
  assert_int_equal(ev[0].fd_readwrite.nbytes, 1);
  assert_event(&ev[1], 4, WT_EVENTTYPE_FD_READ, WT_ESUCCESS);
  assert_int_equal(ev[1].fd_readwrite.nbytes, 3);
  assert_event(&ev[2], 5, WT_EVENTTYPE_FD_WRITE, WT_ESUCCESS);
  assert_event(&ev[3], 6, WT_EVENTTYPE_CLOCK, WT_ESUCCESS);
}

/* More subscriptions than fit on the call's stack. */
static void test_many_subscriptions(void **state) {
  wt_test_env_t *env = *state;
  enum { N = 40 };
  wt_subscription_t s[N];
  wt_event_t ev[N];
  wt_fd_t p[2];
  uint32_t n = 0;
  inject_pipe(env->w, p);
  host_write(env->w, p[1], "zz");
  for (int i = 0; i < N; i++)
    s[i] = i % 2 ? fd_sub(i, WT_EVENTTYPE_FD_READ, p[0])
                 : clock_sub(i, WT_CLOCK_MONOTONIC, LONG_TIMEOUT, 0);
  assert_ok(wt_poll_oneoff(env->w, s, ev, N, &n));
  assert_int_equal(n, N / 2);
  for (int i = 0; i < N / 2; i++) {
    assert_event(&ev[i], 2 * i + 1, WT_EVENTTYPE_FD_READ, WT_ESUCCESS);
    assert_int_equal(ev[i].fd_readwrite.nbytes, 2);
  }
}

static void on_alarm(int sig) {
  (void)sig;
}

/* A signal interrupting the wait must not cut it short. */
static void test_eintr_keeps_waiting(void **state) {
  wt_test_env_t *env = *state;
  struct sigaction sa, old;
  struct itimerval it = {{0, 10000}, {0, 10000}}, off = {{0, 0}, {0, 0}};
  wt_subscription_t s = clock_sub(1, WT_CLOCK_MONOTONIC, 150 * MS, 0);
  wt_event_t ev;
  uint32_t n = 0;
  uint64_t t0, dt;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm; /* no SA_RESTART: ppoll sees EINTR */
  sigemptyset(&sa.sa_mask);
  assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
  assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
  t0 = now(CLOCK_MONOTONIC);
  assert_ok(wt_poll_oneoff(env->w, &s, &ev, 1, &n));
  dt = now(CLOCK_MONOTONIC) - t0;
  setitimer(ITIMER_REAL, &off, NULL);
  sigaction(SIGALRM, &old, NULL);
  assert_true(dt >= 150 * MS);
  assert_true(dt < UPPER_BOUND);
  assert_int_equal(n, 1);
  assert_event(&ev, 1, WT_EVENTTYPE_CLOCK, WT_ESUCCESS);
}

static void test_huge_timeout_with_ready_fd(void **state) {
  wt_test_env_t *env = *state;
  wt_fd_t p[2];
  wt_event_t ev[2];
  uint32_t n = 0;
  inject_pipe(env->w, p);
  {
    /* UINT64_MAX must saturate, not wrap into the past. */
    wt_subscription_t s[2] = {clock_sub(1, WT_CLOCK_MONOTONIC, UINT64_MAX, 0),
                              fd_sub(2, WT_EVENTTYPE_FD_WRITE, p[1])};
    assert_ok(wt_poll_oneoff(env->w, s, ev, 2, &n));
  }
  assert_int_equal(n, 1);
  assert_event(&ev[0], 2, WT_EVENTTYPE_FD_WRITE, WT_ESUCCESS);
}

int main(void) {
  const struct CMUnitTest tests[] = {
#define T(name)                                                                \
  cmocka_unit_test_setup_teardown(name, wt_test_setup, wt_test_teardown)
      T(test_zero_subscriptions),
      T(test_relative_clock),
      T(test_absolute_clock),
      T(test_absolute_clock_in_past),
      T(test_earliest_clock_wins),
      T(test_all_expired_clocks_reported),
      T(test_invalid_clock),
      T(test_pipe_readable),
      T(test_pipe_not_ready_times_out),
      T(test_pipe_hangup),
      T(test_pipe_writable),
      T(test_regular_file_ready),
      T(test_directory_ready),
      T(test_errors_in_events),
      T(test_multiple_ready),
      T(test_many_subscriptions),
      T(test_eintr_keeps_waiting),
      T(test_huge_timeout_with_ready_fd),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
