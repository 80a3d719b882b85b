/* test_sample.c - the sampler: rates on recorded samples, sample_read() on synthetic trees */
#include "tests/testutil.h"
#include "tests/gentree.h"
#include "probe/sample.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A recorded time in seconds, as nanoseconds. */
static uint64_t S(double sec)
{
	return (uint64_t)(sec * 1e9);
}

/* @fmt with its one "%s" replaced by @dir (the messages name the root). */
static void with_dir(char *out, size_t size, const char *fmt, const char *dir)
{
	const char *p = strstr(fmt, "%s");

	if (!p)
		snprintf(out, size, "%s", fmt);
	else
		snprintf(out, size, "%.*s%s%s", (int)(p - fmt), fmt, dir, p + 2);
}

static void assert_rate(double got, double want)
{
	if (want == RATE_UNKNOWN) {
		if (got != RATE_UNKNOWN)
			fail_msg("rate %g, want unknown", got);
		return;
	}
	if (fabs(got - want) > 1e-9)
		fail_msg("rate %g, want %g", got, want);
}

/* ---- rates on literals ---- */

static void test_rates_cpus(void **state)
{
	/* recorded at t=10 s and t=12 s; CPU 1 went offline and CPU 2 came
	 * online in between (hotplug); CPU 3's counters went backwards */
	struct sample_cpu ca[] = {
	    {.id = 0,
	     .busy_jiffies = 1000,
	     .total_jiffies = 5000,
	     .irqs_known = true,
	     .shootdowns = 10,
	     .nic_irqs = 4000000000u},
	    {.id = 1, .busy_jiffies = 10, .total_jiffies = 20, .irqs_known = true},
	    {.id = 3,
	     .busy_jiffies = 900,
	     .total_jiffies = 9000,
	     .irqs_known = true,
	     .shootdowns = 50,
	     .nic_irqs = 7},
	};
	struct sample_cpu cb[] = {
	    {.id = 0,
	     .busy_jiffies = 1050,
	     .total_jiffies = 5200,
	     .irqs_known = true,
	     .shootdowns = 30,
	     .nic_irqs = 4000000100u},
	    {.id = 2,
	     .busy_jiffies = 5,
	     .total_jiffies = 10,
	     .irqs_known = true,
	     .shootdowns = 3,
	     .nic_irqs = 3},
	    /* a 32-bit IRQ count wrapped, the shootdowns did not move */
	    {.id = 3,
	     .busy_jiffies = 880,
	     .total_jiffies = 9100,
	     .irqs_known = true,
	     .shootdowns = 50,
	     .nic_irqs = 2},
	};
	struct sample a = {.ns = S(10),
			   .clk_tck = 100,
			   .ncpus = 3,
			   .cpus = ca,
			   .stat_known = true,
			   .shootdowns_known = true,
			   .nic_irqs_known = true};
	struct sample b = {.ns = S(12),
			   .clk_tck = 100,
			   .ncpus = 3,
			   .cpus = cb,
			   .stat_known = true,
			   .shootdowns_known = true,
			   .nic_irqs_known = true};
	static const struct {
		unsigned id;
		double busy, tlb, irq;
	} want[] = {
	    {0, 25.0, 10.0, 50.0},
	    {2, RATE_UNKNOWN, RATE_UNKNOWN, RATE_UNKNOWN}, /* new CPU: nothing to compare */
	    {3, RATE_UNKNOWN, 0.0, RATE_UNKNOWN},	   /* reset busy, wrapped IRQs */
	};
	struct err e = ERR_INIT;
	struct rates r;
	(void)state;

	assert_ok(sample_rates(&r, &a, &b, &e), e);
	assert_true(r.interval_s == 2.0);
	assert_string_equal(r.why, "");
	assert_int_equal(r.ncpus, ARRAY_LEN(want));
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		assert_int_equal(r.cpus[i].id, want[i].id);
		assert_rate(r.cpus[i].busy_pct, want[i].busy);
		assert_rate(r.cpus[i].shootdowns_per_s, want[i].tlb);
		assert_rate(r.cpus[i].nic_irqs_per_s, want[i].irq);
		/* no perf in either sample */
		assert_rate(r.cpus[i].dtlb_misses_per_s, RATE_UNKNOWN);
	}
	sample_rates_release(&r);

	/* the same samples without TLB row: shootdowns unknown with the reason */
	a.shootdowns_known = b.shootdowns_known = false;
	strcpy(b.shootdowns_why, "no 'TLB' row (x86 only) in '/x/proc/interrupts'");
	cb[0].perf_known = ca[0].perf_known = true;
	ca[0].dtlb_misses = 100;
	cb[0].dtlb_misses = 700;
	ca[0].itlb_misses = 5;
	cb[0].itlb_misses = 3; /* a counter reset: unknown, never negative */
	assert_ok(sample_rates(&r, &a, &b, &e), e);
	assert_false(r.shootdowns_known);
	assert_string_equal(r.shootdowns_why, b.shootdowns_why);
	assert_rate(r.cpus[0].shootdowns_per_s, RATE_UNKNOWN);
	assert_rate(r.cpus[0].nic_irqs_per_s, 50.0);
	assert_rate(r.cpus[0].dtlb_misses_per_s, 300.0);
	assert_rate(r.cpus[0].itlb_misses_per_s, RATE_UNKNOWN);
	sample_rates_release(&r);

	/* a capture without proc/stat: no load, with the reason */
	b.stat_known = false;
	strcpy(b.stat_why, "no '/x/proc/stat'");
	assert_ok(sample_rates(&r, &a, &b, &e), e);
	assert_false(r.busy_known);
	assert_string_equal(r.busy_why, "no '/x/proc/stat'");
	assert_rate(r.cpus[0].busy_pct, RATE_UNKNOWN);
	assert_rate(r.cpus[0].nic_irqs_per_s, 50.0);
	sample_rates_release(&r);
}

