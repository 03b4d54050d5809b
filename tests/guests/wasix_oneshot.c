/*
 * EPOLLONESHOT: an entry reports once and is then disabled, however ready
 * its fd stays and whatever is written to it, until epoll_ctl MOD re-arms
 * it; the next wait reports it again (once). MOD of an fd never added is
 * NOENT, ADD of one already there EXIST; DEL removes the entry for good.
 * Waits use a zero timeout.
 *
 * wt-node: skip node:wasi has no WASIX (wasix_32v1) imports
 */
#include "guest.h"
#include "wasix.h"

static uint32_t ep;

static void wait_and_show(const char *label) {
  wasix_epoll_event_t ev[2];
  uint32_t n = 0;
  int32_t e = wasix_epoll_wait(ep, ev, 2, 0, &n);
  printf("%s: %s, %u event(s)", label, errname(e), n);
  for (uint32_t i = 0; i < n; i++)
    printf(" %s tag %u", wasix_events(ev[i].events), ev[i].data1);
  putchar('\n');
}

static int32_t ctl(uint32_t op, uint32_t fd, uint32_t events, uint32_t tag) {
  wasix_epoll_event_t e = {0};
  e.events = events;
  e.data1 = tag;
  return wasix_epoll_ctl(ep, op, fd, &e);
}

int main(void) {
  const uint32_t once = WASIX_EPOLLIN | WASIX_EPOLLONESHOT;
  uint32_t efd, other;
  showw("epoll_create", wasix_epoll_create(&ep));
  showw("fd_event", wasix_fd_event(0, 0, &efd));
  showw("fd_event other", wasix_fd_event(0, 0, &other));
  showw("MOD before ADD", ctl(WASIX_EPOLL_CTL_MOD, efd, once, 1));
  showw("ADD IN|ONESHOT", ctl(WASIX_EPOLL_CTL_ADD, efd, once, 1));
  showw("ADD again", ctl(WASIX_EPOLL_CTL_ADD, efd, once, 1));
  wait_and_show("empty");
  wasix_efd_write(efd, 3);
  puts("wrote 3");
  wait_and_show("wait 1");
  wait_and_show("wait 2");
  wasix_efd_write(efd, 1);
  puts("wrote 1 more");
  wait_and_show("wait 3");
  showw("MOD IN|ONESHOT, tag 2", ctl(WASIX_EPOLL_CTL_MOD, efd, once, 2));
  wait_and_show("wait 4");
  wait_and_show("wait 5");
  showw("MOD IN (level), tag 3",
        ctl(WASIX_EPOLL_CTL_MOD, efd, WASIX_EPOLLIN, 3));
  wait_and_show("wait 6");
  wait_and_show("wait 7");
  showw("DEL", wasix_epoll_ctl(ep, WASIX_EPOLL_CTL_DEL, efd, NULL));
  wait_and_show("after DEL");
  showw("DEL again", wasix_epoll_ctl(ep, WASIX_EPOLL_CTL_DEL, efd, NULL));
  showw("MOD after DEL", ctl(WASIX_EPOLL_CTL_MOD, efd, once, 4));
  showw("op 3 (Linux's MOD)", ctl(3, other, WASIX_EPOLLIN, 5));
  return 0;
}
