/*
 * The path_* family: each call's success path and main errors, rights,
 * trailing slashes, ".", symlinks (nofollow, loops), timestamps and inode
 * numbers against the host's stat, and fd hygiene of the resolver.
 * Hostile paths that try to leave the sandbox are in test_sandbox.c.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

#define DIRFD WT_TEST_DIRFD
#define FOLLOW WT_LOOKUP_SYMLINK_FOLLOW
/* A path argument from a C string. */
#define P(s) (s), (uint32_t)strlen(s)

static wt_test_env_t *env_of(void **state) {
  return *state;
}

static void host(const wt_test_env_t *env, const char *rel, char *out,
                 size_t size) {
  snprintf(out, size, "%s/%s", env->root, rel);
}

static int host_lstat(const wt_test_env_t *env, const char *rel,
                      struct stat *st) {
  char p[512];
  host(env, rel, p, sizeof p);
  return lstat(p, st);
}

static bool host_exists(const wt_test_env_t *env, const char *rel) {
  struct stat st;
  return host_lstat(env, rel, &st) == 0;
}

static wt_errno_t open_at(wt_t *w, wt_fd_t dir, uint32_t lookup,
                          const char *path, uint16_t oflags, wt_rights_t base,
                          wt_rights_t inh, uint16_t fdflags, wt_fd_t *fd) {
  return wt_path_open(w, dir, lookup, P(path), oflags, base, inh, fdflags, fd);
}

static wt_errno_t open_simple(wt_t *w, uint32_t lookup, const char *path,
                              uint16_t oflags, wt_rights_t base, wt_fd_t *fd) {
  return open_at(w, DIRFD, lookup, path, oflags, base, 0, 0, fd);
}

static wt_filestat_t stat_of(wt_t *w, uint32_t lookup, const char *path) {
  wt_filestat_t st;
  memset(&st, 0, sizeof st);
  assert_ok(wt_path_filestat_get(w, DIRFD, lookup, P(path), &st));
  return st;
}

static wt_errno_t stat_err(wt_t *w, uint32_t lookup, const char *path) {
  wt_filestat_t st;
  return wt_path_filestat_get(w, DIRFD, lookup, P(path), &st);
}

/* Number of fds this process has open. */
static int open_fd_count(void) {
  DIR *d = opendir("/proc/self/fd");
  struct dirent *de;
  int n = 0;
  assert_non_null(d);
  while ((de = readdir(d)) != NULL)
    n++;
  closedir(d);
  return n;
}

static void read_all(wt_t *w, wt_fd_t fd, char *buf, size_t size) {
  wt_iovec_t iov = {(uint8_t *)buf, (uint32_t)size - 1};
  uint32_t n = 0;
  assert_ok(wt_fd_read(w, fd, &iov, 1, &n));
  buf[n] = '\0';
}

/* ---- path_open ---------------------------------------------------------- */

static void test_open_read(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_fdstat_t fs;
  wt_fd_t fd;
  char buf[64];
  wt_test_write_file(env, "f", "hello");
  assert_ok(open_simple(env->w, 0, "f", 0, WT_RIGHT_FD_READ, &fd));
  /* The lowest free slot: 0-2 are stdio, 3 the preopen. */
  assert_int_equal(fd, 4);
  read_all(env->w, fd, buf, sizeof buf);
  assert_string_equal(buf, "hello");
  assert_ok(wt_fd_fdstat_get(env->w, fd, &fs));
  assert_int_equal(fs.fs_filetype, WT_FILETYPE_REGULAR_FILE);
  assert_int_equal(fs.fs_rights_base, WT_RIGHT_FD_READ);
  assert_ok(wt_fd_close(env->w, fd));
  /* A freed slot below others is reused. */
  assert_ok(open_simple(env->w, 0, "f", 0, WT_RIGHT_FD_READ, &fd));
  assert_int_equal(fd, 4);
  assert_errno(open_simple(env->w, 0, "nope", 0, WT_RIGHT_FD_READ, &fd),
               WT_ENOENT);
}

static void test_open_creat_needs_right(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_fd_t fd;
  char buf[64], p[512];
  w->fds[DIRFD].base &= ~(wt_rights_t)WT_RIGHT_PATH_CREATE_FILE;
  assert_errno(open_simple(w, 0, "new", WT_O_CREAT, WT_RIGHT_FD_WRITE, &fd),
               WT_ENOTCAPABLE);
  assert_false(host_exists(env, "new"));
  /* Opening an existing file needs only PATH_OPEN. */
  wt_test_write_file(env, "old", "x");
  assert_ok(open_simple(w, 0, "old", 0, WT_RIGHT_FD_READ, &fd));
  assert_ok(wt_fd_close(w, fd));
  w->fds[DIRFD].base |= WT_RIGHT_PATH_CREATE_FILE;
  assert_ok(open_simple(w, 0, "new", WT_O_CREAT, WT_RIGHT_FD_WRITE, &fd));
  assert_ok(wt_test_write_str(w, fd, "written"));
  assert_ok(wt_fd_close(w, fd));
  host(env, "new", p, sizeof p);
  assert_int_equal(wt_test_read_file(p, buf, sizeof buf), 7);
  assert_string_equal(buf, "written");
  /* PATH_OPEN itself. */
  w->fds[DIRFD].base &= ~(wt_rights_t)WT_RIGHT_PATH_OPEN;
  assert_errno(open_simple(w, 0, "old", 0, WT_RIGHT_FD_READ, &fd),
               WT_ENOTCAPABLE);
}

