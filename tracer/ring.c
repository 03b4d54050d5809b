/*
 * The single-producer single-consumer byte ring between the guest's thread
 * and the writer thread (see internal.h). The fast paths (put, avail) are
 * inline in internal.h; this file has the slow paths and the sleeping.
 */
#include <errno.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

int wt__ring_init(wt__ring_t *r, uint8_t *buf, size_t size) {
  memset(r, 0, sizeof *r);
  r->buf = buf;
  r->size = size;
  r->mask = size - 1;
  r->wake_at = size / 4 < WT__RING_WAKE_MAX ? size / 4 : WT__RING_WAKE_MAX;
  atomic_init(&r->head, 0);
  atomic_init(&r->tail, 0);
  atomic_init(&r->consumer_sleeping, 0);
  atomic_init(&r->producer_waiting, 0);
  atomic_init(&r->wake, 0);
  atomic_init(&r->closed, 0);
  atomic_init(&r->waits, 0);
  atomic_init(&r->wait_ns, 0);
  if (pthread_mutex_init(&r->mu, NULL) != 0)
    return -1;
  if (pthread_cond_init(&r->cv_consumer, NULL) != 0) {
    pthread_mutex_destroy(&r->mu);
    return -1;
  }
  if (pthread_cond_init(&r->cv_producer, NULL) != 0) {
    pthread_cond_destroy(&r->cv_consumer);
    pthread_mutex_destroy(&r->mu);
    return -1;
  }
  return 0;
}

/*
 * The ring's memory when the embedder gave no allocator: an anonymous
 * mapping aligned to 2 MiB and marked for transparent huge pages. The ring
 * is written by one thread and read by another at up to gigabytes per
 * second, and with 4 KiB pages that traffic is dominated by TLB misses,
 * which virtual machines (nested paging) make several times dearer:
 * measured on the project's 2-core VM, copying 64 MiB in 4 KiB pieces
 * into a 64 MiB buffer took 69 ms with 4 KiB pages and 3 ms with huge
 * pages, both already mapped. Where THP is off, the hint does nothing.
 */
#define HUGE_ALIGN ((size_t)2 << 20)

uint8_t *wt__ring_map(size_t size) {
  size_t len = size + HUGE_ALIGN;
  uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  uintptr_t a;
  if (p == MAP_FAILED)
    return NULL;
  /* Trim the mapping to an aligned start; the tail keeps the length. */
  a = ((uintptr_t)p + HUGE_ALIGN - 1) & ~(uintptr_t)(HUGE_ALIGN - 1);
  if (a > (uintptr_t)p)
    munmap(p, a - (uintptr_t)p);
  if ((uintptr_t)p + len > a + size)
    munmap((uint8_t *)a + size, (uintptr_t)p + len - (a + size));
#ifdef MADV_HUGEPAGE
  madvise((void *)a, size, MADV_HUGEPAGE);
#endif
  return (uint8_t *)a;
}

void wt__ring_unmap(uint8_t *buf, size_t size) {
  if (buf != NULL)
    munmap(buf, size);
}

void wt__ring_destroy(wt__ring_t *r) {
  pthread_cond_destroy(&r->cv_producer);
  pthread_cond_destroy(&r->cv_consumer);
  pthread_mutex_destroy(&r->mu);
}

static void deadline(struct timespec *ts, uint64_t ns) {
  clock_gettime(CLOCK_REALTIME, ts);
  ns += (uint64_t)ts->tv_nsec;
  ts->tv_sec += (time_t)(ns / 1000000000u);
  ts->tv_nsec = (long)(ns % 1000000000u);
}

void wt__ring_wake(wt__ring_t *r) {
  atomic_store(&r->wake, 1);
  pthread_mutex_lock(&r->mu);
  atomic_store(&r->consumer_sleeping, 0);
  pthread_cond_signal(&r->cv_consumer);
  pthread_mutex_unlock(&r->mu);
}

