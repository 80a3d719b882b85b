/* virt.c - hardware virtualization, KVM, QEMU's devices, cgroups, IOMMU and NICs
 *
 * Policy: every fact that virt-host-validate (libvirt 9.0, Debian 12) also
 * judges is read from the same files and decided the same way, so that
 * "hvtune check" and virt-host-validate agree on the same host: cgroup
 * controllers from /proc/mounts (v1 mount options, v2 cgroup.controllers),
 * the IOMMU from the ACPI table matching the CPU vendor and the link count of
 * sys/kernel/iommu_groups, secure guests from the sev flag, kvm_amd's sev
 * parameter and /dev/sev.  On a capture of another machine, a file that the
 * capture simply lacks leaves the fact unknown instead of "absent".
 */
#include "probe/probe_int.h"
#include "probe/strfmt.h"
#include "probe/virt_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define CPUINFO "/proc/cpuinfo"

/* What one pass over cpuinfo yields (the first value of each key). */
struct cpuinfo {
	bool present;	      /* the file was read */
	bool truncated;	      /* it ends mid-line (the last line was not used) */
	char *flags;	      /* x86 "flags" (heap), NULL when absent */
	char *vmx_flags;      /* x86 "vmx flags" (heap), NULL when absent */
	char *features;	      /* arm "Features" / s390 "features" (heap) */
	char *facilities;     /* s390 "facilities" (heap) */
	char vendor[32];      /* "vendor_id" */
	char model[96];	      /* "model name" */
	char implementer[16]; /* arm "CPU implementer" */
	char part[16];	      /* arm "CPU part" */
	char cpu_arch[16];    /* arm "CPU architecture" */
	char ppc_cpu[96];     /* ppc "cpu" */
	char tlb_size[64];    /* AMD "TLB size" */
	unsigned vhv;	      /* VHV_FLAG_* as virt-host-validate 9.0 sees them */
};

static void cpuinfo_release(struct cpuinfo *ci)
{
	free(ci->flags);
	free(ci->vmx_flags);
	free(ci->features);
	free(ci->facilities);
	memset(ci, 0, sizeof(*ci));
}

/* True when @tok is one of the blank-separated words of @list. */
static bool has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok);
	const char *p = list;

	if (!list)
		return false;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, tok, n) == 0 && (p[n] == '\0' || p[n] == ' ' || p[n] == '\t'))
			return true;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return false;
}

static enum tri tok_tri(const char *list, const char *tok)
{
	return has_token(list, tok) ? TRI_YES : TRI_NO;
}

/*
 * virHostValidateGetCPUFlags() of libvirt 9.0, byte for byte: fgets() into
 * char[1024] (at most 1023 bytes), lines starting with flags/Features/
 * features/facilities, the last byte of the chunk cut as if it were the
 * newline, then split on ' ' after the first ':'.
 */
static unsigned vhv_scan(const char *raw, size_t len)
{
	static const struct {
		const char *name;
		unsigned bit;
	} toks[] = {
	    {"vmx", VHV_FLAG_VMX}, {"svm", VHV_FLAG_SVM}, {"sie", VHV_FLAG_SIE},
	    {"158", VHV_FLAG_158}, {"sev", VHV_FLAG_SEV},
	};
	static const char *const prefixes[] = {"flags", "Features", "features", "facilities"};
	char chunk[1024];
	size_t n = len < sizeof(chunk) - 1 ? len : sizeof(chunk) - 1;
	unsigned bits = 0;
	bool want = false;
	char *p, *save = NULL;

	for (size_t i = 0; i < ARRAY_LEN(prefixes); i++)
		if (strncmp(raw, prefixes[i], strlen(prefixes[i])) == 0)
			want = true;
	if (!want || n == 0)
		return 0;
	memcpy(chunk, raw, n);
	chunk[n - 1] = '\0';
	p = strchr(chunk, ':');
	if (!p)
		return 0;
	for (char *t = strtok_r(p, " ", &save); t; t = strtok_r(NULL, " ", &save))
		for (size_t i = 0; i < ARRAY_LEN(toks); i++)
			if (strcmp(t, toks[i].name) == 0)
				bits |= toks[i].bit;
	return bits;
}

static int take_str(char **dst, const char *val, struct err *e)
{
	if (*dst)
		return 0;
	*dst = strdup(val);
	if (!*dst)
		return err_set(e, ENOMEM, "cannot keep a cpuinfo line");
	return 0;
}

static void take_buf(char *dst, size_t size, const char *val)
{
	if (dst[0] == '\0')
		strfmt_set(dst, size, "%s", val);
}

