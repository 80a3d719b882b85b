/* hostlit.c - host literals: a struct host built in memory, no files */
#include "tests/hostlit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hostlit_default(struct hostlit_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->nnodes = 1;
	s->cores_per_node = 4;
	s->threads_per_core = 2;
	s->numbering = HOSTLIT_SPLIT;
}

static int cmp_cpu(const void *a, const void *b)
{
	unsigned x = ((const struct cpu *)a)->id, y = ((const struct cpu *)b)->id;

	return x < y ? -1 : x > y;
}

static void pool(struct hugepool *p, uint64_t size, uint64_t total, uint64_t free)
{
	p->size_kib = size;
	p->total = total;
	p->free = free;
}

int hostlit_build(struct host *h, const struct hostlit_spec *s, struct err *e)
{
	unsigned npp = s->nodes_per_package ? s->nodes_per_package : 1;
	unsigned l3 = s->l3_per_node ? s->l3_per_node : 1;
	unsigned ncores = s->nnodes * s->cores_per_node, t = s->threads_per_core;
	unsigned near = s->distance_near ? s->distance_near : 21;
	unsigned far = s->distance_far ? s->distance_far : near;
	uint64_t mem = s->mem_per_node_kib ? s->mem_per_node_kib : UINT64_C(64) << 20;
	size_t nn = s->nnodes;

	memset(h, 0, sizeof(*h));
	h->mem.swappiness = -1;
	if (nn == 0 || s->cores_per_node == 0 || t == 0 || ncores * t > IDSET_MAX)
		return err_set(e, EINVAL, "bad host literal");
	h->ncpus = (size_t)ncores * t;
	h->nnodes = nn;
	h->cpus = calloc(h->ncpus, sizeof(*h->cpus));
	h->nodes = calloc(nn, sizeof(*h->nodes));
	h->topo.distances = s->no_distances ? NULL : calloc(nn * nn, sizeof(uint32_t));
	if (!h->cpus || !h->nodes || (!s->no_distances && !h->topo.distances)) {
		host_release(h);
		return err_set(e, ENOMEM, "cannot build a host literal");
	}
	for (unsigned g = 0; g < ncores; g++) {
		unsigned node = g / s->cores_per_node, in = g % s->cores_per_node;

		for (unsigned k = 0; k < t; k++) {
			struct cpu *c = &h->cpus[(size_t)g * t + k];

			c->id = s->numbering == HOSTLIT_SPLIT ? g + k * ncores : g * t + k;
			c->node = (int)node;
			c->package = (int)(node / npp);
			c->core = (int)g;
			c->smt = (int)g;
			c->l3 = (int)(node * l3 + in * l3 / s->cores_per_node);
			snprintf(c->governor, sizeof(c->governor), "%s",
				 s->governor ? s->governor : "");
			idset_add(&h->nodes[node].cpus, c->id);
			idset_add(&h->topo.online, c->id);
		}
	}
	qsort(h->cpus, h->ncpus, sizeof(*h->cpus), cmp_cpu);
	for (size_t n = 0; n < nn; n++) {
		struct node *nd = &h->nodes[n];

		nd->id = (unsigned)n;
		nd->mem_known = true;
		nd->mem_total_kib = mem;
		nd->mem_free_kib = mem / 4 * 3;
		pool(&nd->pools[nd->npools++], 2048, s->hp2m_total, s->hp2m_free);
		if (!s->no_1g_pool)
			pool(&nd->pools[nd->npools++], 1048576, s->hp1g_total, s->hp1g_free);
		for (size_t m = 0; m < nn && h->topo.distances; m++)
			h->topo.distances[n * nn + m] = n == m		     ? 10
							: n / npp == m / npp ? near
									     : far;
	}
	if (s->no_distances)
		snprintf(h->topo.distances_why, sizeof(h->topo.distances_why),
			 "no distance files in this host literal");
	snprintf(h->topo.source, sizeof(h->topo.source), "hostlit");
	h->topo.npackages = (s->nnodes + npp - 1) / npp;
	h->topo.ncores = ncores;
	h->topo.npus = ncores * t;
	h->topo.nl3 = s->nnodes * l3;
	h->topo.present = h->topo.online;
	h->topo.possible = h->topo.online;
	snprintf(h->topo.arch, sizeof(h->topo.arch), "x86_64");
	h->mem.meminfo_known = true;
	h->mem.total_kib = mem * nn;
	h->mem.default_hugepage_kib = 2048;
	pool(&h->mem.pools[h->mem.npools++], 2048, s->hp2m_total * nn, s->hp2m_free * nn);
	if (!s->no_1g_pool)
		pool(&h->mem.pools[h->mem.npools++], 1048576, s->hp1g_total * nn,
		     s->hp1g_free * nn);
	snprintf(h->mem.thp, sizeof(h->mem.thp), "madvise");
	h->mem.ksm = TRI_NO;
	h->mem.numa_balancing = TRI_YES;
	h->mem.swappiness = 60;
	snprintf(h->kern.cmdline, sizeof(h->kern.cmdline), "BOOT_IMAGE=/vmlinuz root=/dev/sda1");
	h->kern.cmdline_known = true;
	return 0;
}

int hostlit_add_nic(struct host *h, const char *name, const char *pci, int node, const char *irqs,
		    struct err *e)
{
	struct nic *grown = realloc(h->virt.nics, (h->virt.nnics + 1) * sizeof(*grown));
	struct nic *n;

	if (!grown)
		return err_set(e, ENOMEM, "cannot add NIC '%s'", name);
	h->virt.nics = grown;
	n = &h->virt.nics[h->virt.nnics++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->pci, sizeof(n->pci), "%s", pci ? pci : "");
	snprintf(n->driver, sizeof(n->driver), "ixgbe");
	n->numa_node = node;
	if (idset_parse(&n->irqs, irqs, e) < 0) {
		h->virt.nnics--;
		return -1;
	}
	return 0;
}
