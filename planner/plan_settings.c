/* plan_settings.c - the host settings and kernel command line a plan asks for */
#include "planner/knobs.h"
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
	char *list = plan_set_str(s), *out = NULL;

	if (list && asprintf(&out, "%s%s", prefix, list) < 0)
		out = NULL;
	free(list);
	return out;
}

int settings_pools(const struct ctx *c, const struct state *st, struct plan *p)
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
			knobs_path(KNOB_ID_NODE_HUGEPAGES, (uint64_t[]){h->nodes[n].id, s}, 2, path,
				   sizeof(path));
			if (asprintf(&val, "%" PRIu64, pp->total) < 0)
				return -1;
			if (add_setting(p, path, val,
					"%" PRIu64 " x %s pages bound to VMs on node %u: %" PRIu64
					" free now, reserve %" PRIu64 " more",
					used, plan_size_str(s, sz, sizeof(sz)), h->nodes[n].id,
					hp->free, reserve) < 0)
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
	plan_add_reason(p->reasons, &p->nreasons, "profile %s: %s left alone: this host has no %s",
			pf->name, what, file);
}

/* Memory: THP, KSM, NUMA balancing, swappiness. */
static int settings_mem(const struct ctx *c, struct plan *p)
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
		if (add_setting(p, knobs_row(KNOB_ID_THP)->pattern, strdup(pf->thp),
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
		 add_setting(
		     p, knobs_row(KNOB_ID_KSM)->pattern, strdup(pf->ksm == KNOB_ON ? "1" : "0"),
		     "profile %s: KSM %s (now %s)%s", pf->name, knob_str(pf->ksm),
		     onoff(h->mem.ksm),
		     pf->ksm == KNOB_OFF ? ": ksmd scans cost CPU and merged pages break "
					   "NUMA binding"
					 : ": merge identical guest pages to fit more VMs") < 0)
		return -1;
	if (pf->numa_balancing != KNOB_KEEP && h->mem.numa_balancing == TRI_UNKNOWN)
		absent_knob(p, pf, "NUMA balancing", "kernel/numa_balancing");
	else if (pf->numa_balancing != KNOB_KEEP &&
		 add_setting(p, knobs_row(KNOB_ID_NUMA_BALANCING)->pattern,
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
		if (add_setting(p, knobs_row(KNOB_ID_SWAPPINESS)->pattern, v,
				"profile %s: swappiness %d", pf->name, pf->swappiness) < 0)
			return -1;
	}
	return 0;
}

/* The cpufreq governor of each dedicated CPU that has cpufreq. */
static int settings_governor(const struct ctx *c, struct plan *p)
{
	const struct host *h = c->h;
	const struct profile *pf = c->pf;

	if (strcmp(pf->governor, "keep") == 0)
		return 0;
	for (size_t i = 0; i < h->ncpus; i++) {
		char path[96];

		/* only where cpufreq exists: apply never creates files */
		if (!idset_has(&p->dedicated, h->cpus[i].id) || h->cpus[i].governor[0] == '\0')
			continue;
		knobs_path(KNOB_ID_GOVERNOR, (uint64_t[]){h->cpus[i].id}, 1, path, sizeof(path));
		if (add_setting(p, path, strdup(pf->governor),
				"profile %s: CPU %u is dedicated to a VM (now %s)", pf->name,
				h->cpus[i].id, h->cpus[i].governor) < 0)
			return -1;
	}
	return 0;
}

/* IRQs to housekeeping CPUs: the default mask, and each NIC queue to its node's. */
static int settings_irqs(const struct ctx *c, struct plan *p)
{
	const struct host *h = c->h;
	char hk[128];

	if (!c->pf->irq_affinity || idset_empty(&p->housekeeping))
		return 0;
	if (add_setting(p, knobs_row(KNOB_ID_IRQ_DEFAULT)->pattern, plan_mask_str(&p->housekeeping),
			"new IRQs go to housekeeping CPUs %s, off the dedicated CPUs",
			idset_format(&p->housekeeping, hk, sizeof(hk))) < 0)
		return -1;
	for (size_t i = 0; i < h->virt.nnics; i++) {
		const struct nic *nic = &h->virt.nics[i];
		int ni = nic->numa_node < 0 ? -1 : host_node_index(h, (unsigned)nic->numa_node);
		const struct idset *to =
		    ni >= 0 && !idset_empty(&c->node_hk[ni]) ? &c->node_hk[ni] : &p->housekeeping;

		for (int irq = idset_next(&nic->irqs, 0); irq >= 0;
		     irq = idset_next(&nic->irqs, (unsigned)irq + 1)) {
			char path[64];

			knobs_path(KNOB_ID_IRQ_AFFINITY, (uint64_t[]){(uint64_t)irq}, 1, path,
				   sizeof(path));
			if (add_setting(p, path, plan_set_str(to),
					"NIC '%s' queue IRQ %d to housekeeping CPUs %s%s",
					nic->name, irq, idset_format(to, hk, sizeof(hk)),
					ni >= 0 ? " of its node" : "") < 0)
				return -1;
		}
	}
	return 0;
}

int settings_host(const struct ctx *c, struct plan *p)
{
	if (settings_mem(c, p) < 0 || settings_governor(c, p) < 0 || settings_irqs(c, p) < 0)
		return -1;
	return 0;
}

int settings_cmdline(const struct ctx *c, struct plan *p)
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
