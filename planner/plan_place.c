/* plan_place.c - the search state, node capacity, and placing one VM on its nodes and pCPUs */
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

/* ---- the search state ---- */

int state_alloc(const struct ctx *c, struct state *st)
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

void state_copy(struct state *dst, const struct state *src)
{
	memcpy(dst->buf, src->buf, src->size);
}

void state_free(struct state *st)
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

unsigned place_node_units(const struct ctx *c, const struct state *st, size_t n)
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
void state_recount(const struct ctx *c, struct state *st)
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
uint64_t place_mem_cap(const struct ctx *c, const struct state *st, size_t n, const struct vmx *v)
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

void place_remove(const struct ctx *c, struct state *st, size_t vi)
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

uint32_t place_dist(const struct ctx *c, size_t a, size_t b)
{
	return c->dist[a * c->nnodes + b];
}

bool place_emu_own(const struct ctx *c)
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
		u = place_node_units(c, st, n);
		if (u < v->demand)
			continue;
		m = place_mem_cap(c, st, n, v);
		if (m < r->mem_kib)
			continue;
		m0 = place_mem_cap(c, &c->st0, n, v);
		/* leftover share of CPUs and memory: small = tight fit */
		score = (double)(u - v->demand) / (double)c->units0[n] +
			(double)(m - r->mem_kib) / (double)(m0 ? m0 : 1);
		if (c->pf->fit == FIT_SPREAD)
			score = -score;
		d = by_nic ? place_dist(c, (size_t)v->nic_node, n) : 0;
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
	take_node(c, st, n, c->vm[vi].demand, vi, place_emu_own(c));
	mem_take(c, st, n, vi, c->req[vi].mem_kib);
	st->rank[vi * c->nnodes + n] = 1;
	st->placed[vi] = 1;
	return true;
}

/* Reads each node's free units and memory once (the state does not change while place_split()
 * looks); false when the whole host cannot hold VM @vi. */
static bool split_read(const struct ctx *c, const struct state *st, size_t vi, uint64_t page)
{
	const struct split *s = &c->split;
	uint64_t all_u = 0, all_m = 0;

	for (size_t n = 0; n < c->nnodes; n++) {
		s->nu[n] = place_node_units(c, st, n);
		s->nc[n] = place_mem_cap(c, st, n, &c->vm[vi]);
		if (s->nu[n] > 0 && s->nc[n] >= page) {
			all_u += s->nu[n];
			all_m += s->nc[n];
		}
	}
	return all_u >= c->req[vi].vcpus + (place_emu_own(c) ? 1 : 0) &&
	       all_m >= c->req[vi].mem_kib;
}

/* Grows a set in s->set from @seed by the node nearest to the set until it holds VM @vi;
 * returns its size, or 0 when the host runs out of nodes first. */
static size_t split_grow(const struct ctx *c, size_t vi, size_t seed, uint64_t page, uint64_t *dsum)
{
	const struct split *s = &c->split;
	const struct vm_request *r = &c->req[vi];
	uint64_t have_u = s->nu[seed] - (place_emu_own(c) ? 1 : 0), have_m = s->nc[seed];
	size_t k = 0;

	memset(s->in, 0, c->nnodes * sizeof(*s->in));
	s->set[k++] = seed;
	s->in[seed] = true;
	*dsum = 0;
	while (have_u < r->vcpus || have_m < r->mem_kib) {
		size_t pick = SIZE_MAX;
		uint64_t pick_d = 0;

		for (size_t n = 0; n < c->nnodes; n++) {
			uint64_t d = 0;

			if (s->in[n] || s->nu[n] == 0 || s->nc[n] < page)
				continue;
			for (size_t j = 0; j < k; j++)
				d += place_dist(c, s->set[j], n);
			if (pick == SIZE_MAX || d < pick_d ||
			    (d == pick_d && s->nu[n] > s->nu[pick]))
				pick = n, pick_d = d;
		}
		if (pick == SIZE_MAX)
			return 0;
		s->set[k++] = pick;
		s->in[pick] = true;
		*dsum += pick_d;
		have_u += s->nu[pick];
		have_m += s->nc[pick];
	}
	return k;
}

/* The fewest nodes, then the smallest distance sum, into s->best; returns how many, or 0.
 * Round 0 tries only the NIC's node as seed when the profile wants it, round 1 the others. */
static size_t split_choose(const struct ctx *c, size_t vi, uint64_t page)
{
	const struct split *s = &c->split;
	const struct vmx *v = &c->vm[vi];
	bool by_nic = v->nic_node >= 0 && c->pf->nic_local;
	size_t best_k = 0, emu = place_emu_own(c) ? 1 : 0;
	uint64_t best_d = 0;

	for (int round = 0; round < 2 && best_k == 0; round++) {
		for (size_t seed = 0; seed < c->nnodes; seed++) {
			uint64_t dsum;
			size_t k;

			if (by_nic && (round == 0) != (seed == (size_t)v->nic_node))
				continue;
			if (s->nu[seed] <= emu || s->nc[seed] < page)
				continue;
			k = split_grow(c, vi, seed, page, &dsum);
			if (k == 0)
				continue;
			if (best_k == 0 || k < best_k || (k == best_k && dsum < best_d)) {
				best_k = k;
				best_d = dsum;
				memcpy(s->best, s->set, k * sizeof(*s->set));
			}
		}
	}
	return best_k;
}

