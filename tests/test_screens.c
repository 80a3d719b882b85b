/* test_screens.c - every TUI screen drawn headless and read back as text
 *
 * ncurses runs on /dev/null with TERM=xterm (newterm), each screen is drawn
 * into a newwin of 80x24 and 200x60 and read back row by row with
 * mvwinnstr().  The text is compared with tests/screens/<host>-<screen>-
 * <W>x<H>.txt: the golden files are the spec (regenerate them with
 * UPDATE_GOLDEN=1 and review the diff by eye).  Host literals need no files;
 * the captures are unpacked and skipped with a message when absent.  Boxes
 * are drawn in ASCII for the goldens; one test checks the line drawing.
 */
#include "tests/testutil.h"
#include "tests/hostlit.h"
#include "tui/cli/cli.h"
#include "tui/screens/tui.h"
#include "tui/screens/view.h"
#include "probe/fsroot.h"
#include "probe/strfmt.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static SCREEN *scr;
static FILE *out_null, *in_null;

static int setup_curses(void **state)
{
	(void)state;
	setenv("TERM", "xterm", 1);
	out_null = fopen("/dev/null", "w");
	in_null = fopen("/dev/null", "r");
	if (!out_null || !in_null)
		return -1;
	scr = newterm(NULL, out_null, in_null);
	return scr ? 0 : -1;
}

static int teardown_curses(void **state)
{
	(void)state;
	endwin();
	delscreen(scr);
	fclose(out_null);
	fclose(in_null);
	return 0;
}

static const struct {
	enum view_screen screen;
	const char *name;
} screens[] = {
    {SCREEN_HOST, "host"},   {SCREEN_CHECKS, "checks"},	  {SCREEN_PLAN, "plan"},
    {SCREEN_APPLY, "apply"}, {SCREEN_MONITOR, "monitor"}, {SCREEN_HELP, "help"},
};
static const int sizes[][2] = {{80, 24}, {200, 60}};

/* The window as text, one line per row, trailing blanks cut. */
static char *window_text(WINDOW *w)
{
	int h = getmaxy(w), wd = getmaxx(w);
	size_t size = (size_t)h * (size_t)(wd + 1) + 1, len = 0;
	char *text = malloc(size);

	assert_non_null(text);
	for (int y = 0; y < h; y++) {
		char row[512];
		int n = mvwinnstr(w, y, 0, row, wd);

		assert_int_equal(n, wd); /* every cell is there: nothing drawn past */
		while (n > 0 && row[n - 1] == ' ')
			n--;
		memcpy(text + len, row, (size_t)n);
		len += (size_t)n;
		text[len++] = '\n';
	}
	text[len] = '\0';
	return text;
}

static void check_golden(const char *name, const char *text)
{
	char path[4096];
	const char *src = getenv("HVTUNE_SRC");
	FILE *f;
	char *want;
	long size;

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/tests/screens/%s.txt", src, name);
	if (getenv("UPDATE_GOLDEN")) {
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		return;
	}
	f = fopen(path, "r");
	if (!f)
		fail_msg("no golden file '%s' (run with UPDATE_GOLDEN=1)", path);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	want = malloc((size_t)size + 1);
	assert_non_null(want);
	assert_int_equal(fread(want, 1, (size_t)size, f), (size_t)size);
	want[size] = '\0';
	fclose(f);
	if (strcmp(want, text) != 0)
		fail_msg("screen '%s' differs from '%s':\n%s", name, path, text);
	free(want);
}

/* Plans two VMs on the model's host (the Plan and Apply tabs need a plan). */
static void model_plan(struct tui_model *m)
{
	static const char *const specs[] = {"vm0:vcpus=4,mem=4G", "vm1:vcpus=2,mem=2G"};
	struct err e = ERR_INIT;

	m->reqs = calloc(ARRAY_LEN(specs), sizeof(*m->reqs));
	assert_non_null(m->reqs);
	for (size_t i = 0; i < ARRAY_LEN(specs); i++)
		assert_ok(plan_parse_vm(&m->reqs[i], specs[i], &e), e);
	m->nreqs = ARRAY_LEN(specs);
	snprintf(m->reqs_from, sizeof(m->reqs_from), "--vm");
	assert_ok(tui_plan(m, &e), e);
}

/* Replaces each @from in @text by @to (no longer than @from): the findings
 * name the capture's temporary directory. */
