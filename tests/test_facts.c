/* test_facts.c - virt/mem/kern/tlb facts of the real captures, a real /proc/interrupts,
 * a real CPUID dump, and the live host against what the shell and virt-host-validate see
 *
 * Each capture is unpacked once and all four parts are probed on it; the
 * expected values are copied by hand from hosts/NAME.EXPECTED.txt (and, where
 * EXPECTED.txt is silent, from the capture's own files, as noted).
 */
#include "tests/facts_tu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define Y TRI_YES
#define N TRI_NO
#define U TRI_UNKNOWN

/* ---- the real captures (values by hand from each EXPECTED.txt) ---- */

static const struct virt_case {
	const char *host;
	const char *arch, *vendor, *model;
	enum tri vmx, svm, ept, npt, vpid, hypervisor, pdpe1gb;
	enum tri unrestricted_guest, posted_intr, apicv; /* "vmx flags" */
	const char *flags_why; /* part of flags_why when the flags are unknown */
	const char *tlb_size;  /* cpuinfo "TLB size" */
} virt_cases[] = {
    {"laptop-intel-i7-1370p-hybrid", "x86_64", "GenuineIntel",
     "13th Gen Intel(R) Core(TM) i7-1370P", Y, N, Y, N, Y, N, Y, Y, Y, Y, NULL, ""},
    {"desktop-amd-ryzen5-1600", "x86_64", "AuthenticAMD", "AMD Ryzen 5 1600 Six-Core Processor", N,
     Y, N, Y, N, N, Y, N, N, N, NULL, "2560 4K pages"},
    {"2s-intel-xeon-silver4108-smt", "x86_64", "GenuineIntel",
     "Intel(R) Xeon(R) Silver 4108 CPU @ 1.80GHz", Y, N, Y, N, Y, N, Y, U, U, U, NULL, ""},
    {"4s-intel-xeon-e7-4870-r910", "x86_64", "GenuineIntel",
     "Intel(R) Xeon(R) CPU E7- 4870  @ 2.40GHz", Y, N, Y, N, Y, N, Y, U, U, U, NULL, ""},
    {"4s-amd-opteron6272-r815-8n", "x86_64", "AuthenticAMD", "AMD Opteron(TM) Processor 6272", N, Y,
     N, Y, N, N, Y, N, N, N, NULL, "1536 4K pages"},
    {"2s-amd-epyc-rome-nps1", "", "", "", U, U, U, U, U, U, U, U, U, U,
     "2s-amd-epyc-rome-nps1/proc/cpuinfo'", ""},
    {"arm64-kunpeng920-128c", "aarch64", "HiSilicon", "part 0xd01", U, U, U, U, U, U, U, U, U, U,
     "not an x86 CPU (aarch64)", ""},
    {"ppc64-power7-256t", "ppc64", "IBM", "POWER7 (architected), altivec supported", U, U, U, U, U,
     U, U, U, U, U, "not an x86 CPU (ppc64)", ""},
    {"ppc64-power8-subcores-offline", "ppc64", "IBM", "POWER8E (raw), altivec supported", U, U, U,
     U, U, U, U, U, U, U, "not an x86 CPU (ppc64)", ""},
    {"ppc64-power9-v100-gpumem-nodes", "ppc64", "IBM", "POWER9, altivec supported", U, U, U, U, U,
     U, U, U, U, U, "not an x86 CPU (ppc64)", ""},
};

/* cgroups as the captures' proc/mounts give them (read by hand) */
static const struct cg_case {
	const char *host;
	bool known;
	unsigned ctrls, unknown;
	const char *mode;
} cg_cases[] = {
    {"2s-intel-xeon-silver4108-smt", true, 0x3f, 0, "v1"},
    {"ppc64-power9-v100-gpumem-nodes", true, 0x3f, 0, "v1"},
    /* cgroup2 + v1 mounts of all six; the capture lacks cgroup.controllers */
    {"arm64-kunpeng920-128c", true, 0x3f, 0, "hybrid"},
    /* a 2015 sysvinit host: no cgroup mount at all */
    {"4s-amd-opteron6272-r815-8n", true, 0, 0, ""},
    /* "none /dev/cpuset cgroup ...,cpuset,noprefix": cpuset only */
    {"4s-intel-xeon-e7-4870-r910", true, CGROUP_CPUSET, 0, "v1"},
    /* pure cgroup2 whose cgroup.controllers the capture did not keep */
    {"laptop-intel-i7-1370p-hybrid", true, 0, 0x3f, "v2"},
    {"desktop-amd-ryzen5-1600", false, 0, 0, ""},
    {"2s-amd-epyc-rome-nps1", false, 0, 0, ""},
};

