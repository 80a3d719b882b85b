/* test_kern.c - kern_probe(): command line, isolation, SMT control, governors, irqbalance */
#include "tests/facts_tu.h"

#include <stdio.h>
#include <string.h>

#define Y TRI_YES
#define N TRI_NO
#define U TRI_UNKNOWN

static void probe_cmdline(const char *cmdline, unsigned ncpus, struct host *h)
{
	struct ft_file f[] = {{"/proc/cmdline", cmdline, NULL}};
	struct err e = ERR_INIT;
	char dir[4096];

	ft_tree(dir, sizeof(dir), f, ARRAY_LEN(f));
	ft_host_init(h);
	if (ncpus)
		ft_cpus(h, ncpus);
	assert_ok(ft_probe1(dir, kern_probe, h, &e), e);
	tu_rmtree(dir);
}

static void test_cmdline_isolation(void **state)
{
	static const char cmdline[] =
	    "BOOT_IMAGE=/vmlinuz-6.1.0 root=/dev/sda1 ro isolcpus=domain,managed_irq,2-5 "
	    "nohz_full=2-5 rcu_nocbs=2-5 intel_iommu=on iommu=pt hugepagesz=1G hugepages=16 "
	    "default_hugepagesz=1G quiet -- isolcpus=7 single\n";
	struct host h;
	char buf[64];
	(void)state;

	probe_cmdline(cmdline, 8, &h);
	assert_true(h.kern.cmdline_known);
	assert_string_equal(
	    h.kern.cmdline,
	    "BOOT_IMAGE=/vmlinuz-6.1.0 root=/dev/sda1 ro isolcpus=domain,managed_irq,2-5 "
	    "nohz_full=2-5 rcu_nocbs=2-5 intel_iommu=on iommu=pt hugepagesz=1G hugepages=16 "
	    "default_hugepagesz=1G quiet -- isolcpus=7 single");
	assert_true(h.kern.isolcpus_given);
	/* what follows "--" is init's, not the kernel's */
	assert_string_equal(idset_format(&h.kern.isolcpus, buf, sizeof(buf)), "2-5");
	assert_string_equal(h.kern.isolcpus_flags, "domain,managed_irq");
	assert_string_equal(h.kern.isolcpus_why, "");
	assert_true(h.kern.nohz_full_given);
	assert_string_equal(idset_format(&h.kern.nohz_full_arg, buf, sizeof(buf)), "2-5");
	assert_true(h.kern.rcu_nocbs_given);
	assert_string_equal(idset_format(&h.kern.rcu_nocbs, buf, sizeof(buf)), "2-5");
	assert_string_equal(h.kern.iommu_opts, "intel_iommu=on iommu=pt");
	assert_string_equal(h.kern.hugepage_opts,
			    "hugepagesz=1G hugepages=16 default_hugepagesz=1G");
	assert_string_equal(h.kern.cmdline_why, "");
	host_release(&h);
}

static void test_cmdline_lists(void **state)
{
	static const struct {
		const char *cmdline;
		unsigned ncpus; /* CPUs known from the topology (0: none) */
		const char *isolcpus, *flags, *nohz, *rcu;
		const char *why; /* part of isolcpus_why or cmdline_why */
	} cases[] = {
	    /* no flags: the kernel's default is domain */
	    {"isolcpus=1,3", 8, "1,3", "", "", "", ""},
	    /* unknown flags are skipped, as the kernel does with a warning */
	    {"isolcpus=nohz,bogus,1-2", 8, "1-2", "nohz", "", "", ""},
	    /* "N" is the last CPU, "all" every CPU, a:b/c a stride (lib/bitmap-str.c) */
	    {"nohz_full=4-N rcu_nocbs=all", 8, "", "", "4-7", "0-7", ""},
	    {"isolcpus=0-7:1/2", 8, "0,2,4,6", "", "", "", ""},
	    {"nohz_full=0-15:2/4", 16, "", "", "0-1,4-5,8-9,12-13", "", ""},
	    /* '-' and '_' are one in parameter names; quotes group */
	    {"rcu-nocbs=1 foo=\"a b\" nohz-full=3", 8, "", "", "3", "1", ""},
	    /* bare rcu_nocbs: offload-capable, nothing offloaded yet */
	    {"rcu_nocbs", 8, "", "", "", "", ""},
	    /* what cannot be read is said, never guessed */
	    {"isolcpus=domain", 8, "", "", "", "", "has no CPU list"},
	    {"nohz_full=abc", 8, "", "", "", "", "invalid CPU list 'abc'"},
	    {"nohz_full=2-N", 0, "", "", "", "", "the number of possible CPUs is unknown"},
	    {"isolcpus=5-2", 8, "", "", "", "", "invalid CPU list '5-2'"},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct host h;
		char b1[64], b2[64], b3[64], why[2 * HOST_WHY_MAX + 2];

		probe_cmdline(cases[i].cmdline, cases[i].ncpus, &h);
		snprintf(why, sizeof(why), "%s|%s", h.kern.isolcpus_why, h.kern.cmdline_why);
		print_message("%s: isolcpus=%s [%s] nohz=%s rcu=%s why=%s\n", cases[i].cmdline,
			      idset_format(&h.kern.isolcpus, b1, sizeof(b1)), h.kern.isolcpus_flags,
			      idset_format(&h.kern.nohz_full_arg, b2, sizeof(b2)),
			      idset_format(&h.kern.rcu_nocbs, b3, sizeof(b3)), why);
		assert_string_equal(b1, cases[i].isolcpus);
		assert_string_equal(h.kern.isolcpus_flags, cases[i].flags);
		assert_string_equal(b2, cases[i].nohz);
		assert_string_equal(b3, cases[i].rcu);
		if (cases[i].why[0])
			assert_contains(why, cases[i].why);
		else
			assert_string_equal(why, "|");
		host_release(&h);
	}
}

