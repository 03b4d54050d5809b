/*
 * Tracer internals shared by the files of tracer/. Not a public header.
 */
#ifndef WT_TRACER_INTERNAL_H
#define WT_TRACER_INTERNAL_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "wt/bytes.h"
#include "wt/tracer.h"

/* ---- growable text and byte buffers (writer and reader side: libc) ------ */

typedef struct wt__sb_s {
  char *s;
  size_t len, cap;
  bool oom;
} wt__sb_t;

void wt__sb_grow(wt__sb_t *b, size_t more);
static inline void wt__sb_putn(wt__sb_t *b, const char *s, size_t n) {
  if (b->cap - b->len <= n)
    wt__sb_grow(b, n);
  if (b->oom)
    return;
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
}
static inline void wt__sb_puts(wt__sb_t *b, const char *s) {
  wt__sb_putn(b, s, strlen(s));
}
static inline void wt__sb_putc(wt__sb_t *b, char c) {
  wt__sb_putn(b, &c, 1);
}
/* ,"k": for the JSON objects after their first member, in one copy (k is a
 * literal: its length is known when inlined); the JSON Lines writer runs
 * it about fifteen times per call stored. */
static inline void wt__sb_key(wt__sb_t *b, const char *k) {
  size_t n = strlen(k);
  char *o;
  if (b->cap - b->len <= n + 4)
    wt__sb_grow(b, n + 4);
  if (b->oom)
    return;
  o = b->s + b->len;
  o[0] = ',';
  o[1] = '"';
  memcpy(o + 2, k, n);
  o[n + 2] = '"';
  o[n + 3] = ':';
  o[n + 4] = 0;
  b->len += n + 4;
}
void wt__sb_u64(wt__sb_t *b, uint64_t v);
void wt__sb_i64(wt__sb_t *b, int64_t v);
/* A JSON number when exact in a double (<= 2^53), else a decimal string. */
void wt__sb_json_u64(wt__sb_t *b, uint64_t v);
/* A JSON string of bytes: valid UTF-8 kept, other bytes as \u00XX. */
void wt__sb_json_str(wt__sb_t *b, const void *s, size_t n);
void wt__sb_base64(wt__sb_t *b, const uint8_t *p, size_t n);
void wt__sb_hex64(wt__sb_t *b, uint64_t v);
void wt__sb_reset(wt__sb_t *b);
void wt__sb_free(wt__sb_t *b);

/* Decodes base64 into *out (malloc'ed). -1 on bad input. */
int wt__base64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen);
/* The same into o, which has room for n / 4 * 3 bytes. */
int wt__base64_decode_into(const char *s, size_t n, uint8_t *o, size_t *outlen);
/* Parses 16 hex digits. -1 on bad input. */
int wt__hex64_parse(const char *s, uint64_t *out);

/* Streaming digest (wt_trace_digest over several pieces). */
typedef struct wt__digest_s {
  uint64_t v[4];
  uint64_t total;
  uint8_t stripe[32];
  uint32_t nstripe;
} wt__digest_t;
void wt__digest_init(wt__digest_t *d);
void wt__digest_add(wt__digest_t *d, const void *p, size_t n);
uint64_t wt__digest_end(wt__digest_t *d);

/* ---- names, both ways -----------------------------------------------------
 */

int wt__errno_lookup(const char *name);         /* -1 when unknown */
int wt__transition_lookup(const char *name);    /* -1 when unknown */
wt_rights_t wt__right_lookup(const char *name); /* 0 when unknown */
extern const char *const wt__capture_names[3];  /* full, digest, none */
extern const char *const wt__dir_names[2];      /* in, out */
extern const char
    *const wt__denial_names[WT_DENIAL_COUNT]; /* rights, ..., sandbox */
/* -1 (and the error set) when a denial's source is out of range. */
int wt__check_denials(const wt_trace_call_t *c);
int wt__name_index(const char *const *names, int n, const char *s);

/*
 * Value printers, one per fmt token of calls.def (plus filetype, used by
 * transitions): each appends the value held in `size` little-endian bytes
 * at p to b as JSON. A fmt missing here fails to compile the describers.
 */
