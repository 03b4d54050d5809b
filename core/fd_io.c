/*
 * fd_read, fd_write, fd_pread, fd_pwrite, fd_seek, fd_tell: data transfer
 * and the file offset.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

static bool is_socket(const wt__desc_t *d) {
  return d->type == WT_FILETYPE_SOCKET_STREAM ||
         d->type == WT_FILETYPE_SOCKET_DGRAM;
}

/*
 * NONBLOCK emulation (see wt__desc_t.nonblock). Sockets take MSG_DONTWAIT
 * per call. Regular files never block. Anything else (pipes, terminals)
 * gets EAGAIN unless poll says the host fd is ready now; hang-ups and
 * errors count as ready so the transfer reports them.
 */
static bool emulated(const wt__desc_t *d) {
  return d->nonblock && !is_socket(d) && d->type != WT_FILETYPE_REGULAR_FILE;
}

static wt_errno_t would_block(const wt__desc_t *d, short events) {
  struct pollfd p;
  int r;
  if (!emulated(d))
    return WT_ESUCCESS;
  p = (struct pollfd){d->host_fd, events, 0};
  do
    r = poll(&p, 1, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return WT__ERR();
  return r == 0 ? WT_EAGAIN : WT_ESUCCESS;
}

/*
 * A writable pipe has room for at least PIPE_BUF bytes, but a blocking
 * write of more waits until all of it is taken. An emulated non-blocking
 * write is therefore cut to PIPE_BUF bytes: a short write, never a wait.
 */
static void vec_cap(wt__iov_t *io, size_t max) {
  size_t sum = 0;
  for (int i = 0; i < io->n; i++) {
    if (io->v[i].iov_len >= max - sum) {
      io->v[i].iov_len = max - sum;
      io->n = i + 1;
      io->total = max;
      return;
    }
    sum += io->v[i].iov_len;
  }
}

/*
 * One buffer goes through read/write/pread/pwrite: the vector calls cost
 * the kernel an iovec copy and check (~130 ns more per call measured on a
 * VM where write itself costs ~450 ns), and most guests pass one buffer.
 */
static ssize_t host_vwrite(int fd, const wt__iov_t *io) {
  if (io->n == 1)
    return write(fd, io->v[0].iov_base, io->v[0].iov_len);
  return writev(fd, io->v, io->n);
}

static ssize_t host_vread(int fd, const wt__iov_t *io) {
  if (io->n == 1)
    return read(fd, io->v[0].iov_base, io->v[0].iov_len);
  return readv(fd, io->v, io->n);
}

/*
 * Writes to a pipe whose reader has gone raise SIGPIPE, which would kill the
 * whole host process (and the trace being recorded) instead of telling the
 * guest EPIPE. The signal is blocked for the write and, if the write raised
 * it, consumed. A SIGPIPE that was already pending is left alone.
 */
static ssize_t writev_nosigpipe(int fd, const wt__iov_t *io) {
  static const struct timespec no_wait = {0, 0};
  sigset_t pipe_set, old, pending;
  bool was_pending;
  ssize_t r;
  int err;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
  r = host_vwrite(fd, io);
  err = errno;
  if (r < 0 && err == EPIPE && !was_pending)
    while (sigtimedwait(&pipe_set, NULL, &no_wait) < 0 && errno == EINTR)
      ;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  errno = err;
  return r;
}

/* Sockets go through sendmsg/recvmsg for their per-call flags. */
static ssize_t sock_io(const wt__desc_t *d, const wt__iov_t *io, bool out) {
  struct msghdr m = {0};
  int flags = d->nonblock ? MSG_DONTWAIT : 0;
  m.msg_iov = io->v;
  m.msg_iovlen = (size_t)io->n;
  return out ? sendmsg(d->host_fd, &m, flags | MSG_NOSIGNAL)
             : recvmsg(d->host_fd, &m, flags);
}

/* One write attempt, without raising SIGPIPE on pipes and sockets. */
static ssize_t host_writev(const wt__desc_t *d, const wt__iov_t *io) {
  if (is_socket(d))
    return sock_io(d, io, true);
  /* FIFOs are the only other source of SIGPIPE. */
  if (d->type == WT_FILETYPE_UNKNOWN)
    return writev_nosigpipe(d->host_fd, io);
  return host_vwrite(d->host_fd, io);
}

/*
 * The transfer helpers below retry EINTR: the guest has no signal handlers
 * that could want to see it. Linux transfers at most 0x7ffff000 bytes per
 * call, so the byte count always fits the guest's uint32.
 */
static wt_errno_t do_readv(const wt__desc_t *d, const wt__iov_t *io,
                           uint32_t *nread) {
  ssize_t r;
  do
    r = is_socket(d) ? sock_io(d, io, false) : host_vread(d->host_fd, io);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return WT__ERR();
  *nread = (uint32_t)r;
  return WT_ESUCCESS;
}

/*
 * A blocking transfer on a host stream while a signal timer can end a
 * wait: wait for the fd first, so that the timer can interrupt the wait
 * (EINTR, the signal delivered by the caller once it holds nothing;
 * signal.c). Without one the transfer blocks in the host as before, except
 * on a pipe of the guest's own (fd_pipe) that is not ready: only the guest
 * could ever end that wait, so it is EDEADLK at once, as for an eventfd.
 * That is also the answer to a signal handler (whose signals are held)
 * reading its own empty pipe, which a timer used to wake again and again.
 */
static wt_errno_t interruptible(wt_t *w, const wt__desc_t *d, short events) {
  struct pollfd p;
  bool timer;
  wt_errno_t err;
  int r;
  if (d->nonblock || d->type == WT_FILETYPE_REGULAR_FILE)
    return WT_ESUCCESS;
  /* The wrong end of a pipe goes to the host, which says EBADF. */
  timer = wt__signal_can_wake(w);
  if (!timer && d->guest_pipe != events)
    return WT_ESUCCESS;
  p = (struct pollfd){d->host_fd, events, 0};
  if (!timer) {
    do
      r = poll(&p, 1, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0)
      return WT__ERR();
    return r > 0 ? WT_ESUCCESS : WT_EDEADLK;
  }
  for (;;) {
    if (p.revents != 0)
      return WT_ESUCCESS;
    if (wt__signal_interrupts(w))
      return WT_EINTR;
    if ((err = wt__wait(w, &p, 1, UINT64_MAX)) != WT_ESUCCESS)
      return err;
  }
}

/* After the transfer: epoll entries may fire again; an interrupted wait
 * delivers its signal now that nothing is held. */
static wt_errno_t transferred(wt_t *w, wt__desc_t *d, wt_errno_t err) {
  if (d->watchers != NULL)
    wt__epoll_touch(d);
  if (err == WT_EINTR)
    wt__signal_run(w);
  return err;
}

static wt_errno_t do_writev(const wt__desc_t *d, wt__iov_t *io,
                            uint32_t *nwritten) {
  ssize_t r;
  if (emulated(d) && io->total > PIPE_BUF)
    vec_cap(io, PIPE_BUF);
  do
    r = host_writev(d, io);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return WT__ERR();
  *nwritten = (uint32_t)r;
  return WT_ESUCCESS;
}

/*
 * What fd_read and fd_write do once the guest's iovecs are host iovecs:
 * nothing asked for is done at once, without waiting for or consuming
 * anything; else wait where the fd would block, and transfer.
 */
static wt_errno_t stream_io(wt_t *w, wt__desc_t *d, wt__iov_t *io, bool out,
                            uint32_t *n) {
  short events = out ? POLLOUT : POLLIN;
  wt_errno_t err;
  *n = 0;
  if (io->total == 0)
    return WT_ESUCCESS;
  err = would_block(d, events);
  if (err == WT_ESUCCESS)
    err = interruptible(w, d, events);
  if (err == WT_ESUCCESS)
    err = out ? do_writev(d, io, n) : do_readv(d, io, n);
  return err;
}

wt_errno_t wt_fd_read(wt_t *w, wt_fd_t fd, const wt_iovec_t *iovs,
                      uint32_t iovs_len, uint32_t *nread) {
  wt__fd_t *e;
  wt__iov_t io;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_FD_READ, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if (e->desc->type == WT_FILETYPE_DIRECTORY)
    return WT_EISDIR;
  if (e->desc->kind == WT_DESC_EVENTFD)
    return wt__eventfd_read(w, fd, e->desc, iovs, iovs_len, nread);
  if (wt__desc_inproc(e->desc))
    return WT_EINVAL;
  err = wt__iov_from_iovs(w, &io, iovs, iovs_len);
  if (err == WT_ESUCCESS)
    err = stream_io(w, e->desc, &io, false, nread);
  wt__iov_free(w, &io);
  return transferred(w, e->desc, err);
}

/*
 * One guest buffer, the common case, as a host iovec without the general
 * conversion (a buffer's length is a u32: no clipping is needed).
 */
static void one_iov(wt__iov_t *io, const void *buf, uint32_t len) {
  io->n = 1;
  io->v = io->stack;
  io->v[0].iov_base = (void *)(uintptr_t)buf;
  io->v[0].iov_len = len;
  io->total = len;
}

/*
 * A blocking transfer to a file or a device (a terminal, /dev/null) that
 * no epoll set watches and no signal timer may interrupt: stream_io's
 * checks all pass and transferred() has nothing to do, so the host call
 * is the whole transfer. Most writes are these.
 */
static bool direct(wt_t *w, const wt__desc_t *d) {
  if (d->nonblock || d->watchers != NULL)
    return false;
  if (d->type == WT_FILETYPE_REGULAR_FILE)
    return true;
  return d->type == WT_FILETYPE_CHARACTER_DEVICE && !wt__signal_can_wake(w);
}

static wt_errno_t direct_write(const wt__desc_t *d, const wt_ciovec_t *iov,
                               uint32_t *nwritten) {
  ssize_t r = 0;
  if (iov->buf_len > 0)
    do
      r = write(d->host_fd, iov->buf, iov->buf_len);
    while (r < 0 && errno == EINTR);
  if (r < 0)
    return WT__ERR();
  *nwritten = (uint32_t)r;
  return WT_ESUCCESS;
}

/* Everything but the direct path, out of line: its iovec conversion
 * keeps a frame of 330 bytes and six saved registers that the direct
 * path, most writes, would otherwise pay for too. */
static __attribute__((noinline)) wt_errno_t
write_general(wt_t *w, wt_fd_t fd, wt__desc_t *d, const wt_ciovec_t *iovs,
              uint32_t iovs_len, uint32_t *nwritten) {
  wt__iov_t io;
  wt_errno_t err = WT_ESUCCESS;
  if (d->type == WT_FILETYPE_DIRECTORY)
    return WT_EISDIR;
  if (d->kind == WT_DESC_EVENTFD)
    return wt__eventfd_write(w, fd, d, iovs, iovs_len, nwritten);
  if (wt__desc_inproc(d))
    return WT_EINVAL;
  if (iovs_len == 1)
    one_iov(&io, iovs[0].buf, iovs[0].buf_len);
  else
    err = wt__iov_from_ciovs(w, &io, iovs, iovs_len);
  if (err == WT_ESUCCESS)
    err = stream_io(w, d, &io, true, nwritten);
  if (io.v != io.stack)
    wt__iov_free(w, &io);
  return transferred(w, d, err);
}

/* direct() holds only for a host file or device (never a directory, an
 * eventfd or an in-process pipe), so its test comes first. */
wt_errno_t wt_fd_write(wt_t *w, wt_fd_t fd, const wt_ciovec_t *iovs,
                       uint32_t iovs_len, uint32_t *nwritten) {
  wt__fd_t *e;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_FD_WRITE, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if (iovs_len == 1 && direct(w, e->desc))
    return direct_write(e->desc, &iovs[0], nwritten);
  return write_general(w, fd, e->desc, iovs, iovs_len, nwritten);
}

/*
 * Positioned transfers go to the host even with nothing to transfer, so a
 * pipe or terminal answers ESPIPE (and a directory EISDIR) consistently.
 * These are the checks both make first.
 */
static wt_errno_t positioned(wt_t *w, wt_fd_t fd, wt_rights_t right,
                             uint64_t offset, wt__desc_t **d) {
  wt__fd_t *e;
  wt_errno_t err = wt__fd_get(w, fd, right, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  /* An eventfd is a stream, like a pipe. */
  if (wt__desc_inproc(e->desc))
    return WT_ESPIPE;
  if (offset > INT64_MAX)
    return WT_EINVAL;
  *d = e->desc;
  return WT_ESUCCESS;
}

static wt_errno_t positioned_io(const wt__desc_t *d, const wt__iov_t *io,
                                uint64_t offset, bool out, uint32_t *n) {
  const struct iovec *v = io->v;
  ssize_t r;
  do
    if (io->n == 1)
      r = out ? pwrite(d->host_fd, v->iov_base, v->iov_len, (off_t)offset)
              : pread(d->host_fd, v->iov_base, v->iov_len, (off_t)offset);
    else
      r = out ? pwritev(d->host_fd, v, io->n, (off_t)offset)
              : preadv(d->host_fd, v, io->n, (off_t)offset);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return WT__ERR();
  *n = (uint32_t)r;
  return WT_ESUCCESS;
}

wt_errno_t wt_fd_pread(wt_t *w, wt_fd_t fd, const wt_iovec_t *iovs,
                       uint32_t iovs_len, uint64_t offset, uint32_t *nread) {
  wt__desc_t *d;
  wt__iov_t io;
  wt_errno_t err = positioned(w, fd, WT_RIGHT_FD_READ, offset, &d);
  if (err != WT_ESUCCESS)
    return err;
  err = wt__iov_from_iovs(w, &io, iovs, iovs_len);
  if (err == WT_ESUCCESS)
    err = positioned_io(d, &io, offset, false, nread);
  wt__iov_free(w, &io);
  return err;
}

/*
 * On a file opened with APPEND, Linux appends whatever the offset (see
 * pwrite(2), BUGS); the guest gets the host's behaviour.
 */
wt_errno_t wt_fd_pwrite(wt_t *w, wt_fd_t fd, const wt_ciovec_t *iovs,
                        uint32_t iovs_len, uint64_t offset,
                        uint32_t *nwritten) {
  wt__desc_t *d;
  wt__iov_t io;
  wt_errno_t err = positioned(w, fd, WT_RIGHT_FD_WRITE, offset, &d);
  if (err != WT_ESUCCESS)
    return err;
  err = wt__iov_from_ciovs(w, &io, iovs, iovs_len);
  if (err == WT_ESUCCESS)
    err = positioned_io(d, &io, offset, true, nwritten);
  wt__iov_free(w, &io);
  return err;
}

static wt_errno_t host_whence(uint8_t whence, int *out) {
  switch (whence) {
  case WT_WHENCE_SET:
    *out = SEEK_SET;
    return WT_ESUCCESS;
  case WT_WHENCE_CUR:
    *out = SEEK_CUR;
    return WT_ESUCCESS;
  case WT_WHENCE_END:
    *out = SEEK_END;
    return WT_ESUCCESS;
  default:
    return WT_EINVAL;
  }
}

/* A resulting negative offset is refused by the host with EINVAL. */
wt_errno_t wt_fd_seek(wt_t *w, wt_fd_t fd, int64_t offset, uint8_t whence,
                      uint64_t *newoffset) {
  wt__fd_t *e;
  off_t r;
  int how;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_FD_SEEK, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  /* Not reachable with an eventfd's own rights (no FD_SEEK). */
  if (wt__desc_inproc(e->desc))
    return WT_ESPIPE;
  err = host_whence(whence, &how);
  if (err != WT_ESUCCESS)
    return err;
  r = lseek(e->desc->host_fd, (off_t)offset, how);
  if (r < 0)
    return WT__ERR();
  *newoffset = (uint64_t)r;
  return WT_ESUCCESS;
}

wt_errno_t wt_fd_tell(wt_t *w, wt_fd_t fd, uint64_t *offset) {
  wt__fd_t *e;
  off_t r;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_FD_TELL, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if (wt__desc_inproc(e->desc))
    return WT_ESPIPE;
  r = lseek(e->desc->host_fd, 0, SEEK_CUR);
  if (r < 0)
    return WT__ERR();
  *offset = (uint64_t)r;
  return WT_ESUCCESS;
}
