/*
 * wasitrace tracer: records every call made through a wt_api_t.
 *
 * The tracer is a wt_api_t layer over an inner table (the core, a policy
 * layer, anything). For every call it records the sequence number, the
 * monotonic start time and duration, every input and output, the errno, the
 * state transitions the core reported during the call and any denial. On the
 * guest's thread a call costs one compact binary record appended to an
 * in-memory ring; a writer thread drains the ring into a sink (SQLite or
 * JSON Lines) in batched transactions, so the guest never waits on storage
 * unless the ring is full.
 *
 * Traces are read back with the reader API below (wt_trace_open), which the
 * converter, the replayer and the viewer share. The on-disk formats are
 * documented in docs/trace-format.md.
 *
 * Errors: functions returning int give 0 on success and -1 on failure, with
 * a description from wt_trace_error() (per thread, static storage).
 */
#ifndef WT_TRACER_H
#define WT_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the trace format written (meta key "format_version"). Format
 * 4 gave denials their rule index, complain flag, sandbox reason, preopen
 * and paths, and the source "sandbox"; older traces still read. */
#define WT_TRACE_FORMAT_VERSION 5

/* The last error of a tracer, sink or reader function on this thread. */
const char *wt_trace_error(void);

/* ---- capture modes ------------------------------------------------------ */

/*
 * REPLAY keeps what a replay needs: every byte the guest reads or receives,
 * every byte written to fds 1 and 2, and for other writes a digest plus the
 * first WT_TRACE_PREFIX bytes. FULL keeps every byte both ways. META keeps
 * arguments, results and sizes but no payload bytes.
 */
typedef enum wt_capture_e {
  WT_CAPTURE_REPLAY = 0,
  WT_CAPTURE_FULL = 1,
  WT_CAPTURE_META = 2
} wt_capture_t;

#define WT_TRACE_PREFIX 64

/* "replay", "full", "meta"; wt_capture_parse is the reverse (-1: none). */
const char *wt_capture_name(wt_capture_t c);
int wt_capture_parse(const char *name, wt_capture_t *out);

/* 64-bit digest of a byte string (documented in docs/trace-format.md). */
uint64_t wt_trace_digest(const void *data, size_t len);

/* ---- records --------------------------------------------------------------
 */

/* How much of a payload a record holds. */
#define WT_PAYLOAD_FULL 0   /* all `size` bytes */
#define WT_PAYLOAD_DIGEST 1 /* the first `len` bytes and a digest of all */
#define WT_PAYLOAD_NONE 2   /* only the size (meta capture) */

#define WT_PAYLOAD_IN 0 /* bytes the guest passed (IN_IOVS) */
#define WT_PAYLOAD_OUT                                                         \
  1 /* bytes the call produced (OUT_IOVS, OUT_BUF, ...)                        \
     */

/* The bytes of one buffer argument of a call. */
typedef struct wt_trace_payload_s {
  uint16_t arg;    /* argument index in calls.def order, from 0 */
  uint8_t dir;     /* WT_PAYLOAD_IN or WT_PAYLOAD_OUT */
  uint8_t capture; /* WT_PAYLOAD_FULL, _DIGEST or _NONE */
  uint64_t size;   /* bytes the guest passed or received */
  uint64_t digest; /* wt_trace_digest of all size bytes (DIGEST only) */
  uint32_t len;    /* bytes held at data */
  const uint8_t *data;
} wt_trace_payload_t;

/*
 * Who refused a call. A call that returns ENOTCAPABLE gets a RIGHTS denial
 * naming the fd argument that lacks its required right (checked with
 * fd_fdstat_get on the inner table); when every fd holds its right (a path
 * leaving its preopen, rights asked beyond the inheriting set) the denial
 * names the first fd argument with its required right, as the table states
 * it. A policy layer records its own denials with wt_tracer_deny.
 */
#define WT_DENIAL_RIGHTS 0
#define WT_DENIAL_POLICY 1
/*
 * The guest ABI refused the call before it was decoded (wt_refusal_t): the
 * rule names the argument and the check ("iovs: outside guest memory"),
 * and the record's `args` are the guest's raw parameters, u64 each, named
 * by wt_call_guest_params; it has no results and no payloads.
 */
#define WT_DENIAL_ABI 2
/*
 * The sandbox resolver refused a path leaving its preopen: `reason` names
 * why (wt_sandbox_reason_name: "dotdot", "absolute", "symlink_escape",
 * ...), `rule` describes it, naming the link and its target for symlinks.
 */
