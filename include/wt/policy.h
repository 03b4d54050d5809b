/*
 * wasitrace policy: a rule set checked before the host acts, and the
 * wt_api_t layer that enforces it.
 *
 * A policy says which guest paths may be read, written, created, ... (path
 * rules with compiled globs, per-preopen modes), which calls or families of
 * core/calls.def may be made, which environment variables the guest sees,
 * and limits (open fds, bytes written and read, files created). Once a
 * policy exists the file system is deny-by-default: only what a rule or a
 * preopen's mode grants is allowed, and a deny rule always wins. Each rule
 * and the whole policy are in `enforce` mode (a denied call does nothing on
 * the host and fails) or `complain` mode (it goes through and the would-be
 * denial is logged). The file format is docs/policy.md.
 *
 * Paths are judged by the core's guard (core.h) after the core's own
 * resolution, as guest-visible absolute paths; the layer installs it.
 *
 * Errors: functions returning int give 0 or -1 with a message in err
 * (NUL-terminated, cut to err_size); the caller owns what it passes.
 */
#ifndef WT_POLICY_H
#define WT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WT_POLICY_VERSION 1

#define WT_POLICY_ENFORCE 0
#define WT_POLICY_COMPLAIN 1

/* A preopen's mode. */
#define WT_POLICY_PREOPEN_NONE 0
#define WT_POLICY_PREOPEN_READ_ONLY 1
#define WT_POLICY_PREOPEN_READ_WRITE 2

/* The operations of --allow-read and --allow-write. */
#define WT_POLICY_READ_OPS                                                     \
  (WT_PATH_OP_READ | WT_PATH_OP_STAT | WT_PATH_OP_LIST | WT_PATH_OP_READLINK)
#define WT_POLICY_WRITE_OPS                                                    \
  (WT_PATH_OP_WRITE | WT_PATH_OP_CREATE | WT_PATH_OP_DELETE |                 \
   WT_PATH_OP_RENAME | WT_PATH_OP_LINK | WT_PATH_OP_SYMLINK)
#define WT_POLICY_ALL_OPS ((1u << WT_PATH_OP_COUNT) - 1)

/* Limits, XX(NAME, "json key", errno when exceeded). */
#define WT_POLICY_LIMIT_MAP(XX)                                                \
  XX(OPEN_FDS, "open_fds", WT_EMFILE)                                          \
  XX(BYTES_WRITTEN, "bytes_written", WT_EDQUOT)                                \
  XX(BYTES_WRITTEN_PER_FILE, "bytes_written_per_file", WT_EDQUOT)              \
  XX(FILES_CREATED, "files_created", WT_EDQUOT)                                \
  XX(BYTES_READ, "bytes_read", WT_EDQUOT)

typedef enum wt_policy_limit_e {
#define XX(name, key, err) WT_POLICY_LIMIT_##name,
  WT_POLICY_LIMIT_MAP(XX)
#undef XX
      WT_POLICY_LIMIT_COUNT
} wt_policy_limit_t;

typedef struct wt_policy_s wt_policy_t;

/* An empty policy (deny-by-default for paths, everything else allowed). */
int wt_policy_new(wt_policy_t **out);
void wt_policy_free(wt_policy_t *p);

/*
 * Adds the rules of a policy file (docs/policy.md) or text; `name` names it
 * in messages. Strict: bad JSON (with line and column), an unknown key, a
 * wrong type, a bad glob, an unknown call, family, operation or mode, and
 * contradictions are refused, naming the JSON path and the value.
 */
int wt_policy_load_file(wt_policy_t *p, const char *path, char *err,
                        size_t err_size);
int wt_policy_load_text(wt_policy_t *p, const char *text, size_t len,
                        const char *name, char *err, size_t err_size);

/*
 * Built from C (the command line's shorthands). `text` is how the rule is
 * named in denials ("--allow-read=/data"); ops are WT_PATH_OP_* bits. A
 * glob is absolute; "**" is a whole component and crosses directories
 * ("/a" then a "**" component is /a and everything below it).
 */
int wt_policy_add_path_rule(wt_policy_t *p, bool deny, const char *glob,
                            unsigned ops, int mode, const char *text,
                            char *err, size_t err_size);
/* A call name or family of core/calls.def. */
int wt_policy_deny_call(wt_policy_t *p, const char *name, const char *text,
                        char *err, size_t err_size);
int wt_policy_set_preopen(wt_policy_t *p, const char *guest_path, int mode,
                          char *err, size_t err_size);
void wt_policy_set_mode(wt_policy_t *p, int mode);
void wt_policy_set_limit(wt_policy_t *p, wt_policy_limit_t which,
                         uint64_t value);

