/*
 * fd_event: a counter fd with Linux eventfd(2) semantics, an in-process
 * object (no host fd) read and written through fd_read / fd_write and
 * watched by poll_oneoff and epoll.
 *
 * - A read needs room for 8 bytes (the iovecs together; the value may be
 *   scattered over them), else EINVAL. Normal mode returns the counter and
 *   resets it; SEMAPHORE mode returns 1 and decrements it.
 * - A write takes the first 8 bytes as a little-endian value and adds it;
 *   0xffffffffffffffff is EINVAL; a sum above 0xfffffffffffffffe waits.
 * - A read of 0 or a write that would overflow returns EAGAIN when the fd is
 *   NONBLOCK (fd_event's flag or fd_fdstat_set_flags). Otherwise it waits,
 *   and only a signal timer can end the wait in a single-threaded guest: the
 *   signal is delivered and the call returns EINTR. With no timer armed
 *   nothing could ever wake it: Linux would hang forever; the core answers
 *   EDEADLK at once, so a recording ends with the guest's mistake in it.
 * - Readable when the counter is above 0, writable while below the maximum.
 *   A write wakes readers (epoll IN), a read wakes writers (epoll OUT), as
 *   Linux does even when readiness does not change, which is what re-arms
 *   an edge-triggered epoll entry.
 * Wasmer differs: no 8-byte check, a wrapping add, writes never block.
 *
 * The initial value is a u64 here (Linux takes an unsigned int); above the
 * maximum it is EINVAL. fd_event's flags: SEMAPHORE (1) and, although the
 * spec has no such bit, 4: wasix-libc passes its EFD_NONBLOCK (= its
 * O_NONBLOCK, the fdflags NONBLOCK bit) unchanged, and honouring it is what
 * the guest meant. Other bits are EINVAL.
 */
#include "internal.h"

#define EVENTFD_MAX 0xfffffffffffffffeull

/* Rights as Wasmer grants them: no seek, sync or filestat (see fd.c). */
#define EVENTFD_RIGHTS                                                       \
  (WT_RIGHT_FD_READ | WT_RIGHT_FD_WRITE | WT_RIGHT_POLL_FD_READWRITE |       \
   WT_RIGHT_FD_FDSTAT_SET_FLAGS)

uint32_t wt__eventfd_ready(const wt__desc_t *d) {
  return (d->count > 0 ? WT_EPOLLIN : 0) |
         (d->count < EVENTFD_MAX ? WT_EPOLLOUT : 0);
}

/*
 * Every counter change goes through here: it is reported (the counter,
 * then readiness if it changed) and offered to the watching epoll entries.
 */
static void set_count(wt_t *w, wt_fd_t fd, wt__desc_t *d, uint64_t value,
                      uint64_t cause, uint32_t happened) {
  uint64_t before = d->count;
  uint32_t was = wt__eventfd_ready(d), now;
  d->count = value;
  now = wt__eventfd_ready(d);
  if (before != value)
    wt__emit(w, WT_TR_EVENTFD_COUNTER, fd, 0, before, value, cause);
  if (was != now)
    wt__emit(w, WT_TR_EVENTFD_READINESS, fd, 0, was, now, 0);
  if (d->watchers != NULL)
    wt__epoll_notify(w, d, happened);
}

wt_errno_t wt_fd_event(wt_t *w, uint64_t initial_val, uint16_t flags,
                       uint32_t *fd) {
  wt__desc_t *d;
  wt_fd_t nfd;
  wt_errno_t err;
  if ((flags & ~(WT_EVENTFD_SEMAPHORE | WT_EVENTFD_NONBLOCK)) != 0 ||
      initial_val > EVENTFD_MAX)
    return WT_EINVAL;
  d = wt__desc_new(w, WT_DESC_EVENTFD, WT_FILETYPE_UNKNOWN, -1);
  if (d == NULL)
    return WT_ENOMEM;
  d->semaphore = (flags & WT_EVENTFD_SEMAPHORE) != 0;
  d->nonblock = (flags & WT_EVENTFD_NONBLOCK) != 0;
  err = wt__fd_insert(w, d, EVENTFD_RIGHTS, 0, 0, &nfd);
  if (err != WT_ESUCCESS) {
    wt__desc_unref(w, d);
    return err;
  }
  /* Reported as a change from 0, the state every eventfd starts from. */
  if (initial_val != 0)
    set_count(w, nfd, d, initial_val, WT_EVENTFD_CAUSE_CREATE, 0);
  *fd = nfd;
  return WT_ESUCCESS;
}

