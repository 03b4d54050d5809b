/*
 * The rule set: building it (from C or the loader), checking it whole,
 * compiling the path rules into a trie of literal prefixes, and the
 * decisions the layer and the offline audit share.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Components a judged path may have (PATH_MAX / 2). */
#define COMPS_MAX 2048

static const char *const families[] = {
#define WT_CALL(name, set, fam, ret, ...) #fam,
#include "wt/calls.def"
#undef WT_CALL
};

static const char *const limit_names[WT_POLICY_LIMIT_COUNT] = {
#define XX(name, key, err) key,
    WT_POLICY_LIMIT_MAP(XX)
#undef XX
};
static const wt_errno_t limit_errs[WT_POLICY_LIMIT_COUNT] = {
#define XX(name, key, err) err,
    WT_POLICY_LIMIT_MAP(XX)
#undef XX
};

static const char *const source_names[WT_DENY_SOURCE_COUNT] = {
#define XX(name, s) s,
    WT_DENY_SOURCE_MAP(XX)
#undef XX
};

const char *wt_deny_source_name(unsigned s) {
  return s < WT_DENY_SOURCE_COUNT ? source_names[s] : "unknown";
}

const char *wt_policy_limit_name(unsigned which) {
  return which < WT_POLICY_LIMIT_COUNT ? limit_names[which] : "unknown";
}

bool wt__calls_named(const char *name, bool out[WT_CALL_COUNT]) {
  bool any = false;
  int id = wt_call_lookup(name, strlen(name));
  memset(out, 0, WT_CALL_COUNT * sizeof *out);
  if (id >= 0)
    return out[id] = true;
  for (unsigned i = 0; i < WT_CALL_COUNT; i++)
    if (strcmp(families[i], name) == 0)
      out[i] = any = true;
  return any;
}

unsigned wt__op_by_name(const char *name) {
  for (unsigned b = 0; b < WT_PATH_OP_COUNT; b++)
    if (strcmp(wt_path_op_name(b), name) == 0)
      return 1u << b;
  return 0;
}

void wt__ops_text(unsigned ops, char *buf, size_t size) {
  size_t n = 0;
  buf[0] = '\0';
  if ((ops & WT_POLICY_ALL_OPS) == WT_POLICY_ALL_OPS) {
    snprintf(buf, size, "all");
    return;
  }
  for (unsigned b = 0; b < WT_PATH_OP_COUNT && n < size; b++)
    if (ops & (1u << b))
      n += (size_t)snprintf(buf + n, size - n, "%s%s", n > 0 ? ", " : "",
                            wt_path_op_name(b));
}

int wt_policy_new(wt_policy_t **out) {
  wt_policy_t *p = calloc(1, sizeof *p);
  if (p == NULL)
    return -1;
  for (unsigned i = 0; i < WT_POLICY_LIMIT_COUNT; i++)
    p->limits[i] = UINT64_MAX;
  for (unsigned i = 0; i < WT_CALL_COUNT; i++)
    p->deny[i].rule = -1;
  *out = p;
  return 0;
}

static void node_free(wt__node_t *n) {
  if (n == NULL)
    return;
  for (uint32_t i = 0; i < n->nkids; i++)
    node_free(n->kids[i]);
  free(n->kids);
  free(n->rules);
  free(n->name);
  free(n);
}

void wt_policy_free(wt_policy_t *p) {
  if (p == NULL)
    return;
  for (uint32_t i = 0; i < p->nrules; i++) {
    free(p->rules[i].text);
    free(p->rules[i].glob);
    wt__glob_free(&p->rules[i].g);
  }
  free(p->rules);
  node_free(p->root);
  for (unsigned i = 0; i < WT_CALL_COUNT; i++)
    free(p->deny[i].text);
  free(p->allow_text);
  for (uint32_t i = 0; i < p->nenv; i++)
    free(p->env[i]);
  free(p->env);
  for (uint32_t i = 0; i < p->npreopens; i++)
    free(p->preopens[i].guest);
  free(p->preopens);
  free(p);
}

