;; Hostile pointers: every preview1 call that takes a guest pointer is
;; handed pointers it must not follow, and must answer FAULT (21) without
;; touching host memory or doing the call's work:
;; - pointers past the end of the one-page memory (65536) or near 2^32;
;; - objects that straddle the end (an 8-byte result at 65532);
;; - (pointer, length) pairs whose end overflows 32 bits (0x100 + 0xffffff80);
;; - iovec arrays that are in bounds but whose buffers are not, arrays that
;;   straddle the end, and 1024 iovecs (the most accepted) running past it;
;;   a count whose size in bytes wraps to 0 (0x20000000 iovecs) is over the
;;   1024 limit and INVAL (28) before any pointer is looked at;
;; - an in-bounds first iovec followed by an out-of-bounds second one;
;; - poll_oneoff with nsubscriptions * 48 wrapping to 32.
;; The fds used are valid and hold the rights, so FAULT is the only error
;; that fits (but see the iovec count above). A few controls must succeed
;; (0): a zero-length buffer ending exactly at the end of memory, a
;; misaligned result pointer, address 0.
;;
;; One line per case: "call case: ERRNO". Labels are listed in the data
;; segment at 16384 in the order _start makes the calls; $report prints
;; the next one.
;;
;; wt-dir: tree /sandbox
;; wt-env: HOSTILE=1
;; wt-node: skip node:wasi answers OVERFLOW (61), not FAULT, for out-of-bounds pointers
(module
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pread" (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $path_create_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_set_times" (func $path_filestat_set_times (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link" (func $path_link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink" (func $path_readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_remove_directory" (func $path_remove_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename" (func $path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $path_unlink_file (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))

  ;; Exactly one page: 65536 is the first byte out of bounds.
  (memory (export "memory") 1)

  ;; Layout (all in bounds):
  ;;   0..63      free: the address-0 control writes a 24-byte fdstat here
  ;;   64         iovec {8192, 16}            valid
  ;;   72         iovec {65536, 16}           buffer out of bounds
  ;;   80         iovec {65530, 16}           buffer straddles the end
  ;;   88         iovec {0x100, 0xffffff80}   buffer end wraps past 2^32
  ;;   96, 104    iovecs {8192, 16}, {65536, 16}: second one out of bounds
  ;;   512        a clock subscription (MONOTONIC, timeout 0)
  ;;   1024, 1536 room for valid results
  ;;   2000..2063 $report's iovecs and digits
  ;;   3072 "a.txt", 3080 "x", 3088 "lnk"
  ;;   8192       a valid 256-byte buffer
  ;;   16384      the labels
  (data (i32.const 64) "\00\20\00\00\10\00\00\00")
  (data (i32.const 72) "\00\00\01\00\10\00\00\00")
  (data (i32.const 80) "\fa\ff\00\00\10\00\00\00")
  (data (i32.const 88) "\00\01\00\00\80\ff\ff\ff")
  (data (i32.const 96) "\00\20\00\00\10\00\00\00\00\00\01\00\10\00\00\00")
  ;; userdata 0, tag 0 (clock) at 8, id 1 at 16, timeout 0 at 24.
  (data (i32.const 528) "\01\00\00\00")
  (data (i32.const 3072) "a.txt")
  (data (i32.const 3080) "x")
  (data (i32.const 3088) "lnk")

  (data (i32.const 16384)
    "setup path_open a.txt\n"
    "setup path_symlink lnk -> a.txt\n"
    "args_sizes_get argc_oob\n"
    "args_sizes_get bufsize_oob\n"
    "args_sizes_get argc_straddles_end\n"
    "args_get argv_oob\n"
    "args_get buf_oob\n"
    "args_get buf_straddles_end\n"
    "args_get argv_far\n"
    "environ_sizes_get count_oob\n"
    "environ_sizes_get bufsize_oob\n"
    "environ_get environ_oob\n"
    "environ_get buf_oob\n"
    "clock_res_get result_oob\n"
    "clock_res_get result_straddles_end\n"
    "clock_time_get result_oob\n"
    "clock_time_get result_far\n"
    "random_get buf_oob\n"
    "random_get buf_far\n"
    "random_get buf_straddles_end\n"
    "random_get len_wraps\n"
    "fd_fdstat_get result_oob\n"
    "fd_fdstat_get result_straddles_end\n"
    "fd_filestat_get result_oob\n"
    "fd_filestat_get result_straddles_end\n"
    "fd_prestat_get result_oob\n"
    "fd_prestat_dir_name buf_oob\n"
    "fd_prestat_dir_name buf_straddles_end\n"
    "fd_prestat_dir_name len_wraps\n"
    "fd_read iovs_oob\n"
    "fd_read iov_buf_oob\n"
    "fd_read iov_buf_straddles_end\n"
    "fd_read iov_len_wraps\n"
    "fd_read second_iov_oob\n"
    "fd_read iovs_count_wraps_over_limit\n"
    "fd_read iovs_straddle_end\n"
    "fd_read 1024_iovs_past_end\n"
    "fd_read nread_oob\n"
    "fd_pread iovs_oob\n"
    "fd_pread iov_buf_oob\n"
    "fd_pread second_iov_oob\n"
    "fd_pread nread_oob\n"
    "fd_write iovs_oob\n"
    "fd_write iov_buf_oob\n"
    "fd_write iov_len_wraps\n"
    "fd_write second_iov_oob\n"
    "fd_write iovs_count_wraps_over_limit\n"
    "fd_write iovs_straddle_end\n"
    "fd_write 1024_iovs_past_end\n"
    "fd_write nwritten_oob\n"
    "fd_pwrite iovs_oob\n"
    "fd_pwrite iov_buf_oob\n"
    "fd_pwrite nwritten_oob\n"
    "fd_readdir buf_oob\n"
    "fd_readdir buf_len_wraps\n"
    "fd_readdir bufused_oob\n"
    "fd_seek result_oob\n"
    "fd_seek result_straddles_end\n"
    "fd_tell result_oob\n"
    "path_create_directory path_oob\n"
    "path_create_directory path_straddles_end\n"
    "path_create_directory path_len_wraps\n"
    "path_filestat_get path_oob\n"
    "path_filestat_get result_oob\n"
    "path_filestat_set_times path_oob\n"
    "path_link old_path_oob\n"
    "path_link new_path_oob\n"
    "path_open path_oob\n"
    "path_open result_fd_oob\n"
    "path_readlink path_oob\n"
    "path_readlink buf_oob\n"
    "path_readlink buf_len_wraps\n"
    "path_readlink bufused_oob\n"
    "path_remove_directory path_oob\n"
    "path_rename old_path_oob\n"
    "path_rename new_path_oob\n"
    "path_symlink old_path_oob\n"
    "path_symlink new_path_oob\n"
    "path_unlink_file path_oob\n"
    "poll_oneoff in_oob\n"
    "poll_oneoff in_straddles_end\n"
    "poll_oneoff out_oob\n"
    "poll_oneoff nevents_oob\n"
    "poll_oneoff nsubscriptions_wraps\n"
    "control random_get zero_len_at_end\n"
    "control fd_read zero_iovs_at_end\n"
    "control fd_tell misaligned_result\n"
    "control fd_fdstat_get result_at_address_0\n"
    "control fd_pread after the faults, a.txt still reads\n")

  (global $cur (mut i32) (i32.const 16384))
  (global $f (mut i32) (i32.const -1))

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

  (func (export "_start")
    ;; setup: a.txt read-write (READ, WRITE, SEEK, TELL, FD_FILESTAT_GET)
    ;; as $f, and a symlink for readlink.
    (call $report (call $path_open (i32.const 3) (i32.const 0) (i32.const 3072) (i32.const 5)
      (i32.const 0) (i64.const 0x200066) (i64.const 0) (i32.const 0) (i32.const 1024)))
    (global.set $f (i32.load (i32.const 1024)))
    (call $report (call $path_symlink (i32.const 3072) (i32.const 5) (i32.const 3) (i32.const 3088) (i32.const 3)))

    (call $report (call $args_sizes_get (i32.const 65536) (i32.const 1024)))
    (call $report (call $args_sizes_get (i32.const 1024) (i32.const 65536)))
    (call $report (call $args_sizes_get (i32.const 65534) (i32.const 1024)))
    (call $report (call $args_get (i32.const 65536) (i32.const 8192)))
    (call $report (call $args_get (i32.const 1024) (i32.const 65536)))
    (call $report (call $args_get (i32.const 1024) (i32.const 65534)))
    (call $report (call $args_get (i32.const 0xfffffff0) (i32.const 8192)))
    (call $report (call $environ_sizes_get (i32.const 65536) (i32.const 1024)))
    (call $report (call $environ_sizes_get (i32.const 1024) (i32.const 65536)))
    (call $report (call $environ_get (i32.const 65536) (i32.const 8192)))
    (call $report (call $environ_get (i32.const 1024) (i32.const 65536)))

    (call $report (call $clock_res_get (i32.const 1) (i32.const 65536)))
    (call $report (call $clock_res_get (i32.const 1) (i32.const 65532)))
    (call $report (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 65536)))
    (call $report (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 0xfffffff8)))
    (call $report (call $random_get (i32.const 65536) (i32.const 16)))
    (call $report (call $random_get (i32.const 0xfffffff0) (i32.const 16)))
    (call $report (call $random_get (i32.const 65530) (i32.const 16)))
    (call $report (call $random_get (i32.const 0x100) (i32.const 0xffffff80)))

    (call $report (call $fd_fdstat_get (i32.const 1) (i32.const 65536)))
    (call $report (call $fd_fdstat_get (i32.const 1) (i32.const 65520)))
    (call $report (call $fd_filestat_get (global.get $f) (i32.const 65536)))
    (call $report (call $fd_filestat_get (global.get $f) (i32.const 65500)))
    (call $report (call $fd_prestat_get (i32.const 3) (i32.const 65536)))
    (call $report (call $fd_prestat_dir_name (i32.const 3) (i32.const 65536) (i32.const 8)))
    (call $report (call $fd_prestat_dir_name (i32.const 3) (i32.const 65533) (i32.const 8)))
    (call $report (call $fd_prestat_dir_name (i32.const 3) (i32.const 0x100) (i32.const 0xffffff80)))

    (call $report (call $fd_read (global.get $f) (i32.const 65536) (i32.const 1) (i32.const 1024)))
    (call $report (call $fd_read (global.get $f) (i32.const 72) (i32.const 1) (i32.const 1024)))
    (call $report (call $fd_read (global.get $f) (i32.const 80) (i32.const 1) (i32.const 1024)))
    (call $report (call $fd_read (global.get $f) (i32.const 88) (i32.const 1) (i32.const 1024)))
    (call $report (call $fd_read (global.get $f) (i32.const 96) (i32.const 2) (i32.const 1024)))
    (call $report (call $fd_read (global.get $f) (i32.const 64) (i32.const 0x20000000) (i32.const 1024)))
    (call $report (call $fd_read (global.get $f) (i32.const 65532) (i32.const 1) (i32.const 1024)))
    (call $report (call $fd_read (global.get $f) (i32.const 60000) (i32.const 1024) (i32.const 1024)))
    (call $report (call $fd_read (global.get $f) (i32.const 64) (i32.const 1) (i32.const 65536)))
    (call $report (call $fd_pread (global.get $f) (i32.const 65536) (i32.const 1) (i64.const 0) (i32.const 1024)))
    (call $report (call $fd_pread (global.get $f) (i32.const 72) (i32.const 1) (i64.const 0) (i32.const 1024)))
    (call $report (call $fd_pread (global.get $f) (i32.const 96) (i32.const 2) (i64.const 0) (i32.const 1024)))
    (call $report (call $fd_pread (global.get $f) (i32.const 64) (i32.const 1) (i64.const 0) (i32.const 65536)))
    (call $report (call $fd_write (global.get $f) (i32.const 65536) (i32.const 1) (i32.const 1024)))
    (call $report (call $fd_write (global.get $f) (i32.const 72) (i32.const 1) (i32.const 1024)))
    (call $report (call $fd_write (global.get $f) (i32.const 88) (i32.const 1) (i32.const 1024)))
    (call $report (call $fd_write (global.get $f) (i32.const 96) (i32.const 2) (i32.const 1024)))
    (call $report (call $fd_write (global.get $f) (i32.const 64) (i32.const 0x20000000) (i32.const 1024)))
    (call $report (call $fd_write (global.get $f) (i32.const 65532) (i32.const 1) (i32.const 1024)))
    (call $report (call $fd_write (global.get $f) (i32.const 60000) (i32.const 1024) (i32.const 1024)))
    (call $report (call $fd_write (global.get $f) (i32.const 64) (i32.const 1) (i32.const 65536)))
    (call $report (call $fd_pwrite (global.get $f) (i32.const 65536) (i32.const 1) (i64.const 0) (i32.const 1024)))
    (call $report (call $fd_pwrite (global.get $f) (i32.const 72) (i32.const 1) (i64.const 0) (i32.const 1024)))
    (call $report (call $fd_pwrite (global.get $f) (i32.const 64) (i32.const 1) (i64.const 0) (i32.const 65536)))
    (call $report (call $fd_readdir (i32.const 3) (i32.const 65536) (i32.const 128) (i64.const 0) (i32.const 1024)))
    (call $report (call $fd_readdir (i32.const 3) (i32.const 0x100) (i32.const 0xffffff80) (i64.const 0) (i32.const 1024)))
    (call $report (call $fd_readdir (i32.const 3) (i32.const 8192) (i32.const 128) (i64.const 0) (i32.const 65536)))
    (call $report (call $fd_seek (global.get $f) (i64.const 0) (i32.const 0) (i32.const 65536)))
    (call $report (call $fd_seek (global.get $f) (i64.const 0) (i32.const 0) (i32.const 65532)))
    (call $report (call $fd_tell (global.get $f) (i32.const 65536)))

    (call $report (call $path_create_directory (i32.const 3) (i32.const 65536) (i32.const 4)))
    (call $report (call $path_create_directory (i32.const 3) (i32.const 65534) (i32.const 4)))
    (call $report (call $path_create_directory (i32.const 3) (i32.const 0x100) (i32.const 0xffffff80)))
    (call $report (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 65536) (i32.const 5) (i32.const 1024)))
    (call $report (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 3072) (i32.const 5) (i32.const 65536)))
    (call $report (call $path_filestat_set_times (i32.const 3) (i32.const 0) (i32.const 65536) (i32.const 5)
      (i64.const 0) (i64.const 0) (i32.const 0)))
    (call $report (call $path_link (i32.const 3) (i32.const 0) (i32.const 65536) (i32.const 5)
      (i32.const 3) (i32.const 3080) (i32.const 1)))
    (call $report (call $path_link (i32.const 3) (i32.const 0) (i32.const 3072) (i32.const 5)
      (i32.const 3) (i32.const 65536) (i32.const 1)))
    (call $report (call $path_open (i32.const 3) (i32.const 0) (i32.const 65536) (i32.const 5)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 1024)))
    (call $report (call $path_open (i32.const 3) (i32.const 0) (i32.const 3072) (i32.const 5)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 65536)))
    (call $report (call $path_readlink (i32.const 3) (i32.const 65536) (i32.const 3)
      (i32.const 8192) (i32.const 64) (i32.const 1024)))
    (call $report (call $path_readlink (i32.const 3) (i32.const 3088) (i32.const 3)
      (i32.const 65536) (i32.const 64) (i32.const 1024)))
    (call $report (call $path_readlink (i32.const 3) (i32.const 3088) (i32.const 3)
      (i32.const 0x100) (i32.const 0xffffff80) (i32.const 1024)))
    (call $report (call $path_readlink (i32.const 3) (i32.const 3088) (i32.const 3)
      (i32.const 8192) (i32.const 64) (i32.const 65536)))
    (call $report (call $path_remove_directory (i32.const 3) (i32.const 65536) (i32.const 3)))
    (call $report (call $path_rename (i32.const 3) (i32.const 65536) (i32.const 5)
      (i32.const 3) (i32.const 3080) (i32.const 1)))
    (call $report (call $path_rename (i32.const 3) (i32.const 3072) (i32.const 5)
      (i32.const 3) (i32.const 65536) (i32.const 1)))
    (call $report (call $path_symlink (i32.const 65536) (i32.const 5) (i32.const 3) (i32.const 3080) (i32.const 1)))
    (call $report (call $path_symlink (i32.const 3072) (i32.const 5) (i32.const 3) (i32.const 65536) (i32.const 1)))
    (call $report (call $path_unlink_file (i32.const 3) (i32.const 65536) (i32.const 5)))

    (call $report (call $poll_oneoff (i32.const 65536) (i32.const 1024) (i32.const 1) (i32.const 1536)))
    (call $report (call $poll_oneoff (i32.const 65500) (i32.const 1024) (i32.const 1) (i32.const 1536)))
    (call $report (call $poll_oneoff (i32.const 512) (i32.const 65536) (i32.const 1) (i32.const 1536)))
    (call $report (call $poll_oneoff (i32.const 512) (i32.const 1024) (i32.const 1) (i32.const 65536)))
    (call $report (call $poll_oneoff (i32.const 512) (i32.const 1024) (i32.const 0x05555556) (i32.const 1536)))

    ;; Controls: these must succeed.
    (call $report (call $random_get (i32.const 65536) (i32.const 0)))
    (call $report (call $fd_read (global.get $f) (i32.const 65536) (i32.const 0) (i32.const 1024)))
    (call $report (call $fd_tell (global.get $f) (i32.const 1027)))
    (call $report (call $fd_fdstat_get (i32.const 1) (i32.const 0)))
    (call $report (call $fd_pread (global.get $f) (i32.const 64) (i32.const 1) (i64.const 0) (i32.const 1024)))))
