/*
 * proc_exit, proc_raise, sched_yield. Signal delivery is in signal.c.
 */
#include <sched.h>

#include "internal.h"

wt_errno_t wt_proc_exit(wt_t *w, uint32_t code) {
  w->exit_code = code;
  if (w->on_exit != NULL)
    w->on_exit(w->on_exit_ud, code);
  return WT_ESUCCESS;
}

/*
 * The signal is applied before the call returns: the guest's handler
 * (callback_signal) or the default action (signal.c).
 */
wt_errno_t wt_proc_raise(wt_t *w, uint8_t sig) {
  if (sig >= WT_SIGNAL_COUNT)
    return WT_EINVAL;
  wt__signal_raise(w, sig, false);
  return WT_ESUCCESS;
}

wt_errno_t wt_sched_yield(wt_t *w) {
  (void)w;
  sched_yield();
  return WT_ESUCCESS;
}
