/* screen_checks.c - the Checks tab: the findings, the selected one's why and fix below */
#include "tui/screens/tui.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

/* Rows kept for the selected finding's what, why and fix. */
#define DETAIL_ROWS 8

void screen_checks_draw(WINDOW *w, const struct tui_model *m, const struct view *v)
{
	int rows = tui_frame(w, m, v), width = getmaxx(w), listh, first, y;
	size_t count[LEVEL_COUNT] = {0};
	const struct finding *f;
	char head[128];

	if (rows < 1)
		return;
	if (!m->have_host || m->nfindings == 0) {
		tui_put(w, 1, 0, A_NORMAL, "no findings (r to probe again)");
		return;
	}
	for (size_t i = 0; i < m->nfindings; i++)
		count[m->findings[i].level < LEVEL_COUNT ? m->findings[i].level : LEVEL_INFO]++;
	snprintf(head, sizeof(head), "%zu checks: %zu pass, %zu warn, %zu fail, %zu info",
		 m->nfindings, count[LEVEL_PASS], count[LEVEL_WARN], count[LEVEL_FAIL],
		 count[LEVEL_INFO]);
	tui_put(w, 1, 0, A_BOLD, head);
	listh = rows - 1 - (rows > DETAIL_ROWS + 4 ? DETAIL_ROWS + 1 : 0);
	first = tui_first_row(v, (int)m->nfindings, listh);
	for (int r = 0; r < listh && (size_t)(first + r) < m->nfindings; r++) {
		int i = first + r;
		bool sel = i == v->selected;

		f = &m->findings[i];
		tui_putf(w, 2 + r, 0, sel ? A_REVERSE : A_NORMAL, "%-*s", width, "");
		tui_putf(w, 2 + r, 1, tui_level_attr(m, f->level), "%-4s", level_str(f->level));
		tui_put(w, 2 + r, 6, sel ? A_REVERSE : A_NORMAL, f->what);
	}
	if (first > 0)
		tui_putf(w, 2, width - 8, A_BOLD, " ^ %d ", first);
	if ((size_t)(first + listh) < m->nfindings)
		tui_putf(w, 1 + listh, width - 8, A_BOLD, " v %zu ",
			 m->nfindings - (size_t)(first + listh));
	if (listh == rows - 1)
		return; /* too few rows for the details */
	y = 2 + listh;
	if (v->selected < 0 || (size_t)v->selected >= m->nfindings)
		return;
	f = &m->findings[v->selected];
	mvwhline(w, y, 0, v->ascii ? '-' : ACS_HLINE, width);
	tui_putf(w, y, 2, A_BOLD, " %s %s ", level_str(f->level), f->id);
	y++;
	y += tui_wrap(w, y, 0, width, 2, A_BOLD, f->what);
	/* content rows are 1..rows: the last one is row @rows */
	if (f->why[0] && y <= rows) {
		int room = rows - y + 1 - (f->fix[0] ? 1 : 0);

		tui_put(w, y, 0, A_BOLD, "why");
		y += tui_wrap(w, y, 5, width - 5, room > 3 ? 3 : room, A_NORMAL, f->why);
	}
	if (y > rows)
		return;
	if (f->fix[0]) {
		tui_put(w, y, 0, A_BOLD, "fix");
		tui_wrap(w, y, 5, width - 5, rows - y + 1, A_NORMAL, f->fix);
	} else {
		tui_put(w, y, 0, A_DIM, "nothing to fix");
	}
}
