/*
 * The progress bar of progress.h. Redrawn at most ten times a second, with
 * a carriage return (no scrolling), and erased at the end so the command's
 * own messages start on a clean line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void wt_cli_progress_init(wt_cli_progress_t *p, const char *what) {
  const char *term = getenv("TERM");
  memset(p, 0, sizeof *p);
  p->what = what;
  p->tty = isatty(STDERR_FILENO) && (term == NULL || strcmp(term, "dumb"));
  p->start = now();
}

void wt_cli_progress(void *ud, uint64_t done, uint64_t total) {
  wt_cli_progress_t *p = ud;
  double t;
  if (!p->tty)
    return;
  t = now();
  if (t - p->start < 1.0 || t - p->last < 0.1)
    return;
  p->last = t;
  p->shown = true;
  if (total > 0 && done <= total) {
    char bar[31];
    unsigned fill = (unsigned)(done * 30 / total);
    memset(bar, '#', fill);
    memset(bar + fill, '.', 30 - fill);
    bar[30] = 0;
    fprintf(stderr, "\r%s [%s] %3u%% %llu/%llu calls", p->what, bar,
            (unsigned)(done * 100 / total), (unsigned long long)done,
            (unsigned long long)total);
  } else {
    fprintf(stderr, "\r%s: %llu calls", p->what, (unsigned long long)done);
  }
  fflush(stderr);
}

void wt_cli_progress_end(wt_cli_progress_t *p) {
  if (p->shown)
    fputs("\r\033[K", stderr);
  p->shown = false;
}
