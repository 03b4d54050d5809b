/*
 * The audit scan's model of the sandbox (audit_scan.h): what the trace
 * shows to exist or not, and the symlinks the guest made, so that a path
 * call is judged on the path the core's resolver would have reached
 * (links expanded, '..' taken after them) and a failed call is known to
 * have stopped in the walk (before the guard) or at its final name.
 *
 * The model knows only what the trace shows. A directory the guest
 * created starts empty, so everything below it is known; elsewhere a name
 * the trace never touched is unknown, and links that existed before the
 * run are not expanded (docs/policy.md: audit's blind spot).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_scan.h"

#define LINKS_MAX 40 /* the core's resolver's bound too */

static wt_audit_node_t *find(const wt_audit_t *a, const char *path) {
  for (uint32_t i = 0; i < a->nnodes; i++)
    if (strcmp(a->nodes[i].path, path) == 0)
      return &a->nodes[i];
  return NULL;
}

static wt_audit_node_t *node(wt_audit_t *a, const char *path) {
  wt_audit_node_t *n = find(a, path);
  if (n != NULL)
    return n;
  if (a->nnodes == a->ncap) {
    uint32_t cap = a->ncap ? a->ncap * 2 : 32;
    wt_audit_node_t *g = realloc(a->nodes, cap * sizeof *g);
    if (g == NULL)
      return NULL;
    a->nodes = g;
    a->ncap = cap;
  }
  n = &a->nodes[a->nnodes];
  memset(n, 0, sizeof *n);
  if ((n->path = strdup(path)) == NULL)
    return NULL;
  a->nnodes++;
  return n;
}

/* Whether `path` is `dir` or below it. */
static bool below(const char *path, const char *dir) {
  size_t n = strlen(dir);
  return strncmp(path, dir, n) == 0 &&
         (path[n] == 0 || path[n] == '/' || (n == 1 && dir[0] == '/'));
}

int wt_audit_fs_state(const wt_audit_t *a, const char *path) {
  const wt_audit_node_t *n = find(a, path);
  size_t len;
  char *up;
  int st = WT_AUDIT_UNKNOWN;
  if (n != NULL)
    return n->state == WT_AUDIT_NEW_DIR ? WT_AUDIT_EXISTS : n->state;
  /* The nearest ancestor the model knows decides. */
  if ((up = strdup(path)) == NULL)
    return WT_AUDIT_UNKNOWN;
  for (len = strlen(up); len > 1;) {
    char *slash = strrchr(up, '/');
    if (slash == NULL)
      break;
    *(slash == up ? slash + 1 : slash) = 0;
    len = strlen(up);
    if ((n = find(a, up)) != NULL) {
      if (n->state == WT_AUDIT_NEW_DIR || n->state == WT_AUDIT_ABSENT)
        st = WT_AUDIT_ABSENT;
      break;
    }
  }
  free(up);
  return st;
}

int wt_audit_fs_set(wt_audit_t *a, const char *path, int state,
                    const char *link) {
  wt_audit_node_t *n = node(a, path);
  if (n == NULL)
    return -1;
  /* A directory made here keeps what is known below it (children made
   * since); anything else replaces the name, links included. */
  if (!(state == WT_AUDIT_EXISTS && n->state == WT_AUDIT_NEW_DIR))
    n->state = (uint8_t)state;
  if (state == WT_AUDIT_EXISTS && link == NULL)
    return 0; /* seen again: still what it was (a link stays one) */
  free(n->link);
  n->link = NULL;
  if (link != NULL && (n->link = strdup(link)) == NULL)
    return -1;
  if (state == WT_AUDIT_ABSENT) /* removed: nothing below it either */
    for (uint32_t i = 0; i < a->nnodes; i++)
      if (&a->nodes[i] != n && below(a->nodes[i].path, path))
        a->nodes[i].state = WT_AUDIT_ABSENT;
  return 0;
}

