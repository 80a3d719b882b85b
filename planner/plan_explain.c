/* plan_explain.c - why each VM is where it is, or why it was left out, and its plan entry */
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
	unsigned emu = place_emu_own(c) ? 1 : 0;
	char pg[32];

	plan_size_str(v->page_kib, pg, sizeof(pg));
	for (size_t k = 0; k < r->ncells; k++) {
		unsigned need = idset_count(&r->cells[k].vcpus) + (k == 0 ? emu : 0);
		uint64_t mem = r->cells[k].mem_kib;
		unsigned cpu_ok = 0, mem_ok = 0, both = 0;

		for (size_t n = 0; n < c->nnodes; n++) {
			bool cu = place_node_units(c, st, n) >= need,
			     me = place_mem_cap(c, st, n, v) >= mem;

			cpu_ok += cu;
			mem_ok += me;
			both += cu && me;
		}
		if (both > 0)
			continue;
		vp->shortage = cpu_ok == 0   ? (mem_ok == 0 ? SHORT_BOTH : SHORT_CPUS)
			       : mem_ok == 0 ? SHORT_MEMORY
					     : SHORT_BOTH;
		snprintf(vp->why_not, sizeof(vp->why_not),
			 "guest cell %zu (%u %s, %" PRIu64 " MiB of %s pages) fits no node whole:",
			 k, need, unit_name(c), mem / 1024, pg);
		for (size_t n = 0; n < c->nnodes; n++)
			if (c->node_ncores[n] > 0)
				strfmt_cat(vp->why_not, sizeof(vp->why_not),
					   " node%u %u, %" PRIu64 " MiB;", c->h->nodes[n].id,
					   place_node_units(c, st, n),
					   place_mem_cap(c, st, n, v) / 1024);
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

	plan_size_str(v->page_kib, pg, sizeof(pg));
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
		unsigned u = place_node_units(c, st, n);
		uint64_t m = place_mem_cap(c, st, n, v);

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
			m0 += place_mem_cap(c, &c->st0, n, v);
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
					   c->h->nodes[n].id, place_node_units(c, st, n));
			else
				strfmt_cat(why, sizeof(why), " node%u %u, %" PRIu64 " MiB;",
					   c->h->nodes[n].id, place_node_units(c, st, n),
					   place_mem_cap(c, st, n, v) / 1024);
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
		snprintf(buf, sizeof(buf),
			 "guest cells as the domain defines them, each whole on "
			 "one node:");
		for (size_t k = 0; k < vp->ncells; k++)
			strfmt_cat(buf, sizeof(buf), " cell %zu node %u%s", k, vp->cells[k].node,
				   k + 1 < vp->ncells ? "," : "");
		plan_add_reason(vp->reasons, &vp->nreasons, "%s", buf);
	} else if (vp->ncells == 1) {
		if (v->nic_node >= 0 && c->pf->nic_local && (size_t)v->nic_node == ni0)
			plan_add_reason(vp->reasons, &vp->nreasons,
					"node %zu: the node of NIC '%s'", n0, r->nic);
		else if (v->nic_node >= 0 && c->pf->nic_local)
			plan_add_reason(vp->reasons, &vp->nreasons,
					"node %zu: NIC '%s' is on node %u, which has no room left; "
					"nearest node with room (distance %u)",
					n0, r->nic, h->nodes[v->nic_node].id,
					place_dist(c, (size_t)v->nic_node, ni0));
		else
			plan_add_reason(vp->reasons, &vp->nreasons,
					"node %zu: fits one node (%s: %u of %u %s left there)", n0,
					c->pf->fit == FIT_PACK ? "fullest node that fits"
							       : "emptiest node",
					place_node_units(c, st, ni0), c->units0[ni0], unit_name(c));
	} else {
		unsigned maxu = 0;
		uint64_t dsum = 0;

		for (size_t n = 0; n < c->nnodes; n++)
			if (c->units0[n] > maxu)
				maxu = c->units0[n];
		for (size_t a = 0; a < vp->ncells; a++)
			for (size_t b = a + 1; b < vp->ncells; b++)
				dsum += place_dist(c, (size_t)host_node_index(h, vp->cells[a].node),
						   (size_t)host_node_index(h, vp->cells[b].node));
		plan_add_reason(vp->reasons, &vp->nreasons,
				"nodes %s: no one node can hold it (at most %u %s, %" PRIu64
				" MiB asked); %zu nearest nodes with room, distance sum %" PRIu64
				"%s",
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

	plan_size_str(vp->page_kib, pg, sizeof(pg));
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
			plan_add_reason(vp->reasons, &vp->nreasons,
					"memory: %s%" PRIu64
					" MiB of normal pages bound to node %u",
					cell, gc->mem_kib / 1024, gc->node);
		else if (!first)
			plan_add_reason(vp->reasons, &vp->nreasons,
					"memory: %s%" PRIu64 " MiB as %" PRIu64
					" x %s pages on node %u",
					cell, gc->mem_kib / 1024, gc->pages, pg, gc->node);
		else
			plan_add_reason(vp->reasons, &vp->nreasons,
					"memory: %s%" PRIu64 " MiB as %" PRIu64
					" x %s pages on node %u (%s%" PRIu64 " free now, %" PRIu64
					" to reserve)",
					cell, gc->mem_kib / 1024, gc->pages, pg, gc->node,
					sharing ? "with its other cells there: " : "",
					st->vm_free[slot], st->vm_res[slot] / gc->page_kib);
	}
	plan_add_reason(vp->reasons, &vp->nreasons,
			"guest: %u socket(s) x %u core(s) x %u thread(s), %zu NUMA cell(s) %s",
			vp->sockets, vp->cores, vp->threads, vp->ncells,
			c->req[vi].ncells ? "as the domain defines them"
					  : "mirroring the host placement");
}

