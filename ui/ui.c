/* ui.c - the one event loop of the wizard.
 *
 * Keys are read with a 100 ms timeout so that the spinner turns and the
 * worker's results are picked up between keys.  A resize arrives as
 * KEY_RESIZE (ncurses handles SIGWINCH itself); nothing is done in a
 * signal handler. */
#include "config.h"
#include "ui.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "curses.h"
#include "err.h"
#include "i18n.h"
#include "keys.h"
#include "report.h"
#include "screen.h"
#include "screen_ssh.h"
#include "session.h"
#include "textw.h"
#include "theme.h"
#include "widgets.h"

void ui_push(struct ui *ui, const struct ui_screen_ops *sc)
{
	if (ui->depth >= UI_MAX_DEPTH)
		return;
	ui->stack[ui->depth++] = sc;
	if (sc->enter)
		sc->enter(ui);
}

void ui_pop(struct ui *ui)
{
	const struct ui_screen_ops *sc;

	if (ui->depth <= 1)
		return;
	sc = ui->stack[--ui->depth];
	if (sc->leave)
		sc->leave(ui);
}

void ui_reset(struct ui *ui, const struct ui_screen_ops *sc)
{
	while (ui->depth > 0) {
		const struct ui_screen_ops *top = ui->stack[--ui->depth];

		if (top->leave)
			top->leave(ui);
	}
	ui_push(ui, sc);
}

const struct ui_screen_ops *ui_top(const struct ui *ui)
{
	return ui->depth ? ui->stack[ui->depth - 1] : NULL;
}

void ui_status(struct ui *ui, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->status, sizeof ui->status, fmt, ap);
	va_end(ap);
	ui->status_error = error;
}

int ui_open_scenario(struct ui *ui, const char *name)
{
	struct ad_error err = { 0 };
	struct session *s = ui_ssh_session_new(ui, name, &err);

	if (!s) {
		ui_status(ui, 1, _("Cannot open scenario %s: %s"), name,
			  err.msg[0] ? err.msg : ad_strerror(err.code));
		return -1;
	}
	session_free(ui->s);
	ui->s = s;
	ui->status[0] = '\0';
	return 0;
}

void ui_export(struct ui *ui)
{
	struct ad_error err = { 0 };
	char path[1024];

	if (!ui->s) {
		ui_status(ui, 1, "%s", _("Open a scenario first."));
		return;
	}
	if (report_write(ui->s, ui->opt->report_dir, path, sizeof path,
			 &err) != 0) {
		ui_status(ui, 1, _("Cannot write the report: %s"), err.msg);
		return;
	}
	ui_status(ui, 0, _("Report written to %s"), path);
}

void ui_autorun(struct ui *ui)
{
	struct ad_error err = { 0 };

	if (!ui->s || !session_needs_run(ui->s))
		return;
	if (session_check_start(ui->s, NULL, &err) != 0)
		ui_status(ui, 1, "%s", err.msg);
}

/* ---------- drawing ---------- */

static void draw_keybar(struct ui *ui)
{
	const struct ui_screen_ops *top = ui_top(ui);
	const enum ui_action *a;
	int x = 0, y = ui->rows - 1;
	char keys[64];

	ui_fill(y, 0, ui->cols, ui_attr(UI_ROLE_KEYBAR));
	for (a = top ? top->bar : NULL; a && *a != UI_ACT_NONE; a++) {
		const char *name = _(ui_action_name(*a));
		int need;

		ui_action_keys(*a, keys, sizeof keys, 1);
		need = tw_width(keys) + 1 + tw_width(name) + 2;
		if (x + need > ui->cols)
			break;
		x += ui_put(y, x, keys, ui->cols - x, ui_attr(UI_ROLE_KEY), 0);
		x += ui_put(y, x, " ", 1, ui_attr(UI_ROLE_KEYBAR), 0);
		x += ui_put(y, x, name, ui->cols - x, ui_attr(UI_ROLE_KEYBAR), 0);
		x += ui_put(y, x, "  ", ui->cols - x, ui_attr(UI_ROLE_KEYBAR), 0);
	}
}

static void draw_status(struct ui *ui)
{
	int y = ui->rows - 2;
	char line[600];

	ui_fill(y, 0, ui->cols, ui_attr(UI_ROLE_NORMAL));
	if (ui->s && session_busy(ui->s)) {
		const char *what;

		switch (session_job_kind(ui->s)) {
		case SESSION_JOB_PLAN:
			what = _("Preparing the fix");
			break;
		case SESSION_JOB_STEPS:
			what = _("Applying the change");
			break;
		default:
			what = _("Running check");
			break;
		}
		snprintf(line, sizeof line, "%s %s %s%s  (%s)",
			 ui_spinner(ui->tick), what, session_job_check(ui->s),
			 tw_mark(), _("Esc cancels"));
		ui_put(y, 0, line, ui->cols, ui_attr(UI_ROLE_STATUS), 0);
		return;
	}
	if (ui->status[0])
		ui_put(y, 0, ui->status, ui->cols,
		       ui_attr(ui->status_error ? UI_ROLE_ERROR : UI_ROLE_STATUS), 0);
}

static void draw_all(struct ui *ui)
{
	int i, base;

	erase();
	if (ui->cols < UI_MIN_COLS || ui->rows < UI_MIN_ROWS) {
		ui_small_draw(ui);
		refresh();
		return;
	}
	base = ui->depth - 1;
	while (base > 0 && ui->stack[base]->modal)
		base--;
	for (i = base < 0 ? 0 : base; i < ui->depth; i++)
		ui->stack[i]->draw(ui);
	draw_status(ui);
	draw_keybar(ui);
	refresh();
}

