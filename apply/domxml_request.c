/* domxml_request.c - a placement request read from a domain XML, and its canonical text
 *
 * domxml_request() reads what a domain asks for (vCPUs, memory and its
 * hugepages, guest NUMA cells, NIC); domxml_canon() prints the owned or the
 * unowned parts of a domain one per line, for tests and diffs.  Through the
 * primitives of domxml_int.h.
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

/* ---- reading a request */

/* libvirt's memory units (virScaleInteger): b/bytes, KB (1000), k/KiB (1024), ... */
static int scale_kib(const char *unit, unsigned long long v, uint64_t *kib)
{
	static const struct {
		const char *name;
		unsigned long long base;
		unsigned power;
	} units[] = {
	    {"b", 1, 0},      {"bytes", 1, 0},	{"k", 1024, 1},	  {"KiB", 1024, 1},
	    {"KB", 1000, 1},  {"M", 1024, 2},	{"MiB", 1024, 2}, {"MB", 1000, 2},
	    {"G", 1024, 3},   {"GiB", 1024, 3}, {"GB", 1000, 3},  {"T", 1024, 4},
	    {"TiB", 1024, 4}, {"TB", 1000, 4},	{"P", 1024, 5},	  {"PiB", 1024, 5},
	    {"PB", 1000, 5},  {"E", 1024, 6},	{"EiB", 1024, 6}, {"EB", 1000, 6},
	};
	uint64_t bytes = v;

	if (!unit || !*unit)
		unit = "KiB";
	for (size_t i = 0; i < ARRAY_LEN(units); i++) {
		bool ci = units[i].name[1] == '\0'; /* one-letter units are case-insensitive */

		if (ci ? strcasecmp(unit, units[i].name) != 0 : strcmp(unit, units[i].name) != 0)
			continue;
		for (unsigned p = 0; p < units[i].power; p++)
			if (__builtin_mul_overflow(bytes, units[i].base, &bytes))
				return -1;
		/* libvirt rounds memory up to whole KiB */
		*kib = bytes / 1024 + (bytes % 1024 != 0);
		return 0;
	}
	return -1;
}

enum size_in { ATTR_CONTENT, ATTR_SIZE, ATTR_MEMORY }; /* text, size=, memory= */

static int read_size(xmlNodePtr n, const char *what, enum size_in in, uint64_t *kib, struct err *e)
{
	unsigned long long v;
	xmlChar *unit = lx.xmlGetNoNsProp(n, BAD_CAST "unit");
	bool ok = in == ATTR_CONTENT ? dx_content_uint(n, &v)
				     : dx_prop_uint(n, in == ATTR_SIZE ? "size" : "memory", &v);
	int rc;

	if (!ok) {
		lx_free(unit);
		return err_set(e, 0, "domain XML line %ld: invalid %s", lx.xmlGetLineNo(n), what);
	}
	rc = scale_kib(unit ? dx_xstr(unit) : NULL, v, kib);
	if (rc < 0)
		err_set(e, 0, "domain XML line %ld: invalid unit '%s' of %s", lx.xmlGetLineNo(n),
			unit ? dx_xstr(unit) : "", what);
	lx_free(unit);
	return rc;
}

static void read_nic(xmlNodePtr devices, char *nic, size_t size)
{
	xmlNodePtr first = NULL;

	for (xmlNodePtr i = devices ? devices->children : NULL; i; i = i->next) {
		xmlChar *type;
		xmlNodePtr a;

		if (!dx_is_el(i, "interface"))
			continue;
		if (!first)
			first = i;
		type = lx.xmlGetNoNsProp(i, BAD_CAST "type");
		a = dx_child(dx_child(i, "source"), "address");
		if (type && strcmp(dx_xstr(type), "hostdev") == 0 && a) {
			unsigned long dom = 0, bus = 0, slot = 0, fn = 0;
			xmlChar *v[4] = {lx.xmlGetNoNsProp(a, BAD_CAST "domain"),
					 lx.xmlGetNoNsProp(a, BAD_CAST "bus"),
					 lx.xmlGetNoNsProp(a, BAD_CAST "slot"),
					 lx.xmlGetNoNsProp(a, BAD_CAST "function")};

			/* libvirt writes them in hex with 0x; strtoul base 0 reads either */
			if (v[0])
				dom = strtoul(dx_xstr(v[0]), NULL, 0);
			if (v[1])
				bus = strtoul(dx_xstr(v[1]), NULL, 0);
			if (v[2])
				slot = strtoul(dx_xstr(v[2]), NULL, 0);
			if (v[3])
				fn = strtoul(dx_xstr(v[3]), NULL, 0);
			strfmt_set(nic, size, "%04lx:%02lx:%02lx.%lx", dom, bus, slot, fn);
			for (int k = 0; k < 4; k++)
				lx_free(v[k]);
			lx_free(type);
			return;
		}
		lx_free(type);
	}
	for (xmlNodePtr i = first; i; i = i->next) {
		xmlChar *dev;

		if (!dx_is_el(i, "interface"))
			continue;
		dev = lx.xmlGetNoNsProp(dx_child(i, "target"), BAD_CAST "dev");
		if (dev) {
			strfmt_set(nic, size, "%s", dx_xstr(dev));
			lx_free(dev);
			return;
		}
	}
}

