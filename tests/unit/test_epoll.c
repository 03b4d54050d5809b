/*
 * epoll_create / epoll_ctl / epoll_wait: one test per rule of
 * abi-reference.md section 4, asserting results and the exact transitions.
 * New fds start at 4 (stdio and the preopen hold 0-3).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

#define IN WT_EPOLLIN
#define OUT WT_EPOLLOUT
#define ERR WT_EPOLLERR
#define HUP WT_EPOLLHUP
#define ET WT_EPOLLET
#define ONESHOT WT_EPOLLONESHOT
#define FOREVER UINT64_MAX
#define MS 1000000ull

typedef wt_test_observed_t fixture_t;
#define setup wt_test_observed_setup
#define teardown wt_test_observed_teardown

/* Creation helpers; the transitions they cause are not under test. */
static wt_fd_t new_epoll(fixture_t *f) {
  uint32_t fd;
  assert_ok(wt_epoll_create(f->w, &fd));
  f->rec.n = 0;
  return fd;
}

static wt_fd_t new_eventfd(fixture_t *f, uint64_t initial) {
  uint32_t fd;
  assert_ok(wt_fd_event(f->w, initial, 0, &fd));
  f->rec.n = 0;
  return fd;
}

static void new_pipe(fixture_t *f, wt_fd_t *r, wt_fd_t *w) {
  assert_ok(wt_fd_pipe(f->w, r, w));
  f->rec.n = 0;
}

static wt_epoll_event_t ev(uint32_t events, uint64_t data2) {
  wt_epoll_event_t e;
  memset(&e, 0, sizeof e);
  e.events = events;
  e.data.data2 = data2;
  return e;
}

static wt_errno_t ctl(fixture_t *f, wt_fd_t ep, uint32_t op, wt_fd_t fd,
                      uint32_t events, uint64_t data2) {
  wt_epoll_event_t e = ev(events, data2);
  return wt_epoll_ctl(f->w, ep, op, fd, &e);
}

static void efd_write(fixture_t *f, wt_fd_t fd, uint64_t v) {
  wt_ciovec_t iov = {(const uint8_t *)&v, 8}; /* little-endian host */
  uint32_t n;
  assert_ok(wt_fd_write(f->w, fd, &iov, 1, &n));
}

static uint64_t efd_read(fixture_t *f, wt_fd_t fd) {
  uint64_t v = 0;
  wt_iovec_t iov = {(uint8_t *)&v, 8};
  uint32_t n;
  assert_ok(wt_fd_read(f->w, fd, &iov, 1, &n));
  return v;
}

/* epoll_wait with room for `max` events; returns how many came. */
static uint32_t wait_n(fixture_t *f, wt_fd_t ep, wt_epoll_event_t *out,
                       uint32_t max, uint64_t timeout) {
  uint32_t n = 99;
  assert_ok(wt_epoll_wait(f->w, ep, out, max, timeout, &n));
  return n;
}

static void test_create(void **state) {
  fixture_t *f = *state;
  wt_fdstat_t st;
  uint32_t fd;
  assert_ok(wt_epoll_create(f->w, &fd));
  assert_int_equal(fd, 4);
  WT_EXPECT(&f->rec, WT_TRN(FD_OPENED, 4, 0, WT_FILETYPE_UNKNOWN, 0, 0));
  assert_ok(wt_fd_fdstat_get(f->w, fd, &st));
  assert_int_equal(st.fs_filetype, WT_FILETYPE_UNKNOWN);
  assert_int_equal(st.fs_rights_base, WT_RIGHT_POLL_FD_READWRITE |
                                          WT_RIGHT_FD_FDSTAT_SET_FLAGS);
  assert_ok(wt_fd_fdstat_set_flags(f->w, fd, WT_FDFLAG_NONBLOCK));
  assert_ok(wt_fd_fdstat_get(f->w, fd, &st));
  assert_int_equal(st.fs_flags, WT_FDFLAG_NONBLOCK);
}