/* vCPUs per node of s->best, in set order; every later node keeps at least one vCPU, so no
 * guest cell is memory-only.  Also each node's capacity in pages.  False when they do not fit. */
static bool split_vcpus(const struct ctx *c, size_t vi, size_t k, uint64_t page)
{
	const struct split *s = &c->split;
	unsigned left = c->req[vi].vcpus, emu = place_emu_own(c) ? 1 : 0;

	for (size_t j = 0; j < k; j++) {
		size_t n = s->best[j];
		unsigned room = s->nu[n] - (j == 0 ? emu : 0);
		unsigned later = (unsigned)(k - 1 - j);
		unsigned most = left > later ? left - later : (left ? 1 : 0);

		s->caps[j] = s->nc[n] / page;
		s->vc[j] = most < room ? most : room;
		left -= s->vc[j];
	}
	return left == 0;
}

/* Memory in pages per node of s->best: in proportion to vCPUs (at least one page a cell),
 * then what is left and what overflows a node moved to nodes with room.  False when the set
 * cannot hold it. */
static bool split_memory(const struct ctx *c, size_t vi, size_t k, uint64_t page)
{
	const struct split *s = &c->split;
	const struct vm_request *r = &c->req[vi];
	uint64_t mleft = r->mem_kib / page;

	for (size_t j = 0; j < k; j++) {
		uint64_t share = (r->mem_kib / page) * s->vc[j] / r->vcpus;

		if (share == 0)
			share = 1;
		if (share > mleft)
			share = mleft;
		s->cell[j] = share;
		mleft -= share;
	}
	for (size_t j = 0; j < k && mleft > 0; j++) {
		uint64_t room = s->caps[j] > s->cell[j] ? s->caps[j] - s->cell[j] : 0;
		uint64_t add = room < mleft ? room : mleft;

		s->cell[j] += add;
		mleft -= add;
	}
	for (size_t j = 0; j < k; j++) {
		uint64_t over = s->cell[j] > s->caps[j] ? s->cell[j] - s->caps[j] : 0;

		if (over == 0)
			continue;
		s->cell[j] = s->caps[j];
		for (size_t i = 0; i < k && over > 0; i++) {
			uint64_t room = s->caps[i] > s->cell[i] ? s->caps[i] - s->cell[i] : 0;
			uint64_t add = room < over ? room : over;

			s->cell[i] += add;
			over -= add;
		}
		if (over > 0)
			return false;
	}
	return mleft == 0;
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
	const struct split *s = &c->split;
	uint64_t page = c->vm[vi].page_kib ? c->vm[vi].page_kib : 1;
	unsigned emu = place_emu_own(c) ? 1 : 0;
	size_t k;

	if (!split_read(c, st, vi, page))
		return false;
	k = split_choose(c, vi, page);
	if (k == 0 || !split_vcpus(c, vi, k, page) || !split_memory(c, vi, k, page))
		return false;
	for (size_t j = 0; j < k; j++) {
		size_t n = s->best[j];

		take_node(c, st, n, s->vc[j] + (j == 0 ? emu : 0), vi, j == 0 && emu);
		mem_take(c, st, n, vi, s->cell[j] * page);
		st->rank[vi * c->nnodes + n] = (int)j + 1;
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
		unsigned u = place_node_units(c, st, n);
		uint64_t m = place_mem_cap(c, st, n, v), m0 = place_mem_cap(c, &c->st0, n, v);
		uint32_t d = by_nic ? place_dist(c, (size_t)v->nic_node, n) : 0;
		bool used = st->rank[vi * c->nnodes + n] > 0;
		double score;

		if (u < need || m < mem)
			continue;
		score = (double)(u - need) / (double)(c->units0[n] ? c->units0[n] : 1) +
			(double)(m - mem) / (double)(m0 ? m0 : 1);
		if (c->pf->fit == FIT_SPREAD)
			score = -score;
		if (best == SIZE_MAX || d < best_dist ||
		    (d == best_dist &&
		     (used > best_used || (used == best_used && score < best_score)))) {
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
	unsigned emu = place_emu_own(c) ? 1 : 0, nrank = 0;

	for (size_t k = 0; k < r->ncells; k++) {
		unsigned need = (unsigned)idset_count(&r->cells[k].vcpus) + (k == 0 ? emu : 0);
		size_t n = pick_cell_node(c, st, vi, k, need);
		int *rk;

		if (n == SIZE_MAX) {
			place_remove(c, st, vi);
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

bool place_vm(const struct ctx *c, struct state *st, size_t vi)
{
	if (c->vm[vi].hopeless || st->placed[vi])
		return false;
	if (c->req[vi].ncells > 0)
		return place_cells(c, st, vi);
	if (c->vm[vi].fits_one)
		return place_one_node(c, st, vi);
	return place_split(c, st, vi);
}
