/*
 * wasitrace audit: what the guest did, for a human or (--json) a machine;
 * every denial grouped by source and rule with its first calls rendered by
 * the viewer; --suggest-policy, the least-privilege policy allowing exactly
 * this run; --policy FILE, what that policy would have denied. Exit status:
 * 0, 1 when the trace holds denials (--fail-on=denials, the default) or the
 * policy would deny something, 125 when the trace or policy cannot be read.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "audit_scan.h"
#include "cli.h"
#include "wt/viewer.h"

#define FIRST_CALLS 3

enum { OPT_JSON = WT_CLI_OPT_LAYER, OPT_FAIL_ON, OPT_SUGGEST, OPT_POLICY };

static const struct option audit_options[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"suggest-policy", no_argument, NULL, OPT_SUGGEST},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static void usage(FILE *f) {
  fprintf(f,
          "Usage: wasitrace audit [--json] [--fail-on=denials|never] TRACE\n"
          "       wasitrace audit --suggest-policy TRACE > policy.json\n"
          "       wasitrace audit --policy FILE [--json] TRACE\n"
          "\n"
          "What the guest did: files and directories read, written, created, "
          "deleted,\nrenamed and listed, sockets, environment variables read, "
          "clocks, randomness,\nsignals, how it ended, and every denial "
          "grouped by source and rule with its\nfirst calls.\n"
          "\n"
          "Options:\n"
          "  --json                One JSON object\n"
          "  --fail-on=WHEN        denials (default): exit 1 when the trace "
          "holds denials;\n"
          "                        never: exit 0 whatever it holds\n"
          "  --suggest-policy      Print the least-privilege policy (JSON) "
          "allowing\n"
          "                        exactly this run\n"
          "  --policy FILE         Check FILE against the run: which calls "
          "it would have\n"
          "                        denied, by which rule (exit 1 when any)\n"
          "  -h, --help            Print this help\n"
          "\n"
          "Exit status: 0; 1 when the trace holds denials (--fail-on=denials) "
          "or the\npolicy would deny a call; 125 when the trace or the policy "
          "cannot be read.\n");
}

typedef struct opts_s {
  bool json, fail, suggest;
  const char *policy;
} opts_t;

static int parse(opts_t *o, int argc, char **argv) {
  int c;
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, "+h", audit_options, NULL)) != -1) {
    switch (c) {
    case OPT_JSON:
      o->json = true;
      break;
    case OPT_FAIL_ON:
      if (strcmp(optarg, "denials") != 0 && strcmp(optarg, "never") != 0) {
        wt_cli_error("--fail-on wants denials or never, not '%s'", optarg);
        return -1;
      }
      o->fail = strcmp(optarg, "denials") == 0;
      break;
    case OPT_SUGGEST:
      o->suggest = true;
      break;
    case OPT_POLICY:
      o->policy = optarg;
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      wt_cli_bad_option(argv, "+h", audit_options, usage, "audit");
      return -1;
    }
  }
  if (optind != argc - 1) {
    wt_cli_error("audit wants one TRACE (see 'wasitrace audit --help')");
    return -1;
  }
  return optind;
}

/* ---- denials, grouped ------------------------------------------------------ */

typedef struct group_s {
  uint8_t source;
  char *rule; /* rule text, or reason */
  int32_t index;
  uint64_t count;
  char *first[FIRST_CALLS];
} group_t;

typedef struct state_s {
  wt_audit_t a;
  group_t *groups;
  uint32_t ngroups;
  uint64_t ndenials;
  json_t *would; /* audit --policy: what the policy denies */
  const wt_policy_t *p;
} state_t;

static group_t *group_of(state_t *s, const wt_trace_denial_t *d) {
  char lacks[96];
  const char *rule = d->rule != NULL ? d->rule : (d->reason ? d->reason : "");
  group_t *g;
  if (d->rule == NULL && d->right != 0) {
    snprintf(lacks, sizeof lacks, "lacks %s", wt_right_name(d->right));
    rule = lacks;
  }
  for (uint32_t i = 0; i < s->ngroups; i++)
    if (s->groups[i].source == d->source && strcmp(s->groups[i].rule, rule) == 0)
      return &s->groups[i];
  g = realloc(s->groups, (s->ngroups + 1) * sizeof *g);
  if (g == NULL)
    return NULL;
  s->groups = g;
  g = &s->groups[s->ngroups];
  memset(g, 0, sizeof *g);
  if ((g->rule = strdup(rule)) == NULL)
    return NULL;
  g->source = d->source;
  g->index = d->rule_index;
  s->ngroups++;
  return g;
}

