/*
 * The binary encoding of a call's inputs: a trace record's `args_bin`
 * (docs/trace-format.md), per argument kind of include/wt/calls.def. The tracer
 * writes it for every call it records, and the replay writes it for the
 * guest's call to compare with the record's: one definition, so the two
 * cannot drift apart.
 *
 * Apply with WT_ARGS(WT_ENC, ...) after defining, for the destination,
 *   WT_ENC_U32(v)       a u32, little-endian
 *   WT_ENC_U64(v)       a u64, little-endian
 *   WT_ENC_BYTES(p, n)  n bytes from p (n may be 0)
 * Outputs contribute nothing (they are in the results).
 */
#ifndef WT_ARGENC_H
#define WT_ARGENC_H

#include <stddef.h>
#include <stdint.h>

#define WT_ENC_VOID()
#define WT_ENC_FD(name, right) WT_ENC_U32(name);
#define WT_ENC_IN(type, name, fmt) WT_ENC_U64((uint64_t)name);
/* Strings: length, then the bytes. */
#define WT_ENC_IN_STR(name)                                                    \
  WT_ENC_U32(name##_len);                                                      \
  WT_ENC_BYTES(name, name##_len);
/* iovecs: their count and each length; the bytes go in payloads. */
#define WT_ENC_IN_IOVS(name)                                                   \
  WT_ENC_U32(name##_len);                                                      \
  for (uint32_t i_ = 0; i_ < name##_len; i_++)                                 \
    WT_ENC_U32(name[i_].buf_len);
#define WT_ENC_OUT_IOVS(name, used) WT_ENC_IN_IOVS(name)
/* Output buffers: their capacity. */
#define WT_ENC_OUT_BUF(name, used) WT_ENC_U32(name##_len);
#define WT_ENC_OUT_BYTES(name) WT_ENC_U32(name##_len);
#define WT_ENC_OUT(type, name, fmt)
/* Struct arrays: their size in bytes, then the bytes. */
#define WT_ENC_IN_ARRAY(type, name, count, fmt)                                \
  {                                                                            \
    size_t n_ = name != NULL ? (size_t)count * sizeof(type) : 0;               \
    WT_ENC_U32((uint32_t)n_);                                                  \
    WT_ENC_BYTES(name, n_);                                                    \
  }
#define WT_ENC_OUT_ARRAY(type, name, count, used, fmt)
/* Optional structs: a presence byte, then the struct if present. */
#define WT_ENC_IN_OPT(type, name, fmt)                                         \
  {                                                                            \
    uint8_t present_ = name != NULL;                                           \
    WT_ENC_BYTES(&present_, 1);                                                \
    if (name != NULL)                                                          \
      WT_ENC_BYTES(name, sizeof(type));                                        \
  }
/* String tables: the capacities the guest sized with *_sizes_get. */
#define WT_ENC_OUT_STRTAB(name)                                                \
  WT_ENC_U32(name->offsets_cap);                                               \
  WT_ENC_U32(name->buf_cap);

#endif /* WT_ARGENC_H */
