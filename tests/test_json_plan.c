/* test_json_plan.c - the plan's JSON: requests in (good and bad), the plan out (its shape) */
#include "tests/testutil.h"
#include "tests/hostlit.h"
#include "tui/report/json_plan.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_requests(void **state)
{
	const char *text =
	    "{\"vms\": [\n"
	    " {\"name\": \"vm0\", \"vcpus\": 4, \"memory_mib\": 4096,\n"
	    "  \"hugepage_kib\": 1048576, \"nic\": \"0000:3b:00.0\"},\n"
	    " {\"name\": \"vm1\", \"vcpus\": 2, \"memory_mib\": 512},\n"
	    " {\"name\": \"vm2\", \"vcpus\": 1, \"memory_mib\": 100, \"hugepage_kib\": 0}\n"
	    "]}\n";
	struct vm_request *vms;
	size_t n;
	struct err e = ERR_INIT;
	(void)state;

	assert_ok(json_plan_parse_requests(text, "r.json", &vms, &n, &e), e);
	assert_int_equal(n, 3);
	assert_string_equal(vms[0].name, "vm0");
	assert_int_equal(vms[0].vcpus, 4);
	assert_int_equal(vms[0].mem_kib, 4096 * 1024);
	assert_int_equal(vms[0].pages, PAGES_HUGE);
	assert_int_equal(vms[0].hugepage_kib, 1048576);
	assert_string_equal(vms[0].nic, "0000:3b:00.0");
	assert_int_equal(vms[1].pages, PAGES_PROFILE); /* absent: the profile's */
	assert_int_equal(vms[1].hugepage_kib, 0);
	assert_string_equal(vms[1].nic, "");
	assert_int_equal(vms[2].pages, PAGES_NORMAL); /* 0: normal pages */
	assert_int_equal(vms[2].hugepage_kib, 0);
	free(vms);
	/* the base page is normal pages too, not a pool of 4 KiB hugepages */
	assert_ok(json_plan_parse_requests("{\"vms\": [{\"name\": \"a\", \"vcpus\": 1, "
					   "\"memory_mib\": 1, \"hugepage_kib\": 4}]}",
					   "r.json", &vms, &n, &e),
		  e);
	assert_int_equal(vms[0].pages, PAGES_NORMAL);
	assert_int_equal(vms[0].hugepage_kib, 0);
	free(vms);
}

#define NAME_HINT "'name' must be 1 to 63 bytes of printable UTF-8 without '/' or '\\'"
#define PAGE_HINT                                                                                  \
	"'hugepage_kib' must be 0 or 4 (normal pages) or a power of two from 64 to 16777216"

