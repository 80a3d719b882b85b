/* cli.h - the subcommands of the plain command line, one function each
 *
 * Each takes the arguments after its own name (argv[0] is the subcommand) and
 * returns the process exit status: 0 success, 1 "the answer is bad news"
 * (a check FAILs, a VM cannot be placed), 2 a usage, input or probe error.
 */
#ifndef HVTUNE_CLI_H
#define HVTUNE_CLI_H

#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>

enum exit_code { EXIT_OK = 0, EXIT_BAD = 1, EXIT_ERR = 2 };

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary; /* one line for "hvtune --help" */
};

int cmd_probe(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_journal(int argc, char **argv);
int cmd_monitor(int argc, char **argv);

/*
 * A command's options, declared as a table (tmux's cmd_entry): one row each,
 * ended by a row whose name is NULL.  -h/--help is every command's and is
 * not a row.
 */
struct cli_option {
	const char *name; /* "root" for --root */
	int code;	  /* what cli_next() returns for it */
	bool arg;	  /* takes a value (--root DIR, --root=DIR) */
	const char *help; /* its line in --help, without the option */
};

enum cli_form {
	CLI_FORM_PLAIN, /* "unknown option '--x'", "option '--x' needs a value" */
	CLI_FORM_NAMED, /* "<cmd>: unknown or incomplete option '--x'" */
};

struct cli_command {
	const char *name;	       /* "plan" */
	const struct cli_option *opts; /* the table */
	const struct cli_option *more; /* a second table (shared rows), or NULL */
	const char *help;	       /* the whole --help text */
	bool interleave;	       /* options may follow operands */
	enum cli_form form;	       /* the wording of usage errors (both are in the tests) */
};

#define CLI_OPTS_MAX 24

/* The state of one walk over a command's options. */
struct cli_parser {
	const struct cli_command *cmd;
	int argc;
	char **argv;
	int status; /* after CLI_STOP: the exit status */
	char shortopts[8];
	struct option buf[CLI_OPTS_MAX + 2];
};

/* cli_next() returns this at the end of the options, and CLI_STOP when the
 * command must return p->status at once (help printed, or a usage error). */
#define CLI_END	 (-1)
#define CLI_STOP (-2)

void cli_parser_init(struct cli_parser *p, const struct cli_command *cmd, int argc, char **argv);

/*
 * The next option's code, its value in optarg; CLI_END after the last
 * (optind is then the first operand); CLI_STOP after printing the help on
 * stdout (p->status EXIT_OK) or a one-line usage error on stderr (EXIT_ERR).
 */
int cli_next(struct cli_parser *p);

/* After cli_next() returned CLI_END: EXIT_ERR after "unexpected argument"
 * when there are operands left, else CLI_CONTINUE. */
int cli_no_operands(const struct cli_parser *p);

/* Prints "hvtune: <msg>" on stderr (one line, no trailing full stop). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The options every host-reading command takes: --root DIR, --json, --help. */
struct cli_opts {
	const char *root; /* "/" unless --root */
	bool json;
};

/* cli_parse_common() returns this when the command should go on. */
#define CLI_CONTINUE (-1)

/*
 * Parses @argv (argv[0] is the subcommand's name) as @cmd, whose table is
 * cli_common_options[].  Returns CLI_CONTINUE with @o filled, or the exit
 * status to return at once: EXIT_OK after printing its help on stdout for -h/--help, EXIT_ERR after
 * a one-line usage error on stderr ("unknown option '--x' (see 'hvtune probe --help')").
 */
int cli_parse_common(int argc, char **argv, const struct cli_command *cmd, struct cli_opts *o);

/* --root DIR and --json: the table of cli_parse_common(). */
extern const struct cli_option cli_common_options[];

/* Every command's table and help (tests/test_cli_help.c checks that the help
 * names each option of the table). */
extern const struct cli_command cli_cmd_probe, cli_cmd_check, cli_cmd_plan, cli_cmd_apply,
    cli_cmd_rollback, cli_cmd_journal, cli_cmd_monitor, cli_cmd_tui;

struct host;

/* Opens @root and probes it into @h (caller host_release()s).  On failure
 * prints "hvtune: <why>" and returns false (@h is then empty). */
bool cli_probe(const char *root, struct host *h);

/* Flushes stdout: returns @status, or EXIT_ERR after printing why when the
 * output could not be written. */
int cli_flush(int status);

#endif
