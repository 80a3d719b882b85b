/* gentree.c - writing synthetic /sys + /proc trees
 *
 * The files are those hwloc 2.9's Linux backend and our own readers use,
 * in the kernel's formats: id lists ("0-3,8"), hex masks in 32-bit words
 * ("00000000,000000ff"), "Node 0 MemTotal:  ... kB".  Self-contained (no
 * probe library), so the gentree command links with the test library alone.
 */
#include "tests/gentree.h"
#include "probe/idset.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int gentree_mkdir(const char *dir, const char *path, struct err *e)
{
	char full[4096];

	snprintf(full, sizeof(full), "%s%s", dir, path);
	for (char *p = full + strlen(dir) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(full, 0755) < 0 && errno != EEXIST)
			return err_set(e, errno, "cannot make '%s'", full);
		*p = '/';
	}
	if (mkdir(full, 0755) < 0 && errno != EEXIST)
		return err_set(e, errno, "cannot make '%s'", full);
	return 0;
}

static int mkparent(const char *dir, const char *path, struct err *e)
{
	char parent[4096];
	char *slash;

	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return 0;
	*slash = '\0';
	return gentree_mkdir(dir, parent, e);
}

int gentree_file(const char *dir, const char *path, const char *content, struct err *e)
{
	char full[4096];
	size_t len = strlen(content);
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", dir, path);
	f = fopen(full, "w");
	if (!f && errno == ENOENT) { /* make the parents only when they are missing */
		if (mkparent(dir, path, e) < 0)
			return -1;
		f = fopen(full, "w");
	}
	if (!f)
		return err_set(e, errno, "cannot create '%s'", full);
	if (fwrite(content, 1, len, f) != len) {
		fclose(f);
		return err_set(e, errno, "cannot write '%s'", full);
	}
	if (fclose(f) != 0)
		return err_set(e, errno, "cannot write '%s'", full);
	return 0;
}

int gentree_symlink(const char *dir, const char *path, const char *target, struct err *e)
{
	char full[4096];

	if (mkparent(dir, path, e) < 0)
		return -1;
	snprintf(full, sizeof(full), "%s%s", dir, path);
	if (symlink(target, full) < 0 && errno != EEXIST)
		return err_set(e, errno, "cannot link '%s'", full);
	return 0;
}

void gentree_default(struct gentree_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->npackages = 1;
	s->nodes_per_package = 1;
	s->cores_per_node = 4;
	s->threads_per_core = 2;
	s->l3_per_node = 1;
	s->mem_per_node_kib = UINT64_C(16) << 20;
}

/* ---- text ------------------------------------------------------------------ */

