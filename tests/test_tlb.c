/* test_tlb.c - tlb_probe(): shootdowns, nr_tlb_* counters, geometry (CPUID, cpuinfo, device tree)
 */
#include "tests/facts_tu.h"

#include <stdio.h>
#include <string.h>

static const char interrupts[] =
    "           CPU0       CPU1       CPU4       CPU5       \n"
    "  0:         49          0          0          0   IO-APIC   2-edge      timer\n"
    "NMI:          0          0          0          0   Non-maskable interrupts\n"
    "LOC:      10196       7429       8542       8229   Local timer interrupts\n"
    "TLB:        212        137     100000 18446744073709551615   TLB shootdowns\n"
    "ERR:          0\n"
    "MIS:          0\n";

static void probe_files(const struct ft_file *f, size_t n, struct host *h, char *dir, size_t size)
{
	struct err e = ERR_INIT;

	ft_tree(dir, size, f, n);
	ft_host_init(h);
	assert_ok(ft_probe1(dir, tlb_probe, h, &e), e);
}

static void test_shootdowns(void **state)
{
	static const struct ft_file f[] = {{"/proc/interrupts", interrupts, NULL}};
	static const unsigned cpus[] = {0, 1, 4, 5};
	static const uint64_t counts[] = {212, 137, 100000, UINT64_MAX};
	struct host h;
	char dir[4096];
	(void)state;

	probe_files(f, ARRAY_LEN(f), &h, dir, sizeof(dir));
	assert_true(h.tlb.shootdowns_known);
	/* offline CPUs have no column: the header names each column's CPU */
	assert_int_equal(h.tlb.nshootdowns, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(h.tlb.shootdown_cpus[i], cpus[i]);
		assert_true(h.tlb.shootdowns[i] == counts[i]);
	}
	assert_string_equal(h.tlb.shootdowns_why, "");
	assert_int_equal(h.tlb.perf, TRI_UNKNOWN);
	assert_string_equal(h.tlb.perf_why, "not the live host");
	host_release(&h);
	tu_rmtree(dir);
}

static void test_shootdowns_partial_and_absent(void **state)
{
	static const struct {
		const char *text;
		bool known;
		size_t n;
		const char *why;
	} cases[] = {
	    /* fewer counts than CPUs: each count stays under its own CPU */
	    {"   CPU0 CPU1 CPU2 CPU3\nTLB: 5 6\n", true, 2, ""},
	    {"   CPU0 CPU1\nTLB:   TLB shootdowns\n", false, 0, "no counts in the TLB row of"},
	    /* arm64 and POWER have no TLB row */
	    {"   CPU0 CPU1\n 11:  100  200  GICv3  27 Level  arch_timer\nIPI0: 1 2 Rescheduling "
	     "interrupts\n",
	     false, 0, "no 'TLB' row (x86 only) in"},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct ft_file f[] = {{"/proc/interrupts", cases[i].text, NULL}};
		struct host h;
		char dir[4096];

		probe_files(f, ARRAY_LEN(f), &h, dir, sizeof(dir));
		assert_int_equal(h.tlb.shootdowns_known, cases[i].known);
		assert_int_equal(h.tlb.nshootdowns, cases[i].n);
		if (cases[i].why[0])
			assert_contains(h.tlb.shootdowns_why, cases[i].why);
		if (cases[i].n) {
			assert_int_equal(h.tlb.shootdown_cpus[1], 1);
			assert_int_equal(h.tlb.shootdowns[1], 6);
		}
		host_release(&h);
		tu_rmtree(dir);
	}
}

static void test_vmstat(void **state)
{
	static const struct ft_file f[] = {
	    {"/proc/vmstat",
	     "nr_free_pages 100\nnr_tlb_remote_flush 11\n"
	     "nr_tlb_remote_flush_received 22\nnr_tlb_local_flush_all 33\n"
	     "nr_tlb_local_flush_one 44\npgfault 5\n",
	     NULL},
	};
	static const struct ft_file g[] = {
	    {"/proc/vmstat", "nr_free_pages 100\npgfault 5\n", NULL}};
	struct host h;
	char dir[4096];
	(void)state;

	probe_files(f, ARRAY_LEN(f), &h, dir, sizeof(dir));
	assert_true(h.tlb.vmstat_known);
	assert_int_equal(h.tlb.nr_tlb_remote_flush, 11);
	assert_int_equal(h.tlb.nr_tlb_remote_flush_received, 22);
	assert_int_equal(h.tlb.nr_tlb_local_flush_all, 33);
	assert_int_equal(h.tlb.nr_tlb_local_flush_one, 44);
	/* no interrupts file: unknown, with the reason */
	assert_false(h.tlb.shootdowns_known);
	assert_contains(h.tlb.shootdowns_why, "/proc/interrupts'");
	host_release(&h);
	tu_rmtree(dir);

	probe_files(g, ARRAY_LEN(g), &h, dir, sizeof(dir));
	assert_false(h.tlb.vmstat_known);
	assert_contains(h.tlb.vmstat_why, "the kernel lacks CONFIG_DEBUG_TLBFLUSH");
	host_release(&h);
	tu_rmtree(dir);
}

