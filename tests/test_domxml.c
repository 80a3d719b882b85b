/* test_domxml.c - domain XML rewrite and read: libvirt's own test domains, our own odd ones */
#include "tests/testutil.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/domxml.h"
#include "probe/strfmt.h"

/* ---- helpers */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)len + 1);
		if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		} else if (buf) {
			buf[len] = '\0';
		}
	}
	fclose(f);
	return buf;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static const char *src_dir(void)
{
	const char *s = getenv("HVTUNE_SRC");

	return s && *s ? s : ".";
}

/*
 * A literal plan: vCPU i on pCPU 8+i, emulator on 0-1, iothreads on 2,
 * @ncells guest cells splitting the vCPUs and memory evenly, cell i bound to
 * host node i, pages of @page_kib (0 normal).  Topology: 1 socket, N/2
 * cores x 2 threads for an even N, else N cores.
 */
static void plan_vm(struct vm_plan *vm, const char *name, unsigned vcpus, uint64_t mem_kib,
		    uint64_t page_kib, unsigned ncells)
{
	memset(vm, 0, sizeof(*vm));
	strfmt_set(vm->name, sizeof(vm->name), "%s", name);
	vm->vcpus = vcpus;
	vm->page_kib = page_kib;
	vm->placed = true;
	vm->npins = vcpus;
	vm->pins = calloc(vcpus, sizeof(*vm->pins));
	assert_non_null(vm->pins);
	for (unsigned i = 0; i < vcpus; i++) {
		vm->pins[i] = (struct pin){.vcpu = i, .cpu = 8 + i};
		idset_add(&vm->cpus, 8 + i);
	}
	idset_add(&vm->emulator, 0);
	idset_add(&vm->emulator, 1);
	idset_add(&vm->iothread, 2);
	vm->sockets = 1;
	vm->threads = vcpus % 2 == 0 ? 2 : 1;
	vm->cores = vcpus / vm->threads;
	if (ncells > vcpus)
		ncells = vcpus;
	vm->ncells = ncells;
	vm->cells = calloc(ncells ? ncells : 1, sizeof(*vm->cells));
	assert_non_null(vm->cells);
	{
		/* memory in whole pages (2 MiB for normal pages too) per cell */
		uint64_t unit = page_kib ? page_kib : 2048;
		uint64_t per = ncells ? mem_kib / ncells / unit * unit : 0;

		if (ncells && per == 0)
			per = unit;
		vm->mem_kib = ncells ? per * ncells : mem_kib;
		for (unsigned c = 0; c < ncells; c++) {
			struct guest_cell *gc = &vm->cells[c];

			gc->id = c;
			gc->node = c;
			gc->mem_kib = per;
			gc->page_kib = page_kib;
			gc->pages = page_kib ? per / page_kib : 0;
			for (unsigned i = c * vcpus / ncells; i < (c + 1) * vcpus / ncells; i++)
				idset_add(&gc->vcpus, i);
			idset_add(&vm->nodes, c);
		}
	}
}

static void plan_vm_release(struct vm_plan *vm)
{
	free(vm->pins);
	free(vm->cells);
	memset(vm, 0, sizeof(*vm));
}

/* Writes @xml to a new temporary file and runs "@prefix FILE @suffix" on it. */
static int run_on(const char *xml, const char *prefix, const char *suffix, char **output)
{
	char dir[4096], file[4200], cmd[8800];
	int status = -1;
	char *out;

	tu_tmpdir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/domain.xml", dir);
	spit(file, xml);
	snprintf(cmd, sizeof(cmd), "%s %s %s", prefix, file, suffix);
	out = tu_run(cmd, &status);
	if (output)
		*output = out;
	else
		free(out);
	tu_rmtree(dir);
	return status;
}

static bool have(const char *tool)
{
	char cmd[256];
	int status = -1;
	char *out;

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	out = tu_run(cmd, &status);
	free(out);
	return status == 0;
}

/* libvirt's schema (virt-xml-validate) and the test driver's define */
static void assert_libvirt_accepts(const char *name, const char *xml, bool *validated,
				   bool *defined)
{
	char *out = NULL;
	int st;

	*validated = *defined = false;
	if (have("virt-xml-validate")) {
		st = run_on(xml, "virt-xml-validate", "domain 2>&1", &out);
		if (st != 0)
			fail_msg("%s: virt-xml-validate: %s\n%s", name, out ? out : "", xml);
		free(out);
		*validated = true;
	}
	if (have("virsh")) {
		/* the test driver is private to the virsh process: nothing persists */
		st = run_on(xml, "virsh -q -c test:///default define --validate", "2>&1", &out);
		if (st != 0)
			fail_msg("%s: virsh define: %s\n%s", name, out ? out : "", xml);
		free(out);
		*defined = true;
	}
}

/* The owned part carries the plan: one vcpupin per pin, the cells, the nodeset. */
static void assert_plan_in(const char *name, const char *xml, const struct vm_plan *vm)
{
	struct err e = ERR_INIT;
	char *owned = domxml_canon(xml, DOMXML_OWNED, &e);
	char line[256], set[256];
	const char *p;
	unsigned npins = 0;

	if (!owned)
		fail_msg("%s: %s", name, e.msg);
	for (size_t i = 0; i < vm->npins; i++) {
		snprintf(line, sizeof(line), "/domain/cputune/vcpupin vcpu='%u' cpuset='%u'\n",
			 vm->pins[i].vcpu, vm->pins[i].cpu);
		if (!strstr(owned, line))
			fail_msg("%s: no '%s' in\n%s", name, line, owned);
	}
	for (p = owned; (p = strstr(p, "/domain/cputune/vcpupin ")) != NULL; p++)
		npins++;
	assert_int_equal(npins, vm->npins);
	p = strstr(owned, "/domain/vcpu ");
	assert_non_null(p);
	assert_non_null(strstr(p, " placement='static'"));
	assert_true(strstr(p, " placement='static'") < strchr(p, '\n'));
	snprintf(line, sizeof(line), "/domain/vcpu text '%u'\n", vm->vcpus);
	assert_non_null(strstr(owned, line));
	assert_non_null(strstr(owned, "/domain/cputune/emulatorpin cpuset='0-1'\n"));
	for (size_t c = 0; c < vm->ncells; c++) {
		/* unit='KiB' only where the cell had a unit: none is KiB */
		snprintf(line, sizeof(line),
			 "/domain/cpu/numa/cell id='%u' cpus='%s' memory='%" PRIu64 "'",
			 vm->cells[c].id, idset_format(&vm->cells[c].vcpus, set, sizeof(set)),
			 vm->cells[c].mem_kib);
		if (!strstr(owned, line))
			fail_msg("%s: no '%s' in\n%s", name, line, owned);
		snprintf(line, sizeof(line),
			 "/domain/numatune/memnode cellid='%u' mode='strict' nodeset='%u'\n",
			 vm->cells[c].id, vm->cells[c].node);
		if (!strstr(owned, line))
			fail_msg("%s: no '%s' in\n%s", name, line, owned);
	}
	snprintf(line, sizeof(line), "/domain/numatune/memory mode='strict' nodeset='%s'\n",
		 idset_format(&vm->nodes, set, sizeof(set)));
	if (vm->ncells && !strstr(owned, line))
		fail_msg("%s: no '%s' in\n%s", name, line, owned);
	free(owned);
}

