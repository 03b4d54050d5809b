/*
 * wasitrace core: WASI preview1 implemented for real on the host.
 *
 * An instance (wt_t) owns a guest's fd table, its preopened directories and
 * sockets, its argv and environment. Every call takes the instance first and
 * returns a WASI errno; arguments are host values (the runtime's ABI layer
 * decodes guest memory into them). The calls are not thread-safe: one guest
 * thread drives one instance.
 *
 * Layers (tracer, policy, replay) interpose through wt_api_t, a table of
 * function pointers with one typed entry per call of core/calls.def.
 */
#ifndef WT_CORE_H
#define WT_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "callgen.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WT_VERSION_MAJOR 0
#define WT_VERSION_MINOR 1
#define WT_VERSION_PATCH 0
#define WT_VERSION_STRING "0.1.0"

/* The library's version, which may differ from the header's. */
const char *wt_version_string(void);

/* One id per call of core/calls.def: WT_CALL_fd_write, ... */
typedef enum wt_call_id_e {
#define WT_CALL(name, set, fam, ret, ...) WT_CALL_##name,
#include "calls.def"
#undef WT_CALL
  WT_CALL_COUNT
} wt_call_id_t;

/* Allocator hooks; every function receives `ud`. NULL means libc's. */
typedef struct wt_allocator_s {
  void *ud;
  void *(*malloc)(size_t size, void *ud);
  void (*free)(void *ptr, void *ud);
  void *(*calloc)(size_t n, size_t size, void *ud);
  void *(*realloc)(void *ptr, size_t size, void *ud);
} wt_allocator_t;

/* A directory the guest sees at guest_path, backed by host_path. */
typedef struct wt_preopen_s {
  const char *guest_path;
  const char *host_path;
} wt_preopen_t;

/*
 * A listening socket the guest can accept on. Either `address` is
 * "HOST:PORT" (IPv4 or [IPv6]; port 0 picks a free one) and the core binds
 * and listens, or `address` is NULL and `host_fd` is a listening socket the
 * instance takes over (and closes at destroy).
 */
typedef struct wt_preopen_socket_s {
  const char *address;
  int host_fd;
} wt_preopen_socket_t;

typedef struct wt_options_s {
  /* Size of the guest fd table (0: default 1024). */
  uint32_t fd_table_size;
  /* argv: argc strings, copied at init. */
  uint32_t argc;
  const char *const *argv;
  /* Environment: a NULL-terminated array of "NAME=VALUE", copied. */
  const char *const *envp;
  uint32_t preopenc;
  const wt_preopen_t *preopens;
  uint32_t preopen_socketc;
  const wt_preopen_socket_t *preopen_sockets;
  /* Host fds behind guest fds 0, 1, 2 (dup'ed at init; -1: closed). */
  int in, out, err;
  const wt_allocator_t *allocator;
  /*
   * Called by proc_exit. Expected not to return (the runtime unwinds to its
   * entry point). If it does return, or is NULL, proc_exit records the
   * code (wt_exit_code) and returns WT_ESUCCESS.
   */
  void (*proc_exit)(void *ud, uint32_t code);
  void *proc_exit_ud;
  /*
   * Called by proc_raise for a signal whose default action terminates the
   * process; same contract as proc_exit. NULL: the signal is recorded
   * (wt_raised_signal) and the call returns WT_ESUCCESS.
   */
  void (*proc_raise)(void *ud, uint8_t sig);
  void *proc_raise_ud;
  /*
   * WASIX signals, all numbers preview1 (see wt_signal_from_wasix).
   * callback_signal passes the guest's export name to signal_register, which
   * resolves it (WT_ESUCCESS: the guest now has a handler; an error leaves
   * the previous registration and is only recorded, since the call has no
   * result). NULL: registration succeeds whenever signal_handler is set.
   * signal_handler runs the registered guest callback synchronously and
   * returns (or unwinds, like proc_exit). Signals reach it at deterministic
   * points only: inside proc_raise, at a call boundary, or when a blocking
   * call is interrupted (it then returns WT_EINTR after the handler ran).
   */
  wt_errno_t (*signal_register)(void *ud, const char *name, uint32_t len);
  void (*signal_handler)(void *ud, uint8_t sig);
  void *signal_ud;
} wt_options_t;

