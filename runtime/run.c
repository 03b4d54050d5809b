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
 *
 * The stack: every run happens on a stack of its own, which is large,
 * committed only as it is touched, and sits above a wide PROT_NONE guard.
 * The caller's thread switches to it (ucontext) rather than starting a
 * thread on it: in a process of one thread the kernel looks an fd up
 * without taking a reference to its file, and a second thread, even one
 * only waiting, cost every fd call of the guest ~28 ns here (a 16-byte
 * write to /dev/null: 95 ns alone, 125 ns beside an idle thread).
 *
 * Why so large a stack: wasm2c counts the call depth in bounds-check mode
 * only, and a frame's size depends on the guest's function (thousands of
 * locals make frames of tens of kilobytes), so either mode could run out
 * of a native stack before any limit of wasm2c's: the process then died
 * of SIGSEGV with its trace incomplete. Now a fault in the guard is the
 * guest's "call stack exhausted" trap, and every host call checks first
 * that the host has room below it (abi.c), so host code never overflows.
 * Signals reach the guest with the caller's mask: it runs on the caller's
 * thread.
 */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

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

/* ---- the guest's stack ---------------------------------------------- */

/* Usable stack, and the PROT_NONE guard below it (address space only).
 * The guard is wide because a frame can be larger than a page and code
 * built without stack-clash probes may step over a narrow guard. */
#define STACK_SIZE ((size_t)256 << 20)
#define STACK_GUARD ((size_t)1 << 30)
/* Room every host call must find below it (abi.c's check). */
#define STACK_RESERVE ((size_t)4 << 20)
/* The SIGSEGV handler's stack: large enough to unwind on (backtrace). */
#define ALT_STACK_SIZE ((size_t)256 << 10)
#define NFRAMES 64

/*
 * The run in progress, for the SIGSEGV handler (one guest runs at a time
 * in a process: see runtime.h). Written before the switch to the guest's
 * stack and after the switch back.
 */
static struct {
  uintptr_t guard_lo, guard_hi; /* faults here exhaust the stack */
  pthread_t thread;             /* the thread running the guest */
  struct sigaction old_segv;    /* chained for every other fault */
  wt_abi_t *volatile abi;       /* the run, while it runs */
  volatile sig_atomic_t exhausted; /* the run ended by exhaustion */
  void *frames[NFRAMES];
  int nframes;
  bool walk_fp; /* the guest's code has frame pointers, no unwind tables */
} stk;

#if defined(__x86_64__)
/*
 * The faulting frames by their frame pointers, from the fault's context:
 * TinyCC's code (the fast tier) has no unwind tables for backtrace() to
 * follow, but always keeps frame pointers. Only the guest's stack is read.
 */
static int walk_frames(const ucontext_t *uc) {
  uintptr_t lo = stk.guard_hi, hi = stk.guard_hi + STACK_SIZE;
  uintptr_t *fp = (uintptr_t *)uc->uc_mcontext.gregs[REG_RBP];
  int n = 0;
  /* The faulting instruction, as if it were a return address. */
  stk.frames[n++] = (void *)(uc->uc_mcontext.gregs[REG_RIP] + 1);
  while (n < NFRAMES && (uintptr_t)fp % sizeof *fp == 0 &&
         (uintptr_t)fp >= lo && (uintptr_t)(fp + 2) <= hi) {
    stk.frames[n++] = (void *)fp[1];
    if (fp[0] <= (uintptr_t)fp)
      break;
    fp = (uintptr_t *)fp[0];
  }
  return n;
}
#endif

/* Ends the run as a "call stack exhausted" trap (never returns). */
static void exhausted(wt_abi_t *a, const ucontext_t *uc) {
#if defined(__x86_64__)
  if (stk.walk_fp && uc != NULL)
    stk.nframes = walk_frames(uc);
  else
#endif
    stk.nframes = backtrace(stk.frames, NFRAMES);
  stk.exhausted = 1;
  siglongjmp(*a->unwind, 1);
}

/* A host call found too little stack left (abi.c). */
static void exhausted_in_call(wt_abi_t *a) { exhausted(a, NULL); }

/* What a fault outside the guard would have met without us. */
static void chain_segv(int sig, siginfo_t *si, void *uc) {
  const struct sigaction *old = &stk.old_segv;
  if (old->sa_flags & SA_SIGINFO) {
    old->sa_sigaction(sig, si, uc);
  } else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
    old->sa_handler(sig);
  } else {
    /* Returning re-runs the faulting instruction, which now kills. */
    signal(sig, SIG_DFL);
  }
}

static void on_segv(int sig, siginfo_t *si, void *uc) {
  uintptr_t addr = (uintptr_t)si->si_addr;
  if (stk.abi != NULL && addr >= stk.guard_lo && addr < stk.guard_hi &&
      pthread_equal(pthread_self(), stk.thread))
    exhausted(stk.abi, uc);
  chain_segv(sig, si, uc);
}

/*
 * The wasm frames among `frames` (return addresses, innermost first) into
 * res: those in the guest's shared object whose symbol is a wasm function.
 */
