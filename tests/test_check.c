/* test_check.c - host checks on host literals: virt-host-validate's verdicts and hvtune's own
 *
 * Every case starts from a healthy 2-node Intel NFV host (host_good), changes
 * one or two facts, and expects one finding's id, level and key words.
 */
#include "tests/testutil.h"
#include "planner/check.h"

#include <stdlib.h>
#include <string.h>

#define GIB_KIB 1048576u

/* @nnodes nodes of @cores cores with @threads threads each, numbered as Linux
 * does on Intel: CPU c and c + ncores are SMT siblings.  Everything else is
 * unknown, as host_probe() leaves a fact it could not read. */
static void host_make(struct host *h, unsigned nnodes, unsigned cores, unsigned threads)
{
	unsigned ncores = nnodes * cores;

	memset(h, 0, sizeof(*h));
	h->mem.swappiness = -1;
	h->ncpus = ncores * threads;
	h->cpus = calloc(h->ncpus, sizeof(*h->cpus));
	h->nnodes = nnodes;
	h->nodes = calloc(nnodes, sizeof(*h->nodes));
	assert_non_null(h->cpus);
	assert_non_null(h->nodes);
	for (unsigned n = 0; n < nnodes; n++)
		h->nodes[n].id = n;
	for (unsigned i = 0; i < h->ncpus; i++) {
		struct cpu *c = &h->cpus[i];

		c->id = i;
		c->core = (int)(i % ncores);
		c->smt = c->core;
		c->node = c->core / (int)cores;
		c->package = c->node;
		c->l3 = c->node;
		idset_add(&h->nodes[c->node].cpus, i);
		idset_add(&h->topo.online, i);
	}
	h->topo.npackages = nnodes;
	h->topo.ncores = ncores;
	h->topo.npus = (unsigned)h->ncpus;
}

static void set_ids(struct idset *s, const char *list)
{
	struct err e = ERR_INIT;

	assert_ok(idset_parse(s, list, &e), e);
}

static void set_isolation(struct host *h, const char *list)
{
	set_ids(&h->kern.isolated, list);
	set_ids(&h->kern.nohz_full, list);
	set_ids(&h->kern.rcu_nocbs, list);
}

static void add_nic(struct host *h, const char *name, const char *pci, int node, unsigned total,
		    unsigned num)
{
	struct nic *n;

	h->virt.nics = realloc(h->virt.nics, (h->virt.nnics + 1) * sizeof(*n));
	assert_non_null(h->virt.nics);
	n = &h->virt.nics[h->virt.nnics++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->pci, sizeof(n->pci), "%s", pci);
	n->numa_node = node;
	n->sriov_total = total;
	n->sriov_num = num;
}

static void set_pool(struct hugepool *p, uint64_t size_kib, uint64_t total)
{
	p->size_kib = size_kib;
	p->total = total;
	p->free = total;
}

/* A host that passes every check but three: "smt" (on) and "tlb-shootdowns"
 * are INFO, "secure-guest" WARNs (no SEV on Intel). */
static void host_good(struct host *h)
{
	static const uint32_t dist[] = {10, 21, 21, 10};

	host_make(h, 2, 4, 2); /* node0: 0-3,8-11  node1: 4-7,12-15 */
	snprintf(h->topo.arch, sizeof(h->topo.arch), "x86_64");
	snprintf(h->topo.vendor, sizeof(h->topo.vendor), "GenuineIntel");
	h->topo.distances = malloc(sizeof(dist));
	assert_non_null(h->topo.distances);
	memcpy(h->topo.distances, dist, sizeof(dist));

	h->virt.vmx = TRI_YES;
	h->virt.svm = TRI_NO;
	h->virt.ept = h->virt.vpid = h->virt.unrestricted_guest = TRI_YES;
	h->virt.npt = h->virt.avic = TRI_NO;
	h->virt.posted_intr = h->virt.apicv = TRI_YES;
	h->virt.hypervisor = TRI_NO;
	h->virt.pdpe1gb = TRI_YES;
	h->virt.kvm_dev = h->virt.kvm_access = h->virt.kvm_usable = TRI_YES;
	snprintf(h->virt.kvm_module, sizeof(h->virt.kvm_module), "kvm_intel");
	h->virt.nested = TRI_NO;
	h->virt.vhost_net = h->virt.tun = TRI_YES;
	h->virt.cgroups_known = true;
	h->virt.cgroup_ctrls = CGROUP_CPU | CGROUP_CPUACCT | CGROUP_CPUSET | CGROUP_MEMORY |
			       CGROUP_DEVICES | CGROUP_BLKIO;
	h->virt.iommu_firmware = h->virt.iommu = h->virt.irq_remap = TRI_YES;
	h->virt.niommu_groups = 40;
	h->virt.secure_guest = TRI_NO; /* virt-host-validate 9.0 checks no Intel TDX */
	snprintf(h->virt.secure_why, sizeof(h->virt.secure_why), "no 'sev' CPU flag");
	add_nic(h, "ens1f0", "0000:3b:00.0", 0, 64, 8);
	add_nic(h, "ens2f0", "0000:af:00.0", 1, 0, 0);

	h->mem.meminfo_known = true;
	h->mem.default_hugepage_kib = 2048;
	h->mem.npools = 2;
	set_pool(&h->mem.pools[0], 2048, 2048);
	set_pool(&h->mem.pools[1], GIB_KIB, 8);
	for (size_t n = 0; n < h->nnodes; n++) {
		h->nodes[n].mem_known = true;
		h->nodes[n].mem_total_kib = 64u << 20;
		h->nodes[n].npools = 2;
		set_pool(&h->nodes[n].pools[0], 2048, 1024);
		set_pool(&h->nodes[n].pools[1], GIB_KIB, 4);
	}
	snprintf(h->mem.thp, sizeof(h->mem.thp), "madvise");
	snprintf(h->mem.thp_defrag, sizeof(h->mem.thp_defrag), "madvise");
	h->mem.ksm = h->mem.numa_balancing = TRI_NO;
	h->mem.swappiness = 10;

	h->kern.cmdline_known = h->kern.isolated_known = h->kern.nohz_full_known = true;
	snprintf(h->kern.cmdline, sizeof(h->kern.cmdline),
		 "BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on iommu=pt "
		 "isolcpus=1-3,5-7,9-11,13-15 nohz_full=1-3,5-7,9-11,13-15 "
		 "rcu_nocbs=1-3,5-7,9-11,13-15");
	snprintf(h->kern.iommu_opts, sizeof(h->kern.iommu_opts), "intel_iommu=on iommu=pt");
	set_isolation(h, "1-3,5-7,9-11,13-15");
	snprintf(h->kern.smt_control, sizeof(h->kern.smt_control), "on");
	h->kern.irqbalance = TRI_NO;
	for (size_t i = 0; i < h->ncpus; i++)
		snprintf(h->cpus[i].governor, sizeof(h->cpus[i].governor), "performance");

	h->tlb.shootdowns_known = true;
	h->tlb.nshootdowns = h->ncpus;
	h->tlb.shootdown_cpus = calloc(h->ncpus, sizeof(unsigned));
	h->tlb.shootdowns = calloc(h->ncpus, sizeof(uint64_t));
	assert_non_null(h->tlb.shootdown_cpus);
	assert_non_null(h->tlb.shootdowns);
	for (unsigned i = 0; i < h->ncpus; i++) {
		h->tlb.shootdown_cpus[i] = i;
		h->tlb.shootdowns[i] = 100u * i;
	}
}

/* What virt-host-validate sees here: a VM with no vmx/svm and no /dev/kvm. */
static void host_this_machine(struct host *h)
{
	host_good(h);
	h->virt.vmx = h->virt.svm = TRI_NO;
	h->virt.ept = h->virt.vpid = h->virt.posted_intr = h->virt.apicv = TRI_NO;
	h->virt.hypervisor = TRI_YES;
	h->virt.kvm_dev = h->virt.kvm_access = h->virt.kvm_usable = TRI_NO;
	h->virt.kvm_module[0] = '\0';
	h->virt.nested = TRI_UNKNOWN;
	h->virt.vhost_net = TRI_NO;
	h->virt.iommu_firmware = h->virt.iommu = TRI_NO;
	h->virt.niommu_groups = 0;
	h->virt.irq_remap = TRI_UNKNOWN;
	h->virt.secure_guest = TRI_UNKNOWN;
}

