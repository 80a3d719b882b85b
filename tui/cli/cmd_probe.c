/* cmd_probe.c - `hvtune probe`: the host's facts, as text or JSON */
#include "tui/cli/cli.h"
#include "tui/report/json.h"
#include "tui/report/text.h"
#include "probe/lv.h"
#include "probe/strfmt.h"

#include <errno.h>
#include <string.h>

static const char help[] =
    "usage: hvtune probe [--root DIR] [--json] [--connect URI]\n"
    "\n"
    "Reads the host's /sys and /proc and prints what it found: CPU and NUMA\n"
    "topology, memory and hugepages per node, virtualization (VT-x/AMD-V, KVM,\n"
    "IOMMU, NICs), memory settings, kernel isolation and governors, and TLB\n"
    "figures.  Every fact that could not be read shows \"unknown (<why>)\".\n"
    "\n"
    "options:\n"
    "  --root DIR  read DIR/sys, DIR/proc and DIR/dev instead of the live host's:\n"
    "              a captured tree of another machine is probed like this one\n"
    "  --connect URI  also read the running libvirt domains (\"qemu:///system\"):\n"
    "              vCPUs, memory, live pins, numatune, and their QEMU processes\n"
    "              under the root (vCPU threads, the CPU each last ran on, memory\n"
    "              per node); without it libvirt is not asked (probe stays fast)\n"
    "  --json      print the whole model as one JSON object (pretty-printed);\n"
    "              unknown values are null with a \"<key>_why\" reason; the schema\n"
    "              is in docs/cli.md\n"
    "  -h, --help  this help\n"
    "\n"
    "The text fits the terminal's width (80 columns when not a terminal) and is\n"
    "coloured only on a terminal whose TERM is not \"dumb\" (and no NO_COLOR).\n"
    "\n"
    "exit status: 0 the host was probed, 2 a usage error or the probe failed\n"
    "(no such root, no CPU or NUMA topology, an unreadable file, a libvirt that\n"
    "did not answer within 30 s: HVTUNE_LIBVIRT_TIMEOUT=SECONDS changes that);\n"
    "the reason is one line on stderr.\n";

const struct cli_command cli_cmd_probe = {
    "probe", cli_common_options, NULL, help, false, CLI_FORM_PLAIN,
};

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

/* Takes "--connect URI" / "--connect=URI" out of @argv (the other options
 * are the common ones).  Returns false after printing a usage error. */
static bool take_connect(int *argc, char **argv, const char **uri)
{
	int w = 1;

	*uri = NULL;
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < *argc)
				argv[w++] = argv[i++];
			break;
		}
		if (strncmp(argv[i], "--connect=", 10) == 0) {
			*uri = argv[i] + 10;
		} else if (strcmp(argv[i], "--connect") == 0) {
			if (i + 1 >= *argc) {
				cli_error(
				    "option '--connect' needs a value (see 'hvtune probe --help')");
				return false;
			}
			*uri = argv[++i];
		} else {
			argv[w++] = argv[i];
		}
	}
	if (*uri && !**uri) {
		cli_error("option '--connect' needs a value (see 'hvtune probe --help')");
		return false;
	}
	*argc = w;
	argv[w] = NULL;
	return true;
}

/* The running domains of @uri into @h.  A connection that is refused leaves
 * them unknown with libvirt's reason; a probe error, or a libvirt that does
 * not answer, is fatal. */
static bool probe_vms(struct host *h, const char *root, const char *uri)
{
	struct fsroot r = FSROOT_INIT;
	struct err e = ERR_INIT;
	struct lv *c;
	bool ok = true;

	if (fsroot_open(&r, root, &e) < 0) {
		cli_error("%s", e.msg);
		return false;
	}
	c = lv_open(uri, &e);
	if (!c && lv_unreachable(&e)) {
		/* a daemon that accepts and does not answer is no fact about the
		 * host's VMs: the user asked for them, and must know it hung */
		cli_error("%s", e.msg);
		ok = false;
	} else if (!c) {
		h->vms_known = false;
		strfmt_set(h->vms_why, sizeof(h->vms_why), "%s", e.msg);
	} else if (host_probe_vms(h, &r, c, &e) < 0) {
		cli_error("%s", e.msg);
		ok = false;
	}
	lv_close(c);
	fsroot_close(&r);
	return ok;
}

int cmd_probe(int argc, char **argv)
{
	struct cli_opts o;
	struct host h;
	const char *uri;
	int rc;

	if (!take_connect(&argc, argv, &uri))
		return EXIT_ERR;
	rc = cli_parse_common(argc, argv, &cli_cmd_probe, &o);
	if (rc != CLI_CONTINUE)
		return rc;
	if (!cli_probe(o.root, &h))
		return EXIT_ERR;
	if (uri && !probe_vms(&h, o.root, uri)) {
		host_release(&h);
		return EXIT_ERR;
	}
	if (!uri)
		strfmt_set(h.vms_why, sizeof(h.vms_why), "libvirt not asked: use --connect URI");
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
