/*
 * The policy: decisions (globs, deny wins, default deny, preopen modes,
 * complain per rule), the strict loader (each malformed policy with its
 * exact message), random mutations of a valid policy, and the layer over
 * the core (paths judged resolved, limits, families, environment), each
 * denial reported once with its source.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "wt/policy.h"

#define DIRFD WT_TEST_DIRFD

static wt_policy_t *load(const char *json) {
  wt_policy_t *p;
  char err[1024];
  assert_int_equal(wt_policy_new(&p), 0);
  if (wt_policy_load_text(p, json, strlen(json), "t.json", err, sizeof err) <
          0 ||
      wt_policy_finish(p, err, sizeof err) < 0)
    fail_msg("policy refused: %s", err);
  return p;
}

static const char *refusal(const char *json) {
  static char err[1024];
  wt_policy_t *p;
  assert_int_equal(wt_policy_new(&p), 0);
  err[0] = '\0';
  if (wt_policy_load_text(p, json, strlen(json), "t.json", err, sizeof err) ==
          0 &&
      wt_policy_finish(p, err, sizeof err) == 0)
    snprintf(err, sizeof err, "(accepted)");
  wt_policy_free(p);
  return err;
}

static void expect_path(const wt_policy_t *p, const char *path, unsigned ops,
                        bool denied, const char *text) {
  wt_policy_verdict_t v;
  wt_policy_check_path(p, path, ops, &v);
  if (v.denied != denied)
    fail_msg("%s: denied %d, want %d (%s)", path, v.denied, denied,
             v.text ? v.text : "-");
  if (text != NULL)
    assert_string_equal(v.text, text);
}

static void decisions(void **state) {
  wt_policy_t *p = load(
      "{\"version\": 1, \"rules\": ["
      "{\"allow\": \"/sb/data/**\", \"ops\": [\"read\", \"stat\"]},"
      "{\"deny\": \"/sb/data/secret*\"},"
      "{\"allow\": \"/sb/out/*.txt\", \"ops\": [\"write\", \"create\"]},"
      "{\"allow\": \"/sb/[ab]?/x\", \"ops\": [\"read\"]}]}");
  (void)state;
  expect_path(p, "/sb/data", WT_PATH_OP_READ, false, NULL);
  expect_path(p, "/sb/data/a/b/c.txt", WT_PATH_OP_READ, false, NULL);
  expect_path(p, "/sb/data/a", WT_PATH_OP_WRITE, true, "no rule allows it");
  expect_path(p, "/sb/data/secret.key", WT_PATH_OP_READ, true,
              "rules[1]: deny /sb/data/secret* (all)");
  expect_path(p, "/sb/datax", WT_PATH_OP_READ, true, NULL);
  expect_path(p, "/sb/out/a.txt", WT_PATH_OP_WRITE | WT_PATH_OP_CREATE, false,
              NULL);
  expect_path(p, "/sb/out/d/a.txt", WT_PATH_OP_WRITE, true, NULL);
  expect_path(p, "/sb/out/a.txt", WT_PATH_OP_READ, true, NULL);
  expect_path(p, "/sb/a1/x", WT_PATH_OP_READ, false, NULL);
  expect_path(p, "/sb/c1/x", WT_PATH_OP_READ, true, NULL);
  expect_path(p, "/etc/passwd", WT_PATH_OP_STAT, true, "no rule allows it");
  wt_policy_free(p);
}

static void preopens_and_complain(void **state) {
  wt_policy_t *p = load(
      "{\"version\": 1, \"preopens\": {\"/ro\": \"read-only\", \"/rw\": "
      "\"read-write\", \"/no\": \"none\"}, \"rules\": [{\"deny\": "
      "\"/rw/log/**\", \"ops\": [\"delete\"], \"mode\": \"complain\"}]}");
  wt_policy_verdict_t v;
  (void)state;
  expect_path(p, "/ro/a", WT_PATH_OP_READ, false, NULL);
  expect_path(p, "/ro/a", WT_PATH_OP_WRITE, true, "preopens./ro: read-only");
  expect_path(p, "/rw/a", WT_PATH_OP_WRITE | WT_PATH_OP_DELETE, false, NULL);
  expect_path(p, "/no", WT_PATH_OP_STAT, true, "preopens./no: none");
  wt_policy_check_path(p, "/rw/log/x", WT_PATH_OP_DELETE, &v);
  assert_true(v.denied);
  assert_true(v.would);
  wt_policy_free(p);
}

static void calls_and_env(void **state) {
  wt_policy_t *p = load("{\"version\": 1, \"calls\": {\"deny\": [\"sock\", "
                        "\"random_get\"]}, \"env\": {\"deny\": [\"SECRET*\"]}}");
  wt_policy_verdict_t v;
  (void)state;
  wt_policy_check_call(p, WT_CALL_sock_send, &v);
  assert_true(v.denied);
  assert_string_equal(v.text, "calls.deny[0]: sock");
  wt_policy_check_call(p, WT_CALL_random_get, &v);
  assert_string_equal(v.text, "calls.deny[1]: random_get");
  wt_policy_check_call(p, WT_CALL_fd_write, &v);
  assert_false(v.denied);
  wt_policy_check_env(p, "SECRET_KEY", 10, &v);
  assert_true(v.denied);
  wt_policy_check_env(p, "HOME", 4, &v);
  assert_false(v.denied);
  wt_policy_free(p);
}

/* At least 30 malformed policies, each with its exact message. */
static void malformed(void **state) {
  static const char *const cases[][2] = {
      {"", "t.json:1:0: '[' or '{' expected near end of file"},
      {"{", "t.json:1:1: string or '}' expected near end of file"},
      {"{\"version\": 1,}", "t.json:1:15: string or '}' expected near '}'"},
      {"[]", "t.json: $: wants an object, not an array"},
      {"{}", "t.json: version: missing (this tool reads version 1)"},
      {"{\"version\": \"1\"}", "t.json: version: wants an integer, not a string"},
      {"{\"version\": 2}", "t.json: version: 2 is not supported (this tool reads 1)"},
      {"{\"version\": 1, \"version\": 1}",
       "t.json:1:24: duplicate object key near '\"version\"'"},
      {"{\"version\": 1, \"rulez\": []}",
       "t.json: $: unknown key \"rulez\" (known: version, mode, preopens, "
       "rules, calls, env, limits)"},
      {"{\"version\": 1, \"mode\": \"strict\"}",
       "t.json: mode: unknown mode \"strict\" (enforce or complain)"},
      {"{\"version\": 1, \"mode\": 1}",
       "t.json: mode: wants \"enforce\" or \"complain\", not an integer"},
      {"{\"version\": 1, \"rules\": {}}",
       "t.json: rules: wants an array of rules, not an object"},
      {"{\"version\": 1, \"rules\": [1]}",
       "t.json: rules[0]: wants an object, not an integer"},
      {"{\"version\": 1, \"rules\": [{}]}",
       "t.json: rules[0]: wants exactly one of \"allow\" and \"deny\""},
      {"{\"version\": 1, \"rules\": [{\"allow\": \"/a\", \"deny\": \"/b\"}]}",
       "t.json: rules[0]: wants exactly one of \"allow\" and \"deny\""},
      {"{\"version\": 1, \"rules\": [{\"allow\": \"/a\", \"op\": []}]}",
       "t.json: rules[0]: unknown key \"op\" (known: allow, deny, ops, mode)"},
      {"{\"version\": 1, \"rules\": [{\"allow\": 5}]}",
       "t.json: rules[0].allow: wants a path glob, not an integer"},
      {"{\"version\": 1, \"rules\": [{\"allow\": \"a/b\"}]}",
       "t.json: rules[0].allow: bad glob \"a/b\": a path glob is absolute "
       "(starts with '/')"},
      {"{\"version\": 1, \"rules\": [{\"deny\": \"/a/[bc\"}]}",
       "t.json: rules[0].deny: bad glob \"/a/[bc\": '[' without its ']'"},
      {"{\"version\": 1, \"rules\": [{\"deny\": \"/a/x**\"}]}",
       "t.json: rules[0].deny: bad glob \"/a/x**\": '**' must be a whole path "
       "component"},
      {"{\"version\": 1, \"rules\": [{\"deny\": \"/a//b\"}]}",
       "t.json: rules[0].deny: bad glob \"/a//b\": an empty component"},
      {"{\"version\": 1, \"rules\": [{\"deny\": \"/a/../b\"}]}",
       "t.json: rules[0].deny: bad glob \"/a/../b\": '.' and '..' components "
       "never match (paths are judged resolved)"},
      {"{\"version\": 1, \"rules\": [{\"deny\": \"/a\\\\\"}]}",
       "t.json: rules[0].deny: bad glob \"/a\\\": a trailing '\\' escapes "
       "nothing"},
      {"{\"version\": 1, \"rules\": [{\"allow\": \"/a\", \"ops\": [\"reed\"]}]}",
       "t.json: rules[0].ops[0]: unknown operation \"reed\" (read, write, "
       "create, delete, rename, link, symlink, readlink, stat, list)"},
      {"{\"version\": 1, \"rules\": [{\"allow\": \"/a\", \"ops\": []}]}",
       "t.json: rules[0].ops: an empty list of operations (omit \"ops\" for "
       "all)"},
      {"{\"version\": 1, \"rules\": [{\"allow\": \"/a\", \"mode\": \"log\"}]}",
       "t.json: rules[0].mode: unknown mode \"log\" (enforce or complain)"},
      {"{\"version\": 1, \"calls\": {\"deny\": [\"sock_sned\"]}}",
       "t.json: calls.deny[0]: \"sock_sned\" is neither a call nor a family "
       "of calls.def"},
      {"{\"version\": 1, \"calls\": {\"block\": []}}",
       "t.json: calls: unknown key \"block\" (known: allow, deny)"},
      {"{\"version\": 1, \"calls\": {\"deny\": \"sock\"}}",
       "t.json: calls.deny: wants an array of call or family names, not a "
       "string"},
      {"{\"version\": 1, \"calls\": {\"allow\": [\"fd\"], \"deny\": "
       "[\"fd_write\"]}}",
       "calls: fd_write is both allowed and denied (calls.deny[0]: "
       "fd_write)"},
      {"{\"version\": 1, \"env\": {\"allow\": [\"A\"], \"deny\": [\"B\"]}}",
       "t.json: env: give \"allow\" or \"deny\", not both"},
      {"{\"version\": 1, \"env\": {\"allow\": [\"A=B\"]}}",
       "t.json: env.allow[0]: \"A=B\" is not a variable name"},
      {"{\"version\": 1, \"limits\": {\"open_files\": 3}}",
       "t.json: limits: unknown key \"open_files\" (known: open_fds, "
       "bytes_written, bytes_written_per_file, files_created, bytes_read)"},
      {"{\"version\": 1, \"limits\": {\"open_fds\": -1}}",
       "t.json: limits.open_fds: -1 is negative"},
      {"{\"version\": 1, \"limits\": {\"bytes_read\": 1.5}}",
       "t.json: limits.bytes_read: wants a whole number, not a number"},
      {"{\"version\": 1, \"preopens\": {\"/a\": \"ro\"}}",
       "t.json: preopens./a: unknown preopen mode \"ro\" (read-only, "
       "read-write, none)"},
      {"{\"version\": 1, \"preopens\": {\"a\": \"none\"}}",
       "t.json: preopens.a: \"a\" is not an absolute guest path"},
      {"{\"version\": 1, \"rules\": [{\"allow\": \"/x\"}, {\"deny\": \"/x\"}]}",
       "rules[0]: allow /x (all) contradicts rules[1]: deny /x (all): both "
       "name \"/x\" for all"},
      {"{\"version\": 1, \"preopens\": {\"/ro\": \"read-only\"}, \"rules\": "
       "[{\"allow\": \"/ro/a/**\", \"ops\": [\"write\"]}]}",
       "rules[0]: allow /ro/a/** (write) contradicts preopens./ro: read-only: "
       "it allows write under /ro"},
  };
  (void)state;
  assert_true(sizeof cases / sizeof *cases >= 30);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const char *got = refusal(cases[i][0]);
    if (strcmp(got, cases[i][1]) != 0)
      fail_msg("case %zu: %s\n  got  %s\n  want %s", i, cases[i][0], got,
               cases[i][1]);
  }
}

