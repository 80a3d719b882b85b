/* tui.c - 'hvtune tui': the model, the drawing helpers of the screens, and the stages
 *
 * Only this file and the loop (tui_loop.c) run stages.  A probe goes into a
 * fresh struct host that is swapped in only on success, so a screen never
 * sees a half-read host; every failure becomes the status line.  A sample
 * (probe/sample.h) keeps the rates against the previous one; its clock is
 * the loop's, passed in.
 */
#include "tui/screens/tui.h"
#include "tui/screens/vmsproc.h"
#include "probe/fsroot.h"
#include "probe/lv.h"
#include "probe/sample.h"
#include "probe/strfmt.h"

#include <assert.h>
#include <curses.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static_assert(_Generic((attr_t)0, unsigned : 1, default : 0),
	      "tui.h passes attributes as unsigned: attr_t must be unsigned int");

void tui_model_init(struct tui_model *m)
{
	memset(m, 0, sizeof(*m));
	strfmt_set(m->root, sizeof(m->root), "/");
	strfmt_set(m->state_dir, sizeof(m->state_dir), "%s", JOURNAL_DIR);
	profile_default(&m->profile);
	plan_init(&m->plan);
	changeset_init(&m->cs);
}

static void journals_release(struct tui_model *m)
{
	for (size_t i = 0; i < m->njournals; i++)
		journal_release(&m->journals[i]);
	free(m->journals);
	m->journals = NULL;
	m->njournals = 0;
}

void tui_model_release(struct tui_model *m)
{
	if (m->have_host)
		host_release(&m->host);
	m->have_host = false;
	free(m->findings);
	m->findings = NULL;
	m->nfindings = 0;
	plan_release(&m->plan);
	m->have_plan = false;
	free(m->reqs);
	m->reqs = NULL;
	m->nreqs = 0;
	sample_release(&m->last);
	m->have_last = false;
	sample_rates_release(&m->rates);
	m->have_rates = false;
	changeset_release(&m->cs);
	m->have_cs = false;
	journals_release(m);
}

/* ---- drawing helpers shared by the screens ---- */

bool tui_colors(void)
{
	static const short vm_fg[TUI_VM_COLORS] = {
	    COLOR_BLUE, COLOR_MAGENTA, COLOR_CYAN, COLOR_GREEN, COLOR_YELLOW, COLOR_RED,
	};

	if (!has_colors() || start_color() == ERR)
		return false;
	use_default_colors();
	init_pair(PAIR_PASS, COLOR_GREEN, -1);
	init_pair(PAIR_INFO, COLOR_CYAN, -1);
	init_pair(PAIR_WARN, COLOR_YELLOW, -1);
	init_pair(PAIR_FAIL, COLOR_RED, -1);
	init_pair(PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_HOUSEKEEPING, COLOR_BLACK, COLOR_WHITE);
	for (short i = 0; i < TUI_VM_COLORS; i++)
		init_pair((short)(PAIR_VM0 + i), COLOR_WHITE, vm_fg[i]);
	return true;
}

attr_t tui_level_attr(const struct tui_model *m, enum level l)
{
	static const short pairs[LEVEL_COUNT] = {PAIR_PASS, PAIR_INFO, PAIR_WARN, PAIR_FAIL};
	/* Without colour a FAIL stands out reversed and a WARN bold; PASS and INFO plain. */
	static const attr_t mono[LEVEL_COUNT] = {A_NORMAL, A_NORMAL, A_BOLD, A_REVERSE};

	if ((unsigned)l >= LEVEL_COUNT)
		return A_NORMAL;
	return m->color ? (attr_t)COLOR_PAIR(pairs[l]) | A_BOLD : mono[l];
}

attr_t tui_vm_attr(const struct tui_model *m, size_t i)
{
	return m->color ? (attr_t)COLOR_PAIR(PAIR_VM0 + (int)(i % TUI_VM_COLORS)) : A_NORMAL;
}

char tui_vm_letter(size_t i)
{
	return (char)(i < 26 ? 'A' + i : '*');
}