/* libvirt's id list ("0-3,^2,8"), as virBitmapParse reads it: in order, '^' clears. */
static bool parse_list(const char *s, struct idset *out)
{
	idset_clear(out);
	while (*s) {
		bool neg = *s == '^';
		unsigned long a, b;
		char *end;

		s += neg;
		while (*s == ' ')
			s++;
		if (*s < '0' || *s > '9')
			return false;
		a = b = strtoul(s, &end, 10);
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return false;
			b = strtoul(end + 1, &end, 10);
		}
		if (a > b || b >= IDSET_MAX)
			return false;
		for (unsigned long id = a; id <= b; id++)
			if (neg)
				idset_del(out, (unsigned)id);
			else
				idset_add(out, (unsigned)id);
		while (*end == ' ')
			end++;
		if (*end == ',')
			end++;
		else if (*end != '\0')
			return false;
		s = end;
	}
	return true;
}

/*
 * The guest cells of <cpu><numa>: each cell's vCPUs and memory, by cell id.
 * libvirt takes the cells in any order but wants the ids 0..n-1, each once
 * (no id= is the cell's position).  0 cells without <numa>.
 */
static int read_cells(xmlNodePtr numa, struct vm_request *out, struct err *e)
{
	struct idset seen;
	size_t n = 0, pos = 0;

	for (xmlNodePtr c = numa ? numa->children : NULL; c; c = c->next)
		n += dx_is_el(c, "cell");
	if (n == 0)
		return 0;
	out->cells = calloc(n, sizeof(*out->cells));
	if (!out->cells)
		return err_set(e, ENOMEM, "cannot read domain XML");
	out->ncells = n;
	idset_clear(&seen);
	for (xmlNodePtr c = numa->children; c; c = c->next) {
		unsigned long long id = pos;
		struct cell_request *cr;
		xmlChar *cpus;
		bool ok;

		if (!dx_is_el(c, "cell"))
			continue;
		pos++;
		if (lx.xmlHasProp(c, BAD_CAST "id") && !dx_prop_uint(c, "id", &id))
			id = n;
		if (id >= n || idset_has(&seen, (unsigned)id))
			return err_set(e, 0,
				       "domain XML line %ld: guest cell ids are not 0 to %zu, "
				       "each once",
				       lx.xmlGetLineNo(c), n - 1);
		idset_add(&seen, (unsigned)id);
		cr = &out->cells[id];
		if (read_size(c, "cell memory", ATTR_MEMORY, &cr->mem_kib, e) < 0)
			return -1;
		cpus = lx.xmlGetNoNsProp(c, BAD_CAST "cpus");
		ok = !cpus || parse_list(dx_xstr(cpus), &cr->vcpus);
		lx_free(cpus);
		if (!ok)
			return err_set(e, 0, "domain XML line %ld: invalid cpus of guest cell %llu",
				       lx.xmlGetLineNo(c), id);
	}
	return 0;
}

/* KiB of the memory devices (<memory model='dimm'>, nvdimm, virtio-mem ...):
 * libvirt's <memory> counts them, its NUMA cells do not. */
static int device_memory(xmlNodePtr devices, uint64_t *kib, struct err *e)
{
	*kib = 0;
	for (xmlNodePtr d = devices ? devices->children : NULL; d; d = d->next) {
		xmlNodePtr size = dx_child(dx_child(d, "target"), "size");
		uint64_t v;

		if (!dx_is_el(d, "memory") || !size)
			continue;
		if (read_size(size, "memory device size", ATTR_CONTENT, &v, e) < 0)
			return -1;
		*kib += v;
	}
	return 0;
}

