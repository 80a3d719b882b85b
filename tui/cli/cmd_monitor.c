/* cmd_monitor.c - `hvtune monitor`: the host and its VMs watched live, as a table or JSON lines
 *
 * The loop owns the clock (CLOCK_MONOTONIC, read here and nowhere below
 * tui/) and sleeps with nanosleep() to absolute deadlines, so the intervals
 * do not drift by the time a sample takes.  Ctrl-C (SIGINT) or SIGTERM ends
 * the loop between samples: the last complete interval is printed and the
 * status is 0.  Between samples it poll()s the pipe of the child process
 * that lists the VMs (tui/vmsproc.h), so libvirt never delays a sample.
 */
#include "tui/cli/cli.h"
#include "tui/report/json_monitor.h"
#include "tui/screens/vmsproc.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe/sample.h"
#include "probe/strfmt.h"

/* @s escaped (strfmt_esc()) and cut to @cols columns, on an escape's
 * boundary: a line of the text output stays one line of the width. */
#define CUT(s, cols) strfmt_esc((s), (char[(cols) + 1]){0}, (cols) + 1)

#define TOP_CPUS 8 /* CPUs in the table: the busiest, two to a line */

static const char help[] =
    "usage: hvtune monitor [--root DIR] [--connect URI] [--interval S] [--count N]\n"
    "                      [--json]\n"
    "\n"
    "Samples the host every interval and prints what happened in it: the\n"
    "busiest CPUs (busy %, TLB shootdowns/s, NIC queue IRQs/s), free hugepages\n"
    "per node, and for each running VM its vCPU threads: the CPU each last ran\n"
    "on, its pin (affinity), %CPU, migrations/s, and OFF-PIN when it last ran\n"
    "outside its pin; its memory per node (read every 10 intervals), REMOTE\n"
    "when some of it is outside its <numatune> nodes.  \"-\" is unknown.\n"
    "The VMs are listed at the start and again every 10 s by a child process\n"
    "(started and stopped VMs come and go); a sample never waits for libvirt.\n"
    "\n"
    "options:\n"
    "  --root DIR      read DIR/sys and DIR/proc instead of the live host's (a\n"
    "                  capture does not change: its rates are 0 or unknown)\n"
    "  --connect URI   the libvirt connection that lists the running VMs\n"
    "                  (default: qemu:///system on the live host when it\n"
    "                  answers, else no VMs)\n"
    "  --interval S    seconds between samples, at least 0.1 (default 1)\n"
    "  --count N       stop after N intervals (default: until Ctrl-C)\n"
    "  --json          one JSON object per line and interval (docs/cli.md)\n"
    "  -h, --help      this help\n"
    "\n"
    "exit status: 0 done (also after Ctrl-C), 2 a usage error, the probe or\n"
    "a sample failed, or --connect could not connect; the reason is one line\n"
    "on stderr.\n";

