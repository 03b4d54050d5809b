/*
 * Symlinks the host planted in the sandbox (the fixture holds them; the
 * guest did not create them): an absolute link to /etc/passwd, a relative
 * one to ../outside/secret.txt (which exists on the host) and one to the
 * ../outside directory. readlink and stat without SYMLINK_FOLLOW see them;
 * following any of them is NOTCAPABLE, through libc as well; a planted
 * link that stays inside works.
 *
 * wt-dir: planted /sandbox
 * wt-node: skip uvwasi follows a planted link to a directory outside the sandbox: it reads outdir/secret.txt and creates outdir/made on the host
 */
#include <sys/stat.h>

#include "links.h"

int main(void) {
  struct stat st;
  root = preopen_fd("/sandbox");
  printf("sandbox fd found: %s\n", yesno(root >= 3));
  read_link("ok_link");
  try_open("ok_link", FOLLOW);
  read_link("abs_link");
  try_stat("abs_link", 0);
  try_open("abs_link", FOLLOW);
  try_stat("abs_link", FOLLOW);
  read_link("rel_escape");
  try_open("rel_escape", FOLLOW);
  try_stat("rel_escape", FOLLOW);
  try_open("outdir/secret.txt", FOLLOW);
  try_open("outdir/secret.txt", 0);
  showw("mkdir outdir/made", __wasi_path_create_directory(root, "outdir/made"));
  showw("create outdir/new.txt",
        __wasi_path_open(root, FOLLOW, "outdir/new.txt", __WASI_OFLAGS_CREAT,
                         __WASI_RIGHTS_FD_WRITE, 0, 0, &(__wasi_fd_t){0}));
  show("libc stat /sandbox/abs_link", stat("/sandbox/abs_link", &st));
  show("libc open /sandbox/rel_escape", open("/sandbox/rel_escape", O_RDONLY));
  show("libc lstat /sandbox/rel_escape", lstat("/sandbox/rel_escape", &st));
  printf("  symlink: %s\n", yesno(S_ISLNK(st.st_mode)));
  showw("unlink abs_link (the link itself)", __wasi_path_unlink_file(root, "abs_link"));
  return 0;
}
