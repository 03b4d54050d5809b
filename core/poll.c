/*
 * poll_oneoff: wait for clocks and fd readiness.
 *
 * One synchronous ppoll(2) on the guest's thread. A libuv loop would cost
 * its set-up on every call and buy nothing here, since the call blocks the
 * guest anyway.
 *
 * The call runs in three steps:
 *   1. prepare: each subscription becomes a clock deadline, a host fd to
 *      poll (struct pollfd), or an event that is ready now (an error such
 *      as EBADF, or a regular file, which never blocks);
 *   2. wait: one ppoll over the host fds, until the earliest deadline (or
 *      not at all when something is ready now);
 *   3. collect: every subscription ready when the wait ends is reported,
 *      in subscription order. If nothing is (EINTR, or a realtime deadline
 *      moved by a clock change), go back to step 2 with the remaining time.
 *
 * Choices where preview1 leaves room:
 * - A clock id other than REALTIME or MONOTONIC, an unknown clock flag bit
 *   or an unknown subscription tag fails the whole call with EINVAL and no
 *   events, as Wasmtime's preview1 adapter does for the CPU-time clocks
 *   (clock_time_get, by contrast, supports them: they have no deadline a
 *   wait could sleep until).
 * - An fd subscription's own problem (EBADF, ENOTCAPABLE, a host POLLNVAL)
 *   is reported in its event, which counts as ready, as in uvwasi and
 *   Wasmtime; the call itself succeeds.
 * - fd_write events carry nbytes 0 for host streams: the host does not say
 *   how much room a pipe or socket has without guessing.
 * - The clock precision field is ignored; the wait uses the host's best.
 * - eventfds are readable while their counter is above 0 and writable
 *   below its maximum (nbytes 8, the size of a transfer); epoll fds are
 *   readable when an entry is ready. One that is not ready now is checked
 *   again after every wake-up; an epoll fd also adds the host fds of its
 *   interest set to the wait.
 * - A proc_raise_interval timer ends the wait: if nothing is ready then,
 *   the guest's handler runs and the call returns EINTR with no events, as
 *   Linux's poll(2) and nanosleep(2) do (signal.c). A wait that nothing
 *   could ever end (only eventfds that are not ready, no clock, no timer) is
 *   EDEADLK rather than a hang.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* How a subscription takes part in the wait. */
#define SUB_CLOCK 0 /* a deadline */
#define SUB_HOST 1  /* a host fd, polled as pfds[pfd] */
#define SUB_READY 2 /* ready now; its event is already in `ev` */
#define SUB_INPROC 3 /* an eventfd or epoll fd not ready yet */

typedef struct sub_s {
  uint8_t how;
  /* SUB_CLOCK: the deadline in ns, on CLOCK_REALTIME when realtime is set
   * (an absolute realtime timeout), else on CLOCK_MONOTONIC. */
  bool realtime;
  uint64_t deadline;
  /* SUB_HOST: index into the pollfd array. */
  uint32_t pfd;
  /* SUB_READY: the event to report. */
  wt_event_t ev;
  /* SUB_INPROC: the description, checked after each wait. */
  wt__desc_t *desc;
} sub_t;

/* The common case (a sleep, or one fd plus a timeout) needs no malloc. */
#define POLL_STACK_SUBS 8

#define FOREVER UINT64_MAX