static void test_sysfs_isolation(void **state)
{
	static const struct ft_file f[] = {
	    {"/proc/cmdline", "root=/dev/sda1 isolcpus=2-3\n", NULL},
	    {"/sys/devices/system/cpu/isolated", "2-3\n", NULL},
	    /* an empty file is the empty set, known */
	    {"/sys/devices/system/cpu/nohz_full", "\n", NULL},
	    {"/sys/devices/system/cpu/smt/control", "off\n", NULL},
	    {"/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "performance\n", NULL},
	    {"/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor", "performance\n", NULL},
	    {"/sys/devices/system/cpu/cpu2/cpufreq/scaling_governor", "powersave\n", NULL},
	    {"/sys/devices/system/cpu/cpu3/online", "1\n", NULL},
	};
	struct err e = ERR_INIT;
	struct host h;
	char dir[4096], buf[64];
	(void)state;

	ft_tree(dir, sizeof(dir), f, ARRAY_LEN(f));
	ft_host_init(&h);
	ft_cpus(&h, 4);
	assert_ok(ft_probe1(dir, kern_probe, &h, &e), e);
	assert_true(h.kern.isolated_known);
	assert_string_equal(idset_format(&h.kern.isolated, buf, sizeof(buf)), "2-3");
	assert_true(h.kern.nohz_full_known);
	assert_true(idset_empty(&h.kern.nohz_full));
	assert_string_equal(h.kern.smt_control, "off");
	assert_string_equal(h.cpus[0].governor, "performance");
	assert_string_equal(h.cpus[1].governor, "performance");
	assert_string_equal(h.cpus[2].governor, "powersave");
	assert_string_equal(h.cpus[3].governor, "");
	assert_contains(h.kern.governors_why, "1 of 4 CPUs have no cpufreq governor");
	assert_contains(h.kern.governors_why, "cpu3/cpufreq/scaling_governor'");
	/* a capture has no processes to look at */
	assert_int_equal(h.kern.irqbalance, U);
	assert_string_equal(h.kern.irqbalance_why, "not the live host");
	host_release(&h);
	tu_rmtree(dir);
}

static void test_absent(void **state)
{
	static const struct ft_file f[] = {
	    /* CONFIG_NO_HZ_FULL without nohz_full= prints "(null)" on some kernels */
	    {"/sys/devices/system/cpu/nohz_full", "(null)\n", NULL},
	};
	struct err e = ERR_INIT;
	struct host h;
	char dir[4096];
	(void)state;

	ft_tree(dir, sizeof(dir), f, ARRAY_LEN(f));
	ft_host_init(&h);
	ft_cpus(&h, 2);
	assert_ok(ft_probe1(dir, kern_probe, &h, &e), e);
	assert_false(h.kern.cmdline_known);
	assert_contains(h.kern.cmdline_why, "/proc/cmdline'");
	assert_false(h.kern.isolated_known);
	assert_contains(h.kern.isolated_why, "/sys/devices/system/cpu/isolated'");
	assert_true(h.kern.nohz_full_known);
	assert_true(idset_empty(&h.kern.nohz_full));
	assert_string_equal(h.kern.smt_control, "");
	assert_contains(h.kern.smt_why, "smt/control'");
	assert_contains(h.kern.governors_why, "no cpufreq: no '");
	host_release(&h);
	tu_rmtree(dir);
}

static void test_bad_input(void **state)
{
	static const struct {
		struct ft_file f;
		const char *before, *after;
	} cases[] = {
	    {{"/sys/devices/system/cpu/isolated", "2-x\n", NULL},
	     "invalid id list '2-x' in '",
	     "/sys/devices/system/cpu/isolated': Invalid argument"},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct err e = ERR_INIT;
		struct host h;
		char dir[4096], want[4600];

		ft_tree(dir, sizeof(dir), &cases[i].f, 1);
		ft_host_init(&h);
		ft_cpus(&h, 1);
		/* the fact is unknown with the reason; the probe goes on */
		assert_ok(ft_probe1(dir, kern_probe, &h, &e), e);
		snprintf(want, sizeof(want), "%s%s%s", cases[i].before, dir, cases[i].after);
		if (!ft_host_says(&h, want))
			fail_msg("no reason says '%s'", want);
		host_release(&h);
		tu_rmtree(dir);
	}
}

/* A command line longer than the model holds is unknown, not cut. */
static void test_cmdline_too_long(void **state)
{
	static char cmdline[6000];
	struct host h;
	(void)state;

	memset(cmdline, 'a', sizeof(cmdline) - 2);
	cmdline[sizeof(cmdline) - 2] = '\n';
	probe_cmdline(cmdline, 1, &h);
	assert_false(h.kern.cmdline_known);
	assert_string_equal(h.kern.cmdline, "");
	assert_contains(h.kern.cmdline_why, "File too large");
	host_release(&h);
}

/* A directory or FIFO where a file belongs: that fact is unknown, the probe carries on. */
static void test_not_a_file(void **state)
{
	(void)state;
	ft_not_a_file(kern_probe, "/sys/devices/system/cpu/isolated", 1,
		      offsetof(struct host, kern.isolated_why));
	ft_not_a_file(kern_probe, "/proc/cmdline", 1, offsetof(struct host, kern.cmdline_why));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cmdline_isolation), cmocka_unit_test(test_cmdline_lists),
	    cmocka_unit_test(test_sysfs_isolation),   cmocka_unit_test(test_absent),
	    cmocka_unit_test(test_bad_input),	      cmocka_unit_test(test_not_a_file),
	    cmocka_unit_test(test_cmdline_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
