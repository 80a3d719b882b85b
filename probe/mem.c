/* mem.c - host-wide memory: meminfo, hugepage pools, THP, KSM, NUMA balancing, swappiness
 *
 * The hugepage pools come from sys/kernel/mm/hugepages (one directory per
 * size, Documentation/admin-guide/mm/hugetlbpage.rst); kernels or captures
 * without it give only the default size, from the HugePages_* lines of
 * /proc/meminfo.
 */
#include "probe/probe_int.h"
#include "probe/strfmt.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMINFO	  "/proc/meminfo"
#define HUGEPAGES "/sys/kernel/mm/hugepages"

/* The meminfo lines we use; a value of "HugePages_Total: 4096" has no unit. */
struct meminfo {
	uint64_t total, free, available, hugepagesize;
	uint64_t hp_total, hp_free, hp_rsvd, hp_surp;
	unsigned seen; /* MI_* bits */
};

enum {
	MI_TOTAL = 1u << 0,
	MI_FREE = 1u << 1,
	MI_AVAILABLE = 1u << 2,
	MI_HPSIZE = 1u << 3,
	MI_HP_TOTAL = 1u << 4,
	MI_HP_FREE = 1u << 5,
	MI_HP_RSVD = 1u << 6,
	MI_HP_SURP = 1u << 7,
};

static const struct {
	const char *key;
	unsigned bit;
	bool kib;
} mi_keys[] = {
    {"MemTotal", MI_TOTAL, true},
    {"MemFree", MI_FREE, true},
    {"MemAvailable", MI_AVAILABLE, true},
    {"Hugepagesize", MI_HPSIZE, true},
    {"HugePages_Total", MI_HP_TOTAL, false},
    {"HugePages_Free", MI_HP_FREE, false},
    {"HugePages_Rsvd", MI_HP_RSVD, false},
    {"HugePages_Surp", MI_HP_SURP, false},
};

struct meminfo_ctx {
	const struct fsroot *r;
	struct meminfo *mi;
};

static uint64_t *meminfo_dst(struct meminfo *mi, size_t i)
{
	uint64_t *const dst[] = {
	    &mi->total,	   &mi->free,	 &mi->available, &mi->hugepagesize,
	    &mi->hp_total, &mi->hp_free, &mi->hp_rsvd,	 &mi->hp_surp,
	};

	static_assert(ARRAY_LEN(mi_keys) == ARRAY_LEN(dst), "one destination per key");
	return dst[i];
}

static int meminfo_line(char *line, void *arg, struct err *e)
{
	struct meminfo_ctx *c = arg;
	char *colon = strchr(line, ':');
	char *val, *end;
	size_t len;

	if (!colon)
		return 0;
	*colon = '\0';
	for (size_t i = 0; i < ARRAY_LEN(mi_keys); i++) {
		uint64_t v;

		if (strcmp(line, mi_keys[i].key) != 0)
			continue;
		val = colon + 1;
		while (isblank((unsigned char)*val))
			val++;
		len = strlen(val);
		while (len > 0 && isspace((unsigned char)val[len - 1]))
			val[--len] = '\0';
		errno = 0;
		v = strtoull(val, &end, 10);
		while (isblank((unsigned char)*end))
			end++;
		if (!isdigit((unsigned char)*val) || errno ||
		    strcmp(end, mi_keys[i].kib ? "kB" : "") != 0)
			return err_set(e, EINVAL, "invalid value '%s' for '%s' in '%s%s'", val,
				       mi_keys[i].key, c->r->shown, MEMINFO);
		*meminfo_dst(c->mi, i) = v;
		c->mi->seen |= mi_keys[i].bit;
	}
	return 0;
}

static int meminfo_read(const struct fsroot *r, struct meminfo *mi, struct err *e)
{
	struct meminfo_ctx c = {r, mi};

	memset(mi, 0, sizeof(*mi));
	return fs_each_line(r, MEMINFO, FS_MAX_KEYS, meminfo_line, &c, e);
}

