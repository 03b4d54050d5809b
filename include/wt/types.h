/*
 * Guest-visible WASI preview1 types and constants.
 *
 * Every type the guest sees is a fixed-width integer plus #defines, never a
 * C enum (an enum's size is the compiler's choice). Structs shared with the
 * guest have exactly the guest's layout on the host; the ABI layer copies
 * them in and out of linear memory with memcpy, and the _Static_asserts
 * below pin every offset.
 */
#ifndef WT_TYPES_H
#define WT_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef uint16_t wt_errno_t;
typedef uint32_t wt_fd_t;
typedef uint64_t wt_rights_t;
typedef uint64_t wt_timestamp_t;
typedef uint64_t wt_filesize_t;
typedef int64_t wt_filedelta_t;
typedef uint64_t wt_dircookie_t;
typedef uint64_t wt_device_t;
typedef uint64_t wt_inode_t;
typedef uint64_t wt_linkcount_t;
typedef uint64_t wt_userdata_t;
typedef uint32_t wt_clockid_t;
typedef uint32_t wt_exitcode_t;
typedef uint8_t wt_filetype_t;
typedef uint8_t wt_whence_t;
typedef uint8_t wt_advice_t;
typedef uint8_t wt_signal_t;
typedef uint16_t wt_fdflags_t;
typedef uint16_t wt_oflags_t;
typedef uint16_t wt_fstflags_t;
typedef uint32_t wt_lookupflags_t;
typedef uint16_t wt_riflags_t;
typedef uint16_t wt_roflags_t;
typedef uint16_t wt_siflags_t;
typedef uint8_t wt_sdflags_t;
typedef uint8_t wt_eventtype_t;
typedef uint16_t wt_eventrwflags_t;
typedef uint16_t wt_subclockflags_t;

/*
 * XX(value, NAME, host errno, description). Host errno 0 means "no host
 * equivalent". The first row whose host errno matches wins when mapping
 * host errors to WASI, so aliases (EWOULDBLOCK, EOPNOTSUPP) are listed
 * separately in wt_errno_from_host().
 */
