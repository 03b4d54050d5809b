;; Trap: call_indirect through a table slot whose function has another
;; signature.
;; The line before the trap reaches stdout; the run ends with exit code 134
;; and a message on stderr naming the trap.
;;
;; wt-exit: 134
;; wt-stderr-contains: guest trapped: indirect call to a null or mistyped table element
;; wt-stderr-contains: wasm backtrace:
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\10\00\00\00\0e\00\00\00")
  (data (i32.const 16) "about to trap\n")
  (type $void (func))
  (type $int (func (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $f)
  (func $f (result i32) (i32.const 1))
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 48)))
    (call_indirect (type $void) (i32.load (i32.const 60)))))
