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
#include "planner/plan.h"
#include "probe/strfmt.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a CPU is in the search state: free, not ours, or a VM's (vm * ROLE_COUNT + role). */
enum { OWN_FREE = -1, OWN_TAKEN = -2, OWN_HK = -3 };
enum role { ROLE_VCPU, ROLE_EMU, ROLE_IDLE, ROLE_COUNT };
#define OWNER(vm, role) ((int)(vm)*ROLE_COUNT + (int)(role))

#define MAX_PAGE_SIZES	    8 /* distinct hugepage sizes in one batch */
#define REPAIR_TRIES_PER_VM 8

struct core {
	size_t node; /* index in h->nodes */
	int l3;	     /* host-wide L3 group, -1 unknown */
	unsigned nthreads;
	size_t thread[PLAN_SMT_MAX]; /* indices in h->cpus, ascending id */
	bool hk;
};

/* One request, validated, with what the search needs to know about it. */
struct vmx {
	uint64_t page_kib; /* 0 = normal pages */
	int psz;	   /* index in ctx.page_kib, -1 for normal pages */
	int nic_node;	   /* node index of its NIC, -1 none or unknown */
	unsigned demand;   /* pCPU units on one node: vCPUs (+1 own emulator) */
	bool fits_one;	   /* fits one node of the empty host */
	bool hopeless;	   /* no page size, or larger than the host: never tried */
	enum shortage why; /* for a hopeless one */
	char bad[PLAN_WHY_MAX];	      /* SHORT_REQUEST: what is wrong with the request */
	char page_note[PLAN_WHY_MAX]; /* why not the profile's page size, "" when it is */
	double size;	   /* its share of the largest node, for ordering */
	double cpu_share, mem_share;
};

/*
 * The search state: one block of memory, so that trying a move is a memcpy.
 * Arrays: owner[ncpus]; res[nnodes] (KiB still reservable); freepg[nnodes *
 * npsz] (free pages of each size left); per VM and node: mem, from_free
 * (pages), from_res (KiB), rank (cell number + 1, 0 = not on the node);
 * placed[nvms]; core_free[ncores], node_u[nnodes]: counts kept in step with
 * owner[] by set_owner(), so a node's capacity is read, not recounted.
 */
struct state {
	void *buf;
	size_t size;
	uint64_t *res, *freepg, *vm_mem, *vm_free, *vm_res;
	int *owner, *rank, *placed;
	int *core_free; /* free threads of each core */
	int *node_u;	/* pCPU units each node offers (kept up to date) */
	int *vm_thr;	/* per VM and node: threads it holds */
	int *cell_node; /* per requested cell (ctx.cell_off): its node index, -1 none */
};

struct ctx {
	const struct host *h;
	const struct profile *pf;
	const struct vm_request *req;
	const struct idset *taken_set; /* may be NULL */
	size_t nvms, nnodes, ncpus;
	size_t ncores;
	struct core *cores; /* by node, then L3 group, then first CPU id */
	size_t *cpu_core;   /* h->cpus index -> index in cores */
	size_t *node_first, *node_ncores;
	struct idset *node_hk; /* housekeeping CPUs of each node */
	uint32_t *dist;	       /* nnodes x nnodes */
	bool any_mem_known;    /* some node with CPUs has known memory */
	bool dist_known;
	size_t npsz;
	uint64_t page_kib[MAX_PAGE_SIZES];
	int *pool_of;	  /* nnodes x npsz: index in node.pools, -1 none */
	unsigned *units0; /* pCPU units of each node on the empty host */
	struct vmx *vm;
	size_t *cell_off; /* per VM: index of its first requested cell in state.cell_node */
	size_t ncellreq;  /* requested cells of the whole batch */
	struct state st0; /* the empty host: housekeeping and taken CPUs only */
	long tries;	  /* repair budget left */
};

struct outcome {
	unsigned placed, nic_local, split, shared;
};

static const char *const shortage_names[] = {"none",	   "cpus", "memory", "cpus+memory",
					     "page-size", "host", "request"};
static_assert(ARRAY_LEN(shortage_names) == SHORT_COUNT, "shortage_names");

const char *shortage_str(enum shortage s)
{
	return (unsigned)s < SHORT_COUNT ? shortage_names[s] : "?";
}

/* ---- small helpers ---- */