/* Rules 1-3: the errors of epoll_ctl, and ADD / DEL when they succeed. */
static void test_ctl_errors(void **state) {
  fixture_t *f = *state;
  wt_fd_t ep = new_epoll(f), a = new_eventfd(f, 0);
  wt_epoll_event_t out[1];
  assert_errno(ctl(f, a, WT_EPOLL_CTL_ADD, ep, IN, 0), WT_EINVAL);
  assert_errno(ctl(f, ep, 3, a, IN, 0), WT_EINVAL);
  assert_errno(ctl(f, ep, 7, a, IN, 0), WT_EINVAL);
  assert_errno(ctl(f, ep, WT_EPOLL_CTL_ADD, 77, IN, 0), WT_EBADF);
  assert_errno(ctl(f, 77, WT_EPOLL_CTL_ADD, a, IN, 0), WT_EBADF);
  assert_errno(wt_epoll_ctl(f->w, ep, WT_EPOLL_CTL_ADD, a, NULL), WT_EFAULT);
  assert_errno(wt_epoll_ctl(f->w, ep, WT_EPOLL_CTL_MOD, a, NULL), WT_EFAULT);
  assert_errno(ctl(f, ep, WT_EPOLL_CTL_MOD, a, IN, 0), WT_ENOENT);
  assert_errno(wt_epoll_ctl(f->w, ep, WT_EPOLL_CTL_DEL, a, NULL), WT_ENOENT);
  assert_errno(wt_epoll_wait(f->w, ep, out, 0, 0, &(uint32_t){0}),
               WT_EINVAL);
  assert_errno(wt_epoll_wait(f->w, a, out, 1, 0, &(uint32_t){0}),
               WT_EINVAL);
  WT_EXPECT_NONE(&f->rec);
  /* Not ready: added, not queued. The stored mask has ERR and HUP. */
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, a, IN, 42));
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_ADDED, ep, a, IN | ERR | HUP, 0, 42));
  assert_errno(ctl(f, ep, WT_EPOLL_CTL_ADD, a, OUT, 43), WT_EEXIST);
  WT_EXPECT_NONE(&f->rec);
  /* DEL ignores the event pointer, NULL included. */
  assert_ok(wt_epoll_ctl(f->w, ep, WT_EPOLL_CTL_DEL, a, NULL));
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_REMOVED, ep, a, 0, 0, 0));
  assert_errno(wt_epoll_ctl(f->w, ep, WT_EPOLL_CTL_DEL, a, NULL), WT_ENOENT);
  /* Removed from the ready list too: nothing is reported after DEL. */
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, a, OUT, 1));
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_DEL, a, 0, 0));
  f->rec.n = 0;
  assert_int_equal(wait_n(f, ep, out, 1, 0), 0);
  WT_EXPECT_NONE(&f->rec);
}

/* Rule 1: self, cycles, and more than 5 nested instances are ELOOP. */
static void test_eloop(void **state) {
  fixture_t *f = *state;
  wt_fd_t e[6], d;
  uint32_t dup;
  for (int i = 0; i < 6; i++)
    e[i] = new_epoll(f);
  assert_errno(ctl(f, e[0], WT_EPOLL_CTL_ADD, e[0], IN, 0), WT_ELOOP);
  assert_ok(wt_fd_dup(f->w, e[0], &dup));
  d = dup;
  f->rec.n = 0;
  assert_errno(ctl(f, e[0], WT_EPOLL_CTL_ADD, d, IN, 0), WT_ELOOP);
  /* A chain e0 -> e1 -> ... -> e4 (e0 watches e1) is 5 deep: allowed. */
  for (int i = 0; i < 4; i++)
    assert_ok(ctl(f, e[i], WT_EPOLL_CTL_ADD, e[i + 1], IN, 0));
  /* Closing the loop anywhere is refused. */
  assert_errno(ctl(f, e[4], WT_EPOLL_CTL_ADD, e[0], IN, 0), WT_ELOOP);
  assert_errno(ctl(f, e[2], WT_EPOLL_CTL_ADD, e[1], IN, 0), WT_ELOOP);
  /* A sixth level, below or above, is refused. */
  assert_errno(ctl(f, e[4], WT_EPOLL_CTL_ADD, e[5], IN, 0), WT_ELOOP);
  assert_errno(ctl(f, e[5], WT_EPOLL_CTL_ADD, e[0], IN, 0), WT_ELOOP);
  /* Beside the chain is fine. */
  assert_ok(ctl(f, e[3], WT_EPOLL_CTL_ADD, e[5], IN, 0));
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_ADDED, e[0], e[1], IN | ERR | HUP, 0, 0),
            WT_TRN(EPOLL_ADDED, e[1], e[2], IN | ERR | HUP, 0, 0),
            WT_TRN(EPOLL_ADDED, e[2], e[3], IN | ERR | HUP, 0, 0),
            WT_TRN(EPOLL_ADDED, e[3], e[4], IN | ERR | HUP, 0, 0),
            WT_TRN(EPOLL_ADDED, e[3], e[5], IN | ERR | HUP, 0, 0));
}

