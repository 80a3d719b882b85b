/* cmd_apply.c - 'hvtune apply' (show, confirm, commit), 'hvtune rollback' and 'hvtune journal' */
#include "tui/cli/cli.h"
#include "tui/cli/plan_input.h"
#include "tui/report/json_journal.h"
#include "tui/report/json_plan.h"
#include "tui/report/text.h"
#include "apply/apply.h"
#include "planner/plan.h"
#include "planner/profile.h"
#include "probe/fsroot.h"
#include "probe/host.h"
#include "probe/strfmt.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char apply_help[] =
    "usage: hvtune apply [--dry-run] [--yes] [--connect URI] [--state-dir DIR]\n"
    "                    [--root DIR] (--plan FILE | PLAN OPTIONS)\n"
    "\n"
    "Applies a plan: shows every change first (a unified diff of each domain's\n"
    "XML, the live vCPU/emulator/iothread pins and numatune of running domains,\n"
    "and a table of host file writes), asks, then commits with an undo journal.\n"
    "Any failure undoes what was done, newest first.  libvirt changes a running\n"
    "domain's numatune only where it can (nodeset, strict mode, cgroups): a\n"
    "refusal is a note, the definition carries it to the next start.  Applying\n"
    "the same plan twice changes nothing.\n"
    "\n"
    "  --plan FILE       the JSON of 'hvtune plan --json'; or give the options of\n"
    "                    'hvtune plan' (--profile, --requests, --vm, --taken)\n"
    "  --profile FILE    with --plan: the profile file the plan was made with\n"
    "                    (for the XML options), when it is not in 'hvtune profiles'\n"
    "  --dry-run         show the changes and stop\n"
    "  --yes             do not ask (needed when stdin is not a terminal)\n"
    "  --connect URI     libvirt connection (default " LV_DEFAULT_URI " on the live\n"
    "                    host; none with --root DIR: domains are then not changed)\n"
    "  --state-dir DIR   lock and journals (default " JOURNAL_DIR ", made 0700)\n"
    "  --root DIR        write the host files under DIR (a copy of a capture)\n"
    "\n"
    "Only these files are ever written: hugepages nr_hugepages (global and per\n"
    "node), transparent_hugepage/{enabled,defrag}, ksm/run, kernel.numa_balancing,\n"
    "vm.swappiness, /proc/irq/*/smp_affinity_list, /proc/irq/default_smp_affinity,\n"
    "cpufreq scaling_governor.  Domain XML: <vcpu>, <iothreads> (added when\n"
    "absent), <cputune> pins, <numatune>, <memoryBacking> hugepages, <cpu>\n"
    "host-passthrough, topology and NUMA cells (docs/cli.md lists each);\n"
    "<nosharepages/> when the profile turns KSM off; <locked/> when it\n"
    "isolates CPUs.\n"
    "\n"
    "A libvirt call that gets no answer within 30 s (HVTUNE_LIBVIRT_TIMEOUT=SECONDS\n"
    "changes that) fails.  A libvirt step whose answer was lost may be done: it\n"
    "is undone too, and when libvirt cannot be reached for that the journal stays\n"
    "incomplete for 'hvtune rollback'.\n"
    "\n"
    "Exit status: 0 applied (or nothing to change, or --dry-run), 1 not confirmed,\n"
    "2 error (nothing changed, or what was changed is undone and listed).\n";

static const char rollback_help[] =
    "usage: hvtune rollback [--state-dir DIR] [--connect URI] [--root DIR] [ID]\n"
    "\n"
    "Restores what the apply with journal ID changed (default: the newest journal\n"
    "that is not rolled back), newest step first: old domain XML, old live pins,\n"
    "old numatune, old file values.  A journal left incomplete by a killed apply\n"
    "is completed.\n"
    "The libvirt URI defaults to the one the journal names when it is local\n"
    "(qemu:///system, qemu:///session, qemu:///system?socket=/PATH, test:///...);\n"
    "any other needs --connect URI.  Every record is checked first: one that\n"
    "apply would refuse refuses the whole journal.\n";

