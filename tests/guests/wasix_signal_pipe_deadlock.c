/*
 * A signal handler that blocks on something only the guest itself could
 * end: the handler reads an empty fd_pipe whose write end only the guest
 * holds. While the handler runs, its signals are held (delivered after it
 * returns, as Linux blocks a signal during its handler), so no timer can
 * end the read either: nothing ever could. The core answers DEADLK at
 * once (docs/core.md), never a hang or a wait woken again and again by the
 * timer. The same read outside any handler, with no timer armed, is DEADLK
 * too; with data in the pipe or the write end closed it does not wait.
 *
 * Nothing is printed while the timer is armed (see wasix_signal_wait.c).
 *
 * wt-node: skip node:wasi has no WASIX (wasix_32v1) imports
 * wt-timeout: 60
 */
#include "guest.h"
#include "wasix.h"

#define MS 1000000ull

static uint32_t rd, wr;
static volatile int deliveries;
static volatile int32_t in_handler = -1;
static volatile int32_t write_in_handler = -1;

static int32_t read1(uint32_t fd, char *c) {
  __wasi_iovec_t iov = {(uint8_t *)c, 1};
  __wasi_size_t n = 0;
  int32_t e = __wasi_fd_read(fd, &iov, 1, &n);
  return e == 0 && n == 0 ? -1 : e; /* -1: end of file */
}

__attribute__((export_name("on_alarm"))) void on_alarm(int sig) {
  char c;
  (void)sig;
  if (deliveries++ > 0)
    return;
  in_handler = read1(rd, &c);
  write_in_handler = wasix_efd_write(wr, 0); /* a pipe takes 8 bytes */
}

static const char *name(int32_t e) {
  return e == -1 ? "EOF" : e == 0 ? "ok" : errname(e);
}

int main(void) {
  uint32_t idle, ep, n;
  wasix_epoll_event_t ev[1], add = {0};
  char c;
  showw("fd_pipe", wasix_fd_pipe(&rd, &wr));
  printf("read of the empty pipe, no timer: %s\n", name(read1(rd, &c)));
  fflush(stdout);

  /* A wait that only the timer can end brings the handler in. */
  showw("epoll_create", wasix_epoll_create(&ep));
  showw("fd_event", wasix_fd_event(0, 0, &idle));
  add.events = WASIX_EPOLLIN;
  showw("epoll_ctl ADD", wasix_epoll_ctl(ep, WASIX_EPOLL_CTL_ADD, idle, &add));
  fflush(stdout);
  wasix_set_handler("on_alarm");
  wasix_proc_raise_interval(WASIX_SIGALRM, 5 * MS, 1);
  while (deliveries == 0)
    wasix_epoll_wait(ep, ev, 1, WASIX_FOREVER, &n);
  wasix_proc_raise_interval(WASIX_SIGALRM, 0, 0);
  printf("handler's read of the empty pipe: %s\n", name(in_handler));
  printf("handler's write after it: %s\n", name(write_in_handler));
  printf("read with the handler's 8 bytes there: %s\n", name(read1(rd, &c)));
  showw("close the write end", __wasi_fd_close(wr));
  for (int i = 0; i < 8; i++)
    read1(rd, &c);
  printf("read after the write end closed: %s\n", name(read1(rd, &c)));
  return 0;
}
