/*
 * fd_event: the eventfd state machine through fd_read, fd_write,
 * poll_oneoff and the fd calls, with the exact transitions each step
 * reports. Every new fd lands on 4: the environment holds stdio and the
 * preopen at 3.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

#define MAXV 0xfffffffffffffffeull
#define IN WT_EPOLLIN
#define OUT WT_EPOLLOUT
#define UNKNOWN WT_FILETYPE_UNKNOWN
#define C_CREATE WT_EVENTFD_CAUSE_CREATE
#define C_WRITE WT_EVENTFD_CAUSE_WRITE
#define C_READ WT_EVENTFD_CAUSE_READ
#define EVENTFD_RIGHTS                                                       \
  (WT_RIGHT_FD_READ | WT_RIGHT_FD_WRITE | WT_RIGHT_POLL_FD_READWRITE |       \
   WT_RIGHT_FD_FDSTAT_SET_FLAGS)

typedef wt_test_observed_t fixture_t;
#define setup wt_test_observed_setup
#define teardown wt_test_observed_teardown

static wt_fd_t make(fixture_t *f, uint64_t initial, uint16_t flags) {
  uint32_t fd = 0;
  assert_ok(wt_fd_event(f->w, initial, flags, &fd));
  f->rec.n = 0;
  return fd;
}

static wt_errno_t rd(wt_t *w, wt_fd_t fd, uint64_t *v) {
  uint8_t b[8];
  wt_iovec_t iov = {b, sizeof b};
  uint32_t n = 0;
  wt_errno_t err = wt_fd_read(w, fd, &iov, 1, &n);
  if (err == WT_ESUCCESS) {
    assert_int_equal(n, 8);
    *v = 0;
    for (int i = 7; i >= 0; i--)
      *v = (*v << 8) | b[i];
  }
  return err;
}

static wt_errno_t wr(wt_t *w, wt_fd_t fd, uint64_t v) {
  uint8_t b[8];
  wt_ciovec_t iov = {b, sizeof b};
  uint32_t n = 0;
  wt_errno_t err;
  for (int i = 0; i < 8; i++)
    b[i] = (uint8_t)(v >> (8 * i));
  err = wt_fd_write(w, fd, &iov, 1, &n);
  if (err == WT_ESUCCESS)
    assert_int_equal(n, 8);
  return err;
}

static void test_create(void **state) {
  fixture_t *f = *state;
  wt_fdstat_t st;
  uint32_t fd = 99;
  assert_ok(wt_fd_event(f->w, 0, 0, &fd));
  assert_int_equal(fd, 4);
  WT_EXPECT(&f->rec, WT_TRN(FD_OPENED, 4, 0, UNKNOWN, 0, 0));
  assert_ok(wt_fd_fdstat_get(f->w, 4, &st));
  assert_int_equal(st.fs_filetype, WT_FILETYPE_UNKNOWN);
  assert_int_equal(st.fs_flags, 0);
  assert_int_equal(st.fs_rights_base, EVENTFD_RIGHTS);
  assert_int_equal(st.fs_rights_inheriting, 0);
  /* An initial value is a change from 0, the state every eventfd starts in. */
  assert_ok(wt_fd_event(f->w, 5, WT_EVENTFD_SEMAPHORE, &fd));
  assert_int_equal(fd, 5);
  WT_EXPECT(&f->rec, WT_TRN(FD_OPENED, 5, 0, UNKNOWN, 0, 0),
            WT_TRN(EVENTFD_COUNTER, 5, 0, 0, 5, C_CREATE),
            WT_TRN(EVENTFD_READINESS, 5, 0, OUT, IN | OUT, 0));
  /* Unknown flag bits and a value past the maximum. */
  assert_errno(wt_fd_event(f->w, 0, 0x8, &fd), WT_EINVAL);
  assert_errno(wt_fd_event(f->w, 0, 0x2, &fd), WT_EINVAL);
  assert_errno(wt_fd_event(f->w, UINT64_MAX, 0, &fd), WT_EINVAL);
  WT_EXPECT_NONE(&f->rec);
  assert_ok(wt_fd_event(f->w, MAXV, 0, &fd));
  WT_EXPECT(&f->rec, WT_TRN(FD_OPENED, 6, 0, UNKNOWN, 0, 0),
            WT_TRN(EVENTFD_COUNTER, 6, 0, 0, MAXV, C_CREATE),
            WT_TRN(EVENTFD_READINESS, 6, 0, OUT, IN, 0));
}