static uint64_t iov_room(const wt_iovec_t *iovs, uint32_t n) {
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++)
    total += iovs[i].buf_len;
  return total;
}

static uint64_t ciov_room(const wt_ciovec_t *iovs, uint32_t n) {
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++)
    total += iovs[i].buf_len;
  return total;
}

/* Stores v little-endian into the first 8 bytes the iovecs describe. */
static void scatter(const wt_iovec_t *iovs, uint32_t n, uint64_t v) {
  unsigned byte = 0;
  for (uint32_t i = 0; i < n && byte < 8; i++)
    for (uint32_t j = 0; j < iovs[i].buf_len && byte < 8; j++, byte++)
      iovs[i].buf[j] = (uint8_t)(v >> (8 * byte));
}

/* The little-endian value of the first 8 bytes the iovecs describe. */
static uint64_t gather(const wt_ciovec_t *iovs, uint32_t n) {
  uint64_t v = 0;
  unsigned byte = 0;
  for (uint32_t i = 0; i < n && byte < 8; i++)
    for (uint32_t j = 0; j < iovs[i].buf_len && byte < 8; j++, byte++)
      v |= (uint64_t)iovs[i].buf[j] << (8 * byte);
  return v;
}

/*
 * The operation cannot proceed now: EAGAIN when nonblocking, EINTR when a
 * signal timer has expired (the caller delivers it), else wait for the next
 * timer; EDEADLK when none is armed (see above).
 */
static wt_errno_t block(wt_t *w, const wt__desc_t *d) {
  if (d->nonblock)
    return WT_EAGAIN;
  if (wt__signal_interrupts(w))
    return WT_EINTR;
  return wt__wait(w, NULL, 0, UINT64_MAX);
}

/*
 * After an interrupted wait the signal is delivered last, with nothing
 * held: the handler may close this very fd.
 */
static wt_errno_t interrupted(wt_t *w, wt_errno_t err) {
  if (err == WT_EINTR)
    wt__signal_run(w);
  return err;
}

wt_errno_t wt__eventfd_read(wt_t *w, wt_fd_t fd, wt__desc_t *d,
                            const wt_iovec_t *iovs, uint32_t n,
                            uint32_t *nread) {
  wt_errno_t err;
  if (iov_room(iovs, n) < 8)
    return WT_EINVAL;
  while (d->count == 0)
    if ((err = block(w, d)) != WT_ESUCCESS)
      return interrupted(w, err);
  uint64_t v = d->semaphore ? 1 : d->count;
  scatter(iovs, n, v);
  set_count(w, fd, d, d->count - v, WT_EVENTFD_CAUSE_READ, WT_EPOLLOUT);
  *nread = 8;
  return WT_ESUCCESS;
}

wt_errno_t wt__eventfd_write(wt_t *w, wt_fd_t fd, wt__desc_t *d,
                             const wt_ciovec_t *iovs, uint32_t n,
                             uint32_t *nwritten) {
  wt_errno_t err;
  uint64_t v;
  if (ciov_room(iovs, n) < 8)
    return WT_EINVAL;
  v = gather(iovs, n);
  if (v == UINT64_MAX)
    return WT_EINVAL;
  while (v > EVENTFD_MAX - d->count)
    if ((err = block(w, d)) != WT_ESUCCESS)
      return interrupted(w, err);
  set_count(w, fd, d, d->count + v, WT_EVENTFD_CAUSE_WRITE, WT_EPOLLIN);
  *nwritten = 8;
  return WT_ESUCCESS;
}