#define WT__FMT_LIST(XX)                                                       \
  XX(size)                                                                     \
  XX(fd)                                                                       \
  XX(exitcode)                                                                 \
  XX(timestamp)                                                                \
  XX(filesize)                                                                 \
  XX(dircookie)                                                                \
  XX(filedelta)                                                                \
  XX(clockid)                                                                  \
  XX(advice) XX(whence) XX(signal) XX(filetype) XX(fdflags) XX(oflags)         \
      XX(fstflags) XX(lookupflags) XX(rights) XX(riflags) XX(roflags)          \
          XX(siflags) XX(sdflags) XX(fdstat) XX(filestat) XX(prestat)          \
              XX(subscription) XX(event) XX(u64) XX(timeout_ns) XX(boolean)    \
                  XX(eventfdflags) XX(epoll_op) XX(fdflagsext)                 \
                      XX(epoll_events) XX(epoll_event)
#define XX(f) void wt__pr_##f(wt__sb_t *b, const void *p, size_t size);
WT__FMT_LIST(XX)
#undef XX
/* The same by name; false for an unknown fmt. */
bool wt__fmt_value(wt__sb_t *b, const char *fmt, const void *p, size_t size);

/* ---- the in-memory record (guest thread -> writer thread) -------------- */

/*
 * A record in the ring (start and dur in the tracer's clock ticks, which
 * the writer turns into ns):
 *   u32 total, u16 call, u16 errno, u64 start, u64 dur,
 *   u32 args_len, u32 results_len, u16 npayloads, u16 ntransitions,
 *   u16 ndenials, u16 0, u64 seq,
 *   args, results,
 *   ntransitions x {u16 kind, u32 fd, u32 fd2, u64 a, u64 b, u64 data},
 *   ndenials x {u8 source, u32 fd, u64 right, i32 rule_index, u8 would,
 *               u16 len x 5, then the 5 strings of WT_TRACE_DENIAL_STRINGS
 *               (rule, reason, preopen, path, resolved; len 0: NULL)},
 *   npayloads x {u16 arg, u8 dir, u8 capture, u32 len, u64 size,
 *                u64 digest, len bytes}
 * A payload captured as WT__PAYLOAD_DEFER holds all its bytes; the writer
 * reduces it to a digest and a prefix, off the guest's thread.
 */
#define WT__REC_HDR 48
#define WT__TR_SIZE 34
#define WT__DENY_SIZE 28
#define WT__DENY_NSTR 5
#define WT__DENY_STR 512 /* bytes kept of each string, NUL included */
#define WT__PL_HDR 24
#define WT__PAYLOAD_DEFER 3
/* Writes larger than this are digested on the guest thread instead (see
 * in_capture in record.c). */
#define WT__DEFER_MAX 1024u

/* Arrays a decoded record points into; reused from record to record. */
typedef struct wt__callbuf_s {
  wt_trace_call_t call;
  wt_trace_payload_t *payloads;
  uint32_t payloads_cap;
  wt_transition_t *transitions;
  uint32_t transitions_cap;
  wt_trace_denial_t *denials;
  uint32_t denials_cap;
  /* Bytes the record's pointers refer to when they are copies. */
  uint8_t *arena;
  size_t arena_len, arena_cap;
} wt__callbuf_t;

/* Room for n of each (the arena is kept); -1 on ENOMEM. */
int wt__callbuf_reserve(wt__callbuf_t *b, uint32_t npayloads,
                        uint32_t ntransitions, uint32_t ndenials);
/* Copies n bytes into the arena (offset returned; -1 on ENOMEM); with p
 * NULL, only makes room for them. */
int64_t wt__callbuf_copy(wt__callbuf_t *b, const void *p, size_t n);
/*
 * A reader fills the call with arena offsets while the arena may still
 * move (payload data, and denial rules as offset + 1, 0 meaning NULL);
 * this turns them, and the args and results offsets, into pointers.
 */
void wt__callbuf_fix_up(wt__callbuf_t *b, int64_t args_off,
                        int64_t results_off);
/* A denial rule at arena offset off, as wt__callbuf_fix_up expects it. */
static inline const char *wt__callbuf_rule_ref(int64_t off) {
  return (const char *)(uintptr_t)(off + 1);
}
void wt__callbuf_free(wt__callbuf_t *b);