static void test_open_trunc_excl(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_fd_t fd;
  struct stat st;
  wt_test_write_file(env, "f", "some content");
  w->fds[DIRFD].base &= ~(wt_rights_t)WT_RIGHT_PATH_FILESTAT_SET_SIZE;
  assert_errno(open_simple(w, 0, "f", WT_O_TRUNC, WT_RIGHT_FD_WRITE, &fd),
               WT_ENOTCAPABLE);
  assert_int_equal(host_lstat(env, "f", &st), 0);
  assert_int_equal(st.st_size, 12);
  w->fds[DIRFD].base |= WT_RIGHT_PATH_FILESTAT_SET_SIZE;
  assert_ok(open_simple(w, 0, "f", WT_O_TRUNC, WT_RIGHT_FD_WRITE, &fd));
  assert_int_equal(host_lstat(env, "f", &st), 0);
  assert_int_equal(st.st_size, 0);
  assert_ok(wt_fd_close(w, fd));
  assert_errno(
      open_simple(w, 0, "f", WT_O_CREAT | WT_O_EXCL, WT_RIGHT_FD_WRITE, &fd),
      WT_EEXIST);
  assert_ok(
      open_simple(w, 0, "g", WT_O_CREAT | WT_O_EXCL, WT_RIGHT_FD_WRITE, &fd));
  assert_true(host_exists(env, "g"));
}

static void test_open_flags_invalid(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_fd_t fd = 77;
  wt_test_write_file(env, "f", "x");
  assert_errno(open_simple(w, 0, "f", 0x10, WT_RIGHT_FD_READ, &fd), WT_EINVAL);
  assert_errno(open_at(w, DIRFD, 0, "f", 0, WT_RIGHT_FD_READ, 0, 0x20, &fd),
               WT_EINVAL);
  assert_errno(open_simple(w, 2, "f", 0, WT_RIGHT_FD_READ, &fd), WT_EINVAL);
  assert_errno(open_simple(w, 0, "d", WT_O_DIRECTORY | WT_O_CREAT, 0, &fd),
               WT_EINVAL);
  assert_errno(open_simple(w, 0, "f", WT_O_DIRECTORY | WT_O_TRUNC, 0, &fd),
               WT_EINVAL);
  assert_int_equal(fd, 77);
  assert_false(host_exists(env, "d"));
}

static void test_open_directory(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_fdstat_t fs;
  wt_fd_t fd;
  wt_test_write_file(env, "f", "x");
  wt_test_mkdir(env, "d");
  assert_errno(open_simple(w, 0, "f", WT_O_DIRECTORY, WT_RIGHT_FD_READ, &fd),
               WT_ENOTDIR);
  /* O_DIRECTORY with a write right: EISDIR, as Linux, wasmtime and Node. */
  assert_errno(open_at(w, DIRFD, 0, "d", WT_O_DIRECTORY,
                       WT_RIGHTS_DIRECTORY_INHERITING,
                       WT_RIGHTS_DIRECTORY_INHERITING, 0, &fd),
               WT_EISDIR);
  assert_errno(open_simple(w, 0, "d", WT_O_DIRECTORY, WT_RIGHT_FD_WRITE, &fd),
               WT_EISDIR);
  assert_errno(open_simple(w, 0, "d", WT_O_DIRECTORY,
                           WT_RIGHT_FD_FILESTAT_SET_SIZE, &fd),
               WT_EISDIR);
  /* A file stays ENOTDIR, whatever the rights. */
  assert_errno(open_simple(w, 0, "f", WT_O_DIRECTORY, WT_RIGHT_FD_WRITE, &fd),
               WT_ENOTDIR);
  assert_ok(open_at(w, DIRFD, 0, "d", WT_O_DIRECTORY,
                    WT_RIGHTS_DIRECTORY_INHERITING &
                        ~(WT_RIGHT_FD_WRITE | WT_RIGHT_FD_ALLOCATE |
                          WT_RIGHT_FD_FILESTAT_SET_SIZE),
                    WT_RIGHTS_DIRECTORY_INHERITING, 0, &fd));
  assert_ok(wt_fd_fdstat_get(w, fd, &fs));
  assert_int_equal(fs.fs_filetype, WT_FILETYPE_DIRECTORY);
  /* Other file rights asked for on a directory are dropped, not refused. */
  assert_int_equal(fs.fs_rights_base, WT_RIGHTS_DIRECTORY);
  assert_int_equal(w->fds[fd].base, WT_RIGHTS_DIRECTORY);
  assert_int_equal(fs.fs_rights_inheriting, WT_RIGHTS_DIRECTORY_INHERITING);
  assert_ok(wt_fd_close(w, fd));
  /* Without O_DIRECTORY and with write rights: still opened, read-only. */
  assert_ok(
      open_simple(w, 0, "d", 0, WT_RIGHT_FD_WRITE | WT_RIGHT_FD_READDIR, &fd));
  assert_ok(wt_fd_fdstat_get(w, fd, &fs));
  assert_int_equal(fs.fs_filetype, WT_FILETYPE_DIRECTORY);
  assert_int_equal(fs.fs_rights_base, WT_RIGHT_FD_READDIR);
  assert_ok(wt_fd_close(w, fd));
  /* But creating over a directory is EISDIR. */
  assert_errno(open_simple(w, 0, "d", WT_O_CREAT, WT_RIGHT_FD_WRITE, &fd),
               WT_EISDIR);
}

static void test_open_rights_subset_and_drop(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_fdstat_t fs;
  wt_fd_t fd;
  wt_test_write_file(env, "f", "x");
  /* More than the directory passes on: refused. */
  assert_errno(open_simple(w, 0, "f", 0, WT_RIGHTS_ALL, &fd), WT_ENOTCAPABLE);
  assert_errno(open_at(w, DIRFD, 0, "f", 0, WT_RIGHT_FD_READ,
                       WT_RIGHT_SOCK_ACCEPT, 0, &fd),
               WT_ENOTCAPABLE);
  w->fds[DIRFD].inheriting = WT_RIGHT_FD_READ | WT_RIGHT_FD_SEEK;
  assert_errno(open_simple(w, 0, "f", 0, WT_RIGHT_FD_WRITE, &fd),
               WT_ENOTCAPABLE);
  assert_ok(
      open_simple(w, 0, "f", 0, WT_RIGHT_FD_READ | WT_RIGHT_FD_SEEK, &fd));
  assert_ok(wt_fd_close(w, fd));
  w->fds[DIRFD].inheriting = WT_RIGHTS_DIRECTORY_INHERITING;
  /* Directory rights asked for on a file: dropped by type. */
  assert_ok(open_at(w, DIRFD, 0, "f", 0, WT_RIGHTS_DIRECTORY_INHERITING,
                    WT_RIGHTS_DIRECTORY_INHERITING, 0, &fd));
  assert_ok(wt_fd_fdstat_get(w, fd, &fs));
  assert_int_equal(fs.fs_rights_base, WT_RIGHTS_REGULAR_FILE);
  assert_int_equal(fs.fs_rights_inheriting, 0);
  assert_int_equal(w->fds[fd].base, WT_RIGHTS_REGULAR_FILE);
}

