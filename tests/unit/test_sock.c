/*
 * sock_accept, sock_recv, sock_send, sock_shutdown, wt__sock_listen, and
 * poll_oneoff on sockets. Loopback (127.0.0.1) only; port 0 lets the
 * kernel pick. A blocking connect() on loopback completes as soon as the
 * kernel queues the connection, so the test is its own client.
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* Guest fd of the preopened listening socket (after stdio). */
#define LISTEN_FD 3

typedef struct sock_env_s {
  wt_t *w;
  int port;
} sock_env_t;

static wt_t *new_instance(const wt_preopen_socket_t *ps) {
  wt_options_t o;
  wt_t *w = NULL;
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  assert_true(devnull >= 0);
  wt_options_init(&o);
  o.in = o.out = o.err = devnull;
  o.preopen_socketc = 1;
  o.preopen_sockets = ps;
  if (wt_init(&o, &w) != WT_ESUCCESS)
    fail_msg("wt_init: %s", wt_init_error());
  close(devnull);
  return w;
}

static int port_of(int host) {
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  assert_int_equal(getsockname(host, (struct sockaddr *)&sa, &len), 0);
  return ntohs(sa.sin_port);
}

static int setup(void **state) {
  sock_env_t *env = calloc(1, sizeof *env);
  wt_preopen_socket_t ps = {"127.0.0.1:0", -1};
  assert_non_null(env);
  env->w = new_instance(&ps);
  assert_int_equal(env->w->fds[LISTEN_FD].desc->kind, WT_DESC_SOCKET);
  env->port = port_of(env->w->fds[LISTEN_FD].desc->host_fd);
  assert_true(env->port > 0);
  *state = env;
  return 0;
}

static int teardown(void **state) {
  sock_env_t *env = *state;
  wt_destroy(env->w);
  free(env);
  return 0;
}

static int client_connect(int port) {
  struct sockaddr_in sa;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(fd >= 0);
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
  return fd;
}

/* Connects a client and accepts it: *client host fd, returns guest fd. */
static wt_fd_t connect_pair(sock_env_t *env, uint16_t flags, int *client) {
  wt_fd_t fd = 0;
  *client = client_connect(env->port);
  assert_ok(wt_sock_accept(env->w, LISTEN_FD, flags, &fd));
  return fd;
}