/*
 * The JSON Lines reader's fast path (reader_jsonl_fast.c): reads a call
 * line as the sink writes it into cb->call, with the offsets of its args
 * and results in the arena (payload data and denial rules as offsets too,
 * rules + 1). 0 when the line is left to the general reader. Tests set
 * wt__jsonl_slow to read with the general reader alone, and count the
 * lines read fast in wt__jsonl_fast_lines (not thread-safe: for tests).
 */
int wt__jsonl_fast_call(const char *line, size_t n, wt__callbuf_t *cb,
                        int64_t *aoff, int64_t *roff);
extern bool wt__jsonl_slow;
extern uint64_t wt__jsonl_fast_lines;

/*
 * Decodes a ring record (total bytes at p) into b->call. Deferred payloads
 * are reduced in place (p is the writer's own copy).
 */
int wt__record_decode(uint8_t *p, size_t total, wt__callbuf_t *b);
/* The seq of a ring record (its header must be whole at p). */
static inline uint64_t wt__record_seq(const uint8_t *p) {
  return wt__ld64(p + 40);
}

/* ---- the ring ------------------------------------------------------------ */

/*
 * A single-producer single-consumer byte ring. head and tail count bytes
 * ever written and consumed. The producer publishes head with a release
 * store at the end of each record (or mid-record when it must wait for
 * room); the consumer reads it again only when it has used up what it saw
 * (head_seen), and publishes tail in steps of an eighth of the ring, before
 * it sleeps, and when the producer waits. Each side's fields sit on cache
 * lines of their own, and the flags on one written only when a side goes to
 * sleep: a line both sides write for every record costs the guest a cache
 * miss per call (measured at ~100 ns). Sleeping is the only locking: the
 * consumer sleeps when the ring is empty (woken by a timeout or by a
 * producer that finds wake_at bytes waiting), the producer when the ring
 * is full.
 */
/*
 * The backlog that wakes the consumer: a quarter of the ring, at most
 * 1 MiB. The backlog is what the writer still has to store when the guest
 * ends, so it is time added to every recording (a 4 MiB backlog of 4 KiB
 * reads is ~3 ms of the writer's work); 1 MiB of 4 KiB reads wakes the
 * writer every ~1.3 ms of a copy, a futex call the guest does not notice.
 */
#define WT__RING_WAKE_MAX ((size_t)1 << 20)

typedef struct wt__ring_s {
  uint8_t *buf;
  size_t size, mask;
  size_t wake_at; /* see WT__RING_WAKE_MAX */
  /* Producer only. */
  _Alignas(64) uint64_t wpos; /* written, maybe not published */
  uint64_t tail_seen;         /* last tail it loaded */
  /* Records that found the ring full, and the time they waited in all
   * (atomic: an interrupt reads them from another thread). */
  _Atomic uint64_t waits, wait_ns;
  /* Producer writes, consumer reads. */
  _Alignas(64) _Atomic uint64_t head;
  /* Consumer writes, producer reads when it runs out of room. */
  _Alignas(64) _Atomic uint64_t tail;
  /* Consumer only. */
  _Alignas(64) uint64_t rpos; /* consumed, maybe not published */
  uint64_t head_seen;         /* last head it loaded */
  /* Rarely written. */
  _Alignas(64) _Atomic int consumer_sleeping;
  _Atomic int producer_waiting;
  _Atomic int wake;   /* a flush or stop request is pending */
  _Atomic int closed; /* nobody consumes any more: puts that wait drop */
  pthread_mutex_t mu;
  pthread_cond_t cv_consumer, cv_producer;
} wt__ring_t;

int wt__ring_init(wt__ring_t *r, uint8_t *buf, size_t size);
/* Ring memory on huge pages where the system has them (see ring.c). */
uint8_t *wt__ring_map(size_t size);
void wt__ring_unmap(uint8_t *buf, size_t size);
void wt__ring_destroy(wt__ring_t *r);
/* Producer: copies n bytes in, waiting for room as needed. */
void wt__ring_put_slow(wt__ring_t *r, const void *p, size_t n);
/*
 * Producer: n contiguous free bytes at the write position, or NULL (the
 * ring is too full, or they would wrap): write them, then
 * wt__ring_commit(r, n). Lets a record be stored without a copy per field.
 */
