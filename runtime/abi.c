/*
 * Guest ABI: one wasm2c import function per call and import module,
 * expanded from core/calls.def (see abi.h). Nothing here is written call
 * by call: each argument kind has a declaration, a check, a copy-out and a
 * release step, and every call is those steps applied to its arguments.
 *
 * Rules every kind follows:
 * - Guest memory is re-read (data, size) at the start of each call.
 * - Every pointer/length is checked against the current size with 64-bit
 *   arithmetic, so ptr + len cannot wrap: a failed check is WT_EFAULT for
 *   the guest, and the layer below is not called but told of the refusal
 *   (wt_api_t.refused), so a trace misses no call.
 * - Byte buffers (strings, read/write buffers, iovec targets, strtab) are
 *   handed over as pointers into guest memory, without copies.
 * - Scalars and structs go through aligned host temporaries and memcpy
 *   (guest pointers need not be aligned); outputs are copied back only
 *   when the call succeeds.
 * - A narrow scalar (u8, u16) whose i32 carries higher bits is WT_EINVAL.
 * - A scalar numbered differently by the import module (abi.h, dialects)
 *   is converted to preview1 numbering; no counterpart is WT_EINVAL.
 * - Re-entrant: a signal handler runs guest code inside a call, and may
 *   make calls and grow memory. Each call keeps its state on its own
 *   stack, and memory is viewed again before the copy-out.
 */
#include <stdlib.h>
#include <string.h>

#include "abi.h"

/* Temporaries up to this many entries live on the stack, more on the heap. */
#define WT_ABI_STACK_IOVS 16
#define WT_ABI_STACK_ITEMS 8

typedef struct mview_s {
  uint8_t *base;
  uint64_t size;
} mview_t;

/* Base for a guest without memory: only zero-length slices at 0 exist. */
static uint8_t no_memory[1];

static mview_t view(const wt_abi_t *a) {
  mview_t m = {no_memory, 0};
  if (a->mem != NULL && a->mem->data != NULL) {
    m.base = a->mem->data;
    m.size = a->mem->size;
  }
  return m;
}

static bool in_bounds(mview_t m, uint64_t ptr, uint64_t len) {
  return ptr <= m.size && len <= m.size - ptr;
}

/* A byte range of guest memory, or NULL with *e = EFAULT. */
static uint8_t *slice(mview_t m, uint32_t ptr, uint64_t len, wt_errno_t *e) {
  if (!in_bounds(m, ptr, len)) {
    *e = WT_EFAULT;
    return NULL;
  }
  return m.base + ptr;
}

static uint32_t load_u32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v); /* little-endian host (types.h checks) */
  return v;
}

/* Room for n items of `size` bytes: `stk` if it fits, else the heap. */
static void *scratch(uint64_t n, size_t size, void *stk, size_t stk_size,
                     wt_errno_t *e) {
  void *p;
  if (n * size <= stk_size)
    return stk;
  p = malloc((size_t)(n * size));
  if (p == NULL)
    *e = WT_ENOMEM;
  return p;
}

static void release(void *p, void *stk) {
  if (p != stk)
    free(p);
}

/*
 * Inlined into each call's decoder: every fd_write and fd_read decodes an
 * iovec array, and as a call of its own the decoding cost a third of what
 * the ABI adds to a 16-byte write (62 instructions for one entry, ~20
 * inlined; callgrind, bench/native.sh's storm).
 */
#define HOT inline __attribute__((always_inline))

/*
 * Decodes an iovec array: n entries of (u32 buf, u32 len) at ptr, the
 * array and each buffer checked, into scratch room (`stk` while it fits);
 * at most WT_ABI_IOV_MAX entries. Written once for both element types:
 * wt_ciovec_t and wt_iovec_t differ only in the constness of buf and are
 * not punned, so the read-only one is decoded straight into const iovecs
 * without a second array (every fd_write comes here).
 */
