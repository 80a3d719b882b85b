/* test_lv.c - probe/lv.c on libvirt's in-process test driver (test:///default)
 *
 * test:///default has one running domain "test" (2 vCPUs, 2 GiB, id 1) on a
 * 2-node host; its state is shared by the connections of this process, so
 * every case makes its own domain names and leaves "test" as it found it.
 */
#include "tests/testutil.h"
#include "probe/lv.h"
#include "apply/virt.h"

#include <errno.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_S "4" /* HVTUNE_LIBVIRT_TIMEOUT of this process (set in main) */

#define URI "test:///default"

static struct lv *open_test(void)
{
	struct err e = ERR_INIT;
	struct lv *c = lv_open(URI, &e);

	if (!c)
		fail_msg("%s", e.msg);
	return c;
}

static const char new_xml[] = "<domain type='test'>\n"
			      "  <name>lvt-new</name>\n"
			      "  <memory unit='MiB'>128</memory>\n"
			      "  <vcpu>3</vcpu>\n"
			      "  <os><type>hvm</type></os>\n"
			      "</domain>\n";

static void test_open_and_list(void **state)
{
	struct lv *c = open_test();
	struct lv_domain *d, one;
	struct err e = ERR_INIT;
	size_t n, i;
	(void)state;

	assert_string_equal(lv_uri(c), URI);
	assert_ok(lv_domains(c, &d, &n, &e), e);
	for (i = 0; i < n && strcmp(d[i].name, "test") != 0; i++)
		;
	assert_true(i < n);
	assert_true(d[i].active);
	assert_int_equal(d[i].vcpus, 2);
	assert_int_equal(d[i].mem_kib, 2097152);
	assert_int_equal(d[i].id, 1);
	assert_string_equal(d[i].uuid, "6695eb01-f6a4-8304-79aa-97f2502e193f");
	for (size_t k = 1; k < n; k++)
		assert_true(strcmp(d[k - 1].name, d[k].name) < 0);
	free(d);

	assert_ok(lv_domain(c, "test", &one, &e), e);
	assert_string_equal(one.name, "test");
	assert_int_equal(one.vcpus, 2);
	assert_int_equal(lv_domain(c, "no-such-vm", &one, &e), -1);
	assert_non_null(strstr(e.msg, "cannot find domain 'no-such-vm' on '" URI "': "));
	assert_non_null(strstr(e.msg, "no-such-vm"));
	lv_close(c);
}

static void test_xml_and_define(void **state)
{
	struct lv *c = open_test();
	struct err e = ERR_INIT;
	struct lv_domain d;
	char *xml;
	(void)state;

	xml = lv_xml(c, "test", false, &e);
	assert_non_null(xml);
	assert_non_null(strstr(xml, "<name>test</name>"));
	free(xml);
	assert_null(lv_xml(c, "nope", true, &e));
	assert_non_null(strstr(e.msg, "cannot find domain 'nope'"));

	assert_ok(virt_define(c, new_xml, true, &e), e);
	assert_ok(lv_domain(c, "lvt-new", &d, &e), e);
	assert_false(d.active);
	assert_int_equal(d.id, -1);
	assert_int_equal(d.vcpus, 3);
	assert_int_equal(d.mem_kib, 128 * 1024);
	xml = lv_xml(c, "lvt-new", true, &e);
	assert_non_null(xml);
	assert_non_null(strstr(xml, "<vcpu placement='static'>3</vcpu>"));
	free(xml);
	lv_close(c);
}

/* Schema validation is on: what the parser alone would accept is refused,
 * with libvirt's own reason after ours. */
static void test_define_refuses_invalid(void **state)
{
	static const struct {
		const char *xml, *want;
	} cases[] = {
	    {"<domain type='test'><name>lvt-bad</name><memory>1024</memory>"
	     "<os><type>hvm</type></os><bogus/></domain>",
	     "cannot define domain 'lvt-bad' on '" URI "': "},
	    {"<domain type='test'><name>lvt-bad2</name>", "cannot define domain 'lvt-bad2'"},
	    {"not xml", "cannot define domain '?' on '" URI "': "},
	};
	struct lv *c = open_test();
	struct err e = ERR_INIT;
	struct lv_domain d;
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(virt_define(c, cases[i].xml, true, &e), -1);
		assert_non_null(strstr(e.msg, cases[i].want));
		/* libvirt's reason is there, not our placeholder */
		assert_null(strstr(e.msg, "unknown libvirt error"));
		assert_true(strlen(e.msg) > strlen(cases[i].want) + 5);
		assert_null(strchr(e.msg, '\n')); /* one line, for "hvtune: ..." */
		/* a refusal is a reply: libvirt changed nothing */
		assert_false(lv_outcome_unknown(&e));
		assert_false(lv_unreachable(&e));
	}
	assert_non_null(strstr(e.msg, "Start tag expected"));
	assert_int_equal(lv_domain(c, "lvt-bad", &d, &e), -1);
	lv_close(c);
}

