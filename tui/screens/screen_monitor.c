/* screen_monitor.c - the Monitor tab: live per-CPU load on the map, the VMs' vCPU
 * threads (CPU, load, migrations), their memory per node, hugepages free, TLB
 * shootdowns and NIC IRQs, from the rates between the last two samples
 *
 * A vCPU running off its pinning and memory on a node outside the VM's
 * nodeset are highlighted.  Nothing here reads the host: the loop
 * (tui_loop.c) samples.
 */
#include "tui/screens/tui.h"
#include "probe/strfmt.h"

#include <inttypes.h>
#include <curses.h>
#include <stdio.h>
#include <string.h>

/* Rows at most for the VMs; the map takes what is left. */
#define MON_VM_ROWS 6

static const struct rate_cpu *rate_cpu(const struct rates *r, unsigned id)
{
	for (size_t i = 0; i < r->ncpus; i++)
		if (r->cpus[i].id == id)
			return &r->cpus[i];
	return NULL;
}

/* A CPU's load as one digit: tens of percent ('9' from 90%), '?' unknown. */
static char load_mark(const struct tui_model *m, unsigned cpu, attr_t *a)
{
	const struct rate_cpu *c = m->have_rates ? rate_cpu(&m->rates, cpu) : NULL;
	int tens;

	*a = A_NORMAL;
	if (!c || c->busy_pct < 0)
		return '?';
	tens = (int)(c->busy_pct / 10.0);
	if (tens > 9)
		tens = 9;
	if (tens >= 9)
		*a = tui_level_attr(m, LEVEL_FAIL);
	else if (tens >= 5)
		*a = tui_level_attr(m, LEVEL_WARN);
	return (char)('0' + tens);
}

static void sum_line(const struct rates *r, char *buf, size_t size)
{
	double tlb = 0, irq = 0;
	char pg[32];

	buf[0] = '\0';
	for (size_t i = 0; i < r->ncpus; i++) {
		if (r->cpus[i].shootdowns_per_s > 0)
			tlb += r->cpus[i].shootdowns_per_s;
		if (r->cpus[i].nic_irqs_per_s > 0)
			irq += r->cpus[i].nic_irqs_per_s;
	}
	if (r->shootdowns_known)
		strfmt_cat(buf, size, "TLB shootdowns %.0f/s", tlb);
	else
		strfmt_cat(buf, size, "TLB shootdowns unknown");
	if (r->nic_irqs_known)
		strfmt_cat(buf, size, "  NIC IRQs %.0f/s", irq);
	else
		strfmt_cat(buf, size, "  NIC IRQs unknown");
	strfmt_cat(buf, size, "  hugepages free:");
	if (r->npools == 0)
		strfmt_cat(buf, size, " none");
	for (size_t i = 0; i < r->npools; i++)
		strfmt_cat(buf, size, " n%u %s %" PRIu64, r->pools[i].node,
			   strfmt_page_kib(r->pools[i].size_kib, pg, sizeof(pg)), r->pools[i].free);
}

/* One VM: its name and memory per node, then its vCPU threads; returns rows used. */
static int vm_rows(WINDOW *w, const struct tui_model *m, const struct rate_vm *vm, int y,
		   int maxrows, bool sel)
{
	const struct rates *r = &m->rates;
	int width = getmaxx(w), x, used = 1;
	char buf[64];

	tui_putf(w, y, 0, sel ? A_REVERSE | A_BOLD : A_BOLD, "%-16s pid %d", vm->name, vm->pid);
	x = 28;
	if (!vm->running) {
		tui_put(w, y, x, A_DIM, vm->why);
		return used;
	}
	if (!vm->mem_known) {
		tui_put(w, y, x, A_DIM, vm->mem_why);
	} else {
		for (size_t n = 0; n < r->nnodes && vm->node_kib; n++) {
			snprintf(buf, sizeof(buf), "n%u %" PRIu64 "M", r->node_ids[n],
				 vm->node_kib[n] / 1024);
			tui_put(w, y, x, A_NORMAL, buf);
			x += (int)strlen(buf) + 1;
		}
		if (vm->remote_mem)
			tui_putf(w, y, x, tui_level_attr(m, LEVEL_FAIL), "remote %" PRIu64 "M",
				 vm->remote_kib / 1024);
	}
	x = 2;
	y++;
	for (size_t t = 0; t < vm->nthreads && used < maxrows; t++) {
		const struct rate_thread *th = &vm->threads[t];

		if (th->cpu_pct >= 0)
			snprintf(buf, sizeof(buf), "v%u@%d %.0f%% %.1fm/s", th->vcpu, th->cpu,
				 th->cpu_pct, th->migrations_per_s < 0 ? 0 : th->migrations_per_s);
		else
			snprintf(buf, sizeof(buf), "v%u@%d", th->vcpu, th->cpu);
		if (x + (int)strlen(buf) >= width) {
			x = 2;
			y++;
			if (++used >= maxrows)
				break;
		}
		if (x == 2 && t == 0)
			used++;
		tui_put(w, y, x, th->off_pin ? tui_level_attr(m, LEVEL_FAIL) : A_NORMAL, buf);
		x += (int)strlen(buf) + 2;
	}
	return used;
}

void screen_monitor_draw(WINDOW *w, const struct tui_model *m, const struct view *v)
{
	const struct rates *r = &m->rates;
	int rows = tui_frame(w, m, v), width = getmaxx(w), y = 1;
	char buf[512];

	if (rows < 1)
		return;
	if (!m->have_host)
		return;
	if (!m->have_rates) {
		tui_putf(w, y, 0, A_NORMAL, "every %u.%02u s: %s", v->interval_ms / 1000,
			 v->interval_ms % 1000 / 10,
			 m->rates_why[0] ? m->rates_why : "sampling...");
		return;
	}
	sum_line(r, buf, sizeof(buf));
	y += tui_wrap(w, y, 0, width, 2, A_NORMAL, buf);
	if (!r->vms_known) {
		tui_putf(w, y++, 0, A_DIM, "VMs: %s",
			 r->vms_why[0] ? r->vms_why
				       : "unknown (no libvirt connection: --connect URI)");
	} else if (r->nvms == 0) {
		tui_put(w, y++, 0, A_DIM, "no running VMs");
	} else {
		int budget = MON_VM_ROWS, first = tui_first_row(v, (int)r->nvms, 3);

		for (size_t i = (size_t)first; i < r->nvms && budget > 0; i++) {
			int used = vm_rows(w, m, &r->vms[i], y, budget, (int)i == v->selected);

			y += used;
			budget -= used;
		}
	}
	tui_putf(w, y++, 0, A_DIM,
		 "CPU load on the map: [id:tens of %%] (9 = 90%%+), every %u.%02u s",
		 v->interval_ms / 1000, v->interval_ms % 1000 / 10);
	tui_map_draw(w, m, v, y, rows + 1 - y, -1, load_mark);
}
