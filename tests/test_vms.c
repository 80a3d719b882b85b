/* test_vms.c - host_probe_vms(): libvirt's test driver for the domains, a
 * synthetic /proc for their QEMU processes
 *
 * The test driver's host file (test:///PATH) runs two domains; the generated
 * tree holds fx0's QEMU through libvirt's pid file and fx1's only through its
 * command line, next to decoys with the same guest= but another UUID, and a
 * guest whose name has fx1 as a prefix.
 */
#include "tests/testutil.h"
#include "tests/gentree.h"
#include "probe/host.h"
#include "probe/lv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UUID0 "11111111-2222-3333-4444-555555555500"
#define UUID1 "11111111-2222-3333-4444-555555555501"

static const char host_xml[] =
    "<node>\n"
    "  <domain type='test'>\n"
    "    <name>fx0</name><uuid>" UUID0 "</uuid>\n"
    "    <memory>65536</memory>\n"
    "    <vcpu placement='static'>2</vcpu>\n"
    "    <cputune><vcpupin vcpu='0' cpuset='1'/><vcpupin vcpu='1' cpuset='4-5'/>\n"
    "      <emulatorpin cpuset='0'/></cputune>\n"
    "    <numatune><memory mode='interleave' nodeset='0'/></numatune>\n"
    "    <os><type>hvm</type></os>\n"
    "  </domain>\n"
    "  <domain type='test'>\n"
    "    <name>fx1</name><uuid>" UUID1 "</uuid>\n"
    "    <memory>32768</memory>\n"
    "    <vcpu>1</vcpu>\n"
    "    <os><type>hvm</type></os>\n"
    "  </domain>\n"
    "</node>\n";

struct fx {
	char dir[256]; /* holds host.xml and the tree "root" */
	char root[300];
	struct lv *c;
	struct host h;
	struct fsroot r;
};

static void put(const char *root, const char *path, const char *content)
{
	struct err e = ERR_INIT;

	assert_ok(gentree_file(root, path, content, &e), e);
}

/* A command line with its NUL separators (gentree_file writes C strings). */
static void put_cmdline(const char *root, int pid, const char *const *argv)
{
	char path[400];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	put(root, path, "qemu-system-x86\n");
	snprintf(path, sizeof(path), "%s/proc/%d/cmdline", root, pid);
	f = fopen(path, "w");
	assert_non_null(f);
	for (; *argv; argv++)
		fwrite(*argv, 1, strlen(*argv) + 1, f);
	fclose(f);
}

/* A task's stat: comm in parentheses (with its blank), then fields 3..52 with
 * utime (14), stime (15) and the last CPU (39) set. */
