/*
 * Runtime internals shared by the files of runtime/. Not a public header.
 */
#ifndef WT_RT_INTERNAL_H
#define WT_RT_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wt/runtime.h"
#include "wt/sha256.h"

/* ---- wasm.c: the module reader ---------------------------------------- */

#define WT__WASM_EXTERN_FUNC 0
#define WT__WASM_EXTERN_TABLE 1
#define WT__WASM_EXTERN_MEMORY 2
#define WT__WASM_EXTERN_GLOBAL 3
#define WT__WASM_EXTERN_TAG 4

/* Names and value types point into the module bytes (not NUL-terminated). */
typedef struct wt__wasm_name_s {
  const uint8_t *p;
  uint32_t len;
} wt__wasm_name_t;

typedef struct wt__wasm_functype_s {
  wt__wasm_name_t params; /* one value-type byte each */
  wt__wasm_name_t results;
} wt__wasm_functype_t;

typedef struct wt__wasm_import_s {
  wt__wasm_name_t module;
  wt__wasm_name_t name;
  uint8_t kind;  /* WT__WASM_EXTERN_* */
  uint32_t type; /* functions: type index */
} wt__wasm_import_t;

typedef struct wt__wasm_export_s {
  wt__wasm_name_t name;
  /* The name wasm2c is given: `name` itself, or a C-safe replacement
   * chosen by wt__wasm_rewrite (pointing into info->c_names). */
  wt__wasm_name_t c_name;
  uint8_t kind;   /* WT__WASM_EXTERN_* */
  uint32_t index; /* in the index space of its kind */
} wt__wasm_export_t;

/* A function's name from the custom section "name" (not validated). */
typedef struct wt__wasm_fname_s {
  uint32_t index; /* in the function index space (imports first) */
  wt__wasm_name_t name;
} wt__wasm_fname_t;

typedef struct wt__wasm_info_s {
  uint32_t ntypes;
  wt__wasm_functype_t *types;
  uint32_t nimports;
  wt__wasm_import_t *imports;
  uint32_t nimported_funcs;
  uint32_t nfuncs;      /* defined (not imported) functions */
  uint32_t *func_types; /* type index of each defined function */
  uint32_t nexports;
  wt__wasm_export_t *exports;
  bool has_start;      /* exports a function "_start" */
  uint32_t start_func; /* its function index */
  bool has_memory;     /* exports a memory "memory" */
  char *c_names;       /* storage of replacement export names */
  uint32_t nfnames;    /* function names, by increasing index */
  wt__wasm_fname_t *fnames;
} wt__wasm_info_t;

/*
 * Reads the sections of a module that the runtime needs. Never reads
 * outside [bytes, bytes + len). On failure fills err and returns false;
 * *info then owns nothing. Release with wt__wasm_info_free.
 */
bool wt__wasm_parse(const uint8_t *bytes, size_t len, wt__wasm_info_t *info,
                    char *err, size_t err_size);
void wt__wasm_info_free(wt__wasm_info_t *info);
/* The name section's name of function `index`, or NULL. */
const wt__wasm_name_t *wt__wasm_func_name(const wt__wasm_info_t *info,
                                          uint32_t index);

/*
 * wasm_features.c: false, with "the module uses the tail-call proposal
 * (...), which this runtime does not support" in err, when the module
 * [bytes, bytes + len) uses a proposal wasm2c 1.0.32 cannot translate
 * (tail calls, SIMD, threads, exceptions, typed references, GC,
 * multi-memory). True when none is found, malformed input included.
 */
bool wt__wasm_features_check(const uint8_t *bytes, size_t len, char *err,
                             size_t err_size);

/*
 * The type of function `func` (imported functions first, then defined
 * ones), or NULL when no function has that index.
 */
const wt__wasm_functype_t *wt__wasm_func_type(const wt__wasm_info_t *info,
                                              uint32_t func);

/* "(i32, i64) -> i32" for a type, into buf. */
void wt__wasm_sig_string(const wt__wasm_functype_t *t, char *buf, size_t size);

/* ---- wasm_rewrite.c, csafe.c: nothing of the module reaches C -------- */

