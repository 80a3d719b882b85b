/* test_apply.c - the apply stage: diff, allow-list, the plan JSON read back, host writes on a
 * copy of a capture with journal and rollback, faults half way, libvirt's test driver */
#include "tests/testutil.h"
#include "tests/gentree.h"
#include "apply/apply.h"
#include "apply/diff.h"
#include "tui/report/json_plan.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- diff ---- */

static void test_diff(void **state)
{
	static const struct {
		const char *a, *b, *want;
	} cases[] = {
	    {"x\ny\n", "x\ny\n", ""},
	    {"", "", ""},
	    {"a\nb\nc\n", "a\nB\nc\n", "--- A\n+++ B\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
	    {"", "a\n", "--- A\n+++ B\n@@ -0,0 +1,1 @@\n+a\n"},
	    {"a\n", "", "--- A\n+++ B\n@@ -1,1 +0,0 @@\n-a\n"},
	    {"a\nb", "a\nb\n",
	     "--- A\n+++ B\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"},
	    /* far apart: two hunks with 3 lines of context each */
	    {"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "X\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\nY\n",
	     "--- A\n+++ B\n@@ -1,4 +1,4 @@\n-1\n+X\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n"
	     "-12\n+Y\n"},
	    /* close: one hunk */
	    {"1\n2\n3\n4\n5\n6\n7\n", "X\n2\n3\n4\n5\n6\nY\n",
	     "--- A\n+++ B\n@@ -1,7 +1,7 @@\n-1\n+X\n 2\n 3\n 4\n 5\n 6\n-7\n+Y\n"},
	    /* an insertion in the middle keeps the rest as context */
	    {"<d>\n  <a/>\n  <b/>\n</d>\n", "<d>\n  <a/>\n  <n/>\n  <b/>\n</d>\n",
	     "--- A\n+++ B\n@@ -1,4 +1,5 @@\n <d>\n   <a/>\n+  <n/>\n   <b/>\n </d>\n"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct err e = ERR_INIT;
		char *d = diff_unified(cases[i].a, cases[i].b, "A", "B", &e);

		if (!d)
			fail_msg("case %zu: %s", i, e.msg);
		if (strcmp(d, cases[i].want) != 0)
			fail_msg("case %zu:\n%s\nwant:\n%s", i, d, cases[i].want);
		free(d);
	}
}

/* ---- allow-list ---- */

static void test_allowed(void **state)
{
	static const struct {
		const char *path;
		bool ok;
	} cases[] = {
	    {"/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", true},
	    {"/sys/devices/system/node/node1/hugepages/hugepages-1048576kB/nr_hugepages", true},
	    {"/sys/kernel/mm/transparent_hugepage/enabled", true},
	    {"/sys/kernel/mm/transparent_hugepage/defrag", true},
	    {"/sys/kernel/mm/ksm/run", true},
	    {"/proc/sys/kernel/numa_balancing", true},
	    {"/proc/sys/vm/swappiness", true},
	    {"/proc/irq/42/smp_affinity_list", true},
	    {"/proc/irq/default_smp_affinity", true},
	    {"/sys/devices/system/cpu/cpu7/cpufreq/scaling_governor", true},
	    {"/etc/passwd", false},
	    {"/sys/kernel/mm/ksm/sleep_millisecs", false},
	    {"/sys/kernel/mm/hugepages/hugepages-2048kB/nr_overcommit_hugepages", false},
	    {"/proc/irq/../sys/vm/swappiness/smp_affinity_list", false},
	    {"/proc/irq/1/2/smp_affinity_list", false},
	    {"/proc/irq/../smp_affinity_list", false},
	    {"/proc/irq//smp_affinity_list", false},
	    {"/proc/irq/.x/smp_affinity_list", false},
	    {"sys/kernel/mm/ksm/run", false},
	    {"/sys/kernel/mm/ksm/run/", false},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		if (apply_allowed(cases[i].path) != cases[i].ok)
			fail_msg("'%s': %s, want %s", cases[i].path,
				 cases[i].ok ? "refused" : "allowed",
				 cases[i].ok ? "allowed" : "refused");
}

/* ---- plans by hand ---- */

static void add_setting(struct plan *p, const char *path, const char *value)
{
	p->settings = realloc(p->settings, (p->nsettings + 1) * sizeof(*p->settings));
	assert_non_null(p->settings);
	memset(&p->settings[p->nsettings], 0, sizeof(*p->settings));
	snprintf(p->settings[p->nsettings].path, sizeof(p->settings->path), "%s", path);
	snprintf(p->settings[p->nsettings].reason, sizeof(p->settings->reason), "test %s", value);
	p->settings[p->nsettings].value = strdup(value);
	p->nsettings++;
}

/* A placed VM: vCPU i on cpus[i], emulator on @emu, one guest cell on node 0. */
static void add_vm(struct plan *p, const char *name, const unsigned *cpus, size_t n,
		   const char *emu)
{
	struct vm_plan *v;
	struct err e = ERR_INIT;

	p->vms = realloc(p->vms, (p->nvms + 1) * sizeof(*p->vms));
	assert_non_null(p->vms);
	v = &p->vms[p->nvms++];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->placed = true;
	v->vcpus = (unsigned)n;
	v->mem_kib = 65536;
	idset_add(&v->nodes, 0);
	v->npins = n;
	v->pins = calloc(n, sizeof(*v->pins));
	v->ncells = 1;
	v->cells = calloc(1, sizeof(*v->cells));
	assert_non_null(v->pins);
	assert_non_null(v->cells);
	for (size_t i = 0; i < n; i++) {
		v->pins[i] = (struct pin){(unsigned)i, cpus[i]};
		idset_add(&v->cpus, cpus[i]);
		idset_add(&v->cells[0].vcpus, (unsigned)i);
	}
	v->cells[0].mem_kib = v->mem_kib;
	assert_ok(idset_parse(&v->emulator, emu, &e), e);
	v->sockets = 1;
	v->cores = (unsigned)n;
	v->threads = 1;
	snprintf(v->reasons[v->nreasons++], PLAN_WHY_MAX, "a reason for %s", name);
	p->nplaced++;
}

static void test_json_round_trip(void **state)
{
	static const unsigned cpus[] = {2, 3, 6, 7};
	struct plan p, q;
	struct err e = ERR_INIT;
	char *a, *b;

	(void)state;
	plan_init(&p);
	snprintf(p.root, sizeof(p.root), "/some/capture");
	snprintf(p.profile, sizeof(p.profile), "high-pps");
	add_vm(&p, "vm0", cpus, 4, "0-1");
	p.vms[0].page_kib = 1048576;
	p.vms[0].cells[0].page_kib = 1048576;
	p.vms[0].cells[0].pages = 4;
	p.vms[0].niothreads = 1;
	idset_add(&p.vms[0].iothread, 1);
	idset_add(&p.vms[0].idle, 9);
	p.vms = realloc(p.vms, 2 * sizeof(*p.vms));
	memset(&p.vms[1], 0, sizeof(p.vms[1]));
	snprintf(p.vms[1].name, sizeof(p.vms[1].name), "big");
	p.vms[1].vcpus = 64;
	p.vms[1].mem_kib = 1024 * 1024;
	p.vms[1].shortage = SHORT_MEMORY;
	snprintf(p.vms[1].why_not, sizeof(p.vms[1].why_not), "no node has 1 GiB free");
	p.nvms = 2;
	idset_add(&p.housekeeping, 0);
	idset_add(&p.dedicated, 2);
	p.pools = calloc(1, sizeof(*p.pools));
	p.pools[0] = (struct plan_pool){0, 1048576, 2, 1, 4, 5};
	p.npools = 1;
	add_setting(&p, "/sys/kernel/mm/ksm/run", "0");
	p.cmdline = calloc(1, sizeof(*p.cmdline));
	p.cmdline[0].arg = strdup("isolcpus=2-7");
	snprintf(p.cmdline[0].reason, sizeof(p.cmdline[0].reason), "quiet");
	p.ncmdline = 1;
	snprintf(p.reasons[p.nreasons++], PLAN_WHY_MAX, "housekeeping on CPU 0");

	a = json_plan_format(&p, &e);
	assert_non_null(a);
	assert_ok(json_plan_parse(a, "plan.json", &q, &e), e);
	b = json_plan_format(&q, &e);
	assert_non_null(b);
	assert_string_equal(a, b);
	assert_string_equal(q.root, "/some/capture");
	assert_true(idset_equal(&q.vms[0].cpus, &p.vms[0].cpus));
	assert_int_equal(q.vms[0].cells[0].pages, 4);
	assert_int_equal(q.vms[1].shortage, SHORT_MEMORY);
	plan_release(&q);
	free(b);

	/* a broken plan file names the file, the VM and the key */
	{
		static const struct {
			const char *from, *to, *want;
		} bad[] = {
		    {"\"vcpu_pins\"", "\"vcpu_pinz\"",
		     "'plan.json': vm 'vm0': 'vcpu_pins' is missing or not an array"},
		    {"\"emulator_cpus\": \"0-1\"", "\"emulator_cpus\": \"x\"",
		     "'plan.json': vm 'vm0': 'emulator_cpus': invalid id list 'x'"},
		    {"\"shortage\": \"memory\"", "\"shortage\": \"love\"",
		     "'plan.json': vm 'big': 'shortage' is not a known shortage"},
		    {"\"value\": \"0\"", "\"value\": 0",
		     "'plan.json': host: settings[0]: 'value' is missing or not a string"},
		    {"\"root\"", "\"rot\"", "'plan.json': plan: 'root' is missing or not a string"},
		};

		for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
			char *t = strstr(a, bad[i].from), *text;

			assert_non_null(t);
			assert_true(asprintf(&text, "%.*s%s%s", (int)(t - a), a, bad[i].to,
					     t + strlen(bad[i].from)) > 0);
			assert_int_equal(json_plan_parse(text, "plan.json", &q, &e), -1);
			assert_string_equal(e.msg, bad[i].want);
			assert_int_equal(q.nvms, 0);
			free(text);
		}
		assert_int_equal(json_plan_parse("{\"vms\": [", "plan.json", &q, &e), -1);
		assert_string_equal(e.msg, "'plan.json':1:10: invalid JSON: unexpected end");
	}
	free(a);
	plan_release(&p);
}

/* ---- host writes under a root ---- */

struct fx {
	char dir[4096];
	char state[4200];
	struct fsroot r;
	struct plan p;
};

static void put(struct fx *f, const char *path, const char *content)
{
	struct err e = ERR_INIT;

	assert_ok(gentree_file(f->dir, path, content, &e), e);
}

static char *get(struct fx *f, const char *path)
{
	static char buf[4096];
	struct err e = ERR_INIT;

	assert_true(fs_read(&f->r, path, buf, sizeof(buf), &e) >= 0);
	return buf;
}

static void fx_open(struct fx *f, const char *dir)
{
	struct err e = ERR_INIT;

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s", dir);
	snprintf(f->state, sizeof(f->state), "%s/state", dir);
	f->r = (struct fsroot)FSROOT_INIT;
	assert_ok(fsroot_open(&f->r, dir, &e), e);
	plan_init(&f->p);
	snprintf(f->p.root, sizeof(f->p.root), "%s", dir);
}

static void fx_close(struct fx *f)
{
	plan_release(&f->p);
	fsroot_close(&f->r);
}

static const struct domxml_opts no_opts = {true, false, false, "", 0};

/* A copy of a real capture: per-node 1 GiB pools, the journal, rollback, no-op twice. */
static void test_capture(void **state)
{
	static const char n0[] = "/sys/devices/system/node/node0/hugepages/hugepages-1048576kB/"
				 "nr_hugepages";
	static const char n1[] = "/sys/devices/system/node/node1/hugepages/hugepages-1048576kB/"
				 "nr_hugepages";
	char root[4096], was0[4096], was1[4096];
	struct fx f;
	struct changeset cs;
	struct apply_result res;
	struct journal j;
	struct err e = ERR_INIT;

	(void)state;
	if (!tu_unpack_host("2s-intel-xeon-silver4108-smt", root, sizeof(root))) {
		tu_skip_msg("capture 2s-intel-xeon-silver4108-smt is absent");
		skip();
	}
	fx_open(&f, root);
	snprintf(was0, sizeof(was0), "%s", get(&f, n0));
	snprintf(was1, sizeof(was1), "%s", get(&f, n1));
	assert_string_equal(was0, "0");
	add_setting(&f.p, n0, "4");
	add_setting(&f.p, n1, "0"); /* already so: skipped */

	assert_ok(apply_prepare(&f.p, &no_opts, &f.r, NULL, &cs, &e), e);
	assert_int_equal(cs.nwrites, 1);
	assert_string_equal(cs.writes[0].path, n0);
	assert_string_equal(cs.writes[0].old_value, "0");
	assert_string_equal(cs.writes[0].new_value, "4");
	assert_string_equal(get(&f, n0), "0"); /* prepare touches nothing */
	assert_ok(apply_commit(&cs, &f.r, NULL, "", f.state, &res, &e), e);
	assert_string_equal(get(&f, n0), "4");
	assert_int_equal(res.done, 1);
	changeset_release(&cs);

	assert_ok(journal_load(&j, f.state, res.journal_id, false, &e), e);
	assert_int_equal(j.status, JOURNAL_COMPLETE);
	assert_int_equal(j.nsteps, 1);
	assert_int_equal(j.steps[0].kind, JSTEP_WRITE);
	assert_string_equal(j.steps[0].target, n0);
	assert_string_equal(j.steps[0].data, "0");
	assert_string_equal(j.uri, "");
	journal_release(&j);
	apply_result_release(&res);

	/* the same plan again: nothing to change */
	assert_ok(apply_prepare(&f.p, &no_opts, &f.r, NULL, &cs, &e), e);
	assert_true(changeset_empty(&cs));
	changeset_release(&cs);

	assert_ok(apply_rollback(f.state, "", &f.r, NULL, &res, &e), e);
	assert_int_equal(res.undone, 1);
	assert_string_equal(get(&f, n0), was0);
	assert_string_equal(get(&f, n1), was1);
	apply_result_release(&res);
	assert_int_equal(apply_rollback(f.state, "", &f.r, NULL, &res, &e), -1);
	{
		char want[8400];

		snprintf(want, sizeof(want),
			 "nothing to roll back: no journal in '%s' that is not rolled back",
			 f.state);
		assert_string_equal(e.msg, want);
	}
	apply_result_release(&res);
	fx_close(&f);
	tu_rmtree(root);
}

/* Refusals before anything is read: the allow-list and the plan's root. */
static void test_refuse(void **state)
{
	char dir[4096], want[8400];
	struct fx f;
	struct changeset cs;
	struct err e = ERR_INIT;

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	fx_open(&f, dir);
	put(&f, "/sys/kernel/mm/ksm/run", "0\n");
	add_setting(&f.p, "/sys/kernel/mm/ksm/run", "1");
	add_setting(&f.p, "/sys/kernel/mm/ksm/sleep_millisecs", "10");
	assert_int_equal(apply_prepare(&f.p, &no_opts, &f.r, NULL, &cs, &e), -1);
	assert_string_equal(e.msg, "refusing to write '/sys/kernel/mm/ksm/sleep_millisecs': not "
				   "a setting hvtune changes (see 'hvtune apply --help')");
	snprintf(f.p.root, sizeof(f.p.root), "/");
	assert_int_equal(apply_prepare(&f.p, &no_opts, &f.r, NULL, &cs, &e), -1);
	snprintf(want, sizeof(want),
		 "the plan is for root '/', not '%s' (plan again with --root %s)", dir, dir);
	assert_string_equal(e.msg, want);
	/* a setting file that does not exist: the error names it, nothing is written */
	snprintf(f.p.root, sizeof(f.p.root), "%s", dir);
	free(f.p.settings[1].value);
	f.p.nsettings = 1;
	add_setting(&f.p, "/proc/sys/vm/swappiness", "10");
	assert_int_equal(apply_prepare(&f.p, &no_opts, &f.r, NULL, &cs, &e), -1);
	snprintf(want, sizeof(want), "cannot open '%s/proc/sys/vm/swappiness': %s", dir,
		 strerror(ENOENT));
	assert_string_equal(e.msg, want);
	assert_string_equal(get(&f, "/sys/kernel/mm/ksm/run"), "0");
	fx_close(&f);
	tu_rmtree(dir);
}

static const char *const files[][2] = {
    {"/sys/kernel/mm/ksm/run", "0"},
    {"/sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never"},
    {"/proc/sys/vm/swappiness", "60"},
    {"/proc/sys/kernel/numa_balancing", "1"},
};
static const char *const wanted[] = {"1", "never", "10", "0"};

/*
 * A failure half way (the third of four files): the first two are written,
 * then undone newest first, and every file is as before.  The failures come
 * between prepare and commit, as when the host changes under a running apply:
 * the file vanished (ENOENT), was replaced by a symlink, which fs_write()
 * refuses to follow (ELOOP) although it reads through it, or by a directory
 * (not a regular file).  A read-only mount is in test_apply_e2e.sh (it needs root).
 */
static void test_fault_half_way(void **state)
{
	static const char *const kinds[] = {"vanished", "symlink", "directory"};

	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(kinds); k++) {
		char dir[4096], path[4400], want[8400], real[4400];
		struct fx f;
		struct changeset cs;
		struct apply_result res;
		struct journal j;
		struct err e = ERR_INIT;

		tu_tmpdir(dir, sizeof(dir));
		fx_open(&f, dir);
		for (size_t i = 0; i < ARRAY_LEN(files); i++) {
			char content[64];

			snprintf(content, sizeof(content), "%s\n", files[i][1]);
			put(&f, files[i][0], content);
			add_setting(&f.p, files[i][0], wanted[i]);
		}
		assert_ok(apply_prepare(&f.p, &no_opts, &f.r, NULL, &cs, &e), e);
		assert_int_equal(cs.nwrites, 4);
		assert_string_equal(cs.writes[1].old_value, "madvise");
		snprintf(path, sizeof(path), "%s%s", dir, files[2][0]);
		assert_int_equal(unlink(path), 0);
		if (k == 1) {
			/* absolute links resolve inside the root, as under chroot() */
			snprintf(real, sizeof(real), "/elsewhere");
			put(&f, "/elsewhere", "60\n");
			assert_int_equal(symlink(real, path), 0);
		}
		if (k == 2)
			assert_int_equal(mkdir(path, 0755), 0);
		assert_int_equal(apply_commit(&cs, &f.r, NULL, "", f.state, &res, &e), -1);
		if (k == 0)
			snprintf(want, sizeof(want), "cannot open '%s%s': %s", dir, files[2][0],
				 strerror(ENOENT));
		else if (k == 2)
			snprintf(want, sizeof(want), "'%s%s' is not a regular file", dir,
				 files[2][0]);
		else
			snprintf(want, sizeof(want), "cannot open '%s%s' for writing: %s", dir,
				 files[2][0], strerror(ELOOP));
		assert_string_equal(e.msg, want);
		assert_int_equal(res.done, 2);
		assert_int_equal(res.undo_failed, 0);
		assert_int_equal(res.undone, 2);
		assert_string_equal(get(&f, files[0][0]), "0");
		/* the bracketed choice read before is what is written back */
		assert_string_equal(get(&f, files[1][0]), "madvise");
		assert_string_equal(get(&f, files[3][0]), "1");
		assert_ok(journal_load(&j, f.state, res.journal_id, false, &e), e);
		assert_int_equal(j.status, JOURNAL_ROLLED_BACK);
		journal_release(&j);
		changeset_release(&cs);
		apply_result_release(&res);
		fx_close(&f);
		tu_rmtree(dir);
	}
}

/* A rollback keeps going past an undo that fails, and says which. */
static void test_rollback_incomplete(void **state)
{
	char dir[4096], path[4400], want[8400];
	struct fx f;
	struct changeset cs;
	struct apply_result res;
	struct journal j;
	struct err e = ERR_INIT;

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	fx_open(&f, dir);
	put(&f, files[0][0], "0\n");
	put(&f, files[2][0], "60\n");
	put(&f, files[3][0], "1\n");
	add_setting(&f.p, files[0][0], "1");
	add_setting(&f.p, files[2][0], "10");
	add_setting(&f.p, files[3][0], "0");
	assert_ok(apply_prepare(&f.p, &no_opts, &f.r, NULL, &cs, &e), e);
	assert_ok(apply_commit(&cs, &f.r, NULL, "", f.state, &res, &e), e);
	assert_int_equal(res.done, 3);
	apply_result_release(&res);
	snprintf(path, sizeof(path), "%s%s", dir, files[2][0]);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(apply_rollback(f.state, "", &f.r, NULL, &res, &e), -1);
	snprintf(want, sizeof(want),
		 "rollback of '%s' incomplete: cannot open '%s%s' for writing: %s", res.journal_id,
		 dir, files[2][0], strerror(ENOENT));
	assert_string_equal(e.msg, want);
	assert_int_equal(res.undone, 2);
	assert_int_equal(res.undo_failed, 1);
	assert_string_equal(get(&f, files[0][0]), "0");
	assert_string_equal(get(&f, files[3][0]), "1");
	assert_ok(journal_load(&j, f.state, res.journal_id, false, &e), e);
	assert_int_equal(j.status, JOURNAL_ROLLBACK_FAILED);
	journal_release(&j);
	/* once the file is back, the same journal rolls back the rest */
	put(&f, files[2][0], "10\n");
	apply_result_release(&res);
	assert_ok(apply_rollback(f.state, "", &f.r, NULL, &res, &e), e);
	assert_string_equal(get(&f, files[2][0]), "60");
	changeset_release(&cs);
	apply_result_release(&res);
	fx_close(&f);
	tu_rmtree(dir);
}

/* ---- libvirt's test driver ---- */

static struct lv *test_driver(void)
{
	struct err e = ERR_INIT;
	struct lv *c = lv_open("test:///default", &e);

	if (!c) {
		tu_skip_msg("no libvirt test driver: %s", e.msg);
		skip();
	}
	return c;
}

/* Define, live vcpupin and emulatorpin, and a rollback that restores the
 * persistent XML byte for byte and the live pins. */
static void test_libvirt(void **state)
{
	static const unsigned cpus[] = {1, 0};
	char dir[4096], a[64];
	struct fx f;
	struct changeset cs;
	struct apply_result res;
	struct idset before[2], now[2], emu_before, emu;
	struct err e = ERR_INIT;
	struct lv *c = test_driver();
	char *old, *cur;

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	fx_open(&f, dir);
	add_vm(&f.p, "test", cpus, 2, "0");
	old = lv_xml(c, "test", true, &e);
	assert_non_null(old);
	assert_ok(lv_vcpu_pins(c, "test", before, 2, &e), e);
	assert_ok(lv_emulator_pin(c, "test", &emu_before, &e), e);

	assert_ok(apply_prepare(&f.p, &no_opts, &f.r, c, &cs, &e), e);
	assert_int_equal(cs.ndomains, 1);
	assert_true(cs.domains[0].active);
	assert_non_null(cs.domains[0].new_xml);
	assert_string_equal(cs.domains[0].old_xml, old);
	assert_true(
	    strncmp(cs.domains[0].diff, "--- test.xml (now)\n+++ test.xml (plan)\n@@ ", 42) == 0);
	assert_int_equal(cs.domains[0].npins, 2);
	assert_true(cs.domains[0].pin_emulator);
	assert_ok(apply_commit(&cs, &f.r, c, "test:///default", f.state, &res, &e), e);
	assert_int_equal(res.done, 5); /* define, 2 vCPU pins, emulator, numatune */
	assert_int_equal(res.nnotes, 0);
	cur = lv_xml(c, "test", true, &e);
	assert_non_null(cur);
	assert_string_not_equal(cur, old);
	free(cur);
	assert_ok(lv_vcpu_pins(c, "test", now, 2, &e), e);
	assert_string_equal(idset_format(&now[0], a, sizeof(a)), "1");
	assert_string_equal(idset_format(&now[1], a, sizeof(a)), "0");
	assert_ok(lv_emulator_pin(c, "test", &emu, &e), e);
	assert_string_equal(idset_format(&emu, a, sizeof(a)), "0");
	changeset_release(&cs);
	apply_result_release(&res);
	/* the same plan again: libvirt's own XML comes back byte for byte */
	assert_ok(apply_prepare(&f.p, &no_opts, &f.r, c, &cs, &e), e);
	assert_true(changeset_empty(&cs));
	changeset_release(&cs);

	assert_ok(apply_rollback(f.state, "", &f.r, c, &res, &e), e);
	assert_int_equal(res.undone, 5);
	cur = lv_xml(c, "test", true, &e);
	assert_non_null(cur);
	assert_string_equal(cur, old);
	free(cur);
	assert_ok(lv_vcpu_pins(c, "test", now, 2, &e), e);
	assert_true(idset_equal(&now[0], &before[0]));
	assert_true(idset_equal(&now[1], &before[1]));
	assert_ok(lv_emulator_pin(c, "test", &emu, &e), e);
	assert_true(idset_equal(&emu, &emu_before));
	apply_result_release(&res);
	free(old);
	lv_close(c);
	fx_close(&f);
	tu_rmtree(dir);
}

/* A test driver host of our own (test://PATH), whose domains run. */
static struct lv *host_file(const char *dir, const char *xml)
{
	char path[4200], uri[4300];
	struct err e = ERR_INIT;
	struct lv *c;
	FILE *f;

	snprintf(path, sizeof(path), "%s/lvhost.xml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(xml, f);
	fclose(f);
	snprintf(uri, sizeof(uri), "test://%s", path);
	c = lv_open(uri, &e);
	if (!c) {
		tu_skip_msg("no libvirt test driver: %s", e.msg);
		skip();
	}
	return c;
}

/* A running domain with 2 iothreads: each pinned live to the plan's iothread
 * CPUs with its journal record, the numatune set live; rollback restores the
 * old pins.  Then with mode interleave live: libvirt refuses the numatune
 * live, which is a note, and the rest is applied. */
static void test_libvirt_iothreads_numa(void **state)
{
	static const char host[] =
	    "<node>\n"
	    "  <domain type='test'>\n"
	    "    <name>io0</name>\n"
	    "    <memory>65536</memory>\n"
	    "    <vcpu>2</vcpu>\n"
	    "    <iothreads>2</iothreads>\n"
	    "    <os><type>hvm</type></os>\n"
	    "  </domain>\n"
	    "  <domain type='test'>\n"
	    "    <name>io1</name>\n"
	    "    <memory>65536</memory>\n"
	    "    <vcpu>2</vcpu>\n"
	    "    <iothreads>1</iothreads>\n"
	    "    <numatune><memory mode='interleave' nodeset='0-1'/></numatune>\n"
	    "    <os><type>hvm</type></os>\n"
	    "  </domain>\n"
	    "</node>\n";
	static const unsigned cpus[] = {1, 0};
	char dir[4096], a[64], mode[16], nodeset[64];
	struct fx f;
	struct changeset cs;
	struct apply_result res;
	struct lv_iothread *before, *now;
	size_t nb, nn;
	struct journal j;
	struct err e = ERR_INIT;
	struct lv *c;

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	c = host_file(dir, host);
	fx_open(&f, dir);
	add_vm(&f.p, "io0", cpus, 2, "0");
	idset_add(&f.p.vms[0].iothread, 1);
	assert_ok(lv_iothread_pins(c, "io0", &before, &nb, &e), e);
	assert_int_equal(nb, 2);
	assert_string_equal(idset_format(&before[0].cpus, a, sizeof(a)), "0-1");

	assert_ok(apply_prepare(&f.p, &no_opts, &f.r, c, &cs, &e), e);
	assert_int_equal(cs.ndomains, 1);
	assert_int_equal(cs.domains[0].niothreads, 2);
	assert_true(cs.domains[0].set_numa);
	assert_string_equal(cs.domains[0].numa_nodeset, "0");
	assert_ok(apply_commit(&cs, &f.r, c, "test", f.state, &res, &e), e);
	/* define, 2 vCPUs, emulator, 2 iothreads, numatune */
	assert_int_equal(res.done, 7);
	assert_int_equal(res.nnotes, 0);
	assert_ok(lv_iothread_pins(c, "io0", &now, &nn, &e), e);
	assert_string_equal(idset_format(&now[0].cpus, a, sizeof(a)), "1");
	assert_string_equal(idset_format(&now[1].cpus, a, sizeof(a)), "1");
	free(now);
	assert_ok(lv_numa(c, "io0", mode, sizeof(mode), nodeset, sizeof(nodeset), &e), e);
	assert_string_equal(mode, "strict");
	assert_string_equal(nodeset, "0");
	assert_ok(journal_load(&j, f.state, res.journal_id, false, &e), e);
	assert_int_equal(j.nsteps, 7);
	assert_int_equal(j.steps[4].kind, JSTEP_IOTHREADPIN);
	assert_int_equal(j.steps[4].iothread, 1);
	assert_string_equal(idset_format(&j.steps[4].cpus, a, sizeof(a)), "0-1");
	assert_int_equal(j.steps[5].iothread, 2);
	assert_int_equal(j.steps[6].kind, JSTEP_NUMATUNE);
	assert_string_equal(j.steps[6].mode, "strict");
	assert_string_equal(j.steps[6].nodeset, "");
	journal_release(&j);
	changeset_release(&cs);
	apply_result_release(&res);
	/* the same plan again: nothing */
	assert_ok(apply_prepare(&f.p, &no_opts, &f.r, c, &cs, &e), e);
	assert_true(changeset_empty(&cs));
	changeset_release(&cs);

	assert_ok(apply_rollback(f.state, "", &f.r, c, &res, &e), e);
	assert_int_equal(res.undone, 7);
	assert_int_equal(res.undo_failed, 0);
	assert_ok(lv_iothread_pins(c, "io0", &now, &nn, &e), e);
	assert_true(idset_equal(&now[0].cpus, &before[0].cpus));
	assert_true(idset_equal(&now[1].cpus, &before[1].cpus));
	free(now);
	/* no old nodeset: every node of the host (the test driver has 2) */
	assert_ok(lv_numa(c, "io0", mode, sizeof(mode), nodeset, sizeof(nodeset), &e), e);
	assert_string_equal(nodeset, "0-1");
	apply_result_release(&res);
	free(before);

	/* io1 runs interleaved: the live numatune is refused, a note */
	snprintf(f.p.vms[0].name, sizeof(f.p.vms[0].name), "io1");
	assert_ok(apply_prepare(&f.p, &no_opts, &f.r, c, &cs, &e), e);
	assert_int_equal(cs.ndomains, 1);
	assert_true(cs.domains[0].set_numa);
	assert_string_equal(cs.domains[0].old_numa_mode, "interleave");
	assert_int_equal(cs.domains[0].niothreads, 1);
	assert_ok(apply_commit(&cs, &f.r, c, "test", f.state, &res, &e), e);
	assert_int_equal(res.nnotes, 1);
	assert_string_equal(res.notes[0],
			    "domain 'io1': numatune applied to the persistent definition only: "
			    "Requested operation is not valid: can't change numatune mode for "
			    "running domain");
	assert_int_equal(res.done, 5); /* define, 2 vCPUs, emulator, iothread */
	assert_ok(lv_numa(c, "io1", mode, sizeof(mode), nodeset, sizeof(nodeset), &e), e);
	assert_string_equal(mode, "interleave");
	changeset_release(&cs);
	apply_result_release(&res);
	/* again: the definition has it, the live binding differs: a note, no change */
	assert_ok(apply_prepare(&f.p, &no_opts, &f.r, c, &cs, &e), e);
	assert_true(changeset_empty(&cs));
	assert_int_equal(cs.nnotes, 1);
	assert_string_equal(cs.notes[0],
			    "domain 'io1': live numatune interleave 0-1, the "
			    "definition's strict 0: it takes effect at the next start");
	changeset_release(&cs);
	/* rollback: the record of the refused step sets what is there (the mode
	 * is the same: allowed); the e2e test sees a refused one */
	assert_ok(apply_rollback(f.state, "", &f.r, c, &res, &e), e);
	assert_int_equal(res.undo_failed, 0);
	assert_string_equal(res.log[0], "restored domain 'io1' numatune to interleave 0-1");
	assert_ok(lv_iothread_pins(c, "io1", &now, &nn, &e), e);
	assert_string_equal(idset_format(&now[0].cpus, a, sizeof(a)), "0-1");
	free(now);
	apply_result_release(&res);
	lv_close(c);
	fx_close(&f);
	tu_rmtree(dir);
}

/* A define that libvirt refuses (the second domain's XML): the first
 * domain's definition and the host file are exactly as before. */
/* The test driver's domain 'test' under the name @name, without its uuid. */
static char *copy_of_test(struct lv *c, const char *name)
{
	struct err e = ERR_INIT;
	char *base = lv_xml(c, "test", true, &e), *xml;
	char *u, *ue, *n;

	assert_non_null(base);
	u = strstr(base, "  <uuid>");
	ue = u ? strstr(u, "</uuid>\n") : NULL;
	n = strstr(base, "<name>test</name>");
	assert_non_null(ue);
	assert_non_null(n);
	assert_true(asprintf(&xml, "%.*s<name>%s</name>%.*s%s", (int)(n - base), base, name,
			     (int)(u - (n + 17)), n + 17, ue + 8) > 0);
	free(base);
	return xml;
}

static void test_libvirt_define_fails(void **state)
{
	static const unsigned cpus[] = {1, 0};
	char dir[4096], *xml2, *old1, *old2, *cur, want[512];
	struct fx f;
	struct changeset cs;
	struct apply_result res;
	struct err e = ERR_INIT;
	struct lv *c = test_driver();

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	fx_open(&f, dir);
	put(&f, files[0][0], "0\n");
	add_setting(&f.p, files[0][0], "1");
	/* a second domain: the test domain under another name */
	xml2 = copy_of_test(c, "apply2");
	assert_ok(virt_define(c, xml2, true, &e), e);
	free(xml2);
	add_vm(&f.p, "test", cpus, 2, "0");
	add_vm(&f.p, "apply2", cpus, 2, "0");
	old1 = lv_xml(c, "test", true, &e);
	old2 = lv_xml(c, "apply2", true, &e);
	assert_non_null(old1);
	assert_non_null(old2);
	assert_ok(apply_prepare(&f.p, &no_opts, &f.r, c, &cs, &e), e);
	assert_int_equal(cs.ndomains, 2);
	assert_int_equal(cs.nwrites, 1);
	/* what libvirt's schema refuses: an element it does not know */
	free(cs.domains[1].new_xml);
	{
		char *d = strstr(old2, "</domain>");

		assert_non_null(d);
		assert_true(asprintf(&cs.domains[1].new_xml, "%.*s<bogus/></domain>\n",
				     (int)(d - old2), old2) > 0);
	}
	assert_int_equal(apply_commit(&cs, &f.r, c, "test:///default", f.state, &res, &e), -1);
	assert_true(strstr(e.msg, "bogus") != NULL || strstr(e.msg, "valid") != NULL ||
		    strstr(e.msg, "schema") != NULL);
	assert_int_equal(res.undo_failed, 0);
	snprintf(want, sizeof(want), "restored the definition of domain 'test'");
	assert_true(res.nlog >= 2);
	assert_string_equal(res.log[res.nlog - 1], want);
	cur = lv_xml(c, "test", true, &e);
	assert_string_equal(cur, old1);
	free(cur);
	cur = lv_xml(c, "apply2", true, &e);
	assert_string_equal(cur, old2);
	free(cur);
	assert_string_equal(get(&f, files[0][0]), "0");
	changeset_release(&cs);
	apply_result_release(&res);
	free(old1);
	free(old2);
	lv_close(c);
	fx_close(&f);
	tu_rmtree(dir);
}

/*
 * A domain that libvirt accepted without validation but whose definition does
 * not pass libvirt's schema (a machine name with a blank): apply defines it
 * without validation and says so; rollback restores it byte for byte.  The
 * new XML of a domain that did pass is still refused (test above).
 */
static void test_libvirt_schema_before(void **state)
{
	static const unsigned cpus[] = {1, 0};
	char dir[4096], *xml, *old, *cur, *t;
	struct fx f;
	struct changeset cs;
	struct apply_result res;
	struct err e = ERR_INIT;
	struct lv *c = test_driver();
	char *base;

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	fx_open(&f, dir);
	base = copy_of_test(c, "odd");
	t = strstr(base, "<type arch='i686'>");
	assert_non_null(t);
	assert_true(asprintf(&xml, "%.*s<type arch='i686' machine='pc with space'>%s",
			     (int)(t - base), base, t + strlen("<type arch='i686'>")) > 0);
	assert_int_equal(virt_define(c, xml, true, &e), -1);
	assert_true(virt_schema_invalid(&e));
	assert_ok(virt_define(c, xml, false, &e), e);
	free(xml);
	free(base);
	add_vm(&f.p, "odd", cpus, 2, "0");
	old = lv_xml(c, "odd", true, &e);
	assert_non_null(old);
	assert_ok(apply_prepare(&f.p, &no_opts, &f.r, c, &cs, &e), e);
	assert_int_equal(cs.ndomains, 1);
	assert_ok(apply_commit(&cs, &f.r, c, "test:///default", f.state, &res, &e), e);
	assert_int_equal(res.nnotes, 1);
	assert_string_equal(res.notes[0], "domain 'odd' did not pass libvirt's schema before the "
					  "change either: defined without validation");
	cur = lv_xml(c, "odd", true, &e);
	assert_non_null(cur);
	assert_non_null(strstr(cur, "<vcpupin vcpu='0' cpuset='1'/>"));
	assert_non_null(strstr(cur, "machine='pc with space'"));
	free(cur);
	changeset_release(&cs);
	apply_result_release(&res);
	assert_ok(apply_rollback(f.state, "", &f.r, c, &res, &e), e);
	cur = lv_xml(c, "odd", true, &e);
	assert_string_equal(cur, old);
	free(cur);
	apply_result_release(&res);
	free(old);
	lv_close(c);
	fx_close(&f);
	tu_rmtree(dir);
}

/* ---- values: the kind each allowed file takes ---- */

/* Every allowed file takes one kind of value; anything else is refused
 * before a file is read, a newline or control character always. */
static void test_values(void **state)
{
	static const char thp[] = "/sys/kernel/mm/transparent_hugepage/enabled";
	static const char pool[] = "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages";
	static const char gov[] = "/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor";
	static const struct {
		const char *path, *value;
		bool ok;
	} cases[] = {
	    {pool, "4", true},
	    {pool, "999999999999999", false},
	    {pool, "-1", false},
	    {pool, "", false},
	    {pool, "0x10", false},
	    {pool, "4 ", false},
	    {"/proc/sys/vm/swappiness", "200", true},
	    {"/proc/sys/vm/swappiness", "201", false},
	    {"/proc/sys/vm/swappiness", "10\nkernel.core_pattern=|/tmp/x", false},
	    {"/sys/kernel/mm/ksm/run", "2", true},
	    {"/sys/kernel/mm/ksm/run", "3", false},
	    {"/proc/sys/kernel/numa_balancing", "1", true},
	    {"/proc/sys/kernel/numa_balancing", "on", false},
	    {thp, "never", true},
	    {thp, "sometimes", false},
	    {thp, "[never]", false},
	    {thp, "defer", false},
	    {"/sys/kernel/mm/transparent_hugepage/defrag", "defer+madvise", true},
	    {"/proc/irq/5/smp_affinity_list", "0-3,8", true},
	    {"/proc/irq/5/smp_affinity_list", "0-3\n", false},
	    {"/proc/irq/5/smp_affinity_list", "0-99999", false},
	    {"/proc/irq/5/smp_affinity_list", "all", false},
	    {"/proc/irq/default_smp_affinity", "00000000,0000000f", true},
	    {"/proc/irq/default_smp_affinity", "f", true},
	    {"/proc/irq/default_smp_affinity", "0-3", false},
	    {gov, "performance", true},
	    {gov, "perf ormance", false},
	    {gov, "../../x", false},
	    {gov, "schedutil\t", false},
	};
	char dir[4096], *big;
	struct fx f;
	struct changeset cs;
	struct err e = ERR_INIT;

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	fx_open(&f, dir);
	put(&f, thp, "always [madvise] never\n");
	put(&f, "/sys/kernel/mm/transparent_hugepage/defrag",
	    "always defer defer+madvise [madvise] never\n");
	put(&f, pool, "0\n");
	put(&f, "/proc/sys/vm/swappiness", "60\n");
	put(&f, "/sys/kernel/mm/ksm/run", "0\n");
	put(&f, "/proc/sys/kernel/numa_balancing", "0\n");
	put(&f, "/proc/irq/5/smp_affinity_list", "0-7\n");
	put(&f, "/proc/irq/default_smp_affinity", "ff\n");
	put(&f, gov, "schedutil\n");
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		int rc;

		add_setting(&f.p, cases[i].path, cases[i].value);
		rc = apply_prepare(&f.p, &no_opts, &f.r, NULL, &cs, &e);
		if (cases[i].ok && rc < 0)
			fail_msg("'%s' = '%s': %s", cases[i].path, cases[i].value, e.msg);
		if (!cases[i].ok && (rc == 0 || !strstr(e.msg, "refusing to write") ||
				     !strstr(e.msg, cases[i].path)))
			fail_msg("'%s' = '%s': %s", cases[i].path, cases[i].value,
				 rc == 0 ? "accepted" : e.msg);
		if (rc == 0)
			changeset_release(&cs);
		plan_release(&f.p);
		plan_init(&f.p);
		snprintf(f.p.root, sizeof(f.p.root), "%s", dir);
	}
	/* 100,000 bytes for ksm/run: refused, and the message stays one short line */
	big = malloc(100001);
	assert_non_null(big);
	memset(big, '1', 100000);
	big[100000] = '\0';
	add_setting(&f.p, "/sys/kernel/mm/ksm/run", big);
	assert_int_equal(apply_prepare(&f.p, &no_opts, &f.r, NULL, &cs, &e), -1);
	assert_string_equal(e.msg, "refusing to write a value of 100000 bytes to "
				   "'/sys/kernel/mm/ksm/run': not a number from 0 to 2");
	free(big);
	/* a current value hvtune could not write back is refused before any change */
	plan_release(&f.p);
	plan_init(&f.p);
	snprintf(f.p.root, sizeof(f.p.root), "%s", dir);
	put(&f, "/sys/kernel/mm/ksm/run", "7\n");
	add_setting(&f.p, "/sys/kernel/mm/ksm/run", "1");
	assert_int_equal(apply_prepare(&f.p, &no_opts, &f.r, NULL, &cs, &e), -1);
	assert_non_null(strstr(e.msg, "for rollback: refusing to write '7' to "
				      "'/sys/kernel/mm/ksm/run': not a number from 0 to 2"));
	fx_close(&f);
	tu_rmtree(dir);
}

/* ---- rollback trusts no journal record ---- */

/*
 * Journals written by hand, each with one bad record first and a good one
 * after it (the good one would be undone first, newest first): rollback
 * refuses the whole journal, writes nothing and leaves the journal as it was.
 */
static void test_rollback_checks(void **state)
{
	static const char *const bad[] = {
	    "write 13 /proc/sys/kernel/core_pattern\n|/some/script\n",
	    "write 1 /sys/../../elsewhere/file\nX\n",
	    "write 1 /proc/irq/../../elsewhere/file\nX\n",
	    NULL, /* "x" + an absolute path: the '/' after it must not make it absolute */
	    "write 1 sys/kernel/mm/ksm/run\n1\n",
	    "write 2 /sys/kernel/mm/ksm/run\n99\n",
	    "write 5 /proc/sys/vm/swappiness\n10\n20\n",
	    "write 0 /proc/sys/vm/swappiness\n\n",
	    "numatune bogus 0 vm0\n",
	    "numatune strict 0-x vm0\n",
	};
	char dir[4096], root[4200], real[PATH_MAX], state_dir[4200], path[4400], rec[8400];
	char text[16384], cmd[20000];
	struct err e = ERR_INIT;

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(state_dir, sizeof(state_dir), "%s/state", dir);
	assert_int_equal(mkdir(root, 0755), 0);
	assert_ok(gentree_file(root, "/proc/sys/kernel/core_pattern", "core\n", &e), e);
	assert_ok(gentree_file(root, "/sys/kernel/mm/ksm/run", "0\n", &e), e);
	assert_ok(gentree_file(root, "/proc/sys/vm/swappiness", "60\n", &e), e);
	assert_ok(gentree_file(dir, "/elsewhere/file", "kept\n", &e), e);
	assert_non_null(realpath(root, real));
	assert_int_equal(mkdir(state_dir, 0700), 0);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct fsroot r = FSROOT_INIT;
		struct apply_result res;
		struct journal j;
		FILE *f;
		char id[32], *got;
		int status;

		snprintf(id, sizeof(id), "20260101T00000%zuZ-001", i);
		if (bad[i])
			snprintf(rec, sizeof(rec), "%s", bad[i]);
		else
			snprintf(rec, sizeof(rec), "write 1 x%s/elsewhere/file\nX\n", dir);
		snprintf(text, sizeof(text),
			 "hvtune-journal 1\nid %s\ntime 1767225600\nroot %s\nuri -\n%s"
			 "write 1 /sys/kernel/mm/ksm/run\n1\nend complete\n",
			 id, real, rec);
		snprintf(path, sizeof(path), "%s/%s.journal", state_dir, id);
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		assert_ok(fsroot_open(&r, root, &e), e);
		if (apply_rollback(state_dir, id, &r, NULL, &res, &e) == 0)
			fail_msg("case %zu: '%s' rolled back", i, rec);
		if (!strstr(e.msg, "nothing was rolled back"))
			fail_msg("case %zu: %s", i, e.msg);
		assert_int_equal(res.undone, 0);
		apply_result_release(&res);
		fsroot_close(&r);
		snprintf(cmd, sizeof(cmd),
			 "cat '%s/proc/sys/kernel/core_pattern' '%s/sys/kernel/mm/ksm/run' "
			 "'%s/proc/sys/vm/swappiness' '%s/elsewhere/file'",
			 root, root, root, dir);
		got = tu_run(cmd, &status);
		assert_non_null(got);
		if (strcmp(got, "core\n0\n60\nkept\n") != 0)
			fail_msg("case %zu: the files hold '%s'", i, got);
		free(got);
		assert_ok(journal_load(&j, state_dir, id, false, &e), e);
		assert_int_equal(j.status, JOURNAL_COMPLETE);
		journal_release(&j);
	}
	tu_rmtree(dir);
}

