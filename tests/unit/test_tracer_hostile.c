/*
 * Hostile traces: a valid recorded trace, changed the way an attacker (or
 * a damaged disk) would change it, must be refused with a message naming
 * what is wrong, before any runaway work: a recursive view in place of a
 * table, triggers, generated columns, values of the wrong type or range,
 * rows out of order, references that multiply the bytes read; for JSON
 * Lines, lines too complex or too deep, repeated keys, wrong numbers, NUL
 * bytes, invalid UTF-8, records out of order.
 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_tracer_util.h"

/* Test hooks of the SQLite reader (tracer/internal.h). */
extern uint64_t wt__sqlite_budget_override;
extern bool wt__sqlite_schema_unchecked;

/* Records a small trace: a clock read, a 4 KiB write (a payload stored in
 * a chunk of `blobs`), a failed write, and a file opened and closed (fd
 * transitions). Returns the calls recorded. */
static uint64_t record(tt_t *t, const char *file, bool jsonl) {
  static uint8_t big[4096];
  wt_ciovec_t v = {(const uint8_t *)"hello", 5}, b = {big, sizeof big};
  wt_timestamp_t now;
  wt_fd_t fd;
  uint32_t n;
  uint64_t calls;
  memset(big, 'x', sizeof big);
  tt_open(t, file, jsonl, WT_CAPTURE_FULL);
  assert_ok(t->api->clock_time_get(t->tr, WT_CLOCK_MONOTONIC, 1, &now));
  assert_ok(t->api->fd_write(t->tr, 1, &b, 1, &n));
  assert_errno(t->api->fd_write(t->tr, 99, &v, 1, &n), WT_EBADF);
  assert_ok(t->api->path_open(t->tr, WT_TEST_DIRFD, 0, "f.txt", 5,
                              WT_O_CREAT, WT_RIGHT_FD_WRITE, 0, 0, &fd));
  assert_ok(t->api->fd_close(t->tr, fd));
  calls = wt_tracer_calls(t->tr);
  tt_finish(t, NULL);
  return calls;
}

/* The trace opens; reading its calls fails with a message containing
 * want. Returns the calls read before the failure. */
static uint64_t refused_at_read(const char *path, const char *want) {
  wt_trace_t *tr;
  const wt_trace_call_t *c;
  uint64_t n = 0;
  int rc;
  if (wt_trace_open(path, &tr) < 0)
    fail_msg("open %s: %s", path, wt_trace_error());
  while ((rc = wt_trace_next(tr, &c)) == 1)
    n++;
  wt_trace_close(tr);
  if (rc != -1)
    fail_msg("read %s to its end (%llu calls); want a failure containing "
             "\"%s\"",
             path, (unsigned long long)n, want);
  tt_assert_has(wt_trace_error(), want);
  return n;
}

/* The recursive view: rows forever, every column the reader asks for. */
#define ENDLESS_CALLS                                                        \
  "DROP VIEW IF EXISTS payloads; DROP TABLE calls;"                          \
  "CREATE VIEW calls AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL "         \
  "SELECT x + 1 FROM r) SELECT x AS seq, 'sched_yield' AS call, "            \
  "'SUCCESS' AS errno, 0 AS start_ns, 0 AS dur_ns, x'' AS args_bin, "        \
  "x'' AS results_bin, NULL AS p_kind, NULL AS p_size, NULL AS p_digest, "   \
  "NULL AS p_data, NULL AS p_ref FROM r;"

/* ---- SQLite: the schema ------------------------------------------------ */

static void test_recursive_view_calls(void **state) {
  tt_t t;
  (void)state;
  record(&t, "view.db", false);
  tt_exec(t.trace, ENDLESS_CALLS);
  tt_refused_at_open(t.trace, "schema entry `calls` is a view");
  tt_close(&t);
}

