/* check_int.h - the parts of check_host(), one file per area (internal to planner/)
 *
 * Each check appends at most a few findings to @o from facts in @h, and never
 * fails: an unknown fact is a finding too.  check.c holds the helpers below
 * and the one table of hvtune's own checks, in the order they run.
 */
#ifndef HVTUNE_CHECK_INT_H
#define HVTUNE_CHECK_INT_H

#include "planner/check.h"

#include <stdbool.h>
#include <stdint.h>

#define GIB_KIB UINT64_C(1048576)

/* The findings so far: f[CHECK_MAX], n used. */
struct out {
	struct finding *f;
	size_t n;
};

#define WHAT(f, ...) strfmt_set((f)->what, sizeof((f)->what), __VA_ARGS__)
#define WHY(f, ...)  strfmt_set((f)->why, sizeof((f)->why), __VA_ARGS__)
#define FIX(f, ...)  strfmt_set((f)->fix, sizeof((f)->fix), __VA_ARGS__)

/* check.c: helpers (see each one's comment there) */
struct finding *check_add(struct out *o, const char *id, enum level l, const char *vhv);
const char *check_why_of(const char *why, char *buf, size_t size);
struct finding *check_unknown(struct out *o, const char *id, enum level l, const char *vhv,
			      const char *model_why);
const char *check_ids(const struct idset *s, char *buf, size_t size);
bool check_arch_prefix(const struct host *h, const char *prefix);
bool check_is_x86(const struct host *h);
bool check_is_ppc64(const struct host *h);
bool check_is_s390(const struct host *h);
bool check_has_hw_virt(const struct host *h);
struct idset check_isolated_cpus(const struct host *h);
const struct hugepool *check_pool_of(const struct hugepool *p, size_t n, uint64_t size_kib);
bool check_cmdline_has(const char *cmdline, const char *word);

/* check_vhv.c: how to load the KVM module for this CPU (the fix of two checks) */
const char *check_kvm_module_hint(const struct host *h);

/* check_vhv.c: virt-host-validate's QEMU lines, in its order */
void check_vhv(const struct host *h, struct out *o);

/* check_cpu.c: CPU virtualization, governor, SMT, isolation, IRQs */
void check_kvm_usable(const struct host *h, struct out *o);
void check_slat(const struct host *h, struct out *o);
void check_vpid(const struct host *h, struct out *o);
void check_apicv(const struct host *h, struct out *o);
void check_nested(const struct host *h, struct out *o);
void check_hypervisor(const struct host *h, struct out *o);
void check_governor(const struct host *h, struct out *o);
void check_smt(const struct host *h, struct out *o);
void check_isolation_sets(const struct host *h, struct out *o);
void check_nohz_rcu(const struct host *h, struct out *o);
void check_isolation_smt(const struct host *h, struct out *o);
void check_housekeeping(const struct host *h, struct out *o);
void check_irqbalance(const struct host *h, struct out *o);

/* check_mem.c: hugepages, THP, KSM, NUMA balancing, swappiness */
void check_hugepages(const struct host *h, struct out *o);
void check_hugepages_nodes(const struct host *h, struct out *o);
void check_pdpe1gb(const struct host *h, struct out *o);
void check_hugepages_1g(const struct host *h, struct out *o);
void check_thp(const struct host *h, struct out *o);
void check_ksm(const struct host *h, struct out *o);
void check_numa_balancing(const struct host *h, struct out *o);
void check_swappiness(const struct host *h, struct out *o);

/* check_io.c: IOMMU, NICs, NUMA, TLB */
void check_iommu_pt(const struct host *h, struct out *o);
void check_irq_remap(const struct host *h, struct out *o);
void check_sriov(const struct host *h, struct out *o);
void check_nic_numa(const struct host *h, struct out *o);
void check_numa_distances(const struct host *h, struct out *o);
void check_numa_nodes(const struct host *h, struct out *o);
void check_tlb(const struct host *h, struct out *o);

#endif
