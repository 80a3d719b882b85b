/* topo.c - CPUs, NUMA nodes, cores, packages and L3 groups: hwloc first, sysfs where hwloc gives up
 *
 * The only file that includes <hwloc.h>.  hwloc is the authority on cores,
 * packages and caches; it reads another root only through HWLOC_FSROOT, so
 * the environment is set around hwloc_topology_load() and restored after it.
 * Where hwloc rejects a tree (hwloc 2.9 needs the hex thread_siblings or
 * core_siblings files), our own reader of the same sysfs files takes over and
 * says why.
 *
 * NUMA nodes, their CPUs and distances, and the cpu/{online,offline,present,
 * possible} sets are always read from sysfs: a hwloc NUMA node's cpuset is its
 * locality, not its members (a CPU-less GPU-memory node has its neighbours'
 * CPUs, or all of them), while nodeN/cpulist is the kernel's cpu_to_node().
 *
 * Not thread-safe: the HWLOC_* variables are set for the duration of the
 * load, so nothing else may read or change the environment meanwhile.
 */
#include "probe/probe_int.h"
#include "probe/strfmt.h"
#include "probe/topo_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hwloc.h>

/*
 * What hwloc 2.9 reads from the environment at load time, and what we need
 * there.  A NULL value unsets the variable.
 */
static const struct {
	const char *name;
	const char *value;
	const char *cpuid_value; /* non-NULL: instead of @value when CPUID is read */
	bool fsroot;		 /* the root's directory instead of @value, unless live */
} hwloc_env[] = {
    {"HWLOC_FSROOT", NULL, NULL, true},
    /* Only the Linux backend: the x86 one would add this machine's CPUID
     * to another machine's tree, and on the live host it binds to every CPU
     * in turn, which costs time for nothing we use while sysfs lists the
     * caches.  A kernel that exports no caches (cacheinfo is empty in some
     * VMs) leaves the x86 backend as lstopo's only source of L3: then, on
     * the live host only, it runs as it does for lstopo. */
    {"HWLOC_COMPONENTS", "linux,stop", "linux,x86,stop", false},
    /* hwloc prints its errors to stderr; we report them ourselves. */
    {"HWLOC_HIDE_ERRORS", "2", NULL, false},
    /* We read the nodes and their distances ourselves. */
    {"HWLOC_USE_NUMA_DISTANCES", "0", NULL, false},
    /* Debian's hwloc dlopen()s all its plugins (pci, opencl, gl, xml_libxml
     * with libicu) at init: 2 ms of a 5 ms run, for components we filter out
     * anyway.  An empty search path loads none (HWLOC_PLUGINS_BLACKLIST is
     * checked only after the dlopen). */
    {"HWLOC_PLUGINS_PATH", "", NULL, false},
    /* A user's setting must not replace the tree we were asked to read. */
    {"HWLOC_XMLFILE", NULL, NULL, false},
    {"HWLOC_SYNTHETIC", NULL, NULL, false},
    {"HWLOC_ALLOW", NULL, NULL, false},
    {"HWLOC_THISSYSTEM", NULL, NULL, false},
};

struct env_saved {
	char *old[ARRAY_LEN(hwloc_env)];
	bool had[ARRAY_LEN(hwloc_env)];
};

static void env_pop(struct env_saved *s)
{
	for (size_t i = 0; i < ARRAY_LEN(hwloc_env); i++) {
		if (s->had[i])
			setenv(hwloc_env[i].name, s->old[i], 1);
		else
			unsetenv(hwloc_env[i].name);
		free(s->old[i]);
		s->old[i] = NULL;
		s->had[i] = false;
	}
}

