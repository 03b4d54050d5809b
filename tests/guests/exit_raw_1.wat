;; proc_exit(1) called directly, without libc: nothing after it runs.
;;
;; wt-exit: 1
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; iovec at 0 -> "before exit\n" at 16; the second at 8 -> "not reached\n" at 32
  (data (i32.const 0) "\10\00\00\00\0c\00\00\00\20\00\00\00\0c\00\00\00")
  (data (i32.const 16) "before exit\n")
  (data (i32.const 32) "not reached\n")
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 48)))
    (call $proc_exit (i32.const 1))
    (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 48)))))
