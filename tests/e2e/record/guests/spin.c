/*
 * Runs until it is stopped: reads the clock and writes one byte to stdout,
 * over and over, after saying "spinning" on stderr. For the tests of
 * stopping a recording (SIGINT, SIGTERM).
 */
#include <stdio.h>
#include <wasi/api.h>

int main(void) {
  const __wasi_ciovec_t iov = {(const uint8_t *)".", 1};
  fputs("spinning\n", stderr);
  for (;;) {
    __wasi_timestamp_t now;
    __wasi_size_t n;
    if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &now) != 0 ||
        __wasi_fd_write(1, &iov, 1, &n) != 0)
      return 1;
  }
}