static void test_rates_zero_interval(void **state)
{
	struct sample_cpu ca[] = {{.id = 0, .busy_jiffies = 1, .total_jiffies = 2}};
	struct sample_cpu cb[] = {{.id = 0, .busy_jiffies = 5, .total_jiffies = 9}};
	struct sample_thread ta[] = {{.vcpu = 0, .tid = 7, .cpu = 0, .cpu_ticks = 10}};
	struct sample_thread tb[] = {{.vcpu = 0, .tid = 7, .cpu = 0, .cpu_ticks = 20}};
	struct sample_vm va[] = {
	    {.name = "vm", .pid = 5, .running = true, .nthreads = 1, .threads = ta}};
	struct sample_vm vb[] = {
	    {.name = "vm", .pid = 5, .running = true, .nthreads = 1, .threads = tb}};
	static const double times[][2] = {{3, 3}, {4, 3}}; /* equal, backwards */
	struct err e = ERR_INIT;
	(void)state;

	idset_add(&tb[0].allowed, 0);
	for (size_t i = 0; i < ARRAY_LEN(times); i++) {
		struct sample a = {.ns = S(times[i][0]),
				   .clk_tck = 100,
				   .ncpus = 1,
				   .cpus = ca,
				   .stat_known = true,
				   .nvms = 1,
				   .vms = va};
		struct sample b = {.ns = S(times[i][1]),
				   .clk_tck = 100,
				   .ncpus = 1,
				   .cpus = cb,
				   .stat_known = true,
				   .nvms = 1,
				   .vms = vb};
		struct rates r;

		assert_ok(sample_rates(&r, &a, &b, &e), e);
		assert_true(r.interval_s == 0.0);
		assert_string_equal(r.why, "no time between the two samples");
		assert_rate(r.cpus[0].busy_pct, RATE_UNKNOWN);
		assert_int_equal(r.vms[0].nthreads, 1);
		assert_int_equal(r.vms[0].threads[0].cpu, 0);
		assert_rate(r.vms[0].threads[0].cpu_pct, RATE_UNKNOWN);
		assert_false(r.vms[0].threads[0].off_pin);
		sample_rates_release(&r);
	}
}

