/* knobs.c - the table of host files apply writes, each with the kind of value it takes
 *
 * Policy: a file is written only when its path matches a row, and only with a
 * value of that row's kind.  Adding a knob is adding a row.
 */
#include "planner/knobs.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/idset.h"

/* The longest list of CPUs below IDSET_MAX: every third id as "a-b,"
 * (8190-8191) is about 27,000 characters. */
#define LIST_MAX 32768

static const struct knob_row rows[] = {
    /* the kernel takes an unsigned long and allocates until memory runs out:
     * 2^32 pages (8 PiB of 2 MiB pages) is beyond any host, a typo is not */
    [KNOB_ID_HUGEPAGES] = {"/sys/kernel/mm/hugepages/hugepages-*kB/nr_hugepages", KIND_UINT,
			   UINT32_MAX, NULL},
    [KNOB_ID_NODE_HUGEPAGES] =
	{"/sys/devices/system/node/node*/hugepages/hugepages-*kB/nr_hugepages", KIND_UINT,
	 UINT32_MAX, NULL},
    /* Documentation/admin-guide/mm/transhuge.rst */
    [KNOB_ID_THP] = {"/sys/kernel/mm/transparent_hugepage/enabled", KIND_CHOICE, 0,
		     "always|madvise|never"},
    [KNOB_ID_THP_DEFRAG] = {"/sys/kernel/mm/transparent_hugepage/defrag", KIND_CHOICE, 0,
			    "always|defer|defer+madvise|madvise|never"},
    /* ksm.rst: 0 stop, 1 run, 2 unmerge all and stop */
    [KNOB_ID_KSM] = {"/sys/kernel/mm/ksm/run", KIND_UINT, 2, NULL},
    /* sysctl/kernel.rst: bit 0 normal, bit 1 memory tiering (Linux 6.0) */
    [KNOB_ID_NUMA_BALANCING] = {"/proc/sys/kernel/numa_balancing", KIND_UINT, 3, NULL},
    /* 0..200 since Linux 5.8 */
    [KNOB_ID_SWAPPINESS] = {"/proc/sys/vm/swappiness", KIND_UINT, 200, NULL},
    [KNOB_ID_IRQ_AFFINITY] = {"/proc/irq/*/smp_affinity_list", KIND_CPULIST, 0, NULL},
    [KNOB_ID_IRQ_DEFAULT] = {"/proc/irq/default_smp_affinity", KIND_CPUMASK, 0, NULL},
    [KNOB_ID_GOVERNOR] = {"/sys/devices/system/cpu/cpu*/cpufreq/scaling_governor", KIND_WORD, 0,
			  NULL},
};
static_assert(ARRAY_LEN(rows) == KNOB_ID_COUNT, "one row per knob_id");

const struct knob_row *knobs_row(enum knob_id id)
{
	assert((unsigned)id < KNOB_ID_COUNT);
	return &rows[id];
}

const char *knobs_path(enum knob_id id, const uint64_t *ids, size_t nids, char *buf, size_t size)
{
	const char *pat = knobs_row(id)->pattern;
	size_t len = 0, used = 0;

	assert(size > 0);
	for (const char *c = pat; *c; c++) {
		int n;

		if (*c == '*') {
			assert(used < nids); /* one id per '*' */
			n = snprintf(buf + len, size - len, "%" PRIu64, ids[used++]);
		} else {
			n = snprintf(buf + len, size - len, "%c", *c);
		}
		assert(n >= 0 && (size_t)n < size - len); /* the caller's buffer fits a path */
		if (n < 0 || (size_t)n >= size - len)
			return buf; /* truncated, still terminated */
		len += (size_t)n;
	}
	assert(used == nids);
	(void)nids; /* only asserted on */
	return buf;
}

const struct knob_row *knobs_find(const char *path)
{
	/* FNM_PATHNAME: a '*' never spans a '/'; FNM_PERIOD: never matches "." or
	 * "..".  Refusing every component that starts with '.' and every empty
	 * one keeps that true of the literal parts too. */
	if (path[0] != '/' || strstr(path, "/.") || strstr(path, "//"))
		return NULL;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++)
		if (fnmatch(rows[i].pattern, path, FNM_PATHNAME | FNM_PERIOD) == 0)
			return &rows[i];
	return NULL;
}