static void test_bad_requests(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
	    {"{\"vms\": [\n  {\"name\": \"a\",}\n]}",
	     "'r.json':2:16: invalid JSON: unexpected character"},
	    {"{\"vms\": [", "'r.json':1:10: invalid JSON: unexpected end"},
	    {"{\"vms\": []} x", "'r.json':1:13: invalid JSON: unexpected character"},
	    {"[]", "'r.json': expected {\"vms\": [...]}"},
	    {"{\"vm\": []}", "'r.json': expected {\"vms\": [...]}"},
	    {"{\"vms\": [3]}", "'r.json': vms[0] is not an object"},
	    {"{\"vms\": [{\"vcpus\": 1, \"memory_mib\": 1}]}", "'r.json': vms[0]: " NAME_HINT},
	    {"{\"vms\": [{\"name\": \"a\\u001b[2Jb\", \"vcpus\": 1, \"memory_mib\": 1}]}",
	     "'r.json': vms[0]: " NAME_HINT},
	    {"{\"vms\": [{\"name\": \"a\\nb\", \"vcpus\": 1, \"memory_mib\": 1}]}",
	     "'r.json': vms[0]: " NAME_HINT},
	    {"{\"vms\": [{\"name\": \"a/b\", \"vcpus\": 1, \"memory_mib\": 1}]}",
	     "'r.json': vms[0]: " NAME_HINT},
	    {"{\"vms\": [{\"name\": \"\xe9t\xe9\", \"vcpus\": 1, \"memory_mib\": 1}]}",
	     "'r.json': vms[0]: " NAME_HINT},
	    {"{\"vms\": [{\"name\": \"a\\u202eb\", \"vcpus\": 1, \"memory_mib\": 1}]}",
	     "'r.json': vms[0]: " NAME_HINT},
	    {"{\"vms\": [{\"name\": \"a\", \"vcpus\": -1, \"memory_mib\": 1}]}",
	     "'r.json': vm 'a': 'vcpus' must be an integer from 0 to 8192"},
	    {"{\"vms\": [{\"name\": \"a\", \"vcpus\": \"4\", \"memory_mib\": 1}]}",
	     "'r.json': vm 'a': 'vcpus' must be an integer from 0 to 8192"},
	    {"{\"vms\": [{\"name\": \"a\", \"vcpus\": 4}]}",
	     "'r.json': vm 'a': 'memory_mib' must be a non-negative integer"},
	    {"{\"vms\": [{\"name\": \"a\", \"vcpus\": 4, \"memory_mib\": 1, \"mem\": 2}]}",
	     "'r.json': vms[0]: unknown key 'mem' (expected name, vcpus, memory_mib, hugepage_kib, "
	     "nic)"},
	    {"{\"vms\": [{\"name\": \"a\", \"vcpus\": 4, \"memory_mib\": 1, \"nic\": \"\"}]}",
	     "'r.json': vm 'a': 'nic' must be an interface name or PCI address"},
	    {"{\"vms\": [{\"name\": \"a\", \"vcpus\": 4, \"memory_mib\": 1, \"hugepage_kib\": "
	     "1.5}]}",
	     "'r.json': vm 'a': " PAGE_HINT},
	    {"{\"vms\": [{\"name\": \"a\", \"vcpus\": 4, \"memory_mib\": 1, \"hugepage_kib\": "
	     "3072}]}",
	     "'r.json': vm 'a': " PAGE_HINT},
	    {"{\"vms\": [{\"name\": \"a\", \"vcpus\": 4, \"memory_mib\": 1, \"hugepage_kib\": 8}]}",
	     "'r.json': vm 'a': " PAGE_HINT},
	    {"{\"vms\": [{\"name\": \"a\", \"vcpus\": 4, \"memory_mib\": 1, "
	     "\"hugepage_kib\": 18446744073709551615}]}",
	     "'r.json': vm 'a': " PAGE_HINT},
	};
	struct err e = ERR_INIT;
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct vm_request *vms = (struct vm_request *)1;
		size_t n = 99;

		assert_int_equal(json_plan_parse_requests(cases[i].text, "r.json", &vms, &n, &e),
				 -1);
		assert_string_equal(e.msg, cases[i].msg);
		assert_null(vms);
		assert_int_equal(n, 0);
	}
	{
		struct vm_request *vms;
		size_t n;

		assert_int_equal(json_plan_read_requests("/nonexistent.json", &vms, &n, &e), -1);
		assert_string_equal(e.msg,
				    "cannot open '/nonexistent.json': No such file or directory");
		/* /dev/zero grew the buffer to gigabytes: refused before a byte is read */
		assert_int_equal(json_plan_read_requests("/dev/zero", &vms, &n, &e), -1);
		assert_string_equal(e.msg, "'/dev/zero' is not a regular file");
	}
	{
		struct plan p;

		assert_int_equal(json_plan_read("/dev/zero", &p, &e), -1);
		assert_string_equal(e.msg, "'/dev/zero' is not a regular file");
		plan_release(&p);
	}
}

static json_object *get(json_object *o, const char *key)
{
	json_object *x = NULL;

	if (!json_object_object_get_ex(o, key, &x))
		fail_msg("no key '%s' in %s", key, json_object_to_json_string(o));
	return x;
}

static void test_plan_json_shape(void **state)
{
	struct hostlit_spec s;
	struct host h;
	struct profile pf;
	struct vm_request vms[2];
	struct plan p;
	struct err e = ERR_INIT;
	json_object *root, *vm, *pin, *hp, *host, *set;
	char *text;
	(void)state;

	/* 1 node, 4 cores x 2 (CPUs k, k+4); 4 free 1 GiB pages */
	hostlit_default(&s);
	s.hp1g_total = 4;
	s.hp1g_free = 4;
	assert_ok(hostlit_build(&h, &s, &e), e);
	profile_default(&pf);
	pf.hugepage_kib = 1048576;
	assert_ok(plan_parse_vm(&vms[0], "vm0:vcpus=2,mem=4G", &e), e);
	assert_ok(plan_parse_vm(&vms[1], "vm1:vcpus=16,mem=1G", &e), e);
	assert_ok(plan_compute(&h, &pf, vms, 2, NULL, &p, &e), e);
	text = json_plan_format(&p, &e);
	assert_non_null(text);
	root = json_tokener_parse(text);
	assert_non_null(root);

	assert_int_equal(json_object_array_length(get(root, "vms")), 2);
	vm = json_object_array_get_idx(get(root, "vms"), 0);
	assert_string_equal(json_object_get_string(get(vm, "name")), "vm0");
	assert_true(json_object_get_boolean(get(vm, "placed")));
	assert_int_equal(json_object_get_int(json_object_array_get_idx(get(vm, "nodes"), 0)), 0);
	pin = json_object_array_get_idx(get(vm, "vcpu_pins"), 1);
	assert_int_equal(json_object_get_int(get(pin, "vcpu")), 1);
	assert_int_equal(json_object_get_int(get(pin, "cpu")), 5);
	assert_string_equal(json_object_get_string(get(vm, "emulator_cpus")), "0,4");
	hp = json_object_array_get_idx(get(vm, "hugepages"), 0);
	assert_int_equal(json_object_get_int(get(hp, "node")), 0);
	assert_int_equal(json_object_get_int64(get(hp, "size_kib")), 1048576);
	assert_int_equal(json_object_get_int(get(hp, "count")), 4);
	assert_true(json_object_array_length(get(vm, "reasons")) >= 4);
	assert_int_equal(json_object_get_int(get(get(vm, "topology"), "threads")), 2);

	vm = json_object_array_get_idx(get(root, "vms"), 1);
	assert_false(json_object_get_boolean(get(vm, "placed")));
	assert_non_null(strstr(json_object_get_string(get(vm, "reason")), "larger than the host"));
	assert_string_equal(json_object_get_string(get(vm, "shortage")), "host");

	host = get(root, "host");
	assert_string_equal(json_object_get_string(get(host, "housekeeping_cpus")), "0,4");
	set = json_object_array_get_idx(get(host, "settings"), 0);
	assert_non_null(strstr(json_object_get_string(get(set, "path")), "/sys/"));
	get(set, "value");
	get(set, "reason");
	assert_int_equal(json_object_get_int(get(root, "placed")), 1);
	json_object_put(root);
	free(text);
	plan_release(&p);
	host_release(&h);
}

