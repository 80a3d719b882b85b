/* domxml.h - domain XML in, domain XML out (apply/domxml*.c: the only files with libxml2)
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
	bool host_passthrough; /* <cpu mode='host-passthrough'> */
	bool nosharepages;     /* <memoryBacking><nosharepages/> (KSM off for this guest) */
	bool locked;	       /* <memoryBacking><locked/> */
	char vcpusched[16];    /* "fifo", "rr" or "" for none */
	unsigned vcpusched_priority;
};

/*
 * Returns @xml rewritten for @vm (a placed VM of a plan).  Caller free()s.
 * NULL with @e set when @xml is empty, not well formed ("domain XML line 3:
 * ..."), has a DOCTYPE (refused: no DTD, no entities), has a root that is not
 * <domain>; or when the plan does not fit it (not placed, not one pin per
 * vCPU in vCPU order, a topology that does not multiply to the vCPUs, a cell
 * without memory, a device on a guest cell the plan lacks: <target><node>
 * of a dimm or a PCI expander bus, an unknown scheduler).  The rules:
 *
 * - <vcpu>: text N, placement='static', cpuset= removed (every vCPU has a
 *   vcpupin), current= kept when <= N else removed; other attributes kept.
 *   <vcpus> (per-vCPU hotplug states; libvirt reads the <vcpu>s of every
 *   <vcpus>) are all removed unless together they list N vCPUs.
 * - iothreads pinned: the ids of <iothreadids>, else 1..<iothreads>; with
 *   neither and @vm->niothreads > 0, <iothreads>niothreads</iothreads> is
 *   added.  An existing count is the user's and kept.
 * - <cputune>: every vcpupin, emulatorpin, iothreadpin is replaced by one
 *   vcpupin per pin, emulatorpin = @vm->emulator (none when empty),
 *   iothreadpin per iothread id = @vm->iothread (or @vm->emulator when that is
 *   empty).  With o->vcpusched every vcpusched is replaced by one for all
 *   vCPUs (priority for fifo/rr); without, vcpusched naming a vCPU >= N is
 *   removed and the rest kept.  shares, period, quota, iothreadsched,
 *   cachetune... and comments are kept.
 * - <numatune>: memory and memnode replaced: <memory mode='strict'
 *   nodeset='host nodes'/> and <memnode cellid mode='strict' nodeset='node'/>
 *   per guest cell.
 * - <memoryBacking>: with @vm->page_kib, <hugepages> replaced by one <page
 *   size unit='KiB' nodeset='guest cells'/> per page size (no nodeset without
 *   cells); without, <hugepages> removed.  <nosharepages/> and <locked/> are
 *   added when @o asks and never removed.  source, access, allocation... kept.
 * - <cpu>: with o->host_passthrough on a KVM domain (type='kvm': a TCG guest
 *   cannot pass the host CPU through), mode='host-passthrough', match= and
 *   <model>/<vendor> removed.  <topology> replaced (dies='1'/clusters='1'
 *   kept when the old one had them) when the plan has one; when it has none
 *   (0) an old topology is kept only if it still multiplies to N.  <numa>:
 *   an old <cell> (by id=, else its position) that the plan has gets cpus=
 *   (removed for a memory-only cell), memory= and, when it had a unit=,
 *   unit='KiB'; its other attributes and children (memAccess, discard,
 *   distances, cache) are kept.  An old cell the plan lacks is removed, and
 *   so are the <sibling>, <latency> and <bandwidth> that name it; a cell the
 *   plan adds is <cell id cpus memory unit='KiB'/> after the last one.
 *   check=, <feature>, <cache>... kept.  An empty owned container is removed.
 * - New elements go after the last sibling that precedes them in libvirt's
 *   own output order (virDomainDefFormat), with the siblings' indentation.
 *
 * Written back: every node not named above as it was, attributes in their
 * order, in the quote of <domain>'s first attribute (' when none), libvirt's
 * escaping (< > & ' " as entities) and, below <metadata>, libxml2's (which
 * libvirt uses there: " quotes, namespaces first).  What the parsed tree
 * cannot keep changes: the XML declaration is dropped, <x></x> becomes <x/>,
 * character references and predefined entities are written in the escaping
 * above, namespace declarations follow the attributes (outside <metadata>),
 * whitespace between top-level nodes becomes one newline and the output ends
 * in one.  libvirt's own files (dumpxml, its test domains) come back byte for
 * byte when the plan is what they already say, and so does this function's
 * own output (a second rewrite with the same plan changes nothing; the
 * indentation at the end of non-blank text before a removed element goes
 * with the element).
 */
char *domxml_rewrite(const char *xml, const struct vm_plan *vm, const struct domxml_opts *o,
		     struct err *e);

/*
 * Reads a VM request from a domain's XML: <name>; vCPUs = the <vcpu> count,
 * the maximum (current= is checked, not used: hot-plugged vCPUs need pCPUs
 * too); cells = <cpu><numa><cell>s in order (vCPUs from cpus=, libvirt's
 * "0-3,^2" lists; memory; the ids must be 0, 1, ...; @out->cells is heap,
 * vm_request_release()); memory = libvirt's initial memory, in KiB (its
 * units, rounded up to whole KiB): the cells' sum, else <memory> less the
 * memory devices' <target><size> (<memory> counts them, the cells do not;
 * <currentMemory> is a balloon target, not the size); pages and
 * hugepage_kib from the first <memoryBacking><hugepages><page size unit>
 * (PAGES_NORMAL for a 4 KiB page; PAGES_PROFILE when there is none, also for
 * <hugepages/> without a page: the host default);
 * nic = the PCI address ("0000:3b:00.1") of the first <interface
 * type='hostdev'>, else the <target dev> of the first interface that has one,
 * else "".  -1 with @e set (and @out empty) on a parse error as for
 * domxml_rewrite(), or a missing/invalid name, vcpu, memory, unit or cell,
 * or memory devices as large as <memory>.
 */
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
 * processing instruction, in document order; whitespace-only text is left
 * out, and other text without the blanks at its ends (indentation).
 * The containers cputune, numatune, memoryBacking and cpu appear only through
 * what they hold.  Two documents whose DOMXML_UNOWNED texts are equal differ
 * only in what hvtune owns.  Caller free()s; NULL with @e set as for
 * domxml_rewrite().
 */
char *domxml_canon(const char *xml, enum domxml_part part, struct err *e);

#endif
