/* apply_int.h - what prepare.c and apply.c share (internal to apply/) */
#ifndef HVTUNE_APPLY_INT_H
#define HVTUNE_APPLY_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "apply/apply.h"

/* Appends a formatted line to the heap array *@lines of *@n; false when out
 * of memory (nothing appended). */
bool apply_add_line(char (**lines)[APPLY_NOTE_MAX], size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The current value of the allowed host file @path, in the form it is written
 * (a bracketed choice as its chosen word); heap, caller free()s.  NULL with @e
 * set when it cannot be read. */
char *apply_read_value(const struct fsroot *r, const char *path, struct err *e);

#endif
