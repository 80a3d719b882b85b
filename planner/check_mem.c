/* check_mem.c - memory checks: hugepages (per node, 1 GiB), THP, KSM, NUMA balancing, swappiness */
#include "planner/check_int.h"
#include "probe/strfmt.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- memory -------------------------------------------------------------- */

void check_hugepages(const struct host *h, struct out *o)
{
	const struct mem *m = &h->mem;
	char list[80] = "";
	uint64_t pages = 0;
	struct finding *f;

	for (size_t i = 0; i < m->npools; i++) {
		char sz[16];

		if (m->pools[i].total == 0)
			continue;
		pages += m->pools[i].total;
		strfmt_cat(list, sizeof(list), "%s%" PRIu64 " x %s (%" PRIu64 " free)",
			   list[0] ? ", " : "", m->pools[i].total,
			   strfmt_page_kib(m->pools[i].size_kib, sz, sizeof(sz)), m->pools[i].free);
	}
	if (m->npools == 0) {
		f = check_unknown(o, "hugepages", LEVEL_WARN, "",
				  m->hugepages_why[0] ? m->hugepages_why
						      : "no hugepage sizes found");
		FIX(f, "check /sys/kernel/mm/hugepages on the host");
	} else if (pages == 0) {
		f = check_add(o, "hugepages", LEVEL_WARN, "");
		WHAT(f, "no hugepages reserved");
		FIX(f, "reserve per node: echo N > /sys/devices/system/node/nodeX/hugepages/"
		       "hugepages-2048kB/nr_hugepages (or hugepages=N at boot)");
	} else {
		f = check_add(o, "hugepages", LEVEL_PASS, "");
		WHAT(f, "hugepages reserved: %s", list);
	}
	WHY(f, "high-PPS guests want hugepage-backed memory: DPDK in the guest needs "
	       "it, and fewer TLB misses help vhost and vCPUs alike");
}

/* Hugepage totals of one size on the nodes with CPUs; INFO when they differ. */
void check_hugepages_nodes(const struct host *h, struct out *o)
{
	const struct mem *m = &h->mem;
	char detail[64] = "";
	size_t ncpu_nodes = 0;
	bool uneven = false, unknown_nodes = false;
	struct finding *f;

	for (size_t n = 0; n < h->nnodes; n++)
		ncpu_nodes += !idset_empty(&h->nodes[n].cpus);
	if (ncpu_nodes < 2)
		return;
	for (size_t i = 0; i < m->npools; i++) {
		uint64_t lo = UINT64_MAX, hi = 0;
		char sz[16], one[64] = "";

		if (m->pools[i].total == 0)
			continue;
		for (size_t n = 0; n < h->nnodes; n++) {
			const struct node *nd = &h->nodes[n];
			const struct hugepool *p;
			uint64_t total;

			if (idset_empty(&nd->cpus))
				continue; /* CPU-less (GPU, CXL) memory: not for guests */
			p = check_pool_of(nd->pools, nd->npools, m->pools[i].size_kib);
			if (nd->npools == 0) {
				unknown_nodes = true;
				continue;
			}
			total = p ? p->total : 0;
			lo = total < lo ? total : lo;
			hi = total > hi ? total : hi;
			strfmt_cat(one, sizeof(one), " %u:%" PRIu64, nd->id, total);
		}
		if (lo != hi && lo != UINT64_MAX) {
			if (!uneven)
				strfmt_cat(detail, sizeof(detail), "%s pages by node%s",
					   strfmt_page_kib(m->pools[i].size_kib, sz, sizeof(sz)),
					   one);
			uneven = true;
		} else if (!detail[0] && lo != UINT64_MAX) {
			strfmt_set(detail, sizeof(detail), "%" PRIu64 " x %s", lo,
				   strfmt_page_kib(m->pools[i].size_kib, sz, sizeof(sz)));
		}
	}
	if (m->npools == 0)
		return; /* "hugepages" already says unknown */
	if (!detail[0] && !unknown_nodes)
		return; /* nothing reserved: "hugepages" warns */
	if (uneven) {
		f = check_add(o, "hugepages-nodes", LEVEL_INFO, "");
		WHAT(f, "hugepages uneven across nodes: %s", detail);
		FIX(f, "reserve per node: echo N > /sys/devices/system/node/nodeX/"
		       "hugepages/hugepages-SIZEkB/nr_hugepages");
	} else if (unknown_nodes) {
		f = check_unknown(o, "hugepages-nodes", LEVEL_INFO, "",
				  "no per-node hugepages in sysfs (nodeN/hugepages)");
	} else {
		f = check_add(o, "hugepages-nodes", LEVEL_PASS, "");
		WHAT(f, "hugepages even across nodes: %s per node", detail);
	}
	WHY(f, "a guest gets hugepages from the node it is bound to: a node with few "
	       "or none cannot hold a hugepage-backed guest");
}

