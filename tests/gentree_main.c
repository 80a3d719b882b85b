/* gentree_main.c - SCAFFOLD: the gentree command line is written by the topology work */
#include <stdio.h>

int main(void)
{
	fputs("gentree: not built yet\n", stderr);
	return 2;
}
