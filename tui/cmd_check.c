/* cmd_check.c - SCAFFOLD: replaced by the real 'hvtune check' */
#include "tui/cli.h"

int cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'check' is not built yet");
	return EXIT_ERR;
}
