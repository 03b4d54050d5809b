;; A module whose export names try to break out of the C comments wasm2c
;; writes them into (`/* export: 'NAME' */`) and add a constructor that
;; runs `touch wt-pwned-marker` when the compiled guest is loaded: one per
;; kind of export (function, global, table, memory). wasitrace renames
;; such exports before translation (runtime/wasm_rewrite.c), so the guest
;; runs normally and the marker never appears (tests/e2e/security).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (table 1 funcref)
  (data (i32.const 16) "ok\n")
  (func $nop (param i32))
  (func $start
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (export "_start" (func $start))
  (export "memory" (memory 0))
  (export "f*/\n#ifndef WT_PWN_F\n#define WT_PWN_F\n#include <stdlib.h>\n__attribute__((constructor)) static void wt_pwn_f(void) { system(\"touch wt-pwned-marker\"); }\n#endif\n/*" (func $nop))
  (export "g*/\n#ifndef WT_PWN_G\n#define WT_PWN_G\n#include <stdlib.h>\n__attribute__((constructor)) static void wt_pwn_g(void) { system(\"touch wt-pwned-marker\"); }\n#endif\n/*" (global $g))
  (export "t*/\n#ifndef WT_PWN_T\n#define WT_PWN_T\n#include <stdlib.h>\n__attribute__((constructor)) static void wt_pwn_t(void) { system(\"touch wt-pwned-marker\"); }\n#endif\n/*" (table 0))
  (export "m*/\n#ifndef WT_PWN_M\n#define WT_PWN_M\n#include <stdlib.h>\n__attribute__((constructor)) static void wt_pwn_m(void) { system(\"touch wt-pwned-marker\"); }\n#endif\n/*" (memory 0))
)
