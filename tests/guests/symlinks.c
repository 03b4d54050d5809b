/*
 * Symbolic links inside the sandbox: path_symlink, path_readlink,
 * following links (final and intermediate components) in path_open and
 * path_filestat_get, lstat-style stat without SYMLINK_FOLLOW, dangling
 * links, loops (LOOP), readlink of a non-link (INVAL), libc's symlink,
 * readlink, stat, lstat, unlink. Plus plain path escapes, which must be
 * refused with NOTCAPABLE: "../outside/secret.txt" exists on the host.
 * symlinks_strict.c has the cases node:wasi gets wrong.
 *
 * wt-dir: tree /sandbox
 * symlinks.tree lists the links left behind.
 */
#include <sys/stat.h>

#include "links.h"

static void basics(void) {
  link_to("a.txt", "link");
  link_to("a.txt", "link");
  read_link("link");
  read_link("a.txt");
  read_link("missing");
  try_open("link", FOLLOW);
  try_stat("link", FOLLOW);
  try_stat("link", 0);
  link_to("sub", "dirlink");
  try_open("dirlink/inner.txt", FOLLOW);
  try_open("dirlink/inner.txt", 0);
  try_stat("dirlink", 0);
  try_stat("dirlink", FOLLOW);
  link_to("nowhere", "dangling");
  read_link("dangling");
  try_open("dangling", FOLLOW);
  try_stat("dangling", 0);
  link_to("loop2", "loop1");
  link_to("loop1", "loop2");
  try_open("loop1", FOLLOW);
  link_to("deeper/z.txt", "sub/zlink");
  try_open("sub/zlink", FOLLOW);
}

static void escapes(void) {
  try_open("../outside/secret.txt", FOLLOW);
  try_open("sub/../../outside/secret.txt", FOLLOW);
  try_open("..", FOLLOW);
  try_open("/etc/passwd", FOLLOW);
  try_stat("../outside/secret.txt", 0);
  try_open("sub/..", FOLLOW);
  try_open("sub/../a.txt", FOLLOW);
}

static void through_libc(void) {
  struct stat st;
  char buf[64];
  ssize_t n;
  show("libc symlink blink -> b.txt", symlink("b.txt", "/sandbox/blink"));
  n = readlink("/sandbox/blink", buf, sizeof buf);
  printf("libc readlink: %.*s\n", (int)(n < 0 ? 0 : n), buf);
  show("libc stat blink", stat("/sandbox/blink", &st));
  printf("  regular: %s, size %lld\n", yesno(S_ISREG(st.st_mode)),
         (long long)st.st_size);
  show("libc lstat blink", lstat("/sandbox/blink", &st));
  printf("  symlink: %s\n", yesno(S_ISLNK(st.st_mode)));
  show("libc unlink blink", unlink("/sandbox/blink"));
  show("libc stat b.txt still there", stat("/sandbox/b.txt", &st));
  show("libc unlink link", unlink("/sandbox/link"));
  show("libc stat a.txt still there", stat("/sandbox/a.txt", &st));
}

int main(void) {
  root = preopen_fd("/sandbox");
  printf("sandbox fd found: %s\n", yesno(root >= 3));
  basics();
  escapes();
  through_libc();
  return 0;
}