/* What hvtune does not own is the same before and after. */
static void assert_unowned_kept(const char *name, const char *before, const char *after)
{
	struct err e = ERR_INIT;
	char *a = domxml_canon(before, DOMXML_UNOWNED, &e), *b;

	if (!a)
		fail_msg("%s: %s", name, e.msg);
	b = domxml_canon(after, DOMXML_UNOWNED, &e);
	if (!b)
		fail_msg("%s: rewritten: %s", name, e.msg);
	if (strcmp(a, b) != 0)
		fail_msg("%s: unowned parts changed\n--- before\n%s--- after\n%s", name, a, b);
	free(a);
	free(b);
}

/* ---- libvirt's own test domains */

static const struct fixture {
	const char *file;
	uint64_t page_kib; /* what the plan asks */
	bool host_passthrough;
} valid[] = {
    {"cputune.xml", 0, false},
    {"cputune-numatune.xml", 0, true},
    {"cputune-cpuset-big-id.xml", 2048, false},
    {"numatune-memnode.xml", 1048576, true},
    {"numatune-distances.xml", 0, false},
    {"numatune-hmat.xml", 2048, false},
    {"cpu-numa-disjoint.xml", 0, true},
    {"hugepages-numa-nodeset.xml", 2048, false},
    {"hugepages-memaccess.xml", 1048576, false},
    {"memory-hotplug-dimm.xml", 2048, true},
    {"numad-static-memory-auto-vcpu.xml", 0, false},
};

static char *fixture(const char *file, bool *absent)
{
	const char *fx = tu_fixtures();
	char path[4096];
	char *xml;

	*absent = false;
	if (!fx) {
		tu_skip_msg("HVTUNE_FIXTURES is not set: no libvirt test domains");
		*absent = true;
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/domains/%s", fx, file);
	xml = slurp(path);
	if (!xml) {
		tu_skip_msg("'%s' is absent", path);
		*absent = true;
	}
	return xml;
}

/* Rewrites @xml for a plan built from its own request and checks (a)-(d). */
static void check_rewrite(const char *name, const char *xml, uint64_t page_kib,
			  const struct domxml_opts *o, unsigned *validated, unsigned *defined)
{
	struct err e = ERR_INIT;
	struct vm_request req;
	struct vm_plan vm;
	char *out, *again;
	bool v, d;

	assert_ok(domxml_request(xml, &req, &e), e);
	plan_vm(&vm, req.name, req.vcpus, req.mem_kib, page_kib, req.vcpus >= 2 ? 2 : 1);
	vm_request_release(&req);
	out = domxml_rewrite(xml, &vm, o, &e);
	if (!out)
		fail_msg("%s: %s", name, e.msg);
	assert_unowned_kept(name, xml, out);
	assert_plan_in(name, out, &vm);
	/* applying the same plan twice changes nothing the second time */
	again = domxml_rewrite(out, &vm, o, &e);
	if (!again)
		fail_msg("%s: second rewrite: %s", name, e.msg);
	if (strcmp(out, again) != 0)
		fail_msg("%s: a second rewrite changed it\n%s\n---\n%s", name, out, again);
	assert_libvirt_accepts(name, out, &v, &d);
	*validated += v;
	*defined += d;
	free(again);
	free(out);
	plan_vm_release(&vm);
}

static void test_fixtures_valid(void **state)
{
	unsigned done = 0, validated = 0, defined = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(valid); i++) {
		struct domxml_opts o = {.host_passthrough = valid[i].host_passthrough,
					.nosharepages = i % 2 == 0,
					.locked = i % 3 == 0};
		bool absent;
		char *xml = fixture(valid[i].file, &absent);

		if (!xml)
			continue;
		if (i % 4 == 1) {
			strfmt_set(o.vcpusched, sizeof(o.vcpusched), "fifo");
			o.vcpusched_priority = 1;
		}
		check_rewrite(valid[i].file, xml, valid[i].page_kib, &o, &validated, &defined);
		free(xml);
		done++;
	}
	if (done == 0)
		skip();
	print_message("%u libvirt test domains rewritten, %u schema-validated, %u defined\n", done,
		      validated, defined);
}

/*
 * libvirt rejects these against its test host (4 NUMA nodes, 2M and 1G
 * hugetlbfs).  The rewrite replaces the parts that are wrong (hugepage
 * nodeset, memnode nodeset, page size), so the result is valid.
 */
static void test_fixtures_negative(void **state)
{
	static const struct {
		const char *file, *bad, *bad_out; /* the bad part, gone after the rewrite */
	} neg[] = {
	    {"hugepages-numa-nodeset-nonexist.xml", "nodeset='1,4'", "nodeset='1,4'"},
	    {"numatune-static-nodeset-exceed-hostnode.xml", "nodeset='0-8'", "nodeset='0-8'"},
	    {"hugepages-default-5M.xml", "<page size=\"5\" unit=\"MiB\"/>", "size='5'"},
	};
	unsigned done = 0, validated = 0, defined = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(neg); i++) {
		struct domxml_opts o = {0};
		struct err e = ERR_INIT;
		struct vm_request req;
		struct vm_plan vm;
		bool absent;
		char *xml = fixture(neg[i].file, &absent), *out;

		if (!xml)
			continue;
		assert_non_null(strstr(xml, neg[i].bad));
		check_rewrite(neg[i].file, xml, 2048, &o, &validated, &defined);
		assert_ok(domxml_request(xml, &req, &e), e);
		plan_vm(&vm, req.name, req.vcpus, req.mem_kib, 2048, 2);
		vm_request_release(&req);
		out = domxml_rewrite(xml, &vm, &o, &e);
		assert_non_null(out);
		if (strstr(out, neg[i].bad_out))
			fail_msg("%s: '%s' is still there:\n%s", neg[i].file, neg[i].bad_out, out);
		free(out);
		plan_vm_release(&vm);
		free(xml);
		done++;
	}
	if (done == 0)
		skip();
	print_message("%u negative domains rewritten valid, %u schema-validated, %u defined\n",
		      done, validated, defined);
}

