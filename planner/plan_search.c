/* plan_search.c - the batch: setting up the search, the orders tried, and the repair pass */
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

/* ---- the batch ---- */

static void outcome_of(const struct ctx *c, const struct state *st, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	for (size_t vi = 0; vi < c->nvms; vi++) {
		size_t nodes = 0;

		if (!st->placed[vi])
			continue;
		o->placed++;
		for (size_t n = 0; n < c->nnodes; n++)
			if (st->rank[vi * c->nnodes + n])
				nodes++;
		if (nodes > 1)
			o->split++;
		if (c->vm[vi].nic_node >= 0 &&
		    st->rank[vi * c->nnodes + (size_t)c->vm[vi].nic_node])
			o->nic_local++;
	}
	for (size_t ci = 0; ci < c->ncores; ci++) {
		const struct core *co = &c->cores[ci];
		int first = -1;

		for (unsigned t = 0; t < co->nthreads; t++) {
			int o2 = st->owner[co->thread[t]];

			if (o2 < 0)
				continue;
			if (first < 0)
				first = o2 / ROLE_COUNT;
			else if (o2 / ROLE_COUNT != first) {
				o->shared++;
				break;
			}
		}
	}
}

static bool better(const struct outcome *a, const struct outcome *b)
{
	if (a->placed != b->placed)
		return a->placed > b->placed;
	if (a->nic_local != b->nic_local)
		return a->nic_local > b->nic_local;
	if (a->split != b->split)
		return a->split < b->split;
	return a->shared < b->shared;
}

/* An optimistic test: could @u fit where @p is, were @p gone? */
static bool could_fit_without(const struct ctx *c, const struct state *st, size_t u, size_t p)
{
	const struct vmx *vu = &c->vm[u];

	/* kept cells may spread over nodes: only the totals say anything */
	if (!vu->fits_one || c->req[u].ncells > 0) {
		uint64_t units = 0, mem = 0;

		for (size_t n = 0; n < c->nnodes; n++) {
			size_t slot = p * c->nnodes + n;

			units += place_node_units(c, st, n) + (unsigned)st->vm_thr[slot];
			mem += place_mem_cap(c, st, n, vu) + st->vm_mem[slot];
		}
		return units >= vu->demand && mem >= c->req[u].mem_kib;
	}
	for (size_t n = 0; n < c->nnodes; n++) {
		size_t slot = p * c->nnodes + n;
		unsigned freed = (unsigned)st->vm_thr[slot];

		if (!st->rank[slot] || c->units0[n] < vu->demand)
			continue;
		if (place_node_units(c, st, n) + freed >= vu->demand &&
		    place_mem_cap(c, st, n, vu) + st->vm_mem[slot] >= c->req[u].mem_kib)
			return true;
	}
	return false;
}

/*
 * Repair: for each VM left out, swap out one placed VM if that lets it in
 * and the one swapped out (or another VM left out) back in: each accepted
 * move places one more VM.  Bounded by c->tries.
 */
/* @a asks for at least what @b asks, under the same constraints. */
static bool covers(const struct ctx *c, size_t a, size_t b)
{
	const struct vmx *va = &c->vm[a], *vb = &c->vm[b];

	/* kept cells are shapes, not sizes: one layout does not cover another */
	if (c->req[a].ncells > 0 || c->req[b].ncells > 0)
		return false;
	return va->demand >= vb->demand && c->req[a].mem_kib >= c->req[b].mem_kib &&
	       va->psz == vb->psz && va->nic_node == vb->nic_node && va->fits_one == vb->fits_one;
}

