/* cmd_plan.c - 'hvtune plan' (place VMs, say why) and 'hvtune profiles' (list, show) */
#include "tui/cli/cli.h"
#include "tui/cli/plan_input.h"
#include "tui/report/json_plan.h"
#include "tui/report/text.h"
#include "apply/domxml.h"
#include "planner/plan.h"
#include "planner/profile.h"
#include "probe/fsroot.h"
#include "probe/host.h"
#include "probe/lv.h"
#include "probe/strfmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char plan_help[] =
    "usage: hvtune plan [--root DIR] [--profile NAME|FILE] [--taken CPULIST]\n"
    "                   (--requests FILE | --vm SPEC ... |\n"
    "                    [--connect URI] --domains [NAME...]) [--json]\n"
    "\n"
    "Places a batch of VMs on the host: NUMA node(s), one pCPU per vCPU, emulator\n"
    "and I/O threads, guest topology and NUMA cells, hugepages per node; and the\n"
    "host settings and kernel command line the placement needs.  Every decision\n"
    "comes with its reason.  Nothing is changed: 'hvtune apply' does that.\n"
    "\n"
    "  --root DIR          read the host under DIR (a capture) instead of /\n"
    "  --profile NAME|FILE a profile from 'hvtune profiles', or a .conf file\n"
    "                      (default: balanced)\n"
    "  --requests FILE     JSON: "
    "{\"vms\":[{\"name\":\"vm0\",\"vcpus\":4,\"memory_mib\":4096,\n"
    "                      \"hugepage_kib\":1048576,\"nic\":\"0000:3b:00.0\"}]}\n"
    "  --vm SPEC           NAME:vcpus=N,mem=SIZE[,pages=SIZE|none][,nic=IF|PCI]\n"
    "                      e.g. vm0:vcpus=4,mem=8G,pages=1G,nic=eth2 (repeatable);\n"
    "                      pages=none or 4K: normal pages; else a power of two\n"
    "                      from 64K to 16G.  NAME: printable UTF-8, no '/' or '\\'\n"
    "  --domains [NAME...] the VMs are libvirt domains: the NAMEs, or every\n"
    "                      defined domain, as its definition asks (maximum\n"
    "                      vCPUs, memory, hugepage size, guest NUMA cells,\n"
    "                      a NIC of this host).  The vCPU pins of running\n"
    "                      domains that are not re-planned count as taken CPUs\n"
    "  --connect URI       the libvirt of --domains (default qemu:///system)\n"
    "  --taken CPULIST     CPUs pinned by VMs that are not re-planned (\"8-11,40\")\n"
    "  --json              print the plan as JSON (the input of 'hvtune apply')\n"
    "\n"
    "Exit status: 0 every VM placed, 1 some VM not placed, 2 bad input or error.\n";

static const char profiles_help[] =
    "usage: hvtune profiles\n"
    "       hvtune profiles show NAME|FILE\n"
    "\n"
    "Lists the tuning profiles, one line each, or prints a profile's effective\n"
    "settings (every key, defaults filled in) as INI text.  Profiles are read\n"
    "from $HVTUNE_PROFILES, else the source tree's profiles/, else\n"
    "/usr/share/hvtune/profiles.\n";

static const char *page_str(uint64_t kib, char *buf, size_t size)
{
	if (kib == 0)
		snprintf(buf, size, "normal pages");
	else if (kib % (1024 * 1024) == 0)
		snprintf(buf, size, "%" PRIu64 " GiB pages", kib / (1024 * 1024));
	else if (kib % 1024 == 0)
		snprintf(buf, size, "%" PRIu64 " MiB pages", kib / 1024);
	else
		snprintf(buf, size, "%" PRIu64 " KiB pages", kib);
	return buf;
}

