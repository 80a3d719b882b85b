/* domxml.c - domain XML rewrite: the parts hvtune owns, replaced in libvirt's order
 *
 * Policy: hvtune owns a few parts of a domain (see domxml.h); they are
 * replaced.  Everything else is kept as a node of the parsed tree and written
 * back by our own serializer, not xmlDocDump: libxml2 always writes
 * attributes in double quotes, while libvirt writes its XML with single quotes
 * (virBufferEscapeString), so libxml2's output would change every line of a
 * `virsh dumpxml`.  Our serializer writes libvirt's style (single quotes,
 * < > & ' " escaped, empty elements as <x/>), and libxml2's style below
 * <metadata> (libvirt dumps metadata with xmlNodeDump: double quotes).  A
 * document in libvirt's format round-trips byte for byte; see domxml.h for
 * what else changes.
 */
#include "apply/domxml.h"
#include "apply/domxml_int.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/dl.h"
#include "probe/strfmt.h"

/* ---- libvirt's format order (virDomainDefFormatInternal and friends) */

static const char *const domain_order[] = {
    "name",
    "uuid",
    "genid",
    "title",
    "description",
    "metadata",
    "maxMemory",
    "memory",
    "currentMemory",
    "blkiotune",
    "memtune",
    "memoryBacking",
    "vcpu",
    "vcpus",
    "iothreads",
    "iothreadids",
    "defaultiothread",
    "cputune",
    "numatune",
    "resource",
    "sysinfo",
    "bootloader",
    "bootloader_args",
    "os",
    "idmap",
    "features",
    "cpu",
    "clock",
    "on_poweroff",
    "on_reboot",
    "on_crash",
    "on_lockfailure",
    "pm",
    "perf",
    "devices",
    "seclabel",
    "keywrap",
    "launchSecurity",
    NULL,
};

static const char *const cputune_order[] = {
    "shares",	      "period",		 "quota",
    "global_period",  "global_quota",	 "emulator_period",
    "emulator_quota", "iothread_period", "iothread_quota",
    "vcpupin",	      "emulatorpin",	 "iothreadpin",
    "vcpusched",      "iothreadsched",	 "emulatorsched",
    "cachetune",      "memorytune",	 NULL,
};

static const char *const numatune_order[] = {"memory", "memnode", NULL};

static const char *const membacking_order[] = {
    "hugepages", "nosharepages", "locked", "source", "access", "allocation", "discard", NULL,
};

static const char *const numa_order[] = {"cell", "interconnects", NULL};

static const char *const cpu_order[] = {
    "model", "vendor", "topology", "cache", "maxphysaddr", "feature", "numa", NULL,
};

/* ---- the owned parts */

static void rewrite_vcpu(struct ed *ed, xmlNodePtr root, const struct vm_plan *vm)
{
	xmlNodePtr v = dx_need(ed, root, "vcpu", domain_order, NULL), vs;
	unsigned long long cur;
	unsigned count = 0;
	char n[16];

	if (!v)
		return;
	strfmt_set(n, sizeof(n), "%u", vm->vcpus);
	lx.xmlNodeSetContent(v, BAD_CAST n);
	dx_attr(ed, v, "placement", "static");
	/* every vCPU gets a vcpupin, so a cpuset here would only confuse */
	lx.xmlUnsetProp(v, BAD_CAST "cpuset");
	/* libvirt refuses current > maximum; current <= N is the user's choice */
	if (dx_prop_uint(v, "current", &cur) && cur > vm->vcpus)
		lx.xmlUnsetProp(v, BAD_CAST "current");
	/* per-vCPU hotplug states must list exactly N vCPUs.  libvirt reads
	 * them as ./vcpus/vcpu, over every <vcpus>: count them all, and keep or
	 * drop them all, so the next rewrite finds what this one left */
	for (vs = root->children; vs; vs = vs->next)
		for (xmlNodePtr c = dx_is_el(vs, "vcpus") ? vs->children : NULL; c; c = c->next)
			count += dx_is_el(c, "vcpu");
	if (count != vm->vcpus)
		dx_drop_all(root, "vcpus");
}

/* The iothread ids to pin: <iothreadids>, else 1..<iothreads>, else the plan's. */
static void rewrite_iothreads(struct ed *ed, xmlNodePtr root, const struct vm_plan *vm,
			      struct idset *ids)
{
	xmlNodePtr n = dx_child(root, "iothreadids"), io = dx_child(root, "iothreads");
	unsigned long long count = 0, id;