static inline uint8_t *wt__ring_reserve(wt__ring_t *r, size_t n) {
  size_t off = (size_t)(r->wpos & r->mask);
  if (off + n > r->size)
    return NULL;
  if (r->wpos + n - r->tail_seen > r->size) {
    r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (r->wpos + n - r->tail_seen > r->size)
      return NULL;
  }
  return r->buf + off;
}
static inline void wt__ring_commit(wt__ring_t *r, size_t n) {
  r->wpos += n;
}
static inline void wt__ring_put(wt__ring_t *r, const void *p, size_t n) {
  uint8_t *d = wt__ring_reserve(r, n);
  if (d != NULL) {
    memcpy(d, p, n);
    r->wpos += n;
  } else {
    wt__ring_put_slow(r, p, n);
  }
}
/* Producer: makes everything written visible to the consumer. */
void wt__ring_publish(wt__ring_t *r);
/* Consumer: bytes available, looking at head again if fewer than `want`. */
static inline uint64_t wt__ring_avail(wt__ring_t *r, uint64_t want) {
  if (r->head_seen - r->rpos < want)
    r->head_seen = atomic_load_explicit(&r->head, memory_order_acquire);
  return r->head_seen - r->rpos;
}
/* Consumer: what it has consumed (the published tail may lag). */
static inline uint64_t wt__ring_consumed(const wt__ring_t *r) {
  return r->rpos;
}
/* Consumer: copies n bytes starting off bytes past what it consumed. */
void wt__ring_peek(wt__ring_t *r, uint64_t off, void *dst, size_t n);
/* Consumer: a pointer to n contiguous bytes at off, or NULL. */
uint8_t *wt__ring_ptr(wt__ring_t *r, uint64_t off, size_t n);
/* Consumer: frees n bytes (published later; see the top). */
void wt__ring_consume(wt__ring_t *r, size_t n);
/* Consumer: publishes tail now. */
void wt__ring_release(wt__ring_t *r);
/* Consumer: sleeps until woken or timeout_ns passes. */
void wt__ring_sleep(wt__ring_t *r, uint64_t timeout_ns);
/* Anyone: wakes the consumer now (flush, stop). */
void wt__ring_wake(wt__ring_t *r);

/* ---- the clock (clock.c) ------------------------------------------------- */

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define WT__HAVE_RDTSC 1
static inline uint64_t wt__rdtsc(void) {
  return __rdtsc();
}
#else
#define WT__HAVE_RDTSC 0
static inline uint64_t wt__rdtsc(void) {
  return 0;
}
#endif

uint64_t wt__now_ns(void);

/* The guest thread's clock: TSC ticks or CLOCK_MONOTONIC ns since open. */
typedef struct wt__clock_s {
  bool tsc;
  uint64_t tsc0, ns0; /* at open */
} wt__clock_t;

/* The writer's conversion of ticks to ns: its latest sample and the rate. */
typedef struct wt__clock_conv_s {
  uint64_t tsc, ns; /* since open */
  double rate;      /* ns per tick; 0: no sample yet */
} wt__clock_conv_t;

void wt__clock_init(wt__clock_t *c);
static inline uint64_t wt__clock_ticks(const wt__clock_t *c) {
  return c->tsc ? wt__rdtsc() - c->tsc0 : wt__now_ns() - c->ns0;
}
/* Writer: takes a new sample (TSC only). */
void wt__clock_sample(const wt__clock_t *c, wt__clock_conv_t *cv);
/* Writer: ticks since open, and a number of ticks, in ns. */
uint64_t wt__clock_ns(const wt__clock_t *c, wt__clock_conv_t *cv,
                      uint64_t ticks);
uint64_t wt__clock_dur_ns(const wt__clock_t *c, wt__clock_conv_t *cv,
                          uint64_t ticks);

/* ---- the tracer --------------------------------------------------------- */

#define WT__MAX_TR_INLINE 32
/* Nested calls that get a denial slot of their own (see wt__frame_t). */
#define WT__MAX_DEPTH 16

