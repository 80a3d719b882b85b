/* test_plan.c - the planner on host literals: tables of placements, errors, settings, invariants */
#include "tests/testutil.h"
#include "tests/hostlit.h"
#include "planner/plan.h"
#include "planner/profile.h"
#include "probe/fsroot.h"
#include "probe/host.h"
#include "probe/strfmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GIB (UINT64_C(1) << 20) /* in KiB */

static void load_profile(struct profile *pf, const char *name)
{
	char dir[4096];
	const char *src = getenv("HVTUNE_SRC");
	struct err e = ERR_INIT;

	if (!name) {
		profile_default(pf);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/profiles", src ? src : ".");
	assert_ok(profile_find(pf, name, dir, &e), e);
}

static void parse_vms(struct vm_request *vms, size_t *n, const char *const *specs)
{
	struct err e = ERR_INIT;

	*n = 0;
	for (size_t i = 0; specs[i]; i++)
		assert_ok(plan_parse_vm(&vms[(*n)++], specs[i], &e), e);
}

static const struct vm_plan *find_vm(const struct plan *p, const char *name)
{
	for (size_t i = 0; i < p->nvms; i++)
		if (strcmp(p->vms[i].name, name) == 0)
			return &p->vms[i];
	fail_msg("no vm '%s' in the plan", name);
	return NULL;
}

static const char *pins_str(const struct vm_plan *v, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < v->npins; i++) {
		size_t len = strlen(buf);

		assert_int_equal(v->pins[i].vcpu, i);
		snprintf(buf + len, size - len, "%s%u", i ? "," : "", v->pins[i].cpu);
	}
	return buf;
}

static bool has_reason(const struct vm_plan *v, const char *text)
{
	if (!v->placed)
		return strstr(v->why_not, text) != NULL;
	for (size_t i = 0; i < v->nreasons; i++)
		if (strstr(v->reasons[i], text))
			return true;
	return false;
}

/* ---- placements: one table ---- */

struct expect {
	const char *vm;
	const char *pins; /* pCPU of vCPU 0, 1, ...; NULL = not placed */
	const char *nodes;
	const char *emulator;
	const char *idle;
	const char *reason; /* a substring of a reason (or why_not) */
};

struct pcase {
	const char *what;
	const char *profile; /* NULL = built-in balanced */
	unsigned nnodes, npp, cores, threads, l3;
	enum hostlit_numbering numbering;
	const char *nic_node1; /* a NIC "eth2" on node 1 when set: its IRQs */
	const char *taken;
	const char *vms[5];
	struct expect want[4];
};

/*
 * Host "A" below is 1 node, 4 cores x 2 threads, Intel numbering: core k is
 * CPUs k and k+4; housekeeping is core 0 (CPUs 0,4).
 */
static const struct pcase pcases[] = {
    {"balanced: sibling pairs, emulator on housekeeping",
     NULL,
     1,
     0,
     4,
     2,
     1,
     HOSTLIT_SPLIT,
     NULL,
     NULL,
     {"a:vcpus=4,mem=4G"},
     {{"a", "1,5,2,6", "0", "0,4", "", "SMT prefer: 4 vCPUs on 2 core(s)"}}},
    {"balanced, AMD numbering: siblings are adjacent",
     NULL,
     1,
     0,
     4,
     2,
     1,
     HOSTLIT_ADJACENT,
     NULL,
     NULL,
     {"a:vcpus=4,mem=4G"},
     {{"a", "2,3,4,5", "0", "0-1", "", "sibling threads to the same VM"}}},
    {"high-pps: whole cores, the odd thread held idle",
     "high-pps",
     1,
     0,
     4,
     2,
     1,
     HOSTLIT_SPLIT,
     NULL,
     NULL,
     {"a:vcpus=3,mem=4G"},
     {{"a", "1,5,2", "0", "0,4", "6", "SMT require: 2 whole core(s)"}}},
    {"high-pps: two odd VMs never share a core",
     "high-pps",
     1,
     0,
     4,
     2,
     1,
     HOSTLIT_SPLIT,
     NULL,
     NULL,
     {"a:vcpus=1,mem=1G", "b:vcpus=1,mem=1G"},
     {{"a", "1", "0", "0,4", "5", "whole cores"}, {"b", "2", "0", "0,4", "6", NULL}}},
    {"low-latency: one vCPU a core, emulator on a core of its own",
     "low-latency",
     1,
     0,
     4,
     2,
     1,
     HOSTLIT_SPLIT,
     NULL,
     NULL,
     {"a:vcpus=2,mem=2G"},
     {{"a", "1,2", "0", "3", "5-7", "on CPU 3 of its own"}}},
    {"density: emulator floats over the VM's own pCPUs",
     "density",
     1,
     0,
     4,
     2,
     1,
     HOSTLIT_SPLIT,
     NULL,
     NULL,
     {"a:vcpus=3,mem=2G"},
     {{"a", "1,5,2", "0", "1-2,5", "", "emulator = shared"}}},
    {"density: a half-free core is shared by the next VM",
     "density",
     1,
     0,
     4,
     2,
     1,
     HOSTLIT_SPLIT,
     NULL,
     NULL,
     {"a:vcpus=3,mem=2G", "b:vcpus=3,mem=2G"},
     {{"a", "1,5,2", "0", NULL, "", NULL},
      {"b", "6,3,7", "0", NULL, "", "a core is shared with another VM"}}},
    {"taken CPUs are skipped; the odd vCPU avoids the taken CPU's core",
     NULL,
     1,
     0,
     4,
     2,
     1,
     HOSTLIT_SPLIT,
     NULL,
     "1",
     {"a:vcpus=3,mem=2G"},
     {{"a", "2,6,3", "0", "0,4", "", NULL}}},
    {"prefer: shares a core with a taken CPU only when nothing else is left",
     NULL,
     1,
     0,
     4,
     2,
     1,
     HOSTLIT_SPLIT,
     NULL,
     "1,2",
     {"a:vcpus=4,mem=2G"},
     {{"a", "5,6,3,7", "0", "0,4", "", "a core is shared with another VM"}}},
    {"taken CPUs: whole cores skip a core with a taken thread",
     "high-pps",
     1,
     0,
     4,
     2,
     1,
     HOSTLIT_SPLIT,
     NULL,
     "5",
     {"a:vcpus=2,mem=2G"},
     {{"a", "2,6", "0", "0,4", "", NULL}}},
    /* 2 nodes x 4 cores x 2: node 0 is CPUs 0-3,8-11, node 1 is 4-7,12-15 */
    {"NIC-local: the VM goes to its NIC's node",
     NULL,
     2,
     0,
     4,
     2,
     1,
     HOSTLIT_SPLIT,
     "40-41",
     NULL,
     {"a:vcpus=2,mem=2G,nic=eth2"},
     {{"a", "5,13", "1", "4,12", "", "node 1: the node of NIC 'eth2'"}}},
    {"NIC by PCI address",
     NULL,
     2,
     0,
     4,
     2,
     1,
     HOSTLIT_SPLIT,
     "",
     NULL,
     {"a:vcpus=2,mem=2G,nic=0000:3b:00.0"},
     {{"a", "5,13", "1", NULL, "", NULL}}},
    {"NIC node full: nearest node with room",
     NULL,
     2,
     0,
     4,
     2,
     1,
     HOSTLIT_SPLIT,
     "",
     "5-7,13-15",
     {"a:vcpus=2,mem=2G,nic=eth2"},
     {{"a", "1,9", "0", NULL, "", "which has no room left"}}},
    /* 1 node, 8 cores x 1 thread, 2 L3 groups: CPUs 0-3 and 4-7; 0 is housekeeping */
    {"L3: best fit keeps each VM in one group",
     NULL,
     1,
     0,
     8,
     1,
     2,
     HOSTLIT_SPLIT,
     NULL,
     NULL,
     {"a:vcpus=3,mem=1G", "b:vcpus=4,mem=1G"},
     {{"a", "1,2,3", "0", "0", "", "share one L3 group (CPUs 0-3)"},
      {"b", "4,5,6,7", "0", "0", "", "share one L3 group (CPUs 4-7)"}}},
    {"L3: a VM larger than a group spans the fewest",
     NULL,
     1,
     0,
     8,
     1,
     2,
     HOSTLIT_SPLIT,
     NULL,
     NULL,
     {"a:vcpus=5,mem=1G"},
     {{"a", "1,4,5,6,7", "0", "0", "", "span 2 of its 2 L3 groups"}}},
    /* 4 nodes, 2 per package (21 inside, 32 across), 4 cores x 1: 3 usable a node */
    {"split: the fewest nodes, the nearest pair",
     NULL,
     4,
     2,
     4,
     1,
     1,
     HOSTLIT_SPLIT,
     NULL,
     NULL,
     {"a:vcpus=5,mem=2G"},
     {{"a", "1,2,3,5,6", "0-1", "0,4", "", "no one node can hold it"}}},
    {"split: starts at the NIC's node (2), then its package peer",
     NULL,
     4,
     2,
     4,
     1,
     1,
     HOSTLIT_SPLIT,
     "",
     NULL,
     {"a:vcpus=5,mem=2G,nic=eth2"},
     {{"a", "9,10,11,13,14", "2-3", NULL, "", "nodes 2-3"}}},
    {"larger than the host",
     NULL,
     1,
     0,
     4,
     2,
     1,
     HOSTLIT_SPLIT,
     NULL,
     NULL,
     {"a:vcpus=7,mem=1G"},
     {{"a", NULL, NULL, NULL, NULL, "larger than the host: needs 7 pCPUs"}}},
    {"out of CPUs on every node",
     NULL,
     2,
     0,
     4,
     2,
     1,
     HOSTLIT_SPLIT,
     NULL,
     NULL,
     {"a:vcpus=6,mem=1G", "b:vcpus=6,mem=1G", "c:vcpus=6,mem=1G"},
     {{"c", NULL, NULL, NULL, NULL,
       "no node has 6 pCPUs and 1024 MiB of 2 MiB pages: "
       "node0 0, 29696 MiB; node1 0, 29696 MiB"}}},
};

