/*
 * No byte of a module reaches the generated C except as an identifier or
 * escaped data: the module rewrite before wasm2c (runtime/wasm_rewrite.c)
 * and the check of wasm2c's output (runtime/csafe.c).
 *
 * Hostile text is put in every place of a module that wasm2c 1.0.32 could
 * echo (export names of each kind, import names, the name section's
 * function, local, global, table, memory, type, data and element names,
 * custom sections, data segments); each carries a marker, and an oracle
 * lexer written here independently of csafe.c asserts that the marker
 * appears in the generated C only inside identifiers or string literals.
 * The same modules translated WITHOUT the rewrite show the attack is real:
 * the check must refuse that output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt_internal.h"
#include "testutil.h"

#define MARKER "WTPWN"
/* Ends wasm2c's comment, declares something, opens a new comment. */
#define PAYLOAD "*/ int " MARKER "_x = 1; /*"
/* WAT names ($x) allow no spaces or ';': the marker alone as code. */
#define ID "*/" MARKER "/*"

typedef struct buf_s {
  uint8_t *p;
  size_t len;
} buf_t;

static char tmpdir[] = "/tmp/wt-safety-XXXXXX";

static int setup(void **state) {
  (void)state;
  return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown(void **state) {
  (void)state;
  wt_test_rmtree(tmpdir);
  return 0;
}

static buf_t read_all(const char *path) {
  buf_t b = {NULL, 0};
  FILE *f = fopen(path, "rb");
  long n;
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  b.p = malloc((size_t)n + 1);
  assert_non_null(b.p);
  b.len = fread(b.p, 1, (size_t)n, f);
  b.p[b.len] = 0;
  fclose(f);
  return b;
}

static void write_all(const char *path, const uint8_t *p, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(p, 1, len, f), len);
  fclose(f);
}

/* wasm2c on `wasm` into DIR/NAME.c and .h; returns .c and .h joined. */
static buf_t translate(const char *name, const uint8_t *wasm, size_t len) {
  char in[512], out[512], hdr[512], cmd[2048];
  buf_t c, h;
  snprintf(in, sizeof in, "%s/%s.in.wasm", tmpdir, name);
  snprintf(out, sizeof out, "%s/%s.c", tmpdir, name);
  snprintf(hdr, sizeof hdr, "%s/%s.h", tmpdir, name);
  write_all(in, wasm, len);
  snprintf(cmd, sizeof cmd, "wasm2c -n guest %s -o %s 2>/dev/null", in, out);
  if (system(cmd) != 0)
    fail_msg("wasm2c failed on %s", in);
  c = read_all(out);
  h = read_all(hdr);
  c.p = realloc(c.p, c.len + h.len + 1);
  assert_non_null(c.p);
  memcpy(c.p + c.len, h.p, h.len + 1);
  c.len += h.len;
  free(h.p);
  return c;
}

/* ---- an oracle: where in C text a byte is ------------------------------ */

enum { IN_CODE, IN_COMMENT, IN_STRING, IN_IDENT };

/* The class of every byte of `c` (a plain C lexer, no preprocessor). */
static uint8_t *classify(const buf_t *c) {
  uint8_t *cls = calloc(c->len + 1, 1);
  size_t i = 0;
  assert_non_null(cls);
  while (i < c->len) {
    const char *p = (const char *)c->p;
    size_t j = i;
    uint8_t k = IN_CODE;
    if (p[i] == '/' && p[i + 1] == '*') {
      const char *e = strstr(p + i + 2, "*/");
      j = e ? (size_t)(e - p) + 2 : c->len;
      k = IN_COMMENT;
    } else if (p[i] == '/' && p[i + 1] == '/') {
      for (j = i; j < c->len && p[j] != '\n'; j++)
        ;
      k = IN_COMMENT;
    } else if (p[i] == '"' || p[i] == '\'') {
      for (j = i + 1; j < c->len && p[j] != p[i]; j++)
        j += p[j] == '\\';
      j = j < c->len ? j + 1 : j;
      k = IN_STRING;
    } else if (p[i] == '_' || ((p[i] | 32) >= 'a' && (p[i] | 32) <= 'z')) {
      for (j = i; j < c->len && (p[j] == '_' || ((p[j] | 32) >= 'a' &&
                                                  (p[j] | 32) <= 'z') ||
                                 (p[j] >= '0' && p[j] <= '9'));
           j++)
        ;
      k = IN_IDENT;
    } else {
      j = i + 1;
    }
    memset(cls + i, k, j - i);
    i = j;
  }
  return cls;
}

