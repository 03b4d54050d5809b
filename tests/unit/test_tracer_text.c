/*
 * The writer's text encoders (tracer/util.c), which every stored call goes
 * through: decimal numbers against printf, base64 against RFC 4648's
 * vectors and a round trip, and JSON strings against a byte-at-a-time
 * reference, with every byte that needs escaping at every position of the
 * eight-byte fast path.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tracer/internal.h"
#include "testutil.h"

static void check_u64(uint64_t v) {
  wt__sb_t b = {0};
  char want[32];
  snprintf(want, sizeof want, "%" PRIu64, v);
  wt__sb_u64(&b, v);
  assert_string_equal(b.s, want);
  wt__sb_free(&b);
}

static void test_u64(void **state) {
  uint64_t p = 1, x = 88172645463325252ull;
  (void)state;
  check_u64(0);
  check_u64(UINT64_MAX);
  for (int i = 0; i < 20; i++, p *= 10) {
    check_u64(p);
    check_u64(p - 1);
    check_u64(p + 1);
    check_u64(p * 5);
  }
  for (int i = 0; i < 10000; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    check_u64(x >> (i % 64));
  }
}

static void test_base64(void **state) {
  static const char *const vec[][2] = {
      {"", ""},         {"f", "Zg=="},        {"fo", "Zm8="},
      {"foo", "Zm9v"},  {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  uint8_t data[64];
  (void)state;
  for (size_t i = 0; i < sizeof vec / sizeof *vec; i++) {
    wt__sb_t b = {0};
    wt__sb_base64(&b, (const uint8_t *)vec[i][0], strlen(vec[i][0]));
    assert_string_equal(b.s != NULL ? b.s : "", vec[i][1]);
    wt__sb_free(&b);
  }
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (uint8_t)(i * 151 + 7);
  for (size_t n = 0; n <= sizeof data; n++) {
    wt__sb_t b = {0};
    uint8_t *back = NULL;
    size_t len = 0;
    wt__sb_base64(&b, data, n);
    assert_int_equal(b.len, (n + 2) / 3 * 4);
    assert_int_equal(wt__base64_decode(b.s != NULL ? b.s : "", b.len, &back, &len), 0);
    assert_int_equal(len, n);
    if (n > 0)
      assert_memory_equal(back, data, n);
    free(back);
    wt__sb_free(&b);
  }
}

/* The escaping rules for bytes below 0x80, one byte at a time. */
static void ref_json(const uint8_t *p, size_t n, char *out) {
  static const char hex[] = "0123456789abcdef";
  *out++ = '"';
  for (size_t i = 0; i < n; i++) {
    uint8_t c = p[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      *out++ = (char)c;
    } else if (c == '"' || c == '\\') {
      *out++ = '\\';
      *out++ = (char)c;
    } else if (c == '\n') {
      *out++ = '\\';
      *out++ = 'n';
    } else {
      out += sprintf(out, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
    }
  }
  *out++ = '"';
  *out = 0;
}

static void check_json(const uint8_t *p, size_t n) {
  wt__sb_t b = {0};
  char want[6 * 64 + 3];
  ref_json(p, n, want);
  wt__sb_json_str(&b, p, n);
  assert_string_equal(b.s, want);
  wt__sb_free(&b);
}

static void test_json_ascii(void **state) {
  static const uint8_t special[] = {0, 1, '\n', 0x1f, '"', '\\', 0x7f, ' ',
                                    '~', 'a'};
  uint8_t buf[40] = {0};
  uint64_t x = 0x9e3779b97f4a7c15ull;
  (void)state;
  /* Each special byte at each position of plain strings of 0..40 bytes. */
  for (size_t n = 0; n <= sizeof buf; n++) {
    for (size_t i = 0; i < n; i++)
      buf[i] = (uint8_t)('A' + i % 26);
    check_json(buf, n);
    for (size_t at = 0; at < n; at++)
      for (size_t k = 0; k < sizeof special; k++) {
        uint8_t was = buf[at];
        buf[at] = special[k];
        check_json(buf, n);
        buf[at] = was;
      }
  }
  /* Random bytes below 0x80. */
  for (int r = 0; r < 20000; r++) {
    size_t n = (size_t)(r % 40);
    for (size_t i = 0; i < n; i++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      buf[i] = (uint8_t)(x & 0x7f);
    }
    check_json(buf, n);
  }
}

/* The length of the valid UTF-8 sequence at p (RFC 3629), else 0. */
static size_t ref_utf8(const uint8_t *p, size_t n) {
  uint32_t cp, min;
  size_t len;
  if (p[0] >= 0xc0 && p[0] < 0xe0)
    len = 2, cp = p[0] & 0x1f, min = 0x80;
  else if (p[0] >= 0xe0 && p[0] < 0xf0)
    len = 3, cp = p[0] & 0x0f, min = 0x800;
  else if (p[0] >= 0xf0 && p[0] < 0xf8)
    len = 4, cp = p[0] & 0x07, min = 0x10000;
  else
    return 0;
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xc0) != 0x80)
      return 0;
    cp = cp << 6 | (p[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

/* Any bytes: valid UTF-8 kept, other bytes from 0x80 as \u00XX. */
static void ref_json_any(const uint8_t *p, size_t n, char *out) {
  char *o = out;
  *o++ = '"';
  for (size_t i = 0; i < n;) {
    size_t u = p[i] >= 0x80 ? ref_utf8(p + i, n - i) : 0;
    if (u > 0) {
      memcpy(o, p + i, u);
      o += u;
      i += u;
    } else {
      ref_json(p + i, 1, o); /* one byte, quoted: drop the quotes */
      size_t m = strlen(o);
      memmove(o, o + 1, m - 2);
      o += m - 2;
      i++;
    }
  }
  *o++ = '"';
  *o = 0;
}

/* Random bytes of every value, and random mixes of text and UTF-8. */
static void test_json_binary(void **state) {
  static const char *const pieces[] = {"a", "bcdefghij", "\xc3\xa9",
                                       "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                       "\xc3", "\xed\xa0\x80", "\x80", "\"",
                                       "\n", "\x01", "\xff"};
  uint8_t buf[80];
  char want[6 * 80 + 3];
  uint64_t x = 0x2545f4914f6cdd1dull;
  (void)state;
  for (int r = 0; r < 20000; r++) {
    size_t n = 0;
    wt__sb_t b = {0};
    if (r % 2 == 0) {
      n = (size_t)(r % 65);
      for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (uint8_t)x;
      }
    } else {
      while (n < 60) {
        const char *pc;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        pc = pieces[x % (sizeof pieces / sizeof *pieces)];
        memcpy(buf + n, pc, strlen(pc));
        n += strlen(pc);
      }
    }
    ref_json_any(buf, n, want);
    wt__sb_json_str(&b, buf, n);
    assert_string_equal(b.s, want);
    wt__sb_free(&b);
  }
}

static void check_json_text(const char *in, const char *want) {
  wt__sb_t b = {0};
  wt__sb_json_str(&b, in, strlen(in));
  assert_string_equal(b.s, want);
  wt__sb_free(&b);
}

static void test_json_utf8(void **state) {
  (void)state;
  /* Valid UTF-8 is kept, before, inside and after eight-byte runs. */
  check_json_text("caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9\x65",
                  "\"caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9\x65\"");
  check_json_text("abcdefg\xe2\x82\xac", "\"abcdefg\xe2\x82\xac\"");
  check_json_text("\xf0\x9f\x98\x80xxxxxxxx", "\"\xf0\x9f\x98\x80xxxxxxxx\"");
  /* Other bytes from 0x80 are escaped one by one. */
  check_json_text("abcdefgh\xff", "\"abcdefgh\\u00ff\"");
  check_json_text("\x80\x81zzzzzzzz", "\"\\u0080\\u0081zzzzzzzz\"");
  check_json_text("abcdefg\xc3", "\"abcdefg\\u00c3\"");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_u64),
      cmocka_unit_test(test_base64),
      cmocka_unit_test(test_json_ascii),
      cmocka_unit_test(test_json_utf8),
      cmocka_unit_test(test_json_binary),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
