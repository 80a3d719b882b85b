/* json.c - the host and the findings as JSON (json-c only in tui/json*.c)
 *
 * Policy (docs/cli.md): every key is always present, so a script can tell
 * "unknown" from "absent from this version"; an unknown value is null, never
 * 0 or "", and its "<key>_why" (or its group's why: "flags_why", "kvm_why",
 * "iommu_why") is a string that says why.  A why is null when the value is
 * known and the model gives no remark.
 *
 * Values are built through tui/json_build.h, which remembers a failed
 * allocation (json-c's null is a NULL pointer); the builders return NULL then.
 */
#include "tui/report/json.h"
#include "tui/report/json_build.h"
#include "tui/report/text.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* a reason naming a path under the root */

/* A string that is "" when unknown. */
static void jset_str_or_null(struct jb *b, struct json_object *o, const char *key, const char *s)
{
	if (s[0] == '\0')
		jb_null(b, o, key);
	else
		jb_set_str(b, o, key, s);
}

static void jset_tri(struct jb *b, struct json_object *o, const char *key, enum tri t)
{
	if (t == TRI_YES || t == TRI_NO)
		jb_set_bool(b, o, key, t == TRI_YES);
	else
		jb_null(b, o, key);
}

/* "<key>_why": @why when the model gave one (the probe words every reason);
 * else "unknown" when the value is unknown; else null. */
static void jset_why(struct jb *b, struct json_object *o, const char *key, bool unknown,
		     const char *why)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_why", key);
	if (why && why[0] != '\0')
		jb_set_str(b, o, name, why);
	else if (unknown)
		jb_set_str(b, o, name, "unknown");
	else
		jb_null(b, o, name);
}

/* A count where 0 means unknown, with its why. */
static void jset_count(struct jb *b, struct json_object *o, const char *key, unsigned v,
		       const char *why)
{
	if (v == 0)
		jb_null(b, o, key);
	else
		jb_set_u64(b, o, key, v);
	jset_why(b, o, key, v == 0, why);
}

static struct json_object *jpools(struct jb *b, const struct hugepool *p, size_t n, bool host_wide)
{
	struct json_object *a = jb_val(b, json_object_new_array());

	for (size_t i = 0; i < n && a; i++) {
		struct json_object *o = jb_val(b, json_object_new_object());

		jb_set_u64(b, o, "size_kib", p[i].size_kib);
		jb_set_u64(b, o, "total", p[i].total);
		jb_set_u64(b, o, "free", p[i].free);
		jb_set_u64(b, o, "surplus", p[i].surplus);
		if (host_wide)
			jb_set_u64(b, o, "reserved", p[i].reserved);
		jb_push(b, a, o);
	}
	return a;
}

static void json_topology(struct jb *b, struct json_object *top, const struct host *h)
{
	const struct topo *t = &h->topo;
	struct json_object *o = jb_val(b, json_object_new_object());
	bool known;

	jset_count(b, o, "packages", t->npackages, t->packages_why);
	jset_count(b, o, "dies", t->ndies, t->dies_why);
	jset_count(b, o, "cores", t->ncores, t->cores_why);
	jset_count(b, o, "pus", t->npus, t->pus_why);
	jset_count(b, o, "l3_groups", t->nl3, t->l3_why);
	jset_str_or_null(b, o, "source", t->source);
	jset_why(b, o, "source", t->source[0] == '\0', t->source_why);
	jset_str_or_null(b, o, "cores_note", t->cores_note);
	/* A judgment, not a fact that can be unknown: the why is the reason when
	 * inconsistent, null otherwise. */
	jb_set_str(b, o, "numa_layout", t->numa_inconsistent[0] ? "inconsistent" : "consistent");
	jset_str_or_null(b, o, "numa_layout_why", t->numa_inconsistent);
	/* The kernel always has online CPUs and a possible mask: an empty set is
	 * a tree that lacked the file.  No offline CPU is the common case. */
	known = !idset_empty(&t->online);
	if (known)
		jb_set_idset(b, o, "online", &t->online);
	else
		jb_null(b, o, "online");
	jset_why(b, o, "online", !known, NULL);
	jb_set_idset(b, o, "offline", &t->offline);
	known = !idset_empty(&t->present);
	if (known)
		jb_set_idset(b, o, "present", &t->present);
	else
		jb_null(b, o, "present");
	jset_why(b, o, "present", !known, t->present_why);
	known = !idset_empty(&t->possible);
	if (known)
		jb_set_idset(b, o, "possible", &t->possible);
	else
		jb_null(b, o, "possible");
	jset_why(b, o, "possible", !known, t->possible_why);
	jset_str_or_null(b, o, "arch", t->arch);
	jset_str_or_null(b, o, "vendor", t->vendor);
	jset_str_or_null(b, o, "model", t->model);
	jset_why(b, o, "cpuinfo", !t->arch[0] || !t->vendor[0] || !t->model[0], t->cpuinfo_why);
	jb_set(b, top, "topology", o);
}

