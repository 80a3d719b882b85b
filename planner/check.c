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
#include "planner/check.h"
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
#define GIB_KIB	  UINT64_C(1048576)

/* virt-host-validate's QEMU lines, as printed after "QEMU: " */
#define VHV_HW_VIRT	 "Checking for hardware virtualization"
#define VHV_KVM_DEV	 "Checking if device /dev/kvm exists"
#define VHV_KVM_ACCESS	 "Checking if device /dev/kvm is accessible"
#define VHV_KVM_HV	 "Checking for PowerPC KVM module loaded"
#define VHV_VHOST_NET	 "Checking if device /dev/vhost-net exists"
#define VHV_TUN		 "Checking if device /dev/net/tun exists"
#define VHV_IOMMU_FW	 "Checking for device assignment IOMMU support"
#define VHV_IOMMU_KERNEL "Checking if IOMMU is enabled by kernel"
#define VHV_SECURE	 "Checking for secure guest support"

struct out {
	struct finding *f;
	size_t n;
};

static const char *const level_names[] = {"PASS", "INFO", "WARN", "FAIL"};
static_assert(ARRAY_LEN(level_names) == LEVEL_COUNT, "one name per level");

const char *level_str(enum level l)
{
	return (unsigned)l < LEVEL_COUNT ? level_names[l] : "?";
}



/* Appends to @buf; what does not fit ends in a visible "...". */


#define WHAT(f, ...) strfmt_set((f)->what, sizeof((f)->what), __VA_ARGS__)
#define WHY(f, ...)  strfmt_set((f)->why, sizeof((f)->why), __VA_ARGS__)
#define FIX(f, ...)  strfmt_set((f)->fix, sizeof((f)->fix), __VA_ARGS__)

static struct finding *add(struct out *o, const char *id, enum level l, const char *vhv)
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
static const char *why_of(const char *why, char *buf, size_t size)
{
	const size_t max = 70;

	if (why[0] == '\0')
		return "not probed";
	if (strlen(why) <= max)
		return why;
	strfmt_set(buf, size, "%.*s...", (int)max - 3, why);
	return buf;
}

#define WHAT_MAX 96	/* a finding's what fits one line with its verdict */

/* What each check judges, so that an unknown finding names its subject. */
static const struct {
	const char *id, *subject;
} subjects[] = {
	{ "hw-virt", "hardware virtualization" }, { "kvm-dev", "/dev/kvm" },
	{ "kvm-access", "/dev/kvm access" }, { "iommu-firmware", "IOMMU in firmware" },
	{ "iommu-kernel", "IOMMU in the kernel" }, { "secure-guest", "secure guests" },
	{ "kvm-usable", "KVM" }, { "ept-npt", "EPT/NPT" }, { "vpid", "VPID" },
	{ "apicv", "APIC virtualization" }, { "nested", "nested virtualization" },
	{ "hypervisor", "running as a guest" }, { "hugepages", "hugepages" },
	{ "hugepages-nodes", "hugepages per node" }, { "pdpe1gb", "1 GiB page support" },
	{ "hugepages-1g", "1 GiB pages" }, { "thp", "THP" }, { "ksm", "KSM" },
	{ "numa-balancing", "NUMA balancing" }, { "swappiness", "swappiness" },
	{ "governor", "CPU governor" }, { "smt", "SMT" }, { "isolation-sets", "CPU isolation" },
	{ "irqbalance", "irqbalance" }, { "iommu-pt", "iommu=pt" },
	{ "irq-remap", "interrupt remapping" }, { "numa-nodes", "NUMA nodes" },
	{ "tlb-shootdowns", "TLB shootdowns" },
};

static struct finding *unknown(struct out *o, const char *id, enum level l, const char *vhv,
			       const char *model_why)
{
	struct finding *f = add(o, id, l, vhv);
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
		WHAT(f, "%s unknown: %s", subject, why_of(model_why, buf, sizeof(buf)));
	else
		WHAT(f, "unknown: %s", why_of(model_why, buf, sizeof(buf)));
	if (strlen(f->what) > WHAT_MAX)	/* one terminal line, the subject kept */
		memcpy(f->what + WHAT_MAX - 3, "...", 4);
	return f;
}


static const char *ids(const struct idset *s, char *buf, size_t size)
{
	idset_format(s, buf, size);
	return buf[0] ? buf : "none";
}

/* ---- platform ---------------------------------------------------------- */

static bool arch_prefix(const struct host *h, const char *prefix)
{
	return strncmp(h->topo.arch, prefix, strlen(prefix)) == 0;
}

static bool is_x86(const struct host *h)
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

static bool is_ppc64(const struct host *h)
{
	return arch_prefix(h, "ppc64");
}

static bool is_s390(const struct host *h)
{
	return arch_prefix(h, "s390");
}

static bool has_hw_virt(const struct host *h)
{
	return h->virt.vmx == TRI_YES || h->virt.svm == TRI_YES;
}

/* isolcpus (cpu/isolated) and nohz_full together: the CPUs kept from the host */
static struct idset isolated_cpus(const struct host *h)
{
	struct idset s;

	idset_clear(&s);
	if (h->kern.isolated_known)
		idset_or(&s, &h->kern.isolated);
	if (h->kern.nohz_full_known)
		idset_or(&s, &h->kern.nohz_full);
	return s;
}

static const struct hugepool *pool_of(const struct hugepool *p, size_t n, uint64_t size_kib)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].size_kib == size_kib)
			return &p[i];
	return NULL;
}

/* Whole-word match of @word in the kernel command line @cmdline. */
static bool cmdline_has(const char *cmdline, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = cmdline; (p = strstr(p, word)) != NULL; p += len)
		if ((p == cmdline || p[-1] == ' ') && (p[len] == '\0' || p[len] == ' '))
			return true;
	return false;
}

/* ---- virt-host-validate's QEMU checks ------------------------------------ */

static void check_hw_virt(const struct host *h, struct out *o)
{
	const struct virt *v = &h->virt;
	struct finding *f;

	if (is_ppc64(h)) {
		/* virt-host-validate passes every ppc64 host here: KVM-HV or KVM-PR */
		f = add(o, "hw-virt", LEVEL_PASS, VHV_HW_VIRT);
		WHAT(f, "%s: virtualization is built into the ISA", h->topo.arch);
		WHY(f, "POWER runs KVM guests with kvm_hv (bare metal) or kvm_pr; "
		       "virt-host-validate passes every ppc64 host here");
		return;
	}
	if (is_s390(h)) {
		/* it wants the "sie" facility, which struct virt does not carry */
		f = unknown(o, "hw-virt", LEVEL_WARN, VHV_HW_VIRT,
			    "the model has no s390 'sie' facility flag");
		WHY(f, "KVM on s390 needs the SIE facility");
		FIX(f, "check that 'sie' is in the features line of /proc/cpuinfo");
		return;
	}
	if (!is_x86(h)) {
		if (h->topo.arch[0] == '\0') {
			f = unknown(o, "hw-virt", LEVEL_WARN, "",
				    v->flags_why[0] ? v->flags_why : "CPU architecture unknown");
			WHY(f, "KVM needs hardware virtualization (VT-x, AMD-V, ARM EL2, ...)");
			FIX(f, "check /proc/cpuinfo and /dev/kvm by hand");
			return;
		}
		/* virt-host-validate has no flag to test here: no line, /dev/kvm decides */
		f = add(o, "hw-virt", LEVEL_INFO, "");
		WHAT(f, "%s: no CPU flag names hardware virtualization; /dev/kvm decides",
		     h->topo.arch);
		WHY(f, "on %s KVM support shows only as /dev/kvm (e.g. EL2 on arm64)",
		    h->topo.arch);
		return;
	}
	if (has_hw_virt(h)) {
		f = add(o, "hw-virt", LEVEL_PASS, VHV_HW_VIRT);
		WHAT(f, "%s",
		     v->vmx == TRI_YES ? "Intel VT-x (vmx) present" : "AMD-V (svm) present");
		WHY(f, "KVM needs VT-x or AMD-V to run guests at native speed");
		return;
	}
	if (v->vmx == TRI_NO && v->svm == TRI_NO) {
		f = add(o, "hw-virt", LEVEL_FAIL, VHV_HW_VIRT);
		WHAT(f, "no hardware virtualization: no vmx or svm CPU flag%s",
		     v->hypervisor == TRI_YES ? " (in a VM without nested virt)" : "");
		WHY(f, "without VT-x/AMD-V QEMU can only emulate the CPU (TCG), far too "
		       "slow for NFV; since Linux 5.6 the vmx flag is also hidden when the "
		       "BIOS leaves VT-x disabled");
		if (v->hypervisor == TRI_YES)
			FIX(f, "on the outer host: enable nested virtualization "
			       "(kvm_intel nested=1 / kvm_amd nested=1) and give this VM a "
			       "host-passthrough CPU model");
		else
			FIX(f, "enable Intel VT-x / AMD SVM in the BIOS/UEFI setup; "
			       "or use a CPU that has it");
		return;
	}
	f = unknown(o, "hw-virt", LEVEL_WARN, VHV_HW_VIRT, v->flags_why);
	WHY(f, "KVM needs VT-x or AMD-V: without it guests are emulated (TCG)");
	FIX(f, "check for vmx or svm in the flags line of /proc/cpuinfo");
}

