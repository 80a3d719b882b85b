/* test_virt.c - virt_probe(): cpuinfo flags, KVM, devices, cgroups, IOMMU, secure guests, NICs */
#include "tests/facts_tu.h"

#include <stdio.h>
#include <string.h>

#define Y TRI_YES
#define N TRI_NO
#define U TRI_UNKNOWN

/* ---- synthetic trees ---- */

static const char cpuinfo_vmx_new[] =
    "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Test VT-x CPU\n"
    "flags\t\t: fpu pse lm vmx ept vpid flexpriority pdpe1gb\n"
    "vmx flags\t: vnmi ept vpid unrestricted_guest posted_intr apicv flexpriority\n\n";
static const char cpuinfo_vmx_old[] =
    "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Old VT-x CPU\n"
    "flags\t\t: fpu lm vmx tpr_shadow vnmi flexpriority ept vpid\n\n";
static const char cpuinfo_svm[] =
    "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: Test AMD-V CPU\n"
    "flags\t\t: fpu lm svm npt avic pdpe1gb\n\n";
static const char cpuinfo_svm_sev[] =
    "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: Test SEV CPU\n"
    "flags\t\t: fpu lm svm npt sme sev sev_es\n\n";
static const char cpuinfo_guest[] =
    "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Guest CPU\n"
    "flags\t\t: fpu lm hypervisor\n\n";
static const char cpuinfo_plain[] =
    "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: No VT-x CPU\n"
    "flags\t\t: fpu lm\n\n";

static void probe_tree(const struct ft_file *f, size_t n, struct host *h, char *dir, size_t size)
{
	struct err e = ERR_INIT;

	ft_tree(dir, size, f, n);
	ft_host_init(h);
	assert_ok(ft_probe1(dir, virt_probe, h, &e), e);
}

static void test_iommu_present(void **state)
{
	static const struct ft_file f[] = {
	    {"/proc/cpuinfo", cpuinfo_vmx_new, NULL},
	    {"/sys/firmware/acpi/tables/APIC", "", NULL},
	    {"/sys/firmware/acpi/tables/DMAR", "", NULL},
	    {"/sys/kernel/iommu_groups/0/devices", NULL, NULL},
	    {"/sys/kernel/iommu_groups/1/devices", NULL, NULL},
	    {"/sys/kernel/iommu_groups/2/devices", NULL, NULL},
	    {"/sys/kernel/iommu_groups/17/devices", NULL, NULL},
	    {"/sys/devices/virtual/iommu/dmar0/intel-iommu/ecap", "f020df\n", NULL},
	    {"/sys/class/iommu/dmar0", NULL, "../../devices/virtual/iommu/dmar0"},
	    {"/sys/bus/pci/devices/0000:00:00.0", NULL, "../../../devices/pci0000:00/0000:00:00.0"},
	};
	struct host h;
	char dir[4096];
	(void)state;

	probe_tree(f, ARRAY_LEN(f), &h, dir, sizeof(dir));
	assert_int_equal(h.virt.iommu_firmware, Y);
	assert_string_equal(h.virt.iommu_table, "DMAR");
	assert_int_equal(h.virt.iommu, Y);
	assert_int_equal(h.virt.iommu_groups_dir, Y);
	assert_int_equal(h.virt.niommu_groups, 4);
	assert_int_equal(h.virt.niommu_units, 1);
	/* 0xdf has bit 3 (IR) */
	assert_int_equal(h.virt.irq_remap, Y);
	assert_int_equal(h.virt.pci_devices, Y);
	assert_string_equal(h.virt.iommu_why, "");
	host_release(&h);
	tu_rmtree(dir);
}

