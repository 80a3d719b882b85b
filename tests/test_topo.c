/* test_topo.c - topo_probe, node_probe: captures, hwloc as oracle, synthetic trees, bad input */
#include "tests/testutil.h"
#include "tests/gentree.h"
#include "probe/probe_int.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ----------------------------------------------------------------- */

/* topo_probe + node_probe on @root; the other parts of host_probe are not ours. */
static int probe(struct host *h, const char *root, struct err *e)
{
	struct fsroot r = FSROOT_INIT;
	int rc;

	memset(h, 0, sizeof(*h));
	if (fsroot_open(&r, root, e) < 0)
		return -1;
	rc = topo_probe(h, &r, e);
	if (rc == 0)
		rc = node_probe(h, &r, e);
	if (rc < 0)
		host_release(h);
	fsroot_close(&r);
	return rc;
}

static void assert_fails(const char *root, const char *want)
{
	struct err e = ERR_INIT;
	struct host h;

	if (probe(&h, root, &e) == 0)
		fail_msg("probing '%s' succeeded; wanted an error with '%s'", root, want);
	if (!strstr(e.msg, want))
		fail_msg("error '%s' lacks '%s'", e.msg, want);
	assert_null(h.cpus);
	assert_null(h.nodes);
	assert_null(h.topo.distances);
}

static const char *fmt_set(const struct idset *s, char *buf, size_t size)
{
	return idset_format(s, buf, size);
}

/* "size:total/free/surplus ..." */
static const char *fmt_pools(const struct node *n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n->npools && len < size; i++)
		len += (size_t)snprintf(
		    buf + len, size - len, "%s%llu:%llu/%llu/%llu", i ? " " : "",
		    (unsigned long long)n->pools[i].size_kib, (unsigned long long)n->pools[i].total,
		    (unsigned long long)n->pools[i].free, (unsigned long long)n->pools[i].surplus);
	return buf;
}

/* Rows "10 21 / 21 10", in h->nodes order. */
static const char *fmt_distances(const struct host *h, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < h->nnodes && len < size; i++)
		for (size_t j = 0; j < h->nnodes && len < size; j++)
			len += (size_t)snprintf(buf + len, size - len, "%s%u",
						j   ? " "
						: i ? " / "
						    : "",
						h->topo.distances[i * h->nnodes + j]);
	return buf;
}

/* The groups of CPUs with the same core (or L3) index: "width:groups ...". */
static const char *fmt_groups(const struct host *h, bool l3, char *buf, size_t size)
{
	unsigned *members = calloc(h->ncpus + 1, sizeof(*members));
	unsigned *hist = calloc(h->ncpus + 1, sizeof(*hist));
	size_t len = 0;

	assert_non_null(members);
	assert_non_null(hist);
	for (size_t i = 0; i < h->ncpus; i++) {
		int k = l3 ? h->cpus[i].l3 : h->cpus[i].core;

		if (k < 0)
			continue;
		assert_true((size_t)k < h->ncpus);
		members[k]++;
	}
	for (size_t k = 0; k < h->ncpus; k++)
		if (members[k])
			hist[members[k]]++;
	buf[0] = '\0';
	for (size_t w = 1; w <= h->ncpus && len < size; w++)
		if (hist[w])
			len += (size_t)snprintf(buf + len, size - len, "%s%zu:%u", len ? " " : "",
						w, hist[w]);
	free(members);
	free(hist);
	return buf;
}

/* The distinct package ids of the CPUs, ascending ("36,8442": firmware ids can pass 8191). */
static const char *fmt_packages(const struct host *h, char *buf, size_t size)
{
	size_t len = 0;
	int last = -1;

	buf[0] = '\0';
	for (;;) {
		int next = -1;

		for (size_t i = 0; i < h->ncpus; i++)
			if (h->cpus[i].package > last && (next < 0 || h->cpus[i].package < next))
				next = h->cpus[i].package;
		if (next < 0 || len >= size)
			return buf;
		len += (size_t)snprintf(buf + len, size - len, "%s%d", len ? "," : "", next);
		last = next;
	}
}

/* Every CPU sits in the node that lists it, and the nodes cover the online CPUs. */
static void assert_consistent(const struct host *h)
{
	struct idset all;

	idset_clear(&all);
	for (size_t i = 0; i < h->ncpus; i++) {
		const struct cpu *c = &h->cpus[i];
		const struct node *n = c->node >= 0 ? host_node(h, (unsigned)c->node) : NULL;

		if (i > 0)
			assert_true(h->cpus[i - 1].id < c->id);
		assert_non_null(n);
		assert_true(idset_has(&n->cpus, c->id));
	}
	for (size_t i = 0; i < h->nnodes; i++) {
		if (i > 0)
			assert_true(h->nodes[i - 1].id < h->nodes[i].id);
		assert_false(idset_intersects(&all, &h->nodes[i].cpus));
		idset_or(&all, &h->nodes[i].cpus);
		if (h->nodes[i].mem_known)
			assert_true(h->nodes[i].mem_free_kib <= h->nodes[i].mem_total_kib);
	}
	assert_true(idset_equal(&all, &h->topo.online));
	assert_int_equal(h->ncpus, h->topo.npus);
	assert_int_equal(idset_count(&h->topo.online), h->topo.npus);
}

/* ---- hwloc as the oracle --------------------------------------------------- */

static bool have_lstopo(void)
{
	int st = -1;
	char *out = tu_run("command -v lstopo-no-graphics >/dev/null 2>&1", &st);

	free(out);
	return st == 0;
}

