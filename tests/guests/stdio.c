/*
 * Standard streams: fd_read from stdin (scattered over two iovecs),
 * fd_write to stdout (gathered, with an empty iovec) and stderr, and
 * fd_fdstat_get on fds 0-2 (rights only: the filetype depends on what
 * the runner connects them to).
 *
 * stdin comes from stdio.stdin.
 * wt-stderr-contains: stdio: hello on stderr
 *
 * wt-exit: 0
 */
#include <ctype.h>

#include "guest.h"

static char in[4096];

/* Reads all of stdin with raw fd_read, 5 + 7 bytes per call at most. */
static size_t read_stdin(void) {
  size_t total = 0;
  int calls = 0;
  for (;;) {
    __wasi_iovec_t iov[2] = {{(uint8_t *)in + total, 5},
                             {(uint8_t *)in + total + 5, 7}};
    __wasi_size_t n = 0;
    __wasi_errno_t e;
    if (total + 12 > sizeof in)
      break;
    e = __wasi_fd_read(0, iov, 2, &n);
    if (e != 0) {
      printf("fd_read: %s\n", errname(e));
      break;
    }
    calls++;
    if (n == 0)
      break;
    total += n;
  }
  printf("stdin bytes: %zu\n", total);
  printf("fd_read calls: more than one: %s\n", yesno(calls > 1));
  return total;
}

static void gathered_write(void) {
  const char *a = "gathered ", *b = "write\n";
  __wasi_ciovec_t iov[3] = {{(const uint8_t *)a, strlen(a)},
                            {(const uint8_t *)"", 0},
                            {(const uint8_t *)b, strlen(b)}};
  __wasi_size_t n = 0;
  fflush(stdout);
  showw("fd_write 3 iovecs", __wasi_fd_write(1, iov, 3, &n));
  printf("nwritten: %u\n", (unsigned)n);
  showw("fd_write 0 iovecs", __wasi_fd_write(1, iov, 0, &n));
  printf("nwritten: %u\n", (unsigned)n);
}

static void rights(void) {
  for (int fd = 0; fd < 3; fd++) {
    __wasi_fdstat_t st;
    __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &st);
    if (e != 0) {
      printf("fd %d fdstat: %s\n", fd, errname(e));
      continue;
    }
    printf("fd %d can %s: %s\n", fd, fd == 0 ? "read" : "write",
           yesno(st.fs_rights_base & (fd == 0 ? __WASI_RIGHTS_FD_READ
                                              : __WASI_RIGHTS_FD_WRITE)));
  }
}

int main(void) {
  size_t n = read_stdin(), lines = 0;
  for (size_t i = 0; i < n; i++) {
    lines += in[i] == '\n';
    in[i] = (char)toupper((unsigned char)in[i]);
  }
  printf("stdin lines: %zu\n", lines);
  fwrite(in, 1, n, stdout);
  fprintf(stderr, "stdio: hello on stderr\n");
  gathered_write();
  rights();
  printf("fd_read on closed fd 99: %s\n",
         errname(__wasi_fd_read(99, NULL, 0, NULL)));
  return 0;
}
