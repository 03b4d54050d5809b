/*
 * The policy file (docs/policy.md): JSON, strict. Every refusal names the
 * file, then the line and column (bad JSON) or the JSON path of the
 * offending member ("rules[2].ops[1]"), then the value.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

typedef struct ld_s {
  wt_policy_t *p;
  const char *name;
  char *err;
  size_t size;
} ld_t;

/* "NAME: PATH: message" and -1. */
static int fail(ld_t *l, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(ld_t *l, const char *path, const char *fmt, ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return wt__perr(l->err, l->size, "%s: %s: %s", l->name, path, msg);
}

static const char *type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "an object";
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
    return "an integer";
  case JSON_REAL:
    return "a number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "a boolean";
  default:
    return "null";
  }
}

static int want(ld_t *l, const char *path, const json_t *v, json_type t,
                const char *what) {
  if (json_typeof(v) == t)
    return 0;
  return fail(l, path, "wants %s, not %s", what, type_name(v));
}

/* Refuses members of object o not in keys (NULL-terminated). */
static int known(ld_t *l, const char *path, json_t *o,
                 const char *const *keys) {
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    const char *const *q = keys;
    char list[256] = "";
    size_t n = 0;
    while (*q != NULL && strcmp(*q, k) != 0)
      q++;
    if (*q != NULL)
      continue;
    for (q = keys; *q != NULL && n < sizeof list; q++)
      n += (size_t)snprintf(list + n, sizeof list - n, "%s%s",
                            q == keys ? "" : ", ", *q);
    return fail(l, path, "unknown key \"%s\" (known: %s)", k, list);
  }
  return 0;
}

static int mode_of(ld_t *l, const char *path, json_t *v, int *mode) {
  const char *s;
  if (want(l, path, v, JSON_STRING, "\"enforce\" or \"complain\"") < 0)
    return -1;
  s = json_string_value(v);
  if (strcmp(s, "enforce") == 0)
    *mode = WT_POLICY_ENFORCE;
  else if (strcmp(s, "complain") == 0)
    *mode = WT_POLICY_COMPLAIN;
  else
    return fail(l, path, "unknown mode \"%s\" (enforce or complain)", s);
  return 0;
}

static int ops_of(ld_t *l, const char *path, json_t *v, unsigned *ops) {
  size_t i;
  json_t *e;
  char p[256];
  *ops = 0;
  if (want(l, path, v, JSON_ARRAY, "an array of operations") < 0)
    return -1;
  if (json_array_size(v) == 0)
    return fail(l, path, "an empty list of operations (omit \"ops\" for all)");
  json_array_foreach(v, i, e) {
    unsigned op;
    snprintf(p, sizeof p, "%s[%zu]", path, i);
    if (want(l, p, e, JSON_STRING, "an operation name") < 0)
      return -1;
    if ((op = wt__op_by_name(json_string_value(e))) == 0)
      return fail(l, p,
                  "unknown operation \"%s\" (read, write, create, delete, "
                  "rename, link, symlink, readlink, stat, list)",
                  json_string_value(e));
    *ops |= op;
  }
  return 0;
}

static int rule(ld_t *l, size_t i, json_t *r) {
  static const char *const keys[] = {"allow", "deny", "ops", "mode", NULL};
  char path[64], text[1024], ops_text[128], why[512];
  json_t *a = json_object_get(r, "allow"), *d = json_object_get(r, "deny");
  json_t *g, *o = json_object_get(r, "ops"), *m = json_object_get(r, "mode");
  unsigned ops = WT_POLICY_ALL_OPS;
  int mode = -1;
  snprintf(path, sizeof path, "rules[%zu]", i);
  if (want(l, path, r, JSON_OBJECT, "an object") < 0 ||
      known(l, path, r, keys) < 0)
    return -1;
  if ((a == NULL) == (d == NULL))
    return fail(l, path, "wants exactly one of \"allow\" and \"deny\"");
  g = a != NULL ? a : d;
  snprintf(path, sizeof path, "rules[%zu].%s", i, a != NULL ? "allow" : "deny");
  if (want(l, path, g, JSON_STRING, "a path glob") < 0)
    return -1;
  snprintf(path, sizeof path, "rules[%zu].ops", i);
  if (o != NULL && ops_of(l, path, o, &ops) < 0)
    return -1;
  snprintf(path, sizeof path, "rules[%zu].mode", i);
  if (m != NULL && mode_of(l, path, m, &mode) < 0)
    return -1;
  wt__ops_text(ops, ops_text, sizeof ops_text);
  snprintf(text, sizeof text, "rules[%zu]: %s %s (%s)", i,
           a != NULL ? "allow" : "deny", json_string_value(g), ops_text);
  if (wt_policy_add_path_rule(l->p, d != NULL, json_string_value(g), ops, mode,
                              text, why, sizeof why) < 0) {
    const char *colon = strstr(why, ": bad glob");
    snprintf(path, sizeof path, "rules[%zu].%s", i,
             a != NULL ? "allow" : "deny");
    return fail(l, path, "%s", colon != NULL ? colon + 2 : why);
  }
  return 0;
}