/* ---- our own domains: tests/domxml/NAME.xml -> NAME.expected (UPDATE_GOLDEN=1 rewrites) */

static void golden_plan(struct vm_plan *vm, const char *name)
{
	plan_vm(vm, name, 4, 4194304, 2048, 2);
}

static void test_own_golden(void **state)
{
	static const struct {
		const char *name;
		bool libvirt_valid; /* emptycontainers, cputunetext, twovcpus: odd on purpose */
	} own[] = {{"odd", true},	   {"bare", true},
		   {"metadata", true},	   {"emptycontainers", false},
		   {"cputunetext", false}, {"twovcpus", false},
		   {"numatunetext", false}};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(own); i++) {
		const char *name = own[i].name;
		struct domxml_opts o = {.host_passthrough = true,
					.nosharepages = true,
					.locked = true,
					.vcpusched = "fifo",
					.vcpusched_priority = 2};
		char in[4200], exp[4200];
		struct err e = ERR_INIT;
		struct vm_plan vm;
		char *xml, *out, *want;
		bool v, d;

		snprintf(in, sizeof(in), "%s/tests/domxml/%s.xml", src_dir(), name);
		snprintf(exp, sizeof(exp), "%s/tests/domxml/%s.expected", src_dir(), name);
		xml = slurp(in);
		if (!xml)
			fail_msg("cannot read '%s'", in);
		golden_plan(&vm, name);
		out = domxml_rewrite(xml, &vm, &o, &e);
		if (!out)
			fail_msg("%s: %s", name, e.msg);
		if (getenv("UPDATE_GOLDEN"))
			spit(exp, out);
		want = slurp(exp);
		if (!want)
			fail_msg("cannot read '%s' (UPDATE_GOLDEN=1 writes it)", exp);
		assert_string_equal(out, want);
		assert_unowned_kept(name, xml, out);
		assert_plan_in(name, out, &vm);
		if (own[i].libvirt_valid)
			assert_libvirt_accepts(name, out, &v, &d);
		free(want);
		free(out);
		free(xml);
		plan_vm_release(&vm);
	}
}

/* A rewrite of a rewrite changes nothing, byte for byte: applying the same
 * plan twice must not grow the XML (a blank line per run, issue 8 item 15). */
static void test_rewrite_idempotent(void **state)
{
	static const char *const own[] = {"odd",     "bare",	    "metadata", "emptycontainers",
					  "planned", "cputunetext", "twovcpus", "numatunetext"};
	struct domxml_opts o = {.host_passthrough = true,
				.nosharepages = true,
				.locked = true,
				.vcpusched = "fifo",
				.vcpusched_priority = 2};
	unsigned nbad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(own); i++) {
		char in[4200];
		struct err e = ERR_INIT;
		struct vm_plan vm;
		char *xml, *once, *twice;

		snprintf(in, sizeof(in), "%s/tests/domxml/%s.xml", src_dir(), own[i]);
		xml = slurp(in);
		if (!xml)
			fail_msg("cannot read '%s'", in);
		golden_plan(&vm, own[i]);
		once = domxml_rewrite(xml, &vm, &o, &e);
		if (!once)
			fail_msg("%s: %s", own[i], e.msg);
		twice = domxml_rewrite(once, &vm, &o, &e);
		if (!twice)
			fail_msg("%s: second rewrite: %s", own[i], e.msg);
		if (strcmp(once, twice) != 0) {
			print_message("%s: a second rewrite changed it:\n--- once\n%s--- twice\n%s",
				      own[i], once, twice);
			nbad++;
		}
		free(twice);
		free(once);
		free(xml);
		plan_vm_release(&vm);
	}
	assert_int_equal(nbad, 0);
}

/* A domain that already says what the plan says comes back byte for byte. */
static void test_roundtrip_identical(void **state)
{
	struct domxml_opts o = {.host_passthrough = true,
				.nosharepages = true,
				.locked = true,
				.vcpusched = "fifo",
				.vcpusched_priority = 2};
	char in[4200];
	struct err e = ERR_INIT;
	struct vm_plan vm;
	char *xml, *out;

	(void)state;
	snprintf(in, sizeof(in), "%s/tests/domxml/planned.xml", src_dir());
	xml = slurp(in);
	assert_non_null(xml);
	golden_plan(&vm, "planned");
	out = domxml_rewrite(xml, &vm, &o, &e);
	if (!out)
		fail_msg("%s", e.msg);
	assert_string_equal(out, xml);
	free(out);
	free(xml);
	plan_vm_release(&vm);
}

/* Parse and write back, nothing edited: libvirt's files come back byte for byte. */
static void test_format_roundtrip(void **state)
{
	static const char *const own[] = {"bare", "metadata", "planned"};
	static const char *const fixtures[] = {
	    "cputune.xml",
	    "cputune-numatune.xml",
	    "cputune-cpuset-big-id.xml",
	    "numatune-memnode.xml",
	    "numatune-distances.xml",
	    "numatune-hmat.xml",
	    "cpu-numa-disjoint.xml",
	    "hugepages-numa-nodeset.xml",
	    "hugepages-memaccess.xml",
	    "memory-hotplug-dimm.xml",
	    "numad-static-memory-auto-vcpu.xml",
	    "hugepages-numa-nodeset-nonexist.xml",
	    "numatune-static-nodeset-exceed-hostnode.xml",
	    "hugepages-default-5M.xml", /* written with " quotes */
	};
	struct err e = ERR_INIT;
	char path[4200];
	char *xml, *out, *want;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(fixtures); i++) {
		bool absent;

		xml = fixture(fixtures[i], &absent);
		if (!xml)
			continue;
		out = domxml_format(xml, &e);
		if (!out)
			fail_msg("%s: %s", fixtures[i], e.msg);
		if (strcmp(out, xml) != 0)
			fail_msg("%s changed:\n%s", fixtures[i], out);
		free(out);
		free(xml);
	}
	for (size_t i = 0; i < ARRAY_LEN(own); i++) {
		snprintf(path, sizeof(path), "%s/tests/domxml/%s.xml", src_dir(), own[i]);
		xml = slurp(path);
		assert_non_null(xml);
		out = domxml_format(xml, &e);
		if (!out)
			fail_msg("%s: %s", own[i], e.msg);
		assert_string_equal(out, xml);
		free(out);
		free(xml);
	}
	/* odd.xml changes where the tree keeps no trace: see odd.formatted */
	snprintf(path, sizeof(path), "%s/tests/domxml/odd.xml", src_dir());
	xml = slurp(path);
	assert_non_null(xml);
	out = domxml_format(xml, &e);
	if (!out)
		fail_msg("odd: %s", e.msg);
	snprintf(path, sizeof(path), "%s/tests/domxml/odd.formatted", src_dir());
	if (getenv("UPDATE_GOLDEN"))
		spit(path, out);
	want = slurp(path);
	assert_non_null(want);
	assert_string_equal(out, want);
	assert_null(strstr(out, "<?xml"));
	assert_non_null(
	    strstr(out, "<title>Straße &amp; &quot;quotes&quot; &lt;tag&gt; it&apos;s</title>"));
	assert_non_null(
	    strstr(out, "<description><![CDATA[raw <b>text</b> & stuff]]></description>"));
	free(want);
	free(out);
	free(xml);
}

