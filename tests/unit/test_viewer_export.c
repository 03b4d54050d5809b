/*
 * export --format perfetto and html (viewer/perfetto.c, viewer/html.c) on
 * traces written by hand through the sinks, in both encodings: the
 * Perfetto JSON parsed back with jansson and checked for its structure
 * (fields on every event, one complete event per call, nested calls inside
 * their parent, counters in time order with the values the transitions
 * give, instant events); the HTML's data blocks parsed back, a hostile
 * module name kept inside its block, the sampling note; damaged records
 * refused with a message.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "wt/bytes.h"
#include "wt/viewer.h"

#define NCALLS 5
/* A module name that tries to leave the script block, with U+2028. */
static const char hostile[] =
    "</script><script>alert(1)</script><!-- \xe2\x80\xa8 & >";

typedef struct rec_s {
  uint8_t args[12], res[4];
  wt_trace_payload_t pl;
  wt_transition_t tr[3];
  wt_trace_denial_t dn;
  wt_trace_call_t c;
} rec_t;

/* fd_write(fd 1, "data") started at start_ns, as test_viewer.c builds it. */
static void write_rec(rec_t *r, uint64_t seq, uint64_t start, uint64_t dur,
                      const char *data) {
  uint32_t n = (uint32_t)strlen(data);
  memset(r, 0, sizeof *r);
  wt__st32(r->args, 1);
  wt__st32(r->args + 4, 1);
  wt__st32(r->args + 8, n);
  wt__st32(r->res, n);
  r->pl = (wt_trace_payload_t){1, WT_PAYLOAD_IN, WT_PAYLOAD_FULL, n, 0, n,
                               (const uint8_t *)data};
  r->c.seq = seq;
  r->c.call = WT_CALL_fd_write;
  r->c.start_ns = start;
  r->c.dur_ns = dur;
  r->c.args = r->args;
  r->c.args_len = 12;
  r->c.results = r->res;
  r->c.results_len = 4;
  r->c.npayloads = 1;
  r->c.payloads = &r->pl;
  r->c.transitions = r->tr;
}

static void tr(rec_t *r, uint16_t kind, uint32_t fd, uint32_t fd2, uint64_t a,
               uint64_t b) {
  r->tr[r->c.ntransitions++] = (wt_transition_t){kind, fd, fd2, a, b, 0};
}

static void put_meta_text(wt_sink_t *s, const char *k, const char *v,
                          uint8_t type) {
  wt_trace_meta_t m = {k, type, 0, v, NULL, 0};
  assert_int_equal(wt_sink_meta(s, &m), 0);
}

static void put_meta_int(wt_sink_t *s, const char *k, int64_t v) {
  wt_trace_meta_t m = {k, WT_META_INT, v, NULL, NULL, 0};
  assert_int_equal(wt_sink_meta(s, &m), 0);
}

/*
 * The trace: 1 top level with an eventfd counter; 2 a long call that
 * fails, denied by a rule, during which a signal is delivered; 3 nested in
 * 2 (a handler's call) and reaching past its end (clamped), adding an
 * epoll entry that becomes ready; 4 starting before 3 did (a hostile
 * time); 5 later, delivering the level-triggered entry (still ready), then
 * dropping it.
 */
