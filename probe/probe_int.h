/* probe_int.h - the parts of host_probe(), one per source file (internal to probe/)
 *
 * Each fills its own part of @h from @r and returns 0, or -1 with @e set for
 * a real error (an unreadable file, garbage where a number belongs).  A file
 * that is absent (ENOENT) is a fact: the value stays unknown with its reason.
 * Only topo_probe() may fail for a missing file: without CPUs and nodes there
 * is no host.
 */
#ifndef HVTUNE_PROBE_INT_H
#define HVTUNE_PROBE_INT_H

#include "probe/host.h"

#include <errno.h>

/* topo.c: h->cpus, h->nodes (ids and CPUs), h->topo (hwloc, else sysfs) */
int topo_probe(struct host *h, const struct fsroot *r, struct err *e);
/* node.c: per-node memory and hugepage pools (after topo_probe) */
int node_probe(struct host *h, const struct fsroot *r, struct err *e);
/* node.c: a kernel without NUMA: node 0 from h->mem (after mem_probe) */
int node_probe_no_numa(struct host *h, const struct fsroot *r, struct err *e);
/* virt.c: h->virt (cpuinfo flags, KVM, IOMMU, devices, cgroups, NICs) */
int virt_probe(struct host *h, const struct fsroot *r, struct err *e);
/* mem.c: h->mem (meminfo, hugepages, THP, KSM, NUMA balancing, swappiness) */
int mem_probe(struct host *h, const struct fsroot *r, struct err *e);
/* kern.c: h->kern (cmdline, isolation, SMT control, irqbalance) and governors */
int kern_probe(struct host *h, const struct fsroot *r, struct err *e);
/* tlb.c: h->tlb (shootdowns, vmstat, geometry, perf) */
int tlb_probe(struct host *h, const struct fsroot *r, struct err *e);

/* tlb.c: one CPUID leaf into regs[] (eax, ebx, ecx, edx); false when the CPU
 * lacks it. */
typedef bool (*tlb_cpuid_fn)(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);
/* tlb.c: the TLB geometry CPUID reports (Intel leaf 0x18; AMD 0x80000005,
 * 0x80000006, 0x80000019) as text in @out, or "" with the reason in @why.
 * Takes its leaves from @cpuid, so tests can replay recorded CPUID dumps. */
void tlb_cpuid_geometry(tlb_cpuid_fn cpuid, void *ctx, char *out, size_t size, char *why,
			size_t whysize);

/*
 * Whether a failed read leaves its fact unknown (true) or fails the probe.
 * Only an allocation failure stops a probe: a file that is absent,
 * unreadable, too large or malformed is one fact this host does not tell,
 * and probe_why() says which and why.  (Missing CPUs stay fatal in topo.c.)
 */
static inline bool probe_soft(const struct err *e)
{
	return e->sys != ENOMEM;
}

/* Fills @why with "no 'PATH' in this root" style text for an absent file. */
void probe_why(char *why, size_t size, const struct fsroot *r, const char *path,
	       const struct err *e);

#endif