typedef struct wt_s wt_t;

/* Fills `opts` with defaults: stdio 0/1/2, nothing preopened. */
void wt_options_init(wt_options_t *opts);

/*
 * Creates an instance. On success *out owns every copied option and opened
 * preopen; release it with wt_destroy. Returns WT_ESUCCESS, WT_ENOMEM, or
 * the errno of the preopen that failed (the message from wt_init_error()
 * names it).
 */
wt_errno_t wt_init(const wt_options_t *opts, wt_t **out);
void wt_destroy(wt_t *w);

/* A description of the last wt_init failure on this thread (static). */
const char *wt_init_error(void);

/*
 * The host fds the instance holds for its guest: the descriptors behind
 * its fd table and their directory streams' duplicates (a descriptor
 * shared by several guest fds is listed for each). For a thread that keeps
 * a copy of the process's fd table (the tracer's writer): closing these in
 * the copy leaves the guest's closes taking effect at once. Writes at most
 * `max` to `out`; returns how many there are.
 */
size_t wt_host_fds(const wt_t *w, int *out, size_t max);

/* The code passed to proc_exit, or -1 if the guest has not exited. */
int64_t wt_exit_code(const wt_t *w);
/* The signal a proc_raise terminated with, or 0. */
uint8_t wt_raised_signal(const wt_t *w);

/*
 * Signal numbering. The core works in preview1 numbers (WT_SIG*); WASIX
 * (wasix_32v1) uses Linux's, which insert STKFLT = 16 and shift CHLD and
 * everything after it up by one. Both return WT_EINVAL for a number with no
 * counterpart (WASIX STKFLT, anything above SYS).
 */
wt_errno_t wt_signal_from_wasix(uint8_t wasix_sig, uint8_t *preview1_sig);
wt_errno_t wt_signal_to_wasix(uint8_t preview1_sig, uint8_t *wasix_sig);

/* Errno names ("BADF") and descriptions; "unknown" for a bad value. */
const char *wt_errno_name(wt_errno_t e);
const char *wt_errno_string(wt_errno_t e);
/* Maps a host errno (ENOENT) to WASI (WT_ENOENT); unknown ones to WT_EIO. */
wt_errno_t wt_errno_from_host(int host_errno);

/* Call names ("fd_write") and lookup by name (-1 when unknown). */
const char *wt_call_name(wt_call_id_t id);
int wt_call_lookup(const char *name, size_t len);

/*
 * State transitions: the core reports every change of state a call causes
 * (fd table changes, eventfd counters, epoll interest and ready lists,
 * signals) to an optional observer, synchronously, on the guest's thread,
 * while the call runs. A layer that wraps the call (the tracer) attributes
 * them to it. With no observer set, reporting costs one branch.
 *
 * XX(NAME, "description", "meaning of fd", "fd2", "a", "b", "data"); "" for
 * a field the kind does not use. The names let the viewer print every kind
 * without per-kind code.
 */
