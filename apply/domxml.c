/* domxml.c - domain XML rewrite and read (the only file that includes libxml2)
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

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "probe/dl.h"
#include "probe/strfmt.h"

/*
 * libxml2 is loaded with dlopen() on first use, like libvirt (probe/lv.c):
 * linking it makes every start of hvtune load libicu and libstdc++ too, about
 * 1.3 ms, a third of a whole `hvtune check`.  The headers give the types;
 * every function goes through this table, resolved once.
 */
#define LX_FUNCS(X) \
	X(xmlReadMemory) \
	X(xmlFreeDoc) \
	X(xmlFreeNode) \
	X(xmlUnlinkNode) \
	X(xmlGetLineNo) \
	X(xmlGetNoNsProp) \
	X(xmlGetProp) \
	X(xmlHasProp) \
	X(xmlSetProp) \
	X(xmlUnsetProp) \
	X(xmlNodeSetContent) \
	X(xmlNodeGetContent) \
	X(xmlDocGetRootElement) \
	X(xmlSetStructuredErrorFunc) \
	X(xmlSetGenericErrorFunc) \
	X(xmlStrcmp) \
	X(xmlNewDocText) \
	X(xmlNewDocNode) \
	X(xmlAddPrevSibling) \
	X(xmlAddNextSibling) \
	X(xmlAddChild) \

static struct lx_api {
	LX_FUNCS(DL_MEMBER)
	xmlFreeFunc *xml_free;	/* the variable xmlFree: the free function to use */
} lx;

#define LX_ROW(f) DL_SYM(struct lx_api, f)
static const struct dl_sym lx_syms[] = {
	LX_FUNCS(LX_ROW)
	{ "xmlFree", offsetof(struct lx_api, xml_free) },
};
static struct dl_lib lx_lib = DL_LIB("libxml2", "libxml2.so.2", lx_syms, &lx);

static int lx_load(struct err *e)
{
	return dl_load(&lx_lib, e);
}

/* xmlFree is a variable (or a macro around one) in libxml2's headers */
#define lx_free(p) (*lx.xml_free)(p)

#define SET_TEXT_MAX 40960 /* "0,2,4,...,8190" (every other id of IDSET_MAX) fits */

/* ---- errors: libxml2 reports through a handler; we keep the first error */

struct xerr {
	bool set;
	int line;
	char msg[400];
};

static void on_structured(void *ctx, xmlErrorPtr err)
{
	struct xerr *xe = ctx;
	size_t n;

	if (xe->set || !err || err->level < XML_ERR_ERROR)
		return;
	xe->set = true;
	xe->line = err->line;
	strfmt_set(xe->msg, sizeof(xe->msg), "%s", err->message ? err->message : "unknown error");
	n = strlen(xe->msg);
	while (n > 0 && (xe->msg[n - 1] == '\n' || xe->msg[n - 1] == ' '))
		xe->msg[--n] = '\0';
}