/*
 * What a layer below reported about the call in progress that only that
 * call may carry: its denial. One per nesting level (a guest signal
 * handler run during a host call makes calls of its own); deeper levels
 * than WT__MAX_DEPTH share the last slot.
 */
typedef struct wt__frame_s {
  bool has_denial;
  wt_trace_denial_t denial;
  char str[WT__DENY_NSTR][WT__DENY_STR]; /* "" stands for NULL */
} wt__frame_t;

struct wt_tracer_s {
  bool guarding; /* the tracer set the core's guard (sandbox reasons) */
  const wt_api_t *inner;
  void *inner_ctx;
  /*
   * Set by the writer once a call could not be stored (STOP mode): the
   * guest's thread loads it, relaxed, at the start of every call. It sits
   * among fields nobody writes after open, so the load is a cache hit.
   */
  _Atomic int refuse;
  wt_allocator_t mem;
  wt_capture_t capture;
  wt_t *core;
  wt__clock_t clock; /* start times are ticks since open */
  wt__ring_t ring;
  bool ring_mapped; /* ring.buf from wt__ring_map, not t->mem */
  void *block;      /* what t->mem gave for this struct (see tracer.c) */
  /* Guest thread. The record being written in place, or NULL. */
  uint8_t *wp;
  /* Calls in progress: how many, and the last seq handed out (seqs are
   * given in call-start order). */
  uint32_t depth;
  uint64_t next_seq;
  wt__frame_t frames[WT__MAX_DEPTH];
  /* Transitions reported during the calls in progress: each call owns the
   * ones from the count at its start, so an inner call's are its own. */
  wt_transition_t *trs;
  uint32_t ntrs, trs_cap;
  wt_transition_t trs_inline[WT__MAX_TR_INLINE];
  uint64_t calls;
  bool exited;
  uint32_t exit_code;
  /* Writer thread. */
  pthread_t writer;
  bool writer_started;
  _Atomic int stop;
  _Atomic uint64_t stop_at; /* the writer stops at this ring position */
  bool interrupted;         /* wt_tracer_interrupt closed the sink */
  /*
   * Once the writer runs, the sink is its alone (with own_fd_table, the
   * fds SQLite opens then exist in its fd table only): the trace's end is
   * written and the sink closed there, as `end` says when it stops.
   */
  wt_t *own_fds_core; /* own_fd_table: the core whose fds to close */
  sem_t started;      /* posted once the writer's fd table is set up */
  int end;            /* WT__END_*: what the writer does when it stops */
  wt_trace_end_t end_info;
  const char *end_why; /* WT__END_INTERRUPT: meta `interrupted` */
  wt_sink_t *sink;
  uint32_t commit_ms, commit_calls;
  uint64_t written; /* calls handed to the sink */
  int sink_failed;
  char sink_error[256];
  /* A failed recording (writer.c's record_failed; `refuse` is above). */
  wt_on_record_error_t on_error;
  void (*halt)(void *ud);
  void *halt_ud;
  void (*report)(void *ud, const char *message);
  void *report_ud;
  uint64_t fail_seq; /* the first call not stored (0: none failed) */
  int fail_call;     /* its call id, or -1 (a commit failed) */
  uint64_t kept_seq; /* the trace holds calls 1..kept_seq, */
  uint64_t kept_n;   /* that many */
  /* Guest thread: calls refused, and the last seq that took effect. */
  uint64_t refused;
  uint64_t last_effect;
};

void *wt__tmalloc(wt_tracer_t *t, size_t n);
void wt__tfree(wt_tracer_t *t, void *p);
/* What the writer does with the sink when it stops (tracer.c). */
enum { WT__END_NONE, WT__END_FINISH, WT__END_INTERRUPT };
void wt__tracer_end(wt_tracer_t *t);
/* The writer thread's body (writer.c). */
void *wt__writer_main(void *arg);
/* Notes the first sink failure (its message) in the tracer. */
void wt__sink_failed(wt_tracer_t *t);
/* A call refused after a failed recording (record.c). */
wt_errno_t wt__tracer_refuse(wt_tracer_t *t);