static void test_live_pins(void **state)
{
	struct lv *c = open_test();
	struct err e = ERR_INIT;
	struct idset want, pins[3], emu, before[2];
	char buf[64];
	(void)state;

	assert_ok(lv_vcpu_pins(c, "test", before, 2, &e), e);
	idset_clear(&want);
	idset_add(&want, 3);
	assert_ok(virt_pin_vcpu(c, "test", 1, &want, &e), e);
	assert_ok(lv_vcpu_pins(c, "test", pins, 3, &e), e);
	assert_string_equal(idset_format(&pins[1], buf, sizeof(buf)), "3");
	assert_true(idset_equal(&pins[0], &before[0]));
	assert_true(idset_empty(&pins[2])); /* no vCPU 2 */

	idset_clear(&want);
	idset_add(&want, 1);
	idset_add(&want, 2);
	assert_ok(virt_pin_emulator(c, "test", &want, &e), e);
	assert_ok(lv_emulator_pin(c, "test", &emu, &e), e);
	assert_string_equal(idset_format(&emu, buf, sizeof(buf)), "1-2");

	/* refused before libvirt is asked */
	idset_clear(&want);
	assert_int_equal(virt_pin_vcpu(c, "test", 0, &want, &e), -1);
	assert_string_equal(e.msg, "cannot pin domain 'test' on '" URI "': empty CPU set");
	idset_add(&want, 4000);
	assert_int_equal(virt_pin_emulator(c, "test", &want, &e), -1);
	assert_non_null(strstr(e.msg, "CPU 4000 does not exist"));
	/* refused by libvirt: no vCPU 7 */
	idset_clear(&want);
	idset_add(&want, 0);
	assert_int_equal(virt_pin_vcpu(c, "test", 7, &want, &e), -1);
	assert_non_null(strstr(e.msg, "cannot pin vCPU 7 of domain 'test' on '" URI "': "));

	/* put "test" back as it was */
	assert_ok(virt_pin_vcpu(c, "test", 1, &before[1], &e), e);
	lv_close(c);
}

/* A defined but stopped domain: pins read from its definition, never pinned live. */
static void test_inactive_domain(void **state)
{
	struct lv *c = open_test();
	struct err e = ERR_INIT;
	struct idset pins[3], one;
	char mode[16], nodeset[64];
	(void)state;

	assert_ok(virt_define(c, new_xml, true, &e), e);
	assert_ok(lv_vcpu_pins(c, "lvt-new", pins, 3, &e), e);
	assert_false(idset_empty(&pins[0]));
	idset_clear(&one);
	idset_add(&one, 0);
	assert_int_equal(virt_pin_vcpu(c, "lvt-new", 0, &one, &e), -1);
	assert_non_null(strstr(e.msg, "cannot pin vCPU 0 of domain 'lvt-new'"));
	assert_null(strstr(e.msg, "unknown libvirt error"));
	assert_ok(lv_numa(c, "lvt-new", mode, sizeof(mode), nodeset, sizeof(nodeset), &e), e);
	lv_close(c);
}

static void test_numa(void **state)
{
	struct lv *c = open_test();
	struct err e = ERR_INIT;
	char mode[16], nodeset[64];
	(void)state;

	assert_ok(lv_numa(c, "test", mode, sizeof(mode), nodeset, sizeof(nodeset), &e), e);
	assert_string_equal(mode, "strict");
	assert_string_equal(nodeset, "");
	assert_int_equal(lv_numa(c, "gone", mode, sizeof(mode), nodeset, sizeof(nodeset), &e), -1);
	assert_non_null(strstr(e.msg, "cannot find domain 'gone'"));
	lv_close(c);
}

/* A test driver host of our own (test://PATH): its domains are running. */
static struct lv *open_host_file(char *dir, size_t size, const char *host_xml)
{
	char path[4200], uri[4300];
	struct err e = ERR_INIT;
	struct lv *c;
	FILE *f;

