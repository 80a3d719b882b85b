/* knobs.h - the host files a plan may set and apply may write, and the kind of value each takes
 *
 * One table row per file pattern, in planner/ so that the planner and apply
 * (which includes planner/) share it: the allow-list of apply and of rollback,
 * and how a value for that file is checked, read back and compared.  A plan's
 * value and a journal's old value go through the same check, so rollback
 * writes nothing apply would have refused.
 */
#ifndef HVTUNE_KNOBS_H
#define HVTUNE_KNOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "probe/err.h"

enum knob_kind {
	KIND_UINT,    /* decimal, 0..max */
	KIND_CHOICE,  /* one word of @choices; read from the bracketed form "a [b] c" */
	KIND_CPULIST, /* the kernel's list format, "0-3,8" */
	KIND_CPUMASK, /* the kernel's hex mask format, "00000000,000000ff" */
	KIND_WORD,    /* a name: lowercase letters, digits, '_' (a cpufreq governor) */
};

/* The rows, in table order: a knob the planner sets is named by its row. */
enum knob_id {
	KNOB_ID_HUGEPAGES,	/* a page size's pool, host-wide */
	KNOB_ID_NODE_HUGEPAGES, /* a page size's pool on one node: node id, page KiB */
	KNOB_ID_THP,
	KNOB_ID_THP_DEFRAG,
	KNOB_ID_KSM,
	KNOB_ID_NUMA_BALANCING,
	KNOB_ID_SWAPPINESS,
	KNOB_ID_IRQ_AFFINITY, /* one IRQ: its number */
	KNOB_ID_IRQ_DEFAULT,
	KNOB_ID_GOVERNOR, /* one CPU: its id */
	KNOB_ID_COUNT
};

struct knob_row {
	const char *pattern; /* fnmatch(3) with FNM_PATHNAME | FNM_PERIOD */
	enum knob_kind kind;
	uint64_t max;	     /* KIND_UINT */
	const char *choices; /* KIND_CHOICE: the words, blank-separated */
};

/*
 * The row of @path, or NULL when apply never writes it: a path that is not
 * absolute, has an empty, "." or ".." component (or any starting with '.'),
 * or matches no pattern.
 */
const struct knob_row *knobs_find(const char *path);

/*
 * Checks @value for the file @path of row @k: its kind, its range, no control
 * character, a bounded length.  Returns 0, or -1 with "refusing to write ...
 * to '@path': why" in @e.
 */
int knobs_check(const struct knob_row *k, const char *path, const char *value, struct err *e);

/* Equal as the kernel means them: CPU lists and masks as sets ("0-1" is
 * "0,1", "00000000,0000000f" is "f"), everything else as trimmed text. */
bool knobs_same(const struct knob_row *k, const char *a, const char *b);

/* The table row of @id. */
const struct knob_row *knobs_row(enum knob_id id);

/*
 * The path of knob @id into @buf: its pattern with each '*' replaced by the
 * next of @ids in decimal (@nids, one per '*').  Returns @buf.  The caller
 * sizes @buf for the path (FS_PATH_MAX always fits).
 */
const char *knobs_path(enum knob_id id, const uint64_t *ids, size_t nids, char *buf, size_t size);

#endif
