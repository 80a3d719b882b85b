/* tui_loop.c - 'hvtune tui': the loop that waits for keys and ticks, runs the stages, draws
 *
 * The loop waits for keys with wtimeout() (the view's interval), so the
 * screen follows resizes and ticks without blocking.  libvirt is asked for
 * the running VMs by a child process (tui/vmsproc.h) whose pipe the loop
 * polls on each tick: the status line says "asking libvirt (URI)..."
 * meanwhile, and the VMs are swapped into the host whole when the answer
 * comes.  Two things wait, both after the user asked for them: the y/N
 * question before an apply or a rollback, and the libvirt connection that an
 * apply or a rollback needs in this process to define and pin domains (the
 * status line says "connecting to URI..." first; it is closed when the
 * action is done).  Each tick on the Monitor tab reads a sample
 * (probe/sample.h); the clock is read here only.
 */
#include "tui/screens/tui.h"
#include "tui/screens/vmsproc.h"
#include "probe/fsroot.h"
#include "probe/lv.h"
#include "probe/sample.h"
#include "probe/strfmt.h"

#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void monitor_tick(struct tui_model *m, struct view *v)
{
	struct err e = ERR_INIT;

	if (tui_sample(m, now_ns(), &e) < 0)
		view_status(v, "sample: %s", e.msg);
}

#define TUI_CHILD_TICK_MS 100 /* the loop's tick while the VMs are being listed */
#define TUI_VMS_EVERY_NS  (UINT64_C(10) * 1000000000u) /* the Monitor tab re-lists the VMs */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static bool curses_up;

/* Draws the window now (before a stage that may take a while). */
static void show(const struct tui_model *m, struct view *v)
{
	v->page = getmaxy(stdscr) - 5 > 1 ? getmaxy(stdscr) - 5 : 1;
	tui_draw(stdscr, m, v);
	wnoutrefresh(stdscr);
	doupdate();
}

/* What the loop holds besides the model. */
struct loop {
	struct lv *c;		 /* open only during an apply or a rollback */
	struct vmsproc vp;	 /* the child listing the VMs, when one runs */
	uint64_t next_sample_ns; /* the Monitor tab's next tick */
	uint64_t next_vms_ns;	 /* ... and its next list of the VMs */
};

/* The change set and the journals follow every new plan; their failures
 * are shown on the Apply tab (cs_why, journals_why). */
static void prepare(struct tui_model *m, struct lv *c)
{
	struct err e = ERR_INIT;

	tui_prepare(m, c, &e);
	e = (struct err)ERR_INIT;
	tui_journals(m, &e);
}

static void say_host(struct tui_model *m, struct view *v)
{
	view_status(v, "%s: %zu CPUs, %zu nodes; %zu checks; profile %s", m->root, m->host.ncpus,
		    m->host.nnodes, m->nfindings, m->profile.name);
}

/* Starts the child that lists the VMs (when there is a libvirt URI); its
 * answer comes through vms_tick().  @say: put it on the status line (a
 * rescan), or not (the Monitor tab's periodic re-list, which keeps the VMs
 * shown until the new list comes). */
static void ask_vms(struct tui_model *m, struct view *v, struct loop *lp, bool say)
{
	struct fsroot r = FSROOT_INIT;
	struct err e = ERR_INIT;

	if (!m->uri[0])
		return;
	lp->next_vms_ns = now_ns() + TUI_VMS_EVERY_NS;
	if (fsroot_open(&r, m->root, &e) < 0 ||
	    vmsproc_start(&lp->vp, &m->host, &r, m->uri, &e) < 0) {
		view_status(v, "no libvirt: %s", e.msg);
		strfmt_set(m->host.vms_why, sizeof(m->host.vms_why), "%s", e.msg);
	} else if (say) {
		view_status(v, "asking libvirt (%s)...", m->uri);
		strfmt_set(m->host.vms_why, sizeof(m->host.vms_why), "asking libvirt (%s)...",
			   m->uri);
	}
	fsroot_close(&r);
}

/* Probes again at once; the VMs follow from a child process (vms_tick()). */
static void rescan(struct tui_model *m, struct view *v, struct loop *lp)
{
	struct err e = ERR_INIT;

	view_status(v, "probing %s...", m->root);
	show(m, v);
	vmsproc_cancel(&lp->vp); /* its answer is for the old host */
	if (tui_rescan(m, &e) < 0) {
		view_status(v, "%s", e.msg);
		return;
	}
	prepare(m, lp->c);
	say_host(m, v);
	ask_vms(m, v, lp, true);
}