static void client_send(int fd, const char *s) {
  assert_int_equal(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

static wt_errno_t recv1(wt_t *w, wt_fd_t fd, char *buf, uint32_t len,
                        uint16_t flags, uint32_t *n, uint16_t *roflags) {
  wt_iovec_t iov = {(uint8_t *)buf, len};
  return wt_sock_recv(w, fd, &iov, 1, flags, n, roflags);
}

static wt_errno_t send1(wt_t *w, wt_fd_t fd, const char *s, uint32_t *n) {
  wt_ciovec_t iov = {(const uint8_t *)s, (uint32_t)strlen(s)};
  return wt_sock_send(w, fd, &iov, 1, 0, n);
}

static wt_fd_t inject(wt_t *w, uint8_t kind, int host, wt_filetype_t type,
                      wt_rights_t rights) {
  wt__desc_t *d = wt__desc_new(w, kind, type, host);
  wt_fd_t fd;
  assert_non_null(d);
  assert_ok(wt__fd_insert(w, d, rights, 0, 0, &fd));
  return fd;
}

/* The lowest free host fd number: unchanged across a call = no leak. */
static int lowest_free_fd(void) {
  int fd = dup(2);
  assert_true(fd >= 0);
  close(fd);
  return fd;
}

static void test_accept_recv_send(void **state) {
  sock_env_t *env = *state;
  char a[3], b[10], back[16];
  wt_iovec_t iov[2] = {{(uint8_t *)a, sizeof a}, {(uint8_t *)b, sizeof b}};
  wt_ciovec_t out[2] = {{(const uint8_t *)"wor", 3},
                        {(const uint8_t *)"ld", 2}};
  uint32_t n = 0;
  uint16_t rf = 99;
  int client;
  wt_fd_t fd = connect_pair(env, 0, &client);
  /* Lowest free slot: stdio 0-2, the listener 3. */
  assert_int_equal(fd, 4);
  assert_int_equal(env->w->fds[fd].desc->kind, WT_DESC_SOCKET);
  assert_int_equal(env->w->fds[fd].desc->type, WT_FILETYPE_SOCKET_STREAM);
  assert_int_equal(env->w->fds[fd].base, WT_RIGHTS_SOCKET);
  assert_int_equal(env->w->fds[fd].inheriting, 0);
  assert_false(env->w->fds[fd].desc->nonblock);
  assert_true(fcntl(env->w->fds[fd].desc->host_fd, F_GETFD) & FD_CLOEXEC);
  client_send(client, "hello");
  assert_ok(wt_sock_recv(env->w, fd, iov, 2, 0, &n, &rf));
  assert_int_equal(n, 5);
  assert_int_equal(rf, 0);
  assert_memory_equal(a, "hel", 3);
  assert_memory_equal(b, "lo", 2);
  assert_ok(wt_sock_send(env->w, fd, out, 2, 0, &n));
  assert_int_equal(n, 5);
  assert_int_equal(recv(client, back, 5, MSG_WAITALL), 5);
  assert_memory_equal(back, "world", 5);
  close(client);
}

static void test_recv_peek(void **state) {
  sock_env_t *env = *state;
  char buf[16];
  uint32_t n = 0;
  uint16_t rf = 0;
  int client;
  wt_fd_t fd = connect_pair(env, 0, &client);
  client_send(client, "abcdef");
  assert_ok(recv1(env->w, fd, buf, 3, WT_SOCK_RECV_PEEK, &n, &rf));
  assert_int_equal(n, 3);
  assert_memory_equal(buf, "abc", 3);
  /* Peeked bytes are still there. */
  assert_ok(recv1(env->w, fd, buf, sizeof buf, 0, &n, &rf));
  assert_int_equal(n, 6);
  assert_memory_equal(buf, "abcdef", 6);
  close(client);
}

typedef struct late_send_s {
  int fd;
  const char *data;
} late_send_t;

static void *send_later(void *arg) {
  late_send_t *ls = arg;
  struct timespec ts = {0, 50 * 1000000L};
  nanosleep(&ts, NULL);
  send(ls->fd, ls->data, strlen(ls->data), MSG_NOSIGNAL);
  return NULL;
}

static void test_recv_waitall(void **state) {
  sock_env_t *env = *state;
  char buf[10];
  uint32_t n = 0;
  uint16_t rf = 0;
  int client;
  pthread_t th;
  wt_fd_t fd = connect_pair(env, 0, &client);
  late_send_t ls = {client, "world"};
  client_send(client, "hello");
  /* The rest arrives later: WAITALL must wait for it, not return 5. */
  assert_int_equal(pthread_create(&th, NULL, send_later, &ls), 0);
  assert_ok(recv1(env->w, fd, buf, sizeof buf, WT_SOCK_RECV_WAITALL, &n, &rf));
  assert_int_equal(pthread_join(th, NULL), 0);
  assert_int_equal(n, 10);
  assert_memory_equal(buf, "helloworld", 10);
  close(client);
}

static void test_recv_truncated_datagram(void **state) {
  sock_env_t *env = *state;
  char buf[4];
  uint32_t n = 0;
  uint16_t rf = 0;
  int sv[2];
  wt_fd_t fd;
  assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
  fd = inject(env->w, WT_DESC_SOCKET, sv[0], WT_FILETYPE_SOCKET_DGRAM,
              WT_RIGHTS_SOCKET);
  assert_int_equal(send(sv[1], "0123456789", 10, 0), 10);
  assert_ok(recv1(env->w, fd, buf, sizeof buf, 0, &n, &rf));
  assert_int_equal(n, 4);
  assert_int_equal(rf, WT_SOCK_RECV_DATA_TRUNCATED);
  assert_memory_equal(buf, "0123", 4);
  close(sv[1]);
}

/* More buffers than the call keeps on its stack. */
static void test_recv_many_iovecs(void **state) {
  sock_env_t *env = *state;
  enum { N = 40 };
  char buf[N];
  wt_iovec_t iov[N];
  uint32_t n = 0;
  uint16_t rf = 0;
  int client;
  wt_fd_t fd = connect_pair(env, 0, &client);
  for (int i = 0; i < N; i++)
    iov[i] = (wt_iovec_t){(uint8_t *)&buf[N - 1 - i], 1};
  client_send(client, "0123456789012345678901234567890123456789");
  assert_ok(wt_sock_recv(env->w, fd, iov, N, WT_SOCK_RECV_WAITALL, &n, &rf));
  assert_int_equal(n, N);
  /* Filled in iovec order: the buffer holds the data reversed. */
  assert_memory_equal(buf, "9876543210987654321098765432109876543210", N);
  close(client);
}

static void test_peer_closed_reads_zero(void **state) {
  sock_env_t *env = *state;
  char buf[8];
  uint32_t n = 99;
  uint16_t rf = 0;
  int client;
  wt_fd_t fd = connect_pair(env, 0, &client);
  close(client);
  assert_ok(recv1(env->w, fd, buf, sizeof buf, 0, &n, &rf));
  assert_int_equal(n, 0);
}

static void test_shutdown(void **state) {
  sock_env_t *env = *state;
  char buf[8];
  uint32_t n = 99;
  uint16_t rf = 0;
  int client, unconnected;
  wt_fd_t fd = connect_pair(env, 0, &client), lone;
  assert_errno(wt_sock_shutdown(env->w, fd, 0), WT_EINVAL);
  assert_errno(wt_sock_shutdown(env->w, fd, 4), WT_EINVAL);
  assert_errno(wt_sock_shutdown(env->w, fd, 7), WT_EINVAL);
  /* WR: the peer sees end of stream. */
  assert_ok(wt_sock_shutdown(env->w, fd, WT_SHUT_WR));
  assert_int_equal(recv(client, buf, sizeof buf, 0), 0);
  /* RD: our own reads see end of stream. */
  assert_ok(wt_sock_shutdown(env->w, fd, WT_SHUT_RD));
  assert_ok(recv1(env->w, fd, buf, sizeof buf, 0, &n, &rf));
  assert_int_equal(n, 0);
  close(client);
  /* Both at once on a fresh connection. */
  fd = connect_pair(env, 0, &client);
  assert_ok(wt_sock_shutdown(env->w, fd, WT_SHUT_RD | WT_SHUT_WR));
  assert_int_equal(recv(client, buf, sizeof buf, 0), 0);
  close(client);
  /* A socket that never connected. */
  unconnected = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(unconnected >= 0);
  lone = inject(env->w, WT_DESC_SOCKET, unconnected, WT_FILETYPE_SOCKET_STREAM,
                WT_RIGHTS_SOCKET);
  assert_errno(wt_sock_shutdown(env->w, lone, WT_SHUT_RD | WT_SHUT_WR),
               WT_ENOTCONN);
}

static void test_epipe_without_sigpipe(void **state) {
  sock_env_t *env = *state;
  uint32_t n = 0;
  wt_errno_t e = WT_ESUCCESS;
  int client;
  wt_fd_t fd = connect_pair(env, 0, &client);
  /* SIGPIPE keeps its default action (main), so a raised one would kill
   * this process and fail the test. */
  assert_ok(wt_sock_shutdown(env->w, fd, WT_SHUT_WR));
  assert_errno(send1(env->w, fd, "x", &n), WT_EPIPE);
  close(client);
  /* A peer that closed: the first send may still go out (and draws a
   * reset); a later one fails with EPIPE. */
  fd = connect_pair(env, 0, &client);
  close(client);
  for (int i = 0; i < 200 && e == WT_ESUCCESS; i++) {
    struct timespec ts = {0, 5 * 1000000L};
    e = send1(env->w, fd, "data", &n);
    nanosleep(&ts, NULL);
  }
  assert_errno(e, WT_EPIPE);
}

static void test_nonblocking(void **state) {
  sock_env_t *env = *state;
  wt__desc_t *listener = env->w->fds[LISTEN_FD].desc;
  char buf[8];
  uint32_t n = 0;
  uint16_t rf = 0;
  wt_fd_t fd = 77;
  int client;
  listener->nonblock = true;
  assert_errno(wt_sock_accept(env->w, LISTEN_FD, 0, &fd), WT_EAGAIN);
  assert_int_equal(fd, 77);
  client = client_connect(env->port);
  assert_ok(wt_sock_accept(env->w, LISTEN_FD, WT_FDFLAG_NONBLOCK, &fd));
  listener->nonblock = false;
  assert_true(env->w->fds[fd].desc->nonblock);
  /* Emulated: the host socket itself stays blocking. */
  assert_false(fcntl(env->w->fds[fd].desc->host_fd, F_GETFL) & O_NONBLOCK);
  assert_errno(recv1(env->w, fd, buf, sizeof buf, 0, &n, &rf), WT_EAGAIN);
  client_send(client, "ok");
  {
    struct pollfd p = {env->w->fds[fd].desc->host_fd, POLLIN, 0};
    assert_int_equal(poll(&p, 1, 5000), 1);
  }
  assert_ok(recv1(env->w, fd, buf, sizeof buf, 0, &n, &rf));
  assert_int_equal(n, 2);
  close(client);
}

static void assert_all_errno(wt_t *w, wt_fd_t fd, wt_errno_t want) {
  char buf[4];
  wt_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  wt_ciovec_t ciov = {(const uint8_t *)"x", 1};
  uint32_t n = 0, acc = 0;
  uint16_t rf = 0;
  assert_errno(wt_sock_accept(w, fd, 0, &acc), want);
  assert_errno(wt_sock_recv(w, fd, &iov, 1, 0, &n, &rf), want);
  assert_errno(wt_sock_send(w, fd, &ciov, 1, 0, &n), want);
  assert_errno(wt_sock_shutdown(w, fd, WT_SHUT_WR), want);
  /* The fd is judged before any other argument. */
  assert_errno(wt_sock_accept(w, fd, 0xffff, NULL), want);
  assert_errno(wt_sock_recv(w, fd, NULL, 0, 0xffff, NULL, NULL), want);
  assert_errno(wt_sock_send(w, fd, NULL, 0, 0xffff, NULL), want);
  assert_errno(wt_sock_shutdown(w, fd, 0), want);
}

static void test_enotsock(void **state) {
  sock_env_t *env = *state;
  const char *tmp = getenv("TMPDIR");
  char path[256];
  int file, p[2];
  snprintf(path, sizeof path, "%.200s/wt-sock-XXXXXX", tmp ? tmp : "/tmp");
  file = mkstemp(path);
  assert_true(file >= 0);
  unlink(path);
  assert_int_equal(pipe2(p, O_CLOEXEC), 0);
  assert_all_errno(env->w,
                   inject(env->w, WT_DESC_HOST, file, WT_FILETYPE_REGULAR_FILE,
                          WT_RIGHTS_REGULAR_FILE),
                   WT_ENOTSOCK);
  assert_all_errno(
      env->w,
      inject(env->w, WT_DESC_HOST, p[0], WT_FILETYPE_UNKNOWN, WT_RIGHTS_TTY),
      WT_ENOTSOCK);
  close(p[1]);
  /* stdin on /dev/null. */
  assert_all_errno(env->w, 0, WT_ENOTSOCK);
}

static void test_ebadf(void **state) {
  sock_env_t *env = *state;
  int client;
  wt_fd_t fd = connect_pair(env, 0, &client);
  assert_all_errno(env->w, 999, WT_EBADF);
  assert_all_errno(env->w, UINT32_MAX, WT_EBADF);
  wt__fd_release(env->w, fd);
  assert_all_errno(env->w, fd, WT_EBADF);
  close(client);
}

static void test_enotcapable(void **state) {
  sock_env_t *env = *state;
  char buf[4];
  wt_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  uint32_t n = 0, acc = 0;
  uint16_t rf = 0;
  int client;
  wt_fd_t fd = connect_pair(env, 0, &client);
  /* An accepted socket cannot accept. */
  assert_errno(wt_sock_accept(env->w, fd, 0, &acc), WT_ENOTCAPABLE);
  env->w->fds[fd].base &= ~(wt_rights_t)(WT_RIGHT_FD_READ | WT_RIGHT_FD_WRITE |
                                         WT_RIGHT_SOCK_SHUTDOWN);
  assert_errno(wt_sock_recv(env->w, fd, &iov, 1, 0, &n, &rf), WT_ENOTCAPABLE);
  assert_errno(send1(env->w, fd, "x", &n), WT_ENOTCAPABLE);
  assert_errno(wt_sock_shutdown(env->w, fd, WT_SHUT_WR), WT_ENOTCAPABLE);
  close(client);
}

static void test_einval_flags(void **state) {
  sock_env_t *env = *state;
  char buf[4];
  wt_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  wt_ciovec_t ciov = {(const uint8_t *)"x", 1};
  uint32_t n = 0, acc = 0;
  uint16_t rf = 0;
  int client;
  wt_fd_t fd;
  assert_errno(wt_sock_accept(env->w, LISTEN_FD, WT_FDFLAG_APPEND, &acc),
               WT_EINVAL);
  assert_errno(wt_sock_accept(env->w, LISTEN_FD,
                              WT_FDFLAG_NONBLOCK | WT_FDFLAG_SYNC, &acc),
               WT_EINVAL);
  fd = connect_pair(env, 0, &client);
  assert_errno(wt_sock_recv(env->w, fd, &iov, 1, 4, &n, &rf), WT_EINVAL);
  assert_errno(wt_sock_send(env->w, fd, &ciov, 1, 1, &n), WT_EINVAL);
  close(client);
}

static void test_listen_malformed(void **state) {
  static const char *bad[] = {"",
                              "127.0.0.1",
                              "127.0.0.1:",
                              "127.0.0.1:abc",
                              ":80",
                              "127.0.0.1:70000",
                              "127.0.0.1:-1",
                              "127.0.0.1:+1",
                              "127.0.0.1:80x",
                              "localhost:80",
                              "300.1.1.1:80",
                              "::1:80",
                              "[::1]",
                              "[::1]80",
                              "[]:80",
                              "[::1:80",
                              "[zz::1]:80",
                              "127.0.0.1:99999999999999999999"};
  int fd = -7, before = lowest_free_fd();
  (void)state;
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    wt_errno_t e = wt__sock_listen(bad[i], &fd);
    if (e != WT_EINVAL)
      fail_msg("\"%s\": got %s, want INVAL", bad[i], wt_errno_name(e));
  }
  assert_errno(wt__sock_listen(NULL, &fd), WT_EINVAL);
  assert_int_equal(fd, -7);
  assert_int_equal(lowest_free_fd(), before);
}

static void test_listen_in_use(void **state) {
  sock_env_t *env = *state;
  char addr[32];
  int fd = -7, before = lowest_free_fd();
  snprintf(addr, sizeof addr, "127.0.0.1:%d", env->port);
  assert_errno(wt__sock_listen(addr, &fd), WT_EADDRINUSE);
  assert_int_equal(fd, -7);
  /* The socket made before bind failed was closed. */
  assert_int_equal(lowest_free_fd(), before);
}

static void test_listen_ok(void **state) {
  int fd = -1, on = 0;
  socklen_t len = sizeof on;
  (void)state;
  assert_ok(wt__sock_listen("127.0.0.1:0", &fd));
  assert_true(fd >= 0);
  assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len), 0);
  assert_int_equal(on, 1);
  assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, &len), 0);
  assert_true(on != 0);
  assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  assert_true(port_of(fd) > 0);
  close(fd);
}

