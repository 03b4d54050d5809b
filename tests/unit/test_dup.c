/*
 * fd_pipe, fd_dup, fd_dup2, fd_fdflags_get / fd_fdflags_set, with the fd
 * table transitions they report. New fds start at 4.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

#define UNKNOWN WT_FILETYPE_UNKNOWN

typedef wt_test_observed_t fixture_t;
#define setup wt_test_observed_setup
#define teardown wt_test_observed_teardown

static wt_errno_t read_str(wt_t *w, wt_fd_t fd, char *buf, uint32_t size,
                           uint32_t *n) {
  wt_iovec_t iov = {(uint8_t *)buf, size};
  return wt_fd_read(w, fd, &iov, 1, n);
}

/* One-way: data goes from the write end to the read end only. */
static void test_pipe(void **state) {
  fixture_t *f = *state;
  uint32_t r = 0, w = 0, n = 0;
  wt_fdstat_t st;
  char buf[8];
  assert_ok(wt_fd_pipe(f->w, &r, &w));
  assert_int_equal(r, 4);
  assert_int_equal(w, 5);
  WT_EXPECT(&f->rec, WT_TRN(FD_OPENED, 4, 0, UNKNOWN, 0, 0),
            WT_TRN(FD_OPENED, 5, 0, UNKNOWN, 0, 0));
  assert_ok(wt_fd_fdstat_get(f->w, r, &st));
  assert_int_equal(st.fs_filetype, WT_FILETYPE_UNKNOWN);
  assert_int_equal(st.fs_rights_base, WT_RIGHTS_TTY);
  assert_ok(wt_test_write_str(f->w, w, "ping"));
  assert_ok(read_str(f->w, r, buf, sizeof buf, &n));
  assert_int_equal(n, 4);
  assert_memory_equal(buf, "ping", 4);
  /* The wrong direction fails in the host, as on Linux. */
  assert_errno(wt_test_write_str(f->w, r, "x"), WT_EBADF);
  assert_errno(read_str(f->w, w, buf, sizeof buf, &n), WT_EBADF);
  /* Empty and NONBLOCK: EAGAIN; the writer gone: end of file. */
  assert_ok(wt_fd_fdstat_set_flags(f->w, r, WT_FDFLAG_NONBLOCK));
  assert_errno(read_str(f->w, r, buf, sizeof buf, &n), WT_EAGAIN);
  assert_ok(wt_fd_close(f->w, w));
  assert_ok(read_str(f->w, r, buf, sizeof buf, &n));
  assert_int_equal(n, 0);
  /* The reader gone: EPIPE, not a SIGPIPE that would kill the host. */
  assert_ok(wt_fd_pipe(f->w, &r, &w));
  assert_ok(wt_fd_close(f->w, r));
  assert_errno(wt_test_write_str(f->w, w, "x"), WT_EPIPE);
}

/* A dup shares the description (the offset) and keeps the rights. */
static void test_dup(void **state) {
  fixture_t *f = *state;
  wt_fd_t file;
  uint32_t d = 0;
  uint64_t off = 0;
  uint16_t fl = 9;
  wt_fdstat_t st;
  wt_test_write_file(&f->env, "a.txt", "");
  file = wt_test_open_file(f->w, "a.txt", 0,
                           WT_RIGHT_FD_WRITE | WT_RIGHT_FD_TELL);
  f->rec.n = 0;
  assert_ok(wt_fd_dup(f->w, file, &d));
  assert_int_equal(d, file + 1);
  WT_EXPECT(&f->rec, WT_TRN(FD_DUPLICATED, file, d, 0, 0, 0));
  assert_ok(wt_fd_fdstat_get(f->w, d, &st));
  assert_int_equal(st.fs_rights_base, WT_RIGHT_FD_WRITE | WT_RIGHT_FD_TELL);
  assert_int_equal(f->w->fds[d].desc, f->w->fds[file].desc);
  assert_int_equal(f->w->fds[d].desc->refs, 2);
  assert_ok(wt_test_write_str(f->w, d, "abc"));
  assert_ok(wt_fd_tell(f->w, file, &off));
  assert_int_equal(off, 3);
  /* The lowest free slot: stdin's, once closed. */
  assert_ok(wt_fd_close(f->w, 0));
  f->rec.n = 0;
  assert_ok(wt_fd_dup(f->w, d, &d));
  assert_int_equal(d, 0);
  WT_EXPECT(&f->rec, WT_TRN(FD_DUPLICATED, file + 1, 0, 0, 0, 0));
  /* dup clears CLOEXEC. */
  assert_ok(wt_fd_fdflags_set(f->w, file, WT_FDFLAGEXT_CLOEXEC));
  assert_ok(wt_fd_dup(f->w, file, &d));
  assert_ok(wt_fd_fdflags_get(f->w, d, &fl));
  assert_int_equal(fl, 0);
  /* Closing one leaves the others working. */
  assert_ok(wt_fd_close(f->w, file));
  assert_ok(wt_test_write_str(f->w, d, "d"));
  assert_ok(wt_fd_tell(f->w, 0, &off));
  assert_int_equal(off, 4);
  assert_errno(wt_fd_dup(f->w, file, &d), WT_EBADF);
}