/* Takes the child's answer when it came: the VMs are swapped in whole.
 * Returns whether the model changed. */
static bool vms_tick(struct tui_model *m, struct view *v, struct loop *lp)
{
	struct err e = ERR_INIT;
	int rc;

	if (!vmsproc_running(&lp->vp))
		return false;
	rc = vmsproc_poll(&lp->vp, &m->host, &e);
	if (rc == 0)
		return false;
	if (rc < 0) {
		view_status(v, "no libvirt: %s", e.msg);
		strfmt_set(m->host.vms_why, sizeof(m->host.vms_why), "%s", e.msg);
		return true;
	}
	if (tui_vms_changed(m, &e) < 0) {
		view_status(v, "%s", e.msg);
		return true;
	}
	prepare(m, lp->c);
	if (m->host.vms_known)
		view_status(v,
			    "%s: %zu CPUs, %zu nodes; %zu checks; %zu VM(s) from libvirt; "
			    "profile %s",
			    m->root, m->host.ncpus, m->host.nnodes, m->nfindings, m->host.nvms,
			    m->profile.name);
	else
		view_status(v, "no libvirt: %s", m->host.vms_why);
	return true;
}

/*
 * The connection an apply or a rollback needs for the domains: opened in this
 * process, after the user asked for the action, and it may wait for libvirt
 * (the status line says so first).  Returns false with the status set.
 */
static bool connect_lv(struct tui_model *m, struct view *v, struct loop *lp, const char *uri,
		       const char *what)
{
	struct err e = ERR_INIT;

	if (lp->c || !uri[0])
		return true;
	view_status(v, "connecting to %s...", uri);
	show(m, v);
	lp->c = lv_open(uri, &e);
	if (!lp->c) {
		view_status(v, "%s: %s", what, e.msg);
		return false;
	}
	return true;
}

static void disconnect_lv(struct loop *lp)
{
	if (lp->c)
		lv_close(lp->c);
	lp->c = NULL;
}

/*
 * A y/N question in a box over the screen; only 'y' or 'Y' says yes.  It
 * waits for the answer (the user is deciding: nothing else is due) and
 * redraws on a resize.
 */
static bool confirm(const struct tui_model *m, struct view *v, const char *question)
{
	for (;;) {
		int h = getmaxy(stdscr), w = getmaxx(stdscr);
		int bw = w - 4 < 72 ? w - 4 : 72, y = h / 2 - 2, x = (w - bw) / 2, key;

		show(m, v);
		for (int r = y; r < y + 4 && bw > 4; r++)
			tui_putf(stdscr, r, x, A_REVERSE, "%-*s", bw, "");
		tui_wrap(stdscr, y + 1, x + 2, bw - 4, 1, A_REVERSE | A_BOLD, question);
		tui_put(stdscr, y + 2, x + 2, A_REVERSE, "y: yes    any other key: no");
		wnoutrefresh(stdscr);
		doupdate();
		wtimeout(stdscr, -1);
		key = wgetch(stdscr);
		if (key == KEY_RESIZE) {
			clearok(curscr, TRUE);
			continue;
		}
		return key == 'y' || key == 'Y';
	}
}

static void do_apply(struct tui_model *m, struct view *v, struct loop *lp)
{
	struct fsroot r = FSROOT_INIT;
	struct apply_result res;
	struct err e = ERR_INIT;
	char q[VIEW_STATUS_MAX];

	/* the domains' changes need their XML from libvirt: connect, prepare
	 * again; without libvirt the host writes can still be applied (the
	 * status line says why the domains are left, the change set lists none) */
	if (m->have_plan && m->uri[0] && !lp->c && connect_lv(m, v, lp, m->uri, "no libvirt"))
		prepare(m, lp->c);
	if (!m->have_cs) {
		view_status(v, "nothing to apply: %s", m->cs_why);
		disconnect_lv(lp);
		return;
	}
	if (changeset_empty(&m->cs)) {
		disconnect_lv(lp);
		view_status(v, "nothing to change: the host already carries the plan");
		return;
	}
	strfmt_set(q, sizeof(q), "apply %zu domain change(s) and %zu write(s) to %s?",
		   m->cs.ndomains, m->cs.nwrites, m->root);
	if (!confirm(m, v, q)) {
		view_status(v, "not confirmed: nothing changed");
		disconnect_lv(lp);
		return;
	}
	view_status(v, "applying...");
	show(m, v);
	apply_result_init(&res);
	if (fsroot_open(&r, m->root, &e) < 0 ||
	    apply_commit(&m->cs, &r, lp->c, m->uri, m->state_dir, &res, &e) < 0)
		view_status(v, "apply: %s", e.msg);
	else
		view_status(v, "applied: journal %s, %zu step(s) (u rolls it back)", res.journal_id,
			    res.done);
	fsroot_close(&r);
	apply_result_release(&res);
	disconnect_lv(lp);
	if (strncmp(v->status, "applied", 7) == 0) {
		char done[VIEW_STATUS_MAX];

		/* the host changed: read it again, keep saying what was done */
		snprintf(done, sizeof(done), "%s", v->status);
		rescan(m, v, lp);
		view_status(v, "%s", done);
	} else {
		prepare(m, NULL);
	}
}

