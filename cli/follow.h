/*
 * Following a JSON Lines trace being recorded (follow.c).
 */
#ifndef WT_CLI_FOLLOW_H
#define WT_CLI_FOLLOW_H

#include "cli.h"

/*
 * Called for each piece of the trace, in order, with the piece open as a
 * trace (first: the first piece, holding the run's metadata). Returns 0,
 * or -1 to stop (after printing why).
 */
typedef int (*wt_cli_piece_fn)(void *ud, wt_trace_t *t, bool first);

/* Follows path until its end record; the exit status (0 or 125). */
int wt_cli_follow(const char *path, wt_cli_piece_fn fn, void *ud);

#endif /* WT_CLI_FOLLOW_H */