/* True for a name wasm2c can echo anywhere: [A-Za-z0-9_]+. */
bool wt__wasm_safe_name(const uint8_t *p, uint32_t len);

/*
 * The module as wasm2c is given it (malloc'd into *out, *out_len): exports
 * whose names are not C identifiers renamed (each export's c_name says
 * how), custom sections other than "name" dropped. `info` must be the
 * parse of `bytes`.
 */
wt_rt_status_t wt__wasm_rewrite(const uint8_t *bytes, size_t len,
                                wt__wasm_info_t *info, uint8_t **out,
                                size_t *out_len, char *err, size_t err_size);

/*
 * Checks C text that wasm2c generated from a rewritten module: only
 * printable ASCII, no trigraphs, and every comment one that wasm2c 1.0.32
 * writes, with nothing but identifiers where it echoes names. Injected
 * code must first end a comment or string early, which leaves a comment
 * no template matches. On failure says where and why in err.
 */
bool wt__c_check(const char *text, size_t len, char *err, size_t err_size);

/* ---- imports.c: what the ABI provides --------------------------------- */

/* The provided import `module`.`name` (not NUL-terminated), or NULL. */
const wt_rt_import_t *wt__import_find(const wt__wasm_name_t *module,
                                      const wt__wasm_name_t *name);

/*
 * Checks every import of `info` against the table. On failure writes the
 * list of unknown or mistyped imports to err and returns false.
 */
bool wt__imports_check(const wt__wasm_info_t *info, char *err, size_t err_size);

/* True when the module imports anything from `module`. */
bool wt__imports_use(const wt__wasm_info_t *info, const char *module);

/*
 * The numbering dialect (WT_ABI_PREVIEW1, WT_ABI_WASIX: abi.h) of the
 * module the guest imports the function `name` from; WT_ABI_PREVIEW1 when
 * it does not import it.
 */
int wt__import_dialect(const wt__wasm_info_t *info, const char *name);

/* ---- glue.c: the per-guest C file ------------------------------------- */

/*
 * The table the glue exports as the symbol `wt_glue`. Written once, used
 * both as C here and, stringified, in the generated glue file, so the two
 * sides cannot drift apart.
 *
 * exports: every exported function, by its wasm name (any bytes, not
 * NUL-terminated); call_i32 calls it on an instance when its type is
 * (i32) -> (), the type of a signal callback, else it is NULL.
 */
#define WT__GLUE_EXPORT_FIELDS                                                 \
  const char *name;                                                            \
  uint32_t name_len;                                                           \
  void (*call_i32)(void *inst, uint32_t arg);

typedef struct wt__glue_export_s {
  WT__GLUE_EXPORT_FIELDS
} wt__glue_export_t;

#define WT__GLUE_FIELDS                                                        \
  unsigned version;                                                            \
  unsigned long instance_size;                                                 \
  int guard_pages;                                                             \
  void (*open)(void);                                                          \
  void (*close)(void);                                                         \
  int (*instantiate)(void *inst, void *abi);                                   \
  int (*start)(void *inst);                                                    \
  void *(*memory)(void *inst);                                                 \
  void (*free)(void *inst);                                                    \
  void (*unwound)(void);                                                       \
  int (*trap_frames)(void ***frames);                                          \
  const wt__glue_export_t *exports;                                            \
  uint32_t nexports;                                                           \
  void (*set_stack)(void *lo, unsigned long size);

typedef struct wt__glue_s {
  WT__GLUE_FIELDS
} wt__glue_t;

/* Bumped whenever the glue's text changes (it is part of the cache key). */
#define WT__GLUE_VERSION 3u

/* Adds the glue's template text to a hash (the cache key). */
void wt__glue_hash(wt_sha256_t *s);

/* Writes the glue C file for `info` to `path`. */
bool wt__glue_write(const char *path, const wt__wasm_info_t *info,
                    const char *rt_impl, char *err, size_t err_size);

/* ---- csplit.c: wasm2c's translation unit cut into parts --------------- */

#define WT__C_SPLIT_MAX_PARTS 64u

/*
 * The cut: `header` is split.h, which every part includes; parts[0] holds
 * everything but the function bodies moved to parts[1..nparts-1]. All
 * malloc'd; release with wt__c_split_free.
 */
