/* kern.c - SCAFFOLD: replaced by the real kern_probe() */
#include "probe/probe_int.h"

int kern_probe(struct host *h, const struct fsroot *r, struct err *e)
{
	(void)h;
	(void)r;
	(void)e;
	return 0;
}