static const struct finding *find(const struct finding *f, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].id, id) == 0)
			return &f[i];
	return NULL;
}

/* check_host() plus what must hold for every host: unique ids, a why, a what
 * that fits a terminal line, a fix for WARN/FAIL, none for PASS. */
static struct finding *run(const struct host *h, size_t *n)
{
	struct err e = ERR_INIT;
	struct finding *f;

	assert_ok(check_host(h, &f, n, &e), e);
	assert_non_null(f);
	for (size_t i = 0; i < *n; i++) {
		if (f[i].id[0] == '\0' || f[i].what[0] == '\0' || f[i].why[0] == '\0')
			fail_msg("finding %zu ('%s') lacks id, what or why", i, f[i].id);
		if (strlen(f[i].what) >= 100)
			fail_msg("'%s' what is %zu chars: %s", f[i].id, strlen(f[i].what),
				 f[i].what);
		if (f[i].level >= LEVEL_WARN && f[i].fix[0] == '\0')
			fail_msg("'%s' is %s without a fix", f[i].id, level_str(f[i].level));
		if (strlen(f[i].why) + 1 >= sizeof(f[i].why) ||
		    strlen(f[i].fix) + 1 >= sizeof(f[i].fix))
			fail_msg("'%s' why or fix cut short: %s / %s", f[i].id, f[i].why, f[i].fix);
		if (f[i].level == LEVEL_PASS && f[i].fix[0] != '\0')
			fail_msg("'%s' passes but has a fix: %s", f[i].id, f[i].fix);
		for (size_t j = 0; j < i; j++)
			if (strcmp(f[i].id, f[j].id) == 0)
				fail_msg("id '%s' given twice", f[i].id);
	}
	return f;
}

/* ---- modifiers: each turns the healthy host into one case ---------------- */