static const char journal_help[] =
    "usage: hvtune journal [--state-dir DIR] [--json]\n"
    "       hvtune journal show [--state-dir DIR] [--full] ID\n"
    "\n"
    "Lists the apply journals, oldest first: id, time (UTC), status (complete,\n"
    "incomplete, rolled-back, rollback-failed) and what each changed.  'show'\n"
    "prints the undo records of one journal; old domain XML is summarised by\n"
    "its length unless --full.\n"
    "\n"
    "  --json          the list as a JSON array (schema in docs/cli.md)\n"
    "  --full          with show: every old XML and value in full\n";

/* "hvtune: apply: needs root: ..." when the system said so. */
static void fail(const char *cmd, const struct err *e)
{
	if (e->sys == EACCES || e->sys == EPERM)
		cli_error("%s: needs root: %s", cmd, e->msg);
	else
		cli_error("%s: %s", cmd, e->msg);
}

/* @s escaped, padded to @width columns, then two blanks. */
static void put_col(const char *s, int width)
{
	size_t size = STRFMT_ESC_SIZE(strlen(s));
	char *shown = malloc(size);

	printf("%-*s  ", width, shown ? strfmt_esc(s, shown, size) : "?");
	free(shown);
}

static void show(const struct changeset *cs)
{
	char a[256], b[256];

	for (size_t i = 0; i < cs->nnotes; i++)
		printf("note: %s\n", STRFMT_ESC(cs->notes[i]));
	if (cs->nnotes)
		putchar('\n');
	for (size_t i = 0; i < cs->ndomains; i++) {
		const struct apply_domain *d = &cs->domains[i];

		printf("domain %s (%s)\n", STRFMT_ESC(d->name),
		       d->active ? "running" : "not running");
		if (d->new_xml)
			text_put_lines(stdout, d->diff);
		else
			printf("  definition unchanged\n");
		for (size_t k = 0; k < d->npins; k++)
			printf("  live: vCPU %u on CPUs %s -> CPU %u\n", d->pins[k].vcpu,
			       idset_format(&d->old_pins[k], a, sizeof(a)), d->pins[k].cpu);
		if (d->pin_emulator)
			printf("  live: emulator on CPUs %s -> %s\n",
			       idset_format(&d->old_emulator, a, sizeof(a)),
			       idset_format(&d->emulator, b, sizeof(b)));
		for (size_t k = 0; k < d->niothreads; k++)
			printf("  live: iothread %u on CPUs %s -> %s\n", d->old_iothreads[k].id,
			       idset_format(&d->old_iothreads[k].cpus, a, sizeof(a)),
			       idset_format(&d->iothread, b, sizeof(b)));
		if (d->set_numa)
			printf("  live: numatune %s %s -> %s %s (where libvirt allows it live)\n",
			       d->old_numa_mode[0] ? STRFMT_ESC(d->old_numa_mode) : "none",
			       d->old_numa_nodeset[0] ? STRFMT_ESC(d->old_numa_nodeset)
						      : "(all nodes)",
			       STRFMT_ESC(d->numa_mode), STRFMT_ESC(d->numa_nodeset));
		putchar('\n');
	}
	if (cs->nwrites) {
		int w = 4;

		for (size_t i = 0; i < cs->nwrites; i++)
			if ((int)strlen(cs->writes[i].path) > w)
				w = (int)strlen(cs->writes[i].path);
		printf("host files:\n  %-*s  %-12s  %-12s  %s\n", w, "path", "now", "new", "why");
		for (size_t i = 0; i < cs->nwrites; i++) {
			printf("  %-*s  ", w, STRFMT_ESC(cs->writes[i].path));
			put_col(cs->writes[i].old_value, 12);
			put_col(cs->writes[i].new_value, 12);
			printf("%s\n", STRFMT_ESC(cs->writes[i].reason));
		}
		putchar('\n');
	}
}

