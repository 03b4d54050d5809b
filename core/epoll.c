/*
 * epoll_create, epoll_ctl, epoll_wait: the WASIX epoll, modelled on Linux
 * (and gVisor's reading of it); abi-reference.md section 4 numbers the
 * rules cited below.
 *
 * An epoll description holds an interest set: entries keyed by (watched
 * description, fd number), kept in ADD order, and a ready list in the order
 * entries became ready. An entry holds no reference to what it watches; it
 * is removed when the last reference to that description goes (rule 7: a
 * dup keeps it), and an epoll description's entries go with it (rule 8).
 * The stored mask always includes ERR and HUP. Every change is reported to
 * the observer (core.h): ADDED, MODIFIED, REMOVED (DEL), REMOVED_BY_CLOSE,
 * READY, DELIVERED, DROPPED (not ready any more at harvest) and DISABLED
 * (ONESHOT).
 *
 * How entries become ready (rule 4):
 * - In-process objects (eventfds, epoll fds) call wt__epoll_notify when
 *   their state changes, as Linux's wake-ups do, with the events that
 *   happened; an entry asking for one of them is queued.
 * - Host fds (pipes, sockets, terminals, files) cannot call back. Their
 *   readiness is sampled with a zero-timeout poll(2) at ADD and MOD and at
 *   every epoll_wait before the harvest; entries found ready are queued in
 *   interest order. Edge-triggered entries fire on a rising readiness bit
 *   between two samples, and any transfer the guest makes on the
 *   description (wt__epoll_touch) re-arms them: a new arrival after the
 *   guest drained the fd is never missed, at the price of a spurious event
 *   after a partial read (harmless to an ET reader, which reads until
 *   EAGAIN). New data arriving while the fd is still readable and the guest
 *   has not touched it gives no new edge, unlike Linux.
 * - Regular files and directories are always IN|OUT ready. Linux refuses
 *   them with EPERM; the issue asks that they work, so they are watchable.
 * - A nested epoll fd is readable when its ready list holds an entry that is
 *   still ready (rule 6); the check drops the others, as Linux does.
 *
 * Harvest (rule 5): pop entries, recompute readiness & mask; 0 drops the
 * entry; ONESHOT disables it until MOD; ET entries leave the list;
 * level-triggered ones are requeued at the tail, so maxevents smaller than
 * the ready set walks round-robin. Entries requeued during a harvest are
 * not seen again by it.
 *
 * Blocking: with nothing ready, epoll_wait ppolls the host fds of the
 * interest set (through nested epolls too) until the timeout or the next
 * signal timer, then samples and harvests again. A signal timer that expires
 * with nothing to report runs the guest's handler and returns EINTR. A
 * forever wait with no host fd and no timer could never end (single-
 * threaded guest): EDEADLK at once instead of hanging.
 *
 * Choices where Linux, Wasmer and WASIX disagree:
 * - ops are WASIX's: ADD 0, MOD 1, DEL 2; anything else is EINVAL. (wasix-
 *   libc passes Linux's ADD 1, DEL 2, MOD 3 unchanged: its ADD arrives as
 *   MOD and fails with ENOENT, its MOD as EINVAL; a trace shows this.)
 * - A NULL event for ADD or MOD is EFAULT (Linux's answer for a bad
 *   pointer); DEL ignores the event.
 * - Adding an epoll fd to itself is ELOOP, through any fd number (Linux says
 *   EINVAL when fd == epfd, ELOOP through a dup); cycles and a chain of more
 *   than 5 epoll instances are ELOOP, as in Linux.
 * - ET and ONESHOT are honoured and one record carries all of an entry's
 *   ready bits (Wasmer does neither).
 * - maxevents 0 is EINVAL (Linux); the timeout is in nanoseconds (WASIX),
 *   UINT64_MAX waits forever, 0 only samples.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "internal.h"

#define FOREVER UINT64_MAX
#define MAX_NEST 5
#define WAIT_STACK_FDS 16

/* The events readiness can report; ET and ONESHOT are entry flags. */
#define READY_BITS                                                           \
  (WT_EPOLLIN | WT_EPOLLOUT | WT_EPOLLRDHUP | WT_EPOLLPRI | WT_EPOLLERR |     \
   WT_EPOLLHUP)