/* Random mutations never crash the loader (ASan builds check memory). */
static void mutations(void **state) {
  static const char valid[] =
      "{\"version\": 1, \"mode\": \"enforce\", \"preopens\": {\"/sb\": "
      "\"read-only\"}, \"rules\": [{\"allow\": \"/sb/d/**\", \"ops\": "
      "[\"read\"]}, {\"deny\": \"/sb/d/[a-c]*?\\\\x\", \"mode\": "
      "\"complain\"}], \"calls\": {\"deny\": [\"sock\"]}, \"env\": "
      "{\"allow\": [\"P*\"]}, \"limits\": {\"open_fds\": 8}}";
  static const char alphabet[] = "{}[]\",:/*?\\ab01-!^ ";
  char buf[sizeof valid + 8];
  unsigned seed = 12345, accepted = 0;
  (void)state;
  for (int i = 0; i < 20000; i++) {
    size_t n = sizeof valid - 1;
    wt_policy_t *p;
    char err[512];
    memcpy(buf, valid, n + 1);
    for (int k = 0; k < 1 + i % 4; k++) {
      seed = seed * 1103515245u + 12345u;
      buf[(seed >> 8) % n] = alphabet[(seed >> 20) % (sizeof alphabet - 1)];
    }
    assert_int_equal(wt_policy_new(&p), 0);
    if (wt_policy_load_text(p, buf, n, "m.json", err, sizeof err) == 0 &&
        wt_policy_finish(p, err, sizeof err) == 0) {
      wt_policy_verdict_t v;
      wt_policy_check_path(p, "/sb/d/abx", WT_POLICY_ALL_OPS, &v);
      accepted++;
    } else {
      assert_true(strlen(err) > 0);
    }
    wt_policy_free(p);
  }
  /* Some mutations keep the policy valid (a letter in a glob). */
  assert_true(accepted > 0);
}

