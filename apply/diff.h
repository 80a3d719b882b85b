/* diff.h - a unified diff of two texts, line by line (no external diff program) */
#ifndef HVTUNE_DIFF_H
#define HVTUNE_DIFF_H

#include "probe/err.h"

/*
 * Returns the unified diff of @a and @b ("--- @la", "+++ @lb", hunks with 3
 * lines of context, "\ No newline at end of file" where one applies), or ""
 * when they are equal.  The edit script is a longest common subsequence of
 * lines (quadratic table: domain XML is a few hundred lines).  Caller free()s.
 * NULL with @e on out of memory or when the texts are too large to compare.
 */
char *diff_unified(const char *a, const char *b, const char *la, const char *lb, struct err *e);

#endif