static void rm_unpacked(const char *root)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", root);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	tu_rmtree(dir);
}

static const struct mem_case {
	const char *host;
	bool meminfo_known;
	uint64_t total_kib, hugepage_kib; /* MemTotal, Hugepagesize */
	const char *source;		  /* where the pools come from */
	size_t npools;
	struct {
		uint64_t size_kib, total, free;
	} pools[4];
} mem_cases[] = {
    {"laptop-intel-i7-1370p-hybrid",
     true,
     32489496,
     2048,
     "sysfs",
     2,
     {{2048, 0, 0}, {1048576, 0, 0}}},
    /* no hugepages sysfs: the default size from meminfo */
    {"desktop-amd-ryzen5-1600", true, 32777916, 2048, "meminfo", 1, {{2048, 0, 0}}},
    /* the only capture with reserved pages: 2048 per node, 4096 host-wide */
    {"2s-intel-xeon-silver4108-smt",
     true,
     97445600,
     2048,
     "sysfs",
     2,
     {{2048, 4096, 4096}, {1048576, 0, 0}}},
    {"4s-intel-xeon-e7-4870-r910", true, 529428392, 2048, "sysfs", 1, {{2048, 0, 0}}},
    {"4s-amd-opteron6272-r815-8n", true, 132008776, 2048, "sysfs", 1, {{2048, 0, 0}}},
    {"2s-amd-epyc-rome-nps1", false, 0, 0, "", 0, {{0, 0, 0}}},
    {"arm64-kunpeng920-128c",
     true,
     527031224,
     2048,
     "sysfs",
     4,
     {{64, 0, 0}, {2048, 0, 0}, {32768, 0, 0}, {1048576, 0, 0}}},
    /* 16 MiB default huge pages (POWER hash MMU) */
    {"ppc64-power7-256t", true, 514318208, 16384, "meminfo", 1, {{16384, 0, 0}}},
    {"ppc64-power8-subcores-offline", false, 0, 0, "", 0, {{0, 0, 0}}},
    {"ppc64-power9-v100-gpumem-nodes",
     true,
     358162944,
     2048,
     "sysfs",
     2,
     {{2048, 0, 0}, {1048576, 0, 0}}},
};

/* kernel facts: EXPECTED.txt lists proc/ contents; the values are the files' own */
static const struct kern_case {
	const char *host;
	bool cmdline_known, isolated_known;
	const char *smt, *iommu_opts;
} kern_cases[] = {
    {"laptop-intel-i7-1370p-hybrid", true, true, "on", ""},
    {"desktop-amd-ryzen5-1600", false, false, "", ""},
    {"2s-intel-xeon-silver4108-smt", true, true, "on", ""},
    {"4s-intel-xeon-e7-4870-r910", false, false, "", ""},
    {"4s-amd-opteron6272-r815-8n", false, false, "", ""},
    {"2s-amd-epyc-rome-nps1", false, false, "", ""},
    /* "iommu.passthrough=1 arm_smmu_v3.disable_msipolling=1 root=/dev/sda1 rw ip=dhcp" */
    {"arm64-kunpeng920-128c", true, true, "notimplemented", "iommu.passthrough=1"},
    {"ppc64-power7-256t", false, false, "", ""},
    {"ppc64-power8-subcores-offline", false, false, "", ""},
    {"ppc64-power9-v100-gpumem-nodes", true, true, "", ""},
};

/* TLB geometry: cpuinfo "TLB size" (AMD) and the POWER7 device tree */
static const struct tlb_case {
	const char *host, *geometry, *source;
} tlb_cases[] = {
    {"desktop-amd-ryzen5-1600", "2560 4K pages", "cpuinfo"},
    {"4s-amd-opteron6272-r815-8n", "1536 4K pages", "cpuinfo"},
    /* d-tlb-size 0x200, d-tlb-sets 0x80, i-tlb-size 0x200, i-tlb-sets 0x80 */
    {"ppc64-power7-256t", "d-TLB 512 entries 128 sets; i-TLB 512 entries 128 sets (per core)",
     "device-tree"},
};

