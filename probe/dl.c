/* dl.c - dlopen() once per library, every symbol into its wrapper's table (see dl.h) */
#include "probe/dl.h"
#include "probe/strfmt.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

/* One lock for every library: a load happens once per library and process. */
static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

static void dl_resolve(struct dl_lib *l)
{
	void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		strfmt_set(l->error, sizeof(l->error), "cannot load %s (%s)", l->what, dlerror());
		return;
	}
	for (size_t i = 0; i < l->nsyms; i++) {
		void *sym = dlsym(h, l->syms[i].name);

		if (!sym) {
			strfmt_set(l->error, sizeof(l->error),
				   "cannot load %s: no symbol '%s' in %s", l->what, l->syms[i].name,
				   l->soname);
			return;
		}
		/* POSIX guarantees a data pointer from dlsym() converts to a
		 * function pointer; memcpy says so without a cast ISO C lacks. */
		memcpy((char *)l->table + l->syms[i].off, &sym, sizeof(sym));
	}
}

int dl_load(struct dl_lib *l, struct err *e)
{
	pthread_mutex_lock(&dl_lock);
	if (!l->tried) {
		dl_resolve(l);
		l->tried = true;
	}
	pthread_mutex_unlock(&dl_lock);
	if (l->error[0])
		return err_set(e, 0, "%s", l->error);
	return 0;
}