static void write_trace(const char *path, bool jsonl) {
  wt_sink_t *s = NULL;
  rec_t r;
  assert_int_equal(jsonl ? wt_sink_jsonl_open(path, &s)
                         : wt_sink_sqlite_open(path, &s),
                   0);
  put_meta_text(s, "format", "wasitrace", WT_META_TEXT);
  put_meta_int(s, "format_version", WT_TRACE_FORMAT_VERSION);
  put_meta_text(s, "module_name", hostile, WT_META_TEXT);
  put_meta_text(s, "argv", "[\"m.wasm\",\"a b\"]", WT_META_JSON);
  put_meta_text(s, "preopens", "[{\"guest\":\"/sb\",\"host\":\"sb\"}]",
                WT_META_JSON);
  write_rec(&r, 1, 1000, 500, "hello");
  tr(&r, WT_TR_EVENTFD_COUNTER, 5, 0, 0, 3);
  tr(&r, WT_TR_FD_OPENED, 6, 0, 0, 0);
  assert_int_equal(wt_sink_call(s, &r.c), 0);
  write_rec(&r, 2, 2000, 10000, "denied");
  r.c.err = WT_ENOTCAPABLE;
  r.c.results_len = 0;
  r.dn = (wt_trace_denial_t){.source = WT_DENIAL_POLICY,
                             .fd = 1,
                             .right = WT_RIGHT_FD_WRITE,
                             .rule = "deny write /secret"};
  r.c.ndenials = 1;
  r.c.denials = &r.dn;
  tr(&r, WT_TR_SIGNAL_DELIVERED, 0, 0, 10, 0);
  assert_int_equal(wt_sink_call(s, &r.c), 0);
  write_rec(&r, 3, 3000, 20000, "nested");
  tr(&r, WT_TR_EPOLL_ADDED, 7, 5, 1, 0);
  tr(&r, WT_TR_EPOLL_READY, 7, 5, 1, 0);
  assert_int_equal(wt_sink_call(s, &r.c), 0);
  write_rec(&r, 4, 2500, 100, "back");
  assert_int_equal(wt_sink_call(s, &r.c), 0);
  write_rec(&r, 5, 50000, 10, hostile);
  tr(&r, WT_TR_EPOLL_DELIVERED, 7, 5, 1, 0);
  tr(&r, WT_TR_EPOLL_DROPPED, 7, 5, 0, 0);
  assert_int_equal(wt_sink_call(s, &r.c), 0);
  put_meta_text(s, "end", "exit", WT_META_TEXT);
  put_meta_int(s, "exit_code", 0);
  put_meta_int(s, "calls", NCALLS);
  assert_int_equal(wt_sink_close(s), 0);
}

/* Damages record 4 after the fact (the sinks refuse to write it): its
 * binary arguments too short (SQLite), or its line cut (JSON Lines). */