/* How: the SMT policy, and how many cores the VM holds (shared with another VM or not). */
static void explain_smt(const struct ctx *c, const struct state *st, size_t vi, struct vm_plan *vp)
{
	char buf[PLAN_WHY_MAX];
	unsigned shared = 0, ncores = 0;

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
		plan_add_reason(
		    vp->reasons, &vp->nreasons,
		    "SMT prefer: %u vCPUs on %u core(s), sibling threads to the same VM%s",
		    vp->vcpus, ncores, shared ? "; a core is shared with another VM" : "");
		break;
	case SMT_ISOLATE:
		plan_add_reason(
		    vp->reasons, &vp->nreasons,
		    "SMT isolate: one vCPU per core on %u core(s); siblings %s held idle", ncores,
		    idset_empty(&vp->idle) ? "(none)" : idset_format(&vp->idle, buf, sizeof(buf)));
		break;
	default:
		plan_add_reason(vp->reasons, &vp->nreasons,
				"SMT require: %u whole core(s) for this VM alone%s%s", ncores,
				idset_empty(&vp->idle) ? "" : "; idle: ",
				idset_empty(&vp->idle) ? ""
						       : idset_format(&vp->idle, buf, sizeof(buf)));
		break;
	}
}

/* L3 locality of VM @vi's cell @k, where its node has several L3 groups. */
static void explain_l3(const struct ctx *c, const struct state *st, size_t vi, size_t k,
		       struct vm_plan *vp)
{
	char buf[PLAN_WHY_MAX];
	size_t n = (size_t)host_node_index(c->h, vp->cells[k].node);
	size_t ng = 0, nl3 = 0;
	int prev = -2, first = -1, last = -1; /* the VM's first and latest L3 group */

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
		if (mine && (ng == 0 || last != co->l3)) {
			if (ng++ == 0)
				first = co->l3;
			last = co->l3;
		}
	}
	if (nl3 < 2 || ng == 0 || first < 0)
		return;
	if (ng == 1) {
		struct idset g = l3_cpus(c, n, first);

		plan_add_reason(vp->reasons, &vp->nreasons,
				"L3: node %u's vCPUs share one L3 group (CPUs %s)",
				vp->cells[k].node, idset_format(&g, buf, sizeof(buf)));
	} else {
		plan_add_reason(vp->reasons, &vp->nreasons,
				"L3: node %u's vCPUs span %zu of its %zu L3 groups: no group had "
				"room for all",
				vp->cells[k].node, ng, nl3);
	}
}

/* Where the emulator and iothreads run, by the profile's emulator policy. */
static void explain_emulator(const struct ctx *c, struct vm_plan *vp)
{
	char buf[PLAN_WHY_MAX];
	size_t n0 = vp->cells[0].node; /* guest cell 0's host node, as an id */

	switch (c->pf->emulator) {
	case EMU_HOUSEKEEPING:
		plan_add_reason(
		    vp->reasons, &vp->nreasons,
		    "emulator and %u iothread(s) on housekeeping CPUs %s: off the vCPUs' cores",
		    vp->niothreads, idset_format(&vp->emulator, buf, sizeof(buf)));
		break;
	case EMU_DEDICATED:
		plan_add_reason(vp->reasons, &vp->nreasons,
				"emulator and %u iothread(s) on CPU %s of its own on node %zu",
				vp->niothreads, idset_format(&vp->emulator, buf, sizeof(buf)), n0);
		break;
	default:
		plan_add_reason(vp->reasons, &vp->nreasons,
				"emulator and %u iothread(s) float over the VM's own pCPUs "
				"(profile: emulator = shared)",
				vp->niothreads);
		break;
	}
}

static void explain(const struct ctx *c, const struct state *st, size_t vi, struct vm_plan *vp)
{
	explain_where(c, st, vi, vp);
	explain_smt(c, st, vi, vp);
	for (size_t k = 0; k < vp->ncells; k++)
		explain_l3(c, st, vi, k, vp);
	explain_emulator(c, vp);
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
			gc->mem_kib =
			    r->ncells ? r->cells[k].mem_kib : st->vm_mem[vi * c->nnodes + n];
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
				vp->pins[id] =
				    (struct pin){.vcpu = (unsigned)id, .cpu = cpus[used++]};
		}
		if (r->ncells == 0)
			for (size_t j = 0; j < used; j++)
				vp->pins[vcpu - used + j] = (struct pin){
				    .vcpu = vcpu - (unsigned)used + (unsigned)j, .cpu = cpus[j]};
		for (size_t j = 0; j < used; j++)
			idset_add(&vp->cpus, cpus[j]);
	}
	vp->npins = r->vcpus;
}

int explain_vm(const struct ctx *c, const struct state *st, size_t vi, struct vm_plan *vp,
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
		plan_add_reason(vp->reasons, &vp->nreasons, "%s", c->vm[vi].page_note);
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