int wt_audit_fs_rename(wt_audit_t *a, const char *from, const char *to) {
  size_t fl = strlen(from);
  /* The target and what was below it go; the source's subtree moves. */
  for (uint32_t i = 0; i < a->nnodes; i++)
    if (below(a->nodes[i].path, to))
      a->nodes[i].state = WT_AUDIT_ABSENT;
  for (uint32_t i = 0, n = a->nnodes; i < n; i++) {
    wt_audit_node_t *x = &a->nodes[i];
    char *np;
    size_t len;
    if (!below(x->path, from) || x->state == WT_AUDIT_ABSENT)
      continue;
    len = strlen(to) + strlen(x->path + fl) + 1;
    if ((np = malloc(len)) == NULL)
      return -1;
    snprintf(np, len, "%s%s", to, x->path + fl);
    {
      int st = x->state;
      char *link = x->link != NULL ? strdup(x->link) : NULL;
      x->state = WT_AUDIT_ABSENT;
      if (wt_audit_fs_set(a, np, st, link) < 0) {
        free(np);
        free(link);
        return -1;
      }
      free(link);
    }
    free(np);
  }
  return wt_audit_fs_set(a, from, WT_AUDIT_ABSENT, NULL);
}

/* Appends component c (len bytes) to the canonical path in buf. */
static void push(char *buf, size_t size, const char *c, size_t len) {
  size_t n = strlen(buf);
  if (n + len + 2 > size)
    return;
  if (n == 0 || buf[n - 1] != '/')
    buf[n++] = '/';
  memcpy(buf + n, c, len);
  buf[n + len] = 0;
}

/* Drops the last component, never above the first `root` bytes. */
static void pop(char *buf, size_t root) {
  char *s = strrchr(buf, '/');
  if (s == NULL || strlen(buf) <= root)
    return;
  if (s == buf)
    buf[1] = 0;
  else
    *s = 0;
}

/*
 * The path the resolver reaches from guest directory `dir` through `rel`:
 * components taken one at a time, '..' after the links before it, links
 * the guest made expanded (the final one only with follow). `root` is the
 * preopen's guest path: '..' never climbs above it (the sandbox refused
 * those). Caller frees.
 */
char *wt_audit_fs_resolve(const wt_audit_t *a, const char *root,
                          const char *dir, const char *rel, bool follow) {
  size_t size = strlen(dir) + strlen(rel) + 4096, rl = strlen(root);
  char *out = malloc(size), *work = malloc(size), *tmp = malloc(size);
  unsigned links = 0;
  if (out == NULL || work == NULL || tmp == NULL)
    goto fail;
  snprintf(out, size, "%s", dir);
  snprintf(work, size, "%s", rel);
  for (const char *p = work; *p;) {
    const char *q = strchr(p, '/');
    size_t len = q ? (size_t)(q - p) : strlen(p);
    bool last = q == NULL || q[strspn(q, "/")] == 0;
    const wt_audit_node_t *n;
    if (len == 0 || (len == 1 && p[0] == '.')) {
      /* nothing */
    } else if (len == 2 && p[0] == '.' && p[1] == '.') {
      pop(out, rl);
    } else {
      push(out, size, p, len);
      n = find(a, out);
      if (n != NULL && n->link != NULL && n->state != WT_AUDIT_ABSENT &&
          (!last || follow) && n->link[0] != '/' && links++ < LINKS_MAX) {
        /* The rest of the path after the link's target, from its dir. */
        snprintf(tmp, size, "%s%s%s", n->link, q ? "/" : "", q ? q + 1 : "");
        pop(out, rl);
        snprintf(work, size, "%s", tmp);
        p = work;
        continue;
      }
    }
    p += len + (q != NULL);
  }
  free(work);
  free(tmp);
  return out;
fail:
  free(out);
  free(work);
  free(tmp);
  return NULL;
}

void wt_audit_fs_free(wt_audit_t *a) {
  for (uint32_t i = 0; i < a->nnodes; i++) {
    free(a->nodes[i].path);
    free(a->nodes[i].link);
  }
  free(a->nodes);
  a->nodes = NULL;
  a->nnodes = a->ncap = 0;
}