static void print_vm(const struct vm_plan *v)
{
	char buf[512], pg[32];

	page_str(v->page_kib, pg, sizeof(pg));
	if (!v->placed) {
		printf("%s: NOT PLACED (%u vCPUs, %" PRIu64 " MiB, %s)\n", STRFMT_ESC(v->name),
		       v->vcpus, v->mem_kib / 1024, pg);
		printf("  %-14s %s\n", "short of", shortage_str(v->shortage));
		printf("  %-14s %s\n\n", "why", STRFMT_ESC(v->why_not));
		return;
	}
	printf("%s: node%s %s (%u vCPUs, %" PRIu64 " MiB, %s)\n", STRFMT_ESC(v->name),
	       idset_count(&v->nodes) > 1 ? "s" : "", idset_format(&v->nodes, buf, sizeof(buf)),
	       v->vcpus, v->mem_kib / 1024, pg);
	printf("  %-14s", "vCPU -> pCPU");
	for (size_t i = 0; i < v->npins; i++) {
		if (i > 0 && i % 8 == 0)
			printf("\n  %-14s", "");
		printf(" %u->%u", v->pins[i].vcpu, v->pins[i].cpu);
	}
	printf("\n  %-14s %s", "emulator", idset_format(&v->emulator, buf, sizeof(buf)));
	printf("   iothreads %u on %s\n", v->niothreads,
	       idset_format(&v->iothread, buf, sizeof(buf)));
	if (!idset_empty(&v->idle))
		printf("  %-14s %s\n", "held idle", idset_format(&v->idle, buf, sizeof(buf)));
	printf("  %-14s %u socket(s) x %u core(s) x %u thread(s)\n", "guest", v->sockets, v->cores,
	       v->threads);
	for (size_t i = 0; i < v->ncells; i++) {
		const struct guest_cell *c = &v->cells[i];

		/* a memory-only cell (a domain's own, kept) has no vCPUs */
		printf("  %-14s vCPUs %s, %" PRIu64 " MiB on node %u", i == 0 ? "guest cells" : "",
		       idset_empty(&c->vcpus) ? "none" : idset_format(&c->vcpus, buf, sizeof(buf)),
		       c->mem_kib / 1024, c->node);
		if (c->page_kib)
			printf(" (%" PRIu64 " x %s)", c->pages,
			       page_str(c->page_kib, pg, sizeof(pg)));
		putchar('\n');
	}
	for (size_t i = 0; i < v->nreasons; i++)
		printf("  %-14s %s\n", i == 0 ? "why" : "", STRFMT_ESC(v->reasons[i]));
	putchar('\n');
}

static void print_plan(const struct plan *p)
{
	char buf[512];

	printf("host %s, profile %s\n", p->root[0] ? STRFMT_ESC(p->root) : "/",
	       STRFMT_ESC(p->profile));
	printf("housekeeping CPUs %s\n", idset_format(&p->housekeeping, buf, sizeof(buf)));
	for (size_t i = 0; i < p->nreasons; i++)
		printf("  - %s\n", STRFMT_ESC(p->reasons[i]));
	putchar('\n');
	for (size_t i = 0; i < p->nvms; i++)
		print_vm(&p->vms[i]);
	if (p->npools) {
		printf("hugepages per node:\n");
		for (size_t i = 0; i < p->npools; i++) {
			const struct plan_pool *hp = &p->pools[i];

			printf("  node %u %s: %" PRIu64 " used by the plan, %" PRIu64
			       " reserved now (%" PRIu64 " free) -> %" PRIu64 "\n",
			       hp->node, page_str(hp->size_kib, buf, sizeof(buf)), hp->used,
			       hp->total_now, hp->free_now, hp->total);
		}
		putchar('\n');
	}
	if (p->nsettings) {
		printf("host settings ('hvtune apply' writes these):\n");
		for (size_t i = 0; i < p->nsettings; i++) {
			printf("  %s = ", STRFMT_ESC(p->settings[i].path));
			text_put(stdout, p->settings[i].value);
			printf("\n      %s\n", STRFMT_ESC(p->settings[i].reason));
		}
		putchar('\n');
	}
	if (p->ncmdline) {
		printf("kernel command line (advice: needs a reboot, never applied):\n");
		for (size_t i = 0; i < p->ncmdline; i++) {
			fputs("  ", stdout);
			text_put(stdout, p->cmdline[i].arg);
			printf("\n      %s\n", STRFMT_ESC(p->cmdline[i].reason));
		}
		putchar('\n');
	}
	printf("placed %u of %zu VM(s)\n", p->nplaced, p->nvms);
}

static bool wanted(const char *name, char *const *names, size_t nnames, bool *seen)
{
	if (nnames == 0)
		return true;
	for (size_t i = 0; i < nnames; i++) {
		if (strcmp(names[i], name) == 0) {
			seen[i] = true;
			return true;
		}
	}
	return false;
}

/* Whether @nic names a NIC of @h (by name or PCI address). */
static bool host_has_nic(const struct host *h, const char *nic)
{
	for (size_t i = 0; i < h->virt.nnics; i++)
		if (strcmp(h->virt.nics[i].name, nic) == 0 ||
		    (h->virt.nics[i].pci[0] && strcmp(h->virt.nics[i].pci, nic) == 0))
			return true;
	return false;
}

/*
 * The request of domain @name: what its persistent definition asks
 * (domxml_request()).  Its NIC is kept only when it is one of @h's: a
 * guest's tap device (vnet0) is no NIC of the host to place it near.
 */
static int domain_request(struct lv *c, const char *name, const struct host *h,
			  struct vm_request *out)
{
	struct err e = ERR_INIT;
	char *xml = lv_xml(c, name, true, &e);

