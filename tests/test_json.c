/* test_json.c - the JSON of `probe --json` and `check --json`, on host and finding literals
 *
 * The literals stand in for a probed host, so the schema (docs/cli.md) is
 * tested whatever the probe does.  json-c is used here only to read the
 * output back.
 */
#include "tests/testutil.h"
#include "tui/report/json.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static void set_list(struct idset *s, const char *list)
{
	struct err e = ERR_INIT;

	assert_ok(idset_parse(s, list, &e), e);
}

/* A 2-socket, 2-node host like the Xeon Silver 4108 capture, with some facts
 * known and some unknown, as a probe would leave them. */
static void lit_host(struct host *h)
{
	static const uint32_t dist[] = {10, 21, 21, 10};

	memset(h, 0, sizeof(*h));
	snprintf(h->root, sizeof(h->root), "/tmp/fx/silver");
	/* the reasons the probe gives (the renderer only prints them) */
	snprintf(h->topo.dies_why, sizeof(h->topo.dies_why), "not reported by the hwloc topology");
	h->ncpus = 32;
	h->cpus = calloc(h->ncpus, sizeof(*h->cpus));
	assert_non_null(h->cpus);
	for (unsigned i = 0; i < 32; i++) {
		struct cpu *c = &h->cpus[i];

		c->id = i;
		c->node = (i / 8) % 2;
		c->package = (int)c->node;
		c->core = (int)(i % 16);
		c->smt = c->core;
		c->l3 = i < 30 ? (int)c->node : -1; /* two CPUs whose L3 is unknown */
		snprintf(c->governor, sizeof(c->governor), "%s",
			 i < 16	  ? "performance"
			 : i < 30 ? "powersave"
				  : "");
	}
	h->nnodes = 2;
	h->nodes = calloc(2, sizeof(*h->nodes));
	assert_non_null(h->nodes);
	h->nodes[0].id = 0;
	set_list(&h->nodes[0].cpus, "0-7,16-23");
	h->nodes[0].mem_known = true;
	h->nodes[0].mem_total_kib = 47925628;
	h->nodes[0].mem_free_kib = 40000000;
	h->nodes[0].npools = 2;
	h->nodes[0].pools[0] = (struct hugepool){2048, 2048, 2048, 0, 0};
	h->nodes[0].pools[1] = (struct hugepool){1048576, 0, 0, 0, 0};
	h->nodes[1].id = 1;
	set_list(&h->nodes[1].cpus, "8-15,24-31");
	snprintf(h->nodes[1].mem_why, sizeof(h->nodes[1].mem_why),
		 "no '/tmp/fx/silver/sys/devices/system/node/node1/meminfo'");
	snprintf(h->nodes[1].pools_why, sizeof(h->nodes[1].pools_why),
		 "no '/tmp/fx/silver/sys/devices/system/node/node1/hugepages'");
	h->topo.distances = malloc(sizeof(dist));
	assert_non_null(h->topo.distances);
	memcpy(h->topo.distances, dist, sizeof(dist));

	snprintf(h->topo.source, sizeof(h->topo.source), "hwloc");
	h->topo.npackages = 2;
	h->topo.ncores = 16;
	h->topo.npus = 32;
	h->topo.nl3 = 2; /* ndies left unknown */
	set_list(&h->topo.online, "0-31");
	set_list(&h->topo.offline, "32-111");
	set_list(&h->topo.present, "0-31");
	set_list(&h->topo.possible, "0-111");
	snprintf(h->topo.arch, sizeof(h->topo.arch), "x86_64");
	snprintf(h->topo.vendor, sizeof(h->topo.vendor), "GenuineIntel");
	snprintf(h->topo.model, sizeof(h->topo.model),
		 "Intel(R) Xeon(R) Silver 4108 CPU @ 1.80GHz");

	h->virt.vmx = TRI_YES;
	h->virt.svm = TRI_NO;
	h->virt.ept = TRI_YES;
	h->virt.npt = TRI_NO;
	h->virt.vpid = TRI_YES;
	h->virt.hypervisor = TRI_NO;
	h->virt.pdpe1gb = TRI_YES; /* unrestricted_guest .. avic unknown */
	snprintf(h->virt.flags_why, sizeof(h->virt.flags_why), "no 'vmx flags' line in cpuinfo");
	h->virt.kvm_dev = TRI_NO;
	h->virt.kvm_access = TRI_NO;
	h->virt.kvm_usable = TRI_NO;
	snprintf(h->virt.kvm_why, sizeof(h->virt.kvm_why), "no /dev/kvm: kvm_intel is not loaded");
	h->virt.vhost_net = TRI_YES;
	h->virt.tun = TRI_YES;
	h->virt.cgroups_known = true;
	h->virt.cgroup_ctrls = CGROUP_CPU | CGROUP_CPUSET | CGROUP_MEMORY;
	h->virt.iommu = TRI_NO;
	snprintf(h->virt.iommu_why, sizeof(h->virt.iommu_why), "no ACPI DMAR or IVRS table");
	h->virt.nnics = 1;
	h->virt.nics = calloc(1, sizeof(*h->virt.nics));
	assert_non_null(h->virt.nics);
	snprintf(h->virt.nics[0].name, sizeof(h->virt.nics[0].name), "ens1f0");
	snprintf(h->virt.nics[0].pci, sizeof(h->virt.nics[0].pci), "0000:3b:00.0");
	h->virt.nics[0].numa_node = -1;
	h->virt.nics[0].sriov_total = 64;
	set_list(&h->virt.nics[0].irqs, "120-127");

	h->mem.meminfo_known = true;
	snprintf(h->mem.numa_balancing_why, sizeof(h->mem.numa_balancing_why),
		 "no '/tmp/fx/silver/proc/sys/kernel/numa_balancing'");
	h->mem.total_kib = 97445600;
	h->mem.free_kib = 90000000;
	h->mem.available_kib = 91000000;
	h->mem.default_hugepage_kib = 2048;
	h->mem.npools = 2;
	h->mem.pools[0] = (struct hugepool){2048, 4096, 4096, 0, 0};
	h->mem.pools[1] = (struct hugepool){1048576, 0, 0, 0, 0};
	snprintf(h->mem.thp, sizeof(h->mem.thp), "madvise");
	h->mem.ksm = TRI_NO;
	h->mem.swappiness = 0; /* a real 0, not unknown */

	h->kern.cmdline_known = true;
	snprintf(h->kern.cmdline, sizeof(h->kern.cmdline), "ro quiet isolcpus=4-7 rcu_nocbs=4-7");
	set_list(&h->kern.rcu_nocbs, "4-7");
	h->kern.isolated_known = true;
	set_list(&h->kern.isolated, "4-7");
	h->kern.irqbalance = TRI_UNKNOWN;
	snprintf(h->kern.irqbalance_why, sizeof(h->kern.irqbalance_why),
		 "not the live host: processes are not visible");

	h->tlb.shootdowns_known = true;
	h->tlb.nshootdowns = 4;
	h->tlb.shootdown_cpus = calloc(4, sizeof(unsigned));
	h->tlb.shootdowns = calloc(4, sizeof(uint64_t));
	assert_non_null(h->tlb.shootdown_cpus);
	assert_non_null(h->tlb.shootdowns);
	for (unsigned i = 0; i < 4; i++) {
		h->tlb.shootdown_cpus[i] = i;
		h->tlb.shootdowns[i] = (uint64_t[]){5, 900, 0, 95}[i];
	}
	snprintf(h->tlb.vmstat_why, sizeof(h->tlb.vmstat_why),
		 "no nr_tlb_* in proc/vmstat (CONFIG_DEBUG_TLBFLUSH is off)");
	snprintf(h->tlb.geometry, sizeof(h->tlb.geometry), "2560 4K pages");
	snprintf(h->tlb.geometry_source, sizeof(h->tlb.geometry_source), "cpuinfo");
	h->tlb.perf = TRI_NO;
	snprintf(h->tlb.perf_why, sizeof(h->tlb.perf_why), "not the live host");
}

