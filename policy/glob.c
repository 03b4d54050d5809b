/*
 * Globs over guest paths, compiled once. A glob is an absolute path whose
 * components may hold *, ? and [...] (within one component, '\' escaping)
 * or be "**", which matches any number of components (zero included, so
 * "/a" followed by "**" is /a and everything below it). The leading literal components
 * index the rule in a trie (policy.c), so an open tests only the rules
 * whose literal prefix the path has, never every rule.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int wt__perr(char *err, size_t size, const char *fmt, ...) {
  va_list ap;
  if (err != NULL && size > 0) {
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
  }
  return -1;
}

/* Checks one component's pattern; NULL when fine, else what is wrong. */
static const char *check_seg(const char *s, size_t n, bool *lit) {
  *lit = true;
  for (size_t i = 0; i < n; i++) {
    switch (s[i]) {
    case '\\':
      if (++i == n)
        return "a trailing '\\' escapes nothing";
      break;
    case '*':
      if (i + 1 < n && s[i + 1] == '*')
        return "'**' must be a whole path component";
      *lit = false;
      break;
    case '?':
      *lit = false;
      break;
    case '[': {
      size_t j = i + 1;
      if (j < n && (s[j] == '!' || s[j] == '^'))
        j++;
      if (j < n && s[j] == ']')
        j++;
      while (j < n && s[j] != ']')
        j++;
      if (j >= n)
        return "'[' without its ']'";
      *lit = false;
      i = j;
      break;
    }
    default:
      break;
    }
  }
  return NULL;
}

/* A literal component with its escapes removed. */
static uint32_t unescape(char *s, uint32_t n) {
  uint32_t o = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (s[i] == '\\')
      i++;
    s[o++] = s[i];
  }
  s[o] = '\0';
  return o;
}

/* The length of the literal text after a pattern's last '*', when that
 * part holds no other wildcard and no escape; else 0. */
static uint32_t literal_tail(const char *s, uint32_t n) {
  uint32_t i = n;
  while (i > 0 && s[i - 1] != '*') {
    if (s[i - 1] == '?' || s[i - 1] == '[' || s[i - 1] == ']' ||
        s[i - 1] == '\\')
      return 0;
    i--;
  }
  return i > 0 ? n - i : 0;
}

void wt__glob_free(wt__glob_t *g) {
  for (uint32_t i = 0; i < g->nsegs; i++)
    free(g->segs[i].text);
  free(g->segs);
  memset(g, 0, sizeof *g);
}

int wt__glob_compile(const char *glob, wt__glob_t *out, char *err,
                     size_t err_size) {
  const char *p = glob;
  bool in_lit = true;
  memset(out, 0, sizeof *out);
  if (glob[0] != '/')
    return wt__perr(err, err_size, "a path glob is absolute (starts with '/')");
  out->segs = calloc(strlen(glob) / 2 + 2, sizeof *out->segs);
  if (out->segs == NULL)
    return wt__perr(err, err_size, "out of memory");
  while (*p != '\0') {
    const char *c = ++p, *why;
    size_t n;
    wt__seg_t *s = &out->segs[out->nsegs];
    while (*p != '\0' && *p != '/')
      p++;
    n = (size_t)(p - c);
    if (n == 0 && *p == '\0' && out->nsegs > 0)
      break; /* a trailing slash */
    if (n == 0 && *p == '\0')
      break; /* "/" itself */
    if (n == 0)
      return wt__glob_free(out), wt__perr(err, err_size, "an empty component");
    if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
      return wt__glob_free(out),
             wt__perr(err, err_size, "'.' and '..' components never match "
                                     "(paths are judged resolved)");
    s->any = n == 2 && c[0] == '*' && c[1] == '*';
    if (!s->any && (why = check_seg(c, n, &s->lit)) != NULL)
      return wt__glob_free(out), wt__perr(err, err_size, "%s", why);
    if ((s->text = malloc(n + 1)) == NULL)
      return wt__glob_free(out), wt__perr(err, err_size, "out of memory");
    memcpy(s->text, c, n);
    s->text[n] = '\0';
    s->len = s->lit && !s->any ? unescape(s->text, (uint32_t)n) : (uint32_t)n;
    if (!s->lit && !s->any)
      s->tail = literal_tail(s->text, s->len);
    in_lit = in_lit && s->lit && !s->any;
    if (in_lit)
      out->nlit++;
    out->nsegs++;
  }
  return 0;
}

