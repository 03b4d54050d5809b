/*
 * fd_readdir: directory listings with stable cookies.
 *
 * A cookie is a position in the host's listing order: 0 is the start and
 * the entry at 1-based position p carries d_next == p, the cookie that
 * resumes after it. The description keeps one host DIR stream and the
 * position it stands at (desc->dir_pos, entries consumed), so reading on
 * from the last d_next costs nothing; a cookie behind the stream rewinds it
 * and one ahead skips entries.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Opens desc->dir on a duplicate of host_fd (closedir closes only that). */
static wt_errno_t dir_open(wt__desc_t *d) {
  int fd = fcntl(d->host_fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0)
    return WT__ERR();
  d->dir = fdopendir(fd);
  if (d->dir == NULL) {
    wt_errno_t err = WT__ERR();
    close(fd);
    return err;
  }
  /* The duplicate shares host_fd's offset, which may not be at the start. */
  rewinddir(d->dir);
  d->dir_pos = 0;
  return WT_ESUCCESS;
}

/*
 * Reads the next host entry into *out (NULL at the end), counting it in
 * dir_pos.
 */
static wt_errno_t dir_next(wt__desc_t *d, struct dirent **out) {
  errno = 0;
  *out = readdir(d->dir);
  if (*out == NULL)
    return errno != 0 ? WT__ERR() : WT_ESUCCESS;
  d->dir_pos++;
  return WT_ESUCCESS;
}

/* Positions the stream so that the next entry read is cookie + 1. */
static wt_errno_t dir_seek(wt__desc_t *d, wt_dircookie_t cookie) {
  struct dirent *de;
  wt_errno_t err = WT_ESUCCESS;
  if (d->dir == NULL)
    err = dir_open(d);
  else if (cookie < d->dir_pos) {
    rewinddir(d->dir);
    d->dir_pos = 0;
  }
  while (err == WT_ESUCCESS && d->dir_pos < cookie) {
    err = dir_next(d, &de);
    /* A cookie past the end: the stream stays at the end. */
    if (de == NULL)
      break;
  }
  return err;
}

static wt_filetype_t type_from_dt(unsigned char dt) {
  switch (dt) {
  case DT_DIR:
    return WT_FILETYPE_DIRECTORY;
  case DT_REG:
    return WT_FILETYPE_REGULAR_FILE;
  case DT_LNK:
    return WT_FILETYPE_SYMBOLIC_LINK;
  case DT_CHR:
    return WT_FILETYPE_CHARACTER_DEVICE;
  case DT_BLK:
    return WT_FILETYPE_BLOCK_DEVICE;
  case DT_SOCK:
    return WT_FILETYPE_SOCKET_STREAM;
  default:
    /* FIFOs have no WASI type; DT_UNKNOWN is resolved by the caller. */
    return WT_FILETYPE_UNKNOWN;
  }
}

/*
 * The guest header for a host entry. d_ino must be the st_ino that
 * fstatat (and so path_filestat_get) reports. readdir's d_ino is that,
 * except where a directory is a mount point (readdir gives the covered
 * directory's inode) and for `..` at a file system's root, so directories
 * are stat'ed, as are entries whose type the host did not say.
 */
static void entry_header(DIR *dir, const struct dirent *de, uint64_t next,
                         wt_dirent_t *h) {
  struct stat st;
  memset(h, 0, sizeof *h);
  h->d_next = next;
  h->d_ino = (wt_inode_t)de->d_ino;
  h->d_namlen = (uint32_t)strlen(de->d_name);
  h->d_type = type_from_dt(de->d_type);
  if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
    return;
  /* "." is the directory itself, in its own file system: readdir's d_ino
   * is already fstat's (a mount point's covered inode is its parent's
   * entry, never its own "."). */
  if (de->d_type == DT_DIR && h->d_namlen == 1 && de->d_name[0] == '.')
    return;
  /* An entry gone since the listing keeps readdir's values. */
  if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    h->d_ino = (wt_inode_t)st.st_ino;
    h->d_type = wt__filetype_from_mode(st.st_mode);
  }
}

/* Copies as much of n bytes as fits; returns how many were copied. */
static uint32_t put(uint8_t *buf, uint32_t buf_len, uint32_t used,
                    const void *src, uint32_t n) {
  uint32_t room = buf_len - used;
  if (n > room)
    n = room;
  if (n > 0)
    memcpy(buf + used, src, n);
  return n;
}

/*
 * Entries are packed back to back: header, then the name without a NUL.
 * The last one that does not fit is cut at the end of the buffer, so a full
 * buffer (bufused == buf_len) tells the guest there may be more; the stream
 * is put back before that entry so the next call reads it again cheaply.
 */
wt_errno_t wt_fd_readdir(wt_t *w, wt_fd_t fd, uint8_t *buf, uint32_t buf_len,
                         uint64_t cookie, uint32_t *bufused) {
  wt__fd_t *e;
  wt__desc_t *d;
  struct dirent *de;
  wt_dirent_t h;
  uint32_t used = 0;
  wt_errno_t err = wt__fd_get(w, fd, WT_RIGHT_FD_READDIR, 0, &e);
  if (err != WT_ESUCCESS)
    return err;
  d = e->desc;
  if ((err = dir_seek(d, cookie)) != WT_ESUCCESS)
    return err;
  while (used < buf_len) {
    /* Where to come back to if the entry does not fit: asked (a lock in
     * libc) only near the buffer's end, where a name could overflow. */
    long at = buf_len - used < sizeof h + NAME_MAX + 1 ? telldir(d->dir) : -1;
    uint32_t n;
    if ((err = dir_next(d, &de)) != WT_ESUCCESS)
      return err;
    if (de == NULL)
      break;
    entry_header(d->dir, de, d->dir_pos, &h);
    n = put(buf, buf_len, used, &h, sizeof h);
    n += put(buf, buf_len, used + n, de->d_name, h.d_namlen);
    used += n;
    if (n < sizeof h + h.d_namlen && at >= 0) {
      seekdir(d->dir, at);
      d->dir_pos--;
    }
  }
  *bufused = used;
  return WT_ESUCCESS;
}