static void show_log(const struct apply_result *res)
{
	for (size_t i = 0; i < res->nlog; i++)
		printf("  %s\n", STRFMT_ESC(res->log[i]));
}

/* Asks on the terminal: 1 yes, 0 no, -1 no terminal. */
static int confirm(void)
{
	char line[16];

	if (!isatty(STDIN_FILENO))
		return -1;
	printf("apply these changes? [y/N] ");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return strcmp(line, "y\n") == 0 || strcmp(line, "yes\n") == 0 || strcmp(line, "Y\n") == 0;
}

static const struct cli_option apply_options[] = {
    {"plan", 'f', true, "the JSON of 'hvtune plan --json'"},
    {"dry-run", 'n', false, "show the changes and stop"},
    {"yes", 'y', false, "do not ask (needed when stdin is not a terminal)"},
    {"connect", 'c', true, "libvirt connection"},
    {"state-dir", 's', true, "lock and journals"},
    {"root", 'r', true, "write the host files under DIR (a copy of a capture)"},
    {NULL, 0, false, NULL},
};

const struct cli_command cli_cmd_apply = {
    "apply", apply_options, plan_input_options, apply_help, false, CLI_FORM_NAMED,
};

struct apply_args {
	const char *root, *file, *uri, *state; /* file: --plan; uri: --connect or NULL */
	bool dry, yes;
	struct plan_input in;
};

/* What one apply holds between its steps (cmd_apply() releases it). */
struct apply_run {
	struct fsroot r;
	struct plan p;
	bool have_plan, have_cs;
	struct changeset cs;
	struct apply_result res;
	struct lv *c;
	const char *uri; /* the connection, or NULL: domains not changed */
};

/* Parses @argv into @a (caller plan_input_release()s a->in); CLI_CONTINUE or the exit status. */
static int apply_parse(int argc, char **argv, struct apply_args *a)
{
	struct cli_parser p;
	int c, rc;

	a->root = "/";
	a->file = a->uri = NULL;
	a->state = JOURNAL_DIR;
	a->dry = a->yes = false;
	cli_parser_init(&p, &cli_cmd_apply, argc, argv);
	while ((c = cli_next(&p)) != CLI_END) {
		if (c == CLI_STOP)
			return p.status;
		if ((rc = plan_input_take(&a->in, c, optarg)) < 0)
			return EXIT_ERR;
		if (rc > 0)
			continue;
		switch (c) {
		case 'n':
			a->dry = true;
			break;
		case 'y':
			a->yes = true;
			break;
		case 'c':
			a->uri = optarg;
			break;
		case 's':
			a->state = optarg;
			break;
		case 'r':
			a->root = optarg;
			break;
		default:
			a->file = optarg;
			break;
		}
	}
	if ((rc = cli_no_operands(&p)) != CLI_CONTINUE)
		return rc;
	if (a->file && (a->in.requests || a->in.nvms || !idset_empty(&a->in.taken))) {
		cli_error("apply: give --plan FILE or the plan options, not both");
		return EXIT_ERR;
	}
	if (a->in.requests && a->in.nvms) {
		cli_error("apply: give --requests or --vm, not both");
		return EXIT_ERR;
	}
	return CLI_CONTINUE;
}

/* The plan from --plan FILE, or computed like 'hvtune plan'. */
static int get_plan(const struct apply_args *a, const struct fsroot *r, struct plan *p,
		    struct err *e)
{
	const struct vm_request *vms = a->in.vms;
	size_t nvms = a->in.nvms;
	struct profile pf;
	struct host h;
	struct vm_request *rq = NULL;
	int rc;

