/* tlb.c - TLB facts: shootdowns per CPU, nr_tlb_* counters, geometry, perf counters
 *
 * Each figure says where it came from or why it is missing: the "TLB" row of
 * /proc/interrupts exists on x86 only; nr_tlb_* lines in /proc/vmstat only
 * with CONFIG_DEBUG_TLBFLUSH; the geometry comes from CPUID on the live x86
 * host, else from cpuinfo's "TLB size" (AMD) or the device tree (POWER);
 * perf counters are tried on the live host only, and closed at once.
 */
#include "probe/probe_int.h"
#include "probe/strfmt.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#define INTERRUPTS "/proc/interrupts"
#define VMSTAT	   "/proc/vmstat"

/* ---- /proc/interrupts: the "TLB:  ...  TLB shootdowns" row ---- */

/* The header names the CPU of each column ("CPU0 CPU1 CPU4"): offline CPUs
 * have none (kernel/irq/proc.c show_interrupts()). */
static int parse_header(const struct fsroot *r, char *line, unsigned **cpus, size_t *n,
			struct err *e)
{
	size_t cap = 0;
	char *save = NULL;

	*cpus = NULL;
	*n = 0;
	for (char *t = strtok_r(line, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
		char *end;
		unsigned long id;

		if (strncmp(t, "CPU", 3) != 0 || !isdigit((unsigned char)t[3]))
			goto bad;
		id = strtoul(t + 3, &end, 10);
		if (*end != '\0' || id >= IDSET_MAX)
			goto bad;
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			unsigned *p = realloc(*cpus, ncap * sizeof(*p));

			if (!p) {
				free(*cpus);
				*cpus = NULL;
				return err_set(e, ENOMEM, "cannot read '%s%s'", r->shown,
					       INTERRUPTS);
			}
			*cpus = p;
			cap = ncap;
		}
		(*cpus)[(*n)++] = (unsigned)id;
	}
	if (*n > 0)
		return 0;
bad:
	free(*cpus);
	*cpus = NULL;
	*n = 0;
	return err_set(e, EINVAL, "invalid header line in '%s%s'", r->shown, INTERRUPTS);
}

static int read_shootdowns(struct tlb *t, const struct fsroot *r, struct err *e)
{
	char *line = NULL;
	size_t cap = 0, ncols = 0, n = 0;
	unsigned *cpus = NULL;
	uint64_t *counts = NULL;
	bool found = false;
	ssize_t len;
	FILE *f;

	f = fs_fopen(r, INTERRUPTS, FS_MAX_INTERRUPTS, e);
	if (!f) {
		if (!probe_soft(e))
			return -1;
		probe_why(t->shootdowns_why, sizeof(t->shootdowns_why), r, INTERRUPTS, e);
		return 0;
	}
	errno = 0;
	len = getline(&line, &cap, f);
	if (len <= 0) {
		int sys = ferror(f) ? errno : 0;

		free(line);
		fclose(f);
		if (sys)
			return err_set(e, sys, "cannot read '%s%s'", r->shown, INTERRUPTS);
		return err_set(e, EINVAL, "empty '%s%s'", r->shown, INTERRUPTS);
	}
	if (parse_header(r, line, &cpus, &ncols, e) < 0)
		goto fail;
	errno = 0;
	while (getline(&line, &cap, f) > 0) {
		char *p = line, *end;

		while (isblank((unsigned char)*p))
			p++;
		if (strncmp(p, "TLB:", 4) != 0)
			continue;
		found = true;
		counts = calloc(ncols, sizeof(*counts));
		if (!counts) {
			err_set(e, ENOMEM, "cannot read '%s%s'", r->shown, INTERRUPTS);
			goto fail;
		}
		/* rows such as "ERR:" carry fewer columns than the header: take
		 * the counts that are there, each under its own CPU */
		for (p += 4; n < ncols; n++) {
			while (isblank((unsigned char)*p))
				p++;
			if (!isdigit((unsigned char)*p))
				break;
			errno = 0;
			counts[n] = strtoull(p, &end, 10);
			if (errno || (*end && !isspace((unsigned char)*end))) {
				err_set(e, EINVAL, "invalid count in the TLB row of '%s%s'",
					r->shown, INTERRUPTS);
				goto fail;
			}
			p = end;
		}
		break;
	}
	if (ferror(f)) {
		err_set(e, errno, "cannot read '%s%s'", r->shown, INTERRUPTS);
		goto fail;
	}
	free(line);
	fclose(f);
	if (!found || n == 0) {
		free(cpus);
		free(counts);
		strfmt_set(t->shootdowns_why, sizeof(t->shootdowns_why), "%s '%s%s'",
			   found ? "no counts in the TLB row of" : "no 'TLB' row (x86 only) in",
			   r->shown, INTERRUPTS);
		return 0;
	}
	t->shootdowns_known = true;
	t->nshootdowns = n;
	t->shootdown_cpus = cpus;
	t->shootdowns = counts;
	return 0;
fail:
	free(line);
	free(cpus);
	free(counts);
	fclose(f);
	return -1;
}