/* F_DUPFD: the first free slot at or above min_fd. */
static void test_dup2(void **state) {
  fixture_t *f = *state;
  uint32_t d = 0;
  uint16_t fl = 0;
  assert_ok(wt_fd_dup2(f->w, 1, 10, 0, &d));
  assert_int_equal(d, 10);
  assert_ok(wt_fd_dup2(f->w, 1, 10, 1, &d));
  assert_int_equal(d, 11);
  WT_EXPECT(&f->rec, WT_TRN(FD_DUPLICATED, 1, 10, 0, 0, 0),
            WT_TRN(FD_DUPLICATED, 1, 11, 0, 0, 0));
  assert_ok(wt_fd_fdflags_get(f->w, 11, &fl));
  assert_int_equal(fl, WT_FDFLAGEXT_CLOEXEC);
  assert_ok(wt_fd_fdflags_get(f->w, 10, &fl));
  assert_int_equal(fl, 0);
  /* Below every used slot: the lowest free one. */
  assert_ok(wt_fd_dup2(f->w, 1, 0, 0, &d));
  assert_int_equal(d, 4);
  assert_errno(wt_fd_dup2(f->w, 1, f->w->nfds, 0, &d), WT_EINVAL);
  assert_errno(wt_fd_dup2(f->w, 77, 10, 0, &d), WT_EBADF);
  assert_ok(wt_fd_dup2(f->w, 1, f->w->nfds - 1, 0, &d));
  assert_int_equal(d, f->w->nfds - 1);
  assert_errno(wt_fd_dup2(f->w, 1, f->w->nfds - 1, 0, &d), WT_EMFILE);
}

/* CLOEXEC belongs to the slot: set, reported, moved, reset. */
static void test_fdflags(void **state) {
  fixture_t *f = *state;
  uint16_t fl = 9;
  uint32_t d;
  assert_ok(wt_fd_fdflags_get(f->w, 1, &fl));
  assert_int_equal(fl, 0);
  assert_errno(wt_fd_fdflags_set(f->w, 1, 0x2), WT_EINVAL);
  assert_errno(wt_fd_fdflags_set(f->w, 1, 0x8000 | WT_FDFLAGEXT_CLOEXEC),
               WT_EINVAL);
  assert_ok(wt_fd_fdflags_get(f->w, 1, &fl));
  assert_int_equal(fl, 0);
  assert_ok(wt_fd_fdflags_set(f->w, 1, WT_FDFLAGEXT_CLOEXEC));
  assert_ok(wt_fd_fdflags_get(f->w, 1, &fl));
  assert_int_equal(fl, WT_FDFLAGEXT_CLOEXEC);
  /* Per slot: stdout's dup and stderr do not have it. */
  assert_ok(wt_fd_fdflags_get(f->w, 2, &fl));
  assert_int_equal(fl, 0);
  assert_ok(wt_fd_renumber(f->w, 1, 2));
  assert_ok(wt_fd_fdflags_get(f->w, 2, &fl));
  assert_int_equal(fl, WT_FDFLAGEXT_CLOEXEC);
  assert_ok(wt_fd_close(f->w, 2));
  assert_ok(wt_fd_dup(f->w, 0, &d));
  assert_int_equal(d, 1);
  assert_ok(wt_fd_dup(f->w, 0, &d));
  assert_int_equal(d, 2);
  assert_ok(wt_fd_fdflags_get(f->w, 2, &fl));
  assert_int_equal(fl, 0);
  assert_errno(wt_fd_fdflags_get(f->w, 77, &fl), WT_EBADF);
  assert_errno(wt_fd_fdflags_set(f->w, 77, 0), WT_EBADF);
  assert_ok(wt_fd_fdflags_set(f->w, 2, 0));
}

/* A full table: EMFILE, and nothing is left half made. */
static void test_pipe_table_full(void **state) {
  wt_options_t o;
  wt_test_rec_t rec = {0};
  wt_t *w;
  uint32_t r = 0, wr = 0;
  (void)state;
  wt_options_init(&o);
  o.in = o.out = o.err = -1;
  o.fd_table_size = 3;
  assert_ok(wt_init(&o, &w));
  assert_ok(wt_fd_pipe(w, &r, &wr));
  wt_set_observer(w, wt_test_record, &rec);
  /* Room for the read end only: it is closed again. */
  assert_errno(wt_fd_pipe(w, &r, &wr), WT_EMFILE);
  assert_null(w->fds[2].desc);
  WT_EXPECT(&rec, WT_TRN(FD_OPENED, 2, 0, UNKNOWN, 0, 0),
            WT_TRN(FD_CLOSED, 2, 0, 0, 0, 0));
  assert_ok(wt_fd_dup(w, 0, &r));
  assert_errno(wt_fd_dup(w, 0, &r), WT_EMFILE);
  assert_errno(wt_fd_pipe(w, &r, &wr), WT_EMFILE);
  WT_EXPECT(&rec, WT_TRN(FD_DUPLICATED, 0, 2, 0, 0, 0));
  wt_destroy(w);
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_pipe),
      T(test_dup),
      T(test_dup2),
      T(test_fdflags),
      cmocka_unit_test(test_pipe_table_full),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
