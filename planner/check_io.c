/* check_io.c - IOMMU passthrough, IRQ remapping, SR-IOV, NIC locality, NUMA and TLB checks */
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

/* ---- IOMMU and NICs ---------------------------------------------------- */

static bool nic_is_pf(const struct nic *n)
{
	return n->pci[0] != '\0' && !n->is_vf;
}

static bool any_sriov(const struct host *h)
{
	for (size_t i = 0; i < h->virt.nnics; i++)
		if (nic_is_pf(&h->virt.nics[i]) && h->virt.nics[i].sriov_total > 0)
			return true;
	return false;
}

void check_iommu_pt(const struct host *h, struct out *o)
{
	const struct kern *k = &h->kern;
	const char *line = k->cmdline_known ? k->cmdline : k->iommu_opts;
	bool sriov = any_sriov(h), pt;
	struct finding *f;

	if (!sriov && h->virt.iommu != TRI_YES)
		return;
	pt = check_cmdline_has(line, "iommu=pt") ||
	     check_cmdline_has(line, "iommu.passthrough=1") ||
	     check_cmdline_has(line, "iommu.passthrough=on") ||
	     check_cmdline_has(line, "iommu.passthrough=y");
	if (!k->cmdline_known && !line[0]) {
		f = check_unknown(o, "iommu-pt", LEVEL_INFO, "", "no proc/cmdline");
	} else if (pt) {
		f = check_add(o, "iommu-pt", LEVEL_PASS, "");
		WHAT(f, "IOMMU passthrough (iommu=pt): host drivers skip DMA translation");
	} else {
		f = check_add(o, "iommu-pt", sriov ? LEVEL_WARN : LEVEL_INFO, "");
		WHAT(f, "no iommu=pt%s: host DMA is translated by the IOMMU",
		     sriov ? " with SR-IOV NICs" : "");
		FIX(f, "add iommu=pt to the kernel command line (GRUB_CMDLINE_LINUX in "
		       "/etc/default/grub, update-grub, reboot)");
	}
	WHY(f, "translated mode maps and unmaps every host DMA buffer: the PF and "
	       "host NICs lose packet rate; VFs in guests use VFIO either way "
	       "(unless the kernel defaults to passthrough)");
}

void check_irq_remap(const struct host *h, struct out *o)
{
	struct finding *f;

	if (h->virt.iommu != TRI_YES)
		return;
	if (h->virt.irq_remap == TRI_YES) {
		f = check_add(o, "irq-remap", LEVEL_PASS, "");
		WHAT(f, "IOMMU interrupt remapping supported");
	} else if (h->virt.irq_remap == TRI_NO) {
		f = check_add(o, "irq-remap", LEVEL_WARN, "");
		WHAT(f, "IOMMU without interrupt remapping");
		FIX(f, "enable interrupt remapping / x2APIC in the BIOS; do not boot "
		       "with intremap=off");
	} else {
		f = check_unknown(o, "irq-remap", LEVEL_INFO, "", h->virt.iommu_why);
	}
	WHY(f, "VFIO refuses device assignment without it unless "
	       "allow_unsafe_interrupts=1, which lets a guest forge MSIs; "
	       "posted interrupts need it too");
}

void check_sriov(const struct host *h, struct out *o)
{
	char idle[64] = "", used[72] = "";
	size_t npf = 0;
	struct finding *f;

	for (size_t i = 0; i < h->virt.nnics; i++) {
		const struct nic *n = &h->virt.nics[i];

		if (!nic_is_pf(n))
			continue;
		npf++;
		if (n->sriov_total == 0)
			continue;
		if (n->sriov_num == 0)
			strfmt_cat(idle, sizeof(idle), "%s%s (%u)", idle[0] ? ", " : "", n->name,
				   n->sriov_total);
		else
			strfmt_cat(used, sizeof(used), "%s%s %u/%u", used[0] ? ", " : "", n->name,
				   n->sriov_num, n->sriov_total);
	}
	if (npf == 0) {
		f = check_add(o, "sriov", LEVEL_INFO, "");
		WHAT(f, "no PCI network interfaces found");
	} else if (idle[0]) {
		f = check_add(o, "sriov", LEVEL_INFO, "");
		WHAT(f, "SR-IOV capable, 0 VFs enabled: %s", idle);
		FIX(f, "echo N > /sys/class/net/IFACE/device/sriov_numvfs (persist with a "
		       "udev rule or systemd unit)");
	} else if (used[0]) {
		f = check_add(o, "sriov", LEVEL_PASS, "");
		WHAT(f, "SR-IOV VFs enabled: %s", used);
	} else {
		f = check_add(o, "sriov", LEVEL_INFO, "");
		WHAT(f, "no SR-IOV capable NIC among %zu", npf);
	}
	WHY(f, "a VF assigned to a guest moves packets without the host's network "
	       "stack: the highest packet rates");
}

