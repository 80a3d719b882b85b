/* sample.h - the live sampler: counters read at one instant, rates from two samples
 *
 * A struct sample is plain data read by sample_read() at the time the caller
 * passes in (no clock is read here: the TUI and `hvtune monitor` own the
 * clock, and tests pass recorded times).  sample_rates() is a pure function
 * of two samples: no I/O, no clock, the same answer for the same input.
 *
 * What is read per sample, and its cost:
 * - proc/stat: busy and total jiffies per CPU (one read);
 * - proc/interrupts, read once: the "TLB" row (x86) and the rows of the NIC
 *   queue IRQs (h->virt.nics[].irqs), per CPU column;
 * - sys/devices/system/node/nodeN/hugepages/ * /free_hugepages (and total);
 * - per running VM of h->vms: proc/PID/task/ * /comm to find the vCPU threads
 *   ("CPU n/KVM", "CPU n/TCG"; threads come and go with vCPU hotplug), and of
 *   each vCPU thread stat (utime, stime, last CPU), status
 *   (Cpus_allowed_list) and sched (se.nr_migrations, CONFIG_SCHED_DEBUG only).
 * Not per sample: proc/PID/numa_maps walks every mapping of the guest (tens of
 * milliseconds for a big guest), so it is read by sample_read_numa() when the
 * caller asks (`hvtune monitor` every SAMPLE_NUMA_EVERY samples) and carried
 * over to the next samples with sample_keep_numa().  perf counters are read by
 * sample_read_perf() from a struct sample_perf the caller keeps open.
 */
#ifndef HVTUNE_SAMPLE_H
#define HVTUNE_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/err.h"
#include "probe/fsroot.h"
#include "probe/host.h"
#include "probe/idset.h"

/* `hvtune monitor` reads numa_maps at the first sample and every this many. */
#define SAMPLE_NUMA_EVERY 10

/* One online CPU: a "cpuN" line of proc/stat and its proc/interrupts column. */
struct sample_cpu {
	unsigned id;
	uint64_t busy_jiffies;	/* user nice system irq softirq steal (guest is inside user) */
	uint64_t total_jiffies; /* busy + idle + iowait */
	bool irqs_known;	/* the CPU has a column in proc/interrupts */
	uint64_t shootdowns;	/* "TLB" row (valid when s->shootdowns_known && irqs_known) */
	uint64_t nic_irqs;	/* sum of the NIC queue IRQ rows (valid when s->nic_irqs_known &&
				   irqs_known) */
	bool perf_known;	/* the dTLB/iTLB counters of this CPU were read */
	uint64_t dtlb_misses;	/* dTLB read misses, system-wide on this CPU */
	uint64_t itlb_misses;	/* iTLB read misses */
};

/* One hugepage pool of one node: free pages now. */
struct sample_pool {
	unsigned node;
	uint64_t size_kib;
	uint64_t total;
	uint64_t free;
};

/* One vCPU thread of a QEMU process. */
struct sample_thread {
	unsigned vcpu; /* n of "CPU n/KVM" */
	int tid;
	int cpu;	       /* CPU it last ran on (stat field 39), -1 unknown */
	struct idset allowed;  /* Cpus_allowed_list: the pin as the kernel holds it now */
	uint64_t cpu_ticks;    /* utime + stime, in clock ticks (s->clk_tck per second) */
	bool migrations_known; /* proc/PID/task/TID/sched was read */
	uint64_t migrations;   /* se.nr_migrations */
};

/* One running VM of h->vms. */
struct sample_vm {
	char name[64];
	int pid;		/* QEMU pid (from h), -1 unknown */
	bool running;		/* proc/PID/task was read */
	char why[HOST_WHY_MAX]; /* why there are no threads: pid unknown, process gone */
	size_t nthreads;
	struct sample_thread *threads; /* vCPU threads by vCPU, then tid (heap, owned) */
	bool nodeset_known;	       /* the domain has a <numatune> nodeset */
	struct idset nodeset;	       /* its nodes: memory elsewhere is remote */
	/* memory per node: from numa_maps, only when sample_read_numa() ran (or
	 * sample_keep_numa() carried an older reading over) */
	bool mem_known;
	uint64_t mem_ns;    /* the sample time numa_maps was read at */
	uint64_t *node_kib; /* per node, in s->node_ids order (heap, owned; NULL unknown) */
	char mem_why[HOST_WHY_MAX];
};

struct sample {
	uint64_t ns;	  /* the caller's monotonic time of the read */
	unsigned clk_tck; /* USER_HZ: jiffies and ticks per second */
	size_t ncpus;
	struct sample_cpu *cpus; /* online CPUs, by id (heap, owned) */
	bool stat_known;	 /* proc/stat was read: else the CPUs are h's, jiffies 0 */
	char stat_why[HOST_WHY_MAX];
	bool shootdowns_known;
	char shootdowns_why[HOST_WHY_MAX];
	bool nic_irqs_known;
	char nic_irqs_why[HOST_WHY_MAX];
	bool perf_known; /* sample_read_perf() read at least one CPU */
	char perf_why[HOST_WHY_MAX];
	size_t npools;
	struct sample_pool *pools;    /* by node, then size (heap, owned) */
	char pools_why[HOST_WHY_MAX]; /* why there are none ("" when there are) */
	size_t nnodes;
	unsigned *node_ids; /* h->nodes ids, the order of sample_vm.node_kib (heap, owned) */
	bool vms_known;	    /* h->vms_known */
	char vms_why[HOST_WHY_MAX];
	size_t nvms;
	struct sample_vm *vms; /* h->vms order (heap, owned) */
};