/* A plan with fewer vCPUs than the domain had: what would name the old ones goes. */
static void test_shrink(void **state)
{
	const char *xml = "<domain type='kvm'>\n"
			  "  <name>shrink</name>\n"
			  "  <memory unit='GiB'>8</memory>\n"
			  "  <vcpu placement='static' current='6'>8</vcpu>\n"
			  "  <vcpus>\n"
			  "    <vcpu id='0' enabled='yes' hotpluggable='no'/>\n"
			  "    <vcpu id='1' enabled='yes' hotpluggable='yes'/>\n"
			  "  </vcpus>\n"
			  "  <cputune>\n"
			  "    <vcpupin vcpu='7' cpuset='15'/>\n"
			  "    <vcpusched vcpus='6-7' scheduler='fifo' priority='1'/>\n"
			  "    <vcpusched vcpus='0,^1' scheduler='batch'/>\n"
			  "  </cputune>\n"
			  "  <os>\n"
			  "    <type arch='x86_64'>hvm</type>\n"
			  "  </os>\n"
			  "  <cpu mode='host-model'>\n"
			  "    <topology sockets='2' cores='2' threads='2'/>\n"
			  "  </cpu>\n"
			  "  <devices>\n"
			  "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
			  "  </devices>\n"
			  "</domain>\n";
	const char *want = "<domain type='kvm'>\n"
			   "  <name>shrink</name>\n"
			   "  <memory unit='GiB'>8</memory>\n"
			   "  <vcpu placement='static'>4</vcpu>\n"
			   "  <cputune>\n"
			   "    <vcpupin vcpu='0' cpuset='8'/>\n"
			   "    <vcpupin vcpu='1' cpuset='9'/>\n"
			   "    <vcpupin vcpu='2' cpuset='10'/>\n"
			   "    <vcpupin vcpu='3' cpuset='11'/>\n"
			   "    <emulatorpin cpuset='0-1'/>\n"
			   "    <vcpusched vcpus='0,^1' scheduler='batch'/>\n"
			   "  </cputune>\n"
			   "  <numatune>\n"
			   "    <memory mode='strict' nodeset='0'/>\n"
			   "    <memnode cellid='0' mode='strict' nodeset='0'/>\n"
			   "  </numatune>\n"
			   "  <os>\n"
			   "    <type arch='x86_64'>hvm</type>\n"
			   "  </os>\n"
			   "  <cpu mode='host-model'>\n"
			   "    <numa>\n"
			   "      <cell id='0' cpus='0-3' memory='8388608' unit='KiB'/>\n"
			   "    </numa>\n"
			   "  </cpu>\n"
			   "  <devices>\n"
			   "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
			   "  </devices>\n"
			   "</domain>\n";
	struct domxml_opts o = {0};
	struct err e = ERR_INIT;
	struct vm_plan vm;
	char *out;
	bool v, d;

	(void)state;
	plan_vm(&vm, "shrink", 4, 8388608, 0, 1);
	vm.sockets = vm.cores = vm.threads =
	    0; /* no guest topology: the old one no longer adds up */
	out = domxml_rewrite(xml, &vm, &o, &e);
	if (!out)
		fail_msg("%s", e.msg);
	assert_string_equal(out, want);
	assert_libvirt_accepts("shrink", out, &v, &d);
	free(out);
	plan_vm_release(&vm);
}

/* iothread ids from <iothreadids> or a count hvtune adds; batch has no priority; no cells. */
static void test_iothreads_sched(void **state)
{
	static const char ids[] = "<domain type='kvm'>\n"
				  "  <name>io</name>\n"
				  "  <memory unit='GiB'>4</memory>\n"
				  "  <vcpu>2</vcpu>\n"
				  "  <iothreads>2</iothreads>\n"
				  "  <iothreadids>\n"
				  "    <iothread id='5'/>\n"
				  "    <iothread id='9'/>\n"
				  "  </iothreadids>\n"
				  "  <os>\n"
				  "    <type>hvm</type>\n"
				  "  </os>\n"
				  "</domain>\n";
	static const char none[] = "<domain type='kvm'>\n"
				   "  <name>io</name>\n"
				   "  <memory unit='GiB'>4</memory>\n"
				   "  <os>\n"
				   "    <type>hvm</type>\n"
				   "  </os>\n"
				   "</domain>\n";
	static const char *const want_ids[] = {
	    "  <memoryBacking>\n    <hugepages>\n      <page size='1048576' unit='KiB'/>\n"
	    "    </hugepages>\n  </memoryBacking>\n  <vcpu placement='static'>2</vcpu>\n",
	    "    <iothreadpin iothread='5' cpuset='2'/>\n"
	    "    <iothreadpin iothread='9' cpuset='2'/>\n"
	    "    <vcpusched vcpus='0-1' scheduler='batch'/>\n",
	    "  <numatune>\n    <memory mode='strict' nodeset='0'/>\n  </numatune>\n",
	    "  <cpu>\n    <topology sockets='1' cores='1' threads='2'/>\n  </cpu>\n",
	};
	static const char *const want_none[] = {
	    "  <vcpu placement='static'>2</vcpu>\n  <iothreads>3</iothreads>\n  <cputune>\n",
	    "    <emulatorpin cpuset='0-1'/>\n"
	    "    <iothreadpin iothread='1' cpuset='0-1'/>\n"
	    "    <iothreadpin iothread='2' cpuset='0-1'/>\n"
	    "    <iothreadpin iothread='3' cpuset='0-1'/>\n"
	    "  </cputune>\n",
	};
	struct domxml_opts o = {.vcpusched = "batch", .vcpusched_priority = 9};
	struct err e = ERR_INIT;
	struct vm_plan vm;
	char *out;
	bool v, d;

	(void)state;
	plan_vm(&vm, "io", 2, 4194304, 1048576, 0);
	idset_add(&vm.nodes, 0);
	out = domxml_rewrite(ids, &vm, &o, &e);
	if (!out)
		fail_msg("%s", e.msg);
	for (size_t i = 0; i < ARRAY_LEN(want_ids); i++)
		if (!strstr(out, want_ids[i]))
			fail_msg("no\n%s\nin\n%s", want_ids[i], out);
	assert_null(strstr(out, "<numa>"));
	assert_null(strstr(out, "memnode"));
	assert_libvirt_accepts("iothreadids", out, &v, &d);
	free(out);

	/* no iothreads in the domain: the plan's count, pinned with the emulator */
	o = (struct domxml_opts){0};
	vm.page_kib = 0;
	vm.niothreads = 3;
	idset_clear(&vm.iothread);
	out = domxml_rewrite(none, &vm, &o, &e);
	if (!out)
		fail_msg("%s", e.msg);
	for (size_t i = 0; i < ARRAY_LEN(want_none); i++)
		if (!strstr(out, want_none[i]))
			fail_msg("no\n%s\nin\n%s", want_none[i], out);
	assert_null(strstr(out, "memoryBacking"));
	assert_null(strstr(out, "vcpusched"));
	assert_libvirt_accepts("iothreads added", out, &v, &d);
	free(out);
	plan_vm_release(&vm);
}

