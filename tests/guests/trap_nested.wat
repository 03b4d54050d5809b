;; Trap: unreachable, four calls deep. The module names its functions
;; (wat2wasm --debug-names), except one, so the trap's wasm backtrace shows
;; names from the name section, an index (func[2]) for the unnamed one, and
;; the export's name for _start, innermost first.
;;
;; wt-exit: 134
;; wt-debug-names: yes
;; wt-stderr-contains: guest trapped: unreachable instruction executed
;; wt-stderr-contains: wasm backtrace:
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $depth (mut i32) (i32.const 0))
  (data (i32.const 0) "\10\00\00\00\0e\00\00\00")
  (data (i32.const 16) "about to trap\n")

  ;; Each function does some work of its own after its call, so that a
  ;; compiler has no reason to turn the call into a jump.
  (func $inner (param i32) (result i32)
    (global.set $depth (local.get 0))
    (if (i32.gt_u (global.get $depth) (i32.const 2)) (then unreachable))
    (i32.add (local.get 0) (i32.const 1)))

  (func (param i32) (result i32)
    (i32.mul (call $inner (i32.add (local.get 0) (i32.const 1))) (i32.const 3)))

  (func $middle (param i32) (result i32)
    (i32.xor (call 2 (i32.add (local.get 0) (i32.const 1))) (i32.const 5)))

  (func $outer (param i32) (result i32)
    (i32.sub (call $middle (local.get 0)) (i32.const 7)))

  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 48)))
    (drop (call $outer (i32.const 1)))))