static void do_rollback(struct tui_model *m, struct view *v, struct loop *lp)
{
	struct fsroot r = FSROOT_INIT;
	struct apply_result res;
	struct journal j;
	struct err e = ERR_INIT;
	char q[VIEW_STATUS_MAX];

	/* checked before the question: a journal rollback would refuse, or whose
	 * libvirt URI is not a local one hvtune records, is not offered */
	if (apply_pick_journal(m->state_dir, "", &j, &e) < 0 || apply_check_journal(&j, &e) < 0 ||
	    (j.uri[0] && apply_journal_uri(&j, &e) < 0)) {
		journal_release(&j);
		view_status(v, "rollback: %s", e.msg);
		return;
	}
	snprintf(q, sizeof(q), "roll back journal %s (%zu step(s), %s)?", j.id, j.nsteps,
		 journal_status_str(j.status));
	if (!confirm(m, v, q)) {
		journal_release(&j);
		view_status(v, "not confirmed: nothing changed");
		return;
	}
	/* its domains are restored through the journal's libvirt */
	if (!connect_lv(m, v, lp, j.uri, "rollback")) {
		journal_release(&j);
		return;
	}
	journal_release(&j);
	apply_result_init(&res);
	if (fsroot_open(&r, m->root, &e) < 0 ||
	    apply_rollback(m->state_dir, "", &r, lp->c, &res, &e) < 0)
		view_status(v, "rollback: %s", e.msg);
	else
		view_status(v, "rolled back journal %s: %zu step(s) restored", res.journal_id,
			    res.undone);
	fsroot_close(&r);
	apply_result_release(&res);
	disconnect_lv(lp);
	{
		char done[VIEW_STATUS_MAX];

		snprintf(done, sizeof(done), "%s", v->status);
		rescan(m, v, lp);
		view_status(v, "%s", done);
	}
}

static void next_profile(struct tui_model *m, struct view *v, struct loop *lp)
{
	char dir[PROFILE_PATH_MAX];
	char **names;
	size_t n, i;
	struct profile pf;
	struct err e = ERR_INIT;

	profile_dir(dir, sizeof(dir));
	if (profile_names(dir, &names, &n, &e) < 0) {
		view_status(v, "%s", e.msg);
		return;
	}
	if (n == 0) {
		view_status(v, "no profiles in '%s'", dir);
		profile_names_free(names, n);
		return;
	}
	for (i = 0; i < n && strcmp(names[i], m->profile.name) != 0; i++)
		;
	i = i < n ? (i + 1) % n : 0;
	if (profile_find(&pf, names[i], dir, &e) < 0) {
		view_status(v, "%s", e.msg);
	} else {
		m->profile = pf;
		if (tui_plan(m, &e) == 0)
			prepare(m, lp->c);
		if (e.msg[0])
			view_status(v, "profile %s: %s", pf.name, e.msg);
		else
			view_status(v, "profile %s: %s", pf.name, pf.description);
	}
	profile_names_free(names, n);
}

/* Whether the terminal draws lines (acsc); else boxes are ASCII. */
static bool has_line_drawing(void)
{
	const char *acsc = tigetstr("acsc");

	return acsc && acsc != (char *)-1 && acsc[0] != '\0';
}

/* Takes the terminal: NULL after saying why not (not a terminal, no terminfo). */
static SCREEN *tui_start(void)
{
	struct sigaction sa;
	SCREEN *scr;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fputs("hvtune: tui: stdin and stdout must be a terminal (use 'hvtune probe' in a "
		      "pipe)\n",
		      stderr);
		return NULL;
	}
	setlocale(LC_ALL, "");
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, "hvtune: tui: cannot start the terminal '%s'\n",
			getenv("TERM") ? getenv("TERM") : "");
		return NULL;
	}
	curses_up = true;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	return scr;
}

