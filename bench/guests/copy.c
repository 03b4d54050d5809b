/*
 * I/O benchmark guest: copies IN to OUT in 4 KiB reads and writes, each
 * one host call. Usage: copy.wasm IN OUT (paths inside a preopen).
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv) {
  static char buf[4096];
  long long calls = 0;
  int64_t t0, t1;
  int in, out;
  ssize_t n;
  if (argc != 3) {
    fprintf(stderr, "usage: copy IN OUT\n");
    return 2;
  }
  t0 = bench_now();
  in = open(argv[1], O_RDONLY);
  out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0) {
    perror("open");
    return 1;
  }
  calls += 2;
  while ((n = read(in, buf, sizeof buf)) > 0) {
    if (write(out, buf, (size_t)n) != n) {
      perror("write");
      return 1;
    }
    calls += 2;
  }
  calls++;
  if (n < 0 || close(in) != 0 || close(out) != 0) {
    perror("copy");
    return 1;
  }
  calls += 2;
  t1 = bench_now();
  bench_report(t0, t1, calls);
  return 0;
}