static unsigned repair(struct ctx *c, struct state *st, struct state *tmp, const size_t *order)
{
	unsigned moves = 0;
	bool again = true;

	while (again && c->tries > 0) {
		size_t failed[32], nfailed = 0;

		again = false;
		for (size_t oi = c->nvms; oi-- > 0 && c->tries > 0;) { /* smallest first */
			size_t u = order[oi];
			bool skip = false, added;

			if (st->placed[u] || c->vm[u].hopeless)
				continue;
			/* a VM at least as large as one that found no swap finds none either */
			for (size_t f = 0; f < nfailed && !skip; f++)
				skip = covers(c, u, failed[f]);
			if (skip)
				continue;
			added = nfailed < ARRAY_LEN(failed);
			if (added)
				failed[nfailed++] = u;
			for (size_t pi = 0; pi < c->nvms && c->tries > 0;
			     pi++) { /* largest first */
				size_t p = order[pi];
				bool ok = false;

				if (!st->placed[p] || !could_fit_without(c, st, u, p))
					continue;
				c->tries--;
				state_copy(tmp, st);
				place_remove(c, tmp, p);
				if (!place_vm(c, tmp, u))
					continue;
				ok = place_vm(c, tmp, p);
				/* else another one left out, a few of the smallest */
				for (size_t wi = c->nvms, tried = 0;
				     !ok && wi-- > 0 && tried < 4;) {
					size_t w = order[wi];

					if (w == u || w == p || tmp->placed[w] || c->vm[w].hopeless)
						continue;
					tried++;
					ok = place_vm(c, tmp, w);
				}
				if (ok) {
					state_copy(st, tmp);
					moves++;
					again = true;
					nfailed -= added; /* u found one */
					break;
				}
			}
		}
	}
	return moves;
}

static const char *const order_names[] = {
    "largest first",	"NIC-bound first, then largest",
    "most pCPUs first", "most memory first",
    "smallest first",	"arrival order",
};
static_assert(ARRAY_LEN(order_names) == ORD_COUNT, "order_names");

const char *search_order_name(enum order_kind k)
{
	return (unsigned)k < ORD_COUNT ? order_names[k] : "?";
}

struct sort_arg {
	const struct ctx *c;
	enum order_kind kind;
};