typedef struct wt__epitem_s {
  wt__desc_t *owner; /* the epoll description */
  wt__desc_t *file;  /* the watched description (not a reference) */
  wt_fd_t fd;        /* with `file`, the key */
  uint32_t events;   /* the guest's mask | ERR | HUP */
  wt_epoll_data_t data;
  /* Host and nested-epoll files: readiness at the last sample, and the
   * bits an edge-triggered entry has already fired for. */
  uint32_t cur;
  uint32_t seen;
  bool queued;
  bool disabled; /* ONESHOT fired: nothing until MOD */
  struct wt__epitem_s *prev, *next;   /* interest set, ADD order */
  struct wt__epitem_s *rprev, *rnext; /* ready list */
  struct wt__epitem_s *wnext;         /* file->watchers */
} wt__epitem_t;

typedef struct wt__epoll_s {
  wt__epitem_t *first, *last;
  wt__epitem_t *rfirst, *rlast;
  uint32_t nready;
  /* The fd number the guest last used for it, to name it in transitions. */
  wt_fd_t fd;
} wt__epoll_t;

static bool is_epoll(const wt__desc_t *d) { return d->kind == WT_DESC_EPOLL; }

static bool always_ready(const wt__desc_t *d) {
  return d->type == WT_FILETYPE_REGULAR_FILE ||
         d->type == WT_FILETYPE_DIRECTORY;
}

/* An fd number for epoll description d: the last one used if it still
 * names d, else the lowest that does (the guest may have renumbered it). */
static wt_fd_t ep_number(const wt_t *w, wt__desc_t *d) {
  wt__epoll_t *ep = d->ep;
  if (ep->fd < w->nfds && w->fds[ep->fd].desc == d)
    return ep->fd;
  for (wt_fd_t i = 0; i < w->nfds; i++)
    if (w->fds[i].desc == d)
      return ep->fd = i;
  return ep->fd;
}

/* Reports a transition of entry `it`; nothing is computed without an
 * observer. */
static void ep_emit(wt_t *w, wt_transition_kind_t kind, wt__epitem_t *it,
                    uint64_t events, bool with_data) {
  if (w->observer == NULL)
    return;
  wt__emit(w, kind, ep_number(w, it->owner), it->fd, events, 0,
           with_data ? it->data.data2 : 0);
}

/* ---- ready list ---------------------------------------------------------- */

static void enqueue(wt_t *w, wt__epitem_t *it, uint32_t why) {
  wt__epoll_t *ep = it->owner->ep;
  it->rnext = NULL;
  it->rprev = ep->rlast;
  if (ep->rlast != NULL)
    ep->rlast->rnext = it;
  else
    ep->rfirst = it;
  ep->rlast = it;
  ep->nready++;
  it->queued = true;
  if (why != 0)
    ep_emit(w, WT_TR_EPOLL_READY, it, why, false);
}

static void dequeue(wt__epitem_t *it) {
  wt__epoll_t *ep = it->owner->ep;
  if (it->rprev != NULL)
    it->rprev->rnext = it->rnext;
  else
    ep->rfirst = it->rnext;
  if (it->rnext != NULL)
    it->rnext->rprev = it->rprev;
  else
    ep->rlast = it->rprev;
  ep->nready--;
  it->queued = false;
}

/* ---- readiness ----------------------------------------------------------- */

