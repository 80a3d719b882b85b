/* check_cpu.c - CPU virtualization features, governor, SMT, isolation and IRQ checks */
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

/* ---- CPU virtualization ------------------------------------------------- */

void check_kvm_usable(const struct host *h, struct out *o)
{
	const struct virt *v = &h->virt;
	struct finding *f;
	char buf[96];

	switch (v->kvm_usable) {
	case TRI_YES:
		f = check_add(o, "kvm-usable", LEVEL_PASS, "");
		WHAT(f, "KVM usable%s%s%s", v->kvm_module[0] ? " (" : "", v->kvm_module,
		     v->kvm_module[0] ? ")" : "");
		break;
	case TRI_NO:
		f = check_add(o, "kvm-usable", LEVEL_FAIL, "");
		WHAT(f, "KVM not usable%s%s", v->kvm_why[0] ? ": " : "",
		     v->kvm_why[0] ? check_why_of(v->kvm_why, buf, sizeof(buf)) : "");
		FIX(f, "%s", check_kvm_module_hint(h));
		break;
	default:
		f = check_unknown(o, "kvm-usable", LEVEL_WARN, "", v->kvm_why);
		FIX(f, "check /dev/kvm and 'lsmod | grep kvm' on the host");
		break;
	}
	WHY(f, "hvtune's plans assume KVM guests; without KVM QEMU emulates the CPU");
}

void check_slat(const struct host *h, struct out *o)
{
	bool intel = h->virt.vmx == TRI_YES;
	enum tri t = intel ? h->virt.ept : h->virt.npt;
	const char *name = intel ? "EPT" : "NPT";
	struct finding *f;

	if (!check_has_hw_virt(h))
		return;
	if (t == TRI_YES) {
		f = check_add(o, "ept-npt", LEVEL_PASS, "");
		WHAT(f, "%s present: guests manage their own page tables", name);
	} else if (t == TRI_NO) {
		f = check_add(o, "ept-npt", LEVEL_FAIL, "");
		WHAT(f, "%s without %s: guests run on shadow page tables", intel ? "VT-x" : "AMD-V",
		     name);
		FIX(f,
		    "use a CPU with %s; in a VM, give it a host-passthrough CPU; "
		    "do not load %s with %s=0",
		    name, intel ? "kvm_intel" : "kvm_amd", intel ? "ept" : "npt");
	} else {
		f = check_unknown(o, "ept-npt", LEVEL_WARN, "", h->virt.flags_why);
		FIX(f, "look for '%s' in /proc/cpuinfo (%s)", intel ? "ept" : "npt",
		    intel ? "'vmx flags' line, Linux 5.8+" : "flags line");
	}
	WHY(f, "without second-level address translation every guest page-table "
	       "change exits to KVM: NFV guests lose most of their throughput");
}

void check_vpid(const struct host *h, struct out *o)
{
	struct finding *f;

	if (h->virt.vmx != TRI_YES)
		return;
	if (h->virt.vpid == TRI_YES) {
		f = check_add(o, "vpid", LEVEL_PASS, "");
		WHAT(f, "VPID present: guest TLB entries survive VM exits");
	} else if (h->virt.vpid == TRI_NO) {
		f = check_add(o, "vpid", LEVEL_WARN, "");
		WHAT(f, "VT-x without VPID: the TLB is flushed on every VM exit");
		FIX(f,
		    "use a CPU with VPID (Westmere or later); do not load kvm_intel with vpid=0");
	} else {
		f = check_unknown(o, "vpid", LEVEL_INFO, "", h->virt.flags_why);
	}
	WHY(f, "tagged TLB entries spare the guest a refill after each exit; "
	       "exit-heavy I/O guests feel it most");
}