#define IOVS(type, decode, get)                                                \
  static HOT wt_errno_t decode(mview_t m, uint32_t ptr, uint32_t n,           \
                               type *out) {                                    \
    if (!in_bounds(m, ptr, (uint64_t)n * 8))                                   \
      return WT_EFAULT;                                                        \
    for (uint32_t i = 0; i < n; i++) {                                         \
      const uint8_t *ent = m.base + ptr + (uint64_t)i * 8;                     \
      uint32_t buf = load_u32(ent), len = load_u32(ent + 4);                   \
      if (!in_bounds(m, buf, len))                                             \
        return WT_EFAULT;                                                      \
      out[i].buf = m.base + buf;                                               \
      out[i].buf_len = len;                                                    \
    }                                                                          \
    return WT_ESUCCESS;                                                        \
  }                                                                            \
  static HOT type *get(mview_t m, uint32_t ptr, uint32_t n, type *stk,        \
                       wt_errno_t *e) {                                        \
    type *v;                                                                   \
    if (n > WT_ABI_IOV_MAX) {                                                  \
      *e = WT_EINVAL;                                                          \
      return NULL;                                                             \
    }                                                                          \
    v = scratch(n, sizeof *v, stk, WT_ABI_STACK_IOVS * sizeof *stk, e);        \
    if (v != NULL)                                                             \
      *e = decode(m, ptr, n, v);                                               \
    return v;                                                                  \
  }
IOVS(wt_iovec_t, decode_iovs, get_iovs)
IOVS(wt_ciovec_t, decode_ciovs, get_ciovs)
#undef IOVS

/* IN_ARRAY: n items copied into aligned host storage. */
static void *array_in(mview_t m, uint32_t ptr, uint32_t n, size_t size,
                      void *stk, size_t stk_size, wt_errno_t *e) {
  void *p;
  if (!in_bounds(m, ptr, (uint64_t)n * size)) {
    *e = WT_EFAULT;
    return NULL;
  }
  p = scratch(n, size, stk, stk_size, e);
  if (p != NULL)
    memcpy(p, m.base + ptr, (size_t)n * size);
  return p;
}

/* OUT_ARRAY: zeroed host room for n items whose guest range is checked. */
static void *array_out(mview_t m, uint32_t ptr, uint32_t n, size_t size,
                       void *stk, size_t stk_size, wt_errno_t *e) {
  void *p;
  if (!in_bounds(m, ptr, (uint64_t)n * size)) {
    *e = WT_EFAULT;
    return NULL;
  }
  p = scratch(n, size, stk, stk_size, e);
  if (p != NULL)
    memset(p, 0, (size_t)n * size);
  return p;
}

/* Copies back the `used` items the call stored (never more than room). */
static void array_copy_out(mview_t m, uint32_t ptr, const void *p, size_t size,
                           uint32_t used, uint32_t room) {
  uint32_t n = used < room ? used : room;
  if (n > 0)
    memcpy(m.base + ptr, p, (size_t)n * size);
}

static uint32_t clamp_u32(uint64_t v) {
  return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/*
 * OUT_STRTAB: the pointer table and the string buffer are the rest of
 * guest memory from each pointer (the guest sized them with *_sizes_get;
 * the callee reports EFAULT when they are too small).
 */
static wt_errno_t strtab_in(mview_t m, uint32_t ptrs, uint32_t buf,
                            wt_strtab_t *t) {
  memset(t, 0, sizeof *t);
  if (ptrs > m.size || buf > m.size)
    return WT_EFAULT;
  t->offsets = m.base + ptrs;
  t->offsets_cap = clamp_u32((m.size - ptrs) / 4);
  t->buf = m.base + buf;
  t->buf_cap = clamp_u32(m.size - buf);
  return WT_ESUCCESS;
}

/* Turns the offsets the callee stored into guest addresses. */
static void strtab_out(uint32_t buf, const wt_strtab_t *t) {
  uint32_t n = t->count < t->offsets_cap ? t->count : t->offsets_cap;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t off = load_u32(t->offsets + 4 * (size_t)i) + buf;
    memcpy(t->offsets + 4 * (size_t)i, &off, sizeof off);
  }
}

void wt_abi_init(wt_abi_t *a, const wt_api_t *api, void *ctx,
                 wasm_rt_memory_t *mem, sigjmp_buf *unwind) {
  memset(a, 0, sizeof *a);
  a->api = api;
  a->ctx = ctx;
  a->mem = mem;
  a->unwind = unwind;
}

/*
 * Converters from an import module's numbering to preview1, one per fmt
 * that needs one: CONV_<fmt> is "~, converter". Every other fmt gets
 * CONV__NONE, so a new fmt needs no line here.
 */