static int env_push(struct env_saved *s, const struct fsroot *r, bool cpuid, struct err *e)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < ARRAY_LEN(hwloc_env); i++) {
		const char *old = getenv(hwloc_env[i].name);

		if (old) {
			s->old[i] = strdup(old);
			if (!s->old[i]) {
				/* nothing was changed yet: just forget what was saved */
				for (size_t j = 0; j < i; j++)
					free(s->old[j]);
				return err_set(e, ENOMEM, "cannot save '%s'", hwloc_env[i].name);
			}
			s->had[i] = true;
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(hwloc_env); i++) {
		const char *v = hwloc_env[i].value;
		int rc;

		if (cpuid && hwloc_env[i].cpuid_value)
			v = hwloc_env[i].cpuid_value;
		if (hwloc_env[i].fsroot && !r->live)
			v = r->dir;
		rc = v ? setenv(hwloc_env[i].name, v, 1) : unsetenv(hwloc_env[i].name);
		if (rc < 0) {
			int sys = errno;

			env_pop(s);
			return err_set(e, sys, "cannot set '%s'", hwloc_env[i].name);
		}
	}
	return 0;
}

/* "cpu12" -> 12; false for "cpufreq", "cpu", "cpu1x" */
static bool parse_numbered(const char *name, const char *prefix, unsigned *id)
{
	size_t len = strlen(prefix);
	unsigned long v;
	char *end;

	if (strncmp(name, prefix, len) != 0 || !isdigit((unsigned char)name[len]))
		return false;
	errno = 0;
	v = strtoul(name + len, &end, 10);
	if (*end != '\0' || errno != 0 || v >= IDSET_MAX)
		return false;
	*id = (unsigned)v;
	return true;
}

/* The ids of the entries "<prefix>N" of directory @path.  ENOENT is left to the caller. */
int topo_read_numbered_dir(const struct fsroot *r, const char *path, const char *prefix,
			   struct idset *ids, struct err *e)
{
	struct dirent *d;
	DIR *dir;

	idset_clear(ids);
	dir = fs_opendir(r, path, e);
	if (!dir)
		return -1;
	errno = 0;
	while ((d = readdir(dir)) != NULL) {
		unsigned id;

		if (parse_numbered(d->d_name, prefix, &id))
			idset_add(ids, id);
		errno = 0;
	}
	if (errno != 0) {
		int sys = errno;

		closedir(dir);
		return err_set(e, sys, "cannot read directory '%s%s'", r->shown, path);
	}
	closedir(dir);
	return 0;
}

/* Reads an id set that may be absent: 0 with *known false when it is. */
static int read_set_opt(const struct fsroot *r, const char *path, bool mask, struct idset *s,
			bool *known, struct err *e)
{
	int rc = mask ? fs_read_mask(r, path, s, e) : fs_read_idset(r, path, s, e);

	/* absent or unreadable: unknown, and the callers fall back */
	*known = rc == 0;
	if (rc < 0 && !probe_soft(e))
		return -1;
	return 0;
}

/* The list form "@dir/@name_list", else the mask form "@dir/@name_mask". */
int topo_read_set_either(const struct fsroot *r, const char *dir, const char *name_list,
			 const char *name_mask, struct idset *s, bool *known, struct err *e)
{
	char path[FS_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name_list);
	if (read_set_opt(r, path, false, s, known, e) < 0)
		return -1;
	if (*known)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name_mask);
	return read_set_opt(r, path, true, s, known, e);
}

int topo_read_long_opt(const struct fsroot *r, const char *path, long *v, bool *known,
		       struct err *e)
{
	*known = fs_read_int(r, path, v, e) == 0;
	if (!*known && !probe_soft(e))
		return -1;
	return 0;
}

/*
 * cpu/{online,present,possible,offline}.  Old kernels and some captures lack
 * them: the cpuN directories are then the present CPUs, and a cpuN whose
 * "online" file is absent (cpu0 on x86 cannot be unplugged) or not "0" is
 * online.  "offline" is the kernel's: possible but not online, so it may list
 * CPUs that were never present (cpu/offline 32-111 on a 32-CPU Xeon).
 */
/* @damaged: why cpu/online is there but unusable, "" when it is fine or absent */
static int read_cpu_sets(struct topo *t, const struct fsroot *r, char *damaged, size_t size,
			 struct err *e)
{
	bool online_known, present_known, possible_known, offline_known;
	struct idset dirs;