/* lstopo's XML for @root (NULL: the live host); NULL when lstopo fails. */
static char *lstopo_xml(const char *root)
{
	char cmd[8192];
	char *out;
	int st = -1;

	if (root)
		snprintf(cmd, sizeof(cmd),
			 "HWLOC_FSROOT='%s' HWLOC_COMPONENTS=linux,stop "
			 "HWLOC_KEEP_NVIDIA_GPU_NUMA_NODES=1 HWLOC_HIDE_ERRORS=2 "
			 "lstopo-no-graphics --no-io --of xml - 2>/dev/null",
			 root);
	else
		snprintf(cmd, sizeof(cmd),
			 "env -u HWLOC_FSROOT -u HWLOC_XMLFILE -u HWLOC_SYNTHETIC "
			 "lstopo-no-graphics --no-io --disallowed --of xml - 2>/dev/null");
	out = tu_run(cmd, &st);
	if (st != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static unsigned xml_count(const char *xml, const char *type)
{
	char pat[64];
	unsigned n = 0;

	snprintf(pat, sizeof(pat), "<object type=\"%s\"", type);
	for (const char *p = strstr(xml, pat); p; p = strstr(p + 1, pat))
		n++;
	return n;
}

/*
 * Each NUMA node that hwloc keeps has the CPUs hvtune lists for it: hwloc's
 * cpuset ("0x000000ff,0xffffffff") as a kernel mask.  CPU-less nodes are
 * skipped: hwloc gives them their neighbours' CPUs as locality.
 */
static void assert_nodes_like_hwloc(const struct host *h, const char *xml)
{
	static const char pat[] = "<object type=\"NUMANode\" os_index=\"";

	for (const char *p = strstr(xml, pat); p; p = strstr(p + 1, pat)) {
		char mask[2048], *m = mask, a[512], b[512];
		const char *q = strstr(p, "cpuset=\"");
		unsigned id = (unsigned)strtoul(p + strlen(pat), NULL, 10);
		const struct node *n = host_node(h, id);
		struct err e = ERR_INIT;
		struct idset hw;

		assert_non_null(q);
		assert_non_null(n);
		if (idset_empty(&n->cpus))
			continue;
		/* each "0x..." group is one 32-bit word; hwloc drops leading zeros
		 * ("0x0") and writes an empty group for a zero word ("0xff,,0x0"),
		 * the kernel's format has 8 digits a word */
		for (q += 8;;) {
			size_t len = strcspn(q, ",\"");
			const char *w = len >= 2 && q[0] == '0' && q[1] == 'x' ? q + 2 : q;
			size_t wl = len - (size_t)(w - q);

			assert_true(wl <= 8 && m + 10 < mask + sizeof(mask));
			m += sprintf(m, "%s%.*s%.*s", m == mask ? "" : ",", (int)(8 - wl),
				     "00000000", (int)wl, w);
			q += len;
			if (*q != ',')
				break;
			q++;
		}
		*m = '\0';
		assert_ok(idset_parse_mask(&hw, mask, &e), e);
		if (!idset_equal(&hw, &n->cpus))
			fail_msg("node %u: hwloc %s, hvtune %s", id, fmt_set(&hw, a, sizeof(a)),
				 fmt_set(&n->cpus, b, sizeof(b)));
	}
}

/*
 * Packages, cores, PUs, NUMA nodes, L3 and dies as lstopo counts them.  The
 * exception: where the kernel gives no package id (POWER LPAR), hwloc makes
 * packages from the device tree and we report none.
 */
static void assert_like_lstopo(const struct host *h, const char *root)
{
	char *xml = lstopo_xml(root);
	unsigned dies;

	if (!xml)
		fail_msg("lstopo-no-graphics failed on '%s'", root ? root : "/");
	assert_int_equal(xml_count(xml, "PU"), h->topo.npus);
	assert_int_equal(xml_count(xml, "Core"), h->topo.ncores);
	assert_int_equal(xml_count(xml, "NUMANode"), h->nnodes);
	assert_int_equal(xml_count(xml, "L3Cache"), h->topo.nl3);
	if (h->topo.npackages == 0) {
		assert_true(h->topo.packages_why[0] != '\0');
		assert_true(xml_count(xml, "Package") > 0);
	} else {
		assert_int_equal(xml_count(xml, "Package"), h->topo.npackages);
	}
	dies = xml_count(xml, "Die");
	if (dies > 0)
		assert_int_equal(dies, h->topo.ndies);
	if (!h->topo.numa_inconsistent[0])
		assert_nodes_like_hwloc(h, xml);
	free(xml);
}

/* ---- the real captures ------------------------------------------------------- */

struct want_node {
	unsigned id;
	const char *cpus;
	uint64_t mem_kib;  /* 0: unknown (no nodeN/meminfo) */
	const char *pools; /* "size:total/free/surplus ..." */
};

struct capture {
	const char *name;
	const char *source; /* "hwloc", or "sysfs" where hwloc rejects the tree */
	unsigned npus, ncores, npackages, ndies, nl3;
	const char *packages; /* the distinct package ids */
	const char *why;      /* in source_why, packages_why or distances_why */
	const char *smt;      /* "threads:cores ...": cores by their online threads */
	const char *l3;	      /* "PUs:groups ...": L3 groups by their PUs */
	const char *online, *offline, *present, *possible;
	const char *distances; /* rows in node-id order; NULL: unknown */
	const char *note;      /* in cores_note; NULL: none */
	size_t nnodes;
	struct want_node nodes[8];
};

#define P0 "2048:0/0/0 1048576:0/0/0"

/* The values come from each capture's EXPECTED.txt ([S] and [H] sections). */
static struct capture captures[] = {
    {"laptop-intel-i7-1370p-hybrid",
     "hwloc",
     20,
     14,
     1,
     1,
     1,
     "0",
     NULL,
     "1:8 2:6",
     "20:1",
     "0-19",
     "",
     "0-19",
     "0-19",
     "10",
     NULL,
     1,
     {{0, "0-19", 32489480, P0}}},
    {"desktop-amd-ryzen5-1600",
     "hwloc",
     12,
     6,
     1,
     1,
     2,
     "0",
     NULL,
     "2:6",
     "6:2",
     "0-11",
     "",
     "0-11",
     "",
     "10",
     NULL,
     1,
     {{0, "0-11", 0, ""}}},
    {"2s-intel-xeon-silver4108-smt",
     "hwloc",
     32,
     16,
     2,
     2,
     2,
     "0,1",
     NULL,
     "2:16",
     "16:2",
     "0-31",
     "32-111",
     "0-31",
     "0-111",
     "10 21 / 21 10",
     NULL,
     2,
     {{0, "0-7,16-23", 47925628, "2048:2048/2048/0 1048576:0/0/0"},
      {1, "8-15,24-31", 49519964, "2048:2048/2048/0 1048576:0/0/0"}}},
    {"4s-intel-xeon-e7-4870-r910",
     "hwloc",
     40,
     40,
     4,
     4,
     4,
     "0,1,2,3",
     NULL,
     "1:40",
     "10:4",
     "0-39",
     "40-79",
     "0-39",
     "0-79",
     "10 20 20 20 / 20 10 20 20 / 20 20 10 20 / 20 20 20 10",
     NULL,
     4,
     {{0, "0,4,8,12,16,20,24,28,32,36", 134204252, "2048:0/0/0"},
      {1, "1,5,9,13,17,21,25,29,33,37", 134217728, "2048:0/0/0"},
      {2, "2,6,10,14,18,22,26,30,34,38", 134217728, "2048:0/0/0"},
      {3, "3,7,11,15,19,23,27,31,35,39", 134217728, "2048:0/0/0"}}},
    {"4s-amd-opteron6272-r815-8n",
     "hwloc",
     64,
     64,
     4,
     4,
     8,
     "0,1,2,3",
     NULL,
     "1:64",
     "8:8",
     "0-63",
     "",
     "0-63",
     "0-63",
     "10 16 16 22 16 22 16 22 / 16 10 22 16 16 22 22 16 / 16 22 10 16 16 16 16 16 / "
     "22 16 16 10 16 16 22 22 / 16 16 16 16 10 16 16 22 / 22 22 16 16 16 10 22 16 / "
     "16 22 16 22 16 22 10 16 / 22 16 16 22 22 16 16 10",
     "as 0-1 but hwloc counts each as a core",
     8,
     {{0, "0-7", 16428452, "2048:0/0/0"},
      {1, "8-15", 16513896, "2048:0/0/0"},
      {2, "32-39", 16513900, "2048:0/0/0"},
      {3, "40-47", 16513892, "2048:0/0/0"},
      {4, "48-55", 16513900, "2048:0/0/0"},
      {5, "56-63", 16513896, "2048:0/0/0"},
      {6, "16-23", 16513900, "2048:0/0/0"},
      {7, "24-31", 16496940, "2048:0/0/0"}}},
    {"2s-amd-epyc-rome-nps1",
     "hwloc",
     64,
     32,
     2,
     8,
     8,
     "0,1",
     NULL,
     "2:32",
     "8:8",
     "0-63",
     "",
     "0-63",
     "",
     "10 32 / 32 10",
     NULL,
     2,
     {{0, "0-15,32-47", 0, P0}, {1, "16-31,48-63", 0, P0}}},
    {"arm64-kunpeng920-128c",
     "hwloc",
     128,
     128,
     2,
     2,
     4,
     "36,8442",
     NULL,
     "1:128",
     "32:4",
     "0-127",
     "",
     "0-127",
     "0-127",
     "10 16 32 33 / 16 10 25 32 / 32 25 10 16 / 33 32 16 10",
     NULL,
     4,
     {{0, "0-31", 131732940, "64:0/0/0 2048:0/0/0 32768:0/0/0 1048576:0/0/0"},
      {1, "32-63", 132117940, "64:0/0/0 2048:0/0/0 32768:0/0/0 1048576:0/0/0"},
      {2, "64-95", 132117936, "64:0/0/0 2048:0/0/0 32768:0/0/0 1048576:0/0/0"},
      {3, "96-127", 131062408, "64:0/0/0 2048:0/0/0 32768:0/0/0 1048576:0/0/0"}}},
    {"ppc64-power7-256t",
     "hwloc",
     256,
     64,
     0,
     0,
     64,
     "",
     "physical_package_id is -1",
     "4:64",
     "4:64",
     "0-255",
     "",
     "0-255",
     "",
     "10 20 40 40 40 40 40 40 / 20 10 40 40 40 40 40 40 / 40 40 10 20 40 40 40 40 / "
     "40 40 20 10 40 40 40 40 / 40 40 40 40 10 20 40 40 / 40 40 40 40 20 10 40 40 / "
     "40 40 40 40 40 40 10 20 / 40 40 40 40 40 40 20 10",
     NULL,
     8,
     {{0, "0-31", 58458112, ""},
      {1, "32-63", 66322432, ""},
      {4, "64-95", 66846720, ""},
      {5, "96-127", 67108864, ""},
      {8, "128-159", 66846720, ""},
      {9, "160-191", 67108864, ""},
      {12, "192-223", 66846720, ""},
      {13, "224-255", 56885248, ""}}},
    {"ppc64-power8-subcores-offline",
     "sysfs",
     8,
     8,
     4,
     4,
     0,
     "0,1,16,17",
     "hwloc rejected the tree",
     "1:8",
     "",
     "0,8,16,24,32,48,96,136",
     "1-7,9-15,17-23,25-31,33-47,49-95,97-135,137-159",
     "0-159",
     "",
     NULL,
     NULL,
     4,
     {{0, "0,8,16,24,32", 67108864, ""},
      {1, "48", 67108864, ""},
      {16, "96", 67108864, ""},
      {17, "136", 67108864, ""}}},
    {"ppc64-power9-v100-gpumem-nodes",
     "hwloc",
     32,
     8,
     2,
     2,
     4,
     "0,8",
     NULL,
     "4:8",
     "8:4",
     "0-15,88-103",
     "",
     "0-15,88-103",
     "0-175",
     "10 40 80 80 80 80 80 80 / 40 10 80 80 80 80 80 80 / 80 80 10 80 80 80 80 80 / "
     "80 80 80 10 80 80 80 80 / 80 80 80 80 10 80 80 80 / 80 80 80 80 80 10 80 80 / "
     "80 80 80 80 80 80 10 80 / 80 80 80 80 80 80 80 10",
     NULL,
     8,
     {{0, "0-15", 129839104, P0},
      {8, "88-103", 133952000, P0},
      {250, "", 15728640, P0},
      {251, "", 15728640, P0},
      {252, "", 15728640, P0},
      {253, "", 15728640, P0},
      {254, "", 15728640, P0},
      {255, "", 15728640, P0}}},
};

static void check_capture(const struct capture *c, const struct host *h)
{
	char buf[1024];
	const char *whys[] = {h->topo.source_why, h->topo.packages_why, h->topo.distances_why};
	bool found = false;

	assert_string_equal(h->topo.source, c->source);
	assert_int_equal(h->topo.npus, c->npus);
	assert_int_equal(h->topo.ncores, c->ncores);
	assert_int_equal(h->topo.npackages, c->npackages);
	assert_int_equal(h->topo.ndies, c->ndies);
	assert_int_equal(h->topo.nl3, c->nl3);
	assert_string_equal(fmt_packages(h, buf, sizeof(buf)), c->packages);
	assert_string_equal(fmt_groups(h, false, buf, sizeof(buf)), c->smt);
	assert_string_equal(fmt_groups(h, true, buf, sizeof(buf)), c->l3);
	assert_string_equal(fmt_set(&h->topo.online, buf, sizeof(buf)), c->online);
	assert_string_equal(fmt_set(&h->topo.offline, buf, sizeof(buf)), c->offline);
	assert_string_equal(fmt_set(&h->topo.present, buf, sizeof(buf)), c->present);
	assert_string_equal(fmt_set(&h->topo.possible, buf, sizeof(buf)), c->possible);
	if (strcmp(c->source, "sysfs") != 0)
		assert_string_equal(h->topo.source_why, "");
	if (c->npackages == 0)
		assert_true(h->topo.packages_why[0] != '\0');
	for (size_t i = 0; i < ARRAY_LEN(whys) && c->why; i++)
		found |= strstr(whys[i], c->why) != NULL;
	if (c->why && !found)
		fail_msg("no reason says '%s' (source: '%s', packages: '%s', distances: '%s')",
			 c->why, h->topo.source_why, h->topo.packages_why, h->topo.distances_why);
	if (c->distances) {
		assert_non_null(h->topo.distances);
		assert_string_equal(fmt_distances(h, buf, sizeof(buf)), c->distances);
		assert_string_equal(h->topo.distances_why, "");
	} else {
		assert_null(h->topo.distances);
		assert_true(h->topo.distances_why[0] != '\0');
	}
	if (c->note)
		assert_non_null(strstr(h->topo.cores_note, c->note));
	else
		assert_string_equal(h->topo.cores_note, "");
	assert_string_equal(h->topo.nodes_why, "");
	assert_string_equal(h->topo.numa_inconsistent, "");
	assert_int_equal(h->nnodes, c->nnodes);
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct node *n = &h->nodes[i];
		const struct want_node *w = &c->nodes[i];

		assert_int_equal(n->id, w->id);
		assert_string_equal(fmt_set(&n->cpus, buf, sizeof(buf)), w->cpus);
		assert_int_equal(n->mem_known, w->mem_kib != 0);
		assert_int_equal(n->mem_total_kib, w->mem_kib);
		assert_string_equal(fmt_pools(n, buf, sizeof(buf)), w->pools);
	}
	assert_consistent(h);
}

static void rm_unpacked(const char *root)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", root);
	tu_rmtree(dirname(dir)); /* the temporary directory holding <host>/ */
}