/*
 * Reads every counter above except numa_maps and perf, under @r, for the CPUs
 * and VMs of @h, stamped @now_ns.  A source the kernel lacks (no TLB row, no
 * sched file) leaves its part unknown with the reason; a VM whose process is
 * gone is kept with running false and why.  Returns -1 only for a real error
 * (garbage in a proc file, out of memory); @s is then empty.  The caller owns
 * @s: sample_release() is always safe.
 */
int sample_read(struct sample *s, const struct fsroot *r, const struct host *h, uint64_t now_ns,
		struct err *e);
/* Adds each running VM's memory per node (proc/PID/numa_maps) to @s, read by
 * sample_read() from the same @r and @h.  A VM whose numa_maps cannot be
 * read keeps mem_known false with mem_why. */
int sample_read_numa(struct sample *s, const struct fsroot *r, struct err *e);
/* Copies each VM's memory per node from @prev into @s for the VMs (same
 * name and pid) whose memory @s did not read.  Out of memory is an error. */
int sample_keep_numa(struct sample *s, const struct sample *prev, struct err *e);
void sample_release(struct sample *s);

/*
 * perf dTLB/iTLB read-miss counters, one pair per online CPU, system-wide
 * (perf_event_open(pid -1, cpu)): kept open by the caller for as long as it
 * samples, since opening them costs more than reading them.  Only on the live
 * host; refused without CAP_PERFMON when perf_event_paranoid > 0, and in most
 * VMs (no PMU).
 */
struct sample_perf {
	bool known;		/* at least one CPU's counters are open */
	char why[HOST_WHY_MAX]; /* why not, or why only some CPUs */
	size_t ncpus;
	unsigned *cpus; /* heap, owned */
	int *fds;	/* 2 per CPU: dTLB, iTLB; -1 not open (heap, owned) */
};

/* Opens the counters for the CPUs of @h.  A refusal is not an error (known
 * false, why says why); -1 only when out of memory.  sample_perf_close() is
 * always safe. */
int sample_perf_open(struct sample_perf *p, const struct fsroot *r, const struct host *h,
		     struct err *e);
void sample_perf_close(struct sample_perf *p);
/* Reads the open counters into @s's CPUs.  -1 when a read fails. */
int sample_read_perf(struct sample *s, const struct sample_perf *p, struct err *e);

/* A rate that cannot be computed: a counter absent in one sample or reset
 * between them, or no time between the samples. */
#define RATE_UNKNOWN (-1.0)

struct rate_cpu {
	unsigned id;
	double busy_pct;	  /* 0..100; RATE_UNKNOWN */
	double shootdowns_per_s;  /* RATE_UNKNOWN */
	double nic_irqs_per_s;	  /* RATE_UNKNOWN */
	double dtlb_misses_per_s; /* RATE_UNKNOWN */
	double itlb_misses_per_s; /* RATE_UNKNOWN */
};

struct rate_thread {
	unsigned vcpu;
	int tid;
	int cpu;		 /* last CPU in the newer sample, -1 unknown */
	struct idset allowed;	 /* its affinity in the newer sample */
	double cpu_pct;		 /* % of one CPU (utime + stime); RATE_UNKNOWN for a new thread */
	double migrations_per_s; /* RATE_UNKNOWN */
	bool off_pin; /* cpu is known and not in allowed: it has not run since a re-pin */
};

struct rate_vm {
	char name[64];
	int pid;
	bool running;
	char why[HOST_WHY_MAX];
	size_t nthreads;
	struct rate_thread *threads; /* the newer sample's threads (heap, owned) */
	bool mem_known;
	uint64_t *node_kib; /* per node in rates.node_ids order (heap, owned; NULL unknown) */
	char mem_why[HOST_WHY_MAX];
	bool remote_known;   /* memory and a numatune nodeset are both known */
	uint64_t remote_kib; /* memory on nodes outside the nodeset */
	bool remote_mem;     /* remote_kib > 0: flagged */
};

struct rates {
	uint64_t ns;		/* the newer sample's time */
	double interval_s;	/* between the samples; 0 when not positive */
	char why[HOST_WHY_MAX]; /* why every rate is unknown ("" otherwise) */
	size_t ncpus;
	struct rate_cpu *cpus; /* the newer sample's CPUs (heap, owned) */
	bool busy_known;       /* both samples read proc/stat */
	char busy_why[HOST_WHY_MAX];
	bool shootdowns_known, nic_irqs_known, perf_known;
	char shootdowns_why[HOST_WHY_MAX], nic_irqs_why[HOST_WHY_MAX], perf_why[HOST_WHY_MAX];
	size_t npools;
	struct sample_pool *pools; /* free hugepages now (the newer sample) (heap, owned) */
	char pools_why[HOST_WHY_MAX];
	size_t nnodes;
	unsigned *node_ids; /* (heap, owned) */
	bool vms_known;
	char vms_why[HOST_WHY_MAX];
	size_t nvms;
	struct rate_vm *vms; /* the newer sample's VMs (heap, owned) */
};

/*
 * The rates between @a (older) and @b (newer): a pure function.  Everything
 * follows @b: a CPU, VM or thread only in @b has unknown rates, one only in
 * @a is left out.  A counter lower in @b than in @a was reset (a re-used tid,
 * a 32-bit IRQ count that wrapped): its rate is unknown, never negative.
 * Returns -1 only when out of memory; sample_rates_release() is always safe.
 */
int sample_rates(struct rates *out, const struct sample *a, const struct sample *b, struct err *e);
void sample_rates_release(struct rates *r);

/* The CPU @id of @s (its cpus[] are sorted by id), or NULL. */
struct sample_cpu *sample_find_cpu(const struct sample *s, unsigned id);

#endif