/* A growing string; an allocation failure is reported once, at the end. */
struct text {
	char *p;
	size_t len, cap;
	bool oom;
};

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->oom = true;
		return;
	}
	if (t->len + (size_t)n + 1 > t->cap) {
		size_t cap = (t->len + (size_t)n + 1) * 2;
		char *p = realloc(t->p, cap);

		if (!p) {
			t->oom = true;
			return;
		}
		t->p = p;
		t->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

static void text_reset(struct text *t)
{
	t->len = 0;
	if (t->p)
		t->p[0] = '\0';
}

/* The kernel's list format: "0-3,8" ("" for the empty set). */
static void add_list(struct text *t, const struct idset *s, unsigned nbits)
{
	bool first = true;

	for (unsigned i = 0; i < nbits; i++) {
		unsigned j = i;

		if (!idset_has(s, i))
			continue;
		while (j + 1 < nbits && idset_has(s, j + 1))
			j++;
		if (j == i)
			text_add(t, "%s%u", first ? "" : ",", i);
		else
			text_add(t, "%s%u-%u", first ? "" : ",", i, j);
		first = false;
		i = j;
	}
}

/* The kernel's mask format (bitmap_print_to_pagebuf): 32-bit words, highest first. */
static void add_mask(struct text *t, const struct idset *s, unsigned nbits)
{
	unsigned nwords = (nbits + 31) / 32;

	for (unsigned w = nwords; w-- > 0;) {
		uint32_t v = 0;

		for (unsigned b = 0; b < 32; b++)
			if (idset_has(s, w * 32 + b))
				v |= UINT32_C(1) << b;
		text_add(t, "%08" PRIx32 "%s", v, w ? "," : "");
	}
}

/* ---- the layout -------------------------------------------------------------- */

struct layout {
	const struct gentree_spec *s;
	unsigned nnodes, ncores, npus, nl3;
	unsigned cores_per_pkg, cores_per_l3;
};

static unsigned cpu_of(const struct layout *l, unsigned core, unsigned thread)
{
	return l->s->smt_adjacent ? core * l->s->threads_per_core + thread
				  : thread * l->ncores + core;
}

static unsigned core_of(const struct layout *l, unsigned cpu)
{
	return l->s->smt_adjacent ? cpu / l->s->threads_per_core : cpu % l->ncores;
}

/* The CPUs of cores first..first+n-1. */
static struct idset cores_set(const struct layout *l, unsigned first, unsigned n)
{
	struct idset s;

	idset_clear(&s);
	for (unsigned k = first; k < first + n; k++)
		for (unsigned t = 0; t < l->s->threads_per_core; t++)
			idset_add(&s, cpu_of(l, k, t));
	return s;
}

/* ---- files ----------------------------------------------------------------- */

struct writer {
	const char *dir;
	struct err *e;
	int rc;
};

static void put(struct writer *w, const char *content, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void put(struct writer *w, const char *content, const char *fmt, ...)
{
	char path[1024];
	va_list ap;

	if (w->rc < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	w->rc = gentree_file(w->dir, path, content, w->e);
}

static void put_link(struct writer *w, const char *target, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void put_link(struct writer *w, const char *target, const char *fmt, ...)
{
	char path[1024];
	va_list ap;

	if (w->rc < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	w->rc = gentree_symlink(w->dir, path, target, w->e);
}

/* @s as the list file @list and the mask file @mask in @dir. */
static void put_set(struct writer *w, struct text *t, const struct idset *s, unsigned nbits,
		    const char *dir, const char *mask, const char *list)
{
	text_reset(t);
	add_list(t, s, nbits);
	text_add(t, "\n");
	put(w, t->oom ? "" : t->p, "%s/%s", dir, list);
	text_reset(t);
	add_mask(t, s, nbits);
	text_add(t, "\n");
	put(w, t->oom ? "" : t->p, "%s/%s", dir, mask);
}

static void put_num(struct writer *w, uint64_t v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void put_num(struct writer *w, uint64_t v, const char *fmt, ...)
{
	char path[1024], val[32];
	va_list ap;

	if (w->rc < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	snprintf(val, sizeof(val), "%" PRIu64 "\n", v);
	w->rc = gentree_file(w->dir, path, val, w->e);
}

#define SYS_CPU	 "/sys/devices/system/cpu"
#define SYS_NODE "/sys/devices/system/node"

/*
 * Only the caches and files hwloc needs (level, type, size, shared_cpu_map)
 * and the list form: creating files is what takes time in a big tree.
 */
static const struct {
	unsigned index, level;
	const char *type;
	unsigned size_kib;
} caches[] = {
    {0, 1, "Data", 48},
    {2, 2, "Unified", 2048}, /* index1, the L1i, adds nothing we read */
    {3, 3, "Unified", 0},    /* size: per L3 group, below */
};

static void write_cpu(struct writer *w, struct text *t, const struct layout *l, unsigned cpu)
{
	const struct gentree_spec *s = l->s;
	unsigned core = core_of(l, cpu);
	unsigned node = core / s->cores_per_node;
	unsigned pkg = core / l->cores_per_pkg;
	unsigned l3 = core / l->cores_per_l3;
	struct idset thr = cores_set(l, core, 1);
	struct idset pk = cores_set(l, pkg * l->cores_per_pkg, l->cores_per_pkg);
	struct idset die = cores_set(l, node * s->cores_per_node, s->cores_per_node);
	struct idset l3s = cores_set(l, l3 * l->cores_per_l3, l->cores_per_l3);
	char dir[256];

	snprintf(dir, sizeof(dir), SYS_CPU "/cpu%u", cpu);
	/* cpu0 of x86 cannot be unplugged: it has no "online" file */
	if (cpu > 0)
		put(w, "1\n", "%s/online", dir);
	snprintf(dir, sizeof(dir), SYS_CPU "/cpu%u/topology", cpu);
	put_num(w, pkg, "%s/physical_package_id", dir);
	put_num(w, node % s->nodes_per_package, "%s/die_id", dir);
	put_num(w, core % l->cores_per_pkg, "%s/core_id", dir);
	put_set(w, t, &thr, l->npus, dir, "thread_siblings", "thread_siblings_list");
	put_set(w, t, &thr, l->npus, dir, "core_cpus", "core_cpus_list");
	put_set(w, t, &pk, l->npus, dir, "core_siblings", "core_siblings_list");
	put_set(w, t, &pk, l->npus, dir, "package_cpus", "package_cpus_list");
	put_set(w, t, &die, l->npus, dir, "die_cpus", "die_cpus_list");
	for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]) && !s->no_caches; i++) {
		unsigned size = caches[i].size_kib ? caches[i].size_kib : 4096 * l->cores_per_l3;

		snprintf(dir, sizeof(dir), SYS_CPU "/cpu%u/cache/index%u", cpu, caches[i].index);
		put_num(w, caches[i].level, "%s/level", dir);
		text_reset(t);
		text_add(t, "%s\n", caches[i].type);
		put(w, t->oom ? "" : t->p, "%s/type", dir);
		text_reset(t);
		text_add(t, "%uK\n", size);
		put(w, t->oom ? "" : t->p, "%s/size", dir);
		put_set(w, t, caches[i].level == 3 ? &l3s : &thr, l->npus, dir, "shared_cpu_map",
			"shared_cpu_list");
	}
	if (!s->no_numa) {
		char target[64];

		snprintf(target, sizeof(target), "../../node/node%u", node);
		put_link(w, target, SYS_CPU "/cpu%u/node%u", cpu, node);
		snprintf(target, sizeof(target), "../../cpu/cpu%u", cpu);
		put_link(w, target, SYS_NODE "/node%u/cpu%u", node, cpu);
	}
}

static void write_pool(struct writer *w, const char *dir, unsigned size_kib, uint64_t n,
		       bool global)
{
	put_num(w, n, "%s/hugepages-%ukB/nr_hugepages", dir, size_kib);
	put_num(w, n, "%s/hugepages-%ukB/free_hugepages", dir, size_kib);
	put_num(w, 0, "%s/hugepages-%ukB/surplus_hugepages", dir, size_kib);
	if (global) {
		put_num(w, 0, "%s/hugepages-%ukB/resv_hugepages", dir, size_kib);
		put_num(w, 0, "%s/hugepages-%ukB/nr_overcommit_hugepages", dir, size_kib);
	}
}

static void write_node(struct writer *w, struct text *t, const struct layout *l, unsigned node,
		       uint64_t mem_kib, uint64_t free_kib)
{
	const struct gentree_spec *s = l->s;
	struct idset cpus = cores_set(l, node * s->cores_per_node, s->cores_per_node);
	unsigned remote = s->distance_remote ? s->distance_remote : 21;
	char dir[128];

	snprintf(dir, sizeof(dir), SYS_NODE "/node%u", node);
	text_reset(t);
	add_list(t, &cpus, l->npus);
	text_add(t, "\n");
	put(w, t->oom ? "" : t->p, "%s/cpulist", dir);
	text_reset(t);
	add_mask(t, &cpus, l->npus);
	text_add(t, "\n");
	put(w, t->oom ? "" : t->p, "%s/cpumap", dir);
	text_reset(t);
	for (unsigned j = 0; j < l->nnodes; j++)
		text_add(t, "%s%u", j ? " " : "", j == node ? 10 : remote);
	text_add(t, "\n");
	put(w, t->oom ? "" : t->p, "%s/distance", dir);
	/* as drivers/base/node.c prints it */
	text_reset(t);
	text_add(t, "Node %u MemTotal:       %8" PRIu64 " kB\n", node, mem_kib);
	text_add(t, "Node %u MemFree:        %8" PRIu64 " kB\n", node, free_kib);
	text_add(t, "Node %u MemUsed:        %8" PRIu64 " kB\n", node, mem_kib - free_kib);
	text_add(t, "Node %u HugePages_Total: %5u\n", node, s->hugepages_2m);
	text_add(t, "Node %u HugePages_Free:  %5u\n", node, s->hugepages_2m);
	text_add(t, "Node %u HugePages_Surp:  %5u\n", node, 0u);
	put(w, t->oom ? "" : t->p, "%s/meminfo", dir);
	snprintf(dir, sizeof(dir), SYS_NODE "/node%u/hugepages", node);
	write_pool(w, dir, 2048, s->hugepages_2m, false);
	write_pool(w, dir, 1048576, s->hugepages_1g, false);
}

static const char flags_intel[] =
    "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts "
    "acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc art "
    "arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni "
    "pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid dca "
    "sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm "
    "abm 3dnowprefetch cpuid_fault epb cat_l3 cdp_l3 invpcid_single ssbd mba ibrs ibpb stibp "
    "tpr_shadow vnmi flexpriority ept vpid ept_ad fsgsbase tsc_adjust bmi1 hle avx2 smep "
    "bmi2 erms invpcid rtm cqm mpx rdt_a avx512f avx512dq rdseed adx smap clflushopt clwb "
    "intel_pt avx512cd avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves cqm_llc "
    "cqm_occup_llc cqm_mbm_total cqm_mbm_local dtherm ida arat pln pts pku ospke md_clear "
    "flush_l1d arch_capabilities";
static const char flags_amd[] =
    "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx "
    "fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good "
    "nopl nonstop_tsc cpuid extd_apicid aperfmperf rapl pni pclmulqdq monitor ssse3 fma cx16 "
    "pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand lahf_lm cmp_legacy svm "
    "extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs skinit wdt tce topoext "
    "perfctr_core perfctr_nb bpext perfctr_llc mwaitx cpb cat_l3 cdp_l3 hw_pstate ssbd mba "
    "ibrs ibpb stibp vmmcall fsgsbase bmi1 avx2 smep bmi2 erms invpcid cqm rdt_a rdseed adx "
    "smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc "
    "cqm_mbm_total cqm_mbm_local clzero irperf xsaveerptr rdpru wbnoinvd amd_ppin arat npt "
    "lbrv svm_lock nrip_save tsc_scale vmcb_clean flushbyasid decodeassists pausefilter "
    "pfthreshold avic v_vmsave_vmload vgif v_spec_ctrl umip pku ospke vaes vpclmulqdq rdpid "
    "overflow_recov succor smca sme sev sev_es";

static void write_proc(struct writer *w, struct text *t, const struct layout *l, uint64_t mem_kib,
		       uint64_t free_kib)
{
	const struct gentree_spec *s = l->s;
	const char *vendor = s->vendor ? s->vendor : "GenuineIntel";
	bool amd = strcmp(vendor, "AuthenticAMD") == 0;
	const char *flags = s->flags ? s->flags : amd ? flags_amd : flags_intel;
	uint64_t pages = (uint64_t)s->hugepages_2m * l->nnodes;

	text_reset(t);
	for (unsigned cpu = 0; cpu < l->npus; cpu++) {
		unsigned core = core_of(l, cpu);

		text_add(t, "processor\t: %u\n", cpu);
		text_add(t, "vendor_id\t: %s\n", vendor);
		text_add(t, "cpu family\t: %u\n", amd ? 25u : 6u);
		text_add(t, "model\t\t: %u\n", amd ? 1u : 143u);
		text_add(t, "model name\t: %s\n",
			 amd ? "AMD EPYC 7763 64-Core Processor (gentree)"
			     : "Intel(R) Xeon(R) Platinum 8480+ (gentree)");
		text_add(t, "stepping\t: %u\n", amd ? 1u : 8u);
		text_add(t, "cpu MHz\t\t: 2000.000\n");
		text_add(t, "cache size\t: %u KB\n", 4096 * l->cores_per_l3);
		text_add(t, "physical id\t: %u\n", core / l->cores_per_pkg);
		text_add(t, "siblings\t: %u\n", l->cores_per_pkg * s->threads_per_core);
		text_add(t, "core id\t\t: %u\n", core % l->cores_per_pkg);
		text_add(t, "cpu cores\t: %u\n", l->cores_per_pkg);
		text_add(t, "apicid\t\t: %u\n", cpu);
		text_add(t, "fpu\t\t: yes\n");
		text_add(t, "cpuid level\t: 27\n");
		text_add(t, "wp\t\t: yes\n");
		text_add(t, "flags\t\t: %s\n", flags);
		if (s->vmx_flags)
			text_add(t, "vmx flags\t: %s\n", s->vmx_flags);
		text_add(t, "bogomips\t: 4000.00\n");
		text_add(t, "clflush size\t: 64\n");
		text_add(t, "cache_alignment\t: 64\n");
		text_add(t, "address sizes\t: 46 bits physical, 57 bits virtual\n");
		text_add(t, "power management:\n\n");
	}
	put(w, t->oom ? "" : t->p, "/proc/cpuinfo");

	text_reset(t);
	text_add(t, "MemTotal:       %8" PRIu64 " kB\n", mem_kib);
	text_add(t, "MemFree:        %8" PRIu64 " kB\n", free_kib);
	text_add(t, "MemAvailable:   %8" PRIu64 " kB\n", free_kib);
	text_add(t, "HugePages_Total:   %5" PRIu64 "\n", pages);
	text_add(t, "HugePages_Free:    %5" PRIu64 "\n", pages);
	text_add(t, "HugePages_Rsvd:        0\n");
	text_add(t, "HugePages_Surp:        0\n");
	text_add(t, "Hugepagesize:       2048 kB\n");
	text_add(t, "Hugetlb:        %8" PRIu64 " kB\n",
		 pages * 2048 + (uint64_t)s->hugepages_1g * l->nnodes * 1048576);
	put(w, t->oom ? "" : t->p, "/proc/meminfo");

	text_reset(t);
	text_add(t, "%s\n", s->cmdline ? s->cmdline : "BOOT_IMAGE=/vmlinuz root=/dev/sda1");
	put(w, t->oom ? "" : t->p, "/proc/cmdline");
}

static int check_spec(const struct gentree_spec *s, struct layout *l, struct err *e)
{
	unsigned nl3 = s->l3_per_node ? s->l3_per_node : 1;
	uint64_t npus;

	if (!s->npackages || !s->nodes_per_package || !s->cores_per_node || !s->threads_per_core)
		return err_set(e, 0,
			       "invalid tree spec: packages, nodes, cores and threads "
			       "must be at least 1");
	if (s->cores_per_node % nl3 != 0)
		return err_set(e, 0,
			       "invalid tree spec: %u cores per node do not split into "
			       "%u L3 groups",
			       s->cores_per_node, nl3);
	npus =
	    (uint64_t)s->npackages * s->nodes_per_package * s->cores_per_node * s->threads_per_core;
	if (npus > IDSET_MAX)
		return err_set(e, 0, "invalid tree spec: %" PRIu64 " CPUs (at most %u)", npus,
			       IDSET_MAX);
	l->s = s;
	l->nnodes = s->npackages * s->nodes_per_package;
	l->ncores = l->nnodes * s->cores_per_node;
	l->npus = (unsigned)npus;
	l->nl3 = l->nnodes * nl3;
	l->cores_per_pkg = s->nodes_per_package * s->cores_per_node;
	l->cores_per_l3 = s->cores_per_node / nl3;
	return 0;
}

int gentree_write(const char *dir, const struct gentree_spec *s, struct err *e)
{
	struct writer w = {dir, e, 0};
	struct text t = {NULL, 0, 0, false};
	struct layout l;
	struct stat st;
	uint64_t mem = s->mem_per_node_kib ? s->mem_per_node_kib : UINT64_C(64) << 20;
	uint64_t free_kib = s->free_per_node_kib ? s->free_per_node_kib : mem / 4 * 3;
	char all[32];

	if (check_spec(s, &l, e) < 0)
		return -1;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set(e, errno ? errno : ENOTDIR, "cannot use '%s' for a tree", dir);
	snprintf(all, sizeof(all), "0-%u\n", l.npus - 1);
	put(&w, l.npus > 1 ? all : "0\n", SYS_CPU "/online");
	put(&w, l.npus > 1 ? all : "0\n", SYS_CPU "/possible");
	put(&w, l.npus > 1 ? all : "0\n", SYS_CPU "/present");
	put(&w, "\n", SYS_CPU "/offline");
	put(&w, "8191\n", SYS_CPU "/kernel_max");
	text_reset(&t);
	text_add(&t, "%s\n", s->isolated ? s->isolated : "");
	put(&w, t.oom ? "" : t.p, SYS_CPU "/isolated");
	text_reset(&t);
	text_add(&t, "%s\n", s->nohz_full ? s->nohz_full : "");
	put(&w, t.oom ? "" : t.p, SYS_CPU "/nohz_full");
	for (unsigned cpu = 0; cpu < l.npus && w.rc == 0; cpu++)
		write_cpu(&w, &t, &l, cpu);
	if (!s->no_numa) {
		const char *nodes = l.nnodes > 1 ? all : "0\n";

		snprintf(all, sizeof(all), "0-%u\n", l.nnodes - 1);
		put(&w, nodes, SYS_NODE "/online");
		put(&w, nodes, SYS_NODE "/possible");
		put(&w, nodes, SYS_NODE "/has_cpu");
		put(&w, nodes, SYS_NODE "/has_memory");
		put(&w, nodes, SYS_NODE "/has_normal_memory");
		for (unsigned n = 0; n < l.nnodes && w.rc == 0; n++)
			write_node(&w, &t, &l, n, mem, free_kib);
	}
	write_pool(&w, "/sys/kernel/mm/hugepages", 2048, (uint64_t)s->hugepages_2m * l.nnodes,
		   true);
	write_pool(&w, "/sys/kernel/mm/hugepages", 1048576, (uint64_t)s->hugepages_1g * l.nnodes,
		   true);
	write_proc(&w, &t, &l, mem * l.nnodes, free_kib * l.nnodes);
	if (t.oom && w.rc == 0)
		w.rc = err_set(e, ENOMEM, "cannot build the tree for '%s'", dir);
	free(t.p);
	return w.rc;
}
