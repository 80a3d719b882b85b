/* test_vmsproc.c - the VM list from a child process: its message, and reading it without blocking
 */
#include "tests/testutil.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "probe/strfmt.h"
#include "tests/hostlit.h"
#include "tui/screens/vmsproc.h"

/* A host of @nnodes nodes (2 cores x 2 threads each), no VMs. */
static void make_host(struct host *h, unsigned nnodes)
{
	struct hostlit_spec sp;
	struct err e = ERR_INIT;

	hostlit_default(&sp);
	sp.nnodes = nnodes;
	sp.cores_per_node = 2;
	assert_ok(hostlit_build(h, &sp, &e), e);
}

/* Two VMs: "vm0" with pins, 2 threads and memory per node; "vm1" without
 * pins or memory (unknown) and 1 thread. */
static void add_vms(struct host *h)
{
	struct vm *v;

	h->vms = calloc(2, sizeof(*h->vms));
	assert_non_null(h->vms);
	h->nvms = 2;
	h->vms_known = true;
	v = &h->vms[0];
	strfmt_set(v->name, sizeof(v->name), "vm0");
	v->vcpus = 2;
	v->mem_kib = 2097152;
	v->pins = calloc(2, sizeof(*v->pins));
	assert_non_null(v->pins);
	idset_add(&v->pins[0], 1);
	idset_add(&v->pins[1], 5);
	idset_add(&v->emulator, 0);
	strfmt_set(v->numa_mode, sizeof(v->numa_mode), "strict");
	strfmt_set(v->numa_nodeset, sizeof(v->numa_nodeset), "1");
	v->pid = 4242;
	v->nthreads = 2;
	v->threads = calloc(2, sizeof(*v->threads));
	assert_non_null(v->threads);
	for (unsigned i = 0; i < 2; i++) {
		v->threads[i].vcpu = i;
		v->threads[i].tid = 4250 + (int)i;
		v->threads[i].cpu = i ? 5 : 1;
		idset_add(&v->threads[i].allowed, i ? 5 : 1);
		v->threads[i].utime_ticks = 100 + i;
		v->threads[i].migrations = 7 * i;
	}
	v->node_kib = calloc(h->nnodes, sizeof(*v->node_kib));
	assert_non_null(v->node_kib);
	v->node_kib[0] = 1024;
	v->node_kib[1] = 2096128;
	v->page_kib = 2048;
	v = &h->vms[1];
	strfmt_set(v->name, sizeof(v->name), "vm1");
	v->vcpus = 1;
	v->pid = -1;
	strfmt_set(v->pid_why, sizeof(v->pid_why), "no pid file");
	strfmt_set(v->mem_why, sizeof(v->mem_why), "no QEMU process");
	v->nthreads = 1;
	v->threads = calloc(1, sizeof(*v->threads));
	assert_non_null(v->threads);
	v->threads[0].cpu = -1;
}

static void encode(const struct host *h, char **buf, size_t *len)
{
	struct err e = ERR_INIT;

	assert_ok(vmsproc_encode(h, 0, NULL, buf, len, &e), e);
}