static uint64_t now_ns(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t sat_add(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void fill_event(wt_event_t *ev, const wt_subscription_t *in,
                       wt_errno_t error, uint64_t nbytes,
                       wt_eventrwflags_t flags) {
  /* Whole struct, padding included: events end up in traces. */
  memset(ev, 0, sizeof *ev);
  ev->userdata = in->userdata;
  ev->error = error;
  ev->type = in->u.tag;
  ev->fd_readwrite.nbytes = nbytes;
  ev->fd_readwrite.flags = flags;
}

static wt_errno_t prep_clock(const wt_subscription_clock_t *c, sub_t *s) {
  if ((c->flags & ~WT_SUBSCRIPTION_CLOCK_ABSTIME) != 0)
    return WT_EINVAL;
  if (c->id != WT_CLOCK_REALTIME && c->id != WT_CLOCK_MONOTONIC)
    return WT_EINVAL;
  s->how = SUB_CLOCK;
  s->realtime = false;
  if ((c->flags & WT_SUBSCRIPTION_CLOCK_ABSTIME) == 0) {
    /* Relative timeouts run on the monotonic clock whatever the id: a
     * duration must not stretch or shrink when someone sets the date. */
    s->deadline = sat_add(now_ns(CLOCK_MONOTONIC), c->timeout);
  } else {
    /* The guest's monotonic clock is the host's (see clock.c). */
    s->realtime = c->id == WT_CLOCK_REALTIME;
    s->deadline = c->timeout;
  }
  return WT_ESUCCESS;
}

/* Bytes from the current offset to the end of a regular file. */
static uint64_t file_remaining(int fd) {
  struct stat st;
  off_t pos = lseek(fd, 0, SEEK_CUR);
  if (pos < 0 || fstat(fd, &st) != 0 || st.st_size <= pos)
    return 0;
  return (uint64_t)(st.st_size - pos);
}

/* Whether in-process description d is ready for the subscription; if so,
 * its event goes to *ev. */
static bool inproc_ready(wt_t *w, const wt_subscription_t *in, wt__desc_t *d,
                         wt_event_t *ev) {
  uint32_t want = in->u.tag == WT_EVENTTYPE_FD_READ ? WT_EPOLLIN : WT_EPOLLOUT;
  uint32_t r = wt__readiness(w, d);
  if ((r & (want | WT_EPOLLERR | WT_EPOLLHUP)) == 0)
    return false;
  fill_event(ev, in, WT_ESUCCESS, d->kind == WT_DESC_EVENTFD ? 8 : 0,
             (r & WT_EPOLLHUP) ? WT_EVENT_FD_READWRITE_HANGUP : 0);
  return true;
}

/*
 * The per-subscription step for fd_read / fd_write. In-process objects
 * (eventfds, epoll fds) answer with readiness now (SUB_READY) or are
 * checked again after every wake-up (SUB_INPROC); host fds are polled.
 */
static void prep_fd(wt_t *w, const wt_subscription_t *in, sub_t *s,
                    struct pollfd *pfds, uint32_t *npfds) {
  wt__fd_t *e;
  wt_errno_t err =
      wt__fd_get(w, in->u.u.fd_readwrite.fd, WT_RIGHT_POLL_FD_READWRITE, 0, &e);
  s->how = SUB_READY;
  if (err != WT_ESUCCESS) {
    fill_event(&s->ev, in, err, 0, 0);
    return;
  }
  if (wt__desc_inproc(e->desc)) {
    s->desc = e->desc;
    if (!inproc_ready(w, in, e->desc, &s->ev))
      s->how = SUB_INPROC;
    return;
  }
  switch (e->desc->type) {
  case WT_FILETYPE_REGULAR_FILE:
    /* Files never block; poll(2) would say the same without nbytes. */
    fill_event(&s->ev, in, WT_ESUCCESS,
               in->u.tag == WT_EVENTTYPE_FD_READ
                   ? file_remaining(e->desc->host_fd)
                   : 0,
               0);
    return;
  case WT_FILETYPE_DIRECTORY:
    fill_event(&s->ev, in, WT_ESUCCESS, 0, 0);
    return;
  default:
    s->how = SUB_HOST;
    s->pfd = *npfds;
    pfds[*npfds].fd = e->desc->host_fd;
    pfds[*npfds].events = in->u.tag == WT_EVENTTYPE_FD_READ ? POLLIN : POLLOUT;
    pfds[*npfds].revents = 0;
    ++*npfds;
    return;
  }
}

/* Step 1 for every subscription. Returns how many are ready now. */
static wt_errno_t prepare(wt_t *w, const wt_subscription_t *in, uint32_t n,
                          sub_t *subs, struct pollfd *pfds, uint32_t *npfds,
                          uint32_t *nready) {
  wt_errno_t err;
  *npfds = *nready = 0;
  for (uint32_t i = 0; i < n; i++) {
    switch (in[i].u.tag) {
    case WT_EVENTTYPE_CLOCK:
      if ((err = prep_clock(&in[i].u.u.clock, &subs[i])) != WT_ESUCCESS)
        return err;
      break;
    case WT_EVENTTYPE_FD_READ:
    case WT_EVENTTYPE_FD_WRITE:
      prep_fd(w, &in[i], &subs[i], pfds, npfds);
      *nready += subs[i].how == SUB_READY;
      break;
    default:
      return WT_EINVAL;
    }
  }
  return WT_ESUCCESS;
}

/* Time left before a clock subscription fires; 0 once it has. */
static uint64_t remaining(const sub_t *s, uint64_t mono, uint64_t real) {
  uint64_t now = s->realtime ? real : mono;
  return s->deadline > now ? s->deadline - now : 0;
}

/* How long the wait may last: until the earliest deadline, or forever. */
static uint64_t wait_time(const sub_t *subs, uint32_t n) {
  uint64_t mono = now_ns(CLOCK_MONOTONIC), real = now_ns(CLOCK_REALTIME);
  uint64_t t = FOREVER;
  for (uint32_t i = 0; i < n; i++) {
    if (subs[i].how != SUB_CLOCK)
      continue;
    uint64_t r = remaining(&subs[i], mono, real);
    if (r < t)
      t = r;
  }
  return t;
}

/* Step 2: one ppoll. EINTR is not an error: the caller recomputes. */
static wt_errno_t wait_host(struct pollfd *pfds, uint32_t npfds,
                            uint64_t timeout) {
  struct timespec ts;
  if (npfds == 0 && timeout == 0)
    return WT_ESUCCESS;
  ts.tv_sec = (time_t)(timeout / 1000000000ull);
  ts.tv_nsec = (long)(timeout % 1000000000ull);
  if (ppoll(pfds, npfds, timeout == FOREVER ? NULL : &ts, NULL) >= 0)
    return WT_ESUCCESS;
  if (errno != EINTR)
    return WT__ERR();
  for (uint32_t i = 0; i < npfds; i++)
    pfds[i].revents = 0;
  return WT_ESUCCESS;
}

/* The event of a host fd that poll(2) reported. */
static void host_event(const wt_subscription_t *in, const struct pollfd *p,
                       wt_event_t *ev) {
  wt_eventrwflags_t flags = 0;
  wt_errno_t error = WT_ESUCCESS;
  uint64_t nbytes = 0;
  int avail, soerr;
  socklen_t len = sizeof soerr;
  if (p->revents & POLLNVAL)
    error = WT_EBADF;
  if (p->revents & (POLLHUP | POLLERR))
    flags |= WT_EVENT_FD_READWRITE_HANGUP;
  /* Only sockets have SO_ERROR; on a pipe getsockopt fails and the event
   * carries HANGUP alone. Reading it clears the socket's pending error. */
  if ((p->revents & POLLERR) &&
      getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr != 0)
    error = wt_errno_from_host(soerr);
  if (in->u.tag == WT_EVENTTYPE_FD_READ && error == WT_ESUCCESS &&
      ioctl(p->fd, FIONREAD, &avail) == 0 && avail > 0)
    nbytes = (uint64_t)avail;
  fill_event(ev, in, error, nbytes, flags);
}

/* An epoll fd awaited for reading (it is never writable). */
static bool epoll_read_sub(const wt_subscription_t *in, const sub_t *s) {
  return s->how == SUB_INPROC && s->desc->kind == WT_DESC_EPOLL &&
         in->u.tag == WT_EVENTTYPE_FD_READ;
}

/*
 * Epoll fds not ready now also wait on the host fds of their interest sets,
 * appended to the subscriptions' own in a larger array.
 */
static wt_errno_t add_epoll_fds(wt_t *w, const wt_subscription_t *in,
                                const sub_t *subs, uint32_t n,
                                struct pollfd **pfds, uint32_t *npfds,
                                const struct pollfd *stack) {
  uint32_t extra = 0, at = *npfds;
  struct pollfd *p;
  for (uint32_t i = 0; i < n; i++)
    if (epoll_read_sub(&in[i], &subs[i]))
      extra += wt__epoll_wait_fds(subs[i].desc, NULL, 0);
  if (extra == 0)
    return WT_ESUCCESS;
  p = wt__calloc(w, *npfds + extra, sizeof *p);
  if (p == NULL)
    return WT_ENOMEM;
  memcpy(p, *pfds, *npfds * sizeof *p);
  for (uint32_t i = 0; i < n; i++)
    if (epoll_read_sub(&in[i], &subs[i]))
      at += wt__epoll_wait_fds(subs[i].desc, p + at, *npfds + extra - at);
  if (*pfds != stack)
    wt__free(w, *pfds);
  *pfds = p;
  *npfds = at;
  return WT_ESUCCESS;
}

/* Step 3: the ready subscriptions' events, in order. Returns the count. */
static uint32_t collect(wt_t *w, const wt_subscription_t *in, uint32_t n,
                        const sub_t *subs, const struct pollfd *pfds,
                        wt_event_t *out) {
  uint64_t mono = now_ns(CLOCK_MONOTONIC), real = now_ns(CLOCK_REALTIME);
  uint32_t count = 0;
  for (uint32_t i = 0; i < n; i++) {
    const sub_t *s = &subs[i];
    if (s->how == SUB_READY)
      out[count++] = s->ev;
    else if (s->how == SUB_HOST && pfds[s->pfd].revents != 0)
      host_event(&in[i], &pfds[s->pfd], &out[count++]);
    else if (s->how == SUB_CLOCK && remaining(s, mono, real) == 0)
      fill_event(&out[count++], &in[i], WT_ESUCCESS, 0, 0);
    else if (s->how == SUB_INPROC &&
             inproc_ready(w, &in[i], s->desc, &out[count]))
      count++;
  }
  return count;
}

wt_errno_t wt_poll_oneoff(wt_t *w, const wt_subscription_t *in, wt_event_t *out,
                          uint32_t nsubscriptions, uint32_t *nevents) {
  sub_t sub_stack[POLL_STACK_SUBS];
  struct pollfd pfd_stack[POLL_STACK_SUBS];
  sub_t *subs = sub_stack;
  struct pollfd *pfds = pfd_stack;
  uint32_t npfds, nready, count = 0;
  wt_errno_t err;
  if (nsubscriptions == 0)
    return WT_EINVAL;
  if (nsubscriptions > POLL_STACK_SUBS) {
    subs = wt__calloc(w, nsubscriptions, sizeof *subs);
    pfds = wt__calloc(w, nsubscriptions, sizeof *pfds);
    if (subs == NULL || pfds == NULL) {
      err = WT_ENOMEM;
      goto out;
    }
  }
  err = prepare(w, in, nsubscriptions, subs, pfds, &npfds, &nready);
  if (err == WT_ESUCCESS && nready == 0)
    err = add_epoll_fds(w, in, subs, nsubscriptions, &pfds, &npfds,
                        pfd_stack);
  while (err == WT_ESUCCESS && count == 0) {
    uint64_t t =
        wt__signal_timeout(w, nready ? 0 : wait_time(subs, nsubscriptions));
    if (npfds == 0 && t == FOREVER) {
      err = WT_EDEADLK;
      break;
    }
    err = wait_host(pfds, npfds, t);
    if (err == WT_ESUCCESS)
      count = collect(w, in, nsubscriptions, subs, pfds, out);
    if (err == WT_ESUCCESS && count == 0 && wt__signal_interrupts(w))
      err = WT_EINTR;
  }
  if (err == WT_ESUCCESS)
    *nevents = count;
out:
  if (subs != sub_stack)
    wt__free(w, subs);
  if (pfds != pfd_stack)
    wt__free(w, pfds);
  /* Last, with nothing held: the handler may not return. */
  if (err == WT_EINTR)
    wt__signal_run(w);
  return err;
}