static int add_denials(state_t *s, wt_viewer_t *v, const wt_trace_call_t *c) {
  const char *text = NULL;
  size_t len = 0;
  if (c->ndenials == 0) {
    wt_viewer_skip(v, c);
    return 0;
  }
  (void)wt_viewer_format(v, c, &text, &len);
  for (uint32_t i = 0; i < c->ndenials; i++) {
    group_t *g = group_of(s, &c->denials[i]);
    if (g == NULL) {
      wt_trace_set_error("out of memory");
      return -1;
    }
    s->ndenials++;
    if (g->count < FIRST_CALLS && text != NULL)
      g->first[g->count] = strndup(text, len && text[len - 1] == '\n' ? len - 1 : len);
    g->count++;
  }
  return 0;
}

/* ---- audit --policy ------------------------------------------------------ */

static void would_deny(state_t *s, uint64_t seq, uint16_t call,
                       const char *what, const char *path,
                       const wt_policy_verdict_t *v) {
  json_t *o = json_object();
  json_object_set_new(o, "seq", json_integer((json_int_t)seq));
  json_object_set_new(o, "call", json_string(wt_call_name(call)));
  json_object_set_new(o, "what", json_string(what));
  if (path != NULL)
    json_object_set_new(o, "path", json_string(path));
  json_object_set_new(o, "rule", json_integer(v->rule));
  json_object_set_new(o, "text", json_string(v->text ? v->text : ""));
  json_object_set_new(o, "would", json_boolean(v->would));
  json_array_append_new(s->would, o);
}

static void check_call(state_t *s, const wt_trace_call_t *c) {
  wt_policy_verdict_t v;
  wt_policy_check_call(s->p, c->call, &v);
  if (v.denied)
    would_deny(s, c->seq, c->call, "call", NULL, &v);
}

/* Path events in seq order, merged with the call verdicts by sorting. */
static int by_seq(const void *x, const void *y) {
  json_int_t a = json_integer_value(json_object_get(*(json_t *const *)x, "seq"));
  json_int_t b = json_integer_value(json_object_get(*(json_t *const *)y, "seq"));
  return a < b ? -1 : a > b;
}

