/*
 * Policy internals: the rule set, compiled globs. Not a public header.
 */
#ifndef WT_POLICY_INTERNAL_H
#define WT_POLICY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wt/policy.h"

/* One glob component: a literal, a pattern, or "**". */
typedef struct wt__seg_s {
  char *text; /* the component's pattern, NUL-terminated */
  uint32_t len;
  bool any;  /* "**" */
  bool lit;  /* no wildcard: compared byte for byte (escapes removed) */
  /* A pattern's literal tail after its last '*' ("*.tmp": 4), which a
   * component must end with: most components fail on it at once. */
  uint32_t tail;
} wt__seg_t;

typedef struct wt__glob_s {
  wt__seg_t *segs;
  uint32_t nsegs;
  uint32_t nlit; /* leading literal components (the trie key) */
} wt__glob_t;

/* Compiles an absolute glob; -1 with a message naming what is wrong. */
int wt__glob_compile(const char *glob, wt__glob_t *out, char *err,
                     size_t err_size);
void wt__glob_free(wt__glob_t *g);
/* Whether components c[0..n) match segments s[0..ns). */
typedef struct wt__comp_s {
  const char *p;
  uint32_t len;
} wt__comp_t;
bool wt__glob_match(const wt__seg_t *s, uint32_t ns, const wt__comp_t *c,
                    uint32_t n);
/* Splits an absolute canonical path into components; -1 when too many. */
int wt__path_split(const char *path, wt__comp_t *c, uint32_t cap);

typedef struct wt__rule_s {
  bool deny;
  uint16_t ops;
  int8_t mode; /* WT_POLICY_*, or -1: the policy's */
  char *text;  /* how denials name it */
  char *glob;
  wt__glob_t g;
} wt__rule_t;

/* The trie of literal prefixes: rules hang where their literal part ends. */
typedef struct wt__node_s {
  char *name;
  uint32_t len;
  struct wt__node_s **kids; /* sorted by name once compiled */
  uint32_t nkids, kcap;
  uint32_t *rules;
  uint32_t nrules, rcap;
} wt__node_t;

typedef struct wt__callrule_s {
  int32_t rule; /* index in the policy's numbering, -1: none */
  int8_t mode;
  char *text;
} wt__callrule_t;

typedef struct wt__preopen_s {
  char *guest;
  int mode;
} wt__preopen_t;

struct wt_policy_s {
  int mode;
  wt__rule_t *rules;
  uint32_t nrules, rcap;
  wt__node_t *root;
  /* Calls: per call, the deny rule (rule >= 0), and whether an allow list
   * exists (then calls not on it are denied). */
  wt__callrule_t deny[WT_CALL_COUNT];
  bool allowed[WT_CALL_COUNT];
  bool has_allow;
  char *allow_text;
  /* Environment: names (fnmatch patterns), allow or deny. */
  char **env;
  uint32_t nenv;
  int env_kind; /* 0: none, 1: allow list, 2: deny list */
  uint64_t limits[WT_POLICY_LIMIT_COUNT];
  wt__preopen_t *preopens;
  uint32_t npreopens;
  bool finished;
  uint32_t ncall_rules;
};

/* printf into err (NUL-terminated, cut to size); returns -1. */
int wt__perr(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Ops names "read, write" into buf. */
void wt__ops_text(unsigned ops, char *buf, size_t size);
/* A WT_PATH_OP_* bit by name; 0 when unknown. */
unsigned wt__op_by_name(const char *name);
/* The calls a name stands for: one call or a family; false if neither. */
bool wt__calls_named(const char *name, bool out[WT_CALL_COUNT]);

/* The errno a limit gives when exceeded. */
wt_errno_t wt__limit_err(unsigned which);

#endif