	if (a->file)
		return json_plan_read(a->file, p, e);
	if (a->in.requests) {
		if (json_plan_read_requests(a->in.requests, &rq, &nvms, e) < 0)
			return -1;
		vms = rq;
	}
	if (nvms == 0) {
		free(rq);
		return err_set(e, 0, "no plan (use --plan FILE, --vm or --requests)");
	}
	if (profile_find(&pf, a->in.profile ? a->in.profile : "balanced", NULL, e) < 0 ||
	    host_probe(&h, r, e) < 0) {
		free(rq);
		return -1;
	}
	rc = plan_compute(&h, &pf, vms, nvms, &a->in.taken, p, e);
	host_release(&h);
	free(rq);
	return rc;
}

/* Connects to libvirt for a plan that places VMs, with the XML options of the plan's
 * profile (--profile FILE when the plan was made from a file). */
static int apply_connect(const struct apply_args *a, struct apply_run *run, struct domxml_opts *xo,
			 struct err *e)
{
	struct profile pf;

	if (!run->uri || run->p.nplaced == 0)
		return 0;
	if (profile_find(&pf, a->in.profile ? a->in.profile : run->p.profile, NULL, e) < 0)
		return -1;
	if (strcmp(pf.name, run->p.profile) != 0)
		return err_set(e, 0, "the plan was made with profile '%s', not '%s'",
			       run->p.profile, pf.name);
	apply_opts(&pf, xo);
	run->c = lv_open(run->uri, e);
	return run->c ? 0 : -1;
}

/* Reads or computes the plan and works out the changes into @run; -1 after saying why. */
static int apply_load(const struct apply_args *a, struct apply_run *run)
{
	struct domxml_opts xo = {false, false, false, "", 0};
	struct err e = ERR_INIT;

	if (fsroot_open(&run->r, a->root, &e) < 0 || get_plan(a, &run->r, &run->p, &e) < 0)
		goto fail;
	run->have_plan = true;
	if (apply_check_root(&run->p, &run->r, &e) < 0)
		goto fail;
	run->uri = a->uri;
	if (!run->uri && run->r.live)
		run->uri = LV_DEFAULT_URI;
	if (apply_connect(a, run, &xo, &e) < 0)
		goto fail;
	if (apply_prepare(&run->p, &xo, &run->r, run->c, &run->cs, &e) < 0)
		goto fail;
	run->have_cs = true;
	return 0;
fail:
	fail("apply", &e);
	return -1;
}

/* Shows the changes and asks: CLI_CONTINUE to commit, or the exit status. */
static int apply_ask(const struct apply_args *a, const struct changeset *cs)
{
	int ok;

	show(cs);
	if (changeset_empty(cs)) {
		printf("nothing to change: the host already carries the plan\n");
		return EXIT_OK;
	}
	if (a->dry) {
		printf("dry run: nothing changed\n");
		return EXIT_OK;
	}
	if (a->yes)
		return CLI_CONTINUE;
	ok = confirm();
	if (ok < 0) {
		cli_error("apply: refusing without --yes: stdin is not a terminal");
		return EXIT_ERR;
	}
	if (ok == 0) {
		printf("not confirmed: nothing changed\n");
		return EXIT_BAD;
	}
	return CLI_CONTINUE;
}

/* Commits the changes and says what was done (or done and undone); the exit status. */
static int apply_run_commit(const struct apply_args *a, struct apply_run *run)
{
	const char *state = a->state;
	struct apply_result *res = &run->res;
	struct err e = ERR_INIT;

	if (apply_commit(&run->cs, &run->r, run->c, run->uri ? run->uri : "", state, res, &e) < 0) {
		if (res->nlog) {
			printf("apply failed; what was done and undone:\n");
			show_log(res);
		}
		for (size_t i = 0; i < res->nnotes; i++)
			printf("note: %s\n", STRFMT_ESC(res->notes[i]));
		fflush(stdout);
		fail("apply", &e);
		return EXIT_ERR;
	}
	show_log(res);
	for (size_t i = 0; i < res->nnotes; i++)
		printf("note: %s\n", STRFMT_ESC(res->notes[i]));
	printf("applied %zu change(s): journal %s (undo: hvtune rollback%s%s %s)\n", res->done,
	       res->journal_id, strcmp(state, JOURNAL_DIR) ? " --state-dir " : "",
	       strcmp(state, JOURNAL_DIR) ? state : "", res->journal_id);
	return EXIT_OK;
}