static const char *kvm_module_hint(const struct host *h)
{
	if (h->virt.vmx == TRI_YES)
		return "enable VT-x in the BIOS/UEFI, then 'modprobe kvm_intel' "
		       "(dmesg says why it refused to load)";
	if (h->virt.svm == TRI_YES)
		return "enable SVM in the BIOS/UEFI, then 'modprobe kvm_amd' "
		       "(dmesg says why it refused to load)";
	if (is_ppc64(h))
		return "modprobe kvm_hv (bare metal or PowerNV) or kvm_pr";
	return "load the KVM module for this CPU and enable virtualization in firmware";
}

/* virt-host-validate looks at /dev/kvm unless it knows the CPU lacks vmx/svm */
static bool vhv_checks_kvm(const struct host *h)
{
	return !(is_x86(h) && !has_hw_virt(h));
}

static void check_kvm_dev(const struct host *h, struct out *o)
{
	const struct virt *v = &h->virt;
	const char *vhv = vhv_checks_kvm(h) ? VHV_KVM_DEV : "";
	struct finding *f;

	switch (v->kvm_dev) {
	case TRI_YES:
		f = add(o, "kvm-dev", LEVEL_PASS, vhv);
		if (v->kvm_module[0])
			WHAT(f, "/dev/kvm exists (%s loaded)", v->kvm_module);
		else
			WHAT(f, "/dev/kvm exists");
		WHY(f, "QEMU opens /dev/kvm to run guests with hardware acceleration");
		break;
	case TRI_NO:
		f = add(o, "kvm-dev", LEVEL_FAIL, vhv);
		if (is_x86(h) && !has_hw_virt(h))
			WHAT(f, "no /dev/kvm: the CPU shows no VT-x/AMD-V (see hw-virt)");
		else if (v->kvm_module[0])
			WHAT(f, "no /dev/kvm although %s is loaded", v->kvm_module);
		else if (is_x86(h))
			WHAT(f, "no /dev/kvm: neither kvm_intel nor kvm_amd is loaded");
		else
			WHAT(f, "no /dev/kvm");
		WHY(f,
		    "QEMU needs /dev/kvm for hardware acceleration; without it guests "
		    "are emulated%s%s",
		    v->kvm_why[0] ? ". KVM: " : "", v->kvm_why);
		FIX(f, "%s", kvm_module_hint(h));
		break;
	default:
		f = unknown(o, "kvm-dev", LEVEL_WARN, vhv, v->kvm_why);
		WHY(f, "QEMU needs /dev/kvm for hardware acceleration");
		FIX(f, "check 'ls -l /dev/kvm' on the host");
		break;
	}
}

static void check_kvm_access(const struct host *h, struct out *o)
{
	const struct virt *v = &h->virt;
	const char *vhv = vhv_checks_kvm(h) ? VHV_KVM_ACCESS : "";
	struct finding *f;

	if (v->kvm_dev == TRI_NO)
		return; /* nothing to open; virt-host-validate skips it too */
	switch (v->kvm_access) {
	case TRI_YES:
		f = add(o, "kvm-access", LEVEL_PASS, vhv);
		WHAT(f, "/dev/kvm is readable and writable by this user");
		WHY(f, "QEMU, run by libvirt as its qemu user, opens /dev/kvm read-write");
		break;
	case TRI_NO:
		f = add(o, "kvm-access", LEVEL_FAIL, vhv);
		WHAT(f, "/dev/kvm is not readable and writable by this user");
		WHY(f,
		    "QEMU must open /dev/kvm read-write, or guests start emulated or not at all");
		FIX(f, "add the user to group 'kvm' (usermod -aG kvm USER) or run as root; "
		       "udev gives /dev/kvm mode 0660 group kvm");
		break;
	default:
		f = unknown(o, "kvm-access", LEVEL_WARN, vhv, v->kvm_why);
		WHY(f, "QEMU must open /dev/kvm read-write");
		FIX(f, "check 'ls -l /dev/kvm' and the user's groups on the host");
		break;
	}
}

static void check_kvm_hv(const struct host *h, struct out *o)
{
	struct finding *f;

	if (!is_ppc64(h))
		return;
	if (strcmp(h->virt.kvm_module, "kvm_hv") == 0) {
		f = add(o, "kvm-hv", LEVEL_PASS, VHV_KVM_HV);
		WHAT(f, "kvm_hv loaded");
	} else {
		/* "" means none loaded, or a probe that only looks for x86 modules */
		f = add(o, "kvm-hv", LEVEL_WARN, VHV_KVM_HV);
		WHAT(f, "kvm_hv not reported loaded");
		FIX(f, "modprobe kvm_hv (needs bare metal / PowerNV, not a PowerVM LPAR)");
	}
	WHY(f, "kvm_hv runs guests in hypervisor mode; kvm_pr emulates privileged "
	       "instructions and is far slower");
}

static void check_device(struct out *o, const char *id, enum tri t, const char *dev, enum level bad,
			 const char *vhv, const char *why, const char *fix)
{
	struct finding *f;

	if (t == TRI_YES) {
		f = add(o, id, LEVEL_PASS, vhv);
		WHAT(f, "%s exists", dev);
	} else if (t == TRI_NO) {
		f = add(o, id, bad, vhv);
		WHAT(f, "no %s", dev);
		FIX(f, "%s", fix);
	} else {
		f = add(o, id, LEVEL_WARN, vhv);
		WHAT(f, "unknown: %s not probed", dev);
		FIX(f, "%s", fix);
	}
	WHY(f, "%s", why);
}

static void check_vhost_net(const struct host *h, struct out *o)
{
	check_device(o, "vhost-net", h->virt.vhost_net, "/dev/vhost-net", LEVEL_WARN, VHV_VHOST_NET,
		     "without vhost-net every virtio-net packet goes through QEMU's "
		     "userspace loop: far lower packet rates",
		     "modprobe vhost_net; list it in /etc/modules-load.d/ to keep it");
}

static void check_tun(const struct host *h, struct out *o)
{
	check_device(o, "tun", h->virt.tun, "/dev/net/tun", LEVEL_FAIL, VHV_TUN,
		     "tap interfaces, libvirt's usual guest NICs, are made through /dev/net/tun",
		     "modprobe tun");
}

