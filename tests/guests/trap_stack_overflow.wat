;; Trap: call stack exhausted by unbounded recursion.
;; The line before the trap reaches stdout; the run ends with exit code 134
;; and a message on stderr naming the trap.
;;
;; wt-exit: 134
;; wt-stderr-contains: guest trapped: call stack exhausted
;; wt-stderr-contains: wasm backtrace:
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\10\00\00\00\0e\00\00\00")
  (data (i32.const 16) "about to trap\n")
  ;; The store after the call keeps a compiler from turning this into a loop.
  (func $down (param i32) (result i32)
    (i32.store (i32.const 64) (call $down (i32.add (local.get 0) (i32.const 1))))
    (i32.add (i32.load (i32.const 64)) (local.get 0)))
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 48)))
    (drop (call $down (i32.const 0)))))