static void test_round_trip(void **state)
{
	struct host src, dst;
	struct err e = ERR_INIT;
	char *buf;
	size_t len;
	(void)state;

	make_host(&src, 2);
	add_vms(&src);
	strfmt_set(src.vms_why, sizeof(src.vms_why), "%s", "");
	encode(&src, &buf, &len);
	make_host(&dst, 2);
	assert_ok(vmsproc_decode(buf, len, &dst, &e), e);
	assert_true(dst.vms_known);
	assert_int_equal(dst.nvms, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct vm *a = &src.vms[i], *b = &dst.vms[i];

		assert_string_equal(a->name, b->name);
		assert_int_equal(a->vcpus, b->vcpus);
		assert_int_equal(a->mem_kib, b->mem_kib);
		assert_true(idset_equal(&a->emulator, &b->emulator));
		assert_string_equal(a->numa_mode, b->numa_mode);
		assert_string_equal(a->numa_nodeset, b->numa_nodeset);
		assert_int_equal(a->pid, b->pid);
		assert_string_equal(a->pid_why, b->pid_why);
		assert_string_equal(a->mem_why, b->mem_why);
		assert_int_equal(a->page_kib, b->page_kib);
		assert_int_equal(a->nthreads, b->nthreads);
		assert_true((a->pins == NULL) == (b->pins == NULL));
		assert_true((a->node_kib == NULL) == (b->node_kib == NULL));
		for (size_t k = 0; a->pins && k < a->vcpus; k++)
			assert_true(idset_equal(&a->pins[k], &b->pins[k]));
		for (size_t k = 0; k < a->nthreads; k++) {
			assert_int_equal(a->threads[k].vcpu, b->threads[k].vcpu);
			assert_int_equal(a->threads[k].tid, b->threads[k].tid);
			assert_int_equal(a->threads[k].cpu, b->threads[k].cpu);
			assert_true(idset_equal(&a->threads[k].allowed, &b->threads[k].allowed));
			assert_int_equal(a->threads[k].utime_ticks, b->threads[k].utime_ticks);
			assert_int_equal(a->threads[k].migrations, b->threads[k].migrations);
		}
		for (size_t k = 0; a->node_kib && k < src.nnodes; k++)
			assert_int_equal(a->node_kib[k], b->node_kib[k]);
	}
	/* a second answer replaces the VMs whole: here, none and unknown */
	host_release(&src);
	free(buf);
	make_host(&src, 2);
	strfmt_set(src.vms_why, sizeof(src.vms_why), "libvirt said no");
	encode(&src, &buf, &len);
	assert_ok(vmsproc_decode(buf, len, &dst, &e), e);
	assert_false(dst.vms_known);
	assert_int_equal(dst.nvms, 0);
	assert_null(dst.vms);
	assert_string_equal(dst.vms_why, "libvirt said no");
	free(buf);
	host_release(&src);
	host_release(&dst);
}

/* Decoding @buf fails with @want in the message, and @h keeps its VMs. */
static void expect_refused(const char *buf, size_t len, struct host *h, const char *want)
{
	struct err e = ERR_INIT;
	size_t nvms = h->nvms;

	if (vmsproc_decode(buf, len, h, &e) == 0)
		fail_msg("%zu bytes decoded, wanted '%s'", len, want);
	if (!strstr(e.msg, want))
		fail_msg("'%s' does not say '%s'", e.msg, want);
	assert_int_equal(h->nvms, nvms);
}

static void test_truncated(void **state)
{
	struct host src, dst;
	char *buf;
	size_t len;
	(void)state;

	make_host(&src, 2);
	add_vms(&src);
	encode(&src, &buf, &len);
	make_host(&dst, 2);
	expect_refused(buf, 0, &dst, "the libvirt child process gave no answer");
	/* every cut, each from its own heap copy so ASan sees a read past it */
	for (size_t cut = 1; cut < len; cut++) {
		char *part = malloc(cut);

		assert_non_null(part);
		memcpy(part, buf, cut);
		expect_refused(part, cut, &dst, "the libvirt child process sent a short answer");
		free(part);
	}
	free(buf);
	host_release(&src);
	host_release(&dst);
}