static void json_nodes(struct jb *b, struct json_object *top, const struct host *h)
{
	struct json_object *a = jb_val(b, json_object_new_array());

	for (size_t i = 0; i < h->nnodes && a; i++) {
		const struct node *n = &h->nodes[i];
		struct json_object *o = jb_val(b, json_object_new_object());

		jb_set_int(b, o, "id", n->id);
		jb_set_idset(b, o, "cpus", &n->cpus);
		jb_set_u64(b, o, "ncpus", idset_count(&n->cpus));
		if (n->mem_known) {
			jb_set_u64(b, o, "memory_kib", n->mem_total_kib);
			jb_set_u64(b, o, "memory_free_kib", n->mem_free_kib);
		} else {
			jb_null(b, o, "memory_kib");
			jb_null(b, o, "memory_free_kib");
		}
		jset_why(b, o, "memory", !n->mem_known, n->mem_known ? NULL : n->mem_why);
		if (h->topo.distances) {
			struct json_object *row = jb_val(b, json_object_new_array());

			for (size_t j = 0; j < h->nnodes && row; j++)
				jb_push(b, row,
					jb_val(b, json_object_new_uint64(
						      h->topo.distances[i * h->nnodes + j])));
			jb_set(b, o, "distances", row);
		} else {
			jb_null(b, o, "distances");
		}
		jset_why(b, o, "distances", !h->topo.distances, h->topo.distances_why);
		if (n->npools)
			jb_set(b, o, "hugepages", jpools(b, n->pools, n->npools, false));
		else
			jb_null(b, o, "hugepages");
		jset_why(b, o, "hugepages", n->npools == 0, n->pools_why);
		jb_push(b, a, o);
	}
	jb_set(b, top, "nodes", a);
}

static void json_cpus(struct jb *b, struct json_object *top, const struct host *h)
{
	struct json_object *a = jb_val(b, json_object_new_array());

	for (size_t i = 0; i < h->ncpus && a; i++) {
		const struct cpu *c = &h->cpus[i];
		struct json_object *o = jb_val(b, json_object_new_object());

		jb_set_int(b, o, "id", c->id);
		jb_set_id(b, o, "node", c->node);
		jb_set_id(b, o, "package", c->package);
		jb_set_id(b, o, "core", c->core);
		jb_set_id(b, o, "smt", c->smt);
		jb_set_id(b, o, "l3", c->l3);
		jset_str_or_null(b, o, "governor", c->governor);
		jb_push(b, a, o);
	}
	jb_set(b, top, "cpus", a);
}

static struct json_object *json_cgroups(struct jb *b, unsigned ctrls)
{
	struct json_object *o = jb_val(b, json_object_new_object());

	for (unsigned i = 0; i < CGROUP_NCTRLS; i++)
		jb_set_bool(b, o, cgroup_ctrl_name(1u << i), (ctrls & 1u << i) != 0);
	return o;
}

static struct json_object *json_nics(struct jb *b, const struct virt *v)
{
	struct json_object *a = jb_val(b, json_object_new_array());

