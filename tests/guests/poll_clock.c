/*
 * poll_oneoff with clock subscriptions: a relative timeout waits at least
 * that long (MONOTONIC and REALTIME), an absolute deadline (ABSTIME, both
 * clocks) is reached before the call returns, a deadline in the past
 * returns at once, of two clocks only the earlier fires, a zero timeout
 * returns at once, userdata comes back unchanged, libc's nanosleep waits
 * too, and no subscriptions at all is INVAL.
 *
 * wt-node: skip uvwasi's clock waits can end before the timeout has elapsed (a REALTIME ABSTIME deadline 30 ms ahead returns early every time, a relative 50 ms wait sometimes), and an ABSTIME deadline on MONOTONIC or in the past never returns
 */
#include <time.h>

#include "guest.h"

#define MS 1000000ull

static __wasi_timestamp_t now(__wasi_clockid_t id) {
  __wasi_timestamp_t t = 0;
  (void)__wasi_clock_time_get(id, 1, &t);
  return t;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_clockid_t id,
                                       __wasi_timestamp_t timeout,
                                       __wasi_subclockflags_t flags) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = id;
  s.u.u.clock.timeout = timeout;
  s.u.u.clock.precision = 0;
  s.u.u.clock.flags = flags;
  return s;
}

static void print_events(const __wasi_event_t *ev, __wasi_size_t n) {
  printf("  nevents %u\n", (unsigned)n);
  for (__wasi_size_t i = 0; i < n; i++)
    printf("  event userdata 0x%llx type %u error %s\n",
           (unsigned long long)ev[i].userdata, ev[i].type,
           ev[i].error ? errname(ev[i].error) : "none");
}

static void relative(__wasi_clockid_t id, const char *name, uint64_t ms) {
  __wasi_subscription_t s = clock_sub(0x1234abcd5678ef00ull + ms, id, ms * MS, 0);
  __wasi_event_t ev[1];
  __wasi_size_t n = 0;
  char label[64];
  uint64_t t0 = mono_ns(), dt;
  snprintf(label, sizeof label, "poll %s relative %llu ms", name,
           (unsigned long long)ms);
  showw(label, __wasi_poll_oneoff(&s, ev, 1, &n));
  dt = mono_ns() - t0;
  printf("  waited at least %llu ms: %s\n", (unsigned long long)ms,
         yesno(dt >= ms * MS));
  print_events(ev, n);
}

/* ABSTIME: `ahead_ms` after now (negative: in the past). */
static void absolute(__wasi_clockid_t id, const char *name, int ahead_ms) {
  __wasi_timestamp_t deadline = now(id) + (int64_t)ahead_ms * (int64_t)MS;
  __wasi_subscription_t s =
      clock_sub(7, id, deadline, __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  __wasi_event_t ev[1];
  __wasi_size_t n = 0;
  uint64_t t0 = mono_ns();
  char label[64];
  snprintf(label, sizeof label, "poll %s absolute now%+d ms", name, ahead_ms);
  showw(label, __wasi_poll_oneoff(&s, ev, 1, &n));
  printf("  deadline reached: %s\n", yesno(now(id) >= deadline));
  if (ahead_ms < 0)
    printf("  returned within a second: %s\n", yesno(mono_ns() - t0 < 1000 * MS));
  print_events(ev, n);
}

static void two_clocks(void) {
  __wasi_subscription_t s[2] = {
      clock_sub(1, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0),
      clock_sub(2, __WASI_CLOCKID_MONOTONIC, 20 * MS, 0)};
  __wasi_event_t ev[2];
  __wasi_size_t n = 0;
  uint64_t t0 = mono_ns();
  showw("poll 5000ms and 20ms clocks", __wasi_poll_oneoff(s, ev, 2, &n));
  printf("  returned well before 5s: %s\n", yesno(mono_ns() - t0 < 4000 * MS));
  print_events(ev, n);
}

int main(void) {
  __wasi_event_t ev[1];
  __wasi_size_t n = 0;
  struct timespec req = {0, 25 * 1000000};
  uint64_t t0;
  relative(__WASI_CLOCKID_MONOTONIC, "MONOTONIC", 50);
  relative(__WASI_CLOCKID_REALTIME, "REALTIME", 20);
  relative(__WASI_CLOCKID_MONOTONIC, "MONOTONIC", 0);
  absolute(__WASI_CLOCKID_MONOTONIC, "MONOTONIC", 30);
  absolute(__WASI_CLOCKID_REALTIME, "REALTIME", 30);
  absolute(__WASI_CLOCKID_MONOTONIC, "MONOTONIC", -1000);
  absolute(__WASI_CLOCKID_REALTIME, "REALTIME", -1000);
  two_clocks();
  t0 = mono_ns();
  show("nanosleep 25ms", nanosleep(&req, NULL));
  printf("  waited at least 25 ms: %s\n", yesno(mono_ns() - t0 >= 25 * MS));
  showw("poll with no subscriptions", __wasi_poll_oneoff(NULL, ev, 0, &n));
  return 0;
}