	idset_clear(ids);
	if (n) {
		for (xmlNodePtr c = n->children; c; c = c->next)
			if (dx_is_el(c, "iothread") && dx_prop_uint(c, "id", &id) && id < IDSET_MAX)
				idset_add(ids, (unsigned)id);
		return;
	}
	if (io) {
		dx_content_uint(io, &count);
	} else if (vm->niothreads > 0) {
		char s[16];

		count = vm->niothreads;
		strfmt_set(s, sizeof(s), "%u", vm->niothreads);
		io = dx_el(ed, "iothreads");
		if (io) {
			lx.xmlNodeSetContent(io, BAD_CAST s);
			dx_insert(ed, root, io, domain_order);
		}
	}
	for (id = 1; id <= count && id < IDSET_MAX; id++)
		idset_add(ids, (unsigned)id);
}

/* Whether libvirt's id list @list ("0-3,^2") names an id >= @n (or cannot be read). */
static bool list_reaches(const char *list, unsigned n)
{
	const char *p = list;

	while (*p) {
		char *end;
		unsigned long v;

		if (*p < '0' || *p > '9') {
			p++;
			continue;
		}
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v >= n)
			return true;
		p = end;
	}
	return false;
}

/* Kept <vcpusched>s must not name vCPUs the plan no longer has (libvirt refuses). */
static void drop_vcpusched_beyond(xmlNodePtr ct, unsigned vcpus)
{
	xmlNodePtr c = ct->children;

	while (c) {
		xmlNodePtr next = c->next;

		if (dx_is_el(c, "vcpusched")) {
			xmlChar *list = lx.xmlGetNoNsProp(c, BAD_CAST "vcpus");

			if (!list || list_reaches(dx_xstr(list), vcpus))
				dx_drop(c);
			lx_free(list);
		}
		c = next;
	}
}

static void rewrite_cputune(struct ed *ed, xmlNodePtr root, const struct vm_plan *vm,
			    const struct domxml_opts *o, const struct idset *iothreads)
{
	xmlNodePtr ct = dx_need(ed, root, "cputune", domain_order, NULL), n;
	const struct idset *iocpus = idset_empty(&vm->iothread) ? &vm->emulator : &vm->iothread;

	if (!ct)
		return;
	dx_drop_all(ct, "vcpupin");
	dx_drop_all(ct, "emulatorpin");
	dx_drop_all(ct, "iothreadpin");
	if (o->vcpusched[0])
		dx_drop_all(ct, "vcpusched");
	else
		drop_vcpusched_beyond(ct, vm->vcpus);
	for (size_t i = 0; i < vm->npins; i++) {
		n = dx_el(ed, "vcpupin");
		dx_attr(ed, n, "vcpu", "%u", vm->pins[i].vcpu);
		dx_attr(ed, n, "cpuset", "%u", vm->pins[i].cpu);
		dx_insert(ed, ct, n, cputune_order);
	}
	if (!idset_empty(&vm->emulator)) {
		n = dx_el(ed, "emulatorpin");
		dx_attr_set(ed, n, "cpuset", &vm->emulator);
		dx_insert(ed, ct, n, cputune_order);
	}
	if (!idset_empty(iocpus)) {
		for (int id = idset_next(iothreads, 0); id >= 0;
		     id = idset_next(iothreads, (unsigned)id + 1)) {
			n = dx_el(ed, "iothreadpin");
			dx_attr(ed, n, "iothread", "%d", id);
			dx_attr_set(ed, n, "cpuset", iocpus);
			dx_insert(ed, ct, n, cputune_order);
		}
	}
	if (o->vcpusched[0]) {
		n = dx_el(ed, "vcpusched");
		if (vm->vcpus > 1)
			dx_attr(ed, n, "vcpus", "0-%u", vm->vcpus - 1);
		else
			dx_attr(ed, n, "vcpus", "0");
		dx_attr(ed, n, "scheduler", "%s", o->vcpusched);
		if (strcmp(o->vcpusched, "fifo") == 0 || strcmp(o->vcpusched, "rr") == 0)
			dx_attr(ed, n, "priority", "%u", o->vcpusched_priority);
		dx_insert(ed, ct, n, cputune_order);
	}
	dx_drop_if_empty(ct);
}

