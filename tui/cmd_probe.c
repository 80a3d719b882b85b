/* cmd_probe.c - SCAFFOLD: replaced by the real 'hvtune probe' */
#include "tui/cli.h"

int cmd_probe(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'probe' is not built yet");
	return EXIT_ERR;
}
