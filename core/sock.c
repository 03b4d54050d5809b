/*
 * sock_accept, sock_recv, sock_send, sock_shutdown, and the listening
 * sockets behind preopened socket addresses.
 *
 * Emulated NONBLOCK (desc->nonblock) becomes MSG_DONTWAIT per call for
 * recv/send, which leaves the host description alone. accept has no such
 * flag, so a nonblocking accept polls first with a zero timeout; should the
 * pending connection vanish between the poll and accept4 (the peer reset
 * it), accept4 blocks until the next one. That window is accepted rather
 * than setting O_NONBLOCK on a socket the embedder may share.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <uv.h>

#include "internal.h"

/* Longest host part of an address: an IPv6 literal with a zone id. */
#define HOST_MAX 96

/* Splits "HOST:PORT" or "[HOST]:PORT" (then *v6) into `host` (HOST_MAX
 * bytes) and *port. Only a plain decimal port of 0-65535 passes. */
static wt_errno_t split_address(const char *address, char *host, int *port,
                                bool *v6) {
  const char *colon, *end;
  char *stop;
  long p;
  size_t n;
  *v6 = address[0] == '[';
  if (*v6) {
    end = strchr(address, ']');
    if (end == NULL || end[1] != ':')
      return WT_EINVAL;
    colon = end + 1;
    address++;
  } else {
    colon = strchr(address, ':');
    /* A second colon means an IPv6 literal without brackets. */
    if (colon == NULL || strchr(colon + 1, ':') != NULL)
      return WT_EINVAL;
    end = colon;
  }
  n = (size_t)(end - address);
  if (n == 0 || n >= HOST_MAX || colon[1] < '0' || colon[1] > '9')
    return WT_EINVAL;
  memcpy(host, address, n);
  host[n] = '\0';
  errno = 0;
  p = strtol(colon + 1, &stop, 10);
  if (*stop != '\0' || errno != 0 || p > 65535)
    return WT_EINVAL;
  *port = (int)p;
  return WT_ESUCCESS;
}

/*
 * EINVAL for a malformed address (host names too: literals only, so that
 * no resolver is consulted), else the host's socket/bind/listen errors
 * (EADDRINUSE, EACCES, EADDRNOTAVAIL...). No fd survives a failure.
 */
wt_errno_t wt__sock_listen(const char *address, int *out_fd) {
  struct sockaddr_storage sa;
  char host[HOST_MAX];
  int port, fd, one = 1, err;
  bool v6;
  socklen_t len;
  if (address == NULL ||
      split_address(address, host, &port, &v6) != WT_ESUCCESS)
    return WT_EINVAL;
  memset(&sa, 0, sizeof sa);
  if (v6 ? uv_ip6_addr(host, port, (struct sockaddr_in6 *)&sa)
         : uv_ip4_addr(host, port, (struct sockaddr_in *)&sa))
    return WT_EINVAL;
  len = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return WT__ERR();
  /* SO_REUSEADDR: a restarted guest can rebind a port in TIME_WAIT. */
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, (struct sockaddr *)&sa, len) != 0 || listen(fd, 128) != 0) {
    err = errno;
    close(fd);
    return wt_errno_from_host(err);
  }
  *out_fd = fd;
  return WT_ESUCCESS;
}

/*
 * Looks up a socket fd. The one deliberate exception to "rights first":
 * the fd is looked up (EBADF), then its description must be a socket
 * (ENOTSOCK), and only then is `right` checked (ENOTCAPABLE). Files and
 * pipes never hold SOCK_ACCEPT or SOCK_SHUTDOWN, so checking rights first
 * would answer ENOTCAPABLE where a guest expects ENOTSOCK on the wrong fd.
 */
static wt_errno_t sock_get(wt_t *w, wt_fd_t fd, wt_rights_t right,
                           wt__desc_t **out) {
  wt__fd_t *e;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_NONE, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if (e->desc->kind != WT_DESC_SOCKET)
    return WT_ENOTSOCK;
  if ((err = wt__fd_get(w, fd, right, 0, &e)) != WT_ESUCCESS)
    return err;
  *out = e->desc;
  return WT_ESUCCESS;
}

/* True when `fd` has `events` pending now (zero-timeout poll). */
static bool ready_now(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  int r;
  while ((r = poll(&p, 1, 0)) < 0 && errno == EINTR)
    ;
  return r > 0;
}