void check_apicv(const struct host *h, struct out *o)
{
	const struct virt *v = &h->virt;
	struct finding *f;

	if (v->vmx == TRI_YES) {
		if (v->apicv == TRI_YES && v->posted_intr == TRI_YES) {
			f = check_add(o, "apicv", LEVEL_PASS, "");
			WHAT(f, "APICv and posted interrupts present");
		} else if (v->apicv == TRI_YES && v->posted_intr == TRI_NO) {
			f = check_add(o, "apicv", LEVEL_INFO, "");
			WHAT(f, "APICv present, posted interrupts absent");
		} else if (v->apicv == TRI_NO) {
			f = check_add(o, "apicv", LEVEL_WARN, "");
			WHAT(f, "no APICv: guest interrupts and EOIs exit to KVM");
			FIX(f, "use a CPU with APICv (Ivy Bridge-EP or later); do not load "
			       "kvm_intel with enable_apicv=0");
		} else {
			f = check_unknown(o, "apicv", LEVEL_INFO, "", v->flags_why);
		}
		WHY(f, "APICv lets guests take interrupts and write EOIs without VM "
		       "exits; posted interrupts deliver them to running vCPUs directly");
		return;
	}
	if (v->svm == TRI_YES) {
		if (v->avic == TRI_YES) {
			f = check_add(o, "apicv", LEVEL_PASS, "");
			WHAT(f, "AVIC present");
		} else if (v->avic == TRI_NO) {
			f = check_add(o, "apicv", LEVEL_INFO, "");
			WHAT(f, "no AVIC: guest interrupts exit to KVM");
		} else {
			f = check_unknown(o, "apicv", LEVEL_INFO, "", v->flags_why);
		}
		WHY(f, "AVIC lets guests take interrupts without VM exits; older kernels "
		       "need kvm_amd avic=1 to use it");
	}
}

void check_nested(const struct host *h, struct out *o)
{
	const char *mod = h->virt.kvm_module[0]	   ? h->virt.kvm_module
			  : h->virt.vmx == TRI_YES ? "kvm_intel"
						   : "kvm_amd";
	struct finding *f;

	if (!check_has_hw_virt(h))
		return;
	if (h->virt.nested == TRI_NO) {
		f = check_add(o, "nested", LEVEL_PASS, "");
		WHAT(f, "nested virtualization off (%s nested=0)", mod);
	} else if (h->virt.nested == TRI_YES) {
		f = check_add(o, "nested", LEVEL_INFO, "");
		WHAT(f, "nested virtualization on (%s nested=1)", mod);
		FIX(f,
		    "if no guest runs its own hypervisor: options %s nested=0 in "
		    "/etc/modprobe.d/kvm.conf, then reload %s",
		    mod, mod);
	} else {
		f = check_unknown(o, "nested", LEVEL_INFO, "",
				  h->virt.kvm_module[0] ? "no 'nested' module parameter read"
							: "no kvm_intel/kvm_amd module loaded");
	}
	WHY(f, "nested lets guests run their own KVM; it is needed only for that, "
	       "and its guests-in-guests are slow");
}

void check_hypervisor(const struct host *h, struct out *o)
{
	struct finding *f;

	if (h->virt.hypervisor == TRI_YES) {
		f = check_add(o, "hypervisor", LEVEL_WARN, "");
		WHAT(f, "running inside a VM (hypervisor CPU flag): guests here are nested");
		FIX(f, "run NFV guests on bare metal; else ask for pinned, dedicated vCPUs, "
		       "hugepages and a host-passthrough CPU on the outer host");
	} else if (h->virt.hypervisor == TRI_NO) {
		f = check_add(o, "hypervisor", LEVEL_PASS, "");
		WHAT(f, "running on bare metal (no hypervisor CPU flag)");
	} else {
		f = check_unknown(o, "hypervisor", LEVEL_INFO, "", h->virt.flags_why);
	}
	WHY(f, "an outer hypervisor schedules this host's CPUs: pinning and isolation "
	       "here cannot stop its steal time, and topology may not be the hardware's");
}

/* ---- CPUs: governor, SMT, isolation, IRQs ------------------------------- */

void check_governor(const struct host *h, struct out *o)
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
		f = check_unknown(o, "governor", LEVEL_INFO, "",
				  "no cpufreq governor (no cpufreq driver, or a VM)");
	} else if (!idset_empty(&bad)) {
		f = check_add(o, "governor", LEVEL_WARN, "");
		WHAT(f, "governor %s, not 'performance', on CPUs %s", names,
		     check_ids(&bad, list, sizeof(list)));
		FIX(f,
		    "cpupower frequency-set -g performance (package linux-cpupower), "
		    "or echo performance > /sys/devices/system/cpu/cpuN/cpufreq/scaling_governor");
	} else {
		f = check_add(o, "governor", LEVEL_PASS, "");
		WHAT(f, "governor 'performance' on all %u CPUs with cpufreq", known);
	}
	WHY(f, "clock ramps add wake-up latency and jitter to vCPU and vhost threads; "
	       "packet rates drop while a core clocks down");
}

