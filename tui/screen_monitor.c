/* screen_monitor.c - the Monitor tab
 *
 * Live rates need the sampler (probe/sample.h), which this build does not
 * have: the tab says so and shows only what the last probe read of the
 * running VMs (each vCPU thread's last CPU against its pinning, memory per
 * node), refreshed with 'r'.  Nothing here reads the host.
 */
#include "tui/tui.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void screen_monitor_draw(WINDOW *w, const struct tui_model *m, const struct view *v)
{
	const struct host *h = &m->host;
	int rows = tui_frame(w, m, v), width = getmaxx(w), y = 1, first;

	if (rows < 1)
		return;
	tui_wrap(w, y++, 0, width, 1, A_BOLD,
		 "monitor: not available in this build (no sampler: live load, rates and"
		 " migrations are missing)");
	if (!m->have_host)
		return;
	if (!h->vms_known) {
		tui_wrap(w, y, 0, width, 2, A_NORMAL, h->vms_why[0] ? h->vms_why
					: "running VMs: unknown (no libvirt connection: --connect URI)");
		return;
	}
	tui_putf(w, y++, 0, A_NORMAL, "%zu running VM%s at the last probe (r: probe again);"
		 " a vCPU off its pinning is highlighted", h->nvms, h->nvms == 1 ? "" : "s");
	first = tui_first_row(v, (int)h->nvms, rows - 2);
	for (size_t i = (size_t)first; i < h->nvms && y <= rows; i++) {
		const struct vm *vm = &h->vms[i];
		int x;

		tui_putf(w, y, 0, (int)i == v->selected ? A_REVERSE : A_BOLD,
			 "%-16s %u vCPUs %" PRIu64 " MiB pid %d", vm->name, vm->vcpus,
			 vm->mem_kib / 1024, vm->pid);
		x = 50;
		if (vm->node_kib)
			for (size_t n = 0; n < h->nnodes && x + 16 < width; n++) {
				tui_putf(w, y, x, A_NORMAL, "n%u %" PRIu64 "M", h->nodes[n].id,
					 vm->node_kib[n] / 1024);
				x += 14;
			}
		y++;
		x = 2;
		for (size_t t = 0; t < vm->nthreads && y <= rows; t++) {
			const struct vm_thread *th = &vm->threads[t];
			bool off = th->cpu >= 0 && vm->pins && th->vcpu < vm->vcpus &&
				   !idset_empty(&vm->pins[th->vcpu]) &&
				   !idset_has(&vm->pins[th->vcpu], (unsigned)th->cpu);
			char one[32];

			snprintf(one, sizeof(one), "v%u@%d", th->vcpu, th->cpu);
			if (x + (int)strlen(one) >= width) {
				x = 2;
				y++;
			}
			if (y <= rows)
				tui_put(w, y, x, off ? A_REVERSE | A_BOLD : A_NORMAL, one);
			x += (int)strlen(one) + 1;
		}
		y++;
	}
}