static int cmp_order(const void *pa, const void *pb, void *arg)
{
	const struct sort_arg *sa = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct vmx *va = &sa->c->vm[a], *vb = &sa->c->vm[b];
	double ka = 0, kb = 0;

	switch (sa->kind) {
	case ORD_NIC:
		if ((va->nic_node >= 0) != (vb->nic_node >= 0))
			return va->nic_node >= 0 ? -1 : 1;
		/* fall through */
	case ORD_LARGEST:
		ka = va->size, kb = vb->size;
		break;
	case ORD_CPU:
		ka = va->cpu_share + va->mem_share / 1024,
		kb = vb->cpu_share + vb->mem_share / 1024;
		break;
	case ORD_MEM:
		ka = va->mem_share + va->cpu_share / 1024,
		kb = vb->mem_share + vb->cpu_share / 1024;
		break;
	case ORD_SMALLEST:
		ka = -va->size, kb = -vb->size;
		break;
	default:
		break;
	}
	if (ka != kb)
		return ka > kb ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* ---- setting up ---- */

static int node_of_nic(const struct host *h, const char *nic, int *node)
{
	for (size_t i = 0; i < h->virt.nnics; i++) {
		const struct nic *n = &h->virt.nics[i];

		if (strcmp(n->name, nic) == 0 || (n->pci[0] && strcmp(n->pci, nic) == 0)) {
			*node = n->numa_node < 0 ? -1 : host_node_index(h, (unsigned)n->numa_node);
			return 0;
		}
	}
	return -1;
}

static int cmp_core(const void *pa, const void *pb)
{
	const struct core *a = pa, *b = pb;

	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	if (a->l3 != b->l3)
		return a->l3 < b->l3 ? -1 : 1;
	return a->thread[0] < b->thread[0] ? -1 : a->thread[0] > b->thread[0];
}

int search_check_host(const struct host *h, struct err *e)
{
	if (h->ncpus == 0 || !h->cpus)
		return err_set(e, 0, "host topology unknown: no online CPUs were found");
	if (h->nnodes == 0 || !h->nodes)
		return err_set(e, 0, "host topology unknown: no NUMA nodes were found");
	for (size_t i = 0; i < h->ncpus; i++) {
		if (h->cpus[i].smt < 0)
			return err_set(e, 0, "host topology unknown: CPU %u has no core id",
				       h->cpus[i].id);
		if (h->cpus[i].node < 0 || host_node_index(h, (unsigned)h->cpus[i].node) < 0)
			return err_set(e, 0, "host topology unknown: CPU %u has no NUMA node",
				       h->cpus[i].id);
	}
	return 0;
}

static int build_cores(struct ctx *c, struct err *e)
{
	const struct host *h = c->h;
	int maxcore = -1;
	int *slot;

	/* a "core" here is the kernel's SMT unit: an AMD module is one */
	for (size_t i = 0; i < h->ncpus; i++)
		if (h->cpus[i].smt > maxcore)
			maxcore = h->cpus[i].smt;
	slot = malloc(((size_t)maxcore + 1) * sizeof(*slot));
	c->cores = calloc(h->ncpus, sizeof(*c->cores));
	if (!slot || !c->cores) {
		free(slot);
		return err_set(e, ENOMEM, "cannot plan");
	}
	for (int i = 0; i <= maxcore; i++)
		slot[i] = -1;
	for (size_t i = 0; i < h->ncpus; i++) {
		const struct cpu *cpu = &h->cpus[i];
		struct core *co;

		if (slot[cpu->smt] < 0) {
			slot[cpu->smt] = (int)c->ncores;
			co = &c->cores[c->ncores++];
			co->node = (size_t)host_node_index(h, (unsigned)cpu->node);
			co->l3 = cpu->l3;
		}
		co = &c->cores[slot[cpu->smt]];
		if (co->nthreads == PLAN_SMT_MAX) {
			free(slot);
			return err_set(e, 0, "core of CPU %u has more than %d threads", cpu->id,
				       PLAN_SMT_MAX);
		}
		if (host_node_index(h, (unsigned)cpu->node) != (int)co->node) {
			free(slot);
			return err_set(e, 0,
				       "host topology inconsistent: SMT siblings of CPU %u "
				       "are on two NUMA nodes",
				       cpu->id);
		}
		co->thread[co->nthreads++] = i; /* h->cpus is sorted: threads ascend */
	}
	free(slot);
	qsort(c->cores, c->ncores, sizeof(*c->cores), cmp_core);
	c->cpu_core = malloc(h->ncpus * sizeof(*c->cpu_core));
	if (!c->cpu_core)
		return err_set(e, ENOMEM, "cannot plan");
	for (size_t ci = 0; ci < c->ncores; ci++)
		for (unsigned t = 0; t < c->cores[ci].nthreads; t++)
			c->cpu_core[c->cores[ci].thread[t]] = ci;
	return 0;
}

/* Housekeeping: the first cores (by lowest CPU id) of each node that has CPUs. */
static void pick_housekeeping(struct ctx *c)
{
	for (size_t n = 0; n < c->nnodes; n++) {
		idset_clear(&c->node_hk[n]);
		for (unsigned k = 0; k < c->pf->housekeeping_cores_per_node; k++) {
			size_t best = SIZE_MAX;

			for (size_t i = c->node_first[n]; i < c->node_first[n] + c->node_ncores[n];
			     i++)
				if (!c->cores[i].hk &&
				    (best == SIZE_MAX ||
				     c->cores[i].thread[0] < c->cores[best].thread[0]))
					best = i;
			if (best == SIZE_MAX)
				break;
			c->cores[best].hk = true;
			for (unsigned t = 0; t < c->cores[best].nthreads; t++)
				idset_add(&c->node_hk[n], c->h->cpus[c->cores[best].thread[t]].id);
		}
	}
}

static int page_index(struct ctx *c, uint64_t kib)
{
	for (size_t k = 0; k < c->npsz; k++)
		if (c->page_kib[k] == kib)
			return (int)k;
	if (c->npsz == MAX_PAGE_SIZES)
		return -2;
	c->page_kib[c->npsz] = kib;
	return (int)c->npsz++;
}

/* Marks VM @v as never tried, for what its request itself gets wrong. */
static void reject(struct vmx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reject(struct vmx *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->bad, sizeof(v->bad), fmt, ap);
	va_end(ap);
	v->hopeless = true;
	v->why = SHORT_REQUEST;
}

/* Whether pages of @kib hold @r's memory, and each requested cell's, whole. */
static bool divides(const struct vm_request *r, uint64_t kib)
{
	if (r->mem_kib % kib != 0)
		return false;
	for (size_t k = 0; k < r->ncells; k++)
		if (r->cells[k].mem_kib % kib != 0)
			return false;
	return true;
}

/* The largest hugepage size below @below that the host offers and that divides
 * @r's memory; 0 none. */
static uint64_t smaller_size(const struct host *h, uint64_t below, const struct vm_request *r)
{
	uint64_t best = 0;

	for (size_t n = 0; n < h->nnodes; n++)
		for (size_t k = 0; k < h->nodes[n].npools; k++) {
			uint64_t sz = h->nodes[n].pools[k].size_kib;

			if (sz < below && sz > best && divides(r, sz) && plan_hugepage_ok(sz))
				best = sz;
		}
	return best;
}

/*
 * The page size of VM @i: the request's, else the profile's.  Guest memory
 * must be a whole number of pages, and real domains ask for sizes such as
 * 219100 KiB: when the profile's size does not divide the memory, take the
 * largest smaller hugepage size the host offers that does, else normal pages
 * (the kernel's base page divides any size QEMU accepts), and say so.  A size
 * the request names itself is never replaced.
 */
static void choose_pages(struct ctx *c, size_t i)
{
	const struct vm_request *r = &c->req[i];
	struct vmx *v = &c->vm[i];
	char want[32], got[32];

	v->page_kib = r->pages == PAGES_NORMAL ? 0
		      : r->pages == PAGES_HUGE ? r->hugepage_kib
					       : c->pf->hugepage_kib;
	if (v->page_kib != 0 && !plan_hugepage_ok(v->page_kib))
		return reject(v,
			      "page size %" PRIu64 " KiB is not a power of two from 64 KiB "
			      "to 16 GiB",
			      v->page_kib);
	if (v->page_kib == 0 || divides(r, v->page_kib))
		return;
	plan_size_str(v->page_kib, want, sizeof(want));
	if (r->pages == PAGES_HUGE)
		return reject(v,
			      "memory %" PRIu64 " KiB%s is not a multiple of the requested %s "
			      "page size",
			      r->mem_kib, r->ncells ? " (or a cell's)" : "", want);
	v->page_kib = smaller_size(c->h, v->page_kib, r);
	if (v->page_kib == 0 && !divides(r, PLAN_BASE_PAGE_KIB))
		return reject(v, "memory %" PRIu64 " KiB is not a multiple of any page size",
			      r->mem_kib);
	snprintf(v->page_note, sizeof(v->page_note),
		 "%s pages: memory %" PRIu64 " KiB is not a multiple of the profile's %s pages",
		 v->page_kib ? plan_size_str(v->page_kib, got, sizeof(got)) : "normal", r->mem_kib,
		 want);
}

/* Rejects requested cells that are not a layout of the VM: true when rejected. */
static bool vet_cells(const struct vm_request *r, struct vmx *v)
{
	struct idset all;
	uint64_t mem = 0;

	idset_clear(&all);
	for (size_t k = 0; k < r->ncells; k++) {
		const struct cell_request *cr = &r->cells[k];
		int last = -1;

		for (int id = idset_next(&cr->vcpus, 0); id >= 0;
		     id = idset_next(&cr->vcpus, (unsigned)id + 1)) {
			if (idset_has(&all, (unsigned)id)) {
				reject(v, "vCPU %d is in two guest cells", id);
				return true;
			}
			idset_add(&all, (unsigned)id);
			last = id;
		}
		if (last >= (int)r->vcpus) {
			reject(v, "guest cell %zu has vCPU %d of %u", k, last, r->vcpus);
			return true;
		}
		if (cr->mem_kib == 0) {
			reject(v, "guest cell %zu has no memory", k);
			return true;
		}
		mem += cr->mem_kib;
	}
	if (r->ncells > 0 && idset_count(&all) != r->vcpus) {
		reject(v, "its guest cells hold %u of its %u vCPUs", idset_count(&all), r->vcpus);
		return true;
	}
	if (r->ncells > 0 && mem != r->mem_kib) {
		reject(v, "its guest cells hold %" PRIu64 " KiB, not its %" PRIu64 " KiB", mem,
		       r->mem_kib);
		return true;
	}
	return false;
}

/* What the request of VM @i gets wrong, if anything; then its page size. */
static void vet(struct ctx *c, size_t i)
{
	const struct vm_request *r = &c->req[i];
	struct vmx *v = &c->vm[i];

	v->psz = -1;
	v->nic_node = -1;
	v->demand = r->vcpus + (place_emu_own(c) ? 1 : 0);
	if (r->unreadable[0])
		return reject(v, "%s", r->unreadable);
	if (r->vcpus == 0)
		return reject(v, "0 vCPUs");
	if (r->vcpus > IDSET_MAX)
		return reject(v, "%u vCPUs is more than %u", r->vcpus, IDSET_MAX);
	if (r->mem_kib == 0)
		return reject(v, "no memory");
	if (r->nic[0] != '\0' && node_of_nic(c->h, r->nic, &v->nic_node) < 0)
		return reject(v, "no NIC '%s' on this host", r->nic);
	if (vet_cells(r, v))
		return;
	choose_pages(c, i);
	if (v->hopeless || v->page_kib == 0)
		return;
	v->psz = page_index(c, v->page_kib);
	if (v->psz == -2)
		reject(v, "more than %d page sizes in one batch", MAX_PAGE_SIZES);
}

/*
 * The batch as a whole: names.  One VM's bad request is that VM's problem
 * (NOT PLACED, with what is wrong), never the batch's.
 */
static int validate(struct ctx *c, struct err *e)
{
	for (size_t i = 0; i < c->nvms; i++) {
		const struct vm_request *r = &c->req[i];

		if (r->name[0] == '\0')
			return err_set(e, 0, "VM request %zu has no name", i + 1);
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->req[j].name, r->name) == 0)
				return err_set(e, 0, "vm '%s' is requested twice", r->name);
		vet(c, i);
	}
	return 0;
}

