/*
 * Timestamps round-trip to the nanosecond: fd_filestat_set_times and
 * path_filestat_set_times (following and not following a symlink) store
 * exactly the values given, and fd_filestat_get / path_filestat_get return
 * them unchanged. Values include one past 2038 and odd nanoseconds.
 *
 * wt-dir: - /sandbox
 * wt-node: skip uvwasi passes times to libuv in whole seconds: 1234567890123456789 ns comes back as 1234567890000000000
 */
#include "guest.h"

static int root;

static void show_file(const char *path, __wasi_lookupflags_t follow) {
  __wasi_filestat_t st;
  if (showw(path, __wasi_path_filestat_get(root, follow, path, &st)) == 0)
    printf("  atim %llu\n  mtim %llu\n", (unsigned long long)st.atim,
           (unsigned long long)st.mtim);
}

int main(void) {
  __wasi_fd_t fd;
  __wasi_filestat_t st;
  const __wasi_fstflags_t BOTH = __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM;
  root = preopen_fd("/sandbox");
  showw("create f.txt",
        __wasi_path_open(root, 0, "f.txt", __WASI_OFLAGS_CREAT,
                         __WASI_RIGHTS_FD_FILESTAT_SET_TIMES |
                             __WASI_RIGHTS_FD_FILESTAT_GET,
                         0, 0, &fd));
  showw("fd_filestat_set_times 1234567890123456789 987654321987654321",
        __wasi_fd_filestat_set_times(fd, 1234567890123456789ull,
                                     987654321987654321ull, BOTH));
  showw("fd_filestat_get", __wasi_fd_filestat_get(fd, &st));
  printf("  atim %llu\n  mtim %llu\n", (unsigned long long)st.atim,
         (unsigned long long)st.mtim);
  showw("fd_filestat_set_times mtim only 4102444800000000001",
        __wasi_fd_filestat_set_times(fd, 0, 4102444800000000001ull,
                                     __WASI_FSTFLAGS_MTIM));
  show_file("f.txt", 0);
  showw("symlink l -> f.txt", __wasi_path_symlink("f.txt", root, "l"));
  showw("path_filestat_set_times l (follow) atim 1",
        __wasi_path_filestat_set_times(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
                                       "l", 1, 0, __WASI_FSTFLAGS_ATIM));
  show_file("f.txt", 0);
  showw("path_filestat_set_times l (nofollow) 5 7",
        __wasi_path_filestat_set_times(root, 0, "l", 5, 7, BOTH));
  show_file("l", 0);
  show_file("f.txt", 0);
  (void)__wasi_fd_close(fd);
  return 0;
}