static void run_pcase(const struct pcase *pc)
{
	struct hostlit_spec s;
	struct host h;
	struct profile pf;
	struct vm_request vms[5];
	struct idset taken;
	struct plan p;
	struct err e = ERR_INIT;
	size_t n;

	hostlit_default(&s);
	s.nnodes = pc->nnodes;
	s.nodes_per_package = pc->npp;
	s.cores_per_node = pc->cores;
	s.threads_per_core = pc->threads;
	s.l3_per_node = pc->l3;
	s.numbering = pc->numbering;
	s.mem_per_node_kib = 32 * GIB;
	s.distance_near = 21;
	s.distance_far = 32;
	assert_ok(hostlit_build(&h, &s, &e), e);
	if (pc->nic_node1)
		assert_ok(hostlit_add_nic(&h, "eth2", "0000:3b:00.0", pc->nnodes > 2 ? 2 : 1,
					  pc->nic_node1, &e),
			  e);
	load_profile(&pf, pc->profile);
	parse_vms(vms, &n, pc->vms);
	idset_clear(&taken);
	if (pc->taken)
		assert_ok(idset_parse(&taken, pc->taken, &e), e);
	if (plan_compute(&h, &pf, vms, n, &taken, &p, &e) < 0)
		fail_msg("%s: %s", pc->what, e.msg);
	for (size_t i = 0; i < ARRAY_LEN(pc->want) && pc->want[i].vm; i++) {
		const struct expect *w = &pc->want[i];
		const struct vm_plan *v = find_vm(&p, w->vm);
		char buf[256];

		if (!w->pins) {
			if (v->placed)
				fail_msg("%s: '%s' placed on %s", pc->what, w->vm,
					 pins_str(v, buf, sizeof(buf)));
		} else {
			if (!v->placed)
				fail_msg("%s: '%s' not placed: %s", pc->what, w->vm, v->why_not);
			if (strcmp(pins_str(v, buf, sizeof(buf)), w->pins) != 0)
				fail_msg("%s: '%s' pins %s, want %s", pc->what, w->vm, buf,
					 w->pins);
			assert_string_equal(idset_format(&v->nodes, buf, sizeof(buf)), w->nodes);
			if (w->emulator)
				assert_string_equal(idset_format(&v->emulator, buf, sizeof(buf)),
						    w->emulator);
			assert_string_equal(idset_format(&v->idle, buf, sizeof(buf)), w->idle);
			assert_true(idset_equal(&v->iothread, &v->emulator));
		}
		if (w->reason && !has_reason(v, w->reason))
			fail_msg("%s: '%s' has no reason '%s' (first: '%s')", pc->what, w->vm,
				 w->reason, v->placed ? v->reasons[0] : v->why_not);
	}
	plan_release(&p);
	host_release(&h);
}

static void test_placements(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(pcases); i++)
		run_pcase(&pcases[i]);
}

/* ---- bad input ---- */

/*
 * A request the planner cannot take makes that VM NOT PLACED with what is
 * wrong, never the batch an error: the good VM beside it is still placed.
 * Only the batch's own faults (a name twice) fail it.
 */
static void test_bad_requests(void **state)
{
	static const struct {
		const char *profile, *spec, *why_not;
	} cases[] = {
	    {NULL, "a:vcpus=0,mem=1G", "0 vCPUs"},
	    {NULL, "a:vcpus=2,mem=3M,pages=2M",
	     "memory 3072 KiB is not a multiple of the requested 2 MiB page size"},
	    {NULL, "a:vcpus=2,mem=2G,nic=eth9", "no NIC 'eth9' on this host"},
	    {NULL, "a:vcpus=2,mem=3070K", "memory 3070 KiB is not a multiple of any page size"},
	};
	struct hostlit_spec s;
	struct host h;
	struct err e = ERR_INIT;
	(void)state;

	hostlit_default(&s);
	assert_ok(hostlit_build(&h, &s, &e), e);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct profile pf;
		struct vm_request vm[2];
		struct plan p;

		load_profile(&pf, cases[i].profile);
		assert_ok(plan_parse_vm(&vm[0], cases[i].spec, &e), e);
		assert_ok(plan_parse_vm(&vm[1], "good:vcpus=1,mem=1G", &e), e);
		assert_ok(plan_compute(&h, &pf, vm, 2, NULL, &p, &e), e);
		assert_false(p.vms[0].placed);
		assert_int_equal(p.vms[0].shortage, SHORT_REQUEST);
		assert_string_equal(p.vms[0].why_not, cases[i].why_not);
		assert_true(p.vms[1].placed);
		plan_release(&p);
	}
	{
		/* a request that could not be read (plan --domains): that VM only */
		struct profile pf;
		struct vm_request vm[2];
		struct plan p;

		profile_default(&pf);
		memset(&vm[0], 0, sizeof(vm[0]));
		strfmt_set(vm[0].name, sizeof(vm[0].name), "odd");
		strfmt_set(vm[0].unreadable, sizeof(vm[0].unreadable),
			   "invalid cpus of guest cell 0");
		assert_ok(plan_parse_vm(&vm[1], "good:vcpus=1,mem=1G", &e), e);
		assert_ok(plan_compute(&h, &pf, vm, 2, NULL, &p, &e), e);
		assert_false(p.vms[0].placed);
		assert_int_equal(p.vms[0].shortage, SHORT_REQUEST);
		assert_string_equal(p.vms[0].why_not, "invalid cpus of guest cell 0");
		assert_true(p.vms[1].placed);
		plan_release(&p);
	}
	{
		struct profile pf;
		struct vm_request two[2];
		struct plan p;

		profile_default(&pf);
		assert_ok(plan_parse_vm(&two[0], "a:vcpus=1,mem=1G", &e), e);
		two[1] = two[0];
		assert_int_equal(plan_compute(&h, &pf, two, 2, NULL, &p, &e), -1);
		assert_string_equal(e.msg, "vm 'a' is requested twice");
		assert_null(p.vms); /* empty after a failure */
	}
	{
		/* plan_parse_vm() refuses this size; a domain's XML may still name it */
		struct profile pf;
		struct vm_request vm;
		struct plan p;

		profile_default(&pf);
		assert_ok(plan_parse_vm(&vm, "a:vcpus=2,mem=2G", &e), e);
		vm.pages = PAGES_HUGE;
		vm.hugepage_kib = 3072;
		assert_ok(plan_compute(&h, &pf, &vm, 1, NULL, &p, &e), e);
		assert_false(p.vms[0].placed);
		assert_string_equal(
		    p.vms[0].why_not,
		    "page size 3072 KiB is not a power of two from 64 KiB to 16 GiB");
		plan_release(&p);
	}
	host_release(&h);
}

/*
 * Memory that is no multiple of the profile's page size (real domains have
 * 128 MiB, 219100 KiB): the largest smaller size the host offers that divides
 * it, else normal pages, with the reason.
 */