static void test_iommu_without_irq_remap(void **state)
{
	static const struct ft_file f[] = {
	    {"/proc/cpuinfo", cpuinfo_vmx_new, NULL},
	    {"/sys/firmware/acpi/tables/DMAR", "", NULL},
	    {"/sys/kernel/iommu_groups/0", NULL, NULL},
	    {"/sys/devices/virtual/iommu/dmar0/intel-iommu/ecap", "f020df\n", NULL},
	    {"/sys/devices/virtual/iommu/dmar1/intel-iommu/ecap", "f020d7\n", NULL},
	    {"/sys/class/iommu/dmar0", NULL, "../../devices/virtual/iommu/dmar0"},
	    {"/sys/class/iommu/dmar1", NULL, "../../devices/virtual/iommu/dmar1"},
	};
	struct host h;
	char dir[4096];
	(void)state;

	probe_tree(f, ARRAY_LEN(f), &h, dir, sizeof(dir));
	assert_int_equal(h.virt.niommu_units, 2);
	/* 0xd7 lacks bit 3: one unit without interrupt remapping is enough */
	assert_int_equal(h.virt.irq_remap, N);
	host_release(&h);
	tu_rmtree(dir);
}

static void test_iommu_absent(void **state)
{
	static const struct {
		const char *what;
		struct ft_file f[4];
		enum tri firmware, iommu, groups_dir;
		unsigned ngroups;
		const char *why;
	} cases[] = {
	    {"no DMAR table",
	     {{"/proc/cpuinfo", cpuinfo_vmx_new, NULL},
	      {"/sys/firmware/acpi/tables/APIC", "", NULL},
	      {"/sys/kernel/iommu_groups", NULL, NULL},
	      {"/sys/class/iommu", NULL, NULL}},
	     N,
	     N,
	     Y,
	     0,
	     "no ACPI DMAR table"},
	    {"DMAR but no groups (intel_iommu=off)",
	     {{"/proc/cpuinfo", cpuinfo_vmx_new, NULL},
	      {"/sys/firmware/acpi/tables/DMAR", "", NULL},
	      {"/sys/kernel/iommu_groups", NULL, NULL},
	      {"/sys/class/iommu", NULL, NULL}},
	     Y,
	     N,
	     Y,
	     0,
	     "no IOMMU groups: the IOMMU is not enabled by the kernel"},
	    /* virt-host-validate 9.0 counts groups by the directory's link
	     * count: plain files are not groups */
	    {"files in iommu_groups",
	     {{"/proc/cpuinfo", cpuinfo_vmx_new, NULL},
	      {"/sys/firmware/acpi/tables/DMAR", "", NULL},
	      {"/sys/kernel/iommu_groups/0", "", NULL},
	      {"/sys/kernel/iommu_groups/1", "", NULL}},
	     Y,
	     N,
	     Y,
	     0,
	     "no IOMMU groups: the IOMMU is not enabled by the kernel"},
	    {"AMD: a DMAR table does not count",
	     {{"/proc/cpuinfo", cpuinfo_svm, NULL},
	      {"/sys/firmware/acpi/tables/DMAR", "", NULL},
	      {"/sys/kernel/iommu_groups/0", NULL, NULL},
	      {"/sys/class/iommu", NULL, NULL}},
	     N,
	     Y,
	     Y,
	     1,
	     "no ACPI IVRS table"},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct host h;
		char dir[4096];

		probe_tree(cases[i].f, ARRAY_LEN(cases[i].f), &h, dir, sizeof(dir));
		print_message("%s: firmware=%s iommu=%s why=%s\n", cases[i].what,
			      tri_str(h.virt.iommu_firmware), tri_str(h.virt.iommu),
			      h.virt.iommu_why);
		assert_int_equal(h.virt.iommu_firmware, cases[i].firmware);
		assert_int_equal(h.virt.iommu, cases[i].iommu);
		assert_int_equal(h.virt.iommu_groups_dir, cases[i].groups_dir);
		assert_int_equal(h.virt.niommu_groups, cases[i].ngroups);
		assert_contains(h.virt.iommu_why, cases[i].why);
		host_release(&h);
		tu_rmtree(dir);
	}
}