	tu_tmpdir(dir, size);
	snprintf(path, sizeof(path), "%s/host.xml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(host_xml, f);
	fclose(f);
	snprintf(uri, sizeof(uri), "test://%s", path);
	c = lv_open(uri, &e);
	if (!c)
		fail_msg("%s", e.msg);
	return c;
}

static const char io_host[] = "<node>\n"
			      "  <domain type='test'>\n"
			      "    <name>io0</name>\n"
			      "    <memory>65536</memory>\n"
			      "    <vcpu>2</vcpu>\n"
			      "    <iothreads>2</iothreads>\n"
			      "    <os><type>hvm</type></os>\n"
			      "  </domain>\n"
			      "</node>\n";

/* Live iothread pins of a running domain with <iothreads>2</iothreads>. */
static void test_iothreads(void **state)
{
	static const char stopped_xml[] =
	    "<domain type='test'><name>io-off</name><memory>65536</memory><vcpu>1</vcpu>"
	    "<iothreads>1</iothreads><os><type>hvm</type></os></domain>";
	char dir[4096], buf[64];
	struct err e = ERR_INIT;
	struct lv_iothread *io, *io2;
	struct idset want;
	size_t n, n2;
	struct lv *c = open_host_file(dir, sizeof(dir), io_host);
	(void)state;

	assert_ok(lv_iothread_pins(c, "io0", &io, &n, &e), e);
	assert_int_equal(n, 2);
	assert_int_equal(io[0].id, 1);
	assert_int_equal(io[1].id, 2);
	assert_false(idset_empty(&io[0].cpus));
	idset_clear(&want);
	idset_add(&want, 1);
	assert_ok(virt_pin_iothread(c, "io0", 1, &want, &e), e);
	assert_ok(lv_iothread_pins(c, "io0", &io2, &n2, &e), e);
	assert_int_equal(n2, 2);
	assert_string_equal(idset_format(&io2[0].cpus, buf, sizeof(buf)), "1");
	assert_true(idset_equal(&io2[1].cpus, &io[1].cpus));
	free(io2);
	/* back */
	assert_ok(virt_pin_iothread(c, "io0", 1, &io[0].cpus, &e), e);
	assert_ok(lv_iothread_pins(c, "io0", &io2, &n2, &e), e);
	assert_true(idset_equal(&io2[0].cpus, &io[0].cpus));
	free(io2);
	free(io);

	/* no iothread 9: libvirt's reason after ours */
	assert_int_equal(virt_pin_iothread(c, "io0", 9, &want, &e), -1);
	assert_non_null(strstr(e.msg, "cannot pin iothread 9 of domain 'io0' on 'test://"));
	assert_non_null(strstr(e.msg, "iothread"));
	assert_null(strstr(e.msg, "unknown libvirt error"));
	idset_clear(&want);
	assert_int_equal(virt_pin_iothread(c, "io0", 1, &want, &e), -1);
	assert_non_null(strstr(e.msg, "empty CPU set"));
	assert_int_equal(lv_iothread_pins(c, "gone", &io, &n, &e), -1);
	assert_non_null(strstr(e.msg, "cannot find domain 'gone'"));
	assert_null(io);

	/* a stopped domain: read from its definition, never pinned live */
	assert_ok(virt_define(c, stopped_xml, true, &e), e);
	assert_ok(lv_iothread_pins(c, "io-off", &io, &n, &e), e);
	assert_int_equal(n, 1);
	assert_int_equal(io[0].id, 1);
	free(io);
	idset_add(&want, 0);
	assert_int_equal(virt_pin_iothread(c, "io-off", 1, &want, &e), -1);
	assert_non_null(strstr(e.msg, "cannot pin iothread 1 of domain 'io-off'"));
	assert_null(strstr(e.msg, "unknown libvirt error"));
	lv_close(c);
	tu_rmtree(dir);
}

/* A domain without <iothreads> has none: an empty list, not an error. */
static void test_no_iothreads(void **state)
{
	struct lv *c = open_test();
	struct err e = ERR_INIT;
	struct lv_iothread *io;
	size_t n = 99;
	(void)state;

	assert_ok(lv_iothread_pins(c, "test", &io, &n, &e), e);
	assert_int_equal(n, 0);
	free(io);
	lv_close(c);
}

/* Live numatune: the nodeset changes; a mode change, a stopped domain are
 * refusals (1, libvirt's reason alone); a bad nodeset is a failure (-1). */
static void test_set_numa(void **state)
{
	static const char stopped_xml[] =
	    "<domain type='test'><name>nt-off</name><memory>65536</memory><vcpu>1</vcpu>"
	    "<os><type>hvm</type></os></domain>";
	char dir[4096], mode[16], nodeset[64];
	struct err e = ERR_INIT;
	struct lv *c = open_host_file(dir, sizeof(dir), io_host);
	(void)state;

	assert_ok(virt_set_numa(c, "io0", "strict", "1", &e), e);
	assert_ok(lv_numa(c, "io0", mode, sizeof(mode), nodeset, sizeof(nodeset), &e), e);
	assert_string_equal(mode, "strict");
	assert_string_equal(nodeset, "1");
	/* "" is every node of the host (the test driver's has 2) */
	assert_ok(virt_set_numa(c, "io0", "", "", &e), e);
	assert_ok(lv_numa(c, "io0", mode, sizeof(mode), nodeset, sizeof(nodeset), &e), e);
	assert_string_equal(nodeset, "0-1");

	assert_int_equal(virt_set_numa(c, "io0", "interleave", "0", &e), 1);
	assert_string_equal(e.msg,
			    "Requested operation is not valid: can't change numatune mode for "
			    "running domain");
	assert_ok(lv_numa(c, "io0", mode, sizeof(mode), nodeset, sizeof(nodeset), &e), e);
	assert_string_equal(mode, "strict");
	assert_string_equal(nodeset, "0-1");

	assert_ok(virt_define(c, stopped_xml, true, &e), e);
	assert_int_equal(virt_set_numa(c, "nt-off", "strict", "0", &e), 1);
	assert_non_null(strstr(e.msg, "domain is not running"));

	assert_int_equal(virt_set_numa(c, "io0", "strict", "x-y", &e), -1);
	assert_non_null(strstr(e.msg, "cannot set the numatune of domain 'io0' on 'test://"));
	assert_null(strstr(e.msg, "unknown libvirt error"));
	assert_int_equal(virt_set_numa(c, "io0", "bogus", "0", &e), -1);
	assert_string_equal(e.msg, "cannot set the numatune of domain 'io0': unknown mode 'bogus'");
	assert_int_equal(virt_set_numa(c, "gone", "strict", "0", &e), -1);
	assert_non_null(strstr(e.msg, "cannot find domain 'gone'"));
	lv_close(c);
	tu_rmtree(dir);
}

/* A host description of our own through test:///PATH. */
static void test_custom_host_file(void **state)
{
	static const char host_xml[] = "<node>\n"
				       "  <domain type='test'>\n"
				       "    <name>fx0</name>\n"
				       "    <memory>65536</memory>\n"
				       "    <vcpu>4</vcpu>\n"
				       "    <os><type>hvm</type></os>\n"
				       "  </domain>\n"
				       "</node>\n";
	char dir[256], path[300], uri[320];
	struct err e = ERR_INIT;
	struct lv_domain *d;
	struct lv *c;
	FILE *f;
	size_t n;
	(void)state;

	tu_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/host.xml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(host_xml, f);
	fclose(f);
	snprintf(uri, sizeof(uri), "test://%s", path);
	c = lv_open(uri, &e);
	if (!c)
		fail_msg("%s", e.msg);
	assert_ok(lv_domains(c, &d, &n, &e), e);
	assert_int_equal(n, 1);
	assert_string_equal(d[0].name, "fx0");
	assert_true(d[0].active); /* the test driver starts what the file lists */
	assert_int_equal(d[0].vcpus, 4);
	assert_int_equal(d[0].mem_kib, 65536);
	free(d);
	lv_close(c);
	tu_rmtree(dir);
}

static void test_bad_uri(void **state)
{
	static const struct {
		const char *uri, *want;
	} cases[] = {
	    {"nosuchdriver:///x", "cannot connect to 'nosuchdriver:///x': "},
	    {"test:///no/such/file.xml", "cannot connect to 'test:///no/such/file.xml': "},
	};
	struct err e = ERR_INIT;
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		assert_null(lv_open(cases[i].uri, &e));
		assert_non_null(strstr(e.msg, cases[i].want));
		assert_true(strlen(e.msg) > strlen(cases[i].want) + 5);
		assert_null(strstr(e.msg, "unknown libvirt error"));
	}
	lv_close(NULL);
}