static int rules(ld_t *l, json_t *v) {
  size_t i;
  json_t *r;
  if (want(l, "rules", v, JSON_ARRAY, "an array of rules") < 0)
    return -1;
  json_array_foreach(v, i, r) if (rule(l, i, r) < 0) return -1;
  return 0;
}

static int preopens(ld_t *l, json_t *v) {
  const char *k;
  json_t *m;
  char path[600], why[512];
  if (want(l, "preopens", v, JSON_OBJECT, "an object") < 0)
    return -1;
  json_object_foreach(v, k, m) {
    const char *s;
    int mode;
    snprintf(path, sizeof path, "preopens.%s", k);
    if (want(l, path, m, JSON_STRING,
             "\"read-only\", \"read-write\" or \"none\"") < 0)
      return -1;
    s = json_string_value(m);
    if (strcmp(s, "none") == 0)
      mode = WT_POLICY_PREOPEN_NONE;
    else if (strcmp(s, "read-only") == 0)
      mode = WT_POLICY_PREOPEN_READ_ONLY;
    else if (strcmp(s, "read-write") == 0)
      mode = WT_POLICY_PREOPEN_READ_WRITE;
    else
      return fail(l, path,
                  "unknown preopen mode \"%s\" (read-only, read-write, none)",
                  s);
    if (k[0] != '/')
      return fail(l, path, "\"%s\" is not an absolute guest path", k);
    if (wt_policy_set_preopen(l->p, k, mode, why, sizeof why) < 0)
      return fail(l, path, "%s", why);
  }
  return 0;
}

static int call_names(ld_t *l, json_t *v, bool deny) {
  size_t i;
  json_t *e;
  char path[64], text[128], why[512];
  const char *list = deny ? "calls.deny" : "calls.allow";
  bool which[WT_CALL_COUNT];
  if (want(l, list, v, JSON_ARRAY, "an array of call or family names") < 0)
    return -1;
  json_array_foreach(v, i, e) {
    const char *name;
    snprintf(path, sizeof path, "%s[%zu]", list, i);
    if (want(l, path, e, JSON_STRING, "a call or family name") < 0)
      return -1;
    name = json_string_value(e);
    if (!wt__calls_named(name, which))
      return fail(l, path, "\"%s\" is neither a call nor a family of calls.def",
                  name);
    snprintf(text, sizeof text, "%s: %s", path, name);
    if (deny && wt_policy_deny_call(l->p, name, text, why, sizeof why) < 0)
      return fail(l, path, "%s", why);
    for (unsigned c = 0; !deny && c < WT_CALL_COUNT; c++)
      l->p->allowed[c] |= which[c];
  }
  if (!deny) {
    l->p->has_allow = true;
    free(l->p->allow_text);
    l->p->allow_text = strdup("calls.allow does not list it");
  }
  return 0;
}

static int calls(ld_t *l, json_t *v) {
  static const char *const keys[] = {"allow", "deny", NULL};
  json_t *a, *d;
  if (want(l, "calls", v, JSON_OBJECT, "an object") < 0 ||
      known(l, "calls", v, keys) < 0)
    return -1;
  a = json_object_get(v, "allow");
  d = json_object_get(v, "deny");
  if (a != NULL && call_names(l, a, false) < 0)
    return -1;
  return d != NULL ? call_names(l, d, true) : 0;
}

static int env(ld_t *l, json_t *v) {
  static const char *const keys[] = {"allow", "deny", NULL};
  json_t *a, *d, *list, *e;
  size_t i;
  char path[64];
  if (want(l, "env", v, JSON_OBJECT, "an object") < 0 ||
      known(l, "env", v, keys) < 0)
    return -1;
  a = json_object_get(v, "allow");
  d = json_object_get(v, "deny");
  if (a != NULL && d != NULL)
    return fail(l, "env", "give \"allow\" or \"deny\", not both");
  if (l->p->env_kind != 0)
    return fail(l, "env", "the environment rules are already given");
  if ((list = a != NULL ? a : d) == NULL)
    return 0;
  if (want(l, a != NULL ? "env.allow" : "env.deny", list, JSON_ARRAY,
           "an array of variable names") < 0)
    return -1;
  l->p->env = calloc(json_array_size(list) + 1, sizeof *l->p->env);
  if (l->p->env == NULL)
    return fail(l, "env", "out of memory");
  l->p->env_kind = a != NULL ? 1 : 2;
  json_array_foreach(list, i, e) {
    const char *s;
    snprintf(path, sizeof path, "env.%s[%zu]", a != NULL ? "allow" : "deny",
             i);
    if (want(l, path, e, JSON_STRING, "a variable name") < 0)
      return -1;
    s = json_string_value(e);
    if (s[0] == '\0' || strchr(s, '=') != NULL || strlen(s) > 255)
      return fail(l, path, "\"%s\" is not a variable name", s);
    if ((l->p->env[l->p->nenv++] = strdup(s)) == NULL)
      return fail(l, path, "out of memory");
  }
  return 0;
}