/* Messages that bypass the structured handler must not reach stderr either. */
static void on_generic(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

static const char *xstr(const xmlChar *s)
{
	return (const char *)s;
}

static bool is_el(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns == NULL &&
	       strcmp(xstr(n->name), name) == 0;
}

/* Parses @xml into a tree whose root is <domain>; NULL with @e set. */
static xmlDocPtr parse(const char *xml, struct err *e)
{
	struct xerr xe = {0};
	xmlDocPtr doc;
	xmlNodePtr root;
	size_t len = xml ? strlen(xml) : 0;

	if (lx_load(e) < 0)
		return NULL;
	if (len == 0)
		return err_set(e, 0, "domain XML is empty"), NULL;
	if (len > INT_MAX)
		return err_set(e, 0, "domain XML is too large (%zu bytes)", len), NULL;
	lx.xmlSetStructuredErrorFunc(&xe, on_structured);
	lx.xmlSetGenericErrorFunc(NULL, on_generic);
	/* No XML_PARSE_NOENT (no entity substitution), no DTDLOAD, no network;
	 * blanks are kept so the formatting of untouched parts survives. */
	doc = lx.xmlReadMemory(xml, (int)len, "domain.xml", NULL, XML_PARSE_NONET);
	lx.xmlSetStructuredErrorFunc(NULL, NULL);
	lx.xmlSetGenericErrorFunc(NULL, NULL);
	if (!doc) {
		if (xe.set)
			err_set(e, 0, "domain XML line %d: %s", xe.line, xe.msg);
		else
			err_set(e, ENOMEM, "cannot parse domain XML");
		return NULL;
	}
	if (doc->intSubset || doc->extSubset) {
		/* libvirt never writes one; refusing it rules out entity tricks */
		const char *dt = strstr(xml, "<!DOCTYPE");
		long line = 1;

		for (const char *p = xml; dt && p < dt; p++)
			line += *p == '\n';
		err_set(
		    e, 0,
		    "domain XML line %ld: a DOCTYPE is refused (no DTD or entities in a domain)",
		    line);
		lx.xmlFreeDoc(doc);
		return NULL;
	}
	root = lx.xmlDocGetRootElement(doc);
	if (!is_el(root, "domain")) {
		err_set(e, 0, "domain XML line %ld: the root element is <%s>, not <domain>",
			root ? lx.xmlGetLineNo(root) : 1, root ? xstr(root->name) : "");
		lx.xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

/* ---- serializer */

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (b->len + n + 1 > cap)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/*
 * libvirt style (virBufferEscapeString): < > & " ' escaped in text and
 * attributes.  libxml2 style (xmlNodeDump, used by libvirt for <metadata>):
 * < > & in text (and \r), and also " \n \r \t in attributes.
 */
static void put_escaped(struct buf *b, const char *s, bool libxml, bool attr)
{
	for (; *s; s++) {
		const char *rep = NULL;

		switch (*s) {
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '&':
			rep = "&amp;";
			break;
		case '"':
			rep = !libxml || attr ? "&quot;" : NULL;
			break;
		case '\'':
			rep = !libxml ? "&apos;" : NULL;
			break;
		case '\n':
			rep = libxml && attr ? "&#10;" : NULL;
			break;
		case '\t':
			rep = libxml && attr ? "&#9;" : NULL;
			break;
		case '\r': /* a raw one would read back as \n */
			rep = "&#13;";
			break;
		default:
			break;
		}
		if (rep)
			puts_(b, rep);
		else
			put(b, s, 1);
	}
}

static void put_name(struct buf *b, const xmlChar *prefix, const xmlChar *name)
{
	if (prefix) {
		puts_(b, xstr(prefix));
		puts_(b, ":");
	}
	puts_(b, xstr(name));
}

static void put_attr_value(struct buf *b, const xmlAttr *a, bool libxml)
{
	for (const xmlNode *t = a->children; t; t = t->next) {
		if (t->type == XML_TEXT_NODE && t->content) {
			put_escaped(b, xstr(t->content), libxml, true);
		} else if (t->type == XML_ENTITY_REF_NODE) {
			puts_(b, "&");
			puts_(b, xstr(t->name));
			puts_(b, ";");
		}
	}
}

static void put_nsdefs(struct buf *b, const xmlNode *n, char q)
{
	for (const xmlNs *ns = n->nsDef; ns; ns = ns->next) {
		puts_(b, " xmlns");
		if (ns->prefix) {
			puts_(b, ":");
			puts_(b, xstr(ns->prefix));
		}
		put(b, "=", 1);
		put(b, &q, 1);
		put_escaped(b, ns->href ? xstr(ns->href) : "", q == '"', true);
		put(b, &q, 1);
	}
}

static void put_node(struct buf *b, const xmlNode *n, bool libxml, char quote);

static void put_element(struct buf *b, const xmlNode *n, bool libxml, char quote)
{
	char q = libxml ? '"' : quote;

	puts_(b, "<");
	put_name(b, n->ns ? n->ns->prefix : NULL, n->name);
	/* libxml2 keeps namespace declarations apart from attributes; libxml2
	 * writes them first, libvirt writes the root's xmlns:qemu last. */
	if (libxml)
		put_nsdefs(b, n, q);
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		puts_(b, " ");
		put_name(b, a->ns ? a->ns->prefix : NULL, a->name);
		put(b, "=", 1);
		put(b, &q, 1);
		put_attr_value(b, a, libxml);
		put(b, &q, 1);
	}
	if (!libxml)
		put_nsdefs(b, n, q);
	if (!n->children) {
		puts_(b, "/>");
		return;
	}
	puts_(b, ">");
	for (const xmlNode *c = n->children; c; c = c->next)
		put_node(b, c,
			 libxml || (n->parent && n->parent->type == XML_DOCUMENT_NODE &&
				    is_el(c, "metadata")),
			 quote);
	puts_(b, "</");
	put_name(b, n->ns ? n->ns->prefix : NULL, n->name);
	puts_(b, ">");
}

static void put_node(struct buf *b, const xmlNode *n, bool libxml, char quote)
{
	const char *c = n->content ? xstr(n->content) : "";

	switch (n->type) {
	case XML_ELEMENT_NODE:
		put_element(b, n, libxml, quote);
		break;
	case XML_TEXT_NODE:
		put_escaped(b, c, libxml, false);
		break;
	case XML_CDATA_SECTION_NODE:
		puts_(b, "<![CDATA[");
		puts_(b, c);
		puts_(b, "]]>");
		break;
	case XML_COMMENT_NODE:
		puts_(b, "<!--");
		puts_(b, c);
		puts_(b, "-->");
		break;
	case XML_PI_NODE:
		puts_(b, "<?");
		puts_(b, xstr(n->name));
		if (*c) {
			puts_(b, " ");
			puts_(b, c);
		}
		puts_(b, "?>");
		break;
	case XML_ENTITY_REF_NODE:
		puts_(b, "&");
		puts_(b, xstr(n->name));
		puts_(b, ";");
		break;
	default:
		break;
	}
}

/*
 * The quote of the first attribute of <domain> in @xml, for the whole
 * document: libvirt writes ' but a hand-written file may use ".  The tree
 * does not record quotes, so this is read from the text.
 */
static char doc_quote(const char *xml)
{
	const char *p = xml;

	while ((p = strchr(p, '<')) != NULL) {
		if (strncmp(p, "<!--", 4) == 0) {
			p = strstr(p + 4, "-->");
		} else if (strncmp(p, "<?", 2) == 0 || strncmp(p, "<!", 2) == 0) {
			p = strchr(p + 2, '>');
		} else if (strncmp(p, "<domain", 7) == 0 && strchr(" \t\r\n/>", p[7])) {
			for (p += 7; *p && *p != '>' && *p != '='; p++)
				;
			if (*p != '=')
				break;
			for (p++; *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'; p++)
				;
			return *p == '"' ? '"' : '\'';
		} else {
			p++;
		}
		if (!p)
			break;
	}
	return '\'';
}

/* The document without an XML declaration, one top-level node a line. */
static char *serialize(xmlDocPtr doc, char quote, struct err *e)
{
	struct buf b = {0};

	for (const xmlNode *n = doc->children; n; n = n->next) {
		if (n->type == XML_DTD_NODE)
			continue;
		put_node(&b, n, false, quote);
		puts_(&b, "\n");
	}
	if (b.oom || !b.p) {
		free(b.p);
		return err_set(e, ENOMEM, "cannot format domain XML"), NULL;
	}
	return b.p;
}

/* ---- tree editing that keeps the indentation of the document */

struct ed {
	xmlDocPtr doc;
	bool oom;
	char unit[32]; /* one level of indentation, from the document */
	char *set;     /* SET_TEXT_MAX bytes for formatted id sets */
};

static bool is_ws(const xmlNode *n)
{
	if (!n || n->type != XML_TEXT_NODE)
		return false;
	for (const xmlChar *p = n->content; p && *p; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			return false;
	return true;
}

/* The first child element @name of @parent (any name when NULL), or NULL. */
static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (name ? is_el(c, name) : c->type == XML_ELEMENT_NODE)
			return c;
	return NULL;
}

static bool has_element_child(const xmlNode *parent)
{
	for (const xmlNode *c = parent->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return true;
	return false;
}

/* The line break and indentation in front of @n ("\n    "), or "\n". */
static void indent_of(const xmlNode *n, char *out, size_t size)
{
	const xmlNode *p = n->prev;
	const char *nl;

	if (is_ws(p) && (nl = strrchr(xstr(p->content), '\n')) != NULL) {
		strfmt_set(out, size, "%s", nl);
		return;
	}
	strfmt_set(out, size, "\n");
}

/* The indentation of @parent's children: that of an existing child, or one level more. */
static void child_indent(const struct ed *ed, const xmlNode *parent, char *out, size_t size)
{
	for (const xmlNode *c = parent->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && is_ws(c->prev) &&
		    strchr(xstr(c->prev->content), '\n')) {
			indent_of(c, out, size);
			return;
		}
	}
	if (parent->type == XML_ELEMENT_NODE && parent->parent &&
	    parent->parent->type != XML_DOCUMENT_NODE)
		indent_of(parent, out, size);
	else
		strfmt_set(out, size, "\n");
	strfmt_cat(out, size, "%s", ed->unit);
}

static xmlNodePtr text(struct ed *ed, const char *s)
{
	xmlNodePtr t = lx.xmlNewDocText(ed->doc, BAD_CAST s);

	if (!t)
		ed->oom = true;
	return t;
}

/* Links @n (or frees it on a failure before), for the allocation checks. */
static bool link_ok(struct ed *ed, xmlNodePtr ret, xmlNodePtr n)
{
	if (ret)
		return true;
	lx.xmlFreeNode(n);
	ed->oom = true;
	return false;
}

/* The add_*() and insert() return false when @n could not be linked (then it is freed). */
static bool add_next(struct ed *ed, xmlNodePtr at, xmlNodePtr n)
{
	return n && link_ok(ed, lx.xmlAddNextSibling(at, n), n);
}

static bool add_prev(struct ed *ed, xmlNodePtr at, xmlNodePtr n)
{
	return n && link_ok(ed, lx.xmlAddPrevSibling(at, n), n);
}

static bool add_child(struct ed *ed, xmlNodePtr parent, xmlNodePtr n)
{
	return n && link_ok(ed, lx.xmlAddChild(parent, n), n);
}

/* Whether @n is text whose last line holds only blanks ("text\n    "): the
 * indentation of the node that follows it. */
static bool ends_in_indent(const xmlNode *n)
{
	const char *s, *nl;

	if (!n || n->type != XML_TEXT_NODE || !n->content)
		return false;
	s = xstr(n->content);
	nl = strrchr(s, '\n');
	return nl && strspn(nl + 1, " \t") == strlen(nl + 1);
}

/* Unlinks and frees @n and the whitespace in front of it: a blank text node,
 * or the indentation that ends other text.  Trimming the latter too is what
 * makes a rewrite of a rewrite change nothing: insert() adds the line break
 * and indentation of each element it adds, so one left behind here would be
 * a blank line more on every run. */
static void drop(xmlNodePtr n)
{
	xmlNodePtr p = n->prev;

	if (is_ws(p) && (n->next || !n->parent || n->parent->children != p)) {
		lx.xmlUnlinkNode(p);
		lx.xmlFreeNode(p);
	} else if (!is_ws(p) && ends_in_indent(p)) {
		/* a copy: the content may be in the document's dictionary.  Out of
		 * memory leaves the blank line, which is still the same document */
		char *s = strdup(xstr(p->content));

		if (s) {
			*strrchr(s, '\n') = '\0';
			lx.xmlNodeSetContent(p, BAD_CAST s);
			free(s);
		}
	}
	lx.xmlUnlinkNode(n);
	lx.xmlFreeNode(n);
}

static void drop_all(xmlNodePtr parent, const char *name)
{
	xmlNodePtr c = parent->children;

	while (c) {
		xmlNodePtr next = c->next;

		if (is_el(c, name))
			drop(c);
		c = next;
	}
}

/* Position of @name in @order (NULL-terminated), or -1 for an unknown element. */
static int rank(const char *const *order, const xmlNode *n)
{
	if (n->type != XML_ELEMENT_NODE || n->ns)
		return -1;
	for (int i = 0; order[i]; i++)
		if (strcmp(order[i], xstr(n->name)) == 0)
			return i;
	return -1;
}

/*
 * Inserts the element @n into @parent after the last known child that comes
 * before it in libvirt's format order @order (or before the first that comes
 * after it; or at the end), with the indentation of its siblings.
 */
static bool insert(struct ed *ed, xmlNodePtr parent, xmlNodePtr n, const char *const *order)
{
	char ind[256], pind[256];
	xmlNodePtr after = NULL, before = NULL, last;
	int r;

	if (!n)
		return false;
	r = rank(order, n);
	child_indent(ed, parent, ind, sizeof(ind));
	for (xmlNodePtr c = parent->children; c; c = c->next) {
		int cr = rank(order, c);

		if (cr < 0)
			continue;
		if (cr <= r)
			after = c;
		else if (!before)
			before = c;
	}
	if (after) {
		if (!add_next(ed, after, n))
			return false;
		add_next(ed, after, text(ed, ind));
		return true;
	}
	if (before) {
		if (!add_prev(ed, before, n))
			return false;
		add_prev(ed, before, text(ed, ind));
		return true;
	}
	/* no sibling to follow: the last one, before the closing tag's indentation */
	if (!has_element_child(parent)) {
		xmlNodePtr c = parent->children;

		while (c) {
			xmlNodePtr next = c->next;

			if (is_ws(c)) {
				lx.xmlUnlinkNode(c);
				lx.xmlFreeNode(c);
			}
			c = next;
		}
	}
	last = parent->last;
	if (is_ws(last) && strchr(xstr(last->content), '\n')) {
		char close[256];

		strfmt_set(close, sizeof(close), "%s", strrchr(xstr(last->content), '\n'));
		lx.xmlNodeSetContent(last, BAD_CAST ind);
		if (!add_next(ed, last, n))
			return false;
		add_next(ed, n, text(ed, close));
		return true;
	}
	indent_of(parent, pind, sizeof(pind));
	if (parent->parent && parent->parent->type == XML_DOCUMENT_NODE)
		strfmt_set(pind, sizeof(pind), "\n");
	add_child(ed, parent, text(ed, ind));
	if (!add_child(ed, parent, n))
		return false;
	add_child(ed, parent, text(ed, pind));
	return true;
}

/* Replaces @old (kept in place, with its indentation) by @n; frees @old. */
static bool replace(struct ed *ed, xmlNodePtr old, xmlNodePtr n)
{
	if (!add_prev(ed, old, n))
		return false;
	lx.xmlUnlinkNode(old);
	lx.xmlFreeNode(old);
	return true;
}

static xmlNodePtr el(struct ed *ed, const char *name)
{
	xmlNodePtr n = lx.xmlNewDocNode(ed->doc, NULL, BAD_CAST name, NULL);

	if (!n)
		ed->oom = true;
	return n;
}

static void attr(struct ed *ed, xmlNodePtr n, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void attr(struct ed *ed, xmlNodePtr n, const char *name, const char *fmt, ...)
{
	char val[256];
	va_list ap;

	if (!n)
		return;
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (!lx.xmlSetProp(n, BAD_CAST name, BAD_CAST val))
		ed->oom = true;
}

static void attr_set(struct ed *ed, xmlNodePtr n, const char *name, const struct idset *s)
{
	if (!n)
		return;
	idset_format(s, ed->set, SET_TEXT_MAX);
	if (!lx.xmlSetProp(n, BAD_CAST name, BAD_CAST ed->set))
		ed->oom = true;
}

/* Appends @kid to a new element @n whose own line is indented with @ind. */
static void kid(struct ed *ed, xmlNodePtr n, xmlNodePtr k, const char *ind)
{
	char ki[256];

	if (!n || !k) {
		lx.xmlFreeNode(k);
		ed->oom = true;
		return;
	}
	strfmt_set(ki, sizeof(ki), "%s%s", ind, ed->unit);
	add_child(ed, n, text(ed, ki));
	add_child(ed, n, k);
}

static void kids_done(struct ed *ed, xmlNodePtr n, const char *ind)
{
	if (n && n->children)
		add_child(ed, n, text(ed, ind));
}

/* The child @name of @parent, created at its place in @order when absent. */
static xmlNodePtr need(struct ed *ed, xmlNodePtr parent, const char *name, const char *const *order,
		       bool *created)
{
	xmlNodePtr n = child(parent, name);

	if (created)
		*created = !n;
	if (n)
		return n;
	n = el(ed, name);
	return insert(ed, parent, n, order) ? n : NULL;
}

/* Drops @n when nothing but whitespace is left in it. */
static void drop_if_empty(xmlNodePtr n)
{
	if (!n || has_element_child(n))
		return;
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (!is_ws(c))
			return;
	drop(n);
}

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

static bool parse_uint(const char *s, unsigned long long *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static bool prop_uint(xmlNodePtr n, const char *name, unsigned long long *v)
{
	xmlChar *s = lx.xmlGetNoNsProp(n, BAD_CAST name);
	bool ok = s && parse_uint(xstr(s), v);

	lx_free(s);
	return ok;
}

static bool content_uint(xmlNodePtr n, unsigned long long *v)
{
	xmlChar *s = lx.xmlNodeGetContent(n);
	char *p, *q;
	bool ok = false;

	if (s) {
		/* libvirt accepts surrounding whitespace in numbers (virStrToLong) */
		for (p = (char *)s; *p == ' ' || *p == '\n' || *p == '\t'; p++)
			;
		q = p + strlen(p);
		while (q > p && (q[-1] == ' ' || q[-1] == '\n' || q[-1] == '\t'))
			*--q = '\0';
		ok = parse_uint(p, v);
	}
	lx_free(s);
	return ok;
}

static void rewrite_vcpu(struct ed *ed, xmlNodePtr root, const struct vm_plan *vm)
{
	xmlNodePtr v = need(ed, root, "vcpu", domain_order, NULL), vs;
	unsigned long long cur;
	unsigned count = 0;
	char n[16];

	if (!v)
		return;
	strfmt_set(n, sizeof(n), "%u", vm->vcpus);
	lx.xmlNodeSetContent(v, BAD_CAST n);
	attr(ed, v, "placement", "static");
	/* every vCPU gets a vcpupin, so a cpuset here would only confuse */
	lx.xmlUnsetProp(v, BAD_CAST "cpuset");
	/* libvirt refuses current > maximum; current <= N is the user's choice */
	if (prop_uint(v, "current", &cur) && cur > vm->vcpus)
		lx.xmlUnsetProp(v, BAD_CAST "current");
	/* per-vCPU hotplug states must list exactly N vCPUs.  libvirt reads
	 * them as ./vcpus/vcpu, over every <vcpus>: count them all, and keep or
	 * drop them all, so the next rewrite finds what this one left */
	for (vs = root->children; vs; vs = vs->next)
		for (xmlNodePtr c = is_el(vs, "vcpus") ? vs->children : NULL; c; c = c->next)
			count += is_el(c, "vcpu");
	if (count != vm->vcpus)
		drop_all(root, "vcpus");
}

/* The iothread ids to pin: <iothreadids>, else 1..<iothreads>, else the plan's. */
static void rewrite_iothreads(struct ed *ed, xmlNodePtr root, const struct vm_plan *vm,
			      struct idset *ids)
{
	xmlNodePtr n = child(root, "iothreadids"), io = child(root, "iothreads");
	unsigned long long count = 0, id;

	idset_clear(ids);
	if (n) {
		for (xmlNodePtr c = n->children; c; c = c->next)
			if (is_el(c, "iothread") && prop_uint(c, "id", &id) && id < IDSET_MAX)
				idset_add(ids, (unsigned)id);
		return;
	}
	if (io) {
		content_uint(io, &count);
	} else if (vm->niothreads > 0) {
		char s[16];

		count = vm->niothreads;
		strfmt_set(s, sizeof(s), "%u", vm->niothreads);
		io = el(ed, "iothreads");
		if (io) {
			lx.xmlNodeSetContent(io, BAD_CAST s);
			insert(ed, root, io, domain_order);
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

		if (is_el(c, "vcpusched")) {
			xmlChar *list = lx.xmlGetNoNsProp(c, BAD_CAST "vcpus");

			if (!list || list_reaches(xstr(list), vcpus))
				drop(c);
			lx_free(list);
		}
		c = next;
	}
}

static void rewrite_cputune(struct ed *ed, xmlNodePtr root, const struct vm_plan *vm,
			    const struct domxml_opts *o, const struct idset *iothreads)
{
	xmlNodePtr ct = need(ed, root, "cputune", domain_order, NULL), n;
	const struct idset *iocpus = idset_empty(&vm->iothread) ? &vm->emulator : &vm->iothread;

	if (!ct)
		return;
	drop_all(ct, "vcpupin");
	drop_all(ct, "emulatorpin");
	drop_all(ct, "iothreadpin");
	if (o->vcpusched[0])
		drop_all(ct, "vcpusched");
	else
		drop_vcpusched_beyond(ct, vm->vcpus);
	for (size_t i = 0; i < vm->npins; i++) {
		n = el(ed, "vcpupin");
		attr(ed, n, "vcpu", "%u", vm->pins[i].vcpu);
		attr(ed, n, "cpuset", "%u", vm->pins[i].cpu);
		insert(ed, ct, n, cputune_order);
	}
	if (!idset_empty(&vm->emulator)) {
		n = el(ed, "emulatorpin");
		attr_set(ed, n, "cpuset", &vm->emulator);
		insert(ed, ct, n, cputune_order);
	}
	if (!idset_empty(iocpus)) {
		for (int id = idset_next(iothreads, 0); id >= 0;
		     id = idset_next(iothreads, (unsigned)id + 1)) {
			n = el(ed, "iothreadpin");
			attr(ed, n, "iothread", "%d", id);
			attr_set(ed, n, "cpuset", iocpus);
			insert(ed, ct, n, cputune_order);
		}
	}
	if (o->vcpusched[0]) {
		n = el(ed, "vcpusched");
		if (vm->vcpus > 1)
			attr(ed, n, "vcpus", "0-%u", vm->vcpus - 1);
		else
			attr(ed, n, "vcpus", "0");
		attr(ed, n, "scheduler", "%s", o->vcpusched);
		if (strcmp(o->vcpusched, "fifo") == 0 || strcmp(o->vcpusched, "rr") == 0)
			attr(ed, n, "priority", "%u", o->vcpusched_priority);
		insert(ed, ct, n, cputune_order);
	}
	drop_if_empty(ct);
}

static void rewrite_numatune(struct ed *ed, xmlNodePtr root, const struct vm_plan *vm)
{
	xmlNodePtr nt = need(ed, root, "numatune", domain_order, NULL), n;
	struct idset nodes = vm->nodes;

	if (!nt)
		return;
	drop_all(nt, "memory");
	drop_all(nt, "memnode");
	for (size_t i = 0; i < vm->ncells; i++)
		idset_add(&nodes, vm->cells[i].node);
	if (!idset_empty(&nodes)) {
		n = el(ed, "memory");
		attr(ed, n, "mode", "strict");
		attr_set(ed, n, "nodeset", &nodes);
		insert(ed, nt, n, numatune_order);
	}
	for (size_t i = 0; i < vm->ncells; i++) {
		n = el(ed, "memnode");
		attr(ed, n, "cellid", "%u", vm->cells[i].id);
		attr(ed, n, "mode", "strict");
		attr(ed, n, "nodeset", "%u", vm->cells[i].node);
		insert(ed, nt, n, numatune_order);
	}
	drop_if_empty(nt);
}

static void rewrite_membacking(struct ed *ed, xmlNodePtr root, const struct vm_plan *vm,
			       const struct domxml_opts *o)
{
	xmlNodePtr mb = child(root, "memoryBacking"), hp, old;
	bool emptied = false;
	char ind[256];

	if (!mb && !vm->page_kib && !o->nosharepages && !o->locked)
		return;
	mb = need(ed, root, "memoryBacking", domain_order, NULL);
	if (!mb)
		return;
	old = child(mb, "hugepages");
	if (vm->page_kib) {
		hp = el(ed, "hugepages");
		if (old ? replace(ed, old, hp) : insert(ed, mb, hp, membacking_order)) {
			bool any = false;

			indent_of(hp, ind, sizeof(ind));
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
				pg = el(ed, "page");
				attr(ed, pg, "size", "%" PRIu64, size);
				attr(ed, pg, "unit", "KiB");
				attr_set(ed, pg, "nodeset", &cells);
				kid(ed, hp, pg, ind);
				any = true;
			}
			if (!any) {
				xmlNodePtr pg = el(ed, "page");

				attr(ed, pg, "size", "%" PRIu64, vm->page_kib);
				attr(ed, pg, "unit", "KiB");
				kid(ed, hp, pg, ind);
			}
			kids_done(ed, hp, ind);
		}
	} else if (old) {
		drop(old); /* the plan puts this VM on normal pages */
		emptied = true;
	}
	if (o->nosharepages && !child(mb, "nosharepages"))
		insert(ed, mb, el(ed, "nosharepages"), membacking_order);
	if (o->locked && !child(mb, "locked"))
		insert(ed, mb, el(ed, "locked"), membacking_order);
	if (emptied)
		drop_if_empty(mb);
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
		attr_set(ed, cell, "cpus", &gc->vcpus);
	attr(ed, cell, "memory", "%" PRIu64, gc->mem_kib);
	/* no unit is KiB: one written only when the old one said something else */
	if (lx.xmlHasProp(cell, BAD_CAST "unit"))
		attr(ed, cell, "unit", "KiB");
}

static xmlNodePtr new_cell(struct ed *ed, const struct guest_cell *gc)
{
	xmlNodePtr cell = el(ed, "cell");

	attr(ed, cell, "id", "%u", gc->id);
	if (!idset_empty(&gc->vcpus))
		attr_set(ed, cell, "cpus", &gc->vcpus);
	attr(ed, cell, "memory", "%" PRIu64, gc->mem_kib);
	attr(ed, cell, "unit", "KiB");
	return cell;
}

/* The id of a <cell>: its id=, else its position (libvirt's rule). */
static unsigned long long cell_id(xmlNodePtr cell, unsigned long long pos)
{
	unsigned long long id;

	return prop_uint(cell, "id", &id) ? id : pos;
}

/* Drops the children of @parent named @name whose @a (or @b) names a cell the plan lacks. */
static void drop_refs(xmlNodePtr parent, const char *name, const char *a, const char *b,
		      const struct vm_plan *vm)
{
	xmlNodePtr c = parent ? parent->children : NULL;

	while (c) {
		xmlNodePtr next = c->next;
		unsigned long long id;

		if (is_el(c, name) && ((prop_uint(c, a, &id) && !plan_cell(vm, id)) ||
				       (b && prop_uint(c, b, &id) && !plan_cell(vm, id))))
			drop(c);
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

		if (is_el(c, "cell")) {
			unsigned long long id = cell_id(c, pos++);

			gc = plan_cell(vm, id);
			if (!gc) {
				drop(c);
			} else {
				set_cell(ed, c, gc);
				idset_add(&seen, gc->id);
				drop_refs(child(c, "distances"), "sibling", "id", NULL, vm);
				drop_if_empty(child(c, "distances"));
				last = c;
			}
		}
		c = next;
	}
	for (const char *const *kind = (const char *const[]){"latency", "bandwidth", NULL}; *kind;
	     kind++)
		drop_refs(child(numa, "interconnects"), *kind, "initiator", "target", vm);
	drop_if_empty(child(numa, "interconnects"));
	child_indent(ed, numa, ind, sizeof(ind));
	for (size_t i = 0; i < vm->ncells; i++) {
		xmlNodePtr n;

		if (idset_has(&seen, vm->cells[i].id))
			continue;
		n = new_cell(ed, &vm->cells[i]);
		if (last ? add_next(ed, last, n) && add_next(ed, last, text(ed, ind))
			 : insert(ed, numa, n, numa_order))
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
			n += is_el(c, owned[i]);
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
	for (xmlNodePtr d = child(child(root, "devices"), NULL); d; d = d->next) {
		xmlNodePtr node = child(child(d, "target"), "node");
		unsigned long long id;

		if (d->type != XML_ELEMENT_NODE || !node || !content_uint(node, &id))
			continue;
		if (!plan_cell(vm, id))
			return err_set(e, 0,
				       "plan for '%s' has %zu guest cell(s): the <%s> of domain "
				       "XML line %ld is on guest cell %llu",
				       vm->name, vm->ncells, xstr(d->name), lx.xmlGetLineNo(d), id);
	}
	return 0;
}

static int rewrite_cpu(struct ed *ed, xmlNodePtr root, const struct vm_plan *vm,
		       const struct domxml_opts *o, struct err *e)
{
	xmlNodePtr cpu = child(root, "cpu"), topo, numa, n;
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
	cpu = need(ed, root, "cpu", domain_order, NULL);
	if (!cpu)
		return 0;
	if (passthrough) {
		attr(ed, cpu, "mode", "host-passthrough");
		/* host-passthrough takes no CPU model or vendor to match */
		lx.xmlUnsetProp(cpu, BAD_CAST "match");
		drop_all(cpu, "model");
		drop_all(cpu, "vendor");
	}
	topo = child(cpu, "topology");
	if (topo_known) {
		n = el(ed, "topology");
		attr(ed, n, "sockets", "%u", vm->sockets);
		if (topo && lx.xmlHasProp(topo, BAD_CAST "dies"))
			attr(ed, n, "dies", "1");
		if (topo && lx.xmlHasProp(topo, BAD_CAST "clusters"))
			attr(ed, n, "clusters", "1");
		attr(ed, n, "cores", "%u", vm->cores);
		attr(ed, n, "threads", "%u", vm->threads);
		if (topo)
			replace(ed, topo, n);
		else
			insert(ed, cpu, n, cpu_order);
	} else if (topo) {
		/* no guest topology in the plan: keep the old one only if it still adds up */
		prop_uint(topo, "sockets", &s);
		prop_uint(topo, "cores", &c);
		prop_uint(topo, "threads", &t);
		if (!prop_uint(topo, "dies", &d))
			d = 1;
		if (!prop_uint(topo, "clusters", &cl))
			cl = 1;
		if (s * d * cl * c * t != vm->vcpus)
			drop(topo);
	}
	numa = child(cpu, "numa");
	if (vm->ncells > 0 && numa) {
		rewrite_numa(ed, numa, vm);
	} else if (vm->ncells > 0) {
		n = el(ed, "numa");
		if (insert(ed, cpu, n, cpu_order)) {
			indent_of(n, ind, sizeof(ind));
			for (size_t i = 0; i < vm->ncells; i++)
				kid(ed, n, new_cell(ed, &vm->cells[i]), ind);
			kids_done(ed, n, ind);
		}
	} else if (numa) {
		drop(numa);
	}
	if (!cpu->properties)
		drop_if_empty(cpu);
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
			return err_set(e, 0, "plan for '%s': guest cell %u has no memory",
				       vm->name, vm->cells[i].id);
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
		if (c->type == XML_ELEMENT_NODE && is_ws(c->prev)) {
			indent_of(c, ind, sizeof(ind));
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
	ed.doc = parse(xml, e);
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
	out = serialize(ed.doc, doc_quote(xml), e);
out:
	free(ed.set);
	lx.xmlFreeDoc(ed.doc);
	return out;
}

char *domxml_format(const char *xml, struct err *e)
{
	xmlDocPtr doc = parse(xml, e);
	char *out;

	if (!doc)
		return NULL;
	out = serialize(doc, doc_quote(xml), e);
	lx.xmlFreeDoc(doc);
	return out;
}

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

static int read_size(xmlNodePtr n, const char *what, enum size_in in, uint64_t *kib,
		     struct err *e)
{
	unsigned long long v;
	xmlChar *unit = lx.xmlGetNoNsProp(n, BAD_CAST "unit");
	bool ok = in == ATTR_CONTENT ? content_uint(n, &v)
				     : prop_uint(n, in == ATTR_SIZE ? "size" : "memory", &v);
	int rc;

	if (!ok) {
		lx_free(unit);
		return err_set(e, 0, "domain XML line %ld: invalid %s", lx.xmlGetLineNo(n), what);
	}
	rc = scale_kib(unit ? xstr(unit) : NULL, v, kib);
	if (rc < 0)
		err_set(e, 0, "domain XML line %ld: invalid unit '%s' of %s", lx.xmlGetLineNo(n),
			unit ? xstr(unit) : "", what);
	lx_free(unit);
	return rc;
}

static void read_nic(xmlNodePtr devices, char *nic, size_t size)
{
	xmlNodePtr first = NULL;

	for (xmlNodePtr i = devices ? devices->children : NULL; i; i = i->next) {
		xmlChar *type;
		xmlNodePtr a;

		if (!is_el(i, "interface"))
			continue;
		if (!first)
			first = i;
		type = lx.xmlGetNoNsProp(i, BAD_CAST "type");
		a = child(child(i, "source"), "address");
		if (type && strcmp(xstr(type), "hostdev") == 0 && a) {
			unsigned long dom = 0, bus = 0, slot = 0, fn = 0;
			xmlChar *v[4] = {lx.xmlGetNoNsProp(a, BAD_CAST "domain"),
					 lx.xmlGetNoNsProp(a, BAD_CAST "bus"),
					 lx.xmlGetNoNsProp(a, BAD_CAST "slot"),
					 lx.xmlGetNoNsProp(a, BAD_CAST "function")};

			/* libvirt writes them in hex with 0x; strtoul base 0 reads either */
			if (v[0])
				dom = strtoul(xstr(v[0]), NULL, 0);
			if (v[1])
				bus = strtoul(xstr(v[1]), NULL, 0);
			if (v[2])
				slot = strtoul(xstr(v[2]), NULL, 0);
			if (v[3])
				fn = strtoul(xstr(v[3]), NULL, 0);
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

		if (!is_el(i, "interface"))
			continue;
		dev = lx.xmlGetNoNsProp(child(i, "target"), BAD_CAST "dev");
		if (dev) {
			strfmt_set(nic, size, "%s", xstr(dev));
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
		n += is_el(c, "cell");
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

		if (!is_el(c, "cell"))
			continue;
		pos++;
		if (lx.xmlHasProp(c, BAD_CAST "id") && !prop_uint(c, "id", &id))
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
		ok = !cpus || parse_list(xstr(cpus), &cr->vcpus);
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
		xmlNodePtr size = child(child(d, "target"), "size");
		uint64_t v;

		if (!is_el(d, "memory") || !size)
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
	doc = parse(xml, e);
	if (!doc)
		return -1;
	root = lx.xmlDocGetRootElement(doc);
	n = child(root, "name");
	s = n ? lx.xmlNodeGetContent(n) : NULL;
	if (!s || !*s || strlen(xstr(s)) >= sizeof(out->name)) {
		err_set(e, 0, "domain XML has no <name> of 1 to %zu characters",
			sizeof(out->name) - 1);
		lx_free(s);
		goto out;
	}
	strfmt_set(out->name, sizeof(out->name), "%s", xstr(s));
	lx_free(s);
	n = child(root, "vcpu");
	if (!n || !content_uint(n, &v) || v == 0 || v > UINT_MAX) {
		err_set(e, 0, "domain '%s' has no valid <vcpu> count", out->name);
		goto out;
	}
	/* the maximum, not current=: a vCPU plugged in later needs its pCPU too */
	out->vcpus = (unsigned)v;
	if (lx.xmlHasProp(n, BAD_CAST "current") &&
	    (!prop_uint(n, "current", &v) || v == 0 || v > out->vcpus)) {
		err_set(e, 0, "domain XML line %ld: invalid <vcpu current=>", lx.xmlGetLineNo(n));
		goto out;
	}
	if (read_cells(child(child(root, "cpu"), "numa"), out, e) < 0)
		goto out;
	mem = child(root, "memory");
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
		    device_memory(child(root, "devices"), &devmem, e) < 0)
			goto out;
		if (devmem >= out->mem_kib) {
			err_set(e, 0, "domain '%s': memory devices of %" PRIu64
				" KiB leave none of its <memory>", out->name, devmem);
			goto out;
		}
		out->mem_kib -= devmem;
	}
	n = child(child(child(root, "memoryBacking"), "hugepages"), "page");
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
	read_nic(child(root, "devices"), out->nic, sizeof(out->nic));
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
	if (!is_el(p, "domain") && !(p->parent && is_el(p->parent, "domain") &&
				     p->parent->parent->type == XML_DOCUMENT_NODE))
		return false;
	for (size_t i = 0; i < ARRAY_LEN(owned); i++)
		if (is_el(p, owned[i].parent) && strcmp(xstr(n->name), owned[i].name) == 0)
			return true;
	return false;
}

static bool container(const xmlNode *n)
{
	return n->parent && is_el(n->parent, "domain") &&
	       (is_el(n, "cputune") || is_el(n, "numatune") || is_el(n, "memoryBacking") ||
		is_el(n, "cpu"));
}

static bool owned_attr(const xmlNode *n, const xmlAttr *a)
{
	return container(n) && is_el(n, "cpu") && !a->ns &&
	       (strcmp(xstr(a->name), "mode") == 0 || strcmp(xstr(a->name), "match") == 0);
}

static void canon_path(struct buf *b, const xmlNode *n)
{
	if (n->parent && n->parent->type == XML_ELEMENT_NODE)
		canon_path(b, n->parent);
	if (n->type == XML_ELEMENT_NODE) {
		puts_(b, "/");
		put_name(b, n->ns ? n->ns->prefix : NULL, n->name);
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
		puts_(b, " xmlns");
		if (ns->prefix) {
			puts_(b, ":");
			puts_(b, xstr(ns->prefix));
		}
		puts_(b, "='");
		put_escaped(b, ns->href ? xstr(ns->href) : "", false, true);
		puts_(b, "'");
		any = true;
	}
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		if ((which == CANON_UNOWNED && owned_attr(n, a)) ||
		    (which == CANON_OWNED && !owned_attr(n, a)))
			continue;
		puts_(b, " ");
		put_name(b, a->ns ? a->ns->prefix : NULL, a->name);
		puts_(b, "='");
		put_attr_value(b, a, false);
		puts_(b, "'");
		any = true;
	}
	if (!any && (which == CANON_OWNED || container(n))) {
		b->len = mark;
		if (b->p)
			b->p[mark] = '\0';
		return false;
	}
	puts_(b, "\n");
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
	put_escaped(b, t, false, false);
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
		if ((part == DOMXML_OWNED) != owned || is_ws(n) || n->type == XML_DTD_NODE)
			continue;
		canon_path(b, n);
		switch (n->type) {
		case XML_TEXT_NODE:
			puts_(b, " text '");
			break;
		case XML_CDATA_SECTION_NODE:
			puts_(b, " cdata '");
			break;
		case XML_COMMENT_NODE:
			puts_(b, " comment '");
			break;
		case XML_PI_NODE:
			puts_(b, " pi ");
			puts_(b, xstr(n->name));
			puts_(b, " '");
			break;
		default:
			puts_(b, " node '");
			break;
		}
		if (n->type == XML_TEXT_NODE)
			put_trimmed(b, xstr(n->content));
		else
			put_escaped(b, n->content ? xstr(n->content) : "", false, false);
		puts_(b, "'\n");
	}
}

char *domxml_canon(const char *xml, enum domxml_part part, struct err *e)
{
	struct buf b = {0};
	xmlDocPtr doc = parse(xml, e);

	if (!doc)
		return NULL;
	puts_(&b, "");
	canon(&b, doc->children, part, false);
	lx.xmlFreeDoc(doc);
	if (b.oom) {
		free(b.p);
		return err_set(e, ENOMEM, "cannot format domain XML"), NULL;
	}
	return b.p;
}