/* One pass over cpuinfo; ENOENT leaves @ci->present false. */
static int cpuinfo_read(const struct fsroot *r, struct cpuinfo *ci, struct err *e)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	memset(ci, 0, sizeof(*ci));
	f = fs_fopen(r, CPUINFO, FS_MAX_PERCPU, e);
	if (!f)
		return probe_soft(e) ? 0 : -1;
	ci->present = true;
	errno = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		char *colon, *key, *val;

		ci->vhv |= vhv_scan(line, (size_t)n);
		if (line[n - 1] != '\n') {
			/* A capture cut short: half a flags line is not the flags. */
			ci->truncated = true;
			break;
		}
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		key = strfmt_trim(line);
		val = strfmt_trim(colon + 1);
		if (strcmp(key, "flags") == 0) {
			if (take_str(&ci->flags, val, e) < 0)
				goto fail;
		} else if (strcmp(key, "vmx flags") == 0) {
			if (take_str(&ci->vmx_flags, val, e) < 0)
				goto fail;
		} else if (strcmp(key, "Features") == 0 || strcmp(key, "features") == 0) {
			if (take_str(&ci->features, val, e) < 0)
				goto fail;
		} else if (strcmp(key, "facilities") == 0) {
			if (take_str(&ci->facilities, val, e) < 0)
				goto fail;
		} else if (strcmp(key, "vendor_id") == 0) {
			take_buf(ci->vendor, sizeof(ci->vendor), val);
		} else if (strcmp(key, "model name") == 0) {
			take_buf(ci->model, sizeof(ci->model), val);
		} else if (strcmp(key, "CPU implementer") == 0) {
			take_buf(ci->implementer, sizeof(ci->implementer), val);
		} else if (strcmp(key, "CPU part") == 0) {
			take_buf(ci->part, sizeof(ci->part), val);
		} else if (strcmp(key, "CPU architecture") == 0) {
			take_buf(ci->cpu_arch, sizeof(ci->cpu_arch), val);
		} else if (strcmp(key, "cpu") == 0) {
			take_buf(ci->ppc_cpu, sizeof(ci->ppc_cpu), val);
		} else if (strcmp(key, "TLB size") == 0) {
			take_buf(ci->tlb_size, sizeof(ci->tlb_size), val);
		}
		errno = 0;
	}
	if (ferror(f)) {
		int sys = errno;

		err_set(e, sys, "cannot read '%s%s'", r->shown, CPUINFO);
		goto fail;
	}
	free(line);
	fclose(f);
	return 0;
fail:
	free(line);
	fclose(f);
	cpuinfo_release(ci);
	return -1;
}

/* arm "CPU implementer" codes, as the kernel's cputype.h and lscpu name them. */
static const char *arm_implementer(const char *code)
{
	static const struct {
		unsigned long id;
		const char *name;
	} t[] = {
	    {0x41, "ARM"},	 {0x42, "Broadcom"},  {0x43, "Cavium"}, {0x46, "Fujitsu"},
	    {0x48, "HiSilicon"}, {0x4e, "NVIDIA"},    {0x50, "APM"},	{0x51, "Qualcomm"},
	    {0x61, "Apple"},	 {0x6d, "Microsoft"}, {0xc0, "Ampere"},
	};
	unsigned long id = strtoul(code, NULL, 0);

	for (size_t i = 0; i < ARRAY_LEN(t); i++)
		if (t[i].id == id)
			return t[i].name;
	return NULL;
}

/* topo.cpuinfo_why: the file is missing, or which of the three it does not give. */
static void why_cpu_identity(struct topo *t, const struct fsroot *r, const struct cpuinfo *ci)
{
	const char *missing[3];
	size_t n = 0;

	if (!ci->present && !t->arch[0]) {
		strfmt_set(t->cpuinfo_why, sizeof(t->cpuinfo_why), "no '%s" CPUINFO "'", r->shown);
		return;
	}
	if (!t->arch[0])
		missing[n++] = "architecture";
	if (!t->vendor[0])
		missing[n++] = "vendor";
	if (!t->model[0])
		missing[n++] = "model";
	if (n == 0)
		return;
	if (!ci->present) {
		strfmt_set(t->cpuinfo_why, sizeof(t->cpuinfo_why), "no '%s" CPUINFO "'", r->shown);
		return;
	}
	strfmt_set(t->cpuinfo_why, sizeof(t->cpuinfo_why), "no %s%s%s%s%s in '%s" CPUINFO "'",
		   missing[0], n > 1 ? (n > 2 ? ", " : " or ") : "", n > 1 ? missing[1] : "",
		   n > 2 ? " or " : "", n > 2 ? missing[2] : "", r->shown);
}

