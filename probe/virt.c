/* virt.c - SCAFFOLD: replaced by the real virt_probe() */
#include "probe/probe_int.h"

int virt_probe(struct host *h, const struct fsroot *r, struct err *e)
{
	(void)h;
	(void)r;
	(void)e;
	return 0;
}