/* The canonical text sees a change outside what hvtune owns, and only there. */
static void test_canon(void **state)
{
	static const char base[] =
	    "<domain type='kvm'><name>c</name><vcpu>2</vcpu><cputune><shares>5</shares>"
	    "<vcpupin vcpu='0' cpuset='1'/></cputune><cpu mode='custom' check='none'>"
	    "<model>qemu64</model><feature policy='require' name='x'/></cpu>"
	    "<devices><disk type='file'/><!--c--></devices></domain>";
	static const struct {
		const char *xml;
		bool same; /* unowned parts equal to base */
	} cases[] = {
	    {"<domain type='kvm'>\n <name>c</name><vcpu placement='static'>8</vcpu><cputune>"
	     "<shares>5</shares><vcpupin vcpu='0' cpuset='7'/></cputune><cpu "
	     "mode='host-passthrough' check='none'><feature policy='require' name='x'/>"
	     "<numa><cell id='0' cpus='0' memory='1'/></numa></cpu><devices><disk "
	     "type='file'/><!--c--></devices></domain>",
	     true},
	    {"<domain type='kvm'><name>c</name><vcpu>2</vcpu><cputune><shares>5</shares>"
	     "<vcpupin vcpu='0' cpuset='1'/></cputune><cpu mode='custom' check='none'>"
	     "<model>qemu64</model><feature policy='require' name='x'/></cpu>"
	     "<devices><disk type='block'/><!--c--></devices></domain>",
	     false},
	    {"<domain type='kvm'><name>c</name><vcpu>2</vcpu><cputune><shares>6</shares>"
	     "</cputune><devices><disk type='file'/><!--c--></devices></domain>",
	     false},
	    {"<domain type='kvm'><name>c</name><vcpu>2</vcpu><cputune><shares>5</shares>"
	     "</cputune><cpu check='full'><feature policy='require' name='x'/></cpu>"
	     "<devices><disk type='file'/><!--c--></devices></domain>",
	     false},
	    {"<domain type='kvm'><name>c</name><vcpu>2</vcpu><cputune><shares>5</shares>"
	     "</cputune><cpu check='none'><feature policy='require' name='x'/></cpu>"
	     "<devices><disk type='file'/></devices></domain>",
	     false},
	};
	struct err e = ERR_INIT;
	char *a = domxml_canon(base, DOMXML_UNOWNED, &e), *o;

	(void)state;
	assert_non_null(a);
	assert_string_equal(a, "/domain type='kvm'\n"
			       "/domain/name\n"
			       "/domain/name text 'c'\n"
			       "/domain/cputune/shares\n"
			       "/domain/cputune/shares text '5'\n"
			       "/domain/cpu check='none'\n"
			       "/domain/cpu/feature policy='require' name='x'\n"
			       "/domain/devices\n"
			       "/domain/devices/disk type='file'\n"
			       "/domain/devices comment 'c'\n");
	o = domxml_canon(base, DOMXML_OWNED, &e);
	assert_non_null(o);
	assert_string_equal(o, "/domain/vcpu\n"
			       "/domain/vcpu text '2'\n"
			       "/domain/cputune/vcpupin vcpu='0' cpuset='1'\n"
			       "/domain/cpu mode='custom'\n"
			       "/domain/cpu/model\n"
			       "/domain/cpu/model text 'qemu64'\n");
	free(o);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *b = domxml_canon(cases[i].xml, DOMXML_UNOWNED, &e);

		if (!b)
			fail_msg("case %zu: %s", i, e.msg);
		if ((strcmp(a, b) == 0) != cases[i].same)
			fail_msg("case %zu: expected %s\n%s", i,
				 cases[i].same ? "same" : "a change", b);
		free(b);
	}
	free(a);
}

/* ---- failures */

static void test_errors(void **state)
{
	static const struct {
		const char *xml, *msg;
	} cases[] = {
	    {"", "domain XML is empty"},
	    {"<domain type='kvm'>\n  <name>x</name>\n  <vcpu>2</vcpux>\n</domain>\n",
	     "domain XML line 3: "},
	    {"<domain type='kvm'>\n<name>x</name>\n", "domain XML line 3: Premature end of data"},
	    {"<network>\n  <name>x</name>\n</network>\n",
	     "domain XML line 1: the root element is <network>, not <domain>"},
	    {"<!DOCTYPE domain [ <!ENTITY x \"y\"> ]>\n<domain><name>&x;</name></domain>\n",
	     "a DOCTYPE is refused"},
	    {"<domain><name>&x;</name></domain>", "domain XML line 1: Entity 'x' not defined"},
	    {"<?xml version='1.0'?>\n<!DOCTYPE domain SYSTEM 'file:///etc/passwd'>\n<domain/>",
	     "domain XML line 2: a DOCTYPE is refused"},
	    {"<q:domain xmlns:q='urn:x'/>", "not <domain>"},
	    {"not xml at all", "domain XML line 1: Start tag expected"},
	};
	struct domxml_opts o = {0};
	struct vm_plan vm;

	(void)state;
	plan_vm(&vm, "x", 2, 1048576, 0, 1);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct err e = ERR_INIT;
		struct vm_request req;
		char *out = domxml_rewrite(cases[i].xml, &vm, &o, &e);

		assert_null(out);
		if (!strstr(e.msg, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg, cases[i].msg);
		e = (struct err)ERR_INIT;
		assert_int_equal(domxml_request(cases[i].xml, &req, &e), -1);
		if (!strstr(e.msg, cases[i].msg))
			fail_msg("request %zu: '%s' lacks '%s'", i, e.msg, cases[i].msg);
		assert_string_equal(req.name, "");
	}
	plan_vm_release(&vm);
}