static void damage(const char *path, bool jsonl) {
  if (!jsonl) {
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE calls SET args_bin = x'01000000' "
                                  "WHERE seq = 4",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
  } else {
    FILE *f = fopen(path, "r+b");
    char *text = NULL, *at, *eol;
    size_t n = 0;
    assert_non_null(f);
    assert_int_equal(getdelim(&text, &n, 0, f) > 0, 1);
    at = strstr(text, "{\"type\":\"call\",\"seq\":4,");
    assert_non_null(at);
    eol = strchr(at, '\n');
    assert_non_null(eol);
    /* {"type":"call","seq":4,     ...\n: the line is no JSON any more. */
    memset(at + 23, ' ', (size_t)(eol - at) - 23);
    rewind(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
    free(text);
  }
}

typedef struct out_s {
  char dir[64], path[96];
  char *text;
  size_t len;
} out_t;

static int export(out_t *o, bool jsonl, bool corrupt, bool html,
                  uint64_t max) {
  wt_export_options_t eo;
  wt_trace_t *t = NULL;
  FILE *f;
  int rc;
  snprintf(o->dir, sizeof o->dir, "/tmp/wt-export-XXXXXX");
  assert_non_null(mkdtemp(o->dir));
  snprintf(o->path, sizeof o->path, "%s/t.%s", o->dir, jsonl ? "jsonl" : "db");
  write_trace(o->path, jsonl);
  if (corrupt)
    damage(o->path, jsonl);
  assert_int_equal(wt_trace_open(o->path, &t), 0);
  assert_non_null(f = open_memstream(&o->text, &o->len));
  wt_export_options_init(&eo);
  eo.html_max_calls = max;
  rc = html ? wt_export_html(t, f, &eo) : wt_export_perfetto(t, f, &eo);
  fclose(f);
  wt_trace_close(t);
  return rc;
}

static void out_free(out_t *o) {
  char cmd[128];
  free(o->text);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", o->dir);
  assert_int_equal(system(cmd), 0);
}

/* ---- Perfetto ------------------------------------------------------------
 */

static double num(json_t *e, const char *k) {
  json_t *v = json_object_get(e, k);
  assert_true(json_is_number(v));
  return json_number_value(v);
}

static json_t *find(json_t *events, const char *ph, const char *name) {
  size_t i;
  json_t *e;
  json_array_foreach(events, i, e) {
    if (strcmp(json_string_value(json_object_get(e, "ph")), ph) == 0 &&
        strncmp(json_string_value(json_object_get(e, "name")), name,
                strlen(name)) == 0)
      return e;
  }
  return NULL;
}

/* The complete event of call seq. */
static json_t *x_of(json_t *events, int seq) {
  size_t i;
  json_t *e;
  json_array_foreach(events, i, e) {
    json_t *a = json_object_get(e, "args");
    if (strcmp(json_string_value(json_object_get(e, "ph")), "X") == 0 &&
        json_integer_value(json_object_get(a, "seq")) == seq)
      return e;
  }
  fail_msg("no complete event for call %d", seq);
  return NULL;
}

static void assert_inside(json_t *child, json_t *parent) {
  double cs = num(child, "ts"), ce = cs + num(child, "dur");
  double ps = num(parent, "ts"), pe = ps + num(parent, "dur");
  if (cs < ps || ce > pe)
    fail_msg("[%.3f, %.3f] is not inside [%.3f, %.3f]", cs, ce, ps, pe);
}

/* The values of counter `name`, checking they come in time order. */
static size_t counter(json_t *events, const char *name, uint64_t *vals,
                      size_t max) {
  size_t i, n = 0;
  double last = -1;
  json_t *e;
  json_array_foreach(events, i, e) {
    if (strcmp(json_string_value(json_object_get(e, "ph")), "C") != 0 ||
        strcmp(json_string_value(json_object_get(e, "name")), name) != 0)
      continue;
    if (num(e, "ts") < last)
      fail_msg("counter %s goes back in time: %f after %f", name,
               num(e, "ts"), last);
    last = num(e, "ts");
    if (n < max)
      vals[n] = (uint64_t)json_integer_value(
          json_object_get(json_object_get(e, "args"), "value"));
    n++;
  }
  return n;
}

static void perfetto(bool jsonl) {
  out_t o;
  json_error_t err;
  json_t *root, *ev, *e;
  size_t i, nx = 0;
  uint64_t v[8];
  assert_int_equal(export(&o, jsonl, false, false, 0), 0);
  root = json_loadb(o.text, o.len, 0, &err);
  if (root == NULL)
    fail_msg("the export is not JSON: %s at line %d", err.text, err.line);
  ev = json_object_get(root, "traceEvents");
  assert_true(json_is_array(ev));
  json_array_foreach(ev, i, e) {
    const char *ph = json_string_value(json_object_get(e, "ph"));
    assert_non_null(json_string_value(json_object_get(e, "name")));
    assert_non_null(ph);
    num(e, "ts");
    assert_int_equal(json_integer_value(json_object_get(e, "pid")), 1);
    assert_int_equal(json_integer_value(json_object_get(e, "tid")), 1);
    if (strcmp(ph, "X") == 0) {
      nx++;
      assert_true(num(e, "dur") >= 0);
      assert_non_null(json_object_get(json_object_get(e, "args"), "errno"));
    }
  }
  assert_int_equal(nx, NCALLS);
  for (int s = 1; s <= NCALLS; s++)
    x_of(ev, s);
  /* 3 ran inside 2 (clamped to its end), 4 inside 3. */
  assert_inside(x_of(ev, 3), x_of(ev, 2));
  assert_inside(x_of(ev, 4), x_of(ev, 3));
  assert_string_equal(json_string_value(json_object_get(x_of(ev, 2), "name")),
                      "fd_write = NOTCAPABLE");
  assert_int_equal(counter(ev, "eventfd 5 counter", v, 8), 1);
  assert_int_equal(v[0], 3);
  /* READY, then a level-triggered DELIVERED keeps it, DROPPED empties. */
  assert_int_equal(counter(ev, "epoll 7 ready list", v, 8), 2);
  assert_int_equal(v[0], 1);
  assert_int_equal(v[1], 0);
  assert_true(counter(ev, "open fds", v, 8) == 2);
  assert_int_equal(v[0], 4); /* stdio and one preopen */
  assert_int_equal(v[1], 5);
  e = find(ev, "i", "denied: fd_write");
  assert_non_null(e);
  assert_string_equal(json_string_value(json_object_get(
                          json_object_get(e, "args"), "rule")),
                      "deny write /secret");
  assert_non_null(find(ev, "i", "signal delivered"));
  e = find(ev, "i", "run ended: exit 0");
  assert_non_null(e);
  assert_string_equal(json_string_value(json_object_get(e, "s")), "g");
  e = find(ev, "M", "thread_name");
  assert_string_equal(json_string_value(json_object_get(
                          json_object_get(e, "args"), "name")),
                      hostile);
  json_decref(root);
  out_free(&o);
}

static void test_perfetto_sqlite(void **state) {
  (void)state;
  perfetto(false);
}

static void test_perfetto_jsonl(void **state) {
  (void)state;
  perfetto(true);
}

/* ---- HTML -------------------------------------------------------------------
 */

/* The JSON of block id, parsed. */
static json_t *block(const out_t *o, const char *id) {
  char open[96];
  const char *at, *end;
  json_error_t err;
  json_t *j;
  snprintf(open, sizeof open, "<script type=\"application/json\" id=\"%s\">",
           id);
  at = strstr(o->text, open);
  if (at == NULL)
    fail_msg("no block %s", id);
  at += strlen(open);
  end = strstr(at, "</script>");
  assert_non_null(end);
  if ((j = json_loadb(at, (size_t)(end - at), 0, &err)) == NULL)
    fail_msg("block %s is not JSON: %s", id, err.text);
  return j;
}

static size_t count(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
    n++;
  return n;
}

static void html(bool jsonl) {
  out_t o;
  json_t *calls, *meta, *stats, *series;
  assert_int_equal(export(&o, jsonl, false, true, 0), 0);
  assert_int_equal(strlen(o.text), o.len);
  /* Four data blocks and the script: five ends, and nothing of the
   * hostile name's raw text anywhere. */
  assert_int_equal(count(o.text, "</script"), 5);
  assert_int_equal(count(o.text, "<script"), 5);
  assert_null(strstr(o.text, "alert(1)</"));
  assert_null(strstr(o.text, "\xe2\x80\xa8"));
  assert_null(strstr(o.text, "http://"));
  assert_null(strstr(o.text, "https://"));
  calls = block(&o, "wt-calls");
  meta = block(&o, "wt-meta");
  stats = block(&o, "wt-stats");
  series = block(&o, "wt-series");
  assert_int_equal(json_array_size(calls), NCALLS);
  assert_string_equal(json_string_value(json_object_get(
                          json_object_get(meta, "entries"), "module_name")),
                      hostile);
  assert_string_equal(json_string_value(json_object_get(meta, "note")), "");
  assert_int_equal(json_integer_value(json_object_get(
                       json_array_get(calls, 2), "depth")),
                   1);
  assert_non_null(json_string_value(
      json_object_get(json_array_get(calls, 0), "line")));
  assert_string_equal(json_string_value(json_object_get(
                          json_array_get(json_object_get(
                                             json_array_get(calls, 0), "p"),
                                         0),
                          "b64")),
                      "aGVsbG8=");
  assert_true(json_is_array(json_object_get(stats, "calls")));
  assert_int_equal(json_array_size(json_object_get(series, "tracks")), 3);
  json_decref(calls);
  json_decref(meta);
  json_decref(stats);
  json_decref(series);
  out_free(&o);
}

static void test_html_sqlite(void **state) {
  (void)state;
  html(false);
}

static void test_html_jsonl(void **state) {
  (void)state;
  html(true);
}

/* Past the limit: the first calls and the later failed ones, said so. */
static void test_html_sampled(void **state) {
  out_t o;
  json_t *calls, *meta;
  (void)state;
  assert_int_equal(export(&o, false, false, true, 1), 0);
  calls = block(&o, "wt-calls");
  meta = block(&o, "wt-meta");
  assert_int_equal(json_array_size(calls), 2);
  assert_int_equal(json_integer_value(json_object_get(
                       json_array_get(calls, 1), "seq")),
                   2);
  assert_int_equal(json_integer_value(json_object_get(meta, "total_calls")),
                   NCALLS);
  assert_int_equal(json_integer_value(json_object_get(meta, "kept_calls")), 2);
  assert_non_null(strstr(json_string_value(json_object_get(meta, "note")),
                         "holds 2 of the trace's 5 calls"));
  json_decref(calls);
  json_decref(meta);
  out_free(&o);
}

/* A record whose arguments do not match its call: -1 and why. */
static void damaged(bool jsonl, bool as_html) {
  out_t o;
  int rc = export(&o, jsonl, true, as_html, 0);
  assert_int_equal(rc, -1);
  /* The viewer names the call; the JSON Lines reader, the line. */
  if (strstr(wt_trace_error(), as_html || !jsonl ? "call 4" : "line") ==
          NULL &&
      strstr(wt_trace_error(), "line 9") == NULL)
    fail_msg("unclear error: %s", wt_trace_error());
  out_free(&o);
}

static void test_damaged(void **state) {
  (void)state;
  damaged(false, false);
  damaged(true, false);
  damaged(false, true);
  damaged(true, true);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_perfetto_sqlite),
      cmocka_unit_test(test_perfetto_jsonl),
      cmocka_unit_test(test_html_sqlite),
      cmocka_unit_test(test_html_jsonl),
      cmocka_unit_test(test_html_sampled),
      cmocka_unit_test(test_damaged),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
