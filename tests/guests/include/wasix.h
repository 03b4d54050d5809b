/*
 * The WASIX event calls for C test guests (not a guest itself).
 *
 * Debian's wasi-libc has no WASIX headers, so the imports are declared
 * here, from the wasix_32v1 module, with the types and constants of
 * docs/core.md and /work/shared/design/abi-reference.md (section 2).
 * Values are WASIX's, not Linux's: epoll ops ADD 0, MOD 1, DEL 2; the
 * event bits below; signals in Linux numbering (STKFLT is 16, so CHLD and
 * everything after it is one more than in preview1).
 */
#ifndef WT_WASIX_H
#define WT_WASIX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <wasi/api.h>

#define WASIX_IMPORT(name)                                                     \
  __attribute__((import_module("wasix_32v1"), import_name(name)))

/* epoll_event: 32 bytes, align 8; the host echoes data back unchanged. */
typedef struct wasix_epoll_event {
  uint32_t events;
  uint32_t data_ptr __attribute__((aligned(8)));
  uint32_t data_fd;
  uint32_t data1;
  uint64_t data2;
} wasix_epoll_event_t;
_Static_assert(sizeof(wasix_epoll_event_t) == 32, "epoll_event size");
_Static_assert(offsetof(wasix_epoll_event_t, data_ptr) == 8, "data.ptr");
_Static_assert(offsetof(wasix_epoll_event_t, data2) == 24, "data.data2");

#define WASIX_EPOLLIN (1u << 0)
#define WASIX_EPOLLOUT (1u << 1)
#define WASIX_EPOLLRDHUP (1u << 2)
#define WASIX_EPOLLPRI (1u << 3)
#define WASIX_EPOLLERR (1u << 4)
#define WASIX_EPOLLHUP (1u << 5)
#define WASIX_EPOLLET (1u << 6)
#define WASIX_EPOLLONESHOT (1u << 7)

#define WASIX_EPOLL_CTL_ADD 0u
#define WASIX_EPOLL_CTL_MOD 1u
#define WASIX_EPOLL_CTL_DEL 2u

/* fd_event flags; NONBLOCK is what wasix-libc's EFD_NONBLOCK becomes. */
#define WASIX_EVENTFD_SEMAPHORE 1u
#define WASIX_EVENTFD_NONBLOCK 4u

/* fd_fdflags_get / fd_fdflags_set */
#define WASIX_FDFLAG_CLOEXEC 1u

/* epoll_wait's timeout (ns) that never ends. */
#define WASIX_FOREVER UINT64_MAX

/* Signals, Linux numbering. */
#define WASIX_SIGHUP 1
#define WASIX_SIGUSR1 10
#define WASIX_SIGUSR2 12
#define WASIX_SIGALRM 14
#define WASIX_SIGTERM 15
#define WASIX_SIGSTKFLT 16
#define WASIX_SIGCHLD 17
#define WASIX_SIGURG 23
#define WASIX_SIGPROF 27
#define WASIX_SIGWINCH 28

WASIX_IMPORT("fd_event")
int32_t wasix_fd_event(uint64_t initial_val, uint32_t flags, uint32_t *ret_fd);
WASIX_IMPORT("epoll_create")
int32_t wasix_epoll_create(uint32_t *ret_fd);
WASIX_IMPORT("epoll_ctl")
int32_t wasix_epoll_ctl(uint32_t epfd, uint32_t op, uint32_t fd,
                        const wasix_epoll_event_t *event);
WASIX_IMPORT("epoll_wait")
int32_t wasix_epoll_wait(uint32_t epfd, wasix_epoll_event_t *events,
                         uint32_t maxevents, uint64_t timeout_ns,
                         uint32_t *ret_n);
WASIX_IMPORT("fd_pipe")
int32_t wasix_fd_pipe(uint32_t *fd_read, uint32_t *fd_write);
WASIX_IMPORT("fd_dup")
int32_t wasix_fd_dup(uint32_t fd, uint32_t *ret_fd);
WASIX_IMPORT("fd_dup2")
int32_t wasix_fd_dup2(uint32_t fd, uint32_t min_fd, uint32_t cloexec,
                      uint32_t *ret_fd);
WASIX_IMPORT("fd_fdflags_get")
int32_t wasix_fd_fdflags_get(uint32_t fd, uint16_t *flags);
WASIX_IMPORT("fd_fdflags_set")
int32_t wasix_fd_fdflags_set(uint32_t fd, uint32_t flags);
/* No result: a name the host cannot resolve is only visible to a tracer. */
WASIX_IMPORT("callback_signal")
void wasix_callback_signal(const char *name, uint32_t name_len);
WASIX_IMPORT("proc_raise_interval")
int32_t wasix_proc_raise_interval(uint32_t sig, uint64_t interval_ns,
                                  uint32_t repeat);
/* The WASIX module's proc_raise: Linux numbering (preview1's is not). */
WASIX_IMPORT("proc_raise")
int32_t wasix_proc_raise(uint32_t sig);

/* Registers `name` (a C string) as the signal callback. */
static inline void wasix_set_handler(const char *name) {
  uint32_t n = 0;
  while (name[n] != '\0')
    n++;
  wasix_callback_signal(name, n);
}

/* An 8-byte eventfd value through fd_read / fd_write; WASI errno. */
static inline int32_t wasix_efd_write(uint32_t fd, uint64_t v) {
  __wasi_ciovec_t iov = {(const uint8_t *)&v, sizeof v};
  __wasi_size_t n = 0;
  return __wasi_fd_write(fd, &iov, 1, &n);
}

static inline int32_t wasix_efd_read(uint32_t fd, uint64_t *v) {
  __wasi_iovec_t iov = {(uint8_t *)v, sizeof *v};
  __wasi_size_t n = 0;
  return __wasi_fd_read(fd, &iov, 1, &n);
}

/* "IN|OUT|HUP" for an event mask, into a static buffer; "-" for none. */
static inline const char *wasix_events(uint32_t ev) {
  static const char *const names[] = {"IN",  "OUT", "RDHUP", "PRI",
                                      "ERR", "HUP", "ET",    "ONESHOT"};
  static char buf[64];
  buf[0] = '\0';
  for (unsigned i = 0; i < 8; i++) {
    if ((ev & (1u << i)) == 0)
      continue;
    if (buf[0] != '\0')
      strcat(buf, "|");
    strcat(buf, names[i]);
  }
  if ((ev & ~0xffu) != 0)
    strcat(buf, buf[0] != '\0' ? "|?" : "?");
  if (buf[0] == '\0')
    strcpy(buf, "-");
  return buf;
}

#endif /* WT_WASIX_H */
