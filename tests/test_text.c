/* test_text.c - the text of `hvtune probe` and `hvtune check`, on host and finding literals */
#include "tests/testutil.h"
#include "tui/report/text.h"

#include <stdlib.h>
#include <string.h>

static void set_list(struct idset *s, const char *list)
{
	struct err e = ERR_INIT;

	assert_ok(idset_parse(s, list, &e), e);
}

/* Four nodes like the 4-socket E7-4870 (round-robin numbering: node N has
 * CPUs N, N+4, ...) plus a CPU-less memory node, governors split two ways. */
static void lit_host(struct host *h, unsigned nnodes)
{
	memset(h, 0, sizeof(*h));
	h->mem.swappiness = -1;
	h->ncpus = 40;
	h->cpus = calloc(h->ncpus, sizeof(*h->cpus));
	assert_non_null(h->cpus);
	for (unsigned i = 0; i < 40; i++) {
		h->cpus[i] = (struct cpu){.id = i,
					  .node = (int)(i % 4),
					  .package = (int)(i % 4),
					  .core = (int)i,
					  .smt = (int)i,
					  .l3 = (int)(i % 4)};
		snprintf(h->cpus[i].governor, sizeof(h->cpus[i].governor), "%s",
			 i < 20 ? "performance" : "powersave");
	}
	h->nnodes = nnodes;
	h->nodes = calloc(nnodes, sizeof(*h->nodes));
	h->topo.distances = calloc((size_t)nnodes * nnodes, sizeof(uint32_t));
	assert_non_null(h->nodes);
	assert_non_null(h->topo.distances);
	for (unsigned n = 0; n < nnodes; n++) {
		struct node *nd = &h->nodes[n];

		nd->id = n < 4 ? n : 250 + n;
		for (unsigned c = n; n < 4 && c < 40; c += 4)
			idset_add(&nd->cpus, c);
		nd->mem_known = n != 1;
		if (n == 1) /* the reasons the probe gives (the renderer only prints them) */
			snprintf(nd->mem_why, sizeof(nd->mem_why), "no node1/meminfo in this tree");
		if (n != 0)
			snprintf(nd->pools_why, sizeof(nd->pools_why),
				 "no per-node hugepages in this tree");
		nd->mem_total_kib = 16u * 1024 * 1024;
		nd->mem_free_kib = 15u * 1024 * 1024 + 512 * 1024;
		if (n == 0) {
			nd->npools = 2;
			nd->pools[0] = (struct hugepool){2048, 512, 500, 3, 0};
			nd->pools[1] = (struct hugepool){1048576, 4, 4, 0, 0};
		}
		for (unsigned m = 0; m < nnodes; m++)
			h->topo.distances[n * nnodes + m] = n == m ? 10 : 20 + n + m;
	}
	snprintf(h->topo.source, sizeof(h->topo.source), "sysfs");
	snprintf(h->topo.source_why, sizeof(h->topo.source_why),
		 "hwloc rejected the tree: no thread_siblings masks");
	snprintf(h->topo.packages_why, sizeof(h->topo.packages_why), "physical_package_id is -1");
	h->topo.ncores = 40;
	h->topo.npus = 40;
	set_list(&h->topo.online, "0-39");
	set_list(&h->topo.present, "0-39");
	set_list(&h->topo.possible, "0-63");
	set_list(&h->topo.offline, "40-63");
	snprintf(h->topo.arch, sizeof(h->topo.arch), "x86_64");
	snprintf(h->topo.cpuinfo_why, sizeof(h->topo.cpuinfo_why), "no vendor_id in cpuinfo");
	snprintf(h->mem.swappiness_why, sizeof(h->mem.swappiness_why), "no vm/swappiness");
	snprintf(h->topo.model, sizeof(h->topo.model), "Intel(R) Xeon(R) CPU E7- 4870 @ 2.40GHz");
	h->virt.vmx = TRI_YES;
	h->virt.svm = TRI_NO;
	h->virt.ept = TRI_YES;
	snprintf(h->virt.flags_why, sizeof(h->virt.flags_why), "no 'vmx flags' line in cpuinfo");
	h->virt.kvm_usable = TRI_NO;
	snprintf(h->virt.kvm_why, sizeof(h->virt.kvm_why),
		 "vmx is present but there is no /dev/kvm: kvm_intel is not loaded, or VT-x "
		 "is disabled in the firmware");
	h->virt.nnics = 2;
	h->virt.nics = calloc(2, sizeof(*h->virt.nics));
	assert_non_null(h->virt.nics);
	h->virt.nics[0] = (struct nic){.name = "ens1f0",
				       .pci = "0000:3b:00.0",
				       .driver = "ixgbe",
				       .numa_node = 2,
				       .sriov_total = 64,
				       .sriov_num = 8};
	h->virt.nics[1] = (struct nic){.name = "ens1f0v0",
				       .pci = "0000:3b:10.0",
				       .driver = "ixgbevf",
				       .numa_node = -1,
				       .is_vf = true};
	h->kern.cmdline_known = true;
	for (size_t i = 0; i < 30; i++) /* a long command line that must wrap */
		strcat(h->kern.cmdline, "some.kernel_option=value ");
	h->tlb.shootdowns_known = true;
	h->tlb.nshootdowns = 5;
	h->tlb.shootdown_cpus = calloc(5, sizeof(unsigned));
	h->tlb.shootdowns = calloc(5, sizeof(uint64_t));
	assert_non_null(h->tlb.shootdown_cpus);
	assert_non_null(h->tlb.shootdowns);
	for (unsigned i = 0; i < 5; i++) {
		h->tlb.shootdown_cpus[i] = i * 2;
		h->tlb.shootdowns[i] = (uint64_t[]){7, 300, 7, 4000, 0}[i];
	}
}