static void replace_all(char *text, const char *from, const char *to)
{
	size_t lf = strlen(from), lt = strlen(to);
	char *p;

	if (lf == 0)
		return;
	while ((p = strstr(text, from)) != NULL) {
		memcpy(p, to, lt);
		memmove(p + lt, p + lf, strlen(p + lf) + 1);
	}
}

/* Draws every screen of @m at both sizes, checks the frame, compares with the
 * goldens; @tmp (may be "") is the temporary directory to write as "TMP". */
static void draw_all(struct tui_model *m, const char *host, const char *tmp)
{
	for (size_t s = 0; s < ARRAY_LEN(screens); s++) {
		for (size_t z = 0; z < ARRAY_LEN(sizes); z++) {
			WINDOW *w = newwin(sizes[z][1], sizes[z][0], 0, 0);
			struct view v;
			char name[256], *text, *foot;

			assert_non_null(w);
			view_init(&v);
			v.ascii = true;
			v.screen = screens[s].screen;
			v.page = sizes[z][1] - 5;
			tui_draw(w, m, &v);
			text = window_text(w);
			replace_all(text, tmp, "TMP");
			assert_true(strncmp(text, "hvtune  1 Host  2 Checks", 24) == 0);
			foot = strrchr(text, '\n');
			*foot = '\0';
			foot = strrchr(text, '\n') + 1;
			assert_string_equal(foot, "1-5 tabs  p profile  r rescan  ? help  q quit");
			*(foot + strlen(foot)) = '\n';
			snprintf(name, sizeof(name), "%s-%s-%dx%d", host, screens[s].name,
				 sizes[z][0], sizes[z][1]);
			check_golden(name, text);
			free(text);
			delwin(w);
		}
	}
}

static void test_hostlit_screens(void **state)
{
	static const struct {
		const char *name;
		unsigned nnodes, cores, threads, l3;
		enum hostlit_numbering numbering;
		bool nic;
	} hosts[] = {
	    {"lit-2n32", 2, 8, 2, 1, HOSTLIT_SPLIT, true}, /* the 80x24 must-fit case */
	    {"lit-1n8", 1, 4, 2, 1, HOSTLIT_ADJACENT, false},
	    {"lit-4n128-l3", 4, 16, 2, 4, HOSTLIT_SPLIT, false},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(hosts); i++) {
		struct hostlit_spec sp;
		struct tui_model m;
		struct err e = ERR_INIT;

		tui_model_init(&m);
		hostlit_default(&sp);
		sp.nnodes = hosts[i].nnodes;
		sp.cores_per_node = hosts[i].cores;
		sp.threads_per_core = hosts[i].threads;
		sp.l3_per_node = hosts[i].l3;
		sp.numbering = hosts[i].numbering;
		sp.hp2m_total = sp.hp2m_free = 1024;
		assert_ok(hostlit_build(&m.host, &sp, &e), e);
		if (hosts[i].nic)
			assert_ok(hostlit_add_nic(&m.host, "eth2", "0000:3b:00.0", 1, "40-47", &e),
				  e);
		m.have_host = true;
		assert_ok(check_host(&m.host, &m.findings, &m.nfindings, &e), e);
		model_plan(&m);
		snprintf(m.rates_why, sizeof(m.rates_why), "no samples of a host literal");
		snprintf(m.cs_why, sizeof(m.cs_why), "no change set: a host literal has no files");
		snprintf(m.journals_why, sizeof(m.journals_why), "none for a host literal");
		draw_all(&m, hosts[i].name, "");
		tui_model_release(&m);
	}
}

/* Captures lack most of the switches a plan writes (THP, NUMA balancing, IRQ
 * affinity): give the private copy each missing one, with "1" or THP's
 * bracketed choice as the value now, so that the change set has writes. */
