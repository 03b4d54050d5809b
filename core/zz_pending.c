/*
 * DEVELOPMENT SCAFFOLD, deleted before the events work lands: lets the
 * library link while the WASIX families are written. The family owner
 * turns each line below into the empty form when its files define every
 * call of that family.
 */
#include "internal.h"

#define WT__PENDING(name, ...)                                               \
  wt_errno_t wt_##name(wt_t *w WT_ARGS(WT_HP, __VA_ARGS__)) {                \
    (void)w;                                                                 \
    return WT_ENOSYS;                                                        \
  }
#define WT_PENDING_args(name, ...)
#define WT_PENDING_clock(name, ...)
#define WT_PENDING_proc(name, ...)
#define WT_PENDING_fd(name, ...)
#define WT_PENDING_path(name, ...)
#define WT_PENDING_poll(name, ...)
#define WT_PENDING_sock(name, ...)
#define WT_PENDING_event(name, ...) WT__PENDING(name, __VA_ARGS__)
#define WT_PENDING_epoll(name, ...) WT__PENDING(name, __VA_ARGS__)
#define WT_PENDING_dup(name, ...) WT__PENDING(name, __VA_ARGS__)
#define WT_PENDING_signal(name, ...) WT__PENDING(name, __VA_ARGS__)

#pragma GCC diagnostic ignored "-Wunused-parameter"
#define WT_CALL(name, set, fam, ret, ...) WT_PENDING_##fam(name, __VA_ARGS__)
#include "calls.def"
#undef WT_CALL
