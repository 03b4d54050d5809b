/*
 * Core internals shared by the per-family files. Not a public header.
 */
#ifndef WT_CORE_INTERNAL_H
#define WT_CORE_INTERNAL_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#include "wt/core.h"

/* What backs an open description. */
#define WT_DESC_HOST 0   /* a host fd: file, directory, tty, pipe */
#define WT_DESC_SOCKET 1 /* a host socket (preopened or accepted) */
/* In-process objects: no host fd (host_fd is -1), state on the description. */
#define WT_DESC_EVENTFD 2 /* fd_event: a counter (eventfd.c) */
#define WT_DESC_EPOLL 3   /* epoll_create: an interest set (epoll.c) */

struct wt__epitem_s;
struct wt__epoll_s;

/*
 * An open file description. fds made by renumber or (later) dup share one;
 * it is freed when the last fd referring to it closes. Rights are not here:
 * WASI keeps them per fd.
 */
typedef struct wt__desc_s {
  uint32_t refs;
  uint8_t kind;
  wt_filetype_t type;
  int host_fd;
  /*
   * NONBLOCK as the guest set it. Kept here and emulated (poll before a
   * blocking operation) rather than set on host_fd, because a host fd may
   * share its description with the terminal (stdio) and must not change
   * under the user's shell.
   */
  bool nonblock;
  /*
   * The host fd shares its open file description with the host's terminal
   * or the embedder (stdio): the core never changes its status flags.
   */
  bool shared;
  /* Guest name of a preopened directory (NUL-terminated), else NULL. */
  char *preopen;
  uint32_t preopen_len;
  /*
   * For a guard (core.h): the guest-visible absolute path of a preopen, or
   * of a file or directory opened while a guard was set, else NULL.
   * gpath[0, groot_len) is the guest path of the preopen it lies under.
   */
  char *gpath;
  uint32_t gpath_len;
  uint32_t groot_len;
  /*
   * Directory listing state for fd_readdir: a host DIR stream over a
   * duplicate of host_fd, positioned by cookie (see fd_readdir.c).
   */
  DIR *dir;
  uint64_t dir_pos;
  /*
   * The epoll entries watching this description (linked through
   * wt__epitem_s.wnext), whatever its kind; removed when the last reference
   * goes (epoll.c).
   */
  struct wt__epitem_s *watchers;
  /*
   * An end of a pipe made by fd_pipe: POLLIN for the read end, POLLOUT for
   * the write end, else 0. Its other end is the guest's alone (nothing
   * execs, so no other process holds it), so a transfer that waits can
   * only be ended by the guest itself (fd_io.c).
   */
  short guest_pipe;
  /* WT_DESC_EVENTFD: the counter and the SEMAPHORE flag. */
  uint64_t count;
  bool semaphore;
  /* WT_DESC_EPOLL: the interest set and ready list. */
  struct wt__epoll_s *ep;
} wt__desc_t;

/* An eventfd or epoll description: no host fd behind it. */
static inline bool wt__desc_inproc(const wt__desc_t *d) {
  return d->kind == WT_DESC_EVENTFD || d->kind == WT_DESC_EPOLL;
}

/* A slot of the guest fd table. desc == NULL: free. */
typedef struct wt__fd_s {
  wt__desc_t *desc;
  wt_rights_t base;
  wt_rights_t inheriting;
  /* WASIX CLOEXEC (fd_fdflags_set): per slot, stored and reported only,
   * since nothing ever execs. */
  bool cloexec;
} wt__fd_t;

/* One armed proc_raise_interval timer (signal.c); times in monotonic ns. */
typedef struct wt__sigtimer_s {
  uint64_t deadline;
  uint64_t interval;
  bool armed;
  bool repeat;
} wt__sigtimer_t;

struct wt_s {
  wt_allocator_t mem;
  /* The last descriptor freed, kept for the next one: an open and close
   * of a file then costs no allocation (fdtab.c). */
  struct wt__desc_s *spare_desc;
  /* argv and environ as one NUL-separated buffer each, with offsets. */
  uint32_t argc;
  uint32_t *argv_off;
  char *argv_buf;
  uint32_t argv_buf_size;
  uint32_t envc;
  uint32_t *env_off;
  char *env_buf;
  uint32_t env_buf_size;
  /* The fd table: a fixed array of fd_table_size slots. */
  wt__fd_t *fds;
  uint32_t nfds;
  /* How the guest ended, for the embedder. */
  int64_t exit_code;
  uint8_t raised_signal;
  void (*on_exit)(void *ud, uint32_t code);
  void *on_exit_ud;
  void (*on_raise)(void *ud, uint8_t sig);
  void *on_raise_ud;
  wt_observer_fn observer;
  void *observer_ud;
  /* A policy's guard (core.h); guard.path / guard.sandbox NULL: none. */
  wt_guard_t guard;
  /* Signals (signal.c). The guest registered a handler (callback_signal). */
  bool sig_handler;
  wt_errno_t (*sig_register)(void *ud, const char *name, uint32_t len);
  void (*sig_run)(void *ud, uint8_t sig);
  void *sig_ud;
  /*
   * Interval timers, one per signal. timer_armed is the cheap test made at
   * every call boundary (api.c); timer_next is the earliest deadline.
   */
  bool timer_armed;
  uint64_t timer_next;
  /*
   * Signal handlers running (nested in sig_run). Their signals are held
   * until they return (runtime.h), so no timer can end a wait made by a
   * handler. A handler that unwinds (proc_exit, a trap) ends the run and
   * leaves this raised.
   */
  uint32_t sig_depth;
  wt__sigtimer_t timers[WT_SIGNAL_COUNT];
};

