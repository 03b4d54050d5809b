/*
 * Running a loaded module: instantiate, _start, and how it ended.
 *
 * Three ways out of the guest: _start returns; a trap (wasm2c longjmps to
 * the glue's try point, which returns the trap code); or the ABI layer
 * unwinds with siglongjmp to the jump buffer set here, after a proc_exit
 * or a terminating proc_raise has returned through every layer.
 *
 * Signals: the guest's callback runs inside the host call that delivers
 * the signal (proc_raise, a call boundary, an interrupted wait), on the
 * same instance. Whatever it does happens as if the guest had done it
 * there: its host calls nest, a trap in it unwinds to the trap point of
 * the run, and a proc_exit in it unwinds to the run's jump buffer.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "rt_internal.h"

const char *wt_trap_string(wt_trap_t trap) {
  switch (trap) {
  case WT_TRAP_NONE:
    return "no trap";
  case WT_TRAP_OOB:
    return "out of bounds memory access";
  case WT_TRAP_INT_OVERFLOW:
    return "integer overflow";
  case WT_TRAP_DIV_BY_ZERO:
    return "integer divide by zero";
  case WT_TRAP_INVALID_CONVERSION:
    return "invalid conversion to integer";
  case WT_TRAP_UNREACHABLE:
    return "unreachable instruction executed";
  case WT_TRAP_CALL_INDIRECT:
    return "indirect call to a null or mistyped table element";
  case WT_TRAP_UNCAUGHT_EXCEPTION:
    return "uncaught exception";
  case WT_TRAP_EXHAUSTION:
    return "call stack exhausted";
  }
  return "unknown trap";
}

int wt_rt_host_signal(uint8_t sig) {
#define SIGNONE 0
#define XX(v, name)                                                            \
  case v:                                                                      \
    return SIG##name;
  switch (sig) { WT_SIGNAL_MAP(XX) }
#undef XX
#undef SIGNONE
  return 0;
}

void wt_rt_proc_exit(void *ud, uint32_t code) {
  wt_module_t *m = ud;
  if (m != NULL && m->abi != NULL && m->abi->stop == WT_ABI_RUNNING) {
    m->abi->stop = WT_ABI_EXITED;
    m->abi->stop_value = code;
  }
}

void wt_rt_proc_raise(void *ud, uint8_t sig) {
  wt_module_t *m = ud;
  if (m != NULL && m->abi != NULL && m->abi->stop == WT_ABI_RUNNING) {
    m->abi->stop = WT_ABI_RAISED;
    m->abi->stop_value = sig;
  }
}

/* Wins over an exit or a raise asked for in the same call: the guest's
 * last call did not take effect, so its own ending must not be reported. */
void wt_rt_halt(void *ud) {
  wt_module_t *m = ud;
  if (m != NULL && m->abi != NULL)
    m->abi->stop = WT_ABI_HALTED;
}

wt_errno_t wt_rt_signal_register(void *ud, const char *name, uint32_t len) {
  wt_module_t *m = ud;
  if (m == NULL || m->glue == NULL || (name == NULL && len > 0))
    return WT_EINVAL;
  for (uint32_t i = 0; i < m->glue->nexports; i++) {
    const wt__glue_export_t *ex = &m->glue->exports[i];
    if (ex->name_len != len || (len > 0 && memcmp(ex->name, name, len) != 0))
      continue;
    if (ex->call_i32 == NULL)
      return WT_EINVAL; /* not (i32) -> () */
    m->sig_call = ex->call_i32;
    return WT_ESUCCESS;
  }
  return WT_ENOENT;
}

static void call_handler(wt_module_t *m, uint8_t sig) {
  uint8_t guest_sig = sig;
  if (m->sig_dialect == WT_ABI_WASIX &&
      wt_signal_to_wasix(sig, &guest_sig) != WT_ESUCCESS)
    return;
  m->sig_call(m->inst, guest_sig);
}