static wt_errno_t conv_signal(int dialect, uint8_t *sig) {
  return dialect == WT_ABI_WASIX ? wt_signal_from_wasix(*sig, sig)
                                 : WT_ESUCCESS;
}
#define CONV_signal ~, conv_signal
#define CONV__NONE(dialect, p) WT_ESUCCESS
#define CONV__SECOND(a, b, ...) b
#define CONV__PICK(...) CONV__SECOND(__VA_ARGS__)
#define CONV(fmt) CONV__PICK(WT_CAT(CONV_, fmt), CONV__NONE, ~)

/* Before a call: host code must have room on the guest's stack. */
static void check_stack(wt_abi_t *a) {
  if (a->exhausted != NULL &&
      (uintptr_t)__builtin_frame_address(0) < a->stack_floor)
    a->exhausted(a);
}

/* After a call: unwind to the runtime if the call ended the guest. */
static void check_stop(wt_abi_t *a) {
  if (a->stop != WT_ABI_RUNNING && a->unwind != NULL)
    siglongjmp(*a->unwind, 1);
}

/* A NORETURN call came back: the guest ends however the layers reacted. */
static void noreturn_stop(wt_abi_t *a, uint32_t code) {
  if (a->stop == WT_ABI_RUNNING) {
    a->stop = WT_ABI_EXITED;
    a->stop_value = code;
  }
  check_stop(a);
}

/* D: host values and temporaries, initialised from the guest arguments. */
#define D_VOID()
#define D_FD(name, right) wt_fd_t name = g_##name;
#define D_IN(type, name, fmt) type name = (type)g_##name;
#define D_IN_STR(name)                                                         \
  const char *name = NULL;                                                     \
  uint32_t name##_len = g_##name##_len;
#define D_IN_IOVS(name)                                                        \
  wt_ciovec_t name##_stk[WT_ABI_STACK_IOVS];                                   \
  wt_ciovec_t *name = NULL;                                                    \
  uint32_t name##_len = g_##name##_len;
#define D_OUT_IOVS(name, used)                                                 \
  wt_iovec_t name##_stk[WT_ABI_STACK_IOVS];                                    \
  wt_iovec_t *name = NULL;                                                     \
  uint32_t name##_len = g_##name##_len;
#define D_OUT_BUF(name, used)                                                  \
  uint8_t *name = NULL;                                                        \
  uint32_t name##_len = g_##name##_len;
#define D_OUT_BYTES(name) D_OUT_BUF(name, )
#define D_OUT(type, name, fmt)                                                 \
  type name##_v;                                                               \
  type *name = &name##_v;                                                      \
  memset(name, 0, sizeof *name);
#define D_IN_ARRAY(type, name, count, fmt)                                     \
  type name##_stk[WT_ABI_STACK_ITEMS];                                         \
  type *name = NULL;
#define D_OUT_ARRAY(type, name, count, used, fmt)                              \
  type name##_stk[WT_ABI_STACK_ITEMS];                                         \
  type *name = NULL;
#define D_IN_OPT(type, name, fmt)                                              \
  type name##_v;                                                               \
  const type *name = NULL;
#define D_OUT_STRTAB(name)                                                     \
  wt_strtab_t name##_v;                                                        \
  wt_strtab_t *name = &name##_v;

/* C: checks, in guest parameter order; the first failure sticks, and
   `what` names the argument that failed (for the refusal). */
#define WHAT(name)                                                             \
  if (e != WT_ESUCCESS && what == NULL)                                        \
    what = #name;