typedef struct wt__c_split_s {
  char *header;
  size_t header_len;
  unsigned nparts;
  char **parts;
  size_t *part_lens;
} wt__c_split_t;

/*
 * Cuts wasm2c 1.0.32's output `text` into parts whose function bodies
 * total about `part_bytes` each (two parts from a quarter of that). False,
 * with *out empty, when the text is too small to be worth cutting or not
 * laid out as wasm2c 1.0.32 writes it: the caller compiles it whole.
 */
bool wt__c_split(const char *text, size_t len, size_t part_bytes,
                 wt__c_split_t *out);
void wt__c_split_free(wt__c_split_t *s);

/* ---- compile.c -------------------------------------------------------- */

/* A module being loaded: its bytes and their parse. */
typedef struct wt__src_s {
  const uint8_t *bytes;
  size_t len;
  wt__wasm_info_t *info;
} wt__src_t;

typedef struct wt__build_s {
  const uint8_t *wasm; /* the module's bytes */
  size_t wasm_len;
  wt__wasm_info_t *info; /* their parse; the rewrite sets export c_names */
  const char *dir;       /* a private directory for the work files */
  const char *out_so;    /* where the shared object goes */
  const char *cc;  /* the optimised tier's compiler */
  const char *tcc; /* the fast tier's */
  const char *wasm2c;
  wt_rt_tier_t tier; /* WT_RT_TIER_FAST or _OPTIMIZED */
  bool reuse_c;      /* dir already holds guest.c, guest.h and glue.c */
  char opt_level;
  bool guard_pages;
  uint32_t call_depth; /* wasm calls that may nest */
  unsigned timeout_s;  /* per tool; 0: none */
  wt_rt_progress_fn progress;
  void *progress_ud;
  double translate_ms, compile_ms; /* out */
  int interrupted; /* out: the signal that stopped the build, or 0 */
} wt__build_t;

/* Adds a tier's compiler flags (and prelude) to a cache key. */
void wt__build_flags(wt_rt_tier_t tier, char opt_level, bool guard_pages,
                     uint32_t depth, wt_sha256_t *key);

/*
 * Runs wasm2c and the C compiler. Returns WT_RT_EMODULE when wasm2c
 * rejects the module, WT_RT_ETOOL for anything else that fails.
 */
wt_rt_status_t wt__build(wt__build_t *b, char *err, size_t err_size);

/* The wasm2c runtime source compiled into every guest (configure-time). */
const char *wt__rt_impl_path(void);

/* ---- cache.c ---------------------------------------------------------- */

/*
 * Identifies a program for the cache key: its resolved path, size and
 * mtime. False when `prog` is not found in PATH.
 */
bool wt__program_id(const char *prog, char *buf, size_t size);

/*
 * The cache holds code this process loads, so, as ssh does with its files,
 * it is trusted only when nobody else can write it: `dir` and each of its
 * ancestors owned by this user or root and writable by no one else (an
 * ancestor may be world-writable with the sticky bit, as /tmp is), and
 * `so`, if it exists, a regular file of this user's writable by no one
 * else. Otherwise says which path is wrong and how to fix it.
 */
wt_rt_status_t wt__cache_trusted(const char *dir, const char *so, char *err,
                                 size_t err_size);

/*
 * Cache entry notes, beside DIR/KEY.so: KEY.info says what it is (for
 * `cache ls`), KEY.failed why its background build failed.
 */
void wt__cache_note(const char *so, const char *tier, const uint8_t sha[32]);
void wt__cache_failed(const char *so, const char *why);
bool wt__cache_has_failed(const char *so);

/* mkdir -p with mode 0700. */
bool wt__mkdirs(const char *path);
/* rm -r (best effort). */
void wt__rmtree(const char *path);

/* ---- symbols.c, names.c: naming a trap's frames ---------------------- */

#define WT__SYM_SIZE 128

/*
 * The symbol (function) of the loaded shared object `so_path`, mapped at
 * `base`, that contains each of the n addresses pcs[i], into syms[i] (""
 * for none). Returns false when the object has no symbol table (TinyCC
 * writes none without -g) or cannot be read.
 */
