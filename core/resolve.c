/*
 * Sandboxed path resolution: turns a guest path relative to a directory fd
 * into (host directory fd, single final name) without ever leaving that
 * directory.
 *
 * The kernel is never asked to interpret more than one component, nor to
 * follow a symlink, nor to follow "..":
 *   - components are opened one at a time with O_PATH | O_DIRECTORY |
 *     O_NOFOLLOW, so a directory swapped for a symlink between two calls
 *     makes the open fail instead of being followed;
 *   - ".." pops a stack of the directory fds we descended through, so it
 *     can never climb above the root, even if a directory we hold is moved
 *     elsewhere meanwhile;
 *   - symlinks are read with readlinkat and spliced into the rest of the
 *     path by us: absolute targets are refused, relative ones are resolved
 *     from the link's directory and meet the same ".." rule.
 * The caller then runs its operation on (dirfd, name) with O_NOFOLLOW or
 * AT_SYMLINK_NOFOLLOW.
 *
 * To keep the number of host fds bounded however deep the path goes, only
 * the innermost HELD_MAX directories of the stack keep their fd; the names
 * of all of them are kept, and a ".." that pops to a closed level reopens
 * the chain from the root, name by name, with the same flags.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Symlink expansions per resolution, as Linux allows (MAXSYMLINKS). */
#define LINKS_MAX 40
/* Directory fds held open at once by one resolution (root excluded). */
#define HELD_MAX 16
#define DIR_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

typedef struct level_s {
  int fd;       /* -1 once closed to bound the fds held */
  uint32_t off; /* NUL-terminated name in walk_t.names */
} level_t;

typedef struct walk_s {
  wt_t *w;
  level_t *lv; /* lv[0] is the root (borrowed), lv[depth] the current dir */
  uint32_t depth;
  uint32_t cap;
  uint32_t lo; /* levels lo..depth hold their fd (lo >= 1) */
  char *names;
  size_t names_len;
  size_t names_cap;
  const char *path; /* the rest of the path: path[pos..len) */
  size_t pos;
  size_t len;
  char *own_path; /* path after a symlink expansion, ours to free */
  unsigned links;
  /* Why we left the sandbox, for a caller who asks (else NULL), and where
   * the last symlink's target ends in `path` (to tell a ".." of the
   * guest's own from one of a link's). */
  wt__why_t *why;
  size_t link_end;
  /* Most paths are a few short names deep: their levels and names live
   * here, and the heap is used only past that (a malloc and a free cost
   * about as much as the rest of a resolution). */
  level_t lv_stack[16];
  char names_stack[256];
} walk_t;

/* Grows a buffer that starts in `stack`: to the heap on the first growth. */
static void *grow(wt_t *w, void *cur, const void *stack, size_t used,
                  size_t size) {
  void *p;
  if (cur != stack)
    return wt__realloc(w, cur, size);
  if ((p = wt__malloc(w, size)) != NULL && used > 0)
    memcpy(p, cur, used);
  return p;
}

static int cur_fd(const walk_t *k) {
  return k->lv[k->depth].fd;
}

/* Appends a level for `name` (opened as fd) and closes the oldest held fd
 * when more than HELD_MAX are open. */
static wt_errno_t push(walk_t *k, const char *name, int fd) {
  size_t n = strlen(name) + 1;
  if (k->depth + 1 >= k->cap) {
    uint32_t cap = k->cap * 2;
    level_t *lv = grow(k->w, k->lv, k->lv_stack,
                       (k->depth + 1) * sizeof *lv, cap * sizeof *lv);
    if (lv == NULL)
      return WT_ENOMEM;
    k->lv = lv;
    k->cap = cap;
  }
  if (k->names_len + n > k->names_cap) {
    size_t cap = (k->names_len + n) * 2;
    char *names = grow(k->w, k->names, k->names_stack, k->names_len, cap);
    if (names == NULL)
      return WT_ENOMEM;
    k->names = names;
    k->names_cap = cap;
  }
  memcpy(k->names + k->names_len, name, n);
  k->depth++;
  k->lv[k->depth].fd = fd;
  k->lv[k->depth].off = (uint32_t)k->names_len;
  k->names_len += n;
  if (k->depth - k->lo + 1 > HELD_MAX) {
    close(k->lv[k->lo].fd);
    k->lv[k->lo].fd = -1;
    k->lo++;
  }
  return WT_ESUCCESS;
}