static void test_open_fdflags(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_fdstat_t fs;
  wt_fd_t fd;
  char buf[64], p[512];
  wt_test_write_file(env, "f", "abc");
  assert_ok(open_at(w, DIRFD, 0, "f", 0, WT_RIGHT_FD_WRITE, 0,
                    WT_FDFLAG_APPEND | WT_FDFLAG_NONBLOCK, &fd));
  assert_ok(wt_fd_fdstat_get(w, fd, &fs));
  assert_true(fs.fs_flags & WT_FDFLAG_APPEND);
  assert_true(fs.fs_flags & WT_FDFLAG_NONBLOCK);
  assert_true(w->fds[fd].desc->nonblock);
  /* NONBLOCK is emulated, never set on the host fd. */
  assert_false(fcntl(w->fds[fd].desc->host_fd, F_GETFL) & O_NONBLOCK);
  assert_ok(wt_test_write_str(w, fd, "def"));
  assert_ok(wt_fd_close(w, fd));
  host(env, "f", p, sizeof p);
  wt_test_read_file(p, buf, sizeof buf);
  assert_string_equal(buf, "abcdef");
  assert_ok(
      open_at(w, DIRFD, 0, "f", 0, WT_RIGHT_FD_WRITE, 0, WT_FDFLAG_SYNC, &fd));
  assert_ok(wt_fd_fdstat_get(w, fd, &fs));
  assert_true(fs.fs_flags & WT_FDFLAG_SYNC);
  assert_true(fcntl(w->fds[fd].desc->host_fd, F_GETFD) & FD_CLOEXEC);
}

static void test_open_symlinks(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_fd_t fd;
  char buf[64];
  wt_test_write_file(env, "f", "target");
  wt_test_mkdir(env, "d");
  wt_test_symlink(env, "f", "lf");
  wt_test_symlink(env, "d", "ld");
  wt_test_symlink(env, "missing", "dangling");
  /* Without SYMLINK_FOLLOW a final symlink is not opened (Linux: ELOOP,
   * ENOTDIR with O_DIRECTORY). */
  assert_errno(open_simple(w, 0, "lf", 0, WT_RIGHT_FD_READ, &fd), WT_ELOOP);
  assert_errno(open_simple(w, 0, "ld", WT_O_DIRECTORY, 0, &fd), WT_ENOTDIR);
  assert_ok(open_simple(w, FOLLOW, "lf", 0, WT_RIGHT_FD_READ, &fd));
  read_all(w, fd, buf, sizeof buf);
  assert_string_equal(buf, "target");
  assert_ok(wt_fd_close(w, fd));
  assert_ok(open_simple(w, FOLLOW, "ld", WT_O_DIRECTORY, 0, &fd));
  assert_ok(wt_fd_close(w, fd));
  /* Intermediate symlinks are always followed. */
  wt_test_write_file(env, "d/inner", "in");
  assert_ok(open_simple(w, 0, "ld/inner", 0, WT_RIGHT_FD_READ, &fd));
  assert_ok(wt_fd_close(w, fd));
  /* CREAT through a dangling link creates its target ... */
  assert_ok(
      open_simple(w, FOLLOW, "dangling", WT_O_CREAT, WT_RIGHT_FD_WRITE, &fd));
  assert_ok(wt_fd_close(w, fd));
  assert_true(host_exists(env, "missing"));
  /* ... but CREAT|EXCL never follows: the link exists. */
  assert_errno(open_simple(w, FOLLOW, "lf", WT_O_CREAT | WT_O_EXCL,
                           WT_RIGHT_FD_WRITE, &fd),
               WT_EEXIST);
}

static void test_open_trailing_slash_and_dots(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_fdstat_t fs;
  wt_fd_t fd;
  wt_test_write_file(env, "f", "x");
  wt_test_mkdir(env, "d");
  wt_test_symlink(env, "f", "lf");
  wt_test_symlink(env, "d", "ld");
  assert_errno(open_simple(w, 0, "f/", 0, WT_RIGHT_FD_READ, &fd), WT_ENOTDIR);
  assert_errno(open_simple(w, 0, "lf/", 0, WT_RIGHT_FD_READ, &fd), WT_ENOTDIR);
  assert_errno(open_simple(w, 0, "new/", WT_O_CREAT, WT_RIGHT_FD_WRITE, &fd),
               WT_EISDIR);
  assert_false(host_exists(env, "new"));
  /* "ld/" follows the link even without SYMLINK_FOLLOW. */
  assert_ok(open_simple(w, 0, "ld/", 0, WT_RIGHT_FD_READDIR, &fd));
  assert_ok(wt_fd_fdstat_get(w, fd, &fs));
  assert_int_equal(fs.fs_filetype, WT_FILETYPE_DIRECTORY);
  assert_ok(wt_fd_close(w, fd));
  assert_ok(open_simple(w, 0, "d//", 0, WT_RIGHT_FD_READDIR, &fd));
  assert_ok(wt_fd_close(w, fd));
  assert_ok(open_simple(w, 0, ".", WT_O_DIRECTORY, WT_RIGHT_FD_READDIR, &fd));
  assert_ok(wt_fd_close(w, fd));
  assert_ok(open_simple(w, 0, "./d/./../f", 0, WT_RIGHT_FD_READ, &fd));
  assert_ok(wt_fd_close(w, fd));
  assert_ok(open_simple(w, 0, "d/..", WT_O_DIRECTORY, 0, &fd));
  assert_ok(wt_fd_close(w, fd));
  assert_errno(open_simple(w, 0, "..", WT_O_DIRECTORY, 0, &fd), WT_ENOTCAPABLE);
}

