/* domxml_xml.c - libxml2 loaded once, parsing with the first error, our serializer, tree editing
 *
 * The primitives of apply/domxml.c and domxml_request.c (domxml_int.h): the
 * policy they serve is domxml.c's (libvirt's quoting and format order).
 */
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

struct lx_api lx;

#define LX_ROW(f) DL_SYM(struct lx_api, f)
static const struct dl_sym lx_syms[] = {
    LX_FUNCS(LX_ROW){"xmlFree", offsetof(struct lx_api, xml_free)},
};
static struct dl_lib lx_lib = DL_LIB("libxml2", "libxml2.so.2", lx_syms, &lx);

int lx_load(struct err *e)
{
	return dl_load(&lx_lib, e);
}

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

const char *dx_xstr(const xmlChar *s)
{
	return (const char *)s;
}

bool dx_is_el(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns == NULL &&
	       strcmp(dx_xstr(n->name), name) == 0;
}

/* Parses @xml into a tree whose root is <domain>; NULL with @e set. */
xmlDocPtr dx_parse(const char *xml, struct err *e)
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
	if (!dx_is_el(root, "domain")) {
		err_set(e, 0, "domain XML line %ld: the root element is <%s>, not <domain>",
			root ? lx.xmlGetLineNo(root) : 1, root ? dx_xstr(root->name) : "");
		lx.xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

/* ---- serializer */

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

void dx_puts(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/*
 * libvirt style (virBufferEscapeString): < > & " ' escaped in text and
 * attributes.  libxml2 style (xmlNodeDump, used by libvirt for <metadata>):
 * < > & in text (and \r), and also " \n \r \t in attributes.
 */
void dx_put_escaped(struct buf *b, const char *s, bool libxml, bool attr)
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
			dx_puts(b, rep);
		else
			put(b, s, 1);
	}
}

void dx_put_name(struct buf *b, const xmlChar *prefix, const xmlChar *name)
{
	if (prefix) {
		dx_puts(b, dx_xstr(prefix));
		dx_puts(b, ":");
	}
	dx_puts(b, dx_xstr(name));
}

void dx_put_attr_value(struct buf *b, const xmlAttr *a, bool libxml)
{
	for (const xmlNode *t = a->children; t; t = t->next) {
		if (t->type == XML_TEXT_NODE && t->content) {
			dx_put_escaped(b, dx_xstr(t->content), libxml, true);
		} else if (t->type == XML_ENTITY_REF_NODE) {
			dx_puts(b, "&");
			dx_puts(b, dx_xstr(t->name));
			dx_puts(b, ";");
		}
	}
}

static void put_nsdefs(struct buf *b, const xmlNode *n, char q)
{
	for (const xmlNs *ns = n->nsDef; ns; ns = ns->next) {
		dx_puts(b, " xmlns");
		if (ns->prefix) {
			dx_puts(b, ":");
			dx_puts(b, dx_xstr(ns->prefix));
		}
		put(b, "=", 1);
		put(b, &q, 1);
		dx_put_escaped(b, ns->href ? dx_xstr(ns->href) : "", q == '"', true);
		put(b, &q, 1);
	}
}

static void put_node(struct buf *b, const xmlNode *n, bool libxml, char quote);

static void put_element(struct buf *b, const xmlNode *n, bool libxml, char quote)
{
	char q = libxml ? '"' : quote;

	dx_puts(b, "<");
	dx_put_name(b, n->ns ? n->ns->prefix : NULL, n->name);
	/* libxml2 keeps namespace declarations apart from attributes; libxml2
	 * writes them first, libvirt writes the root's xmlns:qemu last. */
	if (libxml)
		put_nsdefs(b, n, q);
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		dx_puts(b, " ");
		dx_put_name(b, a->ns ? a->ns->prefix : NULL, a->name);
		put(b, "=", 1);
		put(b, &q, 1);
		dx_put_attr_value(b, a, libxml);
		put(b, &q, 1);
	}
	if (!libxml)
		put_nsdefs(b, n, q);
	if (!n->children) {
		dx_puts(b, "/>");
		return;
	}
	dx_puts(b, ">");
	for (const xmlNode *c = n->children; c; c = c->next)
		put_node(b, c,
			 libxml || (n->parent && n->parent->type == XML_DOCUMENT_NODE &&
				    dx_is_el(c, "metadata")),
			 quote);
	dx_puts(b, "</");
	dx_put_name(b, n->ns ? n->ns->prefix : NULL, n->name);
	dx_puts(b, ">");
}

