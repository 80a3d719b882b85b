/* screen_host.c - the Host tab: the topology map (nodes as boxes, L3 groups, cores
 * with their threads, memory, hugepages, NICs), also drawn by Plan and Monitor
 *
 * Boxes sit side by side as far as the width allows (at least MAP_BOX_MIN
 * columns each).  A core is "[0 16]": its SMT threads.  When a node's cores do
 * not fit the rows, each L3 group becomes one line of CPU ranges (or, on a
 * map with marks, a strip of one mark per CPU in id order), cut with "..."
 * if even that is too long; the rows of boxes scroll to keep the
 * selected node in view.
 */
#include "tui/screens/tui.h"
#include "probe/strfmt.h"

#include <inttypes.h>
#include <curses.h>
#include <stdio.h>
#include <string.h>

#define MAP_BOX_MIN   38
#define MAP_MAX_LINES 512

/* Where a box is drawn: NULL @w measures only. */
struct box {
	WINDOW *w;
	int y0, x0;    /* top-left inside the border */
	int inner;     /* text columns */
	int budget;    /* text rows it may use */
	int line, col; /* the cursor, relative */
	bool ascii;
};

static void box_newline(struct box *b)
{
	b->line++;
	b->col = 0;
}

/* Places @s on the current line, wrapping to a new one first when it does not fit. */
static void box_word(struct box *b, const char *s, attr_t a, int width)
{
	if (b->col > 0 && b->col + 1 + width > b->inner)
		box_newline(b);
	else if (b->col > 0)
		b->col++;
	if (b->w && b->line < b->budget)
		tui_put(b->w, b->y0 + b->line, b->x0 + b->col, a, s);
	b->col += width;
}

/* A whole line, cut at the box's width. */
static void box_line(struct box *b, attr_t a, const char *s)
{
	if (b->col > 0)
		box_newline(b);
	if (b->w && b->line < b->budget) {
		char cut[512];
		int len = (int)strlen(s);

		if (len > b->inner && b->inner > 3)
			snprintf(cut, sizeof(cut), "%.*s...", b->inner - 3, s);
		else
			snprintf(cut, sizeof(cut), "%.*s", b->inner, s);
		tui_put(b->w, b->y0 + b->line, b->x0, a, cut);
	}
	box_newline(b);
}

static void fmt_kib(uint64_t kib, char *buf, size_t size)
{
	if (kib >= 1024 * 1024)
		snprintf(buf, size, "%.1f GiB", (double)kib / (1024.0 * 1024.0));
	else
		snprintf(buf, size, "%" PRIu64 " MiB", kib / 1024);
}

/* One core: "[0 16]", or with marks "[0A 16A]"; draws when b->w. */
static void core_word(struct box *b, const struct tui_model *m, const struct idset *threads,
		      tui_cpu_mark mark)
{
	char text[160] = "[";
	int width, x;

	for (int id = idset_next(threads, 0); id >= 0; id = idset_next(threads, (unsigned)id + 1)) {
		attr_t a;
		char mk = mark ? mark(m, (unsigned)id, &a) : '\0';

		/* a digit mark (the monitor's load) gets a ':' to part it from the id */
		strfmt_cat(text, sizeof(text), "%s%d%s%s", text[1] ? " " : "", id,
			   mk >= '0' && mk <= '9' ? ":" : "", mk ? (char[2]){mk, '\0'} : "");
	}
	strfmt_cat(text, sizeof(text), "]");
	width = (int)strlen(text);
	if (!mark || !b->w) {
		box_word(b, text, A_NORMAL, width);
		return;
	}
	/* Marked: each CPU in its owner's attribute. */
	box_word(b, "", A_NORMAL, width);
	if (b->line >= b->budget)
		return;
	x = b->x0 + b->col - width;
	tui_put(b->w, b->y0 + b->line, x++, A_NORMAL, "[");
	for (int id = idset_next(threads, 0); id >= 0; id = idset_next(threads, (unsigned)id + 1)) {
		attr_t a = A_NORMAL;
		char mk = mark(m, (unsigned)id, &a), one[24];

		if (x > b->x0 + b->col - width + 1)
			tui_put(b->w, b->y0 + b->line, x++, A_NORMAL, " ");
		snprintf(one, sizeof(one), "%d%s%c", id, mk >= '0' && mk <= '9' ? ":" : "", mk);
		tui_put(b->w, b->y0 + b->line, x, a, one);
		x += (int)strlen(one);
	}
	tui_put(b->w, b->y0 + b->line, x, A_NORMAL, "]");
}