int wt_policy_add_path_rule(wt_policy_t *p, bool deny, const char *glob,
                            unsigned ops, int mode, const char *text,
                            char *err, size_t err_size) {
  wt__rule_t *r;
  char why[256];
  if (p->finished)
    return wt__perr(err, err_size, "the policy is already finished");
  if (ops == 0 || (ops & ~WT_POLICY_ALL_OPS))
    return wt__perr(err, err_size, "%s: no operation", text);
  if (p->nrules == p->rcap) {
    uint32_t cap = p->rcap ? p->rcap * 2 : 16;
    wt__rule_t *g = realloc(p->rules, cap * sizeof *g);
    if (g == NULL)
      return wt__perr(err, err_size, "out of memory");
    p->rules = g;
    p->rcap = cap;
  }
  r = &p->rules[p->nrules];
  memset(r, 0, sizeof *r);
  if (wt__glob_compile(glob, &r->g, why, sizeof why) < 0)
    return wt__perr(err, err_size, "%s: bad glob \"%s\": %s", text, glob, why);
  r->deny = deny;
  r->ops = (uint16_t)ops;
  r->mode = (int8_t)mode;
  r->text = strdup(text);
  r->glob = strdup(glob);
  if (r->text == NULL || r->glob == NULL) {
    free(r->text);
    free(r->glob);
    wt__glob_free(&r->g);
    return wt__perr(err, err_size, "out of memory");
  }
  p->nrules++;
  return 0;
}

int wt_policy_deny_call(wt_policy_t *p, const char *name, const char *text,
                        char *err, size_t err_size) {
  bool which[WT_CALL_COUNT];
  if (!wt__calls_named(name, which))
    return wt__perr(err, err_size,
                    "%s: \"%s\" is neither a call nor a family of calls.def",
                    text, name);
  for (unsigned i = 0; i < WT_CALL_COUNT; i++) {
    if (!which[i] || p->deny[i].rule >= 0)
      continue;
    free(p->deny[i].text);
    if ((p->deny[i].text = strdup(text)) == NULL)
      return wt__perr(err, err_size, "out of memory");
    p->deny[i].rule = (int32_t)p->ncall_rules;
    p->deny[i].mode = -1;
  }
  p->ncall_rules++;
  return 0;
}

int wt_policy_set_preopen(wt_policy_t *p, const char *guest, int mode,
                          char *err, size_t err_size) {
  static const char *const names[] = {"none", "read-only", "read-write"};
  char text[600], glob[520];
  wt__preopen_t *g;
  size_t n = strlen(guest);
  int rc = 0;
  while (n > 1 && guest[n - 1] == '/')
    n--;
  if (guest[0] != '/' || n > 500)
    return wt__perr(err, err_size,
                    "preopens: \"%s\" is not an absolute guest path", guest);
  g = realloc(p->preopens, (p->npreopens + 1) * sizeof *g);
  if (g == NULL)
    return wt__perr(err, err_size, "out of memory");
  p->preopens = g;
  g[p->npreopens].guest = strndup(guest, n);
  g[p->npreopens].mode = mode;
  if (g[p->npreopens].guest == NULL)
    return wt__perr(err, err_size, "out of memory");
  p->npreopens++;
  snprintf(glob, sizeof glob, "%.*s/**", n == 1 ? 0 : (int)n, guest);
  snprintf(text, sizeof text, "preopens.%.*s: %s", (int)n, guest,
           names[mode]);
  /* A preopen's mode is a grant and a cap: read-only grants reading and
   * denies the rest, none denies everything. */
  if (mode == WT_POLICY_PREOPEN_READ_WRITE)
    rc = wt_policy_add_path_rule(p, false, glob, WT_POLICY_ALL_OPS, -1, text,
                                 err, err_size);
  else if (mode == WT_POLICY_PREOPEN_READ_ONLY)
    rc = wt_policy_add_path_rule(p, false, glob, WT_POLICY_READ_OPS, -1, text,
                                 err, err_size) < 0 ||
                 wt_policy_add_path_rule(
                     p, true, glob, WT_POLICY_ALL_OPS & ~WT_POLICY_READ_OPS, -1,
                     text, err, err_size) < 0
             ? -1
             : 0;
  else
    rc = wt_policy_add_path_rule(p, true, glob, WT_POLICY_ALL_OPS, -1, text,
                                 err, err_size);
  return rc;
}