static void test_normal_read_resets(void **state) {
  fixture_t *f = *state;
  wt_fd_t fd = make(f, 0, 0);
  uint64_t v = 0;
  assert_ok(wr(f->w, fd, 3));
  assert_ok(wr(f->w, fd, 4));
  WT_EXPECT(&f->rec, WT_TRN(EVENTFD_COUNTER, fd, 0, 0, 3, C_WRITE),
            WT_TRN(EVENTFD_READINESS, fd, 0, OUT, IN | OUT, 0),
            WT_TRN(EVENTFD_COUNTER, fd, 0, 3, 7, C_WRITE));
  assert_ok(rd(f->w, fd, &v));
  assert_int_equal(v, 7);
  WT_EXPECT(&f->rec, WT_TRN(EVENTFD_COUNTER, fd, 0, 7, 0, C_READ),
            WT_TRN(EVENTFD_READINESS, fd, 0, IN | OUT, OUT, 0));
  /* A write of 0 changes nothing and reports nothing. */
  assert_ok(wr(f->w, fd, 0));
  WT_EXPECT_NONE(&f->rec);
}

static void test_semaphore_read_decrements(void **state) {
  fixture_t *f = *state;
  wt_fd_t fd = make(f, 2, WT_EVENTFD_SEMAPHORE);
  uint64_t v = 0;
  assert_ok(rd(f->w, fd, &v));
  assert_int_equal(v, 1);
  WT_EXPECT(&f->rec, WT_TRN(EVENTFD_COUNTER, fd, 0, 2, 1, C_READ));
  assert_ok(rd(f->w, fd, &v));
  assert_int_equal(v, 1);
  WT_EXPECT(&f->rec, WT_TRN(EVENTFD_COUNTER, fd, 0, 1, 0, C_READ),
            WT_TRN(EVENTFD_READINESS, fd, 0, IN | OUT, OUT, 0));
  /* Empty and blocking, with no timer that could ever wake it. */
  assert_errno(rd(f->w, fd, &v), WT_EDEADLK);
  WT_EXPECT_NONE(&f->rec);
}

/* Reads need room for 8 bytes; the value may be scattered over iovecs. */
static void test_read_eight_byte_rule(void **state) {
  fixture_t *f = *state;
  wt_fd_t fd = make(f, 0x0807060504030201ull, 0);
  uint8_t a[3], b[1], c[6], small[7];
  wt_iovec_t short_iov[2] = {{small, 4}, {small + 4, 3}};
  wt_iovec_t split[3] = {{a, 3}, {b, 1}, {c, 6}};
  uint32_t n = 0;
  assert_errno(wt_fd_read(f->w, fd, short_iov, 2, &n), WT_EINVAL);
  assert_errno(wt_fd_read(f->w, fd, NULL, 0, &n), WT_EINVAL);
  WT_EXPECT_NONE(&f->rec);
  memset(c, 0xee, sizeof c);
  assert_ok(wt_fd_read(f->w, fd, split, 3, &n));
  assert_int_equal(n, 8);
  assert_memory_equal(a, "\x01\x02\x03", 3);
  assert_int_equal(b[0], 4);
  assert_memory_equal(c, "\x05\x06\x07\x08\xee\xee", 6);
  WT_EXPECT(
      &f->rec,
      WT_TRN(EVENTFD_COUNTER, fd, 0, 0x0807060504030201ull, 0, C_READ),
      WT_TRN(EVENTFD_READINESS, fd, 0, IN | OUT, OUT, 0));
}

