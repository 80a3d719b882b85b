/* plan_bench.c - the hvtune side of tests/bench/plan-vs-nova: a host literal, a profile, a stream
 *
 *   plan_bench (--host NODES:CORES:THREADS:MEM_GIB:FREE_1G[:adjacent][:L3] | --root DIR)
 *              --profile FILE (--describe | --requests FILE [--repeat N])
 *
 * --describe prints the host as the planner sees it (housekeeping excluded,
 * SMT siblings, the pages of each size each node can give under the
 * profile's capacity rule) as JSON, so the Nova side builds the same host.  Otherwise it
 * plans the stream as one batch and prints what was placed, how many cores
 * carry vCPUs of two VMs, and the time per VM (best of N runs).
 */
#include "planner/plan.h"
#include "planner/profile.h"
#include "tests/hostlit.h"
#include "tui/report/json_plan.h"
#include "probe/fsroot.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GIB_KIB (UINT64_C(1) << 20)

static int parse_host(struct hostlit_spec *s, const char *arg)
{
	char numbering[16] = "split";
	unsigned mem_gib, free_1g, l3 = 1;
	int n;

	hostlit_default(s);
	n = sscanf(arg, "%u:%u:%u:%u:%u:%15[a-z]:%u", &s->nnodes, &s->cores_per_node,
		   &s->threads_per_core, &mem_gib, &free_1g, numbering, &l3);
	if (n < 5 || s->nnodes == 0 || s->cores_per_node == 0 || s->threads_per_core == 0)
		return -1;
	s->numbering = strcmp(numbering, "adjacent") == 0 ? HOSTLIT_ADJACENT : HOSTLIT_SPLIT;
	s->l3_per_node = l3;
	s->mem_per_node_kib = (uint64_t)mem_gib * GIB_KIB;
	s->hp1g_total = free_1g;
	s->hp1g_free = free_1g;
	s->nodes_per_package = s->nnodes > 2 ? 2 : 1; /* two nodes a package: 2-level SLIT */
	s->distance_near = 12;
	s->distance_far = 32;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void describe(const struct host *h, const struct profile *pf, const struct plan *p)
{
	printf("{\"nodes\": [");
	for (size_t n = 0; n < h->nnodes; n++) {
		const struct node *nd = &h->nodes[n];
		uint64_t reserved = 0, keep = pf->host_reserved_memory_mib * 1024, res;
		bool first = true;

		for (size_t k = 0; k < nd->npools; k++)
			reserved += nd->pools[k].total * nd->pools[k].size_kib;
		res = nd->mem_known && nd->mem_total_kib > reserved + keep
			  ? nd->mem_total_kib - reserved - keep
			  : 0;
		/* pages of each size the node can give: the planner's capacity rule */
		printf("%s{\"id\": %u, \"pages\": {", n ? ", " : "", nd->id);
		for (size_t k = 0; k < nd->npools; k++)
			printf("%s\"%" PRIu64 "\": %" PRIu64, k ? ", " : "", nd->pools[k].size_kib,
			       nd->mem_known ? nd->pools[k].free + res / nd->pools[k].size_kib : 0);
		printf("}, \"pcpus\": [");
		for (size_t i = 0; i < h->ncpus; i++) {
			if (h->cpus[i].node != (int)nd->id ||
			    idset_has(&p->housekeeping, h->cpus[i].id))
				continue;
			printf("%s%u", first ? "" : ", ", h->cpus[i].id);
			first = false;
		}
		printf("], \"siblings\": [");
		first = true;
		for (size_t i = 0; i < h->ncpus; i++) {
			struct idset sib;
			bool lowest = true;

			if (h->cpus[i].node != (int)nd->id ||
			    idset_has(&p->housekeeping, h->cpus[i].id))
				continue;
			sib = host_siblings(h, h->cpus[i].id);
			for (int id = idset_next(&sib, 0); id >= 0 && lowest;
			     id = idset_next(&sib, (unsigned)id + 1))
				lowest = (unsigned)id >= h->cpus[i].id;
			if (!lowest)
				continue;
			printf("%s[", first ? "" : ", ");
			for (int id = idset_next(&sib, 0); id >= 0;
			     id = idset_next(&sib, (unsigned)id + 1))
				printf("%s%d", id == idset_next(&sib, 0) ? "" : ", ", id);
			printf("]");
			first = false;
		}
		printf("]}");
	}
	printf("]}\n");
}

/* Cores whose threads carry vCPUs of two VMs or more. */
static unsigned smt_shared(const struct host *h, const struct plan *p)
{
	unsigned shared = 0;
	int maxcore = 0;

	for (size_t i = 0; i < h->ncpus; i++)
		if (h->cpus[i].core > maxcore)
			maxcore = h->cpus[i].core;
	for (int core = 0; core <= maxcore; core++) {
		int owner = -1;
		bool two = false;

		for (size_t v = 0; v < p->nvms && !two; v++)
			for (size_t k = 0; k < p->vms[v].npins; k++) {
				if (host_cpu(h, p->vms[v].pins[k].cpu)->core != core)
					continue;
				if (owner >= 0 && owner != (int)v)
					two = true;
				owner = (int)v;
			}
		shared += two;
	}
	return shared;
}

int main(int argc, char **argv)
{
	const char *host_arg = NULL, *root = NULL, *profile = NULL, *requests = NULL;
	bool desc = false;
	int repeat = 5;
	struct hostlit_spec s;
	struct host h;
	struct profile pf;
	struct vm_request *vms = NULL;
	size_t nvms = 0, split = 0;
	struct plan p;
	struct err e = ERR_INIT;
	double best = 1e30;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--describe") == 0)
			desc = true;
		else if (i + 1 < argc && strcmp(argv[i], "--host") == 0)
			host_arg = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--root") == 0)
			root = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--profile") == 0)
			profile = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--requests") == 0)
			requests = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--repeat") == 0)
			repeat = atoi(argv[++i]);
		else
			goto usage;
	}
	if (!host_arg == !root || !profile || (!desc && !requests) || repeat < 1 ||
	    (host_arg && parse_host(&s, host_arg) < 0))
		goto usage;
	if (root) {
		struct fsroot r = FSROOT_INIT;

		if (fsroot_open(&r, root, &e) < 0 || host_probe(&h, &r, &e) < 0) {
			fprintf(stderr, "plan_bench: %s\n", e.msg);
			return 2;
		}
		fsroot_close(&r);
		if (h.ncpus == 0) {
			fprintf(stderr, "plan_bench: the probe read no CPUs under '%s'\n", root);
			return 2;
		}
	} else if (hostlit_build(&h, &s, &e) < 0) {
		fprintf(stderr, "plan_bench: %s\n", e.msg);
		return 2;
	}
	if (profile_find(&pf, profile, NULL, &e) < 0 ||
	    (requests && json_plan_read_requests(requests, &vms, &nvms, &e) < 0)) {
		fprintf(stderr, "plan_bench: %s\n", e.msg);
		return 2;
	}
	if (desc) {
		if (plan_compute(&h, &pf, NULL, 0, NULL, &p, &e) < 0) {
			fprintf(stderr, "plan_bench: %s\n", e.msg);
			return 2;
		}
		describe(&h, &pf, &p);
		plan_release(&p);
		host_release(&h);
		return 0;
	}
	for (int r = 0; r < repeat; r++) {
		double t0 = now_s(), t;

		if (plan_compute(&h, &pf, vms, nvms, NULL, &p, &e) < 0) {
			fprintf(stderr, "plan_bench: %s\n", e.msg);
			return 2;
		}
		t = now_s() - t0;
		if (t < best)
			best = t;
		if (r + 1 < repeat)
			plan_release(&p);
	}
	for (size_t v = 0; v < p.nvms; v++)
		split += p.vms[v].ncells > 1;
	printf("{\"placed\": %u, \"vms\": %zu, \"smt_shared\": %u, \"split\": %zu, "
	       "\"us_per_vm\": %.2f}\n",
	       p.nplaced, nvms, smt_shared(&h, &p), split, best * 1e6 / (double)(nvms ? nvms : 1));
	plan_release(&p);
	host_release(&h);
	free(vms);
	return 0;
usage:
	fputs(
	    "usage: plan_bench (--host NODES:CORES:THREADS:MEM_GIB:FREE_1G[:split|adjacent[:L3]]\n"
	    "                   | --root DIR)\n"
	    "                  --profile FILE (--describe | --requests FILE [--repeat N])\n",
	    stderr);
	return 2;
}
