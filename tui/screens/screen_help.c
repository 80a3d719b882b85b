/* screen_help.c - the help screen: the key table of view.c, as it is */
#include "tui/screens/tui.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

void screen_help_draw(WINDOW *w, const struct tui_model *m, const struct view *v)
{
	int rows = tui_frame(w, m, v), width = getmaxx(w), y = 2, per, ncols, n = 0;
	const struct view_binding *b;
	size_t nb;

	if (rows < 1)
		return;
	tui_put(w, 1, 0, A_BOLD, "keys (? again: back to the tab)");
	b = view_bindings(&nb);
	for (size_t i = 0; i < nb; i++)
		n += b[i].name[0] != '\0'; /* KEY_RESIZE has no name: nobody types it */
	/* as many columns of 40 as the keys need, when the rows are too few */
	per = rows - 3 > 1 ? rows - 3 : 1;
	ncols = (n + per - 1) / per;
	if (ncols > width / 40)
		ncols = width / 40 > 0 ? width / 40 : 1;
	per = (n + ncols - 1) / ncols;
	for (size_t i = 0, k = 0; i < nb; i++) {
		if (!b[i].name[0])
			continue;
		tui_putf(w, y + (int)k % per, 40 * ((int)k / per), A_NORMAL, "  %-6s %.30s",
			 b[i].name, b[i].what);
		k++;
	}
	tui_wrap(w, rows - 1, 0, width, 2, A_DIM,
		 "Host: nodes, L3 groups, cores [threads], memory, hugepages free/total, NICs. "
		 "Plan: A, B... = the VM on each CPU, h = housekeeping.");
}
