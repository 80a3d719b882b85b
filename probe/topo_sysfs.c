/* topo_sysfs.c - our own sysfs reader of CPUs and NUMA nodes: the fallback when
 * hwloc cannot read the tree, and the nodes we always read ourselves (topo.c).
 * No hwloc here: topo.c is the only file that includes it.
 */
#include "probe/probe_int.h"
#include "probe/strfmt.h"
#include "probe/topo_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- our own sysfs reader ---------------------------------------------------- */

/*
 * The L3 group of CPU @id as the key of its shared_cpu set; -1 when none.
 * The indexK directories are listed, not counted up to the first gap: a
 * pruned tree may lack index1 (the L1i) and still have index3.
 */
static int l3_key(const struct fsroot *r, unsigned id, const struct idset *online, long *key,
		  struct err *e)
{
	char cache[128];
	struct idset ks;

	*key = -1;
	snprintf(cache, sizeof(cache), SYS_CPU "/cpu%u/cache", id);
	if (topo_read_numbered_dir(r, cache, "index", &ks, e) < 0)
		return probe_soft(e) ? 0 : -1;
	for (int k = idset_next(&ks, 0); k >= 0; k = idset_next(&ks, (unsigned)k + 1)) {
		char dir[160], path[192];
		struct idset s;
		long level;
		bool known;

		snprintf(dir, sizeof(dir), "%s/index%d", cache, k);
		snprintf(path, sizeof(path), "%s/level", dir);
		if (topo_read_long_opt(r, path, &level, &known, e) < 0)
			return -1;
		if (!known || level != 3)
			continue;
		if (topo_read_set_either(r, dir, "shared_cpu_list", "shared_cpu_map", &s, &known,
					 e) < 0)
			return -1;
		if (known)
			*key = topo_set_key(&s, online, id);
		return 0;
	}
	return 0;
}

/* A small set of distinct values (package ids, package+die pairs). */
static unsigned count_distinct(long *vals, size_t n)
{
	unsigned distinct = 0;

	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		if (vals[i] < 0)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = vals[j] == vals[i];
		distinct += !seen;
	}
	return distinct;
}

/* Index of each key (a CPU id), in the order keys first appear; -1 for none. */
static void index_keys(const long *keys, int *index, size_t n, unsigned *count, int *out)
{
	for (size_t i = 0; i < n; i++) {
		if (keys[i] < 0) {
			out[i] = -1;
			continue;
		}
		if (index[keys[i]] < 0)
			index[keys[i]] = (int)(*count)++;
		out[i] = index[keys[i]];
	}
}

/* Per CPU: package, die, core (by thread siblings) and L3 group. */
int topo_sysfs_cpus(struct host *h, const struct fsroot *r, struct err *e)
{
	const struct idset *online = &h->topo.online;
	size_t n = idset_count(online), i = 0;
	long *pkg = NULL, *die = NULL, *core = NULL, *l3 = NULL;
	int *index = NULL, *out = NULL;
	unsigned npkg_neg = 0, ndie_known = 0, nl3 = 0, ncores = 0;
	int rc = -1;

	pkg = calloc(n, sizeof(*pkg));
	die = calloc(n, sizeof(*die));
	core = calloc(n, sizeof(*core));
	l3 = calloc(n, sizeof(*l3));
	out = calloc(n, sizeof(*out));
	index = malloc(IDSET_MAX * sizeof(*index));
	if (!pkg || !die || !core || !l3 || !out || !index) {
		err_set(e, ENOMEM, "cannot allocate %zu CPUs", n);
		goto done;
	}
	if (topo_alloc_cpus(h, n, e) < 0)
		goto done;
	for (int id = idset_next(online, 0); id >= 0;
	     id = idset_next(online, (unsigned)id + 1), i++) {
		char dir[FS_PATH_MAX], path[FS_PATH_MAX + 32];
		struct idset s;
		bool known;
		long v;

		h->cpus[i].id = (unsigned)id;
		snprintf(dir, sizeof(dir), SYS_CPU "/cpu%d/topology", id);
		snprintf(path, sizeof(path), "%s/physical_package_id", dir);
		if (topo_read_long_opt(r, path, &v, &known, e) < 0)
			goto done;
		pkg[i] = known && v >= 0 ? v : -1;
		npkg_neg += known && v < 0;
		snprintf(path, sizeof(path), "%s/die_id", dir);
		if (topo_read_long_opt(r, path, &v, &known, e) < 0)
			goto done;
		/* a package+die pair as one value: die ids are small */
		die[i] = known && v >= 0 && pkg[i] >= 0 ? pkg[i] * 65536 + v : -1;
		ndie_known += known;
		if (topo_read_set_either(r, dir, "thread_siblings_list", "thread_siblings", &s,
					 &known, e) < 0)
			goto done;
		core[i] = known ? (long)topo_set_key(&s, online, (unsigned)id) : -1;
		if (l3_key(r, (unsigned)id, online, &l3[i], e) < 0)
			goto done;
		h->cpus[i].package = (int)pkg[i];
	}

	for (size_t k = 0; k < IDSET_MAX; k++)
		index[k] = -1;
	index_keys(core, index, n, &ncores, out);
	for (i = 0; i < n; i++)
		h->cpus[i].core = h->cpus[i].smt = out[i];
	for (size_t k = 0; k < IDSET_MAX; k++)
		index[k] = -1;
	index_keys(l3, index, n, &nl3, out);
	for (i = 0; i < n; i++)
		h->cpus[i].l3 = out[i];

	h->topo.npus = (unsigned)n;
	h->topo.ncores = ncores;
	h->topo.nl3 = nl3;
	h->topo.npackages = count_distinct(pkg, n);
	if (h->topo.npackages == 0 && npkg_neg > 0)
		strfmt_set(h->topo.packages_why, sizeof(h->topo.packages_why),
			   "physical_package_id is -1 on %u CPUs "
			   "(firmware hides sockets, as in a POWER LPAR)",
			   npkg_neg);
	else if (h->topo.npackages == 0)
		strfmt_set(h->topo.packages_why, sizeof(h->topo.packages_why),
			   "no 'physical_package_id' in '%s" SYS_CPU "/cpuN/topology'", r->shown);
	h->topo.ndies = ndie_known ? count_distinct(die, n) : h->topo.npackages;
	rc = 0;
done:
	free(pkg);
	free(die);
	free(core);
	free(l3);
	free(out);
	free(index);
	return rc;
}