static void test_preopen_host_fd(void **state) {
  struct sockaddr_in sa;
  wt_preopen_socket_t ps;
  wt_t *w;
  wt_fd_t fd = 0;
  int host = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), client;
  (void)state;
  assert_true(host >= 0);
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(host, (struct sockaddr *)&sa, sizeof sa), 0);
  assert_int_equal(listen(host, 8), 0);
  ps.address = NULL;
  ps.host_fd = host;
  w = new_instance(&ps);
  assert_int_equal(w->fds[LISTEN_FD].desc->host_fd, host);
  assert_int_equal(w->fds[LISTEN_FD].base, WT_RIGHTS_SOCKET_LISTEN);
  client = client_connect(port_of(host));
  assert_ok(wt_sock_accept(w, LISTEN_FD, 0, &fd));
  assert_int_equal(fd, 4);
  close(client);
  wt_destroy(w);
  /* Taken over: the instance closed it. */
  assert_int_equal(fcntl(host, F_GETFD), -1);
}

static wt_subscription_t read_sub(uint64_t ud, wt_fd_t fd) {
  wt_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = WT_EVENTTYPE_FD_READ;
  s.u.u.fd_readwrite.fd = fd;
  return s;
}

static void test_poll_sockets(void **state) {
  sock_env_t *env = *state;
  struct linger lg = {1, 0};
  wt_subscription_t s;
  wt_event_t ev;
  uint32_t n = 0;
  int client = client_connect(env->port);
  wt_fd_t fd;
  /* A pending connection makes the listener readable. */
  s = read_sub(1, LISTEN_FD);
  assert_ok(wt_poll_oneoff(env->w, &s, &ev, 1, &n));
  assert_int_equal(n, 1);
  assert_int_equal(ev.userdata, 1);
  assert_errno(ev.error, WT_ESUCCESS);
  assert_ok(wt_sock_accept(env->w, LISTEN_FD, 0, &fd));
  /* Data: nbytes from FIONREAD. */
  client_send(client, "four");
  s = read_sub(2, fd);
  assert_ok(wt_poll_oneoff(env->w, &s, &ev, 1, &n));
  assert_int_equal(n, 1);
  assert_int_equal(ev.fd_readwrite.nbytes, 4);
  assert_int_equal(ev.fd_readwrite.flags, 0);
  /* A reset (linger 0): HANGUP and the socket's error. */
  assert_int_equal(setsockopt(client, SOL_SOCKET, SO_LINGER, &lg, sizeof lg),
                   0);
  close(client);
  assert_ok(wt_poll_oneoff(env->w, &s, &ev, 1, &n));
  assert_int_equal(n, 1);
  assert_int_equal(ev.fd_readwrite.flags, WT_EVENT_FD_READWRITE_HANGUP);
  assert_errno(ev.error, WT_ECONNRESET);
}

int main(void) {
  const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
      T(test_accept_recv_send),
      T(test_recv_peek),
      T(test_recv_waitall),
      T(test_recv_truncated_datagram),
      T(test_recv_many_iovecs),
      T(test_peer_closed_reads_zero),
      T(test_shutdown),
      T(test_epipe_without_sigpipe),
      T(test_nonblocking),
      T(test_enotsock),
      T(test_ebadf),
      T(test_enotcapable),
      T(test_einval_flags),
      T(test_listen_malformed),
      T(test_listen_in_use),
      T(test_listen_ok),
      T(test_preopen_host_fd),
      T(test_poll_sockets),
#undef T
  };
  /* Default action: a SIGPIPE the core let through would end the run. */
  signal(SIGPIPE, SIG_DFL);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