/* 1,000 rules: the trie finds the one that matters. */
static void many_rules(void **state) {
  wt_policy_t *p;
  char glob[64], text[64], err[256];
  (void)state;
  assert_int_equal(wt_policy_new(&p), 0);
  for (int i = 0; i < 1000; i++) {
    snprintf(glob, sizeof glob, "/sb/d%d/**", i);
    snprintf(text, sizeof text, "rule %d", i);
    assert_int_equal(wt_policy_add_path_rule(p, i % 2, glob, WT_PATH_OP_READ,
                                             -1, text, err, sizeof err),
                     0);
  }
  assert_int_equal(wt_policy_finish(p, err, sizeof err), 0);
  expect_path(p, "/sb/d998/x", WT_PATH_OP_READ, false, NULL);
  expect_path(p, "/sb/d999/x", WT_PATH_OP_READ, true, "rule 999");
  expect_path(p, "/sb/d1000/x", WT_PATH_OP_READ, true, "no rule allows it");
  wt_policy_free(p);
}

/* ---- the layer over the core ---------------------------------------------- */

typedef struct log_s {
  unsigned n;
  wt_denial_t last;
  char text[256], resolved[256], reason[64];
} log_t;

static void on_denial(void *ud, const wt_denial_t *d) {
  log_t *g = ud;
  g->n++;
  g->last = *d;
  snprintf(g->text, sizeof g->text, "%s", d->text ? d->text : "");
  snprintf(g->resolved, sizeof g->resolved, "%s",
           d->resolved ? d->resolved : "");
  snprintf(g->reason, sizeof g->reason, "%s", d->reason ? d->reason : "");
}

