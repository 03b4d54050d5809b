/*
 * The runtime's module reader (runtime/wasm.c), import table and check
 * (runtime/imports.c), and SHA-256 (runtime/sha256.c). The reader is fed
 * a real module (examples/hello.wasm), every truncation of it, random
 * corruptions and hand-made edge cases; each input sits in a buffer of its
 * exact size so the sanitizer build catches any read past the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "rt_internal.h"
#include "testutil.h"

/* ---- SHA-256 ----------------------------------------------------------- */

static void hex_of(const void *data, size_t len, char out[65]) {
  wt_sha256_t s;
  uint8_t d[32];
  wt_sha256_init(&s);
  wt_sha256_update(&s, data, len);
  wt_sha256_final(&s, d);
  wt_sha256_hex(d, out);
}

static void test_sha256_vectors(void **state) {
  char hex[65];
  (void)state;
  hex_of("", 0, hex);
  assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c"
                           "a495991b7852b855");
  hex_of("abc", 3, hex);
  assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9c"
                           "b410ff61f20015ad");
  hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
  assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167"
                           "f6ecedd419db06c1");
}

/* One million 'a', fed in pieces of odd sizes across block boundaries. */
static void test_sha256_million(void **state) {
  static char chunk[997];
  wt_sha256_t s;
  uint8_t d[32];
  char hex[65];
  size_t left = 1000000, n = 1;
  (void)state;
  memset(chunk, 'a', sizeof chunk);
  wt_sha256_init(&s);
  while (left > 0) {
    size_t k = n < left ? n : left;
    wt_sha256_update(&s, chunk, k);
    left -= k;
    n = (n * 7 + 63) % sizeof chunk + 1; /* 1 to 997 */
  }
  wt_sha256_final(&s, d);
  wt_sha256_hex(d, hex);
  assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e"
                           "046d39ccc7112cd0");
}

/* ---- the reader -------------------------------------------------------- */

static uint8_t *hello;
static size_t hello_len;

static int load_hello(void **state) {
  FILE *f = fopen(WT_TEST_HELLO_WASM, "rb");
  (void)state;
  if (f == NULL)
    return 0; /* tests that need it skip */
  hello = malloc(1 << 20);
  hello_len = fread(hello, 1, 1 << 20, f);
  fclose(f);
  return 0;
}

static int free_hello(void **state) {
  (void)state;
  free(hello);
  return 0;
}

/* Parses a private exact-size copy of p[0..len). */
static bool parse_copy(const uint8_t *p, size_t len, wt__wasm_info_t *info,
                       char *err, size_t err_size) {
  uint8_t *copy = malloc(len ? len : 1);
  bool ok;
  memcpy(copy, p, len);
  ok = wt__wasm_parse(copy, len, info, err, err_size);
  if (ok) {
    /* The names point into the bytes: check them before freeing. */
    for (uint32_t i = 0; i < info->nimports; i++)
      if (info->imports[i].module.p < copy ||
          info->imports[i].name.p + info->imports[i].name.len > copy + len)
        ok = false;
    wt__wasm_info_free(info);
  }
  free(copy);
  return ok;
}

static const wt__wasm_import_t *find_import(const wt__wasm_info_t *info,
                                            const char *name) {
  for (uint32_t i = 0; i < info->nimports; i++)
    if (info->imports[i].name.len == strlen(name) &&
        memcmp(info->imports[i].name.p, name, strlen(name)) == 0)
      return &info->imports[i];
  return NULL;
}

static void test_parse_hello(void **state) {
  wt__wasm_info_t info;
  const wt__wasm_import_t *im;
  char err[512], sig[128];
  (void)state;
  if (hello == NULL)
    skip();
  assert_true(wt__wasm_parse(hello, hello_len, &info, err, sizeof err));
  assert_true(info.has_start);
  assert_true(info.has_memory);
  assert_true(info.nimports > 3);
  im = find_import(&info, "fd_write");
  assert_non_null(im);
  assert_int_equal(im->kind, WT__WASM_EXTERN_FUNC);
  wt__wasm_sig_string(&info.types[im->type], sig, sizeof sig);
  assert_string_equal(sig, "(i32, i32, i32, i32) -> i32");
  assert_true(wt__imports_check(&info, err, sizeof err));
  assert_true(wt__imports_use(&info, "wasi_snapshot_preview1"));
  assert_false(wt__imports_use(&info, "wasix_32v1"));
  wt__wasm_info_free(&info);
}

