/* plan.c - placing a batch of VMs: nodes, pCPUs, memory, and the host settings they need
 *
 * Policy, in order of precedence:
 *  1. Housekeeping CPUs (the first cores of each node, with their SMT
 *     siblings) and CPUs in @taken are never given to a VM.
 *  2. A VM that fits one node of the empty host is never split across nodes;
 *     a larger one takes the fewest nodes with the smallest distances.
 *  3. The batch is placed, not the arrival order: several orders are tried
 *     (largest first, NIC-bound first, most CPUs, most memory, smallest
 *     first, arrival) each followed by a bounded repair pass that swaps a
 *     placed VM out when that lets more VMs in.  The plan with the most VMs
 *     placed wins; ties go to more VMs on their NIC's node, then fewer split
 *     VMs, then fewer cores shared by two VMs.
 *  4. Within a node: the profile's SMT policy, L3-group best fit, then the
 *     lowest CPU ids, so the result is deterministic.
 * Memory capacity of a node for page size S: its free S-pages plus what can
 * still be reserved, MemTotal - host_reserved_memory_mib - every hugepage
 * pool's reservation (hugetlb pages come out of MemTotal, see
 * Documentation/admin-guide/mm/hugetlbpage.rst).
 */
#include "planner/plan_int.h"
#include "probe/strfmt.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const shortage_names[] = {"none",	  "cpus", "memory", "cpus+memory",
					     "page-size", "host", "request"};
static_assert(ARRAY_LEN(shortage_names) == SHORT_COUNT, "shortage_names");

const char *shortage_str(enum shortage s)
{
	return (unsigned)s < SHORT_COUNT ? shortage_names[s] : "?";
}

/* ---- small helpers ---- */

void plan_add_reason(char (*r)[PLAN_WHY_MAX], size_t *n, const char *fmt, ...)
{
	va_list ap;

	if (*n >= PLAN_MAX_REASONS) {
		/* say so rather than drop reasons silently */
		snprintf(r[PLAN_MAX_REASONS - 1], PLAN_WHY_MAX, "(more reasons left out)");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(r[*n], PLAN_WHY_MAX, fmt, ap);
	va_end(ap);
	(*n)++;
}

/* "1 GiB", "2 MiB"; "normal" for a VM without hugepages */
const char *plan_size_str(uint64_t kib, char *buf, size_t size)
{
	if (kib == 0) {
		snprintf(buf, size, "normal");
		return buf;
	}
	return strfmt_page_kib(kib, buf, size);
}

/* The list format of @s, on the heap (sized for the set, never truncated). */
char *plan_set_str(const struct idset *s)
{
	size_t size = 16 + 12 * (size_t)idset_count(s);
	char *buf = malloc(size);

	if (buf)
		idset_format(s, buf, size);
	return buf;
}

/* The kernel's hex mask format, 32-bit words, highest first ("ff,00000000"). */
char *plan_mask_str(const struct idset *s)
{
	int last = -1;
	size_t nwords, size;
	char *buf, *p;

	for (int id = idset_next(s, 0); id >= 0; id = idset_next(s, (unsigned)id + 1))
		last = id;
	nwords = last < 0 ? 1 : (size_t)last / 32 + 1;
	size = nwords * 9 + 1;
	buf = malloc(size);
	if (!buf)
		return NULL;
	p = buf;
	for (size_t w = nwords; w-- > 0;) {
		uint32_t word = 0;

		for (unsigned b = 0; b < 32; b++)
			if (idset_has(s, (unsigned)(w * 32 + b)))
				word |= UINT32_C(1) << b;
		p += snprintf(p, size - (size_t)(p - buf), w + 1 == nwords ? "%x" : "%08x", word);
		if (w > 0)
			*p++ = ',';
	}
	*p = '\0';
	return buf;
}

/* ---- the entry point ---- */

static void ctx_free(struct ctx *c)
{
	free(c->cores);
	free(c->cpu_core);
	free(c->node_first);
	free(c->node_ncores);
	free(c->node_hk);
	free(c->dist);
	free(c->pool_of);
	free(c->units0);
	free(c->vm);
	free(c->cell_off);
	free(c->split.buf);
	state_free(&c->st0);
}

void vm_request_release(struct vm_request *vm)
{
	free(vm->cells);
	memset(vm, 0, sizeof(*vm));
}

void plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
}

/* The plan's own reasons: housekeeping, how the batch was placed, and what was unknown. */
static void plan_reasons(const struct ctx *c, const struct result *res, const struct idset *taken,
			 struct plan *out)
{
	char buf[PLAN_WHY_MAX];

	plan_add_reason(
	    out->reasons, &out->nreasons,
	    "housekeeping CPUs %s: the first %u core(s) of each node with SMT siblings, "
	    "kept for the host kernel, IRQs%s",
	    idset_format(&out->housekeeping, buf, sizeof(buf)), c->pf->housekeeping_cores_per_node,
	    c->pf->emulator == EMU_HOUSEKEEPING ? " and emulator threads" : "");
	if (c->nvms > 0)
		plan_add_reason(
		    out->reasons, &out->nreasons,
		    "batch order: %s placed %u of %zu (arrival order alone: %u)%s%u repair "
		    "move(s)",
		    search_order_name(res->kind), res->o.placed, c->nvms, res->arrival,
		    res->moves ? ", after " : ", ", res->moves);
	if (!c->dist_known && c->nnodes > 1)
		plan_add_reason(out->reasons, &out->nreasons,
				"NUMA distances unknown (%s): remote nodes treated as equally far",
				c->h->topo.distances_why[0] ? c->h->topo.distances_why
							    : "not probed");
	{
		struct idset unknown;

		idset_clear(&unknown);
		for (size_t n = 0; n < c->nnodes; n++)
			if (!c->h->nodes[n].mem_known && c->node_ncores[n] > 0)
				idset_add(&unknown, c->h->nodes[n].id);
		if (!idset_empty(&unknown))
			plan_add_reason(
			    out->reasons, &out->nreasons,
			    "memory of node(s) %s unknown (no node meminfo): no VM memory is "
			    "bound there",
			    idset_format(&unknown, buf, sizeof(buf)));
	}
	if (taken && !idset_empty(taken))
		plan_add_reason(out->reasons, &out->nreasons,
				"CPUs %s are taken by VMs that are not re-planned",
				idset_format(taken, buf, sizeof(buf)));
}