	damaged[0] = '\0';
	if (read_set_opt(r, SYS_CPU "/online", false, &t->online, &online_known, e) < 0)
		return -1;
	if (!online_known && e->sys != ENOENT)
		strfmt_set(damaged, size, "%s", e->msg);
	else if (online_known && idset_empty(&t->online))
		strfmt_set(damaged, size, "'%s" SYS_CPU "/online' is empty", r->shown);
	if (read_set_opt(r, SYS_CPU "/present", false, &t->present, &present_known, e) < 0)
		return -1;
	if (!present_known)
		probe_why(t->present_why, sizeof(t->present_why), r, SYS_CPU "/present", e);
	if (read_set_opt(r, SYS_CPU "/possible", false, &t->possible, &possible_known, e) < 0)
		return -1;
	if (!possible_known)
		probe_why(t->possible_why, sizeof(t->possible_why), r, SYS_CPU "/possible", e);
	else if (idset_empty(&t->possible))
		strfmt_set(t->possible_why, sizeof(t->possible_why),
			   "'%s" SYS_CPU "/possible' is empty", r->shown);
	if (read_set_opt(r, SYS_CPU "/offline", false, &t->offline, &offline_known, e) < 0)
		return -1;
	/* a running kernel has an online CPU: an empty list is a damaged file */
	online_known = online_known && !idset_empty(&t->online);
	if (!online_known || !present_known) {
		if (topo_read_numbered_dir(r, SYS_CPU, "cpu", &dirs, e) < 0) {
			if (e->sys == ENOENT)
				return err_set(e, ENOENT, "no CPUs: no '%s%s'", r->shown, SYS_CPU);
			return -1;
		}
		if (!present_known)
			t->present = dirs;
	}
	if (!online_known) {
		idset_clear(&t->online);
		for (int id = idset_next(&dirs, 0); id >= 0;
		     id = idset_next(&dirs, (unsigned)id + 1)) {
			char path[FS_PATH_MAX];
			long v;
			bool known;

			snprintf(path, sizeof(path), SYS_CPU "/cpu%d/online", id);
			if (topo_read_long_opt(r, path, &v, &known, e) < 0)
				return -1;
			/* absent (cpu0 of x86), empty or odd: online, as its
			 * directory says the CPU is there */
			if (!known || v != 0)
				idset_add(&t->online, (unsigned)id);
		}
	}
	if (!offline_known) {
		t->offline = idset_empty(&t->possible) ? t->present : t->possible;
		idset_andnot(&t->offline, &t->online);
	}
	if (!idset_empty(&t->present))
		t->present_why[0] = '\0'; /* the cpuN directories stood in */
	if (idset_empty(&t->online))
		return err_set(e, ENOENT, "no online CPU in '%s%s'", r->shown, SYS_CPU);
	return 0;
}