bool wt__so_symbols(const char *so_path, uintptr_t base, const uintptr_t *pcs,
                    int n, char (*syms)[WT__SYM_SIZE]);

/*
 * What names a module's functions after it is loaded: the name section's
 * names (printable ASCII; anything else is shown as '?') and the function
 * exports, whose entry points (Z_guestZ_<name>) the compiler may inline a
 * function into. One block, freed with wt__names_free.
 */
typedef struct wt__names_s {
  uint32_t n, nexports;
  uint32_t *index;  /* n function indices (increasing), then nexports */
  uint32_t *offset; /* into text, likewise */
  char *text;
} wt__names_t;

bool wt__names_init(wt__names_t *names, const wt__wasm_info_t *info);
void wt__names_free(wt__names_t *names);
/* The wasm function index behind a C symbol of the guest (w2c_f<N>, or
 * an export's entry point); false for other symbols. */
bool wt__names_function(const wt__names_t *names, const char *sym,
                        uint32_t *index);
/* The function's name: the name section's, else an export's, else
 * "func[N]". */
void wt__names_name(const wt__names_t *names, uint32_t index, char *buf,
                    size_t size);

/* ---- module.c / run.c ------------------------------------------------- */

#define WT__PATH_SIZE 4096

struct wt_abi_s;

struct wt_module_s {
  char opt_level;
  bool guard_pages;
  uint32_t call_depth;
  bool no_cache;
  char *cache_dir; /* NULL: the default */
  wt_rt_tier_t tier;        /* asked for */
  wt_rt_tier_t loaded_tier; /* what runs */
  bool background;          /* an optimised build was started for later */
  char *cc;
  char *tcc;
  char *wasm2c;
  uint8_t sha256[32];
  char so_path[WT__PATH_SIZE];
  wt__names_t names; /* the functions' names, for a trap's backtrace */
  char tmp_dir[WT__PATH_SIZE]; /* removed at close; "" for none */
  void *dl;
  const wt__glue_t *glue;
  uintptr_t base;       /* load address of the shared object */
  struct wt_abi_s *abi; /* the run in progress, for the exit hooks */
  void *inst;           /* its wasm2c instance */
  /*
   * Signals: the guest's registered callback (NULL: none; reset at every
   * run), and the numbering it expects, that of the module it imported
   * callback_signal from.
   */
  void (*sig_call)(void *inst, uint32_t sig);
  int sig_dialect;
  /* In the callback: signals delivered meanwhile wait here (bit = sig). */
  bool sig_running;
  uint32_t sig_pending;
  bool cache_hit;
  double translate_ms, compile_ms, load_ms;
  unsigned compile_timeout_s;
  wt_rt_progress_fn progress;
  void *progress_ud;
  int interrupted; /* a build stopped by this signal */
};

/* Loads m->so_path and its glue (module.c). */
wt_rt_status_t wt__module_open(wt_module_t *m, char *err, size_t size);

/*
 * Finds the module's shared object in the cache, or builds it, at the
 * tier m->tier asks for, and opens it (tiers.c).
 */
wt_rt_status_t wt__module_obtain(wt_module_t *m, const wt__src_t *src,
                                 char *err, size_t size);

/* ---- util ------------------------------------------------------------- */

/* snprintf into err (err may be NULL); returns the status for chaining. */
wt_rt_status_t wt__rt_fail(wt_rt_status_t st, char *err, size_t size,
                           const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * snprintf for paths and other text that must not be cut: false (and an
 * empty buf) when the result does not fit.
 */
bool wt__strf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * A growing byte buffer, kept NUL-terminated (so it also serves as text);
 * `oom` sticks after a failed allocation and later puts do nothing. Zero
 * it to start; the caller frees p.
 */
typedef struct wt__buf_s {
  char *p;
  size_t len, cap;
  bool oom;
} wt__buf_t;

void wt__buf_put(wt__buf_t *b, const void *data, size_t n);

/* Milliseconds of CLOCK_MONOTONIC. */
double wt__now_ms(void);

#endif /* WT_RT_INTERNAL_H */
