/* screen_plan.c - the Plan tab: the profile, the VMs, the map coloured by owner, the reasons */
#include "tui/screens/tui.h"

#include <inttypes.h>
#include <curses.h>
#include <stdio.h>
#include <string.h>

/* Rows at most for the VM list; the map takes what is left. */
#define PLAN_LIST_ROWS	 5
#define PLAN_REASON_ROWS 3

/* A CPU's owner on the plan: VM letter (its idle siblings in lower case),
 * 'h' housekeeping, '.' free. */
static char plan_mark(const struct tui_model *m, unsigned cpu, attr_t *a)
{
	const struct plan *p = &m->plan;

	for (size_t i = 0; i < p->nvms; i++) {
		const struct vm_plan *vp = &p->vms[i];

		if (!vp->placed)
			continue;
		if (idset_has(&vp->cpus, cpu) || idset_has(&vp->emulator, cpu) ||
		    idset_has(&vp->idle, cpu)) {
			*a = tui_vm_attr(m, i) | (idset_has(&vp->cpus, cpu) ? A_BOLD : A_NORMAL);
			if (idset_has(&vp->cpus, cpu))
				return tui_vm_letter(i);
			if (idset_has(&p->housekeeping, cpu))
				break; /* an emulator on housekeeping: still housekeeping */
			return (char)(tui_vm_letter(i) - 'A' + 'a');
		}
	}
	if (idset_has(&p->housekeeping, cpu)) {
		*a = m->color ? (attr_t)COLOR_PAIR(PAIR_HOUSEKEEPING) : A_DIM;
		return 'h';
	}
	*a = A_NORMAL;
	return '.';
}

void screen_plan_draw(WINDOW *w, const struct tui_model *m, const struct view *v)
{
	const struct plan *p = &m->plan;
	int rows = tui_frame(w, m, v), width = getmaxx(w), y = 1, listh, first;
	char buf[512], legend[256];

	if (rows < 1)
		return;
	snprintf(buf, sizeof(buf), "profile %s (p: next)  %s", m->profile.name,
		 m->profile.description);
	tui_put(w, y++, 0, A_BOLD, buf);
	if (!m->have_plan) {
		tui_wrap(w, y, 0, width, rows - 1, A_NORMAL, m->plan_why);
		return;
	}
	snprintf(buf, sizeof(buf), "VMs from %s; placed %u of %zu; housekeeping ",
		 m->reqs_from[0] ? m->reqs_from : "?", p->nplaced, p->nvms);
	idset_format(&p->housekeeping, buf + strlen(buf), sizeof(buf) - strlen(buf));
	tui_put(w, y++, 0, A_NORMAL, buf);
	listh = (int)p->nvms < PLAN_LIST_ROWS ? (int)p->nvms : PLAN_LIST_ROWS;
	first = tui_first_row(v, (int)p->nvms, listh);
	for (int r = 0; r < listh; r++) {
		const struct vm_plan *vp = &p->vms[first + r];
		bool sel = first + r == v->selected;
		char nodes[64], cpus[256];

		if (vp->placed)
			snprintf(buf, sizeof(buf),
				 "%-16s node %-5s %3u vCPUs %7" PRIu64 " MiB  CPUs %s", vp->name,
				 idset_format(&vp->nodes, nodes, sizeof(nodes)), vp->vcpus,
				 vp->mem_kib / 1024, idset_format(&vp->cpus, cpus, sizeof(cpus)));
		else
			snprintf(buf, sizeof(buf), "%-16s NOT PLACED (%s): %s", vp->name,
				 shortage_str(vp->shortage), vp->why_not);
		tui_putf(w, y, 0, sel ? A_REVERSE : A_NORMAL, "%-*s", width, "");
		tui_putf(w, y, 0, tui_vm_attr(m, (size_t)(first + r)) | A_BOLD, "%c",
			 tui_vm_letter((size_t)(first + r)));
		tui_put(w, y, 2, sel ? A_REVERSE : (vp->placed ? A_NORMAL : A_BOLD), buf);
		y++;
	}
	if (v->selected >= 0 && (size_t)v->selected < p->nvms) {
		const struct vm_plan *vp = &p->vms[v->selected];
		int used = 0;

		for (size_t i = 0; i < vp->nreasons && used < PLAN_REASON_ROWS; i++)
			used += tui_wrap(w, y + used, 2, width - 2, PLAN_REASON_ROWS - used, A_DIM,
					 vp->reasons[i]);
		y += PLAN_REASON_ROWS;
	}
	legend[0] = '\0';
	for (size_t i = 0; i < p->nvms && strlen(legend) + 24 < sizeof(legend); i++)
		snprintf(legend + strlen(legend), sizeof(legend) - strlen(legend), "%c=%s ",
			 tui_vm_letter(i), p->vms[i].name);
	tui_putf(w, y++, 0, A_NORMAL, "%s(lower case: held idle or emulator) h=housekeeping .=free",
		 legend);
	tui_map_draw(w, m, v, y, rows + 1 - y, -1, plan_mark);
}