/*
 * Every CPU's SMT siblings are the kernel's thread_siblings (where the tree
 * has them): the unit SMT policies share, also on AMD modules where hwloc
 * counts two cores.
 */
static void assert_smt_is_kernels(const struct host *h, const char *root)
{
	struct fsroot r = FSROOT_INIT;
	struct err e = ERR_INIT;

	assert_ok(fsroot_open(&r, root, &e), e);
	for (size_t i = 0; i < h->ncpus; i++) {
		char path[128], a[256], b[256];
		struct idset want, got = host_siblings(h, h->cpus[i].id);

		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%u/topology/thread_siblings_list",
			 h->cpus[i].id);
		if (fs_read_idset(&r, path, &want, &e) < 0)
			continue;
		idset_and(&want, &h->topo.online);
		if (!idset_equal(&want, &got))
			fail_msg("cpu%u: SMT siblings %s, the kernel's %s", h->cpus[i].id,
				 fmt_set(&got, a, sizeof(a)), fmt_set(&want, b, sizeof(b)));
	}
	fsroot_close(&r);
}

static void test_capture(void **state)
{
	const struct capture *c = *state;
	struct err e = ERR_INIT;
	char root[4096];
	struct host h;

	printf("capture '%s'\n", c->name);
	if (!tu_unpack_host(c->name, root, sizeof(root)))
		skip();
	assert_ok(probe(&h, root, &e), e);
	check_capture(c, &h);
	assert_smt_is_kernels(&h, root);
	if (have_lstopo()) {
		if (strcmp(c->source, "hwloc") == 0)
			assert_like_lstopo(&h, root);
		else
			assert_null(lstopo_xml(root)); /* the reason we fell back */
	}
	host_release(&h);
	rm_unpacked(root);
}

