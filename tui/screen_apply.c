/* screen_apply.c - the Apply tab: what applying the current plan would write
 *
 * The host writes and the kernel command line advice come from the plan
 * itself.  The domain XML diff, the commit with its confirmation, and the
 * rollback of a journal need apply/apply.h, which this build does not have:
 * the tab says so instead of pretending.
 */
#include "tui/tui.h"

#include <stdio.h>
#include <string.h>

void screen_apply_draw(WINDOW *w, const struct tui_model *m, const struct view *v)
{
	const struct plan *p = &m->plan;
	int rows = tui_frame(w, m, v), width = getmaxx(w), y = 1, n, listh, first;

	if (rows < 1)
		return;
	tui_wrap(w, y++, 0, width, 1, A_BOLD,
		 "apply: not available in this build (no apply stage: diff, commit and rollback"
		 " are missing)");
	if (!m->have_plan) {
		tui_wrap(w, y, 0, width, rows - 1, A_NORMAL, m->plan_why);
		return;
	}
	n = (int)(p->nsettings + p->ncmdline);
	tui_putf(w, y++, 0, A_NORMAL,
		 "the plan (profile %s) asks for %zu host write%s and %zu boot option%s:",
		 p->profile, p->nsettings, p->nsettings == 1 ? "" : "s", p->ncmdline,
		 p->ncmdline == 1 ? "" : "s");
	listh = rows - 1 - y - 3;
	if (listh < 1)
		listh = 1;
	first = tui_first_row(v, n, listh);
	for (int r = 0; r < listh && first + r < n; r++) {
		int i = first + r;
		attr_t a = i == v->selected ? A_REVERSE : A_NORMAL;

		tui_putf(w, y, 0, a, "%-*s", width, "");
		if ((size_t)i < p->nsettings)
			tui_putf(w, y, 0, a, "write %s = %s", p->settings[i].path,
				 p->settings[i].value);
		else
			tui_putf(w, y, 0, a, "boot  %s (advice: needs a reboot)",
				 p->cmdline[(size_t)i - p->nsettings].arg);
		y++;
	}
	y++;
	if (v->selected >= 0 && v->selected < n) {
		size_t i = (size_t)v->selected;
		const char *why = i < p->nsettings ? p->settings[i].reason
						   : p->cmdline[i - p->nsettings].reason;

		tui_put(w, y, 0, A_BOLD, "why");
		tui_wrap(w, y, 5, width - 5, rows + 1 - y, A_NORMAL, why);
	}
}