static void layer(void **state) {
  wt_test_env_t env;
  wt_policy_t *p = load(
      "{\"version\": 1, \"rules\": [{\"allow\": \"/sandbox/**\", \"ops\": "
      "[\"read\", \"stat\", \"list\"]}, {\"allow\": \"/sandbox/out/**\"}], "
      "\"calls\": {\"deny\": [\"random_get\"]}, \"limits\": {\"open_fds\": 2, "
      "\"bytes_written_per_file\": 10}, \"env\": {\"deny\": [\"SECRET\"]}}");
  const char *envp[] = {"A=1", "SECRET=x", NULL};
  wt_policy_layer_t *l;
  const wt_api_t *api = wt_policy_api();
  log_t g;
  wt_fd_t a, b, c;
  uint8_t rnd[4];
  struct stat st;
  char host[600];
  (void)state;
  memset(&g, 0, sizeof g);
  wt_test_open(&env);
  wt_test_mkdir(&env, "out");
  wt_test_write_file(&env, "in.txt", "hello");
  assert_int_equal(wt_policy_layer_open(p, wt_core_api(), env.w, env.w, envp,
                                        on_denial, &g, &l),
                   0);
  /* Read allowed, write into the read-only part denied (resolved path). */
  assert_ok(api->path_open(l, DIRFD, 0, "out/../in.txt", 13, 0,
                           WT_RIGHT_FD_READ, 0, 0, &a));
  assert_int_equal(g.n, 0);
  assert_errno(api->path_open(l, DIRFD, 0, "out/../new.txt", 14, WT_O_CREAT,
                              WT_RIGHT_FD_WRITE, 0, 0, &b),
               WT_ENOTCAPABLE);
  assert_int_equal(g.n, 1);
  assert_string_equal(wt_deny_source_name(g.last.source), "policy");
  assert_string_equal(g.resolved, "/sandbox/new.txt");
  assert_string_equal(g.text, "no rule allows it");
  snprintf(host, sizeof host, "%s/new.txt", env.root);
  assert_int_equal(lstat(host, &st), -1);
  /* A sandbox escape: source sandbox, never the policy. */
  assert_errno(api->path_open(l, DIRFD, 0, "../x", 4, 0, WT_RIGHT_FD_READ, 0,
                              0, &b),
               WT_ENOTCAPABLE);
  assert_int_equal(g.n, 2);
  assert_string_equal(wt_deny_source_name(g.last.source), "sandbox");
  assert_string_equal(g.reason, "dotdot");
  /* Per-file bytes: 10 allowed, the 11th refused with EDQUOT. */
  assert_ok(api->path_open(l, DIRFD, 0, "out/o.txt", 9, WT_O_CREAT,
                           WT_RIGHT_FD_WRITE, 0, 0, &b));
  {
    wt_ciovec_t iov = {(const uint8_t *)"0123456789x", 10};
    uint32_t n;
    assert_ok(api->fd_write(l, b, &iov, 1, &n));
    iov.buf_len = 1;
    assert_errno(api->fd_write(l, b, &iov, 1, &n), WT_EDQUOT);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.text, "limits.bytes_written_per_file: 10");
  }
  /* open_fds: two are open, a third is EMFILE. */
  assert_errno(api->path_open(l, DIRFD, 0, "in.txt", 6, 0, WT_RIGHT_FD_READ, 0,
                              0, &c),
               WT_EMFILE);
  assert_int_equal(g.n, 4);
  assert_ok(api->fd_close(l, a));
  assert_ok(api->path_open(l, DIRFD, 0, "in.txt", 6, 0, WT_RIGHT_FD_READ, 0, 0,
                           &c));
  /* A denied call does nothing. */
  assert_errno(api->random_get(l, rnd, 4), WT_ENOTCAPABLE);
  assert_int_equal(g.n, 5);
  assert_string_equal(g.text, "calls.deny[0]: random_get");
  /* The hidden variable: not seen, one denial at environ_get. */
  {
    uint32_t cnt, size;
    uint8_t offs[16], buf[64];
    wt_strtab_t t = {offs, 4, buf, sizeof buf, 0, 0};
    assert_ok(api->environ_sizes_get(l, &cnt, &size));
    assert_int_equal(cnt, 1);
    assert_int_equal(size, 4);
    assert_ok(api->environ_get(l, &t));
    assert_string_equal((char *)buf, "A=1");
    assert_int_equal(g.n, 6);
    assert_string_equal(g.text, "env: hides SECRET");
  }
  assert_int_equal(wt_policy_layer_denials(l), 6);
  wt_policy_layer_close(l);
  wt_policy_free(p);
  wt_test_close(&env);
}