/* The value at a dotted path ("nodes.0.cpus"); fails the test when a key is
 * missing (a null value is returned as NULL with *present true). */
static struct json_object *at(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array)) {
			size_t i = strtoul(k, NULL, 10);

			if (i >= json_object_array_length(o))
				fail_msg("'%s': index %zu out of range", path, i);
			o = json_object_array_get_idx(o, i);
		} else if (!json_object_is_type(o, json_type_object) ||
			   !json_object_object_get_ex(o, k, &o)) {
			fail_msg("'%s': no key '%s'", path, k);
		}
	}
	return o;
}

static void expect_str(struct json_object *top, const char *path, const char *want)
{
	struct json_object *v = at(top, path);

	if (!json_object_is_type(v, json_type_string))
		fail_msg("'%s' is not a string", path);
	assert_string_equal(json_object_get_string(v), want);
}

static void expect_u64(struct json_object *top, const char *path, uint64_t want)
{
	struct json_object *v = at(top, path);

	if (!json_object_is_type(v, json_type_int))
		fail_msg("'%s' is not a number", path);
	assert_int_equal(json_object_get_uint64(v), want);
}

static void expect_bool(struct json_object *top, const char *path, bool want)
{
	struct json_object *v = at(top, path);

	if (!json_object_is_type(v, json_type_boolean))
		fail_msg("'%s' is not a boolean", path);
	assert_int_equal(json_object_get_boolean(v), want);
}

