/*
 * Replay internals shared by the files of replay/. Not a public header.
 *
 *   stream.c   the record stream: the reader, a look-ahead queue of copied
 *              records, the history of the last calls
 *   calls.c    the wt_api_t, one wrapper per call of calls.def: encode the
 *              guest's inputs, match, restore the recorded outputs
 *   match.c    matching, divergences and resynchronization, finishing a
 *              call (stdout and stderr, hooks)
 *   signal.c   running the signal handlers the recording ran
 *   session.c  open/close, status, report text, stdio fds, the end of the
 *              run
 *   report.c   equality, rendering calls, argument diffs
 *   verify.c   the front table for --verify and the trace comparison
 */
#ifndef WT_REPLAY_INTERNAL_H
#define WT_REPLAY_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "wt/bytes.h"
#include "wt/replay.h"

/* ---- bytes and text ------------------------------------------------------ */

/* A growable byte buffer; `oom` sticks once an allocation failed. */
typedef struct wt__rp_buf_s {
  uint8_t *p;
  size_t len, cap;
  bool oom;
} wt__rp_buf_t;

bool wt__rp_buf_grow(wt__rp_buf_t *b, size_t more);
static inline void wt__rp_put(wt__rp_buf_t *b, const void *p, size_t n) {
  if (n == 0 || (b->cap - b->len < n && !wt__rp_buf_grow(b, n)))
    return;
  memcpy(b->p + b->len, p, n);
  b->len += n;
}
static inline void wt__rp_put32(wt__rp_buf_t *b, uint32_t v) {
  wt__rp_put(b, &v, 4);
}
static inline void wt__rp_put64(wt__rp_buf_t *b, uint64_t v) {
  wt__rp_put(b, &v, 8);
}
void wt__rp_buf_free(wt__rp_buf_t *b);

