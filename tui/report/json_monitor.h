/* json_monitor.h - `hvtune monitor --json`: one line of JSON per interval
 *
 * The schema is in docs/cli.md ("hvtune monitor").  As everywhere: every key
 * is always present; an unknown rate is null with a "<key>_why" beside it
 * (per group: "busy_why", "shootdowns_why", "nic_irqs_why", "perf_why").
 */
#ifndef HVTUNE_JSON_MONITOR_H
#define HVTUNE_JSON_MONITOR_H

#include "probe/err.h"
#include "probe/sample.h"

/* Schema version of the monitor's lines (the "schema" key). */
#define JSON_MONITOR_SCHEMA 1

/* The rates of interval @seq (1, 2, ...) ending @elapsed_s after the first
 * sample, as one line of compact JSON without the newline; caller free()s.
 * NULL (with @e) only when out of memory. */
char *json_monitor_line(const struct rates *r, unsigned seq, double elapsed_s, struct err *e);

#endif
