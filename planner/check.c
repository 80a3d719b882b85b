/* check.c - judging a host: virt-host-validate's QEMU checks, then hvtune's own
 *
 * Pure computation on a const struct host: no I/O, no clock, no globals.
 *
 * The first findings mirror virt-host-validate (libvirt 9.0.0,
 * tools/virt-host-validate-qemu.c and -common.c) check by check, in its order
 * and with its verdict, and name the line they answer in ->vhv.  Where it
 * skips a line (no /dev/kvm lines on x86 without vmx/svm, no "IOMMU enabled by
 * kernel" line unless the firmware line passed) hvtune still judges the fact,
 * as its own finding with ->vhv empty.  Then hvtune's tuning checks, by area:
 * CPU virtualization, memory, CPU isolation and IRQs, IOMMU and NICs, NUMA, TLB.
 *
 * An unknown fact gives WARN or INFO "unknown: <why>", never PASS or FAIL.
 * A check that does not apply to the host (EPT on AMD, NIC locality on one
 * node) gives no finding at all.
 */
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

#define CHECK_MAX 64 /* more than all checks below together */

static const char *const level_names[] = {"PASS", "INFO", "WARN", "FAIL"};
static_assert(ARRAY_LEN(level_names) == LEVEL_COUNT, "one name per level");

const char *level_str(enum level l)
{
	return (unsigned)l < LEVEL_COUNT ? level_names[l] : "?";
}

/* Appends to @buf; what does not fit ends in a visible "...". */

struct finding *check_add(struct out *o, const char *id, enum level l, const char *vhv)
{
	struct finding *f;

	assert(o->n < CHECK_MAX); /* CHECK_MAX counts every check below */
	f = &o->f[o->n++];
	strfmt_set(f->id, sizeof(f->id), "%s", id);
	f->level = l;
	strfmt_set(f->vhv, sizeof(f->vhv), "%s", vhv);
	return f;
}

/* The model's reason, cut to fit a terminal line after "unknown: ". */
const char *check_why_of(const char *why, char *buf, size_t size)
{
	const size_t max = 70;

	if (why[0] == '\0')
		return "not probed";
	if (strlen(why) <= max)
		return why;
	strfmt_set(buf, size, "%.*s...", (int)max - 3, why);
	return buf;
}

#define WHAT_MAX 96 /* a finding's what fits one line with its verdict */

/* What each check judges, so that an unknown finding names its subject. */
static const struct {
	const char *id, *subject;
} subjects[] = {
    {"hw-virt", "hardware virtualization"},
    {"kvm-dev", "/dev/kvm"},
    {"kvm-access", "/dev/kvm access"},
    {"iommu-firmware", "IOMMU in firmware"},
    {"iommu-kernel", "IOMMU in the kernel"},
    {"secure-guest", "secure guests"},
    {"kvm-usable", "KVM"},
    {"ept-npt", "EPT/NPT"},
    {"vpid", "VPID"},
    {"apicv", "APIC virtualization"},
    {"nested", "nested virtualization"},
    {"hypervisor", "running as a guest"},
    {"hugepages", "hugepages"},
    {"hugepages-nodes", "hugepages per node"},
    {"pdpe1gb", "1 GiB page support"},
    {"hugepages-1g", "1 GiB pages"},
    {"thp", "THP"},
    {"ksm", "KSM"},
    {"numa-balancing", "NUMA balancing"},
    {"swappiness", "swappiness"},
    {"governor", "CPU governor"},
    {"smt", "SMT"},
    {"isolation-sets", "CPU isolation"},
    {"irqbalance", "irqbalance"},
    {"iommu-pt", "iommu=pt"},
    {"irq-remap", "interrupt remapping"},
    {"numa-nodes", "NUMA nodes"},
    {"tlb-shootdowns", "TLB shootdowns"},
};

struct finding *check_unknown(struct out *o, const char *id, enum level l, const char *vhv,
			      const char *model_why)
{
	struct finding *f = check_add(o, id, l, vhv);
	const char *subject = NULL;
	char buf[96], name[48];

	for (size_t i = 0; i < ARRAY_LEN(subjects) && !subject; i++)
		if (strcmp(subjects[i].id, id) == 0)
			subject = subjects[i].subject;
	if (!subject && strncmp(id, "cgroup-", 7) == 0) {
		strfmt_set(name, sizeof(name), "cgroup '%s' controller", id + 7);
		subject = name;
	}
	if (subject)
		WHAT(f, "%s unknown: %s", subject, check_why_of(model_why, buf, sizeof(buf)));
	else
		WHAT(f, "unknown: %s", check_why_of(model_why, buf, sizeof(buf)));
	if (strlen(f->what) > WHAT_MAX) /* one terminal line, the subject kept */
		memcpy(f->what + WHAT_MAX - 3, "...", 4);
	return f;
}