static void trap_frames(const wt_module_t *m, void **frames, int n,
                        wt_rt_result_t *res) {
  uintptr_t pcs[NFRAMES] = {0};
  char syms[NFRAMES][WT__SYM_SIZE];
  int k = 0;
  res->function[0] = '\0';
  for (int i = 0; i < n && k < NFRAMES; i++) {
    Dl_info di;
    /* Return addresses point after the call; step back into it. The
     * innermost frame (the trap handler's) is never a wasm function. */
    uintptr_t pc = (uintptr_t)frames[i] - 1;
    if (dladdr((void *)pc, &di) != 0 && (uintptr_t)di.dli_fbase == m->base)
      pcs[k++] = pc;
  }
  if (!wt__so_symbols(m->so_path, m->base, pcs, k, syms)) {
    res->frames_unavailable = true;
    return;
  }
  for (int i = 0; i < k; i++) {
    uint32_t func;
    wt_rt_frame_t *f;
    if (!wt__names_function(&m->names, syms[i], &func))
      continue;
    if (res->nframes == WT_RT_MAX_FRAMES) {
      res->frames_more = true;
      break;
    }
    f = &res->frames[res->nframes++];
    f->func = func;
    wt__names_name(&m->names, func, f->name, sizeof f->name);
  }
  if (res->nframes > 0)
    snprintf(res->function, sizeof res->function, "%s", res->frames[0].name);
}

static void set_trap(wt_module_t *m, int trap, bool in_init,
                     wt_rt_result_t *res) {
  void **frames = stk.frames;
  int n = stk.nframes;
  res->end = WT_RT_END_TRAP;
  res->trap = (wt_trap_t)trap;
  res->trap_in_init = in_init;
  if (!stk.exhausted)
    n = m->glue->trap_frames(&frames);
  trap_frames(m, frames, n, res);
}

/*
 * Runs instantiate and _start under the unwind point. Everything that
 * changes between sigsetjmp and a siglongjmp back is volatile. The mask
 * is saved: the stack's handler unwinds out of a signal.
 */
static void run_guest(wt_module_t *m, void *inst, wt_abi_t *abi, sigjmp_buf *jb,
                      wt_rt_result_t *res) {
  volatile int trap = 0;
  volatile bool in_init = true;
  if (sigsetjmp(*jb, 1) == 0) {
    trap = m->glue->instantiate(inst, abi);
    if (trap == 0) {
      in_init = false;
      trap = m->glue->start(inst);
    }
  } else {
    m->glue->unwound();
    if (stk.exhausted)
      trap = WT_TRAP_EXHAUSTION;
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
    set_trap(m, trap, in_init, res);
  } else {
    res->end = WT_RT_END_EXIT;
    res->exit_code = 0;
  }
}

typedef struct guest_run_s {
  wt_module_t *m;
  void *inst;
  wt_abi_t *abi;
  sigjmp_buf *jb;
  wt_rt_result_t *res;
  void *alt; /* the SIGSEGV handler's stack */
} guest_run_t;

/*
 * AddressSanitizer must hear of every switch between the caller's stack and
 * the guest's (or it takes the other stack for a corrupted one).
 */
#if defined(__SANITIZE_ADDRESS__)
#define WT_ASAN_FIBERS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WT_ASAN_FIBERS 1
#endif
#endif
#ifdef WT_ASAN_FIBERS
#include <sanitizer/common_interface_defs.h>
#define FIBER_START(save, bottom, size)                                        \
  __sanitizer_start_switch_fiber(save, bottom, size)
#define FIBER_FINISH(save, bottom, size)                                       \
  __sanitizer_finish_switch_fiber(save, bottom, size)
#else
#define FIBER_START(save, bottom, size) ((void)(bottom), (void)(size))
#define FIBER_FINISH(save, bottom, size) ((void)(save))
#endif

/* The switch between the caller's context and the guest's (one guest runs
 * at a time in a process). */
static struct {
  ucontext_t caller, guest;
  guest_run_t *g;
  const void *caller_bottom; /* the caller's stack, for the sanitizer */
  size_t caller_size;
} sw;

static void guest_main(void) {
  guest_run_t *g = sw.g;
  FIBER_FINISH(NULL, &sw.caller_bottom, &sw.caller_size);
  run_guest(g->m, g->inst, g->abi, g->jb, g->res);
  /* Back to the caller through uc_link; this stack is done with. */
  FIBER_START(NULL, sw.caller_bottom, sw.caller_size);
}