static void m_none(struct host *h)
{
	(void)h;
}
static void m_no_virt(struct host *h)
{
	host_release(h);
	host_this_machine(h);
}
static void m_no_virt_bare(struct host *h)
{
	m_no_virt(h);
	h->virt.hypervisor = TRI_NO;
}
static void m_flags_unknown(struct host *h)
{
	h->virt.vmx = h->virt.svm = h->virt.ept = h->virt.vpid = TRI_UNKNOWN;
	h->virt.apicv = h->virt.posted_intr = h->virt.hypervisor = h->virt.pdpe1gb = TRI_UNKNOWN;
	snprintf(h->virt.flags_why, sizeof(h->virt.flags_why), "no 'proc/cpuinfo' in this root");
}
static void m_amd(struct host *h)
{
	snprintf(h->topo.vendor, sizeof(h->topo.vendor), "AuthenticAMD");
	h->virt.vmx = h->virt.ept = h->virt.vpid = h->virt.apicv = h->virt.posted_intr = TRI_NO;
	h->virt.svm = h->virt.npt = h->virt.avic = TRI_YES;
	snprintf(h->virt.kvm_module, sizeof(h->virt.kvm_module), "kvm_amd");
	snprintf(h->kern.iommu_opts, sizeof(h->kern.iommu_opts), "iommu=pt");
}
static void m_amd_no_ivrs(struct host *h)
{
	m_amd(h);
	h->virt.iommu_firmware = TRI_NO;
}
static void m_amd_no_groups(struct host *h)
{
	m_amd(h);
	h->virt.iommu = TRI_NO;
	h->virt.niommu_groups = 0;
}
static void m_amd_no_npt(struct host *h)
{
	m_amd(h);
	h->virt.npt = TRI_NO;
}
static void m_amd_no_avic(struct host *h)
{
	m_amd(h);
	h->virt.avic = TRI_NO;
}
static void m_arm(struct host *h)
{
	snprintf(h->topo.arch, sizeof(h->topo.arch), "aarch64");
	h->topo.vendor[0] = '\0';
	h->virt.vmx = h->virt.svm = h->virt.pdpe1gb = TRI_NO;
}
static void m_ppc(struct host *h)
{
	m_arm(h);
	snprintf(h->topo.arch, sizeof(h->topo.arch), "ppc64le");
}
static void m_ppc_hv(struct host *h)
{
	m_ppc(h);
	snprintf(h->virt.kvm_module, sizeof(h->virt.kvm_module), "kvm_hv");
}
static void m_ppc_no_module(struct host *h)
{
	m_ppc(h);
	h->virt.kvm_module[0] = '\0';
}
static void m_s390(struct host *h)
{
	m_arm(h);
	snprintf(h->topo.arch, sizeof(h->topo.arch), "s390x");
}
static void m_arch_unknown(struct host *h)
{
	m_flags_unknown(h);
	h->topo.arch[0] = h->topo.vendor[0] = '\0';
}
static void m_no_kvm_module(struct host *h)
{
	h->virt.kvm_dev = h->virt.kvm_access = h->virt.kvm_usable = TRI_NO;
	h->virt.kvm_module[0] = '\0';
	snprintf(h->virt.kvm_why, sizeof(h->virt.kvm_why), "kvm_intel: disabled by bios");
}
static void m_no_kvm_dev_module(struct host *h)
{
	m_no_kvm_module(h);
	snprintf(h->virt.kvm_module, sizeof(h->virt.kvm_module), "kvm_intel");
}
static void m_kvm_unknown(struct host *h)
{
	h->virt.kvm_dev = h->virt.kvm_access = h->virt.kvm_usable = TRI_UNKNOWN;
	snprintf(h->virt.kvm_why, sizeof(h->virt.kvm_why), "not the live host");
}
static void m_kvm_no_access(struct host *h)
{
	h->virt.kvm_access = TRI_NO;
}
static void m_no_vhost(struct host *h)
{
	h->virt.vhost_net = TRI_NO;
}
static void m_vhost_unknown(struct host *h)
{
	h->virt.vhost_net = TRI_UNKNOWN;
}
static void m_no_tun(struct host *h)
{
	h->virt.tun = TRI_NO;
}
static void m_no_cpuset(struct host *h)
{
	h->virt.cgroup_ctrls &= ~(unsigned)CGROUP_CPUSET;
}
static void m_no_blkio(struct host *h)
{
	h->virt.cgroup_ctrls &= ~(unsigned)CGROUP_BLKIO;
}
static void m_cgroups_unknown(struct host *h)
{
	h->virt.cgroups_known = false;
	snprintf(h->virt.cgroups_why, sizeof(h->virt.cgroups_why),
		 "no 'proc/cgroups' in this root");
}
static void m_no_dmar(struct host *h)
{
	h->virt.iommu_firmware = h->virt.iommu = TRI_NO;
	h->virt.niommu_groups = 0;
}
static void m_no_groups(struct host *h)
{
	h->virt.iommu = TRI_NO;
	h->virt.niommu_groups = 0;
}
static void m_iommu_unknown(struct host *h)
{
	h->virt.iommu_firmware = h->virt.iommu = h->virt.irq_remap = TRI_UNKNOWN;
	h->virt.niommu_groups = 0;
	snprintf(h->virt.iommu_why, sizeof(h->virt.iommu_why), "no 'sys/firmware/acpi/tables'");
}
static void m_iommu_on_no_groups(struct host *h)
{
	h->virt.niommu_groups = 0;
}
static void m_secure_no(struct host *h)
{
	h->virt.secure_guest = TRI_NO;
	snprintf(h->virt.secure_why, sizeof(h->virt.secure_why), "kvm_amd sev=0");
}
static void m_amd_sev(struct host *h)
{
	m_amd(h);
	h->virt.secure_guest = TRI_YES;
}
static void m_s390_pv(struct host *h)
{
	m_s390(h);
	h->virt.secure_guest = TRI_YES;
}
static void m_intel_tdx(struct host *h)
{
	h->virt.secure_guest = TRI_YES;
}
static void m_secure_unknown(struct host *h)
{
	h->virt.secure_guest = TRI_UNKNOWN;
}
static void m_no_ept(struct host *h)
{
	h->virt.ept = TRI_NO;
}
static void m_ept_unknown(struct host *h)
{
	h->virt.ept = TRI_UNKNOWN;
	snprintf(h->virt.flags_why, sizeof(h->virt.flags_why), "no 'vmx flags' line (Linux < 5.8)");
}
static void m_no_vpid(struct host *h)
{
	h->virt.vpid = TRI_NO;
}
static void m_vpid_unknown(struct host *h)
{
	h->virt.vpid = TRI_UNKNOWN;
}
static void m_no_apicv(struct host *h)
{
	h->virt.apicv = h->virt.posted_intr = TRI_NO;
}
static void m_no_posted(struct host *h)
{
	h->virt.posted_intr = TRI_NO;
}
static void m_apicv_unknown(struct host *h)
{
	h->virt.apicv = TRI_UNKNOWN;
}
static void m_nested(struct host *h)
{
	h->virt.nested = TRI_YES;
}
static void m_nested_unknown(struct host *h)
{
	h->virt.nested = TRI_UNKNOWN;
	h->virt.kvm_module[0] = '\0';
}
static void m_in_vm(struct host *h)
{
	h->virt.hypervisor = TRI_YES;
}
static void m_hypervisor_unknown(struct host *h)
{
	h->virt.hypervisor = TRI_UNKNOWN;
}
static void m_no_hugepages(struct host *h)
{
	for (size_t i = 0; i < h->mem.npools; i++)
		h->mem.pools[i].total = h->mem.pools[i].free = 0;
	for (size_t n = 0; n < h->nnodes; n++)
		for (size_t i = 0; i < h->nodes[n].npools; i++)
			h->nodes[n].pools[i].total = 0;
}
static void m_hugepages_unknown(struct host *h)
{
	h->mem.npools = 0;
	snprintf(h->mem.hugepages_why, sizeof(h->mem.hugepages_why),
		 "no 'sys/kernel/mm/hugepages'");
}
static void m_hugepages_uneven(struct host *h)
{
	h->nodes[0].pools[0].total = 2048;
	h->nodes[1].pools[0].total = 0;
}
static void m_node_pools_unknown(struct host *h)
{
	h->nodes[0].npools = h->nodes[1].npools = 0;
}
static void m_one_node(struct host *h)
{
	host_release(h);
	host_good(h);
	h->nnodes = 1;
	idset_or(&h->nodes[0].cpus, &h->nodes[1].cpus);
	for (size_t i = 0; i < h->ncpus; i++)
		h->cpus[i].node = 0;
	free(h->topo.distances);
	h->topo.distances = NULL;
	h->mem.numa_balancing = TRI_YES;
	set_isolation(h, "1-7,9-15");
}
static void m_no_pdpe1gb(struct host *h)
{
	h->virt.pdpe1gb = TRI_NO;
	h->mem.npools = 1;
	h->nodes[0].npools = h->nodes[1].npools = 1;
}
static void m_pdpe1gb_unknown(struct host *h)
{
	h->virt.pdpe1gb = TRI_UNKNOWN;
	snprintf(h->virt.flags_why, sizeof(h->virt.flags_why), "no 'proc/cpuinfo'");
}
static void m_1g_none(struct host *h)
{
	h->mem.pools[1].total = 0;
	h->nodes[0].pools[1].total = h->nodes[1].pools[1].total = 0;
}
static void m_1g_no_pool(struct host *h)
{
	h->mem.npools = 1;
	h->nodes[0].npools = h->nodes[1].npools = 1;
}
static void m_thp_always(struct host *h)
{
	snprintf(h->mem.thp, sizeof(h->mem.thp), "always");
	snprintf(h->mem.thp_defrag, sizeof(h->mem.thp_defrag), "always");
}
static void m_thp_always_madvise(struct host *h)
{
	snprintf(h->mem.thp, sizeof(h->mem.thp), "always");
}
static void m_thp_never(struct host *h)
{
	snprintf(h->mem.thp, sizeof(h->mem.thp), "never");
}
static void m_thp_unknown(struct host *h)
{
	h->mem.thp[0] = '\0';
}
static void m_ksm(struct host *h)
{
	h->mem.ksm = TRI_YES;
}
static void m_ksm_unknown(struct host *h)
{
	h->mem.ksm = TRI_UNKNOWN;
}
static void m_numab(struct host *h)
{
	h->mem.numa_balancing = TRI_YES;
}
static void m_numab_unknown(struct host *h)
{
	h->mem.numa_balancing = TRI_UNKNOWN;
}
static void m_swappy(struct host *h)
{
	h->mem.swappiness = 60;
}
static void m_swap_unknown(struct host *h)
{
	h->mem.swappiness = -1;
}
static void m_powersave(struct host *h)
{
	snprintf(h->cpus[3].governor, sizeof(h->cpus[3].governor), "powersave");
	snprintf(h->cpus[5].governor, sizeof(h->cpus[5].governor), "powersave");
	snprintf(h->cpus[6].governor, sizeof(h->cpus[6].governor), "schedutil");
}
static void m_no_cpufreq(struct host *h)
{
	for (size_t i = 0; i < h->ncpus; i++)
		h->cpus[i].governor[0] = '\0';
}
static void m_smt_off(struct host *h)
{
	snprintf(h->kern.smt_control, sizeof(h->kern.smt_control), "off");
}
static void m_smt_none(struct host *h)
{
	snprintf(h->kern.smt_control, sizeof(h->kern.smt_control), "notsupported");
}
static void m_smt_unknown(struct host *h)
{
	h->kern.smt_control[0] = '\0';
}
static void m_nohz_differs(struct host *h)
{
	set_ids(&h->kern.nohz_full, "2-3,6-7,10-11,14-15");
}
static void m_rcu_differs(struct host *h)
{
	set_ids(&h->kern.rcu_nocbs, "1-7");
}
static void m_no_isolation(struct host *h)
{
	set_isolation(h, "");
}
static void m_isolation_unknown(struct host *h)
{
	h->kern.isolated_known = h->kern.nohz_full_known = h->kern.cmdline_known = false;
	h->kern.cmdline[0] = '\0';
}
static void m_nohz_unknown(struct host *h)
{
	h->kern.nohz_full_known = false;
}
static void m_isolcpus_only(struct host *h)
{
	set_isolation(h, "");
	set_ids(&h->kern.isolated, "2-3");
	h->kern.nohz_full_known = false; /* a kernel without NO_HZ_FULL */
}
static void m_nohz_only(struct host *h)
{
	set_isolation(h, "");
	set_ids(&h->kern.nohz_full, "2-3"); /* nohz_full implies rcu_nocbs; isolcpus empty */
	h->kern.isolated_known = false;
}
static void m_nohz_no_rcu(struct host *h)
{
	set_ids(&h->kern.rcu_nocbs, "");
}
static void m_split_pair(struct host *h)
{
	set_isolation(h, "2"); /* its SMT sibling is 10 */
}
static void m_no_core_ids(struct host *h)
{
	set_isolation(h, "2");
	h->cpus[2].core = -1;
	h->cpus[2].smt = -1;
}
static void m_iso_cpu0(struct host *h)
{
	set_isolation(h, "0-3,8-11");
}
static void m_iso_node1(struct host *h)
{
	set_isolation(h, "4-7,12-15");
}
static void m_iso_all(struct host *h)
{
	set_isolation(h, "0-15");
}
static void m_irqbalance(struct host *h)
{
	h->kern.irqbalance = TRI_YES;
}
static void m_irqbalance_no_iso(struct host *h)
{
	m_irqbalance(h);
	set_isolation(h, "");
}
static void m_irqbalance_unknown(struct host *h)
{
	h->kern.irqbalance = TRI_UNKNOWN;
	snprintf(h->kern.irqbalance_why, sizeof(h->kern.irqbalance_why), "not the live host");
}
static void m_no_pt(struct host *h)
{
	snprintf(h->kern.cmdline, sizeof(h->kern.cmdline),
		 "root=/dev/sda1 intel_iommu=on iommu=ptx");
}
static void m_no_pt_no_sriov(struct host *h)
{
	m_no_pt(h);
	h->virt.nics[0].sriov_total = 0;
}
static void m_pt_generic(struct host *h)
{
	snprintf(h->kern.cmdline, sizeof(h->kern.cmdline), "intel_iommu=on iommu.passthrough=1");
}
static void m_pt_unknown(struct host *h)
{
	h->kern.cmdline_known = false;
	h->kern.cmdline[0] = h->kern.iommu_opts[0] = '\0';
}
static void m_no_remap(struct host *h)
{
	h->virt.irq_remap = TRI_NO;
}
static void m_remap_unknown(struct host *h)
{
	h->virt.irq_remap = TRI_UNKNOWN;
}
static void m_no_vfs(struct host *h)
{
	h->virt.nics[0].sriov_num = 0;
}
static void m_no_nics(struct host *h)
{
	free(h->virt.nics);
	h->virt.nics = NULL;
	h->virt.nnics = 0;
}
static void m_no_sriov(struct host *h)
{
	h->virt.nics[0].sriov_total = h->virt.nics[0].sriov_num = 0;
}
static void m_no_iommu_no_sriov(struct host *h)
{
	m_no_groups(h);
	m_no_sriov(h);
}
static void m_nic_no_node(struct host *h)
{
	h->virt.nics[1].numa_node = -1;
}
static void m_no_distances(struct host *h)
{
	free(h->topo.distances);
	h->topo.distances = NULL;
	snprintf(h->topo.distances_why, sizeof(h->topo.distances_why),
		 "no 'sys/devices/system/node/node0/distance'");
}
static void m_numa_inconsistent(struct host *h)
{
	snprintf(h->topo.numa_inconsistent, sizeof(h->topo.numa_inconsistent),
		 "nodes 0-1 claim the same CPUs 0-15");
}
static void m_cpuless_node(struct host *h)
{
	h->nodes = realloc(h->nodes, 3 * sizeof(*h->nodes));
	assert_non_null(h->nodes);
	memset(&h->nodes[2], 0, sizeof(h->nodes[2]));
	h->nodes[2].id = 250;
	h->nodes[2].mem_known = true;
	h->nodes[2].mem_total_kib = 16u << 20;
	h->nnodes = 3;
	free(h->topo.distances);
	h->topo.distances = NULL; /* 2x2 no longer fits 3 nodes */
}
static void m_memless_node(struct host *h)
{
	h->nodes[1].mem_total_kib = 0;
}
static void m_node_mem_unknown(struct host *h)
{
	h->nodes[1].mem_known = false;
}
static void m_tlb_unknown(struct host *h)
{
	h->tlb.shootdowns_known = false;
	snprintf(h->tlb.shootdowns_why, sizeof(h->tlb.shootdowns_why),
		 "no TLB row in 'proc/interrupts'");
}
static void m_tlb_no_iso(struct host *h)
{
	set_isolation(h, "");
}

