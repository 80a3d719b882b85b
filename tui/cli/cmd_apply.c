/* cmd_apply.c - 'hvtune apply' (show, confirm, commit), 'hvtune rollback' and 'hvtune journal' */
#include "tui/cli/cli.h"
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


static void apply_usage(FILE *f)
{
	fputs("usage: hvtune apply [--dry-run] [--yes] [--connect URI] [--state-dir DIR]\n"
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
	      "2 error (nothing changed, or what was changed is undone and listed).\n",
	      f);
}

static void rollback_usage(FILE *f)
{
	fputs("usage: hvtune rollback [--state-dir DIR] [--connect URI] [--root DIR] [ID]\n"
	      "\n"
	      "Restores what the apply with journal ID changed (default: the newest journal\n"
	      "that is not rolled back), newest step first: old domain XML, old live pins,\n"
	      "old numatune, old file values.  A journal left incomplete by a killed apply\n"
	      "is completed.\n"
	      "The libvirt URI defaults to the one the journal names when it is local\n"
	      "(qemu:///system, qemu:///session, qemu:///system?socket=/PATH, test:///...);\n"
	      "any other needs --connect URI.  Every record is checked first: one that\n"
	      "apply would refuse refuses the whole journal.\n",
	      f);
}

static void journal_usage(FILE *f)
{
	fputs("usage: hvtune journal [--state-dir DIR] [--json]\n"
	      "       hvtune journal show [--state-dir DIR] [--full] ID\n"
	      "\n"
	      "Lists the apply journals, oldest first: id, time (UTC), status (complete,\n"
	      "incomplete, rolled-back, rollback-failed) and what each changed.  'show'\n"
	      "prints the undo records of one journal; old domain XML is summarised by\n"
	      "its length unless --full.\n"
	      "\n"
	      "  --json          the list as a JSON array (schema in docs/cli.md)\n"
	      "  --full          with show: every old XML and value in full\n",
	      f);
}

/* "hvtune: apply: needs root: ..." when the system said so. */
static void fail(const char *cmd, const struct err *e)
{
	if (e->sys == EACCES || e->sys == EPERM)
		cli_error("%s: needs root: %s", cmd, e->msg);
	else
		cli_error("%s: %s", cmd, e->msg);
}

