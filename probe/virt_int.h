/* virt_int.h - the parts of virt_probe() that live in virt_dev.c (private to probe/) */
#ifndef HVTUNE_VIRT_INT_H
#define HVTUNE_VIRT_INT_H

#include "probe/err.h"
#include "probe/fsroot.h"
#include "probe/host.h"

/* h->virt's IOMMU facts: the firmware table, iommu_groups, IOMMU units and
 * interrupt remapping.  Absent files leave a fact unknown; -1 only for a real
 * error (out of memory, an unreadable file). */
int virt_probe_iommu(struct host *h, const struct fsroot *r, struct err *e);
/* h->virt.nics: the network interfaces backed by PCI devices, sorted by name,
 * with driver, NUMA node and SR-IOV counts.  -1 with @e filled on a real error. */
int virt_probe_nics(struct host *h, const struct fsroot *r, struct err *e);

#endif