struct check_case {
	const char *name;
	void (*mod)(struct host *);
	const char *id;
	enum level level;
	const char *what; /* words in ->what */
	const char *fix;  /* words in ->fix; "" = not checked */
	const char *vhv;  /* ->vhv exactly; NULL = not checked */
};

static const struct check_case cases[] = {
    /* virt-host-validate's checks */
    {"intel", m_none, "hw-virt", LEVEL_PASS, "VT-x", "", "Checking for hardware virtualization"},
    {"amd", m_amd, "hw-virt", LEVEL_PASS, "AMD-V", "", NULL},
    {"no vmx/svm in a VM", m_no_virt, "hw-virt", LEVEL_FAIL, "no vmx or svm CPU flag (in a VM",
     "nested=1", "Checking for hardware virtualization"},
    {"no vmx/svm", m_no_virt_bare, "hw-virt", LEVEL_FAIL, "no vmx or svm", "BIOS", NULL},
    {"flags unknown", m_flags_unknown, "hw-virt", LEVEL_WARN, "unknown: no 'proc/cpuinfo'",
     "cpuinfo", NULL},
    {"arm64", m_arm, "hw-virt", LEVEL_INFO, "aarch64", "", ""},
    {"ppc64", m_ppc, "hw-virt", LEVEL_PASS, "ppc64le", "", "Checking for hardware virtualization"},
    {"s390", m_s390, "hw-virt", LEVEL_WARN, "unknown: the model has no s390 'sie'", "sie", NULL},
    {"arch unknown", m_arch_unknown, "hw-virt", LEVEL_WARN, "unknown: no 'proc/cpuinfo'", "", ""},
    {"kvm dev", m_none, "kvm-dev", LEVEL_PASS, "/dev/kvm exists (kvm_intel", "",
     "Checking if device /dev/kvm exists"},
    {"vmx, no module", m_no_kvm_module, "kvm-dev", LEVEL_FAIL, "neither kvm_intel nor kvm_amd",
     "modprobe kvm_intel", "Checking if device /dev/kvm exists"},
    {"vmx, no module: BIOS", m_no_kvm_module, "kvm-dev", LEVEL_FAIL, "no /dev/kvm", "BIOS", NULL},
    {"module, no dev", m_no_kvm_dev_module, "kvm-dev", LEVEL_FAIL, "although kvm_intel is loaded",
     "dmesg", NULL},
    {"kvm unknown", m_kvm_unknown, "kvm-dev", LEVEL_WARN, "unknown: not the live host", "", NULL},
    {"no vmx: kvm-dev is hvtune's", m_no_virt, "kvm-dev", LEVEL_FAIL, "see hw-virt", "", ""},
    {"kvm access", m_none, "kvm-access", LEVEL_PASS, "readable and writable", "",
     "Checking if device /dev/kvm is accessible"},
    {"kvm no access", m_kvm_no_access, "kvm-access", LEVEL_FAIL, "not readable", "group 'kvm'",
     NULL},
    {"kvm access unknown", m_kvm_unknown, "kvm-access", LEVEL_WARN, "unknown", "", NULL},
    {"ppc kvm_hv", m_ppc_hv, "kvm-hv", LEVEL_PASS, "kvm_hv loaded", "",
     "Checking for PowerPC KVM module loaded"},
    {"ppc no kvm_hv", m_ppc_no_module, "kvm-hv", LEVEL_WARN, "kvm_hv not", "modprobe kvm_hv", NULL},
    {"vhost-net", m_none, "vhost-net", LEVEL_PASS, "/dev/vhost-net exists", "",
     "Checking if device /dev/vhost-net exists"},
    {"no vhost-net", m_no_vhost, "vhost-net", LEVEL_WARN, "no /dev/vhost-net", "modprobe vhost_net",
     NULL},
    {"vhost-net unknown", m_vhost_unknown, "vhost-net", LEVEL_WARN, "unknown", "vhost_net", NULL},
    {"tun", m_none, "tun", LEVEL_PASS, "/dev/net/tun exists", "",
     "Checking if device /dev/net/tun exists"},
    {"no tun", m_no_tun, "tun", LEVEL_FAIL, "no /dev/net/tun", "modprobe tun", NULL},
    {"cgroup cpu", m_no_cpuset, "cgroup-cpu", LEVEL_PASS, "'cpu' controller available", "",
     "Checking for cgroup 'cpu' controller support"},
    {"no cgroup cpuset", m_no_cpuset, "cgroup-cpuset", LEVEL_WARN,
     "'cpuset' controller not available", "cgroup.controllers",
     "Checking for cgroup 'cpuset' controller support"},
    {"no cgroup blkio", m_no_blkio, "cgroup-blkio", LEVEL_WARN, "'blkio'", "CONFIG_CGROUP", NULL},
    {"cgroups unknown", m_cgroups_unknown, "cgroup-memory", LEVEL_WARN,
     "unknown: no 'proc/cgroups'", "", NULL},
    {"DMAR", m_none, "iommu-firmware", LEVEL_PASS, "DMAR table present (VT-d)", "",
     "Checking for device assignment IOMMU support"},
    {"no DMAR", m_no_dmar, "iommu-firmware", LEVEL_WARN, "no ACPI DMAR table", "VT-d", NULL},
    {"no IVRS", m_amd_no_ivrs, "iommu-firmware", LEVEL_WARN, "no ACPI IVRS table", "AMD-Vi", NULL},
    {"IVRS", m_amd, "iommu-firmware", LEVEL_PASS, "IVRS", "", NULL},
    {"iommu unknown", m_iommu_unknown, "iommu-firmware", LEVEL_WARN,
     "unknown: no 'sys/firmware/acpi/tables'", "DMAR", NULL},
    {"no vmx: platform unknown", m_no_virt, "iommu-firmware", LEVEL_WARN,
     "unknown if this platform has IOMMU support", "",
     "Checking for device assignment IOMMU support"},
    {"ppc iommu", m_ppc, "iommu-firmware", LEVEL_PASS, "ppc64le", "", NULL},
    {"arm iommu", m_arm, "iommu-firmware", LEVEL_WARN, "(aarch64)", "SMMU", NULL},
    {"iommu groups", m_none, "iommu-kernel", LEVEL_PASS, "40 IOMMU groups", "",
     "Checking if IOMMU is enabled by kernel"},
    {"intel no groups", m_no_groups, "iommu-kernel", LEVEL_WARN, "not enabled in the kernel",
     "intel_iommu=on", "Checking if IOMMU is enabled by kernel"},
    {"amd no groups", m_amd_no_groups, "iommu-kernel", LEVEL_WARN, "not enabled", "amd_iommu=off",
     NULL},
    {"iommu on, no groups", m_iommu_on_no_groups, "iommu-kernel", LEVEL_WARN,
     "no IOMMU groups seen", "", NULL},
    {"no DMAR: kernel is hvtune's", m_no_dmar, "iommu-kernel", LEVEL_WARN, "not enabled", "BIOS",
     ""},
    {"iommu kernel unknown", m_iommu_unknown, "iommu-kernel", LEVEL_WARN,
     "unknown: no 'sys/firmware", "", ""},
    {"secure guest", m_amd_sev, "secure-guest", LEVEL_PASS, "supported (AMD SEV)", "",
     "Checking for secure guest support"},
    {"s390 secure guest", m_s390_pv, "secure-guest", LEVEL_PASS, "IBM Secure Execution", "", NULL},
    {"intel secure guest", m_intel_tdx, "secure-guest", LEVEL_WARN, "checks only SEV and s390",
     "TDX", NULL},
    {"no sev", m_none, "secure-guest", LEVEL_WARN, "no secure guest support: no 'sev' CPU flag",
     "kvm_amd.sev=1", NULL},
    {"no secure guest", m_secure_no, "secure-guest", LEVEL_WARN,
     "no secure guest support: kvm_amd sev=0", "kvm_amd.sev=1", NULL},
    {"secure unknown", m_secure_unknown, "secure-guest", LEVEL_WARN, "unknown", "confidential",
     NULL},
    /* CPU virtualization */
    {"kvm usable", m_none, "kvm-usable", LEVEL_PASS, "KVM usable (kvm_intel)", "", ""},
    {"kvm not usable", m_no_kvm_module, "kvm-usable", LEVEL_FAIL,
     "KVM not usable: kvm_intel: disabled by bios", "BIOS", NULL},
    {"kvm not usable, no reason", m_no_virt, "kvm-usable", LEVEL_FAIL, "KVM not usable", "", NULL},
    {"kvm usable unknown", m_kvm_unknown, "kvm-usable", LEVEL_WARN, "unknown: not the live host",
     "", NULL},
    {"ept", m_none, "ept-npt", LEVEL_PASS, "EPT present", "", ""},
    {"no ept", m_no_ept, "ept-npt", LEVEL_FAIL, "VT-x without EPT", "ept=0", NULL},
    {"ept unknown", m_ept_unknown, "ept-npt", LEVEL_WARN, "unknown: no 'vmx flags' line", "", NULL},
    {"npt", m_amd, "ept-npt", LEVEL_PASS, "NPT present", "", NULL},
    {"no npt", m_amd_no_npt, "ept-npt", LEVEL_FAIL, "AMD-V without NPT", "npt=0", NULL},
    {"vpid", m_none, "vpid", LEVEL_PASS, "VPID", "", NULL},
    {"no vpid", m_no_vpid, "vpid", LEVEL_WARN, "without VPID", "vpid=0", NULL},
    {"vpid unknown", m_vpid_unknown, "vpid", LEVEL_INFO, "unknown", "", NULL},
    {"apicv", m_none, "apicv", LEVEL_PASS, "APICv and posted interrupts", "", NULL},
    {"no apicv", m_no_apicv, "apicv", LEVEL_WARN, "no APICv", "enable_apicv=0", NULL},
    {"no posted", m_no_posted, "apicv", LEVEL_INFO, "posted interrupts absent", "", NULL},
    {"apicv unknown", m_apicv_unknown, "apicv", LEVEL_INFO, "unknown", "", NULL},
    {"avic", m_amd, "apicv", LEVEL_PASS, "AVIC present", "", NULL},
    {"no avic", m_amd_no_avic, "apicv", LEVEL_INFO, "no AVIC", "", NULL},
    {"nested off", m_none, "nested", LEVEL_PASS, "kvm_intel nested=0", "", NULL},
    {"nested on", m_nested, "nested", LEVEL_INFO, "kvm_intel nested=1", "nested=0", NULL},
    {"nested unknown", m_nested_unknown, "nested", LEVEL_INFO, "unknown: no kvm_intel/kvm_amd", "",
     NULL},
    {"bare metal", m_none, "hypervisor", LEVEL_PASS, "bare metal", "", NULL},
    {"in a VM", m_in_vm, "hypervisor", LEVEL_WARN, "inside a VM", "bare metal", NULL},
    {"hypervisor unknown", m_hypervisor_unknown, "hypervisor", LEVEL_INFO, "unknown", "", NULL},
    /* memory */
    {"hugepages", m_none, "hugepages", LEVEL_PASS, "2048 x 2 MiB (2048 free), 8 x 1 GiB", "", NULL},
    {"no hugepages", m_no_hugepages, "hugepages", LEVEL_WARN, "no hugepages reserved",
     "nr_hugepages", NULL},
    {"hugepages unknown", m_hugepages_unknown, "hugepages", LEVEL_WARN,
     "unknown: no 'sys/kernel/mm/hugepages'", "", NULL},
    {"hugepages even", m_none, "hugepages-nodes", LEVEL_PASS, "1024 x 2 MiB per node", "", NULL},
    {"hugepages uneven", m_hugepages_uneven, "hugepages-nodes", LEVEL_INFO,
     "2 MiB pages by node 0:2048 1:0", "node/nodeX", NULL},
    {"node hugepages unknown", m_node_pools_unknown, "hugepages-nodes", LEVEL_INFO,
     "unknown: no per-node", "", NULL},
    {"pdpe1gb", m_none, "pdpe1gb", LEVEL_PASS, "pdpe1gb", "", NULL},
    {"no pdpe1gb", m_no_pdpe1gb, "pdpe1gb", LEVEL_INFO, "no 1 GiB pages", "", NULL},
    {"pdpe1gb unknown", m_pdpe1gb_unknown, "pdpe1gb", LEVEL_INFO, "unknown: no 'proc/cpuinfo'", "",
     NULL},
    {"1G reserved", m_none, "hugepages-1g", LEVEL_PASS,
     "8 x 1 GiB pages reserved (node0 4, node1 4)", "", NULL},
    {"1G none", m_1g_none, "hugepages-1g", LEVEL_INFO, "none reserved", "hugepagesz=1G", NULL},
    {"1G no pool", m_1g_no_pool, "hugepages-1g", LEVEL_INFO, "no 1 GiB hugepage pool",
     "hugepagesz=1G", NULL},
    {"thp madvise", m_none, "thp", LEVEL_PASS, "madvise", "", NULL},
    {"thp always/always", m_thp_always, "thp", LEVEL_WARN, "defrag always", "madvise", NULL},
    {"thp always", m_thp_always_madvise, "thp", LEVEL_INFO, "THP always (defrag madvise)",
     "madvise", NULL},
    {"thp never", m_thp_never, "thp", LEVEL_INFO, "THP never", "madvise", NULL},
    {"thp unknown", m_thp_unknown, "thp", LEVEL_INFO, "unknown", "", NULL},
    {"ksm off", m_none, "ksm", LEVEL_PASS, "not running", "", NULL},
    {"ksm on", m_ksm, "ksm", LEVEL_WARN, "KSM is merging", "ksm/run", NULL},
    {"ksm unknown", m_ksm_unknown, "ksm", LEVEL_INFO, "unknown", "", NULL},
    {"numa balancing off", m_none, "numa-balancing", LEVEL_PASS, "off", "", NULL},
    {"numa balancing on", m_numab, "numa-balancing", LEVEL_WARN, "NUMA balancing on",
     "kernel.numa_balancing=0", NULL},
    {"numa balancing one node", m_one_node, "numa-balancing", LEVEL_INFO, "one node", "", NULL},
    {"numa balancing unknown", m_numab_unknown, "numa-balancing", LEVEL_INFO, "unknown", "", NULL},
    {"swappiness", m_none, "swappiness", LEVEL_PASS, "vm.swappiness = 10", "", NULL},
    {"swappiness 60", m_swappy, "swappiness", LEVEL_INFO, "vm.swappiness = 60", "vm.swappiness=10",
     NULL},
    {"swappiness unknown", m_swap_unknown, "swappiness", LEVEL_INFO, "unknown", "", NULL},
    /* CPUs and isolation */
    {"governor", m_none, "governor", LEVEL_PASS, "'performance' on all 16", "", NULL},
    {"powersave", m_powersave, "governor", LEVEL_WARN,
     "'powersave','schedutil', not 'performance', on CPUs 3,5-6", "cpupower", NULL},
    {"no cpufreq", m_no_cpufreq, "governor", LEVEL_INFO, "unknown: no cpufreq", "", NULL},
    {"smt on", m_none, "smt", LEVEL_INFO, "SMT on: 16 threads on 8 cores", "whole cores", NULL},
    {"smt off", m_smt_off, "smt", LEVEL_PASS, "SMT off", "", NULL},
    {"no smt", m_smt_none, "smt", LEVEL_PASS, "no SMT", "", NULL},
    {"smt unknown", m_smt_unknown, "smt", LEVEL_INFO, "unknown", "", NULL},
    {"sets agree", m_none, "isolation-sets", LEVEL_PASS, "agree: 1-3,5-7,9-11,13-15", "", NULL},
    {"nohz differs", m_nohz_differs, "isolation-sets", LEVEL_WARN, "nohz_full 2-3,6-7,10-11,14-15",
     "same CPU list", NULL},
    {"rcu differs", m_rcu_differs, "isolation-sets", LEVEL_WARN, "rcu_nocbs 1-7 differ", "", NULL},
    {"no isolation", m_no_isolation, "isolation-sets", LEVEL_INFO, "no CPU isolation",
     "isolcpus=", NULL},
    {"isolation unknown", m_isolation_unknown, "isolation-sets", LEVEL_INFO, "unknown", "", NULL},
    {"isolcpus without rcu_nocbs", m_isolcpus_only, "isolation-sets", LEVEL_WARN,
     "isolcpus 2-3, nohz_full ?, rcu_nocbs none differ", "", NULL},
    {"nohz_full unknown", m_nohz_unknown, "isolation-sets", LEVEL_INFO,
     "nohz_full ?, rcu_nocbs 1-3,5-7,9-11,13-15: no conflict", "", NULL},
    {"nohz_full only, isolcpus unknown", m_nohz_only, "isolation-sets", LEVEL_INFO,
     "isolcpus ?, nohz_full 2-3, rcu_nocbs none: no conflict", "", NULL},
    {"rcu_nocbs covers", m_none, "nohz-rcu-nocbs", LEVEL_PASS, "covers", "", NULL},
    {"nohz without rcu_nocbs", m_nohz_no_rcu, "nohz-rcu-nocbs", LEVEL_INFO,
     "nohz_full CPUs 1-3,5-7,9-11,13-15 not in rcu_nocbs", "rcu_nocbs=1-3", NULL},
    {"whole cores", m_none, "isolation-smt", LEVEL_PASS, "whole cores", "", NULL},
    {"split SMT pair", m_split_pair, "isolation-smt", LEVEL_WARN,
     "isolated CPUs 2 have SMT siblings 10", "add 10", NULL},
    {"no core ids", m_no_core_ids, "isolation-smt", LEVEL_INFO,
     "unknown: SMT siblings of isolated CPUs 2", "", NULL},
    {"housekeeping", m_none, "isolation-housekeeping", LEVEL_PASS, "housekeeping CPUs 0,4,8,12", "",
     NULL},
    {"CPU 0 isolated", m_iso_cpu0, "isolation-housekeeping", LEVEL_WARN,
     "CPU 0 isolated; node 0 has no housekeeping", "CPU 0", NULL},
    {"node 1 all isolated", m_iso_node1, "isolation-housekeeping", LEVEL_WARN,
     "node 1 has no housekeeping CPU", "one core per node", NULL},
    {"all isolated", m_iso_all, "isolation-housekeeping", LEVEL_WARN, "every CPU is isolated", "",
     NULL},
    {"irqbalance off", m_none, "irqbalance", LEVEL_PASS, "not running", "", NULL},
    {"irqbalance vs isolation", m_irqbalance, "irqbalance", LEVEL_WARN,
     "running while CPUs 1-3,5-7,9-11,13-15", "IRQBALANCE_BANNED_CPULIST=1-3,5-7,9-11,13-15", NULL},
    {"irqbalance, no isolation", m_irqbalance_no_iso, "irqbalance", LEVEL_PASS,
     "running, no isolated", "", NULL},
    {"irqbalance unknown", m_irqbalance_unknown, "irqbalance", LEVEL_INFO,
     "unknown: not the live host", "", NULL},
    /* IOMMU and NICs */
    {"iommu=pt", m_none, "iommu-pt", LEVEL_PASS, "iommu=pt", "", NULL},
    {"iommu.passthrough=1", m_pt_generic, "iommu-pt", LEVEL_PASS, "passthrough", "", NULL},
    {"no pt with SR-IOV", m_no_pt, "iommu-pt", LEVEL_WARN, "no iommu=pt with SR-IOV", "iommu=pt",
     NULL},
    {"no pt", m_no_pt_no_sriov, "iommu-pt", LEVEL_INFO, "no iommu=pt: host DMA", "iommu=pt", NULL},
    {"pt unknown", m_pt_unknown, "iommu-pt", LEVEL_INFO, "unknown: no proc/cmdline", "", NULL},
    {"irq remap", m_none, "irq-remap", LEVEL_PASS, "remapping supported", "", NULL},
    {"no irq remap", m_no_remap, "irq-remap", LEVEL_WARN, "without interrupt remapping",
     "intremap=off", NULL},
    {"irq remap unknown", m_remap_unknown, "irq-remap", LEVEL_INFO, "unknown", "", NULL},
    {"sriov", m_none, "sriov", LEVEL_PASS, "ens1f0 8/64", "", NULL},
    {"sriov 0 VFs", m_no_vfs, "sriov", LEVEL_INFO, "0 VFs enabled: ens1f0 (64)", "sriov_numvfs",
     NULL},
    {"no sriov", m_no_sriov, "sriov", LEVEL_INFO, "no SR-IOV capable NIC among 2", "", NULL},
    {"no nics", m_no_nics, "sriov", LEVEL_INFO, "no PCI network interfaces", "", NULL},
    {"nic nodes", m_none, "nic-numa", LEVEL_PASS, "ens1f0 node 0, ens2f0 node 1", "", NULL},
    {"nic node -1", m_nic_no_node, "nic-numa", LEVEL_WARN, "2-node host: ens2f0", "BIOS", NULL},
    /* NUMA and TLB */
    {"distances", m_none, "numa-distances", LEVEL_PASS, "2 nodes (largest 21)", "", NULL},
    {"no distances", m_no_distances, "numa-distances", LEVEL_INFO,
     "unknown: no 'sys/devices/system/node/node0/distance'", "", NULL},
    {"nodes", m_none, "numa-nodes", LEVEL_PASS, "every node has CPUs and memory", "", NULL},
    {"cpu-less node", m_cpuless_node, "numa-nodes", LEVEL_INFO,
     "CPU-less nodes 250; memory-less nodes none", "", NULL},
    {"memory-less node", m_memless_node, "numa-nodes", LEVEL_INFO,
     "CPU-less nodes none; memory-less nodes 1", "", NULL},
    {"node memory unknown", m_node_mem_unknown, "numa-nodes", LEVEL_INFO, "unknown", "", NULL},
    {"firmware NUMA bug", m_numa_inconsistent, "numa-nodes", LEVEL_FAIL,
     "NUMA layout inconsistent: nodes 0-1 claim the same CPUs 0-15", "SRAT", NULL},
    {"tlb", m_none, "tlb-shootdowns", LEVEL_INFO,
     "12000 since boot, 9600 on isolated CPUs, most on CPU 15", "", NULL},
    {"tlb, no isolation", m_tlb_no_iso, "tlb-shootdowns", LEVEL_INFO,
     "12000 since boot on 16 CPUs, most on CPU 15 (1500)", "", NULL},
    {"tlb unknown", m_tlb_unknown, "tlb-shootdowns", LEVEL_INFO, "unknown: no TLB row", "", NULL},
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct check_case *c = &cases[i];
		const struct finding *f;
		struct finding *all;
		struct host h;
		size_t n;

		host_good(&h);
		c->mod(&h);
		all = run(&h, &n);
		f = find(all, n, c->id);
		if (!f)
			fail_msg("case '%s': no finding '%s'", c->name, c->id);
		if (f->level != c->level)
			fail_msg("case '%s': '%s' is %s, want %s: %s", c->name, c->id,
				 level_str(f->level), level_str(c->level), f->what);
		if (!strstr(f->what, c->what))
			fail_msg("case '%s': '%s' what lacks '%s': %s", c->name, c->id, c->what,
				 f->what);
		if (!strstr(f->fix, c->fix))
			fail_msg("case '%s': '%s' fix lacks '%s': %s", c->name, c->id, c->fix,
				 f->fix);
		if (c->vhv && strcmp(f->vhv, c->vhv) != 0)
			fail_msg("case '%s': '%s' vhv is '%s', want '%s'", c->name, c->id, f->vhv,
				 c->vhv);
		free(all);
		host_release(&h);
	}
}