static void test_iommu_amd(void **state)
{
	static const struct ft_file f[] = {
	    {"/proc/cpuinfo", cpuinfo_svm, NULL},
	    {"/sys/firmware/acpi/tables/IVRS", "", NULL},
	    {"/sys/kernel/iommu_groups/0", NULL, NULL},
	    {"/sys/kernel/iommu_groups/1", NULL, NULL},
	    {"/sys/class/iommu/ivhd0", NULL, NULL},
	};
	struct host h;
	char dir[4096];
	(void)state;

	probe_tree(f, ARRAY_LEN(f), &h, dir, sizeof(dir));
	assert_int_equal(h.virt.iommu_firmware, Y);
	assert_string_equal(h.virt.iommu_table, "IVRS");
	assert_int_equal(h.virt.iommu, Y);
	assert_int_equal(h.virt.niommu_groups, 2);
	/* interrupt remapping is read from Intel DMAR units only */
	assert_int_equal(h.virt.irq_remap, U);
	assert_int_equal(h.virt.npt, Y);
	assert_int_equal(h.virt.avic, Y);
	assert_int_equal(h.virt.ept, N);
	host_release(&h);
	tu_rmtree(dir);
}

static void test_kvm_missing(void **state)
{
	static const struct {
		const char *cpuinfo;
		const char *module; /* a loaded module dir, or NULL */
		const char *why;
	} cases[] = {
	    {cpuinfo_vmx_old, NULL,
	     "vmx flag present but no /dev/kvm: kvm_intel not loaded or VT-x disabled in firmware"},
	    {cpuinfo_vmx_new, NULL,
	     "vmx flag present but no /dev/kvm: kvm_intel is not loaded "
	     "(VT-x is enabled: the kernel lists 'vmx flags')"},
	    {cpuinfo_vmx_new, "/sys/module/kvm_intel/parameters/nested",
	     "kvm_intel is loaded but there is no /dev/kvm: the device node was not created"},
	    {cpuinfo_svm, NULL,
	     "svm flag present but no /dev/kvm: kvm_amd not loaded or AMD-V disabled in firmware"},
	    {cpuinfo_guest, NULL,
	     "no vmx/svm flag and no /dev/kvm: this host is a VM without nested virtualization"},
	    {cpuinfo_plain, NULL,
	     "no vmx/svm flag and no /dev/kvm: VT-x/AMD-V missing or disabled in firmware"},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct ft_file f[] = {
		    {"/proc/cpuinfo", cases[i].cpuinfo, NULL},
		    {"/dev/net/tun", "", NULL},
		    {cases[i].module ? cases[i].module : "/sys/module/kvm/parameters/halt_poll_ns",
		     cases[i].module ? "Y\n" : "200000\n", NULL},
		};
		struct host h;
		char dir[4096];

		probe_tree(f, ARRAY_LEN(f), &h, dir, sizeof(dir));
		assert_int_equal(h.virt.kvm_dev, N);
		assert_int_equal(h.virt.kvm_usable, N);
		assert_string_equal(h.virt.kvm_why, cases[i].why);
		assert_int_equal(h.virt.tun, Y);
		assert_int_equal(h.virt.vhost_net, N);
		assert_string_equal(h.virt.kvm_module, cases[i].module ? "kvm_intel" : "kvm");
		host_release(&h);
		tu_rmtree(dir);
	}
}