/* Rules 4 and 5: level-triggered entries are requeued at the tail, so
 * maxevents 1 walks the ready set round-robin. */
static void test_level_round_robin(void **state) {
  fixture_t *f = *state;
  wt_fd_t ep = new_epoll(f);
  wt_fd_t a = new_eventfd(f, 1), b = new_eventfd(f, 1), c = new_eventfd(f, 1);
  wt_epoll_event_t out[4];
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, a, IN, 10));
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, b, IN, 11));
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, c, IN, 12));
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_ADDED, ep, a, IN | ERR | HUP, 0, 10),
            WT_TRN(EPOLL_READY, ep, a, IN, 0, 0),
            WT_TRN(EPOLL_ADDED, ep, b, IN | ERR | HUP, 0, 11),
            WT_TRN(EPOLL_READY, ep, b, IN, 0, 0),
            WT_TRN(EPOLL_ADDED, ep, c, IN | ERR | HUP, 0, 12),
            WT_TRN(EPOLL_READY, ep, c, IN, 0, 0));
  const wt_fd_t order[4] = {a, b, c, a};
  for (int i = 0; i < 4; i++) {
    assert_int_equal(wait_n(f, ep, out, 1, 0), 1);
    assert_int_equal(out[0].events, IN);
    assert_int_equal(out[0].data.data2, 10 + (order[i] - a));
    WT_EXPECT(&f->rec, WT_TRN(EPOLL_DELIVERED, ep, order[i], IN, 0,
                              10 + (order[i] - a)));
  }
  /* b is read empty: it is dropped at the next harvest, the others stay. */
  assert_int_equal(efd_read(f, b), 1);
  f->rec.n = 0;
  assert_int_equal(wait_n(f, ep, out, 4, 0), 2);
  assert_int_equal(out[0].data.data2, 12);
  assert_int_equal(out[1].data.data2, 10);
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_DROPPED, ep, b, 0, 0, 0),
            WT_TRN(EPOLL_DELIVERED, ep, c, IN, 0, 12),
            WT_TRN(EPOLL_DELIVERED, ep, a, IN, 0, 10));
  /* A new write queues b again, behind the requeued c and a. */
  efd_write(f, b, 1);
  WT_EXPECT(&f->rec, WT_TRN(EVENTFD_COUNTER, b, 0, 0, 1, 1),
            WT_TRN(EVENTFD_READINESS, b, 0, OUT, IN | OUT, 0),
            WT_TRN(EPOLL_READY, ep, b, IN, 0, 0));
  assert_int_equal(wait_n(f, ep, out, 4, 0), 3);
  assert_int_equal(out[2].data.data2, 11);
  f->rec.n = 0;
}

/* Rule 5, ET: delivered once, then only after a new write. */
static void test_edge_triggered(void **state) {
  fixture_t *f = *state;
  wt_fd_t ep = new_epoll(f), a = new_eventfd(f, 0);
  wt_epoll_event_t out[2];
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, a, IN | ET, 5));
  efd_write(f, a, 1);
  f->rec.n = 0;
  assert_int_equal(wait_n(f, ep, out, 2, 0), 1);
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_DELIVERED, ep, a, IN, 0, 5));
  /* Still readable, but no new edge. */
  assert_int_equal(wait_n(f, ep, out, 2, 0), 0);
  WT_EXPECT_NONE(&f->rec);
  /* A write while readable is an edge, as on Linux. */
  efd_write(f, a, 1);
  WT_EXPECT(&f->rec, WT_TRN(EVENTFD_COUNTER, a, 0, 1, 2, 1),
            WT_TRN(EPOLL_READY, ep, a, IN, 0, 0));
  assert_int_equal(wait_n(f, ep, out, 2, 0), 1);
  assert_int_equal(out[0].events, IN);
  assert_int_equal(wait_n(f, ep, out, 2, 0), 0);
  /* A read wakes OUT watchers only: this IN entry stays quiet. */
  f->rec.n = 0;
  efd_read(f, a);
  efd_write(f, a, 0);
  WT_EXPECT(&f->rec, WT_TRN(EVENTFD_COUNTER, a, 0, 2, 0, 2),
            WT_TRN(EVENTFD_READINESS, a, 0, IN | OUT, OUT, 0),
            WT_TRN(EPOLL_READY, ep, a, IN, 0, 0));
  /* The write of 0 woke it, but nothing is readable: dropped. */
  assert_int_equal(wait_n(f, ep, out, 2, 0), 0);
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_DROPPED, ep, a, 0, 0, 0));
}