static void test_rates_threads(void **state)
{
	/* vCPU 1's thread 102 exited and 105 took over (vCPU unplug and plug);
	 * vCPU 0 ran 150 ticks of 200 in 2 s, migrated 6 times, and now sits on
	 * CPU 3 outside its new pin (re-pinned while it slept) */
	struct sample_thread ta[] = {
	    {.vcpu = 0,
	     .tid = 101,
	     .cpu = 3,
	     .cpu_ticks = 1000,
	     .migrations_known = true,
	     .migrations = 40},
	    {.vcpu = 1, .tid = 102, .cpu = 4, .cpu_ticks = 50, .migrations_known = true},
	    {.vcpu = 2,
	     .tid = 103,
	     .cpu = 5,
	     .cpu_ticks = 900,
	     .migrations_known = true,
	     .migrations = 9},
	};
	struct sample_thread tb[] = {
	    {.vcpu = 0,
	     .tid = 101,
	     .cpu = 3,
	     .cpu_ticks = 1150,
	     .migrations_known = true,
	     .migrations = 46},
	    {.vcpu = 1, .tid = 105, .cpu = 4, .cpu_ticks = 2, .migrations_known = true},
	    /* tid 103 re-used by a new thread: its ticks went backwards */
	    {.vcpu = 2, .tid = 103, .cpu = 5, .cpu_ticks = 30, .migrations_known = false},
	};
	struct sample_thread tr[] = {{.vcpu = 0, .tid = 201, .cpu = 0, .cpu_ticks = 10}};
	struct sample_thread tr2[] = {{.vcpu = 0, .tid = 301, .cpu = 1, .cpu_ticks = 20}};
	struct sample_vm va[] = {
	    {.name = "web", .pid = 100, .running = true, .nthreads = 3, .threads = ta},
	    {.name = "db", .pid = 200, .running = true, .nthreads = 1, .threads = tr},
	    {.name = "gone", .pid = 400, .running = true, .nthreads = 1, .threads = tr},
	};
	struct sample_vm vb[] = {
	    {.name = "web", .pid = 100, .running = true, .nthreads = 3, .threads = tb},
	    /* db restarted: a new pid, nothing to compare with */
	    {.name = "db", .pid = 300, .running = true, .nthreads = 1, .threads = tr2},
	    {.name = "gone", .pid = 400, .running = false, .why = "its QEMU process is gone"},
	};
	struct sample a = {.ns = S(1), .clk_tck = 100, .nvms = 3, .vms = va, .vms_known = true};
	struct sample b = {.ns = S(3), .clk_tck = 100, .nvms = 3, .vms = vb, .vms_known = true};
	static const struct {
		int tid;
		double pct, mig;
		bool off;
	} want[] = {
	    {101, 75.0, 3.0, true},
	    {105, RATE_UNKNOWN, RATE_UNKNOWN, false},
	    {103, RATE_UNKNOWN, RATE_UNKNOWN, false},
	};
	struct err e = ERR_INIT;
	struct rates r;
	(void)state;

	idset_add(&tb[0].allowed, 1);
	idset_add(&tb[0].allowed, 2);
	idset_add(&tb[1].allowed, 4);
	idset_add(&tb[2].allowed, 5);
	assert_ok(sample_rates(&r, &a, &b, &e), e);
	assert_true(r.vms_known);
	assert_int_equal(r.nvms, 3);
	assert_string_equal(r.vms[0].name, "web");
	assert_int_equal(r.vms[0].nthreads, ARRAY_LEN(want));
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		const struct rate_thread *t = &r.vms[0].threads[i];

		assert_int_equal(t->tid, want[i].tid);
		assert_rate(t->cpu_pct, want[i].pct);
		assert_rate(t->migrations_per_s, want[i].mig);
		assert_int_equal(t->off_pin, want[i].off);
	}
	assert_true(idset_equal(&r.vms[0].threads[0].allowed, &tb[0].allowed));
	assert_int_equal(r.vms[1].pid, 300);
	assert_int_equal(r.vms[1].threads[0].cpu, 1);
	assert_rate(r.vms[1].threads[0].cpu_pct, RATE_UNKNOWN);
	assert_false(r.vms[2].running);
	assert_int_equal(r.vms[2].nthreads, 0);
	assert_string_equal(r.vms[2].why, "its QEMU process is gone");
	sample_rates_release(&r);
}

