/*
 * Helpers shared by the C test guests (not a guest itself).
 *
 * Guests print what they observe, one fact per line, so that a diff against
 * the expected .stdout says exactly which behaviour changed. Errors are
 * printed by WASI name ("NOENT"): wasi-libc's errno values are the WASI
 * errno numbers, so libc calls and raw __wasi_* calls print the same way.
 * Nothing here prints a raw clock value, inode, device or address.
 */
#ifndef WT_GUEST_H
#define WT_GUEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *const guest_errnames[] = {
    "SUCCESS", "2BIG", "ACCES", "ADDRINUSE", "ADDRNOTAVAIL", "AFNOSUPPORT",
    "AGAIN", "ALREADY", "BADF", "BADMSG", "BUSY", "CANCELED", "CHILD",
    "CONNABORTED", "CONNREFUSED", "CONNRESET", "DEADLK", "DESTADDRREQ", "DOM",
    "DQUOT", "EXIST", "FAULT", "FBIG", "HOSTUNREACH", "IDRM", "ILSEQ",
    "INPROGRESS", "INTR", "INVAL", "IO", "ISCONN", "ISDIR", "LOOP", "MFILE",
    "MLINK", "MSGSIZE", "MULTIHOP", "NAMETOOLONG", "NETDOWN", "NETRESET",
    "NETUNREACH", "NFILE", "NOBUFS", "NODEV", "NOENT", "NOEXEC", "NOLCK",
    "NOLINK", "NOMEM", "NOMSG", "NOPROTOOPT", "NOSPC", "NOSYS", "NOTCONN",
    "NOTDIR", "NOTEMPTY", "NOTRECOVERABLE", "NOTSOCK", "NOTSUP", "NOTTY",
    "NXIO", "OVERFLOW", "OWNERDEAD", "PERM", "PIPE", "PROTO",
    "PROTONOSUPPORT", "PROTOTYPE", "RANGE", "ROFS", "SPIPE", "SRCH", "STALE",
    "TIMEDOUT", "TXTBSY", "XDEV", "NOTCAPABLE"};

static inline const char *errname(int e) {
  static char buf[24];
  if (e >= 0 && e < (int)(sizeof guest_errnames / sizeof guest_errnames[0]))
    return guest_errnames[e];
  snprintf(buf, sizeof buf, "errno %d", e);
  return buf;
}

/* "label: ok" when rc >= 0, else "label: ERRNAME" from errno. */
static inline int show(const char *label, long rc) {
  if (rc < 0)
    printf("%s: %s\n", label, errname(errno));
  else
    printf("%s: ok\n", label);
  return rc < 0 ? -1 : 0;
}

/* The same for a raw call's WASI errno. */
static inline int showw(const char *label, __wasi_errno_t e) {
  printf("%s: %s\n", label, e == 0 ? "ok" : errname(e));
  return e == 0 ? 0 : -1;
}

/* Prints n bytes in brackets; NUL as \0, other control bytes as \ooo. */
static inline void print_bytes(const char *buf, size_t n) {
  putchar('[');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c == 0)
      fputs("\\0", stdout);
    else if (c < ' ' || c == 0x7f)
      printf("\\%o", c);
    else
      putchar(c);
  }
  putchar(']');
}

static inline const char *yesno(int b) { return b ? "yes" : "no"; }

/* Monotonic clock in nanoseconds (0 if the call fails). */
static inline uint64_t mono_ns(void) {
  __wasi_timestamp_t t = 0;
  if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t) != 0)
    return 0;
  return t;
}

/* First preopened directory whose name is `name`, or -1. */
static inline int preopen_fd(const char *name) {
  for (int fd = 3; fd < 64; fd++) {
    __wasi_prestat_t ps;
    char buf[256];
    __wasi_errno_t e = __wasi_fd_prestat_get(fd, &ps);
    if (e == __WASI_ERRNO_BADF)
      break;
    if (e != 0 || ps.tag != __WASI_PREOPENTYPE_DIR ||
        ps.u.dir.pr_name_len >= sizeof buf)
      continue;
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf,
                                   ps.u.dir.pr_name_len) != 0)
      continue;
    buf[ps.u.dir.pr_name_len] = '\0';
    if (strcmp(buf, name) == 0)
      return fd;
  }
  return -1;
}

/* Reads a whole small file into buf (NUL-terminated); -1 with errno set. */
static inline long slurp(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY);
  long total = 0, n;
  if (fd < 0)
    return -1;
  while ((size_t)total + 1 < size &&
         (n = read(fd, buf + total, size - 1 - (size_t)total)) > 0)
    total += n;
  close(fd);
  buf[total] = '\0';
  return total;
}

#endif /* WT_GUEST_H */