/* ET on a host pipe: edges between samples, re-armed by a transfer. */
static void test_edge_triggered_pipe(void **state) {
  fixture_t *f = *state;
  wt_fd_t ep = new_epoll(f), r, w;
  wt_epoll_event_t out[2];
  char buf[16];
  wt_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  uint32_t n;
  new_pipe(f, &r, &w);
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, r, IN | ET, 1));
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_ADDED, ep, r, IN | ET | ERR | HUP, 0, 1));
  assert_int_equal(wait_n(f, ep, out, 2, 0), 0);
  assert_ok(wt_test_write_str(f->w, w, "ab"));
  assert_int_equal(wait_n(f, ep, out, 2, 0), 1);
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_READY, ep, r, IN, 0, 0),
            WT_TRN(EPOLL_DELIVERED, ep, r, IN, 0, 1));
  assert_int_equal(wait_n(f, ep, out, 2, 10 * MS), 0);
  WT_EXPECT_NONE(&f->rec);
  /* Drained, then new data: a new edge. */
  assert_ok(wt_fd_read(f->w, r, &iov, 1, &n));
  assert_int_equal(n, 2);
  assert_ok(wt_test_write_str(f->w, w, "c"));
  assert_int_equal(wait_n(f, ep, out, 2, FOREVER), 1);
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_READY, ep, r, IN, 0, 0),
            WT_TRN(EPOLL_DELIVERED, ep, r, IN, 0, 1));
}

/* Rule 5, ONESHOT: disabled after one event, re-armed by MOD (rule 2). */
static void test_oneshot(void **state) {
  fixture_t *f = *state;
  wt_fd_t ep = new_epoll(f), a = new_eventfd(f, 1);
  wt_epoll_event_t out[2];
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, a, IN | ONESHOT, 7));
  f->rec.n = 0;
  assert_int_equal(wait_n(f, ep, out, 2, 0), 1);
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_DELIVERED, ep, a, IN, 0, 7),
            WT_TRN(EPOLL_DISABLED, ep, a, 0, 0, 0));
  efd_write(f, a, 1);
  WT_EXPECT(&f->rec, WT_TRN(EVENTFD_COUNTER, a, 0, 1, 2, 1));
  assert_int_equal(wait_n(f, ep, out, 2, 0), 0);
  WT_EXPECT_NONE(&f->rec);
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_MOD, a, IN | ONESHOT, 8));
  WT_EXPECT(&f->rec,
            WT_TRN(EPOLL_MODIFIED, ep, a, IN | ONESHOT | ERR | HUP, 0, 8),
            WT_TRN(EPOLL_READY, ep, a, IN, 0, 0));
  assert_int_equal(wait_n(f, ep, out, 2, 0), 1);
  assert_int_equal(out[0].data.data2, 8);
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_DELIVERED, ep, a, IN, 0, 8),
            WT_TRN(EPOLL_DISABLED, ep, a, 0, 0, 0));
}

/* ERR and HUP are reported whether asked for or not. */
static void test_err_hup_always(void **state) {
  fixture_t *f = *state;
  wt_fd_t ep = new_epoll(f), r, w, r2, w2;
  wt_epoll_event_t out[2];
  new_pipe(f, &r, &w);
  new_pipe(f, &r2, &w2);
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, r, 0, 1));
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, w2, IN, 2));
  assert_int_equal(wait_n(f, ep, out, 2, 0), 0);
  f->rec.n = 0;
  assert_ok(wt_fd_close(f->w, w));
  assert_ok(wt_fd_close(f->w, r2));
  f->rec.n = 0;
  assert_int_equal(wait_n(f, ep, out, 2, 0), 2);
  assert_int_equal(out[0].events, HUP);
  assert_int_equal(out[0].data.data2, 1);
  assert_int_equal(out[1].events, ERR);
  assert_int_equal(out[1].data.data2, 2);
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_READY, ep, r, HUP, 0, 0),
            WT_TRN(EPOLL_READY, ep, w2, ERR, 0, 0),
            WT_TRN(EPOLL_DELIVERED, ep, r, HUP, 0, 1),
            WT_TRN(EPOLL_DELIVERED, ep, w2, ERR, 0, 2));
}