/* Writes take exactly 8 little-endian bytes, gathered over iovecs. */
static void test_write_eight_byte_rule(void **state) {
  fixture_t *f = *state;
  wt_fd_t fd = make(f, 0, 0);
  const uint8_t bytes[16] = {0x10, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  wt_ciovec_t short_iov = {bytes, 7};
  wt_ciovec_t split[2] = {{bytes, 2}, {bytes + 2, 6}};
  wt_ciovec_t long_iov = {bytes, 16};
  uint32_t n = 0;
  assert_errno(wt_fd_write(f->w, fd, &short_iov, 1, &n), WT_EINVAL);
  assert_errno(wt_fd_write(f->w, fd, NULL, 0, &n), WT_EINVAL);
  WT_EXPECT_NONE(&f->rec);
  assert_ok(wt_fd_write(f->w, fd, split, 2, &n));
  assert_int_equal(n, 8);
  /* Only the first 8 of 16 bytes count; the write reports 8. */
  assert_ok(wt_fd_write(f->w, fd, &long_iov, 1, &n));
  assert_int_equal(n, 8);
  WT_EXPECT(&f->rec, WT_TRN(EVENTFD_COUNTER, fd, 0, 0, 0x10, C_WRITE),
            WT_TRN(EVENTFD_READINESS, fd, 0, OUT, IN | OUT, 0),
            WT_TRN(EVENTFD_COUNTER, fd, 0, 0x10, 0x20, C_WRITE));
}

static void test_max_value(void **state) {
  fixture_t *f = *state;
  wt_fd_t fd = make(f, 0, 0);
  uint64_t v = 0;
  assert_errno(wr(f->w, fd, UINT64_MAX), WT_EINVAL);
  WT_EXPECT_NONE(&f->rec);
  assert_ok(wr(f->w, fd, MAXV - 1));
  assert_ok(wr(f->w, fd, 1));
  WT_EXPECT(&f->rec, WT_TRN(EVENTFD_COUNTER, fd, 0, 0, MAXV - 1, C_WRITE),
            WT_TRN(EVENTFD_READINESS, fd, 0, OUT, IN | OUT, 0),
            WT_TRN(EVENTFD_COUNTER, fd, 0, MAXV - 1, MAXV, C_WRITE),
            WT_TRN(EVENTFD_READINESS, fd, 0, IN | OUT, IN, 0));
  /* Full: even a write of 1 would pass the maximum; blocking with nothing
   * that could ever make room. */
  assert_errno(wr(f->w, fd, 1), WT_EDEADLK);
  /* A write of 0 still fits. */
  assert_ok(wr(f->w, fd, 0));
  WT_EXPECT_NONE(&f->rec);
  assert_ok(rd(f->w, fd, &v));
  assert_int_equal(v, MAXV);
  WT_EXPECT(&f->rec, WT_TRN(EVENTFD_COUNTER, fd, 0, MAXV, 0, C_READ),
            WT_TRN(EVENTFD_READINESS, fd, 0, IN, OUT, 0));
}

/* EAGAIN on both sides once NONBLOCK, set either way. */
static void test_nonblock_eagain(void **state) {
  fixture_t *f = *state;
  wt_fd_t a = make(f, 0, WT_EVENTFD_NONBLOCK);
  wt_fd_t b = make(f, 0, 0);
  wt_fdstat_t st;
  uint64_t v = 0;
  assert_errno(rd(f->w, a, &v), WT_EAGAIN);
  assert_ok(wt_fd_fdstat_get(f->w, a, &st));
  assert_int_equal(st.fs_flags, WT_FDFLAG_NONBLOCK);
  assert_ok(wt_fd_fdstat_set_flags(f->w, b, WT_FDFLAG_NONBLOCK));
  assert_errno(rd(f->w, b, &v), WT_EAGAIN);
  WT_EXPECT_NONE(&f->rec);
  assert_ok(wr(f->w, b, MAXV));
  f->rec.n = 0;
  assert_errno(wr(f->w, b, 1), WT_EAGAIN);
  WT_EXPECT_NONE(&f->rec);
  assert_int_equal(f->w->fds[b].desc->count, MAXV);
  /* Back to blocking. */
  assert_ok(wt_fd_fdstat_set_flags(f->w, b, 0));
  assert_errno(wr(f->w, b, 1), WT_EDEADLK);
}

static wt_subscription_t fd_sub(uint64_t ud, uint8_t tag, wt_fd_t fd) {
  wt_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = tag;
  s.u.u.fd_readwrite.fd = fd;
  return s;
}

static wt_subscription_t clock_sub(uint64_t ud, uint64_t ns) {
  wt_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = WT_EVENTTYPE_CLOCK;
  s.u.u.clock.id = WT_CLOCK_MONOTONIC;
  s.u.u.clock.timeout = ns;
  return s;
}

static void test_poll_oneoff_counter(void **state) {
  fixture_t *f = *state;
  wt_fd_t fd = make(f, 0, 0);
  wt_subscription_t in[3] = {fd_sub(1, WT_EVENTTYPE_FD_READ, fd),
                             fd_sub(2, WT_EVENTTYPE_FD_WRITE, fd),
                             clock_sub(3, 1000000)};
  wt_event_t out[3];
  uint32_t n = 0;
  /* Counter 0: writable, not readable. */
  assert_ok(wt_poll_oneoff(f->w, in, out, 3, &n));
  assert_int_equal(n, 1);
  assert_int_equal(out[0].userdata, 2);
  assert_int_equal(out[0].error, WT_ESUCCESS);
  assert_int_equal(out[0].fd_readwrite.nbytes, 8);
  /* Counter 1: both. */
  assert_ok(wr(f->w, fd, 1));
  assert_ok(wt_poll_oneoff(f->w, in, out, 3, &n));
  assert_int_equal(n, 2);
  assert_int_equal(out[0].userdata, 1);
  assert_int_equal(out[0].type, WT_EVENTTYPE_FD_READ);
  assert_int_equal(out[1].userdata, 2);
  /* Counter at the maximum: readable only. */
  assert_ok(wr(f->w, fd, MAXV - 1));
  assert_ok(wt_poll_oneoff(f->w, in, out, 3, &n));
  assert_int_equal(n, 1);
  assert_int_equal(out[0].userdata, 1);
  /* Read out: neither; the clock ends the wait. */
  {
    uint64_t v;
    assert_ok(rd(f->w, fd, &v));
    assert_ok(wr(f->w, fd, MAXV));
    assert_ok(rd(f->w, fd, &v));
  }
  in[1] = fd_sub(2, WT_EVENTTYPE_FD_READ, fd);
  assert_ok(wt_poll_oneoff(f->w, in, out, 3, &n));
  assert_int_equal(n, 1);
  assert_int_equal(out[0].userdata, 3);
  /* Nothing but an eventfd that is not ready, no clock, no timer. */
  assert_errno(wt_poll_oneoff(f->w, in, out, 1, &n), WT_EDEADLK);
  /* poll_oneoff observes; it changes no counter. */
  f->rec.n = 0;
  assert_ok(wt_poll_oneoff(f->w, in, out, 3, &n));
  WT_EXPECT_NONE(&f->rec);
}

/* The fd calls answer without a host fd behind the eventfd. */
static void test_fd_calls(void **state) {
  fixture_t *f = *state;
  wt_fd_t fd = make(f, 1, 0);
  wt_filestat_t fst;
  wt_iovec_t iov = {(uint8_t *)&fst, 8};
  wt_ciovec_t ciov = {(const uint8_t *)&fst, 8};
  uint64_t off = 0;
  uint32_t n = 0;
  uint16_t roflags = 0;
  /* The rights Wasmer grants: no sync, seek or filestat. */
  assert_errno(wt_fd_sync(f->w, fd), WT_ENOTCAPABLE);
  assert_errno(wt_fd_datasync(f->w, fd), WT_ENOTCAPABLE);
  assert_errno(wt_fd_seek(f->w, fd, 0, WT_WHENCE_SET, &off), WT_ENOTCAPABLE);
  assert_errno(wt_fd_filestat_get(f->w, fd, &fst), WT_ENOTCAPABLE);
  /* Held anyway, they answer as Linux does for an eventfd. */
  f->w->fds[fd].base = WT_RIGHTS_ALL;
  assert_errno(wt_fd_sync(f->w, fd), WT_EINVAL);
  assert_errno(wt_fd_datasync(f->w, fd), WT_EINVAL);
  assert_errno(wt_fd_seek(f->w, fd, 0, WT_WHENCE_SET, &off), WT_ESPIPE);
  assert_errno(wt_fd_tell(f->w, fd, &off), WT_ESPIPE);
  assert_errno(wt_fd_pread(f->w, fd, &iov, 1, 0, &n), WT_ESPIPE);
  assert_errno(wt_fd_pwrite(f->w, fd, &ciov, 1, 0, &n), WT_ESPIPE);
  memset(&fst, 0xff, sizeof fst);
  assert_ok(wt_fd_filestat_get(f->w, fd, &fst));
  assert_int_equal(fst.filetype, WT_FILETYPE_UNKNOWN);
  assert_int_equal(fst.size, 0);
  assert_int_equal(fst.ino, 0);
  assert_errno(wt_sock_recv(f->w, fd, &iov, 1, 0, &n, &roflags),
               WT_ENOTSOCK);
  /* Only NONBLOCK applies; nothing changes otherwise. */
  assert_errno(wt_fd_fdstat_set_flags(f->w, fd, WT_FDFLAG_APPEND),
               WT_ENOTSUP);
  assert_false(f->w->fds[fd].desc->nonblock);
  WT_EXPECT_NONE(&f->rec);
  /* Renumbering keeps the counter; closing reports the fd only. */
  assert_ok(wt_fd_renumber(f->w, fd, 3));
  WT_EXPECT(&f->rec, WT_TRN(FD_CLOSED, 3, 0, 0, 0, 0),
            WT_TRN(FD_RENUMBERED, fd, 3, 0, 0, 0));
  assert_ok(rd(f->w, 3, &off));
  assert_int_equal(off, 1);
  f->rec.n = 0;
  assert_ok(wt_fd_close(f->w, 3));
  WT_EXPECT(&f->rec, WT_TRN(FD_CLOSED, 3, 0, 0, 0, 0));
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_create),
      T(test_normal_read_resets),
      T(test_semaphore_read_decrements),
      T(test_read_eight_byte_rule),
      T(test_write_eight_byte_rule),
      T(test_max_value),
      T(test_nonblock_eagain),
      T(test_poll_oneoff_counter),
      T(test_fd_calls),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