static int limits(ld_t *l, json_t *v) {
  const char *k;
  json_t *n;
  char path[128];
  if (want(l, "limits", v, JSON_OBJECT, "an object") < 0)
    return -1;
  json_object_foreach(v, k, n) {
    unsigned i = 0;
    while (i < WT_POLICY_LIMIT_COUNT && strcmp(wt_policy_limit_name(i), k) != 0)
      i++;
    snprintf(path, sizeof path, "limits.%s", k);
    if (i == WT_POLICY_LIMIT_COUNT)
      return fail(l, "limits",
                  "unknown key \"%s\" (known: open_fds, bytes_written, "
                  "bytes_written_per_file, files_created, bytes_read)",
                  k);
    if (want(l, path, n, JSON_INTEGER, "a whole number") < 0)
      return -1;
    if (json_integer_value(n) < 0)
      return fail(l, path, "%lld is negative",
                  (long long)json_integer_value(n));
    wt_policy_set_limit(l->p, (wt_policy_limit_t)i,
                        (uint64_t)json_integer_value(n));
  }
  return 0;
}

static int top(ld_t *l, json_t *root) {
  static const char *const keys[] = {"version", "mode",  "preopens", "rules",
                                     "calls",   "env",   "limits",   NULL};
  json_t *v;
  int mode = 0; /* mode_of sets it on success; GCC at -O3 cannot tell */
  if (want(l, "$", root, JSON_OBJECT, "an object") < 0 ||
      known(l, "$", root, keys) < 0)
    return -1;
  if ((v = json_object_get(root, "version")) == NULL)
    return fail(l, "version", "missing (this tool reads version 1)");
  if (want(l, "version", v, JSON_INTEGER, "an integer") < 0)
    return -1;
  if (json_integer_value(v) != WT_POLICY_VERSION)
    return fail(l, "version", "%lld is not supported (this tool reads 1)",
                (long long)json_integer_value(v));
  if ((v = json_object_get(root, "mode")) != NULL) {
    if (mode_of(l, "mode", v, &mode) < 0)
      return -1;
    l->p->mode = mode;
  }
  if ((v = json_object_get(root, "preopens")) != NULL && preopens(l, v) < 0)
    return -1;
  if ((v = json_object_get(root, "rules")) != NULL && rules(l, v) < 0)
    return -1;
  if ((v = json_object_get(root, "calls")) != NULL && calls(l, v) < 0)
    return -1;
  if ((v = json_object_get(root, "env")) != NULL && env(l, v) < 0)
    return -1;
  if ((v = json_object_get(root, "limits")) != NULL && limits(l, v) < 0)
    return -1;
  return 0;
}

int wt_policy_load_text(wt_policy_t *p, const char *text, size_t len,
                        const char *name, char *err, size_t err_size) {
  ld_t l = {p, name, err, err_size};
  json_error_t je;
  json_t *root;
  int rc;
  if (p->finished)
    return wt__perr(err, err_size, "%s: the policy is already finished", name);
  root = json_loadb(text, len, JSON_REJECT_DUPLICATES,
                    &je);
  if (root == NULL)
    return wt__perr(err, err_size, "%s:%d:%d: %s", name, je.line, je.column,
                    je.text);
  rc = top(&l, root);
  json_decref(root);
  return rc;
}

int wt_policy_load_file(wt_policy_t *p, const char *path, char *err,
                        size_t err_size) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t len = 0, cap = 0;
  int rc;
  if (f == NULL)
    return wt__perr(err, err_size, "%s: cannot open: %m", path);
  for (;;) {
    size_t n;
    if (len == cap) {
      char *g;
      if (cap >= (16u << 20)) {
        fclose(f);
        free(buf);
        return wt__perr(err, err_size, "%s: larger than 16 MiB", path);
      }
      cap = cap ? cap * 2 : 4096;
      if ((g = realloc(buf, cap)) == NULL) {
        fclose(f);
        free(buf);
        return wt__perr(err, err_size, "%s: out of memory", path);
      }
      buf = g;
    }
    if ((n = fread(buf + len, 1, cap - len, f)) == 0)
      break;
    len += n;
  }
  if (ferror(f)) {
    fclose(f);
    free(buf);
    return wt__perr(err, err_size, "%s: cannot read", path);
  }
  fclose(f);
  rc = wt_policy_load_text(p, buf != NULL ? buf : "", len, path, err,
                           err_size);
  free(buf);
  return rc;
}