static void test_bad_plans(void **state)
{
	const char *xml = "<domain type='kvm'>\n  <name>x</name>\n  <vcpu>2</vcpu>\n</domain>\n";
	struct domxml_opts o = {0};
	struct err e = ERR_INIT;
	struct vm_plan vm;

	(void)state;
	plan_vm(&vm, "x", 2, 1048576, 0, 1);
	vm.placed = false;
	strfmt_set(vm.why_not, sizeof(vm.why_not), "no node has 2 free pCPUs");
	assert_null(domxml_rewrite(xml, &vm, &o, &e));
	assert_string_equal(e.msg, "vm 'x' is not placed: no node has 2 free pCPUs");
	vm.placed = true;
	vm.npins = 1;
	assert_null(domxml_rewrite(xml, &vm, &o, &e));
	assert_string_equal(e.msg, "plan for 'x' pins 1 of 2 vCPUs");
	vm.npins = 2;
	vm.sockets = 3;
	assert_null(domxml_rewrite(xml, &vm, &o, &e));
	assert_string_equal(e.msg, "plan for 'x': 3 sockets x 1 cores x 2 threads is not 2 vCPUs");
	vm.sockets = 1;
	strfmt_set(o.vcpusched, sizeof(o.vcpusched), "deadline");
	assert_null(domxml_rewrite(xml, &vm, &o, &e));
	assert_string_equal(e.msg, "unknown vCPU scheduler 'deadline'");
	o.vcpusched[0] = '\0';
	/* two <cputune>: libvirt reads both, the rewrite would keep the second's pins */
	assert_null(domxml_rewrite("<domain type='kvm'>\n  <name>x</name>\n  <vcpu>2</vcpu>\n"
				   "  <cputune>\n    <vcpupin vcpu='0' cpuset='3'/>\n  </cputune>\n"
				   "  <cputune>\n    <vcpupin vcpu='1' cpuset='5'/>\n  </cputune>\n"
				   "</domain>\n",
				   &vm, &o, &e));
	assert_string_equal(e.msg, "the domain XML has 2 <cputune> elements: libvirt reads them "
				   "all, and hvtune would change only the first (merge them)");
	plan_vm_release(&vm);
}

/* Many vCPUs: 4096 pins, CPU ids up to 4103, and a <vcpu> too big to read. */
static void test_huge(void **state)
{
	const char *xml = "<domain type='kvm'>\n  <name>big</name>\n  <vcpu>1</vcpu>\n"
			  "  <memory unit='GiB'>64</memory>\n</domain>\n";
	struct domxml_opts o = {0};
	struct err e = ERR_INIT;
	struct vm_request req;
	struct vm_plan vm;
	char *out;

	(void)state;
	plan_vm(&vm, "big", 4096, 67108864, 1048576, 4);
	out = domxml_rewrite(xml, &vm, &o, &e);
	if (!out)
		fail_msg("%s", e.msg);
	assert_plan_in("big", out, &vm);
	assert_non_null(strstr(out, "<vcpupin vcpu='4095' cpuset='4103'/>"));
	assert_ok(domxml_request(out, &req, &e), e);
	assert_int_equal(req.vcpus, 4096);
	assert_int_equal(req.pages, PAGES_HUGE);
	assert_int_equal(req.hugepage_kib, 1048576);
	vm_request_release(&req);
	free(out);
	plan_vm_release(&vm);
	assert_int_equal(domxml_request("<domain><name>b</name><vcpu>99999999999</vcpu>"
					"<memory>1</memory></domain>",
					&req, &e),
			 -1);
	assert_string_equal(e.msg, "domain 'b' has no valid <vcpu> count");
}

/* ---- reading a request */

static void test_request(void **state)
{
	static const struct {
		const char *xml;
		const char *name;
		unsigned vcpus;
		uint64_t mem_kib;
		enum page_choice pages;
		uint64_t page_kib;
		const char *nic;
	} cases[] = {
	    {"<domain><name>a</name><vcpu>4</vcpu><memory>1048576</memory></domain>", "a", 4,
	     1048576, PAGES_PROFILE, 0, ""},
	    {"<domain><name>b</name><vcpu current='2'>6</vcpu><memory unit='GiB'>8</memory>"
	     "<currentMemory unit='M'>4096</currentMemory></domain>",
	     "b", 6, 8388608, PAGES_PROFILE, 0, ""},
	    {"<domain><name>c</name><vcpu> 3 </vcpu><memory unit='b'>1025</memory>"
	     "<memoryBacking><hugepages><page size='1' unit='G'/></hugepages></memoryBacking>"
	     "<devices><interface type='network'><target dev='vnet0'/></interface>"
	     "<interface type='hostdev'><source><address type='pci' domain='0x0000' "
	     "bus='0x3b' slot='0x00' function='0x1'/></source></interface></devices></domain>",
	     "c", 3, 2, PAGES_HUGE, 1048576, "0000:3b:00.1"},
	    {"<domain><name>d</name><vcpu>1</vcpu><memory unit='MB'>1</memory>"
	     "<memoryBacking><hugepages/></memoryBacking><devices><interface type='bridge'>"
	     "<target dev='tap7'/></interface></devices></domain>",
	     "d", 1, 977, PAGES_PROFILE, 0, "tap7"},
	    {"<domain><name>e</name><vcpu>1</vcpu><memory>4096</memory><memoryBacking>"
	     "<hugepages><page size='4' unit='KiB'/></hugepages></memoryBacking></domain>",
	     "e", 1, 4096, PAGES_NORMAL, 0, ""},
	    /* memory devices: libvirt's <memory> counts them, the cells do not */
	    {"<domain><name>f</name><vcpu>2</vcpu><memory>3145728</memory><cpu><numa>"
	     "<cell id='0' cpus='0-1' memory='2' unit='GiB'/></numa></cpu><devices>"
	     "<memory model='dimm'><target><size unit='GiB'>1</size><node>0</node></target>"
	     "</memory></devices></domain>",
	     "f", 2, 2097152, PAGES_PROFILE, 0, ""},
	    /* cells in any order, as libvirt takes them (cpu-numa-disordered) */
	    {"<domain><name>h</name><vcpu>3</vcpu><cpu><numa>"
	     "<cell id='1' cpus='2' memory='1024'/><cell id='0' cpus='0-1' memory='2048'/>"
	     "</numa></cpu></domain>",
	     "h", 3, 3072, PAGES_PROFILE, 0, ""},
	    {"<domain><name>g</name><vcpu>2</vcpu><memory>3145728</memory><devices>"
	     "<memory model='dimm'><target><size unit='GiB'>1</size></target></memory>"
	     "</devices></domain>",
	     "g", 2, 2097152, PAGES_PROFILE, 0, ""},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct err e = ERR_INIT;
		struct vm_request r;

		assert_ok(domxml_request(cases[i].xml, &r, &e), e);
		assert_string_equal(r.name, cases[i].name);
		assert_int_equal(r.vcpus, cases[i].vcpus);
		assert_int_equal(r.mem_kib, cases[i].mem_kib);
		assert_int_equal(r.pages, cases[i].pages);
		assert_int_equal(r.hugepage_kib, cases[i].page_kib);
		assert_string_equal(r.nic, cases[i].nic);
		if (strcmp(r.name, "h") == 0) {
			assert_int_equal(r.ncells, 2);
			assert_int_equal(r.cells[0].mem_kib, 2048);
			assert_int_equal(idset_count(&r.cells[0].vcpus), 2);
			assert_true(idset_has(&r.cells[1].vcpus, 2));
		}
		vm_request_release(&r);
	}
}