static void fill_cpu_identity(struct host *h, const struct fsroot *r, const struct cpuinfo *ci)
{
	struct topo *t = &h->topo;

	if (ci->flags) {
		/* x86: "lm" (long mode) is what makes it x86_64 */
		strfmt_set(t->arch, sizeof(t->arch), "%s",
			   has_token(ci->flags, "lm") ? "x86_64" : "i686");
		strfmt_set(t->vendor, sizeof(t->vendor), "%s", ci->vendor);
		strfmt_set(t->model, sizeof(t->model), "%s", ci->model);
	} else if (strcmp(ci->vendor, "IBM/S390") == 0) {
		strfmt_set(t->arch, sizeof(t->arch), "s390x");
		strfmt_set(t->vendor, sizeof(t->vendor), "IBM");
	} else if (ci->implementer[0] || ci->features) {
		const char *name = arm_implementer(ci->implementer);

		/* "asimd" is the arm64 name of what 32-bit kernels call "neon" */
		strfmt_set(t->arch, sizeof(t->arch), "%s",
			   has_token(ci->features, "asimd") || strcmp(ci->cpu_arch, "8") == 0
			       ? "aarch64"
			       : "arm");
		if (name)
			strfmt_set(t->vendor, sizeof(t->vendor), "%s", name);
		else if (ci->implementer[0])
			strfmt_set(t->vendor, sizeof(t->vendor), "implementer %s", ci->implementer);
		if (ci->part[0])
			strfmt_set(t->model, sizeof(t->model), "part %s", ci->part);
	} else if (strncmp(ci->ppc_cpu, "POWER", 5) == 0 || strncmp(ci->ppc_cpu, "PPC", 3) == 0) {
		/* cpuinfo does not tell big from little endian: "ppc64" names the family */
		strfmt_set(t->arch, sizeof(t->arch), "ppc64");
		strfmt_set(t->vendor, sizeof(t->vendor), "IBM");
		strfmt_set(t->model, sizeof(t->model), "%s", ci->ppc_cpu);
	}
	if (t->arch[0] == '\0' && r->live) {
		struct utsname u;

		if (uname(&u) == 0)
			strfmt_set(t->arch, sizeof(t->arch), "%s", u.machine);
	}
	why_cpu_identity(t, r, ci);
}

static void flags_unknown(struct virt *v)
{
	v->vmx = v->svm = v->ept = v->npt = v->vpid = TRI_UNKNOWN;
	v->unrestricted_guest = v->posted_intr = v->apicv = v->avic = TRI_UNKNOWN;
	v->hypervisor = v->pdpe1gb = v->flexpriority = v->sev = TRI_UNKNOWN;
}

static void fill_flags(struct host *h, const struct fsroot *r, const struct cpuinfo *ci,
		       const struct err *open_err)
{
	struct virt *v = &h->virt;

	v->vhv_flags = ci->vhv;
	if (!ci->flags) {
		flags_unknown(v);
		if (!ci->present)
			probe_why(v->flags_why, sizeof(v->flags_why), r, CPUINFO, open_err);
		else if (h->topo.arch[0] && strncmp(h->topo.arch, "x86", 3) != 0 &&
			 strcmp(h->topo.arch, "i686") != 0)
			strfmt_set(v->flags_why, sizeof(v->flags_why),
				   "not an x86 CPU (%s): cpuinfo has no VT-x/AMD-V flags",
				   h->topo.arch);
		else if (ci->truncated)
			strfmt_set(v->flags_why, sizeof(v->flags_why),
				   "'%s%s' ends mid-line before a complete 'flags' line", r->shown,
				   CPUINFO);
		else
			strfmt_set(v->flags_why, sizeof(v->flags_why), "no 'flags' line in '%s%s'",
				   r->shown, CPUINFO);
		strfmt_set(v->vmx_flags_why, sizeof(v->vmx_flags_why), "%s", v->flags_why);
		return;
	}
	v->vmx = tok_tri(ci->flags, "vmx");
	v->svm = tok_tri(ci->flags, "svm");
	v->hypervisor = tok_tri(ci->flags, "hypervisor");
	v->pdpe1gb = tok_tri(ci->flags, "pdpe1gb");
	v->npt = tok_tri(ci->flags, "npt");
	v->avic = tok_tri(ci->flags, "avic");
	v->sev = tok_tri(ci->flags, "sev");
	if (ci->vmx_flags) {
		/* Linux lists the VMX controls it found (arch/x86/include/asm/vmxfeatures.h) */
		v->ept = tok_tri(ci->vmx_flags, "ept");
		v->vpid = tok_tri(ci->vmx_flags, "vpid");
		v->flexpriority = tok_tri(ci->vmx_flags, "flexpriority");
		v->unrestricted_guest = tok_tri(ci->vmx_flags, "unrestricted_guest");
		v->posted_intr = tok_tri(ci->vmx_flags, "posted_intr");
		v->apicv = tok_tri(ci->vmx_flags, "apicv");
	} else if (v->vmx == TRI_YES) {
		/* older kernels show only the synthetic ept/vpid/flexpriority flags */
		v->ept = tok_tri(ci->flags, "ept");
		v->vpid = tok_tri(ci->flags, "vpid");
		v->flexpriority = tok_tri(ci->flags, "flexpriority");
		v->unrestricted_guest = v->posted_intr = v->apicv = TRI_UNKNOWN;
		strfmt_set(v->vmx_flags_why, sizeof(v->vmx_flags_why),
			   "no 'vmx flags' line in '%s%s': this kernel does not list VMX controls",
			   r->shown, CPUINFO);
	} else {
		/* no VT-x, so none of its controls */
		v->ept = v->vpid = v->flexpriority = TRI_NO;
		v->unrestricted_guest = v->posted_intr = v->apicv = TRI_NO;
	}
}