#define C_VOID()
#define C_FD(name, right)
#define C_IN(type, name, fmt)                                                  \
  if (e == WT_ESUCCESS && (WT_ABI_GT(type))name != g_##name)                   \
    e = WT_EINVAL;                                                             \
  if (e == WT_ESUCCESS)                                                        \
    e = CONV(fmt)(dialect, &name);                                             \
  WHAT(name)
#define C_IN_STR(name)                                                         \
  if (e == WT_ESUCCESS)                                                        \
    name = (const char *)slice(m, g_##name, g_##name##_len, &e);               \
  WHAT(name)
#define C_IN_IOVS(name)                                                        \
  if (e == WT_ESUCCESS)                                                        \
    name = get_ciovs(m, g_##name, g_##name##_len, name##_stk, &e);             \
  WHAT(name)
#define C_OUT_IOVS(name, used)                                                 \
  if (e == WT_ESUCCESS)                                                        \
    name = get_iovs(m, g_##name, g_##name##_len, name##_stk, &e);              \
  WHAT(name)
#define C_OUT_BUF(name, used)                                                  \
  if (e == WT_ESUCCESS)                                                        \
    name = slice(m, g_##name, g_##name##_len, &e);                             \
  WHAT(name)
#define C_OUT_BYTES(name) C_OUT_BUF(name, )
#define C_OUT(type, name, fmt)                                                 \
  if (e == WT_ESUCCESS && !in_bounds(m, g_##name, sizeof(type)))               \
    e = WT_EFAULT;                                                             \
  WHAT(name)
#define C_IN_ARRAY(type, name, count, fmt)                                     \
  if (e == WT_ESUCCESS)                                                        \
    name = array_in(m, g_##name, g_##count, sizeof(type), name##_stk,          \
                    sizeof name##_stk, &e);                                    \
  WHAT(name)
#define C_OUT_ARRAY(type, name, count, used, fmt)                              \
  if (e == WT_ESUCCESS)                                                        \
    name = array_out(m, g_##name, g_##count, sizeof(type), name##_stk,         \
                     sizeof name##_stk, &e);                                   \
  WHAT(name)
#define C_IN_OPT(type, name, fmt)                                              \
  if (e == WT_ESUCCESS && g_##name != 0) {                                     \
    if (in_bounds(m, g_##name, sizeof(type))) {                                \
      memcpy(&name##_v, m.base + g_##name, sizeof(type));                      \
      name = &name##_v;                                                        \
    } else {                                                                   \
      e = WT_EFAULT;                                                           \
    }                                                                          \
  }                                                                            \
  WHAT(name)
#define C_OUT_STRTAB(name)                                                     \
  if (e == WT_ESUCCESS)                                                        \
    e = strtab_in(m, g_##name, g_##name##_buf, name);                          \
  WHAT(name)

/* O: copy-out after success. */
#define O_VOID()
#define O_FD(name, right)
#define O_IN(type, name, fmt)
#define O_IN_STR(name)
#define O_IN_IOVS(name)
#define O_OUT_IOVS(name, used)
#define O_OUT_BUF(name, used)
#define O_OUT_BYTES(name)
#define O_OUT(type, name, fmt) memcpy(m.base + g_##name, name, sizeof(type));
#define O_IN_ARRAY(type, name, count, fmt)
#define O_OUT_ARRAY(type, name, count, used, fmt)                              \
  array_copy_out(m, g_##name, name, sizeof(type), used##_v, g_##count);
#define O_IN_OPT(type, name, fmt)
#define O_OUT_STRTAB(name) strtab_out(g_##name##_buf, name);

/* F: release heap temporaries (always). */
#define F_VOID()
#define F_FD(name, right)
#define F_IN(type, name, fmt)
#define F_IN_STR(name)
#define F_IN_IOVS(name) release(name, name##_stk);
#define F_OUT_IOVS(name, used) release(name, name##_stk);
#define F_OUT_BUF(name, used)
#define F_OUT_BYTES(name)
#define F_OUT(type, name, fmt)
#define F_IN_ARRAY(type, name, count, fmt) release(name, name##_stk);
#define F_OUT_ARRAY(type, name, count, used, fmt) release(name, name##_stk);
#define F_IN_OPT(type, name, fmt)
#define F_OUT_STRTAB(name)

/* NR: a NORETURN call's first scalar argument is its exit code. */
#define NR_VOID()
#define NR_FD(name, right)
#define NR_IN(type, name, fmt)                                                 \
  if (!have_code) {                                                            \
    code = (uint32_t)g_##name;                                                 \
    have_code = 1;                                                             \
  }
#define NR_IN_STR(name)
#define NR_IN_IOVS(name)
#define NR_OUT_IOVS(name, used)
#define NR_OUT_BUF(name, used)
#define NR_OUT_BYTES(name)
#define NR_OUT(type, name, fmt)
#define NR_IN_ARRAY(type, name, count, fmt)
#define NR_OUT_ARRAY(type, name, count, used, fmt)
#define NR_IN_OPT(type, name, fmt)
#define NR_OUT_STRTAB(name)

/*
 * The decoder of each call, shared by every module that exports it;
 * `dialect` is the numbering of the module the guest called through. The
 * call may have run a signal handler (guest code), so memory is viewed
 * again before the copy-out.
 */
#define WT_CALL(name, set, fam, ret, ...)                                      \
  static wt_errno_t abi_##name(wt_abi_t *a,                                    \
                               int dialect WT_ARGS(WT_GP, __VA_ARGS__)) {      \
    mview_t m = view(a);                                                       \
    wt_errno_t e = WT_ESUCCESS;                                                \
    const char *what = NULL;                                                   \
    WT_ARGS(D, __VA_ARGS__)                                                    \
    (void)dialect;                                                             \
    WT_ARGS(C, __VA_ARGS__)                                                    \
    (void)m;                                                                   \
    (void)what;                                                                \
    if (e == WT_ESUCCESS) {                                                    \
      e = a->api->name(a->ctx WT_ARGS(WT_HN, __VA_ARGS__));                    \
    } else if (a->api->refused != NULL) {                                      \
      const uint64_t raw_[] = {0 WT_ARGS(WT_GN, __VA_ARGS__)};                 \
      wt_refusal_t r_ = {WT_CALL_##name, e, what,                              \
                         (uint32_t)(sizeof raw_ / sizeof raw_[0] - 1),         \
                         raw_ + 1};                                            \
      /* Never a success: the outputs have nowhere to go. */                   \
      wt_errno_t re_ = a->api->refused(a->ctx, &r_);                           \
      if (re_ != WT_ESUCCESS)                                                  \
        e = re_;                                                               \
    }                                                                          \
    if (e == WT_ESUCCESS) {                                                    \
      m = view(a);                                                             \
      WT_ARGS(O, __VA_ARGS__)                                                  \
    }                                                                          \
    WT_ARGS(F, __VA_ARGS__)                                                    \
    return e;                                                                  \
  }
#include "wt/calls.def"
#undef WT_CALL

/* The exported symbols, by return kind. */
#define WRAP_ERRNO(mod, name, ...)                                             \
  uint32_t Z_##mod##Z_##name(                                                  \
      struct Z_##mod##_instance_t *inst WT_ARGS(WT_GP, __VA_ARGS__)) {         \
    wt_errno_t e;                                                              \
    check_stack(&inst->abi);                                                   \
    e = abi_##name(&inst->abi,                                                 \
                   WT_ABI_DIALECT(mod) WT_ARGS(WT_GN, __VA_ARGS__));           \
    check_stop(&inst->abi);                                                    \
    return e;                                                                  \
  }
#define WRAP_VOID(mod, name, ...)                                              \
  void Z_##mod##Z_##name(                                                      \
      struct Z_##mod##_instance_t *inst WT_ARGS(WT_GP, __VA_ARGS__)) {         \
    check_stack(&inst->abi);                                                   \
    (void)abi_##name(&inst->abi,                                               \
                     WT_ABI_DIALECT(mod) WT_ARGS(WT_GN, __VA_ARGS__));         \
    check_stop(&inst->abi);                                                    \
  }
#define WRAP_NORETURN(mod, name, ...)                                          \
  void Z_##mod##Z_##name(                                                      \
      struct Z_##mod##_instance_t *inst WT_ARGS(WT_GP, __VA_ARGS__)) {         \
    uint32_t code = 0;                                                         \
    int have_code = 0;                                                         \
    check_stack(&inst->abi);                                                   \
    WT_ARGS(NR, __VA_ARGS__)                                                   \
    (void)have_code;                                                           \
    (void)abi_##name(&inst->abi,                                               \
                     WT_ABI_DIALECT(mod) WT_ARGS(WT_GN, __VA_ARGS__));         \
    noreturn_stop(&inst->abi, code);                                           \
  }
#define DEFINE_IMPORT(mod, name, ret, ...) WRAP_##ret(mod, name, __VA_ARGS__)

#define WT_CALL(name, set, fam, ret, ...)                                      \
  WT_ABI_SET_##set(DEFINE_IMPORT, name, ret, __VA_ARGS__)
#include "wt/calls.def"
#undef WT_CALL
