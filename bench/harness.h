/*
 * What the per-call benchmarks (core_calls.c, policy_calls.c) share: failing
 * loudly, and timing a call in batches of thread CPU time, with medians of
 * interleaved rounds. The including file defines BENCH_NAME first.
 */
#ifndef WT_BENCH_HARNESS_H
#define WT_BENCH_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "wt/core.h"

#ifndef BENCH_NAME
#error "define BENCH_NAME before including harness.h"
#endif

static void die(const char *what) {
  fprintf(stderr, BENCH_NAME ": %s failed\n", what);
  exit(1);
}

static void ok(wt_errno_t e, const char *what) {
  if (e != WT_ESUCCESS)
    die(what);
}

static double cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Nanoseconds of CPU per call over n calls of fn. */
static double batch(void (*fn)(void), long n) {
  double t0 = cpu_ns();
  for (long i = 0; i < n; i++)
    fn();
  return (cpu_ns() - t0) / (double)n;
}

/* Calls per batch so that one batch of fn takes about `ms` of CPU. */
static long calibrate(void (*fn)(void), double ms) {
  long n = 16;
  for (;;) {
    double per = batch(fn, n);
    if (per * (double)n > ms * 1e6 / 8 || n > (1l << 24))
      return (long)(ms * 1e6 / per) + 1;
    n *= 4;
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The median of v[0..n) (sorts v). */
static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return v[n / 2];
}

#endif