struct mon_opts {
	const char *root;
	const char *connect;
	double interval_s;
	unsigned long count; /* 0: until interrupted */
	bool json;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const struct cli_option mon_options[] = {
    {"root", 'r', true, "read DIR/sys and DIR/proc instead of the live host's"},
    {"connect", 'c', true, "the libvirt connection that lists the running VMs"},
    {"interval", 'i', true, "seconds between samples, at least 0.1 (default 1)"},
    {"count", 'n', true, "stop after N intervals (default: until Ctrl-C)"},
    {"json", 'j', false, "one JSON object per line and interval"},
    {NULL, 0, false, NULL},
};

const struct cli_command cli_cmd_monitor = {
    "monitor", mon_options, NULL, help, false, CLI_FORM_PLAIN,
};

/* The value of one option into @o: 0, or EXIT_ERR after saying why not. */
static int take_option(struct mon_opts *o, int c, const char *cmd)
{
	char *end;

	switch (c) {
	case 'r':
		o->root = optarg;
		break;
	case 'c':
		o->connect = optarg;
		break;
	case 'i':
		errno = 0;
		o->interval_s = strtod(optarg, &end);
		if (errno || end == optarg || *end || !isfinite(o->interval_s) ||
		    o->interval_s < 0.1 || o->interval_s > 86400) {
			cli_error("invalid interval '%s': seconds from 0.1 to 86400 "
				  "(see 'hvtune %s --help')",
				  optarg, cmd);
			return EXIT_ERR;
		}
		break;
	case 'n':
		errno = 0;
		o->count = strtoul(optarg, &end, 10);
		if (errno || end == optarg || *end || optarg[0] == '-' || o->count == 0) {
			cli_error("invalid count '%s': a whole number, at least 1 "
				  "(see 'hvtune %s --help')",
				  optarg, cmd);
			return EXIT_ERR;
		}
		break;
	default:
		o->json = true;
		break;
	}
	return 0;
}

static int parse(int argc, char **argv, struct mon_opts *o)
{
	struct cli_parser p;
	int c;

	o->root = "/";
	o->connect = NULL;
	o->interval_s = 1.0;
	o->count = 0;
	o->json = false;
	cli_parser_init(&p, &cli_cmd_monitor, argc, argv);
	while ((c = cli_next(&p)) != CLI_END) {
		if (c == CLI_STOP)
			return p.status;
		if (take_option(o, c, argv[0]) != 0)
			return EXIT_ERR;
	}
	return cli_no_operands(&p);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The VMs are listed again every MON_RELIST_NS, by a child process
 * (tui/vmsproc.h), and its answer is swapped in whenever it arrives: the
 * samples never wait for libvirt.  One child at a time: a libvirtd that does
 * not answer keeps the last list (and no new child is started) until it does.
 */
#define MON_RELIST_NS (10 * 1000000000ull)

struct relist {
	struct vmsproc p;
	bool enabled;	  /* there is a libvirt to ask (--connect, or the live host) */
	const char *uri;  /* --connect, NULL: qemu:///system */
	uint64_t next_ns; /* when the next child starts */
	bool changed;	  /* new VMs were swapped in: read their numa_maps */
	bool failing;	  /* the last re-list failed (said once on stderr) */
};

static void relist_failed(struct relist *l, const struct err *e)
{
	if (!l->failing)
		cli_error("listing the VMs again: %s (the last list is kept)", e->msg);
	l->failing = true;
}

static void relist_take(struct relist *l, struct host *h)
{
	struct err e = ERR_INIT;
	int rc = vmsproc_poll(&l->p, h, &e);

	if (rc < 0) {
		relist_failed(l, &e);
	} else if (rc == 1) {
		l->changed = true;
		l->failing = false;
	}
}

/* Sleeps until @deadline (monotonic ns), taking the libvirt child's answer
 * when it comes and starting the next child when due; false when a signal
 * asked to stop. */
static bool wait_until(uint64_t deadline, struct relist *l, struct host *h, const struct fsroot *r)
{
	for (;;) {
		uint64_t now = now_ns();
		struct pollfd pf;
		int ms;

		if (stop)
			return false;
		if (l->enabled && !vmsproc_running(&l->p) && now >= l->next_ns) {
			struct err e = ERR_INIT;

			l->next_ns = now + MON_RELIST_NS;
			if (vmsproc_start(&l->p, h, r, l->uri, &e) < 0)
				relist_failed(l, &e);
		}
		if (now >= deadline)
			return true;
		ms = (int)((deadline - now + 999999) / 1000000);
		pf.fd = vmsproc_fd(&l->p); /* -1 when none: poll() only sleeps */
		pf.events = POLLIN;
		pf.revents = 0;
		if (poll(&pf, 1, ms) < 0 && errno != EINTR)
			return !stop;
		if (pf.revents)
			relist_take(l, h);
	}
}

/* ---- the table ---- */

static void fmt_rate(char *buf, size_t size, double v, int width, int prec)
{
	if (v == RATE_UNKNOWN)
		strfmt_set(buf, size, "%*s", width, "-");
	else if (v >= 99999.5)
		strfmt_set(buf, size, "%*.0fk", width - 1, v / 1000);
	else
		strfmt_set(buf, size, "%*.*f", width, prec, v);
}

static void fmt_kib(char *buf, size_t size, uint64_t kib)
{
	static const char units[] = "KMGT";
	double v = (double)kib;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) - 1) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v >= 100)
		strfmt_set(buf, size, "%.0f%c", v, units[u]);
	else
		strfmt_set(buf, size, "%.1f%c", v, units[u]);
}

static double sort_key(double busy)
{
	return busy == RATE_UNKNOWN ? -1.0 : busy;
}

static void print_cpus(FILE *f, const struct rates *r)
{
	size_t top[TOP_CPUS], n = 0;

	/* the busiest CPUs, ties by id: insertion into a short sorted list */
	for (size_t i = 0; i < r->ncpus; i++) {
		double key = sort_key(r->cpus[i].busy_pct);
		size_t k;

		if (n == TOP_CPUS && key <= sort_key(r->cpus[top[n - 1]].busy_pct))
			continue;
		k = n < TOP_CPUS ? n++ : TOP_CPUS - 1;
		while (k > 0 && key > sort_key(r->cpus[top[k - 1]].busy_pct)) {
			top[k] = top[k - 1];
			k--;
		}
		top[k] = i;
	}
	fputs(" CPU busy%   TLB/s  NICIRQ/s     CPU busy%   TLB/s  NICIRQ/s\n", f);
	for (size_t i = 0; i < n; i++) {
		const struct rate_cpu *c = &r->cpus[top[i]];
		char busy[16], tlb[16], irq[16];

		fmt_rate(busy, sizeof(busy), c->busy_pct, 5, 1);
		fmt_rate(tlb, sizeof(tlb), c->shootdowns_per_s, 7, 0);
		fmt_rate(irq, sizeof(irq), c->nic_irqs_per_s, 9, 0);
		fprintf(f, "%4u %s %s %s%s", c->id, busy, tlb, irq, i % 2 ? "\n" : "    ");
	}
	if (n % 2)
		fputc('\n', f);
}

