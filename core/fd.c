/*
 * The fd table calls (fd_close, fd_renumber, fd_prestat_*), per-fd state
 * (fd_fdstat_*), metadata (fd_filestat_*) and hints to the host's storage
 * (fd_advise, fd_allocate, fd_datasync, fd_sync). Data transfer is in
 * fd_io.c, directory listing in fd_readdir.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"



/* The host's synchronisation bits. O_SYNC includes O_DSYNC on Linux. */
#define HOST_SYNC_BITS (O_DSYNC | O_RSYNC | O_SYNC)

wt_errno_t wt_fd_close(wt_t *w, wt_fd_t fd) {
  wt__fd_t *e;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_NONE, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  /* Preopens may be closed like any other fd. */
  wt__fd_release(w, fd);
  return WT_ESUCCESS;
}

/*
 * `to` takes over fd's description and rights; its previous description
 * loses a reference, and fd's slot becomes free. The observer sees `to`
 * closed, then the move.
 */
wt_errno_t wt_fd_renumber(wt_t *w, wt_fd_t fd, wt_fd_t to) {
  wt__fd_t *from, *dst;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_NONE, 0, &from);
  if (err != WT_ESUCCESS)
    return err;
  err = wt__fd_get(w, to, WT_RIGHT_NONE, 0, &dst);
  if (err != WT_ESUCCESS || fd == to)
    return err;
  wt__fd_release(w, to);
  *dst = *from;
  from->desc = NULL;
  from->base = from->inheriting = 0;
  wt__emit(w, WT_TR_FD_RENUMBERED, fd, to, 0, 0, 0);
  return WT_ESUCCESS;
}

/*
 * Only preopened directories answer: wasi-libc scans fds upward from 3 at
 * start-up and stops at the first EBADF, failing on any other error.
 */
wt_errno_t wt_fd_prestat_get(wt_t *w, wt_fd_t fd, wt_prestat_t *buf) {
  wt__fd_t *e;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_NONE, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if (e->desc->preopen == NULL)
    return WT_EBADF;
  /* Whole struct, padding included: it is copied to the guest as is. */
  memset(buf, 0, sizeof *buf);
  buf->tag = WT_PREOPENTYPE_DIR;
  buf->pr_name_len = e->desc->preopen_len;
  return WT_ESUCCESS;
}

/* The name is written without a NUL; the rest of the buffer is untouched. */
wt_errno_t wt_fd_prestat_dir_name(wt_t *w, wt_fd_t fd, uint8_t *path,
                                  uint32_t path_len) {
  wt__fd_t *e;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_NONE, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if (e->desc->preopen == NULL)
    return WT_EBADF;
  if (path_len < e->desc->preopen_len)
    return WT_ENAMETOOLONG;
  memcpy(path, e->desc->preopen, e->desc->preopen_len);
  return WT_ESUCCESS;
}

/* The guest's sync bits as host open flags, for comparison with F_GETFL. */
static int host_sync_flags(wt_fdflags_t f) {
  int h = 0;
  if (f & WT_FDFLAG_DSYNC)
    h |= O_DSYNC;
  if (f & WT_FDFLAG_RSYNC)
    h |= O_RSYNC;
  if (f & WT_FDFLAG_SYNC)
    h |= O_SYNC;
  return h;
}

/*
 * Host status flags as guest fdflags. Linux has no separate RSYNC (O_RSYNC
 * is O_SYNC) and O_SYNC includes O_DSYNC, so the strongest one is reported:
 * SYNC, else DSYNC.
 */
static wt_fdflags_t guest_flags(int fl) {
  wt_fdflags_t f = 0;
  if (fl & O_APPEND)
    f |= WT_FDFLAG_APPEND;
  if ((fl & O_SYNC) == O_SYNC)
    f |= WT_FDFLAG_SYNC;
  else if (fl & O_DSYNC)
    f |= WT_FDFLAG_DSYNC;
  return f;
}

wt_errno_t wt_fd_fdstat_get(wt_t *w, wt_fd_t fd, wt_fdstat_t *stat) {
  wt__fd_t *e;
  int fl;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_NONE, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  /* eventfds and epoll fds have no host status flags, NONBLOCK aside. */
  fl = wt__desc_inproc(e->desc) ? 0 : fcntl(e->desc->host_fd, F_GETFL);
  if (fl < 0)
    return WT__ERR();
  memset(stat, 0, sizeof *stat);
  stat->fs_filetype = e->desc->type;
  stat->fs_flags = guest_flags(fl);
  if (e->desc->nonblock)
    stat->fs_flags |= WT_FDFLAG_NONBLOCK;
  stat->fs_rights_base = e->base;
  stat->fs_rights_inheriting = e->inheriting;
  return WT_ESUCCESS;
}

/*
 * NONBLOCK is emulated (wt__desc_t.nonblock). APPEND goes to the host fd,
 * except on a description shared with the host's terminal (ENOTSUP rather
 * than change the user's shell). The sync flags cannot change after open on
 * Linux: asking for other values is ENOTSUP. Nothing changes unless every
 * flag can be honoured.
 */