static void test_request_errors(void **state)
{
	static const struct {
		const char *xml, *msg;
	} cases[] = {
	    {"<domain><vcpu>1</vcpu></domain>", "domain XML has no <name> of 1 to 63 characters"},
	    {"<domain><name>a</name><memory>1</memory></domain>",
	     "domain 'a' has no valid <vcpu> count"},
	    {"<domain><name>a</name><vcpu current='3'>2</vcpu></domain>",
	     "domain XML line 1: invalid <vcpu current=>"},
	    {"<domain><name>a</name><vcpu>2</vcpu></domain>", "domain 'a' has no <memory>"},
	    {"<domain><name>a</name><vcpu>2</vcpu><memory unit='parsec'>2</memory></domain>",
	     "domain XML line 1: invalid unit 'parsec' of memory"},
	    {"<domain><name>a</name><vcpu>2</vcpu><memory unit='EiB'>64</memory></domain>",
	     "domain XML line 1: invalid unit 'EiB' of memory"},
	    {"<domain><name>a</name><vcpu>2</vcpu>\n<memory>-1</memory></domain>",
	     "domain XML line 2: invalid memory"},
	    {"<domain><name>a</name><vcpu>2</vcpu><cpu><numa><cell id='0' memory='1'/>"
	     "<cell id='0' memory='1'/></numa></cpu></domain>",
	     "domain XML line 1: guest cell ids are not 0 to 1, each once"},
	    {"<domain><name>a</name><vcpu>2</vcpu><cpu><numa><cell id='0' cpus='x' "
	     "memory='1'/></numa></cpu></domain>",
	     "domain XML line 1: invalid cpus of guest cell 0"},
	    {"<domain><name>a</name><vcpu>2</vcpu><memory>1024</memory><devices><memory "
	     "model='dimm'><target><size>1024</size></target></memory></devices></domain>",
	     "domain 'a': memory devices of 1024 KiB leave none of its <memory>"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct err e = ERR_INIT;
		struct vm_request r;

		assert_int_equal(domxml_request(cases[i].xml, &r, &e), -1);
		assert_string_equal(e.msg, cases[i].msg);
	}
}

/* ---- every domain: what the plan does not own survives (issue 10) */

/*
 * The plan a request makes: its own cells when it has them (cell k on host
 * node k % 2), else one cell; vCPU i on pCPU 8+i; 1 socket x N cores.
 */
static void plan_request(struct vm_plan *vm, const struct vm_request *r)
{
	plan_vm(vm, r->name, r->vcpus, r->mem_kib, 0, r->ncells ? 0 : 1);
	vm->threads = 1;
	vm->cores = r->vcpus;
	if (r->ncells == 0)
		return;
	free(vm->cells);
	vm->cells = calloc(r->ncells, sizeof(*vm->cells));
	assert_non_null(vm->cells);
	vm->ncells = r->ncells;
	vm->mem_kib = r->mem_kib;
	idset_clear(&vm->nodes);
	for (size_t k = 0; k < r->ncells; k++) {
		vm->cells[k] = (struct guest_cell){.id = (unsigned)k,
						   .node = (unsigned)k % 2,
						   .vcpus = r->cells[k].vcpus,
						   .mem_kib = r->cells[k].mem_kib};
		idset_add(&vm->nodes, (unsigned)k % 2);
	}
}

/* The lines of @canon that start with @prefix, with the attributes @drop
 * (" name='...'") taken out.  Caller free()s. */
static char *lines_of(const char *canon, const char *prefix, const char *const *drop)
{
	size_t size = strlen(canon) + 1, len = 0;
	char *out = calloc(1, size);

	assert_non_null(out);
	for (const char *p = canon; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);

		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			memcpy(out + len, p, n);
			out[len + n] = '\0';
			for (const char *const *d = drop; *d; d++) {
				char *a = strstr(out + len, *d), *q;

				if (a && a < strchr(out + len, '\n') &&
				    (q = strchr(a + strlen(*d), '\'')))
					memmove(a, q + 1, strlen(q + 1) + 1);
			}
			len = strlen(out);
		}
		p += n;
	}
	return out;
}

/* The guest cell ids of @owned (a DOMXML_OWNED canon). */
static struct idset cells_of(const char *owned)
{
	struct idset s;
	const char *p = owned;

	idset_clear(&s);
	while ((p = strstr(p, "/domain/cpu/numa/cell ")) != NULL) {
		const char *id = strstr(p, " id='");

		p++;
		if (id && id < strchr(p, '\n'))
			idset_add(&s, (unsigned)strtoul(id + 5, NULL, 10));
	}
	return s;
}

/* Every device's <target><node> of @unowned names a cell of @cells. */
static void assert_device_cells(const char *name, const char *unowned, const struct idset *cells)
{
	for (const char *p = unowned; (p = strstr(p, "/target/node text '")) != NULL; p++) {
		unsigned id = (unsigned)strtoul(p + 19, NULL, 10);

		if (!idset_has(cells, id))
			fail_msg("%s: a device is on guest cell %u, which is gone", name, id);
	}
}

static bool virsh_defines(const char *xml, char **why)
{
	return run_on(xml, "virsh -q -c test:///default define --validate", "2>&1", why) == 0;
}