static void test_geometry_sources(void **state)
{
	/* POWER's Open Firmware cells: 32-bit big-endian */
	static const struct ft_file dt[] = {
	    {"/proc/device-tree/cpus/#size-cells", "\0\0\0\0", NULL},
	    {"/proc/device-tree/cpus/PowerPC,POWER9@0/d-tlb-size", "\0\0\x04\0", NULL},
	    {"/proc/device-tree/cpus/PowerPC,POWER9@0/d-tlb-sets", "\0\0\0\x04", NULL},
	    {"/proc/device-tree/cpus/PowerPC,POWER9@0/i-tlb-size", "\0\0\0\x40", NULL},
	    {"/proc/device-tree/cpus/PowerPC,POWER9@0/i-tlb-sets", "\0\0\0\x01", NULL},
	};
	static const ft_part parts[] = {virt_probe, tlb_probe};
	static const struct ft_file amd[] = {
	    {"/proc/cpuinfo",
	     "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu lm svm\n"
	     "TLB size\t: 3072 4K pages\n\n",
	     NULL},
	};
	struct err e = ERR_INIT;
	struct host h;
	char dir[4096];
	(void)state;

	/* gentree_file() writes C strings: the cells need raw bytes */
	tu_tmpdir(dir, sizeof(dir));
	for (size_t i = 0; i < ARRAY_LEN(dt); i++) {
		char path[4300];
		FILE *f;

		assert_ok(gentree_file(dir, dt[i].path, "", &e), e);
		snprintf(path, sizeof(path), "%s%s", dir, dt[i].path);
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(dt[i].content, 1, 4, f), 4);
		fclose(f);
	}
	ft_host_init(&h);
	assert_ok(ft_probe1(dir, tlb_probe, &h, &e), e);
	assert_string_equal(h.tlb.geometry,
			    "d-TLB 1024 entries 4 sets; i-TLB 64 entries 1 sets (per core)");
	assert_string_equal(h.tlb.geometry_source, "device-tree");
	host_release(&h);
	tu_rmtree(dir);

	ft_tree(dir, sizeof(dir), amd, ARRAY_LEN(amd));
	ft_host_init(&h);
	assert_ok(ft_probe(dir, parts, ARRAY_LEN(parts), &h, &e), e);
	assert_string_equal(h.tlb.geometry, "3072 4K pages");
	assert_string_equal(h.tlb.geometry_source, "cpuinfo");
	host_release(&h);
	tu_rmtree(dir);
}

/* A CPUID leaf table for the replay. */
struct leaf {
	uint32_t leaf, sub, regs[4];
};

struct leaves {
	size_t n;
	struct leaf e[16];
};

static bool replay(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	const struct leaves *l = ctx;

	for (size_t i = 0; i < l->n; i++)
		if (l->e[i].leaf == leaf && l->e[i].sub == subleaf) {
			memcpy(regs, l->e[i].regs, sizeof(l->e[i].regs));
			return true;
		}
	return false;
}

#define INTEL 0x756e6547, 0x6c65746e, 0x49656e69 /* ebx, ecx, edx of "GenuineIntel" */

/*
 * Leaf 0x18 as the Intel SDM defines it: EBX[3:0] page sizes (4K, 2M, 4M,
 * 1G), EBX[31:16] ways, ECX sets, EDX[4:0] type (1 data, 2 instruction,
 * 3 unified, 4 load, 5 store), EDX[7:5] level, EDX[8] fully associative.
 */
