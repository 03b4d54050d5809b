/*
 * A signal interrupts a wait that could not end otherwise. The guest
 * registers its callback (callback_signal), arms a repeating SIGALRM timer
 * (proc_raise_interval, 20 ms) and waits with no timeout on an epoll whose
 * only entry is an eventfd nobody writes: the wait returns INTR after the
 * handler ran, every time. The handler counts deliveries; in one phase it
 * also writes a second eventfd (a host call made while the interrupted
 * call is in progress), which the next wait then reports. Cancelling the
 * timer (interval 0) stops the deliveries: a 30 ms wait times out quietly
 * and a wait with no timeout is DEADLK, since nothing could ever end it.
 *
 * Counts are checked as "at least", never exactly: a loaded machine may
 * coalesce late firings into one delivery. Nothing is printed while the
 * timer is armed (lines go to a buffer, printed after the cancel): wasm-ld
 * wraps an export of a command so that each call also runs the C
 * destructors, which flush stdout, and a flush from the handler delivered
 * at the boundary of stdout's own fd_write would write the same bytes
 * twice.
 *
 * wt-node: skip node:wasi has no WASIX (wasix_32v1) imports
 */
#include <stdarg.h>

#include "guest.h"
#include "wasix.h"

#define MS 1000000ull

static volatile int deliveries;
static volatile int last_sig;
static volatile int kick_on;
static uint32_t kick;

__attribute__((export_name("__wasm_signal"))) void on_signal(int sig) {
  deliveries++;
  last_sig = sig;
  if (kick_on)
    wasix_efd_write(kick, 1);
}

static uint32_t ep;
static char lines[2048];
static size_t used;

/* printf into `lines`, no I/O. */
__attribute__((format(printf, 1, 2))) static void note(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  used += (size_t)vsnprintf(lines + used, sizeof lines - used, fmt, ap);
  va_end(ap);
  if (used >= sizeof lines)
    used = sizeof lines - 1;
}

static void notew(const char *label, int32_t e) {
  note("%s: %s\n", label, e == 0 ? "ok" : errname(e));
}

static int32_t wait_for(uint64_t timeout, uint32_t *n,
                        wasix_epoll_event_t *ev) {
  *n = 99;
  return wasix_epoll_wait(ep, ev, 4, timeout, n);
}

static int32_t add(uint32_t fd, uint32_t tag) {
  wasix_epoll_event_t e = {0};
  e.events = WASIX_EPOLLIN;
  e.data1 = tag;
  return wasix_epoll_ctl(ep, WASIX_EPOLL_CTL_ADD, fd, &e);
}

int main(void) {
  wasix_epoll_event_t ev[4];
  uint32_t idle, n;
  uint64_t v;
  int32_t e;
  int before, interrupted = 0;

  showw("epoll_create", wasix_epoll_create(&ep));
  showw("fd_event idle", wasix_fd_event(0, 0, &idle));
  showw("fd_event kick", wasix_fd_event(0, 0, &kick));
  showw("epoll_ctl ADD idle", add(idle, 1));
  fflush(stdout);
  wasix_set_handler("__wasm_signal");
  notew("proc_raise_interval ALRM 20 ms repeat",
        wasix_proc_raise_interval(WASIX_SIGALRM, 20 * MS, 1));

  e = wait_for(WASIX_FOREVER, &n, ev);
  note("wait forever: %s, n untouched: %s\n", errname(e), yesno(n == 99));
  note("handler ran first: %s, signal %d\n", yesno(deliveries >= 1), last_sig);
  for (int i = 0; i < 3; i++)
    interrupted += wait_for(WASIX_FOREVER, &n, ev) == __WASI_ERRNO_INTR;
  note("3 more waits interrupted: %d, deliveries >= 4: %s\n", interrupted,
       yesno(deliveries >= 4));

  /*
   * The handler's own host call, inside the interrupted wait: usually the
   * wait returns INTR and the next one reports the kick. Had the guest
   * been descheduled past the deadline, the handler ran at the wait's call
   * boundary instead, and the wait itself reports it.
   */
  notew("epoll_ctl ADD kick", add(kick, 2));
  kick_on = 1;
  e = wait_for(WASIX_FOREVER, &n, ev);
  kick_on = 0;
  if (e == __WASI_ERRNO_INTR)
    e = wait_for(0, &n, ev);
  note("kick reported after the handler wrote it: %s, %u event(s), "
       "tag %u %s\n",
       errname(e), n, ev[0].data1, wasix_events(ev[0].events));
  notew("read kick", wasix_efd_read(kick, &v));
  note("kick counter >= 1: %s\n", yesno(v >= 1));

  notew("proc_raise_interval ALRM 0 (cancel)",
        wasix_proc_raise_interval(WASIX_SIGALRM, 0, 0));
  fputs(lines, stdout);
  before = deliveries;
  e = wait_for(30 * MS, &n, ev);
  printf("30 ms wait after cancel: %s, %u event(s)\n", errname(e), n);
  e = wait_for(WASIX_FOREVER, &n, ev);
  printf("wait forever after cancel: %s\n", errname(e));
  printf("deliveries after cancel: %d\n", deliveries - before);

  /* STKFLT has no preview1 counterpart. */
  showw("proc_raise_interval STKFLT",
        wasix_proc_raise_interval(WASIX_SIGSTKFLT, 20 * MS, 0));
  return 0;
}