static const struct mem_case *find_mem(const char *host)
{
	for (size_t i = 0; i < ARRAY_LEN(mem_cases); i++)
		if (strcmp(mem_cases[i].host, host) == 0)
			return &mem_cases[i];
	fail_msg("no mem case for %s", host);
	return NULL;
}

static const struct kern_case *find_kern(const char *host)
{
	for (size_t i = 0; i < ARRAY_LEN(kern_cases); i++)
		if (strcmp(kern_cases[i].host, host) == 0)
			return &kern_cases[i];
	fail_msg("no kern case for %s", host);
	return NULL;
}

static void check_virt(const struct virt_case *c, const struct host *h)
{
	assert_string_equal(h->topo.arch, c->arch);
	assert_string_equal(h->topo.vendor, c->vendor);
	assert_string_equal(h->topo.model, c->model);
	assert_int_equal(h->virt.vmx, c->vmx);
	assert_int_equal(h->virt.svm, c->svm);
	assert_int_equal(h->virt.ept, c->ept);
	assert_int_equal(h->virt.npt, c->npt);
	assert_int_equal(h->virt.vpid, c->vpid);
	assert_int_equal(h->virt.hypervisor, c->hypervisor);
	assert_int_equal(h->virt.pdpe1gb, c->pdpe1gb);
	assert_int_equal(h->virt.unrestricted_guest, c->unrestricted_guest);
	assert_int_equal(h->virt.posted_intr, c->posted_intr);
	assert_int_equal(h->virt.apicv, c->apicv);
	if (c->flags_why)
		assert_contains(h->virt.flags_why, c->flags_why);
	else
		assert_string_equal(h->virt.flags_why, "");
	if (c->unrestricted_guest == U)
		assert_true(h->virt.vmx_flags_why[0] != '\0');
	assert_string_equal(h->tlb.cpuinfo_tlb_size, c->tlb_size);
	/* none of the captures has /dev or IOMMU data: unknown, with the reason */
	assert_int_equal(h->virt.kvm_dev, U);
	assert_int_equal(h->virt.kvm_usable, U);
	assert_contains(h->virt.kvm_why, "/dev' in this root");
	assert_int_equal(h->virt.vhost_net, U);
	assert_int_equal(h->virt.tun, U);
	assert_int_equal(h->virt.iommu, U);
	assert_int_equal(h->virt.iommu_firmware, U);
	assert_true(h->virt.iommu_why[0] != '\0');
	assert_int_equal(h->virt.secure_guest, U);
	assert_int_equal(h->virt.nnics, 0);
	/* virt-host-validate sees the same vmx/svm: both lie early on the line */
	assert_int_equal(!!(h->virt.vhv_flags & VHV_FLAG_VMX), c->vmx == Y);
	assert_int_equal(!!(h->virt.vhv_flags & VHV_FLAG_SVM), c->svm == Y);
	for (size_t k = 0; k < ARRAY_LEN(cg_cases); k++) {
		const struct cg_case *g = &cg_cases[k];

		if (strcmp(g->host, c->host) != 0)
			continue;
		assert_int_equal(h->virt.cgroups_known, g->known);
		assert_int_equal(h->virt.cgroup_ctrls, g->ctrls);
		assert_int_equal(h->virt.cgroup_unknown, g->unknown);
		assert_string_equal(h->virt.cgroup_mode, g->mode);
		if (!g->known || g->unknown)
			assert_true(h->virt.cgroups_why[0] != '\0');
	}
}