/* ---- /proc/vmstat ---- */

static const char *const vmstat_names[] = {
    "nr_tlb_remote_flush",
    "nr_tlb_remote_flush_received",
    "nr_tlb_local_flush_all",
    "nr_tlb_local_flush_one",
};

struct vmstat_ctx {
	struct tlb *t;
	const struct fsroot *r;
	unsigned seen; /* bits of vmstat_names[] */
	bool started;  /* a line was read: a failure is not the open's */
};

static int vmstat_line(char *line, void *arg, struct err *e)
{
	struct vmstat_ctx *c = arg;
	uint64_t *const dst[] = {
	    &c->t->nr_tlb_remote_flush,
	    &c->t->nr_tlb_remote_flush_received,
	    &c->t->nr_tlb_local_flush_all,
	    &c->t->nr_tlb_local_flush_one,
	};
	char *sp = strchr(line, ' ');

	static_assert(ARRAY_LEN(dst) == ARRAY_LEN(vmstat_names), "one destination per name");
	c->started = true;
	if (!sp || strncmp(line, "nr_tlb_", 7) != 0)
		return 0;
	*sp = '\0';
	for (size_t i = 0; i < ARRAY_LEN(vmstat_names); i++) {
		char *end;

		if (strcmp(line, vmstat_names[i]) != 0)
			continue;
		errno = 0;
		*dst[i] = strtoull(sp + 1, &end, 10);
		if (!isdigit((unsigned char)sp[1]) || errno || (*end && *end != '\n'))
			return err_set(e, EINVAL, "invalid value for '%s' in '%s%s'",
				       vmstat_names[i], c->r->shown, VMSTAT);
		c->seen |= 1u << i;
	}
	return 0;
}

static int read_vmstat(struct tlb *t, const struct fsroot *r, struct err *e)
{
	struct vmstat_ctx c = {t, r, 0, false};

	if (fs_each_line(r, VMSTAT, FS_MAX_KEYS, vmstat_line, &c, e) < 0) {
		if (c.started || !probe_soft(e))
			return -1;
		probe_why(t->vmstat_why, sizeof(t->vmstat_why), r, VMSTAT, e);
		return 0;
	}
	t->vmstat_known = c.seen == (1u << ARRAY_LEN(vmstat_names)) - 1;
	if (!t->vmstat_known) {
		t->nr_tlb_remote_flush = t->nr_tlb_remote_flush_received = 0;
		t->nr_tlb_local_flush_all = t->nr_tlb_local_flush_one = 0;
		strfmt_set(t->vmstat_why, sizeof(t->vmstat_why),
			   "no nr_tlb_* counters in '%s%s': the kernel lacks CONFIG_DEBUG_TLBFLUSH",
			   r->shown, VMSTAT);
	}
	return 0;
}

/* ---- geometry from CPUID ---- */

struct geo {
	char *out;
	size_t size;
	bool full; /* an entry did not fit */
};