/*
 * Reopens levels 1..depth from the root by their names, keeping the fds of
 * the innermost HELD_MAX. Used when ".." pops to a level whose fd was
 * closed. Every name is a directory we opened before (never "..", never a
 * symlink), opened again with O_NOFOLLOW, so this stays under the root.
 */
static wt_errno_t rewalk(walk_t *k) {
  uint32_t target = k->depth;
  uint32_t lo = target > HELD_MAX ? target - HELD_MAX + 1 : 1;
  int cur = k->lv[0].fd;
  k->lo = lo;
  for (uint32_t i = 1; i <= target; i++) {
    int fd = openat(cur, k->names + k->lv[i].off, DIR_FLAGS);
    int err = errno;
    if (i - 1 >= 1 && i - 1 < lo)
      close(cur);
    if (fd < 0) {
      /* Levels lo..i-1 are held; the cleanup closes them. */
      k->depth = i - 1;
      return wt_errno_from_host(err);
    }
    if (i >= lo)
      k->lv[i].fd = fd;
    cur = fd;
  }
  return WT_ESUCCESS;
}

/* Notes why the walk was refused, for a caller who asked. */
static wt_errno_t refuse(walk_t *k, int reason, wt_errno_t e) {
  if (k->why != NULL)
    k->why->reason = reason;
  return e;
}

/* "..": back to the parent level, never above the root. `from` is where
 * the ".." starts in the path (inside a link's target or not). */
static wt_errno_t pop(walk_t *k, size_t from) {
  if (k->depth == 0)
    return refuse(k, from < k->link_end ? WT_SANDBOX_SYMLINK_ESCAPE
                                        : WT_SANDBOX_DOTDOT,
                  WT_ENOTCAPABLE);
  close(k->lv[k->depth].fd);
  k->names_len = k->lv[k->depth].off;
  k->depth--;
  if (k->depth == 0) {
    k->lo = 1;
    return WT_ESUCCESS;
  }
  if (k->depth < k->lo)
    return rewalk(k);
  return WT_ESUCCESS;
}

/* Appends the names of levels 1..depth, then `name` (unless NULL or "."),
 * "/"-separated, to buf (cap bytes, NUL-terminated, cut short if need be).
 * Returns the length. */
static size_t join_names(const walk_t *k, const char *name, char *buf,
                         size_t cap) {
  size_t n = 0;
  for (uint32_t i = 1; i <= k->depth + 1; i++) {
    const char *c = i <= k->depth ? k->names + k->lv[i].off : name;
    size_t m;
    if (c == NULL || (i > k->depth && strcmp(c, ".") == 0))
      break;
    m = strlen(c);
    if (n > 0 && n + 1 < cap)
      buf[n++] = '/';
    if (n + m >= cap)
      m = cap - n - 1;
    memcpy(buf + n, c, m);
    n += m;
  }
  buf[n] = '\0';
  return n;
}

/* The link `name` of the current directory and its target, for why. */
static void note_link(walk_t *k, const char *name, const char *target,
                      size_t n) {
  if (k->why == NULL)
    return;
  join_names(k, name, k->why->link, sizeof k->why->link);
  if (n >= sizeof k->why->target)
    n = sizeof k->why->target - 1;
  memcpy(k->why->target, target, n);
  k->why->target[n] = '\0';
}

/*
 * Replaces the component just consumed (the symlink `name` in the current
 * directory) by its target: the rest of the path becomes target + rest.
 * `not_link` is returned when `name` turns out not to be a symlink.
 */