int domxml_request(const char *xml, struct vm_request *out, struct err *e)
{
	xmlDocPtr doc;
	xmlNodePtr root, n, mem;
	xmlChar *s;
	unsigned long long v;
	uint64_t devmem;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	doc = dx_parse(xml, e);
	if (!doc)
		return -1;
	root = lx.xmlDocGetRootElement(doc);
	n = dx_child(root, "name");
	s = n ? lx.xmlNodeGetContent(n) : NULL;
	if (!s || !*s || strlen(dx_xstr(s)) >= sizeof(out->name)) {
		err_set(e, 0, "domain XML has no <name> of 1 to %zu characters",
			sizeof(out->name) - 1);
		lx_free(s);
		goto out;
	}
	strfmt_set(out->name, sizeof(out->name), "%s", dx_xstr(s));
	lx_free(s);
	n = dx_child(root, "vcpu");
	if (!n || !dx_content_uint(n, &v) || v == 0 || v > UINT_MAX) {
		err_set(e, 0, "domain '%s' has no valid <vcpu> count", out->name);
		goto out;
	}
	/* the maximum, not current=: a vCPU plugged in later needs its pCPU too */
	out->vcpus = (unsigned)v;
	if (lx.xmlHasProp(n, BAD_CAST "current") &&
	    (!dx_prop_uint(n, "current", &v) || v == 0 || v > out->vcpus)) {
		err_set(e, 0, "domain XML line %ld: invalid <vcpu current=>", lx.xmlGetLineNo(n));
		goto out;
	}
	if (read_cells(dx_child(dx_child(root, "cpu"), "numa"), out, e) < 0)
		goto out;
	mem = dx_child(root, "memory");
	if (out->ncells > 0) {
		/* libvirt's initial memory is what the cells hold; <memory> is ignored */
		for (size_t k = 0; k < out->ncells; k++)
			out->mem_kib += out->cells[k].mem_kib;
	} else if (!mem) {
		err_set(e, 0, "domain '%s' has no <memory>", out->name);
		goto out;
	} else {
		/* the memory the guest boots with: <memory> less its memory devices
		 * (<currentMemory> is a balloon target the guest may take back) */
		if (read_size(mem, "memory", ATTR_CONTENT, &out->mem_kib, e) < 0 ||
		    device_memory(dx_child(root, "devices"), &devmem, e) < 0)
			goto out;
		if (devmem >= out->mem_kib) {
			err_set(e, 0,
				"domain '%s': memory devices of %" PRIu64
				" KiB leave none of its <memory>",
				out->name, devmem);
			goto out;
		}
		out->mem_kib -= devmem;
	}
	n = dx_child(dx_child(dx_child(root, "memoryBacking"), "hugepages"), "page");
	if (n) {
		uint64_t kib;

		if (read_size(n, "hugepage size", ATTR_SIZE, &kib, e) < 0)
			goto out;
		/* a page of the base size is libvirt's way to say normal pages; a
		 * size no host has stays, for plan_compute() to refuse by name */
		if (!plan_pages_set(out, kib)) {
			out->pages = PAGES_HUGE;
			out->hugepage_kib = kib;
		}
	}
	read_nic(dx_child(root, "devices"), out->nic, sizeof(out->nic));
	rc = 0;
out:
	if (rc < 0)
		vm_request_release(out);
	lx.xmlFreeDoc(doc);
	return rc;
}

/* ---- canonical text of the owned and unowned parts (for tests and diffs) */

/* Owned children of the owned containers, and owned attributes of <cpu>. */
static bool owned_el(const xmlNode *n)
{
	static const struct {
		const char *parent, *name;
	} owned[] = {
	    {"domain", "vcpu"},
	    {"domain", "vcpus"},
	    {"domain", "iothreads"},
	    {"cputune", "vcpupin"},
	    {"cputune", "emulatorpin"},
	    {"cputune", "iothreadpin"},
	    {"cputune", "vcpusched"},
	    {"numatune", "memory"},
	    {"numatune", "memnode"},
	    {"memoryBacking", "hugepages"},
	    {"memoryBacking", "nosharepages"},
	    {"memoryBacking", "locked"},
	    {"cpu", "topology"},
	    {"cpu", "numa"},
	    {"cpu", "model"},
	    {"cpu", "vendor"},
	};
	const xmlNode *p = n->parent;

	if (n->type != XML_ELEMENT_NODE || n->ns || !p || p->type != XML_ELEMENT_NODE)
		return false;
	if (!dx_is_el(p, "domain") && !(p->parent && dx_is_el(p->parent, "domain") &&
					p->parent->parent->type == XML_DOCUMENT_NODE))
		return false;
	for (size_t i = 0; i < ARRAY_LEN(owned); i++)
		if (dx_is_el(p, owned[i].parent) && strcmp(dx_xstr(n->name), owned[i].name) == 0)
			return true;
	return false;
}

static bool container(const xmlNode *n)
{
	return n->parent && dx_is_el(n->parent, "domain") &&
	       (dx_is_el(n, "cputune") || dx_is_el(n, "numatune") || dx_is_el(n, "memoryBacking") ||
		dx_is_el(n, "cpu"));
}