/* Producer: waits until the consumer has freed some room. */
static void wait_for_room(wt__ring_t *r) {
  struct timespec ts;
  atomic_store_explicit(&r->head, r->wpos, memory_order_release);
  /* The consumer must run to make room: wake it even if less than
   * wake_at waits by its count. */
  wt__ring_wake(r);
  pthread_mutex_lock(&r->mu);
  atomic_store(&r->producer_waiting, 1);
  r->tail_seen = atomic_load(&r->tail);
  if (r->wpos - r->tail_seen == r->size) {
    /* A timeout bounds the cost of a wakeup lost to a race. */
    deadline(&ts, 1000000);
    pthread_cond_timedwait(&r->cv_producer, &r->mu, &ts);
  }
  atomic_store(&r->producer_waiting, 0);
  pthread_mutex_unlock(&r->mu);
  r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
}

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One record's wait for room, counted once however many naps it took. */
static void count_wait(wt__ring_t *r, uint64_t since) {
  atomic_store_explicit(&r->waits,
                        atomic_load_explicit(&r->waits, memory_order_relaxed) +
                            1,
                        memory_order_relaxed);
  atomic_store_explicit(
      &r->wait_ns,
      atomic_load_explicit(&r->wait_ns, memory_order_relaxed) +
          (mono_ns() - since),
      memory_order_relaxed);
}

void wt__ring_put_slow(wt__ring_t *r, const void *p, size_t n) {
  const uint8_t *src = p;
  uint64_t waited_since = 0;
  while (n > 0) {
    size_t room, off, chunk;
    if (atomic_load_explicit(&r->closed, memory_order_relaxed))
      return;
    r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
    room = r->size - (size_t)(r->wpos - r->tail_seen);
    if (room == 0) {
      if (waited_since == 0)
        waited_since = mono_ns();
      wait_for_room(r);
      continue;
    }
    off = (size_t)(r->wpos & r->mask);
    chunk = n < room ? n : room;
    if (chunk > r->size - off)
      chunk = r->size - off;
    memcpy(r->buf + off, src, chunk);
    r->wpos += chunk;
    src += chunk;
    n -= chunk;
  }
  if (waited_since != 0)
    count_wait(r, waited_since);
}

void wt__ring_publish(wt__ring_t *r) {
  atomic_store_explicit(&r->head, r->wpos, memory_order_release);
  /*
   * Wake a sleeping consumer only once wake_at bytes wait: waking it per
   * record would cost the guest a futex call each time. Otherwise the
   * consumer's own timeout brings it back within a few milliseconds.
   */
  if (atomic_load_explicit(&r->consumer_sleeping, memory_order_relaxed)) {
    r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (r->wpos - r->tail_seen >= r->wake_at) {
      pthread_mutex_lock(&r->mu);
      atomic_store(&r->consumer_sleeping, 0);
      pthread_cond_signal(&r->cv_consumer);
      pthread_mutex_unlock(&r->mu);
    }
  }
}

void wt__ring_peek(wt__ring_t *r, uint64_t off, void *dst, size_t n) {
  size_t o = (size_t)((r->rpos + off) & r->mask);
  size_t first = n < r->size - o ? n : r->size - o;
  memcpy(dst, r->buf + o, first);
  memcpy((uint8_t *)dst + first, r->buf, n - first);
}

uint8_t *wt__ring_ptr(wt__ring_t *r, uint64_t off, size_t n) {
  size_t o = (size_t)((r->rpos + off) & r->mask);
  return o + n <= r->size ? r->buf + o : NULL;
}

void wt__ring_release(wt__ring_t *r) {
  atomic_store_explicit(&r->tail, r->rpos, memory_order_release);
  if (atomic_load_explicit(&r->producer_waiting, memory_order_relaxed)) {
    pthread_mutex_lock(&r->mu);
    pthread_cond_signal(&r->cv_producer);
    pthread_mutex_unlock(&r->mu);
  }
}

void wt__ring_consume(wt__ring_t *r, size_t n) {
  r->rpos += n;
  /* The flag is read for every record, but written only when the
   * producer waits, so it costs no cache miss. */
  if (r->rpos - atomic_load_explicit(&r->tail, memory_order_relaxed) >=
          r->size / 8 ||
      atomic_load_explicit(&r->producer_waiting, memory_order_relaxed))
    wt__ring_release(r);
}

void wt__ring_sleep(wt__ring_t *r, uint64_t timeout_ns) {
  struct timespec ts;
  wt__ring_release(r);
  deadline(&ts, timeout_ns);
  pthread_mutex_lock(&r->mu);
  atomic_store(&r->consumer_sleeping, 1);
  if (!atomic_load(&r->wake) && wt__ring_avail(r, r->size) < r->wake_at)
    pthread_cond_timedwait(&r->cv_consumer, &r->mu, &ts);
  atomic_store(&r->consumer_sleeping, 0);
  atomic_store(&r->wake, 0);
  pthread_mutex_unlock(&r->mu);
}
