/* tui.h - the ncurses TUI: the model it shows, its screens, and the loop
 *
 * The screens only format and place text: screen_<x>_draw() draws the whole
 * window (tab bar, content, status line, footer) from a struct tui_model and
 * a struct view, and never runs a stage.  Only the loop (tui_loop.c, with
 * the stages of tui.c) probes, checks and plans, and it swaps a new snapshot in only when the stage
 * succeeded (a failure goes to view.status), so a screen never sees a
 * half-read host.
 */
#ifndef HVTUNE_TUI_H
#define HVTUNE_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include "apply/apply.h"
#include "planner/check.h"
#include "planner/plan.h"
#include "planner/profile.h"
#include "probe/host.h"
#include "probe/sample.h"
#include "tui/screens/view.h"

/*
 * ncurses stays in the .c files of tui/ (tests/layering.sh): here its WINDOW
 * is named by its struct (curses.h: typedef struct _win_st WINDOW) and an
 * attribute is an unsigned (attr_t, checked in tui.c).
 */
struct _win_st;

/* Everything the screens show; the loop owns it and every part in it. */
struct tui_model {
	char root[FS_PATH_MAX];	     /* what --root named ("/" for the live host) */
	char uri[256];		     /* the libvirt connection's URI, "" none */
	char state_dir[FS_PATH_MAX]; /* apply's lock and journals */
	bool have_host;		     /* @host holds a snapshot */
	struct host host;
	struct finding *findings; /* check_host() of @host (heap, owned) */
	size_t nfindings;
	struct profile profile;	 /* the profile @plan was made with */
	struct vm_request *reqs; /* the VMs to place: --vm, or the running domains */
	size_t nreqs;
	char reqs_from[32]; /* "--vm", "libvirt", "" none */
	bool have_plan;
	struct plan plan;
	char plan_why[PLAN_WHY_MAX]; /* why there is no plan */
	/* the Apply tab: what applying @plan changes, and the journals */
	bool have_cs;
	struct changeset cs;
	char cs_why[VIEW_STATUS_MAX]; /* why there is no change set */
	size_t njournals;
	struct journal *journals; /* oldest first (heap, owned) */
	char journals_why[VIEW_STATUS_MAX];
	bool color; /* has_colors() and the pairs are set up */
	/* the monitor: the last sample and the rates against the one before */
	bool have_last;
	struct sample last;
	unsigned nsamples; /* read since the last rescan */
	bool have_rates;
	struct rates rates;
	char rates_why[VIEW_STATUS_MAX]; /* why there are no rates yet */
};

/* An empty model (tui_model_release() is safe on it). */
void tui_model_init(struct tui_model *m);
void tui_model_release(struct tui_model *m);

/* Colour pairs (tui_colors()): levels and up to TUI_VM_COLORS VM colours. */
enum tui_pair {
	PAIR_PASS = 1,
	PAIR_INFO,
	PAIR_WARN,
	PAIR_FAIL,
	PAIR_TITLE,
	PAIR_HOUSEKEEPING,
	PAIR_VM0,
};
#define TUI_VM_COLORS 6

/* Starts colour when the terminal has it; returns whether it did. */
bool tui_colors(void);

/* The attribute of a finding level: its colour, or bold/reverse without colour. */
unsigned tui_level_attr(const struct tui_model *m, enum level l);
/* The attribute of VM @i of the plan (colour, or none: the letter says it). */
unsigned tui_vm_attr(const struct tui_model *m, size_t i);
/* The letter that marks VM @i of the plan on the map: 'A', 'B', ... */
char tui_vm_letter(size_t i);

/*
 * Common to every screen: clears @w and draws the tab bar (row 0), the
 * status line (second to last row) and the footer of keys (last row).
 * Returns the number of content rows (rows 1..n); 0 when @w is too small.
 */
int tui_frame(struct _win_st *w, const struct tui_model *m, const struct view *v);

/* Prints @s at (@y, @x), cut at the right edge of @w (never wraps). */
void tui_put(struct _win_st *w, int y, int x, unsigned a, const char *s);
/* ... printf-style */
void tui_putf(struct _win_st *w, int y, int x, unsigned a, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Prints @s word-wrapped in the columns @x..@x+@width-1 from row @y, at most
 * @maxrows rows (the last one ends in "..." when cut).  Returns rows used. */
int tui_wrap(struct _win_st *w, int y, int x, int width, int maxrows, unsigned a, const char *s);

/* The first row of a list of @n rows shown @height at a time, with the
 * selection visible (v->scroll when it already shows it). */
int tui_first_row(const struct view *v, int n, int height);

/*
 * The topology map (screen_host.c), shared by Host, Plan and Monitor:
 * a box per node with its L3 groups, cores and threads, memory, hugepages
 * and NICs, in rows of boxes as wide as @w allows, from row @top for @rows
 * rows; node index @sel_node (-1: none) is highlighted and kept visible.  @mark, when not NULL,
 * gives each CPU a one-letter mark and an attribute (the VM that owns it).
 */
typedef char (*tui_cpu_mark)(const struct tui_model *m, unsigned cpu, unsigned *attr);
void tui_map_draw(struct _win_st *w, const struct tui_model *m, const struct view *v, int top,
		  int rows, int sel_node, tui_cpu_mark mark);

/* The screens: each draws the whole window. */
void screen_host_draw(struct _win_st *w, const struct tui_model *m, const struct view *v);
void screen_checks_draw(struct _win_st *w, const struct tui_model *m, const struct view *v);
void screen_plan_draw(struct _win_st *w, const struct tui_model *m, const struct view *v);
void screen_apply_draw(struct _win_st *w, const struct tui_model *m, const struct view *v);
void screen_monitor_draw(struct _win_st *w, const struct tui_model *m, const struct view *v);
void screen_help_draw(struct _win_st *w, const struct tui_model *m, const struct view *v);

/* The screen of v->screen. */
void tui_draw(struct _win_st *w, const struct tui_model *m, const struct view *v);

/* The selectable rows of v->screen (the @nrows of view_key()). */
int tui_rows(const struct tui_model *m, const struct view *v);

/*
 * The stages, as the loop runs them (also used by the tests): probe @m->root
 * into a fresh host (without VMs: the loop has them listed by a child
 * process, tui/vmsproc.h) and swap it in with its findings on success;
 * after the VMs of @m->host were replaced whole (vmsproc_poll()), check,
 * take the running domains as requests and plan again; plan @m->reqs with
 * @m->profile.  On failure the model keeps what it had and the message is
 * in @e.
 */
struct lv;
int tui_rescan(struct tui_model *m, struct err *e);
int tui_vms_changed(struct tui_model *m, struct err *e);
int tui_plan(struct tui_model *m, struct err *e);
/* The change set of @m->plan on @m->root (domains through @c, may be NULL),
 * and the journals of @m->state_dir. */
int tui_prepare(struct tui_model *m, struct lv *c, struct err *e);
int tui_journals(struct tui_model *m, struct err *e);
/* Reads a sample of @m->host at @now_ns (the loop's monotonic clock) and,
 * from the second one on, the rates against the previous sample. */
int tui_sample(struct tui_model *m, uint64_t now_ns, struct err *e);

/* The screens until 'q' on @m (options already in it), which it takes over
 * and releases.  Returns the exit status: 0, 128 + a signal, or 2 without a
 * terminal. */
int tui_run(struct tui_model *m);
/* 'hvtune tui' (tui/cli/cmd_tui.c): the options, then tui_run(). */
int cmd_tui(int argc, char **argv);

#endif
