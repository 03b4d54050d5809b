/*
 * wasitrace viewer: renders trace records for people, strace style.
 *
 * A record (wt_trace_call_t, from the reader of tracer.h or from the
 * tracer's writer thread through a sink) becomes one line:
 *
 *   [seq] +time name(arg=value, ...) = ERRNO (out=value, ...) <duration>
 *
 * Every part comes from core/calls.def and the value tables the tracer
 * names values with (flags "CREAT|TRUNC", rights, whence, clock ids,
 * filetypes, signals, errno names and their text): nothing here knows a
 * call by name.
 *
 * Use:
 *
 *   wt_viewer_t *v;
 *   wt_view_options_t o;
 *   wt_view_options_init(&o);
 *   o.annotate_fds = true;                         -y
 *   wt_viewer_new(&o, &v);
 *   wt_viewer_filter(v, "call", "fd_read,fd_write");  optional, combinable
 *   for each metadata entry m: wt_viewer_meta(v, m);  preopens seed -y
 *   for each record c, in seq order:
 *     if (wt_viewer_match(v, c))
 *       wt_viewer_print(v, c, stdout);   or wt_viewer_format(v, c, &s, &n)
 *     else
 *       wt_viewer_skip(v, c);
 *   wt_viewer_free(v);
 *
 * A viewer keeps state across records: the fd table behind -y (what each fd
 * stands for: a preopen, an opened path, a pipe, an eventfd, an epoll, a
 * socket), rebuilt from the records' fd transitions. Every record must
 * therefore go through exactly one of wt_viewer_format, wt_viewer_print,
 * wt_viewer_json or wt_viewer_skip, in seq order, whether it is shown or
 * not; wt_viewer_match only reads that state. A call's fds are annotated
 * with what they stood for when the call started (fd_close shows the file
 * it closes).
 *
 * Errors: functions returning int give 0 on success and -1 on failure, with
 * a description from wt_trace_error() (tracer.h). A record whose binary
 * encoding does not match its call (a corrupt trace) is still rendered as
 * far as it goes, and the function returns -1 after producing the line.
 *
 * Threads: a viewer is used by one thread at a time.
 */
#ifndef WT_VIEWER_H
#define WT_VIEWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tracer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wt_view_options_s {
  /* -s N: string and payload bytes shown before "..." (default 32). */
  uint32_t strsize;
  /* -y: every fd argument and fd result followed by <what it is>. */
  bool annotate_fds;
  /* "[seq] " at the start of the line (default true). */
  bool show_seq;
  /* "+time " (seconds since the recording began) and " <duration>"
   * (default true). Off for output compared across runs (goldens, diff). */
  bool show_times;
  /* --transitions: each transition on a line of its own, indented under
   * the call that caused it. */
  bool transitions;
  /* ANSI colours (names, errors, denials). The caller decides (a tty,
   * NO_COLOR, --color); default false. */
  bool color;
} wt_view_options_t;

/* The defaults above. */
void wt_view_options_init(wt_view_options_t *o);

typedef struct wt_viewer_s wt_viewer_t;

/* A viewer with options o (copied). Free with wt_viewer_free. */
int wt_viewer_new(const wt_view_options_t *o, wt_viewer_t **out);
void wt_viewer_free(wt_viewer_t *v);

/*
 * Takes a metadata entry of the trace (wt_trace_meta_at, or a sink's meta
 * callback): "preopens" and "socket_preopens" name fds 3, 4, ... for -y
 * (fds 0-2 are stdin, stdout, stderr). Others are ignored. Returns -1 only
 * when a known entry is malformed (the viewer goes on without it).
 */
int wt_viewer_meta(wt_viewer_t *v, const wt_trace_meta_t *m);

