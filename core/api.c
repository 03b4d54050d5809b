/*
 * The core's wt_api_t: one thunk per call of calls.def, forwarding the
 * layer context (a wt_t*) to wt_<name>.
 */
#include "internal.h"

#define WT_CALL(name, set, fam, ret, ...)                                    \
  static wt_errno_t api_##name(void *ctx WT_ARGS(WT_HP, __VA_ARGS__)) {      \
    return wt_##name((wt_t *)ctx WT_ARGS(WT_HN, __VA_ARGS__));               \
  }
#include "calls.def"
#undef WT_CALL

static const wt_api_t core_api = {
#define WT_CALL(name, set, fam, ret, ...) .name = api_##name,
#include "calls.def"
#undef WT_CALL
};

const wt_api_t *wt_core_api(void) { return &core_api; }
