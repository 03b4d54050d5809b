;; proc_raise with a signal that does nothing: 0 (NONE) and URG, WINCH,
;; CHLD (ignored by default) succeed and the guest carries on; a signal
;; number past the table (200) is INVAL. sched_yield succeeds.
;;
;; wt-node: skip uvwasi answers NOSYS for signal 0 and would deliver the others to node itself
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_raise" (func $raise (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "0123456789")
  ;; Prints "LABEL ERRNO\n"; the label is at 200 + 16 * index, 15 bytes.
  (func $line (param $label i32) (param $errno i32)
    (i32.store (i32.const 0) (local.get $label))
    (i32.store (i32.const 4) (i32.const 15))
    ;; errno as up to two digits at 16..17, then "\n"
    (i32.store8 (i32.const 16)
      (i32.load8_u (i32.add (i32.const 100) (i32.div_u (local.get $errno) (i32.const 10)))))
    (i32.store8 (i32.const 17)
      (i32.load8_u (i32.add (i32.const 100) (i32.rem_u (local.get $errno) (i32.const 10)))))
    (i32.store8 (i32.const 18) (i32.const 10))
    (i32.store (i32.const 8) (i32.const 16))
    (i32.store (i32.const 12) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 48))))
  (data (i32.const 200) "raise NONE:    ")
  (data (i32.const 216) "raise URG:     ")
  (data (i32.const 232) "raise WINCH:   ")
  (data (i32.const 248) "raise CHLD:    ")
  (data (i32.const 264) "raise 200:     ")
  (data (i32.const 280) "sched_yield:   ")
  (func (export "_start")
    (call $line (i32.const 200) (call $raise (i32.const 0)))
    (call $line (i32.const 216) (call $raise (i32.const 22)))
    (call $line (i32.const 232) (call $raise (i32.const 27)))
    (call $line (i32.const 248) (call $raise (i32.const 16)))
    (call $line (i32.const 264) (call $raise (i32.const 200)))
    (call $line (i32.const 280) (call $yield))))
