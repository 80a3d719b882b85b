/* view.c - the TUI's keys, declared in one table, applied to a struct view */
#include "tui/screens/view.h"

#include <assert.h>
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>

static const char *const screen_names[] = {
    [SCREEN_HOST] = "Host",   [SCREEN_CHECKS] = "Checks",   [SCREEN_PLAN] = "Plan",
    [SCREEN_APPLY] = "Apply", [SCREEN_MONITOR] = "Monitor", [SCREEN_HELP] = "Help",
};
static_assert(sizeof(screen_names) / sizeof(screen_names[0]) == SCREEN_COUNT,
	      "a name for every screen");

const char *screen_name(enum view_screen s)
{
	return (unsigned)s < SCREEN_COUNT ? screen_names[s] : "?";
}

void view_init(struct view *v)
{
	v->screen = SCREEN_HOST;
	v->back = SCREEN_HOST;
	v->selected = 0;
	v->scroll = 0;
	v->page = 1;
	v->status[0] = '\0';
	v->interval_ms = VIEW_INTERVAL_DEFAULT_MS;
	v->ascii = false;
}

void view_status(struct view *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->status, sizeof(v->status), fmt, ap);
	va_end(ap);
}

static void go_screen(struct view *v, enum view_screen s)
{
	if (s != SCREEN_HELP)
		v->back = s;
	else if (v->screen != SCREEN_HELP)
		v->back = v->screen;
	v->screen = s;
	v->selected = 0;
	v->scroll = 0;
}

static enum action key_screen(struct view *v, int nrows, int arg)
{
	(void)nrows;
	go_screen(v, (enum view_screen)arg);
	return ACT_REDRAW;
}

/* Tab / Shift-Tab cycle the five tabs (help is not a tab: it returns to one). */
static enum action key_cycle(struct view *v, int nrows, int arg)
{
	int tabs = SCREEN_HELP;
	int cur = v->screen == SCREEN_HELP ? (int)v->back : (int)v->screen;

	(void)nrows;
	go_screen(v, (enum view_screen)((cur + arg + tabs) % tabs));
	return ACT_REDRAW;
}

static enum action key_help(struct view *v, int nrows, int arg)
{
	(void)nrows;
	(void)arg;
	go_screen(v, v->screen == SCREEN_HELP ? v->back : SCREEN_HELP);
	return ACT_REDRAW;
}

/* Moves the selection by @arg rows (INT_MIN/INT_MAX style ends come as +-1000000). */
static enum action key_move(struct view *v, int nrows, int arg)
{
	long sel = (long)v->selected + arg;
	int page = v->page > 0 ? v->page : 1;

	if (nrows <= 0)
		return ACT_NONE;
	if (sel >= nrows)
		sel = nrows - 1;
	if (sel < 0)
		sel = 0;
	if ((int)sel == v->selected)
		return ACT_NONE;
	v->selected = (int)sel;
	if (v->scroll > v->selected)
		v->scroll = v->selected;
	if (v->selected >= v->scroll + page)
		v->scroll = v->selected - page + 1;
	return ACT_REDRAW;
}

static enum action key_page(struct view *v, int nrows, int arg)
{
	return key_move(v, nrows, arg * (v->page > 1 ? v->page - 1 : 1));
}

/* '+' is a faster refresh (a shorter interval), as in top's 'd' and htop's F-keys. */
static enum action key_interval(struct view *v, int nrows, int arg)
{
	unsigned ms = arg > 0 ? v->interval_ms / 2 : v->interval_ms * 2;

	(void)nrows;
	if (ms < VIEW_INTERVAL_MIN_MS)
		ms = VIEW_INTERVAL_MIN_MS;
	if (ms > VIEW_INTERVAL_MAX_MS)
		ms = VIEW_INTERVAL_MAX_MS;
	v->interval_ms = ms;
	view_status(v, "interval %u.%02u s", ms / 1000, ms % 1000 / 10);
	return ACT_REDRAW;
}

static enum action key_act(struct view *v, int nrows, int arg)
{
	(void)v;
	(void)nrows;
	return (enum action)arg;
}

/* Acts only on the Apply tab, where the change set is in view. */
static enum action key_apply_tab(struct view *v, int nrows, int arg)
{
	(void)nrows;
	if (v->screen != SCREEN_APPLY)
		return ACT_NONE;
	return (enum action)arg;
}

#define FAR 1000000

static const struct view_binding bindings[] = {
    {'1', "1-5", "Host (2-5: the other tabs)", "tabs", key_screen, SCREEN_HOST},
    {'2', "2", "Checks", NULL, key_screen, SCREEN_CHECKS},
    {'3', "3", "Plan", NULL, key_screen, SCREEN_PLAN},
    {'4', "4", "Apply", NULL, key_screen, SCREEN_APPLY},
    {'5', "5", "Monitor", NULL, key_screen, SCREEN_MONITOR},
    {'\t', "Tab", "next tab", NULL, key_cycle, 1},
    {KEY_BTAB, "S-Tab", "previous tab", NULL, key_cycle, -1},
    {KEY_UP, "Up", "select the previous row", NULL, key_move, -1},
    {KEY_DOWN, "Down", "select the next row", NULL, key_move, 1},
    {'k', "k", "select the previous row", NULL, key_move, -1},
    {'j', "j", "select the next row", NULL, key_move, 1},
    {KEY_PPAGE, "PgUp", "a page up", NULL, key_page, -1},
    {KEY_NPAGE, "PgDn", "a page down", NULL, key_page, 1},
    {KEY_HOME, "Home", "first row", NULL, key_move, -FAR},
    {KEY_END, "End", "last row", NULL, key_move, FAR},
    {'p', "p", "plan with the next profile", "profile", key_act, ACT_PROFILE},
    {'r', "r", "probe, check and plan again", "rescan", key_act, ACT_RESCAN},
    {'a', "a", "apply the plan (asks y/N)", NULL, key_apply_tab, ACT_APPLY},
    {'u', "u", "roll back the newest journal", NULL, key_apply_tab, ACT_ROLLBACK},
    {'+', "+", "refresh faster (interval / 2)", NULL, key_interval, 1},
    {'-', "-", "refresh slower (interval x 2)", NULL, key_interval, -1},
    {'?', "?", "help (again: back)", "help", key_help, 0},
    {KEY_RESIZE, "", "", NULL, key_act, ACT_REDRAW},
    {'q', "q", "quit", "quit", key_act, ACT_QUIT},
};

const struct view_binding *view_bindings(size_t *n)
{
	*n = sizeof(bindings) / sizeof(bindings[0]);
	return bindings;
}

enum action view_key(struct view *v, int key, int nrows)
{
	for (size_t i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++)
		if (bindings[i].key == key)
			return bindings[i].fn(v, nrows, bindings[i].arg);
	return ACT_NONE;
}