/* The 24 data bytes come back bit-exact; the record is fully written. */
static void test_data_echo(void **state) {
  fixture_t *f = *state;
  wt_fd_t ep = new_epoll(f), a = new_eventfd(f, 1);
  wt_epoll_event_t in, out[2], want;
  memset(&in, 0, sizeof in);
  in.events = IN;
  in.data.ptr = 0xdeadbeef;
  in.data.fd = 0x12345678;
  in.data.data1 = 0xcafebabe;
  in.data.data2 = 0x0123456789abcdefull;
  assert_ok(wt_epoll_ctl(f->w, ep, WT_EPOLL_CTL_ADD, a, &in));
  memset(out, 0xaa, sizeof out);
  assert_int_equal(wait_n(f, ep, out, 2, 0), 1);
  want = in;
  assert_memory_equal(&out[0], &want, sizeof want);
  /* The second slot is untouched. */
  assert_int_equal(((uint8_t *)&out[1])[0], 0xaa);
  /* MOD replaces the data. */
  in.data.ptr = 1;
  in.data.data2 = UINT64_MAX;
  assert_ok(wt_epoll_ctl(f->w, ep, WT_EPOLL_CTL_MOD, a, &in));
  assert_int_equal(wait_n(f, ep, out, 2, 0), 1);
  assert_memory_equal(&out[0], &in, sizeof in);
}

/* Rule 6 and nesting: an epoll fd is readable when an entry is ready. */
static void test_nested(void **state) {
  fixture_t *f = *state;
  wt_fd_t outer = new_epoll(f), inner = new_epoll(f), a = new_eventfd(f, 0);
  wt_epoll_event_t out[2];
  wt_subscription_t sub;
  wt_event_t pev;
  uint32_t n;
  assert_ok(ctl(f, inner, WT_EPOLL_CTL_ADD, a, IN, 1));
  assert_ok(ctl(f, outer, WT_EPOLL_CTL_ADD, inner, IN, 2));
  f->rec.n = 0;
  assert_int_equal(wait_n(f, outer, out, 2, 0), 0);
  /* The write wakes the inner entry, and through it the outer one. */
  efd_write(f, a, 1);
  WT_EXPECT(&f->rec, WT_TRN(EVENTFD_COUNTER, a, 0, 0, 1, 1),
            WT_TRN(EVENTFD_READINESS, a, 0, OUT, IN | OUT, 0),
            WT_TRN(EPOLL_READY, inner, a, IN, 0, 0),
            WT_TRN(EPOLL_READY, outer, inner, IN, 0, 0));
  assert_int_equal(wait_n(f, outer, out, 2, 0), 1);
  assert_int_equal(out[0].events, IN);
  assert_int_equal(out[0].data.data2, 2);
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_DELIVERED, outer, inner, IN, 0, 2));
  /* poll_oneoff sees the inner epoll fd readable. */
  memset(&sub, 0, sizeof sub);
  sub.userdata = 9;
  sub.u.tag = WT_EVENTTYPE_FD_READ;
  sub.u.u.fd_readwrite.fd = inner;
  assert_ok(wt_poll_oneoff(f->w, &sub, &pev, 1, &n));
  assert_int_equal(n, 1);
  assert_int_equal(pev.userdata, 9);
  assert_int_equal(pev.error, WT_ESUCCESS);
  /* Read empty: the check of the inner fd drops its stale entry. */
  efd_read(f, a);
  f->rec.n = 0;
  assert_int_equal(wait_n(f, outer, out, 2, 0), 0);
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_DROPPED, inner, a, 0, 0, 0),
            WT_TRN(EPOLL_DROPPED, outer, inner, 0, 0, 0));
  assert_int_equal(wait_n(f, inner, out, 2, 0), 0);
  WT_EXPECT_NONE(&f->rec);
}