static void geo_add(struct geo *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void geo_add(struct geo *g, const char *fmt, ...)
{
	char item[96];
	size_t len = strlen(g->out);
	va_list ap;

	if (g->full)
		return;
	va_start(ap, fmt);
	vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	if (len + strlen(item) + 2 + 5 > g->size) {
		strfmt_set(g->out + len, g->size - len, "; ...");
		g->full = true;
		return;
	}
	strfmt_set(g->out + len, g->size - len, "%s%s", len ? "; " : "", item);
}

static void assoc_text(char *buf, size_t size, unsigned ways, bool full)
{
	if (full)
		strfmt_set(buf, size, "full");
	else if (ways == 1)
		strfmt_set(buf, size, "direct");
	else
		strfmt_set(buf, size, "%u-way", ways);
}

/* Intel SDM vol. 2A, CPUID leaf 18H: deterministic address translation parameters. */
static bool intel_leaf18(tlb_cpuid_fn cpuid, void *ctx, struct geo *g)
{
	static const char *const type[] = {NULL, "d", "i", "", "d-load", "d-store"};
	static const char *const page[] = {"4K", "2M", "4M", "1G"};
	uint32_t regs[4];
	uint32_t max;
	bool any = false;

	if (!cpuid(ctx, 0, 0, regs) || regs[0] < 0x18 || !cpuid(ctx, 0x18, 0, regs))
		return false;
	max = regs[0] < 64 ? regs[0] : 64;
	for (uint32_t sub = 0; sub <= max; sub++) {
		char pages[16] = "", assoc[16];
		unsigned kind, ways, entries;

		if (sub > 0 && !cpuid(ctx, 0x18, sub, regs))
			break;
		kind = regs[3] & 0x1f;
		if (kind == 0 || kind >= ARRAY_LEN(type))
			continue;
		for (unsigned b = 0; b < 4; b++)
			if (regs[1] & (1u << b))
				strfmt_set(pages + strlen(pages), sizeof(pages) - strlen(pages),
					   "%s%s", pages[0] ? "+" : "", page[b]);
		ways = regs[1] >> 16;
		entries = ways * regs[2];
		assoc_text(assoc, sizeof(assoc), ways, regs[3] & (1u << 8));
		geo_add(g, "L%u%s %s %u %s", (regs[3] >> 5) & 7, type[kind], pages, entries, assoc);
		any = true;
	}
	return any;
}

/* AMD APM vol. 3, E.4.5/E.4.6/E.4.16: the 4-bit associativity of L2 TLBs. */
static void amd_assoc4(char *buf, size_t size, unsigned code)
{
	static const unsigned ways[16] = {0, 1, 2, 3, 4, 6, 8, 0, 16, 0, 32, 48, 64, 96, 128, 0};

	assoc_text(buf, size, ways[code & 0xf], (code & 0xf) == 0xf);
}

/* One TLB half-register: @entries entries, @assoc already decoded. */
static void amd_item(struct geo *g, const char *level, const char *pages, unsigned entries,
		     const char *assoc)
{
	if (entries > 0)
		geo_add(g, "%s %s %u %s", level, pages, entries, assoc);
}

static void amd_l1(struct geo *g, uint32_t reg, const char *pages)
{
	char assoc[16];
	unsigned a;

	/* [31:24] dTLB ways (0xff = full), [23:16] entries; [15:8], [7:0] the iTLB */
	a = reg >> 24;
	assoc_text(assoc, sizeof(assoc), a, a == 0xff);
	amd_item(g, "L1d", pages, (reg >> 16) & 0xff, assoc);
	a = (reg >> 8) & 0xff;
	assoc_text(assoc, sizeof(assoc), a, a == 0xff);
	amd_item(g, "L1i", pages, reg & 0xff, assoc);
}

static void amd_l2(struct geo *g, uint32_t reg, const char *ld, const char *li, const char *pages)
{
	char assoc[16];

	/* [31:28] dTLB ways (4-bit code), [27:16] entries; [15:12], [11:0] the iTLB */
	amd_assoc4(assoc, sizeof(assoc), reg >> 28);
	amd_item(g, ld, pages, (reg >> 16) & 0xfff, assoc);
	amd_assoc4(assoc, sizeof(assoc), (reg >> 12) & 0xf);
	amd_item(g, li, pages, reg & 0xfff, assoc);
}

static bool amd_leaves(tlb_cpuid_fn cpuid, void *ctx, struct geo *g)
{
	uint32_t regs[4], max;

	if (!cpuid(ctx, 0x80000000, 0, regs))
		return false;
	max = regs[0];
	if (max < 0x80000005 || !cpuid(ctx, 0x80000005, 0, regs))
		return false;
	amd_l1(g, regs[1], "4K");
	amd_l1(g, regs[0], "2M/4M");
	if (max >= 0x80000006 && cpuid(ctx, 0x80000006, 0, regs)) {
		amd_l2(g, regs[1], "L2d", "L2i", "4K");
		amd_l2(g, regs[0], "L2d", "L2i", "2M/4M");
	}
	if (max >= 0x80000019 && cpuid(ctx, 0x80000019, 0, regs)) {
		amd_l2(g, regs[0], "L1d", "L1i", "1G");
		amd_l2(g, regs[1], "L2d", "L2i", "1G");
	}
	return g->out[0] != '\0';
}

void tlb_cpuid_geometry(tlb_cpuid_fn cpuid, void *ctx, char *out, size_t size, char *why,
			size_t whysize)
{
	struct geo g = {out, size, false};
	uint32_t regs[4];
	char vendor[13];

	out[0] = '\0';
	why[0] = '\0';
	if (!cpuid(ctx, 0, 0, regs)) {
		strfmt_set(why, whysize, "no CPUID");
		return;
	}
	memcpy(vendor, &regs[1], 4);
	memcpy(vendor + 4, &regs[3], 4);
	memcpy(vendor + 8, &regs[2], 4);
	vendor[12] = '\0';
	if (strcmp(vendor, "AuthenticAMD") == 0 || strcmp(vendor, "HygonGenuine") == 0) {
		if (!amd_leaves(cpuid, ctx, &g))
			strfmt_set(why, whysize, "CPUID leaves 0x80000005/6 report no TLB");
		return;
	}
	if (!intel_leaf18(cpuid, ctx, &g))
		/* leaf 2 descriptors are not decoded: leaf 0x18 replaced them */
		strfmt_set(why, whysize,
			   "CPUID leaf 0x18 reports no TLB (%s; a hypervisor may hide it)", vendor);
}

#if defined(__x86_64__) || defined(__i386__)
static bool live_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	unsigned a, b, c, d;

	(void)ctx;
	/* checks the highest basic or extended leaf first */
	if (!__get_cpuid_count(leaf, subleaf, &a, &b, &c, &d))
		return false;
	regs[0] = a;
	regs[1] = b;
	regs[2] = c;
	regs[3] = d;
	return true;
}
#endif