/*
 * Adds a filter; a record is shown when it passes all filters added
 * (filters of the same kind given twice: both must pass). `what`, as the
 * CLI spells the options:
 *
 *   "call"   NAME,...   calls by name, or by class (below)
 *   "trace"  CLASS,...  strace's -e trace=: file (calls taking a path),
 *                       desc (calls taking or handing out an fd), clock,
 *                       poll, proc, sock, event; or any family of
 *                       calls.def (fd, path, epoll, dup, signal, args, ...)
 *   "fd"     N          calls with fd N among their fd arguments or results
 *   "path"   GLOB       calls with a string argument matching GLOB
 *                       (fnmatch, as the guest passed it), or whose fd
 *                       stands for a path matching it (as -y shows it)
 *   "failed" NULL       calls that returned an errno other than SUCCESS
 *   "errno"  NAME,...   calls that returned one of these ("BADF" or "EBADF")
 *   "denied" NULL       calls with a denial (rights, policy or abi)
 *   "seq"    A..B       seq in [A, B] (either end may be left out)
 *   "time"   A..B       start in [A, B] seconds since the recording began
 *                       (decimals allowed; either end may be left out)
 *
 * Returns -1 (message set) for an unknown `what` or a bad value.
 */
int wt_viewer_filter(wt_viewer_t *v, const char *what, const char *value);

/* Whether record c passes the filters (true with none). */
bool wt_viewer_match(wt_viewer_t *v, const wt_trace_call_t *c);

/*
 * Renders c as its line, newline-terminated, followed by its transition
 * lines when options.transitions is set, into a buffer the viewer owns
 * (*text, *len; NUL-terminated; valid until the next call on v), then
 * applies the record to the fd state. -1 when the record is corrupt (the
 * text then holds what could be rendered, marked "<corrupt record>") or
 * out of memory (*text NULL).
 */
int wt_viewer_format(wt_viewer_t *v, const wt_trace_call_t *c,
                     const char **text, size_t *len);

/* wt_viewer_format, written to f. -1 also when writing fails. */
int wt_viewer_print(wt_viewer_t *v, const wt_trace_call_t *c, FILE *f);

/*
 * The record as one line of JSON (JSON Lines: the fields of a trace's call
 * line, docs/trace-format.md, with "args" and "results" as JSON values and
 * no binary fields; with -y an "fds" object mapping each fd argument to
 * what it stands for), into the viewer's buffer as wt_viewer_format does.
 */
int wt_viewer_json(wt_viewer_t *v, const wt_trace_call_t *c,
                   const char **text, size_t *len);

/* Applies c to the fd state without rendering it (a filtered-out record). */
void wt_viewer_skip(wt_viewer_t *v, const wt_trace_call_t *c);

/*
 * What fd stands for now, as -y shows it ("/data/in.txt", "pipe",
 * "eventfd", "epoll", "socket", "stdout", ...), or NULL when unknown.
 * Borrowed until the next call on v.
 */
const char *wt_viewer_fd_label(const wt_viewer_t *v, uint32_t fd);

/* ---- live output ---------------------------------------------------------
 */

/*
 * A sink (tracer.h) that prints every call it is given through v (filters
 * applied) to f, for a tracer run without a trace (`run --strace`): lines
 * are buffered and written at each commit, so they follow the guest by at
 * most the tracer's commit_ms. With tee non-NULL every metadata entry and
 * call also goes to tee first (`record --strace`), and tee's failures are
 * the sink's. A failure to write f is reported once on stderr and the
 * lines stop; it never stops the guest. The sink owns v and tee (freed at
 * close) but not f.
 */
int wt_viewer_sink_open(wt_viewer_t *v, FILE *f, wt_sink_t *tee,
                        wt_sink_t **out);

/* ---- summaries -------------------------------------------------------------
 */

typedef struct wt_stats_s wt_stats_t;

/* The sort orders of the per-call table. */
typedef enum wt_stats_sort_e {
  WT_STATS_SORT_TIME = 0, /* total time, descending (default) */
  WT_STATS_SORT_CALLS,    /* count, descending */
  WT_STATS_SORT_ERRORS,   /* errors, descending */
  WT_STATS_SORT_NAME      /* call name */
} wt_stats_sort_t;

