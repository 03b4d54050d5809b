;; Hostile pointers for the socket calls (see hostile.wat): sock_accept,
;; sock_recv and sock_send on a preopened listening socket (found with
;; fd_fdstat_get: filetype SOCKET_STREAM) must answer FAULT (21) for
;; out-of-bounds result pointers, iovec arrays and iovec buffers. The socket
;; is made NONBLOCK first, so a missing check shows up as AGAIN (6) or
;; NOTCONN (53) rather than a hang; the control accept with a good pointer
;; must answer AGAIN, as no client connects.
;;
;; wt-tcplisten: yes
;; wt-node: skip node:wasi has no preopened sockets
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $fd_fdstat_set_flags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $sock_recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $sock_send (param i32 i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 1)

  ;; 64: iovec {8192, 16}; 72: {65536, 16}; 88: {0x100, 0xffffff80}
  (data (i32.const 64) "\00\20\00\00\10\00\00\00")
  (data (i32.const 72) "\00\00\01\00\10\00\00\00")
  (data (i32.const 88) "\00\01\00\00\80\ff\ff\ff")
  (data (i32.const 16384)
    "setup find the socket fd\n"
    "setup fd_fdstat_set_flags NONBLOCK\n"
    "sock_accept result_fd_oob\n"
    "sock_accept result_fd_straddles_end\n"
    "sock_recv iovs_oob\n"
    "sock_recv iov_buf_oob\n"
    "sock_recv iov_len_wraps\n"
    "sock_recv datalen_oob\n"
    "sock_recv flags_oob\n"
    "sock_send iovs_oob\n"
    "sock_send iov_buf_oob\n"
    "sock_send iov_len_wraps\n"
    "sock_send datalen_oob\n"
    "control sock_accept with no client (AGAIN)\n")

  (global $cur (mut i32) (i32.const 16384))
  (global $s (mut i32) (i32.const -1))

  ;; Prints the next label, ": ", the errno, "\n".
  (func $report (param $e i32)
    (local $end i32)
    (local.set $end (global.get $cur))
    (block $done
      (loop $scan
        (br_if $done (i32.eq (i32.load8_u (local.get $end)) (i32.const 10)))
        (local.set $end (i32.add (local.get $end) (i32.const 1)))
        (br $scan)))
    (i32.store (i32.const 2000) (global.get $cur))
    (i32.store (i32.const 2004) (i32.sub (local.get $end) (global.get $cur)))
    (i32.store8 (i32.const 2048) (i32.const 58))
    (i32.store8 (i32.const 2049) (i32.const 32))
    (if (i32.ge_u (local.get $e) (i32.const 10))
      (then
        (i32.store8 (i32.const 2050)
          (i32.add (i32.const 48) (i32.div_u (local.get $e) (i32.const 10))))
        (i32.store8 (i32.const 2051)
          (i32.add (i32.const 48) (i32.rem_u (local.get $e) (i32.const 10))))
        (i32.store8 (i32.const 2052) (i32.const 10))
        (i32.store (i32.const 2012) (i32.const 5)))
      (else
        (i32.store8 (i32.const 2050) (i32.add (i32.const 48) (local.get $e)))
        (i32.store8 (i32.const 2051) (i32.const 10))
        (i32.store (i32.const 2012) (i32.const 4))))
    (i32.store (i32.const 2008) (i32.const 2048))
    (drop (call $fd_write (i32.const 1) (i32.const 2000) (i32.const 2) (i32.const 2016)))
    (global.set $cur (i32.add (local.get $end) (i32.const 1))))

  ;; The first fd from 3 up whose filetype is SOCKET_STREAM (6), or -1.
  (func $find_socket (result i32)
    (local $fd i32)
    (local.set $fd (i32.const 3))
    (block $none
      (loop $next
        (br_if $none (i32.gt_u (local.get $fd) (i32.const 64)))
        (if (i32.eqz (call $fd_fdstat_get (local.get $fd) (i32.const 1024)))
          (then
            (if (i32.eq (i32.load8_u (i32.const 1024)) (i32.const 6))
              (then (return (local.get $fd))))))
        (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
        (br $next)))
    (i32.const -1))

  (func (export "_start")
    (global.set $s (call $find_socket))
    (call $report (select (i32.const 0) (i32.const 8) (i32.ge_s (global.get $s) (i32.const 0))))
    (call $report (call $fd_fdstat_set_flags (global.get $s) (i32.const 4)))
    (call $report (call $sock_accept (global.get $s) (i32.const 0) (i32.const 65536)))
    (call $report (call $sock_accept (global.get $s) (i32.const 0) (i32.const 65534)))
    (call $report (call $sock_recv (global.get $s) (i32.const 65536) (i32.const 1) (i32.const 0)
      (i32.const 1024) (i32.const 1032)))
    (call $report (call $sock_recv (global.get $s) (i32.const 72) (i32.const 1) (i32.const 0)
      (i32.const 1024) (i32.const 1032)))
    (call $report (call $sock_recv (global.get $s) (i32.const 88) (i32.const 1) (i32.const 0)
      (i32.const 1024) (i32.const 1032)))
    (call $report (call $sock_recv (global.get $s) (i32.const 64) (i32.const 1) (i32.const 0)
      (i32.const 65536) (i32.const 1032)))
    (call $report (call $sock_recv (global.get $s) (i32.const 64) (i32.const 1) (i32.const 0)
      (i32.const 1024) (i32.const 65536)))
    (call $report (call $sock_send (global.get $s) (i32.const 65536) (i32.const 1) (i32.const 0)
      (i32.const 1024)))
    (call $report (call $sock_send (global.get $s) (i32.const 72) (i32.const 1) (i32.const 0)
      (i32.const 1024)))
    (call $report (call $sock_send (global.get $s) (i32.const 88) (i32.const 1) (i32.const 0)
      (i32.const 1024)))
    (call $report (call $sock_send (global.get $s) (i32.const 64) (i32.const 1) (i32.const 0)
      (i32.const 65536)))
    (call $report (call $sock_accept (global.get $s) (i32.const 0) (i32.const 1024)))))