/* The default libvirt URI, on the live host only. */
static void default_uri(struct tui_model *m)
{
	struct fsroot r = FSROOT_INIT;
	struct err e = ERR_INIT;
	bool live = fsroot_open(&r, m->root, &e) == 0 && r.live;

	fsroot_close(&r);
	if (!m->uri[0] && live)
		strfmt_set(m->uri, sizeof(m->uri), "%s", LV_DEFAULT_URI);
}

/* A timeout of the key wait: a sample when the interval is over; whether to redraw. */
static bool on_tick(struct tui_model *m, struct view *v, struct loop *lp, bool dirty)
{
	if (now_ns() < lp->next_sample_ns)
		return dirty;
	lp->next_sample_ns = now_ns() + (uint64_t)v->interval_ms * 1000000u;
	if (v->screen == SCREEN_MONITOR) {
		monitor_tick(m, v);
		/* VMs started or stopped since: a new list now and then */
		if (!vmsproc_running(&lp->vp) && now_ns() >= lp->next_vms_ns)
			ask_vms(m, v, lp, false);
	}
	return true;
}

/* Runs what a key asked for; false to quit. */
static bool on_action(struct tui_model *m, struct view *v, struct loop *lp, enum action act)
{
	if (act == ACT_QUIT)
		return false;
	if (act == ACT_RESCAN)
		rescan(m, v, lp);
	else if (act == ACT_PROFILE)
		next_profile(m, v, lp);
	else if (act == ACT_APPLY)
		do_apply(m, v, lp);
	else if (act == ACT_ROLLBACK)
		do_rollback(m, v, lp);
	if (v->screen == SCREEN_MONITOR && !m->have_rates)
		monitor_tick(m, v); /* the first sample at once, rates a tick later */
	return true;
}

/* The loop: draw, wait for a key or the tick, act; until 'q' or a signal. */
static void tui_loop(struct tui_model *m, struct view *v, struct loop *lp)
{
	for (bool dirty = true; !stop;) {
		uint64_t now;
		int key, wait_ms;

		if (dirty)
			show(m, v); /* not on the short ticks that changed nothing */
		dirty = true;
		/* a tick every interval; while the child runs, often enough to take
		 * its answer soon after it came */
		now = now_ns();
		wait_ms = now >= lp->next_sample_ns
			      ? 0
			      : (int)((lp->next_sample_ns - now + 999999) / 1000000);
		if (vmsproc_running(&lp->vp) && wait_ms > TUI_CHILD_TICK_MS)
			wait_ms = TUI_CHILD_TICK_MS;
		wtimeout(stdscr, wait_ms);
		key = wgetch(stdscr);
		dirty = vms_tick(m, v, lp);
		if (key == ERR) {
			dirty = on_tick(m, v, lp, dirty);
			continue;
		}
		dirty = true;
		lp->next_sample_ns = now_ns() + (uint64_t)v->interval_ms * 1000000u;
		if (key == KEY_RESIZE) /* tmux and others reflow the old text: paint all */
			clearok(curscr, TRUE);
		if (!on_action(m, v, lp, view_key(v, key, tui_rows(m, v))))
			break;
	}
}

int tui_run(struct tui_model *mp)
{
	struct tui_model m = *mp;
	struct view v;
	SCREEN *scr = tui_start();
	struct loop lp;

	if (!scr) {
		tui_model_release(&m);
		return 2;
	}
	m.color = tui_colors();
	view_init(&v);
	v.ascii = !has_line_drawing();
	default_uri(&m);
	memset(&lp, 0, sizeof(lp));
	vmsproc_init(&lp.vp);
	/* the VM lists come from forked children; this process connects too
	 * (apply, rollback): no libvirt event loop thread for them to inherit */
	lv_forks();
	rescan(&m, &v, &lp);
	lp.next_sample_ns = now_ns() + (uint64_t)v.interval_ms * 1000000u;
	tui_loop(&m, &v, &lp);
	endwin();
	curses_up = false;
	delscreen(scr);
	vmsproc_cancel(&lp.vp);
	disconnect_lv(&lp);
	tui_model_release(&m);
	return stop ? 128 + (int)stop : 0;
}
