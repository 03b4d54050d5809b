/*
 * The fdflags that fd_fdstat_get reports: none for a directory or a plain
 * file, APPEND for a file opened with it (path_open fdflags or libc's
 * O_APPEND), and whatever fd_fdstat_set_flags last set (APPEND, NONBLOCK,
 * none), with no host open-flag bits leaking into the value.
 *
 * wt-dir: - /sandbox
 * wt-node: skip uvwasi reports raw host open flags in fs_flags (a read-write file shows 32770 = O_LARGEFILE|O_RDWR, O_APPEND shows as 1024)
 */
#include "guest.h"

static void flags(const char *label, __wasi_fd_t fd) {
  __wasi_fdstat_t st;
  if (showw(label, __wasi_fd_fdstat_get(fd, &st)) == 0)
    printf("  flags %u\n", st.fs_flags);
}

int main(void) {
  const __wasi_rights_t RW = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                             __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS;
  int root = preopen_fd("/sandbox");
  __wasi_fd_t a, b;
  int c;
  flags("fdstat /sandbox", root);
  showw("path_open plain.txt", __wasi_path_open(root, 0, "plain.txt",
                                                __WASI_OFLAGS_CREAT, RW, 0, 0, &a));
  flags("fdstat plain.txt", a);
  showw("set_flags APPEND", __wasi_fd_fdstat_set_flags(a, __WASI_FDFLAGS_APPEND));
  flags("fdstat", a);
  showw("set_flags NONBLOCK", __wasi_fd_fdstat_set_flags(a, __WASI_FDFLAGS_NONBLOCK));
  flags("fdstat", a);
  showw("set_flags none", __wasi_fd_fdstat_set_flags(a, 0));
  flags("fdstat", a);
  showw("path_open app.txt with APPEND",
        __wasi_path_open(root, 0, "app.txt", __WASI_OFLAGS_CREAT, RW, 0,
                         __WASI_FDFLAGS_APPEND, &b));
  flags("fdstat app.txt", b);
  c = open("/sandbox/libc.txt", O_CREAT | O_WRONLY | O_APPEND, 0644);
  flags("fdstat libc O_APPEND", c);
  return 0;
}