#define WT_ERRNO_MAP(XX)                                                     \
  XX(0, SUCCESS, 0, "no error")                                              \
  XX(1, 2BIG, E2BIG, "argument list too long")                               \
  XX(2, ACCES, EACCES, "permission denied")                                  \
  XX(3, ADDRINUSE, EADDRINUSE, "address in use")                             \
  XX(4, ADDRNOTAVAIL, EADDRNOTAVAIL, "address not available")                \
  XX(5, AFNOSUPPORT, EAFNOSUPPORT, "address family not supported")           \
  XX(6, AGAIN, EAGAIN, "resource unavailable, try again")                    \
  XX(7, ALREADY, EALREADY, "connection already in progress")                 \
  XX(8, BADF, EBADF, "bad file descriptor")                                  \
  XX(9, BADMSG, EBADMSG, "bad message")                                      \
  XX(10, BUSY, EBUSY, "device or resource busy")                             \
  XX(11, CANCELED, ECANCELED, "operation canceled")                          \
  XX(12, CHILD, ECHILD, "no child processes")                                \
  XX(13, CONNABORTED, ECONNABORTED, "connection aborted")                    \
  XX(14, CONNREFUSED, ECONNREFUSED, "connection refused")                    \
  XX(15, CONNRESET, ECONNRESET, "connection reset")                          \
  XX(16, DEADLK, EDEADLK, "resource deadlock would occur")                   \
  XX(17, DESTADDRREQ, EDESTADDRREQ, "destination address required")          \
  XX(18, DOM, EDOM, "mathematics argument out of domain")                    \
  XX(19, DQUOT, EDQUOT, "disk quota exceeded")                               \
  XX(20, EXIST, EEXIST, "file exists")                                       \
  XX(21, FAULT, EFAULT, "bad address")                                       \
  XX(22, FBIG, EFBIG, "file too large")                                      \
  XX(23, HOSTUNREACH, EHOSTUNREACH, "host is unreachable")                   \
  XX(24, IDRM, EIDRM, "identifier removed")                                  \
  XX(25, ILSEQ, EILSEQ, "illegal byte sequence")                             \
  XX(26, INPROGRESS, EINPROGRESS, "operation in progress")                   \
  XX(27, INTR, EINTR, "interrupted function")                                \
  XX(28, INVAL, EINVAL, "invalid argument")                                  \
  XX(29, IO, EIO, "I/O error")                                               \
  XX(30, ISCONN, EISCONN, "socket is connected")                             \
  XX(31, ISDIR, EISDIR, "is a directory")                                    \
  XX(32, LOOP, ELOOP, "too many levels of symbolic links")                   \
  XX(33, MFILE, EMFILE, "file descriptor value too large")                   \
  XX(34, MLINK, EMLINK, "too many links")                                    \
  XX(35, MSGSIZE, EMSGSIZE, "message too large")                             \
  XX(36, MULTIHOP, EMULTIHOP, "multihop attempted")                          \
  XX(37, NAMETOOLONG, ENAMETOOLONG, "filename too long")                     \
  XX(38, NETDOWN, ENETDOWN, "network is down")                               \
  XX(39, NETRESET, ENETRESET, "connection aborted by network")               \
  XX(40, NETUNREACH, ENETUNREACH, "network unreachable")                     \
  XX(41, NFILE, ENFILE, "too many files open in system")                     \
  XX(42, NOBUFS, ENOBUFS, "no buffer space available")                       \
  XX(43, NODEV, ENODEV, "no such device")                                    \
  XX(44, NOENT, ENOENT, "no such file or directory")                         \
  XX(45, NOEXEC, ENOEXEC, "executable file format error")                    \
  XX(46, NOLCK, ENOLCK, "no locks available")                                \
  XX(47, NOLINK, ENOLINK, "link has been severed")                           \
  XX(48, NOMEM, ENOMEM, "not enough space")                                  \
  XX(49, NOMSG, ENOMSG, "no message of the desired type")                    \
  XX(50, NOPROTOOPT, ENOPROTOOPT, "protocol not available")                  \
  XX(51, NOSPC, ENOSPC, "no space left on device")                           \
  XX(52, NOSYS, ENOSYS, "function not supported")                            \
  XX(53, NOTCONN, ENOTCONN, "the socket is not connected")                   \
  XX(54, NOTDIR, ENOTDIR, "not a directory")                                 \
  XX(55, NOTEMPTY, ENOTEMPTY, "directory not empty")                         \
  XX(56, NOTRECOVERABLE, ENOTRECOVERABLE, "state not recoverable")           \
  XX(57, NOTSOCK, ENOTSOCK, "not a socket")                                  \
  XX(58, NOTSUP, ENOTSUP, "not supported")                                   \
  XX(59, NOTTY, ENOTTY, "inappropriate I/O control operation")               \
  XX(60, NXIO, ENXIO, "no such device or address")                           \
  XX(61, OVERFLOW, EOVERFLOW, "value too large for data type")               \
  XX(62, OWNERDEAD, EOWNERDEAD, "previous owner died")                       \
  XX(63, PERM, EPERM, "operation not permitted")                             \
  XX(64, PIPE, EPIPE, "broken pipe")                                         \
  XX(65, PROTO, EPROTO, "protocol error")                                    \
  XX(66, PROTONOSUPPORT, EPROTONOSUPPORT, "protocol not supported")          \
  XX(67, PROTOTYPE, EPROTOTYPE, "protocol wrong type for socket")            \
  XX(68, RANGE, ERANGE, "result too large")                                  \
  XX(69, ROFS, EROFS, "read-only file system")                               \
  XX(70, SPIPE, ESPIPE, "invalid seek")                                      \
  XX(71, SRCH, ESRCH, "no such process")                                     \
  XX(72, STALE, ESTALE, "stale file handle")                                 \
  XX(73, TIMEDOUT, ETIMEDOUT, "connection timed out")                        \
  XX(74, TXTBSY, ETXTBSY, "text file busy")                                  \
  XX(75, XDEV, EXDEV, "cross-device link")                                   \
  XX(76, NOTCAPABLE, 0, "capabilities insufficient")

