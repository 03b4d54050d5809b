/*
 * File-heavy benchmark guest, for the trace's query benchmark
 * (bench/queries.sh): in the preopened /data it creates N files, writes
 * WRITES chunks of 64 bytes to each and closes it, then reads every third
 * one back whole, fails to open N/10 missing names, and leaves the last
 * N/100 files it opens unclosed. About N * (WRITES + 4) host calls.
 * Usage: files.wasm [N [WRITES]] (default 1,000 and 100); prints on
 * stdout the counts the queries must find.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv) {
  static char chunk[64] = "0123456789abcdef0123456789abcdef"
                          "0123456789abcdef0123456789abcde\n";
  char name[64], buf[4096];
  long n = argc > 1 ? atol(argv[1]) : 1000;
  long writes = argc > 2 ? atol(argv[2]) : 100;
  long read_files = 0, missing = 0, left_open = 0;
  int64_t t0 = bench_now(), t1;
  for (long i = 0; i < n; i++) {
    int fd;
    snprintf(name, sizeof name, "/data/f%05ld.txt", i);
    if ((fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0644)) < 0)
      return 1;
    for (long k = 0; k < writes; k++)
      if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk)
        return 1;
    close(fd);
  }
  for (long i = 0; i < n; i += 3) {
    int fd;
    snprintf(name, sizeof name, "/data/f%05ld.txt", i);
    if ((fd = open(name, O_RDONLY)) < 0)
      return 1;
    while (read(fd, buf, sizeof buf) > 0)
      ;
    read_files++;
    if (i + 3 * (n / 100 + 1) >= n) {
      left_open++;
      continue;
    }
    close(fd);
  }
  for (long i = 0; i < n / 10; i++) {
    snprintf(name, sizeof name, "/data/missing/%ld", i);
    if (open(name, O_RDONLY) >= 0)
      return 1;
    missing++;
  }
  t1 = bench_now();
  printf("written %ld\nread %ld\nmissing %ld\nleft_open %ld\n", n, read_files,
         missing, left_open);
  bench_report(t0, t1, n * (writes + 2));
  return 0;
}