const char *check_ids(const struct idset *s, char *buf, size_t size)
{
	idset_format(s, buf, size);
	return buf[0] ? buf : "none";
}

/* ---- platform ---------------------------------------------------------- */

bool check_arch_prefix(const struct host *h, const char *prefix)
{
	return strncmp(h->topo.arch, prefix, strlen(prefix)) == 0;
}

bool check_is_x86(const struct host *h)
{
	const char *a = h->topo.arch;

	if (a[0] == '\0') /* arch unknown: the CPU flags and vendor still tell */
		return h->virt.vmx == TRI_YES || h->virt.svm == TRI_YES ||
		       strcmp(h->topo.vendor, "GenuineIntel") == 0 ||
		       strcmp(h->topo.vendor, "AuthenticAMD") == 0 ||
		       strcmp(h->topo.vendor, "HygonGenuine") == 0;
	return strcmp(a, "x86_64") == 0 || strcmp(a, "x86") == 0 ||
	       (strlen(a) == 4 && a[0] == 'i' && strcmp(a + 2, "86") == 0); /* i386..i686 */
}

bool check_is_ppc64(const struct host *h)
{
	return check_arch_prefix(h, "ppc64");
}

bool check_is_s390(const struct host *h)
{
	return check_arch_prefix(h, "s390");
}

bool check_has_hw_virt(const struct host *h)
{
	return h->virt.vmx == TRI_YES || h->virt.svm == TRI_YES;
}

/* isolcpus (cpu/isolated) and nohz_full together: the CPUs kept from the host */
struct idset check_isolated_cpus(const struct host *h)
{
	struct idset s;

	idset_clear(&s);
	if (h->kern.isolated_known)
		idset_or(&s, &h->kern.isolated);
	if (h->kern.nohz_full_known)
		idset_or(&s, &h->kern.nohz_full);
	return s;
}

const struct hugepool *check_pool_of(const struct hugepool *p, size_t n, uint64_t size_kib)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].size_kib == size_kib)
			return &p[i];
	return NULL;
}

/* Whole-word match of @word in the kernel command line @cmdline. */
bool check_cmdline_has(const char *cmdline, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = cmdline; (p = strstr(p, word)) != NULL; p += len)
		if ((p == cmdline || p[-1] == ' ') && (p[len] == '\0' || p[len] == ' '))
			return true;
	return false;
}

/* ---- the table ------------------------------------------------------------ */

typedef void (*check_fn)(const struct host *, struct out *);

/* hvtune's own checks, by area, after virt-host-validate's */
static const check_fn own_checks[] = {
    check_kvm_usable,	  check_slat,		check_vpid,	     check_apicv,
    check_nested,	  check_hypervisor,	check_hugepages,     check_hugepages_nodes,
    check_pdpe1gb,	  check_hugepages_1g,	check_thp,	     check_ksm,
    check_numa_balancing, check_swappiness,	check_governor,	     check_smt,
    check_isolation_sets, check_nohz_rcu,	check_isolation_smt, check_housekeeping,
    check_irqbalance,	  check_iommu_pt,	check_irq_remap,     check_sriov,
    check_nic_numa,	  check_numa_distances, check_numa_nodes,    check_tlb,
};

int check_host(const struct host *h, struct finding **out, size_t *n, struct err *e)
{
	struct out o = {NULL, 0};

	*out = NULL;
	*n = 0;
	o.f = calloc(CHECK_MAX, sizeof(*o.f));
	if (!o.f)
		return err_set(e, ENOMEM, "cannot allocate %d findings", CHECK_MAX);
	/* virt-host-validate-qemu.c's order */
	check_vhv(h, &o);
	for (size_t i = 0; i < ARRAY_LEN(own_checks); i++)
		own_checks[i](h, &o);
	*out = o.f;
	*n = o.n;
	return 0;
}