#define XX(v, n, h, s) WT_E##n = v,
/* An enum only for the constants; the type the guest sees is wt_errno_t. */
enum { WT_ERRNO_MAP(XX) WT_ERRNO_COUNT };
#undef XX

/* XX(bit, NAME). */
#define WT_RIGHTS_MAP(XX)                                                    \
  XX(0, FD_DATASYNC)                                                         \
  XX(1, FD_READ)                                                             \
  XX(2, FD_SEEK)                                                             \
  XX(3, FD_FDSTAT_SET_FLAGS)                                                 \
  XX(4, FD_SYNC)                                                             \
  XX(5, FD_TELL)                                                             \
  XX(6, FD_WRITE)                                                            \
  XX(7, FD_ADVISE)                                                           \
  XX(8, FD_ALLOCATE)                                                         \
  XX(9, PATH_CREATE_DIRECTORY)                                               \
  XX(10, PATH_CREATE_FILE)                                                   \
  XX(11, PATH_LINK_SOURCE)                                                   \
  XX(12, PATH_LINK_TARGET)                                                   \
  XX(13, PATH_OPEN)                                                          \
  XX(14, FD_READDIR)                                                         \
  XX(15, PATH_READLINK)                                                      \
  XX(16, PATH_RENAME_SOURCE)                                                 \
  XX(17, PATH_RENAME_TARGET)                                                 \
  XX(18, PATH_FILESTAT_GET)                                                  \
  XX(19, PATH_FILESTAT_SET_SIZE)                                             \
  XX(20, PATH_FILESTAT_SET_TIMES)                                            \
  XX(21, FD_FILESTAT_GET)                                                    \
  XX(22, FD_FILESTAT_SET_SIZE)                                               \
  XX(23, FD_FILESTAT_SET_TIMES)                                              \
  XX(24, PATH_SYMLINK)                                                       \
  XX(25, PATH_REMOVE_DIRECTORY)                                              \
  XX(26, PATH_UNLINK_FILE)                                                   \
  XX(27, POLL_FD_READWRITE)                                                  \
  XX(28, SOCK_SHUTDOWN)                                                      \
  XX(29, SOCK_ACCEPT)

/* Constants only (all below bit 31, so int is wide enough); the type the
 * guest sees is wt_rights_t. */
#define XX(bit, name) WT_RIGHT_##name = 1 << bit,
enum { WT_RIGHT_NONE = 0, WT_RIGHTS_MAP(XX) };
#undef XX
#define WT_RIGHTS_ALL ((wt_rights_t)((1ull << 30) - 1))

/* Rights that make sense per file type; others are dropped, not refused. */
#define WT_RIGHTS_REGULAR_FILE                                               \
  (WT_RIGHT_FD_DATASYNC | WT_RIGHT_FD_READ | WT_RIGHT_FD_SEEK |              \
   WT_RIGHT_FD_FDSTAT_SET_FLAGS | WT_RIGHT_FD_SYNC | WT_RIGHT_FD_TELL |      \
   WT_RIGHT_FD_WRITE | WT_RIGHT_FD_ADVISE | WT_RIGHT_FD_ALLOCATE |           \
   WT_RIGHT_FD_FILESTAT_GET | WT_RIGHT_FD_FILESTAT_SET_SIZE |                \
   WT_RIGHT_FD_FILESTAT_SET_TIMES | WT_RIGHT_POLL_FD_READWRITE)
