/* test_mem.c - mem_probe(): meminfo, hugepage pools, THP, KSM, NUMA balancing, swappiness */
#include "tests/facts_tu.h"

#include <stdio.h>
#include <string.h>

#define Y TRI_YES
#define N TRI_NO
#define U TRI_UNKNOWN

static const char meminfo[] = "MemTotal:       65536000 kB\n"
			      "MemFree:        40000000 kB\n"
			      "MemAvailable:   50000000 kB\n"
			      "HugePages_Total:     512\n"
			      "HugePages_Free:      500\n"
			      "HugePages_Rsvd:        3\n"
			      "HugePages_Surp:        0\n"
			      "Hugepagesize:       2048 kB\n"
			      "Hugetlb:        5242880 kB\n";

#define POOL(size, f, v)                                                                           \
	{                                                                                          \
		"/sys/kernel/mm/hugepages/hugepages-" #size "kB/" f, v, NULL                       \
	}

static void test_pools_and_knobs(void **state)
{
	static const struct ft_file f[] = {
	    {"/proc/meminfo", meminfo, NULL},
	    /* 1 GiB pages reserved: listed first by readdir or not, kept by size */
	    POOL(1048576, "nr_hugepages", "4\n"),
	    POOL(1048576, "free_hugepages", "3\n"),
	    POOL(1048576, "surplus_hugepages", "0\n"),
	    POOL(1048576, "resv_hugepages", "1\n"),
	    POOL(2048, "nr_hugepages", "512\n"),
	    POOL(2048, "free_hugepages", "500\n"),
	    POOL(2048, "surplus_hugepages", "2\n"),
	    POOL(2048, "resv_hugepages", "3\n"),
	    {"/sys/kernel/mm/hugepages/not-a-pool", NULL, NULL},
	    {"/sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n", NULL},
	    {"/sys/kernel/mm/transparent_hugepage/defrag",
	     "always defer defer+madvise [madvise] never\n", NULL},
	    {"/sys/kernel/mm/ksm/run", "1\n", NULL},
	    {"/proc/sys/kernel/numa_balancing", "0\n", NULL},
	    {"/proc/sys/vm/swappiness", "10\n", NULL},
	};
	struct err e = ERR_INIT;
	struct host h;
	char dir[4096];
	(void)state;

	ft_tree(dir, sizeof(dir), f, ARRAY_LEN(f));
	ft_host_init(&h);
	assert_ok(ft_probe1(dir, mem_probe, &h, &e), e);
	assert_true(h.mem.meminfo_known);
	assert_int_equal(h.mem.total_kib, 65536000);
	assert_int_equal(h.mem.free_kib, 40000000);
	assert_int_equal(h.mem.available_kib, 50000000);
	assert_int_equal(h.mem.default_hugepage_kib, 2048);
	assert_string_equal(h.mem.hugepages_source, "sysfs");
	assert_int_equal(h.mem.npools, 2);
	assert_int_equal(h.mem.pools[0].size_kib, 2048);
	assert_int_equal(h.mem.pools[0].total, 512);
	assert_int_equal(h.mem.pools[0].free, 500);
	assert_int_equal(h.mem.pools[0].surplus, 2);
	assert_int_equal(h.mem.pools[0].reserved, 3);
	assert_int_equal(h.mem.pools[1].size_kib, 1048576);
	assert_int_equal(h.mem.pools[1].total, 4);
	assert_int_equal(h.mem.pools[1].free, 3);
	assert_int_equal(h.mem.pools[1].reserved, 1);
	assert_string_equal(h.mem.hugepages_why, "");
	assert_string_equal(h.mem.thp, "madvise");
	assert_string_equal(h.mem.thp_defrag, "madvise");
	assert_int_equal(h.mem.ksm, Y);
	assert_int_equal(h.mem.numa_balancing, N);
	assert_int_equal(h.mem.swappiness, 10);
	host_release(&h);
	tu_rmtree(dir);
}

static void test_knob_values(void **state)
{
	static const struct {
		const char *thp, *ksm, *numab;
		const char *want_thp;
		enum tri want_ksm, want_numab;
	} cases[] = {
	    {"[always] madvise never\n", "0\n", "1\n", "always", N, Y},
	    {"always madvise [never]\n", "2\n", "2\n", "never", N, Y}, /* 2: unmerge; tiering */
	    {"madvise\n", "1\n", "3\n", "madvise", Y, Y}, /* no brackets: the value itself */
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct ft_file f[] = {
		    {"/sys/kernel/mm/transparent_hugepage/enabled", cases[i].thp, NULL},
		    {"/sys/kernel/mm/ksm/run", cases[i].ksm, NULL},
		    {"/proc/sys/kernel/numa_balancing", cases[i].numab, NULL},
		};
		struct err e = ERR_INIT;
		struct host h;
		char dir[4096];

		ft_tree(dir, sizeof(dir), f, ARRAY_LEN(f));
		ft_host_init(&h);
		assert_ok(ft_probe1(dir, mem_probe, &h, &e), e);
		assert_string_equal(h.mem.thp, cases[i].want_thp);
		assert_int_equal(h.mem.ksm, cases[i].want_ksm);
		assert_int_equal(h.mem.numa_balancing, cases[i].want_numab);
		/* no meminfo here: unknown, and why */
		assert_false(h.mem.meminfo_known);
		assert_contains(h.mem.meminfo_why, "/proc/meminfo'");
		assert_int_equal(h.mem.npools, 0);
		assert_contains(h.mem.hugepages_why, "no HugePages_*");
		assert_contains(h.mem.swappiness_why, "/proc/sys/vm/swappiness'");
		host_release(&h);
		tu_rmtree(dir);
	}
}

