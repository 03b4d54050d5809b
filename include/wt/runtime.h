/*
 * wasitrace runtime: turns a .wasm file into a loaded, runnable guest.
 *
 * wt_module_load() reads and checks the module (imports, _start), translates
 * it with wasm2c, compiles it with the system C compiler into a shared
 * object (cached under $XDG_CACHE_HOME/wasitrace), and dlopens it.
 * wt_module_run() instantiates it and runs _start, routing every host call
 * through a caller-supplied `const wt_api_t *` and context: the core, or a
 * tracer / policy / replay layer stacked over it.
 *
 * The executable that embeds the runtime must export its dynamic symbols
 * (link with -rdynamic, CMake ENABLE_EXPORTS): the guest's shared object
 * resolves its imports (Z_wasi_snapshot_preview1Z_fd_write, ...) from it.
 *
 * Not thread-safe: wasm2c's trap handling uses process-wide state, so one
 * guest runs at a time in a process.
 */
#ifndef WT_RUNTIME_H
#define WT_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Outcome of a runtime call (not of the guest: see wt_rt_result_t). */
typedef enum wt_rt_status_e {
  WT_RT_OK = 0,
  /* wasitrace itself failed: missing file, compiler, cache, memory. */
  WT_RT_ETOOL = 1,
  /*
   * The module cannot run: not WebAssembly, truncated or malformed, an
   * unsupported feature, unknown imports, no _start.
   */
  WT_RT_EMODULE = 2
} wt_rt_status_t;

/* How guest memory accesses are checked. Part of the compile-cache key. */
typedef enum wt_rt_memcheck_e {
  /* Guard pages on 64-bit hosts; bounds checks in sanitizer builds. */
  WT_RT_MEMCHECK_DEFAULT = 0,
  /* 8 GiB PROT_NONE reservation per memory + SIGSEGV handler. Fastest. */
  WT_RT_MEMCHECK_GUARD = 1,
  /* An explicit check on every load and store. */
  WT_RT_MEMCHECK_BOUNDS = 2
} wt_rt_memcheck_t;

/* A build step's progress, for wt_rt_config_t.progress. */
typedef struct wt_rt_progress_s {
  const char *step;    /* "translating" (wasm2c) or "compiling" (cc) */
  const char *tool;    /* the program running */
  double seconds;      /* since the step started */
  bool done;           /* the step has ended (the last call for it) */
  uint32_t functions;  /* the module's defined functions */
  size_t module_bytes; /* the module's size */
} wt_rt_progress_t;

typedef void (*wt_rt_progress_fn)(void *ud, const wt_rt_progress_t *p);

/*
 * How a module is compiled (docs/cli.md, "Compile tiers"). Both tiers run
 * the same glue and ABI: output, traps and traces do not depend on it.
 */
typedef enum wt_rt_tier_e {
  /* The C compiler at opt_level, waited for (the library's default). */
  WT_RT_TIER_OPTIMIZED = 0,
  /* TinyCC: compiles tens of times faster, its code runs 6-10x slower. */
  WT_RT_TIER_FAST = 1,
  /* The optimised build if cached; else the fast one now, and the
   * optimised one built in the background for the next run. */
  WT_RT_TIER_AUTO = 2
} wt_rt_tier_t;

typedef struct wt_rt_config_s {
  /* C optimisation level for the guest: '0', '1', '2', '3', 's'; 0: default. */
  char opt_level;
  wt_rt_memcheck_t memcheck;
  /*
   * How deeply wasm calls may nest before the guest traps with "call stack
   * exhausted" (the same in both memory modes); 0: the default. A guest
   * whose frames are large runs out of its stack (256 MiB) sooner, with
   * the same trap.
   */
  uint32_t max_call_depth;
  /* Compile into a temporary directory removed at wt_module_close. */
  bool no_cache;
  /* NULL: $XDG_CACHE_HOME/wasitrace, else ~/.cache/wasitrace. */
  const char *cache_dir;
  wt_rt_tier_t tier;
  /* Programs, looked up in PATH. NULL: "cc", "tcc" and "wasm2c". */
  const char *cc;
  const char *tcc;
  const char *wasm2c;
  /*
   * Seconds wasm2c, and then the C compiler, may each take before the
   * build is abandoned (WT_RT_EMODULE: the module is too large to build).
   * 0: WT_RT_DEFAULT_COMPILE_TIMEOUT; WT_RT_NO_TIMEOUT: none.
   */
  unsigned compile_timeout_s;
  /* Called about once a second while a build step has run for over a
   * second, and once more when it ends (NULL: silent). */
  wt_rt_progress_fn progress;
  void *progress_ud;
} wt_rt_config_t;

#define WT_RT_DEFAULT_COMPILE_TIMEOUT 600u
#define WT_RT_DEFAULT_CALL_DEPTH 100000u
#define WT_RT_NO_TIMEOUT 0xffffffffu