static void rewrite_numatune(struct ed *ed, xmlNodePtr root, const struct vm_plan *vm)
{
	xmlNodePtr nt = dx_need(ed, root, "numatune", domain_order, NULL), n;
	struct idset nodes = vm->nodes;

	if (!nt)
		return;
	dx_drop_all(nt, "memory");
	dx_drop_all(nt, "memnode");
	for (size_t i = 0; i < vm->ncells; i++)
		idset_add(&nodes, vm->cells[i].node);
	if (!idset_empty(&nodes)) {
		n = dx_el(ed, "memory");
		dx_attr(ed, n, "mode", "strict");
		dx_attr_set(ed, n, "nodeset", &nodes);
		dx_insert(ed, nt, n, numatune_order);
	}
	for (size_t i = 0; i < vm->ncells; i++) {
		n = dx_el(ed, "memnode");
		dx_attr(ed, n, "cellid", "%u", vm->cells[i].id);
		dx_attr(ed, n, "mode", "strict");
		dx_attr(ed, n, "nodeset", "%u", vm->cells[i].node);
		dx_insert(ed, nt, n, numatune_order);
	}
	dx_drop_if_empty(nt);
}

static void rewrite_membacking(struct ed *ed, xmlNodePtr root, const struct vm_plan *vm,
			       const struct domxml_opts *o)
{
	xmlNodePtr mb = dx_child(root, "memoryBacking"), hp, old;
	bool emptied = false;
	char ind[256];

	if (!mb && !vm->page_kib && !o->nosharepages && !o->locked)
		return;
	mb = dx_need(ed, root, "memoryBacking", domain_order, NULL);
	if (!mb)
		return;
	old = dx_child(mb, "hugepages");
	if (vm->page_kib) {
		hp = dx_el(ed, "hugepages");
		if (old ? dx_replace(ed, old, hp) : dx_insert(ed, mb, hp, membacking_order)) {
			bool any = false;

			dx_indent_of(hp, ind, sizeof(ind));
			/* one <page> per page size, over the guest cells that use it */
			for (size_t i = 0; i < vm->ncells; i++) {
				uint64_t size = vm->cells[i].page_kib;
				struct idset cells;
				bool seen = false;
				xmlNodePtr pg;

				for (size_t j = 0; j < i; j++)
					seen |= vm->cells[j].page_kib == size;
				if (!size || seen)
					continue;
				idset_clear(&cells);
				for (size_t j = i; j < vm->ncells; j++)
					if (vm->cells[j].page_kib == size)
						idset_add(&cells, vm->cells[j].id);
				pg = dx_el(ed, "page");
				dx_attr(ed, pg, "size", "%" PRIu64, size);
				dx_attr(ed, pg, "unit", "KiB");
				dx_attr_set(ed, pg, "nodeset", &cells);
				dx_kid(ed, hp, pg, ind);
				any = true;
			}
			if (!any) {
				xmlNodePtr pg = dx_el(ed, "page");

				dx_attr(ed, pg, "size", "%" PRIu64, vm->page_kib);
				dx_attr(ed, pg, "unit", "KiB");
				dx_kid(ed, hp, pg, ind);
			}
			dx_kids_done(ed, hp, ind);
		}
	} else if (old) {
		dx_drop(old); /* the plan puts this VM on normal pages */
		emptied = true;
	}
	if (o->nosharepages && !dx_child(mb, "nosharepages"))
		dx_insert(ed, mb, dx_el(ed, "nosharepages"), membacking_order);
	if (o->locked && !dx_child(mb, "locked"))
		dx_insert(ed, mb, dx_el(ed, "locked"), membacking_order);
	if (emptied)
		dx_drop_if_empty(mb);
}

/* The plan's guest cell of id @id, or NULL. */
static const struct guest_cell *plan_cell(const struct vm_plan *vm, unsigned long long id)
{
	for (size_t i = 0; i < vm->ncells; i++)
		if (vm->cells[i].id == id)
			return &vm->cells[i];
	return NULL;
}

