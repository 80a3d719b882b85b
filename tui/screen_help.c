/* screen_help.c - the help screen: the key table of view.c, as it is */
#include "tui/tui.h"

#include <stdio.h>
#include <string.h>

void screen_help_draw(WINDOW *w, const struct tui_model *m, const struct view *v)
{
	int rows = tui_frame(w, m, v), width = getmaxx(w), y = 1, first;
	const struct view_binding *b;
	size_t nb;

	if (rows < 1)
		return;
	tui_put(w, y++, 0, A_BOLD, "keys (? again: back to the tab)");
	b = view_bindings(&nb);
	first = tui_first_row(v, (int)nb, rows - 3);
	for (size_t i = 0; i < nb && y <= rows - 2; i++) {
		if (!b[i].name[0] || (int)i < first)
			continue;	/* KEY_RESIZE has no name: nobody types it */
		tui_putf(w, y++, 2, (int)i == v->selected ? A_REVERSE : A_NORMAL, "%-6s %s",
			 b[i].name, b[i].what);
	}
	tui_wrap(w, rows - 1, 0, width, 2, A_DIM,
		 "Host: nodes, L3 groups, cores [threads], memory, hugepages free/total, NICs. "
		 "Plan: A, B... = the VM on each CPU, h = housekeeping.");
}