static void test_recursive_view_meta(void **state) {
  tt_t t;
  (void)state;
  record(&t, "meta.db", false);
  tt_exec(t.trace, "CREATE TABLE m2 AS SELECT * FROM meta; DROP TABLE meta;"
                  "CREATE VIEW meta AS WITH RECURSIVE r(x) AS (SELECT 1 "
                  "UNION ALL SELECT x + 1 FROM r) SELECT 'k' || x AS key, "
                  "'int' AS type, x AS value FROM r;");
  tt_refused_at_open(t.trace, "schema entry `meta` is a view");
  tt_close(&t);
}

static void test_other_view(void **state) {
  tt_t t;
  (void)state;
  record(&t, "other.db", false);
  tt_exec(t.trace, "CREATE VIEW extra AS SELECT 1");
  tt_refused_at_open(t.trace, "schema entry `extra` is a view");
  tt_close(&t);
}

static void test_trigger(void **state) {
  tt_t t;
  (void)state;
  record(&t, "trigger.db", false);
  tt_exec(t.trace, "CREATE TRIGGER tr AFTER INSERT ON calls BEGIN "
                  "DELETE FROM meta; END");
  tt_refused_at_open(t.trace, "schema entry `tr` is a trigger");
  tt_close(&t);
}

static void test_generated_column(void **state) {
  tt_t t;
  (void)state;
  record(&t, "generated.db", false);
  tt_exec(t.trace, "ALTER TABLE denials ADD COLUMN g AS (length(rule) * 2)");
  tt_refused_at_open(t.trace, "table denials has generated columns");
  tt_close(&t);
}

