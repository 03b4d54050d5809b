/*
 * Symbolic links, the strict cases:
 * - path_open without SYMLINK_FOLLOW on a link is LOOP (the final link is
 *   not expanded, as with O_NOFOLLOW; intermediate ones still are);
 * - a link's target is relative to the link's own directory, so
 *   "sub/up -> ../a.txt" stays inside the sandbox and works;
 * - relative links whose target leaves the sandbox can be created
 *   (preview1: old_path is "the contents of the symbolic link") and read
 *   back with readlink, stat without SYMLINK_FOLLOW sees them, but
 *   following one is NOTCAPABLE, also through a link to a directory or "..";
 * - an absolute link text is refused at creation (NOTCAPABLE: it could
 *   never be followed; docs/core.md). planted_links.c follows absolute
 *   links the host put in the sandbox.
 *
 * wt-dir: tree /sandbox
 * wt-node: skip uvwasi follows the final link without SYMLINK_FOLLOW, and refuses to create links whose target leaves the sandbox, judging relative targets from the preopen rather than the link's directory (sub/up -> ../a.txt: NOTCAPABLE)
 */
#include "links.h"

int main(void) {
  root = preopen_fd("/sandbox");
  printf("sandbox fd found: %s\n", yesno(root >= 3));
  link_to("a.txt", "link");
  try_open("link", 0);
  try_open("link", FOLLOW);
  link_to("sub", "dirlink");
  try_open("dirlink/inner.txt", 0);
  link_to("../a.txt", "sub/up");
  read_link("sub/up");
  try_open("sub/up", FOLLOW);
  link_to("../outside/secret.txt", "esc");
  read_link("esc");
  try_open("esc", FOLLOW);
  try_open("esc", 0);
  try_stat("esc", FOLLOW);
  try_stat("esc", 0);
  link_to("/etc/passwd", "abs");
  read_link("abs");
  try_open("abs", FOLLOW);
  try_stat("abs", FOLLOW);
  link_to("..", "parent");
  try_open("parent", FOLLOW);
  try_open("parent/outside/secret.txt", FOLLOW);
  link_to("../..", "sub/grandparent");
  try_open("sub/grandparent/outside/secret.txt", FOLLOW);
  link_to("../outside", "outdir");
  try_open("outdir/secret.txt", FOLLOW);
  try_open("outdir/secret.txt", 0);
  showw("mkdir through outdir link",
        __wasi_path_create_directory(root, "outdir/made"));
  showw("unlink esc (the link itself)", __wasi_path_unlink_file(root, "esc"));
  return 0;
}