void wt_policy_set_mode(wt_policy_t *p, int mode) {
  p->mode = mode;
}

void wt_policy_set_limit(wt_policy_t *p, wt_policy_limit_t which,
                         uint64_t value) {
  if ((unsigned)which < WT_POLICY_LIMIT_COUNT)
    p->limits[which] = value;
}

uint64_t wt_policy_limit(const wt_policy_t *p, wt_policy_limit_t which) {
  return (unsigned)which < WT_POLICY_LIMIT_COUNT ? p->limits[which]
                                                  : UINT64_MAX;
}

int wt_policy_mode(const wt_policy_t *p) {
  return p->mode;
}

uint32_t wt_policy_rule_count(const wt_policy_t *p) {
  uint32_t n = p->nrules + p->ncall_rules + p->nenv + (p->has_allow ? 1 : 0);
  for (unsigned i = 0; i < WT_POLICY_LIMIT_COUNT; i++)
    n += p->limits[i] != UINT64_MAX;
  return n;
}

/* ---- compiling ---------------------------------------------------------- */

static wt__node_t *child(wt__node_t *n, const char *name, uint32_t len) {
  wt__node_t *k;
  for (uint32_t i = 0; i < n->nkids; i++)
    if (n->kids[i]->len == len && memcmp(n->kids[i]->name, name, len) == 0)
      return n->kids[i];
  if (n->nkids == n->kcap) {
    uint32_t cap = n->kcap ? n->kcap * 2 : 4;
    wt__node_t **g = realloc(n->kids, cap * sizeof *g);
    if (g == NULL)
      return NULL;
    n->kids = g;
    n->kcap = cap;
  }
  if ((k = calloc(1, sizeof *k)) == NULL || (k->name = strndup(name, len)) == NULL) {
    free(k);
    return NULL;
  }
  k->len = len;
  n->kids[n->nkids++] = k;
  return k;
}

static int node_cmp(const void *a, const void *b) {
  const wt__node_t *x = *(wt__node_t *const *)a, *y = *(wt__node_t *const *)b;
  int c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);
  return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

static void node_sort(wt__node_t *n) {
  /* A leaf's kids are NULL, which qsort must not be given even for 0. */
  if (n->nkids > 1)
    qsort(n->kids, n->nkids, sizeof *n->kids, node_cmp);
  for (uint32_t i = 0; i < n->nkids; i++)
    node_sort(n->kids[i]);
}

static int index_rule(wt_policy_t *p, uint32_t ri) {
  wt__node_t *n = p->root;
  const wt__glob_t *g = &p->rules[ri].g;
  for (uint32_t i = 0; i < g->nlit; i++)
    if ((n = child(n, g->segs[i].text, g->segs[i].len)) == NULL)
      return -1;
  if (n->nrules == n->rcap) {
    uint32_t cap = n->rcap ? n->rcap * 2 : 4;
    uint32_t *r = realloc(n->rules, cap * sizeof *r);
    if (r == NULL)
      return -1;
    n->rules = r;
    n->rcap = cap;
  }
  n->rules[n->nrules++] = ri;
  return 0;
}

/* A literal glob prefix lying under directory `dir` ("/a" under "/a"). */
static bool under(const char *glob, const char *dir) {
  size_t n = strlen(dir);
  if (n == 1)
    return true;
  return strncmp(glob, dir, n) == 0 && (glob[n] == '/' || glob[n] == '\0');
}

