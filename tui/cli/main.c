/* main.c - hvtune: probe, check, plan, apply and monitor a KVM/libvirt host */
#include "tui/cli/cli.h"
#include "tui/screens/tui.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The subcommands, in pipeline order. */
static const struct command commands[] = {
    {"probe", cmd_probe, "print the host's facts (topology, memory, virtualization, TLB)"},
    {"check", cmd_check, "judge the host's readiness for KVM guests, with fixes"},
    {"plan", cmd_plan, "place VMs: nodes, pinned vCPUs, memory, host settings, with reasons"},
    {"profiles", cmd_profiles, "list the tuning profiles, or show one's settings"},
    {"apply", cmd_apply, "apply a plan: show the changes, confirm, commit with an undo journal"},
    {"rollback", cmd_rollback, "undo an apply from its journal (the newest by default)"},
    {"journal", cmd_journal, "list the apply journals"},
    {"monitor", cmd_monitor, "watch CPUs, vCPU threads, migrations, TLB shootdowns, IRQs live"},
    {"tui", cmd_tui, "the screens: host map, checks, plan, apply, monitor"},
};

static void usage(FILE *f)
{
	fputs("usage: hvtune <command> [options]\n"
	      "       hvtune <command> --help\n"
	      "\n"
	      "A virtualization-aware tuner and inspector for KVM/libvirt hosts.\n"
	      "\n"
	      "commands:\n",
	      f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n"
	      "\n"
	      "options:\n"
	      "  -h, --help     this help ('hvtune <command> --help' for a command's)\n"
	      "  -V, --version  print the version\n"
	      "\n"
	      "Every command reads the host through --root DIR (default /), so a\n"
	      "captured /sys + /proc tree of another machine is read like this one.\n"
	      "Exit status: 0 ok, 1 bad news (a check fails, a VM does not fit), 2 error.\n"
	      "The command line and its JSON output are described in docs/cli.md.\n",
	      f);
}

int main(int argc, char **argv)
{
	if (argc < 2 && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		char *tui_argv[] = {(char *)"tui", NULL};

		return cmd_tui(1, tui_argv);
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("hvtune %s\n", HVTUNE_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		cli_error("unknown option '%s' (see 'hvtune --help')", argv[1]);
	else
		cli_error("unknown command '%s' (see 'hvtune --help')", argv[1]);
	return EXIT_ERR;
}