/*
 * Arrays of JSON text (args, results) longer than this end with a string
 * "... N more": the values are whole in args_bin / results_bin, and a
 * poll_oneoff of millions of subscriptions would otherwise make a column
 * of about a gigabyte, SQLite's limit for a row.
 */
#define WT__JSON_ARRAY_MAX ((size_t)1 << 20)

/*
 * Test hooks (not thread-safe: set them before opening a sink).
 * wt__sink_fail_after: the next sink opened fails its writes with ENOSPC
 * (SQLite: SQLITE_FULL) once it has written this many bytes, once, as a
 * full disk that is then freed would (0: never). wt__sqlite_max_length:
 * SQLITE_LIMIT_LENGTH of the next SQLite sink opened (0: SQLite's).
 */
extern uint64_t wt__sink_fail_after;
extern int wt__sqlite_max_length;

/* ---- sinks and readers
 * -------------------------------------------------------- */

struct wt_sink_s {
  const wt_sink_ops_t *ops;
  void *impl;
};

/* Writes the metadata the tracer knows about a run (wt_tracer_open). */
int wt__meta_write(wt_sink_t *s, const wt_tracer_options_t *o);
int wt__meta_write_end(wt_sink_t *s, const wt_trace_end_t *end, uint64_t calls,
                       const wt__ring_t *ring);

typedef struct wt__reader_ops_s {
  int (*next)(wt_trace_t *t, const wt_trace_call_t **out);
  void (*close)(wt_trace_t *t);
} wt__reader_ops_t;

struct wt_trace_s {
  wt_trace_format_t format;
  const wt__reader_ops_t *ops;
  void *impl;
  /* Metadata, each key once. Strings and blobs owned. */
  wt_trace_meta_t *meta;
  uint32_t nmeta, meta_cap;
  bool truncated;
  /* The file's size when it was opened: what bounds the work and memory
   * of reading it (a trace is hostile input). */
  uint64_t size;
};

/* Adds (or replaces) a metadata entry, copying everything. */
int wt__trace_meta_set(wt_trace_t *t, const wt_trace_meta_t *m);

int wt__reader_sqlite_open(wt_trace_t *t, const char *path);
int wt__reader_jsonl_open(wt_trace_t *t, const char *path);

/* ---- reading hostile traces --------------------------------------------- */

/* The most metadata entries a trace may have (ours has about 25): more
 * would only make the key lookups slow. */
#define WT__META_MAX 4096

/* Whether a payload read from a trace is self-consistent: NULL, or what
 * is wrong with it (static text). */
const char *wt__payload_check(const wt_trace_payload_t *pl);

/*
 * The SQLite reader's defences (reader_sqlite_guard.c). The guard counts
 * progress-handler ticks against a budget proportional to the file's size;
 * it must outlive the connection.
 */
struct sqlite3;
typedef struct wt__sq_guard_s {
  uint64_t size;   /* the file's size (set by the caller) */
  uint64_t ticks;  /* progress-handler calls so far */
  uint64_t budget; /* ticks allowed */
  bool exceeded;   /* a query was stopped for going over it */
} wt__sq_guard_t;

/* Opens path read-only with every defence set (after rolling back a hot
 * journal); -1 with the message set. */
int wt__sqlite_open_guarded(const char *path, wt__sq_guard_t *g,
                            struct sqlite3 **db);
/* Refuses a schema that could run code when read (views, triggers,
 * virtual tables, generated columns); -1 with the message set. */
int wt__sqlite_check_schema(struct sqlite3 *db, wt__sq_guard_t *g,
                            const char *path);
/* Sets the message for a failed SQLite call ("PATH: what: why"), saying so
 * when the work budget stopped it; returns -1. */
int wt__sqlite_guard_error(struct sqlite3 *db, const wt__sq_guard_t *g,
                           const char *path, const char *what);
/* For tests only: a budget in ticks instead of the size's (0: none), and
 * the schema left unchecked with views enabled, to show that the budget
 * alone ends a runaway query. */
extern uint64_t wt__sqlite_budget_override;
extern bool wt__sqlite_schema_unchecked;

#endif /* WT_TRACER_INTERNAL_H */