static void print_pools(FILE *f, const struct rates *r)
{
	char line[256] = "hugepages free:";

	if (r->npools == 0) {
		fprintf(f, "hugepages free: - (%s)\n", STRFMT_ESC(r->pools_why));
		return;
	}
	for (size_t i = 0; i < r->npools; i++) {
		char size[24];

		strfmt_page_kib(r->pools[i].size_kib, size, sizeof(size));
		if (strlen(line) > 56) {
			line[strlen(line) - 1] = '\0';
			fprintf(f, "%s\n", line);
			strfmt_set(line, sizeof(line), "               ");
		}
		strfmt_cat(line, sizeof(line), " node%u %s %llu/%llu,", r->pools[i].node, size,
			   (unsigned long long)r->pools[i].free,
			   (unsigned long long)r->pools[i].total);
	}
	line[strlen(line) - 1] = '\0'; /* the last comma */
	fprintf(f, "%s\n", line);
}

static void print_vm(FILE *f, const struct rates *r, const struct rate_vm *v)
{
	char line[256];

	if (v->pid > 0)
		fprintf(f, "VM %s (pid %d)", CUT(v->name, 40), v->pid);
	else
		fprintf(f, "VM %s", CUT(v->name, 40));
	if (!v->running) {
		fprintf(f, "\n  %s\n", CUT(v->why, 76));
		return;
	}
	line[0] = '\0';
	if (v->mem_known) {
		for (size_t n = 0; n < r->nnodes; n++) {
			char kib[24];

			fmt_kib(kib, sizeof(kib), v->node_kib[n]);
			strfmt_cat(line, sizeof(line), " node%u %s", r->node_ids[n], kib);
		}
		if (v->remote_mem) {
			char kib[24];

			fmt_kib(kib, sizeof(kib), v->remote_kib);
			strfmt_cat(line, sizeof(line), "  REMOTE %s", kib);
		}
		fprintf(f, "  mem:%.*s\n", 60, line);
	} else {
		fputc('\n', f);
	}
	if (v->nthreads == 0) {
		fprintf(f, "  %s\n", CUT(v->why, 76));
		return;
	}
	fputs("  vCPU      tid  CPU pin                    %CPU  migr/s\n", f);
	for (size_t i = 0; i < v->nthreads; i++) {
		const struct rate_thread *t = &v->threads[i];
		char pin[24], pct[16], mig[16], cpu[12];

		idset_format(&t->allowed, pin, sizeof(pin));
		fmt_rate(pct, sizeof(pct), t->cpu_pct, 6, 1);
		fmt_rate(mig, sizeof(mig), t->migrations_per_s, 7, 1);
		if (t->cpu >= 0)
			strfmt_set(cpu, sizeof(cpu), "%4d", t->cpu);
		else
			strfmt_set(cpu, sizeof(cpu), "%4s", "-");
		fprintf(f, "  %4u %8d %s %-20s %s %s%s\n", t->vcpu, t->tid, cpu, pin, pct, mig,
			t->off_pin ? "  OFF-PIN" : "");
	}
}

static void print_text(FILE *f, const struct rates *r, double elapsed_s)
{
	double tlb = 0, irq = 0, busy = 0;
	bool tlb_known = false, irq_known = false;
	size_t nbusy = 0;

	for (size_t i = 0; i < r->ncpus; i++) {
		if (r->cpus[i].shootdowns_per_s != RATE_UNKNOWN) {
			tlb += r->cpus[i].shootdowns_per_s;
			tlb_known = true;
		}
		if (r->cpus[i].nic_irqs_per_s != RATE_UNKNOWN) {
			irq += r->cpus[i].nic_irqs_per_s;
			irq_known = true;
		}
		if (r->cpus[i].busy_pct != RATE_UNKNOWN) {
			busy += r->cpus[i].busy_pct;
			nbusy++;
		}
	}
	fprintf(f, "-- %.1f s  (%.2f s)  %zu CPUs  busy ", elapsed_s, r->interval_s, r->ncpus);
	if (nbusy)
		fprintf(f, "%.1f%%", busy / (double)nbusy);
	else
		fputc('-', f);
	fputs("  TLB ", f);
	if (tlb_known)
		fprintf(f, "%.0f/s", tlb);
	else
		fputc('-', f);
	fputs("  NIC IRQ ", f);
	if (irq_known)
		fprintf(f, "%.0f/s", irq);
	else
		fputc('-', f);
	fputc('\n', f);
	if (r->why[0])
		fprintf(f, "  (%s)\n", CUT(r->why, 74));
	if (!r->busy_known)
		fprintf(f, "  (busy: %s)\n", CUT(r->busy_why, 68));
	if (!r->shootdowns_known)
		fprintf(f, "  (TLB: %s)\n", CUT(r->shootdowns_why, 70));
	print_cpus(f, r);
	print_pools(f, r);
	if (!r->vms_known)
		fprintf(f, "VMs: unknown\n  %s\n", CUT(r->vms_why, 76));
	else if (r->nvms == 0)
		fputs("VMs: none running\n", f);
	for (size_t i = 0; i < r->nvms; i++)
		print_vm(f, r, &r->vms[i]);
}

