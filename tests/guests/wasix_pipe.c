/*
 * A producer and a consumer on one fd_pipe, driven by epoll. The read end
 * is made nonblocking (fd_fdstat_set_flags) and watched for IN. Each round
 * the producer writes a few lines; the consumer waits (no timeout: data is
 * there), then reads in small pieces until AGAIN, so it sees every byte of
 * the round and then an empty pipe. An empty pipe with a writer is not
 * ready (a zero-timeout wait reports nothing). Closing the write end makes
 * the read end report HUP (alone: no data left), and a read returns 0
 * (end of file).
 *
 * Also: fd_pipe is one-way (writing to the read end fails, BADF), both
 * ends have file type UNKNOWN, and epoll reports the write end writable.
 *
 * wt-node: skip node:wasi has no WASIX (wasix_32v1) imports
 */
#include "guest.h"
#include "wasix.h"

#define ROUNDS 4

static uint32_t ep;

static int32_t wait_for(uint64_t timeout, wasix_epoll_event_t *ev,
                        uint32_t *n) {
  *n = 0;
  return wasix_epoll_wait(ep, ev, 2, timeout, n);
}

/* Reads 5 bytes at a time until AGAIN (or EOF); returns the bytes read. */
static size_t drain(uint32_t rd, char *out, size_t cap, const char **end) {
  size_t total = 0;
  for (;;) {
    __wasi_iovec_t iov = {(uint8_t *)out + total, 5};
    __wasi_size_t n = 0;
    int32_t e;
    if (total + 5 > cap) {
      *end = "buffer full";
      return total;
    }
    e = __wasi_fd_read(rd, &iov, 1, &n);
    if (e != 0) {
      *end = errname(e);
      return total;
    }
    if (n == 0) {
      *end = "EOF";
      return total;
    }
    total += n;
  }
}

int main(void) {
  uint32_t rd, wr, n;
  wasix_epoll_event_t ev[2], e = {0};
  __wasi_fdstat_t st;
  char buf[512];
  const char *end;
  size_t got, sent_total = 0, got_total = 0;

  showw("fd_pipe", wasix_fd_pipe(&rd, &wr));
  if (__wasi_fd_fdstat_get(rd, &st) == 0)
    printf("read end type: %d\n", st.fs_filetype);
  if (__wasi_fd_fdstat_get(wr, &st) == 0)
    printf("write end type: %d\n", st.fs_filetype);
  {
    __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
    __wasi_size_t nw = 0;
    showw("write to the read end", __wasi_fd_write(rd, &iov, 1, &nw));
  }
  showw("read end NONBLOCK",
        __wasi_fd_fdstat_set_flags(rd, __WASI_FDFLAGS_NONBLOCK));
  showw("epoll_create", wasix_epoll_create(&ep));
  e.events = WASIX_EPOLLIN;
  e.data1 = 1;
  showw("epoll_ctl ADD read end",
        wasix_epoll_ctl(ep, WASIX_EPOLL_CTL_ADD, rd, &e));
  showw("wait on an empty pipe", wait_for(0, ev, &n));
  printf("events: %u\n", n);

  for (int round = 1; round <= ROUNDS; round++) {
    size_t sent = 0;
    for (int line = 0; line < round; line++) {
      char msg[32];
      int len = snprintf(msg, sizeof msg, "round %d line %d\n", round, line);
      __wasi_ciovec_t iov = {(const uint8_t *)msg, (size_t)len};
      __wasi_size_t nw = 0;
      if (__wasi_fd_write(wr, &iov, 1, &nw) != 0 || nw != (size_t)len)
        return 1;
      sent += nw;
    }
    wait_for(WASIX_FOREVER, ev, &n);
    printf("round %d: sent %zu, wait: %u event(s) %s, ", round, sent, n,
           n ? wasix_events(ev[0].events) : "-");
    got = drain(rd, buf, sizeof buf, &end);
    printf("read %zu then %s\n", got, end);
    if (got != sent || memcmp(buf, "round ", 6) != 0)
      return 1;
    sent_total += sent;
    got_total += got;
    wait_for(0, ev, &n);
    printf("round %d: drained pipe, wait: %u event(s)\n", round, n);
  }
  printf("total sent %zu, received %zu\n", sent_total, got_total);

  e.events = WASIX_EPOLLOUT;
  e.data1 = 2;
  showw("epoll_ctl ADD write end (OUT)",
        wasix_epoll_ctl(ep, WASIX_EPOLL_CTL_ADD, wr, &e));
  wait_for(0, ev, &n);
  printf("write end: %u event(s) %s tag %u\n", n,
         n ? wasix_events(ev[0].events) : "-", n ? ev[0].data1 : 0);
  showw("epoll_ctl DEL write end",
        wasix_epoll_ctl(ep, WASIX_EPOLL_CTL_DEL, wr, NULL));

  showw("close write end", __wasi_fd_close(wr));
  wait_for(WASIX_FOREVER, ev, &n);
  printf("after close: %u event(s) %s\n", n,
         n ? wasix_events(ev[0].events) : "-");
  got = drain(rd, buf, sizeof buf, &end);
  printf("read %zu then %s\n", got, end);
  return 0;
}