/* Checks that do not apply give no finding at all. */
static void test_not_applicable(void **state)
{
	static const struct {
		const char *name;
		void (*mod)(struct host *);
		const char *id;
	} absent[] = {
	    {"no /dev/kvm: nothing to open", m_no_kvm_module, "kvm-access"},
	    {"x86: no PowerPC module line", m_none, "kvm-hv"},
	    {"no VT-x: no EPT", m_no_virt, "ept-npt"},
	    {"no VT-x: no nested", m_no_virt, "nested"},
	    {"AMD: no VPID", m_amd, "vpid"},
	    {"arm: no pdpe1gb", m_arm, "pdpe1gb"},
	    {"one node: no NIC locality", m_one_node, "nic-numa"},
	    {"one node: no distances", m_one_node, "numa-distances"},
	    {"one node: no node list", m_one_node, "numa-nodes"},
	    {"one node: no per-node hugepages", m_one_node, "hugepages-nodes"},
	    {"no isolation: no SMT split", m_no_isolation, "isolation-smt"},
	    {"no isolation: no housekeeping", m_no_isolation, "isolation-housekeeping"},
	    {"no nohz_full: no rcu_nocbs", m_no_isolation, "nohz-rcu-nocbs"},
	    {"no IOMMU, no SR-IOV: no iommu=pt", m_no_iommu_no_sriov, "iommu-pt"},
	    {"IOMMU off: no remapping", m_no_groups, "irq-remap"},
	    {"nothing reserved: hugepages warns", m_no_hugepages, "hugepages-nodes"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(absent); i++) {
		struct finding *all;
		const struct finding *f;
		struct host h;
		size_t n;

		host_good(&h);
		absent[i].mod(&h);
		all = run(&h, &n);
		f = find(all, n, absent[i].id);
		if (f)
			fail_msg("case '%s': unexpected '%s' %s: %s", absent[i].name, f->id,
				 level_str(f->level), f->what);
		free(all);
		host_release(&h);
	}
}

static void test_good_host_passes(void **state)
{
	struct finding *f;
	struct host h;
	size_t n;

	(void)state;
	host_good(&h);
	f = run(&h, &n);
	assert_true(n >= 40);
	for (size_t i = 0; i < n; i++) {
		bool info = strcmp(f[i].id, "smt") == 0 || strcmp(f[i].id, "tlb-shootdowns") == 0;
		bool warn = strcmp(f[i].id, "secure-guest") == 0;

		if (f[i].level != (info ? LEVEL_INFO : warn ? LEVEL_WARN : LEVEL_PASS))
			fail_msg("'%s' is %s: %s", f[i].id, level_str(f[i].level), f[i].what);
	}
	free(f);
	host_release(&h);
}

struct vhv_line {
	const char *vhv;
	enum level level;
};

static void expect_vhv(const struct host *h, const struct vhv_line *want, size_t nwant)
{
	struct finding *f;
	size_t n, k = 0;
	bool own = false;

	f = run(h, &n);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(f[i].id, "kvm-usable") == 0)
			own = true; /* hvtune's own checks start here */
		if (f[i].vhv[0] == '\0')
			continue;
		if (own)
			fail_msg("'%s' answers '%s' after hvtune's own checks", f[i].id, f[i].vhv);
		if (k >= nwant)
			fail_msg("extra virt-host-validate line '%s'", f[i].vhv);
		if (strcmp(f[i].vhv, want[k].vhv) != 0 || f[i].level != want[k].level)
			fail_msg("line %zu: '%s' %s, want '%s' %s", k, f[i].vhv,
				 level_str(f[i].level), want[k].vhv, level_str(want[k].level));
		k++;
	}
	assert_int_equal(k, nwant);
	free(f);
}

