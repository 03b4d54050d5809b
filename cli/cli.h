/*
 * The wasitrace command: shared declarations of the subcommands.
 */
#ifndef WT_CLI_H
#define WT_CLI_H

/* Exit statuses of the tool itself (the guest's own codes pass through). */
#define WT_EXIT_TOOL 125   /* wasitrace failed: usage, files, compiler */
#define WT_EXIT_MODULE 126 /* the module cannot run */
#define WT_EXIT_TRAP 134   /* the guest trapped */

/*
 * A subcommand: argv[0] is the subcommand's name; returns the exit status
 * (or does not return, for a guest that raised a signal).
 */
typedef int (*wt_cli_main_t)(int argc, char **argv);

int wt_cli_run(int argc, char **argv);
int wt_cli_cache(int argc, char **argv);

/* "wasitrace: <message>" on stderr. */
void wt_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The exit-status table printed by --help. */
extern const char wt_cli_exit_help[];

#endif /* WT_CLI_H */