static int cmp_cpu(const void *a, const void *b)
{
	const struct cpu *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static struct cpu *find_cpu(struct host *h, unsigned id)
{
	struct cpu key = {.id = id};

	return bsearch(&key, h->cpus, h->ncpus, sizeof(*h->cpus), cmp_cpu);
}

/* Sets cpu.node for the CPUs of every node (h->cpus sorted, h->nodes filled). */
void topo_assign_nodes(struct host *h)
{
	for (size_t i = 0; i < h->nnodes; i++) {
		const struct idset *s = &h->nodes[i].cpus;

		for (int id = idset_next(s, 0); id >= 0; id = idset_next(s, (unsigned)id + 1)) {
			struct cpu *c = find_cpu(h, (unsigned)id);

			if (c && c->node < 0)
				c->node = (int)h->nodes[i].id;
		}
	}
}

int topo_alloc_cpus(struct host *h, size_t n, struct err *e)
{
	h->cpus = calloc(n ? n : 1, sizeof(*h->cpus));
	if (!h->cpus)
		return err_set(e, ENOMEM, "cannot allocate %zu CPUs", n);
	h->ncpus = n;
	for (size_t i = 0; i < n; i++) {
		h->cpus[i].node = -1;
		h->cpus[i].package = -1;
		h->cpus[i].core = -1;
		h->cpus[i].smt = -1;
		h->cpus[i].l3 = -1;
	}
	return 0;
}

int topo_alloc_nodes(struct host *h, size_t n, struct err *e)
{
	h->nodes = calloc(n ? n : 1, sizeof(*h->nodes));
	if (!h->nodes)
		return err_set(e, ENOMEM, "cannot allocate %zu nodes", n);
	h->nnodes = n;
	return 0;
}

/* ---- hwloc ---------------------------------------------------------------- */

static void bitmap_to_idset(hwloc_const_bitmap_t b, struct idset *s)
{
	idset_clear(s);
	for (int i = hwloc_bitmap_first(b); i >= 0; i = hwloc_bitmap_next(b, i))
		idset_add(s, (unsigned)i);
}

/*
 * Loads only what we use: PUs, cores, dies, packages, L3, NUMA nodes.
 * Returns 0, 1 when hwloc rejects the tree (*sys says how), or -1 on error.
 */
static int hwloc_load(hwloc_topology_t *out, const struct fsroot *r, bool cpuid, int *sys,
		      struct err *e)
{
	struct env_saved env;
	hwloc_topology_t t;
	int rc;

	/* Before the init: hwloc reads its plugin path there, the rest at load. */
	if (env_push(&env, r, cpuid, e) < 0)
		return -1;
	if (hwloc_topology_init(&t) < 0) {
		env_pop(&env);
		return err_set(e, errno ? errno : ENOMEM, "cannot initialize hwloc");
	}
	/* The whole host, not the cpuset this process happens to run in. */
	hwloc_topology_set_flags(t, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
	hwloc_topology_set_io_types_filter(t, HWLOC_TYPE_FILTER_KEEP_NONE);
	hwloc_topology_set_cache_types_filter(t, HWLOC_TYPE_FILTER_KEEP_NONE);
	hwloc_topology_set_icache_types_filter(t, HWLOC_TYPE_FILTER_KEEP_NONE);
	hwloc_topology_set_type_filter(t, HWLOC_OBJ_L3CACHE, HWLOC_TYPE_FILTER_KEEP_ALL);
	hwloc_topology_set_type_filter(t, HWLOC_OBJ_GROUP, HWLOC_TYPE_FILTER_KEEP_NONE);
	hwloc_topology_set_type_filter(t, HWLOC_OBJ_MISC, HWLOC_TYPE_FILTER_KEEP_NONE);
	hwloc_topology_set_type_filter(t, HWLOC_OBJ_MEMCACHE, HWLOC_TYPE_FILTER_KEEP_NONE);
	errno = 0;
	rc = hwloc_topology_load(t);
	*sys = errno;
	env_pop(&env);
	if (rc < 0) {
		hwloc_topology_destroy(t);
		return 1; /* not an error: the caller falls back to sysfs */
	}
	*out = t;
	return 0;
}

/*
 * The lowest online CPU of @s, the key of a core or an L3 group (sysfs lists
 * the same set in every member's file), or @self when @s has none online.
 */
unsigned topo_set_key(struct idset *s, const struct idset *online, unsigned self)
{
	int first;

	idset_and(s, online);
	first = idset_next(s, 0);
	return first < 0 ? self : (unsigned)first;
}

/*
 * cpu.smt from every online CPU's thread_siblings: the lowest online sibling
 * is the key, numbered in CPU order.  A CPU without the file is its own unit.
 */
static int smt_from_sysfs(struct host *h, const struct fsroot *r, struct err *e)
{
	int *index = malloc(IDSET_MAX * sizeof(*index));
	unsigned count = 0;

	if (!index)
		return err_set(e, ENOMEM, "cannot allocate %zu CPUs", h->ncpus);
	for (size_t k = 0; k < IDSET_MAX; k++)
		index[k] = -1;
	for (size_t i = 0; i < h->ncpus; i++) {
		struct cpu *c = &h->cpus[i];
		char dir[FS_PATH_MAX];
		struct idset sib;
		unsigned key = c->id;
		bool known;

		snprintf(dir, sizeof(dir), SYS_CPU "/cpu%u/topology", c->id);
		if (topo_read_set_either(r, dir, "thread_siblings_list", "thread_siblings", &sib,
					 &known, e) < 0) {
			free(index);
			return -1;
		}
		if (known)
			key = topo_set_key(&sib, &h->topo.online, c->id);
		if (index[key] < 0)
			index[key] = (int)count++;
		c->smt = index[key];
	}
	free(index);
	return 0;
}

/*
 * AMD Bulldozer modules: the kernel lists the two cores of a module as SMT
 * siblings (thread_siblings_list 0-1) while hwloc, like AMD, counts them as
 * two cores.  hwloc's count stands (lstopo agrees); the SMT unit is the
 * kernel's, since the two share a front end and an FPU, and libvirt and Nova
 * treat them as siblings: a VM that owns "whole cores" must own the module.
 */
static int note_module_cores(struct host *h, hwloc_topology_t t, const struct fsroot *r,
			     struct err *e)
{
	const struct cpu *first = &h->cpus[0];
	hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(t, first->id);
	hwloc_obj_t core = pu ? hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_CORE, pu) : NULL;
	char dir[FS_PATH_MAX];
	struct idset sys, hw;
	bool known;
	char list[64];

	if (!core)
		return 0;
	snprintf(dir, sizeof(dir), SYS_CPU "/cpu%u/topology", first->id);
	if (topo_read_set_either(r, dir, "thread_siblings_list", "thread_siblings", &sys, &known,
				 e) < 0)
		return -1;
	if (!known)
		return 0;
	idset_and(&sys, &h->topo.online);
	bitmap_to_idset(core->cpuset, &hw);
	if (idset_subset(&sys, &hw))
		return 0;
	idset_format(&sys, list, sizeof(list));
	strfmt_set(h->topo.cores_note, sizeof(h->topo.cores_note),
		   "sysfs lists cpu%u's SMT siblings as %s but hwloc counts each as a core "
		   "(AMD compute-unit modules): %u cores; SMT policies treat a module as one core",
		   first->id, list, h->topo.ncores);
	return smt_from_sysfs(h, r, e);
}

/*
 * hwloc found no package with a kernel id: say what the kernel reports, and
 * where hwloc's own packages come from.  With physical_package_id -1 (POWER
 * LPARs, s390) hwloc groups CPUs by the device tree's cpus nodes where there
 * is one (PowerPC), else by the package_cpus / core_siblings masks.
 */
static int why_no_packages(struct host *h, const struct fsroot *r, int npkg, struct err *e)
{
	char path[FS_PATH_MAX], from[96] = "";
	long v;
	bool known;

	snprintf(path, sizeof(path), SYS_CPU "/cpu%u/topology/physical_package_id", h->cpus[0].id);
	if (topo_read_long_opt(r, path, &v, &known, e) < 0)
		return -1;
	if (npkg > 0)
		snprintf(from, sizeof(from), "; hwloc's %d package%s come%s from %s", npkg,
			 npkg == 1 ? "" : "s", npkg == 1 ? "s" : "",
			 fs_exists(r, "/proc/device-tree/cpus") ||
				 fs_exists(r, "/sys/firmware/devicetree/base/cpus")
			     ? "the device tree"
			     : "the CPU topology masks");
	if (!known)
		strfmt_set(h->topo.packages_why, sizeof(h->topo.packages_why),
			   "no 'physical_package_id' in 'cpu%u/topology'%s", h->cpus[0].id, from);
	else if (v < 0)
		strfmt_set(h->topo.packages_why, sizeof(h->topo.packages_why),
			   "physical_package_id is %ld (firmware hides sockets, as in a POWER LPAR "
			   "or on s390)%s",
			   v, from);
	else
		strfmt_set(h->topo.packages_why, sizeof(h->topo.packages_why),
			   "physical_package_id is %ld, but hwloc found %s", v,
			   npkg > 0 ? "packages without it" : "no package (no package_cpus mask)");
	return 0;
}

static int from_hwloc(struct host *h, hwloc_topology_t t, const struct fsroot *r, struct err *e)
{
	int npu = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
	int npkg = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE);
	int ndie = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_DIE);
	bool pkg_ids = true;
	unsigned nl3 = 0;

	if (npu <= 0)
		return err_set(e, ENOENT, "hwloc found no CPU in '%s'", r->live ? "/" : r->shown);
	if (topo_alloc_cpus(h, (size_t)npu, e) < 0)
		return -1;
	for (int i = 0; i < npu; i++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, (unsigned)i);
		hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_CORE, pu);
		hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_PACKAGE, pu);
		hwloc_obj_t l3 = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_L3CACHE, pu);
		struct cpu *c = &h->cpus[i];

		c->id = pu->os_index;
		c->core = core ? (int)core->logical_index : -1;
		c->smt = c->core; /* unless AMD modules: note_module_cores() */
		if (pkg && pkg->os_index != HWLOC_UNKNOWN_INDEX)
			c->package = (int)pkg->os_index;
		else
			pkg_ids = false;
		/* L3 may sit at several depths (hybrid parts): number them ourselves. */
		if (l3) {
			if (!l3->userdata)
				l3->userdata = (void *)(uintptr_t)++nl3;
			c->l3 = (int)(uintptr_t)l3->userdata - 1;
		}
	}
	qsort(h->cpus, h->ncpus, sizeof(*h->cpus), cmp_cpu);

	snprintf(h->topo.source, sizeof(h->topo.source), "hwloc");
	h->topo.npus = (unsigned)npu;
	h->topo.ncores = (unsigned)hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
	h->topo.nl3 = nl3;
	if (npkg > 0 && pkg_ids) {
		h->topo.npackages = (unsigned)npkg;
	} else if (npkg > 0) {
		for (size_t i = 0; i < h->ncpus; i++)
			h->cpus[i].package = -1;
		if (why_no_packages(h, r, npkg, e) < 0)
			return -1;
	} else if (why_no_packages(h, r, 0, e) < 0) {
		return -1;
	}
	/* hwloc makes Die objects only where a package has several dies. */
	h->topo.ndies = ndie > 0 ? (unsigned)ndie : h->topo.npackages;
	return note_module_cores(h, t, r, e);
}