static void test_page_fallback(void **state)
{
	static const struct {
		const char *profile, *spec;
		uint64_t page_kib;
		const char *reason;
	} cases[] = {
	    {"high-pps", "a:vcpus=2,mem=1536M", 2048,
	     "2 MiB pages: memory 1572864 KiB is not a multiple of the profile's 1 GiB pages"},
	    {"high-pps", "a:vcpus=2,mem=128M", 2048, NULL},
	    {"balanced", "a:vcpus=2,mem=219100K", 0,
	     "normal pages: memory 219100 KiB is not a multiple of the profile's 2 MiB pages"},
	    {"high-pps", "a:vcpus=2,mem=24682468K", 0, NULL},
	    {"high-pps", "a:vcpus=2,mem=2G", 1048576, NULL},
	};
	struct hostlit_spec s;
	struct host h;
	struct err e = ERR_INIT;
	(void)state;

	hostlit_default(&s);
	s.hp2m_total = s.hp2m_free = 2048;
	s.hp1g_total = s.hp1g_free = 8;
	assert_ok(hostlit_build(&h, &s, &e), e);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct profile pf;
		struct vm_request vm;
		struct plan p;

		load_profile(&pf, cases[i].profile);
		assert_ok(plan_parse_vm(&vm, cases[i].spec, &e), e);
		assert_ok(plan_compute(&h, &pf, &vm, 1, NULL, &p, &e), e);
		if (!p.vms[0].placed)
			fail_msg("'%s': %s", cases[i].spec, p.vms[0].why_not);
		assert_int_equal(p.vms[0].page_kib, cases[i].page_kib);
		if (cases[i].reason)
			assert_true(has_reason(&p.vms[0], cases[i].reason));
		plan_release(&p);
	}
	host_release(&h);
}

static void test_unknown_topology(void **state)
{
	struct hostlit_spec s;
	struct host h, empty;
	struct profile pf;
	struct vm_request vm;
	struct plan p;
	struct err e = ERR_INIT;
	(void)state;

	profile_default(&pf);
	assert_ok(plan_parse_vm(&vm, "a:vcpus=1,mem=1G", &e), e);
	memset(&empty, 0, sizeof(empty));
	assert_int_equal(plan_compute(&empty, &pf, &vm, 1, NULL, &p, &e), -1);
	assert_string_equal(e.msg, "host topology unknown: no online CPUs were found");

	hostlit_default(&s);
	assert_ok(hostlit_build(&h, &s, &e), e);
	h.cpus[3].smt = -1;
	assert_int_equal(plan_compute(&h, &pf, &vm, 1, NULL, &p, &e), -1);
	assert_string_equal(e.msg, "host topology unknown: CPU 3 has no core id");
	h.cpus[3].smt = 3;
	h.cpus[5].node = -1;
	assert_int_equal(plan_compute(&h, &pf, &vm, 1, NULL, &p, &e), -1);
	assert_string_equal(e.msg, "host topology unknown: CPU 5 has no NUMA node");
	host_release(&h);
}

static void test_unplaced_reasons(void **state)
{
	struct hostlit_spec s;
	struct host h;
	struct profile pf;
	struct vm_request vms[3];
	struct plan p;
	struct err e = ERR_INIT;
	size_t n;
	const char *specs[] = {"big:vcpus=2,mem=40G", "big2:vcpus=2,mem=40G", NULL};
	(void)state;

	/* 64 GiB node, 2 GiB kept for the host: one 40 GiB VM fits, not two */
	hostlit_default(&s);
	assert_ok(hostlit_build(&h, &s, &e), e);
	profile_default(&pf);
	parse_vms(vms, &n, specs);
	assert_ok(plan_compute(&h, &pf, vms, n, NULL, &p, &e), e);
	assert_int_equal(p.nplaced, 1);
	assert_false(p.vms[1].placed);
	assert_int_equal(p.vms[1].shortage, SHORT_MEMORY);
	assert_string_equal(p.vms[1].why_not, "no node has 2 pCPUs and 40960 MiB of 2 MiB pages: "
					      "node0 4, 22528 MiB");
	plan_release(&p);

	/* no 1 GiB pool on this host */
	s.no_1g_pool = true;
	host_release(&h);
	assert_ok(hostlit_build(&h, &s, &e), e);
	load_profile(&pf, "high-pps");
	assert_ok(plan_compute(&h, &pf, vms, 1, NULL, &p, &e), e);
	assert_int_equal(p.vms[0].shortage, SHORT_PAGE_SIZE);
	assert_string_equal(p.vms[0].why_not,
			    "no node offers 1 GiB hugepages (no hugepages-1048576kB pool)");
	assert_int_equal(p.nplaced, 0);
	plan_release(&p);
	host_release(&h);

	/* node memory unknown (a capture without node meminfo): nothing is bound there */
	hostlit_default(&s);
	s.nnodes = 2;
	assert_ok(hostlit_build(&h, &s, &e), e);
	profile_default(&pf);
	h.nodes[1].mem_known = false;
	specs[0] = "a:vcpus=6,mem=1G";
	specs[1] = "b:vcpus=6,mem=1G";
	parse_vms(vms, &n, specs);
	assert_ok(plan_compute(&h, &pf, vms, n, NULL, &p, &e), e);
	assert_int_equal(p.nplaced, 1);
	assert_string_equal(p.vms[1].why_not, "no node has 6 pCPUs and 1024 MiB of 2 MiB pages: "
					      "node0 0, 62464 MiB; node1 6, memory unknown");
	assert_non_null(strstr(p.reasons[2], "memory of node(s) 1 unknown (no node meminfo)"));
	plan_release(&p);
	h.nodes[0].mem_known = false;
	assert_ok(plan_compute(&h, &pf, vms, n, NULL, &p, &e), e);
	assert_int_equal(p.vms[0].shortage, SHORT_MEMORY);
	assert_string_equal(p.vms[0].why_not, "the memory of every node with CPUs is unknown (no "
					      "node meminfo in this root): no memory can be bound");
	plan_release(&p);
	host_release(&h);
}

/* ---- memory, pages, topology ---- */

/* ---- requested guest cells: the domain's own layout, each cell on one node (issue 10) */

static int node_of_cpu(const struct host *h, unsigned cpu)
{
	for (size_t i = 0; i < h->ncpus; i++)
		if (h->cpus[i].id == cpu)
			return h->cpus[i].node;
	return -1;
}

/* Cell k of @vm holds @list's vCPUs and @kib. */
static void set_cell(struct vm_request *vm, size_t k, const char *list, uint64_t kib)
{
	struct err e = ERR_INIT;

	assert_ok(idset_parse(&vm->cells[k].vcpus, list, &e), e);
	vm->cells[k].mem_kib = kib;
}

static void test_requested_cells(void **state)
{
	static const char *const lists[] = {"0", "1", "2-3,8", "4-7"}; /* 4 cells, disjoint */
	struct hostlit_spec s;
	struct host h;
	struct profile pf;
	struct vm_request vms[3];
	struct cell_request cells[3][4];
	struct plan p;
	struct err e = ERR_INIT;
	const struct vm_plan *v;
	char buf[64];

	(void)state;
	hostlit_default(&s);
	s.nnodes = 2;
	assert_ok(hostlit_build(&h, &s, &e), e);
	load_profile(&pf, NULL);
	memset(vms, 0, sizeof(vms));
	memset(cells, 0, sizeof(cells));
	/* "four": 9 vCPUs in 4 cells, more than one node holds (6 pCPUs a node) */
	assert_ok(plan_parse_vm(&vms[0], "four:vcpus=9,mem=5G,pages=none", &e), e);
	vms[0].cells = cells[0];
	vms[0].ncells = 4;
	for (size_t k = 0; k < 4; k++)
		set_cell(&vms[0], k, lists[k], k == 3 ? 2 * GIB : GIB);
	/* "big": one cell of 7 vCPUs fits no node, though the host has 12 pCPUs free */
	assert_ok(plan_parse_vm(&vms[1], "big:vcpus=8,mem=2G,pages=none", &e), e);
	vms[1].cells = cells[1];
	vms[1].ncells = 2;
	set_cell(&vms[1], 0, "0-6", GIB);
	set_cell(&vms[1], 1, "7", GIB);
	/* "bad": vCPU 1 in no cell */
	assert_ok(plan_parse_vm(&vms[2], "bad:vcpus=2,mem=2G,pages=none", &e), e);
	vms[2].cells = cells[2];
	vms[2].ncells = 2;
	set_cell(&vms[2], 0, "0", GIB);
	set_cell(&vms[2], 1, "0", GIB);
	assert_ok(plan_compute(&h, &pf, vms, 3, NULL, &p, &e), e);

	v = find_vm(&p, "four");
	assert_true(v->placed);
	assert_int_equal(v->ncells, 4);
	assert_int_equal(v->npins, 9);
	for (size_t k = 0; k < 4; k++) {
		assert_int_equal(v->cells[k].id, k);
		assert_string_equal(idset_format(&v->cells[k].vcpus, buf, sizeof(buf)), lists[k]);
		assert_int_equal(v->cells[k].mem_kib, k == 3 ? 2 * GIB : GIB);
		/* each vCPU on a pCPU of its cell's node */
		for (int id = idset_next(&v->cells[k].vcpus, 0); id >= 0;
		     id = idset_next(&v->cells[k].vcpus, (unsigned)id + 1)) {
			assert_int_equal(v->pins[id].vcpu, id);
			assert_int_equal(node_of_cpu(&h, v->pins[id].cpu), v->cells[k].node);
		}
	}
	assert_true(has_reason(v, "guest cells as the domain defines them"));
	assert_int_equal(idset_count(&v->cpus), 9);

	v = find_vm(&p, "big");
	assert_false(v->placed);
	if (!has_reason(v, "guest cell 0 (7 pCPUs, 1024 MiB of normal pages) fits no node whole"))
		fail_msg("why: %s", v->why_not);
	v = find_vm(&p, "bad");
	assert_false(v->placed);
	assert_int_equal(v->shortage, SHORT_REQUEST);
	assert_string_equal(v->why_not, "vCPU 0 is in two guest cells");
	plan_release(&p);
	host_release(&h);
}