static void expect_null(struct json_object *top, const char *path)
{
	if (at(top, path) != NULL)
		fail_msg("'%s' is %s, not null", path, json_object_to_json_string(at(top, path)));
}

static void test_host_facts(void **state)
{
	struct host h;
	struct json_object *j;
	(void)state;

	lit_host(&h);
	j = json_host(&h);
	assert_non_null(j);
	expect_u64(j, "schema", JSON_SCHEMA);
	expect_str(j, "root", "/tmp/fx/silver");
	expect_bool(j, "live", false);

	expect_u64(j, "topology.packages", 2);
	expect_null(j, "topology.dies");
	expect_str(j, "topology.dies_why", "not reported by the hwloc topology");
	expect_null(j, "topology.packages_why");
	expect_u64(j, "topology.cores", 16);
	expect_u64(j, "topology.pus", 32);
	expect_u64(j, "topology.l3_groups", 2);
	expect_str(j, "topology.source", "hwloc");
	expect_str(j, "topology.online", "0-31");
	expect_str(j, "topology.offline", "32-111");
	expect_str(j, "topology.possible", "0-111");
	expect_str(j, "topology.vendor", "GenuineIntel");

	assert_int_equal(json_object_array_length(at(j, "nodes")), 2);
	expect_u64(j, "nodes.0.id", 0);
	expect_str(j, "nodes.0.cpus", "0-7,16-23");
	expect_u64(j, "nodes.0.ncpus", 16);
	expect_u64(j, "nodes.0.memory_kib", 47925628);
	expect_u64(j, "nodes.0.memory_free_kib", 40000000);
	expect_null(j, "nodes.0.memory_why");
	expect_u64(j, "nodes.0.distances.1", 21);
	expect_u64(j, "nodes.1.distances.1", 10);
	expect_u64(j, "nodes.0.hugepages.0.size_kib", 2048);
	expect_u64(j, "nodes.0.hugepages.0.total", 2048);
	expect_u64(j, "nodes.0.hugepages.0.free", 2048);
	expect_u64(j, "nodes.0.hugepages.0.surplus", 0);
	expect_u64(j, "nodes.0.hugepages.1.size_kib", 1048576);
	expect_str(j, "nodes.1.cpus", "8-15,24-31");
	expect_null(j, "nodes.1.memory_kib");
	expect_null(j, "nodes.1.memory_free_kib");
	expect_str(j, "nodes.1.memory_why",
		   "no '/tmp/fx/silver/sys/devices/system/node/node1/meminfo'");
	expect_null(j, "nodes.1.hugepages");
	expect_str(j, "nodes.1.hugepages_why",
		   "no '/tmp/fx/silver/sys/devices/system/node/node1/hugepages'");

	assert_int_equal(json_object_array_length(at(j, "cpus")), 32);
	expect_u64(j, "cpus.17.id", 17);
	expect_u64(j, "cpus.17.node", 0);
	expect_u64(j, "cpus.17.core", 1);
	expect_str(j, "cpus.17.governor", "powersave");
	expect_null(j, "cpus.31.l3");
	expect_null(j, "cpus.31.governor");

	expect_bool(j, "virt.vmx", true);
	expect_bool(j, "virt.svm", false);
	expect_bool(j, "virt.ept", true);
	expect_null(j, "virt.unrestricted_guest");
	expect_str(j, "virt.flags_why", "no 'vmx flags' line in cpuinfo");
	expect_bool(j, "virt.kvm_usable", false);
	expect_str(j, "virt.kvm_why", "no /dev/kvm: kvm_intel is not loaded");
	expect_null(j, "virt.nested");
	expect_null(j, "virt.kvm_module");
	expect_bool(j, "virt.cgroups.cpuset", true);
	expect_bool(j, "virt.cgroups.blkio", false);
	expect_bool(j, "virt.iommu", false);
	expect_u64(j, "virt.iommu_groups", 0); /* a fact: the IOMMU is off */
	expect_null(j, "virt.secure_guest");
	expect_str(j, "virt.nics.0.name", "ens1f0");
	expect_null(j, "virt.nics.0.numa_node");
	expect_null(j, "virt.nics.0.driver");
	expect_u64(j, "virt.nics.0.sriov_total", 64);
	expect_str(j, "virt.nics.0.irqs", "120-127");

	expect_u64(j, "hugepages.0.total", 4096);
	expect_u64(j, "hugepages.0.reserved", 0);
	expect_null(j, "hugepages_why");
	expect_u64(j, "memory.total_kib", 97445600);
	expect_u64(j, "memory.default_hugepage_kib", 2048);
	expect_str(j, "memory.thp", "madvise");
	expect_null(j, "memory.thp_defrag");
	expect_bool(j, "memory.ksm", false);
	expect_u64(j, "memory.swappiness", 0);
	expect_null(j, "memory.numa_balancing");
	expect_str(j, "memory.numa_balancing_why",
		   "no '/tmp/fx/silver/proc/sys/kernel/numa_balancing'");

	expect_str(j, "kernel.cmdline", "ro quiet isolcpus=4-7 rcu_nocbs=4-7");
	expect_str(j, "kernel.rcu_nocbs", "4-7");
	expect_str(j, "kernel.isolated", "4-7");
	expect_str(j, "kernel.iommu_opts", "");
	expect_null(j, "kernel.nohz_full");
	expect_null(j, "kernel.irqbalance");
	expect_str(j, "kernel.irqbalance_why", "not the live host: processes are not visible");
	expect_str(j, "kernel.governors.0.governor", "performance");
	expect_str(j, "kernel.governors.0.cpus", "0-15");
	expect_str(j, "kernel.governors.1.cpus", "16-29");
	expect_null(j, "kernel.governors.2.governor");
	expect_str(j, "kernel.governors.2.cpus", "30-31");

	expect_u64(j, "tlb.shootdowns.total", 1000);
	expect_u64(j, "tlb.shootdowns.per_cpu.1.cpu", 1);
	expect_u64(j, "tlb.shootdowns.per_cpu.1.count", 900);
	expect_null(j, "tlb.shootdowns_why");
	expect_null(j, "tlb.vmstat");
	expect_str(j, "tlb.vmstat_why",
		   "no nr_tlb_* in proc/vmstat (CONFIG_DEBUG_TLBFLUSH is off)");
	expect_str(j, "tlb.geometry", "2560 4K pages");
	expect_str(j, "tlb.geometry_source", "cpuinfo");
	expect_bool(j, "tlb.perf", false);
	expect_str(j, "tlb.perf_why", "not the live host");

	json_free(j);
	host_release(&h);
}