static wt_errno_t expand(walk_t *k, const char *name, wt_errno_t not_link) {
  char target[PATH_MAX];
  size_t rest = k->len - k->pos;
  ssize_t n;
  char *p;
  n = readlinkat(cur_fd(k), name, target, sizeof target);
  if (n < 0)
    return errno == EINVAL ? not_link : WT__ERR();
  /* Counting expansions also ends cycles (a -> b -> a, a -> a). */
  if (++k->links > LINKS_MAX)
    return refuse(k, WT_SANDBOX_LOOP, WT_ELOOP);
  if (n == 0)
    return WT_ENOENT;
  if ((size_t)n >= sizeof target)
    return WT_ENAMETOOLONG;
  note_link(k, name, target, (size_t)n);
  /* Never followed: an absolute target names the host's root. */
  if (target[0] == '/')
    return refuse(k, WT_SANDBOX_SYMLINK_ABSOLUTE, WT_ENOTCAPABLE);
  p = wt__malloc(k->w, (size_t)n + rest + 1);
  if (p == NULL)
    return WT_ENOMEM;
  memcpy(p, target, (size_t)n);
  memcpy(p + n, k->path + k->pos, rest);
  wt__free(k->w, k->own_path);
  k->own_path = p;
  k->path = p;
  k->pos = 0;
  k->len = (size_t)n + rest;
  k->link_end = (size_t)n;
  return WT_ESUCCESS;
}

/* An intermediate component: descend into it, or expand it if a link. */
static wt_errno_t descend(walk_t *k, const char *name) {
  wt_errno_t e;
  int fd = openat(cur_fd(k), name, DIR_FLAGS);
  if (fd >= 0) {
    e = push(k, name, fd);
    if (e != WT_ESUCCESS)
      close(fd);
    return e;
  }
  /* O_NOFOLLOW | O_DIRECTORY on a symlink fails with ENOTDIR (or ELOOP). */
  if (errno == ENOTDIR || errno == ELOOP)
    return expand(k, name, WT_ENOTDIR);
  return WT__ERR();
}

/*
 * The last component, to be followed if a symlink (`follow`, or a trailing
 * slash). Sets *done when `name` is the final name: not a link, or absent.
 */
static wt_errno_t last(walk_t *k, const char *name, bool slash, bool *done,
                       wt__path_t *out) {
  struct stat *st = &out->st;
  if (fstatat(cur_fd(k), name, st, AT_SYMLINK_NOFOLLOW) != 0) {
    *done = errno == ENOENT;
    return *done ? WT_ESUCCESS : WT__ERR();
  }
  if (S_ISLNK(st->st_mode)) {
    *done = false;
    return expand(k, name, WT_EINVAL);
  }
  *done = true;
  out->have_st = true;
  /* A trailing slash asks for a directory. */
  return slash && !S_ISDIR(st->st_mode) ? WT_ENOTDIR : WT_ESUCCESS;
}

static bool is_dots(const char *name, size_t n) {
  return name[0] == '.' && (n == 1 || (n == 2 && name[1] == '.'));
}

/* WT__RESOLVE_NAMES: out->rel from the levels walked and out->name. */
static wt_errno_t rel_names(walk_t *k, unsigned flags, wt__path_t *out) {
  size_t cap = k->names_len + strlen(out->name) + 2;
  if (!(flags & WT__RESOLVE_NAMES))
    return WT_ESUCCESS;
  if ((out->rel = wt__malloc(k->w, cap)) == NULL)
    return WT_ENOMEM;
  out->rel_len = (uint32_t)join_names(k, out->name, out->rel, cap);
  return WT_ESUCCESS;
}

/* Resolves k->path; on success out->name is set and lv[depth] holds its
 * directory. */
static wt_errno_t walk(walk_t *k, unsigned flags, wt__path_t *out) {
  char name[NAME_MAX + 1];
  for (;;) {
    size_t start, end, next;
    bool is_last, slash, done = false;
    wt_errno_t e = WT_ESUCCESS;
    while (k->pos < k->len && k->path[k->pos] == '/')
      k->pos++;
    if (k->pos == k->len) {
      /* The path ended on the current directory itself ("a/..", "."). */
      memcpy(out->name, ".", 2);
      return rel_names(k, flags, out);
    }
    start = end = k->pos;
    while (end < k->len && k->path[end] != '/')
      end++;
    for (next = end; next < k->len && k->path[next] == '/';)
      next++;
    is_last = next == k->len;
    slash = is_last && end < k->len;
    if (end - start > NAME_MAX)
      return WT_ENAMETOOLONG;
    memcpy(name, k->path + start, end - start);
    name[end - start] = '\0';
    k->pos = end;
    if (is_dots(name, end - start)) {
      if (end - start == 2 && (e = pop(k, start)) != WT_ESUCCESS)
        return e;
      continue;
    }
    if (!is_last)
      e = descend(k, name);
    else if (slash || (flags & WT__RESOLVE_FOLLOW))
      e = last(k, name, slash, &done, out);
    else
      done = true; /* a final symlink is the operation's own business */
    if (e != WT_ESUCCESS)
      return e;
    if (done) {
      memcpy(out->name, name, end - start + 1);
      out->dir_required = slash;
      return rel_names(k, flags, out);
    }
  }
}

