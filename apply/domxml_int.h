/* domxml_int.h - libxml2 and the tree primitives shared by the domxml*.c files (internal to apply/)
 *
 * domxml_xml.c loads libxml2 (probe/dl.h) and holds the parsing, the
 * serializer and the editing of a tree that keeps its indentation;
 * domxml.c rewrites a domain with them, domxml_request.c reads a request and
 * the canonical text.  These four files are the only ones that include
 * libxml2 (tests/layering.sh).
 */
#ifndef HVTUNE_DOMXML_INT_H
#define HVTUNE_DOMXML_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "apply/domxml.h"
#include "probe/dl.h"

/*
 * libxml2 is loaded with dlopen() on first use, like libvirt (probe/lv.c):
 * linking it makes every start of hvtune load libicu and libstdc++ too, about
 * 1.3 ms, a third of a whole `hvtune check`.  The headers give the types;
 * every function goes through this table, resolved once.
 */
#define LX_FUNCS(X)                                                                                \
	X(xmlReadMemory)                                                                           \
	X(xmlFreeDoc)                                                                              \
	X(xmlFreeNode)                                                                             \
	X(xmlUnlinkNode)                                                                           \
	X(xmlGetLineNo)                                                                            \
	X(xmlGetNoNsProp)                                                                          \
	X(xmlGetProp)                                                                              \
	X(xmlHasProp)                                                                              \
	X(xmlSetProp)                                                                              \
	X(xmlUnsetProp)                                                                            \
	X(xmlNodeSetContent)                                                                       \
	X(xmlNodeGetContent)                                                                       \
	X(xmlDocGetRootElement)                                                                    \
	X(xmlSetStructuredErrorFunc)                                                               \
	X(xmlSetGenericErrorFunc)                                                                  \
	X(xmlStrcmp)                                                                               \
	X(xmlNewDocText)                                                                           \
	X(xmlNewDocNode)                                                                           \
	X(xmlAddPrevSibling)                                                                       \
	X(xmlAddNextSibling)                                                                       \
	X(xmlAddChild)

struct lx_api {
	LX_FUNCS(DL_MEMBER)
	xmlFreeFunc *xml_free; /* the variable xmlFree: the free function to use */
};

/* libxml2's functions: complete after lx_load() returned 0 */
extern struct lx_api lx;
/* Loads libxml2 once (any thread).  -1 with @e set: "cannot load libxml2 (...)". */
int lx_load(struct err *e);

/* xmlFree is a variable (or a macro around one) in libxml2's headers */
#define lx_free(p) (*lx.xml_free)(p)

#define SET_TEXT_MAX 40960 /* "0,2,4,...,8190" (every other id of IDSET_MAX) fits */

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

struct ed {
	xmlDocPtr doc;
	bool oom;
	char unit[32]; /* one level of indentation, from the document */
	char *set;     /* SET_TEXT_MAX bytes for formatted id sets */
};

/*
 * dx_parse() returns the document or NULL with @e set; dx_serialize() returns
 * the text (caller free()s) or NULL.  The editing calls record an allocation
 * failure in @ed->oom (or @b->oom) and carry on: the caller checks it once.
 */
/* the first error libxml2 reports, and parsing */
const char *dx_xstr(const xmlChar *s);
bool dx_is_el(const xmlNode *n, const char *name);
xmlDocPtr dx_parse(const char *xml, struct err *e);

/* the serializer: libvirt's style, libxml2's below <metadata> (domxml.c says why) */
void dx_puts(struct buf *b, const char *s);
void dx_put_escaped(struct buf *b, const char *s, bool libxml, bool attr);
void dx_put_name(struct buf *b, const xmlChar *prefix, const xmlChar *name);
void dx_put_attr_value(struct buf *b, const xmlAttr *a, bool libxml);
char dx_doc_quote(const char *xml);
char *dx_serialize(xmlDocPtr doc, char quote, struct err *e);

/* tree editing that keeps the indentation of the document */
bool dx_is_ws(const xmlNode *n);
xmlNodePtr dx_child(xmlNodePtr parent, const char *name);
void dx_indent_of(const xmlNode *n, char *out, size_t size);
void dx_child_indent(const struct ed *ed, const xmlNode *parent, char *out, size_t size);
xmlNodePtr dx_text(struct ed *ed, const char *s);
bool dx_add_next(struct ed *ed, xmlNodePtr at, xmlNodePtr n);
void dx_drop(xmlNodePtr n);
void dx_drop_all(xmlNodePtr parent, const char *name);
bool dx_insert(struct ed *ed, xmlNodePtr parent, xmlNodePtr n, const char *const *order);
bool dx_replace(struct ed *ed, xmlNodePtr old, xmlNodePtr n);
xmlNodePtr dx_el(struct ed *ed, const char *name);
void dx_attr(struct ed *ed, xmlNodePtr n, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void dx_attr_set(struct ed *ed, xmlNodePtr n, const char *name, const struct idset *s);
void dx_kid(struct ed *ed, xmlNodePtr n, xmlNodePtr k, const char *ind);
void dx_kids_done(struct ed *ed, xmlNodePtr n, const char *ind);
xmlNodePtr dx_need(struct ed *ed, xmlNodePtr parent, const char *name, const char *const *order,
		   bool *created);
void dx_drop_if_empty(xmlNodePtr n);

/* numbers in attributes and text (libvirt's parsing: digits only, whitespace around text) */
bool dx_prop_uint(xmlNodePtr n, const char *name, unsigned long long *v);
bool dx_content_uint(xmlNodePtr n, unsigned long long *v);

#endif
