/*
 * Signals: callback_signal, proc_raise_interval, the delivery path shared
 * with proc_raise (proc.c), the interval timers and the blocking wait every
 * event call uses, so that a timer can interrupt it.
 *
 * Signals reach the guest at deterministic points only, never
 * asynchronously: inside proc_raise; at a call boundary (the core's api
 * thunks check w->timer_armed before dispatching, api.c); or when a blocking
 * call (epoll_wait, a blocking eventfd read or write, a blocking pipe read
 * or write, poll_oneoff) has nothing to report when a timer expires: the
 * handler then runs and the call returns WT_EINTR, as Linux does for a
 * handler installed without SA_RESTART.
 *
 * Choices where the sources disagree:
 * - Numbering: the core speaks preview1 (WT_SIG*). WASIX uses Linux's
 *   numbers (STKFLT = 16, CHLD 17...); the runtime converts with
 *   wt_signal_from_wasix / wt_signal_to_wasix at the wasix_32v1 boundary.
 * - proc_raise_interval's interval is in nanoseconds, as the WASIX witx and
 *   wasix-libc send it (Wasmer reads milliseconds). One timer per signal, as
 *   in Wasmer: arming a signal's timer again replaces it; interval 0 cancels
 *   it. Overruns are coalesced (a late timer fires once, like a pending
 *   signal, and the next deadline is one interval after the late firing).
 * - SIGKILL cannot be caught: its default action applies even when the
 *   guest has a handler. Signal 0 is never delivered (default: ignore).
 *   STOP, TSTP, TTIN and TTOU are ignored by default: a guest cannot be
 *   stopped.
 */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "internal.h"

#define FOREVER UINT64_MAX

uint64_t wt__now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * WT_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Default action of a preview1 signal: true when it ends the process. */
static bool terminates(uint8_t sig) {
  switch (sig) {
  case WT_SIGNONE:
  case WT_SIGCHLD:
  case WT_SIGCONT:
  case WT_SIGURG:
  case WT_SIGWINCH:
  /* Stopping a guest is not possible; the stop signals are ignored. */
  case WT_SIGSTOP:
  case WT_SIGTSTP:
  case WT_SIGTTIN:
  case WT_SIGTTOU:
    return false;
  default:
    return true;
  }
}

void wt__signal_raise(wt_t *w, uint8_t sig, bool by_timer) {
  bool term;
  wt__emit(w, WT_TR_SIGNAL_RAISED, 0, 0, sig, by_timer, 0);
  if (w->sig_handler && w->sig_run != NULL && sig != WT_SIGNONE &&
      sig != WT_SIGKILL) {
    wt__emit(w, WT_TR_SIGNAL_DELIVERED, 0, 0, sig, 0, 0);
    w->sig_depth++;
    w->sig_run(w->sig_ud, sig);
    w->sig_depth--;
    return;
  }
  term = terminates(sig);
  wt__emit(w, WT_TR_SIGNAL_DEFAULT, 0, 0, sig, term, 0);
  if (!term)
    return;
  w->raised_signal = sig;
  if (w->on_raise != NULL)
    w->on_raise(w->on_raise_ud, sig);
}

/* Recomputes the cheap flag and the earliest deadline. */
static void timers_update(wt_t *w) {
  w->timer_armed = false;
  w->timer_next = FOREVER;
  for (int s = 0; s < WT_SIGNAL_COUNT; s++) {
    const wt__sigtimer_t *t = &w->timers[s];
    if (t->armed && t->deadline <= w->timer_next) {
      w->timer_armed = true;
      w->timer_next = t->deadline;
    }
  }
}

bool wt__signal_due(const wt_t *w) {
  return w->timer_armed && wt__now() >= w->timer_next;
}

bool wt__signal_can_wake(const wt_t *w) {
  return w->timer_armed && w->sig_depth == 0;
}

bool wt__signal_interrupts(const wt_t *w) {
  return wt__signal_can_wake(w) && wt__signal_due(w);
}

/* The timer due first at `now` or before, or -1. */
static int first_due(const wt_t *w, uint64_t now) {
  int best = -1;
  for (int s = 0; s < WT_SIGNAL_COUNT; s++) {
    const wt__sigtimer_t *t = &w->timers[s];
    if (t->armed && t->deadline <= now &&
        (best < 0 || t->deadline < w->timers[best].deadline))
      best = s;
  }
  return best;
}

