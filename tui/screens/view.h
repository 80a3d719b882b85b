/* view.h - what the user is looking at in the TUI, and what a key does to it
 *
 * struct view holds no facts: only the screen, the selection, the scroll, the
 * status line and the refresh interval (htop's Panel keeps its selection next
 * to items it does not own).  view_key() is a pure function of the view, a
 * key and the number of selectable rows of the current screen; the keys are
 * declared in one table that the help screen and the footer also print.
 */
#ifndef HVTUNE_VIEW_H
#define HVTUNE_VIEW_H

#include <stdbool.h>
#include <stddef.h>

enum view_screen {
	SCREEN_HOST,
	SCREEN_CHECKS,
	SCREEN_PLAN,
	SCREEN_APPLY,
	SCREEN_MONITOR,
	SCREEN_HELP,
	SCREEN_COUNT
};

/* What the loop (tui_loop.c) must do after a key; the view itself is already updated. */
enum action {
	ACT_NONE,   /* nothing changed */
	ACT_REDRAW, /* the view changed (screen, selection, interval, size): draw */
	ACT_QUIT,
	ACT_RESCAN,   /* probe again, check, plan */
	ACT_PROFILE,  /* plan with the next profile */
	ACT_APPLY,    /* apply the plan (after a confirmation) */
	ACT_ROLLBACK, /* roll back the newest journal (after a confirmation) */
	ACT_COUNT
};

#define VIEW_STATUS_MAX		 256
#define VIEW_INTERVAL_MIN_MS	 250u
#define VIEW_INTERVAL_MAX_MS	 10000u
#define VIEW_INTERVAL_DEFAULT_MS 1000u

struct view {
	enum view_screen screen;
	enum view_screen back; /* the screen '?' returns to */
	int selected;	       /* selected row of the current screen, 0.. */
	int scroll;	       /* first row shown (lists); kept so that @selected is visible */
	int page;	       /* rows a list shows at once; set by the loop from the window size */
	char status[VIEW_STATUS_MAX]; /* one line: what the last stage said */
	unsigned interval_ms;	      /* tick of the loop (wtimeout) and of the monitor */
	bool ascii;		      /* draw boxes with ASCII: the terminal has no line drawing */
};

struct view;
typedef enum action (*view_key_fn)(struct view *v, int nrows, int arg);

/* One key binding: the table behind view_key(), the help screen and the footer. */
struct view_binding {
	int key;	    /* a character or a curses KEY_* code */
	const char *name;   /* "q", "Tab", "PgDn" */
	const char *what;   /* "quit" */
	const char *footer; /* its word in the footer line, NULL: not shown */
	view_key_fn fn;
	int arg; /* passed to @fn: a screen, a step */
};

/* The bindings in the order help shows them; *@n entries. */
const struct view_binding *view_bindings(size_t *n);

/* The first screen, no selection, the default interval, "" status. */
void view_init(struct view *v);

/*
 * Applies @key to @v: tabs (1-5, Tab, Shift-Tab), '?' help (again to leave),
 * arrows / PgUp / PgDn / Home / End move the selection within 0..@nrows-1
 * (@nrows 0: nothing to select), '+' / '-' double / halve the interval,
 * KEY_RESIZE redraws.  Returns what the loop must do.  An unknown key
 * returns ACT_NONE and leaves @v as it was.  Changing screen resets the
 * selection.
 */
enum action view_key(struct view *v, int key, int nrows);

/* "Host", "Checks", ... */
const char *screen_name(enum view_screen s);

/* Sets the status line (printf-style). */
void view_status(struct view *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
