;; A memory of 65536 pages (4 GiB) is out of reach: wasm2c 1.0.32 keeps a
;; memory's size in bytes in 32 bits, where 4 GiB reads as 0 and every host
;; call would fail with FAULT. The guest grows its memory to 65535 pages
;; (the most there can be: docs/core.md, "Memory"), then asks for one page
;; more: memory.grow must answer -1 as if the maximum were 65535 pages.
;; Host calls still see the whole memory: a write from its last page works.
;; Growing reserves address space only (nothing is touched), so it is cheap.
;;
;; wt-node: skip node:wasi would grant the 65536th page
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  ;; iovec at 0 -> 21 bytes at 64; the second message, 18 bytes, at 96.
  (data (i32.const 0) "\40\00\00\00\15\00\00\00")
  (data (i32.const 64) "grown to 65535 pages\0a")
  (data (i32.const 96) "one more page: -1\0a")
  (func $say (param $iov i32) (result i32)
    (call $fd_write (i32.const 1) (local.get $iov) (i32.const 1) (i32.const 16)))
  (func (export "_start")
    (local $top i32)
    ;; 1 + 65534 = 65535 pages; the old size comes back.
    (if (i32.ne (memory.grow (i32.const 65534)) (i32.const 1))
      (then (call $exit (i32.const 2))))
    (if (i32.ne (memory.size) (i32.const 65535))
      (then (call $exit (i32.const 3))))
    (drop (call $say (i32.const 0)))
    (if (i32.ne (memory.grow (i32.const 1)) (i32.const -1))
      (then (call $exit (i32.const 4))))
    (if (i32.ne (memory.size) (i32.const 65535))
      (then (call $exit (i32.const 5))))
    ;; The message and its iovec copied to the last page, written from there.
    (local.set $top (i32.const 0xfffeff00))
    (memory.copy (i32.add (local.get $top) (i32.const 16)) (i32.const 96) (i32.const 18))
    (i32.store (local.get $top) (i32.add (local.get $top) (i32.const 16)))
    (i32.store offset=4 (local.get $top) (i32.const 18))
    (if (i32.ne (call $fd_write (i32.const 1) (local.get $top) (i32.const 1)
                  (i32.add (local.get $top) (i32.const 64)))
                (i32.const 0))
      (then (call $exit (i32.const 6))))))