/* A directory opened by path_open is a root of its own: ".." stops there. */
static void test_open_subdir_is_its_own_root(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_fd_t sub, fd;
  wt_test_mkdir(env, "d");
  wt_test_write_file(env, "d/in", "x");
  wt_test_write_file(env, "top", "x");
  assert_ok(open_at(w, DIRFD, 0, "d", WT_O_DIRECTORY, WT_RIGHTS_DIRECTORY,
                    WT_RIGHTS_DIRECTORY_INHERITING, 0, &sub));
  assert_ok(open_at(w, sub, 0, "in", 0, WT_RIGHT_FD_READ, 0, 0, &fd));
  assert_ok(wt_fd_close(w, fd));
  assert_errno(open_at(w, sub, 0, "../top", 0, WT_RIGHT_FD_READ, 0, 0, &fd),
               WT_ENOTCAPABLE);
  /* The new fd passes on only what it was given. */
  w->fds[sub].inheriting = WT_RIGHT_FD_READ;
  assert_errno(open_at(w, sub, 0, "in", 0, WT_RIGHT_FD_WRITE, 0, 0, &fd),
               WT_ENOTCAPABLE);
}

/* ---- path errors common to every call ------------------------------------ */

static void test_bad_paths(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_filestat_t st;
  char longname[300], longpath[PATH_MAX + 8];
  wt_test_write_file(env, "f", "x");
  assert_errno(wt_path_filestat_get(w, DIRFD, 0, "", 0, &st), WT_ENOENT);
  assert_errno(wt_path_filestat_get(w, DIRFD, 0, NULL, 0, &st), WT_ENOENT);
  assert_errno(wt_path_filestat_get(w, DIRFD, 0, "f\0x", 3, &st), WT_EINVAL);
  assert_errno(wt_path_filestat_get(w, DIRFD, 0, "/f", 2, &st), WT_ENOTCAPABLE);
  /* Only len bytes count: "fX" with len 1 is "f". */
  assert_ok(wt_path_filestat_get(w, DIRFD, 0, "fX", 1, &st));
  memset(longname, 'n', 256);
  longname[256] = '\0';
  assert_errno(stat_err(w, 0, longname), WT_ENAMETOOLONG);
  longname[255] = '\0';
  assert_errno(stat_err(w, 0, longname), WT_ENOENT);
  for (size_t i = 0; i < PATH_MAX; i += 2)
    memcpy(longpath + i, "./", 2);
  longpath[PATH_MAX] = '\0';
  assert_errno(stat_err(w, 0, longpath), WT_ENAMETOOLONG);
  longpath[PATH_MAX - 2] = '\0';
  assert_ok(wt_path_filestat_get(w, DIRFD, 0, P(longpath), &st));
  assert_int_equal(st.filetype, WT_FILETYPE_DIRECTORY);
  assert_errno(stat_err(w, 0, "nope/f"), WT_ENOENT);
  assert_errno(stat_err(w, 0, "f/x"), WT_ENOTDIR);
  assert_errno(wt_path_filestat_get(w, 99, 0, P("f"), &st), WT_EBADF);
}

/* ---- filestat ----------------------------------------------------------- */

static void assert_same_stat(const wt_filestat_t *st, const struct stat *hs) {
  assert_int_equal(st->ino, hs->st_ino);
  assert_int_equal(st->dev, hs->st_dev);
  assert_int_equal(st->nlink, hs->st_nlink);
  assert_int_equal(st->size, hs->st_size);
  assert_int_equal(st->filetype, wt__filetype_from_mode(hs->st_mode));
  assert_int_equal(st->atim, (uint64_t)hs->st_atim.tv_sec * 1000000000u +
                                 (uint64_t)hs->st_atim.tv_nsec);
  assert_int_equal(st->mtim, (uint64_t)hs->st_mtim.tv_sec * 1000000000u +
                                 (uint64_t)hs->st_mtim.tv_nsec);
  assert_int_equal(st->ctim, (uint64_t)hs->st_ctim.tv_sec * 1000000000u +
                                 (uint64_t)hs->st_ctim.tv_nsec);
}

static void test_filestat(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_filestat_t st;
  struct stat hs;
  wt_test_mkdir(env, "d");
  wt_test_write_file(env, "d/f", "12345");
  wt_test_symlink(env, "d/f", "lf");
  st = stat_of(w, 0, "d/f");
  assert_int_equal(host_lstat(env, "d/f", &hs), 0);
  assert_same_stat(&st, &hs);
  assert_int_equal(st.size, 5);
  assert_int_equal(st.filetype, WT_FILETYPE_REGULAR_FILE);
  /* Nofollow: the link itself; follow: its target. */
  st = stat_of(w, 0, "lf");
  assert_int_equal(host_lstat(env, "lf", &hs), 0);
  assert_same_stat(&st, &hs);
  assert_int_equal(st.filetype, WT_FILETYPE_SYMBOLIC_LINK);
  st = stat_of(w, FOLLOW, "lf");
  assert_int_equal(host_lstat(env, "d/f", &hs), 0);
  assert_same_stat(&st, &hs);
  /* "." and ".." as the final component, within the sandbox. */
  st = stat_of(w, 0, ".");
  assert_int_equal(stat(env->root, &hs), 0);
  assert_same_stat(&st, &hs);
  st = stat_of(w, 0, "d/..");
  assert_same_stat(&st, &hs);
  st = stat_of(w, 0, "d/./");
  assert_int_equal(host_lstat(env, "d", &hs), 0);
  assert_same_stat(&st, &hs);
  assert_errno(stat_err(w, 0, "d/f/"), WT_ENOTDIR);
  assert_errno(stat_err(w, 0, "lf/"), WT_ENOTDIR);
  assert_errno(stat_err(w, 0, "missing/"), WT_ENOENT);
  /* The right. */
  w->fds[DIRFD].base &= ~(wt_rights_t)WT_RIGHT_PATH_FILESTAT_GET;
  assert_errno(stat_err(w, 0, "d/f"), WT_ENOTCAPABLE);
}