/* ---- synthetic trees ------------------------------------------------------------ */

struct synth {
	unsigned packages, nodes_per_package, cores_per_node, threads, l3_per_node;
	bool adjacent;
	unsigned huge_2m, huge_1g;
	unsigned mem_gib; /* per node; 0: gentree_default()'s 16 */
	bool no_caches;	  /* no cpuN/cache directories */
};

static const struct synth synths[] = {
    {1, 1, 4, 1, 1, false, 0, 0, 0, false}, {1, 1, 4, 2, 1, false, 16, 0, 0, false},
    {2, 1, 8, 2, 1, false, 0, 2, 0, false}, {1, 4, 4, 2, 2, true, 512, 1, 0, false},
    {2, 2, 6, 4, 3, false, 0, 0, 0, false}, {2, 4, 2, 2, 2, true, 64, 4, 0, false},
    {4, 2, 4, 1, 1, false, 0, 0, 0, false}, {1, 2, 4, 4, 2, true, 8, 0, 0, false},
};

/* The CPUs of node @n of @s, computed here independently of gentree. */
static void synth_node_cpus(const struct synth *s, unsigned n, struct idset *cpus)
{
	unsigned ncores = s->packages * s->nodes_per_package * s->cores_per_node;

	idset_clear(cpus);
	for (unsigned k = n * s->cores_per_node; k < (n + 1) * s->cores_per_node; k++)
		for (unsigned t = 0; t < s->threads; t++)
			idset_add(cpus, s->adjacent ? k * s->threads + t : t * ncores + k);
}

static void synth_write(const struct synth *s, char *dir, size_t size)
{
	struct gentree_spec spec;
	struct err e = ERR_INIT;

	gentree_default(&spec);
	spec.npackages = s->packages;
	spec.nodes_per_package = s->nodes_per_package;
	spec.cores_per_node = s->cores_per_node;
	spec.threads_per_core = s->threads;
	spec.l3_per_node = s->l3_per_node;
	spec.smt_adjacent = s->adjacent;
	spec.hugepages_2m = s->huge_2m;
	spec.hugepages_1g = s->huge_1g;
	spec.no_caches = s->no_caches;
	tu_tmpdir(dir, size);
	assert_ok(gentree_write(dir, &spec, &e), e);
}

static void check_synth(const struct synth *s, const struct host *h)
{
	unsigned nnodes = s->packages * s->nodes_per_package;
	unsigned ncores = nnodes * s->cores_per_node;
	uint64_t mem_kib = (uint64_t)(s->mem_gib ? s->mem_gib : 16) << 20;
	char buf[1024], want[256];

	assert_int_equal(h->topo.npus, ncores * s->threads);
	assert_int_equal(h->topo.ncores, ncores);
	assert_int_equal(h->topo.npackages, s->packages);
	assert_int_equal(h->topo.ndies, nnodes);
	snprintf(want, sizeof(want), "%u:%u", s->threads, ncores);
	assert_string_equal(fmt_groups(h, false, buf, sizeof(buf)), want);
	if (s->no_caches) {
		/* under --root, never this machine's CPUID */
		assert_int_equal(h->topo.nl3, 0);
		assert_non_null(strstr(h->topo.l3_why, "the kernel exports no caches"));
		assert_non_null(strstr(h->topo.l3_why, "CPUID is not read"));
		for (size_t i = 0; i < h->ncpus; i++)
			assert_int_equal(h->cpus[i].l3, -1);
	} else {
		assert_int_equal(h->topo.nl3, nnodes * s->l3_per_node);
		assert_string_equal(h->topo.l3_why, "");
		snprintf(want, sizeof(want), "%u:%u",
			 s->cores_per_node / s->l3_per_node * s->threads, nnodes * s->l3_per_node);
		assert_string_equal(fmt_groups(h, true, buf, sizeof(buf)), want);
	}
	assert_int_equal(h->nnodes, nnodes);
	snprintf(want, sizeof(want), "2048:%u/%u/0 1048576:%u/%u/0", s->huge_2m, s->huge_2m,
		 s->huge_1g, s->huge_1g);
	for (unsigned n = 0; n < nnodes; n++) {
		struct idset cpus;

		synth_node_cpus(s, n, &cpus);
		assert_int_equal(h->nodes[n].id, n);
		assert_true(idset_equal(&h->nodes[n].cpus, &cpus));
		assert_true(h->nodes[n].mem_known);
		assert_int_equal(h->nodes[n].mem_total_kib, mem_kib);
		assert_int_equal(h->nodes[n].mem_free_kib, mem_kib / 4 * 3);
		assert_string_equal(fmt_pools(&h->nodes[n], buf, sizeof(buf)), want);
		for (unsigned m = 0; m < nnodes; m++)
			assert_int_equal(h->topo.distances[n * nnodes + m], n == m ? 10 : 21);
	}
	/* the siblings of a CPU are its core's threads */
	for (size_t i = 0; i < h->ncpus; i++) {
		struct idset sib = host_siblings(h, h->cpus[i].id);

		assert_int_equal(idset_count(&sib), s->threads);
		assert_int_equal(h->cpus[i].package, h->cpus[i].node / (int)s->nodes_per_package);
	}
	assert_consistent(h);
}