/* Contradictions: an allow for an operation that a preopen's mode denies
 * under it, or an allow and a deny of the same glob and operation. */
static int contradictions(const wt_policy_t *p, char *err, size_t size) {
  for (uint32_t i = 0; i < p->nrules; i++) {
    const wt__rule_t *a = &p->rules[i];
    if (a->deny)
      continue;
    for (uint32_t j = 0; j < p->nrules; j++) {
      const wt__rule_t *d = &p->rules[j];
      char ops[128];
      if (!d->deny || !(a->ops & d->ops))
        continue;
      /* Named only for a message: 1,000 rules make a million pairs. */
      if (strcmp(a->glob, d->glob) == 0) {
        wt__ops_text(a->ops & d->ops, ops, sizeof ops);
        return wt__perr(err, size,
                        "%s contradicts %s: both name \"%s\" for %s", a->text,
                        d->text, a->glob, ops);
      }
      if (strncmp(d->text, "preopens.", 9) == 0 &&
          strncmp(a->text, "preopens.", 9) != 0) {
        size_t dl = strlen(d->glob) - 3; /* without the trailing "**" component */
        char dir[520];
        snprintf(dir, sizeof dir, "%.*s", dl == 0 ? 1 : (int)dl,
                 dl == 0 ? "/" : d->glob);
        if (under(a->glob, dir)) {
          wt__ops_text(a->ops & d->ops, ops, sizeof ops);
          return wt__perr(err, size,
                          "%s contradicts %s: it allows %s under %s", a->text,
                          d->text, ops, dir);
        }
      }
    }
  }
  return 0;
}

int wt_policy_finish(wt_policy_t *p, char *err, size_t err_size) {
  if (p->finished)
    return 0;
  for (unsigned i = 0; i < WT_CALL_COUNT; i++)
    if (p->has_allow && p->allowed[i] && p->deny[i].rule >= 0 &&
        strncmp(p->deny[i].text, "--deny-call", 11) != 0)
      return wt__perr(err, err_size,
                      "calls: %s is both allowed and denied (%s)",
                      wt_call_name(i), p->deny[i].text);
  if (contradictions(p, err, err_size) < 0)
    return -1;
  if ((p->root = calloc(1, sizeof *p->root)) == NULL)
    return wt__perr(err, err_size, "out of memory");
  for (uint32_t i = 0; i < p->nrules; i++)
    if (index_rule(p, i) < 0)
      return wt__perr(err, err_size, "out of memory");
  node_sort(p->root);
  p->finished = true;
  return 0;
}

/* ---- decisions ---------------------------------------------------------- */

