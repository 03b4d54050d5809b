/*
 * A TCP echo server on a preopened listening socket: find it
 * (fd_fdstat_get filetype SOCKET_STREAM; it is not a preopened directory,
 * so fd_prestat_get says BADF), wait for a client with poll_oneoff
 * (FD_READ on the listener), sock_accept, sock_recv up to a newline,
 * sock_send it back, sock_shutdown, close. Then, with no second client, a
 * NONBLOCK accept is AGAIN, and socket calls on a file are NOTSOCK.
 *
 * The runner connects from 127.0.0.1, sends the wt-tcp-send line and
 * expects the same line back.
 *
 * wt-tcplisten: yes
 * wt-tcp-send: hello from the e2e runner
 * wt-node: skip node:wasi has no preopened sockets
 */
#include "guest.h"

static int find_socket(void) {
  for (int fd = 3; fd < 64; fd++) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(fd, &st) == 0 &&
        st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM)
      return fd;
  }
  return -1;
}

static void wait_client(int s) {
  __wasi_subscription_t sub[2];
  __wasi_event_t ev[2];
  __wasi_size_t n = 0;
  memset(sub, 0, sizeof sub);
  sub[0].userdata = 1;
  sub[0].u.tag = __WASI_EVENTTYPE_FD_READ;
  sub[0].u.u.fd_read.file_descriptor = s;
  sub[1].userdata = 2;
  sub[1].u.tag = __WASI_EVENTTYPE_CLOCK;
  sub[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  sub[1].u.u.clock.timeout = 60ull * 1000000000ull;
  showw("poll_oneoff for a client", __wasi_poll_oneoff(sub, ev, 2, &n));
  printf("  listener readable: %s\n",
         yesno(n >= 1 && ev[0].userdata == 1 && ev[0].error == 0));
}

/* Receives into buf up to a newline (kept); returns the length. */
static size_t recv_line(int c, char *buf, size_t size) {
  size_t len = 0;
  while (len < size && memchr(buf, '\n', len) == NULL) {
    __wasi_iovec_t iov = {(uint8_t *)buf + len, size - len};
    __wasi_size_t got = 0;
    __wasi_roflags_t flags = 0;
    __wasi_errno_t e = __wasi_sock_recv(c, &iov, 1, 0, &got, &flags);
    if (e != 0 || got == 0) {
      printf("sock_recv: %s after %zu bytes\n", e ? errname(e) : "end of stream", len);
      break;
    }
    len += got;
  }
  return len;
}

static void serve(int s) {
  __wasi_fd_t c;
  __wasi_fdstat_t st;
  char buf[256];
  size_t len;
  __wasi_size_t sent = 0;
  if (showw("sock_accept", __wasi_sock_accept(s, 0, &c)) != 0)
    return;
  (void)__wasi_fd_fdstat_get(c, &st);
  printf("  accepted fd is a stream socket: %s\n",
         yesno(st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM));
  len = recv_line(c, buf, sizeof buf);
  printf("received %zu bytes: ", len);
  print_bytes(buf, len);
  putchar('\n');
  __wasi_ciovec_t iov = {(const uint8_t *)buf, len};
  showw("sock_send", __wasi_sock_send(c, &iov, 1, 0, &sent));
  printf("  sent %u bytes\n", (unsigned)sent);
  showw("sock_shutdown WR", __wasi_sock_shutdown(c, __WASI_SDFLAGS_WR));
  showw("fd_close", __wasi_fd_close(c));
}

int main(void) {
  int s = find_socket();
  __wasi_prestat_t ps;
  __wasi_fd_t c;
  printf("socket fd found: %s\n", yesno(s >= 0));
  if (s < 0)
    return 1;
  showw("fd_prestat_get on it", __wasi_fd_prestat_get(s, &ps));
  wait_client(s);
  serve(s);
  showw("set NONBLOCK", __wasi_fd_fdstat_set_flags(s, __WASI_FDFLAGS_NONBLOCK));
  showw("sock_accept with no client", __wasi_sock_accept(s, 0, &c));
  showw("sock_accept on stdout", __wasi_sock_accept(1, 0, &c));
  showw("sock_shutdown on stdout", __wasi_sock_shutdown(1, __WASI_SDFLAGS_RD));
  return 0;
}