static void test_rates_memory(void **state)
{
	unsigned nodes[] = {0, 1, 2};
	uint64_t kib_local[] = {4096, 0, 0}, kib_remote[] = {4096, 2048, 512};
	struct sample_pool pools[] = {{.node = 0, .size_kib = 2048, .total = 8, .free = 3}};
	struct sample_vm vb[] = {
	    {.name = "local",
	     .pid = 1,
	     .running = true,
	     .nodeset_known = true,
	     .mem_known = true,
	     .node_kib = kib_local},
	    {.name = "remote",
	     .pid = 2,
	     .running = true,
	     .nodeset_known = true,
	     .mem_known = true,
	     .node_kib = kib_remote},
	    /* no numatune: nothing is remote by definition, so unknown */
	    {.name = "free", .pid = 3, .running = true, .mem_known = true, .node_kib = kib_remote},
	    {.name = "unread",
	     .pid = 4,
	     .running = true,
	     .nodeset_known = true,
	     .mem_why = "numa_maps not read in this sample"},
	};
	struct sample a = {.ns = S(1)};
	struct sample b = {.ns = S(2),
			   .nnodes = 3,
			   .node_ids = nodes,
			   .npools = 1,
			   .pools = pools,
			   .nvms = 4,
			   .vms = vb};
	static const struct {
		bool known, remote_known, remote;
		uint64_t remote_kib;
	} want[] = {
	    {true, true, false, 0},
	    {true, true, true, 2560},
	    {true, false, false, 0},
	    {false, false, false, 0},
	};
	struct err e = ERR_INIT;
	struct rates r;
	(void)state;

	for (size_t i = 0; i < 4; i++)
		idset_add(&vb[i].nodeset, 0);
	assert_ok(sample_rates(&r, &a, &b, &e), e);
	assert_int_equal(r.npools, 1);
	assert_int_equal(r.pools[0].free, 3);
	assert_int_equal(r.nnodes, 3);
	assert_int_equal(r.node_ids[2], 2);
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		assert_int_equal(r.vms[i].mem_known, want[i].known);
		assert_int_equal(r.vms[i].remote_known, want[i].remote_known);
		assert_int_equal(r.vms[i].remote_mem, want[i].remote);
		assert_int_equal(r.vms[i].remote_kib, want[i].remote_kib);
	}
	assert_int_equal(r.vms[1].node_kib[1], 2048);
	assert_null(r.vms[3].node_kib);
	assert_string_equal(r.vms[3].mem_why, "numa_maps not read in this sample");
	sample_rates_release(&r);
}

/* ---- sample_read() on a synthetic tree ---- */

struct tfile {
	const char *path, *content;
};

static const struct tfile base[] = {
    {"/proc/stat", "cpu  300 0 200 5000 10 0 0 0 0 0\n"
		   "cpu0 100 5 50 2000 10 3 2 1 40 0\n"
		   "cpu1 200 0 150 3000 0 0 0 0 0 0\n"
		   "intr 12345 0 0\n"
		   "ctxt 999\n"},
    {"/proc/interrupts", "           CPU0       CPU1       \n"
			 "  0:         49          0   IO-APIC   2-edge      timer\n"
			 " 40:        100        200   PCI-MSI 524288-edge      eth0-TxRx-0\n"
			 " 41:          1          2   PCI-MSI 524289-edge      eth0-TxRx-1\n"
			 " 42:       5000       5000   PCI-MSI 524290-edge      other\n"
			 "NMI:          0          0   Non-maskable interrupts\n"
			 "TLB:         17         23   TLB shootdowns\n"
			 "ERR:          0\n"},
    {"/sys/devices/system/node/node0/hugepages/hugepages-2048kB/free_hugepages", "6\n"},
    {"/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", "8\n"},
    /* node 1's pool is in the host model but gone from sysfs */
    /* the QEMU process 500: main thread, two vCPUs, an I/O thread */
    {"/proc/500/task/500/comm", "qemu-system-x86\n"},
    {"/proc/500/task/501/comm", "CPU 1/KVM\n"},
    {"/proc/500/task/501/stat",
     "501 (CPU 1/KVM) S 1 500 500 0 -1 4194560 100 0 0 0 70 30 0 0 20 0 4 0 "
     "1000 0 0 18446744073709551615 0 0 0 0 0 0 0 4096 0 0 0 0 -1 1 0 0 0 0 0\n"},
    {"/proc/500/task/501/status", "Name:\tCPU 1/KVM\nCpus_allowed:\t2\nCpus_allowed_list:\t1\n"},
    {"/proc/500/task/501/sched",
     "CPU 1/KVM (501, #threads: 4)\n---------\nse.exec_start  :  1.0\n"
     "se.nr_migrations                             :                   12\n"},
    {"/proc/500/task/502/comm", "CPU 0/KVM\n"},
    /* comm with a ") " inside the parentheses: fields count from the last ')' */
    {"/proc/500/task/502/stat",
     "502 (CPU 0/KVM) x) R 1 500 500 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 4 0 "
     "1000 0 0 18446744073709551615 0 0 0 0 0 0 0 4096 0 0 0 0 -1 0 0 0 0 0 0\n"},
    {"/proc/500/task/502/status", "Name:\tCPU 0/KVM\nCpus_allowed_list:\t0-1\n"},
    /* 502 has no sched file: a kernel without CONFIG_SCHED_DEBUG */
    {"/proc/500/task/503/comm", "IO iothread1\n"},
    {"/proc/500/numa_maps",
     "7f0000000000 default anon=1024 dirty=1024 N0=1000 N1=24 kernelpagesize_kB=4\n"
     "7f4000000000 bind:0 file=/dev/hugepages/libvirt/qemu/x huge dirty=2 N0=2 "
     "kernelpagesize_kB=2048\n"
     "55d000000000 default file=/usr/bin/qemu-system-x86_64 mapped=20 N0=20 "
     "kernelpagesize_kB=4\n"
     "7ffc00000000 default stack anon=3 dirty=3 N1=3 kernelpagesize_kB=4\n"
     "7ffd00000000 default\n"},
};

