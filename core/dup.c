/*
 * fd_pipe, fd_dup, fd_dup2, fd_fdflags_get, fd_fdflags_set: the WASIX fd
 * table calls.
 *
 * - fd_pipe makes a one-way host pipe (read end, write end), as current
 *   Wasmer does; the WASIX witx describes a bidirectional pair. Both ends
 *   are host descriptions of file type UNKNOWN (FIFOs have no WASI type)
 *   with stream rights: writing to the read end reaches the host and fails
 *   with EBADF, as on Linux.
 * - fd_dup shares the description (offset, NONBLOCK, epoll entries stay
 *   while any fd refers to it) in the lowest free slot, with the same
 *   rights; fd_dup2(fd, min_fd, cloexec) is F_DUPFD / F_DUPFD_CLOEXEC: the
 *   first free slot numbered min_fd or above (EINVAL when min_fd is past
 *   the table, EMFILE when none is free). A dup reports FD_DUPLICATED only
 *   (not FD_OPENED).
 * - CLOEXEC (WT_FDFLAGEXT_CLOEXEC) belongs to the slot: dup clears it, as
 *   Linux does; renumber moves it with the slot. Nothing ever execs, so it
 *   is stored and reported only. Unknown flag bits are EINVAL.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "internal.h"

wt_errno_t wt_fd_pipe(wt_t *w, uint32_t *fd_read, uint32_t *fd_write) {
  wt__desc_t *r, *wr;
  wt_fd_t rfd, wfd;
  wt_errno_t err;
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0)
    return WT__ERR();
  /* Each description owns its host fd from here on. */
  r = wt__desc_new(w, WT_DESC_HOST, WT_FILETYPE_UNKNOWN, p[0]);
  if (r == NULL) {
    close(p[0]);
    close(p[1]);
    return WT_ENOMEM;
  }
  wr = wt__desc_new(w, WT_DESC_HOST, WT_FILETYPE_UNKNOWN, p[1]);
  if (wr == NULL) {
    close(p[1]);
    wt__desc_unref(w, r);
    return WT_ENOMEM;
  }
  if ((err = wt__fd_insert(w, r, WT_RIGHTS_TTY, 0, 0, &rfd)) != WT_ESUCCESS) {
    wt__desc_unref(w, r);
    wt__desc_unref(w, wr);
    return err;
  }
  if ((err = wt__fd_insert(w, wr, WT_RIGHTS_TTY, 0, 0, &wfd)) != WT_ESUCCESS) {
    wt__fd_release(w, rfd);
    wt__desc_unref(w, wr);
    return err;
  }
  r->guest_pipe = POLLIN;
  wr->guest_pipe = POLLOUT;
  *fd_read = rfd;
  *fd_write = wfd;
  return WT_ESUCCESS;
}

/* Shares fd's description into the first free slot numbered min or above. */
static wt_errno_t dup_from(wt_t *w, wt_fd_t fd, wt_fd_t min, bool cloexec,
                           uint32_t *out) {
  wt__fd_t *e;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_NONE, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if (min >= w->nfds)
    return WT_EINVAL;
  for (wt_fd_t i = min; i < w->nfds; i++) {
    wt__fd_t *slot = &w->fds[i];
    if (slot->desc != NULL)
      continue;
    *slot = *e;
    slot->cloexec = cloexec;
    slot->desc->refs++;
    wt__emit(w, WT_TR_FD_DUPLICATED, fd, i, 0, 0, 0);
    *out = i;
    return WT_ESUCCESS;
  }
  return WT_EMFILE;
}

wt_errno_t wt_fd_dup(wt_t *w, wt_fd_t fd, uint32_t *dup) {
  return dup_from(w, fd, 0, false, dup);
}

wt_errno_t wt_fd_dup2(wt_t *w, wt_fd_t fd, uint32_t min_fd, uint32_t cloexec,
                      uint32_t *dup) {
  return dup_from(w, fd, min_fd, cloexec != 0, dup);
}

wt_errno_t wt_fd_fdflags_get(wt_t *w, wt_fd_t fd, uint16_t *flags) {
  wt__fd_t *e;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_NONE, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  *flags = e->cloexec ? WT_FDFLAGEXT_CLOEXEC : 0;
  return WT_ESUCCESS;
}

wt_errno_t wt_fd_fdflags_set(wt_t *w, wt_fd_t fd, uint16_t flags) {
  wt__fd_t *e;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_NONE, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if ((flags & ~WT_FDFLAGEXT_CLOEXEC) != 0)
    return WT_EINVAL;
  e->cloexec = (flags & WT_FDFLAGEXT_CLOEXEC) != 0;
  return WT_ESUCCESS;
}