static char *render_host(const struct host *h, unsigned width)
{
	struct text_style st = {false, width};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(text_host(f, h, &st), 0);
	fclose(f);
	return buf;
}

/* Every line of @s is at most @width columns (no colour: bytes = columns). */
static void assert_fits(const char *s, unsigned width)
{
	for (const char *line = s; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (len > width)
			fail_msg("line of %zu columns (max %u): '%.*s'", len, width, (int)len,
				 line);
		line += len + (nl ? 1 : 0);
	}
}

static void expect_in(const char *s, const char *want)
{
	if (!strstr(s, want)) {
		fprintf(stderr, "---- output ----\n%s---- end ----\n", s);
		fail_msg("no '%s' in the output above", want);
	}
}

static void test_host_text(void **state)
{
	struct host h;
	char *s;
	(void)state;

	lit_host(&h, 4);
	s = render_host(&h, 80);
	assert_fits(s, 80);
	expect_in(s, "hvtune probe: live host\n");
	expect_in(s, "  model             Intel(R) Xeon(R) CPU E7- 4870 @ 2.40GHz\n");
	expect_in(s, "  vendor            unknown (no vendor_id in cpuinfo)\n");
	expect_in(
	    s, "  topology          packages unknown (physical_package_id is -1), dies unknown,\n"
	       "                    40 cores, 40 PUs, L3 groups unknown\n");
	expect_in(
	    s, "  topology source   sysfs (hwloc rejected the tree: no thread_siblings masks)\n");
	expect_in(s, "  offline CPUs      40-63 (24)\n");
	expect_in(s, "  present/possible  0-39 / 0-63\n");
	expect_in(s, "  node 0            CPUs 0,4,8,12,16,20,24,28,32,36 (10)\n");
	expect_in(s, "                    memory 16 GiB, 15.5 GiB free\n");
	expect_in(s, "hugepages 2 MiB: 512 total, 500 free, 3 surplus; 1 GiB: 4\n"
		     "                    total, 4 free\n");
	expect_in(s, "memory unknown (no node1/meminfo in this tree)\n");
	expect_in(s, "hugepages unknown (no per-node hugepages in this tree)\n");
	/* the matrix: a header of node ids, then one row per node */
	expect_in(s, "  distances\n         0  1  2  3\n      0 10 21 22 23\n");
	expect_in(s, "      3 23 24 25 10\n\n");
	expect_in(s, "  hardware          VT-x yes, AMD-V no\n");
	expect_in(s, "posted interrupts unknown");
	expect_in(s, "(unknown: no 'vmx flags' line in cpuinfo)");
	expect_in(s,
		  "  KVM usable        no (vmx is present but there is no /dev/kvm: kvm_intel is\n"
		  "                    not loaded, or VT-x is disabled in the firmware)\n");
	expect_in(s,
		  "  NIC ens1f0        0000:3b:00.0, driver ixgbe, node 2, SR-IOV 8 of 64 VFs\n");
	expect_in(s, "  NIC ens1f0v0      0000:3b:10.0, driver ixgbevf, node unknown, SR-IOV VF\n");
	expect_in(s, "  swappiness        unknown (no vm/swappiness)\n");
	expect_in(s, "  governors         performance on 0-19, powersave on 20-39\n");
	expect_in(s, "  rcu_nocbs         none\n");
	expect_in(s, "  shootdowns        4314 total; most on CPU 6: 4000, CPU 2: 300, CPU 0: 7\n");
	expect_in(s, "  perf counters     unknown\n");
	free(s);

	/* narrow: everything still fits, long values wrap under their column */
	s = render_host(&h, 40);
	assert_fits(s, 40);
	expect_in(
	    s,
	    "  model             Intel(R) Xeon(R) CPU\n                    E7- 4870 @ 2.40GHz\n");
	/* 4 nodes at 3 columns each do not fit 40 columns next to the labels */
	expect_in(s, "  distances\n");
	free(s);
	host_release(&h);

	/* 17 nodes: too many for a matrix */
	lit_host(&h, 17);
	s = render_host(&h, 80);
	assert_fits(s, 80);
	expect_in(s, "  distances         17 x 17 matrix, too wide to show (see --json)\n");
	expect_in(s, "  node 266          CPUs none (memory only)\n");
	free(s);
	host_release(&h);
}