	for (size_t i = 0; i < v->nnics && a; i++) {
		const struct nic *n = &v->nics[i];
		struct json_object *o = jb_val(b, json_object_new_object());

		jb_set_str(b, o, "name", n->name);
		jset_str_or_null(b, o, "pci", n->pci);
		jset_str_or_null(b, o, "driver", n->driver);
		jb_set_id(b, o, "numa_node", n->numa_node);
		jb_set_u64(b, o, "sriov_total", n->sriov_total);
		jb_set_u64(b, o, "sriov_num", n->sriov_num);
		jb_set_bool(b, o, "is_vf", n->is_vf);
		jb_set_idset(b, o, "irqs", &n->irqs);
		jb_push(b, a, o);
	}
	return a;
}

static void json_virt(struct jb *b, struct json_object *top, const struct host *h)
{
	static const struct {
		const char *key;
		size_t off;
	} flags[] = {
	    {"vmx", offsetof(struct virt, vmx)},
	    {"svm", offsetof(struct virt, svm)},
	    {"ept", offsetof(struct virt, ept)},
	    {"npt", offsetof(struct virt, npt)},
	    {"vpid", offsetof(struct virt, vpid)},
	    {"unrestricted_guest", offsetof(struct virt, unrestricted_guest)},
	    {"posted_intr", offsetof(struct virt, posted_intr)},
	    {"apicv", offsetof(struct virt, apicv)},
	    {"avic", offsetof(struct virt, avic)},
	    {"hypervisor", offsetof(struct virt, hypervisor)},
	    {"pdpe1gb", offsetof(struct virt, pdpe1gb)},
	};
	const struct virt *v = &h->virt;
	struct json_object *o = jb_val(b, json_object_new_object());
	bool any_unknown = false;

	for (size_t i = 0; i < ARRAY_LEN(flags); i++) {
		enum tri t;

		memcpy(&t, (const char *)v + flags[i].off, sizeof(t));
		jset_tri(b, o, flags[i].key, t);
		any_unknown |= t == TRI_UNKNOWN;
	}
	/* no cpuinfo flags at all, or only no "vmx flags" line (before Linux 5.8) */
	jset_why(b, o, "flags", any_unknown, v->flags_why[0] ? v->flags_why : v->vmx_flags_why);

	jset_tri(b, o, "kvm_dev", v->kvm_dev);
	jset_tri(b, o, "kvm_access", v->kvm_access);
	jset_str_or_null(b, o, "kvm_module", v->kvm_module);
	jset_tri(b, o, "kvm_usable", v->kvm_usable);
	jset_tri(b, o, "nested", v->nested);
	jset_why(b, o, "kvm",
		 v->kvm_usable == TRI_UNKNOWN || v->kvm_dev == TRI_UNKNOWN ||
		     v->kvm_access == TRI_UNKNOWN || v->nested == TRI_UNKNOWN,
		 v->kvm_why);

	jset_tri(b, o, "vhost_net", v->vhost_net);
	jset_why(b, o, "vhost_net", v->vhost_net == TRI_UNKNOWN, v->devices_why);
	jset_tri(b, o, "tun", v->tun);
	jset_why(b, o, "tun", v->tun == TRI_UNKNOWN, v->devices_why);
	if (v->cgroups_known)
		jb_set(b, o, "cgroups", json_cgroups(b, v->cgroup_ctrls));
	else
		jb_null(b, o, "cgroups");
	jset_why(b, o, "cgroups", !v->cgroups_known, v->cgroups_why);

	jset_tri(b, o, "iommu_firmware", v->iommu_firmware);
	jset_tri(b, o, "iommu", v->iommu);
	/* 0 groups is a fact only when the IOMMU is known to be off */
	if (v->niommu_groups > 0 || v->iommu == TRI_NO)
		jb_set_u64(b, o, "iommu_groups", v->niommu_groups);
	else
		jb_null(b, o, "iommu_groups");
	jset_tri(b, o, "irq_remap", v->irq_remap);
	jset_why(b, o, "iommu",
		 v->iommu_firmware == TRI_UNKNOWN || v->iommu == TRI_UNKNOWN ||
		     v->irq_remap == TRI_UNKNOWN || (v->niommu_groups == 0 && v->iommu != TRI_NO),
		 v->iommu_why);

	jset_tri(b, o, "secure_guest", v->secure_guest);
	jset_why(b, o, "secure", v->secure_guest == TRI_UNKNOWN, v->secure_why);
	jb_set(b, o, "nics", json_nics(b, v));
	jb_set(b, top, "virt", o);
}