static void test_hugepages_and_cells(void **state)
{
	struct hostlit_spec s;
	struct host h;
	struct profile pf;
	struct vm_request vms[2];
	struct plan p;
	struct err e = ERR_INIT;
	size_t n;
	const char *specs[] = {"a:vcpus=4,mem=6G", "wide:vcpus=8,mem=8G", NULL};
	const struct vm_plan *a, *w;
	(void)state;

	/* 2 nodes x 4 cores x 2; 2 of 3 reserved 1 GiB pages free on each node */
	hostlit_default(&s);
	s.nnodes = 2;
	s.hp1g_total = 3;
	s.hp1g_free = 2;
	assert_ok(hostlit_build(&h, &s, &e), e);
	load_profile(&pf, "high-pps");
	parse_vms(vms, &n, specs);
	assert_ok(plan_compute(&h, &pf, vms, n, NULL, &p, &e), e);
	a = find_vm(&p, "a");
	w = find_vm(&p, "wide");
	assert_true(a->placed && w->placed);
	/* "wide" needs 8 threads on whole cores; a node has 6: two cells */
	assert_int_equal(w->ncells, 2);
	assert_int_equal(idset_count(&w->cells[0].vcpus) + idset_count(&w->cells[1].vcpus), 8);
	assert_int_equal(w->cells[0].mem_kib + w->cells[1].mem_kib, 8 * GIB);
	assert_int_equal(w->cells[0].pages * GIB, w->cells[0].mem_kib);
	assert_int_equal(a->ncells, 1);
	assert_int_equal(a->cells[0].pages, 6);
	assert_int_equal(a->sockets * a->cores * a->threads, 4);
	assert_int_equal(a->threads, 2); /* whole cores: guest siblings are host siblings */
	/* the pools: every page bound, reservations grown by what the free pages lack */
	for (size_t i = 0; i < p.npools; i++) {
		uint64_t used = 0;

		for (size_t v = 0; v < p.nvms; v++)
			for (size_t c = 0; c < p.vms[v].ncells; c++)
				if (p.vms[v].cells[c].node == p.pools[i].node)
					used += p.vms[v].cells[c].pages;
		assert_int_equal(p.pools[i].used, used);
		assert_int_equal(p.pools[i].total, 3 + (used > 2 ? used - 2 : 0));
	}
	plan_release(&p);
	host_release(&h);
}

static void test_guest_topology(void **state)
{
	static const struct {
		const char *profile, *spec;
		unsigned sockets, cores, threads;
	} cases[] = {
	    {NULL, "a:vcpus=4,mem=1G", 1, 2, 2},
	    {NULL, "a:vcpus=3,mem=1G", 1, 3, 1},
	    {"low-latency", "a:vcpus=4,mem=1G", 1, 4, 1},
	    {"high-pps", "a:vcpus=6,mem=6G", 1, 3, 2},
	    /* 14 pCPUs on each node of 2: 16 vCPUs split 14 + 2, one socket */
	    {NULL, "a:vcpus=16,mem=2G", 1, 8, 2},
	};
	struct hostlit_spec s;
	struct host h;
	struct err e = ERR_INIT;
	(void)state;

	hostlit_default(&s);
	s.nnodes = 2;
	s.cores_per_node = 8;
	assert_ok(hostlit_build(&h, &s, &e), e);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct profile pf;
		struct vm_request vm;
		struct plan p;

		load_profile(&pf, cases[i].profile);
		assert_ok(plan_parse_vm(&vm, cases[i].spec, &e), e);
		assert_ok(plan_compute(&h, &pf, &vm, 1, NULL, &p, &e), e);
		assert_true(p.vms[0].placed);
		assert_int_equal(p.vms[0].sockets, cases[i].sockets);
		assert_int_equal(p.vms[0].cores, cases[i].cores);
		assert_int_equal(p.vms[0].threads, cases[i].threads);
		plan_release(&p);
	}
	host_release(&h);
}

/* A VM over many nodes has more reasons than a plan keeps: the last says so. */
static void test_reasons_cap(void **state)
{
	struct hostlit_spec s;
	struct host h;
	struct profile pf;
	struct vm_request vm;
	struct plan p;
	struct err e = ERR_INIT;
	(void)state;

	hostlit_default(&s);
	s.nnodes = 8;
	s.threads_per_core = 1;
	s.l3_per_node = 2;
	assert_ok(hostlit_build(&h, &s, &e), e);
	profile_default(&pf);
	assert_ok(plan_parse_vm(&vm, "wide:vcpus=24,mem=8G", &e), e);
	assert_ok(plan_compute(&h, &pf, &vm, 1, NULL, &p, &e), e);
	assert_true(p.vms[0].placed);
	assert_int_equal(p.vms[0].ncells, 8);
	assert_int_equal(p.vms[0].nreasons, PLAN_MAX_REASONS);
	assert_string_equal(p.vms[0].reasons[PLAN_MAX_REASONS - 1], "(more reasons left out)");
	plan_release(&p);
	host_release(&h);
}

/* ---- host settings ---- */

static const struct plan_setting *setting(const struct plan *p, const char *path)
{
	for (size_t i = 0; i < p->nsettings; i++)
		if (strcmp(p->settings[i].path, path) == 0)
			return &p->settings[i];
	return NULL;
}