int cmd_apply(int argc, char **argv)
{
	struct apply_args a;
	struct apply_run run = {.r = FSROOT_INIT};
	int rc;

	apply_result_init(&run.res);
	plan_input_init(&a.in);
	rc = apply_parse(argc, argv, &a);
	if (rc == CLI_CONTINUE)
		rc = apply_load(&a, &run) < 0 ? EXIT_ERR : apply_ask(&a, &run.cs);
	if (rc == CLI_CONTINUE)
		rc = apply_run_commit(&a, &run);
	rc = cli_flush(rc);
	apply_result_release(&run.res);
	if (run.have_cs)
		changeset_release(&run.cs);
	if (run.have_plan)
		plan_release(&run.p);
	if (run.c)
		lv_close(run.c);
	fsroot_close(&run.r);
	plan_input_release(&a.in);
	return rc;
}

static const struct cli_option rollback_options[] = {
    {"state-dir", 's', true, "lock and journals"},
    {"connect", 'c', true, "libvirt connection (default: the journal's, when local)"},
    {"root", 'r', true, "the host files under DIR"},
    {NULL, 0, false, NULL},
};

const struct cli_command cli_cmd_rollback = {
    "rollback", rollback_options, NULL, rollback_help, false, CLI_FORM_NAMED,
};

/* --state-dir, --connect, --root of rollback. */
struct small_opts {
	const char *state, *uri, *root;
};

static int parse_small(int argc, char **argv, struct small_opts *o)
{
	struct cli_parser p;
	int c;

	o->state = JOURNAL_DIR;
	o->uri = NULL;
	o->root = "/";
	cli_parser_init(&p, &cli_cmd_rollback, argc, argv);
	while ((c = cli_next(&p)) != CLI_END) {
		if (c == CLI_STOP)
			return p.status;
		if (c == 's')
			o->state = optarg;
		else if (c == 'c')
			o->uri = optarg;
		else
			o->root = optarg;
	}
	return CLI_CONTINUE;
}

static bool has_domain_steps(const struct journal *j)
{
	for (size_t i = 0; i < j->nsteps; i++)
		if (j->steps[i].kind != JSTEP_WRITE)
			return true;
	return false;
}

int cmd_rollback(int argc, char **argv)
{
	struct small_opts o;
	struct fsroot r = FSROOT_INIT;
	struct journal j;
	struct apply_result res;
	struct lv *c = NULL;
	struct err e = ERR_INIT;
	const char *id = "";
	int rc = parse_small(argc, argv, &o);

	if (rc != CLI_CONTINUE)
		return rc;
	rc = EXIT_ERR;
	if (optind < argc)
		id = argv[optind++];
	if (optind < argc) {
		cli_error("rollback: unexpected argument '%s' (see 'hvtune rollback --help')",
			  argv[optind]);
		return EXIT_ERR;
	}
	apply_result_init(&res);
	/* checked before connecting too: apply_rollback() checks it again under the lock */
	if (apply_pick_journal(o.state, id, &j, &e) < 0 || apply_check_journal(&j, &e) < 0) {
		journal_release(&j);
		fail("rollback", &e);
		return EXIT_ERR;
	}
	/* the journal's own URI only when it is a local one hvtune records */
	if (has_domain_steps(&j) && (o.uri || apply_journal_uri(&j, &e) == 0))
		c = lv_open(o.uri ? o.uri : j.uri, &e);
	journal_release(&j);
	if (e.msg[0] || fsroot_open(&r, o.root, &e) < 0) {
		fail("rollback", &e);
		goto out;
	}
	if (apply_rollback(o.state, id, &r, c, &res, &e) < 0) {
		show_log(&res);
		fflush(stdout);
		fail("rollback", &e);
		goto out;
	}
	show_log(&res);
	printf("rolled back journal %s: %zu step(s) restored\n", res.journal_id, res.undone);
	rc = cli_flush(EXIT_OK);
out:
	apply_result_release(&res);
	if (c)
		lv_close(c);
	fsroot_close(&r);
	return rc;
}

