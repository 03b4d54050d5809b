/*
 * The tracer's ring (tracer/ring.c): its memory on huge pages, the backlog
 * that wakes the writer, records crossing the end of the ring and a
 * producer that must wait for room, and a tracer whose ring comes from
 * the embedder's allocator (not aligned, not mapped by the tracer).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>

#include "../../tracer/internal.h"
#include "test_tracer_util.h"

#define HUGE ((uintptr_t)2 << 20)

static void test_map_aligned(void **state) {
  static const size_t sizes[] = {64u << 10, 1u << 20, 16u << 20};
  (void)state;
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    uint8_t *p = wt__ring_map(sizes[i]);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p & (HUGE - 1), 0);
    /* Every byte is there and writable. */
    memset(p, 0xa5, sizes[i]);
    assert_int_equal(p[sizes[i] - 1], 0xa5);
    wt__ring_unmap(p, sizes[i]);
  }
}

static void test_wake_at(void **state) {
  static uint8_t small[64u << 10];
  wt__ring_t r;
  uint8_t *big = wt__ring_map(16u << 20);
  (void)state;
  assert_int_equal(wt__ring_init(&r, small, sizeof small), 0);
  assert_int_equal(r.wake_at, sizeof small / 4);
  wt__ring_destroy(&r);
  assert_non_null(big);
  assert_int_equal(wt__ring_init(&r, big, 16u << 20), 0);
  assert_int_equal(r.wake_at, WT__RING_WAKE_MAX);
  wt__ring_destroy(&r);
  wt__ring_unmap(big, 16u << 20);
}

/* ---- a producer and a consumer over a small ring ------------------------ */

#define NREC 20000
#define MAXREC 5000

typedef struct pc_s {
  wt__ring_t ring;
  uint8_t buf[64u << 10];
} pc_t;

static uint32_t rec_len(uint32_t i) {
  return 8 + (i * 7919u) % MAXREC;
}

static uint8_t rec_byte(uint32_t i, uint32_t j) {
  return (uint8_t)(i * 31u + j);
}

/* Records of varied sizes, written in place where they fit and through
 * wt__ring_put where they would wrap. */
static void *producer(void *arg) {
  pc_t *pc = arg;
  static uint8_t rec[MAXREC + 8];
  for (uint32_t i = 0; i < NREC; i++) {
    uint32_t n = rec_len(i);
    uint8_t *d;
    wt__st32(rec, n);
    wt__st32(rec + 4, i);
    for (uint32_t j = 8; j < n; j++)
      rec[j] = rec_byte(i, j);
    if ((d = wt__ring_reserve(&pc->ring, n)) != NULL) {
      memcpy(d, rec, n);
      wt__ring_commit(&pc->ring, n);
    } else {
      wt__ring_put(&pc->ring, rec, n);
    }
    wt__ring_publish(&pc->ring);
  }
  wt__ring_wake(&pc->ring);
  return NULL;
}

static void test_producer_consumer(void **state) {
  pc_t *pc = calloc(1, sizeof *pc);
  static uint8_t rec[MAXREC + 8];
  pthread_t th;
  uint32_t got = 0;
  (void)state;
  assert_non_null(pc);
  assert_int_equal(wt__ring_init(&pc->ring, pc->buf, sizeof pc->buf), 0);
  assert_int_equal(pthread_create(&th, NULL, producer, pc), 0);
  while (got < NREC) {
    uint32_t n;
    if (wt__ring_avail(&pc->ring, 4) < 4) {
      wt__ring_sleep(&pc->ring, 1000000);
      continue;
    }
    wt__ring_peek(&pc->ring, 0, rec, 4);
    n = wt__ld32(rec);
    assert_int_equal(n, rec_len(got));
    /* A record larger than what was published: take it as it comes. */
    for (uint32_t have = 0; have < n;) {
      uint64_t a = wt__ring_avail(&pc->ring, n - have);
      uint32_t k = a < n - have ? (uint32_t)a : n - have;
      if (k == 0) {
        wt__ring_sleep(&pc->ring, 1000000);
        continue;
      }
      wt__ring_peek(&pc->ring, 0, rec + have, k);
      wt__ring_consume(&pc->ring, k);
      have += k;
    }
    assert_int_equal(wt__ld32(rec + 4), got);
    for (uint32_t j = 8; j < n; j++)
      if (rec[j] != rec_byte(got, j))
        fail_msg("record %u byte %u: %u", got, j, rec[j]);
    got++;
  }
  wt__ring_release(&pc->ring);
  assert_int_equal(pthread_join(th, NULL), 0);
  assert_int_equal(wt__ring_avail(&pc->ring, 1), 0);
  wt__ring_destroy(&pc->ring);
  free(pc);
}

