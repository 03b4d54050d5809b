/*
 * wasitrace viewer: comparing two traces (`wasitrace diff A B`).
 *
 * Two record streams (two traces of the same program: a run that works and
 * one that fails, the same run on two hosts) are aligned on their calls and
 * the first place where they differ is reported with context, rendered by
 * one viewer per stream (so -y labels follow each run's own fd table), then
 * how many calls differ and where the runs re-align.
 *
 * Streaming: while the streams agree, records are compared one pair at a
 * time and only the last `context` of each are kept. At a difference, up to
 * `window` records of each stream (and at most WT_DIFF_WINDOW_BYTES of
 * them) are read ahead and aligned with Myers' O(ND) diff, which may use
 * up to WT_DIFF_MAX_EDITS edits: the first region of that alignment is the
 * difference, and comparing goes on after it. Memory is thus bounded
 * whatever the length of the traces. When the streams do not re-align
 * within the window, the comparison stops there (the rest is counted).
 *
 * What is compared, and what is ignored unless `timing` is set (times,
 * clock values, random bytes, inode numbers and file times), is listed in
 * docs/viewer.md ("What diff ignores").
 *
 *   wt_diff_options_t o;
 *   wt_diff_options_init(&o);
 *   viewers va, vb: made with show_seq false (diff prints its own column)
 *   and show_times as o.timing, seeded with each trace's metadata;
 *   wt_diff_side_t a = {"A", "a.db", next_a, ud_a}, b = {...};
 *   wt_diff_result_t r;
 *   wt_diff_run(&o, &a, va, &b, vb, stdout, &r);   r.differ: 1 to exit
 */
#ifndef WT_VIEWER_DIFF_H
#define WT_VIEWER_DIFF_H

#include "viewer.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WT_DIFF_WINDOW 10000                    /* default look-ahead */
#define WT_DIFF_WINDOW_MAX 1000000
#define WT_DIFF_WINDOW_BYTES (64u * 1024 * 1024) /* per stream */
#define WT_DIFF_MAX_EDITS 2000
/* Lines of a region printed per stream before "... N more". */
#define WT_DIFF_SHOWN 20

typedef struct wt_diff_options_s {
  /* Compare times and the run-dependent values too. */
  bool timing;
  /* Alike calls shown before and after the first difference (default 3). */
  uint32_t context;
  /* Calls read ahead to re-align (default WT_DIFF_WINDOW). */
  uint32_t window;
  /* Payload bytes kept for the lines (-s; default 32). */
  uint32_t strsize;
  /* Later regions described in one line each, up to this many (default
   * 20). */
  uint32_t max_regions;
  /* Called every 65536 records with the records read from each stream.
   * NULL: none. */
  void (*progress)(void *ud, uint64_t a_done, uint64_t b_done);
  void *progress_ud;
} wt_diff_options_t;

void wt_diff_options_init(wt_diff_options_t *o);

/* One stream: next() gives 1 and a record (borrowed until the next call),
 * 0 at the end, -1 when it cannot read on (message in wt_trace_error). */
typedef struct wt_diff_side_s {
  const char *label; /* "A", "B": how the report names the stream */
  const char *name;  /* what it is (the trace's path), for the header */
  int (*next)(void *ud, const wt_trace_call_t **out);
  void *ud;
} wt_diff_side_t;

typedef struct wt_diff_result_s {
  bool differ;
  uint64_t alike;          /* pairs of calls alike */
  uint64_t regions;        /* regions that differ */
  uint64_t a_only, b_only; /* calls in one stream only (or changed) */
  uint64_t first_a, first_b;       /* seq where they first differ (0) */
  uint64_t realign_a, realign_b;   /* seq of the first pair alike after
                                      the first region (0: never) */
  bool gave_up;            /* no re-alignment within the window */
  uint64_t rest_a, rest_b; /* calls not compared after giving up */
  uint64_t corrupt;        /* records that do not decode (compared raw) */
} wt_diff_result_t;

/*
 * Compares the streams and writes the report to f (nothing when they are
 * alike): "--- A: name" and "+++ B: name", the first region with context
 * ("  [seq]" alike, "- [seq]" A only, "+ [seq]" B only), one "@@" line for
 * each later region, then the summary lines "first difference:",
 * "re-aligned:", "differing:" and "alike:". Returns 0, or -1 (message set) when a stream cannot be read on,
 * memory runs out or f cannot be written; *res holds what was found.
 */
int wt_diff_run(const wt_diff_options_t *o, const wt_diff_side_t *a,
                wt_viewer_t *va, const wt_diff_side_t *b, wt_viewer_t *vb,
                FILE *f, wt_diff_result_t *res);

#ifdef __cplusplus
}
#endif

#endif /* WT_VIEWER_DIFF_H */
