/* check_vhv.c - virt-host-validate's QEMU checks, in its order and with its verdicts */
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

/* ---- virt-host-validate's QEMU checks ------------------------------------ */

static void check_hw_virt(const struct host *h, struct out *o)
{
	const struct virt *v = &h->virt;
	struct finding *f;

	if (check_is_ppc64(h)) {
		/* virt-host-validate passes every ppc64 host here: KVM-HV or KVM-PR */
		f = check_add(o, "hw-virt", LEVEL_PASS, VHV_HW_VIRT);
		WHAT(f, "%s: virtualization is built into the ISA", h->topo.arch);
		WHY(f, "POWER runs KVM guests with kvm_hv (bare metal) or kvm_pr; "
		       "virt-host-validate passes every ppc64 host here");
		return;
	}
	if (check_is_s390(h)) {
		/* it wants the "sie" facility, which struct virt does not carry */
		f = check_unknown(o, "hw-virt", LEVEL_WARN, VHV_HW_VIRT,
				  "the model has no s390 'sie' facility flag");
		WHY(f, "KVM on s390 needs the SIE facility");
		FIX(f, "check that 'sie' is in the features line of /proc/cpuinfo");
		return;
	}
	if (!check_is_x86(h)) {
		if (h->topo.arch[0] == '\0') {
			f = check_unknown(o, "hw-virt", LEVEL_WARN, "",
					  v->flags_why[0] ? v->flags_why
							  : "CPU architecture unknown");
			WHY(f, "KVM needs hardware virtualization (VT-x, AMD-V, ARM EL2, ...)");
			FIX(f, "check /proc/cpuinfo and /dev/kvm by hand");
			return;
		}
		/* virt-host-validate has no flag to test here: no line, /dev/kvm decides */
		f = check_add(o, "hw-virt", LEVEL_INFO, "");
		WHAT(f, "%s: no CPU flag names hardware virtualization; /dev/kvm decides",
		     h->topo.arch);
		WHY(f, "on %s KVM support shows only as /dev/kvm (e.g. EL2 on arm64)",
		    h->topo.arch);
		return;
	}
	if (check_has_hw_virt(h)) {
		f = check_add(o, "hw-virt", LEVEL_PASS, VHV_HW_VIRT);
		WHAT(f, "%s",
		     v->vmx == TRI_YES ? "Intel VT-x (vmx) present" : "AMD-V (svm) present");
		WHY(f, "KVM needs VT-x or AMD-V to run guests at native speed");
		return;
	}
	if (v->vmx == TRI_NO && v->svm == TRI_NO) {
		f = check_add(o, "hw-virt", LEVEL_FAIL, VHV_HW_VIRT);
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
	f = check_unknown(o, "hw-virt", LEVEL_WARN, VHV_HW_VIRT, v->flags_why);
	WHY(f, "KVM needs VT-x or AMD-V: without it guests are emulated (TCG)");
	FIX(f, "check for vmx or svm in the flags line of /proc/cpuinfo");
}

const char *check_kvm_module_hint(const struct host *h)
{
	if (h->virt.vmx == TRI_YES)
		return "enable VT-x in the BIOS/UEFI, then 'modprobe kvm_intel' "
		       "(dmesg says why it refused to load)";
	if (h->virt.svm == TRI_YES)
		return "enable SVM in the BIOS/UEFI, then 'modprobe kvm_amd' "
		       "(dmesg says why it refused to load)";
	if (check_is_ppc64(h))
		return "modprobe kvm_hv (bare metal or PowerNV) or kvm_pr";
	return "load the KVM module for this CPU and enable virtualization in firmware";
}

/* virt-host-validate looks at /dev/kvm unless it knows the CPU lacks vmx/svm */
static bool vhv_checks_kvm(const struct host *h)
{
	return !(check_is_x86(h) && !check_has_hw_virt(h));
}

static void check_kvm_dev(const struct host *h, struct out *o)
{
	const struct virt *v = &h->virt;
	const char *vhv = vhv_checks_kvm(h) ? VHV_KVM_DEV : "";
	struct finding *f;

	switch (v->kvm_dev) {
	case TRI_YES:
		f = check_add(o, "kvm-dev", LEVEL_PASS, vhv);
		if (v->kvm_module[0])
			WHAT(f, "/dev/kvm exists (%s loaded)", v->kvm_module);
		else
			WHAT(f, "/dev/kvm exists");
		WHY(f, "QEMU opens /dev/kvm to run guests with hardware acceleration");
		break;
	case TRI_NO:
		f = check_add(o, "kvm-dev", LEVEL_FAIL, vhv);
		if (check_is_x86(h) && !check_has_hw_virt(h))
			WHAT(f, "no /dev/kvm: the CPU shows no VT-x/AMD-V (see hw-virt)");
		else if (v->kvm_module[0])
			WHAT(f, "no /dev/kvm although %s is loaded", v->kvm_module);
		else if (check_is_x86(h))
			WHAT(f, "no /dev/kvm: neither kvm_intel nor kvm_amd is loaded");
		else
			WHAT(f, "no /dev/kvm");
		WHY(f,
		    "QEMU needs /dev/kvm for hardware acceleration; without it guests "
		    "are emulated%s%s",
		    v->kvm_why[0] ? ". KVM: " : "", v->kvm_why);
		FIX(f, "%s", check_kvm_module_hint(h));
		break;
	default:
		f = check_unknown(o, "kvm-dev", LEVEL_WARN, vhv, v->kvm_why);
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
		f = check_add(o, "kvm-access", LEVEL_PASS, vhv);
		WHAT(f, "/dev/kvm is readable and writable by this user");
		WHY(f, "QEMU, run by libvirt as its qemu user, opens /dev/kvm read-write");
		break;
	case TRI_NO:
		f = check_add(o, "kvm-access", LEVEL_FAIL, vhv);
		WHAT(f, "/dev/kvm is not readable and writable by this user");
		WHY(f,
		    "QEMU must open /dev/kvm read-write, or guests start emulated or not at all");
		FIX(f, "add the user to group 'kvm' (usermod -aG kvm USER) or run as root; "
		       "udev gives /dev/kvm mode 0660 group kvm");
		break;
	default:
		f = check_unknown(o, "kvm-access", LEVEL_WARN, vhv, v->kvm_why);
		WHY(f, "QEMU must open /dev/kvm read-write");
		FIX(f, "check 'ls -l /dev/kvm' and the user's groups on the host");
		break;
	}
}

static void check_kvm_hv(const struct host *h, struct out *o)
{
	struct finding *f;

	if (!check_is_ppc64(h))
		return;
	if (strcmp(h->virt.kvm_module, "kvm_hv") == 0) {
		f = check_add(o, "kvm-hv", LEVEL_PASS, VHV_KVM_HV);
		WHAT(f, "kvm_hv loaded");
	} else {
		/* "" means none loaded, or a probe that only looks for x86 modules */
		f = check_add(o, "kvm-hv", LEVEL_WARN, VHV_KVM_HV);
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
		f = check_add(o, id, LEVEL_PASS, vhv);
		WHAT(f, "%s exists", dev);
	} else if (t == TRI_NO) {
		f = check_add(o, id, bad, vhv);
		WHAT(f, "no %s", dev);
		FIX(f, "%s", fix);
	} else {
		f = check_add(o, id, LEVEL_WARN, vhv);
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
			f = check_unknown(o, id, LEVEL_WARN, vhv, h->virt.cgroups_why);
		} else if (h->virt.cgroup_ctrls & cgroup_ctrls[i].bit) {
			f = check_add(o, id, LEVEL_PASS, vhv);
			WHAT(f, "cgroup '%s' controller available", name);
		} else {
			f = check_add(o, id, LEVEL_WARN, vhv);
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
			f = check_add(o, "iommu-firmware", LEVEL_PASS, VHV_IOMMU_FW);
			WHAT(f, "ACPI %s table present (%s)", table, intel ? "VT-d" : "AMD-Vi");
		} else if (v->iommu_firmware == TRI_NO) {
			f = check_add(o, "iommu-firmware", LEVEL_WARN, VHV_IOMMU_FW);
			WHAT(f, "no ACPI %s table: IOMMU off in the BIOS or not in this platform",
			     table);
			FIX(f, "enable %s in the BIOS/UEFI setup",
			    intel ? "VT-d (Virtualization Technology for Directed I/O)"
				  : "IOMMU / AMD-Vi");
		} else {
			f = check_unknown(o, "iommu-firmware", LEVEL_WARN, VHV_IOMMU_FW,
					  v->iommu_why);
			FIX(f, "check for /sys/firmware/acpi/tables/%s on the host", table);
		}
		WHY(f, "PCI device assignment (VFIO, SR-IOV VFs in guests) needs an IOMMU");
		return f->level == LEVEL_PASS;
	}
	if (check_is_ppc64(h)) {
		f = check_add(o, "iommu-firmware", LEVEL_PASS, VHV_IOMMU_FW);
		WHAT(f, "%s: IOMMU is part of the platform", h->topo.arch);
		WHY(f, "POWER platforms always have an IOMMU (TCE tables); "
		       "virt-host-validate passes every ppc64 host here");
		return true;
	}
	if (check_is_s390(h)) {
		/* it skips (NOTE) without PCI devices, passes with some: not in the model */
		f = check_unknown(o, "iommu-firmware", LEVEL_INFO, VHV_IOMMU_FW,
				  "s390 PCI devices are not in the model");
		WHY(f, "on s390 only PCI devices (zPCI) use the IOMMU");
		return true;
	}
	/* virt-host-validate stops here: no vmx/svm flag to pick DMAR or IVRS */
	f = check_add(o, "iommu-firmware", LEVEL_WARN, VHV_IOMMU_FW);
	WHAT(f, "unknown if this platform has IOMMU support (%s)",
	     check_is_x86(h)   ? "no vmx/svm flag"
	     : h->topo.arch[0] ? h->topo.arch
			       : "arch unknown");
	WHY(f,
	    "PCI device assignment needs an IOMMU; on x86 the vmx/svm flag tells "
	    "whether to look for DMAR (VT-d) or IVRS (AMD-Vi)%s",
	    v->iommu_firmware == TRI_YES ? "; a DMAR or IVRS table is present" : "");
	FIX(f, "%s",
	    check_is_x86(h) ? "enable VT-x/AMD-V (see hw-virt) and VT-d/AMD-Vi in the BIOS"
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
		f = check_add(o, "iommu-kernel", LEVEL_PASS, vhv);
		WHAT(f, "IOMMU enabled in the kernel: %u IOMMU groups", v->niommu_groups);
	} else if (v->iommu == TRI_UNKNOWN) {
		f = check_unknown(o, "iommu-kernel", LEVEL_WARN, vhv, v->iommu_why);
	} else {
		f = check_add(o, "iommu-kernel", LEVEL_WARN, vhv);
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

	if (v->secure_guest == TRI_YES && (check_is_s390(h) || v->svm == TRI_YES)) {
		f = check_add(o, "secure-guest", LEVEL_PASS, VHV_SECURE);
		WHAT(f, "secure guests supported (%s)",
		     check_is_s390(h) ? "IBM Secure Execution" : "AMD SEV");
	} else if (v->secure_guest == TRI_YES) {
		/* virt-host-validate 9.0 knows only SEV and s390: it WARNs "unknown" */
		f = check_add(o, "secure-guest", LEVEL_WARN, VHV_SECURE);
		WHAT(f, "secure guests reported; virt-host-validate 9.0 checks only SEV and s390");
		FIX(f, "check the platform's confidential-guest support (e.g. Intel TDX) by hand");
	} else if (v->secure_guest == TRI_NO) {
		char buf[96];

		f = check_add(o, "secure-guest", LEVEL_WARN, VHV_SECURE);
		WHAT(f, "no secure guest support%s%s", v->secure_why[0] ? ": " : "",
		     v->secure_why[0] ? check_why_of(v->secure_why, buf, sizeof(buf)) : "");
		FIX(f, "AMD: enable SEV in the BIOS and boot with kvm_amd.sev=1; "
		       "s390: prot_virt=1; not needed for ordinary guests");
	} else {
		/* also every Intel host: virt-host-validate 9.0 knows no TDX */
		f = check_unknown(o, "secure-guest", LEVEL_WARN, VHV_SECURE, v->secure_why);
		FIX(f, "needed only for confidential guests (AMD SEV, IBM Secure Execution)");
	}
	WHY(f, "confidential guests encrypt their memory against the host; ordinary "
	       "and NFV guests do not need it");
}

/* virt-host-validate-qemu.c's order: the IOMMU kernel line only after the firmware line */
void check_vhv(const struct host *h, struct out *o)
{
	bool fw;

	check_hw_virt(h, o);
	check_kvm_dev(h, o);
	check_kvm_access(h, o);
	check_kvm_hv(h, o);
	check_vhost_net(h, o);
	check_tun(h, o);
	check_cgroups(h, o);
	fw = check_iommu_firmware(h, o);
	check_iommu_kernel(h, o, fw);
	check_secure_guest(h, o);
}