static void write_tree(char *dir, size_t size, const struct tfile *f, size_t n)
{
	struct err e = ERR_INIT;

	tu_tmpdir(dir, size);
	for (size_t i = 0; i < n; i++)
		assert_ok(gentree_file(dir, f[i].path, f[i].content, &e), e);
}

/* Two CPUs, nodes 0 and 1 each with a 2 MiB pool, eth0 with IRQs 40-41,
 * VM "vm0" (QEMU pid 500, numatune nodeset 0) and VM "off" without a pid. */
static void host_init(struct host *h)
{
	struct err e = ERR_INIT;

	memset(h, 0, sizeof(*h));
	h->ncpus = 2;
	h->cpus = calloc(2, sizeof(*h->cpus));
	h->nnodes = 2;
	h->nodes = calloc(2, sizeof(*h->nodes));
	h->virt.nnics = 1;
	h->virt.nics = calloc(1, sizeof(*h->virt.nics));
	h->nvms = 2;
	h->vms = calloc(2, sizeof(*h->vms));
	assert_true(h->cpus && h->nodes && h->virt.nics && h->vms);
	for (unsigned i = 0; i < 2; i++) {
		h->cpus[i].id = i;
		h->nodes[i].id = i;
		h->nodes[i].npools = 1;
		h->nodes[i].pools[0].size_kib = 2048;
	}
	strcpy(h->virt.nics[0].name, "eth0");
	assert_ok(idset_parse(&h->virt.nics[0].irqs, "40-41", &e), e);
	h->vms_known = true;
	strcpy(h->vms[0].name, "vm0");
	h->vms[0].pid = 500;
	strcpy(h->vms[0].numa_nodeset, "0");
	strcpy(h->vms[1].name, "off");
	h->vms[1].pid = -1;
	strcpy(h->vms[1].pid_why, "domain 'off' has no QEMU pid");
}

static void host_free(struct host *h)
{
	free(h->cpus);
	free(h->nodes);
	free(h->virt.nics);
	free(h->vms);
}

static void read_at(const char *dir, struct sample *s, const struct host *h, uint64_t ns)
{
	struct fsroot r = FSROOT_INIT;
	struct err e = ERR_INIT;

	assert_ok(fsroot_open(&r, dir, &e), e);
	assert_ok(sample_read(s, &r, h, ns, &e), e);
	fsroot_close(&r);
}