/* The guest's stack: guard then stack, one reservation. NULL on failure. */
static uint8_t *stack_map(void) {
  uint8_t *p = mmap(NULL, STACK_GUARD + STACK_SIZE, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return NULL;
  if (mprotect(p + STACK_GUARD, STACK_SIZE, PROT_READ | PROT_WRITE) != 0) {
    munmap(p, STACK_GUARD + STACK_SIZE);
    return NULL;
  }
  return p;
}

/*
 * Runs the guest on `stack`, on this thread, and comes back when it ends
 * (uc_link resumes the caller's context: getcontext returns again). Not
 * swapcontext, which AddressSanitizer intercepts with a warning on the
 * guest's stderr.
 */
static int switch_to_guest(guest_run_t *g, uint8_t *stack) {
  void *fake = NULL;
  volatile bool back = false;
  if (getcontext(&sw.guest) != 0)
    return errno;
  sw.guest.uc_stack.ss_sp = stack + STACK_GUARD;
  sw.guest.uc_stack.ss_size = STACK_SIZE;
  sw.guest.uc_link = &sw.caller;
  sw.g = g;
  makecontext(&sw.guest, guest_main, 0);
  if (getcontext(&sw.caller) != 0)
    return errno;
  if (!back) {
    back = true;
    FIBER_START(&fake, stack + STACK_GUARD, STACK_SIZE);
    setcontext(&sw.guest);
    return errno; /* setcontext returns only on failure */
  }
  FIBER_FINISH(fake, NULL, NULL);
  return 0;
}

/*
 * Runs the guest on `stack` with the stack's SIGSEGV handler in front of
 * whatever was there (wasm2c's in guard-page mode, which goes on
 * classifying every other fault) and its own alternate signal stack.
 * Returns an errno.
 */
static int run_switched(guest_run_t *g, uint8_t *stack) {
  struct sigaction sa;
  stack_t ss = {.ss_sp = g->alt, .ss_size = ALT_STACK_SIZE}, old_ss;
  int rc = 0;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  stk.guard_lo = (uintptr_t)stack;
  stk.guard_hi = (uintptr_t)stack + STACK_GUARD;
  stk.exhausted = 0;
  stk.nframes = 0;
  stk.walk_fp = g->m->loaded_tier == WT_RT_TIER_FAST;
  stk.thread = pthread_self(); /* before any guest code can fault */
  /* The fast tier's backtraces walk frame pointers within it. */
  g->m->glue->set_stack(stack + STACK_GUARD, STACK_SIZE);
  /* Host calls need STACK_RESERVE bytes below the guest's frames. */
  g->abi->stack_floor = stk.guard_hi + STACK_RESERVE;
  g->abi->exhausted = exhausted_in_call;
  if (sigaltstack(&ss, &old_ss) != 0)
    return errno;
  if (sigaction(SIGSEGV, &sa, &stk.old_segv) != 0)
    rc = errno;
  if (rc == 0) {
    stk.abi = g->abi;
    rc = switch_to_guest(g, stack);
    stk.abi = NULL;
    sigaction(SIGSEGV, &stk.old_segv, NULL);
  }
  sigaltstack(&old_ss, NULL);
  return rc;
}

/* Runs the guest on a stack of its own (see the top of the file). */
static wt_rt_status_t run_on_stack(guest_run_t *g, char *err, size_t size) {
  uint8_t *stack = stack_map();
  int rc = ENOMEM;
  g->alt = malloc(ALT_STACK_SIZE);
  if (stack != NULL && g->alt != NULL)
    rc = run_switched(g, stack);
  if (stack != NULL)
    munmap(stack, STACK_GUARD + STACK_SIZE);
  free(g->alt);
  if (rc != 0)
    return wt__rt_fail(WT_RT_ETOOL, err, size,
                       "cannot start the guest on a stack of its own: %s",
                       strerror(rc));
  return WT_RT_OK;
}

wt_rt_status_t wt_module_run(wt_module_t *m, const wt_api_t *api, void *ctx,
                             wt_rt_result_t *res, char *err, size_t size) {
  sigjmp_buf jb;
  wt_abi_t abi;
  guest_run_t g;
  wt_rt_status_t st;
  void *warm[1];
  memset(res, 0, sizeof *res);
  if (m->abi != NULL)
    return wt__rt_fail(WT_RT_ETOOL, err, size, "the module is already running");
  g.inst = calloc(1, m->glue->instance_size);
  if (g.inst == NULL)
    return wt__rt_fail(WT_RT_ETOOL, err, size, "out of memory");
  /* Loads the unwinder outside a signal handler (exhausted()). */
  backtrace(warm, 1);
  /* The memory's address is fixed inside the instance before it exists. */
  wt_abi_init(&abi, api, ctx, m->glue->memory(g.inst), &jb);
  g.m = m;
  g.abi = &abi;
  g.jb = &jb;
  g.res = res;
  m->abi = &abi;
  m->inst = g.inst;
  m->sig_call = NULL;
  m->sig_running = false;
  m->sig_pending = 0;
  st = run_on_stack(&g, err, size);
  if (st == WT_RT_OK && res->end == WT_RT_END_TRAP &&
      res->trap == (wt_trap_t)WT__TRAP_MEMORY_LIMIT) {
    memset(res, 0, sizeof *res);
    st = wt__rt_fail(WT_RT_EMODULE, err, size,
                     "the module's memory starts at 65536 pages (4 GiB); at "
                     "most 65535 are supported (wasm2c 1.0.32 keeps the size "
                     "in 32 bits)");
  }
  m->abi = NULL;
  m->inst = NULL;
  m->sig_call = NULL;
  if (st == WT_RT_OK)
    m->glue->free(g.inst);
  free(g.inst);
  return st;
}