#define WT_RIGHTS_DIRECTORY                                                  \
  (WT_RIGHT_FD_FDSTAT_SET_FLAGS | WT_RIGHT_FD_SYNC | WT_RIGHT_FD_ADVISE |    \
   WT_RIGHT_PATH_CREATE_DIRECTORY | WT_RIGHT_PATH_CREATE_FILE |              \
   WT_RIGHT_PATH_LINK_SOURCE | WT_RIGHT_PATH_LINK_TARGET |                   \
   WT_RIGHT_PATH_OPEN | WT_RIGHT_FD_READDIR | WT_RIGHT_PATH_READLINK |       \
   WT_RIGHT_PATH_RENAME_SOURCE | WT_RIGHT_PATH_RENAME_TARGET |               \
   WT_RIGHT_PATH_FILESTAT_GET | WT_RIGHT_PATH_FILESTAT_SET_SIZE |            \
   WT_RIGHT_PATH_FILESTAT_SET_TIMES | WT_RIGHT_FD_FILESTAT_GET |             \
   WT_RIGHT_FD_FILESTAT_SET_TIMES | WT_RIGHT_PATH_SYMLINK |                  \
   WT_RIGHT_PATH_UNLINK_FILE | WT_RIGHT_PATH_REMOVE_DIRECTORY |              \
   WT_RIGHT_POLL_FD_READWRITE)
#define WT_RIGHTS_DIRECTORY_INHERITING                                       \
  (WT_RIGHTS_DIRECTORY | WT_RIGHTS_REGULAR_FILE)
#define WT_RIGHTS_TTY                                                        \
  (WT_RIGHT_FD_READ | WT_RIGHT_FD_FDSTAT_SET_FLAGS | WT_RIGHT_FD_WRITE |     \
   WT_RIGHT_FD_FILESTAT_GET | WT_RIGHT_POLL_FD_READWRITE)
#define WT_RIGHTS_SOCKET                                                     \
  (WT_RIGHT_FD_READ | WT_RIGHT_FD_FDSTAT_SET_FLAGS | WT_RIGHT_FD_WRITE |     \
   WT_RIGHT_FD_FILESTAT_GET | WT_RIGHT_POLL_FD_READWRITE |                   \
   WT_RIGHT_SOCK_SHUTDOWN)
#define WT_RIGHTS_SOCKET_LISTEN (WT_RIGHTS_SOCKET | WT_RIGHT_SOCK_ACCEPT)

#define WT_CLOCK_REALTIME ((wt_clockid_t)0)
#define WT_CLOCK_MONOTONIC ((wt_clockid_t)1)
#define WT_CLOCK_PROCESS_CPUTIME_ID ((wt_clockid_t)2)
#define WT_CLOCK_THREAD_CPUTIME_ID ((wt_clockid_t)3)

#define WT_WHENCE_SET ((wt_whence_t)0)
#define WT_WHENCE_CUR ((wt_whence_t)1)
#define WT_WHENCE_END ((wt_whence_t)2)

#define WT_FILETYPE_UNKNOWN ((wt_filetype_t)0)
#define WT_FILETYPE_BLOCK_DEVICE ((wt_filetype_t)1)
#define WT_FILETYPE_CHARACTER_DEVICE ((wt_filetype_t)2)
#define WT_FILETYPE_DIRECTORY ((wt_filetype_t)3)
#define WT_FILETYPE_REGULAR_FILE ((wt_filetype_t)4)
#define WT_FILETYPE_SOCKET_DGRAM ((wt_filetype_t)5)
#define WT_FILETYPE_SOCKET_STREAM ((wt_filetype_t)6)
#define WT_FILETYPE_SYMBOLIC_LINK ((wt_filetype_t)7)

#define WT_O_CREAT ((wt_oflags_t)1)
#define WT_O_DIRECTORY ((wt_oflags_t)2)
#define WT_O_EXCL ((wt_oflags_t)4)
#define WT_O_TRUNC ((wt_oflags_t)8)

#define WT_FDFLAG_APPEND ((wt_fdflags_t)1)
#define WT_FDFLAG_DSYNC ((wt_fdflags_t)2)
#define WT_FDFLAG_NONBLOCK ((wt_fdflags_t)4)
#define WT_FDFLAG_RSYNC ((wt_fdflags_t)8)
#define WT_FDFLAG_SYNC ((wt_fdflags_t)16)