void check_nic_numa(const struct host *h, struct out *o)
{
	char bad[40] = "", good[80] = "";
	size_t ncpu_nodes = 0;
	struct finding *f;

	for (size_t n = 0; n < h->nnodes; n++)
		ncpu_nodes += !idset_empty(&h->nodes[n].cpus);
	if (ncpu_nodes < 2)
		return;
	for (size_t i = 0; i < h->virt.nnics; i++) {
		const struct nic *n = &h->virt.nics[i];

		if (!nic_is_pf(n))
			continue;
		if (n->numa_node < 0)
			strfmt_cat(bad, sizeof(bad), "%s%s", bad[0] ? ", " : "", n->name);
		else
			strfmt_cat(good, sizeof(good), "%s%s node %d", good[0] ? ", " : "", n->name,
				   n->numa_node);
	}
	if (bad[0]) {
		f = check_add(o, "nic-numa", LEVEL_WARN, "");
		WHAT(f, "NIC NUMA node unknown (numa_node -1) on a %zu-node host: %s", ncpu_nodes,
		     bad);
		FIX(f, "update the BIOS or enable its NUMA/SRAT PCI locality option; else "
		       "find the NIC's socket in the board manual and place guests by hand");
	} else if (good[0]) {
		f = check_add(o, "nic-numa", LEVEL_PASS, "");
		WHAT(f, "NIC nodes known: %s", good);
	} else {
		return;
	}
	WHY(f, "high-PPS guests belong on their NIC's node: crossing the interconnect "
	       "costs bandwidth and latency on every packet");
}

/* ---- NUMA ---------------------------------------------------------------- */

void check_numa_distances(const struct host *h, struct out *o)
{
	uint32_t max = 0;
	struct finding *f;
	char buf[96];

	if (h->nnodes < 2)
		return;
	if (!h->topo.distances) {
		f = check_add(o, "numa-distances", LEVEL_INFO, "");
		WHAT(f, "NUMA distances unknown: %s",
		     check_why_of(h->topo.distances_why, buf, sizeof(buf)));
	} else {
		for (size_t i = 0; i < h->nnodes * h->nnodes; i++)
			max = h->topo.distances[i] > max ? h->topo.distances[i] : max;
		f = check_add(o, "numa-distances", LEVEL_PASS, "");
		WHAT(f, "NUMA distances known for %zu nodes (largest %" PRIu32 ")", h->nnodes, max);
	}
	WHY(f, "a guest too big for one node should span the closest nodes; "
	       "without distances the planner treats them all alike");
}

void check_numa_nodes(const struct host *h, struct out *o)
{
	struct idset cpuless, memless;
	char l1[30], l2[30];
	bool mem_unknown = false;
	struct finding *f;

	if (h->nnodes < 2)
		return;
	if (h->topo.numa_inconsistent[0]) {
		f = check_add(o, "numa-nodes", LEVEL_FAIL, "");
		WHAT(f, "NUMA layout inconsistent: %s", h->topo.numa_inconsistent);
		WHY(f, "the kernel took its CPU-to-node map from a broken firmware table "
		       "(ACPI SRAT): pinning by node on it places guests at random; hvtune "
		       "plans such a host as one node");
		FIX(f, "update the system firmware (BIOS/UEFI) or fix its SRAT, and check "
		       "its NUMA or node-interleave setting; then reboot");
		return;
	}
	idset_clear(&cpuless);
	idset_clear(&memless);
	for (size_t n = 0; n < h->nnodes; n++) {
		const struct node *nd = &h->nodes[n];

		if (idset_empty(&nd->cpus))
			idset_add(&cpuless, nd->id);
		else if (!nd->mem_known)
			mem_unknown = true;
		else if (nd->mem_total_kib == 0)
			idset_add(&memless, nd->id);
	}
	if (!idset_empty(&cpuless) || !idset_empty(&memless)) {
		f = check_add(o, "numa-nodes", LEVEL_INFO, "");
		WHAT(f, "CPU-less nodes %s; memory-less nodes %s",
		     check_ids(&cpuless, l1, sizeof(l1)), check_ids(&memless, l2, sizeof(l2)));
	} else if (mem_unknown) {
		f = check_unknown(o, "numa-nodes", LEVEL_INFO, "",
				  "memory of some nodes not known");
	} else {
		f = check_add(o, "numa-nodes", LEVEL_PASS, "");
		WHAT(f, "every node has CPUs and memory");
	}
	WHY(f, "a vCPU on a memory-less node always reads remote memory; CPU-less "
	       "nodes (GPU, CXL, HBM) hold memory no CPU is local to: not for guests");
}

/* ---- TLB ----------------------------------------------------------------- */

void check_tlb(const struct host *h, struct out *o)
{
	const struct tlb *t = &h->tlb;
	struct idset iso = check_isolated_cpus(h);
	uint64_t total = 0, on_iso = 0, top = 0;
	unsigned top_cpu = 0;
	struct finding *f;

	if (!t->shootdowns_known) {
		f = check_unknown(o, "tlb-shootdowns", LEVEL_INFO, "", t->shootdowns_why);
	} else {
		for (size_t i = 0; i < t->nshootdowns; i++) {
			total += t->shootdowns[i];
			if (idset_has(&iso, t->shootdown_cpus[i]))
				on_iso += t->shootdowns[i];
			if (t->shootdowns[i] > top) {
				top = t->shootdowns[i];
				top_cpu = t->shootdown_cpus[i];
			}
		}
		f = check_add(o, "tlb-shootdowns", LEVEL_INFO, "");
		if (total == 0)
			WHAT(f, "TLB shootdowns: none since boot on %zu CPUs", t->nshootdowns);
		else if (idset_empty(&iso))
			WHAT(f,
			     "TLB shootdowns: %" PRIu64 " since boot on %zu CPUs, most on "
			     "CPU %u (%" PRIu64 ")",
			     total, t->nshootdowns, top_cpu, top);
		else
			WHAT(f,
			     "TLB shootdowns: %" PRIu64 " since boot, %" PRIu64 " on isolated "
			     "CPUs, most on CPU %u",
			     total, on_iso, top_cpu);
	}
	WHY(f, "each shootdown is an IPI that stops the target CPU: munmap, page "
	       "migration, KSM, NUMA balancing and THP collapse send them to every CPU "
	       "the process ran on");
}
