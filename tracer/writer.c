/*
 * The writer thread: drains records from the ring, puts them in seq order,
 * hands them to the sink and commits in bounded transactions.
 *
 * Records arrive in the order calls end. A call nested in another (a guest
 * signal handler's call during a host call) ends first but has the larger
 * seq, so it is held here until the calls before it have arrived; the sink
 * always sees seq order. A call that never ends (the run was unwound from
 * inside a nested call) leaves a gap, and what was held behind it is
 * stored when the writer stops.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/* The writer's nap when the ring is empty: bounds how long a record waits
 * before it is drained (the guest wakes it earlier if the ring fills). */
#define IDLE_NS 10000000ull
/* How often the writer samples the TSC against CLOCK_MONOTONIC. */
#define CLOCK_EVERY_NS 10000000ull
/* How far ahead of the guest the ring's pages are mapped in (first lap),
 * renewed when half of it is used, in steps of a huge page (the ring is
 * 2 MiB-aligned when it is on huge pages, see ring.c). */
#define POPULATE_AHEAD (4u << 20)
#define POPULATE_STEP ((uintptr_t)2 << 20)

/* A record that arrived before the one it must follow. */
typedef struct held_s {
  uint64_t seq;
  uint8_t *rec;
  size_t len;
} held_t;

typedef struct writer_s {
  wt_tracer_t *t;
  wt__callbuf_t cb;
  uint8_t *asm_buf; /* a record that wrapped or outgrew the ring */
  size_t asm_cap;
  uint64_t txn_calls;
  uint64_t txn_start;
  uint64_t next_seq; /* the seq the sink gets next */
  held_t *held;
  uint32_t nheld, held_cap;
  uint64_t populated; /* ring bytes mapped in so far */
  wt__clock_conv_t clock;
  uint64_t clock_at;   /* when the clock was last sampled (ns) */
  uint64_t last_start; /* of the last call stored */
  uint64_t stored_seq; /* of the last call the sink took */
  uint64_t durable_seq, durable_n; /* at the last commit */
} writer_t;

static void record_failed(writer_t *w, uint64_t seq, int call);

void wt__sink_failed(wt_tracer_t *t) {
  if (!t->sink_failed)
    snprintf(t->sink_error, sizeof t->sink_error, "%s", wt_trace_error());
  t->sink_failed = 1;
}

/*
 * The first call that cannot be stored (seq, and its call id or -1 when
 * the failure is a commit's): the sink is asked to commit once more, which
 * says whether it still holds the calls since its last commit (see
 * wt_sink_ops_t); the guest is stopped (STOP) and the failure reported at
 * once. Later calls are not given to the sink.
 */
static void record_failed(writer_t *w, uint64_t seq, int call) {
  wt_tracer_t *t = w->t;
  char msg[768], first[64];
  bool kept_all;
  wt__sink_failed(t);
  if (t->fail_seq != 0)
    return;
  kept_all = wt_sink_commit(t->sink) == 0;
  t->fail_seq = seq;
  t->fail_call = call;
  t->kept_seq = kept_all ? w->stored_seq : w->durable_seq;
  t->kept_n = kept_all ? t->written : w->durable_n;
  if (t->on_error == WT_ON_RECORD_ERROR_STOP)
    atomic_store_explicit(&t->refuse, 1, memory_order_relaxed);
  if (t->report == NULL)
    return;
  if (call >= 0)
    snprintf(first, sizeof first, "call %llu (%s)", (unsigned long long)seq,
             wt_call_name((wt_call_id_t)call));
  else
    snprintf(first, sizeof first, "calls from %llu on",
             (unsigned long long)seq);
  snprintf(msg, sizeof msg,
           "cannot store %s: %s; the trace keeps calls 1..%llu; %s", first,
           t->sink_error, (unsigned long long)t->kept_seq,
           t->on_error == WT_ON_RECORD_ERROR_STOP
               ? "the guest is halted before its next call"
               : "the guest goes on unrecorded");
  t->report(t->report_ud, msg);
}

static void commit(writer_t *w) {
  if (w->txn_calls == 0)
    return;
  if (!w->t->sink_failed) {
    if (wt_sink_commit(w->t->sink) < 0) {
      record_failed(w, w->durable_seq + 1, -1);
    } else {
      w->durable_seq = w->stored_seq;
      w->durable_n = w->t->written;
    }
  }
  w->txn_calls = 0;
}

/* Takes total bytes out of the ring as the producer adds them, copying
 * them to dst unless it is NULL. */
static void take(wt__ring_t *r, uint8_t *dst, size_t total) {
  size_t got = 0;
  while (got < total) {
    uint64_t avail = wt__ring_avail(r, total - got);
    size_t n = avail < total - got ? (size_t)avail : total - got;
    if (n == 0) {
      wt__ring_sleep(r, 1000000);
      continue;
    }
    if (dst != NULL)
      wt__ring_peek(r, 0, dst + got, n);
    wt__ring_consume(r, n);
    got += n;
  }
}

/*
 * A record that wrapped or outgrew the ring, copied out whole; NULL when
 * it is only consumed (the recording failed, or no memory for it): the
 * guest must never wait on a writer that stopped draining.
 */