/*
 * Checks the whole (contradictions between rules of different sources)
 * and compiles the path rules. Call once after the last addition.
 */
int wt_policy_finish(wt_policy_t *p, char *err, size_t err_size);

/* ---- decisions (also used offline by `wasitrace audit --policy`) -------- */

typedef struct wt_policy_verdict_s {
  bool denied;       /* a rule (or the default) refuses it */
  bool would;        /* ... in complain mode: it goes through anyway */
  int32_t rule;      /* index of the rule in the policy, -1: the default */
  const char *text;  /* the rule as written, or the default's reason */
  unsigned op;       /* the WT_PATH_OP_* refused (path verdicts) */
  wt_errno_t err;    /* what the guest gets when enforced */
} wt_policy_verdict_t;

/* May `ops` be done on the guest-visible absolute path `path`? */
void wt_policy_check_path(const wt_policy_t *p, const char *path,
                          unsigned ops, wt_policy_verdict_t *v);
/* May call `call` (wt_call_id_t) be made at all? */
void wt_policy_check_call(const wt_policy_t *p, unsigned call,
                          wt_policy_verdict_t *v);
/* May the guest see environment variable NAME (len bytes)? */
void wt_policy_check_env(const wt_policy_t *p, const char *name, size_t len,
                         wt_policy_verdict_t *v);
/* The limit, or UINT64_MAX when none. */
uint64_t wt_policy_limit(const wt_policy_t *p, wt_policy_limit_t which);
const char *wt_policy_limit_name(unsigned which);
/* The global mode. */
int wt_policy_mode(const wt_policy_t *p);
/* The number of rules (path rules, call rules, env rules, limits). */
uint32_t wt_policy_rule_count(const wt_policy_t *p);

/* ---- denials ------------------------------------------------------------ */

/* Who refused. */
#define WT_DENY_SOURCE_MAP(XX)                                                 \
  XX(RIGHTS, "rights") XX(POLICY, "policy") XX(ABI, "abi")                     \
  XX(SANDBOX, "sandbox")
typedef enum wt_deny_source_e {
#define XX(name, s) WT_DENY_##name,
  WT_DENY_SOURCE_MAP(XX)
#undef XX
      WT_DENY_SOURCE_COUNT
} wt_deny_source_t;
const char *wt_deny_source_name(unsigned source);

/* One denial, as the layer reports it. Everything is borrowed. */
typedef struct wt_denial_s {
  uint16_t call;       /* wt_call_id_t */
  uint8_t source;      /* wt_deny_source_t */
  bool would;          /* complain mode: the call went through */
  wt_errno_t err;      /* what the guest got (or would have got) */
  int32_t rule;        /* rule index, -1: none or the default */
  const char *text;    /* the rule, the limit, or the sandbox reason */
  const char *reason;  /* sandbox: the reason's name; limit: its name */
  wt_fd_t fd;          /* the fd argument concerned, or UINT32_MAX */
  const char *preopen; /* the preopen involved, or NULL */
  const char *given;   /* the path as given (given_len bytes), or NULL */
  uint32_t given_len;
  const char *resolved; /* the guest-visible absolute path, or NULL */
  const char *link;     /* sandbox symlink: the link and its target */
  const char *target;
} wt_denial_t;

typedef void (*wt_denial_fn)(void *ud, const wt_denial_t *d);

/* ---- the layer ---------------------------------------------------------- */

typedef struct wt_policy_layer_s wt_policy_layer_t;

/*
 * Puts policy p (borrowed, finished) over inner/inner_ctx. `core` is the
 * instance at the bottom, whose guard the layer sets (and clears at
 * close); envp (NULL-terminated "NAME=VALUE") is the guest's environment,
 * filtered by the policy's env rules. Every denial goes to log(log_ud, d),
 * synchronously, in the call, before the inner table is (or is not)
 * called. Returns 0, or -1 on ENOMEM.
 */
int wt_policy_layer_open(const wt_policy_t *p, const wt_api_t *inner,
                         void *inner_ctx, wt_t *core,
                         const char *const *envp, wt_denial_fn log,
                         void *log_ud, wt_policy_layer_t **out);
/* The interposition table; its context is a wt_policy_layer_t*. */
const wt_api_t *wt_policy_api(void);
/* Denials reported so far (would-be ones included). */
uint64_t wt_policy_layer_denials(const wt_policy_layer_t *l);
void wt_policy_layer_close(wt_policy_layer_t *l);

#ifdef __cplusplus
}
#endif

#endif /* WT_POLICY_H */
