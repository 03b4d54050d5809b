/*
 * Proposals wasm2c 1.0.32 cannot translate (as the runtime calls it), found
 * before translating so the user reads which one instead of "unexpected
 * opcode 0x12" or an abort in wasm2c (SIMD).
 *
 * The code section is walked instruction by instruction, decoding every
 * immediate, so a byte of an immediate (0xFD in a constant) can never be
 * taken for an opcode. The walk is conservative the other way too: at an
 * opcode it does not know, or malformed bytes, it stops looking at that
 * function and says nothing; wasm2c then gives its own verdict.
 */
#include <stdio.h>
#include <string.h>

#include "rt_internal.h"

typedef struct scan_s {
  const uint8_t *base, *p, *end;
  const char *found; /* the proposal, once seen */
  const char *what;  /* the construct that uses it */
  size_t at;         /* its file offset */
} scan_t;

/* Marks the proposal `name` as used by `what` at the current offset. */
static bool uses(scan_t *s, const char *name, const char *what) {
  if (s->found == NULL) {
    s->found = name;
    s->what = what;
    s->at = (size_t)(s->p - s->base);
  }
  return false; /* stop the walk */
}

static bool get(scan_t *s, uint8_t *b) {
  if (s->p >= s->end)
    return false;
  *b = *s->p++;
  return true;
}

