/* topo.c - SCAFFOLD: replaced by the real topo_probe() */
#include "probe/probe_int.h"

int topo_probe(struct host *h, const struct fsroot *r, struct err *e)
{
	(void)h;
	(void)r;
	(void)e;
	return 0;
}