static void check_mem(const struct mem_case *c, const struct host *h)
{
	assert_int_equal(h->mem.meminfo_known, c->meminfo_known);
	assert_int_equal(h->mem.total_kib, c->total_kib);
	assert_int_equal(h->mem.default_hugepage_kib, c->hugepage_kib);
	if (!c->meminfo_known)
		assert_contains(h->mem.meminfo_why, "/proc/meminfo'");
	assert_string_equal(h->mem.hugepages_source, c->source);
	assert_int_equal(h->mem.npools, c->npools);
	for (size_t i = 0; i < c->npools; i++) {
		assert_int_equal(h->mem.pools[i].size_kib, c->pools[i].size_kib);
		assert_int_equal(h->mem.pools[i].total, c->pools[i].total);
		assert_int_equal(h->mem.pools[i].free, c->pools[i].free);
	}
	if (strcmp(c->source, "sysfs") != 0)
		assert_true(h->mem.hugepages_why[0] != '\0');
	/* no capture kept THP, KSM, NUMA balancing or swappiness */
	assert_string_equal(h->mem.thp, "");
	assert_true(h->mem.thp_why[0] != '\0');
	assert_int_equal(h->mem.ksm, U);
	assert_int_equal(h->mem.numa_balancing, U);
	assert_int_equal(h->mem.swappiness, -1);
	assert_true(h->mem.swappiness_why[0] != '\0');
}

static void check_kern(const struct kern_case *c, const struct host *h)
{
	assert_int_equal(h->kern.cmdline_known, c->cmdline_known);
	if (!c->cmdline_known)
		assert_contains(h->kern.cmdline_why, "/proc/cmdline'");
	assert_false(h->kern.isolcpus_given);
	assert_false(h->kern.nohz_full_given);
	assert_int_equal(h->kern.isolated_known, c->isolated_known);
	assert_true(idset_empty(&h->kern.isolated));
	if (!c->isolated_known)
		assert_contains(h->kern.isolated_why, "cpu/isolated'");
	assert_string_equal(h->kern.smt_control, c->smt);
	if (!c->smt[0])
		assert_contains(h->kern.smt_why, "smt/control'");
	assert_string_equal(h->kern.iommu_opts, c->iommu_opts);
	assert_int_equal(h->kern.irqbalance, U);
	assert_string_equal(h->kern.irqbalance_why, "not the live host");
}

static void check_tlb(const char *host, const struct host *h)
{
	const struct tlb_case *c = NULL;

	for (size_t i = 0; i < ARRAY_LEN(tlb_cases); i++)
		if (strcmp(tlb_cases[i].host, host) == 0)
			c = &tlb_cases[i];
	/* EXPECTED.txt: no capture has proc/interrupts or proc/vmstat */
	assert_false(h->tlb.shootdowns_known);
	assert_int_equal(h->tlb.nshootdowns, 0);
	assert_contains(h->tlb.shootdowns_why, "/proc/interrupts'");
	assert_false(h->tlb.vmstat_known);
	assert_contains(h->tlb.vmstat_why, "/proc/vmstat'");
	assert_int_equal(h->tlb.perf, U);
	assert_string_equal(h->tlb.perf_why, "not the live host");
	if (c) {
		assert_string_equal(h->tlb.geometry, c->geometry);
		assert_string_equal(h->tlb.geometry_source, c->source);
	} else {
		assert_string_equal(h->tlb.geometry, "");
		assert_contains(h->tlb.geometry_why, "not the live x86 host");
	}
}

static void test_captures(void **state)
{
	static const ft_part parts[] = {virt_probe, mem_probe, kern_probe, tlb_probe};
	size_t probed = 0;
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(virt_cases); i++) {
		const struct virt_case *c = &virt_cases[i];
		struct err e = ERR_INIT;
		struct host h;
		char root[4096];

		if (!tu_unpack_host(c->host, root, sizeof(root)))
			continue;
		ft_host_init(&h);
		if (ft_probe(root, parts, ARRAY_LEN(parts), &h, &e) < 0)
			fail_msg("%s: %s", c->host, e.msg);
		print_message("%s: arch=%s vmx=%s svm=%s MemTotal=%llu pools=%zu tlb='%s'\n",
			      c->host, h.topo.arch, tri_str(h.virt.vmx), tri_str(h.virt.svm),
			      (unsigned long long)h.mem.total_kib, h.mem.npools, h.tlb.geometry);
		check_virt(c, &h);
		check_mem(find_mem(c->host), &h);
		check_kern(find_kern(c->host), &h);
		check_tlb(c->host, &h);
		host_release(&h);
		rm_unpacked(root);
		probed++;
	}
	if (probed == 0)
		skip();
}