/* The keys scripts rely on (the and the brief's list), present in
 * every document, known or not. */
static const char *const required[] = {
    "schema",
    "root",
    "live",
    "nodes",
    "cpus",
    "hugepages",
    "hugepages_why",
    "topology.packages",
    "topology.dies",
    "topology.cores",
    "topology.pus",
    "topology.l3_groups",
    "topology.packages_why",
    "topology.source",
    "topology.source_why",
    "topology.online",
    "topology.offline",
    "topology.present",
    "topology.possible",
    "topology.arch",
    "topology.vendor",
    "topology.model",
    "virt.vmx",
    "virt.svm",
    "virt.ept",
    "virt.npt",
    "virt.vpid",
    "virt.unrestricted_guest",
    "virt.posted_intr",
    "virt.apicv",
    "virt.avic",
    "virt.hypervisor",
    "virt.pdpe1gb",
    "virt.flags_why",
    "virt.kvm_dev",
    "virt.kvm_access",
    "virt.kvm_module",
    "virt.kvm_usable",
    "virt.kvm_why",
    "virt.nested",
    "virt.vhost_net",
    "virt.tun",
    "virt.cgroups",
    "virt.cgroups_why",
    "virt.iommu_firmware",
    "virt.iommu",
    "virt.iommu_groups",
    "virt.irq_remap",
    "virt.iommu_why",
    "virt.secure_guest",
    "virt.secure_why",
    "virt.nics",
    "memory.total_kib",
    "memory.free_kib",
    "memory.available_kib",
    "memory.default_hugepage_kib",
    "memory.thp",
    "memory.thp_defrag",
    "memory.ksm",
    "memory.numa_balancing",
    "memory.swappiness",
    "kernel.cmdline",
    "kernel.isolated",
    "kernel.nohz_full",
    "kernel.rcu_nocbs",
    "kernel.iommu_opts",
    "kernel.hugepage_opts",
    "kernel.smt_control",
    "kernel.irqbalance",
    "kernel.governors",
    "tlb.shootdowns",
    "tlb.shootdowns_why",
    "tlb.vmstat",
    "tlb.vmstat_why",
    "tlb.geometry",
    "tlb.geometry_source",
    "tlb.geometry_why",
    "tlb.perf",
    "tlb.perf_why",
};