static void test_read_tree(void **state)
{
	struct fsroot r = FSROOT_INIT;
	struct err e = ERR_INIT;
	struct sample s;
	struct host h;
	char dir[4096], buf[64];
	(void)state;

	write_tree(dir, sizeof(dir), base, ARRAY_LEN(base));
	host_init(&h);
	read_at(dir, &s, &h, S(7));
	assert_true(s.ns == S(7));
	assert_true(s.clk_tck > 0);
	assert_int_equal(s.ncpus, 2);
	assert_true(s.stat_known);
	/* busy = user nice system irq softirq steal; guest (40) is inside user */
	assert_int_equal(s.cpus[0].busy_jiffies, 100 + 5 + 50 + 3 + 2 + 1);
	assert_int_equal(s.cpus[0].total_jiffies, 161 + 2000 + 10);
	assert_int_equal(s.cpus[1].total_jiffies, 3350);
	assert_true(s.shootdowns_known);
	assert_true(s.cpus[0].irqs_known);
	assert_int_equal(s.cpus[0].shootdowns, 17);
	assert_int_equal(s.cpus[1].shootdowns, 23);
	assert_true(s.nic_irqs_known);
	assert_int_equal(s.cpus[0].nic_irqs, 101);
	assert_int_equal(s.cpus[1].nic_irqs, 202);
	assert_false(s.perf_known);
	/* node 1's pool is gone from sysfs: only node 0's */
	assert_int_equal(s.npools, 1);
	assert_int_equal(s.pools[0].node, 0);
	assert_int_equal(s.pools[0].free, 6);
	assert_int_equal(s.pools[0].total, 8);
	assert_int_equal(s.nnodes, 2);
	assert_true(s.vms_known);
	assert_int_equal(s.nvms, 2);
	assert_true(s.vms[0].running);
	assert_int_equal(s.vms[0].nthreads, 2);
	assert_int_equal(s.vms[0].threads[0].vcpu, 0);
	assert_int_equal(s.vms[0].threads[0].tid, 502);
	assert_int_equal(s.vms[0].threads[0].cpu, 0);
	assert_int_equal(s.vms[0].threads[0].cpu_ticks, 11);
	assert_false(s.vms[0].threads[0].migrations_known);
	assert_string_equal(idset_format(&s.vms[0].threads[0].allowed, buf, sizeof(buf)), "0-1");
	assert_int_equal(s.vms[0].threads[1].vcpu, 1);
	assert_int_equal(s.vms[0].threads[1].tid, 501);
	assert_int_equal(s.vms[0].threads[1].cpu, 1);
	assert_int_equal(s.vms[0].threads[1].cpu_ticks, 100);
	assert_true(s.vms[0].threads[1].migrations_known);
	assert_int_equal(s.vms[0].threads[1].migrations, 12);
	assert_true(s.vms[0].nodeset_known);
	assert_false(s.vms[0].mem_known);
	assert_false(s.vms[1].running);
	assert_string_equal(s.vms[1].why, "domain 'off' has no QEMU pid");

	/* numa_maps on demand: pages times their page size, per node */
	assert_ok(fsroot_open(&r, dir, &e), e);
	assert_ok(sample_read_numa(&s, &r, &e), e);
	fsroot_close(&r);
	assert_true(s.vms[0].mem_known);
	assert_true(s.vms[0].mem_ns == S(7));
	assert_int_equal(s.vms[0].node_kib[0], 1000 * 4 + 2 * 2048 + 20 * 4);
	assert_int_equal(s.vms[0].node_kib[1], 24 * 4 + 3 * 4);
	assert_false(s.vms[1].mem_known);

	/* the next sample carries the reading over; a restarted VM does not */
	{
		struct sample s2;

		read_at(dir, &s2, &h, S(8));
		assert_false(s2.vms[0].mem_known);
		assert_ok(sample_keep_numa(&s2, &s, &e), e);
		assert_true(s2.vms[0].mem_known);
		assert_true(s2.vms[0].mem_ns == S(7));
		assert_int_equal(s2.vms[0].node_kib[1], 108);
		sample_release(&s2);
		h.vms[0].pid = 500;
		s.vms[0].pid = 499;
		read_at(dir, &s2, &h, S(9));
		assert_ok(sample_keep_numa(&s2, &s, &e), e);
		assert_false(s2.vms[0].mem_known);
		sample_release(&s2);
	}
	sample_release(&s);
	sample_release(&s); /* safe twice */
	host_free(&h);
	tu_rmtree(dir);
}