static const struct {
	unsigned bit;
	const char *name, *use;
} cgroup_ctrls[] = {
    /* virt-host-validate's order: libvirt's VIR_CGROUP_CONTROLLER_* enum */
    {CGROUP_CPU, "cpu", "CPU shares, quota and period per guest"},
    {CGROUP_CPUACCT, "cpuacct", "CPU time accounting per guest and vCPU"},
    {CGROUP_CPUSET, "cpuset", "binding guest threads and memory to CPUs and nodes"},
    {CGROUP_MEMORY, "memory", "memory limits per guest"},
    {CGROUP_DEVICES, "devices", "limiting which host devices a guest may open"},
    {CGROUP_BLKIO, "blkio", "disk I/O weights and limits per guest"},
};

static void check_cgroups(const struct host *h, struct out *o)
{
	for (size_t i = 0; i < ARRAY_LEN(cgroup_ctrls); i++) {
		const char *name = cgroup_ctrls[i].name;
		char id[32], vhv[80];
		struct finding *f;

		strfmt_set(id, sizeof(id), "cgroup-%s", name);
		strfmt_set(vhv, sizeof(vhv), "Checking for cgroup '%s' controller support", name);
		if (!h->virt.cgroups_known) {
			f = unknown(o, id, LEVEL_WARN, vhv, h->virt.cgroups_why);
		} else if (h->virt.cgroup_ctrls & cgroup_ctrls[i].bit) {
			f = add(o, id, LEVEL_PASS, vhv);
			WHAT(f, "cgroup '%s' controller available", name);
		} else {
			f = add(o, id, LEVEL_WARN, vhv);
			WHAT(f, "cgroup '%s' controller not available", name);
		}
		if (f->level != LEVEL_PASS)
			FIX(f, "enable it in the kernel config (CONFIG_CGROUP_*) or mount it; "
			       "cgroup v2: it must be listed in /sys/fs/cgroup/cgroup.controllers");
		WHY(f, "libvirt uses it for %s", cgroup_ctrls[i].use);
	}
}

/* Which ACPI table virt-host-validate looks for: by the vmx flag, then svm. */
static const char *iommu_table(const struct host *h)
{
	if (h->virt.vmx == TRI_YES)
		return "DMAR";
	if (h->virt.svm == TRI_YES)
		return "IVRS";
	return NULL;
}

/* True when virt-host-validate's firmware line passes (and it goes on to the
 * kernel line). */
static bool check_iommu_firmware(const struct host *h, struct out *o)
{
	const struct virt *v = &h->virt;
	const char *table = iommu_table(h);
	bool intel = table && strcmp(table, "DMAR") == 0;
	struct finding *f;

	if (table) {
		if (v->iommu_firmware == TRI_YES) {
			f = add(o, "iommu-firmware", LEVEL_PASS, VHV_IOMMU_FW);
			WHAT(f, "ACPI %s table present (%s)", table, intel ? "VT-d" : "AMD-Vi");
		} else if (v->iommu_firmware == TRI_NO) {
			f = add(o, "iommu-firmware", LEVEL_WARN, VHV_IOMMU_FW);
			WHAT(f, "no ACPI %s table: IOMMU off in the BIOS or not in this platform",
			     table);
			FIX(f, "enable %s in the BIOS/UEFI setup",
			    intel ? "VT-d (Virtualization Technology for Directed I/O)"
				  : "IOMMU / AMD-Vi");
		} else {
			f = unknown(o, "iommu-firmware", LEVEL_WARN, VHV_IOMMU_FW, v->iommu_why);
			FIX(f, "check for /sys/firmware/acpi/tables/%s on the host", table);
		}
		WHY(f, "PCI device assignment (VFIO, SR-IOV VFs in guests) needs an IOMMU");
		return f->level == LEVEL_PASS;
	}
	if (is_ppc64(h)) {
		f = add(o, "iommu-firmware", LEVEL_PASS, VHV_IOMMU_FW);
		WHAT(f, "%s: IOMMU is part of the platform", h->topo.arch);
		WHY(f, "POWER platforms always have an IOMMU (TCE tables); "
		       "virt-host-validate passes every ppc64 host here");
		return true;
	}
	if (is_s390(h)) {
		/* it skips (NOTE) without PCI devices, passes with some: not in the model */
		f = unknown(o, "iommu-firmware", LEVEL_INFO, VHV_IOMMU_FW,
			    "s390 PCI devices are not in the model");
		WHY(f, "on s390 only PCI devices (zPCI) use the IOMMU");
		return true;
	}
	/* virt-host-validate stops here: no vmx/svm flag to pick DMAR or IVRS */
	f = add(o, "iommu-firmware", LEVEL_WARN, VHV_IOMMU_FW);
	WHAT(f, "unknown if this platform has IOMMU support (%s)",
	     is_x86(h)	       ? "no vmx/svm flag"
	     : h->topo.arch[0] ? h->topo.arch
			       : "arch unknown");
	WHY(f,
	    "PCI device assignment needs an IOMMU; on x86 the vmx/svm flag tells "
	    "whether to look for DMAR (VT-d) or IVRS (AMD-Vi)%s",
	    v->iommu_firmware == TRI_YES ? "; a DMAR or IVRS table is present" : "");
	FIX(f, "%s",
	    is_x86(h) ? "enable VT-x/AMD-V (see hw-virt) and VT-d/AMD-Vi in the BIOS"
		      : "check the platform's IOMMU (e.g. ARM SMMU) by hand");
	return false;
}

static void check_iommu_kernel(const struct host *h, struct out *o, bool vhv_goes_on)
{
	const struct virt *v = &h->virt;
	const char *vhv = vhv_goes_on ? VHV_IOMMU_KERNEL : "";
	const char *table = iommu_table(h);
	struct finding *f;

	if (v->niommu_groups > 0) {
		f = add(o, "iommu-kernel", LEVEL_PASS, vhv);
		WHAT(f, "IOMMU enabled in the kernel: %u IOMMU groups", v->niommu_groups);
	} else if (v->iommu == TRI_UNKNOWN) {
		f = unknown(o, "iommu-kernel", LEVEL_WARN, vhv, v->iommu_why);
	} else {
		f = add(o, "iommu-kernel", LEVEL_WARN, vhv);
		WHAT(f, "%s",
		     v->iommu == TRI_YES ? "IOMMU enabled but no IOMMU groups seen"
					 : "IOMMU not enabled in the kernel (no IOMMU groups)");
	}
	WHY(f, "VFIO assigns devices by IOMMU group: no groups, no device assignment");
	if (f->level == LEVEL_PASS)
		return;
	if (v->iommu_firmware == TRI_NO)
		FIX(f, "enable VT-d/AMD-Vi in the BIOS/UEFI first (see iommu-firmware)");
	else if (table && strcmp(table, "DMAR") == 0)
		FIX(f, "add intel_iommu=on iommu=pt to the kernel command line "
		       "(GRUB_CMDLINE_LINUX in /etc/default/grub, update-grub, reboot)");
	else if (table)
		FIX(f, "AMD-Vi is on by default with an IVRS table: remove amd_iommu=off or "
		       "iommu=off from the kernel command line, add iommu=pt");
	else
		FIX(f,
		    "build the kernel with CONFIG_IOMMU_SUPPORT and the platform's IOMMU driver");
}