static uint32_t host_readiness(int fd) {
  struct pollfd p = {fd, POLLIN | POLLOUT | POLLPRI | POLLRDHUP, 0};
  uint32_t r = 0;
  int n;
  while ((n = poll(&p, 1, 0)) < 0 && errno == EINTR)
    ;
  if (n <= 0)
    return 0;
  r |= (p.revents & POLLIN) ? WT_EPOLLIN : 0;
  r |= (p.revents & POLLOUT) ? WT_EPOLLOUT : 0;
  r |= (p.revents & POLLRDHUP) ? WT_EPOLLRDHUP : 0;
  r |= (p.revents & POLLPRI) ? WT_EPOLLPRI : 0;
  r |= (p.revents & (POLLERR | POLLNVAL)) ? WT_EPOLLERR : 0;
  r |= (p.revents & (POLLHUP | POLLNVAL)) ? WT_EPOLLHUP : 0;
  return r;
}

/* Readiness of a queued entry at harvest: eventfds live, others as the
 * sample taken just before. */
static uint32_t item_readiness(const wt__epitem_t *it) {
  if (it->file->kind == WT_DESC_EVENTFD)
    return wt__eventfd_ready(it->file);
  return it->cur;
}

/* A sample of a host or nested-epoll file's readiness (see the top). */
static void observe(wt_t *w, wt__epitem_t *it, uint32_t r) {
  uint32_t hit = r & it->events;
  uint32_t fresh = (it->events & WT_EPOLLET) ? hit & ~it->seen : hit;
  it->cur = r;
  it->seen = r;
  if (fresh != 0 && !it->queued)
    enqueue(w, it, fresh);
}

/* Samples every entry whose file cannot call back. */
static void refresh(wt_t *w, wt__desc_t *d) {
  for (wt__epitem_t *it = d->ep->first; it != NULL; it = it->next)
    if (!it->disabled && it->file->kind != WT_DESC_EVENTFD)
      observe(w, it, wt__readiness(w, it->file));
}

/* Rule 6: readable when a queued entry is still ready; the others are
 * dropped on the way. */
static bool epoll_readable(wt_t *w, wt__desc_t *d) {
  wt__epitem_t *it, *next;
  refresh(w, d);
  for (it = d->ep->rfirst; it != NULL; it = next) {
    next = it->rnext;
    if ((item_readiness(it) & it->events) != 0)
      return true;
    dequeue(it);
    ep_emit(w, WT_TR_EPOLL_DROPPED, it, 0, false);
  }
  return false;
}

uint32_t wt__readiness(wt_t *w, wt__desc_t *d) {
  if (d->kind == WT_DESC_EVENTFD)
    return wt__eventfd_ready(d);
  if (is_epoll(d))
    return epoll_readable(w, d) ? WT_EPOLLIN : 0;
  if (always_ready(d))
    return WT_EPOLLIN | WT_EPOLLOUT;
  return host_readiness(d->host_fd);
}

void wt__epoll_notify(wt_t *w, wt__desc_t *d, uint32_t happened) {
  for (wt__epitem_t *it = d->watchers; it != NULL; it = it->wnext) {
    uint32_t hit = happened & it->events;
    if (it->disabled || hit == 0)
      continue;
    if (!it->queued)
      enqueue(w, it, hit);
    /* Linux wakes pollers of the epoll fd on every such event; the nesting
     * bound keeps this recursion short. */
    if (it->owner->watchers != NULL)
      wt__epoll_notify(w, it->owner, WT_EPOLLIN);
  }
}

void wt__epoll_touch(wt__desc_t *d) {
  for (wt__epitem_t *it = d->watchers; it != NULL; it = it->wnext)
    it->seen = 0;
}

/* ---- the wait set -------------------------------------------------------- */

/*
 * The poll(2) events entry `it` waits for: its mask, less what an ET entry
 * has already fired for. -1: nothing to wait for on this fd (a file that is
 * always ready, or an ET entry that already saw ERR or HUP, which poll
 * would report at once, forever).
 */
