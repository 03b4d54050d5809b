/*
 * wasitrace: command dispatch, --help and --version.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "diff.h"
#include "wt/core.h"

typedef struct command_s {
  const char *name;
  wt_cli_main_t main;
  const char *summary;
} command_t;

/* Later issues add replay, view, stats, diff, audit here. */
static const command_t commands[] = {
    {"run", wt_cli_run, "Run a WebAssembly command module"},
    {"record", wt_cli_record, "Run a module and record its host calls"},
    {"replay", wt_cli_replay, "Re-execute a recorded guest from its trace"},
    {"export", wt_cli_export, "Convert a trace between SQLite and JSON Lines"},
    {"view", wt_cli_view, "Print a trace's calls, one line each (strace style)"},
    {"stats", wt_cli_stats, "Summarise a trace (strace -c style)"},
    {"diff", wt_cli_diff, "Compare two traces call by call (exit 0 alike, "
                          "1 different, 2 trouble)"},
    {"audit", wt_cli_audit, "What a trace's guest did, its denials; "
                            "suggest or check a policy"},
    {"compile", wt_cli_compile, "Build modules into the compile cache ahead "
                                "of time"},
    {"cache", wt_cli_cache, "List, trim or clear the compile cache"},
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

const char wt_cli_exit_help[] =
    "Exit status:\n"
    "  N        the guest's exit code (proc_exit(N); 0 when _start returns);\n"
    "           codes above 255 are truncated to 8 bits, as by exit(3)\n"
    "  120      replay: the guest diverged from the trace (report on stderr)\n"
    "  121      replay: the trace is incomplete and the guest went on past\n"
    "           its end\n"
    "  125      wasitrace itself failed (usage, missing file, compiler,\n"
    "           cache, preopen)\n"
    "  126      the module cannot run (not WebAssembly, truncated or\n"
    "           malformed, unsupported feature, unknown imports, no _start)\n"
    "  134      the guest trapped (a one-line message names the trap)\n"
    "  signal   a guest that calls proc_raise with a terminating signal ends\n"
    "           wasitrace with the same host signal (no core dump), so the\n"
    "           shell reports 128+N; 128+N if the signal cannot be raised\n";

void wt_cli_error(const char *fmt, ...) {
  va_list ap;
  fputs("wasitrace: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static void usage(FILE *f) {
  fprintf(f, "Usage: wasitrace <COMMAND> [OPTIONS]\n"
             "\n"
             "Runs WebAssembly guests that use WASI preview1 and the WASIX "
             "event calls.\n"
             "\n"
             "Commands:\n");
  for (size_t i = 0; i < NCOMMANDS; i++)
    fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf(f,
          "\n"
          "Options:\n"
          "  -h, --help     Print this help\n"
          "  -V, --version  Print the version\n"
          "\n"
          "Run 'wasitrace <COMMAND> --help' for a command's options.\n"
          "\n%s",
          wt_cli_exit_help);
}

int main(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : NULL;
  if (cmd == NULL) {
    usage(stderr);
    return WT_EXIT_TOOL;
  }
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
      strcmp(cmd, "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
    printf("wasitrace %s\n", wt_version_string());
    return 0;
  }
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (strcmp(cmd, commands[i].name) == 0)
      return commands[i].main(argc - 1, argv + 1);
  wt_cli_error("unknown command '%s' (see 'wasitrace --help')", cmd);
  return WT_EXIT_TOOL;
}
