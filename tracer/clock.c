/*
 * The tracer's clock: when calls start and how long they take.
 *
 * The guest's thread reads the clock twice per call. clock_gettime costs
 * about 22 ns here even through the vDSO, which was a quarter of what
 * recording added to a traced fd_write; the CPU's time-stamp counter
 * costs a few ns. So where the kernel itself keeps time with the TSC (its
 * clocksource is "tsc": the counter is constant-rate, synchronized across
 * CPUs, and not trapped by a hypervisor), the guest's thread stores raw
 * ticks and the writer thread turns them into nanoseconds: with the rate
 * CLOCK_MONOTONIC advanced at between the recording's start and the
 * writer's latest sample (a long baseline, so the rate is exact to well
 * under a ppm after a second), anchored at that latest sample. Elsewhere
 * the ticks are CLOCK_MONOTONIC nanoseconds already.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Whether the kernel keeps time with the TSC. */
static bool kernel_uses_tsc(void) {
  char name[32] = {0};
  FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/"
                  "current_clocksource",
                  "r");
  if (f == NULL)
    return false;
  if (fgets(name, sizeof name, f) == NULL)
    name[0] = 0;
  fclose(f);
  return strcmp(name, "tsc\n") == 0 || strcmp(name, "tsc") == 0;
}

/* A TSC reading and the CLOCK_MONOTONIC time at that moment: the reading
 * closest in time to the clock_gettime of a few tries. */
static void pair(uint64_t *tsc, uint64_t *ns) {
  uint64_t best = UINT64_MAX;
  for (int i = 0; i < 3; i++) {
    uint64_t a = wt__rdtsc(), n = wt__now_ns(), b = wt__rdtsc();
    if (b - a < best) {
      best = b - a;
      *tsc = a + (b - a) / 2;
      *ns = n;
    }
  }
}

void wt__clock_init(wt__clock_t *c) {
  memset(c, 0, sizeof *c);
  c->tsc =
      WT__HAVE_RDTSC && kernel_uses_tsc() && getenv("WASITRACE_NO_TSC") == NULL;
  if (c->tsc)
    pair(&c->tsc0, &c->ns0);
  else
    c->ns0 = wt__now_ns();
}

void wt__clock_sample(const wt__clock_t *c, wt__clock_conv_t *cv) {
  uint64_t tsc = 0, ns = 0;
  if (!c->tsc)
    return;
  pair(&tsc, &ns);
  if (tsc <= c->tsc0 || ns <= c->ns0)
    return;
  cv->tsc = tsc - c->tsc0;
  cv->ns = ns - c->ns0;
  cv->rate = (double)cv->ns / (double)cv->tsc;
}

uint64_t wt__clock_ns(const wt__clock_t *c, wt__clock_conv_t *cv,
                      uint64_t ticks) {
  double ns;
  if (!c->tsc)
    return ticks;
  if (cv->rate == 0)
    wt__clock_sample(c, cv);
  ns = (double)cv->ns + ((double)ticks - (double)cv->tsc) * cv->rate;
  return ns > 0 ? (uint64_t)(ns + 0.5) : 0;
}

uint64_t wt__clock_dur_ns(const wt__clock_t *c, wt__clock_conv_t *cv,
                          uint64_t ticks) {
  double ns;
  if (!c->tsc)
    return ticks;
  if (cv->rate == 0)
    wt__clock_sample(c, cv);
  ns = (double)ticks * cv->rate;
  return (uint64_t)(ns + 0.5);
}