static void test_settings(void **state)
{
	struct hostlit_spec s;
	struct host h;
	struct profile pf;
	struct vm_request vms[2];
	struct plan p;
	struct err e = ERR_INIT;
	size_t n, ngov = 0;
	const char *specs[] = {"a:vcpus=4,mem=4G,nic=eth2", "b:vcpus=2,mem=2G", NULL};
	const struct plan_setting *st;
	(void)state;

	hostlit_default(&s);
	s.nnodes = 2;
	s.governor = "schedutil";
	s.hp1g_total = 1;
	s.hp1g_free = 1;
	assert_ok(hostlit_build(&h, &s, &e), e);
	assert_ok(hostlit_add_nic(&h, "eth2", "0000:3b:00.0", 1, "40-41", &e), e);
	load_profile(&pf, "high-pps");
	parse_vms(vms, &n, specs);
	assert_ok(plan_compute(&h, &pf, vms, n, NULL, &p, &e), e);
	assert_int_equal(p.nplaced, 2);
	assert_non_null(st = setting(&p, "/sys/kernel/mm/transparent_hugepage/enabled"));
	assert_string_equal(st->value, "never");
	assert_non_null(strstr(st->reason, "now madvise"));
	assert_non_null(st = setting(&p, "/sys/kernel/mm/ksm/run"));
	assert_string_equal(st->value, "0");
	assert_non_null(st = setting(&p, "/proc/sys/kernel/numa_balancing"));
	assert_string_equal(st->value, "0");
	assert_non_null(st = setting(&p, "/proc/sys/vm/swappiness"));
	assert_string_equal(st->value, "10");
	/* a (4 GiB) on node 1, its NIC's; b (2 GiB) packed next to it: 6
	 * pages on node 1, where 1 is free: 5 more to reserve */
	assert_non_null(st = setting(&p, "/sys/devices/system/node/node1/hugepages/"
					 "hugepages-1048576kB/nr_hugepages"));
	assert_string_equal(st->value, "6");
	assert_null(setting(&p, "/sys/devices/system/node/node0/hugepages/"
				"hugepages-1048576kB/nr_hugepages"));
	assert_non_null(st = setting(&p, "/proc/irq/default_smp_affinity"));
	assert_string_equal(st->value, "1111"); /* CPUs 0,4,8,12 */
	assert_non_null(st = setting(&p, "/proc/irq/41/smp_affinity_list"));
	assert_string_equal(st->value, "4,12"); /* housekeeping of the NIC's node */
	for (size_t i = 0; i < p.nsettings; i++) {
		unsigned cpu;

		if (sscanf(p.settings[i].path, "/sys/devices/system/cpu/cpu%u/cpufreq/", &cpu) != 1)
			continue;
		ngov++;
		assert_true(idset_has(&p.dedicated, cpu));
		assert_string_equal(p.settings[i].value, "performance");
	}
	assert_int_equal(ngov, idset_count(&p.dedicated));
	assert_int_equal(ngov, 6); /* 2 + 1 whole cores */
	assert_int_equal(p.ncmdline, 5);
	assert_string_equal(p.cmdline[0].arg, "isolcpus=managed_irq,domain,1-3,5-7,9-11,13-15");
	assert_string_equal(p.cmdline[3].arg, "irqaffinity=0,4,8,12");
	assert_string_equal(p.cmdline[4].arg, "hugepagesz=1G hugepages=1:6");
	plan_release(&p);

	/* balanced keeps KSM and the command line alone */
	profile_default(&pf);
	assert_ok(plan_compute(&h, &pf, vms, n, NULL, &p, &e), e);
	assert_null(setting(&p, "/sys/kernel/mm/ksm/run"));
	assert_null(setting(&p, "/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor"));
	assert_int_equal(p.ncmdline, 0);
	plan_release(&p);
	host_release(&h);
}

/* ---- the batch beats arrival order ---- */

static void test_batch_beats_arrival(void **state)
{
	struct hostlit_spec s;
	struct host h;
	struct profile pf;
	struct vm_request vms[4];
	struct idset taken;
	struct plan p;
	struct err e = ERR_INIT;
	size_t n;
	unsigned one_by_one = 0;
	const char *one_node[] = {"big:vcpus=5,mem=1G", "a:vcpus=2,mem=1G", "b:vcpus=2,mem=1G",
				  "c:vcpus=2,mem=1G", NULL};
	const char *two_nodes[] = {"a:vcpus=3,mem=1G", "b:vcpus=4,mem=1G", "c:vcpus=3,mem=1G",
				   NULL};
	(void)state;

	/* 1 node x 7 cores, no SMT: 6 pCPUs.  One VM at a time in arrival order,
	 * each seeing the CPUs of the ones before as taken: "big" fills the node. */
	hostlit_default(&s);
	s.cores_per_node = 7;
	s.threads_per_core = 1;
	assert_ok(hostlit_build(&h, &s, &e), e);
	profile_default(&pf);
	parse_vms(vms, &n, one_node);
	idset_clear(&taken);
	for (size_t i = 0; i < n; i++) {
		assert_ok(plan_compute(&h, &pf, &vms[i], 1, &taken, &p, &e), e);
		if (p.vms[0].placed) {
			one_by_one++;
			idset_or(&taken, &p.vms[0].cpus);
		}
		plan_release(&p);
	}
	assert_int_equal(one_by_one, 1);
	assert_ok(plan_compute(&h, &pf, vms, n, NULL, &p, &e), e);
	assert_int_equal(p.nplaced, 3);
	assert_false(find_vm(&p, "big")->placed);
	assert_non_null(strstr(p.reasons[1], "placed 3 of 4 (arrival order alone: 1)"));
	plan_release(&p);
	host_release(&h);

	/* 2 nodes x 7 cores, 2 of node 1's CPUs taken (6 and 4 pCPUs free).
	 * Arrival best fit puts a (3) on node 1 and b (4) on node 0: c is left
	 * out.  Largest first puts b on node 1, a and c on node 0. */
	s.nnodes = 2;
	assert_ok(hostlit_build(&h, &s, &e), e);
	parse_vms(vms, &n, two_nodes);
	idset_clear(&taken);
	idset_add(&taken, 12);
	idset_add(&taken, 13);
	assert_ok(plan_compute(&h, &pf, vms, n, &taken, &p, &e), e);
	assert_int_equal(p.nplaced, 3);
	assert_non_null(strstr(p.reasons[1], "placed 3 of 3 (arrival order alone: 2)"));
	assert_string_equal(idset_format(&find_vm(&p, "b")->cpus, (char[64]){0}, 64), "8-11");
	plan_release(&p);
	host_release(&h);
}

/* ---- request parsing ---- */

#define NAME_HINT  " (1 to 63 bytes of printable UTF-8 without '/' or '\\')"
#define PAGES_HINT " (expected none, 4K, or a power of two from 64K to 16G)"

static void test_parse_vm(void **state)
{
	static const struct {
		const char *spec;
		unsigned vcpus;
		uint64_t mem_kib;
		enum page_choice pages;
		uint64_t page_kib;
		const char *nic;
	} good[] = {
	    {"vm0:vcpus=4,mem=8G", 4, 8 * GIB, PAGES_PROFILE, 0, ""},
	    {"vm-1.x:vcpus=1,mem=512,pages=2M", 1, 512 * 1024, PAGES_HUGE, 2048, ""},
	    {"a:mem=1GiB,vcpus=2,pages=1G,nic=eth2", 2, GIB, PAGES_HUGE, GIB, "eth2"},
	    {"a:vcpus=2,mem=1T,pages=none,nic=0000:3b:00.0", 2, 1024 * GIB, PAGES_NORMAL, 0,
	     "0000:3b:00.0"},
	    {"a:vcpus=2,mem=2048K", 2, 2048, PAGES_PROFILE, 0, ""},
	    /* the base page is normal pages, not a pool of 4 KiB hugepages (issue 10) */
	    {"a:vcpus=2,mem=1G,pages=4k", 2, GIB, PAGES_NORMAL, 0, ""},
	    {"a:vcpus=2,mem=1G,pages=4", 2, GIB, PAGES_NORMAL, 0, ""},
	    {"a:vcpus=2,mem=1G,pages=64K", 2, GIB, PAGES_HUGE, 64, ""},
	    {"a:vcpus=2,mem=16G,pages=16G", 2, 16 * GIB, PAGES_HUGE, 16 * GIB, ""},
	    /* libvirt-style names: blanks, UTF-8, punctuation but '/' */
	    {"web server 1:vcpus=1,mem=1G", 1, GIB, PAGES_PROFILE, 0, ""},
	    {"Stra\xc3\x9f"
	     "e,x=y:vcpus=1,mem=1G",
	     1, GIB, PAGES_PROFILE, 0, ""},
	};
	static const struct {
		const char *spec, *msg;
	} bad[] = {
	    {"vm0", "invalid VM 'vm0' (expected NAME:vcpus=N,mem=SIZE[,pages=SIZE][,nic=IF])"},
	    {":vcpus=1,mem=1G", "invalid VM name in ':vcpus=1,mem=1G'" NAME_HINT},
	    {"a/b:vcpus=1,mem=1G", "invalid VM name in 'a/b:vcpus=1,mem=1G'" NAME_HINT},
	    {"a\\b:vcpus=1,mem=1G", "invalid VM name in 'a\\b:vcpus=1,mem=1G'" NAME_HINT},
	    {"a\x1b[2J:vcpus=1,mem=1G", "invalid VM name in 'a\x1b[2J:vcpus=1,mem=1G'" NAME_HINT},
	    {"a\nb:vcpus=1,mem=1G", "invalid VM name in 'a\nb:vcpus=1,mem=1G'" NAME_HINT},
	    {"\xe9t\xe9"
	     ":vcpus=1,mem=1G",
	     "invalid VM name in '\xe9t\xe9"
	     ":vcpus=1,mem=1G'" NAME_HINT},
	    {"a\xe2\x80\xae"
	     "b:vcpus=1,mem=1G",
	     "invalid VM name in 'a\xe2\x80\xae"
	     "b:vcpus=1,mem=1G'" NAME_HINT},
	    {"0123456789012345678901234567890123456789012345678901234567890123:vcpus=1,mem=1G",
	     "invalid VM name in '0123456789012345678901234567890123456789012345678901234567890123:"
	     "vcpus=1,mem=1G'" NAME_HINT},
	    {"a:vcpus=x,mem=1G", "vm 'a:vcpus=x,mem=1G': invalid vcpus 'x'"},
	    {"a:vcpus=1,mem=1Q", "vm 'a': invalid mem '1Q'"},
	    {"a:vcpus=1,mem=1G,pages=0", "vm 'a': invalid pages '0'" PAGES_HINT},
	    /* UINT64_MAX KiB: once the in-band "normal pages" marker (issue 8 item 14) */
	    {"a:vcpus=1,mem=1G,pages=18446744073709551615K",
	     "vm 'a': invalid pages '18446744073709551615K'" PAGES_HINT},
	    {"a:vcpus=1,mem=1G,pages=3M", "vm 'a': invalid pages '3M'" PAGES_HINT},
	    {"a:vcpus=1,mem=1G,pages=8K", "vm 'a': invalid pages '8K'" PAGES_HINT},
	    {"a:vcpus=1,mem=1G,pages=32G", "vm 'a': invalid pages '32G'" PAGES_HINT},
	    {"a:vcpus=1,mem=1G,cpus=3",
	     "vm 'a': unknown key 'cpus' (expected vcpus, mem, pages, nic)"},
	    {"a:vcpus=1", "vm 'a': needs vcpus= and mem="},
	    {"a:vcpus=1,mem", "vm 'a': unknown key 'mem' (expected vcpus, mem, pages, nic)"},
	};
	struct err e = ERR_INIT;
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		struct vm_request vm;

		assert_ok(plan_parse_vm(&vm, good[i].spec, &e), e);
		assert_int_equal(vm.vcpus, good[i].vcpus);
		assert_int_equal(vm.mem_kib, good[i].mem_kib);
		assert_int_equal(vm.pages, good[i].pages);
		assert_int_equal(vm.hugepage_kib, good[i].page_kib);
		assert_string_equal(vm.nic, good[i].nic);
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct vm_request vm;

		assert_int_equal(plan_parse_vm(&vm, bad[i].spec, &e), -1);
		assert_string_equal(e.msg, bad[i].msg);
		assert_int_equal(vm.vcpus, 0);
		assert_string_equal(vm.name, "");
	}
}