/*
 * SYMLINK_FOLLOW answers from the stat the resolver made of the final
 * name: each way a resolution can end (a plain name, a link to a file, a
 * link to a link, a link ending in "..", a trailing slash, a name that
 * changes between two calls) gives the host's stat of what is there now.
 */
static void test_filestat_follow(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_filestat_t st;
  struct stat hs;
  wt_test_mkdir(env, "d");
  wt_test_write_file(env, "d/f", "12345");
  wt_test_symlink(env, "d/f", "l1");
  wt_test_symlink(env, "l1", "l2");
  wt_test_symlink(env, "d/..", "lup");
  st = stat_of(w, FOLLOW, "d/f");
  assert_int_equal(host_lstat(env, "d/f", &hs), 0);
  assert_same_stat(&st, &hs);
  st = stat_of(w, FOLLOW, "l2");
  assert_same_stat(&st, &hs);
  st = stat_of(w, FOLLOW, "lup");
  assert_int_equal(stat(env->root, &hs), 0);
  assert_same_stat(&st, &hs);
  st = stat_of(w, FOLLOW, "d/");
  assert_int_equal(host_lstat(env, "d", &hs), 0);
  assert_same_stat(&st, &hs);
  /* The file replaced by a bigger one: a new stat, not an old answer. */
  wt_test_write_file(env, "d/f", "1234567890");
  st = stat_of(w, FOLLOW, "l1");
  assert_int_equal(st.size, 10);
  assert_errno(stat_err(w, FOLLOW, "missing"), WT_ENOENT);
  assert_errno(stat_err(w, FOLLOW, "l1/"), WT_ENOTDIR);
}

static void test_symlink_loops(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_fd_t fd;
  char chain[32], next[32];
  wt_test_symlink(env, "b", "a");
  wt_test_symlink(env, "a", "b");
  wt_test_symlink(env, "self", "self");
  wt_test_symlink(env, "./sub/../self2", "self2");
  wt_test_mkdir(env, "sub");
  assert_errno(stat_err(w, FOLLOW, "a"), WT_ELOOP);
  assert_errno(stat_err(w, FOLLOW, "self"), WT_ELOOP);
  assert_errno(stat_err(w, FOLLOW, "self2"), WT_ELOOP);
  assert_errno(stat_err(w, 0, "a/x"), WT_ELOOP);
  assert_errno(open_simple(w, FOLLOW, "b", 0, WT_RIGHT_FD_READ, &fd), WT_ELOOP);
  assert_errno(
      open_simple(w, FOLLOW, "self", WT_O_CREAT, WT_RIGHT_FD_WRITE, &fd),
      WT_ELOOP);
  /* Nofollow on a looping link acts on the link. */
  assert_int_equal(stat_of(w, 0, "a").filetype, WT_FILETYPE_SYMBOLIC_LINK);
  /* A chain of 40 links resolves; 41 is too many (Linux's limit). */
  wt_test_write_file(env, "end", "x");
  for (int i = 0; i < 41; i++) {
    snprintf(chain, sizeof chain, "c%d", i);
    if (i == 0)
      snprintf(next, sizeof next, "end");
    else
      snprintf(next, sizeof next, "c%d", i - 1);
    wt_test_symlink(env, next, chain);
  }
  assert_int_equal(stat_of(w, FOLLOW, "c39").filetype,
                   WT_FILETYPE_REGULAR_FILE);
  assert_errno(stat_err(w, FOLLOW, "c40"), WT_ELOOP);
}

/* ---- set_times ---------------------------------------------------------- */

static void test_set_times(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  const uint64_t a = 1600000000ull * 1000000000ull + 123456789ull;
  const uint64_t m = 1500000000ull * 1000000000ull + 987654321ull;
  wt_filestat_t st;
  struct timespec now;
  wt_test_write_file(env, "f", "x");
  wt_test_symlink(env, "f", "lf");
  assert_ok(wt_path_filestat_set_times(w, DIRFD, 0, P("f"), a, m,
                                       WT_FSTFLAG_ATIM | WT_FSTFLAG_MTIM));
  st = stat_of(w, 0, "f");
  assert_int_equal(st.atim, a);
  assert_int_equal(st.mtim, m);
  /* Only MTIM: atim is left alone. */
  assert_ok(wt_path_filestat_set_times(w, DIRFD, 0, P("f"), 0, m + 1,
                                       WT_FSTFLAG_MTIM));
  st = stat_of(w, 0, "f");
  assert_int_equal(st.atim, a);
  assert_int_equal(st.mtim, m + 1);
  /* MTIM_NOW. */
  clock_gettime(CLOCK_REALTIME, &now);
  assert_ok(wt_path_filestat_set_times(w, DIRFD, 0, P("f"), 0, 0,
                                       WT_FSTFLAG_MTIM_NOW));
  st = stat_of(w, 0, "f");
  assert_true(st.mtim / 1000000000u + 2 >= (uint64_t)now.tv_sec);
  assert_int_equal(st.atim, a);
  /* Through a link: follow sets the target, nofollow the link itself. */
  assert_ok(wt_path_filestat_set_times(w, DIRFD, FOLLOW, P("lf"), a, a,
                                       WT_FSTFLAG_ATIM | WT_FSTFLAG_MTIM));
  assert_int_equal(stat_of(w, 0, "f").mtim, a);
  assert_ok(wt_path_filestat_set_times(w, DIRFD, 0, P("lf"), m, m,
                                       WT_FSTFLAG_ATIM | WT_FSTFLAG_MTIM));
  assert_int_equal(stat_of(w, 0, "lf").mtim, m);
  assert_int_equal(stat_of(w, 0, "f").mtim, a);
  /* Invalid combinations. */
  assert_errno(
      wt_path_filestat_set_times(w, DIRFD, 0, P("f"), a, m,
                                 WT_FSTFLAG_ATIM | WT_FSTFLAG_ATIM_NOW),
      WT_EINVAL);
  assert_errno(
      wt_path_filestat_set_times(w, DIRFD, 0, P("f"), a, m,
                                 WT_FSTFLAG_MTIM | WT_FSTFLAG_MTIM_NOW),
      WT_EINVAL);
  assert_errno(wt_path_filestat_set_times(w, DIRFD, 0, P("f"), a, m, 0x10),
               WT_EINVAL);
  assert_errno(
      wt_path_filestat_set_times(w, DIRFD, 0, P("nope"), a, m, WT_FSTFLAG_ATIM),
      WT_ENOENT);
  assert_int_equal(stat_of(w, 0, "f").atim, a);
}