static int pool_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct hugepool *)a)->size_kib;
	uint64_t y = ((const struct hugepool *)b)->size_kib;

	return x < y ? -1 : x > y;
}

/* "hugepages-2048kB" -> 2048 */
static bool pool_size(const char *name, uint64_t *kib)
{
	char *end;

	if (strncmp(name, "hugepages-", 10) != 0 || !isdigit((unsigned char)name[10]))
		return false;
	errno = 0;
	*kib = strtoull(name + 10, &end, 10);
	return errno == 0 && strcmp(end, "kB") == 0 && *kib > 0;
}

static int read_pools(struct mem *m, const struct fsroot *r, struct err *e)
{
	static const char *const files[] = {
	    "nr_hugepages",
	    "free_hugepages",
	    "surplus_hugepages",
	    "resv_hugepages",
	};
	struct dirent *de;
	size_t skipped = 0;
	DIR *d;

	d = fs_opendir(r, HUGEPAGES, e);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		struct hugepool p;
		uint64_t *dst[4];

		if (!pool_size(de->d_name, &p.size_kib))
			continue;
		if (m->npools == ARRAY_LEN(m->pools)) {
			skipped++;
			continue;
		}
		dst[0] = &p.total;
		dst[1] = &p.free;
		dst[2] = &p.surplus;
		dst[3] = &p.reserved;
		for (size_t i = 0; i < ARRAY_LEN(files); i++) {
			char path[FS_PATH_MAX];

			strfmt_set(path, sizeof(path), "%s/%s/%s", HUGEPAGES, de->d_name, files[i]);
			if (fs_read_u64(r, path, dst[i], e) < 0) {
				closedir(d);
				return -1;
			}
		}
		m->pools[m->npools++] = p;
	}
	closedir(d);
	qsort(m->pools, m->npools, sizeof(m->pools[0]), pool_cmp);
	if (skipped)
		strfmt_set(m->hugepages_why, sizeof(m->hugepages_why),
			   "%zu more hugepage sizes in '%s%s' than the %zu kept", skipped, r->shown,
			   HUGEPAGES, ARRAY_LEN(m->pools));
	return 0;
}

/* A setting that may be absent or unreadable: fills @why (the first reason
 * kept) and returns 0; -1 only when out of memory. */
static int absent_ok(const struct fsroot *r, const char *path, char *why, size_t size,
		     struct err *e)
{
	if (!probe_soft(e))
		return -1;
	if (why[0] == '\0')
		probe_why(why, size, r, path, e);
	return 0;
}

static int read_knobs(struct mem *m, const struct fsroot *r, struct err *e)
{
	static const char thp_enabled[] = "/sys/kernel/mm/transparent_hugepage/enabled";
	static const char thp_defrag[] = "/sys/kernel/mm/transparent_hugepage/defrag";
	static const char ksm[] = "/sys/kernel/mm/ksm/run";
	static const char numab[] = "/proc/sys/kernel/numa_balancing";
	static const char swap[] = "/proc/sys/vm/swappiness";
	uint64_t v;
	long l;

	if (fs_read_setting(r, thp_enabled, m->thp, sizeof(m->thp), e) < 0 &&
	    absent_ok(r, thp_enabled, m->thp_why, sizeof(m->thp_why), e) < 0)
		return -1;
	if (fs_read_setting(r, thp_defrag, m->thp_defrag, sizeof(m->thp_defrag), e) < 0 &&
	    absent_ok(r, thp_defrag, m->thp_defrag_why, sizeof(m->thp_defrag_why), e) < 0)
		return -1;

	/* ksm/run: 0 stop, 1 run, 2 stop and unmerge (Documentation/admin-guide/mm/ksm.rst) */
	m->ksm = TRI_UNKNOWN;
	if (fs_read_u64(r, ksm, &v, e) == 0)
		m->ksm = v == 1 ? TRI_YES : TRI_NO;
	else if (absent_ok(r, ksm, m->ksm_why, sizeof(m->ksm_why), e) < 0)
		return -1;

	/* 0 off, 1 NUMA balancing, 2 memory tiering, 3 both (sysctl/kernel.rst) */
	m->numa_balancing = TRI_UNKNOWN;
	if (fs_read_u64(r, numab, &v, e) == 0)
		m->numa_balancing = v != 0 ? TRI_YES : TRI_NO;
	else if (absent_ok(r, numab, m->numa_balancing_why, sizeof(m->numa_balancing_why), e) < 0)
		return -1;

	m->swappiness = -1;
	if (fs_read_int(r, swap, &l, e) == 0) {
		if (l >= 0 && l <= 200)
			m->swappiness = (int)l;
		else
			strfmt_set(m->swappiness_why, sizeof(m->swappiness_why),
				   "invalid swappiness %ld in '%s%s'", l, r->shown, swap);
	} else if (absent_ok(r, swap, m->swappiness_why, sizeof(m->swappiness_why), e) < 0) {
		return -1;
	}
	return 0;
}