static void add_knob_files(const struct plan *p, const char *root)
{
	for (size_t i = 0; i < p->nsettings; i++) {
		char path[8192], cmd[8300], *out;
		int status;
		FILE *f;

		strfmt_set(path, sizeof(path), "%s%s", root, p->settings[i].path);
		if (access(path, F_OK) == 0)
			continue;
		strfmt_set(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
		out = tu_run(cmd, &status);
		free(out);
		assert_int_equal(status, 0);
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(strstr(path, "transparent_hugepage") ? "always [madvise] never\n" : "1\n", f);
		fclose(f);
	}
}

static void test_capture_screens(void **state)
{
	static const char *const hosts[] = {
	    "2s-intel-xeon-silver4108-smt",
	    "desktop-amd-ryzen5-1600",
	    "arm64-kunpeng920-128c",
	};
	unsigned drawn = 0;
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(hosts); i++) {
		char root[4096], dir[4096];
		struct tui_model m;
		struct err e = ERR_INIT;

		if (!tu_unpack_host(hosts[i], root, sizeof(root))) {
			tu_skip_msg("capture '%s' is absent", hosts[i]);
			continue;
		}
		snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(root, '/') - root), root);
		tui_model_init(&m);
		snprintf(m.root, sizeof(m.root), "%s", root);
		assert_ok(tui_rescan(&m, &e), e);
		model_plan(&m);
		/* the change set on the capture (no libvirt: no domain), no journals yet */
		strfmt_set(m.state_dir, sizeof(m.state_dir), "%s/state", dir);
		/* a capture lacks files the plan would write: the tab says which */
		if (tui_prepare(&m, NULL, &e) == 0)
			fail_msg("'%s': a change set on a capture without the knobs", hosts[i]);
		assert_non_null(strstr(m.cs_why, root));
		/* with the files the change set is there (the writes, no domain) */
		add_knob_files(&m.plan, root);
		assert_ok(tui_prepare(&m, NULL, &e), e);
		assert_true(m.have_cs);
		assert_true(m.cs.nwrites > 0);
		assert_ok(tui_journals(&m, &e), e);
		/* two samples of a still capture: every counter equal, rates of 0;
		 * a capture without proc/stat cannot be sampled, and Monitor says why */
		if (tui_sample(&m, 1000000000u, &e) == 0) {
			assert_ok(tui_sample(&m, 2000000000u, &e), e);
			assert_true(m.have_rates);
		} else {
			assert_non_null(strstr(m.rates_why, "proc/stat"));
		}
		snprintf(m.root, sizeof(m.root), "%s", hosts[i]); /* the goldens name no temp dir */
		draw_all(&m, hosts[i], dir);
		tui_model_release(&m);
		tu_rmtree(dir);
		drawn++;
	}
	if (drawn == 0)
		skip();
}

/* A failed rescan keeps the host it had and says why. */
static void test_rescan_failure_keeps_host(void **state)
{
	struct hostlit_spec sp;
	struct tui_model m;
	struct err e = ERR_INIT;
	(void)state;

	tui_model_init(&m);
	hostlit_default(&sp);
	assert_ok(hostlit_build(&m.host, &sp, &e), e);
	m.have_host = true;
	snprintf(m.root, sizeof(m.root), "/nonexistent/hvtune-root");
	assert_int_equal(tui_rescan(&m, &e), -1);
	assert_non_null(strstr(e.msg, "'/nonexistent/hvtune-root'"));
	assert_true(m.have_host);
	assert_int_equal(m.host.ncpus, 8);
	tui_model_release(&m);
}

/* Line drawing: the box corners are ACS characters when the terminal has them. */
static void test_acs_boxes(void **state)
{
	struct hostlit_spec sp;
	struct tui_model m;
	struct view v;
	struct err e = ERR_INIT;
	WINDOW *w = newwin(24, 80, 0, 0);
	(void)state;

	tui_model_init(&m);
	hostlit_default(&sp);
	assert_ok(hostlit_build(&m.host, &sp, &e), e);
	m.have_host = true;
	view_init(&v);
	screen_host_draw(w, &m, &v);
	assert_int_equal(mvwinch(w, 2, 0) & A_CHARTEXT, ACS_ULCORNER & A_CHARTEXT);
	assert_true(mvwinch(w, 2, 0) & A_ALTCHARSET);
	assert_int_equal(mvwinch(w, 2, 79) & A_CHARTEXT, ACS_URCORNER & A_CHARTEXT);
	v.ascii = true;
	screen_host_draw(w, &m, &v);
	assert_int_equal(mvwinch(w, 2, 0) & A_CHARTEXT, '+');
	delwin(w);
	tui_model_release(&m);
}