/* A module parameter: bool ("Y"/"N") or int ("1"/"0").  ENOENT leaves it unknown. */
static int read_param(const struct fsroot *r, const char *path, enum tri *t, char *why,
		      size_t whysize, struct err *e)
{
	struct err e2 = ERR_INIT;
	char buf[64];

	*t = TRI_UNKNOWN;
	if (fs_read(r, path, buf, sizeof(buf), &e2) < 0) {
		if (!probe_soft(&e2))
			return *e = e2, -1;
		if (why && why[0] == '\0')
			probe_why(why, whysize, r, path, &e2);
		return 0;
	}
	switch (buf[0]) {
	case 'Y':
	case 'y':
	case '1':
		*t = TRI_YES;
		return 0;
	case 'N':
	case 'n':
	case '0':
		*t = TRI_NO;
		return 0;
	}
	return err_set(e, EINVAL, "invalid value '%s' in '%s%s'", buf, r->shown, path);
}

static bool dev_known(const struct fsroot *r)
{
	/* captures of /sys and /proc seldom include /dev */
	return r->live || fs_exists(r, "/dev");
}

static enum tri dev_tri(const struct fsroot *r, const char *path)
{
	if (!dev_known(r))
		return TRI_UNKNOWN;
	return fs_exists(r, path) ? TRI_YES : TRI_NO;
}

static void kvm_not_usable_why(struct host *h, const struct fsroot *r, const struct cpuinfo *ci)
{
	struct virt *v = &h->virt;
	const char *mod = v->vmx == TRI_YES ? "kvm_intel" : "kvm_amd";
	const char *flag = v->vmx == TRI_YES ? "vmx" : "svm";
	const char *tech = v->vmx == TRI_YES ? "VT-x" : "AMD-V";
	char path[64];

	strfmt_set(path, sizeof(path), "/sys/module/%s", mod);
	if (v->vmx == TRI_YES || v->svm == TRI_YES) {
		if (fs_exists(r, path))
			strfmt_set(v->kvm_why, sizeof(v->kvm_why),
				   "%s is loaded but there is no "
				   "/dev/kvm: the device node was not created",
				   mod);
		else if (v->vmx == TRI_YES && ci->vmx_flags)
			/* Linux >= 5.6 clears the VMX features unless the firmware
			 * enabled VT-x (arch/x86/kernel/cpu/feat_ctl.c) */
			strfmt_set(v->kvm_why, sizeof(v->kvm_why),
				   "vmx flag present but no /dev/kvm: kvm_intel is not loaded "
				   "(VT-x is enabled: the kernel lists 'vmx flags')");
		else
			strfmt_set(v->kvm_why, sizeof(v->kvm_why),
				   "%s flag present but no /dev/kvm: %s not loaded or %s disabled "
				   "in firmware",
				   flag, mod, tech);
	} else if (v->vmx == TRI_NO && v->hypervisor == TRI_YES) {
		strfmt_set(v->kvm_why, sizeof(v->kvm_why),
			   "no vmx/svm flag and no /dev/kvm: this host is a VM without nested "
			   "virtualization");
	} else if (v->vmx == TRI_NO) {
		strfmt_set(v->kvm_why, sizeof(v->kvm_why),
			   "no vmx/svm flag and no /dev/kvm: VT-x/AMD-V missing or disabled in "
			   "firmware");
	} else {
		strfmt_set(v->kvm_why, sizeof(v->kvm_why), "no /dev/kvm: no KVM module is loaded");
	}
}

static int probe_kvm(struct host *h, const struct fsroot *r, const struct cpuinfo *ci,
		     struct err *e)
{
	static const char *const mods[] = {"kvm_intel", "kvm_amd", "kvm_hv", "kvm_pr", "kvm_pvm"};
	struct virt *v = &h->virt;
	char path[128];

	v->kvm_module[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(mods) && !v->kvm_module[0]; i++) {
		strfmt_set(path, sizeof(path), "/sys/module/%s", mods[i]);
		if (fs_exists(r, path))
			strfmt_set(v->kvm_module, sizeof(v->kvm_module), "%s", mods[i]);
	}
	if (!v->kvm_module[0] && fs_exists(r, "/sys/module/kvm"))
		strfmt_set(v->kvm_module, sizeof(v->kvm_module), "kvm");

	/* nested, EPT/NPT and APICv/AVIC as the loaded vendor module uses them */
	v->nested = v->kvm_tdp = v->kvm_apicv = TRI_UNKNOWN;
	if (strcmp(v->kvm_module, "kvm_intel") == 0 || strcmp(v->kvm_module, "kvm_amd") == 0) {
		bool intel = strcmp(v->kvm_module, "kvm_intel") == 0;

		strfmt_set(path, sizeof(path), "/sys/module/%s/parameters/nested", v->kvm_module);
		if (read_param(r, path, &v->nested, v->nested_why, sizeof(v->nested_why), e) < 0)
			return -1;
		strfmt_set(path, sizeof(path), "/sys/module/%s/parameters/%s", v->kvm_module,
			   intel ? "ept" : "npt");
		if (read_param(r, path, &v->kvm_tdp, NULL, 0, e) < 0)
			return -1;
		strfmt_set(path, sizeof(path), "/sys/module/%s/parameters/%s", v->kvm_module,
			   intel ? "enable_apicv" : "avic");
		if (read_param(r, path, &v->kvm_apicv, NULL, 0, e) < 0)
			return -1;
	} else if (!fs_exists(r, "/sys/module")) {
		strfmt_set(v->nested_why, sizeof(v->nested_why), "no '%s/sys/module' in this root",
			   r->shown);
	} else {
		strfmt_set(v->nested_why, sizeof(v->nested_why), "%s",
			   v->kvm_module[0] ? "the loaded KVM module has no 'nested' parameter"
					    : "neither kvm_intel nor kvm_amd is loaded");
	}

