/* domxml.h - domain XML in, domain XML out (domxml.c is the only file that includes libxml2)
 *
 * The rewrite edits the parsed tree: elements the plan owns are replaced or
 * added, and everything else (devices, metadata, comments, attribute order,
 * unknown elements) is kept as it was.  Strings in, strings out: tested with
 * files, no libvirt needed.
 */
#ifndef HVTUNE_DOMXML_H
#define HVTUNE_DOMXML_H

#include <stdbool.h>

#include "planner/plan.h"
#include "probe/err.h"

/* What the profile asks of the XML beyond the placement. */
struct domxml_opts {
	bool host_passthrough;	/* <cpu mode='host-passthrough'> */
	bool nosharepages;	/* <memoryBacking><nosharepages/> (KSM off for this guest) */
	bool locked;		/* <memoryBacking><locked/> */
	char vcpusched[16];	/* "fifo", "rr" or "" for none */
	unsigned vcpusched_priority;
};

/*
 * Returns @xml rewritten for @vm (a placed VM of a plan): <vcpu
 * placement='static'>N, <cputune> vcpupin/emulatorpin/iothreadpin (+ vcpusched),
 * <numatune> memory + memnode per guest cell, <memoryBacking> hugepages with
 * page size and nodeset, <cpu> topology and <numa> cells mirroring the plan.
 * Caller free()s.  NULL with @e set when @xml is not a domain or not well formed
 * ("domain XML line 3: ..."), or the plan does not fit it.
 */
char *domxml_rewrite(const char *xml, const struct vm_plan *vm, const struct domxml_opts *o,
		     struct err *e);

/* Reads a VM request from a domain's XML: name, vCPUs, memory (KiB), hugepage
 * size (0 when none; PLAN_NORMAL_PAGES never), first interface's PCI/host dev. */
int domxml_request(const char *xml, struct vm_request *out, struct err *e);

/*
 * @xml as domxml_rewrite() writes what it does not touch (for diffs and
 * tests).  Caller free()s; NULL with @e set as for domxml_rewrite().
 */
char *domxml_format(const char *xml, struct err *e);

/*
 * What hvtune owns in a domain (replaced by domxml_rewrite()): <vcpu> (text
 * and attributes), <vcpus>, <iothreads>; in <cputune>: vcpupin, emulatorpin,
 * iothreadpin, vcpusched; in <numatune>: memory, memnode; in <memoryBacking>:
 * hugepages, nosharepages, locked; in <cpu>: the mode and match attributes,
 * model, vendor, topology, numa.  Everything else is "unowned".
 */
enum domxml_part {
	DOMXML_UNOWNED, /* what a rewrite must keep as it was */
	DOMXML_OWNED,	/* what a rewrite writes */
};

/*
 * A canonical text of one part of @xml, one line per element ("/domain/devices/
 * disk type='block' device='disk'"), non-blank text, comment, CDATA and
 * processing instruction, in document order; whitespace-only text is left out.
 * The containers cputune, numatune, memoryBacking and cpu appear only through
 * what they hold.  Two documents whose DOMXML_UNOWNED texts are equal differ
 * only in what hvtune owns.  Caller free()s; NULL with @e set as for
 * domxml_rewrite().
 */
char *domxml_canon(const char *xml, enum domxml_part part, struct err *e);

#endif