/* Many nodes at 80x24: the selected node scrolls into view, the others are counted. */
static void test_host_scrolls_to_selection(void **state)
{
	struct hostlit_spec sp;
	struct tui_model m;
	struct view v;
	struct err e = ERR_INIT;
	WINDOW *w = newwin(24, 80, 0, 0);
	char *text;
	(void)state;

	tui_model_init(&m);
	hostlit_default(&sp);
	sp.nnodes = 8;
	sp.cores_per_node = 8;
	assert_ok(hostlit_build(&m.host, &sp, &e), e);
	m.have_host = true;
	view_init(&v);
	v.ascii = true;
	screen_host_draw(w, &m, &v);
	text = window_text(w);
	assert_non_null(strstr(text, "node 0:"));
	assert_null(strstr(text, "node 7:"));
	free(text);
	for (int k = 0; k < 7; k++)
		assert_int_equal(view_key(&v, KEY_DOWN, (int)m.host.nnodes), ACT_REDRAW);
	screen_host_draw(w, &m, &v);
	text = window_text(w);
	assert_non_null(strstr(text, "node 7:"));
	assert_null(strstr(text, "node 0:"));
	assert_non_null(strstr(text, "above"));
	free(text);
	delwin(w);
	tui_model_release(&m);
}

/* Without colour a WARN is bold and a FAIL reversed; PASS and INFO stay plain. */
static void test_levels_without_colour(void **state)
{
	static const unsigned want[LEVEL_COUNT] = {A_NORMAL, A_NORMAL, A_BOLD, A_REVERSE};
	struct hostlit_spec sp;
	struct tui_model m;
	struct view v;
	struct err e = ERR_INIT;
	WINDOW *w = newwin(60, 200, 0, 0);
	bool seen[LEVEL_COUNT] = {false};
	(void)state;

	tui_model_init(&m);
	hostlit_default(&sp);
	assert_ok(hostlit_build(&m.host, &sp, &e), e);
	m.have_host = true;
	assert_ok(check_host(&m.host, &m.findings, &m.nfindings, &e), e);
	assert_false(m.color);
	view_init(&v);
	v.screen = SCREEN_CHECKS;
	v.selected = -1; /* no row reversed by the selection */
	screen_checks_draw(w, &m, &v);
	for (size_t i = 0; i < m.nfindings && i < 40; i++) {
		enum level l = m.findings[i].level;
		chtype c = mvwinch(w, 2 + (int)i, 1);

		assert_int_equal(c & A_ATTRIBUTES & (A_BOLD | A_REVERSE), want[l]);
		assert_int_equal(c & A_CHARTEXT, (chtype)level_str(l)[0]);
		seen[l] = true;
	}
	assert_true(seen[LEVEL_WARN] || seen[LEVEL_FAIL]);
	delwin(w);
	tui_model_release(&m);
}

/* A VM name from libvirt is drawn escaped: a '\n' would move ncurses to the
 * next row, and the row after it keeps its own text. */
static void test_odd_name(void **state)
{
	struct tui_model m;
	struct view v;
	struct err e = ERR_INIT;
	struct hostlit_spec sp;
	WINDOW *w = newwin(24, 80, 0, 0);
	char *text;
	(void)state;

	tui_model_init(&m);
	hostlit_default(&sp);
	assert_ok(hostlit_build(&m.host, &sp, &e), e);
	m.have_host = true;
	m.reqs = calloc(1, sizeof(*m.reqs));
	assert_non_null(m.reqs);
	assert_ok(plan_parse_vm(&m.reqs[0], "x:vcpus=2,mem=2G", &e), e);
	snprintf(m.reqs[0].name, sizeof(m.reqs[0].name), "a\nb\x1b[2J\xff");
	m.nreqs = 1;
	snprintf(m.reqs_from, sizeof(m.reqs_from), "libvirt");
	assert_ok(tui_plan(&m, &e), e);
	view_init(&v);
	v.screen = SCREEN_PLAN;
	tui_draw(w, &m, &v);
	text = window_text(w);
	if (!strstr(text, "a\\nb\\x1b[2J\\xff"))
		fail_msg("no escaped name in:\n%s", text);
	free(text);
	delwin(w);
	tui_model_release(&m);
}

/* A window too small for anything says so and draws nothing else. */
static void test_tiny_window(void **state)
{
	struct tui_model m;
	struct view v;
	WINDOW *w = newwin(3, 15, 0, 0);
	char row[32];
	(void)state;

	tui_model_init(&m);
	view_init(&v);
	for (size_t s = 0; s < ARRAY_LEN(screens); s++) {
		v.screen = screens[s].screen;
		tui_draw(w, &m, &v);
		mvwinnstr(w, 0, 0, row, 15);
		assert_string_equal(row, "window too smal");
	}
	delwin(w);
	tui_model_release(&m);
}

