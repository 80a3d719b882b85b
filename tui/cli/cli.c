/* cli.c - what every subcommand shares: one-line errors and option parsing */
#include "tui/cli/cli.h"

#include <assert.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probe/strfmt.h"

/* An error quotes what it was given (a VM name, a file's text, libvirt's
 * answer): escaped, so it stays one line and cannot drive the terminal. */
void cli_error(const char *fmt, ...)
{
	char msg[1024], shown[STRFMT_ESC_SIZE(sizeof(msg))];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "hvtune: %s\n", strfmt_esc(msg, shown, sizeof(shown)));
}

/* Whether @c is the code of an option that takes no value ("--json=yes"). */
static bool takes_no_value(const struct cli_command *cmd, int c)
{
	const struct cli_option *tabs[] = {cmd->opts, cmd->more};

	if (c == 'h')
		return true;
	for (size_t t = 0; t < 2; t++)
		for (const struct cli_option *o = tabs[t]; o && o->name; o++)
			if (o->code == c && !o->arg)
				return true;
	return false;
}

/* After getopt_long() returned ':' or '?' as @c: says which option was wrong. */
static int option_error(const struct cli_parser *p, int c)
{
	const char *cmd = p->cmd->name, *opt = p->argv[optind - 1];

	if (p->cmd->form == CLI_FORM_NAMED)
		cli_error("%s: unknown or incomplete option '%s' (see 'hvtune %s --help')", cmd,
			  opt, cmd);
	else if (c == ':')
		cli_error("option '%s' needs a value (see 'hvtune %s --help')", opt, cmd);
	else if (optopt && takes_no_value(p->cmd, optopt))
		cli_error("option '%s' takes no value (see 'hvtune %s --help')", opt, cmd);
	else if (optopt)
		cli_error("unknown option '-%c' (see 'hvtune %s --help')", optopt, cmd);
	else
		cli_error("unknown option '%s' (see 'hvtune %s --help')", opt, cmd);
	return EXIT_ERR;
}

void cli_parser_init(struct cli_parser *p, const struct cli_command *cmd, int argc, char **argv)
{
	const struct cli_option *tabs[] = {cmd->opts, cmd->more};
	size_t n = 0;

	p->cmd = cmd;
	p->argc = argc;
	p->argv = argv;
	p->status = EXIT_OK;
	/* '+': stop at the first operand; ':' tells a missing value from an unknown option */
	snprintf(p->shortopts, sizeof(p->shortopts), "%s%sh", cmd->interleave ? "" : "+",
		 cmd->form == CLI_FORM_PLAIN ? ":" : "");
	for (size_t t = 0; t < 2; t++) {
		for (const struct cli_option *o = tabs[t]; o && o->name; o++) {
			assert(n < CLI_OPTS_MAX);
			p->buf[n].name = o->name;
			p->buf[n].has_arg = o->arg ? required_argument : no_argument;
			p->buf[n].flag = NULL;
			p->buf[n++].val = o->code;
		}
	}
	p->buf[n++] = (struct option){"help", no_argument, NULL, 'h'};
	p->buf[n] = (struct option){NULL, 0, NULL, 0};
	optind = 0; /* GNU: a full re-initialisation, whatever ran before */
	opterr = 0; /* the messages name the command and its --help */
}

int cli_next(struct cli_parser *p)
{
	int c = getopt_long(p->argc, p->argv, p->shortopts, p->buf, NULL);

	if (c == -1)
		return CLI_END;
	if (c == 'h') {
		fputs(p->cmd->help, stdout);
		p->status = EXIT_OK;
		return CLI_STOP;
	}
	if (c == ':' || c == '?') {
		p->status = option_error(p, c);
		return CLI_STOP;
	}
	return c;
}

int cli_no_operands(const struct cli_parser *p)
{
	const char *cmd = p->cmd->name;

	if (optind >= p->argc)
		return CLI_CONTINUE;
	if (p->cmd->form == CLI_FORM_NAMED)
		cli_error("%s: unexpected argument '%s' (see 'hvtune %s --help')", cmd,
			  p->argv[optind], cmd);
	else
		cli_error("unexpected argument '%s' (see 'hvtune %s --help')", p->argv[optind],
			  cmd);
	return EXIT_ERR;
}

const struct cli_option cli_common_options[] = {
    {"root", 'r', true, "read the host under DIR (a capture) instead of /"},
    {"json", 'j', false, "print JSON"},
    {NULL, 0, false, NULL},
};

int cli_parse_common(int argc, char **argv, const struct cli_command *cmd, struct cli_opts *o)
{
	struct cli_parser p;
	int c;

	o->root = "/";
	o->json = false;
	cli_parser_init(&p, cmd, argc, argv);
	while ((c = cli_next(&p)) != CLI_END) {
		if (c == CLI_STOP)
			return p.status;
		if (c == 'r')
			o->root = optarg;
		else
			o->json = true;
	}
	return cli_no_operands(&p);
}