#define WT_DENIAL_SANDBOX 3
#define WT_DENIAL_COUNT 4

typedef struct wt_trace_denial_s {
  uint8_t source;    /* WT_DENIAL_* */
  uint32_t fd;       /* the fd argument concerned, or UINT32_MAX */
  wt_rights_t right; /* the right missing or refused (one bit), or 0 */
  const char *rule;  /* the policy rule, NUL-terminated, or NULL */
  /* Format 4; a trace of an older format reads as -1, false and NULLs. */
  int32_t rule_index;   /* the rule's index in its policy, -1: none */
  bool would;           /* complain mode: the call went through */
  const char *reason;   /* sandbox reason, limit or operation refused */
  const char *preopen;  /* guest path of the preopen involved */
  const char *path;     /* the path as the guest gave it */
  const char *resolved; /* the guest-visible absolute path judged */
} wt_trace_denial_t;

/* The string members of a denial, for code that copies them. */
#define WT_TRACE_DENIAL_STRINGS(XX)                                            \
  XX(rule) XX(reason) XX(preopen) XX(path) XX(resolved)

/*
 * One call as stored. `args` and `results` are the exact binary encodings
 * of the inputs and (on success) outputs, per argument kind, described in
 * docs/trace-format.md; buffer arguments are in `payloads`. All pointers are
 * borrowed: valid until the next record is read or written.
 */
typedef struct wt_trace_call_s {
  uint64_t seq;  /* 1, 2, 3, ... in the order calls started */
  uint16_t call; /* wt_call_id_t */
  wt_errno_t err;
  uint64_t start_ns; /* monotonic, since the recording began */
  uint64_t dur_ns;
  const uint8_t *args;
  uint32_t args_len;
  const uint8_t *results;
  uint32_t results_len;
  uint32_t npayloads;
  const wt_trace_payload_t *payloads;
  uint32_t ntransitions;
  const wt_transition_t *transitions;
  uint32_t ndenials;
  const wt_trace_denial_t *denials;
} wt_trace_call_t;

/* Whether the guest ABI refused the call (a WT_DENIAL_ABI denial). */
bool wt_trace_call_refused(const wt_trace_call_t *c);

/*
 * The plain columns derived from a record: the first fd and path argument,
 * the bytes transferred, the fd handed out, and the arguments and results
 * rendered as JSON text for humans (flags by name, strings as strings).
 */
typedef struct wt_trace_summary_s {
  bool has_fd, has_fd2, has_path, has_nbytes, has_newfd;
  uint32_t fd, fd2, newfd;
  uint64_t nbytes;
  const char *path; /* borrowed from the record; path_len bytes */
  uint32_t path_len;
  const char *args_json;    /* NUL-terminated, owned by the summary */
  const char *results_json; /* "null" when the call failed */
  void *priv_;
} wt_trace_summary_t;

/*
 * Fills *s from c. *s must be zeroed before its first use; passing it again
 * reuses its buffers. Returns -1 when the binary encoding does not match
 * the call's argument list (a corrupt trace). Release with
 * wt_trace_summary_free.
 */
int wt_trace_summarize(const wt_trace_call_t *c, wt_trace_summary_t *s);
void wt_trace_summary_free(wt_trace_summary_t *s);

/* ---- run metadata ------------------------------------------------------- */

#define WT_META_INT 0
#define WT_META_TEXT 1
#define WT_META_JSON 2 /* text holding a JSON value */
#define WT_META_BLOB 3

/* One metadata entry (keys listed in docs/trace-format.md). Borrowed. */
typedef struct wt_trace_meta_s {
  const char *key;
  uint8_t type;
  int64_t i;           /* INT */
  const char *text;    /* TEXT, JSON: NUL-terminated */
  const uint8_t *blob; /* BLOB */
  size_t len;          /* BLOB size */
} wt_trace_meta_t;

/* How a run ended. */
typedef enum wt_trace_end_kind_e {
  WT_END_INCOMPLETE = 0, /* the recorder stopped before the guest ended */
  WT_END_EXIT = 1,       /* proc_exit or return from _start: exit_code */
  WT_END_TRAP = 2,       /* a wasm trap: trap names its kind */
  WT_END_SIGNAL = 3      /* a terminating signal: signal */
} wt_trace_end_kind_t;