/* "2026-11-01 10:00:00 UTC", or "unknown time" for one gmtime() cannot convert
 * (the year does not fit an int): a journal's time is only what its file says. */
static const char *when_str(int64_t secs, char *buf, size_t size)
{
	time_t t = (time_t)secs;
	struct tm tm;

	if ((int64_t)t != secs || !gmtime_r(&t, &tm) ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, size, "unknown time");
	return buf;
}

/* The data of a define or write record: in full, or its length. */
static void show_data(const char *what, const char *data, bool full)
{
	size_t len = strlen(data);

	if (full) {
		const char *p = data;

		printf("     %s (%zu bytes):\n", what, len);
		while (*p) {
			const char *nl = strchr(p, '\n');
			int n = nl ? (int)(nl - p) : (int)strlen(p);
			char *line = strndup(p, (size_t)n);

			fputs("       | ", stdout);
			text_put(stdout, line ? line : "?");
			putchar('\n');
			free(line);
			p += n + (nl ? 1 : 0);
		}
	} else {
		printf("     %s: %zu bytes (--full shows it)\n", what, len);
	}
}

static int journal_show(const char *state, const char *id, bool full)
{
	struct journal j;
	struct err e = ERR_INIT;
	char when[48];

	if (journal_load(&j, state, id, false, &e) < 0) {
		fail("journal", &e);
		return EXIT_ERR;
	}
	printf("journal %s\ntime    %s\nstatus  %s\nroot    %s\nuri     %s\n", STRFMT_ESC(j.id),
	       when_str(j.time, when, sizeof(when)), journal_status_str(j.status),
	       STRFMT_ESC(j.root), j.uri[0] ? STRFMT_ESC(j.uri) : "-");
	printf("%zu undo record(s), in the order recorded (rollback undoes the last first):\n",
	       j.nsteps);
	for (size_t i = 0; i < j.nsteps; i++) {
		const struct jstep *s = &j.steps[i];
		char *cpus = idset_format_dup(&s->cpus);

		if (!cpus) {
			journal_release(&j);
			cli_error("journal: out of memory");
			return EXIT_ERR;
		}
		printf("  %2zu %-11s ", i + 1, jstep_kind_str(s->kind));
		switch (s->kind) {
		case JSTEP_DEFINE:
			printf("domain '%s'\n", STRFMT_ESC(s->target));
			show_data("old definition", s->data, full);
			break;
		case JSTEP_WRITE:
			if (strlen(s->data) <= 60 && !strchr(s->data, '\n')) {
				printf("'%s': old value '", STRFMT_ESC(s->target));
				text_put(stdout, s->data);
				printf("'\n");
			} else {
				printf("'%s'\n", STRFMT_ESC(s->target));
				show_data("old value", s->data, full);
			}
			break;
		case JSTEP_VCPUPIN:
			printf("domain '%s' vCPU %u: old CPUs %s\n", STRFMT_ESC(s->target), s->vcpu,
			       cpus);
			break;
		case JSTEP_EMULATORPIN:
			printf("domain '%s' emulator: old CPUs %s\n", STRFMT_ESC(s->target), cpus);
			break;
		case JSTEP_IOTHREADPIN:
			printf("domain '%s' iothread %u: old CPUs %s\n", STRFMT_ESC(s->target),
			       s->iothread, cpus);
			break;
		case JSTEP_NUMATUNE:
			printf("domain '%s': old mode %s, nodeset %s\n", STRFMT_ESC(s->target),
			       s->mode[0] ? STRFMT_ESC(s->mode) : "none",
			       s->nodeset[0] ? STRFMT_ESC(s->nodeset) : "none (all nodes)");
			break;
		case JSTEP_KINDS:
			printf("?\n");
			break;
		}
		free(cpus);
	}
	journal_release(&j);
	return cli_flush(EXIT_OK);
}

