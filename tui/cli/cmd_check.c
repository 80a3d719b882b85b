/* cmd_check.c - `hvtune check`: is this host ready for KVM guests, and what to fix */
#include "tui/cli/cli.h"
#include "tui/report/json.h"
#include "tui/report/text.h"

#include <stdlib.h>

static const char help[] =
    "usage: hvtune check [--root DIR] [--json]\n"
    "\n"
    "Probes the host and judges it: every check virt-host-validate makes for\n"
    "QEMU (hardware virtualization, /dev/kvm, vhost-net, tun, cgroups, IOMMU,\n"
    "secure guests), with the same verdict, and the tuning checks it does not\n"
    "make (EPT/NPT, nested, hugepages per node, THP, KSM, NUMA balancing, CPU\n"
    "isolation, governors, IRQ balancing, NIC locality).  Each prints as\n"
    "  <what> ......................................... : PASS|INFO|WARN|FAIL\n"
    "and each one that is not PASS is followed by why it matters and the fix;\n"
    "a last line counts them: \"N checks: P pass, W warn, F fail, I info\".\n"
    "\n"
    "options:\n"
    "  --root DIR  judge a captured tree of another machine (DIR/sys, DIR/proc)\n"
    "  --json      print the findings as a JSON array of objects with \"id\",\n"
    "              \"level\", \"what\", \"why\", \"fix\" and \"vhv\" (the matching\n"
    "              virt-host-validate check, null for hvtune's own); see\n"
    "              docs/cli.md\n"
    "  -h, --help  this help\n"
    "\n"
    "The lines fill the terminal's width (80 columns when not a terminal); the\n"
    "levels are coloured only on a terminal whose TERM is not \"dumb\".\n"
    "\n"
    "exit status: 0 nothing FAILs, 1 at least one check FAILs (also with\n"
    "--json), 2 a usage error or the probe failed (the reason on stderr).\n";

const struct cli_command cli_cmd_check = {
    "check", cli_common_options, NULL, help, false, CLI_FORM_PLAIN,
};

int cmd_check(int argc, char **argv)
{
	struct cli_opts o;
	struct host h;
	struct finding *f = NULL;
	struct err e = ERR_INIT;
	size_t n = 0;
	int rc = cli_parse_common(argc, argv, &cli_cmd_check, &o);

	if (rc != CLI_CONTINUE)
		return rc;
	if (!cli_probe(o.root, &h))
		return EXIT_ERR;
	if (check_host(&h, &f, &n, &e) < 0) {
		cli_error("%s", e.msg);
		host_release(&h);
		return EXIT_ERR;
	}
	rc = EXIT_OK;
	for (size_t i = 0; i < n; i++)
		if (f[i].level == LEVEL_FAIL)
			rc = EXIT_BAD;
	if (o.json) {
		struct json_object *j = json_findings(f, n);

		if (!j) {
			cli_error("out of memory");
			rc = EXIT_ERR;
		} else if (json_write(stdout, j, &e) < 0) {
			cli_error("%s", e.msg);
			rc = EXIT_ERR;
		}
		json_free(j);
	} else {
		struct text_style st;

		text_style_init(&st, stdout);
		text_findings(stdout, f, n, &st, NULL);
	}
	free(f);
	host_release(&h);
	return cli_flush(rc);
}
