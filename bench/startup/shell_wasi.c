/* Linked into the wasm32-wasi build of the sqlite3 shell only
 * (bench/startup.sh, the shell row): WASI has no file modes, and
 * wasi-libc 0.0~git20220510 (Debian 12) has no chmod, which the shell's
 * writefile() calls after creating a file. It fails as an unsupported
 * operation, which writefile() already reports. */
#include <errno.h>
#include <sys/stat.h>

int chmod(const char *path, mode_t mode);

int chmod(const char *path, mode_t mode) {
  (void)path;
  (void)mode;
  errno = ENOTSUP;
  return -1;
}