static void put_node(struct buf *b, const xmlNode *n, bool libxml, char quote)
{
	const char *c = n->content ? dx_xstr(n->content) : "";

	switch (n->type) {
	case XML_ELEMENT_NODE:
		put_element(b, n, libxml, quote);
		break;
	case XML_TEXT_NODE:
		dx_put_escaped(b, c, libxml, false);
		break;
	case XML_CDATA_SECTION_NODE:
		dx_puts(b, "<![CDATA[");
		dx_puts(b, c);
		dx_puts(b, "]]>");
		break;
	case XML_COMMENT_NODE:
		dx_puts(b, "<!--");
		dx_puts(b, c);
		dx_puts(b, "-->");
		break;
	case XML_PI_NODE:
		dx_puts(b, "<?");
		dx_puts(b, dx_xstr(n->name));
		if (*c) {
			dx_puts(b, " ");
			dx_puts(b, c);
		}
		dx_puts(b, "?>");
		break;
	case XML_ENTITY_REF_NODE:
		dx_puts(b, "&");
		dx_puts(b, dx_xstr(n->name));
		dx_puts(b, ";");
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
char dx_doc_quote(const char *xml)
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
char *dx_serialize(xmlDocPtr doc, char quote, struct err *e)
{
	struct buf b = {0};

	for (const xmlNode *n = doc->children; n; n = n->next) {
		if (n->type == XML_DTD_NODE)
			continue;
		put_node(&b, n, false, quote);
		dx_puts(&b, "\n");
	}
	if (b.oom || !b.p) {
		free(b.p);
		return err_set(e, ENOMEM, "cannot format domain XML"), NULL;
	}
	return b.p;
}

/* ---- tree editing that keeps the indentation of the document */

bool dx_is_ws(const xmlNode *n)
{
	if (!n || n->type != XML_TEXT_NODE)
		return false;
	for (const xmlChar *p = n->content; p && *p; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			return false;
	return true;
}

/* The first child element @name of @parent (any name when NULL), or NULL. */
xmlNodePtr dx_child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (name ? dx_is_el(c, name) : c->type == XML_ELEMENT_NODE)
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
void dx_indent_of(const xmlNode *n, char *out, size_t size)
{
	const xmlNode *p = n->prev;
	const char *nl;

	if (dx_is_ws(p) && (nl = strrchr(dx_xstr(p->content), '\n')) != NULL) {
		strfmt_set(out, size, "%s", nl);
		return;
	}
	strfmt_set(out, size, "\n");
}

/* The indentation of @parent's children: that of an existing child, or one level more. */
void dx_child_indent(const struct ed *ed, const xmlNode *parent, char *out, size_t size)
{
	for (const xmlNode *c = parent->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && dx_is_ws(c->prev) &&
		    strchr(dx_xstr(c->prev->content), '\n')) {
			dx_indent_of(c, out, size);
			return;
		}
	}
	if (parent->type == XML_ELEMENT_NODE && parent->parent &&
	    parent->parent->type != XML_DOCUMENT_NODE)
		dx_indent_of(parent, out, size);
	else
		strfmt_set(out, size, "\n");
	strfmt_cat(out, size, "%s", ed->unit);
}

xmlNodePtr dx_text(struct ed *ed, const char *s)
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

/* The add_*() and dx_insert() return false when @n could not be linked (then it is freed). */
bool dx_add_next(struct ed *ed, xmlNodePtr at, xmlNodePtr n)
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
	s = dx_xstr(n->content);
	nl = strrchr(s, '\n');
	return nl && strspn(nl + 1, " \t") == strlen(nl + 1);
}

/* Unlinks and frees @n and the whitespace in front of it: a blank text node,
 * or the indentation that ends other text.  Trimming the latter too is what
 * makes a rewrite of a rewrite change nothing: dx_insert() adds the line break
 * and indentation of each element it adds, so one left behind here would be
 * a blank line more on every run. */
void dx_drop(xmlNodePtr n)
{
	xmlNodePtr p = n->prev;

	if (dx_is_ws(p) && (n->next || !n->parent || n->parent->children != p)) {
		lx.xmlUnlinkNode(p);
		lx.xmlFreeNode(p);
	} else if (!dx_is_ws(p) && ends_in_indent(p)) {
		/* a copy: the content may be in the document's dictionary.  Out of
		 * memory leaves the blank line, which is still the same document */
		char *s = strdup(dx_xstr(p->content));

		if (s) {
			*strrchr(s, '\n') = '\0';
			lx.xmlNodeSetContent(p, BAD_CAST s);
			free(s);
		}
	}
	lx.xmlUnlinkNode(n);
	lx.xmlFreeNode(n);
}

void dx_drop_all(xmlNodePtr parent, const char *name)
{
	xmlNodePtr c = parent->children;

	while (c) {
		xmlNodePtr next = c->next;

		if (dx_is_el(c, name))
			dx_drop(c);
		c = next;
	}
}

/* Position of @name in @order (NULL-terminated), or -1 for an unknown element. */
static int rank(const char *const *order, const xmlNode *n)
{
	if (n->type != XML_ELEMENT_NODE || n->ns)
		return -1;
	for (int i = 0; order[i]; i++)
		if (strcmp(order[i], dx_xstr(n->name)) == 0)
			return i;
	return -1;
}

/*
 * Inserts the element @n into @parent after the last known child that comes
 * before it in libvirt's format order @order (or before the first that comes
 * after it; or at the end), with the indentation of its siblings.
 */
bool dx_insert(struct ed *ed, xmlNodePtr parent, xmlNodePtr n, const char *const *order)
{
	char ind[256], pind[256];
	xmlNodePtr after = NULL, before = NULL, last;
	int r;

	if (!n)
		return false;
	r = rank(order, n);
	dx_child_indent(ed, parent, ind, sizeof(ind));
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
		if (!dx_add_next(ed, after, n))
			return false;
		dx_add_next(ed, after, dx_text(ed, ind));
		return true;
	}
	if (before) {
		if (!add_prev(ed, before, n))
			return false;
		add_prev(ed, before, dx_text(ed, ind));
		return true;
	}
	/* no sibling to follow: the last one, before the closing tag's indentation */
	if (!has_element_child(parent)) {
		xmlNodePtr c = parent->children;

		while (c) {
			xmlNodePtr next = c->next;

			if (dx_is_ws(c)) {
				lx.xmlUnlinkNode(c);
				lx.xmlFreeNode(c);
			}
			c = next;
		}
	}
	last = parent->last;
	if (dx_is_ws(last) && strchr(dx_xstr(last->content), '\n')) {
		char close[256];

		strfmt_set(close, sizeof(close), "%s", strrchr(dx_xstr(last->content), '\n'));
		lx.xmlNodeSetContent(last, BAD_CAST ind);
		if (!dx_add_next(ed, last, n))
			return false;
		dx_add_next(ed, n, dx_text(ed, close));
		return true;
	}
	dx_indent_of(parent, pind, sizeof(pind));
	if (parent->parent && parent->parent->type == XML_DOCUMENT_NODE)
		strfmt_set(pind, sizeof(pind), "\n");
	add_child(ed, parent, dx_text(ed, ind));
	if (!add_child(ed, parent, n))
		return false;
	add_child(ed, parent, dx_text(ed, pind));
	return true;
}

