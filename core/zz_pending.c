/*
 * DEVELOPMENT SCAFFOLD, deleted before the core lands: lets the library
 * link while families are written in parallel. Each family owner turns its
 * line below into the empty form when its file defines every call.
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

#pragma GCC diagnostic ignored "-Wunused-parameter"
#define WT_CALL(name, set, fam, ret, ...) WT_PENDING_##fam(name, __VA_ARGS__)
#include "calls.def"
#undef WT_CALL

