/*
 * The guest fd table and open descriptions.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

wt__desc_t *wt__desc_new(wt_t *w, uint8_t kind, wt_filetype_t type,
                         int host_fd) {
  wt__desc_t *d = w->spare_desc;
  if (d != NULL) {
    w->spare_desc = NULL;
    memset(d, 0, sizeof *d);
  } else if ((d = wt__calloc(w, 1, sizeof *d)) == NULL)
    return NULL;
  d->refs = 1;
  d->kind = kind;
  d->type = type;
  d->host_fd = host_fd;
  return d;
}

void wt__desc_unref(wt_t *w, wt__desc_t *d) {
  if (--d->refs > 0)
    return;
  /* Epoll entries hold no reference: they go with the last one (epoll.c). */
  if (d->watchers != NULL || d->kind == WT_DESC_EPOLL)
    wt__epoll_release(w, d);
  /* closedir closes its own duplicate of host_fd, not host_fd itself. */
  if (d->dir != NULL)
    closedir(d->dir);
  if (d->host_fd >= 0)
    close(d->host_fd);
  wt__free(w, d->preopen);
  wt__free(w, d->gpath);
  if (w->spare_desc == NULL)
    w->spare_desc = d;
  else
    wt__free(w, d);
}

/* FD_OPENED's b: 1 when path_open created the file (core.h). */
static wt_errno_t fd_insert(wt_t *w, wt__desc_t *desc, wt_rights_t base,
                            wt_rights_t inheriting, wt_fd_t min, bool created,
                            wt_fd_t *fd) {
  wt_rights_t max_base, max_inh;
  wt__rights_for_type(desc->type, desc->kind == WT_DESC_SOCKET, &max_base,
                      &max_inh);
  for (wt_fd_t i = min; i < w->nfds; i++) {
    if (w->fds[i].desc != NULL)
      continue;
    w->fds[i].desc = desc;
    w->fds[i].base = base & max_base;
    w->fds[i].inheriting = inheriting & max_inh;
    w->fds[i].cloexec = false;
    *fd = i;
    wt__emit(w, WT_TR_FD_OPENED, i, 0, desc->type, created, 0);
    return WT_ESUCCESS;
  }
  return WT_EMFILE;
}

wt_errno_t wt__fd_insert(wt_t *w, wt__desc_t *desc, wt_rights_t base,
                         wt_rights_t inheriting, wt_fd_t min, wt_fd_t *fd) {
  return fd_insert(w, desc, base, inheriting, min, false, fd);
}

wt_errno_t wt__fd_insert_created(wt_t *w, wt__desc_t *desc, wt_rights_t base,
                                 wt_rights_t inheriting, bool created,
                                 wt_fd_t *fd) {
  return fd_insert(w, desc, base, inheriting, 0, created, fd);
}

void wt__fd_release(wt_t *w, wt_fd_t fd) {
  wt__desc_t *d = w->fds[fd].desc;
  w->fds[fd].desc = NULL;
  w->fds[fd].base = w->fds[fd].inheriting = 0;
  w->fds[fd].cloexec = false;
  wt__emit(w, WT_TR_FD_CLOSED, fd, 0, 0, 0, 0);
  wt__desc_unref(w, d);
}

void wt__rights_for_type(wt_filetype_t type, bool socket, wt_rights_t *base,
                         wt_rights_t *inheriting) {
  switch (type) {
  case WT_FILETYPE_DIRECTORY:
    *base = WT_RIGHTS_DIRECTORY;
    *inheriting = WT_RIGHTS_DIRECTORY_INHERITING;
    return;
  case WT_FILETYPE_REGULAR_FILE:
  case WT_FILETYPE_BLOCK_DEVICE:
    *base = WT_RIGHTS_REGULAR_FILE;
    *inheriting = 0;
    return;
  case WT_FILETYPE_SOCKET_STREAM:
  case WT_FILETYPE_SOCKET_DGRAM:
    *base = socket ? WT_RIGHTS_SOCKET_LISTEN : WT_RIGHTS_TTY;
    *inheriting = socket ? WT_RIGHTS_SOCKET : 0;
    return;
  default:
    /* Character devices, pipes and unknown: stream-like. */
    *base = WT_RIGHTS_TTY;
    *inheriting = 0;
    return;
  }
}

wt_filetype_t wt__filetype_from_mode(unsigned mode) {
  switch (mode & S_IFMT) {
  case S_IFREG:
    return WT_FILETYPE_REGULAR_FILE;
  case S_IFDIR:
    return WT_FILETYPE_DIRECTORY;
  case S_IFCHR:
    return WT_FILETYPE_CHARACTER_DEVICE;
  case S_IFBLK:
    return WT_FILETYPE_BLOCK_DEVICE;
  case S_IFLNK:
    return WT_FILETYPE_SYMBOLIC_LINK;
  case S_IFSOCK:
    return WT_FILETYPE_SOCKET_STREAM;
  default:
    /* FIFOs have no WASI file type. */
    return WT_FILETYPE_UNKNOWN;
  }
}

static wt_timestamp_t ts_ns(const struct timespec *ts) {
  return (wt_timestamp_t)ts->tv_sec * 1000000000ull + (wt_timestamp_t)ts->tv_nsec;
}

void wt__filestat_from_host(const struct stat *st, wt_filestat_t *out) {
  out->dev = (wt_device_t)st->st_dev;
  out->ino = (wt_inode_t)st->st_ino;
  out->filetype = wt__filetype_from_mode(st->st_mode);
  out->nlink = (wt_linkcount_t)st->st_nlink;
  out->size = (wt_filesize_t)st->st_size;
  out->atim = ts_ns(&st->st_atim);
  out->mtim = ts_ns(&st->st_mtim);
  out->ctim = ts_ns(&st->st_ctim);
}

/* One utimensat/futimens timestamp from a guest value and its flags. */
static struct timespec host_time(uint64_t ns, bool set, bool now) {
  struct timespec ts = {0, UTIME_OMIT};
  if (now) {
    ts.tv_nsec = UTIME_NOW;
  } else if (set) {
    ts.tv_sec = (time_t)(ns / WT_NSEC_PER_SEC);
    ts.tv_nsec = (long)(ns % WT_NSEC_PER_SEC);
  }
  return ts;
}

wt_errno_t wt__times_from_fst(uint64_t atim, uint64_t mtim, uint16_t fst,
                              struct timespec *ts) {
  if ((fst & ~WT_FSTFLAGS_ALL) != 0 ||
      ((fst & WT_FSTFLAG_ATIM) && (fst & WT_FSTFLAG_ATIM_NOW)) ||
      ((fst & WT_FSTFLAG_MTIM) && (fst & WT_FSTFLAG_MTIM_NOW)))
    return WT_EINVAL;
  ts[0] = host_time(atim, fst & WT_FSTFLAG_ATIM, fst & WT_FSTFLAG_ATIM_NOW);
  ts[1] = host_time(mtim, fst & WT_FSTFLAG_MTIM, fst & WT_FSTFLAG_MTIM_NOW);
  return WT_ESUCCESS;
}