	v->kvm_dev = dev_tri(r, "/dev/kvm");
	v->kvm_access = TRI_UNKNOWN;
	v->kvm_api = 0;
	if (v->kvm_dev == TRI_UNKNOWN) {
		v->kvm_usable = TRI_UNKNOWN;
		strfmt_set(v->kvm_why, sizeof(v->kvm_why), "no '%s/dev' in this root", r->shown);
		return 0;
	}
	if (v->kvm_dev == TRI_NO) {
		v->kvm_usable = TRI_NO;
		kvm_not_usable_why(h, r, ci);
		return 0;
	}
	if (!r->live) {
		/* access belongs to a user on that machine: not checked */
		v->kvm_usable = TRI_YES;
		return 0;
	}
	/* virt-host-validate's "accessible" test: access(R_OK|W_OK) */
	if (faccessat(r->fd, "dev/kvm", R_OK | W_OK, 0) < 0) {
		v->kvm_access = TRI_NO;
		v->kvm_usable = TRI_NO;
		strfmt_set(v->kvm_why, sizeof(v->kvm_why),
			   "no read-write access to /dev/kvm for this user: %s", strerror(errno));
		return 0;
	}
	v->kvm_access = TRI_YES;
	{
		int fd = openat(r->fd, "dev/kvm", O_RDWR | O_CLOEXEC);
		int api;

		if (fd < 0) {
			v->kvm_usable = TRI_NO;
			strfmt_set(v->kvm_why, sizeof(v->kvm_why), "cannot open /dev/kvm: %s",
				   strerror(errno));
			return 0;
		}
		api = ioctl(fd, KVM_GET_API_VERSION, 0);
		if (api < 0)
			strfmt_set(v->kvm_why, sizeof(v->kvm_why),
				   "KVM_GET_API_VERSION on /dev/kvm failed: %s", strerror(errno));
		close(fd);
		v->kvm_api = api > 0 ? api : 0;
		/* the only KVM API there has ever been (Documentation/virt/kvm/api.rst) */
		v->kvm_usable = api == KVM_API_VERSION ? TRI_YES : TRI_NO;
		if (api >= 0 && api != KVM_API_VERSION)
			strfmt_set(v->kvm_why, sizeof(v->kvm_why),
				   "/dev/kvm speaks KVM API %d, not %d", api, KVM_API_VERSION);
	}
	return 0;
}

static void probe_devices(struct host *h, const struct fsroot *r)
{
	struct virt *v = &h->virt;

	v->vhost_net = dev_tri(r, "/dev/vhost-net");
	v->tun = dev_tri(r, "/dev/net/tun");
	if (!dev_known(r))
		strfmt_set(v->devices_why, sizeof(v->devices_why), "no '%s/dev' in this root",
			   r->shown);
}

/* ---- cgroups, as libvirt 9.0's virCgroupNew("/", -1) finds them ---- */

