/* cmd_tui.c - 'hvtune tui': its options, then the screens' loop (tui/screens/tui.c) */
#include "tui/cli/cli.h"
#include "tui/screens/tui.h"
#include "apply/journal.h"
#include "planner/plan.h"
#include "planner/profile.h"
#include "probe/lv.h"
#include "probe/strfmt.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void tui_usage(FILE *f)
{
	fputs("usage: hvtune tui [--root DIR] [--connect URI] [--state-dir DIR]\n"
	      "                  [--profile NAME|FILE] [--vm SPEC ...]\n"
	      "\n"
	      "The screens: Host (topology map), Checks, Plan, Apply, Monitor.  'hvtune'\n"
	      "with no arguments on a terminal opens them too.  Keys: 1-5 or Tab for the\n"
	      "tabs, arrows to select, p next profile, r rescan, +/- interval, ? help, q quit.\n"
	      "\n"
	      "  --root DIR          read the host under DIR (a capture) instead of /\n"
	      "  --connect URI       libvirt, for the running VMs and their domain XML\n"
	      "                      (default " LV_DEFAULT_URI " on the live host when it\n"
	      "                      answers).  A child process lists the VMs: the screen\n"
	      "                      never waits for it.  Only an apply or a rollback\n"
	      "                      connects in-process, and may wait for libvirt\n"
	      "  --state-dir DIR     apply's lock and journals (default " JOURNAL_DIR ")\n"
	      "  --profile NAME|FILE the profile of the Plan tab (default: balanced)\n"
	      "  --vm SPEC           a VM to place: NAME:vcpus=N,mem=SIZE[,pages=SIZE][,nic=IF]\n"
	      "                      (repeatable; default: the running domains)\n"
	      "\n"
	      "Exit status: 0 after 'q', 2 a usage error or no terminal.\n",
	      f);
}

static int add_req(struct tui_model *m, const char *spec)
{
	struct vm_request *grown = realloc(m->reqs, (m->nreqs + 1) * sizeof(*m->reqs));
	struct err e = ERR_INIT;

	if (!grown) {
		cli_error("out of memory");
		return -1;
	}
	m->reqs = grown;
	if (plan_parse_vm(&grown[m->nreqs], spec, &e) < 0) {
		cli_error("%s", e.msg);
		return -1;
	}
	m->nreqs++;
	strfmt_set(m->reqs_from, sizeof(m->reqs_from), "--vm");
	return 0;
}

/* Parses the options into @m; returns CLI_CONTINUE or the exit status. */
static int parse(int argc, char **argv, struct tui_model *m)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "connect", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "profile", required_argument, NULL, 'p' },
		{ "vm", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct err e = ERR_INIT;
	const char *profile = NULL;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			strfmt_set(m->root, sizeof(m->root), "%s", optarg);
			break;
		case 'c':
			strfmt_set(m->uri, sizeof(m->uri), "%s", optarg);
			break;
		case 's':
			strfmt_set(m->state_dir, sizeof(m->state_dir), "%s", optarg);
			break;
		case 'p':
			profile = optarg;
			break;
		case 'v':
			if (add_req(m, optarg) < 0)
				return EXIT_ERR;
			break;
		case 'h':
			tui_usage(stdout);
			return EXIT_OK;
		default:
			return cli_option_error(c, argv, "tui", "h");
		}
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s' (see 'hvtune tui --help')", argv[optind]);
		return EXIT_ERR;
	}
	if (profile && profile_find(&m->profile, profile, NULL, &e) < 0) {
		cli_error("%s", e.msg);
		return EXIT_ERR;
	}
	return CLI_CONTINUE;
}

int cmd_tui(int argc, char **argv)
{
	struct tui_model m;
	int rc;

	tui_model_init(&m);
	rc = parse(argc, argv, &m);
	if (rc != CLI_CONTINUE) {
		tui_model_release(&m);
		return rc;
	}
	return tui_run(&m);
}