static void test_kvm_params(void **state)
{
	static const struct {
		const char *cpuinfo, *module;
		const char *nested, *tdp_name, *tdp, *apicv_name, *apicv;
		enum tri want_nested, want_tdp, want_apicv;
	} cases[] = {
	    {cpuinfo_vmx_new, "kvm_intel", "Y", "ept", "Y", "enable_apicv", "N", Y, Y, N},
	    {cpuinfo_vmx_new, "kvm_intel", "N", "ept", "N", "enable_apicv", "Y", N, N, Y},
	    /* kvm_amd's parameters are ints (older) or bools (newer) */
	    {cpuinfo_svm, "kvm_amd", "1", "npt", "1", "avic", "0", Y, Y, N},
	    {cpuinfo_svm, "kvm_amd", "0", "npt", "Y", "avic", "Y", N, Y, Y},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char p1[128], p2[128], p3[128];
		struct ft_file f[5];
		struct host h;
		char dir[4096];

		snprintf(p1, sizeof(p1), "/sys/module/%s/parameters/nested", cases[i].module);
		snprintf(p2, sizeof(p2), "/sys/module/%s/parameters/%s", cases[i].module,
			 cases[i].tdp_name);
		snprintf(p3, sizeof(p3), "/sys/module/%s/parameters/%s", cases[i].module,
			 cases[i].apicv_name);
		f[0] = (struct ft_file){"/proc/cpuinfo", cases[i].cpuinfo, NULL};
		f[1] = (struct ft_file){"/dev/kvm", "", NULL};
		f[2] = (struct ft_file){p1, cases[i].nested, NULL};
		f[3] = (struct ft_file){p2, cases[i].tdp, NULL};
		f[4] = (struct ft_file){p3, cases[i].apicv, NULL};
		probe_tree(f, ARRAY_LEN(f), &h, dir, sizeof(dir));
		assert_string_equal(h.virt.kvm_module, cases[i].module);
		assert_int_equal(h.virt.kvm_dev, Y);
		/* a capture's /dev/kvm is usable; access belongs to a user there */
		assert_int_equal(h.virt.kvm_usable, Y);
		assert_int_equal(h.virt.kvm_access, U);
		assert_int_equal(h.virt.kvm_api, 0);
		assert_int_equal(h.virt.nested, cases[i].want_nested);
		assert_int_equal(h.virt.kvm_tdp, cases[i].want_tdp);
		assert_int_equal(h.virt.kvm_apicv, cases[i].want_apicv);
		host_release(&h);
		tu_rmtree(dir);
	}
}

static void test_kvm_param_garbage(void **state)
{
	static const struct ft_file f[] = {
	    {"/proc/cpuinfo", cpuinfo_vmx_new, NULL},
	    {"/sys/module/kvm_intel/parameters/nested", "maybe\n", NULL},
	};
	struct err e = ERR_INIT;
	struct host h;
	char dir[4096], want[4200];
	(void)state;

	ft_tree(dir, sizeof(dir), f, ARRAY_LEN(f));
	ft_host_init(&h);
	assert_int_equal(ft_probe1(dir, virt_probe, &h, &e), -1);
	snprintf(want, sizeof(want),
		 "invalid value 'maybe' in '%s/sys/module/kvm_intel/parameters/nested': Invalid "
		 "argument",
		 dir);
	assert_string_equal(e.msg, want);
	host_release(&h);
	tu_rmtree(dir);
}