/* ---- invariants on many generated hosts ---- */

static uint64_t rng_state;

static unsigned rnd(unsigned n) /* xorshift64*: the same stream on every machine */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * UINT64_C(2685821657736338717)) >> 33) % n;
}

static int ncores_of(const struct host *h)
{
	int n = 0;

	for (size_t i = 0; i < h->ncpus; i++)
		if (h->cpus[i].smt + 1 > n)
			n = h->cpus[i].smt + 1;
	return n;
}

/* The test's own reading of capacity: units a node offers under @pol. */
static unsigned empty_units(const struct host *h, size_t n, const struct idset *hk,
			    const struct idset *taken, enum smt_policy pol)
{
	unsigned u = 0;

	for (int core = 0; core < ncores_of(h); core++) {
		unsigned threads = 0, nfree = 0;

		for (size_t i = 0; i < h->ncpus; i++) {
			if (h->cpus[i].smt != core || h->cpus[i].node != (int)h->nodes[n].id)
				continue;
			threads++;
			nfree += !idset_has(hk, h->cpus[i].id) && !idset_has(taken, h->cpus[i].id);
		}
		if (threads == 0)
			continue;
		u += pol == SMT_PREFER	  ? nfree
		     : nfree < threads	  ? 0
		     : pol == SMT_ISOLATE ? 1
					  : threads;
	}
	return u;
}

static uint64_t reservable(const struct host *h, size_t n, const struct profile *pf)
{
	uint64_t res = 0, keep = pf->host_reserved_memory_mib * 1024;

	for (size_t k = 0; k < h->nodes[n].npools; k++)
		res += h->nodes[n].pools[k].total * h->nodes[n].pools[k].size_kib;
	return h->nodes[n].mem_total_kib > res + keep ? h->nodes[n].mem_total_kib - res - keep : 0;
}

static uint64_t free_pages(const struct host *h, size_t n, uint64_t size)
{
	for (size_t k = 0; k < h->nodes[n].npools; k++)
		if (h->nodes[n].pools[k].size_kib == size)
			return h->nodes[n].pools[k].free;
	return 0;
}

/* Kept cells: as requested, in order, each vCPU on its cell's node. */
static void check_kept_cells(const struct host *h, const struct vm_request *r,
			     const struct vm_plan *v, unsigned seed)
{
	if (r->ncells)
		assert_int_equal(v->ncells, r->ncells);
	for (size_t c = 0; c < r->ncells; c++) {
		const struct guest_cell *gc = &v->cells[c];

		assert_int_equal(gc->id, c);
		assert_true(idset_equal(&gc->vcpus, &r->cells[c].vcpus));
		assert_int_equal(gc->mem_kib, r->cells[c].mem_kib);
		for (int id = idset_next(&gc->vcpus, 0); id >= 0;
		     id = idset_next(&gc->vcpus, (unsigned)id + 1))
			if ((unsigned)host_cpu(h, v->pins[id].cpu)->node != gc->node)
				fail_msg("seed %u: '%s' vCPU %d is off its cell's node %u", seed,
					 v->name, id, gc->node);
	}
}

static void check_invariants(const struct host *h, const struct profile *pf,
			     const struct vm_request *vms, const struct idset *taken,
			     const struct plan *p, unsigned seed)
{
	struct idset used, hk = p->housekeeping;
	int *core_owner = calloc((size_t)ncores_of(h) + 1, sizeof(int));

	assert_non_null(core_owner);
	idset_clear(&used);
	for (size_t i = 0; i < p->nvms; i++) {
		const struct vm_plan *v = &p->vms[i];
		struct idset mine = v->cpus;
		unsigned cell_vcpus = 0;
		uint64_t cell_mem = 0;

		if (!v->placed) {
			assert_true(v->shortage != SHORT_NONE);
			assert_true(v->why_not[0] != '\0');
			continue;
		}
		assert_int_equal(v->npins, vms[i].vcpus);
		/* no pCPU to two vCPUs, none housekeeping, none taken */
		for (size_t k = 0; k < v->npins; k++) {
			unsigned cpu = v->pins[k].cpu;

			if (idset_has(&used, cpu))
				fail_msg("seed %u: CPU %u given twice", seed, cpu);
			if (idset_has(&hk, cpu))
				fail_msg("seed %u: housekeeping CPU %u given to '%s'", seed, cpu,
					 v->name);
			if (idset_has(taken, cpu))
				fail_msg("seed %u: taken CPU %u given to '%s'", seed, cpu, v->name);
			assert_true(idset_has(&v->nodes, (unsigned)host_cpu(h, cpu)->node));
			idset_add(&used, cpu);
		}
		idset_or(&mine, &v->idle);
		if (pf->emulator == EMU_DEDICATED)
			idset_or(&mine, &v->emulator);
		assert_false(idset_intersects(&mine, &hk));
		for (size_t c = 0; c < v->ncells; c++) {
			cell_vcpus += idset_count(&v->cells[c].vcpus);
			cell_mem += v->cells[c].mem_kib;
			if (v->page_kib)
				assert_int_equal(v->cells[c].pages * v->page_kib,
						 v->cells[c].mem_kib);
		}
		assert_int_equal(cell_vcpus, v->vcpus);
		assert_int_equal(cell_mem, v->mem_kib);
		check_kept_cells(h, &vms[i], v, seed);
		/* a VM that fits one node of the empty host never spans two (its
		 * own cells may: they are placed as they are) */
		if (v->ncells > 1 && vms[i].ncells == 0) {
			unsigned demand = v->vcpus + (pf->emulator == EMU_DEDICATED);

			for (size_t n = 0; n < h->nnodes; n++) {
				uint64_t cap = reservable(h, n, pf);

				if (v->page_kib)
					cap = free_pages(h, n, v->page_kib) * v->page_kib +
					      cap / v->page_kib * v->page_kib;
				if (empty_units(h, n, &hk, taken, pf->smt) >= demand &&
				    cap >= v->mem_kib)
					fail_msg("seed %u: '%s' fits node %u but spans %zu", seed,
						 v->name, h->nodes[n].id, v->ncells);
			}
		}
		/* whole cores: no core carries two VMs (vCPUs, idle siblings, own
		 * emulator); a core is the kernel's SMT unit (an AMD module is one) */
		for (int cpu = idset_next(&mine, 0); cpu >= 0;
		     cpu = idset_next(&mine, (unsigned)cpu + 1)) {
			int core = host_cpu(h, (unsigned)cpu)->smt;

			if (pf->smt != SMT_PREFER && core_owner[core] &&
			    core_owner[core] != (int)i + 1)
				fail_msg("seed %u: core %d shared by '%s' and '%s' under %s", seed,
					 core, p->vms[core_owner[core] - 1].name, v->name,
					 smt_policy_str(pf->smt));
			core_owner[core] = (int)i + 1;
		}
	}
	/* memory per node within capacity: hugepages beyond the free ones, and
	 * normal memory, come out of what can still be reserved */
	for (size_t n = 0; n < h->nnodes; n++) {
		uint64_t need = 0, sizes[8] = {0}, pages[8] = {0};
		size_t ns = 0;

		for (size_t i = 0; i < p->nvms; i++)
			for (size_t c = 0; c < p->vms[i].ncells && p->vms[i].placed; c++) {
				const struct guest_cell *gc = &p->vms[i].cells[c];
				size_t k;

				if (gc->node != h->nodes[n].id)
					continue;
				if (gc->page_kib == 0) {
					need += gc->mem_kib;
					continue;
				}
				for (k = 0; k < ns && sizes[k] != gc->page_kib; k++)
					;
				if (k == ns)
					sizes[ns++] = gc->page_kib;
				pages[k] += gc->pages;
			}
		for (size_t k = 0; k < ns; k++) {
			uint64_t fr = free_pages(h, n, sizes[k]);

			need += pages[k] > fr ? (pages[k] - fr) * sizes[k] : 0;
		}
		if (need > reservable(h, n, pf))
			fail_msg("seed %u: node %zu over capacity: %" PRIu64 " > %" PRIu64 " KiB",
				 seed, n, need, reservable(h, n, pf));
	}
	free(core_owner);
}

