;; Imports fd_write with the wrong signature ((i32) -> i32 instead of
;; (i32 i32 i32 i32) -> i32): exit 126, nothing runs, and the message names
;; the import.
;;
;; wt-exit: 126
;; wt-stderr-contains: wasi_snapshot_preview1.fd_write
;; wt-node: skip node:wasi imports are JavaScript functions, which link whatever the declared signature
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $fd_write (i32.const 1)))))
