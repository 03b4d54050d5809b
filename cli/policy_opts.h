/*
 * --policy and its shorthands on run and record (policy_opts.c): the
 * policy layer between the guest's table and the core, and where its
 * denials go (the trace when recording, else stderr or --denials FILE).
 */
#ifndef WT_CLI_POLICY_OPTS_H
#define WT_CLI_POLICY_OPTS_H

#include "cli.h"
#include "wt/policy.h"

enum {
  WT_CLI_OPT_POLICY = WT_CLI_OPT_LAYER + 700,
  WT_CLI_OPT_ALLOW_READ,
  WT_CLI_OPT_ALLOW_WRITE,
  WT_CLI_OPT_DENY_CALL,
  WT_CLI_OPT_POLICY_MODE,
  WT_CLI_OPT_DENIALS
};

/* clang-format off */
#define WT_CLI_POLICY_OPTIONS                                                  \
  {"policy", required_argument, NULL, WT_CLI_OPT_POLICY},                      \
  {"allow-read", required_argument, NULL, WT_CLI_OPT_ALLOW_READ},              \
  {"allow-write", required_argument, NULL, WT_CLI_OPT_ALLOW_WRITE},            \
  {"deny-call", required_argument, NULL, WT_CLI_OPT_DENY_CALL},                \
  {"policy-mode", required_argument, NULL, WT_CLI_OPT_POLICY_MODE},            \
  {"denials", required_argument, NULL, WT_CLI_OPT_DENIALS}
/* clang-format on */
#define WT_CLI_POLICY_HELP                                                     \
  "  --policy FILE           Enforce the policy in FILE (docs/policy.md); "   \
  "with any\n"                                                                 \
  "                          policy option, paths are denied unless "         \
  "allowed\n"                                                                  \
  "  --allow-read=PATH       Allow read, stat, list, readlink on guest PATH "  \
  "and below\n"                                                                \
  "  --allow-write=PATH      Allow write, create, delete, rename, link, "     \
  "symlink there\n"                                                            \
  "  --deny-call=NAME        Deny a call or a family of calls "               \
  "(sock, clock, ...)\n"                                                       \
  "  --policy-mode=MODE      enforce (default) or complain (log would-be "    \
  "denials)\n"                                                                 \
  "  --denials FILE          Denials as JSON Lines into FILE (default: one "  \
  "line each\n"                                                                \
  "                          on stderr; record puts them in the trace)\n"

typedef struct wt_cli_policy_s {
  wt_policy_t *p;
  bool any;
  int mode; /* -1: the file's */
  const char *file, *denials_path;
  FILE *denials;
  wt_policy_layer_t *layer;
  wt_tracer_t *tracer; /* record: denials go into the trace */
  uint64_t lines, quiet;
} wt_cli_policy_t;

void wt_cli_policy_init(wt_cli_policy_t *s);
/* 1: a policy option (applied), 0: not one, -1: bad (reported). */
int wt_cli_policy_option(wt_cli_policy_t *s, int c, const char *arg);
/* Before the guest loads: loads and checks the policy. 0 or 125. */
int wt_cli_policy_check(wt_cli_policy_t *s);
/*
 * Puts the layer over *api and *ctx (the core's table) when a policy was
 * given; nothing otherwise. 0 or an exit status.
 */
int wt_cli_policy_open(wt_cli_policy_t *s, const wt_cli_guest_t *g,
                       const wt_api_t **api, void **ctx);
/* Frees the layer and the policy; says how many denials went unprinted. */
void wt_cli_policy_close(wt_cli_policy_t *s);

#endif
