/* sample_rate.c - rates: a pure function of two samples (sample_rates())
 *
 * No I/O and no clock: the samples carry their time stamps, so the same two
 * samples always give the same rates (tests feed them literals).
 */
#include "probe/sample.h"
#include "probe/strfmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- rates: a pure function of two samples ---- */

/* @n events over @secs, or RATE_UNKNOWN when the counter went backwards:
 * a reset (a re-used tid) or a 32-bit IRQ count that wrapped (kstat_irqs_cpu()
 * is an unsigned int) says nothing about the interval. */
static double per_s(uint64_t old, uint64_t now, double secs)
{
	if (secs <= 0 || now < old)
		return RATE_UNKNOWN;
	return (double)(now - old) / secs;
}

static const struct sample_cpu *cpu_in(const struct sample *s, unsigned id)
{
	return sample_find_cpu(s, id);
}

static void rate_cpu(struct rate_cpu *rc, const struct sample *a, const struct sample *b,
		     const struct sample_cpu *cb, double secs)
{
	const struct sample_cpu *ca = cpu_in(a, cb->id);

	rc->id = cb->id;
	rc->busy_pct = rc->shootdowns_per_s = rc->nic_irqs_per_s = RATE_UNKNOWN;
	rc->dtlb_misses_per_s = rc->itlb_misses_per_s = RATE_UNKNOWN;
	if (!ca || secs <= 0)
		return; /* a CPU that came online in between */
	if (a->stat_known && b->stat_known && cb->total_jiffies > ca->total_jiffies &&
	    cb->busy_jiffies >= ca->busy_jiffies) {
		double pct = 100.0 * (double)(cb->busy_jiffies - ca->busy_jiffies) /
			     (double)(cb->total_jiffies - ca->total_jiffies);

		rc->busy_pct = pct > 100.0 ? 100.0 : pct;
	}
	if (a->shootdowns_known && b->shootdowns_known && ca->irqs_known && cb->irqs_known)
		rc->shootdowns_per_s = per_s(ca->shootdowns, cb->shootdowns, secs);
	if (a->nic_irqs_known && b->nic_irqs_known && ca->irqs_known && cb->irqs_known)
		rc->nic_irqs_per_s = per_s(ca->nic_irqs, cb->nic_irqs, secs);
	if (ca->perf_known && cb->perf_known) {
		rc->dtlb_misses_per_s = per_s(ca->dtlb_misses, cb->dtlb_misses, secs);
		rc->itlb_misses_per_s = per_s(ca->itlb_misses, cb->itlb_misses, secs);
	}
}

static const struct sample_thread *thread_in(const struct sample_vm *v, int tid)
{
	for (size_t i = 0; v && i < v->nthreads; i++)
		if (v->threads[i].tid == tid)
			return &v->threads[i];
	return NULL;
}

static const struct sample_vm *vm_in(const struct sample *s, const struct sample_vm *v)
{
	for (size_t i = 0; i < s->nvms; i++)
		if (s->vms[i].pid == v->pid && strcmp(s->vms[i].name, v->name) == 0)
			return &s->vms[i];
	return NULL;
}

static int rate_vm(struct rate_vm *rv, const struct sample *a, const struct sample *b,
		   const struct sample_vm *vb, double secs, struct err *e)
{
	const struct sample_vm *va = vm_in(a, vb);

	strfmt_set(rv->name, sizeof(rv->name), "%s", vb->name);
	rv->pid = vb->pid;
	rv->running = vb->running;
	strfmt_set(rv->why, sizeof(rv->why), "%s", vb->why);
	if (vb->nthreads) {
		rv->threads = calloc(vb->nthreads, sizeof(*rv->threads));
		if (!rv->threads)
			return err_set(e, ENOMEM, "cannot compute the rates of VM '%s'", vb->name);
		rv->nthreads = vb->nthreads;
	}
	for (size_t i = 0; i < vb->nthreads; i++) {
		const struct sample_thread *tb = &vb->threads[i];
		const struct sample_thread *ta = va && va->running ? thread_in(va, tb->tid) : NULL;
		struct rate_thread *rt = &rv->threads[i];

		rt->vcpu = tb->vcpu;
		rt->tid = tb->tid;
		rt->cpu = tb->cpu;
		rt->allowed = tb->allowed;
		rt->off_pin = tb->cpu >= 0 && !idset_has(&tb->allowed, (unsigned)tb->cpu);
		rt->cpu_pct = rt->migrations_per_s = RATE_UNKNOWN;
		if (!ta || ta->vcpu != tb->vcpu)
			continue; /* a thread that appeared in between */
		rt->cpu_pct = per_s(ta->cpu_ticks, tb->cpu_ticks, secs);
		if (rt->cpu_pct != RATE_UNKNOWN)
			rt->cpu_pct *= 100.0 / (double)(b->clk_tck ? b->clk_tck : 100);
		if (ta->migrations_known && tb->migrations_known)
			rt->migrations_per_s = per_s(ta->migrations, tb->migrations, secs);
	}
	strfmt_set(rv->mem_why, sizeof(rv->mem_why), "%s", vb->mem_why);
	if (!vb->mem_known)
		return 0;
	rv->node_kib = malloc((b->nnodes ? b->nnodes : 1) * sizeof(*rv->node_kib));
	if (!rv->node_kib)
		return err_set(e, ENOMEM, "cannot compute the rates of VM '%s'", vb->name);
	rv->mem_known = true;
	if (b->nnodes)
		memcpy(rv->node_kib, vb->node_kib, b->nnodes * sizeof(*rv->node_kib));
	if (vb->nodeset_known) {
		rv->remote_known = true;
		for (size_t n = 0; n < b->nnodes; n++)
			if (!idset_has(&vb->nodeset, b->node_ids[n]))
				rv->remote_kib += vb->node_kib[n];
		rv->remote_mem = rv->remote_kib > 0;
	}
	return 0;
}