/* One sample at the current time; numa_maps at the first and every
 * SAMPLE_NUMA_EVERY and after new VMs came, else carried over from @prev. */
static int take(struct sample *s, const struct sample *prev, unsigned long n, bool new_vms,
		const struct fsroot *r, const struct host *h, const struct sample_perf *p,
		struct err *e)
{
	if (sample_read(s, r, h, now_ns(), e) < 0)
		return -1;
	if (n % SAMPLE_NUMA_EVERY == 0 || new_vms ? sample_read_numa(s, r, e) < 0
						  : sample_keep_numa(s, prev, e) < 0)
		goto fail;
	if (sample_read_perf(s, p, e) < 0)
		goto fail;
	return 0;
fail:
	sample_release(s);
	return -1;
}

int cmd_monitor(int argc, char **argv)
{
	struct fsroot r = FSROOT_INIT;
	struct sample_perf perf;
	struct sample a, b;
	struct sigaction sa;
	struct mon_opts o;
	struct err e = ERR_INIT;
	struct relist l;
	struct host h;
	uint64_t start, step;
	int rc = parse(argc, argv, &o);

	if (rc != CLI_CONTINUE)
		return rc;
	/* no SA_RESTART: the signal interrupts nanosleep() and the loop ends;
	 * set before the start-up so that an early Ctrl-C also ends cleanly */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (fsroot_open(&r, o.root, &e) < 0 || host_probe(&h, &r, &e) < 0) {
		fsroot_close(&r);
		cli_error("%s", e.msg);
		return EXIT_ERR;
	}
	memset(&perf, 0, sizeof(perf));
	memset(&a, 0, sizeof(a));
	memset(&l, 0, sizeof(l));
	vmsproc_init(&l.p);
	l.enabled = o.connect || r.live;
	l.uri = o.connect;
	if (vmsproc_run(&h, &r, o.connect, &e) < 0 || sample_perf_open(&perf, &r, &h, &e) < 0) {
		cli_error("%s", e.msg);
		rc = EXIT_ERR;
		goto out;
	}
	step = (uint64_t)(o.interval_s * 1e9 + 0.5);
	if (take(&a, &a, 0, false, &r, &h, &perf, &e) < 0) {
		cli_error("%s", e.msg);
		rc = EXIT_ERR;
		goto out;
	}
	start = a.ns;
	l.next_ns = now_ns() + MON_RELIST_NS;
	rc = EXIT_OK;
	for (unsigned long n = 1; o.count == 0 || n <= o.count; n++) {
		struct rates rt;
		bool new_vms;

		if (!wait_until(start + n * step, &l, &h, &r))
			break;
		new_vms = l.changed;
		l.changed = false;
		if (take(&b, &a, n, new_vms, &r, &h, &perf, &e) < 0 ||
		    sample_rates(&rt, &a, &b, &e) < 0) {
			cli_error("%s", e.msg);
			rc = EXIT_ERR;
			break;
		}
		sample_release(&a);
		a = b;
		if (o.json) {
			char *line =
			    json_monitor_line(&rt, (unsigned)n, (double)(a.ns - start) / 1e9, &e);

			if (!line) {
				sample_rates_release(&rt);
				cli_error("%s", e.msg);
				rc = EXIT_ERR;
				break;
			}
			fputs(line, stdout);
			fputc('\n', stdout);
			free(line);
		} else {
			if (n > 1)
				fputc('\n', stdout);
			print_text(stdout, &rt, (double)(a.ns - start) / 1e9);
		}
		sample_rates_release(&rt);
		if (fflush(stdout) == EOF || ferror(stdout))
			break; /* cli_flush() below says why */
	}
out:
	vmsproc_cancel(&l.p);
	sample_release(&a);
	sample_perf_close(&perf);
	host_release(&h);
	fsroot_close(&r);
	return cli_flush(rc);
}