#define WT_TRANSITION_MAP(XX)                                                  \
  XX(FD_OPENED, "fd opened", "fd", "", "filetype", "", "")                     \
  XX(FD_CLOSED, "fd closed", "fd", "", "", "", "")                             \
  XX(FD_RENUMBERED, "fd renumbered", "from", "to", "", "", "")                 \
  XX(FD_DUPLICATED, "fd duplicated", "fd", "new fd", "", "", "")               \
  XX(EVENTFD_COUNTER, "eventfd counter changed", "eventfd", "", "before",      \
     "after", "cause")                                                         \
  XX(EVENTFD_READINESS, "eventfd readiness changed", "eventfd", "", "before",  \
     "after", "")                                                              \
  XX(EPOLL_ADDED, "epoll entry added", "epoll fd", "fd", "events", "", "data") \
  XX(EPOLL_MODIFIED, "epoll entry modified", "epoll fd", "fd", "events", "",   \
     "data")                                                                   \
  XX(EPOLL_REMOVED, "epoll entry removed by DEL", "epoll fd", "fd", "", "",    \
     "")                                                                       \
  XX(EPOLL_REMOVED_BY_CLOSE, "epoll entry removed by close", "epoll fd", "fd", \
     "", "", "")                                                               \
  XX(EPOLL_READY, "epoll entry became ready", "epoll fd", "fd", "events", "",  \
     "")                                                                       \
  XX(EPOLL_DELIVERED, "epoll event delivered", "epoll fd", "fd", "events", "", \
     "data")                                                                   \
  XX(EPOLL_DROPPED, "epoll entry dropped at harvest", "epoll fd", "fd", "",    \
     "", "")                                                                   \
  XX(EPOLL_DISABLED, "epoll entry disabled by oneshot", "epoll fd", "fd", "",  \
     "", "")                                                                   \
  XX(SIGNAL_RAISED, "signal raised", "", "", "signal", "by timer", "")         \
  XX(SIGNAL_DELIVERED, "signal delivered to handler", "", "", "signal", "",    \
     "")                                                                       \
  XX(SIGNAL_DEFAULT, "signal default action", "", "", "signal", "terminates",  \
     "")

typedef enum wt_transition_kind_e {
#define XX(name, desc, f1, f2, a, b, d) WT_TR_##name,
  WT_TRANSITION_MAP(XX)
#undef XX
      WT_TR_COUNT
} wt_transition_kind_t;

typedef struct wt_transition_s {
  uint16_t kind; /* wt_transition_kind_t */
  uint32_t fd;
  uint32_t fd2;
  uint64_t a;
  uint64_t b;
  uint64_t data;
} wt_transition_t;

/*
 * Field conventions: EVENTFD_COUNTER's data is the cause below;
 * EVENTFD_READINESS's a/b are WT_EPOLLIN|WT_EPOLLOUT masks; the epoll kinds'
 * fd is the epoll fd, fd2 the entry's fd (with the watched description, the
 * entry's key), events are WT_EPOLL* bits and data is the entry's
 * data.data2 (where wasix-libc keeps epoll_data_t). FD_OPENED's b is 1
 * when path_open created the file (O_CREAT met no file), 0 when it opened
 * one that existed; observed runs learn it exactly (CREAT is tried with
 * EXCL first), which is how audit tells creating from opening.
 * SIGNAL_DEFAULT's b is 1 when the action terminates, SIGNAL_RAISED's b 1
 * for an interval timer.
 */
#define WT_EVENTFD_CAUSE_CREATE 0 /* fd_event's initial value */
#define WT_EVENTFD_CAUSE_WRITE 1
#define WT_EVENTFD_CAUSE_READ 2

typedef void (*wt_observer_fn)(void *ud, const wt_transition_t *t);

/* Sets (or with fn NULL clears) the instance's observer. */
void wt_set_observer(wt_t *w, wt_observer_fn fn, void *ud);

/* Kind names ("EPOLL_ADDED") and descriptions; "unknown" when out of range. */
const char *wt_transition_name(unsigned kind);
const char *wt_transition_description(unsigned kind);

/*
 * Guard: a policy's look at every path a call is about to act on, and at
 * every path the sandbox refused. The core calls guard.path after its own
 * resolution of the path and before the host operation, with the path as
 * the guest gave it and as resolved: the guest-visible absolute path (the
 * preopen's guest name, made absolute, joined with the components the
 * resolver walked, symlinks inside the sandbox already expanded). The
 * operation then runs on the very directory fd and name that were judged,
 * so a directory swapped for a symlink afterwards cannot redirect it. A
 * result other than WT_ESUCCESS is returned to the guest and nothing is
 * done on the host. guard.sandbox hears every path the resolver refused
 * for leaving the sandbox (such a path never reaches guard.path). With no
 * guard set (the default) neither costs anything but a branch.
 *
 * XX(NAME, "name"): the operations a path is judged for.
 */
