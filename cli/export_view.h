/*
 * export --format perfetto|html: pictures of a run (viewer.h), beside the
 * lossless conversions of export.c.
 */
#ifndef WT_CLI_EXPORT_VIEW_H
#define WT_CLI_EXPORT_VIEW_H

#include <stdbool.h>
#include <stdint.h>

/* Beyond wt_trace_format_t's values. */
#define WT_CLI_FORMAT_PERFETTO 100
#define WT_CLI_FORMAT_HTML 101

/* "perfetto" or "html" into *format; false for other names. */
bool wt_cli_export_view_format(const char *name, int *format);

/* Whether the export is a picture: *format one of the above, or unset
 * (-1) and OUT ending in .html/.htm (set to HTML) or .json (Perfetto). */
bool wt_cli_export_view_wants(int *format, const char *out);

/* Writes it (OUT NULL: TRACE's name with .perfetto.json or .html; "-":
 * stdout). Returns the exit status. */
int wt_cli_export_view(const char *in, const char *out, int format,
                       bool force, uint64_t max_calls);

#endif /* WT_CLI_EXPORT_VIEW_H */
