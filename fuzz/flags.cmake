# Included by the top-level CMakeLists.txt when WT_FUZZ is on, before any
# library is defined: the libraries get libFuzzer's coverage hooks
# (fuzzer-no-link) and the sanitizers, and everything links the sanitizers'
# runtime. Only the fuzz targets link libFuzzer itself (fuzz/CMakeLists.txt).
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "WT_FUZZ needs clang (libFuzzer): configure with "
                      "-DCMAKE_C_COMPILER=clang")
endif()
# Undefined behaviour aborts, so that libFuzzer sees it as a crash.
set(WT_FUZZ_FLAGS -fsanitize=fuzzer-no-link,address,undefined
                  -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g)
add_compile_options(${WT_FUZZ_FLAGS})
add_link_options(-fsanitize=address,undefined)