/* What a value of @k must be, for the message; @buf when it needs formatting. */
static const char *expected(const struct knob_row *k, char *buf, size_t size)
{
	switch (k->kind) {
	case KIND_UINT:
		snprintf(buf, size, "not a number from 0 to %" PRIu64, k->max);
		return buf;
	case KIND_CHOICE:
		snprintf(buf, size, "not one of %s", k->choices);
		return buf;
	case KIND_CPULIST:
		return "not a CPU list (such as 0-3,8) of CPUs below 8192";
	case KIND_CPUMASK:
		return "not a hex CPU mask (such as 00000000,000000ff)";
	case KIND_WORD:
		return "not a name of lowercase letters, digits and '_' (at most 15)";
	}
	return "of an unknown kind";
}

static size_t longest(const struct knob_row *k)
{
	switch (k->kind) {
	case KIND_UINT:
		return 20; /* UINT64_MAX */
	case KIND_CHOICE:
		return strlen(k->choices);
	case KIND_CPULIST:
		return LIST_MAX;
	case KIND_CPUMASK:
		return 4096;
	case KIND_WORD:
		return 15; /* CPUFREQ_NAME_LEN, less the NUL */
	}
	return 0;
}

static bool is_choice(const char *choices, const char *v)
{
	size_t n = strlen(v);

	for (const char *c = choices; n > 0 && *c;) {
		size_t len = strcspn(c, "|");

		if (len == n && strncmp(c, v, n) == 0)
			return true;
		c += len + (c[len] == '|');
	}
	return false;
}

static bool valid(const struct knob_row *k, const char *v)
{
	struct idset s;
	struct err pe = ERR_INIT;
	uint64_t n;
	char *end;

	switch (k->kind) {
	case KIND_UINT:
		if (!isdigit((unsigned char)v[0]))
			return false;
		errno = 0;
		n = strtoull(v, &end, 10);
		return *end == '\0' && errno == 0 && n <= k->max;
	case KIND_CHOICE:
		return is_choice(k->choices, v);
	case KIND_CPULIST:
		return idset_parse(&s, v, &pe) == 0;
	case KIND_CPUMASK:
		return idset_parse_mask(&s, v, &pe) == 0;
	case KIND_WORD:
		return v[0] != '\0' &&
		       strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(v);
	}
	return false;
}

int knobs_check(const struct knob_row *k, const char *path, const char *value, struct err *e)
{
	size_t len = strlen(value);
	char why[128];

	/* a newline would end the value early in a sysctl and start another */
	for (const char *p = value; *p; p++)
		if (iscntrl((unsigned char)*p))
			return err_set(e, 0,
				       "refusing to write to '%s': a control character in "
				       "the value",
				       path);
	if (len > longest(k))
		return err_set(e, 0, "refusing to write a value of %zu bytes to '%s': %s", len,
			       path, expected(k, why, sizeof(why)));
	if (!valid(k, value))
		return err_set(e, 0, "refusing to write '%.64s' to '%s': %s", value, path,
			       expected(k, why, sizeof(why)));
	return 0;
}

static const char *trim(const char *s, size_t *len)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	*len = strlen(s);
	while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t' || s[*len - 1] == '\n'))
		(*len)--;
	return s;
}

bool knobs_same(const struct knob_row *k, const char *a, const char *b)
{
	size_t la, lb;
	const char *ta = trim(a, &la), *tb = trim(b, &lb);
	struct idset x, y;
	struct err e = ERR_INIT;
	char *ca, *cb;
	bool same = false;

	if (la == lb && memcmp(ta, tb, la) == 0)
		return true;
	if (k->kind != KIND_CPULIST && k->kind != KIND_CPUMASK)
		return false;
	ca = strndup(ta, la);
	cb = strndup(tb, lb);
	if (ca && cb && k->kind == KIND_CPULIST)
		same = idset_parse(&x, ca, &e) == 0 && idset_parse(&y, cb, &e) == 0 &&
		       idset_equal(&x, &y);
	else if (ca && cb)
		same = idset_parse_mask(&x, ca, &e) == 0 && idset_parse_mask(&y, cb, &e) == 0 &&
		       idset_equal(&x, &y);
	free(ca);
	free(cb);
	return same; /* out of memory: "differs", and the write is shown and done */
}
