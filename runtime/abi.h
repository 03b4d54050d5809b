/*
 * The guest ABI layer: wasm2c import functions that decode i32/i64
 * arguments and guest memory into the host types of the core API and call
 * through a `const wt_api_t *`. Not a public header (tests include it).
 *
 * For every call of core/calls.def and every import module its set belongs
 * to, abi.c defines
 *
 *   u32 Z_<module>Z_<name>(struct Z_<module>_instance_t *, guest params...)
 *
 * the symbol wasm2c 1.0.32 expects. The instance pointer is the wt_abi_t
 * below: the glue hands the same pointer to every import module.
 */
#ifndef WT_RT_ABI_H
#define WT_RT_ABI_H

#include <setjmp.h>
#include <stdint.h>

#include <wasm-rt.h>

#include "wt/core.h"

/*
 * The trap code the glue raises when a module's initial memory is over the
 * 65535 pages wasm2c 1.0.32 can hold (glue.c); wt_module_run reports it as
 * a module that cannot run. Outside wasm2c's trap numbers.
 */
#define WT__TRAP_MEMORY_LIMIT 100

/* More iovecs than this in one call: WT_EINVAL (Linux's IOV_MAX). */
#define WT_ABI_IOV_MAX 1024u

/* wt_abi_t.stop: what ends the run once the current call returns. */
#define WT_ABI_RUNNING 0
#define WT_ABI_EXITED 1 /* stop_value: exit code */
#define WT_ABI_RAISED 2 /* stop_value: preview1 signal */
#define WT_ABI_HALTED 3 /* wt_rt_halt: a layer stopped the guest */

typedef struct wt_abi_s {
  const wt_api_t *api;
  void *ctx;
  /*
   * The guest's exported memory, or NULL (then every pointer faults).
   * data and size are read afresh on every call: memory.grow moves data.
   */
  wasm_rt_memory_t *mem;
  int stop;
  uint32_t stop_value;
  /*
   * Where to unwind to once stop is set and the call has returned; NULL
   * (unit tests) makes the import function return normally instead.
   */
  sigjmp_buf *unwind;
  /*
   * The guest's stack (run.c): a host call made with its frame below
   * stack_floor would leave host code too little stack, so it calls
   * exhausted() instead, which ends the run as the "call stack exhausted"
   * trap and does not return. 0 / NULL (unit tests): no check.
   */
  uintptr_t stack_floor;
  void (*exhausted)(struct wt_abi_s *a);
} wt_abi_t;

/*
 * Sets up the state of one run. (Also what makes the runtime link abi.c's
 * object into the executable: nothing else refers to the import functions
 * before the guest's shared object is loaded.)
 */
void wt_abi_init(wt_abi_t *a, const wt_api_t *api, void *ctx,
                 wasm_rt_memory_t *mem, sigjmp_buf *unwind);

/* The host-defined instance types wasm2c declares, one per module. */
struct Z_wasi_snapshot_preview1_instance_t {
  wt_abi_t abi;
};
struct Z_wasix_32v1_instance_t {
  wt_abi_t abi;
};

/* Import modules of each set of calls.def: X(module, extra...). */
#define WT_ABI_SET_P1(X, ...)                                                  \
  X(wasi_snapshot_preview1, __VA_ARGS__) X(wasix_32v1, __VA_ARGS__)
#define WT_ABI_SET_WASIX(X, ...) X(wasix_32v1, __VA_ARGS__)

/*
 * How an import module numbers the values whose numbering differs between
 * modules. The core speaks preview1; the decoders convert an IN scalar
 * whose fmt has a converter in abi.c (today: `signal`, Linux numbering in
 * WASIX) from the dialect of the module the guest called through.
 */
#define WT_ABI_PREVIEW1 0
#define WT_ABI_WASIX 1
#define WT_ABI_DIALECT(mod) WT_CAT(WT_ABI_DIALECT_, mod)
#define WT_ABI_DIALECT_wasi_snapshot_preview1 WT_ABI_PREVIEW1
#define WT_ABI_DIALECT_wasix_32v1 WT_ABI_WASIX

/*
 * Guest (wasm) type of an IN scalar: i32 for 4 bytes or less, i64 for 8.
 * One line per C type used in calls.def; a new type fails to compile here
 * until it is listed. GT: the C type wasm2c uses; VT: signature character.
 */
