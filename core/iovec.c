/*
 * Guest iovecs -> host struct iovec, shared by the stream calls (fd_io.c)
 * and the socket calls (sock.c).
 */
#include <limits.h>

#include "internal.h"

/*
 * Makes room for n host iovecs. Counts over IOV_MAX are cut to IOV_MAX:
 * the host would refuse them with EINVAL, while a short transfer is
 * something every reader and writer must handle anyway.
 */
static wt_errno_t init(wt_t *w, wt__iov_t *io, uint32_t n) {
  io->n = n > IOV_MAX ? IOV_MAX : (int)n;
  io->total = 0;
  io->v = io->stack;
  if (io->n > WT__IOV_STACK) {
    io->v = wt__malloc(w, (size_t)io->n * sizeof *io->v);
    if (io->v == NULL)
      return WT_ENOMEM;
  }
  return WT_ESUCCESS;
}

/* Clips each buffer so the total stays within the 32-bit count the guest
 * gets back (guest buffers may overlap, so their sum is not bounded). */
static void set(wt__iov_t *io, int i, void *buf, uint32_t len) {
  size_t room = UINT32_MAX - io->total;
  size_t n = len < room ? len : room;
  io->v[i].iov_base = buf;
  io->v[i].iov_len = n;
  io->total += n;
}

wt_errno_t wt__iov_from_iovs(wt_t *w, wt__iov_t *io, const wt_iovec_t *iovs,
                             uint32_t n) {
  wt_errno_t err = init(w, io, n);
  for (int i = 0; err == WT_ESUCCESS && i < io->n; i++)
    set(io, i, iovs[i].buf, iovs[i].buf_len);
  return err;
}

wt_errno_t wt__iov_from_ciovs(wt_t *w, wt__iov_t *io, const wt_ciovec_t *iovs,
                              uint32_t n) {
  wt_errno_t err = init(w, io, n);
  /* The host's writev/sendmsg take non-const iovecs but do not write to
   * them: the cast drops const only. */
  for (int i = 0; err == WT_ESUCCESS && i < io->n; i++)
    set(io, i, (void *)(uintptr_t)iovs[i].buf, iovs[i].buf_len);
  return err;
}

void wt__iov_free(wt_t *w, wt__iov_t *io) {
  if (io->v != io->stack)
    wt__free(w, io->v);
}