/*
 * Fails unless every occurrence of MARKER in `c` is part of an identifier
 * wasm2c or the glue made (a legalised name, which has "w2c_" before the
 * marker, or Z_..., wt_...: harmless) or of a string literal.
 */
static void assert_marker_contained(const buf_t *c, const char *what) {
  uint8_t *cls = classify(c);
  const char *p = (const char *)c->p, *m = p;
  while ((m = strstr(m, MARKER)) != NULL) {
    size_t at = (size_t)(m - p);
    size_t start = at;
    while (start > 0 && cls[start - 1] == IN_IDENT && cls[at] == IN_IDENT)
      start--;
    if (cls[at] == IN_STRING ||
        (cls[at] == IN_IDENT && (memmem(p + start, at - start, "w2c_", 4) ||
                                 strncmp(p + start, "Z_", 2) == 0 ||
                                 strncmp(p + start, "wt_", 3) == 0)))
      m += strlen(MARKER);
    else
      fail_msg("%s: the marker reaches the C at offset %zu as %s: %.60s",
               what, at, cls[at] == IN_COMMENT ? "comment" : "code", m);
  }
  free(cls);
}

/* ---- modules --------------------------------------------------------- */

static buf_t load_wat(const char *name, const char *wat) {
  return read_all(wt_test_wat(tmpdir, name, wat));
}

static void append(buf_t *b, const void *p, size_t n) {
  b->p = realloc(b->p, b->len + n);
  assert_non_null(b->p);
  memcpy(b->p + b->len, p, n);
  b->len += n;
}

/* A custom section named `name` holding `payload`, appended to `b`. */
static void add_custom(buf_t *b, const char *name, const char *payload) {
  uint8_t hdr[3];
  size_t nl = strlen(name), pl = strlen(payload);
  assert_true(1 + nl + pl < 128 && nl < 128);
  hdr[0] = 0;
  hdr[1] = (uint8_t)(1 + nl + pl);
  hdr[2] = (uint8_t)nl;
  append(b, hdr, 3);
  append(b, name, nl);
  append(b, payload, pl);
}

/*
 * A module with the payload in every place wasm2c could echo, as WAT with
 * debug names (the name section).
 */
static const char hostile_wat[] =
    "(module\n"
    "  (type $t" ID " (func (param i32)))\n"
    "  (memory $m" ID " 1)\n"
    "  (global $g" ID " (mut i32) (i32.const 0))\n"
    "  (table $tb" ID " 1 funcref)\n"
    "  (func $f" ID " (type $t" ID ") (param $p" ID " i32)\n"
    "    (local $l" ID " i32) nop)\n"
    "  (func $_start)\n"
    "  (export \"_start\" (func $_start))\n"
    "  (export \"memory\" (memory $m" ID "))\n"
    "  (export \"f" PAYLOAD "\" (func $f" ID "))\n"
    "  (export \"g" PAYLOAD "\" (global $g" ID "))\n"
    "  (export \"t" PAYLOAD "\" (table $tb" ID "))\n"
    "  (export \"m" PAYLOAD "\" (memory $m" ID "))\n"
    "  (export \"ctl\\01\\0a\\\\\" (func $f" ID "))\n"
    "  (export \"\" (func $f" ID "))\n"
    "  (data $d" ID " (i32.const 0) \"" PAYLOAD "\")\n"
    "  (elem $e" ID " (i32.const 0) $f" ID "))\n";

static buf_t hostile_module(void) {
  buf_t b = load_wat("hostile", hostile_wat);
  add_custom(&b, "x" PAYLOAD, PAYLOAD);
  add_custom(&b, "producers", PAYLOAD);
  return b;
}

