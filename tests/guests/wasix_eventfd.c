/*
 * eventfd rules seen from the guest (Linux's, docs/core.md). Reads and
 * writes move exactly 8 bytes: a 4-byte buffer is INVAL both ways, a
 * 16-byte read gets 8. Normal mode: a read returns the counter and resets
 * it; an empty nonblocking eventfd is AGAIN. Semaphore mode: each read
 * returns 1 and decrements. The value 0xffffffffffffffff is INVAL; a write
 * that would pass the maximum 0xfffffffffffffffe is AGAIN when
 * nonblocking. A blocking read of an empty eventfd that nothing could
 * ever wake (one thread, no timer) is DEADLK rather than a hang. epoll
 * reports OUT while the counter is below the maximum, IN while above 0.
 *
 * wt-node: skip node:wasi has no WASIX (wasix_32v1) imports
 */
#include "guest.h"
#include "wasix.h"

static int32_t rw(int write, uint32_t fd, void *buf, size_t len, size_t *n) {
  __wasi_size_t done = 0;
  int32_t e;
  if (write) {
    __wasi_ciovec_t iov = {buf, len};
    e = __wasi_fd_write(fd, &iov, 1, &done);
  } else {
    __wasi_iovec_t iov = {buf, len};
    e = __wasi_fd_read(fd, &iov, 1, &done);
  }
  *n = done;
  return e;
}

static void show_read(const char *label, uint32_t fd) {
  uint64_t v = 0;
  int32_t e = wasix_efd_read(fd, &v);
  if (e == 0)
    printf("%s: %llu\n", label, (unsigned long long)v);
  else
    printf("%s: %s\n", label, errname(e));
}

static void show_ready(const char *label, uint32_t fd) {
  wasix_epoll_event_t e = {0}, ev[1];
  uint32_t ep, n = 0;
  if (wasix_epoll_create(&ep) != 0)
    return;
  e.events = WASIX_EPOLLIN | WASIX_EPOLLOUT;
  wasix_epoll_ctl(ep, WASIX_EPOLL_CTL_ADD, fd, &e);
  wasix_epoll_wait(ep, ev, 1, 0, &n);
  printf("%s ready: %s\n", label, n ? wasix_events(ev[0].events) : "-");
  (void)!__wasi_fd_close(ep);
}

int main(void) {
  uint32_t efd, sem, blk;
  uint8_t buf[16] = {0};
  uint64_t v;
  size_t n;

  showw("fd_event 0 nonblocking",
        wasix_fd_event(0, WASIX_EVENTFD_NONBLOCK, &efd));
  show_read("read empty", efd);
  show_ready("empty", efd);
  v = 5;
  printf("write 4 bytes: %s\n", errname(rw(1, efd, &v, 4, &n)));
  printf("read into 4 bytes: %s\n", errname(rw(0, efd, buf, 4, &n)));
  showw("write 5", wasix_efd_write(efd, 5));
  showw("write 7", wasix_efd_write(efd, 7));
  show_ready("holding 12", efd);
  printf("read into 16 bytes: %s, %zu bytes", errname(rw(0, efd, buf, 16, &n)),
         n);
  memcpy(&v, buf, 8);
  printf(", value %llu\n", (unsigned long long)v);
  show_read("read after reset", efd);
  showw("write 0xffffffffffffffff", wasix_efd_write(efd, UINT64_MAX));
  showw("write 0xfffffffffffffffe", wasix_efd_write(efd, UINT64_MAX - 1));
  show_ready("at the maximum", efd);
  showw("write 1 more", wasix_efd_write(efd, 1));
  show_read("read at the maximum", efd);
  showw("write 0", wasix_efd_write(efd, 0));
  show_read("read after writing 0", efd);

  showw("fd_event 3 semaphore nonblocking",
        wasix_fd_event(3, WASIX_EVENTFD_SEMAPHORE | WASIX_EVENTFD_NONBLOCK,
                       &sem));
  show_read("semaphore read 1", sem);
  show_read("semaphore read 2", sem);
  show_read("semaphore read 3", sem);
  show_read("semaphore read 4", sem);
  showw("write 2", wasix_efd_write(sem, 2));
  show_read("semaphore read 5", sem);

  showw("fd_event with initial 0xffffffffffffffff",
        wasix_fd_event(UINT64_MAX, 0, &blk));
  showw("fd_event 0 blocking", wasix_fd_event(0, 0, &blk));
  show_read("blocking read of an empty eventfd", blk);
  showw("set NONBLOCK",
        __wasi_fd_fdstat_set_flags(blk, __WASI_FDFLAGS_NONBLOCK));
  show_read("then", blk);
  showw("fd_sync", __wasi_fd_sync(blk));
  return 0;
}