static int wait_events(const wt__epitem_t *it) {
  uint32_t want = it->events;
  int ev = 0;
  if (it->disabled || always_ready(it->file))
    return -1;
  if (it->events & WT_EPOLLET) {
    if (it->seen & (WT_EPOLLERR | WT_EPOLLHUP))
      return -1;
    want &= ~it->seen;
  }
  ev |= (want & WT_EPOLLIN) ? POLLIN : 0;
  ev |= (want & WT_EPOLLOUT) ? POLLOUT : 0;
  ev |= (want & WT_EPOLLRDHUP) ? POLLRDHUP : 0;
  ev |= (want & WT_EPOLLPRI) ? POLLPRI : 0;
  return ev;
}

static uint32_t wait_fds(const wt__desc_t *d, struct pollfd *out,
                         uint32_t cap, uint32_t n) {
  for (const wt__epitem_t *it = d->ep->first; it != NULL; it = it->next) {
    int ev;
    if (it->file->kind == WT_DESC_EVENTFD)
      continue;
    ev = wait_events(it);
    if (ev < 0)
      continue;
    if (is_epoll(it->file)) {
      if (ev & POLLIN)
        n = wait_fds(it->file, out, cap, n);
      continue;
    }
    if (n < cap) {
      out[n].fd = it->file->host_fd;
      out[n].events = (short)ev;
      out[n].revents = 0;
    }
    n++;
  }
  return n;
}

uint32_t wt__epoll_wait_fds(const wt__desc_t *d, struct pollfd *out,
                            uint32_t cap) {
  return wait_fds(d, out, cap, 0);
}

/* One blocking wait for epoll_wait: the wait set until `deadline`. */
static wt_errno_t wait_ready(wt_t *w, wt__desc_t *d, uint64_t deadline) {
  struct pollfd stack[WAIT_STACK_FDS], *p = stack;
  uint32_t n = wait_fds(d, stack, WAIT_STACK_FDS, 0);
  wt_errno_t err;
  if (n > WAIT_STACK_FDS) {
    p = wt__calloc(w, n, sizeof *p);
    if (p == NULL)
      return WT_ENOMEM;
    wait_fds(d, p, n, 0);
  }
  err = wt__wait(w, p, n, deadline);
  if (p != stack)
    wt__free(w, p);
  return err;
}

/* ---- the interest set ---------------------------------------------------- */

static wt__epitem_t *find(const wt__desc_t *ep, const wt__desc_t *file,
                          wt_fd_t fd) {
  for (wt__epitem_t *it = file->watchers; it != NULL; it = it->wnext)
    if (it->owner == ep && it->fd == fd)
      return it;
  return NULL;
}

/* True when epoll `target` is `from` or watched from it, at any depth. */
static bool reaches(const wt__desc_t *from, const wt__desc_t *target) {
  if (from == target)
    return true;
  for (const wt__epitem_t *it = from->ep->first; it != NULL; it = it->next)
    if (is_epoll(it->file) && reaches(it->file, target))
      return true;
  return false;
}

/* Epoll instances in the longest chain from d down, d included. */
static uint32_t height(const wt__desc_t *d) {
  uint32_t h = 0;
  for (const wt__epitem_t *it = d->ep->first; it != NULL; it = it->next) {
    uint32_t below = is_epoll(it->file) ? height(it->file) : 0;
    if (below > h)
      h = below;
  }
  return h + 1;
}

/* Epoll instances in the longest chain watching d, d excluded. */
static uint32_t depth(const wt__desc_t *d) {
  uint32_t up = 0;
  for (const wt__epitem_t *it = d->watchers; it != NULL; it = it->wnext) {
    uint32_t above = depth(it->owner) + 1;
    if (above > up)
      up = above;
  }
  return up;
}

/* Rule 1: an epoll fd may not end up watching itself, nor nest too deep. */
static bool loops(const wt__desc_t *ep, const wt__desc_t *file) {
  if (!is_epoll(file))
    return false;
  return reaches(file, ep) || depth(ep) + 1 + height(file) > MAX_NEST;
}