/* ---- distances ----------------------------------------------------------- */

/*
 * nodeN/distance is one row of the SLIT: a distance to every online node in
 * id order (the kernel walks for_each_online_node), so its columns are
 * h->nodes when the node directories are the online nodes.
 */
/* Parses one distance row into @row (at most @max values); -1 on garbage. */
static int parse_row(const char *buf, uint32_t *row, size_t max, size_t *count)
{
	const char *p = buf;

	*count = 0;
	for (;;) {
		unsigned long v;
		char *end;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			return 0;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (!isdigit((unsigned char)*p) || errno != 0 || v > UINT32_MAX ||
		    (*end != '\0' && *end != ' ' && *end != '\t'))
			return -1;
		if (*count < max)
			row[*count] = (uint32_t)v;
		(*count)++;
		p = end;
	}
}

static int read_distances(struct host *h, const struct fsroot *r, struct err *e)
{
	size_t n = h->nnodes;
	uint32_t *d = calloc(n * n, sizeof(*d));

	if (!d)
		return err_set(e, ENOMEM, "cannot allocate %zu distances", n * n);
	for (size_t i = 0; i < n; i++) {
		char path[FS_PATH_MAX], buf[4096];
		size_t count;

		snprintf(path, sizeof(path), SYS_NODE "/node%u/distance", h->nodes[i].id);
		if (fs_read(r, path, buf, sizeof(buf), e) < 0) {
			free(d);
			if (!probe_soft(e))
				return -1;
			if (!fs_exists(r, SYS_NODE))
				strfmt_set(h->topo.distances_why, sizeof(h->topo.distances_why),
					   "no NUMA in the kernel (no '%s%s')", r->shown, SYS_NODE);
			else
				probe_why(h->topo.distances_why, sizeof(h->topo.distances_why), r,
					  path, e);
			return 0;
		}
		if (parse_row(buf, d + i * n, n, &count) < 0) {
			free(d);
			strfmt_set(h->topo.distances_why, sizeof(h->topo.distances_why),
				   "invalid distances '%.64s' in 'node%u/distance'", buf,
				   h->nodes[i].id);
			return 0;
		}
		if (count != n) {
			free(d);
			strfmt_set(h->topo.distances_why, sizeof(h->topo.distances_why),
				   "'node%u/distance' has %zu values for %zu nodes", h->nodes[i].id,
				   count, n);
			return 0;
		}
	}
	h->topo.distances = d;
	return 0;
}

