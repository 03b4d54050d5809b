/*
 * libFuzzer target: the policy loader (policy/load.c) and, for a policy it
 * accepts, the compiled globs. Input: policy file text. Beyond not
 * crashing: a refusal always says why, and an accepted policy answers a
 * few path questions (the trie and the matcher run on its globs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wt/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const paths[] = {"/", "/sb", "/sb/a/b/c.txt",
                                      "/sb/.hidden", "/x/y/z/w/v/u"};
  wt_policy_t *p;
  char err[1024];
  err[0] = '\0';
  if (wt_policy_new(&p) < 0)
    return 0;
  if (wt_policy_load_text(p, (const char *)data, size, "fuzz.json", err,
                          sizeof err) == 0 &&
      wt_policy_finish(p, err, sizeof err) == 0) {
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
      wt_policy_verdict_t v;
      wt_policy_check_path(p, paths[i], WT_POLICY_ALL_OPS, &v);
      if (v.denied && v.text == NULL)
        abort();
    }
  } else if (err[0] == '\0') {
    abort(); /* a refusal that does not say why */
  }
  wt_policy_free(p);
  return 0;
}