static void test_cpuid_intel_leaf18(void **state)
{
	struct leaves l = {
	    6,
	    {
		{0, 0, {0x20, INTEL}},
		{0x18, 0, {4, 0x00040001, 16, 0x21}},  /* L1 data, 4K, 4 ways x 16 sets */
		{0x18, 1, {0, 0x00080001, 16, 0x22}},  /* L1 instruction, 4K, 8 x 16 */
		{0x18, 2, {0, 0x00100007, 128, 0x43}}, /* L2 unified, 4K+2M+4M, 16 x 128 */
		{0x18, 3, {0, 0x00000000, 0, 0x00}},   /* invalid: skipped */
		{0x18, 4, {0, 0x00080008, 1, 0x121}},  /* L1 data, 1G, 8 entries, full */
	    }};
	struct leaves old = {1, {{0, 0, {0x0b, INTEL}}}}; /* max leaf 0xb */
	char out[256], why[HOST_WHY_MAX];
	(void)state;

	tlb_cpuid_geometry(replay, &l, out, sizeof(out), why, sizeof(why));
	assert_string_equal(out, "L1d 4K 64 4-way; L1i 4K 128 8-way; L2 4K+2M+4M 2048 16-way; "
				 "L1d 1G 8 full");
	assert_string_equal(why, "");

	tlb_cpuid_geometry(replay, &old, out, sizeof(out), why, sizeof(why));
	assert_string_equal(out, "");
	assert_string_equal(
	    why, "CPUID leaf 0x18 reports no TLB (GenuineIntel; a hypervisor may hide it)");
}

static void test_cpuid_amd_without_leaves(void **state)
{
	/* "AuthenticAMD" = ebx "Auth", edx "enti", ecx "cAMD" */
	struct leaves l = {2,
			   {
			       {0, 0, {0x0d, 0x68747541, 0x444d4163, 0x69746e65}},
			       {0x80000000, 0, {0x80000004, 0, 0, 0}},
			   }};
	char out[64], why[HOST_WHY_MAX];
	(void)state;

	tlb_cpuid_geometry(replay, &l, out, sizeof(out), why, sizeof(why));
	assert_string_equal(out, "");
	assert_string_equal(why, "CPUID leaves 0x80000005/6 report no TLB");
}

/* More TLBs than the text holds: cut at an entry, marked. */
static void test_cpuid_too_many(void **state)
{
	struct leaves l = {1, {{0, 0, {0x20, INTEL}}}};
	char out[64], why[HOST_WHY_MAX];
	(void)state;

	l.e[l.n++] = (struct leaf){0x18, 0, {8, 0x00040001, 16, 0x21}};
	for (uint32_t s = 1; s <= 8; s++)
		l.e[l.n++] = (struct leaf){0x18, s, {0, 0x00040001, 16, 0x21}};
	tlb_cpuid_geometry(replay, &l, out, sizeof(out), why, sizeof(why));
	assert_string_equal(out, "L1d 4K 64 4-way; L1d 4K 64 4-way; L1d 4K 64 4-way; ...");
}

static void test_bad_input(void **state)
{
	static const struct {
		struct ft_file f;
		const char *before, *after;
	} cases[] = {
	    {{"/proc/interrupts", "garbage here\nTLB: 1\n", NULL},
	     "invalid header line in '",
	     "/proc/interrupts': Invalid argument"},
	    {{"/proc/interrupts", "", NULL}, "empty '", "/proc/interrupts': Invalid argument"},
	    {{"/proc/interrupts", "  CPU0 CPU1\nTLB: 12x 3\n", NULL},
	     "invalid count in the TLB row of '",
	     "/proc/interrupts': Invalid argument"},
	    {{"/proc/vmstat", "nr_tlb_remote_flush many\n", NULL},
	     "invalid value for 'nr_tlb_remote_flush' in '",
	     "/proc/vmstat': Invalid argument"},
	    /* a core whose cells cannot be read is skipped: no geometry */
	    {{"/proc/device-tree/cpus/PowerPC,POWER9@0/d-tlb-size", "abc", NULL}, NULL, NULL},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct err e = ERR_INIT;
		struct host h;
		char dir[4096], want[4600];

		ft_tree(dir, sizeof(dir), &cases[i].f, 1);
		ft_host_init(&h);
		/* the fact is unknown with the reason; the probe goes on */
		assert_ok(ft_probe1(dir, tlb_probe, &h, &e), e);
		snprintf(want, sizeof(want), "%s%s%s", cases[i].before, dir, cases[i].after);
		if (!cases[i].before)
			assert_string_equal(h.tlb.geometry, "");
		else if (!ft_host_says(&h, want))
			fail_msg("no reason says '%s'", want);
		host_release(&h);
		tu_rmtree(dir);
	}
}

/* A directory or FIFO where a file belongs: that fact is unknown, the probe carries on. */
static void test_not_a_file(void **state)
{
	(void)state;
	ft_not_a_file(tlb_probe, "/proc/interrupts", 0, offsetof(struct host, tlb.shootdowns_why));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shootdowns),
	    cmocka_unit_test(test_shootdowns_partial_and_absent),
	    cmocka_unit_test(test_vmstat),
	    cmocka_unit_test(test_geometry_sources),
	    cmocka_unit_test(test_cpuid_intel_leaf18),
	    cmocka_unit_test(test_cpuid_amd_without_leaves),
	    cmocka_unit_test(test_cpuid_too_many),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_not_a_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