/* What the plan owns of a <cell>: cpus (none for a memory-only cell) and memory. */
static void set_cell(struct ed *ed, xmlNodePtr cell, const struct guest_cell *gc)
{
	if (idset_empty(&gc->vcpus))
		lx.xmlUnsetProp(cell, BAD_CAST "cpus");
	else
		dx_attr_set(ed, cell, "cpus", &gc->vcpus);
	dx_attr(ed, cell, "memory", "%" PRIu64, gc->mem_kib);
	/* no unit is KiB: one written only when the old one said something else */
	if (lx.xmlHasProp(cell, BAD_CAST "unit"))
		dx_attr(ed, cell, "unit", "KiB");
}

static xmlNodePtr new_cell(struct ed *ed, const struct guest_cell *gc)
{
	xmlNodePtr cell = dx_el(ed, "cell");

	dx_attr(ed, cell, "id", "%u", gc->id);
	if (!idset_empty(&gc->vcpus))
		dx_attr_set(ed, cell, "cpus", &gc->vcpus);
	dx_attr(ed, cell, "memory", "%" PRIu64, gc->mem_kib);
	dx_attr(ed, cell, "unit", "KiB");
	return cell;
}

/* The id of a <cell>: its id=, else its position (libvirt's rule). */
static unsigned long long cell_id(xmlNodePtr cell, unsigned long long pos)
{
	unsigned long long id;

	return dx_prop_uint(cell, "id", &id) ? id : pos;
}

/* Drops the children of @parent named @name whose @a (or @b) names a cell the plan lacks. */
static void drop_refs(xmlNodePtr parent, const char *name, const char *a, const char *b,
		      const struct vm_plan *vm)
{
	xmlNodePtr c = parent ? parent->children : NULL;

	while (c) {
		xmlNodePtr next = c->next;
		unsigned long long id;

		if (dx_is_el(c, name) && ((dx_prop_uint(c, a, &id) && !plan_cell(vm, id)) ||
					  (b && dx_prop_uint(c, b, &id) && !plan_cell(vm, id))))
			dx_drop(c);
		c = next;
	}
}

/*
 * <numa>: each old <cell> the plan has keeps every attribute and child
 * (memAccess, discard, distances, caches) and gets the plan's cpus and
 * memory; a cell the plan lacks goes, with the distances and interconnects
 * that name it; a cell the plan adds comes after the last one.
 */
static void rewrite_numa(struct ed *ed, xmlNodePtr numa, const struct vm_plan *vm)
{
	struct idset seen;
	xmlNodePtr c = numa->children, last = NULL;
	unsigned long long pos = 0;
	char ind[256];

	idset_clear(&seen);
	while (c) {
		xmlNodePtr next = c->next;
		const struct guest_cell *gc;

		if (dx_is_el(c, "cell")) {
			unsigned long long id = cell_id(c, pos++);

			gc = plan_cell(vm, id);
			if (!gc) {
				dx_drop(c);
			} else {
				set_cell(ed, c, gc);
				idset_add(&seen, gc->id);
				drop_refs(dx_child(c, "distances"), "sibling", "id", NULL, vm);
				dx_drop_if_empty(dx_child(c, "distances"));
				last = c;
			}
		}
		c = next;
	}
	for (const char *const *kind = (const char *const[]){"latency", "bandwidth", NULL}; *kind;
	     kind++)
		drop_refs(dx_child(numa, "interconnects"), *kind, "initiator", "target", vm);
	dx_drop_if_empty(dx_child(numa, "interconnects"));
	dx_child_indent(ed, numa, ind, sizeof(ind));
	for (size_t i = 0; i < vm->ncells; i++) {
		xmlNodePtr n;

		if (idset_has(&seen, vm->cells[i].id))
			continue;
		n = new_cell(ed, &vm->cells[i]);
		if (last ? dx_add_next(ed, last, n) && dx_add_next(ed, last, dx_text(ed, ind))
			 : dx_insert(ed, numa, n, numa_order))
			last = n;
	}
}

/*
 * Devices that name a guest cell (<memory model='dimm'> and the PCI
 * expander buses: <target><node>) must find it in the plan: libvirt refuses
 * a definition whose device is on a missing cell.
 */
/*
 * The rewrite edits the one element of each name it owns; libvirt reads all
 * of them (./cputune/vcpupin matches in every <cputune>), so a second one
 * would keep pins and memory nodes the plan does not know.  Refused.
 */