static uint8_t *assemble(writer_t *w, size_t total) {
  if (!w->t->sink_failed && w->asm_cap < total) {
    uint8_t *p = realloc(w->asm_buf, total);
    if (p == NULL) {
      wt_trace_set_error("out of memory for a %zu-byte record", total);
      record_failed(w, w->stored_seq + 1, -1);
    } else {
      w->asm_buf = p;
      w->asm_cap = total;
    }
  }
  take(&w->t->ring, w->t->sink_failed ? NULL : w->asm_buf, total);
  return w->t->sink_failed ? NULL : w->asm_buf;
}

/* Hands one record to the sink. */
static void store(writer_t *w, uint8_t *rec, size_t total) {
  wt_tracer_t *t = w->t;
  if (t->sink_failed)
    return;
  if (wt__record_decode(rec, total, &w->cb) < 0) {
    wt_trace_set_error("internal error: record %llu is malformed",
                       (unsigned long long)wt__record_seq(rec));
    record_failed(w, wt__record_seq(rec), -1);
    return;
  }
  /* Calls are stored in start order: a start time converted with a newer
   * sample of the clock is never earlier than the one before. */
  w->cb.call.start_ns = wt__clock_ns(&t->clock, &w->clock, w->cb.call.start_ns);
  if (w->cb.call.start_ns < w->last_start)
    w->cb.call.start_ns = w->last_start;
  w->last_start = w->cb.call.start_ns;
  w->cb.call.dur_ns = wt__clock_dur_ns(&t->clock, &w->clock, w->cb.call.dur_ns);
  if (wt_sink_call(t->sink, &w->cb.call) < 0) {
    record_failed(w, w->cb.call.seq, w->cb.call.call);
    return;
  }
  t->written++;
  w->stored_seq = w->cb.call.seq;
  if (w->txn_calls++ == 0)
    w->txn_start = wt__now_ns();
}

/* Keeps a copy of a record that must wait for smaller seqs. */
static void hold(writer_t *w, uint64_t seq, const uint8_t *rec, size_t total) {
  uint8_t *copy = malloc(total);
  if (w->nheld == w->held_cap) {
    uint32_t cap = w->held_cap ? 2 * w->held_cap : 8;
    held_t *h = realloc(w->held, cap * sizeof *h);
    if (h == NULL) {
      free(copy);
      copy = NULL;
    } else {
      w->held = h;
      w->held_cap = cap;
    }
  }
  if (copy == NULL) {
    wt_trace_set_error("out of memory holding record %llu",
                       (unsigned long long)seq);
    record_failed(w, seq, -1);
    return;
  }
  memcpy(copy, rec, total);
  w->held[w->nheld++] = (held_t){seq, copy, total};
}

/* Stores held[i] and forgets it. */
static void release(writer_t *w, uint32_t i) {
  held_t h = w->held[i];
  w->held[i] = w->held[--w->nheld];
  store(w, h.rec, h.len);
  w->next_seq = h.seq + 1;
  free(h.rec);
}

/* Stores the held records that are next in seq order. */
static void release_ready(writer_t *w) {
  for (uint32_t i = 0; i < w->nheld;) {
    if (w->held[i].seq == w->next_seq) {
      release(w, i);
      i = 0;
    } else {
      i++;
    }
  }
}

/* At the end: whatever is held, in seq order, over the gaps. */
static void release_all(writer_t *w) {
  while (w->nheld > 0) {
    uint32_t min = 0;
    for (uint32_t i = 1; i < w->nheld; i++)
      if (w->held[i].seq < w->held[min].seq)
        min = i;
    release(w, min);
  }
  free(w->held);
  w->held = NULL;
}

/* A record from the ring: stored now if it is next, else held. */
static void arrive(writer_t *w, uint8_t *rec, size_t total) {
  uint64_t seq;
  if (w->t->sink_failed)
    return; /* nothing more is stored: no need to hold it */
  if (total < WT__REC_HDR) {
    wt_trace_set_error("internal error: a %zu-byte record", total);
    record_failed(w, w->stored_seq + 1, -1);
    return;
  }
  seq = wt__record_seq(rec);
  if (seq == w->next_seq) {
    store(w, rec, total);
    w->next_seq++;
    if (w->nheld > 0)
      release_ready(w);
  } else if (seq > w->next_seq) {
    hold(w, seq, rec, total);
  } else {
    wt_trace_set_error("internal error: record %llu came twice",
                       (unsigned long long)seq);
    record_failed(w, seq, -1);
  }
}

/* The writer was told to stop at a ring position (an interrupt) and is there.
 */
static bool past_stop(wt_tracer_t *t) {
  return wt__ring_consumed(&t->ring) >=
         atomic_load_explicit(&t->stop_at, memory_order_relaxed);
}