void check_pdpe1gb(const struct host *h, struct out *o)
{
	struct finding *f;

	if (!check_is_x86(h))
		return; /* a 1 GiB pool (hugepages-1g) tells on other arches */
	if (h->virt.pdpe1gb == TRI_YES) {
		f = check_add(o, "pdpe1gb", LEVEL_PASS, "");
		WHAT(f, "CPU supports 1 GiB pages (pdpe1gb)");
	} else if (h->virt.pdpe1gb == TRI_NO) {
		f = check_add(o, "pdpe1gb", LEVEL_INFO, "");
		WHAT(f, "no 1 GiB pages (no pdpe1gb flag): guests get 2 MiB pages at most");
	} else {
		f = check_unknown(o, "pdpe1gb", LEVEL_INFO, "", h->virt.flags_why);
	}
	WHY(f, "1 GiB pages map a guest with few TLB entries; DPDK prefers them");
}

void check_hugepages_1g(const struct host *h, struct out *o)
{
	const struct hugepool *p = check_pool_of(h->mem.pools, h->mem.npools, GIB_KIB);
	char nodes[64] = "";
	struct finding *f;

	if (!p && h->virt.pdpe1gb != TRI_YES)
		return;
	for (size_t n = 0; p && n < h->nnodes; n++) {
		const struct node *nd = &h->nodes[n];
		const struct hugepool *np = check_pool_of(nd->pools, nd->npools, GIB_KIB);

		if (np)
			strfmt_cat(nodes, sizeof(nodes), "%snode%u %" PRIu64, nodes[0] ? ", " : "",
				   nd->id, np->total);
	}
	if (p && p->total > 0) {
		f = check_add(o, "hugepages-1g", LEVEL_PASS, "");
		WHAT(f, "%" PRIu64 " x 1 GiB pages reserved%s%s%s", p->total, nodes[0] ? " (" : "",
		     nodes, nodes[0] ? ")" : "");
	} else if (p) {
		f = check_add(o, "hugepages-1g", LEVEL_INFO, "");
		WHAT(f, "1 GiB pages supported, none reserved");
		FIX(f, "boot with default_hugepagesz=1G hugepagesz=1G hugepages=N (1 GiB "
		       "pages are hard to find after boot), or echo N > /sys/devices/system/"
		       "node/nodeX/hugepages/hugepages-1048576kB/nr_hugepages");
	} else if (h->mem.npools > 0) {
		f = check_add(o, "hugepages-1g", LEVEL_INFO, "");
		WHAT(f, "pdpe1gb but no 1 GiB hugepage pool in sysfs");
		FIX(f, "boot with hugepagesz=1G hugepages=N");
	} else {
		f = check_unknown(o, "hugepages-1g", LEVEL_INFO, "", h->mem.hugepages_why);
	}
	WHY(f, "1 GiB pages must be reserved before use, best at boot while memory "
	       "is not yet fragmented");
}

