/* A module given as WebAssembly text (wat.c). */
#ifndef WT_CLI_WAT_H
#define WT_CLI_WAT_H

#include <stdbool.h>

typedef struct wt_cli_wat_s {
  char dir[4096];  /* the private folder, "" for none */
  char wasm[4400]; /* the binary in it */
} wt_cli_wat_t;

/* Whether path is WebAssembly text (named .wat, or text inside). */
bool wt_cli_is_wat(const char *path);

/*
 * Translates path with wat2wasm into a new private folder: 0 (w->wasm
 * names the binary; remove it with wt_cli_wat_remove), or an exit status
 * after a message: 126 when wat2wasm is missing or refuses the text (its
 * own words follow on stderr).
 */
int wt_cli_wat_translate(const char *path, wt_cli_wat_t *w);
void wt_cli_wat_remove(wt_cli_wat_t *w);

#endif