/* ---- topo_probe ----------------------------------------------------------- */

static void topo_clear(struct host *h)
{
	char arch[sizeof(h->topo.arch)], vendor[sizeof(h->topo.vendor)];
	char model[sizeof(h->topo.model)];

	free(h->cpus);
	free(h->nodes);
	free(h->topo.distances);
	h->cpus = NULL;
	h->nodes = NULL;
	h->ncpus = h->nnodes = 0;
	/* arch, vendor and model belong to the cpuinfo reader */
	memcpy(arch, h->topo.arch, sizeof(arch));
	memcpy(vendor, h->topo.vendor, sizeof(vendor));
	memcpy(model, h->topo.model, sizeof(model));
	memset(&h->topo, 0, sizeof(h->topo));
	memcpy(h->topo.arch, arch, sizeof(arch));
	memcpy(h->topo.vendor, vendor, sizeof(vendor));
	memcpy(h->topo.model, model, sizeof(model));
}

/*
 * Whether the kernel lists CPU caches: cpuN/cache/indexK of the first online
 * CPU.  x86 fills cacheinfo from CPUID leaf 4 (Intel) or 0x8000001D (AMD);
 * a hypervisor that hides those leaves leaves every cpuN/cache empty or
 * absent, all CPUs alike, so one CPU answers for the host.
 */
