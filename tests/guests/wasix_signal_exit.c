/*
 * A signal callback that ends the guest: a repeating timer interrupts a
 * wait with no timeout, and the callback, running inside that wait,
 * prints (a host call of its own) and calls proc_exit(7). The run ends
 * there with exit code 7; the wait never returns to the guest. Nothing
 * is printed between arming the timer and the wait (see
 * wasix_signal_wait.c on flushing stdout from a handler).
 *
 * wt-exit: 7
 * wt-node: skip node:wasi has no WASIX (wasix_32v1) imports
 */
#include <stdlib.h>

#include "guest.h"
#include "wasix.h"

static volatile int deliveries;
static volatile int32_t armed = -1;

__attribute__((export_name("__wasm_signal"))) void on_signal(int sig) {
  deliveries++;
  printf("proc_raise_interval USR1 10 ms repeat: %s\n", errname(armed));
  printf("handler: signal %d, delivery %d, exiting with 7\n", sig, deliveries);
  fflush(stdout);
  _Exit(7);
}

int main(void) {
  wasix_epoll_event_t ev[1];
  uint32_t ep, idle, n = 0;
  wasix_epoll_event_t e = {0};
  int32_t r;
  showw("epoll_create", wasix_epoll_create(&ep));
  showw("fd_event", wasix_fd_event(0, 0, &idle));
  e.events = WASIX_EPOLLIN;
  showw("epoll_ctl ADD", wasix_epoll_ctl(ep, WASIX_EPOLL_CTL_ADD, idle, &e));
  wasix_set_handler("__wasm_signal");
  puts("waiting forever");
  fflush(stdout);
  armed = wasix_proc_raise_interval(WASIX_SIGUSR1, 10000000ull, 1);
  r = wasix_epoll_wait(ep, ev, 1, WASIX_FOREVER, &n);
  printf("the wait returned %s: not expected\n", errname(r));
  return 1;
}