/* ---- geometry from the POWER device tree ---- */

static int dt_u32(const struct fsroot *r, const char *path, uint32_t *v, struct err *e)
{
	unsigned char b[8];
	long n = fs_read(r, path, (char *)b, sizeof(b), e);

	if (n < 0)
		return -1;
	/* Open Firmware cells are big-endian 32-bit values */
	if (n != 4)
		return err_set(e, EINVAL, "'%s%s' is not one 32-bit cell", r->shown, path);
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return 0;
}

static int device_tree_geometry(struct tlb *t, const struct fsroot *r, struct err *e)
{
	static const char *const files[] = {
	    "d-tlb-size",
	    "d-tlb-sets",
	    "i-tlb-size",
	    "i-tlb-sets",
	};
	struct dirent *de;
	uint32_t v[4];
	DIR *d;

	d = fs_opendir(r, "/proc/device-tree/cpus", e);
	if (!d)
		return probe_soft(e) ? 0 : -1;
	while ((de = readdir(d))) {
		char path[FS_PATH_MAX];
		size_t i;

		if (de->d_name[0] == '.')
			continue;
		for (i = 0; i < ARRAY_LEN(files); i++) {
			strfmt_set(path, sizeof(path), "/proc/device-tree/cpus/%s/%s", de->d_name,
				   files[i]);
			if (dt_u32(r, path, &v[i], e) < 0)
				break;
		}
		if (i < ARRAY_LEN(files)) {
			if (probe_soft(e))
				continue;
			closedir(d);
			return -1;
		}
		strfmt_set(t->geometry, sizeof(t->geometry),
			   "d-TLB %u entries %u sets; i-TLB %u entries %u sets (per core)", v[0],
			   v[1], v[2], v[3]);
		strfmt_set(t->geometry_source, sizeof(t->geometry_source), "device-tree");
		break;
	}
	closedir(d);
	return 0;
}