static void set_mask(wt__epitem_t *it, const wt_epoll_event_t *event) {
  it->events = event->events | WT_EPOLLERR | WT_EPOLLHUP;
  it->data = event->data;
  it->disabled = false;
}

/* Rules 1 and 2: queued if ready now, whatever the ET edge memory said. */
static void sample(wt_t *w, wt__epitem_t *it) {
  uint32_t r = wt__readiness(w, it->file);
  it->cur = it->seen = r;
  if ((r & it->events) != 0 && !it->queued)
    enqueue(w, it, r & it->events);
}

static wt_errno_t add(wt_t *w, wt__desc_t *d, wt__desc_t *file, wt_fd_t fd,
                      const wt_epoll_event_t *event) {
  wt__epoll_t *ep = d->ep;
  wt__epitem_t *it;
  if (loops(d, file))
    return WT_ELOOP;
  it = wt__calloc(w, 1, sizeof *it);
  if (it == NULL)
    return WT_ENOMEM;
  it->owner = d;
  it->file = file;
  it->fd = fd;
  it->prev = ep->last;
  if (ep->last != NULL)
    ep->last->next = it;
  else
    ep->first = it;
  ep->last = it;
  it->wnext = file->watchers;
  file->watchers = it;
  set_mask(it, event);
  ep_emit(w, WT_TR_EPOLL_ADDED, it, it->events, true);
  sample(w, it);
  return WT_ESUCCESS;
}

static void modify(wt_t *w, wt__epitem_t *it, const wt_epoll_event_t *event) {
  set_mask(it, event);
  ep_emit(w, WT_TR_EPOLL_MODIFIED, it, it->events, true);
  sample(w, it);
}

/* Unlinks and frees an entry, reporting `kind` (a REMOVED kind). */
static void remove_item(wt_t *w, wt__epitem_t *it, wt_transition_kind_t kind) {
  wt__epoll_t *ep = it->owner->ep;
  wt__epitem_t **link = &it->file->watchers;
  ep_emit(w, kind, it, 0, false);
  if (it->queued)
    dequeue(it);
  if (it->prev != NULL)
    it->prev->next = it->next;
  else
    ep->first = it->next;
  if (it->next != NULL)
    it->next->prev = it->prev;
  else
    ep->last = it->prev;
  while (*link != it)
    link = &(*link)->wnext;
  *link = it->wnext;
  wt__free(w, it);
}

void wt__epoll_release(wt_t *w, wt__desc_t *d) {
  while (d->watchers != NULL)
    remove_item(w, d->watchers, WT_TR_EPOLL_REMOVED_BY_CLOSE);
  if (!is_epoll(d) || d->ep == NULL)
    return;
  while (d->ep->first != NULL)
    remove_item(w, d->ep->first, WT_TR_EPOLL_REMOVED_BY_CLOSE);
  wt__free(w, d->ep);
  d->ep = NULL;
}

/* ---- the calls ----------------------------------------------------------- */

/* Rights as Wasmer grants them. */
#define EPOLL_RIGHTS (WT_RIGHT_POLL_FD_READWRITE | WT_RIGHT_FD_FDSTAT_SET_FLAGS)

wt_errno_t wt_epoll_create(wt_t *w, uint32_t *fd) {
  wt__desc_t *d = wt__desc_new(w, WT_DESC_EPOLL, WT_FILETYPE_UNKNOWN, -1);
  wt_fd_t nfd;
  wt_errno_t err;
  if (d == NULL)
    return WT_ENOMEM;
  d->ep = wt__calloc(w, 1, sizeof *d->ep);
  if (d->ep == NULL) {
    wt__desc_unref(w, d);
    return WT_ENOMEM;
  }
  err = wt__fd_insert(w, d, EPOLL_RIGHTS, 0, 0, &nfd);
  if (err != WT_ESUCCESS) {
    wt__desc_unref(w, d);
    return err;
  }
  d->ep->fd = nfd;
  *fd = nfd;
  return WT_ESUCCESS;
}