static void parse_ok(const buf_t *b, wt__wasm_info_t *info) {
  char err[256] = "";
  if (!wt__wasm_parse(b->p, b->len, info, err, sizeof err))
    fail_msg("parse: %s", err);
}

static buf_t rewrite(const buf_t *b, wt__wasm_info_t *info) {
  char err[256] = "";
  buf_t out = {NULL, 0};
  parse_ok(b, info);
  if (wt__wasm_rewrite(b->p, b->len, info, &out.p, &out.len, err,
                       sizeof err) != WT_RT_OK)
    fail_msg("rewrite: %s", err);
  return out;
}

static bool name_eq(const wt__wasm_name_t *n, const char *s) {
  return n->len == strlen(s) && memcmp(n->p, s, n->len) == 0;
}

/* ---- tests ------------------------------------------------------------- */

static void test_rewrite_renames_unsafe_exports(void **state) {
  static const char *const want[] = {"_start",       "memory",
                                     "wt_export_2",  "wt_export_3",
                                     "wt_export_4",  "wt_export_5",
                                     "wt_export_6",  "wt_export_7"};
  buf_t b = hostile_module();
  wt__wasm_info_t info, again;
  buf_t out = rewrite(&b, &info);
  (void)state;
  parse_ok(&out, &again);
  assert_int_equal(again.nexports, 8);
  for (uint32_t i = 0; i < again.nexports; i++) {
    if (!name_eq(&again.exports[i].name, want[i]))
      fail_msg("export %u: %.*s, expected %s", i,
               (int)again.exports[i].name.len, again.exports[i].name.p,
               want[i]);
    /* The original keeps its name; its c_name is the new one. */
    assert_true(name_eq(&info.exports[i].c_name, want[i]));
    assert_int_equal(info.exports[i].kind, again.exports[i].kind);
    assert_int_equal(info.exports[i].index, again.exports[i].index);
  }
  assert_true(name_eq(&info.exports[2].name, "f" PAYLOAD));
  wt__wasm_info_free(&again);
  wt__wasm_info_free(&info);
  free(out.p);
  free(b.p);
}

static void test_rewrite_avoids_taken_names(void **state) {
  buf_t b = load_wat("taken", "(module (func $s) (export \"_start\" (func $s))"
                              " (export \"a-b\" (func $s))"
                              " (export \"wt_export_1\" (func $s))"
                              " (export \"wt_export_1_\" (func $s)))");
  wt__wasm_info_t info;
  buf_t out = rewrite(&b, &info);
  (void)state;
  assert_true(name_eq(&info.exports[1].c_name, "wt_export_1__"));
  assert_true(name_eq(&info.exports[2].c_name, "wt_export_1"));
  wt__wasm_info_free(&info);
  free(out.p);
  free(b.p);
}

/* Every custom section is gone, "name" too: wasm2c then names every
 * function w2c_f<index>, and the names come from the module (names.c). */
static void test_rewrite_drops_custom_sections(void **state) {
  buf_t b = hostile_module();
  wt__wasm_info_t info;
  buf_t out = rewrite(&b, &info);
  (void)state;
  assert_null(memmem(out.p, out.len, "producers", 9));
  assert_null(memmem(out.p, out.len, "x" PAYLOAD, strlen("x" PAYLOAD)));
  assert_non_null(memmem(b.p, b.len, "producers", 9));
  assert_non_null(memmem(b.p, b.len, "\4name", 5));
  assert_null(memmem(out.p, out.len, "\4name", 5));
  wt__wasm_info_free(&info);
  free(out.p);
  free(b.p);
}

static void expect_function(const wt__names_t *n, const char *sym,
                            uint32_t want, const char *name) {
  uint32_t index = 0;
  char buf[96];
  if (!wt__names_function(n, sym, &index))
    fail_msg("%s: no function", sym);
  assert_int_equal(index, want);
  wt__names_name(n, index, buf, sizeof buf);
  assert_string_equal(buf, name);
}