/* The end of the one-character token at pat[i], and whether it matches c. */
static size_t token(const char *pat, size_t i, size_t n, char c, bool *ok) {
  if (pat[i] == '\\' && i + 1 < n) {
    *ok = pat[i + 1] == c;
    return i + 2;
  }
  if (pat[i] == '?') {
    *ok = true;
    return i + 1;
  }
  if (pat[i] == '[') {
    size_t j = i + 1;
    bool neg = false, hit = false;
    if (j < n && (pat[j] == '!' || pat[j] == '^'))
      neg = true, j++;
    do {
      unsigned char lo = (unsigned char)pat[j], hi = lo;
      if (j + 2 < n && pat[j + 1] == '-' && pat[j + 2] != ']')
        hi = (unsigned char)pat[j + 2], j += 2;
      if ((unsigned char)c >= lo && (unsigned char)c <= hi)
        hit = true;
      j++;
    } while (j < n && pat[j] != ']');
    *ok = hit != neg;
    return j + 1;
  }
  *ok = pat[i] == c;
  return i + 1;
}

/* One component against one pattern: '*' with one backtracking point. */
static bool seg_match(const wt__seg_t *sg, const char *s, size_t sn) {
  const char *pat = sg->text;
  size_t pn = sg->len, pi = 0, si = 0, star = SIZE_MAX, mark = 0;
  if (sg->lit)
    return pn == sn && memcmp(pat, s, sn) == 0;
  if (sg->tail > 0 &&
      (sn < sg->tail || memcmp(pat + pn - sg->tail, s + sn - sg->tail,
                               sg->tail) != 0))
    return false;
  while (si < sn) {
    bool ok = false;
    size_t next;
    if (pi < pn && pat[pi] == '*') {
      star = pi++;
      mark = si;
      continue;
    }
    if (pi < pn && (next = token(pat, pi, pn, s[si], &ok), ok)) {
      pi = next;
      si++;
      continue;
    }
    if (star == SIZE_MAX)
      return false;
    pi = star + 1;
    si = ++mark;
  }
  while (pi < pn && pat[pi] == '*')
    pi++;
  return pi == pn;
}

/*
 * Components against segments, "**" matching any run of components. Each
 * other segment matches exactly one component, so the classic algorithm
 * with a single backtracking point (the last "**") is exact and linear
 * in practice.
 */
bool wt__glob_match(const wt__seg_t *s, uint32_t ns, const wt__comp_t *c,
                    uint32_t n) {
  uint32_t si = 0, ci = 0, star = UINT32_MAX, mark = 0;
  while (ci < n) {
    if (si < ns && s[si].any) {
      star = si++;
      mark = ci;
      continue;
    }
    if (si < ns && seg_match(&s[si], c[ci].p, c[ci].len)) {
      si++;
      ci++;
      continue;
    }
    if (star == UINT32_MAX)
      return false;
    si = star + 1;
    ci = ++mark;
  }
  while (si < ns && s[si].any)
    si++;
  return si == ns;
}

int wt__path_split(const char *path, wt__comp_t *c, uint32_t cap) {
  uint32_t n = 0;
  const char *p = path;
  while (*p != '\0') {
    const char *s;
    while (*p == '/')
      p++;
    if (*p == '\0')
      break;
    s = p;
    while (*p != '\0' && *p != '/')
      p++;
    if (n == cap)
      return -1;
    c[n].p = s;
    c[n].len = (uint32_t)(p - s);
    n++;
  }
  return (int)n;
}