static int caches_exported(const struct fsroot *r, const struct idset *online, bool *yes,
			   struct err *e)
{
	int first = idset_next(online, 0);
	char path[64];
	struct idset ks;

	*yes = false;
	if (first < 0)
		return 0;
	snprintf(path, sizeof(path), SYS_CPU "/cpu%d/cache", first);
	if (topo_read_numbered_dir(r, path, "index", &ks, e) < 0)
		return probe_soft(e) ? 0 : -1;
	*yes = !idset_empty(&ks);
	return 0;
}

/*
 * Says where the L3 groups came from, or why they are unknown.  @cpuid: hwloc
 * ran its x86 backend because the kernel exports no caches.
 */
static void why_l3(struct host *h, const struct fsroot *r, bool caches, bool cpuid)
{
	struct topo *t = &h->topo;

	if (t->nl3 && cpuid)
		strfmt_set(t->source_why, sizeof(t->source_why),
			   "L3 from CPUID: the kernel exports no caches");
	else if (t->nl3)
		return;
	else if (caches)
		strfmt_set(t->l3_why, sizeof(t->l3_why),
			   "no level 3 cache in '%s" SYS_CPU "/cpuN/cache'", r->shown);
	else if (cpuid)
		strfmt_set(t->l3_why, sizeof(t->l3_why),
			   "the kernel exports no caches and CPUID reports no L3");
	else if (r->live)
		strfmt_set(t->l3_why, sizeof(t->l3_why),
			   "the kernel exports no caches ('" SYS_CPU
			   "/cpuN/cache' is empty) and hwloc could not read this host");
	else
		strfmt_set(t->l3_why, sizeof(t->l3_why),
			   "the kernel exports no caches (the tree has no 'cpuN/cache'); "
			   "CPUID is not read for a tree under --root");
}