/*
 * Looks up `fd` and checks that it holds every right in `base` and
 * `inheriting`. Returns WT_EBADF for a free or out-of-range slot and
 * WT_ENOTCAPABLE for a missing right. The entry is borrowed. Inline: every
 * fd call starts here (as a call of its own, 22 instructions of a 16-byte
 * write's ~270 above libc's).
 */
static inline wt_errno_t wt__fd_get(wt_t *w, wt_fd_t fd, wt_rights_t base,
                                    wt_rights_t inheriting, wt__fd_t **out) {
  wt__fd_t *e;
  if (fd >= w->nfds || w->fds[fd].desc == NULL)
    return WT_EBADF;
  e = &w->fds[fd];
  if ((e->base & base) != base || (e->inheriting & inheriting) != inheriting)
    return WT_ENOTCAPABLE;
  *out = e;
  return WT_ESUCCESS;
}

/* Reports a transition to the observer, if any (see core.h). */
static inline void wt__emit(wt_t *w, wt_transition_kind_t kind, uint32_t fd,
                            uint32_t fd2, uint64_t a, uint64_t b,
                            uint64_t data) {
  if (w->observer != NULL) {
    wt_transition_t t = {(uint16_t)kind, fd, fd2, a, b, data};
    w->observer(w->observer_ud, &t);
  }
}

/* Listening socket for "HOST:PORT" (see wt_preopen_socket_t); sock.c. */
wt_errno_t wt__sock_listen(const char *address, int *out_fd);

/* Allocation through the instance's hooks. */
void *wt__malloc(const wt_t *w, size_t n);
void *wt__calloc(const wt_t *w, size_t n, size_t size);
void *wt__realloc(const wt_t *w, void *p, size_t n);
void wt__free(const wt_t *w, void *p);
char *wt__strndup(const wt_t *w, const char *s, size_t n);


/*
 * Allocates a description for host_fd (taken over: closed when the last
 * reference goes) of the given kind and type. NULL on ENOMEM, in which case
 * host_fd is left open for the caller.
 */
wt__desc_t *wt__desc_new(wt_t *w, uint8_t kind, wt_filetype_t type,
                         int host_fd);

/*
 * Puts `desc` (the reference passes to the table) into the lowest free slot
 * numbered `min` or above and returns its number in *fd. Rights are narrowed to those that apply to
 * desc->type. WT_EMFILE when the table is full; the reference then stays
 * with the caller.
 */
wt_errno_t wt__fd_insert(wt_t *w, wt__desc_t *desc, wt_rights_t base,
                         wt_rights_t inheriting, wt_fd_t min, wt_fd_t *fd);
/* The same from 0, FD_OPENED saying whether path_open created the file. */
wt_errno_t wt__fd_insert_created(wt_t *w, wt__desc_t *desc, wt_rights_t base,
                                 wt_rights_t inheriting, bool created,
                                 wt_fd_t *fd);

/* Drops a reference; the last one closes the host fd and frees. */
void wt__desc_unref(wt_t *w, wt__desc_t *desc);

/* Frees slot `fd` (which must be in use), dropping its reference. */
void wt__fd_release(wt_t *w, wt_fd_t fd);

/* The rights that apply to a file type: base and inheriting maxima. */
void wt__rights_for_type(wt_filetype_t type, bool listening,
                         wt_rights_t *base, wt_rights_t *inheriting);

/* The WASI file type of a host st_mode. */
wt_filetype_t wt__filetype_from_mode(unsigned mode);

/* Host struct stat -> wt_filestat_t (nanosecond timestamps kept). */
struct stat;
void wt__filestat_from_host(const struct stat *st, wt_filestat_t *out);

