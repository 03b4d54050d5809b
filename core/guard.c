/*
 * The guard (core.h): a policy's look at every resolved path before the
 * host acts on it, and at every path the sandbox refused. With no guard
 * set, wt__resolve is the plain resolver and wt__judge one branch.
 */
#include <string.h>

#include "internal.h"

static const char *const op_names[WT_PATH_OP_COUNT] = {
#define XX(name, s) s,
    WT_PATH_OP_MAP(XX)
#undef XX
};

const char *wt_path_op_name(unsigned bit) {
  return bit < WT_PATH_OP_COUNT ? op_names[bit] : NULL;
}

static const char *const reason_names[WT_SANDBOX_COUNT] = {
    "dotdot", "absolute", "symlink_absolute", "symlink_escape", "loop", "nul"};
static const char *const reason_desc[WT_SANDBOX_COUNT] = {
#define XX(name, d) d,
    WT_SANDBOX_MAP(XX)
#undef XX
};

const char *wt_sandbox_reason_name(unsigned reason) {
  return reason < WT_SANDBOX_COUNT ? reason_names[reason] : "unknown";
}

const char *wt_sandbox_reason_description(unsigned reason) {
  return reason < WT_SANDBOX_COUNT ? reason_desc[reason] : "unknown";
}

bool wt_has_guard(const wt_t *w) {
  return w->guard.path != NULL || w->guard.sandbox != NULL;
}

void wt_get_guard(const wt_t *w, wt_guard_t *out) {
  *out = w->guard;
}

void wt_set_guard(wt_t *w, const wt_guard_t *g) {
  if (g == NULL)
    memset(&w->guard, 0, sizeof w->guard);
  else
    w->guard = *g;
}

/* "/" for ".", "" and "/", "/name" for a relative name, trailing slashes
 * dropped: the guest-visible absolute path of a preopen. */
char *wt__guest_root(const wt_t *w, const char *name, uint32_t *len) {
  size_t n = strlen(name);
  char *s;
  while (n > 1 && name[n - 1] == '/')
    n--;
  if (n == 0 || (n == 1 && (name[0] == '.' || name[0] == '/')))
    return *len = 1, wt__strndup(w, "/", 1);
  if (n >= 2 && name[0] == '.' && name[1] == '/')
    name++, n--;
  if ((s = wt__malloc(w, n + 2)) == NULL)
    return NULL;
  s[0] = '/';
  memcpy(s + (name[0] != '/'), name, n);
  *len = (uint32_t)n + (name[0] != '/');
  s[*len] = '\0';
  return s;
}

/* dir + "/" + rel (no slash after "/", nothing added for an empty rel). */
static char *join(const wt_t *w, const char *dir, size_t dir_len,
                  const char *rel, size_t rel_len, uint32_t *len) {
  bool slash = rel_len > 0 && !(dir_len > 0 && dir[dir_len - 1] == '/');
  size_t n = dir_len + slash + rel_len;
  char *s = wt__malloc(w, n + 1);
  if (s == NULL)
    return NULL;
  memcpy(s, dir, dir_len);
  if (slash)
    s[dir_len] = '/';
  memcpy(s + dir_len + slash, rel, rel_len);
  s[n] = '\0';
  *len = (uint32_t)n;
  return s;
}

/* The directory's guest path; "?" for one opened before the guard. */
static const char *dir_gpath(const wt__fd_t *dir, uint32_t *len,
                             uint32_t *root) {
  if (dir->desc->gpath == NULL) {
    *len = *root = 1;
    return "?";
  }
  *len = dir->desc->gpath_len;
  *root = dir->desc->groot_len;
  return dir->desc->gpath;
}

/* Tells guard.sandbox about a refusal; kept out of line (a big frame). */
static __attribute__((noinline)) wt_errno_t
resolve_why(wt_t *w, uint16_t call, wt_fd_t fd, const wt__fd_t *dir,
            const char *path, uint32_t len, unsigned flags, wt__path_t *out) {
  wt__why_t why;
  uint32_t dlen, root;
  const char *d = dir_gpath(dir, &dlen, &root);
  char *link = NULL;
  uint32_t link_len;
  wt_errno_t e;
  why.reason = -1;
  e = wt__path_resolve(w, dir->desc->host_fd, path, len, flags, out, &why);
  if (e == WT_ESUCCESS || why.reason < 0)
    return e;
  if (why.reason == WT_SANDBOX_SYMLINK_ABSOLUTE ||
      why.reason == WT_SANDBOX_SYMLINK_ESCAPE || why.reason == WT_SANDBOX_LOOP)
    link = join(w, d, dlen, why.link, strlen(why.link), &link_len);
  {
    wt_sandbox_event_t ev = {call,
                             (uint8_t)why.reason,
                             e,
                             fd,
                             path,
                             len,
                             d,
                             link,
                             link != NULL ? why.target : NULL};
    (void)root;
    w->guard.sandbox(w->guard.ud, &ev);
  }
  wt__free(w, link);
  return e;
}

wt_errno_t wt__resolve(wt_t *w, uint16_t call, wt_fd_t fd,
                       const wt__fd_t *dir, const char *path, uint32_t len,
                       unsigned flags, wt__path_t *out) {
  if (w->guard.path != NULL)
    flags |= WT__RESOLVE_NAMES;
  if (w->guard.sandbox != NULL)
    return resolve_why(w, call, fd, dir, path, len, flags, out);
  return wt__path_resolve(w, dir->desc->host_fd, path, len, flags, out, NULL);
}

wt_errno_t wt__judge(wt_t *w, uint16_t call, wt_fd_t fd, const wt__fd_t *dir,
                     const char *path, uint32_t len, wt__path_t *p,
                     unsigned ops, bool tentative) {
  uint32_t dlen, root;
  const char *d;
  if (w->guard.path == NULL)
    return WT_ESUCCESS;
  d = dir_gpath(dir, &dlen, &root);
  if (p->gpath == NULL) {
    p->gpath = join(w, d, dlen, p->rel != NULL ? p->rel : "", p->rel_len,
                    &p->gpath_len);
    if (p->gpath == NULL)
      return WT_ENOMEM;
  }
  {
    wt_path_event_t ev = {call,     (uint16_t)ops, fd,   path,     len,
                          p->gpath, p->gpath_len,  root, tentative};
    return w->guard.path(w->guard.ud, &ev);
  }
}

void wt__desc_take_gpath(wt__desc_t *d, const wt__fd_t *dir, wt__path_t *p) {
  if (p->gpath == NULL || dir->desc->gpath == NULL)
    return;
  d->gpath = p->gpath;
  d->gpath_len = p->gpath_len;
  d->groot_len = dir->desc->groot_len;
  p->gpath = NULL;
}