/* A trap's frames: C symbols to functions, functions to names. */
static void test_names_of_frames(void **state) {
  buf_t b = load_wat("names", "(module (func $one) (func) (func $three)"
                              " (export \"_start\" (func $three))"
                              " (export \"two\" (func 1)))");
  wt__wasm_info_t info;
  wt__names_t n;
  uint32_t index;
  char buf[96];
  (void)state;
  parse_ok(&b, &info);
  assert_int_equal(info.nfnames, 2);
  assert_true(name_eq(wt__wasm_func_name(&info, 2), "three"));
  assert_null(wt__wasm_func_name(&info, 1));
  assert_true(wt__names_init(&n, &info));
  expect_function(&n, "w2c_f0", 0, "one");
  expect_function(&n, "w2c_f1", 1, "two");        /* an export's name */
  expect_function(&n, "w2c_f2.cold", 2, "three"); /* a compiler's clone */
  expect_function(&n, "Z_guestZ__start", 2, "three");
  assert_false(wt__names_function(&n, "w2c_f01", &index));
  assert_false(wt__names_function(&n, "w2c_f4294967296", &index));
  assert_false(wt__names_function(&n, "w2c_f", &index));
  assert_false(wt__names_function(&n, "wasm_rt_trap", &index));
  assert_false(wt__names_function(&n, "Z_guestZ_nothing", &index));
  wt__names_name(&n, 7, buf, sizeof buf);
  assert_string_equal(buf, "func[7]");
  wt__names_free(&n);
  wt__wasm_info_free(&info);
  free(b.p);
}

/* A malformed name section loses the names, never the module; a name's
 * control characters are not shown. */
static void test_names_hostile(void **state) {
  buf_t b = load_wat("nonames", "(module (func) (func))");
  buf_t c = load_wat("nonames2", "(module (func) (func))");
  wt__wasm_info_t info;
  wt__names_t n;
  char buf[96];
  (void)state;
  /* Subsection 1 promises two names and holds one. */
  add_custom(&b, "name", "\x01\x04\x02\x01\x01" "a");
  parse_ok(&b, &info);
  assert_int_equal(info.nfnames, 0);
  wt__wasm_info_free(&info);
  /* Function 1 named BEL, 'b', ESC. */
  add_custom(&c, "name", "\x01\x06\x01\x01\x03\x07" "b\x1b");
  parse_ok(&c, &info);
  assert_int_equal(info.nfnames, 1);
  assert_true(wt__names_init(&n, &info));
  wt__names_name(&n, 1, buf, sizeof buf);
  assert_string_equal(buf, "?b?");
  wt__names_free(&n);
  wt__wasm_info_free(&info);
  free(b.p);
  free(c.p);
}

/* The rewritten module's C: accepted, and the marker only in identifiers. */
static void test_hostile_text_never_reaches_c(void **state) {
  char err[256] = "";
  buf_t b = hostile_module();
  wt__wasm_info_t info;
  buf_t out = rewrite(&b, &info), c;
  (void)state;
  c = translate("safe", out.p, out.len);
  if (!wt__c_check((const char *)c.p, c.len, err, sizeof err))
    fail_msg("the check refused the rewritten module's C: %s", err);
  assert_marker_contained(&c, "rewritten module");
  wt__wasm_info_free(&info);
  free(c.p);
  free(out.p);
  free(b.p);
}

/* Without the rewrite the attack works, and the check catches it. */
static void test_check_refuses_raw_injection(void **state) {
  char err[256] = "";
  buf_t b = load_wat("raw", "(module (func $s) (export \"_start\" (func $s))"
                            " (export \"f" PAYLOAD "\" (func $s)))");
  buf_t c = translate("raw", b.p, b.len);
  uint8_t *cls = classify(&c);
  const char *m = strstr((const char *)c.p, "int " MARKER "_x");
  (void)state;
  /* The oracle sees the injected declaration outside any comment... */
  assert_non_null(m);
  assert_int_equal(cls[m - (const char *)c.p], IN_IDENT);
  assert_int_equal(cls[m - (const char *)c.p - 1], IN_CODE);
  /* ...and the check refuses it. */
  assert_false(wt__c_check((const char *)c.p, c.len, err, sizeof err));
  assert_non_null(strstr(err, "comment wasm2c does not write"));
  free(cls);
  free(c.p);
  free(b.p);
}