static void check_secure_guest(const struct host *h, struct out *o)
{
	const struct virt *v = &h->virt;
	struct finding *f;

	if (v->secure_guest == TRI_YES && (is_s390(h) || v->svm == TRI_YES)) {
		f = add(o, "secure-guest", LEVEL_PASS, VHV_SECURE);
		WHAT(f, "secure guests supported (%s)",
		     is_s390(h) ? "IBM Secure Execution" : "AMD SEV");
	} else if (v->secure_guest == TRI_YES) {
		/* virt-host-validate 9.0 knows only SEV and s390: it WARNs "unknown" */
		f = add(o, "secure-guest", LEVEL_WARN, VHV_SECURE);
		WHAT(f, "secure guests reported; virt-host-validate 9.0 checks only SEV and s390");
		FIX(f, "check the platform's confidential-guest support (e.g. Intel TDX) by hand");
	} else if (v->secure_guest == TRI_NO) {
		char buf[96];

		f = add(o, "secure-guest", LEVEL_WARN, VHV_SECURE);
		WHAT(f, "no secure guest support%s%s", v->secure_why[0] ? ": " : "",
		     v->secure_why[0] ? why_of(v->secure_why, buf, sizeof(buf)) : "");
		FIX(f, "AMD: enable SEV in the BIOS and boot with kvm_amd.sev=1; "
		       "s390: prot_virt=1; not needed for ordinary guests");
	} else {
		/* also every Intel host: virt-host-validate 9.0 knows no TDX */
		f = unknown(o, "secure-guest", LEVEL_WARN, VHV_SECURE, v->secure_why);
		FIX(f, "needed only for confidential guests (AMD SEV, IBM Secure Execution)");
	}
	WHY(f, "confidential guests encrypt their memory against the host; ordinary "
	       "and NFV guests do not need it");
}

/* ---- CPU virtualization ------------------------------------------------- */

static void check_kvm_usable(const struct host *h, struct out *o)
{
	const struct virt *v = &h->virt;
	struct finding *f;
	char buf[96];

	switch (v->kvm_usable) {
	case TRI_YES:
		f = add(o, "kvm-usable", LEVEL_PASS, "");
		WHAT(f, "KVM usable%s%s%s", v->kvm_module[0] ? " (" : "", v->kvm_module,
		     v->kvm_module[0] ? ")" : "");
		break;
	case TRI_NO:
		f = add(o, "kvm-usable", LEVEL_FAIL, "");
		WHAT(f, "KVM not usable%s%s", v->kvm_why[0] ? ": " : "",
		     v->kvm_why[0] ? why_of(v->kvm_why, buf, sizeof(buf)) : "");
		FIX(f, "%s", kvm_module_hint(h));
		break;
	default:
		f = unknown(o, "kvm-usable", LEVEL_WARN, "", v->kvm_why);
		FIX(f, "check /dev/kvm and 'lsmod | grep kvm' on the host");
		break;
	}
	WHY(f, "hvtune's plans assume KVM guests; without KVM QEMU emulates the CPU");
}

static void check_slat(const struct host *h, struct out *o)
{
	bool intel = h->virt.vmx == TRI_YES;
	enum tri t = intel ? h->virt.ept : h->virt.npt;
	const char *name = intel ? "EPT" : "NPT";
	struct finding *f;

	if (!has_hw_virt(h))
		return;
	if (t == TRI_YES) {
		f = add(o, "ept-npt", LEVEL_PASS, "");
		WHAT(f, "%s present: guests manage their own page tables", name);
	} else if (t == TRI_NO) {
		f = add(o, "ept-npt", LEVEL_FAIL, "");
		WHAT(f, "%s without %s: guests run on shadow page tables", intel ? "VT-x" : "AMD-V",
		     name);
		FIX(f,
		    "use a CPU with %s; in a VM, give it a host-passthrough CPU; "
		    "do not load %s with %s=0",
		    name, intel ? "kvm_intel" : "kvm_amd", intel ? "ept" : "npt");
	} else {
		f = unknown(o, "ept-npt", LEVEL_WARN, "", h->virt.flags_why);
		FIX(f, "look for '%s' in /proc/cpuinfo (%s)", intel ? "ept" : "npt",
		    intel ? "'vmx flags' line, Linux 5.8+" : "flags line");
	}
	WHY(f, "without second-level address translation every guest page-table "
	       "change exits to KVM: NFV guests lose most of their throughput");
}

static void check_vpid(const struct host *h, struct out *o)
{
	struct finding *f;

	if (h->virt.vmx != TRI_YES)
		return;
	if (h->virt.vpid == TRI_YES) {
		f = add(o, "vpid", LEVEL_PASS, "");
		WHAT(f, "VPID present: guest TLB entries survive VM exits");
	} else if (h->virt.vpid == TRI_NO) {
		f = add(o, "vpid", LEVEL_WARN, "");
		WHAT(f, "VT-x without VPID: the TLB is flushed on every VM exit");
		FIX(f,
		    "use a CPU with VPID (Westmere or later); do not load kvm_intel with vpid=0");
	} else {
		f = unknown(o, "vpid", LEVEL_INFO, "", h->virt.flags_why);
	}
	WHY(f, "tagged TLB entries spare the guest a refill after each exit; "
	       "exit-heavy I/O guests feel it most");
}

static void check_apicv(const struct host *h, struct out *o)
{
	const struct virt *v = &h->virt;
	struct finding *f;

	if (v->vmx == TRI_YES) {
		if (v->apicv == TRI_YES && v->posted_intr == TRI_YES) {
			f = add(o, "apicv", LEVEL_PASS, "");
			WHAT(f, "APICv and posted interrupts present");
		} else if (v->apicv == TRI_YES && v->posted_intr == TRI_NO) {
			f = add(o, "apicv", LEVEL_INFO, "");
			WHAT(f, "APICv present, posted interrupts absent");
		} else if (v->apicv == TRI_NO) {
			f = add(o, "apicv", LEVEL_WARN, "");
			WHAT(f, "no APICv: guest interrupts and EOIs exit to KVM");
			FIX(f, "use a CPU with APICv (Ivy Bridge-EP or later); do not load "
			       "kvm_intel with enable_apicv=0");
		} else {
			f = unknown(o, "apicv", LEVEL_INFO, "", v->flags_why);
		}
		WHY(f, "APICv lets guests take interrupts and write EOIs without VM "
		       "exits; posted interrupts deliver them to running vCPUs directly");
		return;
	}
	if (v->svm == TRI_YES) {
		if (v->avic == TRI_YES) {
			f = add(o, "apicv", LEVEL_PASS, "");
			WHAT(f, "AVIC present");
		} else if (v->avic == TRI_NO) {
			f = add(o, "apicv", LEVEL_INFO, "");
			WHAT(f, "no AVIC: guest interrupts exit to KVM");
		} else {
			f = unknown(o, "apicv", LEVEL_INFO, "", v->flags_why);
		}
		WHY(f, "AVIC lets guests take interrupts without VM exits; older kernels "
		       "need kvm_amd avic=1 to use it");
	}
}

static void check_nested(const struct host *h, struct out *o)
{
	const char *mod = h->virt.kvm_module[0]	   ? h->virt.kvm_module
			  : h->virt.vmx == TRI_YES ? "kvm_intel"
						   : "kvm_amd";
	struct finding *f;

	if (!has_hw_virt(h))
		return;
	if (h->virt.nested == TRI_NO) {
		f = add(o, "nested", LEVEL_PASS, "");
		WHAT(f, "nested virtualization off (%s nested=0)", mod);
	} else if (h->virt.nested == TRI_YES) {
		f = add(o, "nested", LEVEL_INFO, "");
		WHAT(f, "nested virtualization on (%s nested=1)", mod);
		FIX(f,
		    "if no guest runs its own hypervisor: options %s nested=0 in "
		    "/etc/modprobe.d/kvm.conf, then reload %s",
		    mod, mod);
	} else {
		f = unknown(o, "nested", LEVEL_INFO, "",
			    h->virt.kvm_module[0] ? "no 'nested' module parameter read"
						  : "no kvm_intel/kvm_amd module loaded");
	}
	WHY(f, "nested lets guests run their own KVM; it is needed only for that, "
	       "and its guests-in-guests are slow");
}

