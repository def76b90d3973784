/* screen_picker.c - the training scenarios to practise on. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curses.h"
#include "i18n.h"
#include "scenario.h"
#include "screen.h"
#include "textw.h"
#include "widgets.h"

#define PICK_MAX 128

static struct {
	size_t n;
	char summary[PICK_MAX][768];
	int sel;
	int top;
	int h;
} st;

static void enter(struct ui *ui)
{
	size_t i;

	(void)ui;
	memset(&st, 0, sizeof st);
	st.n = scenario_builtin_count();
	if (st.n > PICK_MAX)
		st.n = PICK_MAX;
	for (i = 0; i < st.n; i++)
		if (scenario_builtin_summary(i, st.summary[i], sizeof st.summary[i]) != 0)
			st.summary[i][0] = '\0';
}

static void draw(struct ui *ui)
{
	const char *parts[2] = { PACKAGE_NAME, _("Training scenarios") };
	int i, y, namew = 0;
	char line[512];

	ui_titlebar(ui->cols, parts, 2);
	ui_put(2, 2, _("Pick a recorded world to practise on. Nothing real is read or changed."),
	       ui->cols - 4, ui_attr(UI_ROLE_NORMAL), 0);
	for (i = 0; i < (int)st.n; i++) {
		int w = tw_width(scenario_builtin_name((size_t)i));

		if (w > namew)
			namew = w;
	}
	if (namew > ui->cols / 2)
		namew = ui->cols / 2;
	/* Rows: title, intro, blank, the list, blank, two of summary,
	 * status, key bar. */
	st.h = ui->rows - 2 - 4 - 3;
	if (st.sel < st.top)
		st.top = st.sel;
	if (st.sel >= st.top + st.h)
		st.top = st.sel - st.h + 1;
	if (!st.n)
		ui_put(4, 2, _("No built-in scenarios."), ui->cols - 4,
		       ui_attr(UI_ROLE_ERROR), 0);
	for (i = st.top, y = 4; i < (int)st.n && y < 4 + st.h; i++, y++) {
		int sel = i == st.sel;
		int attr = ui_attr(sel ? UI_ROLE_SELECTED : UI_ROLE_NORMAL);
		int x = 2, used;

		if (sel)
			ui_fill(y, 2, ui->cols - 4, attr);
		snprintf(line, sizeof line, "%s%2d) ", sel ? ">" : " ", i + 1);
		x += ui_put(y, x, line, ui->cols - 4, attr, 0);
		used = ui_put(y, x, scenario_builtin_name((size_t)i), namew,
			      sel ? attr : ui_attr(UI_ROLE_HEADING), 0);
		x += namew + 2;
		(void)used;
		if (x < ui->cols - 2)
			ui_put(y, x, st.summary[i], ui->cols - 2 - x, attr, 0);
	}
	/* The whole summary of the highlighted world: the list cuts it. */
	if (st.n) {
		struct ui_text t;

		ui_text_init(&t, ui->cols - 4);
		ui_text_add(&t, st.summary[st.sel], UI_ROLE_DIM, 0);
		ui_text_draw(&t, 4 + st.h + 1, 2, 2, ui->cols - 4, 0);
		ui_text_free(&t);
	}
}

static int open_sel(struct ui *ui)
{
	if (st.sel < 0 || (size_t)st.sel >= st.n)
		return UI_HANDLED;
	if (ui_open_scenario(ui, scenario_builtin_name((size_t)st.sel)) != 0)
		return UI_HANDLED | UI_REDRAW;
	ui_reset(ui, &ui_screen_node);
	return UI_HANDLED | UI_REDRAW;
}

static int handle(struct ui *ui, enum ui_action a, const struct ui_key *k)
{
	int page = st.h > 1 ? st.h - 1 : 1;

	if (ui_list_move(&st.sel, st.n, page, a))
		return UI_HANDLED | UI_REDRAW;
	switch (a) {
	case UI_ACT_SELECT:
		return open_sel(ui);
	case UI_ACT_BACK:
		/* Live mode: back to the live start screen. */
		if (ui->opt->scenario)
			return 0;
		ui_reset(ui, &ui_screen_start);
		break;
	case UI_ACT_PICK:
		if (!k->func && k->ch >= '1' && k->ch <= '9' &&
		    (size_t)(k->ch - '1') < st.n) {
			st.sel = (int)(k->ch - '1');
			return open_sel(ui);
		}
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static const enum ui_action bar[] = {
	UI_ACT_SELECT, UI_ACT_DOWN, UI_ACT_UP, UI_ACT_BACK, UI_ACT_HELP,
	UI_ACT_QUIT, UI_ACT_NONE
};

const struct ui_screen_ops ui_screen_picker = {
	.name = "picker",
	.enter = enter,
	.draw = draw,
	.handle = handle,
	.bar = bar,
};