static void put_thread(const char *root, int pid, int tid, const char *comm, unsigned utime,
		       unsigned stime, int cpu, const char *allowed, const char *migrations)
{
	char path[400], stat[1024];
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
	snprintf(stat, sizeof(stat), "%s\n", comm);
	put(root, path, stat);
	len = (size_t)snprintf(stat, sizeof(stat), "%d (%s) S", tid, comm);
	for (unsigned f = 4; f <= 52; f++)
		len += (size_t)snprintf(stat + len, sizeof(stat) - len, " %u",
					f == 14	  ? utime
					: f == 15 ? stime
					: f == 39 ? (unsigned)cpu
						  : 7);
	snprintf(stat + len, sizeof(stat) - len, "\n");
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	put(root, path, stat);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	snprintf(stat, sizeof(stat),
		 "Name:\t%s\nState:\tS (sleeping)\nCpus_allowed:\tff\nCpus_allowed_list:\t%s\n"
		 "Mems_allowed_list:\t0\n",
		 comm, allowed);
	put(root, path, stat);
	if (migrations) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/sched", pid, tid);
		snprintf(stat, sizeof(stat),
			 "%s (%d, #threads: 4)\n-------------------\nse.exec_start : 1.0\n"
			 "se.nr_migrations                             :                 %s\n"
			 "nr_switches : 9\n",
			 comm, tid, migrations);
		put(root, path, stat);
	}
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct gentree_spec s;
	struct err e = ERR_INIT;
	char path[400], uri[420];
	FILE *f;

	assert_non_null(fx);
	tu_tmpdir(fx->dir, sizeof(fx->dir));
	snprintf(fx->root, sizeof(fx->root), "%s/root", fx->dir);
	snprintf(path, sizeof(path), "%s/host.xml", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(host_xml, f);
	fclose(f);
	snprintf(uri, sizeof(uri), "test://%s", path);
	fx->c = lv_open(uri, &e);
	if (!fx->c)
		fail_msg("%s", e.msg);

	gentree_default(&s);
	assert_ok(gentree_mkdir(fx->root, "/", &e), e);
	assert_ok(gentree_write(fx->root, &s, &e), e);
	/* fx0: libvirt's pid file, two KVM vCPU threads, hugepage-backed RAM */
	put(fx->root, "/run/libvirt/qemu/fx0.pid", "4242");
	put_thread(fx->root, 4242, 4242, "qemu-system-x86", 50, 5, 0, "0-7", "3");
	put_thread(fx->root, 4242, 4251, "CPU 1/KVM", 200, 20, 5, "4-5", NULL);
	put_thread(fx->root, 4242, 4250, "CPU 0/KVM", 100, 10, 1, "1", "17");
	put_thread(fx->root, 4242, 4249, "IO mon_iothread", 1, 1, 2, "0-7", "1");
	put(fx->root, "/proc/4242/numa_maps",
	    "55d0 default file=/usr/bin/qemu-system-x86_64 mapped=1031 N0=1031 "
	    "kernelpagesize_kB=4\n"
	    "7f00 default anon=100 dirty=100 active=0 N0=100 kernelpagesize_kB=4\n"
	    "7f40 bind:0 file=/dev/hugepages/libvirt/qemu/ram huge dirty=2 N0=2 N7=1 "
	    "kernelpagesize_kB=2048\n"
	    "7fff default stack\n");
	/* fx1: no pid file; found by "-name guest=fx1,..." and its UUID */
	put_cmdline(fx->root, 5001,
		    (const char *const[]){"qemu-system-x86_64", "-name",
					  "guest=fx1,debug-threads=on", "-uuid",
					  "99999999-0000-0000-0000-000000000000", NULL});
	put_cmdline(fx->root, 5002,
		    (const char *const[]){"qemu-system-x86_64", "-name",
					  "guest=fx10,debug-threads=on", NULL});
	put_cmdline(fx->root, 5003, (const char *const[]){"bash", "-c", "guest=fx1", NULL});
	put_cmdline(fx->root, 5000,
		    (const char *const[]){"qemu-system-x86_64", "-name",
					  "guest=fx1,debug-threads=on", "-uuid", UUID1, "-smp", "1",
					  NULL});
	put_thread(fx->root, 5000, 5010, "CPU 0/TCG", 7, 0, 3, "0-7", "2");

	assert_ok(fsroot_open(&fx->r, fx->root, &e), e);
	assert_ok(host_probe(&fx->h, &fx->r, &e), e);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	host_release(&fx->h);
	fsroot_close(&fx->r);
	lv_close(fx->c);
	tu_rmtree(fx->dir);
	free(fx);
	return 0;
}

static const struct vm *find_vm(const struct host *h, const char *name)
{
	for (size_t i = 0; i < h->nvms; i++)
		if (strcmp(h->vms[i].name, name) == 0)
			return &h->vms[i];
	fail_msg("no VM '%s' among %zu", name, h->nvms);
	return NULL;
}

static void test_domain_and_threads(void **state)
{
	struct fx *fx = *state;
	struct err e = ERR_INIT;
	const struct vm *v;
	char buf[64];

	assert_ok(host_probe_vms(&fx->h, &fx->r, fx->c, &e), e);
	assert_true(fx->h.vms_known);
	assert_int_equal(fx->h.nvms, 2);
	v = find_vm(&fx->h, "fx0");
	assert_int_equal(v->vcpus, 2);
	assert_int_equal(v->mem_kib, 65536);
	assert_string_equal(idset_format(&v->pins[0], buf, sizeof(buf)), "1");
	assert_string_equal(idset_format(&v->pins[1], buf, sizeof(buf)), "4-5");
	assert_string_equal(idset_format(&v->emulator, buf, sizeof(buf)), "0");
	assert_string_equal(v->numa_mode, "interleave");
	assert_string_equal(v->numa_nodeset, "0");
	assert_int_equal(v->pid, 4242);
	assert_string_equal(v->pid_why, "");

	/* vCPU threads only, sorted by vCPU whatever the tid order */
	assert_int_equal(v->nthreads, 2);
	assert_int_equal(v->threads[0].vcpu, 0);
	assert_int_equal(v->threads[0].tid, 4250);
	assert_int_equal(v->threads[0].cpu, 1);
	assert_int_equal(v->threads[0].utime_ticks, 110);
	assert_int_equal(v->threads[0].migrations, 17);
	assert_string_equal(idset_format(&v->threads[0].allowed, buf, sizeof(buf)), "1");
	assert_int_equal(v->threads[1].vcpu, 1);
	assert_int_equal(v->threads[1].tid, 4251);
	assert_int_equal(v->threads[1].cpu, 5);
	assert_int_equal(v->threads[1].utime_ticks, 220);
	assert_int_equal(v->threads[1].migrations, 0); /* no sched file */
	assert_string_equal(idset_format(&v->threads[1].allowed, buf, sizeof(buf)), "4-5");

	/* (1031 + 100) x 4 KiB + 2 x 2 MiB on node 0; N7 is no node of this host */
	assert_non_null(v->node_kib);
	assert_int_equal(fx->h.nnodes, 1);
	assert_int_equal(v->node_kib[0], 1131 * 4 + 2 * 2048);
	assert_int_equal(v->page_kib, 2048);
}

