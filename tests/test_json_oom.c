/* test_json_oom.c - a JSON output whose allocation fails is an error, never a silent null
 *
 * Linked with ld's --wrap for json-c's constructors (tests/CMakeLists.txt):
 * the n-th value made by the renderers fails as it would out of memory, for
 * every n until the document needs fewer values.  Each failure must come back
 * as NULL with ENOMEM, and the last run must give the document the plain build
 * gives.  The production code has no hook: only this executable is wrapped.
 * The host's JSON (json.c) is checked the same way through its own contract:
 * NULL with errno ENOMEM.
 */
#include "tests/testutil.h"
#include "tests/hostlit.h"
#include "tui/report/json.h"
#include "tui/report/json_journal.h"
#include "tui/report/json_monitor.h"
#include "tui/report/json_plan.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long fail_at; /* the call that fails (1 = the first), 0 none */
static long calls;

/* True when this call is the one that fails. */
static bool failing(void)
{
	return fail_at > 0 && ++calls == fail_at;
}

#define WRAP(ret, name, params, args)                                                              \
	ret __real_##name params;                                                                  \
	ret __wrap_##name params;                                                                  \
	ret __wrap_##name params                                                                   \
	{                                                                                          \
		if (failing()) {                                                                   \
			errno = ENOMEM; /* as malloc() sets it */                                  \
			return NULL;                                                               \
		}                                                                                  \
		return __real_##name args;                                                         \
	}

WRAP(struct json_object *, json_object_new_object, (void), ())
WRAP(struct json_object *, json_object_new_array, (void), ())
WRAP(struct json_object *, json_object_new_string, (const char *s), (s))
WRAP(struct json_object *, json_object_new_int, (int32_t v), (v))
WRAP(struct json_object *, json_object_new_int64, (int64_t v), (v))
WRAP(struct json_object *, json_object_new_uint64, (uint64_t v), (v))
WRAP(struct json_object *, json_object_new_boolean, (json_bool v), (v))
WRAP(struct json_object *, json_object_new_double_s, (double v, const char *s), (v, s))

typedef char *(*render_fn)(const void *model, struct err *e);

/* Fails each allocation in turn; returns how many runs failed. */
static long fail_each(render_fn render, const void *model, const char *msg)
{
	struct err e = ERR_INIT;
	char *want, *got;
	long n;

	fail_at = 0;
	want = render(model, &e);
	assert_non_null(want);
	for (n = 1;; n++) {
		fail_at = n;
		calls = 0;
		e = (struct err)ERR_INIT;
		got = render(model, &e);
		if (calls < n) /* the document needs fewer than n values */
			break;
		if (got)
			fail_msg("allocation %ld failed, yet the output came back:\n%s", n, got);
		assert_int_equal(e.sys, ENOMEM);
		if (strncmp(e.msg, msg, strlen(msg)) != 0) /* err_set appends ": <reason>" */
			fail_msg("allocation %ld failed with '%s'", n, e.msg);
	}
	fail_at = 0;
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	free(want);
	return n - 1;
}

static char *render_journals(const void *model, struct err *e)
{
	return json_journal_list(model, 2, e);
}

static void test_journal(void **state)
{
	struct journal js[2];
	struct jstep steps[2];
	(void)state;

	memset(js, 0, sizeof(js));
	memset(steps, 0, sizeof(steps));
	steps[0].kind = JSTEP_WRITE;
	steps[1].kind = JSTEP_VCPUPIN;
	for (int i = 0; i < 2; i++) {
		snprintf(js[i].id, sizeof(js[i].id), "20261129T222000Z-00%d", i + 1);
		js[i].time = 1796000000 + i;
		snprintf(js[i].root, sizeof(js[i].root), "/");
		js[i].status = JOURNAL_COMPLETE;
	}
	snprintf(js[1].uri, sizeof(js[1].uri), "qemu:///system");
	js[1].nsteps = 2;
	js[1].steps = steps;
	assert_true(fail_each(render_journals, js, "cannot format the journals as JSON") > 10);
}

static char *render_plan(const void *model, struct err *e)
{
	return json_plan_format(model, e);
}

static void test_plan(void **state)
{
	struct hostlit_spec s;
	struct host h;
	struct profile pf;
	struct vm_request vms[2];
	struct plan p;
	struct err e = ERR_INIT;
	(void)state;

	hostlit_default(&s);
	s.hp1g_total = 4;
	s.hp1g_free = 4;
	assert_ok(hostlit_build(&h, &s, &e), e);
	profile_default(&pf);
	pf.hugepage_kib = 1048576;
	assert_ok(plan_parse_vm(&vms[0], "vm0:vcpus=2,mem=4G", &e), e);
	assert_ok(plan_parse_vm(&vms[1], "vm1:vcpus=16,mem=1G", &e), e);
	assert_ok(plan_compute(&h, &pf, vms, 2, NULL, &p, &e), e);
	assert_true(fail_each(render_plan, &p, "cannot format the plan as JSON") > 50);
	plan_release(&p);
	host_release(&h);
}

static char *render_monitor(const void *model, struct err *e)
{
	return json_monitor_line(model, 3, 2.5, e);
}

static void test_monitor(void **state)
{
	struct rate_cpu cpus[2] = {{.id = 0, .busy_pct = 12.5, .shootdowns_per_s = RATE_UNKNOWN},
				   {.id = 1, .busy_pct = RATE_UNKNOWN}};
	struct rate_thread th = {.vcpu = 0, .tid = 42, .cpu = 1, .cpu_pct = 50};
	uint64_t node_kib[1] = {4096};
	unsigned node_ids[1] = {0};
	struct rate_vm vm;
	struct rates r;
	(void)state;

	memset(&vm, 0, sizeof(vm));
	memset(&r, 0, sizeof(r));
	idset_add(&th.allowed, 1);
	snprintf(vm.name, sizeof(vm.name), "vm0");
	vm.pid = 41;
	vm.running = true;
	vm.nthreads = 1;
	vm.threads = &th;
	vm.mem_known = true;
	vm.node_kib = node_kib;
	r.interval_s = 1;
	r.ncpus = 2;
	r.cpus = cpus;
	r.busy_known = true;
	r.nnodes = 1;
	r.node_ids = node_ids;
	r.vms_known = true;
	r.nvms = 1;
	r.vms = &vm;
	assert_true(fail_each(render_monitor, &r, "cannot format the JSON output") > 20);
}

/* json_host() gives NULL and errno ENOMEM: the caller's error. */
static char *render_host(const void *model, struct err *e)
{
	struct json_object *o = json_host(model);
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	if (!o) {
		assert_int_equal(errno, ENOMEM);
		err_set(e, ENOMEM, "host");
		return NULL;
	}
	f = open_memstream(&text, &size);
	assert_non_null(f);
	assert_ok(json_write(f, o, e), *e);
	fclose(f);
	json_free(o);
	return text;
}

static void test_host(void **state)
{
	struct hostlit_spec s;
	struct host h;
	struct err e = ERR_INIT;
	(void)state;

	hostlit_default(&s);
	s.hp1g_total = 4;
	assert_ok(hostlit_build(&h, &s, &e), e);
	assert_true(fail_each(render_host, &h, "host") > 50);
	host_release(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_journal),
	    cmocka_unit_test(test_plan),
	    cmocka_unit_test(test_monitor),
	    cmocka_unit_test(test_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