/* The octal escapes of /proc/mounts ("\040" for a blank), decoded in place. */
static void unescape_mount(char *s)
{
	char *w = s;

	for (const char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*w++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
}

/* A comma-separated option list holds exactly @opt (libvirt's
 * virCgroupV1MountOptsMatchController). */
static bool has_opt(const char *opts, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = opts; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, opt, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* v2's cgroup.controllers word for each CGROUP_* bit (its v1 mount option is
 * cgroup_ctrl_name()), NULL when v2 has none. */
static const struct {
	const char *v2;
	unsigned bit;
} cg_names[] = {
    {"cpu", CGROUP_CPU},
    {NULL, CGROUP_CPUACCT}, /* v2 has no cpuacct: cpu.stat is always there */
    {"cpuset", CGROUP_CPUSET},
    {"memory", CGROUP_MEMORY},
    {NULL, CGROUP_DEVICES}, /* v2: a BPF program, not a controller */
    {"io", CGROUP_BLKIO},
};

enum read_rc { READ_OK, READ_ABSENT, READ_FAILED };

/* Reads a small file; on a capture ENOENT is READ_ABSENT (the capture lacks
 * it), anything else that fails is READ_FAILED; @why says what failed. */
static enum read_rc read_small(const struct fsroot *r, const char *path, char *buf, size_t size,
			       long *len, char *why, size_t whysize)
{
	struct err e2 = ERR_INIT;

	*len = fs_read(r, path, buf, size, &e2);
	if (*len >= 0)
		return READ_OK;
	probe_why(why, whysize, r, path, &e2);
	return !r->live && e2.sys == ENOENT ? READ_ABSENT : READ_FAILED;
}

/* fs_read() strips the newline: tell "\n" (no controllers) from an empty file. */
static bool raw_empty(const struct fsroot *r, const char *path)
{
	struct err e2 = ERR_INIT;
	FILE *f = fs_fopen(r, path, FS_MAX_KEYS, &e2);
	bool empty;

	if (!f)
		return true;
	empty = fgetc(f) == EOF;
	fclose(f);
	return empty;
}

static bool bpf_devices_available(const struct fsroot *r, const char *dir)
{
	union bpf_attr attr;
	struct err e2 = ERR_INIT;
	DIR *d = fs_opendir(r, dir, &e2);
	long rc;

	if (!d)
		return false;
	/* virCgroupV2DevicesAvailable(): may BPF_CGROUP_DEVICE programs be queried? */
	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (unsigned)dirfd(d);
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	rc = syscall(SYS_bpf, BPF_PROG_QUERY, &attr, sizeof(attr));
	closedir(d);
	return rc == 0;
}

static void cgroups_unknown(struct virt *v)
{
	v->cgroups_known = false;
	v->cgroup_ctrls = 0;
	v->cgroup_unknown = 0;
	v->cgroup_mode[0] = '\0';
}

#define CGROUP_QEMU                                                                                \
	(CGROUP_CPU | CGROUP_CPUACCT | CGROUP_CPUSET | CGROUP_MEMORY | CGROUP_DEVICES |            \
	 CGROUP_BLKIO)

/*
 * On the live host every rule of libvirt applies as is.  A capture lacks
 * files that its kernel had: /proc/cgroups and /proc/self/cgroup exist on
 * every kernel that lists a cgroup mount (kernel/cgroup/cgroup-v1.c,
 * kernel/cgroup/cgroup.c), so only a missing cgroup.controllers leaves the
 * controllers that v1 does not provide unknown.
 */
enum cg_v2 { V2_UNDECIDED, V2_YES, V2_NO, V2_UNKNOWN };

/* What the mount table says about cgroups. */
struct cg_scan {
	char v2dir[FS_PATH_MAX]; /* the last cgroup2 mount */
	enum cg_v2 v2;
	bool v1_mount;	   /* an unnamed cgroup v1 mount */
	unsigned v1_ctrls; /* CGROUP_* bits mounted as v1 */
};

/* One line of /proc/mounts into @s. */
static void cgroups_mount(char *line, struct cg_scan *s, struct virt *v, const struct fsroot *r)
{
	char *save = NULL, *dev, *dir, *type, *opts;
	char path[FS_PATH_MAX + 32], buf[16384];
	long len;

	dev = strtok_r(line, " \t\n", &save);
	dir = strtok_r(NULL, " \t\n", &save);
	type = strtok_r(NULL, " \t\n", &save);
	opts = strtok_r(NULL, " \t\n", &save);
	if (!dev || !dir || !type || !opts || dir[0] != '/')
		return;
	unescape_mount(dir);
	if (strcmp(type, "cgroup") == 0) {
		if (!strstr(opts, "name="))
			s->v1_mount = true;
		/* the last mount of a controller wins, as in libvirt */
		for (size_t i = 0; i < ARRAY_LEN(cg_names); i++)
			if (has_opt(opts, cgroup_ctrl_name(cg_names[i].bit)))
				s->v1_ctrls |= cg_names[i].bit;
	} else if (strcmp(type, "cgroup2") == 0) {
		/* virCgroupV2Available(): the first cgroup2 mount whose
		 * cgroup.controllers reads as non-empty; a failed read ends
		 * the search.  The kernel always ends the file with "\n", so
		 * only a capture can hold a truly empty one. */
		strfmt_set(s->v2dir, sizeof(s->v2dir), "%s", dir);
		if (s->v2 != V2_UNDECIDED)
			return;
		strfmt_set(path, sizeof(path), "%s/cgroup.controllers",
			   strcmp(dir, "/") == 0 ? "" : dir);
		switch (read_small(r, path, buf, sizeof(buf), &len, v->cgroups_why,
				   sizeof(v->cgroups_why))) {
		case READ_ABSENT:
			s->v2 = V2_UNKNOWN;
			break;
		case READ_FAILED:
			s->v2 = V2_NO;
			v->cgroups_why[0] = '\0';
			break;
		case READ_OK:
			if (len > 0 || !raw_empty(r, path))
				s->v2 = V2_YES;
			break;
		}
	}
}

/* Reads /proc/mounts into @s; 1 when it is absent (cgroups_why says so). */
static int cgroups_scan(struct cg_scan *s, struct virt *v, const struct fsroot *r, struct err *e)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = fs_fopen(r, "/proc/mounts", FS_MAX_PERCPU, e);
	if (!f) {
		if (!probe_soft(e))
			return -1;
		probe_why(v->cgroups_why, sizeof(v->cgroups_why), r, "/proc/mounts", e);
		return 1;
	}
	while (getline(&line, &cap, f) > 0)
		cgroups_mount(line, s, v, r);
	if (ferror(f)) {
		int sys = errno;

		free(line);
		fclose(f);
		return err_set(e, sys, "cannot read '%s/proc/mounts'", r->shown);
	}
	free(line);
	fclose(f);
	return 0;
}