static void check_hypervisor(const struct host *h, struct out *o)
{
	struct finding *f;

	if (h->virt.hypervisor == TRI_YES) {
		f = add(o, "hypervisor", LEVEL_WARN, "");
		WHAT(f, "running inside a VM (hypervisor CPU flag): guests here are nested");
		FIX(f, "run NFV guests on bare metal; else ask for pinned, dedicated vCPUs, "
		       "hugepages and a host-passthrough CPU on the outer host");
	} else if (h->virt.hypervisor == TRI_NO) {
		f = add(o, "hypervisor", LEVEL_PASS, "");
		WHAT(f, "running on bare metal (no hypervisor CPU flag)");
	} else {
		f = unknown(o, "hypervisor", LEVEL_INFO, "", h->virt.flags_why);
	}
	WHY(f, "an outer hypervisor schedules this host's CPUs: pinning and isolation "
	       "here cannot stop its steal time, and topology may not be the hardware's");
}

/* ---- memory -------------------------------------------------------------- */

static void check_hugepages(const struct host *h, struct out *o)
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
		f = unknown(o, "hugepages", LEVEL_WARN, "",
			    m->hugepages_why[0] ? m->hugepages_why : "no hugepage sizes found");
		FIX(f, "check /sys/kernel/mm/hugepages on the host");
	} else if (pages == 0) {
		f = add(o, "hugepages", LEVEL_WARN, "");
		WHAT(f, "no hugepages reserved");
		FIX(f, "reserve per node: echo N > /sys/devices/system/node/nodeX/hugepages/"
		       "hugepages-2048kB/nr_hugepages (or hugepages=N at boot)");
	} else {
		f = add(o, "hugepages", LEVEL_PASS, "");
		WHAT(f, "hugepages reserved: %s", list);
	}
	WHY(f, "high-PPS guests want hugepage-backed memory: DPDK in the guest needs "
	       "it, and fewer TLB misses help vhost and vCPUs alike");
}

/* Hugepage totals of one size on the nodes with CPUs; INFO when they differ. */
static void check_hugepages_nodes(const struct host *h, struct out *o)
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
			p = pool_of(nd->pools, nd->npools, m->pools[i].size_kib);
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
				    strfmt_page_kib(m->pools[i].size_kib, sz, sizeof(sz)), one);
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
		f = add(o, "hugepages-nodes", LEVEL_INFO, "");
		WHAT(f, "hugepages uneven across nodes: %s", detail);
		FIX(f, "reserve per node: echo N > /sys/devices/system/node/nodeX/"
		       "hugepages/hugepages-SIZEkB/nr_hugepages");
	} else if (unknown_nodes) {
		f = unknown(o, "hugepages-nodes", LEVEL_INFO, "",
			    "no per-node hugepages in sysfs (nodeN/hugepages)");
	} else {
		f = add(o, "hugepages-nodes", LEVEL_PASS, "");
		WHAT(f, "hugepages even across nodes: %s per node", detail);
	}
	WHY(f, "a guest gets hugepages from the node it is bound to: a node with few "
	       "or none cannot hold a hugepage-backed guest");
}

static void check_pdpe1gb(const struct host *h, struct out *o)
{
	struct finding *f;

	if (!is_x86(h))
		return; /* a 1 GiB pool (hugepages-1g) tells on other arches */
	if (h->virt.pdpe1gb == TRI_YES) {
		f = add(o, "pdpe1gb", LEVEL_PASS, "");
		WHAT(f, "CPU supports 1 GiB pages (pdpe1gb)");
	} else if (h->virt.pdpe1gb == TRI_NO) {
		f = add(o, "pdpe1gb", LEVEL_INFO, "");
		WHAT(f, "no 1 GiB pages (no pdpe1gb flag): guests get 2 MiB pages at most");
	} else {
		f = unknown(o, "pdpe1gb", LEVEL_INFO, "", h->virt.flags_why);
	}
	WHY(f, "1 GiB pages map a guest with few TLB entries; DPDK prefers them");
}

static void check_hugepages_1g(const struct host *h, struct out *o)
{
	const struct hugepool *p = pool_of(h->mem.pools, h->mem.npools, GIB_KIB);
	char nodes[64] = "";
	struct finding *f;

	if (!p && h->virt.pdpe1gb != TRI_YES)
		return;
	for (size_t n = 0; p && n < h->nnodes; n++) {
		const struct node *nd = &h->nodes[n];
		const struct hugepool *np = pool_of(nd->pools, nd->npools, GIB_KIB);

		if (np)
			strfmt_cat(nodes, sizeof(nodes), "%snode%u %" PRIu64, nodes[0] ? ", " : "", nd->id,
			    np->total);
	}
	if (p && p->total > 0) {
		f = add(o, "hugepages-1g", LEVEL_PASS, "");
		WHAT(f, "%" PRIu64 " x 1 GiB pages reserved%s%s%s", p->total, nodes[0] ? " (" : "",
		     nodes, nodes[0] ? ")" : "");
	} else if (p) {
		f = add(o, "hugepages-1g", LEVEL_INFO, "");
		WHAT(f, "1 GiB pages supported, none reserved");
		FIX(f, "boot with default_hugepagesz=1G hugepagesz=1G hugepages=N (1 GiB "
		       "pages are hard to find after boot), or echo N > /sys/devices/system/"
		       "node/nodeX/hugepages/hugepages-1048576kB/nr_hugepages");
	} else if (h->mem.npools > 0) {
		f = add(o, "hugepages-1g", LEVEL_INFO, "");
		WHAT(f, "pdpe1gb but no 1 GiB hugepage pool in sysfs");
		FIX(f, "boot with hugepagesz=1G hugepages=N");
	} else {
		f = unknown(o, "hugepages-1g", LEVEL_INFO, "", h->mem.hugepages_why);
	}
	WHY(f, "1 GiB pages must be reserved before use, best at boot while memory "
	       "is not yet fragmented");
}

static void check_thp(const struct host *h, struct out *o)
{
	const struct mem *m = &h->mem;
	struct finding *f;

	if (strcmp(m->thp, "madvise") == 0) {
		f = add(o, "thp", LEVEL_PASS, "");
		WHAT(f, "THP madvise: QEMU asks for huge pages, other processes do not");
	} else if (strcmp(m->thp, "always") == 0 && strcmp(m->thp_defrag, "always") == 0) {
		f = add(o, "thp", LEVEL_WARN, "");
		WHAT(f, "THP always with defrag always: page faults may stall in compaction");
		FIX(f, "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled "
		       "(and defrag), or transparent_hugepage=madvise at boot");
	} else if (strcmp(m->thp, "always") == 0) {
		f = add(o, "thp", LEVEL_INFO, "");
		WHAT(f, "THP always (defrag %s): khugepaged collapses pages of every process",
		     m->thp_defrag[0] ? m->thp_defrag : "unknown");
		FIX(f, "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled");
	} else if (strcmp(m->thp, "never") == 0) {
		f = add(o, "thp", LEVEL_INFO, "");
		WHAT(f, "THP never: guests without explicit hugepages get 4 KiB pages");
		FIX(f, "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled");
	} else if (m->thp[0] == '\0') {
		f = unknown(o, "thp", LEVEL_INFO, "", "no transparent_hugepage/enabled");
	} else {
		f = add(o, "thp", LEVEL_INFO, "");
		WHAT(f, "THP mode '%s'", m->thp);
	}
	WHY(f, "madvise gives QEMU's guest RAM huge pages (it calls MADV_HUGEPAGE) "
	       "without compaction stalls and khugepaged work in other processes; "
	       "pinned NFV guests should use explicit hugepages anyway");
}