/* Random batches where some VMs keep their own guest cells (2 to 4, vCPUs
 * dealt round-robin or in runs, memory in whole pages): the invariants hold,
 * and each kept cell is as requested, on one node. */
static void test_invariants_cells(void **state)
{
	static const char *const profiles[] = {"balanced", "high-pps", "low-latency", "density"};
	unsigned total = 0, placed = 0, kept = 0;
	(void)state;

	for (unsigned seed = 1; seed <= 120; seed++) {
		struct hostlit_spec s;
		struct host h;
		struct profile pf;
		struct vm_request vms[24];
		struct cell_request cells[24][4];
		struct idset taken;
		struct plan p;
		struct err e = ERR_INIT;
		size_t n;
		uint64_t page;

		rng_state = UINT64_C(0xD1B54A32D192ED03) * seed;
		hostlit_default(&s);
		s.nnodes = 1 + rnd(4);
		s.cores_per_node = 3 + rnd(10);
		s.threads_per_core = rnd(2) + 1;
		s.mem_per_node_kib = (16 + rnd(48)) * GIB;
		s.hp1g_total = rnd(6);
		s.hp1g_free = s.hp1g_total;
		s.hp2m_total = rnd(2) * 512;
		s.hp2m_free = s.hp2m_total;
		assert_ok(hostlit_build(&h, &s, &e), e);
		load_profile(&pf, profiles[seed % ARRAY_LEN(profiles)]);
		page = pf.hugepage_kib ? pf.hugepage_kib : 1024;
		n = 4 + rnd(20);
		memset(cells, 0, sizeof(cells));
		for (size_t i = 0; i < n; i++) {
			size_t nc = rnd(3) ? 2 + rnd(3) : 0;
			bool runs = rnd(2);

			memset(&vms[i], 0, sizeof(vms[i]));
			snprintf(vms[i].name, sizeof(vms[i].name), "vm%zu", i);
			vms[i].vcpus = (unsigned)(nc ? nc : 1) + rnd(12);
			if (nc == 0) {
				vms[i].mem_kib = (1 + rnd(16)) * GIB / page * page;
				continue;
			}
			vms[i].cells = cells[i];
			vms[i].ncells = nc;
			for (unsigned v = 0; v < vms[i].vcpus; v++) {
				size_t k = runs ? v * nc / vms[i].vcpus : v % nc;

				idset_add(&cells[i][k].vcpus, v);
			}
			for (size_t k = 0; k < nc; k++) {
				cells[i][k].mem_kib = (1 + rnd(6)) * page * (page < GIB ? 256 : 1);
				vms[i].mem_kib += cells[i][k].mem_kib;
			}
		}
		idset_clear(&taken);
		if (plan_compute(&h, &pf, vms, n, &taken, &p, &e) < 0)
			fail_msg("seed %u: %s", seed, e.msg);
		check_invariants(&h, &pf, vms, &taken, &p, seed);
		total += (unsigned)n;
		placed += p.nplaced;
		for (size_t i = 0; i < n; i++)
			kept += p.vms[i].placed && vms[i].ncells > 0;
		plan_release(&p);
		host_release(&h);
	}
	print_message("%u VMs, %u placed, %u with their own cells\n", total, placed, kept);
	assert_true(kept > 0 && placed < total);
}

static void test_invariants_generated(void **state)
{
	static const char *const profiles[] = {"balanced", "high-pps", "low-latency", "throughput",
					       "density"};
	static const unsigned nodes[] = {1, 2, 4, 8};
	unsigned total_vms = 0, total_placed = 0, split = 0;
	(void)state;

	for (unsigned seed = 1; seed <= 240; seed++) {
		struct hostlit_spec s;
		struct host h;
		struct profile pf;
		struct vm_request vms[40];
		struct idset taken;
		struct plan p;
		struct err e = ERR_INIT;
		size_t n;
		uint64_t page;

		rng_state = UINT64_C(0x9E3779B97F4A7C15) * seed;
		hostlit_default(&s);
		s.nnodes = nodes[rnd(4)];
		s.nodes_per_package = rnd(2) + 1;
		s.cores_per_node = 3 + rnd(14);
		s.threads_per_core = rnd(2) + 1;
		s.numbering = rnd(2) ? HOSTLIT_SPLIT : HOSTLIT_ADJACENT;
		s.l3_per_node = rnd(3) + 1;
		s.mem_per_node_kib = (16 + rnd(112)) * GIB;
		s.hp1g_total = rnd(8);
		s.hp1g_free = s.hp1g_total ? rnd((unsigned)s.hp1g_total + 1) : 0;
		s.hp2m_total = rnd(2) * 512;
		s.hp2m_free = s.hp2m_total / 2;
		s.distance_near = 12 + rnd(10);
		s.distance_far = 20 + rnd(20);
		assert_ok(hostlit_build(&h, &s, &e), e);
		assert_ok(hostlit_add_nic(&h, "eth0", "0000:01:00.0", (int)rnd(s.nnodes), "", &e),
			  e);
		load_profile(&pf, profiles[seed % ARRAY_LEN(profiles)]);
		page = pf.hugepage_kib ? pf.hugepage_kib : 1024;
		n = 5 + rnd(36);
		for (size_t i = 0; i < n; i++) {
			memset(&vms[i], 0, sizeof(vms[i]));
			snprintf(vms[i].name, sizeof(vms[i].name), "vm%zu", i);
			vms[i].vcpus = 1 + rnd(rnd(4) ? 8 : 24);
			vms[i].mem_kib = (1 + rnd(rnd(4) ? 8 : 48)) * GIB;
			vms[i].mem_kib -= vms[i].mem_kib % page;
			if (vms[i].mem_kib == 0)
				vms[i].mem_kib = page;
			if (rnd(5) == 0)
				snprintf(vms[i].nic, sizeof(vms[i].nic), "eth0");
			if (rnd(6) == 0)
				vms[i].pages = PAGES_NORMAL;
		}
		idset_clear(&taken);
		for (unsigned k = rnd(4); k > 0; k--)
			idset_add(&taken, h.cpus[rnd((unsigned)h.ncpus)].id);
		if (plan_compute(&h, &pf, vms, n, &taken, &p, &e) < 0)
			fail_msg("seed %u: %s", seed, e.msg);
		check_invariants(&h, &pf, vms, &taken, &p, seed);
		total_vms += (unsigned)n;
		total_placed += p.nplaced;
		for (size_t i = 0; i < p.nvms; i++)
			split += p.vms[i].ncells > 1;
		plan_release(&p);
		host_release(&h);
	}
	/* the streams are meant to overfill some hosts and split some VMs */
	assert_true(total_placed > total_vms / 3 && total_placed < total_vms);
	assert_true(split > 0);
	print_message("invariants: 240 hosts, %u VMs, %u placed, %u split\n", total_vms,
		      total_placed, split);
}