/* view_key(): a table of keys and what they do to a view. */
static void test_view_keys(void **state)
{
	static const struct {
		enum view_screen from;
		int selected, nrows, key;
		enum action act;
		enum view_screen to;
		int want_selected;
	} cases[] = {
	    {SCREEN_HOST, 0, 2, '2', ACT_REDRAW, SCREEN_CHECKS, 0},
	    {SCREEN_CHECKS, 3, 9, '5', ACT_REDRAW, SCREEN_MONITOR, 0},
	    {SCREEN_HOST, 0, 2, '\t', ACT_REDRAW, SCREEN_CHECKS, 0},
	    {SCREEN_MONITOR, 0, 2, '\t', ACT_REDRAW, SCREEN_HOST, 0},
	    {SCREEN_HOST, 0, 2, KEY_BTAB, ACT_REDRAW, SCREEN_MONITOR, 0},
	    {SCREEN_PLAN, 0, 2, '?', ACT_REDRAW, SCREEN_HELP, 0},
	    {SCREEN_CHECKS, 4, 9, KEY_DOWN, ACT_REDRAW, SCREEN_CHECKS, 5},
	    {SCREEN_CHECKS, 8, 9, KEY_DOWN, ACT_NONE, SCREEN_CHECKS, 8},
	    {SCREEN_CHECKS, 0, 9, KEY_UP, ACT_NONE, SCREEN_CHECKS, 0},
	    {SCREEN_CHECKS, 0, 0, KEY_DOWN, ACT_NONE, SCREEN_CHECKS, 0},
	    {SCREEN_CHECKS, 0, 50, KEY_NPAGE, ACT_REDRAW, SCREEN_CHECKS, 9},
	    {SCREEN_CHECKS, 0, 50, KEY_END, ACT_REDRAW, SCREEN_CHECKS, 49},
	    {SCREEN_CHECKS, 30, 50, KEY_HOME, ACT_REDRAW, SCREEN_CHECKS, 0},
	    {SCREEN_HOST, 0, 2, 'q', ACT_QUIT, SCREEN_HOST, 0},
	    {SCREEN_HOST, 0, 2, 'r', ACT_RESCAN, SCREEN_HOST, 0},
	    {SCREEN_PLAN, 1, 2, 'p', ACT_PROFILE, SCREEN_PLAN, 1},
	    {SCREEN_HOST, 1, 2, KEY_RESIZE, ACT_REDRAW, SCREEN_HOST, 1},
	    {SCREEN_HOST, 1, 2, 'Z', ACT_NONE, SCREEN_HOST, 1},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct view v;
		enum action act;

		view_init(&v);
		v.screen = v.back = cases[i].from;
		v.selected = cases[i].selected;
		v.page = 10;
		act = view_key(&v, cases[i].key, cases[i].nrows);
		if (act != cases[i].act || v.screen != cases[i].to ||
		    v.selected != cases[i].want_selected)
			fail_msg("case %zu: action %d screen %d selected %d", i, act, v.screen,
				 v.selected);
		assert_true(v.selected >= v.scroll && v.selected < v.scroll + v.page);
	}
}

static void test_view_help_returns_and_interval(void **state)
{
	struct view v;
	(void)state;

	view_init(&v);
	view_key(&v, '3', 0);
	view_key(&v, '?', 0);
	assert_int_equal(v.screen, SCREEN_HELP);
	view_key(&v, '?', 0);
	assert_int_equal(v.screen, SCREEN_PLAN);
	view_key(&v, '?', 0);
	view_key(&v, '\t', 0); /* from help, Tab goes on from the tab it covers */
	assert_int_equal(v.screen, SCREEN_APPLY);
	for (int i = 0; i < 10; i++)
		view_key(&v, '+', 0);
	assert_int_equal(v.interval_ms, VIEW_INTERVAL_MIN_MS);
	assert_string_equal(v.status, "interval 0.25 s");
	for (int i = 0; i < 10; i++)
		view_key(&v, '-', 0);
	assert_int_equal(v.interval_ms, VIEW_INTERVAL_MAX_MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_view_keys),
	    cmocka_unit_test(test_view_help_returns_and_interval),
	    cmocka_unit_test(test_hostlit_screens),
	    cmocka_unit_test(test_capture_screens),
	    cmocka_unit_test(test_rescan_failure_keeps_host),
	    cmocka_unit_test(test_acs_boxes),
	    cmocka_unit_test(test_host_scrolls_to_selection),
	    cmocka_unit_test(test_tiny_window),
	    cmocka_unit_test(test_odd_name),
	    cmocka_unit_test(test_levels_without_colour),
	};

	return cmocka_run_group_tests(tests, setup_curses, teardown_curses);
}