/* With no limits, calls no rule names skip the layer's questions (its
 * fast path): the core's refusals are still logged once, as rights, and
 * a denied call is still denied. */
static void fast_path(void **state) {
  wt_test_env_t env;
  wt_policy_t *p = load("{\"version\": 1, \"rules\": [{\"allow\": "
                        "\"/sandbox/**\", \"ops\": [\"read\"]}], "
                        "\"calls\": {\"deny\": [\"random_get\"]}}");
  wt_policy_layer_t *l;
  const wt_api_t *api = wt_policy_api();
  wt_ciovec_t iov = {(const uint8_t *)"x", 1};
  log_t g;
  wt_fd_t fd;
  uint32_t n;
  uint8_t rnd[4];
  (void)state;
  memset(&g, 0, sizeof g);
  wt_test_open(&env);
  wt_test_write_file(&env, "in.txt", "hello");
  assert_int_equal(wt_policy_layer_open(p, wt_core_api(), env.w, env.w, NULL,
                                        on_denial, &g, &l),
                   0);
  assert_ok(api->fd_write(l, 1, &iov, 1, &n));
  assert_ok(api->path_open(l, DIRFD, 0, "in.txt", 6, 0, WT_RIGHT_FD_READ, 0,
                           0, &fd));
  assert_int_equal(g.n, 0);
  assert_errno(api->fd_write(l, fd, &iov, 1, &n), WT_ENOTCAPABLE);
  assert_int_equal(g.n, 1);
  assert_string_equal(wt_deny_source_name(g.last.source), "rights");
  assert_int_equal(g.last.fd, fd);
  assert_int_equal(g.last.call, WT_CALL_fd_write);
  /* A path the policy refuses: once, as policy, not again as rights. */
  assert_errno(api->path_open(l, DIRFD, 0, "in.txt", 6, WT_O_TRUNC,
                              WT_RIGHT_FD_WRITE, 0, 0, &fd),
               WT_ENOTCAPABLE);
  assert_int_equal(g.n, 2);
  assert_string_equal(wt_deny_source_name(g.last.source), "policy");
  assert_errno(api->random_get(l, rnd, 4), WT_ENOTCAPABLE);
  assert_int_equal(g.n, 3);
  assert_string_equal(g.text, "calls.deny[0]: random_get");
  assert_int_equal(wt_policy_layer_denials(l), 3);
  wt_policy_layer_close(l);
  wt_policy_free(p);
  wt_test_close(&env);
}