/* The default optimisation level (see docs/cli.md for the measurement). */
#define WT_RT_DEFAULT_OPT_LEVEL '1'

/* Fills `cfg` with defaults. */
void wt_rt_config_init(wt_rt_config_t *cfg);

typedef struct wt_module_s wt_module_t;

/*
 * Loads the module at `path`: reads and checks it, then finds its compiled
 * form in the cache or builds it, and dlopens it. On failure returns
 * WT_RT_ETOOL or WT_RT_EMODULE and writes a one-paragraph message (no
 * trailing newline, no "wasitrace:" prefix) to err. *out is owned by the
 * caller: release it with wt_module_close. `cfg` may be NULL (defaults);
 * its strings are copied.
 */
wt_rt_status_t wt_module_load(const char *path, const wt_rt_config_t *cfg,
                              wt_module_t **out, char *err, size_t err_size);

/* Unloads the module and removes its temporary directory (--no-cache). */
void wt_module_close(wt_module_t *m);

/* Facts about a loaded module, for logs and trace headers. */
typedef struct wt_module_info_s {
  uint8_t sha256[32];  /* of the module's bytes */
  bool cache_hit;      /* the shared object came from the cache */
  double translate_ms; /* wasm2c (0 on a cache hit) */
  double compile_ms;   /* C compiler (0 on a cache hit) */
  double load_ms;      /* from wt_module_load's start to its return */
  const char *so_path; /* the shared object; valid until close */
  bool guard_pages;    /* memory checked by guard pages, else bounds checks */
  wt_rt_tier_t tier;   /* the tier that runs: FAST or OPTIMIZED */
  bool background;     /* an optimised build was started for later runs */
} wt_module_info_t;

void wt_module_info(const wt_module_t *m, wt_module_info_t *info);

/* Traps, numbered as wasm2c 1.0.32 numbers them. */
typedef enum wt_trap_e {
  WT_TRAP_NONE = 0,
  WT_TRAP_OOB = 1,
  WT_TRAP_INT_OVERFLOW = 2,
  WT_TRAP_DIV_BY_ZERO = 3,
  WT_TRAP_INVALID_CONVERSION = 4,
  WT_TRAP_UNREACHABLE = 5,
  WT_TRAP_CALL_INDIRECT = 6,
  WT_TRAP_UNCAUGHT_EXCEPTION = 7,
  WT_TRAP_EXHAUSTION = 8
} wt_trap_t;

/* "out of bounds memory access", ...; "unknown trap" for other values. */
const char *wt_trap_string(wt_trap_t trap);

typedef enum wt_rt_end_e {
  WT_RT_END_EXIT = 0,  /* proc_exit, or _start returned (code 0) */
  WT_RT_END_TRAP = 1,  /* a WebAssembly trap */
  WT_RT_END_SIGNAL = 2, /* proc_raise with a terminating signal */
  WT_RT_END_HALTED = 3  /* a layer halted the guest (wt_rt_halt) */
} wt_rt_end_t;

/* A frame of a trap's wasm backtrace. */
#define WT_RT_MAX_FRAMES 32
typedef struct wt_rt_frame_s {
  uint32_t func; /* wasm function index (imported functions first) */
  char name[96]; /* the name section's name, an export's, or "func[N]" */
} wt_rt_frame_t;

typedef struct wt_rt_result_s {
  wt_rt_end_t end;
  uint32_t exit_code; /* END_EXIT */
  wt_trap_t trap;     /* END_TRAP */
  bool trap_in_init;  /* the trap happened while instantiating */
  char function[128]; /* END_TRAP: wasm function name, "" if unknown */
  /*
   * END_TRAP: the wasm backtrace, innermost frame first; frames_more when
   * it had more frames than fit. frames_unavailable when the compiled guest
   * has no symbols to find its functions by (nframes is then 0).
   */
  uint32_t nframes;
  bool frames_more;
  bool frames_unavailable;
  wt_rt_frame_t frames[WT_RT_MAX_FRAMES];
  uint8_t signal;     /* END_SIGNAL: preview1 signal number */
} wt_rt_result_t;

/*
 * Instantiates the module and runs _start with every host call going to
 * `api` with context `ctx`. Returns WT_RT_OK when the guest ran (however it
 * ended: see *res) and WT_RT_ETOOL when it could not be started (message in
 * err). A module can be run more than once, each run in a fresh instance.
 *
 * For proc_exit / proc_raise to end the run, the core instance behind the
 * stack should be created with options.proc_exit = wt_rt_proc_exit and
 * options.proc_raise = wt_rt_proc_raise, both with `m` as their ud. The
 * hooks only note the request; the ABI layer unwinds once the call has
 * returned through every layer, so tracers see the call complete. A
 * proc_exit that returns without the hook still ends the run.
 *
 * For WASIX signal handlers, also set options.signal_register =
 * wt_rt_signal_register and options.signal_handler = wt_rt_signal_handler,
 * with options.signal_ud = m.
 */
