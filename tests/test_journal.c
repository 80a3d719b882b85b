/* test_journal.c - the undo journal: records and their data survive a round trip, torn
 * records are ignored, corrupt files are refused, journals list in order, one lock at a time */
#include "tests/testutil.h"
#include "apply/journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Old XML that looks like journal records inside: the length, not the lines, delimits it. */
static const char tricky_xml[] = "<domain type='kvm'>\n"
				 "end complete\n"
				 "write 3 /sys/x\n"
				 "  <!-- a comment -->\n"
				 "</domain>\n";

static void make(const char *dir, struct journal *j)
{
	struct err e = ERR_INIT;
	struct jstep s;

	assert_ok(journal_create(j, dir, "/tmp/root", "test:///default", &e), e);
	memset(&s, 0, sizeof(s));
	s.kind = JSTEP_DEFINE;
	strcpy(s.target, "vm one");
	s.data = (char *)tricky_xml;
	assert_ok(journal_record(j, &s, &e), e);
	s.kind = JSTEP_VCPUPIN;
	s.vcpu = 3;
	s.data = NULL;
	assert_ok(idset_parse(&s.cpus, "0-3,8", &e), e);
	assert_ok(journal_record(j, &s, &e), e);
	s.kind = JSTEP_EMULATORPIN;
	assert_ok(idset_parse(&s.cpus, "1", &e), e);
	assert_ok(journal_record(j, &s, &e), e);
	s.kind = JSTEP_WRITE;
	strcpy(s.target, "/sys/kernel/mm/transparent_hugepage/enabled");
	s.data = (char *)"madvise";
	assert_ok(journal_record(j, &s, &e), e);
	s.data = (char *)""; /* an empty old value (an empty cpulist) */
	strcpy(s.target, "/proc/irq/5/smp_affinity_list");
	assert_ok(journal_record(j, &s, &e), e);
}

static void test_round_trip(void **state)
{
	char dir[4096], list[64];
	struct journal j, r;
	struct err e = ERR_INIT;

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	make(dir, &j);
	assert_ok(journal_load(&r, dir, j.id, false, &e), e);
	assert_int_equal(r.status, JOURNAL_INCOMPLETE);
	assert_ok(journal_mark(&j, JOURNAL_COMPLETE, &e), e);
	journal_release(&r);
	assert_ok(journal_load(&r, dir, j.id, false, &e), e);
	assert_string_equal(r.id, j.id);
	assert_int_equal(r.time, j.time);
	assert_string_equal(r.root, "/tmp/root");
	assert_string_equal(r.uri, "test:///default");
	assert_int_equal(r.status, JOURNAL_COMPLETE);
	assert_int_equal(r.nsteps, 5);
	assert_int_equal(r.steps[0].kind, JSTEP_DEFINE);
	assert_string_equal(r.steps[0].target, "vm one");
	assert_string_equal(r.steps[0].data, tricky_xml);
	assert_int_equal(r.steps[1].kind, JSTEP_VCPUPIN);
	assert_int_equal(r.steps[1].vcpu, 3);
	assert_string_equal(idset_format(&r.steps[1].cpus, list, sizeof(list)), "0-3,8");
	assert_int_equal(r.steps[2].kind, JSTEP_EMULATORPIN);
	assert_string_equal(idset_format(&r.steps[2].cpus, list, sizeof(list)), "1");
	assert_string_equal(r.steps[3].data, "madvise");
	assert_string_equal(r.steps[4].target, "/proc/irq/5/smp_affinity_list");
	assert_string_equal(r.steps[4].data, "");
	journal_release(&r);
	/* the last "end" wins */
	assert_ok(journal_mark(&j, JOURNAL_ROLLED_BACK, &e), e);
	assert_ok(journal_load(&r, dir, j.id, false, &e), e);
	assert_int_equal(r.status, JOURNAL_ROLLED_BACK);
	journal_release(&r);
	journal_release(&j);
	tu_rmtree(dir);
}