/* ---- a full disk while journalling ---- */

/*
 * The journal cannot grow (the file size limit stands in for a full disk)
 * at the third step: the two steps done are undone, the apply's error says
 * so once, and the journal is no longer something 'rollback' would pick
 * (it would write its stale old values back over later changes).  Then a
 * rollback whose journal cannot take its "end" line: removed as well.
 */
static void test_full_disk(void **state)
{
	char dir[4096], real[PATH_MAX], want[8400];
	struct fx f;
	struct changeset cs;
	struct apply_result res;
	struct journal j;
	struct rlimit old, lim;
	struct err e = ERR_INIT;
	size_t head;
	const char *first;

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	fx_open(&f, dir);
	put(&f, files[0][0], "0\n");
	put(&f, files[2][0], "60\n");
	put(&f, files[3][0], "1\n");
	add_setting(&f.p, files[0][0], "1");
	add_setting(&f.p, files[2][0], "10");
	add_setting(&f.p, files[3][0], "0");
	assert_ok(apply_prepare(&f.p, &no_opts, &f.r, NULL, &cs, &e), e);
	assert_int_equal(cs.nwrites, 3);
	assert_non_null(realpath(dir, real));
	/* "hvtune-journal 1\nid <20>\ntime <10>\nroot R\nuri -\n", then the first
	 * two records; 5 bytes of the third fit */
	head = 17 + 24 + 16 + 6 + strlen(real) + 6;
	head += strlen("write 1 /sys/kernel/mm/ksm/run\n0\n");
	head += strlen("write 2 /proc/sys/vm/swappiness\n60\n");
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = head + 5;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(apply_commit(&cs, &f.r, NULL, "", f.state, &res, &e), -1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	first = strstr(e.msg, "cannot write journal '");
	if (!first || strstr(first + 1, "cannot write journal '"))
		fail_msg("the error: %s", e.msg);
	assert_non_null(strstr(e.msg, strerror(EFBIG)));
	assert_int_equal(res.done, 2);
	assert_int_equal(res.undone, 2);
	assert_int_equal(res.undo_failed, 0);
	assert_string_equal(get(&f, files[0][0]), "0");
	assert_string_equal(get(&f, files[2][0]), "60");
	assert_string_equal(get(&f, files[3][0]), "1");
	/* a later 'rollback' finds nothing to do */
	apply_result_release(&res);
	assert_int_equal(apply_pick_journal(f.state, "", &j, &e), -1);
	snprintf(want, sizeof(want),
		 "nothing to roll back: no journal in '%s' that is not rolled back", f.state);
	assert_string_equal(e.msg, want);
	changeset_release(&cs);

	/* a rollback whose journal cannot take its "end" line: the same */
	assert_ok(apply_prepare(&f.p, &no_opts, &f.r, NULL, &cs, &e), e);
	assert_ok(apply_commit(&cs, &f.r, NULL, "", f.state, &res, &e), e);
	{
		char path[8400];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s.journal", f.state, res.journal_id);
		assert_int_equal(stat(path, &st), 0);
		lim.rlim_cur = (rlim_t)st.st_size;
		apply_result_release(&res);
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
		assert_ok(apply_rollback(f.state, "", &f.r, NULL, &res, &e), e);
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
		assert_int_equal(res.undone, 3);
		assert_non_null(strstr(res.log[res.nlog - 1], "' removed: it could not be marked "
							      "rolled back"));
		assert_int_equal(stat(path, &st), -1);
	}
	assert_string_equal(get(&f, files[0][0]), "0");
	assert_string_equal(get(&f, files[2][0]), "60");
	assert_string_equal(get(&f, files[3][0]), "1");
	assert_int_equal(apply_pick_journal(f.state, "", &j, &e), -1);
	assert_string_equal(e.msg, want);
	apply_result_release(&res);
	changeset_release(&cs);
	fx_close(&f);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diff),
	    cmocka_unit_test(test_allowed),
	    cmocka_unit_test(test_json_round_trip),
	    cmocka_unit_test(test_capture),
	    cmocka_unit_test(test_refuse),
	    cmocka_unit_test(test_fault_half_way),
	    cmocka_unit_test(test_rollback_incomplete),
	    cmocka_unit_test(test_libvirt),
	    cmocka_unit_test(test_libvirt_define_fails),
	    cmocka_unit_test(test_libvirt_schema_before),
	    cmocka_unit_test(test_libvirt_iothreads_numa),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_rollback_checks),
	    cmocka_unit_test(test_full_disk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