static int read_geometry(struct host *h, const struct fsroot *r, struct err *e)
{
	struct tlb *t = &h->tlb;
	char cpuid_why[HOST_WHY_MAX] = "";

#if defined(__x86_64__) || defined(__i386__)
	if (r->live) {
		tlb_cpuid_geometry(live_cpuid, NULL, t->geometry, sizeof(t->geometry), cpuid_why,
				   sizeof(cpuid_why));
		if (t->geometry[0]) {
			strfmt_set(t->geometry_source, sizeof(t->geometry_source), "cpuid");
			return 0;
		}
	}
#endif
	if (t->cpuinfo_tlb_size[0]) {
		/* AMD's "TLB size": the L2 4K entries, data plus instruction */
		strfmt_set(t->geometry, sizeof(t->geometry), "%s", t->cpuinfo_tlb_size);
		strfmt_set(t->geometry_source, sizeof(t->geometry_source), "cpuinfo");
		return 0;
	}
	if (device_tree_geometry(t, r, e) < 0)
		return -1;
	if (t->geometry[0])
		return 0;
	if (cpuid_why[0])
		strfmt_set(t->geometry_why, sizeof(t->geometry_why), "%s; no 'TLB size' in cpuinfo",
			   cpuid_why);
	else
		strfmt_set(
		    t->geometry_why, sizeof(t->geometry_why),
		    "not the live x86 host (no CPUID), and no 'TLB size' in '%s/proc/cpuinfo' "
		    "nor TLB sizes in '%s/proc/device-tree'",
		    r->shown, r->shown);
	return 0;
}

/* ---- perf ---- */

static void try_perf(struct host *h, const struct fsroot *r)
{
	struct tlb *t = &h->tlb;
	struct perf_event_attr a;
	int cpu, fd, sys;
	long paranoid = -99;
	struct err e2 = ERR_INIT;

	if (!r->live) {
		t->perf = TRI_UNKNOWN;
		strfmt_set(t->perf_why, sizeof(t->perf_why), "not the live host");
		return;
	}
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_HW_CACHE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_HW_CACHE_DTLB | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
		   (PERF_COUNT_HW_CACHE_RESULT_MISS << 16);
	a.disabled = 1;
	/* system-wide on one online CPU: the one we run on is surely online */
	cpu = h->ncpus > 0 ? (int)h->cpus[0].id : sched_getcpu();
	if (cpu < 0)
		cpu = 0;
	fd = (int)syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		t->perf = TRI_YES;
		t->perf_why[0] = '\0';
		return;
	}
	sys = errno;
	t->perf = TRI_NO;
	switch (sys) {
	case EACCES:
	case EPERM:
		if (fs_read_int(r, "/proc/sys/kernel/perf_event_paranoid", &paranoid, &e2) == 0)
			strfmt_set(
			    t->perf_why, sizeof(t->perf_why),
			    "not permitted: perf_event_paranoid is %ld (system-wide counting "
			    "needs -1 or 0, or CAP_PERFMON)",
			    paranoid);
		else
			strfmt_set(t->perf_why, sizeof(t->perf_why), "not permitted: %s",
				   strerror(sys));
		break;
	case ENOENT:
	case EOPNOTSUPP:
	case ENODEV:
	case EINVAL:
		strfmt_set(t->perf_why, sizeof(t->perf_why),
			   "dTLB read-miss event not supported by this CPU/VM (%s)", strerror(sys));
		break;
	case ENOSYS:
		strfmt_set(t->perf_why, sizeof(t->perf_why), "kernel without perf events");
		break;
	default:
		strfmt_set(t->perf_why, sizeof(t->perf_why), "perf_event_open failed: %s",
			   strerror(sys));
	}
}

/* Each reader fills its figure or says why not; a file it cannot parse makes
 * that figure unknown with the reason, and the others are still read. */
int tlb_probe(struct host *h, const struct fsroot *r, struct err *e)
{
	struct tlb *t = &h->tlb;

	if (read_shootdowns(t, r, e) < 0) {
		if (!probe_soft(e))
			return -1;
		t->shootdowns_known = false;
		strfmt_set(t->shootdowns_why, sizeof(t->shootdowns_why), "%s", e->msg);
	}
	if (read_vmstat(t, r, e) < 0) {
		if (!probe_soft(e))
			return -1;
		t->vmstat_known = false;
		t->nr_tlb_remote_flush = t->nr_tlb_remote_flush_received = 0;
		t->nr_tlb_local_flush_all = t->nr_tlb_local_flush_one = 0;
		strfmt_set(t->vmstat_why, sizeof(t->vmstat_why), "%s", e->msg);
	}
	if (read_geometry(h, r, e) < 0) {
		if (!probe_soft(e))
			return -1;
		t->geometry[0] = '\0';
		strfmt_set(t->geometry_why, sizeof(t->geometry_why), "%s", e->msg);
	}
	try_perf(h, r);
	return 0;
}