void check_smt(const struct host *h, struct out *o)
{
	const char *c = h->kern.smt_control;
	struct finding *f;

	if (strcmp(c, "on") == 0) {
		f = check_add(o, "smt", LEVEL_INFO, "");
		if (h->topo.npus && h->topo.ncores)
			WHAT(f, "SMT on: %u threads on %u cores", h->topo.npus, h->topo.ncores);
		else
			WHAT(f, "SMT on");
		FIX(f, "pin latency-sensitive guests to whole cores (hvtune plan does); "
		       "to turn SMT off: echo off > /sys/devices/system/cpu/smt/control");
	} else if (strcmp(c, "off") == 0 || strcmp(c, "forceoff") == 0) {
		f = check_add(o, "smt", LEVEL_PASS, "");
		WHAT(f, "SMT %s", c);
	} else if (strcmp(c, "notsupported") == 0 || strcmp(c, "notimplemented") == 0) {
		f = check_add(o, "smt", LEVEL_PASS, "");
		WHAT(f, "no SMT (smt/control: %s)", c);
	} else if (c[0] == '\0') {
		f = check_unknown(o, "smt", LEVEL_INFO, "",
				  "no sys/devices/system/cpu/smt/control");
	} else {
		f = check_add(o, "smt", LEVEL_INFO, "");
		WHAT(f, "SMT control '%s'", c);
	}
	WHY(f, "sibling threads share a core's caches and ports: a busy sibling slows "
	       "a vCPU, and L1TF/MDS-class leaks cross siblings");
}

void check_isolation_sets(const struct host *h, struct out *o)
{
	const struct kern *k = &h->kern;
	const struct idset *iso = &k->isolated, *nohz = &k->nohz_full, *rcu = &k->rcu_nocbs;
	bool ki = k->isolated_known, kn = k->nohz_full_known, kr = k->cmdline_known;
	bool differ = false;
	char a[20], b[20], c[20];
	struct finding *f;

	if (!ki && !kn && !kr) {
		f = check_unknown(o, "isolation-sets", LEVEL_INFO, "",
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
		f = check_add(o, "isolation-sets", LEVEL_INFO, "");
		WHAT(f, "no CPU isolation: isolcpus, nohz_full and rcu_nocbs unset");
		FIX(f, "boot with isolcpus=managed_irq,domain,LIST nohz_full=LIST "
		       "rcu_nocbs=LIST for the guests' CPUs (hvtune plan proposes LIST)");
	} else if (differ) {
		f = check_add(o, "isolation-sets", LEVEL_WARN, "");
		WHAT(f, "isolcpus %s, nohz_full %s, rcu_nocbs %s differ",
		     ki ? check_ids(iso, a, sizeof(a)) : "?",
		     kn ? check_ids(nohz, b, sizeof(b)) : "?",
		     kr ? check_ids(rcu, c, sizeof(c)) : "?");
		FIX(f, "give isolcpus=, nohz_full= and rcu_nocbs= the same CPU list");
	} else if (ki && kn && kr) {
		f = check_add(o, "isolation-sets", LEVEL_PASS, "");
		WHAT(f, "isolcpus, nohz_full and rcu_nocbs agree: %s",
		     check_ids(idset_empty(iso) ? nohz : iso, a, sizeof(a)));
	} else {
		f = check_add(o, "isolation-sets", LEVEL_INFO, "");
		WHAT(f, "isolcpus %s, nohz_full %s, rcu_nocbs %s: no conflict, ? unknown",
		     ki ? check_ids(iso, a, sizeof(a)) : "?",
		     kn ? check_ids(nohz, b, sizeof(b)) : "?",
		     kr ? check_ids(rcu, c, sizeof(c)) : "?");
	}
	WHY(f, "a CPU isolated from the scheduler but still ticking or running RCU "
	       "callbacks (or the reverse) keeps part of the host's jitter");
}

void check_nohz_rcu(const struct host *h, struct out *o)
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
		f = check_add(o, "nohz-rcu-nocbs", LEVEL_PASS, "");
		WHAT(f, "rcu_nocbs covers the nohz_full CPUs");
	} else {
		f = check_add(o, "nohz-rcu-nocbs", LEVEL_INFO, "");
		WHAT(f, "nohz_full CPUs %s not in rcu_nocbs",
		     check_ids(&missing, list, sizeof(list)));
		FIX(f, "add rcu_nocbs=%s to the kernel command line to say so explicitly",
		    check_ids(&k->nohz_full, list, sizeof(list)));
	}
	WHY(f, "RCU callbacks on a nohz_full CPU interrupt its guest; the kernel "
	       "offloads them for nohz_full CPUs itself (RCU_NOCB_CPU), rcu_nocbs= states it");
}