#define WT_OFLAGS_ALL                                                        \
  ((wt_oflags_t)(WT_O_CREAT | WT_O_DIRECTORY | WT_O_EXCL | WT_O_TRUNC))
#define WT_FDFLAGS_ALL                                                       \
  ((wt_fdflags_t)(WT_FDFLAG_APPEND | WT_FDFLAG_DSYNC | WT_FDFLAG_NONBLOCK |   \
                  WT_FDFLAG_RSYNC | WT_FDFLAG_SYNC))

#define WT_LOOKUP_SYMLINK_FOLLOW ((wt_lookupflags_t)1)

#define WT_FSTFLAG_ATIM ((wt_fstflags_t)1)
#define WT_FSTFLAG_ATIM_NOW ((wt_fstflags_t)2)
#define WT_FSTFLAG_MTIM ((wt_fstflags_t)4)
#define WT_FSTFLAG_MTIM_NOW ((wt_fstflags_t)8)
#define WT_FSTFLAGS_ALL ((wt_fstflags_t)15)

#define WT_EVENTTYPE_CLOCK ((wt_eventtype_t)0)
#define WT_EVENTTYPE_FD_READ ((wt_eventtype_t)1)
#define WT_EVENTTYPE_FD_WRITE ((wt_eventtype_t)2)
#define WT_EVENT_FD_READWRITE_HANGUP ((wt_eventrwflags_t)1)
#define WT_SUBSCRIPTION_CLOCK_ABSTIME ((wt_subclockflags_t)1)
#define WT_NSEC_PER_SEC 1000000000ull

#define WT_SOCK_RECV_PEEK ((wt_riflags_t)1)
#define WT_SOCK_RECV_WAITALL ((wt_riflags_t)2)
#define WT_SOCK_RECV_DATA_TRUNCATED ((wt_roflags_t)1)
#define WT_SHUT_RD ((wt_sdflags_t)1)
#define WT_SHUT_WR ((wt_sdflags_t)2)

#define WT_ADVICE_NORMAL ((wt_advice_t)0)
#define WT_ADVICE_SEQUENTIAL ((wt_advice_t)1)
#define WT_ADVICE_RANDOM ((wt_advice_t)2)
#define WT_ADVICE_WILLNEED ((wt_advice_t)3)
#define WT_ADVICE_DONTNEED ((wt_advice_t)4)
#define WT_ADVICE_NOREUSE ((wt_advice_t)5)

#define WT_PREOPENTYPE_DIR ((uint8_t)0)

/* preview1 signal numbers. */
#define WT_SIGNAL_MAP(XX)                                                    \
  XX(0, NONE) XX(1, HUP) XX(2, INT) XX(3, QUIT) XX(4, ILL) XX(5, TRAP)       \
  XX(6, ABRT) XX(7, BUS) XX(8, FPE) XX(9, KILL) XX(10, USR1) XX(11, SEGV)    \
  XX(12, USR2) XX(13, PIPE) XX(14, ALRM) XX(15, TERM) XX(16, CHLD)           \
  XX(17, CONT) XX(18, STOP) XX(19, TSTP) XX(20, TTIN) XX(21, TTOU)           \
  XX(22, URG) XX(23, XCPU) XX(24, XFSZ) XX(25, VTALRM) XX(26, PROF)          \
  XX(27, WINCH) XX(28, POLL) XX(29, PWR) XX(30, SYS)
#define XX(v, n) WT_SIG##n = v,
enum { WT_SIGNAL_MAP(XX) WT_SIGNAL_COUNT };
#undef XX

/* Structs with the guest's exact layout (see abi-reference.md, section 5). */
typedef struct wt_fdstat_s {
  wt_filetype_t fs_filetype;
  wt_fdflags_t fs_flags;
  wt_rights_t fs_rights_base;
  wt_rights_t fs_rights_inheriting;
} wt_fdstat_t;

