/* hostlit.h - host literals: a struct host built in memory, no files (planner tests, benchmark)
 *
 * N nodes x cores x SMT threads, with the two CPU numbering styles real
 * machines use, L3 groups per node, memory and hugepage pools per node, and
 * SLIT distances (optionally two levels: nodes of one package, and the rest).
 */
#ifndef HVTUNE_HOSTLIT_H
#define HVTUNE_HOSTLIT_H

#include <stdbool.h>
#include <stdint.h>

#include "probe/err.h"
#include "probe/host.h"

enum hostlit_numbering {
	HOSTLIT_SPLIT,	  /* Intel: core k's siblings are k, k+ncores, ... */
	HOSTLIT_ADJACENT, /* AMD and most ARM/POWER: core k is k*t .. k*t+t-1 */
};

struct hostlit_spec {
	unsigned nnodes;	    /* >= 1 */
	unsigned nodes_per_package; /* 0 = 1 */
	unsigned cores_per_node;    /* >= 1 */
	unsigned threads_per_core;  /* >= 1 */
	enum hostlit_numbering numbering;
	unsigned l3_per_node;		/* 0 = 1; cores are split evenly, in order */
	uint64_t mem_per_node_kib;	/* MemTotal per node; 0 = 64 GiB */
	uint64_t hp2m_total, hp2m_free; /* 2 MiB pages reserved / free per node */
	uint64_t hp1g_total, hp1g_free; /* 1 GiB pages reserved / free per node */
	bool no_1g_pool;		/* no hugepages-1048576kB directory */
	unsigned distance_near;		/* other node of the same package; 0 = 21 */
	unsigned distance_far;		/* node of another package; 0 = distance_near */
	bool no_distances;		/* distances unknown */
	const char *governor;		/* scaling_governor of every CPU; NULL = unknown */
};

/* A plain spec: 1 node, 4 cores, 2 threads (Intel numbering), 64 GiB, no hugepages reserved. */
void hostlit_default(struct hostlit_spec *s);

/* Builds @h from @s.  The caller releases @h with host_release(). */
int hostlit_build(struct host *h, const struct hostlit_spec *s, struct err *e);

/* Adds a NIC on node @node (-1 = no affinity) with the MSI IRQs in @irqs ("" none). */
int hostlit_add_nic(struct host *h, const char *name, const char *pci, int node, const char *irqs,
		    struct err *e);

#endif