	memset(out, 0, sizeof(*out));
	if (!xml) {
		cli_error("plan: domain '%s': %s", STRFMT_ESC(name), e.msg);
		return -1;
	}
	/* a definition hvtune cannot read is that VM's NOT PLACED, not the batch's error */
	if (domxml_request(xml, out, &e) < 0) {
		vm_request_release(out);
		memset(out, 0, sizeof(*out));
		strfmt_set(out->name, sizeof(out->name), "%s", name);
		strfmt_set(out->unreadable, sizeof(out->unreadable), "%s", e.msg);
	}
	free(xml);
	if (out->nic[0] && !host_has_nic(h, out->nic))
		out->nic[0] = '\0';
	return 0;
}

/*
 * The requests of --domains: @names (all defined domains when none), and in
 * @taken the vCPU pins of the running domains left as they are.  A pin that
 * covers every online CPU is no pin (libvirt reports an unpinned vCPU so).
 */
static int domain_requests(const char *uri, char *const *names, size_t nnames, const struct host *h,
			   struct vm_request **vms, size_t *nvms, struct idset *taken)
{
	struct lv_domain *d = NULL;
	struct err e = ERR_INIT;
	bool *seen = calloc(nnames ? nnames : 1, sizeof(*seen));
	struct lv *c = NULL;
	size_t n = 0;
	int rc = -1;

	if (!seen) {
		cli_error("out of memory");
		return -1;
	}
	c = lv_open(uri, &e);
	if (!c || lv_domains(c, &d, &n, &e) < 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (wanted(d[i].name, names, nnames, seen)) {
			struct vm_request *g = realloc(*vms, (*nvms + 1) * sizeof(**vms));

			if (!g) {
				cli_error("out of memory");
				goto out;
			}
			*vms = g;
			if (domain_request(c, d[i].name, h, &g[*nvms]) < 0)
				goto out;
			(*nvms)++;
		} else if (d[i].active && d[i].vcpus > 0) {
			struct idset *pins = calloc(d[i].vcpus, sizeof(*pins));

			if (!pins) {
				cli_error("out of memory");
				goto out;
			}
			if (lv_vcpu_pins(c, d[i].name, pins, d[i].vcpus, &e) < 0) {
				cli_error("%s", e.msg);
				free(pins);
				goto out;
			}
			for (unsigned v = 0; v < d[i].vcpus; v++)
				if (!idset_subset(&h->topo.online, &pins[v]))
					idset_or(taken, &pins[v]);
			free(pins);
		}
	}
	for (size_t i = 0; i < nnames; i++) {
		if (!seen[i]) {
			cli_error("plan: no domain '%s' on '%s'", names[i], lv_uri(c));
			goto out;
		}
	}
	rc = 0;
out:
	free(d);
	free(seen);
	lv_close(c);
	return rc;
}

static const struct cli_option plan_options[] = {
    {"root", 'r', true, "read the host under DIR (a capture) instead of /"},
    {"domains", PLAN_INPUT_DOMAINS, false, "the VMs are libvirt domains"},
    {"connect", 'c', true, "the libvirt of --domains"},
    {"json", 'j', false, "print the plan as JSON (the input of 'hvtune apply')"},
    {NULL, 0, false, NULL},
};

const struct cli_command cli_cmd_plan = {
    "plan", plan_options, plan_input_options, plan_help, true, CLI_FORM_NAMED,
};

struct plan_args {
	const char *root, *uri; /* uri: --connect, or NULL */
	bool json;
	struct plan_input in;
	char **names; /* the operands: the domains of --domains */
	size_t nnames;
};

/* What the options together say, before anything is read; EXIT_ERR when it is no plan. */
static int plan_args_check(struct plan_args *a)
{
	struct err e = ERR_INIT;

	if ((a->in.requests != NULL) + (a->in.nvms > 0) + a->in.domains > 1) {
		cli_error("plan: give one of --requests, --vm or --domains");
		return EXIT_ERR;
	}
	if (a->uri && !a->in.domains) {
		cli_error("plan: --connect is for --domains (see 'hvtune plan --help')");
		return EXIT_ERR;
	}
	if (a->in.requests &&
	    json_plan_read_requests(a->in.requests, &a->in.vms, &a->in.nvms, &e) < 0) {
		cli_error("%s", e.msg);
		return EXIT_ERR;
	}
	if (a->in.nvms == 0 && !a->in.domains) {
		cli_error("plan: no VMs to place (use --vm, --requests or --domains; see 'hvtune "
			  "plan --help')");
		return EXIT_ERR;
	}
	return CLI_CONTINUE;
}

