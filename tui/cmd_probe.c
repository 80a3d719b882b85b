/* cmd_probe.c - `hvtune probe`: the host's facts, as text or JSON */
#include "tui/cli.h"
#include "tui/json.h"
#include "tui/text.h"

#include <errno.h>
#include <string.h>

static const char help[] =
	"usage: hvtune probe [--root DIR] [--json]\n"
	"\n"
	"Reads the host's /sys and /proc and prints what it found: CPU and NUMA\n"
	"topology, memory and hugepages per node, virtualization (VT-x/AMD-V, KVM,\n"
	"IOMMU, NICs), memory settings, kernel isolation and governors, and TLB\n"
	"figures.  Every fact that could not be read shows \"unknown (<why>)\".\n"
	"\n"
	"options:\n"
	"  --root DIR  read DIR/sys, DIR/proc and DIR/dev instead of the live host's:\n"
	"              a captured tree of another machine is probed like this one\n"
	"  --json      print the whole model as one JSON object (pretty-printed);\n"
	"              unknown values are null with a \"<key>_why\" reason; the schema\n"
	"              is in docs/cli.md\n"
	"  -h, --help  this help\n"
	"\n"
	"The text fits the terminal's width (80 columns when not a terminal) and is\n"
	"coloured only on a terminal whose TERM is not \"dumb\" (and no NO_COLOR).\n"
	"\n"
	"exit status: 0 the host was probed, 2 a usage error or the probe failed\n"
	"(no such root, no CPU or NUMA topology, an unreadable file); the reason is\n"
	"one line on stderr.\n";

/* Probes @root into @h; prints the error and returns false on failure. */
bool cli_probe(const char *root, struct host *h)
{
	struct fsroot r = FSROOT_INIT;
	struct err e = ERR_INIT;

	if (fsroot_open(&r, root, &e) < 0 || host_probe(h, &r, &e) < 0) {
		fsroot_close(&r);
		cli_error("%s", e.msg);
		return false;
	}
	fsroot_close(&r);
	return true;
}

/* Ends a command's output: a failed write (a full disk, a closed pipe) is an
 * error, not a silent success. */
int cli_flush(int status)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		cli_error("cannot write the output: %s", strerror(errno));
		return EXIT_ERR;
	}
	return status;
}

int cmd_probe(int argc, char **argv)
{
	struct cli_opts o;
	struct host h;
	int rc = cli_parse_common(argc, argv, help, &o);

	if (rc != CLI_CONTINUE)
		return rc;
	if (!cli_probe(o.root, &h))
		return EXIT_ERR;
	rc = EXIT_OK;
	if (o.json) {
		struct json_object *j = json_host(&h);
		struct err e = ERR_INIT;

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
		if (text_host(stdout, &h, &st) < 0) {
			cli_error("out of memory");
			rc = EXIT_ERR;
		}
	}
	host_release(&h);
	return cli_flush(rc);
}
