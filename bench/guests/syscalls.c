/*
 * Syscall-heavy benchmark guest: N fd_write calls of 16 bytes to fd 1
 * (the harness sends stdout to /dev/null). Usage: syscalls.wasm [N]
 * (default 1,000,000). Each write is the raw WASI call, not stdio, so
 * there is exactly one host call per write. Built natively
 * (bench/native.sh), the same loop makes one write(2) per call.
 */
#include <stdlib.h>

#include "bench.h"

#ifdef __wasi__
#include <wasi/api.h>

static int write16(const char *msg) {
  const __wasi_ciovec_t iov = {(const uint8_t *)msg, 16};
  __wasi_size_t written;
  return __wasi_fd_write(1, &iov, 1, &written) != 0 || written != 16;
}
#else
#include <unistd.h>

static int write16(const char *msg) {
  return write(1, msg, 16) != 16;
}
#endif

int main(int argc, char **argv) {
  static const char msg[16] = "0123456789abcde\n";
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  int64_t t0 = bench_now(), t1;
  for (long i = 0; i < n; i++)
    if (write16(msg))
      return 1;
  t1 = bench_now();
  bench_report(t0, t1, n);
  return 0;
}