typedef struct wt_trace_end_s {
  wt_trace_end_kind_t kind;
  uint32_t exit_code;
  const char *trap;
  uint8_t signal;
  /* A trap's wasm backtrace (meta trap_backtrace), JSON: {"frames":
   * [{"func":N,"name":S},...] innermost first, "more":B}; NULL: none. */
  const char *trap_backtrace;
} wt_trace_end_t;

/* ---- sinks ------------------------------------------------------------------
 */

/*
 * Where records go. A sink is used by one thread at a time. The built-in
 * sinks are made by the functions below; an embedder may supply its own
 * through wt_sink_new. Every callback returns 0, or -1 after setting a
 * message with wt_trace_set_error.
 */
typedef struct wt_sink_ops_s {
  /* Sets (or replaces) one metadata entry. */
  int (*meta)(void *impl, const wt_trace_meta_t *m);
  /* Stores one call; may buffer until commit. */
  int (*call)(void *impl, const wt_trace_call_t *c);
  /* Makes everything stored so far durable against a process kill. */
  int (*commit)(void *impl);
  /* Commits, finalizes (indexes), and frees impl. */
  int (*close)(void *impl);
} wt_sink_ops_t;

/*
 * After a failed `call` or `commit`, a sink is in one of two states, and
 * its next `commit` tells which: either nothing was lost (a call refused
 * before anything was written: the next commit stores the calls before
 * it), or it went back to its last commit (an I/O error: what was stored
 * since is dropped, and the next commit fails once to say so). The
 * built-in sinks do this; the tracer relies on it to say which calls a
 * failed recording kept (wt_tracer_options_t.on_record_error).
 */

typedef struct wt_sink_s wt_sink_t;

/* Wraps ops/impl into a sink (NULL on ENOMEM). */
wt_sink_t *wt_sink_new(const wt_sink_ops_t *ops, void *impl);

/*
 * A SQLite trace at path (created or replaced): the schema of
 * docs/trace-format.md, written with a rollback journal; the schema is
 * durable with the first wt_sink_commit (or at close), together with what
 * was written before it. A JSON Lines trace at path ("-": stdout).
 */
int wt_sink_sqlite_open(const char *path, wt_sink_t **out);
int wt_sink_jsonl_open(const char *path, wt_sink_t **out);

/* Direct use (the tracer and the converter call these). */
int wt_sink_meta(wt_sink_t *s, const wt_trace_meta_t *m);
int wt_sink_call(wt_sink_t *s, const wt_trace_call_t *c);
int wt_sink_commit(wt_sink_t *s);
/* Commits, closes and frees the sink. */
int wt_sink_close(wt_sink_t *s);

/* Sets the message wt_trace_error() returns (for custom sinks). */
void wt_trace_set_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* ---- the tracer ------------------------------------------------------------
 */

typedef struct wt_tracer_s wt_tracer_t;

/*
 * What happens to the guest when a call cannot be stored (the sink
 * failed: disk full, a row too large, an I/O error). The calls the guest
 * made before the writer noticed took effect; the trace keeps those up to
 * the sink's last commit, and says how it ended (end "incomplete",
 * "record_error" the reason, "calls" what it holds).
 *
 * STOP (the default): the tracer refuses every later call without calling
 * the inner table: it calls `halt` (wt_rt_halt stops the guest once the
 * refused call returns) and returns WT_EIO; with no `halt`, every later
 * call returns WT_EIO. The calls that took effect but are not in the
 * trace are those after the sink's last commit up to the first refused
 * call: at most the ring's backlog plus one transaction (commit_ms,
 * commit_calls), and wt_tracer_finish's error names them.
 *
 * CONTINUE: the guest goes on and its calls take effect unrecorded;
 * wt_tracer_finish counts them in its error.
 */
typedef enum wt_on_record_error_e {
  WT_ON_RECORD_ERROR_STOP = 0,
  WT_ON_RECORD_ERROR_CONTINUE = 1
} wt_on_record_error_t;