/*
 * The CPUs of node @id among @have: nodeN/cpulist, else nodeN/cpumap (older
 * kernels), else the nodeN/cpuM links (some captures have nothing else).
 */
static int sysfs_node_cpus(const struct fsroot *r, unsigned id, struct idset *cpus, struct err *e)
{
	char dir[FS_PATH_MAX];
	bool known;

	snprintf(dir, sizeof(dir), SYS_NODE "/node%u", id);
	if (topo_read_set_either(r, dir, "cpulist", "cpumap", cpus, &known, e) < 0)
		return -1;
	if (!known && topo_read_numbered_dir(r, dir, "cpu", cpus, e) < 0)
		return -1;
	return 0;
}

/*
 * The kernel takes the CPU-to-node map from the firmware's SRAT as it is: a
 * broken table makes every node claim the same CPUs (seen: 8 nodes each
 * listing 0-7 on a 2-socket host) or name CPUs that do not exist.  hwloc
 * notices the overlap and keeps one node; we keep the facts, say why they
 * cannot be right, and let the checks and the planner act on it.  @raw holds
 * each node's list as read, before it is cut to the CPUs we describe.
 */
static void check_numa(struct host *h, const struct idset *raw)
{
	struct idset claimed, twice, who, absent;
	char cpus[128], nodes[128];

	idset_clear(&claimed);
	idset_clear(&twice);
	idset_clear(&who);
	for (size_t i = 0; i < h->nnodes; i++) {
		struct idset dup = h->nodes[i].cpus;

		idset_and(&dup, &claimed);
		if (!idset_empty(&dup)) {
			idset_or(&twice, &dup);
			idset_add(&who, h->nodes[i].id);
			for (size_t j = 0; j < i; j++)
				if (idset_intersects(&h->nodes[j].cpus, &dup))
					idset_add(&who, h->nodes[j].id);
		}
		idset_or(&claimed, &h->nodes[i].cpus);
	}
	if (!idset_empty(&twice)) {
		idset_format(&who, nodes, sizeof(nodes));
		idset_format(&twice, cpus, sizeof(cpus));
		strfmt_set(h->topo.numa_inconsistent, sizeof(h->topo.numa_inconsistent),
			   "nodes %s claim the same CPUs %s", nodes, cpus);
		return;
	}
	/* Nodes list offline CPUs, and some kernels CPUs that are possible but
	 * not present (hotplug slots): only a CPU that cannot exist is wrong. */
	for (size_t i = 0; i < h->nnodes && !idset_empty(&h->topo.possible); i++) {
		absent = raw[i];
		idset_andnot(&absent, &h->topo.possible);
		if (idset_empty(&absent))
			continue;
		idset_format(&absent, cpus, sizeof(cpus));
		strfmt_set(h->topo.numa_inconsistent, sizeof(h->topo.numa_inconsistent),
			   "node %u lists CPUs %s, which cannot exist (cpu/possible is %s)",
			   h->nodes[i].id, cpus,
			   idset_format(&h->topo.possible, nodes, sizeof(nodes)));
		return;
	}
}

