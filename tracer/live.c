/*
 * Whether a trace is still being recorded: another process of this machine
 * has the file open for writing. A SQLite trace is locked while it is
 * recorded (locking_mode EXCLUSIVE: sink_sqlite.c), so its metadata cannot
 * be read to learn its recorder; asking the system which process holds the
 * file works for both encodings, for traces of any version, and cannot be
 * fooled by a reused process id.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wt/tracer.h"

/* Whether /proc/<pid>/fdinfo/<fd> says the descriptor may write. */
static bool writes(const char *pid, const char *fd) {
  char path[600], line[128];
  bool w = false;
  FILE *f;
  snprintf(path, sizeof path, "/proc/%s/fdinfo/%s", pid, fd);
  if ((f = fopen(path, "r")) == NULL)
    return false;
  while (fgets(line, sizeof line, f) != NULL) {
    unsigned long flags;
    if (sscanf(line, "flags: %lo", &flags) == 1) {
      w = (flags & O_ACCMODE) != O_RDONLY;
      break;
    }
  }
  fclose(f);
  return w;
}

/* Whether process pid has the file (dev, ino) open for writing. */
static bool holds(const char *pid, dev_t dev, ino_t ino) {
  char path[300];
  struct dirent *e;
  bool found = false;
  DIR *d;
  snprintf(path, sizeof path, "/proc/%s/fd", pid);
  if ((d = opendir(path)) == NULL) /* gone, or not ours to see */
    return false;
  while (!found && (e = readdir(d)) != NULL) {
    struct stat st;
    if (e->d_name[0] == '.' ||
        fstatat(dirfd(d), e->d_name, &st, 0) != 0 || st.st_dev != dev ||
        st.st_ino != ino)
      continue;
    found = writes(pid, e->d_name);
  }
  closedir(d);
  return found;
}

long wt_trace_recorder_pid(const char *path) {
  struct stat st;
  struct dirent *e;
  long self = (long)getpid(), pid = 0;
  DIR *d;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
      (d = opendir("/proc")) == NULL)
    return 0;
  while (pid == 0 && (e = readdir(d)) != NULL) {
    char *end;
    long p = strtol(e->d_name, &end, 10);
    if (*end != '\0' || p <= 0 || p == self)
      continue;
    if (holds(e->d_name, st.st_dev, st.st_ino))
      pid = p;
  }
  closedir(d);
  return pid;
}