static int check_single(xmlNodePtr root, struct err *e)
{
	static const char *const owned[] = {
	    "vcpu", "iothreads", "cputune", "numatune", "memoryBacking", "cpu",
	};

	for (size_t i = 0; i < ARRAY_LEN(owned); i++) {
		unsigned n = 0;

		for (xmlNodePtr c = root->children; c; c = c->next)
			n += dx_is_el(c, owned[i]);
		if (n > 1)
			return err_set(e, 0,
				       "the domain XML has %u <%s> elements: libvirt reads them "
				       "all, and hvtune would change only the first (merge them)",
				       n, owned[i]);
	}
	return 0;
}

static int check_device_cells(xmlNodePtr root, const struct vm_plan *vm, struct err *e)
{
	for (xmlNodePtr d = dx_child(dx_child(root, "devices"), NULL); d; d = d->next) {
		xmlNodePtr node = dx_child(dx_child(d, "target"), "node");
		unsigned long long id;

		if (d->type != XML_ELEMENT_NODE || !node || !dx_content_uint(node, &id))
			continue;
		if (!plan_cell(vm, id))
			return err_set(e, 0,
				       "plan for '%s' has %zu guest cell(s): the <%s> of domain "
				       "XML line %ld is on guest cell %llu",
				       vm->name, vm->ncells, dx_xstr(d->name), lx.xmlGetLineNo(d),
				       id);
	}
	return 0;
}

static int rewrite_cpu(struct ed *ed, xmlNodePtr root, const struct vm_plan *vm,
		       const struct domxml_opts *o, struct err *e)
{
	xmlNodePtr cpu = dx_child(root, "cpu"), topo, numa, n;
	unsigned long long s = 0, d = 0, cl = 0, c = 0, t = 0;
	bool topo_known = vm->sockets && vm->cores && vm->threads;
	/* Only KVM can pass the host CPU through: a TCG guest (type='qemu')
	 * with host-passthrough no longer starts. */
	xmlChar *type = lx.xmlGetProp(root, BAD_CAST "type");
	bool passthrough = o->host_passthrough && type && lx.xmlStrcmp(type, BAD_CAST "kvm") == 0;
	char ind[256];

	lx_free(type);

	if (topo_known && (unsigned long long)vm->sockets * vm->cores * vm->threads != vm->vcpus)
		return err_set(e, 0,
			       "plan for '%s': %u sockets x %u cores x %u threads is not %u vCPUs",
			       vm->name, vm->sockets, vm->cores, vm->threads, vm->vcpus);
	if (!cpu && !passthrough && !topo_known && vm->ncells == 0)
		return 0;
	cpu = dx_need(ed, root, "cpu", domain_order, NULL);
	if (!cpu)
		return 0;
	if (passthrough) {
		dx_attr(ed, cpu, "mode", "host-passthrough");
		/* host-passthrough takes no CPU model or vendor to match */
		lx.xmlUnsetProp(cpu, BAD_CAST "match");
		dx_drop_all(cpu, "model");
		dx_drop_all(cpu, "vendor");
	}
	topo = dx_child(cpu, "topology");
	if (topo_known) {
		n = dx_el(ed, "topology");
		dx_attr(ed, n, "sockets", "%u", vm->sockets);
		if (topo && lx.xmlHasProp(topo, BAD_CAST "dies"))
			dx_attr(ed, n, "dies", "1");
		if (topo && lx.xmlHasProp(topo, BAD_CAST "clusters"))
			dx_attr(ed, n, "clusters", "1");
		dx_attr(ed, n, "cores", "%u", vm->cores);
		dx_attr(ed, n, "threads", "%u", vm->threads);
		if (topo)
			dx_replace(ed, topo, n);
		else
			dx_insert(ed, cpu, n, cpu_order);
	} else if (topo) {
		/* no guest topology in the plan: keep the old one only if it still adds up */
		dx_prop_uint(topo, "sockets", &s);
		dx_prop_uint(topo, "cores", &c);
		dx_prop_uint(topo, "threads", &t);
		if (!dx_prop_uint(topo, "dies", &d))
			d = 1;
		if (!dx_prop_uint(topo, "clusters", &cl))
			cl = 1;
		if (s * d * cl * c * t != vm->vcpus)
			dx_drop(topo);
	}
	numa = dx_child(cpu, "numa");
	if (vm->ncells > 0 && numa) {
		rewrite_numa(ed, numa, vm);
	} else if (vm->ncells > 0) {
		n = dx_el(ed, "numa");
		if (dx_insert(ed, cpu, n, cpu_order)) {
			dx_indent_of(n, ind, sizeof(ind));
			for (size_t i = 0; i < vm->ncells; i++)
				dx_kid(ed, n, new_cell(ed, &vm->cells[i]), ind);
			dx_kids_done(ed, n, ind);
		}
	} else if (numa) {
		dx_drop(numa);
	}
	if (!cpu->properties)
		dx_drop_if_empty(cpu);
	return 0;
}

