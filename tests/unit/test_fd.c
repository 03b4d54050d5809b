/*
 * fd_* calls other than fd_readdir (test_readdir.c).
 *
 * Until path_open is available the tests make guest fds by opening host
 * files, directories and pipes themselves and putting them in the table.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* A host fd (taken over) as a guest fd with every right its type allows. */
static wt_fd_t inject(wt_t *w, int host_fd) {
  struct stat st;
  wt__desc_t *d;
  wt_fd_t fd = 0;
  assert_true(host_fd >= 0);
  assert_int_equal(fstat(host_fd, &st), 0);
  d = wt__desc_new(w, WT_DESC_HOST, wt__filetype_from_mode(st.st_mode),
                   host_fd);
  assert_non_null(d);
  assert_ok(wt__fd_insert(w, d, WT_RIGHTS_ALL, WT_RIGHTS_ALL, 3, &fd));
  return fd;
}

/* Opens env->root/rel on the host (creating it) and injects it. */
static wt_fd_t open_host(const wt_test_env_t *env, const char *rel, int flags) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", env->root, rel);
  return inject(env->w, open(p, flags | O_CREAT | O_CLOEXEC, 0644));
}

/* A host pipe; ends[0] / ends[1] become guest fds where inject_* asks. */
static void host_pipe(int ends[2]) {
  assert_int_equal(pipe2(ends, O_CLOEXEC), 0);
}

/* Gives a slot a right its type would not get, to reach the host's error. */
static void grant(wt_t *w, wt_fd_t fd, wt_rights_t r) {
  w->fds[fd].base |= r;
}

static void write_str(wt_t *w, wt_fd_t fd, const char *s) {
  uint32_t n = 0;
  wt_ciovec_t iov = {(const uint8_t *)s, (uint32_t)strlen(s)};
  assert_ok(wt_fd_write(w, fd, &iov, 1, &n));
  assert_int_equal(n, strlen(s));
}

/* Reads up to size-1 bytes at the current offset, NUL-terminated. */
static uint32_t read_str(wt_t *w, wt_fd_t fd, char *buf, size_t size) {
  uint32_t n = 0;
  wt_iovec_t iov = {(uint8_t *)buf, (uint32_t)size - 1};
  assert_ok(wt_fd_read(w, fd, &iov, 1, &n));
  buf[n] = '\0';
  return n;
}

static void test_write_read_iovecs(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t fd = open_host(env, "f", O_RDWR);
  const char *parts[] = {"hello", ", ", "world"};
  wt_ciovec_t out[3];
  char a[4], b[32];
  wt_iovec_t in[2] = {{(uint8_t *)a, 3}, {(uint8_t *)b, sizeof b}};
  uint32_t n = 0;
  uint64_t off = 99;
  for (int i = 0; i < 3; i++)
    out[i] = (wt_ciovec_t){(const uint8_t *)parts[i], strlen(parts[i])};
  assert_ok(wt_fd_write(w, fd, out, 3, &n));
  assert_int_equal(n, 12);
  assert_ok(wt_fd_tell(w, fd, &off));
  assert_int_equal(off, 12);
  assert_ok(wt_fd_seek(w, fd, 0, WT_WHENCE_SET, &off));
  assert_int_equal(off, 0);
  assert_ok(wt_fd_read(w, fd, in, 2, &n));
  assert_int_equal(n, 12);
  assert_memory_equal(a, "hel", 3);
  assert_memory_equal(b, "lo, world", 9);
  /* At the end of the file: 0 bytes, no error. */
  assert_ok(wt_fd_read(w, fd, in, 2, &n));
  assert_int_equal(n, 0);
}

/* More iovecs than the stack holds go through the heap path. */
static void test_many_iovecs(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t fd = open_host(env, "f", O_RDWR);
  uint8_t data[40], back[40];
  wt_ciovec_t out[40];
  wt_iovec_t in[40];
  uint32_t n = 0;
  uint64_t off;
  for (int i = 0; i < 40; i++) {
    data[i] = (uint8_t)('A' + i);
    out[i] = (wt_ciovec_t){&data[i], 1};
    in[i] = (wt_iovec_t){&back[39 - i], 1};
  }
  assert_ok(wt_fd_write(w, fd, out, 40, &n));
  assert_int_equal(n, 40);
  assert_ok(wt_fd_seek(w, fd, 0, WT_WHENCE_SET, &off));
  assert_ok(wt_fd_read(w, fd, in, 40, &n));
  assert_int_equal(n, 40);
  for (int i = 0; i < 40; i++)
    assert_int_equal(back[39 - i], data[i]);
}

static void test_zero_length(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t fd = open_host(env, "f", O_RDWR);
  int p[2];
  wt_fd_t rd;
  uint8_t byte;
  wt_iovec_t empty_in = {&byte, 0};
  wt_ciovec_t empty_out = {&byte, 0};
  uint32_t n = 7;
  assert_ok(wt_fd_read(w, fd, NULL, 0, &n));
  assert_int_equal(n, 0);
  n = 7;
  assert_ok(wt_fd_write(w, fd, NULL, 0, &n));
  assert_int_equal(n, 0);
  n = 7;
  assert_ok(wt_fd_write(w, fd, &empty_out, 1, &n));
  assert_int_equal(n, 0);
  /* An empty pipe would block a real read: a zero-length one does not. */
  host_pipe(p);
  rd = inject(w, p[0]);
  n = 7;
  assert_ok(wt_fd_read(w, rd, &empty_in, 1, &n));
  assert_int_equal(n, 0);
  close(p[1]);
}

