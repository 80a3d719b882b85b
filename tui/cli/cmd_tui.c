/* cmd_tui.c - 'hvtune tui': its options, then the screens' loop (tui/screens/tui_loop.c) */
#include "tui/cli/cli.h"
#include "tui/cli/plan_input.h"
#include "tui/screens/tui.h"
#include "apply/journal.h"
#include "planner/plan.h"
#include "planner/profile.h"
#include "probe/lv.h"
#include "probe/strfmt.h"

#include <stdio.h>
#include <stdlib.h>

static const char tui_help[] =
    "usage: hvtune tui [--root DIR] [--connect URI] [--state-dir DIR]\n"
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
    "Exit status: 0 after 'q', 2 a usage error or no terminal.\n";

static const struct cli_option tui_options[] = {
    {"root", 'r', true, "read the host under DIR instead of /"},
    {"connect", 'c', true, "the libvirt connection"},
    {"state-dir", 's', true, "lock and journals of the Apply tab"},
    {"profile", PLAN_INPUT_PROFILE, true, "the profile of the Plan tab (default: balanced)"},
    {"vm", PLAN_INPUT_VM, true, "a VM to place (repeatable; default: the running domains)"},
    {NULL, 0, false, NULL},
};

const struct cli_command cli_cmd_tui = {
    "tui", tui_options, NULL, tui_help, false, CLI_FORM_PLAIN,
};

/* The options into @m, from the loop of parse(); --profile and --vm into @in. */
static int take_option(struct tui_model *m, struct plan_input *in, int c)
{
	int rc = plan_input_take(in, c, optarg);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (c == 'r')
		strfmt_set(m->root, sizeof(m->root), "%s", optarg);
	else if (c == 'c')
		strfmt_set(m->uri, sizeof(m->uri), "%s", optarg);
	else
		strfmt_set(m->state_dir, sizeof(m->state_dir), "%s", optarg);
	return 0;
}

/* Parses the options into @m; returns CLI_CONTINUE or the exit status. */
static int parse(int argc, char **argv, struct tui_model *m)
{
	struct cli_parser p;
	struct plan_input in;
	struct err e = ERR_INIT;
	int c, rc = CLI_CONTINUE;

	plan_input_init(&in);
	cli_parser_init(&p, &cli_cmd_tui, argc, argv);
	while (rc == CLI_CONTINUE && (c = cli_next(&p)) != CLI_END) {
		if (c == CLI_STOP)
			rc = p.status;
		else if (take_option(m, &in, c) < 0)
			rc = EXIT_ERR;
	}
	if (rc == CLI_CONTINUE)
		rc = cli_no_operands(&p);
	if (rc == CLI_CONTINUE && in.profile &&
	    profile_find(&m->profile, in.profile, NULL, &e) < 0) {
		cli_error("%s", e.msg);
		rc = EXIT_ERR;
	}
	if (rc == CLI_CONTINUE && in.nvms) {
		m->reqs = in.vms;
		m->nreqs = in.nvms;
		strfmt_set(m->reqs_from, sizeof(m->reqs_from), "--vm");
		in.vms = NULL;
		in.nvms = 0;
	}
	plan_input_release(&in);
	return rc;
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