/*
 * Maps the ring's pages in ahead of the guest, on its first lap: otherwise
 * the guest's thread takes the page faults, and each clears its page (a
 * 2 MiB one on a ring of huge pages: measured at ~15% of a traced
 * fd_write with 4 KiB pages, and 2-3 ms of a 64 MiB copy with huge
 * ones). It keeps POPULATE_AHEAD bytes mapped past what the guest has
 * written (as far as the writer last looked), checked at each record
 * drained, so a writer busy with a long backlog still stays ahead; a run
 * with few calls maps no more than that. MADV_POPULATE_WRITE (Linux 5.14)
 * maps pages without changing their contents, so it is safe while the
 * guest writes; where it is missing, this does nothing.
 */
static void populate(writer_t *w) {
#ifdef MADV_POPULATE_WRITE
  wt__ring_t *r = &w->t->ring;
  uint64_t want;
  uintptr_t a, b;
  if (w->populated >= r->size ||
      (w->populated > 0 && w->populated >= r->head_seen + POPULATE_AHEAD / 2))
    return;
  /* At first one step only: a run that ends at once does not wait for the
   * writer to clear pages it never uses. */
  want = w->populated == 0 ? POPULATE_STEP : r->head_seen + POPULATE_AHEAD;
  if (want > r->size)
    want = r->size;
  a = ((uintptr_t)r->buf + w->populated) & ~(uintptr_t)(POPULATE_STEP - 1);
  b = ((uintptr_t)r->buf + want + POPULATE_STEP - 1) &
      ~(uintptr_t)(POPULATE_STEP - 1);
  /* A ring from the embedder's allocator need not be aligned. */
  if (a < (uintptr_t)r->buf) {
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    a = ((uintptr_t)r->buf + page - 1) & ~(page - 1);
  }
  if (b > (uintptr_t)r->buf + r->size)
    b = (uintptr_t)r->buf + r->size;
  if (b > a)
    madvise((void *)a, b - a, MADV_POPULATE_WRITE);
  w->populated = b - (uintptr_t)r->buf;
#else
  (void)w;
#endif
}

/* Moves every complete record to the sink; true if there was any. */
static bool drain(writer_t *w) {
  wt__ring_t *r = &w->t->ring;
  bool any = false;
  uint8_t lenb[4];
  while (wt__ring_avail(r, 4) >= 4 && !past_stop(w->t)) {
    size_t total;
    uint8_t *rec;
    wt__ring_peek(r, 0, lenb, 4);
    total = wt__ld32(lenb);
    rec = wt__ring_avail(r, total) >= total ? wt__ring_ptr(r, 0, total) : NULL;
    if (rec != NULL) {
      arrive(w, rec, total);
      wt__ring_consume(r, total);
    } else if ((rec = assemble(w, total)) != NULL) {
      arrive(w, rec, total);
    }
    any = true;
    populate(w);
    /* A writer that never runs dry still commits on time. */
    if (w->txn_calls >= w->t->commit_calls ||
        (w->txn_calls % 256 == 0 &&
         wt__now_ns() - w->txn_start >= w->t->commit_ms * 1000000ull))
      commit(w);
  }
  return any;
}

/*
 * own_fd_table: this thread takes a copy of the fd table and closes the
 * guest's host fds in it (they would otherwise stay open here after the
 * guest closed them: a pipe's reader would see no end of file), so that
 * the guest's thread no longer shares its table (see the option). Runs
 * while wt_tracer_open waits, so the core's fds do not change meanwhile.
 */
static void own_fd_table(wt_t *core) {
  int stack[256], *fds = stack;
  size_t n, max = sizeof stack / sizeof *stack;
  if (core == NULL || unshare(CLONE_FILES) != 0)
    return;
  n = wt_host_fds(core, fds, max);
  if (n > max && (fds = malloc(n * sizeof *fds)) != NULL)
    wt_host_fds(core, fds, n);
  else if (n > max) { /* out of memory: the first ones */
    fds = stack;
    n = max;
  }
  for (size_t i = 0; i < n; i++)
    close(fds[i]);
  if (fds != stack)
    free(fds);
}

void *wt__writer_main(void *arg) {
  writer_t w;
  wt_tracer_t *t = arg;
  uint64_t window = t->commit_ms * 1000000ull;
  own_fd_table(t->own_fds_core);
  sem_post(&t->started);
  memset(&w, 0, sizeof w);
  w.t = t;
  w.next_seq = 1;
  for (;;) {
    bool stopping = atomic_load(&t->stop);
    bool any = drain(&w);
    uint64_t now = wt__now_ns(), nap = IDLE_NS;
    populate(&w);
    if (now - w.clock_at >= CLOCK_EVERY_NS) {
      wt__clock_sample(&t->clock, &w.clock);
      w.clock_at = now;
    }
    if (w.txn_calls > 0) {
      if (now - w.txn_start >= window)
        commit(&w);
      else if (window - (now - w.txn_start) < nap)
        nap = window - (now - w.txn_start);
    }
    if (stopping && (wt__ring_avail(&t->ring, 1) == 0 || past_stop(t)))
      break;
    if (!any)
      wt__ring_sleep(&t->ring, nap);
  }
  wt__ring_release(&t->ring);
  release_all(&w);
  commit(&w);
  wt__callbuf_free(&w.cb);
  free(w.asm_buf);
  wt__tracer_end(t);
  return NULL;
}
