/* screen_devcode.c - device-code sign-in: Entra ID's sentence, the page
 * to open and the code to type, shown while the worker waits for the
 * token.  It closes itself when that work ends; Esc cancels it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "curses.h"
#include "i18n.h"
#include "screen.h"
#include "textw.h"
#include "widgets.h"

static void draw(struct ui *ui)
{
	struct ui_text t;
	int w = ui->cols - 8, h, y, x = 4;
	char line[600];

	if (w > 90)
		w = 90;
	x = (ui->cols - w) / 2;
	ui_text_init(&t, w - 6);
	ui_text_add(&t, ui->devcode.text, UI_ROLE_NORMAL, 0);
	ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
	ui_text_add_label(&t, _("Open:"), UI_ROLE_HEADING, ui->devcode.uri,
			  UI_ROLE_CODE, 0);
	ui_text_add_label(&t, _("Code:"), UI_ROLE_HEADING, ui->devcode.code,
			  UI_ROLE_WARNING, 0);
	ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
	snprintf(line, sizeof line, "%s %s", ui_spinner(ui->tick),
		 _("Waiting for you to sign in. Esc cancels."));
	ui_text_add(&t, line, UI_ROLE_DIM, 0);
	h = (int)t.n + 4;
	if (h > ui->rows - 4)
		h = ui->rows - 4;
	y = (ui->rows - 2 - h) / 2;
	if (y < 1)
		y = 1;
	ui_box(y, x, h, w, _("Sign in to Azure"));
	ui_text_draw(&t, y + 2, x + 3, h - 4, w - 6, 0);
	ui_text_free(&t);
}

static int handle(struct ui *ui, enum ui_action a, const struct ui_key *k)
{
	(void)k;
	switch (a) {
	case UI_ACT_HELP:
	case UI_ACT_QUIT:
	case UI_ACT_TRAINING:
		return 0;
	default:
		(void)ui;
		return UI_HANDLED;
	}
}

static const enum ui_action bar[] = {
	UI_ACT_CANCEL, UI_ACT_TRAINING, UI_ACT_QUIT, UI_ACT_NONE
};

const struct ui_screen_ops ui_screen_devcode = {
	.name = "devcode",
	.draw = draw,
	.handle = handle,
	.bar = bar,
	.modal = 1,
};
