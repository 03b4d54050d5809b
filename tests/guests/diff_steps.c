/*
 * A guest for `wasitrace diff`: a fixed sequence of calls around values
 * that differ in every run (a clock read, random bytes, a new file's inode
 * and times), which diff ignores without --timing; a file, config.txt,
 * whose presence changes the calls (read and echoed, or NOENT); and one
 * sched_yield in the middle when the first random byte is odd, so that
 * two recordings differ by exactly one inserted call. Nothing it prints
 * depends on the random byte.
 *
 * wt-dir: - /sandbox
 */
#include <sched.h>

#include "guest.h"

#define DIR_FD 3

static void step(int i) {
  printf("step %d\n", i);
  fflush(stdout);
}

static void config(void) {
  __wasi_fd_t fd;
  char buf[64];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
  __wasi_size_t n = 0;
  __wasi_errno_t e = __wasi_path_open(DIR_FD, 0, "config.txt", 0,
                                      __WASI_RIGHTS_FD_READ, 0, 0, &fd);
  if (e != 0) {
    printf("config: %s\n", errname(e));
    return;
  }
  if (__wasi_fd_read(fd, &iov, 1, &n) != 0)
    n = 0;
  buf[n] = 0;
  printf("config: %s", buf);
  (void)__wasi_fd_close(fd);
}

static void out_file(void) {
  __wasi_fd_t fd;
  __wasi_filestat_t st;
  const char text[] = "output\n";
  __wasi_ciovec_t iov = {(const uint8_t *)text, sizeof text - 1};
  __wasi_size_t n = 0;
  __wasi_errno_t e = __wasi_path_open(
      DIR_FD, 0, "out.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
      __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_GET, 0, 0, &fd);
  if (e != 0) {
    printf("out.txt: %s\n", errname(e));
    return;
  }
  (void)__wasi_fd_write(fd, &iov, 1, &n);
  if (__wasi_fd_filestat_get(fd, &st) == 0)
    printf("out.txt size: %llu\n", (unsigned long long)st.size);
  (void)__wasi_fd_close(fd);
}

int main(void) {
  __wasi_timestamp_t t = 0;
  uint8_t r[8] = {0};
  (void)__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t);
  (void)__wasi_random_get(r, sizeof r);
  printf("steps\n");
  fflush(stdout);
  config();
  for (int i = 0; i < 5; i++)
    step(i);
  if (r[0] & 1)
    sched_yield();
  for (int i = 5; i < 10; i++)
    step(i);
  out_file();
  return 0;
}
