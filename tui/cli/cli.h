/* cli.h - the subcommands of the plain command line, one function each
 *
 * Each takes the arguments after its own name (argv[0] is the subcommand) and
 * returns the process exit status: 0 success, 1 "the answer is bad news"
 * (a check FAILs, a VM cannot be placed), 2 a usage, input or probe error.
 */
#ifndef HVTUNE_CLI_H
#define HVTUNE_CLI_H

#include <stdbool.h>
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
int cmd_apply(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_journal(int argc, char **argv);
int cmd_monitor(int argc, char **argv);

/* After getopt_long() returned ':' or '?' as @c: says which option of 'hvtune
 * @cmd' was wrong (@flags: the short codes of options that take no value)
 * and returns EXIT_ERR. */
int cli_option_error(int c, char **argv, const char *cmd, const char *flags);

/* Prints "hvtune: <msg>" on stderr (one line, no trailing full stop). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The options every host-reading command takes: --root DIR, --json, --help. */
struct cli_opts {
	const char *root;	/* "/" unless --root */
	bool json;
};

/* cli_parse_common() returns this when the command should go on. */
#define CLI_CONTINUE (-1)

/*
 * Parses @argv (argv[0] is the subcommand's name) with getopt_long.  Returns
 * CLI_CONTINUE with @o filled, or the exit status to return at once: EXIT_OK
 * after printing @help on stdout for -h/--help, EXIT_ERR after a one-line
 * usage error on stderr ("unknown option '--x' (see 'hvtune probe --help')").
 */
int cli_parse_common(int argc, char **argv, const char *help, struct cli_opts *o);

struct host;

/* Opens @root and probes it into @h (caller host_release()s).  On failure
 * prints "hvtune: <why>" and returns false (@h is then empty). */
bool cli_probe(const char *root, struct host *h);

/* Flushes stdout: returns @status, or EXIT_ERR after printing why when the
 * output could not be written. */
int cli_flush(int status);

#endif