static void json_memory(struct jb *b, struct json_object *top, const struct host *h)
{
	const struct mem *m = &h->mem;
	struct json_object *o = jb_val(b, json_object_new_object());

	if (m->npools)
		jb_set(b, top, "hugepages", jpools(b, m->pools, m->npools, true));
	else
		jb_null(b, top, "hugepages");
	jset_why(b, top, "hugepages", m->npools == 0, m->hugepages_why);

	if (m->meminfo_known) {
		jb_set_u64(b, o, "total_kib", m->total_kib);
		jb_set_u64(b, o, "free_kib", m->free_kib);
		jb_set_u64(b, o, "available_kib", m->available_kib);
	} else {
		jb_null(b, o, "total_kib");
		jb_null(b, o, "free_kib");
		jb_null(b, o, "available_kib");
	}
	jset_why(b, o, "meminfo", !m->meminfo_known, m->meminfo_why);
	if (m->default_hugepage_kib)
		jb_set_u64(b, o, "default_hugepage_kib", m->default_hugepage_kib);
	else
		jb_null(b, o, "default_hugepage_kib");
	jset_why(b, o, "default_hugepage_kib", m->default_hugepage_kib == 0,
		 m->default_hugepage_why);
	jset_str_or_null(b, o, "thp", m->thp);
	jset_why(b, o, "thp", !m->thp[0], m->thp_why);
	jset_str_or_null(b, o, "thp_defrag", m->thp_defrag);
	jset_why(b, o, "thp_defrag", !m->thp_defrag[0], m->thp_defrag_why);
	jset_tri(b, o, "ksm", m->ksm);
	jset_why(b, o, "ksm", m->ksm == TRI_UNKNOWN, m->ksm_why);
	jset_tri(b, o, "numa_balancing", m->numa_balancing);
	jset_why(b, o, "numa_balancing", m->numa_balancing == TRI_UNKNOWN, m->numa_balancing_why);
	jb_set_id(b, o, "swappiness", m->swappiness);
	jset_why(b, o, "swappiness", m->swappiness < 0, m->swappiness_why);
	jb_set(b, top, "memory", o);
}

static struct json_object *json_governors(struct jb *b, const struct host *h)
{
	struct json_object *a = jb_val(b, json_object_new_array());
	struct gov_group *g;
	size_t n;

	g = text_governors(h, &n);
	if (!g)
		return jb_val(b, NULL);
	for (size_t i = 0; i < n && a; i++) {
		struct json_object *o = jb_val(b, json_object_new_object());

		jset_str_or_null(b, o, "governor", g[i].governor);
		jb_set_idset(b, o, "cpus", &g[i].cpus);
		jb_push(b, a, o);
	}
	free(g);
	return a;
}

static void json_kernel(struct jb *b, struct json_object *top, const struct host *h)
{
	const struct kern *k = &h->kern;
	struct json_object *o = jb_val(b, json_object_new_object());

	if (k->cmdline_known) {
		jb_set_str(b, o, "cmdline", k->cmdline);
		jb_set_idset(b, o, "rcu_nocbs", &k->rcu_nocbs);
		jb_set_str(b, o, "iommu_opts", k->iommu_opts);
		jb_set_str(b, o, "hugepage_opts", k->hugepage_opts);
	} else {
		jb_null(b, o, "cmdline");
		jb_null(b, o, "rcu_nocbs");
		jb_null(b, o, "iommu_opts");
		jb_null(b, o, "hugepage_opts");
	}
	jset_why(b, o, "cmdline", !k->cmdline_known, k->cmdline_why);
	if (k->isolated_known)
		jb_set_idset(b, o, "isolated", &k->isolated);
	else
		jb_null(b, o, "isolated");
	jset_why(b, o, "isolated", !k->isolated_known, k->isolated_why);
	if (k->nohz_full_known)
		jb_set_idset(b, o, "nohz_full", &k->nohz_full);
	else
		jb_null(b, o, "nohz_full");
	jset_why(b, o, "nohz_full", !k->nohz_full_known, k->nohz_full_why);
	jset_str_or_null(b, o, "smt_control", k->smt_control);
	jset_why(b, o, "smt_control", !k->smt_control[0], k->smt_why);
	jset_tri(b, o, "irqbalance", k->irqbalance);
	jset_why(b, o, "irqbalance", k->irqbalance == TRI_UNKNOWN, k->irqbalance_why);
	jb_set(b, o, "governors", json_governors(b, h));
	jb_set(b, top, "kernel", o);
}