/* Replaces @old (kept in place, with its indentation) by @n; frees @old. */
bool dx_replace(struct ed *ed, xmlNodePtr old, xmlNodePtr n)
{
	if (!add_prev(ed, old, n))
		return false;
	lx.xmlUnlinkNode(old);
	lx.xmlFreeNode(old);
	return true;
}

xmlNodePtr dx_el(struct ed *ed, const char *name)
{
	xmlNodePtr n = lx.xmlNewDocNode(ed->doc, NULL, BAD_CAST name, NULL);

	if (!n)
		ed->oom = true;
	return n;
}

void dx_attr(struct ed *ed, xmlNodePtr n, const char *name, const char *fmt, ...)
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

void dx_attr_set(struct ed *ed, xmlNodePtr n, const char *name, const struct idset *s)
{
	if (!n)
		return;
	idset_format(s, ed->set, SET_TEXT_MAX);
	if (!lx.xmlSetProp(n, BAD_CAST name, BAD_CAST ed->set))
		ed->oom = true;
}

/* Appends @kid to a new element @n whose own line is indented with @ind. */
void dx_kid(struct ed *ed, xmlNodePtr n, xmlNodePtr k, const char *ind)
{
	char ki[256];

	if (!n || !k) {
		lx.xmlFreeNode(k);
		ed->oom = true;
		return;
	}
	strfmt_set(ki, sizeof(ki), "%s%s", ind, ed->unit);
	add_child(ed, n, dx_text(ed, ki));
	add_child(ed, n, k);
}

void dx_kids_done(struct ed *ed, xmlNodePtr n, const char *ind)
{
	if (n && n->children)
		add_child(ed, n, dx_text(ed, ind));
}

/* The child @name of @parent, created at its place in @order when absent. */
xmlNodePtr dx_need(struct ed *ed, xmlNodePtr parent, const char *name, const char *const *order,
		   bool *created)
{
	xmlNodePtr n = dx_child(parent, name);

	if (created)
		*created = !n;
	if (n)
		return n;
	n = dx_el(ed, name);
	return dx_insert(ed, parent, n, order) ? n : NULL;
}

/* Drops @n when nothing but whitespace is left in it. */
void dx_drop_if_empty(xmlNodePtr n)
{
	if (!n || has_element_child(n))
		return;
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (!dx_is_ws(c))
			return;
	dx_drop(n);
}

/* ---- numbers in attributes and text */

static bool parse_uint(const char *s, unsigned long long *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

bool dx_prop_uint(xmlNodePtr n, const char *name, unsigned long long *v)
{
	xmlChar *s = lx.xmlGetNoNsProp(n, BAD_CAST name);
	bool ok = s && parse_uint(dx_xstr(s), v);

	lx_free(s);
	return ok;
}

bool dx_content_uint(xmlNodePtr n, unsigned long long *v)
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