/* The plan must give every vCPU one pin, in vCPU order. */
static int check_plan(const struct vm_plan *vm, const struct domxml_opts *o, struct err *e)
{
	if (!vm->placed)
		return err_set(e, 0, "vm '%s' is not placed: %s", vm->name, vm->why_not);
	if (vm->vcpus == 0 || vm->npins != vm->vcpus)
		return err_set(e, 0, "plan for '%s' pins %zu of %u vCPUs", vm->name, vm->npins,
			       vm->vcpus);
	for (size_t i = 0; i < vm->npins; i++)
		if (vm->pins[i].vcpu != i)
			return err_set(e, 0, "plan for '%s': pin %zu is for vCPU %u", vm->name, i,
				       vm->pins[i].vcpu);
	/* a cell without vCPUs is a memory-only cell (HMAT); one without memory is none */
	for (size_t i = 0; i < vm->ncells; i++)
		if (vm->cells[i].mem_kib == 0)
			return err_set(e, 0, "plan for '%s': guest cell %u has no memory", vm->name,
				       vm->cells[i].id);
	if (o->vcpusched[0] && strcmp(o->vcpusched, "fifo") != 0 &&
	    strcmp(o->vcpusched, "rr") != 0 && strcmp(o->vcpusched, "batch") != 0 &&
	    strcmp(o->vcpusched, "idle") != 0)
		return err_set(e, 0, "unknown vCPU scheduler '%s'", o->vcpusched);
	return 0;
}

/* The indentation unit of the document: that of <domain>'s children, or two spaces. */
static void find_unit(struct ed *ed, xmlNodePtr root)
{
	char ind[256];

	strfmt_set(ed->unit, sizeof(ed->unit), "  ");
	for (xmlNodePtr c = root->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && dx_is_ws(c->prev)) {
			dx_indent_of(c, ind, sizeof(ind));
			if (ind[1] != '\0')
				strfmt_set(ed->unit, sizeof(ed->unit), "%s", ind + 1);
			return;
		}
	}
}

char *domxml_rewrite(const char *xml, const struct vm_plan *vm, const struct domxml_opts *o,
		     struct err *e)
{
	struct ed ed = {0};
	struct idset iothreads;
	xmlNodePtr root;
	char *out = NULL;

	if (check_plan(vm, o, e) < 0)
		return NULL;
	ed.doc = dx_parse(xml, e);
	if (!ed.doc)
		return NULL;
	ed.set = malloc(SET_TEXT_MAX);
	if (!ed.set) {
		err_set(e, ENOMEM, "cannot rewrite domain XML");
		goto out;
	}
	root = lx.xmlDocGetRootElement(ed.doc);
	if (check_single(root, e) < 0 || check_device_cells(root, vm, e) < 0)
		goto out;
	find_unit(&ed, root);
	rewrite_vcpu(&ed, root, vm);
	rewrite_iothreads(&ed, root, vm, &iothreads);
	rewrite_cputune(&ed, root, vm, o, &iothreads);
	rewrite_numatune(&ed, root, vm);
	rewrite_membacking(&ed, root, vm, o);
	if (rewrite_cpu(&ed, root, vm, o, e) < 0)
		goto out;
	if (ed.oom) {
		err_set(e, ENOMEM, "cannot rewrite domain XML");
		goto out;
	}
	out = dx_serialize(ed.doc, dx_doc_quote(xml), e);
out:
	free(ed.set);
	lx.xmlFreeDoc(ed.doc);
	return out;
}

char *domxml_format(const char *xml, struct err *e)
{
	xmlDocPtr doc = dx_parse(xml, e);
	char *out;

	if (!doc)
		return NULL;
	out = dx_serialize(doc, dx_doc_quote(xml), e);
	lx.xmlFreeDoc(doc);
	return out;
}
