/*
 * The path_* calls. Every path goes through wt__path_resolve, which keeps
 * it inside the directory fd it is relative to; the host operation then
 * runs on (directory fd, final name) without following a final symlink.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h> /* renameat */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Rights asking for a host fd open for reading / writing. */
#define READ_RIGHTS (WT_RIGHT_FD_READ | WT_RIGHT_FD_READDIR)
#define WRITE_RIGHTS                                                           \
  (WT_RIGHT_FD_WRITE | WT_RIGHT_FD_ALLOCATE | WT_RIGHT_FD_FILESTAT_SET_SIZE)

/*
 * Resolves `path` under guest directory fd `fd` (entry `dir`) for `call`
 * and, when a guard is set, asks it whether `ops` may be done on the
 * result (guard.c). On success release *out with wt__path_done.
 */
static wt_errno_t resolve(wt_t *w, wt_call_id_t call, wt_fd_t fd,
                          const wt__fd_t *dir, const char *path, uint32_t len,
                          unsigned flags, unsigned ops, wt__path_t *out) {
  wt_errno_t e = wt__resolve(w, (uint16_t)call, fd, dir, path, len, flags, out);
  if (e != WT_ESUCCESS || ops == 0)
    return e;
  e = wt__judge(w, (uint16_t)call, fd, dir, path, len, out, ops, false);
  if (e != WT_ESUCCESS)
    wt__path_done(w, out);
  return e;
}

static unsigned follow_flag(uint32_t lookupflags) {
  return (lookupflags & WT_LOOKUP_SYMLINK_FOLLOW) ? WT__RESOLVE_FOLLOW : 0;
}