static void check_paths(state_t *s) {
  size_t n;
  json_t **items;
  for (uint32_t i = 0; i < s->a.nevents; i++) {
    const wt_audit_event_t *e = &s->a.events[i];
    const wt_policy_verdict_t *v = &e->v; /* judged in the scan's order */
    if (v->denied)
      would_deny(s, e->seq, e->call,
                 wt_path_op_name((unsigned)__builtin_ctz(v->op ? v->op : 1)),
                 e->path, v);
  }
  for (uint32_t i = 0; s->a.env_read && i < s->a.nenv; i++) {
    wt_policy_verdict_t v;
    wt_policy_check_env(s->p, s->a.env[i], strlen(s->a.env[i]), &v);
    if (v.denied)
      would_deny(s, 0, WT_CALL_environ_get, "env", s->a.env[i], &v);
  }
  /* A stable order: by seq (qsort on a copy of the array's items). */
  n = json_array_size(s->would);
  if ((items = malloc((n ? n : 1) * sizeof *items)) == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    items[i] = json_incref(json_array_get(s->would, i));
  qsort(items, n, sizeof *items, by_seq);
  json_array_clear(s->would);
  for (size_t i = 0; i < n; i++)
    json_array_append_new(s->would, items[i]);
  free(items);
}

/* ---- output -------------------------------------------------------------- */

/* Paths on which the run did op (succeeded), as a JSON array. */
static json_t *paths_with(const wt_audit_t *a, unsigned op) {
  json_t *arr = json_array();
  for (uint32_t i = 0; i < a->npaths; i++)
    if (a->paths[i].done & op) {
      if (op == WT_PATH_OP_RENAME && a->paths[i].renamed_to != NULL) {
        json_t *r = json_object();
        json_object_set_new(r, "from", json_string(a->paths[i].path));
        json_object_set_new(r, "to", json_string(a->paths[i].renamed_to));
        json_array_append_new(arr, r);
      } else if (op != WT_PATH_OP_RENAME) {
        json_array_append_new(arr, json_string(a->paths[i].path));
      }
    }
  return arr;
}

static json_t *ended(wt_trace_t *t) {
  const wt_trace_meta_t *e = wt_trace_meta_get(t, "end");
  const wt_trace_meta_t *x = wt_trace_meta_get(t, "exit_code");
  const wt_trace_meta_t *tr = wt_trace_meta_get(t, "trap");
  const wt_trace_meta_t *sg = wt_trace_meta_get(t, "signal");
  json_t *o = json_object();
  json_object_set_new(o, "end", json_string(e && e->type == WT_META_TEXT
                                                ? e->text
                                                : "incomplete"));
  if (x != NULL && x->type == WT_META_INT)
    json_object_set_new(o, "exit_code", json_integer(x->i));
  if (tr != NULL && tr->type == WT_META_TEXT)
    json_object_set_new(o, "trap", json_string(tr->text));
  if (sg != NULL && sg->type == WT_META_INT)
    json_object_set_new(o, "signal", json_integer(sg->i));
  return o;
}

static json_t *audit_json(const state_t *s, wt_trace_t *t) {
  static const char *const clocks[] = {"realtime", "monotonic",
                                       "process_cputime", "thread_cputime"};
  static const struct {
    const char *key;
    unsigned op;
  } kinds[] = {{"read", WT_PATH_OP_READ},     {"written", WT_PATH_OP_WRITE},
               {"created", WT_PATH_OP_CREATE}, {"deleted", WT_PATH_OP_DELETE},
               {"renamed", WT_PATH_OP_RENAME}, {"listed", WT_PATH_OP_LIST},
               {"linked", WT_PATH_OP_LINK | WT_PATH_OP_SYMLINK}};
  json_t *o = json_object(), *files = json_object(), *cl = json_array(),
         *env = json_array(), *den = json_array();
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
    json_object_set_new(files, kinds[i].key, paths_with(&s->a, kinds[i].op));
  for (unsigned i = 0; i < 4; i++)
    if (s->a.clocks & (1u << i))
      json_array_append_new(cl, json_string(clocks[i]));
  for (uint32_t i = 0; i < s->a.nenv; i++)
    json_array_append_new(env, json_string(s->a.env[i]));
  for (uint32_t i = 0; i < s->ngroups; i++) {
    const group_t *g = &s->groups[i];
    json_t *x = json_object(), *first = json_array();
    json_object_set_new(x, "source", json_string(g->source < WT_DENIAL_COUNT
                                                     ? (const char *[]){
                                                           "rights", "policy",
                                                           "abi", "sandbox"}[g->source]
                                                     : "?"));
    json_object_set_new(x, "rule", json_string(g->rule));
    if (g->index >= 0)
      json_object_set_new(x, "rule_index", json_integer(g->index));
    json_object_set_new(x, "count", json_integer((json_int_t)g->count));
    for (int k = 0; k < FIRST_CALLS && g->first[k] != NULL; k++)
      json_array_append_new(first, json_string(g->first[k]));
    json_object_set_new(x, "first", first);
    json_array_append_new(den, x);
  }
  json_object_set_new(o, "files", files);
  json_object_set_new(o, "sockets", json_integer((json_int_t)s->a.sock_calls));
  json_object_set_new(o, "env_read", env);
  json_object_set_new(o, "clocks", cl);
  json_object_set_new(o, "random_bytes",
                      json_integer((json_int_t)s->a.random_bytes));
  json_object_set_new(o, "signals", json_integer((json_int_t)s->a.signal_calls));
  json_object_set_new(o, "ended", ended(t));
  json_object_set_new(o, "denials", json_integer((json_int_t)s->ndenials));
  json_object_set_new(o, "denial_groups", den);
  return o;
}

static void list_line(const char *title, json_t *arr) {
  size_t i;
  json_t *e;
  printf("%-18s", title);
  if (json_array_size(arr) == 0)
    printf(" -");
  json_array_foreach(arr, i, e) {
    if (json_is_object(e))
      printf(" %s -> %s", json_string_value(json_object_get(e, "from")),
             json_string_value(json_object_get(e, "to")));
    else if (json_is_string(e))
      printf(" %s", json_string_value(e));
  }
  putchar('\n');
}

static int print_audit(const state_t *s, wt_trace_t *t, bool as_json) {
  json_t *o = audit_json(s, t), *f = json_object_get(o, "files"), *g, *e;
  size_t i;
  if (as_json) {
    int rc = json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
    putchar('\n');
    json_decref(o);
    return rc;
  }
  list_line("read:", json_object_get(f, "read"));
  list_line("written:", json_object_get(f, "written"));
  list_line("created:", json_object_get(f, "created"));
  list_line("deleted:", json_object_get(f, "deleted"));
  list_line("renamed:", json_object_get(f, "renamed"));
  list_line("listed:", json_object_get(f, "listed"));
  list_line("linked:", json_object_get(f, "linked"));
  list_line("environment read:", json_object_get(o, "env_read"));
  list_line("clocks:", json_object_get(o, "clocks"));
  printf("%-18s %lld bytes\n", "randomness:",
         (long long)json_integer_value(json_object_get(o, "random_bytes")));
  printf("%-18s %lld calls\n", "sockets:",
         (long long)json_integer_value(json_object_get(o, "sockets")));
  printf("%-18s %lld calls\n", "signals:",
         (long long)json_integer_value(json_object_get(o, "signals")));
  e = json_object_get(o, "ended");
  printf("%-18s %s", "ended:", json_string_value(json_object_get(e, "end")));
  if (json_object_get(e, "exit_code"))
    printf(" %lld", (long long)json_integer_value(json_object_get(e, "exit_code")));
  if (json_object_get(e, "trap"))
    printf(" (%s)", json_string_value(json_object_get(e, "trap")));
  printf("\ndenials:           %llu\n", (unsigned long long)s->ndenials);
  json_array_foreach(json_object_get(o, "denial_groups"), i, g) {
    size_t k;
    json_t *l;
    printf("  %s: %s", json_string_value(json_object_get(g, "source")),
           json_string_value(json_object_get(g, "rule")));
    if (json_object_get(g, "rule_index"))
      printf(" (rule %lld)",
             (long long)json_integer_value(json_object_get(g, "rule_index")));
    printf(": %lld call%s\n",
           (long long)json_integer_value(json_object_get(g, "count")),
           json_integer_value(json_object_get(g, "count")) == 1 ? "" : "s");
    json_array_foreach(json_object_get(g, "first"), k, l)
      printf("    %s\n", json_string_value(l));
  }
  json_decref(o);
  return 0;
}

/* A literal path as a glob: wildcard characters escaped. */
static json_t *literal_glob(const char *path) {
  size_t n = strlen(path);
  char *g = malloc(2 * n + 1), *w = g;
  json_t *out;
  if (g == NULL)
    return NULL;
  for (const char *p = path; *p; p++) {
    if (strchr("*?[]\\", *p) != NULL)
      *w++ = '\\';
    *w++ = *p;
  }
  *w = 0;
  out = json_string(g);
  free(g);
  return out;
}

/*
 * One allow rule per path with exactly the operations the run asked for
 * there, the calls it made as an allow list, and the environment names it
 * read: each grant is needed by at least one call of the run.
 */
static int print_suggestion(const state_t *s) {
  json_t *o = json_object(), *rules = json_array(), *calls = json_array();
  int rc;
  json_object_set_new(o, "version", json_integer(WT_POLICY_VERSION));
  for (uint32_t i = 0; i < s->a.npaths; i++) {
    const wt_audit_path_t *p = &s->a.paths[i];
    json_t *r = json_object(), *ops = json_array();
    for (unsigned b = 0; b < WT_PATH_OP_COUNT; b++)
      if (p->ops & (1u << b))
        json_array_append_new(ops, json_string(wt_path_op_name(b)));
    json_object_set_new(r, "allow", literal_glob(p->path));
    json_object_set_new(r, "ops", ops);
    json_array_append_new(rules, r);
  }
  for (unsigned c = 0; c < WT_CALL_COUNT; c++)
    if (s->a.calls_used[c] > 0)
      json_array_append_new(calls, json_string(wt_call_name((wt_call_id_t)c)));
  json_object_set_new(o, "rules", rules);
  json_object_set_new(o, "calls", json_pack("{s:o}", "allow", calls));
  if (s->a.env_read) {
    json_t *env = json_array();
    for (uint32_t i = 0; i < s->a.nenv; i++)
      json_array_append_new(env, json_string(s->a.env[i]));
    json_object_set_new(o, "env", json_pack("{s:o}", "allow", env));
  }
  rc = json_dumpf(o, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
  putchar('\n');
  json_decref(o);
  return rc;
}

static int print_check(const state_t *s, bool as_json, const char *file) {
  size_t i, n = json_array_size(s->would);
  json_t *e;
  if (as_json) {
    json_t *o = json_pack("{s:s,s:O}", "policy", file, "denied", s->would);
    json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
    putchar('\n');
    json_decref(o);
  } else {
    json_array_foreach(s->would, i, e) {
      json_t *path = json_object_get(e, "path");
      printf("[%lld] %s: %s%s %s%s by rule %lld: %s\n",
             (long long)json_integer_value(json_object_get(e, "seq")),
             json_string_value(json_object_get(e, "call")),
             json_is_true(json_object_get(e, "would")) ? "would deny (complain) "
                                                       : "denied ",
             json_string_value(json_object_get(e, "what")),
             path ? "on " : "", path ? json_string_value(path) : "",
             (long long)json_integer_value(json_object_get(e, "rule")),
             json_string_value(json_object_get(e, "text")));
    }
    printf("%s: %zu call%s denied\n", file, n, n == 1 ? "" : "s");
  }
  return n > 0 ? 1 : 0;
}

static int scan(state_t *s, const char *path, wt_trace_t **tp) {
  wt_viewer_t *v = NULL;
  wt_view_options_t vo;
  const wt_trace_call_t *c;
  int rc;
  wt_view_options_init(&vo);
  vo.show_times = false;
  if (wt_trace_open(path, tp) < 0 || wt_viewer_new(&vo, &v) < 0)
    goto fail;
  for (uint32_t i = 0; i < wt_trace_meta_count(*tp); i++) {
    const wt_trace_meta_t *m = wt_trace_meta_at(*tp, i);
    (void)wt_viewer_meta(v, m);
    if (wt_audit_meta(&s->a, m) < 0)
      goto fail;
  }
  while ((rc = wt_trace_next(*tp, &c)) == 1) {
    if (wt_audit_add(&s->a, c) < 0 || add_denials(s, v, c) < 0)
      goto fail;
    if (s->p != NULL)
      check_call(s, c);
  }
  if (rc < 0)
    goto fail;
  wt_viewer_free(v);
  return 0;
fail:
  wt_cli_error("%s: %s", path, wt_trace_error());
  wt_viewer_free(v);
  return -1;
}

static int load_policy(const char *file, wt_policy_t **out) {
  char err[512];
  if (wt_policy_new(out) < 0) {
    wt_cli_error("out of memory");
    return -1;
  }
  if (wt_policy_load_file(*out, file, err, sizeof err) < 0 ||
      wt_policy_finish(*out, err, sizeof err) < 0) {
    wt_cli_error("%s", err);
    return -1;
  }
  return 0;
}

int wt_cli_audit(int argc, char **argv) {
  opts_t o = {false, true, false, NULL};
  state_t s;
  wt_trace_t *t = NULL;
  wt_policy_t *p = NULL;
  int at = parse(&o, argc, argv), st = WT_EXIT_TOOL;
  if (at <= 0)
    return at == 0 ? 0 : WT_EXIT_TOOL;
  memset(&s, 0, sizeof s);
  if (o.policy != NULL) {
    if (load_policy(o.policy, &p) < 0)
      goto out;
    s.p = p;
    s.a.policy = p;
    s.would = json_array();
  }
  if (scan(&s, argv[at], &t) < 0)
    goto out;
  if (o.suggest) {
    st = print_suggestion(&s) < 0 ? WT_EXIT_TOOL : 0;
  } else if (p != NULL) {
    check_paths(&s);
    st = print_check(&s, o.json, o.policy);
  } else {
    st = print_audit(&s, t, o.json) < 0 ? WT_EXIT_TOOL
         : (o.fail && s.ndenials > 0) ? 1
                                      : 0;
  }
out:
  for (uint32_t i = 0; i < s.ngroups; i++) {
    free(s.groups[i].rule);
    for (int k = 0; k < FIRST_CALLS; k++)
      free(s.groups[i].first[k]);
  }
  free(s.groups);
  json_decref(s.would);
  wt_audit_free(&s.a);
  wt_trace_close(t);
  wt_policy_free(p);
  return st;
}
