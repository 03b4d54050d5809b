/*
 * proc_exit, proc_raise, sched_yield.
 */
#include <sched.h>

#include "internal.h"

wt_errno_t wt_proc_exit(wt_t *w, uint32_t code) {
  w->exit_code = code;
  if (w->on_exit != NULL)
    w->on_exit(w->on_exit_ud, code);
  return WT_ESUCCESS;
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

wt_errno_t wt_proc_raise(wt_t *w, uint8_t sig) {
  if (sig >= WT_SIGNAL_COUNT)
    return WT_EINVAL;
  if (!terminates(sig))
    return WT_ESUCCESS;
  w->raised_signal = sig;
  if (w->on_raise != NULL)
    w->on_raise(w->on_raise_ud, sig);
  return WT_ESUCCESS;
}

wt_errno_t wt_sched_yield(wt_t *w) {
  (void)w;
  sched_yield();
  return WT_ESUCCESS;
}
