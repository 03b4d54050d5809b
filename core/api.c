/*
 * The core's wt_api_t: one thunk per call of calls.def, forwarding the
 * layer context (a wt_t*) to wt_<name>.
 *
 * Each thunk is a call boundary: a proc_raise_interval timer that has
 * expired delivers its signal here, before the call runs (signal.c). The
 * test is one load and branch while no timer is armed.
 */
#include "internal.h"

/* The timer's work is a call of its own, so that the thunk saves no
 * registers when no timer is armed: a test and a jump to the call (the
 * inline version cost 21 instructions per call, callgrind). */
static __attribute__((noinline, cold)) void timer_check(wt_t *w) {
  if (wt__signal_due(w))
    wt__signal_run(w);
}

#define WT_CALL(name, set, fam, ret, ...)                                    \
  static wt_errno_t api_##name(void *ctx WT_ARGS(WT_HP, __VA_ARGS__)) {      \
    wt_t *w = ctx;                                                           \
    if (__builtin_expect(w->timer_armed, 0))                                 \
      timer_check(w);                                                        \
    return wt_##name(w WT_ARGS(WT_HN, __VA_ARGS__));                         \
  }
#include "wt/calls.def"
#undef WT_CALL

static const wt_api_t core_api = {
#define WT_CALL(name, set, fam, ret, ...) .name = api_##name,
#include "wt/calls.def"
#undef WT_CALL
};

const wt_api_t *wt_core_api(void) { return &core_api; }