static int add_vm(struct vm_request **vms, size_t *n, const char *spec)
{
	struct vm_request *grown = realloc(*vms, (*n + 1) * sizeof(**vms));
	struct err e = ERR_INIT;

	if (!grown) {
		cli_error("out of memory");
		return -1;
	}
	*vms = grown;
	if (plan_parse_vm(&grown[*n], spec, &e) < 0) {
		cli_error("%s", e.msg);
		return -1;
	}
	(*n)++;
	return 0;
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

/* The plan from --plan FILE, or computed like 'hvtune plan'. */
static int get_plan(const char *file, const char *profile, const char *requests,
		    struct vm_request *vms, size_t nvms, const struct idset *taken,
		    const struct fsroot *r, struct plan *p, struct err *e)
{
	struct profile pf;
	struct host h;
	struct vm_request *rq = NULL;
	int rc;

	if (file)
		return json_plan_read(file, p, e);
	if (requests) {
		if (json_plan_read_requests(requests, &rq, &nvms, e) < 0)
			return -1;
		vms = rq;
	}
	if (nvms == 0) {
		free(rq);
		return err_set(e, 0, "no plan (use --plan FILE, --vm or --requests)");
	}
	if (profile_find(&pf, profile, NULL, e) < 0 || host_probe(&h, r, e) < 0) {
		free(rq);
		return -1;
	}
	rc = plan_compute(&h, &pf, vms, nvms, taken, p, e);
	host_release(&h);
	free(rq);
	return rc;
}

int cmd_apply(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dry-run", no_argument, NULL, 'n'},       {"yes", no_argument, NULL, 'y'},
	    {"connect", required_argument, NULL, 'c'}, {"state-dir", required_argument, NULL, 's'},
	    {"root", required_argument, NULL, 'r'},    {"plan", required_argument, NULL, 'f'},
	    {"profile", required_argument, NULL, 'p'}, {"requests", required_argument, NULL, 'q'},
	    {"vm", required_argument, NULL, 'v'},      {"taken", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},	       {NULL, 0, NULL, 0},
	};
	const char *root = "/", *profile = NULL, *requests = NULL, *file = NULL, *uri = NULL;
	const char *state = JOURNAL_DIR;
	struct vm_request *vms = NULL;
	size_t nvms = 0;
	struct idset taken;
	bool dry = false, yes = false, have_plan = false, have_cs = false;
	struct fsroot r = FSROOT_INIT;
	struct profile pf;
	struct domxml_opts xo = {false, false, false, "", 0};
	struct plan p;
	struct changeset cs;
	struct apply_result res;
	struct lv *c = NULL;
	struct err e = ERR_INIT;
	int opt, rc = EXIT_ERR;

	idset_clear(&taken);
	apply_result_init(&res);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			dry = true;
			break;
		case 'y':
			yes = true;
			break;
		case 'c':
			uri = optarg;
			break;
		case 's':
			state = optarg;
			break;
		case 'r':
			root = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'p':
			profile = optarg;
			break;
		case 'q':
			requests = optarg;
			break;
		case 'v':
			if (add_vm(&vms, &nvms, optarg) < 0)
				goto out;
			break;
		case 't':
			if (idset_parse(&taken, optarg, &e) < 0) {
				cli_error("--taken: %s", e.msg);
				goto out;
			}
			break;
		case 'h':
			apply_usage(stdout);
			rc = EXIT_OK;
			goto out;
		default:
			cli_error("apply: unknown or incomplete option '%s' (see 'hvtune apply "
				  "--help')",
				  argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		cli_error("apply: unexpected argument '%s' (see 'hvtune apply --help')",
			  argv[optind]);
		goto out;
	}
	if (file && (requests || nvms || !idset_empty(&taken))) {
		cli_error("apply: give --plan FILE or the plan options, not both");
		goto out;
	}
	if (requests && nvms) {
		cli_error("apply: give --requests or --vm, not both");
		goto out;
	}
	if (fsroot_open(&r, root, &e) < 0) {
		fail("apply", &e);
		goto out;
	}
	if (get_plan(file, profile ? profile : "balanced", requests, vms, nvms, &taken, &r, &p,
		     &e) < 0) {
		fail("apply", &e);
		goto out;
	}
	have_plan = true;
	if (apply_check_root(&p, &r, &e) < 0) {
		fail("apply", &e);
		goto out;
	}
	if (!uri && r.live)
		uri = LV_DEFAULT_URI;
	if (uri && p.nplaced > 0) {
		/* the XML options come from the plan's profile (--profile FILE when
		 * the plan was made from a file) */
		if (profile_find(&pf, profile ? profile : p.profile, NULL, &e) < 0) {
			fail("apply", &e);
			goto out;
		}
		if (strcmp(pf.name, p.profile) != 0) {
			cli_error("apply: the plan was made with profile '%s', not '%s'", p.profile,
				  pf.name);
			goto out;
		}
		apply_opts(&pf, &xo);
		if (!(c = lv_open(uri, &e))) {
			fail("apply", &e);
			goto out;
		}
	}
	if (apply_prepare(&p, &xo, &r, c, &cs, &e) < 0) {
		fail("apply", &e);
		goto out;
	}
	have_cs = true;
	show(&cs);
	if (changeset_empty(&cs)) {
		printf("nothing to change: the host already carries the plan\n");
		rc = EXIT_OK;
		goto out;
	}
	if (dry) {
		printf("dry run: nothing changed\n");
		rc = EXIT_OK;
		goto out;
	}
	if (!yes) {
		int ok = confirm();

		if (ok < 0) {
			cli_error("apply: refusing without --yes: stdin is not a terminal");
			goto out;
		}
		if (ok == 0) {
			printf("not confirmed: nothing changed\n");
			rc = EXIT_BAD;
			goto out;
		}
	}
	if (apply_commit(&cs, &r, c, uri ? uri : "", state, &res, &e) < 0) {
		if (res.nlog) {
			printf("apply failed; what was done and undone:\n");
			show_log(&res);
		}
		for (size_t i = 0; i < res.nnotes; i++)
			printf("note: %s\n", STRFMT_ESC(res.notes[i]));
		fflush(stdout);
		fail("apply", &e);
		goto out;
	}
	show_log(&res);
	for (size_t i = 0; i < res.nnotes; i++)
		printf("note: %s\n", STRFMT_ESC(res.notes[i]));
	printf("applied %zu change(s): journal %s (undo: hvtune rollback%s%s %s)\n", res.done,
	       res.journal_id, strcmp(state, JOURNAL_DIR) ? " --state-dir " : "",
	       strcmp(state, JOURNAL_DIR) ? state : "", res.journal_id);
	rc = EXIT_OK;
out:
	rc = cli_flush(rc);
	apply_result_release(&res);
	if (have_cs)
		changeset_release(&cs);
	if (have_plan)
		plan_release(&p);
	if (c)
		lv_close(c);
	fsroot_close(&r);
	free(vms);
	return rc;
}

/* --state-dir, --connect, --root, --help for rollback and journal. */
struct small_opts {
	const char *state, *uri, *root;
};

static int parse_small(int argc, char **argv, bool lv, void (*usage)(FILE *), struct small_opts *o)
{
	static const struct option opts[] = {
	    {"state-dir", required_argument, NULL, 's'},
	    {"connect", required_argument, NULL, 'c'},
	    {"root", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	o->state = JOURNAL_DIR;
	o->uri = NULL;
	o->root = "/";
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (opt == 's') {
			o->state = optarg;
		} else if (opt == 'c' && lv) {
			o->uri = optarg;
		} else if (opt == 'r' && lv) {
			o->root = optarg;
		} else if (opt == 'h') {
			usage(stdout);
			return EXIT_OK;
		} else {
			cli_error("%s: unknown or incomplete option '%s' (see 'hvtune %s --help')",
				  argv[0], argv[optind - 1], argv[0]);
			return EXIT_ERR;
		}
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
	int rc = parse_small(argc, argv, true, rollback_usage, &o);

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

int cmd_journal(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"state-dir", required_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},
	    {"full", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *state = JOURNAL_DIR, *id = NULL;
	bool json = false, full = false, show_one = false;
	struct journal *all;
	struct journal_bad *bad;
	size_t n, nbad;
	struct err e = ERR_INIT;
	int opt;

	optind = 1;
	opterr = 0;
	/* no '+': options may follow "show" and the id */
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			state = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'f':
			full = true;
			break;
		case 'h':
			journal_usage(stdout);
			return EXIT_OK;
		default:
			cli_error("journal: unknown or incomplete option '%s' (see 'hvtune journal "
				  "--help')",
				  argv[optind - 1]);
			return EXIT_ERR;
		}
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