wt_rt_status_t wt_module_run(wt_module_t *m, const wt_api_t *api, void *ctx,
                             wt_rt_result_t *res, char *err, size_t err_size);

/* Hooks for wt_options_t.proc_exit / proc_raise (ud: the wt_module_t*). */
void wt_rt_proc_exit(void *ud, uint32_t code);
void wt_rt_proc_raise(void *ud, uint8_t sig);
/*
 * Halts the guest (ud: the wt_module_t*) once the host call in progress
 * returns, through the same unwind as proc_exit: the run ends with
 * WT_RT_END_HALTED. For a layer that must not let the guest go on (a
 * tracer that can no longer record). Call it from the guest's thread,
 * during a host call; outside a run it does nothing.
 */
void wt_rt_halt(void *ud);

/*
 * Hooks for wt_options_t.signal_register / signal_handler (ud: the
 * wt_module_t*). They use the module and its run in progress only, never
 * a core instance, so a replay layer can call them itself to register a
 * callback and re-deliver a recorded signal.
 *
 * wt_rt_signal_register makes the guest's exported function `name` (len
 * bytes, not NUL-terminated) its signal callback for the rest of the run
 * (callback_signal). Returns WT_ESUCCESS, WT_ENOENT when the module exports
 * no function of that name, WT_EINVAL when its type is not (i32) -> ().
 * Every run starts without a callback.
 *
 * wt_rt_signal_handler calls the callback with the preview1 signal `sig`
 * in the guest's numbering: WASIX (Linux) numbers when the guest imports
 * callback_signal from wasix_32v1 (wt_signal_to_wasix), preview1 otherwise.
 * It runs guest code on the instance of the run in progress, synchronously:
 * host calls it makes nest inside the current one, a trap in it ends the
 * run as a trap, a proc_exit in it ends the run (the hook then does not
 * return). A signal delivered while the callback runs is held until it
 * returns (coalesced, lowest number first), as Linux blocks a signal
 * during its handler. Does nothing outside a run or with no callback
 * registered.
 */
wt_errno_t wt_rt_signal_register(void *ud, const char *name, uint32_t len);
void wt_rt_signal_handler(void *ud, uint8_t sig);

/* The host signal number for a preview1 signal, or 0 if none. */
int wt_rt_host_signal(uint8_t wasi_sig);

/*
 * The compile cache directory for `cfg` (may be NULL) into buf. Returns
 * false (and an empty string) when neither XDG_CACHE_HOME nor HOME is set.
 */
bool wt_rt_cache_dir(const wt_rt_config_t *cfg, char *buf, size_t size);

/*
 * Removes every compiled module and leftover temporary directory from the
 * cache. *removed (may be NULL) receives the number of entries removed.
 */
wt_rt_status_t wt_rt_cache_clear(const wt_rt_config_t *cfg, unsigned *removed,
                                 char *err, size_t err_size);

/* One compiled module in the cache (wt_rt_cache_list). */
typedef struct wt_rt_cache_entry_s {
  char key[65];    /* the cache key, hex: the file is KEY.so */
  char tier[16];   /* "fast" or "optimized" ("" for older entries) */
  char module[65]; /* the module's SHA-256, hex ("" for older entries) */
  uint64_t bytes;  /* the shared object's size */
  int64_t used;    /* last built or loaded, seconds since the epoch */
} wt_rt_cache_entry_t;

/*
 * The compiled modules in the cache, least recently used first, in a
 * malloc'd array the caller frees.
 */
wt_rt_status_t wt_rt_cache_list(const wt_rt_config_t *cfg,
                                wt_rt_cache_entry_t **entries, size_t *n,
                                char *err, size_t err_size);

/*
 * Evicts least recently used modules until the cache holds at most
 * max_bytes of them. Every new entry runs this with wt_rt_cache_max().
 */
wt_rt_status_t wt_rt_cache_gc(const wt_rt_config_t *cfg, uint64_t max_bytes,
                              unsigned *removed, uint64_t *freed, char *err,
                              size_t err_size);

/* The cache's size cap: $WASITRACE_CACHE_MAX (bytes, or with a K, M or G
 * suffix), else WT_RT_CACHE_DEFAULT_MAX. */
#define WT_RT_CACHE_DEFAULT_MAX (2ull << 30)
uint64_t wt_rt_cache_max(void);

/* A size such as "4096", "512K", "500M" or "2G"; false when it is not. */
bool wt_rt_parse_size(const char *s, uint64_t *out);

/* The imports the runtime provides: module, name, wasm signature. */
typedef struct wt_rt_import_s {
  const char *module;
  const char *name;
  /* One character per parameter / result: 'i' i32, 'I' i64. */
  const char *params;
  const char *results;
} wt_rt_import_t;

/* The i-th import (NULL past the end). */
const wt_rt_import_t *wt_rt_import(size_t i);

#ifdef __cplusplus
}
#endif

#endif /* WT_RUNTIME_H */