/* ---- link, symlink, readlink ----------------------------------------------
 */

static void test_link(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_filestat_t st;
  struct stat hs, hl;
  wt_test_write_file(env, "f", "x");
  wt_test_mkdir(env, "d");
  wt_test_symlink(env, "f", "lf");
  assert_ok(wt_path_link(w, DIRFD, 0, P("f"), DIRFD, P("d/hard")));
  st = stat_of(w, 0, "d/hard");
  assert_int_equal(host_lstat(env, "f", &hs), 0);
  assert_int_equal(st.ino, hs.st_ino);
  assert_int_equal(st.nlink, 2);
  assert_errno(wt_path_link(w, DIRFD, 0, P("f"), DIRFD, P("d/hard")),
               WT_EEXIST);
  /* Nofollow links the symlink itself; follow links its target. */
  assert_ok(wt_path_link(w, DIRFD, 0, P("lf"), DIRFD, P("l_nofollow")));
  assert_int_equal(host_lstat(env, "l_nofollow", &hl), 0);
  assert_true(S_ISLNK(hl.st_mode));
  assert_ok(wt_path_link(w, DIRFD, FOLLOW, P("lf"), DIRFD, P("l_follow")));
  assert_int_equal(host_lstat(env, "l_follow", &hl), 0);
  assert_true(S_ISREG(hl.st_mode));
  assert_int_equal(hl.st_ino, hs.st_ino);
  /* Directories cannot be hard-linked (Linux: EPERM). */
  assert_errno(wt_path_link(w, DIRFD, 0, P("d"), DIRFD, P("d2")), WT_EPERM);
  assert_errno(wt_path_link(w, DIRFD, 0, P("f"), DIRFD, P("new/")), WT_ENOENT);
  assert_errno(wt_path_link(w, DIRFD, 0, P("f/"), DIRFD, P("new")), WT_ENOTDIR);
  assert_errno(wt_path_link(w, DIRFD, 0, P("nope"), DIRFD, P("new")),
               WT_ENOENT);
  assert_errno(wt_path_link(w, DIRFD, 2, P("f"), DIRFD, P("new")), WT_EINVAL);
  w->fds[DIRFD].base &= ~(wt_rights_t)WT_RIGHT_PATH_LINK_TARGET;
  assert_errno(wt_path_link(w, DIRFD, 0, P("f"), DIRFD, P("new")),
               WT_ENOTCAPABLE);
  assert_false(host_exists(env, "new"));
}

static void test_symlink_readlink(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  uint8_t buf[64];
  uint32_t used = 999;
  const char *text = "../d/./x//y";
  wt_test_mkdir(env, "d");
  wt_test_write_file(env, "f", "x");
  assert_ok(wt_path_symlink(w, P(text), DIRFD, P("d/l")));
  assert_ok(wt_path_readlink(w, DIRFD, P("d/l"), buf, sizeof buf, &used));
  assert_int_equal(used, strlen(text));
  assert_memory_equal(buf, text, used);
  /* Truncation: the first bytes, no NUL added. */
  memset(buf, '#', sizeof buf);
  assert_ok(wt_path_readlink(w, DIRFD, P("d/l"), buf, 4, &used));
  assert_int_equal(used, 4);
  assert_memory_equal(buf, "../d#", 5);
  assert_ok(wt_path_readlink(w, DIRFD, P("d/l"), NULL, 0, &used));
  assert_int_equal(used, 0);
  /* Not a link. */
  assert_errno(wt_path_readlink(w, DIRFD, P("f"), buf, sizeof buf, &used),
               WT_EINVAL);
  assert_errno(wt_path_readlink(w, DIRFD, P("nope"), buf, sizeof buf, &used),
               WT_ENOENT);
  /* symlink errors. */
  assert_errno(wt_path_symlink(w, P("f"), DIRFD, P("d/l")), WT_EEXIST);
  assert_errno(wt_path_symlink(w, P("/etc/passwd"), DIRFD, P("abs")),
               WT_ENOTCAPABLE);
  assert_errno(wt_path_symlink(w, "", 0, DIRFD, P("empty")), WT_ENOENT);
  assert_errno(wt_path_symlink(w, "a\0b", 3, DIRFD, P("nul")), WT_EINVAL);
  assert_errno(wt_path_symlink(w, P("f"), DIRFD, P("new/")), WT_ENOENT);
  assert_errno(wt_path_symlink(w, P("f"), DIRFD, P("nodir/l")), WT_ENOENT);
  assert_false(host_exists(env, "abs") || host_exists(env, "empty") ||
               host_exists(env, "nul") || host_exists(env, "new"));
  /* A link made by the guest works like any other. */
  assert_ok(wt_path_symlink(w, P("../f"), DIRFD, P("d/up")));
  assert_int_equal(stat_of(w, FOLLOW, "d/up").filetype,
                   WT_FILETYPE_REGULAR_FILE);
  w->fds[DIRFD].base &= ~(wt_rights_t)WT_RIGHT_PATH_READLINK;
  assert_errno(wt_path_readlink(w, DIRFD, P("d/l"), buf, sizeof buf, &used),
               WT_ENOTCAPABLE);
}

