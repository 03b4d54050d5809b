/*
 * clock_res_get and clock_time_get on every clockid. Properties only,
 * never raw values: resolutions are positive, MONOTONIC never goes
 * backwards over many reads, REALTIME is a date between 2020 and 2100 and
 * agrees with libc's time(), the CPU-time clocks advance under load, and an
 * unknown clock id is INVAL.
 */
#include <time.h>

#include "guest.h"

static const char *const names[] = {"REALTIME", "MONOTONIC",
                                    "PROCESS_CPUTIME_ID", "THREAD_CPUTIME_ID"};

static __wasi_timestamp_t now(__wasi_clockid_t id) {
  __wasi_timestamp_t t = 0;
  (void)__wasi_clock_time_get(id, 1, &t);
  return t;
}

static void resolutions(void) {
  for (__wasi_clockid_t id = 0; id < 4; id++) {
    __wasi_timestamp_t r = 0, t = 0;
    char label[64];
    snprintf(label, sizeof label, "clock_res_get %s", names[id]);
    if (showw(label, __wasi_clock_res_get(id, &r)) == 0)
      printf("  resolution > 0: %s, <= 1s: %s\n", yesno(r > 0),
             yesno(r <= 1000000000ull));
    snprintf(label, sizeof label, "clock_time_get %s", names[id]);
    if (showw(label, __wasi_clock_time_get(id, 0, &t)) == 0)
      printf("  nonzero: %s\n", yesno(t > 0));
  }
}

static void monotonic(void) {
  __wasi_timestamp_t prev = now(__WASI_CLOCKID_MONOTONIC), t;
  int backwards = 0, advanced = 0;
  for (int i = 0; i < 100000; i++) {
    t = now(__WASI_CLOCKID_MONOTONIC);
    backwards += t < prev;
    advanced += t > prev;
    prev = t;
  }
  printf("monotonic went backwards: %s\n", yesno(backwards));
  printf("monotonic advanced: %s\n", yesno(advanced > 0));
}

static void realtime(void) {
  __wasi_timestamp_t t = now(__WASI_CLOCKID_REALTIME);
  time_t s = time(NULL);
  /* 2020-01-01 and 2100-01-01 in seconds since the epoch. */
  printf("realtime after 2020: %s\n", yesno(t / 1000000000ull >= 1577836800ull));
  printf("realtime before 2100: %s\n", yesno(t / 1000000000ull < 4102444800ull));
  printf("libc time() within 5s of it: %s\n",
         yesno((long long)s - (long long)(t / 1000000000ull) <= 5 &&
               (long long)(t / 1000000000ull) - (long long)s <= 5));
}

static void cputime(void) {
  __wasi_timestamp_t p0 = now(__WASI_CLOCKID_PROCESS_CPUTIME_ID);
  volatile unsigned x = 0;
  for (unsigned i = 0; i < 50000000u; i++)
    x += i;
  printf("process cputime advanced under load: %s\n",
         yesno(now(__WASI_CLOCKID_PROCESS_CPUTIME_ID) > p0 && x != 1));
}

int main(void) {
  __wasi_timestamp_t t;
  resolutions();
  monotonic();
  realtime();
  cputime();
  showw("clock_time_get id 4", __wasi_clock_time_get(4, 1, &t));
  showw("clock_res_get id 99", __wasi_clock_res_get(99, &t));
  return 0;
}