/*
 * A signal delivered while the callback runs (its own host calls are call
 * boundaries too) waits until it returns, as a signal is blocked during
 * its handler on Linux: a timer faster than the callback cannot nest it
 * without bound. Pending signals coalesce and run lowest number first. A
 * callback that traps or exits does not return here; the next run starts
 * clean (wt_module_run).
 */
void wt_rt_signal_handler(void *ud, uint8_t sig) {
  wt_module_t *m = ud;
  if (m == NULL || m->inst == NULL || m->sig_call == NULL ||
      sig >= WT_SIGNAL_COUNT)
    return;
  if (m->sig_running) {
    m->sig_pending |= 1u << sig;
    return;
  }
  m->sig_running = true;
  call_handler(m, sig);
  while (m->sig_pending != 0) {
    sig = (uint8_t)__builtin_ctz(m->sig_pending);
    m->sig_pending &= ~(1u << sig);
    call_handler(m, sig);
  }
  m->sig_running = false;
}

/* The innermost wasm function among the frames the trap handler saw. */
static void trap_function(const wt_module_t *m, char *buf, size_t size) {
  void **frames;
  int n = m->glue->trap_frames(&frames);
  buf[0] = '\0';
  for (int i = 0; i < n; i++) {
    Dl_info di;
    /* Return addresses point after the call; step back into it. */
    uintptr_t pc = (uintptr_t)frames[i] - 1;
    if (dladdr((void *)pc, &di) == 0 || (uintptr_t)di.dli_fbase != m->base)
      continue;
    if (wt__wasm_function_at(m->so_path, m->base, pc, buf, size))
      return;
  }
}

/*
 * Runs instantiate and _start under the unwind point. Everything that
 * changes between sigsetjmp and a siglongjmp back is volatile.
 */
static void run_guest(wt_module_t *m, void *inst, wt_abi_t *abi, sigjmp_buf *jb,
                      wt_rt_result_t *res) {
  volatile int trap = 0;
  volatile bool in_init = true;
  if (sigsetjmp(*jb, 0) == 0) {
    trap = m->glue->instantiate(inst, abi);
    if (trap == 0) {
      in_init = false;
      trap = m->glue->start(inst);
    }
  } else {
    m->glue->unwound();
  }
  if (abi->stop == WT_ABI_HALTED) {
    res->end = WT_RT_END_HALTED;
  } else if (abi->stop == WT_ABI_RAISED) {
    res->end = WT_RT_END_SIGNAL;
    res->signal = (uint8_t)abi->stop_value;
  } else if (abi->stop == WT_ABI_EXITED) {
    res->end = WT_RT_END_EXIT;
    res->exit_code = abi->stop_value;
  } else if (trap != 0) {
    res->end = WT_RT_END_TRAP;
    res->trap = (wt_trap_t)trap;
    res->trap_in_init = in_init;
    trap_function(m, res->function, sizeof res->function);
  } else {
    res->end = WT_RT_END_EXIT;
    res->exit_code = 0;
  }
}

wt_rt_status_t wt_module_run(wt_module_t *m, const wt_api_t *api, void *ctx,
                             wt_rt_result_t *res, char *err, size_t size) {
  sigjmp_buf jb;
  wt_abi_t abi;
  void *inst;
  memset(res, 0, sizeof *res);
  if (m->abi != NULL)
    return wt__rt_fail(WT_RT_ETOOL, err, size, "the module is already running");
  inst = calloc(1, m->glue->instance_size);
  if (inst == NULL)
    return wt__rt_fail(WT_RT_ETOOL, err, size, "out of memory");
  /* The memory's address is fixed inside the instance before it exists. */
  wt_abi_init(&abi, api, ctx, m->glue->memory(inst), &jb);
  m->abi = &abi;
  m->inst = inst;
  m->sig_call = NULL;
  m->sig_running = false;
  m->sig_pending = 0;
  run_guest(m, inst, &abi, &jb, res);
  m->abi = NULL;
  m->inst = NULL;
  m->sig_call = NULL;
  m->glue->free(inst);
  free(inst);
  return WT_RT_OK;
}