/* The text listing of 'hvtune journal'; releases each journal. */
static void print_list(struct journal *all, size_t n, const char *state)
{
	if (n == 0) {
		fputs("no journals in '", stdout);
		text_put(stdout, state);
		fputs("'\n", stdout);
	}
	for (size_t i = 0; i < n; i++) {
		size_t cnt[JSTEP_KINDS];
		char when[48];

		memset(cnt, 0, sizeof(cnt));
		for (size_t k = 0; k < all[i].nsteps; k++)
			cnt[all[i].steps[k].kind]++;
		printf("%-22s %-23s  %-15s %zu define(s), %zu pin(s), %zu write(s), "
		       "%zu numatune(s)  root %s\n",
		       STRFMT_ESC(all[i].id), when_str(all[i].time, when, sizeof(when)),
		       journal_status_str(all[i].status), cnt[JSTEP_DEFINE],
		       cnt[JSTEP_VCPUPIN] + cnt[JSTEP_EMULATORPIN] + cnt[JSTEP_IOTHREADPIN],
		       cnt[JSTEP_WRITE], cnt[JSTEP_NUMATUNE], STRFMT_ESC(all[i].root));
		journal_release(&all[i]);
	}
}

static const struct cli_option journal_options[] = {
    {"state-dir", 's', true, "lock and journals"},
    {"json", 'j', false, "the list as a JSON array"},
    {"full", 'f', false, "with show: every old XML and value in full"},
    {NULL, 0, false, NULL},
};

/* interleaved: options may follow "show" and the id */
const struct cli_command cli_cmd_journal = {
    "journal", journal_options, NULL, journal_help, true, CLI_FORM_NAMED,
};

int cmd_journal(int argc, char **argv)
{
	const char *state = JOURNAL_DIR, *id = NULL;
	bool json = false, full = false, show_one = false;
	struct journal *all;
	struct journal_bad *bad;
	size_t n, nbad;
	struct err e = ERR_INIT;
	struct cli_parser p;
	int opt;

	cli_parser_init(&p, &cli_cmd_journal, argc, argv);
	while ((opt = cli_next(&p)) != CLI_END) {
		if (opt == CLI_STOP)
			return p.status;
		if (opt == 's')
			state = optarg;
		else if (opt == 'j')
			json = true;
		else
			full = true;
	}
	if (optind < argc && strcmp(argv[optind], "show") == 0) {
		show_one = true;
		optind++;
		if (optind >= argc) {
			cli_error("journal: show needs a journal ID (see 'hvtune journal')");
			return EXIT_ERR;
		}
		id = argv[optind++];
	}
	if (optind < argc) {
		cli_error("journal: unexpected argument '%s' (see 'hvtune journal --help')",
			  argv[optind]);
		return EXIT_ERR;
	}
	if (show_one && json) {
		cli_error("journal: --json lists the journals; 'show' has no --json");
		return EXIT_ERR;
	}
	if (full && !show_one) {
		cli_error("journal: --full goes with 'show ID'");
		return EXIT_ERR;
	}
	if (show_one)
		return journal_show(state, id, full);
	if (journal_scan(state, &all, &n, &bad, &nbad, &e) < 0) {
		fail("journal", &e);
		return EXIT_ERR;
	}
	for (size_t i = 0; i < nbad; i++)
		cli_error("journal: warning: skipped journal '%s': %s", bad[i].id, bad[i].why.msg);
	free(bad);
	if (json) {
		char *text = json_journal_list(all, n, &e);

		if (text)
			fputs(text, stdout);
		else
			fail("journal", &e);
		free(text);
		for (size_t i = 0; i < n; i++)
			journal_release(&all[i]);
		free(all);
		return cli_flush(text ? EXIT_OK : EXIT_ERR);
	}
	print_list(all, n, state);
	free(all);
	return cli_flush(EXIT_OK);
}