#define WT_PATH_OP_MAP(XX)                                                     \
  XX(READ, "read")                                                             \
  XX(WRITE, "write")                                                           \
  XX(CREATE, "create")                                                         \
  XX(DELETE, "delete")                                                         \
  XX(RENAME, "rename")                                                         \
  XX(LINK, "link")                                                             \
  XX(SYMLINK, "symlink")                                                       \
  XX(READLINK, "readlink")                                                     \
  XX(STAT, "stat")                                                             \
  XX(LIST, "list")

enum {
#define XX(name, s) WT_PATH_OP_BIT_##name,
  WT_PATH_OP_MAP(XX)
#undef XX
      WT_PATH_OP_COUNT
};
#define XX(name, s) WT_PATH_OP_##name = 1u << WT_PATH_OP_BIT_##name,
enum { WT_PATH_OP_MAP(XX) };
#undef XX

/* "read", ... for one WT_PATH_OP_BIT_*; NULL when out of range. */
const char *wt_path_op_name(unsigned bit);

typedef struct wt_path_event_s {
  uint16_t call;        /* wt_call_id_t */
  uint16_t ops;         /* WT_PATH_OP_* the call is about to perform */
  wt_fd_t fd;           /* the directory fd argument */
  const char *given;    /* the path argument as passed (not NUL-terminated) */
  uint32_t given_len;
  const char *resolved; /* guest-visible absolute path, NUL-terminated */
  uint32_t resolved_len;
  uint32_t preopen_len; /* resolved[0, preopen_len) names the preopen */
  /*
   * Asked only of a guard with wt_guard_t.tentative set: the core may not
   * act on this answer. It judges a path_open's final name unfollowed
   * (SYMLINK_FOLLOW, before knowing whether the name is a link), then
   * opens that very name with O_NOFOLLOW: a WT_ESUCCESS stands when the
   * open succeeds, and the core does not ask again. Otherwise (the name
   * was a link, or the guard said no) the core resolves following and
   * asks again, not tentatively, about the followed path. So the guard
   * answers as it would, but reports nothing: anything it would report
   * (a denial, a complain-mode would-be denial, a limit) it answers with
   * any errno, to be asked for real. What it keeps for the call is
   * replaced by its answer to the next question about the same call.
   */
  bool tentative;
} wt_path_event_t;

/* Why the sandbox refused a path. XX(NAME, "description"). */
#define WT_SANDBOX_MAP(XX)                                                     \
  XX(DOTDOT, "'..' above the preopen")                                         \
  XX(ABSOLUTE, "absolute path")                                                \
  XX(SYMLINK_ABSOLUTE, "symlink with an absolute target")                      \
  XX(SYMLINK_ESCAPE, "symlink whose target leaves the sandbox")                \
  XX(LOOP, "too many symlinks (loop)")                                         \
  XX(NUL, "NUL byte in the path")

typedef enum wt_sandbox_reason_e {
#define XX(name, d) WT_SANDBOX_##name,
  WT_SANDBOX_MAP(XX)
#undef XX
      WT_SANDBOX_COUNT
} wt_sandbox_reason_t;

/* "dotdot", "absolute", ... and descriptions; "unknown" out of range. */
const char *wt_sandbox_reason_name(unsigned reason);
const char *wt_sandbox_reason_description(unsigned reason);