/* libvirt is loaded on demand: the binary itself must not need it. */
static void test_binary_does_not_link_libvirt(void **state)
{
	const char *bin = getenv("HVTUNE_BIN");
	char cmd[4200];
	char *out;
	int status;
	(void)state;

	if (!bin || !*bin) {
		tu_skip_msg("HVTUNE_BIN is not set (ctest sets it)");
		skip();
	}
	snprintf(cmd, sizeof(cmd), "ldd '%s'", bin);
	out = tu_run(cmd, &status);
	assert_non_null(out);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "libc.so"));
	if (strstr(out, "libvirt"))
		fail_msg("hvtune links libvirt:\n%s", out);
	free(out);
}

/* Which libvirt errors lose the answer (the call may have been done) and
 * which are a reply (refused before anything changed): by number, with the
 * real virErrorNumber and virErrorDomain values. */
static void test_error_classes(void **state)
{
	static const struct {
		int code, domain;
		bool lost;
	} cases[] = {
	    /* the connection broke under the call, or was not there */
	    {VIR_ERR_RPC, VIR_FROM_RPC, true},
	    {VIR_ERR_RPC, VIR_FROM_REMOTE, true},
	    {VIR_ERR_NO_CONNECT, VIR_FROM_NONE, true},
	    {VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, true},	  /* "End of file while reading" */
	    {VIR_ERR_INTERNAL_ERROR, VIR_FROM_RPC, true}, /* "client socket is closed" */
	    {VIR_ERR_INTERNAL_ERROR, VIR_FROM_REMOTE, true},
	    /* a driver's reply: refused or failed, nothing changed */
	    {VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN, false},
	    {VIR_ERR_XML_DETAIL, VIR_FROM_XML, false},
	    {VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_QEMU, false},
	    {VIR_ERR_OPERATION_INVALID, VIR_FROM_QEMU, false},
	    {VIR_ERR_INVALID_ARG, VIR_FROM_TEST, false},
	    {VIR_ERR_NO_DOMAIN, VIR_FROM_QEMU, false},
	    {VIR_ERR_OPERATION_TIMEOUT, VIR_FROM_QEMU, false}, /* the job lock */
	    {VIR_ERR_SYSTEM_ERROR, VIR_FROM_QEMU, false},      /* sched_setaffinity failed */
	    {VIR_ERR_INTERNAL_ERROR, VIR_FROM_QEMU, false},
	};
	struct err e = ERR_INIT;
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		if (lv_error_lost(cases[i].code, cases[i].domain) != cases[i].lost)
			fail_msg("case %zu: code %d domain %d: want %s", i, cases[i].code,
				 cases[i].domain, cases[i].lost ? "lost" : "a reply");
	e.sys = ECONNABORTED;
	assert_true(lv_outcome_unknown(&e) && lv_unreachable(&e));
	e.sys = ETIMEDOUT;
	assert_true(lv_outcome_unknown(&e) && lv_unreachable(&e));
	e.sys = ENOTCONN; /* never sent: not done, but libvirt is out of reach */
	assert_true(!lv_outcome_unknown(&e) && lv_unreachable(&e));
	e.sys = 0;
	assert_true(!lv_outcome_unknown(&e) && !lv_unreachable(&e));
}