/* `virt-host-validate qemu` on the machine these tests were written on */
static void test_vhv_this_machine(void **state)
{
	static const struct vhv_line want[] = {
	    {"Checking for hardware virtualization", LEVEL_FAIL},
	    {"Checking if device /dev/vhost-net exists", LEVEL_WARN},
	    {"Checking if device /dev/net/tun exists", LEVEL_PASS},
	    {"Checking for cgroup 'cpu' controller support", LEVEL_PASS},
	    {"Checking for cgroup 'cpuacct' controller support", LEVEL_PASS},
	    {"Checking for cgroup 'cpuset' controller support", LEVEL_PASS},
	    {"Checking for cgroup 'memory' controller support", LEVEL_PASS},
	    {"Checking for cgroup 'devices' controller support", LEVEL_PASS},
	    {"Checking for cgroup 'blkio' controller support", LEVEL_PASS},
	    {"Checking for device assignment IOMMU support", LEVEL_WARN},
	    {"Checking for secure guest support", LEVEL_WARN},
	};
	struct host h;

	(void)state;
	host_this_machine(&h);
	expect_vhv(&h, want, ARRAY_LEN(want));
	host_release(&h);
}

/* A healthy Intel host: every line, in virt-host-validate-qemu.c's order. */
static void test_vhv_intel_order(void **state)
{
	static const struct vhv_line want[] = {
	    {"Checking for hardware virtualization", LEVEL_PASS},
	    {"Checking if device /dev/kvm exists", LEVEL_PASS},
	    {"Checking if device /dev/kvm is accessible", LEVEL_PASS},
	    {"Checking if device /dev/vhost-net exists", LEVEL_PASS},
	    {"Checking if device /dev/net/tun exists", LEVEL_PASS},
	    {"Checking for cgroup 'cpu' controller support", LEVEL_PASS},
	    {"Checking for cgroup 'cpuacct' controller support", LEVEL_PASS},
	    {"Checking for cgroup 'cpuset' controller support", LEVEL_PASS},
	    {"Checking for cgroup 'memory' controller support", LEVEL_PASS},
	    {"Checking for cgroup 'devices' controller support", LEVEL_PASS},
	    {"Checking for cgroup 'blkio' controller support", LEVEL_PASS},
	    {"Checking for device assignment IOMMU support", LEVEL_PASS},
	    {"Checking if IOMMU is enabled by kernel", LEVEL_PASS},
	    {"Checking for secure guest support", LEVEL_WARN},
	};
	struct host h;

	(void)state;
	host_good(&h);
	expect_vhv(&h, want, ARRAY_LEN(want));
	host_release(&h);
}