static void test_nics(void **state)
{
	static const struct ft_file f[] = {
	    {"/proc/cpuinfo", cpuinfo_vmx_new, NULL},
	    /* a PF with SR-IOV on node 1 */
	    {"/sys/devices/pci0000:00/0000:3b:00.0/numa_node", "1\n", NULL},
	    {"/sys/devices/pci0000:00/0000:3b:00.0/sriov_totalvfs", "64\n", NULL},
	    {"/sys/devices/pci0000:00/0000:3b:00.0/sriov_numvfs", "8\n", NULL},
	    {"/sys/devices/pci0000:00/0000:3b:00.0/msi_irqs/120", "msix\n", NULL},
	    {"/sys/devices/pci0000:00/0000:3b:00.0/msi_irqs/121", "msix\n", NULL},
	    {"/sys/devices/pci0000:00/0000:3b:00.0/msi_irqs/122", "msix\n", NULL},
	    {"/sys/devices/pci0000:00/0000:3b:00.0/driver", NULL, "../../../bus/pci/drivers/ixgbe"},
	    {"/sys/devices/pci0000:00/0000:3b:00.0/net/ens1f0/device", NULL,
	     "../../../0000:3b:00.0"},
	    {"/sys/class/net/ens1f0", NULL, "../../devices/pci0000:00/0000:3b:00.0/net/ens1f0"},
	    /* one of its VFs */
	    {"/sys/devices/pci0000:00/0000:3b:10.0/numa_node", "1\n", NULL},
	    {"/sys/devices/pci0000:00/0000:3b:10.0/physfn", NULL, "../0000:3b:00.0"},
	    {"/sys/devices/pci0000:00/0000:3b:10.0/driver", NULL,
	     "../../../bus/pci/drivers/ixgbevf"},
	    {"/sys/devices/pci0000:00/0000:3b:10.0/net/ens1f0v0/device", NULL,
	     "../../../0000:3b:10.0"},
	    {"/sys/class/net/ens1f0v0", NULL, "../../devices/pci0000:00/0000:3b:10.0/net/ens1f0v0"},
	    /* virtio: the PCI device is the parent of virtio2 */
	    {"/sys/devices/pci0000:00/0000:00:03.0/numa_node", "-1\n", NULL},
	    {"/sys/devices/pci0000:00/0000:00:03.0/virtio2/driver", NULL,
	     "../../../../bus/virtio/drivers/virtio_net"},
	    {"/sys/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0/device", NULL,
	     "../../../virtio2"},
	    {"/sys/class/net/eth0", NULL, "../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0"},
	    /* not PCI */
	    {"/sys/devices/virtual/net/lo/mtu", "65536\n", NULL},
	    {"/sys/class/net/lo", NULL, "../../devices/virtual/net/lo"},
	    /* a tree copied without its class links: a directory with a device link */
	    {"/sys/devices/pci0000:80/0000:af:00.1/numa_node", "0\n", NULL},
	    {"/sys/class/net/p2p2/device", NULL, "../../../devices/pci0000:80/0000:af:00.1"},
	};
	struct host h;
	char dir[4096], irqs[64];
	const struct nic *n;
	(void)state;

	probe_tree(f, ARRAY_LEN(f), &h, dir, sizeof(dir));
	assert_int_equal(h.virt.nnics, 4);
	n = &h.virt.nics[0];
	assert_string_equal(n->name, "ens1f0");
	assert_string_equal(n->pci, "0000:3b:00.0");
	assert_string_equal(n->driver, "ixgbe");
	assert_int_equal(n->numa_node, 1);
	assert_int_equal(n->sriov_total, 64);
	assert_int_equal(n->sriov_num, 8);
	assert_false(n->is_vf);
	assert_string_equal(idset_format(&n->irqs, irqs, sizeof(irqs)), "120-122");
	n = &h.virt.nics[1];
	assert_string_equal(n->name, "ens1f0v0");
	assert_string_equal(n->pci, "0000:3b:10.0");
	assert_string_equal(n->driver, "ixgbevf");
	assert_int_equal(n->numa_node, 1);
	assert_int_equal(n->sriov_total, 0);
	assert_true(n->is_vf);
	assert_true(idset_empty(&n->irqs));
	n = &h.virt.nics[2];
	assert_string_equal(n->name, "eth0");
	assert_string_equal(n->pci, "0000:00:03.0");
	assert_string_equal(n->driver, "virtio_net");
	assert_int_equal(n->numa_node, -1);
	n = &h.virt.nics[3];
	assert_string_equal(n->name, "p2p2");
	assert_string_equal(n->pci, "0000:af:00.1");
	assert_string_equal(n->driver, "");
	assert_int_equal(n->numa_node, 0);
	host_release(&h);
	tu_rmtree(dir);
}

static void test_nic_garbage(void **state)
{
	static const struct ft_file f[] = {
	    {"/sys/devices/pci0000:00/0000:3b:00.0/numa_node", "one\n", NULL},
	    {"/sys/devices/pci0000:00/0000:3b:00.0/net/ens1f0/device", NULL,
	     "../../../0000:3b:00.0"},
	    {"/sys/class/net/ens1f0", NULL, "../../devices/pci0000:00/0000:3b:00.0/net/ens1f0"},
	};
	struct err e = ERR_INIT;
	struct host h;
	char dir[4096], want[4300];
	(void)state;

	ft_tree(dir, sizeof(dir), f, ARRAY_LEN(f));
	ft_host_init(&h);
	/* the NIC is listed, its node unknown */
	assert_ok(ft_probe1(dir, virt_probe, &h, &e), e);
	(void)want;
	assert_int_equal(h.virt.nnics, 1);
	assert_int_equal(h.virt.nics[0].numa_node, -1);
	host_release(&h);
	tu_rmtree(dir);
}