/* Memory in KiB survives the JSON: a cell of 219100 KiB is no whole MiB, and
 * apply would shrink the guest from "memory_mib" alone. */
static void test_plan_json_kib(void **state)
{
	struct hostlit_spec s;
	struct host h;
	struct profile pf;
	struct vm_request vm;
	struct cell_request cells[2];
	struct plan p, back;
	struct err e = ERR_INIT;
	char dir[4096], path[4200], *text;
	FILE *f;

	(void)state;
	hostlit_default(&s);
	s.nnodes = 2;
	assert_ok(hostlit_build(&h, &s, &e), e);
	profile_default(&pf);
	assert_ok(plan_parse_vm(&vm, "odd:vcpus=2,mem=438200K,pages=none", &e), e);
	memset(cells, 0, sizeof(cells));
	idset_add(&cells[0].vcpus, 0);
	idset_add(&cells[1].vcpus, 1);
	cells[0].mem_kib = cells[1].mem_kib = 219100;
	vm.cells = cells;
	vm.ncells = 2;
	assert_ok(plan_compute(&h, &pf, &vm, 1, NULL, &p, &e), e);
	assert_true(p.vms[0].placed);
	text = json_plan_format(&p, &e);
	assert_non_null(text);
	tu_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/plan.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_ok(json_plan_read(path, &back, &e), e);
	assert_int_equal(back.vms[0].mem_kib, 438200);
	assert_int_equal(back.vms[0].ncells, 2);
	assert_int_equal(back.vms[0].cells[0].mem_kib, 219100);
	assert_int_equal(back.vms[0].cells[1].mem_kib, 219100);
	tu_rmtree(dir);
	free(text);
	plan_release(&back);
	plan_release(&p);
	host_release(&h);
}

/* A name plan_compute() takes (from libvirt, whose names are not checked
 * like a request's) with bytes that are not UTF-8, an overlong '/', a
 * surrogate and an escape: the document stays valid UTF-8 and JSON. */
static void test_plan_json_odd_name(void **state)
{
	static const char odd[] = "a\xff\xc0\xaf\xed\xa0\x80\x1b[31m\nb";
	struct hostlit_spec s;
	struct host h;
	struct profile pf;
	struct vm_request vm;
	struct plan p;
	struct err e = ERR_INIT;
	json_tokener *tok;
	json_object *root;
	char *text;
	(void)state;

	hostlit_default(&s);
	assert_ok(hostlit_build(&h, &s, &e), e);
	profile_default(&pf);
	assert_ok(plan_parse_vm(&vm, "x:vcpus=2,mem=2G", &e), e);
	snprintf(vm.name, sizeof(vm.name), "%s", odd);
	assert_ok(plan_compute(&h, &pf, &vm, 1, NULL, &p, &e), e);
	text = json_plan_format(&p, &e);
	assert_non_null(text);
	tok = json_tokener_new();
	assert_non_null(tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, text, (int)strlen(text));
	if (!root)
		fail_msg("not valid JSON/UTF-8: %s",
			 json_tokener_error_desc(json_tokener_get_error(tok)));
	/* each bad byte is a '?'; JSON escapes the control characters itself */
	assert_string_equal(
	    json_object_get_string(get(json_object_array_get_idx(get(root, "vms"), 0), "name")),
	    "a??????\x1b[31m\nb");
	json_object_put(root);
	json_tokener_free(tok);
	free(text);
	plan_release(&p);
	host_release(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_requests),	       cmocka_unit_test(test_bad_requests),
	    cmocka_unit_test(test_plan_json_shape),    cmocka_unit_test(test_plan_json_kib),
	    cmocka_unit_test(test_plan_json_odd_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