/* A record cut short by a crash was never acted on: it is not in the journal. */
static void test_torn(void **state)
{
	static const char *const tails[] = {"write 10 /sys/kernel/mm/ksm/run\nabc",
					    "write 1 /sys/kernel/mm/ksm/r", "vcpupin 0 1-2"};
	char dir[4096];
	struct err e = ERR_INIT;

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	for (size_t i = 0; i < ARRAY_LEN(tails); i++) {
		struct journal j, r;

		make(dir, &j);
		assert_true(write(j.fd, tails[i], strlen(tails[i])) == (ssize_t)strlen(tails[i]));
		assert_ok(journal_load(&r, dir, j.id, false, &e), e);
		assert_int_equal(r.nsteps, 5);
		assert_int_equal(r.status, JOURNAL_INCOMPLETE);
		journal_release(&r);
		journal_release(&j);
	}
	tu_rmtree(dir);
}

static void test_corrupt(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"not a journal\n", "' is not an hvtune journal (no 'hvtune-journal 1' line)"},
	    {"hvtune-journal 1\nid x\nfrobnicate 1\n", "':3: unknown record 'frobnicate 1'"},
	    {"hvtune-journal 1\nid x\nwrite z /a\nq\n", "':3: bad length in 'write z /a'"},
	    {"hvtune-journal 1\nid x\nwrite 1 /a\nqq\n",
	     "':3: the data of 'write 1 /a' does not end where its length says"},
	    {"hvtune-journal 1\nid x\nvcpupin 0 zz vm\n", "':3: invalid id list 'zz'"},
	    {"hvtune-journal 1\nid x\nend finished\n", "':3: unknown status 'finished'"},
	    {"hvtune-journal 1\nid x\niothreadpin z 1 vm\n", "':3: bad iothread in 'iothreadpin z"},
	    {"hvtune-journal 1\nid x\niothreadpin 1 q vm\n", "':3: invalid id list 'q'"},
	    {"hvtune-journal 1\nid x\nnumatune strict\n", "':3: bad record 'numatune strict'"},
	    {"hvtune-journal 1\nid x\nnumatune strict 0 \n", "':3: bad name in 'numatune"},
	    {"hvtune-journal 1\nroot /\n", "': no 'id' line"},
	};
	char dir[4096], path[4200], want[4400];

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/bad.journal", dir);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		FILE *f = fopen(path, "w");
		struct journal r;
		struct err e = ERR_INIT;

		assert_non_null(f);
		fputs(cases[i].text, f);
		fclose(f);
		assert_int_equal(journal_load(&r, dir, "bad", false, &e), -1);
		snprintf(want, sizeof(want), "'%s%s", path, cases[i].want);
		if (strncmp(e.msg, want, strlen(want)) != 0)
			fail_msg("case %zu: '%s', want '%s'", i, e.msg, want);
		assert_int_equal(r.nsteps, 0);
	}
	{
		struct journal r;
		struct err e = ERR_INIT;

		assert_int_equal(journal_load(&r, dir, "nope", false, &e), -1);
		snprintf(want, sizeof(want), "no journal 'nope' in '%s' (see 'hvtune journal')",
			 dir);
		assert_string_equal(e.msg, want);
		assert_int_equal(journal_load(&r, dir, "../x", false, &e), -1);
		assert_string_equal(e.msg, "bad journal id '../x'");
	}
	tu_rmtree(dir);
}