static void test_cgroups(void **state)
{
	static const char v1_all[] =
	    "cgroup /sys/fs/cgroup/systemd cgroup rw,nosuid,xattr,name=systemd 0 0\n"
	    "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,cpuacct,cpu 0 0\n"
	    "cgroup /sys/fs/cgroup/cpuset cgroup rw,cpuset 0 0\n"
	    "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n"
	    "cgroup /sys/fs/cgroup/devices cgroup rw,devices 0 0\n"
	    "cgroup /sys/fs/cgroup/blkio cgroup rw,blkio 0 0\n";
	static const struct {
		const char *what, *mounts, *ctrl_path, *ctrl;
		bool known;
		unsigned ctrls, unknown;
		const char *mode, *why;
	} cases[] = {
	    {"v1, all six", v1_all, NULL, NULL, true, 0x3f, 0, "v1", ""},
	    {"v1 without devices and blkio",
	     "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0\n"
	     "cgroup /sys/fs/cgroup/cpuset cgroup rw,cpuset 0 0\n"
	     "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n"
	     "cgroup /sys/fs/cgroup/net_cls cgroup rw,net_cls,net_prio 0 0\n",
	     NULL, NULL, true, CGROUP_CPU | CGROUP_CPUACCT | CGROUP_CPUSET | CGROUP_MEMORY, 0, "v1",
	     ""},
	    {"v1 named hierarchy only",
	     "cgroup /sys/fs/cgroup/systemd cgroup rw,name=systemd 0 0\n", NULL, NULL, true, 0, 0,
	     "", "no cgroup v1 controller mount"},
	    {"v2", "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nsdelegate 0 0\n",
	     "/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n",
	     true, CGROUP_CPU | CGROUP_CPUACCT | CGROUP_CPUSET | CGROUP_MEMORY | CGROUP_BLKIO,
	     CGROUP_DEVICES, "v2", "BPF"},
	    /* the kernel writes "\n" when no controller is enabled: still v2 */
	    {"v2 without controllers", "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n",
	     "/sys/fs/cgroup/cgroup.controllers", "\n", true, CGROUP_CPUACCT, CGROUP_DEVICES, "v2",
	     "BPF"},
	    {"v2, empty file", "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n",
	     "/sys/fs/cgroup/cgroup.controllers", "", true, 0, 0, "", "no cgroup v1"},
	    {"v2, file not captured", "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n", NULL, NULL, true,
	     0, 0x3f, "v2", "cgroup.controllers'"},
	    {"hybrid",
	     "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n"
	     "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n",
	     "/sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n", true,
	     CGROUP_MEMORY | CGROUP_CPUACCT, CGROUP_DEVICES, "hybrid", "BPF"},
	    {"escaped mount point", "cgroup2 /sys/fs/cgroup/my\\040tree cgroup2 rw 0 0\n",
	     "/sys/fs/cgroup/my tree/cgroup.controllers", "memory io\n", true,
	     CGROUP_MEMORY | CGROUP_BLKIO | CGROUP_CPUACCT, CGROUP_DEVICES, "v2", "BPF"},
	    {"no cgroup mounts", "proc /proc proc rw 0 0\n", NULL, NULL, true, 0, 0, "",
	     "no cgroup v1"},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct ft_file f[3] = {
		    {"/proc/cpuinfo", cpuinfo_vmx_new, NULL},
		    {"/proc/mounts", cases[i].mounts, NULL},
		    {cases[i].ctrl_path ? cases[i].ctrl_path : "/proc/cgroups",
		     cases[i].ctrl_path ? cases[i].ctrl : "", NULL},
		};
		struct host h;
		char dir[4096];

		probe_tree(f, ARRAY_LEN(f), &h, dir, sizeof(dir));
		print_message("%s: known=%d ctrls=%#x unknown=%#x mode=%s why=%s\n", cases[i].what,
			      h.virt.cgroups_known, h.virt.cgroup_ctrls, h.virt.cgroup_unknown,
			      h.virt.cgroup_mode, h.virt.cgroups_why);
		assert_int_equal(h.virt.cgroups_known, cases[i].known);
		assert_int_equal(h.virt.cgroup_ctrls, cases[i].ctrls);
		assert_int_equal(h.virt.cgroup_unknown, cases[i].unknown);
		assert_string_equal(h.virt.cgroup_mode, cases[i].mode);
		if (cases[i].why[0])
			assert_contains(h.virt.cgroups_why, cases[i].why);
		else
			assert_string_equal(h.virt.cgroups_why, "");
		host_release(&h);
		tu_rmtree(dir);
	}
}