void check_thp(const struct host *h, struct out *o)
{
	const struct mem *m = &h->mem;
	struct finding *f;

	if (strcmp(m->thp, "madvise") == 0) {
		f = check_add(o, "thp", LEVEL_PASS, "");
		WHAT(f, "THP madvise: QEMU asks for huge pages, other processes do not");
	} else if (strcmp(m->thp, "always") == 0 && strcmp(m->thp_defrag, "always") == 0) {
		f = check_add(o, "thp", LEVEL_WARN, "");
		WHAT(f, "THP always with defrag always: page faults may stall in compaction");
		FIX(f, "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled "
		       "(and defrag), or transparent_hugepage=madvise at boot");
	} else if (strcmp(m->thp, "always") == 0) {
		f = check_add(o, "thp", LEVEL_INFO, "");
		WHAT(f, "THP always (defrag %s): khugepaged collapses pages of every process",
		     m->thp_defrag[0] ? m->thp_defrag : "unknown");
		FIX(f, "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled");
	} else if (strcmp(m->thp, "never") == 0) {
		f = check_add(o, "thp", LEVEL_INFO, "");
		WHAT(f, "THP never: guests without explicit hugepages get 4 KiB pages");
		FIX(f, "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled");
	} else if (m->thp[0] == '\0') {
		f = check_unknown(o, "thp", LEVEL_INFO, "", "no transparent_hugepage/enabled");
	} else {
		f = check_add(o, "thp", LEVEL_INFO, "");
		WHAT(f, "THP mode '%s'", m->thp);
	}
	WHY(f, "madvise gives QEMU's guest RAM huge pages (it calls MADV_HUGEPAGE) "
	       "without compaction stalls and khugepaged work in other processes; "
	       "pinned NFV guests should use explicit hugepages anyway");
}

void check_ksm(const struct host *h, struct out *o)
{
	struct finding *f;

	if (h->mem.ksm == TRI_YES) {
		f = check_add(o, "ksm", LEVEL_WARN, "");
		WHAT(f, "KSM is merging pages (ksm/run = 1)");
		FIX(f, "echo 2 > /sys/kernel/mm/ksm/run (unmerge and stop); "
		       "systemctl disable --now ksmtuned if installed");
	} else if (h->mem.ksm == TRI_NO) {
		f = check_add(o, "ksm", LEVEL_PASS, "");
		WHAT(f, "KSM not running");
	} else {
		f = check_unknown(o, "ksm", LEVEL_INFO, "",
				  "no sys/kernel/mm/ksm/run (no KSM: fine)");
	}
	WHY(f, "ksmd scans memory and merged pages fault on write: latency spikes; "
	       "pages shared across guests also open timing side channels");
}

void check_numa_balancing(const struct host *h, struct out *o)
{
	struct finding *f;

	if (h->mem.numa_balancing == TRI_YES) {
		f = check_add(o, "numa-balancing", h->nnodes > 1 ? LEVEL_WARN : LEVEL_INFO, "");
		WHAT(f, "automatic NUMA balancing on%s",
		     h->nnodes > 1 ? "" : " (one node: it has nothing to move)");
		FIX(f, "sysctl -w kernel.numa_balancing=0 (persist in /etc/sysctl.d/)");
	} else if (h->mem.numa_balancing == TRI_NO) {
		f = check_add(o, "numa-balancing", LEVEL_PASS, "");
		WHAT(f, "automatic NUMA balancing off");
	} else {
		f = check_unknown(o, "numa-balancing", LEVEL_INFO, "",
				  "no proc/sys/kernel/numa_balancing (kernel without it: fine)");
	}
	WHY(f, "it unmaps pages to sample accesses and migrates them: hinting faults "
	       "and TLB shootdowns on pinned guests whose memory is already placed");
}

void check_swappiness(const struct host *h, struct out *o)
{
	struct finding *f;

	if (h->mem.swappiness < 0) {
		f = check_unknown(o, "swappiness", LEVEL_INFO, "", "no proc/sys/vm/swappiness");
	} else if (h->mem.swappiness <= 10) {
		f = check_add(o, "swappiness", LEVEL_PASS, "");
		WHAT(f, "vm.swappiness = %d", h->mem.swappiness);
	} else {
		f = check_add(o, "swappiness", LEVEL_INFO, "");
		WHAT(f, "vm.swappiness = %d: guest memory not in hugepages may be swapped",
		     h->mem.swappiness);
		FIX(f, "sysctl -w vm.swappiness=10 (persist in /etc/sysctl.d/)");
	}
	WHY(f, "a swapped-out guest page stalls its vCPU for a disk read; hugetlbfs "
	       "pages are never swapped");
}
