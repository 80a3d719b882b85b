/* gentree.h - synthetic /sys + /proc trees, for what the real captures lack
 *
 * A tree that hwloc 2.9 accepts (with HWLOC_FSROOT) and that our own readers
 * read: CPUs with their topology files (list and hex mask forms), NUMA nodes
 * with cpulist/cpumap/meminfo/distance/hugepages, cpuinfo, meminfo and the
 * hugepage sysfs, cmdline.  Everything else (IOMMU, /dev/kvm, interrupts ...)
 * is added by the test with gentree_file().
 */
#ifndef HVTUNE_GENTREE_H
#define HVTUNE_GENTREE_H

#include <stdbool.h>
#include <stdint.h>

#include "probe/err.h"

struct gentree_spec {
	unsigned npackages;	    /* sockets, >= 1 */
	unsigned nodes_per_package; /* NUMA nodes per socket, >= 1 */
	unsigned cores_per_node;    /* >= 1 */
	unsigned threads_per_core;  /* SMT width, >= 1 */
	unsigned l3_per_node;	    /* L3 groups per node (AMD CCX); 0 = 1 */
	bool smt_adjacent; /* siblings numbered 2k,2k+1 (AMD style); else k and k+ncores (Intel) */
	uint64_t mem_per_node_kib;  /* 0 = 64 GiB */
	uint64_t free_per_node_kib; /* 0 = 3/4 of mem */
	unsigned hugepages_2m;	    /* per node, reserved and free */
	unsigned hugepages_1g;	    /* per node */
	const char *vendor;	    /* NULL = "GenuineIntel" */
	const char *flags; /* cpuinfo flags line; NULL = a VT-x host's (vmx ept vpid pdpe1gb ...),
			    * or an AMD-V host's (svm npt ...) when vendor is "AuthenticAMD" */
	const char *vmx_flags;	  /* "vmx flags" line; NULL = none */
	const char *cmdline;	  /* /proc/cmdline; NULL = "BOOT_IMAGE=/vmlinuz root=/dev/sda1" */
	const char *isolated;	  /* cpu/isolated, NULL = "" */
	const char *nohz_full;	  /* cpu/nohz_full, NULL = "" */
	unsigned distance_remote; /* SLIT distance between nodes; 0 = 21 */
	bool no_numa;		  /* no sys/devices/system/node: a kernel without CONFIG_NUMA */
	bool no_caches;		  /* no sys/devices/system/cpu/cpuN/cache: a VM whose
				   * hypervisor hides CPUID's cache leaves */
};

/* The spec of a plain host: 1 socket, 1 node, 4 cores, 2 threads, 16 GiB. */
void gentree_default(struct gentree_spec *s);

/*
 * Writes the tree for @s under @dir (which must exist and be empty).  CPUs
 * are numbered core by core (smt_adjacent: 2k,2k+1) or thread by thread
 * (k, k+ncores); cores fill a node, nodes a package; each node is one die
 * and holds l3_per_node L3 groups of equal size.
 */
int gentree_write(const char *dir, const struct gentree_spec *s, struct err *e);

/* Writes @content (plus nothing else) to @dir@path, making its parent dirs. */
int gentree_file(const char *dir, const char *path, const char *content, struct err *e);
/* Makes the symlink @dir@path -> @target (relative target), parents too. */
int gentree_symlink(const char *dir, const char *path, const char *target, struct err *e);
/* Makes the directory @dir@path and its parents. */
int gentree_mkdir(const char *dir, const char *path, struct err *e);

#endif