static void test_corrupt(void **state)
{
	struct host src, dst, one;
	struct err e = ERR_INIT, fail = ERR_INIT;
	char *buf, *more;
	size_t len;
	(void)state;

	make_host(&src, 2);
	add_vms(&src);
	encode(&src, &buf, &len);
	make_host(&dst, 2);
	make_host(&one, 1);
	/* a message for other nodes: node_kib would not fit */
	expect_refused(buf, len, &one, "sent a corrupt answer (its nodes are not this host's)");
	buf[0] ^= 0x5a;
	expect_refused(buf, len, &dst, "sent a corrupt answer (bad header)");
	buf[0] ^= 0x5a;
	more = malloc(len + 1);
	assert_non_null(more);
	memcpy(more, buf, len);
	more[len] = 'x';
	expect_refused(more, len + 1, &dst, "sent a corrupt answer (bytes after the last VM)");
	free(more);
	free(buf);
	/* a vCPU count no host has: refused before anything is allocated for it */
	free(src.vms[1].pins);
	src.vms[1].pins = NULL;
	src.vms[1].vcpus = VMSPROC_MAX_VCPUS + 1;
	encode(&src, &buf, &len);
	expect_refused(buf, len, &dst, "sent a corrupt answer (a vCPU count out of range)");
	free(buf);
	host_release(&src);
	/* too many VMs */
	make_host(&src, 2);
	src.nvms = VMSPROC_MAX_VMS + 1;
	src.vms = calloc(src.nvms, sizeof(*src.vms));
	assert_non_null(src.vms);
	encode(&src, &buf, &len);
	expect_refused(buf, len, &dst, "sent a corrupt answer (too many VMs)");
	free(buf);
	host_release(&src);
	/* the child's own failure travels as its message */
	make_host(&src, 2);
	err_set(&fail, 0, "cannot connect to 'qemu:///nowhere': no such socket");
	assert_ok(vmsproc_encode(&src, 1, &fail, &buf, &len, &e), e);
	expect_refused(buf, len, &dst, "cannot connect to 'qemu:///nowhere': no such socket");
	free(buf);
	host_release(&src);
	/* random bytes flipped: an answer or an error, never a crash */
	make_host(&src, 2);
	add_vms(&src);
	encode(&src, &buf, &len);
	srand(5);
	for (int i = 0; i < 300; i++) {
		char *c = malloc(len);
		struct host h;

		assert_non_null(c);
		memcpy(c, buf, len);
		for (int k = 0; k < 4; k++)
			c[(size_t)rand() % len] = (char)rand();
		make_host(&h, 2);
		e = (struct err)ERR_INIT;
		if (vmsproc_decode(c, len, &h, &e) < 0)
			assert_true(e.msg[0] != '\0');
		else
			assert_true(h.nvms <= 2);
		host_release(&h);
		free(c);
	}
	free(buf);
	host_release(&src);
	host_release(&dst);
	host_release(&one);
}

/* The yes/no bytes of a message are 0 or 1: any other value is a corrupt
 * answer (loaded as a bool it would be undefined behaviour, which UBSan
 * reports).  Their places: the header is what a message without VMs has
 * before its node ids; a VM's two flags follow its struct vm. */
static void test_bad_flag(void **state)
{
	struct host src, dst;
	char *buf, *none;
	size_t len, head, flags, nflags = 0;
	(void)state;

	make_host(&src, 2);
	encode(&src, &none, &len);
	head = len - src.nnodes * sizeof(uint32_t);
	make_host(&dst, 2);
	/* vms_known: the one byte that differs between an answer and none */
	src.vms_known = true;
	encode(&src, &buf, &len);
	for (size_t i = 0; i < head; i++) {
		if (buf[i] == none[i])
			continue;
		assert_int_equal(buf[i], 1);
		buf[i] = 2;
		expect_refused(buf, len, &dst, "sent a corrupt answer (a flag that is not 0 or 1)");
		nflags++;
	}
	assert_int_equal(nflags, 1);
	free(none);
	free(buf);
	host_release(&src);
	make_host(&src, 2);
	add_vms(&src);
	encode(&src, &buf, &len);
	flags = head + src.nnodes * sizeof(uint32_t) + sizeof(struct vm);
	assert_int_equal(buf[flags], 1); /* vm0 has pins */
	buf[flags] = 2;
	expect_refused(buf, len, &dst, "sent a corrupt answer (a flag that is not 0 or 1)");
	buf[flags] = 1;
	buf[flags + 1] = (char)0xff; /* has_mem */
	expect_refused(buf, len, &dst, "sent a corrupt answer (a flag that is not 0 or 1)");
	free(buf);
	host_release(&src);
	host_release(&dst);
}