typedef struct wt_sandbox_event_s {
  uint16_t call;       /* wt_call_id_t */
  uint8_t reason;      /* wt_sandbox_reason_t */
  wt_errno_t err;      /* what the guest gets */
  wt_fd_t fd;          /* the directory fd argument */
  const char *given;   /* the path as passed (not NUL-terminated) */
  uint32_t given_len;
  const char *preopen; /* the directory's guest path, NUL-terminated */
  /* SYMLINK_*: the link (guest path) and its target, NUL-terminated;
   * else NULL. */
  const char *link;
  const char *target;
} wt_sandbox_event_t;

typedef struct wt_guard_s {
  wt_errno_t (*path)(void *ud, const wt_path_event_t *ev);
  void (*sandbox)(void *ud, const wt_sandbox_event_t *ev);
  void *ud;
  /* path answers tentative events (wt_path_event_t.tentative): a
   * following path_open then costs no more system calls than with no
   * guard. False: every event is for real, and such an open resolves
   * the followed path first (one fstatat more). */
  bool tentative;
} wt_guard_t;

/* Sets (copied; NULL clears) the instance's guard. Paths opened before it
 * was set have no guest path (the guard hears them relative to "?"). */
void wt_set_guard(wt_t *w, const wt_guard_t *g);
/* Whether a guard is set (a layer that only listens leaves it alone). */
bool wt_has_guard(const wt_t *w);
/* The guard set now (all NULL: none), for a listener that chains to it:
 * it sets its own and calls the one it found. */
void wt_get_guard(const wt_t *w, wt_guard_t *out);

/* Prototypes of the core calls: wt_fd_write(wt_t *w, ...) and so on. */
#define WT_CALL(name, set, fam, ret, ...)                                      \
  wt_errno_t wt_##name(wt_t *w WT_ARGS(WT_HP, __VA_ARGS__));
#include "calls.def"
#undef WT_CALL

/*
 * The interposition table. Every entry takes the layer's own context first.
 * wt_core_api() returns the table whose context is a wt_t*.
 */
typedef struct wt_refusal_s wt_refusal_t;

typedef struct wt_api_s {
#define WT_CALL(name, set, fam, ret, ...)                                      \
  wt_errno_t (*name)(void *ctx WT_ARGS(WT_HP, __VA_ARGS__));
#include "calls.def"
#undef WT_CALL
  /*
   * A call the guest ABI refused before it could become a host-typed call
   * (see wt_refusal_t), so no entry above ran. Returns the errno the guest
   * gets, normally r->err. NULL: refusals are not reported (the core's
   * table); a layer that sets it forwards to the inner table's, if any.
   */
  wt_errno_t (*refused)(void *ctx, const wt_refusal_t *r);
} wt_api_t;

/*
 * A guest's call refused by the ABI layer: a pointer or length outside
 * guest memory (WT_EFAULT), or a value its type cannot hold (WT_EINVAL: an
 * i32 with bits above a u8 flag set, a signal with no preview1 number).
 * Layers see it so that an audit misses no call and a replay consumes the
 * same record; the arguments could not be decoded, so they are the guest's
 * own parameters, as passed (i32 zero-extended), in import order and named
 * by wt_call_guest_params.
 */
struct wt_refusal_s {
  uint16_t call;   /* wt_call_id_t */
  wt_errno_t err;  /* WT_EFAULT or WT_EINVAL */
  const char *arg; /* the calls.def argument that failed its check */
  uint32_t nraw;
  const uint64_t *raw;
};

/*
 * The parameters of a call's wasm import, in order: a host argument of
 * calls.def is one parameter, or two for pointer + length pairs ("iovs",
 * "iovs_len"). `fd` marks an fd parameter. *n gets their number; NULL for
 * an unknown call.
 */
typedef struct wt_guest_param_s {
  const char *name;
  bool fd;
} wt_guest_param_t;
const wt_guest_param_t *wt_call_guest_params(unsigned call, uint32_t *n);

const wt_api_t *wt_core_api(void);

#ifdef __cplusplus
}
#endif

#endif /* WT_CORE_H */