typedef struct wt_tracer_options_s {
  wt_capture_t capture;
  /* Ring bytes (a power of two, at least 64 KiB; 0: wt_tracer_ring_default,
   * sized from the machine's memory). */
  size_t ring_size;
  /* Longest time a drained call waits for its commit (0: 50 ms). */
  uint32_t commit_ms;
  /* Calls per transaction before a commit is forced (0: 8192). */
  uint32_t commit_calls;
  /*
   * The core instance under the stack, if any: the tracer attaches its
   * observer to it (wt_set_observer) and detaches at finish/close. Without
   * it, the embedder may forward transitions with wt_tracer_observe.
   */
  wt_t *core;
  /* The tracer's own memory, ring included. NULL: libc, and for the ring
   * an anonymous mapping on huge pages where the system has them. */
  const wt_allocator_t *allocator;
  /* Run metadata. */
  const uint8_t *module; /* the .wasm bytes (SHA-256 always recorded) */
  size_t module_len;
  bool store_module; /* keep the bytes in the trace (default true) */
  const char *module_name;
  uint32_t argc;
  const char *const *argv;
  const char *const *envp; /* NULL-terminated "NAME=VALUE" */
  /* The recording tool's own command line (meta tool_argv), if given. */
  uint32_t tool_argc;
  const char *const *tool_argv;
  uint32_t preopenc;
  const wt_preopen_t *preopens;
  uint32_t preopen_socketc;
  const wt_preopen_socket_t *preopen_sockets;
  const char *memory_check; /* the runtime's memory-check mode, or NULL */
  const char *compile_tier; /* "fast" or "optimized", or NULL */
  /* A failed recording (see wt_on_record_error_t). */
  wt_on_record_error_t on_record_error;
  /* Called on the guest's thread, in the first call refused. */
  void (*halt)(void *ud);
  void *halt_ud;
  /* Called once, on the writer thread, as soon as a call cannot be
   * stored, with the message (which call, why, what the trace keeps). */
  void (*report)(void *ud, const char *message);
  void *report_ud;
  /*
   * The writer thread works on a copy of the process's fd table
   * (unshare(CLONE_FILES)), with the core's host fds closed in it (needs
   * `core`). Linux looks an fd up for a process of one thread, or whose
   * other threads have tables of their own, without taking a reference
   * to its file: the guest's fd calls then skip that (~28 ns each on the
   * development machine). The thread that runs the guest must be the
   * process's only other thread sharing its table, and the sink must not
   * depend on fds opened by another thread after wt_tracer_open. Where
   * unshare is refused (a seccomp filter), the table stays shared.
   */
  bool own_fd_table;
} wt_tracer_options_t;

void wt_tracer_options_init(wt_tracer_options_t *o);

/*
 * Starts recording calls made through wt_tracer_api() (with the returned
 * tracer as context) into `sink`, forwarding each to inner/inner_ctx. The
 * metadata is committed before this returns, with the run's end
 * "incomplete". On success the tracer owns the sink; on failure the caller
 * keeps it. The calls must come from one thread at a time; they may nest
 * (a layer below calls back into the guest, whose host calls come through
 * this table again before the first call returns): each nested call is
 * recorded as a call of its own, and the transitions and denials reported
 * go to the innermost call in progress.
 */
int wt_tracer_open(const wt_api_t *inner, void *inner_ctx, wt_sink_t *sink,
                   const wt_tracer_options_t *o, wt_tracer_t **out);

/* The interposition table; its context is a wt_tracer_t*. */
const wt_api_t *wt_tracer_api(void);

/*
 * Records how the run ended (NULL: an exit with the code the guest passed
 * to proc_exit, or incomplete if it never called it), writes every pending
 * record, closes the sink and frees the tracer. Returns -1 if the sink
 * failed at any point (the message says where, and after a failed
 * recording which calls took effect without being stored); the tracer is
 * freed anyway.
 */
int wt_tracer_finish(wt_tracer_t *t, const wt_trace_end_t *end);

/* Like finish, but the trace says the run is incomplete. */
int wt_tracer_close(wt_tracer_t *t);

/*
 * Ends the recording now, from another thread, while the guest may still
 * be making calls (a recorder stopped by SIGINT): the writer stores every
 * call completed before this was called, the trace says its end is
 * "incomplete" and has the metadata entry "interrupted" set to `why`, and
 * the sink is closed. Calls made afterwards are forwarded but no longer
 * recorded. Not async-signal-safe, and not to be called while
 * wt_tracer_finish or wt_tracer_close runs; either of them must still be
 * called later to free the tracer (they then leave the trace as it is).
 * Returns -1 if the sink failed at any point.
 */
int wt_tracer_interrupt(wt_tracer_t *t, const char *why);

/*
 * Attributes a state transition to the call in progress (an observer
 * function for wt_set_observer, with the tracer as ud). Transitions
 * reported outside a traced call are dropped.
 */
void wt_tracer_observe(void *tracer, const wt_transition_t *tr);

