/* screen_quit.c - "Quit acr-doctor?" (default No; only y quits). */
#include "config.h"

#include "curses.h"
#include "i18n.h"
#include "screen.h"
#include "session.h"
#include "textw.h"
#include "widgets.h"

static void draw(struct ui *ui)
{
	const char *q = _("Quit acr-doctor? y = yes, any other key = no [y/N]");
	const char *busy = _("A check is running: it will be cancelled.");
	int w = tw_width(q) + 6, h = 5, y, x;
	int running = (ui->s && session_busy(ui->s)) || livejob_busy(&ui->lj);

	if (running && tw_width(busy) + 6 > w)
		w = tw_width(busy) + 6;
	if (w > ui->cols - 4)
		w = ui->cols - 4;
	if (running)
		h++;
	y = (ui->rows - h) / 2;
	x = (ui->cols - w) / 2;
	ui_box(y, x, h, w, _("Quit"));
	ui_put(y + 2, x + 3, q, w - 6, ui_attr(UI_ROLE_WARNING), 0);
	if (running)
		ui_put(y + 3, x + 3, busy, w - 6, ui_attr(UI_ROLE_NORMAL), 0);
}

static int handle(struct ui *ui, enum ui_action a, const struct ui_key *k)
{
	(void)k;
	if (a == UI_ACT_YES) {
		ui->quit = 1;
		return UI_HANDLED | UI_QUIT;
	}
	ui_pop(ui);
	return UI_HANDLED | UI_REDRAW;
}

/* Any key that is not in the table also answers no. */
static int key(struct ui *ui, const struct ui_key *k)
{
	if (ui_key_action(k) != UI_ACT_NONE)
		return 0;
	ui_pop(ui);
	return UI_HANDLED | UI_REDRAW;
}

static const enum ui_action bar[] = { UI_ACT_YES, UI_ACT_NO, UI_ACT_NONE };

const struct ui_screen_ops ui_screen_quit = {
	.name = "quit",
	.draw = draw,
	.handle = handle,
	.key = key,
	.bar = bar,
	.modal = 1,
};