/* Two reads of a tree whose counters move in between: the rates end to end. */
static void test_read_then_rates(void **state)
{
	static const struct tfile later[] = {
	    {"/proc/stat", "cpu0 150 5 100 2090 10 3 2 1 40 0\n"
			   "cpu1 200 0 150 3100 0 0 0 0 0 0\n"},
	    {"/proc/interrupts",
	     "           CPU0       CPU1       \n"
	     " 40:        150        200   PCI-MSI 524288-edge      eth0-TxRx-0\n"
	     " 41:          1          2   PCI-MSI 524289-edge      eth0-TxRx-1\n"
	     "TLB:         27         23   TLB shootdowns\n"},
	    {"/proc/500/task/501/stat",
	     "501 (CPU 1/KVM) S 1 500 500 0 -1 4194560 100 0 0 0 100 50 0 0 20 0 4 0 "
	     "1000 0 0 18446744073709551615 0 0 0 0 0 0 0 4096 0 0 0 0 -1 0 0 0 0 0 0\n"},
	    {"/proc/500/task/501/sched", "se.nr_migrations : 14\n"},
	};
	struct err e = ERR_INIT;
	struct sample a, b;
	struct rates r;
	struct host h;
	char dir[4096];
	(void)state;

	write_tree(dir, sizeof(dir), base, ARRAY_LEN(base));
	host_init(&h);
	read_at(dir, &a, &h, S(100));
	for (size_t i = 0; i < ARRAY_LEN(later); i++)
		assert_ok(gentree_file(dir, later[i].path, later[i].content, &e), e);
	read_at(dir, &b, &h, S(100.5));
	assert_ok(sample_rates(&r, &a, &b, &e), e);
	assert_true(r.interval_s == 0.5);
	assert_rate(r.cpus[0].busy_pct, 100.0 * 100 / 190);
	assert_rate(r.cpus[1].busy_pct, 0.0);
	assert_rate(r.cpus[0].shootdowns_per_s, 20.0);
	assert_rate(r.cpus[0].nic_irqs_per_s, 100.0);
	assert_rate(r.cpus[1].nic_irqs_per_s, 0.0);
	assert_int_equal(r.vms[0].nthreads, 2);
	/* 50 ticks in 0.5 s at USER_HZ */
	assert_rate(r.vms[0].threads[1].cpu_pct, 50.0 * 100.0 / (double)b.clk_tck / 0.5);
	assert_rate(r.vms[0].threads[1].migrations_per_s, 4.0);
	/* it last ran on CPU 0 but may only run on CPU 1: off its pin */
	assert_int_equal(r.vms[0].threads[1].cpu, 0);
	assert_true(r.vms[0].threads[1].off_pin);
	assert_false(r.vms[0].threads[0].off_pin);
	assert_rate(r.vms[0].threads[0].cpu_pct, 0.0);
	sample_rates_release(&r);
	sample_release(&a);
	sample_release(&b);
	host_free(&h);
	tu_rmtree(dir);
}