/* A real guest's C passes the check unchanged (no false refusal). */
static void test_check_accepts_real_guest(void **state) {
  char err[256] = "";
  buf_t b = read_all(WT_TEST_HELLO_WASM);
  wt__wasm_info_t info;
  buf_t out = rewrite(&b, &info), c;
  (void)state;
  assert_int_equal(out.len <= b.len, true);
  c = translate("hello", out.p, out.len);
  if (!wt__c_check((const char *)c.p, c.len, err, sizeof err))
    fail_msg("the check refused hello.wasm's C: %s", err);
  wt__wasm_info_free(&info);
  free(c.p);
  free(out.p);
  free(b.p);
}

static void expect_refused(const char *text, const char *why) {
  char err[256] = "";
  if (wt__c_check(text, strlen(text), err, sizeof err))
    fail_msg("accepted: %s", text);
  if (strstr(err, why) == NULL)
    fail_msg("refused %s with \"%s\", expected \"%s\"", text, err, why);
}

static void expect_accepted(const char *text) {
  char err[256] = "";
  if (!wt__c_check(text, strlen(text), err, sizeof err))
    fail_msg("refused %s: %s", text, err);
}

static void test_check_rules(void **state) {
  (void)state;
  expect_accepted("/* export: 'a_b9' */\nint x;\n");
  expect_accepted("/* import: 'wasi_snapshot_preview1' 'fd_write' */\n");
  expect_accepted("#endif  /* GUEST_H_GENERATED_ */\n");
  expect_accepted("f32_reinterpret_i32(0x7fc00000) /* nan:0x400000 */");
  expect_accepted("f64_reinterpret_i64(0x1) /* -nan:0x0000000000001 */");
  expect_accepted("// Adapted from\nchar *s = \"a\\\"*/b\";\n");
  expect_accepted("char c = '\\'';");
  expect_refused("/* export: 'a*/ int x; /*' */", "comment wasm2c");
  expect_refused("/* export: 'a b' */", "comment wasm2c");
  expect_refused("/* import: 'a' */", "comment wasm2c");
  expect_refused("/* anything else */", "comment wasm2c");
  expect_refused("// Adapted from \\\nint x;", "continued");
  expect_refused("// something else\n", "comment wasm2c");
  expect_refused("/* export: 'a' ", "never ends");
  expect_refused("char *s = \"abc\\\ndef\";", "continued");
  expect_refused("char *s = \"abc\ndef\";", "does not end");
  expect_refused("int x; ?" "?/\n", "trigraph");
  expect_refused("int \xc3\xa9;", "not printable ASCII");
  expect_refused("int x;\x01", "not printable ASCII");
  /* The error names the line. */
  {
    char err[256] = "";
    assert_false(wt__c_check("int a;\nint b;\n/* x y */", 23, err, sizeof err));
    assert_non_null(strstr(err, "line 3"));
  }
}

/* Hostile import names never get that far: refused, printed escaped. */
static void test_hostile_imports_refused(void **state) {
  buf_t b = load_wat("imp", "(module (import \"wasi_snapshot_preview1\" \"a*/"
                            "\\0a\" (func (param i32)))"
                            " (func $s) (export \"_start\" (func $s)))");
  wt__wasm_info_t info;
  char err[512] = "";
  (void)state;
  parse_ok(&b, &info);
  assert_false(wt__imports_check(&info, err, sizeof err));
  assert_non_null(strstr(err, "a*/\\x0a"));
  assert_non_null(strstr(err, "unknown function"));
  wt__wasm_info_free(&info);
  free(b.p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rewrite_renames_unsafe_exports),
      cmocka_unit_test(test_rewrite_avoids_taken_names),
      cmocka_unit_test(test_rewrite_drops_custom_sections),
      cmocka_unit_test(test_names_of_frames),
      cmocka_unit_test(test_names_hostile),
      cmocka_unit_test(test_hostile_text_never_reaches_c),
      cmocka_unit_test(test_check_refuses_raw_injection),
      cmocka_unit_test(test_check_accepts_real_guest),
      cmocka_unit_test(test_check_rules),
      cmocka_unit_test(test_hostile_imports_refused),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