/* Without the sysfs pools, the default size comes from meminfo's HugePages_* */
static void test_meminfo_fallback(void **state)
{
	static const struct ft_file f[] = {{"/proc/meminfo", meminfo, NULL}};
	struct err e = ERR_INIT;
	struct host h;
	char dir[4096];
	(void)state;

	ft_tree(dir, sizeof(dir), f, ARRAY_LEN(f));
	ft_host_init(&h);
	assert_ok(ft_probe1(dir, mem_probe, &h, &e), e);
	assert_string_equal(h.mem.hugepages_source, "meminfo");
	assert_int_equal(h.mem.npools, 1);
	assert_int_equal(h.mem.pools[0].size_kib, 2048);
	assert_int_equal(h.mem.pools[0].total, 512);
	assert_int_equal(h.mem.pools[0].free, 500);
	assert_int_equal(h.mem.pools[0].reserved, 3);
	assert_contains(h.mem.hugepages_why, "the default size only");
	assert_string_equal(h.mem.thp, "");
	assert_contains(h.mem.thp_why, "transparent_hugepage/enabled'");
	assert_int_equal(h.mem.ksm, U);
	assert_int_equal(h.mem.numa_balancing, U);
	host_release(&h);
	tu_rmtree(dir);
}

static void test_bad_input(void **state)
{
	static const struct {
		const char *what;
		struct ft_file f;
		const char *before, *after; /* the message around the tree's directory */
	} cases[] = {
	    {"garbage in meminfo",
	     {"/proc/meminfo", "MemTotal:       lots kB\n", NULL},
	     "invalid value 'lots kB' for 'MemTotal' in '",
	     "/proc/meminfo': Invalid argument"},
	    {"a number without its unit",
	     {"/proc/meminfo", "MemTotal: 1024\n", NULL},
	     "invalid value '1024' for 'MemTotal' in '",
	     "/proc/meminfo': Invalid argument"},
	    {"a unit where none belongs",
	     {"/proc/meminfo", "HugePages_Total: 4 kB\n", NULL},
	     "invalid value '4 kB' for 'HugePages_Total' in '",
	     "/proc/meminfo': Invalid argument"},
	    {"non-numeric nr_hugepages",
	     {"/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "many\n", NULL},
	     "invalid number 'many' in '",
	     "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages': "
	     "Invalid argument"},
	    {"swappiness out of range",
	     {"/proc/sys/vm/swappiness", "300\n", NULL},
	     "invalid swappiness 300 in '",
	     "/proc/sys/vm/swappiness'"},
	    {"THP without the closing bracket",
	     {"/sys/kernel/mm/transparent_hugepage/enabled", "always [madvise never\n", NULL},
	     "invalid setting 'always [madvise never' in '",
	     "/sys/kernel/mm/transparent_hugepage/enabled': "
	     "Invalid argument"},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct err e = ERR_INIT;
		struct host h;
		char dir[4096], want[4600];

		ft_tree(dir, sizeof(dir), &cases[i].f, 1);
		ft_host_init(&h);
		print_message("%s\n", cases[i].what);
		/* the fact is unknown with the reason; the probe goes on */
		assert_ok(ft_probe1(dir, mem_probe, &h, &e), e);
		snprintf(want, sizeof(want), "%s%s%s", cases[i].before, dir, cases[i].after);
		if (!ft_host_says(&h, want))
			fail_msg("no reason says '%s'", want);
		host_release(&h);
		tu_rmtree(dir);
	}
}

/* A directory or FIFO where a file belongs: that fact is unknown, the probe carries on. */
static void test_not_a_file(void **state)
{
	(void)state;
	ft_not_a_file(mem_probe, "/proc/meminfo", 0, offsetof(struct host, mem.meminfo_why));
	ft_not_a_file(mem_probe, "/proc/sys/vm/swappiness", 0,
		      offsetof(struct host, mem.swappiness_why));
	ft_not_a_file(mem_probe, "/sys/kernel/mm/transparent_hugepage/enabled", 0,
		      offsetof(struct host, mem.thp_why));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pools_and_knobs),  cmocka_unit_test(test_knob_values),
	    cmocka_unit_test(test_meminfo_fallback), cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_not_a_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
