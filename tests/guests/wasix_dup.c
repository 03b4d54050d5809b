/*
 * fd_dup, fd_dup2 and the per-fd CLOEXEC flag, seen from the guest.
 * A dup shares the description: a value written through the dup is read
 * through the original. fd_dup takes the lowest free fd; fd_dup2(fd,
 * min_fd, cloexec) the first free fd at or above min_fd (F_DUPFD), with
 * CLOEXEC when asked. CLOEXEC belongs to the fd, not the description: a
 * dup of a CLOEXEC fd does not have it; fd_fdflags_set changes it, and
 * unknown flag bits are INVAL. An epoll entry follows the description:
 * closing the fd it was added with leaves it active while a dup is open.
 * Errors: BADF for a closed fd.
 *
 * wt-node: skip node:wasi has no WASIX (wasix_32v1) imports
 */
#include "guest.h"
#include "wasix.h"

static void show_flags(const char *label, uint32_t fd) {
  uint16_t flags = 0xffff;
  int32_t e = wasix_fd_fdflags_get(fd, &flags);
  if (e != 0)
    printf("%s flags: %s\n", label, errname(e));
  else
    printf("%s flags: %s\n", label,
           flags == WASIX_FDFLAG_CLOEXEC ? "CLOEXEC"
           : flags == 0                  ? "none"
                                         : "other");
}

int main(void) {
  uint32_t efd, d1, d2, d3, d4, ep, n = 0, probe;
  uint64_t v = 0;
  wasix_epoll_event_t e = {0}, ev[2];

  showw("fd_event", wasix_fd_event(0, WASIX_EVENTFD_NONBLOCK, &efd));
  showw("fd_dup", wasix_fd_dup(efd, &d1));
  printf("dup is a new fd: %s\n", yesno(d1 != efd));
  showw("write 5 through the dup", wasix_efd_write(d1, 5));
  showw("read through the original", wasix_efd_read(efd, &v));
  printf("value: %llu\n", (unsigned long long)v);
  showw("read again (nonblocking, shared)", wasix_efd_read(d1, &v));

  /* The lowest free fd: close the original, the next dup takes its slot. */
  showw("close original", __wasi_fd_close(efd));
  showw("fd_dup", wasix_fd_dup(d1, &d2));
  printf("dup reused the lowest free fd: %s\n", yesno(d2 == efd));

  showw("fd_dup2 min 40 cloexec", wasix_fd_dup2(d1, 40, 1, &d3));
  printf("dup2 fd >= 40: %s, exactly 40: %s\n", yesno(d3 >= 40),
         yesno(d3 == 40));
  showw("fd_dup2 min 40 again", wasix_fd_dup2(d1, 40, 0, &d4));
  printf("second dup2 is 41: %s\n", yesno(d4 == 41));
  show_flags("dup2 with cloexec", d3);
  show_flags("dup2 without", d4);
  showw("fd_dup of the cloexec fd", wasix_fd_dup(d3, &probe));
  show_flags("its dup", probe);
  showw("fd_fdflags_set CLOEXEC",
        wasix_fd_fdflags_set(d4, WASIX_FDFLAG_CLOEXEC));
  show_flags("after set", d4);
  showw("fd_fdflags_set 0", wasix_fd_fdflags_set(d4, 0));
  show_flags("after clear", d4);
  showw("fd_fdflags_set 2 (unknown)", wasix_fd_fdflags_set(d4, 2));
  show_flags("stdout", 1);

  /* Epoll entries follow the description, not the fd number. */
  showw("epoll_create", wasix_epoll_create(&ep));
  e.events = WASIX_EPOLLIN;
  e.data1 = 77;
  showw("epoll_ctl ADD via dup",
        wasix_epoll_ctl(ep, WASIX_EPOLL_CTL_ADD, d1, &e));
  showw("close that fd", __wasi_fd_close(d1));
  showw("write 1 via another dup", wasix_efd_write(d3, 1));
  wasix_epoll_wait(ep, ev, 2, 0, &n);
  printf("entry still reports: %u event(s), tag %u\n", n, n ? ev[0].data1 : 0);

  showw("fd_dup of a closed fd", wasix_fd_dup(d1, &probe));
  showw("fd_dup2 of a closed fd", wasix_fd_dup2(d1, 0, 0, &probe));
  showw("fd_fdflags_get of a closed fd",
        wasix_fd_fdflags_get(d1, &(uint16_t){0}));
  return 0;
}
