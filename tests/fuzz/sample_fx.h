/* sample_fx.h - the fixed part of the sampler harnesses: a host with one running VM
 *
 * QEMU pid 100 with one vCPU thread (tid 101, "CPU 0/KVM") on a host of 4
 * CPUs and 2 nodes; each harness overwrites the one file it fuzzes.
 */
#ifndef HVTUNE_SAMPLE_FX_H
#define HVTUNE_SAMPLE_FX_H

#include "tests/fuzz/fuzz.h"
#include "probe/sample.h"

#include <stdlib.h>
#include <string.h>

#define FX_TASK "/proc/100/task/101"

static const char fx_stat[] = "cpu  40 0 20 400 4 0 0 0 0 0\n"
			      "cpu0 10 0 5 100 1 0 0 0 0 0\n"
			      "cpu1 10 0 5 100 1 0 0 0 0 0\n"
			      "cpu2 10 0 5 100 1 0 0 0 0 0\n"
			      "cpu3 10 0 5 100 1 0 0 0 0 0\n"
			      "intr 0\nctxt 0\n";
static const char fx_task_stat[] =
    "101 (CPU 0/KVM) S 1 100 100 0 -1 4194624 0 0 0 0 150 30 0 0 20 0 2 0 "
    "1000 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 -1 2 0 0 0 0 0";
static const char fx_status[] = "Name:\tCPU 0/KVM\nTgid:\t100\nPid:\t101\n"
				"Cpus_allowed:\tf\nCpus_allowed_list:\t0-3\n";
static const char fx_sched[] =
    "CPU 0/KVM (101, #threads: 2)\n"
    "se.nr_migrations                             :                   7\n";
static const char fx_numa_maps[] = "7f0000000000 bind:0 anon=512 dirty=512 N0=512 "
				   "kernelpagesize_kB=2048\n";

/* Writes every file of the fixture (each harness then replaces its own). */
static inline void fx_files(void)
{
	fz_write_str("/proc/stat", fx_stat);
	fz_write_str(FX_TASK "/comm", "CPU 0/KVM");
	fz_write_str(FX_TASK "/stat", fx_task_stat);
	fz_write_str(FX_TASK "/status", fx_status);
	fz_write_str(FX_TASK "/sched", fx_sched);
	fz_write_str("/proc/100/numa_maps", fx_numa_maps);
}

/* The host: 4 CPUs, nodes 0 and 1, VM "vm" (pid 100, numatune nodeset 0),
 * a NIC with IRQs 24-31. */
static inline void fx_host(struct host *h)
{
	struct node *nodes;

	fz_host(h, 4);
	nodes = realloc(h->nodes, 2 * sizeof(*nodes));
	h->vms = calloc(1, sizeof(*h->vms));
	h->virt.nics = calloc(1, sizeof(*h->virt.nics));
	if (!nodes || !h->vms || !h->virt.nics)
		abort();
	memset(&nodes[1], 0, sizeof(nodes[1]));
	nodes[1].id = 1;
	h->nodes = nodes;
	h->nnodes = 2;
	h->vms_known = true;
	h->nvms = 1;
	strcpy(h->vms[0].name, "vm");
	h->vms[0].vcpus = 1;
	h->vms[0].pid = 100;
	strcpy(h->vms[0].numa_nodeset, "0");
	h->virt.nnics = 1;
	strcpy(h->virt.nics[0].name, "eth0");
	for (unsigned irq = 24; irq < 32; irq++)
		idset_add(&h->virt.nics[0].irqs, irq);
}

/* sample_read(), then sample_read_numa() and the rates of the sample with
 * itself (every path a reading takes in `hvtune monitor`). */
static inline void fx_sample(const struct host *h)
{
	struct sample s, s2;
	struct rates r;
	struct err e = ERR_INIT;

	if (sample_read(&s, &fz_root, h, 1000000000, &e) < 0)
		return;
	if (sample_read_numa(&s, &fz_root, &e) == 0 &&
	    sample_read(&s2, &fz_root, h, 2000000000, &e) == 0) {
		if (sample_keep_numa(&s2, &s, &e) == 0 && sample_rates(&r, &s, &s2, &e) == 0)
			sample_rates_release(&r);
		sample_release(&s2);
	}
	sample_release(&s);
}

#endif
