;; Imports a call wasi_snapshot_preview1 does not have: the module cannot be
;; run (exit 126, nothing runs) and the message names the import.
;;
;; wt-exit: 126
;; wt-stderr-contains: wasi_snapshot_preview1.no_such_call
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "no_such_call"
    (func $no_such_call (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\10\00\00\00\0c\00\00\00")
  (data (i32.const 16) "not reached\n")
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 48)))
    (drop (call $no_such_call (i32.const 0)))))