/* ---- create, remove, unlink, rename ---------------------------------------
 */

static void test_create_remove_directory(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  struct stat hs;
  assert_ok(wt_path_create_directory(w, DIRFD, P("d")));
  assert_int_equal(host_lstat(env, "d", &hs), 0);
  assert_true(S_ISDIR(hs.st_mode));
  assert_errno(wt_path_create_directory(w, DIRFD, P("d")), WT_EEXIST);
  assert_errno(wt_path_create_directory(w, DIRFD, P(".")), WT_EEXIST);
  assert_ok(wt_path_create_directory(w, DIRFD, P("d/e/")));
  assert_errno(wt_path_create_directory(w, DIRFD, P("x/y")), WT_ENOENT);
  wt_test_write_file(env, "f", "x");
  wt_test_symlink(env, "d", "ld");
  assert_errno(wt_path_create_directory(w, DIRFD, P("f")), WT_EEXIST);
  assert_errno(wt_path_create_directory(w, DIRFD, P("f/g")), WT_ENOTDIR);
  /* remove_directory. */
  assert_errno(wt_path_remove_directory(w, DIRFD, P("d")), WT_ENOTEMPTY);
  assert_errno(wt_path_remove_directory(w, DIRFD, P("f")), WT_ENOTDIR);
  assert_errno(wt_path_remove_directory(w, DIRFD, P("ld")), WT_ENOTDIR);
  assert_errno(wt_path_remove_directory(w, DIRFD, P("nope")), WT_ENOENT);
  assert_ok(wt_path_remove_directory(w, DIRFD, P("d/e/")));
  assert_false(host_exists(env, "d/e"));
  assert_ok(wt_path_remove_directory(w, DIRFD, P("d")));
  assert_false(host_exists(env, "d"));
  assert_true(host_exists(env, "ld"));
  w->fds[DIRFD].base &= ~(wt_rights_t)WT_RIGHT_PATH_CREATE_DIRECTORY;
  assert_errno(wt_path_create_directory(w, DIRFD, P("d")), WT_ENOTCAPABLE);
  assert_false(host_exists(env, "d"));
}

static void test_unlink_file(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_test_write_file(env, "f", "x");
  wt_test_write_file(env, "g", "x");
  wt_test_mkdir(env, "d");
  wt_test_symlink(env, "g", "lg");
  wt_test_symlink(env, "d", "ld");
  assert_errno(wt_path_unlink_file(w, DIRFD, P("d")), WT_EISDIR);
  assert_errno(wt_path_unlink_file(w, DIRFD, P("d/")), WT_EISDIR);
  assert_errno(wt_path_unlink_file(w, DIRFD, P("f/")), WT_ENOTDIR);
  assert_errno(wt_path_unlink_file(w, DIRFD, P("nope")), WT_ENOENT);
  assert_errno(wt_path_unlink_file(w, DIRFD, P(".")), WT_EISDIR);
  assert_ok(wt_path_unlink_file(w, DIRFD, P("f")));
  assert_false(host_exists(env, "f"));
  /* A symlink is removed, never its target. */
  assert_ok(wt_path_unlink_file(w, DIRFD, P("lg")));
  assert_ok(wt_path_unlink_file(w, DIRFD, P("ld")));
  assert_false(host_exists(env, "lg"));
  assert_true(host_exists(env, "g"));
  assert_true(host_exists(env, "d"));
  w->fds[DIRFD].base &= ~(wt_rights_t)WT_RIGHT_PATH_UNLINK_FILE;
  assert_errno(wt_path_unlink_file(w, DIRFD, P("g")), WT_ENOTCAPABLE);
  assert_true(host_exists(env, "g"));
}

static void test_rename(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_fd_t sub;
  char buf[16], p[512];
  wt_test_write_file(env, "f", "content");
  wt_test_mkdir(env, "d");
  wt_test_mkdir(env, "e");
  wt_test_write_file(env, "e/x", "x");
  assert_ok(wt_path_rename(w, DIRFD, P("f"), DIRFD, P("g")));
  assert_false(host_exists(env, "f"));
  host(env, "g", p, sizeof p);
  wt_test_read_file(p, buf, sizeof buf);
  assert_string_equal(buf, "content");
  /* Across two directory fds. */
  assert_ok(open_at(w, DIRFD, 0, "d", WT_O_DIRECTORY, WT_RIGHTS_DIRECTORY,
                    WT_RIGHTS_DIRECTORY_INHERITING, 0, &sub));
  assert_ok(wt_path_rename(w, DIRFD, P("g"), sub, P("moved")));
  assert_true(host_exists(env, "d/moved"));
  assert_ok(wt_path_rename(w, sub, P("moved"), DIRFD, P("back")));
  assert_true(host_exists(env, "back"));
  w->fds[sub].base &= ~(wt_rights_t)WT_RIGHT_PATH_RENAME_TARGET;
  assert_errno(wt_path_rename(w, DIRFD, P("back"), sub, P("m2")),
               WT_ENOTCAPABLE);
  w->fds[sub].base &= ~(wt_rights_t)WT_RIGHT_PATH_RENAME_SOURCE;
  assert_errno(wt_path_rename(w, sub, P("x"), DIRFD, P("m2")), WT_ENOTCAPABLE);
  assert_true(host_exists(env, "back"));
  /* Type rules and trailing slashes. */
  assert_errno(wt_path_rename(w, DIRFD, P("back"), DIRFD, P("new/")),
               WT_ENOTDIR);
  assert_errno(wt_path_rename(w, DIRFD, P("back/"), DIRFD, P("new")),
               WT_ENOTDIR);
  assert_errno(wt_path_rename(w, DIRFD, P("back"), DIRFD, P("d")), WT_EISDIR);
  assert_errno(wt_path_rename(w, DIRFD, P("d"), DIRFD, P("back")), WT_ENOTDIR);
  assert_errno(wt_path_rename(w, DIRFD, P("d"), DIRFD, P("e")), WT_ENOTEMPTY);
  assert_errno(wt_path_rename(w, DIRFD, P("nope"), DIRFD, P("x")), WT_ENOENT);
  assert_ok(wt_path_rename(w, DIRFD, P("d/"), DIRFD, P("d2/")));
  assert_true(host_exists(env, "d2"));
  assert_false(host_exists(env, "new"));
}

