/*
 * fd_filestat_get, path_filestat_get, fd_filestat_set_times and
 * path_filestat_set_times with whole seconds, OMIT, NOW (checked against
 * the realtime clock, with slack for the filesystem's coarse clock), and
 * the conflicting-flag errors.
 * times_ns.c does the exact-nanosecond round trip.
 *
 * wt-dir: - /sandbox
 */
#include <sys/stat.h>

#include "guest.h"

#define SEC 1000000000ull

static unsigned long long ts(struct timespec t) {
  return (unsigned long long)t.tv_sec * SEC + (unsigned long long)t.tv_nsec;
}

static void print_times(const char *label) {
  struct stat st;
  if (show(label, stat("/sandbox/f.txt", &st)) == 0)
    printf("  atim %llu\n  mtim %llu\n", ts(st.st_atim), ts(st.st_mtim));
}

static void fields(int fd) {
  struct stat a, b;
  __wasi_filestat_t w;
  show("fstat", fstat(fd, &a));
  printf("  regular: %s, size %lld, nlink %llu\n", yesno(S_ISREG(a.st_mode)),
         (long long)a.st_size, (unsigned long long)a.st_nlink);
  show("stat", stat("/sandbox/f.txt", &b));
  printf("  same dev and ino as fstat: %s\n",
         yesno(a.st_dev == b.st_dev && a.st_ino == b.st_ino));
  showw("fd_filestat_get", __wasi_fd_filestat_get(fd, &w));
  printf("  filetype %u, size %llu, nlink %llu\n", w.filetype,
         (unsigned long long)w.size, (unsigned long long)w.nlink);
  showw("path_filestat_get sub",
        __wasi_path_filestat_get(preopen_fd("/sandbox"), 0, "sub", &w));
  printf("  filetype %u\n", w.filetype);
  showw("path_filestat_get missing",
        __wasi_path_filestat_get(preopen_fd("/sandbox"), 0, "missing", &w));
}

static void set_times(int fd) {
  struct timespec t[2] = {{1000000000, 0}, {1500000000, 0}};
  show("futimens 1000000000 1500000000", futimens(fd, t));
  print_times("stat");
  t[0].tv_nsec = UTIME_OMIT;
  t[1] = (struct timespec){1600000000, 0};
  show("utimensat OMIT 1600000000",
       utimensat(AT_FDCWD, "/sandbox/f.txt", t, 0));
  print_times("stat");
}

static void set_now(int fd) {
  __wasi_timestamp_t before = 0, after = 0;
  struct stat st;
  unsigned long long m;
  (void)__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &before);
  showw("fd_filestat_set_times MTIM_NOW",
        __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  (void)__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &after);
  fstat(fd, &st);
  m = ts(st.st_mtim);
  printf("  mtim within a second of the realtime clock: %s\n",
         yesno(m + SEC >= before && m <= after + SEC));
  printf("  atim unchanged: %s\n", yesno(ts(st.st_atim) == 1000000000000000000ull));
}

static void conflicts(int fd) {
  int root = preopen_fd("/sandbox");
  showw("fd_filestat_set_times ATIM|ATIM_NOW",
        __wasi_fd_filestat_set_times(fd, 1, 1,
            __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
  showw("fd_filestat_set_times MTIM|MTIM_NOW",
        __wasi_fd_filestat_set_times(fd, 1, 1,
            __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));
  showw("path_filestat_set_times missing",
        __wasi_path_filestat_set_times(root, 0, "missing", 1, 1,
                                       __WASI_FSTFLAGS_MTIM));
  showw("path_filestat_set_times no flags",
        __wasi_path_filestat_set_times(root, 0, "f.txt", 1, 1, 0));
}

int main(void) {
  int fd = open("/sandbox/f.txt", O_CREAT | O_RDWR, 0644);
  write(fd, "0123456789", 10);
  mkdir("/sandbox/sub", 0755);
  fields(fd);
  set_times(fd);
  set_now(fd);
  conflicts(fd);
  close(fd);
  return 0;
}
