/*
 * Shared by the benchmark guests: the guest's own clock, and the line the
 * harness (bench/run.sh) reads from stderr:
 *   wt-bench: guest_ns=N calls=N
 * where guest_ns is the time the work took as the guest saw it (monotonic
 * clock around the work only) and calls the host calls the work made.
 */
#ifndef WT_BENCH_H
#define WT_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

static inline int64_t bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void bench_report(int64_t t0, int64_t t1, long long calls) {
  fprintf(stderr, "wt-bench: guest_ns=%lld calls=%lld\n",
          (long long)(t1 - t0), calls);
}

#endif