/* Rules 7 and 8: entries go with the last reference; a dup keeps them. */
static void test_close_removes(void **state) {
  fixture_t *f = *state;
  wt_fd_t ep = new_epoll(f), a = new_eventfd(f, 0), ep2 = new_epoll(f);
  wt_epoll_event_t out[2];
  uint32_t d;
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, a, IN, 3));
  assert_ok(ctl(f, ep2, WT_EPOLL_CTL_ADD, a, IN, 4));
  assert_ok(wt_fd_dup(f->w, a, &d));
  f->rec.n = 0;
  assert_ok(wt_fd_close(f->w, a));
  WT_EXPECT(&f->rec, WT_TRN(FD_CLOSED, a, 0, 0, 0, 0));
  /* Still watched, under its original key. */
  efd_write(f, d, 1);
  WT_EXPECT(&f->rec, WT_TRN(EVENTFD_COUNTER, d, 0, 0, 1, 1),
            WT_TRN(EVENTFD_READINESS, d, 0, OUT, IN | OUT, 0),
            WT_TRN(EPOLL_READY, ep2, a, IN, 0, 0),
            WT_TRN(EPOLL_READY, ep, a, IN, 0, 0));
  assert_int_equal(wait_n(f, ep, out, 2, 0), 1);
  assert_int_equal(out[0].data.data2, 3);
  /* DEL through the closed number is EBADF. */
  assert_errno(ctl(f, ep, WT_EPOLL_CTL_DEL, a, 0, 0), WT_EBADF);
  /* Closing the epoll fd releases its interest set (rule 8). */
  f->rec.n = 0;
  assert_ok(wt_fd_close(f->w, ep2));
  WT_EXPECT(&f->rec, WT_TRN(FD_CLOSED, ep2, 0, 0, 0, 0),
            WT_TRN(EPOLL_REMOVED_BY_CLOSE, ep2, a, 0, 0, 0));
  /* The last reference goes (rule 7). */
  assert_ok(wt_fd_close(f->w, d));
  WT_EXPECT(&f->rec, WT_TRN(FD_CLOSED, d, 0, 0, 0, 0),
            WT_TRN(EPOLL_REMOVED_BY_CLOSE, ep, a, 0, 0, 0));
  assert_int_equal(wait_n(f, ep, out, 2, 0), 0);
  WT_EXPECT_NONE(&f->rec);
}

/* Puts a host fd into the table (the table takes it over). */
static wt_fd_t inject(fixture_t *f, int host, uint8_t kind,
                      wt_filetype_t type) {
  wt__desc_t *d = wt__desc_new(f->w, kind, type, host);
  wt_fd_t fd;
  assert_non_null(d);
  assert_ok(wt__fd_insert(f->w, d, WT_RIGHTS_ALL, 0, 0, &fd));
  f->rec.n = 0;
  return fd;
}

/* Sockets, regular files and a stdin-like character device. */
static void test_host_kinds(void **state) {
  fixture_t *f = *state;
  wt_fd_t ep = new_epoll(f), s, file, tty;
  wt_epoll_event_t out[4];
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  s = inject(f, sv[0], WT_DESC_SOCKET, WT_FILETYPE_SOCKET_STREAM);
  wt_test_write_file(&f->env, "f.txt", "x");
  file = wt_test_open_file(f->w, "f.txt", 0, WT_RIGHTS_REGULAR_FILE);
  tty = inject(f, open("/dev/null", O_RDONLY | O_CLOEXEC), WT_DESC_HOST,
               WT_FILETYPE_CHARACTER_DEVICE);
  f->rec.n = 0;
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, s, IN, 1));
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, file, IN | OUT, 2));
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, tty, IN, 3));
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_ADDED, ep, s, IN | ERR | HUP, 0, 1),
            WT_TRN(EPOLL_ADDED, ep, file, IN | OUT | ERR | HUP, 0, 2),
            WT_TRN(EPOLL_READY, ep, file, IN | OUT, 0, 0),
            WT_TRN(EPOLL_ADDED, ep, tty, IN | ERR | HUP, 0, 3),
            WT_TRN(EPOLL_READY, ep, tty, IN, 0, 0));
  assert_int_equal(wait_n(f, ep, out, 4, 0), 2);
  assert_int_equal(out[0].events, IN | OUT);
  assert_int_equal(out[1].events, IN);
  f->rec.n = 0;
  /* The peer sends: the socket joins the ready list behind the others. */
  assert_int_equal(write(sv[1], "hi", 2), 2);
  assert_int_equal(wait_n(f, ep, out, 4, 0), 3);
  assert_int_equal(out[2].data.data2, 1);
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_READY, ep, s, IN, 0, 0),
            WT_TRN(EPOLL_DELIVERED, ep, file, IN | OUT, 0, 2),
            WT_TRN(EPOLL_DELIVERED, ep, tty, IN, 0, 3),
            WT_TRN(EPOLL_DELIVERED, ep, s, IN, 0, 1));
  /* The peer hangs up. */
  close(sv[1]);
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_DEL, file, 0, 0));
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_DEL, tty, 0, 0));
  assert_int_equal(wait_n(f, ep, out, 4, 0), 1);
  assert_int_equal(out[0].events, IN | HUP);
}

