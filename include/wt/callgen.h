/*
 * Machinery to expand include/wt/calls.def.
 *
 * A consumer writes one macro per argument kind, named PREFIX_KIND, and
 * applies it with WT_ARGS(PREFIX, arg...). For example, with
 *
 *   #define P_FD(name, right) , wt_fd_t name
 *
 * WT_ARGS(P, (FD, fd, FD_READ)) expands to ", wt_fd_t fd". Because the
 * prefix is an argument, one WT_CALL expansion can walk the same arguments
 * several times with different meanings (a parameter list, then the list of
 * names to forward), which plain X-macros cannot do.
 *
 * Standard walks provided here:
 *   WT_ARGS(WT_HP, ...)  host parameter list, each with a leading comma
 *   WT_ARGS(WT_HN, ...)  host argument names, each with a leading comma
 */
#ifndef WT_CALLGEN_H
#define WT_CALLGEN_H

#define WT__CAT(a, b) a##b
#define WT_CAT(a, b) WT__CAT(a, b)
#define WT__EXPAND(...) __VA_ARGS__

/* Applies PREFIX_KIND(rest...) to a tuple (KIND, rest...). */
#define WT__APPLY(P, t) WT__APPLY_(P, WT__EXPAND t)
#define WT__APPLY_(P, ...) WT__APPLY__(P, __VA_ARGS__)
#define WT__APPLY__(P, kind, ...) P##_##kind(__VA_ARGS__)

#define WT__FE1(P, a) WT__APPLY(P, a)
#define WT__FE2(P, a, ...) WT__APPLY(P, a) WT__FE1(P, __VA_ARGS__)
#define WT__FE3(P, a, ...) WT__APPLY(P, a) WT__FE2(P, __VA_ARGS__)
#define WT__FE4(P, a, ...) WT__APPLY(P, a) WT__FE3(P, __VA_ARGS__)
#define WT__FE5(P, a, ...) WT__APPLY(P, a) WT__FE4(P, __VA_ARGS__)
#define WT__FE6(P, a, ...) WT__APPLY(P, a) WT__FE5(P, __VA_ARGS__)
#define WT__FE7(P, a, ...) WT__APPLY(P, a) WT__FE6(P, __VA_ARGS__)
#define WT__FE8(P, a, ...) WT__APPLY(P, a) WT__FE7(P, __VA_ARGS__)
#define WT__FE9(P, a, ...) WT__APPLY(P, a) WT__FE8(P, __VA_ARGS__)
#define WT__FE10(P, a, ...) WT__APPLY(P, a) WT__FE9(P, __VA_ARGS__)
#define WT__FE11(P, a, ...) WT__APPLY(P, a) WT__FE10(P, __VA_ARGS__)
#define WT__FE12(P, a, ...) WT__APPLY(P, a) WT__FE11(P, __VA_ARGS__)
#define WT__NTH(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, N, ...) N
#define WT__COUNT(...)                                                         \
  WT__NTH(__VA_ARGS__, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)

/* WT_ARGS(PREFIX, tuple...): PREFIX_KIND(...) for every tuple, in order. */
#define WT_ARGS(P, ...) WT_CAT(WT__FE, WT__COUNT(__VA_ARGS__))(P, __VA_ARGS__)

/* The number of argument tuples a call has (VOID counts as one). */
#define WT_NARGS(...) WT__COUNT(__VA_ARGS__)

/* Host parameter list (leading commas). */
#define WT_HP_VOID()
#define WT_HP_FD(name, right) , wt_fd_t name
#define WT_HP_IN(type, name, fmt) , type name
#define WT_HP_IN_STR(name) , const char *name, uint32_t name##_len
#define WT_HP_IN_IOVS(name) , const wt_ciovec_t *name, uint32_t name##_len
#define WT_HP_OUT_IOVS(name, used) , const wt_iovec_t *name, uint32_t name##_len
#define WT_HP_OUT_BUF(name, used) , uint8_t *name, uint32_t name##_len
#define WT_HP_OUT_BYTES(name) , uint8_t *name, uint32_t name##_len
#define WT_HP_OUT(type, name, fmt) , type *name
#define WT_HP_IN_ARRAY(type, name, count, fmt) , const type *name
#define WT_HP_OUT_ARRAY(type, name, count, used, fmt) , type *name
#define WT_HP_IN_OPT(type, name, fmt) , const type *name
#define WT_HP_OUT_STRTAB(name) , wt_strtab_t *name

/* Host argument names (leading commas), to forward a call. */
#define WT_HN_VOID()
#define WT_HN_FD(name, right) , name
#define WT_HN_IN(type, name, fmt) , name
#define WT_HN_IN_STR(name) , name, name##_len
#define WT_HN_IN_IOVS(name) , name, name##_len
#define WT_HN_OUT_IOVS(name, used) , name, name##_len
#define WT_HN_OUT_BUF(name, used) , name, name##_len
#define WT_HN_OUT_BYTES(name) , name, name##_len
#define WT_HN_OUT(type, name, fmt) , name
#define WT_HN_IN_ARRAY(type, name, count, fmt) , name
#define WT_HN_OUT_ARRAY(type, name, count, used, fmt) , name
#define WT_HN_IN_OPT(type, name, fmt) , name
#define WT_HN_OUT_STRTAB(name) , name

/*
 * Guest parameters as wt_guest_param_t initialisers: one per wasm import
 * parameter, in the order the runtime's ABI layer declares them (a pointer
 * and its length are two).
 */
#define WT_GPN_VOID()
#define WT_GPN_FD(name, right) {#name, true},
#define WT_GPN_IN(type, name, fmt) {#name, false},
#define WT_GPN_PAIR(name, len) {#name, false}, {#name "_" #len, false},
#define WT_GPN_IN_STR(name) WT_GPN_PAIR(name, len)
#define WT_GPN_IN_IOVS(name) WT_GPN_PAIR(name, len)
#define WT_GPN_OUT_IOVS(name, used) WT_GPN_PAIR(name, len)
#define WT_GPN_OUT_BUF(name, used) WT_GPN_PAIR(name, len)
#define WT_GPN_OUT_BYTES(name) WT_GPN_PAIR(name, len)
#define WT_GPN_OUT(type, name, fmt) {#name, false},
#define WT_GPN_IN_ARRAY(type, name, count, fmt) {#name, false},
#define WT_GPN_OUT_ARRAY(type, name, count, used, fmt) {#name, false},
#define WT_GPN_IN_OPT(type, name, fmt) {#name, false},
#define WT_GPN_OUT_STRTAB(name) WT_GPN_PAIR(name, buf)

/* The right an FD argument requires, as a wt_rights_t. */
#define WT_FD_RIGHT(right) ((wt_rights_t)WT_RIGHT_##right)

#endif /* WT_CALLGEN_H */
