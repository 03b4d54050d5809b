/*
 * eventfd ping-pong through epoll: two eventfds, "ping" and "pong", both
 * watched for IN by one epoll instance (each tagged in data.data1). Each
 * round writes a value to one side, waits (no timeout: something is always
 * ready), reads what the wait reported and answers on the other side with
 * the value plus one. Every wait reports exactly the side just written,
 * every read returns exactly the value written and resets the counter,
 * so the sequence below is fixed. A final wait with a zero timeout finds
 * nothing ready.
 *
 * wt-node: skip node:wasi has no WASIX (wasix_32v1) imports
 */
#include "guest.h"
#include "wasix.h"

#define ROUNDS 5

static uint32_t ep, fds[2];
static const char *const names[2] = {"ping", "pong"};

/* Waits for one event; returns the side it names, or -1. */
static int wait_one(uint64_t timeout) {
  wasix_epoll_event_t ev[2];
  uint32_t n = 0;
  int32_t e = wasix_epoll_wait(ep, ev, 2, timeout, &n);
  if (e != 0 || n != 1) {
    printf("epoll_wait: %s, %u events\n", errname(e), n);
    return -1;
  }
  if (ev[0].events != WASIX_EPOLLIN || ev[0].data1 > 1) {
    printf("unexpected event %s tag %u\n", wasix_events(ev[0].events),
           ev[0].data1);
    return -1;
  }
  return (int)ev[0].data1;
}

int main(void) {
  uint64_t value = 1, got;
  unsigned waits = 0, reads = 0, writes = 0;
  uint32_t n = 99;
  wasix_epoll_event_t ev[2];

  showw("epoll_create", wasix_epoll_create(&ep));
  for (int i = 0; i < 2; i++) {
    wasix_epoll_event_t e = {0};
    showw("fd_event", wasix_fd_event(0, 0, &fds[i]));
    e.events = WASIX_EPOLLIN;
    e.data1 = (uint32_t)i;
    e.data2 = 0x1122334455667700ull + (uint64_t)i;
    showw("epoll_ctl ADD",
          wasix_epoll_ctl(ep, WASIX_EPOLL_CTL_ADD, fds[i], &e));
  }

  showw("write ping 1", wasix_efd_write(fds[0], value));
  writes++;
  for (int round = 0; round < 2 * ROUNDS; round++) {
    int side = wait_one(WASIX_FOREVER);
    waits++;
    if (side < 0)
      return 1;
    if (wasix_efd_read(fds[side], &got) != 0)
      return 1;
    reads++;
    printf("%s got %llu", names[side], (unsigned long long)got);
    value = got + 1;
    if (round + 1 < 2 * ROUNDS) {
      printf(", sends %llu to %s", (unsigned long long)value, names[1 - side]);
      if (wasix_efd_write(fds[1 - side], value) != 0)
        return 1;
      writes++;
    }
    putchar('\n');
  }
  printf("writes %u, waits %u, reads %u\n", writes, waits, reads);

  showw("final wait, 0 ns", wasix_epoll_wait(ep, ev, 2, 0, &n));
  printf("events: %u\n", n);
  /* data is echoed back bit for bit: write once more and look. */
  wasix_efd_write(fds[1], 7);
  wasix_epoll_wait(ep, ev, 2, 0, &n);
  printf("pong's data2 echoed: %s\n",
         yesno(n == 1 && ev[0].data2 == 0x1122334455667701ull));
  return 0;
}