/* CPUs no node claimed may still carry a cpuM/nodeN link. */
static int sysfs_cpu_links(struct host *h, const struct fsroot *r, struct err *e)
{
	for (size_t i = 0; i < h->ncpus; i++) {
		char dir[FS_PATH_MAX];
		struct idset ids;
		int node_i, n;

		if (h->cpus[i].node >= 0)
			continue;
		snprintf(dir, sizeof(dir), SYS_CPU "/cpu%u", h->cpus[i].id);
		if (topo_read_numbered_dir(r, dir, "node", &ids, e) < 0)
			return -1;
		n = idset_next(&ids, 0);
		if (n < 0 || (node_i = host_node_index(h, (unsigned)n)) < 0)
			continue;
		idset_add(&h->nodes[node_i].cpus, h->cpus[i].id);
		h->cpus[i].node = n;
	}
	return 0;
}

static int sysfs_nodes(struct host *h, const struct fsroot *r, struct err *e)
{
	struct idset ids, cpus, *raw;
	size_t i = 0;

	/* the CPUs we describe: hwloc's PUs or our online ones */
	idset_clear(&cpus);
	for (size_t k = 0; k < h->ncpus; k++)
		idset_add(&cpus, h->cpus[k].id);
	if (topo_read_numbered_dir(r, SYS_NODE, "node", &ids, e) < 0)
		return -1; /* ENOENT handled by the caller */
	if (idset_empty(&ids))
		return err_set(e, ENOENT, "no NUMA node in '%s%s'", r->shown, SYS_NODE);
	raw = calloc(idset_count(&ids), sizeof(*raw));
	if (!raw || topo_alloc_nodes(h, idset_count(&ids), e) < 0) {
		free(raw);
		return raw ? -1 : err_set(e, ENOMEM, "cannot allocate %u nodes", idset_count(&ids));
	}
	for (int id = idset_next(&ids, 0); id >= 0; id = idset_next(&ids, (unsigned)id + 1), i++) {
		h->nodes[i].id = (unsigned)id;
		if (sysfs_node_cpus(r, (unsigned)id, &raw[i], e) < 0) {
			free(raw);
			return -1;
		}
		h->nodes[i].cpus = raw[i];
		idset_and(&h->nodes[i].cpus, &cpus);
	}
	check_numa(h, raw);
	free(raw);
	topo_assign_nodes(h);
	return sysfs_cpu_links(h, r, e);
}

/* The nodes and their CPUs (h->cpus filled). */
int topo_read_nodes(struct host *h, const struct fsroot *r, struct err *e)
{
	if (sysfs_nodes(h, r, e) == 0)
		return 0;
	if (e->sys != ENOENT || fs_exists(r, SYS_NODE))
		return -1;
	/* A kernel without CONFIG_NUMA: the whole machine is node 0. */
	strfmt_set(h->topo.nodes_why, sizeof(h->topo.nodes_why),
		   "no '%s%s' (a kernel without NUMA): node 0 holds every CPU", r->shown, SYS_NODE);
	if (topo_alloc_nodes(h, 1, e) < 0)
		return -1;
	for (size_t i = 0; i < h->ncpus; i++)
		idset_add(&h->nodes[0].cpus, h->cpus[i].id);
	topo_assign_nodes(h);
	return 0;
}

/*
 * Why hwloc refused the tree, as far as we can tell: hwloc 2.9 finds the
 * sysfs CPU topology by its hex masks and gives up when a tree has only the
 * *_list files (as libvirt's POWER8 capture does).
 */
void topo_why_hwloc_failed(struct host *h, const struct fsroot *r, int sys)
{
	static const char *const masks[] = {
	    "thread_siblings",
	    "core_siblings",
	    "core_cpus",
	    "package_cpus",
	};
	int first = idset_next(&h->topo.present, 0);
	const char *hint = ": no hex 'thread_siblings' or 'core_siblings' in its cpu topology";

	if (first < 0)
		first = idset_next(&h->topo.online, 0);
	for (size_t i = 0; i < ARRAY_LEN(masks); i++) {
		char path[128];

		snprintf(path, sizeof(path), SYS_CPU "/cpu%d/topology/%s", first, masks[i]);
		if (fs_exists(r, path))
			hint = "";
	}
	strfmt_set(h->topo.source_why, sizeof(h->topo.source_why), "hwloc rejected the tree (%s)%s",
		   sys ? strerror(sys) : "no reason given", hint);
}