/* What a kernel lacks is unknown with its reason; garbage is an error. */
static void test_read_absent_and_bad(void **state)
{
	static const struct {
		const char *path, *content; /* replaces the base file; NULL content = none */
		const char *err;	    /* expected error, or NULL */
	} cases[] = {
	    {"/proc/interrupts", NULL, NULL},
	    {"/proc/interrupts", "  CPU0 CPU1\n 40: 1 2 PCI-MSI eth0\n", NULL},
	    {"/proc/interrupts", "garbage\n", "invalid header line in '%s/proc/interrupts'"},
	    {"/proc/interrupts", "  CPU0 CPU1\nTLB: 1 2x\n",
	     "invalid count in '%s/proc/interrupts'"},
	    {"/proc/stat", "cpu0 1 2\n", "invalid 'cpu0' line in '%s/proc/stat'"},
	    {"/proc/stat", "intr 1\n", "no 'cpuN' lines in '%s/proc/stat'"},
	    /* no proc/stat (a partial capture): the host's CPUs without load */
	    {"/proc/stat", NULL, NULL},
	    {"/proc/500/task/501/stat", "501 (CPU 1/KVM) S 1 2\n",
	     "invalid '%s/proc/500/task/501/stat'"},
	    {"/proc/500/task/501/status", "Cpus_allowed_list:\t1-x\n",
	     "'%s/proc/500/task/501/status': invalid id list '1-x'"},
	    {"/proc/500/task/501/sched", "se.nr_migrations : many\n",
	     "invalid se.nr_migrations in '%s/proc/500/task/501/sched'"},
	    /* the process is gone: kept, not running, with the reason */
	    {"/proc/500", NULL, NULL},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct fsroot r = FSROOT_INIT;
		struct err e = ERR_INIT;
		struct sample s;
		struct host h;
		char dir[4096], cmd[8300], want[8300];
		int rc;

		write_tree(dir, sizeof(dir), base, ARRAY_LEN(base));
		snprintf(cmd, sizeof(cmd), "rm -rf '%s%s'", dir, cases[i].path);
		if (!cases[i].content)
			assert_int_equal(system(cmd), 0);
		else
			assert_ok(gentree_file(dir, cases[i].path, cases[i].content, &e), e);
		host_init(&h);
		assert_ok(fsroot_open(&r, dir, &e), e);
		rc = sample_read(&s, &r, &h, 1, &e);
		fsroot_close(&r);
		if (cases[i].err) {
			with_dir(want, sizeof(want), cases[i].err, dir);
			assert_int_equal(rc, -1);
			assert_string_equal(e.msg, want);
			assert_int_equal(s.ncpus, 0);
			assert_null(s.vms);
		} else {
			assert_ok(rc, e);
			if (i == 0) {
				snprintf(want, sizeof(want), "no '%s/proc/interrupts'", dir);
				assert_false(s.shootdowns_known);
				assert_string_equal(s.shootdowns_why, want);
				assert_false(s.nic_irqs_known);
				assert_false(s.cpus[0].irqs_known);
			} else if (strcmp(cases[i].path, "/proc/stat") == 0) {
				snprintf(want, sizeof(want), "no '%s/proc/stat'", dir);
				assert_false(s.stat_known);
				assert_string_equal(s.stat_why, want);
				assert_int_equal(s.ncpus, 2);
				assert_int_equal(s.cpus[1].id, 1);
				assert_int_equal(s.cpus[1].shootdowns, 23);
			} else if (i == 1) {
				snprintf(want, sizeof(want),
					 "no 'TLB' row (x86 only) in '%s/proc/interrupts'", dir);
				assert_false(s.shootdowns_known);
				assert_string_equal(s.shootdowns_why, want);
				assert_true(s.nic_irqs_known);
				assert_int_equal(s.cpus[1].nic_irqs, 2);
			} else {
				assert_false(s.vms[0].running);
				assert_int_equal(s.vms[0].nthreads, 0);
				assert_string_equal(s.vms[0].why, "its QEMU process is gone");
			}
		}
		sample_release(&s);
		host_free(&h);
		tu_rmtree(dir);
	}
}

static void test_perf_capture(void **state)
{
	struct fsroot r = FSROOT_INIT;
	struct err e = ERR_INIT;
	struct sample_perf p;
	struct sample s;
	struct host h;
	char dir[4096];
	(void)state;

	write_tree(dir, sizeof(dir), base, ARRAY_LEN(base));
	host_init(&h);
	assert_ok(fsroot_open(&r, dir, &e), e);
	assert_ok(sample_perf_open(&p, &r, &h, &e), e);
	assert_false(p.known);
	assert_string_equal(p.why, "not the live host");
	assert_ok(sample_read(&s, &r, &h, 1, &e), e);
	assert_ok(sample_read_perf(&s, &p, &e), e);
	assert_false(s.perf_known);
	assert_string_equal(s.perf_why, "not the live host");
	sample_perf_close(&p);
	sample_perf_close(&p);
	sample_release(&s);
	fsroot_close(&r);
	host_free(&h);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rates_cpus),		cmocka_unit_test(test_rates_zero_interval),
	    cmocka_unit_test(test_rates_threads),	cmocka_unit_test(test_rates_memory),
	    cmocka_unit_test(test_read_tree),		cmocka_unit_test(test_read_then_rates),
	    cmocka_unit_test(test_read_absent_and_bad), cmocka_unit_test(test_perf_capture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
