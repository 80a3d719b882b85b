/* cli.h - the subcommands of the plain command line, one function each
 *
 * Each takes the arguments after its own name (argv[0] is the subcommand) and
 * returns the process exit status: 0 success, 1 "the answer is bad news"
 * (a check FAILs, a VM cannot be placed), 2 a usage, input or probe error.
 */
#ifndef HVTUNE_CLI_H
#define HVTUNE_CLI_H

#include <stdio.h>

enum exit_code { EXIT_OK = 0, EXIT_BAD = 1, EXIT_ERR = 2 };

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;	/* one line for "hvtune --help" */
};

int cmd_probe(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_profiles(int argc, char **argv);

/* Prints "hvtune: <msg>" on stderr (one line, no trailing full stop). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