static void test_read_directory(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  uint8_t buf[8];
  wt_iovec_t iov = {buf, sizeof buf};
  wt_ciovec_t ciov = {buf, sizeof buf};
  uint32_t n;
  /* Directories hold no FD_READ right; with one, the host says EISDIR. */
  assert_errno(wt_fd_read(w, WT_TEST_DIRFD, &iov, 1, &n), WT_ENOTCAPABLE);
  grant(w, WT_TEST_DIRFD, WT_RIGHT_FD_READ | WT_RIGHT_FD_WRITE);
  assert_errno(wt_fd_read(w, WT_TEST_DIRFD, &iov, 1, &n), WT_EISDIR);
  assert_errno(wt_fd_write(w, WT_TEST_DIRFD, &ciov, 1, &n), WT_EISDIR);
  assert_errno(wt_fd_pread(w, WT_TEST_DIRFD, &iov, 1, 0, &n), WT_EISDIR);
}

static void test_pread_pwrite(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t fd = open_host(env, "f", O_RDWR);
  char buf[16] = {0};
  wt_ciovec_t out = {(const uint8_t *)"XYZ", 3};
  wt_iovec_t in = {(uint8_t *)buf, 5};
  uint32_t n = 0;
  uint64_t off;
  write_str(w, fd, "0123456789");
  assert_ok(wt_fd_pwrite(w, fd, &out, 1, 4, &n));
  assert_int_equal(n, 3);
  assert_ok(wt_fd_pread(w, fd, &in, 1, 2, &n));
  assert_int_equal(n, 5);
  assert_string_equal(buf, "23XYZ");
  /* The file offset does not move. */
  assert_ok(wt_fd_tell(w, fd, &off));
  assert_int_equal(off, 10);
  /* Past the end: nothing to read. */
  assert_ok(wt_fd_pread(w, fd, &in, 1, 100, &n));
  assert_int_equal(n, 0);
  assert_errno(wt_fd_pread(w, fd, &in, 1, UINT64_MAX, &n), WT_EINVAL);
  assert_errno(wt_fd_pwrite(w, fd, &out, 1, (uint64_t)INT64_MAX + 1, &n),
               WT_EINVAL);
}

static void test_pread_pwrite_pipe(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  int p[2];
  wt_fd_t rd, wr;
  uint8_t buf[4];
  wt_iovec_t in = {buf, sizeof buf};
  wt_ciovec_t out = {buf, sizeof buf};
  uint32_t n;
  host_pipe(p);
  rd = inject(w, p[0]);
  wr = inject(w, p[1]);
  assert_errno(wt_fd_pread(w, rd, &in, 1, 0, &n), WT_ESPIPE);
  assert_errno(wt_fd_pwrite(w, wr, &out, 1, 0, &n), WT_ESPIPE);
  /* Even with nothing to transfer. */
  assert_errno(wt_fd_pread(w, rd, NULL, 0, 0, &n), WT_ESPIPE);
  assert_errno(wt_fd_pwrite(w, wr, NULL, 0, 0, &n), WT_ESPIPE);
}

static void test_seek(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t fd = open_host(env, "f", O_RDWR);
  uint64_t off = 0;
  write_str(w, fd, "0123456789");
  assert_ok(wt_fd_seek(w, fd, 3, WT_WHENCE_SET, &off));
  assert_int_equal(off, 3);
  assert_ok(wt_fd_seek(w, fd, 2, WT_WHENCE_CUR, &off));
  assert_int_equal(off, 5);
  assert_ok(wt_fd_seek(w, fd, -1, WT_WHENCE_CUR, &off));
  assert_int_equal(off, 4);
  assert_ok(wt_fd_seek(w, fd, -3, WT_WHENCE_END, &off));
  assert_int_equal(off, 7);
  assert_ok(wt_fd_tell(w, fd, &off));
  assert_int_equal(off, 7);
  /* Past the end is allowed. */
  assert_ok(wt_fd_seek(w, fd, 100, WT_WHENCE_END, &off));
  assert_int_equal(off, 110);
  off = 42;
  assert_errno(wt_fd_seek(w, fd, 0, 3, &off), WT_EINVAL);
  assert_errno(wt_fd_seek(w, fd, 0, 255, &off), WT_EINVAL);
  assert_errno(wt_fd_seek(w, fd, -1, WT_WHENCE_SET, &off), WT_EINVAL);
  assert_errno(wt_fd_seek(w, fd, -11, WT_WHENCE_END, &off), WT_EINVAL);
  assert_int_equal(off, 42);
  /* A failed seek leaves the offset alone. */
  assert_ok(wt_fd_tell(w, fd, &off));
  assert_int_equal(off, 110);
}

static void test_seek_pipe(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  int p[2];
  wt_fd_t rd;
  uint64_t off;
  wt_fdstat_t st;
  host_pipe(p);
  rd = inject(w, p[0]);
  close(p[1]);
  /*
   * Stream-like fds hold neither FD_SEEK nor FD_TELL (wasi-libc's isatty
   * relies on that, and its lseek turns ENOTCAPABLE into ESPIPE).
   */
  assert_ok(wt_fd_fdstat_get(w, rd, &st));
  assert_int_equal(st.fs_rights_base & (WT_RIGHT_FD_SEEK | WT_RIGHT_FD_TELL),
                   0);
  assert_errno(wt_fd_seek(w, rd, 0, WT_WHENCE_CUR, &off), WT_ENOTCAPABLE);
  assert_errno(wt_fd_tell(w, rd, &off), WT_ENOTCAPABLE);
  /* With the rights, the host answers ESPIPE. */
  grant(w, rd, WT_RIGHT_FD_SEEK | WT_RIGHT_FD_TELL);
  assert_errno(wt_fd_seek(w, rd, 0, WT_WHENCE_CUR, &off), WT_ESPIPE);
  assert_errno(wt_fd_tell(w, rd, &off), WT_ESPIPE);
}