/*
 * Sandboxed path resolution (resolve.c). A resolved path is a host
 * directory fd plus one final name ("." when the path names a directory
 * it ended on, as "a/.." does). The final name is never resolved: run the
 * operation on (dirfd, name) with O_NOFOLLOW / AT_SYMLINK_NOFOLLOW.
 */
#define WT__RESOLVE_FOLLOW 1u /* a final symlink is followed (by us) */
/* Build wt__path_t.rel: the components walked, joined (for a guard). */
#define WT__RESOLVE_NAMES 2u

typedef struct wt__path_s {
  int dirfd;         /* O_PATH directory fd, or the root's own fd */
  bool own;          /* dirfd is to be closed by wt__path_done */
  bool dir_required; /* the path ended in '/': a directory is meant */
  char name[256];    /* NAME_MAX + 1 */
  /* WT__RESOLVE_NAMES: the resolved path relative to the root, "" for the
   * root itself, without "." or ".." (ours, freed by wt__path_done). */
  char *rel;
  uint32_t rel_len;
  /* Set by the guard's judgement (path.c): the guest-visible absolute
   * path, ours, freed by wt__path_done. */
  char *gpath;
  uint32_t gpath_len;
  /* The final component's own fstatat (AT_SYMLINK_NOFOLLOW) when the
   * resolver made one to follow a link (WT__RESOLVE_FOLLOW or a trailing
   * slash) and found no link: a stat call reuses it. */
  bool have_st;
  struct stat st;
  /* path_open, observed: the open made the file (path.c open_exact). */
  bool created;
} wt__path_t;

/*
 * Why a resolution left the sandbox, when the caller asks: a
 * wt_sandbox_reason_t and, for a symlink, the link (relative to the root)
 * and its target.
 */
typedef struct wt__why_s {
  int reason; /* wt_sandbox_reason_t, or -1: not a sandbox refusal */
  char link[4096];
  char target[4096];
} wt__why_t;

/*
 * Checks a guest path: WT_ENOENT when empty, WT_EINVAL with an embedded
 * NUL, WT_ENAMETOOLONG from PATH_MAX bytes, WT_ENOTCAPABLE when absolute.
 */
wt_errno_t wt__path_check(const char *path, uint32_t len);

/*
 * Resolves `path` (len bytes, not NUL-terminated) under the directory
 * `root` (a host fd, borrowed), never leaving it: ".." above root, an
 * absolute symlink, or a link leading out give WT_ENOTCAPABLE; more than
 * 40 symlink expansions WT_ELOOP; a component over NAME_MAX
 * WT_ENAMETOOLONG. With WT__RESOLVE_FOLLOW (or a trailing slash) a final
 * symlink is expanded. A trailing slash on an existing non-directory gives
 * WT_ENOTDIR. On success release *out with wt__path_done.
 */
wt_errno_t wt__path_resolve(wt_t *w, int root, const char *path, uint32_t len,
                            unsigned flags, wt__path_t *out, wt__why_t *why);
void wt__path_done(wt_t *w, wt__path_t *p);

/*
 * The guard (guard.c). wt__resolve resolves `path` under the directory of
 * guest fd `fd` for `call`, telling guard.sandbox why a path leaving the
 * sandbox was refused. wt__judge asks guard.path whether `ops`
 * (WT_PATH_OP_*) may be done on the resolved path p (which it gives its
 * guest path); its answer goes to the guest, unless `tentative` (only
 * with guard.tentative: see wt_path_event_t). wt__desc_take_gpath hands
 * that guest path to the description opened on it.
 */
wt_errno_t wt__resolve(wt_t *w, uint16_t call, wt_fd_t fd,
                       const wt__fd_t *dir, const char *path, uint32_t len,
                       unsigned flags, wt__path_t *out);
wt_errno_t wt__judge(wt_t *w, uint16_t call, wt_fd_t fd, const wt__fd_t *dir,
                     const char *path, uint32_t len, wt__path_t *p,
                     unsigned ops, bool tentative);
void wt__desc_take_gpath(wt__desc_t *d, const wt__fd_t *dir, wt__path_t *p);
/* The guest-visible absolute path of a preopen named `name` (ours). */
char *wt__guest_root(const wt_t *w, const char *name, uint32_t *len);

/*
 * fstflags and guest times -> the two timespecs of utimensat/futimens
 * (UTIME_NOW / UTIME_OMIT as the flags say). A time given both as a value
 * and as NOW, or an unknown bit, is WT_EINVAL.
 */
wt_errno_t wt__times_from_fst(uint64_t atim, uint64_t mtim, uint16_t fst,
                              struct timespec *ts);

/*
 * eventfd (eventfd.c). fd_read / fd_write on an eventfd description land
 * here after their fd lookup; `fd` names it in transitions.
 */