/* v1's controllers only, when v2's cgroup.controllers is missing from the capture. */
static void cgroups_v2_absent(struct virt *v, bool v1, unsigned v1_ctrls)
{
	v->cgroup_ctrls = v1 ? v1_ctrls : 0;
	v->cgroup_unknown = CGROUP_QEMU & ~v->cgroup_ctrls;
	strfmt_set(v->cgroup_mode, sizeof(v->cgroup_mode), "%s", v1 ? "hybrid" : "v2");
	if (!v->cgroup_unknown)
		v->cgroups_why[0] = '\0'; /* v1 alone decided them all */
}

/* v2's controllers (placement "/": libvirt reads "<mount>//cgroup.controllers"),
 * into *@ctrls; false when they could not be read (cgroups_why says why). */
static bool cgroups_v2(struct virt *v, const struct fsroot *r, const struct cg_scan *s, bool v1,
		       unsigned *ctrls)
{
	char path[FS_PATH_MAX + 32], buf[16384];
	long len;

	strfmt_set(path, sizeof(path), "%s/cgroup.controllers",
		   strcmp(s->v2dir, "/") == 0 ? "" : s->v2dir);
	switch (
	    read_small(r, path, buf, sizeof(buf), &len, v->cgroups_why, sizeof(v->cgroups_why))) {
	case READ_ABSENT:
		cgroups_v2_absent(v, v1, s->v1_ctrls);
		return false;
	case READ_FAILED:
		return false;
	case READ_OK:
		break;
	}
	for (size_t i = 0; i < ARRAY_LEN(cg_names); i++)
		if (cg_names[i].v2 && has_token(buf, cg_names[i].v2))
			*ctrls |= cg_names[i].bit;
	*ctrls |= CGROUP_CPUACCT;
	if (r->live) {
		if (bpf_devices_available(r, s->v2dir))
			*ctrls |= CGROUP_DEVICES;
	} else {
		v->cgroup_unknown |= CGROUP_DEVICES;
	}
	return true;
}

static int probe_cgroups(struct host *h, const struct fsroot *r, struct err *e)
{
	struct virt *v = &h->virt;
	struct cg_scan s;
	unsigned v2_ctrls = 0;
	char buf[16384];
	long len;
	bool v1;
	int rc;

	cgroups_unknown(v);
	rc = cgroups_scan(&s, v, r, e);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	v->cgroups_known = true;
	/* virCgroupV1Available(): /proc/cgroups and an unnamed cgroup mount */
	v1 = s.v1_mount && (!r->live || fs_exists(r, "/proc/cgroups"));
	if (s.v2 == V2_UNKNOWN) {
		cgroups_v2_absent(v, v1, s.v1_ctrls);
		return 0; /* cgroups_why names the missing cgroup.controllers */
	}
	if (!v1 && s.v2 != V2_YES) {
		strfmt_set(v->cgroups_why, sizeof(v->cgroups_why),
			   "no cgroup v1 controller mount and no cgroup v2 mount with controllers");
		return 0;
	}
	/* virCgroupDetectPlacement() must be able to read our own cgroups */
	if (r->live && read_small(r, "/proc/self/cgroup", buf, sizeof(buf), &len, v->cgroups_why,
				  sizeof(v->cgroups_why)) != READ_OK)
		return 0; /* libvirt cannot initialize cgroups: every controller fails */
	if (s.v2 == V2_YES && !cgroups_v2(v, r, &s, v1, &v2_ctrls))
		return 0;
	v->cgroup_ctrls = (v1 ? s.v1_ctrls : 0) | v2_ctrls;
	v->cgroup_unknown &= ~v->cgroup_ctrls;
	v->cgroups_why[0] = '\0';
	if (v->cgroup_unknown)
		strfmt_set(v->cgroups_why, sizeof(v->cgroups_why),
			   "cgroup v2 'devices' is a BPF program: queried on the live host only");
	strfmt_set(v->cgroup_mode, sizeof(v->cgroup_mode), "%s",
		   v1 && s.v2 == V2_YES ? "hybrid"
		   : v1			? "v1"
					: "v2");
	return 0;
}

/* ---- secure guests, as virHostValidateSecureGuests() of libvirt 9.0 ---- */

/* The first "prot_virt=" of the command line has a value starting with one
 * the kernel reads as true (libvirt: SEARCH_FIRST | CMP_PREFIX). */