/* vmx but no /dev/kvm: virt-host-validate FAILs it and skips "accessible";
 * no DMAR: it WARNs and stops before the kernel IOMMU line. */
static void test_vhv_vmx_without_kvm(void **state)
{
	static const struct vhv_line want[] = {
	    {"Checking for hardware virtualization", LEVEL_PASS},
	    {"Checking if device /dev/kvm exists", LEVEL_FAIL},
	    {"Checking if device /dev/vhost-net exists", LEVEL_PASS},
	    {"Checking if device /dev/net/tun exists", LEVEL_PASS},
	    {"Checking for cgroup 'cpu' controller support", LEVEL_PASS},
	    {"Checking for cgroup 'cpuacct' controller support", LEVEL_PASS},
	    {"Checking for cgroup 'cpuset' controller support", LEVEL_PASS},
	    {"Checking for cgroup 'memory' controller support", LEVEL_PASS},
	    {"Checking for cgroup 'devices' controller support", LEVEL_PASS},
	    {"Checking for cgroup 'blkio' controller support", LEVEL_PASS},
	    {"Checking for device assignment IOMMU support", LEVEL_WARN},
	    {"Checking for secure guest support", LEVEL_WARN},
	};
	struct host h;

	(void)state;
	host_good(&h);
	m_no_kvm_module(&h);
	m_no_dmar(&h);
	h.virt.secure_guest = TRI_UNKNOWN;
	expect_vhv(&h, want, ARRAY_LEN(want));
	host_release(&h);
}