static bool exists(const wt__path_t *p) {
  struct stat st;
  return fstatat(p->dirfd, p->name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/*
 * A new non-directory named with a trailing slash ("new/"): Linux answers
 * EEXIST if something is there, else ENOENT; we never pass the slash to
 * the kernel (it would follow a final symlink), so answer the same here.
 */
static wt_errno_t slash_on_new_file(const wt__path_t *p) {
  if (!p->dir_required)
    return WT_ESUCCESS;
  return exists(p) ? WT_EEXIST : WT_ENOENT;
}

/* ---- path_open ---------------------------------------------------------- */

/* The rights path_open needs on the directory, and that the new fd's
 * rights are a subset of what the directory passes on. */
static wt_errno_t open_rights(const wt__fd_t *dir, uint16_t oflags,
                              wt_rights_t base, wt_rights_t inheriting) {
  wt_rights_t need = WT_RIGHT_PATH_OPEN;
  if (oflags & WT_O_CREAT)
    need |= WT_RIGHT_PATH_CREATE_FILE;
  if (oflags & WT_O_TRUNC)
    need |= WT_RIGHT_PATH_FILESTAT_SET_SIZE;
  if ((dir->base & need) != need)
    return WT_ENOTCAPABLE;
  if (((base | inheriting) & ~dir->inheriting) != 0)
    return WT_ENOTCAPABLE;
  return WT_ESUCCESS;
}

static int host_oflags(uint16_t oflags, wt_rights_t base, uint16_t fdflags) {
  bool rd = (base & READ_RIGHTS) != 0, wr = (base & WRITE_RIGHTS) != 0;
  /* The kernel never follows a final symlink for us: O_NOFOLLOW. */
  int f = O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
  if (oflags & WT_O_DIRECTORY)
    return f | O_RDONLY | O_DIRECTORY;
  f |= wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;
  f |= (oflags & WT_O_CREAT) ? O_CREAT : 0;
  f |= (oflags & WT_O_EXCL) ? O_EXCL : 0;
  f |= (oflags & WT_O_TRUNC) ? O_TRUNC : 0;
  f |= (fdflags & WT_FDFLAG_APPEND) ? O_APPEND : 0;
  f |= (fdflags & WT_FDFLAG_DSYNC) ? O_DSYNC : 0;
  f |= (fdflags & WT_FDFLAG_SYNC) ? O_SYNC : 0;
  f |= (fdflags & WT_FDFLAG_RSYNC) ? O_RSYNC : 0;
  return f;
}

/*
 * openat for a path_open. With `exact` (someone observes the run), a CREAT
 * without EXCL is tried as CREAT|EXCL first, so that p->created says
 * whether this open made the file (the trace's FD_OPENED b, which audit
 * needs to tell creating from opening); on EEXIST the file is opened
 * without CREAT, and tried again if it went meanwhile. Unobserved, one
 * openat as ever.
 */
static int open_exact(wt__path_t *p, int flags, bool exact) {
  int fd = -1;
  p->created = false;
  if (!exact || !(flags & O_CREAT) || (flags & O_EXCL)) {
    fd = openat(p->dirfd, p->name, flags, 0666);
    p->created = fd >= 0 && (flags & O_CREAT) && (flags & O_EXCL);
    return fd;
  }
  for (int tries = 0; tries < 4; tries++) {
    if ((fd = openat(p->dirfd, p->name, flags | O_EXCL, 0666)) >= 0) {
      p->created = true;
      return fd;
    }
    if (errno != EEXIST)
      return fd;
    fd = openat(p->dirfd, p->name, flags & ~O_CREAT);
    if (fd >= 0 || errno != ENOENT)
      return fd;
  }
  return openat(p->dirfd, p->name, flags, 0666); /* churned: as asked */
}

/* Opens the resolved path on the host; *out receives the host fd. */
static wt_errno_t open_host(wt__path_t *p, uint16_t oflags, wt_rights_t base,
                            uint16_t fdflags, bool exact, int *out) {
  int fd;
  if (p->dir_required) {
    /* "name/" with CREAT: Linux says EISDIR whether or not it exists;
     * with TRUNC, EISDIR for a directory. */
    if (oflags & WT_O_CREAT)
      return WT_EISDIR;
    if (oflags & WT_O_TRUNC)
      return exists(p) ? WT_EISDIR : WT_ENOENT;
    oflags |= WT_O_DIRECTORY;
  }
  fd = open_exact(p, host_oflags(oflags, base, fdflags), exact);
  /*
   * O_DIRECTORY with write rights: Linux (O_DIRECTORY|O_WRONLY), wasmtime
   * and Node answer EISDIR for a directory (a file stays ENOTDIR, from the
   * read-only open above).
   */
  if (fd >= 0 && (oflags & WT_O_DIRECTORY) && (base & WRITE_RIGHTS)) {
    close(fd);
    return WT_EISDIR;
  }
  /*
   * A directory asked for with write rights: open it read-only, the
   * write rights are dropped by file type rather than refused.
   */
  if (fd < 0 && errno == EISDIR && !(oflags & (WT_O_CREAT | WT_O_TRUNC)))
    fd = openat(p->dirfd, p->name, host_oflags(WT_O_DIRECTORY, 0, 0));
  if (fd < 0)
    return WT__ERR();
  *out = fd;
  return WT_ESUCCESS;
}

/* Puts host fd `hfd` (taken over) into the table. */
static wt_errno_t insert_host(wt_t *w, int hfd, wt_rights_t base,
                              wt_rights_t inheriting, uint16_t fdflags,
                              bool created, wt_fd_t *opened) {
  struct stat st;
  wt__desc_t *desc;
  wt_errno_t e;
  if (fstat(hfd, &st) != 0) {
    e = WT__ERR();
    close(hfd);
    return e;
  }
  desc = wt__desc_new(w, WT_DESC_HOST, wt__filetype_from_mode(st.st_mode), hfd);
  if (desc == NULL) {
    close(hfd);
    return WT_ENOMEM;
  }
  /* Emulated: the host fd stays blocking (see wt__desc_t.nonblock). */
  desc->nonblock = (fdflags & WT_FDFLAG_NONBLOCK) != 0;
  e = wt__fd_insert_created(w, desc, base, inheriting, created, opened);
  if (e != WT_ESUCCESS)
    wt__desc_unref(w, desc);
  return e;
}

/*
 * What a path_open does, for the guard: opening a directory (O_DIRECTORY)
 * lists it; otherwise it reads and/or writes by the rights asked (TRUNC
 * writes), creates when CREAT meets no file (or with EXCL), and only stats
 * when it asks for neither. CREAT on a file that exists is dropped from
 * the flags, so that a file removed meanwhile is not created unjudged.
 */
static wt_errno_t judge_open(wt_t *w, wt_fd_t fd, const wt__fd_t *dir,
                             const char *path, uint32_t len, wt__path_t *p,
                             uint16_t *oflags, wt_rights_t base,
                             bool tentative) {
  unsigned ops = 0;
  if (*oflags & WT_O_DIRECTORY)
    ops = WT_PATH_OP_LIST;
  else {
    if (base & READ_RIGHTS)
      ops |= WT_PATH_OP_READ;
    if ((base & WRITE_RIGHTS) || (*oflags & WT_O_TRUNC))
      ops |= WT_PATH_OP_WRITE;
    if (*oflags & WT_O_CREAT) {
      if ((*oflags & WT_O_EXCL) || !exists(p))
        ops |= WT_PATH_OP_CREATE;
      else
        *oflags &= (uint16_t)~WT_O_CREAT;
    }
    if (ops == 0)
      ops = WT_PATH_OP_STAT;
  }
  return wt__judge(w, WT_CALL_path_open, fd, dir, path, len, p, ops,
                   tentative);
}

/* Resolves, judges (with a path guard) and opens on the host; on success
 * *p is to be released with wt__path_done and *hfd is the host fd. */
static wt_errno_t open_now(wt_t *w, wt_fd_t fd, const wt__fd_t *dir,
                           const char *path, uint32_t len, unsigned follow,
                           uint16_t oflags, wt_rights_t base, uint16_t fdflags,
                           wt__path_t *p, int *hfd) {
  wt_errno_t e = resolve(w, WT_CALL_path_open, fd, dir, path, len, follow, 0, p);
  if (e != WT_ESUCCESS)
    return e;
  if (w->guard.path != NULL)
    e = judge_open(w, fd, dir, path, len, p, &oflags, base, false);
  if (e == WT_ESUCCESS)
    e = open_host(p, oflags, base, fdflags, w->observer != NULL, hfd);
  if (e != WT_ESUCCESS)
    wt__path_done(w, p);
  return e;
}

/*
 * SYMLINK_FOLLOW, opened late: most final names are not links, so the
 * name is opened first as if not following (O_NOFOLLOW, as always), and
 * only a link, which the kernel then refuses (ELOOP, or ENOTDIR with
 * O_DIRECTORY), is resolved again, following it. That saves the
 * resolver's fstatat of the final name, a third of the call's system
 * time. A path guard (one answering tentatively) judges the unfollowed
 * name first without reporting: an open that then succeeds opened that
 * very name (the judged dirfd and name, O_NOFOLLOW), so the answer
 * stands. A link, or a tentative refusal, goes the long way: resolved
 * following and judged for real, which alone reports.
 */
static wt_errno_t open_follow_late(wt_t *w, wt_fd_t fd, const wt__fd_t *dir,
                                   const char *path, uint32_t len,
                                   uint16_t oflags, wt_rights_t base,
                                   uint16_t fdflags, wt__path_t *p, int *hfd) {
  uint16_t o = oflags; /* judge_open may drop CREAT: the long way redoes it */
  wt_errno_t e = resolve(w, WT_CALL_path_open, fd, dir, path, len, 0, 0, p);
  if (e != WT_ESUCCESS)
    return e; /* the walk up to the final name is the same when following */
  if (w->guard.path != NULL)
    e = judge_open(w, fd, dir, path, len, p, &o, base, true);
  if (e == WT_ESUCCESS) {
    e = open_host(p, o, base, fdflags, w->observer != NULL, hfd);
    if (e == WT_ESUCCESS)
      return e;
    if (e != WT_ELOOP && e != WT_ENOTDIR) {
      wt__path_done(w, p);
      return e;
    }
  }
  wt__path_done(w, p);
  return open_now(w, fd, dir, path, len, WT__RESOLVE_FOLLOW, oflags, base,
                  fdflags, p, hfd);
}

wt_errno_t wt_path_open(wt_t *w, wt_fd_t fd, uint32_t dirflags,
                        const char *path, uint32_t path_len, uint16_t oflags,
                        uint64_t rights_base, uint64_t rights_inheriting,
                        uint16_t fdflags, uint32_t *opened) {
  wt__fd_t *dir;
  wt__path_t p;
  unsigned follow = follow_flag(dirflags);
  int hfd = -1;
  wt_errno_t e = wt__fd_get(w, fd, WT_RIGHT_PATH_OPEN, 0, &dir);
  if (e != WT_ESUCCESS)
    return e;
  if ((dirflags & ~WT_LOOKUP_SYMLINK_FOLLOW) || (oflags & ~WT_OFLAGS_ALL) ||
      (fdflags & ~WT_FDFLAGS_ALL))
    return WT_EINVAL;
  if ((e = open_rights(dir, oflags, rights_base, rights_inheriting)) !=
      WT_ESUCCESS)
    return e;
  /* A directory cannot be created or truncated by open (Linux: EINVAL). */
  if ((oflags & WT_O_DIRECTORY) && (oflags & (WT_O_CREAT | WT_O_TRUNC)))
    return WT_EINVAL;
  /* CREAT|EXCL never follows a final symlink: it exists (EEXIST). */
  if ((oflags & (WT_O_CREAT | WT_O_EXCL)) == (WT_O_CREAT | WT_O_EXCL))
    follow = 0;
  if (follow && (w->guard.path == NULL || w->guard.tentative))
    e = open_follow_late(w, fd, dir, path, path_len, oflags, rights_base,
                         fdflags, &p, &hfd);
  else
    e = open_now(w, fd, dir, path, path_len, follow, oflags, rights_base,
                 fdflags, &p, &hfd);
  if (e != WT_ESUCCESS)
    return e;
  e = insert_host(w, hfd, rights_base, rights_inheriting, fdflags, p.created,
                  opened);
  if (e == WT_ESUCCESS)
    wt__desc_take_gpath(w->fds[*opened].desc, dir, &p);
  wt__path_done(w, &p);
  return e;
}

/* ---- stat and times ----------------------------------------------------- */

wt_errno_t wt_path_filestat_get(wt_t *w, wt_fd_t fd, uint32_t flags,
                                const char *path, uint32_t path_len,
                                wt_filestat_t *buf) {
  wt__fd_t *dir;
  wt__path_t p;
  struct stat st;
  wt_errno_t e = wt__fd_get(w, fd, WT_RIGHT_PATH_FILESTAT_GET, 0, &dir);
  if (e != WT_ESUCCESS)
    return e;
  if (flags & ~WT_LOOKUP_SYMLINK_FOLLOW)
    return WT_EINVAL;
  e = resolve(w, WT_CALL_path_filestat_get, fd, dir, path, path_len,
              follow_flag(flags), WT_PATH_OP_STAT, &p);
  if (e != WT_ESUCCESS)
    return e;
  /* The resolver's stat of the final name, when it made one, is this
   * call's answer: a second one would cost a system call for nothing. */
  if (p.have_st)
    wt__filestat_from_host(&p.st, buf);
  else if (fstatat(p.dirfd, p.name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    e = WT__ERR();
  else
    wt__filestat_from_host(&st, buf);
  wt__path_done(w, &p);
  return e;
}

wt_errno_t wt_path_filestat_set_times(wt_t *w, wt_fd_t fd, uint32_t flags,
                                      const char *path, uint32_t path_len,
                                      uint64_t atim, uint64_t mtim,
                                      uint16_t fst_flags) {
  wt__fd_t *dir;
  wt__path_t p;
  struct timespec ts[2];
  wt_errno_t e = wt__fd_get(w, fd, WT_RIGHT_PATH_FILESTAT_SET_TIMES, 0, &dir);
  if (e != WT_ESUCCESS)
    return e;
  if (flags & ~WT_LOOKUP_SYMLINK_FOLLOW)
    return WT_EINVAL;
  if ((e = wt__times_from_fst(atim, mtim, fst_flags, ts)) != WT_ESUCCESS)
    return e;
  e = resolve(w, WT_CALL_path_filestat_set_times, fd, dir, path, path_len,
              follow_flag(flags), WT_PATH_OP_WRITE, &p);
  if (e != WT_ESUCCESS)
    return e;
  if (utimensat(p.dirfd, p.name, ts, AT_SYMLINK_NOFOLLOW) != 0)
    e = WT__ERR();
  wt__path_done(w, &p);
  return e;
}

/* ---- links -------------------------------------------------------------- */

wt_errno_t wt_path_link(wt_t *w, wt_fd_t old_fd, uint32_t old_flags,
                        const char *old_path, uint32_t old_path_len,
                        wt_fd_t new_fd, const char *new_path,
                        uint32_t new_path_len) {
  wt__fd_t *od, *nd;
  wt__path_t op, np;
  wt_errno_t e = wt__fd_get(w, old_fd, WT_RIGHT_PATH_LINK_SOURCE, 0, &od);
  if (e != WT_ESUCCESS)
    return e;
  if ((e = wt__fd_get(w, new_fd, WT_RIGHT_PATH_LINK_TARGET, 0, &nd)) !=
      WT_ESUCCESS)
    return e;
  if (old_flags & ~WT_LOOKUP_SYMLINK_FOLLOW)
    return WT_EINVAL;
  e = resolve(w, WT_CALL_path_link, old_fd, od, old_path, old_path_len,
              follow_flag(old_flags), WT_PATH_OP_LINK, &op);
  if (e != WT_ESUCCESS)
    return e;
  e = resolve(w, WT_CALL_path_link, new_fd, nd, new_path, new_path_len, 0,
              WT_PATH_OP_LINK, &np);
  if (e == WT_ESUCCESS) {
    e = slash_on_new_file(&np);
    /* No AT_SYMLINK_FOLLOW: our resolver already followed if asked to. */
    if (e == WT_ESUCCESS &&
        linkat(op.dirfd, op.name, np.dirfd, np.name, 0) != 0)
      e = WT__ERR();
    wt__path_done(w, &np);
  }
  wt__path_done(w, &op);
  return e;
}

wt_errno_t wt_path_readlink(wt_t *w, wt_fd_t fd, const char *path,
                            uint32_t path_len, uint8_t *buf, uint32_t buf_len,
                            uint32_t *bufused) {
  wt__fd_t *dir;
  wt__path_t p;
  char target[PATH_MAX];
  ssize_t n;
  wt_errno_t e = wt__fd_get(w, fd, WT_RIGHT_PATH_READLINK, 0, &dir);
  if (e != WT_ESUCCESS)
    return e;
  if ((e = resolve(w, WT_CALL_path_readlink, fd, dir, path, path_len, 0,
                   WT_PATH_OP_READLINK, &p)) != WT_ESUCCESS)
    return e;
  /* Through a full-size buffer: readlinkat refuses a zero-sized one. */
  n = readlinkat(p.dirfd, p.name, target, sizeof target);
  if (n < 0) {
    e = WT__ERR();
  } else {
    /* A short buffer gets the first bytes, as readlink(2) does. */
    uint32_t used = (size_t)n < buf_len ? (uint32_t)n : buf_len;
    if (used > 0)
      memcpy(buf, target, used);
    *bufused = used;
  }
  wt__path_done(w, &p);
  return e;
}

wt_errno_t wt_path_symlink(wt_t *w, const char *old_path, uint32_t old_path_len,
                           wt_fd_t fd, const char *new_path,
                           uint32_t new_path_len) {
  wt__fd_t *dir;
  wt__path_t p;
  char target[PATH_MAX];
  wt_errno_t e = wt__fd_get(w, fd, WT_RIGHT_PATH_SYMLINK, 0, &dir);
  if (e != WT_ESUCCESS)
    return e;
  /*
   * The link text is stored verbatim. An absolute one is refused (it
   * could only ever be ENOTCAPABLE to follow); a relative one climbing
   * out may be made: the resolver never follows it out.
   */
  if ((e = wt__path_check(old_path, old_path_len)) != WT_ESUCCESS)
    return e;
  memcpy(target, old_path, old_path_len);
  target[old_path_len] = '\0';
  if ((e = resolve(w, WT_CALL_path_symlink, fd, dir, new_path, new_path_len, 0,
                   WT_PATH_OP_SYMLINK, &p)) != WT_ESUCCESS)
    return e;
  e = slash_on_new_file(&p);
  if (e == WT_ESUCCESS && symlinkat(target, p.dirfd, p.name) != 0)
    e = WT__ERR();
  wt__path_done(w, &p);
  return e;
}

/* ---- directories, unlink, rename ---------------------------------------- */

wt_errno_t wt_path_create_directory(wt_t *w, wt_fd_t fd, const char *path,
                                    uint32_t path_len) {
  wt__fd_t *dir;
  wt__path_t p;
  wt_errno_t e = wt__fd_get(w, fd, WT_RIGHT_PATH_CREATE_DIRECTORY, 0, &dir);
  if (e != WT_ESUCCESS)
    return e;
  if ((e = resolve(w, WT_CALL_path_create_directory, fd, dir, path, path_len,
                   0, WT_PATH_OP_CREATE, &p)) != WT_ESUCCESS)
    return e;
  if (mkdirat(p.dirfd, p.name, 0777) != 0)
    e = WT__ERR();
  wt__path_done(w, &p);
  return e;
}

/* unlinkat on a resolved path: AT_REMOVEDIR or 0. */
static wt_errno_t unlink_path(wt_t *w, wt_call_id_t call, wt_fd_t fd,
                              wt_rights_t right, const char *path,
                              uint32_t path_len, int how) {
  wt__fd_t *dir;
  wt__path_t p;
  wt_errno_t e = wt__fd_get(w, fd, right, 0, &dir);
  if (e != WT_ESUCCESS)
    return e;
  if ((e = resolve(w, call, fd, dir, path, path_len, 0, WT_PATH_OP_DELETE,
                   &p)) != WT_ESUCCESS)
    return e;
  /* Linux: EISDIR for unlink on a directory, ENOTDIR for rmdir on a file,
   * ENOTEMPTY for a non-empty directory. */
  if (unlinkat(p.dirfd, p.name, how) != 0)
    e = WT__ERR();
  wt__path_done(w, &p);
  return e;
}

wt_errno_t wt_path_remove_directory(wt_t *w, wt_fd_t fd, const char *path,
                                    uint32_t path_len) {
  return unlink_path(w, WT_CALL_path_remove_directory, fd,
                     WT_RIGHT_PATH_REMOVE_DIRECTORY, path, path_len,
                     AT_REMOVEDIR);
}

wt_errno_t wt_path_unlink_file(wt_t *w, wt_fd_t fd, const char *path,
                               uint32_t path_len) {
  return unlink_path(w, WT_CALL_path_unlink_file, fd,
                     WT_RIGHT_PATH_UNLINK_FILE, path, path_len, 0);
}

/* renameat, with a trailing slash on either side meaning "a directory". */
static wt_errno_t rename_resolved(const wt__path_t *op, const wt__path_t *np) {
  struct stat st;
  if ((op->dir_required || np->dir_required) &&
      fstatat(op->dirfd, op->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      !S_ISDIR(st.st_mode))
    return WT_ENOTDIR;
  if (renameat(op->dirfd, op->name, np->dirfd, np->name) != 0)
    return WT__ERR();
  return WT_ESUCCESS;
}

wt_errno_t wt_path_rename(wt_t *w, wt_fd_t fd, const char *old_path,
                          uint32_t old_path_len, wt_fd_t new_fd,
                          const char *new_path, uint32_t new_path_len) {
  wt__fd_t *od, *nd;
  wt__path_t op, np;
  wt_errno_t e = wt__fd_get(w, fd, WT_RIGHT_PATH_RENAME_SOURCE, 0, &od);
  if (e != WT_ESUCCESS)
    return e;
  if ((e = wt__fd_get(w, new_fd, WT_RIGHT_PATH_RENAME_TARGET, 0, &nd)) !=
      WT_ESUCCESS)
    return e;
  if ((e = resolve(w, WT_CALL_path_rename, fd, od, old_path, old_path_len, 0,
                   WT_PATH_OP_RENAME, &op)) != WT_ESUCCESS)
    return e;
  e = resolve(w, WT_CALL_path_rename, new_fd, nd, new_path, new_path_len, 0,
              WT_PATH_OP_RENAME, &np);
  if (e == WT_ESUCCESS) {
    e = rename_resolved(&op, &np);
    wt__path_done(w, &np);
  }
  wt__path_done(w, &op);
  return e;
}