/*
 * The timer is re-armed (or disarmed) before its signal is raised: the
 * handler may make calls, whose boundary checks must not see it due again,
 * and may re-arm or cancel timers itself. Each timer fires at most once per
 * run, since a re-armed deadline lies after `now`.
 */
void wt__signal_run(wt_t *w) {
  uint64_t now = wt__now();
  int s;
  while ((s = first_due(w, now)) >= 0) {
    wt__sigtimer_t *t = &w->timers[s];
    if (t->repeat) {
      t->deadline += t->interval;
      if (t->deadline <= now)
        t->deadline = now + t->interval;
    } else {
      t->armed = false;
    }
    timers_update(w);
    wt__signal_raise(w, (uint8_t)s, true);
  }
}

uint64_t wt__signal_timeout(const wt_t *w, uint64_t timeout) {
  uint64_t now, left;
  if (!wt__signal_can_wake(w))
    return timeout;
  now = wt__now();
  left = w->timer_next > now ? w->timer_next - now : 0;
  return left < timeout ? left : timeout;
}

wt_errno_t wt__wait(const wt_t *w, struct pollfd *pfds, uint32_t n,
                    uint64_t deadline) {
  uint64_t now = wt__now();
  uint64_t t = wt__signal_timeout(w, deadline == FOREVER ? FOREVER
                                     : deadline > now   ? deadline - now
                                                        : 0);
  struct timespec ts = {(time_t)(t / WT_NSEC_PER_SEC),
                        (long)(t % WT_NSEC_PER_SEC)};
  if (n == 0 && t == FOREVER)
    return WT_EDEADLK;
  if (ppoll(pfds, n, t == FOREVER ? NULL : &ts, NULL) >= 0)
    return WT_ESUCCESS;
  if (errno != EINTR)
    return WT__ERR();
  for (uint32_t i = 0; i < n; i++)
    pfds[i].revents = 0;
  return WT_ESUCCESS;
}

/*
 * The call has no result for the guest; the errno returned here is for the
 * layers above (a tracer records it). A failed registration keeps the
 * previous one, as a failed sigaction would.
 */
wt_errno_t wt_callback_signal(wt_t *w, const char *name, uint32_t name_len) {
  wt_errno_t err;
  if (w->sig_register != NULL)
    err = w->sig_register(w->sig_ud, name, name_len);
  else
    err = w->sig_run != NULL ? WT_ESUCCESS : WT_ENOTSUP;
  if (err == WT_ESUCCESS)
    w->sig_handler = true;
  return err;
}

wt_errno_t wt_proc_raise_interval(wt_t *w, uint8_t sig, uint64_t interval,
                                  uint32_t repeat) {
  wt__sigtimer_t *t;
  uint64_t now;
  if (sig >= WT_SIGNAL_COUNT)
    return WT_EINVAL;
  t = &w->timers[sig];
  t->armed = interval != 0;
  t->interval = interval;
  t->repeat = repeat != 0;
  now = wt__now();
  t->deadline = interval > FOREVER - now ? FOREVER : now + interval;
  timers_update(w);
  return WT_ESUCCESS;
}

/* Linux numbering: preview1's up to TERM (15), then STKFLT, then +1. */
#define WASIX_STKFLT 16
#define WASIX_SYS 31

wt_errno_t wt_signal_from_wasix(uint8_t wasix_sig, uint8_t *preview1_sig) {
  if (wasix_sig == WASIX_STKFLT || wasix_sig > WASIX_SYS)
    return WT_EINVAL;
  *preview1_sig = wasix_sig < WASIX_STKFLT ? wasix_sig : wasix_sig - 1;
  return WT_ESUCCESS;
}

wt_errno_t wt_signal_to_wasix(uint8_t preview1_sig, uint8_t *wasix_sig) {
  if (preview1_sig >= WT_SIGNAL_COUNT)
    return WT_EINVAL;
  *wasix_sig =
      preview1_sig < WT_SIGCHLD ? preview1_sig : (uint8_t)(preview1_sig + 1);
  return WT_ESUCCESS;
}
