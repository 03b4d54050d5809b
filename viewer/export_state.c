/*
 * What the Perfetto and HTML exports derive across records: how calls nest
 * (a signal handler's calls start inside the host call it interrupted),
 * and the state counters drawn over time (each eventfd's counter, each
 * epoll's ready-list length, the open fds), rebuilt from the transitions.
 *
 * A trace is hostile input: its times may go backwards and its intervals
 * overlap without nesting. Intervals are clamped so that what is drawn is
 * always well formed (a viewer that gets overlapping slices on one thread
 * draws nonsense or drops them): a start never before the previous call's
 * start, an end never past the end of the call it nests in.
 *
 * The ready-list model follows core/epoll.c: READY queues an entry,
 * DROPPED and REMOVED* unqueue it, DELIVERED unqueues an edge-triggered or
 * oneshot entry and leaves a level-triggered one queued (the core requeues
 * it without a transition).
 */
#include <jansson.h>
#include <stdlib.h>

#include "viewer_internal.h"

static void open_set(wt__xstate_t *x, uint32_t fd, bool on) {
  uint8_t bit;
  if (fd >= WT__VIEW_MAX_FD)
    return;
  bit = (uint8_t)(1u << (fd & 7));
  if (on && !(x->open[fd >> 3] & bit)) {
    x->open[fd >> 3] |= bit;
    x->nopen++;
  } else if (!on && (x->open[fd >> 3] & bit)) {
    x->open[fd >> 3] &= (uint8_t)~bit;
    x->nopen--;
  }
}

void wt__xs_init(wt__xstate_t *x) {
  memset(x, 0, sizeof *x);
  for (uint32_t fd = 0; fd < 3; fd++)
    open_set(x, fd, true);
}

void wt__xs_free(wt__xstate_t *x) {
  free(x->ready);
  free(x->entries);
  x->ready = NULL;
  x->entries = NULL;
}

void wt__xs_meta(wt__xstate_t *x, const wt_trace_meta_t *m) {
  json_t *j;
  if (m->type != WT_META_JSON || (strcmp(m->key, "preopens") != 0 &&
                                  strcmp(m->key, "socket_preopens") != 0))
    return;
  if ((j = json_loads(m->text, 0, NULL)) == NULL)
    return;
  /* Preopens take fds 3, 4, ... in order, sockets after the paths; the
   * two entries may come in either order, so count both from 3. */
  if (json_is_array(j)) {
    uint32_t base = x->nopen;
    for (size_t i = 0; i < json_array_size(j) && i < 1024; i++)
      open_set(x, base + (uint32_t)i, true);
  }
  json_decref(j);
}

uint64_t wt__xs_total(wt_trace_t *t) {
  const wt_trace_meta_t *m = wt_trace_meta_get(t, "calls");
  return m != NULL && m->type == WT_META_INT && m->i > 0 ? (uint64_t)m->i : 0;
}

void wt__xs_span(wt__xstate_t *x, const wt_trace_call_t *c, wt__xspan_t *s) {
  uint64_t start = c->start_ns > x->last_start ? c->start_ns : x->last_start;
  uint64_t end = c->dur_ns > UINT64_MAX - start ? UINT64_MAX
                                                : start + c->dur_ns;
  /* Calls that ended before this one started are over. */
  while (x->depth > 0 && start >= x->ends[x->depth - 1])
    x->depth--;
  if (x->depth > 0 && end > x->ends[x->depth - 1])
    end = x->ends[x->depth - 1];
  s->start = start;
  s->end = end;
  s->depth = x->depth;
  if (x->depth < WT__XS_DEPTH)
    x->ends[x->depth++] = end;
  else
    s->depth = WT__XS_DEPTH - 1;
  x->last_start = start;
  if (end > x->last_end)
    x->last_end = end;
}

/* ---- epoll entries ---------------------------------------------------------
 */

static uint32_t slot_of(uint64_t key, uint32_t cap) {
  key ^= key >> 31;
  key *= 0x9e3779b97f4a7c15ull;
  return (uint32_t)(key >> 32) & (cap - 1);
}

static bool grow(wt__xstate_t *x) {
  uint32_t cap = x->cap ? x->cap * 2 : 1024;
  wt__xentry_t *old = x->entries, *e;
  if (cap > WT__XS_MAX_ENTRIES * 2 || (e = calloc(cap, sizeof *e)) == NULL)
    return false;
  x->entries = e;
  x->used = 0;
  for (uint32_t i = 0; i < x->cap; i++)
    if (old[i].live) {
      uint32_t j = slot_of(old[i].key, cap);
      while (e[j].live)
        j = (j + 1) & (cap - 1);
      e[j] = old[i];
      x->used++;
    }
  x->cap = cap;
  free(old);
  return true;
}

