/* screen_help.c - the help screen, generated from the action and key
 * tables. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "curses.h"
#include "i18n.h"
#include "keys.h"
#include "screen.h"
#include "textw.h"
#include "widgets.h"

static struct {
	size_t scroll;
	int h;
} st;

static void draw(struct ui *ui)
{
	const char *parts[2] = { PACKAGE_NAME, _("Help") };
	struct ui_text t;
	char keys[128], label[160];
	int a, kw = 0;

	ui_titlebar(ui->cols, parts, 2);
	/* The widest key list decides the column of the sentences. */
	for (a = UI_ACT_NONE + 1; a < UI_ACT_COUNT; a++) {
		ui_action_keys((enum ui_action)a, keys, sizeof keys, 4);
		if (tw_width(keys) > kw)
			kw = tw_width(keys);
	}
	st.h = ui->rows - 4;
	ui_text_init(&t, ui->cols - 4);
	ui_text_add(&t, _("The wizard walks the troubleshooting tree one step at a time: a "
			  "question, an explanation, a check it runs for you, a fix it can "
			  "make, or a verdict. A fix is always shown in full first and is "
			  "only sent after you press y."), UI_ROLE_NORMAL, 0);
	ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
	ui_text_add(&t, _("Keys"), UI_ROLE_HEADING, 0);
	for (a = UI_ACT_NONE + 1; a < UI_ACT_COUNT; a++) {
		int pad;

		ui_action_keys((enum ui_action)a, keys, sizeof keys, 4);
		pad = kw + 1 - tw_width(keys);
		snprintf(label, sizeof label, "%s%*s", keys, pad > 0 ? pad : 0, "");
		ui_text_add_label(&t, label, UI_ROLE_KEY,
				  _(ui_action_help((enum ui_action)a)),
				  UI_ROLE_NORMAL, 2);
	}
	ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
	ui_text_add(&t, _("In the error-message box every key is text: Enter classifies "
			  "the message, Esc closes the box."), UI_ROLE_DIM, 0);
	st.scroll = ui_text_clamp(&t, st.scroll, st.h);
	ui_text_draw(&t, 2, 2, st.h, ui->cols - 4, st.scroll);
	ui_text_free(&t);
}

static int handle(struct ui *ui, enum ui_action a, const struct ui_key *k)
{
	(void)k;
	if (ui_text_scroll(&st.scroll, st.h, a))
		return UI_HANDLED | UI_REDRAW;
	switch (a) {
	case UI_ACT_BACK:
	case UI_ACT_CANCEL:
	case UI_ACT_HELP:
	case UI_ACT_QUIT:
	case UI_ACT_SELECT:
		ui_pop(ui);
		break;
	default:
		break;
	}
	return UI_HANDLED | UI_REDRAW;
}

static void enter(struct ui *ui)
{
	(void)ui;
	memset(&st, 0, sizeof st);
}

static const enum ui_action bar[] = {
	UI_ACT_CANCEL, UI_ACT_DOWN, UI_ACT_PGDN, UI_ACT_NONE
};

const struct ui_screen_ops ui_screen_help = {
	.name = "help",
	.enter = enter,
	.draw = draw,
	.handle = handle,
	.bar = bar,
};