wt_errno_t wt_fd_fdstat_set_flags(wt_t *w, wt_fd_t fd, uint16_t flags) {
  wt__fd_t *e;
  int fl, want;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_FD_FDSTAT_SET_FLAGS, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if (flags & ~WT_FDFLAGS_ALL)
    return WT_EINVAL;
  /* eventfds and epoll fds honour NONBLOCK only. */
  if (wt__desc_inproc(e->desc)) {
    if (flags & ~WT_FDFLAG_NONBLOCK)
      return WT_ENOTSUP;
    e->desc->nonblock = flags != 0;
    return WT_ESUCCESS;
  }
  fl = fcntl(e->desc->host_fd, F_GETFL);
  if (fl < 0)
    return WT__ERR();
  if ((fl & HOST_SYNC_BITS) != host_sync_flags(flags))
    return WT_ENOTSUP;
  want = (flags & WT_FDFLAG_APPEND) ? (fl | O_APPEND) : (fl & ~O_APPEND);
  if (want != fl) {
    if (e->desc->shared)
      return WT_ENOTSUP;
    if (fcntl(e->desc->host_fd, F_SETFL, want) != 0)
      return WT__ERR();
  }
  e->desc->nonblock = (flags & WT_FDFLAG_NONBLOCK) != 0;
  return WT_ESUCCESS;
}

/* Rights can only be narrowed: asking for one not held is ENOTCAPABLE. */
wt_errno_t wt_fd_fdstat_set_rights(wt_t *w, wt_fd_t fd, uint64_t rights_base,
                                   uint64_t rights_inheriting) {
  wt__fd_t *e;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_NONE, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if ((rights_base & ~e->base) != 0 ||
      (rights_inheriting & ~e->inheriting) != 0)
    return WT_ENOTCAPABLE;
  e->base = rights_base;
  e->inheriting = rights_inheriting;
  return WT_ESUCCESS;
}

wt_errno_t wt_fd_filestat_get(wt_t *w, wt_fd_t fd, wt_filestat_t *buf) {
  wt__fd_t *e;
  struct stat st;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_FD_FILESTAT_GET, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  memset(buf, 0, sizeof *buf);
  /* Without the right by default; held anyway, an in-process object has
   * no inode: all zeros, type UNKNOWN. */
  if (wt__desc_inproc(e->desc))
    return WT_ESUCCESS;
  if (fstat(e->desc->host_fd, &st) != 0)
    return WT__ERR();
  wt__filestat_from_host(&st, buf);
  return WT_ESUCCESS;
}

wt_errno_t wt_fd_filestat_set_size(wt_t *w, wt_fd_t fd, uint64_t size) {
  wt__fd_t *e;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_FD_FILESTAT_SET_SIZE, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if (size > INT64_MAX)
    return WT_EINVAL;
  if (ftruncate(e->desc->host_fd, (off_t)size) != 0)
    return WT__ERR();
  return WT_ESUCCESS;
}

/* Asking for a given time and "now" at once is EINVAL, as are unknown bits. */
wt_errno_t wt_fd_filestat_set_times(wt_t *w, wt_fd_t fd, uint64_t atim,
                                    uint64_t mtim, uint16_t fst_flags) {
  wt__fd_t *e;
  struct timespec ts[2];
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_FD_FILESTAT_SET_TIMES, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if ((err = wt__times_from_fst(atim, mtim, fst_flags, ts)) != WT_ESUCCESS)
    return err;
  if (futimens(e->desc->host_fd, ts) != 0)
    return WT__ERR();
  return WT_ESUCCESS;
}

static const int host_advice[] = {
    POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
    POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE,
};

/* posix_fadvise and posix_fallocate return the error instead of setting
 * errno. */
wt_errno_t wt_fd_advise(wt_t *w, wt_fd_t fd, uint64_t offset, uint64_t len,
                        uint8_t advice) {
  wt__fd_t *e;
  int r;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_FD_ADVISE, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if (advice > WT_ADVICE_NOREUSE || offset > INT64_MAX || len > INT64_MAX)
    return WT_EINVAL;
  r = posix_fadvise(e->desc->host_fd, (off_t)offset, (off_t)len,
                    host_advice[advice]);
  return r == 0 ? WT_ESUCCESS : wt_errno_from_host(r);
}

wt_errno_t wt_fd_allocate(wt_t *w, wt_fd_t fd, uint64_t offset, uint64_t len) {
  wt__fd_t *e;
  int r;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_FD_ALLOCATE, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if (len == 0 || offset > INT64_MAX || len > INT64_MAX)
    return WT_EINVAL;
  if (offset > (uint64_t)INT64_MAX - len)
    return WT_EFBIG;
  r = posix_fallocate(e->desc->host_fd, (off_t)offset, (off_t)len);
  return r == 0 ? WT_ESUCCESS : wt_errno_from_host(r);
}

/*
 * A terminal or pipe cannot be synced: the host's EINVAL is passed on.
 * eventfds and epoll fds lack the sync rights (ENOTCAPABLE; Wasmer says
 * EACCES for the same reason); held anyway, they answer Linux's EINVAL.
 */
wt_errno_t wt_fd_datasync(wt_t *w, wt_fd_t fd) {
  wt__fd_t *e;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_FD_DATASYNC, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if (wt__desc_inproc(e->desc))
    return WT_EINVAL;
  return fdatasync(e->desc->host_fd) == 0 ? WT_ESUCCESS : WT__ERR();
}

wt_errno_t wt_fd_sync(wt_t *w, wt_fd_t fd) {
  wt__fd_t *e;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_FD_SYNC, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  if (wt__desc_inproc(e->desc))
    return WT_EINVAL;
  return fsync(e->desc->host_fd) == 0 ? WT_ESUCCESS : WT__ERR();
}
