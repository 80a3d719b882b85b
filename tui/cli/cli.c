/* cli.c - what every subcommand shares: one-line errors and option parsing */
#include "tui/cli/cli.h"

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

int cli_option_error(int c, char **argv, const char *cmd, const char *flags)
{
	if (c == ':')
		cli_error("option '%s' needs a value (see 'hvtune %s --help')", argv[optind - 1],
			  cmd);
	else if (optopt && strchr(flags, optopt))
		cli_error("option '%s' takes no value (see 'hvtune %s --help')", argv[optind - 1],
			  cmd);
	else if (optopt)
		cli_error("unknown option '-%c' (see 'hvtune %s --help')", optopt, cmd);
	else
		cli_error("unknown option '%s' (see 'hvtune %s --help')", argv[optind - 1], cmd);
	return EXIT_ERR;
}

int cli_parse_common(int argc, char **argv, const char *help, struct cli_opts *o)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = argv[0];
	int c;

	o->root = "/";
	o->json = false;
	optind = 0;	/* GNU: a full re-initialisation, whatever ran before */
	opterr = 0;	/* the messages below name the command and its --help */
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->root = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			fputs(help, stdout);
			return EXIT_OK;
		default:
			return cli_option_error(c, argv, cmd, "jh");
		}
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s' (see 'hvtune %s --help')", argv[optind], cmd);
		return EXIT_ERR;
	}
	return CLI_CONTINUE;
}