/* Every text of every screen passes here, escaped (strfmt_esc()): ncurses
 * would move to the next row on a '\n' in a VM name, and bytes that are
 * not UTF-8 are no characters to draw.  No row is wider than the buffer. */
void tui_put(WINDOW *w, int y, int x, attr_t a, const char *s)
{
	int room = getmaxx(w) - x;
	char shown[4096];

	if (y < 0 || y >= getmaxy(w) || x < 0 || room <= 0)
		return;
	wattrset(w, (int)a);
	mvwaddnstr(w, y, x, strfmt_esc(s, shown, sizeof(shown)), room);
	wattrset(w, A_NORMAL);
}

void tui_putf(WINDOW *w, int y, int x, attr_t a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tui_put(w, y, x, a, buf);
}

int tui_wrap(WINDOW *w, int y, int x, int width, int maxrows, attr_t a, const char *s)
{
	int used = 0;

	while (*s && used < maxrows && width > 3) {
		int len = (int)strlen(s), cut = len;
		char line[1024];

		if (len > width) {
			cut = width;
			while (cut > 0 && s[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = width;
		}
		if (used == maxrows - 1 && len > width)
			snprintf(line, sizeof(line), "%.*s...", width - 3, s);
		else
			snprintf(line, sizeof(line), "%.*s", cut, s);
		tui_put(w, y + used, x, a, line);
		used++;
		s += cut;
		while (*s == ' ')
			s++;
	}
	return used;
}

int tui_first_row(const struct view *v, int n, int height)
{
	int first = v->scroll, sel = v->selected;

	if (height < 1 || n <= height)
		return 0;
	if (sel >= n)
		sel = n - 1;
	if (first > sel)
		first = sel;
	if (sel >= first + height)
		first = sel - height + 1;
	if (first > n - height)
		first = n - height;
	return first < 0 ? 0 : first;
}

int tui_frame(WINDOW *w, const struct tui_model *m, const struct view *v)
{
	int h = getmaxy(w), wd = getmaxx(w), x = 0;
	const struct view_binding *b;
	char foot[256] = "";
	size_t nb;

	werase(w);
	if (h < 4 || wd < 20) {
		tui_put(w, 0, 0, A_NORMAL, "window too small");
		return 0;
	}
	tui_put(w, 0, 0, A_BOLD, "hvtune");
	x = 7;
	for (int s = 0; s < SCREEN_HELP; s++) {
		char tab[24];
		attr_t a = s == (int)v->screen ? A_REVERSE | A_BOLD : A_NORMAL;

		snprintf(tab, sizeof(tab), " %d %s ", s + 1, screen_name((enum view_screen)s));
		tui_put(w, 0, x, a, tab);
		x += (int)strlen(tab);
	}
	if (x + 2 < wd) {
		char where[FS_PATH_MAX + 8];
		int len;

		snprintf(where, sizeof(where), "%s", m->root);
		len = (int)strlen(where);
		if (len > wd - x - 2) /* keep the end of a long root: the capture's name */
			tui_put(w, 0, x + 1, A_DIM, where + len - (wd - x - 2));
		else
			tui_put(w, 0, wd - len, A_DIM, where);
	}
	tui_put(w, h - 2, 0, A_BOLD, v->status);
	b = view_bindings(&nb);
	for (size_t i = 0; i < nb; i++)
		if (b[i].footer)
			strfmt_cat(foot, sizeof(foot), "%s%s %s", foot[0] ? "  " : "", b[i].name,
				   b[i].footer);
	tui_put(w, h - 1, 0, A_REVERSE, foot);
	wattrset(w, A_REVERSE);
	for (int c = (int)strlen(foot); c < wd; c++)
		mvwaddch(w, h - 1, c, ' ');
	wattrset(w, A_NORMAL);
	return h - 3;
}

void tui_draw(WINDOW *w, const struct tui_model *m, const struct view *v)
{
	static void (*const draw[SCREEN_COUNT])(WINDOW *, const struct tui_model *,
						const struct view *) = {
	    [SCREEN_HOST] = screen_host_draw,	    [SCREEN_CHECKS] = screen_checks_draw,
	    [SCREEN_PLAN] = screen_plan_draw,	    [SCREEN_APPLY] = screen_apply_draw,
	    [SCREEN_MONITOR] = screen_monitor_draw, [SCREEN_HELP] = screen_help_draw,
	};

	draw[v->screen < SCREEN_COUNT ? v->screen : SCREEN_HOST](w, m, v);
}

int tui_rows(const struct tui_model *m, const struct view *v)
{
	size_t nb;

	switch (v->screen) {
	case SCREEN_HOST:
		return m->have_host ? (int)m->host.nnodes : 0;
	case SCREEN_CHECKS:
		return (int)m->nfindings;
	case SCREEN_PLAN:
		return m->have_plan ? (int)m->plan.nvms : 0;
	case SCREEN_APPLY:
		return m->have_cs ? (int)(m->cs.ndomains + m->cs.nwrites + m->plan.ncmdline) : 0;
	case SCREEN_MONITOR:
		return m->have_rates ? (int)m->rates.nvms : 0;
	case SCREEN_HELP:
		view_bindings(&nb);
		return (int)nb;
	case SCREEN_COUNT:
		break;
	}
	return 0;
}

/* ---- the stages ---- */

/* The running domains as requests to re-plan (when no --vm was given). */
static int reqs_from_vms(struct tui_model *m, struct err *e)
{
	struct vm_request *r = NULL;

	if (m->host.nvms) {
		r = calloc(m->host.nvms, sizeof(*r));
		if (!r)
			return err_set(e, ENOMEM, "cannot list the running VMs");
	}
	for (size_t i = 0; i < m->host.nvms; i++) {
		strfmt_set(r[i].name, sizeof(r[i].name), "%s", m->host.vms[i].name);
		r[i].vcpus = m->host.vms[i].vcpus;
		r[i].mem_kib = m->host.vms[i].mem_kib;
	}
	free(m->reqs);
	m->reqs = r;
	m->nreqs = m->host.nvms;
	return 0;
}

/* Takes @fresh (when not NULL) as the host, then checks, plans and resets
 * the samples for m->host.  On failure @fresh is released and the model
 * keeps what it had. */
static int adopt(struct tui_model *m, struct host *fresh, struct err *e)
{
	struct finding *fs = NULL;
	size_t nfs = 0;

	if (check_host(fresh ? fresh : &m->host, &fs, &nfs, e) < 0) {
		if (fresh)
			host_release(fresh);
		return -1;
	}
	if (fresh) {
		if (m->have_host)
			host_release(&m->host);
		m->host = *fresh;
		m->have_host = true;
	}
	/* the samples follow the old host's CPUs and VMs: start again */
	sample_release(&m->last);
	m->have_last = false;
	m->nsamples = 0;
	sample_rates_release(&m->rates);
	m->have_rates = false;
	strfmt_set(m->rates_why, sizeof(m->rates_why), "sampling...");
	free(m->findings);
	m->findings = fs;
	m->nfindings = nfs;
	if (strcmp(m->reqs_from, "--vm") != 0 && m->host.vms_known) {
		if (reqs_from_vms(m, e) < 0)
			return -1;
		strfmt_set(m->reqs_from, sizeof(m->reqs_from), "libvirt");
	}
	return tui_plan(m, e);
}

int tui_rescan(struct tui_model *m, struct err *e)
{
	struct fsroot r = FSROOT_INIT;
	struct host fresh;

	if (fsroot_open(&r, m->root, e) < 0)
		return -1;
	if (host_probe(&fresh, &r, e) < 0) {
		fsroot_close(&r);
		return -1;
	}
	fsroot_close(&r);
	return adopt(m, &fresh, e);
}

int tui_vms_changed(struct tui_model *m, struct err *e)
{
	if (!m->have_host)
		return err_set(e, 0, "no host snapshot for the VMs");
	return adopt(m, NULL, e);
}

int tui_prepare(struct tui_model *m, struct lv *c, struct err *e)
{
	struct fsroot r = FSROOT_INIT;
	struct domxml_opts xo;
	struct changeset fresh;

	if (!m->have_plan) {
		changeset_release(&m->cs);
		m->have_cs = false;
		strfmt_set(m->cs_why, sizeof(m->cs_why), "%s", m->plan_why);
		return 0;
	}
	apply_opts(&m->profile, &xo);
	if (fsroot_open(&r, m->root, e) < 0)
		goto fail;
	changeset_init(&fresh);
	if (apply_prepare(&m->plan, &xo, &r, c, &fresh, e) < 0) {
		fsroot_close(&r);
		changeset_release(&fresh);
		goto fail;
	}
	fsroot_close(&r);
	changeset_release(&m->cs);
	m->cs = fresh;
	m->have_cs = true;
	m->cs_why[0] = '\0';
	return 0;
fail:
	changeset_release(&m->cs);
	m->have_cs = false;
	strfmt_set(m->cs_why, sizeof(m->cs_why), "no change set: %s", e->msg);
	return -1;
}

int tui_journals(struct tui_model *m, struct err *e)
{
	struct journal *js;
	size_t n;

	if (journal_list(m->state_dir, &js, &n, e) < 0) {
		strfmt_set(m->journals_why, sizeof(m->journals_why), "%s", e->msg);
		return -1;
	}
	journals_release(m);
	m->journals = js;
	m->njournals = n;
	m->journals_why[0] = '\0';
	return 0;
}

int tui_plan(struct tui_model *m, struct err *e)
{
	struct plan fresh;

	if (!m->have_host) {
		strfmt_set(m->plan_why, sizeof(m->plan_why), "no host snapshot to plan on");
		return 0;
	}
	if (m->nreqs == 0) {
		plan_release(&m->plan);
		m->have_plan = false;
		strfmt_set(m->plan_why, sizeof(m->plan_why),
			   "no VMs to place: start with --vm NAME:vcpus=N,mem=SIZE");
		return 0;
	}
	if (plan_compute(&m->host, &m->profile, m->reqs, m->nreqs, NULL, &fresh, e) < 0) {
		strfmt_set(m->plan_why, sizeof(m->plan_why), "%s", e->msg);
		return -1;
	}
	plan_release(&m->plan);
	m->plan = fresh;
	m->have_plan = true;
	m->plan_why[0] = '\0';
	return 0;
}

static int sample_failed(struct tui_model *m, struct err *e)
{
	/* the Monitor tab says why there is nothing to show */
	strfmt_set(m->rates_why, sizeof(m->rates_why), "%s", e->msg);
	return -1;
}

int tui_sample(struct tui_model *m, uint64_t now_ns, struct err *e)
{
	struct fsroot r = FSROOT_INIT;
	struct sample fresh;
	struct rates rt;

	if (!m->have_host)
		return err_set(e, 0, "no host snapshot to sample");
	if (fsroot_open(&r, m->root, e) < 0)
		return sample_failed(m, e);
	if (sample_read(&fresh, &r, &m->host, now_ns, e) < 0) {
		fsroot_close(&r);
		return sample_failed(m, e);
	}
	/* numa_maps walks every mapping of a guest: only every few samples */
	if (m->nsamples % SAMPLE_NUMA_EVERY == 0
		? sample_read_numa(&fresh, &r, e) < 0
		: m->have_last && sample_keep_numa(&fresh, &m->last, e) < 0) {
		fsroot_close(&r);
		sample_release(&fresh);
		return sample_failed(m, e);
	}
	fsroot_close(&r);
	if (m->have_last) {
		if (sample_rates(&rt, &m->last, &fresh, e) < 0) {
			sample_release(&fresh);
			return -1;
		}
		sample_rates_release(&m->rates);
		m->rates = rt;
		m->have_rates = true;
		m->rates_why[0] = '\0';
	}
	sample_release(&m->last);
	m->last = fresh;
	m->have_last = true;
	m->nsamples++;
	return 0;
}