static void test_nonblock_pipe(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  int p[2];
  wt_fd_t rd;
  wt_fdstat_t st;
  char buf[8];
  wt_iovec_t in = {(uint8_t *)buf, sizeof buf};
  uint32_t n = 0;
  host_pipe(p);
  rd = inject(w, p[0]);
  assert_ok(wt_fd_fdstat_set_flags(w, rd, WT_FDFLAG_NONBLOCK));
  assert_ok(wt_fd_fdstat_get(w, rd, &st));
  assert_int_equal(st.fs_flags, WT_FDFLAG_NONBLOCK);
  /* Emulated: the host fd itself stays blocking. */
  assert_int_equal(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
  assert_errno(wt_fd_read(w, rd, &in, 1, &n), WT_EAGAIN);
  assert_int_equal(write(p[1], "abc", 3), 3);
  assert_ok(wt_fd_read(w, rd, &in, 1, &n));
  assert_int_equal(n, 3);
  assert_memory_equal(buf, "abc", 3);
  assert_errno(wt_fd_read(w, rd, &in, 1, &n), WT_EAGAIN);
  /* A closed writer is "ready": end of file, not EAGAIN. */
  close(p[1]);
  assert_ok(wt_fd_read(w, rd, &in, 1, &n));
  assert_int_equal(n, 0);
  assert_ok(wt_fd_fdstat_set_flags(w, rd, 0));
  assert_ok(wt_fd_fdstat_get(w, rd, &st));
  assert_int_equal(st.fs_flags, 0);
}

static void test_nonblock_full_pipe(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  int p[2];
  wt_fd_t wr;
  int cap;
  char *fill;
  wt_ciovec_t out = {(const uint8_t *)"x", 1};
  uint32_t n = 0;
  host_pipe(p);
  cap = fcntl(p[1], F_GETPIPE_SZ);
  assert_true(cap > 0);
  fill = calloc(1, (size_t)cap);
  assert_non_null(fill);
  /* Exactly the capacity fits an empty pipe without blocking. */
  assert_int_equal(write(p[1], fill, (size_t)cap), cap);
  free(fill);
  wr = inject(w, p[1]);
  assert_ok(wt_fd_fdstat_set_flags(w, wr, WT_FDFLAG_NONBLOCK));
  assert_errno(wt_fd_write(w, wr, &out, 1, &n), WT_EAGAIN);
  close(p[0]);
}

/* A non-blocking write never waits: large ones are cut short. */
static void test_nonblock_large_write(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  int p[2], cap;
  wt_fd_t wr;
  static uint8_t big[100000];
  wt_ciovec_t out[2] = {{big, 1000}, {big, sizeof big - 1000}};
  uint32_t n = 0, total = 0;
  wt_errno_t err;
  host_pipe(p);
  cap = fcntl(p[1], F_GETPIPE_SZ);
  wr = inject(w, p[1]);
  assert_ok(wt_fd_fdstat_set_flags(w, wr, WT_FDFLAG_NONBLOCK));
  assert_ok(wt_fd_write(w, wr, out, 2, &n));
  assert_true(n > 0 && n <= PIPE_BUF);
  total = n;
  while ((err = wt_fd_write(w, wr, out, 2, &n)) == WT_ESUCCESS)
    total += n;
  assert_errno(err, WT_EAGAIN);
  assert_int_equal(total, cap);
  close(p[0]);
}

/* Sockets: NONBLOCK per call, and no SIGPIPE once the peer has gone. */
static void test_socket_stream(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  int sv[2];
  wt_fd_t fd;
  char buf[8];
  wt_iovec_t in = {(uint8_t *)buf, sizeof buf};
  wt_ciovec_t out = {(const uint8_t *)"ping", 4};
  uint32_t n = 0;
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  fd = inject(w, sv[0]);
  assert_ok(wt_fd_write(w, fd, &out, 1, &n));
  assert_int_equal(n, 4);
  assert_int_equal(read(sv[1], buf, sizeof buf), 4);
  assert_ok(wt_fd_fdstat_set_flags(w, fd, WT_FDFLAG_NONBLOCK));
  assert_errno(wt_fd_read(w, fd, &in, 1, &n), WT_EAGAIN);
  assert_int_equal(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
  assert_int_equal(write(sv[1], "pong", 4), 4);
  assert_ok(wt_fd_read(w, fd, &in, 1, &n));
  assert_int_equal(n, 4);
  assert_memory_equal(buf, "pong", 4);
  close(sv[1]);
  assert_errno(wt_fd_write(w, fd, &out, 1, &n), WT_EPIPE);
}

/* A write to a pipe without a reader is EPIPE, not a dead process. */
static void test_write_broken_pipe(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  int p[2];
  wt_fd_t wr;
  wt_ciovec_t out = {(const uint8_t *)"x", 1};
  uint32_t n = 0;
  sigset_t pending;
  host_pipe(p);
  wr = inject(w, p[1]);
  close(p[0]);
  assert_errno(wt_fd_write(w, wr, &out, 1, &n), WT_EPIPE);
  assert_errno(wt_fd_write(w, wr, &out, 1, &n), WT_EPIPE);
  /* The signal the write raised was consumed. */
  assert_int_equal(sigpending(&pending), 0);
  assert_false(sigismember(&pending, SIGPIPE));
}

static void test_closed_fd(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t fd = open_host(env, "f", O_RDWR);
  wt_fd_t bad[] = {fd, 999, 1u << 20, UINT32_MAX};
  wt_fdstat_t fst;
  wt_filestat_t st;
  wt_prestat_t pst;
  uint64_t off;
  uint32_t n;
  assert_ok(wt_fd_close(w, fd));
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    wt_fd_t b = bad[i];
    assert_errno(wt_fd_close(w, b), WT_EBADF);
    assert_errno(wt_fd_read(w, b, NULL, 0, &n), WT_EBADF);
    assert_errno(wt_fd_write(w, b, NULL, 0, &n), WT_EBADF);
    assert_errno(wt_fd_pread(w, b, NULL, 0, 0, &n), WT_EBADF);
    assert_errno(wt_fd_pwrite(w, b, NULL, 0, 0, &n), WT_EBADF);
    assert_errno(wt_fd_seek(w, b, 0, 99, &off), WT_EBADF);
    assert_errno(wt_fd_tell(w, b, &off), WT_EBADF);
    assert_errno(wt_fd_fdstat_get(w, b, &fst), WT_EBADF);
    assert_errno(wt_fd_fdstat_set_flags(w, b, 0xffff), WT_EBADF);
    assert_errno(wt_fd_fdstat_set_rights(w, b, 0, 0), WT_EBADF);
    assert_errno(wt_fd_filestat_get(w, b, &st), WT_EBADF);
    assert_errno(wt_fd_filestat_set_size(w, b, 0), WT_EBADF);
    assert_errno(wt_fd_filestat_set_times(w, b, 0, 0, 0xffff), WT_EBADF);
    assert_errno(wt_fd_advise(w, b, 0, 0, 99), WT_EBADF);
    assert_errno(wt_fd_allocate(w, b, 0, 0), WT_EBADF);
    assert_errno(wt_fd_datasync(w, b), WT_EBADF);
    assert_errno(wt_fd_sync(w, b), WT_EBADF);
    assert_errno(wt_fd_prestat_get(w, b, &pst), WT_EBADF);
    assert_errno(wt_fd_prestat_dir_name(w, b, NULL, 0), WT_EBADF);
    assert_errno(wt_fd_readdir(w, b, NULL, 0, 0, &n), WT_EBADF);
    assert_errno(wt_fd_renumber(w, b, WT_TEST_DIRFD), WT_EBADF);
    assert_errno(wt_fd_renumber(w, WT_TEST_DIRFD, b), WT_EBADF);
  }
  /* The slot is free again: the next insert takes it. */
  assert_int_equal(open_host(env, "g", O_RDWR), fd);
}

static void test_close_preopen(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_prestat_t pst;
  assert_ok(wt_fd_prestat_get(w, WT_TEST_DIRFD, &pst));
  assert_ok(wt_fd_close(w, WT_TEST_DIRFD));
  assert_errno(wt_fd_prestat_get(w, WT_TEST_DIRFD, &pst), WT_EBADF);
  assert_errno(wt_fd_close(w, WT_TEST_DIRFD), WT_EBADF);
  /* stdio may be closed too. */
  assert_ok(wt_fd_close(w, 0));
  assert_errno(wt_fd_close(w, 0), WT_EBADF);
}

static void test_renumber(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t a = open_host(env, "a", O_RDWR), to;
  int p[2];
  char buf[16];
  wt_fdstat_t st;
  uint64_t off;
  uint8_t byte;
  wt_iovec_t in = {&byte, 1};
  uint32_t n;
  write_str(w, a, "from a");
  assert_ok(wt_fd_seek(w, a, 0, WT_WHENCE_SET, &off));
  assert_ok(wt_fd_fdstat_set_rights(w, a, WT_RIGHT_FD_READ, 0));
  /* The target is the write end of a pipe we can watch close. */
  host_pipe(p);
  to = inject(w, p[1]);
  assert_ok(wt_fd_renumber(w, a, to));
  assert_errno(wt_fd_fdstat_get(w, a, &st), WT_EBADF);
  assert_ok(wt_fd_fdstat_get(w, to, &st));
  assert_int_equal(st.fs_filetype, WT_FILETYPE_REGULAR_FILE);
  assert_int_equal(st.fs_rights_base, WT_RIGHT_FD_READ);
  assert_int_equal(read_str(w, to, buf, sizeof buf), 6);
  assert_string_equal(buf, "from a");
  /* The pipe's write end was released: its reader sees end of file. */
  assert_int_equal(read(p[0], &byte, 1), 0);
  close(p[0]);
  /* fd == to: nothing changes. */
  assert_ok(wt_fd_renumber(w, to, to));
  assert_ok(wt_fd_fdstat_get(w, to, &st));
  assert_int_equal(st.fs_rights_base, WT_RIGHT_FD_READ);
  assert_ok(wt_fd_pread(w, to, &in, 1, 0, &n));
  assert_int_equal(byte, 'f');
  /* Both ends must be open. */
  assert_errno(wt_fd_renumber(w, a, to), WT_EBADF);
  assert_errno(wt_fd_renumber(w, to, a), WT_EBADF);
  assert_ok(wt_fd_fdstat_get(w, to, &st));
}

static void test_renumber_preopen(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t f = open_host(env, "f", O_RDWR);
  wt_prestat_t pst;
  /* Moving a preopen moves its name with the description. */
  assert_ok(wt_fd_renumber(w, WT_TEST_DIRFD, f));
  assert_errno(wt_fd_prestat_get(w, WT_TEST_DIRFD, &pst), WT_EBADF);
  assert_ok(wt_fd_prestat_get(w, f, &pst));
  assert_int_equal(pst.pr_name_len, strlen("/sandbox"));
}

typedef struct seen_s {
  wt_transition_t t[8];
  int n;
} seen_t;

static void observe(void *ud, const wt_transition_t *t) {
  seen_t *s = ud;
  if (s->n < 8)
    s->t[s->n] = *t;
  s->n++;
}

/* The observer sees closes and moves of the table, nothing for no-ops. */
static void test_table_transitions(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t a = open_host(env, "a", O_RDWR), b = open_host(env, "b", O_RDWR);
  seen_t s = {0};
  wt_set_observer(w, observe, &s);
  assert_ok(wt_fd_renumber(w, a, a));
  assert_errno(wt_fd_renumber(w, a, 500), WT_EBADF);
  assert_int_equal(s.n, 0);
  assert_ok(wt_fd_renumber(w, a, b));
  assert_int_equal(s.n, 2);
  assert_int_equal(s.t[0].kind, WT_TR_FD_CLOSED);
  assert_int_equal(s.t[0].fd, b);
  assert_int_equal(s.t[1].kind, WT_TR_FD_RENUMBERED);
  assert_int_equal(s.t[1].fd, a);
  assert_int_equal(s.t[1].fd2, b);
  assert_ok(wt_fd_close(w, b));
  assert_errno(wt_fd_close(w, b), WT_EBADF);
  assert_int_equal(s.n, 3);
  assert_int_equal(s.t[2].kind, WT_TR_FD_CLOSED);
  assert_int_equal(s.t[2].fd, b);
  wt_set_observer(w, NULL, NULL);
}

static void test_fdstat_get(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t f = open_host(env, "f", O_RDWR);
  wt_fd_t ap = open_host(env, "ap", O_WRONLY | O_APPEND);
  wt_fd_t ds = open_host(env, "ds", O_WRONLY | O_DSYNC);
  wt_fd_t sy = open_host(env, "sy", O_WRONLY | O_SYNC);
  wt_fdstat_t st;
  memset(&st, 0xa5, sizeof st);
  assert_ok(wt_fd_fdstat_get(w, f, &st));
  assert_int_equal(st.fs_filetype, WT_FILETYPE_REGULAR_FILE);
  assert_int_equal(st.fs_flags, 0);
  assert_int_equal(st.fs_rights_base, WT_RIGHTS_REGULAR_FILE);
  assert_int_equal(st.fs_rights_inheriting, 0);
  /* Padding is zeroed: the struct goes to the guest byte for byte. */
  assert_int_equal(((uint8_t *)&st)[1], 0);
  assert_ok(wt_fd_fdstat_get(w, ap, &st));
  assert_int_equal(st.fs_flags, WT_FDFLAG_APPEND);
  assert_ok(wt_fd_fdstat_get(w, ds, &st));
  assert_int_equal(st.fs_flags, WT_FDFLAG_DSYNC);
  assert_ok(wt_fd_fdstat_get(w, sy, &st));
  assert_int_equal(st.fs_flags, WT_FDFLAG_SYNC);
  assert_ok(wt_fd_fdstat_get(w, WT_TEST_DIRFD, &st));
  assert_int_equal(st.fs_filetype, WT_FILETYPE_DIRECTORY);
  assert_int_equal(st.fs_rights_base, WT_RIGHTS_DIRECTORY);
  assert_int_equal(st.fs_rights_inheriting, WT_RIGHTS_DIRECTORY_INHERITING);
  /* stdio is /dev/null here. */
  assert_ok(wt_fd_fdstat_get(w, 1, &st));
  assert_int_equal(st.fs_filetype, WT_FILETYPE_CHARACTER_DEVICE);
  assert_int_equal(st.fs_rights_base, WT_RIGHTS_TTY);
}

static void test_set_flags_append(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t f = open_host(env, "f", O_RDWR);
  wt_fdstat_t st;
  uint64_t off;
  char buf[16];
  write_str(w, f, "abc");
  assert_ok(wt_fd_fdstat_set_flags(w, f, WT_FDFLAG_APPEND));
  assert_ok(wt_fd_fdstat_get(w, f, &st));
  assert_int_equal(st.fs_flags, WT_FDFLAG_APPEND);
  /* Writes now go to the end whatever the offset. */
  assert_ok(wt_fd_seek(w, f, 0, WT_WHENCE_SET, &off));
  write_str(w, f, "de");
  assert_ok(wt_fd_seek(w, f, 0, WT_WHENCE_SET, &off));
  read_str(w, f, buf, sizeof buf);
  assert_string_equal(buf, "abcde");
  assert_ok(wt_fd_fdstat_set_flags(w, f, WT_FDFLAG_NONBLOCK));
  assert_ok(wt_fd_fdstat_get(w, f, &st));
  assert_int_equal(st.fs_flags, WT_FDFLAG_NONBLOCK);
  /* NONBLOCK on a regular file changes nothing about reading it. */
  assert_ok(wt_fd_seek(w, f, 1, WT_WHENCE_SET, &off));
  read_str(w, f, buf, sizeof buf);
  assert_string_equal(buf, "bcde");
}

static void test_set_flags_errors(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t f = open_host(env, "f", O_RDWR);
  wt_fd_t sy = open_host(env, "sy", O_WRONLY | O_SYNC);
  wt_fdstat_t st;
  assert_errno(wt_fd_fdstat_set_flags(w, f, 0x20), WT_EINVAL);
  assert_errno(wt_fd_fdstat_set_flags(w, f, 0x8000 | WT_FDFLAG_APPEND),
               WT_EINVAL);
  assert_errno(wt_fd_fdstat_set_flags(w, f, WT_FDFLAG_DSYNC), WT_ENOTSUP);
  assert_errno(wt_fd_fdstat_set_flags(w, f, WT_FDFLAG_SYNC), WT_ENOTSUP);
  assert_errno(wt_fd_fdstat_set_flags(w, f, WT_FDFLAG_RSYNC), WT_ENOTSUP);
  /* A refused call changes nothing, not even NONBLOCK. */
  assert_errno(
      wt_fd_fdstat_set_flags(w, f, WT_FDFLAG_NONBLOCK | WT_FDFLAG_DSYNC),
      WT_ENOTSUP);
  assert_ok(wt_fd_fdstat_get(w, f, &st));
  assert_int_equal(st.fs_flags, 0);
  /* Keeping the sync flags a file was opened with is fine. */
  assert_ok(wt_fd_fdstat_set_flags(w, sy, WT_FDFLAG_SYNC | WT_FDFLAG_APPEND));
  assert_ok(wt_fd_fdstat_get(w, sy, &st));
  assert_int_equal(st.fs_flags, WT_FDFLAG_SYNC | WT_FDFLAG_APPEND);
  assert_errno(wt_fd_fdstat_set_flags(w, sy, 0), WT_ENOTSUP);
}

/* stdio shares the user's terminal: APPEND is refused, NONBLOCK emulated. */
static void test_set_flags_stdio(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fdstat_t st;
  int before = fcntl(w->fds[1].desc->host_fd, F_GETFL);
  assert_true(w->fds[1].desc->shared);
  assert_errno(wt_fd_fdstat_set_flags(w, 1, WT_FDFLAG_APPEND), WT_ENOTSUP);
  assert_ok(wt_fd_fdstat_set_flags(w, 1, WT_FDFLAG_NONBLOCK));
  assert_ok(wt_fd_fdstat_get(w, 1, &st));
  assert_int_equal(st.fs_flags, WT_FDFLAG_NONBLOCK);
  assert_int_equal(fcntl(w->fds[1].desc->host_fd, F_GETFL), before);
  write_str(w, 1, "to /dev/null");
  assert_ok(wt_fd_fdstat_set_flags(w, 1, 0));
}

static void test_set_rights(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t f = open_host(env, "f", O_RDWR);
  wt_rights_t keep = WT_RIGHT_FD_READ | WT_RIGHT_FD_SEEK;
  wt_fdstat_t st;
  uint64_t off;
  uint32_t n;
  wt_ciovec_t out = {(const uint8_t *)"x", 1};
  assert_ok(wt_fd_fdstat_set_rights(w, f, keep, 0));
  assert_ok(wt_fd_fdstat_get(w, f, &st));
  assert_int_equal(st.fs_rights_base, keep);
  assert_int_equal(st.fs_rights_inheriting, 0);
  assert_errno(wt_fd_write(w, f, &out, 1, &n), WT_ENOTCAPABLE);
  assert_errno(wt_fd_tell(w, f, &off), WT_ENOTCAPABLE);
  assert_ok(wt_fd_seek(w, f, 0, WT_WHENCE_SET, &off));
  /* Widening is refused, in base or inheriting, and changes nothing. */
  assert_errno(wt_fd_fdstat_set_rights(w, f, keep | WT_RIGHT_FD_WRITE, 0),
               WT_ENOTCAPABLE);
  assert_errno(wt_fd_fdstat_set_rights(w, f, keep, WT_RIGHT_FD_READ),
               WT_ENOTCAPABLE);
  assert_errno(wt_fd_fdstat_set_rights(w, f, keep | (1ull << 40), 0),
               WT_ENOTCAPABLE);
  assert_ok(wt_fd_fdstat_get(w, f, &st));
  assert_int_equal(st.fs_rights_base, keep);
  /* Narrowing further, and inheriting on a directory. */
  assert_ok(wt_fd_fdstat_set_rights(w, f, 0, 0));
  assert_errno(wt_fd_seek(w, f, 0, WT_WHENCE_SET, &off), WT_ENOTCAPABLE);
  assert_ok(wt_fd_fdstat_set_rights(w, WT_TEST_DIRFD, WT_RIGHTS_DIRECTORY,
                                    WT_RIGHT_FD_READ));
  assert_ok(wt_fd_fdstat_get(w, WT_TEST_DIRFD, &st));
  assert_int_equal(st.fs_rights_inheriting, WT_RIGHT_FD_READ);
  assert_errno(wt_fd_fdstat_set_rights(w, WT_TEST_DIRFD, WT_RIGHTS_DIRECTORY,
                                       WT_RIGHTS_DIRECTORY_INHERITING),
               WT_ENOTCAPABLE);
}

static void test_filestat_get(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t f = open_host(env, "f", O_RDWR);
  wt_filestat_t fs;
  struct stat st;
  int p[2];
  wt_fd_t rd;
  write_str(w, f, "12345");
  assert_int_equal(fstat(w->fds[f].desc->host_fd, &st), 0);
  memset(&fs, 0xa5, sizeof fs);
  assert_ok(wt_fd_filestat_get(w, f, &fs));
  assert_int_equal(fs.dev, st.st_dev);
  assert_int_equal(fs.ino, st.st_ino);
  assert_int_equal(fs.filetype, WT_FILETYPE_REGULAR_FILE);
  assert_int_equal(fs.nlink, 1);
  assert_int_equal(fs.size, 5);
  assert_int_equal(fs.mtim, (uint64_t)st.st_mtim.tv_sec * 1000000000ull +
                                (uint64_t)st.st_mtim.tv_nsec);
  assert_int_equal(((uint8_t *)&fs)[17], 0);
  assert_ok(wt_fd_filestat_get(w, WT_TEST_DIRFD, &fs));
  assert_int_equal(fs.filetype, WT_FILETYPE_DIRECTORY);
  host_pipe(p);
  rd = inject(w, p[0]);
  close(p[1]);
  assert_ok(wt_fd_filestat_get(w, rd, &fs));
  assert_int_equal(fs.filetype, WT_FILETYPE_UNKNOWN);
}

static void test_set_size(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t f = open_host(env, "f", O_RDWR);
  wt_filestat_t fs;
  uint8_t buf[4] = {1, 1, 1, 1};
  wt_iovec_t in = {buf, 4};
  uint32_t n;
  write_str(w, f, "abcdef");
  assert_ok(wt_fd_filestat_set_size(w, f, 2));
  assert_ok(wt_fd_filestat_get(w, f, &fs));
  assert_int_equal(fs.size, 2);
  assert_ok(wt_fd_filestat_set_size(w, f, 4096));
  assert_ok(wt_fd_filestat_get(w, f, &fs));
  assert_int_equal(fs.size, 4096);
  /* Growth reads as zeros. */
  assert_ok(wt_fd_pread(w, f, &in, 1, 2, &n));
  assert_int_equal(n, 4);
  assert_memory_equal(buf, "\0\0\0\0", 4);
  assert_errno(wt_fd_filestat_set_size(w, f, UINT64_MAX), WT_EINVAL);
  /* Directories hold no FD_FILESTAT_SET_SIZE. */
  assert_errno(wt_fd_filestat_set_size(w, WT_TEST_DIRFD, 0), WT_ENOTCAPABLE);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void test_set_times(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t f = open_host(env, "f", O_RDWR);
  const uint64_t atim = 1234567890123456789ull, mtim = 1000000000000000001ull;
  wt_filestat_t fs;
  uint64_t before;
  assert_ok(wt_fd_filestat_set_times(w, f, atim, mtim,
                                     WT_FSTFLAG_ATIM | WT_FSTFLAG_MTIM));
  assert_ok(wt_fd_filestat_get(w, f, &fs));
  assert_int_equal(fs.atim, atim);
  assert_int_equal(fs.mtim, mtim);
  /* Only the named timestamp changes. */
  assert_ok(wt_fd_filestat_set_times(w, f, 5, 999, WT_FSTFLAG_ATIM));
  assert_ok(wt_fd_filestat_get(w, f, &fs));
  assert_int_equal(fs.atim, 5);
  assert_int_equal(fs.mtim, mtim);
  before = now_ns() - 1000000000ull;
  assert_ok(wt_fd_filestat_set_times(w, f, 0, 0, WT_FSTFLAG_MTIM_NOW));
  assert_ok(wt_fd_filestat_get(w, f, &fs));
  assert_int_equal(fs.atim, 5);
  assert_true(fs.mtim >= before && fs.mtim <= now_ns() + 1000000000ull);
  assert_ok(wt_fd_filestat_set_times(w, f, 0, 0, 0));
  assert_errno(wt_fd_filestat_set_times(w, f, 1, 1,
                                        WT_FSTFLAG_ATIM | WT_FSTFLAG_ATIM_NOW),
               WT_EINVAL);
  assert_errno(wt_fd_filestat_set_times(w, f, 1, 1,
                                        WT_FSTFLAG_MTIM | WT_FSTFLAG_MTIM_NOW),
               WT_EINVAL);
  assert_errno(wt_fd_filestat_set_times(w, f, 1, 1, 0x10), WT_EINVAL);
  /* Refused calls changed nothing. */
  assert_ok(wt_fd_filestat_get(w, f, &fs));
  assert_int_equal(fs.atim, 5);
}

static void test_advise(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t f = open_host(env, "f", O_RDWR);
  int p[2];
  wt_fd_t rd;
  for (uint8_t a = WT_ADVICE_NORMAL; a <= WT_ADVICE_NOREUSE; a++)
    assert_ok(wt_fd_advise(w, f, 0, 100, a));
  assert_errno(wt_fd_advise(w, f, 0, 100, WT_ADVICE_NOREUSE + 1), WT_EINVAL);
  assert_errno(wt_fd_advise(w, f, 0, 100, 255), WT_EINVAL);
  assert_errno(wt_fd_advise(w, f, UINT64_MAX, 1, 0), WT_EINVAL);
  /* posix_fadvise returns its error; a pipe gives ESPIPE. */
  host_pipe(p);
  rd = inject(w, p[0]);
  close(p[1]);
  assert_errno(wt_fd_advise(w, rd, 0, 0, 0), WT_ENOTCAPABLE);
  grant(w, rd, WT_RIGHT_FD_ADVISE);
  assert_errno(wt_fd_advise(w, rd, 0, 0, 0), WT_ESPIPE);
}

static void test_allocate(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t f = open_host(env, "f", O_RDWR);
  wt_filestat_t fs;
  int p[2];
  wt_fd_t wr;
  assert_ok(wt_fd_allocate(w, f, 10, 90));
  assert_ok(wt_fd_filestat_get(w, f, &fs));
  assert_int_equal(fs.size, 100);
  /* Allocating inside the file does not shrink it. */
  assert_ok(wt_fd_allocate(w, f, 0, 10));
  assert_ok(wt_fd_filestat_get(w, f, &fs));
  assert_int_equal(fs.size, 100);
  assert_errno(wt_fd_allocate(w, f, 0, 0), WT_EINVAL);
  assert_errno(wt_fd_allocate(w, f, UINT64_MAX, 1), WT_EINVAL);
  assert_errno(wt_fd_allocate(w, f, INT64_MAX, 2), WT_EFBIG);
  /* The write end: fallocate checks for write access before the type. */
  host_pipe(p);
  wr = inject(w, p[1]);
  close(p[0]);
  grant(w, wr, WT_RIGHT_FD_ALLOCATE);
  assert_errno(wt_fd_allocate(w, wr, 0, 1), WT_ESPIPE);
}

static void test_sync(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t f = open_host(env, "f", O_RDWR);
  int p[2];
  wt_fd_t rd;
  write_str(w, f, "data");
  assert_ok(wt_fd_datasync(w, f));
  assert_ok(wt_fd_sync(w, f));
  assert_ok(wt_fd_sync(w, WT_TEST_DIRFD));
  assert_errno(wt_fd_datasync(w, WT_TEST_DIRFD), WT_ENOTCAPABLE);
  /* A pipe cannot be synced: the host's EINVAL. */
  host_pipe(p);
  rd = inject(w, p[0]);
  close(p[1]);
  assert_errno(wt_fd_sync(w, rd), WT_ENOTCAPABLE);
  grant(w, rd, WT_RIGHT_FD_SYNC | WT_RIGHT_FD_DATASYNC);
  assert_errno(wt_fd_sync(w, rd), WT_EINVAL);
  assert_errno(wt_fd_datasync(w, rd), WT_EINVAL);
}

static void test_prestat(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t f = open_host(env, "f", O_RDWR);
  wt_fd_t d = inject(w, open(env->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  wt_prestat_t pst;
  uint8_t name[16];
  memset(&pst, 0xa5, sizeof pst);
  assert_ok(wt_fd_prestat_get(w, WT_TEST_DIRFD, &pst));
  assert_int_equal(pst.tag, WT_PREOPENTYPE_DIR);
  assert_int_equal(pst.pr_name_len, 8);
  assert_int_equal(((uint8_t *)&pst)[1], 0);
  /* Exactly the name, no NUL: the byte after it is untouched. */
  memset(name, '#', sizeof name);
  assert_ok(wt_fd_prestat_dir_name(w, WT_TEST_DIRFD, name, 8));
  assert_memory_equal(name, "/sandbox#", 9);
  assert_ok(wt_fd_prestat_dir_name(w, WT_TEST_DIRFD, name, sizeof name));
  assert_memory_equal(name, "/sandbox#", 9);
  assert_errno(wt_fd_prestat_dir_name(w, WT_TEST_DIRFD, name, 7),
               WT_ENAMETOOLONG);
  assert_errno(wt_fd_prestat_dir_name(w, WT_TEST_DIRFD, NULL, 0),
               WT_ENAMETOOLONG);
  /* Anything but a preopened directory: EBADF, which ends libc's scan. */
  for (wt_fd_t fd = 0; fd < 3; fd++) {
    assert_errno(wt_fd_prestat_get(w, fd, &pst), WT_EBADF);
    assert_errno(wt_fd_prestat_dir_name(w, fd, name, sizeof name), WT_EBADF);
  }
  assert_errno(wt_fd_prestat_get(w, f, &pst), WT_EBADF);
  assert_errno(wt_fd_prestat_dir_name(w, f, name, sizeof name), WT_EBADF);
  assert_errno(wt_fd_prestat_get(w, d, &pst), WT_EBADF);
  assert_errno(wt_fd_prestat_dir_name(w, d, name, sizeof name), WT_EBADF);
}

/* The right is checked before any argument: NULL buffers included. */
static void test_rights_first(void **state) {
  wt_test_env_t *env = *state;
  wt_t *w = env->w;
  wt_fd_t f = open_host(env, "f", O_RDWR);
  uint32_t n;
  assert_ok(wt_fd_fdstat_set_rights(w, f, 0, 0));
  assert_errno(wt_fd_read(w, f, NULL, 5, &n), WT_ENOTCAPABLE);
  assert_errno(wt_fd_write(w, f, NULL, 5, &n), WT_ENOTCAPABLE);
  assert_errno(wt_fd_seek(w, f, -5, 99, NULL), WT_ENOTCAPABLE);
  assert_errno(wt_fd_fdstat_set_flags(w, f, 0xffff), WT_ENOTCAPABLE);
  assert_errno(wt_fd_filestat_set_times(w, f, 0, 0, 0xffff), WT_ENOTCAPABLE);
  assert_errno(wt_fd_advise(w, f, 0, 0, 99), WT_ENOTCAPABLE);
  assert_errno(wt_fd_allocate(w, f, 0, 0), WT_ENOTCAPABLE);
  assert_errno(wt_fd_readdir(w, f, NULL, 0, 0, &n), WT_ENOTCAPABLE);
}

#define T(name)                                                                \
  cmocka_unit_test_setup_teardown(name, wt_test_setup, wt_test_teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_write_read_iovecs),
      T(test_many_iovecs),
      T(test_zero_length),
      T(test_read_directory),
      T(test_pread_pwrite),
      T(test_pread_pwrite_pipe),
      T(test_seek),
      T(test_seek_pipe),
      T(test_nonblock_pipe),
      T(test_nonblock_full_pipe),
      T(test_nonblock_large_write),
      T(test_socket_stream),
      T(test_write_broken_pipe),
      T(test_closed_fd),
      T(test_close_preopen),
      T(test_renumber),
      T(test_renumber_preopen),
      T(test_table_transitions),
      T(test_fdstat_get),
      T(test_set_flags_append),
      T(test_set_flags_errors),
      T(test_set_flags_stdio),
      T(test_set_rights),
      T(test_filestat_get),
      T(test_set_size),
      T(test_set_times),
      T(test_advise),
      T(test_allocate),
      T(test_sync),
      T(test_prestat),
      T(test_rights_first),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