/* Two CPUs share a core (an L3, a package, a node) in @a exactly when they do in @b. */
static void assert_same_shape(const struct host *a, const struct host *b)
{
	assert_int_equal(a->ncpus, b->ncpus);
	for (size_t i = 0; i < a->ncpus; i++) {
		assert_int_equal(a->cpus[i].id, b->cpus[i].id);
		assert_int_equal(a->cpus[i].node, b->cpus[i].node);
		assert_int_equal(a->cpus[i].package, b->cpus[i].package);
		for (size_t j = 0; j < i; j++) {
			assert_int_equal(a->cpus[i].core == a->cpus[j].core,
					 b->cpus[i].core == b->cpus[j].core);
			assert_int_equal(a->cpus[i].l3 == a->cpus[j].l3,
					 b->cpus[i].l3 == b->cpus[j].l3);
		}
	}
}

/* The hex masks hwloc 2.9 needs: without them it rejects the tree (like power8's). */
static void drop_masks(const char *dir)
{
	char cmd[4400];
	char *out;
	int st = -1;

	snprintf(cmd, sizeof(cmd),
		 "find '%s/sys/devices/system/cpu' -path '*/topology/*' \\( "
		 "-name thread_siblings -o -name core_siblings -o -name core_cpus "
		 "-o -name package_cpus -o -name die_cpus \\) -delete",
		 dir);
	out = tu_run(cmd, &st);
	free(out);
	assert_int_equal(st, 0);
}

/* Every shape twice: with cache directories, and without (a VM hiding them). */
static void test_synthetic(void **state)
{
	bool lstopo = have_lstopo();
	(void)state;

	for (size_t i = 0; i < 2 * ARRAY_LEN(synths); i++) {
		struct synth s = synths[i % ARRAY_LEN(synths)];
		struct err e = ERR_INIT;
		struct host h, fb;
		char dir[4096];

		s.no_caches = i >= ARRAY_LEN(synths);
		synth_write(&s, dir, sizeof(dir));
		assert_ok(probe(&h, dir, &e), e);
		assert_string_equal(h.topo.source, "hwloc");
		assert_string_equal(h.topo.source_why, "");
		check_synth(&s, &h);
		if (lstopo)
			assert_like_lstopo(&h, dir);

		/* the same tree through our own reader */
		drop_masks(dir);
		assert_ok(probe(&fb, dir, &e), e);
		assert_string_equal(fb.topo.source, "sysfs");
		assert_non_null(strstr(fb.topo.source_why, "hwloc rejected the tree"));
		check_synth(&s, &fb);
		assert_same_shape(&h, &fb);
		host_release(&h);
		host_release(&fb);
		tu_rmtree(dir);
	}
}

/* A kernel without CONFIG_NUMA: one node 0, said so. */
static void test_no_numa(void **state)
{
	struct gentree_spec spec;
	struct err e = ERR_INIT;
	char dir[4096];
	struct host h;
	(void)state;

	gentree_default(&spec);
	spec.no_numa = true;
	spec.hugepages_2m = 10;
	tu_tmpdir(dir, sizeof(dir));
	assert_ok(gentree_write(dir, &spec, &e), e);
	{
		/* the whole probe: node 0's memory and pools are the host's, as hwloc's */
		struct fsroot r = FSROOT_INIT;
		char *xml = have_lstopo() ? lstopo_xml(dir) : NULL;
		char want[64];

		assert_ok(fsroot_open(&r, dir, &e), e);
		assert_ok(host_probe(&h, &r, &e), e);
		fsroot_close(&r);
		assert_true(h.nodes[0].mem_known);
		assert_int_equal(h.nodes[0].mem_total_kib, h.mem.total_kib);
		assert_int_equal(h.nodes[0].mem_free_kib, h.mem.free_kib);
		assert_int_equal(h.nodes[0].npools, 2);
		assert_int_equal(h.nodes[0].pools[0].size_kib, 2048);
		assert_int_equal(h.nodes[0].pools[0].total, 10);
		if (xml) {
			snprintf(want, sizeof(want), "local_memory=\"%" PRIu64 "\"",
				 h.nodes[0].mem_total_kib * 1024);
			assert_non_null(strstr(xml, want));
			assert_non_null(strstr(xml, "<page_type size=\"2097152\" count=\"10\"/>"));
			free(xml);
		}
		host_release(&h);
	}
	for (int pass = 0; pass < 2; pass++) {
		assert_ok(probe(&h, dir, &e), e);
		assert_string_equal(h.topo.source, pass ? "sysfs" : "hwloc");
		assert_int_equal(h.nnodes, 1);
		assert_int_equal(h.nodes[0].id, 0);
		assert_int_equal(idset_count(&h.nodes[0].cpus), 8);
		assert_false(h.nodes[0].mem_known);
		assert_non_null(strstr(h.topo.nodes_why, "a kernel without NUMA"));
		assert_null(h.topo.distances);
		assert_non_null(strstr(h.topo.distances_why, "no NUMA in the kernel"));
		assert_consistent(&h);
		host_release(&h);
		drop_masks(dir);
	}
	tu_rmtree(dir);
}

/* A big host: 8 nodes, 256 PUs, both readers agree. */
static void test_big_tree(void **state)
{
	static const struct synth big = {2, 4, 16, 2, 2, true, 100, 2, 32, false};
	const char *gentree = getenv("HVTUNE_GENTREE");
	struct err e = ERR_INIT;
	struct host h, fb;
	char dir[4096], cmd[8400];
	char *out;
	int st = -1;
	(void)state;

	if (!gentree || !*gentree) {
		tu_skip_msg("HVTUNE_GENTREE is not set: no gentree command to run");
		skip();
	}
	tu_tmpdir(dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd),
		 "'%s' --packages 2 --nodes-per-package 4 --cores-per-node 16 --threads 2 "
		 "--l3-per-node 2 --smt-adjacent --hugepages-2m 100 --hugepages-1g 2 --mem-gib 32 "
		 "'%s' 2>&1",
		 gentree, dir);
	out = tu_run(cmd, &st);
	if (st != 0)
		fail_msg("gentree failed (%d): %s", st, out ? out : "");
	free(out);
	assert_ok(probe(&h, dir, &e), e);
	check_synth(&big, &h);
	assert_int_equal(h.ncpus, 256);
	drop_masks(dir);
	assert_ok(probe(&fb, dir, &e), e);
	check_synth(&big, &fb);
	assert_same_shape(&h, &fb);
	host_release(&h);
	host_release(&fb);
	tu_rmtree(dir);
}