static void check_ksm(const struct host *h, struct out *o)
{
	struct finding *f;

	if (h->mem.ksm == TRI_YES) {
		f = add(o, "ksm", LEVEL_WARN, "");
		WHAT(f, "KSM is merging pages (ksm/run = 1)");
		FIX(f, "echo 2 > /sys/kernel/mm/ksm/run (unmerge and stop); "
		       "systemctl disable --now ksmtuned if installed");
	} else if (h->mem.ksm == TRI_NO) {
		f = add(o, "ksm", LEVEL_PASS, "");
		WHAT(f, "KSM not running");
	} else {
		f = unknown(o, "ksm", LEVEL_INFO, "", "no sys/kernel/mm/ksm/run (no KSM: fine)");
	}
	WHY(f, "ksmd scans memory and merged pages fault on write: latency spikes; "
	       "pages shared across guests also open timing side channels");
}

static void check_numa_balancing(const struct host *h, struct out *o)
{
	struct finding *f;

	if (h->mem.numa_balancing == TRI_YES) {
		f = add(o, "numa-balancing", h->nnodes > 1 ? LEVEL_WARN : LEVEL_INFO, "");
		WHAT(f, "automatic NUMA balancing on%s",
		     h->nnodes > 1 ? "" : " (one node: it has nothing to move)");
		FIX(f, "sysctl -w kernel.numa_balancing=0 (persist in /etc/sysctl.d/)");
	} else if (h->mem.numa_balancing == TRI_NO) {
		f = add(o, "numa-balancing", LEVEL_PASS, "");
		WHAT(f, "automatic NUMA balancing off");
	} else {
		f = unknown(o, "numa-balancing", LEVEL_INFO, "",
			    "no proc/sys/kernel/numa_balancing (kernel without it: fine)");
	}
	WHY(f, "it unmaps pages to sample accesses and migrates them: hinting faults "
	       "and TLB shootdowns on pinned guests whose memory is already placed");
}

static void check_swappiness(const struct host *h, struct out *o)
{
	struct finding *f;

	if (h->mem.swappiness < 0) {
		f = unknown(o, "swappiness", LEVEL_INFO, "", "no proc/sys/vm/swappiness");
	} else if (h->mem.swappiness <= 10) {
		f = add(o, "swappiness", LEVEL_PASS, "");
		WHAT(f, "vm.swappiness = %d", h->mem.swappiness);
	} else {
		f = add(o, "swappiness", LEVEL_INFO, "");
		WHAT(f, "vm.swappiness = %d: guest memory not in hugepages may be swapped",
		     h->mem.swappiness);
		FIX(f, "sysctl -w vm.swappiness=10 (persist in /etc/sysctl.d/)");
	}
	WHY(f, "a swapped-out guest page stalls its vCPU for a disk read; hugetlbfs "
	       "pages are never swapped");
}

/* ---- CPUs: governor, SMT, isolation, IRQs ------------------------------- */

static void check_governor(const struct host *h, struct out *o)
{
	struct idset bad;
	char names[28] = "", list[28];
	unsigned known = 0;
	struct finding *f;

	idset_clear(&bad);
	for (size_t i = 0; i < h->ncpus; i++) {
		const char *g = h->cpus[i].governor;
		char quoted[32];

		if (g[0] == '\0')
			continue;
		known++;
		if (strcmp(g, "performance") == 0)
			continue;
		idset_add(&bad, h->cpus[i].id);
		strfmt_set(quoted, sizeof(quoted), "'%s'", g);
		if (!strstr(names, quoted))
			strfmt_cat(names, sizeof(names), "%s%s", names[0] ? "," : "", quoted);
	}
	if (known == 0) {
		f = unknown(o, "governor", LEVEL_INFO, "",
			    "no cpufreq governor (no cpufreq driver, or a VM)");
	} else if (!idset_empty(&bad)) {
		f = add(o, "governor", LEVEL_WARN, "");
		WHAT(f, "governor %s, not 'performance', on CPUs %s", names,
		     ids(&bad, list, sizeof(list)));
		FIX(f,
		    "cpupower frequency-set -g performance (package linux-cpupower), "
		    "or echo performance > /sys/devices/system/cpu/cpuN/cpufreq/scaling_governor");
	} else {
		f = add(o, "governor", LEVEL_PASS, "");
		WHAT(f, "governor 'performance' on all %u CPUs with cpufreq", known);
	}
	WHY(f, "clock ramps add wake-up latency and jitter to vCPU and vhost threads; "
	       "packet rates drop while a core clocks down");
}

static void check_smt(const struct host *h, struct out *o)
{
	const char *c = h->kern.smt_control;
	struct finding *f;

	if (strcmp(c, "on") == 0) {
		f = add(o, "smt", LEVEL_INFO, "");
		if (h->topo.npus && h->topo.ncores)
			WHAT(f, "SMT on: %u threads on %u cores", h->topo.npus, h->topo.ncores);
		else
			WHAT(f, "SMT on");
		FIX(f, "pin latency-sensitive guests to whole cores (hvtune plan does); "
		       "to turn SMT off: echo off > /sys/devices/system/cpu/smt/control");
	} else if (strcmp(c, "off") == 0 || strcmp(c, "forceoff") == 0) {
		f = add(o, "smt", LEVEL_PASS, "");
		WHAT(f, "SMT %s", c);
	} else if (strcmp(c, "notsupported") == 0 || strcmp(c, "notimplemented") == 0) {
		f = add(o, "smt", LEVEL_PASS, "");
		WHAT(f, "no SMT (smt/control: %s)", c);
	} else if (c[0] == '\0') {
		f = unknown(o, "smt", LEVEL_INFO, "", "no sys/devices/system/cpu/smt/control");
	} else {
		f = add(o, "smt", LEVEL_INFO, "");
		WHAT(f, "SMT control '%s'", c);
	}
	WHY(f, "sibling threads share a core's caches and ports: a busy sibling slows "
	       "a vCPU, and L1TF/MDS-class leaks cross siblings");
}

static void check_isolation_sets(const struct host *h, struct out *o)
{
	const struct kern *k = &h->kern;
	const struct idset *iso = &k->isolated, *nohz = &k->nohz_full, *rcu = &k->rcu_nocbs;
	bool ki = k->isolated_known, kn = k->nohz_full_known, kr = k->cmdline_known;
	bool differ = false;
	char a[20], b[20], c[20];
	struct finding *f;

	if (!ki && !kn && !kr) {
		f = unknown(o, "isolation-sets", LEVEL_INFO, "",
			    "no cpu/isolated, cpu/nohz_full or proc/cmdline");
		WHY(f, "isolcpus, nohz_full and rcu_nocbs keep host work off guest CPUs");
		return;
	}
	if (ki && kn && !idset_equal(iso, nohz))
		differ = true;
	if (kr && !idset_empty(rcu)) {
		if ((ki && !idset_equal(rcu, iso)) || (kn && !idset_equal(rcu, nohz)))
			differ = true;
	} else if (kr && ki && !idset_empty(iso) && !(kn && idset_equal(iso, nohz))) {
		/* an empty rcu_nocbs is fine only where nohz_full implies it
		 * ("nohz-rcu-nocbs"); isolcpus alone leaves RCU callbacks there */
		differ = true;
	}
	if ((!ki || idset_empty(iso)) && (!kn || idset_empty(nohz)) && (!kr || idset_empty(rcu))) {
		f = add(o, "isolation-sets", LEVEL_INFO, "");
		WHAT(f, "no CPU isolation: isolcpus, nohz_full and rcu_nocbs unset");
		FIX(f, "boot with isolcpus=managed_irq,domain,LIST nohz_full=LIST "
		       "rcu_nocbs=LIST for the guests' CPUs (hvtune plan proposes LIST)");
	} else if (differ) {
		f = add(o, "isolation-sets", LEVEL_WARN, "");
		WHAT(f, "isolcpus %s, nohz_full %s, rcu_nocbs %s differ",
		     ki ? ids(iso, a, sizeof(a)) : "?", kn ? ids(nohz, b, sizeof(b)) : "?",
		     kr ? ids(rcu, c, sizeof(c)) : "?");
		FIX(f, "give isolcpus=, nohz_full= and rcu_nocbs= the same CPU list");
	} else if (ki && kn && kr) {
		f = add(o, "isolation-sets", LEVEL_PASS, "");
		WHAT(f, "isolcpus, nohz_full and rcu_nocbs agree: %s",
		     ids(idset_empty(iso) ? nohz : iso, a, sizeof(a)));
	} else {
		f = add(o, "isolation-sets", LEVEL_INFO, "");
		WHAT(f, "isolcpus %s, nohz_full %s, rcu_nocbs %s: no conflict, ? unknown",
		     ki ? ids(iso, a, sizeof(a)) : "?", kn ? ids(nohz, b, sizeof(b)) : "?",
		     kr ? ids(rcu, c, sizeof(c)) : "?");
	}
	WHY(f, "a CPU isolated from the scheduler but still ticking or running RCU "
	       "callbacks (or the reverse) keeps part of the host's jitter");
}

