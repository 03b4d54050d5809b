/*
 * Little-endian loads and stores and a bounds-checked byte cursor, shared
 * by the layers that write and read trace encodings (tracer/, replay/).
 * Internal: not part of the library's API.
 */
#ifndef WT_BYTES_H
#define WT_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The encodings are little-endian; copying native values assumes a
   little-endian host, as running wasm2c output does. */
static inline void wt__st16(uint8_t *p, uint16_t v) {
  memcpy(p, &v, 2);
}
static inline void wt__st32(uint8_t *p, uint32_t v) {
  memcpy(p, &v, 4);
}
static inline void wt__st64(uint8_t *p, uint64_t v) {
  memcpy(p, &v, 8);
}
static inline uint16_t wt__ld16(const uint8_t *p) {
  uint16_t v;
  memcpy(&v, p, 2);
  return v;
}
static inline uint32_t wt__ld32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}
static inline uint64_t wt__ld64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* A bounds-checked reader over a byte string; `bad` sticks once set. */
typedef struct wt__cur_s {
  const uint8_t *p, *end;
  bool bad;
} wt__cur_t;

/* The next n bytes, or NULL (and bad) when fewer remain. */
static inline const uint8_t *wt__cur_take(wt__cur_t *c, size_t n) {
  const uint8_t *p = c->p;
  if (c->bad || (size_t)(c->end - c->p) < n) {
    c->bad = true;
    return NULL;
  }
  c->p += n;
  return p;
}
static inline uint32_t wt__cur_u32(wt__cur_t *c) {
  const uint8_t *p = wt__cur_take(c, 4);
  return p ? wt__ld32(p) : 0;
}
static inline uint64_t wt__cur_u64(wt__cur_t *c) {
  const uint8_t *p = wt__cur_take(c, 8);
  return p ? wt__ld64(p) : 0;
}

#endif /* WT_BYTES_H */