/* A SYMLINK_FOLLOW open is judged tentatively first (core.h): whatever
 * the route, each refusal is logged once, as the followed path, and a
 * complain-mode or limit refusal is never logged from the tentative
 * question. */
static void follow_reports_once(void **state) {
  wt_test_env_t env;
  wt_policy_t *p = load(
      "{\"version\": 1, \"rules\": [{\"allow\": \"/sandbox/**\", \"ops\": "
      "[\"read\", \"write\", \"create\"]}, {\"deny\": \"/sandbox/secret\", "
      "\"ops\": [\"read\"]}, {\"deny\": \"/sandbox/soft\", \"ops\": "
      "[\"read\"], \"mode\": \"complain\"}], \"limits\": "
      "{\"files_created\": 1}}");
  wt_policy_layer_t *l;
  const wt_api_t *api = wt_policy_api();
  const uint32_t fl = WT_LOOKUP_SYMLINK_FOLLOW;
  log_t g;
  wt_fd_t fd;
  (void)state;
  memset(&g, 0, sizeof g);
  wt_test_open(&env);
  wt_test_write_file(&env, "secret", "s");
  wt_test_write_file(&env, "soft", "s");
  wt_test_write_file(&env, "ok", "k");
  wt_test_symlink(&env, "secret", "to_secret");
  wt_test_symlink(&env, "soft", "to_soft");
  wt_test_symlink(&env, "ok", "secret_name");
  assert_int_equal(wt_policy_layer_open(p, wt_core_api(), env.w, env.w, NULL,
                                        on_denial, &g, &l),
                   0);
  assert_errno(api->path_open(l, DIRFD, fl, "secret", 6, 0, WT_RIGHT_FD_READ,
                              0, 0, &fd),
               WT_ENOTCAPABLE);
  assert_int_equal(g.n, 1);
  assert_string_equal(g.resolved, "/sandbox/secret");
  assert_errno(api->path_open(l, DIRFD, fl, "to_secret", 9, 0,
                              WT_RIGHT_FD_READ, 0, 0, &fd),
               WT_ENOTCAPABLE);
  assert_int_equal(g.n, 2);
  assert_string_equal(g.resolved, "/sandbox/secret");
  /* Complain mode: the guest succeeds, one would-be denial each. */
  assert_ok(api->path_open(l, DIRFD, fl, "soft", 4, 0, WT_RIGHT_FD_READ, 0, 0,
                           &fd));
  assert_ok(api->fd_close(l, fd));
  assert_int_equal(g.n, 3);
  assert_true(g.last.would);
  assert_ok(api->path_open(l, DIRFD, fl, "to_soft", 7, 0, WT_RIGHT_FD_READ, 0,
                           0, &fd));
  assert_ok(api->fd_close(l, fd));
  assert_int_equal(g.n, 4);
  assert_string_equal(g.resolved, "/sandbox/soft");
  /* A link whose own name would be refused, to an allowed file. */
  assert_ok(api->path_open(l, DIRFD, fl, "secret_name", 11, 0,
                           WT_RIGHT_FD_READ, 0, 0, &fd));
  assert_ok(api->fd_close(l, fd));
  assert_int_equal(g.n, 4);
  /* files_created: one file made, the second refused and logged once. */
  assert_ok(api->path_open(l, DIRFD, fl, "new1", 4, WT_O_CREAT,
                           WT_RIGHT_FD_WRITE, 0, 0, &fd));
  assert_ok(api->fd_close(l, fd));
  assert_int_equal(g.n, 4);
  assert_errno(api->path_open(l, DIRFD, fl, "new2", 4, WT_O_CREAT,
                              WT_RIGHT_FD_WRITE, 0, 0, &fd),
               WT_EDQUOT);
  assert_int_equal(g.n, 5);
  assert_string_equal(g.text, "limits.files_created: 1");
  /* An existing file opened with CREAT through a link creates nothing. */
  assert_ok(api->path_open(l, DIRFD, fl, "secret_name", 11, WT_O_CREAT,
                           WT_RIGHT_FD_WRITE, 0, 0, &fd));
  assert_ok(api->fd_close(l, fd));
  assert_int_equal(wt_policy_layer_denials(l), 5);
  wt_policy_layer_close(l);
  wt_policy_free(p);
  wt_test_close(&env);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(decisions),     cmocka_unit_test(preopens_and_complain),
      cmocka_unit_test(calls_and_env), cmocka_unit_test(malformed),
      cmocka_unit_test(mutations),     cmocka_unit_test(many_rules),
      cmocka_unit_test(layer),         cmocka_unit_test(fast_path),
      cmocka_unit_test(follow_reports_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