/* The entry (epfd, fd), made when `make`; NULL when absent or full. */
static wt__xentry_t *entry(wt__xstate_t *x, uint32_t epfd, uint32_t fd,
                           bool make) {
  uint64_t key = (uint64_t)epfd << 32 | fd;
  uint32_t i;
  if (x->cap == 0 && (!make || !grow(x)))
    return NULL;
  for (i = slot_of(key, x->cap); x->entries[i].live;
       i = (i + 1) & (x->cap - 1))
    if (x->entries[i].key == key)
      return &x->entries[i];
  if (!make)
    return NULL;
  /* Removed entries stay as dead slots until the table grows: keep it at
   * most half full counting them. */
  if ((x->used + 1) * 2 > x->cap) {
    if (!grow(x))
      return NULL;
    return entry(x, epfd, fd, true);
  }
  x->entries[i].key = key;
  x->entries[i].live = true;
  x->entries[i].events = 0;
  x->entries[i].queued = false;
  x->used++;
  return &x->entries[i];
}

static uint32_t *ready_of(wt__xstate_t *x, uint32_t epfd) {
  if (epfd >= WT__VIEW_MAX_FD)
    return NULL;
  if (x->ready == NULL &&
      (x->ready = calloc(WT__VIEW_MAX_FD, sizeof *x->ready)) == NULL)
    return NULL;
  return &x->ready[epfd];
}

/* Queues or unqueues (epfd, fd); true when the ready length changed. */
static bool queue(wt__xstate_t *x, const wt_transition_t *t, bool on) {
  wt__xentry_t *e = entry(x, t->fd, t->fd2, on);
  uint32_t *n = ready_of(x, t->fd);
  if (e == NULL || n == NULL || e->queued == on)
    return false;
  e->queued = on;
  *n += on ? 1 : (*n > 0 ? (uint32_t)-1 : 0);
  return true;
}

/* Applies one epoll transition; true when the ready length changed. */
static bool epoll_apply(wt__xstate_t *x, const wt_transition_t *t) {
  wt__xentry_t *e;
  switch (t->kind) {
  case WT_TR_EPOLL_ADDED:
  case WT_TR_EPOLL_MODIFIED:
    if ((e = entry(x, t->fd, t->fd2, true)) != NULL)
      e->events = (uint32_t)t->a;
    return false;
  case WT_TR_EPOLL_READY:
    return queue(x, t, true);
  case WT_TR_EPOLL_DELIVERED:
    e = entry(x, t->fd, t->fd2, false);
    if (e != NULL && !(e->events & (WT_EPOLLET | WT_EPOLLONESHOT)))
      return false;
    return queue(x, t, false);
  case WT_TR_EPOLL_DROPPED:
  case WT_TR_EPOLL_DISABLED:
    return queue(x, t, false);
  case WT_TR_EPOLL_REMOVED:
  case WT_TR_EPOLL_REMOVED_BY_CLOSE:
    /* The entry's slot stays: a later ADD of the same key reuses it. */
    return queue(x, t, false);
  default:
    return false;
  }
}

void wt__xs_apply(wt__xstate_t *x, const wt_trace_call_t *c,
                  const wt__xspan_t *s, wt__xs_counter_fn fn, void *ud) {
  uint64_t ts = s->end > x->last_counter ? s->end : x->last_counter;
  x->last_counter = ts;
  for (uint32_t i = 0; i < c->ntransitions; i++) {
    const wt_transition_t *t = &c->transitions[i];
    uint32_t before = x->nopen;
    switch (t->kind) {
    case WT_TR_FD_OPENED:
      open_set(x, t->fd, true);
      break;
    case WT_TR_FD_CLOSED:
      open_set(x, t->fd, false);
      break;
    case WT_TR_FD_RENUMBERED:
      open_set(x, t->fd, false);
      open_set(x, t->fd2, true);
      break;
    case WT_TR_FD_DUPLICATED:
      open_set(x, t->fd2, true);
      break;
    case WT_TR_EVENTFD_COUNTER:
      fn(ud, ts, WT__XS_EVENTFD, t->fd, t->b);
      break;
    default:
      if (epoll_apply(x, t))
        fn(ud, ts, WT__XS_EPOLL, t->fd, *ready_of(x, t->fd));
    }
    if (x->nopen != before)
      fn(ud, ts, WT__XS_OPEN, 0, x->nopen);
  }
}