static bool prot_virt_on(const char *cmdline)
{
	static const char *const on[] = {"y", "Y", "on", "ON", "oN", "On", "1"};
	char buf[4096];
	char *save = NULL;

	strfmt_set(buf, sizeof(buf), "%s", cmdline);
	for (char *t = strtok_r(buf, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
		const char *want = "prot_virt";
		size_t i;

		/* the kernel treats '-' and '_' in parameter names alike */
		for (i = 0; want[i] && (t[i] == want[i] || (t[i] == '-' && want[i] == '_')); i++)
			;
		if (want[i] != '\0' || t[i] != '=')
			continue;
		for (size_t k = 0; k < ARRAY_LEN(on); k++)
			if (strncmp(t + i + 1, on[k], strlen(on[k])) == 0)
				return true;
		return false;
	}
	return false;
}

static int probe_secure(struct host *h, const struct fsroot *r, const struct cpuinfo *ci,
			struct err *e)
{
	struct virt *v = &h->virt;
	char buf[4096];
	struct err e2 = ERR_INIT;

	v->secure_guest = TRI_UNKNOWN;
	v->sev_kvm = TRI_UNKNOWN;
	v->sev_dev = dev_tri(r, "/dev/sev");
	if (!ci->present) {
		strfmt_set(v->secure_why, sizeof(v->secure_why), "%s", v->flags_why);
		return 0;
	}
	if (strcmp(h->topo.arch, "s390x") == 0) {
		struct stat st;

		v->secure_guest = TRI_NO;
		/* facility 158: the Ultravisor call (Secure Execution) */
		if (!has_token(ci->facilities, "158")) {
			strfmt_set(v->secure_why, sizeof(v->secure_why),
				   "hardware or firmware does not provide IBM Secure Execution");
		} else if (fs_stat(r, "/sys/firmware/uv", &st, &e2) < 0 || !S_ISDIR(st.st_mode)) {
			strfmt_set(v->secure_why, sizeof(v->secure_why),
				   "IBM Secure Execution not supported by the running kernel");
		} else if (fs_read(r, "/proc/cmdline", buf, sizeof(buf), &e2) >= 0 &&
			   prot_virt_on(buf)) {
			v->secure_guest = TRI_YES;
		} else {
			strfmt_set(v->secure_why, sizeof(v->secure_why),
				   "IBM Secure Execution disabled in the kernel: add prot_virt=1");
		}
		return 0;
	}
	if (v->sev != TRI_YES) {
		strfmt_set(
		    v->secure_why, sizeof(v->secure_why),
		    "no AMD SEV or IBM Secure Execution on this CPU (Intel TDX is not checked)");
		return 0;
	}
	if (read_param(r, "/sys/module/kvm_amd/parameters/sev", &v->sev_kvm, NULL, 0, e) < 0) {
		/* "0" and "N" are the kernel's no; anything else libvirt takes as no too */
		if (e->sys != EINVAL)
			return -1;
		v->sev_kvm = TRI_NO;
	}
	if (v->sev_kvm == TRI_UNKNOWN) {
		if (!r->live && !fs_exists(r, "/sys/module")) {
			strfmt_set(v->secure_why, sizeof(v->secure_why),
				   "no '%s/sys/module' in this root", r->shown);
			return 0;
		}
		v->secure_guest = TRI_NO;
		strfmt_set(
		    v->secure_why, sizeof(v->secure_why),
		    "AMD SEV not supported by the running kernel (no kvm_amd 'sev' parameter)");
	} else if (v->sev_kvm == TRI_NO) {
		v->secure_guest = TRI_NO;
		strfmt_set(v->secure_why, sizeof(v->secure_why),
			   "AMD SEV disabled in the kernel: add kvm_amd.sev=1");
	} else if (v->sev_dev == TRI_UNKNOWN) {
		strfmt_set(v->secure_why, sizeof(v->secure_why), "no '%s/dev' in this root",
			   r->shown);
	} else if (v->sev_dev == TRI_NO) {
		v->secure_guest = TRI_NO;
		strfmt_set(v->secure_why, sizeof(v->secure_why),
			   "AMD SEV disabled in firmware (no /dev/sev)");
	} else {
		v->secure_guest = TRI_YES;
	}
	return 0;
}

int virt_probe(struct host *h, const struct fsroot *r, struct err *e)
{
	struct err open_err = ERR_INIT;
	struct cpuinfo ci;
	int rc = -1;

	if (cpuinfo_read(r, &ci, &open_err) < 0) {
		*e = open_err;
		return -1;
	}
	fill_cpu_identity(h, r, &ci);
	fill_flags(h, r, &ci, &open_err);
	strfmt_set(h->tlb.cpuinfo_tlb_size, sizeof(h->tlb.cpuinfo_tlb_size), "%s", ci.tlb_size);
	if (probe_kvm(h, r, &ci, e) < 0)
		goto out;
	probe_devices(h, r);
	if (probe_cgroups(h, r, e) < 0)
		goto out;
	if (virt_probe_iommu(h, r, e) < 0)
		goto out;
	if (probe_secure(h, r, &ci, e) < 0)
		goto out;
	if (virt_probe_nics(h, r, e) < 0)
		goto out;
	rc = 0;
out:
	cpuinfo_release(&ci);
	return rc;
}