static void test_list_and_lock(void **state)
{
	char dir[4096], sub[4200], want[4400];
	struct journal a, b, *all;
	size_t n;
	struct err e = ERR_INIT;
	int lock, lock2;

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	snprintf(sub, sizeof(sub), "%s/state", dir);
	assert_ok(journal_list(sub, &all, &n, &e), e); /* missing: no journals */
	assert_int_equal(n, 0);
	lock = journal_lock(sub, &e);
	assert_ok(lock, e);
	{
		struct stat st;

		assert_int_equal(stat(sub, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0700);
	}
	lock2 = journal_lock(sub, &e);
	assert_int_equal(lock2, -1);
	snprintf(want, sizeof(want),
		 "'%s' is locked by another hvtune apply or rollback (try again when it is done)",
		 sub);
	assert_string_equal(e.msg, want);
	make(sub, &a);
	make(sub, &b);
	assert_string_not_equal(a.id, b.id); /* same second: the counter differs */
	assert_ok(journal_mark(&a, JOURNAL_COMPLETE, &e), e);
	assert_ok(journal_list(sub, &all, &n, &e), e);
	assert_int_equal(n, 2);
	assert_string_equal(all[0].id, a.id);
	assert_int_equal(all[0].status, JOURNAL_COMPLETE);
	assert_string_equal(all[1].id, b.id);
	assert_int_equal(all[1].status, JOURNAL_INCOMPLETE);
	assert_int_equal(all[1].nsteps, 5);
	for (size_t i = 0; i < n; i++)
		journal_release(&all[i]);
	free(all);
	journal_release(&a);
	journal_release(&b);
	journal_unlock(lock);
	lock = journal_lock(sub, &e); /* free again */
	assert_ok(lock, e);
	journal_unlock(lock);
	tu_rmtree(dir);
}

/* iothreadpin and numatune records: a round trip, "-" for no numatune. */
static void test_new_records(void **state)
{
	static const struct {
		const char *mode, *nodeset;
	} numa[] = {{"strict", "0-1"}, {"", ""}, {"interleave", ""}};
	char dir[4096], list[64], *text;
	struct journal j, r;
	struct err e = ERR_INIT;
	struct jstep s;
	FILE *f;
	long len;

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	assert_ok(journal_create(&j, dir, "/", "qemu:///system", &e), e);
	memset(&s, 0, sizeof(s));
	strcpy(s.target, "vm0");
	s.kind = JSTEP_IOTHREADPIN;
	s.iothread = 7;
	assert_ok(idset_parse(&s.cpus, "2-3", &e), e);
	assert_ok(journal_record(&j, &s, &e), e);
	s.kind = JSTEP_NUMATUNE;
	for (size_t i = 0; i < ARRAY_LEN(numa); i++) {
		strcpy(s.mode, numa[i].mode);
		strcpy(s.nodeset, numa[i].nodeset);
		assert_ok(journal_record(&j, &s, &e), e);
	}
	strcpy(s.nodeset, "0 1");
	assert_int_equal(journal_record(&j, &s, &e), -1);
	assert_string_equal(e.msg, "cannot journal the numatune of 'vm0': a blank in "
				   "'interleave 0 1'");
	assert_ok(journal_mark(&j, JOURNAL_COMPLETE, &e), e);
	/* the file, as docs/cli.md shows it */
	f = fopen(j.path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_true(fread(text, 1, (size_t)len, f) == (size_t)len);
	fclose(f);
	assert_non_null(strstr(text,
			       "\niothreadpin 7 2-3 vm0\nnumatune strict 0-1 vm0\n"
			       "numatune - - vm0\nnumatune interleave - vm0\nend complete\n"));
	free(text);
	assert_ok(journal_load(&r, dir, j.id, false, &e), e);
	assert_int_equal(r.nsteps, 4);
	assert_int_equal(r.steps[0].kind, JSTEP_IOTHREADPIN);
	assert_int_equal(r.steps[0].iothread, 7);
	assert_string_equal(idset_format(&r.steps[0].cpus, list, sizeof(list)), "2-3");
	assert_string_equal(r.steps[0].target, "vm0");
	for (size_t i = 0; i < ARRAY_LEN(numa); i++) {
		assert_int_equal(r.steps[1 + i].kind, JSTEP_NUMATUNE);
		assert_string_equal(r.steps[1 + i].mode, numa[i].mode);
		assert_string_equal(r.steps[1 + i].nodeset, numa[i].nodeset);
		assert_string_equal(r.steps[1 + i].target, "vm0");
	}
	assert_string_equal(jstep_kind_str(JSTEP_IOTHREADPIN), "iothreadpin");
	assert_string_equal(jstep_kind_str(JSTEP_NUMATUNE), "numatune");
	journal_release(&r);
	journal_release(&j);
	tu_rmtree(dir);
}

/* A journal written before iothreadpin and numatune existed (the same
 * version 1, byte for byte as that hvtune wrote it) still loads. */
static void test_old_journal(void **state)
{
	static const char old[] = "hvtune-journal 1\n"
				  "id 20261101T100000Z-001\n"
				  "time 1793527200\n"
				  "root /\n"
				  "uri qemu:///system\n"
				  "define 26 vm0\n"
				  "<domain>\n  <x/>\n</domain>\n\n"
				  "vcpupin 0 0-3 vm0\n"
				  "emulatorpin 0 vm0\n"
				  "write 1 /sys/kernel/mm/ksm/run\n"
				  "1\n"
				  "end complete\n";
	char dir[4096], path[4200];
	struct journal r;
	struct err e = ERR_INIT;
	FILE *f;

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/20261101T100000Z-001.journal", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(old, f);
	fclose(f);
	assert_ok(journal_load(&r, dir, "20261101T100000Z-001", false, &e), e);
	assert_int_equal(r.status, JOURNAL_COMPLETE);
	assert_int_equal(r.time, 1793527200);
	assert_int_equal(r.nsteps, 4);
	assert_int_equal(r.steps[0].kind, JSTEP_DEFINE);
	assert_string_equal(r.steps[0].data, "<domain>\n  <x/>\n</domain>\n");
	assert_int_equal(r.steps[1].kind, JSTEP_VCPUPIN);
	assert_int_equal(r.steps[2].kind, JSTEP_EMULATORPIN);
	assert_int_equal(r.steps[3].kind, JSTEP_WRITE);
	assert_string_equal(r.steps[3].data, "1");
	journal_release(&r);
	tu_rmtree(dir);
}

/* A sparse set of 4096 CPUs (0,2,4,...,8190: 20 KB of list, as on POWER with
 * SMT off) survives a round trip whole: never cut to fit a fixed buffer. */
static void test_big_cpulist(void **state)
{
	char dir[4096];
	struct journal j, r;
	struct err e = ERR_INIT;
	struct jstep s;

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	assert_ok(journal_create(&j, dir, "/", "test:///default", &e), e);
	memset(&s, 0, sizeof(s));
	strcpy(s.target, "vm0");
	for (unsigned id = 0; id < IDSET_MAX; id += 2)
		idset_add(&s.cpus, id);
	assert_int_equal(idset_count(&s.cpus), 4096);
	s.kind = JSTEP_VCPUPIN;
	s.vcpu = 1;
	assert_ok(journal_record(&j, &s, &e), e);
	s.kind = JSTEP_EMULATORPIN;
	assert_ok(journal_record(&j, &s, &e), e);
	s.kind = JSTEP_IOTHREADPIN;
	s.iothread = 2;
	assert_ok(journal_record(&j, &s, &e), e);
	assert_ok(journal_mark(&j, JOURNAL_COMPLETE, &e), e);
	assert_ok(journal_load(&r, dir, j.id, false, &e), e);
	assert_int_equal(r.nsteps, 3);
	for (size_t i = 0; i < r.nsteps; i++)
		assert_true(idset_equal(&r.steps[i].cpus, &s.cpus));
	assert_int_equal(r.steps[0].vcpu, 1);
	assert_int_equal(r.steps[2].iothread, 2);
	journal_release(&r);
	journal_release(&j);
	tu_rmtree(dir);
}

/* How many entries @dir holds ("." and ".." aside). */
static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/*
 * A journal cut short while it is created (here the file size limit, as a
 * full disk would) leaves nothing a listing trips on; an unreadable journal
 * beside good ones is skipped (with a warning), and the good ones load.
 */
static void test_create_interrupted(void **state)
{
	char dir[4096], path[4200];
	struct journal j, good, *all;
	struct rlimit old, lim;
	size_t n;
	struct err e = ERR_INIT;
	FILE *f;

	(void)state;
	tu_tmpdir(dir, sizeof(dir));
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 10; /* the header does not fit */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(journal_create(&j, dir, "/", "", &e), -1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_non_null(strstr(e.msg, strerror(EFBIG)));
	assert_int_equal(count_entries(dir), 0); /* no empty journal, no temporary file */
	assert_ok(journal_list(dir, &all, &n, &e), e);
	assert_int_equal(n, 0);
	free(all);

	/* an empty journal (as an older hvtune left one) beside a good one */
	make(dir, &good);
	assert_ok(journal_mark(&good, JOURNAL_COMPLETE, &e), e);
	snprintf(path, sizeof(path), "%s/20200101T000000Z-001.journal", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_ok(journal_list(dir, &all, &n, &e), e);
	assert_int_equal(n, 1);
	assert_string_equal(all[0].id, good.id);
	journal_release(&all[0]);
	free(all);
	assert_ok(journal_load(&j, dir, good.id, true, &e), e);
	assert_int_equal(j.status, JOURNAL_COMPLETE);
	journal_release(&j);
	journal_release(&good);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),	cmocka_unit_test(test_torn),
	    cmocka_unit_test(test_corrupt),	cmocka_unit_test(test_list_and_lock),
	    cmocka_unit_test(test_new_records), cmocka_unit_test(test_old_journal),
	    cmocka_unit_test(test_big_cpulist), cmocka_unit_test(test_create_interrupted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