int sample_rates(struct rates *out, const struct sample *a, const struct sample *b, struct err *e)
{
	double secs = b->ns > a->ns ? (double)(b->ns - a->ns) / 1e9 : 0.0;

	memset(out, 0, sizeof(*out));
	out->ns = b->ns;
	out->interval_s = secs;
	if (secs <= 0)
		strfmt_set(out->why, sizeof(out->why), "no time between the two samples");
	out->busy_known = a->stat_known && b->stat_known;
	strfmt_set(out->busy_why, sizeof(out->busy_why), "%s",
		   !b->stat_known   ? b->stat_why
		   : !a->stat_known ? a->stat_why
				    : "");
	out->shootdowns_known = b->shootdowns_known;
	out->nic_irqs_known = b->nic_irqs_known;
	out->perf_known = b->perf_known;
	strfmt_set(out->shootdowns_why, sizeof(out->shootdowns_why), "%s", b->shootdowns_why);
	strfmt_set(out->nic_irqs_why, sizeof(out->nic_irqs_why), "%s", b->nic_irqs_why);
	strfmt_set(out->perf_why, sizeof(out->perf_why), "%s", b->perf_why);
	strfmt_set(out->pools_why, sizeof(out->pools_why), "%s", b->pools_why);
	out->vms_known = b->vms_known;
	strfmt_set(out->vms_why, sizeof(out->vms_why), "%s", b->vms_why);
	if ((b->ncpus && !(out->cpus = calloc(b->ncpus, sizeof(*out->cpus)))) ||
	    (b->npools && !(out->pools = calloc(b->npools, sizeof(*out->pools)))) ||
	    (b->nnodes && !(out->node_ids = calloc(b->nnodes, sizeof(*out->node_ids)))) ||
	    (b->nvms && !(out->vms = calloc(b->nvms, sizeof(*out->vms))))) {
		sample_rates_release(out);
		return err_set(e, ENOMEM, "cannot compute the rates");
	}
	out->ncpus = b->ncpus;
	for (size_t i = 0; i < b->ncpus; i++)
		rate_cpu(&out->cpus[i], a, b, &b->cpus[i], secs);
	out->npools = b->npools;
	if (b->npools)
		memcpy(out->pools, b->pools, b->npools * sizeof(*out->pools));
	out->nnodes = b->nnodes;
	if (b->nnodes)
		memcpy(out->node_ids, b->node_ids, b->nnodes * sizeof(*out->node_ids));
	out->nvms = b->nvms;
	for (size_t i = 0; i < b->nvms; i++)
		if (rate_vm(&out->vms[i], a, b, &b->vms[i], secs, e) < 0) {
			sample_rates_release(out);
			return -1;
		}
	return 0;
}

void sample_rates_release(struct rates *r)
{
	for (size_t i = 0; r->vms && i < r->nvms; i++) {
		free(r->vms[i].threads);
		free(r->vms[i].node_kib);
	}
	free(r->vms);
	free(r->cpus);
	free(r->pools);
	free(r->node_ids);
	r->vms = NULL;
	r->cpus = NULL;
	r->pools = NULL;
	r->node_ids = NULL;
	r->nvms = r->ncpus = r->npools = r->nnodes = 0;
}