/* place_split()'s scratch, one block of nnodes entries per array. */
static int split_alloc(struct ctx *c)
{
	struct split *s = &c->split;
	size_t nn = c->nnodes ? c->nnodes : 1;
	char *p = calloc(nn, 2 * sizeof(size_t) + 3 * sizeof(uint64_t) + 2 * sizeof(unsigned) +
				 sizeof(bool));

	if (!p)
		return -1;
	s->buf = p;
	s->set = (size_t *)(void *)p;
	s->best = s->set + nn;
	s->nc = (uint64_t *)(void *)(s->best + nn);
	s->caps = s->nc + nn;
	s->cell = s->caps + nn;
	s->nu = (unsigned *)(void *)(s->cell + nn);
	s->vc = s->nu + nn;
	s->in = (bool *)(void *)(s->vc + nn);
	return 0;
}

int search_setup(struct ctx *c, struct err *e)
{
	const struct host *h = c->h;
	size_t nn = c->nnodes;

	if (build_cores(c, e) < 0)
		return -1;
	c->node_first = calloc(nn, sizeof(*c->node_first));
	c->node_ncores = calloc(nn, sizeof(*c->node_ncores));
	c->node_hk = calloc(nn, sizeof(*c->node_hk));
	c->dist = calloc(nn * nn, sizeof(*c->dist));
	c->units0 = calloc(nn, sizeof(*c->units0));
	c->vm = calloc(c->nvms ? c->nvms : 1, sizeof(*c->vm));
	c->cell_off = calloc(c->nvms ? c->nvms : 1, sizeof(*c->cell_off));
	if (!c->node_first || !c->node_ncores || !c->node_hk || !c->dist || !c->units0 || !c->vm ||
	    !c->cell_off || split_alloc(c) < 0)
		return err_set(e, ENOMEM, "cannot plan");
	for (size_t i = 0; i < c->nvms; i++) {
		c->cell_off[i] = c->ncellreq;
		c->ncellreq += c->req[i].ncells;
	}
	for (size_t i = c->ncores; i-- > 0;) {
		c->node_first[c->cores[i].node] = i;
		c->node_ncores[c->cores[i].node]++;
	}
	c->dist_known = h->topo.distances != NULL;
	for (size_t a = 0; a < nn; a++)
		for (size_t b = 0; b < nn; b++)
			c->dist[a * nn + b] =
			    c->dist_known ? h->topo.distances[a * nn + b] : (a == b ? 10 : 20);
	pick_housekeeping(c);
	if (validate(c, e) < 0)
		return -1;
	c->pool_of = malloc(nn * (c->npsz ? c->npsz : 1) * sizeof(*c->pool_of));
	if (!c->pool_of || state_alloc(c, &c->st0) < 0)
		return err_set(e, ENOMEM, "cannot plan");
	for (size_t n = 0; n < nn; n++) {
		const struct node *nd = &h->nodes[n];
		uint64_t reserved = 0, keep = c->pf->host_reserved_memory_mib * 1024;

		if (nd->mem_known && c->node_ncores[n] > 0)
			c->any_mem_known = true;
		for (size_t p = 0; p < nd->npools; p++)
			reserved += nd->pools[p].total * nd->pools[p].size_kib;
		c->st0.res[n] = nd->mem_known && nd->mem_total_kib > reserved + keep
				    ? nd->mem_total_kib - reserved - keep
				    : 0;
		for (size_t k = 0; k < c->npsz; k++) {
			c->pool_of[n * c->npsz + k] = -1;
			for (size_t p = 0; p < nd->npools; p++) {
				if (nd->pools[p].size_kib != c->page_kib[k])
					continue;
				c->pool_of[n * c->npsz + k] = (int)p;
				c->st0.freepg[n * c->npsz + k] =
				    nd->mem_known ? nd->pools[p].free : 0;
			}
		}
	}
	for (size_t i = 0; i < h->ncpus; i++)
		c->st0.owner[i] = OWN_FREE;
	for (size_t k = 0; k < c->ncellreq; k++)
		c->st0.cell_node[k] = -1;
	for (size_t ci = 0; ci < c->ncores; ci++)
		for (unsigned t = 0; t < c->cores[ci].nthreads; t++) {
			size_t cpu = c->cores[ci].thread[t];

			if (c->cores[ci].hk)
				c->st0.owner[cpu] = OWN_HK;
			else if (c->taken_set && idset_has(c->taken_set, h->cpus[cpu].id))
				c->st0.owner[cpu] = OWN_TAKEN;
		}
	state_recount(c, &c->st0);
	return 0;
}