/* Checks a guest path before resolution; why (or NULL) hears a refusal. */
static wt_errno_t check(const char *path, uint32_t len, wt__why_t *why) {
  int reason = -1;
  wt_errno_t e = WT_ESUCCESS;
  if (len == 0)
    return WT_ENOENT;
  if (memchr(path, '\0', len) != NULL)
    reason = WT_SANDBOX_NUL, e = WT_EINVAL;
  else if (len >= PATH_MAX)
    e = WT_ENAMETOOLONG;
  else if (path[0] == '/')
    reason = WT_SANDBOX_ABSOLUTE, e = WT_ENOTCAPABLE;
  if (why != NULL)
    why->reason = reason;
  return e;
}

wt_errno_t wt__path_check(const char *path, uint32_t len) {
  return check(path, len, NULL);
}

wt_errno_t wt__path_resolve(wt_t *w, int root, const char *path, uint32_t len,
                            unsigned flags, wt__path_t *out, wt__why_t *why) {
  walk_t k;
  wt_errno_t e;
  out->dirfd = -1;
  out->own = false;
  out->dir_required = false;
  out->name[0] = '\0';
  out->rel = NULL;
  out->rel_len = 0;
  out->gpath = NULL;
  out->gpath_len = 0;
  out->have_st = false;
  if ((e = check(path, len, why)) != WT_ESUCCESS)
    return e;
  /*
   * One plain name not to be followed ("file.txt"): the walk's answer is
   * the root and the name itself, with nothing to open or stat. Most
   * guests name files this way relative to a preopen.
   */
  if (!(flags & (WT__RESOLVE_FOLLOW | WT__RESOLVE_NAMES)) && len <= NAME_MAX &&
      !is_dots(path, len) && memchr(path, '/', len) == NULL) {
    memcpy(out->name, path, len);
    out->name[len] = '\0';
    out->dirfd = root;
    return WT_ESUCCESS;
  }
  /* The stack buffers at the end need no clearing (~450 bytes). */
  memset(&k, 0, offsetof(walk_t, lv_stack));
  k.w = w;
  k.why = why;
  k.lo = 1;
  k.path = path;
  k.len = len;
  k.cap = sizeof k.lv_stack / sizeof *k.lv_stack;
  k.lv = k.lv_stack;
  k.names = k.names_stack;
  k.names_cap = sizeof k.names_stack;
  k.lv[0].fd = root;
  k.lv[0].off = 0;
  e = walk(&k, flags, out);
  if (e != WT_ESUCCESS) {
    wt__free(w, out->rel);
    out->rel = NULL;
  } else {
    /* The current directory's fd passes to the caller. */
    out->dirfd = cur_fd(&k);
    out->own = k.depth > 0;
    k.lv[k.depth].fd = -1;
  }
  for (uint32_t i = k.lo; i <= k.depth; i++)
    if (k.lv[i].fd >= 0)
      close(k.lv[i].fd);
  if (k.lv != k.lv_stack)
    wt__free(w, k.lv);
  if (k.names != k.names_stack)
    wt__free(w, k.names);
  wt__free(w, k.own_path);
  return e;
}

void wt__path_done(wt_t *w, wt__path_t *p) {
  wt__free(w, p->rel);
  wt__free(w, p->gpath);
  p->rel = p->gpath = NULL;
  if (p->own && p->dirfd >= 0)
    close(p->dirfd);
  p->dirfd = -1;
  p->own = false;
}