/* The <vcpu> maximum and current= of @xml, by the canon of its owned part. */
static void vcpu_of(const char *owned, unsigned *max, unsigned *cur)
{
	const char *t = strstr(owned, "/domain/vcpu text '"), *v = strstr(owned, "/domain/vcpu ");
	const char *c = v ? strstr(v, " current='") : NULL;

	*max = t ? (unsigned)strtoul(t + 19, NULL, 10) : 0;
	*cur = c && c < strchr(v, '\n') ? (unsigned)strtoul(c + 10, NULL, 10) : 0;
}

/* Rewrites one domain for its own request: 1, or 0 when it makes no request. */
static int keep_one(const char *name, const char *xml, bool libvirt, unsigned *defined)
{
	static const char *const owned_attrs[] = {" cpus='", " memory='", " unit='", NULL};
	struct domxml_opts o = {.host_passthrough = true};
	struct err e = ERR_INIT;
	struct vm_request req;
	struct vm_plan vm;
	char *out, *before, *after, *ub, *ua, *why = NULL;
	unsigned max0, cur0, max1, cur1;
	struct idset cells;

	if (domxml_request(xml, &req, &e) < 0)
		return 0; /* one of our odd ones: no request to make */
	plan_request(&vm, &req);
	out = domxml_rewrite(xml, &vm, &o, &e);
	if (!out)
		fail_msg("%s: %s", name, e.msg);
	before = domxml_canon(xml, DOMXML_OWNED, &e);
	after = domxml_canon(out, DOMXML_OWNED, &e);
	assert_non_null(before);
	assert_non_null(after);
	vcpu_of(before, &max0, &cur0);
	vcpu_of(after, &max1, &cur1);
	if (max1 < max0 || cur1 != cur0)
		fail_msg("%s: <vcpu> %u (current %u) became %u (current %u)", name, max0, cur0,
			 max1, cur1);
	if (req.ncells) {
		/* every cell attribute and child but cpus and memory, as it was */
		char *cb = lines_of(before, "/domain/cpu/numa/", owned_attrs);
		char *ca = lines_of(after, "/domain/cpu/numa/", owned_attrs);

		if (strcmp(cb, ca) != 0)
			fail_msg("%s: guest cells changed\n--- before\n%s--- after\n%s", name, cb,
				 ca);
		free(cb);
		free(ca);
	}
	cells = cells_of(after);
	ua = domxml_canon(out, DOMXML_UNOWNED, &e);
	assert_non_null(ua);
	assert_device_cells(name, ua, &cells);
	ub = domxml_canon(xml, DOMXML_UNOWNED, &e);
	assert_non_null(ub);
	assert_string_equal(ub, ua);
	if (libvirt && virsh_defines(xml, NULL)) {
		if (!virsh_defines(out, &why))
			fail_msg("%s: libvirt defined it, not its rewrite: %s\n%s", name, why, out);
		(*defined)++;
	}
	free(why);
	free(ub);
	free(ua);
	free(before);
	free(after);
	free(out);
	plan_vm_release(&vm);
	vm_request_release(&req);
	return 1;
}

/* Each domain of @dir (*.xml), rewritten for its own request. */
static unsigned keep_dir(const char *dir, unsigned *defined)
{
	bool libvirt = have("virsh");
	struct dirent *de;
	unsigned n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char path[4200];
		char *xml;

		if (len < 5 || strcmp(de->d_name + len - 4, ".xml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		xml = slurp(path);
		if (!xml)
			fail_msg("cannot read '%s'", path);
		n += (unsigned)keep_one(de->d_name, xml, libvirt, defined);
		free(xml);
	}
	closedir(d);
	return n;
}

static void test_keep_unowned(void **state)
{
	unsigned n = 0, defined = 0;
	char dir[4200];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/domxml", src_dir());
	n += keep_dir(dir, &defined);
	if (tu_fixtures()) {
		snprintf(dir, sizeof(dir), "%s/domains", tu_fixtures());
		n += keep_dir(dir, &defined);
	}
	assert_true(n > 0);
	print_message("%u domains rewritten for their own request, %u defined before and after\n",
		      n, defined);
}

/*
 * Memory devices and the plan's memory: the plan holds the cells' memory
 * (libvirt's initial memory), the dimms stay as they are, and libvirt's
 * total (<memory>, cells plus dimms) is what it was: 4 GiB of cells and a
 * 512 MiB dimm on cell 1 stay 4718592 KiB after a define.
 */
static void test_dimm_total(void **state)
{
	struct domxml_opts o = {0};
	struct err e = ERR_INIT;
	struct vm_request req;
	struct vm_plan vm;
	char in[4200], *xml, *out, *dump = NULL;
	int st;

	(void)state;
	snprintf(in, sizeof(in), "%s/tests/domxml/cells4.xml", src_dir());
	xml = slurp(in);
	assert_non_null(xml);
	assert_ok(domxml_request(xml, &req, &e), e);
	assert_int_equal(req.mem_kib, 4194304);
	assert_int_equal(req.ncells, 4);
	assert_int_equal(req.vcpus, 8);
	plan_request(&vm, &req);
	out = domxml_rewrite(xml, &vm, &o, &e);
	if (!out)
		fail_msg("%s", e.msg);
	assert_non_null(strstr(out, "<cell id='1' cpus='2-3' memory='1048576' unit='KiB' "
				    "memAccess='shared'>"));
	assert_non_null(strstr(out, "<node>1</node>"));
	if (!have("virsh")) {
		tu_skip_msg("no virsh: the total is not checked by libvirt");
	} else {
		st = run_on(out, "virsh -q -c test:///default 'define --validate",
			    "; dumpxml cells4' 2>&1", &dump);
		if (st != 0 || !dump)
			fail_msg("virsh: %s", dump ? dump : "");
		if (!strstr(dump, "<memory unit='KiB'>4718592</memory>") ||
		    !strstr(dump, "<size unit='KiB'>524288</size>"))
			fail_msg("libvirt's total is not 4 GiB of cells + 512 MiB:\n%s", dump);
		free(dump);
	}
	free(out);
	free(xml);
	plan_vm_release(&vm);
	vm_request_release(&req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixtures_valid),
	    cmocka_unit_test(test_fixtures_negative),
	    cmocka_unit_test(test_own_golden),
	    cmocka_unit_test(test_roundtrip_identical),
	    cmocka_unit_test(test_rewrite_idempotent),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_bad_plans),
	    cmocka_unit_test(test_huge),
	    cmocka_unit_test(test_request),
	    cmocka_unit_test(test_request_errors),
	    cmocka_unit_test(test_format_roundtrip),
	    cmocka_unit_test(test_shrink),
	    cmocka_unit_test(test_canon),
	    cmocka_unit_test(test_iothreads_sched),
	    cmocka_unit_test(test_keep_unowned),
	    cmocka_unit_test(test_dimm_total),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