/*
 * AMD compute-unit modules (Bulldozer): hwloc counts every PU as a core, the
 * kernel pairs the two cores of a module as SMT siblings.  Policies that own
 * whole cores own whole modules, and housekeeping keeps the module's pair.
 */
static void test_modules(void **state)
{
	static const char *const specs[] = {"a:vcpus=1,mem=1G,pages=none",
					    "b:vcpus=1,mem=1G,pages=none",
					    "c:vcpus=3,mem=1G,pages=none", NULL};
	static const char *const profiles[] = {"high-pps", "low-latency"};
	struct hostlit_spec s;
	struct err e = ERR_INIT;
	struct host h;
	(void)state;

	hostlit_default(&s);
	s.nnodes = 2;
	s.cores_per_node = 8;
	s.threads_per_core = 2;
	assert_ok(hostlit_build(&h, &s, &e), e);
	for (size_t i = 0; i < h.ncpus; i++)
		h.cpus[i].core = (int)i; /* hwloc's count; .smt stays the module */
	for (size_t k = 0; k < ARRAY_LEN(profiles); k++) {
		struct vm_request vms[4];
		struct profile pf;
		struct plan p;
		size_t n;

		load_profile(&pf, profiles[k]);
		parse_vms(vms, &n, specs);
		assert_ok(plan_compute(&h, &pf, vms, n, NULL, &p, &e), e);
		for (size_t a = 0; a < p.nvms; a++) {
			struct idset mine = p.vms[a].cpus;

			assert_true(p.vms[a].placed);
			idset_or(&mine, &p.vms[a].idle);
			if (pf.emulator == EMU_DEDICATED)
				idset_or(&mine, &p.vms[a].emulator);
			for (int c = idset_next(&mine, 0); c >= 0;
			     c = idset_next(&mine, (unsigned)c + 1)) {
				struct idset sib = host_siblings(&h, (unsigned)c);

				assert_int_equal(idset_count(&sib), 2);
				if (!idset_subset(&sib, &mine))
					fail_msg("%s: '%s' has CPU %d but not its module sibling",
						 profiles[k], p.vms[a].name, c);
				for (size_t b = 0; b < p.nvms; b++)
					assert_true(b == a ||
						    !idset_intersects(&sib, &p.vms[b].cpus));
			}
			assert_false(idset_intersects(&mine, &p.housekeeping));
		}
		for (int c = idset_next(&p.housekeeping, 0); c >= 0;
		     c = idset_next(&p.housekeeping, (unsigned)c + 1)) {
			struct idset sib = host_siblings(&h, (unsigned)c);

			assert_true(idset_subset(&sib, &p.housekeeping));
		}
		plan_release(&p);
	}
	host_release(&h);
}

/* A firmware NUMA bug: nodes claiming the same CPUs are planned as one node. */
static void test_numa_inconsistent(void **state)
{
	static const char *const specs[] = {"a:vcpus=6,mem=8G,pages=none",
					    "b:vcpus=6,mem=8G,pages=none", NULL};
	struct hostlit_spec s;
	struct vm_request vms[4];
	struct err e = ERR_INIT;
	struct profile pf;
	struct plan p;
	struct host h;
	size_t n;
	(void)state;

	hostlit_default(&s);
	s.nnodes = 2;
	s.cores_per_node = 4;
	assert_ok(hostlit_build(&h, &s, &e), e);
	snprintf(h.topo.numa_inconsistent, sizeof(h.topo.numa_inconsistent),
		 "nodes 0-1 claim the same CPUs 0-15");
	load_profile(&pf, "balanced");
	parse_vms(vms, &n, specs);
	assert_ok(plan_compute(&h, &pf, vms, n, NULL, &p, &e), e);
	/* one node: one housekeeping core, and no VM bound to node 1 */
	assert_int_equal(idset_count(&p.housekeeping), 2);
	for (size_t i = 0; i < p.nvms; i++) {
		assert_true(p.vms[i].placed);
		assert_int_equal(p.vms[i].ncells, 1);
		assert_int_equal(idset_count(&p.vms[i].nodes), 1);
		assert_true(idset_has(&p.vms[i].nodes, 0));
	}
	assert_true(idset_count(&p.vms[0].cpus) + idset_count(&p.vms[1].cpus) == 12);
	assert_false(idset_intersects(&p.vms[0].cpus, &p.vms[1].cpus));
	{
		bool said = false;

		for (size_t i = 0; i < p.nreasons; i++)
			said |=
			    strstr(p.reasons[i], "NUMA layout inconsistent (nodes 0-1 claim the "
						 "same CPUs 0-15): planned as one node") != NULL;
		assert_true(said);
	}
	plan_release(&p);
	host_release(&h);
}

/* The same invariants on the real captures, read by the probe. */
static void test_invariants_captures(void **state)
{
	static const char *const hosts[] = {
	    "laptop-intel-i7-1370p-hybrid",   "desktop-amd-ryzen5-1600",
	    "2s-intel-xeon-silver4108-smt",   "4s-intel-xeon-e7-4870-r910",
	    "4s-amd-opteron6272-r815-8n",     "2s-amd-epyc-rome-nps1",
	    "arm64-kunpeng920-128c",	      "ppc64-power7-256t",
	    "ppc64-power9-v100-gpumem-nodes", "ppc64-power8-subcores-offline",
	};
	static const char *const profiles[] = {"balanced", "high-pps", "low-latency", "throughput",
					       "density"};
	unsigned planned = 0;
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(hosts); i++) {
		char root[4096], dir[4096];
		struct fsroot r = FSROOT_INIT;
		struct host h;
		struct err e = ERR_INIT;

		if (!tu_unpack_host(hosts[i], root, sizeof(root)))
			skip();
		snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(root, '/') - root), root);
		assert_ok(fsroot_open(&r, root, &e), e);
		assert_ok(host_probe(&h, &r, &e), e);
		assert_true(h.ncpus > 0);
		fsroot_close(&r);
		for (size_t k = 0; k < ARRAY_LEN(profiles); k++) {
			struct profile pf;
			struct vm_request vms[24];
			struct idset taken;
			struct plan p;
			uint64_t page;

			load_profile(&pf, profiles[k]);
			page = pf.hugepage_kib ? pf.hugepage_kib : 1024;
			rng_state = UINT64_C(0x9E3779B97F4A7C15) * (i * 8 + k + 1);
			for (size_t v = 0; v < ARRAY_LEN(vms); v++) {
				memset(&vms[v], 0, sizeof(vms[v]));
				snprintf(vms[v].name, sizeof(vms[v].name), "vm%zu", v);
				vms[v].vcpus = 1 + rnd(8);
				vms[v].mem_kib = (1 + rnd(8)) * GIB;
				vms[v].mem_kib -= vms[v].mem_kib % page;
				if (vms[v].mem_kib == 0)
					vms[v].mem_kib = page;
			}
			idset_clear(&taken);
			if (plan_compute(&h, &pf, vms, ARRAY_LEN(vms), &taken, &p, &e) < 0)
				fail_msg("'%s' with %s: %s", hosts[i], profiles[k], e.msg);
			check_invariants(&h, &pf, vms, &taken, &p, (unsigned)(i * 8 + k + 1));
			plan_release(&p);
		}
		planned++;
		host_release(&h);
		tu_rmtree(dir);
	}
	print_message("invariants: %u of %zu captures planned\n", planned, ARRAY_LEN(hosts));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_placements),
	    cmocka_unit_test(test_bad_requests),
	    cmocka_unit_test(test_page_fallback),
	    cmocka_unit_test(test_unknown_topology),
	    cmocka_unit_test(test_unplaced_reasons),
	    cmocka_unit_test(test_hugepages_and_cells),
	    cmocka_unit_test(test_requested_cells),
	    cmocka_unit_test(test_invariants_cells),
	    cmocka_unit_test(test_guest_topology),
	    cmocka_unit_test(test_reasons_cap),
	    cmocka_unit_test(test_settings),
	    cmocka_unit_test(test_batch_beats_arrival),
	    cmocka_unit_test(test_parse_vm),
	    cmocka_unit_test(test_invariants_generated),
	    cmocka_unit_test(test_invariants_captures),
	    cmocka_unit_test(test_modules),
	    cmocka_unit_test(test_numa_inconsistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