/*
 * Lets a layer under the tracer (a policy) record that it refused the call
 * in progress: the fd concerned (or UINT32_MAX), the right refused (or 0),
 * and the rule (copied). Calls that return ENOTCAPABLE without one get a
 * rights or sandbox denial automatically.
 */
void wt_tracer_deny(wt_tracer_t *t, wt_fd_t fd, wt_rights_t right,
                    const char *rule);

/*
 * The same with every column of a denial (format 4): source, fd, right,
 * rule index and text, complain flag, reason, preopen, paths. Strings are
 * copied (each cut to 511 bytes); NULL members stay NULL. The tracer
 * records sandbox refusals itself when it was given the core.
 */
void wt_tracer_deny_full(wt_tracer_t *t, const wt_trace_denial_t *d);

/* Calls recorded so far. */
uint64_t wt_tracer_calls(const wt_tracer_t *t);

/*
 * How recording slowed the guest: the ring's size, and how many of the
 * guest's calls found it full and waited for the writer to make room, for
 * how long in all. Also in the trace's metadata at its end ("ring_size",
 * "ring_waits", "ring_wait_ns"). Read it from the guest's thread, or once
 * the guest has stopped.
 */
typedef struct wt_tracer_ring_stats_s {
  uint64_t size;
  uint64_t waits;
  uint64_t wait_ns;
} wt_tracer_ring_stats_t;
void wt_tracer_ring_stats(const wt_tracer_t *t, wt_tracer_ring_stats_t *out);

/* The ring size used when the options give none: $WASITRACE_RING (bytes,
 * K, M or G; rounded down to a power of two, at least 64 KiB) if set, else
 * 1/128 of the machine's memory as a power of two from 16 MiB to 64 MiB
 * (its pages are mapped as the guest reaches them: a short run uses
 * little of it). */
size_t wt_tracer_ring_default(void);

/* ---- reading traces ---------------------------------------------------------
 */

typedef enum wt_trace_format_e {
  WT_TRACE_SQLITE = 0,
  WT_TRACE_JSONL = 1
} wt_trace_format_t;

typedef struct wt_trace_s wt_trace_t;

/*
 * Opens a trace, recognizing the format by its first bytes. A trace whose
 * recorder was killed opens fine (the end is "incomplete"; a JSON Lines
 * trace whose last line was cut short ends before it).
 */
int wt_trace_open(const char *path, wt_trace_t **out);
wt_trace_format_t wt_trace_format(const wt_trace_t *t);

/* Metadata entries (each key once, last value wins); borrowed. */
uint32_t wt_trace_meta_count(const wt_trace_t *t);
const wt_trace_meta_t *wt_trace_meta_at(const wt_trace_t *t, uint32_t i);
const wt_trace_meta_t *wt_trace_meta_get(const wt_trace_t *t, const char *key);

/*
 * The next call record in sequence order: 1 and *out set, 0 at the end, -1
 * on a corrupt record. *out is valid until the next call or close.
 */
int wt_trace_next(wt_trace_t *t, const wt_trace_call_t **out);

/* True when a JSON Lines trace ended in a partial line (killed writer). */
bool wt_trace_truncated(const wt_trace_t *t);

/*
 * The process of this machine that has the trace at `path` open for
 * writing, that is, is still recording it (another than the caller), or 0
 * when none is (or none the caller may see). Reads /proc; meant for
 * messages, not for locking.
 */
long wt_trace_recorder_pid(const char *path);

void wt_trace_close(wt_trace_t *t);

/*
 * Copies the trace at in_path into a new trace of the given format at
 * out_path, record by record. Lossless: every metadata entry, call, payload,
 * transition and denial is carried over.
 */
int wt_trace_convert(const char *in_path, const char *out_path,
                     wt_trace_format_t format);

/* ---- value names (shared with the viewer) ------------------------------- */

/*
 * Appends the value of format `fmt` (a fmt token of calls.def: "oflags",
 * "whence", "filestat", ...) held in `size` little-endian bytes at p, as
 * JSON text, to buf (NUL-terminated, truncated to bufsize). Returns the
 * length it needed.
 */
size_t wt_trace_format_value(const char *fmt, const void *p, size_t size,
                             char *buf, size_t bufsize);

/* Right names ("FD_READ") by bit value; "unknown" for others. */
const char *wt_right_name(wt_rights_t right);

#ifdef __cplusplus
}
#endif

#endif /* WT_TRACER_H */
