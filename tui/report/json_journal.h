/* json_journal.h - `hvtune journal --json`: the apply journals as a JSON array
 *
 * [{"id": "20261129T222000Z-001", "time": 1796...  (seconds since the epoch),
 *   "status": "complete", "root": "/", "uri": "qemu:///system" (null when the
 *   apply touched no domain), "steps": {"define": 1, "vcpupin": 2,
 *   "emulatorpin": 1, "write": 0, "iothreadpin": 1, "numatune": 1}}, ...]
 * oldest first.  Every step kind is always present (0 when none).
 */
#ifndef HVTUNE_JSON_JOURNAL_H
#define HVTUNE_JSON_JOURNAL_H

#include <stddef.h>

#include "apply/journal.h"
#include "probe/err.h"

/* The array as pretty JSON text ending in a newline; caller free()s.  NULL
 * (with @e) only when out of memory. */
char *json_journal_list(const struct journal *js, size_t n, struct err *e);

#endif
