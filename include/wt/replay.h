/*
 * wasitrace replay: re-executes a recorded guest from its trace.
 *
 * The replayer is a wt_api_t layer with nothing under it. For every call
 * the guest makes it takes the next recorded call, checks that the guest
 * asked for the same thing (same call, same inputs, same bytes written),
 * writes back the recorded outputs (out-params, bytes read, structs) and
 * returns the recorded errno. No file, clock, random, socket or event
 * operation happens, so a replay needs neither the original preopened
 * directories nor the original inputs.
 *
 * A call that does not match is a divergence. With WT_REPLAY_STOP the
 * first one ends the replay (the stop hook asks the runtime to end the
 * guest); with WT_REPLAY_REPORT the replayer resynchronizes (below) and
 * goes on, counting. Every divergence gets a report: the position, the
 * recorded and the actual call, an argument-by-argument diff (payloads:
 * first differing byte and an excerpt of both) and the calls before it.
 *
 * The trace is read as a stream: memory use does not grow with its length.
 * Records are copied only when the replayer must look ahead (REPORT mode)
 * or set one aside (the call a signal handler ran in).
 *
 * Not thread-safe: one guest thread drives one replay.
 *
 * Errors: functions returning int give 0 on success and -1 on failure with
 * a description from wt_trace_error() (per thread, static storage).
 */
#ifndef WT_REPLAY_H
#define WT_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "tracer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum wt_replay_on_divergence_e {
  /* The first divergence ends the replay. */
  WT_REPLAY_STOP = 0,
  /*
   * Count and report every divergence and go on: a call recorded a little
   * later (within `window` records) is taken there, skipping the calls the
   * guest did not make; a call of the recorded kind with other inputs gets
   * the recorded outputs (clamped to the guest's buffers); any other call
   * fails with WT_ENOTSUP and leaves the recording where it was.
   */
  WT_REPLAY_REPORT = 1
} wt_replay_on_divergence_t;

typedef struct wt_replay_options_s {
  wt_replay_on_divergence_t on_divergence;
  /*
   * Host fds that receive what the guest writes to its stdout and stderr
   * (guest fds 1 and 2, followed through renumbering and dup), so that a
   * replay shows the run. -1 drops the bytes. Default 1 and 2.
   */
  int out_fd, err_fd;
  /* Calls shown before a divergence (0: 5). */
  uint32_t history;
  /* Divergences reported in full in REPORT mode; more are counted (0: 50). */
  uint32_t max_reports;
  /* Records looked ahead to resynchronize in REPORT mode (0: 64). */
  uint32_t window;
  /*
   * Hooks with the contracts of wt_options_t. proc_exit is called by a
   * replayed proc_exit; proc_raise when a recorded call ended the guest by
   * a signal's default action; signal_register by a replayed
   * callback_signal that succeeded; signal_handler where the recording
   * ran the guest's signal handler (see docs/replay.md). A trace that needs
   * a hook that is NULL ends the replay with WT_REPLAY_FAILED.
   */
  void (*proc_exit)(void *ud, uint32_t code);
  void *proc_exit_ud;
  void (*proc_raise)(void *ud, uint8_t sig);
  void *proc_raise_ud;
  wt_errno_t (*signal_register)(void *ud, const char *name, uint32_t len);
  void (*signal_handler)(void *ud, uint8_t sig);
  void *signal_ud;
  /*
   * Called once when the replay cannot go on (a divergence in STOP mode,
   * the end of an incomplete trace, a corrupt record): it should end the
   * guest once the current call returns, as wt_rt_proc_exit does. The call
   * then returns WT_ECANCELED, and so does every later call.
   */
  void (*stop)(void *ud);
  void *stop_ud;
} wt_replay_options_t;

/* Fills `o` with the defaults. */
void wt_replay_options_init(wt_replay_options_t *o);

typedef struct wt_replay_s wt_replay_t;

/*
 * Opens the trace at `path` for replay. Refuses a trace recorded with the
 * `meta` capture (it holds no bytes to give back). On success the caller
 * owns *out: release it with wt_replay_close.
 */
int wt_replay_open(const char *path, const wt_replay_options_t *o,
                   wt_replay_t **out);

/* The interposition table; its context is a wt_replay_t*. */
const wt_api_t *wt_replay_api(void);

/* The trace being replayed (its metadata); borrowed. */
wt_trace_t *wt_replay_trace(wt_replay_t *r);

typedef enum wt_replay_status_e {
  WT_REPLAY_OK = 0,         /* every call so far matched its record */
  WT_REPLAY_DIVERGED = 1,   /* at least one divergence */
  WT_REPLAY_INCOMPLETE = 2, /* the guest went on past an incomplete trace */
  WT_REPLAY_FAILED = 3      /* a corrupt record, or a hook that is missing */
} wt_replay_status_t;

wt_replay_status_t wt_replay_status(const wt_replay_t *r);

/*
 * Tells the replayer how the guest's run ended and checks it against the
 * recording: calls recorded but never made, and a different end (exit
 * code, trap, signal) are divergences. Call it once, after the run.
 */
wt_replay_status_t wt_replay_finish(wt_replay_t *r, const wt_trace_end_t *end);

/* Records replayed so far, and divergences found (all, reported or not). */
uint64_t wt_replay_calls(const wt_replay_t *r);
uint64_t wt_replay_divergences(const wt_replay_t *r);

/*
 * What the replayer has to say, as text for people: each divergence's
 * report, the note about an incomplete trace, the error that stopped it,
 * and after finish in REPORT mode a summary. NUL-terminated, "" when all
 * went well; valid until the next call or close.
 */
const char *wt_replay_report(const wt_replay_t *r);

void wt_replay_close(wt_replay_t *r);

/* ---- verification -------------------------------------------------------- */

/*
 * To record a replay (--verify), a tracer sits over the replayer. The
 * tracer also calls its inner table for its own needs (fd_fdstat_get to
 * explain a NOTCAPABLE), and such a call must not consume a record. Put
 * wt_replay_front_api() (context: the replay) above the tracer and tell
 * the replay what it fronts: guest -> front -> next/next_ctx (the tracer)
 * -> replay. Calls that reach the replay without passing the front fail
 * with WT_ENOTSUP and consume nothing.
 */
const wt_api_t *wt_replay_front_api(void);
void wt_replay_set_front(wt_replay_t *r, const wt_api_t *next, void *next_ctx);

/*
 * Compares two traces call for call: call, inputs, outputs, payloads and
 * errno (not timings, transitions or denials). Returns 0 when they are
 * equal, 1 when they differ (*report, malloc'ed, says where and how), -1
 * when a trace cannot be read (wt_trace_error()).
 */
int wt_replay_compare(const char *a_path, const char *b_path, char **report);

#ifdef __cplusplus
}
#endif

#endif /* WT_REPLAY_H */