static void test_found_by_cmdline(void **state)
{
	struct fx *fx = *state;
	struct err e = ERR_INIT;
	const struct vm *v;
	char want[600];

	assert_ok(host_probe_vms(&fx->h, &fx->r, fx->c, &e), e);
	v = find_vm(&fx->h, "fx1");
	assert_int_equal(v->pid, 5000);
	snprintf(want, sizeof(want),
		 "no '%s/run/libvirt/qemu/fx1.pid': found by its command line (guest=fx1)",
		 fx->root);
	assert_string_equal(v->pid_why, want);
	assert_int_equal(v->nthreads, 1);
	assert_int_equal(v->threads[0].cpu, 3);
	assert_int_equal(v->threads[0].migrations, 2);
	assert_null(v->node_kib);
	snprintf(want, sizeof(want), "no '%s/proc/5000/numa_maps'", fx->root);
	assert_string_equal(v->mem_why, want);
}

static void test_no_connection_and_no_process(void **state)
{
	struct fx *fx = *state;
	struct err e = ERR_INIT;
	const struct vm *v;
	char path[400];

	assert_ok(host_probe_vms(&fx->h, &fx->r, NULL, &e), e);
	assert_false(fx->h.vms_known);
	assert_int_equal(fx->h.nvms, 0);
	assert_string_equal(fx->h.vms_why, "no libvirt connection (--connect URI)");

	/* a stale pid file and no command line to fall back on */
	snprintf(path, sizeof(path), "%s/proc/5000/cmdline", fx->root);
	assert_int_equal(unlink(path), 0);
	put(fx->root, "/run/libvirt/qemu/fx1.pid", "6000");
	assert_ok(host_probe_vms(&fx->h, &fx->r, fx->c, &e), e);
	assert_true(fx->h.vms_known);
	v = find_vm(&fx->h, "fx1");
	assert_int_equal(v->pid, -1);
	assert_int_equal(v->nthreads, 0);
	assert_non_null(strstr(v->pid_why, "stale '"));
	assert_non_null(strstr(v->pid_why, "fx1.pid' (no process 6000), and no process with "
					   "'guest=fx1'"));
	assert_string_equal(v->mem_why, "no QEMU process");
}

static void test_garbage_is_an_error(void **state)
{
	static const struct {
		const char *path, *content, *want;
	} cases[] = {
	    {"/run/libvirt/qemu/fx0.pid", "42x", "invalid pid '42x' in '"},
	    {"/proc/4242/task/4250/stat", "4250 (CPU 0/KVM) S 1 2", "cannot parse '"},
	    {"/proc/4242/task/4250/status", "Cpus_allowed_list:\t1-x\n", "invalid id list"},
	    {"/proc/4242/numa_maps", "7f00 default anon=1 N0=1\n", "no kernelpagesize_kB"},
	};
	struct fx *fx = *state;
	struct err e = ERR_INIT;
	char keep[4096], full[600];
	FILE *f;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t n;

		snprintf(full, sizeof(full), "%s%s", fx->root, cases[i].path);
		f = fopen(full, "r");
		assert_non_null(f);
		n = fread(keep, 1, sizeof(keep) - 1, f);
		keep[n] = '\0';
		fclose(f);
		put(fx->root, cases[i].path, cases[i].content);
		assert_int_equal(host_probe_vms(&fx->h, &fx->r, fx->c, &e), -1);
		if (!strstr(e.msg, cases[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg, cases[i].want);
		assert_int_equal(fx->h.nvms, 0);
		assert_null(fx->h.vms);
		put(fx->root, cases[i].path, keep);
	}
	assert_ok(host_probe_vms(&fx->h, &fx->r, fx->c, &e), e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_domain_and_threads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_found_by_cmdline, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_connection_and_no_process, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_garbage_is_an_error, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