/* extras/: a real /proc/interrupts (prometheus/procfs), SOURCE: 212 137 158 231 */
static void test_real_interrupts(void **state)
{
	static const uint64_t want[] = {212, 137, 158, 231};
	struct err e = ERR_INIT;
	struct host h;
	char root[4096];
	(void)state;

	if (!tu_fixtures()) {
		tu_skip_msg("HVTUNE_FIXTURES is not set: no real /proc/interrupts");
		skip();
	}
	snprintf(root, sizeof(root), "%s/extras/prometheus-procfs-interrupts", tu_fixtures());
	if (access(root, R_OK) != 0) {
		tu_skip_msg("'%s' is absent", root);
		skip();
	}
	ft_host_init(&h);
	assert_ok(ft_probe1(root, tlb_probe, &h, &e), e);
	assert_true(h.tlb.shootdowns_known);
	assert_int_equal(h.tlb.nshootdowns, ARRAY_LEN(want));
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		assert_int_equal(h.tlb.shootdown_cpus[i], i);
		assert_int_equal(h.tlb.shootdowns[i], want[i]);
	}
	assert_false(h.tlb.vmstat_known);
	host_release(&h);
}

/* A CPUID dump in hwloc's format: "mask eax ebx ecx edx => eax ebx ecx edx"
 * (mask bit 0: eax is an input, bit 2: ecx is). */
struct dump {
	size_t n;
	struct {
		uint32_t mask, leaf, sub, regs[4];
	} e[128];
};

static bool dump_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	const struct dump *d = ctx;

	for (size_t i = 0; i < d->n; i++)
		if (d->e[i].leaf == leaf && (!(d->e[i].mask & 4) || d->e[i].sub == subleaf)) {
			memcpy(regs, d->e[i].regs, sizeof(d->e[i].regs));
			return true;
		}
	return false;
}

/* The Opteron 6272 of the R815, from its recorded CPUID leaves: the same
 * TLBs as its cpuinfo "TLB size" (L2 4K: 1024 data + 512 instruction = 1536). */
static void test_cpuid_dump_amd(void **state)
{
	struct dump d = {0};
	char root[4096], path[4200], line[256], out[256], why[HOST_WHY_MAX];
	FILE *f;
	(void)state;

	if (!tu_unpack_host("4s-amd-opteron6272-r815-8n", root, sizeof(root)))
		skip();
	snprintf(path, sizeof(path), "%s/cpuid/pu0", root);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && d.n < ARRAY_LEN(d.e)) {
		unsigned m, a, b, c, x, r0, r1, r2, r3;

		if (sscanf(line, "%x %x %x %x %x => %x %x %x %x", &m, &a, &b, &c, &x, &r0, &r1, &r2,
			   &r3) != 9)
			continue;
		d.e[d.n].mask = m;
		d.e[d.n].leaf = a;
		d.e[d.n].sub = c;
		d.e[d.n].regs[0] = r0;
		d.e[d.n].regs[1] = r1;
		d.e[d.n].regs[2] = r2;
		d.e[d.n].regs[3] = r3;
		d.n++;
	}
	fclose(f);
	assert_true(d.n > 20);
	tlb_cpuid_geometry(dump_cpuid, &d, out, sizeof(out), why, sizeof(why));
	print_message("r815 CPUID: %s\n", out);
	assert_string_equal(out, "L1d 4K 32 full; L1i 4K 48 full; L1d 2M/4M 32 full; "
				 "L1i 2M/4M 24 full; L2d 4K 1024 8-way; L2i 4K 512 4-way; "
				 "L2d 2M/4M 1024 8-way; L1d 1G 32 full; L1i 1G 24 full; "
				 "L2d 1G 1024 8-way");
	assert_string_equal(why, "");
	rm_unpacked(root);
}

/* ---- the live host, against what the shell and virt-host-validate see ---- */

static bool sh_true(const char *cmd)
{
	int status = -1;
	char *out = tu_run(cmd, &status);

	free(out);
	return status == 0;
}

static enum tri sh_tri(const char *cmd)
{
	return sh_true(cmd) ? Y : N;
}

