/* text.h - the models as plain text for a terminal or a pipe (probe, check)
 *
 * Output fits the given width (80 unless the terminal says otherwise): long
 * values wrap under their column.  Colour is plain ANSI and only used when the
 * style says so (a TTY whose TERM is not "dumb", and no NO_COLOR).
 */
#ifndef HVTUNE_TEXT_H
#define HVTUNE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "planner/check.h"
#include "probe/host.h"

struct text_style {
	bool color;	/* ANSI colour and bold */
	unsigned width; /* columns; at least TEXT_MIN_WIDTH */
};

#define TEXT_MIN_WIDTH	   40u
#define TEXT_DEFAULT_WIDTH 80u

/*
 * The style for writing to @f: colour only on a TTY whose TERM is set and not
 * "dumb" and when NO_COLOR is unset (https://no-color.org); the width from
 * TIOCGWINSZ on a TTY, else $COLUMNS when it is a number, else 80.
 */
void text_style_init(struct text_style *st, FILE *f);

/* Writes @s escaped (strfmt_esc()): for text of any length from files,
 * requests and libvirt.  Out of memory writes "?". */
void text_put(FILE *f, const char *s);
/* text_put() of each line of @s, the line breaks kept (a diff, a file). */
void text_put_lines(FILE *f, const char *s);

/* CPUs grouped by cpufreq governor, in order of each group's first CPU;
 * CPUs whose governor is unknown form a group with governor "". */
struct gov_group {
	char governor[24];
	struct idset cpus;
};

/* Returns a heap array of *@n groups (caller free()s), or NULL when out of
 * memory.  A host without CPUs gives an empty, non-NULL array. */
struct gov_group *text_governors(const struct host *h, size_t *n);

/* The readable summary of `hvtune probe`.  Every unknown fact is shown as
 * "unknown (<why>)".  Returns -1 with errno set when out of memory. */
int text_host(FILE *f, const struct host *h, const struct text_style *st);

/* Counts of findings per level. */
struct check_counts {
	size_t n[LEVEL_COUNT];
	size_t total;
};

/*
 * `hvtune check`: one line per finding, "  <what> ..... : LEVEL", the level
 * right-aligned to the width; for each finding that is not PASS, indented
 * "why:" and "fix:" lines; then "N checks: P pass, W warn, F fail, I info".
 * Fills @c (may be NULL).
 */
void text_findings(FILE *f, const struct finding *fs, size_t n, const struct text_style *st,
		   struct check_counts *c);

#endif
