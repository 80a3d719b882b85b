/* screen_apply.c - the Apply tab: the change set of the current plan (domain XML
 * diffs, live pins, host file writes), the boot options it advises, and the
 * journals that 'u' rolls back
 *
 * 'a' applies after a y/N question and 'u' rolls the newest journal back;
 * the loop (tui_loop.c) does both.  This file only shows the change set.
 */
#include "tui/screens/tui.h"
#include "probe/strfmt.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

/* Rows at least for the selected item's details; and for the journals. */
#define APPLY_DETAIL_ROWS  8
#define APPLY_JOURNAL_ROWS 2

static size_t count_lines(const char *s, size_t *plus, size_t *minus)
{
	size_t n = 0;

	*plus = *minus = 0;
	for (const char *p = s; p && *p; n++) {
		const char *nl = strchr(p, '\n');

		if (p[0] == '+' && p[1] != '+')
			(*plus)++;
		else if (p[0] == '-' && p[1] != '-')
			(*minus)++;
		p = nl ? nl + 1 : p + strlen(p);
	}
	return n;
}

/* One row of the list: item @i of domains, then writes, then boot options. */
static void item_row(WINDOW *w, const struct tui_model *m, size_t i, int y, attr_t a)
{
	const struct changeset *cs = &m->cs;
	int width = getmaxx(w);

	tui_putf(w, y, 0, a, "%-*s", width, "");
	if (i < cs->ndomains) {
		const struct apply_domain *d = &cs->domains[i];
		size_t plus, minus;

		count_lines(d->diff, &plus, &minus);
		tui_putf(w, y, 0, a, "domain %s: XML +%zu -%zu, %zu live pin(s)%s%s", d->name, plus,
			 minus, d->npins, d->pin_emulator ? ", emulator pin" : "",
			 d->active ? " (running)" : "");
		return;
	}
	i -= cs->ndomains;
	if (i < cs->nwrites) {
		tui_putf(w, y, 0, a, "write %s: %s -> %s", cs->writes[i].path,
			 cs->writes[i].old_value, cs->writes[i].new_value);
		return;
	}
	i -= cs->nwrites;
	tui_putf(w, y, 0, a, "boot  %s (advice: needs a reboot, never applied)",
		 m->plan.cmdline[i].arg);
}

/* The details of the selected item from row @y to row @last. */
static void item_details(WINDOW *w, const struct tui_model *m, size_t i, int y, int last)
{
	const struct changeset *cs = &m->cs;
	int width = getmaxx(w);

	if (i < cs->ndomains) {
		const char *p = cs->domains[i].diff;

		/* the diff's first lines: what changes in the XML */
		while (p && *p && y <= last) {
			const char *nl = strchr(p, '\n');
			int len = nl ? (int)(nl - p) : (int)strlen(p);
			char line[512];
			attr_t a = p[0] == '+'	 ? tui_level_attr(m, LEVEL_PASS)
				   : p[0] == '-' ? tui_level_attr(m, LEVEL_FAIL)
						 : A_NORMAL;

			snprintf(line, sizeof(line), "%.*s", len < width ? len : width, p);
			tui_put(w, y++, 0, m->color ? a : A_NORMAL, line);
			p = nl ? nl + 1 : p + len;
		}
		return;
	}
	i -= cs->ndomains;
	tui_put(w, y, 0, A_BOLD, "why");
	tui_wrap(w, y, 5, width - 5, last - y + 1, A_NORMAL,
		 i < cs->nwrites ? cs->writes[i].reason : m->plan.cmdline[i - cs->nwrites].reason);
}

void screen_apply_draw(WINDOW *w, const struct tui_model *m, const struct view *v)
{
	const struct changeset *cs = &m->cs;
	int rows = tui_frame(w, m, v), width = getmaxx(w), y = 1, listh, first, n, bottom;

	if (rows < 1)
		return;
	if (!m->have_cs) {
		tui_wrap(w, y, 0, width, rows - APPLY_JOURNAL_ROWS, A_NORMAL,
			 m->cs_why[0] ? m->cs_why : "no change set");
	} else {
		n = (int)(cs->ndomains + cs->nwrites + m->plan.ncmdline);
		tui_putf(w, y++, 0, A_BOLD, "profile %s: %zu domain(s), %zu write(s) to apply%s",
			 m->plan.profile, cs->ndomains, cs->nwrites,
			 changeset_empty(cs) ? " (nothing: already so)" : "  (a: apply, asks y/N)");
		for (size_t i = 0; i < cs->nnotes && y < 3; i++)
			tui_put(w, y++, 0, A_DIM, cs->notes[i]);
		bottom = rows - APPLY_JOURNAL_ROWS; /* last row for the list and details */
		/* the list as long as it needs, the rest for the details (the diff) */
		listh = bottom - y + 1 - APPLY_DETAIL_ROWS;
		if (listh > n)
			listh = n;
		if (listh < 1)
			listh = 1;
		first = tui_first_row(v, n, listh);
		for (int r = 0; r < listh && first + r < n; r++)
			item_row(w, m, (size_t)(first + r), y + r,
				 first + r == v->selected ? A_REVERSE : A_NORMAL);
		y += listh;
		if (v->selected >= 0 && v->selected < n && y <= bottom) {
			mvwhline(w, y, 0, v->ascii ? '-' : ACS_HLINE, width);
			item_details(w, m, (size_t)v->selected, y + 1, bottom);
		}
	}
	/* the journals, newest first */
	y = rows - APPLY_JOURNAL_ROWS + 1;
	if (m->journals_why[0]) {
		tui_putf(w, y, 0, A_DIM, "journals: %s", m->journals_why);
		return;
	}
	if (m->njournals == 0) {
		tui_putf(w, y, 0, A_DIM, "no journals in %s", m->state_dir);
		return;
	}
	for (size_t k = 0; k < m->njournals && k < APPLY_JOURNAL_ROWS; k++) {
		const struct journal *j = &m->journals[m->njournals - 1 - k];

		tui_putf(w, y + (int)k, 0, A_DIM, "journal %s: %s, %zu step(s)%s", j->id,
			 journal_status_str(j->status), j->nsteps,
			 k == 0 ? "  (u: roll back, asks y/N)" : "");
	}
}