static void json_tlb(struct jb *b, struct json_object *top, const struct host *h)
{
	const struct tlb *t = &h->tlb;
	struct json_object *o = jb_val(b, json_object_new_object());

	if (t->shootdowns_known) {
		struct json_object *s = jb_val(b, json_object_new_object());
		struct json_object *a = jb_val(b, json_object_new_array());
		uint64_t total = 0;

		for (size_t i = 0; i < t->nshootdowns && a; i++) {
			struct json_object *c = jb_val(b, json_object_new_object());

			jb_set_int(b, c, "cpu", t->shootdown_cpus[i]);
			jb_set_u64(b, c, "count", t->shootdowns[i]);
			jb_push(b, a, c);
			total += t->shootdowns[i];
		}
		jb_set_u64(b, s, "total", total);
		jb_set(b, s, "per_cpu", a);
		jb_set(b, o, "shootdowns", s);
	} else {
		jb_null(b, o, "shootdowns");
	}
	jset_why(b, o, "shootdowns", !t->shootdowns_known, t->shootdowns_why);
	if (t->vmstat_known) {
		struct json_object *s = jb_val(b, json_object_new_object());

		jb_set_u64(b, s, "nr_tlb_remote_flush", t->nr_tlb_remote_flush);
		jb_set_u64(b, s, "nr_tlb_remote_flush_received", t->nr_tlb_remote_flush_received);
		jb_set_u64(b, s, "nr_tlb_local_flush_all", t->nr_tlb_local_flush_all);
		jb_set_u64(b, s, "nr_tlb_local_flush_one", t->nr_tlb_local_flush_one);
		jb_set(b, o, "vmstat", s);
	} else {
		jb_null(b, o, "vmstat");
	}
	jset_why(b, o, "vmstat", !t->vmstat_known, t->vmstat_why);
	jset_str_or_null(b, o, "geometry", t->geometry);
	jset_str_or_null(b, o, "geometry_source", t->geometry_source);
	jset_why(b, o, "geometry", !t->geometry[0], t->geometry_why);
	jset_tri(b, o, "perf", t->perf);
	jset_why(b, o, "perf", t->perf == TRI_UNKNOWN, t->perf_why);
	jb_set(b, top, "tlb", o);
}

/* Running VMs (host_probe_vms): null with "vms_why" when libvirt was not
 * asked or did not answer. */
