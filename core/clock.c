/*
 * clock_* and random_get.
 */
#include <errno.h>
#include <time.h>
#include <uv.h>

#include "internal.h"

static wt_errno_t host_clock(wt_clockid_t id, clockid_t *out) {
  switch (id) {
  case WT_CLOCK_REALTIME:
    *out = CLOCK_REALTIME;
    return WT_ESUCCESS;
  case WT_CLOCK_MONOTONIC:
    *out = CLOCK_MONOTONIC;
    return WT_ESUCCESS;
  case WT_CLOCK_PROCESS_CPUTIME_ID:
    *out = CLOCK_PROCESS_CPUTIME_ID;
    return WT_ESUCCESS;
  case WT_CLOCK_THREAD_CPUTIME_ID:
    *out = CLOCK_THREAD_CPUTIME_ID;
    return WT_ESUCCESS;
  default:
    return WT_EINVAL;
  }
}

static wt_timestamp_t ns(const struct timespec *ts) {
  return (wt_timestamp_t)ts->tv_sec * 1000000000ull +
         (wt_timestamp_t)ts->tv_nsec;
}

wt_errno_t wt_clock_res_get(wt_t *w, uint32_t id, uint64_t *resolution) {
  struct timespec ts;
  clockid_t c;
  wt_errno_t err = host_clock(id, &c);
  (void)w;
  if (err != WT_ESUCCESS)
    return err;
  if (clock_getres(c, &ts) != 0)
    return WT__ERR();
  *resolution = ns(&ts);
  return WT_ESUCCESS;
}

/* The precision hint is accepted and ignored, as the host clock's own
 * resolution is the best on offer. */
wt_errno_t wt_clock_time_get(wt_t *w, uint32_t id, uint64_t precision,
                             uint64_t *time) {
  struct timespec ts;
  clockid_t c;
  wt_errno_t err = host_clock(id, &c);
  (void)w;
  (void)precision;
  if (err != WT_ESUCCESS)
    return err;
  if (clock_gettime(c, &ts) != 0)
    return WT__ERR();
  *time = ns(&ts);
  return WT_ESUCCESS;
}

wt_errno_t wt_random_get(wt_t *w, uint8_t *buf, uint32_t buf_len) {
  int r;
  (void)w;
  if (buf_len == 0)
    return WT_ESUCCESS;
  /* No loop and no callback: libuv fills the buffer synchronously from the
   * kernel's CSPRNG. */
  r = uv_random(NULL, NULL, buf, buf_len, 0, NULL);
  return r == 0 ? WT_ESUCCESS : wt_errno_from_host(-r);
}