static void add_reason(char (*r)[PLAN_WHY_MAX], size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_reason(char (*r)[PLAN_WHY_MAX], size_t *n, const char *fmt, ...)
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
static const char *size_str(uint64_t kib, char *buf, size_t size)
{
	if (kib == 0) {
		snprintf(buf, size, "normal");
		return buf;
	}
	return strfmt_page_kib(kib, buf, size);
}

/* The list format of @s, on the heap (sized for the set, never truncated). */
static char *set_str(const struct idset *s)
{
	size_t size = 16 + 12 * (size_t)idset_count(s);
	char *buf = malloc(size);

	if (buf)
		idset_format(s, buf, size);
	return buf;
}

/* The kernel's hex mask format, 32-bit words, highest first ("ff,00000000"). */
static char *mask_str(const struct idset *s)
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

/* ---- the search state ---- */

static int state_alloc(const struct ctx *c, struct state *st)
{
	size_t nn = c->nnodes, nv = c->nvms;
	size_t n64 = nn + nn * (c->npsz ? c->npsz : 1) + 3 * nv * nn;
	size_t nint = c->ncpus + nv * nn + nv + c->ncores + nn + nv * nn + c->ncellreq;

	st->size = n64 * sizeof(uint64_t) + nint * sizeof(int);
	st->buf = calloc(1, st->size ? st->size : 1);
	if (!st->buf)
		return -1;
	st->res = st->buf;
	st->freepg = st->res + nn;
	st->vm_mem = st->freepg + nn * (c->npsz ? c->npsz : 1);
	st->vm_free = st->vm_mem + nv * nn;
	st->vm_res = st->vm_free + nv * nn;
	st->owner = (int *)(st->vm_res + nv * nn);
	st->rank = st->owner + c->ncpus;
	st->placed = st->rank + nv * nn;
	st->core_free = st->placed + nv;
	st->node_u = st->core_free + c->ncores;
	st->vm_thr = st->node_u + nn;
	st->cell_node = st->vm_thr + nv * nn;
	return 0;
}

static void state_copy(struct state *dst, const struct state *src)
{
	memcpy(dst->buf, src->buf, src->size);
}

static void state_free(struct state *st)
{
	free(st->buf);
	st->buf = NULL;
}

/* ---- capacity ---- */

/* pCPU units a core with @nfree free threads offers under the SMT policy. */
static int units_of(const struct ctx *c, size_t ci, int nfree)
{
	int nthreads = (int)c->cores[ci].nthreads;

	switch (c->pf->smt) {
	case SMT_PREFER:
		return nfree;
	case SMT_ISOLATE:
		return nfree == nthreads ? 1 : 0;
	default:
		return nfree == nthreads ? nthreads : 0;
	}
}

static unsigned core_units(const struct ctx *c, const struct state *st, size_t ci)
{
	return (unsigned)units_of(c, ci, st->core_free[ci]);
}

static unsigned node_units(const struct ctx *c, const struct state *st, size_t n)
{
	(void)c;
	return (unsigned)st->node_u[n];
}

/* Every change of a CPU's owner goes here, to keep the counts in step. */
static void set_owner(const struct ctx *c, struct state *st, size_t cpu, int owner)
{
	size_t ci = c->cpu_core[cpu], node = c->cores[ci].node;
	int was = st->owner[cpu], before = st->core_free[ci];

	st->owner[cpu] = owner;
	if (was >= 0)
		st->vm_thr[(size_t)was / ROLE_COUNT * c->nnodes + node]--;
	if (owner >= 0)
		st->vm_thr[(size_t)owner / ROLE_COUNT * c->nnodes + node]++;
	if ((was == OWN_FREE) == (owner == OWN_FREE))
		return;
	st->core_free[ci] += owner == OWN_FREE ? 1 : -1;
	st->node_u[node] += units_of(c, ci, st->core_free[ci]) - units_of(c, ci, before);
}

/* Recounts core_free and node_u from owner[] (once, for the empty host). */
static void recount(const struct ctx *c, struct state *st)
{
	memset(st->node_u, 0, c->nnodes * sizeof(*st->node_u));
	for (size_t ci = 0; ci < c->ncores; ci++) {
		st->core_free[ci] = 0;
		for (unsigned t = 0; t < c->cores[ci].nthreads; t++)
			st->core_free[ci] += st->owner[c->cores[ci].thread[t]] == OWN_FREE;
		st->node_u[c->cores[ci].node] += units_of(c, ci, st->core_free[ci]);
	}
}

/* KiB of memory of @vm's page size node @n can still give. */
static uint64_t mem_cap(const struct ctx *c, const struct state *st, size_t n, const struct vmx *v)
{
	uint64_t s;
	int k = v->psz;

	if (k < 0)
		return st->res[n];
	if (c->pool_of[n * c->npsz + (size_t)k] < 0)
		return 0;
	s = c->page_kib[k];
	return st->freepg[n * c->npsz + (size_t)k] * s + st->res[n] / s * s;
}

static void mem_take(const struct ctx *c, struct state *st, size_t n, size_t vi, uint64_t kib)
{
	const struct vmx *v = &c->vm[vi];
	size_t slot = vi * c->nnodes + n;

	st->vm_mem[slot] += kib;
	if (v->psz < 0) {
		st->res[n] -= kib;
		st->vm_res[slot] += kib;
	} else {
		uint64_t s = c->page_kib[v->psz], pages = kib / s;
		uint64_t *fp = &st->freepg[n * c->npsz + (size_t)v->psz];
		uint64_t from_free = pages < *fp ? pages : *fp;

		*fp -= from_free;
		st->vm_free[slot] += from_free;
		st->res[n] -= (pages - from_free) * s;
		st->vm_res[slot] += (pages - from_free) * s;
	}
}

static void vm_remove(const struct ctx *c, struct state *st, size_t vi)
{
	const struct vmx *v = &c->vm[vi];

	for (size_t n = 0; n < c->nnodes; n++) {
		if (st->vm_thr[vi * c->nnodes + n] == 0)
			continue;
		for (size_t ci = c->node_first[n]; ci < c->node_first[n] + c->node_ncores[n]; ci++)
			for (unsigned t = 0; t < c->cores[ci].nthreads; t++) {
				size_t cpu = c->cores[ci].thread[t];

				if (st->owner[cpu] >= 0 &&
				    (size_t)st->owner[cpu] / ROLE_COUNT == vi)
					set_owner(c, st, cpu, OWN_FREE);
			}
	}
	for (size_t n = 0; n < c->nnodes; n++) {
		size_t slot = vi * c->nnodes + n;

		if (v->psz >= 0)
			st->freepg[n * c->npsz + (size_t)v->psz] += st->vm_free[slot];
		st->res[n] += st->vm_res[slot];
		st->vm_mem[slot] = st->vm_free[slot] = st->vm_res[slot] = 0;
		st->rank[slot] = 0;
	}
	for (size_t k = 0; k < c->req[vi].ncells; k++)
		st->cell_node[c->cell_off[vi] + k] = -1;
	st->placed[vi] = 0;
}

/* ---- choosing pCPUs on one node ---- */

static void give(const struct ctx *c, struct state *st, size_t cpu, size_t vi, enum role r,
		 size_t *last)
{
	set_owner(c, st, cpu, OWNER(vi, r));
	if (r != ROLE_IDLE)
		*last = cpu;
}

/*
 * Takes up to @need units from cores [@from, @to) for VM @vi; returns what is
 * still needed.  PREFER: whole cores first (sibling pairs of the same VM),
 * then the remainder on a part of a whole free core, and only when none is
 * left on the free threads of cores another VM uses (sharing comes last);
 * ISOLATE: one vCPU per whole core, siblings idle; REQUIRE: whole cores only,
 * an odd leftover thread idle.
 */
static unsigned take_range(const struct ctx *c, struct state *st, size_t from, size_t to,
			   unsigned need, size_t vi, size_t *last)
{
	enum smt_policy pol = c->pf->smt;

	for (int pass = 0; pass < 3 && need > 0; pass++) {
		/* whole-core policies: pass 0 the cores the VM fills, pass 2 the rest */
		if (pass == 1 && pol != SMT_PREFER)
			continue;
		for (size_t i = from; i < to && need > 0; i++) {
			const struct core *co = &c->cores[i];
			unsigned nfree = (unsigned)st->core_free[i];

			if (nfree == 0 || co->hk)
				continue;
			if (pol == SMT_PREFER) {
				bool whole = nfree == co->nthreads;

				if ((pass == 0 && (!whole || co->nthreads > need)) ||
				    (pass == 1 && !whole))
					continue;
				for (unsigned t = 0; t < co->nthreads && need > 0; t++) {
					if (st->owner[co->thread[t]] != OWN_FREE)
						continue;
					give(c, st, co->thread[t], vi, ROLE_VCPU, last);
					need--;
				}
				continue;
			}
			if (nfree != co->nthreads)
				continue;
			/* REQUIRE: cores that the VM fills first, so no thread idles needlessly */
			if (pol == SMT_REQUIRE && pass == 0 && co->nthreads > need)
				continue;
			for (unsigned t = 0; t < co->nthreads; t++) {
				bool vcpu = pol == SMT_ISOLATE ? t == 0 : need > 0;

				give(c, st, co->thread[t], vi, vcpu ? ROLE_VCPU : ROLE_IDLE, last);
				if (vcpu)
					need--;
			}
		}
	}
	return need;
}

/*
 * Takes @need units on node @n (the caller checked there are enough).  With
 * several L3 groups on the node, the VM goes to the smallest group that holds
 * it whole (best fit keeps big groups for big VMs), else to the fewest groups,
 * largest first: vCPUs that share an L3 share their working set.
 */
static void take_node(const struct ctx *c, struct state *st, size_t n, unsigned need, size_t vi,
		      bool own_emulator)
{
	size_t first = c->node_first[n], end = first + c->node_ncores[n];
	size_t gstart[64], gend[64];
	unsigned gunits[64];
	bool used[64] = {false};
	size_t ng = 0, last = SIZE_MAX;

	for (size_t i = first; i < end; i++) {
		if (ng == 0 || c->cores[i].l3 != c->cores[gstart[ng - 1]].l3) {
			if (ng == ARRAY_LEN(gstart))
				break;
			gstart[ng] = i;
			gunits[ng] = 0;
			ng++;
		}
		gend[ng - 1] = i + 1;
		gunits[ng - 1] += core_units(c, st, i);
	}
	if (ng > 0)
		gend[ng - 1] = end; /* more groups than we track: the rest is one */
	if (!c->pf->l3_local || ng <= 1) {
		need = take_range(c, st, first, end, need, vi, &last);
	} else {
		size_t best = SIZE_MAX;

		for (size_t g = 0; g < ng; g++)
			if (gunits[g] >= need && (best == SIZE_MAX || gunits[g] < gunits[best]))
				best = g;
		if (best != SIZE_MAX) {
			need = take_range(c, st, gstart[best], gend[best], need, vi, &last);
		} else {
			while (need > 0) {
				size_t g2 = SIZE_MAX;

				for (size_t g = 0; g < ng; g++)
					if (!used[g] && gunits[g] > 0 &&
					    (g2 == SIZE_MAX || gunits[g] > gunits[g2]))
						g2 = g;
				if (g2 == SIZE_MAX)
					break;
				used[g2] = true;
				need = take_range(c, st, gstart[g2], gend[g2], need, vi, &last);
			}
		}
	}
	/* The last unit taken runs the emulator: the VM's sibling pairs stay whole. */
	if (own_emulator && last != SIZE_MAX)
		st->owner[last] = OWNER(vi, ROLE_EMU);
}

/* ---- placing one VM ---- */

static uint32_t dist(const struct ctx *c, size_t a, size_t b)
{
	return c->dist[a * c->nnodes + b];
}

static bool is_emu_own(const struct ctx *c)
{
	return c->pf->emulator == EMU_DEDICATED;
}

/* Best single node for @vi, or SIZE_MAX. */
static size_t pick_node(const struct ctx *c, const struct state *st, size_t vi)
{
	const struct vmx *v = &c->vm[vi];
	const struct vm_request *r = &c->req[vi];
	size_t best = SIZE_MAX;
	double best_score = 0;
	uint32_t best_dist = 0;
	bool by_nic = v->nic_node >= 0 && c->pf->nic_local;

	for (size_t n = 0; n < c->nnodes; n++) {
		unsigned u;
		uint64_t m, m0;
		double score;
		uint32_t d;

		if (c->units0[n] < v->demand)
			continue;
		u = node_units(c, st, n);
		if (u < v->demand)
			continue;
		m = mem_cap(c, st, n, v);
		if (m < r->mem_kib)
			continue;
		m0 = mem_cap(c, &c->st0, n, v);
		/* leftover share of CPUs and memory: small = tight fit */
		score = (double)(u - v->demand) / (double)c->units0[n] +
			(double)(m - r->mem_kib) / (double)(m0 ? m0 : 1);
		if (c->pf->fit == FIT_SPREAD)
			score = -score;
		d = by_nic ? dist(c, (size_t)v->nic_node, n) : 0;
		if (best == SIZE_MAX || d < best_dist || (d == best_dist && score < best_score)) {
			best = n;
			best_score = score;
			best_dist = d;
		}
	}
	return best;
}

static bool place_one_node(const struct ctx *c, struct state *st, size_t vi)
{
	size_t n = pick_node(c, st, vi);

	if (n == SIZE_MAX)
		return false;
	take_node(c, st, n, c->vm[vi].demand, vi, is_emu_own(c));
	mem_take(c, st, n, vi, c->req[vi].mem_kib);
	st->rank[vi * c->nnodes + n] = 1;
	st->placed[vi] = 1;
	return true;
}

/*
 * A VM larger than any node: the fewest nodes, then the smallest sum of
 * distances.  Each candidate set grows from a seed (the NIC's node first) by
 * the node nearest to the set.  vCPUs fill the set in order (the last node
 * gets the rest, which leaves the others' remainders whole), and memory
 * follows the vCPUs, moved to another node of the set when one runs short.
 */
static bool place_split(const struct ctx *c, struct state *st, size_t vi)
{
	const struct vmx *v = &c->vm[vi];
	const struct vm_request *r = &c->req[vi];
	size_t nn = c->nnodes, emu = is_emu_own(c) ? 1 : 0;
	size_t best_k = SIZE_MAX;
	uint64_t best_d = 0;
	size_t set[256], best_set[256];
	uint64_t caps[256], cell[256];
	unsigned vc[256], nu[256];
	uint64_t nc[256], all_u = 0, all_m = 0, mleft;
	uint64_t page = v->page_kib ? v->page_kib : 1;
	unsigned left;

	if (nn > ARRAY_LEN(set))
		nn = ARRAY_LEN(set); /* more nodes than any machine we know of */
	/* the state does not change while we look: read each node once */
	for (size_t n = 0; n < nn; n++) {
		nu[n] = node_units(c, st, n);
		nc[n] = mem_cap(c, st, n, v);
		if (nu[n] > 0 && nc[n] >= page) {
			all_u += nu[n];
			all_m += nc[n];
		}
	}
	if (all_u < r->vcpus + emu || all_m < r->mem_kib)
		return false;
	for (int round = 0; round < 2 && best_k == SIZE_MAX; round++) {
		for (size_t seed = 0; seed < nn; seed++) {
			size_t k = 0;
			uint64_t have_u = 0, have_m = 0, dsum = 0;
			bool in[256] = {false};

			/* round 0: only the NIC's node as seed, when the profile wants it */
			if (round == 0 && v->nic_node >= 0 && c->pf->nic_local &&
			    seed != (size_t)v->nic_node)
				continue;
			if (round == 1 && v->nic_node >= 0 && c->pf->nic_local &&
			    seed == (size_t)v->nic_node)
				continue;
			if (nu[seed] <= emu || nc[seed] < page)
				continue;
			set[k++] = seed;
			in[seed] = true;
			have_u = nu[seed] - emu;
			have_m = nc[seed];
			while (have_u < r->vcpus || have_m < r->mem_kib) {
				size_t pick = SIZE_MAX;
				uint64_t pick_d = 0;

				for (size_t n = 0; n < nn; n++) {
					uint64_t d = 0;

					if (in[n] || nu[n] == 0 || nc[n] < page)
						continue;
					for (size_t j = 0; j < k; j++)
						d += dist(c, set[j], n);
					if (pick == SIZE_MAX || d < pick_d ||
					    (d == pick_d && nu[n] > nu[pick]))
						pick = n, pick_d = d;
				}
				if (pick == SIZE_MAX)
					break;
				set[k++] = pick;
				in[pick] = true;
				dsum += pick_d;
				have_u += nu[pick];
				have_m += nc[pick];
			}
			if (have_u < r->vcpus || have_m < r->mem_kib)
				continue;
			if (k < best_k || (k == best_k && dsum < best_d)) {
				best_k = k;
				best_d = dsum;
				memcpy(best_set, set, k * sizeof(set[0]));
			}
		}
	}
	if (best_k == SIZE_MAX)
		return false;

	/* vCPUs per node, in set order; every later node keeps at least one
	 * vCPU, so no guest cell is memory-only */
	left = r->vcpus;
	mleft = r->mem_kib / page;
	for (size_t j = 0; j < best_k; j++) {
		size_t n = best_set[j];
		unsigned room = nu[n] - (j == 0 ? (unsigned)emu : 0);
		unsigned later = (unsigned)(best_k - 1 - j);
		unsigned most = left > later ? left - later : (left ? 1 : 0);

		caps[j] = nc[n] / page;
		vc[j] = most < room ? most : room;
		left -= vc[j];
	}
	if (left > 0)
		return false;
	/* memory in proportion to vCPUs (at least one page a cell), then overflow moved */
	for (size_t j = 0; j < best_k; j++) {
		uint64_t share = (r->mem_kib / page) * vc[j] / r->vcpus;

		if (share == 0)
			share = 1;
		if (share > mleft)
			share = mleft;
		cell[j] = share;
		mleft -= share;
	}
	for (size_t j = 0; j < best_k && mleft > 0; j++) {
		uint64_t room = caps[j] > cell[j] ? caps[j] - cell[j] : 0;
		uint64_t add = room < mleft ? room : mleft;

		cell[j] += add;
		mleft -= add;
	}
	for (size_t j = 0; j < best_k; j++) {
		uint64_t over = cell[j] > caps[j] ? cell[j] - caps[j] : 0;

		if (over == 0)
			continue;
		cell[j] = caps[j];
		for (size_t i = 0; i < best_k && over > 0; i++) {
			uint64_t room = caps[i] > cell[i] ? caps[i] - cell[i] : 0;
			uint64_t add = room < over ? room : over;

			cell[i] += add;
			over -= add;
		}
		if (over > 0)
			return false;
	}
	if (mleft > 0)
		return false;
	for (size_t j = 0; j < best_k; j++) {
		size_t n = best_set[j];

		take_node(c, st, n, vc[j] + (j == 0 ? (unsigned)emu : 0), vi, j == 0 && emu);
		mem_take(c, st, n, vi, cell[j] * page);
		st->rank[vi * nn + n] = (int)j + 1;
	}
	st->placed[vi] = 1;
	return true;
}

/* The node for requested cell @k of @vi: one that holds it whole; the NIC's
 * node first, then a node the VM already uses, then the tightest fit. */
static size_t pick_cell_node(const struct ctx *c, const struct state *st, size_t vi, size_t k,
			     unsigned need)
{
	const struct vmx *v = &c->vm[vi];
	uint64_t mem = c->req[vi].cells[k].mem_kib;
	bool by_nic = v->nic_node >= 0 && c->pf->nic_local;
	size_t best = SIZE_MAX;
	double best_score = 0;
	uint32_t best_dist = 0;
	bool best_used = false;

	for (size_t n = 0; n < c->nnodes; n++) {
		unsigned u = node_units(c, st, n);
		uint64_t m = mem_cap(c, st, n, v), m0 = mem_cap(c, &c->st0, n, v);
		uint32_t d = by_nic ? dist(c, (size_t)v->nic_node, n) : 0;
		bool used = st->rank[vi * c->nnodes + n] > 0;
		double score;

		if (u < need || m < mem)
			continue;
		score = (double)(u - need) / (double)(c->units0[n] ? c->units0[n] : 1) +
			(double)(m - mem) / (double)(m0 ? m0 : 1);
		if (c->pf->fit == FIT_SPREAD)
			score = -score;
		if (best == SIZE_MAX || d < best_dist ||
		    (d == best_dist && (used > best_used ||
					(used == best_used && score < best_score)))) {
			best = n;
			best_score = score;
			best_dist = d;
			best_used = used;
		}
	}
	return best;
}

/*
 * A VM with requested cells: each cell whole on one node, in cell order (two
 * cells may share a node); the first cell's node also runs a dedicated
 * emulator.  All or nothing: a cell that fits nowhere undoes the others.
 */
static bool place_cells(const struct ctx *c, struct state *st, size_t vi)
{
	const struct vm_request *r = &c->req[vi];
	unsigned emu = is_emu_own(c) ? 1 : 0, nrank = 0;

	for (size_t k = 0; k < r->ncells; k++) {
		unsigned need = (unsigned)idset_count(&r->cells[k].vcpus) + (k == 0 ? emu : 0);
		size_t n = pick_cell_node(c, st, vi, k, need);
		int *rk;

		if (n == SIZE_MAX) {
			vm_remove(c, st, vi);
			return false;
		}
		take_node(c, st, n, need, vi, k == 0 && emu);
		mem_take(c, st, n, vi, r->cells[k].mem_kib);
		st->cell_node[c->cell_off[vi] + k] = (int)n;
		rk = &st->rank[vi * c->nnodes + n];
		if (*rk == 0)
			*rk = (int)++nrank;
	}
	st->placed[vi] = 1;
	return true;
}

static bool place(const struct ctx *c, struct state *st, size_t vi)
{
	if (c->vm[vi].hopeless || st->placed[vi])
		return false;
	if (c->req[vi].ncells > 0)
		return place_cells(c, st, vi);
	if (c->vm[vi].fits_one)
		return place_one_node(c, st, vi);
	return place_split(c, st, vi);
}

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

			units += node_units(c, st, n) + (unsigned)st->vm_thr[slot];
			mem += mem_cap(c, st, n, vu) + st->vm_mem[slot];
		}
		return units >= vu->demand && mem >= c->req[u].mem_kib;
	}
	for (size_t n = 0; n < c->nnodes; n++) {
		size_t slot = p * c->nnodes + n;
		unsigned freed = (unsigned)st->vm_thr[slot];

		if (!st->rank[slot] || c->units0[n] < vu->demand)
			continue;
		if (node_units(c, st, n) + freed >= vu->demand &&
		    mem_cap(c, st, n, vu) + st->vm_mem[slot] >= c->req[u].mem_kib)
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
				vm_remove(c, tmp, p);
				if (!place(c, tmp, u))
					continue;
				ok = place(c, tmp, p);
				/* else another one left out, a few of the smallest */
				for (size_t wi = c->nvms, tried = 0;
				     !ok && wi-- > 0 && tried < 4;) {
					size_t w = order[wi];

					if (w == u || w == p || tmp->placed[w] || c->vm[w].hopeless)
						continue;
					tried++;
					ok = place(c, tmp, w);
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

enum order_kind { ORD_LARGEST, ORD_NIC, ORD_CPU, ORD_MEM, ORD_SMALLEST, ORD_ARRIVAL, ORD_COUNT };
static const char *const order_names[] = {
    "largest first",	"NIC-bound first, then largest",
    "most pCPUs first", "most memory first",
    "smallest first",	"arrival order",
};
static_assert(ARRAY_LEN(order_names) == ORD_COUNT, "order_names");

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

static int check_host(const struct host *h, struct err *e)
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
		return reject(v, "page size %" PRIu64 " KiB is not a power of two from 64 KiB "
			      "to 16 GiB", v->page_kib);
	if (v->page_kib == 0 || divides(r, v->page_kib))
		return;
	size_str(v->page_kib, want, sizeof(want));
	if (r->pages == PAGES_HUGE)
		return reject(v, "memory %" PRIu64 " KiB%s is not a multiple of the requested %s "
			      "page size", r->mem_kib, r->ncells ? " (or a cell's)" : "", want);
	v->page_kib = smaller_size(c->h, v->page_kib, r);
	if (v->page_kib == 0 && !divides(r, PLAN_BASE_PAGE_KIB))
		return reject(v, "memory %" PRIu64 " KiB is not a multiple of any page size",
			      r->mem_kib);
	snprintf(v->page_note, sizeof(v->page_note),
		 "%s pages: memory %" PRIu64 " KiB is not a multiple of the profile's %s pages",
		 v->page_kib ? size_str(v->page_kib, got, sizeof(got)) : "normal", r->mem_kib,
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
	v->demand = r->vcpus + (is_emu_own(c) ? 1 : 0);
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

static int setup(struct ctx *c, struct err *e)
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
	    !c->cell_off)
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
	recount(c, &c->st0);
	return 0;
}

static void size_vms(struct ctx *c)
{
	unsigned max_units = 0, tot_units = 0;

	for (size_t n = 0; n < c->nnodes; n++) {
		c->units0[n] = node_units(c, &c->st0, n);
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
			uint64_t m = mem_cap(c, &c->st0, n, v);

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

struct result {
	enum order_kind kind;
	unsigned greedy;  /* placed before repair */
	unsigned moves;	  /* repair moves */
	unsigned arrival; /* what arrival order placed, before repair */
	struct outcome o;
};

/*
 * Greedy placement in each order, then the repair pass on the two best
 * results only (repair costs far more than a greedy pass, and rarely lifts a
 * weak start above a strong one).
 */
static int search(struct ctx *c, struct state *best, struct result *res, struct err *e)
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
			if (place(c, &st[k], o[i]))
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

/* ---- explaining ---- */

static const char *unit_name(const struct ctx *c)
{
	switch (c->pf->smt) {
	case SMT_ISOLATE:
		return "whole cores";
	case SMT_REQUIRE:
		return "threads on whole cores";
	default:
		return "pCPUs";
	}
}

/* Why requested cells did not fit: the first cell no node holds, else all of them together. */
static void diagnose_cells(const struct ctx *c, const struct state *st, size_t vi,
			   struct vm_plan *vp)
{
	const struct vmx *v = &c->vm[vi];
	const struct vm_request *r = &c->req[vi];
	unsigned emu = is_emu_own(c) ? 1 : 0;
	char pg[32];

	size_str(v->page_kib, pg, sizeof(pg));
	for (size_t k = 0; k < r->ncells; k++) {
		unsigned need = idset_count(&r->cells[k].vcpus) + (k == 0 ? emu : 0);
		uint64_t mem = r->cells[k].mem_kib;
		unsigned cpu_ok = 0, mem_ok = 0, both = 0;

		for (size_t n = 0; n < c->nnodes; n++) {
			bool cu = node_units(c, st, n) >= need, me = mem_cap(c, st, n, v) >= mem;

			cpu_ok += cu;
			mem_ok += me;
			both += cu && me;
		}
		if (both > 0)
			continue;
		vp->shortage = cpu_ok == 0 ? (mem_ok == 0 ? SHORT_BOTH : SHORT_CPUS)
			       : mem_ok == 0 ? SHORT_MEMORY
					     : SHORT_BOTH;
		snprintf(vp->why_not, sizeof(vp->why_not),
			 "guest cell %zu (%u %s, %" PRIu64 " MiB of %s pages) fits no node whole:",
			 k, need, unit_name(c), mem / 1024, pg);
		for (size_t n = 0; n < c->nnodes; n++)
			if (c->node_ncores[n] > 0)
				strfmt_cat(vp->why_not, sizeof(vp->why_not),
					   " node%u %u, %" PRIu64 " MiB;", c->h->nodes[n].id,
					   node_units(c, st, n), mem_cap(c, st, n, v) / 1024);
		vp->why_not[strlen(vp->why_not) - 1] = '\0';
		return;
	}
	vp->shortage = SHORT_BOTH;
	snprintf(vp->why_not, sizeof(vp->why_not),
		 "its %zu guest cells (the domain's own layout) each fit a node, but not all "
		 "together, each whole on one node",
		 r->ncells);
}

static void diagnose(const struct ctx *c, const struct state *st, size_t vi, struct vm_plan *vp)
{
	const struct vmx *v = &c->vm[vi];
	const struct vm_request *r = &c->req[vi];
	char pg[32], why[PLAN_WHY_MAX] = "";
	unsigned cpu_ok = 0, mem_ok = 0, tot_u = 0;
	uint64_t tot_m = 0;

	size_str(v->page_kib, pg, sizeof(pg));
	if (v->hopeless && v->why == SHORT_REQUEST) {
		vp->shortage = SHORT_REQUEST;
		snprintf(vp->why_not, sizeof(vp->why_not), "%s", v->bad);
		return;
	}
	if (v->hopeless && v->why == SHORT_PAGE_SIZE) {
		vp->shortage = SHORT_PAGE_SIZE;
		snprintf(vp->why_not, sizeof(vp->why_not),
			 "no node offers %s hugepages (no hugepages-%" PRIu64 "kB pool)", pg,
			 v->page_kib);
		return;
	}
	for (size_t n = 0; n < c->nnodes; n++) {
		unsigned u = node_units(c, st, n);
		uint64_t m = mem_cap(c, st, n, v);

		cpu_ok += u >= v->demand;
		mem_ok += m >= r->mem_kib;
		tot_u += u;
		tot_m += m;
	}
	if (!v->hopeless && r->ncells > 0)
		return diagnose_cells(c, st, vi, vp);
	if (v->hopeless && v->why == SHORT_MEMORY) {
		vp->shortage = SHORT_MEMORY;
		snprintf(vp->why_not, sizeof(vp->why_not),
			 "the memory of every node with CPUs is unknown (no node meminfo in this "
			 "root): no memory can be bound");
		return;
	}
	if (v->hopeless) {
		unsigned u0 = 0;
		uint64_t m0 = 0;

		for (size_t n = 0; n < c->nnodes; n++) {
			u0 += c->units0[n];
			m0 += mem_cap(c, &c->st0, n, v);
		}
		vp->shortage = SHORT_HOST;
		snprintf(vp->why_not, sizeof(vp->why_not),
			 "larger than the host: needs %u %s and %" PRIu64 " MiB of %s pages; the "
			 "host has %u and %" PRIu64 " MiB (housekeeping, taken CPUs and "
			 "host_reserved_memory_mib excluded)",
			 v->demand, unit_name(c), r->mem_kib / 1024, pg, u0, m0 / 1024);
		return;
	}
	if (v->fits_one) {
		vp->shortage = cpu_ok == 0 && mem_ok == 0 ? SHORT_BOTH
			       : cpu_ok == 0		  ? SHORT_CPUS
			       : mem_ok == 0		  ? SHORT_MEMORY
							  : SHORT_BOTH;
		snprintf(why, sizeof(why),
			 "no node has %u %s and %" PRIu64 " MiB of %s pages:", v->demand,
			 unit_name(c), r->mem_kib / 1024, pg);
		for (size_t n = 0; n < c->nnodes; n++) {
			if (c->node_ncores[n] == 0)
				continue;
			if (!c->h->nodes[n].mem_known)
				strfmt_cat(why, sizeof(why), " node%u %u, memory unknown;",
				    c->h->nodes[n].id, node_units(c, st, n));
			else
				strfmt_cat(why, sizeof(why), " node%u %u, %" PRIu64 " MiB;",
				    c->h->nodes[n].id, node_units(c, st, n),
				    mem_cap(c, st, n, v) / 1024);
		}
		why[strlen(why) - (why[strlen(why) - 1] == ';')] = '\0';
	} else {
		vp->shortage = tot_u < v->demand    ? (tot_m < r->mem_kib ? SHORT_BOTH : SHORT_CPUS)
			       : tot_m < r->mem_kib ? SHORT_MEMORY
						    : SHORT_BOTH;
		snprintf(why, sizeof(why),
			 "larger than any node and no set of nodes has %u %s and %" PRIu64
			 " MiB of %s pages left (all nodes: %u, %" PRIu64 " MiB)",
			 v->demand, unit_name(c), r->mem_kib / 1024, pg, tot_u, tot_m / 1024);
	}
	snprintf(vp->why_not, sizeof(vp->why_not), "%s", why);
}

/* The CPUs of node @n's L3 group @l3. */
static struct idset l3_cpus(const struct ctx *c, size_t n, int l3)
{
	struct idset s;

	idset_clear(&s);
	for (size_t i = c->node_first[n]; i < c->node_first[n] + c->node_ncores[n]; i++)
		if (c->cores[i].l3 == l3)
			for (unsigned t = 0; t < c->cores[i].nthreads; t++)
				idset_add(&s, c->h->cpus[c->cores[i].thread[t]].id);
	return s;
}

/* Why these nodes: the domain's cells, the NIC, the fit, or the fewest nodes. */
static void explain_where(const struct ctx *c, const struct state *st, size_t vi,
			  struct vm_plan *vp)
{
	const struct vmx *v = &c->vm[vi];
	const struct vm_request *r = &c->req[vi];
	const struct host *h = c->h;
	char buf[PLAN_WHY_MAX];
	size_t n0 = vp->cells[0].node; /* guest cell 0's host node, as an id */
	size_t ni0 = (size_t)host_node_index(h, (unsigned)n0);

	if (r->ncells > 0) {
		snprintf(buf, sizeof(buf), "guest cells as the domain defines them, each whole on "
			 "one node:");
		for (size_t k = 0; k < vp->ncells; k++)
			strfmt_cat(buf, sizeof(buf), " cell %zu node %u%s", k, vp->cells[k].node,
				   k + 1 < vp->ncells ? "," : "");
		add_reason(vp->reasons, &vp->nreasons, "%s", buf);
	} else if (vp->ncells == 1) {
		if (v->nic_node >= 0 && c->pf->nic_local && (size_t)v->nic_node == ni0)
			add_reason(vp->reasons, &vp->nreasons, "node %zu: the node of NIC '%s'", n0,
				   r->nic);
		else if (v->nic_node >= 0 && c->pf->nic_local)
			add_reason(vp->reasons, &vp->nreasons,
				   "node %zu: NIC '%s' is on node %u, which has no room left; "
				   "nearest node with room (distance %u)",
				   n0, r->nic, h->nodes[v->nic_node].id,
				   dist(c, (size_t)v->nic_node, ni0));
		else
			add_reason(vp->reasons, &vp->nreasons,
				   "node %zu: fits one node (%s: %u of %u %s left there)", n0,
				   c->pf->fit == FIT_PACK ? "fullest node that fits"
							  : "emptiest node",
				   node_units(c, st, ni0), c->units0[ni0], unit_name(c));
	} else {
		unsigned maxu = 0;
		uint64_t dsum = 0;

		for (size_t n = 0; n < c->nnodes; n++)
			if (c->units0[n] > maxu)
				maxu = c->units0[n];
		for (size_t a = 0; a < vp->ncells; a++)
			for (size_t b = a + 1; b < vp->ncells; b++)
				dsum += dist(c, (size_t)host_node_index(h, vp->cells[a].node),
					     (size_t)host_node_index(h, vp->cells[b].node));
		add_reason(vp->reasons, &vp->nreasons,
			   "nodes %s: no one node can hold it (at most %u %s, %" PRIu64
			   " MiB asked); %zu nearest nodes with room, distance sum %" PRIu64 "%s",
			   idset_format(&vp->nodes, buf, sizeof(buf)), maxu, unit_name(c),
			   r->mem_kib / 1024, vp->ncells, dsum,
			   c->dist_known ? "" : " (distances unknown)");
	}
}

/* The memory reasons: each cell's pages and node, and the guest it makes. */
static void explain_memory(const struct ctx *c, const struct state *st, size_t vi,
			   struct vm_plan *vp)
{
	const struct host *h = c->h;
	char pg[32];

	size_str(vp->page_kib, pg, sizeof(pg));
	for (size_t k = 0; k < vp->ncells; k++) {
		const struct guest_cell *gc = &vp->cells[k];
		size_t slot = vi * c->nnodes + (size_t)host_node_index(h, gc->node);
		bool first = true, sharing = false;
		char cell[48] = "";

		/* the free and reserved pages are the node's: said with its first cell */
		for (size_t j = 0; j < vp->ncells; j++) {
			first &= j >= k || vp->cells[j].node != gc->node;
			sharing |= j != k && vp->cells[j].node == gc->node;
		}
		if (c->req[vi].ncells)
			snprintf(cell, sizeof(cell), "guest cell %zu, ", k);
		if (gc->page_kib == 0)
			add_reason(vp->reasons, &vp->nreasons,
				   "memory: %s%" PRIu64 " MiB of normal pages bound to node %u", cell,
				   gc->mem_kib / 1024, gc->node);
		else if (!first)
			add_reason(vp->reasons, &vp->nreasons,
				   "memory: %s%" PRIu64 " MiB as %" PRIu64 " x %s pages on node %u",
				   cell, gc->mem_kib / 1024, gc->pages, pg, gc->node);
		else
			add_reason(vp->reasons, &vp->nreasons,
				   "memory: %s%" PRIu64 " MiB as %" PRIu64
				   " x %s pages on node %u (%s%" PRIu64 " free now, %" PRIu64
				   " to reserve)",
				   cell, gc->mem_kib / 1024, gc->pages, pg, gc->node,
				   sharing ? "with its other cells there: " : "",
				   st->vm_free[slot], st->vm_res[slot] / gc->page_kib);
	}
	add_reason(vp->reasons, &vp->nreasons,
		   "guest: %u socket(s) x %u core(s) x %u thread(s), %zu NUMA cell(s) %s",
		   vp->sockets, vp->cores, vp->threads, vp->ncells,
		   c->req[vi].ncells ? "as the domain defines them"
				     : "mirroring the host placement");
}

static void explain(const struct ctx *c, const struct state *st, size_t vi, struct vm_plan *vp)
{
	const struct host *h = c->h;
	char buf[PLAN_WHY_MAX];
	size_t n0 = vp->cells[0].node; /* guest cell 0's host node, as an id */
	unsigned shared = 0, ncores = 0;

	explain_where(c, st, vi, vp);
	/* how: SMT */
	for (size_t ci = 0; ci < c->ncores; ci++) {
		const struct core *co = &c->cores[ci];
		bool mine = false, other = false;

		for (unsigned t = 0; t < co->nthreads; t++) {
			int o = st->owner[co->thread[t]];

			if (o >= 0 && (size_t)o / ROLE_COUNT == vi)
				mine = true;
			else if (o >= 0 || o == OWN_TAKEN)
				other = true;
		}
		ncores += mine;
		shared += mine && other;
	}
	switch (c->pf->smt) {
	case SMT_PREFER:
		add_reason(vp->reasons, &vp->nreasons,
			   "SMT prefer: %u vCPUs on %u core(s), sibling threads to the same VM%s",
			   vp->vcpus, ncores, shared ? "; a core is shared with another VM" : "");
		break;
	case SMT_ISOLATE:
		add_reason(
		    vp->reasons, &vp->nreasons,
		    "SMT isolate: one vCPU per core on %u core(s); siblings %s held idle", ncores,
		    idset_empty(&vp->idle) ? "(none)" : idset_format(&vp->idle, buf, sizeof(buf)));
		break;
	default:
		add_reason(vp->reasons, &vp->nreasons,
			   "SMT require: %u whole core(s) for this VM alone%s%s", ncores,
			   idset_empty(&vp->idle) ? "" : "; idle: ",
			   idset_empty(&vp->idle) ? "" : idset_format(&vp->idle, buf, sizeof(buf)));
		break;
	}
	/* L3 locality, where a node has several L3 groups */
	for (size_t k = 0; k < vp->ncells; k++) {
		size_t n = (size_t)host_node_index(h, vp->cells[k].node);
		int groups[64];
		size_t ng = 0, nl3 = 0;
		int prev = -2;

		for (size_t i = c->node_first[n]; i < c->node_first[n] + c->node_ncores[n]; i++) {
			const struct core *co = &c->cores[i];
			bool mine = false;

			if (co->l3 != prev)
				nl3++;
			prev = co->l3;
			for (unsigned t = 0; t < co->nthreads; t++) {
				int o = st->owner[co->thread[t]];

				mine |= o >= 0 && (size_t)o / ROLE_COUNT == vi;
			}
			if (mine && (ng == 0 || groups[ng - 1] != co->l3) && ng < ARRAY_LEN(groups))
				groups[ng++] = co->l3;
		}
		if (nl3 < 2 || ng == 0 || groups[0] < 0)
			continue;
		if (ng == 1) {
			struct idset g = l3_cpus(c, n, groups[0]);

			add_reason(vp->reasons, &vp->nreasons,
				   "L3: node %u's vCPUs share one L3 group (CPUs %s)",
				   vp->cells[k].node, idset_format(&g, buf, sizeof(buf)));
		} else {
			add_reason(
			    vp->reasons, &vp->nreasons,
			    "L3: node %u's vCPUs span %zu of its %zu L3 groups: no group had "
			    "room for all",
			    vp->cells[k].node, ng, nl3);
		}
	}
	/* emulator and iothreads */
	switch (c->pf->emulator) {
	case EMU_HOUSEKEEPING:
		add_reason(
		    vp->reasons, &vp->nreasons,
		    "emulator and %u iothread(s) on housekeeping CPUs %s: off the vCPUs' cores",
		    vp->niothreads, idset_format(&vp->emulator, buf, sizeof(buf)));
		break;
	case EMU_DEDICATED:
		add_reason(vp->reasons, &vp->nreasons,
			   "emulator and %u iothread(s) on CPU %s of its own on node %zu",
			   vp->niothreads, idset_format(&vp->emulator, buf, sizeof(buf)), n0);
		break;
	default:
		add_reason(vp->reasons, &vp->nreasons,
			   "emulator and %u iothread(s) float over the VM's own pCPUs "
			   "(profile: emulator = shared)",
			   vp->niothreads);
		break;
	}
	explain_memory(c, st, vi, vp);
}

/* Guest topology: threads = the host's SMT width when every core of the VM
 * carries that many of its vCPUs (so guest siblings are host siblings). */
static void topology(const struct ctx *c, const struct state *st, size_t vi, struct vm_plan *vp)
{
	unsigned t = 0;
	bool ok = true, even = true;

	for (size_t ci = 0; ci < c->ncores && ok; ci++) {
		const struct core *co = &c->cores[ci];
		unsigned k = 0;

		for (unsigned j = 0; j < co->nthreads; j++)
			k += st->owner[co->thread[j]] == OWNER(vi, ROLE_VCPU);
		if (k == 0)
			continue;
		if ((t != 0 && k != t) || k != co->nthreads)
			ok = false;
		t = k;
	}
	vp->threads = ok && t > 0 ? t : 1;
	for (size_t k = 1; k < vp->ncells; k++)
		even &= idset_count(&vp->cells[k].vcpus) == idset_count(&vp->cells[0].vcpus);
	/* a guest socket is a run of vCPUs: requested cells are sockets only when
	 * cell k holds vCPUs k*per..(k+1)*per-1 */
	for (size_t k = 0; even && c->req[vi].ncells > 0 && k < vp->ncells; k++) {
		unsigned per = idset_count(&vp->cells[0].vcpus);

		even = idset_next(&vp->cells[k].vcpus, 0) == (int)(k * per) &&
		       idset_count(&vp->cells[k].vcpus) == per;
		for (unsigned i = 0; even && i < per; i++)
			even = idset_has(&vp->cells[k].vcpus, (unsigned)k * per + i);
	}
	vp->sockets = 1;
	if (vp->ncells > 1 && even && idset_count(&vp->cells[0].vcpus) % vp->threads == 0)
		vp->sockets = (unsigned)vp->ncells;
	if (vp->vcpus % (vp->sockets * vp->threads) != 0) {
		vp->sockets = 1;
		vp->threads = 1;
	}
	vp->cores = vp->vcpus / (vp->sockets * vp->threads);
}

/*
 * The pCPUs of VM @vi's vCPUs on node @n, in core order then thread order
 * (into @cpus, the count returned); its idle and emulator CPUs go to @vp.
 */
static size_t node_cpus(const struct ctx *c, const struct state *st, size_t vi, size_t n,
			struct vm_plan *vp, unsigned *cpus)
{
	size_t k = 0;

	for (size_t ci = c->node_first[n]; ci < c->node_first[n] + c->node_ncores[n]; ci++) {
		const struct core *co = &c->cores[ci];

		for (unsigned t = 0; t < co->nthreads; t++) {
			int o = st->owner[co->thread[t]];
			unsigned id = c->h->cpus[co->thread[t]].id;

			if (o == OWNER(vi, ROLE_VCPU))
				cpus[k++] = id;
			else if (o == OWNER(vi, ROLE_IDLE))
				idset_add(&vp->idle, id);
			else if (o == OWNER(vi, ROLE_EMU))
				idset_add(&vp->emulator, id);
		}
	}
	if (c->pf->emulator == EMU_HOUSEKEEPING)
		idset_or(&vp->emulator, &c->node_hk[n]);
	return k;
}

/*
 * Guest cells and pins.  Mirrored cells (no request): cell k is the node of
 * rank k + 1 and takes the next vCPUs: guest vCPUs 2k and 2k+1 land on one
 * core's siblings, as QEMU numbers threads.  Requested cells: each cell's
 * vCPUs, ascending, take its node's pCPUs in order, cell after cell.
 */
static void fill_cells(const struct ctx *c, const struct state *st, size_t vi, struct vm_plan *vp,
		       unsigned *cpus)
{
	const struct vm_request *r = &c->req[vi];
	const struct host *h = c->h;
	unsigned vcpu = 0;

	for (int rk = 1; rk <= (int)c->nnodes; rk++) {
		size_t n, got, used = 0;

		for (n = 0; n < c->nnodes && st->rank[vi * c->nnodes + n] != rk; n++)
			;
		if (n == c->nnodes)
			break;
		got = node_cpus(c, st, vi, n, vp, cpus);
		for (size_t k = 0; k < vp->ncells; k++) {
			struct guest_cell *gc = &vp->cells[k];
			bool mine = r->ncells ? st->cell_node[c->cell_off[vi] + k] == (int)n
					      : k == (size_t)rk - 1;

			if (!mine)
				continue;
			gc->id = (unsigned)k;
			gc->node = h->nodes[n].id;
			gc->mem_kib = r->ncells ? r->cells[k].mem_kib : st->vm_mem[vi * c->nnodes + n];
			gc->page_kib = vp->page_kib;
			gc->pages = vp->page_kib ? gc->mem_kib / vp->page_kib : 0;
			idset_add(&vp->nodes, gc->node);
			if (r->ncells == 0) {
				for (; used < got && vcpu < r->vcpus; used++, vcpu++)
					idset_add(&gc->vcpus, vcpu);
				continue;
			}
			gc->vcpus = r->cells[k].vcpus;
			for (int id = idset_next(&gc->vcpus, 0); id >= 0 && used < got;
			     id = idset_next(&gc->vcpus, (unsigned)id + 1))
				vp->pins[id] = (struct pin){.vcpu = (unsigned)id, .cpu = cpus[used++]};
		}
		if (r->ncells == 0)
			for (size_t j = 0; j < used; j++)
				vp->pins[vcpu - used + j] =
				    (struct pin){.vcpu = vcpu - (unsigned)used + (unsigned)j,
						 .cpu = cpus[j]};
		for (size_t j = 0; j < used; j++)
			idset_add(&vp->cpus, cpus[j]);
	}
	vp->npins = r->vcpus;
}

static int fill_vm(const struct ctx *c, const struct state *st, size_t vi, struct vm_plan *vp,
		   struct err *e)
{
	const struct vm_request *r = &c->req[vi];
	size_t ncells = r->ncells;
	unsigned *cpus;

	snprintf(vp->name, sizeof(vp->name), "%s", r->name);
	vp->vcpus = r->vcpus;
	vp->mem_kib = r->mem_kib;
	vp->page_kib = c->vm[vi].page_kib;
	vp->niothreads = c->pf->iothreads;
	if (c->vm[vi].page_note[0])
		add_reason(vp->reasons, &vp->nreasons, "%s", c->vm[vi].page_note);
	if (!st->placed[vi]) {
		diagnose(c, st, vi, vp);
		return 0;
	}
	vp->placed = true;
	vp->shortage = SHORT_NONE;
	for (size_t n = 0; r->ncells == 0 && n < c->nnodes; n++)
		ncells += st->rank[vi * c->nnodes + n] > 0;
	vp->cells = calloc(ncells, sizeof(*vp->cells));
	vp->pins = calloc(r->vcpus, sizeof(*vp->pins));
	cpus = calloc(c->ncpus, sizeof(*cpus));
	if (!vp->cells || !vp->pins || !cpus) {
		free(cpus);
		return err_set(e, ENOMEM, "cannot plan");
	}
	vp->ncells = ncells;
	fill_cells(c, st, vi, vp, cpus);
	free(cpus);
	if (c->pf->emulator == EMU_SHARED)
		vp->emulator = vp->cpus;
	vp->iothread = vp->emulator;
	topology(c, st, vi, vp);
	explain(c, st, vi, vp);
	return 0;
}

/* ---- host settings ---- */

static int add_setting(struct plan *p, const char *path, char *value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int add_setting(struct plan *p, const char *path, char *value, const char *fmt, ...)
{
	struct plan_setting *grown;
	va_list ap;

	if (!value)
		return -1;
	grown = realloc(p->settings, (p->nsettings + 1) * sizeof(*grown));
	if (!grown) {
		free(value);
		return -1;
	}
	p->settings = grown;
	grown = &p->settings[p->nsettings++];
	memset(grown, 0, sizeof(*grown));
	snprintf(grown->path, sizeof(grown->path), "%s", path);
	grown->value = value;
	va_start(ap, fmt);
	vsnprintf(grown->reason, sizeof(grown->reason), fmt, ap);
	va_end(ap);
	return 0;
}

static int add_cmdline(struct plan *p, char *arg, const char *cmdline, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int add_cmdline(struct plan *p, char *arg, const char *cmdline, const char *fmt, ...)
{
	struct plan_cmdline *grown;
	va_list ap;
	size_t len;

	if (!arg)
		return -1;
	grown = realloc(p->cmdline, (p->ncmdline + 1) * sizeof(*grown));
	if (!grown) {
		free(arg);
		return -1;
	}
	p->cmdline = grown;
	grown = &p->cmdline[p->ncmdline++];
	memset(grown, 0, sizeof(*grown));
	grown->arg = arg;
	len = 0;
	if (cmdline && strstr(cmdline, arg))
		len = (size_t)snprintf(grown->reason, sizeof(grown->reason), "already set; ");
	va_start(ap, fmt);
	vsnprintf(grown->reason + len, sizeof(grown->reason) - len, fmt, ap);
	va_end(ap);
	return 0;
}

/* "isolcpus=" + list, on the heap */
static char *prefixed(const char *prefix, const struct idset *s)
{
	char *list = set_str(s), *out = NULL;

	if (list && asprintf(&out, "%s%s", prefix, list) < 0)
		out = NULL;
	free(list);
	return out;
}

static int pools(const struct ctx *c, const struct state *st, struct plan *p)
{
	const struct host *h = c->h;

	for (size_t n = 0; n < c->nnodes; n++) {
		for (size_t k = 0; k < c->npsz; k++) {
			const struct hugepool *hp;
			uint64_t used = 0, reserve = 0, s = c->page_kib[k];
			struct plan_pool *grown, *pp;
			int pi = c->pool_of[n * c->npsz + k];
			char path[160], sz[32], *val;

			for (size_t vi = 0; vi < c->nvms; vi++) {
				size_t slot = vi * c->nnodes + n;

				if (!st->placed[vi] || c->vm[vi].psz != (int)k)
					continue;
				used += st->vm_mem[slot] / s;
				reserve += st->vm_res[slot] / s;
			}
			if (used == 0 || pi < 0)
				continue;
			hp = &h->nodes[n].pools[pi];
			grown = realloc(p->pools, (p->npools + 1) * sizeof(*grown));
			if (!grown)
				return -1;
			p->pools = grown;
			pp = &p->pools[p->npools++];
			*pp = (struct plan_pool){.node = h->nodes[n].id,
						 .size_kib = s,
						 .total_now = hp->total,
						 .free_now = hp->free,
						 .used = used,
						 .total = hp->total + reserve};
			if (reserve == 0)
				continue;
			snprintf(path, sizeof(path),
				 "/sys/devices/system/node/node%u/hugepages/hugepages-%" PRIu64
				 "kB/nr_hugepages",
				 h->nodes[n].id, s);
			if (asprintf(&val, "%" PRIu64, pp->total) < 0)
				return -1;
			if (add_setting(p, path, val,
					"%" PRIu64 " x %s pages bound to VMs on node %u: %" PRIu64
					" free now, reserve %" PRIu64 " more",
					used, size_str(s, sz, sizeof(sz)), h->nodes[n].id, hp->free,
					reserve) < 0)
				return -1;
		}
	}
	return 0;
}

static const char *onoff(enum tri t)
{
	return t == TRI_YES ? "on" : t == TRI_NO ? "off" : "unknown";
}

/* A profile setting for a knob the host does not have: said, not planned. */
static void absent_knob(struct plan *p, const struct profile *pf, const char *what,
			const char *file)
{
	add_reason(p->reasons, &p->nreasons, "profile %s: %s left alone: this host has no %s",
		   pf->name, what, file);
}

static int settings(const struct ctx *c, struct plan *p)
{
	const struct host *h = c->h;
	const struct profile *pf = c->pf;
	char cur[64];

	/* Only knobs this host has: apply never creates files, and an unknown
	 * value means the probe found no such file (ENOENT). */
	if (strcmp(pf->thp, "keep") != 0 && !h->mem.thp[0])
		absent_knob(p, pf, "THP", "transparent_hugepage/enabled");
	else if (strcmp(pf->thp, "keep") != 0) {
		snprintf(cur, sizeof(cur), "%s", h->mem.thp);
		if (add_setting(p, "/sys/kernel/mm/transparent_hugepage/enabled", strdup(pf->thp),
				"profile %s: thp %s (now %s)%s", pf->name, pf->thp, cur,
				strcmp(pf->thp, "never") == 0
				    ? ": khugepaged collapses and compaction stall pinned "
				      "vCPUs; VM memory is on hugetlbfs"
				    : "") < 0)
			return -1;
	}
	if (pf->ksm != KNOB_KEEP && h->mem.ksm == TRI_UNKNOWN)
		absent_knob(p, pf, "KSM", "ksm/run");
	else if (pf->ksm != KNOB_KEEP &&
	    add_setting(p, "/sys/kernel/mm/ksm/run", strdup(pf->ksm == KNOB_ON ? "1" : "0"),
			"profile %s: KSM %s (now %s)%s", pf->name, knob_str(pf->ksm),
			onoff(h->mem.ksm),
			pf->ksm == KNOB_OFF ? ": ksmd scans cost CPU and merged pages break "
					      "NUMA binding"
					    : ": merge identical guest pages to fit more VMs") < 0)
		return -1;
	if (pf->numa_balancing != KNOB_KEEP && h->mem.numa_balancing == TRI_UNKNOWN)
		absent_knob(p, pf, "NUMA balancing", "kernel/numa_balancing");
	else if (pf->numa_balancing != KNOB_KEEP &&
	    add_setting(p, "/proc/sys/kernel/numa_balancing",
			strdup(pf->numa_balancing == KNOB_ON ? "1" : "0"),
			"profile %s: automatic NUMA balancing %s (now %s)%s", pf->name,
			knob_str(pf->numa_balancing), onoff(h->mem.numa_balancing),
			pf->numa_balancing == KNOB_OFF
			    ? ": VMs are bound to nodes; its hinting faults only add latency"
			    : "") < 0)
		return -1;
	if (pf->swappiness >= 0 && h->mem.swappiness < 0) {
		absent_knob(p, pf, "swappiness", "vm/swappiness");
	} else if (pf->swappiness >= 0) {
		char *v = NULL;

		if (asprintf(&v, "%d", pf->swappiness) < 0)
			return -1;
		if (add_setting(p, "/proc/sys/vm/swappiness", v, "profile %s: swappiness %d",
				pf->name, pf->swappiness) < 0)
			return -1;
	}
	if (strcmp(pf->governor, "keep") != 0) {
		for (size_t i = 0; i < h->ncpus; i++) {
			char path[96];

			/* only where cpufreq exists: apply never creates files */
			if (!idset_has(&p->dedicated, h->cpus[i].id) ||
			    h->cpus[i].governor[0] == '\0')
				continue;
			snprintf(path, sizeof(path),
				 "/sys/devices/system/cpu/cpu%u/cpufreq/scaling_governor",
				 h->cpus[i].id);
			if (add_setting(p, path, strdup(pf->governor),
					"profile %s: CPU %u is dedicated to a VM (now %s)",
					pf->name, h->cpus[i].id, h->cpus[i].governor) < 0)
				return -1;
		}
	}
	if (pf->irq_affinity && !idset_empty(&p->housekeeping)) {
		char hk[128];

		if (add_setting(p, "/proc/irq/default_smp_affinity", mask_str(&p->housekeeping),
				"new IRQs go to housekeeping CPUs %s, off the dedicated CPUs",
				idset_format(&p->housekeeping, hk, sizeof(hk))) < 0)
			return -1;
		for (size_t i = 0; i < h->virt.nnics; i++) {
			const struct nic *nic = &h->virt.nics[i];
			int ni =
			    nic->numa_node < 0 ? -1 : host_node_index(h, (unsigned)nic->numa_node);
			const struct idset *to = ni >= 0 && !idset_empty(&c->node_hk[ni])
						     ? &c->node_hk[ni]
						     : &p->housekeeping;

			for (int irq = idset_next(&nic->irqs, 0); irq >= 0;
			     irq = idset_next(&nic->irqs, (unsigned)irq + 1)) {
				char path[64];

				snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list", irq);
				if (add_setting(p, path, set_str(to),
						"NIC '%s' queue IRQ %d to housekeeping CPUs %s%s",
						nic->name, irq, idset_format(to, hk, sizeof(hk)),
						ni >= 0 ? " of its node" : "") < 0)
					return -1;
			}
		}
	}
	return 0;
}

static int cmdline_advice(const struct ctx *c, struct plan *p)
{
	const struct host *h = c->h;
	const char *cl = h->kern.cmdline_known ? h->kern.cmdline : NULL;

	if (c->pf->isolate) {
		struct idset iso;

		idset_clear(&iso);
		for (size_t i = 0; i < h->ncpus; i++)
			if (!idset_has(&p->housekeeping, h->cpus[i].id))
				idset_add(&iso, h->cpus[i].id);
		if (!idset_empty(&iso)) {
			if (add_cmdline(p, prefixed("isolcpus=managed_irq,domain,", &iso), cl,
					"keep the scheduler's load balancing and managed IRQs off "
					"the VM CPUs") < 0 ||
			    add_cmdline(p, prefixed("nohz_full=", &iso), cl,
					"no scheduler tick on CPUs that run one vCPU thread each") <
				0 ||
			    add_cmdline(p, prefixed("rcu_nocbs=", &iso), cl,
					"RCU callbacks run on the housekeeping CPUs") < 0 ||
			    add_cmdline(p, prefixed("irqaffinity=", &p->housekeeping), cl,
					"IRQs start on the housekeeping CPUs at boot") < 0)
				return -1;
		}
	}
	if (c->pf->hugepages_cmdline) {
		for (size_t k = 0; k < c->npsz; k++) {
			/* "node:count," is at most 32 characters: never truncated */
			size_t size = p->npools * 32 + 1, len = 0;
			char sz[32], *arg = NULL, *list = malloc(size);
			uint64_t s = c->page_kib[k];
			bool grow = false;

			if (!list)
				return -1;
			list[0] = '\0';
			for (size_t i = 0; i < p->npools; i++) {
				if (p->pools[i].size_kib != s)
					continue;
				grow |= p->pools[i].total > p->pools[i].total_now;
				len += (size_t)snprintf(list + len, size - len, "%s%u:%" PRIu64,
							len ? "," : "", p->pools[i].node,
							p->pools[i].total);
			}
			if (s % (1024 * 1024) == 0)
				snprintf(sz, sizeof(sz), "%" PRIu64 "G", s / (1024 * 1024));
			else if (s % 1024 == 0)
				snprintf(sz, sizeof(sz), "%" PRIu64 "M", s / 1024);
			else
				snprintf(sz, sizeof(sz), "%" PRIu64 "K", s);
			if (grow && asprintf(&arg, "hugepagesz=%s hugepages=%s", sz, list) < 0)
				arg = NULL;
			free(list);
			if (!grow)
				continue;
			if (add_cmdline(p, arg, cl,
					"reserve the pages at boot, before memory fragments (the "
					"per-node form needs Linux >= 5.16)") < 0)
				return -1;
		}
	}
	return 0;
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

static int compute(const struct host *h, const struct profile *pf, const struct vm_request *vms,
		   size_t nvms, const struct idset *taken, struct plan *out, struct err *e)
{
	struct ctx c = {.h = h, .pf = pf, .req = vms, .taken_set = taken, .nvms = nvms};
	struct state best = {0};
	struct result res = {0};
	char buf[PLAN_WHY_MAX];

	plan_init(out);
	if (check_host(h, e) < 0)
		return -1;
	if (pf->housekeeping_cores_per_node == 0)
		return err_set(e, 0, "profile '%s': housekeeping_cores_per_node must be at least 1",
			       pf->name);
	c.nnodes = h->nnodes;
	c.ncpus = h->ncpus;
	if (setup(&c, e) < 0)
		goto fail;
	size_vms(&c);
	if (state_alloc(&c, &best) < 0) {
		err_set(e, ENOMEM, "cannot plan");
		goto fail;
	}
	state_copy(&best, &c.st0);
	if (search(&c, &best, &res, e) < 0)
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

		if (fill_vm(&c, &best, i, vp, e) < 0)
			goto fail;
		if (!vp->placed)
			continue;
		out->nplaced++;
		idset_or(&out->dedicated, &vp->cpus);
		idset_or(&out->dedicated, &vp->idle);
		if (pf->emulator == EMU_DEDICATED)
			idset_or(&out->dedicated, &vp->emulator);
	}
	add_reason(out->reasons, &out->nreasons,
		   "housekeeping CPUs %s: the first %u core(s) of each node with SMT siblings, "
		   "kept for the host kernel, IRQs%s",
		   idset_format(&out->housekeeping, buf, sizeof(buf)),
		   pf->housekeeping_cores_per_node,
		   pf->emulator == EMU_HOUSEKEEPING ? " and emulator threads" : "");
	if (nvms > 0)
		add_reason(out->reasons, &out->nreasons,
			   "batch order: %s placed %u of %zu (arrival order alone: %u)%s%u repair "
			   "move(s)",
			   order_names[res.kind], res.o.placed, nvms, res.arrival,
			   res.moves ? ", after " : ", ", res.moves);
	if (!c.dist_known && c.nnodes > 1)
		add_reason(out->reasons, &out->nreasons,
			   "NUMA distances unknown (%s): remote nodes treated as equally far",
			   h->topo.distances_why[0] ? h->topo.distances_why : "not probed");
	{
		struct idset unknown;

		idset_clear(&unknown);
		for (size_t n = 0; n < c.nnodes; n++)
			if (!h->nodes[n].mem_known && c.node_ncores[n] > 0)
				idset_add(&unknown, h->nodes[n].id);
		if (!idset_empty(&unknown))
			add_reason(
			    out->reasons, &out->nreasons,
			    "memory of node(s) %s unknown (no node meminfo): no VM memory is "
			    "bound there",
			    idset_format(&unknown, buf, sizeof(buf)));
	}
	if (taken && !idset_empty(taken))
		add_reason(out->reasons, &out->nreasons,
			   "CPUs %s are taken by VMs that are not re-planned",
			   idset_format(taken, buf, sizeof(buf)));
	if (pools(&c, &best, out) < 0 || settings(&c, out) < 0 || cmdline_advice(&c, out) < 0) {
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
		add_reason(out->reasons, &out->nreasons,
			   "NUMA layout inconsistent (%s): planned as one node, node %u, "
			   "with every CPU", h->topo.numa_inconsistent, h->nodes[0].id);
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

/* ---- request parsing ---- */

int plan_parse_size(const char *s, uint64_t unit_kib, uint64_t *kib, struct err *e)
{
	unsigned long long v;
	uint64_t mult = unit_kib;
	char *end;

	*kib = 0;
	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		goto bad;
	switch (toupper((unsigned char)*end)) {
	case '\0':
		break;
	case 'K':
		mult = 1;
		break;
	case 'M':
		mult = 1024;
		break;
	case 'G':
		mult = 1024 * 1024;
		break;
	case 'T':
		mult = UINT64_C(1024) * 1024 * 1024;
		break;
	default:
		goto bad;
	}
	if (*end != '\0') {
		end++;
		if (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0 || strcmp(end, "i") == 0)
			end += strlen(end);
	}
	if (*end != '\0' || (v != 0 && mult > UINT64_MAX / v))
		goto bad;
	*kib = v * mult;
	return 0;
bad:
	return err_set(e, 0, "invalid size '%s' (expected a number with K, M, G or T)", s);
}

bool plan_name_ok(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len < PLAN_NAME_MAX && !strchr(name, '/') && strfmt_plain(name);
}

bool plan_hugepage_ok(uint64_t kib)
{
	return kib >= PLAN_HUGEPAGE_MIN_KIB && kib <= PLAN_HUGEPAGE_MAX_KIB &&
	       (kib & (kib - 1)) == 0;
}

bool plan_pages_set(struct vm_request *vm, uint64_t kib)
{
	if (kib == PLAN_BASE_PAGE_KIB) {
		vm->pages = PAGES_NORMAL;
		vm->hugepage_kib = 0;
		return true;
	}
	if (!plan_hugepage_ok(kib))
		return false;
	vm->pages = PAGES_HUGE;
	vm->hugepage_kib = kib;
	return true;
}

/* One "key=value" of the VM spec @spec into @vm (whose name is set);
 * *@seen gets 1 for vcpus, 2 for mem.  -1 with @e set. */
static int parse_kv(struct vm_request *vm, char *kv, const char *spec, unsigned *seen,
		    struct err *e)
{
	char *eq = strchr(kv, '='), *end;
	const char *val;
	unsigned long n;
	uint64_t kib;

	if (!eq)
		goto bad_key;
	*eq = '\0';
	val = eq + 1;
	if (strcmp(kv, "vcpus") == 0) {
		errno = 0;
		n = strtoul(val, &end, 10);
		if (!isdigit((unsigned char)val[0]) || *end != '\0' || errno != 0 || n > IDSET_MAX)
			return err_set(e, 0, "vm '%s': invalid vcpus '%s'", spec, val);
		vm->vcpus = (unsigned)n;
		*seen |= 1;
	} else if (strcmp(kv, "mem") == 0) {
		if (plan_parse_size(val, 1024, &vm->mem_kib, e) < 0)
			goto bad_val;
		*seen |= 2;
	} else if (strcmp(kv, "pages") == 0) {
		if (strcmp(val, "none") == 0)
			vm->pages = PAGES_NORMAL;
		else if (plan_parse_size(val, 1, &kib, e) < 0 || !plan_pages_set(vm, kib))
			return err_set(e, 0,
				       "vm '%s': invalid pages '%s' (expected none, 4K, or a power "
				       "of two from 64K to 16G)",
				       vm->name, val);
	} else if (strcmp(kv, "nic") == 0) {
		if (val[0] == '\0' || strlen(val) >= sizeof(vm->nic))
			goto bad_val;
		snprintf(vm->nic, sizeof(vm->nic), "%s", val);
	} else {
		goto bad_key;
	}
	return 0;
bad_val:
	return err_set(e, 0, "vm '%s': invalid %s '%s'", vm->name, kv, val);
bad_key:
	return err_set(e, 0, "vm '%s': unknown key '%s' (expected vcpus, mem, pages, nic)",
		       vm->name, kv);
}

int plan_parse_vm(struct vm_request *vm, const char *spec, struct err *e)
{
	const char *colon = strchr(spec, ':');
	char buf[512], *save = NULL;
	size_t nlen;
	unsigned seen = 0;

	memset(vm, 0, sizeof(*vm));
	if (!colon)
		return err_set(e, 0,
			       "invalid VM '%s' (expected NAME:vcpus=N,mem=SIZE[,pages=SIZE]"
			       "[,nic=IF])",
			       spec);
	nlen = (size_t)(colon - spec);
	if (nlen < sizeof(vm->name))
		memcpy(vm->name, spec, nlen);
	if (nlen >= sizeof(vm->name) || !plan_name_ok(vm->name)) {
		memset(vm, 0, sizeof(*vm));
		return err_set(e, 0,
			       "invalid VM name in '%s' (1 to %d bytes of printable UTF-8 without "
			       "'/' or '\\')",
			       spec, PLAN_NAME_MAX - 1);
	}
	if (strlen(colon + 1) >= sizeof(buf)) {
		memset(vm, 0, sizeof(*vm));
		return err_set(e, 0, "VM spec '%s' is too long", spec);
	}
	snprintf(buf, sizeof(buf), "%s", colon + 1);
	for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		if (parse_kv(vm, kv, spec, &seen, e) < 0) {
			memset(vm, 0, sizeof(*vm));
			return -1;
		}
	}
	if (seen != 3) {
		err_set(e, 0, "vm '%s': needs vcpus= and mem=", vm->name);
		memset(vm, 0, sizeof(*vm));
		return -1;
	}
	return 0;
}