wt_errno_t wt_epoll_ctl(wt_t *w, wt_fd_t epfd, uint32_t op, wt_fd_t fd,
                        const wt_epoll_event_t *event) {
  wt__fd_t *e, *f;
  wt__epitem_t *it;
  wt_errno_t err = wt__fd_get(w, epfd, WT_RIGHT_POLL_FD_READWRITE, 0, &e);
  if (err != WT_ESUCCESS ||
      (err = wt__fd_get(w, fd, WT_RIGHT_POLL_FD_READWRITE, 0, &f)) !=
          WT_ESUCCESS)
    return err;
  if (!is_epoll(e->desc) || op > WT_EPOLL_CTL_DEL)
    return WT_EINVAL;
  if (op != WT_EPOLL_CTL_DEL && event == NULL)
    return WT_EFAULT;
  e->desc->ep->fd = epfd;
  it = find(e->desc, f->desc, fd);
  switch (op) {
  case WT_EPOLL_CTL_ADD:
    return it != NULL ? WT_EEXIST : add(w, e->desc, f->desc, fd, event);
  case WT_EPOLL_CTL_MOD:
    if (it == NULL)
      return WT_ENOENT;
    modify(w, it, event);
    return WT_ESUCCESS;
  default:
    if (it == NULL)
      return WT_ENOENT;
    remove_item(w, it, WT_TR_EPOLL_REMOVED);
    return WT_ESUCCESS;
  }
}

/* Rule 5. Returns how many events were stored. */
static uint32_t harvest(wt_t *w, wt__desc_t *d, wt_epoll_event_t *events,
                        uint32_t maxevents) {
  wt__epoll_t *ep = d->ep;
  uint32_t remaining = ep->nready, n = 0;
  for (; remaining > 0 && n < maxevents; remaining--) {
    wt__epitem_t *it = ep->rfirst;
    uint32_t r = item_readiness(it) & it->events & READY_BITS;
    dequeue(it);
    if (r == 0) {
      ep_emit(w, WT_TR_EPOLL_DROPPED, it, 0, false);
      continue;
    }
    /* Whole record, padding included: it is copied to the guest. */
    memset(&events[n], 0, sizeof events[n]);
    events[n].events = r;
    events[n].data = it->data;
    n++;
    ep_emit(w, WT_TR_EPOLL_DELIVERED, it, r, true);
    if (it->events & WT_EPOLLONESHOT) {
      it->disabled = true;
      ep_emit(w, WT_TR_EPOLL_DISABLED, it, 0, false);
    } else if (!(it->events & WT_EPOLLET)) {
      enqueue(w, it, 0);
    }
  }
  return n;
}

wt_errno_t wt_epoll_wait(wt_t *w, wt_fd_t epfd, wt_epoll_event_t *events,
                         uint32_t maxevents, uint64_t timeout,
                         uint32_t *nevents) {
  wt__fd_t *e;
  wt__desc_t *d;
  uint64_t now, deadline;
  uint32_t n;
  wt_errno_t err = wt__fd_get(w, epfd, WT_RIGHT_POLL_FD_READWRITE, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if (!is_epoll(e->desc) || maxevents == 0)
    return WT_EINVAL;
  d = e->desc;
  d->ep->fd = epfd;
  now = wt__now();
  deadline = timeout > FOREVER - now ? FOREVER : now + timeout;
  for (;;) {
    refresh(w, d);
    n = harvest(w, d, events, maxevents);
    if (n > 0 || timeout == 0 ||
        (deadline != FOREVER && wt__now() >= deadline))
      break;
    /* Delivered last: the handler may even close this epoll fd. */
    if (wt__signal_interrupts(w)) {
      wt__signal_run(w);
      return WT_EINTR;
    }
    if ((err = wait_ready(w, d, deadline)) != WT_ESUCCESS)
      return err;
  }
  *nevents = n;
  return WT_ESUCCESS;
}
