/* SCAFFOLD: check.c */
#include "planner/check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int check_host(const struct host *h, struct finding **out, size_t *n, struct err *e)
{
	struct finding *f = calloc(1, sizeof(*f));

	(void)h;
	*out = NULL;
	*n = 0;
	if (!f)
		return err_set(e, ENOMEM, "out of memory");
	snprintf(f->id, sizeof(f->id), "scaffold");
	f->level = LEVEL_WARN;
	snprintf(f->what, sizeof(f->what), "checks are not built in this tree");
	snprintf(f->why, sizeof(f->why), "planner/check.c is a scaffold");
	*out = f;
	*n = 1;
	return 0;
}

const char *level_str(enum level l)
{
	static const char *const names[] = { "PASS", "INFO", "WARN", "FAIL" };

	return (unsigned)l < LEVEL_COUNT ? names[l] : "?";
}