/* ---- the resolver's fds ----------------------------------------------------
 */

/* Thousands of resolutions leave no host fd behind, on success or error. */
static void test_no_fd_leaks(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  wt_fd_t fd;
  int before;
  wt_test_mkdir(env, "a");
  wt_test_mkdir(env, "a/b");
  wt_test_mkdir(env, "a/b/c");
  wt_test_write_file(env, "a/b/c/f", "x");
  wt_test_symlink(env, "..", "a/b/up");
  wt_test_symlink(env, "loop", "a/loop");
  before = open_fd_count();
  for (int i = 0; i < 2000; i++) {
    assert_ok(open_simple(w, FOLLOW, "a/b/up/b/./c/../c/f", 0, WT_RIGHT_FD_READ,
                          &fd));
    assert_ok(wt_fd_close(w, fd));
    assert_int_equal(stat_of(w, 0, "a/b/c/f").size, 1);
    assert_errno(stat_err(w, 0, "a/b/c/../../../.."), WT_ENOTCAPABLE);
    assert_errno(stat_err(w, FOLLOW, "a/loop"), WT_ELOOP);
    assert_errno(stat_err(w, 0, "a/b/c/f/g"), WT_ENOTDIR);
    assert_errno(stat_err(w, 0, "a/nope/c"), WT_ENOENT);
  }
  assert_int_equal(open_fd_count(), before);
}

/*
 * Deeper than the resolver keeps fds for: ".." pops back through levels
 * whose fds were closed and reopened by name.
 */
static void test_deep_paths(void **state) {
  wt_test_env_t *env = env_of(state);
  wt_t *w = env->w;
  char path[1024] = "", up[1024] = "", p[2200]; /* room for both buffers whole */
  int before, depth = 60;
  for (int i = 0; i < depth; i++) {
    strcat(path, i ? "/d" : "d");
    assert_ok(wt_path_create_directory(w, DIRFD, P(path)));
    strcat(up, "../");
  }
  wt_test_write_file(env, "top", "x");
  before = open_fd_count();
  snprintf(p, sizeof p, "%s/%stop", path, up);
  assert_int_equal(stat_of(w, 0, p).filetype, WT_FILETYPE_REGULAR_FILE);
  snprintf(p, sizeof p, "%s/%s..", path, up);
  assert_errno(stat_err(w, 0, p), WT_ENOTCAPABLE);
  /* Down, up halfway, down again, up to the top. */
  snprintf(p, sizeof p, "%s/%.90s%.60s/%stop", path, up, path, up + 90);
  assert_errno(stat_err(w, 0, p), WT_ENOENT);
  snprintf(p, sizeof p, "%s/%.90sd/d/../../%stop", path, up, up + 90);
  assert_int_equal(stat_of(w, 0, p).filetype, WT_FILETYPE_REGULAR_FILE);
  /* After every number of ".." the resolver is in the right directory:
   * "." and one descent from there are the host's directories. */
  for (int k = 0; k <= depth; k++) {
    struct stat hs;
    char hp[1200];
    int at = depth - k; /* depth of the directory reached */
    snprintf(p, sizeof p, "%s/%.*s.", path, 3 * k, up);
    snprintf(hp, sizeof hp, "%s/%.*s", env->root, at ? 2 * at - 1 : 0, path);
    assert_int_equal(stat(hp, &hs), 0);
    assert_int_equal(stat_of(w, 0, p).ino, hs.st_ino);
    if (at == depth)
      continue;
    snprintf(p, sizeof p, "%s/%.*sd", path, 3 * k, up);
    snprintf(hp, sizeof hp, "%s/%.*s", env->root, 2 * (at + 1) - 1, path);
    assert_int_equal(stat(hp, &hs), 0);
    assert_int_equal(stat_of(w, 0, p).ino, hs.st_ino);
  }
  /* A link deep down climbing many levels at once. */
  snprintf(p, sizeof p, "%s/uplink", path);
  assert_ok(wt_path_symlink(w, P(up), DIRFD, P(p)));
  snprintf(p, sizeof p, "%s/uplink/top", path);
  assert_int_equal(stat_of(w, FOLLOW, p).filetype, WT_FILETYPE_REGULAR_FILE);
  snprintf(p, sizeof p, "%s/uplink/../top", path);
  assert_errno(stat_err(w, FOLLOW, p), WT_ENOTCAPABLE);
  assert_int_equal(open_fd_count(), before);
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, wt_test_setup, wt_test_teardown)
  const struct CMUnitTest tests[] = {
      T(test_open_read),
      T(test_open_creat_needs_right),
      T(test_open_trunc_excl),
      T(test_open_flags_invalid),
      T(test_open_directory),
      T(test_open_rights_subset_and_drop),
      T(test_open_fdflags),
      T(test_open_symlinks),
      T(test_open_trailing_slash_and_dots),
      T(test_open_subdir_is_its_own_root),
      T(test_bad_paths),
      T(test_filestat),
      T(test_filestat_follow),
      T(test_symlink_loops),
      T(test_set_times),
      T(test_link),
      T(test_symlink_readlink),
      T(test_create_remove_directory),
      T(test_unlink_file),
      T(test_rename),
      T(test_no_fd_leaks),
      T(test_deep_paths),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