/* ---- a ring from the embedder's allocator -------------------------------- */

typedef struct counting_s {
  long live;
} counting_t;

/* Blocks 8 bytes past what malloc returns: never 2 MiB-aligned. */
static void *c_malloc(size_t n, void *ud) {
  uint8_t *p = malloc(n + 16);
  if (p == NULL)
    return NULL;
  ((counting_t *)ud)->live++;
  return p + 8;
}

static void c_free(void *p, void *ud) {
  ((counting_t *)ud)->live--;
  free((uint8_t *)p - 8);
}

static void test_embedder_ring(void **state) {
  wt_test_env_t env;
  counting_t count = {0};
  wt_allocator_t mem = {&count, c_malloc, c_free, NULL, NULL};
  wt_tracer_options_t o;
  wt_tracer_t *tr;
  wt_sink_t *sink;
  wt_ciovec_t iov = {(const uint8_t *)"0123456789abcdef", 16};
  char path[300];
  uint32_t n;
  (void)state;
  wt_test_open(&env);
  snprintf(path, sizeof path, "%s/ring.db", env.outside);
  assert_int_equal(wt_sink_sqlite_open(path, &sink), 0);
  wt_tracer_options_init(&o);
  o.core = env.w;
  o.allocator = &mem;
  o.ring_size = 256u << 10;
  assert_int_equal(wt_tracer_open(wt_core_api(), env.w, sink, &o, &tr), 0);
  assert_true(count.live >= 2); /* the tracer and its ring */
  /* Several laps of the ring. */
  for (int i = 0; i < 50000; i++)
    assert_int_equal(wt_tracer_api()->fd_write(tr, 1, &iov, 1, &n),
                     WT_ESUCCESS);
  assert_int_equal(wt_tracer_finish(tr, NULL), 0);
  assert_int_equal(count.live, 0);
  assert_int_equal(tt_query_int(path, "SELECT count(*) FROM calls"), 50000);
  wt_test_close(&env);
}

/* ---- the guest's waits for room, counted ---------------------------------- */

/* A sink whose first call blocks until the gate opens: the writer then
 * consumes nothing, so the ring fills exactly as the guest writes. */
typedef struct gated_s {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool open;
  int64_t meta_waits, meta_wait_ns, meta_size; /* -1: not written */
} gated_t;

static int g_meta(void *impl, const wt_trace_meta_t *m) {
  gated_t *g = impl;
  if (strcmp(m->key, "ring_waits") == 0)
    g->meta_waits = m->i;
  else if (strcmp(m->key, "ring_wait_ns") == 0)
    g->meta_wait_ns = m->i;
  else if (strcmp(m->key, "ring_size") == 0)
    g->meta_size = m->i;
  return 0;
}
static int g_call(void *impl, const wt_trace_call_t *c) {
  gated_t *g = impl;
  (void)c;
  pthread_mutex_lock(&g->mu);
  while (!g->open)
    pthread_cond_wait(&g->cv, &g->mu);
  pthread_mutex_unlock(&g->mu);
  return 0;
}
static int g_commit(void *impl) {
  (void)impl;
  return 0;
}
static const wt_sink_ops_t gated_ops = {g_meta, g_call, g_commit, g_commit};

static void gate_open(gated_t *g) {
  pthread_mutex_lock(&g->mu);
  g->open = true;
  pthread_cond_broadcast(&g->cv);
  pthread_mutex_unlock(&g->mu);
}

typedef struct opener_s {
  gated_t *g;
  wt_tracer_t *tr;
} opener_t;

/* Opens the gate once the guest is waiting for room (no timing guess). */
static void *open_when_waiting(void *arg) {
  opener_t *o = arg;
  while (!atomic_load(&o->tr->ring.producer_waiting))
    sched_yield();
  gate_open(o->g);
  return NULL;
}

/* CALLS fd_writes through a tracer with a RING-byte ring and the gated
 * sink; `wait` opens the gate once the guest waits, else after the calls. */
