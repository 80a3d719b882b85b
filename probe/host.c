/* host.c - host_probe(): the snapshot, assembled from each part in turn */
#include "probe/host.h"
#include "probe/probe_int.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*probe_fn)(struct host *, const struct fsroot *, struct err *);

/* In order: the later parts read the CPUs and nodes that topo_probe() found. */
static const probe_fn parts[] = {
    topo_probe, node_probe, virt_probe, mem_probe, node_probe_no_numa, kern_probe, tlb_probe,
};

int host_probe(struct host *h, const struct fsroot *r, struct err *e)
{
	memset(h, 0, sizeof(*h));
	h->mem.swappiness = -1;
	snprintf(h->root, sizeof(h->root), "%s", r->live ? "" : r->dir);
	for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
		if (parts[i](h, r, e) < 0) {
			host_release(h);
			return -1;
		}
	}
	return 0;
}

void host_release(struct host *h)
{
	free(h->cpus);
	free(h->nodes);
	free(h->topo.distances);
	free(h->virt.nics);
	free(h->tlb.shootdown_cpus);
	free(h->tlb.shootdowns);
	for (size_t i = 0; i < h->nvms; i++) {
		free(h->vms[i].pins);
		free(h->vms[i].threads);
		free(h->vms[i].node_kib);
	}
	free(h->vms);
	memset(h, 0, sizeof(*h));
	h->mem.swappiness = -1;
}

const struct cpu *host_cpu(const struct host *h, unsigned id)
{
	size_t lo = 0, hi = h->ncpus;

	while (lo < hi) { /* h->cpus is sorted by id */
		size_t mid = (lo + hi) / 2;

		if (h->cpus[mid].id == id)
			return &h->cpus[mid];
		if (h->cpus[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int host_node_index(const struct host *h, unsigned id)
{
	for (size_t i = 0; i < h->nnodes; i++)
		if (h->nodes[i].id == id)
			return (int)i;
	return -1;
}

const struct node *host_node(const struct host *h, unsigned id)
{
	int i = host_node_index(h, id);

	return i < 0 ? NULL : &h->nodes[i];
}

struct idset host_siblings(const struct host *h, unsigned id)
{
	const struct cpu *c = host_cpu(h, id);
	struct idset s;

	idset_clear(&s);
	if (!c || c->smt < 0)
		return s;
	for (size_t i = 0; i < h->ncpus; i++)
		if (h->cpus[i].smt == c->smt)
			idset_add(&s, h->cpus[i].id);
	return s;
}

const char *tri_str(enum tri t)
{
	static const char *const names[] = {"unknown", "no", "yes"};

	return (unsigned)t < ARRAY_LEN(names) ? names[t] : "unknown";
}

const char *cgroup_ctrl_name(unsigned bit)
{
	static const char *const names[] = {"cpu",    "cpuacct", "cpuset",
					    "memory", "devices", "blkio"};

	static_assert(ARRAY_LEN(names) == CGROUP_NCTRLS, "one name per CGROUP_* bit");
	for (unsigned i = 0; i < ARRAY_LEN(names); i++)
		if (bit == 1u << i)
			return names[i];
	return "";
}

void probe_why(char *why, size_t size, const struct fsroot *r, const char *path,
	       const struct err *e)
{
	/* fs_read()'s "'X' is not a regular file" is ENOENT too, and says more than "no" */
	if (e->sys == ENOENT && !strstr(e->msg, "is not a regular file"))
		snprintf(why, size, "no '%s%s'", r->shown, path);
	else
		snprintf(why, size, "%s", e->msg);
}