wt_errno_t wt__eventfd_read(wt_t *w, wt_fd_t fd, wt__desc_t *d,
                            const wt_iovec_t *iovs, uint32_t n,
                            uint32_t *nread);
wt_errno_t wt__eventfd_write(wt_t *w, wt_fd_t fd, wt__desc_t *d,
                             const wt_ciovec_t *iovs, uint32_t n,
                             uint32_t *nwritten);

/* An eventfd's readiness: WT_EPOLLIN and/or WT_EPOLLOUT. */
uint32_t wt__eventfd_ready(const wt__desc_t *d);

/*
 * Readiness as WT_EPOLL* bits (IN, OUT, RDHUP, PRI, ERR, HUP) of any
 * description, now: eventfds from their counter, epoll fds from their ready
 * list (refreshed first), regular files and directories always IN|OUT,
 * other host fds from a zero-timeout poll(2). epoll.c.
 */
uint32_t wt__readiness(wt_t *w, wt__desc_t *d);

/*
 * The host fds whose readiness could make epoll description `d` ready:
 * stores up to `cap` of them in `out` and returns how many there are.
 */
struct pollfd;
uint32_t wt__epoll_wait_fds(const wt__desc_t *d, struct pollfd *out,
                            uint32_t cap);

/*
 * An in-process description's state changed: `happened` (WT_EPOLL* bits)
 * is offered to every epoll entry watching it, as a wake-up does on Linux.
 */
void wt__epoll_notify(wt_t *w, wt__desc_t *d, uint32_t happened);

/* The guest transferred data on host description `d`: its edge-triggered
 * entries may fire again (see epoll.c, "Host fds"). */
void wt__epoll_touch(wt__desc_t *d);

/* The last reference to `d` is going: entries watching it are removed
 * (EPOLL_REMOVED_BY_CLOSE) and, for an epoll fd, its own interest set. */
void wt__epoll_release(wt_t *w, wt__desc_t *d);

/*
 * Signals (signal.c), preview1 numbering. wt__signal_raise applies `sig`
 * now: the guest's handler or the default action (which may not return, as
 * proc_exit). by_timer marks a raise by proc_raise_interval.
 */
void wt__signal_raise(wt_t *w, uint8_t sig, bool by_timer);

/* True when an armed timer's deadline has passed. */
bool wt__signal_due(const wt_t *w);

/*
 * A timer can end a wait: one is armed and no handler is running (see
 * sig_depth). When false, a wait that nothing outside the guest can end
 * is WT_EDEADLK.
 */
bool wt__signal_can_wake(const wt_t *w);

/* A timer's signal is due and may interrupt a wait now (EINTR). */
bool wt__signal_interrupts(const wt_t *w);

/*
 * Raises the signal of every timer whose deadline has passed (each at most
 * once per call). A handler may call back into the core or not return:
 * call it with nothing held, as the last step of a call.
 */
void wt__signal_run(wt_t *w);

/* `timeout` (ns, UINT64_MAX forever) cut to the next timer deadline. */
uint64_t wt__signal_timeout(const wt_t *w, uint64_t timeout);

/*
 * The blocking wait of the event calls: ppoll(2) over `pfds` (none is
 * fine) until `deadline` (monotonic ns, UINT64_MAX: forever) or the next
 * timer deadline, whichever comes first. revents tell what happened; a host
 * EINTR is a spurious wake-up. WT_EDEADLK when nothing could ever end the
 * wait (no fd, no deadline, no timer: a single-threaded guest would hang).
 */
wt_errno_t wt__wait(const wt_t *w, struct pollfd *pfds, uint32_t n,
                    uint64_t deadline);

/* The host's monotonic clock in ns. */
uint64_t wt__now(void);

/*
 * Host iovecs for one transfer (iovec.c). At most IOV_MAX buffers are used
 * and the total is clipped to UINT32_MAX: a shorter transfer than asked is
 * always allowed. Small counts stay in `stack`. Release with wt__iov_free
 * whatever the result.
 */
#define WT__IOV_STACK 16
typedef struct wt__iov_s {
  struct iovec stack[WT__IOV_STACK];
  struct iovec *v;
  int n;
  size_t total;
} wt__iov_t;

wt_errno_t wt__iov_from_iovs(wt_t *w, wt__iov_t *io, const wt_iovec_t *iovs,
                             uint32_t n);
wt_errno_t wt__iov_from_ciovs(wt_t *w, wt__iov_t *io, const wt_ciovec_t *iovs,
                              uint32_t n);
void wt__iov_free(wt_t *w, wt__iov_t *io);

/* WT_E* from the current host errno. */
#define WT__ERR() wt_errno_from_host(errno)

#endif /* WT_CORE_INTERNAL_H */