static void json_vms(struct jb *b, struct json_object *top, const struct host *h)
{
	struct json_object *a;

	if (!h->vms_known) {
		jb_null(b, top, "vms");
		jb_set_str(b, top, "vms_why", h->vms_why[0] ? h->vms_why : "not probed");
		return;
	}
	a = jb_val(b, json_object_new_array());
	for (size_t i = 0; i < h->nvms; i++) {
		const struct vm *vm = &h->vms[i];
		struct json_object *o = jb_val(b, json_object_new_object());
		struct json_object *pins = jb_val(b, json_object_new_array());
		struct json_object *threads = jb_val(b, json_object_new_array());

		jb_set_str(b, o, "name", vm->name);
		jb_set_u64(b, o, "vcpus", vm->vcpus);
		jb_set_u64(b, o, "memory_kib", vm->mem_kib);
		for (unsigned c = 0; c < vm->vcpus; c++)
			jb_push(b, pins, jb_idset(b, &vm->pins[c]));
		jb_set(b, o, "vcpu_pins", pins);
		jb_set_idset(b, o, "emulator_cpus", &vm->emulator);
		jb_set_str(b, o, "numa_mode", vm->numa_mode);
		jb_set_str(b, o, "numa_nodeset", vm->numa_nodeset);
		if (vm->pid > 0)
			jb_set_int(b, o, "pid", vm->pid);
		else
			jb_null(b, o, "pid");
		jset_why(b, o, "pid", vm->pid <= 0, vm->pid_why);
		for (size_t t = 0; t < vm->nthreads; t++) {
			const struct vm_thread *th = &vm->threads[t];
			struct json_object *to = jb_val(b, json_object_new_object());

			jb_set_u64(b, to, "vcpu", th->vcpu);
			jb_set_int(b, to, "tid", th->tid);
			jb_set_id(b, to, "cpu", th->cpu);
			jset_why(b, to, "cpu", th->cpu < 0, NULL);
			jb_set_idset(b, to, "allowed_cpus", &th->allowed);
			jb_set_u64(b, to, "cpu_ticks", th->utime_ticks);
			jb_set_u64(b, to, "migrations", th->migrations);
			jb_push(b, threads, to);
		}
		jb_set(b, o, "threads", threads);
		if (vm->node_kib) {
			struct json_object *mem = jb_val(b, json_object_new_array());

			for (size_t n = 0; n < h->nnodes; n++) {
				struct json_object *m = jb_val(b, json_object_new_object());

				jb_set_u64(b, m, "node", h->nodes[n].id);
				jb_set_u64(b, m, "kib", vm->node_kib[n]);
				jb_push(b, mem, m);
			}
			jb_set(b, o, "memory_per_node", mem);
		} else {
			jb_null(b, o, "memory_per_node");
		}
		jset_why(b, o, "memory_per_node", !vm->node_kib, vm->mem_why);
		if (vm->page_kib)
			jb_set_u64(b, o, "page_kib", vm->page_kib);
		else
			jb_null(b, o, "page_kib");
		jset_why(b, o, "page_kib", !vm->page_kib, vm->node_kib ? NULL : vm->mem_why);
		jb_push(b, a, o);
	}
	jb_set(b, top, "vms", a);
	jb_null(b, top, "vms_why");
}

struct json_object *json_host(const struct host *h)
{
	struct jb b = {false};
	struct json_object *top = jb_val(&b, json_object_new_object());

	if (!top)
		return NULL;
	jb_set_u64(&b, top, "schema", JSON_SCHEMA);
	jb_set_str(&b, top, "hvtune", HVTUNE_VERSION);
	jb_set_str(&b, top, "root", h->root[0] ? h->root : "/");
	jb_set_bool(&b, top, "live", h->root[0] == '\0');
	json_topology(&b, top, h);
	json_nodes(&b, top, h);
	json_cpus(&b, top, h);
	json_virt(&b, top, h);
	json_memory(&b, top, h);
	json_kernel(&b, top, h);
	json_tlb(&b, top, h);
	json_vms(&b, top, h);
	if (b.oom) {
		json_object_put(top);
		errno = ENOMEM;
		return NULL;
	}
	return top;
}

struct json_object *json_findings(const struct finding *f, size_t n)
{
	struct jb b = {false};
	struct json_object *a = jb_val(&b, json_object_new_array());

	for (size_t i = 0; i < n && a; i++) {
		struct json_object *o = jb_val(&b, json_object_new_object());

		jb_set_str(&b, o, "id", f[i].id);
		jb_set_str(&b, o, "level", level_str(f[i].level));
		jb_set_str(&b, o, "what", f[i].what);
		jset_str_or_null(&b, o, "why", f[i].why);
		jset_str_or_null(&b, o, "fix", f[i].fix);
		jset_str_or_null(&b, o, "vhv", f[i].vhv);
		jb_push(&b, a, o);
	}
	if (b.oom) {
		json_object_put(a);
		errno = ENOMEM;
		return NULL;
	}
	return a;
}

int json_write(FILE *f, struct json_object *o, struct err *e)
{
	const char *s = json_object_to_json_string_ext(
	    o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s)
		return err_set(e, ENOMEM, "cannot format the JSON output");
	if (fputs(s, f) == EOF || fputc('\n', f) == EOF || fflush(f) == EOF)
		return err_set(e, errno, "cannot write the JSON output");
	return 0;
}

void json_free(struct json_object *o)
{
	json_object_put(o);
}
