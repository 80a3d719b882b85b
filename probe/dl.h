/* dl.h - a shared library loaded with dlopen() on first use, its functions into a table
 *
 * hvtune links neither libvirt nor libxml2: linking them costs every start
 * (libvirt's 55 libraries, about 7.5 ms; libxml2's libicu and libstdc++,
 * about 1.3 ms), and `check` or `probe` need neither.  Each wrapper (probe/lv.c,
 * apply/domxml.c) declares a struct of typed function pointers and a table of
 * {name, offset} rows with DL_FUNCS; dl_load() fills the struct once.
 *
 *	#define LX_FUNCS(X) X(xmlReadMemory) X(xmlFreeDoc)
 *	static struct lx_api { LX_FUNCS(DL_MEMBER) } lx;
 *	#define LX_ROW(f) DL_SYM(struct lx_api, f)
 *	static const struct dl_sym lx_syms[] = { LX_FUNCS(LX_ROW) };
 *	static struct dl_lib lx_lib = DL_LIB("libxml2", "libxml2.so.2", lx_syms, &lx);
 *	...  if (dl_load(&lx_lib, e) < 0) return -1;  lx.xmlReadMemory(...)
 *
 * A library is never unloaded: libvirt and libxml2 keep thread-local state
 * and global handlers that must outlive any use of them.
 */
#ifndef HVTUNE_DL_H
#define HVTUNE_DL_H

#include <stdbool.h>
#include <stddef.h>

#include "probe/err.h"

/* One function: its name and where its pointer goes in the table. */
struct dl_sym {
	const char *name;
	size_t off;
};

#define DL_MEMBER(f)	__typeof__(f) *f;
#define DL_SYM(type, f) {#f, offsetof(type, f)},

struct dl_lib {
	const char *what;   /* "libvirt", for messages */
	const char *soname; /* "libvirt.so.0" */
	const struct dl_sym *syms;
	size_t nsyms;
	void *table; /* the struct of pointers syms[].off index */
	/* dl_load()'s, under its lock: */
	bool tried;
	char error[256]; /* "" once loaded */
};

#define DL_LIB(what, soname, syms, table)                                                          \
	{                                                                                          \
		(what), (soname), (syms), ARRAY_LEN(syms), (table), false, ""                      \
	}

/*
 * Loads @l and resolves every symbol the first time (from any thread; the
 * others wait), and returns 0 once the table is complete.  Else -1 and the
 * same error on every call: "cannot load libvirt (libvirt.so.0: cannot open
 * shared object file: ...)" or "cannot load libvirt: no symbol
 * 'virDomainPinIOThread' in libvirt.so.0".
 */
int dl_load(struct dl_lib *l, struct err *e);

#endif