static const wt__node_t *find(const wt__node_t *n, const wt__comp_t *c) {
  uint32_t lo = 0, hi = n->nkids;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    const wt__node_t *k = n->kids[mid];
    /* The first byte settles most steps without a call to memcmp. */
    int r = k->len > 0 && c->len > 0
                ? (unsigned char)k->name[0] - (unsigned char)c->p[0]
                : 0;
    if (r == 0)
      r = memcmp(k->name, c->p, k->len < c->len ? k->len : c->len);
    if (r == 0)
      r = (k->len > c->len) - (k->len < c->len);
    if (r == 0)
      return k;
    if (r < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

typedef struct acc_s {
  uint32_t allow;
  int32_t deny_rule[WT_PATH_OP_COUNT]; /* lowest matching deny, or -1 */
} acc_t;

static void take(const wt_policy_t *p, const wt__node_t *n,
                 const wt__comp_t *c, uint32_t nc, acc_t *a) {
  for (uint32_t i = 0; i < n->nrules; i++) {
    uint32_t ri = n->rules[i];
    const wt__rule_t *r = &p->rules[ri];
    const wt__glob_t *g = &r->g;
    if (!wt__glob_match(g->segs + g->nlit, g->nsegs - g->nlit, c, nc))
      continue;
    if (!r->deny) {
      a->allow |= r->ops;
      continue;
    }
    for (unsigned b = 0; b < WT_PATH_OP_COUNT; b++)
      if ((r->ops & (1u << b)) &&
          (a->deny_rule[b] < 0 || (uint32_t)a->deny_rule[b] > ri))
        a->deny_rule[b] = (int32_t)ri;
  }
}

static void verdict(wt_policy_verdict_t *v, int32_t rule, const char *text,
                    int mode, unsigned op, wt_errno_t err) {
  v->denied = true;
  v->would = mode == WT_POLICY_COMPLAIN;
  v->rule = rule;
  v->text = text;
  v->op = op;
  v->err = err;
}

void wt_policy_check_path(const wt_policy_t *p, const char *path,
                          unsigned ops, wt_policy_verdict_t *v) {
  wt__comp_t c[COMPS_MAX];
  int nc = wt__path_split(path, c, COMPS_MAX);
  const wt__node_t *n = p->root;
  acc_t a;
  memset(v, 0, sizeof *v);
  v->rule = -1;
  a.allow = 0;
  for (unsigned b = 0; b < WT_PATH_OP_COUNT; b++)
    a.deny_rule[b] = -1;
  if (nc >= 0 && n != NULL) {
    take(p, n, c, (uint32_t)nc, &a);
    for (int i = 0; i < nc && (n = find(n, &c[i])) != NULL; i++)
      take(p, n, c + i + 1, (uint32_t)(nc - i - 1), &a);
  }
  /* The first refused operation decides; an enforced one over a would-be. */
  for (unsigned b = 0; b < WT_PATH_OP_COUNT; b++) {
    wt_policy_verdict_t t;
    if (!(ops & (1u << b)))
      continue;
    if (a.deny_rule[b] >= 0) {
      const wt__rule_t *r = &p->rules[a.deny_rule[b]];
      verdict(&t, a.deny_rule[b], r->text, r->mode >= 0 ? r->mode : p->mode,
              1u << b, WT_ENOTCAPABLE);
    } else if (!(a.allow & (1u << b))) {
      verdict(&t, -1, "no rule allows it", p->mode, 1u << b, WT_ENOTCAPABLE);
    } else {
      continue;
    }
    if (!v->denied || (v->would && !t.would))
      *v = t;
  }
}

void wt_policy_check_call(const wt_policy_t *p, unsigned call,
                          wt_policy_verdict_t *v) {
  memset(v, 0, sizeof *v);
  v->rule = -1;
  if (call >= WT_CALL_COUNT)
    return;
  if (p->deny[call].rule >= 0)
    verdict(v, p->deny[call].rule, p->deny[call].text,
            p->deny[call].mode >= 0 ? p->deny[call].mode : p->mode, 0,
            WT_ENOTCAPABLE);
  else if (p->has_allow && !p->allowed[call])
    verdict(v, -1, p->allow_text, p->mode, 0, WT_ENOTCAPABLE);
}

void wt_policy_check_env(const wt_policy_t *p, const char *name, size_t len,
                         wt_policy_verdict_t *v) {
  char buf[256];
  bool hit = false;
  memset(v, 0, sizeof *v);
  v->rule = -1;
  if (p->env_kind == 0)
    return;
  snprintf(buf, sizeof buf, "%.*s", (int)(len < 255 ? len : 255), name);
  for (uint32_t i = 0; i < p->nenv && !hit; i++)
    if (fnmatch(p->env[i], buf, 0) == 0) {
      hit = true;
      v->rule = (int32_t)i;
    }
  if (p->env_kind == 1 && !hit)
    verdict(v, -1, "env.allow does not list it", p->mode, 0, WT_ENOTCAPABLE);
  else if (p->env_kind == 2 && hit)
    verdict(v, v->rule, p->env[v->rule], p->mode, 0, WT_ENOTCAPABLE);
}

wt_errno_t wt__limit_err(unsigned which) {
  return which < WT_POLICY_LIMIT_COUNT ? limit_errs[which] : WT_EDQUOT;
}
