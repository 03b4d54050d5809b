/*
 * Viewer internals shared by the files of viewer/. Not a public header.
 *
 * The value printers (one per calls.def fmt token) and the growable text
 * buffer are the tracer's (tracer/internal.h, included through the
 * viewer's private include path): the viewer names values exactly as the
 * trace's JSON text does, from the same tables.
 */
#ifndef WT_VIEWER_INTERNAL_H
#define WT_VIEWER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "internal.h" /* tracer/internal.h: wt__sb_t, wt__pr_* */
#include "wt/bytes.h"
#include "wt/viewer.h"

/* fds above this are shown without an annotation (a hostile trace could
 * name any u32; the guest's table is far smaller). */
#define WT__VIEW_MAX_FD 65536u

/* What a record's arguments name, found by a walk over calls.def. */
#define WT__SCAN_MAX 8
typedef struct wt__scan_s {
  uint32_t nfds, nstrs, nnew;
  uint32_t fds[WT__SCAN_MAX];         /* fd arguments, in order */
  uint32_t newfds[WT__SCAN_MAX];      /* fd results (success only) */
  const uint8_t *strs[WT__SCAN_MAX];  /* string arguments */
  uint32_t str_lens[WT__SCAN_MAX];
  bool bad;                           /* the encoding does not match */
} wt__scan_t;

void wt__view_scan(const wt_trace_call_t *c, wt__scan_t *s);

/* The filters of wt_viewer_filter (filter.c). */
typedef struct wt__vfilter_s {
  bool any;                    /* at least one filter */
  bool calls_set;              /* calls[] restricts */
  bool calls[WT_CALL_COUNT];
  bool failed, denied;
  bool errnos_set;
  bool errnos[256];
  uint32_t nfd_sets;
  struct {
    uint32_t n;
    uint32_t fds[16];
  } fd_sets[8];
  uint32_t nglobs;
  char *globs[8];
  bool seq_set, time_set;
  uint64_t seq_lo, seq_hi, time_lo, time_hi; /* inclusive; ns for time */
} wt__vfilter_t;

struct wt_viewer_s {
  wt_view_options_t o;
  wt__sb_t out; /* the text handed out */
  wt__sb_t tmp; /* a value's JSON before it becomes text */
  /* -y: what each fd stands for (NULL: unknown); grows on demand. */
  char **labels;
  uint32_t nlabels;
  wt__vfilter_t f;
  wt_trace_summary_t sum; /* --json: the record's args and results */
};

/* Sets (s NULL: forgets) what fd stands for; -1 on ENOMEM. */
int wt__view_set_label(wt_viewer_t *v, uint32_t fd, const char *s, size_t n);
/* The fd state after record c (viewer.c). */
void wt__view_apply(wt_viewer_t *v, const wt_trace_call_t *c,
                    const wt__scan_t *s);
void wt__view_filter_free(wt__vfilter_t *f);

/* Call classes for filters, and families, from calls.def (filter.c). */
const char *wt__call_family(unsigned call);

/* strace-style quoting: "text\n"... of at most max bytes of p[0..n). */
void wt__view_quote(wt__sb_t *b, const uint8_t *p, size_t n, size_t max,
                    bool more);
/* A value's JSON text (from a wt__pr_* printer) as the line shows it:
 * names unquoted, {"k":v} as {k=v}. */
void wt__view_json_text(wt__sb_t *b, const char *json, size_t n);

/* ---- what the exports derive across records (export_state.c) ---------- */

/* Nesting levels followed; deeper calls are drawn at this level. */
#define WT__XS_DEPTH 64
/* Epoll entries followed for the ready-list counters (a hostile trace
 * could name any number; later ones are not counted). */
#define WT__XS_MAX_ENTRIES (1u << 17)

/* Counter tracks. */
#define WT__XS_EVENTFD 0 /* an eventfd's counter */
#define WT__XS_EPOLL 1   /* an epoll's ready-list length */
#define WT__XS_OPEN 2    /* open fds */

typedef struct wt__xentry_s {
  uint64_t key; /* epoll fd << 32 | fd; 0 with live false: empty */
  uint32_t events;
  bool live, queued;
} wt__xentry_t;

typedef struct wt__xstate_s {
  uint64_t ends[WT__XS_DEPTH]; /* intervals of the calls in progress */
  uint32_t depth;
  uint64_t last_start, last_counter, last_end;
  uint8_t open[WT__VIEW_MAX_FD / 8]; /* bitmap of open fds */
  uint32_t nopen;
  uint32_t *ready; /* per epoll fd (< WT__VIEW_MAX_FD), lazily */
  wt__xentry_t *entries;
  uint32_t cap, used;
} wt__xstate_t;

/* A call's interval as drawn: start never before the previous call's,
 * inside the interval of the call it nests in; depth 0 at top level. */
typedef struct wt__xspan_s {
  uint64_t start, end;
  uint32_t depth;
} wt__xspan_t;

typedef void (*wt__xs_counter_fn)(void *ud, uint64_t ts, int track,
                                  uint32_t fd, uint64_t value);

void wt__xs_init(wt__xstate_t *x);
void wt__xs_free(wt__xstate_t *x);
/* Metadata: the preopens open fds 3, 4, ... */
void wt__xs_meta(wt__xstate_t *x, const wt_trace_meta_t *m);
void wt__xs_span(wt__xstate_t *x, const wt_trace_call_t *c, wt__xspan_t *s);
/* Applies c's transitions, reporting each counter that changed, at the
 * end of c's span (never before a counter reported earlier). */
void wt__xs_apply(wt__xstate_t *x, const wt_trace_call_t *c,
                  const wt__xspan_t *s, wt__xs_counter_fn fn, void *ud);
/* The calls the metadata says the trace holds (0: unknown). */
uint64_t wt__xs_total(wt_trace_t *t);

#endif /* WT_VIEWER_INTERNAL_H */