typedef struct wt_filestat_s {
  wt_device_t dev;
  wt_inode_t ino;
  wt_filetype_t filetype;
  wt_linkcount_t nlink;
  wt_filesize_t size;
  wt_timestamp_t atim;
  wt_timestamp_t mtim;
  wt_timestamp_t ctim;
} wt_filestat_t;

typedef struct wt_dirent_s {
  wt_dircookie_t d_next;
  wt_inode_t d_ino;
  uint32_t d_namlen;
  wt_filetype_t d_type;
} wt_dirent_t;

typedef struct wt_prestat_s {
  uint8_t tag;
  uint32_t pr_name_len;
} wt_prestat_t;

typedef struct wt_subscription_clock_s {
  wt_clockid_t id;
  wt_timestamp_t timeout;
  wt_timestamp_t precision;
  wt_subclockflags_t flags;
} wt_subscription_clock_t;

typedef struct wt_subscription_fd_s {
  wt_fd_t fd;
} wt_subscription_fd_t;

typedef struct wt_subscription_s {
  wt_userdata_t userdata;
  struct {
    wt_eventtype_t tag;
    union {
      wt_subscription_clock_t clock;
      wt_subscription_fd_t fd_readwrite;
    } u;
  } u;
} wt_subscription_t;

typedef struct wt_event_s {
  wt_userdata_t userdata;
  wt_errno_t error;
  wt_eventtype_t type;
  struct {
    wt_filesize_t nbytes;
    wt_eventrwflags_t flags;
  } fd_readwrite;
} wt_event_t;

/* WASIX epoll_event (wasm32): 32 bytes, align 8. The data fields are
 * echoed back to the guest bit-exact. */
typedef struct wt_epoll_data_s {
  uint32_t ptr;
  uint32_t fd;
  uint32_t data1;
  uint64_t data2;
} wt_epoll_data_t;

typedef struct wt_epoll_event_s {
  uint32_t events;
  wt_epoll_data_t data;
} wt_epoll_event_t;

/* WASIX epoll event bits (not Linux's values). */
#define WT_EPOLLIN ((uint32_t)1 << 0)
#define WT_EPOLLOUT ((uint32_t)1 << 1)
#define WT_EPOLLRDHUP ((uint32_t)1 << 2)
#define WT_EPOLLPRI ((uint32_t)1 << 3)
#define WT_EPOLLERR ((uint32_t)1 << 4)
#define WT_EPOLLHUP ((uint32_t)1 << 5)
#define WT_EPOLLET ((uint32_t)1 << 6)
#define WT_EPOLLONESHOT ((uint32_t)1 << 7)

/* WASIX epoll_ctl ops (Linux uses ADD 1, DEL 2, MOD 3). */
#define WT_EPOLL_CTL_ADD ((uint32_t)0)
#define WT_EPOLL_CTL_MOD ((uint32_t)1)
#define WT_EPOLL_CTL_DEL ((uint32_t)2)

/* fd_event flags. */
#define WT_EVENTFD_SEMAPHORE ((uint16_t)1)
/* Not in the WASIX spec: wasix-libc passes Linux's EFD_NONBLOCK, which is its
 * O_NONBLOCK (the fdflags NONBLOCK bit, 4). The core accepts it as such. */
#define WT_EVENTFD_NONBLOCK ((uint16_t)4)

/* WASIX per-fd flags (fd_fdflags_get/set). */
#define WT_FDFLAGEXT_CLOEXEC ((uint16_t)1)