/* gentree's command line: help, and usage errors with exit code 2. */
static void test_gentree_usage(void **state)
{
	static const struct {
		const char *args;
		int status;
		const char *out;
	} cases[] = {
	    {"--help", 0, "usage: gentree [options] DIR"},
	    {"", 2, "usage: gentree"},
	    {"--threads 0 /tmp/x", 2, "invalid --threads '0' (a number from 1 to 8)"},
	    {"--packages x /tmp/x", 2, "invalid --packages 'x'"},
	    {"--bogus /tmp/x", 2, "usage: gentree"},
	    {"--cores-per-node 3 --l3-per-node 2 /nonexistent-hvtune/x", 1, "cannot make"},
	};
	const char *gentree = getenv("HVTUNE_GENTREE");
	(void)state;

	if (!gentree || !*gentree) {
		tu_skip_msg("HVTUNE_GENTREE is not set: no gentree command to run");
		skip();
	}
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char cmd[4400];
		char *out;
		int st = -1;

		snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1", gentree, cases[i].args);
		out = tu_run(cmd, &st);
		assert_non_null(out);
		assert_int_equal(st, cases[i].status);
		if (!strstr(out, cases[i].out))
			fail_msg("'gentree %s' said '%s', not '%s'", cases[i].args, out,
				 cases[i].out);
		free(out);
	}
}

/* A spec gentree cannot build is an error, not a tree. */
static void test_gentree_bad_spec(void **state)
{
	struct gentree_spec spec;
	struct err e = ERR_INIT;
	(void)state;

	gentree_default(&spec);
	spec.cores_per_node = 3;
	spec.l3_per_node = 2;
	assert_int_equal(gentree_write("/tmp", &spec, &e), -1);
	assert_string_equal(e.msg,
			    "invalid tree spec: 3 cores per node do not split into 2 L3 groups");
	gentree_default(&spec);
	spec.threads_per_core = 0;
	assert_int_equal(gentree_write("/tmp", &spec, &e), -1);
	assert_non_null(strstr(e.msg, "must be at least 1"));
	gentree_default(&spec);
	assert_int_equal(gentree_write("/nonexistent-hvtune-dir", &spec, &e), -1);
	assert_string_equal(e.msg, "cannot use '/nonexistent-hvtune-dir' for a tree: "
				   "No such file or directory");
}

/* Our HWLOC_* settings do not leak, and the user's do not leak in. */
static void test_environment_restored(void **state)
{
	static const char *const vars[][2] = {
	    {"HWLOC_FSROOT", "/nonexistent-hvtune-root"},
	    {"HWLOC_COMPONENTS", "x86"},
	    {"HWLOC_XMLFILE", "/nonexistent-hvtune.xml"},
	    {"HWLOC_SYNTHETIC", "node:2 core:2 pu:2"},
	};
	struct gentree_spec spec;
	struct err e = ERR_INIT;
	char dir[4096];
	struct host h;
	(void)state;

	gentree_default(&spec);
	tu_tmpdir(dir, sizeof(dir));
	assert_ok(gentree_write(dir, &spec, &e), e);
	for (size_t i = 0; i < ARRAY_LEN(vars); i++)
		setenv(vars[i][0], vars[i][1], 1);
	unsetenv("HWLOC_HIDE_ERRORS");
	assert_ok(probe(&h, dir, &e), e);
	assert_string_equal(h.topo.source, "hwloc");
	assert_int_equal(h.topo.npus, 8);
	assert_int_equal(h.nnodes, 1);
	for (size_t i = 0; i < ARRAY_LEN(vars); i++) {
		assert_string_equal(getenv(vars[i][0]), vars[i][1]);
		unsetenv(vars[i][0]);
	}
	assert_null(getenv("HWLOC_HIDE_ERRORS"));
	assert_null(getenv("HWLOC_USE_NUMA_DISTANCES"));
	host_release(&h);
	tu_rmtree(dir);
}

/* ---- the live host -------------------------------------------------------------- */

/* Whether the live kernel lists caches for CPU @id (some VMs hide them). */
static bool live_caches(int id)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cache/index0", id);
	return access(path, F_OK) == 0;
}

static void test_live_host(void **state)
{
	struct err e = ERR_INIT;
	struct fsroot r = FSROOT_INIT;
	struct idset online;
	struct host h;
	(void)state;

	assert_ok(fsroot_open(&r, "/", &e), e);
	if (fs_read_idset(&r, "/sys/devices/system/cpu/online", &online, &e) < 0) {
		fsroot_close(&r);
		tu_skip_msg("no /sys/devices/system/cpu/online here: %s", e.msg);
		skip();
	}
	fsroot_close(&r);
	assert_ok(probe(&h, "/", &e), e);
	/* hwloc reads a live Linux host; where it cannot (a container hiding
	 * sysfs topology) our reader did, and says why */
	if (strcmp(h.topo.source, "hwloc") != 0)
		assert_true(h.topo.source_why[0] != '\0');
	assert_true(idset_equal(&h.topo.online, &online));
	assert_true(h.nnodes >= 1);
	assert_true(h.topo.ncores >= 1 && h.topo.ncores <= h.topo.npus);
	for (size_t i = 0; i < h.nnodes; i++)
		if (h.nodes[i].mem_known)
			assert_true(h.nodes[i].mem_total_kib > 0);
	assert_consistent(&h);
	/* a kernel that exports no caches: L3 from CPUID, said so, or unknown and why */
	if (h.topo.nl3 == 0)
		assert_true(h.topo.l3_why[0] != '\0');
	else if (!live_caches(idset_next(&online, 0)))
		assert_string_equal(h.topo.source_why,
				    "L3 from CPUID: the kernel exports no caches");
	if (have_lstopo() && strcmp(h.topo.source, "hwloc") == 0)
		assert_like_lstopo(&h, NULL);
	host_release(&h);
}

/* ---- bad input -------------------------------------------------------------------- */

/* A small tree to break: 1 node, 4 cores, 8 PUs. */
static void small_tree(char *dir, size_t size, bool masks)
{
	struct gentree_spec spec;
	struct err e = ERR_INIT;

	gentree_default(&spec);
	tu_tmpdir(dir, size);
	assert_ok(gentree_write(dir, &spec, &e), e);
	if (!masks)
		drop_masks(dir);
}

static void put_file(const char *dir, const char *path, const char *content)
{
	struct err e = ERR_INIT;

	assert_ok(gentree_file(dir, path, content, &e), e);
}

static void test_root_missing(void **state)
{
	(void)state;
	assert_fails("/nonexistent-hvtune-root", "cannot open root '/nonexistent-hvtune-root'");
}

static void test_no_cpus(void **state)
{
	char dir[4096], want[4200];
	struct err e = ERR_INIT;
	(void)state;

	tu_tmpdir(dir, sizeof(dir));
	snprintf(want, sizeof(want), "no CPUs: no '%s/sys/devices/system/cpu'", dir);
	assert_fails(dir, want);
	assert_ok(gentree_mkdir(dir, "/sys/devices/system/cpu", &e), e);
	snprintf(want, sizeof(want), "no online CPU in '%s/sys/devices/system/cpu'", dir);
	assert_fails(dir, want);
	tu_rmtree(dir);
}