static void test_live_virt(void **state)
{
	static const char *const ctrl_names[] = {
	    "cpu", "cpuacct", "cpuset", "memory", "devices", "blkio",
	};
	static const unsigned ctrl_bits[] = {
	    CGROUP_CPU, CGROUP_CPUACCT, CGROUP_CPUSET, CGROUP_MEMORY, CGROUP_DEVICES, CGROUP_BLKIO,
	};
	struct err e = ERR_INIT;
	struct host h;
	char *vhv, *out;
	int status = -1;
	(void)state;

	ft_host_init(&h);
	assert_ok(ft_probe1("/", virt_probe, &h, &e), e);
	print_message("live: arch=%s vmx=%s svm=%s hypervisor=%s kvm_dev=%s module=%s usable=%s "
		      "api=%d why=%s cgroups=%#x (%s) iommu=%s nics=%zu\n",
		      h.topo.arch, tri_str(h.virt.vmx), tri_str(h.virt.svm),
		      tri_str(h.virt.hypervisor), tri_str(h.virt.kvm_dev), h.virt.kvm_module,
		      tri_str(h.virt.kvm_usable), h.virt.kvm_api, h.virt.kvm_why,
		      h.virt.cgroup_ctrls, h.virt.cgroup_mode, tri_str(h.virt.iommu), h.virt.nnics);
	if (sh_true("grep -q '^flags' /proc/cpuinfo")) {
		assert_int_equal(h.virt.vmx, sh_tri("grep '^flags' /proc/cpuinfo | grep -qw vmx"));
		assert_int_equal(h.virt.svm, sh_tri("grep '^flags' /proc/cpuinfo | grep -qw svm"));
		assert_int_equal(h.virt.hypervisor,
				 sh_tri("grep '^flags' /proc/cpuinfo | grep -qw hypervisor"));
	}
	assert_int_equal(h.virt.kvm_dev, sh_tri("test -e /dev/kvm"));
	assert_int_equal(h.virt.tun, sh_tri("test -e /dev/net/tun"));
	assert_int_equal(h.virt.vhost_net, sh_tri("test -e /dev/vhost-net"));
	if (h.virt.kvm_dev == Y)
		assert_int_equal(h.virt.kvm_access, sh_tri("test -r /dev/kvm -a -w /dev/kvm"));
	if (h.virt.kvm_usable == Y)
		assert_int_equal(h.virt.kvm_api, 12);
	else
		assert_true(h.virt.kvm_why[0] != '\0');
	assert_int_equal(h.virt.iommu_groups_dir, sh_tri("test -d /sys/kernel/iommu_groups"));
	out = tu_run("for n in /sys/class/net/*; do readlink $n; done | "
		     "grep -cE '/[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-9a-f]/' || true",
		     NULL);
	assert_non_null(out);
	assert_int_equal(h.virt.nnics, (size_t)atoi(out));
	free(out);

	/* the cgroup verdicts of virt-host-validate on this very host */
	vhv = access("/usr/bin/virt-host-validate", X_OK) == 0
		  ? tu_run("virt-host-validate qemu 2>&1", &status)
		  : NULL;
	if (!vhv) {
		print_message(
		    "virt-host-validate is not installed: cgroup verdicts not compared\n");
	} else {
		assert_true(h.virt.cgroups_known);
		for (size_t i = 0; i < ARRAY_LEN(ctrl_names); i++) {
			char pat[96];
			const char *line;
			bool pass;

			snprintf(pat, sizeof(pat), "cgroup '%s' controller support", ctrl_names[i]);
			line = strstr(vhv, pat);
			pass = line && strncmp(strchr(line, ':'), ": PASS", 6) == 0;
			print_message("%s: ours %s, virt-host-validate %s\n", ctrl_names[i],
				      h.virt.cgroup_ctrls & ctrl_bits[i] ? "yes" : "no",
				      line ? (pass ? "PASS" : "not PASS") : "(no line)");
			assert_int_equal(!!(h.virt.cgroup_ctrls & ctrl_bits[i]), pass);
		}
		/* no vmx/svm seen: virt-host-validate cannot tell about the IOMMU or secure guests
		 */
		if (!(h.virt.vhv_flags & (VHV_FLAG_VMX | VHV_FLAG_SVM)) &&
		    strcmp(h.topo.arch, "x86_64") == 0)
			assert_non_null(strstr(vhv, "Unknown if this platform has IOMMU support"));
		if (h.virt.secure_guest == U)
			assert_non_null(
			    strstr(vhv, "Unknown if this platform has Secure Guest support"));
		free(vhv);
	}
	host_release(&h);
}