/* Polls @p until it is done (up to 20 s); returns vmsproc_poll()'s last. */
static int wait_answer(struct vmsproc *p, struct host *h, struct err *e)
{
	for (int i = 0; i < 200; i++) {
		struct pollfd pf = {vmsproc_fd(p), POLLIN, 0};
		int rc;

		poll(&pf, 1, 100);
		rc = vmsproc_poll(p, h, e);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static bool have_libvirt(void)
{
	struct host h;
	struct fsroot r = FSROOT_INIT;
	struct err e = ERR_INIT;
	int rc;

	/* a child that cannot load libvirt says so: skip then */
	make_host(&h, 1);
	assert_ok(fsroot_open(&r, "/", &e), e);
	rc = vmsproc_run(&h, &r, "test:///default", &e);
	fsroot_close(&r);
	host_release(&h);
	if (rc < 0 && strstr(e.msg, "cannot load libvirt")) {
		tu_skip_msg("%s", e.msg);
		return false;
	}
	return true;
}

/* test:///default answers at once; a socket that accepts and never answers
 * keeps the child waiting, and only the child. */
static void test_child(void **state)
{
	struct sockaddr_un sa;
	struct vmsproc p;
	struct fsroot r = FSROOT_INIT;
	struct host h;
	struct err e = ERR_INIT;
	char dir[256], uri[512];
	pid_t pid;
	int s, rc;
	(void)state;

	if (!have_libvirt()) {
		skip();
		return;
	}
	vmsproc_init(&p);
	assert_int_equal(vmsproc_fd(&p), -1);
	assert_int_equal(vmsproc_poll(&p, NULL, &e), 0); /* no child: nothing to do */
	make_host(&h, 1);
	assert_ok(fsroot_open(&r, "/", &e), e);
	assert_ok(vmsproc_start(&p, &h, &r, "test:///default", &e), e);
	assert_true(vmsproc_running(&p));
	rc = wait_answer(&p, &h, &e);
	assert_ok(rc, e);
	assert_int_equal(rc, 1);
	assert_false(vmsproc_running(&p));
	assert_int_equal(vmsproc_fd(&p), -1);
	assert_true(h.vms_known);
	assert_int_equal(h.nvms, 1);
	assert_string_equal(h.vms[0].name, "test"); /* the test driver's running domain */

	/* an explicit URI that does not connect is an error, with libvirt's reason */
	assert_ok(vmsproc_start(&p, &h, &r, "test:///nonexistent/hvtune.xml", &e), e);
	assert_int_equal(wait_answer(&p, &h, &e), -1);
	assert_non_null(strstr(e.msg, "cannot connect to 'test:///nonexistent/hvtune.xml'"));
	assert_int_equal(h.nvms, 1); /* kept */

	/* a libvirtd that accepts and never answers */
	tu_tmpdir(dir, sizeof(dir));
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	assert_true(strlen(dir) + sizeof("/sock") <= sizeof(sa.sun_path));
	memcpy(sa.sun_path, dir, strlen(dir));
	memcpy(sa.sun_path + strlen(dir), "/sock", sizeof("/sock"));
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s, 4), 0);
	snprintf(uri, sizeof(uri), "qemu:///system?socket=%s", sa.sun_path);
	assert_ok(vmsproc_start(&p, &h, &r, uri, &e), e);
	pid = p.pid;
	for (int i = 0; i < 5; i++) {
		struct pollfd pf = {vmsproc_fd(&p), POLLIN, 0};

		assert_int_equal(poll(&pf, 1, 100), 0);	       /* nothing to read ... */
		assert_int_equal(vmsproc_poll(&p, &h, &e), 0); /* ... and no waiting */
	}
	assert_true(vmsproc_running(&p));
	assert_int_equal(h.nvms, 1);
	vmsproc_cancel(&p);
	assert_false(vmsproc_running(&p));
	assert_int_equal(vmsproc_fd(&p), -1);
	assert_int_equal(kill(pid, 0), -1); /* killed and reaped */
	assert_int_equal(errno, ESRCH);
	vmsproc_cancel(&p); /* twice: safe */
	close(s);
	fsroot_close(&r);
	host_release(&h);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip), cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_corrupt),    cmocka_unit_test(test_bad_flag),
	    cmocka_unit_test(test_child),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
