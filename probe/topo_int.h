/* topo_int.h - what topo.c (hwloc) and topo_sysfs.c (our sysfs reader) share; private to probe/ */
#ifndef HVTUNE_TOPO_INT_H
#define HVTUNE_TOPO_INT_H

#include "probe/err.h"
#include "probe/fsroot.h"
#include "probe/host.h"
#include "probe/idset.h"

#include <stdbool.h>
#include <stddef.h>

#define SYS_CPU	 "/sys/devices/system/cpu"
#define SYS_NODE "/sys/devices/system/node"

/* The ids of the entries "<prefix>N" of directory @path.  ENOENT is left to the caller. */
int topo_read_numbered_dir(const struct fsroot *r, const char *path, const char *prefix,
			   struct idset *ids, struct err *e);
/* The list form "@dir/@name_list", else the mask form "@dir/@name_mask". */
int topo_read_set_either(const struct fsroot *r, const char *dir, const char *name_list,
			 const char *name_mask, struct idset *s, bool *known, struct err *e);
int topo_read_long_opt(const struct fsroot *r, const char *path, long *v, bool *known,
		       struct err *e);
/* Sets cpu.node for the CPUs of every node (h->cpus sorted, h->nodes filled). */
void topo_assign_nodes(struct host *h);
int topo_alloc_cpus(struct host *h, size_t n, struct err *e);
int topo_alloc_nodes(struct host *h, size_t n, struct err *e);
/*
 * The lowest online CPU of @s, the key of a core or an L3 group (sysfs lists
 * the same set in every member's file), or @self when @s has none online.
 */
unsigned topo_set_key(struct idset *s, const struct idset *online, unsigned self);
/* Per CPU: package, die, core (by thread siblings) and L3 group. */
int topo_sysfs_cpus(struct host *h, const struct fsroot *r, struct err *e);
/* The nodes and their CPUs (h->cpus filled). */
int topo_read_nodes(struct host *h, const struct fsroot *r, struct err *e);
/*
 * Why hwloc refused the tree, as far as we can tell: hwloc 2.9 finds the
 * sysfs CPU topology by its hex masks and gives up when a tree has only the
 * *_list files (as libvirt's POWER8 capture does).
 */
void topo_why_hwloc_failed(struct host *h, const struct fsroot *r, int sys);

#endif