static long sh_long(const char *cmd)
{
	char *out = tu_run(cmd, NULL);
	long v;

	assert_non_null(out);
	v = strtol(out, NULL, 10);
	free(out);
	return v;
}

static char *sh_str(const char *cmd)
{
	char *out = tu_run(cmd, NULL);
	size_t len;

	assert_non_null(out);
	len = strlen(out);
	if (len > 0 && out[len - 1] == '\n')
		out[len - 1] = '\0';
	return out;
}

static void test_live_rest(void **state)
{
	static const ft_part parts[] = {virt_probe, mem_probe, kern_probe, tlb_probe};
	struct err e = ERR_INIT;
	struct host h;
	char *s;
	(void)state;

	ft_host_init(&h);
	ft_cpus(&h, 1);
	assert_ok(ft_probe("/", parts, ARRAY_LEN(parts), &h, &e), e);
	print_message("live: MemTotal=%llu thp=%s pools=%zu cmdline=%.40s... smt=%s irqbalance=%s "
		      "shootdowns=%zu geometry='%s' (%s) perf=%s (%s)\n",
		      (unsigned long long)h.mem.total_kib, h.mem.thp, h.mem.npools, h.kern.cmdline,
		      h.kern.smt_control, tri_str(h.kern.irqbalance), h.tlb.nshootdowns,
		      h.tlb.geometry, h.tlb.geometry_why, tri_str(h.tlb.perf), h.tlb.perf_why);
	/* mem */
	assert_true(h.mem.meminfo_known);
	assert_int_equal(h.mem.total_kib, sh_long("awk '/^MemTotal:/ {print $2}' /proc/meminfo"));
	assert_int_equal(h.mem.default_hugepage_kib,
			 sh_long("awk '/^Hugepagesize:/ {print $2}' /proc/meminfo"));
	assert_int_equal(h.mem.npools,
			 sh_long("ls -d /sys/kernel/mm/hugepages/hugepages-* | wc -l"));
	s = sh_str("sed 's/.*\\[\\(.*\\)\\].*/\\1/' /sys/kernel/mm/transparent_hugepage/enabled "
		   "2>/dev/null");
	assert_string_equal(h.mem.thp, s);
	free(s);
	assert_int_equal(h.mem.swappiness, sh_long("cat /proc/sys/vm/swappiness"));
	/* kern */
	s = sh_str("cat /proc/cmdline");
	assert_string_equal(h.kern.cmdline, s);
	free(s);
	s = sh_str("cat /sys/devices/system/cpu/smt/control 2>/dev/null");
	assert_string_equal(h.kern.smt_control, s);
	free(s);
	s = sh_str("cat /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor 2>/dev/null");
	assert_string_equal(h.cpus[0].governor, s);
	if (!s[0])
		assert_contains(h.kern.governors_why, "no cpufreq");
	free(s);
	assert_int_equal(h.kern.irqbalance,
			 sh_tri("grep -qx irqbalance /proc/[0-9]*/comm 2>/dev/null"));
	/* tlb: the counts only grow, so ours are at most what the shell reads next */
	assert_int_equal(h.tlb.shootdowns_known, sh_true("grep -q '^ *TLB:' /proc/interrupts"));
	if (h.tlb.shootdowns_known) {
		assert_int_equal(
		    h.tlb.nshootdowns,
		    sh_long("awk '/^ *TLB:/ {n = 0; "
			    "for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n++; print n}' "
			    "/proc/interrupts"));
		assert_true(h.tlb.shootdowns[0] <=
			    (uint64_t)sh_long("awk '/^ *TLB:/ {print $2}' /proc/interrupts"));
	}
	assert_int_equal(h.tlb.vmstat_known,
			 sh_true("grep -q '^nr_tlb_remote_flush ' /proc/vmstat"));
	if (h.tlb.geometry[0])
		assert_true(h.tlb.geometry_source[0] != '\0');
	else
		assert_true(h.tlb.geometry_why[0] != '\0');
	assert_int_not_equal(h.tlb.perf, U);
	if (h.tlb.perf == N)
		assert_true(h.tlb.perf_why[0] != '\0');
	host_release(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_captures),	   cmocka_unit_test(test_real_interrupts),
	    cmocka_unit_test(test_cpuid_dump_amd), cmocka_unit_test(test_live_virt),
	    cmocka_unit_test(test_live_rest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