/* A host of which nothing is known but its CPUs: no PASS, no FAIL. */
static void test_unknown_never_passes_or_fails(void **state)
{
	struct finding *f;
	struct host h;
	size_t n;

	(void)state;
	host_make(&h, 1, 2, 1);
	f = run(&h, &n);
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		if (f[i].level == LEVEL_PASS || f[i].level == LEVEL_FAIL)
			fail_msg("'%s' is %s on an unknown host: %s", f[i].id,
				 level_str(f[i].level), f[i].what);
		if (!strstr(f[i].what, "unknown") && strcmp(f[i].id, "sriov") != 0)
			fail_msg("'%s' does not say unknown: %s", f[i].id, f[i].what);
	}
	free(f);
	host_release(&h);

	memset(&h, 0, sizeof(h)); /* not even CPUs: still no crash */
	h.mem.swappiness = -1;
	f = run(&h, &n);
	free(f);
}

/* @text cut to @size, as a probe's *_why buffer would hold it */
static void fill(char *dst, size_t size, const char *text)
{
	snprintf(dst, size, "%.*s", (int)size - 1, text);
}

/* Long lists and long reasons still give one terminal line per finding. */
static void test_lines_fit_a_terminal(void **state)
{
	static const char long_why[] =
	    "cannot open 'tmp/hvtune-fixture-XXXXXX/"
	    "a-very-long-capture-name/sys/devices/system/node/node0/distance': "
	    "Permission denied (and then some more words to fill the line)";
	struct finding *f;
	struct host h;
	size_t n;

	(void)state;
	host_make(&h, 8, 16, 2); /* 256 CPUs */
	snprintf(h.topo.arch, sizeof(h.topo.arch), "x86_64");
	h.virt.vmx = TRI_YES;
	h.virt.kvm_dev = h.virt.kvm_usable = TRI_NO;
	h.virt.secure_guest = TRI_NO;
	fill(h.virt.kvm_why, sizeof(h.virt.kvm_why), long_why);
	fill(h.virt.secure_why, sizeof(h.virt.secure_why), long_why);
	fill(h.virt.cgroups_why, sizeof(h.virt.cgroups_why), long_why);
	fill(h.virt.iommu_why, sizeof(h.virt.iommu_why), long_why);
	fill(h.topo.distances_why, sizeof(h.topo.distances_why), long_why);
	fill(h.mem.hugepages_why, sizeof(h.mem.hugepages_why), long_why);
	h.kern.isolated_known = h.kern.nohz_full_known = h.kern.cmdline_known = true;
	for (unsigned i = 1; i < 128; i += 2) { /* siblings are i + 128: split pairs everywhere */
		idset_add(&h.kern.isolated, i);
		if (i % 3)
			idset_add(&h.kern.nohz_full, i);
		if (i % 5)
			idset_add(&h.kern.rcu_nocbs, i);
	}
	h.kern.irqbalance = TRI_YES;
	for (size_t i = 0; i < h.ncpus; i++)
		snprintf(h.cpus[i].governor, sizeof(h.cpus[i].governor),
			 i % 3 ? "powersave" : "ondemand");
	for (unsigned i = 0; i < 12; i++) {
		char name[32];

		snprintf(name, sizeof(name), "enp%us0f%u", 100 + i, i);
		add_nic(&h, name, "0000:3b:00.0", i % 2 ? -1 : (int)(i % 8), 64, i % 3);
	}
	h.mem.npools = 4;
	for (size_t p = 0; p < 4; p++) {
		set_pool(&h.mem.pools[p], UINT64_C(64) << (p * 9), 123456789);
		for (size_t nd = 0; nd < h.nnodes; nd++) {
			h.nodes[nd].npools = 4;
			set_pool(&h.nodes[nd].pools[p], UINT64_C(64) << (p * 9), 1000000 * nd);
		}
	}
	f = run(&h, &n); /* run() fails on any what >= 100 chars */
	assert_non_null(find(f, n, "isolation-smt"));
	assert_int_equal(find(f, n, "isolation-smt")->level, LEVEL_WARN);
	free(f);
	host_release(&h);
}

static void test_level_str(void **state)
{
	(void)state;
	assert_string_equal(level_str(LEVEL_PASS), "PASS");
	assert_string_equal(level_str(LEVEL_INFO), "INFO");
	assert_string_equal(level_str(LEVEL_WARN), "WARN");
	assert_string_equal(level_str(LEVEL_FAIL), "FAIL");
	assert_string_equal(level_str(LEVEL_COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_not_applicable),
	    cmocka_unit_test(test_good_host_passes),
	    cmocka_unit_test(test_vhv_this_machine),
	    cmocka_unit_test(test_vhv_intel_order),
	    cmocka_unit_test(test_vhv_vmx_without_kvm),
	    cmocka_unit_test(test_unknown_never_passes_or_fails),
	    cmocka_unit_test(test_lines_fit_a_terminal),
	    cmocka_unit_test(test_level_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