/* An unsigned or signed LEB128 of at most 10 bytes; its value if unsigned. */
static bool leb(scan_t *s, uint64_t *v) {
  uint8_t b;
  unsigned shift = 0;
  *v = 0;
  do {
    if (shift >= 70 || !get(s, &b))
      return false;
    if (shift < 64)
      *v |= (uint64_t)(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return true;
}

static bool skip_leb(scan_t *s, unsigned n) {
  uint64_t v;
  while (n-- > 0)
    if (!leb(s, &v))
      return false;
  return true;
}

static bool skip(scan_t *s, size_t n) {
  if (n > (size_t)(s->end - s->p))
    return false;
  s->p += n;
  return true;
}

/* A value type: MVP and reference types pass; v128 and typed refs do not. */
static bool valtype(scan_t *s, uint8_t t) {
  switch (t) {
  case 0x7F: case 0x7E: case 0x7D: case 0x7C: case 0x70: case 0x6F:
    return true;
  case 0x7B:
    return uses(s, "fixed-width SIMD", "a v128 value");
  case 0x64: case 0x63:
    return uses(s, "typed function references", "a typed reference");
  default:
    return false; /* unknown: not ours to judge */
  }
}

/* A block type: empty, one value type, or a type index (s33). */
static bool blocktype(scan_t *s) {
  uint8_t b;
  if (s->p >= s->end)
    return false;
  b = *s->p;
  if (b == 0x40)
    return skip(s, 1);
  if (b & 0x40) { /* a negative s33: a value type byte */
    s->p++;
    return valtype(s, b);
  }
  return skip_leb(s, 1);
}

/* The 0xFC prefix: saturating truncation, bulk memory, tables. */
static bool prefix_fc(scan_t *s) {
  uint64_t op;
  if (!leb(s, &op))
    return false;
  if (op <= 7)
    return true;
  switch (op) {
  case 9: case 11: case 13: case 15: case 16: case 17:
    return skip_leb(s, 1);
  case 8: case 10: case 12: case 14:
    return skip_leb(s, 2);
  default:
    return false;
  }
}

/* A memory access: alignment (bit 6: a memory index follows), offset. */
static bool memarg(scan_t *s) {
  uint64_t align;
  if (!leb(s, &align))
    return false;
  if (align & 0x40)
    return uses(s, "multi-memory", "a second memory");
  return skip_leb(s, 1);
}

/* One instruction; false at the end of what can be decoded (or a find). */
static bool instruction(scan_t *s) {
  uint8_t op;
  uint64_t n;
  if (!get(s, &op))
    return false;
  if ((op >= 0x45 && op <= 0xC4) || op <= 0x01 || op == 0x05 || op == 0x0B ||
      op == 0x0F || op == 0x1A || op == 0x1B || op == 0xD1)
    return true;
  if (op >= 0x28 && op <= 0x3E)
    return memarg(s);
  if (op >= 0x20 && op <= 0x26)
    return skip_leb(s, 1);
  s->p--; /* offsets name the opcode itself */
  switch (op) {
  case 0x12: return uses(s, "tail-call", "return_call");
  case 0x13: return uses(s, "tail-call", "return_call_indirect");
  case 0x06: case 0x07: case 0x08: case 0x09: case 0x0A: case 0x18:
  case 0x19: case 0x1F:
    return uses(s, "exception-handling", "a try, catch or throw");
  case 0x14: case 0x15: case 0xD3: case 0xD4: case 0xD5: case 0xD6:
    return uses(s, "typed function references", "call_ref or br_on_null");
  case 0xFB: return uses(s, "garbage collection", "a GC instruction");
  case 0xFD: return uses(s, "fixed-width SIMD", "a v128 instruction");
  case 0xFE: return uses(s, "threads", "an atomic instruction");
  }
  s->p++;
  switch (op) {
  case 0x02: case 0x03: case 0x04:
    return blocktype(s);
  case 0x0C: case 0x0D: case 0x10: case 0xD2:
    return skip_leb(s, 1);
  case 0x11:
    return skip_leb(s, 2);
  case 0x0E:
    return leb(s, &n) && n < (uint64_t)(s->end - s->p) &&
           skip_leb(s, (unsigned)n + 1);
  case 0x1C:
    if (!leb(s, &n) || n > (uint64_t)(s->end - s->p))
      return false;
    while (n-- > 0)
      if (!get(s, &op) || !valtype(s, op))
        return false;
    return true;
  case 0x3F: case 0x40:
    return leb(s, &n) && (n == 0 || uses(s, "multi-memory", "a memory index"));
  case 0x41: case 0x42:
    return skip_leb(s, 1);
  case 0x43:
    return skip(s, 4);
  case 0x44:
    return skip(s, 8);
  case 0xD0:
    return skip_leb(s, 1); /* a heap type */
  case 0xFC:
    return prefix_fc(s);
  default:
    return false;
  }
}

/* One function body: its locals' types, then its instructions. */
static void body(scan_t *s, const uint8_t *end) {
  scan_t b = *s;
  uint64_t groups, n;
  uint8_t t;
  b.end = end;
  if (!leb(&b, &groups) || groups > (uint64_t)(end - b.p))
    return;
  while (groups-- > 0)
    if (!leb(&b, &n) || !get(&b, &t) || !valtype(&b, t))
      goto out;
  while (instruction(&b))
    ;
out:
  if (b.found != NULL && s->found == NULL) {
    s->found = b.found;
    s->what = b.what;
    s->at = b.at;
  }
}

static void code_section(scan_t *s) {
  uint64_t count, size;
  if (!leb(s, &count))
    return;
  while (count-- > 0 && s->found == NULL) {
    if (!leb(s, &size) || size > (uint64_t)(s->end - s->p))
      return;
    body(s, s->p + size);
    s->p += size;
  }
}

/* Function types: v128 parameters or results. */
static void type_section(scan_t *s) {
  uint64_t count, n;
  uint8_t form, t;
  if (!leb(s, &count))
    return;
  while (count-- > 0 && s->found == NULL) {
    if (!get(s, &form))
      return;
    if (form != 0x60) {
      uses(s, "garbage collection", "a struct, array or recursive type");
      return;
    }
    for (int k = 0; k < 2; k++) {
      if (!leb(s, &n) || n > (uint64_t)(s->end - s->p))
        return;
      while (n-- > 0)
        if (!get(s, &t) || !valtype(s, t))
          return;
    }
  }
}

/* Limits: the shared flag (bit 1) is the threads proposal's. */
static bool limits_shared(scan_t *s) {
  uint8_t flags;
  if (!get(s, &flags))
    return false;
  if (flags & 2)
    return uses(s, "threads", "a shared memory");
  return skip_leb(s, (flags & 1) ? 2 : 1);
}

static void memory_section(scan_t *s) {
  uint64_t count;
  if (!leb(s, &count))
    return;
  while (count-- > 0 && limits_shared(s))
    ;
}

static void import_section(scan_t *s) {
  uint64_t count, len;
  uint8_t kind, t;
  if (!leb(s, &count))
    return;
  while (count-- > 0 && s->found == NULL) {
    for (int k = 0; k < 2; k++)
      if (!leb(s, &len) || !skip(s, (size_t)len))
        return;
    if (!get(s, &kind))
      return;
    switch (kind) {
    case 0: /* a function's type index */
      if (!skip_leb(s, 1))
        return;
      break;
    case 1: /* a table: reference type, limits */
      if (!get(s, &t) || !limits_shared(s))
        return;
      break;
    case 2:
      if (!limits_shared(s))
        return;
      break;
    case 3: /* a global: value type, mutability */
      if (!get(s, &t) || !valtype(s, t) || !skip(s, 1))
        return;
      break;
    case 4:
      uses(s, "exception-handling", "an imported tag");
      return;
    default:
      return;
    }
  }
}

/* Globals: their types, and their initializers (constant expressions). */
static void global_section(scan_t *s) {
  uint64_t count;
  uint8_t t;
  if (!leb(s, &count))
    return;
  while (count-- > 0) {
    if (!get(s, &t) || !valtype(s, t) || !skip(s, 1))
      return;
    while (s->p < s->end && *s->p != 0x0B)
      if (!instruction(s))
        return;
    if (!skip(s, 1))
      return;
  }
}

bool wt__wasm_features_check(const uint8_t *p, size_t len, char *err,
                             size_t err_size) {
  scan_t s = {p, p + 8, p + len, NULL, NULL, 0};
  if (len < 8)
    return true;
  while (s.p < s.end && s.found == NULL) {
    uint8_t id;
    uint64_t size;
    scan_t sec;
    if (!get(&s, &id) || !leb(&s, &size) || size > (uint64_t)(s.end - s.p))
      break;
    sec = s;
    sec.end = s.p + size;
    switch (id) {
    case 1: type_section(&sec); break;
    case 2: import_section(&sec); break;
    case 5: memory_section(&sec); break;
    case 6: global_section(&sec); break;
    case 10: code_section(&sec); break;
    case 13: uses(&sec, "exception-handling", "a tag section"); break;
    default: break;
    }
    if (sec.found != NULL)
      s.found = sec.found, s.what = sec.what, s.at = sec.at;
    s.p += size;
  }
  if (s.found == NULL)
    return true;
  snprintf(err, err_size,
           "the module uses the %s proposal (%s at offset 0x%zx), which "
           "this runtime does not support",
           s.found, s.what, s.at);
  return false;
}