/* ---------- events ---------- */

/* Give a finished job to the screens, top first, until one takes it. */
static int job_finished(struct ui *ui, enum session_job kind)
{
	int i;

	for (i = ui->depth - 1; i >= 0; i--)
		if (ui->stack[i]->job_done &&
		    (ui->stack[i]->job_done(ui, kind) & UI_HANDLED))
			break;
	if (ui->cancelling && kind != SESSION_JOB_STEPS)
		ui_status(ui, 0, "%s", _("Cancelled."));
	ui->cancelling = 0;
	return UI_REDRAW;
}

static int global_action(struct ui *ui, enum ui_action a)
{
	const struct ui_screen_ops *top = ui_top(ui);

	switch (a) {
	case UI_ACT_HELP:
		if (top != &ui_screen_help)
			ui_push(ui, &ui_screen_help);
		return UI_REDRAW;
	case UI_ACT_QUIT:
		if (top != &ui_screen_quit)
			ui_push(ui, &ui_screen_quit);
		return UI_REDRAW;
	case UI_ACT_EXPORT:
		ui_export(ui);
		return UI_REDRAW;
	case UI_ACT_MESSAGE:
		if (ui->s && top != &ui_screen_message)
			ui_push(ui, &ui_screen_message);
		return UI_REDRAW;
	default:
		return 0;
	}
}

static int dispatch(struct ui *ui, const struct ui_key *k)
{
	const struct ui_screen_ops *top = ui_top(ui);
	enum ui_action a;
	int r = 0;

	if (ui->cols < UI_MIN_COLS || ui->rows < UI_MIN_ROWS) {
		/* Only quitting and cancelling make sense here. */
		a = ui_key_action(k);
		if (a == UI_ACT_QUIT)
			return UI_QUIT;
		if (a == UI_ACT_CANCEL && ui->s)
			session_check_cancel(ui->s);
		return UI_REDRAW;
	}
	if (top && top->key) {
		r = top->key(ui, k);
		if (r & (UI_HANDLED | UI_QUIT))
			return r;
	}
	a = ui_key_action(k);
	if (a == UI_ACT_NONE)
		return r;
	if (a == UI_ACT_CANCEL && ui->s && session_busy(ui->s)) {
		session_check_cancel(ui->s);
		ui->cancelling = 1;
		ui_status(ui, 0, "%s", _("Cancelling..."));
		return UI_REDRAW;
	}
	ui->status[0] = '\0';
	if (top && top->handle)
		r |= top->handle(ui, a, k);
	if (!(r & UI_HANDLED))
		r |= global_action(ui, a);
	return r | UI_REDRAW;
}

int ui_run(const struct ui_options *opt)
{
	struct ui ui;
	SCREEN *scr;
	int redraw = 1, running = 1;

	memset(&ui, 0, sizeof ui);
	ui.opt = opt;
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, "%s\n", _("acr-doctor: cannot use this terminal for the wizard"));
		return 2;
	}
	set_term(scr);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	wtimeout(stdscr, 100);
	ui_theme_init(opt->no_color);
	getmaxyx(stdscr, ui.rows, ui.cols);

	if (opt->scenario) {
		if (ui_open_scenario(&ui, opt->scenario) != 0) {
			char msg[sizeof ui.status];

			snprintf(msg, sizeof msg, "%s", ui.status);
			endwin();
			delscreen(scr);
			fprintf(stderr, "acr-doctor: %s\n", msg);
			return 2;
		}
		ui_reset(&ui, &ui_screen_node);
	} else {
		ui_reset(&ui, &ui_screen_picker);
	}

	while (running && !ui.quit) {
		const struct ui_screen_ops *top;
		struct ui_key k;
		wint_t wch;
		int rc, r = 0;

		if (ui.s && session_check_poll(ui.s) == SESSION_DONE)
			r |= job_finished(&ui, session_job_kind(ui.s));
		r |= ui_ssh_tick(&ui);
		top = ui_top(&ui);
		if (top && top->tick)
			r |= top->tick(&ui);
		if (r & UI_REDRAW)
			redraw = 1;
		if (r & UI_QUIT)
			break;
		if (redraw) {
			getmaxyx(stdscr, ui.rows, ui.cols);
			draw_all(&ui);
			redraw = 0;
		}
		rc = wget_wch(stdscr, &wch);
		if (rc == ERR) {
			if (ui.s && session_busy(ui.s)) {
				ui.tick++;
				redraw = 1;
			}
			continue;
		}
		if (rc == KEY_CODE_YES && wch == KEY_RESIZE) {
			redraw = 1;
			continue;
		}
		k.func = rc == KEY_CODE_YES;
		k.ch = wch;
		r = dispatch(&ui, &k);
		if (r & UI_QUIT)
			running = 0;
		if (r & UI_REDRAW)
			redraw = 1;
	}
	if (ui.s) {
		session_check_cancel(ui.s);
		session_wait(ui.s);
	}
	while (ui.depth > 0) {
		const struct ui_screen_ops *sc = ui.stack[--ui.depth];

		if (sc->leave)
			sc->leave(&ui);
	}
	endwin();
	delscreen(scr);
	session_free(ui.s);
	ui_ssh_end();
	return 0;
}