void search_size_vms(struct ctx *c)
{
	unsigned max_units = 0, tot_units = 0;

	for (size_t n = 0; n < c->nnodes; n++) {
		c->units0[n] = place_node_units(c, &c->st0, n);
		tot_units += c->units0[n];
		if (c->units0[n] > max_units)
			max_units = c->units0[n];
	}
	for (size_t i = 0; i < c->nvms; i++) {
		struct vmx *v = &c->vm[i];
		uint64_t mem = c->req[i].mem_kib, tot_mem = 0, max_mem = 0;
		bool any_pool = v->psz < 0;

		if (v->why == SHORT_REQUEST)
			continue; /* never tried: nothing to size */

		for (size_t n = 0; n < c->nnodes; n++) {
			uint64_t m = place_mem_cap(c, &c->st0, n, v);

			if (v->psz >= 0 && c->pool_of[n * c->npsz + (size_t)v->psz] >= 0)
				any_pool = true;
			if (c->units0[n] >= v->demand && m >= mem)
				v->fits_one = true;
			tot_mem += m;
			if (m > max_mem)
				max_mem = m;
		}
		if (!any_pool) {
			v->hopeless = true;
			v->why = SHORT_PAGE_SIZE;
		} else if (!c->any_mem_known) {
			v->hopeless = true;
			v->why = SHORT_MEMORY;
		} else if (!v->fits_one && (tot_units < v->demand || tot_mem < mem)) {
			v->hopeless = true;
			v->why = SHORT_HOST;
		}
		v->cpu_share = (double)v->demand / (double)(max_units ? max_units : 1);
		v->mem_share = (double)mem / (double)(max_mem ? max_mem : 1);
		v->size = v->cpu_share > v->mem_share ? v->cpu_share : v->mem_share;
	}
}