/* Keys whose reason is their group's why, not "<key>_why". */
static const struct {
	const char *key, *why;
} groups[] = {
    {"vmx", "flags_why"},
    {"svm", "flags_why"},
    {"ept", "flags_why"},
    {"npt", "flags_why"},
    {"vpid", "flags_why"},
    {"unrestricted_guest", "flags_why"},
    {"posted_intr", "flags_why"},
    {"apicv", "flags_why"},
    {"avic", "flags_why"},
    {"hypervisor", "flags_why"},
    {"pdpe1gb", "flags_why"},
    {"kvm_dev", "kvm_why"},
    {"kvm_access", "kvm_why"},
    {"kvm_module", "kvm_why"},
    {"kvm_usable", "kvm_why"},
    {"nested", "kvm_why"},
    {"iommu_firmware", "iommu_why"},
    {"iommu_groups", "iommu_why"},
    {"irq_remap", "iommu_why"},
    {"secure_guest", "secure_why"},
    {"memory_kib", "memory_why"},
    {"memory_free_kib", "memory_why"},
    {"total_kib", "meminfo_why"},
    {"free_kib", "meminfo_why"},
    {"available_kib", "meminfo_why"},
    {"arch", "cpuinfo_why"},
    {"vendor", "cpuinfo_why"},
    {"model", "cpuinfo_why"},
    {"rcu_nocbs", "cmdline_why"},
    {"iommu_opts", "cmdline_why"},
    {"hugepage_opts", "cmdline_why"},
    {"geometry_source", "geometry_why"},
};

/* Walks @o: every null that is not itself a why has a non-empty string why
 * (except in the per-item arrays, where null alone means unknown), and (for
 * a host with nothing known) no number is 0. */
static void audit(struct json_object *o, const char *where, bool no_zero)
{
	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			audit(json_object_array_get_idx(o, i), where, no_zero);
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, key, v)
	{
		size_t len = strlen(key);
		char why[96];
		struct json_object *w = NULL;

		if (v) {
			if (no_zero && json_object_is_type(v, json_type_int) &&
			    json_object_get_uint64(v) == 0)
				fail_msg("%s.%s is 0 on a host with nothing known", where, key);
			audit(v, key, no_zero);
			continue;
		}
		if (len > 4 && strcmp(key + len - 4, "_why") == 0)
			continue;
		if (len > 5 && strcmp(key + len - 5, "_note") == 0)
			continue; /* a note, not a fact: null = nothing to note */
		if (strcmp(where, "cpus") == 0 || strcmp(where, "nics") == 0 ||
		    strcmp(where, "governors") == 0)
			continue;
		snprintf(why, sizeof(why), "%s_why", key);
		for (size_t i = 0; i < ARRAY_LEN(groups); i++)
			if (strcmp(groups[i].key, key) == 0)
				snprintf(why, sizeof(why), "%s", groups[i].why);
		if (!json_object_object_get_ex(o, why, &w) ||
		    !json_object_is_type(w, json_type_string) || json_object_get_string_len(w) == 0)
			fail_msg("%s.%s is null without a '%s' string", where, key, why);
	}
}

static void test_unknown_is_null_with_why(void **state)
{
	struct host lit, empty;
	struct json_object *j;
	(void)state;

	/* a host where nothing is known, as host_release() leaves it */
	memset(&empty, 0, sizeof(empty));
	empty.mem.swappiness = -1;
	j = json_host(&empty);
	assert_non_null(j);
	for (size_t i = 0; i < ARRAY_LEN(required); i++)
		(void)at(j, required[i]);
	expect_str(j, "root", "/");
	expect_bool(j, "live", true);
	expect_null(j, "topology.packages");
	expect_str(j, "topology.packages_why", "unknown");
	expect_null(j, "memory.swappiness");
	expect_str(j, "memory.swappiness_why", "unknown");
	expect_null(j, "virt.iommu_groups");
	expect_null(j, "tlb.shootdowns");
	expect_str(j, "tlb.shootdowns_why", "unknown");
	audit(j, "", true);
	json_free(j);

	lit_host(&lit);
	j = json_host(&lit);
	assert_non_null(j);
	for (size_t i = 0; i < ARRAY_LEN(required); i++)
		(void)at(j, required[i]);
	audit(j, "", false);
	json_free(j);
	host_release(&lit);
}