static int compute(const struct host *h, const struct profile *pf, const struct vm_request *vms,
		   size_t nvms, const struct idset *taken, struct plan *out, struct err *e)
{
	struct ctx c = {.h = h, .pf = pf, .req = vms, .taken_set = taken, .nvms = nvms};
	struct state best = {0};
	struct result res = {0};

	plan_init(out);
	if (search_check_host(h, e) < 0)
		return -1;
	if (pf->housekeeping_cores_per_node == 0)
		return err_set(e, 0, "profile '%s': housekeeping_cores_per_node must be at least 1",
			       pf->name);
	c.nnodes = h->nnodes;
	c.ncpus = h->ncpus;
	if (search_setup(&c, e) < 0)
		goto fail;
	search_size_vms(&c);
	if (state_alloc(&c, &best) < 0) {
		err_set(e, ENOMEM, "cannot plan");
		goto fail;
	}
	state_copy(&best, &c.st0);
	if (search_run(&c, &best, &res, e) < 0)
		goto fail;

	snprintf(out->root, sizeof(out->root), "%s", h->root);
	snprintf(out->profile, sizeof(out->profile), "%s", pf->name);
	out->nvms = nvms;
	out->vms = calloc(nvms ? nvms : 1, sizeof(*out->vms));
	if (!out->vms) {
		err_set(e, ENOMEM, "cannot plan");
		goto fail;
	}
	for (size_t n = 0; n < c.nnodes; n++)
		idset_or(&out->housekeeping, &c.node_hk[n]);
	for (size_t i = 0; i < nvms; i++) {
		struct vm_plan *vp = &out->vms[i];

		if (explain_vm(&c, &best, i, vp, e) < 0)
			goto fail;
		if (!vp->placed)
			continue;
		out->nplaced++;
		idset_or(&out->dedicated, &vp->cpus);
		idset_or(&out->dedicated, &vp->idle);
		if (pf->emulator == EMU_DEDICATED)
			idset_or(&out->dedicated, &vp->emulator);
	}
	plan_reasons(&c, &res, taken, out);
	if (settings_pools(&c, &best, out) < 0 || settings_host(&c, out) < 0 ||
	    settings_cmdline(&c, out) < 0) {
		err_set(e, ENOMEM, "cannot plan");
		goto fail;
	}
	state_free(&best);
	ctx_free(&c);
	return 0;
fail:
	state_free(&best);
	ctx_free(&c);
	plan_release(out);
	return -1;
}

/*
 * A host whose nodes claim the same CPUs (a firmware SRAT bug) has no NUMA
 * layout to plan on: like hwloc, keep its first node, give it every CPU, and
 * bind nothing elsewhere.  @v shares @h's other arrays; free v->cpus and
 * v->nodes only.
 */
static int one_node_view(const struct host *h, struct host *v, struct err *e)
{
	*v = *h;
	v->cpus = malloc(h->ncpus * sizeof(*v->cpus));
	v->nodes = malloc(sizeof(*v->nodes));
	if (!v->cpus || !v->nodes) {
		free(v->cpus);
		free(v->nodes);
		return err_set(e, ENOMEM, "cannot plan");
	}
	memcpy(v->cpus, h->cpus, h->ncpus * sizeof(*v->cpus));
	v->nodes[0] = h->nodes[0];
	idset_clear(&v->nodes[0].cpus);
	for (size_t i = 0; i < h->ncpus; i++) {
		v->cpus[i].node = (int)h->nodes[0].id;
		idset_add(&v->nodes[0].cpus, h->cpus[i].id);
	}
	v->nnodes = 1;
	v->topo.distances = NULL;
	return 0;
}

int plan_compute(const struct host *h, const struct profile *pf, const struct vm_request *vms,
		 size_t nvms, const struct idset *taken, struct plan *out, struct err *e)
{
	struct host v;
	int rc;

	if (!h->topo.numa_inconsistent[0] || h->nnodes < 2 || !h->cpus)
		return compute(h, pf, vms, nvms, taken, out, e);
	plan_init(out);
	if (one_node_view(h, &v, e) < 0)
		return -1;
	rc = compute(&v, pf, vms, nvms, taken, out, e);
	free(v.cpus);
	free(v.nodes);
	if (rc == 0)
		plan_add_reason(out->reasons, &out->nreasons,
				"NUMA layout inconsistent (%s): planned as one node, node %u, "
				"with every CPU",
				h->topo.numa_inconsistent, h->nodes[0].id);
	return rc;
}

void plan_release(struct plan *p)
{
	for (size_t i = 0; p->vms && i < p->nvms; i++) {
		free(p->vms[i].pins);
		free(p->vms[i].cells);
	}
	free(p->vms);
	free(p->pools);
	for (size_t i = 0; i < p->nsettings; i++)
		free(p->settings[i].value);
	free(p->settings);
	for (size_t i = 0; i < p->ncmdline; i++)
		free(p->cmdline[i].arg);
	free(p->cmdline);
	plan_init(p);
}