static void test_cgroups_unknown_without_mounts(void **state)
{
	static const struct ft_file f[] = {{"/proc/cpuinfo", cpuinfo_vmx_new, NULL}};
	struct host h;
	char dir[4096];
	(void)state;

	probe_tree(f, ARRAY_LEN(f), &h, dir, sizeof(dir));
	assert_false(h.virt.cgroups_known);
	assert_contains(h.virt.cgroups_why, "/proc/mounts'");
	host_release(&h);
	tu_rmtree(dir);
}

static void test_secure_guest(void **state)
{
	static const struct {
		const char *cpuinfo, *sev_param; /* NULL: no kvm_amd sev parameter */
		bool dev_sev;
		enum tri want;
		const char *why;
	} cases[] = {
	    {cpuinfo_svm_sev, "Y\n", true, Y, ""},
	    {cpuinfo_svm_sev, "1\n", true, Y, ""},
	    {cpuinfo_svm_sev, "0\n", true, N, "AMD SEV disabled in the kernel: add kvm_amd.sev=1"},
	    {cpuinfo_svm_sev, "N\n", true, N, "AMD SEV disabled in the kernel"},
	    {cpuinfo_svm_sev, "Y\n", false, N, "AMD SEV disabled in firmware (no /dev/sev)"},
	    {cpuinfo_svm_sev, NULL, true, N, "AMD SEV not supported by the running kernel"},
	    {cpuinfo_svm, "Y\n", true, U, "no AMD SEV or IBM Secure Execution"},
	    {cpuinfo_vmx_new, NULL, true, U, "no AMD SEV or IBM Secure Execution"},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct ft_file f[4] = {
		    {"/proc/cpuinfo", cases[i].cpuinfo, NULL},
		    {cases[i].dev_sev ? "/dev/sev" : "/dev/null", "", NULL},
		    {"/sys/module/kvm/parameters/halt_poll_ns", "200000\n", NULL},
		    /* without a sev parameter, kvm_amd is there with others */
		    {cases[i].sev_param ? "/sys/module/kvm_amd/parameters/sev"
					: "/sys/module/kvm_amd/parameters/npt",
		     cases[i].sev_param ? cases[i].sev_param : "1\n", NULL},
		};
		struct host h;
		char dir[4096];

		probe_tree(f, ARRAY_LEN(f), &h, dir, sizeof(dir));
		print_message("case %zu: secure=%s why=%s\n", i, tri_str(h.virt.secure_guest),
			      h.virt.secure_why);
		assert_int_equal(h.virt.secure_guest, cases[i].want);
		if (cases[i].why[0])
			assert_contains(h.virt.secure_why, cases[i].why);
		assert_int_equal(h.virt.sev_dev, cases[i].dev_sev ? Y : N);
		host_release(&h);
		tu_rmtree(dir);
	}
}

/*
 * virt-host-validate 9.0 reads cpuinfo in 1024-byte fgets() chunks and cuts
 * the last byte of each: a "sev" past byte 1022 is invisible to it, and a
 * "sev_es" cut at byte 1022 reads as "sev".  (Checked by running
 * virt-host-validate 9.0 on such a cpuinfo in a private mount namespace.)
 */
