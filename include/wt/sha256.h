/*
 * SHA-256 (FIPS 180-4): module identity in traces, compile-cache keys.
 */
#ifndef WT_SHA256_H
#define WT_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct wt_sha256_s {
  uint32_t h[8];
  uint64_t len; /* bytes hashed so far */
  uint8_t buf[64];
  uint32_t used; /* bytes waiting in buf */
} wt_sha256_t;

void wt_sha256_init(wt_sha256_t *s);
void wt_sha256_update(wt_sha256_t *s, const void *data, size_t len);
void wt_sha256_final(wt_sha256_t *s, uint8_t out[32]);
/* One-shot digest of a buffer. */
void wt_sha256(const void *data, size_t len, uint8_t out[32]);
/* Lower-case hex of a 32-byte digest into out[65] (NUL-terminated). */
void wt_sha256_hex(const uint8_t digest[32], char out[65]);

#endif /* WT_SHA256_H */