static void check_nohz_rcu(const struct host *h, struct out *o)
{
	const struct kern *k = &h->kern;
	struct idset missing;
	char list[40];
	struct finding *f;

	if (!k->nohz_full_known || idset_empty(&k->nohz_full) || !k->cmdline_known)
		return;
	missing = k->nohz_full;
	idset_andnot(&missing, &k->rcu_nocbs);
	if (idset_empty(&missing)) {
		f = add(o, "nohz-rcu-nocbs", LEVEL_PASS, "");
		WHAT(f, "rcu_nocbs covers the nohz_full CPUs");
	} else {
		f = add(o, "nohz-rcu-nocbs", LEVEL_INFO, "");
		WHAT(f, "nohz_full CPUs %s not in rcu_nocbs", ids(&missing, list, sizeof(list)));
		FIX(f, "add rcu_nocbs=%s to the kernel command line to say so explicitly",
		    ids(&k->nohz_full, list, sizeof(list)));
	}
	WHY(f, "RCU callbacks on a nohz_full CPU interrupt its guest; the kernel "
	       "offloads them for nohz_full CPUs itself (RCU_NOCB_CPU), rcu_nocbs= states it");
}

static void check_isolation_smt(const struct host *h, struct out *o)
{
	struct idset iso = isolated_cpus(h), cpus, sibs, unknown_cpus;
	char l1[24], l2[24];
	struct finding *f;

	if (idset_empty(&iso))
		return;
	idset_clear(&cpus);
	idset_clear(&sibs);
	idset_clear(&unknown_cpus);
	for (int id = idset_next(&iso, 0); id >= 0; id = idset_next(&iso, (unsigned)id + 1)) {
		struct idset s;

		if (!host_cpu(h, (unsigned)id))
			continue; /* offline: nothing runs there */
		s = host_siblings(h, (unsigned)id);
		if (idset_empty(&s)) {
			idset_add(&unknown_cpus, (unsigned)id);
			continue;
		}
		idset_andnot(&s, &iso);
		if (!idset_empty(&s)) {
			idset_add(&cpus, (unsigned)id);
			idset_or(&sibs, &s);
		}
	}
	if (!idset_empty(&cpus)) {
		f = add(o, "isolation-smt", LEVEL_WARN, "");
		WHAT(f, "isolated CPUs %s have SMT siblings %s that are not isolated",
		     ids(&cpus, l1, sizeof(l1)), ids(&sibs, l2, sizeof(l2)));
		FIX(f,
		    "isolate whole cores: add %s to isolcpus/nohz_full/rcu_nocbs, "
		    "or take %s out",
		    l2, l1);
	} else if (!idset_empty(&unknown_cpus)) {
		f = add(o, "isolation-smt", LEVEL_INFO, "");
		WHAT(f, "unknown: SMT siblings of isolated CPUs %s (no core ids)",
		     ids(&unknown_cpus, l1, sizeof(l1)));
	} else {
		f = add(o, "isolation-smt", LEVEL_PASS, "");
		WHAT(f, "isolated CPUs are whole cores (their SMT siblings are isolated too)");
	}
	WHY(f, "a sibling shares the core's L1/L2 and execution ports: host work on "
	       "it steals cycles from the isolated CPU and adds jitter");
}

static void check_housekeeping(const struct host *h, struct out *o)
{
	struct idset iso = isolated_cpus(h), house;
	char detail[96] = "", list[40];
	bool cpu0 = false, bad_node = false;
	struct finding *f;

	if (idset_empty(&iso))
		return;
	idset_clear(&house);
	for (size_t i = 0; i < h->ncpus; i++)
		if (!idset_has(&iso, h->cpus[i].id))
			idset_add(&house, h->cpus[i].id);
	if (host_cpu(h, 0) && idset_has(&iso, 0)) {
		cpu0 = true;
		strfmt_cat(detail, sizeof(detail), "CPU 0 isolated");
	}
	for (size_t n = 0; n < h->nnodes; n++) {
		const struct node *nd = &h->nodes[n];

		if (idset_empty(&nd->cpus) || idset_intersects(&nd->cpus, &house))
			continue;
		bad_node = true;
		strfmt_cat(detail, sizeof(detail), "%snode %u has no housekeeping CPU",
		    detail[0] ? "; " : "", nd->id);
	}
	if (idset_empty(&house) && h->ncpus > 0) {
		f = add(o, "isolation-housekeeping", LEVEL_WARN, "");
		WHAT(f, "every CPU is isolated: no housekeeping CPU left");
	} else if (cpu0 || bad_node) {
		f = add(o, "isolation-housekeeping", LEVEL_WARN, "");
		WHAT(f, "%s", detail);
	} else {
		f = add(o, "isolation-housekeeping", LEVEL_PASS, "");
		WHAT(f, "housekeeping CPUs %s: CPU 0 and every node keep one",
		     ids(&house, list, sizeof(list)));
	}
	if (f->level != LEVEL_PASS)
		FIX(f, "keep CPU 0 and at least one core per node out of isolcpus/nohz_full "
		       "(hvtune plan keeps the first core of each node)");
	WHY(f, "CPU 0 runs work that cannot move (timers, boot-time IRQs); a node "
	       "without a housekeeping CPU sends its kthreads and IRQs across nodes");
}

static void check_irqbalance(const struct host *h, struct out *o)
{
	struct idset iso = isolated_cpus(h);
	char list[40];
	struct finding *f;

	if (h->kern.irqbalance == TRI_UNKNOWN) {
		f = unknown(o, "irqbalance", LEVEL_INFO, "", h->kern.irqbalance_why);
	} else if (h->kern.irqbalance == TRI_YES && !idset_empty(&iso)) {
		f = add(o, "irqbalance", LEVEL_WARN, "");
		WHAT(f, "irqbalance running while CPUs %s are isolated",
		     ids(&iso, list, sizeof(list)));
		FIX(f,
		    "IRQBALANCE_BANNED_CPULIST=%s (plus the guests' pinned CPUs) in "
		    "/etc/default/irqbalance, or stop it and set /proc/irq/N/smp_affinity_list",
		    list);
	} else {
		f = add(o, "irqbalance", LEVEL_PASS, "");
		WHAT(f, "irqbalance %s%s",
		     h->kern.irqbalance == TRI_YES ? "running" : "not running",
		     idset_empty(&iso) ? ", no isolated CPUs" : "");
	}
	WHY(f, "irqbalance moves IRQs every 10 s; unless CPUs are banned "
	       "(IRQBALANCE_BANNED_CPULIST) it may put NIC and disk IRQs on isolated "
	       "or vCPU CPUs");
}

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