static void test_empty_host_text(void **state)
{
	struct host h;
	char *s;
	(void)state;

	memset(&h, 0, sizeof(h));
	h.mem.swappiness = -1;
	snprintf(h.root, sizeof(h.root),
		 "/tmp/a/very/long/path/to/a/captured/tree/of/another/machine/x");
	s = render_host(&h, 40);
	assert_fits(s, 40);
	expect_in(s, "hvtune probe: captured tree\n  /tmp/a/very/long/path/to/a/captured/tr\n");
	expect_in(s, "  nodes             unknown\n");
	expect_in(s, "  governors         unknown\n");
	free(s);
}

static void test_governor_groups(void **state)
{
	struct cpu cpus[6] = {
	    {.id = 0, .governor = "performance"},
	    {.id = 1, .governor = ""},
	    {.id = 2, .governor = "performance"},
	    {.id = 3, .governor = "schedutil"},
	    {.id = 8, .governor = ""},
	    {.id = 9, .governor = "schedutil"},
	};
	struct host h;
	struct gov_group *g;
	char buf[64];
	size_t n;
	(void)state;

	memset(&h, 0, sizeof(h));
	h.cpus = cpus;
	h.ncpus = ARRAY_LEN(cpus);
	g = text_governors(&h, &n);
	assert_non_null(g);
	assert_int_equal(n, 3);
	assert_string_equal(g[0].governor, "performance");
	assert_string_equal(idset_format(&g[0].cpus, buf, sizeof(buf)), "0,2");
	assert_string_equal(g[1].governor, "");
	assert_string_equal(idset_format(&g[1].cpus, buf, sizeof(buf)), "1,8");
	assert_string_equal(idset_format(&g[2].cpus, buf, sizeof(buf)), "3,9");
	free(g);

	h.ncpus = 0;
	g = text_governors(&h, &n);
	assert_non_null(g);
	assert_int_equal(n, 0);
	free(g);
}

static char *render_findings(const struct finding *f, size_t n, bool color, unsigned width,
			     struct check_counts *c)
{
	struct text_style st = {color, width};
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	text_findings(out, f, n, &st, c);
	fclose(out);
	return buf;
}

static const struct finding findings[] = {
    {"hw-virt", LEVEL_FAIL, "hardware virtualization (VT-x/AMD-V)",
     "without it guests run under emulation, 10 to 50 times slower than on KVM; this "
     "sentence is long enough to wrap",
     "enable VT-x in the firmware setup", "Checking for hardware virtualization"},
    {"kvm-dev", LEVEL_PASS, "/dev/kvm exists", "never shown", "never shown", ""},
    {"thp", LEVEL_WARN, "transparent hugepages are 'always'", "khugepaged stalls guests", "", ""},
    {"numa-balancing", LEVEL_INFO, "automatic NUMA balancing is off", "", "", ""},
    {"long", LEVEL_PASS,
     "a statement so long that it cannot share its line with the dots "
     "and the verdict, so it wraps first and the verdict ends its last line",
     "", "", ""},
};

