/*
 * A progress bar on stderr for commands that read a whole trace (export;
 * diff may use it too): drawn only when stderr is a terminal and the work
 * has taken more than a second, so pipes, logs and quick runs see nothing.
 */
#ifndef WT_CLI_PROGRESS_H
#define WT_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct wt_cli_progress_s {
  const char *what; /* "export" */
  bool tty, shown;
  double start, last;
} wt_cli_progress_t;

void wt_cli_progress_init(wt_cli_progress_t *p, const char *what);
/* A progress callback (wt_export_options_t.progress): done of total calls
 * (total 0: unknown, a count is shown instead of a bar). */
void wt_cli_progress(void *p, uint64_t done, uint64_t total);
/* Clears the bar if one was drawn. */
void wt_cli_progress_end(wt_cli_progress_t *p);

#endif /* WT_CLI_PROGRESS_H */
