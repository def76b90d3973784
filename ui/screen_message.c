/* screen_message.c - "I have an error message": a line editor to paste
 * or type the event or log line; Enter classifies it and goes to the
 * cause it names. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "curses.h"
#include "err.h"
#include "i18n.h"
#include "screen.h"
#include "session.h"
#include "textw.h"
#include "widgets.h"

#define MSG_MAX 2000   /* characters; the context keeps 2047 bytes */

static struct {
	wchar_t buf[MSG_MAX + 1];
	size_t len, cur;
	char error[512];
} st;

/* buf[a..b) as a multibyte string into out. */
static void to_mb(size_t a, size_t b, char *out, size_t len)
{
	size_t i, o = 0;
	char mb[16];
	mbstate_t ps;

	memset(&ps, 0, sizeof ps);
	for (i = a; i < b; i++) {
		size_t k = wcrtomb(mb, st.buf[i], &ps);

		if (k == (size_t)-1) {
			memset(&ps, 0, sizeof ps);
			mb[0] = '?';
			k = 1;
		}
		if (o + k + 1 > len)
			break;
		memcpy(out + o, mb, k);
		o += k;
	}
	out[o] = '\0';
}

static void draw(struct ui *ui)
{
	int y = 2, x = 4, h = ui->rows - 5, w = ui->cols - 8;
	static char before[MSG_MAX * 4 + 1], after[MSG_MAX * 4 + 1];
	static char shown[MSG_MAX * 8 + 16];
	struct ui_text t;
	size_t top = 0;

	ui_box(y, x, h, w, _("I have an error message"));
	ui_text_init(&t, w - 4);
	ui_text_add(&t, _("Paste or type the pod event or the Web App log line, then press "
			  "Enter. Esc closes this box."), UI_ROLE_NORMAL, 0);
	ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
	to_mb(0, st.cur, before, sizeof before);
	to_mb(st.cur, st.len, after, sizeof after);
	/* The cursor is a visible bar in the text (it wraps with it). */
	snprintf(shown, sizeof shown, "%s%s%s", before,
		 tw_utf8() ? "\xe2\x96\x8f" : "|", after);
	ui_text_add(&t, shown, UI_ROLE_CODE, 2);
	if (st.error[0]) {
		ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
		ui_text_add(&t, st.error, UI_ROLE_ERROR, 0);
	}
	if (t.n > (size_t)(h - 2))
		top = t.n - (size_t)(h - 2);
	ui_text_draw(&t, y + 1, x + 2, h - 2, w - 4, top);
	ui_text_free(&t);
}

static void submit(struct ui *ui)
{
	static char text[MSG_MAX * 4 + 1];
	struct ad_error err = { 0 };
	const char *alt;

	to_mb(0, st.len, text, sizeof text);
	if (session_message(ui->s, text, &err) != 0) {
		snprintf(st.error, sizeof st.error, "%s", err.msg);
		return;
	}
	ui_pop(ui);
	alt = session_message_alternative(ui->s, 0);
	if (alt)
		/* TRANSLATORS: the pasted message's wording fits two causes;
		 * the wizard goes to the first, its checks decide */
		ui_status(ui, 0, _("The message points at %s; this wording also fits %s, the checks will tell."),
			  session_message_cause(ui->s), alt);
	else
		ui_status(ui, 0, _("The message points at %s."),
			  session_message_cause(ui->s));
}

static void backspace(void)
{
	if (st.cur) {
		memmove(st.buf + st.cur - 1, st.buf + st.cur,
			(st.len - st.cur) * sizeof st.buf[0]);
		st.cur--;
		st.len--;
	}
}

static int key(struct ui *ui, const struct ui_key *k)
{
	if (k->func) {
		switch (k->ch) {
		case KEY_LEFT:
			if (st.cur)
				st.cur--;
			break;
		case KEY_RIGHT:
			if (st.cur < st.len)
				st.cur++;
			break;
		case KEY_HOME:
			st.cur = 0;
			break;
		case KEY_END:
			st.cur = st.len;
			break;
		case KEY_BACKSPACE:
			backspace();
			break;
		case KEY_DC:
			if (st.cur < st.len) {
				memmove(st.buf + st.cur, st.buf + st.cur + 1,
					(st.len - st.cur - 1) * sizeof st.buf[0]);
				st.len--;
			}
			break;
		case KEY_ENTER:
			submit(ui);
			break;
		default:
			return 0;   /* F1 help etc. */
		}
		return UI_HANDLED | UI_REDRAW;
	}
	switch (k->ch) {
	case 27:
		ui_pop(ui);
		return UI_HANDLED | UI_REDRAW;
	case '\n':
	case '\r':
		submit(ui);
		return UI_HANDLED | UI_REDRAW;
	case 127:
	case 8:
		backspace();
		return UI_HANDLED | UI_REDRAW;
	case 1:  /* ^A */
		st.cur = 0;
		return UI_HANDLED | UI_REDRAW;
	case 5:  /* ^E */
		st.cur = st.len;
		return UI_HANDLED | UI_REDRAW;
	case 21: /* ^U */
		st.len = st.cur = 0;
		return UI_HANDLED | UI_REDRAW;
	case 11: /* ^K */
		st.len = st.cur;
		return UI_HANDLED | UI_REDRAW;
	case '\t':
		break;
	default:
		if (k->ch < 32 || (k->ch >= 0x7f && k->ch < 0xa0))
			return UI_HANDLED;
	}
	if (st.len >= MSG_MAX)
		return UI_HANDLED;
	memmove(st.buf + st.cur + 1, st.buf + st.cur,
		(st.len - st.cur) * sizeof st.buf[0]);
	st.buf[st.cur++] = k->ch == '\t' ? L' ' : (wchar_t)k->ch;
	st.len++;
	st.error[0] = '\0';
	return UI_HANDLED | UI_REDRAW;
}

static int handle(struct ui *ui, enum ui_action a, const struct ui_key *k)
{
	(void)k;
	if (a == UI_ACT_HELP)
		return 0;
	(void)ui;
	return UI_HANDLED;
}

static void enter(struct ui *ui)
{
	(void)ui;
	memset(&st, 0, sizeof st);
}

static const enum ui_action bar[] = { UI_ACT_SELECT, UI_ACT_CANCEL, UI_ACT_NONE };

const struct ui_screen_ops ui_screen_message = {
	.name = "message",
	.enter = enter,
	.draw = draw,
	.key = key,
	.handle = handle,
	.bar = bar,
	.modal = 1,
};