/* Every prefix: never a crash; success only at a section boundary. */
static void test_truncations(void **state) {
  wt__wasm_info_t info;
  char err[512];
  int ok = 0, sections = 0;
  size_t pos = 8;
  (void)state;
  if (hello == NULL)
    skip();
  /* Count sections to bound how many prefixes may parse. */
  while (pos < hello_len) {
    uint32_t size = 0, shift = 0;
    uint8_t b;
    pos++;
    do {
      b = hello[pos++];
      size |= (uint32_t)(b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    pos += size;
    sections++;
  }
  for (size_t len = 0; len < hello_len; len++) {
    err[0] = '\0';
    if (parse_copy(hello, len, &info, err, sizeof err))
      ok++;
    else if (err[0] == '\0')
      fail_msg("prefix of %zu bytes failed without a message", len);
  }
  /* The 8-byte header alone and each section end may parse. */
  assert_in_range(ok, 1, sections + 1);
}

static void test_corruptions(void **state) {
  wt__wasm_info_t info;
  char err[512];
  uint8_t *copy;
  uint32_t seed = 12345;
  (void)state;
  if (hello == NULL)
    skip();
  copy = malloc(hello_len);
  for (int round = 0; round < 3000; round++) {
    memcpy(copy, hello, hello_len);
    for (int flips = 1 + round % 4; flips > 0; flips--) {
      /* Mostly the header sections, where the reader looks. */
      seed = seed * 1103515245u + 12345u;
      size_t at = (seed >> 8) % (round % 2 ? 400 : hello_len);
      copy[at] = (uint8_t)(seed >> 3);
    }
    (void)parse_copy(copy, hello_len, &info, err, sizeof err);
  }
  for (int round = 0; round < 500; round++) { /* garbage after the header */
    uint8_t buf[64] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    for (size_t i = 8; i < sizeof buf; i++) {
      seed = seed * 1103515245u + 12345u;
      buf[i] = (uint8_t)(seed >> 16);
    }
    (void)parse_copy(buf, 8 + (size_t)round % 56, &info, err, sizeof err);
  }
  free(copy);
  assert_true(true); /* survived: ASan would have stopped us */
}

static void expect_error(const uint8_t *p, size_t len, const char *part) {
  wt__wasm_info_t info;
  char err[512] = "";
  if (parse_copy(p, len, &info, err, sizeof err))
    fail_msg("parsed, expected an error with '%s'", part);
  if (strstr(err, part) == NULL)
    fail_msg("error '%s' does not mention '%s'", err, part);
}

#define HEADER 0, 'a', 's', 'm', 1, 0, 0, 0

static void test_bad_headers(void **state) {
  static const uint8_t text[] = "hello world";
  static const uint8_t component[] = {0, 'a', 's', 'm', 0x0d, 0, 1, 0};
  static const uint8_t short_version[] = {0, 'a', 's', 'm', 1};
  (void)state;
  expect_error(text, sizeof text, "not a WebAssembly module");
  expect_error(text, 0, "not a WebAssembly module");
  expect_error(component, sizeof component, "unsupported WebAssembly binary");
  expect_error(short_version, sizeof short_version, "truncated");
}

static void test_bad_sections(void **state) {
  /* Section id 14 does not exist. */
  static const uint8_t bad_id[] = {HEADER, 14, 0};
  /* A 6-byte LEB for a u32. */
  static const uint8_t long_leb[] = {HEADER, 1,    0x85, 0x80,
                                     0x80,   0x80, 0x80, 0x00};
  /* Type section claiming 2^28 types in 5 bytes. */
  static const uint8_t huge_count[] = {HEADER, 1,    5,    0x80,
                                       0x80,   0x80, 0x80, 0x01};
  /* Two type sections. */
  static const uint8_t twice[] = {HEADER, 1, 1, 0, 1, 1, 0};
  /* Type section whose contents stop short of its size. */
  static const uint8_t slack[] = {HEADER, 1, 2, 0, 0};
  /* Import of an undefined type index. */
  static const uint8_t bad_type[] = {HEADER, 1,   1, 0,   2, 7, 1,
                                     1,      'm', 1, 'n', 0, 0};
  (void)state;
  expect_error(bad_id, sizeof bad_id, "unknown section");
  expect_error(long_leb, sizeof long_leb, "integer too large");
  expect_error(huge_count, sizeof huge_count, "vector count");
  expect_error(twice, sizeof twice, "duplicate section");
  expect_error(slack, sizeof slack, "does not match");
  expect_error(bad_type, sizeof bad_type, "unknown type index");
}

/*
 * A module importing four things: env.foo (function), env.mem (memory),
 * wasi_snapshot_preview1.fd_write with the wrong type, and proc_exit with
 * the right one. _start is function 2.
 */
static const uint8_t imports_module[] = {
    HEADER, 1,   8,   2,   0x60, 1,   0x7f, 0,   0x60, 0,   0, /* (i32)->(),
                                                                  ()->() */
    2,      91,  4,   3,   'e',  'n', 'v',  3,   'f',  'o', 'o', 0,   1,
    3,      'e', 'n', 'v', 3,    'm', 'e',  'm', 2,    0,   1,   22,  'w',
    'a',    's', 'i', '_', 's',  'n', 'a',  'p', 's',  'h', 'o', 't', '_',
    'p',    'r', 'e', 'v', 'i',  'e', 'w',  '1', 8,    'f', 'd', '_', 'w',
    'r',    'i', 't', 'e', 0,    0,   22,   'w', 'a',  's', 'i', '_', 's',
    'n',    'a', 'p', 's', 'h',  'o', 't',  '_', 'p',  'r', 'e', 'v', 'i',
    'e',    'w', '1', 9,   'p',  'r', 'o',  'c', '_',  'e', 'x', 'i', 't',
    0,      0,   3,   2,   1,    1,   7,    10,  1,    6,   '_', 's', 't',
    'a',    'r', 't', 0,   3,    10,  4,    1,   2,    0,   0x0b};

static void test_unknown_imports_listed(void **state) {
  wt__wasm_info_t info;
  char err[2048];
  (void)state;
  assert_true(wt__wasm_parse(imports_module, sizeof imports_module, &info, err,
                             sizeof err));
  assert_int_equal(info.nimports, 4);
  assert_int_equal(info.nimported_funcs, 3);
  assert_true(info.has_start);
  assert_false(info.has_memory);
  assert_false(wt__imports_check(&info, err, sizeof err));
  assert_non_null(strstr(err, "env.foo (function): unknown function"));
  assert_non_null(strstr(err, "env.mem (memory)"));
  assert_non_null(strstr(err, "wasi_snapshot_preview1.fd_write: type (i32) "
                              "-> (), expected (i32, i32, i32, i32) -> i32"));
  assert_null(strstr(err, "proc_exit"));
  wt__wasm_info_free(&info);
}

static void test_start_checks(void **state) {
  /* _start of type (i32) -> (). */
  static const uint8_t typed[] = {HEADER, 1,   5,   1,   0x60, 1,   0x7f, 0,
                                  3,      2,   1,   0,   7,    10,  1,    6,
                                  '_',    's', 't', 'a', 'r',  't', 0,    0};
  /* _start naming function 5 of 1. */
  static const uint8_t dangling[] = {HEADER, 1,   4,   1,   0x60, 0, 0, 3,
                                     2,      1,   0,   7,   10,   1, 6, '_',
                                     's',    't', 'a', 'r', 't',  0, 5};
  (void)state;
  expect_error(typed, sizeof typed, "_start has type (i32) -> ()");
  expect_error(dangling, sizeof dangling, "_start names no function");
}

/* ---- the import table -------------------------------------------------- */

static const wt_rt_import_t *table_find(const char *module, const char *name) {
  const wt_rt_import_t *row;
  for (size_t i = 0; (row = wt_rt_import(i)) != NULL; i++)
    if (strcmp(row->module, module) == 0 && strcmp(row->name, name) == 0)
      return row;
  return NULL;
}

static void test_import_table(void **state) {
  size_t rows = 0, want = 0;
  const wt_rt_import_t *row;
  (void)state;
  while (wt_rt_import(rows) != NULL)
    rows++;
#define ROWS_P1 2
#define ROWS_WASIX 1
#define WT_CALL(name, set, fam, ret, ...) want += ROWS_##set;
#include "wt/calls.def"
#undef WT_CALL
  assert_int_equal(rows, want);
#define CHECK_ROW(mod, name, ret, ...) assert_non_null(table_find(#mod, #name));
#define WT_CALL(name, set, fam, ret, ...)                                      \
  WT_ABI_SET_##set(CHECK_ROW, name, ret, __VA_ARGS__)
#include "wt/calls.def"
#undef WT_CALL
  row = table_find("wasi_snapshot_preview1", "fd_seek");
  assert_string_equal(row->params, "iIii");
  assert_string_equal(row->results, "i");
  row = table_find("wasix_32v1", "proc_exit");
  assert_string_equal(row->params, "i");
  assert_string_equal(row->results, "");
  row = table_find("wasi_snapshot_preview1", "path_open");
  assert_string_equal(row->params, "iiiiiIIii");
  row = table_find("wasi_snapshot_preview1", "poll_oneoff");
  assert_string_equal(row->params, "iiii");
  assert_null(table_find("wasi_snapshot_preview1", "fd_event"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sha256_vectors),
      cmocka_unit_test(test_sha256_million),
      cmocka_unit_test(test_parse_hello),
      cmocka_unit_test(test_truncations),
      cmocka_unit_test(test_corruptions),
      cmocka_unit_test(test_bad_headers),
      cmocka_unit_test(test_bad_sections),
      cmocka_unit_test(test_unknown_imports_listed),
      cmocka_unit_test(test_start_checks),
      cmocka_unit_test(test_import_table),
  };
  return cmocka_run_group_tests(tests, load_hello, free_hello);
}