#define WT_ABI_GT(type) WT_CAT(WT_ABI_GT_, type)
#define WT_ABI_VT(type) WT_CAT(WT_ABI_VT_, type)
#define WT_ABI_GT_uint8_t uint32_t
#define WT_ABI_GT_uint16_t uint32_t
#define WT_ABI_GT_uint32_t uint32_t
#define WT_ABI_GT_int32_t uint32_t
#define WT_ABI_GT_uint64_t uint64_t
#define WT_ABI_GT_int64_t uint64_t
#define WT_ABI_VT_uint8_t "i"
#define WT_ABI_VT_uint16_t "i"
#define WT_ABI_VT_uint32_t "i"
#define WT_ABI_VT_int32_t "i"
#define WT_ABI_VT_uint64_t "I"
#define WT_ABI_VT_int64_t "I"

/* Guest parameter list (leading commas): pointers and lengths are i32. */
#define WT_GP_VOID()
#define WT_GP_FD(name, right) , uint32_t g_##name
#define WT_GP_IN(type, name, fmt) , WT_ABI_GT(type) g_##name
#define WT_GP_IN_STR(name) , uint32_t g_##name, uint32_t g_##name##_len
#define WT_GP_IN_IOVS(name) , uint32_t g_##name, uint32_t g_##name##_len
#define WT_GP_OUT_IOVS(name, used) , uint32_t g_##name, uint32_t g_##name##_len
#define WT_GP_OUT_BUF(name, used) , uint32_t g_##name, uint32_t g_##name##_len
#define WT_GP_OUT_BYTES(name) , uint32_t g_##name, uint32_t g_##name##_len
#define WT_GP_OUT(type, name, fmt) , uint32_t g_##name
#define WT_GP_IN_ARRAY(type, name, count, fmt) , uint32_t g_##name
#define WT_GP_OUT_ARRAY(type, name, count, used, fmt) , uint32_t g_##name
#define WT_GP_IN_OPT(type, name, fmt) , uint32_t g_##name
#define WT_GP_OUT_STRTAB(name) , uint32_t g_##name, uint32_t g_##name##_buf

/* Guest argument names, to forward them (leading commas). */
#define WT_GN_VOID()
#define WT_GN_FD(name, right) , g_##name
#define WT_GN_IN(type, name, fmt) , g_##name
#define WT_GN_IN_STR(name) , g_##name, g_##name##_len
#define WT_GN_IN_IOVS(name) , g_##name, g_##name##_len
#define WT_GN_OUT_IOVS(name, used) , g_##name, g_##name##_len
#define WT_GN_OUT_BUF(name, used) , g_##name, g_##name##_len
#define WT_GN_OUT_BYTES(name) , g_##name, g_##name##_len
#define WT_GN_OUT(type, name, fmt) , g_##name
#define WT_GN_IN_ARRAY(type, name, count, fmt) , g_##name
#define WT_GN_OUT_ARRAY(type, name, count, used, fmt) , g_##name
#define WT_GN_IN_OPT(type, name, fmt) , g_##name
#define WT_GN_OUT_STRTAB(name) , g_##name, g_##name##_buf

/* Wasm signature string of the parameters: 'i' i32, 'I' i64. */
#define WT_GS_VOID()
#define WT_GS_FD(name, right) "i"
#define WT_GS_IN(type, name, fmt) WT_ABI_VT(type)
#define WT_GS_IN_STR(name) "ii"
#define WT_GS_IN_IOVS(name) "ii"
#define WT_GS_OUT_IOVS(name, used) "ii"
#define WT_GS_OUT_BUF(name, used) "ii"
#define WT_GS_OUT_BYTES(name) "ii"
#define WT_GS_OUT(type, name, fmt) "i"
#define WT_GS_IN_ARRAY(type, name, count, fmt) "i"
#define WT_GS_OUT_ARRAY(type, name, count, used, fmt) "i"
#define WT_GS_IN_OPT(type, name, fmt) "i"
#define WT_GS_OUT_STRTAB(name) "ii"

/* Result type and signature per return kind. */
#define WT_ABI_RT_ERRNO uint32_t
#define WT_ABI_RT_NORETURN void
#define WT_ABI_RT_VOID void
#define WT_ABI_RS_ERRNO "i"
#define WT_ABI_RS_NORETURN ""
#define WT_ABI_RS_VOID ""

/* Prototypes of the import functions, for tests and for the compiler. */
#define WT__ABI_PROTO(mod, name, ret, ...)                                     \
  WT_ABI_RT_##ret Z_##mod##Z_##name(                                           \
      struct Z_##mod##_instance_t *inst WT_ARGS(WT_GP, __VA_ARGS__));
#define WT_CALL(name, set, fam, ret, ...)                                      \
  WT_ABI_SET_##set(WT__ABI_PROTO, name, ret, __VA_ARGS__)
#include "wt/calls.def"
#undef WT_CALL

#endif /* WT_RT_ABI_H */
