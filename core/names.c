/*
 * Names and host mappings expanded from the tables: errno names and
 * strings, host errno -> WASI errno, call names.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

const char *wt_version_string(void) {
  return WT_VERSION_STRING;
}

const char *wt_errno_name(wt_errno_t e) {
  switch (e) {
#define XX(v, n, h, s)                                                         \
  case v:                                                                      \
    return #n;
    WT_ERRNO_MAP(XX)
#undef XX
  }
  return "unknown";
}

const char *wt_errno_string(wt_errno_t e) {
  switch (e) {
#define XX(v, n, h, s)                                                         \
  case v:                                                                      \
    return s;
    WT_ERRNO_MAP(XX)
#undef XX
  }
  return "unknown error";
}

wt_errno_t wt_errno_from_host(int host_errno) {
  /* Rows with host errno 0 (SUCCESS, NOTCAPABLE) never match a failure. */
  static const struct {
    int host;
    wt_errno_t wasi;
  } map[] = {
#define XX(v, n, h, s) {h, v},
      WT_ERRNO_MAP(XX)
#undef XX
  };
  if (host_errno == 0)
    return WT_ESUCCESS;
  /* Aliases that share a value with a mapped errno on Linux but not
   * everywhere. */
  if (host_errno == EWOULDBLOCK)
    return WT_EAGAIN;
  if (host_errno == EOPNOTSUPP)
    return WT_ENOTSUP;
  for (size_t i = 1; i < sizeof map / sizeof map[0]; i++)
    if (map[i].host == host_errno)
      return map[i].wasi;
  return WT_EIO;
}

static const char *const call_names[WT_CALL_COUNT] = {
#define WT_CALL(name, set, fam, ret, ...) #name,
#include "wt/calls.def"
#undef WT_CALL
};

const char *wt_call_name(wt_call_id_t id) {
  return (unsigned)id < WT_CALL_COUNT ? call_names[id] : "unknown";
}

/* Each call's guest parameters, with a terminator (VOID calls have none). */
#define WT_CALL(name, set, fam, ret, ...)                                      \
  static const wt_guest_param_t gp_##name[] = {                                \
      WT_ARGS(WT_GPN, __VA_ARGS__){NULL, false}};
#include "wt/calls.def"
#undef WT_CALL

static const struct {
  const wt_guest_param_t *p;
  uint32_t n;
} guest_params[WT_CALL_COUNT] = {
#define WT_CALL(name, set, fam, ret, ...)                                      \
  {gp_##name, sizeof gp_##name / sizeof gp_##name[0] - 1},
#include "wt/calls.def"
#undef WT_CALL
};

const wt_guest_param_t *wt_call_guest_params(unsigned call, uint32_t *n) {
  if (call >= WT_CALL_COUNT)
    return NULL;
  *n = guest_params[call].n;
  return guest_params[call].p;
}

int wt_call_lookup(const char *name, size_t len) {
  for (int i = 0; i < WT_CALL_COUNT; i++)
    if (strlen(call_names[i]) == len && memcmp(call_names[i], name, len) == 0)
      return i;
  return -1;
}

void wt_set_observer(wt_t *w, wt_observer_fn fn, void *ud) {
  w->observer = fn;
  w->observer_ud = ud;
}

const char *wt_transition_name(unsigned kind) {
  static const char *const names[] = {
#define XX(name, desc, f1, f2, a, b, d) #name,
      WT_TRANSITION_MAP(XX)
#undef XX
  };
  return kind < WT_TR_COUNT ? names[kind] : "unknown";
}

const char *wt_transition_description(unsigned kind) {
  static const char *const descs[] = {
#define XX(name, desc, f1, f2, a, b, d) desc,
      WT_TRANSITION_MAP(XX)
#undef XX
  };
  return kind < WT_TR_COUNT ? descs[kind] : "unknown";
}