static void test_no_node_dirs(void **state)
{
	char dir[4096], want[4200], cmd[4400];
	char *out;
	int st = -1;
	(void)state;

	small_tree(dir, sizeof(dir), true);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/sys/devices/system/node/node0'", dir);
	out = tu_run(cmd, &st);
	free(out);
	assert_int_equal(st, 0);
	snprintf(want, sizeof(want), "no NUMA node in '%s/sys/devices/system/node'", dir);
	assert_fails(dir, want);
	tu_rmtree(dir);
}

/* The content of @dir@path (caller free()s), or NULL when it has none. */
static char *slurp(const char *dir, const char *path)
{
	char full[4400];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", dir, path);
	f = fopen(full, "r");
	if (!f)
		return NULL;
	for (;;) {
		char *p = realloc(buf, len + 4097);
		size_t n;

		assert_non_null(p);
		buf = p;
		n = fread(buf + len, 1, 4096, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/*
 * Writes @content to @dir@path, expects the probe of @dir to fail with
 * "<what> in '<dir><path>'", and puts the file back as it was.
 */
/*
 * Garbage in @path: the probe still succeeds, the host stays consistent, and
 * where the fact is lost rather than read elsewhere, the reason says @what
 * about the file (NULL: another source stands in, as the cpuN directories do
 * for cpu/online).
 */
static void assert_garbage_unknown(const char *dir, const char *path, const char *content,
				   const char *what)
{
	char *old = slurp(dir, path);
	char want[4600];
	struct err e = ERR_INIT;
	struct host h;
	bool said = false;

	put_file(dir, path, content);
	if (probe(&h, dir, &e) < 0)
		fail_msg("'%s' holding '%s': the probe failed: %s", path, content, e.msg);
	assert_consistent(&h);
	if (what) {
		snprintf(want, sizeof(want), "%s in '%s%s'", what, dir, path);
		said = strstr(h.topo.distances_why, what) != NULL;
		for (size_t i = 0; i < h.nnodes; i++)
			said |=
			    strstr(h.nodes[i].mem_why, want) || strstr(h.nodes[i].pools_why, want);
		if (!said)
			fail_msg("'%s' holding '%s': no reason says '%s'", path, content, want);
	}
	host_release(&h);
	if (old) {
		put_file(dir, path, old);
	} else {
		snprintf(want, sizeof(want), "%s%s", dir, path);
		assert_int_equal(unlink(want), 0);
	}
	free(old);
}

/* Garbage where a value belongs: that fact unknown with the reason, or read
 * from another source; never the whole host, with either reader. */
static void test_garbage(void **state)
{
#define NODE0 "/sys/devices/system/node/node0"
	static const struct {
		const char *path, *content, *what;
	} cases[] = {
	    {"/sys/devices/system/cpu/online", "0-x\n", NULL},
	    {"/sys/devices/system/cpu/present", "seven\n", NULL},
	    {NODE0 "/cpulist", "0-3,zz\n", NULL},
	    {NODE0 "/distance", "10 x\n", "invalid distances '10 x'"},
	    {NODE0 "/meminfo", "Node 0 MemTotal: lots kB\n",
	     "invalid line 'Node 0 MemTotal: lots kB'"},
	    {NODE0 "/meminfo", "Node 1 MemTotal: 100 kB\nNode 1 MemFree: 1 kB\n",
	     "invalid line 'Node 1 MemTotal: 100 kB'"},
	    {NODE0 "/meminfo", "Node 0 MemFree: 100 kB\n", "no 'MemTotal'"},
	    {NODE0 "/meminfo", "Node 0 MemTotal: 100 kB\n", "no 'MemFree'"},
	    {NODE0 "/hugepages/hugepages-2048kB/nr_hugepages", "-1\n", "invalid number '-1'"},
	    {NODE0 "/hugepages/hugepages-2048kB/free_hugepages", "\n", "invalid number ''"},
	};
#undef NODE0
	char dir[4096], path[4200];
	struct err e = ERR_INIT;
	struct host h;
	(void)state;

	for (int masks = 1; masks >= 0; masks--) {
		small_tree(dir, sizeof(dir), masks);
		for (size_t i = 0; i < ARRAY_LEN(cases); i++)
			assert_garbage_unknown(dir, cases[i].path, cases[i].content, cases[i].what);
		/* put back as it was: the tree probes again */
		assert_ok(probe(&h, dir, &e), e);
		assert_string_equal(h.topo.source, masks ? "hwloc" : "sysfs");
		host_release(&h);
		if (!masks) {
			/* only our reader reads these: hwloc has the masks */
			assert_garbage_unknown(
			    dir, "/sys/devices/system/cpu/cpu1/topology/physical_package_id",
			    "one\n", NULL);
			assert_garbage_unknown(dir,
					       "/sys/devices/system/cpu/cpu2/cache/index3/level",
					       "three\n", NULL);
			/* without cpu/online the cpuN/online files say which CPUs are up */
			snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/online", dir);
			assert_int_equal(unlink(path), 0);
			assert_garbage_unknown(dir, "/sys/devices/system/cpu/cpu3/online", "2\n",
					       NULL);
		}
		tu_rmtree(dir);
	}
}

/* A directory where a file belongs: unreadable even for root. */
/* A directory or FIFO in place of a file is no kernel file: the fact is unknown
 * (and a FIFO never blocks the probe).  A file root cannot read is an error. */
static void test_unreadable(void **state)
{
	static const char *const paths[] = {
	    "/sys/devices/system/node/node0/meminfo",
	    "/sys/devices/system/node/node0/distance",
	    "/sys/devices/system/cpu/possible",
	};
	char dir[4096], full[4200], want[4300];
	(void)state;

	small_tree(dir, sizeof(dir), true);
	alarm(60); /* a blocked open() fails the test instead of stalling it */
	for (size_t i = 0; i < ARRAY_LEN(paths) * 2; i++) {
		const char *path = paths[i / 2];
		char *old = slurp(dir, path);
		struct err e = ERR_INIT;
		struct host h;

		assert_non_null(old);
		snprintf(full, sizeof(full), "%s%s", dir, path);
		assert_int_equal(unlink(full), 0);
		assert_int_equal(i % 2 ? mkfifo(full, 0644) : mkdir(full, 0755), 0);
		assert_ok(probe(&h, dir, &e), e);
		if (i / 2 == 0)
			assert_false(h.nodes[0].mem_known);
		if (i / 2 == 1) {
			assert_null(h.topo.distances);
			snprintf(want, sizeof(want), "'%s' is not a regular file", full);
			assert_string_equal(h.topo.distances_why, want);
		}
		if (i / 2 == 2)
			assert_true(idset_empty(&h.topo.possible));
		host_release(&h);
		assert_int_equal(i % 2 ? unlink(full) : rmdir(full), 0);
		put_file(dir, path, old);
		free(old);
	}
	alarm(0);
	if (geteuid() != 0) { /* root reads a mode-000 file anyway */
		snprintf(full, sizeof(full), "%s/sys/devices/system/node/node0/meminfo", dir);
		assert_int_equal(chmod(full, 0), 0);
		snprintf(want, sizeof(want), "cannot open '%s': Permission denied", full);
		assert_fails(dir, want);
	} else {
		tu_skip_msg("running as root: a mode-000 file is readable, that case is not run");
	}
	tu_rmtree(dir);
}

/* Absent files are unknowns, not errors. */
static void test_absent_is_unknown(void **state)
{
	char dir[4096], cmd[4400];
	struct err e = ERR_INIT;
	struct host h;
	char *out;
	int st = -1;
	(void)state;

	small_tree(dir, sizeof(dir), true);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s/sys/devices/system' && rm -rf node/node0/meminfo node/node0/distance "
		 "node/node0/hugepages cpu/possible cpu/offline",
		 dir);
	out = tu_run(cmd, &st);
	free(out);
	assert_int_equal(st, 0);
	assert_ok(probe(&h, dir, &e), e);
	assert_false(h.nodes[0].mem_known);
	assert_int_equal(h.nodes[0].npools, 0);
	assert_null(h.topo.distances);
	assert_non_null(strstr(h.topo.distances_why, "node0/distance'"));
	assert_true(idset_empty(&h.topo.possible));
	assert_true(idset_empty(&h.topo.offline)); /* present minus online */
	host_release(&h);
	tu_rmtree(dir);
}

/* A distance row shorter than the node list: unknown, not a guess. */
/*
 * Firmware NUMA bugs: nodes that claim the same CPUs (each CPU then belongs to
 * the first, as hwloc keeps the first node), or CPUs that are not present.
 */
static void test_numa_inconsistent(void **state)
{
	static const struct synth two = {2, 1, 2, 1, 1, false, 0, 0, 0, false};
	struct err e = ERR_INIT;
	char dir[4096];
	struct host h;
	(void)state;

	synth_write(&two, dir, sizeof(dir));
	assert_ok(probe(&h, dir, &e), e);
	assert_string_equal(h.topo.numa_inconsistent, "");
	host_release(&h);

	put_file(dir, "/sys/devices/system/node/node1/cpulist", "2-3,64\n");
	assert_ok(probe(&h, dir, &e), e);
	assert_string_equal(h.topo.numa_inconsistent,
			    "node 1 lists CPUs 64, which cannot exist (cpu/possible is 0-3)");
	host_release(&h);

	for (int n = 0; n < 2; n++) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", n);
		put_file(dir, path, "0-3\n");
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpumap", n);
		put_file(dir, path, "f\n");
	}
	assert_ok(probe(&h, dir, &e), e);
	assert_string_equal(h.topo.numa_inconsistent, "nodes 0-1 claim the same CPUs 0-3");
	assert_int_equal(h.nnodes, 2);
	for (size_t i = 0; i < h.ncpus; i++)
		assert_int_equal(h.cpus[i].node, 0);
	/* hwloc keeps node 0 alone, with every CPU */
	if (have_lstopo()) {
		char *xml = lstopo_xml(dir);

		assert_non_null(xml);
		assert_int_equal(xml_count(xml, "NUMANode"), 1);
		free(xml);
	}
	host_release(&h);
	tu_rmtree(dir);
}

/* The reason for unknown packages says what the tree has, not what it might. */
static void test_packages_why(void **state)
{
	static const struct synth one = {1, 1, 2, 2, 1, false, 0, 0, 0, false};
	char dir[4096], cmd[4200], *out;
	struct err e = ERR_INIT;
	struct host h;
	int st = -1;
	(void)state;

	synth_write(&one, dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd),
		 "for f in '%s'/sys/devices/system/cpu/cpu*/topology/"
		 "physical_package_id; do echo -1 >\"$f\"; done",
		 dir);
	out = tu_run(cmd, &st);
	free(out);
	assert_int_equal(st, 0);
	assert_ok(probe(&h, dir, &e), e);
	assert_int_equal(h.topo.npackages, 0);
	assert_string_equal(h.topo.packages_why,
			    "physical_package_id is -1 (firmware hides sockets, as in a POWER LPAR "
			    "or on s390); hwloc's 1 package comes from the CPU topology masks");
	host_release(&h);

	assert_ok(gentree_mkdir(dir, "/proc/device-tree/cpus", &e), e);
	assert_ok(probe(&h, dir, &e), e);
	assert_non_null(strstr(h.topo.packages_why, "comes from the device tree"));
	host_release(&h);

	snprintf(cmd, sizeof(cmd),
		 "rm '%s'/sys/devices/system/cpu/cpu*/topology/"
		 "physical_package_id",
		 dir);
	out = tu_run(cmd, &st);
	free(out);
	assert_int_equal(st, 0);
	assert_ok(probe(&h, dir, &e), e);
	assert_non_null(strstr(h.topo.packages_why, "no 'physical_package_id' in 'cpu0/topology'"));
	host_release(&h);
	tu_rmtree(dir);
}