/*
 * Greedy placement in each order, then the repair pass on the two best
 * results only (repair costs far more than a greedy pass, and rarely lifts a
 * weak start above a strong one).
 */
int search_run(struct ctx *c, struct state *best, struct result *res, struct err *e)
{
	size_t *ord = malloc(ORD_COUNT * (c->nvms ? c->nvms : 1) * sizeof(*ord));
	struct state st[ORD_COUNT] = {{0}}, tmp = {0};
	struct result r[ORD_COUNT] = {{0}};
	bool dup[ORD_COUNT] = {false};
	int top[2] = {-1, -1};
	int rc = -1;

	if (!ord || state_alloc(c, &tmp) < 0)
		goto out;
	for (int k = 0; k < ORD_COUNT; k++) {
		size_t *o = ord + (size_t)k * c->nvms;
		struct sort_arg sa = {c, (enum order_kind)k};

		if (state_alloc(c, &st[k]) < 0)
			goto out;
		for (size_t i = 0; i < c->nvms; i++)
			o[i] = i;
		if (k != ORD_ARRIVAL && c->nvms > 1)
			qsort_r(o, c->nvms, sizeof(*o), cmp_order, &sa);
		for (int j = 0; j < k && !dup[k]; j++)
			dup[k] = memcmp(o, ord + (size_t)j * c->nvms, c->nvms * sizeof(*o)) == 0;
		r[k].kind = (enum order_kind)k;
		state_copy(&st[k], &c->st0);
		for (size_t i = 0; i < c->nvms; i++)
			if (place_vm(c, &st[k], o[i]))
				r[k].greedy++;
		outcome_of(c, &st[k], &r[k].o);
	}
	for (int k = 0; k < ORD_COUNT; k++) {
		if (dup[k])
			continue;
		if (top[0] < 0 || better(&r[k].o, &r[top[0]].o)) {
			top[1] = top[0];
			top[0] = k;
		} else if (top[1] < 0 || better(&r[k].o, &r[top[1]].o)) {
			top[1] = k;
		}
	}
	for (int k = 0; k < ORD_COUNT; k++) {
		if (dup[k] || r[k].greedy == c->nvms)
			continue;
		c->tries = (long)c->nvms + 8;
		r[k].moves = repair(c, &st[k], &tmp, ord + (size_t)k * c->nvms);
		outcome_of(c, &st[k], &r[k].o);
	}
	for (int k = 0; k < ORD_COUNT; k++)
		if (!dup[k] && better(&r[k].o, &r[top[0]].o))
			top[0] = k;
	state_copy(best, &st[top[0]]);
	*res = r[top[0]];
	res->arrival = r[ORD_ARRIVAL].greedy;
	rc = 0;
out:
	free(ord);
	for (int k = 0; k < ORD_COUNT; k++)
		state_free(&st[k]);
	state_free(&tmp);
	return rc < 0 ? err_set(e, ENOMEM, "cannot plan") : 0;
}