/* Text: printf-style appends onto a NUL-terminated buffer. */
void wt__rp_printf(wt__rp_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void wt__rp_vprintf(wt__rp_buf_t *b, const char *fmt, va_list ap);
static inline const char *wt__rp_text(const wt__rp_buf_t *b) {
  return b->p != NULL && !b->oom ? (const char *)b->p : "";
}

/* ---- argument tables (expanded from calls.def in report.c) -------------- */

typedef enum wt__rp_kind_e {
  WT__RK_VOID,
  WT__RK_FD,
  WT__RK_IN,
  WT__RK_IN_STR,
  WT__RK_IN_IOVS,
  WT__RK_OUT_IOVS,
  WT__RK_OUT_BUF,
  WT__RK_OUT_BYTES,
  WT__RK_OUT,
  WT__RK_IN_ARRAY,
  WT__RK_OUT_ARRAY,
  WT__RK_IN_OPT,
  WT__RK_OUT_STRTAB
} wt__rp_kind_t;

typedef struct wt__rp_arg_s {
  uint8_t kind;  /* wt__rp_kind_t */
  uint16_t size; /* IN, OUT, IN_ARRAY, OUT_ARRAY, IN_OPT: sizeof(type) */
  const char *name;
  const char *fmt; /* the fmt token of calls.def; "" where none */
} wt__rp_arg_t;

typedef struct wt__rp_sig_s {
  const wt__rp_arg_t *args;
  uint32_t nargs;
} wt__rp_sig_t;

/* Indexed by wt_call_id_t. */
extern const wt__rp_sig_t wt__rp_sigs[WT_CALL_COUNT];

/* The denial that marks a call the guest ABI refused (WT_DENIAL_ABI). */
extern const wt_trace_denial_t wt__rp_abi_denial;

/* ---- copied records ------------------------------------------------------ */

/* A record that owns its bytes (the reader's are valid for one step). */
typedef struct wt__rp_rec_s {
  wt_trace_call_t c;
  uint8_t *mem;
  size_t mem_cap;
  wt_trace_payload_t *pl;
  uint32_t pl_cap;
  wt_transition_t *tr;
  uint32_t tr_cap;
} wt__rp_rec_t;

/*
 * Copies src into dst (reusing dst's memory). A payload holding more than
 * payload_max bytes keeps only its size (capture NONE). Of the denials,
 * only an ABI refusal is kept. -1 on ENOMEM.
 */
int wt__rp_rec_copy(wt__rp_rec_t *dst, const wt_trace_call_t *src,
                    uint32_t payload_max);
void wt__rp_rec_free(wt__rp_rec_t *r);

/* The payload of argument `arg` in direction `dir`, or NULL. */
const wt_trace_payload_t *wt__rp_payload(const wt_trace_call_t *c, uint32_t arg,
                                         uint8_t dir);

/* ---- the stream ---------------------------------------------------------- */

/*
 * Records come from the reader one at a time (`cur`, borrowed, valid until
 * the next read). Looking ahead copies the head and what follows into a
 * queue, so in the common case nothing is copied. A ring keeps light
 * copies of the last calls consumed, for reports.
 */
typedef struct wt__rp_stream_s {
  wt_trace_t *trace;
  const wt_trace_call_t *cur;
  bool have_cur;
  bool at_end; /* the reader returned 0 */
  bool failed; /* the reader returned -1 or a record was out of order */
  char error[512];
  uint64_t fetched;  /* seq of the last record read */
  uint64_t consumed; /* records consumed */
  uint64_t last_seq; /* seq of the last record consumed */
  /* The queue: slots[(qhead + i) % qcap], i < qlen. */
  wt__rp_rec_t **slots;
  uint32_t qhead, qlen, qcap;
  /* History: hist[(hpos - 1 - i) % hcap] is the i-th most recent. */
  wt__rp_rec_t *hist;
  uint32_t hcap, hlen, hpos;
} wt__rp_stream_t;

int wt__rp_stream_init(wt__rp_stream_t *s, wt_trace_t *t, uint32_t history);
void wt__rp_stream_free(wt__rp_stream_t *s);
/*
 * The k-th record not yet consumed (0: the head), or NULL at the end of
 * the trace or on a read error (s->failed, s->error). A pointer to a
 * record is valid until the stream is read further or consumed.
 */
const wt_trace_call_t *wt__rp_peek(wt__rp_stream_t *s, uint32_t k);
/* Makes the head a copy (so reading ahead keeps it); NULL as peek. */
const wt_trace_call_t *wt__rp_pin(wt__rp_stream_t *s);
/* Consumes the head (which must exist) into the history. */
void wt__rp_consume(wt__rp_stream_t *s);
/* Consumes the head without adding it to the history (yet). */
void wt__rp_pop(wt__rp_stream_t *s);
void wt__rp_history_add(wt__rp_stream_t *s, const wt_trace_call_t *c);
/* The i-th most recent call consumed (0: the last), or NULL. */
const wt_trace_call_t *wt__rp_history(const wt__rp_stream_t *s, uint32_t i);

/* ---- the guest's call ---------------------------------------------------- */

#define WT__RP_MAX_IN 2 /* IN_IOVS arguments per call */

/* The guest's call, encoded as the tracer encodes a record's inputs. */
typedef struct wt__rp_act_s {
  uint16_t call;
  bool refused; /* by the guest ABI: args are the raw guest parameters */
  wt__rp_buf_t args;
  uint32_t nin;
  struct {
    uint32_t arg;
    const wt_ciovec_t *v;
    uint32_t n;
    uint64_t size;
  } in[WT__RP_MAX_IN];
} wt__rp_act_t;

/* ---- the session --------------------------------------------------------- */

/* Guest fds followed to tell stdout and stderr (larger fds are neither). */
#define WT__RP_STDIO_FDS 1024
/* Signal handlers running inside one another, at most. */
#define WT__RP_SIG_DEPTH 16

struct wt_replay_s {
  wt_replay_options_t o;
  wt__rp_stream_t s;
  bool trace_incomplete; /* the recorder did not finish */
  bool meta_end_known;
  wt_trace_end_t rec_end;
  char rec_trap[128];
  wt_replay_status_t status;
  bool stopped;  /* nothing more is replayed */
  bool finished; /* wt_replay_finish was called */
  uint64_t guest_calls;
  uint64_t ordinal; /* the guest's call being matched (1, 2, ...) */
  uint64_t ndiv;
  uint64_t matched; /* the guest's calls equal to their record */
  uint32_t nreported;
  uint32_t extra_run; /* unmatched calls in a row (REPORT mode) */
  wt__rp_buf_t report;
  wt__rp_act_t act;
  wt__rp_buf_t scratch;
  /* Per guest fd: 1 stdout, 2 stderr, 0 anything else. */
  uint8_t stdio[WT__RP_STDIO_FDS];
  /* A modified write's record with the guest's count (REPORT mode). */
  wt__rp_rec_t synth;
  bool handler_registered;
  /*
   * Calls whose signal handlers are running, innermost last: the call's
   * record, set aside while the handler's own records (which follow it)
   * are replayed, and when it ended; or `missing` when the recording has
   * no record of it (the handler ended the run inside it).
   */
  struct wt__rp_frame_s {
    wt__rp_rec_t rec;
    uint64_t end_ns;
    bool missing;
  } frames[WT__RP_SIG_DEPTH];
  uint32_t sigdepth;
  /* Signals with an armed proc_raise_interval timer (bit per signal). */
  uint32_t timers, timers_repeat;
  /* The last call replayed was proc_exit(exit_code). */
  bool exited;
  uint32_t exit_code;
  /* --verify: calls that entered through the front table, not yet here. */
  const wt_api_t *front_next;
  void *front_ctx;
  uint32_t front_pending;
};

/* calls.c -> session.c: the steps of every wrapper. */

/* False for a call that did not come through the front (--verify). */
bool wt__rp_enter(wt_replay_t *r);
/* The guest's call, reset for encoding. */
wt__rp_act_t *wt__rp_act_start(wt_replay_t *r, uint16_t id);
void wt__rp_act_in(wt__rp_act_t *a, uint32_t arg, const wt_ciovec_t *v,
                   uint32_t n);
/* One guest call's progress through wt__rp_match; zeroed by the caller. */
typedef struct wt__rp_try_s {
  uint64_t ordinal; /* the guest's call number */
  bool handled;     /* signal handlers ran during it */
  bool held;        /* its record is frames[frame].rec */
  bool missing;     /* the recording has no record of it */
  uint32_t frame;
} wt__rp_try_t;

/*
 * Matches the guest's call a with the next record. Returns the record
 * whose outputs the guest gets (the next one, or in REPORT mode a later
 * one), NULL when the call gets wt__rp_unmatched()'s errno, or
 * &wt__rp_retry after running signal handlers the recording ran during
 * the call: the caller encodes the call again (the handlers may have
 * changed its buffers) and calls back with the same *t.
 */
const wt_trace_call_t *wt__rp_match(wt_replay_t *r, const wt__rp_act_t *a,
                                    wt__rp_try_t *t);
extern const wt_trace_call_t wt__rp_retry;
wt_errno_t wt__rp_unmatched(wt_replay_t *r);
/* A record's results or payloads do not fit its call: a corrupt trace. */
wt_errno_t wt__rp_corrupt(wt_replay_t *r, const wt_trace_call_t *rec,
                          const char *what);
/*
 * After the outputs were restored: stdout and stderr, hooks, transitions;
 * consumes rec. Returns the errno for the guest.
 */
wt_errno_t wt__rp_done(wt_replay_t *r, const wt_trace_call_t *rec,
                       const wt__rp_act_t *a, const wt__rp_try_t *t,
                       wt_errno_t err);

/* Restoring outputs (calls.c), payload of argument `arg` of rec. */
size_t wt__rp_scatter(const wt_trace_call_t *rec, uint32_t arg,
                      const wt_iovec_t *v, uint32_t n, bool *bad);
size_t wt__rp_fill(const wt_trace_call_t *rec, uint32_t arg, uint8_t *p,
                   uint32_t n, bool *bad);
wt_errno_t wt__rp_strtab(wt__cur_t *c, wt_strtab_t *t);

/* ---- signal.c ------------------------------------------------------------ */

/*
 * Before matching the guest's call a: runs the signal handlers the
 * recording ran during it. True when it ran them (or failed trying): the
 * call is then encoded again and matched with wt__rp_after_handlers first.
 */
bool wt__rp_signals(wt_replay_t *r, const wt__rp_act_t *a, wt__rp_try_t *t);
/* After the handlers: did they make all their calls? False: stopped. */
bool wt__rp_after_handlers(wt_replay_t *r, const wt__rp_try_t *t);
/* Whether record h is one of the running handler's calls (or none runs). */
bool wt__rp_in_handler(const wt_replay_t *r, const wt_trace_call_t *h);
/* proc_raise_interval replayed: which timers are armed. */
void wt__rp_follow_timer(wt_replay_t *r, const wt__rp_act_t *a);

/* ---- session.c ----------------------------------------------------------- */

/* Raises the status (FAILED > DIVERGED > INCOMPLETE > OK). */
void wt__rp_status(wt_replay_t *r, wt_replay_status_t status);
/* Ends the replay: raises the status, calls the stop hook once. */
void wt__rp_stop(wt_replay_t *r, wt_replay_status_t status);
/* Appends an error paragraph to the report and stops (FAILED). */
void wt__rp_fail(wt_replay_t *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Counts a divergence; true when its report is to be written (REPORT mode
 * writes the first max_reports). Then wt__rp_headline starts the report.
 */
bool wt__rp_diverged(wt_replay_t *r);
/* seq: the record concerned (0: the next one). */
void wt__rp_headline(wt_replay_t *r, uint64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends "  calls before it:" and the last calls replayed. */
void wt__rp_report_history(wt_replay_t *r);
/* Consumes the head record, following stdout and stderr through it. */
void wt__rp_take_head(wt_replay_t *r);
/* Follows stdout and stderr through a record's fd transitions. */
void wt__rp_follow_fds(wt_replay_t *r, const wt_trace_call_t *c);
/* A preview1 signal's name ("USR1"), or "?". */
const char *wt__rp_signal_name(unsigned sig);

/* ---- report.c ------------------------------------------------------------ */

/*
 * True when the guest's call a matches rec exactly: call, inputs, and the
 * bytes written (for a write kept as a digest: size, prefix and digest).
 * scratch: room to gather a write spread over several iovecs.
 */
bool wt__rp_equal(const wt_trace_call_t *rec, const wt__rp_act_t *a,
                  wt__rp_buf_t *scratch);

/*
 * Appends a record on one line: "seq 12  fd_write({...}) = SUCCESS {...}";
 * or the guest's call: "fd_write({...})".
 */
void wt__rp_render(wt__rp_buf_t *out, const wt_trace_call_t *rec);
void wt__rp_render_act(wt__rp_buf_t *out, wt__rp_buf_t *scratch,
                       const wt__rp_act_t *a);
/* Appends the argument-by-argument differences of rec and a. */
void wt__rp_diff(wt__rp_buf_t *out, wt__rp_buf_t *scratch,
                 const wt_trace_call_t *rec, const wt__rp_act_t *a);
/* Appends a first-difference excerpt of two byte strings. */
void wt__rp_bytes_diff(wt__rp_buf_t *out, const char *indent, const uint8_t *x,
                       size_t xn, const uint8_t *y, size_t yn);

#endif /* WT_REPLAY_INTERNAL_H */