static void gated_run(uint32_t ring, int calls, bool wait,
                      wt_tracer_ring_stats_t *st, gated_t *g) {
  wt_test_env_t env;
  wt_tracer_options_t o;
  wt_tracer_t *tr;
  wt_ciovec_t iov = {(const uint8_t *)"0123456789abcdef", 16};
  pthread_t th;
  opener_t op;
  uint32_t n;
  memset(g, 0, sizeof *g);
  pthread_mutex_init(&g->mu, NULL);
  pthread_cond_init(&g->cv, NULL);
  g->meta_waits = g->meta_wait_ns = g->meta_size = -1;
  wt_test_open(&env);
  wt_tracer_options_init(&o);
  o.core = env.w;
  o.ring_size = ring;
  assert_int_equal(
      wt_tracer_open(wt_core_api(), env.w, wt_sink_new(&gated_ops, g), &o, &tr),
      0);
  op = (opener_t){g, tr};
  if (wait)
    assert_int_equal(pthread_create(&th, NULL, open_when_waiting, &op), 0);
  for (int i = 0; i < calls; i++)
    assert_int_equal(wt_tracer_api()->fd_write(tr, 1, &iov, 1, &n),
                     WT_ESUCCESS);
  wt_tracer_ring_stats(tr, st);
  if (wait)
    pthread_join(th, NULL);
  else
    gate_open(g);
  assert_int_equal(wt_tracer_finish(tr, NULL), 0);
  wt_test_close(&env);
  pthread_cond_destroy(&g->cv);
  pthread_mutex_destroy(&g->mu);
}

static void test_waits_counted(void **state) {
  wt_tracer_ring_stats_t st;
  gated_t g;
  (void)state;
  /* 20,000 small records are far more than 64 KiB: the guest waits. */
  gated_run(64u << 10, 20000, true, &st, &g);
  assert_int_equal(st.size, 64u << 10);
  assert_true(st.waits >= 1);
  assert_true(st.wait_ns > 0);
  /* The trace's metadata says the same (a later wait cannot come: the
   * guest made no call after the stats were read). */
  assert_int_equal(g.meta_size, 64 << 10);
  assert_int_equal(g.meta_waits, (int64_t)st.waits);
  assert_int_equal(g.meta_wait_ns, (int64_t)st.wait_ns);
}

static void test_burst_absorbed(void **state) {
  wt_tracer_ring_stats_t st;
  gated_t g;
  (void)state;
  /* The writer stores nothing until the burst is over; 2,000 records fit
   * in 1 MiB, so the guest never waits. */
  gated_run(1u << 20, 2000, false, &st, &g);
  assert_int_equal(st.waits, 0);
  assert_int_equal(st.wait_ns, 0);
  assert_int_equal(g.meta_waits, 0);
  assert_int_equal(g.meta_size, 1 << 20);
}

static void test_ring_default(void **state) {
  size_t r;
  (void)state;
  unsetenv("WASITRACE_RING");
  r = wt_tracer_ring_default();
  assert_true(r >= (16u << 20));
  assert_true(r <= (64u << 20));
  assert_int_equal(r & (r - 1), 0);
  /* The environment's size, rounded down to a power of two. */
  setenv("WASITRACE_RING", "3M", 1);
  assert_int_equal(wt_tracer_ring_default(), 2u << 20);
  setenv("WASITRACE_RING", "1048576", 1);
  assert_int_equal(wt_tracer_ring_default(), 1u << 20);
  setenv("WASITRACE_RING", "1g", 1);
  assert_int_equal(wt_tracer_ring_default(), 1u << 30);
  /* Too small or not a size: the machine's default. */
  setenv("WASITRACE_RING", "4K", 1);
  assert_int_equal(wt_tracer_ring_default(), r);
  setenv("WASITRACE_RING", "lots", 1);
  assert_int_equal(wt_tracer_ring_default(), r);
  setenv("WASITRACE_RING", "16X", 1);
  assert_int_equal(wt_tracer_ring_default(), r);
  unsetenv("WASITRACE_RING");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_map_aligned),
      cmocka_unit_test(test_wake_at),
      cmocka_unit_test(test_producer_consumer),
      cmocka_unit_test(test_embedder_ring),
      cmocka_unit_test(test_waits_counted),
      cmocka_unit_test(test_burst_absorbed),
      cmocka_unit_test(test_ring_default),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
