/*
 * Internals of `wasitrace diff` shared by viewer/diff*.c and the unit
 * tests. Not a public header.
 *
 * A record is compared through its canonical form: the bytes of everything
 * two runs of the same program should agree on (call, errno, inputs,
 * outputs, payload sizes and digests, transitions, denials), with the
 * fields that differ in every run zeroed unless timing is asked for
 * (docs/viewer.md, "What diff ignores"). The form is cut into named
 * segments so a difference can be told by name ("argument path").
 */
#ifndef WT_VIEWER_DIFF_INTERNAL_H
#define WT_VIEWER_DIFF_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "viewer_internal.h"

/* What a segment of the canonical form holds. */
typedef enum wt__dseg_kind_e {
  WT__DSEG_CALL = 0,   /* call id, refused or not */
  WT__DSEG_ERRNO,      /* the errno */
  WT__DSEG_ARG,        /* one input, named */
  WT__DSEG_RESULT,     /* one output, named */
  WT__DSEG_PAYLOAD,    /* one buffer: size and digest, named */
  WT__DSEG_TRANSITIONS,
  WT__DSEG_DENIALS,
  WT__DSEG_TIME,       /* start and duration (timing only) */
  WT__DSEG_RAW         /* a record that does not decode: its raw bytes */
} wt__dseg_kind_t;

typedef struct wt__dseg_s {
  uint8_t kind;     /* wt__dseg_kind_t */
  const char *name; /* the calls.def argument name, or NULL */
  uint32_t off, len;
} wt__dseg_t;

#define WT__DSEG_MAX 48

typedef struct wt__canon_s {
  wt__sb_t b; /* the bytes (reused between records) */
  wt__sb_t tmp; /* a payload's bytes with run-dependent fields zeroed */
  uint32_t nsegs;
  wt__dseg_t segs[WT__DSEG_MAX];
  bool bad; /* the record's encoding does not match its call */
} wt__canon_t;

/*
 * The canonical form of c into k (its buffers reused); returns its 64-bit
 * key (wt_trace_digest of the bytes). timing: compare times and the
 * run-dependent values too.
 */
uint64_t wt__diff_canon(wt__canon_t *k, const wt_trace_call_t *c, bool timing);
void wt__diff_canon_free(wt__canon_t *k);

/*
 * What differs between two records whose canonical forms are ka and kb
 * (for records a and b), in words: "path_open: errno SUCCESS in A, NOENT
 * in B; argument path". Appended to out.
 */
void wt__diff_explain(wt__sb_t *out, const wt_trace_call_t *a,
                      const wt__canon_t *ka, const wt_trace_call_t *b,
                      const wt__canon_t *kb);

/*
 * The alignment core: Myers' O(ND) greedy diff of a[0..n) and b[0..m)
 * under eq(ud, i, j), keeping the furthest-reaching paths of every d for
 * the traceback (memory grows as d squared: max_d bounds it). Reports the
 * first region of the shortest edit script: `same` leading pairs alike,
 * then `a_only` and `b_only` calls found in one sequence only, before the
 * next pair alike (or the ends). Returns 0, 1 when more than max_d edits
 * are needed (nothing reported), -1 when out of memory.
 */
typedef struct wt__hunk_s {
  uint32_t same, a_only, b_only;
} wt__hunk_t;

typedef bool (*wt__diff_eq_fn)(void *ud, uint32_t i, uint32_t j);
int wt__diff_align(uint32_t n, uint32_t m, wt__diff_eq_fn eq, void *ud,
                   uint32_t max_d, wt__hunk_t *out);

#endif /* WT_VIEWER_DIFF_INTERNAL_H */
