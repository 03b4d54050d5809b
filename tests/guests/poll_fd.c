/*
 * poll_oneoff with fd subscriptions: a regular file is ready for reading
 * and for writing at once (before a 10 s clock), every ready subscription
 * is reported (events printed sorted by userdata, as preview1 promises no
 * order), and a subscription on a closed fd reports BADF in its event
 * while the call itself succeeds. A read event on a file says how many bytes
 * are left to read (preview1: "the number of bytes available").
 *
 * wt-dir: tree /sandbox
 * wt-node: skip uvwasi polls regular files with epoll, so the call fails with PERM; and it drops a closed fd's subscription instead of reporting BADF in its event
 */
#include <stdlib.h>

#include "guest.h"

#define MS 1000000ull

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, __wasi_eventtype_t t,
                                    __wasi_fd_t fd) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = t;
  s.u.u.fd_read.file_descriptor = fd;
  return s;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, uint64_t ns) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  s.u.u.clock.timeout = ns;
  return s;
}

static int by_userdata(const void *a, const void *b) {
  const __wasi_event_t *x = a, *y = b;
  return x->userdata < y->userdata ? -1 : x->userdata > y->userdata;
}

static void poll(const char *label, __wasi_subscription_t *s, __wasi_size_t n) {
  __wasi_event_t ev[8];
  __wasi_size_t got = 0;
  uint64_t t0 = mono_ns();
  showw(label, __wasi_poll_oneoff(s, ev, n, &got));
  printf("  returned before the 10 s clock: %s\n",
         yesno(mono_ns() - t0 < 5000 * MS));
  qsort(ev, got, sizeof ev[0], by_userdata);
  printf("  nevents %u\n", (unsigned)got);
  for (__wasi_size_t i = 0; i < got; i++) {
    printf("  event userdata %llu type %u error %s",
           (unsigned long long)ev[i].userdata, ev[i].type,
           ev[i].error ? errname(ev[i].error) : "none");
    /* For a file, bytes left to read: the whole 6-byte a.txt. */
    if (ev[i].type == __WASI_EVENTTYPE_FD_READ && !ev[i].error)
      printf(" nbytes %llu", (unsigned long long)ev[i].fd_readwrite.nbytes);
    putchar('\n');
  }
}

int main(void) {
  int rd = open("/sandbox/a.txt", O_RDONLY);
  int wr = open("/sandbox/new.txt", O_CREAT | O_WRONLY, 0644);
  __wasi_subscription_t s[4];
  s[0] = fd_sub(1, __WASI_EVENTTYPE_FD_READ, rd);
  s[1] = clock_sub(9, 10000 * MS);
  poll("poll file readable", s, 2);
  s[0] = fd_sub(2, __WASI_EVENTTYPE_FD_WRITE, wr);
  poll("poll file writable", s, 2);
  s[0] = fd_sub(3, __WASI_EVENTTYPE_FD_WRITE, wr);
  s[1] = fd_sub(1, __WASI_EVENTTYPE_FD_READ, rd);
  s[2] = clock_sub(9, 10000 * MS);
  poll("poll both", s, 3);
  s[0] = fd_sub(4, __WASI_EVENTTYPE_FD_READ, 77);
  s[1] = clock_sub(9, 10000 * MS);
  poll("poll closed fd 77", s, 2);
  close(rd);
  close(wr);
  return 0;
}