int mem_probe(struct host *h, const struct fsroot *r, struct err *e)
{
	struct mem *m = &h->mem;
	struct meminfo mi;
	struct err mi_err = ERR_INIT;
	bool have_mi;

	have_mi = meminfo_read(r, &mi, &mi_err) == 0;
	if (!have_mi && !probe_soft(&mi_err)) {
		*e = mi_err;
		return -1;
	}
	if (have_mi) {
		m->meminfo_known = (mi.seen & MI_TOTAL) != 0;
		m->total_kib = mi.total;
		m->free_kib = mi.free;
		m->available_kib = mi.available; /* 0 before Linux 3.14 */
		m->default_hugepage_kib = mi.hugepagesize;
		if (!m->meminfo_known)
			strfmt_set(m->meminfo_why, sizeof(m->meminfo_why),
				   "no 'MemTotal' in '%s%s'", r->shown, MEMINFO);
		if (!(mi.seen & MI_HPSIZE))
			strfmt_set(m->default_hugepage_why, sizeof(m->default_hugepage_why),
				   "no 'Hugepagesize' in '%s%s'", r->shown, MEMINFO);
	} else {
		probe_why(m->meminfo_why, sizeof(m->meminfo_why), r, MEMINFO, &mi_err);
		strfmt_set(m->default_hugepage_why, sizeof(m->default_hugepage_why), "%s",
			   m->meminfo_why);
	}

	if (read_pools(m, r, e) == 0) {
		strfmt_set(m->hugepages_source, sizeof(m->hugepages_source), "sysfs");
	} else if (!probe_soft(e)) {
		return -1;
	} else if (e->sys != ENOENT) {
		m->npools = 0; /* there but unreadable: unknown, and why */
		strfmt_set(m->hugepages_why, sizeof(m->hugepages_why), "%s", e->msg);
	} else if (have_mi && (mi.seen & MI_HPSIZE) && (mi.seen & MI_HP_TOTAL)) {
		/* without the sysfs pools only the default size is visible */
		struct hugepool *p = &m->pools[0];

		m->npools = 1;
		p->size_kib = mi.hugepagesize;
		p->total = mi.hp_total;
		p->free = mi.hp_free;
		p->reserved = mi.hp_rsvd;
		p->surplus = mi.hp_surp;
		strfmt_set(m->hugepages_source, sizeof(m->hugepages_source), "meminfo");
		strfmt_set(m->hugepages_why, sizeof(m->hugepages_why),
			   "no '%s%s': the default size only, from '%s%s'", r->shown, HUGEPAGES,
			   r->shown, MEMINFO);
	} else {
		strfmt_set(m->hugepages_why, sizeof(m->hugepages_why),
			   "no '%s%s' and no HugePages_* in '%s%s'", r->shown, HUGEPAGES, r->shown,
			   MEMINFO);
	}
	return read_knobs(m, r, e);
}