static bool owned_attr(const xmlNode *n, const xmlAttr *a)
{
	return container(n) && dx_is_el(n, "cpu") && !a->ns &&
	       (strcmp(dx_xstr(a->name), "mode") == 0 || strcmp(dx_xstr(a->name), "match") == 0);
}

static void canon_path(struct buf *b, const xmlNode *n)
{
	if (n->parent && n->parent->type == XML_ELEMENT_NODE)
		canon_path(b, n->parent);
	if (n->type == XML_ELEMENT_NODE) {
		dx_puts(b, "/");
		dx_put_name(b, n->ns ? n->ns->prefix : NULL, n->name);
	}
}

enum canon_attrs { CANON_ALL, CANON_UNOWNED, CANON_OWNED };

/* Writes "/path a='v' ..." of @n; false (and nothing) for an owned container
 * with nothing to show: it shows only through its parts. */
static bool canon_el(struct buf *b, const xmlNode *n, enum canon_attrs which)
{
	size_t mark = b->len;
	bool any = false;

	canon_path(b, n);
	for (const xmlNs *ns = n->nsDef; ns && which == CANON_UNOWNED; ns = ns->next) {
		dx_puts(b, " xmlns");
		if (ns->prefix) {
			dx_puts(b, ":");
			dx_puts(b, dx_xstr(ns->prefix));
		}
		dx_puts(b, "='");
		dx_put_escaped(b, ns->href ? dx_xstr(ns->href) : "", false, true);
		dx_puts(b, "'");
		any = true;
	}
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		if ((which == CANON_UNOWNED && owned_attr(n, a)) ||
		    (which == CANON_OWNED && !owned_attr(n, a)))
			continue;
		dx_puts(b, " ");
		dx_put_name(b, a->ns ? a->ns->prefix : NULL, a->name);
		dx_puts(b, "='");
		dx_put_attr_value(b, a, false);
		dx_puts(b, "'");
		any = true;
	}
	if (!any && (which == CANON_OWNED || container(n))) {
		b->len = mark;
		if (b->p)
			b->p[mark] = '\0';
		return false;
	}
	dx_puts(b, "\n");
	return true;
}

/* Text without the blanks at its ends: they are the indentation of the
 * elements around it, which a rewrite moves (whitespace-only text is left out
 * for the same reason). */
static void put_trimmed(struct buf *b, const char *s)
{
	static const char blanks[] = " \t\n\r";
	size_t len;
	char *t;

	s += strspn(s, blanks);
	len = strlen(s);
	while (len > 0 && strchr(blanks, s[len - 1]))
		len--;
	t = strndup(s, len);
	if (!t) {
		b->oom = true;
		return;
	}
	dx_put_escaped(b, t, false, false);
	free(t);
}

static void canon(struct buf *b, const xmlNode *n, enum domxml_part part, bool in_owned)
{
	for (; n; n = n->next) {
		bool owned = in_owned || owned_el(n);

		if (n->type == XML_ELEMENT_NODE) {
			if (part == DOMXML_UNOWNED && owned)
				continue;
			if (part == DOMXML_UNOWNED)
				canon_el(b, n, CANON_UNOWNED);
			else if (owned)
				canon_el(b, n, CANON_ALL);
			else if (container(n))
				canon_el(b, n, CANON_OWNED);
			canon(b, n->children, part, owned);
			continue;
		}
		if ((part == DOMXML_OWNED) != owned || dx_is_ws(n) || n->type == XML_DTD_NODE)
			continue;
		canon_path(b, n);
		switch (n->type) {
		case XML_TEXT_NODE:
			dx_puts(b, " text '");
			break;
		case XML_CDATA_SECTION_NODE:
			dx_puts(b, " cdata '");
			break;
		case XML_COMMENT_NODE:
			dx_puts(b, " comment '");
			break;
		case XML_PI_NODE:
			dx_puts(b, " pi ");
			dx_puts(b, dx_xstr(n->name));
			dx_puts(b, " '");
			break;
		default:
			dx_puts(b, " node '");
			break;
		}
		if (n->type == XML_TEXT_NODE)
			put_trimmed(b, dx_xstr(n->content));
		else
			dx_put_escaped(b, n->content ? dx_xstr(n->content) : "", false, false);
		dx_puts(b, "'\n");
	}
}

char *domxml_canon(const char *xml, enum domxml_part part, struct err *e)
{
	struct buf b = {0};
	xmlDocPtr doc = dx_parse(xml, e);

	if (!doc)
		return NULL;
	dx_puts(&b, "");
	canon(&b, doc->children, part, false);
	lx.xmlFreeDoc(doc);
	if (b.oom) {
		free(b.p);
		return err_set(e, ENOMEM, "cannot format domain XML"), NULL;
	}
	return b.p;
}