/* The L3 groups of node @n, in order of their first CPU (-1: unknown). */
static size_t node_l3s(const struct host *h, const struct node *n, int *l3, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < h->ncpus; i++) {
		size_t j;

		if (!idset_has(&n->cpus, h->cpus[i].id))
			continue;
		for (j = 0; j < k && l3[j] != h->cpus[i].l3; j++)
			;
		if (j == k && k < max)
			l3[k++] = h->cpus[i].l3;
	}
	return k;
}

/* The CPUs of group @l3 of node @n in list format. */
static void group_cpus(const struct host *h, const struct node *n, int l3, char *buf, size_t size)
{
	struct idset all;

	idset_clear(&all);
	for (size_t i = 0; i < h->ncpus; i++)
		if (idset_has(&n->cpus, h->cpus[i].id) && h->cpus[i].l3 == l3)
			idset_add(&all, h->cpus[i].id);
	idset_format(&all, buf, size);
}

/* The cores of group @l3 of node @n, each as its set of threads, by first thread. */
static void group_cores(struct box *b, const struct tui_model *m, const struct node *n, int l3,
			tui_cpu_mark mark)
{
	const struct host *h = &m->host;
	struct idset done;

	idset_clear(&done);
	for (size_t i = 0; i < h->ncpus; i++) {
		const struct cpu *c = &h->cpus[i];
		struct idset threads;

		if (!idset_has(&n->cpus, c->id) || c->l3 != l3 || idset_has(&done, c->id))
			continue;
		idset_clear(&threads);
		if (c->core >= 0) {
			threads = host_siblings(h, c->id);
			idset_and(&threads, &n->cpus);
		}
		if (idset_empty(&threads))
			idset_add(&threads, c->id);
		idset_or(&done, &threads);
		core_word(b, m, &threads, mark);
	}
}

/* The text of node @n into @b; returns the rows it takes. */
static int node_body(struct box *b, const struct tui_model *m, const struct node *n, bool compact,
		     tui_cpu_mark mark)
{
	const struct host *h = &m->host;
	char line[256], t[32], f[32];
	int l3[64];
	size_t nl3 = node_l3s(h, n, l3, 64);

	b->line = b->col = 0;
	if (n->mem_known) {
		fmt_kib(n->mem_total_kib, t, sizeof(t));
		fmt_kib(n->mem_free_kib, f, sizeof(f));
		snprintf(line, sizeof(line), "mem %s, %s free", t, f);
	} else {
		snprintf(line, sizeof(line), "mem unknown");
	}
	box_line(b, A_NORMAL, line);
	if (n->npools) {
		/* one word per pool, so that a narrow box wraps between pools */
		box_word(b, "hugepages free/total", A_NORMAL, 20);
		for (size_t i = 0; i < n->npools; i++) {
			snprintf(line, sizeof(line), "%s %" PRIu64 "/%" PRIu64 "%s",
				 strfmt_page_kib(n->pools[i].size_kib, t, sizeof(t)),
				 n->pools[i].free, n->pools[i].total, i + 1 < n->npools ? "," : "");
			box_word(b, line, A_NORMAL, (int)strlen(line));
		}
		box_newline(b);
	}
	if (idset_empty(&n->cpus))
		box_line(b, A_DIM, "no CPUs (memory only)");
	for (size_t g = 0; g < nl3; g++) {
		if (l3[g] >= 0)
			snprintf(line, sizeof(line), "L3 #%d", l3[g]);
		else
			snprintf(line, sizeof(line), "L3 ?");
		if (compact && mark) {
			/* a strip: one mark per CPU of the group, in id order */
			if (b->col > 0)
				box_newline(b);
			box_word(b, line, A_BOLD, (int)strlen(line));
			b->col++;
			for (size_t i = 0; i < h->ncpus; i++) {
				attr_t a = A_NORMAL;
				char one[2] = {0, 0};

				if (!idset_has(&n->cpus, h->cpus[i].id) || h->cpus[i].l3 != l3[g])
					continue;
				one[0] = mark(m, h->cpus[i].id, &a);
				if (b->col >= b->inner)
					box_newline(b);
				if (b->w && b->line < b->budget)
					tui_put(b->w, b->y0 + b->line, b->x0 + b->col, a, one);
				b->col++;
			}
			box_newline(b);
			continue;
		}
		if (compact) {
			/* one line per L3 group: its label and its CPUs as ranges */
			char list[192];

			group_cpus(h, n, l3[g], list, sizeof(list));
			strfmt_cat(line, sizeof(line), " %s", list);
			box_line(b, A_NORMAL, line);
			continue;
		}
		if (nl3 > 1) {
			if (b->col > 0)
				box_newline(b);
			box_word(b, line, A_BOLD, (int)strlen(line));
			box_newline(b);
		}
		group_cores(b, m, n, l3[g], mark);
		if (b->col > 0)
			box_newline(b);
	}
	for (size_t i = 0; i < h->virt.nnics; i++) {
		const struct nic *nic = &h->virt.nics[i];

		if (nic->numa_node != (int)n->id || nic->is_vf)
			continue;
		snprintf(line, sizeof(line), "nic %s %s %s", nic->name,
			 nic->driver[0] ? nic->driver : "?", nic->pci);
		if (nic->sriov_total)
			strfmt_cat(line, sizeof(line), " VFs %u/%u", nic->sriov_num,
				   nic->sriov_total);
		box_line(b, A_NORMAL, line);
	}
	return b->line;
}