static void test_findings_text(void **state)
{
	struct check_counts c;
	char *s;
	(void)state;

	s = render_findings(findings, ARRAY_LEN(findings), false, 80, &c);
	assert_fits(s, 79);
	expect_in(
	    s, "  hardware virtualization (VT-x/AMD-V) ................................. : FAIL\n"
	       "      why: without it guests run under emulation, 10 to 50 times slower than on\n"
	       "           KVM; this sentence is long enough to wrap\n"
	       "      fix: enable VT-x in the firmware setup\n");
	expect_in(
	    s, "  /dev/kvm exists ...................................................... : PASS\n"
	       "  transparent hugepages");
	expect_in(
	    s, "  transparent hugepages are 'always' ................................... : WARN\n"
	       "      why: khugepaged stalls guests\n  automatic");
	expect_in(
	    s, "  a statement so long that it cannot share its line with the dots and\n"
	       "  the verdict, so it wraps first and the verdict ends its last line .... : PASS\n");
	expect_in(s, "\n5 checks: 2 pass, 1 warn, 1 fail, 1 info\n");
	assert_null(strstr(s, "never shown"));
	assert_null(strstr(s, "\033["));
	assert_int_equal(c.total, 5);
	assert_int_equal(c.n[LEVEL_FAIL], 1);
	assert_int_equal(c.n[LEVEL_PASS], 2);
	free(s);

	/* every verdict sits at the same column whatever the width */
	s = render_findings(findings, 2, false, 120, NULL);
	expect_in(s, " : FAIL\n");
	assert_int_equal(strchr(s, '\n') - s, 119);
	free(s);

	s = render_findings(findings, 1, true, 80, NULL);
	expect_in(s, " : \033[31mFAIL\033[0m\n");
	expect_in(s, "1 check: 0 pass, 0 warn, \033[31m1 fail\033[0m, 0 info\n");
	free(s);
}

static void test_style(void **state)
{
	struct text_style st;
	FILE *f = tmpfile();
	(void)state;

	assert_non_null(f);
	setenv("TERM", "xterm-256color", 1);
	unsetenv("COLUMNS");
	text_style_init(&st, f);
	assert_false(st.color); /* not a terminal */
	assert_int_equal(st.width, 80);
	setenv("COLUMNS", "132", 1);
	text_style_init(&st, f);
	assert_int_equal(st.width, 132);
	setenv("COLUMNS", "12", 1);
	text_style_init(&st, f);
	assert_int_equal(st.width, TEXT_MIN_WIDTH);
	setenv("COLUMNS", "wide", 1);
	text_style_init(&st, f);
	assert_int_equal(st.width, 80);
	unsetenv("COLUMNS");
	fclose(f);
}

/* Nothing from the host or libvirt reaches the terminal raw: a VM name, a
 * model string and a finding with control characters and bad UTF-8 are
 * shown escaped, each still one line. */
static void test_odd_strings(void **state)
{
	struct host h;
	struct finding f = {"odd", LEVEL_WARN, "vm 'x\x1b[2J' \xe9t\xe9", "a\nb", "", ""};
	char *s;
	(void)state;

	lit_host(&h, 1);
	snprintf(h.topo.model, sizeof(h.topo.model), "Xeon\x1b]0;title\x07 \xff");
	h.vms_known = true;
	h.nvms = 1;
	h.vms = calloc(1, sizeof(*h.vms));
	assert_non_null(h.vms);
	snprintf(h.vms[0].name, sizeof(h.vms[0].name), "a\x1b[31m\nb");
	h.vms[0].pid = -1;
	snprintf(h.vms[0].pid_why, sizeof(h.vms[0].pid_why), "no 'run/a\x1b[31m\nb.pid'");
	s = render_host(&h, 80);
	assert_null(strchr(s, '\033'));
	expect_in(s, "  model             Xeon\\x1b]0;title\\x07 \\xff\n");
	expect_in(s, "  a\\x1b[31m\\nb      0 vCPUs, 0 KiB, QEMU pid unknown");
	expect_in(s, "no 'run/a\\x1b[31m\\nb.pid'");
	free(s);
	host_release(&h);
	s = render_findings(&f, 1, false, 80, NULL);
	assert_null(strchr(s, '\033'));
	expect_in(s, "  vm 'x\\x1b[2J' \\xe9t\\xe9 ...");
	expect_in(s, "      why: a\\nb\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_host_text),	    cmocka_unit_test(test_empty_host_text),
	    cmocka_unit_test(test_governor_groups), cmocka_unit_test(test_findings_text),
	    cmocka_unit_test(test_style),	    cmocka_unit_test(test_odd_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