static void test_distance_mismatch(void **state)
{
	static const struct synth two = {2, 1, 2, 1, 1, false, 0, 0, 0, false};
	struct err e = ERR_INIT;
	char dir[4096];
	struct host h;
	(void)state;

	synth_write(&two, dir, sizeof(dir));
	put_file(dir, "/sys/devices/system/node/node1/distance", "10\n");
	assert_ok(probe(&h, dir, &e), e);
	assert_null(h.topo.distances);
	assert_string_equal(h.topo.distances_why, "'node1/distance' has 1 values for 2 nodes");
	host_release(&h);
	tu_rmtree(dir);
}

#define CAPTURE(i)                                                                                 \
	{                                                                                          \
		"test_capture_" #i, test_capture, NULL, NULL, &captures[i]                         \
	}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    CAPTURE(0),
	    CAPTURE(1),
	    CAPTURE(2),
	    CAPTURE(3),
	    CAPTURE(4),
	    CAPTURE(5),
	    CAPTURE(6),
	    CAPTURE(7),
	    CAPTURE(8),
	    CAPTURE(9),
	    cmocka_unit_test(test_synthetic),
	    cmocka_unit_test(test_no_numa),
	    cmocka_unit_test(test_big_tree),
	    cmocka_unit_test(test_gentree_usage),
	    cmocka_unit_test(test_gentree_bad_spec),
	    cmocka_unit_test(test_environment_restored),
	    cmocka_unit_test(test_live_host),
	    cmocka_unit_test(test_root_missing),
	    cmocka_unit_test(test_no_cpus),
	    cmocka_unit_test(test_no_node_dirs),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_unreadable),
	    cmocka_unit_test(test_absent_is_unknown),
	    cmocka_unit_test(test_distance_mismatch),
	    cmocka_unit_test(test_numa_inconsistent),
	    cmocka_unit_test(test_packages_why),
	};
	static_assert(ARRAY_LEN(captures) == 10, "one CAPTURE() per capture");

	return cmocka_run_group_tests(tests, NULL, NULL);
}