static void test_strings_are_safe(void **state)
{
	struct host h;
	struct json_object *j;
	struct idset every_other;
	char *want, *p;
	(void)state;

	memset(&h, 0, sizeof(h));
	h.mem.swappiness = -1;
	/* a model name with a Latin-1 byte and an invalid sequence */
	snprintf(h.topo.model, sizeof(h.topo.model), "Caf\xe9 CPU \xc3\xa9\"q\"");
	snprintf(h.kern.cmdline, sizeof(h.kern.cmdline), "root=/dev/sda1 \x01");
	h.kern.cmdline_known = true;
	/* the longest list a set can give: every other id up to 8192 */
	idset_clear(&every_other);
	for (unsigned i = 0; i < IDSET_MAX; i += 2)
		idset_add(&every_other, i);
	h.topo.online = every_other;
	j = json_host(&h);
	assert_non_null(j);
	expect_str(j, "topology.model", "Caf? CPU \xc3\xa9\"q\"");
	expect_str(j, "kernel.cmdline", "root=/dev/sda1 \x01");
	want = malloc(IDSET_MAX * 6);
	assert_non_null(want);
	p = want;
	for (unsigned i = 0; i < IDSET_MAX; i += 2)
		p += sprintf(p, "%s%u", i ? "," : "", i);
	expect_str(j, "topology.online", want);
	free(want);
	json_free(j);
}

static void test_findings(void **state)
{
	static const struct finding f[] = {
	    {"hw-virt", LEVEL_FAIL, "no hardware virtualization (VT-x/AMD-V)",
	     "guests run under emulation, 10-50x slower",
	     "enable VT-x or AMD-V in the firmware setup", "Checking for hardware virtualization"},
	    {"thp", LEVEL_PASS, "transparent hugepages: madvise", "", "", ""},
	    {"numa-balancing", LEVEL_INFO, "NUMA balancing is on", "it migrates pinned memory", "",
	     ""},
	};
	struct json_object *j;
	(void)state;

	j = json_findings(f, ARRAY_LEN(f));
	assert_non_null(j);
	assert_int_equal(json_object_array_length(j), 3);
	expect_str(j, "0.id", "hw-virt");
	expect_str(j, "0.level", "FAIL");
	expect_str(j, "0.what", "no hardware virtualization (VT-x/AMD-V)");
	expect_str(j, "0.why", "guests run under emulation, 10-50x slower");
	expect_str(j, "0.fix", "enable VT-x or AMD-V in the firmware setup");
	expect_str(j, "0.vhv", "Checking for hardware virtualization");
	expect_str(j, "1.level", "PASS");
	expect_null(j, "1.why");
	expect_null(j, "1.fix");
	expect_null(j, "1.vhv");
	expect_str(j, "2.level", "INFO");
	json_free(j);

	j = json_findings(NULL, 0);
	assert_non_null(j);
	assert_int_equal(json_object_array_length(j), 0);
	json_free(j);
}

static void test_write_and_parse_back(void **state)
{
	struct host h;
	struct json_object *j, *back;
	struct err e = ERR_INIT;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	(void)state;

	lit_host(&h);
	j = json_host(&h);
	assert_non_null(j);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_ok(json_write(f, j, &e), e);
	fclose(f);
	assert_true(len > 2 && buf[len - 1] == '\n');
	assert_non_null(strstr(buf, "\n  \"nodes\": ["));   /* pretty, two spaces */
	assert_non_null(strstr(buf, "\"/tmp/fx/silver\"")); /* no "\/" escapes */
	back = json_tokener_parse(buf);
	assert_non_null(back);
	assert_true(json_object_equal(j, back));
	json_free(back);
	free(buf);

	/* a stream that cannot be written is an error, not a silent success */
	f = fopen("/dev/null", "r");
	assert_non_null(f);
	assert_int_equal(json_write(f, j, &e), -1);
	assert_non_null(strstr(e.msg, "cannot write the JSON output"));
	fclose(f);
	json_free(j);
	host_release(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_host_facts),
	    cmocka_unit_test(test_unknown_is_null_with_why),
	    cmocka_unit_test(test_strings_are_safe),
	    cmocka_unit_test(test_findings),
	    cmocka_unit_test(test_write_and_parse_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