wt_errno_t wt_sock_accept(wt_t *w, wt_fd_t fd, uint16_t flags,
                          uint32_t *accepted) {
  wt__desc_t *desc, *nd;
  wt_errno_t err = sock_get(w, fd, WT_RIGHT_SOCK_ACCEPT, &desc);
  wt_fd_t nfd;
  int host;
  if (err != WT_ESUCCESS)
    return err;
  if ((flags & ~WT_FDFLAG_NONBLOCK) != 0)
    return WT_EINVAL;
  if (desc->nonblock && !ready_now(desc->host_fd, POLLIN))
    return WT_EAGAIN;
  while ((host = accept4(desc->host_fd, NULL, NULL, SOCK_CLOEXEC)) < 0 &&
         errno == EINTR)
    ;
  if (host < 0)
    return WT__ERR();
  nd = wt__desc_new(w, WT_DESC_SOCKET, WT_FILETYPE_SOCKET_STREAM, host);
  if (nd == NULL) {
    close(host);
    return WT_ENOMEM;
  }
  nd->nonblock = (flags & WT_FDFLAG_NONBLOCK) != 0;
  if ((err = wt__fd_insert(w, nd, WT_RIGHTS_SOCKET, 0, 0, &nfd)) !=
      WT_ESUCCESS) {
    wt__desc_unref(w, nd);
    return err;
  }
  *accepted = nfd;
  return WT_ESUCCESS;
}

static void msg_init(struct msghdr *msg, const wt__iov_t *io) {
  memset(msg, 0, sizeof *msg);
  msg->msg_iov = io->v;
  msg->msg_iovlen = (size_t)io->n;
}

wt_errno_t wt_sock_recv(wt_t *w, wt_fd_t fd, const wt_iovec_t *ri_data,
                        uint32_t ri_data_len, uint16_t ri_flags,
                        uint32_t *ro_datalen, uint16_t *ro_flags) {
  wt__iov_t io;
  struct msghdr msg;
  wt__desc_t *desc;
  wt_errno_t err = sock_get(w, fd, WT_RIGHT_FD_READ, &desc);
  int host_flags = 0;
  ssize_t n;
  if (err != WT_ESUCCESS)
    return err;
  if ((ri_flags & ~(WT_SOCK_RECV_PEEK | WT_SOCK_RECV_WAITALL)) != 0)
    return WT_EINVAL;
  if (ri_flags & WT_SOCK_RECV_PEEK)
    host_flags |= MSG_PEEK;
  if (ri_flags & WT_SOCK_RECV_WAITALL)
    host_flags |= MSG_WAITALL;
  if (desc->nonblock)
    host_flags |= MSG_DONTWAIT;
  if ((err = wt__iov_from_iovs(w, &io, ri_data, ri_data_len)) != WT_ESUCCESS)
    goto out;
  msg_init(&msg, &io);
  while ((n = recvmsg(desc->host_fd, &msg, host_flags)) < 0 && errno == EINTR)
    ;
  /* Edge-triggered epoll entries may fire again (epoll.c). */
  if (desc->watchers != NULL)
    wt__epoll_touch(desc);
  if (n < 0) {
    err = WT__ERR();
    goto out;
  }
  *ro_datalen = (uint32_t)n;
  *ro_flags = (msg.msg_flags & MSG_TRUNC) ? WT_SOCK_RECV_DATA_TRUNCATED : 0;
out:
  wt__iov_free(w, &io);
  return err;
}

wt_errno_t wt_sock_send(wt_t *w, wt_fd_t fd, const wt_ciovec_t *si_data,
                        uint32_t si_data_len, uint16_t si_flags,
                        uint32_t *so_datalen) {
  wt__iov_t io;
  struct msghdr msg;
  wt__desc_t *desc;
  wt_errno_t err = sock_get(w, fd, WT_RIGHT_FD_WRITE, &desc);
  /* MSG_NOSIGNAL: a closed peer is EPIPE for the guest, never a SIGPIPE
   * that would kill the host process. */
  int host_flags = MSG_NOSIGNAL;
  ssize_t n;
  if (err != WT_ESUCCESS)
    return err;
  if (si_flags != 0)
    return WT_EINVAL;
  if (desc->nonblock)
    host_flags |= MSG_DONTWAIT;
  if ((err = wt__iov_from_ciovs(w, &io, si_data, si_data_len)) != WT_ESUCCESS)
    goto out;
  msg_init(&msg, &io);
  while ((n = sendmsg(desc->host_fd, &msg, host_flags)) < 0 && errno == EINTR)
    ;
  /* Edge-triggered epoll entries may fire again (epoll.c). */
  if (desc->watchers != NULL)
    wt__epoll_touch(desc);
  if (n < 0) {
    err = WT__ERR();
    goto out;
  }
  *so_datalen = (uint32_t)n;
out:
  wt__iov_free(w, &io);
  return err;
}

wt_errno_t wt_sock_shutdown(wt_t *w, wt_fd_t fd, uint8_t how) {
  wt__desc_t *desc;
  wt_errno_t err = sock_get(w, fd, WT_RIGHT_SOCK_SHUTDOWN, &desc);
  int host_how;
  if (err != WT_ESUCCESS)
    return err;
  switch (how) {
  case WT_SHUT_RD:
    host_how = SHUT_RD;
    break;
  case WT_SHUT_WR:
    host_how = SHUT_WR;
    break;
  case WT_SHUT_RD | WT_SHUT_WR:
    host_how = SHUT_RDWR;
    break;
  default:
    return WT_EINVAL;
  }
  return shutdown(desc->host_fd, host_how) == 0 ? WT_ESUCCESS : WT__ERR();
}