static void *write_later(void *arg) {
  int fd = *(int *)arg;
  struct timespec ts = {0, 30 * 1000000};
  nanosleep(&ts, NULL);
  if (write(fd, "x", 1) != 1)
    return arg;
  return NULL;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Timeouts: 0 samples, a short one expires, forever waits for a host fd. */
static void test_timeouts(void **state) {
  fixture_t *f = *state;
  wt_fd_t ep = new_epoll(f), a = new_eventfd(f, 0), r, w;
  wt_epoll_event_t out[2];
  pthread_t t;
  uint64_t t0;
  uint32_t n;
  int host_w;
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, a, IN, 1));
  t0 = now_ns();
  assert_int_equal(wait_n(f, ep, out, 2, 0), 0);
  assert_true(now_ns() - t0 < 20 * MS);
  t0 = now_ns();
  assert_int_equal(wait_n(f, ep, out, 2, 20 * MS), 0);
  assert_true(now_ns() - t0 >= 20 * MS);
  /* Forever with nothing that could ever wake it (no host fd, no timer). */
  assert_errno(wt_epoll_wait(f->w, ep, out, 2, FOREVER, &n), WT_EDEADLK);
  /* Forever, woken by a host fd written from another thread. */
  new_pipe(f, &r, &w);
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, r, IN, 2));
  host_w = f->w->fds[w].desc->host_fd;
  assert_int_equal(pthread_create(&t, NULL, write_later, &host_w), 0);
  f->rec.n = 0;
  assert_int_equal(wait_n(f, ep, out, 2, FOREVER), 1);
  assert_int_equal(out[0].data.data2, 2);
  assert_null(pthread_join(t, NULL) == 0 ? NULL : "join");
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_READY, ep, r, IN, 0, 0),
            WT_TRN(EPOLL_DELIVERED, ep, r, IN, 0, 2));
}

/* poll_oneoff on an epoll fd waits for the host fds of its interest set. */
static void test_poll_oneoff_waits(void **state) {
  fixture_t *f = *state;
  wt_fd_t ep = new_epoll(f), r, w;
  wt_subscription_t sub[2];
  wt_event_t pev[2];
  pthread_t t;
  uint32_t n;
  int host_w;
  new_pipe(f, &r, &w);
  assert_ok(ctl(f, ep, WT_EPOLL_CTL_ADD, r, IN, 2));
  memset(sub, 0, sizeof sub);
  sub[0].userdata = 1;
  sub[0].u.tag = WT_EVENTTYPE_FD_READ;
  sub[0].u.u.fd_readwrite.fd = ep;
  sub[1].userdata = 2;
  sub[1].u.tag = WT_EVENTTYPE_CLOCK;
  sub[1].u.u.clock.id = WT_CLOCK_MONOTONIC;
  sub[1].u.u.clock.timeout = 5 * MS;
  assert_ok(wt_poll_oneoff(f->w, sub, pev, 2, &n));
  assert_int_equal(n, 1);
  assert_int_equal(pev[0].userdata, 2);
  host_w = f->w->fds[w].desc->host_fd;
  assert_int_equal(pthread_create(&t, NULL, write_later, &host_w), 0);
  f->rec.n = 0;
  assert_ok(wt_poll_oneoff(f->w, sub, pev, 1, &n));
  assert_int_equal(pthread_join(t, NULL), 0);
  assert_int_equal(n, 1);
  assert_int_equal(pev[0].userdata, 1);
  assert_int_equal(pev[0].type, WT_EVENTTYPE_FD_READ);
  WT_EXPECT(&f->rec, WT_TRN(EPOLL_READY, ep, r, IN, 0, 0));
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_create),
      T(test_ctl_errors),
      T(test_eloop),
      T(test_level_round_robin),
      T(test_edge_triggered),
      T(test_edge_triggered_pipe),
      T(test_oneshot),
      T(test_err_hup_always),
      T(test_data_echo),
      T(test_nested),
      T(test_close_removes),
      T(test_host_kinds),
      T(test_timeouts),
      T(test_poll_oneoff_waits),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