static void check_iommu_pt(const struct host *h, struct out *o)
{
	const struct kern *k = &h->kern;
	const char *line = k->cmdline_known ? k->cmdline : k->iommu_opts;
	bool sriov = any_sriov(h), pt;
	struct finding *f;

	if (!sriov && h->virt.iommu != TRI_YES)
		return;
	pt = cmdline_has(line, "iommu=pt") || cmdline_has(line, "iommu.passthrough=1") ||
	     cmdline_has(line, "iommu.passthrough=on") || cmdline_has(line, "iommu.passthrough=y");
	if (!k->cmdline_known && !line[0]) {
		f = unknown(o, "iommu-pt", LEVEL_INFO, "", "no proc/cmdline");
	} else if (pt) {
		f = add(o, "iommu-pt", LEVEL_PASS, "");
		WHAT(f, "IOMMU passthrough (iommu=pt): host drivers skip DMA translation");
	} else {
		f = add(o, "iommu-pt", sriov ? LEVEL_WARN : LEVEL_INFO, "");
		WHAT(f, "no iommu=pt%s: host DMA is translated by the IOMMU",
		     sriov ? " with SR-IOV NICs" : "");
		FIX(f, "add iommu=pt to the kernel command line (GRUB_CMDLINE_LINUX in "
		       "/etc/default/grub, update-grub, reboot)");
	}
	WHY(f, "translated mode maps and unmaps every host DMA buffer: the PF and "
	       "host NICs lose packet rate; VFs in guests use VFIO either way "
	       "(unless the kernel defaults to passthrough)");
}

static void check_irq_remap(const struct host *h, struct out *o)
{
	struct finding *f;

	if (h->virt.iommu != TRI_YES)
		return;
	if (h->virt.irq_remap == TRI_YES) {
		f = add(o, "irq-remap", LEVEL_PASS, "");
		WHAT(f, "IOMMU interrupt remapping supported");
	} else if (h->virt.irq_remap == TRI_NO) {
		f = add(o, "irq-remap", LEVEL_WARN, "");
		WHAT(f, "IOMMU without interrupt remapping");
		FIX(f, "enable interrupt remapping / x2APIC in the BIOS; do not boot "
		       "with intremap=off");
	} else {
		f = unknown(o, "irq-remap", LEVEL_INFO, "", h->virt.iommu_why);
	}
	WHY(f, "VFIO refuses device assignment without it unless "
	       "allow_unsafe_interrupts=1, which lets a guest forge MSIs; "
	       "posted interrupts need it too");
}

static void check_sriov(const struct host *h, struct out *o)
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
		f = add(o, "sriov", LEVEL_INFO, "");
		WHAT(f, "no PCI network interfaces found");
	} else if (idle[0]) {
		f = add(o, "sriov", LEVEL_INFO, "");
		WHAT(f, "SR-IOV capable, 0 VFs enabled: %s", idle);
		FIX(f, "echo N > /sys/class/net/IFACE/device/sriov_numvfs (persist with a "
		       "udev rule or systemd unit)");
	} else if (used[0]) {
		f = add(o, "sriov", LEVEL_PASS, "");
		WHAT(f, "SR-IOV VFs enabled: %s", used);
	} else {
		f = add(o, "sriov", LEVEL_INFO, "");
		WHAT(f, "no SR-IOV capable NIC among %zu", npf);
	}
	WHY(f, "a VF assigned to a guest moves packets without the host's network "
	       "stack: the highest packet rates");
}

static void check_nic_numa(const struct host *h, struct out *o)
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
		f = add(o, "nic-numa", LEVEL_WARN, "");
		WHAT(f, "NIC NUMA node unknown (numa_node -1) on a %zu-node host: %s", ncpu_nodes,
		     bad);
		FIX(f, "update the BIOS or enable its NUMA/SRAT PCI locality option; else "
		       "find the NIC's socket in the board manual and place guests by hand");
	} else if (good[0]) {
		f = add(o, "nic-numa", LEVEL_PASS, "");
		WHAT(f, "NIC nodes known: %s", good);
	} else {
		return;
	}
	WHY(f, "high-PPS guests belong on their NIC's node: crossing the interconnect "
	       "costs bandwidth and latency on every packet");
}

/* ---- NUMA ---------------------------------------------------------------- */

static void check_numa_distances(const struct host *h, struct out *o)
{
	uint32_t max = 0;
	struct finding *f;
	char buf[96];

	if (h->nnodes < 2)
		return;
	if (!h->topo.distances) {
		f = add(o, "numa-distances", LEVEL_INFO, "");
		WHAT(f, "NUMA distances unknown: %s",
		     why_of(h->topo.distances_why, buf, sizeof(buf)));
	} else {
		for (size_t i = 0; i < h->nnodes * h->nnodes; i++)
			max = h->topo.distances[i] > max ? h->topo.distances[i] : max;
		f = add(o, "numa-distances", LEVEL_PASS, "");
		WHAT(f, "NUMA distances known for %zu nodes (largest %" PRIu32 ")", h->nnodes, max);
	}
	WHY(f, "a guest too big for one node should span the closest nodes; "
	       "without distances the planner treats them all alike");
}

static void check_numa_nodes(const struct host *h, struct out *o)
{
	struct idset cpuless, memless;
	char l1[30], l2[30];
	bool mem_unknown = false;
	struct finding *f;

	if (h->nnodes < 2)
		return;
	if (h->topo.numa_inconsistent[0]) {
		f = add(o, "numa-nodes", LEVEL_FAIL, "");
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
		f = add(o, "numa-nodes", LEVEL_INFO, "");
		WHAT(f, "CPU-less nodes %s; memory-less nodes %s", ids(&cpuless, l1, sizeof(l1)),
		     ids(&memless, l2, sizeof(l2)));
	} else if (mem_unknown) {
		f = unknown(o, "numa-nodes", LEVEL_INFO, "", "memory of some nodes not known");
	} else {
		f = add(o, "numa-nodes", LEVEL_PASS, "");
		WHAT(f, "every node has CPUs and memory");
	}
	WHY(f, "a vCPU on a memory-less node always reads remote memory; CPU-less "
	       "nodes (GPU, CXL, HBM) hold memory no CPU is local to: not for guests");
}

/* ---- TLB ----------------------------------------------------------------- */

static void check_tlb(const struct host *h, struct out *o)
{
	const struct tlb *t = &h->tlb;
	struct idset iso = isolated_cpus(h);
	uint64_t total = 0, on_iso = 0, top = 0;
	unsigned top_cpu = 0;
	struct finding *f;

	if (!t->shootdowns_known) {
		f = unknown(o, "tlb-shootdowns", LEVEL_INFO, "", t->shootdowns_why);
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
		f = add(o, "tlb-shootdowns", LEVEL_INFO, "");
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
	bool fw;

	*out = NULL;
	*n = 0;
	o.f = calloc(CHECK_MAX, sizeof(*o.f));
	if (!o.f)
		return err_set(e, ENOMEM, "cannot allocate %d findings", CHECK_MAX);
	/* virt-host-validate-qemu.c's order */
	check_hw_virt(h, &o);
	check_kvm_dev(h, &o);
	check_kvm_access(h, &o);
	check_kvm_hv(h, &o);
	check_vhost_net(h, &o);
	check_tun(h, &o);
	check_cgroups(h, &o);
	fw = check_iommu_firmware(h, &o);
	check_iommu_kernel(h, &o, fw);
	check_secure_guest(h, &o);
	for (size_t i = 0; i < ARRAY_LEN(own_checks); i++)
		own_checks[i](h, &o);
	*out = o.f;
	*n = o.n;
	return 0;
}