/* Parses @argv into @a (caller plan_input_release()s a->in); CLI_CONTINUE or the exit status. */
static int plan_parse(int argc, char **argv, struct plan_args *a)
{
	struct cli_parser p;
	int c, rc;

	a->root = "/";
	a->uri = NULL;
	a->json = false;
	cli_parser_init(&p, &cli_cmd_plan, argc, argv);
	while ((c = cli_next(&p)) != CLI_END) {
		if (c == CLI_STOP)
			return p.status;
		rc = plan_input_take(&a->in, c, optarg);
		if (rc < 0)
			return EXIT_ERR;
		if (rc == 0 && c == 'r')
			a->root = optarg;
		else if (rc == 0 && c == 'c')
			a->uri = optarg;
		else if (rc == 0)
			a->json = true;
	}
	if (!a->in.domains && (rc = cli_no_operands(&p)) != CLI_CONTINUE)
		return rc;
	a->names = argv + optind;
	a->nnames = (size_t)(argc - optind);
	return plan_args_check(a);
}

/* Probes the host and, for --domains, asks libvirt for the requests; false after saying why. */
static bool plan_gather(struct plan_args *a, struct host *h)
{
	const char *uri = a->uri ? a->uri : LV_DEFAULT_URI;

	if (!cli_probe(a->root, h))
		return false;
	if (!a->in.domains)
		return true;
	if (domain_requests(uri, a->names, a->nnames, h, &a->in.vms, &a->in.nvms, &a->in.taken) <
	    0) {
		host_release(h);
		return false;
	}
	if (a->in.nvms == 0) {
		cli_error("plan: no domains to place on '%s'", uri);
		host_release(h);
		return false;
	}
	return true;
}

/* Prints @p as text or JSON; the exit status. */
static int plan_print(const struct plan *p, bool json)
{
	struct err e = ERR_INIT;
	int rc = p->nplaced == p->nvms ? EXIT_OK : EXIT_BAD;

	if (json) {
		char *text = json_plan_format(p, &e);

		if (!text) {
			cli_error("%s", e.msg);
			return EXIT_ERR;
		}
		fputs(text, stdout);
		free(text);
	} else {
		print_plan(p);
	}
	if (fflush(stdout) != 0) {
		cli_error("cannot write the plan");
		rc = EXIT_ERR;
	}
	return rc;
}

int cmd_plan(int argc, char **argv)
{
	struct plan_args a;
	struct profile pf;
	struct host h;
	struct plan p;
	struct err e = ERR_INIT;
	int rc;

	plan_input_init(&a.in);
	rc = plan_parse(argc, argv, &a);
	if (rc != CLI_CONTINUE)
		goto out;
	rc = EXIT_ERR;
	if (profile_find(&pf, a.in.profile ? a.in.profile : "balanced", NULL, &e) < 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if (!plan_gather(&a, &h))
		goto out;
	if (plan_compute(&h, &pf, a.in.vms, a.in.nvms, &a.in.taken, &p, &e) < 0) {
		cli_error("%s", e.msg);
		host_release(&h);
		goto out;
	}
	host_release(&h);
	rc = plan_print(&p, a.json);
	plan_release(&p);
out:
	plan_input_release(&a.in);
	return rc;
}

static int list_profiles(void)
{
	char dir[PROFILE_PATH_MAX];
	char **names;
	size_t n;
	struct err e = ERR_INIT;
	int rc = EXIT_OK;

	profile_dir(dir, sizeof(dir));
	if (profile_names(dir, &names, &n, &e) < 0) {
		cli_error("%s", e.msg);
		return EXIT_ERR;
	}
	if (n == 0) {
		cli_error("no profiles in '%s'", dir);
		rc = EXIT_ERR;
	}
	for (size_t i = 0; i < n; i++) {
		struct profile pf;

		if (profile_find(&pf, names[i], dir, &e) < 0) {
			cli_error("%s", e.msg);
			rc = EXIT_ERR;
			continue;
		}
		printf("%-12s %s\n", STRFMT_ESC(pf.name), STRFMT_ESC(pf.description));
	}
	profile_names_free(names, n);
	return rc;
}

int cmd_profiles(int argc, char **argv)
{
	struct profile pf;
	struct err e = ERR_INIT;
	char *text;
	size_t len;

	if (argc == 1)
		return list_profiles();
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(profiles_help, stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "show") != 0 || argc != 3) {
		cli_error(
		    "profiles: expected no argument or 'show NAME' (see 'hvtune profiles --help')");
		return EXIT_ERR;
	}
	if (profile_find(&pf, argv[2], NULL, &e) < 0) {
		cli_error("%s", e.msg);
		return EXIT_ERR;
	}
	len = profile_format(&pf, NULL, 0);
	text = malloc(len + 1);
	if (!text) {
		cli_error("out of memory");
		return EXIT_ERR;
	}
	profile_format(&pf, text, len + 1);
	text_put_lines(stdout, text);
	free(text);
	return EXIT_OK;
}
