/*
 * Edge- versus level-triggered epoll entries on the same readiness: two
 * eventfds, each holding a count, one watched level-triggered (IN), the
 * other edge-triggered (IN|ET). With nothing read, every wait reports the
 * level entry again, the edge entry only on the first wait. New data (a
 * write to the edge eventfd, still unread) is a new edge: reported once
 * more. Reading the level eventfd empties it: it is no longer reported.
 * Waits use a zero timeout, so none of this depends on timing.
 *
 * wt-node: skip node:wasi has no WASIX (wasix_32v1) imports
 */
#include "guest.h"
#include "wasix.h"

static uint32_t ep;

/* One wait: prints the tags reported ("level", "edge"), in order. */
static void wait_and_show(const char *label) {
  static const char *const tags[] = {"?", "level", "edge"};
  wasix_epoll_event_t ev[4];
  uint32_t n = 0;
  int32_t e = wasix_epoll_wait(ep, ev, 4, 0, &n);
  printf("%s: %s, %u:", label, errname(e), n);
  for (uint32_t i = 0; i < n; i++)
    printf(" %s(%s)", tags[ev[i].data1 < 3 ? ev[i].data1 : 0],
           wasix_events(ev[i].events));
  putchar('\n');
}

static void add(uint32_t fd, uint32_t events, uint32_t tag) {
  wasix_epoll_event_t e = {0};
  e.events = events;
  e.data1 = tag;
  showw("epoll_ctl ADD", wasix_epoll_ctl(ep, WASIX_EPOLL_CTL_ADD, fd, &e));
}

int main(void) {
  uint32_t level, edge;
  uint64_t v;
  showw("epoll_create", wasix_epoll_create(&ep));
  showw("fd_event level", wasix_fd_event(0, 0, &level));
  showw("fd_event edge", wasix_fd_event(0, 0, &edge));
  add(level, WASIX_EPOLLIN, 1);
  add(edge, WASIX_EPOLLIN | WASIX_EPOLLET, 2);
  wait_and_show("nothing written");
  wasix_efd_write(level, 1);
  wasix_efd_write(edge, 1);
  puts("wrote 1 to both");
  wait_and_show("wait 1");
  wait_and_show("wait 2");
  wait_and_show("wait 3");
  wasix_efd_write(edge, 1);
  puts("wrote 1 more to edge (unread)");
  wait_and_show("wait 4");
  wait_and_show("wait 5");
  showw("read level", wasix_efd_read(level, &v));
  printf("level counter was %llu\n", (unsigned long long)v);
  wait_and_show("wait 6");
  showw("read edge", wasix_efd_read(edge, &v));
  printf("edge counter was %llu\n", (unsigned long long)v);
  wasix_efd_write(edge, 5);
  puts("wrote 5 to edge (after draining it)");
  wait_and_show("wait 7");
  wait_and_show("wait 8");
  return 0;
}
