/*
 * wasitrace diff: compares two traces (cli/diff.c).
 */
#ifndef WT_CLI_DIFF_H
#define WT_CLI_DIFF_H

#include "cli.h"

int wt_cli_diff(int argc, char **argv);

#endif /* WT_CLI_DIFF_H */
