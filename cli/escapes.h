/* run -v / record -v: paths refused for leaving the preopens (escapes.c). */
#ifndef WT_CLI_ESCAPES_H
#define WT_CLI_ESCAPES_H

#include "wt/core.h"

typedef struct wt_cli_escapes_s wt_cli_escapes_t;

/* Starts listening on core's guard, chained to the one set now. NULL
 * without memory (the run goes on without the notes). */
wt_cli_escapes_t *wt_cli_escapes_start(wt_t *core);
/* Stops (before the core is destroyed) and frees. */
void wt_cli_escapes_stop(wt_cli_escapes_t *e);

#endif