/*
 * hwloc reads another root with plain openat() (HWLOC_FSROOT): a FIFO in a
 * capture would block it for good, and a link out of the capture would feed it
 * this host's files.  Such a tree is left to our own reader, which resolves
 * beneath the root and refuses what is not a regular file.
 */
static bool hwloc_unsafe(struct host *h, const struct fsroot *r)
{
	static const char *const read_by_hwloc[] = {"/proc", "/sys"};
	/* the files hwloc reads whole, without a cap of its own */
	static const char *const whole[] = {"/proc/cpuinfo", "/proc/meminfo"};
	char bad[sizeof(h->topo.source_why)];
	struct err e = ERR_INIT;
	struct stat st;

	if (r->live)
		return false;
	for (size_t i = 0; i < ARRAY_LEN(whole); i++)
		if (fs_stat(r, whole[i], &st, &e) == 0 && st.st_size > (off_t)FS_MAX_PERCPU) {
			strfmt_set(h->topo.source_why, sizeof(h->topo.source_why),
				   "hwloc not used: '%s%s' is larger than %u MiB", r->shown,
				   whole[i], FS_MAX_PERCPU >> 20);
			return true;
		}
	if (fs_check_tree(r, read_by_hwloc, ARRAY_LEN(read_by_hwloc), bad, sizeof(bad)) == 0)
		return false;
	strfmt_set(h->topo.source_why, sizeof(h->topo.source_why), "hwloc not used: %s", bad);
	return true;
}

/* A count the topology source did not give says so (after why_l3(), whose
 * reason for L3 is more precise). */
static void why_counts(struct topo *t)
{
	struct {
		unsigned n;
		char *why;
	} c[] = {
	    {t->npackages, t->packages_why}, {t->ndies, t->dies_why}, {t->ncores, t->cores_why},
	    {t->npus, t->pus_why},	     {t->nl3, t->l3_why},
	};

	for (size_t i = 0; i < ARRAY_LEN(c); i++)
		if (c[i].n == 0 && c[i].why[0] == '\0')
			strfmt_set(c[i].why, HOST_WHY_MAX, "not reported by the %s topology",
				   t->source);
}

int topo_probe(struct host *h, const struct fsroot *r, struct err *e)
{
	hwloc_topology_t t = NULL;
	char damaged[HOST_WHY_MAX];
	bool caches, cpuid;
	int rc, sys = 0;

	if (read_cpu_sets(&h->topo, r, damaged, sizeof(damaged), e) < 0 ||
	    caches_exported(r, &h->topo.online, &caches, e) < 0)
		goto fail;
	/* hwloc would take a damaged cpu/online as it reads ("0-x" as CPU 0) */
	if (damaged[0])
		strfmt_set(h->topo.source_why, sizeof(h->topo.source_why),
			   "hwloc not used: %s; the online CPUs come from the cpuN directories",
			   damaged);
	cpuid = r->live && !caches;
	rc = damaged[0] || hwloc_unsafe(h, r) ? 1 : hwloc_load(&t, r, cpuid, &sys, e);
	if (rc < 0)
		goto fail;
	if (rc == 0) {
		rc = from_hwloc(h, t, r, e);
		hwloc_topology_destroy(t);
		if (rc < 0)
			goto fail;
	} else {
		cpuid = false;
		if (h->topo.source_why[0] == '\0')
			topo_why_hwloc_failed(h, r, sys);
		snprintf(h->topo.source, sizeof(h->topo.source), "sysfs");
		if (topo_sysfs_cpus(h, r, e) < 0)
			goto fail;
	}
	why_l3(h, r, caches, cpuid);
	why_counts(&h->topo);
	if (topo_read_nodes(h, r, e) < 0 || read_distances(h, r, e) < 0)
		goto fail;
	return 0;
fail:
	topo_clear(h);
	return -1;
}
