/*
 * The options of `wasitrace view` that `run --strace` and `record
 * --strace` share: -s N, -y, the filters, --transitions, --no-times and
 * --color. Their getopt entries are WT_CLI_VIEW_OPTIONS, their short
 * options WT_CLI_VIEW_SHORTOPTS, their help text WT_CLI_VIEW_HELP.
 */
#ifndef WT_CLI_VIEW_OPTS_H
#define WT_CLI_VIEW_OPTS_H

#include "cli.h"
#include "wt/viewer.h"

/* Codes above a layer's own (WT_CLI_OPT_LAYER..+511). */
enum {
  WT_CLI_VOPT_CALL = WT_CLI_OPT_LAYER + 512,
  WT_CLI_VOPT_FD,
  WT_CLI_VOPT_PATH,
  WT_CLI_VOPT_FAILED,
  WT_CLI_VOPT_ERRNO,
  WT_CLI_VOPT_DENIED,
  WT_CLI_VOPT_SEQ,
  WT_CLI_VOPT_TIME,
  WT_CLI_VOPT_TRANSITIONS,
  WT_CLI_VOPT_NO_TIMES,
  WT_CLI_VOPT_COLOR
};

/* clang-format off */
#define WT_CLI_VIEW_OPTIONS                                                    \
  {"call", required_argument, NULL, WT_CLI_VOPT_CALL},                         \
  {"fd", required_argument, NULL, WT_CLI_VOPT_FD},                             \
  {"path", required_argument, NULL, WT_CLI_VOPT_PATH},                         \
  {"failed", no_argument, NULL, WT_CLI_VOPT_FAILED},                           \
  {"errno", required_argument, NULL, WT_CLI_VOPT_ERRNO},                       \
  {"denied", no_argument, NULL, WT_CLI_VOPT_DENIED},                           \
  {"seq", required_argument, NULL, WT_CLI_VOPT_SEQ},                           \
  {"time", required_argument, NULL, WT_CLI_VOPT_TIME},                         \
  {"transitions", no_argument, NULL, WT_CLI_VOPT_TRANSITIONS},                 \
  {"no-times", no_argument, NULL, WT_CLI_VOPT_NO_TIMES},                       \
  {"color", required_argument, NULL, WT_CLI_VOPT_COLOR}
/* clang-format on */
#define WT_CLI_VIEW_SHORTOPTS "s:ye:"

#define WT_CLI_VIEW_HELP                                                       \
  "  -s N                    Show N bytes of strings and buffers (default "    \
  "32)\n"                                                                      \
  "  -y                      Annotate fds with what they stand for: "          \
  "3</data/in.txt>,\n"                                                         \
  "                          4<pipe>, 5<eventfd>, 6<epoll>, 7<socket>\n"       \
  "  --call NAME,...         Only these calls (names or classes)\n"            \
  "  -e trace=CLASS,...      Only these classes: file, desc, clock, poll, "    \
  "proc,\n"                                                                    \
  "                          sock, event, or a calls.def family\n"            \
  "  --fd N,...              Only calls on (or handing out) one of these "     \
  "fds\n"                                                                      \
  "  --path GLOB             Only calls with a path, or an fd standing for "   \
  "one,\n"                                                                     \
  "                          matching GLOB\n"                                  \
  "  --failed                Only calls that failed\n"                         \
  "  --errno NAME,...        Only calls that failed with one of these "        \
  "errnos\n"                                                                   \
  "  --denied                Only calls with a denial (rights, policy, abi)\n" \
  "  --seq A..B              Only calls numbered A to B\n"                     \
  "  --time A..B             Only calls started A to B seconds into the run\n" \
  "  --transitions           Show the fd, eventfd, epoll and signal "          \
  "transitions\n"                                                              \
  "                          under the call that caused them\n"               \
  "  --no-times              Leave out the +time and <duration> columns\n"     \
  "  --color WHEN            auto (default: on a terminal, unless NO_COLOR "   \
  "is set),\n"                                                                 \
  "                          always or never\n"

typedef enum {
  WT_CLI_COLOR_AUTO,
  WT_CLI_COLOR_ALWAYS,
  WT_CLI_COLOR_NEVER
} wt_cli_color_t;

typedef struct wt_cli_view_opts_s {
  wt_view_options_t view;
  wt_cli_color_t color;
  uint32_t nfilters;
  struct {
    const char *what, *value;
  } filters[64];
} wt_cli_view_opts_t;

void wt_cli_view_opts_init(wt_cli_view_opts_t *o);
/* 1: c was a view option (applied); 0: it is not one; -1: a bad value
   (reported). */
int wt_cli_view_option(wt_cli_view_opts_t *o, int c, const char *arg);
/* A viewer with the options and filters; colour decided for out_fd
   (-1: no terminal). -1 after a message. */
int wt_cli_view_new(wt_cli_view_opts_t *o, int out_fd, wt_viewer_t **out);

#endif /* WT_CLI_VIEW_OPTS_H */