static void test_vhv_flags(void **state)
{
	static const struct {
		size_t pos; /* where the last word starts on the flags line */
		const char *last;
		enum tri sev;
		bool vhv_sev;
	} cases[] = {
	    {100, "sev", Y, true},	{1019, "sev", Y, true}, /* ends at byte 1021: still seen */
	    {1020, "sev", Y, false},				/* its last byte is the one cut */
	    {1100, "sev", Y, false},	{1019, "sev_es", N, true}, /* cut to "sev" */
	    {1100, "sev_es", N, false},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char flags[2048], cpuinfo[2300];
		struct ft_file f[1];
		struct host h;
		char dir[4096];
		size_t len;

		/* "flags\t\t: svm xxxx...x <last>\n" with <last> at cases[i].pos */
		len = (size_t)snprintf(flags, sizeof(flags), "flags\t\t: fpu lm svm ");
		while (len < cases[i].pos - 1)
			flags[len++] = 'x';
		flags[len++] = ' ';
		snprintf(flags + len, sizeof(flags) - len, "%s", cases[i].last);
		assert_int_equal(strstr(flags, cases[i].last) - flags, (long)cases[i].pos);
		snprintf(cpuinfo, sizeof(cpuinfo),
			 "processor\t: 0\nvendor_id\t: AuthenticAMD\n%s\n\n", flags);
		f[0] = (struct ft_file){"/proc/cpuinfo", cpuinfo, NULL};
		probe_tree(f, 1, &h, dir, sizeof(dir));
		assert_int_equal(h.virt.svm, Y);
		assert_int_equal(h.virt.sev, cases[i].sev);
		assert_true(h.virt.vhv_flags & VHV_FLAG_SVM);
		assert_int_equal(!!(h.virt.vhv_flags & VHV_FLAG_SEV), cases[i].vhv_sev);
		host_release(&h);
		tu_rmtree(dir);
	}
}

static void test_cpuinfo_bad(void **state)
{
	struct host h;
	char dir[4096];
	(void)state;

	/* cut in the middle of the flags line, no newline */
	{
		static const struct ft_file f[] = {
		    {"/proc/cpuinfo",
		     "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vmx ep", NULL},
		};

		probe_tree(f, ARRAY_LEN(f), &h, dir, sizeof(dir));
		assert_int_equal(h.virt.vmx, U);
		assert_int_equal(h.virt.ept, U);
		assert_contains(h.virt.flags_why, "ends mid-line before a complete 'flags' line");
		assert_string_equal(h.topo.arch, "");
		host_release(&h);
		tu_rmtree(dir);
	}
	/* cut after a complete flags line: the flags stand */
	{
		static const struct ft_file f[] = {
		    {"/proc/cpuinfo",
		     "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: X\n"
		     "flags\t\t: fpu lm vmx ept\n\nprocessor\t: 1\nvendor_id\t: Genu",
		     NULL},
		};

		probe_tree(f, ARRAY_LEN(f), &h, dir, sizeof(dir));
		assert_int_equal(h.virt.vmx, Y);
		assert_int_equal(h.virt.ept, Y);
		assert_string_equal(h.topo.arch, "x86_64");
		host_release(&h);
		tu_rmtree(dir);
	}
	/* garbage: no crash, nothing known */
	{
		static const struct ft_file f[] = {
		    {"/proc/cpuinfo", "\x01\x02 no colon here\n:::: \n: : :\nflags\n", NULL},
		};

		probe_tree(f, ARRAY_LEN(f), &h, dir, sizeof(dir));
		assert_int_equal(h.virt.vmx, U);
		assert_contains(h.virt.flags_why, "no 'flags' line in");
		host_release(&h);
		tu_rmtree(dir);
	}
	/* a directory or FIFO where the file belongs: as absent as a missing one */
	ft_not_a_file(virt_probe, "/proc/cpuinfo", 0, offsetof(struct host, virt.flags_why));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_iommu_present),
	    cmocka_unit_test(test_iommu_without_irq_remap),
	    cmocka_unit_test(test_iommu_absent),
	    cmocka_unit_test(test_iommu_amd),
	    cmocka_unit_test(test_kvm_missing),
	    cmocka_unit_test(test_kvm_params),
	    cmocka_unit_test(test_kvm_param_garbage),
	    cmocka_unit_test(test_nics),
	    cmocka_unit_test(test_nic_garbage),
	    cmocka_unit_test(test_cgroups),
	    cmocka_unit_test(test_cgroups_unknown_without_mounts),
	    cmocka_unit_test(test_secure_guest),
	    cmocka_unit_test(test_vhv_flags),
	    cmocka_unit_test(test_cpuinfo_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
