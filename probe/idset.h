/* idset.h - a fixed set of small ids (CPUs, NUMA nodes), a value copied with = */
#ifndef HVTUNE_IDSET_H
#define HVTUNE_IDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/err.h"

/* Linux's largest NR_CPUS (CONFIG_NR_CPUS_RANGE_END) is 8192: 1 KiB a set. */
#define IDSET_MAX 8192u

struct idset {
	uint64_t bits[IDSET_MAX / 64];
};

static inline void idset_clear(struct idset *s)
{
	for (size_t i = 0; i < IDSET_MAX / 64; i++)
		s->bits[i] = 0;
}

static inline void idset_add(struct idset *s, unsigned id)
{
	if (id < IDSET_MAX)
		s->bits[id / 64] |= UINT64_C(1) << (id % 64);
}

static inline void idset_del(struct idset *s, unsigned id)
{
	if (id < IDSET_MAX)
		s->bits[id / 64] &= ~(UINT64_C(1) << (id % 64));
}

static inline bool idset_has(const struct idset *s, unsigned id)
{
	return id < IDSET_MAX && (s->bits[id / 64] >> (id % 64)) & 1;
}

/* Number of ids in @s. */
unsigned idset_count(const struct idset *s);
bool idset_empty(const struct idset *s);
/* The smallest id >= @from in @s, or -1 when there is none: for (id = idset_next(s, 0); id >= 0; id
 * = idset_next(s, id + 1)) */
int idset_next(const struct idset *s, unsigned from);
bool idset_equal(const struct idset *a, const struct idset *b);
bool idset_subset(const struct idset *a, const struct idset *of);
bool idset_intersects(const struct idset *a, const struct idset *b);
void idset_or(struct idset *dst, const struct idset *src);
void idset_and(struct idset *dst, const struct idset *src);
void idset_andnot(struct idset *dst, const struct idset *src);

/* Parses the kernel's list format ("0-3,8", "" is the empty set; a trailing
 * newline is not accepted: fs_read() strips it).  On error @s is empty. */
int idset_parse(struct idset *s, const char *list, struct err *e);

/* Parses the kernel's hex mask format ("00000000,000000ff"), as in cpumap
 * and thread_siblings.  On error @s is empty. */
int idset_parse_mask(struct idset *s, const char *mask, struct err *e);

/* Formats @s in list format into @buf; returns @buf.  A set too long for @buf
 * ends in "..." (for display only: what is read back uses idset_format_dup). */
char *idset_format(const struct idset *s, char *buf, size_t size);

/* @s in list format, whole, on the heap (caller free()s); NULL when out of
 * memory.  For what is parsed again: a journal, a file written. */
char *idset_format_dup(const struct idset *s);

#endif
