/* node.c - SCAFFOLD: replaced by the real node_probe() */
#include "probe/probe_int.h"

int node_probe(struct host *h, const struct fsroot *r, struct err *e)
{
	(void)h;
	(void)r;
	(void)e;
	return 0;
}