/* "time", "calls", "errors", "name"; -1 when unknown. */
int wt_stats_sort_parse(const char *name, wt_stats_sort_t *out);

/*
 * strace -c for a trace: per call its count, errors, total / mean / max
 * time; an errno histogram; the paths used most; bytes read and written per
 * fd and path; eventfd and epoll activity; denials by source; and the run
 * (module, SHA-256, argv, preopens, how it ended). Memory is bounded by the
 * number of distinct calls, errnos, fds and paths (at most
 * WT_STATS_MAX_PATHS paths are kept: later ones are counted as "other").
 */
#define WT_STATS_MAX_PATHS 4096
int wt_stats_new(wt_stats_t **out);
void wt_stats_free(wt_stats_t *s);
int wt_stats_meta(wt_stats_t *s, const wt_trace_meta_t *m);
int wt_stats_add(wt_stats_t *s, const wt_trace_call_t *c);
/* The reader stopped at a damaged record: the summary says it is partial
 * and why (copied). */
void wt_stats_partial(wt_stats_t *s, const char *why);
/* The summary, as text or one JSON object; `times` false leaves out every
 * time and duration (output compared across runs). -1 when writing fails. */
int wt_stats_print(const wt_stats_t *s, wt_stats_sort_t sort, bool times,
                   FILE *f);
int wt_stats_print_json(const wt_stats_t *s, wt_stats_sort_t sort, bool times,
                        FILE *f);

/* ---- pictures of a run: Perfetto and HTML ------------------------------
 */

/* Past this many calls the HTML report keeps the first ones and every
 * later failed or denied call (up to WT_HTML_MAX_EXTRA more); the summary
 * and the state counters still cover every call, and the page says so. */
#define WT_HTML_MAX_CALLS 100000
#define WT_HTML_MAX_EXTRA 10000
/* Payload bytes an HTML report keeps per buffer (the rest is counted). */
#define WT_HTML_MAX_PAYLOAD 4096

typedef struct wt_export_options_s {
  /* Called every few thousand records and once at the end: calls done,
   * and the calls the trace says it holds (0: unknown). NULL: none. */
  void (*progress)(void *ud, uint64_t done, uint64_t total);
  void *progress_ud;
  /* HTML: calls kept in the report (0: WT_HTML_MAX_CALLS). */
  uint64_t html_max_calls;
} wt_export_options_t;

void wt_export_options_init(wt_export_options_t *o);

/*
 * The trace t (just opened: no record read yet) as Chrome trace-event JSON
 * (ui.perfetto.dev, chrome://tracing), written to f as it is read: memory
 * does not grow with the trace. One complete event ("ph":"X") per call,
 * its args the record as wt_viewer_json renders it with fd annotations;
 * counter events ("ph":"C") for each eventfd's counter, each epoll's ready
 * list length and the open fds; instant events for denials, signals and
 * the run's end; the module as process and thread name. A call that
 * started inside another (a signal handler's) lies inside its interval.
 * -1 (message set; what was written is incomplete) at a damaged record or
 * a write error.
 */
int wt_export_perfetto(wt_trace_t *t, FILE *f, const wt_export_options_t *o);

/*
 * The trace t as one self-contained HTML page (no network: script, style
 * and data inlined): the run, the stats summary, a timeline, a filterable
 * call table, a detail pane and the state counters over time. Trace bytes
 * are embedded as JSON with every '<', '>', '&', U+2028 and U+2029
 * escaped, so no string of the trace can end the script block. Memory is
 * bounded by WT_HTML_MAX_CALLS. Errors as wt_export_perfetto.
 */
int wt_export_html(wt_trace_t *t, FILE *f, const wt_export_options_t *o);

#ifdef __cplusplus
}
#endif

#endif /* WT_VIEWER_H */