static void test_virtual_table(void **state) {
  tt_t t;
  sqlite3 *db;
  int rc;
  (void)state;
  record(&t, "virtual.db", false);
  if (sqlite3_open_v2(t.trace, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    fail_msg("open: %s", sqlite3_errmsg(db));
  rc = sqlite3_exec(db,
                    "DROP TABLE denials; CREATE VIRTUAL TABLE denials USING "
                    "fts4(seq, source, fd, right, rule)",
                    NULL, NULL, NULL);
  sqlite3_close(db);
  if (rc != SQLITE_OK) {
    tt_close(&t);
    skip(); /* this SQLite has no FTS4 */
  }
  tt_refused_at_open(t.trace, "schema entry `denials` is a virtual table");
  tt_close(&t);
}

/* The budget alone ends a query that would never end: the schema check
 * (which refuses the view first) is turned off for this test. */
static void test_budget_ends_endless_query(void **state) {
  tt_t t;
  (void)state;
  record(&t, "budget.db", false);
  tt_exec(t.trace, ENDLESS_CALLS);
  wt__sqlite_schema_unchecked = true;
  wt__sqlite_budget_override = 10000; /* ticks of 1000 steps */
  refused_at_read(t.trace, "took more work than a trace of");
  tt_close(&t);
}

/* The same budget spares an honest trace: it is read a row at a time, and
 * no step of it runs long. */
static void test_budget_spares_honest_reads(void **state) {
  tt_t t;
  uint64_t n;
  (void)state;
  n = record(&t, "honest.db", false);
  wt__sqlite_budget_override = 10000;
  assert_int_equal(tt_read_all(t.trace), n);
  tt_close(&t);
}

/* The hooks back to normal whatever a test did. */
static int reset_hooks(void **state) {
  (void)state;
  wt__sqlite_schema_unchecked = false;
  wt__sqlite_budget_override = 0;
  return 0;
}

/* ---- SQLite: the values ------------------------------------------------ */

static void test_null_module(void **state) {
  tt_t t;
  (void)state;
  record(&t, "nullmod.db", false);
  tt_exec(t.trace, "UPDATE meta SET value = NULL WHERE key = 'module'");
  tt_refused_at_open(t.trace, "meta module: the value is NULL, not BLOB");
  tt_close(&t);
}

static void test_meta_wrong_types(void **state) {
  tt_t t;
  (void)state;
  record(&t, "metatypes.db", false);
  tt_exec(t.trace,
         "UPDATE meta SET value = '3' WHERE key = 'format_version'");
  tt_refused_at_open(t.trace,
                  "meta format_version: the value is TEXT, not INTEGER");
  tt_exec(t.trace, "UPDATE meta SET value = 3 WHERE key = 'format_version';"
                  "UPDATE meta SET value = '[1, 2' WHERE key = 'argv'");
  tt_refused_at_open(t.trace, "meta argv: the value is not JSON");
  tt_exec(t.trace, "UPDATE meta SET value = '[]' WHERE key = 'argv';"
                  "UPDATE meta SET type = 'float' WHERE key = 'argv'");
  tt_refused_at_open(t.trace, "meta argv: the type is not int");
  tt_close(&t);
}

static void test_too_many_meta(void **state) {
  tt_t t;
  (void)state;
  record(&t, "manymeta.db", false);
  tt_exec(t.trace, "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                  "FROM r LIMIT 5000) INSERT INTO meta SELECT 'k' || x, "
                  "'int', x FROM r");
  tt_refused_at_open(t.trace, "more than 4096 metadata entries");
  tt_close(&t);
}

static void test_text_in_integer_column(void **state) {
  tt_t t;
  (void)state;
  record(&t, "text.db", false);
  tt_exec(t.trace, "UPDATE calls SET start_ns = 'soon' WHERE seq = 3");
  assert_int_equal(refused_at_read(t.trace, "row seq=3 of calls: start_ns is "
                                            "TEXT, not an integer"),
                   2);
  tt_close(&t);
}

static void test_wrong_types(void **state) {
  static const struct {
    const char *sql, *want;
  } cases[] = {
      {"UPDATE calls SET call = x'6664' WHERE seq = 1",
       "row seq=1 of calls: call is BLOB, not text"},
      {"UPDATE calls SET errno = x'07' WHERE seq = 1",
       "row seq=1 of calls: errno is BLOB, not text"},
      {"UPDATE calls SET call = 'fd_explode' WHERE seq = 1",
       "row seq=1 of calls: unknown call name"},
      {"UPDATE calls SET args_bin = 'abc' WHERE seq = 1",
       "row seq=1 of calls: args_bin is TEXT, not a blob"},
      {"UPDATE calls SET dur_ns = 1.5 WHERE seq = 1",
       "row seq=1 of calls: dur_ns is REAL, not an integer"},
      {"UPDATE calls SET p_size = -5 WHERE seq = 2",
       "row seq=2 of calls: payload size -5 is out of range"},
      {"UPDATE calls SET p_kind = 3 WHERE seq = 2",
       "row seq=2 of calls: payload kind 3 is not one a trace has"},
      {"UPDATE calls SET p_ref = NULL, p_data = x'00', p_size = 1000000000000 "
       "WHERE seq = 2",
       "row seq=2 of calls: payload of argument 1: a full capture without all "
       "its bytes"},
      {"UPDATE calls SET p_size = 2147483648 WHERE seq = 2",
       "row seq=2 of calls: payload reference"},
      {"UPDATE calls SET p_ref = 999 << 32 WHERE seq = 2",
       "row seq=2 of calls: payload reference to blobs row 999"},
      {"UPDATE transitions SET fd = 1 << 40 WHERE seq = 4",
       "row seq=4 of transitions: fd 1099511627776 is out of range"},
      {"UPDATE transitions SET kind = 'FD_MELTED' WHERE seq = 4",
       "row seq=4 of transitions: unknown transition kind"},
      {"INSERT INTO denials(seq, source) VALUES (1, x'00')",
       "row seq=1 of denials: source is BLOB, not text"},
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tt_t t;
    char name[32];
    snprintf(name, sizeof name, "types%zu.db", i);
    record(&t, name, false);
    tt_exec(t.trace, cases[i].sql);
    refused_at_read(t.trace, cases[i].want);
    tt_close(&t);
  }
}

static void test_rows_out_of_order(void **state) {
  tt_t t;
  (void)state;
  /* Call 4's rows (the path_open: an FD_OPENED transition) left behind
   * when the call moves to the end. */
  record(&t, "order.db", false);
  tt_exec(t.trace, "UPDATE calls SET seq = 100 WHERE seq = 4");
  refused_at_read(t.trace, "row seq=4 of transitions: no call has this seq");
  tt_close(&t);
  /* A side row past the last call. */
  record(&t, "orphan.db", false);
  tt_exec(t.trace, "INSERT INTO denials(seq, source) VALUES (77, 'rights')");
  refused_at_read(t.trace, "row seq=77 of denials: no call has this seq");
  tt_close(&t);
  /* seq no longer a key: a repeated one. */
  record(&t, "repeat.db", false);
  tt_exec(t.trace, "DROP VIEW payloads; DROP VIEW file_calls; CREATE TABLE"
                  " c2 AS SELECT * FROM calls; DROP TABLE calls;"
                  " ALTER TABLE c2 RENAME TO calls;"
                  "UPDATE calls SET seq = 1 WHERE seq = 2");
  refused_at_read(t.trace, "row seq=1 of calls: seq does not follow the "
                           "previous call's (1)");
  tt_close(&t);
}

/* Many payload rows pointing at the same 4 KiB of `blobs`: more bytes
 * than the file holds, refused rather than copied again and again. */
static void test_references_multiplied(void **state) {
  tt_t t;
  (void)state;
  record(&t, "refs.db", false);
  tt_exec(t.trace, "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                  "FROM r LIMIT 2000) INSERT INTO more_payloads(seq, kind, "
                  "size, digest, data, ref) SELECT 2, p_kind, p_size, NULL, "
                  "NULL, p_ref FROM calls, r WHERE calls.seq = 2");
  refused_at_read(t.trace, "row seq=2 of more_payloads: its bytes add up to "
                           "more than the trace holds");
  tt_close(&t);
}

/* ---- JSON Lines -------------------------------------------------------- */

/* Replaces the first `from` in the trace by `to` (which may hold NULs:
 * to_len bytes). */
static void jl_replace(const char *path, const char *from, const char *to,
                       size_t to_len) {
  size_t len, k = strlen(from);
  char *s = tt_slurp(path, &len), *p = strstr(s, from), *out;
  if (p == NULL)
    fail_msg("%s: no \"%s\" in the trace", path, from);
  out = malloc(len - k + to_len);
  if (out == NULL)
    fail_msg("out of memory");
  memcpy(out, s, (size_t)(p - s));
  memcpy(out + (p - s), to, to_len);
  memcpy(out + (p - s) + to_len, p + k, len - (size_t)(p - s) - k);
  tt_spit(path, out, len - k + to_len);
  free(out);
  free(s);
}

static void jl_sub(const char *path, const char *from, const char *to) {
  jl_replace(path, from, to, strlen(to));
}

/* Inserts a line after the first (the format record). */
static void jl_insert_line(const char *path, const char *line) {
  size_t len, n = strlen(line);
  char *s = tt_slurp(path, &len), *nl = strchr(s, '\n'), *out;
  size_t at = (size_t)(nl - s) + 1;
  out = malloc(len + n + 1);
  if (out == NULL)
    fail_msg("out of memory");
  memcpy(out, s, at);
  memcpy(out + at, line, n);
  out[at + n] = '\n';
  memcpy(out + at + n + 1, s + at, len - at);
  tt_spit(path, out, len + n + 1);
  free(out);
  free(s);
}

static void test_jsonl_damage(void **state) {
  static const struct {
    const char *from, *to, *want;
  } cases[] = {
      {"\"seq\":1,", "\"seq\":\"abc\",", "bad call record"},
      {"\"seq\":1,", "\"seq\":\"-1\",", "bad call record"},
      {"\"seq\":1,", "\"seq\":\"99999999999999999999\",",
       "bad call record"},
      {"\"seq\":1,", "\"seq\":1,\"seq\":1,", "duplicate object key"},
      {"\"seq\":2,", "\"seq\":1,", "call seq=1 does not follow the previous "
                                   "call's (1)"},
      {"\"seq\":1,", "\"seq\":0,", "call seq=0 does not follow"},
      {"\"type\":\"call\",\"seq\":3", "\"type\":\"cal\",\"seq\":3",
       "not a meta, call or fd record"},
      {"\"call\":\"clock_time_get\"", "\"call\":\"clock\\u00e9\xff\"",
       "unable to decode byte 0xff"},
      {"\"errno\":\"SUCCESS\"", "\"errno\":\"SUCCESS\",\"e\":1e999999",
       "real number overflow"},
      {"\"capture\":\"full\",\"size\":4096",
       "\"capture\":\"full\",\"size\":4097",
       "a full capture without all its bytes"},
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tt_t t;
    char name[32];
    snprintf(name, sizeof name, "damage%zu.jsonl", i);
    record(&t, name, true);
    jl_sub(t.trace, cases[i].from, cases[i].to);
    /* A line broken in the first pass stops the open; one read in the
       second pass stops the read. */
    {
      wt_trace_t *tr;
      const wt_trace_call_t *c;
      int rc = -1;
      if (wt_trace_open(t.trace, &tr) == 0) {
        while ((rc = wt_trace_next(tr, &c)) == 1)
          ;
        wt_trace_close(tr);
      }
      if (rc != -1)
        fail_msg("case %zu read to its end; want \"%s\"", i, cases[i].want);
      tt_assert_has(wt_trace_error(), cases[i].want);
      tt_assert_has(wt_trace_error(), ": line ");
    }
    tt_close(&t);
  }
}

static void test_jsonl_nul_byte(void **state) {
  tt_t t;
  (void)state;
  record(&t, "nul.jsonl", true);
  jl_replace(t.trace, "\"errno\":\"SUCCESS\"", "\"errno\":\"SUC\0ESS\"", 17);
  refused_at_read(t.trace, "control character 0x0");
  tt_close(&t);
}

static void test_jsonl_deep_nesting(void **state) {
  tt_t t;
  size_t depth = 100000;
  char *line = malloc(2 * depth + 100);
  size_t n;
  (void)state;
  assert_non_null(line);
  n = (size_t)sprintf(line, "{\"type\":\"meta\",\"key\":\"x\",\"vtype\":"
                            "\"json\",\"value\":");
  memset(line + n, '[', depth);
  memset(line + n + depth, ']', depth);
  strcpy(line + n + 2 * depth, "}");
  record(&t, "deep.jsonl", true);
  jl_insert_line(t.trace, line);
  tt_refused_at_open(t.trace, "line 2: maximum parsing depth reached");
  tt_close(&t);
  free(line);
}

static void test_jsonl_too_many_values(void **state) {
  tt_t t;
  size_t values = (1u << 22) + 10;
  char *line = malloc(2 * values + 100);
  size_t n;
  (void)state;
  assert_non_null(line);
  n = (size_t)sprintf(line, "{\"type\":\"meta\",\"key\":\"x\",\"vtype\":"
                            "\"json\",\"value\":[");
  for (size_t i = 0; i < values; i++) {
    line[n++] = '0';
    line[n++] = ',';
  }
  strcpy(line + n, "0]}");
  record(&t, "values.jsonl", true);
  jl_insert_line(t.trace, line);
  tt_refused_at_open(t.trace, "line 2: more than 4194304 JSON values");
  tt_close(&t);
  free(line);
}

/* An empty module blob: opens (an empty blob, no copy from NULL). */
static void test_jsonl_empty_module(void **state) {
  tt_t t;
  wt_trace_t *tr;
  const wt_trace_meta_t *m;
  size_t len;
  char *s, *p, *q;
  (void)state;
  record(&t, "empty.jsonl", true);
  s = tt_slurp(t.trace, &len);
  p = strstr(s, "\"key\":\"module\"");
  assert_non_null(p);
  p = strstr(p, "\"value\":\"") + 9;
  q = strchr(p, '"');
  memmove(p, q, strlen(q) + 1);
  tt_spit(t.trace, s, strlen(s));
  free(s);
  if (wt_trace_open(t.trace, &tr) < 0)
    fail_msg("open: %s", wt_trace_error());
  m = wt_trace_meta_get(tr, "module");
  assert_non_null(m);
  assert_int_equal(m->type, WT_META_BLOB);
  assert_int_equal(m->len, 0);
  wt_trace_close(tr);
  tt_close(&t);
}

/* A call whose keys come in another order is read, not dropped. */
static void test_jsonl_key_order(void **state) {
  tt_t t;
  uint64_t n;
  (void)state;
  n = record(&t, "order.jsonl", true);
  jl_sub(t.trace, "{\"type\":\"call\",\"seq\":1,",
         "{\"seq\":1,\"type\":\"call\",");
  assert_int_equal(tt_read_all(t.trace), n);
  tt_close(&t);
}

/* A last line cut short: read up to it, and marked truncated. */
static void test_jsonl_truncated(void **state) {
  tt_t t;
  wt_trace_t *tr;
  const wt_trace_call_t *c;
  uint64_t n, got = 0;
  size_t len;
  char *s, *last;
  int rc;
  (void)state;
  n = record(&t, "cut.jsonl", true);
  s = tt_slurp(t.trace, &len);
  /* Drop the end records (metadata written at the finish), then cut the
     last call line in half. */
  last = strstr(s, "{\"type\":\"call\",\"seq\":5,");
  assert_non_null(last);
  tt_spit(t.trace, s, (size_t)(last - s) + 30);
  free(s);
  if (wt_trace_open(t.trace, &tr) < 0)
    fail_msg("open: %s", wt_trace_error());
  assert_true(wt_trace_truncated(tr));
  while ((rc = wt_trace_next(tr, &c)) == 1)
    got++;
  wt_trace_close(tr);
  assert_int_equal(rc, 0);
  assert_int_equal(got, n - 1);
  tt_close(&t);
}

/* ---- denials: format 4's columns ------------------------------------ */

/* Records one call the sandbox refuses ('..' above the preopen): seq 1. */
static void record_escape(tt_t *t, const char *file, bool jsonl) {
  wt_fd_t fd;
  tt_open(t, file, jsonl, WT_CAPTURE_FULL);
  assert_errno(t->api->path_open(t->tr, WT_TEST_DIRFD, 0, "../up", 5,
                                 0, WT_RIGHT_FD_READ, 0, 0, &fd),
               WT_ENOTCAPABLE);
  tt_finish(t, NULL);
}

/* The first denial of the trace, copied out: 0 when there is none. */
typedef struct den_s {
  int source, rule_index, would;
  char rule[256], reason[64], preopen[256], path[256];
  bool has_resolved;
} den_t;

static int first_denial(const char *path, den_t *out) {
  wt_trace_t *tr;
  const wt_trace_call_t *c;
  int rc, found = 0;
  memset(out, 0, sizeof *out);
  if (wt_trace_open(path, &tr) < 0)
    fail_msg("open %s: %s", path, wt_trace_error());
  while ((rc = wt_trace_next(tr, &c)) == 1)
    if (!found && c->ndenials > 0) {
      const wt_trace_denial_t *d = &c->denials[0];
      found = 1;
      out->source = d->source;
      out->rule_index = d->rule_index;
      out->would = d->would;
      snprintf(out->rule, sizeof out->rule, "%s", d->rule ? d->rule : "(null)");
      snprintf(out->reason, sizeof out->reason, "%s",
               d->reason ? d->reason : "(null)");
      snprintf(out->preopen, sizeof out->preopen, "%s",
               d->preopen ? d->preopen : "(null)");
      snprintf(out->path, sizeof out->path, "%s", d->path ? d->path : "(null)");
      out->has_resolved = d->resolved != NULL;
    }
  wt_trace_close(tr);
  if (rc != 0)
    fail_msg("read %s: %s", path, wt_trace_error());
  return found;
}

static void check_escape(const den_t *d) {
  assert_int_equal(d->source, WT_DENIAL_SANDBOX);
  assert_string_equal(d->reason, "dotdot");
  assert_string_equal(d->path, "../up");
  assert_string_equal(d->preopen, "/sandbox");
  assert_string_equal(d->rule,
                      wt_sandbox_reason_description(WT_SANDBOX_DOTDOT));
  assert_int_equal(d->rule_index, -1);
  assert_int_equal(d->would, 0);
  assert_false(d->has_resolved);
}

/* A sandbox refusal is recorded with its reason, in both encodings and
 * through the converter. */
static void test_denial_columns(void **state) {
  tt_t t, u;
  den_t d;
  char conv[320];
  (void)state;
  record_escape(&t, "den.db", false);
  assert_int_equal(first_denial(t.trace, &d), 1);
  check_escape(&d);
  assert_string_equal(tt_query(t.trace, "SELECT reason FROM denials"),
                      "dotdot");
  snprintf(conv, sizeof conv, "%s.jsonl", t.trace);
  if (wt_trace_convert(t.trace, conv, WT_TRACE_JSONL) < 0)
    fail_msg("convert: %s", wt_trace_error());
  assert_int_equal(first_denial(conv, &d), 1);
  check_escape(&d);
  record_escape(&u, "den.jsonl", true);
  assert_int_equal(first_denial(u.trace, &d), 1);
  check_escape(&d);
  unlink(conv);
  tt_close(&u);
  tt_close(&t);
}

/* A format 3 trace (the denials table of five columns, no new members in
 * JSON Lines) still reads: the new members are -1, false and NULL. */
static void test_denial_format3(void **state) {
  tt_t t, u;
  den_t d;
  (void)state;
  record_escape(&t, "old.db", false);
  tt_exec(t.trace,
         "CREATE TABLE d3(seq INTEGER NOT NULL, source TEXT NOT NULL, fd "
         "INTEGER, right TEXT, rule TEXT);"
         "INSERT INTO d3 SELECT seq, 'rights', fd, right, rule FROM denials;"
         "DROP TABLE denials; ALTER TABLE d3 RENAME TO denials;"
         "UPDATE meta SET value = 3 WHERE key = 'format_version'");
  assert_int_equal(first_denial(t.trace, &d), 1);
  assert_int_equal(d.source, WT_DENIAL_RIGHTS);
  assert_int_equal(d.rule_index, -1);
  assert_string_equal(d.reason, "(null)");
  assert_string_equal(d.path, "(null)");
  assert_string_equal(d.preopen, "(null)");
  record_escape(&u, "old.jsonl", true);
  jl_sub(u.trace, "\"format_version\",\"vtype\":\"int\",\"value\":5",
         "\"format_version\",\"vtype\":\"int\",\"value\":3");
  jl_sub(u.trace, "\"source\":\"sandbox\"", "\"source\":\"rights\"");
  jl_sub(u.trace, ",\"reason\":\"dotdot\",\"preopen\":\"/sandbox\","
                  "\"path\":\"../up\"", "");
  assert_int_equal(first_denial(u.trace, &d), 1);
  assert_int_equal(d.source, WT_DENIAL_RIGHTS);
  assert_string_equal(d.reason, "(null)");
  assert_int_equal(d.rule_index, -1);
  tt_close(&u);
  tt_close(&t);
}

/* The new columns are type- and range-checked like the others. */
static void test_denial_columns_hostile(void **state) {
  static const struct {
    const char *sql, *want;
  } cases[] = {
      {"UPDATE denials SET rule_index = 'x'",
       "row seq=1 of denials: rule_index is TEXT, not an integer"},
      {"UPDATE denials SET rule_index = -2",
       "row seq=1 of denials: rule_index -2 is out of range"},
      {"UPDATE denials SET rule_index = 1 << 40",
       "row seq=1 of denials: rule_index 1099511627776 is out of range"},
      {"UPDATE denials SET would = 2",
       "row seq=1 of denials: would 2 is out of range"},
      {"UPDATE denials SET reason = x'05'",
       "row seq=1 of denials: reason is BLOB, not text"},
      {"UPDATE denials SET preopen = x'2f00'",
       "row seq=1 of denials: preopen is BLOB, not text"},
      {"UPDATE denials SET path = zeroblob(4)",
       "row seq=1 of denials: path is BLOB, not text"},
      {"UPDATE denials SET resolved = x'00'",
       "row seq=1 of denials: resolved is BLOB, not text"},
      {"UPDATE denials SET source = 'sandboxes'",
       "row seq=1 of denials: unknown denial source"},
  };
  static const struct {
    const char *from, *to;
  } jl[] = {
      {"\"reason\":\"dotdot\"", "\"reason\":5"},
      {"\"/sandbox\",\"path\":\"../up\"", "\"/sandbox\",\"path\":[1]"},
      {"\"preopen\":\"/sandbox\"", "\"preopen\":{}"},
      {"\"reason\":\"dotdot\"", "\"rule_index\":-1"},
      {"\"reason\":\"dotdot\"", "\"rule_index\":\"3\""},
      {"\"reason\":\"dotdot\"", "\"rule_index\":4294967296"},
      {"\"reason\":\"dotdot\"", "\"would\":\"yes\""},
      {"\"reason\":\"dotdot\"", "\"resolved\":true"},
      {"\"source\":\"sandbox\"", "\"source\":\"sandboxes\""},
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tt_t t;
    char name[32];
    snprintf(name, sizeof name, "dcol%zu.db", i);
    record_escape(&t, name, false);
    tt_exec(t.trace, cases[i].sql);
    refused_at_read(t.trace, cases[i].want);
    tt_close(&t);
  }
  for (size_t i = 0; i < sizeof jl / sizeof *jl; i++) {
    tt_t t;
    char name[32];
    snprintf(name, sizeof name, "dcol%zu.jsonl", i);
    record_escape(&t, name, true);
    jl_sub(t.trace, jl[i].from, jl[i].to);
    refused_at_read(t.trace, "bad payloads, transitions or denials");
    tt_close(&t);
  }
}

static void test_not_a_regular_file(void **state) {
  (void)state;
  tt_refused_at_open("/dev/null",
                  "/dev/null is not a regular file, so not a trace");
  tt_refused_at_open("/", "/ is a directory, not a trace file");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_recursive_view_calls),
      cmocka_unit_test(test_recursive_view_meta),
      cmocka_unit_test(test_other_view),
      cmocka_unit_test(test_trigger),
      cmocka_unit_test(test_generated_column),
      cmocka_unit_test(test_virtual_table),
      cmocka_unit_test_teardown(test_budget_ends_endless_query, reset_hooks),
      cmocka_unit_test_teardown(test_budget_spares_honest_reads, reset_hooks),
      cmocka_unit_test(test_null_module),
      cmocka_unit_test(test_meta_wrong_types),
      cmocka_unit_test(test_too_many_meta),
      cmocka_unit_test(test_text_in_integer_column),
      cmocka_unit_test(test_wrong_types),
      cmocka_unit_test(test_rows_out_of_order),
      cmocka_unit_test(test_references_multiplied),
      cmocka_unit_test(test_jsonl_damage),
      cmocka_unit_test(test_jsonl_nul_byte),
      cmocka_unit_test(test_jsonl_deep_nesting),
      cmocka_unit_test(test_jsonl_too_many_values),
      cmocka_unit_test(test_jsonl_empty_module),
      cmocka_unit_test(test_jsonl_key_order),
      cmocka_unit_test(test_jsonl_truncated),
      cmocka_unit_test(test_denial_columns),
      cmocka_unit_test(test_denial_format3),
      cmocka_unit_test(test_denial_columns_hostile),
      cmocka_unit_test(test_not_a_regular_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