void check_isolation_smt(const struct host *h, struct out *o)
{
	struct idset iso = check_isolated_cpus(h), cpus, sibs, unknown_cpus;
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
		f = check_add(o, "isolation-smt", LEVEL_WARN, "");
		WHAT(f, "isolated CPUs %s have SMT siblings %s that are not isolated",
		     check_ids(&cpus, l1, sizeof(l1)), check_ids(&sibs, l2, sizeof(l2)));
		FIX(f,
		    "isolate whole cores: add %s to isolcpus/nohz_full/rcu_nocbs, "
		    "or take %s out",
		    l2, l1);
	} else if (!idset_empty(&unknown_cpus)) {
		f = check_add(o, "isolation-smt", LEVEL_INFO, "");
		WHAT(f, "unknown: SMT siblings of isolated CPUs %s (no core ids)",
		     check_ids(&unknown_cpus, l1, sizeof(l1)));
	} else {
		f = check_add(o, "isolation-smt", LEVEL_PASS, "");
		WHAT(f, "isolated CPUs are whole cores (their SMT siblings are isolated too)");
	}
	WHY(f, "a sibling shares the core's L1/L2 and execution ports: host work on "
	       "it steals cycles from the isolated CPU and adds jitter");
}

void check_housekeeping(const struct host *h, struct out *o)
{
	struct idset iso = check_isolated_cpus(h), house;
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
		f = check_add(o, "isolation-housekeeping", LEVEL_WARN, "");
		WHAT(f, "every CPU is isolated: no housekeeping CPU left");
	} else if (cpu0 || bad_node) {
		f = check_add(o, "isolation-housekeeping", LEVEL_WARN, "");
		WHAT(f, "%s", detail);
	} else {
		f = check_add(o, "isolation-housekeeping", LEVEL_PASS, "");
		WHAT(f, "housekeeping CPUs %s: CPU 0 and every node keep one",
		     check_ids(&house, list, sizeof(list)));
	}
	if (f->level != LEVEL_PASS)
		FIX(f, "keep CPU 0 and at least one core per node out of isolcpus/nohz_full "
		       "(hvtune plan keeps the first core of each node)");
	WHY(f, "CPU 0 runs work that cannot move (timers, boot-time IRQs); a node "
	       "without a housekeeping CPU sends its kthreads and IRQs across nodes");
}

void check_irqbalance(const struct host *h, struct out *o)
{
	struct idset iso = check_isolated_cpus(h);
	char list[40];
	struct finding *f;

	if (h->kern.irqbalance == TRI_UNKNOWN) {
		f = check_unknown(o, "irqbalance", LEVEL_INFO, "", h->kern.irqbalance_why);
	} else if (h->kern.irqbalance == TRI_YES && !idset_empty(&iso)) {
		f = check_add(o, "irqbalance", LEVEL_WARN, "");
		WHAT(f, "irqbalance running while CPUs %s are isolated",
		     check_ids(&iso, list, sizeof(list)));
		FIX(f,
		    "IRQBALANCE_BANNED_CPULIST=%s (plus the guests' pinned CPUs) in "
		    "/etc/default/irqbalance, or stop it and set /proc/irq/N/smp_affinity_list",
		    list);
	} else {
		f = check_add(o, "irqbalance", LEVEL_PASS, "");
		WHAT(f, "irqbalance %s%s",
		     h->kern.irqbalance == TRI_YES ? "running" : "not running",
		     idset_empty(&iso) ? ", no isolated CPUs" : "");
	}
	WHY(f, "irqbalance moves IRQs every 10 s; unless CPUs are banned "
	       "(IRQBALANCE_BANNED_CPULIST) it may put NIC and disk IRQs on isolated "
	       "or vCPU CPUs");
}