#define WT_LAYOUT(type, size, align)                                         \
  _Static_assert(sizeof(type) == size, #type " size");                       \
  _Static_assert(_Alignof(type) == align, #type " alignment")
#define WT_FIELD(type, field, off)                                           \
  _Static_assert(offsetof(type, field) == off, #type "." #field " offset")

WT_LAYOUT(wt_fdstat_t, 24, 8);
WT_FIELD(wt_fdstat_t, fs_filetype, 0);
WT_FIELD(wt_fdstat_t, fs_flags, 2);
WT_FIELD(wt_fdstat_t, fs_rights_base, 8);
WT_FIELD(wt_fdstat_t, fs_rights_inheriting, 16);
WT_LAYOUT(wt_filestat_t, 64, 8);
WT_FIELD(wt_filestat_t, dev, 0);
WT_FIELD(wt_filestat_t, ino, 8);
WT_FIELD(wt_filestat_t, filetype, 16);
WT_FIELD(wt_filestat_t, nlink, 24);
WT_FIELD(wt_filestat_t, size, 32);
WT_FIELD(wt_filestat_t, atim, 40);
WT_FIELD(wt_filestat_t, mtim, 48);
WT_FIELD(wt_filestat_t, ctim, 56);
WT_LAYOUT(wt_dirent_t, 24, 8);
WT_FIELD(wt_dirent_t, d_next, 0);
WT_FIELD(wt_dirent_t, d_ino, 8);
WT_FIELD(wt_dirent_t, d_namlen, 16);
WT_FIELD(wt_dirent_t, d_type, 20);
WT_LAYOUT(wt_prestat_t, 8, 4);
WT_FIELD(wt_prestat_t, tag, 0);
WT_FIELD(wt_prestat_t, pr_name_len, 4);
WT_LAYOUT(wt_subscription_t, 48, 8);
WT_FIELD(wt_subscription_t, userdata, 0);
WT_FIELD(wt_subscription_t, u.tag, 8);
WT_FIELD(wt_subscription_t, u.u.clock.id, 16);
WT_FIELD(wt_subscription_t, u.u.clock.timeout, 24);
WT_FIELD(wt_subscription_t, u.u.clock.precision, 32);
WT_FIELD(wt_subscription_t, u.u.clock.flags, 40);
WT_FIELD(wt_subscription_t, u.u.fd_readwrite.fd, 16);
WT_LAYOUT(wt_event_t, 32, 8);
WT_FIELD(wt_event_t, userdata, 0);
WT_FIELD(wt_event_t, error, 8);
WT_FIELD(wt_event_t, type, 10);
WT_FIELD(wt_event_t, fd_readwrite.nbytes, 16);
WT_FIELD(wt_event_t, fd_readwrite.flags, 24);
WT_LAYOUT(wt_epoll_event_t, 32, 8);
WT_FIELD(wt_epoll_event_t, events, 0);
WT_FIELD(wt_epoll_event_t, data.ptr, 8);
WT_FIELD(wt_epoll_event_t, data.fd, 12);
WT_FIELD(wt_epoll_event_t, data.data1, 16);
WT_FIELD(wt_epoll_event_t, data.data2, 24);

/* Guest memory is little-endian; the host structs above are copied as is. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "wasitrace supports little-endian hosts only"
#endif

/* Host views of guest buffers, made by the ABI layer (or by an embedder). */
typedef struct wt_ciovec_s {
  const uint8_t *buf;
  uint32_t buf_len;
} wt_ciovec_t;

typedef struct wt_iovec_s {
  uint8_t *buf;
  uint32_t buf_len;
} wt_iovec_t;

/*
 * args_get / environ_get output. The caller provides room: offsets_cap
 * entries of 4 bytes at `offsets` (any alignment) and buf_cap bytes at `buf`.
 * The call stores each string NUL-terminated in buf, the offset of string i
 * within buf as a little-endian u32 at offsets + 4*i, and sets count and
 * buf_used. The ABI layer hands guest memory over directly and then adds the
 * guest address of buf to each offset. Too little room: WT_EFAULT, as
 * writing past the end of guest memory would be.
 */
typedef struct wt_strtab_s {
  uint8_t *offsets;
  uint32_t offsets_cap;
  uint8_t *buf;
  uint32_t buf_cap;
  uint32_t count;
  uint32_t buf_used;
} wt_strtab_t;

#endif /* WT_TYPES_H */