static void box_border(WINDOW *w, int y, int x, int hgt, int wd, bool ascii, attr_t title_attr,
		       const char *title)
{
	if (ascii) {
		for (int c = x + 1; c < x + wd - 1; c++) {
			mvwaddch(w, y, c, '-');
			mvwaddch(w, y + hgt - 1, c, '-');
		}
		for (int r = y + 1; r < y + hgt - 1; r++) {
			mvwaddch(w, r, x, '|');
			mvwaddch(w, r, x + wd - 1, '|');
		}
		mvwaddch(w, y, x, '+');
		mvwaddch(w, y, x + wd - 1, '+');
		mvwaddch(w, y + hgt - 1, x, '+');
		mvwaddch(w, y + hgt - 1, x + wd - 1, '+');
	} else {
		mvwhline(w, y, x + 1, ACS_HLINE, wd - 2);
		mvwhline(w, y + hgt - 1, x + 1, ACS_HLINE, wd - 2);
		mvwvline(w, y + 1, x, ACS_VLINE, hgt - 2);
		mvwvline(w, y + 1, x + wd - 1, ACS_VLINE, hgt - 2);
		mvwaddch(w, y, x, ACS_ULCORNER);
		mvwaddch(w, y, x + wd - 1, ACS_URCORNER);
		mvwaddch(w, y + hgt - 1, x, ACS_LLCORNER);
		mvwaddch(w, y + hgt - 1, x + wd - 1, ACS_LRCORNER);
	}
	tui_put(w, y, x + 2, title_attr, title);
}