/* A socket that accepts and never answers (a daemon stopped with SIGSTOP
 * looks so): the open ends at the deadline with the timeout error. */
static void test_open_timeout(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[] = "/tmp/lvt.XXXXXX", uri[256], want[400];
	struct err e = ERR_INIT;
	struct timespec t0, t1;
	int fd;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 8), 0);
	snprintf(uri, sizeof(uri), "qemu:///system?socket=%s", sa.sun_path);
	assert_int_equal(lv_timeout_s(), atoi(TIMEOUT_S));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_null(lv_open(uri, &e));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(fd);
	unlink(sa.sun_path);
	rmdir(dir);
	if (strstr(e.msg, "cannot connect to")) /* no remote driver in this libvirt */
		skip();
	snprintf(want, sizeof(want), "libvirt at '%s' did not answer within " TIMEOUT_S " s", uri);
	assert_string_equal(e.msg, want);
	assert_int_equal(e.sys, ETIMEDOUT);
	/* at the deadline, not long after */
	assert_true(t1.tv_sec - t0.tv_sec >= atoi(TIMEOUT_S) - 1);
	assert_true(t1.tv_sec - t0.tv_sec <= atoi(TIMEOUT_S) + 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_and_list),
	    cmocka_unit_test(test_xml_and_define),
	    cmocka_unit_test(test_define_refuses_invalid),
	    cmocka_unit_test(test_live_pins),
	    cmocka_unit_test(test_inactive_domain),
	    cmocka_unit_test(test_numa),
	    cmocka_unit_test(test_iothreads),
	    cmocka_unit_test(test_no_iothreads),
	    cmocka_unit_test(test_set_numa),
	    cmocka_unit_test(test_custom_host_file),
	    cmocka_unit_test(test_bad_uri),
	    cmocka_unit_test(test_binary_does_not_link_libvirt),
	    cmocka_unit_test(test_error_classes),
	    cmocka_unit_test(test_open_timeout),
	};

	/* before the first lv_open(): libvirt is loaded once */
	setenv("HVTUNE_LIBVIRT_TIMEOUT", TIMEOUT_S, 1);

	return cmocka_run_group_tests(tests, NULL, NULL);
}