void tui_map_draw(WINDOW *w, const struct tui_model *m, const struct view *v, int top, int rows,
		  int sel_node, tui_cpu_mark mark)
{
	const struct host *h = &m->host;
	int width = getmaxx(w), ncol, bw, nrow, first = 0, used = 0, sel;
	int heights[MAP_MAX_LINES];
	bool compact[MAP_MAX_LINES];

	if (!m->have_host || h->nnodes == 0 || rows < 3)
		return;
	ncol = width / MAP_BOX_MIN;
	if (ncol < 1)
		ncol = 1;
	if ((size_t)ncol > h->nnodes)
		ncol = (int)h->nnodes;
	bw = width / ncol;
	nrow = (int)((h->nnodes + (size_t)ncol - 1) / (size_t)ncol);
	if (nrow > MAP_MAX_LINES)
		nrow = MAP_MAX_LINES;
	/* Height of each row of boxes, full and compact; a node whose cores
	 * overflow the window is compact, and so is every node when the full
	 * boxes would not all fit (ranges beat scrolling). */
	for (int pass = 0; pass < 2; pass++) {
		int total = 0;

		for (int r = 0; r < nrow; r++) {
			heights[r] = 0;
			if (pass == 0)
				compact[r] = false;
			for (int c = 0; c < ncol; c++) {
				size_t i = (size_t)r * (size_t)ncol + (size_t)c;
				struct box b = {.inner = bw - 4, .budget = MAP_MAX_LINES};
				int hgt;

				if (i >= h->nnodes)
					break;
				hgt = node_body(&b, m, &h->nodes[i], compact[r], mark);
				if (hgt + 2 > rows && !compact[r]) {
					compact[r] = true;
					c = -1; /* measure the row again, compact */
					heights[r] = 0;
					continue;
				}
				if (hgt + 2 > rows)
					hgt = rows - 2;
				if (hgt + 2 > heights[r])
					heights[r] = hgt + 2;
			}
			total += heights[r];
		}
		if (total <= rows || pass == 1)
			break;
		for (int r = 0; r < nrow; r++)
			compact[r] = true;
	}
	sel = sel_node >= 0 && (size_t)sel_node < h->nnodes ? sel_node / ncol : 0;
	for (int r = first; r <= sel; r++)
		used += heights[r];
	while (used > rows && first < sel)
		used -= heights[first++];
	for (int r = first, y = top; r < nrow && y + 2 < top + rows; r++) {
		int hgt = heights[r] < top + rows - y ? heights[r] : top + rows - y;

		for (int c = 0; c < ncol; c++) {
			size_t i = (size_t)r * (size_t)ncol + (size_t)c;
			const struct node *n;
			char title[96], list[64];
			struct box b;

			if (i >= h->nnodes)
				break;
			n = &h->nodes[i];
			snprintf(title, sizeof(title), " node %u: %u CPUs %s ", n->id,
				 idset_count(&n->cpus), idset_format(&n->cpus, list, sizeof(list)));
			if ((int)strlen(title) > bw - 4)
				snprintf(title, sizeof(title), " node %u: %u CPUs ", n->id,
					 idset_count(&n->cpus));
			box_border(w, y, c * bw, hgt, bw, v->ascii,
				   (int)i == sel_node ? A_REVERSE | A_BOLD : A_BOLD, title);
			b = (struct box){.w = w,
					 .y0 = y + 1,
					 .x0 = c * bw + 2,
					 .inner = bw - 4,
					 .budget = hgt - 2,
					 .ascii = v->ascii};
			if (node_body(&b, m, n, compact[r], mark) > hgt - 2 && hgt > 2)
				tui_put(w, y + hgt - 2, c * bw + bw - 6, A_BOLD, "...");
		}
		y += hgt;
	}
	if (first > 0)
		tui_putf(w, top, width - 14, A_BOLD, " %d above ", first * ncol);
}

void screen_host_draw(WINDOW *w, const struct tui_model *m, const struct view *v)
{
	const struct host *h = &m->host;
	const struct topo *t = &h->topo;
	int rows = tui_frame(w, m, v);
	char line[512], unk[] = "?";

	if (rows < 1)
		return;
	if (!m->have_host) {
		tui_put(w, 1, 0, A_NORMAL, "no host snapshot (r to probe again)");
		return;
	}
	snprintf(line, sizeof(line), "%zu node%s", h->nnodes, h->nnodes == 1 ? "" : "s");
	if (t->npackages)
		strfmt_cat(line, sizeof(line), ", %u package%s", t->npackages,
			   t->npackages == 1 ? "" : "s");
	if (t->ncores)
		strfmt_cat(line, sizeof(line), ", %u cores", t->ncores);
	strfmt_cat(line, sizeof(line), ", %zu CPUs", h->ncpus);
	if (t->nl3)
		strfmt_cat(line, sizeof(line), ", %u L3", t->nl3);
	strfmt_cat(line, sizeof(line), "  %s %s", t->arch[0] ? t->arch : unk,
		   t->model[0] ? t->model : "");
	tui_put(w, 1, 0, A_NORMAL, line);
	tui_map_draw(w, m, v, 2, rows - 1, v->selected, NULL);
}
